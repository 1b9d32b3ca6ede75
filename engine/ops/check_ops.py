"""The `tf.assert_*` family (TF's check_ops): `tf.Assert`s with TF's names, data and messages.

Each returns the op to depend on (``with tf.control_dependencies([tf.assert_positive(x)])``).  When
every value the check reads is known at graph construction the check happens then, as in TF: a passing
one is a NoOp, a failing one raises InvalidArgumentError (ValueError for a static `assert_rank`).
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, tensor_util
from engine.ops import array_ops, constant_op, control_flow_ops, math_ops
from engine.ops.cond import cond
from engine.ops.control_flow_ops import no_op
from engine.ops.logging_ops import Assert


def _message_prefix(message):
    return "" if message is None else f"{message}.  "


def _static_value(t):
    if not isinstance(t, ops.Tensor):
        return t
    try:
        return tensor_util.constant_value(t)
    except Exception:  # noqa: BLE001 - not a constant: checked when the graph runs
        return None


def _assert_static(condition, data):
    if not condition:
        text = "\n".join(str(v) if not isinstance(v, ops.Tensor) else str(_static_value(v)) for v in data)
        raise errors.InvalidArgumentError(None, None, text)


def _binary_assert(sym, opname, test, static_test, x, y, data, summarize, message, name):
    with ops.name_scope(name, opname, [x, y, data]):
        x = ops.convert_to_tensor(x, name="x")
        y = ops.convert_to_tensor(y, name="y")
        if data is None:
            data = [
                f"Condition x {sym} y did not hold element-wise:",
                f"x ({x.name}) = ",
                x,
                f"y ({y.name}) = ",
                y,
            ]
        if message is not None:
            data = [message, *data]
        x_static, y_static = _static_value(x), _static_value(y)
        if x_static is not None and y_static is not None:
            _assert_static(bool(np.all(static_test(x_static, y_static))), data)
            return no_op()
        condition = math_ops.reduce_all(test(x, y))
        return Assert(condition, data, summarize=summarize)


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """An op that fails unless ``x == y`` holds element-wise."""
    # TF's v1 wrapper opens its own scope first (to short-cut `x is y`), so a graph's first
    # assert_equal builds its ops under `assert_equal_1/`: the names follow it.
    with ops.name_scope(name, "assert_equal", [x, y, data]):
        if x is y:
            return no_op()
    return _binary_assert(
        "==", "assert_equal", math_ops.equal, np.equal, x, y, data, summarize, message, name
    )


def assert_none_equal(x, y, data=None, summarize=None, message=None, name=None):
    """An op that fails unless ``x != y`` holds element-wise."""
    return _binary_assert(
        "!=", "assert_none_equal", math_ops.not_equal, np.not_equal, x, y, data, summarize, message, name
    )


def assert_less(x, y, data=None, summarize=None, message=None, name=None):
    """An op that fails unless ``x < y`` holds element-wise."""
    return _binary_assert("<", "assert_less", math_ops.less, np.less, x, y, data, summarize, message, name)


def assert_less_equal(x, y, data=None, summarize=None, message=None, name=None):
    """An op that fails unless ``x <= y`` holds element-wise."""
    return _binary_assert(
        "<=", "assert_less_equal", math_ops.less_equal, np.less_equal, x, y, data, summarize, message, name
    )


def assert_greater(x, y, data=None, summarize=None, message=None, name=None):
    """An op that fails unless ``x > y`` holds element-wise."""
    return _binary_assert(
        ">", "assert_greater", math_ops.greater, np.greater, x, y, data, summarize, message, name
    )


def assert_greater_equal(x, y, data=None, summarize=None, message=None, name=None):
    """An op that fails unless ``x >= y`` holds element-wise."""
    return _binary_assert(
        ">=",
        "assert_greater_equal",
        math_ops.greater_equal,
        np.greater_equal,
        x,
        y,
        data,
        summarize,
        message,
        name,
    )


def _sign_assert(opname, sym, zero_first, check, x, data, summarize, message, name):
    """assert_positive & co: `check(0, x)` or `check(x, 0)` with TF's data (message prefix first)."""
    with ops.name_scope(name, opname, [x, data]):
        x = ops.convert_to_tensor(x, name="x")
        if data is None:
            condition = f"Condition x {sym} 0 did not hold element-wise:"
            if opname == "assert_non_positive":  # TF's list lacks a comma here: one string, so one [...]
                data = [_message_prefix(message), f"{condition}x ({x.name}) = ", x]
            else:
                data = [_message_prefix(message), condition, f"x ({x.name}) = ", x]
        zero = ops.convert_to_tensor(0, dtype=x.dtype.base_dtype)
        pair = (zero, x) if zero_first else (x, zero)
        return check(*pair, data=data, summarize=summarize)


