/**
 * The run selector in the left panel: one checkbox per run in its color (colors.js) with a color
 * picker, "All"/"None" (they act on the runs the list shows), a regex filter and "Only selected".
 * A run drawn in the charts is one that is checked and matches the filter. Runs that appear while the
 * page is open start checked; on the first load, every run in the URL's selection, or — with no
 * selection in the URL — every run up to `maxDefault` (board/routes/scalars.py), as TensorBoard does
 * so a logdir of a thousand runs does not open by drawing a thousand lines.
 *
 * The list is virtual: it holds a row element only for the runs scrolled into view (plus a margin),
 * each ROW_HEIGHT pixels high, so a thousand runs filter and scroll as fast as ten.
 */
import { CLS } from "../classes.js";
import { h, userRegex } from "../dom.js";
import { paletteColor, runColor, setRunColors } from "./colors.js";
import { splitRunName } from "./format.js";
import { setChosenColor } from "./prefs.js";

/**
 * The RunList of templates/_runs.html: `view` is the page's state ({runs, onlySelected}, state.js;
 * runs null = the default selection), `onChange` as RunList's.
 */
export function pageRunList(view, onChange) {
  const $ = (selector) => document.querySelector(selector);
  return new RunList({
    list: $("[data-runs]"), count: $("[data-run-count]"), filter: $("[data-run-filter]"),
    all: $("[data-runs-all]"), none: $("[data-runs-none]"),
    onlySelected: $("[data-runs-only-selected]"), picker: $("[data-run-picker]"),
  }, { selection: view.runs, onlySelected: view.onlySelected, maxDefault: Number($("[data-runs]").dataset.maxDefault) },
  onChange);
}

const ROW_HEIGHT = 26; // px; .run in scalars.css has this height
const OVERSCAN = 8; // rows rendered above and below the visible ones

