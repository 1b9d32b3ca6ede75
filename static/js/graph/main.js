// Graph dashboard: wires data, layout, drawing and the panels together. Entry point of graphs.html.
import '../base.js';
import {
  fetchGraphDiff, fetchGraphRuns, fetchLayouts, fetchNode, fetchStepStats, hierarchyUrl, layoutsUrl, shareLayout,
} from './api.js';
import { GRAPH_CLS as CLS, GRAPH_IDS as IDS } from '../classes.js';
import { joinDiff } from './diff.js';
import { downloadPng, downloadSvg } from './download.js';
import { InfoPanel } from './info.js';
import { Layouter } from './layout_client.js';
import { drawLegend } from './legend.js';
import { Minimap } from './minimap.js';
import { GraphModel } from './model.js';
import { LEGIBLE_SCALE, PanZoom } from './panzoom.js';
import { hasPlacement, PLACEMENT_MODES } from './placement.js';
import { DEFS, esc, sceneMarkup, tooltipFor } from './render.js';
import { buildScene } from './scene.js';
import { Search } from './search.js';
import { joinStepStats, scaleToScene, STAT_MODES } from './step_stats.js';
import { readUrlState, writeUrlState } from './urlstate.js';
import { parseJSON } from '../http.js';
import { reloader } from '../reload.js';
import { exposeForTests } from '../testhook.js';

const $ = (id) => document.getElementById(id);

/** The answers the page came with: {status, runs, first} (board/routes/graph_explorer.py). */
function pageData() {
  const el = $(IDS.initial);
  return el ? parseJSON(el.textContent) : null;
}
// Scenes with more elements than this are drawn around the visible area only.
const CULL_ABOVE = 1500;
// Text smaller than this on screen (px) is not drawn: the 8-9 px edge, stub and constant labels below
// scale 0.75, the 11 px node labels below 0.55 (see GEOM.fonts).
const MIN_TEXT_PX = 6;
// Space kept between a scope just expanded and the info panel (px).
const PANEL_GAP = 16;
/** A (run, kind) pair as one <select> value. */
const graphKey = (run, kind) => JSON.stringify([run, kind]);

class GraphPage {
  constructor() {
    const url = readUrlState();
    this.state = {
      run: url.run, kind: url.kind, color: url.color, trace: url.trace, showAux: url.showAux,
      compare: url.compare, expanded: new Set(), selected: null,
    };
    this.pendingUrl = url;
    this.model = null;
    this.scene = null;
    this.generation = 0;
    this.layouter = new Layouter();
    this.svg = $(IDS.svg);
    this.svg.innerHTML = `${DEFS}<g data-role="viewport"><g data-role="scene"></g></g>`;
    this.viewport = this.svg.querySelector('[data-role="viewport"]');
    this.sceneGroup = this.svg.querySelector('[data-role="scene"]');
    this.nodeElements = new Map();
    this.panzoom = new PanZoom(this.svg, this.viewport, (t) => this.minimap && this.onViewChange(t));
    this.minimap = new Minimap($(IDS.minimap), this.panzoom);
    this.info = new InfoPanel($(IDS.info), (name) => this.revealByName(name));
    this.search = new Search($(IDS.search), $(IDS.searchResults), () => this.model,
      (id) => this.reveal(id, { focus: true }));
    this.bindControls();
  }

