"""Shape ops: Shape, ShapeN, Size, Rank, Reshape, Squeeze, ExpandDims, Transpose (with InvertPermutation,
which its run-time gradient builds), BroadcastTo and BroadcastGradientArgs: kernels, shape rules, wrappers
and gradients."""

from __future__ import annotations

import builtins
import math

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, indexed_slices, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient, register_not_differentiable
from engine.framework.sparse_tensor import SparseTensor, SparseTensorValue
from engine.ops import array_ops, constant_op, grad_util
from engine.ops.op_util import (
    dims,
    make_op,
    make_tensor,
    node_for_error,
    normalize_axis,
    shape,
    shape_error,
    shape_str,
)

constant = constant_op.constant
_convert = ops.convert_to_tensor
_range = builtins.range
_const_value = tensor_util.constant_value


def _infer_shape_op_of(tensor):
    d = dims(tensor)
    return shape((None if d is None else len(d),))


def _infer_shape_op(op):
    return [(op._attrs["out_type"], _infer_shape_op_of(op.inputs[0]))]


def _compile_shape(op, runtime):
    npd = op._attrs["out_type"].as_numpy_dtype
    return lambda x: np.array(np.shape(x), dtype=npd)


registry.register_op("Shape", infer=_infer_shape_op, compile=_compile_shape, attrs={"out_type": dtypes.int32},
                     shape_only=True)


registry.register_op(
    "ShapeN",
    infer=lambda op: [(op._attrs["out_type"], _infer_shape_op_of(t)) for t in op.inputs],
    compile=lambda op, runtime: (
        lambda *xs, _t=op._attrs["out_type"].as_numpy_dtype: tuple(np.array(np.shape(x), _t) for x in xs)
    ),
    attrs={"out_type": dtypes.int32},
    shape_only=True,
)


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """``tf.shape_n``: the shapes of the tensors of the list `input`, from one ShapeN op (never folded to
    constants, as TF's; TF's gradients read two shapes with it)."""
    out_type = dtypes.as_dtype(out_type)
    with ops.name_scope(name, "ShapeN", input) as scope:
        xs = [_convert(t, name="input") for t in input]
        op = make_op("ShapeN", xs, name=scope,
                     attrs={"N": len(xs), "T": xs[0].dtype.base_dtype, "out_type": out_type})
        return list(op.outputs)


def _cast_dense_shape(sparse, out_type):
    """A SparseTensor's dense shape through a Cast op, even to its own dtype (TF's gen_math_ops.cast)."""
    with ops.name_scope(None, "Cast", [sparse.dense_shape]) as scope:
        x = _convert(sparse.dense_shape, name="x")
        return make_tensor("Cast", [x], name=scope,
                           attrs={"SrcT": x.dtype.base_dtype, "DstT": out_type, "Truncate": False})


