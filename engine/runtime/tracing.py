"""Traced runs: `Session.run(..., options=RunOptions(trace_level=...), run_metadata=md)`.

A traced run goes through its own plans, built by a second `Planner` whose `instrument` hook wraps every
kernel of the lowered Program in a timer before an executor compiles it.  Untraced plans never see this
module, so tracing off costs nothing on the fast path.  The traced planner runs without the passes that
make ops disappear from a plan (kernel elision, constant folding, shape specialisation): TF's step stats
list every node its executor ran, Consts, variables and their reads included.

What is recorded follows TF's CPU executor (tensorflow/core/common_runtime/step_stats_collector.cc):
one `DeviceStepStats` for the CPU device, one `NodeExecStats` per kernel call in execution order, with
wall-clock start (micros and nanos), the kernel's duration as op and all end, the timeline label
`name = Op(inputs)`, each output's dtype, shape and bytes, and the bytes the outputs hold as the `cpu`
allocator's use.  TF's own `_SOURCE`, `_Arg` and `_Retval` nodes have no counterpart here: feeds and
fetches are not graph nodes in this runtime.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from engine.proto import (
    allocation_description_pb2,
    step_stats_pb2,
    tensor_description_pb2,
    tensor_shape_pb2,
)
from engine.runtime import passes
from engine.runtime.state import VariableCell

DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
ALLOCATOR = "cpu"
# The passes a traced plan keeps: none of them removes an op's kernel call from the plan.
TRACEABLE = frozenset((passes.DEPENDENCY_OPTIMIZER, passes.BOUND_KERNELS, passes.BUFFER_FORWARDING,
                       passes.LAST_USE_FREES))

_clock = time.perf_counter_ns


class Tracer:
    """A session's traced plans' recorder: the kernel calls of the run under way, in order.

    `records` holds (op, start ns, end ns, [(shape, nbytes) per output]) with perf-counter times; `lock`
    keeps two threads' traced runs of one session from interleaving their records."""

    def __init__(self):
        self.records = []
        self.lock = threading.Lock()

    def instrument(self, program):
        """The Planner hook: every step of `program` made a timed kernel call (in place)."""
        for step in program.steps:
            if step.kernel is None:  # a variable read: `read(cell)` as a kernel, so that it is timed too
                ((i, name, _),) = step.args
                step.kernel, step.kernel_name, step.args = _identity, f"r{step.outs[0]}", [(i, name, True)]
            if step.op.op_def.control_flow == "switch":
                step.kernel = self._timed_switch(step.op, step.kernel)
            else:
                step.kernel = self._timed(step.op, step.kernel, len(step.outs))
        return program

    def _timed(self, op, kernel, n_outs):
        records = self.records

        def timed(*args):
            start = _clock()
            out = kernel(*args)
            end = _clock()
            records.append((op, start, end, _describe(out, n_outs)))
            return out

        return timed


    def _timed_switch(self, op, kernel):
        """A Switch's kernel passes its data on; the dataflow executor sends it to output 1 when the
        predicate holds, else to 0: the record describes that output (the other is dead)."""
        records = self.records

        def timed(data, pred):
            start = _clock()
            out = kernel(data, pred)
            end = _clock()
            (described,) = _describe(out, 1)
            dead = (None, None)
            outputs = (dead, described) if bool(np.asarray(pred)) else (described, dead)
            records.append((op, start, end, outputs))
            return out

        return timed


def _identity(value):
    return value


def _describe(out, n_outs):
    """[(shape, nbytes)] of a kernel's outputs ((None, None) where they are not arrays)."""
    if n_outs == 0:
        return ()
    described = []
    for value in (out,) if n_outs == 1 else out:
        if isinstance(value, VariableCell):
            value = value.value
        if isinstance(value, (np.ndarray, np.generic)):
            described.append((value.shape, value.nbytes))
        elif isinstance(value, bytes):
            described.append(((), len(value)))
        else:
            described.append((None, None))
    return described


def fill(run_metadata, options, records, wall_ns, perf_ns, graph, fed_ops):
    """Fills `run_metadata` (cleared first, as TF's Session.run parses into it) from one run's
    `records`; `wall_ns`/`perf_ns` are the wall clock and perf counter read together before it."""
    run_metadata.Clear()
    if getattr(options, "trace_level", 0):
        device = run_metadata.step_stats.dev_stats.add(device=DEVICE)
        offset = wall_ns - perf_ns
        device.node_stats.extend(_node_stats(op, start + offset, end - start, outputs)
                                 for op, start, end, outputs in records)
    if getattr(options, "output_partition_graphs", False):
        partition = run_metadata.partition_graphs.add()
        partition.versions.CopyFrom(graph.graph_def_versions)
        for op in list(fed_ops) + [record[0] for record in records]:
            node = partition.node.add()
            node.CopyFrom(op.node_def)
            node.device = DEVICE


def _node_stats(op, start_ns, duration_ns, outputs):
    start_us = start_ns // 1000
    end_us = (start_ns + duration_ns) // 1000 - start_us
    stats = step_stats_pb2.NodeExecStats(
        node_name=op.name,
        all_start_micros=start_us, op_end_rel_micros=end_us, all_end_rel_micros=end_us,
        scheduled_micros=start_us,
        all_start_nanos=start_ns, op_end_rel_nanos=duration_ns, all_end_rel_nanos=duration_ns,
        scheduled_nanos=start_ns,
        timeline_label=f"{op.name} = {op.type}({', '.join(op.node_def.input)})",
    )
    total = 0
    for slot, (tensor, (shape, nbytes)) in enumerate(zip(op.outputs, outputs, strict=True)):
        description = tensor_description_pb2.TensorDescription(dtype=tensor.dtype.base_dtype.as_datatype_enum)
        if shape is not None:
            description.shape.CopyFrom(tensor_shape_pb2.TensorShapeProto(
                dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in shape]))
            description.allocation_description.CopyFrom(allocation_description_pb2.AllocationDescription(
                requested_bytes=nbytes, allocated_bytes=nbytes, allocator_name=ALLOCATOR))
            total += nbytes
        stats.output.add(slot=slot, tensor_description=description)
    if total:
        stats.memory.add(allocator_name=ALLOCATOR, total_bytes=total, peak_bytes=total, live_bytes=total)
    return stats
