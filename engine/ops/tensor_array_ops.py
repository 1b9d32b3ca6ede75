"""``tf.TensorArray`` as TF1 builds it: a TensorArrayV3 resource handle plus a float *flow* tensor.

Every op that changes the array (TensorArrayWriteV3, ScatterV3, SplitV3) takes the flow in and gives a
new flow out, and every op that reads it (ReadV3, GatherV3, ConcatV3, SizeV3) takes the newest flow in:
the flow's data edges are what orders the accesses, in a straight-line plan and in a loop's frames alike,
and what `tf.gradients` follows (tensor_array_grad.py).  The flow's value means nothing (0.0).

The handle's value at run time is an `_Array` (the elements written so far), made anew each time the
TensorArrayV3 op runs -- in a loop body, once per iteration, so each iteration has its own array.  A
TensorArrayGradV3 finds (or makes, once per `source`) the gradient array kept on its forward array, so
every gradient op of one `tf.gradients` call reaches the same accumulator, as in TF.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry, tensor_shape, tensor_util
from engine.ops.op_util import make_op, shape_error

_SCALAR = tensor_shape.TensorShape([])
_HANDLE = tensor_shape.TensorShape([2])  # TF's handle shape (a vector of two strings in TF's kernels)


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _debug(dims):
    """TF's `PartialTensorShape::DebugString`: `[2,?]`, `<unknown>` for an unknown rank."""
    if dims is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _compatible(dims, shape):
    if dims is None or dims == shape:
        return True
    return len(dims) == len(shape) and all(d is None or d == s for d, s in zip(dims, shape, strict=True))


def _fully_defined(dims):
    return dims is not None and None not in dims


class _Array:
    """One TensorArray's run-time state (TF's C++ `TensorArray`)."""

    __slots__ = ("name", "dtype", "values", "read", "dynamic", "clear_after_read", "element_shape",
                 "identical", "aggregate", "closed", "grads", "shapes")

    def __init__(self, name, dtype, size, dynamic, clear_after_read, element_shape, identical,
                 aggregate=False):
        self.name = name
        self.dtype = dtype  # numpy dtype
        self.values = [None] * size
        self.read = [False] * size  # read once (and dropped when clear_after_read)
        self.dynamic = dynamic
        self.clear_after_read = clear_after_read
        self.element_shape = element_shape  # tuple with None dims, or None for an unknown rank
        self.identical = identical
        self.aggregate = aggregate  # a gradient array: writes to one index add up
        self.closed = False
        self.grads = {}  # source -> gradient _Array
        self.shapes = [None] * size  # a gradient array: the shapes of the forward array's elements

    def _error(self, message):
        return _invalid(f"TensorArray {self.name}: {message}")

    def check_open(self):
        if self.closed:
            raise _invalid(f"TensorArray {self.name} has already been closed.")

    def write(self, index, value):
        index = int(index)
        if index < 0 or (not self.dynamic and index >= len(self.values)):
            raise self._error(f"Tried to write to index {index} but array is not resizeable and size is: "
                              f"{len(self.values)}")
        if index >= len(self.values):
            grow = index + 1 - len(self.values)
            self.values += [None] * grow
            self.read += [False] * grow
            self.shapes += [None] * grow
        value = np.asarray(value)
        if not _compatible(self.element_shape, value.shape):
            raise self._error(
                f"Could not write to TensorArray index {index} because the value shape is "
                f"{_debug(value.shape)} which is incompatible with the TensorArray's inferred element shape: "
                f"{_debug(self.element_shape)} (consider setting infer_shape=False).")
        if self.identical and not _fully_defined(self.element_shape):
            self.element_shape = tuple(value.shape)
        if self.read[index]:
            raise self._error(
                f"Could not write to TensorArray index {index} because it has already been read.")
        old = self.values[index]
        if old is not None:
            if not self.aggregate:
                raise self._error(
                    f"Could not write to TensorArray index {index} because it has already been written to.")
            if old.shape != value.shape:
                raise self._error(
                    f"Could not aggregate to TensorArray index {index} because the existing shape is "
                    f"{_debug(old.shape)} but the new input shape is {_debug(value.shape)}.")
            value = old + value
        self.values[index] = value

    def get(self, index):
        index = int(index)
        if index < 0 or index >= len(self.values):
            raise _invalid(
                f"Tried to read from index {index} but array size is: {len(self.values)}")
        value = self.values[index]
        if value is None:
            if self.read[index] and self.clear_after_read:
                raise self._error(
                    f"Could not read index {index} twice because it was cleared after a previous read "
                    "(perhaps try setting clear_after_read = false?).")
            shape = self.shapes[index] if self.shapes[index] is not None else self.element_shape
            if not _fully_defined(shape):
                raise self._error(
                    f"Could not read from TensorArray index {index}.  Furthermore, the element shape is not "
                    f"fully defined: {_debug(shape)}.  It is possible you are working with a resizeable "
                    "TensorArray and stop_gradients is not allowing the gradients to be written.  If you set "
                    "the full element_shape property on the forward TensorArray, the proper all-zeros tensor "
                    "will be returned instead of incurring this error.")
            value = np.zeros(shape, self.dtype)  # never written: a gradient nothing flowed into
        self.read[index] = True
        if self.clear_after_read:
            self.values[index] = None
        return value

    def check_dtype(self, dtype, verb):
        if np.dtype(dtype) != self.dtype:
            ours = dtypes.as_dtype(self.dtype)._c_name  # TF's C++ DataTypeString: float, double
            theirs = dtypes.as_dtype(dtype)._c_name
            if verb == "write":
                message = f"TensorArray dtype is {ours} but Op is trying to write dtype {theirs}."
            else:
                message = f"TensorArray dtype is {ours} but Op requested dtype {theirs}."
            raise _invalid(message)

    def gradient(self, source):
        """The gradient array for the `tf.gradients` call `source` (made on first use)."""
        grad = self.grads.get(source)
        if grad is None:
            grad = _Array(f"{self.name}@{source}", self.dtype, len(self.values), False, True,
                          self.element_shape, self.identical, aggregate=True)
            grad.shapes = [None if v is None else v.shape for v in self.values]
            self.grads[source] = grad
        return grad


