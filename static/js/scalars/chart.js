/**
 * One uPlot chart inside a card: a faded raw line and a smoothed line per run, a tooltip
 * (tooltip.js), and zoom that survives new data. Mouse, as in TensorBoard: drag draws a box and
 * zooms x and y to it (a box flatter than MIN_BOX_Y pixels zooms x only); Shift+drag pans;
 * Alt+wheel zooms about the cursor; double-click resets. A click selects the step under the cursor
 * and Shift+click extends it to a range (a "chart:select" event tells the card, which shows the
 * values there); Escape or a click on the same spot again clears it.
 *
 * render(model) draws or redraws; model = {mode, log, outliers, yMin, yMax, smoothing, runs: [{run,
 * color, x, raw, smoothed, step, wall}]} with typed arrays sorted by x; yMin/yMax (or null) fix the
 * y range. uPlot is the npm package, bundled into the page's script by scripts/build_assets.py.
 *
 * Other pages draw other x–y lines with the same chart, through optional model fields:
 * `labels: {x, y}` names the axes; `xRange: [min, max]` fixes x while the user is not zoomed in;
 * `repeatedX: true` keeps every point of a line whose x repeats
 * (a PR curve's recall), where uPlot.join keeps one per x; a run's `lower` and `upper` arrays shade a
 * band between them (a custom scalars margin chart); `tooltip: {head: [...], cells(run, i)}` sets
 * the tooltip's columns after the run's name (tooltip.js).
 */
import uPlot from "uplot";
import { withAlpha } from "./colors.js";
import { quantilesInPlace } from "./stats.js";
import { durationTicks, isPowerOfTen, logTicks, numberTicks, wallTicks } from "./ticks.js";
import { tooltipPlugin } from "./tooltip.js";
import { cssColor } from "../theme.js";

const RAW_ALPHA = 0.28;
const BAND_ALPHA = 0.16;
const OUTLIER_QUANTILES = [0.05, 0.95];
const MIN_BOX_Y = 24; // px: a flatter drag box zooms x only
const MIN_BOX_X = 4; // px: a narrower one is a click
const WHEEL_ZOOM = 1.25;
const CLICK_SLOP = 3; // px the mouse may move between press and release for a click

/**
 * uPlot.join for lines whose x repeats: every point of every table stays, on rows ordered by x
 * (ties keep each table's order, tables in their order); a table has null on the others' rows.
 */
export function joinRepeated(tables) {
  const rows = [];
  tables.forEach((table, t) => {
    for (let i = 0; i < table[0].length; i++) rows.push([table[0][i], t, i]);
  });
  rows.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const out = [rows.map((row) => row[0])];
  tables.forEach((table, t) => {
    for (let c = 1; c < table.length; c++) out.push(rows.map(([, k, i]) => (k === t ? table[c][i] : null)));
  });
  return out;
}

export class ScalarChart {
  /** @param {HTMLElement} container element the chart fills (its size is the chart's size) */
  constructor(container) {
    this.container = container;
    this.plot = null;
    this.model = null;
    this.aligned = null;
    this.zoom = null; // {min, max} of x while the user is zoomed in, else null
    this.yZoom = null; // {min, max} of y while the user zoomed y too, else null
    this.selection = null; // {x0, x1} in x units (x0 === x1: one step), or null
    this.pressed = null; // where the mouse went down, to tell clicks from drags
    this.signature = "";
    this.settingScale = false;
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
  }

  /** The x range the user zoomed to, or null. */
  get zoomRange() {
    return this.zoom ? { ...this.zoom } : null;
  }

  resetZoom() {
    this.zoom = null;
    this.yZoom = null;
    if (this.plot && this.aligned) {
      const X = this.aligned[0];
      // Setting x also ranges y again (through yRange).
      if (X.length) this.setX(X[0], X[X.length - 1]);
    }
    this.announceZoom();
  }

  setX(min, max) {
    this.settingScale = true;
    try {
      this.plot.setScale("x", { min, max });
    } finally {
      this.settingScale = false;
    }
  }

  /** Zoom to x in [x0, x1] and, when given, y in [y0, y1] (data units). */
  zoomTo(x0, x1, y = null) {
    const X = this.aligned[0];
    const full = X.length === 0 || (x0 <= X[0] && x1 >= X[X.length - 1]);
    this.zoom = full && !y ? null : { min: x0, max: x1 };
    this.yZoom = y;
    this.setX(x0, x1); // and y, through yRange
    this.announceZoom();
  }