  bindControls() {
    this.svg.addEventListener('click', (e) => this.onCanvasClick(e));
    this.svg.addEventListener('mouseover', (e) => {
      const el = e.target.closest(`.${CLS.node}, .${CLS.edge}, .${CLS.stub}`);
      if (!el || !this.scene || el.querySelector(':scope > title')) return;
      const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
      title.textContent = tooltipFor(this.model, this.scene, el);
      el.prepend(title);
    });
    this.svg.addEventListener('dblclick', (e) => {
      const el = e.target.closest(`.${CLS.node}`);
      if (el && this.model.isGroup(Number(el.dataset.id))) this.toggle(Number(el.dataset.id));
    });
    $(IDS.runSelect).addEventListener('change', (e) => {
      this.state.run = e.target.value;
      this.state.kind = null;
      this.resetView();
      this.populateKinds();
      this.load();
    });
    $(IDS.kindSelect).addEventListener('change', (e) => {
      this.state.kind = e.target.value;
      this.resetView();
      this.load();
    });
    $(IDS.colorMode).addEventListener('change', (e) => {
      this.state.color = e.target.value;
      this.colorChosen = true;
      this.draw();
      this.saveUrl();
    });
    $(IDS.trace).addEventListener('change', (e) => {
      this.state.trace = e.target.checked;
      this.applySelection();
      this.saveUrl();
    });
    $(IDS.aux).addEventListener('change', (e) => this.setShowAux(e.target.checked));
    $(IDS.compare).addEventListener('change', (e) => {
      const [run, kind] = e.target.value ? JSON.parse(e.target.value) : [null, null];
      this.state.compare = run === null ? null : { run, kind };
      if (this.state.compare) { this.state.color = 'diff'; this.colorChosen = true; }
      this.loadDiff();
    });
    $(IDS.fit).addEventListener('click', () => this.fit());
    $(IDS.downloadSvg).addEventListener('click', () => this.scene && downloadSvg(this.svg, this.scene, this.fileName('svg')));
    $(IDS.downloadPng).addEventListener('click', () => this.scene && downloadPng(this.svg, this.scene, this.fileName('png')));
    window.addEventListener('resize', () => this.minimap.resize());
    // "/" jumps to the search box; Escape closes the info panel.
    document.addEventListener('keydown', (e) => {
      const typing = e.target.closest?.('input, select, textarea');
      if (e.key === '/' && !typing) { e.preventDefault(); $(IDS.search).focus(); }
      if (e.key === 'Escape' && !typing) this.info.hide();
    });
  }

  fileName(ext) {
    const base = `graph-${this.state.run || 'run'}-${this.state.kind || ''}`.replace(/[^\w.-]+/g, '_');
    return `${base}.${ext}`;
  }

  resetView() {
    this.state.expanded = new Set();
    this.state.selected = null;
    this.info.hide();
  }

  status(text, isError = false) {
    const el = $(IDS.status);
    el.textContent = text;
    el.hidden = !text;
    el.classList.toggle(CLS.error, isError);
  }

  async start() {
    $(IDS.colorMode).value = this.state.color;
    $(IDS.trace).checked = this.state.trace;
    $(IDS.aux).checked = this.state.showAux;
    // The page came with the answers of its first requests and names the graph to draw first, whose
    // hierarchy its <head> is already fetching: draw it now, without waiting for any list.
    const initial = pageData();
    this.initialRuns = initial ? initial.runs : null;
    const first = initial && initial.first;
    if (first) {
      this.state.run = first.run;
      this.state.kind = first.kind;
      // The remembered layouts come first (small): without them elkjs starts loading at once.
      const layouts = this.fetchLayouts(first.layouts);
      this.preload = { run: first.run, kind: first.kind, layouts, json: this.layouter.loadHierarchy(first.url) };
      this.preload.json.catch(() => {});  // a failure is reported when load() uses it
      this.load();
    }
    // The top bar's reload loop re-reads the list of runs with graphs (a run may appear later).
    await reloader.register((status) => this.refreshRuns(status), initial ? initial.status : null);
  }

