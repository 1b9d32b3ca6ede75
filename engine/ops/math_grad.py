"""Gradients of the math ops (TensorFlow's ``python/ops/math_grad.py`` layout).

Every two-operand op undoes broadcasting in one place, `unbroadcast`: it decides from static shapes
whether a gradient needs reducing at all, with constant axes when it can, and only falls back to
``Shape``/``BroadcastGradientArgs``/``Sum``/``Reshape`` at run time when a shape is unknown.
"""

from __future__ import annotations

import numpy as np

from engine.framework import ops, tensor_util
from engine.framework.registry import register_gradient, register_not_differentiable, registered_gradients
from engine.ops import array_ops, backprop_ops, constant_op, grad_util, math_ops, op_util

# --- broadcasting ------------------------------------------------------------------------------------


def _dims(t):
    return t.shape._as_tuple()


def shapes_static_and_equal(*tensors):
    """True when every tensor has the same fully known shape (then no broadcasting happened)."""
    first = _dims(tensors[0])
    return first is not None and None not in first and all(_dims(t) == first for t in tensors[1:])


def _infer_reduction_axes(x_shape, y_shape):
    """Axes along which x and y were broadcast, decided from static shapes; (None, None) when an unknown
    dim makes it a run-time question."""
    if x_shape is None or y_shape is None:
        return None, None
    n = max(len(x_shape), len(y_shape))
    x_full = (1,) * (n - len(x_shape)) + tuple(x_shape)
    y_full = (1,) * (n - len(y_shape)) + tuple(y_shape)
    x_axes, y_axes = [], []
    for axis, (xd, yd) in enumerate(zip(x_full, y_full, strict=True)):
        if xd == 1 and yd != 1:
            x_axes.append(axis)
        elif yd == 1 and xd != 1:
            y_axes.append(axis)
        elif xd is None or yd is None:
            return None, None
    return x_axes, y_axes


def unbroadcast(op, gx, gy):
    """Sums the gradients `gx`, `gy` of a broadcasting binary op back to the shapes of its two inputs.

    The one place broadcasting is undone.  Like TensorFlow it adds ``Shape``/``Shape_1`` (Consts when
    the shapes are known), decides the reduction axes statically when it can and only otherwise adds
    ``BroadcastGradientArgs``; a gradient is reduced (``Sum`` with keepdims, then ``Reshape``) only when
    its input was actually broadcast.
    """
    if gx is None and gy is None:
        return [gx, gy]
    x, y = op.inputs[0], op.inputs[1]
    sx = grad_util.shape(x)
    sy = grad_util.shape(y)
    rx, ry = _infer_reduction_axes(_dims(x), _dims(y))
    if rx is None:
        rx, ry = array_ops.broadcast_gradient_args(sx, sy)
        reduce_x = reduce_y = True
    else:
        reduce_x = bool(rx) or len(_dims(x)) < len(_dims(y))
        reduce_y = bool(ry) or len(_dims(y)) < len(_dims(x))
    if gx is not None and reduce_x:
        gx = array_ops.reshape(math_ops.reduce_sum(gx, rx, keepdims=True), sx)
    if gy is not None and reduce_y:
        gy = array_ops.reshape(math_ops.reduce_sum(gy, ry, keepdims=True), sy)
    return [gx, gy]


class _Inputs:
    """A view of some of an op's inputs, for `unbroadcast` over ops with more than two operands."""

    def __init__(self, *inputs):
        self.inputs = inputs


# --- arithmetic --------------------------------------------------------------------------------------


@register_gradient("AddV2")
@register_gradient("Add")
def _add_grad(op, grad):
    if shapes_static_and_equal(op.inputs[0], op.inputs[1], grad):
        return [grad, grad]
    return unbroadcast(op, grad, grad)


def _sub_grad(op, grad):
    if shapes_static_and_equal(op.inputs[0], op.inputs[1], grad):
        return [grad, math_ops.negative(grad)]
    return unbroadcast(op, grad, math_ops.negative(grad))


