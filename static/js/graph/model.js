// The hierarchy sent by the server, indexed for the page: children, names, ancestry, input tracing.
// Ids are depth-first, so the subtree of node i is the id range [i, end[i]).

export const KIND = { op: 0, scope: 1, series: 2 };
export const FLAG = { constant: 1, aux: 2, ownScope: 4, dangling: 8 };
export const EDGE_CONTROL = 1;

/** Full names from labels (see Hierarchy.to_json in board/graph_hierarchy.py). */
function buildNames(n) {
  const size = n.label.length;
  const name = new Array(size);
  const prefix = new Array(size);  // what children's names start with
  name[0] = '';
  prefix[0] = '';
  for (let i = 1; i < size; i++) {
    const p = n.parent[i];
    if (n.kind[i] === KIND.op && (n.flags[i] & FLAG.ownScope)) name[i] = name[p];
    else name[i] = prefix[p] ? `${prefix[p]}/${n.label[i]}` : n.label[i];
    prefix[i] = n.kind[i] === KIND.series ? prefix[p] : name[i];
  }
  return name;
}

/** Resolves in a new task, so the browser can paint and handle input in between. */
function yieldToBrowser() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/** Map group -> [start, end) offsets of its rows in a flat array ordered by group. */
function rowRanges(flat, width, groupAt) {
  const ranges = new Map();
  for (let i = 0; i < flat.length; i += width) {
    const group = groupAt(i);
    const range = ranges.get(group);
    if (range) range[1] = i + width; else ranges.set(group, [i, i + width]);
  }
  return ranges;
}

export class GraphModel {
  constructor(json) {
    const n = json.nodes;
    this.stats = json.stats;
    this.opTypes = json.opTypes;
    this.label = n.label;
    this.kind = n.kind;
    this.opIndex = n.op;
    this.parent = n.parent;
    this.end = n.end;
    this.count = n.count;
    this.flags = n.flags;
    this.template = n.template;
    this.baseEdges = json.baseEdges;
    this.size = n.label.length;
    // Device and XLA cluster of each op (indices into the name tables; absent columns = none).
    const none = () => new Int32Array(this.size).fill(-1);
    this.devices = json.devices || [];
    this.xlaClusters = json.xlaClusters || [];
    this.deviceOf = n.device || none();
    this.xlaOf = n.xla || none();
    this.placementCache = new Map();  // placement.js: each group's ops per device / cluster
    this.diff = null;  // diff.js: set while compared with another graph
    this._inputsOf = null;
    // Per group: aggregated edges between its children and bridges across its boundary. The server
    // sends the rows ordered by group; rows are sliced out for a group when it is first drawn.
    this.edgeRows = json.edges;
    this.edgeLabels = json.edgeLabels;
    this.bridgeRows = json.bridges;
    this.edgeRange = rowRanges(json.edges, 6, (i) => json.edges[i]);
    this.bridgeRange = rowRanges(json.bridges, 4, (i) => n.parent[json.bridges[i]]);
    this.groupEdges = new Map();
    this.groupBridges = new Map();
  }

  /** A model with names, children and lookups built in steps that leave the main thread in between
   * (big graphs would otherwise block it for one long task). */
  static async create(json) {
    const model = new GraphModel(json);
    await yieldToBrowser();
    model.name = buildNames(json.nodes);
    await yieldToBrowser();
    model.children = Array.from({ length: model.size }, () => []);
    for (let i = 1; i < model.size; i++) model.children[model.parent[i]].push(i);
    await yieldToBrowser();
    model.opByName = new Map();
    model.groupByName = new Map();
    for (let i = 0; i < model.size; i++) {
      if (model.kind[i] === KIND.op) model.opByName.set(model.name[i], i);
      else model.groupByName.set(model.name[i], i);
    }
    return model;
  }

  isGroup(id) { return this.kind[id] !== KIND.op; }
  isAux(id) { return (this.flags[id] & FLAG.aux) !== 0; }
  opType(id) { return this.opIndex[id] >= 0 ? this.opTypes[this.opIndex[id]] : ''; }

  /** Edges aggregated between the group's children: [[a, b, count, flags, label], ...]. */
  edgesOf(group) {
    let rows = this.groupEdges.get(group);
    if (!rows) {
      rows = [];
      const range = this.edgeRange.get(group);
      const e = this.edgeRows;
      if (range) {
        for (let i = range[0]; i < range[1]; i += 6) {
          rows.push([e[i + 1], e[i + 2], e[i + 3], e[i + 4], this.edgeLabels[e[i + 5]]]);
        }
      }
      this.groupEdges.set(group, rows);
    }
    return rows;
  }
  /** Edges crossing the group's boundary: [[child, 0 = in / 1 = out, count, flags], ...]. */
  bridgesOf(group) {
    let rows = this.groupBridges.get(group);
    if (!rows) {
      rows = [];
      const range = this.bridgeRange.get(group);
      const r = this.bridgeRows;
      if (range) for (let i = range[0]; i < range[1]; i += 4) rows.push([r[i], r[i + 1], r[i + 2], r[i + 3]]);
      this.groupBridges.set(group, rows);
    }
    return rows;
  }

  /** Ancestors of id from the root's child down to id's parent. */
  ancestors(id) {
    const out = [];
    for (let p = this.parent[id]; p > 0; p = this.parent[p]) out.push(p);
    return out.reverse();
  }

  /** The node drawn for id when only `expanded` groups are open. */
  visibleOf(id, expanded) {
    for (const a of this.ancestors(id)) if (!expanded.has(a)) return a;
    return id;
  }

  /** Node ids (ops and groups) in id's subtree whose op is an ancestor (input, transitively) of it. */
  traceInputs(id) {
    if (!this._inputsOf) {
      this._inputsOf = Array.from({ length: this.size }, () => []);
      const e = this.baseEdges;
      for (let i = 0; i < e.length; i += 3) this._inputsOf[e[i + 1]].push(e[i]);
    }
    const seen = new Uint8Array(this.size);
    const stack = [];
    for (let i = id; i < this.end[id]; i++) {
      if (this.kind[i] === KIND.op) { seen[i] = 1; stack.push(i); }
    }
    while (stack.length) {
      const cur = stack.pop();
      for (const src of this._inputsOf[cur]) {
        if (!seen[src]) { seen[src] = 1; stack.push(src); }
      }
    }
    return seen;
  }

  /** Names matching a query: plain text (case-insensitive substring) or /regex/. */
  search(text, limit = 200) {
    const q = text.trim();
    if (!q) return [];
    let test;
    const regex = q.length > 2 && q.startsWith('/') && q.endsWith('/');
    if (regex) {
      let re;
      try { re = new RegExp(q.slice(1, -1), 'i'); } catch (error) { return []; }
      test = (s) => re.test(s);
    } else {
      const lower = q.toLowerCase();
      test = (s) => s.toLowerCase().includes(lower);
    }
    const exact = [];
    const rest = [];
    for (let i = 1; i < this.size; i++) {
      if (this.kind[i] === KIND.series) continue;
      const name = this.name[i];
      if (!test(name)) continue;
      if (!regex && (name === q || name.endsWith('/' + q))) exact.push(i);
      else rest.push(i);
      if (exact.length + rest.length >= limit) break;
    }
    return exact.concat(rest);
  }
}
