"""Math ops: elementwise arithmetic and comparisons, reductions, matmul, range/linspace, and the Tensor
operator overloads (`a + b` builds an AddV2 op named `add`, `tf.add(a, b)` one named `Add`, as in TF).
"""

from __future__ import annotations

import builtins

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, bitwise_ops, constant_op
from engine.ops.op_util import (
    broadcast_dims,
    check_same_dtype,
    convert_input,
    dims,
    infer_broadcast,
    infer_compare,
    infer_same,
    make_tensor,
    shape,
    shape_error,
    shape_str,
    ufunc_bind,
)

_convert = ops.convert_to_tensor
_range = builtins.range
_abs = builtins.abs


# --- kernels that need care beyond one numpy call -----------------------------------------------------------
def _real_div(x, y):
    return np.true_divide(x, y)


def _int_trunc_div(x, y):
    x = np.asarray(x)
    y = np.asarray(y)
    if x.dtype.kind in "iu":
        if np.any(y == 0):
            raise errors.InvalidArgumentError(None, None, "Integer division by zero")
        q = np.abs(x) // np.abs(y)
        return (np.sign(x) * np.sign(y) * q).astype(x.dtype)
    return np.true_divide(x, y)


def _floor_div(x, y):
    if np.asarray(y).dtype.kind in "iu" and np.any(np.asarray(y) == 0):
        raise errors.InvalidArgumentError(None, None, "Integer division by zero")
    return np.floor_divide(x, y)


def _floor_mod(x, y):
    if np.asarray(y).dtype.kind in "iu" and np.any(np.asarray(y) == 0):
        raise errors.InvalidArgumentError(None, None, "Integer division by zero")
    return np.mod(x, y)


def _pow(x, y):
    if np.asarray(x).dtype.kind in "iu" and np.any(np.asarray(y) < 0):
        raise errors.InvalidArgumentError(None, None, "Integers to negative integer powers are not allowed")
    return np.power(x, y)


def _div_no_nan(x, y):
    r = np.true_divide(x, y)
    if np.ndim(y) == 0:  # the usual case: a loss divided by a count
        return r if y != 0 else np.zeros_like(r)
    return np.where(np.asarray(y) == 0, np.zeros((), dtype=np.result_type(r)), r)


def _squared_difference(x, y):
    d = np.subtract(x, y)
    return np.multiply(d, d)


def _rsqrt(x):
    return np.reciprocal(np.sqrt(x))


def _sigmoid(x):
    x = np.asarray(x)
    # exp of -|x| never overflows; both branches give 1 / (1 + exp(-x)).
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


# (op type, numpy kernel, allowed dtypes of T) for binary elementwise ops with broadcasting.  Bool
# tensors are refused by Mul and the rest, as TF 1.x refused them (TF 2.21's `x * y` casts bools first).
_BINARY = {
    "AddV2": (np.add, groups.ADD_V2_TYPES),
    "Add": (np.add, groups.ADD_TYPES),
    "Sub": (np.subtract, groups.SUB_TYPES),
    "Mul": (np.multiply, groups.BINARY_MORE),
    "RealDiv": (_real_div, groups.BINARY_MORE),
    "Div": (_int_trunc_div, groups.BINARY_MORE),
    "FloorDiv": (_floor_div, groups.BINARY_MORE),
    "FloorMod": (_floor_mod, groups.FLOOR_MOD_TYPES),
    "Pow": (_pow, groups.POW_TYPES),
    "Maximum": (np.maximum, groups.MAXIMUM_TYPES),
    "Minimum": (np.minimum, groups.MAXIMUM_TYPES),
    "SquaredDifference": (_squared_difference, groups.SQUARED_DIFFERENCE_TYPES),
    "DivNoNan": (_div_no_nan, groups.DIV_NO_NAN_TYPES),
    "TruncateDiv": (_int_trunc_div, groups.BINARY_MORE),
    "Atan2": (np.arctan2, groups.UNARY_REAL),
}
# One ufunc call, which always allocates its result (`fresh`) and keeps a float input's dtype, so the
# result may go into a dead input's buffer instead (`forward`; "Add" also concatenates strings).
_FORWARDING_UFUNC_OPS = ("AddV2", "Sub", "Mul", "Maximum", "Minimum")
for _type, (_kernel, _allowed) in _BINARY.items():
    _inputs = ("y: T", "x: T") if _type == "Atan2" else ("x: T", "y: T")
    _typed = {"inputs": _inputs, "allowed": {"T": _allowed}}
    if _type in _FORWARDING_UFUNC_OPS:
        registry.register_op(_type, infer=infer_broadcast, kernel=_kernel, bind=ufunc_bind(_kernel),
                             fresh=True, forward=(0, 1), **_typed)
    else:
        registry.register_op(_type, infer=infer_broadcast, kernel=_kernel, **_typed)

_COMPARE = {
    "Equal": np.equal,
    "NotEqual": np.not_equal,
    "Less": np.less,
    "LessEqual": np.less_equal,
    "Greater": np.greater,
    "GreaterEqual": np.greater_equal,
    "LogicalAnd": np.logical_and,  # bool inputs only (the wrappers check), so no T attr as in TF
    "LogicalOr": np.logical_or,
}
for _type, _kernel in _COMPARE.items():
    _attrs = _allowed = None
    if _type in ("Equal", "NotEqual"):  # any T (strings, bools too)
        # TF 2.x's Equal/NotEqual carry `incompatible_shape_error` (true: mismatched shapes are an error).
        _attrs = {"incompatible_shape_error": True}
    elif _type not in ("LogicalAnd", "LogicalOr"):
        _allowed = {"T": groups.REAL_NUMBER_TYPES}
    registry.register_op(_type, infer=infer_compare, kernel=_kernel, attrs=_attrs, inputs=("x: T", "y: T"),
                         allowed=_allowed)

