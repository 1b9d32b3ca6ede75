"""`tf.linalg.LinearOperator`: the base of the operator classes, as TF 2.21's (python/ops/linalg/
linear_operator.py) in graph mode: the hints and their implications, the name scopes (`<name>/<method>/`),
the shape methods, and each method's checks and default (dense) implementation. A subclass gives
`_shape`, `_shape_tensor` and `_matmul`; the others fall back to `to_dense`, as TF's. Not here: TF's
composite-tensor and batch-slicing machinery (`__getitem__`, type specs) and the dispatch of `tf.linalg`
functions on operators."""

from __future__ import annotations

import contextlib

import numpy as np

from engine.framework import dtypes, ops
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, check_ops, control_flow_ops, linalg_ops, math_ops
from engine.ops.band_ops import matrix_diag_part
from engine.ops.complex_ops import imag


def combined_hint(operator, attr, provided, message):
    """TF's use_operator_or_provided_hint_unless_contradicting: the operator's hint and the given one
    agreed into one, ValueError(message) when they contradict."""
    op_hint = getattr(operator, attr)
    if (op_hint is False and provided) or (op_hint and provided is False):
        raise ValueError(message)
    if op_hint or provided:
        return True
    if op_hint is False or provided is False:
        return False
    return None


def shape_tensor(shape, name=None):
    """A shape as a tensor (int32 for an empty one, as TF's)."""
    dtype = dtypes.int32 if isinstance(shape, (tuple, list)) and not shape else None
    return ops.convert_to_tensor(shape, dtype=dtype, name=name)


def broadcast_batch_shapes(shapes):
    """The static broadcast of batch shapes (TensorShapes); unknown where any is of unknown rank."""
    result = _ts.TensorShape([])
    for shape in shapes:
        if shape.ndims is None or result.ndims is None:
            return _ts.unknown_shape()
        a, b = result.as_list(), shape.as_list()
        n = max(len(a), len(b))
        a, b = [1] * (n - len(a)) + a, [1] * (n - len(b)) + b
        dims = []
        for x, y in zip(a, b, strict=True):
            if x == 1:
                dims.append(y)
            elif y == 1 or y == x:
                dims.append(x)
            elif x is None or y is None:
                dims.append(x if y is None else y)
            else:
                raise ValueError(f"Incompatible shapes for broadcasting: {result} and {shape}")
        result = _ts.TensorShape(dims)
    return result


def matrix_solve_with_broadcast(matrix, rhs, adjoint=False):
    """MatrixSolve of `matrix` and `rhs` with their batch dimensions broadcast. Deviation: TF first folds
    extra batch dimensions of `rhs` into its columns (the same values)."""
    with ops.name_scope(None, "MatrixSolveWithBroadcast", [matrix, rhs]):
        matrix = ops.convert_to_tensor(matrix, name="matrix")
        rhs = ops.convert_to_tensor(rhs, name="rhs", dtype=matrix.dtype)
        batch = broadcast_batch_shapes([matrix.shape[:-2], rhs.shape[:-2]])
        if batch.is_fully_defined():
            if matrix.shape[:-2].as_list() != batch.as_list():
                matrix = array_ops.broadcast_to(
                    matrix, array_ops.concat([batch.as_list(), array_ops.shape_v1(matrix)[-2:]], 0)
                )
            if rhs.shape[:-2].as_list() != batch.as_list():
                rhs = array_ops.broadcast_to(
                    rhs, array_ops.concat([batch.as_list(), array_ops.shape_v1(rhs)[-2:]], 0)
                )
        return linalg_ops.matrix_solve(matrix, rhs, adjoint=adjoint)


