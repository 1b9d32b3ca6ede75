"""Cells made of other cells: MultiRNNCell (a stack, each layer in `cell_<i>/`), DropoutWrapper,
ResidualWrapper and DeviceWrapper (TF 1.x's `rnn_cell_impl` wrappers, as tf-keras's legacy wrappers
define them for TF 2.21).

A wrapper calls its cell's own `__call__` and opens no scope of its own, so a wrapped cell's variables
keep the names they have unwrapped (`rnn/basic_lstm_cell/kernel`). DropoutWrapper seeds each dropout as
TF does: with `seed` given, the salt `"<input|state|output>_<leaf index>"` appended to it, hashed with MD5,
so the masks are TF's own random streams.
"""

from __future__ import annotations

import hashlib
import numbers

import tree as nest

from engine.framework import ops, tensor_util
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, math_ops, nn_ops, random_ops
from engine.ops.rnn_cell_impl import LSTMStateTuple, RNNCell, _is_sequence, assert_like_rnncell
from engine.variable_scope import variable_scope


class MultiRNNCell(RNNCell):
    """Cells stacked in layers: layer i's output is layer i+1's input, each run in `cell_<i>/`; the state
    is the tuple of the layers' states (or their concatenation when `state_is_tuple=False`)."""

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not _is_sequence(cells):
            raise TypeError(f"cells must be a list or tuple, but received: {cells}.")
        self._cells = cells
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(_is_sequence(c.state_size) for c in cells):
            raise ValueError(
                "Some cells return tuples of states, but the flag state_is_tuple is not set. "
                f"State sizes are: {[c.state_size for c in cells]}"
            )

    @property
    def state_size(self):
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    def zero_state(self, batch_size, dtype):
        with ops.name_scope(type(self).__name__ + "ZeroState"):
            if self._state_is_tuple:
                return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)
            return super().zero_state(batch_size, dtype)

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for cell in self._cells for w in getattr(cell, "trainable_weights", [])]

    @property
    def non_trainable_weights(self):
        weights = [w for cell in self._cells for w in getattr(cell, "non_trainable_weights", [])]
        if not self.trainable:
            return [w for cell in self._cells for w in getattr(cell, "trainable_weights", [])] + weights
        return weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def call(self, inputs, state):
        position = 0
        layer_input = inputs
        new_states = []
        for i, cell in enumerate(self._cells):
            with variable_scope(f"cell_{i}"):
                if self._state_is_tuple:
                    if not _is_sequence(state):
                        raise ValueError(
                            f"Expected state to be a tuple of length {len(self.state_size)}, but "
                            f"received: {state}"
                        )
                    layer_state = state[i]
                else:
                    layer_state = array_ops.slice(state, [0, position], [-1, cell.state_size])
                    position += cell.state_size
                layer_input, new_state = cell(layer_input, layer_state)
                new_states.append(new_state)
        return layer_input, (tuple(new_states) if self._state_is_tuple else array_ops.concat(new_states, 1))


class _RNNCellWrapper(RNNCell):
    """A cell around `cell`: same sizes and zero state; `__call__` runs `_call_wrapped_cell` with the
    wrapped cell's `__call__`, in no scope of the wrapper's own."""

    def __init__(self, cell, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assert_like_rnncell("cell", cell)
        self.cell = cell

    def __call__(self, inputs, state, scope=None):
        return self._call_wrapped_cell(inputs, state, cell_call_fn=self.cell.__call__, scope=scope)

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    @property
    def trainable_weights(self):
        return self.cell.trainable_weights if self.trainable else []

    @property
    def non_trainable_weights(self):
        return self.cell.non_trainable_weights

    def zero_state(self, batch_size, dtype):
        with ops.name_scope(type(self).__name__ + "ZeroState"):
            return self.cell.zero_state(batch_size, dtype)


def _default_dropout_state_filter_visitor(substate):
    """Dropout on every state leaf but an LSTM's memory `c`."""
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    return True


def _children(structure):
    return [structure[k] for k in sorted(structure)] if isinstance(structure, dict) else list(structure)


def _rebuild(structure, children):
    if isinstance(structure, dict):
        return dict(zip(sorted(structure), children, strict=False))
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*children)
    return type(structure)(children)