def shape_v1(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """`tf.shape`: `input`'s shape as a 1-D int32 tensor; a Const when the static shape is fully known."""
    out_type = dtypes.as_dtype(out_type)
    with ops.name_scope(name, "Shape", [input]) as scope:
        if isinstance(input, SparseTensor | SparseTensorValue):  # its dense shape, as TF
            return _cast_dense_shape(input, out_type)
        input = _convert(input)  # noqa: A001
        if input.shape.is_fully_defined():
            return constant(input.shape.as_list(), out_type, name=scope)
        return make_tensor(
            "Shape", [input], name=scope, attrs={"T": input.dtype.base_dtype, "out_type": out_type}
        )


registry.register_op(
    "Size",
    infer=lambda op: [(op._attrs["out_type"], _ts.scalar())],
    compile=lambda op, rt: lambda x, _t=op._attrs["out_type"].as_numpy_dtype: np.array(np.size(x), dtype=_t),
    attrs={"out_type": dtypes.int32},
    shape_only=True,
)
registry.register_op(
    "Rank",
    infer=lambda op: [(dtypes.int32, _ts.scalar())],
    kernel=lambda x: np.array(np.ndim(x), dtype=np.int32),
    shape_only=True,
)


def size(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """Number of elements; a Const when known statically (as TF folds it)."""
    out_type = dtypes.as_dtype(out_type)
    with ops.name_scope(name, "Size", [input]) as scope:
        if isinstance(input, SparseTensor | SparseTensorValue):  # the product of its dense shape, as TF
            dense_shape = _cast_dense_shape(input, out_type)
            axis = constant(0, dtypes.int32, name="reduction_indices")
            return make_tensor("Prod", [dense_shape, axis], name=scope,
                               attrs={"T": out_type, "Tidx": dtypes.int32, "keep_dims": False})
        input = _convert(input)  # noqa: A001
        static = input.shape
        if static.is_fully_defined():
            return constant(static.num_elements(), out_type, name=scope)
        if static.ndims is not None and any(d.value == 0 for d in static):
            return constant(0, out_type, name=scope)
        return make_tensor(
            "Size", [input], name=scope, attrs={"T": input.dtype.base_dtype, "out_type": out_type}
        )


def rank(input, name=None):  # noqa: A002
    """Number of dimensions; a Const when the static rank is known (as TF folds it)."""
    with ops.name_scope(name, "Rank", [input]) as scope:
        if isinstance(input, SparseTensor | SparseTensorValue):  # the length of its dense shape, as TF
            dense_shape = _convert(input.dense_shape, dtype=dtypes.int64)
            return make_tensor("Size", [dense_shape], name=scope,
                               attrs={"T": dtypes.int64, "out_type": dtypes.int32})
        input = _convert(input)  # noqa: A001
        if input.shape.ndims is not None:
            return constant(input.shape.ndims, dtypes.int32, name=scope)
        return make_tensor("Rank", [input], name=scope, attrs={"T": input.dtype.base_dtype})


# --- Reshape ------------------------------------------------------------------------------------------------
def _reshape_dims(op, in_dims, target):
    """Static output dims of Reshape; raises TF's shape-function errors for impossible shapes."""
    if target is None:
        return None
    shape_t = op.inputs[1]
    partial = shape_str(target)

    def fail(message):
        return ValueError(
            f"{message} for '{node_for_error(op)}' with input shapes: {shape_str(op.inputs[0].shape)}, "
            f"{shape_str(shape_t.shape)} and with input tensors computed as partial shapes: "
            f"input[1] = {partial}."
        )

    unknown = [i for i, d in enumerate(target) if d is None]
    known_product = 1
    for d in target:
        if d is not None:
            known_product *= d
    if in_dims is not None and all(d is not None for d in in_dims):
        n = 1
        for d in in_dims:
            n *= d
        if not unknown:
            if n != known_product:
                raise fail(
                    f"Cannot reshape a tensor with {n} elements to shape {partial} ({known_product} elements)"
                )
            return target
        value = _const_value(shape_t)
        if len(unknown) == 1 and value is not None:
            if known_product == 0 or n % known_product:
                raise fail(f"Dimension size must be evenly divisible by {known_product} but is {n}")
            out = list(target)
            out[unknown[0]] = n // known_product
            return tuple(out)
    return target


def _infer_reshape(op):
    x, s = op.inputs
    target = tensor_util.constant_value_as_shape(s)._as_tuple()
    value = _const_value(s)
    if value is not None and list(value.reshape(-1)).count(-1) > 1:
        raise shape_error(op, "Cannot infer multiple unknown dimensions in shape " + shape_str(target))
    return [(x.dtype.base_dtype, shape(_reshape_dims(op, dims(x), target)))]


def _reshape_kernel(x, new_shape):
    if type(x) is np.ndarray and type(new_shape) is np.ndarray and new_shape.ndim == 1:
        # Fast path (e.g. gradients' `Reshape(Sum(grad, keepdims), shape)` every step; 4.8 -> 0.8 us): a
        # vector of non-negative dims whose product is x's size; anything else takes the checks below.
        target = new_shape.tolist()
        if min(target, default=0) >= 0 and math.prod(target) == x.size:
            return x.reshape(target)
    new_shape = [int(d) for d in np.reshape(new_shape, -1)]
    n = np.size(x)
    unknown = new_shape.count(-1)
    product = 1
    for d in new_shape:
        if d != -1:
            product *= d
    if unknown > 1:
        raise errors.InvalidArgumentError(None, None, "Only one input size may be -1, not both 0 and 1")
    if unknown == 1:
        if product == 0 or n % product:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Input to reshape is a tensor with {n} values, but the requested shape requires "
                "a multiple of "
                f"{product}",
            )
    elif n != product:
        raise errors.InvalidArgumentError(
            None, None, f"Input to reshape is a tensor with {n} values, but the requested shape has {product}"
        )
    return np.reshape(x, new_shape)


def _bind_reshape(op, runtime, known, donated):
    """A Reshape to a shape the plan knows with every dimension given (no -1): ndarray.reshape succeeds
    exactly when TF's does (same size); anything else takes the general kernel and its errors."""
    if 0 in known:
        return None
    new_shape = known[1]
    target = tuple(int(d) for d in np.reshape(new_shape, -1))
    if min(target, default=0) < 0:
        return None
    size = math.prod(target)

    def kernel(x):
        if type(x) is np.ndarray and x.size == size:
            return x.reshape(target)
        return _reshape_kernel(x, new_shape)

    return kernel


registry.register_op("Reshape", infer=_infer_reshape, kernel=_reshape_kernel, bind=_bind_reshape,
                     inputs=("tensor: T", "shape: Tshape"), reshape=True,
                     allowed={"Tshape": groups.INDEX_TYPES})


def reshape(tensor, shape, name=None):  # noqa: F811 - TF's argument name
    """Reshapes `tensor`; one dimension may be -1 (computed from the others)."""
    with ops.name_scope(name, "Reshape", [tensor]) as scope:
        tensor = _convert(tensor, name="tensor")
        shape_t = (
            _convert(shape, dtype=dtypes.int32, name="shape") if not isinstance(shape, ops.Tensor) else shape
        )
        return make_tensor(
            "Reshape",
            [tensor, shape_t],
            name=scope,
            attrs={"T": tensor.dtype.base_dtype, "Tshape": shape_t.dtype},
        )


def _perm_value(perm):
    """The permutation if known at build time, also as an InvertPermutation of a known one (TF's shape
    inference evaluates that small subgraph; the Transpose gradient builds it)."""
    p = _const_value(perm)
    if p is None and perm.op.type == "InvertPermutation":
        given = _const_value(perm.op.inputs[0])
        if given is not None:
            p = np.argsort(np.asarray(given).reshape(-1))
    return p


def _infer_transpose(op):
    x, perm = op.inputs
    d = dims(x)
    p = _perm_value(perm)
    if p is None:
        n = perm.shape[0].value if perm.shape.ndims == 1 else None
        return [
            (x.dtype.base_dtype, _ts.unknown_shape(n if n is not None else (None if d is None else len(d))))
        ]
    p = [int(i) for i in p.reshape(-1)]
    if d is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape(len(p)))]
    if len(p) != len(d):
        raise shape_error(op, f"Dimension must be {len(d)} but is {len(p)}")
    if sorted(p) != list(_range(len(d))):
        raise shape_error(op, f"{p} is not a valid permutation")
    return [(x.dtype.base_dtype, shape(tuple(d[i] for i in p)))]