_UNARY = {
    "Neg": np.negative,
    "Abs": np.abs,
    "Sign": np.sign,
    "Square": np.square,
    "Sqrt": np.sqrt,
    "Rsqrt": _rsqrt,
    "Exp": np.exp,
    "Expm1": np.expm1,
    "Log": np.log,
    "Log1p": np.log1p,
    "Reciprocal": np.reciprocal,
    "Floor": np.floor,
    "Ceil": np.ceil,
    "Round": np.round,
    "Rint": np.rint,
    "Sin": np.sin,
    "Cos": np.cos,
    "Tan": np.tan,
    "Asin": np.arcsin,
    "Acos": np.arccos,
    "Atan": np.arctan,
    "Sinh": np.sinh,
    "Cosh": np.cosh,
    "Tanh": np.tanh,
    "Sigmoid": _sigmoid,
    "IsNan": np.isnan,
    "IsInf": np.isinf,
    "IsFinite": np.isfinite,
    "LogicalNot": np.logical_not,
}
# Allowed dtypes of T where not UNARY_COMPLEX (None: LogicalNot takes a bool, no type attr).
_UNARY_ALLOWED = {
    "Neg": groups.UNARY_SIGNED,
    "Abs": groups.ABS_TYPES,
    "Sign": groups.UNARY_SIGNED,
    "Square": groups.SQUARE_TYPES,
    "Reciprocal": groups.UNARY_SIGNED,
    "Floor": groups.UNARY_REAL,
    "Ceil": groups.UNARY_REAL,
    "Round": groups.UNARY_SIGNED,
    "Rint": groups.UNARY_REAL,
    "IsNan": groups.UNARY_REAL,
    "IsInf": groups.UNARY_REAL,
    "IsFinite": groups.UNARY_REAL,
    "LogicalNot": None,
}
for _type, _kernel in _UNARY.items():
    _allowed = _UNARY_ALLOWED.get(_type, groups.UNARY_COMPLEX)
    _typed = {"inputs": ("x: T",), "allowed": _allowed and {"T": _allowed}}
    if _type in ("IsNan", "IsInf", "IsFinite"):
        registry.register_op(_type, infer=lambda op: [(dtypes.bool, op.inputs[0].shape)], kernel=_kernel,
                             **_typed)
    elif isinstance(_kernel, np.ufunc) and "f->f" in _kernel.types:  # as above: one dtype-keeping ufunc
        registry.register_op(_type, infer=infer_same, kernel=_kernel, bind=ufunc_bind(_kernel), fresh=True,
                             forward=(0,), **_typed)
    else:
        registry.register_op(_type, infer=infer_same, kernel=_kernel, **_typed)


def _infer_add_n(op):
    out = None
    for t in op.inputs:
        out = t.shape if out is None else out.merge_with(t.shape)
    return [(op.inputs[0].dtype.base_dtype, out)]


def _add_n_kernel(*xs):
    total = np.array(xs[0], copy=True)
    for x in xs[1:]:
        total = total + x
    return total


registry.register_op("AddN", infer=_infer_add_n, kernel=_add_n_kernel, inputs=("inputs: N*T",),
                     allowed={"T": groups.ADD_N_TYPES})


# --- Python wrappers ----------------------------------------------------------------------------------------
def _binary(op_type, x, y, name, default_name):
    """A generated two-input op as TF's `op_def_library` builds it: `x` sets the type attr and `y` must
    convert to it (`convert_input` gives TF's errors for a Python value or a Tensor that does not)."""
    with ops.name_scope(name, default_name, [x, y]) as scope:
        x = _convert(x, name="x")
        registry.get_op_def(op_type).check_inputs([x])  # before `y`, as TF: "a" - 1 names x's dtype
        y = convert_input(op_type, "y", y, x.dtype.base_dtype, inferred_from="x")
        return make_tensor(op_type, [x, y], name=scope, attrs={"T": x.dtype.base_dtype})


def _unary(op_type, x, name, default_name=None):
    with ops.name_scope(name, default_name or op_type, [x]) as scope:
        x = _convert(x, name="x")
        return make_tensor(op_type, [x], name=scope, attrs={"T": x.dtype.base_dtype})


def add(x, y, name=None):
    """x + y elementwise (AddV2; `Add` for strings)."""
    with ops.name_scope(name, "Add", [x]) as scope:
        x = _convert(x, name="x")
        y = _convert(y, preferred_dtype=x.dtype.base_dtype, name="y")
        op_type = "Add" if x.dtype == dtypes.string else "AddV2"
        registry.get_op_def(op_type).check_inputs([x])
        check_same_dtype(op_type, x, y)
        return make_tensor(op_type, [x, y], name=scope, attrs={"T": x.dtype.base_dtype})


def subtract(x, y, name=None):
    return _binary("Sub", x, y, name, "Sub")


def multiply(x, y, name=None):
    return _binary("Mul", x, y, name, "Mul")


# TF's `_TRUEDIV_TABLE` keys, in its order (the error text lists them).
_TRUEDIV_DTYPES = (
    "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64",
    "bfloat16", "float16", "float32", "float64", "complex64", "complex128",
)


def _truediv_float(dtype):
    """The float dtype TF's truediv casts integer `dtype` operands to; None for other dtypes."""
    if dtype in (dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16):
        return dtypes.float32
    if dtype in (dtypes.int32, dtypes.uint32, dtypes.int64, dtypes.uint64):
        return dtypes.float64
    return None


