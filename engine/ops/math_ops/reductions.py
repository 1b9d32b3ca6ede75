"""Reductions (Sum, Mean, Max, Min, Prod, Any, All), ArgMax/ArgMin and Cumsum: kernels, shape rules,
wrappers and gradients.  Any and All have no gradient in TF (a gradient reaching one raises LookupError);
ArgMax/ArgMin are not differentiable."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient, register_not_differentiable
from engine.ops import array_ops, constant_op, grad_util, math_ops, op_util
from engine.ops.math_ops import sequences
from engine.ops.op_util import (
    dims,
    infer_same,
    make_tensor,
    shape,
    shape_error,
    shape_str,
)

_convert = ops.convert_to_tensor


def _infer_reduction(op, out_dtype=None):
    x, axes_t = op.inputs
    keep = op._attrs.get("keep_dims", False)
    d = dims(x)
    dtype = out_dtype or x.dtype.base_dtype
    axes_rank = axes_t.shape.ndims
    if axes_rank is not None and axes_rank > 1:
        raise shape_error(op, f"Shape must be at most rank 1 but is rank {axes_rank}")
    axes = tensor_util.constant_value(axes_t)
    if d is None:
        return [(dtype, _ts.unknown_shape())]
    if axes is None:
        return [(dtype, _ts.unknown_shape(len(d) if keep else None))]
    n = len(d)
    norm = set()
    for a in np.reshape(axes, -1).tolist():
        if a < -n or a >= n:
            raise shape_error(
                op, f"Invalid reduction dimension {a} for input with {n} dimensions.", computed={1: axes}
            )
        norm.add(a % n)  # duplicates pass here, as in TF; the kernel rejects them
    out = []
    for i, di in enumerate(d):
        if i in norm:
            if keep:
                out.append(1)
        else:
            out.append(di)
    return [(dtype, shape(tuple(out)))]


def _reduction_axes(axes, ndims):
    """The reduction axes normalized to `[0, ndims)`, or TF's InvalidArgumentError for an axis out of
    range or given twice (TF's ReductionHelper checks each axis in order, so the first bad one is named)."""
    seen = []
    for a in np.reshape(axes, -1).tolist():
        if a < -ndims or a >= ndims:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction dimension ({a} for input with {ndims} dimension(s)"
            )
        a %= ndims
        if a in seen:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction arguments: Axes contains duplicate dimension: {a}"
            )
        seen.append(a)
    return tuple(seen)


def _reduction_kernel_factory(np_fn):
    def compile_(op, runtime):
        keep = op._attrs.get("keep_dims", False)
        npd = op._outputs[0].dtype.as_numpy_dtype

        def kernel(x, axes):
            x = np.asarray(x)
            axis = _reduction_axes(axes, x.ndim)
            return np.asarray(np_fn(x, axis=axis, keepdims=keep)).astype(npd, copy=False)

        return kernel

    return compile_


def _reduction_bind(np_fn):
    """A reduction whose axes the plan knows (a Const, or folded like the axes of a broadcast gradient)
    and whose input has a known rank: the axes are normalized once, when the plan is built."""

    def bind(op, runtime, known, donated):
        ndims = op._inputs[0].shape.ndims
        if 0 in known or not ndims:
            return None
        try:
            axis = _reduction_axes(known[1], ndims)
        except errors.InvalidArgumentError:
            return None  # the general kernel raises it at run time, naming the node
        keep = op._attrs.get("keep_dims", False)
        npd = op._outputs[0].dtype.as_numpy_dtype

        def kernel(x):
            return np.asarray(np_fn(x, axis=axis, keepdims=keep)).astype(npd, copy=False)

        return kernel

    return bind


