"""Parts of (batches of) matrices: MatrixBandPart (``tf.matrix_band_part``) and MatrixDiagPart
(``tf.matrix_diag_part``, ``tf.linalg.diag_part``; ``tf.trace`` sums it), and TF 2.x's MatrixDiagV3,
MatrixDiagPartV3 and MatrixSetDiagV3 (diagonal bands, padding, alignment) that imported graphs hold:
kernels, shape rules, registrations, wrappers and gradients (TF's python/ops/array_grad.py)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, math_ops
from engine.ops.constant_op import constant
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
        raise _invalid(
            f"num_lower must be negative or less or equal to number of rows ({rows}) got: {num_lower}"
        )
    if num_upper > cols:
        raise _invalid(
            f"num_upper must be negative or less or equal to number of columns ({cols}) got: {num_upper}"
        )
    return np.where(_band_mask(rows, cols, num_lower, num_upper), x, np.zeros((), x.dtype))


registry.register_op(
    "MatrixBandPart",
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
    kernel=_band_part_kernel,
    fresh=True,
    attrs={"Tindex": dtypes.int64},
    inputs=("input: T", "num_lower: Tindex", "num_upper: Tindex"),
    allowed={"Tindex": groups.INDEX_TYPES},
)


def matrix_band_part(input, num_lower, num_upper, name=None):  # noqa: A002 - TF's argument name
    """``tf.matrix_band_part`` / ``tf.linalg.band_part``: the band of each innermost matrix (`num_lower`
    subdiagonals, `num_upper` superdiagonals; negative keeps the whole triangle), zeros elsewhere."""
    with ops.name_scope(name, "MatrixBandPart", [input, num_lower, num_upper]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        num_lower = ops.convert_to_tensor(num_lower, name="num_lower")
        num_upper = ops.convert_to_tensor(num_upper, dtype=num_lower.dtype.base_dtype, name="num_upper")
        return make_tensor(
            "MatrixBandPart",
            [x, num_lower, num_upper],
            name=scope,
            attrs={"T": x.dtype.base_dtype, "Tindex": num_lower.dtype.base_dtype},
        )


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
    """``tf.matrix_diag_part`` / ``tf.linalg.diag_part``: the main diagonal of each innermost matrix, or with
    `k` (an offset or a [low, high] band) those diagonals, packed and aligned as TF (MatrixDiagPartV3).
    Deviation: the main diagonal alone builds TF1's MatrixDiagPart (TF 2.x: MatrixDiagPartV3)."""
    with ops.name_scope(name, "diag_part", [input]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        if isinstance(k, int) and k == 0 and align == "RIGHT_LEFT":
            return make_tensor("MatrixDiagPart", [x], name=scope, attrs={"T": x.dtype.base_dtype})
        k_t = ops.convert_to_tensor(k, dtype=dtypes.int32, name="k")
        padding = ops.convert_to_tensor(padding_value, dtype=x.dtype.base_dtype, name="padding_value")
        return _v3("MatrixDiagPartV3", [x, k_t, padding], align, name=scope)


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


# --- MatrixDiagV3, MatrixDiagPartV3, MatrixSetDiagV3: TF 2.x's diagonal ops (k, padding, alignment) ------
# What TF 2.21 builds for tf.eye / tf.linalg.diag / diag_part / set_diag, so its GraphDefs import here.


def _k_range(k):
    k = np.reshape(np.asarray(k), -1)
    if k.size not in (1, 2) or (k.size == 2 and k[0] > k[1]):
        raise _invalid("lower_diag_index must not be larger than upper_diag_index")
    return int(k[0]), int(k[-1])


def _diag_layout(rows, cols, k, align):
    """For each diagonal d from k1 down to k0: (its row in the packed diagonals, matrix rows, matrix cols,
    positions in the packed row), with TF's alignment (e.g. RIGHT_LEFT: superdiagonals right-aligned)."""
    k0, k1 = k
    max_len = min(rows + min(0, k1), cols - max(0, k0))
    layout = []
    for slot, d in enumerate(range(k1, k0 - 1, -1)):
        length = max(min(rows + min(0, d), cols - max(0, d)), 0)
        i = np.arange(length)
        right = (align.split("_")[0] if d >= 0 else align.split("_")[1]) == "RIGHT"
        layout.append((slot, i - min(0, d), i + max(0, d), i + (max_len - length if right else 0)))
    return layout, max_len


def _align_attr(op):
    return _text(op.get_attr("align") or "RIGHT_LEFT")


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _compile_diag_part_v3(op, runtime):
    align = _align_attr(op)

    def kernel(x, k, padding_value):
        x = np.asarray(x)
        k = _k_range(k)
        layout, max_len = _diag_layout(x.shape[-2], x.shape[-1], k, align)
        out = np.full(x.shape[:-2] + (len(layout), max(max_len, 0)), np.asarray(padding_value, x.dtype))
        for slot, r, c, pos in layout:
            out[..., slot, pos] = x[..., r, c]
        return out[..., 0, :] if k[0] == k[1] else out

    return kernel


def _compile_diag_v3(op, runtime):
    align = _align_attr(op)

    def kernel(diagonal, k, num_rows, num_cols, padding_value):
        diagonal = np.asarray(diagonal)
        k0, k1 = _k_range(k)
        packed = diagonal[..., None, :] if k0 == k1 else diagonal
        max_len = packed.shape[-1]
        min_rows, min_cols = max_len - min(k1, 0), max_len + max(k0, 0)
        rows, cols = int(num_rows), int(num_cols)
        if rows == -1 and cols == -1:
            rows = cols = max(min_rows, min_cols)
        elif rows == -1:
            rows = min_rows
        elif cols == -1:
            cols = min_cols
        out = np.full(packed.shape[:-2] + (rows, cols), np.asarray(padding_value, diagonal.dtype))
        for slot, r, c, pos in _diag_layout(rows, cols, (k0, k1), align)[0]:
            out[..., r, c] = packed[..., slot, pos]
        return out

    return kernel


def _compile_set_diag_v3(op, runtime):
    align = _align_attr(op)

    def kernel(x, diagonal, k):
        out = np.array(x, copy=True)
        k0, k1 = _k_range(k)
        diagonal = np.asarray(diagonal)
        packed = diagonal[..., None, :] if k0 == k1 else diagonal
        for slot, r, c, pos in _diag_layout(out.shape[-2], out.shape[-1], (k0, k1), align)[0]:
            out[..., r, c] = packed[..., slot, pos]
        return out

    return kernel


def _static_k(op, index):
    value = tensor_util.constant_value(op.inputs[index])
    return None if value is None else _k_range(value)


def _infer_diag_part_v3(op):
    x = op.inputs[0]
    d, k = dims(x), _static_k(op, 1)
    if d is None or k is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape())]
    if len(d) < 2:
        raise shape_error(op, f"Shape must be at least rank 2 but is rank {len(d)}")
    rows, cols = d[-2:]
    max_len = None if rows is None or cols is None else min(rows + min(0, k[1]), cols - max(0, k[0]))
    tail = (max_len,) if k[0] == k[1] else (k[1] - k[0] + 1, max_len)
    return [(x.dtype.base_dtype, shape(d[:-2] + tail))]


