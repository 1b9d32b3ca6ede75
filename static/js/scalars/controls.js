/**
 * The sidebar's chart settings (templates/_scalar_settings.html) and the two filters, wired to a
 * page's view state: the scalars page's and the Time Series page's. Each input shows the state,
 * and a change updates the state, saves it (`save`, the page's writeState) and redraws the grid.
 */
import { CLS } from "../classes.js";
import { clampSmoothing } from "./state.js";

const $ = (selector) => document.querySelector(selector);

/** The inputs, by setting. */
export function scalarControls() {
  return {
    smoothing: $("[data-setting=smoothing]"),
    smoothingNumber: $("[data-setting=smoothing-number]"),
    xModes: document.querySelectorAll("[data-setting=x]"),
    log: $("[data-setting=log]"),
    widths: document.querySelectorAll("[data-setting=width]"),
    outliers: $("[data-setting=outliers]"),
    tagFilter: $("[data-tag-filter]"),
    runFilter: $("[data-run-filter]"),
  };
}

/**
 * Show `state` in `controls` and keep them in step. `grid` is the page's TagGrid, `runList` its
 * RunList; `save()` writes the state (URL...).
 */
export function wireSettings(state, controls, { grid, runList, save }) {
  const groups = $("[data-groups]");
  const settingsChanged = () => {
    save();
    grid.applyView();
  };
  const showSmoothing = () => {
    controls.smoothing.value = String(state.smoothing);
    controls.smoothingNumber.value = String(state.smoothing);
  };
  showSmoothing();
  for (const radio of controls.xModes) radio.checked = radio.value === state.x;
  controls.log.checked = state.log;
  for (const radio of controls.widths) radio.checked = radio.value === state.width;
  groups.dataset.width = state.width;
  grid.setShowEmpty(state.empty);
  controls.outliers.checked = state.outliers;
  controls.tagFilter.value = state.tags;
  controls.runFilter.value = state.runFilter;

  let pending = 0;
  const onSmoothing = (event) => {
    state.smoothing = clampSmoothing(event.target.value);
    if (event.target === controls.smoothing) controls.smoothingNumber.value = String(state.smoothing);
    else controls.smoothing.value = String(state.smoothing);
    // Coalesce slider drags to one redraw per animation frame.
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(settingsChanged);
  };
  controls.smoothing.addEventListener("input", onSmoothing);
  controls.smoothingNumber.addEventListener("change", (event) => {
    onSmoothing(event);
    showSmoothing();
  });
  for (const radio of controls.xModes) {
    radio.addEventListener("change", () => {
      state.x = radio.value;
      settingsChanged();
    });
  }
  for (const radio of controls.widths) {
    radio.addEventListener("change", () => {
      state.width = radio.value;
      groups.dataset.width = state.width;
      save();
    });
  }
  controls.log.addEventListener("change", () => {
    state.log = controls.log.checked;
    settingsChanged();
  });
  controls.outliers.addEventListener("change", () => {
    state.outliers = controls.outliers.checked;
    settingsChanged();
  });
  controls.tagFilter.addEventListener("input", () => {
    state.tags = controls.tagFilter.value;
    controls.tagFilter.classList.toggle(CLS.invalid, !grid.setFilter(state.tags));
    save();
  });
  controls.runFilter.addEventListener("input", () => {
    state.runFilter = controls.runFilter.value;
    save();
    controls.runFilter.classList.toggle(CLS.invalid, !runList.setFilter(state.runFilter));
  });
  controls.tagFilter.classList.toggle(CLS.invalid, !grid.setFilter(state.tags));
  controls.runFilter.classList.toggle(CLS.invalid, !runList.setFilter(state.runFilter));
  return { settingsChanged };
}
