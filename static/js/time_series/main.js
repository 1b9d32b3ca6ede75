/**
 * Time Series page (TensorBoard 2.x's default page): one grid of cards for the scalars, histograms
 * and images of the selected runs, grouped by tag prefix, pinned cards first.
 *
 * Made of the other pages' parts: the scalars page's grid, cards, run list and settings
 * (scalars/), the Histograms and Images pages' cards (histograms/card.js, images/card.js) in the
 * dashboards' frame (time_series/plugin_card.js). A scalar card is one per tag, with every run;
 * a histogram or image card is one per (run, tag), for the shown runs. Cards load as they scroll
 * into view. Card keys are JSON `[kind, tag]` or `[kind, tag, run]`; pins (by key) and each
 * scalar card's own settings are kept in localStorage "board.timeseries" (scalars/prefs.js), the
 * view in the URL and localStorage (time_series/state.js).
 *
 * Step selection is shared, as TensorBoard's linked time: a step clicked in one scalar chart (with
 * steps on the horizontal axis) is selected in every drawn scalar chart, and image cards move their
 * slider to it; clearing it clears them all.
 *
 * For tests, window.board (testhook.js) exposes {grid, runs, state, prefs, reload(), keyOf()}.
 */
import "../base.js";
import { CLS } from "../classes.js";
import { Settings } from "../dashboard/page.js";
import { fillCard as fillHistogramCard } from "../histograms/card.js";
import { getJSON } from "../http.js";
import { applyLook, fillCard as fillImageCard } from "../images/card.js";
import { reloader } from "../reload.js";
import { fetchIndex, fetchRuns } from "../scalars/api.js";
import { ScalarCard } from "../scalars/card.js";
import { TagGrid } from "../scalars/grid.js";
import { scalarControls, wireSettings } from "../scalars/controls.js";
import { closeMenusOnEscape } from "../scalars/menus.js";
import { openPrefs } from "../scalars/prefs.js";
import { pageRunList } from "../scalars/runs.js";
import { exposeForTests, markLoaded } from "../testhook.js";
import { PluginCard } from "./plugin_card.js";
import { readState, writeState } from "./state.js";

const $ = (selector) => document.querySelector(selector);
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
const KINDS = ["scalars", "histograms", "images"]; // the order of a tag's cards
const FILL = { histograms: fillHistogramCard, images: fillImageCard };
// Typing in the run filter updates the list at once and the cards once typing pauses.
const CARD_UPDATE_DELAY_MS = 200;

const state = readState();
const prefs = openPrefs("board.timeseries");
if (state.pins !== null) prefs.setPins(state.pins); // a link's pins win over this browser's

export function keyOf(kind, tag, run) {
  return JSON.stringify(run === undefined ? [kind, tag] : [kind, tag, run]);
}

let entries = new Map(); // key -> {kind, tag, run, info}, every card the logdir has
let runsByTag = new Map(); // scalar tag -> Set(run)

const controls = scalarControls();
const modes = document.querySelectorAll("[data-setting=mode]");

// The histogram and image cards' settings (their pages' names): the plugin panel's inputs, and the
// scalars' horizontal axis for the histograms' time axis.
const pluginSettings = new Settings($("[data-plugin-settings]"));
const cardSettings = { get: (name) => (name === "axis" ? state.x : pluginSettings.get(name)) };

function view() {
  return { smoothing: state.smoothing, x: state.x, log: state.log, outliers: state.outliers };
}

function pinsChanged() {
  const pins = prefs.pins();
  state.pins = pins.length ? pins : null;
  writeState(state);
  grid.onPinChange();
}

const context = {
  view,
  prefs,
  nouns: ["card", "cards"],
  onPinChange: pinsChanged,
  onShowEmpty: (show) => {
    state.empty = show;
    writeState(state);
  },
  runsFor: (tag, card) => {
    if (card.run !== undefined) return runList.visibleRuns().includes(card.run) ? [card.run] : [];
    const runs = runsByTag.get(tag);
    return runs ? runList.visibleRuns().filter((r) => runs.has(r)) : [];
  },
  makeCard(key) {
    const { kind, tag, run, info } = entries.get(key);
    if (kind === "scalars") return new ScalarCard(tag, $("#scalar-card-template"), context, key);
    return new PluginCard({ key, kind, run, tag, info, settings: cardSettings, fill: FILL[kind], prefs,
      onPinChange: pinsChanged });
  },
};
const grid = new TagGrid($("[data-groups]"), $("#scalar-card-template"), $("[data-tag-status]"),
  $("[data-empty-toggle]"), context);

