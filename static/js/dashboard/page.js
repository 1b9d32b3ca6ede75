/**
 * What the histograms, distributions, images, audio and text dashboards share
 * (templates/dashboard.html): the run list, the tag filter, tag groups, one lazily loaded card per
 * (run, tag), the page's settings, and the reload loop.
 *
 * A page calls `startDashboard({plugin, tagsOf, fillCard, perTag})`. `tagsOf(json)` turns the
 * plugin's /tags answer into {run: {tag: info}}; `fillCard(card)` is called once per card with
 * `card = {run, runs, tag, info, color, body, settings, article}` and returns `{load, update}`:
 * `load()` fetches the card's data and draws it (first when the card scrolls into view, then on
 * every reload that changed data), `update()` redraws after a settings change. A card's state is in
 * `article.dataset.state` ("idle", "loading", "ready", "error"); `<body data-loaded="true">` once
 * the tags are listed (tests wait on both). While `perTag(settings)` is true the page shows one card per
 * tag instead (`perTag(settings)`), with `card.run` null and `card.runs` the shown runs that have
 * the tag.
 */
import "../base.js";
import { CLS } from "../classes.js";
import { h, userRegex } from "../dom.js";
import { reloader } from "../reload.js";
import { runColor } from "../scalars/colors.js";
import { pageRunList } from "../scalars/runs.js";

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
const LOADS_AT_ONCE = 2;

// The answer for the page's first card, sent at the end of the page (templates/dashboard.html):
// used once, by the request for the same URL, instead of fetching it.
let firstCard = null;

export async function getJSON(url) {
  if (firstCard === null) {
    const el = document.getElementById("dashboard-first");
    firstCard = el && el.textContent.trim() ? JSON.parse(el.textContent) : {};
  }
  if (firstCard.url === url) {
    const { body } = firstCard;
    firstCard = {};
    return body;
  }
  const response = await fetch(url);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = (await response.json()).error || message;
    } catch {
      /* not JSON: keep the status line */
    }
    throw new Error(message);
  }
  return response.json();
}

/** The page's settings: every [data-setting] input of the sidebar, by name. */
export class Settings {
  constructor(root = document) {
    this.inputs = Array.from(root.querySelectorAll("[data-setting]"));
    this.listeners = [];
    for (const input of this.inputs) input.addEventListener("input", () => this.changed());
    const reset = root.querySelector("[data-setting-reset]");
    reset?.addEventListener("click", () => {
      for (const input of this.inputs) {
        if (input.type === "range") input.value = input.defaultValue;
        else if (input.type === "checkbox" || input.type === "radio") input.checked = input.defaultChecked;
      }
      this.changed();
    });
  }

  get(name) {
    const inputs = this.inputs.filter((i) => i.dataset.setting === name);
    if (!inputs.length) return undefined;
    if (inputs[0].type === "radio") return inputs.find((i) => i.checked)?.value;
    if (inputs[0].type === "checkbox") return inputs[0].checked;
    return Number(inputs[0].value);
  }

  onChange(fn) {
    this.listeners.push(fn);
  }

  changed() {
    for (const fn of this.listeners) fn(this);
  }
}

/** A step slider: a range input (arrow keys, Page Up/Down, Home/End work) and its label. */
export function stepSlider(onChange) {
  const range = h("input", { type: "range", class: "step-slider__range", min: 0, max: 0, value: 0,
    "aria-label": "Step" });
  const label = h("span", { class: "step-slider__label" });
  const el = h("div", { class: "step-slider" }, range, label);
  let steps = [];
  range.addEventListener("input", () => {
    label.textContent = `step ${steps[range.value] ?? ""}`;
    onChange(Number(range.value));
  });
  return {
    el,
    /** New steps; keeps the newest selected when it was, else the same index. */
    set(newSteps) {
      const atEnd = Number(range.value) === steps.length - 1 || steps.length === 0;
      steps = newSteps;
      range.max = String(Math.max(steps.length - 1, 0));
      if (atEnd) range.value = range.max;
      range.disabled = steps.length < 2;
      label.textContent = steps.length ? `step ${steps[range.value]}` : "";
      return Number(range.value);
    },
    get index() {
      return Number(range.value);
    },
    /** Move to the last step at or before `step` (the first one when none is); as a user's move. */
    selectStep(step) {
      let index = 0;
      steps.forEach((s, i) => {
        if (s <= step) index = i;
      });
      if (index === Number(range.value)) return;
      range.value = String(index);
      range.dispatchEvent(new Event("input"));
    },
  };
}

