"""TF1's `tensorflow.python.client.timeline`: a traced run's step stats as Chrome trace JSON.

    from engine.client import timeline
    trace = timeline.Timeline(run_metadata.step_stats).generate_chrome_trace_format()
    open("timeline.json", "w").write(trace)   # chrome://tracing or ui.perfetto.dev opens it

The events are TF's: an "Allocators" process, then per device a "<device> Compute" process with one
`X` event per node (name = op type, args name/op/input<i>) on non-overlapping lanes and a "<device>
Tensors" process; `s`/`t` flow events for tensors crossing lanes; with `show_memory`, tensor objects
(`N`/`O`/`D`) and a `C` counter per allocator of the bytes live over time.  GPU stream devices
(`/stream:`, `/memcpy`) are read as TF reads them, for RunMetadata recorded by TF on a GPU.
"""

from __future__ import annotations

import collections
import json
import re

from engine.proto import step_stats_pb2

__all__ = ["AllocationMaximum", "StepStatsAnalysis", "Timeline"]

AllocationMaximum = collections.namedtuple("AllocationMaximum", ("timestamp", "num_bytes", "tensors"))
AllocationMaximum.__doc__ = "The peak of one allocator: when (micros), how many bytes, which tensors."
StepStatsAnalysis = collections.namedtuple("StepStatsAnalysis", ("chrome_trace", "allocator_maximums"))
StepStatsAnalysis.__doc__ = "`chrome_trace` (`format_to_string()`) and {allocator: AllocationMaximum}."

_LABEL = re.compile(r"(.*) = (.*)\((.*)\)")


def _parse_label(label):
    """(node name, op type, input names) of a timeline label `name = Op(in0, in1)`."""
    match = _LABEL.match(label)
    if match is None:
        return "unknown", "unknown", []
    name, op, inputs = match.groups()
    return name, op, inputs.split(", ") if inputs else []


def _kernel_name(label, node_name):
    """(node name, op) of a GPU kernel event (`...@@name#...`, or `name:op` in its node name)."""
    start, end = label.find("@@"), label.find("#")
    if start >= 0 and end >= 0 and start + 2 < end:
        node_name = label[start + 2:end]
    name, op = ([*node_name.split(":"), "unknown"])[:2]
    return name, op


def _is_stream(device):
    return "/stream:" in device or "/memcpy" in device


