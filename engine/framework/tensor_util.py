"""Python/numpy values <-> numpy arrays of a TF dtype <-> `TensorProto` (TF's `tensor_util`).

`to_numpy(value, dtype)` applies TensorFlow's conversion rules for constants: Python floats become
float32 and ints int32 (int64 if they don't fit), numpy values keep their dtype unless one is asked
for, and a value of the wrong kind raises TF's `TypeError("Expected int32, but got 3.5 of type
'float'.")`.  `make_tensor_proto` encodes like TensorFlow: `tensor_content` bytes for numeric
tensors of more than one element, the typed `*_val` field otherwise (one value for a filled shape).
"""

from __future__ import annotations

import numbers

import numpy as np

from engine.framework import dtypes
from engine.framework import tensor_shape as _ts
from engine.proto import tensor_pb2

# Dtypes TF writes as raw bytes when a tensor has more than one element.
_CONTENT_TYPES = frozenset(
    [
        dtypes.float16,
        dtypes.float32,
        dtypes.float64,
        dtypes.int32,
        dtypes.uint8,
        dtypes.int16,
        dtypes.int8,
        dtypes.int64,
        dtypes.uint32,
        dtypes.uint64,
        dtypes.uint16,
    ]
)


def _flatten(values):
    if isinstance(values, (list, tuple)):
        for v in values:
            yield from _flatten(v)
    else:
        yield values


def _dense_shape(values):
    if not isinstance(values, (list, tuple)):
        return []
    if not values:
        return [0]
    return [len(values)] + _dense_shape(values[0])


def _check_compatible(values, dtype):
    """TF's `_AssertCompatible`: every Python scalar must fit the requested dtype's kind."""
    if dtype.is_bool:
        ok = lambda v: isinstance(v, (bool, np.bool_))  # noqa: E731
    elif dtype.is_integer:
        ok = lambda v: isinstance(v, numbers.Integral)  # noqa: E731
    elif dtype.is_floating:
        ok = lambda v: isinstance(v, numbers.Real)  # noqa: E731
    elif dtype.is_complex:
        ok = lambda v: isinstance(v, numbers.Number)  # noqa: E731
    elif dtype == dtypes.string:
        ok = lambda v: isinstance(v, (str, bytes, np.str_, np.bytes_))  # noqa: E731
    else:
        return
    for v in _flatten(values):
        if isinstance(v, np.ndarray):
            continue
        if not ok(v):
            raise TypeError(f"Expected {dtype.name}, but got {v} of type '{type(v).__name__}'.")


def _unconvertible(values):
    """TF's error for a dtype-less conversion of elements that make no tensor (`[1, 'a']`, `[None]`)."""
    return TypeError(
        f"Failed to convert elements of {values} to Tensor. Consider casting elements to a supported type. "
        "See https://www.tensorflow.org/api_docs/python/tf/dtypes for supported TF dtypes."
    )


