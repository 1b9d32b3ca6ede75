/**
 * Audio dashboard: one card per (run, tag) with a step slider, a sample selector when a step
 * holds several clips, the clip's label, and an audio player reading
 * /data/plugin/audio/individualAudio. The download button saves the clip.
 */
import { getJSON, startDashboard, stepSlider } from "../dashboard/page.js";
import { h } from "../dom.js";

function fillCard(card) {
  let entries = [];
  let sample = 0;
  const samples = card.info.samples || 1;
  const player = h("audio", { class: "dash-audio", controls: true, preload: "none" });
  const label = h("div", { class: "dash-audio__label" });
  const meta = h("div", { class: "dash-card__foot" });
  const slider = stepSlider(() => show());
  const sampleSelect = samples > 1
    ? h("select", { class: "dash-select", "aria-label": "Sample", onchange: (e) => {
      sample = Number(e.target.value);
      fetchEntries();
    } }, Array.from({ length: samples }, (_, i) => h("option", { value: i }, `clip ${i + 1} of ${samples}`)))
    : null;
  card.body.replaceChildren(h("div", { class: "dash-card__controls" }, slider.el, sampleSelect), player, label, meta);

  function show() {
    const entry = entries[slider.index];
    player.loop = Boolean(card.settings.get("loop"));
    if (!entry) {
      player.removeAttribute("src");
      label.textContent = "No clip at this sample";
      return;
    }
    const url = `/data/plugin/audio/individualAudio?${entry.query}`;
    if (player.getAttribute("src") !== url) player.src = url;
    card.download.href = url;
    card.download.setAttribute("download", `${card.run}_${card.tag}_step${entry.step}.wav`.replace(/[^\w.-]+/g, "_"));
    label.textContent = entry.label ? `label: ${entry.label}` : "";
    meta.textContent = `step ${entry.step} · ${entry.contentType} · ${new Date(entry.wall_time * 1000).toLocaleString()}`;
  }

  async function fetchEntries() {
    entries = await getJSON(`/data/plugin/audio/audio?${new URLSearchParams({ run: card.run, tag: card.tag, sample })}`);
    slider.set(entries.map((e) => e.step));
    show();
  }

  return { load: fetchEntries, update: show };
}

startDashboard({ plugin: "audio", tagsOf: (json) => json, fillCard });
