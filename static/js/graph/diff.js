// The drawn graph compared with another run's graph (GET /data/graph/diff, board/graph_diff.py): ops
// added (only in the drawn graph) or changed (op type, inputs or attrs) are coloured, and so is every
// group holding some; removed ops (only in the other graph) cannot be drawn and are listed instead.
import { KIND } from './model.js';

export const DIFF = { same: 0, added: 1, changed: 2 };
export const DIFF_COLORS = {
  added: '#8fd19e', changed: '#f7b96b', both: '#f2d28b', addedInside: '#cdebd4',
  changedInside: '#fbdcb4', same: '#ffffff', sameGroup: '#e4e7eb',
};

/** {status: per id (DIFF), inside: per group (bit 1 = something added inside, 2 = changed), changes:
 * Map name -> change, removed, counts, against: {run, kind, label}}; `label` names the other graph's kind. */
export function joinDiff(model, json, label) {
  const status = new Uint8Array(model.size);
  const inside = new Uint8Array(model.size);
  const changes = new Map(json.changed.map((c) => [c.name, c]));
  for (const name of json.added) {
    const id = model.opByName.get(name);
    if (id !== undefined) status[id] = DIFF.added;
  }
  for (const name of changes.keys()) {
    const id = model.opByName.get(name);
    if (id !== undefined) status[id] = DIFF.changed;
  }
  // Ids are depth-first (children after their parent): one backward pass marks the groups.
  for (let i = model.size - 1; i > 0; i--) {
    inside[model.parent[i]] |= model.kind[i] === KIND.op ? status[i] : inside[i];
  }
  return { status, inside, changes, removed: json.removed, counts: json.counts,
    against: { ...json.against, label } };
}

export function diffColor(model, id) {
  const d = model.diff;
  if (model.kind[id] === KIND.op) {
    return [DIFF_COLORS.same, DIFF_COLORS.added, DIFF_COLORS.changed][d.status[id]];
  }
  const inside = d.inside[id];
  if (inside === 3) return DIFF_COLORS.both;
  if (inside === 1) return DIFF_COLORS.addedInside;
  if (inside === 2) return DIFF_COLORS.changedInside;
  return DIFF_COLORS.sameGroup;
}

export function diffLegend(model) {
  const c = model.diff.counts;
  return [
    { color: DIFF_COLORS.added, label: 'added ops', count: c.added },
    { color: DIFF_COLORS.changed, label: 'changed ops', count: c.changed },
    { color: DIFF_COLORS.both, label: 'group with both', count: '' },
    { color: DIFF_COLORS.same, label: 'unchanged ops', count: c.same },
  ];
}

/** Info-panel rows [[label, text]] saying how node id differs from the other graph. */
export function diffRows(model, id) {
  const d = model.diff;
  if (model.kind[id] !== KIND.op) {
    let added = 0;
    let changed = 0;
    for (let i = id; i < model.end[id]; i++) {
      if (d.status[i] === DIFF.added) added++;
      else if (d.status[i] === DIFF.changed) changed++;
    }
    return [['Added inside', String(added)], ['Changed inside', String(changed)]];
  }
  if (d.status[id] === DIFF.added) return [['Difference', 'added: not in the other graph']];
  if (d.status[id] === DIFF.same) return [['Difference', 'none']];
  const change = d.changes.get(model.name[id]);
  const rows = [];
  if (change.op) rows.push(['Op', `${change.op[0]} → ${change.op[1]}`]);
  if (change.inputs) {
    rows.push(['Inputs were', change.inputs[0].join(', ') || 'none']);
    rows.push(['Inputs now', change.inputs[1].join(', ') || 'none']);
  }
  if (change.attrs.length) rows.push(['Attrs changed', change.attrs.join(', ')]);
  return rows;
}
