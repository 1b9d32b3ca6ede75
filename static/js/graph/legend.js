// The color legend in the sidebar, for what is currently drawn.
import { GRAPH_CLS as CLS } from '../classes.js';
import { legendEntries } from './colors.js';
import { esc } from './render.js';

const MAX_ENTRIES = 24;
// Around a name cut at its start (CSS direction: rtl), left-to-right marks keep its leading and
// trailing punctuation in place ("/job:...": the slash would otherwise move to the end).
const ltr = (text) => `\u200e${esc(text)}\u200e`;
const MAX_REMOVED = 12;

function note(model, mode) {
  const notes = {
    op: 'Op nodes by type',
    structure: 'Same color = same structure',
    compute: 'Compute time of the step (darker = more; grey = not run)',
    memory: 'Memory allocated in the step (darker = more; grey = not run)',
    device: 'Ops by device; a group is striped by the devices of its ops',
    xla: 'Ops by XLA cluster; a group is striped by the clusters of its ops',
  };
  if (mode === 'diff' && model.diff) {
    const { run, label } = model.diff.against;
    return `Compared with ${run || '.'} (${label})`;
  }
  return notes[mode] || notes.structure;
}

function items(entries, limit) {
  const shown = entries.slice(0, limit).map((e) => `<li class="${CLS.legendItem}">` +
    `<span class="${CLS.legendSwatch}" style="background:${e.color}"></span>` +
    `<span class="g-legend-label${e.tail ? ' g-legend-label-tail' : ''}" title="${esc(e.label)}">${e.tail ? ltr(e.label) : esc(e.label)}</span>` +
    `<span class="g-legend-count">${e.count}</span></li>`);
  const more = entries.length > limit ? `<li class="g-legend-more">+${entries.length - limit} more</li>` : '';
  return shown.join('') + more;
}

/** The ops only the other graph has: they are not drawn, so the legend names them. */
function removedHtml(model) {
  const removed = model.diff.removed;
  if (!removed.length) return '<p class="g-legend-note">No op removed</p>';
  const names = removed.slice(0, MAX_REMOVED).map((name) => `<li class="g-legend-removed" title="${esc(name)}">${ltr(name)}</li>`);
  const more = removed.length > MAX_REMOVED ? `<li class="g-legend-more">+${removed.length - MAX_REMOVED} more</li>` : '';
  return `<p class="g-legend-note">Removed (only in the other graph): ${removed.length}</p>` +
    `<ul class="${CLS.legend} ${CLS.legendRemoved}">${names.join('')}${more}</ul>`;
}

export function drawLegend(element, model, scene, mode) {
  const entries = legendEntries(model, scene, mode);
  const head = `<p class="g-legend-note">${esc(note(model, mode))}</p>`;
  const removed = mode === 'diff' && model.diff ? removedHtml(model) : '';
  element.innerHTML = `${head}<ul class="${CLS.legend}">${items(entries, MAX_ENTRIES)}</ul>${removed}`;
}
