/**
 * The top bar's reload indicator and the page's reload loop, shared by every dashboard.
 *
 * The loop asks the server's /data/status when its data last changed, twice per server reload
 * interval (<body data-reload-interval> seconds; 0 = only when the indicator is clicked, or while the
 * server is still reading the logdir), so new points are on screen within 1.5 intervals of being
 * read. When the data changed (and on the first tick) it calls the page's function registered with
 * `reloader.register(fn)`: `fn(status)` refetches what the page shows. Ticks are skipped while the
 * tab is hidden. The indicator says when the data last changed; clicking it reloads now.
 * A page whose HTML carries a /data/status answer passes it to `register` to skip the first fetch.
 */
import { CLS } from "./classes.js";
import { getJSON } from "./http.js";

const TEXT_REFRESH_MS = 1000;
const POLLS_PER_INTERVAL = 2;
const LOADING_RECHECK_MS = 1000;
const FLASH_MS = 1500;

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
    this.lastChanged = null; // the server's last_changed (seconds) at the previous tick
    this.checkedAt = null;
    this.status = null;
    this.error = null;
    this.pageLoaded = false;
    this.initialStatus = null; // a /data/status answer the page came with, used by the first tick
  }

  attach(button) {
    this.button = button;
    this.text = button ? button.querySelector("[data-reload-text]") : null;
    const seconds = Number(document.body.dataset.reloadInterval || 0);
    this.intervalMs = Number.isFinite(seconds) && seconds > 0 ? (seconds * 1000) / POLLS_PER_INTERVAL : 0;
    if (button) button.addEventListener("click", () => this.now(true));
    setInterval(() => this.render(), TEXT_REFRESH_MS);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && this.intervalMs) this.now();
    });
    // Pages that register no reload function still get a truthful indicator.
    window.addEventListener("load", () => {
      if (!this.fn) this.now();
    });
  }

  /**
   * Register the page's reload function `fn(status) -> Promise<changed>`; runs it now, with
   * `initialStatus` (a /data/status answer embedded in the page) when given instead of fetching.
   */
  register(fn, initialStatus = null) {
    this.fn = fn;
    this.pageLoaded = false;
    this.initialStatus = initialStatus;
    return this.now(true);
  }

  schedule(ms) {
    clearTimeout(this.timer);
    if (ms) this.timer = setTimeout(() => this.tick(), ms);
  }

  tick() {
    if (document.hidden) return this.schedule(this.intervalMs);
    return this.now();
  }

  /** Check now; `force` runs the page's function even if the server reports no change. */
  now(force = false) {
    if (this.running) {
      if (force) this.running.then(() => this.now(true));
      return this.running;
    }
    clearTimeout(this.timer);
    this.button?.classList.add(CLS.loading);
    this.running = (async () => {
      let changed = false;
      let status = null;
      try {
        status = this.initialStatus || (await getJSON("/data/status"));
        this.initialStatus = null;
        const serverChanged = status.last_changed !== this.lastChanged;
        if (this.fn && (force || serverChanged || !this.pageLoaded)) {
          changed = Boolean(await this.fn(status));
          this.pageLoaded = true;
        }
        this.lastChanged = status.last_changed;
        this.status = status;
        this.error = null;
        this.checkedAt = new Date();
      } catch (err) {
        this.error = err;
      } finally {
        this.running = null;
        this.button?.classList.remove(CLS.loading);
        this.render(changed);
        // Still reading the logdir: look again soon even when the server reloads only once.
        const soon = Math.min(this.intervalMs || LOADING_RECHECK_MS, LOADING_RECHECK_MS);
        this.schedule(status?.loading ? soon : this.intervalMs);
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
      setTimeout(() => this.button.classList.remove(CLS.fresh), FLASH_MS);
    }
    if (this.error) {
      this.text.textContent = "Reload failed";
      this.button.title = `Could not reach the server: ${this.error.message || this.error}. Click to retry.`;
      return;
    }
    if (!this.status) return;
    const every = this.intervalMs
      ? `board re-reads the logdir every ${(this.intervalMs * POLLS_PER_INTERVAL) / 1000} s`
      : "board read the logdir once (--reload-interval 0)";
    const checked = this.checkedAt ? `; last checked ${timeOfDay(this.checkedAt)}` : "";
    if (this.status.loading && !this.status.last_changed) {
      this.text.textContent = "Reading logdir…";
    } else if (!this.status.last_changed) {
      this.text.textContent = "No data yet";
    } else {
      const changedAt = new Date(this.status.last_changed * 1000);
      this.text.textContent = this.status.loading
        ? "Reading logdir…"
        : `Data changed ${ago(Math.max(0, Date.now() - changedAt.getTime()))}`;
      this.button.dataset.changedAt = String(changedAt.getTime());
      this.button.title = `Data last changed at ${timeOfDay(changedAt)}. ${every}${checked}. Click to reload now.`;
      return;
    }
    this.button.title = `${every}${checked}. Click to reload now.`;
  }
}

export const reloader = new Reloader();
