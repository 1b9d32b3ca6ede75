"""Unicode text: UnicodeTranscode (``tf.strings.unicode_transcode``): each string decoded from one encoding
and written in UTF-8, UTF-16-BE or UTF-32-BE; UnicodeDecode and UnicodeDecodeWithOffsets
(``tf.strings.unicode_decode``, ``unicode_decode_with_offsets``, ``unicode_split``): each string's code
points (and the byte offset each starts at) as a RaggedTensor row; UnicodeEncode (``unicode_encode``):
rows of code points written as strings. Python's codecs stand in for TF's ICU converters; both replace an
ill-formed sequence by its maximal valid prefix, one replacement per such part (checked with TF's values).
Kernels, shape rules, registrations and wrappers (the ragged ones as TF's ragged_string_ops build them);
no gradients (TF registers none for these ops)."""

from __future__ import annotations

import codecs
import threading

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops
from engine.ops.op_util import dims, infer_same, make_op, make_tensor
from engine.ops.string_ops import _each, _strings, _text
from engine.ragged import ragged_tensor as rt

_OUTPUT_ENCODINGS = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}
_ERROR_POLICIES = ("strict", "replace", "ignore")
# A lone surrogate marks each ill-formed part while decoding: no well-formed decode yields one.
_MARK = "\ud800"
codecs.register_error("engine.unicode_mark", lambda error: (_MARK, error.end))
# While decoding with offsets, the byte length of each ill-formed part, in order (per thread).
_ERROR_SPANS = threading.local()


def _mark_and_record(error):
    _ERROR_SPANS.lengths.append(error.end - error.start)
    return _MARK, error.end


codecs.register_error("engine.unicode_record", _mark_and_record)


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _compile_transcode(op, runtime):
    input_encoding = _text(op.get_attr("input_encoding"))
    try:
        decoder = codecs.lookup(input_encoding).name
    except LookupError:
        raise _invalid(f"Could not create converter for input encoding: {input_encoding}") from None
    encoder = _OUTPUT_ENCODINGS[_text(op.get_attr("output_encoding"))]
    policy = _text(op.get_attr("errors"))
    replacement = chr(int(op.get_attr("replacement_char")))
    controls = bool(op.get_attr("replace_control_characters"))
    # C0 controls (U+0000..U+001F) become the replacement when asked; DEL stays, as in TF.
    table = {c: replacement for c in range(0x20)} if controls else {}

    def transcode(data):
        text = data.decode(decoder, "engine.unicode_mark")
        if _MARK in text:
            if policy == "strict":
                raise _invalid("Invalid formatting on input string")
            text = text.replace(_MARK, replacement if policy == "replace" else "")
        # surrogatepass writes a replacement_char TF accepts without checking (a surrogate) as it does.
        return text.translate(table).encode(encoder, "surrogatepass")

    return lambda x: _each(transcode, _strings(x))


registry.register_op(
    "UnicodeTranscode", infer=infer_same, compile=_compile_transcode, fresh=True,
    attrs={"errors": "replace", "replacement_char": 65533, "replace_control_characters": False},
)


def _check_choice(attr, value, choices, op_type="UnicodeTranscode"):
    if value not in choices:
        allowed = ", ".join(f'"{c}"' for c in choices)
        raise ValueError(f"Attr '{attr}' of '{op_type}' Op passed string '{value}' not in: {allowed}.")


def unicode_transcode(input, input_encoding, output_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                      replace_control_characters=False, name=None):
    """``tf.strings.unicode_transcode``: each string read as `input_encoding` and written as
    `output_encoding` (UTF-8, UTF-16-BE or UTF-32-BE); ill-formed input raises (`errors='strict'`), is
    replaced by `replacement_char` (the default) or dropped (`'ignore'`)."""
    _check_choice("output_encoding", output_encoding, tuple(_OUTPUT_ENCODINGS))
    _check_choice("errors", errors, _ERROR_POLICIES)
    with ops.name_scope(name, "UnicodeTranscode", [input]) as scope:
        x = ops.convert_to_tensor(input, dtype=dtypes.string, name="input")
        return make_tensor("UnicodeTranscode", [x], name=scope, attrs={
            "input_encoding": input_encoding, "output_encoding": output_encoding, "errors": errors,
            "replacement_char": int(replacement_char),
            "replace_control_characters": bool(replace_control_characters),
        })


# --- UnicodeDecode, UnicodeDecodeWithOffsets ------------------------------------------------------------