  /**
   * Lists the runs that have graphs (the page's own list first, then /data/graph/runs); loads the
   * graph they select when it is not the one shown or loading. True if the list changed.
   */
  async refreshRuns(status) {
    let runs = this.initialRuns;
    this.initialRuns = null;
    if (!runs) {
      try {
        runs = await fetchGraphRuns();
      } catch (error) {
        if (!this.model) this.status(`Could not list runs: ${error.message}`, true);
        throw error;
      }
    }
    if (!runs.length) {
      // While the logdir is still being read, a graph may yet come (the reload loop looks again).
      this.status(status && status.loading ? 'Reading the logdir…'
        : 'No graph found. Write one with tf.summary.FileWriter(logdir, sess.graph).');
    }
    const key = JSON.stringify(runs);
    if (key === this.runsKey) return false;
    this.runsKey = key;
    this.runs = runs;
    if (!runs.length) return true;
    const runSelect = $(IDS.runSelect);
    runSelect.innerHTML = runs.map((r) => `<option value="${esc(r.run)}">${esc(r.run)}</option>`).join('');
    if (!runs.some((r) => r.run === this.state.run)) this.state.run = runs[0].run;
    runSelect.value = this.state.run;
    this.populateKinds();
    this.populateCompare();
    if (this.requested !== `${this.state.run}\u0000${this.state.kind}`) {
      if (this.model) this.resetView();
      await this.load();
    }
    return true;
  }

  /** A run-metadata graph links to its step's timeline on the Trace page (board/routes/trace.py). */
  offerTimeline() {
    const traced = Boolean(this.state.kind && this.state.kind.startsWith('run_metadata/'));
    $(IDS.timelineRow).hidden = !traced;
    if (traced) {
      const tag = this.state.kind.slice('run_metadata/'.length);
      $(IDS.timelineLink).href = `/trace?${new URLSearchParams({ run: this.state.run, tag })}`;
    }
  }

  populateKinds() {
    const kinds = this.runs.find((r) => r.run === this.state.run).kinds;
    const select = $(IDS.kindSelect);
    select.innerHTML = kinds.map((k) => `<option value="${esc(k.kind)}">${esc(k.label)}</option>`).join('');
    if (!kinds.some((k) => k.kind === this.state.kind)) this.state.kind = kinds[0].kind;
    select.value = this.state.kind;
    $(IDS.kindRow).hidden = kinds.length < 2;
  }

  /** The "compare with" choices: every other graph of the logdir (any run, any kind). */
  populateCompare() {
    if (!this.runs) return;
    const current = graphKey(this.state.run, this.state.kind);
    const options = ['<option value="">nothing</option>'];
    for (const r of this.runs) {
      for (const k of r.kinds) {
        const key = graphKey(r.run, k.kind);
        if (key === current) continue;
        const label = r.kinds.length > 1 ? `${r.run} · ${k.label}` : r.run;
        options.push(`<option value="${esc(key)}">${esc(label)}</option>`);
      }
    }
    const select = $(IDS.compare);
    select.innerHTML = options.join('');
    const c = this.state.compare;
    const wanted = c ? graphKey(c.run, c.kind || this.runs.find((r) => r.run === c.run)?.kinds[0].kind) : '';
    select.value = wanted;
    if (select.value !== wanted) select.value = '';
  }

  /** The label of a graph kind of a run ("op graph", "run metadata: step1"), from the runs listed. */
  kindLabel({ run, kind }) {
    const kinds = this.runs?.find((r) => r.run === run)?.kinds || [];
    return kinds.find((k) => k.kind === kind)?.label || kind;
  }

  /** The difference of `model` (the graph of the current run and kind) from the graph "compare with"
   * names, or null when it names none (or the same graph, or the server could not compare). */
  async diffFor(model) {
    const c = this.state.compare;
    if (!c || graphKey(c.run, c.kind) === graphKey(this.state.run, this.state.kind)) return null;
    try {
      const json = await fetchGraphDiff(this.state.run, this.state.kind, c.run, c.kind);
      this.state.compare = json.against;
      return joinDiff(model, json, this.kindLabel(json.against));
    } catch (error) {
      this.status(`Could not compare the graphs: ${error.message}`, true);
      return null;
    }
  }

