// Search box: name substring or /regex/; arrow keys move through the results, Enter jumps there.
import { GRAPH_CLS as CLS } from '../classes.js';
import { esc } from './render.js';
import { KIND } from './model.js';

const SHOWN = 50;

export class Search {
  constructor(input, list, getModel, onPick) {
    this.input = input;
    this.list = list;
    this.getModel = getModel;
    this.onPick = onPick;
    this.results = [];
    this.active = -1;
    let timer = null;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.run(), 80);
    });
    input.addEventListener('keydown', (e) => this.onKey(e));
    input.addEventListener('focus', () => { if (this.results.length) this.draw(); });
    input.addEventListener('blur', () => { this.list.hidden = true; });
    list.addEventListener('mousedown', (e) => {
      const item = e.target.closest(`.${CLS.searchResult}`);
      if (item) { e.preventDefault(); this.pick(Number(item.dataset.index)); }
    });
  }

  run() {
    const model = this.getModel();
    this.results = model ? model.search(this.input.value, SHOWN) : [];
    this.active = this.results.length ? 0 : -1;
    this.draw();
  }

  draw() {
    const model = this.getModel();
    if (!this.input.value.trim()) { this.list.innerHTML = ''; this.list.hidden = true; return; }
    this.list.hidden = false;
    if (!this.results.length) { this.list.innerHTML = '<li class="g-search-none">no match</li>'; return; }
    this.list.innerHTML = this.results.map((id, i) => {
      const kind = model.kind[id] === KIND.op ? model.opType(id) : 'scope';
      const cls = `${CLS.searchResult}${i === this.active ? ' ' + CLS.searchActive : ''}`;
      return `<li class="${cls}" data-index="${i}" role="option" aria-selected="${i === this.active}">` +
        `<span class="g-search-name">${esc(model.name[id])}</span><span class="g-search-kind">${esc(kind)}</span></li>`;
    }).join('');
    const active = this.list.querySelector(`.${CLS.searchActive}`);
    if (active) active.scrollIntoView({ block: 'nearest' });
  }

  onKey(e) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!this.results.length) return;
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.results.length) % this.results.length;
      this.draw();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (this.active < 0 || this.list.hidden) this.run();
      if (this.active >= 0) this.pick(this.active);
    } else if (e.key === 'Escape') {
      this.input.value = '';
      this.run();
    }
  }

  pick(index) {
    this.active = index;
    this.list.hidden = true;
    this.onPick(this.results[index], true);
  }
}
