"""Parsing serialized `tf.train.Example` protos, raw bytes and CSV: ParseExampleV2 (`tf.parse_example`,
`tf.parse_single_example`), DecodeRaw (`tf.decode_raw`) and DecodeCSV (`tf.decode_csv`).

The graph is TensorFlow's: `parse_single_example` builds `ParseSingleExample/ParseExample/ParseExampleV2`
with the same Const inputs (keys, empty `names`, one dense default each: an empty Const for a required
feature, a `key_<name>` Const reshaped to the feature's shape otherwise), so the GraphDef loads in TF.
The kernel decodes each record with the generated `engine.proto.example_pb2` and raises TF's errors.

`VarLenFeature` and `SparseFeature` (engine/ops/parsing_config.py) come out as SparseTensors from the
ops' sparse outputs, as in TF; RaggedFeature is not here (the engine has no RaggedTensor).
"""

from __future__ import annotations

import collections

import numpy as np
from google.protobuf.message import DecodeError

from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.sparse_tensor import SparseTensor
from engine.ops import constant_op
from engine.ops.array_ops import reshape
from engine.ops.op_util import make_op, make_tensor
from engine.ops.parsing_config import (
    SparseFeature,
    VarLenFeature,
    batch_sparse,
    composite_features,
    sparse_feature_values,
    sparse_keys_of,
    sparse_output_specs,
)
from engine.proto import example_pb2

# The three kinds of list a Feature holds, as TF names their dtypes in errors.
_LIST_DTYPE = {"bytes_list": dtypes.string, "float_list": dtypes.float32, "int64_list": dtypes.int64}
_PARSE_DTYPES = (dtypes.float32, dtypes.int64, dtypes.string)


class FixedLenFeature(collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])):
    """``tf.io.FixedLenFeature(shape, dtype, default_value=None)``: a feature of a fixed number of values."""

    __slots__ = ()

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


def _c_name(dtype):
    return "string" if dtype == dtypes.string else dtype.name.replace("float32", "float")


# --- ParseExampleV2 -------------------------------------------------------------------------------
def _infer_parse(op):
    if op.get_attr("ragged_value_types"):
        raise ValueError("ParseExampleV2 with ragged features is not supported by engine yet")
    batch = op.inputs[0].shape
    prefix = [] if batch.ndims == 0 else [batch[0] if batch.ndims == 1 else None]
    dense = [(dtype, _ts.TensorShape(prefix + list(shape.dims or [])))
             for dtype, shape in zip(op.get_attr("Tdense"), op.get_attr("dense_shapes"), strict=True)]
    rank = None if batch.ndims is None else batch.ndims + 1
    return sparse_output_specs(rank, op.get_attr("sparse_types")) + dense


def _compile_parse(op, runtime):
    dense_types = op.get_attr("Tdense")
    dense_shapes = [tuple(s._as_tuple()) for s in op.get_attr("dense_shapes")]
    sparse_types = op.get_attr("sparse_types")

    def kernel(serialized, names, sparse_keys, dense_keys, ragged_keys, *defaults):
        keys = [_bytes(k).decode() for k in np.reshape(dense_keys, -1)]
        sparse_names = [_bytes(k).decode() for k in np.reshape(sparse_keys, -1)]
        single = np.ndim(serialized) == 0
        records = [_bytes(serialized)] if single else [_bytes(r) for r in np.reshape(serialized, -1)]
        outputs = [_empty_batch(dtype, len(records), shape)
                   for dtype, shape in zip(dense_types, dense_shapes, strict=True)]
        sparse_rows = [[] for _ in sparse_names]
        for index, record in enumerate(records):
            features = _parse_record(record).features.feature
            for out, key, dtype, shape, default in zip(
                    outputs, keys, dense_types, dense_shapes, defaults, strict=True):
                out[index] = _dense_value(features, key, dtype, shape, default, single, index)
            for rows, key, dtype in zip(sparse_rows, sparse_names, sparse_types, strict=True):
                where = f"Key: {key}." if single else f"Name: <unknown>, Key: {key}, Index: {index}."
                rows.append(sparse_feature_values(features, key, dtype, where))
        if single:
            outputs = [out[0] for out in outputs]
        triples = [batch_sparse(rows, dtype, single)
                   for rows, dtype in zip(sparse_rows, sparse_types, strict=True)]
        outputs = [t[0] for t in triples] + [t[1] for t in triples] + [t[2] for t in triples] + outputs
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    return kernel


