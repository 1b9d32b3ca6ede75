"""The `tf.linalg.LinearOperator` classes written once, run by both the engine and real TensorFlow
(tests/interop/test_linear_operators_in_tf.py). Each case is `case(tf) -> {key: outcome}`: a tensor's
name and static shape, a fetched value, a hint, or `["error", class, first line]` for an error raised
when building."""

from __future__ import annotations

import numpy as np

from tests.interop.script_check_cases import _outcome, _plain

_RNG = np.random.RandomState(31)
MATRIX = _RNG.uniform(-1, 1, (2, 3, 3)) + 3 * np.eye(3)
SPD = np.einsum("bij,bkj->bik", MATRIX, MATRIX)
DIAG = _RNG.uniform(0.5, 2.0, (2, 3))
RHS = _RNG.uniform(-1, 1, (2, 3, 2))
SMALL = _RNG.uniform(-1, 1, (2, 2)) + 2 * np.eye(2)


def _methods(tf, operator, rhs, vec, dense_methods=True):
    """The common methods' tensors of one operator, keyed by method."""
    out = {
        "to_dense": operator.to_dense(),
        "matmul": operator.matmul(rhs),
        "matmul_adjoint": operator.matmul(rhs, adjoint=True),
        "matmul_adjoint_arg": operator.matmul(tf.linalg.adjoint(rhs), adjoint_arg=True),
        "matvec": operator.matvec(vec),
        "diag_part": operator.diag_part(),
        "trace": operator.trace(),
        "add_to_tensor": operator.add_to_tensor(tf.ones_like(operator.to_dense())),
        "shape_tensor": operator.shape_tensor(),
        "batch_shape_tensor": operator.batch_shape_tensor(),
        "domain_dimension_tensor": operator.domain_dimension_tensor(),
        "range_dimension_tensor": operator.range_dimension_tensor(),
    }
    if dense_methods:
        out.update(
            {
                "determinant": operator.determinant(),
                "log_abs_determinant": operator.log_abs_determinant(),
                "solve": operator.solve(rhs),
                "solve_adjoint": operator.solve(rhs, adjoint=True),
                "solvevec": operator.solvevec(vec),
            }
        )
    return out


def _describe(operator):
    return {
        "name": operator.name,
        "shape": str(operator.shape),
        "batch_shape": str(operator.batch_shape),
        "domain": str(operator.domain_dimension),
        "range": str(operator.range_dimension),
        "hints": [
            operator.is_non_singular,
            operator.is_self_adjoint,
            operator.is_positive_definite,
            operator.is_square,
        ],
        "type": type(operator).__name__,
    }


def _run(tf, graph, tensors, feeds, x, derivative_keys):
    """Names, shapes and values of `tensors`, and the gradient of each `derivative_keys` sum w.r.t. x."""
    with graph.as_default():
        grads = {f"grad_{k}": tf.gradients(tf.reduce_sum(tensors[k]), x)[0] for k in derivative_keys}
        with tf.Session(graph=graph) as sess:
            values = sess.run({**tensors, **grads}, feeds)
    result = {f"name/{k}": t.name for k, t in tensors.items()}
    result.update({f"shape/{k}": str(t.shape) for k, t in tensors.items()})
    result.update({f"value/{k}": _plain(v) for k, v in values.items()})
    return result


def full_matrix(tf):
    graph = tf.Graph()
    with graph.as_default():
        m = tf.placeholder(tf.float64, [None, 3, 3], name="m")
        rhs, vec = tf.constant(RHS), tf.constant(RHS[..., 0])
        op = tf.linalg.LinearOperatorFullMatrix(m)
        tensors = _methods(tf, op, rhs, vec)
        spd = tf.linalg.LinearOperatorFullMatrix(
            tf.matmul(m, m, transpose_b=True), is_self_adjoint=True, is_positive_definite=True, name="spd"
        )
        tensors.update({f"spd_{k}": v for k, v in _methods(tf, spd, rhs, vec).items()})
        tensors["cholesky"] = spd.cholesky().to_dense()
        tensors["inverse_matmul"] = op.inverse().matmul(rhs)
        tensors["adjoint_matmul"] = op.adjoint().matmul(rhs)
        tensors["H_to_dense"] = op.H.to_dense()
        tensors["eigvals"] = spd.eigvals()
        tensors["cond"] = op.cond()
        described = {
            "op": _describe(op),
            "spd": _describe(spd),
            "inverse": _describe(op.inverse()),
            "adjoint": _describe(op.adjoint()),
            "cholesky": _describe(spd.cholesky()),
        }
        result = _run(
            tf,
            graph,
            tensors,
            {m: MATRIX},
            m,
            [
                "matmul",
                "solve",
                "determinant",
                "log_abs_determinant",
                "spd_solve",
                "spd_log_abs_determinant",
                "trace",
                "inverse_matmul",
            ],
        )
    return {**result, **{f"describe/{k}": v for k, v in described.items()}}