_FLOW = np.float32(0.0)


def _shape_attr(op, name):
    shape = op._get_attr_or(name, None)
    return None if shape is None else tensor_shape.as_shape(shape)._as_tuple()


# --- the ops -------------------------------------------------------------------------------------------
def _compile_tensor_array(op, runtime):
    dtype = dtypes.as_dtype(op.get_attr("dtype")).as_numpy_dtype
    dynamic = bool(op._get_attr_or("dynamic_size", False))
    clear = bool(op._get_attr_or("clear_after_read", True))
    identical = bool(op._get_attr_or("identical_element_shapes", False))
    element_shape = _shape_attr(op, "element_shape")
    name = op._get_attr_or("tensor_array_name", "") or op.name
    if isinstance(name, bytes):
        name = name.decode()
    counter = iter(range(1 << 62))

    def kernel(size):
        size = np.asarray(size)
        if size.shape != ():
            raise _invalid(f"TensorArray size must be scalar, but had shape: "
                                              f"{_debug(size.shape)}")
        if int(size) < 0:
            raise _invalid(f"Size should be >= 0, but saw: {int(size)}")
        array = _Array(f"{name}_{next(counter)}", dtype, int(size), dynamic, clear, element_shape, identical)
        return array, _FLOW

    return kernel


def _handle_and_flow(op):
    return [(dtypes.resource, _HANDLE), (dtypes.float32, _SCALAR)]


def _infer_tensor_array(op):
    if op.inputs[0].shape.ndims not in (None, 0):
        raise shape_error(op, f"Shape must be rank 0 but is rank {op.inputs[0].shape.ndims}")
    return _handle_and_flow(op)


def _compile_grad(op, runtime):
    source = op.get_attr("source")
    if isinstance(source, bytes):
        source = source.decode()

    def kernel(array, flow):
        array.check_open()
        return array.gradient(source), _FLOW

    return kernel


def _compile_write(op, runtime):
    def kernel(array, index, value, flow):
        array.check_open()
        value = np.asarray(value)
        if value.dtype != array.dtype:
            array.check_dtype(value.dtype, "write")
        array.write(index, value)
        return _FLOW

    return kernel


def _compile_read(op, runtime):
    dtype = np.dtype(dtypes.as_dtype(op.get_attr("dtype")).as_numpy_dtype)

    def kernel(array, index, flow):
        array.check_open()
        if dtype != array.dtype:
            array.check_dtype(dtype, "read")
        return array.get(index)

    return kernel


def _stack(values, what):
    first = values[0].shape
    for i, v in enumerate(values[1:], 1):
        if v.shape != first:
            raise _invalid(
                f"TensorArray has inconsistent shapes.  Index 0 has {what}shape: {_debug(first)} but "
                f"index {i} has {what}shape: {_debug(v.shape)}")


