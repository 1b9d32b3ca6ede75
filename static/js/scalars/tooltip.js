/**
 * uPlot plugin: a tooltip listing, for every run, the point nearest the cursor's x — smoothed value,
 * raw value, step, wall time and time since the run's first point — sorted by smoothed value.
 * It floats outside the card (below it, or above when there is no room), following the cursor
 * horizontally, so it covers neither the lines nor the card's own table.
 */
import { CLS } from "../classes.js";
import { h } from "../dom.js";
import { formatStep, formatValue, formatWall } from "./format.js";
import { nearestIndex } from "./stats.js";
import { clock } from "./ticks.js";

const GAP = 6; // px between the card and the tooltip

export function rowsAt(model, xValue) {
  const rows = [];
  for (const r of model.runs) {
    const i = nearestIndex(r.x, xValue);
    if (i < 0) continue;
    rows.push({
      run: r.run,
      entry: r,
      index: i,
      color: r.color,
      smoothed: r.smoothed[i],
      raw: r.raw[i],
      step: r.step[i],
      wall: r.wall[i],
      relative: r.wall[i] - r.wall[0],
    });
  }
  const key = (v) => (Number.isNaN(v) ? -Infinity : v);
  rows.sort((a, b) => key(b.smoothed) - key(a.smoothed));
  return rows;
}

/** A chart's own columns (model.tooltip: {head, cells(run, i)}, see chart.js) after the run's name. */
function customTable(model, rows) {
  const { head, cells } = model.tooltip;
  return h("table", {},
    h("thead", {}, h("tr", {}, h("th", {}, "Run"), head.map((label) => h("th", {}, label)))),
    h("tbody", {}, rows.map((row) => h("tr", {},
      h("td", { title: row.run }, h("span", { class: CLS.swatch, style: { "--run-color": row.color } }), " ", row.run),
      cells(row.entry, row.index).map((cell) => h("td", {}, cell))))));
}

function table(model, rows) {
  if (model.tooltip) return customTable(model, rows);
  const smoothed = model.smoothing > 0;
  const head = h("tr", {},
    h("th", {}, "Run"),
    smoothed ? h("th", {}, "Smoothed") : null,
    h("th", {}, "Value"),
    h("th", {}, "Step"),
    h("th", {}, "Time"),
    h("th", {}, "Relative"));
  const body = rows.map((row) => h("tr", {},
    h("td", { title: row.run },
      h("span", { class: CLS.swatch, style: { "--run-color": row.color } }), " ", row.run),
    smoothed ? h("td", {}, formatValue(row.smoothed)) : null,
    h("td", {}, formatValue(row.raw)),
    h("td", {}, formatStep(row.step)),
    h("td", {}, formatWall(row.wall)),
    h("td", {}, clock(row.relative))));
  return h("table", {}, h("thead", {}, head), h("tbody", {}, body));
}

export function tooltipPlugin(getModel) {
  let tip = null;
  function hide() {
    tip?.classList.add(CLS.hidden);
  }
  return {
    hooks: {
      init: (u) => {
        tip = h("div", { class: `${CLS.tooltip} ${CLS.hidden}`, role: "tooltip" });
        document.body.append(tip);
        u.over.addEventListener("mouseleave", hide);
      },
      destroy: () => tip?.remove(),
      setCursor: (u) => {
        const { left } = u.cursor;
        const model = getModel();
        if (!tip || !model || left === undefined || left < 0 || model.runs.length === 0) return hide();
        const rows = rowsAt(model, u.posToVal(left, "x"));
        if (rows.length === 0) return hide();
        tip.replaceChildren(table(model, rows));
        tip.classList.remove(CLS.hidden);
        const card = u.root.closest("article") ?? u.root;
        if (card.dataset.tag) tip.dataset.tag = card.dataset.tag;
        const cardBox = card.getBoundingClientRect();
        const over = u.over.getBoundingClientRect();
        const rightmost = Math.max(0, document.documentElement.clientWidth - tip.offsetWidth);
        const x = Math.min(Math.max(0, over.left + left - tip.offsetWidth / 2), rightmost);
        const below = cardBox.bottom + GAP;
        const fitsBelow = below + tip.offsetHeight <= window.innerHeight;
        const above = cardBox.top - GAP - tip.offsetHeight;
        // A card taller than the window (full screen): inside the plot, at its top.
        const y = fitsBelow ? below : above >= 0 ? above : over.top + GAP;
        tip.style.left = `${x}px`;
        tip.style.top = `${y}px`;
      },
    },
  };
}