def _bytes(value):
    if isinstance(value, np.ndarray):
        value = value[()]
    return value.encode() if isinstance(value, str) else bytes(value)


def _empty_batch(dtype, n, shape):
    if dtype == dtypes.string:
        return np.empty((n, *shape), dtype=object)
    return np.empty((n, *shape), dtype=dtype.as_numpy_dtype)


def _parse_record(record):
    """The Example in `record`; one that does not decode has no features, as TF's fast parser treats it
    (a required feature then reports itself missing, which is TF's error for such a record)."""
    try:
        return example_pb2.Example.FromString(record)
    except DecodeError:
        return _NO_EXAMPLE


_NO_EXAMPLE = example_pb2.Example()


def _dense_value(features, key, dtype, shape, default, single, index):
    where = f"Key: {key}." if single else f"Name: <unknown>, Key: {key}, Index: {index}."
    if key not in features or features[key].WhichOneof("kind") is None and np.size(default):
        if np.size(default) == 0:
            prefix = "" if single else "Name: <unknown>, "
            raise errors.InvalidArgumentError(
                None, None,
                f"{prefix}Feature: {key} (data type: {_c_name(dtype)}) is required but could not be found.")
        return default
    feature = features[key]
    kind = feature.WhichOneof("kind")
    if kind is not None and _LIST_DTYPE[kind] != dtype:
        raise errors.InvalidArgumentError(None, None, f"{where}  Data types don't match. Data type: "
                                          f"{_c_name(_LIST_DTYPE[kind])} but expected type: {_c_name(dtype)}")
    values = list(getattr(feature, kind).value) if kind is not None else []
    expected = int(np.prod(shape, dtype=np.int64))
    if len(values) != expected:
        raise errors.InvalidArgumentError(
            None, None, f"{where}  Number of {_c_name(dtype)} values != expected.  Values size: "
            f"{len(values)} but output shape: [{','.join(str(d) for d in shape)}]")
    if dtype == dtypes.string:
        return np.array(values, dtype=object).reshape(shape)
    return np.asarray(values, dtype=dtype.as_numpy_dtype).reshape(shape)


registry.register_op(
    "ParseExampleV2", infer=_infer_parse, compile=_compile_parse,
    attrs={"sparse_types": [], "ragged_value_types": [], "ragged_split_types": [], "num_sparse": 0},
)


def _dense_default(key, feature):
    """TF's dense default input: an empty Const (required feature) or `key_<key>` reshaped to the shape."""
    dtype = dtypes.as_dtype(feature.dtype)
    if feature.default_value is None:
        return constant_op.constant([], dtype=dtype)
    value = constant_op.constant(feature.default_value, dtype=dtype, name=f"key_{key}")
    return reshape(value, list(feature.shape))


def _check_features(features, sparse_kinds=(VarLenFeature, SparseFeature)):
    if not features:
        raise ValueError("Invalid features: Must be a non-empty dictionary.")
    for key, feature in features.items():
        if isinstance(feature, sparse_kinds):
            if dtypes.as_dtype(feature.dtype) not in _PARSE_DTYPES:
                raise ValueError(f"Unsupported dtype {dtypes.as_dtype(feature.dtype).name} for feature "
                                 f"{key}: Example features hold float32, int64 or string values")
            continue
        if not isinstance(feature, FixedLenFeature):
            raise ValueError(f"Unsupported {type(feature).__name__} {feature}.")
        if dtypes.as_dtype(feature.dtype) not in _PARSE_DTYPES:
            raise ValueError(f"Unsupported dtype {dtypes.as_dtype(feature.dtype).name} for feature {key}: "
                             "Example features hold float32, int64 or string values")
        dims = _ts.as_shape(feature.shape)._as_tuple()
        if dims is None or None in dims:
            raise ValueError(f"First dimension of shape for feature {key} unknown. Consider using "
                             "FixedLenSequenceFeature.")


