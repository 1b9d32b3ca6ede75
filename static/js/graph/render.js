// Draws a scene as SVG markup (one string, inserted at once): group boxes, edges, nodes, stubs.
import { GRAPH_CLS as CLS } from '../classes.js';
import { GEOM } from './geometry.js';
import { EDGE_CONTROL, FLAG, KIND } from './model.js';
import { nodePaint } from './colors.js';

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
const r1 = (v) => Math.round(v * 10) / 10;

/** SVG <defs> for arrowheads (inserted once). */
export const DEFS = `<defs>
<marker id="g-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
 orient="auto-start-reverse" markerUnits="userSpaceOnUse"><path d="M0,1 L10,5 L0,9 z" class="g-arrow-head"/></marker>
</defs>`;

/** Orthogonal polyline with rounded corners. */
function pathData(points) {
  if (points.length < 2) return '';
  let d = `M${r1(points[0][0])},${r1(points[0][1])}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [px, py] = points[i - 1];
    const [x, y] = points[i];
    const [nx, ny] = points[i + 1];
    const inLen = Math.hypot(x - px, y - py);
    const outLen = Math.hypot(nx - x, ny - y);
    const r = Math.min(6, inLen / 2, outLen / 2);
    if (r < 0.5) { d += ` L${r1(x)},${r1(y)}`; continue; }
    const ax = x - ((x - px) / inLen) * r;
    const ay = y - ((y - py) / inLen) * r;
    const bx = x + ((nx - x) / outLen) * r;
    const by = y + ((ny - y) / outLen) * r;
    d += ` L${r1(ax)},${r1(ay)} Q${r1(x)},${r1(y)} ${r1(bx)},${r1(by)}`;
  }
  const last = points[points.length - 1];
  return d + ` L${r1(last[0])},${r1(last[1])}`;
}

const edgeWidth = (count) => r1(1 + Math.min(2.5, Math.log2(count) * 0.5));

function edgeMarkup(edge, index) {
  const control = edge.flags & EDGE_CONTROL;
  const cls = `${CLS.edge}${control ? ' ' + CLS.control : ''}`;
  let out = `<g class="${cls}" data-a="${edge.a}" data-b="${edge.b}" data-edge="${index}">` +
    `<path class="${CLS.edgePath}" d="${pathData(edge.points)}" stroke-width="${edgeWidth(edge.count)}"` +
    ` marker-end="url(#g-arrow)"/>`;
  if (edge.labelPos && edge.label) {
    out += `<text class="${CLS.edgeLabel}" x="${r1(edge.labelPos[0] + 2)}" y="${r1(edge.labelPos[1] + 8)}">` +
      `${esc(edge.label)}</text>`;
  }
  return out + '</g>';
}

function expanderMarkup(x, y, open) {
  const sign = open ? '' : `<line x1="${x}" y1="${y - 3.5}" x2="${x}" y2="${y + 3.5}"/>`;
  return `<g class="${CLS.expander}"><circle cx="${x}" cy="${y}" r="7"/>` +
    `<line x1="${x - 3.5}" y1="${y}" x2="${x + 3.5}" y2="${y}"/>${sign}</g>`;
}

/** A horizontal gradient of hard-edged stripes ([[color, from, to], ...]) for a group of mixed colours. */
function stripes(id, stops) {
  const offsets = stops.map(([color, from, to]) =>
    `<stop offset="${r1(from * 100)}%" stop-color="${color}"/><stop offset="${r1(to * 100)}%" stop-color="${color}"/>`);
  return `<defs><linearGradient id="g-mix-${id}">${offsets.join('')}</linearGradient></defs>`;
}

function nodeMarkup(model, node, colorMode) {
  const { id, x, y, w, h } = node;
  const kind = model.kind[id];
  const paint = nodePaint(model, id, colorMode);
  const defs = paint.stops ? stripes(id, paint.stops) : '';
  const fill = paint.stops ? `url(#g-mix-${id})` : paint.fill;
  const label = esc(model.label[id]);
  const classes = [CLS.node];
  if (node.aux) classes.push(CLS.aux);
  if (model.flags[id] & FLAG.dangling) classes.push(CLS.dangling);
  let body;
  if (kind === KIND.op) {
    const constant = (model.flags[id] & FLAG.constant) !== 0;
    classes.push(CLS.op);
    if (constant) classes.push(CLS.constant);
    body = `<rect width="${w}" height="${h}" rx="${h / 2}" fill="${fill}"/>` +
      `<text class="${CLS.label}" x="${w / 2}" y="${h / 2}">${label}</text>`;
  } else if (node.open) {
    classes.push(CLS.scope, CLS.expanded);
    if (kind === KIND.series) classes.push(CLS.series);
    body = `<rect width="${r1(w)}" height="${r1(h)}" rx="6" fill="${fill}"/>` +
      `<text class="${CLS.groupLabel}" x="10" y="${GEOM.groupHeader / 2 + 1}">${label}</text>` +
      expanderMarkup(r1(w - 14), GEOM.groupHeader / 2, true);
  } else {
    classes.push(kind === KIND.series ? CLS.series : CLS.scope);
    const stack = kind === KIND.series
      ? `<rect x="4" y="-4" width="${w - 4}" height="${h}" rx="4" fill="${fill}"/>` : '';
    body = `${stack}<rect width="${w}" height="${h}" rx="${kind === KIND.series ? 4 : 6}" fill="${fill}"/>` +
      `<text class="${CLS.label}" x="${(w - 18) / 2 + 2}" y="${h / 2}">${label}</text>` +
      expanderMarkup(w - 13, h / 2, false);
  }
  return `<g class="${classes.join(' ')}" data-id="${id}" transform="translate(${r1(x)},${r1(y)})">` +
    `${defs}${body}</g>`;
}

function stubLabelMarkup(stub) {
  if (!stub.label) return '';
  // In the auxiliary column, right of the stub, where scene.js made room; elsewhere on the left,
  // away from the node's expander.
  const [x, y, cls] = stub.aux
    ? [stub.x + GEOM.stubLabelGap, stub.y + GEOM.stubLength / 2, `${CLS.stubLabel} ${CLS.stubLabelAux}`]
    : [stub.x - GEOM.stubLabelGap, stub.dir === 'in' ? stub.y + 4 : stub.y + GEOM.stubLength - 1, CLS.stubLabel];
  // dy centers the aux label on the stub (dominant-baseline is not kept by every SVG viewer).
  return `<text class="${cls}" x="${r1(x)}" y="${r1(y)}"${stub.aux ? ' dy="0.35em"' : ''}>${esc(stub.label)}</text>`;
}

function stubMarkup(stub, index) {
  const y2 = stub.y + GEOM.stubLength;
  const text = stubLabelMarkup(stub);
  return `<g class="${CLS.stub}${stub.control ? ' ' + CLS.control : ''}" data-id="${stub.id}" data-stub="${index}">` +
    `<path d="M${r1(stub.x)},${r1(stub.y)} L${r1(stub.x)},${r1(y2 - 1)}" marker-end="url(#g-arrow)"/>${text}</g>`;
}

/**
 * Tooltip text for a drawn element (node, edge or stub), made when the pointer first rests on it:
 * the markup itself carries no <title>s, which keeps big scenes light.
 */
export function tooltipFor(model, scene, el) {
  if (el.dataset.stub !== undefined) {
    const stub = scene.stubs[Number(el.dataset.stub)];
    const more = stub.otherCount - stub.others.length; // scene.js keeps the first few names only
    const others = stub.others.map((o) => model.name[o]).join(', ') + (more > 0 ? ` and ${more} more` : '');
    return `${stub.dir === 'in' ? 'inputs from' : 'outputs to'} ${others || 'outside this group'} (${stub.count})`;
  }
  if (el.dataset.edge !== undefined) {
    const edge = scene.edges[Number(el.dataset.edge)];
    const control = edge.flags & EDGE_CONTROL;
    return `${model.name[edge.a]} → ${model.name[edge.b]}` +
      (edge.count > 1 ? ` (${edge.count} edges)` : '') + (control ? ' [control]' : '') +
      (edge.label && edge.count === 1 ? ` ${edge.label}` : '');
  }
  const id = Number(el.dataset.id);
  return model.name[id] + (model.kind[id] === KIND.op ? ` (${model.opType(id)})` : ` — ${model.count[id]} ops`);
}

/** Whether box [x, y, w, h] meets `region` ({x0, y0, x1, y1}; null = everything). */
const meets = (region, x, y, w, h) => !region ||
  (x <= region.x1 && x + w >= region.x0 && y <= region.y1 && y + h >= region.y0);

/**
 * SVG markup of the scene, or of the part of it meeting `region` (scene coordinates): big scenes are
 * drawn around the visible area only, and redrawn as the view moves (see main.js).
 */
export function sceneMarkup(model, scene, colorMode, region = null) {
  const parts = [];
  const shown = scene.nodes.filter((n) => meets(region, n.x, n.y, n.w, n.h));
  for (const node of shown) if (node.open) parts.push(nodeMarkup(model, node, colorMode));
  for (const area of scene.auxAreas) {
    if (!meets(region, area.x, area.y, area.w, area.h)) continue;
    parts.push(`<rect class="${CLS.auxArea}" x="${r1(area.x)}" y="${r1(area.y)}" width="${r1(area.w)}"` +
      ` height="${r1(area.h)}" rx="4"/>`);
  }
  scene.edges.forEach((edge, i) => {
    const [x0, y0, x1, y1] = edge.bbox;
    if (meets(region, x0, y0, x1 - x0, y1 - y0)) parts.push(edgeMarkup(edge, i));
  });
  scene.stubs.forEach((stub, i) => {
    // Labels run up to about 40 px to the left of the stub, or to its right in the auxiliary column.
    if (meets(region, stub.x - 40, stub.y, 80, GEOM.stubLength)) parts.push(stubMarkup(stub, i));
  });
  for (const node of shown) if (!node.open) parts.push(nodeMarkup(model, node, colorMode));
  return parts.join('');
}
