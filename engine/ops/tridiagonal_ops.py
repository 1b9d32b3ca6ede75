"""TridiagonalSolve and TridiagonalMatMul (``tf.linalg.tridiagonal_solve``, ``tridiagonal_matmul``):
kernels as TF's CPU kernels compute them (Gaussian elimination with partial pivoting in LAPACK dgtsv's
order, or the Thomas algorithm; a matrix with a zero pivot gives NaN, as TF's kernel, and
`perturb_singular` replaces such pivots by eps times the matrix's largest entry), shape rules, the
wrappers with TF's three diagonal formats and their checks, and TF's gradients (linalg_grad.py)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, constant_op, linalg_ops, math_ops
from engine.ops.array_ops import boolean_mask
from engine.ops.band_ops import matrix_diag, matrix_diag_part
from engine.ops.complex_ops import conj, real
from engine.ops.op_util import dims, make_tensor, merge_dims, shape_error

_TYPES = ("float64", "float32", "complex64", "complex128")  # TF's order


def _thomas(diags, rhs, bad):
    """Elimination without pivoting along the matrices' rows (the batch is vectorised): `bad` marks
    matrices meeting a zero pivot."""
    sup, main, sub = diags[..., 0, :], diags[..., 1, :], diags[..., 2, :]
    n = main.shape[-1]
    u = np.empty_like(main)
    x = np.empty_like(rhs)
    denom = main[..., 0]
    bad |= denom == 0
    u[..., 0] = sup[..., 0] / denom
    x[..., 0, :] = rhs[..., 0, :] / denom[..., None]
    for i in range(1, n):
        denom = main[..., i] - sub[..., i] * u[..., i - 1]
        bad |= denom == 0
        u[..., i] = sup[..., i] / denom
        x[..., i, :] = (rhs[..., i, :] - sub[..., i, None] * x[..., i - 1, :]) / denom[..., None]
    for i in range(n - 2, -1, -1):
        x[..., i, :] -= u[..., i, None] * x[..., i + 1, :]
    return x


def _pivoting(diags, rhs, bad):
    """Gaussian elimination with partial pivoting, row by row as TF's kernel (LAPACK dgtsv's order),
    vectorised over the batch: `u` holds U's diagonal and two superdiagonals (a row exchange fills the
    second); `bad` marks matrices meeting a zero pivot."""
    sup, main, sub = diags[..., 0, :], diags[..., 1, :], diags[..., 2, :]
    n = main.shape[-1]
    u = np.zeros(main.shape + (3,), main.dtype)
    x = rhs.copy()
    u[..., 0, 0], u[..., 0, 1] = main[..., 0], sup[..., 0]
    for i in range(n - 1):
        pivot, below = u[..., i, 0], sub[..., i + 1]
        keep = np.abs(pivot) >= np.abs(below)  # else rows i and i + 1 are exchanged
        bad |= keep & (pivot == 0)
        factor = np.where(keep, below / pivot, pivot / below)
        k = keep[..., None]
        row_i = np.where(k, x[..., i, :], rhs[..., i + 1, :])
        x[..., i + 1, :] = np.where(k, rhs[..., i + 1, :] - factor[..., None] * x[..., i, :],
                                    x[..., i, :] - factor[..., None] * rhs[..., i + 1, :])
        x[..., i, :] = row_i
        u[..., i + 1, 0] = np.where(keep, main[..., i + 1] - factor * u[..., i, 1],
                                    u[..., i, 1] - factor * main[..., i + 1])
        u[..., i, 0] = np.where(keep, pivot, below)
        u[..., i, 1] = np.where(keep, u[..., i, 1], main[..., i + 1])
        if i != n - 2:
            u[..., i + 1, 1] = np.where(keep, sup[..., i + 1], -factor * sup[..., i + 1])
            u[..., i, 2] = np.where(keep, 0, sup[..., i + 1])
    bad |= u[..., n - 1, 0] == 0
    x[..., n - 1, :] /= u[..., n - 1, 0, None]
    for i in range(n - 2, -1, -1):
        row = x[..., i, :] - u[..., i, 1, None] * x[..., i + 1, :]
        if i < n - 2:
            row = row - u[..., i, 2, None] * x[..., i + 2, :]
        x[..., i, :] = row / u[..., i, 0, None]
    return x


def _perturbed_pivot(perturb, pivot, row):
    """TF's MaybePerturbPivot (from LAPACK xLAGTS): a pivot below 1 in magnitude is nudged by a growing
    `perturb`, or scaled with `row`, until `row / pivot` cannot overflow."""
    real = np.finfo(np.abs(pivot).dtype)
    safemin = max(float(real.tiny), float(1 / real.max * (1 + real.eps)))
    bignum = 1 / safemin
    abs_pivot = abs(pivot)
    if abs_pivot >= 1:
        return pivot, row
    perturb = np.copysign(max(abs(perturb), safemin), np.real(pivot))
    max_factor = float(np.abs(row).max(initial=0.0))
    while abs_pivot < 1:
        if abs_pivot < safemin:
            if abs_pivot == 0 or max_factor * safemin > abs_pivot:
                pivot, perturb = pivot + perturb, perturb * 2
            else:
                return pivot * bignum, row * bignum
        elif max_factor > abs_pivot * bignum:
            pivot, perturb = pivot + perturb, perturb * 2
        else:
            break
        abs_pivot = abs(pivot)
    return pivot, row


def _perturbed_solve(sup, main, sub, rhs):
    """One matrix solved as TF's kernel with `perturb_singular` (LAPACK xLAGTF + xLAGTS: pivots chosen on
    scaled rows, tiny pivots of U perturbed by eps times U's largest entry)."""
    n = main.shape[0]
    eps = np.finfo(np.abs(main[:1]).dtype).eps
    x = np.array(rhs, copy=True)
    if n == 1:
        denom, row = _perturbed_pivot(eps * abs(main[0]), main[0], x[0])
        return (row * (1 / denom))[None]
    u = np.zeros((n, 3), main.dtype)
    u[0, 0], u[0, 1] = main[0], sup[0]
    max_abs_u = max(abs(u[0, 0]), abs(u[0, 1]))
    scale1 = abs(u[0, 0]) + abs(u[0, 1])
    for k in range(n - 1):
        u[k + 1, 0] = main[k + 1]
        scale2 = abs(sub[k + 1]) + abs(u[k + 1, 0]) + (abs(sup[k + 1]) if k < n - 2 else 0)
        if sub[k + 1] == 0:
            scale1 = scale2
            u[k + 1, 1], u[k, 2] = sup[k + 1], 0
            x[k + 1] = rhs[k + 1]
        elif abs(sub[k + 1]) / scale2 <= (0 if u[k, 0] == 0 else abs(u[k, 0]) / scale1):
            scale1 = scale2
            factor = sub[k + 1] / u[k, 0]
            u[k + 1, 0] = main[k + 1] - factor * u[k, 1]
            u[k + 1, 1], u[k, 2] = sup[k + 1], 0
            x[k + 1] = rhs[k + 1] - factor * x[k]
        else:
            factor = u[k, 0] / sub[k + 1]
            u[k, 0] = sub[k + 1]
            u[k + 1, 0] = u[k, 1] - factor * main[k + 1]
            u[k, 1] = main[k + 1]
            if k < n - 2:
                u[k, 2], u[k + 1, 1] = sup[k + 1], -factor * sup[k + 1]
            x[k + 1] = x[k] - factor * rhs[k + 1]
            x[k] = rhs[k + 1]
        if k < n - 2:
            max_abs_u = max(max_abs_u, *np.abs(u[k]))
    tol = eps * max(max_abs_u, abs(u[n - 1, 0]))
    denom, row = _perturbed_pivot(tol, u[n - 1, 0], x[n - 1].copy())
    x[n - 1] = row * (1 / denom)
    for k in range(n - 2, -1, -1):
        row = x[k] - u[k, 1] * x[k + 1] - (u[k, 2] * x[k + 2] if k < n - 2 else 0)
        denom, row = _perturbed_pivot(np.copysign(tol, np.real(u[k, 0])), u[k, 0], row)
        x[k] = row * (1 / denom)
    return x


