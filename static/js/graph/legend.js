// The color legend in the sidebar, for what is currently drawn.
import { GRAPH_CLS as CLS } from '../classes.js';
import { legendEntries } from './colors.js';
import { esc } from './render.js';

const MAX_ENTRIES = 24;

export function drawLegend(element, model, scene, mode) {
  const entries = legendEntries(model, scene, mode);
  const head = mode === 'op'
    ? '<p class="g-legend-note">Op nodes by type</p>'
    : '<p class="g-legend-note">Same color = same structure</p>';
  const items = entries.slice(0, MAX_ENTRIES).map((e) => `<li class="${CLS.legendItem}">` +
    `<span class="${CLS.legendSwatch}" style="background:${e.color}"></span>` +
    `<span class="g-legend-label">${esc(e.label)}</span><span class="g-legend-count">${e.count}</span></li>`);
  const more = entries.length > MAX_ENTRIES ? `<li class="g-legend-more">+${entries.length - MAX_ENTRIES} more</li>` : '';
  element.innerHTML = `${head}<ul class="${CLS.legend}">${items.join('')}${more}</ul>`;
}
