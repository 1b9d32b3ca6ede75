/**
 * The projector's scatter plot: points in [-1, 1]^3 drawn with three.js (WebGL) as round dots of a
 * fixed pixel size, rotated / panned / zoomed with three's OrbitControls (2-D: pan and zoom only).
 * Hover and click find the point nearest the pointer on screen (within HIT_PIXELS): projecting every
 * point is exact for dots of a fixed size, and fast enough for the 100k points the routes allow.
 */
import {
  BufferAttribute, BufferGeometry, CanvasTexture, Color, OrthographicCamera, PerspectiveCamera, Points,
  PointsMaterial, Scene, Vector3, WebGLRenderer,
} from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";

const HIT_PIXELS = 8;
const DOT = 6;
const BIG_DOT = 12;
// Categorical colours (Tableau 10), then a two-colour ramp for numeric columns with many values.
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
  "#bab0ac"];
const LOW = new Color("#2c7bb6");
const HIGH = new Color("#f57c00");
const PLAIN = new Color("#4e79a7");
const DIM = new Color("#c8ccd2");
const SELECTED = new Color("#d62728");
const NEIGHBOR = new Color("#ff7f0e");
const MAX_LEGEND = 12;

function dotTexture() {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  const context = canvas.getContext("2d");
  context.beginPath();
  context.arc(32, 32, 30, 0, 2 * Math.PI);
  context.fillStyle = "#fff";
  context.fill();
  return new CanvasTexture(canvas);
}

/** Colour of each point for a metadata column, and the legend: [{value, color}]. */
export function colorScale(values, count) {
  if (!values) return { colorOf: () => PLAIN, legend: [] };
  const distinct = [...new Set(values)];
  const numbers = values.map(Number);
  const numeric = values.every((v) => v !== "" && Number.isFinite(Number(v)));
  if (distinct.length <= PALETTE.length || !numeric) {
    const order = numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
    const index = new Map(order.map((v, i) => [v, i]));
    const colors = order.map((_, i) => new Color(PALETTE[i % PALETTE.length]));
    const legend = order.slice(0, MAX_LEGEND).map((value, i) => ({ value, color: `#${colors[i].getHexString()}` }));
    if (order.length > MAX_LEGEND) legend.push({ value: `… ${order.length - MAX_LEGEND} more`, color: "transparent" });
    return { colorOf: (i) => (i < values.length ? colors[index.get(values[i])] : PLAIN), legend };
  }
  let low = Infinity;
  let high = -Infinity;
  for (const n of numbers) { low = Math.min(low, n); high = Math.max(high, n); }
  const span = high - low || 1;
  const cache = new Array(count);
  const colorOf = (i) => (cache[i] ??= LOW.clone().lerp(HIGH, (numbers[i] - low) / span));
  return { colorOf, legend: [{ value: String(low), color: `#${LOW.getHexString()}` },
    { value: String(high), color: `#${HIGH.getHexString()}` }] };
}

export class Scatter {
  constructor(container, { onHover, onClick }) {
    this.container = container;
    this.renderer = new WebGLRenderer({ antialias: true, alpha: true, preserveDrawingBuffer: true });
    container.prepend(this.renderer.domElement);
    this.scene = new Scene();
    this.texture = dotTexture();
    this.base = this._layer(DOT);
    this.top = this._layer(BIG_DOT);  // the selected point, its neighbours and the search matches
    this.onHover = onHover;
    this.onClick = onClick;
    this.positions = new Float32Array(0);
    this.count = 0;
    this.dims = 3;
    this.summary = {};
    this._camera(3);
    const canvas = this.renderer.domElement;
    canvas.addEventListener("pointermove", (event) => {
      const hit = this.pick(event);
      this.onHover(hit, event.offsetX, event.offsetY);
    });
    canvas.addEventListener("pointerleave", () => this.onHover(null));
    let down = null;
    canvas.addEventListener("pointerdown", (event) => { down = [event.clientX, event.clientY]; });
    canvas.addEventListener("pointerup", (event) => {
      // a drag rotates or pans; only a click (the pointer barely moved) selects
      if (down && Math.hypot(event.clientX - down[0], event.clientY - down[1]) < 4) this.onClick(this.pick(event));
      down = null;
    });
    this.resize();
  }

  _layer(size) {
    const material = new PointsMaterial({ size, sizeAttenuation: false, vertexColors: true, map: this.texture,
      alphaTest: 0.5, transparent: false });
    const points = new Points(new BufferGeometry(), material);
    this.scene.add(points);
    return points;
  }