def _traverse_shallow_structure(traverse_fn, structure):
    """TF's `nest.get_traverse_shallow_structure`: `structure` cut where `traverse_fn` says False, with
    bool leaves saying which parts to enter (True for a whole sub-structure, or a structure of bools)."""
    decision = traverse_fn(structure)
    if not _is_sequence(structure):
        if not isinstance(decision, bool):
            raise TypeError(
                f"traverse_fn returned structure: {decision} for non-structure: {structure}"
            )
        return decision
    if isinstance(decision, bool):
        if not decision:
            return False
        decisions = [True] * len(_children(structure))
    else:
        nest.assert_same_structure(decision, _rebuild(structure, [0] * len(_children(structure))))
        decisions = _children(decision)
    level = []
    for enter, child in zip(decisions, _children(structure), strict=False):
        if not isinstance(enter, bool):
            raise TypeError(
                f"traverse_fn didn't return a depth=1 structure of bools.  saw: {decision}  "
                f"for structure: {structure}"
            )
        level.append(_traverse_shallow_structure(traverse_fn, child) if enter else False)
    return _rebuild(structure, level)


def _enumerated_map_structure_up_to(shallow, fn, *structures):
    """`map_structure_up_to(shallow, fn, ...)` with the leaf's index (in flattening order) passed first."""
    counter = iter(range(1 << 62))
    return nest.map_structure_up_to(shallow, lambda *leaves: fn(next(counter), *leaves), *structures)