def _infer_diag_v3(op):
    diagonal = op.inputs[0]
    d, k = dims(diagonal), _static_k(op, 1)
    rows, cols = (tensor_util.constant_value(t) for t in op.inputs[2:4])
    if d is None or k is None or rows is None or cols is None or d[-1] is None:
        return [(diagonal.dtype.base_dtype, _ts.unknown_shape())]
    batch = d[:-1] if k[0] == k[1] else d[:-2]
    max_len = d[-1]
    rows, cols = int(rows), int(cols)
    min_rows, min_cols = max_len - min(k[1], 0), max_len + max(k[0], 0)
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    rows, cols = (min_rows if rows == -1 else rows), (min_cols if cols == -1 else cols)
    return [(diagonal.dtype.base_dtype, shape(batch + (rows, cols)))]


registry.register_op(
    "MatrixDiagPartV3",
    infer=_infer_diag_part_v3,
    compile=_compile_diag_part_v3,
    fresh=True,
    attrs={"align": "RIGHT_LEFT"},
)
registry.register_op(
    "MatrixDiagV3", infer=_infer_diag_v3, compile=_compile_diag_v3, fresh=True, attrs={"align": "RIGHT_LEFT"}
)
registry.register_op(
    "MatrixSetDiagV3",
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
    compile=_compile_set_diag_v3,
    fresh=True,
    attrs={"align": "RIGHT_LEFT"},
)


