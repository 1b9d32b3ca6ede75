// Web Worker: the graph page's heavy lifting off the main thread. Classic worker (importScripts).
// 1. Layout: lays out groups' children with elkjs (layered, top to bottom).
//    In:  {requestId, graphs: [{key, nodes: [{id, w, h}], edges: [{id, s, t, label?, lw?, lh?}]}]}
//    Out: {requestId, results: [{key, width, height, nodes: {id: [x, y]},
//          edges: {id: {points: [[x, y], ...], label: [x, y] | null}}, ms}]} or {requestId, error}.
// 2. Parsing: a hierarchy JSON the page fetched (numeric columns as transferred Int32Arrays).
//    In:  {requestId, hierarchy: {url, status, ok, body: ArrayBuffer}}   Out: {requestId, json} or {requestId, error}.
// 3. {warm: true}: loads elkjs now (the page is fetching a graph to lay out); no answer.
/* global ELK */
let elk = null;

/** Loads elkjs on first use, or when the page starts fetching a graph (1.6 MB of script: its parse
 * overlaps the hierarchy's download). */
function ensureElk() {
  if (elk) return elk;
  // elk.bundled.js, run inside a worker, installs its own self.onmessage (when `new ELK()` first
  // loads its engine): keep ours.
  const ours = self.onmessage;
  importScripts(new URL('../../vendor/elk.bundled.js', self.location.href).href);
  elk = new ELK();
  self.onmessage = ours;
  return elk;
}

const LAYOUT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.spacing.nodeNode': '16',
  'elk.layered.spacing.nodeNodeBetweenLayers': '26',
  'elk.spacing.edgeNode': '10',
  'elk.spacing.edgeEdge': '6',
  'elk.layered.spacing.edgeNodeBetweenLayers': '10',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '6',
  'elk.spacing.edgeLabel': '2',
  'elk.spacing.componentComponent': '26',
  'elk.separateConnectedComponents': 'true',
  'elk.aspectRatio': '1.6',
  'elk.layered.thoroughness': '5',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
};

const GRID_GAP_X = 14;
const GRID_GAP_Y = 12;

/** Nodes without edges go in rows under the layered part: ELK would lay each out as a component. */
function packGrid(nodes, top, minWidth, positions) {
  if (!nodes.length) return [0, 0];
  const area = nodes.reduce((sum, n) => sum + (n.w + GRID_GAP_X) * (n.h + GRID_GAP_Y), 0);
  const width = Math.max(minWidth, Math.sqrt(area * 1.6), ...nodes.map((n) => n.w));
  let x = 0;
  let y = top;
  let rowHeight = 0;
  let usedWidth = 0;
  for (const n of nodes) {
    if (x > 0 && x + n.w > width) {
      x = 0;
      y += rowHeight + GRID_GAP_Y;
      rowHeight = 0;
    }
    positions[n.id] = [x, y];
    x += n.w + GRID_GAP_X;
    usedWidth = Math.max(usedWidth, x - GRID_GAP_X);
    rowHeight = Math.max(rowHeight, n.h);
  }
  return [usedWidth, y + rowHeight];
}

// Above this many connected nodes, ELK would take too long: a plain layered layout is used instead.
const ELK_MAX_NODES = 2500;
const FAST_GAP_Y = 36;

/**
 * Layered layout in linear time for huge groups: layer = longest path from a source (nodes on cycles
 * go last), nodes in model order within a layer, layers wrapped into rows of a readable width, edges
 * drawn as three-segment orthogonal lines without labels.
 */
function layoutFast(graphNodes, graphEdges, nodes, edges) {
  const index = new Map(graphNodes.map((n, i) => [n.id, i]));
  const outs = graphNodes.map(() => []);
  const indegree = new Int32Array(graphNodes.length);
  for (const e of graphEdges) {
    outs[index.get(e.s)].push(index.get(e.t));
    indegree[index.get(e.t)] += 1;
  }
  const layer = new Int32Array(graphNodes.length).fill(-1);
  const queue = [];
  indegree.forEach((d, i) => { if (d === 0) { queue.push(i); layer[i] = 0; } });
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head];
    for (const j of outs[i]) {
      layer[j] = Math.max(layer[j], layer[i] + 1);
      if (--indegree[j] === 0) queue.push(j);
    }
  }
  const deepest = Math.max(0, ...layer);
  layer.forEach((l, i) => { if (l < 0) layer[i] = deepest + 1; });
  const byLayer = [];
  graphNodes.forEach((n, i) => (byLayer[layer[i]] ||= []).push(n));
  const area = graphNodes.reduce((sum, n) => sum + (n.w + GRID_GAP_X) * (n.h + FAST_GAP_Y), 0);
  const maxWidth = Math.max(Math.sqrt(area * 1.6), ...graphNodes.map((n) => n.w));
  let y = 0;
  let width = 0;
  for (const row of byLayer) {
    if (!row) continue;
    let x = 0;
    let rowHeight = 0;
    for (const n of row) {
      if (x > 0 && x + n.w > maxWidth) { y += rowHeight + FAST_GAP_Y; x = 0; rowHeight = 0; }
      nodes[n.id] = [x, y];
      x += n.w + GRID_GAP_X;
      width = Math.max(width, x - GRID_GAP_X);
      rowHeight = Math.max(rowHeight, n.h);
    }
    y += rowHeight + FAST_GAP_Y;
  }
  const size = new Map(graphNodes.map((n) => [n.id, n]));
  for (const e of graphEdges) {
    const [sx, sy] = nodes[e.s];
    const [tx, ty] = nodes[e.t];
    const a = [sx + size.get(e.s).w / 2, sy + size.get(e.s).h];
    const b = [tx + size.get(e.t).w / 2, ty];
    const mid = b[1] > a[1] ? b[1] - FAST_GAP_Y / 3 : a[1] + FAST_GAP_Y / 3;
    edges[e.id] = { points: [a, [a[0], mid], [b[0], mid], b], label: null };
  }
  return { width, height: Math.max(0, y - FAST_GAP_Y) };
}

