// A small overview of the whole scene with the visible area outlined; click or drag it to move there.
import { GRAPH_CLS as CLS } from '../classes.js';

const WIDTH = 200;
const HEIGHT = 140;

export class Minimap {
  constructor(container, panzoom) {
    this.panzoom = panzoom;
    this.container = container;
    this.canvas = document.createElement('canvas');
    this.canvas.className = CLS.minimap;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = WIDTH * ratio;
    this.canvas.height = HEIGHT * ratio;
    this.canvas.style.width = `${WIDTH}px`;
    this.canvas.style.height = `${HEIGHT}px`;
    this.view = document.createElement('div');
    this.view.className = CLS.minimapView;
    container.append(this.canvas, this.view);
    this.ratio = ratio;
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

  setScene(scene) {
    this.scene = scene;
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.clearRect(0, 0, WIDTH, HEIGHT);
    this.scale = Math.min((WIDTH - 8) / Math.max(1, scene.width), (HEIGHT - 8) / Math.max(1, scene.height));
    this.ox = (WIDTH - scene.width * this.scale) / 2;
    this.oy = (HEIGHT - scene.height * this.scale) / 2;
    const s = this.scale;
    for (const node of scene.nodes) {
      ctx.fillStyle = node.open ? 'rgba(120,130,150,0.15)' : 'rgba(90,100,120,0.55)';
      ctx.fillRect(this.ox + node.x * s, this.oy + node.y * s, Math.max(1, node.w * s), Math.max(1, node.h * s));
    }
    this.update();
  }

  update() {
    if (!this.scene) return;
    const [vw, vh] = this.panzoom.size();
    const [x0, y0] = this.panzoom.toScene(0, 0);
    const [x1, y1] = this.panzoom.toScene(vw, vh);
    const s = this.scale;
    const left = Math.max(0, this.ox + x0 * s);
    const top = Math.max(0, this.oy + y0 * s);
    const right = Math.min(WIDTH, this.ox + x1 * s);
    const bottom = Math.min(HEIGHT, this.oy + y1 * s);
    Object.assign(this.view.style, {
      left: `${left}px`, top: `${top}px`,
      width: `${Math.max(0, right - left)}px`, height: `${Math.max(0, bottom - top)}px`,
    });
  }
}
