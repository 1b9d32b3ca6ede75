/**
 * PR curves dashboard: one card per tag, one line per run — precision (y) over recall (x) — drawn
 * by the scalars page's chart (static/js/scalars/chart.js), with a step slider per run (newest step
 * first). The tooltip lists, per run, the point nearest the cursor: threshold, precision, recall and
 * the TP / FP / TN / FN counts. Data: /data/plugin/pr_curves/pr_curves with every run of the card.
 */
import { formatNumber, getJSON, startDashboard, stepSlider } from "../dashboard/page.js";
import { CLS } from "../classes.js";
import { h } from "../dom.js";
import { ScalarChart } from "../scalars/chart.js";
import { runColor } from "../scalars/colors.js";

const COUNTS = ["true_positives", "false_positives", "true_negatives", "false_negatives"];

/**
 * One step's curve as the chart's line: its points ordered by recall (the route lists them by
 * increasing threshold, so recall falls; ties keep the higher threshold first, as the curve runs).
 */
export function curveLine(run, color, entry) {
  const n = entry.recall.length;
  const order = Array.from({ length: n }, (_, i) => n - 1 - i);
  order.sort((a, b) => entry.recall[a] - entry.recall[b] || b - a);
  const pick = (values) => Float64Array.from(order, (i) => values[i]);
  const precision = pick(entry.precision);
  return {
    run,
    color,
    x: pick(entry.recall),
    raw: precision,
    smoothed: precision,
    step: new Array(n).fill(entry.step),
    wall: new Array(n).fill(entry.wall_time),
    thresholds: pick(entry.thresholds),
    counts: COUNTS.map((name) => pick(entry[name])),
  };
}

const TOOLTIP = {
  head: ["Threshold", "Precision", "Recall", "TP", "FP", "TN", "FN", "Step"],
  cells: (line, i) => [formatNumber(line.thresholds[i]), formatNumber(line.raw[i]), formatNumber(line.x[i]),
    ...line.counts.map((column) => String(column[i])), String(line.step[i])],
};

function fillCard(card) {
  let data = {};
  let chart = null;
  const plot = h("div", { class: "dash-uplot" });
  const sliders = new Map(card.runs.map((run) => [run, stepSlider(() => draw())]));
  // the card's run list, each run with its slider (dashboards.css hides the card's own list here)
  const rows = card.runs.map((run) => h("div", { class: "pr-run", dataset: { run } },
    h("span", { class: "pr-run__name", title: run },
      h("span", { class: CLS.swatch, style: { background: runColor(run) } }), run),
    sliders.get(run).el));
  card.body.replaceChildren(plot, h("div", { class: "pr-runs" }, rows));
  const url = () => {
    const params = new URLSearchParams(card.runs.map((run) => ["run", run]));
    params.append("tag", card.tag);
    return `/data/plugin/pr_curves/pr_curves?${params}`;
  };

  function draw() {
    const lines = card.runs.filter((run) => data[run]?.length).map((run) => {
      const entries = data[run];
      return curveLine(run, runColor(run), entries[Math.min(sliders.get(run).index, entries.length - 1)]);
    });
    if (!chart) chart = new ScalarChart(plot);
    chart.render({ mode: "recall", log: false, outliers: false, yMin: 0, yMax: 1, smoothing: 0, repeatedX: true,
      xRange: [0, 1], labels: { x: "Recall", y: "Precision" }, tooltip: TOOLTIP, runs: lines });
    plot.__chart = chart; // tests read chart.snapshot()
  }

  return {
    async load() {
      card.download.href = url();
      data = await getJSON(url());
      for (const [run, slider] of sliders) slider.set((data[run] || []).map((entry) => entry.step));
      draw();
    },
    update() {
      draw();
    },
  };
}

startDashboard({ plugin: "pr_curves", tagsOf: (json) => json, fillCard, perTag: () => true });
