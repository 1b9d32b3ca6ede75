// Main-thread side of the worker (layout_worker.js): lays out group graphs (results cached by content
// key, or taken from layouts the server remembered: board/graph_layouts.py) and parses hierarchy JSON.

export class Layouter {
  constructor() {
    this.worker = new Worker(new URL('./layout_worker.js', import.meta.url));
    this.pending = new Map();
    this.nextId = 1;
    this.cache = new Map();
    this.computed = new Set();  // keys laid out by the worker here (the page shares the first view's)
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
        for (const result of results) {
          this.cache.set(result.key, result);
          this.computed.add(result.key);
        }
      } catch (error) {
        throw new Error(`layout failed: ${error.message}`, { cause: error });
      }
    }
    return graphs.map((g) => this.cache.get(g.key));
  }

  /**
   * Has the worker load elkjs now (once): 1.6 MB of script whose parse then overlaps the hierarchy's
   * download. Not when the server remembered the first view's layouts: the worker would parse
   * the hierarchy only after it, and the page needs no elkjs until the user opens a group.
   */
  warm() {
    if (this.warmed) return;
    this.warmed = true;
    this.worker.postMessage({ warm: true });
  }

  /** Takes layouts computed elsewhere (the server's, same shape as the worker's) for their keys. */
  remember(layouts) {
    for (const layout of layouts) {
      if (!this.cache.has(layout.key)) this.cache.set(layout.key, { ...layout, ms: 0, remembered: true });
    }
  }

  /**
   * The hierarchy JSON at `url`: fetched here, where the answer to the page's <link rel="preload">
   * of the same URL is taken (a worker's fetch could not take it), and parsed in the worker (after
   * elkjs when `warm` came first).
   */
  async loadHierarchy(url) {
    const response = await fetch(url);
    const body = await response.arrayBuffer();
    const hierarchy = { url, status: response.status, ok: response.ok, body };
    return (await this.request({ hierarchy }, [body])).json;
  }
}