def to_numpy(values, dtype=None):
    """`values` as an ndarray of a TF dtype, with TensorFlow's inference and compatibility checks."""
    if values is None:
        raise ValueError("None values not supported.")
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype).base_dtype
    if isinstance(values, (np.ndarray, np.generic)):
        if dtype is not None:
            if dtype == dtypes.string:
                arr = np.asarray(values)
                if arr.dtype.kind not in "USO":  # TF's make_tensor_proto: numbers do not become strings
                    raise TypeError(f"Expected binary or unicode string, got {arr.reshape(-1)[0].item()}")
                return np.asarray(values, dtype=object)
            return np.asarray(values).astype(dtype.as_numpy_dtype, copy=False)
        arr = np.asarray(values)
        if arr.dtype.kind in "US":
            return arr.astype(object)
        dtypes.as_dtype(arr.dtype)  # raises TypeError for dtypes TF has no type for
        return arr
    if dtype is not None:
        _check_compatible(values, dtype)
        if dtype == dtypes.string:
            arr = np.empty(_dense_shape(values), dtype=object)
            flat = [v.encode() if isinstance(v, str) else bytes(v) for v in _flatten(values)]
            arr.reshape(-1)[:] = flat if arr.size else []
            return arr
        try:
            arr = np.array(values, dtype=dtype.as_numpy_dtype)
        except OverflowError:
            raise ValueError(f"Can't convert Python int to {dtype.name}: value out of range") from None
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"Failed to convert object of type {type(values)} to Tensor. Contents: {values}. "
                f"Consider casting elements to a supported type. ({e})"
            ) from None
    else:
        flat = list(_flatten(values))
        texts = sum(isinstance(v, (str, bytes)) for v in flat)
        if 0 < texts < len(flat):
            raise _unconvertible(values)
        if texts:
            arr = np.empty(_dense_shape(values), dtype=object)
            if arr.size:
                arr.reshape(-1)[:] = [v.encode() if isinstance(v, str) else v for v in flat]
            return arr
        try:
            arr = np.array(values)
        except ValueError:
            arr = None
        if arr is None or arr.dtype == object:
            got = list(np.shape(np.array(values, dtype=object)))
            if got == _dense_shape(values):  # dense, but of elements that are not numbers (None, objects)
                raise _unconvertible(values)
            raise ValueError(
                f"Argument must be a dense tensor: {values} - got shape {got}, but wanted "
                f"{_dense_shape(values)}."
            )
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        elif arr.dtype == np.int64:
            narrowed = arr.astype(np.int32)
            if np.array_equal(narrowed, arr):
                arr = narrowed
        elif arr.dtype.kind == "c":
            arr = arr.astype(np.complex128)
    if list(arr.shape) != _dense_shape(values):
        raise ValueError(
            f"Argument must be a dense tensor: {values} - got shape {list(arr.shape)}, but wanted "
            f"{_dense_shape(values)}."
        )
    return arr


def fill_to_shape(arr, shape):
    """TF1 `constant(value, shape=...)`: reshape, or repeat the last value up to the shape's size."""
    shape = [int(d) for d in shape]
    size = int(np.prod(shape, dtype=np.int64))
    if arr.size == size:
        return arr.reshape(shape)
    if arr.size > size:
        raise ValueError(f"Too many elements provided. Needed at most {size}, but received {arr.size}")
    if arr.size == 0:
        return np.zeros(shape, dtype=arr.dtype)
    flat = arr.reshape(-1)
    padding = np.full(size - flat.size, flat[-1], dtype=arr.dtype)
    return np.concatenate([flat, padding]).reshape(shape)


# --- TensorProto --------------------------------------------------------------------------------------------
def _append(proto, dtype, flat):
    if dtype == dtypes.float32:
        proto.float_val.extend(flat.tolist())
    elif dtype == dtypes.float64:
        proto.double_val.extend(flat.tolist())
    elif dtype == dtypes.float16:
        proto.half_val.extend(flat.view(np.uint16).tolist())
    elif dtype in (dtypes.int32, dtypes.int16, dtypes.int8, dtypes.uint8, dtypes.uint16):
        proto.int_val.extend(flat.tolist())
    elif dtype == dtypes.int64:
        proto.int64_val.extend(flat.tolist())
    elif dtype == dtypes.uint32:
        proto.uint32_val.extend(flat.tolist())
    elif dtype == dtypes.uint64:
        proto.uint64_val.extend(flat.tolist())
    elif dtype == dtypes.bool:
        proto.bool_val.extend(bool(v) for v in flat)
    elif dtype == dtypes.string:
        proto.string_val.extend(v.encode() if isinstance(v, str) else bytes(v) for v in flat)
    elif dtype == dtypes.complex64:
        proto.scomplex_val.extend(flat.view(np.float32).tolist())
    elif dtype == dtypes.complex128:
        proto.dcomplex_val.extend(flat.view(np.float64).tolist())
    else:
        raise TypeError(f"Cannot encode a tensor of type {dtype.name} in a TensorProto")


