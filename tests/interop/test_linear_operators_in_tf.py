"""The `tf.linalg.LinearOperator` classes against real TensorFlow: the same code
(tests/interop/linear_operator_cases.py) run by both gives the same tensor names, static shapes, values
and gradients, the same hints and derived operator types, and the same errors (build and run time).
Needs real TensorFlow (the `tf_python` fixture)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import engine
from tests.interop import linear_operator_cases
from tests.interop.tf_cases import run_cases_in_tf

# Names that differ by design (docs/engine.md): the engine's tf.eye builds MatrixDiag where TF 2's builds
# MatrixDiagV3 ("eye/diag"), the block operators' to_dense pad and concatenate their blocks once, and
# LinearOperatorKronecker's matmul and solve and LinearOperatorToeplitz's matmul go through the dense
# product, and LinearOperatorPermutation gathers rows in one GatherV2 (TF: broadcasts, reshapes and
# gathers). Their values are compared.
NAMES_APART = {
    "structured": {"name/identity_to_dense", "name/identity_plain_to_dense", "name/toeplitz_matmul",
                   "name/toeplitz_matmul_adjoint", "name/toeplitz_matmul_adjoint_arg",
                   *(f"name/{p}_{m}" for p in ("permutation", "permutation_batch")
                     for m in ("matmul", "matmul_adjoint", "matmul_adjoint_arg", "solve", "solve_adjoint"))},
    "combined": {"name/block_diag_to_dense", "name/blt_to_dense", "name/kron3_matmul",
                 "name/kron3_matmul_adjoint", "name/kron3_matmul_adjoint_arg", "name/kron3_solve",
                 "name/kron3_solve_adjoint"},
}


@pytest.fixture(scope="module")
def tf_results(tf_python):
    return run_cases_in_tf(tf_python, "linear_operator_cases")


@pytest.mark.parametrize("name", list(linear_operator_cases.CASES))
def test_case_matches_tensorflow(tf_results, name):
    ours = json.loads(json.dumps(linear_operator_cases.CASES[name](engine)))
    theirs = tf_results[name]
    assert sorted(ours) == sorted(theirs)
    apart = NAMES_APART.get(name, set())
    for key, mine in ours.items():
        if key in apart:
            continue
        if key.startswith("value/"):
            rtol = 1e-5 if "complex_" in key else 1e-7  # complex64 FFTs round differently
            np.testing.assert_allclose(np.asarray(mine, float), np.asarray(theirs[key], float), rtol=rtol,
                                       atol=1e-9, err_msg=key)
        else:
            assert mine == theirs[key], key
