"""How a RaggedTensor's outermost dimension cuts its values into rows: TF's RowPartition, held as the row
splits plus whichever other encoding it was built from (row lengths, value row ids, nrows), so that asking
for that encoding again returns the tensor given rather than a new computation, as in TF.

The factories build TF's graph in TF's name scopes (``RowPartitionFromRowSplits``, ...): the same
conversions, the same ``validate`` assertions (their messages are TF's) through ``with_dependencies``."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops, tensor_util
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, check_ops, control_flow_ops, math_ops
from engine.ops.constant_op import constant
from engine.ops.counting_ops import bincount
from engine.ragged.segment_id_ops import row_splits_to_segment_ids


def convert_partition(partition, name, dtype=None, dtype_hint=None):
    """A row-partitioning tensor (splits, lengths, ids, ...) of dtype int32 or int64: `dtype` if given,
    else the tensor's own, else `dtype_hint` (int64 by default) for Python values; an int32 numpy array
    stays int32."""
    if dtype_hint is None:
        dtype_hint = dtypes.int64
    if isinstance(partition, np.ndarray) and partition.dtype == np.int32 and dtype is None:
        partition = ops.convert_to_tensor(partition, name=name)
    else:
        partition = ops.convert_to_tensor(partition, dtype=dtype, name=name, preferred_dtype=dtype_hint)
    if partition.dtype not in (dtypes.int32, dtypes.int64):
        raise ValueError(f"{name} must have dtype int32 or int64")
    return partition


def _assert_monotonic_increasing(tensor, message):
    return check_ops.assert_non_negative(tensor[1:] - tensor[:-1], message=message)


def _assert_zero(tensor, message):
    return check_ops.assert_equal(tensor, constant(0, dtype=tensor.dtype), message=message)


def _validated(tensor, validate, checks):
    """`tensor` behind the assertions `checks()` builds when `validate` (TF's with_dependencies)."""
    return control_flow_ops.with_dependencies(checks(), tensor) if validate else tensor


def _vector(value, name, dtype, dtype_hint):
    """A 1-D row-partitioning tensor (`convert_partition`, rank checked statically)."""
    value = convert_partition(value, name, dtype, dtype_hint)
    value.shape.assert_has_rank(1)
    return value


def _check_validate(validate):
    if not isinstance(validate, bool):
        raise TypeError("validate must have type bool")


class RowPartition:
    """The row splits of one ragged dimension (int32 or int64, [nrows + 1]) and the encodings it was
    built from. Made by the ``from_*`` class methods only."""

    def __init__(
        self, row_splits, row_lengths=None, value_rowids=None, nrows=None, nvals=None, uniform_row_length=None
    ):
        self._row_splits = row_splits
        self._row_lengths = row_lengths
        self._value_rowids = value_rowids
        self._nrows = nrows
        self._nvals = nvals
        self._uniform_row_length = uniform_row_length

    @classmethod
    def from_row_splits(cls, row_splits, validate=True, dtype=None, dtype_hint=None):
        _check_validate(validate)
        if isinstance(row_splits, (list, tuple)) and not row_splits:
            raise ValueError("row_splits tensor may not be empty.")
        with ops.name_scope(None, "RowPartitionFromRowSplits", [row_splits]):
            splits = _vector(row_splits, "row_splits", dtype, dtype_hint)
            msg = "Arguments to from_row_splits do not form a valid RaggedTensor:"
            return cls(
                _validated(
                    splits,
                    validate,
                    lambda: [
                        check_ops.assert_rank(splits, 1, message=msg + "rank"),
                        _assert_zero(splits[0], message=msg + "zero"),
                        _assert_monotonic_increasing(splits, message=msg + "monotonic"),
                    ],
                )
            )

    @classmethod
    def from_row_lengths(cls, row_lengths, validate=True, dtype=None, dtype_hint=None):
        _check_validate(validate)
        with ops.name_scope(None, "RowPartitionFromRowLengths", [row_lengths]):
            lengths = _vector(row_lengths, "row_lengths", dtype, dtype_hint)
            msg = "Arguments to from_row_lengths do not form a valid RowPartition"
            row_lengths = _validated(
                lengths,
                validate,
                lambda: [
                    check_ops.assert_rank(lengths, 1, message=msg),
                    check_ops.assert_non_negative(lengths, message=msg),
                ],
            )
            row_splits = array_ops.concat([[0], math_ops.cumsum(row_lengths)], axis=0)
            return cls(row_splits, row_lengths=row_lengths)

    @classmethod
    def from_value_rowids(cls, value_rowids, nrows=None, validate=True, dtype=None, dtype_hint=None):
        _check_validate(validate)
        with ops.name_scope(None, "RowPartitionFromValueRowIds", [value_rowids, nrows]):
            value_rowids = convert_partition(value_rowids, "value_rowids", dtype, dtype_hint)
            if nrows is None:
                const_rowids = tensor_util.constant_value(value_rowids)
                if const_rowids is None:
                    nrows = array_ops.concat([value_rowids[-1:], [-1]], axis=0)[0] + 1
                    const_nrows = None
                else:
                    const_nrows = int(const_rowids[-1]) + 1 if const_rowids.size > 0 else 0
                    nrows = ops.convert_to_tensor(const_nrows, value_rowids.dtype, name="nrows")
            else:
                nrows = ops.convert_to_tensor(nrows, value_rowids.dtype, "nrows")
                const_nrows = tensor_util.constant_value(nrows)
                if const_nrows is not None:
                    const_nrows = int(const_nrows)
                    if const_nrows < 0:
                        raise ValueError(f"Expected nrows >= 0; got {const_nrows}")
                    const_rowids = tensor_util.constant_value(value_rowids)
                    if (
                        const_rowids is not None
                        and const_rowids.size > 0
                        and not const_nrows >= const_rowids[-1] + 1
                    ):
                        raise ValueError(
                            "Expected nrows >= value_rowids[-1] + 1; got "
                            f"nrows={const_nrows}, value_rowids[-1]={const_rowids[-1]}"
                        )
            value_rowids.shape.assert_has_rank(1)
            nrows.shape.assert_has_rank(0)
            msg = "Arguments to from_value_rowids do not form a valid RowPartition"
            ids = value_rowids
            value_rowids = _validated(
                ids,
                validate,
                lambda: [
                    check_ops.assert_rank(ids, 1, message=msg),
                    check_ops.assert_rank(nrows, 0, message=msg),
                    check_ops.assert_non_negative(ids[:1], message=msg),
                    _assert_monotonic_increasing(ids, message=msg),
                    check_ops.assert_less(ids[-1:], nrows, message=msg),
                ],
            )
            nrows_int32 = array_ops.cast(nrows, dtypes.int32)
            row_lengths = bincount(
                array_ops.cast(value_rowids, dtypes.int32),
                minlength=nrows_int32,
                maxlength=nrows_int32,
                dtype=value_rowids.dtype,
            )
            row_splits = array_ops.concat([[0], math_ops.cumsum(row_lengths)], axis=0)
            if const_nrows is not None:
                row_lengths.set_shape([const_nrows])
                row_splits.set_shape([const_nrows + 1])
            return cls(row_splits, row_lengths=row_lengths, value_rowids=value_rowids, nrows=nrows)

    @classmethod
    def from_row_starts(cls, row_starts, nvals, validate=True, dtype=None, dtype_hint=None):
        _check_validate(validate)
        with ops.name_scope(None, "RowPartitionFromRowStarts", [row_starts]):
            starts = _vector(row_starts, "row_starts", dtype, dtype_hint)
            nvals = array_ops.cast(nvals, starts.dtype)
            msg = "Arguments to from_row_starts do not form a valid RaggedTensor"
            row_starts = _validated(
                starts,
                validate,
                lambda: [
                    check_ops.assert_rank(starts, 1, message=msg),
                    _assert_zero(starts[:1], message=msg),
                    _assert_monotonic_increasing(starts, message=msg),
                    check_ops.assert_less_equal(starts[-1:], nvals, message=msg),
                ],
            )
            row_splits = array_ops.concat([row_starts, [nvals]], axis=0)
            return cls(row_splits, nvals=nvals)

    @classmethod
    def from_row_limits(cls, row_limits, validate=True, dtype=None, dtype_hint=None):
        _check_validate(validate)
        with ops.name_scope(None, "RowPartitionFromRowLimits", [row_limits]):
            limits = _vector(row_limits, "row_limits", dtype, dtype_hint)
            msg = "Arguments to from_row_limits do not form a valid RaggedTensor"
            row_limits = _validated(
                limits,
                validate,
                lambda: [
                    check_ops.assert_rank(limits, 1, message=msg),
                    check_ops.assert_non_negative(limits[:1], message=msg),
                    _assert_monotonic_increasing(limits, message=msg),
                ],
            )
            zero = array_ops.zeros([1], row_limits.dtype)
            return cls(array_ops.concat([zero, row_limits], axis=0))

    @classmethod
    def from_uniform_row_length(
        cls, uniform_row_length, nvals=None, nrows=None, validate=True, dtype=None, dtype_hint=None
    ):
        """Rows of `uniform_row_length` values each: `nrows` of them, or `nvals / uniform_row_length`
        (0 for a length of 0); checked (statically where the values are known) that nrows * length is
        nvals and the length is not negative, with TF's messages."""
        _check_validate(validate)
        if nrows is None and nvals is None:
            raise ValueError("Either (or both) of nvals and nrows must be specified")
        with ops.name_scope(None, "RowPartitionFromUniformRowLength", [uniform_row_length, nrows]):
            given = [(uniform_row_length, "uniform_row_length"), (nvals, "nvals"), (nrows, "nrows")]
            target = (
                dtype
                or next((v.dtype for v, _ in given if isinstance(v, ops.Tensor)), None)
                or dtype_hint
                or dtypes.int64
            )
            uniform_row_length, nvals, nrows = (
                None
                if v is None
                else (
                    ops.convert_to_tensor(v, dtype=target, name=name)
                    if dtype is None
                    else array_ops.cast(v, target, name=name)
                )
                for v, name in given
            )
            uniform_row_length.shape.assert_has_rank(0)
            length = tensor_util.constant_value(uniform_row_length)
            if nrows is None:
                if length is None:
                    nrows = nvals // math_ops.maximum(
                        uniform_row_length, constant(1, uniform_row_length.dtype)
                    )
                elif length == 0:
                    nrows = constant(0, dtype=uniform_row_length.dtype)
                else:
                    nrows = nvals // int(length)
            const_nrows, const_nvals = (
                None if t is None else tensor_util.constant_value(t) for t in (nrows, nvals)
            )

            checks = []
            if const_nvals is None and const_nrows is not None and length is not None:
                const_nvals = int(const_nrows) * int(length)
                if nvals is not None and validate:
                    checks.append(check_ops.assert_equal(nvals, const_nvals))
                nvals = constant(const_nvals, uniform_row_length.dtype)
            if nvals is None:
                nvals = nrows * uniform_row_length
            if const_nrows is not None and length is not None:
                row_splits = constant(
                    [v * int(length) for v in range(int(const_nrows) + 1)], uniform_row_length.dtype
                )
            else:
                row_splits = math_ops.range(nrows + 1, dtype=uniform_row_length.dtype) * uniform_row_length
            if validate:
                if const_nrows is None or length is None or const_nvals is None:
                    checks.append(
                        check_ops.assert_equal(
                            nrows * uniform_row_length,
                            nvals,
                            (
                                "uniform_row_length",
                                uniform_row_length,
                                "times nrows",
                                nrows,
                                "must equal nvals",
                                nvals,
                            ),
                        )
                    )
                elif int(const_nrows) * int(length) != int(const_nvals):
                    raise ValueError(
                        f"uniform_row_length={int(length)} times nrows={int(const_nrows)} must equal "
                        f"nvals={int(const_nvals)}"
                    )
                if length is None:
                    checks.append(
                        check_ops.assert_greater_equal(
                            uniform_row_length,
                            constant(0, uniform_row_length.dtype),
                            message="uniform_row_length must be >= 0.",
                        )
                    )
                elif length < 0:
                    raise ValueError("uniform_row_length must be >= 0.")
                row_splits = control_flow_ops.with_dependencies(checks, row_splits)
            if const_nrows is None and const_nvals is not None and length:
                # TF's shape refiner folds `nvals // length` into the splits' length; the engine's
                # constant folding stops at the FloorDiv
                row_splits.set_shape([int(const_nvals) // int(length) + 1])
            return cls(row_splits, nrows=nrows, nvals=nvals, uniform_row_length=uniform_row_length)

    def with_dependencies(self, dependencies):
        """The same partition whose row splits wait for `dependencies`."""
        splits = control_flow_ops.with_dependencies(dependencies, self._row_splits)
        return RowPartition(
            splits, self._row_lengths, self._value_rowids, self._nrows, self._nvals, self._uniform_row_length
        )

    @property
    def dtype(self):
        return self._row_splits.dtype

    def row_splits(self):
        return self._row_splits

    def has_value_rowids(self):
        return self._value_rowids is not None

    def value_rowids(self):
        if self._value_rowids is not None:
            return self._value_rowids
        return row_splits_to_segment_ids(self._row_splits)

    def nvals(self):
        return self._row_splits[-1]

    def nrows(self):
        if self._nrows is not None:
            return self._nrows
        nsplits = _ts.dimension_value(self._row_splits.shape[0])
        if nsplits is None:
            return array_ops.shape_v1(self._row_splits, out_type=self.dtype)[0] - 1
        return constant(nsplits - 1, dtype=self.dtype)

    def uniform_row_length(self):
        return self._uniform_row_length

    def row_starts(self):
        return self._row_splits[:-1]

    def row_limits(self):
        return self._row_splits[1:]

    def row_lengths(self):
        if self._row_lengths is not None:
            return self._row_lengths
        splits = self._row_splits
        return splits[1:] - splits[:-1]

    @property
    def static_nrows(self):
        nsplits = _ts.dimension_value(self._row_splits.shape[0])
        if nsplits is not None:
            return nsplits - 1
        if self._row_lengths is not None:
            nrows = _ts.dimension_value(self._row_lengths.shape[0])
            if nrows is not None:
                return nrows
        if self._nrows is not None:
            value = tensor_util.constant_value(self._nrows)
            return None if value is None else int(value)
        return None

    @property
    def static_uniform_row_length(self):
        if self._uniform_row_length is None:
            return None
        value = tensor_util.constant_value(self._uniform_row_length)
        return None if value is None else int(value)

    def with_dtype(self, dtype):
        """The partition with every tensor cast to `dtype` (int32 or int64)."""
        if self.dtype == dtype:
            return self

        def cast(t):
            return None if t is None else array_ops.cast(t, dtype)

        return RowPartition(
            cast(self._row_splits),
            cast(self._row_lengths),
            cast(self._value_rowids),
            cast(self._nrows),
            cast(self._nvals),
            cast(self._uniform_row_length),
        )

    def __repr__(self):
        return f"tf.RowPartition(row_splits={self._row_splits})"
