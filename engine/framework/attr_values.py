"""Python attr values <-> `AttrValue` protobufs.

An Operation keeps its attrs as plain Python values: `DType` (type), `TensorShape` (shape), `bool`,
`int`, `float`, `str` (written as bytes), `numpy.ndarray` (tensor) and lists of those.  This module
is the only place that maps them to and from the wire form.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, tensor_util
from engine.framework import tensor_shape as _ts
from engine.proto import attr_value_pb2, tensor_pb2


def _tensor_proto(value):
    if isinstance(value, tensor_pb2.TensorProto):
        return value
    arr = np.asarray(value)
    dtype = dtypes.string if arr.dtype == object or arr.dtype.kind in "US" else dtypes.as_dtype(arr.dtype)
    return tensor_util.make_tensor_proto(arr, dtype=dtype)


def to_attr_value(value, kind=None):
    """The `AttrValue` for a Python attr value; `kind` names the list field for empty lists."""
    if isinstance(value, attr_value_pb2.AttrValue):
        return value
    if isinstance(value, dtypes.DType):
        return attr_value_pb2.AttrValue(type=value.as_datatype_enum)
    if isinstance(value, _ts.TensorShape):
        return attr_value_pb2.AttrValue(shape=value.as_proto())
    if isinstance(value, (bool, np.bool_)):
        return attr_value_pb2.AttrValue(b=bool(value))
    if isinstance(value, (int, np.integer)):
        return attr_value_pb2.AttrValue(i=int(value))
    if isinstance(value, (float, np.floating)):
        return attr_value_pb2.AttrValue(f=float(value))
    if isinstance(value, str):
        return attr_value_pb2.AttrValue(s=value.encode())
    if isinstance(value, bytes):
        return attr_value_pb2.AttrValue(s=value)
    if isinstance(value, (np.ndarray, tensor_pb2.TensorProto)):
        return attr_value_pb2.AttrValue(tensor=_tensor_proto(value))
    if isinstance(value, (list, tuple)):
        lv = attr_value_pb2.AttrValue.ListValue()
        for item in value:
            if isinstance(item, dtypes.DType):
                lv.type.append(item.as_datatype_enum)
            elif isinstance(item, _ts.TensorShape):
                lv.shape.add().CopyFrom(item.as_proto())
            elif isinstance(item, (bool, np.bool_)):
                lv.b.append(bool(item))
            elif isinstance(item, (int, np.integer)):
                lv.i.append(int(item))
            elif isinstance(item, (float, np.floating)):
                lv.f.append(float(item))
            elif isinstance(item, str):
                lv.s.append(item.encode())
            elif isinstance(item, bytes):
                lv.s.append(item)
            elif isinstance(item, (np.ndarray, tensor_pb2.TensorProto)):
                lv.tensor.add().CopyFrom(_tensor_proto(item))
            else:
                raise TypeError(f"Cannot store {item!r} in a list attr")
        return attr_value_pb2.AttrValue(list=lv)
    raise TypeError(f"Cannot convert {value!r} to an AttrValue")


def from_attr_value(av):
    """The Python value of an `AttrValue` (inverse of `to_attr_value`)."""
    which = av.WhichOneof("value")
    if which == "s":
        try:
            return av.s.decode()
        except UnicodeDecodeError:
            return av.s
    if which == "i":
        return int(av.i)
    if which == "f":
        return float(av.f)
    if which == "b":
        return bool(av.b)
    if which == "type":
        return dtypes.as_dtype(av.type)
    if which == "shape":
        return _ts.TensorShape(av.shape)
    if which == "tensor":
        return tensor_util.make_ndarray(av.tensor)
    if which == "list":
        lv = av.list
        if lv.s:
            out = []
            for s in lv.s:
                try:
                    out.append(s.decode())
                except UnicodeDecodeError:
                    out.append(s)
            return out
        if lv.i:
            return [int(i) for i in lv.i]
        if lv.f:
            return [float(f) for f in lv.f]
        if lv.b:
            return [bool(b) for b in lv.b]
        if lv.type:
            return [dtypes.as_dtype(t) for t in lv.type]
        if lv.shape:
            return [_ts.TensorShape(s) for s in lv.shape]
        if lv.tensor:
            return [tensor_util.make_ndarray(t) for t in lv.tensor]
        return []
    if which == "func":
        return av.func
    return None
