/**
 * Scalars dashboard entry point: reads the view state from the URL, wires the settings, run list and
 * tag grid together, and registers the live reload with the top bar's indicator.
 *
 * For tests and debugging, window.board (testhook.js) exposes {grid, runs, state, snapshot(tag),
 * reload(), tags()}.
 */
import "../base.js";
import { CLS } from "../classes.js";
import { reloader } from "../reload.js";
import { exposeForTests, markLoaded } from "../testhook.js";
import { fetchIndex, fetchRuns, pageData, setPreloadedSeries } from "./api.js";
import { TagGrid } from "./grid.js";
import { closeMenusOnEscape } from "./menus.js";
import { RunList } from "./runs.js";
import { clampSmoothing, readState, writeState } from "./state.js";

const $ = (selector) => document.querySelector(selector);

const state = readState();
// The answers of the first /data/ requests, carried by the page's HTML; used by the first reload.
let initial = pageData();
setPreloadedSeries(initial?.firstSeries);
let tagsByRun = {}; // run -> [tag], the index's runTags
let runsByTag = new Map(); // tag -> Set(run)

const controls = {
  smoothing: $("[data-setting=smoothing]"),
  smoothingNumber: $("[data-setting=smoothing-number]"),
  xModes: document.querySelectorAll("[data-setting=x]"),
  log: $("[data-setting=log]"),
  widths: document.querySelectorAll("[data-setting=width]"),
  outliers: $("[data-setting=outliers]"),
  tagFilter: $("[data-tag-filter]"),
  runFilter: $("[data-run-filter]"),
};

function view() {
  return { smoothing: state.smoothing, x: state.x, log: state.log, outliers: state.outliers };
}

// Typing in the run filter updates the list at once and the charts once typing pauses.
const CHART_UPDATE_DELAY_MS = 200;
let chartUpdate = 0;

const runList = new RunList(
  {
    list: $("[data-runs]"),
    count: $("[data-run-count]"),
    filter: controls.runFilter,
    all: $("[data-runs-all]"),
    none: $("[data-runs-none]"),
    onlySelected: $("[data-runs-only-selected]"),
    picker: $("[data-run-picker]"),
  },
  { selection: state.runs, onlySelected: state.onlySelected, maxDefault: Number($("[data-runs]").dataset.maxDefault) },
  (what) => {
    state.runs = runList.selection();
    state.onlySelected = runList.onlySelected;
    writeState(state);
    clearTimeout(chartUpdate);
    if (what === "colors") grid.applyView();
    else if (what === "filter") chartUpdate = setTimeout(() => grid.updateRuns(), CHART_UPDATE_DELAY_MS);
    else grid.updateRuns();
  },
);

const gridContext = {
  view,
  onPinChange: () => grid.onPinChange(),
  onShowEmpty: (show) => {
    state.empty = show;
    writeState(state);
  },
  runsFor: (tag) => {
    const runs = runsByTag.get(tag);
    return runs ? runList.visibleRuns().filter((r) => runs.has(r)) : [];
  },
};
const grid = new TagGrid($("[data-groups]"), $("#scalar-card-template"), $("[data-tag-status]"),
  $("[data-empty-toggle]"), gridContext);

// ---- settings -> state -> URL -> cards ----
function settingsChanged() {
  writeState(state);
  grid.applyView();
}

function showSmoothing() {
  controls.smoothing.value = String(state.smoothing);
  controls.smoothingNumber.value = String(state.smoothing);
}