  /** After "compare with" changed: compares the drawn graph and redraws it. */
  async loadDiff() {
    const model = this.model;
    if (!model) return;
    const diff = await this.diffFor(model);
    if (this.model !== model) return;
    model.diff = diff;
    this.offerColors();
    this.draw();
    if (this.state.selected !== null && !$(IDS.info).hidden) this.select(this.state.selected);
    this.saveUrl();
  }

  async load() {
    const generation = ++this.generation;
    this.offerTimeline();
    this.requested = `${this.state.run}\u0000${this.state.kind}`;
    this.status('Loading graph…');
    performance.mark('graph-fetch-start');
    let json;
    const pre = this.preload;
    this.preload = null;
    const preloaded = pre && pre.run === this.state.run && pre.kind === this.state.kind;
    const layouts = preloaded ? pre.layouts : this.fetchLayouts(layoutsUrl(this.state.run, this.state.kind));
    try {
      json = await (preloaded ? pre.json : this.layouter.loadHierarchy(hierarchyUrl(this.state.run, this.state.kind)));
    } catch (error) {
      if (generation === this.generation) {
        this.status(`Could not load the graph: ${error.message}`, true);
        this.requested = null;  // the next change of the runs tries again
      }
      return;
    }
    if (generation !== this.generation) return;
    performance.mark('graph-fetched');
    const model = await GraphModel.create(json);
    if (generation !== this.generation) return;
    if (this.state.kind && this.state.kind.startsWith('run_metadata/') && json.stats.ops) {
      try {
        model.stepStats = joinStepStats(model, await fetchStepStats(this.state.run, this.state.kind));
      } catch (error) {
        if (generation === this.generation) this.status(`Could not load the step stats: ${error.message}`, true);
      }
      if (generation !== this.generation) return;
    }
    this.model = model;
    this.populateCompare();
    model.diff = await this.diffFor(model);
    if (generation !== this.generation) return;
    this.offerColors();
    performance.mark('graph-model');
    const s = json.stats;
    $(IDS.stats).textContent = `${s.ops.toLocaleString()} ops, ${s.edges.toLocaleString()} edges` +
      (s.dangling ? `, ${s.dangling} inputs name missing nodes` : '');
    const url = this.pendingUrl;
    this.pendingUrl = null;
    if (!s.ops) {
      // PyTorch's run metadata, for one, can hold no graph at all.
      this.scene = null;
      this.sceneGroup.innerHTML = '';
      $(IDS.minimap).hidden = true;
      $(IDS.legend).innerHTML = '';
      this.status('This graph has no nodes. Pick another graph or run above.');
      document.body.dataset.graphReady = String(generation);
      return;
    }
    if (url) {
      for (const name of url.expanded) {
        const id = this.model.groupByName.get(name);
        if (id !== undefined) this.state.expanded.add(id);
      }
      const sel = url.selected && (this.model.opByName.get(url.selected) ?? this.model.groupByName.get(url.selected));
      if (sel !== undefined && sel !== null) {
        for (const a of this.model.ancestors(sel)) this.state.expanded.add(a);
        this.state.selected = sel;
      }
    }
    this.layouter.remember(await layouts);
    if (generation !== this.generation) return;
    this.layouter.computed.clear();
    await this.relayout({ fit: true });
    if (this.state.selected !== null && this.model === model) this.reveal(this.state.selected);
    if (this.model === model) this.shareLayouts();  // (relayout moved this.generation on)
  }

  /**
   * The layouts the server remembered for a graph ([] when it has none or the request fails: they
   * only spare the layout), at `url`; when there are none the worker loads elkjs at once.
   */
  async fetchLayouts(url) {
    let layouts = [];
    try {
      layouts = await fetchLayouts(url);
    } catch {
      /* drawn without them */
    }
    if (!layouts.length) this.layouter.warm();
    return layouts;
  }

  /** Gives the server the layouts the worker computed for the view just drawn, for the next page. */
  shareLayouts() {
    const { run, kind } = this.state;
    for (const key of this.layouter.computed) {
      shareLayout(run, kind, this.layouter.cache.get(key)).catch(() => {});  // only a speed-up lost
    }
    this.layouter.computed.clear();
  }

