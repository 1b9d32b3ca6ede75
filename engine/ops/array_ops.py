"""Array ops: placeholders, identity, reshape, cast, transpose, concat/stack/split, slicing, fill, ...

Each op type is registered once (`infer` + numpy kernel) right above the Python function(s) that
build it.  Python functions reproduce TF 1.x's op names (e.g. `tf.zeros([2, 3])` is one Const named
`zeros`, `tf.zeros` of 1000+ elements is `zeros/shape_as_tensor` + `zeros/Const` + Fill `zeros`).
"""

from __future__ import annotations

import builtins
import math
import numbers

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.ops import constant_op
from engine.ops.op_util import dims, make_op, make_tensor, node_for_error, shape, shape_error, shape_str

constant = constant_op.constant
_convert = ops.convert_to_tensor
_builtin_slice = builtins.slice
_range = builtins.range


def _const_value(t):
    return tensor_util.constant_value(t)


# --- Placeholder ------------------------------------------------------------------------------------------
def _infer_placeholder(op):
    s = op._attrs.get("shape")
    return [(op._attrs["dtype"], s if s is not None else _ts.unknown_shape())]


def _compile_placeholder(op, runtime):
    dtype = op._attrs["dtype"]
    s = op._attrs.get("shape")
    message = f"You must feed a value for placeholder tensor '{op.name}' with dtype {dtypes.c_name(dtype)}"
    if s is not None and s.ndims is not None:
        message += " and shape " + shape_str(s)

    def kernel():
        raise errors.InvalidArgumentError(None, None, message)

    return kernel


registry.register_op(
    "Placeholder",
    infer=_infer_placeholder,
    compile=_compile_placeholder,
    attrs={"shape": _ts.unknown_shape()},
)


def placeholder(dtype, shape=None, name=None):
    """A Tensor that must be fed at `Session.run` time (`feed_dict={x: value}`)."""
    dtype = dtypes.as_dtype(dtype)
    s = _ts.as_shape(shape) if shape is not None else _ts.unknown_shape()
    return make_tensor("Placeholder", [], name=name or "Placeholder", attrs={"dtype": dtype, "shape": s})


def _infer_placeholder_with_default(op):
    t = op.inputs[0]
    s = op._attrs.get("shape")
    if s is not None and not s.is_compatible_with(t.shape):
        raise shape_error(op, f"Shapes {shape_str(s)} and {shape_str(t.shape)} are incompatible")
    return [(t.dtype.base_dtype, s if s is not None else t.shape)]


registry.register_op("PlaceholderWithDefault", infer=_infer_placeholder_with_default, kernel=lambda x: x)


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's argument name
    """A placeholder that evaluates to `input` when it is not fed."""
    with ops.name_scope(name, "PlaceholderWithDefault", [input]) as scope:
        value = _convert(input, name="input")
        return make_tensor(
            "PlaceholderWithDefault",
            [value],
            name=scope,
            attrs={"dtype": value.dtype.base_dtype, "shape": _ts.as_shape(shape)},
        )


# --- Identity / StopGradient --------------------------------------------------------------------------------
def _identity(x):
    return x


registry.register_op(
    "Identity", infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)], kernel=_identity
)
registry.register_op(
    "StopGradient", infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)], kernel=_identity
)


def identity(input, name=None):  # noqa: A002
    """A tensor with the same value (the `read` of a variable is one)."""
    with ops.name_scope(name, "Identity", [input]) as scope:
        input = _convert(input, name="input")  # noqa: A001
        return make_tensor("Identity", [input], name=scope, attrs={"T": input.dtype.base_dtype})


def stop_gradient(input, name=None):  # noqa: A002
    with ops.name_scope(name, "StopGradient", [input]) as scope:
        input = _convert(input, name="input")  # noqa: A001
        return make_tensor("StopGradient", [input], name=scope, attrs={"T": input.dtype.base_dtype})


# --- Shape, Size, Rank --------------------------------------------------------------------------------------
def _infer_shape_op(op):
    d = dims(op.inputs[0])
    return [(op._attrs["out_type"], shape((None if d is None else len(d),)))]


def _compile_shape(op, runtime):
    npd = op._attrs["out_type"].as_numpy_dtype
    return lambda x: np.array(np.shape(x), dtype=npd)


registry.register_op("Shape", infer=_infer_shape_op, compile=_compile_shape, attrs={"out_type": dtypes.int32})


def shape_v1(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """`tf.shape`: `input`'s shape as a 1-D int32 tensor; a Const when the static shape is fully known."""
    out_type = dtypes.as_dtype(out_type)
    with ops.name_scope(name, "Shape", [input]) as scope:
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
)
registry.register_op(
    "Rank",
    infer=lambda op: [(dtypes.int32, _ts.scalar())],
    kernel=lambda x: np.array(np.ndim(x), dtype=np.int32),
)


def size(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """Number of elements; a Const when known statically (as TF folds it)."""
    out_type = dtypes.as_dtype(out_type)
    with ops.name_scope(name, "Size", [input]) as scope:
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
                     inputs=("tensor: T", "shape: Tshape"),
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


# --- Cast ---------------------------------------------------------------------------------------------------
def _compile_cast(op, runtime):
    dst = op._attrs["DstT"]
    npd = dst.as_numpy_dtype
    if dst == dtypes.string:
        raise errors.UnimplementedError(None, op, "Cast to string is not supported")

    def kernel(x):
        return np.asarray(x).astype(npd)

    return kernel


registry.register_op(
    "Cast",
    infer=lambda op: [(op._attrs["DstT"], op.inputs[0].shape)],
    compile=_compile_cast,
    attrs={"Truncate": False},
)


def cast(x, dtype, name=None):
    """`x` converted to `dtype` (floats truncate toward zero when cast to ints, as in TF)."""
    base = dtypes.as_dtype(dtype).base_dtype
    with ops.name_scope(name, "Cast", [x]) as scope:
        x = _convert(x, name="x")
        if x.dtype.base_dtype == base:
            return x
        return make_tensor(
            "Cast", [x], name=scope, attrs={"SrcT": x.dtype.base_dtype, "DstT": base, "Truncate": False}
        )


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)


def saturate_cast(value, dtype, name=None):
    with ops.name_scope(name, "saturate_cast", [value]) as scope:
        value = _convert(value, name="value")
        dtype = dtypes.as_dtype(dtype)
        if value.dtype.min < dtype.min or value.dtype.max > dtype.max:
            from engine.ops import math_ops

            value = math_ops.clip_by_value(value, dtype.min, dtype.max)
        return cast(value, dtype, name=scope)


