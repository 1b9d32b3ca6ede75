"""TensorFlow 1.x data types (`tf.float32`, `tf.int32`, ...) and `as_dtype`.

A `DType` pairs TensorFlow's `DataType` enum value (the number written into GraphDefs) with the
numpy dtype our kernels compute in.  Reference types (`float32_ref`, enum + 100) are what
`VariableV2` outputs carry in TF 1.x graphs; `base_dtype` strips the reference.
"""

from __future__ import annotations

import builtins

import numpy as np

from engine.proto import types_pb2

_REF_OFFSET = 100
# This module defines `bool` (tf.bool); the Python type stays reachable as _builtin_bool.
_builtin_bool = builtins.bool


class DType:
    """One TensorFlow data type; compare with `==` against DTypes, enum ints, numpy dtypes or names."""

    __slots__ = ("_type_enum", "_name", "_np", "_c_name")

    def __init__(self, type_enum, name, np_dtype, c_name):
        self._type_enum = type_enum
        self._name = name
        self._np = np_dtype
        self._c_name = c_name

    @property
    def name(self):
        return self._name

    @property
    def as_datatype_enum(self):
        return self._type_enum

    @property
    def as_numpy_dtype(self):
        return self._np.type if self._np is not None else object

    @property
    def is_ref_dtype(self):
        return self._type_enum > _REF_OFFSET

    @property
    def base_dtype(self):
        return _BY_ENUM[self._type_enum - _REF_OFFSET] if self.is_ref_dtype else self

    @property
    def real_dtype(self):
        base = self.base_dtype
        if base is complex64:
            return float32
        if base is complex128:
            return float64
        return base

    @property
    def _as_ref(self):
        return self if self.is_ref_dtype else _BY_ENUM[self._type_enum + _REF_OFFSET]

    @property
    def is_floating(self):
        b = self.base_dtype
        return b._np is not None and np.issubdtype(b._np, np.floating)

    @property
    def is_complex(self):
        b = self.base_dtype
        return b._np is not None and np.issubdtype(b._np, np.complexfloating)

    @property
    def is_integer(self):
        b = self.base_dtype
        return b._np is not None and np.issubdtype(b._np, np.integer)

    @property
    def is_unsigned(self):
        b = self.base_dtype
        return b._np is not None and np.issubdtype(b._np, np.unsignedinteger)

    @property
    def is_bool(self):
        return self.base_dtype is bool

    @property
    def is_numpy_compatible(self):
        return self._np is not None

    @property
    def size(self):
        return self.base_dtype._np.itemsize if self._np is not None else 1

    @property
    def min(self):
        b = self.base_dtype
        if b.is_floating:
            return np.finfo(b._np).min
        if b.is_integer:
            return np.iinfo(b._np).min
        if b is bool:
            return False
        raise TypeError(f"Cannot find minimum value of {self}.")

    @property
    def max(self):
        b = self.base_dtype
        if b.is_floating:
            return np.finfo(b._np).max
        if b.is_integer:
            return np.iinfo(b._np).max
        if b is bool:
            return True
        raise TypeError(f"Cannot find maximum value of {self}.")

    def is_compatible_with(self, other):
        other = as_dtype(other)
        return self._type_enum in (other.as_datatype_enum, other.base_dtype.as_datatype_enum)

    def __eq__(self, other):
        if other is None:
            return False
        if isinstance(other, DType):
            return self._type_enum == other._type_enum
        try:
            return self._type_enum == as_dtype(other)._type_enum
        except TypeError:
            return False

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return self._type_enum

    def __repr__(self):
        return f"tf.{self._name}"

    def __str__(self):
        return f"<dtype: '{self._name}'>"

    def __reduce__(self):
        return as_dtype, (self._name,)


