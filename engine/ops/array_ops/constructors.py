"""Tensors built from a shape or value: Fill (``zeros``, ``ones``), ZerosLike, OnesLike, OneHot,
MatrixDiag, MatrixSetDiag, ``eye``: kernels, shape rules, wrappers and gradients."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient, register_not_differentiable
from engine.ops import array_ops, constant_op, grad_util, math_ops
from engine.ops.array_ops.shapes import reshape, shape_v1
from engine.ops.op_util import dims, make_tensor, shape, shape_error

constant = constant_op.constant
_convert = ops.convert_to_tensor
_const_value = tensor_util.constant_value


def _infer_fill(op):
    d, v = op.inputs
    if v.shape.ndims not in (None, 0):
        raise shape_error(op, f"Shape must be rank 0 but is rank {v.shape.ndims}")
    s = tensor_util.constant_value_as_shape(d)
    return [(v.dtype.base_dtype, s)]


def _fill_kernel(dims_value, value):
    d = [int(x) for x in np.reshape(dims_value, -1)]
    if any(x < 0 for x in d):
        raise errors.InvalidArgumentError(None, None, f"dims must be non-negative, got {d}")
    return np.full(d, value, dtype=np.asarray(value).dtype)


registry.register_op("Fill", infer=_infer_fill, kernel=_fill_kernel,
                     inputs=("dims: index_type", "value: T"),
                     allowed={"index_type": groups.INDEX_TYPES})


def fill(dims, value, name=None):  # noqa: F811 - TF's argument name
    """A tensor of shape `dims` filled with the scalar `value`."""
    with ops.name_scope(name, "Fill", []) as scope:
        d = dims if isinstance(dims, ops.Tensor) else _convert(dims, dtype=dtypes.int32, name="dims")
        v = _convert(value, name="value")
        return make_tensor("Fill", [d, v], name=scope, attrs={"T": v.dtype.base_dtype, "index_type": d.dtype})


def _filled(value, shape_arg, dtype, name, default_name):
    dtype = dtypes.as_dtype(dtype).base_dtype
    with ops.name_scope(name, default_name, [shape_arg]) as scope:
        scalar = np.array(value).astype(dtype.as_numpy_dtype) if dtype != dtypes.string else b""
        if not isinstance(shape_arg, ops.Tensor):
            try:
                static = _ts.as_shape(shape_arg)
                if static.is_fully_defined() and (static.num_elements() or 0) < 1000:
                    return constant(scalar, dtype=dtype, shape=static.as_list(), name=scope)
                shape_t = constant(static.as_list(), dtype=dtypes.int32, name="shape_as_tensor")
            except (TypeError, ValueError):
                shape_t = _convert(shape_arg, dtype=dtypes.int32)
        else:
            shape_t = shape_arg
            if shape_t.shape.ndims == 0:
                shape_t = reshape(shape_t, [-1])
        return fill(shape_t, constant(scalar, dtype=dtype), name=scope)


def zeros(shape, dtype=dtypes.float32, name=None):  # noqa: F811
    """All zeros: one Const when small (< 1000 elements), else a Fill op, as TF does."""
    return _filled(0 if dtypes.as_dtype(dtype) != dtypes.bool else False, shape, dtype, name, "zeros")


def ones(shape, dtype=dtypes.float32, name=None):  # noqa: F811
    return _filled(1 if dtypes.as_dtype(dtype) != dtypes.bool else True, shape, dtype, name, "ones")


registry.register_op(
    "ZerosLike", infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)], kernel=np.zeros_like
)
registry.register_op(
    "OnesLike", infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)], kernel=np.ones_like,
    inputs=("x: T",),
    allowed={"T": groups.ONES_LIKE_TYPES},
)


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """Zeros with `tensor`'s shape: a Const when the shape is known, else a ZerosLike op."""
    with ops.name_scope(name, "zeros_like", [tensor]) as scope:
        tensor = _convert(tensor, name="tensor")
        dt = dtypes.as_dtype(dtype) if dtype is not None else tensor.dtype.base_dtype
        if optimize and tensor.shape.is_fully_defined():
            return zeros(tensor.shape.as_list(), dtype=dt, name=scope)
        if dt != tensor.dtype.base_dtype:
            return zeros(shape_v1(tensor), dtype=dt, name=scope)
        return make_tensor("ZerosLike", [tensor], name=scope, attrs={"T": dt})


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """Ones with `tensor`'s shape (a Fill of its static or dynamic shape)."""
    with ops.name_scope(name, "ones_like", [tensor]) as scope:
        tensor = _convert(tensor, name="tensor")
        dt = dtypes.as_dtype(dtype) if dtype is not None else tensor.dtype.base_dtype
        if optimize and tensor.shape.is_fully_defined():
            with ops.name_scope("Shape"):
                shape_t = constant(tensor.shape.as_list(), dtype=dtypes.int32, name="shape_as_tensor")
        else:
            shape_t = shape_v1(tensor, name="Shape")
        one = np.array(1).astype(dt.as_numpy_dtype)
        return fill(shape_t, constant(one, dtype=dt), name=scope)


# --- OneHot ------------------------------------------------------------------------------------------------
def _infer_one_hot(op):
    indices, depth_t, on, off = op.inputs
    d = dims(indices)
    depth = _const_value(depth_t)
    depth = None if depth is None else int(depth)
    if d is None:
        return [(on.dtype.base_dtype, _ts.unknown_shape())]
    axis = op._attrs.get("axis", -1)
    out = list(d)
    out.insert(len(out) if axis == -1 else axis, depth)
    return [(on.dtype.base_dtype, shape(tuple(out)))]


