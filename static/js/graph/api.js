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

/** URL of the layouts of one graph's groups that pages laid out before (board/graph_layouts.py). */
export function layoutsUrl(run, kind) {
  return `/data/graph/layouts?${query({ run, kind })}`;
}

/** The remembered layouts at `url` ([] when there are none). */
export async function fetchLayouts(url) {
  return (await getJSON(url)).layouts;
}

// The server takes a layout of at most this many bytes (board/graph_layouts.py, MAX_BODY).
const MAX_LAYOUT_BYTES = 2 << 20;

/**
 * Gives the server one layout the worker computed, for the next page that opens the graph (not one
 * over the server's limit: a huge flat group's, which the worker lays out fast anyway).
 */
export async function shareLayout(run, kind, layout) {
  const { key, width, height, nodes, edges } = layout;
  const body = JSON.stringify({ key, width, height, nodes, edges });  // ASCII: length = bytes
  if (body.length > MAX_LAYOUT_BYTES) return null;
  return getJSON(layoutsUrl(run, kind), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
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
