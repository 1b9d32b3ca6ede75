"""N-grams of string sequences: StringNGrams (``tf.strings.ngrams``), TF's kernel over rows given by
row splits, with optional padding and short-sequence preservation. Dense data (the rows are the last
dimension) gives a dense result, as TF does; a RaggedTensor a RaggedTensor. Kernel, shape rule,
registration and wrapper; no gradient."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, math_ops
from engine.ops.op_util import make_op
from engine.ops.string_ops import _strings
from engine.ragged.ragged_tensor import RaggedTensor, convert_to_tensor_or_ragged_tensor


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _check_splits(splits, size):
    if not splits.size:
        return
    if splits[0] != 0:
        raise _invalid(f"First split value must be 0, got {splits[0]}")
    for prev, split in zip(splits[:-1], splits[1:], strict=True):
        if not prev <= split <= size:
            raise _invalid(f"Invalid split value {split}, must be in [{prev}, {size}]")
    if splits[-1] != size:
        raise _invalid(f"Last split value must be data size. Expected {size}, got {splits[-1]}")


def _compile_ngrams(op, runtime):
    separator, left_pad, right_pad = (op.get_attr(a) for a in ("separator", "left_pad", "right_pad"))
    separator, left_pad, right_pad = (s.encode() if isinstance(s, str) else s
                                      for s in (separator, left_pad, right_pad))
    widths = [int(w) for w in op.get_attr("ngram_widths")]
    pad_attr, preserve = int(op.get_attr("pad_width")), bool(op.get_attr("preserve_short_sequences"))

    def pad_for(width):  # never wider than width - 1; -1 asks for exactly that
        return min(width - 1 if pad_attr < 0 else pad_attr, width - 1)

    def row_ngrams(row, width, pad):
        padded = [left_pad] * pad + list(row) + [right_pad] * pad
        return [separator.join(padded[i : i + width]) for i in range(len(padded) - width + 1)]

    def kernel(data, data_splits):
        if any(w <= 0 for w in widths):
            raise _invalid("ngram_widths must contain positive values")
        flat, splits = _strings(data).reshape(-1), np.asarray(data_splits)
        _check_splits(splits, flat.size)
        out, out_splits = [], [0] * max(splits.size, 1)
        for i in range(splits.size - 1):
            row = flat[splits[i] : splits[i + 1]]
            grams = [g for w in widths for g in row_ngrams(row, w, pad_for(w))]
            if preserve and row.size and not grams:
                if pad_attr < 0:
                    raise _invalid("Pad width should be >= 0 when preserve_short_sequences is True and "
                                   f"ngram_widths are not provided, got {pad_attr}")
                grams = row_ngrams(row, row.size + 2 * pad_attr, pad_attr)
            out += grams
            out_splits[i + 1] = out_splits[i] + len(grams)
        values = np.empty(len(out), object)
        values[:] = out
        return values, np.asarray(out_splits[: splits.size], splits.dtype)

    return kernel


registry.register_op(
    "StringNGrams", compile=_compile_ngrams, fresh=True,
    infer=lambda op: [(dtypes.string, _ts.TensorShape([None])), (op.inputs[1].dtype, op.inputs[1].shape)],
    inputs=("data", "data_splits: Tsplits"), allowed={"Tsplits": groups.INDEX_TYPES},
)


def _pads(pad_values):
    if pad_values is None:
        return "", ""
    if isinstance(pad_values, (list, tuple)):
        if not all(isinstance(p, (str, bytes)) for p in pad_values[:2]):
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        return pad_values[0], pad_values[1]
    if not isinstance(pad_values, (str, bytes)):
        raise TypeError("pad_values must be a string, tuple of strings, or None.")
    return pad_values, pad_values


def _ragged_ngrams(data, widths, separator, pad_values, padding_width, preserve_short_sequences):
    """TF's path for a RaggedTensor: StringNGrams over the innermost rows (its flat values and row splits),
    the outer ragged dimensions kept."""
    if data.ragged_rank > 1:  # through ngrams again, in its own name scope, as TF recurses
        return data.with_values(
            ngrams(data.values, widths, separator, pad_values, padding_width, preserve_short_sequences))
    left_pad, right_pad = _pads(pad_values)
    pad_width = 0 if pad_values is None else -1 if padding_width is None else padding_width
    splits = data.row_splits
    grams, grams_splits = make_op("StringNGrams", [data.flat_values, splits], attrs={
        "separator": separator, "ngram_widths": [int(w) for w in widths], "left_pad": left_pad,
        "right_pad": right_pad, "pad_width": int(pad_width),
        "preserve_short_sequences": bool(preserve_short_sequences), "Tsplits": splits.dtype,
    }).outputs
    return RaggedTensor.from_row_splits(grams, grams_splits, validate=False)


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):
    """``tf.strings.ngrams``: the n-grams (joined by `separator`) of each row along the last dimension, for
    each width of `ngram_width`, rows padded with `pad_values` (`padding_width` pads a side, default
    width - 1). A dense result has `data`'s leading dimensions and one n-gram axis; a RaggedTensor `data`
    gives a RaggedTensor with one row of n-grams per innermost row."""
    with ops.name_scope(name, "StringNGrams", [data]):
        left_pad, right_pad = _pads(pad_values)
        if padding_width is not None and padding_width < 1:
            raise ValueError("padding_width must be greater than 0.")
        if padding_width is not None and pad_values is None:
            raise ValueError("pad_values must be provided if padding_width is set.")
        data = convert_to_tensor_or_ragged_tensor(data, dtype=dtypes.string, name="data")
        widths = list(ngram_width) if isinstance(ngram_width, (list, tuple)) else [ngram_width]
        if isinstance(data, RaggedTensor):
            return _ragged_ngrams(data, widths, separator, pad_values, padding_width,
                                  preserve_short_sequences)
        rank = data.shape.ndims
        if rank is None:
            raise ValueError("Rank of data must be known.")
        if rank == 0:
            raise ValueError("Data must have rank>0")
        if any(w < 1 for w in widths):
            raise ValueError(f"All ngram_widths must be greater than 0. Got {ngram_width}")
        pad_width = 0 if pad_values is None else -1 if padding_width is None else padding_width
        # Where TF builds a RaggedTensor from the dense rows, the rows here are the flat strings cut every
        # `last dimension` entries.
        shape = array_ops.shape_v1(data, out_type=dtypes.int64)
        flat = array_ops.reshape(data, [-1]) if rank > 1 else data
        splits = math_ops.range(
            array_ops.size(flat, out_type=dtypes.int64) + 1, delta=shape[-1], dtype=dtypes.int64)
        grams, _ = make_op("StringNGrams", [flat, splits], attrs={
            "separator": separator, "ngram_widths": [int(w) for w in widths], "left_pad": left_pad,
            "right_pad": right_pad, "pad_width": int(pad_width),
            "preserve_short_sequences": bool(preserve_short_sequences), "Tsplits": dtypes.int64,
        }).outputs
        if rank == 1:
            return grams
        return array_ops.reshape(grams, array_ops.concat([shape[:-1], np.array([-1], np.int64)], 0))
