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
import { scalarControls, wireSettings } from "./controls.js";
import { TagGrid } from "./grid.js";
import { closeMenusOnEscape } from "./menus.js";
import { scalarPrefs } from "./prefs.js";
import { afterPaint } from "./queue.js";
import { pageRunList } from "./runs.js";
import { readState, writeState } from "./state.js";

const $ = (selector) => document.querySelector(selector);

const state = readState();
// The answers of the first /data/ requests, carried by the page's HTML; used by the first reload.
let initial = pageData();
setPreloadedSeries(initial?.firstSeries);
let tagsByRun = {}; // run -> [tag], the index's runTags
let runsByTag = new Map(); // tag -> Set(run)

const controls = scalarControls();

function view() {
  return { smoothing: state.smoothing, x: state.x, log: state.log, outliers: state.outliers };
}

// Typing in the run filter updates the list at once and the charts once typing pauses.
const CHART_UPDATE_DELAY_MS = 200;
let chartUpdate = 0;

const runList = pageRunList(state, (what) => {
  state.runs = runList.selection();
  state.onlySelected = runList.onlySelected;
  writeState(state);
  clearTimeout(chartUpdate);
  if (what === "colors") grid.applyView();
  else if (what === "filter") chartUpdate = setTimeout(() => grid.updateRuns(), CHART_UPDATE_DELAY_MS);
  else grid.updateRuns();
});

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
function initSettings() {
  wireSettings(state, controls, { grid, runList, save: () => writeState(state) });
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
let lastIndex = null;
let firstLoad = true;

/**
 * The card at the top left of the page on the first load: the first pinned one, else the one whose
 * series the page carries (the server picks it by the URL's tag filter and runs); null when there
 * is none to draw.
 */
function leadingTag(tags, first) {
  const known = new Set(tags);
  const pinned = scalarPrefs.pins().find((tag) => known.has(tag));
  if (pinned) return pinned;
  return first && known.has(first.tag) ? first.tag : null;
}

/** Called by the reloader on the first tick and whenever the server's data changed. */
async function reload() {
  let runs;
  let index;
  const first = initial?.firstSeries;
  try {
    if (initial) [runs, index] = [initial.runs, initial.index];
    else [runs, index] = await Promise.all([fetchRuns(), fetchIndex()]);
    initial = null;
  } catch (err) {
    showNotice(`Could not load the run list: ${err.message}`, true);
    throw err;
  }
  showNotice("");
  // Compared as JSON only from the second load on: on a thousand runs the first load (which always
  // builds everything) would spend milliseconds before its first chart serializing the index.
  const changed = lastIndex === null || JSON.stringify(index) !== JSON.stringify(lastIndex);
  if (changed) {
    lastIndex = index;
    tagsByRun = index.runTags;
    runsByTag = new Map(index.tags.map((tag) => [tag, new Set()]));
    for (const [run, runTags] of Object.entries(index.runTags)) {
      for (const tag of runTags) runsByTag.get(tag).add(run);
    }
    // The index lists only runs with scalars (graph-only runs are not offered here), in order.
    runList.setRuns(index.runs);
    state.runs = runList.selection();
    writeState(state);
    const lead = firstLoad ? leadingTag(index.tags, first) : null;
    if (lead && index.tags.length > 1) {
      // The top-left card alone first: it is drawn before the other cards exist, so the frame that
      // shows it lays out and paints one card, and their construction waits (bench/scalars_page.py
      // with a competing process: first chart 0.73x, the renderer's layout and style time halved).
      grid.setTags([lead]);
      await afterPaint();
    }
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
