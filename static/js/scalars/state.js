/**
 * The dashboard's view state, mirrored in the query string so a link reopens the same view.
 *
 *   smoothing=0.8  x=step|relative|wall  log=1  outliers=0  width=s|m|l  empty=1  tags=<regex>
 *   runFilter=<regex>  onlySelected=1
 *   run=<name>&run=<name>   selected runs, present only when not every run is selected
 *                           (a single empty run= means none is selected)
 *
 * Defaults are left out of the URL.
 */
// The smoothing bounds and default: the template's slider carries board/routes/scalars.py's.
const slider = document.querySelector("[data-setting=smoothing]");
export const SMOOTHING_MAX = slider ? Number(slider.max) : 0.999;

export const DEFAULTS = Object.freeze({
  smoothing: slider ? Number(slider.defaultValue) : 0.6,
  x: "step",
  log: false,
  outliers: true, // as TensorBoard: the y range leaves out the top and bottom 5% of the values
  width: "m", // card width: s, m or l
  empty: false, // show cards that no drawn run has
  tags: "",
  runFilter: "",
  onlySelected: false, // the run list shows only the selected runs
  runs: null, // null = all runs selected; otherwise an array of selected run names
});

const X_MODES = new Set(["step", "relative", "wall"]);
const WIDTHS = new Set(["s", "m", "l"]);

export function clampSmoothing(value) {
  const v = Number(value);
  if (!Number.isFinite(v)) return DEFAULTS.smoothing;
  return Math.min(SMOOTHING_MAX, Math.max(0, v));
}

export function readState(search = window.location.search) {
  const params = new URLSearchParams(search);
  const state = { ...DEFAULTS };
  if (params.has("smoothing")) state.smoothing = clampSmoothing(params.get("smoothing"));
  if (X_MODES.has(params.get("x"))) state.x = params.get("x");
  state.log = params.get("log") === "1";
  state.outliers = params.get("outliers") !== "0";
  if (WIDTHS.has(params.get("width"))) state.width = params.get("width");
  state.empty = params.get("empty") === "1";
  state.onlySelected = params.get("onlySelected") === "1";
  state.tags = params.get("tags") || "";
  state.runFilter = params.get("runFilter") || "";
  if (params.has("run")) state.runs = params.getAll("run").filter((r) => r !== "");
  return state;
}

export function toSearch(state) {
  const params = new URLSearchParams();
  if (state.smoothing !== DEFAULTS.smoothing) params.set("smoothing", String(state.smoothing));
  if (state.x !== DEFAULTS.x) params.set("x", state.x);
  if (state.log) params.set("log", "1");
  if (!state.outliers) params.set("outliers", "0");
  if (state.width !== DEFAULTS.width) params.set("width", state.width);
  if (state.empty) params.set("empty", "1");
  if (state.tags) params.set("tags", state.tags);
  if (state.runFilter) params.set("runFilter", state.runFilter);
  if (state.onlySelected) params.set("onlySelected", "1");
  if (state.runs !== null) {
    if (state.runs.length === 0) params.append("run", "");
    for (const run of state.runs) params.append("run", run);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Replace the URL's query string (no new history entry per slider move); returns it. `encode`
 * turns the state into it (a page with more state than this one's passes its own). */
export function writeState(state, encode = toSearch) {
  const search = encode(state);
  if (search !== window.location.search) {
    window.history.replaceState(null, "", window.location.pathname + search + window.location.hash);
  }
  return search;
}
