/**
 * Custom scalars dashboard: the charts of the runs' merged layout (/data/plugin/custom_scalars/layout),
 * one section per category (a category the layout marks closed starts collapsed), each chart drawn by
 * the scalars page's chart (static/js/scalars/chart.js) with its smoothing and tooltip.
 *
 * A multiline chart draws one line per (selected run, scalar tag) that one of its patterns matches
 * from the tag's start (/data/plugin/custom_scalars/scalars, one request per run and pattern, as
 * TensorBoard's page asks). A margin chart draws, per selected run and series, the `value` tag's line
 * over a band from the `lower` tag's values to the `upper` tag's at the same steps.
 */
import { formatNumber, getJSON, Settings, sidebarRunList } from "../dashboard/page.js";
import { CLS } from "../classes.js";
import { h, userRegex } from "../dom.js";
import { reloader } from "../reload.js";
import { ScalarChart } from "../scalars/chart.js";
import { PALETTE } from "../scalars/colors.js";
import { smooth } from "../scalars/smoothing.js";

const LOADS_AT_ONCE = 2;
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** [[wall, step, value], ...] as columns sorted by step ("NaN" and the infinities as numbers). */
export function columns(rows) {
  const sorted = rows.slice().sort((a, b) => a[1] - b[1]);
  return {
    step: sorted.map((row) => row[1]),
    wall: sorted.map((row) => row[0]),
    value: Float64Array.from(sorted, (row) => Number(row[2])),
  };
}

/** `values` of `other` at the steps of `series` (NaN where `other` has no point there). */
export function atSteps(series, other) {
  const byStep = new Map(other ? other.step.map((s, i) => [s, other.value[i]]) : []);
  return Float64Array.from(series.step, (s) => (byStep.has(s) ? byStep.get(s) : NaN));
}

async function scalarsOf(run, pattern) {
  const answer = await getJSON(`/data/plugin/custom_scalars/scalars?${new URLSearchParams({ run, tag: pattern })}`);
  return answer.regex_valid ? answer.tag_to_events : {};
}

/** The chart's lines: [{label, run, tag, series, lower?, upper?}], sorted by tag then run. */
async function linesOf(chart, runs) {
  const lines = [];
  if (chart.multiline) {
    for (const run of runs) {
      const found = new Map();
      for (const pattern of chart.multiline.tag || []) {
        for (const [tag, rows] of Object.entries(await scalarsOf(run, pattern))) found.set(tag, rows);
      }
      for (const [tag, rows] of found) lines.push({ label: `${tag} (${run})`, run, tag, series: columns(rows) });
    }
  } else if (chart.margin) {
    for (const run of runs) {
      for (const { value, lower, upper } of chart.margin.series || []) {
        const exact = `(?:${[value, lower, upper].map(escapeRegex).join("|")})$`;
        const events = await scalarsOf(run, exact);
        if (!events[value]) continue;
        const series = columns(events[value]);
        lines.push({ label: `${value} (${run})`, run, tag: value, series,
          lower: atSteps(series, events[lower] && columns(events[lower])),
          upper: atSteps(series, events[upper] && columns(events[upper])) });
      }
    }
  }
  return lines.sort((a, b) => collator.compare(a.tag, b.tag) || collator.compare(a.run, b.run));
}

// A margin chart's tooltip: the value (smoothed and raw) with its band at the nearest step.
const MARGIN_TOOLTIP = {
  head: ["Smoothed", "Value", "Lower", "Upper", "Step"],
  cells: (line, i) => [formatNumber(line.smoothed[i]), formatNumber(line.raw[i]), formatNumber(line.lower[i]),
    formatNumber(line.upper[i]), String(line.step[i])],
};

function chartCard(chart, settings) {
  const plot = h("div", { class: "dash-uplot" });
  const foot = h("div", { class: "dash-card__foot custom-legends" });
  const kind = chart.margin ? "margin" : "multiline";
  const patterns = chart.margin ? (chart.margin.series || []).map((s) => `${s.value} [${s.lower}, ${s.upper}]`)
    : chart.multiline?.tag || [];
  const article = h("article", { class: "card dash-card", dataset: { chart: chart.title, kind, state: "idle" } },
    h("header", { class: "card__head" }, h("h3", { class: "card__title", title: chart.title }, chart.title)),
    h("div", { class: "dash-card__description" }, patterns.map((p) => h("code", { class: "custom-pattern" }, p))),
    h("div", { class: "dash-card__body" }, plot, foot));
  let lines = [];
  let view = null;

  function draw() {
    const smoothing = settings.get("smoothing");
    const drawn = lines.filter((line) => line.series.step.length);
    if (!drawn.length) {
      view?.destroy();
      view = null;
      plot.replaceChildren(h("div", { class: "card__placeholder" }, "No scalar of the selected runs matches"));
      return;
    }
    if (!view) {
      plot.replaceChildren();
      view = new ScalarChart(plot);
      plot.__chart = view; // tests read view.snapshot()
    }
    view.render({ mode: "step", log: settings.get("log"), outliers: false, yMin: null, yMax: null, smoothing,
      tooltip: chart.margin ? MARGIN_TOOLTIP : undefined,
      runs: drawn.map((line, k) => ({
        run: line.label,
        color: PALETTE[k % PALETTE.length],
        x: Float64Array.from(line.series.step),
        step: line.series.step,
        wall: line.series.wall,
        raw: line.series.value,
        smoothed: smooth(line.series.value, smoothing),
        lower: line.lower,
        upper: line.upper,
      })) });
    // the legend: which color is which (run, tag); each entry downloads its series as CSV
    foot.replaceChildren(...drawn.map((line, k) => h("a", { class: "custom-legend", download: "",
      title: `${line.label}: download as CSV`,
      href: `/data/plugin/custom_scalars/download_data?${new URLSearchParams({ run: line.run, tag: line.tag,
        format: "csv" })}` },
    h("span", { class: CLS.swatch, style: { background: PALETTE[k % PALETTE.length] } }), line.label)));
  }

  return {
    chart,
    article,
    async load(runs) {
      article.dataset.state = "loading";
      try {
        lines = await linesOf(chart, runs);
        draw();
        article.dataset.state = "ready";
      } catch (err) {
        article.dataset.state = "error";
        plot.replaceChildren(h("div", { class: "card__placeholder" }, `Could not load: ${err.message}`));
      }
    },
    draw,
  };
}