def _compile_one_hot(op, runtime):
    axis = op._attrs.get("axis", -1)

    def kernel(indices, depth, on, off):
        indices = np.asarray(indices)
        depth = int(depth)
        hot = indices[..., None] == np.arange(depth)
        out = np.where(hot, on, off).astype(np.asarray(on).dtype)
        if axis != -1:
            out = np.moveaxis(out, -1, axis)
        return out

    return kernel


registry.register_op("OneHot", infer=_infer_one_hot, compile=_compile_one_hot, attrs={"axis": -1},
                     inputs=("indices: TI", "depth", "on_value: T", "off_value: T"),
                     allowed={"TI": groups.ONE_HOT_INDEX_TYPES})


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors of length `depth` at `indices` (on=1, off=0 by default)."""
    with ops.name_scope(name, "one_hot", [indices, depth, on_value, off_value]) as scope:
        if dtype is None:
            if on_value is not None:
                dtype = (
                    _convert(on_value).dtype
                    if isinstance(on_value, ops.Tensor)
                    else dtypes.as_dtype(tensor_util.to_numpy(on_value).dtype)
                )
            elif off_value is not None:
                dtype = (
                    _convert(off_value).dtype
                    if isinstance(off_value, ops.Tensor)
                    else dtypes.as_dtype(tensor_util.to_numpy(off_value).dtype)
                )
            else:
                dtype = dtypes.float32
        dtype = dtypes.as_dtype(dtype).base_dtype
        on = _convert(1 if on_value is None else on_value, dtype=dtype, name="on_value")
        off = _convert(0 if off_value is None else off_value, dtype=dtype, name="off_value")
        indices = _convert(indices, name="indices")
        depth_t = _convert(depth, dtype=dtypes.int32, name="depth")
        return make_tensor(
            "OneHot",
            [indices, depth_t, on, off],
            name=scope,
            attrs={"T": dtype, "TI": indices.dtype.base_dtype, "axis": -1 if axis is None else axis},
        )


def _infer_matrix_diag(op):
    d = dims(op.inputs[0])
    if d is None:
        return [(op.inputs[0].dtype.base_dtype, _ts.unknown_shape())]
    return [(op.inputs[0].dtype.base_dtype, shape(d + (d[-1],)))]


def _matrix_diag_kernel(diagonal):
    diagonal = np.asarray(diagonal)
    n = diagonal.shape[-1]
    out = np.zeros(diagonal.shape + (n,), dtype=diagonal.dtype)
    idx = np.arange(n)
    out[..., idx, idx] = diagonal
    return out


registry.register_op("MatrixDiag", infer=_infer_matrix_diag, kernel=_matrix_diag_kernel)


def _matrix_set_diag_kernel(x, diagonal):
    out = np.array(x, copy=True)
    n = min(out.shape[-2], out.shape[-1])
    idx = np.arange(n)
    out[..., idx, idx] = np.asarray(diagonal)[..., :n]
    return out


registry.register_op(
    "MatrixSetDiag",
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
    kernel=_matrix_set_diag_kernel,
)


def matrix_diag(diagonal, name="MatrixDiag"):
    diagonal = _convert(diagonal, name="diagonal")
    return make_tensor(
        "MatrixDiag", [diagonal], name=name or "MatrixDiag", attrs={"T": diagonal.dtype.base_dtype}
    )


def matrix_set_diag(input, diagonal, name="MatrixSetDiag"):  # noqa: A002
    input = _convert(input)  # noqa: A001
    diagonal = _convert(diagonal, dtype=input.dtype.base_dtype)
    return make_tensor(
        "MatrixSetDiag", [input, diagonal], name=name or "MatrixSetDiag", attrs={"T": input.dtype.base_dtype}
    )


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """Identity matrix (batch): `ones` on the diagonal via MatrixDiag, as TF1 builds it."""
    with ops.name_scope(name, "eye", [num_rows, num_columns, batch_shape]):
        batch = list(batch_shape or [])
        diag_size = num_rows if num_columns is None else min(num_rows, num_columns)
        diag_ones = ones(batch + [diag_size], dtype=dtype)
        if num_columns is None or num_columns == num_rows:
            return matrix_diag(diag_ones)
        zero_matrix = zeros(batch + [num_rows, num_columns], dtype=dtype)
        return matrix_set_diag(zero_matrix, diag_ones)

# --- gradients ------------------------------------------------------------------------------------


@register_gradient("Fill")
def _fill_grad(op, grad):
    return [None, math_ops.reduce_sum(grad)]


def _eye_like(x):
    """The identity matrix matching x's last dim: a Const when that dim is static, else built at run time
    (``Range``/``Equal``/``Cast``)."""
    n = grad_util.static_dims(x)[-1] if grad_util.static_dims(x) is not None else None
    dtype = x.dtype.base_dtype
    if n is not None:
        return np.eye(n, dtype=dtype.as_numpy_dtype)
    positions = grad_util.iota(0, array_ops.gather(grad_util.shape(x), array_ops.rank(x) - 1))
    same = math_ops.equal(array_ops.expand_dims(positions, 1), array_ops.expand_dims(positions, 0))
    return array_ops.cast(same, dtype)


def _diag_part(x):
    """The main diagonal of the last two (square) dims, built from primitives."""
    return math_ops.reduce_sum(math_ops.multiply(x, _eye_like(x)), -1)


@register_gradient("MatrixDiag")
def _matrix_diag_grad(op, grad):
    return [_diag_part(grad)]


@register_gradient("MatrixSetDiag")
def _matrix_set_diag_grad(op, grad):
    eye = _eye_like(grad)
    off = 1 - eye if isinstance(eye, np.ndarray) else math_ops.subtract(array_ops.ones_like(eye), eye)
    return [math_ops.multiply(grad, off), _diag_part(grad)]


for _t in ("OneHot", "ZerosLike", "OnesLike"):
    register_not_differentiable(_t)