def _compile_gather(op, runtime):
    dtype = dtypes.as_dtype(op.get_attr("dtype")).as_numpy_dtype
    element_shape = _shape_attr(op, "element_shape")

    def kernel(array, indices, flow):
        array.check_open()
        array.check_dtype(dtype, "read")
        indices = np.asarray(indices)
        if indices.ndim != 1:
            raise _invalid(
                f"Expected indices to be a vector, but received shape: {_debug(indices.shape)}")
        if indices.size == 0:
            shape = element_shape if _fully_defined(element_shape) else array.element_shape
            if not _fully_defined(shape):
                raise _invalid(
                    f"TensorArray has size zero, but element shape {_debug(element_shape)} is not "
                    "fully defined. Currently only static shapes are supported when packing zero-size "
                    "TensorArrays.")
            return np.zeros((0, *shape), dtype)
        values = [array.get(i) for i in indices.tolist()]
        _stack(values, "")
        return np.stack(values)

    return kernel


def _spread_args(array, positions, value, vector_text):
    """Scatter's and Split's checks: an open array of the value's dtype, a vector of positions (indices or
    lengths), a value of rank >= 1."""
    array.check_open()
    value = np.asarray(value)
    array.check_dtype(value.dtype, "write")
    positions = np.asarray(positions)
    if positions.ndim != 1:
        raise _invalid(f"{vector_text} received shape: {_debug(positions.shape)}")
    if value.ndim == 0:
        raise _invalid(f"Expected value to be at least a vector, but received shape: {_debug(value.shape)}")
    return positions, value


def _compile_scatter(op, runtime):
    def kernel(array, indices, value, flow):
        indices, value = _spread_args(array, indices, value, "Expected indices to be a vector, but")
        if indices.shape[0] != value.shape[0]:
            raise _invalid(
                f"Expected len(indices) == values.shape[0], but saw: {indices.shape[0]} vs. "
                f"{value.shape[0]}")
        for i, index in enumerate(indices.tolist()):
            array.write(index, value[i])
        return _FLOW

    return kernel


def _compile_concat(op, runtime):
    dtype = dtypes.as_dtype(op.get_attr("dtype")).as_numpy_dtype
    except0 = _shape_attr(op, "element_shape_except0")

    def kernel(array, flow):
        array.check_open()
        array.check_dtype(dtype, "read")
        if not array.values:
            if not _fully_defined(except0):
                raise _invalid(
                    f"TensorArray has size zero, but element_shape_except0 {_debug(except0)} is not "
                    "fully defined. Currently only static shapes are supported when concatenating zero-size "
                    "TensorArrays.")
            return np.zeros((0, *except0), dtype), np.zeros([0], np.int64)
        values = [array.get(i) for i in range(len(array.values))]
        for i, v in enumerate(values):
            if v.ndim == 0:
                raise _invalid(
                    f"Concat saw a scalar shape at index {i} but requires at least vectors.  Did you "
                    "mean to call TensorArray::Pack instead?")
        rest = values[0].shape[1:]
        for i, v in enumerate(values[1:], 1):
            if v.shape[1:] != rest:
                raise _invalid(
                    f"TensorArray has inconsistent shapes.  Index 0 has (excepting dimension 0) "
                    f"shape: {_debug(rest)} but index {i} has (excepting dimension 0) shape: "
                    f"{_debug(v.shape[1:])}")
        return np.concatenate(values), np.array([v.shape[0] for v in values], np.int64)

    return kernel


def _compile_split(op, runtime):
    def kernel(array, value, lengths, flow):
        lengths, value = _spread_args(array, lengths, value, "Expected lengths to be a vector,")
        total = int(lengths.sum())
        if total != value.shape[0]:
            raise _invalid(
                f"Expected sum of lengths to be equal to values.shape[0], but sum of lengths is: "
                f"{total} and value's shape is: {_debug(value.shape)}")
        if not array.dynamic and len(array.values) != lengths.shape[0]:
            raise _invalid(
                f"TensorArray's size is not equal to the size of lengths ({len(array.values)} vs. "
                f"{lengths.shape[0]}), and the TensorArray is not marked as dynamically resizeable")
        start = 0
        for i, n in enumerate(lengths.tolist()):
            array.write(i, value[start:start + n])
            start += n
        return _FLOW

    return kernel


def _compile_size(op, runtime):
    def kernel(array, flow):
        array.check_open()
        return np.int32(len(array.values))

    return kernel