def _compile_solve(op, runtime):
    partial_pivoting = bool(op.get_attr("partial_pivoting"))
    perturb_singular = bool(op.get_attr("perturb_singular"))

    def kernel(diags, rhs):
        diags, rhs = np.asarray(diags), np.asarray(rhs)
        batch = np.broadcast_shapes(diags.shape[:-2], rhs.shape[:-2])
        diags = np.broadcast_to(diags, batch + diags.shape[-2:])
        rhs = np.broadcast_to(rhs, batch + rhs.shape[-2:]).astype(rhs.dtype)
        if diags.shape[-1] == 0:
            return rhs.copy()
        if partial_pivoting and perturb_singular:  # one matrix at a time (TF's scalar algorithm)
            x = np.empty_like(rhs)
            for index in np.ndindex(*batch):
                d = diags[index]
                x[index] = _perturbed_solve(d[0], d[1], d[2], rhs[index])
            return x
        bad = np.zeros(batch, bool)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            x = (_pivoting if partial_pivoting else _thomas)(diags, rhs, bad)
        x[bad] = np.nan
        return x

    return kernel


def _batch_and_rows(op, diag_dims, rhs_dims):
    """The merged batch dims and the merged M of diagonals [..., k, M] and rhs [..., M, K]."""
    if diag_dims is None or rhs_dims is None:
        return None, None
    if len(diag_dims) != len(rhs_dims):
        raise shape_error(op, f"Shapes must be equal rank, but are {len(diag_dims)} and {len(rhs_dims)}")
    batch = merge_dims(op, diag_dims[:-2], rhs_dims[:-2])
    m, rows = diag_dims[-1], rhs_dims[-2]
    if m is not None and rows is not None and m != rows:
        raise shape_error(op, f"Dimensions must be equal, but are {m} and {rows}")
    return batch, m if m is not None else rows


