"""String tensors: StringJoin, ReduceJoin, UnsortedSegmentJoin, Substr, StringLength, StringLower,
StringUpper, StringStrip, (Static)RegexReplace and (Static)RegexFullMatch (RE2, through google-re2, as
TF), AsString, StringToNumber, StringToHashBucketFast / Strong (FarmHash and SipHash, TF's hashes):
kernels on numpy object arrays of bytes, shape rules, registrations and the ``tf.strings`` / TF1
wrappers. TF gives none of them a gradient (some are marked not differentiable, as there)."""

from __future__ import annotations

import struct

import farmhash
import numpy as np
import re2
import siphashc

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_not_differentiable
from engine.ops import array_ops, math_ops
from engine.ops.op_util import broadcast_dims, dims, infer_same, make_tensor, shape, shape_error


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _strings(x):
    """An object array of bytes (what string tensors hold at run time)."""
    x = np.asarray(x, dtype=object)
    return (
        np.vectorize(lambda v: v.encode() if isinstance(v, str) else bytes(v), otypes=[object])(x)
        if x.size
        else x
    )


def _each(fn, *arrays, otype=object):
    """fn applied elementwise over broadcast arrays, into an array of `otype`."""
    return (
        np.vectorize(fn, otypes=[otype])(*arrays)
        if all(np.size(a) for a in arrays)
        else np.zeros(np.broadcast_shapes(*(np.shape(a) for a in arrays)), otype)
    )


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _attr_text(op, name):
    return _text(op.get_attr(name))


# --- StringJoin, ReduceJoin ------------------------------------------------------------------------------


def _infer_string_join(op):
    out = ()
    for t in op.inputs:
        d = dims(t)
        if d is None:
            return [(dtypes.string, _ts.unknown_shape())]
        if d:
            out = broadcast_dims(op, out, d) if out else d
    return [(dtypes.string, shape(out))]


def _compile_string_join(op, runtime):
    separator = op.get_attr("separator") or b""
    separator = separator.encode() if isinstance(separator, str) else separator

    def kernel(*inputs):
        arrays = [_strings(x) for x in inputs]
        shapes = {a.shape for a in arrays if a.ndim}
        if len(shapes) > 1:
            raise _invalid(f"Input shapes do not match: {' vs. '.join(str(list(s)) for s in shapes)}")
        return _each(lambda *parts: separator.join(parts), *arrays)

    return kernel


registry.register_op(
    "StringJoin", infer=_infer_string_join, compile=_compile_string_join, attrs={"separator": ""}
)
register_not_differentiable("StringJoin")


def string_join(inputs, separator="", name=None):
    """``tf.string_join`` / ``tf.strings.join``: `inputs` (scalars broadcast) joined elementwise."""
    inputs = [ops.convert_to_tensor(x, dtype=dtypes.string) for x in inputs]
    return make_tensor(
        "StringJoin", inputs, name=name or "StringJoin", attrs={"N": len(inputs), "separator": separator}
    )


def _compile_reduce_join(op, runtime):
    keep_dims = bool(op.get_attr("keep_dims"))
    separator = op.get_attr("separator") or b""
    separator = separator.encode() if isinstance(separator, str) else separator

    def kernel(inputs, reduction_indices):
        x = _strings(inputs)
        axes = [int(a) for a in np.reshape(reduction_indices, -1)]
        for a in axes:
            if not -x.ndim <= a < x.ndim:
                raise _invalid(f"Invalid reduction dimension {a} for input with {x.ndim} dimensions")
        axes = [a % x.ndim for a in axes] if x.ndim else []
        for a in axes:  # each axis in the order given: its strings joined, the dimension kept as size 1
            moved = np.moveaxis(x, a, -1)
            joined = np.empty(moved.shape[:-1], object)
            for idx in np.ndindex(*joined.shape):
                joined[idx] = separator.join(moved[idx])
            x = np.expand_dims(joined, a)
        return x if keep_dims else np.squeeze(x, axis=tuple(sorted(set(axes))))

    return kernel