  announceZoom() {
    this.container.dispatchEvent(new CustomEvent("chart:zoom", { bubbles: true, detail: this.zoomRange }));
  }

  /** Draw `model`; keeps the zoom unless the x-axis mode changed. */
  render(model) {
    const previous = this.model;
    this.model = model;
    if (previous && previous.mode !== model.mode) {
      this.zoom = null;
      this.select(null);
    }
    this.aligned = this.align(model);
    // Series set, axis kind and log scale are fixed when uPlot is created; anything else is setData.
    if (previous && previous.log !== model.log) this.yZoom = null;
    const signature = JSON.stringify([
      model.mode, model.log, model.smoothing > 0, model.runs.map((r) => [r.run, r.color, Boolean(r.lower)]),
      this.themeKey(),
    ]);
    if (!this.plot || signature !== this.signature) {
      this.signature = signature;
      this.create();
    } else {
      this.settingScale = true;
      try {
        this.plot.setData(this.aligned, !this.zoom);
      } finally {
        this.settingScale = false;
      }
    }
    if (this.zoom) this.setX(this.zoom.min, this.zoom.max);
  }

  themeKey() {
    return cssColor("--axis") + cssColor("--grid");
  }

  /**
   * uPlot draws one shared x array with a y column per series; runs log at different steps and
   * times, so uPlot.join merges their x values and leaves gaps (which the lines span) elsewhere.
   * Values a line cannot draw (non-finite, or not positive on a log scale) become gaps too.
   */
  align(model) {
    const log = model.log;
    const drawable = (values) => {
      // A plain loop: this runs over every point of every run on each draw.
      const out = new Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        out[i] = Number.isFinite(v) && (!log || v > 0) ? v : null;
      }
      return out;
    };
    const banded = (r) => Boolean(r.lower && r.upper);
    const tables = model.runs.map((r) => [r.x, drawable(r.raw), drawable(r.smoothed),
      ...(banded(r) ? [drawable(r.upper), drawable(r.lower)] : [])]);
    if (tables.length === 0) return [[]];
    const joined = model.repeatedX ? joinRepeated(tables) : uPlot.join(tables);
    // join gives [x, raw0, smoothed0, (upper0, lower0,) raw1, ...]; the chart's order is every raw
    // line, then every smoothed one (painted over the raw ones), then each band's upper and lower edge.
    const raws = [];
    const smooths = [];
    const edges = [];
    let column = 1;
    for (const r of model.runs) {
      raws.push(joined[column]);
      smooths.push(joined[column + 1]);
      if (banded(r)) edges.push(joined[column + 2], joined[column + 3]);
      column += banded(r) ? 4 : 2;
    }
    return [joined[0], ...raws, ...smooths, ...edges];
  }

  create() {
    const model = this.model;
    if (this.plot) this.plot.destroy();
    const axisColor = cssColor("--axis");
    const gridColor = cssColor("--grid");
    const smoothed = model.smoothing > 0;
    const series = [{}];
    for (const r of model.runs) {
      series.push({
        label: `${r.run} (raw)`,
        stroke: smoothed ? withAlpha(r.color, RAW_ALPHA) : r.color,
        width: smoothed ? 1 : 1.5,
        spanGaps: true,
        points: { show: false },
        show: true,
      });
    }
    for (const r of model.runs) {
      series.push({
        label: r.run,
        stroke: r.color,
        width: 1.75,
        spanGaps: true,
        points: { show: false },
        show: smoothed,
      });
    }
    const bands = [];
    for (const r of model.runs.filter((run) => run.lower && run.upper)) {
      const upper = series.length;
      for (const edge of ["upper", "lower"]) {
        series.push({ label: `${r.run} (${edge})`, stroke: withAlpha(r.color, RAW_ALPHA), width: 0.75,
          spanGaps: true, points: { show: false } });
      }
      bands.push({ series: [upper, upper + 1], fill: withAlpha(r.color, BAND_ALPHA) });
    }
    const axis = {
      stroke: axisColor,
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1, size: 4 },
      font: "11px system-ui, sans-serif",
    };
    const xAxis = { ...axis, space: 80, label: model.labels?.x, labelSize: model.labels ? 18 : 0 };
    if (model.mode !== "relative" && model.mode !== "wall") xAxis.values = (u, splits) => numberTicks(splits);
    if (model.mode === "relative") xAxis.values = (u, splits) => durationTicks(splits);
    if (model.mode === "wall") {
      xAxis.values = (u, splits) => wallTicks(splits, u.scales.x.max - u.scales.x.min);
    }
    const yAxis = { ...axis, size: 58, values: (u, splits) => numberTicks(splits), label: model.labels?.y,
      labelSize: model.labels ? 18 : 0 };
    if (model.log) {
      // Grid lines at powers of ten only; the ticks in between stay, short and unlabelled.
      const majors = (u, splits) => splits.map((v) => (isPowerOfTen(v) ? v : null));
      yAxis.values = (u, splits) => logTicks(splits);
      yAxis.grid = { ...axis.grid, filter: majors };
      yAxis.ticks = { ...axis.ticks, size: 3 };
    }

    const { width, height } = this.size();
    const opts = {
      width,
      height,
      legend: { show: false },
      scales: {
        // model.xRange fixes x while not zoomed (PR curves: recall from 0 to 1)
        x: model.xRange
          ? { time: false, range: (u, min, max) => (this.zoom ? [min, max] : this.model.xRange) }
          : { time: model.mode === "wall" },
        y: model.log
          ? { distr: 3, log: 10, range: (u, min, max) => this.yRange(u, min, max) }
          : { range: (u, min, max) => this.yRange(u, min, max) },
      },
      axes: [xAxis, yAxis],
      series,
      bands,
      cursor: {
        // The box is drawn by uPlot; what it zooms to is decided in onSelect.
        drag: { x: true, y: true, setScale: false },
        points: { show: false },
        focus: { prox: -1 },
        hover: { skip: [null, undefined] },
        bind: {
          mousedown: (u, target, handler) => (event) => {
            if (event.shiftKey && event.button === 0) {
              this.startPan(event);
              return null;
            }
            return handler(event);
          },
          dblclick: () => () => {
            this.resetZoom();
            return null;
          },
        },
      },
      hooks: {
        setScale: [(u, key) => this.onSetScale(u, key)],
        setSelect: [(u) => this.onSelect(u)],
        ready: [(u) => this.listen(u)],
        draw: [(u) => this.drawSelection(u)],
      },
      plugins: [tooltipPlugin(() => this.model)],
    };
    this.container.replaceChildren();
    // uPlot sets its initial scales while constructing; that is not the user zooming out.
    this.settingScale = true;
    try {
      this.plot = new uPlot(opts, this.aligned, this.container);
    } finally {
      this.settingScale = false;
    }
  }

  onSetScale(u, key) {
    if (key !== "x" || this.settingScale) return;
    const X = this.aligned[0];
    const { min, max } = u.scales.x;
    const full = X.length === 0 || (min <= X[0] && max >= X[X.length - 1]);
    this.zoom = full ? null : { min, max };
    this.announceZoom();
  }

  /**
   * The drag box was released: zoom x to its width and y to its height; a flat box (shorter than
   * MIN_BOX_Y) zooms x only, a thin one (narrower than MIN_BOX_X) y only.
   */
  onSelect(u) {
    const { left, top, width, height } = u.select;
    const zoomX = width >= MIN_BOX_X;
    const zoomY = height >= MIN_BOX_Y;
    if (!zoomX && !zoomY) return;
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    const x0 = zoomX ? u.posToVal(left, "x") : u.scales.x.min;
    const x1 = zoomX ? u.posToVal(left + width, "x") : u.scales.x.max;
    const y = zoomY ? { min: u.posToVal(top + height, "y"), max: u.posToVal(top, "y") } : this.yZoom;
    this.zoomTo(x0, x1, y);
  }

  startPan(event) {
    const u = this.plot;
    const start = { x: event.clientX, y: event.clientY };
    const x = { ...u.scales.x };
    const y = { ...u.scales.y };
    const width = u.over.clientWidth;
    const height = u.over.clientHeight;
    const move = (e) => {
      if (Math.abs(e.clientX - start.x) <= CLICK_SLOP && Math.abs(e.clientY - start.y) <= CLICK_SLOP) return;
      // Shift both scales by the mouse's travel, in data units (log y moves in log space).
      const dx = ((e.clientX - start.x) / width) * (x.max - x.min);
      const frac = (e.clientY - start.y) / height;
      let yr;
      if (this.model.log) {
        const span = Math.log10(y.max) - Math.log10(y.min);
        const shift = 10 ** (frac * span);
        yr = { min: y.min * shift, max: y.max * shift };
      } else {
        const dy = frac * (y.max - y.min);
        yr = { min: y.min + dy, max: y.max + dy };
      }
      this.zoomTo(x.min - dx, x.max - dx, yr);
    };
    const up = (e) => {
      // Shift+click without moving extends the selection to a range. (Chromium sends no click
      // event after a Shift+mousedown here, so it is told apart from a pan on release.)
      if (Math.abs(e.clientX - start.x) <= CLICK_SLOP && Math.abs(e.clientY - start.y) <= CLICK_SLOP) {
        this.onClick(u.posToVal(e.clientX - u.over.getBoundingClientRect().left, "x"), true);
      }
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
  }

  listen(u) {
    u.over.addEventListener("wheel", (event) => this.onWheel(event), { passive: false });
    u.over.addEventListener("mousedown", (event) => {
      this.pressed = { x: event.clientX, y: event.clientY };
    });
    u.over.addEventListener("click", (event) => {
      const p = this.pressed;
      if (event.shiftKey) return; // handled when the Shift+press is released (startPan)
      if (!p || Math.abs(event.clientX - p.x) > CLICK_SLOP || Math.abs(event.clientY - p.y) > CLICK_SLOP) return;
      this.onClick(u.posToVal(event.offsetX, "x"), event.shiftKey);
    });
  }

  /** The x of the data point nearest to `x` over every run (selections snap to logged points). */
  snap(x) {
    const X = this.aligned[0];
    let best = null;
    for (let i = 0; i < X.length; i++) if (best === null || Math.abs(X[i] - x) < Math.abs(best - x)) best = X[i];
    return best;
  }

  onClick(x, extend) {
    const at = this.snap(x);
    if (at === null) return;
    const s = this.selection;
    if (extend && s) this.select({ x0: Math.min(s.x0, at), x1: Math.max(s.x1, at) });
    else if (s && s.x0 === at && s.x1 === at) this.select(null);
    else this.select({ x0: at, x1: at });
  }

  /** Set (or clear, with null) the selected step or range, redraw its marks and tell the card. */
  select(selection) {
    this.selection = selection;
    this.plot?.redraw(false, false);
    this.container.dispatchEvent(new CustomEvent("chart:select", { bubbles: true, detail: selection }));
  }

  /** The selection's marks: a line at a selected step, a shaded band over a range. */
  drawSelection(u) {
    const s = this.selection;
    if (!s) return;
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const left = Math.round(u.valToPos(s.x0, "x", true));
    const right = Math.round(u.valToPos(s.x1, "x", true));
    ctx.save();
    ctx.fillStyle = cssColor("--accent-soft");
    if (right > left) ctx.fillRect(left, top, right - left, height);
    ctx.strokeStyle = cssColor("--accent");
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.beginPath();
    for (const x of right > left ? [left, right] : [left]) {
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
    }
    ctx.stroke();
    ctx.restore();
  }

  /** Alt+wheel zooms x about the cursor; a plain wheel scrolls the page. */
  onWheel(event) {
    if (!event.altKey || !this.plot) return;
    event.preventDefault();
    const u = this.plot;
    const factor = event.deltaY > 0 ? WHEEL_ZOOM : 1 / WHEEL_ZOOM;
    const at = u.posToVal(event.offsetX, "x");
    const { min, max } = u.scales.x;
    this.zoomTo(at - (at - min) * factor, at + (max - at) * factor, this.yZoom);
  }

  /**
   * y range: the user's y zoom; else the card's fixed bounds, each side that is not fixed taken from
   * the data in view (uPlot passes its min/max) or, ignoring outliers, its 5th–95th percentile.
   */
  yRange(u, dataMin, dataMax) {
    const model = this.model;
    if (this.yZoom) return [this.yZoom.min, this.yZoom.max];
    const fixed = this.fixedRange(dataMin, dataMax);
    if (fixed) return fixed;
    let lo = dataMin;
    let hi = dataMax;
    if (model.outliers && this.aligned) {
      [lo, hi] = this.percentiles(u.scales.x.min ?? -Infinity, u.scales.x.max ?? Infinity, lo, hi);
    }
    if (lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi)) {
      return model.log ? [0.1, 10] : [0, 1];
    }
    if (model.log) {
      const positive = (v) => Math.max(v, Number.MIN_VALUE);
      return uPlot.rangeLog(positive(lo), positive(hi), 10, false);
    }
    if (lo === hi) {
      const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
      return [lo - pad, hi + pad];
    }
    return uPlot.rangeNum(lo, hi, 0.08, true);
  }

  /**
   * The 5th and 95th percentiles of the raw values with x in [xmin, xmax] (or `lo`, `hi` when there
   * are none). uPlot asks for the y range several times per draw: the answer is kept per model and
   * x window, so the values are gone through once.
   */
  percentiles(xmin, xmax, lo, hi) {
    const model = this.model;
    const key = `${xmin}:${xmax}`;
    if (this.percentileCache?.model === model && this.percentileCache.key === key) return this.percentileCache.range;
    let total = 0;
    for (const r of model.runs) total += r.raw.length;
    const inView = new Float64Array(total); // the finite raw values in the window, of every run
    let n = 0;
    for (const { x, raw } of model.runs) {
      for (let i = 0; i < raw.length; i++) {
        const v = raw[i];
        if (x[i] >= xmin && x[i] <= xmax && Number.isFinite(v) && (!model.log || v > 0)) inView[n++] = v;
      }
    }
    const [low, high] = quantilesInPlace(inView.subarray(0, n), OUTLIER_QUANTILES);
    const range = Number.isNaN(low) ? [lo, hi] : [low, high];
    this.percentileCache = { model, key, range };
    return range;
  }

  /** [min, max] when the card fixes both bounds, or one of them (the other from the data); else null. */
  fixedRange(dataMin, dataMax) {
    const { yMin = null, yMax = null, log } = this.model;
    if (yMin === null && yMax === null) return null;
    const usable = (v) => v !== null && Number.isFinite(v) && (!log || v > 0);
    let lo = usable(yMin) ? yMin : dataMin;
    let hi = usable(yMax) ? yMax : dataMax;
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return null;
    if (lo >= hi) [lo, hi] = usable(yMin) ? [yMin, yMin + Math.abs(yMin || 1)] : [yMax - Math.abs(yMax || 1), yMax];
    return [lo, hi];
  }

  size() {
    const rect = this.container.getBoundingClientRect();
    return { width: Math.max(200, Math.floor(rect.width)), height: Math.max(120, Math.floor(rect.height)) };
  }

  resize() {
    if (!this.plot) return;
    const { width, height } = this.size();
    if (width !== this.plot.width || height !== this.plot.height) this.plot.setSize({ width, height });
  }

  /** Force a rebuild (e.g. the theme changed the axis colors). */
  rebuild() {
    if (this.model) {
      this.signature = "";
      this.render(this.model);
    }
  }

  /** What is drawn, for tests and debugging: x range, per-run arrays, line and axis colors. */
  snapshot() {
    if (!this.plot || !this.model) return null;
    const runs = {};
    const n = this.model.runs.length;
    for (const [i, r] of this.model.runs.entries()) {
      // uPlot keeps each stroke as a function; the run's line is its smoothed series (raws come first).
      const line = 1 + n + i;
      runs[r.run] = {
        color: this.plot.series[line].stroke(this.plot, line),
        x: Array.from(r.x),
        step: Array.from(r.step),
        raw: Array.from(r.raw),
        smoothed: Array.from(r.smoothed),
        downsampled: Boolean(r.downsampled),
        smoothingFromServer: r.smoothingFromServer ?? null,
      };
    }
    return {
      mode: this.model.mode,
      log: this.model.log,
      smoothing: this.model.smoothing,
      xScale: { min: this.plot.scales.x.min, max: this.plot.scales.x.max },
      yScale: { min: this.plot.scales.y.min, max: this.plot.scales.y.max },
      zoom: this.zoomRange,
      yZoom: this.yZoom ? { ...this.yZoom } : null,
      selection: this.selection ? { ...this.selection } : null,
      seriesShown: this.plot.series.slice(1).filter((s) => s.show).length,
      axisColor: this.plot.axes[0].stroke(this.plot, 0),
      runs,
    };
  }

  destroy() {
    this.resizeObserver.disconnect();
    if (this.plot) this.plot.destroy();
    this.plot = null;
  }
}