def _permuted(x, perm):
    return np.transpose(x, [int(i) for i in np.reshape(perm, -1)])


# ConjugateTranspose is transpose(conjugate=True) of a complex tensor: one op, as TF's
def _conjugate_permuted(x, perm):
    return np.conj(_permuted(x, perm))


for _op_type, _kernel in (("Transpose", _permuted), ("ConjugateTranspose", _conjugate_permuted)):
    registry.register_op(_op_type, infer=_infer_transpose, kernel=_kernel, inputs=("x: T", "perm: Tperm"),
                         allowed={"Tperm": groups.INDEX_TYPES})


def transpose(a, perm=None, name="transpose", conjugate=False):
    """Permutes dimensions; by default reverses them."""
    with ops.name_scope(name, "transpose", [a]) as scope:
        a = _convert(a, name="a")
        if perm is None:
            if a.shape.ndims is None:
                from engine.ops import math_ops

                r = rank(a)
                perm = math_ops.subtract(math_ops.subtract(r, 1), range(0, r, 1))
            else:
                n = a.shape.ndims
                perm = (n - 1) - np.arange(n, dtype=np.int32)
        if not isinstance(perm, ops.Tensor):
            perm = _convert(perm, dtype=dtypes.int32, name="perm")
        op_type = "ConjugateTranspose" if conjugate and a.dtype.is_complex else "Transpose"
        attrs = {"T": a.dtype.base_dtype, "Tperm": perm.dtype}
        return make_tensor(op_type, [a, perm], name=scope, attrs=attrs)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """The last two dimensions swapped: a Transpose (ConjugateTranspose) named `<scope>/transpose`, as
    TF's."""
    with ops.name_scope(name, "transpose", [a]):
        a = _convert(a, name="a")
        n = a.shape.ndims
        if n is None:
            raise ValueError("matrix_transpose needs a tensor of known rank")
        perm = list(_range(n - 2)) + [n - 1, n - 2]
        return transpose(a, perm, name="transpose", conjugate=conjugate)


