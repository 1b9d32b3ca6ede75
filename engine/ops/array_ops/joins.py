"""Joining and splitting: ConcatV2, Pack (``tf.stack``), Unpack, Split, SplitV: kernels, shape rules,
wrappers and gradients."""

from __future__ import annotations

import builtins
import itertools
import numbers

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, indexed_slices, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.indexed_slices import IndexedSlices
from engine.framework.registry import register_gradient
from engine.ops import array_ops, constant_op, grad_util, math_ops
from engine.ops.array_ops.casts import cast
from engine.ops.array_ops.feeds import identity
from engine.ops.op_util import (
    dims,
    make_op,
    make_tensor,
    merge_dims,
    normalize_axis,
    shape,
    shape_error,
    shape_str,
)

_convert = ops.convert_to_tensor
_range = builtins.range
_const_value = tensor_util.constant_value


def _infer_concat(op):
    values, axis_t = op.inputs[:-1], op.inputs[-1]
    dtype = values[0].dtype.base_dtype
    for v in values[1:]:
        if v.dtype.base_dtype != dtype:
            raise TypeError(
                f"Tensors in list passed to 'values' of '{op.type}' Op have types "
                f"[{', '.join(t.dtype.base_dtype.name for t in values)}] that don't all match."
            )
    axis = _const_value(axis_t)
    known = [dims(v) for v in values if dims(v) is not None]
    if not known:
        return [(dtype, _ts.unknown_shape())]
    n = len(known[0])
    if axis is None:
        return [(dtype, _ts.unknown_shape(n))]
    ax = normalize_axis(op, int(axis), n)
    out = list(known[0])
    out[ax] = 0
    for v in values:
        d = dims(v)
        if d is None:
            out[ax] = None
            continue
        if len(d) != n:
            raise shape_error(op, f"Shape must be rank {n} but is rank {len(d)}")
        for i in _range(n):
            if i == ax:
                out[ax] = None if out[ax] is None or d[i] is None else out[ax] + d[i]
            elif out[i] is None:
                out[i] = d[i]
            elif d[i] is not None and d[i] != out[i]:
                raise shape_error(
                    op,
                    f"Dimension {i} in both shapes must be equal, but are {out[i]} and {d[i]}. "
                    f"Shapes are {shape_str(known[0])} and {shape_str(d)}.",
                )
    return [(dtype, shape(tuple(out)))]


registry.register_op(
    "ConcatV2", infer=_infer_concat, kernel=lambda *args: np.concatenate(args[:-1], axis=int(args[-1])),
    inputs=("values: N*T", "axis: Tidx"),
    allowed={"Tidx": groups.INDEX_TYPES},
)