def structured(tf):
    graph = tf.Graph()
    with graph.as_default():
        d = tf.placeholder(tf.float64, [2, 3], name="d")
        m = tf.placeholder(tf.float64, [2, 3, 3], name="m")
        rhs, vec = tf.constant(RHS), tf.constant(RHS[..., 0])
        ops = {
            "diag": tf.linalg.LinearOperatorDiag(d),
            "tril": tf.linalg.LinearOperatorLowerTriangular(m),
            "identity": tf.linalg.LinearOperatorIdentity(3, batch_shape=[2], dtype=tf.float64),
            "identity_plain": tf.linalg.LinearOperatorIdentity(3, dtype=tf.float64),
            "scaled": tf.linalg.LinearOperatorScaledIdentity(3, d[:, 0], is_positive_definite=True),
        }
        tensors = {}
        for key, op in ops.items():
            tensors.update({f"{key}_{k}": v for k, v in _methods(tf, op, rhs, vec).items()})
        tensors["diag_inverse"] = ops["diag"].inverse().to_dense()
        tensors["diag_adjoint"] = ops["diag"].adjoint().to_dense()
        tensors["diag_cholesky"] = tf.linalg.LinearOperatorDiag(d, is_positive_definite=True).cholesky().diag
        tensors["diag_times_diag"] = ops["diag"].matmul(ops["diag"]).to_dense()
        tensors["diag_solve_diag"] = ops["diag"].solve(ops["diag"]).to_dense()
        tensors["diag_at_tril"] = (ops["diag"] @ ops["tril"]).to_dense()
        tensors["tril_solve_diag"] = ops["tril"].solve(ops["diag"]).to_dense()
        tensors["identity_at_tril"] = ops["identity"].matmul(ops["tril"]).to_dense()
        tensors["scaled_inverse"] = ops["scaled"].inverse().to_dense()
        toeplitz = tf.linalg.LinearOperatorToeplitz(col=d + 2.0, row=d[::-1] * 0.5)
        tensors.update({f"toeplitz_{k}": v for k, v in _methods(tf, toeplitz, rhs, vec).items()})
        scalar = tf.linalg.LinearOperatorScaledIdentity(3, d[0, 0] + 1.0)
        products = {"scaled_at_scaled": ops["scaled"] @ ops["scaled"],
                    "scalar_solve_scalar": scalar.solve(scalar), "scalar_at_diag": scalar @ ops["diag"],
                    "scalar_solve_diag": scalar.solve(ops["diag"])}
        tensors.update({k: op.to_dense() for k, op in products.items()})
        # a real symmetric kernel: a real (Hermitian) spectrum, so real inputs and outputs
        kernel = tf.concat([d[:, :2], d[:, 1:2]], axis=-1)
        spectrum = tf.signal.fft(tf.cast(kernel, tf.complex128))
        circulant = tf.linalg.LinearOperatorCirculant(spectrum, input_output_dtype=tf.float64)
        tensors.update({f"circulant_{k}": v for k, v in _methods(tf, circulant, rhs, vec).items()})
        complex_circulant = tf.linalg.LinearOperatorCirculant(tf.cast(d + 1.0, tf.complex64) * (1 + 1j))
        crhs = tf.cast(rhs, tf.complex64)
        tensors["complex_circulant_matmul"] = tf.real(complex_circulant.matmul(crhs, adjoint=True))
        tensors["complex_circulant_solve"] = tf.imag(complex_circulant.solve(crhs))
        tensors["circulant_kernel"] = circulant.convolution_kernel()
        tensors["circulant_inverse"] = circulant.inverse().to_dense()
        tensors["circulant_squared"] = tf.real((circulant @ circulant).to_dense())  # complex64, as TF
        tensors["circulant_cond"] = circulant.cond()
        kernel2 = tf.reshape(tf.concat([kernel, kernel * 0.5], axis=-1), [2, 2, 3])
        circulant2 = tf.linalg.LinearOperatorCirculant2D(tf.signal.fft2d(tf.cast(kernel2, tf.complex128)),
                                                         input_output_dtype=tf.complex128)
        rhs6 = tf.cast(tf.concat([rhs, rhs * 2.0], axis=-2), tf.complex128)
        for k, v in _methods(tf, circulant2, rhs6, rhs6[..., 0], dense_methods=False).items():
            tensors[f"circulant2d_{k}"] = tf.real(v) if v.dtype.is_complex else v
        tensors["circulant2d_solve"] = tf.imag(circulant2.solve(rhs6))
        tensors["circulant2d_logdet"] = tf.real(circulant2.log_abs_determinant())
        kernel3 = tf.reshape(tf.concat([kernel, kernel * 0.5, kernel * 0.2, kernel + 1.0], axis=-1)[0],
                             [2, 2, 3])
        circulant3 = tf.linalg.LinearOperatorCirculant3D(tf.signal.fft3d(tf.cast(kernel3, tf.complex64)))
        tensors["complex_circulant3d_to_dense"] = tf.real(circulant3.to_dense())
        tensors["complex_circulant3d_trace"] = tf.imag(circulant3.trace())
        circulants = {"circulant": circulant, "complex_circulant": complex_circulant,
                      "circulant2d": circulant2, "circulant3d": circulant3}
        compact = tf.stack([d * 0.5, d + 3.0, d[::-1] * 0.3], axis=-2)
        tridiags = {
            "tridiag": tf.linalg.LinearOperatorTridiag(compact),
            "tridiag_sequence": tf.linalg.LinearOperatorTridiag([d * 0.5, d + 3.0, d[::-1] * 0.3],
                                                                diagonals_format="sequence"),
            "tridiag_matrix": tf.linalg.LinearOperatorTridiag(m + 2.0 * tf.eye(3, dtype=tf.float64),
                                                              diagonals_format="matrix"),
        }
        for key, op in tridiags.items():
            tensors.update({f"{key}_{k}": v for k, v in _methods(tf, op, rhs, vec).items()})
        others = {
            "householder": tf.linalg.LinearOperatorHouseholder(d),
            "permutation": tf.linalg.LinearOperatorPermutation([2, 0, 1], dtype=tf.float64),
            "permutation_batch": tf.linalg.LinearOperatorPermutation([[1, 2, 0], [0, 2, 1]],
                                                                     dtype=tf.float64),
        }
        for key, op in others.items():
            tensors.update({f"{key}_{k}": v for k, v in _methods(tf, op, rhs, vec).items()})

        others["zeros"] = tf.linalg.LinearOperatorZeros(3, batch_shape=[2], dtype=tf.float64)
        others["zeros_wide"] = tf.linalg.LinearOperatorZeros(3, 4, is_square=False, is_self_adjoint=False,
                                                            dtype=tf.float64)
        zeros_methods = _methods(tf, others["zeros"], rhs, vec, dense_methods=False)
        tensors.update({f"zeros_{k}": v for k, v in zeros_methods.items()})
        tensors["zeros_wide_matmul"] = others["zeros_wide"].matmul(tf.ones([4, 2], tf.float64))
        tensors["zeros_wide_matmul_adjoint"] = others["zeros_wide"].matmul(rhs, adjoint=True)
        tensors["zeros_det"] = others["zeros"].determinant()
        tensors["tril_at_identity"] = (ops["tril"] @ ops["identity_plain"]).to_dense()
        tensors["tril_at_zeros"] = (ops["tril"] @ others["zeros"]).to_dense()
        tensors["tril_solve_identity"] = ops["tril"].solve(ops["identity_plain"]).to_dense()
        tensors["householder_eigvals"] = others["householder"].eigvals()
        tensors["householder_cond"] = others["householder"].cond()
        described = {k: _describe(op) for k, op in ops.items()}
        described["diag_times_diag"] = _describe(ops["diag"].matmul(ops["diag"]))
        described["diag_at_tril"] = _describe(ops["diag"] @ ops["tril"])
        described.update({k: _describe(op) for k, op in products.items()})
        described.update({k: _describe(op) for k, op in circulants.items()})
        described.update({k: _describe(op) for k, op in tridiags.items()})
        described.update({k: _describe(op) for k, op in others.items()})
        described["toeplitz"] = _describe(toeplitz)
        result = _run(
            tf,
            graph,
            tensors,
            {d: DIAG, m: MATRIX},
            [d, m][0],
            ["diag_solve", "diag_log_abs_determinant", "scaled_solve", "scaled_determinant",
                       "toeplitz_matmul", "toeplitz_solve", "circulant_matmul", "circulant_solve",
                       "complex_circulant_matmul", "tridiag_solve", "tridiag_sequence_matmul",
                       "tridiag_sequence_solve_adjoint", "householder_matmul", "householder_to_dense"],
        )
    return {**result, **{f"describe/{k}": v for k, v in described.items()}}