export function formatNumber(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** Group name of a tag: what comes before its first "/" (TensorBoard's default grouping). */
function groupOf(tag) {
  const i = tag.indexOf("/");
  return i > 0 ? tag.slice(0, i) : tag;
}

/** The run list of templates/_runs.html, its filter wired; `onChange(what)` as RunList's. */
export function sidebarRunList(onChange) {
  const runList = pageRunList({ runs: null, onlySelected: false }, onChange);
  document.querySelector("[data-run-filter]").addEventListener("input", (e) => {
    e.target.classList.toggle(CLS.invalid, !runList.setFilter(e.target.value));
  });
  return runList;
}

export function startDashboard({ plugin, tagsOf, fillCard, perTag = () => false }) {
  const $ = (selector) => document.querySelector(selector);
  const el = {
    groups: $("[data-groups]"),
    empty: $("[data-empty]"),
    notice: $("[data-notice]"),
    tagFilter: $("[data-tag-filter]"),
    tagStatus: $("[data-tag-status]"),
  };
  const settings = new Settings($(".sidebar") || document);
  const cards = new Map(); // "run\u0000tag" -> {article, view, loaded}
  const collapsed = new Set();
  let index = {}; // run -> {tag: info}
  let tagRegex = null;

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const card = entry.target.__card;
      if (card && !card.loaded) load(card);
    }
  }, { rootMargin: "300px" });

  // Cards load two at a time, in page order: the first card then does not share the server (two
  // cores here) with every other card on screen, and it is the one a user looks at first.
  const queue = [];
  let running = 0;
  function load(card) {
    card.loaded = true;
    card.article.dataset.state = "loading";
    queue.push(card);
    queue.sort((a, b) => (a.article.compareDocumentPosition(b.article) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    pump();
  }
  function pump() {
    while (running < LOADS_AT_ONCE && queue.length) {
      const card = queue.shift();
      running += 1;
      loadNow(card).finally(() => {
        running -= 1;
        pump();
      });
    }
  }

  async function loadNow(card) {
    try {
      await card.view.load();
      card.article.dataset.state = "ready";
      // on the frame after the first draw: what bench/histograms_page.py measures
      if (!card.marked) {
        card.marked = true;
        requestAnimationFrame(() => performance.mark(`board:card-ready:${card.run}/${card.tag}`));
      }
      card.article.classList.remove(CLS.error);
    } catch (err) {
      card.article.dataset.state = "error";
      card.article.classList.add(CLS.error);
      card.body.replaceChildren(h("div", { class: "card__placeholder" }, `Could not load: ${err.message}`));
    }
  }

  // Start loading the cards on screen now, top-left first, rather than when the
  // IntersectionObserver reports them after the next frame: on a busy machine that frame (the
  // layout of every card) is a few hundred milliseconds away (bench/histograms_page.py).
  function loadOnScreen() {
    const height = window.innerHeight;
    const onScreen = [];
    for (const card of cards.values()) {
      if (card.loaded || !card.article.isConnected) continue;
      const rect = card.article.getBoundingClientRect();
      if (rect.width > 0 && rect.bottom > 0 && rect.top < height) onScreen.push([rect.top, rect.left, card]);
    }
    onScreen.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [, , card] of onScreen) load(card);
  }

  function makeCard(run, tag, info, runs = [run]) {
    const card = dashCard({ run, runs, tag, info, settings });
    card.loaded = false;
    card.view = fillCard(card);
    card.article.__card = card;
    return card;
  }

  function render() {
    const runs = new Set(runList.visibleRuns());
    const byGroup = new Map();
    let total = 0;
    let shown = 0;
    const allTags = new Set();
    const runsOfTag = new Map(); // per-tag mode: tag -> [runs shown], sorted as the run list
    const place = (card) => {
      const group = groupOf(card.tag);
      if (!byGroup.has(group)) byGroup.set(group, []);
      byGroup.get(group).push(card);
    };
    const cardFor = (key, make) => {
      let card = cards.get(key);
      if (!card) {
        card = make();
        cards.set(key, card);
        observer.observe(card.article);
      }
      return card;
    };
    for (const [run, tags] of Object.entries(index)) {
      for (const [tag, info] of Object.entries(tags)) {
        total += 1;
        allTags.add(tag);
        if (!runs.has(run) || (tagRegex && !tagRegex.test(tag))) continue;
        shown += 1;
        if (perTag(settings)) {
          if (!runsOfTag.has(tag)) runsOfTag.set(tag, { info, runs: [] });
          runsOfTag.get(tag).runs.push(run);
          continue;
        }
        place(cardFor(`${run}\u0000${tag}`, () => makeCard(run, tag, info)));
      }
    }
    for (const [tag, { info, runs: tagRuns }] of runsOfTag) {
      tagRuns.sort(collator.compare);
      place(cardFor(`\u0001${tag}\u0000${tagRuns.join("\u0000")}`, () => makeCard(null, tag, info, tagRuns)));
    }
    const sections = [...byGroup.keys()].sort(collator.compare).map((group) => {
      const list = byGroup.get(group).sort((a, b) => collator.compare(a.tag, b.tag) || collator.compare(a.run, b.run));
      const head = h("button", { class: CLS.groupHead, type: "button", "aria-expanded": String(!collapsed.has(group)),
        onclick: () => {
          if (collapsed.has(group)) collapsed.delete(group);
          else collapsed.add(group);
          render();
        } },
      h("span", { class: CLS.groupName }, group), h("span", { class: CLS.groupCount }, String(list.length)));
      return h("section", { class: `${CLS.group}${collapsed.has(group) ? ` ${CLS.collapsed}` : ""}`,
        dataset: { group } }, head, h("div", { class: CLS.groupCards }, list.map((c) => c.article)));
    });
    el.groups.replaceChildren(...sections);
    loadOnScreen();
    el.empty.classList.toggle(CLS.hidden, total > 0);
    const cardCount = perTag(settings) ? runsOfTag.size : shown;
    el.tagStatus.textContent = total ? `${cardCount} card${cardCount === 1 ? "" : "s"} (${allTags.size} tags, `
      + `${shown} of ${total} run/tag pairs shown)` : "";
  }

  const runList = sidebarRunList(render);
  el.tagFilter.addEventListener("input", () => {
    const { regex, valid } = userRegex(el.tagFilter.value);
    el.tagFilter.classList.toggle(CLS.invalid, !valid);
    tagRegex = regex;
    render();
  });
  let wasPerTag = perTag(settings);
  settings.onChange(() => {
    if (perTag(settings) !== wasPerTag) {
      wasPerTag = perTag(settings);
      render();
    }
    for (const card of cards.values()) if (card.loaded) card.view.update();
  });

  const embedded = document.getElementById("dashboard-initial");
  let initial = embedded ? JSON.parse(embedded.textContent) : null; // {status, tags}, see the template
  async function refresh() {
    try {
      const tags = initial ? initial.tags : await getJSON(`/data/plugin/${plugin}/tags`);
      initial = null;
      index = tagsOf(tags);
      el.notice.classList.add(CLS.hidden);
    } catch (err) {
      el.notice.textContent = `Could not list the ${plugin} tags: ${err.message}`;
      el.notice.classList.remove(CLS.hidden);
      el.notice.classList.add(CLS.error);
      return true;
    }
    // cards loaded before this refresh load again; render() starts those it shows on screen first
    const stale = new Set([...cards.values()].filter((card) => card.loaded));
    runList.setRuns(Object.keys(index));
    render();
    for (const [key, card] of cards) {
      if (card.run !== null && !index[card.run]?.[card.tag]) cards.delete(key);
      else if (stale.has(card)) load(card);
    }
    document.body.dataset.loaded = "true";
    return true;
  }
  reloader.register(refresh, initial?.status ?? null);
  return { settings };
}

