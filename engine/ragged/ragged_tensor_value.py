"""``tf.ragged.RaggedTensorValue``: what a session gives for a RaggedTensor (numpy values and row splits,
nested for each ragged dimension), with TF's checks, repr and ``to_list``."""

from __future__ import annotations

import numpy as np


class RaggedTensorValue:
    """A ragged value: `values` (ndarray or RaggedTensorValue) cut into rows by the 1-D int32/int64
    ndarray `row_splits`."""

    def __init__(self, values, row_splits):
        if not (
            isinstance(row_splits, (np.ndarray, np.generic))
            and row_splits.dtype in (np.int64, np.int32)
            and row_splits.ndim == 1
        ):
            raise TypeError("row_splits must be a 1D int32 or int64 numpy array")
        if not isinstance(values, (np.ndarray, np.generic, RaggedTensorValue)):
            raise TypeError("values must be a numpy array or a RaggedTensorValue")
        if isinstance(values, RaggedTensorValue) and row_splits.dtype != values.row_splits.dtype:
            raise ValueError("row_splits and values.row_splits must have the same dtype")
        self._values = values
        self._row_splits = row_splits

    @property
    def row_splits(self):
        return self._row_splits

    @property
    def values(self):
        return self._values

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def flat_values(self):
        values = self._values
        while isinstance(values, RaggedTensorValue):
            values = values.values
        return values

    @property
    def nested_row_splits(self):
        splits, values = [self._row_splits], self._values
        while isinstance(values, RaggedTensorValue):
            splits.append(values.row_splits)
            values = values.values
        return tuple(splits)

    @property
    def ragged_rank(self):
        return self._values.ragged_rank + 1 if isinstance(self._values, RaggedTensorValue) else 1

    @property
    def shape(self):
        return (self._row_splits.shape[0] - 1, None) + self._values.shape[1:]

    def __str__(self):
        return f"<tf.RaggedTensorValue {self.to_list()}>"

    def __repr__(self):
        return f"tf.RaggedTensorValue(values={self._values!r}, row_splits={self._row_splits!r})"

    def to_list(self):
        """Nested Python lists of the values."""
        values = (
            self._values.to_list() if isinstance(self._values, RaggedTensorValue) else self._values.tolist()
        )
        splits = self._row_splits
        return [values[splits[i] : splits[i + 1]] for i in range(len(splits) - 1)]