register_gradient("Sub")(_sub_grad)


@register_gradient("Mul")
def _mul_grad(op, grad):
    x, y = op.inputs
    gx, gy = math_ops.multiply(grad, y), math_ops.multiply(x, grad)
    if shapes_static_and_equal(x, y, grad):
        return [gx, gy]
    return unbroadcast(op, gx, gy)


def _div_grad(op, grad):
    x, y = op.inputs
    gx = math_ops.truediv(grad, y)
    gy = math_ops.multiply(grad, math_ops.truediv(math_ops.truediv(math_ops.negative(x), y), y))
    return unbroadcast(op, gx, gy)


register_gradient("RealDiv")(_div_grad)
register_gradient("Div")(_div_grad)


@register_gradient("DivNoNan")
def _div_no_nan_grad(op, grad):
    x, y = op.inputs
    gx = math_ops.div_no_nan(grad, y)
    inner = math_ops.div_no_nan(math_ops.div_no_nan(math_ops.negative(x), y), y)
    gy = math_ops.multiply(grad, inner, name="mul")
    return unbroadcast(op, gx, gy)


@register_gradient("FloorMod")
def _floor_mod_grad(op, grad):
    x, y = op.inputs
    floor_xy = math_ops.floordiv(x, y)
    return unbroadcast(op, grad, math_ops.multiply(grad, math_ops.negative(floor_xy)))


@register_gradient("Pow")
def _pow_grad(op, grad):
    x, y = op.inputs
    z = op.outputs[0]
    one = constant_op.constant(1, dtype=y.dtype.base_dtype)
    gx = math_ops.multiply(math_ops.multiply(grad, y), math_ops.pow(x, math_ops.subtract(y, one)))
    # d/dy x^y = x^y log x, defined as 0 where x <= 0 (as TensorFlow does for real types).
    zero = array_ops.zeros_like(x)
    positive = math_ops.greater(x, zero)
    safe_x = array_ops.where(positive, x, array_ops.ones_like(x))
    log_x = array_ops.where(positive, math_ops.log(safe_x), zero)
    gy = math_ops.multiply(math_ops.multiply(grad, z), log_x)
    return unbroadcast(op, gx, gy)


@register_gradient("SquaredDifference")
def _squared_difference_grad(op, grad):
    x, y = op.inputs
    with grad.graph.control_dependencies([grad]):
        two = constant_op.constant(2, dtype=grad.dtype.base_dtype, name="scalar")
        gx = math_ops.multiply(math_ops.multiply(two, grad), math_ops.subtract(x, y, name="sub"), name="mul")
    if shapes_static_and_equal(x, y, grad):
        return [gx, math_ops.negative(gx)]
    return unbroadcast(op, gx, math_ops.negative(gx))


def _select_by(mask_fn):
    def grad_fn(op, grad):
        x, y = op.inputs
        mask = mask_fn(x, y)
        zeros = array_ops.zeros_like(grad)
        return unbroadcast(op, array_ops.where(mask, grad, zeros), array_ops.where(mask, zeros, grad))

    return grad_fn


register_gradient("Maximum")(_select_by(math_ops.greater_equal))
register_gradient("Minimum")(_select_by(math_ops.less_equal))


# --- unary -------------------------------------------------------------------------------------------


@register_gradient("Neg")
def _neg_grad(op, grad):
    return [math_ops.negative(grad)]


@register_gradient("Square")
def _square_grad(op, grad):
    x = op.inputs[0]
    two = constant_op.constant(2, dtype=x.dtype.base_dtype)
    return [math_ops.multiply(grad, math_ops.multiply(x, two))]


@register_gradient("Sqrt")
def _sqrt_grad(op, grad):
    return [backprop_ops.sqrt_grad(op.outputs[0], grad)]


@register_gradient("Rsqrt")
def _rsqrt_grad(op, grad):
    return [backprop_ops.rsqrt_grad(op.outputs[0], grad)]