  _camera(dims) {
    this.controls?.dispose();
    const { width, height } = this._size();
    if (dims === 2) {
      const aspect = width / height;
      this.camera = new OrthographicCamera(-1.15 * aspect, 1.15 * aspect, 1.15, -1.15, -10, 10);
      this.camera.position.set(0, 0, 5);
    } else {
      this.camera = new PerspectiveCamera(45, width / height, 0.01, 100);
      this.camera.position.set(2.2, 1.6, 2.6);
    }
    this.camera.lookAt(0, 0, 0);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableRotate = dims === 3;
    this.controls.screenSpacePanning = true;
    this.controls.addEventListener("change", () => this.render());
    this.dims = dims;
  }

  _size() {
    return { width: Math.max(1, this.container.clientWidth), height: Math.max(1, this.container.clientHeight) };
  }

  resetView() {
    this._camera(this.dims);
  }

  resize() {
    const { width, height } = this._size();
    this.renderer.setPixelRatio(window.devicePixelRatio || 1);
    this.renderer.setSize(width, height, false);
    if (this.camera.isPerspectiveCamera) {
      this.camera.aspect = width / height;
    } else {
      const aspect = width / height;
      Object.assign(this.camera, { left: -1.15 * aspect, right: 1.15 * aspect });
    }
    this.camera.updateProjectionMatrix();
    this.render();
  }

  /**
   * Draws `points` ([[x, y, z], ...] in [-1, 1]); `colorValues` (a metadata column) colours them,
   * `matches` (a Set, or null without a search) dims the others, `selected` and `neighbors` are
   * drawn larger. Returns the colour legend.
   */
  draw({ points, dims, colorValues, matches, selected, neighbors }) {
    if (dims !== this.dims) this._camera(dims);
    const count = points.length;
    const positions = new Float32Array(count * 3);
    const colors = new Float32Array(count * 3);
    const scale = colorScale(colorValues, count);
    const highlighted = [];
    for (let i = 0; i < count; i += 1) {
      const p = points[i];
      positions.set([p[0], p[1] ?? 0, dims === 3 ? (p[2] ?? 0) : 0], i * 3);
      const color = matches && !matches.has(i) ? DIM : scale.colorOf(i);
      colors.set([color.r, color.g, color.b], i * 3);
      if (i === selected || neighbors.has(i) || (matches && matches.has(i))) highlighted.push(i);
    }
    this.positions = positions;
    this.count = count;
    this._fill(this.base, positions, colors);
    const topPositions = new Float32Array(highlighted.length * 3);
    const topColors = new Float32Array(highlighted.length * 3);
    highlighted.forEach((i, k) => {
      topPositions.set(positions.subarray(i * 3, i * 3 + 3), k * 3);
      const color = i === selected ? SELECTED : neighbors.has(i) ? NEIGHBOR : scale.colorOf(i);
      topColors.set([color.r, color.g, color.b], k * 3);
    });
    this._fill(this.top, topPositions, topColors);
    this.summary = { count, highlighted, selected, neighbors: [...neighbors], matches: matches ? matches.size : null,
      legend: scale.legend.map((l) => l.value), colors: count ? new Set(Array.from({ length: count },
        (_, i) => (matches && !matches.has(i) ? DIM : scale.colorOf(i)).getHexString())).size : 0 };
    this.render();
    return scale.legend;
  }

  _fill(layer, positions, colors) {
    layer.geometry.dispose();
    const geometry = new BufferGeometry();
    geometry.setAttribute("position", new BufferAttribute(positions, 3));
    geometry.setAttribute("color", new BufferAttribute(colors, 3));
    layer.geometry = geometry;
  }

  render() {
    this.renderer.render(this.scene, this.camera);
  }

  /** Point `index` in CSS pixels relative to the canvas, or null when it is not on screen. */
  screenOf(index) {
    const p = new Vector3().fromArray(this.positions, index * 3).project(this.camera);
    if (p.z > 1 || p.z < -1) return null;
    const { width, height } = this._size();
    const rect = this.renderer.domElement.getBoundingClientRect();
    return { x: rect.left + (p.x + 1) / 2 * width, y: rect.top + (1 - p.y) / 2 * height };
  }

  /** The index of the point nearest the pointer within HIT_PIXELS, or null. */
  pick(event) {
    const rect = this.renderer.domElement.getBoundingClientRect();
    const { width, height } = this._size();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const v = new Vector3();
    let best = null;
    let bestDistance = HIT_PIXELS * HIT_PIXELS;
    for (let i = 0; i < this.count; i += 1) {
      v.fromArray(this.positions, i * 3).project(this.camera);
      if (v.z > 1 || v.z < -1) continue;
      const dx = (v.x + 1) / 2 * width - x;
      const dy = (1 - v.y) / 2 * height - y;
      const d = dx * dx + dy * dy;
      if (d < bestDistance) { best = i; bestDistance = d; }
    }
    return best;
  }

  snapshot() {
    return { ...this.summary, cameraDims: this.dims, webgl: Boolean(this.renderer.getContext()) };
  }
}