def combined(tf):
    graph = tf.Graph()
    with graph.as_default():
        m = tf.placeholder(tf.float64, [2, 3, 3], name="m")
        s = tf.placeholder(tf.float64, [2, 2], name="s")
        rhs6 = tf.constant(np.concatenate([RHS, RHS], axis=-2))
        a = tf.linalg.LinearOperatorFullMatrix(m, name="A")
        b = tf.linalg.LinearOperatorFullMatrix(s, name="B")
        diag = tf.linalg.LinearOperatorDiag(tf.constant(DIAG), name="D")
        tril = tf.linalg.LinearOperatorLowerTriangular(m, name="L")
        ops = {
            "composition": tf.linalg.LinearOperatorComposition([a, diag]),
            "aat": tf.linalg.LinearOperatorComposition([a, a.H]),
            "kronecker": tf.linalg.LinearOperatorKronecker(
                [b, tf.linalg.LinearOperatorFullMatrix(s[0:1, :1] + 1.0, name="C")]
            ),
            "kron3": tf.linalg.LinearOperatorKronecker([a, b]),
            "block_diag": tf.linalg.LinearOperatorBlockDiag([a, tril]),
            "inversion": tf.linalg.LinearOperatorInversion(a),
            "adjoint": tf.linalg.LinearOperatorAdjoint(tril),
        }
        tensors = {}
        for key in ("composition", "inversion", "adjoint", "aat"):
            op = ops[key]
            tensors.update(
                {
                    f"{key}_{k}": v
                    for k, v in _methods(tf, op, tf.constant(RHS), tf.constant(RHS[..., 0])).items()
                }
            )
        tensors.update(
            {f"block_diag_{k}": v for k, v in _methods(tf, ops["block_diag"], rhs6, rhs6[..., 0]).items()}
        )
        k3 = ops["kron3"]
        tensors.update({f"kron3_{k}": v for k, v in _methods(tf, k3, rhs6, rhs6[..., 0]).items()})
        tensors["kronecker_to_dense"] = ops["kronecker"].to_dense()
        blt = tf.linalg.LinearOperatorBlockLowerTriangular(
            [[a], [tf.linalg.LinearOperatorFullMatrix(m * 0.1, name="E"), tril]])
        tensors.update({f"blt_{k}": v for k, v in _methods(tf, blt, rhs6, rhs6[..., 0]).items()})
        ops["blt"] = blt
        u = m[:, :, :2] * 0.3
        updates = {
            "lru_spd": tf.linalg.LinearOperatorLowRankUpdate(
                tf.linalg.LinearOperatorDiag(tf.constant(DIAG), is_positive_definite=True), u),
            "lru_diag": tf.linalg.LinearOperatorLowRankUpdate(a, u, diag_update=tf.constant(DIAG[:, :2])),
            "lru_uv": tf.linalg.LinearOperatorLowRankUpdate(a, u, v=m[:, :, 1:] * 0.2),
        }
        for key, op in updates.items():
            tensors.update({f"{key}_{k}": v for k, v in _methods(tf, op, tf.constant(RHS),
                                                                 tf.constant(RHS[..., 0])).items()})
        ops.update(updates)
        described = {k: _describe(op) for k, op in ops.items()}
        described["matmul_operator"] = _describe(a @ tril)
        described["solve_operator"] = _describe(a.solve(tril))
        result = _run(
            tf,
            graph,
            tensors,
            {m: MATRIX, s: SMALL},
            m,
            [
                "composition_solve",
                "aat_log_abs_determinant",
                "block_diag_matmul",
                "kron3_determinant",
                "inversion_matmul",
                "adjoint_solve",
            ],
        )
    return {**result, **{f"describe/{k}": v for k, v in described.items()}}


