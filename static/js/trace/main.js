/**
 * Trace view (templates/trace.html): a traced step's timeline and two steps compared.
 * Lists the runs' run-metadata tags (/data/trace/runs), draws the chosen step (/data/trace/timeline)
 * with timeline.js, finds nodes by name or /regex/, and compares the step with another
 * (/data/trace/compare) in a table sorted by the server. The view is in the URL
 * (?run=&tag=&q=&run2=&tag2=&group=&depth=&sort=&order=), so the graph page can link to it.
 * `window.board` exposes the Timeline (`timeline`), `state` and `snapshot()` for tests;
 * `<body data-loaded="true">` once the first step (or the empty state) is shown. The run list follows
 * the logdir (static/js/reload.js), so a step traced while the page is open appears in it.
 */
import "../base.js";
import { h, userRegex } from "../dom.js";
import { formatBytes, formatMicros } from "../graph/step_stats.js";
import { reloader } from "../reload.js";
import { exposeForTests, markLoaded } from "../testhook.js";
import { fetchCompare, fetchTimeline, fetchTraceRuns } from "./api.js";
import { MAX_FILE_BYTES, stepFromChromeTrace } from "./chrome_trace.js";
import { renderCompare } from "./compare.js";
import { laneLabel, Timeline } from "./timeline.js";

const $ = (selector) => document.querySelector(selector);
const el = {
  run: $("[data-tr-run]"), tag: $("[data-tr-tag]"), run2: $("[data-tr-run2]"), tag2: $("[data-tr-tag2]"),
  group: $("[data-tr-group]"), depth: $("[data-tr-depth]"), search: $("[data-tr-search]"),
  matches: $("[data-tr-matches]"), status: $("[data-tr-status]"), empty: $("[data-empty]"),
  timeline: $("[data-tr-timeline]"), chart: $("[data-tr-chart]"), tooltip: $("[data-tr-tooltip]"),
  details: $("[data-tr-details]"), compare: $("[data-tr-compare]"), compareNote: $("[data-tr-compare-note]"),
  compareTitle: $("[data-tr-compare-title]"), table: $("[data-tr-table]"), graphLink: $("[data-tr-graph-link]"),
  file: $("[data-tr-file]"),
};
const url = new URLSearchParams(window.location.search);
const state = {
  run: url.get("run"), tag: url.get("tag"), query: url.get("q") || "",
  run2: url.get("run2"), tag2: url.get("tag2"), group: url.get("group") === "scope" ? "scope" : "op",
  depth: Math.min(64, Math.max(1, Number(url.get("depth")) || 1)),
  sort: url.get("sort") || "time_diff", order: url.get("order") === "asc" ? "asc" : "desc",
  runs: [], data: null, matches: [], matchCursor: -1, compare: null,
  file: null, // the name of a trace file shown instead of a run's step
};
const NONE = "";

const timeline = new Timeline(el.chart, { onHover: showTooltip, onPick: showDetails });

function saveUrl() {
  const p = new URLSearchParams();
  for (const [key, value] of [["run", state.run], ["tag", state.tag], ["q", state.query], ["run2", state.run2],
    ["tag2", state.tag2]]) if (value) p.set(key, value);
  if (state.tag2) {
    if (state.group !== "op") p.set("group", state.group);
    if (state.group === "scope" && state.depth !== 1) p.set("depth", String(state.depth));
    if (state.sort !== "time_diff") p.set("sort", state.sort);
    if (state.order !== "desc") p.set("order", state.order);
  }
  window.history.replaceState(null, "", `${window.location.pathname}?${p}`);
}

function options(select, values, chosen, none) {
  const items = none ? [h("option", { value: NONE }, none)] : [];
  for (const value of values) items.push(h("option", { value }, value));
  select.replaceChildren(...items);
  select.value = chosen ?? NONE;
}

function tagsOf(run) {
  return (state.runs.find((r) => r.run === run) || { tags: [] }).tags;
}

function populate() {
  const names = state.runs.map((r) => r.run);
  if (!names.includes(state.run)) state.run = names[0];
  options(el.run, names, state.run);
  if (!tagsOf(state.run).includes(state.tag)) state.tag = tagsOf(state.run)[0];
  options(el.tag, tagsOf(state.run), state.tag);
  if (state.run2 && !names.includes(state.run2)) state.run2 = null;
  options(el.run2, names, state.run2 || state.run);
  const run2 = state.run2 || state.run;
  if (state.tag2 && !tagsOf(run2).includes(state.tag2)) state.tag2 = null;
  options(el.tag2, tagsOf(run2), state.tag2, "(no comparison)");
  el.group.value = state.group;
  el.depth.value = String(state.depth);
  el.depth.disabled = state.group !== "scope";
  el.search.value = state.query;
}

function setStatus(text, error = false) {
  el.status.textContent = text;
  el.status.classList.toggle("is-error", error);
}

