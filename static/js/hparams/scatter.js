/**
 * The scatter plot matrix: one small plot per (metric, hparam) pair of visible columns, metric up,
 * hparam across, one dot per session group (faint when filtered out, ringed when selected). A click
 * on a dot selects its group.
 */
import { svg } from "../dashboard/svg.js";
import { valueOf } from "./model.js";
import { axisFor, colorScale } from "./axes.js";

const CELL = 170;
const PAD = 14;
const LEFT = 150; // room for the row titles and ticks
const TOP = 28; // ... and the column titles
const BOTTOM = 18; // ... and the last row's ticks
const MAX_CELLS = 64; // plots drawn at most (8 x 8)

export function renderScatter(root, data, rows, state) {
  const visible = data.columns.filter((c) => !state.hidden.has(c.key));
  let metrics = visible.filter((c) => c.kind === "metric");
  let hparams = visible.filter((c) => c.kind === "hparam");
  if (!metrics.length) metrics = hparams; // no metric: hparams against each other
  const across = Math.max(1, Math.min(hparams.length, Math.floor(MAX_CELLS / Math.max(metrics.length, 1))));
  hparams = hparams.slice(0, across);
  metrics = metrics.slice(0, Math.floor(MAX_CELLS / Math.max(hparams.length, 1)));
  if (!hparams.length || !metrics.length) {
    root.replaceChildren(Object.assign(document.createElement("p"), { className: "hp-note", textContent: "Nothing to plot: show a hyperparameter column." }));
    return;
  }
  const width = LEFT + hparams.length * CELL;
  const height = TOP + metrics.length * CELL + BOTTOM;
  const shown = new Set(rows.map((g) => g.name));
  const color = colorScale(visible.find((c) => c.kind === "metric"), data.groups);
  const plot = svg("svg", { class: "hp-scatter", width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": "Scatter plot matrix of metrics against hyperparameters" });
  const text = (attrs, content) => {
    const el = svg("text", attrs);
    el.textContent = content;
    return el;
  };
  hparams.forEach((h, j) => plot.append(text({ class: "hp-scatter__title", x: LEFT + j * CELL + CELL / 2, y: TOP - 10,
    "text-anchor": "middle" }, h.label)));
  metrics.forEach((m, i) => plot.append(text({ class: "hp-scatter__title is-metric", x: LEFT - 44,
    y: TOP + i * CELL + CELL / 2, "text-anchor": "end", "dominant-baseline": "middle" }, m.label)));
  metrics.forEach((metric, i) => {
    const y0 = TOP + i * CELL;
    const yAxis = axisFor(metric, data.groups, y0 + CELL - PAD, y0 + PAD);
    hparams.forEach((hparam, j) => {
      const x0 = LEFT + j * CELL;
      const xAxis = axisFor(hparam, data.groups, x0 + PAD, x0 + CELL - PAD);
      const cell = svg("g", { class: "hp-cell", "data-row": metric.key, "data-col": hparam.key });
      cell.append(svg("rect", { class: "hp-cell__frame", x: x0 + 4, y: y0 + 4, width: CELL - 8, height: CELL - 8 }));
      if (j === 0) { // the row's value ticks, left of its first plot
        for (const tick of yAxis.ticks) {
          cell.append(text({ class: "hp-scatter__tick", x: x0 + 1, y: tick.at, "text-anchor": "end",
            "dominant-baseline": "middle" }, tick.text));
        }
      }
      if (i === metrics.length - 1) { // the column's value ticks, under its last plot
        for (const tick of xAxis.ticks) {
          cell.append(text({ class: "hp-scatter__tick", x: tick.at, y: y0 + CELL + 10, "text-anchor": "middle" },
            tick.text));
        }
      }
      const ordered = [...data.groups].sort((a, b) => shown.has(a.name) - shown.has(b.name));
      for (const group of ordered) {
        const x = xAxis.position(valueOf(hparam, group));
        const y = yAxis.position(valueOf(metric, group));
        if (x === null || y === null) continue;
        const selected = state.selected === group.name;
        const dot = svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: selected ? 5.5 : 4,
          class: `hp-dot${shown.has(group.name) ? "" : " is-filtered"}${selected ? " is-selected" : ""}`,
          fill: shown.has(group.name) ? color(group) : null, "data-group": group.name });
        const tip = svg("title");
        tip.textContent = `${group.name}\n${hparam.label}: ${valueOf(hparam, group)}\n${metric.label}: ${valueOf(metric, group)}`;
        dot.append(tip);
        dot.addEventListener("click", () => state.select(group.name));
        cell.append(dot);
      }
      plot.append(cell);
    });
  });
  root.replaceChildren(plot);
}