def concat(values, axis, name="concat"):
    """Joins tensors along `axis` (ConcatV2; a single value becomes an Identity)."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        with ops.name_scope(name) as scope:
            _convert(axis, name="concat_dim", dtype=dtypes.int32).shape.assert_has_rank(0)
            return identity(values[0], name=scope)
    with ops.name_scope(name, "concat", values) as scope:
        # As TF's op builder: the list's dtype is its first Tensor's, so `[[0], int64_tensor]` joins
        # as int64; Python values convert to it.
        dtype = next((v.dtype.base_dtype for v in values if isinstance(v, ops.Tensor)), None)
        tensors = ops.convert_n_to_tensor(values, name="values", dtype=dtype)  # concat/values_0, ...
        dtype = tensors[0].dtype.base_dtype
        tensors = [_convert(v, dtype=dtype) for v in tensors]
        axis_t = axis if isinstance(axis, ops.Tensor) else _convert(axis, dtype=dtypes.int32, name="axis")
        return make_tensor(
            "ConcatV2",
            tensors + [axis_t],
            name=scope,
            attrs={"N": len(tensors), "T": dtype, "Tidx": axis_t.dtype},
        )


def _infer_pack(op):
    axis = op._attrs["axis"]
    values = op.inputs
    dtype = values[0].dtype.base_dtype
    for v in values:
        if v.dtype.base_dtype != dtype:
            raise TypeError(
                f"Tensors in list passed to 'values' of 'Pack' Op have types "
                f"[{', '.join(t.dtype.base_dtype.name for t in values)}] that don't all match."
            )
    # TF merges from the last input backwards (input i into the shapes after it) and says which.
    d = dims(values[-1])
    for index in builtins.range(len(values) - 2, -1, -1):
        d = merge_dims(op, dims(values[index]), d, f"\n\tFrom merging shape {index} with other shapes.")
    d = None if d is None else list(d)
    if d is None:
        return [(dtype, _ts.unknown_shape())]
    n = len(d) + 1
    ax = normalize_axis(op, axis, n)
    d.insert(ax, len(values))
    return [(dtype, shape(tuple(d)))]


registry.register_op(
    "Pack",
    infer=_infer_pack,
    compile=lambda op, rt: lambda *xs, _a=op._attrs["axis"]: np.stack(xs, axis=_a),
    attrs={"axis": 0},
)


def stack(values, axis=0, name="stack"):
    """Stacks rank-R tensors into one rank-(R+1) tensor (a Const when all values are constants)."""
    if axis == 0:  # as TF: a Const, or TF's autopacking of a list holding tensors (`stack/1` constants)
        try:
            return _convert(values, name=name)
        except (TypeError, ValueError):
            pass
    with ops.name_scope(name, "stack", values) as scope:
        tensors = ops.convert_n_to_tensor(values, name="values")  # TF's names: concat/values_0, ...
        dtype = tensors[0].dtype.base_dtype
        tensors = [_convert(t, dtype=dtype) for t in tensors]
        return make_tensor(
            "Pack", tensors, name=scope, attrs={"N": len(tensors), "T": dtype, "axis": int(axis)}
        )


def _autopacking(values, dtype, name):
    """Converts a (nested) list holding Tensors by packing it (TF's autopacking conversion).

    As TF: the list's dtype is its first tensor's; plain elements become Consts of that dtype named
    by their index (`Reshape/shape/0`), nested lists Packs named by their index; a tensor of another
    dtype is cast only when `dtype` was asked for explicitly, else it is TF's TypeError."""
    inferred = _nested_dtype(values)
    if dtype is None:
        dtype = inferred
    elif inferred is not None and dtype != inferred:
        values = _cast_nested(values, dtype)
    return _pack_nested(values, dtype, name)


def _is_tensor_like(v):
    return isinstance(v, ops.Tensor) or (not isinstance(v, (list, tuple)) and ops.has_conversion_function(v))


def _nested_dtype(values):
    for v in values:
        if isinstance(v, (list, tuple)):
            found = _nested_dtype(v)
            if found is not None:
                return found
        elif _is_tensor_like(v):
            return v.dtype.base_dtype
    return None


def _cast_nested(values, dtype):
    out = []
    for v in values:
        if isinstance(v, (list, tuple)):
            out.append(_cast_nested(v, dtype))
        elif _is_tensor_like(v) and v.dtype.base_dtype != dtype:
            out.append(cast(v, dtype))
        else:
            out.append(v)
    return out


def _pack_nested(values, dtype, name):
    """A Pack of `values` named `name`, or `values` itself when it holds no tensor (TF packs a
    nested list only if some element of it is a tensor; else the list becomes one Const)."""
    with ops.name_scope(name) as scope:
        elems, must_pack = [], False
        for i, v in enumerate(values):
            if isinstance(v, (list, tuple)):
                v = _pack_nested(v, dtype, str(i))
                must_pack = must_pack or isinstance(v, ops.Tensor)
            elif _is_tensor_like(v):
                v = _convert(v)
                if dtype is not None and v.dtype.base_dtype != dtype:
                    raise TypeError(f"Cannot convert a list containing a tensor of dtype {v.dtype} to "
                                    f"{dtype} (Tensor is: {v!r})")
                must_pack = True
            elems.append(v)
        if not must_pack:
            return elems
        elems = [v if isinstance(v, ops.Tensor) else constant_op.constant(v, dtype=dtype, name=str(i))
                 for i, v in enumerate(elems)]
        return make_tensor("Pack", elems, name=scope, attrs={"N": len(elems), "T": dtype, "axis": 0})


def _infer_unpack(op):
    x = op.inputs[0]
    num = op._attrs["num"]
    d = dims(x)
    if d is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape())] * num
    ax = normalize_axis(op, op._attrs["axis"], len(d))
    if d[ax] is not None and d[ax] != num:
        raise shape_error(op, f"Dimension must be {num} but is {d[ax]}")
    out = d[:ax] + d[ax + 1 :]
    return [(x.dtype.base_dtype, shape(out))] * num