  /** Lays out what is open and redraws; `anchor` keeps that node still on screen, `fit` shows all. */
  async relayout({ fit = false, anchor = null } = {}) {
    const generation = ++this.generation;
    const before = anchor !== null && this.scene && this.scene.byId.get(anchor);
    const anchorScreen = before ? this.panzoom.toScreen(before.x, before.y) : null;
    this.svg.classList.add(CLS.busy);
    // Say so when a layout takes a while (the page stays responsive: it runs in a worker).
    const slow = setTimeout(() => this.status('Laying out…'), this.scene ? 400 : 0);
    let scene;
    try {
      scene = await buildScene(this.model, this.state.expanded, this.layouter, { showAux: this.state.showAux });
    } catch (error) {
      clearTimeout(slow);
      if (generation === this.generation) this.status(error.message, true);
      this.svg.classList.remove(CLS.busy);
      return;
    } finally {
      clearTimeout(slow);
    }
    if (generation !== this.generation) return;
    performance.mark('graph-layout-done');
    this.svg.classList.remove(CLS.busy);
    this.status('');
    this.scene = scene;
    // Place the view first (what is drawn of a big scene depends on it), then draw.
    this.drawnRegion = null;
    const after = anchor !== null && scene.byId.get(anchor);
    if (fit) this.panzoom.initialView([0, 0, scene.width, scene.height]);
    else if (anchorScreen && after) {
      const k = this.panzoom.t.k;
      this.panzoom.set(anchorScreen[0] - after.x * k, anchorScreen[1] - after.y * k, k);
    }
    this.draw();
    performance.mark('graph-drawn');
    this.saveUrl();
    document.body.dataset.graphReady = String(generation);
    if (!this.painted) {
      this.painted = true;
      // After the next frame is painted: what bench/graph_page.py reads as "first paint".
      requestAnimationFrame(() => setTimeout(() => {
        performance.mark('graph-first-paint');
        this.layouter.warm();  // elkjs for the groups the user opens (if the first view did not need it)
      }, 0));
    }
  }

  /** Offers the colours the graph has data for: compute time and memory with step stats (and starts
   * with compute time there, the reason to pick run metadata), device and XLA cluster when ops name
   * some, difference when compared with another graph; falls back to structure from one it lacks. */
  offerColors() {
    const model = this.model;
    const offered = { diff: Boolean(model.diff) };
    for (const mode of STAT_MODES) offered[mode] = Boolean(model.stepStats);
    for (const mode of PLACEMENT_MODES) offered[mode] = hasPlacement(model, mode);
    const select = $(IDS.colorMode);
    for (const [mode, on] of Object.entries(offered)) {
      const option = select.querySelector(`option[value="${mode}"]`);
      option.hidden = !on;
      option.disabled = !on;
    }
    if (model.stepStats && this.state.color === 'structure' && !this.colorChosen) this.state.color = 'compute';
    if (offered[this.state.color] === false) this.state.color = 'structure';
    select.value = this.state.color;
  }

  /** Shows or hides the auxiliary nodes; the view stays on the selection (or where it is). */
  setShowAux(show) {
    this.state.showAux = show;
    $(IDS.aux).checked = show;
    const sel = this.state.selected;
    const anchor = sel === null ? null : this.model.visibleOf(sel, this.state.expanded);
    if (!show && sel !== null && this.isHiddenAux(sel)) this.state.selected = null;
    return this.relayout({ anchor: anchor !== null && this.scene?.byId.has(anchor) ? anchor : null });
  }

  /** Whether id is, or is inside, an auxiliary node (what "show auxiliary nodes" off leaves out). */
  isHiddenAux(id) {
    return [...this.model.ancestors(id), id].some((a) => this.model.isAux(a));
  }

