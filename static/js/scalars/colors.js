/**
 * Run colors. Users want two things that pull apart: the same run in the same color every time, and
 * distinct colors for the runs on screen. Hashing the name gives the first but not the second (two
 * of five runs share one of twelve colors six times in ten). So a run's palette slot is its place in
 * the sorted list of runs the page shows (RunList passes it in): the first PALETTE.length runs all
 * get distinct colors, and a run gets the same color on every load as long as the run list is the
 * same. The price: adding or removing a run that sorts before it can change its color on the next
 * load. While the page is open a run keeps its color; a run that appears live takes the least-used
 * slot among the runs shown (a free one while there are fewer runs than colors). Past
 * PALETTE.length runs, colors repeat. A color the user picked for a run (prefs.js) wins over all this.
 */
import { chosenColor } from "./prefs.js";

// Ordered so that the first few are the most distinct from each other. One palette for both themes:
// every color has a WCAG contrast ratio of at least 3:1 against the card background of the light
// theme (#ffffff) and of the dark theme (#1e2227) — relative luminance between 0.15 and 0.28 —
// and they differ in hue instead (tests/board/test_run_colors.py checks both).
export const PALETTE = Object.freeze([
  "#c05f00", // orange
  "#1f77b4", // blue
  "#2ca02c", // green
  "#d62728", // red
  "#9467bd", // purple
  "#9a6a4a", // brown
  "#d6399f", // pink
  "#00897b", // teal
  "#7c7d16", // olive
  "#1898d8", // sky
  "#5f5fd6", // indigo
  "#778088", // slate
]);

const slotOf = new Map(); // run -> palette index, for as long as the page is open
let shown = []; // the runs of the last setRunColors, sorted

/** How many of `runs` hold each palette slot. */
function slotUses(runs) {
  const uses = new Array(PALETTE.length).fill(0);
  for (const run of runs) if (slotOf.has(run)) uses[slotOf.get(run)] += 1;
  return uses;
}

/** The least-used slot of `uses` (lowest index on ties), so free slots go first. */
function leastUsed(uses) {
  return uses.indexOf(Math.min(...uses));
}

/**
 * Give slots to the runs that have none, in sorted order. On the first call every run is new, so
 * run i gets slot i % PALETTE.length. The uses are counted once and kept up to date: counting
 * them again for each new run took 25 ms for 1,000 runs before the first chart (bench/scalars_page.py).
 */
export function setRunColors(sortedRuns) {
  shown = sortedRuns.slice();
  const uses = slotUses(shown);
  for (const run of shown) {
    if (slotOf.has(run)) continue;
    const slot = leastUsed(uses);
    slotOf.set(run, slot);
    uses[slot] += 1;
  }
}

export function runColor(run) {
  return chosenColor(run) ?? paletteColor(run);
}

/** The palette's color for `run`, whatever the user chose. */
export function paletteColor(run) {
  // Every run drawn comes through setRunColors first; this keeps a stray name from failing.
  if (!slotOf.has(run)) slotOf.set(run, leastUsed(slotUses(shown)));
  return PALETTE[slotOf.get(run)];
}

/** The color with an alpha channel, for the faded raw line behind the smoothed one. */
export function withAlpha(hex, alpha) {
  const a = Math.round(alpha * 255).toString(16).padStart(2, "0");
  return hex + a;
}
