// A small overview of the whole scene with the visible area outlined; click or drag it to move there.
// Its size follows the canvas: smaller on a narrow one, hidden on a very narrow one (where it would
// cover the graph it maps).
import { GRAPH_CLS as CLS } from '../classes.js';

/** [canvas width at least, minimap width, height], widest first; below the last, no minimap. */
const SIZES = [[900, 200, 140], [520, 132, 92]];

export class Minimap {
  constructor(container, panzoom) {
    this.panzoom = panzoom;
    this.container = container;
    this.canvas = document.createElement('canvas');
    this.canvas.className = CLS.minimap;
    this.width = 0;
    this.height = 0;
    this.view = document.createElement('div');
    this.view.className = CLS.minimapView;
    container.append(this.canvas, this.view);
    this.ratio = window.devicePixelRatio || 1;
    this.scene = null;
    this.scale = 1;
    let dragging = false;
    const move = (e) => {
      if (!this.scene) return;
      const rect = this.canvas.getBoundingClientRect();
      const x = (e.clientX - rect.left - this.ox) / this.scale;
      const y = (e.clientY - rect.top - this.oy) / this.scale;
      this.panzoom.centerOn(x, y);
    };
    container.addEventListener('pointerdown', (e) => {
      dragging = true;
      container.setPointerCapture(e.pointerId);
      move(e);
    });
    container.addEventListener('pointermove', (e) => { if (dragging) move(e); });
    container.addEventListener('pointerup', () => { dragging = false; });
  }

  /** Picks the size for the canvas width; false when the minimap is not shown at that width. */
  fitToCanvas() {
    const [canvasWidth] = this.panzoom.size();
    const size = SIZES.find(([above]) => canvasWidth >= above);
    this.container.hidden = !size;
    if (!size) return false;
    const [, width, height] = size;
    if (width !== this.width) {
      this.width = width;
      this.height = height;
      this.canvas.width = width * this.ratio;
      this.canvas.height = height * this.ratio;
      Object.assign(this.canvas.style, { width: `${width}px`, height: `${height}px` });
      Object.assign(this.container.style, { width: `${width + 2}px`, height: `${height + 2}px` });
    }
    return true;
  }

  /** After the window was resized: redraw at the size that fits the canvas now. */
  resize() {
    const width = this.width;
    if (this.scene && this.fitToCanvas() && width !== this.width) this.setScene(this.scene);
    else this.update();
  }

  setScene(scene) {
    this.scene = scene;
    if (!this.fitToCanvas()) return;
    const { width: W, height: H } = this;
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.clearRect(0, 0, W, H);
    this.scale = Math.min((W - 8) / Math.max(1, scene.width), (H - 8) / Math.max(1, scene.height));
    this.ox = (W - scene.width * this.scale) / 2;
    this.oy = (H - scene.height * this.scale) / 2;
    const s = this.scale;
    for (const node of scene.nodes) {
      ctx.fillStyle = node.open ? 'rgba(120,130,150,0.15)' : 'rgba(90,100,120,0.55)';
      ctx.fillRect(this.ox + node.x * s, this.oy + node.y * s, Math.max(1, node.w * s), Math.max(1, node.h * s));
    }
    this.update();
  }

  update() {
    if (!this.scene || this.container.hidden) return;
    const [vw, vh] = this.panzoom.size();
    const [x0, y0] = this.panzoom.toScene(0, 0);
    const [x1, y1] = this.panzoom.toScene(vw, vh);
    const s = this.scale;
    const left = Math.max(0, this.ox + x0 * s);
    const top = Math.max(0, this.oy + y0 * s);
    const right = Math.min(this.width, this.ox + x1 * s);
    const bottom = Math.min(this.height, this.oy + y1 * s);
    Object.assign(this.view.style, {
      left: `${left}px`, top: `${top}px`,
      width: `${Math.max(0, right - left)}px`, height: `${Math.max(0, bottom - top)}px`,
    });
  }
}