class _ChromeTrace:
    """The trace being written: metadata events first, then the rest, as TF's formatter orders them."""

    def __init__(self):
        self.metadata = []
        self.events = []

    def event(self, ph, category, name, pid, tid, ts, **extra):
        event = {"ph": ph, "cat": category, "name": name, "pid": pid, "tid": tid, "ts": ts}
        event.update(extra)
        self.events.append(event)

    def process(self, name, pid):
        self.metadata.append({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": name}})

    def format_to_string(self, pretty=False):
        trace = {"traceEvents": self.metadata + self.events}
        if pretty:
            return json.dumps(trace, indent=4, separators=(",", ": "))
        return json.dumps(trace, separators=(",", ":"))


class _Tensor:
    """One output's life: created when its node starts, alive until its last consumer ends."""

    __slots__ = ("name", "object_id", "create_time", "pid", "allocator", "num_bytes", "last_unref")

    def __init__(self, name, object_id, create_time, pid, allocator, num_bytes):
        self.name, self.object_id, self.create_time, self.pid = name, object_id, create_time, pid
        self.allocator, self.num_bytes, self.last_unref = allocator, num_bytes, create_time


class Timeline:
    """`Timeline(step_stats, graph=None)`: the analysis of one traced run's `StepStats`."""

    def __init__(self, step_stats, graph=None):
        if not isinstance(step_stats, step_stats_pb2.StepStats):
            step_stats = step_stats_pb2.StepStats.FromString(step_stats.SerializeToString())
        self._origin_step_stats = step_stats
        self._graph = graph

    def generate_chrome_trace_format(self, show_dataflow=True, show_memory=False, op_time="schedule"):
        """The trace as (indented) JSON text: `show_dataflow` adds arrows between lanes, `show_memory`
        tensor objects and allocator counters; `op_time` is "schedule" (the step stats' times), "gpu"
        (the node's GPU kernels' span) or "all" (from scheduling to its last kernel's end)."""
        analysis = self.analyze_step_stats(show_dataflow, show_memory, op_time)
        return analysis.chrome_trace.format_to_string(pretty=True)

    def analyze_step_stats(self, show_dataflow=True, show_memory=True, op_time="schedule"):
        """A `StepStatsAnalysis`: the Chrome trace and each allocator's peak."""
        if op_time not in ("schedule", "gpu", "all"):
            raise ValueError(f"op_time must be 'schedule', 'gpu' or 'all', got {op_time!r}")
        # A copy: lanes are written into thread_id, and the caller's proto stays as it was.
        stats = step_stats_pb2.StepStats()
        stats.CopyFrom(self._origin_step_stats)
        if op_time != "schedule":
            _apply_kernel_times(stats, op_time)
        trace = _ChromeTrace()
        pids = {}
        trace.process("Allocators", 0)
        for n, dev in enumerate(stats.dev_stats):
            pids[dev.device] = (2 * n + 1, 2 * n + 2)
            trace.process(dev.device + " Compute", 2 * n + 1)
            trace.process(dev.device + " Tensors", 2 * n + 2)
        _assign_lanes(stats)
        tensors, flow_starts = {}, {}
        for dev in stats.dev_stats:
            compute_pid, tensors_pid = pids[dev.device]
            for ns in dev.node_stats:
                start, end = ns.all_start_micros, ns.all_start_micros + ns.all_end_rel_micros
                for index, output in enumerate(ns.output):
                    name = f"{ns.node_name}:{index}" if index else ns.node_name
                    allocation = output.tensor_description.allocation_description
                    tensor = tensors[name] = _Tensor(name, len(tensors), start, tensors_pid,
                                                     allocation.allocator_name, allocation.requested_bytes)
                    tensor.last_unref = max(tensor.last_unref, end)
                    flow_starts[name] = (end, compute_pid, ns.thread_id)
                    if show_memory:
                        tid, object_id = ns.thread_id, tensor.object_id
                        trace.event("N", "Tensor", name, tensors_pid, tid, start, id=object_id)
                        description = str(output.tensor_description).replace('"', "")
                        trace.event("O", "Tensor", name, tensors_pid, tid, end - 1, id=object_id,
                                    args={"snapshot": {"tensor_description": description}})
        flow_id = 0
        for dev in stats.dev_stats:
            compute_pid, _ = pids[dev.device]
            stream = _is_stream(dev.device)
            for ns in dev.node_stats:
                tid, start = ns.thread_id, ns.all_start_micros
                end = start + ns.all_end_rel_micros
                inputs = []
                if stream:
                    _, op = _kernel_name(ns.timeline_label, ns.node_name)
                    name = _kernel_name(ns.timeline_label, ns.node_name)[0]
                elif ns.node_name == "RecvTensor":
                    name, op = ns.node_name, "RecvTensor"
                else:
                    name = ns.node_name
                    _, op, inputs = _parse_label(ns.timeline_label)
                args = {"name": name, "op": op}
                args.update((f"input{i}", input_name) for i, input_name in enumerate(inputs))
                trace.event("X", "Op", op, compute_pid, tid, start, dur=ns.all_end_rel_micros, args=args)
                for input_name in inputs:
                    if input_name not in tensors and input_name.rfind("/_") > 0:  # a Send/Recv TF inserted
                        input_name = input_name[:input_name.rfind("/_")]
                    tensor = tensors.get(input_name)
                    if tensor is None:
                        continue
                    tensor.last_unref = max(tensor.last_unref, end - 1)
                    created, create_pid, create_tid = flow_starts[input_name]
                    if show_dataflow and (create_pid != compute_pid or create_tid != tid):
                        trace.event("s", "DataFlow", input_name, create_pid, create_tid, created, id=flow_id)
                        trace.event("t", "DataFlow", input_name, compute_pid, tid, start, id=flow_id)
                        flow_id += 1
        maximums = _memory_counters(trace, tensors) if show_memory else {}
        return StepStatsAnalysis(chrome_trace=trace, allocator_maximums=maximums)


def _assign_lanes(stats):
    """Puts each node on the first lane (thread_id) free when it starts, per device."""
    for dev in stats.dev_stats:
        lanes = [0]
        for ns in dev.node_stats:
            end = ns.all_start_micros + ns.all_end_rel_micros
            for i, busy_until in enumerate(lanes):
                if ns.all_start_micros > busy_until:
                    lanes[i] = end
                    ns.thread_id = i
                    break
            else:
                ns.thread_id = len(lanes)
                lanes.append(end)


def _apply_kernel_times(stats, op_time):
    """Stretches (`all`) or moves (`gpu`) each node to the span of its GPU kernels (`/stream:all`)."""
    spans = {}
    for dev in stats.dev_stats:
        if "/stream:all" in dev.device:
            for kernel in dev.node_stats:
                name, _ = _kernel_name(kernel.timeline_label, kernel.node_name)
                start, end = kernel.all_start_micros, kernel.all_start_micros + kernel.all_end_rel_micros
                low, high = spans.get(name, (start, end))
                spans[name] = (min(low, start), max(high, end))
    for dev in stats.dev_stats:
        if "/stream:all" in dev.device or "/job" not in dev.device:
            continue
        for ns in dev.node_stats:
            if ns.node_name in spans:
                start, end = spans[ns.node_name]
                end = max(end, ns.all_start_micros + ns.all_end_rel_micros)
                if op_time == "gpu":
                    ns.all_start_micros = start
                ns.all_end_rel_micros = end - ns.all_start_micros


def _memory_counters(trace, tensors):
    """Deletes each tensor at its last use, emits each allocator's live bytes, returns their peaks."""
    allocations = collections.defaultdict(list)
    for tensor in tensors.values():
        trace.event("D", "Tensor", tensor.name, tensor.pid, 0, tensor.last_unref, id=tensor.object_id)
        allocations[tensor.allocator].append((tensor.create_time, tensor.num_bytes, tensor.name))
        allocations[tensor.allocator].append((tensor.last_unref, -tensor.num_bytes, tensor.name))
    maximums = {}
    for allocator, changes in allocations.items():
        total, live = 0, set()
        maximums[allocator] = AllocationMaximum(timestamp=0, num_bytes=0, tensors=set())
        for when, num_bytes, name in sorted(changes):  # ties: frees (negative) first, as TF
            total += num_bytes
            (live.discard if num_bytes < 0 else live.add)(name)
            if total > maximums[allocator].num_bytes:
                maximums[allocator] = AllocationMaximum(timestamp=when, num_bytes=total, tensors=set(live))
            trace.event("C", "Memory", allocator, 0, 0, when, args={allocator: total})
    return maximums
