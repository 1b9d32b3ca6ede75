// Turns (model, expanded groups) into a scene: absolute boxes for every visible node, routed edges and
// stubs. Each open group is laid out on its own (children only), innermost first, so expanding a
// group lays out that group and re-lays out its ancestors, and every layout is cached by content.
// With `showAux` off the auxiliary nodes (init, save, summaries, hubs: board/graph_hierarchy.py) and
// their edges are left out; the main areas' layouts do not change (they never hold them).
import { GEOM, collapsedSize, textWidth } from './geometry.js';
import { EDGE_CONTROL } from './model.js';

/** Open groups (root plus expanded groups whose ancestors are all open), parents before children. */
function openGroups(model, expanded) {
  const out = [0];
  for (let i = 0; i < out.length; i++) {
    for (const child of model.children[out[i]]) {
      if (model.isGroup(child) && expanded.has(child)) out.push(child);
    }
  }
  return out;
}

function depthOf(model, id) {
  let d = 0;
  for (let p = model.parent[id]; p >= 0; p = model.parent[p]) d++;
  return d;
}

function groupInput(model, group, sizeOf, showAux) {
  const main = [];
  const aux = [];
  for (const child of model.children[group]) {
    if (!model.isAux(child)) main.push(child);
    else if (showAux) aux.push(child);
  }
  const isMain = new Set(main);
  const nodes = main.map((id) => {
    const [w, h] = sizeOf(id);
    return { id, w, h };
  });
  const edges = [];
  model.edgesOf(group).forEach(([a, b, , flags, label], index) => {
    if (!isMain.has(a) || !isMain.has(b)) return;
    const edge = { id: index, s: a, t: b };
    if (label && !(flags & EDGE_CONTROL)) {
      edge.label = label;
      edge.lw = textWidth(label, GEOM.fonts.edge) + 4;
      edge.lh = GEOM.edgeLabelHeight;
    }
    edges.push(edge);
  });
  const key = `${group}|` + nodes.map((n) => `${n.w}x${n.h}`).join(',');
  return { main, aux, graph: { key, nodes, edges } };
}

/** Lays out what is open and returns the scene (see `compose`). */
export async function buildScene(model, expanded, layouter, { showAux = true } = {}) {
  const open = openGroups(model, expanded);
  const isOpen = new Set(open);
  const byDepth = new Map();
  for (const g of open) {
    const d = depthOf(model, g);
    if (!byDepth.has(d)) byDepth.set(d, []);
    byDepth.get(d).push(g);
  }
  const boxes = new Map();
  const sizeOf = (id) => (isOpen.has(id) ? [boxes.get(id).w, boxes.get(id).h] : collapsedSize(model, id));
  const depths = [...byDepth.keys()].sort((a, b) => b - a);
  for (const d of depths) {
    const groups = byDepth.get(d);
    const inputs = groups.map((g) => groupInput(model, g, sizeOf, showAux));
    const layouts = await layouter.layout(inputs.map((input) => input.graph));
    groups.forEach((g, i) => boxes.set(g, boxFor(model, g, inputs[i], layouts[i], sizeOf)));
  }
  return compose(model, boxes, isOpen, sizeOf, showAux);
}

// Where a node's stubs start, left of its center: ELK attaches edges around the center, and the
// expander is on the right.
const stubOffset = (w) => Math.min(10, w / 4);

/** Short text naming the other ends of a stub (TensorBoard's annotations): "init", "save +2". */
function stubLabel(model, first, count) {
  if (!count) return '';
  return count > 1 ? `${model.label[first]} +${count - 1}` : model.label[first];
}

/**
 * The auxiliary column of a group, its nodes stacked top to bottom: {w, h, sizes, tops}. Each node
 * has room above it for its in stub and below it for its out stub, so the stubs of two neighbours
 * never share the gap between them. Their labels are drawn right of the stub (render.js), and the
 * column is made wide enough to hold them: drawn on the left, they ran into the main area's edges.
 */
function auxColumn(model, group, aux, sizeOf) {
  // The other ends of each aux node's stubs, as compose() will collect them.
  const ends = new Map(aux.map((id) => [id, { in: [], out: [] }]));
  for (const [a, b] of model.edgesOf(group)) {
    ends.get(a)?.out.push(b);
    ends.get(b)?.in.push(a);
  }
  const sizes = aux.map(sizeOf);
  const tops = [];
  let w = 0;
  let y = 0;
  aux.forEach((id, i) => {
    const [nodeW, nodeH] = sizes[i];
    y += (i > 0 ? GEOM.auxSpacing : 0) + GEOM.stubLength;
    tops.push(y);
    y += nodeH + GEOM.stubLength;
    let labelW = 0;
    for (const others of Object.values(ends.get(id))) {
      const label = stubLabel(model, others[0], others.length);
      if (label) labelW = Math.max(labelW, GEOM.stubLabelGap + textWidth(label, GEOM.fonts.stub));
    }
    w = Math.max(w, nodeW, stubOffset(nodeW) + labelW);
  });
  return { w, h: y, sizes, tops };
}

