/**
 * What the user set on this browser and keeps across visits: pinned cards, chosen run colors and
 * each card's own settings. The URL holds the view (state.js); these are the user's marks on the
 * data, so they outlive the link.
 *
 * Each page that pins cards has its own store (`openPrefs(key)`): the scalars page's is
 * "board.scalars", the Time Series page's "board.timeseries" (its cards are keyed by kind, tag and
 * run, not by tag alone). Run colors are one choice for every page, kept in "board.scalars".
 *
 *   {pins: [key, ...], colors: {run: "#rrggbb"}, cards: {key: {log, yMin, yMax, smoothing}}}
 */
function load(key) {
  try {
    const stored = JSON.parse(localStorage.getItem(key) || "{}");
    return {
      pins: Array.isArray(stored.pins) ? stored.pins.filter((t) => typeof t === "string") : [],
      colors: stored.colors && typeof stored.colors === "object" ? stored.colors : {},
      cards: stored.cards && typeof stored.cards === "object" ? stored.cards : {},
    };
  } catch {
    return { pins: [], colors: {}, cards: {} }; // storage disabled or damaged: start afresh
  }
}

/** One page's store: pins and per-card settings, by card key (the tag on the scalars page). */
export function openPrefs(storageKey) {
  const data = load(storageKey);
  const save = () => {
    try {
      localStorage.setItem(storageKey, JSON.stringify(data));
    } catch {
      /* storage disabled or full: the choice lasts for this page only */
    }
  };
  return {
    data,
    save,
    isPinned: (key) => data.pins.includes(key),
    setPinned(key, pinned) {
      data.pins = data.pins.filter((t) => t !== key);
      if (pinned) data.pins.push(key);
      save();
    },
    /** Pinned keys, in the order they were pinned. */
    pins: () => data.pins.slice(),
    /** Replace every pin (a link that names its pins). */
    setPins(keys) {
      data.pins = keys.slice();
      save();
    },
    /** A card's own settings: {log, yMin, yMax, smoothing}, each null when the card follows the page. */
    cardSettings(key) {
      const stored = data.cards[key] || {};
      const number = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);
      return {
        log: typeof stored.log === "boolean" ? stored.log : null,
        yMin: number(stored.yMin),
        yMax: number(stored.yMax),
        smoothing: number(stored.smoothing),
      };
    },
    setCardSettings(key, settings) {
      const kept = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== null && v !== undefined));
      if (Object.keys(kept).length) data.cards[key] = kept;
      else delete data.cards[key];
      save();
    },
  };
}

export const scalarPrefs = openPrefs("board.scalars");

/** The color the user chose for `run`, or undefined. */
export function chosenColor(run) {
  const color = scalarPrefs.data.colors[run];
  return typeof color === "string" && /^#[0-9a-f]{6}$/i.test(color) ? color : undefined;
}

export function setChosenColor(run, color) {
  if (color) scalarPrefs.data.colors[run] = color;
  else delete scalarPrefs.data.colors[run];
  scalarPrefs.save();
}