export class RunList {
  /**
   * @param {{list: HTMLElement, count: HTMLElement, filter: HTMLInputElement, all: HTMLElement,
   *          none: HTMLElement, onlySelected: HTMLInputElement, picker: HTMLInputElement}} elements
   * @param {{selection: string[] | null, onlySelected: boolean, maxDefault: number}} initial
   * @param {(what: "selection" | "filter" | "colors") => void} onChange  after the selection, the
   *   filter or a run's color changed
   */
  constructor(elements, initial, onChange) {
    this.el = elements;
    this.onChange = onChange;
    this.runs = [];
    this.known = null; // runs seen so far; null until the first setRuns
    this.initial = initial.selection ? new Set(initial.selection) : null;
    this.maxDefault = initial.maxDefault;
    this.onlySelected = initial.onlySelected;
    this.selected = new Set();
    this.filter = null;
    this.fresh = new Set(); // runs that appeared while the page was open (shown bold)
    this.shown = []; // the runs the list shows: matching the filter (and selected, with onlySelected)
    this.rendered = ""; // the window of rows in the DOM, as "first:last:version"
    this.version = 0;
    this.pickerRun = null;

    this.spacer = h("div", { class: CLS.runsSpacer });
    this.rows = h("ul", { class: CLS.runsRows, "aria-label": "Runs" });
    elements.list.replaceChildren(this.spacer, this.rows);
    // The list's height as its ResizeObserver last reported it; null before its first layout.
    // Reading clientHeight then would force the page's first layout before the cards exist, and
    // the page would be laid out twice before its first chart (once without the cards).
    this.height = null;
    elements.list.addEventListener("scroll", () => this.renderWindow());
    new ResizeObserver(([entry]) => {
      this.height = entry.contentRect.height;
      this.renderWindow();
    }).observe(elements.list);
    elements.all.addEventListener("click", () => this.setShown(true));
    elements.none.addEventListener("click", () => this.setShown(false));
    elements.onlySelected.checked = this.onlySelected;
    elements.onlySelected.addEventListener("change", () => {
      this.onlySelected = elements.onlySelected.checked;
      this.refilter(true);
      this.onChange("filter");
    });
    // One color input for every run (rows come and go as the list scrolls).
    elements.picker.addEventListener("input", () => this.pickColor(elements.picker.value));
    // The rows' checkboxes and color buttons, by delegation.
    this.rows.addEventListener("change", (event) => {
      const run = event.target.closest("[data-run]")?.dataset.run;
      if (run === undefined || !event.target.matches("input[type=checkbox]")) return;
      if (event.target.checked) this.selected.add(run);
      else this.selected.delete(run);
      if (this.onlySelected) this.refilter();
      else this.sync();
      this.onChange("selection");
    });
    this.rows.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-color-of]");
      if (button) this.openPicker(button.dataset.colorOf);
    });
  }

  /** Replace the list of runs, in the order to show them. Returns true when runs were added or removed. */
  setRuns(runs) {
    const firstTime = this.known === null;
    const added = runs.filter((r) => !this.known?.has(r));
    const present = new Set(runs);
    const removed = this.runs.filter((r) => !present.has(r));
    if (!firstTime && added.length === 0 && removed.length === 0) return false;
    added.forEach((run, i) => {
      const selected = !firstTime || (this.initial ? this.initial.has(run) : i < this.maxDefault);
      if (selected) this.selected.add(run);
      if (!firstTime) this.fresh.add(run);
    });
    for (const run of removed) this.selected.delete(run);
    this.known = new Set([...(this.known || []), ...runs]);
    this.runs = runs.slice();
    setRunColors(this.runs);
    this.refilter();
    return true;
  }

  /** Recompute which runs the list shows, then redraw it (from its top, after a new filter). */
  refilter(fromTop = false) {
    this.shown = this.runs.filter((r) => (!this.filter || this.filter.test(r))
      && (!this.onlySelected || this.selected.has(r)));
    this.spacer.style.height = `${this.shown.length * ROW_HEIGHT}px`;
    if (fromTop) {
      // The old rows would keep the list scrollable past the new end: drop them first.
      this.rows.replaceChildren();
      this.el.list.scrollTop = 0;
    }
    this.sync();
  }

  /** The rows in view (built anew when the window or the data changed), the count and the empty text. */
  sync() {
    this.version += 1;
    this.renderWindow();
    const drawn = this.visibleRuns().length;
    this.el.count.textContent = this.runs.length ? `${drawn} of ${this.runs.length} shown` : "";
  }

  renderWindow() {
    const list = this.el.list;
    // Before the first layout the list is at its top and at most as high as the window.
    const laidOut = this.height !== null;
    const scrollTop = laidOut ? list.scrollTop : 0;
    const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
    const visible = Math.ceil((laidOut ? this.height || 400 : window.innerHeight) / ROW_HEIGHT);
    const last = Math.min(this.shown.length, first + visible + 2 * OVERSCAN);
    const key = `${first}:${last}:${this.version}`;
    if (key === this.rendered) return;
    this.rendered = key;
    const rows = [];
    for (let i = first; i < last; i++) rows.push(this.row(this.shown[i]));
    if (this.shown.length === 0) {
      const text = this.runs.length ? "No run matches." : "No runs with scalars yet.";
      rows.push(h("li", { class: CLS.runsEmpty }, text));
    }
    this.rows.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    this.rows.replaceChildren(...rows);
  }

  row(run) {
    const { dir, base } = splitRunName(run);
    const color = runColor(run);
    const box = h("input", { type: "checkbox", class: CLS.runCheck, style: { "--run-color": color } });
    box.checked = this.selected.has(run);
    const li = h("li", { title: run, dataset: { run }, class: this.fresh.has(run) ? CLS.isNew : null },
      h("label", { class: CLS.run },
        box,
        h("span", { class: CLS.runName },
          dir ? h("span", { class: CLS.runDir }, dir) : null,
          h("span", { class: CLS.runBase }, base))),
      h("button", {
        type: "button", class: CLS.runColor, style: { "--run-color": color }, dataset: { colorOf: run },
        title: `Color of ${run}`, "aria-label": `Color of ${run}`,
      }));
    return li;
  }

  openPicker(run) {
    this.pickerRun = run;
    this.el.picker.value = runColor(run);
    this.el.picker.click();
  }

  /** The picker's color for the run it was opened for; the palette's own color resets the choice. */
  pickColor(color) {
    const run = this.pickerRun;
    if (run === null) return;
    setChosenColor(run, color.toLowerCase() === paletteColor(run).toLowerCase() ? null : color);
    this.sync();
    this.onChange("colors");
  }

  /** Check or uncheck every run the list shows. */
  setShown(checked) {
    for (const run of this.shown) {
      if (checked) this.selected.add(run);
      else this.selected.delete(run);
    }
    if (this.onlySelected) this.refilter();
    else this.sync();
    this.onChange("selection");
  }

  /** Regex filter over run names; returns whether the pattern was valid. */
  setFilter(text) {
    const { regex, valid } = userRegex(text);
    this.filter = regex;
    this.refilter(true);
    this.onChange("filter");
    return valid;
  }

  /** Runs to draw, in order. */
  visibleRuns() {
    return this.runs.filter((r) => this.selected.has(r) && (!this.filter || this.filter.test(r)));
  }

  /** For the URL: null when the selection is the default one, else the selected run names. */
  selection() {
    const selected = this.runs.filter((r) => this.selected.has(r));
    const defaults = this.runs.slice(0, this.maxDefault);
    const isDefault = selected.length === defaults.length && selected.every((r, i) => r === defaults[i]);
    return isDefault ? null : selected;
  }
}
