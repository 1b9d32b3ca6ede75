/**
 * Projector dashboard (templates/projector.html): the runs with embeddings
 * (/data/plugin/projector/runs), the chosen tensor projected on its principal axes by the server
 * (/data/projector/pca), or its UMAP computed in a Web Worker (umap.js), and drawn as a 2-D or 3-D
 * scatter with three.js (WebGL), coloured by a
 * metadata column (/data/plugin/projector/metadata), its label on hover, labels matching the
 * search highlighted, and the nearest neighbours of the point clicked (/data/projector/neighbors).
 * The choice is kept in the URL (?run=&tensor=&method=pca|umap&dims=&color=&label=).
 * `window.board` exposes `snapshot()` (what is drawn) and `screenOf(index)` for tests;
 * `<body data-loaded="true">` once the first tensor (or the empty state) is shown.
 */
import "../base.js";
import { getJSON, query } from "../http.js";
import { exposeForTests, markLoaded } from "../testhook.js";
import { parseMetadata } from "./metadata.js";
import { Scatter } from "./scatter.js";
import { umap, UMAP_MAX_POINTS } from "./umap.js";

const $ = (selector) => document.querySelector(selector);
const el = {
  run: $("[data-pj-run]"), tensor: $("[data-pj-tensor]"), label: $("[data-pj-label]"), color: $("[data-pj-color]"),
  search: $("[data-pj-search]"), matches: $("[data-pj-matches]"), selected: $("[data-pj-selected]"),
  neighbors: $("[data-pj-neighbors]"), status: $("[data-pj-status]"), empty: $("[data-empty]"), view: $("[data-pj-view]"),
  tooltip: $("[data-pj-tooltip]"), legend: $("[data-pj-legend]"),
};
const url = new URLSearchParams(window.location.search);
const state = { run: url.get("run"), tensor: url.get("tensor"), dims: url.get("dims") === "2" ? 2 : 3,
  color: url.get("color"), label: url.get("label"), method: url.get("method") === "umap" ? "umap" : "pca",
  projection: null, metadata: null, selected: null, neighbors: [] };
const NEIGHBORS = 10;
const scatter = new Scatter(el.view, { onHover: showTooltip, onClick: selectPoint });

function saveUrl() {
  const params = new URLSearchParams();
  for (const key of ["run", "tensor", "color", "label"]) if (state[key]) params.set(key, state[key]);
  params.set("dims", String(state.dims));
  params.set("method", state.method);
  window.history.replaceState(null, "", `?${params}`);
}

function fillSelect(select, values, chosen, none) {
  select.replaceChildren(...(none ? [new Option(none, "")] : []), ...values.map((v) => new Option(v, v)));
  select.value = values.includes(chosen) ? chosen : (none ? "" : values[0] ?? "");
  return select.value;
}

function labelOf(index) {
  const meta = state.metadata;
  if (!meta || !state.label) return `#${index}`;
  return meta.columns[state.label][index] ?? `#${index}`;
}

function showTooltip(index, x, y) {
  if (index === null) {
    el.tooltip.classList.add("is-hidden");
    return;
  }
  const meta = state.metadata;
  const lines = meta ? meta.names.map((name) => `${name}: ${meta.columns[name][index] ?? ""}`) : [];
  el.tooltip.textContent = [`#${index}`, ...lines].join("\n");
  el.tooltip.style.left = `${x + 12}px`;
  el.tooltip.style.top = `${y + 12}px`;
  el.tooltip.classList.remove("is-hidden");
}

async function selectPoint(index) {
  state.selected = index;
  state.neighbors = [];
  el.neighbors.replaceChildren();
  if (index === null) {
    el.selected.textContent = "Click a point to list its nearest neighbours (cosine distance).";
    redraw();
    return;
  }
  el.selected.textContent = `${labelOf(index)} (#${index})`;
  try {
    const answer = await getJSON(`/data/projector/neighbors?${query({ run: state.run, name: state.tensor, index, k: NEIGHBORS })}`);
    if (state.selected !== index) return;
    state.neighbors = answer.neighbors;
    el.neighbors.replaceChildren(...answer.neighbors.map((n) => {
      const item = document.createElement("li");
      item.dataset.index = n.index;
      const distance = document.createElement("span");
      distance.className = "pj-neighbors__distance";
      distance.textContent = n.distance.toFixed(3);
      item.append(labelOf(n.index), distance);
      item.addEventListener("click", () => selectPoint(n.index));
      return item;
    }));
  } catch (err) {
    el.selected.textContent = `Could not find the neighbours: ${err.message}`;
  }
  redraw();
}

function searchMatches() {
  const text = el.search.value.trim().toLowerCase();
  if (!text || !state.projection) return null;
  const matches = new Set();
  for (let i = 0; i < state.projection.points.length; i += 1) {
    if (String(labelOf(i)).toLowerCase().includes(text)) matches.add(i);
  }
  return matches;
}

