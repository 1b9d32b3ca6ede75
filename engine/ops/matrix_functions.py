"""Functions of square matrices: MatrixSquareRoot (``tf.linalg.sqrtm``, with TF's gradient) and
MatrixLogarithm (``tf.linalg.logm``, complex only, no gradient in TF), kernels on scipy.linalg's Schur
methods; ``tf.linalg.expm`` (scaling and squaring of Padé approximants) and ``tf.linalg.matrix_rank``
built from existing ops as TF builds them (python/ops/linalg/linalg_impl.py, linalg_grad.py)."""

from __future__ import annotations

import numpy as np
import scipy.linalg

from engine.framework import dtypes, ops
from engine.framework.registry import register_gradient
from engine.ops import array_ops, math_ops
from engine.ops.band_ops import matrix_diag_part
from engine.ops.cond import cond
from engine.ops.constant_op import constant
from engine.ops.linalg_ops import _infer_square_same, _register, _unary, matrix_solve, svd
from engine.ops.while_loop import while_loop

# --- MatrixSquareRoot, MatrixLogarithm --------------------------------------------------------------------


def _per_matrix(fn):
    def kernel(x):
        x = np.asarray(x)
        out = np.empty_like(x)
        for idx in np.ndindex(*x.shape[:-2]):
            if x.shape[-1]:
                out[idx] = fn(x[idx])
        return out

    return kernel


def _square_root(matrix):
    """The principal square root; a real matrix without a real one (a negative eigenvalue) gives NaN, as
    TF's real Schur kernel."""
    with np.errstate(all="ignore"):
        root = scipy.linalg.sqrtm(matrix)
    if np.iscomplexobj(matrix):
        return root
    if np.iscomplexobj(root) and np.any(np.abs(root.imag) > 1e-7 * max(1.0, float(np.abs(root).max()))):
        return np.full(matrix.shape, np.nan)
    return np.real(root)


_register("MatrixSquareRoot", _infer_square_same, kernel=_per_matrix(_square_root),
          allowed=("float64", "float32", "float16", "complex64", "complex128"))
_register("MatrixLogarithm", _infer_square_same, kernel=_per_matrix(scipy.linalg.logm),
          allowed=("complex64", "complex128"))


def sqrtm(input, name=None):  # noqa: A002 - TF's argument name
    """``tf.linalg.sqrtm``: the principal square root of each matrix (NaN where a real matrix has none)."""
    return _unary("MatrixSquareRoot", input, name).outputs[0]


def logm(input, name=None):  # noqa: A002
    """``tf.linalg.logm``: the principal logarithm of each complex matrix."""
    return _unary("MatrixLogarithm", input, name).outputs[0]


def _kronecker(b1, b2):
    """The Kronecker products of two batches of square matrices of one batch shape."""
    shape1, shape2 = array_ops.shape_v1(b1), array_ops.shape_v1(b2)
    n1, n2 = shape1[-1], shape2[-1]
    batch = shape1[:-2]
    left = array_ops.reshape(b1, array_ops.concat([batch, array_ops.stack([n1, 1, n1, 1])], 0))
    right = array_ops.reshape(b2, array_ops.concat([batch, array_ops.stack([1, n2, 1, n2])], 0))
    return array_ops.reshape(left * right, array_ops.concat([batch, array_ops.stack([n1 * n2, n1 * n2])], 0))


@register_gradient("MatrixSquareRoot")
def _matrix_square_root_grad(op, grad):
    """TF's _MatrixSquareRootGrad: dA = R dR + dR R solved for dR as (I (x) R^T + R (x) I) vec(dR^T) =
    vec(grad^T)."""
    root = op.outputs[0]
    shape = array_ops.shape_v1(root)
    order = shape[-1]
    identity = array_ops.matrix_diag(array_ops.ones_like(matrix_diag_part(root)))
    ksum = _kronecker(identity, array_ops.matrix_transpose(root)) + _kronecker(root, identity)
    vec_shape = array_ops.concat([shape[:-2], array_ops.stack([order * order, 1])], 0)
    vec_da = array_ops.reshape(array_ops.matrix_transpose(grad), vec_shape)
    return [array_ops.matrix_transpose(array_ops.reshape(matrix_solve(ksum, vec_da), shape))]


# --- expm -----------------------------------------------------------------------------------------------

# Padé coefficients b_0 .. b_(m-1) of degrees 3, 5, 7, 9, 13 (Higham 2005, "The scaling and squaring method
# for the matrix exponential revisited"), and the 1-norm below which each degree is accurate enough.
_PADE = {
    3: [120.0, 60.0, 12.0],
    5: [30240.0, 15120.0, 3360.0, 420.0, 30.0],
    7: [17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0],
    9: [17643225600.0, 8821612800.0, 2075673600.0, 302702400.0, 30270240.0, 2162160.0, 110880.0, 3960.0,
        90.0],
    13: [64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
         129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0,
         960960.0, 16380.0, 182.0],
}
_SINGLE = {"degrees": (3, 5, 7), "bounds": (4.258730016922831e-001, 1.880152677804762e+000),
           "maxnorm": 3.925724783138660}
_DOUBLE = {"degrees": (3, 5, 7, 9, 13),
           "bounds": (1.495585217958292e-002, 2.539398330063230e-001, 9.504178996162932e-001,
                      2.097847961257068e+000),
           "maxnorm": 5.371920351148152}


