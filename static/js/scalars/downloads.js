/**
 * Downloads: each series as CSV or JSON straight from TensorBoard's route (the server sends every
 * point), and one file with all runs of a tag, assembled here from the same route.
 */
import { CLS } from "../classes.js";
import { h } from "../dom.js";
import { fetchRows, seriesURL } from "./api.js";

function safeName(text) {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "") || "data";
}

export function fileName(tag, run, ext) {
  return `${safeName(run ? `${run}-${tag}` : tag)}.${ext}`;
}

/** CSV with a run column: run,wall_time,step,value; numbers in shortest round-trip form. */
export function allRunsCSV(byRun) {
  const lines = ["Run,Wall time,Step,Value"];
  for (const [run, rows] of byRun) {
    const name = /[",\n]/.test(run) ? `"${run.replace(/"/g, '""')}"` : run;
    for (const [wall, step, value] of rows) lines.push(`${name},${wall},${step},${value}`);
  }
  return `${lines.join("\n")}\n`;
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function downloadAll(tag, runs, format) {
  const byRun = new Map();
  const rows = await Promise.all(runs.map((run) => fetchRows(run, tag)));
  runs.forEach((run, i) => byRun.set(run, rows[i]));
  if (format === "csv") {
    save(new Blob([allRunsCSV(byRun)], { type: "text/csv" }), fileName(tag, null, "csv"));
  } else {
    const body = JSON.stringify(Object.fromEntries(byRun));
    save(new Blob([body], { type: "application/json" }), fileName(tag, null, "json"));
  }
}

/** Fill the card's download menu for `runs` (in display order). */
export function renderDownloads(list, tag, runs) {
  const items = [h("div", { class: CLS.menuLabel }, "All runs")];
  for (const format of ["csv", "json"]) {
    items.push(h("button", {
      class: CLS.menuItem, type: "button", dataset: { download: `all-${format}` },
      onclick: () => downloadAll(tag, runs, format),
    }, `All runs · ${format.toUpperCase()}`));
  }
  if (runs.length) items.push(h("div", { class: CLS.menuLabel }, "One run"));
  for (const run of runs) {
    for (const format of ["csv", "json"]) {
      items.push(h("a", {
        class: CLS.menuItem, href: seriesURL(run, tag, format), download: fileName(tag, run, format),
        title: `${run} — ${tag}`, dataset: { download: format, run },
      }, `${run} · ${format.toUpperCase()}`));
    }
  }
  list.replaceChildren(...items);
}
