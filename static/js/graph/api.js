// Fetches the graph dashboard's JSON (routes in board/routes/graph_explorer.py).
import { getJSON, query } from '../http.js';

/** [{run, kinds: [...]}] for the runs that have graphs. */
export async function fetchGraphRuns() {
  return (await getJSON('/data/graph/runs')).runs;
}

/** URL of the hierarchy JSON of one graph (see board/graph_hierarchy.py); the worker loads it. */
export function hierarchyUrl(run, kind) {
  return `/data/graph/hierarchy?${query({ run, kind })}`;
}

/** Details of one op: attrs, inputs and outputs with shapes. */
export function fetchNode(run, kind, name) {
  return getJSON(`/data/graph/node?${query({ run, kind, name })}`);
}

/** Compute time and memory per node of a run-metadata graph kind (board/step_stats.py). */
export function fetchStepStats(run, kind) {
  return getJSON(`/data/graph/step_stats?${query({ run, kind })}`);
}

/** Graph (run, kind) against (run2, kind2): added, removed and changed ops (board/graph_diff.py). */
export function fetchGraphDiff(run, kind, run2, kind2) {
  return getJSON(`/data/graph/diff?${query({ run, kind, run2, kind2 })}`);
}