def assert_positive(x, data=None, summarize=None, message=None, name=None):
    """An op that fails unless ``x > 0`` holds element-wise."""
    return _sign_assert("assert_positive", ">", True, assert_less, x, data, summarize, message, name)


def assert_negative(x, data=None, summarize=None, message=None, name=None):
    """An op that fails unless ``x < 0`` holds element-wise."""
    return _sign_assert("assert_negative", "<", False, assert_less, x, data, summarize, message, name)


def assert_non_negative(x, data=None, summarize=None, message=None, name=None):
    """An op that fails unless ``x >= 0`` holds element-wise."""
    return _sign_assert(
        "assert_non_negative", ">=", True, assert_less_equal, x, data, summarize, message, name
    )


def assert_non_positive(x, data=None, summarize=None, message=None, name=None):
    """An op that fails unless ``x <= 0`` holds element-wise."""
    return _sign_assert(
        "assert_non_positive", "<=", False, assert_less_equal, x, data, summarize, message, name
    )


def assert_rank(x, rank, data=None, summarize=None, message=None, name=None):
    """An op that fails unless `x` has rank `rank`; ValueError at once when the static rank differs."""
    with ops.name_scope(name, "assert_rank", (x, rank, *(data or []))):
        x = ops.convert_to_tensor(x, name="x")
        rank = ops.convert_to_tensor(rank, name="rank")
        prefix = _message_prefix(message)
        if data is None:  # built before the static check, as TF (a passing check leaves the Shape op)
            data = [prefix, f"Tensor {x.name} must have rank", rank, "Received shape: ",
                    array_ops.shape_v1(x)]
        return _assert_rank_condition(
            x, [rank], lambda actual, given: actual == given[0],
            lambda actual, given: math_ops.equal(actual, given[0]), data, summarize,
            lambda given: f"{prefix}Tensor {x.name} must have rank {given[0]}.  Received rank "
                          f"{x.shape.ndims}, shape {x.shape}")


def _assert_rank_condition(x, ranks, static_condition, dynamic_condition, data, summarize, failure):
    """An Assert of `dynamic_condition(rank(x), ranks)`, or, when x's rank and every rank are known, a
    NoOp or ValueError(failure(the given ranks))."""
    for rank in ranks:
        assert_type(rank, "int32")
    ranks_static = [tensor_util.constant_value(rank) for rank in ranks]
    if all(r is not None for r in ranks_static):
        if any(np.ndim(r) != 0 for r in ranks_static):
            raise ValueError("Rank must be a scalar.")
        if x.shape.ndims is not None:
            given = [int(r) for r in ranks_static]
            if not static_condition(x.shape.ndims, given):
                raise ValueError(failure(given))
            return no_op(name="static_checks_determined_all_ok")
    condition = dynamic_condition(array_ops.rank(x), ranks)
    for rank, rank_static in zip(ranks, ranks_static, strict=True):
        if rank_static is None:
            rank_check = Assert(math_ops.equal(array_ops.rank(rank), 0),
                                ["Rank must be a scalar. Received rank: ", rank])
            condition = control_flow_ops.with_dependencies([rank_check], condition)
    return Assert(condition, data, summarize=summarize)


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name=None):
    """An op that fails unless `x` has rank `rank` or more; ValueError at once when the static rank is
    lower."""
    with ops.name_scope(name, "assert_rank_at_least", (x, rank, *(data or []))):
        x = ops.convert_to_tensor(x, name="x")
        rank = ops.convert_to_tensor(rank, name="rank")
        prefix = _message_prefix(message)
        if data is None:
            data = [prefix, f"Tensor {x.name} must have rank at least", rank, "Received shape: ",
                    array_ops.shape_v1(x)]
        return _assert_rank_condition(
            x, [rank], lambda actual, given: actual >= given[0],
            lambda actual, given: math_ops.greater_equal(actual, given[0]), data, summarize,
            lambda given: f"{prefix}Tensor {x.name} must have rank at least {given[0]}.  Received rank "
                          f"{x.shape.ndims}, shape {x.shape}")