def _infer_squeeze(op):
    x = op.inputs[0]
    axes = op._attrs.get("squeeze_dims") or []
    d = dims(x)
    if d is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape())]
    n = len(d)
    axes = [normalize_axis(op, a, n) for a in axes]
    out = []
    for i, di in enumerate(d):
        if axes:
            if i in axes:
                if di is not None and di != 1:
                    raise shape_error(op, f"Can not squeeze dim[{i}], expected a dimension of 1, got {di}")
                continue
            out.append(di)
        elif di == 1:
            continue
        elif di is None:
            return [(x.dtype.base_dtype, _ts.unknown_shape())]
        else:
            out.append(di)
    return [(x.dtype.base_dtype, shape(tuple(out)))]


def _compile_squeeze(op, runtime):
    axes = tuple(op._attrs.get("squeeze_dims") or ())
    return lambda x: np.squeeze(x, axis=axes if axes else None)


registry.register_op("Squeeze", infer=_infer_squeeze, compile=_compile_squeeze, attrs={"squeeze_dims": []})


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """Removes size-1 dimensions (all of them, or those in `axis`)."""
    if squeeze_dims is not None:
        axis = squeeze_dims
    if isinstance(axis, int):
        axis = [axis]
    input = _convert(input)  # noqa: A001
    return make_tensor(
        "Squeeze",
        [input],
        name=name or "Squeeze",
        attrs={"T": input.dtype.base_dtype, "squeeze_dims": [int(a) for a in (axis or [])]},
    )


def _infer_expand_dims(op):
    x, dim_t = op.inputs
    d = dims(x)
    axis = _const_value(dim_t)
    if d is None or axis is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape(None if d is None else len(d) + 1))]
    a = int(np.reshape(axis, -1)[0])
    n = len(d) + 1
    if a < -n or a >= n:
        raise shape_error(op, f"dim {a} not in the interval [{-n}, {n - 1}].", computed={1: axis})
    a = a + n if a < 0 else a
    out = list(d)
    out.insert(a, 1)
    return [(x.dtype.base_dtype, shape(tuple(out)))]


registry.register_op(
    "ExpandDims",
    infer=_infer_expand_dims,
    kernel=lambda x, axis: np.expand_dims(x, int(np.reshape(axis, -1)[0])),
    inputs=("input: T", "dim: Tdim"),
    allowed={"Tdim": groups.INDEX_TYPES},
)


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """Inserts a size-1 dimension at `axis`."""
    if dim is not None:
        axis = dim
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    with ops.name_scope(name, "ExpandDims", [input]) as scope:
        input = _convert(input, name="input")  # noqa: A001
        axis_t = _convert(axis, dtype=dtypes.int32, name="dim") if not isinstance(axis, ops.Tensor) else axis
        return make_tensor(
            "ExpandDims",
            [input, axis_t],
            name=scope,
            attrs={"T": input.dtype.base_dtype, "Tdim": axis_t.dtype},
        )


def _broadcast_gradient_args_kernel(s0, s1):
    """Axes along which each input was broadcast (for summing gradients back to the input shape)."""
    a = [int(v) for v in np.reshape(s0, -1)]
    b = [int(v) for v in np.reshape(s1, -1)]
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + a
    b = [1] * (n - len(b)) + b
    r0, r1 = [], []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x != y and x != 1 and y != 1:
            raise errors.InvalidArgumentError(
                None, None, f"Incompatible shapes: [{','.join(map(str, s0))}] vs. [{','.join(map(str, s1))}]"
            )
        if x == 1 and y != 1:
            r0.append(i)
        elif y == 1 and x != 1:
            r1.append(i)
        elif x == 1 and y == 1:
            r0.append(i)
            r1.append(i)
    npd = np.asarray(s0).dtype
    return np.array(r0, dtype=npd), np.array(r1, dtype=npd)


registry.register_op(
    "BroadcastGradientArgs",
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, _ts.TensorShape([None]))] * 2,
    kernel=_broadcast_gradient_args_kernel,
    inputs=("s0: T", "s1: T"),
    allowed={"T": groups.INDEX_TYPES},
)