def _at_least_2(op, d):
    if d is not None and len(d) < 2:
        raise shape_error(op, f"Shape must be at least rank 2 but is rank {len(d)}")


def _infer_solve(op):
    diags, rhs = op.inputs
    dd, rd = dims(diags), dims(rhs)
    _at_least_2(op, dd)
    _at_least_2(op, rd)
    if dd is not None:
        merge_dims(op, dd[-2:-1], (3,))
    batch, rows = _batch_and_rows(op, dd, rd)
    if batch is None:
        return [(rhs.dtype.base_dtype, rhs.shape if rd is not None else _ts.unknown_shape())]
    # TF's rule checks the batch dimensions but gives rhs's (a batch known only from the diagonals stays ?)
    return [(rhs.dtype.base_dtype, _ts.TensorShape(list(rd[:-2]) + [rows, rd[-1]]))]


registry.register_op("TridiagonalSolve", infer=_infer_solve, compile=_compile_solve, fresh=True,
                     inputs=("diagonals: T", "rhs: T"), allowed={"T": _TYPES},
                     attrs={"partial_pivoting": True, "perturb_singular": False})


def _matmul_kernel(superdiag, maindiag, subdiag, rhs):
    sup, main, sub = (np.asarray(t)[..., 0, :, None] for t in (superdiag, maindiag, subdiag))
    rhs = np.asarray(rhs)
    out = main * rhs
    out[..., :-1, :] += sup[..., :-1, :] * rhs[..., 1:, :]
    out[..., 1:, :] += sub[..., 1:, :] * rhs[..., :-1, :]
    return out


def _infer_matmul(op):
    *diagonals, rhs = op.inputs
    rd = dims(rhs)
    _at_least_2(op, rd)
    for t in diagonals:
        d = dims(t)
        _at_least_2(op, d)
        if d is not None:
            merge_dims(op, d[-2:-1], (1,))
            _batch_and_rows(op, d, rd)
    return [(rhs.dtype.base_dtype, rhs.shape)]


registry.register_op("TridiagonalMatMul", infer=_infer_matmul, kernel=_matmul_kernel, fresh=True,
                     inputs=("superdiag: T", "maindiag: T", "subdiag: T", "rhs: T"), allowed={"T": _TYPES})