def parse_example(serialized, features, name=None, example_names=None):
    """``tf.parse_example``: a dict of Tensors (FixedLenFeature, batch dimension first) and SparseTensors
    (VarLenFeature, SparseFeature) from a vector of Examples."""
    _check_features(features)
    keys = sorted(k for k, f in features.items() if isinstance(f, FixedLenFeature))  # TF sorts them by name
    sparse_keys, sparse_types = sparse_keys_of(features)
    with ops.name_scope(name, "ParseExample", [serialized, example_names]):
        serialized = ops.convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        defaults = [_dense_default(key, features[key]) for key in keys]
        with ops.name_scope(None, "ParseExampleV2") as scope:
            names = constant_op.constant(
                [] if example_names is None else example_names, dtype=dtypes.string, name="names")
            sparse_keys_t = constant_op.constant(sparse_keys, dtype=dtypes.string, name="sparse_keys")
            dense_keys = constant_op.constant(keys, dtype=dtypes.string, name="dense_keys")
            ragged_keys = constant_op.constant([], dtype=dtypes.string, name="ragged_keys")
            inputs = [serialized, names, sparse_keys_t, dense_keys, ragged_keys, *defaults]
            op = make_op("ParseExampleV2", inputs, name=scope, attrs={
                "Tdense": [dtypes.as_dtype(features[k].dtype) for k in keys],
                "dense_shapes": [_ts.as_shape(features[k].shape) for k in keys],
                "num_sparse": len(sparse_keys), "sparse_types": sparse_types, "ragged_value_types": [],
                "ragged_split_types": []})
        n = len(sparse_keys)  # the SparseTensors are made in the ParseExample scope, as TF makes them
        outs = op.outputs
        sparse = [SparseTensor(outs[i], outs[n + i], outs[2 * n + i]) for i in range(n)]
    return composite_features(features, dict(zip(sparse_keys + keys, sparse + outs[3 * n:], strict=True)))


def parse_single_example(serialized, features, name=None, example_names=None):
    """``tf.parse_single_example``: a dict of dense Tensors from one serialized Example (a string scalar)."""
    _check_features(features)
    with ops.name_scope(name, "ParseSingleExample", [serialized, example_names]):
        serialized = ops.convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if serialized.shape.ndims not in (None, 0):
            raise ValueError("Input serialized must be a scalar")
        return parse_example(serialized, features, example_names=example_names)


# --- DecodeRaw ------------------------------------------------------------------------------------
_DECODE_RAW_TYPES = ("float16", "float32", "float64", "int32", "uint16", "uint8", "int16", "int8", "int64",
                     "complex64", "complex128", "bool", "bfloat16")


def _infer_decode_raw(op):
    shape = op.inputs[0].shape
    dims = None if shape.ndims is None else [*shape.dims, None]
    return [(op.get_attr("out_type"), _ts.TensorShape(dims))]