def _decoder(op):
    input_encoding = _text(op.get_attr("input_encoding"))
    try:
        codec = codecs.lookup(input_encoding).name
    except LookupError:
        raise _invalid(f"Could not create converter for input encoding: {input_encoding}") from None
    policy = _text(op.get_attr("errors"))
    replacement = int(op.get_attr("replacement_char"))
    controls = bool(op.get_attr("replace_control_characters"))

    def decode(data):
        """(code points, byte offsets) of one string under the op's error policy."""
        _ERROR_SPANS.lengths = []
        text = data.decode(codec, "engine.unicode_record")
        bad = iter(_ERROR_SPANS.lengths)
        points, offsets, at = [], [], 0
        for char in text:
            size = next(bad) if char == _MARK else len(char.encode(codec))
            if char == _MARK:
                if policy == "strict":
                    raise _invalid("Invalid formatting on input string")
                if policy == "replace":
                    points.append(replacement)
                    offsets.append(at)
            else:
                code = ord(char)
                points.append(replacement if controls and code < 0x20 else code)
                offsets.append(at)
            at += size
        return points, offsets

    return decode


def _compile_decode(op, runtime):
    decode = _decoder(op)
    splits_dtype = dtypes.as_dtype(op.get_attr("Tsplits")).as_numpy_dtype
    with_offsets = op.type == "UnicodeDecodeWithOffsets"

    def kernel(x):
        rows = [decode(s) for s in _strings(x).reshape(-1)]
        splits = np.concatenate([[0], np.cumsum([len(p) for p, _ in rows])]).astype(splits_dtype)
        points = np.array([c for p, _ in rows for c in p], np.int32)
        if not with_offsets:
            return splits, points
        return splits, points, np.array([o for _, o in rows for o in o], np.int64)

    return kernel


def _infer_decode(op):
    d = dims(op.inputs[0])
    if d is not None and len(d) != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {len(d)}")
    n = None if d is None or d[0] is None else d[0] + 1
    outputs = [(dtypes.as_dtype(op.get_attr("Tsplits")), _ts.TensorShape([n])),
               (dtypes.int32, _ts.TensorShape([None]))]
    if op.type == "UnicodeDecodeWithOffsets":
        outputs.append((dtypes.int64, _ts.TensorShape([None])))
    return outputs


for _op_type in ("UnicodeDecode", "UnicodeDecodeWithOffsets"):
    registry.register_op(
        _op_type, infer=_infer_decode, compile=_compile_decode, fresh=True,
        attrs={"errors": "replace", "replacement_char": 65533, "replace_control_characters": False,
               "Tsplits": dtypes.int64},
    )


# --- UnicodeEncode ------------------------------------------------------------------------------------


def _compile_encode(op, runtime):
    encoder = _OUTPUT_ENCODINGS[_text(op.get_attr("output_encoding"))]
    policy = _text(op.get_attr("errors"))
    replacement = int(op.get_attr("replacement_char"))

    def char(code):
        if 0 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code)
        if policy == "strict":
            raise _invalid("Code point is out of range for Unicode, or is a surrogate.")
        return chr(replacement) if policy == "replace" else ""

    def kernel(values, splits):
        values, splits = np.asarray(values), np.asarray(splits, np.int64)
        out = np.empty(max(len(splits) - 1, 0), object)
        for i in range(len(out)):
            text = "".join(char(int(c)) for c in values[splits[i] : splits[i + 1]])
            out[i] = text.encode(encoder, "surrogatepass")
        return out

    return kernel


def _infer_encode(op):
    d = dims(op.inputs[1])
    return [(dtypes.string, _ts.TensorShape([None if d is None or d[0] is None else d[0] - 1]))]


registry.register_op(
    "UnicodeEncode", infer=_infer_encode, compile=_compile_encode, fresh=True,
    attrs={"errors": "replace", "replacement_char": 65533, "Tsplits": dtypes.int64},
    inputs=("input_values", "input_splits: Tsplits"), allowed={"Tsplits": groups.INDEX_TYPES},
)


# --- wrappers (ragged results) ---------------------------------------------------------------------------


def _unicode_decode(input, input_encoding, errors, replacement_char, replace_control_characters,  # noqa: A002
                    with_offsets):
    """TF's ragged_string_ops._unicode_decode: the flat strings decoded by one op, the rows rebuilt with
    the input's ragged (or dense) dimensions outside."""
    _check_choice("errors", errors, _ERROR_POLICIES, "UnicodeDecode")
    input = rt.convert_to_tensor_or_ragged_tensor(input, name="input")  # noqa: A001
    ndims = input.shape.ndims
    if ndims is None:
        raise ValueError("Rank of `input` must be statically known.")
    if ndims > 1:
        if not rt.is_ragged(input):
            input = rt.RaggedTensor.from_tensor(input, ragged_rank=ndims - 1)  # noqa: A001
        elif input.ragged_rank < ndims - 1:
            input = input.with_flat_values(rt.RaggedTensor.from_tensor(  # noqa: A001
                input.flat_values, ragged_rank=ndims - input.ragged_rank - 1))
    flat = array_ops.reshape(input.flat_values if rt.is_ragged(input) else input, [-1])
    outputs = make_op("UnicodeDecodeWithOffsets" if with_offsets else "UnicodeDecode", [flat], attrs={
        "input_encoding": input_encoding, "errors": errors, "replacement_char": int(replacement_char),
        "replace_control_characters": bool(replace_control_characters), "Tsplits": dtypes.int64,
    }).outputs
    splits, results = outputs[0], outputs[1:]
    if ndims != 0:
        results = [rt.RaggedTensor.from_row_splits(r, splits, validate=False) for r in results]
        if ndims > 1:
            results = [input.with_flat_values(r) for r in results]
    return tuple(results) if with_offsets else results[0]


