"""The `tf.assert_*` family (TF's check_ops): `tf.Assert`s with TF's names, data and messages.

Each returns the op to depend on (``with tf.control_dependencies([tf.assert_positive(x)])``).  When
every value the check reads is known at graph construction the check happens then, as in TF: a passing
one is a NoOp, a failing one raises InvalidArgumentError (ValueError for a static `assert_rank`).
"""

from __future__ import annotations

import numpy as np

from engine.framework import errors, ops, tensor_util
from engine.ops import array_ops, math_ops
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


def assert_rank(x, rank, message=None, name=None):
    """An op that fails unless `x` has rank `rank`; ValueError at once when the static rank differs."""
    with ops.name_scope(name, "assert_rank", [x, rank]):
        x = ops.convert_to_tensor(x, name="x")
        rank = ops.convert_to_tensor(rank, name="rank")
        rank_static = _static_value(rank)
        if rank_static is None:
            raise ValueError("Rank must be a constant for now")  # TF's own limit on a dynamic rank
        if np.ndim(rank_static) != 0:
            raise ValueError(f"Rank must be a scalar. Received rank: {rank_static}")
        prefix = _message_prefix(message)
        if x.shape.ndims is not None:
            if x.shape.ndims != int(rank_static):
                raise ValueError(
                    f"{prefix}Tensor {x.name} must have rank {int(rank_static)}.  Received rank "
                    f"{x.shape.ndims}, shape {x.shape}"
                )
            return no_op(name="static_checks_determined_all_ok")
        data = [prefix, f"Tensor {x.name} must have rank", rank, "Received shape: ", array_ops.shape_v1(x)]
        return Assert(math_ops.equal(array_ops.rank(x), rank), data)
