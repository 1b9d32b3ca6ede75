// The info panel: what the selected node is, its attrs, and its inputs/outputs as links.
import { GRAPH_CLS as CLS } from '../classes.js';
import { esc } from './render.js';
import { KIND } from './model.js';
import { diffRows } from './diff.js';
import { statRows } from './step_stats.js';

/** The step-stats section of a node when the graph has run metadata, and its difference from the
 * graph it is compared with, if any. */
function statsHtml(model, id) {
  let html = '';
  if (model.stepStats) {
    html += `<h4>Step stats</h4>${table(statRows(model, model.stepStats, id).map(([k, v]) => [k, esc(v)]))}`;
  }
  if (model.diff) {
    const { run } = model.diff.against;
    html += `<h4>Against ${esc(run || '.')}</h4>${table(diffRows(model, id).map(([k, v]) => [k, esc(v)]))}`;
  }
  return html;
}

function link(name, extra = '') {
  return `<a href="#" class="${CLS.infoLink}" data-name="${esc(name)}">${esc(name)}</a>${extra}`;
}

function table(rows) {
  if (!rows.length) return '<p class="g-info-empty">none</p>';
  return `<table class="${CLS.infoTable}">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function endpointRows(list) {
  return list.map((item) => {
    const shape = item.shape ? `<span class="g-info-shape">${esc(item.shape)}</span>` : '';
    const control = item.control ? '<span class="g-info-tag">control</span>' : '';
    const name = item.missing
      ? `<span class="${CLS.infoMissing}" title="not in this graph">${esc(item.name)}</span>`
      : link(item.name);
    return [shape || control || '', `${name}${shape && control ? ' ' + control : ''}`];
  });
}

function opInfoHtml(info) {
  const attrs = Object.entries(info.attrs).map(([k, v]) => [esc(k), `<code>${esc(v)}</code>`]);
  return `<h3 class="${CLS.infoTitle}" title="${esc(info.name)}">${esc(info.name)}</h3>` +
    table([['Operation', `<b class="g-info-op">${esc(info.op)}</b>`],
      ...(info.device ? [['Device', esc(info.device)]] : []),
      ...(info.outputShapes.length ? [['Outputs', esc(info.outputShapes.join(', '))]] : [])]) +
    `<h4>Attributes (${attrs.length})</h4>${table(attrs)}` +
    `<h4>Inputs (${info.inputs.length})</h4>${table(endpointRows(info.inputs))}` +
    `<h4>Outputs (${info.outputs.length})</h4>${table(endpointRows(info.outputs))}`;
}

function groupInfoHtml(model, id) {
  const counts = new Map();
  for (let i = id; i < model.end[id]; i++) {
    if (model.kind[i] === KIND.op) counts.set(model.opType(i), (counts.get(model.opType(i)) || 0) + 1);
  }
  const ops = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const parent = model.parent[id];
  const inputs = [];
  const outputs = [];
  for (const [a, b, count] of model.edgesOf(parent)) {
    if (b === id) inputs.push([String(count), link(model.name[a])]);
    if (a === id) outputs.push([String(count), link(model.name[b])]);
  }
  const kind = model.kind[id] === KIND.series ? `series of ${model.opType(id)}` : 'name scope';
  return `<h3 class="${CLS.infoTitle}" title="${esc(model.name[id])}">${esc(model.name[id])}</h3>` +
    table([['Kind', esc(kind)], ['Ops inside', String(model.count[id])]]) +
    `<h4>Op types</h4>${table(ops.slice(0, 12).map(([op, n]) => [String(n), esc(op)]))}` +
    `<h4>Inputs from</h4>${table(inputs)}<h4>Outputs to</h4>${table(outputs)}`;
}

export class InfoPanel {
  constructor(element, onNavigate) {
    this.element = element;
    this.token = 0;
    element.addEventListener('click', (e) => {
      const a = e.target.closest(`.${CLS.infoLink}`);
      if (a) { e.preventDefault(); onNavigate(a.dataset.name); return; }
      if (e.target.closest(`.${CLS.infoClose}`)) this.hide();
    });
  }

  hide() { this.element.hidden = true; this.token++; }

  show(html) {
    this.element.innerHTML = `<button class="${CLS.infoClose}" title="Close" aria-label="Close">×</button>${html}`;
    this.element.hidden = false;
  }

  async showNode(model, id, loadOp) {
    const token = ++this.token;
    if (model.kind[id] !== KIND.op) { this.show(groupInfoHtml(model, id) + statsHtml(model, id)); return; }
    this.show(`<h3 class="${CLS.infoTitle}">${esc(model.name[id])}</h3><p>Loading…</p>`);
    try {
      const info = await loadOp(model.name[id]);
      if (token === this.token) this.show(opInfoHtml(info) + statsHtml(model, id));
    } catch (error) {
      if (token === this.token) this.show(`<p class="${CLS.error}">${esc(error.message)}</p>`);
    }
  }
}
