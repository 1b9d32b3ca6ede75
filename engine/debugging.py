"""`tf.debugging`: the finiteness tests, checks and asserts under TF's ``tf.debugging`` names (re-exports
only, the same functions as the top-level ones); ``assert_all_finite`` is ``tf.verify_tensor_all_finite``."""

from engine.ops.check_ops import (
    assert_equal,
    assert_greater,
    assert_greater_equal,
    assert_integer,
    assert_less,
    assert_less_equal,
    assert_near,
    assert_negative,
    assert_non_negative,
    assert_non_positive,
    assert_none_equal,
    assert_positive,
    assert_proper_iterable,
    assert_rank,
    assert_rank_at_least,
    assert_rank_in,
    assert_same_float_dtype,
    assert_scalar,
    assert_shapes,
    assert_type,
    is_non_decreasing,
    is_numeric_tensor,
    is_strictly_increasing,
)
from engine.ops.logging_ops import Assert
from engine.ops.math_ops import is_finite, is_inf, is_nan
from engine.ops.numerics import check_numerics
from engine.ops.numerics import verify_tensor_all_finite as assert_all_finite

__all__ = [
    "Assert", "assert_all_finite", "assert_equal", "assert_greater", "assert_greater_equal", "assert_less",
    "assert_less_equal", "assert_negative", "assert_non_negative", "assert_non_positive", "assert_none_equal",
    "assert_positive", "assert_rank", "check_numerics", "is_finite", "is_inf", "is_nan",
    # check_ops' other asserts (engine/ops/check_ops.py)
    "assert_integer", "assert_near", "assert_proper_iterable", "assert_rank_at_least", "assert_rank_in",
    "assert_same_float_dtype", "assert_scalar", "assert_type",
    "assert_shapes", "is_non_decreasing", "is_numeric_tensor", "is_strictly_increasing",
]