def _truediv(x, y, name=None):
    with ops.name_scope(name, "truediv", [x, y]) as scope:
        x = _convert(x, name="x")
        y = _convert(y, preferred_dtype=x.dtype.base_dtype, name="y")
        x_dtype = x.dtype.base_dtype
        y_dtype = y.dtype.base_dtype
        if x_dtype != y_dtype:
            raise TypeError(
                f"`x` and `y` must have the same dtype, got tf.{x_dtype.name} != tf.{y_dtype.name}."
            )
        if x_dtype.name not in _TRUEDIV_DTYPES:
            raise TypeError(
                f"Invalid dtype tf.{x_dtype.name} in __truediv__. Expected one of "
                f"{{{', '.join(f'tf.{n}' for n in _TRUEDIV_DTYPES)}}}."
            )
        target = _truediv_float(x_dtype)
        if target is not None:
            x = array_ops.cast(x, target)
            y = array_ops.cast(y, target)
        return make_tensor("RealDiv", [x, y], name=scope, attrs={"T": x.dtype.base_dtype})


def truediv(x, y, name=None):
    """x / y with Python 3 semantics (ints become floats); op RealDiv named `truediv`."""
    return _truediv(x, y, name)


def divide(x, y, name=None):
    """`x / y` (TF1: uses `truediv` unless a name is given)."""
    if name is not None:
        return div(x, y, name=name)
    return x / y if isinstance(x, ops.Tensor) else _truediv(x, y)


def div(x, y, name=None):
    """TF1 `tf.div`: Python 2 division (integer division for ints) - op Div."""
    return _binary("Div", x, y, name, "div")


def floordiv(x, y, name=None):
    return _binary("FloorDiv", x, y, name, "floordiv")


def floormod(x, y, name=None):
    return _binary("FloorMod", x, y, name, "FloorMod")


mod = floormod


def pow(x, y, name=None):  # noqa: A001 - TF's name
    return _binary("Pow", x, y, name, "Pow")


def maximum(x, y, name=None):
    return _binary("Maximum", x, y, name, "Maximum")


def minimum(x, y, name=None):
    return _binary("Minimum", x, y, name, "Minimum")


def squared_difference(x, y, name=None):
    return _binary("SquaredDifference", x, y, name, "SquaredDifference")


def div_no_nan(x, y, name=None):
    """x / y, but 0 where y is 0."""
    return _binary("DivNoNan", x, y, name, "div_no_nan")


def atan2(y, x, name=None):
    return _binary("Atan2", y, x, name, "Atan2")


def _make_unary(op_type, default_name=None):
    def fn(x, name=None):
        return _unary(op_type, x, name, default_name)

    fn.__name__ = op_type.lower()
    fn.__doc__ = f"Elementwise {op_type} (TF op `{op_type}`)."
    return fn


negative = _make_unary("Neg")
sign = _make_unary("Sign")
square = _make_unary("Square")
sqrt = _make_unary("Sqrt")
rsqrt = _make_unary("Rsqrt")
exp = _make_unary("Exp")
expm1 = _make_unary("Expm1")
log = _make_unary("Log")
log1p = _make_unary("Log1p")
reciprocal = _make_unary("Reciprocal")
floor = _make_unary("Floor")
ceil = _make_unary("Ceil")
rint = _make_unary("Rint")
sin = _make_unary("Sin")
cos = _make_unary("Cos")
tan = _make_unary("Tan")
asin = _make_unary("Asin")
acos = _make_unary("Acos")
atan = _make_unary("Atan")
sinh = _make_unary("Sinh")
cosh = _make_unary("Cosh")
tanh = _make_unary("Tanh")
sigmoid = _make_unary("Sigmoid")
is_nan = _make_unary("IsNan")
is_inf = _make_unary("IsInf")
is_finite = _make_unary("IsFinite")


def round(x, name=None):  # noqa: A001 - TF's name
    """Rounds half to even, as TF does."""
    return _unary("Round", x, name)


def abs(x, name=None):  # noqa: A001
    return _unary("Abs", x, name, "Abs")


def equal(x, y, name=None):
    return _binary("Equal", x, y, name, "Equal")


def not_equal(x, y, name=None):
    return _binary("NotEqual", x, y, name, "NotEqual")


def less(x, y, name=None):
    return _binary("Less", x, y, name, "Less")


def less_equal(x, y, name=None):
    return _binary("LessEqual", x, y, name, "LessEqual")


def greater(x, y, name=None):
    return _binary("Greater", x, y, name, "Greater")


def greater_equal(x, y, name=None):
    return _binary("GreaterEqual", x, y, name, "GreaterEqual")


def _logical(op_type, inputs, name):
    """A LogicalAnd/Or/Not op: every input must be bool (TF's fixed-type input errors otherwise)."""
    with ops.name_scope(name, op_type, list(inputs.values())) as scope:
        tensors = [convert_input(op_type, arg, value, dtypes.bool) for arg, value in inputs.items()]
        return make_tensor(op_type, tensors, name=scope)


def logical_and(x, y, name=None):
    return _logical("LogicalAnd", {"x": x, "y": y}, name)


def logical_or(x, y, name=None):
    return _logical("LogicalOr", {"x": x, "y": y}, name)


def logical_not(x, name=None):
    return _logical("LogicalNot", {"x": x}, name)


def logical_xor(x, y, name="LogicalXor"):
    """(x | y) & ~(x & y), built from primitives as TF does: only the last op is named `name`, the
    others sit in the current name scope (`LogicalOr`, `LogicalAnd_1`, ...)."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


def add_n(inputs, name=None):
    """Sum of a list of same-shaped tensors (one AddN op; a single input becomes an Identity)."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError(
            "inputs must be a list of at least one Tensor/IndexedSlices with the same dtype and shape"
        )
    inputs = ops.convert_n_to_tensor(inputs)
    if len(inputs) == 1:
        if name:
            return array_ops.identity(inputs[0], name=name)
        return inputs[0]
    return make_tensor(
        "AddN", inputs, name=name or "AddN", attrs={"N": len(inputs), "T": inputs[0].dtype.base_dtype}
    )