# --- Transpose ----------------------------------------------------------------------------------------------
def _infer_transpose(op):
    x, perm = op.inputs
    d = dims(x)
    p = _const_value(perm)
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


registry.register_op(
    "Transpose",
    infer=_infer_transpose,
    kernel=lambda x, perm: np.transpose(x, [int(i) for i in np.reshape(perm, -1)]),
    inputs=("x: T", "perm: Tperm"),
    allowed={"Tperm": groups.INDEX_TYPES},
)


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
        return make_tensor(
            "Transpose", [a, perm], name=scope, attrs={"T": a.dtype.base_dtype, "Tperm": perm.dtype}
        )


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    with ops.name_scope(name, "transpose", [a]) as scope:
        a = _convert(a, name="a")
        n = a.shape.ndims
        if n is None:
            raise ValueError("matrix_transpose needs a tensor of known rank")
        perm = list(_range(n - 2)) + [n - 1, n - 2]
        return transpose(a, perm, name=scope)


# --- Concat / Pack / Unpack / Split -------------------------------------------------------------------------
def _norm_axis(op, axis, n):
    if axis < -n or axis >= n:
        raise shape_error(op, f"Expected axis in [{-n}, {n}), but got {axis}")
    return axis + n if axis < 0 else axis


def _infer_concat(op):
    values, axis_t = op.inputs[:-1], op.inputs[-1]
    dtype = values[0].dtype.base_dtype
    for v in values[1:]:
        if v.dtype.base_dtype != dtype:
            raise TypeError(
                f"Tensors in list passed to 'values' of '{op.type}' Op have types "
                f"[{', '.join(t.dtype.base_dtype.name for t in values)}] that don't all match."
            )
    axis = _const_value(axis_t)
    known = [dims(v) for v in values if dims(v) is not None]
    if not known:
        return [(dtype, _ts.unknown_shape())]
    n = len(known[0])
    if axis is None:
        return [(dtype, _ts.unknown_shape(n))]
    ax = _norm_axis(op, int(axis), n)
    out = list(known[0])
    out[ax] = 0
    for v in values:
        d = dims(v)
        if d is None:
            out[ax] = None
            continue
        if len(d) != n:
            raise shape_error(op, f"Shape must be rank {n} but is rank {len(d)}")
        for i in _range(n):
            if i == ax:
                out[ax] = None if out[ax] is None or d[i] is None else out[ax] + d[i]
            elif out[i] is None:
                out[i] = d[i]
            elif d[i] is not None and d[i] != out[i]:
                raise shape_error(
                    op,
                    f"Dimension {i} in both shapes must be equal, but are {out[i]} and {d[i]}. "
                    f"Shapes are {shape_str(known[0])} and {shape_str(d)}.",
                )
    return [(dtype, shape(tuple(out)))]


registry.register_op(
    "ConcatV2", infer=_infer_concat, kernel=lambda *args: np.concatenate(args[:-1], axis=int(args[-1])),
    inputs=("values: N*T", "axis: Tidx"),
    allowed={"Tidx": groups.INDEX_TYPES},
)


def concat(values, axis, name="concat"):
    """Joins tensors along `axis` (ConcatV2; a single value becomes an Identity)."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        with ops.name_scope(name) as scope:
            _convert(axis, name="concat_dim", dtype=dtypes.int32).shape.assert_has_rank(0)
            return identity(values[0], name=scope)
    with ops.name_scope(name, "concat", values) as scope:
        tensors = ops.convert_n_to_tensor(values)
        dtype = tensors[0].dtype.base_dtype
        tensors = [_convert(v, dtype=dtype) for v in tensors]
        axis_t = axis if isinstance(axis, ops.Tensor) else _convert(axis, dtype=dtypes.int32, name="axis")
        return make_tensor(
            "ConcatV2",
            tensors + [axis_t],
            name=scope,
            attrs={"N": len(tensors), "T": dtype, "Tidx": axis_t.dtype},
        )


def _infer_pack(op):
    axis = op._attrs["axis"]
    values = op.inputs
    dtype = values[0].dtype.base_dtype
    for v in values:
        if v.dtype.base_dtype != dtype:
            raise TypeError(
                f"Tensors in list passed to 'values' of 'Pack' Op have types "
                f"[{', '.join(t.dtype.base_dtype.name for t in values)}] that don't all match."
            )
    # TF merges from the last input backwards (input i into the shapes after it) and says which.
    d = dims(values[-1])
    for index in _range(len(values) - 2, -1, -1):
        d = _merge_dims(op, dims(values[index]), d, f"\n\tFrom merging shape {index} with other shapes.")
    d = None if d is None else list(d)
    if d is None:
        return [(dtype, _ts.unknown_shape())]
    n = len(d) + 1
    ax = _norm_axis(op, axis, n)
    d.insert(ax, len(values))
    return [(dtype, shape(tuple(d)))]


registry.register_op(
    "Pack",
    infer=_infer_pack,
    compile=lambda op, rt: lambda *xs, _a=op._attrs["axis"]: np.stack(xs, axis=_a),
    attrs={"axis": 0},
)


def stack(values, axis=0, name="stack"):
    """Stacks rank-R tensors into one rank-(R+1) tensor (a Const when all values are constants)."""
    if axis == 0:
        try:
            if not ops._contains_tensor(values):
                return _convert(values, name=name)
        except (TypeError, ValueError):
            pass
    with ops.name_scope(name, "stack", values) as scope:
        tensors = ops.convert_n_to_tensor(values)
        dtype = tensors[0].dtype.base_dtype
        tensors = [_convert(t, dtype=dtype) for t in tensors]
        return make_tensor(
            "Pack", tensors, name=scope, attrs={"N": len(tensors), "T": dtype, "axis": int(axis)}
        )


def _autopacking(values, dtype, name):
    """Converts a (nested) list holding Tensors by packing it (TF's autopacking conversion)."""
    with ops.name_scope(name) as scope:
        converted = []
        for v in values:
            if isinstance(v, (list, tuple)):
                converted.append(_autopacking(v, dtype, "packed"))
            else:
                converted.append(_convert(v, dtype=dtype))
        dt = dtype or next(
            (c.dtype.base_dtype for c in converted if c.op.type != "Const"), converted[0].dtype.base_dtype
        )
        converted = [cast(c, dt) if c.dtype.base_dtype != dt else c for c in converted]
        return make_tensor("Pack", converted, name=scope, attrs={"N": len(converted), "T": dt, "axis": 0})


def _infer_unpack(op):
    x = op.inputs[0]
    num = op._attrs["num"]
    d = dims(x)
    if d is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape())] * num
    ax = _norm_axis(op, op._attrs["axis"], len(d))
    if d[ax] is not None and d[ax] != num:
        raise shape_error(op, f"Dimension must be {num} but is {d[ax]}")
    out = d[:ax] + d[ax + 1 :]
    return [(x.dtype.base_dtype, shape(out))] * num


