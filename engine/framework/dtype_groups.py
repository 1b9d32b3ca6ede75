"""Named dtype groups for op definitions' allowed types (TF's OpDef `type_attr` `allowed_values`).

Each group is a tuple of TF dtype names in the order TF's op registration lists them, because TF's
construction error names them in that order ("Value passed to parameter 'x' has DataType string not in
list of allowed values: bfloat16, float16, ...").  The names follow TF's C++ spellings in
`tensorflow/core/framework/op_def_builder` (`numbertypes`, `realnumbertypes`, `quantizedtypes`,
`floatingpoint`) and the per-file macros of `core/ops/math_ops.cc` (`UNARY_REAL`, `UNARY_COMPLEX`,
`BINARY_MORE`, ...); groups used by a single op are named after it.  Some names (bfloat16, the quantized
types) are TF dtypes the engine has no `DType` for: no tensor can carry them, so they only appear in texts.
"""

# Building blocks, each in the order TF's lists keep them.
_FLOATS = ("bfloat16", "float16", "float32", "float64")
_COMPLEX = ("complex64", "complex128")
_SIGNED = ("int8", "int16", "int32", "int64")
_UNSIGNED = ("uint8", "uint16", "uint32", "uint64")

# TF's `numbertypes` and friends (types.h `TF_CALL_*` order, as OpDefBuilder expands them).
NUMBER_TYPES = (
    "float32", "float64", "int32", "uint8", "int16", "int8", "complex64", "int64", "qint8", "quint8",
    "qint32", "bfloat16", "qint16", "quint16", "uint16", "complex128", "float16", "uint32", "uint64",
)
REAL_NUMBER_TYPES = (
    "float32", "float64", "int32", "uint8", "int16", "int8", "int64", "bfloat16", "uint16", "float16",
    "uint32", "uint64",
)
QUANTIZED_TYPES = ("qint8", "quint8", "qint32", "qint16", "quint16")
FLOATING_POINT = ("float16", "bfloat16", "float32", "float64")
INTEGER_TYPES = _SIGNED + _UNSIGNED

# math_ops.cc's explicit lists.
UNARY_REAL = _FLOATS
UNARY_COMPLEX = _FLOATS + _COMPLEX
UNARY_SIGNED = _FLOATS + _SIGNED + _COMPLEX  # Neg, Sign, Reciprocal, Round
BINARY_MORE = _FLOATS + ("uint8", "int8", "uint16", "int16", "int32", "uint32", "uint64", "int64") + _COMPLEX
ADD_TYPES = _FLOATS + ("uint8", "int8", "int16", "int32", "int64") + _COMPLEX + ("string",)
ADD_V2_TYPES = _FLOATS + _UNSIGNED + _SIGNED + _COMPLEX
SUB_TYPES = _FLOATS + ("uint8", "int8", "uint16", "int16", "int32", "int64") + _COMPLEX + ("uint32", "uint64")
MAXIMUM_TYPES = _FLOATS + ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64")
FLOOR_MOD_TYPES = INTEGER_TYPES + _FLOATS
POW_TYPES = ("bfloat16", "float32", "float16", "float64") + _SIGNED + _COMPLEX
ABS_TYPES = _FLOATS + _SIGNED
SQUARE_TYPES = _FLOATS + _SIGNED + _UNSIGNED + _COMPLEX
SQUARED_DIFFERENCE_TYPES = _FLOATS + ("int32", "int64") + _COMPLEX
DIV_NO_NAN_TYPES = ("float16", "float32", "bfloat16", "float64") + _COMPLEX
MAT_MUL_TYPES = _FLOATS + ("int32", "int64") + _UNSIGNED + _COMPLEX
BATCH_MAT_MUL_TYPES = _FLOATS + ("int16", "int32", "int64") + _UNSIGNED + _COMPLEX
ADD_N_TYPES = NUMBER_TYPES + ("variant",)

# Index and shape attrs (`Tidx`, `Tshape`, `Tpaddings`, `index_type`, ...) and the lists of single ops.
INDEX_TYPES = ("int32", "int64")
INT16_INDEX_TYPES = ("int16", "int32", "int64")  # ArgMax's Tidx, GatherV2's Tindices, StridedSlice's Index
SPLIT_V_TYPES = ("int8", "int32", "int64")
ONE_HOT_INDEX_TYPES = ("uint8", "int8", "int32", "int64")
ARG_MAX_TYPES = REAL_NUMBER_TYPES + QUANTIZED_TYPES + ("bool",)
WHERE_TYPES = NUMBER_TYPES + ("bool",)
ONES_LIKE_TYPES = MAXIMUM_TYPES + _COMPLEX + ("bool",)
RANGE_TYPES = _FLOATS + _SIGNED + ("uint16", "uint32", "uint64")
CONV_TYPES = FLOATING_POINT + ("int32",)
MAX_POOL_TYPES = FLOATING_POINT + ("int32", "int64", "uint8", "int16", "int8", "uint16", "qint8")
IMAGE_SUMMARY_TYPES = ("uint8", "float32", "float16", "float64")