/** The cards to show: every scalar tag's, and the histograms and images of the shown runs. */
function layout() {
  const shown = new Set(runList.visibleRuns());
  const keys = Array.from(entries).filter(([, e]) => e.run === undefined || shown.has(e.run));
  keys.sort(([, a], [, b]) => collator.compare(a.tag, b.tag) || KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind)
    || collator.compare(a.run ?? "", b.run ?? ""));
  grid.setTags(keys.map(([key]) => key));
  grid.updateRuns();
}

let cardUpdate = 0;
const runList = pageRunList(state, (what) => {
  state.runs = runList.selection();
  state.onlySelected = runList.onlySelected;
  writeState(state);
  clearTimeout(cardUpdate);
  if (what === "colors") grid.applyView();
  else if (what === "filter") cardUpdate = setTimeout(layout, CARD_UPDATE_DELAY_MS);
  else layout();
});

// ---- settings -> state -> URL -> cards ----
function initSettings() {
  const { settingsChanged } = wireSettings(state, controls, { grid, runList, save: () => writeState(state) });
  for (const radio of modes) radio.checked = radio.value === state.mode;
  pluginSettings.onChange(() => {
    state.mode = pluginSettings.get("mode");
    applyLook(pluginSettings);
    settingsChanged();
  });
  applyLook(pluginSettings);
  writeState(state); // a view restored from localStorage shows in the URL
}

function showNotice(text) {
  const notice = $("[data-notice]");
  notice.textContent = text || "";
  notice.classList.toggle(CLS.hidden, !text);
  notice.classList.toggle(CLS.error, Boolean(text));
}

// ---- loading and live reload ----
let lastJSON = "";
let firstLoad = true;

/** Called by the reloader on the first tick and whenever the server's data changed. */
async function reload() {
  let answers;
  try {
    answers = await Promise.all([fetchIndex(), getJSON("/data/plugin/histograms/tags"),
      getJSON("/data/plugin/images/tags"), fetchRuns()]);
  } catch (err) {
    showNotice(`Could not list the tags: ${err.message}`);
    throw err;
  }
  showNotice("");
  const json = JSON.stringify(answers);
  const changed = json !== lastJSON;
  if (changed) {
    lastJSON = json;
    const [index, histograms, images, allRuns] = answers;
    entries = new Map();
    runsByTag = new Map(index.tags.map((tag) => [tag, new Set()]));
    for (const [run, tags] of Object.entries(index.runTags)) for (const tag of tags) runsByTag.get(tag).add(run);
    for (const tag of index.tags) entries.set(keyOf("scalars", tag), { kind: "scalars", tag, info: {} });
    const runs = new Set(index.runs);
    for (const [kind, byRun] of [["histograms", histograms], ["images", images]]) {
      for (const [run, tags] of Object.entries(byRun)) {
        runs.add(run);
        for (const [tag, info] of Object.entries(tags)) entries.set(keyOf(kind, tag, run), { kind, tag, run, info });
      }
    }
    runList.setRuns(allRuns.filter((run) => runs.has(run))); // in the server's order, as other pages
    state.runs = runList.selection();
    writeState(state);
    layout();
  }
  $("[data-empty]").classList.toggle(CLS.hidden, entries.size > 0);
  $("[data-toolbar]").classList.toggle(CLS.hidden, entries.size === 0);
  const cardsChanged = firstLoad ? false : await grid.refresh();
  firstLoad = false;
  markLoaded();
  return changed || cardsChanged;
}

// ---- the shared step ----
let sharing = false; // selecting in the other charts sends their own chart:select events
$("[data-groups]").addEventListener("chart:select", (event) => {
  if (sharing || state.x !== "step") return;
  const selection = event.detail;
  sharing = true;
  try {
    for (const card of grid.cards.values()) {
      if (card.chart && card.element !== event.target.closest("article")) card.chart.select(selection);
      if (selection && selection.x0 === selection.x1) card.showStep?.(selection.x0);
    }
  } finally {
    sharing = false;
  }
});

window.addEventListener("board:themechange", () => grid.rebuild());
closeMenusOnEscape(grid);

exposeForTests({ grid, runs: runList, state, prefs, keyOf, reload: () => reloader.now() });

initSettings();
reloader.register(reload);
