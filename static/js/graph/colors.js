// Node colors: by op type (op nodes; hashed onto a fixed palette) or by structure (groups with the same
// inner structure share a color, as TensorBoard's default view does); the step-stats, placement (device,
// XLA cluster) and diff modes are in their own modules.
import { diffColor, diffLegend } from './diff.js';
import { KIND } from './model.js';
import { PLACEMENT_MODES, placementLegend, placementPaint } from './placement.js';
import { formatStat, statColor, STAT_MODES } from './step_stats.js';

const OP_PALETTE = [
  '#8dd3c7', '#fdd38a', '#bebada', '#fb8072', '#80b1d3', '#fdb462', '#b3de69', '#fccde5',
  '#bc80bd', '#ccebc5', '#ffed6f', '#9ecae1', '#f4a582', '#a6d96a', '#d6b4fc', '#f9c0a8',
];
const STRUCTURE_HUES = [210, 120, 30, 280, 175, 0, 55, 320, 95, 245];
const NEUTRAL_GROUP = '#d9dde3';
const NEUTRAL_OP = '#ffffff';

function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function opColor(opType) {
  return OP_PALETTE[hash(opType) % OP_PALETTE.length];
}

function structureColor(template) {
  if (template < 0) return NEUTRAL_GROUP;
  const hue = STRUCTURE_HUES[template % STRUCTURE_HUES.length];
  const light = 82 - 6 * (Math.floor(template / STRUCTURE_HUES.length) % 3);
  return `hsl(${hue}, 55%, ${light}%)`;
}

/**
 * Paint of a node for the color mode ('structure', 'op', 'device', 'xla', with step stats
 * 'compute'/'memory', when compared with another graph 'diff'): {fill} or, for a group mixing
 * devices or clusters, {fill, stops: [[color, from, to], ...]} (see placement.js).
 */
export function nodePaint(model, id, mode) {
  if (PLACEMENT_MODES.includes(mode)) return placementPaint(model, id, mode);
  return { fill: nodeFill(model, id, mode) };
}

function nodeFill(model, id, mode) {
  if (mode === 'diff' && model.diff) return diffColor(model, id);
  if (model.stepStats && STAT_MODES.includes(mode)) return statColor(model.stepStats, id, mode);
  if (model.kind[id] === KIND.op) return mode === 'op' ? opColor(model.opType(id)) : NEUTRAL_OP;
  if (mode === 'op') return model.kind[id] === KIND.series ? opColor(model.opType(id)) : NEUTRAL_GROUP;
  return structureColor(model.template[id]);
}

/** Legend entries for what the scene shows: [{color, label, count}]. */
export function legendEntries(model, scene, mode) {
  if (PLACEMENT_MODES.includes(mode)) return placementLegend(model, mode);
  if (mode === 'diff' && model.diff) return diffLegend(model);
  if (model.stepStats && STAT_MODES.includes(mode)) {
    // The scene's heaviest nodes, heaviest first.
    const stats = model.stepStats;
    return scene.nodes.filter((n) => stats.has[n.id])
      .sort((a, b) => stats[mode][b.id] - stats[mode][a.id])
      .map((n) => ({ color: statColor(stats, n.id, mode), label: model.label[n.id],
        count: formatStat(mode, stats[mode][n.id]) }));
  }
  const counts = new Map();
  for (const node of scene.nodes) {
    const id = node.id;
    let key = null;
    if (mode === 'op') {
      if (model.kind[id] !== KIND.scope) key = model.opType(id);
    } else if (model.kind[id] !== KIND.op && model.template[id] >= 0) {
      key = model.template[id];
    }
    if (key === null) continue;
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else counts.set(key, { key, count: 1, example: id });
  }
  const entries = [...counts.values()].map((e) => (mode === 'op'
    ? { color: opColor(e.key), label: e.key, count: e.count }
    : { color: structureColor(e.key), label: `like ${model.label[e.example]}`, count: e.count }));
  entries.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  return entries;
}
