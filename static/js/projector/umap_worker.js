/*! Includes umap-js (https://github.com/PAIR-code/umap-js), Copyright 2019 Google LLC, Apache License 2.0 */
// Web Worker: UMAP of an embedding for the Projector page, off the main thread (umap-js).
// In:  {requestId, data: Float32Array (rows × cols, row-major), rows, cols, dims, neighbors}
// Out: {requestId, progress: epoch / epochs} while it runs, then {requestId, points: Float32Array
//      (rows × dims)} or {requestId, error}.
import { UMAP } from "umap-js";

// A seeded generator (mulberry32): the same embedding gives the same picture each time.
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

self.onmessage = async (event) => {
  const { requestId, data, rows, cols, dims, neighbors } = event.data;
  try {
    const vectors = Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols)));
    const umap = new UMAP({ nComponents: dims, nNeighbors: Math.max(2, Math.min(neighbors, rows - 1)),
      random: seeded(42) });
    const epochs = umap.initializeFit(vectors);
    for (let epoch = 0; epoch < epochs; epoch += 1) {
      umap.step();
      if (epoch % 20 === 0) self.postMessage({ requestId, progress: epoch / epochs });
    }
    const embedding = umap.getEmbedding();
    const points = new Float32Array(rows * dims);
    embedding.forEach((point, i) => points.set(point, i * dims));
    self.postMessage({ requestId, points }, [points.buffer]);
  } catch (err) {
    self.postMessage({ requestId, error: String(err && err.message ? err.message : err) });
  }
};
