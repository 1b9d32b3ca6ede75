"""tfprof's per-node facts: what one GraphDef node (or one step-stats-only node) contributes to a profile.

A `GraphNode` is built from the GraphDef TF's profiler reads (`as_graph_def(add_shapes=True)`): its op
types (the op, plus the op log's types such as `_trainable_variables`, plus the device it ran on), the
`shape` attr that makes its parameter count, the `_output_shapes` its consumers report as input shapes,
its registered flops and, per traced step, its execution times and memory, as tensorflow/core/profiler/
internal/tfprof_node.{h,cc} account them.
"""

from __future__ import annotations

import re

# tfprof times an op on a device only when the device names a whole CPU or GPU; `stream:all` is the
# accelerator's kernel time. Device names are lower-cased first, as TF does.
_CANONICAL_DEVICE = re.compile(r".*/(device:gpu|gpu|device:cpu|cpu):\d+")


def counts_as_cpu_time(device):
    return _CANONICAL_DEVICE.fullmatch(device) is not None


def counts_as_accelerator_time(device):
    return "stream:all" in device


def shape_to_list(shape_proto):
    """A TensorShapeProto as tfprof keeps it: a scalar is [1], an unknown rank is []."""
    if not shape_proto.dim and not shape_proto.unknown_rank:
        return [1]
    return [d.size for d in shape_proto.dim]


class ExecStep:
    """One traced step of one node: its kernel times per device and the memory of each scheduling."""

    def __init__(self):
        self.run_count = 0
        self.all_start_micros = 0
        self.latest_end_micros = 0
        self.accelerator_execs = {}  # device -> [(start micros, duration micros)]
        self.cpu_execs = {}
        self.memory_execs = []  # one dict per scheduling on the node's own device
        self.devices = set()

    def add_time_stats(self, device, stat):
        self.devices.add(device)
        if stat.all_start_micros <= 0:
            return
        if self.all_start_micros > 0:
            self.all_start_micros = min(self.all_start_micros, stat.all_start_micros)
        else:
            self.all_start_micros = stat.all_start_micros
        # A kernel quicker than the clock still ran: TF counts it as 1 microsecond.
        op_micros = stat.op_end_rel_micros or 1
        self.latest_end_micros = max(self.latest_end_micros, stat.all_start_micros + op_micros)
        if counts_as_accelerator_time(device):
            self.accelerator_execs.setdefault(device, []).append((stat.all_start_micros, op_micros))
        elif counts_as_cpu_time(device):
            self.cpu_execs.setdefault(device, []).append((stat.all_start_micros, op_micros))
            self.run_count += 1  # a while loop runs one node many times under one name

    def add_memory_stats(self, device, stat):
        if stat.all_start_micros <= 0:
            return
        output_bytes = 0
        for output in stat.output:
            desc = output.tensor_description
            if output.HasField("tensor_description") and desc.HasField("allocation_description"):
                alloc = desc.allocation_description
                output_bytes += max(alloc.allocated_bytes, alloc.requested_bytes)
        temp = persistent = 0
        if stat.HasField("memory_stats"):
            temp, persistent = stat.memory_stats.temp_memory_size, stat.memory_stats.persistent_memory_size
        requested = sum(m.total_bytes for m in stat.memory) + persistent + temp
        peak = sum(m.peak_bytes for m in stat.memory) + persistent + temp
        residual = sum(m.live_bytes for m in stat.memory) + persistent
        self.memory_execs.append({"requested": requested, "peak": peak, "residual": residual,
                                  "output": output_bytes})

    def bytes(self, kind):
        return sum(m[kind] for m in self.memory_execs)

    def cpu_exec_micros(self):
        return sum(d for execs in self.cpu_execs.values() for _, d in execs)

    def accelerator_exec_micros(self):
        return sum(d for execs in self.accelerator_execs.values() for _, d in execs)

    def exec_micros(self):
        return self.cpu_exec_micros() + self.accelerator_exec_micros()


class GraphNode:
    """One node of the profiled graph, with what the op log and the run metadata added to it."""

    def __init__(self, name, op, attrs=None, nodes=None):
        self.name = name
        self.op = op
        self.nodes = nodes if nodes is not None else {}  # name -> GraphNode, for input shapes
        self.shape = []
        self.output_shapes = {}
        self.inputs = {}  # input slot -> producer name
        self.src_output = {}  # producer name -> its output index
        self.op_types = {op}
        self.static_float_ops = 0
        self.canonical_device = ""
        self.execs = {}  # step -> ExecStep
        for key, value in (attrs or {}).items():
            if key == "shape" and value.HasField("shape"):
                self.shape = shape_to_list(value.shape)
            elif key == "_output_shapes" and value.HasField("list"):
                self.output_shapes = {i: shape_to_list(s) for i, s in enumerate(value.list.shape)}

    def add_input(self, producer, output_index, slot):
        self.inputs[slot] = producer
        self.src_output[producer] = output_index

    def add_step_stat(self, step, device, stat):
        device = device.lower()
        if counts_as_cpu_time(device):
            if self.canonical_device and self.canonical_device != device:
                return  # TF keeps a node to the first device it saw it on
            if not self.canonical_device:
                self.canonical_device = device
                self.op_types.add(device)
        exec_step = self.execs.setdefault(step, ExecStep())
        exec_step.add_time_stats(device, stat)
        if device == self.canonical_device:
            exec_step.add_memory_stats(device, stat)

    def _per_step(self, step, value):
        """`value(exec_step)` for `step`, or its mean over the traced steps when step < 0 (TF's rule)."""
        if not self.execs:
            return 0
        if step >= 0:
            return value(self.execs[step]) if step in self.execs else 0
        return sum(value(e) for e in self.execs.values()) // len(self.execs)

    def run_count(self, step):
        return self._per_step(step, lambda e: e.run_count)

    def exec_micros(self, step):
        return self._per_step(step, ExecStep.exec_micros)

    def accelerator_exec_micros(self, step):
        return self._per_step(step, ExecStep.accelerator_exec_micros)

    def cpu_exec_micros(self, step):
        return self._per_step(step, ExecStep.cpu_exec_micros)

    def bytes(self, kind, step):
        """`kind` is requested, peak, residual or output."""
        return self._per_step(step, lambda e: e.bytes(kind))

    def float_ops(self, step):
        # Without run metadata the registered (static) count; a traced node's count times its runs.
        if not self.execs:
            return self.static_float_ops
        return self.static_float_ops * self.run_count(step)

    def parameters(self):
        if not self.shape or any(d < 0 for d in self.shape):
            return 0
        params = 1
        for d in self.shape:
            params *= d
        return params

    def input_shapes(self):
        """Input slot -> the shape its producer declares for that output; [] where unknown."""
        shapes = {}
        for slot, producer in self.inputs.items():
            node = self.nodes.get(producer)
            index = self.src_output.get(producer)
            shapes[slot] = list(node.output_shapes.get(index, [])) if node is not None else []
        return shapes
