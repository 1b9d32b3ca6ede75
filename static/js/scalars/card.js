/**
 * One card per tag: title, chart, summary table and downloads.
 *
 * Data: an overview of each run (the whole series, downsampled by the server to about two points
 * per pixel, each bucket keeping its extremes) and, while the user is zoomed in on a downsampled
 * series, a detail fetch of the zoomed step window at the same density, merged into the overview.
 * The card fetches the first time it scrolls into view (setVisible), redraws from its cache when
 * the view settings or the run selection change, and refetches on live reloads (refresh) while
 * keeping the user's zoom.
 */
import { CLS } from "../classes.js";
import { refs } from "../dom.js";
import { fetchTagSeries } from "./api.js";
import { ScalarChart } from "./chart.js";
import { runColor } from "./colors.js";
import { renderDownloads } from "./downloads.js";
import { formatX } from "./format.js";
import { scalarPrefs } from "./prefs.js";
import { chartQueue } from "./queue.js";
import { smooth } from "./smoothing.js";
import { clampSmoothing } from "./state.js";
import { renderAtX, renderRange, renderTotals } from "./table.js";

const POINTS_PER_PIXEL = 2;
// Queue priority offset of a card's second fetch when its first data (the series the page carries,
// see api.js) had fewer points than it draws: after every card on screen has its first data.
const REFINE_PRIORITY = 1e9;
// ... which it asks for only when that data has under this share of the points its width wants:
// the page carries 1,000 points per run, and a 540 px chart (a 1440 or 1920 px window) that wants
// 1,080 would fetch the same tag again, after the other cards, for an invisible difference.
const REFINE_BELOW = 0.75;
const DETAIL_DELAY_MS = 120;
const SMOOTHING_DELAY_MS = 150;

function xValues(series, mode) {
  if (mode === "step") return series.step;
  if (mode === "wall") return series.wall;
  const start = series.wall.length ? series.wall[0] : 0;
  return series.wall.map((w) => w - start);
}

function sameSeries(a, b) {
  if (!a || !b || a.total !== b.total || a.value.length !== b.value.length) return false;
  const n = a.value.length;
  if (n === 0) return true;
  return a.step[n - 1] === b.step[n - 1] && Object.is(a.value[n - 1], b.value[n - 1])
    && a.step[0] === b.step[0] && Object.is(a.value[0], b.value[0]);
}

/**
 * The smoothed line: the server's EMA over the full series when it sent one for this weight;
 * otherwise the EMA of the points here (exact unless the series was downsampled).
 */
function smoothedValues(series, weight) {
  if (series.smoothed && series.smoothing === weight) return series.smoothed;
  return smooth(series.value, weight);
}

/** Overview points outside [lo, hi] (steps) plus the detail points inside, in step order. */
function merge(overview, detail, lo, hi) {
  const keep = [];
  for (let i = 0; i < overview.step.length; i++) if (overview.step[i] < lo || overview.step[i] > hi) keep.push(i);
  const before = keep.filter((i) => overview.step[i] < lo);
  const after = keep.filter((i) => overview.step[i] > hi);
  const n = before.length + detail.step.length + after.length;
  const withSmoothed = Boolean(overview.smoothed && detail.smoothed && overview.smoothing === detail.smoothing);
  const out = {
    step: new Float64Array(n),
    wall: new Float64Array(n),
    value: new Float64Array(n),
    smoothed: withSmoothed ? new Float64Array(n) : null,
  };
  let k = 0;
  const put = (src, i) => {
    out.step[k] = src.step[i];
    out.wall[k] = src.wall[i];
    out.value[k] = src.value[i];
    if (withSmoothed) out.smoothed[k] = src.smoothed[i];
    k += 1;
  };
  for (const i of before) put(overview, i);
  for (let i = 0; i < detail.step.length; i++) put(detail, i);
  for (const i of after) put(overview, i);
  return {
    ...out,
    smoothing: withSmoothed ? overview.smoothing : null,
    total: overview.total,
    downsampled: overview.downsampled || detail.downsampled,
  };
}

