"""N-d indexing: GatherNd (`tf.gather_nd`) and ScatterNd (`tf.scatter_nd`), each the other's gradient:
kernels, shape rules, registrations, wrappers and gradients."""

from __future__ import annotations

import numpy as np

from engine.framework import errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops
from engine.ops.op_util import dims, make_tensor, shape, shape_error

_NDINDEX_TYPES = ("int16", "int32", "int64")


def _as_index_tuple(indices):
    """(..., k) index array -> a tuple of k index arrays, numpy's fancy indexing of the first k axes."""
    return tuple(np.moveaxis(indices, -1, 0))


def _first_bad_index(indices, bounds):
    """TF's `indices[i,j] = [a, b]` text for the first index row outside `bounds`, or None."""
    bad = ((indices < 0) | (indices >= np.asarray(bounds, np.int64))).any(axis=-1)
    if not bad.any():
        return None
    pos = tuple(int(i) for i in np.argwhere(bad)[0])
    where = ",".join(str(i) for i in pos)
    return f"indices[{where}] = [{', '.join(str(int(v)) for v in indices[pos])}]"


def _gather_nd_kernel(params, indices):
    params, indices = np.asarray(params), np.asarray(indices, np.int64)
    k = indices.shape[-1]
    if k > params.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"index innermost dimension length must be <= params rank; saw: {k} vs. {params.ndim}"
        )
    bad = _first_bad_index(indices, params.shape[:k]) if k else None
    if bad is not None:
        raise errors.InvalidArgumentError(
            None, None, f"{bad} does not index into param shape [{','.join(str(d) for d in params.shape)}]"
        )
    if k == 0:
        return np.broadcast_to(params, indices.shape[:-1] + params.shape).copy()
    return params[_as_index_tuple(indices)]


def _infer_gather_nd(op):
    params, indices = op.inputs
    pd, idx = dims(params), dims(indices)
    dtype = params.dtype.base_dtype
    if idx is None:
        return [(dtype, _ts.unknown_shape())]
    if not idx:
        raise shape_error(op, "indices must be at least a vector")
    k = idx[-1]
    if k is None or pd is None:
        return [(dtype, _ts.unknown_shape())]
    if k > len(pd):
        raise shape_error(
            op,
            f"indices.shape[-1] must be <= params.rank, but saw indices shape: "
            f"[{','.join('?' if d is None else str(d) for d in idx)}] and params shape: "
            f"[{','.join('?' if d is None else str(d) for d in pd)}]",
        )
    return [(dtype, shape(list(idx[:-1]) + list(pd[k:])))]


registry.register_op(
    "GatherNd",
    infer=_infer_gather_nd,
    kernel=_gather_nd_kernel,
    fresh=True,
    attrs={"bad_indices_policy": ""},
    inputs=("params: Tparams", "indices: Tindices"),
    allowed={"Tindices": _NDINDEX_TYPES},
)


def gather_nd(params, indices, name=None, batch_dims=0):
    """``tf.gather_nd``: `params` sliced at each index row of `indices` (its last axis indexes params' first
    axes). `batch_dims > 0` is refused (TF builds it from other ops; not done here)."""
    if batch_dims != 0:
        raise ValueError("gather_nd with batch_dims > 0 is not supported by the engine; use batch_dims=0.")
    with ops.name_scope(name, "GatherNd", [params, indices]) as scope:
        params = ops.convert_to_tensor(params, name="params")
        indices = ops.convert_to_tensor(indices, name="indices")
        return make_tensor(
            "GatherNd",
            [params, indices],
            name=scope,
            attrs={
                "Tparams": params.dtype.base_dtype,
                "Tindices": indices.dtype.base_dtype,
                "bad_indices_policy": "",
            },
        )


def _scatter_nd_kernel(indices, updates, out_shape):
    indices, updates = np.asarray(indices, np.int64), np.asarray(updates)
    out_shape = tuple(int(d) for d in np.asarray(out_shape).reshape(-1))
    k = indices.shape[-1]
    expected = indices.shape[:-1] + out_shape[k:]
    if updates.shape != expected:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Dimensions [0,{indices.ndim - 1}) of indices[shape=[{','.join(map(str, indices.shape))}]] "
            f"= [{','.join(map(str, indices.shape[:-1]))}] must match dimensions [0,{indices.ndim - 1}) of "
            f"updates[shape=[{','.join(map(str, updates.shape))}]] = "
            f"[{','.join(map(str, updates.shape[: indices.ndim - 1]))}]",
        )
    bad = _first_bad_index(indices, out_shape[:k])
    if bad is not None:
        raise errors.InvalidArgumentError(
            None, None, f"{bad} does not index into shape [{','.join(str(d) for d in out_shape)}]"
        )
    out = np.zeros(out_shape, updates.dtype)
    np.add.at(out, _as_index_tuple(indices), updates)  # repeated indices add up, as in TF
    return out


def _infer_scatter_nd(op):
    _, updates, out_shape = op.inputs
    return [(updates.dtype.base_dtype, tensor_util.constant_value_as_shape(out_shape))]


registry.register_op(
    "ScatterNd",
    infer=_infer_scatter_nd,
    kernel=_scatter_nd_kernel,
    fresh=True,
    attrs={"bad_indices_policy": ""},
    inputs=("indices: Tindices", "updates: T", "shape: Tindices"),
    allowed={"Tindices": _NDINDEX_TYPES},
)


def scatter_nd(indices, updates, shape, name=None):
    """``tf.scatter_nd``: zeros of `shape` with `updates` added at `indices` (repeated indices add up)."""
    with ops.name_scope(name, "ScatterNd", [indices, updates, shape]) as scope:
        indices = ops.convert_to_tensor(indices, name="indices")
        updates = ops.convert_to_tensor(updates, name="updates")
        shape_t = ops.convert_to_tensor(shape, dtype=indices.dtype.base_dtype, name="shape")
        return make_tensor(
            "ScatterNd",
            [indices, updates, shape_t],
            name=scope,
            attrs={
                "T": updates.dtype.base_dtype,
                "Tindices": indices.dtype.base_dtype,
                "bad_indices_policy": "",
            },
        )


@register_gradient("GatherNd")
def _gather_nd_grad(op, grad):
    """The gradient scatters back: ScatterNd(indices, grad, shape(params)), as TF's (dense form)."""
    params, indices = op.inputs
    ref_shape = array_ops.shape_v1(params, out_type=indices.dtype.base_dtype)
    return [scatter_nd(indices, grad, ref_shape), None]


@register_gradient("ScatterNd")
def _scatter_nd_grad(op, grad):
    indices = op.inputs[0]
    return [None, gather_nd(grad, indices), None]