  draw() {
    if (!this.scene) return;
    if (this.model.stepStats) scaleToScene(this.model.stepStats, this.scene);
    this.drawElements();
    $(IDS.minimap).hidden = false;
    this.minimap.setScene(this.scene);
    drawLegend($(IDS.legend), this.model, this.scene, this.state.color);
  }

  /**
   * Puts the scene's SVG elements in the page. A big scene is drawn only around the visible area
   * (half a screen more on each side); moving the view out of that area draws it again there.
   */
  drawElements() {
    const s = this.scene;
    const big = s.nodes.length + s.edges.length + s.stubs.length > CULL_ABOVE;
    let region = null;
    if (big) {
      const [vw, vh] = this.panzoom.size();
      const [x0, y0] = this.panzoom.toScene(-vw / 2, -vh / 2);
      const [x1, y1] = this.panzoom.toScene(1.5 * vw, 1.5 * vh);
      region = { x0, y0, x1, y1, k: this.panzoom.t.k };
    }
    this.drawnRegion = region;
    this.sceneGroup.innerHTML = sceneMarkup(this.model, s, this.state.color, region);
    this.nodeElements = new Map();
    for (const el of this.sceneGroup.querySelectorAll(`.${CLS.node}`)) this.nodeElements.set(Number(el.dataset.id), el);
    this.sceneGroup.dataset.drawn = String(this.nodeElements.size);
    this.applySelection();
  }

  /** After a pan or zoom: leave out text too small to read; redraw a culled scene when the view has
   * left the drawn area. */
  onViewChange(t) {
    this.svg.classList.toggle(CLS.smallText, 8 * t.k < MIN_TEXT_PX);
    this.svg.classList.toggle(CLS.tinyText, 11 * t.k < MIN_TEXT_PX);
    this.minimap.update();
    const region = this.drawnRegion;
    if (!region || this.redrawPending) return;
    const [vw, vh] = this.panzoom.size();
    const [x0, y0] = this.panzoom.toScene(0, 0);
    const [x1, y1] = this.panzoom.toScene(vw, vh);
    const outside = x0 < region.x0 || y0 < region.y0 || x1 > region.x1 || y1 > region.y1;
    if (!outside) return;
    this.redrawPending = true;
    requestAnimationFrame(() => {
      this.redrawPending = false;
      if (this.scene && this.drawnRegion) this.drawElements();
    });
  }

  fit() {
    if (this.scene) this.panzoom.fit([0, 0, this.scene.width, this.scene.height]);
  }

  onCanvasClick(e) {
    const expander = e.target.closest(`.${CLS.expander}`);
    const el = e.target.closest(`.${CLS.node}`);
    if (!el) return;
    const id = Number(el.dataset.id);
    if (expander) { this.toggle(id); return; }
    this.select(id);
  }

  async toggle(id) {
    const opening = !this.state.expanded.has(id);
    if (opening) this.state.expanded.add(id);
    else this.state.expanded.delete(id);
    await this.relayout({ anchor: id });
    if (opening) this.keepClearOfPanel(id);
  }

  /**
   * Moves the view so that node id (a scope just expanded) is not under the info panel: left until
   * its right side clears the panel, never pushing its left side off screen; if it is wider than the
   * space left of the panel, zoomed out to fit there (down to the legible first-view scale).
   */
  keepClearOfPanel(id) {
    const panel = $(IDS.info);
    const node = this.scene && this.scene.byId.get(id);
    if (panel.hidden || !node) return;
    const canvas = this.svg.getBoundingClientRect();
    const box = panel.getBoundingClientRect();
    const free = box.left - canvas.left - PANEL_GAP;
    let { x, y, k } = this.panzoom.t;
    const left = node.x * k + x;
    const top = node.y * k + y;
    const right = left + node.w * k;
    if (right <= free || top >= box.bottom - canvas.top || free <= PANEL_GAP) return;
    if (node.w * k > free - PANEL_GAP) {
      const fitted = Math.max(LEGIBLE_SCALE, (free - PANEL_GAP) / node.w);
      if (fitted < k) {
        // Zoom around the node's top-left corner, then place it.
        k = fitted;
        y = top - node.y * k;
      }
    }
    const width = node.w * k;
    const targetLeft = Math.max(PANEL_GAP, Math.min(left, free - width));
    x = targetLeft - node.x * k;
    this.panzoom.set(x, y, k);
  }