def _compile_close(op, runtime):
    def kernel(array):
        array.check_open()
        array.closed = True

    return kernel


def _infer_gather(op):
    n = op.inputs[1].shape.dims[0].value if op.inputs[1].shape.ndims == 1 else None
    element = _shape_attr(op, "element_shape")
    shape = tensor_shape.unknown_shape() if element is None else tensor_shape.TensorShape([n, *element])
    return [(dtypes.as_dtype(op.get_attr("dtype")), shape)]


def _flow_out(op):
    return [(dtypes.float32, _SCALAR)]


_STATEFUL = {"stateful": True}
registry.register_op(
    "TensorArrayV3", infer=_infer_tensor_array, compile=_compile_tensor_array, inputs=("size",),
    attrs={"element_shape": tensor_shape.unknown_shape(), "dynamic_size": False, "clear_after_read": True,
           "identical_element_shapes": False, "tensor_array_name": ""}, **_STATEFUL)
registry.register_op("TensorArrayGradV3", infer=_handle_and_flow, compile=_compile_grad,
                     inputs=("handle", "flow_in"), attrs={"source": ""}, **_STATEFUL)
registry.register_op("TensorArrayWriteV3", infer=_flow_out, compile=_compile_write,
                     inputs=("handle", "index", "value: T", "flow_in"), **_STATEFUL)
registry.register_op("TensorArrayReadV3", infer=lambda op: [(dtypes.as_dtype(op.get_attr("dtype")),
                                                            tensor_shape.unknown_shape())],
                     compile=_compile_read, inputs=("handle", "index", "flow_in"), **_STATEFUL)
registry.register_op("TensorArrayGatherV3", infer=_infer_gather, compile=_compile_gather,
                     inputs=("handle", "indices", "flow_in"),
                     attrs={"element_shape": tensor_shape.unknown_shape()}, **_STATEFUL)
registry.register_op("TensorArrayScatterV3", infer=_flow_out, compile=_compile_scatter,
                     inputs=("handle", "indices", "value: T", "flow_in"), **_STATEFUL)
registry.register_op("TensorArrayConcatV3", infer=lambda op: [
    (dtypes.as_dtype(op.get_attr("dtype")), tensor_shape.unknown_shape()),
    (dtypes.int64, tensor_shape.TensorShape([None]))], compile=_compile_concat, inputs=("handle", "flow_in"),
    attrs={"element_shape_except0": tensor_shape.unknown_shape()}, **_STATEFUL)
registry.register_op("TensorArraySplitV3", infer=_flow_out, compile=_compile_split,
                     inputs=("handle", "value: T", "lengths", "flow_in"), **_STATEFUL)
registry.register_op("TensorArraySizeV3", infer=lambda op: [(dtypes.int32, _SCALAR)], compile=_compile_size,
                     inputs=("handle", "flow_in"), **_STATEFUL)
registry.register_op("TensorArrayCloseV3", infer=lambda op: [], compile=_compile_close, inputs=("handle",),
                     **_STATEFUL)


