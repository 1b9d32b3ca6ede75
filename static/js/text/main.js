/**
 * Text dashboard: one card per (run, tag) showing a step's text as the server renders it
 * (/data/plugin/text/text: Markdown to HTML, sanitized with TensorBoard's allowlist; 2-D string
 * tensors as tables), with a step slider, or every step at once. "Render Markdown" off asks for
 * the plain text (markdown=false).
 */
import { getJSON, startDashboard, stepSlider } from "../dashboard/page.js";
import { CLS } from "../classes.js";
import { h } from "../dom.js";

/** The /text/tags answer is {run: [tags]}; the cards want {run: {tag: info}}. */
function tagsOf(json) {
  return Object.fromEntries(Object.entries(json).map(([run, tags]) =>
    [run, Object.fromEntries(tags.map((tag) => [tag, { displayName: "", description: "" }]))]));
}

function rendered(entry) {
  const el = h("div", { class: "dash-text__html" });
  el.innerHTML = entry.text; // sanitized server-side (board/data/text.py); no script can be in it
  return el;
}

function fillCard(card) {
  let entries = [];
  let fetched = null;
  const view = h("div", { class: "dash-text" });
  const meta = h("div", { class: "dash-card__foot" });
  const slider = stepSlider(() => show());
  card.body.replaceChildren(h("div", { class: "dash-card__controls" }, slider.el), view, meta);
  const url = () => `/data/plugin/text/text?${new URLSearchParams({ run: card.run, tag: card.tag,
    markdown: card.settings.get("markdown") ? "true" : "false" })}`;

  function show() {
    const all = card.settings.get("all-steps-text");
    slider.el.classList.toggle(CLS.hidden, all);
    if (!entries.length) {
      view.replaceChildren(h("div", { class: "card__placeholder" }, "No text"));
      return;
    }
    const picked = all ? entries : [entries[slider.index]];
    view.replaceChildren(...picked.map((entry) => h("section", { class: "dash-text__step" },
      h("div", { class: "dash-text__stamp" }, `step ${entry.step}`), rendered(entry))));
    meta.textContent = `${entries.length} text summar${entries.length === 1 ? "y" : "ies"}`;
  }

  return {
    async load() {
      card.download.href = url();
      fetched = card.settings.get("markdown");
      entries = await getJSON(url());
      slider.set(entries.map((e) => e.step));
      show();
    },
    update() {
      if (card.settings.get("markdown") !== fetched) return this.load();
      show();
    },
  };
}

startDashboard({ plugin: "text", tagsOf, fillCard });
