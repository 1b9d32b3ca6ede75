/**
 * The top bar's reload indicator and the page's reload loop.
 *
 * A page registers one async function with `reloader.register(fn)`; fn fetches whatever the page
 * shows and resolves to true when the data changed. The loop calls it twice per server reload
 * interval (<body data-reload-interval> seconds; 0 = only when the indicator is clicked), so new
 * points are on screen within 1.5 intervals of being written; it skips ticks while the tab is hidden
 * and shows when the data last changed.
 */
import { CLS } from "./classes.js";

const TEXT_REFRESH_MS = 1000;
const POLLS_PER_INTERVAL = 2;

function timeOfDay(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function ago(ms) {
  const s = Math.round(ms / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  return `${Math.floor(m / 60)} h ago`;
}

class Reloader {
  constructor() {
    this.fn = null;
    this.button = null;
    this.text = null;
    this.intervalMs = 0;
    this.running = null;
    this.timer = null;
    this.changedAt = null;
    this.checkedAt = null;
    this.error = null;
  }

  attach(button) {
    this.button = button;
    this.text = button ? button.querySelector("[data-reload-text]") : null;
    const seconds = Number(document.body.dataset.reloadInterval || 0);
    this.intervalMs = Number.isFinite(seconds) && seconds > 0 ? (seconds * 1000) / POLLS_PER_INTERVAL : 0;
    if (button) button.addEventListener("click", () => this.now());
    setInterval(() => this.render(), TEXT_REFRESH_MS);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && this.fn && this.intervalMs) this.now();
    });
  }

  /** Register the page's reload function and run it once right away. */
  register(fn) {
    this.fn = fn;
    return this.now();
  }

  /** Note a change the page detected outside the loop (e.g. the first load). */
  markChanged() {
    this.changedAt = new Date();
    this.render();
  }

  schedule() {
    clearTimeout(this.timer);
    if (this.intervalMs) this.timer = setTimeout(() => this.tick(), this.intervalMs);
  }

  tick() {
    if (document.hidden) return this.schedule();
    return this.now();
  }

  /** Reload now (coalesces with a reload already under way). */
  now() {
    if (!this.fn) return Promise.resolve(false);
    if (this.running) return this.running;
    clearTimeout(this.timer);
    this.button?.classList.add(CLS.loading);
    this.running = (async () => {
      let changed = false;
      try {
        changed = Boolean(await this.fn());
        this.error = null;
        this.checkedAt = new Date();
        if (changed || !this.changedAt) this.changedAt = this.checkedAt;
      } catch (err) {
        this.error = err;
      } finally {
        this.running = null;
        this.button?.classList.remove(CLS.loading);
        this.render(changed);
        this.schedule();
      }
      return changed;
    })();
    return this.running;
  }

  render(flash = false) {
    if (!this.button || !this.text) return;
    this.button.classList.toggle(CLS.error, Boolean(this.error));
    if (flash) {
      this.button.classList.add(CLS.fresh);
      setTimeout(() => this.button.classList.remove(CLS.fresh), 1500);
    }
    if (this.error) {
      this.text.textContent = "Reload failed";
      this.button.title = `Could not reach the server: ${this.error.message || this.error}. Click to retry.`;
      return;
    }
    if (!this.changedAt) return;
    const since = Date.now() - this.changedAt.getTime();
    this.text.textContent = this.intervalMs ? `Data changed ${ago(since)}` : `Loaded ${timeOfDay(this.changedAt)}`;
    const every = this.intervalMs ? `Checks every ${this.intervalMs / 1000} s` : "Automatic reload is off";
    const checked = this.checkedAt ? `; last check ${timeOfDay(this.checkedAt)}` : "";
    this.button.title = `Data last changed at ${timeOfDay(this.changedAt)}. ${every}${checked}. Click to reload now.`;
    this.button.dataset.changedAt = String(this.changedAt.getTime());
  }
}

export const reloader = new Reloader();
