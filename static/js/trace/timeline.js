/**
 * The step's timeline: one lane per row of a device (bars that do not overlap), one bar per
 * NodeExecStats from its start for its duration (GET /data/trace/timeline). uPlot draws the time
 * axis, the lane labels and the drag-to-zoom box; the bars are drawn in its `draw` hook, in canvas
 * pixels, only those in the visible time range. Wheel zooms at the pointer, Shift+drag pans,
 * double-click shows the whole step (uPlot's reset); from the keyboard (the chart takes focus), W/S or
 * +/- zoom, A/D or the arrows pan, 0 shows the whole step, as chrome://tracing's keys.
 */
import uPlot from "uplot";
import { cssColor } from "../theme.js";
import { formatMicros } from "../graph/step_stats.js";

const LANE_PX = 30;
const BAR_FILL = 0.72; // of a lane's height
const HIT_PX = 3; // a bar narrower than this is still hovered this close
const WHEEL_STEP = 1.25;

/** A stable colour per op type (hue from its name), as trace viewers colour by event name. */
export function opColor(op) {
  let hash = 0;
  for (let i = 0; i < op.length; i++) hash = (hash * 31 + op.charCodeAt(i)) | 0;
  return `hsl(${((hash % 360) + 360) % 360}, 55%, 62%)`;
}

/** A time tick: "2.5 ms", or "32.5 µs" below a millisecond (formatMicros rounds to whole µs). */
function tickLabel(us) {
  return us >= 1000 || Number.isInteger(us) ? formatMicros(us) : `${Number(us.toFixed(3))} µs`;
}

/** Short lane label: the device's last part ("CPU:0") and the row (board/step_stats.py assigns rows). */
export function laneLabel(lane) {
  const device = lane.device.split("/").pop().replace(/^device:/, "") || lane.device || "device";
  return `${device} · row ${lane.row + 1}`;
}

export class Timeline {
  /** `onHover(index|null, x, y)` and `onPick(index|null)` report bars by their index in the columns. */
  constructor(container, { onHover, onPick }) {
    this.container = container;
    this.onHover = onHover;
    this.onPick = onPick;
    this.plot = null;
    this.match = null;
    container.addEventListener("keydown", (e) => this.key(e)); // Uint8Array: 1 = matches the search (null: no search)
    this.selected = null;
    new ResizeObserver(() => this.resize()).observe(container);
  }

  /** Draws `data` (the route's answer), replacing what was drawn. */
  show(data) {
    this.data = data;
    const ev = data.events;
    const n = ev.lane.length;
    this.end = 1;
    for (let i = 0; i < n; i++) this.end = Math.max(this.end, ev.start_us[i] + ev.duration_us[i]);
    // Per lane, the bars' indices by start: hovering finds a bar by binary search.
    this.byLane = data.lanes.map(() => []);
    for (let i = 0; i < n; i++) this.byLane[ev.lane[i]].push(i);
    for (const list of this.byLane) list.sort((a, b) => ev.start_us[a] - ev.start_us[b]);
    this.colors = ev.op.map(opColor);
    this.selected = null;
    this.match = null;
    this.build();
  }

  build() {
    if (this.plot) this.plot.destroy();
    const lanes = this.data.lanes.length;
    const axis = cssColor("--axis");
    const grid = { stroke: cssColor("--grid"), width: 1 };
    const opts = {
      width: this.container.clientWidth || 800,
      height: Math.max(160, lanes * LANE_PX + 60),
      legend: { show: false },
      scales: { x: { time: false }, y: { range: [-0.5, lanes - 0.5] } },
      series: [{}, { paths: () => null, points: { show: false } }],
      axes: [
        { stroke: axis, grid, ticks: grid, label: "time from the step's start", labelSize: 18,
          values: (u, splits) => splits.map(tickLabel) },
        { stroke: axis, grid: { show: false }, ticks: { show: false }, size: 150,
          splits: () => this.data.lanes.map((_, i) => i),
          values: (u, splits) => splits.map((v) => laneLabel(this.data.lanes[lanes - 1 - v])) },
      ],
      cursor: {
        y: false, points: { show: false }, drag: { x: true, y: false, setScale: true },
        bind: { mousedown: (u, target, handler) => (e) => (e.shiftKey ? this.startPan(e) : handler(e)) },
      },
      hooks: {
        draw: [(u) => this.drawBars(u)],
        setCursor: [(u) => this.hover(u)],
        ready: [(u) => this.attach(u)],
      },
    };
    this.plot = new uPlot(opts, [[0, this.end], [null, null]], this.container);
  }