def _compile_unpack(op, runtime):
    axis = op._attrs["axis"]
    num = op._attrs["num"]

    def kernel(x):
        x = np.asarray(x)
        if x.shape[axis] != num:
            raise errors.InvalidArgumentError(
                None, None, f"Input shape axis {axis} must equal {num}, got shape {list(x.shape)}"
            )
        return [np.take(x, i, axis=axis) for i in _range(num)]

    return kernel


registry.register_op("Unpack", infer=_infer_unpack, compile=_compile_unpack, attrs={"axis": 0})


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits a rank-R tensor into rank-(R-1) tensors along `axis`."""
    with ops.name_scope(name, "unstack", [value]) as scope:
        value = _convert(value)
        if num is None:
            d = dims(value)
            if d is None:
                raise ValueError(f"Cannot infer num from shape {value.shape}")
            num = d[axis]
            if num is None:
                raise ValueError(f"Cannot infer num from shape {value.shape}")
        return make_op(
            "Unpack",
            [value],
            name=scope,
            attrs={"num": int(num), "T": value.dtype.base_dtype, "axis": int(axis)},
        ).outputs


def _infer_split(op):
    axis_t, x = op.inputs
    num = op._attrs["num_split"]
    d = dims(x)
    axis = _const_value(axis_t)
    if d is None or axis is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape(None if d is None else len(d)))] * num
    ax = _norm_axis(op, int(axis), len(d))
    out = list(d)
    if d[ax] is not None:
        if d[ax] % num:
            raise shape_error(
                op,
                f"Dimension size must be evenly divisible by {num} but is {d[ax]}\n\tNumber of ways to split "
                "should evenly divide the split dimension",
                computed={0: axis},
            )
        out[ax] = d[ax] // num
    return [(x.dtype.base_dtype, shape(tuple(out)))] * num


def _compile_split(op, runtime):
    num = op._attrs["num_split"]

    def kernel(axis, x):
        axis = int(axis)
        n = np.shape(x)[axis]
        if n % num:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Number of ways to split should evenly divide the split dimension, but got split_dim "
                f"{axis} (size = {n}) and num_split {num}",
            )
        return np.split(x, num, axis=axis)

    return kernel


registry.register_op("Split", infer=_infer_split, compile=_compile_split)


def _infer_splitv(op):
    x, sizes_t, axis_t = op.inputs
    num = op._attrs["num_split"]
    d = dims(x)
    sizes = _const_value(sizes_t)
    axis = _const_value(axis_t)
    if d is None or axis is None or sizes is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape(None if d is None else len(d)))] * num
    ax = _norm_axis(op, int(axis), len(d))
    sizes = [int(s) for s in sizes]
    if sizes.count(-1) == 1 and d[ax] is not None:
        sizes[sizes.index(-1)] = d[ax] - sum(s for s in sizes if s != -1)
    out = []
    for s in sizes:
        o = list(d)
        o[ax] = None if s == -1 else s
        out.append((x.dtype.base_dtype, shape(tuple(o))))
    return out


def _splitv_kernel(x, sizes, axis):
    axis = int(axis)
    sizes = [int(s) for s in sizes]
    n = np.shape(x)[axis]
    if sizes.count(-1) == 1:
        sizes[sizes.index(-1)] = n - sum(s for s in sizes if s != -1)
    if sum(sizes) != n:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Determined shape must either match input shape along split_dim exactly if fully "
            f"specified, or be less than the size of the input along split_dim if not fully specified.  "
            f"Got: {sum(sizes)}",
        )
    return np.split(x, np.cumsum(sizes)[:-1], axis=axis)


registry.register_op("SplitV", infer=_infer_splitv, kernel=_splitv_kernel,
                     inputs=("value: T", "size_splits: Tlen", "split_dim"),
                     allowed={"Tlen": groups.SPLIT_V_TYPES})


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits `value` into `num_or_size_splits` equal parts, or parts of the given sizes."""
    if isinstance(num_or_size_splits, (numbers.Integral, _ts.Dimension)):
        with ops.name_scope(name, "split", [value]) as scope:
            axis_t = _convert(axis, dtype=dtypes.int32, name="split_dim")
            value = _convert(value)
            return make_op(
                "Split",
                [axis_t, value],
                name=scope,
                attrs={"num_split": int(num_or_size_splits), "T": value.dtype.base_dtype},
            ).outputs
    size_splits = _convert(num_or_size_splits)
    if num is None:
        n = size_splits.shape[0].value if size_splits.shape.ndims == 1 else None
        if n is None:
            raise ValueError(f"Cannot infer num from shape {num_or_size_splits}")
        num = n
    with ops.name_scope(name, "split", [value]) as scope:
        value = _convert(value)
        axis_t = _convert(axis, dtype=dtypes.int32, name="split_dim")
        return make_op(
            "SplitV",
            [value, size_splits, axis_t],
            name=scope,
            attrs={"num_split": int(num), "T": value.dtype.base_dtype, "Tlen": size_splits.dtype},
        ).outputs


# --- Squeeze / ExpandDims / Tile / Pad ----------------------------------------------------------------------
def _infer_squeeze(op):
    x = op.inputs[0]
    axes = op._attrs.get("squeeze_dims") or []
    d = dims(x)
    if d is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape())]
    n = len(d)
    axes = [_norm_axis(op, a, n) for a in axes]
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