async function loadStep() {
  const { run, tag } = state;
  el.graphLink.href = `/graphs?${new URLSearchParams({ run, kind: `run_metadata/${tag}` })}`;
  setStatus("Loading the step…");
  let data;
  try {
    data = await fetchTimeline(run, tag);
  } catch (error) {
    setStatus(`Could not load the step: ${error.message}`, true);
    return;
  }
  if (run !== state.run || tag !== state.tag) return;
  state.file = null;
  el.file.value = "";
  showStep(data, `${tag}: no step stats (the run metadata holds graphs only; trace with FULL_TRACE to time ops)`);
}

/** Draws a step (a run's, or a trace file's), or says `emptyText` when it has no bars. */
function showStep(data, emptyText, prefix = "") {
  state.data = data;
  const n = data.events.lane.length;
  el.details.hidden = true;
  if (!n) {
    setStatus(emptyText);
    el.timeline.hidden = true;
  } else {
    el.timeline.hidden = false;
    timeline.show(data);
    const devices = new Set(data.lanes.map((lane) => lane.device)).size;
    setStatus(`${prefix}${n.toLocaleString()} ops on ${devices} device${devices === 1 ? "" : "s"}, ` +
      `${data.lanes.length} lane${data.lanes.length === 1 ? "" : "s"}, ${formatMicros(timeline.end)}` +
      (data.truncated ? " (cut: the step has more ops than the Trace view draws)" : ""));
  }
  search();
}

/** Shows a Chrome trace file the user picked (chrome_trace.js), in place of the run's step. */
async function openFile(file) {
  if (file.size > MAX_FILE_BYTES) {
    setStatus(`Could not open ${file.name}: ${formatBytes(file.size)} is more than the ${formatBytes(MAX_FILE_BYTES)} ` +
      "the Trace view reads", true);
    return;
  }
  let data;
  try {
    data = stepFromChromeTrace(JSON.parse(await file.text()));
  } catch (error) {
    setStatus(`Could not open ${file.name}: ${error.message}`, true);
    return;
  }
  state.file = file.name;
  el.empty.classList.add("is-hidden");
  showStep(data, `${file.name}: no events`, `${file.name}: `);
}

function search() {
  const text = state.query.trim();
  // "/.../" is a regular expression (case-insensitive); anything else a name substring.
  const slashed = text.length > 2 && text.startsWith("/") && text.endsWith("/");
  const { regex, valid } = slashed ? userRegex(text.slice(1, -1)) : { regex: null, valid: true };
  el.search.classList.toggle("is-invalid", !valid);
  const data = state.data;
  state.matches = [];
  state.matchCursor = -1;
  if (!data || !data.events.lane.length) return;
  if (!text || !valid) {
    timeline.highlight(null);
    el.matches.textContent = valid ? "" : "Not a valid regular expression.";
    return;
  }
  const needle = text.toLowerCase();
  const test = regex ? (name) => regex.test(name) : (name) => name.toLowerCase().includes(needle);
  const match = new Uint8Array(data.events.name.length);
  data.events.name.forEach((name, i) => {
    if (test(name)) { match[i] = 1; state.matches.push(i); }
  });
  state.matches.sort((a, b) => data.events.start_us[a] - data.events.start_us[b]);
  timeline.highlight(match);
  el.matches.textContent = `${state.matches.length.toLocaleString()} of ${match.length.toLocaleString()} ops match`;
}

function nextMatch() {
  if (!state.matches.length) return;
  state.matchCursor = (state.matchCursor + 1) % state.matches.length;
  const index = state.matches[state.matchCursor];
  timeline.reveal(index);
  showDetails(index);
}

function rows(index) {
  const ev = state.data.events;
  const lane = state.data.lanes[ev.lane[index]];
  const opTime = ev.op_end_us[index] - ev.op_start_us[index];
  return [
    ["op", ev.op[index]],
    ["lane", laneLabel(lane)],
    ["start", `+${formatMicros(ev.start_us[index])}`],
    ["duration", formatMicros(ev.duration_us[index])],
    ["op time", `${formatMicros(opTime)} (from +${formatMicros(ev.op_start_us[index])})`],
    ["output bytes", formatBytes(ev.output_bytes[index])],
    ["memory", formatBytes(ev.memory_bytes[index])],
  ];
}

function keyValues(index) {
  return h("dl", { class: "tr-kv" }, rows(index).map(([key, value]) => [h("dt", {}, key), h("dd", {}, value)]));
}

function showTooltip(index, left, top) {
  if (index === null || index === undefined) {
    el.tooltip.classList.add("is-hidden");
    return;
  }
  el.tooltip.replaceChildren(h("strong", {}, state.data.events.name[index]), keyValues(index));
  el.tooltip.classList.remove("is-hidden");
  const over = timeline.plot.over;
  const box = el.timeline.getBoundingClientRect();
  const plot = over.getBoundingClientRect();
  const x = plot.left - box.left + left + 14;
  const y = plot.top - box.top + top + 14;
  el.tooltip.style.left = `${Math.min(x, box.width - el.tooltip.offsetWidth - 4)}px`;
  el.tooltip.style.top = `${y}px`;
}