function redraw() {
  if (!state.projection) return;
  const matches = searchMatches();
  el.matches.textContent = matches ? `${matches.size} match${matches.size === 1 ? "" : "es"}` : "";
  const values = state.metadata && state.color ? state.metadata.columns[state.color] : null;
  const legend = scatter.draw({
    points: state.projection.points, dims: state.dims, colorValues: values, matches,
    selected: state.selected, neighbors: new Set(state.neighbors.map((n) => n.index)),
  });
  el.legend.replaceChildren(...legend.map(({ value, color }) => {
    const item = document.createElement("div");
    item.className = "pj-legend__item";
    const swatch = document.createElement("span");
    swatch.className = "pj-legend__swatch";
    swatch.style.background = color;
    item.append(swatch, value);
    return item;
  }));
}

/**
 * The tensor's points by the chosen method: `{points, shape, explained}` (PCA, from the server), or
 * `{points, shape, umap: true}` (UMAP of the first UMAP_MAX_POINTS points, in the worker).
 */
async function project(info, params) {
  const pca = await getJSON(`/data/projector/pca?${query({ ...params, components: 3 })}`);
  if (state.method !== "umap") return pca;
  const shape = info && info.tensorShape && info.tensorShape.length === 2 ? info.tensorShape : pca.shape;
  const progress = (done) => { el.status.textContent = `UMAP of ${state.tensor}: ${Math.round(100 * done)}%…`; };
  const points = await umap(params.run, params.name, shape, state.dims, progress);
  return { points, shape: pca.shape, umap: true, dims: state.dims };
}

async function loadTensor() {
  state.projection = null;
  state.metadata = null;
  state.selected = null;
  state.neighbors = [];
  el.neighbors.replaceChildren();
  const info = state.info.embeddings.find((e) => e.tensorName === state.tensor);
  el.status.textContent = `Projecting ${state.tensor}…`;
  const params = { run: state.run, name: state.tensor };
  const [projection, metadata] = await Promise.all([
    project(info, params),
    info && info.metadataPath ? fetch(`/data/plugin/projector/metadata?${query(params)}`).then((r) => (r.ok ? r.text() : null))
      : Promise.resolve(null),
  ]);
  state.projection = projection;
  state.metadata = metadata === null ? null : parseMetadata(metadata);
  const names = state.metadata ? state.metadata.names : [];
  state.label = fillSelect(el.label, names, state.label, names.length ? null : "(index)");
  state.color = fillSelect(el.color, names, state.color, "(none)");
  saveUrl();
  showStatus();
  redraw();
}

function showStatus() {
  const [points, dimensions] = state.projection.shape;
  if (state.projection.umap) {
    const shown = Math.min(points, UMAP_MAX_POINTS);
    el.status.textContent = `${points} points × ${dimensions} dimensions · UMAP in ${state.dims} dimensions`
      + (shown < points ? ` of the first ${shown} points` : "");
    return;
  }
  const variance = state.projection.explained.slice(0, state.dims).reduce((a, b) => a + b, 0);
  el.status.textContent = `${points} points × ${dimensions} dimensions · PCA: ${(100 * variance).toFixed(1)}% of the variance`
    + ` in ${state.dims} components`;
}

async function loadRun() {
  state.info = await getJSON(`/data/plugin/projector/info?${query({ run: state.run })}`);
  const names = state.info.embeddings.map((e) => e.tensorName);
  state.tensor = fillSelect(el.tensor, names, state.tensor);
  if (state.tensor) await loadTensor();
}

async function start() {
  const runs = await getJSON("/data/plugin/projector/runs");
  el.empty.classList.toggle("is-hidden", runs.length > 0);
  el.view.classList.toggle("is-hidden", runs.length === 0);
  if (!runs.length) {
    el.status.textContent = "";
    return;
  }
  state.run = fillSelect(el.run, runs, state.run);
  await loadRun();
}

function guarded(action) {
  return async () => {
    try {
      await action();
    } catch (err) {
      el.status.textContent = `Could not load the embedding: ${err.message}`;
    }
  };
}

el.run.addEventListener("change", guarded(async () => { state.run = el.run.value; await loadRun(); }));
el.tensor.addEventListener("change", guarded(async () => { state.tensor = el.tensor.value; await loadTensor(); }));
el.label.addEventListener("change", () => { state.label = el.label.value; saveUrl(); redraw(); });
el.color.addEventListener("change", () => { state.color = el.color.value; saveUrl(); redraw(); });
el.search.addEventListener("input", redraw);
for (const input of document.querySelectorAll("[data-pj-dims]")) {
  input.checked = Number(input.value) === state.dims;
  input.addEventListener("change", () => {
    state.dims = Number(input.value);
    saveUrl();
    scatter.resetView();
    if (!state.projection) return;
    if (state.projection.umap) {
      guarded(loadTensor)();  // UMAP's layout depends on its number of dimensions
      return;
    }
    showStatus();
    redraw();
  });
}
for (const input of document.querySelectorAll("[data-pj-method]")) {
  input.checked = input.value === state.method;
  input.addEventListener("change", () => {
    state.method = input.value;
    saveUrl();
    if (state.tensor) guarded(loadTensor)();
  });
}
window.addEventListener("resize", () => scatter.resize());

exposeForTests({
  state,
  snapshot: () => ({ ...scatter.snapshot(), run: state.run, tensor: state.tensor, dims: state.dims,
    method: state.projection ? (state.projection.umap ? "umap" : "pca") : null }),
  screenOf: (index) => scatter.screenOf(index),
});
guarded(start)().finally(markLoaded);
