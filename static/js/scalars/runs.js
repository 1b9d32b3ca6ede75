/**
 * The run selector in the left panel: one checkbox per run in its color (colors.js), "All"/"None"
 * (they act on the runs the filter shows), and a regex filter. A run drawn in the charts is one that
 * is checked and matches the filter. Runs that appear while the page is open start checked.
 */
import { CLS } from "../classes.js";
import { h, userRegex } from "../dom.js";
import { runColor, setRunColors } from "./colors.js";
import { splitRunName } from "./format.js";

export class RunList {
  /**
   * @param {{list: HTMLElement, count: HTMLElement, filter: HTMLInputElement, all: HTMLElement,
   *          none: HTMLElement}} elements
   * @param {string[] | null} selection  runs selected at start (null = all)
   * @param {() => void} onChange  called after the selection or the filter changed
   */
  constructor(elements, selection, onChange) {
    this.el = elements;
    this.onChange = onChange;
    this.runs = [];
    this.known = null; // runs seen so far; null until the first setRuns
    this.initial = selection ? new Set(selection) : null;
    this.selected = new Set();
    this.filter = null;
    this.items = new Map(); // run -> <li>
    elements.all.addEventListener("click", () => this.setMatching(true));
    elements.none.addEventListener("click", () => this.setMatching(false));
  }

  /** Replace the list of runs, in the order to show them. Returns true when runs were added or removed. */
  setRuns(runs) {
    const sorted = runs.slice();
    const firstTime = this.known === null;
    const added = sorted.filter((r) => !this.known?.has(r));
    const removed = this.runs.filter((r) => !runs.includes(r));
    if (!firstTime && added.length === 0 && removed.length === 0) return false;
    for (const run of added) {
      if (firstTime ? !this.initial || this.initial.has(run) : true) this.selected.add(run);
    }
    this.known = new Set([...(this.known || []), ...runs]);
    this.runs = sorted;
    setRunColors(sorted);
    this.render(firstTime ? [] : added);
    return true;
  }

  render(fresh) {
    const items = this.runs.map((run) => {
      let li = this.items.get(run);
      if (!li) {
        li = this.item(run);
        this.items.set(run, li);
      }
      li.classList.toggle(CLS.isNew, fresh.includes(run));
      return li;
    });
    for (const run of Array.from(this.items.keys())) if (!this.runs.includes(run)) this.items.delete(run);
    if (items.length === 0) items.push(h("li", { class: CLS.runsEmpty }, "No runs with scalars yet."));
    this.el.list.replaceChildren(...items);
    this.sync();
  }

  item(run) {
    const { dir, base } = splitRunName(run);
    const box = h("input", { type: "checkbox", class: CLS.runCheck, style: { "--run-color": runColor(run) } });
    box.addEventListener("change", () => {
      if (box.checked) this.selected.add(run);
      else this.selected.delete(run);
      this.sync();
      this.onChange();
    });
    // <wbr> after each "/" lets long paths wrap at folder boundaries instead of mid-name.
    const parts = dir ? dir.split("/").filter(Boolean).flatMap((p) => [p, "/", h("wbr")]) : [];
    return h("li", { title: run, dataset: { run } },
      h("label", { class: CLS.run },
        box,
        h("span", { class: CLS.runName }, dir ? h("span", { class: CLS.runDir }, parts) : null, base)));
  }

  /** Checkbox states, filter visibility and the count from the model. */
  sync() {
    for (const [run, li] of this.items) {
      li.classList.toggle(CLS.hidden, Boolean(this.filter) && !this.filter.test(run));
      li.querySelector("input").checked = this.selected.has(run);
    }
    const drawn = this.visibleRuns().length;
    this.el.count.textContent = this.runs.length ? `${drawn} of ${this.runs.length} shown` : "";
  }

  setMatching(checked) {
    for (const run of this.runs) {
      if (this.filter && !this.filter.test(run)) continue;
      if (checked) this.selected.add(run);
      else this.selected.delete(run);
    }
    this.sync();
    this.onChange();
  }

  /** Regex filter over run names; returns whether the pattern was valid. */
  setFilter(text) {
    const { regex, valid } = userRegex(text);
    this.filter = regex;
    this.sync();
    this.onChange();
    return valid;
  }

  /** Runs to draw, sorted. */
  visibleRuns() {
    return this.runs.filter((r) => this.selected.has(r) && (!this.filter || this.filter.test(r)));
  }

  /** For the URL: null when every run is selected, else the selected run names. */
  selection() {
    if (this.runs.every((r) => this.selected.has(r))) return null;
    return this.runs.filter((r) => this.selected.has(r));
  }
}
