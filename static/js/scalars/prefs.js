/**
 * What the user set on this browser and keeps across visits (localStorage "board.scalars"): pinned
 * cards, chosen run colors and each card's own settings. The URL holds the view (state.js); these
 * are the user's marks on the data, so they outlive the link.
 *
 *   {pins: [tag, ...], colors: {run: "#rrggbb"}, cards: {tag: {log, yMin, yMax, smoothing}}}
 */
const KEY = "board.scalars";

function load() {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) || "{}");
    return {
      pins: Array.isArray(stored.pins) ? stored.pins.filter((t) => typeof t === "string") : [],
      colors: stored.colors && typeof stored.colors === "object" ? stored.colors : {},
      cards: stored.cards && typeof stored.cards === "object" ? stored.cards : {},
    };
  } catch {
    return { pins: [], colors: {}, cards: {} }; // storage disabled or damaged: start afresh
  }
}

const data = load();

function save() {
  try {
    localStorage.setItem(KEY, JSON.stringify(data));
  } catch {
    /* storage disabled or full: the choice lasts for this page only */
  }
}

export function isPinned(tag) {
  return data.pins.includes(tag);
}

export function setPinned(tag, pinned) {
  data.pins = data.pins.filter((t) => t !== tag);
  if (pinned) data.pins.push(tag);
  save();
}

/** Pinned tags, in the order they were pinned. */
export function pins() {
  return data.pins.slice();
}

/** The color the user chose for `run`, or undefined. */
export function chosenColor(run) {
  const color = data.colors[run];
  return typeof color === "string" && /^#[0-9a-f]{6}$/i.test(color) ? color : undefined;
}

export function setChosenColor(run, color) {
  if (color) data.colors[run] = color;
  else delete data.colors[run];
  save();
}

/** A card's own settings: {log, yMin, yMax, smoothing}, each null when the card follows the page. */
export function cardSettings(tag) {
  const stored = data.cards[tag] || {};
  const number = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return {
    log: typeof stored.log === "boolean" ? stored.log : null,
    yMin: number(stored.yMin),
    yMax: number(stored.yMax),
    smoothing: number(stored.smoothing),
  };
}

export function setCardSettings(tag, settings) {
  const kept = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== null && v !== undefined));
  if (Object.keys(kept).length) data.cards[tag] = kept;
  else delete data.cards[tag];
  save();
}
