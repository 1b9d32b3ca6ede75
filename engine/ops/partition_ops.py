"""Splitting rows by partition and merging them back: DynamicPartition, DynamicStitch and
ParallelDynamicStitch (``tf.dynamic_partition``, ``tf.dynamic_stitch``; each the other's gradient, as in
TF's python/ops/data_flow_grad.py): kernels, shape rules, registrations, wrappers and gradients."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, math_ops
from engine.ops.op_util import dims, make_op, make_tensor, shape, shape_error


def _compile_dynamic_partition(op, runtime):
    num_partitions = op.get_attr("num_partitions")

    def kernel(data, partitions):
        data, partitions = np.asarray(data), np.asarray(partitions)
        if data.shape[: partitions.ndim] != partitions.shape:
            raise errors.InvalidArgumentError(
                None, None, f"data.shape must start with partitions.shape, got data.shape = "
                f"{list(data.shape)}, partitions.shape = {list(partitions.shape)}")
        flat = partitions.reshape(-1)
        bad = np.flatnonzero((flat < 0) | (flat >= num_partitions))
        if bad.size:
            i = int(bad[0])
            where = ", ".join(str(int(k)) for k in np.unravel_index(i, partitions.shape))
            raise errors.InvalidArgumentError(
                None, None, f"partitions[{where}] = {flat[i]} is not in [0, {num_partitions})")
        rows = data.reshape((-1,) + data.shape[partitions.ndim:])
        return tuple(rows[flat == p] for p in range(num_partitions))

    return kernel


def _infer_dynamic_partition(op):
    data, partitions = op.inputs
    n = op.get_attr("num_partitions")
    dd, pd = dims(data), dims(partitions)
    dtype = data.dtype.base_dtype
    if dd is None or pd is None:
        return [(dtype, _ts.unknown_shape())] * n
    if len(pd) > len(dd):
        raise shape_error(op, f"Shape must be at least rank {len(pd)} but is rank {len(dd)}")
    for a, b in zip(dd, pd, strict=False):
        if a is not None and b is not None and a != b:
            raise shape_error(op, f"Dimensions must be equal, but are {a} and {b}")
    return [(dtype, shape((None,) + dd[len(pd):]))] * n


registry.register_op("DynamicPartition", infer=_infer_dynamic_partition, compile=_compile_dynamic_partition)


def dynamic_partition(data, partitions, num_partitions, name=None):
    """``tf.dynamic_partition``: the rows of `data` sent to `num_partitions` outputs by `partitions`
    (int32, a prefix of data's shape), in their original order."""
    with ops.name_scope(name, "DynamicPartition", [data, partitions]) as scope:
        data = ops.convert_to_tensor(data, name="data")
        partitions = ops.convert_to_tensor(partitions, dtype=dtypes.int32, name="partitions")
        op = make_op("DynamicPartition", [data, partitions], name=scope,
                     attrs={"T": data.dtype.base_dtype, "num_partitions": int(num_partitions)})
        return list(op.outputs)


@register_gradient("DynamicPartition")
def _dynamic_partition_grad(op, *grads):
    """Partition the positions the same way, then stitch the gradients back to them."""
    data, partitions = op.inputs
    prefix_shape = array_ops.shape_v1(partitions)
    original = array_ops.reshape(math_ops.range(math_ops.reduce_prod(prefix_shape)), prefix_shape)
    partitioned = dynamic_partition(original, partitions, op.get_attr("num_partitions"))
    reconstructed = parallel_dynamic_stitch(partitioned, list(grads))
    return [array_ops.reshape(reconstructed, array_ops.shape_v1(data)), None]


def _stitch_kernel(*inputs):
    n = len(inputs) // 2
    indices, data = [np.asarray(i) for i in inputs[:n]], [np.asarray(d) for d in inputs[n:]]
    tail = None
    for i, (idx, d) in enumerate(zip(indices, data, strict=True)):
        if d.shape[: idx.ndim] != idx.shape:
            raise errors.InvalidArgumentError(
                None, None, f"data[{i}].shape = {list(d.shape)} does not start with indices[{i}].shape = "
                f"{list(idx.shape)}")
        tail = d.shape[idx.ndim:]
    rows = max((int(idx.max()) + 1 for idx in indices if idx.size), default=0)
    dtype = data[0].dtype if data else np.float32
    out = np.zeros((rows,) + tuple(tail or ()), dtype)
    for idx, d in zip(indices, data, strict=True):
        flat = idx.reshape(-1)
        bad = np.flatnonzero(flat < 0)
        if bad.size:
            raise errors.InvalidArgumentError(None, None, f"indices[{int(bad[0])}] is out of range")
        out[flat] = d.reshape((-1,) + out.shape[1:])  # later entries win, as TF's
    return out


def _infer_stitch(op):
    n = len(op.inputs) // 2
    indices, data = op.inputs[:n], op.inputs[n:]
    dtype = data[0].dtype.base_dtype
    tail = None
    for idx, d in zip(indices, data, strict=True):
        idd, dd = dims(idx), dims(d)
        if idd is None or dd is None:
            continue
        if len(idd) > len(dd):
            raise shape_error(op, f"Shape must be at least rank {len(idd)} but is rank {len(dd)}")
        for b, a in zip(idd, dd, strict=False):  # TF's text names data's dimension first
            if a is not None and b is not None and a != b:
                raise shape_error(op, f"Dimensions must be equal, but are {a} and {b}")
        this = dd[len(idd):]
        if tail is None:
            tail = this
        else:
            tail = tuple(b if a is None else a for a, b in zip(tail, this, strict=True))
    values = [tensor_util.constant_value(idx) for idx in indices]
    rows = None
    if all(v is not None for v in values):
        rows = max((int(np.max(v)) + 1 for v in values if np.size(v)), default=0)
    if tail is None:
        return [(dtype, _ts.unknown_shape())]
    return [(dtype, shape((rows,) + tuple(tail)))]


for _op_type in ("DynamicStitch", "ParallelDynamicStitch"):
    registry.register_op(_op_type, infer=_infer_stitch, kernel=_stitch_kernel, fresh=True)


def _stitch(op_type, indices, data, name):
    with ops.name_scope(name, op_type, list(indices) + list(data)) as scope:
        indices = [ops.convert_to_tensor(x, dtype=dtypes.int32, name=f"indices_{i}")
                   for i, x in enumerate(indices)]
        data = [ops.convert_to_tensor(x, name=f"data_{i}") for i, x in enumerate(data)]
        if len(indices) != len(data):
            raise ValueError(f"List argument 'data' to '{op_type}' Op with length {len(data)} must match "
                             f"length {len(indices)} of argument 'indices'.")
        return make_tensor(op_type, indices + data, name=scope,
                           attrs={"N": len(indices), "T": data[0].dtype.base_dtype})


def dynamic_stitch(indices, data, name=None):
    """``tf.dynamic_stitch``: ``merged[indices[m][i]] = data[m][i]``, later pieces winning; positions no
    index names hold zeros."""
    return _stitch("DynamicStitch", indices, data, name)


def parallel_dynamic_stitch(indices, data, name=None):
    """``tf.raw_ops.ParallelDynamicStitch`` (what DynamicPartition's gradient builds): as `dynamic_stitch`."""
    return _stitch("ParallelDynamicStitch", indices, data, name)


def _stitch_grad(op, grad):
    """The merged gradient gathered back to each piece; the indices get none."""
    n = len(op.inputs) // 2
    return [None] * n + [array_ops.gather(grad, op.inputs[i]) for i in range(n)]


register_gradient("DynamicStitch")(_stitch_grad)
register_gradient("ParallelDynamicStitch")(_stitch_grad)