def _infer_reduce_join(op):
    x, axes_t = op.inputs
    d = dims(x)
    axes = tensor_util.constant_value(axes_t)
    keep = bool(op.get_attr("keep_dims"))
    if d is None or axes is None:
        return [(dtypes.string, _ts.unknown_shape())]
    axes = {int(a) % len(d) for a in np.reshape(axes, -1)} if d else set()
    return [
        (dtypes.string, shape(tuple(1 if i in axes else n for i, n in enumerate(d) if keep or i not in axes)))
    ]


registry.register_op(
    "ReduceJoin",
    infer=_infer_reduce_join,
    compile=_compile_reduce_join,
    attrs={"keep_dims": False, "separator": ""},
)
register_not_differentiable("ReduceJoin")


def reduce_join(
    inputs, axis=None, keep_dims=None, separator="", name=None, reduction_indices=None, keepdims=None
):
    """``tf.reduce_join`` / ``tf.strings.reduce_join``: strings joined across `axis` (axes joined in the
    order given; all of them, last first, by default)."""
    keep = bool(keepdims if keepdims is not None else keep_dims)
    axis = reduction_indices if axis is None else axis
    inputs = ops.convert_to_tensor(inputs, dtype=dtypes.string, name="inputs")
    with ops.name_scope(name, "ReduceJoin", [inputs]):
        if axis is None:
            rank = inputs.shape.ndims
            if rank is None:
                axis = math_ops.range(array_ops.rank(inputs) - 1, -1, -1)
            else:
                axis = list(range(rank - 1, -1, -1))
        axis = ops.convert_to_tensor(axis, dtype=dtypes.int32, name="reduction_indices")
        return make_tensor(
            "ReduceJoin", [inputs, axis], name="ReduceJoin", attrs={"keep_dims": keep, "separator": separator}
        )


def _compile_unsorted_segment_join(op, runtime):
    separator = op.get_attr("separator") or b""
    separator = separator.encode() if isinstance(separator, str) else separator

    def kernel(inputs, segment_ids, num_segments):
        x, ids, n = _strings(inputs), np.asarray(segment_ids), int(num_segments)
        for i in range(ids.ndim):
            if i >= x.ndim or ids.shape[i] != x.shape[i]:
                # sic: TF names the input's rank where it means its dimension
                raise _invalid(
                    f"Segment dimension is {ids.shape[i]} while input dimension is {x.ndim} in rank {i}"
                )
        inner = x.shape[ids.ndim :]
        ids = ids.reshape(-1)
        if ((ids < 0) | (ids >= n)).any():
            raise _invalid("segment_ids are not allowed to exceed num_segments or to have negative values.")
        rows = x.reshape(ids.size, int(np.prod(inner)))
        parts: list[list[list[bytes]]] = [[[] for _ in range(rows.shape[1])] for _ in range(n)]
        for segment, row in zip(ids.tolist(), rows, strict=True):
            for j, value in enumerate(row):
                parts[segment][j].append(value)
        out = np.empty((n, rows.shape[1]), object)
        for segment in range(n):
            out[segment] = [separator.join(p) for p in parts[segment]]
        return out.reshape((n, *inner))

    return kernel


def _infer_unsorted_segment_join(op):
    x, ids = dims(op.inputs[0]), dims(op.inputs[1])
    n = tensor_util.constant_value(op.inputs[2])
    if n is not None and int(n) < 0:
        raise shape_error(
            op, f"Dimension size, given by scalar input 2, must be non-negative but is {int(n)}"
        )
    if x is None or ids is None:
        return [(dtypes.string, _ts.unknown_shape())]
    if len(ids) > len(x):
        raise shape_error(op, f"Shape must be at least rank {len(ids)} but is rank {len(x)}")
    for a, b in zip(x, ids, strict=False):
        if a is not None and b is not None and a != b:
            raise shape_error(op, f"Dimensions must be equal, but are {a} and {b}")
    return [(dtypes.string, shape((None if n is None else int(n), *x[len(ids) :])))]


