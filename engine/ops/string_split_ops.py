"""Splitting strings into SparseTensors of tokens: StringSplit (``tf.string_split``: any byte of the
delimiter splits, empty tokens skipped by default) and StringSplitV2 (TF1's ``tf.strings.split``:
Python's ``str.split`` rules, whitespace runs when `sep` is empty, at most `maxsplit` splits). Row i of the
result holds the tokens of string i; the dense shape is [rows, most tokens]. Kernels, shape rules,
registrations and wrappers; `result_type='RaggedTensor'` gives the rows as a RaggedTensor (engine/ragged/),
as TF's ragged_string_ops build them. No gradients."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry
from engine.framework.registry import register_not_differentiable
from engine.framework.sparse_tensor import SparseTensor
from engine.ops import array_ops
from engine.ops.op_util import dims, make_op, shape_error, shape_str
from engine.ops.sparse_ops.common import sparse_outputs
from engine.ops.string_ops import _strings
from engine.ragged.ragged_tensor import RaggedTensor, convert_to_tensor_or_ragged_tensor

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
    if result_type not in ("RaggedTensor", "SparseTensor"):
        raise ValueError("result_type must be 'RaggedTensor' or 'SparseTensor'.")


def _ragged_rows(sparse):
    """The rows of a split's SparseTensor as a RaggedTensor (TF's from_value_rowids of its first index
    column, unchecked)."""
    return RaggedTensor.from_value_rowids(values=sparse.values, value_rowids=sparse.indices[:, 0],
                                          nrows=sparse.dense_shape[0], validate=False)


def _sparse_split(source, sep, skip_empty, delimiter):
    """StringSplit's SparseTensor (TF's string_ops.string_split)."""
    if sep is not None and delimiter is not None:
        raise ValueError("Cannot specify both 'sep' and 'delimiter'")
    sep = delimiter if sep is None else sep
    sep = ops.convert_to_tensor(" " if sep is None else sep, dtype=dtypes.string)
    source = ops.convert_to_tensor(source, dtype=dtypes.string)
    op = make_op("StringSplit", [source, sep], attrs={"skip_empty": bool(skip_empty)})
    return SparseTensor(*op.outputs)


def string_split(source, sep=None, skip_empty=True, delimiter=None, result_type="SparseTensor", name=None):
    """``tf.string_split``: each string of 1-D `source` split at every byte of `sep` (a space by
    default; each byte when empty), empty tokens dropped unless `skip_empty` is False; a SparseTensor of
    the tokens, or their rows as a RaggedTensor."""
    with ops.name_scope(name, "StringSplit", [source]):
        sparse = _sparse_split(source, sep, skip_empty, delimiter)
        if result_type == "SparseTensor":
            return sparse
        _check_result_type(result_type)
        return _ragged_rows(sparse)


def _sparse_split_v2(input, sep, maxsplit):  # noqa: A002
    """StringSplitV2 of a vector, as a SparseTensor (TF's string_ops.string_split_v2)."""
    sep = ops.convert_to_tensor("" if sep is None else sep, dtype=dtypes.string)
    return SparseTensor(*make_op("StringSplitV2", [input, sep], attrs={"maxsplit": int(maxsplit)}).outputs)


def ragged_split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """TF's ragged string_split_v2: the tokens of each string as one more ragged dimension of `input`
    (a Tensor of rank >= 1, or a RaggedTensor)."""
    with ops.name_scope(name, "StringSplit", [input]):
        input = convert_to_tensor_or_ragged_tensor(input, dtype=dtypes.string, name="input")  # noqa: A001
        if isinstance(input, RaggedTensor):
            return input.with_flat_values(ragged_split(input.flat_values, sep, maxsplit))
        rank = input.shape.ndims
        if rank == 1 or rank is None:
            return _ragged_rows(_sparse_split_v2(input, sep, maxsplit))
        return ragged_split(RaggedTensor.from_tensor(input), sep, maxsplit)


def strings_split(input=None, sep=None, maxsplit=-1, result_type="SparseTensor", source=None, name=None):  # noqa: A002
    """TF1's ``tf.strings.split``: each string of `input` split as Python's ``str.split(sep, maxsplit)``
    does (whitespace runs when `sep` is None or empty). A scalar counts as one row; an input of rank 2 or
    more (or a RaggedTensor) is split row by row, the result one rank higher: a SparseTensor, or a
    RaggedTensor with ``result_type='RaggedTensor'``."""
    if input is not None and source is not None:
        raise ValueError("Cannot specify both 'input' and 'source'")
    input = source if input is None else input  # noqa: A001
    with ops.name_scope(name, "StringSplit", [input]):
        input = convert_to_tensor_or_ragged_tensor(input, dtype=dtypes.string, name="input")  # noqa: A001
        if input.shape.ndims == 0:
            input = array_ops.expand_dims(input, 0)  # noqa: A001
        if result_type == "SparseTensor":
            if input.shape.ndims == 1 and isinstance(input, ops.Tensor):
                return _sparse_split_v2(input, sep, maxsplit)
            return ragged_split(input, sep=sep, maxsplit=maxsplit).to_sparse()
        _check_result_type(result_type)
        return ragged_split(input, sep=sep, maxsplit=maxsplit)


def bytes_split(input, name=None):  # noqa: A002
    """``tf.strings.bytes_split``: each string cut into its bytes, one more ragged dimension (a StringSplit
    with an empty delimiter, as TF builds it)."""
    with ops.name_scope(name, "StringsByteSplit", [input]):
        input = convert_to_tensor_or_ragged_tensor(input, name="input")  # noqa: A001
        if isinstance(input, RaggedTensor):
            return input.with_flat_values(bytes_split(input.flat_values))
        rank = input.shape.ndims
        if rank is None:
            raise ValueError("input must have a statically-known rank.")
        if rank == 0:
            return _ragged_rows(_sparse_split(array_ops.stack([input]), "", False, None))[0]
        if rank == 1:
            return _ragged_rows(_sparse_split(input, "", False, None))
        return bytes_split(RaggedTensor.from_tensor(input))