def _compile_decode_raw(op, runtime):
    out_type = op.get_attr("out_type")
    dtype = np.dtype(out_type.as_numpy_dtype)
    dtype = dtype.newbyteorder("<" if op.get_attr("little_endian") else ">")
    size = dtype.itemsize

    def kernel(values):
        values = np.asarray(values, dtype=object)
        flat = [_bytes(v) for v in values.reshape(-1)]
        width = len(flat[0]) if flat else 0
        for i, item in enumerate(flat):
            if len(item) != width:
                raise errors.InvalidArgumentError(
                    None, None, "DecodeRaw requires input strings to all be the same size, but element "
                    f"{i} has size {len(item)} != {width}")
        if width % size:
            raise errors.InvalidArgumentError(
                None, None, f"Input to DecodeRaw has length {width} that is not a multiple of {size}, the "
                f"size of {dtypes.c_name(out_type)}")
        decoded = np.frombuffer(b"".join(flat), dtype=dtype).astype(dtype.newbyteorder("="))
        return decoded.reshape(*values.shape, width // size)

    return kernel


registry.register_op(
    "DecodeRaw", infer=_infer_decode_raw, compile=_compile_decode_raw, attrs={"little_endian": True},
    inputs=("bytes",),
)
registry.register_not_differentiable("DecodeRaw")


def decode_raw(input_bytes=None, out_type=None, little_endian=True, name=None, bytes=None):  # noqa: A002
    """``tf.decode_raw``: reinterprets each string's bytes as a vector of `out_type` numbers."""
    if (input_bytes is None) == (bytes is None):
        raise ValueError("Exactly one of `input_bytes` and `bytes` must be given")
    out_type = dtypes.as_dtype(out_type)
    if out_type.name not in _DECODE_RAW_TYPES:
        raise TypeError(f"Value passed to parameter 'out_type' has DataType {out_type.name} not in list of "
                        f"allowed values: {', '.join(_DECODE_RAW_TYPES)}")
    value = input_bytes if bytes is None else bytes
    with ops.name_scope(name, "DecodeRaw", [value]) as scope:
        value = ops.convert_to_tensor(value, dtype=dtypes.string, name="bytes")
        return make_tensor("DecodeRaw", [value], name=scope,
                           attrs={"out_type": out_type, "little_endian": bool(little_endian)})


# --- DecodeCSV ------------------------------------------------------------------------------------
_CSV_TYPES = ("float32", "float64", "int32", "int64", "string")


def _csv_fields(record, delim, quotes):
    """The fields of one CSV record, split as TF's kernel splits them (quotes, doubled quotes, its errors)."""
    fields, i, n = [], 0, len(record)
    while True:
        if quotes and i < n and record[i:i + 1] == b'"':
            field, i = bytearray(), i + 1
            while True:
                if i >= n:
                    raise errors.InvalidArgumentError(
                        None, None, "Quoted field has to end with quote followed by delim or end")
                if record[i:i + 1] == b'"':
                    if record[i + 1:i + 2] == b'"':  # a doubled quote is one quote
                        field += b'"'
                        i += 2
                        continue
                    i += 1
                    break
                field += record[i:i + 1]
                i += 1
            if i < n and record[i:i + 1] != delim:
                raise errors.InvalidArgumentError(
                    None, None, "Quoted field has to end with quote followed by delim or end")
            fields.append(bytes(field))
        else:
            end = record.find(delim, i)
            end = n if end < 0 else end
            field = record[i:end]
            if quotes and b'"' in field:
                raise errors.InvalidArgumentError(
                    None, None, "Unquoted fields cannot have quotes/CRLFs inside")
            fields.append(field)
            i = end
        if i >= n:
            return fields
        i += len(delim)  # past the delimiter; a record ending in one has an empty last field
        if i >= n:
            fields.append(b"")
            return fields


def _csv_value(field, dtype, column, row):
    if dtype == dtypes.string:
        return field
    text = field.decode("utf-8", "replace")
    try:
        if text.strip() != text:  # TF's number parsing takes no surrounding spaces
            raise ValueError(text)
        if dtype in (dtypes.int32, dtypes.int64):
            value = int(text)
            info = np.iinfo(dtype.as_numpy_dtype)
            if not info.min <= value <= info.max:
                raise ValueError(text)
            return value
        return float(text)
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"Field {column} in record {row} is not a valid {dtypes.c_name(dtype)}: {text}"
        ) from None


