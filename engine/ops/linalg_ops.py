"""Linear algebra on (batches of) matrices: Cholesky, MatrixInverse, MatrixDeterminant, LogMatrixDeterminant,
MatrixSolve, MatrixTriangularSolve, SelfAdjointEigV2, Qr, Svd (kernels on numpy.linalg, shape rules,
registrations, wrappers and TF's gradients from python/ops/linalg_grad.py, complex matrices included:
adjoints where TF takes them, and TF's extra terms for complex Qr and Svd), and what TF builds from them
(``cholesky_solve``, ``logdet``, ``matrix_solve_ls`` / ``lstsq``). ``tf.norm`` is in norm_ops.py."""

from __future__ import annotations

import collections

import numpy as np

from engine.framework import errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, math_ops
from engine.ops.band_ops import matrix_band_part, matrix_diag_part
from engine.ops.complex_ops import real
from engine.ops.op_util import dims, make_op, make_tensor, shape, shape_error

_LINALG_TYPES = ("float64", "float32", "float16", "complex64", "complex128")  # TF's order for these ops
_DET_TYPES = ("float16", "float32", "float64", "complex64", "complex128")

LogMatrixDeterminant = collections.namedtuple("LogMatrixDeterminant", ["sign", "log_abs_determinant"])
Qr = collections.namedtuple("Qr", ["q", "r"])


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _adjoint_of(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _adjoint(t):
    """The conjugate transpose of each matrix of a tensor (TF's _linalg.adjoint in its gradients)."""
    return array_ops.matrix_transpose(t, conjugate=True)


def _square(op, d, det_order=False):
    """Checks a static shape is a batch of square matrices; TF's determinants name the columns first."""
    if d is None:
        return None
    if len(d) < 2:
        raise shape_error(op, f"Shape must be at least rank 2 but is rank {len(d)}")
    rows, cols = d[-2:]
    if rows is not None and cols is not None and rows != cols:
        first, second = (cols, rows) if det_order else (rows, cols)
        raise shape_error(op, f"Dimensions must be equal, but are {first} and {second}")
    return d[:-2] + ((rows if rows is not None else cols),) * 2


def _register(op_type, infer, kernel=None, compiled=None, attrs=None, inputs=("input: T",),
              allowed=_LINALG_TYPES):
    registry.register_op(op_type, infer=infer, kernel=kernel, compile=compiled, fresh=True, attrs=attrs or {},
                         inputs=inputs, allowed={"T": allowed})


def _unary(op_type, x, name, attrs=None, input_name="input"):
    x = ops.convert_to_tensor(x, name=input_name)
    return make_op(op_type, [x], name=name or op_type, attrs={"T": x.dtype.base_dtype, **(attrs or {})})


def _infer_square_same(op):
    x = op.inputs[0]
    d = _square(op, dims(x))
    return [(x.dtype.base_dtype, _ts.unknown_shape() if d is None else shape(d))]


# --- Cholesky -------------------------------------------------------------------------------------------


def _cholesky_kernel(x):
    """The lower Cholesky factor of each matrix; a matrix that is not positive definite gets NaN in its lower
    triangle, as TF's CPU kernel (no error)."""
    x = np.asarray(x)
    try:
        return np.linalg.cholesky(x)
    except np.linalg.LinAlgError:
        out = np.zeros_like(x)
        lower = np.tril(np.ones(x.shape[-2:], bool))
        for idx in np.ndindex(*x.shape[:-2]):
            try:
                out[idx] = np.linalg.cholesky(x[idx])
            except np.linalg.LinAlgError:
                out[idx] = np.where(lower, np.nan, 0)
        return out


_register("Cholesky", _infer_square_same, kernel=_cholesky_kernel)


def cholesky(input, name=None):  # noqa: A002 - TF's argument name
    """``tf.cholesky`` / ``tf.linalg.cholesky``: L with L @ L^T = input, for each positive definite matrix."""
    return _unary("Cholesky", input, name).outputs[0]


@register_gradient("Cholesky")
def _cholesky_grad(op, grad):
    """TF's _CholeskyGrad: Phi(L^-1 sym(L^T grad) L^-T), with L^-1 from a triangular solve."""
    l_factor = op.outputs[0]
    eye = array_ops.matrix_diag(array_ops.ones_like(matrix_diag_part(l_factor)))  # identities like l_factor
    l_inverse = matrix_triangular_solve(l_factor, eye)
    middle = math_ops.matmul(l_factor, grad, adjoint_a=True)
    middle = array_ops.matrix_set_diag(middle, 0.5 * matrix_diag_part(middle))
    middle = matrix_band_part(middle, -1, 0)
    grad_a = math_ops.matmul(math_ops.matmul(l_inverse, middle, adjoint_a=True), l_inverse)
    grad_a += _adjoint(grad_a)
    return [grad_a * 0.5]


# --- MatrixInverse, MatrixDeterminant, LogMatrixDeterminant ----------------------------------------------


def _compile_inverse(op, runtime):
    adjoint = bool(op.get_attr("adjoint"))

    def kernel(x):
        x = np.asarray(x)
        try:
            return np.linalg.inv(_adjoint_of(x) if adjoint else x).astype(x.dtype)
        except np.linalg.LinAlgError:
            raise _invalid("Input is not invertible.") from None

    return kernel


_register("MatrixInverse", _infer_square_same, compiled=_compile_inverse, attrs={"adjoint": False})


def matrix_inverse(input, adjoint=False, name=None):  # noqa: A002
    """``tf.matrix_inverse`` / ``tf.linalg.inv``: the inverse (of the adjoint if `adjoint`) of each matrix."""
    return _unary("MatrixInverse", input, name, {"adjoint": bool(adjoint)}).outputs[0]


@register_gradient("MatrixInverse")
def _matrix_inverse_grad(op, grad):
    """d(A^-1) = -A^-1 dA A^-1 (TF's _MatrixInverseGrad)."""
    ainv = op.outputs[0]
    adjoint = bool(op.get_attr("adjoint"))
    inner = math_ops.matmul(grad, ainv, adjoint_a=adjoint, adjoint_b=not adjoint)
    return [-math_ops.matmul(ainv, inner, adjoint_a=not adjoint)]


def _infer_determinant(op):
    x = op.inputs[0]
    d = _square(op, dims(x), det_order=True)
    out = _ts.unknown_shape() if d is None else shape(d[:-2])
    return [(x.dtype.base_dtype, out)] * (2 if op.type == "LogMatrixDeterminant" else 1)


def _determinant_kernel(x):
    x = np.asarray(x)
    return np.linalg.det(x).astype(x.dtype)


def _log_determinant_kernel(x):
    x = np.asarray(x)
    sign, log_abs = np.linalg.slogdet(x)
    return sign.astype(x.dtype), log_abs.astype(x.dtype)


_register("MatrixDeterminant", _infer_determinant, kernel=_determinant_kernel, allowed=_DET_TYPES)
_register("LogMatrixDeterminant", _infer_determinant, kernel=_log_determinant_kernel, allowed=_DET_TYPES)


def matrix_determinant(input, name=None):  # noqa: A002
    """``tf.matrix_determinant`` / ``tf.linalg.det``: the determinant of each matrix."""
    return _unary("MatrixDeterminant", input, name).outputs[0]


def slogdet(input, name=None):  # noqa: A002
    """``tf.linalg.slogdet``: (sign, log |det|) of each matrix (a singular one: sign 0, log |det| -inf)."""
    return LogMatrixDeterminant(*_unary("LogMatrixDeterminant", input, name).outputs)


def _times_adjoint_inverse(op, per_matrix):
    """per_matrix[..., None, None] * inverse(A)^T: the gradients of det and log |det| (TF's)."""
    a_adj_inv = matrix_inverse(op.inputs[0], adjoint=True)
    multipliers = array_ops.reshape(per_matrix, array_ops.concat([array_ops.shape_v1(per_matrix), [1, 1]], 0))
    return multipliers * a_adj_inv


@register_gradient("MatrixDeterminant")
def _determinant_grad(op, grad):
    return [_times_adjoint_inverse(op, grad * op.outputs[0])]


@register_gradient("LogMatrixDeterminant")
def _log_determinant_grad(op, _, grad_b):
    return [_times_adjoint_inverse(op, grad_b)]


def logdet(matrix, name=None):
    """``tf.linalg.logdet``: log det of each Hermitian positive definite matrix, 2 * sum(log(diag(chol)))."""
    with ops.name_scope(name, "logdet", [matrix]):
        chol = cholesky(matrix)
        return 2.0 * math_ops.reduce_sum(math_ops.log(matrix_diag_part(chol)), axis=[-1])


# --- MatrixSolve, MatrixTriangularSolve, and what TF builds from them ----------------------------------


def _infer_solve(op):
    matrix, rhs = op.inputs
    md, rd = dims(matrix), dims(rhs)
    if op.type == "MatrixSolve":
        md = _square(op, md)
    elif md is not None and len(md) < 2:
        raise shape_error(op, f"Shape must be at least rank 2 but is rank {len(md)}")
    if rd is not None and len(rd) < 2:
        raise shape_error(op, f"Shape must be at least rank 2 but is rank {len(rd)}")
    if md is None or rd is None:
        return [(rhs.dtype.base_dtype, _ts.unknown_shape())]
    if md[-2] is not None and rd[-2] is not None and md[-2] != rd[-2]:
        raise shape_error(op, f"Dimensions must be equal, but are {md[-2]} and {rd[-2]}")
    rows = md[-2] if md[-2] is not None else rd[-2]
    batch = rd[:-2] if len(rd) >= len(md) else md[:-2]
    return [(rhs.dtype.base_dtype, shape(batch + (rows, rd[-1])))]


def _compile_solve(op, runtime):
    adjoint = bool(op.get_attr("adjoint"))

    def kernel(matrix, rhs):
        matrix, rhs = np.asarray(matrix), np.asarray(rhs)
        try:
            return np.linalg.solve(_adjoint_of(matrix) if adjoint else matrix, rhs).astype(rhs.dtype)
        except np.linalg.LinAlgError:
            raise _invalid("Input matrix is not invertible.") from None

    return kernel


_register("MatrixSolve", _infer_solve, compiled=_compile_solve, attrs={"adjoint": False},
          inputs=("matrix: T", "rhs: T"))


def matrix_solve(matrix, rhs, adjoint=False, name=None):
    """``tf.matrix_solve`` / ``tf.linalg.solve``: X with matrix @ X = rhs (adjoint(matrix) if `adjoint`)."""
    matrix = ops.convert_to_tensor(matrix, name="matrix")
    rhs = ops.convert_to_tensor(rhs, dtype=matrix.dtype.base_dtype, name="rhs")
    return make_tensor("MatrixSolve", [matrix, rhs], name=name or "MatrixSolve",
                       attrs={"T": matrix.dtype.base_dtype, "adjoint": bool(adjoint)})


def _solve_a_grad(c, grad_b, adjoint_a):
    """The matrix's gradient of a solve, -grad_b c^T (or -c grad_b^T for an adjoint solve)."""
    if adjoint_a:
        return -math_ops.matmul(c, grad_b, adjoint_b=True)
    return -math_ops.matmul(grad_b, c, adjoint_b=True)


@register_gradient("MatrixSolve")
def _matrix_solve_grad(op, grad):
    adjoint_a = bool(op.get_attr("adjoint"))
    grad_b = matrix_solve(op.inputs[0], grad, adjoint=not adjoint_a)
    return [_solve_a_grad(op.outputs[0], grad_b, adjoint_a), grad_b]


def _compile_triangular_solve(op, runtime):
    lower, adjoint = bool(op.get_attr("lower")), bool(op.get_attr("adjoint"))

    def kernel(matrix, rhs):
        """Forward or back substitution on the named triangle (the other is ignored); a zero on the diagonal
        gives inf / nan, as TF's kernel, rather than an error."""
        matrix, rhs = np.asarray(matrix), np.asarray(rhs)
        tri = np.tril(matrix) if lower else np.triu(matrix)
        if adjoint:
            tri, lower_now = _adjoint_of(tri), not lower
        else:
            lower_now = lower
        batch = np.broadcast_shapes(tri.shape[:-2], rhs.shape[:-2])
        tri = np.broadcast_to(tri, batch + tri.shape[-2:])
        out = np.array(np.broadcast_to(rhs, batch + rhs.shape[-2:]), dtype=np.result_type(tri, rhs))
        n = tri.shape[-1]
        order = range(n) if lower_now else range(n - 1, -1, -1)
        with np.errstate(divide="ignore", invalid="ignore"):
            for i in order:
                known = slice(0, i) if lower_now else slice(i + 1, n)
                partial = np.einsum("...j,...jk->...k", tri[..., i, known], out[..., known, :])
                out[..., i, :] = (out[..., i, :] - partial) / tri[..., i, i][..., None]
        return out.astype(rhs.dtype)

    return kernel


_register("MatrixTriangularSolve", _infer_solve, compiled=_compile_triangular_solve,
          attrs={"lower": True, "adjoint": False}, inputs=("matrix: T", "rhs: T"),
          allowed=("bfloat16",) + _LINALG_TYPES)


def matrix_triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """``tf.matrix_triangular_solve`` / ``tf.linalg.triangular_solve``: X with matrix @ X = rhs, reading only
    the lower (or upper) triangle of matrix; batch dimensions broadcast."""
    with ops.name_scope(name, "triangular_solve", [matrix, rhs]):
        matrix = ops.convert_to_tensor(matrix, name="matrix")
        rhs = ops.convert_to_tensor(rhs, dtype=matrix.dtype.base_dtype, name="rhs")
        return make_tensor("MatrixTriangularSolve", [matrix, rhs], name="MatrixTriangularSolve",
                           attrs={"T": matrix.dtype.base_dtype, "lower": bool(lower),
                                  "adjoint": bool(adjoint)})


@register_gradient("MatrixTriangularSolve")
def _triangular_solve_grad(op, grad):
    adjoint_a, lower_a = bool(op.get_attr("adjoint")), bool(op.get_attr("lower"))
    grad_b = matrix_triangular_solve(op.inputs[0], grad, lower=lower_a, adjoint=not adjoint_a)
    grad_a = _solve_a_grad(op.outputs[0], grad_b, adjoint_a)
    grad_a = matrix_band_part(grad_a, -1, 0) if lower_a else matrix_band_part(grad_a, 0, -1)
    return [grad_a, grad_b]


def cholesky_solve(chol, rhs, name=None):
    """``tf.cholesky_solve`` / ``tf.linalg.cholesky_solve``: X with A @ X = rhs given A's Cholesky factor,
    by two triangular solves (as TF)."""
    with ops.name_scope(name, "cholesky_solve", [chol, rhs]):
        y = _triangular_solve_op(chol, rhs, adjoint=False)
        return _triangular_solve_op(chol, y, adjoint=True)


def _triangular_solve_op(matrix, rhs, adjoint):
    matrix = ops.convert_to_tensor(matrix, name="chol")
    rhs = ops.convert_to_tensor(rhs, dtype=matrix.dtype.base_dtype, name="rhs")
    return make_tensor("MatrixTriangularSolve", [matrix, rhs], name="MatrixTriangularSolve",
                       attrs={"T": matrix.dtype.base_dtype, "lower": True, "adjoint": bool(adjoint)})


def matrix_solve_ls(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """``tf.matrix_solve_ls`` / ``tf.linalg.lstsq``: the least-squares (l2-regularised) solution of
    matrix @ X = rhs through the Cholesky factor of the regularised Gramian, as TF's ``fast`` path.
    Deviation: ``fast=False`` (TF's complete orthogonal decomposition kernel) takes the same path, so
    rank-deficient matrices without a regulariser are not solved."""
    del fast
    with ops.name_scope(name, "matrix_solve_ls", [matrix, rhs, l2_regularizer]):
        matrix = ops.convert_to_tensor(matrix, name="matrix")
        rhs = ops.convert_to_tensor(rhs, dtype=matrix.dtype.base_dtype, name="rhs")
        d = dims(matrix)
        if d is None or None in d[-2:]:
            raise ValueError(f"matrix_solve_ls needs the static matrix dimensions, got shape {matrix.shape}")
        overdetermined = d[-2] >= d[-1]
        gramian = math_ops.matmul(matrix, matrix, adjoint_a=overdetermined, adjoint_b=not overdetermined)
        if isinstance(l2_regularizer, ops.Tensor) or l2_regularizer != 0:
            small = d[-1] if overdetermined else d[-2]
            identity = array_ops.eye(small, batch_shape=list(d[:-2]) or None, dtype=matrix.dtype.base_dtype)
            l2 = ops.convert_to_tensor(l2_regularizer, dtype=matrix.dtype.base_dtype, name="l2_regularizer")
            gramian += l2 * identity
        chol = cholesky(gramian)
        if overdetermined:
            return cholesky_solve(chol, math_ops.matmul(matrix, rhs, adjoint_a=True))
        return math_ops.matmul(matrix, cholesky_solve(chol, rhs), adjoint_a=True)


def _safe_reciprocal(x, epsilon=1e-20):
    return x * math_ops.reciprocal(x * x + epsilon)


# --- SelfAdjointEigV2 -----------------------------------------------------------------------------------


def _compile_eig(op, runtime):
    compute_v = bool(op.get_attr("compute_v"))

    def kernel(x):
        x = np.asarray(x)
        e, v = np.linalg.eigh(x, UPLO="L")  # TF reads the lower triangle
        return e.astype(x.dtype), (v if compute_v else np.zeros(0, x.dtype)).astype(x.dtype)

    return kernel


def _infer_eig(op):
    x = op.inputs[0]
    dtype = x.dtype.base_dtype
    d = _square(op, dims(x))
    if d is None:
        return [(dtype, _ts.unknown_shape())] * 2
    v = shape(d) if op.get_attr("compute_v") else shape((0,))
    return [(dtype, shape(d[:-1])), (dtype, v)]


_register("SelfAdjointEigV2", _infer_eig, compiled=_compile_eig, attrs={"compute_v": True})


def self_adjoint_eig(tensor, name=None):
    """``tf.self_adjoint_eig`` / ``tf.linalg.eigh``: eigenvalues (ascending) and eigenvectors (columns) of
    each self-adjoint matrix, reading its lower triangle."""
    op = _unary("SelfAdjointEigV2", tensor, name, {"compute_v": True}, input_name="tensor")
    return op.outputs[0], op.outputs[1]


def self_adjoint_eigvals(tensor, name=None):
    """``tf.self_adjoint_eigvals`` / ``tf.linalg.eigvalsh``: the eigenvalues only."""
    return _unary("SelfAdjointEigV2", tensor, name, {"compute_v": False}, input_name="tensor").outputs[0]


@register_gradient("SelfAdjointEigV2")
def _self_adjoint_eig_grad(op, grad_e, grad_v):
    """TF's _SelfAdjointEigV2Grad: V (diag(grad_e) + F o V^T grad_v) V^T, symmetrised into the lower
    triangle."""
    e = op.outputs[0]
    if op.get_attr("compute_v"):
        v = op.outputs[1]
        gaps = array_ops.expand_dims(e, -2) - array_ops.expand_dims(e, -1)
        f = array_ops.matrix_set_diag(_safe_reciprocal(gaps), array_ops.zeros_like(e))
        inner = array_ops.matrix_diag(grad_e) + f * math_ops.matmul(v, grad_v, adjoint_a=True)
        grad_a = math_ops.matmul(v, math_ops.matmul(inner, v, adjoint_b=True))
    else:
        _, v = self_adjoint_eig(op.inputs[0])
        grad_a = math_ops.matmul(v, math_ops.matmul(array_ops.matrix_diag(grad_e), v, adjoint_b=True))
    grad_a = matrix_band_part(grad_a + _adjoint(grad_a), -1, 0)
    return [array_ops.matrix_set_diag(grad_a, 0.5 * matrix_diag_part(grad_a))]


# --- Qr -------------------------------------------------------------------------------------------------


def _compile_qr(op, runtime):
    mode = "complete" if op.get_attr("full_matrices") else "reduced"

    def kernel(x):
        x = np.asarray(x)
        q, r = np.linalg.qr(x, mode=mode)
        return q.astype(x.dtype), r.astype(x.dtype)

    return kernel


def _min_dim(a, b):
    return None if a is None or b is None else min(a, b)


def _infer_qr(op):
    x = op.inputs[0]
    dtype, d = x.dtype.base_dtype, dims(x)
    if d is None:
        return [(dtype, _ts.unknown_shape())] * 2
    if len(d) < 2:
        raise shape_error(op, f"Shape must be at least rank 2 but is rank {len(d)}")
    m, n = d[-2:]
    p = m if op.get_attr("full_matrices") else _min_dim(m, n)
    return [(dtype, shape(d[:-2] + (m, p))), (dtype, shape(d[:-2] + (p, n)))]


_register("Qr", _infer_qr, compiled=_compile_qr, attrs={"full_matrices": False})


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """``tf.qr`` / ``tf.linalg.qr``: Q (orthonormal columns) and R (upper triangular) with Q @ R = input."""
    return Qr(*_unary("Qr", input, name, {"full_matrices": bool(full_matrices)}).outputs)


def _triangular_solve_right(x, r):
    """x @ inverse(r)^H for upper-triangular r (TF's _TriangularSolve in _QrGrad)."""
    return _adjoint(matrix_triangular_solve(r, _adjoint(x), lower=False, adjoint=False))


def _qr_grad_square_and_deep(q, r, dq, dr):
    qdq = math_ops.matmul(q, dq, adjoint_a=True)
    qdq_ = qdq - _adjoint(qdq)
    rdr = math_ops.matmul(r, dr, adjoint_b=True)
    rdr_ = rdr - _adjoint(rdr)
    tril = matrix_band_part(qdq_ + rdr_, -1, 0)
    grad_a = math_ops.matmul(q, dr + _triangular_solve_right(tril, r))
    grad_b = _triangular_solve_right(dq - math_ops.matmul(q, qdq), r)
    ret = grad_a + grad_b
    if q.dtype.is_complex:  # the imaginary part of R's diagonal is fixed (real): TF's correction term
        m = rdr - _adjoint(qdq)
        eyem = array_ops.matrix_set_diag(array_ops.zeros_like(m), matrix_diag_part(m))
        correction = eyem - array_ops.cast(real(eyem), q.dtype)
        ret = ret + _triangular_solve_right(math_ops.matmul(q, _adjoint(correction)), r)
    return ret


@register_gradient("Qr")
def _qr_grad(op, dq, dr):
    """TF's _QrGrad: the square/deep case directly; a wide matrix is split into its square part and the
    rest."""
    q, r = op.outputs
    rd, qd = dims(r), dims(q)
    if rd is None or rd[-2] is None or rd[-1] is None:
        raise ValueError(f"QrGrad needs the static matrix dimensions. Received r.shape: {r.shape}")
    if rd[-2] > rd[-1] and qd[-2] == qd[-1]:
        raise ValueError("QrGrad is not defined when nrows > ncols and full_matrices is true. Received "
                         f"r.shape={r.shape} with nrows={rd[-2]} and ncols={rd[-1]}.")
    num_rows, num_cols = qd[-2], rd[-1]
    if num_rows >= num_cols:
        return [_qr_grad_square_and_deep(q, r, dq, dr)]
    a = op.inputs[0]
    y = a[..., :, num_rows:]
    u = r[..., :, :num_rows]
    dv = dr[..., :, num_rows:]
    du = dr[..., :, :num_rows]
    dy = math_ops.matmul(q, dv)
    dx = _qr_grad_square_and_deep(q, u, dq + math_ops.matmul(y, dv, adjoint_b=True), du)
    return [array_ops.concat([dx, dy], axis=-1)]


# --- Svd ------------------------------------------------------------------------------------------------


def _compile_svd(op, runtime):
    compute_uv, full = bool(op.get_attr("compute_uv")), bool(op.get_attr("full_matrices"))

    def kernel(x):
        x = np.asarray(x)
        if not compute_uv:
            s = np.linalg.svd(x, compute_uv=False)
            return s.astype(x.dtype), np.zeros(0, x.dtype), np.zeros(0, x.dtype)
        u, s, vh = np.linalg.svd(x, full_matrices=full)
        return s.astype(x.dtype), u.astype(x.dtype), _adjoint_of(vh).astype(x.dtype)

    return kernel


def _infer_svd(op):
    x = op.inputs[0]
    dtype, d = x.dtype.base_dtype, dims(x)
    if d is None:
        return [(dtype, _ts.unknown_shape())] * 3
    if len(d) < 2:
        raise shape_error(op, f"Shape must be at least rank 2 but is rank {len(d)}")
    m, n = d[-2:]
    p = _min_dim(m, n)
    s = shape(d[:-2] + (p,))
    if not op.get_attr("compute_uv"):
        return [(dtype, s), (dtype, shape((0,))), (dtype, shape((0,)))]
    full = op.get_attr("full_matrices")
    return [(dtype, s), (dtype, shape(d[:-2] + (m, m if full else p))),
            (dtype, shape(d[:-2] + (n, n if full else p)))]


_register("Svd", _infer_svd, compiled=_compile_svd, attrs={"compute_uv": True, "full_matrices": False})


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """``tf.svd`` / ``tf.linalg.svd``: singular values (descending; real, also of a complex matrix) and,
    with `compute_uv`, U and V with tensor = U @ diag(s) @ V^H (V itself, not its adjoint, as TF)."""
    op = _unary("Svd", tensor, name, {"compute_uv": bool(compute_uv), "full_matrices": bool(full_matrices)},
                input_name="tensor")
    return (real(op.outputs[0]), op.outputs[1], op.outputs[2]) if compute_uv else real(op.outputs[0])


@register_gradient("Svd")
def _svd_grad(op, grad_s, grad_u, grad_v):
    """TF's _SvdGrad (real matrices): from the singular values alone, or through
    F_ij = 1 / (s_j^2 - s_i^2)."""
    a = op.inputs[0]
    grad_s_mat = array_ops.matrix_diag(grad_s)
    if not op.get_attr("compute_uv"):
        _, u, v = svd(a, compute_uv=True)
        return [math_ops.matmul(u, math_ops.matmul(grad_s_mat, v, adjoint_b=True))]
    d = dims(a)
    if d is None or d[-2] is None or d[-1] is None:
        raise ValueError("SVD gradient has not been implemented for input with unknown inner matrix shape.")
    m, n = d[-2:]
    full_matrices = bool(op.get_attr("full_matrices"))
    s, u, v = op.outputs
    use_adjoint = m > n
    if use_adjoint:  # the gradient of A^T = V S U^T, transposed at the end
        m, n, u, v, grad_u, grad_v = n, m, v, u, grad_v, grad_u
    if full_matrices and abs(m - n) > 1:
        raise ValueError("svd gradient is not implemented for abs(m - n) > 1 when full_matrices is True")
    s_mat = array_ops.matrix_diag(s)
    s_2 = math_ops.square(s)
    gaps = array_ops.expand_dims(s_2, -2) - array_ops.expand_dims(s_2, -1)
    f = array_ops.matrix_set_diag(_safe_reciprocal(gaps), array_ops.zeros_like(s))
    s_inv_mat = array_ops.matrix_diag(_safe_reciprocal(s))
    v1 = v[..., :, :m]
    grad_v1 = grad_v[..., :, :m]
    f_u = f * math_ops.matmul(u, grad_u, adjoint_a=True)
    v_gv = math_ops.matmul(v1, grad_v1, adjoint_a=True)
    f_v = f * v_gv
    term1_nouv = (grad_s_mat + math_ops.matmul(f_u + _adjoint(f_u), s_mat)
                  + math_ops.matmul(s_mat, f_v + _adjoint(f_v)))
    grad_a = math_ops.matmul(u, math_ops.matmul(term1_nouv, v1, adjoint_b=True))
    if m != n:
        gv1t = _adjoint(grad_v1)
        term2_nous = gv1t - math_ops.matmul(math_ops.matmul(gv1t, v1), v1, adjoint_b=True)
        if full_matrices:
            v2 = v[..., :, m:n]
            grad_v2 = grad_v[..., :, m:n]
            term2_nous -= math_ops.matmul(math_ops.matmul(v1, grad_v2, adjoint_a=True), v2, adjoint_b=True)
        grad_a = grad_a + math_ops.matmul(math_ops.matmul(u, s_inv_mat), term2_nous)
    if a.dtype.is_complex:  # TF's third term: the phases of the singular vectors are free
        l_diag = array_ops.matrix_set_diag(array_ops.zeros_like(v_gv), matrix_diag_part(v_gv))
        term3_nouv = math_ops.matmul(s_inv_mat, _adjoint(l_diag) - l_diag)
        grad_a = grad_a + 0.5 * math_ops.matmul(u, math_ops.matmul(term3_nouv, v1, adjoint_b=True))
    return [_adjoint(grad_a) if use_adjoint else grad_a]



def adjoint(matrix, name=None):
    """``tf.linalg.adjoint``: the conjugate transpose of each innermost matrix."""
    with ops.name_scope(name, "adjoint", [matrix]):
        matrix = ops.convert_to_tensor(matrix, name="matrix")
        return array_ops.matrix_transpose(matrix, conjugate=True)


def pinv(a, rcond=None, validate_args=False, name=None):
    """``tf.linalg.pinv``: the Moore-Penrose pseudo-inverse through the SVD, singular values below
    ``rcond * max(s)`` treated as zero (default rcond: 10 * max(rows, cols) * eps), as TF builds it."""
    del validate_args  # TF's Assert that rcond is non-negative: checked here while building when static
    with ops.name_scope(name or "pinv"):
        a = ops.convert_to_tensor(a, name="a")
        dtype = a.dtype.base_dtype
        d = dims(a)
        if rcond is None:
            if d is None or None in d[-2:]:
                raise ValueError("pinv needs the static matrix dimensions when rcond is not given")
            rcond = 10.0 * float(max(d[-2:])) * np.finfo(dtype.as_numpy_dtype).eps
        elif not isinstance(rcond, ops.Tensor) and rcond < 0:
            raise ValueError("rcond must be non-negative")
        rcond = ops.convert_to_tensor(rcond, dtype=dtype, name="rcond")
        s, u, v = svd(a, full_matrices=False, compute_uv=True)
        cutoff = rcond * math_ops.reduce_max(s, axis=-1)
        s = array_ops.where_v2(s > array_ops.expand_dims(cutoff, -1), s,
                               ops.convert_to_tensor(np.array(np.inf, dtype.as_numpy_dtype)))
        return math_ops.matmul(v / array_ops.expand_dims(s, -2), u, adjoint_b=True)
