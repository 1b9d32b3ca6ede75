/**
 * Distributions dashboard: per (run, tag), the histogram percentiles the server computes
 * (/data/plugin/distributions/distributions, TensorBoard's basis points 0, 668, 1587, 3085, 5000,
 * 6915, 8413, 9332, 10000: the normal curve's -inf, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, +inf sigma)
 * over time, as four nested bands (min-max, ±1.5σ, ±1σ, ±0.5σ) and the median line. Hovering shows
 * the nearest step's nine values.
 */
import { formatNumber, getJSON, startDashboard } from "../dashboard/page.js";
import { AXIS_NAMES, formatTime, scale, svg, ticks, timeOf } from "../dashboard/svg.js";
import { h } from "../dom.js";

const WIDTH = 440;
const HEIGHT = 260;
const PAD = { left: 56, right: 14, top: 12, bottom: 30 };
const BANDS = [[0, 8], [1, 7], [2, 6], [3, 5]]; // indices into the 9 basis points, outermost first
const PERCENT = ["min", "6.7%", "15.9%", "30.9%", "median", "69.1%", "84.1%", "93.3%", "max"];

function draw(card, rows) {
  if (!rows.length) return h("div", { class: "card__placeholder" }, "No data");
  const axis = card.settings.get("axis") || "step";
  const firstWall = rows[0][0];
  const times = rows.map((row) => timeOf(row, axis, firstWall));
  const values = rows.map((row) => row[2].map((pair) => pair[1]));
  const lo = Math.min(...values.map((v) => v[0]));
  const hi = Math.max(...values.map((v) => v[8]));
  const tMin = Math.min(...times);
  const tMax = Math.max(...times);
  const x = scale(tMin, tMax, PAD.left, WIDTH - PAD.right);
  const y = scale(lo, hi, HEIGHT - PAD.bottom, PAD.top);
  const chart = svg("svg", { class: "dist", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img",
    "aria-label": `${card.tag} distribution of ${card.run}, ${rows.length} steps` });
  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b]);
  BANDS.forEach(([a, b], depth) => {
    const top = order.map((i) => `${x(times[i]).toFixed(1)},${y(values[i][b]).toFixed(1)}`);
    const under = order.slice().reverse().map((i) => `${x(times[i]).toFixed(1)},${y(values[i][a]).toFixed(1)}`);
    chart.append(svg("path", { d: `M${top.join("L")}L${under.join("L")}Z`, fill: card.color,
      "fill-opacity": (0.14 + depth * 0.14).toFixed(2), class: "dist__band" }));
  });
  chart.append(svg("path", { d: `M${order.map((i) => `${x(times[i]).toFixed(1)},${y(values[i][4]).toFixed(1)}`).join("L")}`,
    stroke: card.color, fill: "none", "stroke-width": 1.6, class: "dist__median" }));
  const axes = svg("g", { class: "axis" });
  for (const v of ticks(lo, hi, 5)) {
    axes.append(svg("text", { x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end" }, document.createTextNode(formatNumber(v))),
      svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: "axis__grid" }));
  }
  for (const t of ticks(tMin, tMax, 4)) {
    axes.append(svg("text", { x: x(t), y: HEIGHT - PAD.bottom + 16, "text-anchor": "middle" },
      document.createTextNode(formatTime(t, axis))));
  }
  axes.append(svg("text", { x: WIDTH - PAD.right, y: HEIGHT - 2, "text-anchor": "end", class: "axis__name" },
    document.createTextNode(AXIS_NAMES[axis])));
  const marker = svg("line", { class: "hist__marker", y1: PAD.top, y2: HEIGHT - PAD.bottom, visibility: "hidden" });
  chart.prepend(axes);
  chart.append(marker);
  const tip = h("div", { class: "dash-tip", hidden: true });
  chart.addEventListener("mousemove", (event) => {
    const box = chart.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * WIDTH;
    let pick = order[0];
    for (const i of order) if (Math.abs(x(times[i]) - px) < Math.abs(x(times[pick]) - px)) pick = i;
    marker.setAttribute("x1", x(times[pick]));
    marker.setAttribute("x2", x(times[pick]));
    marker.setAttribute("visibility", "visible");
    tip.hidden = false;
    tip.textContent = `step ${rows[pick][1]} · ` + values[pick].map((v, k) => `${PERCENT[k]} ${formatNumber(v)}`).join(" · ");
  });
  chart.addEventListener("mouseleave", () => {
    tip.hidden = true;
    marker.setAttribute("visibility", "hidden");
  });
  return h("div", { class: "dash-chart" }, chart, tip);
}

function fillCard(card) {
  let rows = [];
  let fetched = null;
  const url = () => `/data/plugin/distributions/distributions?${new URLSearchParams({ run: card.run, tag: card.tag,
    ...(card.settings.get("all-steps") ? { samples: 0 } : {}) })}`;
  const update = () => card.body.replaceChildren(draw(card, rows));
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

startDashboard({ plugin: "distributions", tagsOf: (json) => json, fillCard });