def make_tensor_proto(values, dtype=None, shape=None, verify_shape=False):
    """A `TensorProto` for `values` (optionally cast to `dtype` and filled to `shape`), encoded as TF does."""
    if isinstance(values, tensor_pb2.TensorProto):
        return values
    arr = to_numpy(values, dtype)
    tf_dtype = dtypes.as_dtype(dtype).base_dtype if dtype is not None else dtypes.as_dtype(arr.dtype)
    if shape is None:
        shape = list(arr.shape)
    else:
        shape = [int(d) for d in shape]
        if verify_shape and list(arr.shape) != shape:
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, got {arr.shape}.")
    size = int(np.prod(shape, dtype=np.int64))
    if arr.size > size:
        raise ValueError(f"Too many elements provided. Needed at most {size}, but received {arr.size}")
    proto = tensor_pb2.TensorProto(
        dtype=tf_dtype.as_datatype_enum, tensor_shape=_ts.TensorShape(shape).as_proto()
    )
    if arr.size == size and tf_dtype in _CONTENT_TYPES and size > 1:
        proto.tensor_content = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
        return proto
    _append(proto, tf_dtype, arr.reshape(-1))
    return proto


def make_ndarray(proto):
    """The ndarray a `TensorProto` describes (TF's `tf.make_ndarray`)."""
    shape = [d.size for d in proto.tensor_shape.dim]
    size = int(np.prod(shape, dtype=np.int64))
    dtype = dtypes.as_dtype(proto.dtype)
    npd = np.dtype(dtype.as_numpy_dtype)
    if proto.tensor_content:
        return np.frombuffer(proto.tensor_content, dtype=npd.newbyteorder("<")).astype(npd).reshape(shape)
    if dtype == dtypes.string:
        values = np.array(list(proto.string_val), dtype=object)
    elif dtype == dtypes.float16:
        values = np.array(list(proto.half_val), dtype=np.uint16).view(np.float16)
    elif dtype == dtypes.float32:
        values = np.array(proto.float_val, dtype=npd)
    elif dtype == dtypes.float64:
        values = np.array(proto.double_val, dtype=npd)
    elif dtype == dtypes.int64:
        values = np.array(proto.int64_val, dtype=npd)
    elif dtype == dtypes.uint32:
        values = np.array(proto.uint32_val, dtype=npd)
    elif dtype == dtypes.uint64:
        values = np.array(proto.uint64_val, dtype=npd)
    elif dtype == dtypes.bool:
        values = np.array(proto.bool_val, dtype=npd)
    elif dtype == dtypes.complex64:
        values = np.array(proto.scomplex_val, dtype=np.float32).view(np.complex64)
    elif dtype == dtypes.complex128:
        values = np.array(proto.dcomplex_val, dtype=np.float64).view(np.complex128)
    else:
        values = np.array(proto.int_val, dtype=npd)
    if values.size == size:
        return values.reshape(shape)
    if values.size == 0:
        return np.zeros(shape, dtype=npd) if dtype != dtypes.string else np.full(shape, b"", dtype=object)
    return fill_to_shape(values, shape)


MakeNdarray = make_ndarray


def constant_value(tensor):
    """`tensor`'s value if known without running the graph (Const and simple ops), else None."""
    from engine.framework import ops

    if not isinstance(tensor, ops.Tensor):
        return tensor
    op = tensor.op
    if op.type == "Const":
        return op.get_attr("value")
    if op.type == "Shape":
        shape = op.inputs[0].shape
        if shape.is_fully_defined():
            return np.array(shape.as_list(), dtype=tensor.dtype.as_numpy_dtype)
        return None
    if op.type == "Size":
        shape = op.inputs[0].shape
        if shape.is_fully_defined():
            return np.array(shape.num_elements(), dtype=tensor.dtype.as_numpy_dtype)
        return None
    if op.type == "Rank":
        ndims = op.inputs[0].shape.ndims
        return None if ndims is None else np.array(ndims, dtype=np.int32)
    if op.type == "Range":  # e.g. the axes of reduce_sum(x) over all dims: known when start/limit/delta are
        values = [constant_value(t) for t in op.inputs]
        if any(v is None for v in values):
            return None
        return np.arange(*values, dtype=tensor.dtype.as_numpy_dtype)
    if op.type in ("Identity", "StopGradient"):
        return constant_value(op.inputs[0])
    if op.type == "Cast":
        v = constant_value(op.inputs[0])
        return None if v is None else v.astype(tensor.dtype.as_numpy_dtype)
    if op.type == "Pack":
        values = [constant_value(t) for t in op.inputs]
        if any(v is None for v in values):
            return None
        return np.stack(values, axis=op.get_attr("axis"))
    if op.type == "ConcatV2":
        values = [constant_value(t) for t in op.inputs]
        if any(v is None for v in values):
            return None
        return np.concatenate(values[:-1], axis=int(values[-1]))
    if op.type == "StridedSlice":  # a slice of a known vector, e.g. a dense shape's leading dims
        return _strided_slice_value(op)
    return None