async function layoutOne(graph) {
  const started = performance.now();
  const linked = new Set();
  for (const e of graph.edges) { linked.add(e.s); linked.add(e.t); }
  const connected = graph.nodes.filter((n) => linked.has(n.id));
  const isolated = graph.nodes.filter((n) => !linked.has(n.id));
  const nodes = {};
  const edges = {};
  let width = 0;
  let height = 0;
  if (connected.length) {
    const out = connected.length > ELK_MAX_NODES
      ? layoutFast(connected, graph.edges, nodes, edges)
      : await layoutLayered(connected, graph.edges, nodes, edges);
    width = out.width;
    height = out.height;
  }
  const top = connected.length ? height + 2 * GRID_GAP_Y : 0;
  const [gridW, gridH] = packGrid(isolated, top, width, nodes);
  return {
    key: graph.key, width: Math.max(width, gridW), height: isolated.length ? gridH : height, nodes, edges,
    ms: performance.now() - started,
  };
}

async function layoutLayered(graphNodes, graphEdges, nodes, edges) {
  const elkGraph = {
    id: 'root',
    layoutOptions: LAYOUT_OPTIONS,
    children: graphNodes.map((n) => ({ id: String(n.id), width: n.w, height: n.h })),
    edges: graphEdges.map((e) => ({
      id: String(e.id),
      sources: [String(e.s)],
      targets: [String(e.t)],
      labels: e.label ? [{ text: e.label, width: e.lw, height: e.lh }] : [],
    })),
  };
  const out = await ensureElk().layout(elkGraph);
  for (const child of out.children) nodes[child.id] = [child.x, child.y];
  for (const edge of out.edges || []) {
    const points = [];
    for (const section of edge.sections || []) {
      points.push([section.startPoint.x, section.startPoint.y]);
      for (const bend of section.bendPoints || []) points.push([bend.x, bend.y]);
      points.push([section.endPoint.x, section.endPoint.y]);
    }
    const label = edge.labels && edge.labels[0];
    edges[edge.id] = { points, label: label ? [label.x, label.y] : null };
  }
  return { width: out.width || 0, height: out.height || 0 };
}

// Numeric columns of the hierarchy JSON, turned into Int32Arrays that move to the page without a copy.
const INT_COLUMNS = ['kind', 'op', 'parent', 'end', 'count', 'flags', 'template'];
const INT_ROWS = ['edges', 'bridges', 'baseEdges'];

/** Parses the hierarchy JSON here, so a big graph's parse never blocks the page. */
function parseHierarchy({ url, status, ok, body }) {
  let json;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch (error) {
    throw new Error(`${url}: ${status} (not JSON)`, { cause: error });
  }
  if (!ok) throw new Error(json.error || `${url}: ${status}`);
  const transfer = [];
  const toInts = (values) => {
    const array = Int32Array.from(values);
    transfer.push(array.buffer);
    return array;
  };
  for (const key of INT_COLUMNS) json.nodes[key] = toInts(json.nodes[key]);
  for (const key of INT_ROWS) json[key] = toInts(json[key]);
  return [json, transfer];
}

const errorText = (error) => String(error && error.message ? error.message : error);

self.onmessage = async (event) => {
  const { requestId, graphs, hierarchy, warm } = event.data;
  if (warm) {
    ensureElk();
    return;
  }
  if (hierarchy) {
    try {
      const [json, transfer] = parseHierarchy(hierarchy);
      self.postMessage({ requestId, json }, transfer);
    } catch (error) {
      self.postMessage({ requestId, error: errorText(error) });
    }
    return;
  }
  try {
    const results = [];
    for (const graph of graphs) results.push(await layoutOne(graph));
    self.postMessage({ requestId, results });
  } catch (error) {
    self.postMessage({ requestId, error: errorText(error) });
  }
};