def _compile_decode_csv(op, runtime):
    out_types = op.get_attr("OUT_TYPE")
    delim = op.get_attr("field_delim")
    delim = delim.encode() if isinstance(delim, str) else bytes(delim)
    quotes = bool(op.get_attr("use_quote_delim"))
    na_value = op.get_attr("na_value")
    na_value = na_value.encode() if isinstance(na_value, str) else bytes(na_value)
    select = list(op.get_attr("select_cols") or [])

    def kernel(records, *defaults):
        records = np.asarray(records, dtype=object)
        flat = [_bytes(r) for r in records.reshape(-1)]
        columns = [[] for _ in out_types]
        for row, record in enumerate(flat):
            fields = _csv_fields(record, delim, quotes)
            if select:
                if select[-1] >= len(fields):
                    raise errors.InvalidArgumentError(
                        None, None, f"Expect {len(out_types)} fields but have {len(fields)} in record {row}")
                fields = [fields[c] for c in select]
            if len(fields) != len(out_types):
                raise errors.InvalidArgumentError(
                    None, None, f"Expect {len(out_types)} fields but have {len(fields)} in record {row}")
            for column, (field, dtype, default) in enumerate(zip(fields, out_types, defaults, strict=True)):
                if field == b"" or field == na_value:
                    if np.size(default) == 0:
                        raise errors.InvalidArgumentError(
                            None, None, f"Field {column} is required but missing in record {row}!")
                    columns[column].append(np.reshape(default, -1)[0])
                else:
                    columns[column].append(_csv_value(field, dtype, column, row))
        outputs = [np.array(values, dtype=object if dtype == dtypes.string else dtype.as_numpy_dtype)
                   .reshape(records.shape) for values, dtype in zip(columns, out_types, strict=True)]
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    return kernel


registry.register_op(
    "DecodeCSV", compile=_compile_decode_csv,
    infer=lambda op: [(dtype, op.inputs[0].shape) for dtype in op.get_attr("OUT_TYPE")],
    attrs={"field_delim": ",", "use_quote_delim": True, "na_value": "", "select_cols": []},
)


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None, na_value="",
               select_cols=None):
    """``tf.decode_csv``: one Tensor per column of CSV `records`, typed by `record_defaults` (each a list
    of one default value, or empty for a required column)."""
    if select_cols is not None and any(a >= b for a, b in zip(select_cols, select_cols[1:], strict=False)):
        raise ValueError("select_cols is not strictly increasing.")
    if select_cols is not None and select_cols and select_cols[0] < 0:
        raise ValueError("select_cols contains negative values.")
    if select_cols is not None and len(select_cols) != len(record_defaults):
        raise ValueError("Length of select_cols and record_defaults do not match.")
    with ops.name_scope(name, "DecodeCSV", [records]) as scope:
        records = ops.convert_to_tensor(records, dtype=dtypes.string, name="records")
        defaults = [d if isinstance(d, ops.Tensor) else ops.convert_to_tensor(d, name=f"record_defaults_{i}")
                    for i, d in enumerate(record_defaults)]
        for d in defaults:
            if d.dtype.base_dtype.name not in _CSV_TYPES:
                allowed = ", ".join(_CSV_TYPES)
                raise TypeError("Value passed to parameter 'record_defaults' has DataType "
                                f"{d.dtype.base_dtype.name} not in list of allowed values: {allowed}")
        op = make_op("DecodeCSV", [records, *defaults], name=scope, attrs={
            "OUT_TYPE": [d.dtype.base_dtype for d in defaults], "field_delim": field_delim,
            "use_quote_delim": bool(use_quote_delim), "na_value": na_value,
            "select_cols": list(select_cols or [])})
    return list(op.outputs)


# --- ParseSequenceExampleV2 -----------------------------------------------------------------------
class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """``tf.io.FixedLenSequenceFeature(shape, dtype, allow_missing=False, default_value=None)``: a feature
    list of a SequenceExample whose every step holds a fixed number of values (dense: [steps, *shape])."""

    __slots__ = ()

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