function start() {
  const $ = (selector) => document.querySelector(selector);
  const el = { groups: $("[data-groups]"), empty: $("[data-empty]"), notice: $("[data-notice]"),
    filter: $("[data-tag-filter]"), status: $("[data-tag-status]") };
  const settings = new Settings($(".sidebar") || document);
  const collapsed = new Set();
  let layout = { category: [] };
  let cards = [];
  let filter = null;

  // Cards load two at a time, in page order, after every change of the layout, the data or the runs.
  let generation = 0;
  async function loadAll() {
    const mine = ++generation;
    const runs = runList.visibleRuns();
    const queue = cards.filter((card) => !collapsed.has(card.category)).slice();
    const worker = async () => {
      while (queue.length && mine === generation) await queue.shift().load(runs);
    };
    await Promise.all(Array.from({ length: LOADS_AT_ONCE }, worker));
  }

  function build() {
    cards = [];
    (layout.category || []).forEach((category, c) => {
      for (const chart of category.chart || []) cards.push({ ...chartCard(chart, settings), category: c });
    });
  }

  function render() {
    const shown = (card) => !filter || filter.test(card.chart.title)
      || (card.chart.multiline?.tag || []).some((t) => filter.test(t));
    const sections = (layout.category || []).map((category, c) => {
      const list = cards.filter((card) => card.category === c && shown(card));
      const head = h("button", { class: CLS.groupHead, type: "button", "aria-expanded": String(!collapsed.has(c)),
        onclick: () => {
          if (collapsed.has(c)) collapsed.delete(c);
          else collapsed.add(c);
          render();
          loadAll();
        } },
      h("span", { class: CLS.groupName }, category.title || "(untitled)"),
      h("span", { class: CLS.groupCount }, String(list.length)));
      return h("section", { class: `${CLS.group}${collapsed.has(c) ? ` ${CLS.collapsed}` : ""}`,
        dataset: { group: category.title } }, head, h("div", { class: CLS.groupCards }, list.map((card) => card.article)));
    });
    el.groups.replaceChildren(...sections);
    el.empty.classList.toggle(CLS.hidden, cards.length > 0);
    el.status.textContent = cards.length ? `${cards.filter(shown).length} of ${cards.length} charts` : "";
  }

  const runList = sidebarRunList((what) => {
    if (what !== "colors") loadAll();
  });
  el.filter.addEventListener("input", () => {
    const { regex, valid } = userRegex(el.filter.value);
    el.filter.classList.toggle(CLS.invalid, !valid);
    filter = regex;
    render();
  });
  const smoothingValue = $("[data-smoothing-value]");
  settings.onChange(() => {
    if (smoothingValue) smoothingValue.textContent = String(settings.get("smoothing"));
    for (const card of cards) if (card.article.dataset.state === "ready") card.draw();
  });

  const embedded = document.getElementById("dashboard-initial");
  let initial = embedded ? JSON.parse(embedded.textContent) : null; // {status, tags: the layout}
  async function refresh() {
    try {
      const fresh = initial ? initial.tags : await getJSON("/data/plugin/custom_scalars/layout");
      initial = null;
      const runs = Object.keys(await getJSON("/data/plugin/scalars/tags")).sort(collator.compare);
      if (JSON.stringify(fresh) !== JSON.stringify(layout)) {
        layout = fresh.category ? fresh : { category: [] };
        collapsed.clear();
        layout.category.forEach((category, c) => category.closed && collapsed.add(c));
        build();
      }
      el.notice.classList.add(CLS.hidden);
      runList.setRuns(runs);
    } catch (err) {
      el.notice.textContent = `Could not read the custom scalars layout: ${err.message}`;
      el.notice.classList.remove(CLS.hidden);
      el.notice.classList.add(CLS.error);
      return true;
    }
    render();
    document.body.dataset.loaded = "true";
    await loadAll();
    return true;
  }
  reloader.register(refresh, initial?.status ?? null);
}

start();
