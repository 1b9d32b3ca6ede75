/**
 * HParams dashboard (templates/hparams.html): the session groups of the logdir's hparams
 * experiment as a table, parallel coordinates or a scatter plot matrix (the view is in the URL:
 * ?view=table|parallel|scatter), with per-column filters and parallel-coordinates brushes shared
 * by all three, columns shown or hidden from the sidebar, and the metric curves of the group
 * clicked. Without hparams summaries, the columns are parsed from the run names (model.js).
 * `<body data-loaded="true">` once the data is drawn (tests wait on it).
 */
import "../base.js";
import { reloader } from "../reload.js";
import { renderCurves } from "./curves.js";
import { renderDownloads } from "./download.js";
import { loadData, ViewState, visibleGroups } from "./model.js";
import { renderParallel } from "./parallel.js";
import { renderScatter } from "./scatter.js";
import { renderColumnList, renderTable } from "./table.js";

const VIEWS = { table: renderTable, parallel: renderParallel, scatter: renderScatter };
const $ = (selector) => document.querySelector(selector);
const el = {
  columns: $("[data-columns]"), notice: $("[data-hp-notice]"), empty: $("[data-empty]"), content: $("[data-hp-content]"),
  view: $("[data-hp-view]"), curves: $("[data-hp-curves]"), status: $("[data-hp-status]"),
  downloads: $("[data-hp-downloads]"),
};
const state = new ViewState();
let data = null;
let view = new URLSearchParams(window.location.search).get("view");
if (!(view in VIEWS)) view = "table";

function drawView() {
  const rows = visibleGroups(data, state);
  el.view.dataset.view = view;
  VIEWS[view](el.view, data, rows, state);
  el.status.textContent = `${rows.length} of ${data.groups.length} session group${data.groups.length === 1 ? "" : "s"}`;
  renderDownloads(el.downloads, data, state);
}

function drawCurves() {
  const group = data.groups.find((g) => g.name === state.selected) || null;
  renderCurves(el.curves, data, group, state);
}

function drawAll() {
  const none = data.source === "none";
  el.empty.classList.toggle("is-hidden", !none);
  el.content.classList.toggle("is-hidden", none);
  el.notice.classList.toggle("is-hidden", data.source !== "run names");
  renderColumnList(el.columns, data, state);
  if (none) return;
  drawView();
  drawCurves();
}

state.addEventListener("change", (event) => {
  if (!data) return;
  if (event.detail === "columns") renderColumnList(el.columns, data, state);
  drawView();
  if (event.detail === "select" || event.detail === "columns") drawCurves();
});

for (const input of document.querySelectorAll("[data-view-choice]")) {
  input.checked = input.value === view;
  input.addEventListener("change", () => {
    view = input.value;
    const params = new URLSearchParams(window.location.search);
    params.set("view", view);
    window.history.replaceState(null, "", `?${params}`);
    if (data) drawView();
  });
}

window.addEventListener("resize", () => { if (data && view !== "table") drawView(); });

reloader.register(async () => {
  try {
    data = await loadData();
    if (state.selected && !data.groups.some((g) => g.name === state.selected)) state.selected = null;
    drawAll();
  } catch (err) {
    el.status.textContent = `Could not load the hparams: ${err.message}`;
  }
  document.body.dataset.loaded = "true";
});
