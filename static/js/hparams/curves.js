/**
 * The selected session group's metric curves: one chart per visible metric, one line per session
 * of the group, each the metric's every value (/data/plugin/hparams/metric_evals, TensorBoard's
 * route). Charts are the scalars dashboard's (static/js/scalars/chart.js).
 */
import { h } from "../dom.js";
import { getJSON } from "../http.js";
import { ScalarChart } from "../scalars/chart.js";
import { paletteColor } from "../scalars/colors.js";
import { formatCell, valueOf } from "./model.js";

let charts = [];

function evals(session, metric) {
  return getJSON("/data/plugin/hparams/metric_evals", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ experimentName: "", sessionName: session, metricName: metric }),
  });
}

function series(rows) {
  const step = Float64Array.from(rows, (r) => r[1]);
  const value = Float64Array.from(rows, (r) => Number(r[2]));
  return { step, wall: Float64Array.from(rows, (r) => r[0]), value };
}

/** Show `group`'s curves in `root` (null: the hint to click a group). */
export async function renderCurves(root, data, group, state) {
  for (const chart of charts) chart.destroy();
  charts = [];
  if (!group) {
    root.replaceChildren(h("p", { class: "hp-note" }, "Click a session group (a row, a line or a dot) to see its metrics over time."));
    root.dataset.state = "idle";
    return;
  }
  const metrics = data.columns.filter((c) => c.kind === "metric" && !state.hidden.has(c.key));
  const hparams = data.columns.filter((c) => c.kind === "hparam");
  const summary = hparams.map((c) => `${c.label} = ${formatCell(valueOf(c, group))}`).join(", ");
  const sessions = group.sessions.map((s) => s.name);
  const cards = h("div", { class: "hp-curves__cards" });
  root.replaceChildren(h("h2", { class: "hp-curves__title" }, group.name),
    h("p", { class: "hp-curves__meta" }, summary, sessions.length > 1 ? ` · ${sessions.length} sessions` : ""), cards);
  root.dataset.state = "loading";
  if (!metrics.length) {
    cards.append(h("p", { class: "hp-note" }, "This experiment has no metrics to plot."));
    root.dataset.state = "ready";
    return;
  }
  await Promise.all(metrics.map(async (column) => {
    const box = h("div", { class: "hp-curve__chart" });
    const card = h("article", { class: "hp-curve", dataset: { metric: column.key } },
      h("h3", { class: "hp-curve__title" }, column.label), box);
    cards.append(card);
    const found = await Promise.all(sessions.map(async (name) => {
      try {
        return { run: name, rows: await evals(name, column.metric) };
      } catch {
        return { run: name, rows: [] }; // a session without this metric
      }
    }));
    const runs = found.filter((f) => f.rows.length).map(({ run, rows }) => {
      const s = series(rows);
      return { run, color: paletteColor(run), x: s.step, step: s.step, wall: s.wall, raw: s.value, smoothed: s.value };
    });
    if (!runs.length) {
      box.append(h("p", { class: "hp-note" }, "No values"));
      return;
    }
    if (state.selected !== group.name) return; // another group was picked meanwhile
    const chart = new ScalarChart(box);
    charts.push(chart);
    chart.render({ mode: "step", log: false, outliers: false, yMin: null, yMax: null, smoothing: 0, runs });
  }));
  if (state.selected === group.name) root.dataset.state = "ready";
}
