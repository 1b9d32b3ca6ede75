/**
 * The table view: one row per session group, one column per visible hparam and metric. A header
 * click sorts (ascending, descending, off); the row under the header filters each column (numbers:
 * min and max; text: a regular expression); a row click selects the group, whose metric curves the
 * page then shows. Also the sidebar's column list (show/hide).
 */
import { h, userRegex } from "../dom.js";
import { formatCell, valueOf } from "./model.js";

const MAX_ROWS = 1000; // rows drawn at most; the filters narrow the rest down

function numberInput(placeholder, label, value, onchange) {
  return h("input", { class: "hp-filter__input", type: "number", step: "any", placeholder, value: value ?? "",
    "aria-label": label, onchange });
}

function filterCell(column, state) {
  const current = state.filters.get(column.key);
  if (column.numeric) {
    let min = current && "min" in current ? current.min : "";
    let max = current && "max" in current ? current.max : "";
    const apply = () => {
      const lo = minInput.value === "" ? -Infinity : Number(minInput.value);
      const hi = maxInput.value === "" ? Infinity : Number(maxInput.value);
      state.setFilter(column.key, lo === -Infinity && hi === Infinity ? null : { min: lo, max: hi });
    };
    if (min === -Infinity) min = "";
    if (max === Infinity) max = "";
    const minInput = numberInput("min", `min ${column.label}`, min === "" ? "" : formatCell(min), apply);
    const maxInput = numberInput("max", `max ${column.label}`, max === "" ? "" : formatCell(max), apply);
    return h("div", { class: "hp-filter" }, minInput, maxInput);
  }
  const input = h("input", { class: "hp-filter__input", type: "search", placeholder: "regex",
    "aria-label": `filter ${column.label} (regular expression)`, value: current && current.text ? current.text : "" });
  input.addEventListener("input", () => {
    const { regex, valid } = userRegex(input.value);
    input.classList.toggle("is-invalid", !valid);
    if (valid) state.setFilter(column.key, regex ? { regex, text: input.value } : null);
  });
  return h("div", { class: "hp-filter" }, input);
}

/** Draw the table of `rows` into `root` (replacing what was there). */
export function renderTable(root, data, rows, state) {
  const columns = data.columns.filter((c) => !state.hidden.has(c.key));
  const focused = document.activeElement && root.contains(document.activeElement) ? document.activeElement : null;
  const focusLabel = focused ? focused.getAttribute("aria-label") : null;
  const head = h("tr", {}, h("th", { class: "hp-table__group", scope: "col" }, "Session group"),
    columns.map((column) => {
      const sorted = state.sort && state.sort.key === column.key ? (state.sort.desc ? "descending" : "ascending") : "none";
      return h("th", { scope: "col", class: column.kind === "metric" ? "hp-table__metric" : "", "aria-sort": sorted },
        h("button", { class: "hp-sort", type: "button", title: column.description || `Sort by ${column.label}`,
          dataset: { key: column.key }, onclick: () => state.sortBy(column.key) },
        column.label, h("span", { class: "hp-sort__mark", "aria-hidden": "true" },
          sorted === "ascending" ? "▲" : sorted === "descending" ? "▼" : "")));
    }));
  const filters = h("tr", { class: "hp-table__filters" }, h("td", {}, `${rows.length} of ${data.groups.length}`),
    columns.map((column) => h("td", {}, filterCell(column, state))));
  const body = rows.slice(0, MAX_ROWS).map((group) => h("tr", {
    class: `hp-row${state.selected === group.name ? " is-selected" : ""}`, tabindex: "0",
    dataset: { group: group.name }, onclick: () => state.select(group.name),
    onkeydown: (event) => { if (event.key === "Enter") state.select(group.name); },
  }, h("th", { scope: "row", class: "hp-table__group" }, group.name),
  columns.map((column) => h("td", { class: column.numeric ? "num" : "" }, formatCell(valueOf(column, group))))));
  const more = rows.length > MAX_ROWS
    ? h("p", { class: "hp-note" }, `The first ${MAX_ROWS} of ${rows.length} groups are shown: filter to see others.`)
    : null;
  root.replaceChildren(h("table", { class: "hp-table" }, h("thead", {}, head, filters), h("tbody", {}, body)),
    ...(more ? [more] : []));
  if (focusLabel) { // a filter being typed in keeps the focus across redraws
    const again = [...root.querySelectorAll("input")].find((el) => el.getAttribute("aria-label") === focusLabel);
    if (again) {
      again.focus();
      if (again.type === "search") again.setSelectionRange(again.value.length, again.value.length);
    }
  }
}

/** The sidebar's list of columns, each with a checkbox that shows or hides it. */
export function renderColumnList(root, data, state) {
  const item = (column) => h("label", { class: "check" },
    h("input", { type: "checkbox", checked: !state.hidden.has(column.key), dataset: { column: column.key },
      onchange: (event) => state.toggleColumn(column.key, event.target.checked) }),
    h("span", {}, column.label));
  const hparams = data.columns.filter((c) => c.kind === "hparam");
  const metrics = data.columns.filter((c) => c.kind === "metric");
  root.replaceChildren(
    h("h3", { class: "hp-columns__title" }, "Hyperparameters"), ...hparams.map(item),
    h("h3", { class: "hp-columns__title" }, "Metrics"),
    ...(metrics.length ? metrics.map(item) : [h("p", { class: "hp-columns__none" }, "No metrics")]));
}