def scalar_mul(scalar, x, name=None):
    with ops.name_scope(name, "scalar_mul", [x]) as scope:
        return multiply(scalar, x, name=scope)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """min(max(t, lo), hi), built as Minimum then Maximum inside `clip_by_value/` as TF1 does."""
    with ops.name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        t = _convert(t, name="t")
        t_min = minimum(t, clip_value_max)
        t_min.shape.assert_is_compatible_with(t.shape)
        return maximum(t_min, clip_value_min, name=scope)


# --- MatMul -------------------------------------------------------------------------------------------------
def _infer_matmul(op):
    a, b = op.inputs
    if a.dtype.base_dtype != b.dtype.base_dtype:
        raise TypeError(
            f"Input 'b' of 'MatMul' Op has type {b.dtype.base_dtype.name} that does not match type "
            f"{a.dtype.base_dtype.name} of argument 'a'."
        )
    da, db = dims(a), dims(b)
    ta, tb = op._attrs.get("transpose_a", False), op._attrs.get("transpose_b", False)
    for d in (da, db):
        if d is not None and len(d) != 2:
            raise shape_error(op, f"Shape must be rank 2 but is rank {len(d)}")
    rows = cols = None
    inner_a = inner_b = None
    if da is not None:
        rows, inner_a = (da[1], da[0]) if ta else (da[0], da[1])
    if db is not None:
        inner_b, cols = (db[1], db[0]) if tb else (db[0], db[1])
    if inner_a is not None and inner_b is not None and inner_a != inner_b:
        raise shape_error(op, f"Dimensions must be equal, but are {inner_a} and {inner_b}")
    return [(a.dtype.base_dtype, shape((rows, cols)))]


def _compile_matmul(op, runtime):
    ta, tb = op._attrs.get("transpose_a", False), op._attrs.get("transpose_b", False)

    def kernel(a, b):
        if ta:
            a = a.T
        if tb:
            b = b.T
        if a.shape[1] != b.shape[0]:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Matrix size-incompatible: In[0]: [{a.shape[0]},{a.shape[1]}], In[1]: "
                f"[{b.shape[0]},{b.shape[1]}]",
            )
        return np.matmul(a, b)

    if not ta and not tb:

        def kernel_plain(a, b):  # the common case without the transposes' attribute checks
            try:
                return np.matmul(a, b)
            except ValueError:
                return kernel(a, b)

        return kernel_plain
    return kernel


registry.register_op(
    "MatMul", infer=_infer_matmul, compile=_compile_matmul, fresh=True,
    attrs={"transpose_a": False, "transpose_b": False},
    inputs=("a: T", "b: T"),
    allowed={"T": groups.MAT_MUL_TYPES},
)


def _infer_batch_matmul(op):
    x, y = op.inputs
    dx, dy = dims(x), dims(y)
    if dx is None or dy is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape())]
    adj_x, adj_y = op._attrs.get("adj_x", False), op._attrs.get("adj_y", False)
    rows, inner_x = (dx[-1], dx[-2]) if adj_x else (dx[-2], dx[-1])
    inner_y, cols = (dy[-1], dy[-2]) if adj_y else (dy[-2], dy[-1])
    if inner_x is not None and inner_y is not None and inner_x != inner_y:
        raise shape_error(op, f"Dimensions must be equal, but are {inner_x} and {inner_y}")
    batch = broadcast_dims(op, dx[:-2], dy[:-2])
    return [(x.dtype.base_dtype, shape(batch + (rows, cols)))]


def _compile_batch_matmul(op, runtime):
    adj_x, adj_y = op._attrs.get("adj_x", False), op._attrs.get("adj_y", False)

    def kernel(x, y):
        if adj_x:
            x = np.conj(np.swapaxes(x, -1, -2))
        if adj_y:
            y = np.conj(np.swapaxes(y, -1, -2))
        return np.matmul(x, y)

    return kernel


registry.register_op(
    "BatchMatMulV2",
    infer=_infer_batch_matmul,
    compile=_compile_batch_matmul,
    attrs={"adj_x": False, "adj_y": False},
    inputs=("x: T", "y: T"),
    allowed={"T": groups.BATCH_MAT_MUL_TYPES},
)


def matmul(
    a,
    b,
    transpose_a=False,
    transpose_b=False,
    adjoint_a=False,
    adjoint_b=False,
    a_is_sparse=False,
    b_is_sparse=False,
    name=None,
):
    """Matrix product (MatMul for rank 2, BatchMatMulV2 for batches)."""
    with ops.name_scope(name, "MatMul", [a, b]) as scope:
        a = _convert(a, name="a")
        b = _convert(b, preferred_dtype=a.dtype.base_dtype, name="b")
        transpose_a = transpose_a or adjoint_a
        transpose_b = transpose_b or adjoint_b
        ra, rb = a.shape.ndims, b.shape.ndims
        # As TF: an operand of unknown rank may be a batch, so only two known rank-2 operands make MatMul.
        if ra is None or ra > 2 or rb is None or rb > 2:
            check_same_dtype("BatchMatMulV2", a, b)
            return make_tensor(
                "BatchMatMulV2",
                [a, b],
                name=scope,
                attrs={"T": a.dtype.base_dtype, "adj_x": bool(transpose_a), "adj_y": bool(transpose_b)},
            )
        check_same_dtype("MatMul", a, b, args=("a", "b"))
        return make_tensor(
            "MatMul",
            [a, b],
            name=scope,
            attrs={
                "T": a.dtype.base_dtype,
                "grad_a": False,
                "grad_b": False,
                "transpose_a": bool(transpose_a),
                "transpose_b": bool(transpose_b),
            },
        )