def _compile_unpack(op, runtime):
    axis = op._attrs["axis"]
    num = op._attrs["num"]

    def kernel(x):
        x = np.asarray(x)
        if x.shape[axis] != num:
            raise errors.InvalidArgumentError(
                None, None, f"Input shape axis {axis} must equal {num}, got shape {list(x.shape)}"
            )
        return [np.take(x, i, axis=axis) for i in _range(num)]

    return kernel


registry.register_op("Unpack", infer=_infer_unpack, compile=_compile_unpack, attrs={"axis": 0})


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits a rank-R tensor into rank-(R-1) tensors along `axis`."""
    with ops.name_scope(name, "unstack", [value]) as scope:
        value = _convert(value)
        if num is None:
            d = dims(value)
            if d is None:
                raise ValueError(f"Cannot infer num from shape {value.shape}")
            num = d[axis]
            if num is None:
                raise ValueError(f"Cannot infer num from shape {value.shape}")
        return make_op(
            "Unpack",
            [value],
            name=scope,
            attrs={"num": int(num), "T": value.dtype.base_dtype, "axis": int(axis)},
        ).outputs


def _infer_split(op):
    axis_t, x = op.inputs
    num = op._attrs["num_split"]
    d = dims(x)
    axis = _const_value(axis_t)
    if d is None or axis is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape(None if d is None else len(d)))] * num
    ax = normalize_axis(op, int(axis), len(d))
    out = list(d)
    if d[ax] is not None:
        if d[ax] % num:
            raise shape_error(
                op,
                f"Dimension size must be evenly divisible by {num} but is {d[ax]}\n\tNumber of ways to split "
                "should evenly divide the split dimension",
                computed={0: axis},
            )
        out[ax] = d[ax] // num
    return [(x.dtype.base_dtype, shape(tuple(out)))] * num


def _compile_split(op, runtime):
    num = op._attrs["num_split"]

    def kernel(axis, x):
        axis = int(axis)
        n = np.shape(x)[axis]
        if n % num:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Number of ways to split should evenly divide the split dimension, but got split_dim "
                f"{axis} (size = {n}) and num_split {num}",
            )
        step = n // num
        return _cut(x, range(0, n + 1, step) if step else [0] * (num + 1), axis)

    return kernel


def _split_cuts(op):
    """Split's (value index, axis, bounds) when its axis and the cut dimension are known."""
    axis, d = _const_value(op.inputs[0]), dims(op.inputs[1])
    num = op._attrs["num_split"]
    if axis is None or d is None or not -len(d) <= int(axis) < len(d):
        return None
    ax = int(axis) % len(d)
    if not d[ax] or d[ax] % num:
        return None
    return 1, ax, list(range(0, d[ax] + 1, d[ax] // num))


registry.register_op("Split", infer=_infer_split, compile=_compile_split, cuts=_split_cuts)


def _infer_splitv(op):
    x, sizes_t, axis_t = op.inputs
    num = op._attrs["num_split"]
    d = dims(x)
    sizes = _const_value(sizes_t)
    axis = _const_value(axis_t)
    if d is None or axis is None or sizes is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape(None if d is None else len(d)))] * num
    ax = normalize_axis(op, int(axis), len(d))
    sizes = _with_inferred_size([int(s) for s in sizes], d[ax])
    out = []
    for s in sizes:
        o = list(d)
        o[ax] = None if s == -1 else s
        out.append((x.dtype.base_dtype, shape(tuple(o))))
    return out