class LinearOperator:
    """A linear map of (batches of) matrices, represented by its structure. Hints (`is_non_singular`,
    `is_self_adjoint`, `is_positive_definite`, `is_square`) are promises: `True`, `False` or `None`."""

    def __init__(self, dtype, graph_parents=None, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None, parameters=None):
        if is_positive_definite:
            if is_non_singular is False:
                raise ValueError("A positive definite matrix is always non-singular.")
            is_non_singular = True
        if is_non_singular:
            if is_square is False:
                raise ValueError("A non-singular matrix is always square.")
            is_square = True
        if is_self_adjoint:
            if is_square is False:
                raise ValueError("A self-adjoint matrix is always square.")
            is_square = True
        self._is_square_set_or_implied_by_hints = is_square
        self._graph_parents = list(graph_parents or [])
        self._dtype = dtypes.as_dtype(dtype).base_dtype if dtype else dtype
        self._is_non_singular = is_non_singular
        self._is_self_adjoint = is_self_adjoint
        self._is_positive_definite = is_positive_definite
        self._parameters = parameters
        self._name = name or type(self).__name__

    @contextlib.contextmanager
    def _name_scope(self, name=None):
        """The scope of a method's ops: `<operator name>/<method name>/`, uniquified as TF's."""
        full_name = self.name if name is None else f"{self.name}/{name}"
        with ops.name_scope(full_name) as scope:
            yield scope

    # --- hints, dtype, shapes ---------------------------------------------------------------------------

    @property
    def parameters(self):
        return dict(self._parameters or {})

    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self):
        return self._name

    @property
    def graph_parents(self):
        return self._graph_parents

    @property
    def is_non_singular(self):
        return self._is_non_singular

    @property
    def is_self_adjoint(self):
        return self._is_self_adjoint

    @property
    def is_positive_definite(self):
        return self._is_positive_definite

    @property
    def is_square(self):
        """The `is_square` hint, or whether the static domain and range dimensions are equal."""
        auto_square_check = self.domain_dimension == self.range_dimension
        if self._is_square_set_or_implied_by_hints is False and auto_square_check:
            raise ValueError("User set is_square hint to False, but the operator was square.")
        if self._is_square_set_or_implied_by_hints is None:
            return auto_square_check
        return self._is_square_set_or_implied_by_hints

    def _shape(self):
        raise NotImplementedError("_shape is not implemented.")

    def _shape_tensor(self):
        raise NotImplementedError("_shape_tensor is not implemented.")

    @property
    def shape(self):
        return self._shape()

    def shape_tensor(self, name="shape_tensor"):
        with self._name_scope(name):
            if self.shape.is_fully_defined():
                return shape_tensor(self.shape.as_list())
            return self._shape_tensor()

    @property
    def batch_shape(self):
        return self.shape[:-2]

    def batch_shape_tensor(self, name="batch_shape_tensor"):
        with self._name_scope(name):
            return self._batch_shape_tensor()

    def _batch_shape_tensor(self, shape=None):
        if self.batch_shape.is_fully_defined():
            return shape_tensor(self.batch_shape.as_list(), name="batch_shape")
        shape = self.shape_tensor() if shape is None else shape
        return shape[:-2]

    @property
    def tensor_rank(self):
        return self.shape.ndims

    def tensor_rank_tensor(self, name="tensor_rank_tensor"):
        with self._name_scope(name):
            if self.tensor_rank is not None:
                return ops.convert_to_tensor(self.tensor_rank)
            return array_ops.size(self.shape_tensor())

    @property
    def domain_dimension(self):
        if self.shape.ndims is None:
            return _ts.Dimension(None)
        return self.shape.dims[-1]

    def domain_dimension_tensor(self, name="domain_dimension_tensor"):
        with self._name_scope(name):
            return self._domain_dimension_tensor()

    def _domain_dimension_tensor(self, shape=None):
        value = self.domain_dimension.value
        if value is not None:
            return ops.convert_to_tensor(value)
        shape = self.shape_tensor() if shape is None else shape
        return shape[-1]

    @property
    def range_dimension(self):
        if self.shape.dims:
            return self.shape.dims[-2]
        return _ts.Dimension(None)

    def range_dimension_tensor(self, name="range_dimension_tensor"):
        with self._name_scope(name):
            return self._range_dimension_tensor()

    def _range_dimension_tensor(self, shape=None):
        value = self.range_dimension.value
        if value is not None:
            return ops.convert_to_tensor(value)
        shape = self.shape_tensor() if shape is None else shape
        return shape[-2]

    # --- run-time checks --------------------------------------------------------------------------------

    def _max_condition_number_to_be_non_singular(self):
        with ops.name_scope("max_nonsingular_condition_number"):
            dtype_eps = np.finfo(self.dtype.as_numpy_dtype).eps
            largest = math_ops.reduce_max(
                [
                    100.0,
                    array_ops.cast(self.range_dimension_tensor(), self.dtype),
                    array_ops.cast(self.domain_dimension_tensor(), self.dtype),
                ]
            )
            return 1.0 / (array_ops.cast(largest, self.dtype) * dtype_eps)

    def _assert_non_singular(self):
        if self._can_use_cholesky():
            return self.assert_positive_definite()
        singular_values = linalg_ops.svd(self.to_dense(), compute_uv=False)
        cond = math_ops.reduce_max(singular_values, axis=-1) / math_ops.reduce_min(singular_values, axis=-1)
        return check_ops.assert_less(
            cond,
            self._max_condition_number_to_be_non_singular(),
            message="Singular matrix up to precision epsilon.",
        )

    def assert_non_singular(self, name="assert_non_singular"):
        """An op that fails when the operator is singular (its condition number beyond 1 / eps)."""
        with self._name_scope(name):
            return self._assert_non_singular()

    def _assert_positive_definite(self):
        if self.is_self_adjoint:
            return check_ops.assert_positive(
                matrix_diag_part(linalg_ops.cholesky(self.to_dense())),
                message="Matrix was not positive definite.",
            )
        raise NotImplementedError("assert_positive_definite is not implemented.")

    def assert_positive_definite(self, name="assert_positive_definite"):
        """An op that fails unless the (self-adjoint) operator is positive definite."""
        with self._name_scope(name):
            return self._assert_positive_definite()

    def _assert_self_adjoint(self):
        dense = self.to_dense()
        return check_ops.assert_equal(
            dense, linalg_ops.adjoint(dense), message="Matrix was not equal to its adjoint."
        )

    def assert_self_adjoint(self, name="assert_self_adjoint"):
        """An op that fails unless the operator equals its adjoint."""
        with self._name_scope(name):
            return self._assert_self_adjoint()

    def _check_input_dtype(self, arg):
        if arg.dtype.base_dtype != self.dtype:
            raise TypeError(
                f"Expected argument to have dtype {self.dtype}.  Found: {arg.dtype} in tensor {arg}"
            )

    # --- products and solves ----------------------------------------------------------------------------

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        raise NotImplementedError("_matmul is not implemented.")

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        """`self @ x` for a Tensor x ([..., N, R]) or a LinearOperator (a composition, as TF's)."""
        if isinstance(x, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = x.adjoint() if adjoint_arg else x
            _check_operators_compatible(left, right, "x")
            with self._name_scope(name):
                return self._linop_matmul(left, right)
        with self._name_scope(name):
            x = ops.convert_to_tensor(x, name="x")
            self._check_input_dtype(x)
            self_dim, arg_dim = (-2 if adjoint else -1), (-1 if adjoint_arg else -2)
            _dimension(self.shape, self_dim).assert_is_compatible_with(_dimension(x.shape, arg_dim))
            return self._matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def __matmul__(self, other):
        return self.matmul(other)

    def _linop_matmul(self, left_operator, right_operator):
        from engine.linalg.linear_operator_composition import LinearOperatorComposition

        # TF recognises the identity and the zero operator by their diagonals' methods
        if hasattr(right_operator, "_ones_diag") and not hasattr(right_operator, "multiplier"):
            return left_operator
        if hasattr(right_operator, "_zeros_diag"):
            if not right_operator.is_square or not left_operator.is_square:
                raise ValueError("Matmul with non-square `LinearOperator`s or non-square "
                                 "`LinearOperatorZeros` not supported at this time.")
            return right_operator

        return LinearOperatorComposition(
            [left_operator, right_operator], **_product_hints(left_operator, right_operator)
        )

    def _matvec(self, x, adjoint=False):
        y = self.matmul(array_ops.expand_dims(x, axis=-1), adjoint=adjoint)
        return array_ops.squeeze(y, axis=-1)

    def matvec(self, x, adjoint=False, name="matvec"):
        """`self @ x` for a vector x ([..., N])."""
        with self._name_scope(name):
            x = ops.convert_to_tensor(x, name="x")
            self._check_input_dtype(x)
            _dimension(self.shape, -2 if adjoint else -1).assert_is_compatible_with(_dimension(x.shape, -1))
            return self._matvec(x, adjoint=adjoint)

    def _dense_solve(self, rhs, adjoint=False, adjoint_arg=False):
        if self.is_square is False:
            raise NotImplementedError("Solve is not yet implemented for non-square operators.")
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        if self._can_use_cholesky():
            return linalg_ops.cholesky_solve(linalg_ops.cholesky(self.to_dense()), rhs)
        return matrix_solve_with_broadcast(self.to_dense(), rhs, adjoint=adjoint)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._dense_solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _check_solvable(self):
        if self.is_non_singular is False:
            raise NotImplementedError(
                "Exact solve not implemented for an operator that is expected to be singular."
            )
        if self.is_square is False:
            raise NotImplementedError(
                "Exact solve not implemented for an operator that is expected to not be square."
            )

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        """X with `self @ X = rhs` (a Tensor [..., M, R], or a LinearOperator: a composition)."""
        self._check_solvable()
        if isinstance(rhs, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = rhs.adjoint() if adjoint_arg else rhs
            _check_operators_compatible(left, right, "rhs")
            with self._name_scope(name):
                return self._linop_solve(left, right)
        with self._name_scope(name):
            rhs = ops.convert_to_tensor(rhs, name="rhs")
            self._check_input_dtype(rhs)
            self_dim, arg_dim = (-1 if adjoint else -2), (-1 if adjoint_arg else -2)
            _dimension(self.shape, self_dim).assert_is_compatible_with(_dimension(rhs.shape, arg_dim))
            return self._solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _linop_solve(self, left_operator, right_operator):
        from engine.linalg.linear_operator_composition import LinearOperatorComposition
        from engine.linalg.linear_operator_inversion import LinearOperatorInversion

        if hasattr(right_operator, "_ones_diag") and not hasattr(right_operator, "multiplier"):
            return left_operator.inverse()

        return LinearOperatorComposition(
            [LinearOperatorInversion(left_operator), right_operator],
            **_product_hints(left_operator, right_operator),
        )

    def _solvevec(self, rhs, adjoint=False):
        solution = self.solve(array_ops.expand_dims(rhs, axis=-1), adjoint=adjoint)
        return array_ops.squeeze(solution, axis=-1)

    def solvevec(self, rhs, adjoint=False, name="solve"):
        """x with `self @ x = rhs` for a vector rhs ([..., M])."""
        self._check_solvable()
        with self._name_scope(name):
            rhs = ops.convert_to_tensor(rhs, name="rhs")
            self._check_input_dtype(rhs)
            _dimension(self.shape, -1 if adjoint else -2).assert_is_compatible_with(_dimension(rhs.shape, -1))
            return self._solvevec(rhs, adjoint=adjoint)

    # --- determinants and parts -------------------------------------------------------------------------

    def _check_square_for_determinant(self):
        if self.is_square is False:
            raise NotImplementedError(
                "Determinant not implemented for an operator that is expected to not be square."
            )

    def _determinant(self):
        if self._can_use_cholesky():
            return math_ops.exp(self.log_abs_determinant())
        return linalg_ops.matrix_determinant(self.to_dense())

    def determinant(self, name="det"):
        self._check_square_for_determinant()
        with self._name_scope(name):
            return self._determinant()

    def _log_abs_determinant(self):
        if self._can_use_cholesky():
            diag = matrix_diag_part(linalg_ops.cholesky(self.to_dense()))
            return 2 * math_ops.reduce_sum(math_ops.log(diag), axis=[-1])
        return linalg_ops.slogdet(self.to_dense())[1]

    def log_abs_determinant(self, name="log_abs_det"):
        self._check_square_for_determinant()
        with self._name_scope(name):
            return self._log_abs_determinant()

    def _to_dense(self):
        batch = (
            self.batch_shape.as_list() if self.batch_shape.is_fully_defined() else self.batch_shape_tensor()
        )
        n = self.domain_dimension.value
        n = self.domain_dimension_tensor() if n is None else n
        return self.matmul(array_ops.eye(n, batch_shape=batch, dtype=self.dtype))

    def to_dense(self, name="to_dense"):
        """The operator as a dense Tensor [..., M, N]."""
        with self._name_scope(name):
            return self._to_dense()

    def _diag_part(self):
        return matrix_diag_part(self.to_dense())

    def diag_part(self, name="diag_part"):
        with self._name_scope(name):
            return self._diag_part()

    def _trace(self):
        return math_ops.reduce_sum(self.diag_part(), axis=-1)

    def trace(self, name="trace"):
        with self._name_scope(name):
            return self._trace()

    def _add_to_tensor(self, x):
        return self.to_dense() + x

    def add_to_tensor(self, x, name="add_to_tensor"):
        """`self.to_dense() + x`."""
        with self._name_scope(name):
            x = ops.convert_to_tensor(x, name="x")
            self._check_input_dtype(x)
            return self._add_to_tensor(x)

    def _eigvals(self):
        return linalg_ops.self_adjoint_eigvals(self.to_dense())

    def eigvals(self, name="eigvals"):
        if not self.is_self_adjoint:
            raise NotImplementedError("Only self-adjoint matrices are supported.")
        with self._name_scope(name):
            return self._eigvals()

    def _cond(self):
        if not self.is_self_adjoint:
            vals = linalg_ops.svd(self.to_dense(), compute_uv=False)
        else:
            vals = math_ops.abs(self._eigvals())
        return math_ops.reduce_max(vals, axis=-1) / math_ops.reduce_min(vals, axis=-1)

    def cond(self, name="cond"):
        """The condition number (largest over smallest singular value)."""
        with self._name_scope(name):
            return self._cond()

    def _can_use_cholesky(self):
        return self.is_self_adjoint and self.is_positive_definite

    # --- derived operators ------------------------------------------------------------------------------

    def adjoint(self, name="adjoint"):
        """The adjoint operator (`self` when it is self-adjoint)."""
        if self.is_self_adjoint is True:
            return self
        with self._name_scope(name):
            return self._linop_adjoint()

    H = property(adjoint, None)

    def _linop_adjoint(self):
        from engine.linalg.linear_operator_adjoint import LinearOperatorAdjoint

        return LinearOperatorAdjoint(self, is_non_singular=self.is_non_singular,
                                     is_self_adjoint=self.is_self_adjoint,
                                     is_positive_definite=self.is_positive_definite, is_square=self.is_square)

    def inverse(self, name="inverse"):
        """The inverse operator."""
        if self.is_square is False:
            raise ValueError("Cannot take the Inverse: This operator represents a non square matrix.")
        if self.is_non_singular is False:
            raise ValueError("Cannot take the Inverse: This operator represents a singular matrix.")
        with self._name_scope(name):
            return self._linop_inverse()

    def _linop_inverse(self):
        from engine.linalg.linear_operator_inversion import LinearOperatorInversion

        return LinearOperatorInversion(self, is_non_singular=self.is_non_singular,
                                       is_self_adjoint=self.is_self_adjoint,
                                       is_positive_definite=self.is_positive_definite,
                                       is_square=self.is_square)

    def cholesky(self, name="cholesky"):
        """The lower-triangular Cholesky factor, as an operator."""
        if not self._can_use_cholesky():
            raise ValueError(
                "Cannot take the Cholesky decomposition: Not a positive definite self adjoint matrix."
            )
        with self._name_scope(name):
            return self._linop_cholesky()

    def _linop_cholesky(self):
        from engine.linalg.linear_operator_lower_triangular import LinearOperatorLowerTriangular

        return LinearOperatorLowerTriangular(
            linalg_ops.cholesky(self.to_dense()), is_non_singular=True, is_self_adjoint=False, is_square=True
        )


def _dimension(shape, index):
    """`shape`'s dimension at `index`, unknown for an unknown rank (TF's dimension_at_index)."""
    if shape.ndims is None:
        return _ts.Dimension(None)
    return shape.dims[index]


def _check_operators_compatible(left, right, arg):
    if (
        right.range_dimension.value is not None
        and left.domain_dimension.value is not None
        and right.range_dimension.value != left.domain_dimension.value
    ):
        raise ValueError(
            f"Operators are incompatible. Expected `{arg}` to have dimension "
            f"{left.domain_dimension} but got {right.range_dimension}."
        )


def _product_hints(left, right):
    """The hints TF gives the composition of two operators (its property_hint_util)."""
    if left.is_square and right.is_square:
        is_square = True
    elif (
        left.is_square is False
        and right.is_square is False
        and None not in (left.range_dimension.value, right.domain_dimension.value)
    ):
        is_square = left.range_dimension.value == right.domain_dimension.value
    elif left.is_square is not None and right.is_square is not None and left.is_square != right.is_square:
        is_square = False
    else:
        is_square = None
    hints = {
        "is_square": is_square,
        "is_non_singular": None,
        "is_self_adjoint": None,
        "is_positive_definite": None,
    }
    if is_square:
        if left.is_non_singular is False or right.is_non_singular is False:
            hints["is_non_singular"] = False
        else:
            hints["is_non_singular"] = left.is_non_singular and right.is_non_singular
    elif is_square is False:
        hints.update(is_non_singular=False, is_self_adjoint=False, is_positive_definite=False)
    return hints


def assert_no_entries_with_modulus_zero(x, message=None, name="assert_no_entries_with_modulus_zero"):
    with ops.name_scope(name, values=[x]):
        x = ops.convert_to_tensor(x, name="x")
        zero = ops.convert_to_tensor(0, dtype=x.dtype.base_dtype.real_dtype)
        return check_ops.assert_less(zero, math_ops.abs(x), message=message)


def assert_zero_imag_part(x, message=None, name="assert_zero_imag_part"):
    with ops.name_scope(name, values=[x]):
        x = ops.convert_to_tensor(x, name="x")
        if x.dtype.base_dtype.is_floating:
            return control_flow_ops.no_op()
        zero = ops.convert_to_tensor(0, dtype=x.dtype.base_dtype.real_dtype)
        return check_ops.assert_equal(zero, imag(x), message=message)


def arguments(local_names):
    """A constructor's arguments from its `locals()` taken first thing (TF's `parameters`)."""
    return {k: v for k, v in local_names.items() if k not in ("self", "__class__")}


def _same_dtype_message(names):
    return "Expected all operators to have the same dtype.  Found " + "   ".join(names)


def checked_operators(operators, empty_message="Expected a non-empty list of operators. Found: {}",
                      dtype_message=_same_dtype_message):
    """The list of operators of a combined operator and their one dtype, with TF's errors (the defaults
    are the composition's and the block diagonal's)."""
    check_ops.assert_proper_iterable(operators)
    operators = list(operators)
    if not operators:
        raise ValueError(empty_message.format(operators))
    dtype = operators[0].dtype
    if any(operator.dtype != dtype for operator in operators):
        raise TypeError(dtype_message([str((o.name, o.dtype)) for o in operators]))
    return operators, dtype


def implied_hint(operators, attr, given, message):
    """True when every operator has the hint (ValueError(message) if `given` is False), else `given`."""
    if all(getattr(operator, attr) for operator in operators):
        if given is False:
            raise ValueError(message)
        return True
    return given


def batch_shape_tensor_of(operators):
    """The broadcast batch shape of operators, at run time (the shape of a sum of zeros, as TF's)."""
    zeros = array_ops.zeros(operators[0].batch_shape_tensor())
    for operator in operators[1:]:
        zeros += array_ops.zeros(operator.batch_shape_tensor())
    return array_ops.shape_v1(zeros)


def chained(values, combine):
    """values[0] combined with each next one in turn (TF's running products and sums of the factors')."""
    result = values[0]
    for value in values[1:]:
        result = combine(result, value)
    return result


class WrappedOperator(LinearOperator):
    """An operator defined by another (its adjoint or its inverse): the hints combined with the operator's
    as TF's ("An operator is square if and only if its adjoint is square."), the name `<operator><suffix>`,
    and the run-time checks the operator's."""

    _relation = ""
    _suffix = ""

    def __init__(self, operator, is_non_singular, is_self_adjoint, is_positive_definite, is_square, name,
                 parameters):
        self._operator = operator
        hints = {}
        given_hints = (("is_square", is_square), ("is_non_singular", is_non_singular),
                       ("is_self_adjoint", is_self_adjoint), ("is_positive_definite", is_positive_definite))
        for attr, given in given_hints:
            word = attr[3:].replace("_", "-")
            message = f"An operator is {word} if and only if its {self._relation} is {word}."
            hints[attr] = combined_hint(operator, attr, given, message)
        name = operator.name + self._suffix if name is None else name
        with ops.name_scope(name):
            super().__init__(dtype=operator.dtype, parameters=parameters, name=name, **hints)

    @property
    def operator(self):
        return self._operator

    def _assert_non_singular(self):
        return self.operator.assert_non_singular()

    def _assert_positive_definite(self):
        return self.operator.assert_positive_definite()

    def _assert_self_adjoint(self):
        return self.operator.assert_self_adjoint()

    def _cond(self):
        return self.operator.cond()


class CombinedOperator(LinearOperator):
    """An operator made of a list of operators (composition, Kronecker product, direct sum), named by
    joining theirs with `_joiner` unless given a name."""

    _joiner = ""

    def _init_combined(self, operators, dtype, name, parameters, **hints):
        self._operators = operators
        name = self._joiner.join(operator.name for operator in operators) if name is None else name
        with ops.name_scope(name):
            LinearOperator.__init__(self, dtype=dtype, parameters=parameters, name=name, **hints)

    @property
    def operators(self):
        return self._operators