  resize() {
    if (this.plot && this.container.clientWidth) {
      this.plot.setSize({ width: this.container.clientWidth, height: this.plot.height });
    }
  }

  /** y of lane `lane` (lane 0 on top). */
  laneValue(lane) {
    return this.data.lanes.length - 1 - lane;
  }

  drawBars(u) {
    const ev = this.data.events;
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    const [min, max] = [u.scales.x.min, u.scales.x.max];
    const laneHeight = Math.abs(u.valToPos(0, "y", true) - u.valToPos(1, "y", true));
    const barHeight = laneHeight * BAR_FILL;
    const font = Math.round(11 * uPlot.pxRatio);
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.font = `${font}px system-ui, sans-serif`;
    ctx.textBaseline = "middle";
    ctx.textAlign = "left"; // uPlot leaves the axes' alignment set
    const labelColor = "#1b1f24";
    for (let i = 0; i < ev.lane.length; i++) {
      const start = ev.start_us[i];
      const end = start + ev.duration_us[i];
      if (end < min || start > max) continue;
      const x0 = u.valToPos(start, "x", true);
      const w = Math.max(uPlot.pxRatio, u.valToPos(end, "x", true) - x0);
      const y = u.valToPos(this.laneValue(ev.lane[i]), "y", true) - barHeight / 2;
      ctx.globalAlpha = this.match && !this.match[i] ? 0.18 : 1;
      ctx.fillStyle = this.colors[i];
      ctx.fillRect(x0, y, w, barHeight);
      if (i === this.selected || (this.match && this.match[i])) {
        ctx.lineWidth = (i === this.selected ? 2 : 1) * uPlot.pxRatio;
        ctx.strokeStyle = i === this.selected ? cssColor("--accent") : "#333";
        ctx.strokeRect(x0, y, w, barHeight);
      }
      const shown = Math.max(x0, left); // a bar starting left of the view is labelled where it shows
      const visible = Math.min(x0 + w, left + width) - shown;
      if (visible > 40 * uPlot.pxRatio) {
        this.label(ctx, ev.name[i].split("/").pop(), shown, y + barHeight / 2, visible, labelColor);
      }
    }
    ctx.restore();
  }

  label(ctx, text, x, y, width, color) {
    const pad = 3 * uPlot.pxRatio;
    let shown = text;
    while (shown.length > 1 && ctx.measureText(shown).width > width - 2 * pad) shown = shown.slice(0, -2);
    if (shown !== text) shown = shown.length > 1 ? `${shown}…` : "";
    ctx.fillStyle = color; // at the bar's alpha: a bar faded by the search fades its label too
    ctx.fillText(shown, x + pad, y);
  }