function boxFor(model, group, input, layout, sizeOf) {
  const column = auxColumn(model, group, input.aux, sizeOf);
  const auxW = column.w;
  const auxH = column.h;
  const header = group === 0 ? 0 : GEOM.groupHeader;
  const pad = GEOM.groupPad;
  const contentW = layout.width;
  const contentH = layout.height;
  const titleW = group === 0 ? 0 : textWidth(model.label[group], GEOM.fonts.scope) + 44;
  const w = Math.max(pad + contentW + (input.aux.length ? GEOM.auxGap + auxW : 0) + pad, titleW);
  const h = header + Math.max(contentH, auxH) + pad + (group === 0 ? pad : 0);
  return { w, h, header, contentW, contentH, auxW, auxH, main: input.main, aux: input.aux, column, layout };
}

/**
 * Scene: {width, height, nodes: [{id, x, y, w, h, open, aux, depth}], edges: [{group, a, b, count,
 * flags, label, points, labelPos, bbox: [x0, y0, x1, y1]}], stubs: [{id, dir, x, y, count, control, others,
 * otherCount, aux, label}], auxAreas: [{x, y, w, h}], byId: Map id -> node}.
 */
function compose(model, boxes, isOpen, sizeOf, showAux) {
  const nodes = [];
  const edges = [];
  const stubs = new Map();
  const auxAreas = [];
  const byId = new Map();

  const addStub = (id, dir, count, flags, other) => {
    const key = `${id}:${dir}`;
    let stub = stubs.get(key);
    if (!stub) {
      stub = { id, dir, count: 0, control: true, others: [], otherCount: 0 };
      stubs.set(key, stub);
    }
    stub.count += count;
    if (!(flags & EDGE_CONTROL)) stub.control = false;
    if (other === null) return;
    stub.otherCount += 1;
    if (stub.others.length < 8) stub.others.push(other);
  };

  const place = (group, ox, oy, depth) => {
    const box = boxes.get(group);
    const cx = ox + GEOM.groupPad;
    const cy = oy + (group === 0 ? GEOM.groupPad : box.header);
    for (const id of box.main) {
      const [x, y] = box.layout.nodes[id];
      const [w, h] = sizeOf(id);
      const node = { id, x: cx + x, y: cy + y, w, h, open: isOpen.has(id), aux: false, depth };
      nodes.push(node);
      byId.set(id, node);
      if (node.open) place(id, node.x, node.y, depth + 1);
    }
    if (box.aux.length) {
      const ax = cx + box.contentW + (box.contentW ? GEOM.auxGap : 0);
      auxAreas.push({ x: ax - GEOM.auxGap / 2, y: cy - 4, w: box.auxW + GEOM.auxGap / 2 + 4, h: box.auxH + 8 });
      box.aux.forEach((id, i) => {
        const [w, h] = box.column.sizes[i];
        const node = { id, x: ax, y: cy + box.column.tops[i], w, h, open: isOpen.has(id), aux: true, depth };
        nodes.push(node);
        byId.set(id, node);
        if (node.open) place(id, node.x, node.y, depth + 1);
      });
    }
    model.edgesOf(group).forEach(([a, b, count, flags, label], index) => {
      if (model.isAux(a) || model.isAux(b)) {
        if (!showAux) return;
        addStub(a, 'out', count, flags, b);
        addStub(b, 'in', count, flags, a);
        return;
      }
      const routed = box.layout.edges[index];
      if (!routed) return;
      const points = routed.points.map(([x, y]) => [x + cx, y + cy]);
      const labelPos = routed.label ? [routed.label[0] + cx, routed.label[1] + cy] : null;
      const xs = points.map((p) => p[0]);
      const ys = points.map((p) => p[1]);
      if (labelPos) { xs.push(labelPos[0] + 40); ys.push(labelPos[1] + 12); }
      const bbox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      edges.push({ group, a, b, count, flags, label, points, labelPos, bbox });
    });
    if (group !== 0) {
      for (const [child, dir, count, flags] of model.bridgesOf(group)) {
        addStub(child, dir === 0 ? 'in' : 'out', count, flags, null);
      }
    }
  };

  const root = boxes.get(0);
  place(0, 0, 0, 0);
  const stubList = [];
  for (const stub of stubs.values()) {
    const node = byId.get(stub.id);
    if (!node) continue;
    const x = node.x + stubOffset(node.w);
    const y = stub.dir === 'in' ? node.y - GEOM.stubLength : node.y + node.h;
    const label = stubLabel(model, stub.others[0], stub.otherCount);
    stubList.push({ ...stub, x, y, aux: node.aux, label });
  }
  return { width: root.w, height: root.h, nodes, edges, stubs: stubList, auxAreas, byId };
}
