// Step stats of a run-metadata graph (GET /data/graph/step_stats, board/step_stats.py) joined to the
// drawn graph by node name, as TensorBoard joins them: an op's compute time and memory are its own, a
// group's the sum of the ops inside. The "compute time" and "memory" colours and the info panel read them.
import { KIND } from './model.js';

export const STAT_MODES = ['compute', 'memory'];

/** {compute, memory: Float64Array per id, has: Uint8Array (1 = some op inside ran), byName, max}. */
export function joinStepStats(model, json) {
  const compute = new Float64Array(model.size);
  const memory = new Float64Array(model.size);
  const has = new Uint8Array(model.size);
  for (let i = 0; i < model.size; i++) {
    const entry = model.kind[i] === KIND.op ? json.nodes[model.name[i]] : undefined;
    if (entry) { compute[i] = entry.compute_us; memory[i] = entry.memory_bytes; has[i] = 1; }
  }
  // Ids are depth-first (a parent's id is below its children's): one backward pass sums the subtrees.
  for (let i = model.size - 1; i > 0; i--) {
    const p = model.parent[i];
    compute[p] += compute[i];
    memory[p] += memory[i];
    has[p] |= has[i];
  }
  return { compute, memory, has, byName: json.nodes, max: { compute: 0, memory: 0 } };
}

/** Scales the colours to the largest value among the nodes the scene draws. */
export function scaleToScene(stats, scene) {
  for (const mode of STAT_MODES) {
    let max = 0;
    for (const node of scene.nodes) max = Math.max(max, stats[mode][node.id]);
    stats.max[mode] = max;
  }
}

/** White (nothing) to deep red (the scene's largest); grey for nodes the step did not run. */
export function statColor(stats, id, mode) {
  if (!stats.has[id]) return '#e4e7eb';
  const ratio = stats.max[mode] > 0 ? stats[mode][id] / stats.max[mode] : 0;
  return `hsl(6, 78%, ${Math.round(97 - 55 * ratio)}%)`;
}

export function formatMicros(us) {
  if (us >= 1e6) return `${(us / 1e6).toFixed(2)} s`;
  if (us >= 1e3) return `${(us / 1e3).toFixed(1)} ms`;
  return `${us} µs`;
}

export function formatBytes(bytes) {
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(1)} GiB`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} B`;
}

export function formatStat(mode, value) {
  return mode === 'compute' ? formatMicros(value) : formatBytes(value);
}

/** Info-panel rows [[label, text]] for a node: its step stats (a group's summed over its ops). */
export function statRows(model, stats, id) {
  if (!stats.has[id]) return [['Step stats', 'not run in this step']];
  const rows = [['Compute time', formatMicros(stats.compute[id])], ['Memory', formatBytes(stats.memory[id])]];
  const own = model.kind[id] === KIND.op ? stats.byName[model.name[id]] : null;
  if (own) {
    rows.push(['Started at', `+${formatMicros(own.start_us)}`]);
    if (own.outputs.length) rows.push(['Output shapes', own.outputs.join(', ')]);
  }
  return rows;
}
