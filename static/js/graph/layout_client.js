// Main-thread side of the worker (layout_worker.js): lays out group graphs (results cached by content
// key) and parses hierarchy JSON.

export class Layouter {
  constructor() {
    this.worker = new Worker(new URL('./layout_worker.js', import.meta.url));
    this.pending = new Map();
    this.nextId = 1;
    this.cache = new Map();
    this.worker.onmessage = (event) => {
      const { requestId, error } = event.data;
      const entry = this.pending.get(requestId);
      if (!entry) return;
      this.pending.delete(requestId);
      if (error) entry.reject(new Error(error));
      else entry.resolve(event.data);
    };
    this.worker.onerror = (event) => {
      const error = new Error(`layout worker: ${event.message || 'failed to start'}`);
      for (const entry of this.pending.values()) entry.reject(error);
      this.pending.clear();
    };
  }

  request(message, transfer = []) {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.worker.postMessage({ requestId, ...message }, transfer);
    });
  }

  /** Layouts for graphs [{key, nodes, edges}], from the cache when the same key was laid out before. */
  async layout(graphs) {
    const missing = graphs.filter((g) => !this.cache.has(g.key));
    if (missing.length) {
      try {
        const { results } = await this.request({ graphs: missing });
        for (const result of results) this.cache.set(result.key, result);
      } catch (error) {
        throw new Error(`layout failed: ${error.message}`, { cause: error });
      }
    }
    return graphs.map((g) => this.cache.get(g.key));
  }

  /**
   * The hierarchy JSON at `url`: fetched here, where the answer to the page's <link rel="preload">
   * of the same URL is taken (a worker's fetch could not take it), and parsed in the worker, which
   * meanwhile loads elkjs for the layout that follows.
   */
  async loadHierarchy(url) {
    this.worker.postMessage({ warm: true });
    const response = await fetch(url);
    const body = await response.arrayBuffer();
    const hierarchy = { url, status: response.status, ok: response.ok, body };
    return (await this.request({ hierarchy }, [body])).json;
  }
}