export class ScalarCard {
  /**
   * @param {string} tag
   * @param {HTMLTemplateElement} template  the #scalar-card-template element
   * @param {{view: () => object, prefs?: object}} context  view() returns {smoothing, x, log, outliers};
   *   prefs: the page's store of pins and card settings (prefs.js; the scalars page's by default)
   * @param {string} key  the card's name in the grid and in `prefs` (the tag on the scalars page)
   */
  constructor(tag, template, context, key = tag) {
    this.tag = tag;
    this.key = key;
    this.context = context;
    this.prefs = context.prefs ?? scalarPrefs;
    this.element = template.content.firstElementChild.cloneNode(true);
    this.element.dataset.tag = tag;
    this.element.dataset.key = key;
    this.parts = refs(this.element);
    this.parts.title.textContent = tag;
    this.parts.title.title = tag;
    this.runs = []; // runs to draw, in display order
    this.cache = new Map(); // run -> overview series
    this.detail = null; // {lo, hi, series: Map run -> series} while zoomed into downsampled data
    this.missing = [];
    this.chart = null;
    this.visible = false;
    this.drawn = false;
    this.stale = false;
    this.loading = null;
    this.reloadAgain = false;
    this.drawCount = 0;
    this.coarse = false; // drawn from fewer points than its width wants; being refetched
    this.detailTimer = 0;
    this.smoothingTimer = 0;
    this.parts.reset.addEventListener("click", () => this.chart?.resetZoom());
    this.parts.fullscreen.addEventListener("click", () => this.setFullscreen(!this.fullscreen));
    this.fullscreen = false;
    this.settings = this.prefs.cardSettings(key);
    this.parts.pin.addEventListener("click", () => {
      this.prefs.setPinned(key, !this.prefs.isPinned(key));
      this.showPinned();
      context.onPinChange?.();
    });
    this.showPinned();
    this.showCustomized();
    this.parts.settingsMenu.addEventListener("toggle", () => {
      if (this.parts.settingsMenu.open) this.showSettings();
    });
    this.parts.settingsForm.addEventListener("change", () => this.readSettings());
    this.parts.settingsForm.addEventListener("submit", (event) => event.preventDefault());
    this.parts.settingsReset.addEventListener("click", () => {
      this.parts.settingsForm.reset();
      this.readSettings();
    });
    this.parts.menu.addEventListener("toggle", () => {
      if (this.parts.menu.open) renderDownloads(this.parts.downloads, tag, this.runs);
    });
    this.parts.chart.addEventListener("chart:zoom", (event) => this.onZoom(event.detail));
    this.parts.chart.addEventListener("chart:select", () => this.renderTable());
    this.totals = { entries: [], missing: [] }; // what the table shows without a selection
  }

  /** The runs (selected, matching the run filter, having this tag) in display order. */
  setRuns(runs) {
    const changed = runs.length !== this.runs.length || runs.some((r, i) => r !== this.runs[i]);
    this.runs = runs;
    this.element.classList.toggle(CLS.empty, runs.length === 0);
    if (!changed) return;
    if (this.drawn) {
      if (runs.some((r) => !this.cache.has(r))) this.load();
      else this.draw();
    }
  }

  setVisible(visible) {
    this.visible = visible;
    if (!visible) return;
    if ((!this.drawn && !this.loading) || this.stale) this.load();
  }

  /** Live reload: refetch if on screen, otherwise remember to do it when scrolled to. */
  async refresh() {
    if (!this.drawn && !this.loading) return false;
    if (!this.visible) {
      this.stale = true;
      return false;
    }
    return this.load();
  }

  /** Points to ask for per run: about two per horizontal pixel of the chart. */
  points() {
    const width = this.parts.chart.getBoundingClientRect().width || 500;
    return Math.max(200, Math.round(width * POINTS_PER_PIXEL));
  }

  /** Fetch every run's overview (and the zoomed detail); resolves true when something changed. */
  load() {
    if (this.loading) {
      this.reloadAgain = true;
      return this.loading;
    }
    this.stale = false;
    this.element.classList.add(CLS.loading);
    this.loading = (async () => {
      let changed = false;
      try {
        const runs = this.runs.slice();
        const top = this.element.getBoundingClientRect().top;
        const options = { points: this.points(), smoothing: this.view().smoothing };
        this.lastPoints = options.points;
        const priority = this.coarse ? top + REFINE_PRIORITY : top;
        const { series, missing, points } = await chartQueue.run(
          () => fetchTagSeries(this.tag, runs, options), priority);
        // Far fewer points than this card's width wants (a wide card drawn from the page's
        // series): draw them now, and ask again for its own resolution.
        this.coarse = points < options.points * REFINE_BELOW;
        if (this.coarse) this.reloadAgain = true;
        for (const [run, s] of series) {
          if (!sameSeries(this.cache.get(run), s)) changed = true;
          this.cache.set(run, s);
        }
        for (const run of missing) this.cache.delete(run);
        if (missing.join() !== this.missing.join()) changed = true;
        this.missing = missing;
        if (this.detail) await this.loadDetail(this.detail.lo, this.detail.hi);
        this.draw();
      } catch (err) {
        this.drawn = true; // counts as drawn: live reloads retry it, prefetching moves on
        this.showMessage(`Could not load this chart: ${err.message}`, true);
      } finally {
        this.loading = null;
        this.element.classList.remove(CLS.loading);
      }
      if (this.reloadAgain) {
        this.reloadAgain = false;
        changed = (await this.load()) || changed;
      }
      return changed;
    })();
    return this.loading;
  }