def _infer_tile(op):
    x, m = op.inputs
    d = dims(x)
    mv = _const_value(m)
    if d is None:
        n = m.shape[0].value if m.shape.ndims == 1 else None
        return [(x.dtype.base_dtype, _ts.unknown_shape(n))]
    if mv is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape(len(d)))]
    mv = [int(v) for v in mv.reshape(-1)]
    if len(mv) != len(d):
        raise shape_error(op, f"Shape must be rank {len(d)} but is rank {len(mv)}")
    return [
        (x.dtype.base_dtype, shape(tuple(None if a is None else a * b for a, b in zip(d, mv, strict=True))))
    ]


def _tile_kernel(x, multiples):
    multiples = [int(v) for v in np.reshape(multiples, -1)]
    if len(multiples) != np.ndim(x):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Expected multiples argument to be a vector of length {np.ndim(x)} but got length "
            f"{len(multiples)}",
        )
    return np.tile(x, multiples)


registry.register_op("Tile", infer=_infer_tile, kernel=_tile_kernel,
                     inputs=("input: T", "multiples: Tmultiples"),
                     allowed={"Tmultiples": groups.INDEX_TYPES})


def tile(input, multiples, name=None):  # noqa: A002
    with ops.name_scope(name, "Tile", [input]) as scope:
        input = _convert(input, name="input")  # noqa: A001
        m = (
            multiples
            if isinstance(multiples, ops.Tensor)
            else _convert(multiples, dtype=dtypes.int32, name="multiples")
        )
        return make_tensor(
            "Tile", [input, m], name=scope, attrs={"T": input.dtype.base_dtype, "Tmultiples": m.dtype}
        )


def _infer_pad(op):
    x, p = op.inputs[0], op.inputs[1]
    d = dims(x)
    pv = _const_value(p)
    if d is None:
        n = p.shape[0].value if p.shape.ndims == 2 else None
        return [(x.dtype.base_dtype, _ts.unknown_shape(n))]
    if pv is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape(len(d)))]
    pv = np.asarray(pv).reshape(-1, 2)
    if pv.shape[0] != len(d):
        # TF checks the input's rank against the paddings' row count, so the numbers read that way round.
        raise shape_error(op, f"Shape must be rank {pv.shape[0]} but is rank {len(d)}")
    return [
        (
            x.dtype.base_dtype,
            shape(
                tuple(None if a is None else a + int(lo) + int(hi) for a, (lo, hi) in zip(d, pv, strict=True))
            ),
        )
    ]


registry.register_op(
    "Pad", infer=_infer_pad, kernel=lambda x, p: np.pad(x, np.asarray(p).astype(np.int64), mode="constant"),
    inputs=("input: T", "paddings: Tpaddings"),
    allowed={"Tpaddings": groups.INDEX_TYPES},
)
registry.register_op(
    "PadV2",
    infer=_infer_pad,
    kernel=lambda x, p, c: np.pad(x, np.asarray(p).astype(np.int64), mode="constant", constant_values=c),
    inputs=("input: T", "paddings: Tpaddings", "constant_values: T"),
    allowed={"Tpaddings": groups.INDEX_TYPES},
)


def _compile_mirror_pad(op, runtime):
    mode = "reflect" if op._attrs["mode"] in ("REFLECT", b"REFLECT") else "symmetric"
    return lambda x, p: np.pad(x, np.asarray(p).astype(np.int64), mode=mode)


registry.register_op("MirrorPad", infer=_infer_pad, compile=_compile_mirror_pad,
                     inputs=("input: T", "paddings: Tpaddings"),
                     allowed={"Tpaddings": groups.INDEX_TYPES})


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """Pads `tensor` with `paddings[i] = [before, after]` per dimension."""
    mode = mode.upper()
    tensor = _convert(tensor)
    if mode == "CONSTANT":
        if not isinstance(constant_values, ops.Tensor) and np.all(np.asarray(constant_values) == 0):
            with ops.name_scope(name, "Pad", [tensor]) as scope:
                p = _convert(paddings, dtype=dtypes.int32, name="paddings")
                return make_tensor(
                    "Pad", [tensor, p], name=scope, attrs={"T": tensor.dtype.base_dtype, "Tpaddings": p.dtype}
                )
        with ops.name_scope(name, "PadV2", [tensor]) as scope:
            p = _convert(paddings, dtype=dtypes.int32, name="paddings")
            c = _convert(constant_values, dtype=tensor.dtype.base_dtype, name="constant_values")
            return make_tensor(
                "PadV2",
                [tensor, p, c],
                name=scope,
                attrs={"T": tensor.dtype.base_dtype, "Tpaddings": p.dtype},
            )
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f"Unknown padding mode: {mode}")
    with ops.name_scope(name, "MirrorPad", [tensor]) as scope:
        p = _convert(paddings, dtype=dtypes.int32, name="paddings")
        return make_tensor(
            "MirrorPad",
            [tensor, p],
            name=scope,
            attrs={"T": tensor.dtype.base_dtype, "Tpaddings": p.dtype, "mode": mode},
        )


# --- Gather / Slice / StridedSlice --------------------------------------------------------------------------
def _gather_batch_dims(op, batch_dims, axis, idx_rank):
    """`batch_dims` made non-negative and checked against `axis` and the indices' rank (TF's rules)."""
    if batch_dims < 0 and idx_rank is not None:
        batch_dims += idx_rank
    if idx_rank is not None and not 0 <= batch_dims <= idx_rank:
        raise shape_error(op, f"batch_dims ({batch_dims}) must be in [{-idx_rank}, {idx_rank}]")
    if axis is not None and batch_dims > axis:
        raise shape_error(op, f"batch_dims ({batch_dims}) must be less than or equal to axis ({axis})")
    return batch_dims


def _infer_gather(op):
    params, indices, axis_t = op.inputs
    pd, idx = dims(params), dims(indices)
    axis = _const_value(axis_t)
    if pd is None or idx is None or axis is None:
        return [(params.dtype.base_dtype, _ts.unknown_shape())]
    # TF asks params for rank >= axis + 1 (or -axis for a negative axis), and says so in those words.
    ax = int(np.reshape(axis, -1)[0])
    need = ax + 1 if ax >= 0 else -ax
    if len(pd) < need:
        raise shape_error(op, f"Shape must be at least rank {need} but is rank {len(pd)}", computed={2: axis})
    ax = ax + len(pd) if ax < 0 else ax
    b = _gather_batch_dims(op, int(op._attrs.get("batch_dims", 0) or 0), ax, len(idx))
    return [(params.dtype.base_dtype, shape(pd[:ax] + idx[b:] + pd[ax + 1 :]))]


