/**
 * The cards area: one card per key (on the scalars page a key is a tag), grouped by the card's
 * tag's first "/" component, groups collapsible, a regex tag filter, pinned cards first, and lazy
 * drawing — a card fetches and draws only once it nears the viewport (IntersectionObserver), so a
 * logdir with hundreds of tags opens fast.
 *
 * A card is a ScalarCard, or what `context.makeCard(key)` returns with the same members (the Time
 * Series page's histogram and image cards): element, tag, drawn, loading, setRuns, setVisible,
 * load, refresh, applyView, rebuild, destroy.
 */
import { CLS } from "../classes.js";
import { h, userRegex } from "../dom.js";
import { ScalarCard } from "./card.js";
import { scalarPrefs } from "./prefs.js";

// Cards on screen load at once; cards within PREFETCH_MARGIN of it load one by one once nothing on
// screen is loading, so scrolling a little finds them drawn.
const PREFETCH_MARGIN = "600px 0px";
// The group of pinned cards, at the top of the page; no tag's group has this key (it has no name).
const PINNED = "";

export function groupOf(tag) {
  const cut = tag.indexOf("/");
  return cut < 0 ? tag : tag.slice(0, cut);
}

/** Make `parent`'s children exactly `elements`, in that order, moving nothing already in place. */
function placeChildren(parent, elements) {
  const current = parent.children;
  if (current.length === elements.length && elements.every((el, i) => current[i] === el)) return;
  parent.replaceChildren(...elements);
}

