"""`tf.dtypes`: the DType objects and the cast functions under TF's ``tf.dtypes`` names (re-exports only)."""



from engine.framework.dtypes import (
    DType,
    as_dtype,
    bool,  # noqa: A004 - TF's name
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    resource,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
    variant,
)
from engine.ops.array_ops import cast, saturate_cast

__all__ = [
    "DType", "as_dtype", "bool", "cast", "complex128", "complex64", "double", "float16", "float32", "float64",
    "half", "int16", "int32", "int64", "int8", "resource", "saturate_cast", "string", "uint16", "uint32",
    "uint64", "uint8", "variant",
]