def _infer_parse_sequence(op):
    context = list(zip(op.get_attr("Tcontext_dense"), op.get_attr("context_dense_shapes"), strict=True))
    types, shapes = op.get_attr("feature_list_dense_types"), op.get_attr("feature_list_dense_shapes")
    lists = [(dtype, _ts.TensorShape([None]).concatenate(shape))
             for dtype, shape in zip(types, shapes, strict=True)]
    lengths = [(dtypes.int64, _ts.TensorShape([]))] * len(lists)
    context_sparse = sparse_output_specs(1, op.get_attr("context_sparse_types"))  # [position]
    list_sparse = sparse_output_specs(2, op.get_attr("feature_list_sparse_types"))  # [step, position]
    return context_sparse + context + list_sparse + lists + lengths


def _compile_parse_sequence(op, runtime):
    context_types = op.get_attr("Tcontext_dense")
    context_shapes = [tuple(s._as_tuple()) for s in op.get_attr("context_dense_shapes")]
    list_types = op.get_attr("feature_list_dense_types")
    list_shapes = [tuple(s._as_tuple()) for s in op.get_attr("feature_list_dense_shapes")]
    context_sparse_types = op.get_attr("context_sparse_types")
    list_sparse_types = op.get_attr("feature_list_sparse_types")

    def sparse_triples(rows_per_key, types, single):
        triples = [batch_sparse(rows, dtype, single) for rows, dtype in zip(rows_per_key, types, strict=True)]
        return [t[0] for t in triples] + [t[1] for t in triples] + [t[2] for t in triples]

    def kernel(serialized, debug_name, context_sparse, context_keys, context_ragged, list_sparse, list_keys,
               list_ragged, missing_ok, *defaults):
        try:
            example = example_pb2.SequenceExample.FromString(_bytes(serialized))
        except DecodeError:
            example = example_pb2.SequenceExample()
        context = example.context.feature
        outputs = [_dense_value(context, _bytes(key).decode(), dtype, shape, default, True, 0)
                   for key, dtype, shape, default in zip(np.reshape(context_keys, -1), context_types,
                                                         context_shapes, defaults, strict=True)]
        context_rows = []
        for key, dtype in zip(np.reshape(context_sparse, -1), context_sparse_types, strict=True):
            key = _bytes(key).decode()
            context_rows.append([sparse_feature_values(context, key, dtype, f"Key: {key}.")])
        step_rows = []
        for key, dtype in zip(np.reshape(list_sparse, -1), list_sparse_types, strict=True):
            key = _bytes(key).decode()
            steps = example.feature_lists.feature_list.get(key)
            steps = [] if steps is None else steps.feature
            where = f"Key: {key}."
            step_rows.append([sparse_feature_values({key: step}, key, dtype, where) for step in steps])
        outputs = sparse_triples(context_rows, context_sparse_types, True) + outputs
        outputs += sparse_triples(step_rows, list_sparse_types, False)
        lengths = []
        for key, dtype, shape, allowed in zip(np.reshape(list_keys, -1), list_types, list_shapes,
                                              np.reshape(missing_ok, -1), strict=True):
            key = _bytes(key).decode()
            steps = example.feature_lists.feature_list.get(key)
            if steps is None:
                if not allowed:
                    raise errors.InvalidArgumentError(
                        None, None, f"Name: <unknown>, Feature list '{key}' is required but could not be "
                        "found.  Did you mean to include it in feature_list_dense_missing_assumed_empty or "
                        "feature_list_dense_defaults?")
                steps = []
            else:
                steps = steps.feature
            values = [_dense_value({key: step}, key, dtype, shape, None, True, 0) for step in steps]
            empty = _empty_batch(dtype, 0, shape)
            outputs.append(np.stack(values) if values else empty)
            lengths.append(np.int64(len(values)))
        return tuple(outputs + lengths)

    return kernel