registry.register_op(
    "UnsortedSegmentJoin", infer=_infer_unsorted_segment_join, compile=_compile_unsorted_segment_join,
    fresh=True, attrs={"separator": ""},
    inputs=("inputs", "segment_ids: Tindices", "num_segments: Tnumsegments"),
    allowed={"Tindices": groups.INDEX_TYPES, "Tnumsegments": groups.INDEX_TYPES},
)


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None):
    """``tf.strings.unsorted_segment_join``: the strings of each segment (`segment_ids` over the leading
    dimensions of `inputs`) joined with `separator`, in order; empty segments give ``""``."""
    with ops.name_scope(name, "UnsortedSegmentJoin", [inputs, segment_ids, num_segments]) as scope:
        inputs = ops.convert_to_tensor(inputs, dtype=dtypes.string, name="inputs")
        ids = ops.convert_to_tensor(segment_ids, name="segment_ids")
        n = ops.convert_to_tensor(num_segments, name="num_segments")
        attrs = {"separator": separator, "Tindices": ids.dtype.base_dtype, "Tnumsegments": n.dtype.base_dtype}
        return make_tensor("UnsortedSegmentJoin", [inputs, ids, n], name=scope, attrs=attrs)


# --- Substr, StringLength, StringLower / Upper, StringStrip ---------------------------------------------


def _compile_substr(op, runtime):
    utf8 = _attr_text(op, "unit") == "UTF8_CHAR"

    def kernel(inputs, pos, length):
        x = _strings(inputs)
        pos, length = np.asarray(pos), np.asarray(length)
        out = np.empty(np.broadcast_shapes(x.shape, pos.shape, length.shape), object)
        xs, ps, ls = np.broadcast_arrays(x, pos, length)
        flat = list(zip(xs.reshape(-1), ps.reshape(-1), ls.reshape(-1), strict=True))
        for i, (s, p, n) in enumerate(flat):
            units = s.decode("utf-8") if utf8 else s
            p, n = int(p), int(n)
            size = len(units)
            if p < 0:
                p += size
            if not 0 <= p <= size:
                raise _invalid(
                    f"pos {int(ps.reshape(-1)[i])} out of range for string b'{_text(s)}' at index {i}"
                )
            piece = units[p : p + max(n, 0)]
            out.reshape(-1)[i] = piece.encode("utf-8") if utf8 else piece
        return out

    return kernel


registry.register_op(
    "Substr",
    infer=lambda op: [(dtypes.string, op.inputs[0].shape)],
    compile=_compile_substr,
    attrs={"unit": "BYTE"},
    inputs=("input", "pos: T", "len: T"),
    allowed={"T": groups.INDEX_TYPES},
)