def _np_mean(x, axis, keepdims):
    if x.dtype.kind in "iu":
        # TF's integer mean truncates: sum / count in the integer type.
        s = np.sum(x, axis=axis, keepdims=keepdims)
        count = 1
        for a in axis:
            count *= x.shape[a]
        return (s // count if count else s).astype(x.dtype)
    if type(x) is np.ndarray and x.dtype.kind in "fc":
        # np.mean(x, axis, dtype=x.dtype)'s arithmetic (the sum, then a division by the count as an intp)
        # without its Python layers, which cost more than the division for a batch's losses.
        count = 1
        for a in axis:
            count *= x.shape[a]
        s = np.add.reduce(x, axis=axis, dtype=x.dtype, keepdims=keepdims)
        if type(s) is np.ndarray:
            return np.true_divide(s, np.intp(count), out=s, casting="unsafe")
        return s.dtype.type(s / np.intp(count))
    return np.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


# Row sums of a tall array with short rows (a bias gradient: 50,176 rows of 32 channels) add WIDE_ROW
# values per step: numpy's reduction down the rows otherwise runs an inner loop as short as a row.
WIDE_ROW = 2048


def sum_rows(x):
    """The sum down the rows of a 2-D C-contiguous float array: k rows side by side as one wide row
    summed into k*C accumulators, then the k partial sums (k = WIDE_ROW // C).  Deep MNIST's first
    bias gradient (50,176 x 32) took 0.14x the time of summing row after row, and each accumulator
    adds k times fewer terms (closer to the exact sum, as TF's tree reduction is)."""
    rows, width = x.shape
    k = WIDE_ROW // max(width, 1)
    if k < 2 or rows < 4 * k or x.dtype.kind != "f" or not x.flags.c_contiguous:
        return np.add.reduce(x, axis=0, dtype=x.dtype)
    whole = rows - rows % k
    total = np.add.reduce(x[:whole].reshape(-1, k * width), axis=0).reshape(k, width)
    total = np.add.reduce(total, axis=0)
    if whole < rows:
        total += np.add.reduce(x[whole:], axis=0)
    return total


def _np_sum(x, axis, keepdims):
    if type(x) is np.ndarray:  # np.sum's own ufunc call without its Python dispatch (9.1 -> 6.8 us)
        if x.ndim >= 2 and axis == tuple(range(x.ndim - 1)) and x.size >= 1 << 16:
            total = sum_rows(x.reshape(-1, x.shape[-1]))
            return total.reshape((1,) * (x.ndim - 1) + total.shape) if keepdims else total
        return np.add.reduce(x, axis=axis, dtype=x.dtype, keepdims=keepdims)
    return np.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _np_prod(x, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _np_max(x, axis, keepdims):
    if x.size == 0:
        return np.full(_reduced_shape(x.shape, axis, keepdims), _lowest(x.dtype), dtype=x.dtype)
    return np.max(x, axis=axis, keepdims=keepdims)


def _np_min(x, axis, keepdims):
    if x.size == 0:
        return np.full(_reduced_shape(x.shape, axis, keepdims), _highest(x.dtype), dtype=x.dtype)
    return np.min(x, axis=axis, keepdims=keepdims)


def _reduced_shape(s, axis, keepdims):
    return tuple(1 if i in axis else d for i, d in enumerate(s) if keepdims or i not in axis)


def _lowest(dt):
    return -np.inf if dt.kind == "f" else np.iinfo(dt).min


def _highest(dt):
    return np.inf if dt.kind == "f" else np.iinfo(dt).max


_REDUCTIONS = {  # (numpy function, output dtype if not the input's, allowed dtypes of T)
    "Sum": (_np_sum, None, groups.NUMBER_TYPES),
    "Mean": (_np_mean, None, groups.NUMBER_TYPES),
    "Max": (_np_max, None, groups.REAL_NUMBER_TYPES + groups.QUANTIZED_TYPES),
    "Min": (_np_min, None, groups.REAL_NUMBER_TYPES + groups.QUANTIZED_TYPES),
    "Prod": (_np_prod, None, groups.NUMBER_TYPES),
    "Any": (np.any, dtypes.bool, None),  # a bool input, no T
    "All": (np.all, dtypes.bool, None),
}
for _type, (_fn, _out, _allowed) in _REDUCTIONS.items():
    registry.register_op(
        _type,
        infer=(lambda op, _o=_out: _infer_reduction(op, _o)),
        compile=_reduction_kernel_factory(_fn),
        bind=_reduction_bind(_fn),
        attrs={"keep_dims": False},
        inputs=("input: T" if _allowed else "input", "reduction_indices: Tidx"),
        allowed={"T": _allowed, "Tidx": groups.INDEX_TYPES} if _allowed else {"Tidx": groups.INDEX_TYPES},
    )


def _reduction_dims(x, axis):
    """The axis tensor for a reduction: a Const `arange(rank)` when axis is None and the rank is known."""
    if axis is not None:
        return axis
    r = x.shape.ndims
    if r:
        return constant_op.constant(np.arange(r, dtype=np.int32))
    return sequences.range(0, array_ops.rank(x))


def _reduce(op_type, input_tensor, axis, keepdims, name, reduction_indices, keep_dims, default_dtype=None):
    if axis is not None and reduction_indices is not None:
        raise ValueError("Cannot specify both 'axis' and 'reduction_indices'.")
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'.")
    axis = axis if axis is not None else reduction_indices
    keepdims = bool(keepdims if keepdims is not None else keep_dims)
    x = _convert(input_tensor, dtype=default_dtype)
    axes = _reduction_dims(x, axis)
    with ops.name_scope(name, op_type, [x]) as scope:
        axes_t = (
            axes
            if isinstance(axes, ops.Tensor)
            else _convert(axes, dtype=dtypes.int32, name="reduction_indices")
        )
        return make_tensor(
            op_type,
            [x, axes_t],
            name=scope,
            # All/Any take only bool and have no T attr in TF's OpDef.
            attrs={
                **({} if op_type in ("All", "Any") else {"T": x.dtype.base_dtype}),
                "Tidx": axes_t.dtype,
                "keep_dims": keepdims,
            },
        )


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """Sum over `axis` (all axes by default)."""
    return _reduce("Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """Mean over `axis` (integer inputs give a truncated integer mean, as in TF)."""
    return _reduce("Mean", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    return _reduce("Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    return _reduce("Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    return _reduce("Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    return _reduce("Any", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, dtypes.bool)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    return _reduce("All", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, dtypes.bool)


def _infer_arg(op):
    x, axis_t = op.inputs
    d = dims(x)
    out_type = op._attrs.get("output_type", dtypes.int64)
    axis = tensor_util.constant_value(axis_t)
    if d is None or axis is None:
        return [(out_type, _ts.unknown_shape(None if d is None else len(d) - 1))]
    a = int(axis)
    n = len(d)
    if a < -n or a >= n:
        raise shape_error(
            op,
            f"Dimension ({a}) must be in the range [{-n}, {n}), where {n} is the number of dimensions in "
            "the input.",
            computed={1: axis},
        )
    a %= n
    return [(out_type, shape(d[:a] + d[a + 1 :]))]


def _arg_factory(np_fn):
    def compile_(op, runtime):
        npd = op._attrs.get("output_type", dtypes.int64).as_numpy_dtype

        def kernel(x, axis):
            x = np.asarray(x)
            axis = np.asarray(axis)
            if axis.ndim:
                raise errors.InvalidArgumentError(
                    None, None, f"dim must be a scalar, but received tensor of shape: {shape_str(axis.shape)}"
                )
            a = int(axis)
            if a < -x.ndim or a >= x.ndim:
                raise errors.InvalidArgumentError(
                    None, None, f"Expected dimension in the range [{-x.ndim}, {x.ndim}), but got {a}"
                )
            a %= x.ndim
            if x.shape[a] == 0:
                raise errors.InvalidArgumentError(
                    None, None, f"Reduction axis {a} is empty in shape {shape_str(x.shape)}"
                )
            return np_fn(x, axis=a).astype(npd)

        return kernel

    return compile_


registry.register_op(
    "ArgMax", infer=_infer_arg, compile=_arg_factory(np.argmax), attrs={"output_type": dtypes.int64},
    inputs=("input: T", "dimension: Tidx"),
    allowed={"T": groups.ARG_MAX_TYPES, "Tidx": groups.INT16_INDEX_TYPES},
)
registry.register_op(
    "ArgMin", infer=_infer_arg, compile=_arg_factory(np.argmin), attrs={"output_type": dtypes.int64},
    inputs=("input: T", "dimension: Tidx"),
    allowed={"T": groups.ARG_MAX_TYPES, "Tidx": groups.INDEX_TYPES},
)


def _arg(op_type, input, axis, name, dimension, output_type):  # noqa: A002
    if axis is not None and dimension is not None:
        raise ValueError("Cannot specify both 'axis' and 'dimension'")
    axis = axis if axis is not None else dimension
    if axis is None:
        axis = 0
    with ops.name_scope(name, op_type, [input]) as scope:
        x = _convert(input, name="input")
        axis_t = (
            axis if isinstance(axis, ops.Tensor) else _convert(axis, dtype=dtypes.int32, name="dimension")
        )
        return make_tensor(
            op_type,
            [x, axis_t],
            name=scope,
            attrs={
                "T": x.dtype.base_dtype,
                "Tidx": axis_t.dtype,
                "output_type": dtypes.as_dtype(output_type),
            },
        )


def argmax(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """Index of the largest value along `axis` (default 0), as int64."""
    return _arg("ArgMax", input, axis, name, dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    return _arg("ArgMin", input, axis, name, dimension, output_type)


def arg_max(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    """``tf.arg_max``: the deprecated generated-op spelling of ``argmax`` (``dimension`` is required)."""
    return _arg("ArgMax", input, None, name, dimension, output_type)


def arg_min(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    """``tf.arg_min``: the deprecated generated-op spelling of ``argmin`` (``dimension`` is required)."""
    return _arg("ArgMin", input, None, name, dimension, output_type)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    with ops.name_scope(name, "Cumsum", [x]) as scope:
        x = _convert(x, name="x")
        axis_t = _convert(axis, dtype=dtypes.int32, name="axis")
        return make_tensor(
            "Cumsum",
            [x, axis_t],
            name=scope,
            attrs={"T": x.dtype.base_dtype, "Tidx": axis_t.dtype, "exclusive": exclusive, "reverse": reverse},
        )


def _scan_compiler(np_scan, fill):
    """A Cumsum/Cumprod kernel factory: `np_scan` along the axis; `exclusive` shifts by one, starting from
    `fill` (0 for sums, 1 for products); `reverse` scans from the end."""

    def compile_scan(op, runtime):
        exclusive, reverse = op._attrs.get("exclusive", False), op._attrs.get("reverse", False)

        def kernel(x, axis):
            x = np.asarray(x)
            a = int(axis)
            if a < -x.ndim or a >= x.ndim:
                raise errors.InvalidArgumentError(
                    None, None, f"ScanOp: Expected scan axis in the range [{-x.ndim}, {x.ndim}), but got {a}"
                )
            if reverse:
                x = np.flip(x, a)
            r = np_scan(x, axis=a, dtype=x.dtype)
            if exclusive:
                first = np.full_like(np.take(r, [0], axis=a), fill)
                r = np.concatenate([first, np.delete(r, -1, axis=a)], axis=a)
            if reverse:
                r = np.flip(r, a)
            return r

        return kernel

    return compile_scan


registry.register_op(
    "Cumsum", infer=infer_same, compile=_scan_compiler(np.cumsum, 0),
    attrs={"exclusive": False, "reverse": False},
    inputs=("x: T", "axis"), allowed={"T": groups.NUMBER_TYPES},
)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """``tf.math.cumprod``: running products along `axis` (`exclusive` starts at 1, `reverse` at the end)."""
    with ops.name_scope(name, "Cumprod", [x]) as scope:
        x = _convert(x, name="x")
        axis_t = _convert(axis, dtype=dtypes.int32, name="axis")
        return make_tensor(
            "Cumprod",
            [x, axis_t],
            name=scope,
            attrs={"T": x.dtype.base_dtype, "Tidx": axis_t.dtype, "exclusive": exclusive, "reverse": reverse},
        )


registry.register_op(
    "Cumprod", infer=infer_same, compile=_scan_compiler(np.cumprod, 1),
    attrs={"exclusive": False, "reverse": False},
    inputs=("x: T", "axis: Tidx"), allowed={"T": groups.NUMBER_TYPES, "Tidx": groups.INDEX_TYPES},
)

# --- gradients ------------------------------------------------------------------------------------


def _static_reduction(op):
    """(rank, sorted axes) of a reduction op when both are static, else None."""
    x, axes_t = op.inputs[0], op.inputs[1]
    xd = grad_util.static_dims(x)
    if xd is None:
        return None
    rank = len(xd)
    axes = _static_value(axes_t)
    if axes is None:
        return None
    return rank, sorted({int(a) % rank for a in np.asarray(axes).reshape(-1)}) if rank else []


def _static_value(t):
    """`tensor_util.constant_value`, also through ``Range(start, limit, delta)`` of static values (what
    a reduction over all axes of a tensor builds when its rank is only known from a ``Rank`` op)."""
    value = tensor_util.constant_value(t)
    if value is None and t.op.type == "Range":
        parts = [tensor_util.constant_value(i) for i in t.op.inputs]
        if all(p is not None for p in parts):
            value = np.arange(*(int(p) for p in parts))
    return value


def _cast(x, dtype):
    """Like TF's cast: a tensor that already has `dtype` is returned without adding (or naming) an op."""
    return x if x.dtype.base_dtype == dtype else array_ops.cast(x, dtype)


def _reshape_to_scalar(grad):
    """``reshape(grad, [])`` built as TensorFlow builds it: converting ``[]`` first yields a float32
    ``shape`` Const that the op cannot take, then the int32 ``shape_1`` it uses (the dead Const stays
    in TF's graphs, so it is in ours)."""
    with grad.graph.name_scope("Reshape") as scope:
        constant_op.constant(np.zeros([0], np.float32), name="shape")
        shape = constant_op.constant(np.zeros([0], np.int32), name="shape")
        return op_util.make_tensor("Reshape", [grad, shape], name=scope,
                                   attrs={"T": grad.dtype.base_dtype, "Tshape": shape.dtype})


def _sum_to_input(op, grad):
    """Spreads the gradient of a Sum back over the reduced axes (TF's `_SumGrad` graph: ``Reshape`` to
    the kept-dims shape, then ``Tile``)."""
    x = op.inputs[0]
    xd = grad_util.static_dims(x)
    info = _static_reduction(op)
    if info is not None:
        rank, axes = info
        if axes == list(range(rank)):  # reduced to a scalar
            grad = _reshape_to_scalar(grad) if rank == 0 else array_ops.reshape(grad, [1] * rank)
            if None not in xd:
                multiples = constant_op.constant(np.array(xd, np.int32), name="Const")
            else:
                multiples = grad_util.shape(x)
            return array_ops.tile(grad, multiples)
        if None not in xd:
            kept = [1 if i in axes else d for i, d in enumerate(xd)]
            scaling = [d // max(k, 1) for d, k in zip(xd, kept, strict=True)]
            return array_ops.tile(array_ops.reshape(grad, kept), scaling)
        keep_mask = np.array([0 if i in axes else 1 for i in range(rank)], np.int32)
        sx = grad_util.shape(x)
        if not op.get_attr("keep_dims"):
            grad = array_ops.reshape(grad, math_ops.add(math_ops.multiply(sx, keep_mask), 1 - keep_mask))
        return array_ops.broadcast_to(grad, sx)
    # Unknown rank or axes fed at run time: reshape to the kept-dims shape computed by the graph.
    sx = grad_util.shape(x)
    if not op.get_attr("keep_dims"):
        grad = array_ops.reshape(grad, grad_util.reduced_shape(sx, op.inputs[1]))
    return array_ops.broadcast_to(grad, sx)


@register_gradient("Sum")
def _sum_grad(op, grad):
    return [_sum_to_input(op, grad), None]


@register_gradient("Mean")
def _mean_grad(op, grad):
    """The Sum gradient divided by how many inputs each output averages."""
    sum_grad = _sum_to_input(op, grad)
    x, y = op.inputs[0], op.outputs[0]
    xd, yd = grad_util.static_dims(x), grad_util.static_dims(y)
    dtype = sum_grad.dtype.base_dtype
    if xd is not None and yd is not None and None not in xd and None not in yd:
        factor = int(np.prod(xd, dtype=np.int64)) // max(int(np.prod(yd, dtype=np.int64)), 1)
        factor = constant_op.constant(factor, dtype=dtype)
    else:
        input_shape = grad_util.shape(x)
        input_rank = grad_util.size(input_shape)
        axes = _cast(op.inputs[1], input_rank.dtype.base_dtype)
        axes = (axes + input_rank) % input_rank
        factor = math_ops.reduce_prod(array_ops.gather(input_shape, axes))
    return [math_ops.truediv(sum_grad, _cast(factor, dtype)), None]


def _min_or_max_grad(op, grad):
    """The gradient flows to the inputs equal to the extreme value, split evenly between ties."""
    x, y = op.inputs[0], op.outputs[0]
    info = _static_reduction(op)
    if info is not None:
        rank, axes = info
        kept = [1 if i in axes else d for i, d in enumerate(grad_util.static_dims(x))]
        if None in kept:
            keep_mask = np.array([0 if i in axes else 1 for i in range(rank)], np.int32)
            kept = math_ops.add(math_ops.multiply(grad_util.shape(x), keep_mask), 1 - keep_mask)
    else:  # unknown rank or axes fed at run time
        axes = op.inputs[1]
        kept = grad_util.reduced_shape(grad_util.shape(x), axes)
    y_kept = y if op.get_attr("keep_dims") else array_ops.reshape(y, kept)
    g_kept = grad if op.get_attr("keep_dims") else array_ops.reshape(grad, kept)
    indicators = array_ops.cast(math_ops.equal(y_kept, x), grad.dtype.base_dtype)
    num_selected = math_ops.reduce_sum(indicators, axes, keepdims=True)
    return [math_ops.multiply(math_ops.truediv(indicators, num_selected), g_kept), None]


register_gradient("Max")(_min_or_max_grad)
register_gradient("Min")(_min_or_max_grad)


@register_gradient("Prod")
def _prod_grad(op, grad):
    """d prod / d x_i = prod / x_i.  Deviation: TensorFlow uses exclusive cumulative products, which
    stay finite when an input is 0; here a zero input gives a non-finite gradient."""
    x, y = op.inputs[0], op.outputs[0]
    y_full = _sum_to_input(op, y)
    g_full = _sum_to_input(op, grad)
    return [math_ops.truediv(math_ops.multiply(g_full, y_full), x), None]


@register_gradient("Cumsum")
def _cumsum_grad(op, grad):
    exclusive = bool(op.get_attr("exclusive"))
    reverse = bool(op.get_attr("reverse"))
    return [math_ops.cumsum(grad, op.inputs[1], exclusive=exclusive, reverse=not reverse), None]


@register_gradient("Cumprod")
def _cumprod_grad(op, grad):
    """TF's formula: cumsum(cumprod(x) * grad) in the other direction, divided by x (x must be non-zero, as
    in TF)."""
    x, axis = op.inputs
    exclusive, reverse = bool(op.get_attr("exclusive")), bool(op.get_attr("reverse"))
    prod = cumprod(x, axis, exclusive=exclusive, reverse=reverse)
    out = cumsum(math_ops.multiply(prod, grad), axis, exclusive=exclusive, reverse=not reverse)
    return [math_ops.truediv(out, x), None]


for _t in ("ArgMax", "ArgMin"):
    register_not_differentiable(_t)