def _with_inferred_size(sizes, n):
    """SplitV's `size_splits` with its one -1 (if any) set to what the other sizes leave of n (when known)."""
    if sizes.count(-1) == 1 and n is not None:
        sizes[sizes.index(-1)] = n - sum(s for s in sizes if s != -1)
    return sizes


def _splitv_kernel(x, sizes, axis):
    axis = int(axis)
    n = np.shape(x)[axis]
    sizes = _with_inferred_size([int(s) for s in sizes], n)
    if sum(sizes) != n:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Determined shape must either match input shape along split_dim exactly if fully "
            f"specified, or be less than the size of the input along split_dim if not fully specified.  "
            f"Got: {sum(sizes)}",
        )
    return _cut(x, [0, *itertools.accumulate(sizes)], axis)


def _cut(x, bounds, axis):
    """`x` cut along `axis` between consecutive `bounds`: the views `np.split` gives, without its
    per-call work (an LSTM step splits its gates twice per time step)."""
    x = np.asarray(x)
    lead = (slice(None),) * (axis % x.ndim)
    return [x[(*lead, slice(a, b))] for a, b in itertools.pairwise(bounds)]


def _splitv_cuts(op):
    """SplitV's (value index, axis, bounds) when its sizes, axis and the cut dimension are known."""
    sizes, axis, d = _const_value(op.inputs[1]), _const_value(op.inputs[2]), dims(op.inputs[0])
    if sizes is None or axis is None or d is None or not -len(d) <= int(axis) < len(d):
        return None
    ax = int(axis) % len(d)
    sizes = [int(s) for s in np.reshape(sizes, -1)]
    if d[ax] is None or sizes.count(-1) > 1:
        return None
    sizes = _with_inferred_size(sizes, d[ax])
    if sum(sizes) != d[ax] or min(sizes, default=0) < 0:
        return None
    return 0, ax, [0, *itertools.accumulate(sizes)]