class DropoutWrapper(_RNNCellWrapper):
    """Dropout on the cell's inputs, outputs and new state (not an LSTM's `c`, by default), with keep
    probabilities as floats or tensors; `variational_recurrent=True` draws one mask per run for all
    steps (Gal & Ghahramani), which needs `dtype` (and `input_size` for input dropout)."""

    def __init__(
        self,
        cell,
        input_keep_prob=1.0,
        output_keep_prob=1.0,
        state_keep_prob=1.0,
        variational_recurrent=False,
        input_size=None,
        dtype=None,
        seed=None,
        dropout_state_filter_visitor=None,
        **kwargs,
    ):
        super().__init__(cell, dtype=dtype, **kwargs)
        if dropout_state_filter_visitor is not None and not callable(dropout_state_filter_visitor):
            raise TypeError(
                f"dropout_state_filter_visitor must be callable. Received: {dropout_state_filter_visitor}"
            )
        self._dropout_state_filter = dropout_state_filter_visitor or _default_dropout_state_filter_visitor
        with ops.name_scope("DropoutWrapperInit"):
            for prob, attr in [
                (input_keep_prob, "input_keep_prob"),
                (state_keep_prob, "state_keep_prob"),
                (output_keep_prob, "output_keep_prob"),
            ]:
                tensor = ops.convert_to_tensor(prob)
                known = tensor_util.constant_value(tensor)
                if known is not None:
                    if known < 0 or known > 1:
                        raise ValueError(f"Parameter {attr} must be between 0 and 1. Received {known}")
                    setattr(self, f"_{attr}", float(known))
                else:
                    setattr(self, f"_{attr}", tensor)
        self._variational_recurrent = variational_recurrent
        self._input_size = input_size
        self._seed = seed
        self._recurrent_input_noise = None
        self._recurrent_state_noise = None
        self._recurrent_output_noise = None
        if variational_recurrent:
            if dtype is None:
                raise ValueError("When variational_recurrent=True, dtype must be provided")

            def batch_noise(size, inner_seed):
                shape = array_ops.concat(([1], _ts.TensorShape(size).as_list()), 0)
                return random_ops.random_uniform(shape, seed=inner_seed, dtype=dtype)

            if not isinstance(self._input_keep_prob, numbers.Real) or self._input_keep_prob < 1.0:
                if input_size is None:
                    raise ValueError(
                        "When variational_recurrent=True and input_keep_prob < 1.0 or is unknown, "
                        "input_size must be provided"
                    )
                self._recurrent_input_noise = _enumerated_map_structure_up_to(
                    input_size, lambda i, s: batch_noise(s, self._gen_seed("input", i)), input_size
                )
            self._recurrent_state_noise = _enumerated_map_structure_up_to(
                cell.state_size, lambda i, s: batch_noise(s, self._gen_seed("state", i)), cell.state_size
            )
            self._recurrent_output_noise = _enumerated_map_structure_up_to(
                cell.output_size, lambda i, s: batch_noise(s, self._gen_seed("output", i)), cell.output_size
            )

    def _gen_seed(self, salt_prefix, index):
        if self._seed is None:
            return None
        digest = hashlib.md5(f"{self._seed}{salt_prefix}_{index}".encode()).hexdigest()
        return int(digest[:8], 16) & 0x7FFFFFFF

    @property
    def wrapped_cell(self):
        return self.cell

    def _dropout(self, values, salt_prefix, recurrent_noise, keep_prob, shallow=None):
        shallow = values if shallow is None else shallow
        if not self._variational_recurrent:

            def drop(i, do_dropout, value):
                if not isinstance(do_dropout, bool) or do_dropout:
                    return nn_ops.dropout(value, rate=1.0 - keep_prob, seed=self._gen_seed(salt_prefix, i))
                return value

            return _enumerated_map_structure_up_to(shallow, drop, shallow, values)

        def drop_with_noise(i, do_dropout, value, noise):
            if not isinstance(do_dropout, bool) or do_dropout:
                binary = math_ops.floor(keep_prob + noise)
                result = math_ops.divide(value, keep_prob) * binary
                result.set_shape(value.shape)
                return result
            return value

        return _enumerated_map_structure_up_to(shallow, drop_with_noise, shallow, values, recurrent_noise)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        def should_dropout(p):
            return not isinstance(p, float) or p < 1

        if should_dropout(self._input_keep_prob):
            inputs = self._dropout(inputs, "input", self._recurrent_input_noise, self._input_keep_prob)
        output, new_state = cell_call_fn(inputs, state, **kwargs)
        if should_dropout(self._state_keep_prob):
            shallow = _traverse_shallow_structure(self._dropout_state_filter, new_state)
            new_state = self._dropout(
                new_state, "state", self._recurrent_state_noise, self._state_keep_prob, shallow
            )
        if should_dropout(self._output_keep_prob):
            output = self._dropout(output, "output", self._recurrent_output_noise, self._output_keep_prob)
        return output, new_state


class ResidualWrapper(_RNNCellWrapper):
    """The cell's output plus its input (`residual_fn(inputs, outputs)` when given)."""

    def __init__(self, cell, residual_fn=None, **kwargs):
        super().__init__(cell, **kwargs)
        self._residual_fn = residual_fn

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        outputs, new_state = cell_call_fn(inputs, state, **kwargs)

        def add_inputs(inputs, outputs):
            nest.assert_same_structure(inputs, outputs)

            def add(inp, out):
                inp.shape.assert_is_compatible_with(out.shape)
                return inp + out

            return nest.map_structure(add, inputs, outputs)

        return (self._residual_fn or add_inputs)(inputs, outputs), new_state


class DeviceWrapper(_RNNCellWrapper):
    """The cell (and its zero state) built under `tf.device(device)` (devices are recorded, not used)."""

    def __init__(self, cell, device, **kwargs):
        super().__init__(cell, **kwargs)
        self._device = device

    def zero_state(self, batch_size, dtype):
        with ops.name_scope(type(self).__name__ + "ZeroState"), ops.device(self._device):
            return self.cell.zero_state(batch_size, dtype)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        with ops.device(self._device):
            return cell_call_fn(inputs, state, **kwargs)