@register_gradient("Reciprocal")
def _reciprocal_grad(op, grad):
    return [backprop_ops.reciprocal_grad(op.outputs[0], grad)]


@register_gradient("Exp")
def _exp_grad(op, grad):
    return [math_ops.multiply(grad, op.outputs[0])]


@register_gradient("Log")
def _log_grad(op, grad):
    return [math_ops.multiply(grad, math_ops.reciprocal(op.inputs[0]))]


@register_gradient("Log1p")
def _log1p_grad(op, grad):
    x = op.inputs[0]
    one = constant_op.constant(1, dtype=x.dtype.base_dtype)
    return [math_ops.multiply(grad, math_ops.reciprocal(math_ops.add(one, x)))]


@register_gradient("Abs")
def _abs_grad(op, grad):
    return [math_ops.multiply(grad, math_ops.sign(op.inputs[0]))]


@register_gradient("Sign")
def _sign_grad(op, grad):
    return [array_ops.zeros_like(op.inputs[0])]


@register_gradient("Sigmoid")
def _sigmoid_grad(op, grad):
    return [backprop_ops.sigmoid_grad(op.outputs[0], grad)]


@register_gradient("Tanh")
def _tanh_grad(op, grad):
    return [backprop_ops.tanh_grad(op.outputs[0], grad)]


@register_gradient("Cast")
def _cast_grad(op, grad):
    src = op.inputs[0].dtype.base_dtype
    if src.is_floating and grad.dtype.base_dtype.is_floating:
        return [array_ops.cast(grad, src)]
    return [None]


# --- matmul ------------------------------------------------------------------------------------------


def _matmul(a, b, flag, **kwargs):
    """A MatMul of the gradient, marked ``grad_a``/``grad_b`` as TensorFlow marks it."""
    out = math_ops.matmul(a, b, **kwargs)
    out.op._set_attr(flag, True)
    return out


@register_gradient("MatMul")
def _matmul_grad(op, grad):
    a, b = op.inputs
    ta = bool(op.get_attr("transpose_a"))
    tb = bool(op.get_attr("transpose_b"))
    if not ta and not tb:
        return (_matmul(grad, b, "grad_a", transpose_b=True), _matmul(a, grad, "grad_b", transpose_a=True))
    if not ta and tb:
        return _matmul(grad, b, "grad_a"), _matmul(grad, a, "grad_b", transpose_a=True)
    if ta and not tb:
        return _matmul(b, grad, "grad_a", transpose_b=True), _matmul(a, grad, "grad_b")
    return (_matmul(b, grad, "grad_a", transpose_a=True, transpose_b=True),
            _matmul(grad, a, "grad_b", transpose_a=True, transpose_b=True))


def _batch_matmul(x, y, adjoint_a=False, adjoint_b=False):
    """``math_ops.matmul`` for batched gradients.  With an operand of unknown rank it still builds a
    ``BatchMatMulV2`` (as TensorFlow's matmul does); ``math_ops.matmul`` would build a rank-2 MatMul."""
    if x.shape.ndims is not None and y.shape.ndims is not None:
        return math_ops.matmul(x, y, adjoint_a=adjoint_a, adjoint_b=adjoint_b)
    with ops.name_scope(None, "MatMul", [x, y]) as scope:
        attrs = {"T": x.dtype.base_dtype, "adj_x": bool(adjoint_a), "adj_y": bool(adjoint_b)}
        return op_util.make_tensor("BatchMatMulV2", [x, y], name=scope, attrs=attrs)