def tensordot(a, b, axes, name=None):
    """Sum over `axes` of a and b, built from Transpose/Reshape/MatMul as TF does (fully known shapes)."""
    with ops.name_scope(name, "Tensordot", [a, b, axes]) as scope:
        a = _convert(a, name="a")
        b = _convert(b, name="b")
        da, db = a.shape.as_list(), b.shape.as_list()
        if isinstance(axes, int):
            if axes < 0:
                raise ValueError("'axes' must be at least 0.")
            a_axes = list(_range(len(da) - axes, len(da)))
            b_axes = list(_range(axes))
        else:
            a_axes, b_axes = axes
            a_axes = [a_axes] if isinstance(a_axes, int) else list(a_axes)
            b_axes = [b_axes] if isinstance(b_axes, int) else list(b_axes)
            if len(a_axes) != len(b_axes):
                raise ValueError(
                    f"Different number of contraction axes 'a' and 'b', {len(a_axes)} != {len(b_axes)}."
                )
        a_axes = [x % len(da) for x in a_axes]
        b_axes = [x % len(db) for x in b_axes]
        a_free = [i for i in _range(len(da)) if i not in a_axes]
        b_free = [i for i in _range(len(db)) if i not in b_axes]
        if None in da or None in db:
            raise ValueError("tensordot needs fully defined input shapes")
        free_a = [da[i] for i in a_free]
        free_b = [db[i] for i in b_free]
        prod = lambda xs: int(np.prod(xs, dtype=np.int64))  # noqa: E731
        a_t = array_ops.transpose(a, a_free + a_axes) if a_free + a_axes != list(_range(len(da))) else a
        a_m = array_ops.reshape(a_t, [prod(free_a), prod([da[i] for i in a_axes])])
        b_t = array_ops.transpose(b, b_axes + b_free) if b_axes + b_free != list(_range(len(db))) else b
        b_m = array_ops.reshape(b_t, [prod([db[i] for i in b_axes]), prod(free_b)])
        product = matmul(a_m, b_m)
        return array_ops.reshape(product, free_a + free_b, name=scope)


# --- reductions ---------------------------------------------------------------------------------------------
def _infer_reduction(op, out_dtype=None):
    x, axes_t = op.inputs
    keep = op._attrs.get("keep_dims", False)
    d = dims(x)
    dtype = out_dtype or x.dtype.base_dtype
    axes_rank = axes_t.shape.ndims
    if axes_rank is not None and axes_rank > 1:
        raise shape_error(op, f"Shape must be at most rank 1 but is rank {axes_rank}")
    axes = tensor_util.constant_value(axes_t)
    if d is None:
        return [(dtype, _ts.unknown_shape())]
    if axes is None:
        return [(dtype, _ts.unknown_shape(len(d) if keep else None))]
    n = len(d)
    norm = set()
    for a in np.reshape(axes, -1).tolist():
        if a < -n or a >= n:
            raise shape_error(
                op, f"Invalid reduction dimension {a} for input with {n} dimensions.", computed={1: axes}
            )
        norm.add(a % n)  # duplicates pass here, as in TF; the kernel rejects them
    out = []
    for i, di in enumerate(d):
        if i in norm:
            if keep:
                out.append(1)
        else:
            out.append(di)
    return [(dtype, shape(tuple(out)))]


def _reduction_axes(axes, ndims):
    """The reduction axes normalized to `[0, ndims)`, or TF's InvalidArgumentError for an axis out of
    range or given twice (TF's ReductionHelper checks each axis in order, so the first bad one is named)."""
    seen = []
    for a in np.reshape(axes, -1).tolist():
        if a < -ndims or a >= ndims:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction dimension ({a} for input with {ndims} dimension(s)"
            )
        a %= ndims
        if a in seen:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction arguments: Axes contains duplicate dimension: {a}"
            )
        seen.append(a)
    return tuple(seen)


def _reduction_kernel_factory(np_fn):
    def compile_(op, runtime):
        keep = op._attrs.get("keep_dims", False)
        npd = op._outputs[0].dtype.as_numpy_dtype

        def kernel(x, axes):
            x = np.asarray(x)
            axis = _reduction_axes(axes, x.ndim)
            return np.asarray(np_fn(x, axis=axis, keepdims=keep)).astype(npd, copy=False)

        return kernel

    return compile_


def _reduction_bind(np_fn):
    """A reduction whose axes the plan knows (a Const, or folded like the axes of a broadcast gradient)
    and whose input has a known rank: the axes are normalized once, when the plan is built."""

    def bind(op, runtime, known, donated):
        ndims = op._inputs[0].shape.ndims
        if 0 in known or not ndims:
            return None
        try:
            axis = _reduction_axes(known[1], ndims)
        except errors.InvalidArgumentError:
            return None  # the general kernel raises it at run time, naming the node
        keep = op._attrs.get("keep_dims", False)
        npd = op._outputs[0].dtype.as_numpy_dtype

        def kernel(x):
            return np.asarray(np_fn(x, axis=axis, keepdims=keep)).astype(npd, copy=False)

        return kernel

    return bind


