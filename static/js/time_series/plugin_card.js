/**
 * A histogram or image card in the Time Series grid (scalars/grid.js): the Histograms or Images
 * page's own card (`fill`, their card.js) in the dashboards' frame (dashboard/page.js), with the
 * members the grid drives ScalarCards by, a pin button and full screen. Fetches go through the
 * scalar cards' queue (scalars/queue.js), so every card of the page loads in page order, two at a
 * time.
 */
import { CLS } from "../classes.js";
import { dashCard } from "../dashboard/page.js";
import { h } from "../dom.js";
import { runColor } from "../scalars/colors.js";
import { chartQueue } from "../scalars/queue.js";

const PIN_ICON = '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M6 2.5h4M6.8 2.5v4L4.5 9.5h7L9.2 6.5v-4M8 9.5v4" /></svg>';
const FULL_ICON = '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M2.5 6V2.5H6M10 2.5h3.5V6M13.5 10v3.5H10M6 13.5H2.5V10" /></svg>';

function iconButton(svg, label) {
  const button = h("button", { class: "icon-button", type: "button", "aria-label": label, "aria-pressed": "false" });
  button.innerHTML = svg;
  return button;
}

export class PluginCard {
  /**
   * @param {{key: string, kind: string, run: string, tag: string, info: object, settings: object,
   *   fill: (card: object) => {load, update}, prefs: object, onPinChange: () => void}} options
   */
  constructor({ key, kind, run, tag, info, settings, fill, prefs, onPinChange }) {
    this.key = key;
    this.tag = tag;
    this.run = run;
    this.prefs = prefs;
    const card = dashCard({ run, tag, info, settings });
    this.element = card.article;
    this.element.dataset.key = key;
    this.element.dataset.kind = kind;
    this.pin = iconButton(PIN_ICON, "Pin");
    this.pin.addEventListener("click", () => {
      prefs.setPinned(key, !prefs.isPinned(key));
      this.showPinned();
      onPinChange();
    });
    this.full = iconButton(FULL_ICON, "Full screen");
    this.full.addEventListener("click", () => this.setFullscreen(!this.fullscreen));
    card.actions.prepend(this.pin, this.full);
    this.showPinned();
    this.setFullscreen(false);
    this.view = fill(card);
    this.card = card;
    this.body = card.body;
    this.visible = false;
    this.drawn = false;
    this.stale = false;
    this.loading = null;
  }

  /** `runs` is [run] while the run is shown, [] otherwise (the grid then hides the card as empty). */
  setRuns(runs) {
    this.element.classList.toggle(CLS.empty, runs.length === 0);
  }

  setVisible(visible) {
    this.visible = visible;
    if (visible && ((!this.drawn && !this.loading) || this.stale)) this.load();
  }

  load() {
    if (this.loading) return this.loading;
    this.stale = false;
    this.element.dataset.state = "loading";
    const priority = this.element.getBoundingClientRect().top;
    this.loading = chartQueue.run(() => this.view.load(), priority).then(() => {
      this.element.dataset.state = "ready";
      this.element.classList.remove(CLS.error);
    }, (err) => {
      this.element.dataset.state = "error";
      this.element.classList.add(CLS.error);
      this.body.replaceChildren(h("div", { class: "card__placeholder" }, `Could not load: ${err.message}`));
    }).finally(() => {
      this.drawn = true; // an error counts as drawn: live reloads retry it, prefetching moves on
      this.loading = null;
    });
    return this.loading;
  }

  /** Live reload: refetch if on screen, otherwise when scrolled to. Resolves true when refetched. */
  async refresh() {
    if (!this.drawn && !this.loading) return false;
    if (!this.visible) {
      this.stale = true;
      return false;
    }
    await this.load();
    return true;
  }

  /** Settings or run colors changed: the card takes its run's color (a user may have picked one). */
  applyView() {
    this.card.color = runColor(this.run);
    for (const swatch of this.element.querySelectorAll(`.dash-card__run .${CLS.swatch}`)) {
      swatch.style.background = this.card.color;
    }
    if (this.drawn && !this.loading) this.view.update();
  }

  /** The page's shared step (time_series/main.js): cards that can show one step go to it. */
  showStep(step) {
    if (this.drawn && !this.loading) this.view.showStep?.(step);
  }

  rebuild() {
    this.applyView();
  }

  showPinned() {
    const pinned = this.prefs.isPinned(this.key);
    this.pin.setAttribute("aria-pressed", String(pinned));
    this.pin.title = pinned ? "Unpin this card" : "Pin this card to the top of the page";
  }

  /** Full screen: the card covers the cards area (scalars.css) until toggled back or Esc. */
  setFullscreen(on) {
    this.fullscreen = on;
    this.element.classList.toggle(CLS.fullscreen, on);
    this.full.setAttribute("aria-pressed", String(on));
    this.full.title = on ? "Leave full screen (Esc)" : "Full screen (Esc to leave)";
  }

  destroy() {
    this.element.remove();
  }
}