def _gather_kernel(params, indices, axis, batch_dims=0):
    axis = int(axis) % max(np.ndim(params), 1)
    n = np.shape(params)[axis]
    idx = np.asarray(indices)
    bad = (idx < 0) | (idx >= n)
    if bad.any():
        first = idx[bad].reshape(-1)[0]
        pos = np.argwhere(bad)[0]
        raise errors.InvalidArgumentError(
            None, None, f"indices[{','.join(str(i) for i in pos)}] = {first} is not in [0, {n})"
        )
    if batch_dims == 0:
        return np.take(params, idx, axis=axis)
    if batch_dims > axis:
        raise errors.InvalidArgumentError(
            None, None, f"batch_dims ({batch_dims}) must be less than or equal to axis ({axis})"
        )
    # batch_dims > 0: gather separately in every batch entry (the leading `batch_dims` dims of both).
    batch = np.shape(params)[:batch_dims]
    if idx.shape[:batch_dims] != batch:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"params.shape[:{batch_dims}] {list(batch)} should equal indices.shape[:{batch_dims}] "
            f"{list(idx.shape[:batch_dims])}",
        )
    flat_p = np.reshape(params, (-1,) + np.shape(params)[batch_dims:])
    flat_i = np.reshape(idx, (-1,) + idx.shape[batch_dims:])
    parts = [np.take(p, i, axis=axis - batch_dims) for p, i in zip(flat_p, flat_i, strict=True)]
    out_tail = np.shape(params)[batch_dims:axis] + idx.shape[batch_dims:] + np.shape(params)[axis + 1 :]
    return np.reshape(np.stack(parts) if parts else np.zeros((0,) + out_tail, np.asarray(params).dtype),
                      batch + out_tail)


def _compile_gather(op, runtime):
    batch_dims = int(op._attrs.get("batch_dims", 0) or 0)
    if batch_dims == 0:
        return _gather_kernel

    def kernel(params, indices, axis):
        b = batch_dims + np.ndim(indices) if batch_dims < 0 else batch_dims
        return _gather_kernel(params, indices, axis, b)

    return kernel


registry.register_op("GatherV2", infer=_infer_gather, compile=_compile_gather, attrs={"batch_dims": 0},
                     inputs=("params: Tparams", "indices: Tindices", "axis: Taxis"),
                     allowed={"Tindices": groups.INT16_INDEX_TYPES, "Taxis": groups.INDEX_TYPES})


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """Gathers slices of `params` along `axis` at `indices`."""
    if axis is None:
        axis = 0
    with ops.name_scope(name, "GatherV2", [params, indices]) as scope:
        params = _convert(params, name="params")
        indices = _convert(indices, name="indices")
        axis_t = axis if isinstance(axis, ops.Tensor) else _convert(axis, dtype=dtypes.int32, name="axis")
        return make_tensor(
            "GatherV2",
            [params, indices, axis_t],
            name=scope,
            attrs={
                "Tparams": params.dtype.base_dtype,
                "Tindices": indices.dtype.base_dtype,
                "Taxis": axis_t.dtype,
                "batch_dims": int(batch_dims),
            },
        )


def _infer_slice(op):
    x, b, s = op.inputs
    d = dims(x)
    bv, sv = _const_value(b), _const_value(s)
    if d is None or bv is None or sv is None:
        n = len(d) if d is not None else (s.shape[0].value if s.shape.ndims == 1 else None)
        if sv is not None:
            return [(x.dtype.base_dtype, shape(tuple(None if int(v) == -1 else int(v) for v in sv)))]
        return [(x.dtype.base_dtype, _ts.unknown_shape(n))]
    out = []
    for di, bi, si in zip(d, bv.reshape(-1), sv.reshape(-1), strict=True):
        bi, si = int(bi), int(si)
        if si == -1:
            out.append(None if di is None else di - bi)
        else:
            if di is not None and bi + si > di:
                raise shape_error(op, f"Expected size[{len(out)}] in [0, {di - bi}], but got {si}")
            out.append(si)
    return [(x.dtype.base_dtype, shape(tuple(out)))]


def _slice_kernel(x, begin, size):
    idx = []
    for b, s, n in zip(np.reshape(begin, -1), np.reshape(size, -1), np.shape(x), strict=True):
        b, s = int(b), int(s)
        end = n if s == -1 else b + s
        if b < 0 or end > n or end < b:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Expected begin[{len(idx)}] in [0, {n}] and size in [0, {n - b}], but got {b} and {s}",
            )
        idx.append(_builtin_slice(b, end))
    return np.asarray(x)[tuple(idx)]


registry.register_op("Slice", infer=_infer_slice, kernel=_slice_kernel,
                     inputs=("input: T", "begin: Index", "size: Index"),
                     allowed={"Index": groups.INDEX_TYPES})


def slice(input_, begin, size, name=None):  # noqa: A001 - TF's name
    """`size[i]` elements from `begin[i]` in each dimension (-1: to the end)."""
    with ops.name_scope(name, "Slice", [input_]) as scope:
        input_ = _convert(input_, name="input")
        b = begin if isinstance(begin, ops.Tensor) else _convert(begin, dtype=dtypes.int32, name="begin")
        s = size if isinstance(size, ops.Tensor) else _convert(size, dtype=b.dtype, name="size")
        return make_tensor(
            "Slice", [input_, b, s], name=scope, attrs={"T": input_.dtype.base_dtype, "Index": b.dtype}
        )


def _strided_index(begin, end, strides, attrs):
    """The numpy index tuple equivalent to StridedSlice's begin/end/strides and masks."""
    bm, em = attrs["begin_mask"], attrs["end_mask"]
    ellipsis, new_axis, shrink = attrs["ellipsis_mask"], attrs["new_axis_mask"], attrs["shrink_axis_mask"]
    index = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides, strict=True)):
        bit = 1 << i
        if ellipsis & bit:
            index.append(Ellipsis)
        elif new_axis & bit:
            index.append(None)
        elif shrink & bit:
            index.append(int(b))
        else:
            index.append(_builtin_slice(None if bm & bit else int(b), None if em & bit else int(e), int(s)))
    return tuple(index)