registry.register_op("SplitV", infer=_infer_splitv, kernel=_splitv_kernel, cuts=_splitv_cuts,
                     inputs=("value: T", "size_splits: Tlen", "split_dim"),
                     allowed={"Tlen": groups.SPLIT_V_TYPES})


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits `value` into `num_or_size_splits` equal parts, or parts of the given sizes."""
    if isinstance(num_or_size_splits, (numbers.Integral, _ts.Dimension)):
        with ops.name_scope(name, "split", [value]) as scope:
            axis_t = _convert(axis, dtype=dtypes.int32, name="split_dim")
            value = _convert(value)
            return make_op(
                "Split",
                [axis_t, value],
                name=scope,
                attrs={"num_split": int(num_or_size_splits), "T": value.dtype.base_dtype},
            ).outputs
    size_splits = _convert(num_or_size_splits)
    if num is None:
        n = size_splits.shape[0].value if size_splits.shape.ndims == 1 else None
        if n is None:
            raise ValueError(f"Cannot infer num from shape {num_or_size_splits}")
        num = n
    with ops.name_scope(name, "split", [value]) as scope:
        value = _convert(value)
        axis_t = _convert(axis, dtype=dtypes.int32, name="split_dim")
        return make_op(
            "SplitV",
            [value, size_splits, axis_t],
            name=scope,
            attrs={"num_split": int(num), "T": value.dtype.base_dtype, "Tlen": size_splits.dtype},
        ).outputs

# --- gradients ------------------------------------------------------------------------------------


def _concat_sizes(values, axis):
    """Sizes along `axis` of each input: a Python list when all are static, else a tensor."""
    sizes = []
    for v in values:
        d = grad_util.static_dims(v)
        if d is None or d[axis] is None:
            break
        sizes.append(d[axis])
    else:
        return sizes
    return array_ops.stack([grad_util.shape(v)[axis] for v in values])


@register_gradient("ConcatV2")
def _concat_grad(op, grad):
    values, axis_t = op.inputs[:-1], op.inputs[-1]
    if len(values) == 1:
        return [grad, None]
    axis = tensor_util.constant_value(axis_t)
    if isinstance(grad, IndexedSlices):
        rank = grad_util.static_dims(values[0])
        if axis is not None and (int(axis) == 0 or (rank is not None and int(axis) == -len(rank))):
            return _concat_rows_grad(values, grad) + [None]
        if axis is not None and rank is not None:
            return _concat_columns_grad(values, grad, int(axis) % len(rank), len(rank)) + [None]
        grad = indexed_slices.to_tensor_no_warning(grad)  # a run-time axis or rank: the dense gradient
    if axis is None:
        # The axis is fed at run time: gather each input's size along it and split there.
        axis = math_ops.floormod(grad_util.as_int32(axis_t), array_ops.rank(values[0]))
        sizes = array_ops.stack([array_ops.gather(grad_util.shape(v), axis) for v in values])
        return list(array_ops.split(grad, sizes, axis=axis, num=len(values))) + [None]
    rank = grad_util.static_dims(op.outputs[0])
    axis = int(axis) % len(rank) if rank is not None else int(axis)
    pieces = array_ops.split(grad, _concat_sizes(values, axis), axis=axis)
    return list(pieces) + [None]


def _concat_rows_grad(values, grad):
    """TF's sparse gradient of a concat along axis 0: each input gets the IndexedSlices of the rows that
    fall in its range (``Where`` of ``start <= indices < end``), their indices made its own."""
    out = []
    start = constant_op.constant(0, dtype=grad.indices.dtype)
    for v in values:
        size = array_ops.shape_v1(v)
        rows = array_ops.gather(size, 0)
        if rows.dtype.base_dtype != grad.indices.dtype.base_dtype:
            rows = array_ops.cast(rows, grad.indices.dtype.base_dtype)
        end = start + rows
        inside = math_ops.logical_and(grad.indices >= start, grad.indices < end)
        selected = array_ops.squeeze(array_ops.where(inside), axis=[1])
        out.append(IndexedSlices(array_ops.gather(grad.values, selected),
                                 array_ops.gather(grad.indices, selected) - start, size))
        start = end
    return out


def _concat_columns_grad(values, grad, axis, rank):
    """TF's sparse gradient of a concat along an axis after the first: every input gets all the rows
    (the same indices), their values sliced to its part along `axis`."""
    mask = constant_op.constant(np.eye(rank, dtype=np.int32)[axis])
    begin = constant_op.constant(np.zeros(rank, np.int32))
    out = []
    for v in values:
        size = array_ops.shape_v1(v)
        part = array_ops.slice(grad.values, begin, array_ops.concat([[-1], size[1:]], 0))
        out.append(IndexedSlices(part, grad.indices, size))
        begin = begin + size * mask
    return out


@register_gradient("Pack")
def _pack_grad(op, grad):
    return array_ops.unstack(grad, num=len(op.inputs), axis=op.get_attr("axis"))


@register_gradient("Unpack")
def _unpack_grad(op, *grads):
    filled = [g if g is not None else array_ops.zeros_like(t) for g, t in zip(grads, op.outputs, strict=True)]
    return [array_ops.stack(filled, axis=op.get_attr("axis"))]


def _fill_split_grads(op, grads):
    return [g if g is not None else array_ops.zeros_like(t) for g, t in zip(grads, op.outputs, strict=True)]


@register_gradient("Split")
def _split_grad(op, *grads):
    return [None, array_ops.concat(_fill_split_grads(op, grads), op.inputs[0])]


@register_gradient("SplitV")
def _split_v_grad(op, *grads):
    return [array_ops.concat(_fill_split_grads(op, grads), op.inputs[2]), None, None]