  select(id) {
    this.state.selected = id;
    this.applySelection();
    this.info.showNode(this.model, id, (name) => fetchNode(this.state.run, this.state.kind, name));
    this.saveUrl();
  }

  /** Classes for the selection and, with "trace inputs" on, for every node feeding it. */
  applySelection() {
    const sel = this.state.selected;
    for (const el of this.sceneGroup.querySelectorAll(`.${CLS.selected}, .${CLS.traced}`)) {
      el.classList.remove(CLS.selected, CLS.traced);
    }
    const tracing = this.state.trace && sel !== null && this.model;
    this.sceneGroup.classList.toggle(CLS.tracing, Boolean(tracing));
    if (sel === null || !this.scene) return;
    const shown = this.scene.byId.has(sel) ? sel : this.model.visibleOf(sel, this.state.expanded);
    const el = this.nodeElements.get(shown);
    if (el) el.classList.add(CLS.selected);
    if (!tracing) return;
    const inputs = this.model.traceInputs(sel);
    const lit = new Set();
    for (const node of this.scene.nodes) {
      for (let i = node.id; i < this.model.end[node.id]; i++) {
        if (inputs[i]) { lit.add(node.id); break; }
      }
    }
    for (const id of lit) this.nodeElements.get(id)?.classList.add(CLS.traced);
    for (const edgeEl of this.sceneGroup.querySelectorAll(`.${CLS.edge}`)) {
      if (lit.has(Number(edgeEl.dataset.a)) && lit.has(Number(edgeEl.dataset.b))) edgeEl.classList.add(CLS.traced);
    }
  }

  revealByName(name) {
    const id = this.model.opByName.get(name) ?? this.model.groupByName.get(name);
    if (id !== undefined) this.reveal(id, { focus: true });
  }

  /** Opens the groups around id, selects it and centers the view on it. */
  async reveal(id, { focus = true } = {}) {
    if (!this.state.showAux && this.isHiddenAux(id)) await this.setShowAux(true);
    let changed = false;
    for (const a of this.model.ancestors(id)) {
      if (!this.state.expanded.has(a)) { this.state.expanded.add(a); changed = true; }
    }
    if (changed) await this.relayout();
    this.select(id);
    const node = this.scene && this.scene.byId.get(id);
    if (node) {
      const k = focus ? Math.max(this.panzoom.t.k, 0.8) : this.panzoom.t.k;
      // Center in the part of the canvas the info panel leaves free.
      const panel = $(IDS.info);
      const covered = panel.hidden ? 0 : panel.getBoundingClientRect().width + 12;
      this.panzoom.centerOn(node.x + node.w / 2, node.y + node.h / 2, k, covered);
      this.flash(id);
    }
  }

  flash(id) {
    const el = this.nodeElements.get(id);
    if (!el) return;
    el.classList.add(CLS.highlighted);
    setTimeout(() => el.classList.remove(CLS.highlighted), 1200);
  }

  saveUrl() {
    if (!this.model) return;
    const expanded = [...this.state.expanded].sort((a, b) => a - b).map((id) => this.model.name[id]);
    const sel = this.state.selected;
    writeUrlState({
      run: this.state.run, kind: this.state.kind, expanded,
      selected: sel === null ? null : this.model.name[sel],
      color: this.state.color, trace: this.state.trace, showAux: this.state.showAux,
      compare: this.model.diff ? this.state.compare : null,
    });
  }
}

const page = new GraphPage();
exposeForTests(page); // window.board, for tests and the console
page.start();
