/**
 * The comparison table: two steps' time and memory per op type or name scope and the difference
 * (GET /data/trace/compare, computed and sorted by the server, which sends at most `limit` rows).
 * A click on a column header sorts by it (again: the other way).
 */
import { h } from "../dom.js";
import { formatBytes, formatMicros } from "../graph/step_stats.js";

const COLUMNS = [
  { key: "key", label: "name" },
  { key: "count_a", label: "ops A" },
  { key: "count_b", label: "ops B" },
  { key: "time_a", label: "time A", format: formatMicros },
  { key: "time_b", label: "time B", format: formatMicros },
  { key: "time_diff", label: "Δ time", format: formatMicros, diff: true },
  { key: "memory_a", label: "memory A", format: formatBytes },
  { key: "memory_b", label: "memory B", format: formatBytes },
  { key: "memory_diff", label: "Δ memory", format: formatBytes, diff: true },
];
const SORTABLE = new Set(["key", "time_a", "time_b", "time_diff", "memory_a", "memory_b", "memory_diff"]);

function cell(column, value) {
  if (column.key === "key" || !column.format) return h("td", {}, String(value));
  const text = column.diff && value > 0 ? `+${column.format(value)}` : column.diff && value < 0
    ? `−${column.format(-value)}` : column.format(value);
  const cls = column.diff && value ? (value > 0 ? "tr-more" : "tr-less") : null;
  return h("td", { class: cls }, text);
}

/** Renders `answer` into `table`; `onSort(key)` is called when a sortable header is clicked. */
export function renderCompare(table, answer, sort, order, onSort) {
  const label = answer.group === "op" ? "op type" : "name scope";
  const head = h("tr", {}, COLUMNS.map((column) => {
    const sorted = column.key === sort ? (order === "asc" ? "ascending" : "descending") : null;
    return h("th", {
      scope: "col", "aria-sort": sorted, tabindex: SORTABLE.has(column.key) ? 0 : null,
      dataset: { key: column.key },
      onclick: SORTABLE.has(column.key) ? () => onSort(column.key) : null,
      onkeydown: (e) => { if (e.key === "Enter" && SORTABLE.has(column.key)) onSort(column.key); },
    }, column.key === "key" ? label : column.label);
  }));
  const rows = answer.rows.map((row) => h("tr", {}, COLUMNS.map((column) => cell(column, row[column.key]))));
  const totals = answer.rows.length ? h("tr", {}, COLUMNS.map((column) => (column.key === "key"
    ? h("td", {}, "total") : cell(column, answer.totals[column.key])))) : null;
  table.replaceChildren(h("thead", {}, head), h("tbody", {}, rows), h("tfoot", {}, totals));
}
