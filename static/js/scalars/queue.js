/**
 * A small priority queue for chart fetches: at most `concurrency` at once, the lowest priority
 * number first (cards use their distance from the top of the page). Fewer parallel requests make
 * the first chart arrive sooner than many requests finishing together.
 */

// The longest the queue waits for the first chart's frame: a tab hidden meanwhile paints none.
const PAINT_WAIT_MS = 1000;

/** Resolves once the browser has painted the next frame (at once in a hidden tab). */
export function afterPaint() {
  return new Promise((resolve) => {
    if (document.hidden) {
      resolve();
      return;
    }
    // A rAF callback runs just before the frame is painted; a task queued from it, just after.
    requestAnimationFrame(() => setTimeout(resolve, 0));
    setTimeout(resolve, PAINT_WAIT_MS);
  });
}

export class FetchQueue {
  constructor(concurrency = 2) {
    // The very first task goes alone, so the first chart does not share the server with others,
    // and the next ones wait for the frame that shows it: their fetches, JSON parsing and forced
    // layouts would otherwise run before that frame (on a page of a thousand runs, ~10% of it).
    this.concurrency = 1;
    this.fullConcurrency = concurrency;
    this.active = 0;
    this.waiting = [];
    this.first = true;
  }

  /** Run `task` (a function returning a promise) when a slot is free; resolves with its result. */
  run(task, priority = 0) {
    return new Promise((resolve, reject) => {
      this.waiting.push({ task, priority, resolve, reject });
      this.waiting.sort((a, b) => a.priority - b.priority);
      this.next();
    });
  }

  next() {
    while (this.active < this.concurrency && this.waiting.length) {
      const { task, resolve, reject } = this.waiting.shift();
      this.active += 1;
      Promise.resolve()
        .then(task)
        .then(resolve, reject)
        .finally(() => this.done());
    }
  }

  async done() {
    if (this.first) {
      this.first = false;
      await afterPaint();
      this.concurrency = this.fullConcurrency;
    }
    this.active -= 1;
    this.next();
  }
}

export const chartQueue = new FetchQueue(2);
