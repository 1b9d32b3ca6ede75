/** The small table under each chart: per run, the last value and the min and max with their steps. */
import { CLS } from "../classes.js";
import { h } from "../dom.js";
import { formatStep, formatValue } from "./format.js";
import { summarize } from "./stats.js";

function valueCell(point, withStep) {
  if (!point) return h("td", { class: CLS.num }, "–");
  const attrs = {
    class: CLS.num,
    title: `${point.value} at step ${point.step}`,
    dataset: { value: String(point.value), step: String(point.step) },
  };
  return h("td", attrs,
    formatValue(point.value),
    withStep ? h("span", { class: CLS.summaryStep }, ` @${formatStep(point.step)}`) : null);
}

function runCell(run, color) {
  return h("td", {},
    h("span", { class: CLS.summaryRun, title: run },
      h("span", { class: CLS.swatch, style: { "--run-color": color } }),
      h("span", {}, run)));
}

/**
 * Fill `tbody`: entries = [{run, color, series}] in display order; missing = runs that vanished.
 */
export function renderSummary(tbody, entries, missing = []) {
  const rows = entries.map(({ run, color, series }) => {
    const s = summarize(series);
    if (!s) {
      return h("tr", { dataset: { run } }, runCell(run, color),
        h("td", { class: CLS.summaryNote, colspan: "3" }, "no points yet"));
    }
    return h("tr", { dataset: { run } }, runCell(run, color),
      valueCell(s.last, false), valueCell(s.min, true), valueCell(s.max, true));
  });
  for (const { run, color } of missing) {
    rows.push(h("tr", { dataset: { run } }, runCell(run, color),
      h("td", { class: CLS.summaryNote, colspan: "3" }, "this run is no longer in the logdir")));
  }
  tbody.replaceChildren(...rows);
}
