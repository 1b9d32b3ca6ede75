"""`tf.math`: the math ops under TensorFlow's ``tf.math`` names (re-exports only; see engine/ops/math_ops/).

Each name is the same function as the top-level one (``tf.math.reduce_sum is tf.reduce_sum``), plus the ops TF
has only here (``xlogy``).
"""

from __future__ import annotations

from engine.ops.array_ops import unsorted_segment_sum
from engine.ops.bessel_ops import bessel_i0, bessel_i0e, bessel_i1, bessel_i1e
from engine.ops.check_ops import is_non_decreasing, is_strictly_increasing
from engine.ops.complex_ops import angle, conj, imag, real

# Families added by the layers/nn slice (engine/ops/*: one module each).
from engine.ops.composite_ops import reduce_logsumexp
from engine.ops.confusion_matrix import confusion_matrix
from engine.ops.counting_ops import bincount
from engine.ops.math_ops import cumprod
from engine.ops.math_ops.arithmetic import (
    add,
    add_n,
    atan2,
    divide,
    equal,
    floordiv,
    floormod,
    greater,
    greater_equal,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    mod,
    multiply,
    not_equal,
    pow,  # noqa: A004 - TF's name
    scalar_mul,
    squared_difference,
    subtract,
    truediv,
    xlogy,
)
from engine.ops.math_ops.reductions import (
    argmax,
    argmin,
    cumsum,
    reduce_all,
    reduce_any,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
)
from engine.ops.math_ops.unary import (
    abs,  # noqa: A004 - TF's name
    acos,
    asin,
    atan,
    ceil,
    cos,
    cosh,
    exp,
    expm1,
    floor,
    is_finite,
    is_inf,
    is_nan,
    log,
    log1p,
    negative,
    reciprocal,
    rint,
    round,  # noqa: A004 - TF's name
    rsqrt,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    tan,
    tanh,
)
from engine.ops.nn_impl import l2_normalize, zero_fraction
from engine.ops.nn_ops import log_softmax, softmax, softplus, softsign
from engine.ops.segment_ops import (
    segment_max,
    segment_mean,
    segment_min,
    segment_prod,
    segment_sum,
    unsorted_segment_max,
    unsorted_segment_mean,
    unsorted_segment_min,
    unsorted_segment_prod,
    unsorted_segment_sqrt_n,
)
from engine.ops.top_k_ops import in_top_k, top_k

__all__ = [
    "abs",
    "acos",
    "add",
    "add_n",
    "argmax",
    "argmin",
    "asin",
    "atan",
    "atan2",
    "ceil",
    "confusion_matrix",
    "cos",
    "cosh",
    "cumprod",
    "cumsum",
    "divide",
    "equal",
    "exp",
    "expm1",
    "floor",
    "floordiv",
    "floormod",
    "greater",
    "greater_equal",
    "in_top_k",
    "is_finite",
    "is_inf",
    "is_nan",
    "l2_normalize",
    "less",
    "less_equal",
    "log",
    "log1p",
    "log_softmax",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "maximum",
    "minimum",
    "mod",
    "multiply",
    "negative",
    "not_equal",
    "pow",
    "reciprocal",
    "reduce_all",
    "reduce_any",
    "reduce_logsumexp",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_sum",
    "rint",
    "round",
    "rsqrt",
    "scalar_mul",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softmax",
    "softplus",
    "softsign",
    "sqrt",
    "square",
    "squared_difference",
    "subtract",
    "tan",
    "tanh",
    "top_k",
    "truediv",
    "xlogy",
    "zero_fraction",
]

# Issue 17's op library.
__all__ += [
    "bincount",
    "segment_max",
    "segment_mean",
    "segment_min",
    "segment_prod",
    "segment_sum",
    "unsorted_segment_max",
    "unsorted_segment_mean",
    "unsorted_segment_min",
    "unsorted_segment_prod",
    "unsorted_segment_sqrt_n",
    "unsorted_segment_sum",
    "angle",
    "conj",
    "imag",
    "real",
]
__all__ += ["bessel_i0", "bessel_i0e", "bessel_i1", "bessel_i1e"]
__all__ += ["is_non_decreasing", "is_strictly_increasing"]
