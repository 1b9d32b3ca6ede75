/**
 * A histograms card (the Histograms and Time Series pages): one (run, tag) drawing every fetched
 * histogram of the tag.
 * Offset mode is TensorBoard's ridge-line: one curve per step, stacked along the time axis
 * (step, relative or wall time), the newest in front at the bottom; overlay mode draws them all on
 * one baseline, older ones fainter. Buckets of any width (TF1's exponential ones, TF2's uniform
 * ones) are spread over 40 equal-width bins of the tag's whole value range first, as TensorBoard
 * does, so curves of different steps compare. Hovering shows the nearest step's bin and count.
 * TensorBoard's route answers 51 steps; "Every step" asks for all of them (samples=0).
 * "Compare runs" (beyond TensorBoard) shows one card per tag instead, overlaying the latest
 * histogram of every shown run in the run's color (samples=1 answers the last step).
 */
import { formatNumber, getJSON } from "../dashboard/page.js";
import { AXIS_NAMES, formatTime, scale, svg, ticks, timeOf } from "../dashboard/svg.js";
import { h } from "../dom.js";
import { runColor } from "../scalars/colors.js";

const BINS = 40;
const WIDTH = 440;
const HEIGHT = 300;
const PAD = { left: 56, right: 14, top: 12, bottom: 28 };

/** Counts of `buckets` ([left, right, count] rows) spread over BINS equal bins of [lo, hi]. */
export function rebin(buckets, lo, hi) {
  const out = new Float64Array(BINS);
  const width = (hi - lo) / BINS;
  for (const [left, right, count] of buckets) {
    if (!(width > 0)) {
      out[Math.floor(BINS / 2)] += count;
      continue;
    }
    if (right <= left) {
      out[Math.min(BINS - 1, Math.max(0, Math.floor((left - lo) / width)))] += count;
      continue;
    }
    const first = Math.max(0, Math.floor((left - lo) / width));
    const last = Math.min(BINS - 1, Math.floor((right - lo) / width));
    for (let b = first; b <= last; b++) {
      const overlap = Math.min(right, lo + (b + 1) * width) - Math.max(left, lo + b * width);
      if (overlap > 0) out[b] += (count * overlap) / (right - left);
    }
  }
  return out;
}