def substr(input, pos, len, name=None, unit="BYTE"):  # noqa: A002 - TF's argument names
    """``tf.substr`` / ``tf.strings.substr``: `len` bytes (or UTF-8 characters) from `pos` (negative counts
    from the end) of each string."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}")
    x = ops.convert_to_tensor(input, dtype=dtypes.string, name="input")
    pos = ops.convert_to_tensor(pos, name="pos")
    len_t = ops.convert_to_tensor(len, dtype=pos.dtype.base_dtype, name="len")
    return make_tensor(
        "Substr", [x, pos, len_t], name=name or "Substr", attrs={"T": pos.dtype.base_dtype, "unit": unit}
    )


def _compile_length(op, runtime):
    utf8 = _attr_text(op, "unit") == "UTF8_CHAR"
    return lambda x: _each(lambda s: len(s.decode("utf-8")) if utf8 else len(s), _strings(x), otype=np.int32)


registry.register_op(
    "StringLength",
    infer=lambda op: [(dtypes.int32, op.inputs[0].shape)],
    compile=_compile_length,
    attrs={"unit": "BYTE"},
)


def string_length(input, name=None, unit="BYTE"):  # noqa: A002
    """``tf.strings.length``: bytes (or UTF-8 characters) in each string."""
    x = ops.convert_to_tensor(input, dtype=dtypes.string, name="input")
    return make_tensor("StringLength", [x], name=name or "StringLength", attrs={"unit": unit})


_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER = bytes.maketrans(b"abcdefghijklmnopqrstuvwxyz", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _compile_case(op, runtime):
    """ASCII letters only by default (TF's byte-wise tolower); with encoding 'utf-8', Unicode case mapping."""
    upper, encoding = op.type == "StringUpper", _attr_text(op, "encoding")
    if encoding:
        return lambda x: _each(
            lambda s: (s.decode().upper() if upper else s.decode().lower()).encode(), _strings(x)
        )
    table = _ASCII_UPPER if upper else _ASCII_LOWER
    return lambda x: _each(lambda s: s.translate(table), _strings(x))


for _op_type in ("StringLower", "StringUpper"):
    registry.register_op(_op_type, infer=infer_same, compile=_compile_case, attrs={"encoding": ""})


def lower(input, encoding="", name=None):  # noqa: A002
    """``tf.strings.lower``: ASCII letters lower-cased (all of Unicode with ``encoding='utf-8'``)."""
    x = ops.convert_to_tensor(input, dtype=dtypes.string, name="input")
    return make_tensor("StringLower", [x], name=name or "StringLower", attrs={"encoding": encoding})


def upper(input, encoding="", name=None):  # noqa: A002
    """``tf.strings.upper``: ASCII letters upper-cased (all of Unicode with ``encoding='utf-8'``)."""
    x = ops.convert_to_tensor(input, dtype=dtypes.string, name="input")
    return make_tensor("StringUpper", [x], name=name or "StringUpper", attrs={"encoding": encoding})


registry.register_op(
    "StringStrip", infer=infer_same, kernel=lambda x: _each(lambda s: s.strip(), _strings(x))
)


def strip(input, name=None):  # noqa: A002
    """``tf.strings.strip``: leading and trailing whitespace removed."""
    x = ops.convert_to_tensor(input, dtype=dtypes.string, name="input")
    return make_tensor("StringStrip", [x], name=name or "StringStrip")


# --- regular expressions (RE2) --------------------------------------------------------------------------


def _regex(pattern):
    try:
        return re2.compile(pattern)
    except re2.error as e:
        raise _invalid(f"Invalid pattern: {_text(pattern)}, error: {e}") from None


def _replace(x, pattern, rewrite, replace_global):
    regex = _regex(pattern)
    count = 0 if replace_global else 1
    return _each(lambda s: regex.sub(rewrite, s, count=count), _strings(x))


def _full_match(x, pattern):
    regex = _regex(pattern)
    return _each(lambda s: regex.fullmatch(s) is not None, _strings(x), otype=bool)


def _compile_static_replace(op, runtime):
    pattern, rewrite = op.get_attr("pattern"), op.get_attr("rewrite")
    pattern = pattern.encode() if isinstance(pattern, str) else pattern
    rewrite = rewrite.encode() if isinstance(rewrite, str) else rewrite
    replace_global = bool(op.get_attr("replace_global"))
    return lambda x: _replace(x, pattern, rewrite, replace_global)


def _compile_replace(op, runtime):
    replace_global = bool(op.get_attr("replace_global"))
    return lambda x, pattern, rewrite: _replace(
        x,
        bytes(np.asarray(pattern, object).item()),
        bytes(np.asarray(rewrite, object).item()),
        replace_global,
    )


def _compile_static_match(op, runtime):
    pattern = op.get_attr("pattern")
    pattern = pattern.encode() if isinstance(pattern, str) else pattern
    return lambda x: _full_match(x, pattern)


def _infer_bool(op):
    return [(dtypes.bool, op.inputs[0].shape)]


registry.register_op(
    "StaticRegexReplace", infer=infer_same, compile=_compile_static_replace, attrs={"replace_global": True}
)
registry.register_op(
    "RegexReplace", infer=infer_same, compile=_compile_replace, attrs={"replace_global": True}
)
registry.register_op("StaticRegexFullMatch", infer=_infer_bool, compile=_compile_static_match)
registry.register_op(
    "RegexFullMatch",
    infer=_infer_bool,
    kernel=lambda x, pattern: _full_match(x, bytes(np.asarray(pattern, object).item())),
)
register_not_differentiable("RegexReplace")


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """``tf.regex_replace`` / ``tf.strings.regex_replace``: RE2 `pattern` matches replaced by `rewrite`
    (``\\1`` names a group); the first match only unless `replace_global`. Python-string patterns build
    StaticRegexReplace, as TF."""
    x = ops.convert_to_tensor(input, dtype=dtypes.string, name="input")
    if isinstance(pattern, (str, bytes)) and isinstance(rewrite, (str, bytes)):
        return make_tensor(
            "StaticRegexReplace",
            [x],
            name=name or "StaticRegexReplace",
            attrs={"pattern": pattern, "rewrite": rewrite, "replace_global": bool(replace_global)},
        )
    pattern = ops.convert_to_tensor(pattern, dtype=dtypes.string, name="pattern")
    rewrite = ops.convert_to_tensor(rewrite, dtype=dtypes.string, name="rewrite")
    return make_tensor(
        "RegexReplace",
        [x, pattern, rewrite],
        name=name or "RegexReplace",
        attrs={"replace_global": bool(replace_global)},
    )


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """``tf.strings.regex_full_match``: whether each whole string matches the RE2 `pattern`."""
    x = ops.convert_to_tensor(input, dtype=dtypes.string, name="input")
    if isinstance(pattern, (str, bytes)):
        return make_tensor(
            "StaticRegexFullMatch", [x], name=name or "StaticRegexFullMatch", attrs={"pattern": pattern}
        )
    pattern = ops.convert_to_tensor(pattern, dtype=dtypes.string, name="pattern")
    return make_tensor("RegexFullMatch", [x, pattern], name=name or "RegexFullMatch")


# --- AsString, StringToNumber ---------------------------------------------------------------------------

_AS_STRING_TYPES = (
    "float32",
    "float64",
    "int32",
    "uint8",
    "int16",
    "int8",
    "int64",
    "bfloat16",
    "uint16",
    "float16",
    "uint32",
    "uint64",
    "complex64",
    "complex128",
    "bool",
    "variant",
    "string",
)


def _compile_as_string(op, runtime):
    precision, width = int(op.get_attr("precision")), int(op.get_attr("width"))
    scientific, shortest = bool(op.get_attr("scientific")), bool(op.get_attr("shortest"))
    fill = _attr_text(op, "fill")
    dtype = op.inputs[0].dtype.base_dtype
    if scientific and shortest:
        raise _invalid("Cannot select both scientific and shortest notation")
    if len(fill) > 1:
        raise _invalid(f"Fill string must be one or fewer characters: {fill}")
    spec = "%" + fill + (str(width) if width > -1 else "")
    if dtype.is_floating or dtype.is_complex:
        spec += ("." + str(precision) if precision > -1 else "") + (
            "e" if scientific else "g" if shortest else "f"
        )
    elif dtype == dtypes.string:
        spec += "s"
    else:
        spec += "d"

    def one(v):
        if dtype == dtypes.bool:
            return (spec.replace("d", "s") % ("true" if v else "false")).encode()
        if dtype.is_complex:
            return f"({spec % v.real},{spec % v.imag})".encode()
        if dtype == dtypes.string:
            return (spec % _text(v)).encode()
        return (spec % v).encode()

    return lambda x: _each(one, np.asarray(x))


registry.register_op(
    "AsString",
    infer=lambda op: [(dtypes.string, op.inputs[0].shape)],
    compile=_compile_as_string,
    inputs=("input: T",),
    allowed={"T": _AS_STRING_TYPES},
    attrs={"precision": -1, "scientific": False, "shortest": False, "width": -1, "fill": ""},
)
register_not_differentiable("AsString")


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None):  # noqa: A002
    """``tf.as_string`` / ``tf.strings.as_string``: numbers formatted as printf does (``%f`` by default,
    ``%e`` if `scientific`, ``%g`` if `shortest`); booleans as ``true`` / ``false``."""
    x = ops.convert_to_tensor(input, name="input")
    return make_tensor(
        "AsString",
        [x],
        name=name or "AsString",
        attrs={
            "T": x.dtype.base_dtype,
            "precision": int(precision),
            "scientific": bool(scientific),
            "shortest": bool(shortest),
            "width": int(width),
            "fill": fill,
        },
    )


