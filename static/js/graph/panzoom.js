// Pan (drag) and zoom (wheel, around the cursor) of an SVG <g> viewport; fit and center helpers.

const MIN_SCALE = 0.02;
const MAX_SCALE = 4;
/** The smallest scale of a first view: node labels (11 px) at 8 px or more, edge labels at 6.75. */
export const LEGIBLE_SCALE = 0.75;

export class PanZoom {
  constructor(svg, viewport, onChange) {
    this.svg = svg;
    this.viewport = viewport;
    this.onChange = onChange;
    this.t = { x: 0, y: 0, k: 1 };
    this.drag = null;
    this.justDragged = false;
    svg.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    svg.addEventListener('pointerdown', (e) => this.onDown(e));
    svg.addEventListener('pointermove', (e) => this.onMove(e));
    svg.addEventListener('pointerup', (e) => this.onUp(e));
    svg.addEventListener('pointercancel', (e) => this.onUp(e));
    // A drag ends with a click on whatever is under the pointer; swallow it.
    svg.addEventListener('click', (e) => {
      if (this.justDragged) { e.stopPropagation(); e.preventDefault(); this.justDragged = false; }
    }, true);
  }

  size() {
    const rect = this.svg.getBoundingClientRect();
    return [rect.width, rect.height];
  }

  set(x, y, k) {
    this.t = { x, y, k: Math.min(MAX_SCALE, Math.max(MIN_SCALE, k)) };
    this.viewport.setAttribute('transform', `translate(${this.t.x},${this.t.y}) scale(${this.t.k})`);
    if (this.onChange) this.onChange(this.t);
  }

  toScreen(x, y) { return [x * this.t.k + this.t.x, y * this.t.k + this.t.y]; }
  toScene(sx, sy) { return [(sx - this.t.x) / this.t.k, (sy - this.t.y) / this.t.k]; }

  zoomBy(factor, sx, sy) {
    const k = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.t.k * factor));
    const [x, y] = this.toScene(sx, sy);
    this.set(sx - x * k, sy - y * k, k);
  }

  /** Shows the box [x, y, w, h] whole, never magnified beyond maxScale. */
  fit([x, y, w, h], maxScale = 1.8, margin = 24) {
    const [vw, vh] = this.size();
    if (!vw || !vh || !w || !h) return;
    const k = Math.min(maxScale, (vw - 2 * margin) / w, (vh - 2 * margin) / h);
    this.set((vw - w * k) / 2 - x * k, (vh - h * k) / 2 - y * k, k);
  }

  /**
   * The first view of a graph: all of it when that stays readable (scale >= minScale), otherwise its
   * top at a readable scale, centered across (the minimap shows the rest).
   */
  initialView([x, y, w, h], minScale = LEGIBLE_SCALE, margin = 24) {
    const [vw, vh] = this.size();
    if (!vw || !vh || !w || !h) return;
    const fitScale = Math.min(1.8, (vw - 2 * margin) / w, (vh - 2 * margin) / h);
    if (fitScale >= minScale) { this.fit([x, y, w, h]); return; }
    const k = Math.max(minScale, Math.min(1, (vw - 2 * margin) / w));
    const left = w * k <= vw - 2 * margin ? (vw - w * k) / 2 - x * k : margin - x * k;
    this.set(left, margin - y * k, k);
  }

  /** Moves the view so scene point (x, y) is at the center, keeping the scale (or using k); `coveredRight`
   * px on the right are hidden by a panel and left out. */
  centerOn(x, y, k = this.t.k, coveredRight = 0) {
    const [vw, vh] = this.size();
    const free = Math.max(vw / 3, vw - coveredRight);
    this.set(free / 2 - x * k, vh / 2 - y * k, k);
  }

  onWheel(e) {
    e.preventDefault();
    const rect = this.svg.getBoundingClientRect();
    const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    this.zoomBy(Math.exp(-delta * 0.0015), e.clientX - rect.left, e.clientY - rect.top);
  }

  onDown(e) {
    if (e.button !== 0) return;
    this.drag = { sx: e.clientX, sy: e.clientY, x: this.t.x, y: this.t.y, moved: false, id: e.pointerId };
  }

  onMove(e) {
    if (!this.drag) return;
    const dx = e.clientX - this.drag.sx;
    const dy = e.clientY - this.drag.sy;
    if (!this.drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!this.drag.moved) {
      this.drag.moved = true;
      this.svg.setPointerCapture(this.drag.id);
      this.svg.classList.add('g-panning');
    }
    this.set(this.drag.x + dx, this.drag.y + dy, this.t.k);
  }

  onUp() {
    if (!this.drag) return;
    if (this.drag.moved) {
      this.justDragged = true;
      setTimeout(() => { this.justDragged = false; }, 0);
      this.svg.classList.remove('g-panning');
    }
    this.drag = null;
  }
}