  /** Step window [lo, hi] covering the zoomed x range in every drawn run, or null. */
  stepWindow(range) {
    const view = this.view();
    let lo = Infinity;
    let hi = -Infinity;
    for (const run of this.runs) {
      const s = this.cache.get(run);
      if (!s || s.step.length === 0) continue;
      const x = xValues(s, view.x);
      for (let i = 0; i < x.length; i++) {
        if (x[i] < range.min || x[i] > range.max) continue;
        // include the neighbours outside the window so lines reach the edges
        lo = Math.min(lo, s.step[Math.max(i - 1, 0)]);
        hi = Math.max(hi, s.step[Math.min(i + 1, x.length - 1)]);
      }
    }
    return lo <= hi ? { lo, hi } : null;
  }

  onZoom(range) {
    clearTimeout(this.detailTimer);
    if (!range) {
      if (this.detail) {
        this.detail = null;
        this.draw();
      }
      return;
    }
    const downsampled = this.runs.some((r) => this.cache.get(r)?.downsampled);
    if (!downsampled) return; // every point is already here
    this.detailTimer = setTimeout(async () => {
      const window = this.stepWindow(range);
      if (!window) return;
      try {
        await this.loadDetail(window.lo, window.hi);
        this.draw();
      } catch (err) {
        this.showMessage(`Could not load the zoomed data: ${err.message}`, true);
      }
    }, DETAIL_DELAY_MS);
  }

  async loadDetail(lo, hi) {
    const { series } = await fetchTagSeries(this.tag, this.runs, {
      points: this.points(), stepMin: lo, stepMax: hi, smoothing: this.view().smoothing,
    });
    this.detail = { lo, hi, series };
  }

  /** The series to draw for `run`: overview, with the zoomed detail merged in. */
  seriesFor(run) {
    const overview = this.cache.get(run);
    const detail = this.detail?.series.get(run);
    if (!overview || !detail) return overview;
    return merge(overview, detail, this.detail.lo, this.detail.hi);
  }

  showMessage(text, isError = false) {
    this.element.classList.toggle(CLS.error, isError);
    const message = this.parts.message;
    message.textContent = text;
    message.classList.remove(CLS.hidden);
    if (!message.isConnected) this.parts.chart.append(message);
  }

  /** Redraw from the cache with the current view settings. */
  draw() {
    const view = this.view();
    const entries = [];
    for (const run of this.runs) {
      const series = this.cache.get(run);
      if (series) entries.push({ run, color: runColor(run), series });
    }
    const missing = this.missing
      .filter((run) => this.runs.includes(run))
      .map((run) => ({ run, color: runColor(run) }));
    // The overview keeps the first, last, lowest and highest points, so the totals are exact.
    this.totals = { entries, missing };
    this.drawn = true;
    const withPoints = entries.filter((e) => e.series.value.length > 0);
    if (withPoints.length === 0) {
      this.chart?.destroy();
      this.chart = null;
      this.parts.chart.replaceChildren();
      let text = "No data for this tag yet.";
      if (this.runs.length === 0) text = "No selected run has this tag.";
      else if (missing.length === this.runs.length) text = "The runs of this tag are no longer in the logdir.";
      this.showMessage(text);
      this.renderTable();
      this.element.dataset.drawn = "empty";
      return;
    }
    this.element.classList.remove(CLS.error);
    const model = {
      mode: view.x,
      log: view.log,
      yMin: view.yMin,
      yMax: view.yMax,
      outliers: view.outliers,
      smoothing: view.smoothing,
      runs: withPoints.map(({ run, color }) => {
        const series = this.seriesFor(run);
        return {
          run,
          color,
          x: xValues(series, view.x),
          step: series.step,
          wall: series.wall,
          raw: series.value,
          smoothed: smoothedValues(series, view.smoothing),
          smoothingFromServer: series.smoothed && series.smoothing === view.smoothing ? series.smoothing : null,
          downsampled: series.downsampled,
        };
      }),
    };
    if (!this.chart) {
      this.parts.chart.replaceChildren();
      this.chart = new ScalarChart(this.parts.chart);
    }
    this.chart.render(model);
    this.renderTable();
    this.drawCount += 1;
    this.element.dataset.drawn = String(this.drawCount);
    this.element.dataset.runs = String(model.runs.length);
    if (this.drawCount === 1) {
      // Timing for bench/scalars_page.py: the frame after the first draw is when it is on screen.
      requestAnimationFrame(() => performance.mark(`board:card-drawn:${this.tag}`));
    }
  }