  /** The bar under canvas-CSS position (left, top) of the plot area, or null. */
  barAt(left, top) {
    const u = this.plot;
    if (!u || left < 0 || top < 0) return null;
    const lane = this.data.lanes.length - 1 - Math.round(u.posToVal(top, "y"));
    const list = this.byLane[lane];
    if (!list) return null;
    const ev = this.data.events;
    const x = u.posToVal(left, "x");
    const tolerance = HIT_PX * (u.scales.x.max - u.scales.x.min) / Math.max(1, u.bbox.width / uPlot.pxRatio);
    let lo = 0;
    let hi = list.length; // first bar starting after x + tolerance
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ev.start_us[list[mid]] <= x + tolerance) lo = mid + 1;
      else hi = mid;
    }
    let best = null;
    let bestDistance = Infinity;
    for (let k = lo - 1; k >= 0 && k >= lo - 64; k--) {
      const i = list[k];
      const start = ev.start_us[i];
      const end = start + ev.duration_us[i];
      const distance = x < start ? start - x : x > end ? x - end : 0;
      if (distance <= tolerance && distance < bestDistance) {
        best = i;
        bestDistance = distance;
      }
    }
    return best;
  }

  hover(u) {
    const { left, top } = u.cursor;
    this.hovered = left === undefined ? null : this.barAt(left, top);
    this.onHover(this.hovered, left, top);
  }

  attach(u) {
    u.over.addEventListener("wheel", (e) => {
      e.preventDefault();
      const [min, max] = [u.scales.x.min, u.scales.x.max];
      const at = u.posToVal(e.offsetX, "x");
      const factor = e.deltaY > 0 ? WHEEL_STEP : 1 / WHEEL_STEP;
      this.setRange(at - (at - min) * factor, at + (max - at) * factor);
    }, { passive: false });
    u.over.addEventListener("click", (e) => {
      if (e.shiftKey) return;
      this.select(this.hovered);
      this.onPick(this.selected);
    });
  }

  key(e) {
    if (!this.plot || e.ctrlKey || e.metaKey || e.altKey) return;
    const [min, max] = [this.plot.scales.x.min, this.plot.scales.x.max];
    const span = max - min;
    const mid = (min + max) / 2;
    const zoom = { w: 1 / WHEEL_STEP, "+": 1 / WHEEL_STEP, "=": 1 / WHEEL_STEP, s: WHEEL_STEP, "-": WHEEL_STEP };
    const pan = { a: -0.2, ArrowLeft: -0.2, d: 0.2, ArrowRight: 0.2 };
    if (e.key in zoom) this.setRange(mid - (span * zoom[e.key]) / 2, mid + (span * zoom[e.key]) / 2);
    else if (e.key in pan) this.setRange(min + span * pan[e.key], max + span * pan[e.key]);
    else if (e.key === "0" || e.key === "Home") this.setRange(0, this.end);
    else return;
    e.preventDefault();
  }

  /** Shows [min, max] µs, kept inside the step (at least 1 µs wide). */
  setRange(min, max) {
    const span = Math.min(this.end, Math.max(1, max - min));
    const lo = Math.min(Math.max(0, min), this.end - span);
    this.plot.setScale("x", { min: lo, max: lo + span });
  }

  startPan(e) {
    const u = this.plot;
    const [min, max] = [u.scales.x.min, u.scales.x.max];
    const perPx = (max - min) / (u.bbox.width / uPlot.pxRatio);
    const x0 = e.clientX;
    this.container.classList.add("is-panning");
    const move = (m) => {
      const shift = (x0 - m.clientX) * perPx;
      this.setRange(min + shift, max + shift);
    };
    const up = () => {
      this.container.classList.remove("is-panning");
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
  }

  select(index) {
    this.selected = index;
    this.plot.redraw(false);
  }

  /** Marks the bars matching (Uint8Array, or null for no search) and redraws. */
  highlight(match) {
    this.match = match;
    this.plot.redraw(false);
  }

  /** Zooms so that bar `index` fills about a third of the view, and selects it. */
  reveal(index) {
    const ev = this.data.events;
    const start = ev.start_us[index];
    const span = Math.max(ev.duration_us[index] * 3, (this.plot.scales.x.max - this.plot.scales.x.min) / 8, 2);
    this.setRange(start + ev.duration_us[index] / 2 - span / 2, start + ev.duration_us[index] / 2 + span / 2);
    this.select(index);
  }

  /** Canvas-CSS position of bar `index`'s centre inside the plot area (tests hover it). */
  barCenter(index) {
    const u = this.plot;
    const ev = this.data.events;
    const mid = ev.start_us[index] + ev.duration_us[index] / 2;
    return { left: u.valToPos(mid, "x"), top: u.valToPos(this.laneValue(ev.lane[index]), "y") };
  }

  visibleRange() {
    return [this.plot.scales.x.min, this.plot.scales.x.max];
  }
}