@register_gradient("BatchMatMulV2")
@register_gradient("BatchMatMul")
def _batch_matmul_grad(op, grad):
    a, b = op.inputs
    adj_a = bool(op.get_attr("adj_x"))
    adj_b = bool(op.get_attr("adj_y"))
    mm = _batch_matmul
    if not adj_a and not adj_b:
        ga, gb = mm(grad, b, adjoint_b=True), mm(a, grad, adjoint_a=True)
    elif not adj_a and adj_b:
        ga, gb = mm(grad, b), mm(grad, a, adjoint_a=True)
    elif adj_a and not adj_b:
        ga, gb = mm(b, grad, adjoint_b=True), mm(a, grad)
    else:
        ga, gb = mm(b, grad, adjoint_a=True, adjoint_b=True), mm(grad, a, adjoint_a=True, adjoint_b=True)
    if op.type != "BatchMatMulV2":
        return ga, gb
    ga_static, gb_static = _unbroadcast_batch(a, ga), _unbroadcast_batch(b, gb)
    if ga_static is not None and gb_static is not None:
        return ga_static, gb_static
    # A batch dimension is only known at run time: reduce over the axes BroadcastGradientArgs finds in
    # the two batch shapes (TensorFlow's graph), then restore each input's shape.
    sa, sb = grad_util.shape(a), grad_util.shape(b)
    ra, rb = array_ops.broadcast_gradient_args(sa[:-2], sb[:-2])
    if ga_static is None:
        ga_static = array_ops.reshape(math_ops.reduce_sum(ga, ra), sa)
    if gb_static is None:
        gb_static = array_ops.reshape(math_ops.reduce_sum(gb, rb), sb)
    return ga_static, gb_static


def _unbroadcast_batch(x, g):
    """Sums the batch dims of a batched matmul gradient back to x's batch shape, decided from static
    shapes; None when x's batch dims or either rank are only known at run time."""
    xd, gd = _dims(x), _dims(g)
    if xd is None or gd is None or None in xd[:-2] or len(xd) > len(gd):
        return None
    lead = len(gd) - len(xd)
    axes = list(range(lead)) + [i + lead for i, d in enumerate(xd[:-2]) if d == 1 and gd[i + lead] != 1]
    if not axes:
        return g
    target = list(xd) if None not in xd else grad_util.shape(x)
    return array_ops.reshape(math_ops.reduce_sum(g, axes), target)


# --- reductions --------------------------------------------------------------------------------------


def _reduction_axes(op):
    """(rank, sorted axes) of a reduction op when both are static, else None."""
    x, axes_t = op.inputs[0], op.inputs[1]
    xd = _dims(x)
    if xd is None:
        return None
    rank = len(xd)
    axes = _static_value(axes_t)
    if axes is None:
        return None
    return rank, sorted({int(a) % rank for a in np.asarray(axes).reshape(-1)}) if rank else []


def _static_value(t):
    """`tensor_util.constant_value`, also through ``Range(start, limit, delta)`` of static values (what
    a reduction over all axes of a tensor builds when its rank is only known from a ``Rank`` op)."""
    value = tensor_util.constant_value(t)
    if value is None and t.op.type == "Range":
        parts = [tensor_util.constant_value(i) for i in t.op.inputs]
        if all(p is not None for p in parts):
            value = np.arange(*(int(p) for p in parts))
    return value


def _cast(x, dtype):
    """Like TF's cast: a tensor that already has `dtype` is returned without adding (or naming) an op."""
    return x if x.dtype.base_dtype == dtype else array_ops.cast(x, dtype)


def _reshape_to_scalar(grad):
    """``reshape(grad, [])`` built as TensorFlow builds it: converting ``[]`` first yields a float32
    ``shape`` Const that the op cannot take, then the int32 ``shape_1`` it uses (the dead Const stays
    in TF's graphs, so it is in ours)."""
    with grad.graph.name_scope("Reshape") as scope:
        constant_op.constant(np.zeros([0], np.float32), name="shape")
        shape = constant_op.constant(np.zeros([0], np.int32), name="shape")
        return op_util.make_tensor("Reshape", [grad, shape], name=scope,
                                   attrs={"T": grad.dtype.base_dtype, "Tshape": shape.dtype})