function initSettings() {
  showSmoothing();
  for (const radio of controls.xModes) radio.checked = radio.value === state.x;
  controls.log.checked = state.log;
  for (const radio of controls.widths) radio.checked = radio.value === state.width;
  $("[data-groups]").dataset.width = state.width;
  grid.setShowEmpty(state.empty);
  controls.outliers.checked = state.outliers;
  controls.tagFilter.value = state.tags;
  controls.runFilter.value = state.runFilter;

  let pending = 0;
  const onSmoothing = (event) => {
    state.smoothing = clampSmoothing(event.target.value);
    if (event.target === controls.smoothing) controls.smoothingNumber.value = String(state.smoothing);
    else controls.smoothing.value = String(state.smoothing);
    // Coalesce slider drags to one redraw per animation frame.
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(settingsChanged);
  };
  controls.smoothing.addEventListener("input", onSmoothing);
  controls.smoothingNumber.addEventListener("change", (event) => {
    onSmoothing(event);
    showSmoothing();
  });
  for (const radio of controls.xModes) {
    radio.addEventListener("change", () => {
      state.x = radio.value;
      settingsChanged();
    });
  }
  for (const radio of controls.widths) {
    radio.addEventListener("change", () => {
      state.width = radio.value;
      $("[data-groups]").dataset.width = state.width;
      writeState(state);
    });
  }
  controls.log.addEventListener("change", () => {
    state.log = controls.log.checked;
    settingsChanged();
  });
  controls.outliers.addEventListener("change", () => {
    state.outliers = controls.outliers.checked;
    settingsChanged();
  });
  controls.tagFilter.addEventListener("input", () => {
    state.tags = controls.tagFilter.value;
    controls.tagFilter.classList.toggle(CLS.invalid, !grid.setFilter(state.tags));
    writeState(state);
  });
  controls.runFilter.addEventListener("input", () => {
    state.runFilter = controls.runFilter.value;
    writeState(state);
    controls.runFilter.classList.toggle(CLS.invalid, !runList.setFilter(state.runFilter));
  });
  controls.tagFilter.classList.toggle(CLS.invalid, !grid.setFilter(state.tags));
  controls.runFilter.classList.toggle(CLS.invalid, !runList.setFilter(state.runFilter));
}

// ---- empty state and notices ----
function showEmpty(allRuns) {
  const empty = $("[data-empty]");
  const hasScalars = runsByTag.size > 0;
  empty.classList.toggle(CLS.hidden, hasScalars);
  $("[data-toolbar]").classList.toggle(CLS.hidden, !hasScalars);
  const detail = $("[data-empty-detail]");
  detail.textContent = allRuns.length
    ? ` — it found ${allRuns.length} run${allRuns.length === 1 ? "" : "s"}, but none has scalar summaries`
    : "";
}

function showNotice(text, isError = false) {
  const notice = $("[data-notice]");
  notice.textContent = text || "";
  notice.classList.toggle(CLS.hidden, !text);
  notice.classList.toggle(CLS.error, isError);
}

// ---- loading and live reload ----
let lastIndexJSON = "";
let firstLoad = true;

/** Called by the reloader on the first tick and whenever the server's data changed. */
async function reload() {
  let runs;
  let index;
  try {
    if (initial) [runs, index] = [initial.runs, initial.index];
    else [runs, index] = await Promise.all([fetchRuns(), fetchIndex()]);
    initial = null;
  } catch (err) {
    showNotice(`Could not load the run list: ${err.message}`, true);
    throw err;
  }
  showNotice("");
  const indexJSON = JSON.stringify(index);
  const changed = indexJSON !== lastIndexJSON;
  if (changed) {
    lastIndexJSON = indexJSON;
    tagsByRun = index.runTags;
    runsByTag = new Map(index.tags.map((tag) => [tag, new Set()]));
    for (const [run, runTags] of Object.entries(index.runTags)) {
      for (const tag of runTags) runsByTag.get(tag).add(run);
    }
    // The index lists only runs with scalars (graph-only runs are not offered here), in order.
    runList.setRuns(index.runs);
    state.runs = runList.selection();
    writeState(state);
    grid.setTags(index.tags);
    grid.updateRuns();
  }
  showEmpty(runs);
  const cardsChanged = firstLoad ? false : await grid.refresh();
  firstLoad = false;
  markLoaded();
  return changed || cardsChanged;
}

window.addEventListener("board:themechange", () => grid.rebuild());

closeMenusOnEscape(grid);

exposeForTests({
  grid,
  runs: runList,
  state,
  reload: () => reloader.now(),
  snapshot: (tag) => grid.cards.get(tag)?.snapshot() ?? null,
  tags: () => tagsByRun,
});

initSettings();
reloader.register(reload, initial?.status);