def assert_rank_in(x, ranks, data=None, summarize=None, message=None, name=None):
    """An op that fails unless the rank of `x` is one of `ranks`; ValueError at once when the static rank
    is none of them."""
    with ops.name_scope(name, "assert_rank_in", (x, *ranks, *(data or []))):
        x = ops.convert_to_tensor(x, name="x")
        ranks = [ops.convert_to_tensor(rank, name="rank") for rank in ranks]
        prefix = _message_prefix(message)
        if data is None:
            data = [prefix, f"Tensor {x.name} must have rank in", *ranks, "Received shape: ",
                    array_ops.shape_v1(x)]

        def any_equal(actual, given):
            if not given:
                return ops.convert_to_tensor(False)
            result = math_ops.equal(given[0], actual)
            for rank in given[1:]:
                result = math_ops.logical_or(result, math_ops.equal(rank, actual))
            return result

        return _assert_rank_condition(
            x, ranks, lambda actual, given: actual in given, any_equal, data, summarize,
            lambda given: f"{prefix}Tensor {x.name} must have rank in {tuple(given)}.  Received rank "
                          f"{x.shape.ndims}, shape {x.shape}")


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None, name=None):
    """An op that fails unless ``|x - y| < atol + rtol * |y|`` element-wise (default tolerances 10 eps of
    the dtype)."""
    prefix = _message_prefix(message)
    with ops.name_scope(name, "assert_near", [x, y, rtol, atol, data]):
        x = ops.convert_to_tensor(x, name="x")
        y = ops.convert_to_tensor(y, name="y", dtype=x.dtype)
        dtype = x.dtype.real_dtype if x.dtype.is_complex else x.dtype
        eps = np.finfo(dtype.as_numpy_dtype).eps
        rtol = ops.convert_to_tensor(10 * eps if rtol is None else rtol, name="rtol", dtype=dtype)
        atol = ops.convert_to_tensor(10 * eps if atol is None else atol, name="atol", dtype=dtype)
        if data is None:
            # TF formats the tolerance tensors themselves into the text (`Tensor("assert_near/rtol:0", ...)`).
            data = [prefix, f"x and y not equal to tolerance rtol = {rtol}, atol = {atol}",
                    f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
        tolerance = atol + rtol * math_ops.abs(y)
        condition = math_ops.reduce_all(math_ops.less(math_ops.abs(x - y), tolerance))
        return Assert(condition, data, summarize=summarize)


def assert_integer(x, message=None, name=None):
    """A NoOp when `x` has an integer dtype; TypeError at once otherwise."""
    with ops.name_scope(name, "assert_integer", [x]):
        x = ops.convert_to_tensor(x, name="x")
        if not x.dtype.is_integer:
            raise TypeError(f'{_message_prefix(message)}Expected "x" to be integer type.  Found: {x.name} of '
                            f"dtype {x.dtype}")
        return no_op("statically_determined_was_integer")


def assert_type(tensor, tf_type, message=None, name=None):
    """A NoOp when `tensor` has dtype `tf_type`; TypeError at once otherwise."""
    tf_type = dtypes.as_dtype(tf_type)
    with ops.name_scope(name, "assert_type", [tensor]):
        tensor = ops.convert_to_tensor(tensor, name="tensor")
        if tensor.dtype != tf_type:
            raise TypeError(f"{_message_prefix(message)}{tensor.name} must be of type {tf_type!r}; got "
                            f"{tensor.dtype!r}")
        return no_op("statically_determined_correct_type")


def assert_scalar(tensor, name=None, message=None):
    """`tensor` (converted) when its static shape is a scalar's; ValueError at once otherwise."""
    with ops.name_scope(name, "assert_scalar", [tensor]) as scope:
        tensor = ops.convert_to_tensor(tensor, name=scope)
        if tensor.shape.ndims != 0:
            raise ValueError(f"{_message_prefix(message)}Expected scalar shape for {tensor.name}, saw shape: "
                             f"{tensor.shape}.")
        return tensor


def assert_proper_iterable(values):
    """TypeError unless `values` is an iterable other than a Tensor, an ndarray or a string."""
    if isinstance(values, (ops.Tensor, np.ndarray, bytes, str)):
        raise TypeError(f'Expected argument "values" to be a "proper" iterable.  Found: {type(values)}')
    if not hasattr(values, "__iter__"):
        raise TypeError(f'Expected argument "values" to be iterable.  Found: {type(values)}')


def assert_same_float_dtype(tensors=None, dtype=None):
    """The one floating base dtype of `tensors` (and `dtype`), float32 when there is none; ValueError when
    they differ or are not floating."""
    first = None  # the tensor that set the dtype, when `dtype` was not given
    for item in tensors or []:
        if item is None:
            continue
        item_type = item.dtype.base_dtype
        if not dtype:
            dtype, first = item_type, item
        elif dtype != item_type:
            against = f" as {first.name}" if first is not None else ""
            raise ValueError(f"{item.name}, type={item_type}, must be of the same type ({dtype}){against}.")
    if not dtype:
        return dtypes.float32
    if not dtype.is_floating:
        raise ValueError(f"Expected floating point type, got {dtype}.")
    return dtype


# TF's NUMERIC_TYPES (bfloat16 and the quantized types included, though the engine computes in none of them).
_NUMERIC = frozenset(["float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64",
                      "uint8", "uint16", "uint32", "uint64", "qint8", "qint16", "qint32", "quint8", "quint16",
                      "complex64", "complex128"])


def is_numeric_tensor(tensor):
    """Whether `tensor` is a Tensor of a numeric dtype (a Python number or array is not a Tensor: False)."""
    return isinstance(tensor, ops.Tensor) and tensor.dtype.base_dtype.name in _NUMERIC


def _adjacent_comparison(x, compare):
    """`compare(x[1:], x[:-1])` of the flattened `x`, or an empty bool vector when it has fewer than two
    elements, as TF builds it (a `tf.cond`, so a short x runs no slices)."""
    x = array_ops.reshape(x, [-1])
    if not is_numeric_tensor(x):
        raise TypeError(f"Expected x to be numeric, instead found: {x}")
    is_shorter_than_two = math_ops.less(array_ops.size(x), 2)
    s_len = array_ops.shape_v1(x) - 1

    def adjacent():
        return compare(array_ops.strided_slice(x, [1], 1 + s_len), array_ops.strided_slice(x, [0], s_len))

    return cond(is_shorter_than_two, lambda: ops.convert_to_tensor([], dtype=dtypes.bool), adjacent)


def is_non_decreasing(x, name=None):
    """``tf.math.is_non_decreasing``: a bool scalar, whether ``x[i] <= x[i + 1]`` along the flattened `x`."""
    with ops.name_scope(name, "is_non_decreasing", [x]):
        return math_ops.reduce_all(_adjacent_comparison(x, math_ops.greater_equal))


def is_strictly_increasing(x, name=None):
    """``tf.math.is_strictly_increasing``: a bool scalar, whether ``x[i] < x[i + 1]`` along the flattened
    `x`."""
    with ops.name_scope(name, "is_strictly_increasing", [x]):
        return math_ops.reduce_all(_adjacent_comparison(x, math_ops.greater))


def _dimension_sizes(x):
    """Each dimension of `x`: an int where static, else a scalar Tensor; a scalar counts as shape (1,)."""
    rank = x.shape.ndims
    if rank == 0:
        return (1,)
    dynamic = array_ops.shape_v1(x)
    if rank is not None:
        return [int(d) if d is not None else dynamic[i] for i, d in enumerate(x.shape.as_list())]
    return cond(math_ops.equal(array_ops.rank(x), 0), lambda: constant_op.constant([1]), lambda: dynamic)


def _known_size(size):
    """Whether a symbolic or actual size is a known int (TF: not None and parses as an int)."""
    if size is None or isinstance(size, ops.Tensor):
        return False
    try:
        int(size)
    except (TypeError, ValueError):
        return False
    return True


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """``tf.debugging.assert_shapes``: an op (a group) that fails unless each tensor of `shapes` (pairs of
    tensor and symbolic shape, or a dict) has the shape given: ints are sizes, other symbols must be equal
    wherever they appear, ``None`` or ``'.'`` is any size, and a leading ``'*'`` or ``...`` any number of
    leading dimensions. What the static shapes decide raises ValueError at once, as TF."""
    if isinstance(shapes, dict):
        shapes = shapes.items()
    prefix = _message_prefix(message)
    with ops.name_scope(name, "assert_shapes", [shapes, data]):
        constraints = [(ops.convert_to_tensor(x), s) for x, s in shapes if s is not None]
        specs = []  # (tensor, leading dims unspecified, actual sizes, symbolic sizes)
        for tensor, symbolic in constraints:
            if not (hasattr(symbolic, "__iter__") or hasattr(symbolic, "__getitem__")):
                raise ValueError(
                    f"{prefix}Tensor {tensor.name}.  Specified shape must be an iterable.  An iterable has "
                    f"the attribute `__iter__` or `__getitem__`.  Received specified shape: {symbolic}")
            symbolic = tuple(symbolic)
            for i, symbol in enumerate(symbolic):
                if (symbol is Ellipsis or symbol == "*") and i != 0:
                    raise ValueError(
                        f"{prefix}Tensor {tensor.name} specified shape index {i}.  Symbol `...` or `*` for a "
                        "variable number of unspecified dimensions is only allowed as the first entry")
            leading = bool(symbolic) and (symbolic[0] is Ellipsis or symbolic[0] == "*")
            sizes = symbolic[1:] if leading else symbolic
            specs.append((tensor, leading, _dimension_sizes(tensor), sizes or (1,)))

        rank_assertions = []
        for tensor, leading, _, sizes in specs:
            rank = len(sizes)
            if leading:
                if rank in (0, 1):
                    continue  # any rank will do
                check = assert_rank_at_least(tensor, rank, data=data, summarize=summarize, message=message,
                                             name=name)
            elif rank in (0, 1):  # a scalar is shape (1,)
                check = assert_rank_in(tensor, [0, 1], data=data, summarize=summarize, message=message,
                                       name=name)
            else:
                check = assert_rank(tensor, rank, data=data, summarize=summarize, message=message, name=name)
            rank_assertions.append(check)

        size_assertions = []
        specified = {}  # symbol -> (size, tensor that gave it, its dimension)
        for tensor, leading, actual_sizes, sizes in specs:
            for i, symbol in enumerate(sizes):
                if symbol is None or symbol == ".":
                    continue
                dim = i - len(sizes) if leading else i
                # the size is read (a slice of the shape, when dynamic) only after the rank checks passed
                with ops.control_dependencies(rank_assertions):
                    actual = actual_sizes[dim]
                if not (_known_size(symbol) or symbol in specified):
                    specified[symbol] = (actual, tensor, dim)
                    continue
                if _known_size(symbol):
                    expected, check_text = int(symbol), "Specified explicitly"
                else:
                    expected, by, at = specified[symbol]
                    check_text = f"Specified by tensor {by.name} dimension {at}"
                if _known_size(actual) and _known_size(expected):
                    if int(actual) != int(expected):
                        raise ValueError(
                            f"{prefix}{check_text}.  Tensor {tensor.name} dimension {dim} must have size "
                            f"{int(expected)}.  Received size {int(actual)}, shape {tensor.shape}")
                    continue
                condition = math_ops.equal(ops.convert_to_tensor(actual), ops.convert_to_tensor(expected))
                data_ = data if data is not None else [
                    prefix, check_text, f"Tensor {tensor.name} dimension", dim, "must have size", expected,
                    "Received shape: ", array_ops.shape_v1(tensor)]
                size_assertions.append(Assert(condition, data_, summarize=summarize))
    with ops.control_dependencies(rank_assertions):
        return control_flow_ops.group(size_assertions)