def _solve_op(diagonals, rhs, partial_pivoting, perturb_singular, name):
    return make_tensor("TridiagonalSolve", [diagonals, rhs], name=name or "TridiagonalSolve",
                       attrs={"T": rhs.dtype.base_dtype, "partial_pivoting": bool(partial_pivoting),
                              "perturb_singular": bool(perturb_singular)})


def _compact_solve(diagonals, rhs, transpose_rhs, conjugate_rhs, partial_pivoting, perturb_singular, name):
    """TF's _tridiagonal_solve_compact_format: its static checks, then one TridiagonalSolve (a vector rhs
    is expanded to a column and squeezed back)."""
    diagonals = ops.convert_to_tensor(diagonals, name="diagonals")
    rhs = ops.convert_to_tensor(rhs, name="rhs")
    diags_rank, rhs_rank = diagonals.shape.ndims, rhs.shape.ndims
    if diags_rank:
        if diags_rank < 2:
            raise ValueError(f"Expected diagonals to have rank at least 2, got {diags_rank}")
        if rhs_rank and rhs_rank not in (diags_rank, diags_rank - 1):
            raise ValueError(
                f"Expected the rank of rhs to be {diags_rank - 1} or {diags_rank}, got {rhs_rank}")
        if rhs_rank and not diagonals.shape[:-2].is_compatible_with(rhs.shape[:diags_rank - 2]):
            raise ValueError(f"Batch shapes {diagonals.shape[:-2]} and {rhs.shape[:diags_rank - 2]} are "
                             "incompatible")
    if diags_rank != 0 and diagonals.shape.ndims is not None:
        count = diagonals.shape[-2].value
        if count and count != 3:
            raise ValueError(f"Expected 3 diagonals got {count}")

    def check_rows():
        m, r = diagonals.shape[-1].value, rhs.shape[-2].value
        if m and r and m != r:
            raise ValueError("Expected number of left-hand sided and right-hand sides to be equal, got "
                             f"{m} and {r}")

    if rhs_rank and diags_rank and rhs_rank == diags_rank - 1:
        if conjugate_rhs:
            rhs = conj(rhs)
        rhs = array_ops.expand_dims(rhs, -1)
        check_rows()
        return array_ops.squeeze(_solve_op(diagonals, rhs, partial_pivoting, perturb_singular, name), [-1])
    if transpose_rhs:
        rhs = array_ops.matrix_transpose(rhs, conjugate=conjugate_rhs)
    elif conjugate_rhs:
        rhs = conj(rhs)
    check_rows()
    return _solve_op(diagonals, rhs, partial_pivoting, perturb_singular, name)


def _pad_last(t, amounts):
    paddings = [[0, 0]] * (t.shape.ndims - 1) + [amounts]
    return array_ops.pad(t, paddings)


def tridiagonal_solve(diagonals, rhs, diagonals_format="compact", transpose_rhs=False, conjugate_rhs=False,
                      name=None, partial_pivoting=True, perturb_singular=False):
    """``tf.linalg.tridiagonal_solve``: x with A x = rhs for tridiagonal A given as `diagonals`:
    ``'compact'`` [..., 3, M] (superdiagonal, diagonal, subdiagonal), ``'sequence'`` (three [..., M]
    tensors, or M - 1 long off-diagonals) or ``'matrix'`` [..., M, M]; `rhs` is [..., M, K] or [..., M]."""
    if perturb_singular and not partial_pivoting:
        raise ValueError("partial_pivoting must be True if perturb_singular is.")
    if diagonals_format == "compact":
        pass
    elif diagonals_format == "sequence":
        if not isinstance(diagonals, (tuple, list)) or len(diagonals) != 3:
            raise ValueError("Expected diagonals to be a sequence of length 3.")
        superdiag, maindiag, subdiag = (ops.convert_to_tensor(t) for t in diagonals)
        if (not subdiag.shape[:-1].is_compatible_with(maindiag.shape[:-1])
                or not superdiag.shape[:-1].is_compatible_with(maindiag.shape[:-1])):
            raise ValueError("Tensors representing the three diagonals must have the same shape,except for "
                             f"the last dimension, got {subdiag.shape}, {maindiag.shape}, {superdiag.shape}")
        m = maindiag.shape[-1].value

        def pad_if_necessary(t, label, amounts):
            n = t.shape[-1].value
            if not n or n == m:
                return t
            if n == m - 1:
                return _pad_last(t, amounts)
            raise ValueError(f"Expected {label} to be have length {m} or {m - 1}, got {n}.")

        subdiag = pad_if_necessary(subdiag, "subdiagonal", [1, 0])
        superdiag = pad_if_necessary(superdiag, "superdiagonal", [0, 1])
        diagonals = array_ops.stack((superdiag, maindiag, subdiag), axis=-2)
    elif diagonals_format == "matrix":
        diagonals = _compact_of_matrix(diagonals)
    else:
        raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")
    return _compact_solve(diagonals, rhs, transpose_rhs, conjugate_rhs, partial_pivoting, perturb_singular,
                          name)