function showDetails(index) {
  if (index === null || index === undefined) {
    el.details.hidden = true;
    return;
  }
  const name = state.data.events.name[index];
  const graph = `/graphs?${new URLSearchParams({ run: state.run, kind: `run_metadata/${state.tag}`, select: name })}`;
  // A trace file's nodes belong to no run's graph here.
  const link = state.file ? [] : [h("p", { class: "tr-note" }, h("a", { href: graph }, "Show this node on the graph"))];
  el.details.replaceChildren(h("h3", { class: "tr-details__title" }, name), keyValues(index), ...link);
  el.details.hidden = false;
}

async function loadCompare() {
  saveUrl();
  if (!state.tag2) {
    el.compare.hidden = true;
    return;
  }
  const params = { run: state.run, tag: state.tag, run2: state.run2 || state.run, tag2: state.tag2,
    group: state.group, depth: state.depth, sort: state.sort, order: state.order };
  let answer;
  try {
    answer = await fetchCompare(params);
  } catch (error) {
    el.compare.hidden = false;
    el.compareNote.textContent = `Could not compare: ${error.message}`;
    return;
  }
  state.compare = answer;
  el.compare.hidden = false;
  el.compareTitle.textContent = `A: ${answer.a.run} · ${answer.a.tag}   B: ${answer.b.run} · ${answer.b.tag}`;
  el.compareNote.textContent = `Δ = B − A. ${answer.rows.length} of ${answer.total_rows} rows` +
    (answer.rows.length < answer.total_rows ? " (the largest by the sorted column)" : "");
  renderCompare(el.table, answer, state.sort, state.order, (key) => {
    // A new column starts with names A to Z and with the largest numbers; the same column flips.
    if (key === state.sort) state.order = state.order === "desc" ? "asc" : "desc";
    else state.order = key === "key" ? "asc" : "desc";
    state.sort = key;
    loadCompare();
  });
}

el.run.addEventListener("change", () => {
  state.run = el.run.value;
  state.tag = null;
  populate();
  saveUrl();
  loadStep();
  loadCompare();
});
el.tag.addEventListener("change", () => {
  state.tag = el.tag.value;
  saveUrl();
  loadStep();
  loadCompare();
});
el.run2.addEventListener("change", () => {
  state.run2 = el.run2.value === state.run ? null : el.run2.value;
  state.tag2 = null;
  populate();
  loadCompare();
});
el.tag2.addEventListener("change", () => {
  state.tag2 = el.tag2.value || null;
  loadCompare();
});
el.group.addEventListener("change", () => {
  state.group = el.group.value;
  el.depth.disabled = state.group !== "scope";
  loadCompare();
});
el.depth.addEventListener("change", () => {
  state.depth = Math.min(64, Math.max(1, Math.round(Number(el.depth.value)) || 1));
  el.depth.value = String(state.depth);
  loadCompare();
});
el.file.addEventListener("change", () => {
  if (el.file.files.length) openFile(el.file.files[0]);
});
el.search.addEventListener("input", () => {
  state.query = el.search.value;
  saveUrl();
  search();
});
el.search.addEventListener("keydown", (e) => {
  if (e.key === "Enter") nextMatch();
});

let runsKey = null;

/** The reload function (static/js/reload.js): lists the runs again when the logdir changed, keeping
 * the choices; loads the step when it is a new one (the first, or one that has just been written). */
async function refreshRuns() {
  let runs;
  try {
    runs = await fetchTraceRuns();
  } catch (error) {
    setStatus(`Could not list the runs: ${error.message}`, true);
    markLoaded();
    return false;
  }
  const key = JSON.stringify(runs);
  if (key === runsKey) return false;
  runsKey = key;
  state.runs = runs;
  el.empty.classList.toggle("is-hidden", runs.length > 0 || state.file !== null);
  if (state.file !== null) {  // the file stays shown; the lists follow the logdir
    if (runs.length) populate();
    return true;
  }
  if (!runs.length) {
    el.timeline.hidden = true;
    setStatus("");
    markLoaded();
    return true;
  }
  const shown = state.data ? `${state.data.run}\u0000${state.data.tag}` : null;
  populate();
  saveUrl();
  if (shown !== `${state.run}\u0000${state.tag}`) await Promise.all([loadStep(), loadCompare()]);
  markLoaded();
  return true;
}

exposeForTests({
  timeline,
  state,
  snapshot: () => ({
    lanes: state.data ? state.data.lanes.map(laneLabel) : [],
    bars: state.data ? state.data.events.lane.length : 0,
    range: timeline.plot ? timeline.visibleRange() : null,
    matches: state.matches.length,
    selected: timeline.selected === null ? null : state.data.events.name[timeline.selected],
    compareRows: state.compare && !el.compare.hidden ? state.compare.rows.map((row) => row.key) : [],
  }),
});
reloader.register(refreshRuns);
