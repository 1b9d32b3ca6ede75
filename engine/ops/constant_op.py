"""`tf.constant`: a Const op holding its value in the `value` attr (and `dtype`)."""

from __future__ import annotations

import numpy as np

from engine.framework import attr_values, dtypes, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts


def _infer_const(op):
    value = op._attrs["value"]
    return [(op._attrs["dtype"], _ts.TensorShape(value.shape))]


def _compile_const(op, runtime):
    # Plans bind Const values directly; this kernel serves direct callers only.
    value = op._attrs["value"]
    return lambda: value


registry.register_op("Const", infer=_infer_const, compile=_compile_const, constant=True)


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """TF1 `tf.constant`: infers float32/int32 from Python values; `shape` fills with the last value."""
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype).base_dtype
    arr = tensor_util.to_numpy(value, dtype)
    if dtype is None:
        dtype = dtypes.string if arr.dtype == object else dtypes.as_dtype(arr.dtype)
    proto = None
    if shape is not None:
        shape = [int(d) for d in _ts.as_shape(shape).as_list()]
        if verify_shape and list(arr.shape) != shape:
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, got {arr.shape}.")
        if list(arr.shape) != shape:
            # TF stores the given values and lets the reader fill the shape; keep that wire form.
            proto = attr_values.to_attr_value(tensor_util.make_tensor_proto(arr, dtype, shape))
        arr = tensor_util.fill_to_shape(arr, shape)
    arr = np.array(arr, copy=True)
    arr.flags.writeable = False  # plans hand this array to kernels; nobody may write into a constant
    graph = ops.get_default_graph()
    op = graph.create_op("Const", [], name=name, attrs={"dtype": dtype, "value": arr})
    if proto is not None:
        op._attr_protos["value"] = proto
    return op._outputs[0]


def is_constant(tensor):
    return isinstance(tensor, ops.Tensor) and tensor.op.type == "Const"


registry.register_not_differentiable("Const")