def _compact_of_matrix(matrix):
    matrix = ops.convert_to_tensor(matrix)
    m1, m2 = matrix.shape[-1].value, matrix.shape[-2].value
    if m1 and m2 and m1 != m2:
        raise ValueError(f"Expected last two dimensions of diagonals to be same, got {m1} and {m2}")
    return matrix_diag_part(matrix, k=(-1, 1), padding_value=0.0, align="LEFT_RIGHT")


def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None):
    """``tf.linalg.tridiagonal_matmul``: the tridiagonal matrix given as `diagonals` (formats as
    ``tridiagonal_solve``'s) times `rhs` [..., M, N]."""
    if diagonals_format == "compact":
        diagonals = ops.convert_to_tensor(diagonals)
        superdiag, maindiag, subdiag = diagonals[..., 0, :], diagonals[..., 1, :], diagonals[..., 2, :]
    elif diagonals_format == "sequence":
        superdiag, maindiag, subdiag = diagonals
    elif diagonals_format == "matrix":
        diags = _compact_of_matrix(diagonals)
        superdiag, maindiag, subdiag = diags[..., 0, :], diags[..., 1, :], diags[..., 2, :]
    else:
        raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")
    # the kernel takes each diagonal as a matrix of one row
    superdiag, maindiag, subdiag = (array_ops.expand_dims(t, -2) for t in (superdiag, maindiag, subdiag))
    rhs = ops.convert_to_tensor(rhs, name="rhs")
    return make_tensor("TridiagonalMatMul", [superdiag, maindiag, subdiag, rhs],
                       name=name or "TridiagonalMatMul", attrs={"T": rhs.dtype.base_dtype})


# --- gradients (TF's python/ops/linalg_grad.py) --------------------------------------------------------

def _shift(x, pad):
    """x's rows moved up (pad [[0, 1], [0, 0]]: _LeftShift) or down ([[1, 0], [0, 0]]: _RightShift), the
    row left empty zero; the padding is built for any rank, as TF's."""
    zeros = array_ops.zeros(array_ops.stack([array_ops.rank(x) - 2, 2]), dtype=dtypes.int32)
    paddings = array_ops.concat([zeros, constant_op.constant(pad)], axis=0)
    return array_ops.pad(x[..., 1:, :] if pad[0][1] else x[..., :-1, :], paddings)


def _left_shift(x):
    return _shift(x, [[0, 1], [0, 0]])


def _right_shift(x):
    return _shift(x, [[1, 0], [0, 0]])


@register_gradient("TridiagonalMatMul")
def _tridiagonal_matmul_grad(op, grad):
    superdiag_conj, maindiag_conj, subdiag_conj = (
        array_ops.matrix_transpose(t, conjugate=True) for t in op.inputs[:3])
    rhs_conj = conj(op.inputs[3])
    superdiag_grad = math_ops.reduce_sum(_left_shift(rhs_conj) * grad, axis=-1)
    maindiag_grad = math_ops.reduce_sum(rhs_conj * grad, axis=-1)
    subdiag_grad = math_ops.reduce_sum(_right_shift(rhs_conj) * grad, axis=-1)
    rhs_grad = _right_shift(superdiag_conj * grad) + maindiag_conj * grad + _left_shift(subdiag_conj * grad)
    return [array_ops.expand_dims(superdiag_grad, -2), array_ops.expand_dims(maindiag_grad, -2),
            array_ops.expand_dims(subdiag_grad, -2), rhs_grad]