export class TagGrid {
  /**
   * @param {HTMLElement} container  where groups go
   * @param {HTMLTemplateElement} template  card markup
   * @param {HTMLElement} status  "n of m tags" text
   * @param {HTMLButtonElement} emptyToggle  shows or hides the cards that no drawn run has
   * @param {{view: () => object, runsFor: (tag: string, card) => string[], makeCard?: (key: string) => object,
   *   prefs?: object, nouns?: string[]}} context  prefs: the store of pins (prefs.js; the scalars
   *   page's by default); nouns: what the status counts, singular and plural (tags by default)
   */
  constructor(container, template, status, emptyToggle, context) {
    this.container = container;
    this.template = template;
    this.status = status;
    this.emptyToggle = emptyToggle;
    this.showEmpty = false;
    emptyToggle.addEventListener("click", () => {
      this.setShowEmpty(!this.showEmpty);
      context.onShowEmpty?.(this.showEmpty);
    });
    this.context = context;
    this.prefs = context.prefs ?? scalarPrefs;
    this.cards = new Map(); // key -> card (ScalarCard or context.makeCard's)
    this.groups = new Map(); // group name -> {element, cards, count}
    this.collapsed = new Set();
    this.filter = null;
    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries));
    this.nearObserver = new IntersectionObserver((entries) => this.onNear(entries), {
      rootMargin: PREFETCH_MARGIN,
    });
    this.near = new Set();
    this.prefetching = false;
  }

  onIntersect(entries) {
    for (const entry of entries) {
      const card = this.cards.get(entry.target.dataset.key);
      card?.setVisible(entry.isIntersecting);
    }
  }

  onNear(entries) {
    for (const entry of entries) {
      const card = this.cards.get(entry.target.dataset.key);
      if (!card) continue;
      if (entry.isIntersecting) this.near.add(card);
      else this.near.delete(card);
    }
    this.prefetch();
  }

  /** Load near-screen cards one at a time, after whatever is loading now. */
  async prefetch() {
    if (this.prefetching) return;
    this.prefetching = true;
    try {
      for (;;) {
        const busy = Array.from(this.cards.values(), (c) => c.loading).filter(Boolean);
        if (busy.length) {
          await Promise.allSettled(busy);
          continue;
        }
        const next = Array.from(this.near).find((c) => !c.drawn && c.element.isConnected);
        if (!next) break;
        await next.load();
      }
    } finally {
      this.prefetching = false;
    }
  }

  group(name) {
    let group = this.groups.get(name);
    if (group) return group;
    const count = h("span", { class: CLS.groupCount });
    const cards = h("div", { class: CLS.groupCards });
    const head = h("button", { class: CLS.groupHead, type: "button", "aria-expanded": "true" },
      chevron(), h("span", { class: CLS.groupName }, name === PINNED ? "Pinned" : name), count);
    const dataset = name === PINNED ? { pinned: "true" } : { group: name };
    const element = h("section", { class: CLS.group, dataset }, head, cards);
    head.addEventListener("click", () => this.toggleGroup(name));
    group = { element, cards, count, head };
    this.groups.set(name, group);
    if (this.collapsed.has(name)) this.setCollapsed(group, true);
    return group;
  }

  toggleGroup(name) {
    const group = this.groups.get(name);
    const collapsed = !group.element.classList.contains(CLS.collapsed);
    if (collapsed) this.collapsed.add(name);
    else this.collapsed.delete(name);
    this.setCollapsed(group, collapsed);
  }

  setCollapsed(group, collapsed) {
    group.element.classList.toggle(CLS.collapsed, collapsed);
    group.head.setAttribute("aria-expanded", String(!collapsed));
  }

  /** Make the cards match `keys`, in that order (the server's, /data/scalars/index); new keys get
   * new cards, vanished ones go. Groups come in the order of their first card. */
  setTags(keys) {
    this.order = keys.slice();
    const wanted = new Set(keys);
    let changed = false;
    for (const [key, card] of this.cards) {
      if (wanted.has(key)) continue;
      this.observer.unobserve(card.element);
      this.nearObserver.unobserve(card.element);
      this.near.delete(card);
      card.destroy();
      this.cards.delete(key);
      changed = true;
    }
    for (const key of keys) {
      if (this.cards.has(key)) continue;
      const card = this.context.makeCard?.(key) ?? new ScalarCard(key, this.template, this.context);
      this.cards.set(key, card);
      card.setRuns(this.context.runsFor(card.tag, card));
      this.observer.observe(card.element);
      this.nearObserver.observe(card.element);
      changed = true;
    }
    this.arrange();
    this.applyFilter();
    if (changed) this.loadOnScreen();
    return changed;
  }

  /** Put the cards in their groups and order: pinned ones (in pin order) first, in a group of their own. */
  arrange() {
    const members = new Map(); // group name -> card elements, in order
    const pinned = this.prefs.pins().filter((key) => this.cards.has(key));
    if (pinned.length) members.set(PINNED, pinned.map((key) => this.cards.get(key).element));
    for (const key of this.order) {
      if (this.prefs.isPinned(key)) continue;
      const card = this.cards.get(key);
      const name = groupOf(card.tag);
      if (!members.has(name)) members.set(name, []);
      members.get(name).push(card.element);
    }
    for (const [name, elements] of members) placeChildren(this.group(name).cards, elements);
    for (const [name, group] of this.groups) {
      if (!members.has(name)) {
        group.element.remove();
        this.groups.delete(name);
      }
    }
    placeChildren(this.container, Array.from(members.keys(), (name) => this.groups.get(name).element));
  }

  /** A card was pinned or unpinned. */
  onPinChange() {
    this.arrange();
    this.applyFilter();
    this.loadOnScreen();
  }

  /**
   * Start loading the cards on screen now, rather than when the IntersectionObserver reports them
   * after the next frame: on a busy machine that frame can be a few hundred milliseconds away.
   */
  loadOnScreen() {
    const height = window.innerHeight;
    for (const card of this.cards.values()) {
      if (card.drawn || card.loading) continue;
      const rect = card.element.getBoundingClientRect();
      if (rect.width > 0 && rect.bottom > 0 && rect.top < height) card.setVisible(true);
    }
  }

  /** Regex over tag names; an invalid pattern shows every card. Returns whether it was valid. */
  setFilter(text) {
    const { regex, valid } = userRegex(text);
    this.filter = regex;
    this.applyFilter();
    return valid;
  }

  /** Show (or hide again) the cards that no drawn run has. */
  setShowEmpty(show) {
    this.showEmpty = show;
    this.applyFilter();
    this.loadOnScreen();
  }

  /** Tag filter and empty cards: which cards show, the groups' counts and the toolbar's text. */
  applyFilter() {
    let shown = 0;
    let empty = 0;
    for (const group of this.groups.values()) {
      let inGroup = 0;
      for (const el of group.cards.children) {
        const match = !this.filter || this.filter.test(el.dataset.tag);
        el.classList.toggle(CLS.hidden, !match);
        const isEmpty = el.classList.contains(CLS.empty);
        el.classList.toggle(CLS.shownEmpty, isEmpty && this.showEmpty);
        if (match && isEmpty) empty += 1;
        if (match && (!isEmpty || this.showEmpty)) inGroup += 1;
      }
      group.element.classList.toggle(CLS.hidden, inGroup === 0);
      group.count.textContent = String(inGroup);
      shown += inGroup;
    }
    const total = this.cards.size;
    const [one, many] = this.context.nouns ?? ["tag", "tags"]; // what a card stands for
    const noun = total === 1 ? one : many;
    let text = shown === total ? `${total} ${noun}` : `${shown} of ${total} ${noun}`;
    if (total === 0) text = "";
    this.status.textContent = text;
    // "3 empty cards hidden · Show" — a card is empty when no drawn run has its tag.
    this.emptyToggle.classList.toggle(CLS.hidden, empty === 0);
    this.emptyToggle.setAttribute("aria-pressed", String(this.showEmpty));
    const cards = empty === 1 ? "card" : "cards";
    this.emptyToggle.textContent = this.showEmpty ? `Hide ${empty} empty ${cards}` : `Show ${empty} empty ${cards}`;
    this.emptyToggle.title = "Cards whose tag no selected run has";
  }

  /** The selected runs changed: every card gets its new run list. */
  updateRuns() {
    let shown = false; // a card that was empty has runs now, and may be on screen
    for (const card of this.cards.values()) {
      const wasEmpty = card.element.classList.contains(CLS.empty);
      card.setRuns(this.context.runsFor(card.tag, card));
      shown ||= wasEmpty && !card.element.classList.contains(CLS.empty);
    }
    this.applyFilter();
    if (shown) this.loadOnScreen();
  }

  applyView() {
    for (const card of this.cards.values()) card.applyView();
  }

  rebuild() {
    for (const card of this.cards.values()) card.rebuild();
  }

  /** Live reload of every drawn card on screen; resolves true when any changed. */
  async refresh() {
    const results = await Promise.all(Array.from(this.cards.values(), (card) => card.refresh()));
    return results.some(Boolean);
  }
}

function chevron() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("class", CLS.groupChevron);
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M4 6l4 4 4-4");
  svg.append(path);
  return svg;
}