# (enum, TF python name, numpy dtype, TF's C++ DataTypeString used in runtime error texts)
_SPECS = [
    (types_pb2.DT_HALF, "float16", np.float16, "half"),
    (types_pb2.DT_FLOAT, "float32", np.float32, "float"),
    (types_pb2.DT_DOUBLE, "float64", np.float64, "double"),
    (types_pb2.DT_INT8, "int8", np.int8, "int8"),
    (types_pb2.DT_INT16, "int16", np.int16, "int16"),
    (types_pb2.DT_INT32, "int32", np.int32, "int32"),
    (types_pb2.DT_INT64, "int64", np.int64, "int64"),
    (types_pb2.DT_UINT8, "uint8", np.uint8, "uint8"),
    (types_pb2.DT_UINT16, "uint16", np.uint16, "uint16"),
    (types_pb2.DT_UINT32, "uint32", np.uint32, "uint32"),
    (types_pb2.DT_UINT64, "uint64", np.uint64, "uint64"),
    (types_pb2.DT_BOOL, "bool", np.bool_, "bool"),
    (types_pb2.DT_STRING, "string", np.object_, "string"),
    (types_pb2.DT_COMPLEX64, "complex64", np.complex64, "complex64"),
    (types_pb2.DT_COMPLEX128, "complex128", np.complex128, "complex128"),
    (types_pb2.DT_RESOURCE, "resource", None, "resource"),
    (types_pb2.DT_VARIANT, "variant", None, "variant"),
]

_BY_ENUM: dict[int, DType] = {}
_BY_NAME: dict[str, DType] = {}
for _enum, _name, _np_type, _c in _SPECS:
    _npd = np.dtype(_np_type) if _np_type is not None else None
    _d = DType(_enum, _name, _npd, _c)
    _r = DType(_enum + _REF_OFFSET, _name + "_ref", _npd, _c + "_ref")
    _BY_ENUM[_enum] = _d
    _BY_ENUM[_enum + _REF_OFFSET] = _r
    _BY_NAME[_name] = _d
    _BY_NAME[_name + "_ref"] = _r

float16 = half = _BY_NAME["float16"]
float32 = _BY_NAME["float32"]
float64 = double = _BY_NAME["float64"]
int8 = _BY_NAME["int8"]
int16 = _BY_NAME["int16"]
int32 = _BY_NAME["int32"]
int64 = _BY_NAME["int64"]
uint8 = _BY_NAME["uint8"]
uint16 = _BY_NAME["uint16"]
uint32 = _BY_NAME["uint32"]
uint64 = _BY_NAME["uint64"]
bool = _BY_NAME["bool"]  # noqa: A001 - TF's public name is tf.bool
string = _BY_NAME["string"]
complex64 = _BY_NAME["complex64"]
complex128 = _BY_NAME["complex128"]
resource = _BY_NAME["resource"]
variant = _BY_NAME["variant"]

_NAME_ALIASES = {"half": float16, "float": float32, "double": float64}

_BY_NUMPY: dict[np.dtype, DType] = {}
for _d in list(_BY_ENUM.values()):
    if _d._np is not None and not _d.is_ref_dtype and _d._np not in _BY_NUMPY:
        _BY_NUMPY[_d._np] = _d
_BY_NUMPY[np.dtype(np.str_)] = string
_BY_NUMPY[np.dtype(np.bytes_)] = string


def as_dtype(type_value):
    """Converts a DType, enum int, numpy dtype/type or name into a `DType` (TF's `tf.as_dtype`)."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, int) and not isinstance(type_value, _builtin_bool):
        try:
            return _BY_ENUM[type_value]
        except KeyError:
            pass
    elif isinstance(type_value, str):
        found = _BY_NAME.get(type_value) or _NAME_ALIASES.get(type_value)
        if found is not None:
            return found
    elif type_value is _builtin_bool:
        return bool
    elif type_value is float:
        return float64
    elif type_value is int:
        return int64
    elif type_value is str or type_value is bytes:
        return string
    else:
        try:
            npd = np.dtype(type_value)
        except TypeError:
            npd = None
        if npd is not None:
            if npd.kind in "US":
                return string
            found = _BY_NUMPY.get(npd)
            if found is not None:
                return found
    raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")


def c_name(dtype):
    """TF's C++ DataTypeString (`float`, `double`, `int32`, ...), used in runtime error messages."""
    return as_dtype(dtype)._c_name