def _sum_to_input(op, grad):
    """Spreads the gradient of a Sum back over the reduced axes (TF's `_SumGrad` graph: ``Reshape`` to
    the kept-dims shape, then ``Tile``)."""
    x = op.inputs[0]
    xd = _dims(x)
    info = _reduction_axes(op)
    if info is not None:
        rank, axes = info
        if axes == list(range(rank)):  # reduced to a scalar
            grad = _reshape_to_scalar(grad) if rank == 0 else array_ops.reshape(grad, [1] * rank)
            if None not in xd:
                multiples = constant_op.constant(np.array(xd, np.int32), name="Const")
            else:
                multiples = grad_util.shape(x)
            return array_ops.tile(grad, multiples)
        if None not in xd:
            kept = [1 if i in axes else d for i, d in enumerate(xd)]
            scaling = [d // max(k, 1) for d, k in zip(xd, kept, strict=True)]
            return array_ops.tile(array_ops.reshape(grad, kept), scaling)
        keep_mask = np.array([0 if i in axes else 1 for i in range(rank)], np.int32)
        sx = grad_util.shape(x)
        if not op.get_attr("keep_dims"):
            grad = array_ops.reshape(grad, math_ops.add(math_ops.multiply(sx, keep_mask), 1 - keep_mask))
        return array_ops.broadcast_to(grad, sx)
    # Unknown rank or axes fed at run time: reshape to the kept-dims shape computed by the graph.
    sx = grad_util.shape(x)
    if not op.get_attr("keep_dims"):
        grad = array_ops.reshape(grad, grad_util.reduced_shape(sx, op.inputs[1]))
    return array_ops.broadcast_to(grad, sx)


@register_gradient("Sum")
def _sum_grad(op, grad):
    return [_sum_to_input(op, grad), None]


@register_gradient("Mean")
def _mean_grad(op, grad):
    """The Sum gradient divided by how many inputs each output averages."""
    sum_grad = _sum_to_input(op, grad)
    x, y = op.inputs[0], op.outputs[0]
    xd, yd = _dims(x), _dims(y)
    dtype = sum_grad.dtype.base_dtype
    if xd is not None and yd is not None and None not in xd and None not in yd:
        factor = int(np.prod(xd, dtype=np.int64)) // max(int(np.prod(yd, dtype=np.int64)), 1)
        factor = constant_op.constant(factor, dtype=dtype)
    else:
        input_shape = grad_util.shape(x)
        input_rank = grad_util.size(input_shape)
        axes = _cast(op.inputs[1], input_rank.dtype.base_dtype)
        axes = (axes + input_rank) % input_rank
        factor = math_ops.reduce_prod(array_ops.gather(input_shape, axes))
    return [math_ops.truediv(sum_grad, _cast(factor, dtype)), None]


def _min_or_max_grad(op, grad):
    """The gradient flows to the inputs equal to the extreme value, split evenly between ties."""
    x, y = op.inputs[0], op.outputs[0]
    info = _reduction_axes(op)
    if info is not None:
        rank, axes = info
        kept = [1 if i in axes else d for i, d in enumerate(_dims(x))]
        if None in kept:
            keep_mask = np.array([0 if i in axes else 1 for i in range(rank)], np.int32)
            kept = math_ops.add(math_ops.multiply(grad_util.shape(x), keep_mask), 1 - keep_mask)
    else:  # unknown rank or axes fed at run time
        axes = op.inputs[1]
        kept = grad_util.reduced_shape(grad_util.shape(x), axes)
    y_kept = y if op.get_attr("keep_dims") else array_ops.reshape(y, kept)
    g_kept = grad if op.get_attr("keep_dims") else array_ops.reshape(grad, kept)
    indicators = array_ops.cast(math_ops.equal(y_kept, x), grad.dtype.base_dtype)
    num_selected = math_ops.reduce_sum(indicators, axes, keepdims=True)
    return [math_ops.multiply(math_ops.truediv(indicators, num_selected), g_kept), None]


register_gradient("Max")(_min_or_max_grad)
register_gradient("Min")(_min_or_max_grad)


@register_gradient("Prod")
def _prod_grad(op, grad):
    """d prod / d x_i = prod / x_i.  Deviation: TensorFlow uses exclusive cumulative products, which
    stay finite when an input is 0; here a zero input gives a non-finite gradient."""
    x, y = op.inputs[0], op.outputs[0]
    y_full = _sum_to_input(op, y)
    g_full = _sum_to_input(op, grad)
    return [math_ops.truediv(math_ops.multiply(g_full, y_full), x), None]


for _t in ("Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr",
           "LogicalNot", "ArgMax", "ArgMin", "Any", "All", "FloorDiv", "Floor", "Ceil", "Round", "Range",
           "LinSpace", "IsFinite", "IsNan", "IsInf"):
    if _t not in registered_gradients():  # an op module may already have declared it
        register_not_differentiable(_t)


# --- more elementwise functions ----------------------------------------------------------------------


def _const_like(x, value):
    return constant_op.constant(value, dtype=x.dtype.base_dtype)


@register_gradient("AddN")
def _add_n_grad(op, grad):
    return [grad] * len(op.inputs)


@register_gradient("Sin")
def _sin_grad(op, grad):
    return [math_ops.multiply(grad, math_ops.cos(op.inputs[0]))]


@register_gradient("Cos")
def _cos_grad(op, grad):
    return [math_ops.negative(math_ops.multiply(grad, math_ops.sin(op.inputs[0])))]


@register_gradient("Tan")
def _tan_grad(op, grad):
    sec = math_ops.reciprocal(math_ops.cos(op.inputs[0]))
    return [math_ops.multiply(grad, math_ops.square(sec))]


def _one_minus_square_rsqrt(x):
    return math_ops.rsqrt(math_ops.subtract(_const_like(x, 1), math_ops.square(x)))


@register_gradient("Asin")
def _asin_grad(op, grad):
    return [math_ops.multiply(grad, _one_minus_square_rsqrt(op.inputs[0]))]


@register_gradient("Acos")
def _acos_grad(op, grad):
    return [math_ops.negative(math_ops.multiply(grad, _one_minus_square_rsqrt(op.inputs[0])))]


@register_gradient("Atan")
def _atan_grad(op, grad):
    x = op.inputs[0]
    return [math_ops.multiply(grad, math_ops.reciprocal(math_ops.add(_const_like(x, 1), math_ops.square(x))))]


@register_gradient("Atan2")
def _atan2_grad(op, grad):
    y, x = op.inputs
    inv = math_ops.reciprocal(math_ops.add(math_ops.square(x), math_ops.square(y)))
    gy = math_ops.multiply(grad, math_ops.multiply(x, inv))
    gx = math_ops.multiply(grad, math_ops.negative(math_ops.multiply(y, inv)))
    return unbroadcast(op, gy, gx)


@register_gradient("Sinh")
def _sinh_grad(op, grad):
    return [math_ops.multiply(grad, math_ops.cosh(op.inputs[0]))]


@register_gradient("Cosh")
def _cosh_grad(op, grad):
    return [math_ops.multiply(grad, math_ops.sinh(op.inputs[0]))]


@register_gradient("Expm1")
def _expm1_grad(op, grad):
    return [math_ops.multiply(grad, math_ops.exp(op.inputs[0]))]


@register_gradient("Cumsum")
def _cumsum_grad(op, grad):
    exclusive = bool(op.get_attr("exclusive"))
    reverse = bool(op.get_attr("reverse"))
    return [math_ops.cumsum(grad, op.inputs[1], exclusive=exclusive, reverse=not reverse), None]


for _t in ("BroadcastGradientArgs", "Rint", "TruncateDiv", "RandomUniform", "RandomStandardNormal",
           "TruncatedNormal",
           "RandomUniformInt", "NoOp", "VariableV2", "Assign", "AssignAdd", "AssignSub",
           "IsVariableInitialized"):
    if _t not in registered_gradients():
        register_not_differentiable(_t)
