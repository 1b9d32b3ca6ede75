"""Splitting strings into SparseTensors of tokens: StringSplit (``tf.string_split``: any byte of the
delimiter splits, empty tokens skipped by default) and StringSplitV2 (TF1's ``tf.strings.split``:
Python's ``str.split`` rules, whitespace runs when `sep` is empty, at most `maxsplit` splits). Row i of the
result holds the tokens of string i; the dense shape is [rows, most tokens]. Kernels, shape rules,
registrations and wrappers; RaggedTensor results are not part of the engine. No gradients."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry
from engine.framework.registry import register_not_differentiable
from engine.framework.sparse_tensor import SparseTensor
from engine.ops import array_ops, math_ops
from engine.ops.op_util import dims, make_op, shape_error, shape_str
from engine.ops.sparse_ops.common import sparse_outputs
from engine.ops.string_ops import _strings

# TF's str_util whitespace (C isspace in the "C" locale).
_WHITESPACE = b" \t\n\v\f\r"


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _split_any(text, delimiter, skip_empty):
    """StringSplit's rule: every byte of `delimiter` splits; an empty delimiter gives single bytes; an
    empty string has no tokens, even when empty tokens are kept."""
    if not text:
        return []
    if not delimiter:
        return [text[i : i + 1] for i in range(len(text))]
    table = bytes.maketrans(delimiter, delimiter[:1] * len(delimiter))
    parts = text.translate(table).split(delimiter[:1])
    return [p for p in parts if p] if skip_empty else parts


def _split_v2(text, sep, maxsplit):
    """StringSplitV2's rule: ``str.split(sep, maxsplit)``; with no `sep`, runs of whitespace split and
    leading/trailing whitespace gives no token, except that after the `maxsplit`-th split the rest (empty
    or not) is always the last token, as TF's kernel does."""
    if maxsplit == 0:
        return [text]
    if sep:
        return text.split(sep, maxsplit if maxsplit > 0 else -1)
    tokens = []
    rest = text.lstrip(_WHITESPACE)
    while rest:
        end = next((i for i, byte in enumerate(rest) if byte in _WHITESPACE), len(rest))
        tokens.append(rest[:end])
        rest = rest[end:].lstrip(_WHITESPACE)
        if 0 < maxsplit == len(tokens):
            tokens.append(rest)
            break
    return tokens


def _sparse_tokens(rows):
    """(indices, values, dense_shape) of one token list per row."""
    counts = [len(r) for r in rows]
    indices = np.zeros((sum(counts), 2), np.int64)
    indices[:, 0] = np.repeat(np.arange(len(rows)), counts)
    indices[:, 1] = np.concatenate([np.arange(n) for n in counts]) if rows else []
    values = np.empty(sum(counts), object)
    values[:] = [token for r in rows for token in r]
    return indices, values, np.array([len(rows), max(counts, default=0)], np.int64)


def _vector_input(x):
    x = _strings(x)
    if x.ndim != 1:
        raise _invalid(f"input must be a vector, got shape: {shape_str(x.shape)}")
    return x


def _scalar_text(value, what):
    value = np.asarray(value, object)
    if value.ndim != 0:
        raise _invalid(f"{what} must be a scalar, got shape: {shape_str(value.shape)}")
    return _strings(value).item()


def _compile_split(op, runtime):
    if op.type == "StringSplit":
        skip_empty, what = bool(op.get_attr("skip_empty")), "delimiter"

        def split(text, sep):
            return _split_any(text, sep, skip_empty)
    else:
        maxsplit, what = int(op.get_attr("maxsplit")), "sep"

        def split(text, sep):
            return _split_v2(text, sep, maxsplit)

    def kernel(inputs, sep):
        x, sep = _vector_input(inputs), _scalar_text(sep, what)
        return _sparse_tokens([split(s, sep) for s in x])

    return kernel


def _infer_split(op):
    x, sep = (dims(t) for t in op.inputs)
    if x is not None and len(x) != 1:
        raise shape_error(op, f"Shape must be rank 1 but is rank {len(x)}")
    if sep is not None and len(sep) != 0:
        raise shape_error(op, f"Shape must be rank 0 but is rank {len(sep)}")
    return sparse_outputs(dtypes.string, 2)


registry.register_op(
    "StringSplit", infer=_infer_split, compile=_compile_split, fresh=True,
    attrs={"skip_empty": True},
)
registry.register_op(
    "StringSplitV2", infer=_infer_split, compile=_compile_split, fresh=True, attrs={"maxsplit": -1}
)
register_not_differentiable("StringSplit")  # TF marks StringSplit only; StringSplitV2 has no entry


def _check_result_type(result_type):
    if result_type == "RaggedTensor":
        raise ValueError("result_type 'RaggedTensor' needs tf.RaggedTensor, which the engine does not have; "
                         "use result_type='SparseTensor'.")
    if result_type != "SparseTensor":
        raise ValueError("result_type must be 'RaggedTensor' or 'SparseTensor'.")


def string_split(source, sep=None, skip_empty=True, delimiter=None, result_type="SparseTensor", name=None):
    """``tf.string_split``: each string of 1-D `source` split at every byte of `sep` (a space by
    default; each byte when empty), empty tokens dropped unless `skip_empty` is False."""
    if sep is not None and delimiter is not None:
        raise ValueError("Cannot specify both 'sep' and 'delimiter'")
    sep = delimiter if sep is None else sep
    _check_result_type(result_type)
    with ops.name_scope(name, "StringSplit", [source]):
        sep = ops.convert_to_tensor(" " if sep is None else sep, dtype=dtypes.string)
        source = ops.convert_to_tensor(source, dtype=dtypes.string)
        op = make_op("StringSplit", [source, sep], attrs={"skip_empty": bool(skip_empty)})
        return SparseTensor(*op.outputs)


def strings_split(input=None, sep=None, maxsplit=-1, result_type="SparseTensor", source=None, name=None):  # noqa: A002
    """TF1's ``tf.strings.split``: each string of `input` split as Python's ``str.split(sep, maxsplit)``
    does (whitespace runs when `sep` is None or empty). A scalar counts as one row; an input of rank 2 or
    more is split row by row, its SparseTensor one rank higher."""
    if input is not None and source is not None:
        raise ValueError("Cannot specify both 'input' and 'source'")
    input = source if input is None else input  # noqa: A001
    _check_result_type(result_type)
    with ops.name_scope(name, "StringSplit", [input]):
        input = ops.convert_to_tensor(input, dtype=dtypes.string, name="input")  # noqa: A001
        rank = input.shape.ndims
        if rank == 0:
            input = array_ops.expand_dims(input, 0)  # noqa: A001
        sep = ops.convert_to_tensor("" if sep is None else sep, dtype=dtypes.string)
        flat = input if rank in (0, 1) else array_ops.reshape(input, [-1])
        indices, values, dense_shape = make_op(
            "StringSplitV2", [flat, sep], attrs={"maxsplit": int(maxsplit)}
        ).outputs
        if rank in (0, 1):
            return SparseTensor(indices, values, dense_shape)
        # TF builds a RaggedTensor here and converts it; the same SparseTensor from the flat split: each
        # flat row number becomes its index in `input`'s shape.
        outer = array_ops.shape_v1(input, out_type=dtypes.int64)
        strides = math_ops.cumprod(outer, exclusive=True, reverse=True)
        rows = math_ops.floormod(math_ops.floordiv(indices[:, :1], strides), outer)
        indices = array_ops.concat([rows, indices[:, 1:]], 1)
        return SparseTensor(indices, values, array_ops.concat([outer, dense_shape[1:]], 0))