def errors(tf):
    graph = tf.Graph()
    with graph.as_default():
        m = tf.constant(MATRIX)
        wide = tf.linalg.LinearOperatorFullMatrix(tf.ones([2, 3]))
        eye3 = tf.linalg.LinearOperatorIdentity(3, dtype=tf.float64)
        checks = {
            "pd_singular": lambda: tf.linalg.LinearOperatorFullMatrix(
                m, is_positive_definite=True, is_non_singular=False
            ),
            "ns_not_square": lambda: tf.linalg.LinearOperatorFullMatrix(
                m, is_non_singular=True, is_square=False
            ),
            "sa_not_square": lambda: tf.linalg.LinearOperatorFullMatrix(
                m, is_self_adjoint=True, is_square=False
            ),
            "rank1": lambda: tf.linalg.LinearOperatorFullMatrix(tf.ones([3], tf.float64)),
            "int_matrix": lambda: tf.linalg.LinearOperatorFullMatrix(tf.ones([3, 3], tf.int32)),
            "real_diag_not_sa": lambda: tf.linalg.LinearOperatorDiag([1.0, 2.0], is_self_adjoint=False),
            "diag_not_square": lambda: tf.linalg.LinearOperatorDiag([1.0, 2.0], is_square=False),
            "identity_not_pd": lambda: tf.linalg.LinearOperatorIdentity(2, is_positive_definite=False),
            "identity_negative": lambda: tf.linalg.LinearOperatorIdentity(-1),
            "identity_float_rows": lambda: tf.linalg.LinearOperatorIdentity(2.0),
            "wide_det": lambda: wide.determinant(),
            "wide_inverse": lambda: wide.inverse(),
            "wide_solve": lambda: wide.solve(tf.ones([2, 1])),
            "wide_square": lambda: wide.is_square,
            "not_square_hint": lambda: (
                tf.linalg.LinearOperatorFullMatrix(tf.ones([2, 2]), is_square=False).is_square
            ),
            "matmul_dims": lambda: wide.matmul(tf.ones([2, 2])),
            "matmul_dtype": lambda: wide.matmul(tf.ones([3, 2], tf.float64)),
            "matmul_operators": lambda: wide.matmul(wide),
            "cholesky_not_pd": lambda: wide.cholesky(),
            "composition_empty": lambda: tf.linalg.LinearOperatorComposition([]),
            "composition_dtypes": lambda: tf.linalg.LinearOperatorComposition(
                [wide, tf.linalg.LinearOperatorFullMatrix(m)]
            ),
            "inversion_singular": lambda: tf.linalg.LinearOperatorInversion(
                tf.linalg.LinearOperatorFullMatrix(m, is_non_singular=False)
            ),
            "adjoint_contradiction": lambda: tf.linalg.LinearOperatorAdjoint(
                tf.linalg.LinearOperatorFullMatrix(m, is_self_adjoint=True), is_self_adjoint=False
            ),
            "kronecker_pd": lambda: tf.linalg.LinearOperatorKronecker(
                [tf.linalg.LinearOperatorIdentity(2)], is_positive_definite=False
            ),
            "blt_row": lambda: tf.linalg.LinearOperatorBlockLowerTriangular([[wide], [wide]]),
            "blt_square": lambda: tf.linalg.LinearOperatorBlockLowerTriangular([[wide]]),
            "block_diag_sa": lambda: tf.linalg.LinearOperatorBlockDiag(
                [tf.linalg.LinearOperatorIdentity(2)], is_self_adjoint=False
            ),
            "eigvals_not_sa": lambda: tf.linalg.LinearOperatorFullMatrix(m).eigvals(),
            "toeplitz_mismatch": lambda: tf.linalg.LinearOperatorToeplitz([1.0, 2.0], [1.0, 2.0, 3.0]),
            "toeplitz_not_square": lambda: tf.linalg.LinearOperatorToeplitz([1.0], [1.0], is_square=False),
            "toeplitz_scalar": lambda: tf.linalg.LinearOperatorToeplitz(1.0, [1.0]),
            "lru_identity_not_positive": lambda: tf.linalg.LinearOperatorLowRankUpdate(
                eye3, m[0, :, :1], is_diag_update_positive=False),
            "lru_not_self_adjoint": lambda: tf.linalg.LinearOperatorLowRankUpdate(
                eye3, m[0, :, :1], is_self_adjoint=False),
            "lru_not_pd": lambda: tf.linalg.LinearOperatorLowRankUpdate(
                eye3, m[0, :, :1], is_positive_definite=False),
            "householder_pd": lambda: tf.linalg.LinearOperatorHouseholder([1.0, 2.0],
                                                                          is_positive_definite=True),
            "permutation_not_perm": lambda: tf.linalg.LinearOperatorPermutation([0, 0, 1]),
            "permutation_float": lambda: tf.linalg.LinearOperatorPermutation([0.0, 1.0]),
            "tridiag_format": lambda: tf.linalg.LinearOperatorTridiag(tf.ones([3, 2]),
                                                                      diagonals_format="band"),
            "circulant_scalar": lambda: tf.linalg.LinearOperatorCirculant(tf.constant(1.0)),
            "circulant_not_square": lambda: tf.linalg.LinearOperatorCirculant([1.0, 2.0], is_square=False),
            "circulant_real_not_sa": lambda: tf.linalg.LinearOperatorCirculant([1.0, 2.0],
                                                                               is_self_adjoint=False),
            "lru_dims": lambda: tf.linalg.LinearOperatorLowRankUpdate(
                tf.linalg.LinearOperatorIdentity(2, dtype=tf.float64), m[0, :, :1]),
        }
        result = {k: _outcome(c) for k, c in checks.items()}
        # values known only when the graph runs, so the checks are Asserts (constants are checked at once)
        v = tf.placeholder(tf.float32, [2], name="v")
        w = tf.placeholder(tf.float32, [2, 2], name="w")
        singular = tf.placeholder(tf.float32, [2, 2], name="singular")
        runs = {
            "assert_pd": tf.linalg.LinearOperatorDiag(v).assert_positive_definite(),
            "assert_ns": tf.linalg.LinearOperatorDiag(v).assert_non_singular(),
            "assert_sa": tf.linalg.LinearOperatorFullMatrix(w).assert_self_adjoint(),
            "assert_ns_dense": tf.linalg.LinearOperatorFullMatrix(singular).assert_non_singular(),
        }
        feeds = {v: [1.0, -2.0], w: [[1.0, 2.0], [0.0, 4.0]], singular: [[1.0, 0.0], [0.0, 0.0]]}
        with tf.Session(graph=graph) as sess:
            for k, op in runs.items():
                result[f"run/{k}"] = _outcome(lambda op=op: sess.run(op, feeds))
                result[f"name/{k}"] = op.name
            result["run/ok"] = _outcome(lambda: sess.run(runs["assert_pd"], {v: [1.0, 2.0]}))
    return result