  /** View settings changed (smoothing, x-axis, log, outliers). */
  applyView() {
    if (!this.drawn) return;
    this.draw();
    // Downsampled series smoothed by the server: ask again for the new weight (debounced; the
    // locally smoothed line stands in meanwhile).
    const weight = this.view().smoothing;
    const stale = this.runs.some((r) => {
      const s = this.cache.get(r);
      return s && s.downsampled && s.smoothed && s.smoothing !== weight;
    });
    clearTimeout(this.smoothingTimer);
    if (!stale) return;
    this.smoothingTimer = setTimeout(() => {
      if (this.visible) this.load();
      else this.stale = true;
    }, SMOOTHING_DELAY_MS);
  }

  rebuild() {
    this.chart?.rebuild();
  }

  /** The table under the chart: totals, or the values at the chart's selected step or range. */
  renderTable() {
    const selection = this.chart?.selection;
    const runs = this.chart?.model?.runs ?? [];
    const { head, rows } = this.parts;
    if (!selection) renderTotals(head, rows, this.totals.entries, this.totals.missing);
    else if (selection.x0 === selection.x1) renderAtX(head, rows, runs, selection.x0);
    else renderRange(head, rows, runs, selection.x0, selection.x1);
    this.element.dataset.selection = selection ? (selection.x0 === selection.x1 ? "step" : "range") : "";
    this.parts.selection.textContent = selection ? this.describe(selection) : "";
    this.parts.selection.classList.toggle(CLS.hidden, !selection);
  }

  /** "At step 1,200" / "Step 200 – 1,200" (or the time, in the time modes), above the table. */
  describe({ x0, x1 }) {
    const mode = this.chart.model.mode;
    const noun = { step: "step", relative: "relative time", wall: "time" }[mode];
    const hint = " · Esc clears";
    if (x0 === x1) return `At ${noun} ${formatX(mode, x0)}${hint}`;
    return `${noun[0].toUpperCase()}${noun.slice(1)} ${formatX(mode, x0)} – ${formatX(mode, x1)}${hint}`;
  }

  clearSelection() {
    if (this.chart?.selection) this.chart.select(null);
  }

  /** The page's view settings with this card's own ones (its menu) over them. */
  view() {
    const page = this.context.view();
    const own = this.settings;
    return {
      ...page,
      log: own.log ?? page.log,
      smoothing: own.smoothing ?? page.smoothing,
      yMin: own.yMin,
      yMax: own.yMax,
    };
  }

  showPinned() {
    const pinned = this.prefs.isPinned(this.key);
    this.parts.pin.setAttribute("aria-pressed", String(pinned));
    this.parts.pin.title = pinned ? "Unpin this card" : "Pin this card to the top of the page";
  }

  /** Fill the settings menu from this card's settings (blank = the page's). */
  showSettings() {
    const form = this.parts.settingsForm.elements;
    const own = this.settings;
    form.log.value = own.log === null ? "" : own.log ? "log" : "linear";
    form.yMin.value = own.yMin ?? "";
    form.yMax.value = own.yMax ?? "";
    form.smoothing.value = own.smoothing ?? "";
    form.smoothing.placeholder = `page: ${this.context.view().smoothing}`;
  }

  /** The menu changed: keep the card's settings (prefs.js) and redraw. */
  readSettings() {
    const form = this.parts.settingsForm.elements;
    const number = (input) => (input.value.trim() === "" || !Number.isFinite(Number(input.value)) ? null : Number(input.value));
    const smoothing = number(form.smoothing);
    this.settings = {
      log: form.log.value === "" ? null : form.log.value === "log",
      yMin: number(form.yMin),
      yMax: number(form.yMax),
      smoothing: smoothing === null ? null : clampSmoothing(smoothing),
    };
    this.prefs.setCardSettings(this.key, this.settings);
    this.showCustomized();
    this.applyView();
  }

  /** The settings button stands out while the card has settings of its own. */
  showCustomized() {
    const customized = Object.values(this.settings).some((v) => v !== null);
    this.parts.settingsMenu.querySelector("summary").setAttribute("aria-pressed", String(customized));
  }

  /** Full screen: the card covers the cards area (CSS) until toggled back or Esc (main.js). */
  setFullscreen(on) {
    this.fullscreen = on;
    this.element.classList.toggle(CLS.fullscreen, on);
    this.parts.fullscreen.setAttribute("aria-pressed", String(on));
    this.parts.fullscreen.title = on ? "Leave full screen (Esc)" : "Full screen (Esc to leave)";
    // A card made large wants more points than its overview has; the chart resizes itself.
    if (on && this.drawn && this.points() > (this.lastPoints ?? 0)) this.load();
  }

  snapshot() {
    return this.chart ? this.chart.snapshot() : null;
  }

  destroy() {
    clearTimeout(this.detailTimer);
    clearTimeout(this.smoothingTimer);
    this.chart?.destroy();
    this.element.remove();
  }
}
