// The Trace page's JSON (routes in board/routes/trace.py).
import { getJSON, query } from "../http.js";

/** [{run, tags: [...]}] for the runs holding run metadata. */
export async function fetchTraceRuns() {
  return (await getJSON("/data/trace/runs")).runs;
}

/** The step's lanes and bars (board/step_stats.py `timeline`). */
export function fetchTimeline(run, tag) {
  return getJSON(`/data/trace/timeline?${query({ run, tag })}`);
}

/** Two steps per op type or name scope: {rows, total_rows, totals} (board/step_stats.py `compare`). */
export function fetchCompare(params) {
  return getJSON(`/data/trace/compare?${query(params)}`);
}