def _np_mean(x, axis, keepdims):
    if x.dtype.kind in "iu":
        # TF's integer mean truncates: sum / count in the integer type.
        s = np.sum(x, axis=axis, keepdims=keepdims)
        count = 1
        for a in axis:
            count *= x.shape[a]
        return (s // count if count else s).astype(x.dtype)
    if type(x) is np.ndarray and x.dtype.kind in "fc":
        # np.mean(x, axis, dtype=x.dtype)'s arithmetic (the sum, then a division by the count as an intp)
        # without its Python layers, which cost more than the division for a batch's losses.
        count = 1
        for a in axis:
            count *= x.shape[a]
        s = np.add.reduce(x, axis=axis, dtype=x.dtype, keepdims=keepdims)
        if type(s) is np.ndarray:
            return np.true_divide(s, np.intp(count), out=s, casting="unsafe")
        return s.dtype.type(s / np.intp(count))
    return np.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _np_sum(x, axis, keepdims):
    if type(x) is np.ndarray:  # np.sum's own ufunc call without its Python dispatch (9.1 -> 6.8 us)
        return np.add.reduce(x, axis=axis, dtype=x.dtype, keepdims=keepdims)
    return np.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _np_prod(x, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _np_max(x, axis, keepdims):
    if x.size == 0:
        return np.full(_reduced_shape(x.shape, axis, keepdims), _lowest(x.dtype), dtype=x.dtype)
    return np.max(x, axis=axis, keepdims=keepdims)


def _np_min(x, axis, keepdims):
    if x.size == 0:
        return np.full(_reduced_shape(x.shape, axis, keepdims), _highest(x.dtype), dtype=x.dtype)
    return np.min(x, axis=axis, keepdims=keepdims)


def _reduced_shape(s, axis, keepdims):
    return tuple(1 if i in axis else d for i, d in enumerate(s) if keepdims or i not in axis)


def _lowest(dt):
    return -np.inf if dt.kind == "f" else np.iinfo(dt).min


def _highest(dt):
    return np.inf if dt.kind == "f" else np.iinfo(dt).max


_REDUCTIONS = {  # (numpy function, output dtype if not the input's, allowed dtypes of T)
    "Sum": (_np_sum, None, groups.NUMBER_TYPES),
    "Mean": (_np_mean, None, groups.NUMBER_TYPES),
    "Max": (_np_max, None, groups.REAL_NUMBER_TYPES + groups.QUANTIZED_TYPES),
    "Min": (_np_min, None, groups.REAL_NUMBER_TYPES + groups.QUANTIZED_TYPES),
    "Prod": (_np_prod, None, groups.NUMBER_TYPES),
    "Any": (np.any, dtypes.bool, None),  # a bool input, no T
    "All": (np.all, dtypes.bool, None),
}
for _type, (_fn, _out, _allowed) in _REDUCTIONS.items():
    registry.register_op(
        _type,
        infer=(lambda op, _o=_out: _infer_reduction(op, _o)),
        compile=_reduction_kernel_factory(_fn),
        bind=_reduction_bind(_fn),
        attrs={"keep_dims": False},
        inputs=("input: T" if _allowed else "input", "reduction_indices: Tidx"),
        allowed={"T": _allowed, "Tidx": groups.INDEX_TYPES} if _allowed else {"Tidx": groups.INDEX_TYPES},
    )


def _reduction_dims(x, axis):
    """The axis tensor for a reduction: a Const `arange(rank)` when axis is None and the rank is known."""
    if axis is not None:
        return axis
    r = x.shape.ndims
    if r:
        return constant_op.constant(np.arange(r, dtype=np.int32))
    return range(0, array_ops.rank(x))


def _reduce(op_type, input_tensor, axis, keepdims, name, reduction_indices, keep_dims, default_dtype=None):
    if axis is not None and reduction_indices is not None:
        raise ValueError("Cannot specify both 'axis' and 'reduction_indices'.")
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'.")
    axis = axis if axis is not None else reduction_indices
    keepdims = bool(keepdims if keepdims is not None else keep_dims)
    x = _convert(input_tensor, dtype=default_dtype)
    axes = _reduction_dims(x, axis)
    with ops.name_scope(name, op_type, [x]) as scope:
        axes_t = (
            axes
            if isinstance(axes, ops.Tensor)
            else _convert(axes, dtype=dtypes.int32, name="reduction_indices")
        )
        return make_tensor(
            op_type,
            [x, axes_t],
            name=scope,
            # All/Any take only bool and have no T attr in TF's OpDef.
            attrs={
                **({} if op_type in ("All", "Any") else {"T": x.dtype.base_dtype}),
                "Tidx": axes_t.dtype,
                "keep_dims": keepdims,
            },
        )


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """Sum over `axis` (all axes by default)."""
    return _reduce("Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """Mean over `axis` (integer inputs give a truncated integer mean, as in TF)."""
    return _reduce("Mean", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    return _reduce("Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    return _reduce("Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    return _reduce("Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    return _reduce("Any", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, dtypes.bool)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    return _reduce("All", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, dtypes.bool)


def _infer_arg(op):
    x, axis_t = op.inputs
    d = dims(x)
    out_type = op._attrs.get("output_type", dtypes.int64)
    axis = tensor_util.constant_value(axis_t)
    if d is None or axis is None:
        return [(out_type, _ts.unknown_shape(None if d is None else len(d) - 1))]
    a = int(axis)
    n = len(d)
    if a < -n or a >= n:
        raise shape_error(
            op,
            f"Dimension ({a}) must be in the range [{-n}, {n}), where {n} is the number of dimensions in "
            "the input.",
            computed={1: axis},
        )
    a %= n
    return [(out_type, shape(d[:a] + d[a + 1 :]))]


def _arg_factory(np_fn):
    def compile_(op, runtime):
        npd = op._attrs.get("output_type", dtypes.int64).as_numpy_dtype

        def kernel(x, axis):
            x = np.asarray(x)
            axis = np.asarray(axis)
            if axis.ndim:
                raise errors.InvalidArgumentError(
                    None, None, f"dim must be a scalar, but received tensor of shape: {shape_str(axis.shape)}"
                )
            a = int(axis)
            if a < -x.ndim or a >= x.ndim:
                raise errors.InvalidArgumentError(
                    None, None, f"Expected dimension in the range [{-x.ndim}, {x.ndim}), but got {a}"
                )
            a %= x.ndim
            if x.shape[a] == 0:
                raise errors.InvalidArgumentError(
                    None, None, f"Reduction axis {a} is empty in shape {shape_str(x.shape)}"
                )
            return np_fn(x, axis=a).astype(npd)

        return kernel

    return compile_


registry.register_op(
    "ArgMax", infer=_infer_arg, compile=_arg_factory(np.argmax), attrs={"output_type": dtypes.int64},
    inputs=("input: T", "dimension: Tidx"),
    allowed={"T": groups.ARG_MAX_TYPES, "Tidx": groups.INT16_INDEX_TYPES},
)
registry.register_op(
    "ArgMin", infer=_infer_arg, compile=_arg_factory(np.argmin), attrs={"output_type": dtypes.int64},
    inputs=("input: T", "dimension: Tidx"),
    allowed={"T": groups.ARG_MAX_TYPES, "Tidx": groups.INDEX_TYPES},
)


def _arg(op_type, input, axis, name, dimension, output_type):  # noqa: A002
    if axis is not None and dimension is not None:
        raise ValueError("Cannot specify both 'axis' and 'dimension'")
    axis = axis if axis is not None else dimension
    if axis is None:
        axis = 0
    with ops.name_scope(name, op_type, [input]) as scope:
        x = _convert(input, name="input")
        axis_t = (
            axis if isinstance(axis, ops.Tensor) else _convert(axis, dtype=dtypes.int32, name="dimension")
        )
        return make_tensor(
            op_type,
            [x, axis_t],
            name=scope,
            attrs={
                "T": x.dtype.base_dtype,
                "Tidx": axis_t.dtype,
                "output_type": dtypes.as_dtype(output_type),
            },
        )


def argmax(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """Index of the largest value along `axis` (default 0), as int64."""
    return _arg("ArgMax", input, axis, name, dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    return _arg("ArgMin", input, axis, name, dimension, output_type)


# --- Range / LinSpace ---------------------------------------------------------------------------------------
def _infer_range(op):
    start, limit, delta = (tensor_util.constant_value(t) for t in op.inputs)
    dtype = op.inputs[0].dtype.base_dtype
    if start is None or limit is None or delta is None:
        return [(dtype, _ts.TensorShape([None]))]
    if delta == 0:
        raise shape_error(op, "Requires delta != 0")
    n = (
        int(np.ceil((float(limit) - float(start)) / float(delta)))
        if dtype.is_floating
        else int(np.ceil((int(limit) - int(start)) / int(delta)))
    )
    return [(dtype, _ts.TensorShape([max(n, 0)]))]


def _range_kernel(start, limit, delta):
    if delta == 0:
        raise errors.InvalidArgumentError(None, None, "Requires delta != 0: 0")
    dt = np.asarray(start).dtype
    if (delta > 0 and start > limit) or (delta < 0 and start < limit):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Requires start <= limit when delta > 0: {start}/{limit}"
            if delta > 0
            else f"Requires start >= limit when delta < 0: {start}/{limit}",
        )
    return np.arange(start, limit, delta, dtype=dt)


registry.register_op("Range", infer=_infer_range, kernel=_range_kernel,
                     inputs=("start: Tidx", "limit: Tidx", "delta: Tidx"),
                     allowed={"Tidx": groups.RANGE_TYPES})

_RANGE_DTYPES = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF's name
    """[start, limit) in steps of delta; `range(n)` counts from 0.  dtype inferred int32 < int64 < float."""
    if limit is None:
        start, limit = 0, start
    with ops.name_scope(name, "Range", [start, limit, delta]) as scope:
        start = start if isinstance(start, ops.Tensor) else _convert(start, dtype=dtype, name="start")
        limit = limit if isinstance(limit, ops.Tensor) else _convert(limit, dtype=dtype, name="limit")
        delta = delta if isinstance(delta, ops.Tensor) else _convert(delta, dtype=dtype, name="delta")
        if dtype is None:
            inferred = max((t.dtype.base_dtype for t in (start, limit, delta)), key=_RANGE_DTYPES.index)
            start, limit, delta = (array_ops.cast(t, inferred) for t in (start, limit, delta))
        return make_tensor("Range", [start, limit, delta], name=scope, attrs={"Tidx": start.dtype.base_dtype})


def _infer_linspace(op):
    start, stop, num = op.inputs
    n = tensor_util.constant_value(num)
    return [(start.dtype.base_dtype, _ts.TensorShape([None if n is None else int(n)]))]


def _linspace_kernel(start, stop, num):
    num = int(num)
    if num <= 0:
        raise errors.InvalidArgumentError(None, None, f"Requires num > 0: {num}")
    return np.linspace(start, stop, num, dtype=np.asarray(start).dtype)


registry.register_op("LinSpace", infer=_infer_linspace, kernel=_linspace_kernel,
                     inputs=("start: T", "stop: T", "num: Tidx"),
                     allowed={"T": groups.UNARY_REAL, "Tidx": groups.INDEX_TYPES})


def linspace(start, stop, num, name=None):
    """`num` evenly spaced values from start to stop inclusive (op LinSpace; integers as TF's truediv casts
    them, to float64 for int32)."""
    with ops.name_scope(name, "LinSpace", [start, stop, num]) as scope:
        start = _convert(start, name="start")
        stop = _convert(stop, dtype=start.dtype.base_dtype, name="stop")
        num = _convert(num, dtype=dtypes.int32, name="num")
        target = _truediv_float(start.dtype.base_dtype)  # TF's linspace divides: integers give floats
        if target is not None:
            start, stop = array_ops.cast(start, target), array_ops.cast(stop, target)
        return make_tensor(
            "LinSpace", [start, stop, num], name=scope, attrs={"T": start.dtype.base_dtype, "Tidx": num.dtype}
        )


lin_space = linspace


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    with ops.name_scope(name, "Cumsum", [x]) as scope:
        x = _convert(x, name="x")
        axis_t = _convert(axis, dtype=dtypes.int32, name="axis")
        return make_tensor(
            "Cumsum",
            [x, axis_t],
            name=scope,
            attrs={"T": x.dtype.base_dtype, "Tidx": axis_t.dtype, "exclusive": exclusive, "reverse": reverse},
        )


def _compile_cumsum(op, runtime):
    exclusive, reverse = op._attrs.get("exclusive", False), op._attrs.get("reverse", False)

    def kernel(x, axis):
        x = np.asarray(x)
        a = int(axis)
        if a < -x.ndim or a >= x.ndim:
            raise errors.InvalidArgumentError(
                None, None, f"ScanOp: Expected scan axis in the range [{-x.ndim}, {x.ndim}), but got {a}"
            )
        if reverse:
            x = np.flip(x, a)
        r = np.cumsum(x, axis=a, dtype=x.dtype)
        if exclusive:
            r = np.concatenate([np.zeros_like(np.take(r, [0], axis=a)), np.delete(r, -1, axis=a)], axis=a)
        if reverse:
            r = np.flip(r, a)
        return r

    return kernel


registry.register_op(
    "Cumsum", infer=infer_same, compile=_compile_cumsum, attrs={"exclusive": False, "reverse": False},
    inputs=("x: T", "axis"), allowed={"T": groups.NUMBER_TYPES},
)


# --- Tensor operator overloads ------------------------------------------------------------------------------
def _binary_operator(fn, name):
    """`x <op> y` and `y <op> x` as TF's `binary_op_wrapper` / `r_binary_op_wrapper` build them.

    Forward: the right operand goes to `fn` unconverted, so the op's own error stands (`t - 2.5` is
    "Expected int32 passed to parameter 'y' of op 'Sub' ...", `t & 1.5` names BitwiseAnd); only when the op
    refuses it does a right operand that defines the reflected operator get a try (an error there re-raises
    the op's error, so `t - np.float64(2.5)` reads as `t - 2.5`).  Reflected: the left operand is converted
    to the tensor's dtype first (`2.5 - t` is the conversion's own TypeError), then `fn` runs.
    """
    reflected = f"__r{name}__"

    def forward(x, y):
        with ops.name_scope(None, name, [x, y]) as scope:
            try:
                return fn(x, y, name=scope)
            except (TypeError, ValueError) as error:
                if not hasattr(type(y), reflected):
                    raise
                try:
                    out = getattr(y, reflected)(x)
                except (TypeError, ValueError):
                    raise error from None
                if out is NotImplemented:
                    raise
                return out

    def reverse(y, x):
        with ops.name_scope(None, name, [x, y]) as scope:
            x = _convert(x, dtype=y.dtype.base_dtype, name="x")
            return fn(x, y, name=scope)

    return forward, reverse


def and_(x, y, name=None):
    """`x & y`: LogicalAnd named `name` for bool, else BitwiseAnd inside it (`and_1/BitwiseAnd`), as TF."""
    if x.dtype.base_dtype == dtypes.bool:
        return logical_and(x, y, name=name)
    return bitwise_ops.bitwise_and(x, y)


def or_(x, y, name=None):
    if x.dtype.base_dtype == dtypes.bool:
        return logical_or(x, y, name=name)
    return bitwise_ops.bitwise_or(x, y)


def xor_(x, y, name=None):
    if x.dtype.base_dtype == dtypes.bool:
        return logical_xor(x, y, name=name)
    return bitwise_ops.bitwise_xor(x, y)


def invert_(x, name=None):
    """`~x`: LogicalNot for bool, else Invert (integers only)."""
    if x.dtype.base_dtype == dtypes.bool:
        return logical_not(x, name=name)
    return bitwise_ops.invert(x, name=name)


_OPERATORS = {
    "add": add,
    "sub": subtract,
    "mul": multiply,
    "truediv": _truediv,
    "div": _truediv,
    "floordiv": floordiv,
    "mod": floormod,
    "pow": pow,
    "matmul": matmul,
    "and": and_,
    "or": or_,
    "xor": xor_,
}
for _name, _fn in _OPERATORS.items():
    _fwd, _rev = _binary_operator(_fn, _name)
    setattr(ops.Tensor, f"__{_name}__", _fwd)
    setattr(ops.Tensor, f"__r{_name}__", _rev)


def _compare_operator(fn):
    def method(x, y):
        return fn(x, y)

    return method


ops.Tensor.__lt__ = _compare_operator(less)
ops.Tensor.__le__ = _compare_operator(less_equal)
ops.Tensor.__gt__ = _compare_operator(greater)
ops.Tensor.__ge__ = _compare_operator(greater_equal)
ops.Tensor.__neg__ = lambda x: make_tensor("Neg", [x], name="Neg", attrs={"T": x.dtype.base_dtype})
ops.Tensor.__abs__ = lambda x: abs(x)
ops.Tensor.__invert__ = lambda x: invert_(x)