def _strided_slice_value(op):
    """The value of a StridedSlice of a known 1-D value with known bounds (no ellipsis or new axis)."""
    value, begin, end, strides = (constant_value(t) for t in op.inputs)
    if value is None or begin is None or end is None or strides is None or np.ndim(value) != 1:
        return None
    if np.size(begin) != 1 or op.get_attr("ellipsis_mask") or op.get_attr("new_axis_mask"):
        return None
    begin, end = int(np.reshape(begin, -1)[0]), int(np.reshape(end, -1)[0])
    stride = int(np.reshape(strides, -1)[0])
    if op.get_attr("shrink_axis_mask") & 1:
        return np.asarray(value[begin]) if -len(value) <= begin < len(value) else None
    first = None if op.get_attr("begin_mask") & 1 else begin
    last = None if op.get_attr("end_mask") & 1 else end
    return np.asarray(value[first:last:stride])


def constant_value_as_shape(tensor):
    """A TensorShape from a 1-D shape tensor, with unknown dims where the value is not known statically."""
    from engine.framework import ops

    if not isinstance(tensor, ops.Tensor):
        return _ts.TensorShape(list(np.asarray(tensor).reshape(-1)))
    if tensor.shape.ndims == 0:
        value = constant_value(tensor)
        if value is None:
            return _ts.unknown_shape()
        return _ts.TensorShape([int(value)])
    value = constant_value(tensor)
    if value is not None:
        return _ts.TensorShape([None if d == -1 else int(d) for d in value.reshape(-1)])
    op = tensor.op
    if op.type in ("Shape", "ShapeN"):  # ShapeN's output i is input i's shape (as TF's C++ shape inference)
        return op.inputs[tensor.value_index].shape
    if op.type == "Pack":
        dims = []
        for t in op.inputs:
            v = constant_value(t)
            dims.append(None if v is None or int(v) == -1 else int(v))
        return _ts.TensorShape(dims)
    if op.type == "ConcatV2":
        result = _ts.TensorShape([])
        for t in op.inputs[:-1]:
            result = result.concatenate(constant_value_as_shape(t))
        return result
    if op.type == "StridedSlice":
        sliced = _sliced_shape(op)
        if sliced is not None:
            return sliced
    n = tensor.shape[0].value if tensor.shape.ndims == 1 else None
    return _ts.unknown_shape(n)


def _sliced_shape(op):
    """TF's StridedSlice case: a plain slice `[begin:end:stride]` (constant bounds, no ellipsis, new or
    shrunk axis) of a shape tensor is that slice of its static shape; None for other slices."""
    begin, end, strides = (constant_value(t) for t in op.inputs[1:])
    if begin is None or end is None or strides is None:
        return None
    if any(op.get_attr(m) for m in ("ellipsis_mask", "new_axis_mask", "shrink_axis_mask")):
        return None
    begin_mask, end_mask = op.get_attr("begin_mask"), op.get_attr("end_mask")
    if begin_mask not in (0, 1) or end_mask not in (0, 1):
        return None
    prev = constant_value_as_shape(op.inputs[0])
    if prev.ndims is None:
        return _ts.unknown_shape()
    start = None if begin_mask else int(np.asarray(begin).reshape(-1)[0])
    stop = None if end_mask else int(np.asarray(end).reshape(-1)[0])
    return _ts.TensorShape(prev.dims[start:stop:int(np.asarray(strides).reshape(-1)[0])])


def is_tensor(x):
    """True for graph values ops accept as they are: Tensors and Variables (not numpy arrays or numbers)."""
    from engine.framework import ops
    from engine.variables import Variable

    return isinstance(x, ops.Tensor | Variable)