def _pade(matrix, degree):
    """(U, V) of the degree-m Padé approximant exp(A) ~ (V - U)^-1 (V + U): U the odd terms, V the even."""
    b = [constant(x, matrix.dtype) for x in _PADE[degree]]
    ident = array_ops.matrix_diag(array_ops.ones_like(matrix_diag_part(matrix)))
    m2 = math_ops.matmul(matrix, matrix)
    if degree == 13:
        m4 = math_ops.matmul(m2, m2)
        m6 = math_ops.matmul(m4, m2)
        tmp_u = (math_ops.matmul(m6, m6 + b[11] * m4 + b[9] * m2) + b[7] * m6 + b[5] * m4 + b[3] * m2
                 + b[1] * ident)
        tmp_v = b[12] * m6 + b[10] * m4 + b[8] * m2
        v = math_ops.matmul(m6, tmp_v) + b[6] * m6 + b[4] * m4 + b[2] * m2 + b[0] * ident
        return math_ops.matmul(matrix, tmp_u), v
    powers = [ident, m2]
    while len(powers) < (degree + 1) // 2:
        powers.append(math_ops.matmul(powers[-1], m2))
    odd = powers[-1]
    even = b[degree - 1] * powers[-1]
    for k in range(len(powers) - 2, -1, -1):  # highest power first, the order TF adds them in
        odd = odd + b[2 * k + 1] * powers[k]
        even = even + b[2 * k] * powers[k]
    return math_ops.matmul(matrix, odd), even


def expm(input, name=None):  # noqa: A002
    """``tf.linalg.expm``: exp of each square matrix by scaling and squaring: a Padé approximant of a degree
    chosen per matrix from its 1-norm (of A / 2^s for the highest degree), then s squarings in a
    while_loop; a matrix with a non-finite norm gives NaN."""
    with ops.name_scope(name, "matrix_exponential", [input]):
        matrix = ops.convert_to_tensor(input, name="input")
        static_shape = matrix.shape
        if matrix.shape.ndims is not None and matrix.shape.as_list()[-2:] == [0, 0]:
            return matrix
        batch_shape = matrix.shape[:-2] if matrix.shape.ndims is not None else None
        if batch_shape is None or not batch_shape.is_fully_defined():
            batch_shape = array_ops.shape_v1(matrix)[:-2]
        matrix = array_ops.reshape(matrix, array_ops.concat(([-1], array_ops.shape_v1(matrix)[-2:]), axis=0))
        l1_norm = math_ops.reduce_max(math_ops.reduce_sum(math_ops.abs(matrix), axis=1), axis=-1)
        l1_norm = l1_norm[..., None, None]
        base = matrix.dtype.base_dtype
        if base in (dtypes.float16, dtypes.float32, dtypes.complex64):
            table = _SINGLE
        elif base in (dtypes.float64, dtypes.complex128):
            table = _DOUBLE
        else:
            raise ValueError(f"tf.linalg.expm does not support matrices of type {matrix.dtype}")

        def const(x):
            return constant(x, l1_norm.dtype)

        squarings = math_ops.maximum(
            math_ops.floor(math_ops.log(l1_norm / const(table["maxnorm"])) / math_ops.log(const(2.0))), 0)
        scaled = matrix / array_ops.cast(math_ops.pow(const(2.0), squarings), matrix.dtype)
        degrees = table["degrees"]
        approximants = [_pade(matrix if d != degrees[-1] else scaled, d) for d in degrees]

        def nest_where(cases, bounds):
            if len(bounds) == 1:
                return array_ops.where_v2(math_ops.less(l1_norm, const(bounds[0])), cases[0], cases[1])
            return array_ops.where_v2(math_ops.less(l1_norm, const(bounds[0])), cases[0],
                                      nest_where(cases[1:], bounds[1:]))

        u = nest_where([a[0] for a in approximants], table["bounds"])
        v = nest_where([a[1] for a in approximants], table["bounds"])
        is_finite = math_ops.is_finite(math_ops.reduce_max(l1_norm))
        nan = constant(np.nan, matrix.dtype)
        result = cond(is_finite, lambda: matrix_solve(-u + v, u + v),
                      lambda: array_ops.fill(array_ops.shape_v1(matrix), nan))
        max_squarings = math_ops.reduce_max(squarings)

        def keep_squaring(i, _):
            return cond(is_finite, lambda: math_ops.less(i, max_squarings), lambda: constant(False))

        def square(i, r):
            return i + 1, array_ops.where_v2(math_ops.less(i, squarings), math_ops.matmul(r, r), r)

        _, result = while_loop(keep_squaring, square, [const(0.0), result])
        if not matrix.shape.is_fully_defined() or isinstance(batch_shape, ops.Tensor):
            full_shape = array_ops.concat((batch_shape, array_ops.shape_v1(result)[-2:]), axis=0)
            result = array_ops.reshape(result, full_shape)
            result.set_shape(static_shape)  # what TF's shape inference reads from the partly constant shape
            return result
        return array_ops.reshape(result, batch_shape.concatenate(result.shape[-2:]).as_list())


# --- matrix_rank ----------------------------------------------------------------------------------------


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """``tf.linalg.matrix_rank``: the number of singular values above `tol` (by default
    eps * max(rows, cols) * the largest singular value)."""
    del validate_args  # TF's run-time rank assert; the static shape checks of Svd apply
    with ops.name_scope(name or "matrix_rank"):
        a = ops.convert_to_tensor(a, name="a")
        s = svd(a, compute_uv=False)
        if tol is None:
            inner = a.shape[-2:] if a.shape.ndims is not None else None
            if inner is not None and inner.is_fully_defined():
                m = np.max(inner.as_list())
            else:
                m = math_ops.reduce_max(array_ops.shape_v1(a)[-2:])
            eps = np.finfo(a.dtype.as_numpy_dtype).eps
            tol = eps * array_ops.cast(m, a.dtype) * math_ops.reduce_max(s, axis=-1, keepdims=True)
        return math_ops.reduce_sum(array_ops.cast(s > tol, dtypes.int32), axis=-1)
