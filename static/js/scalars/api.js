/**
 * Data fetching for the scalars dashboard: the JSON routes documented in docs/http-api.md.
 * Every series is returned as typed arrays {step, wall, value} sorted by step.
 */

import { getJSON, parseJSON, query } from "../http.js";

// Older import paths of the shared fetch helpers (static/js/http.js holds them).
export { ApiError, parseJSON, query } from "../http.js";

/**
 * The answers of the page's first requests that its HTML carries (board/routes/pages.py):
 * {status, runs, index, firstSeries}, or null when the page has none.
 */
export function pageData(id = "scalars-initial") {
  const element = document.getElementById(id);
  return element ? parseJSON(element.textContent) : null;
}

// The first chart's series, which the page carries (#scalars-first-series, the answer of
// first.url): {tag, url, points, smoothing, runs, payload}. The first fetchTagSeries for that tag
// and smoothing, of runs it covers, uses it instead of fetching.
let preloaded = null;

export function setPreloadedSeries(first, id = "scalars-first-series") {
  const text = first ? document.getElementById(id)?.textContent : "";
  preloaded = text ? { ...first, payload: parseJSON(text) } : null;
}

function takePreloaded(tag, smoothing, window, runs) {
  if (!preloaded || preloaded.tag !== tag || preloaded.smoothing !== smoothing || window) return null;
  const covered = new Set([...preloaded.payload.series.map((s) => s.run), ...preloaded.payload.missing]);
  if (!runs.every((run) => covered.has(run))) return null;
  const found = preloaded;
  preloaded = null;
  return found;
}

/** ["run", ...] */
export function fetchRuns() {
  return getJSON("/data/runs");
}

/** {runs: [...], tags: [...], runTags: {run: [tag, ...]}}: names in the order the page shows them. */
export function fetchIndex() {
  return getJSON("/data/scalars/index");
}

/** Every point of one series, TensorBoard's shape: [[wall_time, step, value], ...]. */
export function fetchRows(run, tag) {
  return getJSON(`/data/plugin/scalars/scalars?${query({ run, tag })}`);
}

const MAX_URL = 6000; // above this, ask for every run of the tag and filter here

function columns(payload, smoothing) {
  const n = payload.steps.length;
  return {
    // `new Float64Array(array)` converts each element as Number() does, so the non-finite values,
    // which arrive as the strings "NaN", "Infinity", "-Infinity", come out as numbers; without a
    // map function per element it is ~30x faster than Float64Array.from(array, Number).
    step: new Float64Array(payload.steps),
    wall: new Float64Array(payload.wall_times),
    value: new Float64Array(payload.values),
    // The server's EMA over the whole series at these points, when it computes one (see below).
    smoothed: payload.smoothed ? new Float64Array(payload.smoothed) : null,
    smoothing: payload.smoothed ? smoothing : null,
    total: payload.total ?? n,
    downsampled: Boolean(payload.downsampled),
  };
}

/**
 * One tag of several runs for a chart, from board's downsampled route: Map run -> series, plus
 * the runs the server no longer has (`missing`) and the `points` per run asked for (the series
 * the page carries may have fewer than asked here). `points` caps the points per run (each
 * bucket keeps its first, last, lowest and highest point); `stepMin`/`stepMax` limit the window.
 *
 * `smoothing` asks the server for a `smoothed` column: the EMA over every point of the series,
 * taken at the returned points. Smoothing the downsampled points here instead would weigh each
 * kept spike as if it stood for a quarter of its bucket. A server without that parameter ignores
 * it, and the card smooths what it has.
 */
export async function fetchTagSeries(tag, runs, { points = 1000, stepMin, stepMax, smoothing } = {}) {
  const params = { tag, run: runs, points: Math.max(4, Math.round(points)), x: "step", smoothing };
  if (stepMin !== undefined) params.xmin = stepMin;
  if (stepMax !== undefined) params.xmax = stepMax;
  let url = `/data/scalars/series_multi?${query(params)}`;
  if (url.length > MAX_URL) url = `/data/scalars/series_multi?${query({ ...params, run: undefined })}`;
  const first = takePreloaded(tag, smoothing, stepMin !== undefined || stepMax !== undefined, runs);
  if (first) params.points = first.points; // every run of the tag; the wanted ones are picked below
  const payload = first ? first.payload : await getJSON(url);
  const wanted = new Set(runs);
  const series = new Map();
  for (const item of payload.series) if (wanted.has(item.run)) series.set(item.run, columns(item, smoothing));
  const missing = runs.filter((run) => !series.has(run));
  return { series, missing, points: params.points };
}

/** URL of TensorBoard's per-series download (format "csv" or "json"). */
export function seriesURL(run, tag, format) {
  const params = { run, tag };
  if (format === "csv") params.format = "csv";
  return `/data/plugin/scalars/scalars?${query(params)}`;
}
