"""The k largest entries: TopKV2 (`tf.nn.top_k`, with its gradient) and InTopKV2 (`tf.nn.in_top_k`, which
TF gives no gradient): kernels, shape rules, registrations, wrappers and gradient."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, math_ops
from engine.ops.nd_index_ops import scatter_nd
from engine.ops.op_util import dims, make_op, make_tensor, shape, shape_error


def _top_k_order(x):
    """Indices sorting the last axis descending, equal values in index order (as TF's kernel)."""
    n = x.shape[-1]
    ascending_of_reversed = np.argsort(x[..., ::-1], axis=-1, kind="stable")
    return (n - 1 - ascending_of_reversed)[..., ::-1]


def _compile_top_k(op, runtime):
    index_type = dtypes.as_dtype(op.get_attr("index_type") or dtypes.int32).as_numpy_dtype

    def kernel(x, k):
        x, k = np.asarray(x), int(k)
        if x.ndim < 1:
            raise errors.InvalidArgumentError(None, None, "input must be >= 1-D, got shape []")
        if k < 0:
            raise errors.InvalidArgumentError(None, None, f"Need k >= 0, got {k}")
        if x.shape[-1] < k:
            raise errors.InvalidArgumentError(
                None, None, f"input must have at least k columns. Had {x.shape[-1]}, needed {k}"
            )
        order = _top_k_order(x)[..., :k]
        return np.take_along_axis(x, order, axis=-1), order.astype(index_type)

    return kernel


def _infer_top_k(op):
    x, k_t = op.inputs
    index_type = dtypes.as_dtype(op.get_attr("index_type") or dtypes.int32)
    xd = dims(x)
    if xd is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape()), (index_type, _ts.unknown_shape())]
    if not xd:
        raise shape_error(op, "Shape must be at least rank 1 but is rank 0")
    k = tensor_util.constant_value(k_t)
    k = None if k is None else int(k)
    if k is not None and xd[-1] is not None and xd[-1] < k:
        raise shape_error(op, f"input must have last dimension >= k = {k} but is {xd[-1]}")
    out = shape(list(xd[:-1]) + [k])
    return [(x.dtype.base_dtype, out), (index_type, out)]


registry.register_op(
    "TopKV2",
    infer=_infer_top_k,
    compile=_compile_top_k,
    attrs={"sorted": True, "index_type": dtypes.int32},
    inputs=("input: T", "k: Tk"),
    allowed={"T": groups.REAL_NUMBER_TYPES, "Tk": ("int16", "int32", "int64")},
)


def top_k(input, k=1, sorted=True, name=None, index_type=dtypes.int32):  # noqa: A002 - TF's argument names
    """``tf.nn.top_k``: the `k` largest entries of the last axis and their indices (`values, indices`),
    largest first; equal values keep their index order."""
    with ops.name_scope(name, "TopKV2", [input, k]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        k_t = ops.convert_to_tensor(k, dtype=dtypes.int32, name="k")
        op = make_op(
            "TopKV2",
            [x, k_t],
            name=scope,
            attrs={
                "T": x.dtype.base_dtype,
                "Tk": dtypes.int32,
                "sorted": bool(sorted),
                "index_type": dtypes.as_dtype(index_type),
            },
        )
        return op.outputs[0], op.outputs[1]


def _in_top_k_kernel(predictions, targets, k):
    predictions, targets, k = np.asarray(predictions), np.asarray(targets), int(k)
    batch, classes = predictions.shape
    out = np.zeros(batch, bool)
    for row in range(batch):
        target = int(targets[row])
        if not 0 <= target < classes or not np.isfinite(predictions[row, target]):
            continue  # an out-of-range target or a non-finite prediction is never in the top k (TF)
        out[row] = np.count_nonzero(predictions[row] > predictions[row, target]) < k
    return out


def _infer_in_top_k(op):
    predictions, targets, _ = op.inputs
    pd, td = dims(predictions), dims(targets)
    if pd is not None and len(pd) != 2:
        raise shape_error(op, f"Shape must be rank 2 but is rank {len(pd)}")
    if td is not None and len(td) != 1:
        raise shape_error(op, f"Shape must be rank 1 but is rank {len(td)}")
    batch = pd[0] if pd is not None else None
    if batch is None and td is not None:
        batch = td[0]
    return [(dtypes.bool, shape([batch]))]


registry.register_op(
    "InTopKV2",
    infer=_infer_in_top_k,
    kernel=_in_top_k_kernel,
    fresh=True,
    inputs=("predictions", "targets: T", "k: T"),
    allowed={"T": groups.INDEX_TYPES},
)


def in_top_k(predictions, targets, k, name=None):
    """``tf.nn.in_top_k``: whether each target class is among the `k` largest predictions of its row (ties
    count for the target; non-finite predictions never do)."""
    with ops.name_scope(name, "in_top_k", [predictions, targets, k]):
        predictions = ops.convert_to_tensor(predictions, dtype=dtypes.float32, name="predictions")
        targets = ops.convert_to_tensor(targets, name="targets")
        k_t = ops.convert_to_tensor(k, dtype=targets.dtype.base_dtype, name="k")
        return make_tensor(
            "InTopKV2", [predictions, targets, k_t], name=name, attrs={"T": targets.dtype.base_dtype}
        )


@register_gradient("TopKV2")
def _top_k_grad(op, grad, _):
    """The values' gradient scattered to the input positions the indices name (TF's _TopKGrad, in int32)."""
    x, indices = op.inputs[0], op.outputs[1]
    in_shape = array_ops.shape_v1(x)
    indices = array_ops.cast(indices, dtypes.int32)
    k = array_ops.gather(array_ops.shape_v1(indices), array_ops.size(array_ops.shape_v1(indices)) - 1)
    ind_2d = array_ops.reshape(indices, array_ops.stack([-1, k]))
    n = array_ops.gather(in_shape, array_ops.size(in_shape) - 1)
    outer = array_ops.shape_v1(ind_2d)[0]
    offsets = array_ops.expand_dims(math_ops.range(0, outer * n, n), -1)
    flat = array_ops.reshape(ind_2d + offsets, [-1])
    total = array_ops.expand_dims(math_ops.reduce_prod(in_shape), 0)
    scattered = scatter_nd(array_ops.expand_dims(flat, -1), array_ops.reshape(grad, [-1]), total)
    return [array_ops.reshape(scattered, in_shape), None]