/**
 * A card's frame for `fillCard` (see the top): title, download link, its runs with their colors,
 * the tag's description and an empty body; `card.actions` takes more header buttons. Returns the
 * `card` object fillCard gets.
 */
export function dashCard({ run, runs = [run], tag, info, settings }) {
  const body = h("div", { class: "dash-card__body" });
  const download = h("a", { class: "icon-button dash-card__download", title: "Download", "aria-label":
    `Download ${tag} of ${run}`, download: "" });
  download.innerHTML = '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M8 2v8M4.5 6.5L8 10l3.5-3.5M3 13h10"/></svg>';
  const actions = h("div", { class: "card__actions" }, download);
  const article = h("article", { class: "card dash-card", dataset: { run, tag, state: "idle" } },
    h("header", { class: "card__head" },
      h("h3", { class: "card__title", title: tag }, info.displayName && info.displayName !== tag
        ? `${tag} (${info.displayName})` : tag),
      actions),
    runs.map((r) => h("div", { class: "dash-card__run", title: r },
      h("span", { class: CLS.swatch, style: { background: runColor(r) } }), r)),
    info.description ? descriptionOf(info.description) : null,
    body);
  if (run === null) article.dataset.runs = runs.join("\n");
  return { run, runs, tag, info, color: run === null ? null : runColor(run), body, settings, article, download,
    actions };
}

/** A tag's description: HTML the server rendered from Markdown and sanitized (board/data/text.py). */
function descriptionOf(html) {
  const el = h("div", { class: "dash-card__description" });
  el.innerHTML = html;
  return el;
}