_STRIDED_ATTRS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _infer_strided_slice(op):
    x, b, e, s = op.inputs
    d = dims(x)
    bv, ev, sv = _const_value(b), _const_value(e), _const_value(s)
    if d is None or bv is None or ev is None or sv is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape())]
    index = _strided_index(bv.reshape(-1), ev.reshape(-1), sv.reshape(-1), op._attrs)
    # Slice a zero-stride view twice with different stand-ins for unknown dims: output dims that
    # change with the stand-in depend on an unknown dim and stay unknown.
    results = []
    for stand_in in (1000003, 1000033):
        concrete = tuple(stand_in if di is None else di for di in d)
        try:
            results.append(np.broadcast_to(np.empty((), np.int8), concrete)[index].shape)
        except IndexError as err:
            raise shape_error(op, f"slice index out of bounds ({err})") from None
    out = tuple(a if a == bb else None for a, bb in zip(results[0], results[1], strict=True))
    return [(x.dtype.base_dtype, shape(out))]


def _compile_strided_slice(op, runtime):
    attrs = {k: op._attrs[k] for k in _STRIDED_ATTRS}

    def kernel(x, begin, end, strides):
        index = _strided_index(np.reshape(begin, -1), np.reshape(end, -1), np.reshape(strides, -1), attrs)
        try:
            return np.asarray(x)[index]
        except IndexError:
            raise errors.InvalidArgumentError(None, None, "slice index out of bounds") from None

    return kernel


registry.register_op(
    "StridedSlice",
    infer=_infer_strided_slice,
    compile=_compile_strided_slice,
    attrs={k: 0 for k in _STRIDED_ATTRS},
    inputs=("input: T", "begin: Index", "end: Index", "strides: Index"),
    allowed={"Index": groups.INT16_INDEX_TYPES},
)


def strided_slice(
    input_,
    begin,
    end,
    strides=None,
    begin_mask=0,
    end_mask=0,
    ellipsis_mask=0,
    new_axis_mask=0,
    shrink_axis_mask=0,
    var=None,
    name=None,
):
    """numpy-style strided slicing with TF's mask attrs (what `tensor[...]` builds)."""
    if strides is None:
        strides = ones_like(begin) if isinstance(begin, ops.Tensor) else [1] * len(begin)
    input_ = _convert(input_)
    b = begin if isinstance(begin, ops.Tensor) else _convert(begin, dtype=dtypes.int32)
    e = end if isinstance(end, ops.Tensor) else _convert(end, dtype=b.dtype)
    s = strides if isinstance(strides, ops.Tensor) else _convert(strides, dtype=b.dtype)
    return make_tensor(
        "StridedSlice",
        [input_, b, e, s],
        name=name or "StridedSlice",
        attrs={
            "T": input_.dtype.base_dtype,
            "Index": b.dtype,
            "begin_mask": begin_mask,
            "end_mask": end_mask,
            "ellipsis_mask": ellipsis_mask,
            "new_axis_mask": new_axis_mask,
            "shrink_axis_mask": shrink_axis_mask,
        },
    )


def _slice_helper(tensor, slice_spec, var=None):
    """`tensor[slice_spec]` as TF builds it: stacked begin/end/strides and a StridedSlice op."""
    if isinstance(slice_spec, (bool, np.bool_)) or (
        isinstance(slice_spec, ops.Tensor) and slice_spec.dtype == dtypes.bool
    ):
        raise TypeError(
            "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/"
            "tf.int64 tensors are valid indices, got " + repr(slice_spec)
        )
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin, end, strides = [], [], []
    begin_mask = end_mask = ellipsis_mask = new_axis_mask = shrink_axis_mask = 0
    for index, s in enumerate(slice_spec):
        bit = 1 << index
        if isinstance(s, _builtin_slice):
            for part in (s.start, s.stop, s.step):
                if part is not None and not _is_index(part):
                    raise TypeError(
                        "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                        f"tf.int32/tf.int64 tensors are valid indices, got {part!r}"
                    )
            if s.start is not None:
                begin.append(s.start)
            else:
                begin.append(0)
                begin_mask |= bit
            if s.stop is not None:
                end.append(s.stop)
            else:
                end.append(0)
                end_mask |= bit
            strides.append(s.step if s.step is not None else 1)
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            ellipsis_mask |= bit
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            new_axis_mask |= bit
        else:
            if not _is_index(s):
                raise TypeError(
                    "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                    f"tf.int32/tf.int64 tensors are valid indices, got {s!r}"
                )
            begin.append(s)
            end.append(s + 1 if not isinstance(s, ops.Tensor) else s + 1)
            strides.append(1)
            shrink_axis_mask |= bit
    with ops.name_scope(None, "strided_slice", [tensor] + begin + end + strides) as scope:
        if begin:
            packed_begin, packed_end, packed_strides = stack(begin), stack(end), stack(strides)
        else:
            empty = np.zeros([0], dtype=np.int32)
            packed_begin = packed_end = packed_strides = _convert(empty)
        return strided_slice(
            tensor,
            packed_begin,
            packed_end,
            packed_strides,
            begin_mask=begin_mask,
            end_mask=end_mask,
            shrink_axis_mask=shrink_axis_mask,
            new_axis_mask=new_axis_mask,
            ellipsis_mask=ellipsis_mask,
            var=var,
            name=scope,
        )


def _is_index(x):
    if isinstance(x, ops.Tensor):
        return x.dtype.base_dtype in (dtypes.int32, dtypes.int64)
    return isinstance(x, (numbers.Integral, _ts.Dimension)) and not isinstance(x, bool)


ops.Tensor.__getitem__ = _slice_helper


# --- Fill / zeros / ones / *_like ---------------------------------------------------------------------------
def _infer_fill(op):
    d, v = op.inputs
    if v.shape.ndims not in (None, 0):
        raise shape_error(op, f"Shape must be rank 0 but is rank {v.shape.ndims}")
    s = tensor_util.constant_value_as_shape(d)
    return [(v.dtype.base_dtype, s)]


def _fill_kernel(dims_value, value):
    d = [int(x) for x in np.reshape(dims_value, -1)]
    if any(x < 0 for x in d):
        raise errors.InvalidArgumentError(None, None, f"dims must be non-negative, got {d}")
    return np.full(d, value, dtype=np.asarray(value).dtype)


registry.register_op("Fill", infer=_infer_fill, kernel=_fill_kernel,
                     inputs=("dims: index_type", "value: T"),
                     allowed={"index_type": groups.INDEX_TYPES})