def conjugate_gradients(tf):
    """tf.linalg.experimental.conjugate_gradient: the final state's names and values, plain, from a start
    and preconditioned, and its error for an operator not known to be positive definite."""
    graph = tf.Graph()
    with graph.as_default():
        spd = tf.constant(SPD)
        op = tf.linalg.LinearOperatorFullMatrix(spd, is_self_adjoint=True, is_positive_definite=True)
        rhs = tf.constant(RHS[..., 0])
        states = {
            "plain": tf.linalg.experimental.conjugate_gradient(op, rhs),
            "start": tf.linalg.experimental.conjugate_gradient(op, rhs, x=rhs * 0.5, max_iter=2),
            "preconditioned": tf.linalg.experimental.conjugate_gradient(
                op, rhs, preconditioner=tf.linalg.LinearOperatorDiag(1.0 / tf.linalg.diag_part(spd),
                                                                     is_positive_definite=True), tol=1e-8),
        }
        result = {f"name/{k}/{field}": str(getattr(state, field).name) for k, state in states.items()
                  for field in ("i", "x", "r")}
        with tf.Session(graph=graph) as sess:
            values = sess.run({k: (state.i, state.x, state.r) for k, state in states.items()})
        for k, (i, x, r) in values.items():
            result[f"value/{k}/i"], result[f"value/{k}/x"] = _plain(i), _plain(x)
            result[f"value/{k}/r"] = _plain(r)
        result["error"] = _outcome(lambda: tf.linalg.experimental.conjugate_gradient(
            tf.linalg.LinearOperatorFullMatrix(spd), rhs))
    return result


CASES = {f.__name__: f for f in (full_matrix, structured, combined, errors, conjugate_gradients)}