def _compile_to_number(op, runtime):
    out = dtypes.as_dtype(op.get_attr("out_type"))
    np_type = out.as_numpy_dtype

    def parse(s):
        text = _text(s)
        try:
            value = float(text) if out.is_floating else int(text.strip())
        except ValueError:
            raise _invalid(f"StringToNumberOp could not correctly convert string: {text}") from None
        if out.is_integer and not out.min <= value <= out.max:
            raise _invalid(f"StringToNumberOp could not correctly convert string: {text}")
        return value

    return lambda x: _each(parse, _strings(x), otype=np_type).astype(np_type)


registry.register_op(
    "StringToNumber",
    infer=lambda op: [(dtypes.as_dtype(op.get_attr("out_type")), op.inputs[0].shape)],
    compile=_compile_to_number,
    attrs={"out_type": dtypes.float32},
)
register_not_differentiable("StringToNumber")


def string_to_number(string_tensor, out_type=dtypes.float32, name=None):
    """``tf.string_to_number`` / ``tf.strings.to_number``: each string parsed as a number of `out_type`."""
    out_type = dtypes.as_dtype(out_type)
    if out_type.name not in ("float32", "float64", "int32", "int64", "uint32", "uint64"):
        raise TypeError(
            f"Value for attr 'out_type' of {out_type.name} is not in the list of allowed values: "
            "float, double, int32, int64, uint32, uint64"
        )
    x = ops.convert_to_tensor(string_tensor, dtype=dtypes.string, name="string_tensor")
    return make_tensor("StringToNumber", [x], name=name or "StringToNumber", attrs={"out_type": out_type})


