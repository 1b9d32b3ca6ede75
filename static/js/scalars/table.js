/**
 * The table under each chart: per run, the last value and the min and max with their steps; or, while a
 * step is selected on the chart, the values at that step; or, for a selected range, its statistics.
 */
import { CLS } from "../classes.js";
import { h } from "../dom.js";
import { formatStep, formatValue } from "./format.js";
import { nearestIndex, summarize } from "./stats.js";

function valueCell(point, withStep) {
  if (!point) return h("td", { class: CLS.num }, "–");
  const attrs = {
    class: CLS.num,
    title: `${point.value} at step ${point.step}`,
    dataset: { value: String(point.value), step: String(point.step) },
  };
  return h("td", attrs,
    formatValue(point.value),
    withStep ? h("span", { class: CLS.summaryStep }, ` @${formatStep(point.step)}`) : null);
}

function runCell(run, color) {
  return h("td", {},
    h("span", { class: CLS.summaryRun, title: run },
      h("span", { class: CLS.swatch, style: { "--run-color": color } }),
      h("span", {}, run)));
}

/**
 * Fill `tbody`: entries = [{run, color, series}] in display order; missing = runs that vanished.
 */
function renderSummary(tbody, entries, missing = []) {
  const rows = entries.map(({ run, color, series }) => {
    const s = summarize(series);
    if (!s) {
      return h("tr", { dataset: { run } }, runCell(run, color),
        h("td", { class: CLS.summaryNote, colspan: "3" }, "no points yet"));
    }
    return h("tr", { dataset: { run } }, runCell(run, color),
      valueCell(s.last, false), valueCell(s.min, true), valueCell(s.max, true));
  });
  for (const { run, color } of missing) {
    rows.push(h("tr", { dataset: { run } }, runCell(run, color),
      h("td", { class: CLS.summaryNote, colspan: "3" }, "this run is no longer in the logdir")));
  }
  tbody.replaceChildren(...rows);
}

function head(thead, ...labels) {
  thead.replaceChildren(h("tr", {}, labels.map((label, i) =>
    h("th", { class: i === 0 ? null : CLS.num }, label))));
}

function numCell(value, { title, approx = false } = {}) {
  if (value === null || value === undefined) return h("td", { class: CLS.num }, "–");
  return h("td", { class: CLS.num, title: title ?? String(value), dataset: { value: String(value) } },
    approx ? "≈" : null, formatValue(value));
}

/** Fill the table with the Last / Min / Max of each run (no selection). */
export function renderTotals(thead, tbody, entries, missing = []) {
  head(thead, "Run", "Last", "Min", "Max");
  renderSummary(tbody, entries, missing);
}

/**
 * Values at one x (a step, or a time in the relative and wall modes): per run its point nearest to x,
 * and the difference from the first run's ("compare at step"). runs = the chart model's runs.
 */
export function renderAtX(thead, tbody, runs, x) {
  const rows = [];
  for (const r of runs) {
    const i = nearestIndex(r.x, x);
    if (i >= 0) rows.push({ r, i, value: r.smoothed[i], raw: r.raw[i] });
  }
  const base = rows[0];
  head(thead, "Run", "Smoothed", "Value", "Step", base ? `vs ${base.r.run}` : "vs");
  tbody.replaceChildren(...rows.map(({ r, i, value, raw }) => h("tr", { dataset: { run: r.run } },
    runCell(r.run, r.color),
    numCell(value),
    numCell(raw),
    h("td", { class: CLS.num, dataset: { step: String(r.step[i]) } }, formatStep(r.step[i])),
    r === base.r ? h("td", { class: CLS.num }, "–") : numCell(value - base.value))));
}

/**
 * Statistics of each run over x in [x0, x1]: values at the start and end, their change, min, max and
 * mean (raw values). A downsampled series keeps each bucket's extremes, so min and max are exact and
 * the mean is marked approximate.
 */
export function renderRange(thead, tbody, runs, x0, x1) {
  head(thead, "Run", "Start", "End", "Change", "Min", "Max", "Mean");
  tbody.replaceChildren(...runs.map((r) => {
    let first = -1;
    let last = -1;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < r.x.length; i++) {
      if (r.x[i] < x0 || r.x[i] > x1) continue;
      if (first < 0) first = i;
      last = i;
      const v = r.raw[i];
      if (!Number.isFinite(v)) continue;
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      count += 1;
    }
    if (first < 0) {
      return h("tr", { dataset: { run: r.run } }, runCell(r.run, r.color),
        h("td", { class: CLS.summaryNote, colspan: "6" }, "no points in the range"));
    }
    const start = r.raw[first];
    const end = r.raw[last];
    return h("tr", { dataset: { run: r.run, points: String(count) } }, runCell(r.run, r.color),
      numCell(start, { title: `${start} at step ${r.step[first]}` }),
      numCell(end, { title: `${end} at step ${r.step[last]}` }),
      numCell(end - start),
      numCell(count ? min : null),
      numCell(count ? max : null),
      numCell(count ? sum / count : null, { approx: Boolean(r.downsampled) }));
  }));
}
