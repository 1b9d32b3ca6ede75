/**
 * The HParams page's data: columns (hparams, then metrics) and rows (session groups), from the
 * hparams routes (/data/plugin/hparams/experiment and /session_groups, TensorBoard's JSON), or,
 * for a logdir without hparams summaries, from /data/hparams/run_names (the same shapes, parsed
 * from run names). The page filters and sorts in the browser: every group is fetched once.
 */
import { getJSON } from "../http.js";

const ALL_STATUSES = ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"];
const MAX_GROUPS = 100000; // slice_size of the one session groups request

function post(url, body) {
  return getJSON(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

/** A column of the table: {key, kind: "hparam"|"metric", label, name (hparam) | metric {group, tag},
 * numeric, values (distinct values, for string/bool hparams)}. */
function hparamColumn(info) {
  const numeric = info.type === "DATA_TYPE_FLOAT64";
  return {
    key: `h:${info.name}`, kind: "hparam", name: info.name, label: info.displayName || info.name,
    numeric, description: info.description || "", differs: info.differs !== false,
  };
}

function metricColumn(info) {
  const { group, tag } = info.name;
  return {
    key: `m:${group}\u0000${tag}`, kind: "metric", metric: { group, tag },
    label: info.displayName || (group ? `${group}/${tag}` : tag), numeric: true, description: info.description || "",
    differs: true,
  };
}

/** The value of `column` in a session group (or a session): number, string, boolean, or undefined. */
export function valueOf(column, holder) {
  if (column.kind === "hparam") return holder.hparams ? holder.hparams[column.name] : undefined;
  const found = (holder.metricValues || []).find((m) => m.name.tag === column.metric.tag
    && (m.name.group || "") === column.metric.group);
  return found ? found.value : undefined;
}

/** {source: "hparams"|"run names"|"none", experiment, columns, groups}. */
export async function loadData() {
  const experiment = await post("/data/plugin/hparams/experiment", { experimentName: "" });
  let groups;
  let source = "hparams";
  let exp = experiment;
  if ((experiment.hparamInfos || []).length) {
    const answer = await post("/data/plugin/hparams/session_groups", {
      experimentName: "", allowedStatuses: ALL_STATUSES, colParams: [], startIndex: 0, sliceSize: MAX_GROUPS,
    });
    groups = answer.sessionGroups;
  } else {
    const parsed = await getJSON("/data/hparams/run_names");
    exp = parsed.experiment;
    groups = parsed.sessionGroups;
    source = groups.length ? "run names" : "none";
  }
  const columns = [...(exp.hparamInfos || []).map(hparamColumn), ...(exp.metricInfos || []).map(metricColumn)];
  for (const column of columns) {
    if (!column.numeric) {
      const seen = new Set(groups.map((g) => valueOf(column, g)).filter((v) => v !== undefined));
      column.values = [...seen].sort((a, b) => String(a).localeCompare(String(b), undefined, { numeric: true }));
    }
    // numeric columns whose values are all numbers (bool hparams are discrete)
    if (column.numeric) {
      const numbers = groups.map((g) => valueOf(column, g)).filter((v) => typeof v === "number");
      column.min = numbers.length ? Math.min(...numbers) : 0;
      column.max = numbers.length ? Math.max(...numbers) : 1;
    }
  }
  return { source, experiment: exp, columns, groups };
}

/**
 * What the user chose: visible column keys, filters {key: {min, max} | {regex: RegExp, text} |
 * {values: Set}}, sort {key, desc}, the selected group's name.
 */
export class ViewState extends EventTarget {
  constructor() {
    super();
    this.hidden = new Set();
    this.filters = new Map();
    this.sort = null;
    this.selected = null;
  }

  changed(what) {
    this.dispatchEvent(new CustomEvent("change", { detail: what }));
  }

  setFilter(key, filter) {
    if (filter) this.filters.set(key, filter);
    else this.filters.delete(key);
    this.changed("filter");
  }

  toggleColumn(key, shown) {
    if (shown) this.hidden.delete(key);
    else this.hidden.add(key);
    this.changed("columns");
  }

  sortBy(key) {
    // ascending, then descending, then unsorted
    if (this.sort && this.sort.key === key) this.sort = this.sort.desc ? null : { key, desc: true };
    else this.sort = { key, desc: false };
    this.changed("sort");
  }

  select(name) {
    this.selected = this.selected === name ? null : name;
    this.changed("select");
  }
}

/** Whether `value` passes `filter` (missing values pass no filter). */
function passes(filter, value) {
  if (value === undefined) return false;
  if ("min" in filter) return typeof value === "number" && value >= filter.min && value <= filter.max;
  if ("regex" in filter) return filter.regex.test(String(value));
  if ("values" in filter) return filter.values.has(String(value));
  return true;
}

/** The groups passing every filter, sorted as the state says (missing values last). */
export function visibleGroups(data, state) {
  const byKey = new Map(data.columns.map((c) => [c.key, c]));
  let rows = data.groups.filter((g) => [...state.filters].every(([key, filter]) => {
    const column = byKey.get(key);
    return !column || passes(filter, valueOf(column, g));
  }));
  const column = state.sort && byKey.get(state.sort.key);
  if (column) {
    const sign = state.sort.desc ? -1 : 1;
    const compare = (a, b) => {
      const x = valueOf(column, a);
      const y = valueOf(column, b);
      if (x === undefined || y === undefined) return (x === undefined) - (y === undefined);
      if (typeof x === "number" && typeof y === "number") return sign * (x - y);
      return sign * String(x).localeCompare(String(y), undefined, { numeric: true });
    };
    rows = [...rows].sort(compare);
  }
  return rows;
}

export function formatCell(value) {
  if (value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isInteger(value)) return String(value);
    const abs = Math.abs(value);
    const short = Number(value.toPrecision(5));
    return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? short.toExponential() : String(short);
  }
  return String(value);
}
