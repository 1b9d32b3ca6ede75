/**
 * The toolbar's download links: the table as the page shows it (its filters, sort and visible
 * columns) in CSV, JSON or LaTeX, from TensorBoard's /data/plugin/hparams/download_data, whose
 * request carries the page's filters as colParams (a text filter as the set of values it keeps).
 * Hidden when the columns come from run names (no hparams summaries for the route to read).
 */
import { h } from "../dom.js";

const ALL_STATUSES = ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"];
const FORMATS = [["csv", "CSV"], ["json", "JSON"], ["latex", "LaTeX"]];
const BIG = 1.7976931348623157e308; // JSON has no infinity: an open end of a range

function colParams(data, state) {
  return data.columns.map((column) => {
    const col = column.kind === "hparam" ? { hparam: column.name } : { metric: column.metric };
    const filter = state.filters.get(column.key);
    if (filter && "min" in filter) {
      col.filterInterval = { minValue: Math.max(filter.min, -BIG), maxValue: Math.min(filter.max, BIG) };
      col.excludeMissingValues = true;
    } else if (filter && ("regex" in filter || "values" in filter)) {
      // the values the page keeps, as a set: the same rows whatever the column's type
      const keep = "regex" in filter ? (v) => filter.regex.test(String(v)) : (v) => filter.values.has(String(v));
      col.filterDiscrete = (column.values || []).filter(keep);
      col.excludeMissingValues = true;
    }
    if (state.sort && state.sort.key === column.key) col.order = state.sort.desc ? "ORDER_DESC" : "ORDER_ASC";
    return col;
  });
}

export function downloadURL(data, state, format) {
  const cols = colParams(data, state);
  // the sorted column first: its order decides
  const sorted = cols.filter((c) => c.order);
  const request = {
    experimentName: "", allowedStatuses: ALL_STATUSES, startIndex: 0, sliceSize: data.groups.length || 1,
    colParams: [...sorted, ...cols.filter((c) => !c.order)],
  };
  const visible = data.columns.map((c) => !state.hidden.has(c.key));
  return `/data/plugin/hparams/download_data?${new URLSearchParams({
    format, columnsVisibility: JSON.stringify(visible), request: JSON.stringify(request),
  })}`;
}

export function renderDownloads(root, data, state) {
  root.classList.toggle("is-hidden", data.source !== "hparams");
  root.replaceChildren("Download ", ...FORMATS.map(([format, label]) => h("a", {
    class: "hp-download", href: downloadURL(data, state, format), download: `hparams_table.${format === "latex" ? "tex" : format}`,
    dataset: { format },
  }, label)));
}