def _v3(op_type, inputs, align, name=None):
    return make_tensor(
        op_type, inputs, name=name or op_type, attrs={"T": inputs[0].dtype.base_dtype, "align": align}
    )


def _zero_like_scalar(t):
    return constant(0, dtype=t.dtype.base_dtype)


@register_gradient("MatrixDiagV3")
def _diag_v3_grad(op, grad):
    """The gradient's diagonals (TF's _MatrixDiagV3Grad)."""
    return [
        _v3("MatrixDiagPartV3", [grad, op.inputs[1], _zero_like_scalar(grad)], _align_attr(op)),
        None,
        None,
        None,
        None,
    ]


@register_gradient("MatrixDiagPartV3")
def _diag_part_v3_grad(op, grad):
    """The gradient set onto the diagonals of zeros shaped as the input (TF's _MatrixDiagPartV3Grad)."""
    zeros = array_ops.zeros_like(op.inputs[0])
    return [_v3("MatrixSetDiagV3", [zeros, grad, op.inputs[1]], _align_attr(op)), None, None]


@register_gradient("MatrixSetDiagV3")
def _set_diag_v3_grad(op, grad):
    """Input: the gradient with those diagonals zeroed; diagonal: the gradient's diagonals (TF's)."""
    align, k = _align_attr(op), op.inputs[2]
    diag_grad = _v3("MatrixDiagPartV3", [grad, k, _zero_like_scalar(grad)], align)
    input_grad = _v3("MatrixSetDiagV3", [grad, array_ops.zeros_like(diag_grad), k], align)
    return [input_grad, diag_grad, None]


def matrix_diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0, align="RIGHT_LEFT"):
    """``tf.linalg.diag``: matrices with `diagonal` on the main diagonal, or with `k` (an offset or a
    [low, high] band) on those diagonals, sized by num_rows / num_cols (MatrixDiagV3, as TF). The plain
    main-diagonal form builds TF1's MatrixDiag, as ``tf.matrix_diag`` here."""
    if isinstance(k, int) and k == 0 and num_rows == -1 and num_cols == -1 and align == "RIGHT_LEFT" \
            and not isinstance(padding_value, ops.Tensor) and padding_value == 0:
        return array_ops.matrix_diag(diagonal, name=name)
    with ops.name_scope(name, "diag", [diagonal]) as scope:
        diagonal = ops.convert_to_tensor(diagonal, name="diagonal")
        k_t = ops.convert_to_tensor(k, dtype=dtypes.int32, name="k")
        rows = ops.convert_to_tensor(num_rows, dtype=dtypes.int32, name="num_rows")
        cols = ops.convert_to_tensor(num_cols, dtype=dtypes.int32, name="num_cols")
        padding = ops.convert_to_tensor(padding_value, dtype=diagonal.dtype.base_dtype, name="padding_value")
        return _v3("MatrixDiagV3", [diagonal, k_t, rows, cols, padding], align, name=scope)


def matrix_set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):  # noqa: A002
    """``tf.linalg.set_diag``: `input` with its main diagonal (or the `k` band's diagonals) replaced by
    `diagonal` (MatrixSetDiagV3 for a band; the main diagonal builds TF1's MatrixSetDiag)."""
    if isinstance(k, int) and k == 0 and align == "RIGHT_LEFT":
        return array_ops.matrix_set_diag(input, diagonal, name=name)
    with ops.name_scope(name, "set_diag", [input, diagonal]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        diagonal = ops.convert_to_tensor(diagonal, dtype=x.dtype.base_dtype, name="diagonal")
        k_t = ops.convert_to_tensor(k, dtype=dtypes.int32, name="k")
        return _v3("MatrixSetDiagV3", [x, diagonal, k_t], align, name=scope)
