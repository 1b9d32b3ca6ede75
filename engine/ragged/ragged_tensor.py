"""``tf.RaggedTensor`` in graph mode: values (a Tensor, or a RaggedTensor for more ragged dimensions) cut
into rows by a RowPartition. The factories build TF's graphs in TF's name scopes (``RaggedFromRowSplits``,
...), with TF's ``validate`` assertions; ``to_tensor`` and ``to_sparse`` run TF's RaggedTensorToTensor and
RaggedTensorToSparse (engine/ragged/conversion_ops.py). A session fetches a RaggedTensor as a
`RaggedTensorValue` and feeds it from one (engine/session.py asks `session_components`)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops
from engine.framework import tensor_shape as _ts
from engine.framework.sparse_tensor import SparseTensor, convert_to_tensor_or_sparse_tensor, is_sparse
from engine.ops import array_ops, check_ops, math_ops
from engine.ops.composite_ops import sequence_mask
from engine.ops.constant_op import constant
from engine.ops.logging_ops import Assert
from engine.ops.op_util import make_op
from engine.ragged import conversion_ops  # noqa: F401 - registers RaggedTensorToTensor/ToSparse
from engine.ragged.ragged_tensor_value import RaggedTensorValue
from engine.ragged.row_partition import RowPartition, convert_partition


def _check_validate(validate):
    if not isinstance(validate, bool):
        raise TypeError(f"Argument `validate` must have type bool. Received {validate}.")


def _partition_dtype(values):
    return values._row_partition.dtype if isinstance(values, RaggedTensor) else None


def _as_values(values):
    return (
        values
        if isinstance(values, (ops.Tensor, RaggedTensor))
        else convert_to_tensor_or_ragged_tensor(values, name="values")
    )


def _nrows(values, out_type=dtypes.int32):
    if isinstance(values, RaggedTensor):
        return values.nrows(out_type=out_type)
    return array_ops.shape_v1(values, out_type=out_type)[0]


class RaggedTensor:
    """A tensor with rows of different lengths (``tf.RaggedTensor``); made by the ``from_*`` class methods,
    ``tf.ragged.constant`` or ``tf.ragged.placeholder``."""

    def __init__(self, values, row_partition, internal=False):
        if not internal:
            raise ValueError(
                "RaggedTensor constructor is private; please use one of the factory methods "
                "instead (e.g., RaggedTensor.from_row_lengths())"
            )
        if not isinstance(values, (ops.Tensor, RaggedTensor)):
            raise TypeError(f"type(values) must be one of: Tensor, RaggedTensor, got {values}.")
        values.shape.with_rank_at_least(1)
        self._values = values
        self._row_partition = row_partition

    # --- factories ------------------------------------------------------------------------------------

    @classmethod
    def _from_row_partition(cls, values, row_partition, validate=True):
        if isinstance(values, RaggedTensor):
            if values._row_partition.dtype != row_partition.dtype:
                raise ValueError(
                    "Argument `row_partition` of RaggedTensor with name: partition must have "
                    f"same dtype as Argument `values`. ({row_partition.dtype} vs. "
                    f"{values._row_partition.dtype})."
                )
        else:
            values = _as_values(values)
        if row_partition.has_value_rowids():
            values.shape[:1].assert_is_compatible_with(row_partition.value_rowids().shape)
        if validate:
            msg = "Arguments to _from_row_partition do not form a valid RaggedTensor"
            nvals = _nrows(values, row_partition.dtype)
            checks = [
                check_ops.assert_equal(
                    array_ops.cast(row_partition.nvals(), row_partition.dtype), nvals, message=msg
                )
            ]
            if not isinstance(values, RaggedTensor):
                checks.append(check_ops.assert_rank_at_least(values, 1))
            row_partition = row_partition.with_dependencies(checks)
        return cls(values, row_partition, internal=True)

    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        """Row i is ``values[row_splits[i]:row_splits[i + 1]]``."""
        _check_validate(validate)
        with ops.name_scope(name, "RaggedFromRowSplits", [values, row_splits]):
            partition = RowPartition.from_row_splits(
                row_splits, validate, dtype_hint=_partition_dtype(values)
            )
            return cls._from_row_partition(values, partition, validate)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        """Row i holds the next ``row_lengths[i]`` values."""
        _check_validate(validate)
        with ops.name_scope(name, "RaggedFromRowLengths", [values, row_lengths]):
            partition = RowPartition.from_row_lengths(
                row_lengths, validate, dtype_hint=_partition_dtype(values)
            )
            return cls._from_row_partition(values, partition, validate)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        """Value j goes to row ``value_rowids[j]`` (sorted); `nrows` rows (default: last id + 1)."""
        _check_validate(validate)
        with ops.name_scope(name, "RaggedFromValueRowIds", [values, value_rowids, nrows]):
            partition = RowPartition.from_value_rowids(
                value_rowids, nrows, validate, dtype_hint=_partition_dtype(values)
            )
            return cls._from_row_partition(values, partition, validate)

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True):
        """Row i starts at ``row_starts[i]``; the last row ends with the values."""
        _check_validate(validate)
        with ops.name_scope(name, "RaggedFromRowStarts", [values, row_starts]):
            values = _as_values(values)
            partition = RowPartition.from_row_starts(
                row_starts, _nrows(values), validate, dtype_hint=_partition_dtype(values)
            )
            return cls._from_row_partition(values, partition, validate)

    @classmethod
    def from_row_limits(cls, values, row_limits, name=None, validate=True):
        """Row i ends at ``row_limits[i]``; the first starts at 0."""
        _check_validate(validate)
        with ops.name_scope(name, "RaggedFromRowLimits", [values, row_limits]):
            values = _as_values(values)
            partition = RowPartition.from_row_limits(
                row_limits, validate, dtype_hint=_partition_dtype(values)
            )
            return cls._from_row_partition(values, partition, validate)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        """One `from_row_splits` per ragged dimension, innermost first."""
        return _nest(
            flat_values,
            nested_row_splits,
            "nested_row_splits",
            name,
            "RaggedFromNestedRowSplits",
            lambda values, splits: cls.from_row_splits(values, splits, validate=validate),
            validate,
        )

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None, validate=True):
        """One `from_row_lengths` per ragged dimension, innermost first."""
        return _nest(
            flat_values,
            nested_row_lengths,
            "nested_row_lengths",
            name,
            "RaggedFromNestedRowlengths",
            lambda values, lengths: cls.from_row_lengths(values, lengths, validate=validate),
            validate,
        )

    @classmethod
    def from_nested_value_rowids(
        cls, flat_values, nested_value_rowids, nested_nrows=None, name=None, validate=True
    ):
        """One `from_value_rowids` per ragged dimension, innermost first."""
        if nested_nrows is None:
            nested_nrows = [None] * len(nested_value_rowids)
        elif len(nested_nrows) != len(nested_value_rowids):
            raise ValueError(
                "Argument `nested_nrows` must have the same length as argument "
                f"`nested_value_rowids`. len(nested_nrows) = {len(nested_nrows)} vs. "
                f"len(nested_values_rowids) = {len(nested_value_rowids)}."
            )
        if isinstance(nested_value_rowids, ops.Tensor):
            return _nest(flat_values, nested_value_rowids, "nested_value_rowids", name, "", None, validate)
        pairs = list(zip(nested_value_rowids, nested_nrows, strict=True))
        return _nest(
            flat_values,
            pairs,
            "nested_value_rowids",
            name,
            "RaggedFromNestedValueRowIds",
            lambda values, pair: cls.from_value_rowids(values, *pair, validate=validate),
            validate,
            scope_values=[*nested_value_rowids, *nested_nrows],
        )

    @classmethod
    def _from_nested_row_partitions(cls, flat_values, partitions, validate=False):
        result = flat_values
        for partition in reversed(partitions):
            result = cls._from_row_partition(result, partition, validate)
        return result

    @classmethod
    def from_uniform_row_length(cls, values, uniform_row_length, nrows=None, validate=True, name=None):
        """Rows of `uniform_row_length` values each (`nrows` of them when the length may be 0)."""
        _check_validate(validate)
        with ops.name_scope(name, "RaggedFromUniformRowLength", [values, uniform_row_length, nrows]):
            values = _as_values(values)
            uniform_row_length = convert_partition(
                uniform_row_length, "UniformRowLength", dtype_hint=_partition_dtype(values)
            )
            const_nvals = _ts.dimension_value(values.shape[0])
            if const_nvals is not None:
                nvals = constant(const_nvals, uniform_row_length.dtype)
            else:
                nvals = _nrows(values, uniform_row_length.dtype)
            partition = RowPartition.from_uniform_row_length(
                uniform_row_length, nvals, nrows, validate, dtype_hint=_partition_dtype(values)
            )
            return cls._from_row_partition(values, partition, validate)

    @classmethod
    def from_tensor(
        cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None, row_splits_dtype=dtypes.int64
    ):
        """The rows of a dense `tensor`: all of each row, the first ``lengths[i]`` values, or up to the last
        value that is not `padding`. ``ragged_rank`` > 1 makes the outer dimensions uniform ragged ones."""
        row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
        if lengths is not None and padding is not None:
            raise ValueError("Specify argument `lengths` or `padding`, but not both.")
        if not isinstance(ragged_rank, int):
            raise TypeError(f"Argument `ragged_rank` must be an int. Received {ragged_rank}.")
        if ragged_rank <= 0:
            raise ValueError(f"Argument `ragged_rank` must be greater than 0. Received {ragged_rank}.")
        with ops.name_scope(name, "RaggedFromTensor", [tensor, lengths, padding]):
            tensor = ops.convert_to_tensor(tensor, name="tensor")
            if tensor.shape.ndims is not None and tensor.shape.ndims < 2:
                raise ValueError(
                    "The rank of a RaggedTensor must be greater than 1, i.e., a list of scalars "
                    "won't have ragged dimensions. Received argument `tensor` with rank "
                    f"{tensor.shape.ndims}."
                )
            tensor.shape.with_rank_at_least(ragged_rank + 1)
            input_shape = array_ops.shape_v1(tensor, out_type=row_splits_dtype)
            ncols = input_shape[1]
            if ragged_rank > 1:
                return cls._from_tensor_ragged_rank(
                    tensor, lengths, padding, ragged_rank, input_shape, row_splits_dtype
                )
            if padding is not None:
                lengths = _lengths_before_padding(tensor, padding, ncols, row_splits_dtype)
            if lengths is not None:
                lengths = ops.convert_to_tensor(lengths, name="lengths", preferred_dtype=row_splits_dtype)
                lengths = array_ops.cast(lengths, row_splits_dtype)
                lengths.shape.assert_has_rank(1)
                lengths = math_ops.maximum(math_ops.minimum(lengths, ncols), 0)
                splits = array_ops.concat(
                    [array_ops.zeros([1], row_splits_dtype), math_ops.cumsum(lengths)], axis=0
                )
                values = array_ops.boolean_mask(tensor, sequence_mask(lengths, maxlen=ncols))
                return cls.from_row_splits(values, splits, validate=False)
            values_shape = array_ops.concat([[input_shape[0] * input_shape[1]], input_shape[2:]], axis=0)
            values = array_ops.reshape(tensor, values_shape)
            const_nrows, const_ncols = (_ts.dimension_value(tensor.shape[i]) for i in (0, 1))
            if const_nrows is not None and const_ncols is not None:  # TF's Reshape shape rule knows it
                values.set_shape(_ts.TensorShape([const_nrows * const_ncols]).concatenate(tensor.shape[2:]))
            nrows = input_shape[0] if const_nrows is None else constant(const_nrows, row_splits_dtype)
            ncols = input_shape[1] if const_ncols is None else constant(const_ncols, row_splits_dtype)
            return cls.from_uniform_row_length(values, ncols, nrows, validate=False)

    @classmethod
    def _from_tensor_ragged_rank(cls, tensor, lengths, padding, ragged_rank, input_shape, row_splits_dtype):
        if tensor.shape.is_fully_defined():
            dims_list = tensor.shape.as_list()
            dim_size = np.cumprod(dims_list)
            new_shape = [int(dim_size[ragged_rank - 1])] + dims_list[ragged_rank:]
        else:
            dim_size = math_ops.cumprod(input_shape)
            new_shape = array_ops.concat([[dim_size[ragged_rank - 1]], input_shape[ragged_rank:]], axis=0)
        result = cls.from_tensor(
            array_ops.reshape(tensor, new_shape), lengths, padding, row_splits_dtype=row_splits_dtype
        )
        for axis in range(ragged_rank - 1, 0, -1):
            dim_len = _ts.dimension_value(tensor.shape[axis])
            dim_len = input_shape[axis] if dim_len is None else constant(dim_len, row_splits_dtype)
            nrows = dim_size[axis - 1]
            if isinstance(nrows, np.integer):
                nrows = int(nrows)
            result = cls.from_uniform_row_length(result, dim_len, nrows, validate=False)
        return result

    @classmethod
    def from_sparse(cls, st_input, name=None, row_splits_dtype=dtypes.int64):
        """The rows of a right-ragged 2-D SparseTensor (each row's entries at columns 0, 1, ...)."""
        row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
        if not is_sparse(st_input):
            raise TypeError(
                f"Argument `st_input` must be of type SparseTensor, but is of type {type(st_input).__name__}."
            )
        with ops.name_scope(name, "RaggedFromSparse", [st_input]):
            st_input = convert_to_tensor_or_sparse_tensor(st_input, name="st_input")
            rank_from_shape = (
                _ts.dimension_value(st_input.dense_shape.shape[0])
                if st_input.dense_shape.shape.ndims is not None
                else None
            )
            rank_from_indices = (
                _ts.dimension_value(st_input.indices.shape[1])
                if st_input.indices.shape.ndims is not None
                else None
            )
            if rank_from_shape != 2 and rank_from_indices != 2:
                raise ValueError("rank(st_input) must be 2.")
            with ops.control_dependencies(_assert_ragged_right(st_input.indices)):
                segment_ids = array_ops.cast(st_input.indices[:, 0], row_splits_dtype)
                num_segments = array_ops.cast(st_input.dense_shape[0], row_splits_dtype)
                return cls.from_value_rowids(st_input.values, segment_ids, num_segments, validate=False)

    # --- properties -----------------------------------------------------------------------------------

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def shape(self):
        nrows = self._row_partition.static_nrows
        ncols = self._row_partition.static_uniform_row_length
        return _ts.TensorShape([nrows, ncols]).concatenate(self._values.shape[1:])

    def get_shape(self):
        return self.shape

    @property
    def ragged_rank(self):
        return self._values.ragged_rank + 1 if isinstance(self._values, RaggedTensor) else 1

    @property
    def values(self):
        return self._values

    @property
    def row_splits(self):
        return self._row_partition.row_splits()

    @property
    def uniform_row_length(self):
        return self._row_partition.uniform_row_length()

    @property
    def flat_values(self):
        values = self._values
        while isinstance(values, RaggedTensor):
            values = values.values
        return values

    @property
    def _nested_row_partitions(self):
        partitions, values = [self._row_partition], self._values
        while isinstance(values, RaggedTensor):
            partitions.append(values._row_partition)
            values = values.values
        return tuple(partitions)

    @property
    def nested_row_splits(self):
        return tuple(p.row_splits() for p in self._nested_row_partitions)

    @property
    def graph(self):
        return self.flat_values.graph

    # --- row partition encodings ------------------------------------------------------------------------

    def value_rowids(self, name=None):
        with ops.name_scope(name, "RaggedValueRowIds", [self]):
            return self._row_partition.value_rowids()

    def nested_value_rowids(self, name=None):
        with ops.name_scope(name, "RaggedNestedValueRowIds", [self]):
            ids, values = [self.value_rowids()], self._values
            while isinstance(values, RaggedTensor):
                ids.append(values.value_rowids())
                values = values.values
            return tuple(ids)

    def nrows(self, out_type=None, name=None):
        with ops.name_scope(name, "RaggedNRows", [self]):
            if out_type is None:
                return self._row_partition.nrows()
            return array_ops.cast(self._row_partition.nrows(), dtype=out_type)

    def row_starts(self, name=None):
        with ops.name_scope(name, "RaggedRowStarts", [self]):
            return self._row_partition.row_starts()

    def row_limits(self, name=None):
        with ops.name_scope(name, "RaggedRowLimits", [self]):
            return self._row_partition.row_limits()

    def row_lengths(self, axis=1, name=None):
        """The length of each row (axis 1), or of each row of an inner ragged dimension as a RaggedTensor."""
        if axis == 0:
            return self._row_partition.nrows()
        if axis == 1:
            return self._row_partition.row_lengths()
        with ops.name_scope(name, "RaggedRowLengths", [self]):
            axis = positive_axis(axis, self.shape.ndims, ndims_name="rank(self)")
            if axis == 0:  # a negative axis that names the rows
                return self.nrows()
            if axis == 1:
                splits = self.row_splits
                return splits[1:] - splits[:-1]
            if isinstance(self._values, RaggedTensor):
                return self.with_values(self._values.row_lengths(axis - 1))
            shape = array_ops.shape_v1(self._values, out_type=self._row_partition.dtype)
            return self.with_values(
                array_ops.ones(shape[: axis - 1], self._row_partition.dtype) * shape[axis - 1]
            )

    def nested_row_lengths(self, name=None):
        with ops.name_scope(name, "RaggedNestedRowLengths", [self]):
            lengths, rt = [], self
            while isinstance(rt, RaggedTensor):
                lengths.append(rt.row_lengths())
                rt = rt.values
            return tuple(lengths)

    def bounding_shape(self, axis=None, name=None, out_type=None):
        """The smallest dense shape holding every row: [nrows, longest row, ..., flat values' inner dims]."""
        out_type = self._row_partition.dtype if out_type is None else dtypes.as_dtype(out_type)
        with ops.name_scope(name, "RaggedBoundingBox", [self, axis]):
            nested_splits = self.nested_row_splits
            if isinstance(axis, int) and axis == 0:
                return array_ops.shape_v1(nested_splits[0], out_type=out_type)[0] - 1
            if isinstance(axis, int) and axis == 1:
                result = math_ops.maximum(math_ops.reduce_max(self.row_lengths()), 0)
                return result if out_type == self._row_partition.dtype else array_ops.cast(result, out_type)
            splits_shape = array_ops.shape_v1(self.row_splits, out_type=out_type)
            flat_values_shape = array_ops.shape_v1(self.flat_values, out_type=out_type)
            ragged_dims = [splits_shape[0] - 1] + [
                math_ops.maximum(math_ops.reduce_max(s[1:] - s[:-1]), 0) for s in nested_splits
            ]
            if out_type != self._row_partition.dtype:
                ragged_dims = [array_ops.cast(d, out_type) for d in ragged_dims]
            bbox = array_ops.concat([array_ops.stack(ragged_dims), flat_values_shape[1:]], axis=0)
            return bbox if axis is None else array_ops.gather(bbox, axis)

    # --- new values -------------------------------------------------------------------------------------

    def with_values(self, new_values):
        """The same row partition over `new_values` (as many rows as the current values)."""
        new_values = _as_values(new_values)
        new_values.shape.with_rank_at_least(1)
        self._values.shape[:1].assert_is_compatible_with(new_values.shape[:1])
        if isinstance(new_values, RaggedTensor) and self._row_partition.dtype != new_values.row_splits.dtype:
            raise ValueError(
                "self and new_values have mismatched row_splits dtypes; use "
                "RaggedTensor.with_row_splits_dtype() to convert them to compatible dtypes."
            )
        return RaggedTensor(new_values, self._row_partition, internal=True)

    def with_flat_values(self, new_values):
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(_as_values(new_values))

    def with_row_splits_dtype(self, dtype):
        dtype = dtypes.as_dtype(dtype)
        if dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError(f"Argument `row_splits` dtype must be int32 or int64. Received {dtype}.")
        if self._row_partition.dtype == dtype:
            return self
        values = self._values
        if isinstance(values, RaggedTensor):
            values = values.with_row_splits_dtype(dtype)
        return RaggedTensor(values, self._row_partition.with_dtype(dtype), internal=True)

    def merge_dims(self, outer_axis, inner_axis):
        """The dimensions `outer_axis` to `inner_axis` merged into one (``rt.merge_dims(0, 1)`` flattens
        the rows), as TF's merge_dims builds it."""
        rank = self.shape.ndims
        outer_axis = positive_axis(outer_axis, rank, "outer_axis", "rank(self)")
        inner_axis = positive_axis(inner_axis, rank, "inner_axis", "rank(self)")
        if not outer_axis <= inner_axis:
            raise ValueError(
                f"Expected outer_axis ({outer_axis}) to be less than or equal to inner_axis ({inner_axis})."
            )
        return _merge_dims(self, outer_axis, inner_axis)

    # --- conversions ------------------------------------------------------------------------------------

    def to_tensor(self, default_value=None, name=None, shape=None):
        """A dense tensor: rows padded with `default_value` (zero) to the bounding shape, or cut or padded
        to `shape` (None or -1 entries: the bounding size)."""
        with ops.name_scope(name, "RaggedToTensor", [self, default_value, shape]):
            if default_value is not None:
                default_value = ops.convert_to_tensor(default_value, name="default_value", dtype=self.dtype)
            types, tensors = _partition_types_and_tensors(self)
            if default_value is None:
                default_value = array_ops.zeros((), self.dtype)
            if (
                isinstance(shape, (list, tuple))
                and any(isinstance(v, ops.Tensor) for v in shape)
                and all(isinstance(v, (int, ops.Tensor)) for v in shape)
            ):
                shape = array_ops.stack(shape)
            shape_tensor = _shape_as_tensor(shape, tensors[0].dtype)
            flat_values = self.flat_values
            tensor = make_op(
                "RaggedTensorToTensor",
                [shape_tensor, flat_values, default_value, *tensors],
                attrs={
                    "T": flat_values.dtype.base_dtype,
                    "Tindex": tensors[0].dtype,
                    "Tshape": shape_tensor.dtype,
                    "row_partition_types": types,
                    "num_row_partition_tensors": len(tensors),
                },
            ).outputs[0]
            ragged_shape = self.shape
            if ragged_shape.ndims is not None and not isinstance(shape, ops.Tensor):
                shape = _ts.as_shape(shape)
                if shape.ndims is None:
                    output_shape = ragged_shape
                else:
                    output_shape = [
                        s1 if s1 is not None else s2
                        for s1, s2 in zip(shape.as_list(), ragged_shape.as_list(), strict=False)
                    ]
                tensor.set_shape(output_shape)
            return tensor

    def to_sparse(self, name=None):
        """A SparseTensor with an entry per value, at its row and column."""
        with ops.name_scope(name, "RaggedToSparse", [self]):
            splits = self.nested_row_splits
            flat_values = self.flat_values
            indices, values, dense_shape = make_op(
                "RaggedTensorToSparse",
                [*splits, flat_values],
                name=name,
                attrs={
                    "RAGGED_RANK": len(splits),
                    "T": flat_values.dtype.base_dtype,
                    "Tsplits": splits[0].dtype,
                },
            ).outputs
            return SparseTensor(indices, values, dense_shape)

    def to_list(self):
        raise ValueError("to_list can only be used in eager mode.")

    def numpy(self):
        raise ValueError("RaggedTensor.numpy() is only supported in eager mode.")

    # --- session support ------------------------------------------------------------------------------

    def session_components(self):
        """The dense tensors a session fetches or feeds for this RaggedTensor: its nested row splits, then
        its flat values (TF's order)."""
        return (*self.nested_row_splits, self.flat_values)

    @staticmethod
    def value_from_components(components):
        """The `RaggedTensorValue` of fetched components (in `session_components`' order)."""
        components = list(components)
        value = components.pop()
        while components:
            value = RaggedTensorValue(value, components.pop())
        return value

    def _as_graph_element(self):
        return self.flat_values

    def consumers(self):
        return [c for t in self.session_components() for c in t.consumers()]

    def __repr__(self):
        return f"tf.RaggedTensor(values={self._values}, row_splits={self.row_splits})"


def positive_axis(axis, ndims, axis_name="axis", ndims_name="ndims"):
    """TF's get_positive_axis: `axis` counted from 0, checked against a known `ndims`."""
    if not isinstance(axis, int):
        raise TypeError(f"{axis_name} must be an int; got {type(axis).__name__}")
    if ndims is not None:
        if not -ndims <= axis < ndims:
            raise ValueError(f"{axis_name}={axis} out of bounds: expected {-ndims}<={axis_name}<{ndims}")
        return axis + ndims if axis < 0 else axis
    if axis < 0:
        raise ValueError(f"{axis_name}={axis} may only be negative if {ndims_name} is statically known.")
    return axis


def _merge_dims(value, outer_axis, inner_axis):
    if outer_axis == inner_axis:
        return value
    while outer_axis == 0 and isinstance(value, RaggedTensor):
        value, inner_axis = value.values, inner_axis - 1
        if inner_axis == 0:
            return value
    if not isinstance(value, RaggedTensor):
        if value.shape.is_fully_defined():
            dims = value.shape.as_list()
            new_shape = dims[:outer_axis] + [-1] + dims[inner_axis + 1 :]
        else:
            dims = array_ops.shape_v1(value)
            new_shape = array_ops.concat([dims[:outer_axis], [-1], dims[inner_axis + 1 :]], axis=0)
        return array_ops.reshape(value, new_shape)
    if outer_axis > 1:
        return value.with_values(_merge_dims(value.values, outer_axis - 1, inner_axis - 1))
    new_values, new_splits = value.values, value.row_splits
    for axis in range(outer_axis, inner_axis):
        if isinstance(new_values, RaggedTensor):
            new_splits = array_ops.gather(new_values.row_splits, new_splits)
            new_values = new_values.values
            continue
        split = inner_axis - axis + 1
        if new_values.shape.is_fully_defined():
            dims = new_values.shape.as_list()
            new_shape = [-1] + dims[split:]
            flat_size = int(np.prod(dims[1:split]))
        else:
            dims = array_ops.shape_v1(new_values)
            new_shape = array_ops.concat([[-1], dims[split:]], axis=0)
            flat_size = array_ops.cast(math_ops.reduce_prod(dims[1:split]), new_splits.dtype)
        new_values = array_ops.reshape(new_values, new_shape)
        new_splits = new_splits * flat_size
        break
    return RaggedTensor.from_row_splits(new_values, new_splits)


def _nest(flat_values, parts, argument, name, scope, build, validate, scope_values=None):
    """`build(values, part)` for each part, innermost (last) first, in the name scope `scope`; TF's
    TypeErrors for a non-bool `validate` or a Tensor where a list of parts belongs."""
    _check_validate(validate)
    if isinstance(parts, ops.Tensor):
        raise TypeError(f"Argument `{argument}` must be a list of Tensors. Received {parts}.")
    with ops.name_scope(name, scope, [flat_values, *(parts if scope_values is None else scope_values)]):
        result = flat_values
        for part in reversed(parts):
            result = build(result, part)
        return result


def is_ragged(value):
    """Whether `value` is a RaggedTensor or a RaggedTensorValue."""
    return isinstance(value, (RaggedTensor, RaggedTensorValue))


def convert_to_tensor_or_ragged_tensor(value, dtype=None, preferred_dtype=None, name=None):
    """A RaggedTensor as it is (dtype checked), a RaggedTensorValue as constants, else a Tensor."""
    if isinstance(value, RaggedTensor):
        if dtype and not dtypes.as_dtype(dtype).is_compatible_with(value.dtype):
            raise ValueError(
                f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for "
                f"RaggedTensor with dtype {value.dtype.name}: {value}."
            )
        return value
    if isinstance(value, RaggedTensorValue):
        with ops.name_scope(name, "ConvertToTensorOrRaggedTensor", []):
            flat_values = ops.convert_to_tensor(
                value.flat_values, dtype=dtype, name="flat_values", preferred_dtype=preferred_dtype
            )
            return RaggedTensor.from_nested_row_splits(flat_values, value.nested_row_splits, validate=False)
    return ops.convert_to_tensor(value, dtype=dtype, preferred_dtype=preferred_dtype, name=name)


def match_row_splits_dtypes(*tensors):
    """(dtype, tensors): the common row-splits dtype of the RaggedTensors among `tensors` (int64 when none);
    mixed int32/int64 raise TF's ValueError."""
    kinds = {t.row_splits.dtype for t in tensors if isinstance(t, RaggedTensor)}
    if len(kinds) > 1:
        raise ValueError(
            "Input RaggedTensors have mismatched row_splits dtypes; use "
            "RaggedTensor.with_row_splits_dtype() to convert them to compatible dtypes."
        )
    return (kinds.pop() if kinds else dtypes.int64), tensors


def _partition_types_and_tensors(rt):
    """TF's row_partition_types / row_partition_tensors of a RaggedTensor: value row ids where the
    partition was built from them, row splits otherwise."""
    partitions = rt._nested_row_partitions
    pairs = []
    if partitions[0].has_value_rowids():
        pairs += [("FIRST_DIM_SIZE", partitions[0].nrows()), ("VALUE_ROWIDS", partitions[0].value_rowids())]
    else:
        pairs.append(("ROW_SPLITS", partitions[0].row_splits()))
    for p in partitions[1:]:
        pairs.append(
            ("VALUE_ROWIDS", p.value_rowids()) if p.has_value_rowids() else ("ROW_SPLITS", p.row_splits())
        )
    return [k for k, _ in pairs], [t for _, t in pairs]


def _shape_as_tensor(shape, dtype):
    if isinstance(shape, ops.Tensor):
        return shape if shape.dtype in (dtypes.int32, dtypes.int64) else array_ops.cast(shape, dtype)
    shape = _ts.as_shape(shape)
    if not shape:
        return constant(-1, dtype=dtype)
    return constant([-1 if d is None else d for d in shape.as_list()], dtype=dtype)


def _lengths_before_padding(tensor, padding, ncols, dtype):
    """Each row's length up to its last value that is not all `padding` (TF's from_tensor(padding=))."""
    padding = ops.convert_to_tensor(padding, name="padding", dtype=tensor.dtype)
    padding.shape.assert_is_compatible_with(tensor.shape[2:])
    has_default_value = math_ops.equal(padding, tensor)
    rank = tensor.shape.ndims
    if rank is None:
        raise ValueError("from_tensor(padding=...) needs a tensor of known rank here.")
    has_default = (
        math_ops.reduce_all(has_default_value, axis=list(range(2, rank))) if rank > 2 else has_default_value
    )
    has_nondefault = array_ops.cast(math_ops.logical_not(has_default), dtype)
    length_for_nondefault = has_nondefault * array_ops.expand_dims(math_ops.range(1, ncols + 1), 0)
    return math_ops.reduce_max(length_for_nondefault, axis=1)


def _assert_ragged_right(indices):
    """TF's check that a SparseTensor's entries fill each row from column 0 with no gap."""
    prefix, suffix = indices[:, :-1], indices[:, -1]
    prefix_changed = math_ops.reduce_any(math_ops.not_equal(prefix[1:], prefix[:-1]), axis=1)
    index_ok = array_ops.where(
        prefix_changed, math_ops.equal(suffix[1:], 0), math_ops.equal(suffix[1:], suffix[:-1] + 1)
    )
    ok = math_ops.logical_and(
        math_ops.reduce_all(math_ops.equal(suffix[:1], 0)), math_ops.reduce_all(index_ok)
    )
    return [Assert(ok, ["SparseTensor is not right-ragged", "SparseTensor.indices =", indices])]
