// Fetches the graph dashboard's JSON (routes in board/routes/graph_explorer.py).

import { queryString } from '../query.js';

async function getJson(url) {
  const response = await fetch(url);
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    throw new Error(`${url}: ${response.status} (not JSON)`);
  }
  if (!response.ok) throw new Error((body && body.error) || `${url}: ${response.status}`);
  return body;
}

const query = queryString; // names of any bytes are sent exactly

/** [{run, kinds: [...]}] for the runs that have graphs. */
export async function fetchGraphRuns() {
  return (await getJson('/data/graph/runs')).runs;
}

/** URL of the hierarchy JSON of one graph (see board/graph_hierarchy.py); the worker loads it. */
export function hierarchyUrl(run, kind) {
  return `/data/graph/hierarchy?${query({ run, kind })}`;
}

/** Details of one op: attrs, inputs and outputs with shapes. */
export function fetchNode(run, kind, name) {
  return getJson(`/data/graph/node?${query({ run, kind, name })}`);
}

/** Compute time and memory per node of a run-metadata graph kind (board/step_stats.py). */
export function fetchStepStats(run, kind) {
  return getJson(`/data/graph/step_stats?${query({ run, kind })}`);
}
