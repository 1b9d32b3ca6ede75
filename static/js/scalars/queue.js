/**
 * A small priority queue for chart fetches: at most `concurrency` at once, the lowest priority
 * number first (cards use their distance from the top of the page). Fewer parallel requests make
 * the first chart arrive sooner than many requests finishing together.
 */
export class FetchQueue {
  constructor(concurrency = 2) {
    // The very first fetch goes alone, so the first chart does not share the server with others.
    this.concurrency = 1;
    this.fullConcurrency = concurrency;
    this.active = 0;
    this.waiting = [];
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
        .finally(() => {
          this.active -= 1;
          this.concurrency = this.fullConcurrency;
          this.next();
        });
    }
  }
}

export const chartQueue = new FetchQueue(2);
