"""Parts of (batches of) matrices: MatrixBandPart (``tf.matrix_band_part``) and MatrixDiagPart
(``tf.matrix_diag_part``, ``tf.linalg.diag_part``; ``tf.trace`` sums it): kernels, shape rules,
registrations, wrappers and gradients (TF's python/ops/array_grad.py)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, math_ops
from engine.ops.op_util import dims, make_tensor, shape, shape_error


def _band_mask(rows, cols, num_lower, num_upper):
    """True where 0 <= i - j <= num_lower (all below if negative) and 0 <= j - i <= num_upper (all above)."""
    offset = np.arange(rows)[:, None] - np.arange(cols)[None, :]
    lower_ok = np.ones_like(offset, bool) if num_lower < 0 else offset <= num_lower
    upper_ok = np.ones_like(offset, bool) if num_upper < 0 else -offset <= num_upper
    return lower_ok & upper_ok


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _band_part_kernel(x, num_lower, num_upper):
    x, num_lower, num_upper = np.asarray(x), int(num_lower), int(num_upper)
    if x.ndim < 2:
        raise _invalid(f"input must be at least 2-dim, received shape: [{','.join(str(d) for d in x.shape)}]")
    rows, cols = x.shape[-2:]
    if num_lower > rows:
        raise _invalid(f"num_lower must be negative or less or equal to number of rows ({rows}) got: "
                       f"{num_lower}")
    if num_upper > cols:
        raise _invalid(f"num_upper must be negative or less or equal to number of columns ({cols}) got: "
                       f"{num_upper}")
    return np.where(_band_mask(rows, cols, num_lower, num_upper), x, np.zeros((), x.dtype))


registry.register_op(
    "MatrixBandPart", infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
    kernel=_band_part_kernel, fresh=True, attrs={"Tindex": dtypes.int64},
    inputs=("input: T", "num_lower: Tindex", "num_upper: Tindex"), allowed={"Tindex": groups.INDEX_TYPES},
)


def matrix_band_part(input, num_lower, num_upper, name=None):  # noqa: A002 - TF's argument name
    """``tf.matrix_band_part`` / ``tf.linalg.band_part``: the band of each innermost matrix (`num_lower`
    subdiagonals, `num_upper` superdiagonals; negative keeps the whole triangle), zeros elsewhere."""
    with ops.name_scope(name, "MatrixBandPart", [input, num_lower, num_upper]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        num_lower = ops.convert_to_tensor(num_lower, name="num_lower")
        num_upper = ops.convert_to_tensor(num_upper, dtype=num_lower.dtype.base_dtype, name="num_upper")
        return make_tensor("MatrixBandPart", [x, num_lower, num_upper], name=scope,
                           attrs={"T": x.dtype.base_dtype, "Tindex": num_lower.dtype.base_dtype})


@register_gradient("MatrixBandPart")
def _band_part_grad(op, grad):
    return [matrix_band_part(grad, op.inputs[1], op.inputs[2]), None, None]


def _diag_part_kernel(x):
    x = np.asarray(x)
    n = min(x.shape[-2:])
    idx = np.arange(n)
    return np.ascontiguousarray(x[..., idx, idx])


def _infer_diag_part(op):
    d = dims(op.inputs[0])
    dtype = op.inputs[0].dtype.base_dtype
    if d is None:
        return [(dtype, _ts.unknown_shape())]
    if len(d) < 2:
        raise shape_error(op, f"Shape must be at least rank 2 but is rank {len(d)}")
    rows, cols = d[-2:]
    n = None if rows is None or cols is None else min(rows, cols)
    return [(dtype, shape(d[:-2] + (n,)))]


registry.register_op("MatrixDiagPart", infer=_infer_diag_part, kernel=_diag_part_kernel, fresh=True)


def matrix_diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):  # noqa: A002
    """``tf.matrix_diag_part`` / ``tf.linalg.diag_part``: the main diagonal of each innermost matrix.
    Deviation: builds TF1's MatrixDiagPart (TF 2.x builds MatrixDiagPartV3); only ``k=0`` (the main
    diagonal) is supported."""
    if k != 0:
        raise ValueError(f"matrix_diag_part: only the main diagonal (k=0) is supported here, got k={k}")
    del padding_value, align  # only matter for diagonals other than the main one
    with ops.name_scope(name, "diag_part", [input]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        return make_tensor("MatrixDiagPart", [x], name=scope, attrs={"T": x.dtype.base_dtype})


@register_gradient("MatrixDiagPart")
def _diag_part_grad(op, grad):
    """A square matrix of known size gets its diagonal back via MatrixDiag; otherwise the diagonal is set
    into zeros of the input's shape (TF's _MatrixDiagPartGrad)."""
    d = dims(op.inputs[0])
    if d is not None and None not in d[-2:] and d[-2] == d[-1]:
        return [array_ops.matrix_diag(grad)]
    return [array_ops.matrix_set_diag(array_ops.zeros_like(op.inputs[0]), grad)]


def trace(x, name=None):
    """``tf.trace`` / ``tf.linalg.trace``: the sum of each innermost matrix's main diagonal."""
    with ops.name_scope(name, "Trace", [x]) as scope:
        x = ops.convert_to_tensor(x, name="x")
        return math_ops.reduce_sum(matrix_diag_part(x), [-1], name=scope)
