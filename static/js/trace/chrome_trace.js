/**
 * A Chrome trace file (the JSON of TF's `timeline.Timeline(step_stats).generate_chrome_trace_format()`,
 * the engine's as well, or any trace with complete "X" events) as the Trace view's step: the shape
 * /data/trace/timeline answers, so the same Timeline draws it. Each (process, thread) with events is a
 * lane, named after its process (TF names them "<device> Compute"); a bar's node name and op come from
 * its `args` when TF put them there. Read in the browser: the file never goes to the server.
 */
export const MAX_FILE_EVENTS = 200_000; // as the server's MAX_TRACE_EVENTS
export const MAX_FILE_BYTES = 256 * 1024 * 1024; // a larger file is refused before it is read

/** The step of a parsed trace (`{traceEvents: [...]}` or a bare event array). Throws on anything else. */
export function stepFromChromeTrace(trace) {
  const events = Array.isArray(trace) ? trace : trace && trace.traceEvents;
  if (!Array.isArray(events)) throw new Error('not a Chrome trace: it has no "traceEvents" list');
  const processNames = new Map();
  for (const ev of events) {
    if (ev && ev.ph === "M" && ev.name === "process_name" && ev.args) processNames.set(ev.pid, String(ev.args.name));
  }
  const complete = events.filter((ev) => ev && ev.ph === "X" && Number.isFinite(ev.ts));
  if (!complete.length) throw new Error('the trace has no complete ("X") events to draw');
  const truncated = complete.length > MAX_FILE_EVENTS;
  const shown = truncated ? complete.slice(0, MAX_FILE_EVENTS) : complete;
  let origin = Infinity;
  for (const ev of shown) origin = Math.min(origin, ev.ts);
  const lanes = [];
  const laneOf = new Map();
  const columns = { lane: [], start_us: [], duration_us: [], op_start_us: [], op_end_us: [], name: [], op: [],
    output_bytes: [], memory_bytes: [] };
  for (const ev of shown) {
    const key = `${ev.pid}\u0000${ev.tid}`;
    if (!laneOf.has(key)) {
      const process = processNames.get(ev.pid) ?? `process ${ev.pid}`;
      laneOf.set(key, lanes.length);
      lanes.push({ device: process.replace(/ Compute$/, ""), row: Number(ev.tid) || 0 });
    }
    const duration = Math.max(0, Number(ev.dur) || 0);
    const args = ev.args || {};
    columns.lane.push(laneOf.get(key));
    columns.start_us.push(ev.ts - origin);
    columns.duration_us.push(duration);
    columns.op_start_us.push(0);
    columns.op_end_us.push(duration);
    columns.name.push(String(args.name ?? ev.name ?? ""));
    columns.op.push(String(args.op ?? ev.name ?? ""));
    columns.output_bytes.push(0);
    columns.memory_bytes.push(0);
  }
  return { origin_us: origin, truncated, lanes, events: columns };
}