function draw(card, rows) {
  const mode = card.settings.get("mode") || "offset";
  const axis = card.settings.get("axis") || "step";
  if (!rows.length) return h("div", { class: "card__placeholder" }, "No histograms");
  let lo = Infinity;
  let hi = -Infinity;
  for (const [, , buckets] of rows) {
    for (const [left, right] of buckets) {
      lo = Math.min(lo, left);
      hi = Math.max(hi, right);
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  const bins = rows.map((row) => rebin(row[2], lo, hi));
  const peak = Math.max(1e-12, ...bins.map((b) => Math.max(...b)));
  const firstWall = rows[0][0];
  const times = rows.map((row) => timeOf(row, axis, firstWall));
  const x = scale(lo, hi, PAD.left, WIDTH - PAD.right);
  const bottom = HEIGHT - PAD.bottom;
  const ridge = mode === "offset" ? (HEIGHT - PAD.top - PAD.bottom) * 0.45 : HEIGHT - PAD.top - PAD.bottom;
  const tMin = Math.min(...times);
  const tMax = Math.max(...times);
  // offset mode: the newest step's baseline is the bottom, the oldest's `ridge` below the top
  const base = mode === "offset" ? scale(tMin, tMax, PAD.top + ridge, bottom) : () => bottom;
  const binX = (b) => x(lo + ((b + 0.5) * (hi - lo)) / BINS);
  const chart = svg("svg", { class: "hist", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img",
    "aria-label": `${card.tag} histograms of ${card.run}, ${rows.length} steps` });
  const curves = svg("g");
  const order = rows.map((_, i) => i).sort((a, b) => times[a] - times[b]); // oldest first: newest drawn on top
  const paths = [];
  order.forEach((i, rank) => {
    const y0 = base(times[i]);
    const pts = Array.from(bins[i], (c, b) => `${binX(b).toFixed(1)},${(y0 - (c / peak) * ridge).toFixed(1)}`);
    const d = `M${x(lo).toFixed(1)},${y0.toFixed(1)}L${pts.join("L")}L${x(hi).toFixed(1)},${y0.toFixed(1)}`;
    const fade = order.length > 1 ? 0.25 + 0.75 * (rank / (order.length - 1)) : 1;
    const path = svg("path", { d, class: "hist__curve", stroke: card.color,
      fill: mode === "offset" ? card.color : "none", "fill-opacity": mode === "offset" ? 0.08 + 0.12 * fade : null,
      "stroke-opacity": fade.toFixed(2) });
    path.dataset.step = rows[i][1];
    paths[i] = path;
    curves.append(path);
  });
  const xAxis = svg("g", { class: "axis" });
  for (const t of ticks(lo, hi, 5)) {
    xAxis.append(svg("line", { x1: x(t), x2: x(t), y1: bottom, y2: bottom + 4 }),
      svg("text", { x: x(t), y: bottom + 16, "text-anchor": "middle" }, document.createTextNode(formatNumber(t))));
  }
  const yAxis = svg("g", { class: "axis" });
  if (mode === "offset") {
    const tScale = scale(tMin, tMax, PAD.top + ridge, bottom);
    for (const t of ticks(tMin, tMax, 4)) {
      yAxis.append(svg("text", { x: PAD.left - 6, y: tScale(t) + 4, "text-anchor": "end" },
        document.createTextNode(formatTime(t, axis))));
    }
    yAxis.append(svg("text", { x: 4, y: PAD.top + 8, class: "axis__name" }, document.createTextNode(AXIS_NAMES[axis])));
  } else {
    const yScale = scale(0, peak, bottom, PAD.top);
    for (const c of ticks(0, peak, 4)) {
      yAxis.append(svg("text", { x: PAD.left - 6, y: yScale(c) + 4, "text-anchor": "end" },
        document.createTextNode(formatNumber(c))));
    }
  }
  const marker = svg("line", { class: "hist__marker", y1: PAD.top, y2: bottom, visibility: "hidden" });
  chart.append(xAxis, yAxis, curves, marker);
  const tip = h("div", { class: "dash-tip", hidden: true });
  chart.addEventListener("mousemove", (event) => {
    const box = chart.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * WIDTH;
    const py = ((event.clientY - box.top) / box.height) * HEIGHT;
    const bin = Math.max(0, Math.min(BINS - 1, Math.floor(((px - PAD.left) / (WIDTH - PAD.left - PAD.right)) * BINS)));
    let pick = order[order.length - 1];
    if (mode === "offset") {
      // the step whose baseline is nearest below the pointer
      let best = Infinity;
      for (const i of order) {
        const gap = base(times[i]) - py;
        if (gap >= -4 && gap < best) {
          best = gap;
          pick = i;
        }
      }
    }
    for (const p of paths) p.classList.toggle("is-hover", p === paths[pick]);
    marker.setAttribute("x1", binX(bin));
    marker.setAttribute("x2", binX(bin));
    marker.setAttribute("visibility", "visible");
    const left = lo + (bin * (hi - lo)) / BINS;
    const right = lo + ((bin + 1) * (hi - lo)) / BINS;
    tip.hidden = false;
    tip.textContent = `step ${rows[pick][1]} · [${formatNumber(left)}, ${formatNumber(right)}) · count ${formatNumber(bins[pick][bin])}`;
  });
  chart.addEventListener("mouseleave", () => {
    tip.hidden = true;
    marker.setAttribute("visibility", "hidden");
    for (const p of paths) p.classList.remove("is-hover");
  });
  return h("div", { class: "dash-chart" }, chart, tip);
}

/** One tag's latest histogram of each run, overlaid on one value axis; hover lists each run's count. */
function drawCompare(card, latest) {
  const present = latest.filter((l) => l.row);
  if (!present.length) return h("div", { class: "card__placeholder" }, "No histograms");
  let lo = Infinity;
  let hi = -Infinity;
  for (const { row } of present) {
    for (const [left, right] of row[2]) {
      lo = Math.min(lo, left);
      hi = Math.max(hi, right);
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  const bins = present.map(({ row }) => rebin(row[2], lo, hi));
  const peak = Math.max(1e-12, ...bins.map((b) => Math.max(...b)));
  const x = scale(lo, hi, PAD.left, WIDTH - PAD.right);
  const y = scale(0, peak, HEIGHT - PAD.bottom, PAD.top);
  const binX = (b) => x(lo + ((b + 0.5) * (hi - lo)) / BINS);
  const chart = svg("svg", { class: "hist", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img",
    "aria-label": `${card.tag}: latest histogram of ${present.length} runs` });
  const axes = svg("g", { class: "axis" });
  for (const t of ticks(lo, hi, 5)) {
    axes.append(svg("text", { x: x(t), y: HEIGHT - PAD.bottom + 16, "text-anchor": "middle" },
      document.createTextNode(formatNumber(t))));
  }
  for (const c of ticks(0, peak, 4)) {
    axes.append(svg("text", { x: PAD.left - 6, y: y(c) + 4, "text-anchor": "end" }, document.createTextNode(formatNumber(c))),
      svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(c), y2: y(c), class: "axis__grid" }));
  }
  chart.append(axes);
  present.forEach(({ run, color }, k) => {
    const pts = Array.from(bins[k], (c, b) => `${binX(b).toFixed(1)},${y(c).toFixed(1)}`);
    const path = svg("path", { d: `M${pts.join("L")}`, class: "hist__curve", stroke: color, fill: "none" });
    path.dataset.run = run;
    chart.append(path);
  });
  const marker = svg("line", { class: "hist__marker", y1: PAD.top, y2: HEIGHT - PAD.bottom, visibility: "hidden" });
  chart.append(marker);
  const tip = h("div", { class: "dash-tip", hidden: true });
  chart.addEventListener("mousemove", (event) => {
    const box = chart.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * WIDTH;
    const bin = Math.max(0, Math.min(BINS - 1, Math.floor(((px - PAD.left) / (WIDTH - PAD.left - PAD.right)) * BINS)));
    marker.setAttribute("x1", binX(bin));
    marker.setAttribute("x2", binX(bin));
    marker.setAttribute("visibility", "visible");
    tip.hidden = false;
    tip.textContent = `[${formatNumber(lo + (bin * (hi - lo)) / BINS)}, ${formatNumber(lo + ((bin + 1) * (hi - lo)) / BINS)}) · `
      + present.map(({ run, row }, k) => `${run} (step ${row[1]}) ${formatNumber(bins[k][bin])}`).join(" · ");
  });
  chart.addEventListener("mouseleave", () => {
    tip.hidden = true;
    marker.setAttribute("visibility", "hidden");
  });
  return h("div", { class: "dash-chart" }, chart, tip);
}

function fillCompareCard(card) {
  let latest = [];
  return {
    async load() {
      latest = await Promise.all(card.runs.map(async (run) => {
        const rows = await getJSON(`/data/plugin/histograms/histograms?${new URLSearchParams({ run, tag: card.tag,
          samples: 1 })}`);
        return { run, color: runColor(run), row: rows[rows.length - 1] };
      }));
      const blob = new Blob([JSON.stringify(latest.map(({ run, row }) => ({ run, histogram: row })))],
        { type: "application/json" });
      if (card.download.href) URL.revokeObjectURL(card.download.href);
      card.download.href = URL.createObjectURL(blob);
      card.download.setAttribute("download", `${card.tag}_latest.json`.replace(/[^\w.-]+/g, "_"));
      card.body.replaceChildren(drawCompare(card, latest));
    },
    update() {
      card.body.replaceChildren(drawCompare(card, latest));
    },
  };
}

export function fillCard(card) {
  if (card.run === null) return fillCompareCard(card);
  let rows = [];
  const url = () => `/data/plugin/histograms/histograms?${new URLSearchParams({ run: card.run, tag: card.tag,
    ...(card.settings.get("all-steps") ? { samples: 0 } : {}) })}`;
  const update = () => {
    card.body.replaceChildren(draw(card, rows), h("div", { class: "dash-card__foot" },
      `${rows.length} step${rows.length === 1 ? "" : "s"}${rows.length ? `, ${rows[0][1]}–${rows[rows.length - 1][1]}` : ""}`));
  };
  let fetched = null;
  return {
    async load() {
      card.download.href = url();
      rows = await getJSON(url());
      fetched = card.settings.get("all-steps");
      update();
    },
    update() {
      if (card.settings.get("all-steps") !== fetched) return this.load();
      update();
    },
  };
}

