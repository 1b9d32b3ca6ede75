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