# --- StringToHashBucketFast / Strong --------------------------------------------------------------------


def _compile_hash_bucket(op, runtime):
    buckets = int(op.get_attr("num_buckets"))
    if op.type == "StringToHashBucketFast":

        def bucket(s):  # TF's Fingerprint64 is FarmHash's
            return farmhash.fingerprint64(s) % buckets
    else:
        key = struct.pack("<QQ", *(int(k) for k in op.get_attr("key")))

        def bucket(s):  # TF's StrongKeyedHash is SipHash-2-4 keyed by the two 64-bit words
            return siphashc.siphash(key, s) % buckets

    return lambda x: _each(bucket, _strings(x), otype=np.int64).astype(np.int64)


for _op_type in ("StringToHashBucketFast", "StringToHashBucketStrong"):
    registry.register_op(
        _op_type, infer=lambda op: [(dtypes.int64, op.inputs[0].shape)], compile=_compile_hash_bucket
    )
    register_not_differentiable(_op_type)


def _check_buckets(num_buckets):
    if int(num_buckets) < 1:
        raise ValueError(f"Value for attr 'num_buckets' of {int(num_buckets)} must be at least minimum 1")
    return int(num_buckets)


def string_to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002
    """``tf.string_to_hash_bucket_fast`` / ``tf.strings.to_hash_bucket_fast``: FarmHash Fingerprint64 of each
    string modulo `num_buckets`, TF's values."""
    x = ops.convert_to_tensor(input, dtype=dtypes.string, name="input")
    return make_tensor(
        "StringToHashBucketFast",
        [x],
        name=name or "StringToHashBucketFast",
        attrs={"num_buckets": _check_buckets(num_buckets)},
    )


def string_to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    """``tf.string_to_hash_bucket_strong`` / ``tf.strings.to_hash_bucket_strong``: SipHash-2-4 of each
    string under the two-word `key`, modulo `num_buckets`, TF's values."""
    key = [int(k) for k in key]
    if len(key) != 2:
        raise ValueError(f"Key must have 2 elements, got {len(key)}")
    x = ops.convert_to_tensor(input, dtype=dtypes.string, name="input")
    return make_tensor(
        "StringToHashBucketStrong",
        [x],
        name=name or "StringToHashBucketStrong",
        attrs={"num_buckets": _check_buckets(num_buckets), "key": key},
    )


def string_format(template, inputs, placeholder="{}", summarize=3, name=None):
    """``tf.strings.format``: `template` with each `placeholder` replaced by a tensor's printed values
    (the StringFormat op ``tf.print`` builds)."""
    if isinstance(inputs, ops.Tensor) or not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    tensors = [ops.convert_to_tensor(x) for x in inputs]
    expected = template.count(placeholder)
    if expected != len(tensors):
        raise ValueError(
            f"The template expects {expected} tensors, but the inputs only has {len(tensors)}. Please "
            "ensure the number of placeholders in template matches inputs length."
        )
    return make_tensor(
        "StringFormat",
        tensors,
        name=name or "StringFormat",
        attrs={
            "T": [t.dtype.base_dtype for t in tensors],
            "template": template,
            "placeholder": placeholder,
            "summarize": int(summarize),
        },
    )