def broadcast_gradient_args(s0, s1, name=None):
    s0 = _convert(s0, dtype=dtypes.int32)
    s1 = _convert(s1, dtype=s0.dtype)
    return make_op(
        "BroadcastGradientArgs", [s0, s1], name=name or "BroadcastGradientArgs", attrs={"T": s0.dtype}
    ).outputs


def _infer_broadcast_to(op):
    x, s = op.inputs
    target = tensor_util.constant_value_as_shape(s)
    return [(x.dtype.base_dtype, target)]


registry.register_op(
    "BroadcastTo",
    infer=_infer_broadcast_to,
    kernel=lambda x, s: np.array(np.broadcast_to(x, [int(v) for v in np.reshape(s, -1)])),
    inputs=("input: T", "shape: Tidx"),
    allowed={"Tidx": groups.INDEX_TYPES},
)


def broadcast_to(input, shape, name=None):  # noqa: A002, F811
    with ops.name_scope(name, "BroadcastTo", [input]) as scope:
        input = _convert(input, name="input")  # noqa: A001
        s = shape if isinstance(shape, ops.Tensor) else _convert(shape, dtype=dtypes.int32, name="shape")
        return make_tensor(
            "BroadcastTo", [input, s], name=scope, attrs={"T": input.dtype.base_dtype, "Tidx": s.dtype}
        )

# --- InvertPermutation ----------------------------------------------------------------------------


def _invert_permutation_kernel(x):
    x = np.asarray(x)
    n = x.size
    if x.ndim != 1 or sorted(x.tolist()) != list(range(n)):
        raise errors.InvalidArgumentError(None, None, f"{x.tolist()} is not a permutation of 0..{n - 1}")
    out = np.empty_like(x)
    out[x] = np.arange(n, dtype=x.dtype)
    return out


registry.register_op(
    "InvertPermutation",
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
    kernel=_invert_permutation_kernel,
    inputs=("x: T",),
    allowed={"T": groups.INDEX_TYPES},
)


def invert_permutation(x, name=None):
    """``tf.math.invert_permutation``: y[x[i]] = i."""
    with ops.name_scope(name, "InvertPermutation", [x]) as scope:
        x = ops.convert_to_tensor(x, name="x")
        return make_tensor("InvertPermutation", [x], name=scope, attrs={"T": x.dtype.base_dtype})

# --- gradients ------------------------------------------------------------------------------------


@register_gradient("Reshape")
def _reshape_grad(op, grad):
    grad = indexed_slices.to_tensor_no_warning(grad)  # a gather's gradient, densified here as TF does
    d = grad_util.static_dims(op.inputs[0])
    if d is not None and d.count(None) == 1 and 0 not in d:
        # One unknown dim: a -1 wildcard instead of a run-time Shape op (as TF does).
        return [array_ops.reshape(grad, [-1 if x is None else x for x in d]), None]
    return [array_ops.reshape(grad, shape_v1(op.inputs[0])), None]  # a Const `Shape` when known, as TF


@register_gradient("ExpandDims")
def _expand_dims_grad(op, grad):
    return [_reshape_to_input(op, grad), None]


@register_gradient("Squeeze")
def _squeeze_grad(op, grad):
    return [_reshape_to_input(op, grad)]


def _reshape_to_input(op, grad):
    """TF's ``_ReshapeToInput``: the gradient (densified if IndexedSlices) in the shape of op's input."""
    grad = indexed_slices.to_tensor_no_warning(grad)
    return array_ops.reshape(grad, shape_v1(op.inputs[0]))


@register_gradient("Transpose")
@register_gradient("ConjugateTranspose")
def _transpose_grad(op, grad):
    """The inverse permutation, an InvertPermutation op as TF's (folded when the permutation is a
    constant), conjugated again for ConjugateTranspose."""
    conjugate = op.type == "ConjugateTranspose"
    return [array_ops.transpose(grad, array_ops.invert_permutation(op.inputs[1]), conjugate=conjugate), None]


@register_gradient("BroadcastTo")
def _broadcast_to_grad(op, grad):
    return [grad_util.unbroadcast(grad_util.Inputs(op.inputs[0], op.outputs[0]), grad, None)[0], None]


for _t in ("Shape", "ShapeN", "Size", "Rank", "BroadcastGradientArgs", "InvertPermutation"):
    register_not_differentiable(_t)