def _transposed_compact(diags):
    """The compact diagonals of each matrix's transpose: the sub- and superdiagonals swapped and shifted."""
    zeros = array_ops.zeros(array_ops.stack([array_ops.rank(diags) - 2, 2]), dtype=dtypes.int32)
    superdiag = array_ops.pad(diags[..., 2, 1:], array_ops.concat((zeros, constant_op.constant([[0, 1]])), 0))
    subdiag = array_ops.pad(diags[..., 0, :-1], array_ops.concat((zeros, constant_op.constant([[1, 0]])), 0))
    return array_ops.stack([superdiag, diags[..., 1, :], subdiag], axis=-2)


def _matmul_three_diagonals(x, y_tr):
    """The three central diagonals (compact form) of x @ y_tr^T without forming the product."""
    diag = math_ops.reduce_sum(x * y_tr, axis=-1)
    superdiag = math_ops.reduce_sum(x * _left_shift(y_tr), axis=-1)
    subdiag = math_ops.reduce_sum(x * _right_shift(y_tr), axis=-1)
    return array_ops.stack([superdiag, diag, subdiag], axis=-2)


@register_gradient("TridiagonalSolve")
def _tridiagonal_solve_grad(op, grad):
    diags, x = op.inputs[0], op.outputs[0]
    grad_rhs = _solve_op(_transposed_compact(diags), grad, op.get_attr("partial_pivoting"),
                         op.get_attr("perturb_singular"), None)
    return [-_matmul_three_diagonals(grad_rhs, x), grad_rhs]


# --- eigh_tridiagonal ----------------------------------------------------------------------------------

def eigh_tridiagonal(alpha, beta, eigvals_only=True, select="a", select_range=None, tol=None, name=None):
    """``tf.linalg.eigh_tridiagonal``: the eigenvalues (ascending), and with `eigvals_only=False` the
    eigenvectors (columns), of the Hermitian tridiagonal matrix with diagonal `alpha` and subdiagonal
    `beta`; `select` 'a' (all), 'i' (indices select_range[0]..[1]) or 'v' (values in (lo, hi]).
    Deviation: computed by SelfAdjointEigV2 of the dense matrix (TF: bisection and inverse iteration in
    while loops; the same values to rounding, eigenvectors up to sign) and `tol` is not used; unlike TF's,
    the result has gradients."""
    with ops.name_scope(name or "eigh_tridiagonal"):
        alpha = ops.convert_to_tensor(alpha, name="alpha")
        n = alpha.shape[0].value
        if n is not None and n <= 1:
            return real(alpha)
        beta = ops.convert_to_tensor(beta, name="beta")
        if alpha.dtype != beta.dtype:
            raise ValueError("'alpha' and 'beta' must have the same type.")
        if select not in ("a", "i", "v"):
            raise ValueError("'select must have a value in {'a', 'i', 'v'}.")
        superdiag = _pad_last(conj(beta), [0, 1])
        subdiag = _pad_last(beta, [1, 0])
        matrix = matrix_diag(array_ops.stack([superdiag, alpha, subdiag], axis=-2), k=(-1, 1),
                             align="LEFT_RIGHT")
        values, vectors = linalg_ops.self_adjoint_eig(matrix)
        values = real(values) if values.dtype.is_complex else values
        if select == "i":
            values = values[select_range[0]:select_range[1] + 1]
            vectors = vectors[:, select_range[0]:select_range[1] + 1]
        elif select == "v":
            keep = math_ops.logical_and(math_ops.greater(values, select_range[0]),
                                        math_ops.less_equal(values, select_range[1]))
            values = boolean_mask(values, keep)
            vectors = array_ops.transpose(boolean_mask(array_ops.transpose(vectors), keep))
        return values if eigvals_only else (values, vectors)