def fill(dims, value, name=None):  # noqa: F811 - TF's argument name
    """A tensor of shape `dims` filled with the scalar `value`."""
    with ops.name_scope(name, "Fill", []) as scope:
        d = dims if isinstance(dims, ops.Tensor) else _convert(dims, dtype=dtypes.int32, name="dims")
        v = _convert(value, name="value")
        return make_tensor("Fill", [d, v], name=scope, attrs={"T": v.dtype.base_dtype, "index_type": d.dtype})


def _filled(value, shape_arg, dtype, name, default_name):
    dtype = dtypes.as_dtype(dtype).base_dtype
    with ops.name_scope(name, default_name, [shape_arg]) as scope:
        scalar = np.array(value).astype(dtype.as_numpy_dtype) if dtype != dtypes.string else b""
        if not isinstance(shape_arg, ops.Tensor):
            try:
                static = _ts.as_shape(shape_arg)
                if static.is_fully_defined() and (static.num_elements() or 0) < 1000:
                    return constant(scalar, dtype=dtype, shape=static.as_list(), name=scope)
                shape_t = constant(static.as_list(), dtype=dtypes.int32, name="shape_as_tensor")
            except (TypeError, ValueError):
                shape_t = _convert(shape_arg, dtype=dtypes.int32)
        else:
            shape_t = shape_arg
            if shape_t.shape.ndims == 0:
                shape_t = reshape(shape_t, [-1])
        return fill(shape_t, constant(scalar, dtype=dtype), name=scope)


def zeros(shape, dtype=dtypes.float32, name=None):  # noqa: F811
    """All zeros: one Const when small (< 1000 elements), else a Fill op, as TF does."""
    return _filled(0 if dtypes.as_dtype(dtype) != dtypes.bool else False, shape, dtype, name, "zeros")


def ones(shape, dtype=dtypes.float32, name=None):  # noqa: F811
    return _filled(1 if dtypes.as_dtype(dtype) != dtypes.bool else True, shape, dtype, name, "ones")


registry.register_op(
    "ZerosLike", infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)], kernel=np.zeros_like
)
registry.register_op(
    "OnesLike", infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)], kernel=np.ones_like,
    inputs=("x: T",),
    allowed={"T": groups.ONES_LIKE_TYPES},
)


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """Zeros with `tensor`'s shape: a Const when the shape is known, else a ZerosLike op."""
    with ops.name_scope(name, "zeros_like", [tensor]) as scope:
        tensor = _convert(tensor, name="tensor")
        dt = dtypes.as_dtype(dtype) if dtype is not None else tensor.dtype.base_dtype
        if optimize and tensor.shape.is_fully_defined():
            return zeros(tensor.shape.as_list(), dtype=dt, name=scope)
        if dt != tensor.dtype.base_dtype:
            return zeros(shape_v1(tensor), dtype=dt, name=scope)
        return make_tensor("ZerosLike", [tensor], name=scope, attrs={"T": dt})


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """Ones with `tensor`'s shape (a Fill of its static or dynamic shape)."""
    with ops.name_scope(name, "ones_like", [tensor]) as scope:
        tensor = _convert(tensor, name="tensor")
        dt = dtypes.as_dtype(dtype) if dtype is not None else tensor.dtype.base_dtype
        if optimize and tensor.shape.is_fully_defined():
            with ops.name_scope("Shape"):
                shape_t = constant(tensor.shape.as_list(), dtype=dtypes.int32, name="shape_as_tensor")
        else:
            shape_t = shape_v1(tensor, name="Shape")
        one = np.array(1).astype(dt.as_numpy_dtype)
        return fill(shape_t, constant(one, dtype=dt), name=scope)


# --- OneHot / Where / Select --------------------------------------------------------------------------------
def _infer_one_hot(op):
    indices, depth_t, on, off = op.inputs
    d = dims(indices)
    depth = _const_value(depth_t)
    depth = None if depth is None else int(depth)
    if d is None:
        return [(on.dtype.base_dtype, _ts.unknown_shape())]
    axis = op._attrs.get("axis", -1)
    out = list(d)
    out.insert(len(out) if axis == -1 else axis, depth)
    return [(on.dtype.base_dtype, shape(tuple(out)))]


def _compile_one_hot(op, runtime):
    axis = op._attrs.get("axis", -1)

    def kernel(indices, depth, on, off):
        indices = np.asarray(indices)
        depth = int(depth)
        hot = indices[..., None] == np.arange(depth)
        out = np.where(hot, on, off).astype(np.asarray(on).dtype)
        if axis != -1:
            out = np.moveaxis(out, -1, axis)
        return out

    return kernel


