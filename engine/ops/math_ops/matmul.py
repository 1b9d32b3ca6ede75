"""MatMul, BatchMatMul(V2) and tensordot: kernels, shape rules, wrappers and gradients."""

from __future__ import annotations

import builtins

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, grad_util, math_ops, op_util
from engine.ops.op_util import (
    broadcast_dims,
    check_same_dtype,
    dims,
    make_tensor,
    shape,
    shape_error,
)

_convert = ops.convert_to_tensor
_range = builtins.range


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
    row_products=lambda op: bool(op._get_attr_or("transpose_a", False))
    and not op._get_attr_or("transpose_b", False),
    narrows=lambda op: 0 if op._get_attr_or("transpose_b", False) else 1,
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
        for side, transpose, adjoint in (("a", transpose_a, adjoint_a), ("b", transpose_b, adjoint_b)):
            if transpose and adjoint:
                raise ValueError(f"Only one of `transpose_{side}` and `adjoint_{side}` can be True. Received "
                                 f"`transpose_{side}`={transpose}, `adjoint_{side}`={adjoint}.")
        a = _convert(a, name="a")
        b = _convert(b, preferred_dtype=a.dtype.base_dtype, name="b")
        ra, rb = a.shape.ndims, b.shape.ndims
        # As TF: an operand of unknown rank may be a batch, so only two known rank-2 operands make MatMul.
        if ra is None or ra > 2 or rb is None or rb > 2:
            check_same_dtype("BatchMatMulV2", a, b)
            # BatchMatMulV2 only has adjoints: a complex operand to transpose is conjugated first (TF's)
            a, b = (_conj(a) if transpose_a else a), (_conj(b) if transpose_b else b)
            return make_tensor(
                "BatchMatMulV2",
                [a, b],
                name=scope,
                attrs={"T": a.dtype.base_dtype, "adj_x": bool(transpose_a or adjoint_a),
                       "adj_y": bool(transpose_b or adjoint_b)},
            )
        check_same_dtype("MatMul", a, b, args=("a", "b"))
        # MatMul only has transposes: a complex operand's adjoint is its conjugate transposed (TF's)
        a, b = (_conj(a) if adjoint_a else a), (_conj(b) if adjoint_b else b)
        transpose_a = transpose_a or adjoint_a
        transpose_b = transpose_b or adjoint_b
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


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None):
    """``tf.linalg.matvec``: each matrix of `a` times the vector of `b` (a matmul with b as a column)."""
    with ops.name_scope(name, "MatVec", [a, b]):
        output = matmul(a, array_ops.expand_dims(b, axis=-1), transpose_a=transpose_a, adjoint_a=adjoint_a,
                        a_is_sparse=a_is_sparse, b_is_sparse=b_is_sparse)
        return array_ops.squeeze(output, axis=-1)


def _conj(x):
    """tf.conj: a Conj op for a complex tensor, the tensor itself otherwise."""
    from engine.ops.complex_ops import conj  # complex_ops builds on math_ops: imported when first needed

    return conj(x) if x.dtype.is_complex else x


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

# --- gradients ------------------------------------------------------------------------------------


def _matmul(a, b, flag, **kwargs):
    """A MatMul of the gradient, marked ``grad_a``/``grad_b`` as TensorFlow marks it."""
    out = math_ops.matmul(a, b, **kwargs)
    out.op._set_attr(flag, True)
    return out


@register_gradient("MatMul")
def _matmul_grad(op, grad):
    a, b = (_conj(x) for x in op.inputs)  # TF's: the conjugates, for complex products
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
    xd, gd = grad_util.static_dims(x), grad_util.static_dims(g)
    if xd is None or gd is None or None in xd[:-2] or len(xd) > len(gd):
        return None
    lead = len(gd) - len(xd)
    axes = list(range(lead)) + [i + lead for i, d in enumerate(xd[:-2]) if d == 1 and gd[i + lead] != 1]
    if not axes:
        return g
    target = list(xd) if None not in xd else grad_util.shape(x)
    return array_ops.reshape(math_ops.reduce_sum(g, axes), target)


