/**
 * The parallel coordinates view: one vertical axis per visible column, one line per session group,
 * coloured by the first metric. Dragging along an axis brushes a range, which becomes that column's
 * filter (the table shows only the groups inside every brush); a click on an axis clears its
 * brush; a click on a line selects its group.
 */
import { svg } from "../dashboard/svg.js";
import { valueOf } from "./model.js";
import { axisFor, brushFilter, colorScale } from "./axes.js";

const HEIGHT = 320;
const TOP = 36;
const BOTTOM = 20;
const SIDE = 80;
const MIN_GAP = 110; // px between axes at the least
const CLICK = 3; // px: a shorter drag is a click

export function renderParallel(root, data, rows, state) {
  const columns = data.columns.filter((c) => !state.hidden.has(c.key));
  const width = Math.max(root.clientWidth || 800, SIDE * 2 + MIN_GAP * Math.max(columns.length - 1, 1));
  const gap = columns.length > 1 ? (width - 2 * SIDE) / (columns.length - 1) : 0;
  const xs = columns.map((_, i) => (columns.length > 1 ? SIDE + i * gap : width / 2));
  const axes = columns.map((c) => axisFor(c, data.groups, HEIGHT - BOTTOM, TOP));
  const shown = new Set(rows.map((g) => g.name));
  const color = colorScale(columns.find((c) => c.kind === "metric"), data.groups);
  const plot = svg("svg", { class: "hp-parallel", width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`,
    role: "img", "aria-label": "Parallel coordinates of the session groups" });

  const lines = svg("g", { class: "hp-parallel__lines" });
  // filtered-out groups first, faint, so the shown ones paint over them
  const ordered = [...data.groups].sort((a, b) => shown.has(a.name) - shown.has(b.name));
  for (const group of ordered) {
    const points = [];
    columns.forEach((column, i) => {
      const y = axes[i].position(valueOf(column, group));
      if (y !== null) points.push(`${xs[i].toFixed(1)},${y.toFixed(1)}`);
    });
    const selected = state.selected === group.name;
    const line = svg("polyline", {
      points: points.join(" "), class: `hp-line${shown.has(group.name) ? "" : " is-filtered"}${selected ? " is-selected" : ""}`,
      stroke: shown.has(group.name) ? color(group) : null, "data-group": group.name,
    });
    const tip = svg("title");
    tip.textContent = group.name;
    line.append(tip);
    line.addEventListener("click", () => state.select(group.name));
    lines.append(line);
  }
  plot.append(lines);

  columns.forEach((column, i) => {
    const axis = axes[i];
    const g = svg("g", { class: "hp-axis", transform: `translate(${xs[i]},0)`, "data-column": column.key });
    g.append(svg("line", { class: "hp-axis__line", x1: 0, x2: 0, y1: TOP, y2: HEIGHT - BOTTOM }));
    for (const tick of axis.ticks) {
      g.append(svg("line", { class: "hp-axis__tick", x1: -4, x2: 0, y1: tick.at, y2: tick.at }));
      const label = svg("text", { class: "hp-axis__label", x: -7, y: tick.at, "text-anchor": "end", "dominant-baseline": "middle" });
      label.textContent = tick.text;
      g.append(label);
    }
    const title = svg("text", { class: `hp-axis__title${column.kind === "metric" ? " is-metric" : ""}`, x: 0, y: TOP - 16,
      "text-anchor": "middle" });
    title.textContent = column.label + (axis.log ? " (log)" : "");
    g.append(title);
    const filter = state.filters.get(column.key);
    if (filter && filter.brush) {
      const [a, b] = filter.brush;
      g.append(svg("rect", { class: "hp-brush", x: -8, width: 16, y: a, height: Math.max(b - a, 2) }));
    }
    const hit = svg("rect", { class: "hp-axis__hit", x: -14, width: 28, y: TOP - 4, height: HEIGHT - BOTTOM - TOP + 8 });
    g.append(hit);
    brushable(hit, g, plot, axis, column, state);
    plot.append(g);
  });
  root.replaceChildren(plot);
}

function brushable(hit, g, plot, axis, column, state) {
  hit.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    hit.setPointerCapture(event.pointerId);
    const y = (e) => e.clientY - plot.getBoundingClientRect().top;
    const y0 = y(event);
    const rect = svg("rect", { class: "hp-brush is-drawing", x: -8, width: 16, y: y0, height: 0 });
    g.append(rect);
    const move = (e) => {
      const y1 = y(e);
      rect.setAttribute("y", Math.min(y0, y1));
      rect.setAttribute("height", Math.abs(y1 - y0));
    };
    const up = (e) => {
      hit.removeEventListener("pointermove", move);
      hit.removeEventListener("pointerup", up);
      const y1 = y(e);
      state.setFilter(column.key, Math.abs(y1 - y0) < CLICK ? null : brushFilter(axis, y0, y1));
    };
    hit.addEventListener("pointermove", move);
    hit.addEventListener("pointerup", up);
  });
}
