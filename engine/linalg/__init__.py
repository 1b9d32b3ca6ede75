"""`tf.linalg`: the matrix ops the engine has, under TF's ``tf.linalg`` names (re-exports only; the
decompositions and solves are engine/ops/linalg_ops.py, band and diagonal parts band_ops.py, norms
norm_ops.py, tridiagonal systems tridiagonal_ops.py), and the `LinearOperator` classes (this package's
linear_operator*.py modules, one class family each).

``tf.linalg.diag`` and ``set_diag`` are ``tf.matrix_diag`` and ``tf.matrix_set_diag`` (with TF 2.x's bands
``k``); ``transpose`` is ``tf.matrix_transpose``, as in TF.
"""



from engine.linalg import experimental  # noqa: F401 - the tf.linalg.experimental namespace
from engine.linalg.linear_operator import LinearOperator
from engine.linalg.linear_operator_adjoint import LinearOperatorAdjoint
from engine.linalg.linear_operator_block_diag import LinearOperatorBlockDiag
from engine.linalg.linear_operator_block_lower_triangular import LinearOperatorBlockLowerTriangular
from engine.linalg.linear_operator_circulant import (
    LinearOperatorCirculant,
    LinearOperatorCirculant2D,
    LinearOperatorCirculant3D,
)
from engine.linalg.linear_operator_composition import LinearOperatorComposition
from engine.linalg.linear_operator_diag import LinearOperatorDiag
from engine.linalg.linear_operator_full_matrix import LinearOperatorFullMatrix
from engine.linalg.linear_operator_householder import LinearOperatorHouseholder
from engine.linalg.linear_operator_identity import LinearOperatorIdentity, LinearOperatorScaledIdentity
from engine.linalg.linear_operator_inversion import LinearOperatorInversion
from engine.linalg.linear_operator_kronecker import LinearOperatorKronecker
from engine.linalg.linear_operator_low_rank_update import LinearOperatorLowRankUpdate
from engine.linalg.linear_operator_lower_triangular import LinearOperatorLowerTriangular
from engine.linalg.linear_operator_permutation import LinearOperatorPermutation
from engine.linalg.linear_operator_toeplitz import LinearOperatorToeplitz
from engine.linalg.linear_operator_tridiag import LinearOperatorTridiag
from engine.linalg.linear_operator_zeros import LinearOperatorZeros
from engine.ops.array_ops import eye, matrix_transpose
from engine.ops.array_ops import matrix_transpose as transpose
from engine.ops.band_ops import matrix_band_part as band_part
from engine.ops.band_ops import matrix_diag as diag
from engine.ops.band_ops import matrix_diag_part as diag_part
from engine.ops.band_ops import matrix_set_diag as set_diag
from engine.ops.band_ops import trace
from engine.ops.clip_ops import global_norm
from engine.ops.diag_ops import cross
from engine.ops.diag_ops import diag as tensor_diag
from engine.ops.diag_ops import diag_part as tensor_diag_part
from engine.ops.einsum_op import einsum
from engine.ops.linalg_ops import adjoint, cholesky, cholesky_solve, logdet, pinv, qr, slogdet, svd
from engine.ops.linalg_ops import matrix_determinant as det
from engine.ops.linalg_ops import matrix_inverse as inv
from engine.ops.linalg_ops import matrix_solve as solve
from engine.ops.linalg_ops import matrix_solve_ls as lstsq
from engine.ops.linalg_ops import matrix_triangular_solve as triangular_solve
from engine.ops.linalg_ops import self_adjoint_eig as eigh
from engine.ops.linalg_ops import self_adjoint_eigvals as eigvalsh
from engine.ops.lu_ops import lu, lu_matrix_inverse, lu_reconstruct, lu_solve
from engine.ops.math_ops import matmul, tensordot
from engine.ops.math_ops.matmul import matvec
from engine.ops.matrix_functions import expm, logm, matrix_rank, sqrtm
from engine.ops.nn_impl import l2_normalize
from engine.ops.norm_ops import norm, normalize
from engine.ops.tridiagonal_ops import eigh_tridiagonal, tridiagonal_matmul, tridiagonal_solve

__all__ = ["diag", "eye", "global_norm", "matmul", "matrix_transpose", "set_diag", "tensordot", "transpose"]
# Issue 17's linear algebra.
__all__ += ["adjoint", "band_part", "cholesky", "cholesky_solve", "det", "diag_part", "eigh", "eigvalsh",
            "inv", "logdet", "lstsq", "norm", "qr", "slogdet", "solve", "svd", "trace", "triangular_solve"]
__all__ += ["cross", "tensor_diag", "tensor_diag_part"]
__all__ += ["pinv"]
__all__ += ["expm", "logm", "lu", "lu_matrix_inverse", "lu_reconstruct", "lu_solve", "matrix_rank", "sqrtm"]
__all__ += ["einsum", "l2_normalize", "matvec", "normalize"]
__all__ += ["eigh_tridiagonal", "tridiagonal_matmul", "tridiagonal_solve"]
__all__ += ["LinearOperator", "LinearOperatorAdjoint", "LinearOperatorBlockDiag", "LinearOperatorComposition",
            "LinearOperatorDiag", "LinearOperatorFullMatrix", "LinearOperatorIdentity",
            "LinearOperatorInversion", "LinearOperatorKronecker", "LinearOperatorLowerTriangular",
            "LinearOperatorScaledIdentity", "LinearOperatorToeplitz", "LinearOperatorLowRankUpdate",
            "LinearOperatorCirculant", "LinearOperatorTridiag", "LinearOperatorHouseholder",
            "LinearOperatorPermutation", "LinearOperatorZeros", "LinearOperatorCirculant2D",
            "LinearOperatorCirculant3D", "LinearOperatorBlockLowerTriangular"]
