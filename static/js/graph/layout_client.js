// Main-thread side of the layout worker: sends group graphs, caches results by content key.

export class Layouter {
  constructor() {
    this.worker = new Worker(new URL('./layout_worker.js', import.meta.url));
    this.pending = new Map();
    this.nextId = 1;
    this.cache = new Map();
    this.worker.onmessage = (event) => {
      const { requestId, results, error } = event.data;
      const entry = this.pending.get(requestId);
      if (!entry) return;
      this.pending.delete(requestId);
      if (error) entry.reject(new Error(`layout failed: ${error}`));
      else entry.resolve(results);
    };
    this.worker.onerror = (event) => {
      const error = new Error(`layout worker: ${event.message || 'failed to start'}`);
      for (const entry of this.pending.values()) entry.reject(error);
      this.pending.clear();
    };
  }

  /** Layouts for graphs [{key, nodes, edges}], from the cache when the same key was laid out before. */
  async layout(graphs) {
    const missing = graphs.filter((g) => !this.cache.has(g.key));
    if (missing.length) {
      const requestId = this.nextId++;
      const results = await new Promise((resolve, reject) => {
        this.pending.set(requestId, { resolve, reject });
        this.worker.postMessage({ requestId, graphs: missing });
      });
      for (const result of results) this.cache.set(result.key, result);
    }
    return graphs.map((g) => this.cache.get(g.key));
  }
}