# --- the Python object ---------------------------------------------------------------------------------
class TensorArray:
    """``tf.TensorArray`` (TF1 graph form): a handle and the flow of its newest state.  Every method that
    changes the array returns a new TensorArray on the same handle with the new flow; use that one."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape=True, element_shape=None,
                 colocate_with_first_write_call=True, name=None):
        del colocate_with_first_write_call  # one device: nothing to colocate
        if handle is not None and tensor_array_name:
            raise ValueError("Cannot construct with both handle and tensor_array_name")
        if handle is not None and not isinstance(handle, ops.Tensor):
            raise TypeError("Handle must be a Tensor")
        if handle is None and size is None:
            raise ValueError("Size must be provided if handle is not provided")
        if handle is not None and size is not None:
            raise ValueError("Cannot provide both a handle and size at the same time")
        if handle is not None and element_shape is not None:
            raise ValueError("Cannot provide both a handle and element_shape at the same time")
        if handle is not None and dynamic_size is not None:
            raise ValueError("Cannot provide both a handle and dynamic_size at the same time")
        if handle is not None and clear_after_read is not None:
            raise ValueError("Cannot provide both a handle and clear_after_read at the same time")
        if clear_after_read is None:
            clear_after_read = True
        self._dynamic_size = bool(dynamic_size)
        self._dtype = dtypes.as_dtype(dtype).base_dtype
        # The static shape of the elements, shared (a one-item list) by every TensorArray of this handle
        # so that a write through one refines what the others' reads promise (TF's `_element_shape`).
        self._element_shape = [tensor_shape.as_shape(element_shape)]
        self._infer_shape = infer_shape
        self._size = size
        with ops.name_scope(name, "TensorArray", [handle, size, flow]) as scope:
            if handle is not None:
                if flow is None:
                    raise ValueError("flow must not be None if handle is not None.")
                self._handle, self._flow = handle, flow
            else:
                size = ops.convert_to_tensor(size, dtype=dtypes.int32, name="size")
                attrs = {
                    "dtype": self._dtype,
                    "element_shape": self._element_shape[0],
                    "dynamic_size": self._dynamic_size,
                    "clear_after_read": bool(clear_after_read),
                    "identical_element_shapes": bool(infer_shape),
                    "tensor_array_name": tensor_array_name or "",
                }
                op = make_op("TensorArrayV3", [size], name=scope, attrs=attrs)
                self._handle, self._flow = op.outputs

    @property
    def flow(self):
        """The flow tensor: the newest state of the array, as data for the ops that use it."""
        return self._flow

    @property
    def dtype(self):
        return self._dtype

    @property
    def handle(self):
        return self._handle

    @property
    def dynamic_size(self):
        return self._dynamic_size

    @property
    def element_shape(self):
        return self._element_shape[0]

    def _with_flow(self, flow):
        with ops.name_scope(None, "TensorArray", [self._handle]):
            pass  # TF's constructor takes a name scope for the new object: later ops are named after that
        ta = object.__new__(TensorArray)
        ta.__dict__.update(self.__dict__)
        ta._flow = flow
        return ta

    def _check_element_shape(self, shape):
        if not shape.is_compatible_with(self.element_shape):
            raise ValueError(f"Inconsistent shapes: saw {shape} but expected {self.element_shape} ")
        if self._infer_shape:
            self._element_shape[0] = self.element_shape.merge_with(shape)

    def _value(self, value):
        value = ops.convert_to_tensor(value, preferred_dtype=self._dtype, name="value")
        return value

    def identity(self):
        """A TensorArray whose flow is an Identity of this one's (orders it after the surrounding control
        dependencies)."""
        from engine.ops import array_ops

        return self._with_flow(array_ops.identity(self._flow))

    def grad(self, source, flow=None, name=None):
        """The gradient TensorArray of this one for the `tf.gradients` call `source`."""
        from engine.ops import array_ops

        if flow is None:
            flow = self.flow
        with ops.name_scope(name, "TensorArrayGrad", [self._handle]):
            with ops.name_scope(None, "TensorArrayGradV3") as scope:  # an Enter it needs is named in it
                g_op = make_op("TensorArrayGradV3", [self._handle, flow], name=scope,
                               attrs={"source": source})
            with ops.control_dependencies([g_op]):
                flow = array_ops.identity(flow, name="gradient_flow")
            g = TensorArray(self._dtype, handle=g_op.outputs[0], flow=flow, infer_shape=self._infer_shape)
            g._element_shape = self._element_shape
            return g

    def read(self, index, name=None):
        """The element at `index`."""
        with ops.name_scope(name, "TensorArrayReadV3", [self._handle, index]) as scope:
            index = ops.convert_to_tensor(index, dtype=dtypes.int32, name="index")
            value = make_op("TensorArrayReadV3", [self._handle, index, self._flow], name=scope,
                            attrs={"dtype": self._dtype}).outputs[0]
        if self.element_shape.ndims is not None:
            value.set_shape(self.element_shape)
        return value

    def write(self, index, value, name=None):
        """A TensorArray with `value` written at `index`."""
        with ops.name_scope(name, "TensorArrayWrite", [self._handle, index, value]):
            value = self._value(value)
            self._check_element_shape(value.shape)
            with ops.name_scope(None, "TensorArrayWriteV3") as scope:
                index = ops.convert_to_tensor(index, dtype=dtypes.int32, name="index")
                flow = make_op("TensorArrayWriteV3", [self._handle, index, value, self._flow], name=scope,
                               attrs={"T": value.dtype.base_dtype}).outputs[0]
            return self._with_flow(flow)

    def stack(self, name=None):
        """The elements stacked along a new first axis."""
        from engine.ops import math_ops

        with ops.name_scope(name, "TensorArrayStack", [self._handle]):
            value = self.gather(math_ops.range(0, self.size()), name=name)
            size = tensor_util.constant_value(self._size)
            if self.element_shape.ndims is not None and not self._dynamic_size and size is not None:
                value.set_shape(tensor_shape.TensorShape([int(size)]).concatenate(self.element_shape))
            return value

    def gather(self, indices, name=None):
        """The elements at `indices`, stacked."""
        with ops.name_scope(name, "TensorArrayGatherV3", [self._handle, indices]) as scope:
            indices = ops.convert_to_tensor(indices, dtype=dtypes.int32, name="indices")
            value = make_op("TensorArrayGatherV3", [self._handle, indices, self._flow], name=scope,
                            attrs={"dtype": self._dtype, "element_shape": self.element_shape}).outputs[0]
        if self.element_shape.ndims is not None:
            value.set_shape(tensor_shape.TensorShape([None]).concatenate(self.element_shape))
        return value

    def concat(self, name=None):
        """The elements concatenated along their first axis."""
        with ops.name_scope(name, "TensorArrayConcatV3", [self._handle]) as scope:
            except0 = (self.element_shape[1:] if self.element_shape.ndims
                       else tensor_shape.unknown_shape())
            op = make_op("TensorArrayConcatV3", [self._handle, self._flow], name=scope,
                         attrs={"dtype": self._dtype, "element_shape_except0": except0})
        value = op.outputs[0]
        if self.element_shape.ndims:
            dim0 = None
            if self._infer_shape:
                size = tensor_util.constant_value(self.size())
                if size is not None and self.element_shape.dims[0].value is not None:
                    dim0 = int(size) * self.element_shape.dims[0].value
            value.set_shape(tensor_shape.TensorShape([dim0]).concatenate(self.element_shape[1:]))
        return value

    def unstack(self, value, name=None):
        """A TensorArray holding `value`'s slices along its first axis."""
        from engine.ops import grad_util, math_ops

        with ops.name_scope(name, "TensorArrayUnstack", [self._handle, value]):
            value = self._value(value)
            num_elements = grad_util.shape(value)[0]
            return self.scatter(indices=math_ops.range(0, num_elements), value=value, name=name)

    def scatter(self, indices, value, name=None):
        """A TensorArray with `value`'s slices written at `indices`."""
        with ops.name_scope(name, "TensorArrayScatter", [self._handle, value, indices]):
            value = self._value(value)
            if value.shape.ndims is not None:
                self._check_element_shape(value.shape[1:])
            with ops.name_scope(None, "TensorArrayScatterV3") as scope:
                indices = ops.convert_to_tensor(indices, dtype=dtypes.int32, name="indices")
                flow = make_op("TensorArrayScatterV3", [self._handle, indices, value, self._flow], name=scope,
                               attrs={"T": value.dtype.base_dtype}).outputs[0]
            return self._with_flow(flow)

    def split(self, value, lengths, name=None):
        """A TensorArray with `value` split along its first axis in pieces of `lengths`."""
        from engine.ops.array_ops import cast

        with ops.name_scope(name, "TensorArraySplit", [self._handle, value, lengths]):
            value = ops.convert_to_tensor(value, dtype=self._dtype, name="value")
            lengths_64 = cast(lengths, dtypes.int64)
            known = tensor_util.constant_value(lengths_64)
            if value.shape.ndims is not None and known is not None:
                known = np.asarray(known)
                if known.shape and known.size and known.max() == known.min():
                    self._check_element_shape(tensor_shape.TensorShape([int(known[0])]).concatenate(value.shape[1:]))
            with ops.name_scope(None, "TensorArraySplitV3") as scope:
                flow = make_op("TensorArraySplitV3", [self._handle, value, lengths_64, self._flow],
                               name=scope, attrs={"T": value.dtype.base_dtype}).outputs[0]
            return self._with_flow(flow)

    def size(self, name=None):
        """The number of elements (a TensorArraySizeV3 when the size can change)."""
        if not self._dynamic_size and self._size is not None:
            return ops.convert_to_tensor(self._size, dtype=dtypes.int32)
        with ops.name_scope(name, "TensorArraySizeV3", [self._handle]) as scope:
            return make_op("TensorArraySizeV3", [self._handle, self._flow], name=scope).outputs[0]

    def close(self, name=None):
        """The op closing the array (any later use of it fails)."""
        with ops.name_scope(name, "TensorArrayCloseV3", [self._handle]) as scope:
            return make_op("TensorArrayCloseV3", [self._handle], name=scope)


def build_ta_with_new_flow(old_ta, flow):
    """A TensorArray on `old_ta`'s handle at the state `flow` (a loop's Merge, Switch or Exit of it)."""
    return old_ta._with_flow(flow)
