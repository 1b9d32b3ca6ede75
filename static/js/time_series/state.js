/**
 * The Time Series page's view state: the scalars page's (scalars/state.js: smoothing, x, log,
 * outliers, width, empty, tags, runs, ...) plus
 *
 *   pin=<card key>   (repeated) the pinned cards, in pin order; a link names its pins
 *   mode=overlay     histograms drawn on one baseline (default offset, TensorBoard's)
 *
 * kept in the query string and, as TensorBoard keeps its settings, in localStorage
 * ("board.timeseries.view"): opening the page without a query string restores the last view.
 */
import { readState as readScalarState, toSearch as scalarSearch, writeState as writeURL } from "../scalars/state.js";

const STORE = "board.timeseries.view";

export function readState(search = window.location.search) {
  if (!search) {
    try {
      search = localStorage.getItem(STORE) || "";
    } catch {
      /* storage disabled: the defaults */
    }
  }
  const params = new URLSearchParams(search);
  const state = readScalarState(search);
  state.pins = params.has("pin") ? params.getAll("pin").filter((p) => p !== "") : null;
  state.mode = params.get("mode") === "overlay" ? "overlay" : "offset";
  return state;
}

export function toSearch(state) {
  const params = new URLSearchParams(scalarSearch(state));
  for (const pin of state.pins ?? []) params.append("pin", pin);
  if (state.mode !== "offset") params.set("mode", state.mode);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Replace the URL's query string (no new history entry) and remember it for the next visit. */
export function writeState(state) {
  const search = writeURL(state, toSearch);
  try {
    localStorage.setItem(STORE, search);
  } catch {
    /* storage disabled or full: the URL still has it */
  }
}
