// Colour by device and by XLA cluster (TensorBoard's "device" and "XLA cluster" colour modes): an op
// gets the colour of its NodeDef's device (or `_XlaCluster` attr); a group is striped across in the
// colours of the ops inside, each stripe as wide as its share, as TensorBoard draws mixed groups.
import { KIND } from './model.js';

export const PLACEMENT_MODES = ['device', 'xla'];

const PALETTE = [
  '#80b1d3', '#fdb462', '#b3de69', '#fb8072', '#bebada', '#8dd3c7', '#fccde5', '#ffed6f',
  '#bc80bd', '#ccebc5', '#d9a384', '#9ecae1',
];
// Ops placed nowhere (or in no cluster); their share of a group is drawn too.
export const UNPLACED = '#ffffff';

/** The per-node column and the name table of a mode ('device' or 'xla'). */
function table(model, mode) {
  return mode === 'device' ? [model.deviceOf, model.devices] : [model.xlaOf, model.xlaClusters];
}

/** Whether the graph names any device (mode 'device') or XLA cluster (mode 'xla'). */
export function hasPlacement(model, mode) {
  return table(model, mode)[1].length > 0;
}

export function placementColor(index) {
  return index < 0 ? UNPLACED : PALETTE[index % PALETTE.length];
}

/** [[table index (-1 = none), op count], ...] of the ops in id's subtree, most first (cached). */
export function composition(model, id, mode) {
  const cache = model.placementCache;
  const key = `${mode}:${id}`;
  let parts = cache.get(key);
  if (!parts) {
    const [of] = table(model, mode);
    const counts = new Map();
    for (let i = id; i < model.end[id]; i++) {
      if (model.kind[i] === KIND.op) counts.set(of[i], (counts.get(of[i]) || 0) + 1);
    }
    parts = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    cache.set(key, parts);
  }
  return parts;
}

/** A node's paint: {fill} for one colour, {stops: [[color, from, to], ...]} (fractions) for a mix. */
export function placementPaint(model, id, mode) {
  const parts = composition(model, id, mode);
  if (parts.length <= 1) return { fill: placementColor(parts.length ? parts[0][0] : -1) };
  const total = parts.reduce((sum, [, n]) => sum + n, 0);
  const stops = [];
  let from = 0;
  for (const [index, n] of parts) {
    const to = from + n / total;
    stops.push([placementColor(index), from, to]);
    from = to;
  }
  return { fill: parts[0][0] >= 0 ? placementColor(parts[0][0]) : UNPLACED, stops };
}

/** Legend entries: every device (cluster) of the graph with its op count, and the ops without one. */
export function placementLegend(model, mode) {
  const [, names] = table(model, mode);
  const counts = new Map(composition(model, 0, mode));
  // Device names differ at their end (".../device:CPU:0"): the legend cuts them at the start.
  const entries = names.map((name, i) => ({ color: placementColor(i), label: name, count: counts.get(i) || 0,
    tail: true }));
  if (counts.get(-1)) {
    entries.push({ color: UNPLACED, label: mode === 'device' ? 'no device' : 'no cluster', count: counts.get(-1) });
  }
  return entries;
}