registry.register_op(
    "ParseSequenceExampleV2", infer=_infer_parse_sequence, compile=_compile_parse_sequence,
    attrs={name: [] for name in ("context_sparse_types", "context_ragged_value_types",
                                 "context_ragged_split_types", "feature_list_sparse_types",
                                 "feature_list_ragged_value_types", "feature_list_ragged_split_types")}
    | {"Ncontext_sparse": 0, "Nfeature_list_sparse": 0},
)


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
                                  example_name=None, name=None):
    """``tf.io.parse_single_sequence_example``: (context dict, feature-list dict) from one serialized
    SequenceExample; context features are FixedLenFeatures (Tensors) or VarLenFeatures (SparseTensors
    [position]), feature lists FixedLenSequenceFeatures ([steps, *shape]) or VarLenFeatures (SparseTensors
    [step, position])."""
    context_features = dict(context_features or {})
    sequence_features = dict(sequence_features or {})
    if not context_features and not sequence_features:
        raise ValueError("Must provide at least one context_feature or sequence_feature.")
    if context_features:
        _check_features(context_features, sparse_kinds=(VarLenFeature,))
    for key, feature in sequence_features.items():
        if isinstance(feature, VarLenFeature):
            continue
        if not isinstance(feature, FixedLenSequenceFeature):
            raise ValueError(f"Unsupported {type(feature).__name__} {feature}.")
        if feature.default_value is not None:
            raise ValueError(f"engine does not take a default_value for the feature list {key} yet")
    context_sparse, context_sparse_types = sparse_keys_of(context_features)
    list_sparse, list_sparse_types = sparse_keys_of(sequence_features)
    context_keys = sorted(k for k in context_features if k not in context_sparse)
    list_keys = sorted(k for k in sequence_features if k not in list_sparse)
    with ops.name_scope(name, "ParseSingleSequenceExample", [serialized, example_name]):
        serialized = ops.convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if serialized.shape.ndims not in (None, 0):
            raise ValueError("Input serialized must be a scalar")
        with ops.name_scope(None, "ParseSequenceExample"):
            defaults = [_dense_default(key, context_features[key]) for key in context_keys]
            with ops.name_scope(None, "ParseSequenceExampleV2") as scope:
                def strings(values, arg):
                    return constant_op.constant(values, dtype=dtypes.string, name=arg)

                inputs = [
                    serialized, strings(example_name or "", "debug_name"),
                    strings(context_sparse, "context_sparse_keys"),
                    strings(context_keys, "context_dense_keys"), strings([], "context_ragged_keys"),
                    strings(list_sparse, "feature_list_sparse_keys"),
                    strings(list_keys, "feature_list_dense_keys"),
                    strings([], "feature_list_ragged_keys"),
                    constant_op.constant([bool(sequence_features[k].allow_missing) for k in list_keys],
                                         dtype=dtypes.bool, name="feature_list_dense_missing_assumed_empty"),
                    *defaults]
                lists = [sequence_features[k] for k in list_keys]
                op = make_op("ParseSequenceExampleV2", inputs, name=scope, attrs={
                    "Tcontext_dense": [dtypes.as_dtype(context_features[k].dtype) for k in context_keys],
                    "context_dense_shapes": [_ts.as_shape(context_features[k].shape) for k in context_keys],
                    "feature_list_dense_types": [dtypes.as_dtype(f.dtype) for f in lists],
                    "feature_list_dense_shapes": [_ts.as_shape(f.shape) for f in lists],
                    "Nfeature_list_dense": len(list_keys), "Ncontext_sparse": len(context_sparse),
                    "Nfeature_list_sparse": len(list_sparse), "context_sparse_types": context_sparse_types,
                    "context_ragged_value_types": [], "context_ragged_split_types": [],
                    "feature_list_sparse_types": list_sparse_types,
                    "feature_list_ragged_value_types": [], "feature_list_ragged_split_types": []})
        outs = list(op.outputs)  # SparseTensors made in the ParseSequenceExample scope, as in TF

        def take(count):
            taken = outs[:count]
            del outs[:count]
            return taken

        def sparse_tensors(keys):
            n = len(keys)
            parts = take(3 * n)
            return {key: SparseTensor(parts[i], parts[n + i], parts[2 * n + i])
                    for i, key in enumerate(keys)}

        context = sparse_tensors(context_sparse)
        context |= dict(zip(context_keys, take(len(context_keys)), strict=True))
        lists = sparse_tensors(list_sparse) | dict(zip(list_keys, take(len(list_keys)), strict=True))
    return context, lists