def unicode_decode(input, input_encoding, errors="replace", replacement_char=0xFFFD,  # noqa: A002
                   replace_control_characters=False, name=None):
    """``tf.strings.unicode_decode``: each string's code points (int32), one more ragged dimension."""
    with ops.name_scope(name, "UnicodeDecode", [input]):
        return _unicode_decode(input, input_encoding, errors, replacement_char, replace_control_characters,
                               with_offsets=False)


def unicode_decode_with_offsets(input, input_encoding, errors="replace", replacement_char=0xFFFD,  # noqa: A002
                                replace_control_characters=False, name=None):
    """``tf.strings.unicode_decode_with_offsets``: the code points and the byte offset of each."""
    with ops.name_scope(name, "UnicodeDecodeWithOffsets", [input]):
        return _unicode_decode(input, input_encoding, errors, replacement_char, replace_control_characters,
                               with_offsets=True)


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533, name=None):  # noqa: A002
    """``tf.strings.unicode_encode``: each row of code points (the last dimension, ragged or dense) as a
    string in `output_encoding`; invalid code points replaced, dropped or refused by `errors`."""
    _check_choice("output_encoding", output_encoding, tuple(_OUTPUT_ENCODINGS), "UnicodeEncode")
    _check_choice("errors", errors, _ERROR_POLICIES, "UnicodeEncode")
    with ops.name_scope(name, "UnicodeEncode", [input]):
        x = rt.convert_to_tensor_or_ragged_tensor(input)
        if x.shape.ndims is None:
            raise ValueError("Rank of input_tensor must be statically known.")
        if rt.is_ragged(x):
            if x.flat_values.shape.ndims > 1:
                inner = unicode_encode(x.flat_values, output_encoding, errors, replacement_char)
                return x.with_flat_values(inner)
            if x.ragged_rank > 1:
                return x.with_values(unicode_encode(x.values, output_encoding, errors, replacement_char))
            return make_tensor("UnicodeEncode", [x.values, x.row_splits], attrs={
                "output_encoding": output_encoding, "errors": errors,
                "replacement_char": int(replacement_char), "Tsplits": x.row_splits.dtype})
        if x.shape.ndims == 2:
            return unicode_encode(rt.RaggedTensor.from_tensor(x), output_encoding, errors, replacement_char)
        if x.shape.ndims > 2:
            flat = array_ops.reshape(x, array_ops.stack([-1, array_ops.shape_v1(x)[-1]]))
            encoded = unicode_encode(flat, output_encoding, errors, replacement_char)
            return array_ops.reshape(encoded, x.shape[:-1].as_list())
        if x.shape.ndims == 0:
            raise ValueError("input_tensor's rank must be at least 1.")
        row = rt.RaggedTensor.from_row_splits(
            x, array_ops.stack([0, array_ops.shape_v1(x, out_type=dtypes.int32)[0]]), validate=False)
        return array_ops.reshape(unicode_encode(row, output_encoding, errors, replacement_char), [])


def _expand_last_dim(value):
    """TF's ragged expand_dims(rt, -1): a unit dimension after the flat values' last."""
    with ops.name_scope(None, "RaggedExpandDims", [value]):
        if not rt.is_ragged(value):
            return array_ops.expand_dims(value, -1)
        return value.with_flat_values(array_ops.expand_dims(value.flat_values, -1))


def unicode_split(input, input_encoding, errors="replace", replacement_char=0xFFFD, name=None):  # noqa: A002
    """``tf.strings.unicode_split``: each string cut into its characters (strings), one more ragged
    dimension."""
    with ops.name_scope(name, "UnicodeSplit", [input]):
        codepoints = _unicode_decode(input, input_encoding, errors, replacement_char, False,
                                     with_offsets=False)
        return unicode_encode(_expand_last_dim(codepoints), output_encoding=input_encoding, errors=errors,
                              replacement_char=replacement_char)


def unicode_split_with_offsets(input, input_encoding, errors="replace", replacement_char=0xFFFD,  # noqa: A002
                               name=None):
    """``tf.strings.unicode_split_with_offsets``: the characters and the byte offset of each."""
    with ops.name_scope(name, "UnicodeSplitWithOffsets", [input]):
        codepoints, offsets = _unicode_decode(input, input_encoding, errors, replacement_char, False,
                                              with_offsets=True)
        chars = unicode_encode(_expand_last_dim(codepoints), output_encoding=input_encoding, errors=errors,
                               replacement_char=replacement_char)
        return chars, offsets
