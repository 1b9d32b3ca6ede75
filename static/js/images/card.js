/**
 * An images card (the Images and Time Series pages): one (run, tag) with a step slider
 * (arrow keys, Page Up/Down, Home/End on the focused slider), a sample selector when a step holds
 * several images, and the image read lazily from /data/plugin/images/individualImage. "Show
 * actual image size" stops scaling images to the card; brightness and contrast are CSS filters
 * applied to every card. Each image is downloadable (the card's download button). "Compare with
 * step" shows the absolute difference of two steps' images, computed in a canvas (beyond
 * TensorBoard).
 */
import { getJSON, stepSlider } from "../dashboard/page.js";
import { h } from "../dom.js";

export function applyLook(settings) {
  const groups = document.querySelector("[data-groups]");
  groups.style.setProperty("--image-filter", `brightness(${settings.get("brightness")}) contrast(${settings.get("contrast")})`);
  groups.classList.toggle("is-actual-size", Boolean(settings.get("actual-size")));
}

function imageUrl(entry) {
  return `/data/plugin/images/individualImage?${entry.query}`;
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("image failed to load"));
    img.src = url;
  });
}

/** |a - b| per channel of two images, drawn into a canvas of the first one's size. */
async function difference(urlA, urlB) {
  const [a, b] = await Promise.all([loadImage(urlA), loadImage(urlB)]);
  const canvas = h("canvas", { class: "dash-image__img", width: a.naturalWidth, height: a.naturalHeight });
  const ctx = canvas.getContext("2d");
  ctx.drawImage(b, 0, 0, a.naturalWidth, a.naturalHeight);
  const other = ctx.getImageData(0, 0, a.naturalWidth, a.naturalHeight);
  ctx.drawImage(a, 0, 0);
  const mine = ctx.getImageData(0, 0, a.naturalWidth, a.naturalHeight);
  for (let i = 0; i < mine.data.length; i += 4) {
    for (let c = 0; c < 3; c++) mine.data[i + c] = Math.abs(mine.data[i + c] - other.data[i + c]);
    mine.data[i + 3] = 255;
  }
  ctx.putImageData(mine, 0, 0);
  return canvas;
}

export function fillCard(card) {
  let entries = [];
  let sample = 0;
  const samples = card.info.samples || 1;
  const frame = h("div", { class: "dash-image" });
  const meta = h("div", { class: "dash-card__foot" });
  const slider = stepSlider(() => show());
  const sampleSelect = samples > 1
    ? h("select", { class: "dash-select", "aria-label": "Sample", onchange: (e) => {
      sample = Number(e.target.value);
      fetchEntries();
    } }, Array.from({ length: samples }, (_, i) => h("option", { value: i }, `sample ${i + 1} of ${samples}`)))
    : null;
  const compare = h("select", { class: "dash-select", "aria-label": "Compare with step", onchange: () => show() });
  card.body.replaceChildren(h("div", { class: "dash-card__controls" }, slider.el, sampleSelect, compare), frame, meta);

  async function show() {
    const entry = entries[slider.index];
    if (!entry) {
      frame.replaceChildren(h("div", { class: "card__placeholder" }, "No image at this sample"));
      return;
    }
    const url = imageUrl(entry);
    card.download.href = url;
    card.download.setAttribute("download", `${card.run}_${card.tag}_step${entry.step}`.replace(/[^\w.-]+/g, "_"));
    meta.textContent = `step ${entry.step} · ${new Date(entry.wall_time * 1000).toLocaleString()}`;
    const against = compare.value === "" ? null : entries[Number(compare.value)];
    if (against) {
      frame.replaceChildren(await difference(url, imageUrl(against)));
      meta.textContent += ` · |difference| with step ${against.step}`;
    } else {
      frame.replaceChildren(h("img", { class: "dash-image__img", src: url, alt: `${card.tag} at step ${entry.step}`,
        loading: "lazy" }));
    }
  }

  async function fetchEntries() {
    entries = await getJSON(`/data/plugin/images/images?${new URLSearchParams({ run: card.run, tag: card.tag, sample })}`);
    slider.set(entries.map((e) => e.step));
    const chosen = compare.value;
    compare.replaceChildren(h("option", { value: "" }, "no comparison"),
      ...entries.map((e, i) => h("option", { value: i }, `diff with step ${e.step}`)));
    compare.value = chosen;
    compare.disabled = entries.length < 2;
    await show();
  }

  return {
    load: fetchEntries,
    update() {
      applyLook(card.settings);
    },
    /** Show the image of the last step at or before `step` (the Time Series page's shared step). */
    showStep(step) {
      slider.selectStep(step);
    },
  };
}