registry.register_op("OneHot", infer=_infer_one_hot, compile=_compile_one_hot, attrs={"axis": -1},
                     inputs=("indices: TI", "depth", "on_value: T", "off_value: T"),
                     allowed={"TI": groups.ONE_HOT_INDEX_TYPES})


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors of length `depth` at `indices` (on=1, off=0 by default)."""
    with ops.name_scope(name, "one_hot", [indices, depth, on_value, off_value]) as scope:
        if dtype is None:
            if on_value is not None:
                dtype = (
                    _convert(on_value).dtype
                    if isinstance(on_value, ops.Tensor)
                    else dtypes.as_dtype(tensor_util.to_numpy(on_value).dtype)
                )
            elif off_value is not None:
                dtype = (
                    _convert(off_value).dtype
                    if isinstance(off_value, ops.Tensor)
                    else dtypes.as_dtype(tensor_util.to_numpy(off_value).dtype)
                )
            else:
                dtype = dtypes.float32
        dtype = dtypes.as_dtype(dtype).base_dtype
        on = _convert(1 if on_value is None else on_value, dtype=dtype, name="on_value")
        off = _convert(0 if off_value is None else off_value, dtype=dtype, name="off_value")
        indices = _convert(indices, name="indices")
        depth_t = _convert(depth, dtype=dtypes.int32, name="depth")
        return make_tensor(
            "OneHot",
            [indices, depth_t, on, off],
            name=scope,
            attrs={"T": dtype, "TI": indices.dtype.base_dtype, "axis": -1 if axis is None else axis},
        )


def _infer_select(op):
    c, x, y = op.inputs
    if x.dtype.base_dtype != y.dtype.base_dtype:
        raise TypeError(
            f"Input 'e' of 'Select' Op has type {y.dtype.base_dtype.name} that does not match type "
            f"{x.dtype.base_dtype.name} of argument 't'."
        )
    # TF's Select shape function: t and e merge; cond is a scalar, a vector over t's first dimension,
    # or t's whole shape.
    data = _merge_dims(op, dims(x), dims(y))
    cond = dims(c)
    if cond is None or data is None or len(cond) == 0:
        return [(x.dtype.base_dtype, _ts.from_tuple(data))]
    if len(cond) != 1 or len(data) == 0:
        data = _merge_dims(op, data, cond)
    else:
        _merge_dims(op, cond, (data[0],))
    return [(x.dtype.base_dtype, _ts.from_tuple(data))]


def _merge_dims(op, a, b, context=""):
    """InferenceContext::Merge of two static shapes (tuples, None for unknown rank), with TF's texts;
    `context` is the line TF appends naming what was being merged."""
    if a is None or b is None:
        return b if a is None else a
    if len(a) != len(b):
        raise shape_error(op, f"Shapes must be equal rank, but are {len(a)} and {len(b)}{context}")
    for i, (da, db) in enumerate(zip(a, b, strict=True)):
        if da is not None and db is not None and da != db:
            raise shape_error(
                op,
                f"Dimension {i} in both shapes must be equal, but are {da} and {db}. "
                f"Shapes are {shape_str(a)} and {shape_str(b)}.{context}",
            )
    return tuple(db if da is None else da for da, db in zip(a, b, strict=True))


def _select_kernel(c, x, y):
    c = np.asarray(c)
    x = np.asarray(x)
    if c.ndim == 1 and x.ndim > 1:
        c = c.reshape((-1,) + (1,) * (x.ndim - 1))
    return np.where(c, x, y)


registry.register_op("Select", infer=_infer_select, kernel=_select_kernel)


def _infer_select_v2(op):
    from engine.ops.op_util import broadcast_dims

    c, x, y = op.inputs
    out = broadcast_dims(op, broadcast_dims(op, dims(c), dims(x)), dims(y))
    return [(x.dtype.base_dtype, shape(out))]


registry.register_op("SelectV2", infer=_infer_select_v2, kernel=np.where)
registry.register_op(
    "Where",
    infer=lambda op: [
        (
            dtypes.int64,
            _ts.TensorShape([None, op.inputs[0].shape.ndims])
            if op.inputs[0].shape.ndims is not None
            else _ts.unknown_shape(2),
        )
    ],
    kernel=lambda c: np.argwhere(c).astype(np.int64),
    inputs=("input: T",),
    allowed={"T": groups.WHERE_TYPES},
)


def where(condition, x=None, y=None, name=None):
    """TF1 `tf.where`: coordinates of true elements, or a Select between `x` and `y`."""
    if x is None and y is None:
        with ops.name_scope(name, "Where", [condition]) as scope:
            condition = _convert(condition, name="condition")  # any number type: its non-zero elements
            return make_tensor("Where", [condition], name=scope, attrs={"T": condition.dtype.base_dtype})
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    condition = _convert(condition, dtype=dtypes.bool, name="condition")
    x = _convert(x, name="x")
    y = _convert(y, dtype=x.dtype.base_dtype, name="y")
    return make_tensor("Select", [condition, x, y], name=name or "Select", attrs={"T": x.dtype.base_dtype})


def where_v2(condition, x=None, y=None, name=None):
    if x is None and y is None:
        return where(condition, name=name)
    with ops.name_scope(name, "SelectV2", [condition, x, y]) as scope:
        condition = _convert(condition, dtype=dtypes.bool, name="condition")
        x = _convert(x, name="x")
        y = _convert(y, dtype=x.dtype.base_dtype, name="y")
        return make_tensor("SelectV2", [condition, x, y], name=scope, attrs={"T": x.dtype.base_dtype})


# --- MatrixDiag / eye ---------------------------------------------------------------------------------------
def _infer_matrix_diag(op):
    d = dims(op.inputs[0])
    if d is None:
        return [(op.inputs[0].dtype.base_dtype, _ts.unknown_shape())]
    return [(op.inputs[0].dtype.base_dtype, shape(d + (d[-1],)))]


def _matrix_diag_kernel(diagonal):
    diagonal = np.asarray(diagonal)
    n = diagonal.shape[-1]
    out = np.zeros(diagonal.shape + (n,), dtype=diagonal.dtype)
    idx = np.arange(n)
    out[..., idx, idx] = diagonal
    return out


registry.register_op("MatrixDiag", infer=_infer_matrix_diag, kernel=_matrix_diag_kernel)


def _matrix_set_diag_kernel(x, diagonal):
    out = np.array(x, copy=True)
    n = min(out.shape[-2], out.shape[-1])
    idx = np.arange(n)
    out[..., idx, idx] = np.asarray(diagonal)[..., :n]
    return out


registry.register_op(
    "MatrixSetDiag",
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
    kernel=_matrix_set_diag_kernel,
)


def matrix_diag(diagonal, name="MatrixDiag"):
    diagonal = _convert(diagonal, name="diagonal")
    return make_tensor(
        "MatrixDiag", [diagonal], name=name or "MatrixDiag", attrs={"T": diagonal.dtype.base_dtype}
    )


def matrix_set_diag(input, diagonal, name="MatrixSetDiag"):  # noqa: A002
    input = _convert(input)  # noqa: A001
    diagonal = _convert(diagonal, dtype=input.dtype.base_dtype)
    return make_tensor(
        "MatrixSetDiag", [input, diagonal], name=name or "MatrixSetDiag", attrs={"T": input.dtype.base_dtype}
    )


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """Identity matrix (batch): `ones` on the diagonal via MatrixDiag, as TF1 builds it."""
    with ops.name_scope(name, "eye", [num_rows, num_columns, batch_shape]):
        batch = list(batch_shape or [])
        diag_size = num_rows if num_columns is None else min(num_rows, num_columns)
        diag_ones = ones(batch + [diag_size], dtype=dtype)
        if num_columns is None or num_columns == num_rows:
            return matrix_diag(diag_ones)
        zero_matrix = zeros(batch + [num_rows, num_columns], dtype=dtype)
        return matrix_set_diag(zero_matrix, diag_ones)


# --- BroadcastGradientArgs / BroadcastTo --------------------------------------------------------------------
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


# `range` is defined in math_ops (TF's Range op lives there); imported lazily to avoid a cycle.
def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001
    from engine.ops import math_ops

    return math_ops.range(start, limit, delta, dtype, name)
