/**
 * One uPlot chart inside a card: a faded raw line and a smoothed line per run, drag-to-zoom on x,
 * double-click to reset, a tooltip (tooltip.js), and zoom that survives new data.
 *
 * render(model) draws or redraws; model = {mode, log, outliers, smoothing, runs: [{run, color,
 * x, raw, smoothed, step, wall}]} with typed arrays sorted by x. uPlot is the npm package, bundled
 * into the page's script by scripts/build_assets.py.
 */
import uPlot from "uplot";
import { withAlpha } from "./colors.js";
import { formatDuration } from "./format.js";
import { finiteSorted, quantile } from "./stats.js";
import { tooltipPlugin } from "./tooltip.js";
import { cssColor } from "../theme.js";

const RAW_ALPHA = 0.28;
const OUTLIER_QUANTILES = [0.05, 0.95];

function compactNumber(v) {
  const a = Math.abs(v);
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(6)));
}

function yTick(v) {
  if (v === null) return "";
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

export class ScalarChart {
  /** @param {HTMLElement} container element the chart fills (its size is the chart's size) */
  constructor(container) {
    this.container = container;
    this.plot = null;
    this.model = null;
    this.aligned = null;
    this.zoom = null; // {min, max} of x while the user is zoomed in, else null
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
    if (this.plot && this.aligned) {
      const X = this.aligned[0];
      if (X.length) this.setX(X[0], X[X.length - 1]);
    }
  }

  setX(min, max) {
    this.settingScale = true;
    try {
      this.plot.setScale("x", { min, max });
    } finally {
      this.settingScale = false;
    }
  }

  /** Draw `model`; keeps the zoom unless the x-axis mode changed. */
  render(model) {
    const previous = this.model;
    this.model = model;
    if (previous && previous.mode !== model.mode) this.zoom = null;
    this.aligned = this.align(model);
    // Series set, axis kind and log scale are fixed when uPlot is created; anything else is setData.
    const signature = JSON.stringify([
      model.mode, model.log, model.smoothing > 0, model.runs.map((r) => [r.run, r.color]), this.themeKey(),
    ]);
    if (!this.plot || signature !== this.signature) {
      this.signature = signature;
      this.create();
    } else {
      this.plot.setData(this.aligned, !this.zoom);
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
    const keep = model.log ? (v) => v > 0 && Number.isFinite(v) : (v) => Number.isFinite(v);
    const drawable = (values) => Array.from(values, (v) => (keep(v) ? v : null));
    const tables = model.runs.map((r) => [r.x, drawable(r.raw), drawable(r.smoothed)]);
    if (tables.length === 0) return [[]];
    const joined = uPlot.join(tables);
    // join gives [x, raw0, smoothed0, raw1, ...]; raw lines go first so smoothed ones paint over them.
    const n = model.runs.length;
    const raws = Array.from({ length: n }, (_, i) => joined[1 + 2 * i]);
    const smooths = Array.from({ length: n }, (_, i) => joined[2 + 2 * i]);
    return [joined[0], ...raws, ...smooths];
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
    const axis = {
      stroke: axisColor,
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1, size: 4 },
      font: "11px system-ui, sans-serif",
    };
    const xAxis = { ...axis, space: 70 };
    const ticks = (format) => (u, splits) => splits.map((v) => (v === null ? "" : format(v)));
    if (model.mode === "step") xAxis.values = ticks(compactNumber);
    if (model.mode === "relative") xAxis.values = ticks(formatDuration);
    const yAxis = { ...axis, size: 58, values: (u, splits) => splits.map(yTick) };

    const { width, height } = this.size();
    const opts = {
      width,
      height,
      legend: { show: false },
      scales: {
        x: { time: model.mode === "wall" },
        y: model.log
          ? { distr: 3, log: 10, range: (u, min, max) => this.yRange(u, min, max) }
          : { range: (u, min, max) => this.yRange(u, min, max) },
      },
      axes: [xAxis, yAxis],
      series,
      cursor: {
        drag: { x: true, y: false, setScale: true },
        points: { show: false },
        focus: { prox: -1 },
        hover: { skip: [null, undefined] },
      },
      hooks: {
        setScale: [(u, key) => this.onSetScale(u, key)],
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
    this.container.dispatchEvent(new CustomEvent("chart:zoom", { bubbles: true, detail: this.zoomRange }));
  }

  /** y range: the data's (uPlot passes min/max of what is in view), or 5th–95th percentile. */
  yRange(u, dataMin, dataMax) {
    let lo = dataMin;
    let hi = dataMax;
    const model = this.model;
    if (model.outliers && this.aligned) {
      const xmin = u.scales.x.min ?? -Infinity;
      const xmax = u.scales.x.max ?? Infinity;
      const inView = [];
      for (const r of model.runs) {
        const vals = [];
        for (let i = 0; i < r.raw.length; i++) {
          const x = r.x[i];
          if (x >= xmin && x <= xmax && (!model.log || r.raw[i] > 0)) vals.push(r.raw[i]);
        }
        inView.push(vals);
      }
      const sorted = finiteSorted(inView);
      if (sorted.length) {
        lo = quantile(sorted, OUTLIER_QUANTILES[0]);
        hi = quantile(sorted, OUTLIER_QUANTILES[1]);
      }
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
