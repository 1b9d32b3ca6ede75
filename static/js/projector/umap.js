/**
 * UMAP of an embedding in a Web Worker (umap_worker.js, umap-js): the tensor's first
 * UMAP_MAX_POINTS rows are fetched as raw float32 (/data/plugin/projector/tensor) and embedded in
 * 2 or 3 dimensions, scaled into [-1, 1] like the PCA route's points. A newer request supersedes
 * an older one (its promise never settles).
 */
import { ApiError, query } from "../http.js";

export const UMAP_MAX_POINTS = 5000;  // UMAP in the browser takes ~10 s for this many points
const NEIGHBORS = 15;  // umap-js's default

let worker = null;
let latest = 0;

async function fetchTensor(run, name, rows) {
  const response = await fetch(`/data/plugin/projector/tensor?${query({ run, name, num_rows: rows })}`);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = (await response.json()).error || message;
    } catch {
      /* not JSON: keep the status line */
    }
    throw new ApiError(response.status, message);
  }
  return new Float32Array(await response.arrayBuffer());
}

/** `points` (rows × dims, flat) centred on their bounding box and scaled into [-1, 1]. */
function scaled(points, dims) {
  const low = new Array(dims).fill(Infinity);
  const high = new Array(dims).fill(-Infinity);
  points.forEach((v, i) => {
    low[i % dims] = Math.min(low[i % dims], v);
    high[i % dims] = Math.max(high[i % dims], v);
  });
  const middle = low.map((l, d) => (l + high[d]) / 2);
  const half = Math.max(...low.map((l, d) => (high[d] - l) / 2));
  return points.map((v, i) => (half > 0 ? (v - middle[i % dims]) / half : 0));
}

/** [[x, y(, z)], ...] of the UMAP of tensor `name` of `run` (`shape`: its [rows, cols]). */
export async function umap(run, name, shape, dims, onProgress) {
  const rows = Math.min(shape[0], UMAP_MAX_POINTS);
  const cols = shape[1];
  const data = await fetchTensor(run, name, rows);
  worker ??= new Worker(new URL("./umap_worker.js", import.meta.url));
  const requestId = ++latest;
  const points = await new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      const answer = event.data;
      if (answer.requestId !== requestId) return;
      if (answer.progress !== undefined) onProgress(answer.progress);
      else if (answer.error) reject(new Error(answer.error));
      else resolve(answer.points);
    };
    worker.postMessage({ requestId, data, rows, cols, dims, neighbors: NEIGHBORS }, [data.buffer]);
  });
  const flat = scaled(points, dims);
  return Array.from({ length: rows }, (_, i) => Array.from(flat.subarray(i * dims, (i + 1) * dims)));
}
