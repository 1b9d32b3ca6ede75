"""Recurrent networks over a Python list of time steps: `tf.nn.static_rnn` (= `tf.contrib.rnn.static_rnn`)
and `tf.nn.static_bidirectional_rnn`, built as TF 1.x's `rnn.py` builds them.

`static_rnn` unrolls the cell in variable scope `rnn` (the first step creates the variables, later steps
reuse them), so gradients need no loop. With `sequence_length`, each step is TF's `_rnn_step`: a `cond`
that skips the cell once every sequence has ended, and another that, while some have, keeps their
last state and outputs zeros for them (`Select` on `time >= sequence_length`).
"""

from __future__ import annotations

import tree as nest

from engine.framework import dtypes, ops
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, math_ops
from engine.ops.cond import cond
from engine.ops.reverse_op import reverse_sequence
from engine.ops.rnn_cell_impl import _size_shape, assert_like_rnncell
from engine.variable_scope import variable_scope


def _infer_state_dtype(explicit_dtype, state):
    """`dtype` when given, else the one dtype of the state's tensors (TF's errors when there is none)."""
    if explicit_dtype is not None:
        return explicit_dtype
    if nest.is_nested(state):
        found = [element.dtype for element in nest.flatten(state)]
        if not found:
            raise ValueError(f"Unable to infer dtype from argument state={state}.")
        if any(d != found[0] for d in found):
            raise ValueError(
                f"Argument state={state} has tensors of different inferred dtypes. Unable to infer "
                f"a single representative dtype. Dtypes received: {found}"
            )
        return found[0]
    return state.dtype


def _initial_state(cell, initial_state, batch_size, dtype):
    """`initial_state`, else the cell's zero state (which needs `dtype`)."""
    if initial_state is not None:
        return initial_state
    if not dtype:
        raise ValueError("If no initial_state is provided, argument `dtype` must be specified")
    return cell.get_initial_state(inputs=None, batch_size=batch_size, dtype=dtype)


def _check_inputs(inputs):
    if not nest.is_nested(inputs):
        raise TypeError(f"Argument `inputs` must be a sequence. Received: {inputs}")
    if not inputs:
        raise ValueError("Argument `inputs` must not be empty.")


def _rnn_step(
    time,
    sequence_length,
    min_sequence_length,
    max_sequence_length,
    zero_output,
    state,
    call_cell,
    skip_conditionals=False,
):
    """One step of a batch whose sequences end at `sequence_length`: past every end, zeros and the state as
    it is (the cell is not run); before the first end, the cell's results; between, per entry.  With
    `skip_conditionals` (dynamic_rnn's loop body) the cell always runs and only the per-entry Selects
    are built."""
    flat_state = nest.flatten(state)
    flat_zero_output = nest.flatten(zero_output)
    copy_cond = time >= sequence_length  # which batch entries have ended

    def copy_one_through(old, new):
        if old.shape.rank == 0:
            return new
        with ops.colocate_with(new):
            return array_ops.where(copy_cond, old, new)

    def copy_some_through(flat_new_output, flat_new_state):
        return [copy_one_through(z, n) for z, n in zip(flat_zero_output, flat_new_output, strict=False)] + [
            copy_one_through(s, n) for s, n in zip(flat_state, flat_new_state, strict=False)
        ]

    def maybe_copy_some_through():
        new_output, new_state = call_cell()
        nest.assert_same_structure(zero_output, new_output)
        nest.assert_same_structure(state, new_state)
        flat_new_state, flat_new_output = nest.flatten(new_state), nest.flatten(new_output)
        return cond(
            time < min_sequence_length,
            lambda: flat_new_output + flat_new_state,
            lambda: copy_some_through(flat_new_output, flat_new_state),
        )

    if skip_conditionals:
        new_output, new_state = call_cell()
        nest.assert_same_structure(zero_output, new_output)
        nest.assert_same_structure(state, new_state)
        both = copy_some_through(nest.flatten(new_output), nest.flatten(new_state))
    else:
        past_every_end = time >= max_sequence_length
        both = cond(past_every_end, lambda: flat_zero_output + flat_state, maybe_copy_some_through)
    final_output, final_state = both[: len(flat_zero_output)], both[len(flat_zero_output) :]
    for value, like in zip(final_output, flat_zero_output, strict=False):
        value.set_shape(like.shape)
    for value, like in zip(final_state, flat_state, strict=False):
        value.set_shape(like.shape)
    return (nest.unflatten_as(zero_output, final_output), nest.unflatten_as(state, final_state))


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """``tf.nn.static_rnn``: `cell` applied to each of `inputs` (a list of [batch, input_size] tensors)
    in turn; returns (the list of outputs, the final state)."""
    assert_like_rnncell("cell", cell)
    _check_inputs(inputs)
    outputs = []
    with variable_scope(scope or "rnn") as varscope:
        first_input = inputs
        while nest.is_nested(first_input):
            first_input = first_input[0]
        if first_input.shape.rank != 1:
            fixed_batch_size = first_input.shape.with_rank_at_least(2)[0]
            for flat_input in nest.flatten(inputs):
                input_shape = flat_input.shape.with_rank_at_least(2)
                fixed_batch_size.assert_is_compatible_with(input_shape[0])
                for i, size in enumerate(input_shape[1:].dims):
                    if _ts.dimension_value(size) is None:
                        raise ValueError(
                            f"Input size (dimension {i} of input {flat_input}) must be accessible via "
                            "shape inference, but saw value None."
                        )
        else:
            fixed_batch_size = first_input.shape.with_rank_at_least(1)[0]
        batch_size = _ts.dimension_value(fixed_batch_size) or array_ops.shape_v1(first_input)[0]
        state = _initial_state(cell, initial_state, batch_size, dtype)
        if sequence_length is not None:
            sequence_length = ops.convert_to_tensor(sequence_length, name="sequence_length")
            if sequence_length.shape.rank not in (None, 1):
                raise ValueError(
                    f"Argument `sequence_length` must be a vector of length {batch_size}. Received "
                    f"sequence_length={sequence_length}."
                )

            def zero_output_for(output_size):
                output = array_ops.zeros(
                    _size_shape(batch_size, output_size), _infer_state_dtype(dtype, state)
                )
                output.set_shape(_size_shape(_ts.dimension_value(fixed_batch_size), output_size, static=True))
                return output

            zero_output = nest.map_structure(zero_output_for, cell.output_size)
            sequence_length = array_ops.cast(sequence_length, dtypes.int32)
            lengths = (
                sequence_length,
                math_ops.reduce_min(sequence_length),
                math_ops.reduce_max(sequence_length),
            )
        for time, input_ in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()

            def call_cell(input_=input_, state=state):
                return cell(input_, state)

            if sequence_length is not None:
                output, state = _rnn_step(time, *lengths, zero_output, state, call_cell)
            else:
                output, state = call_cell()
            outputs.append(output)
        return outputs, state


def _reverse_seq(input_seq, lengths):
    """The list of steps reversed; with `lengths`, each batch entry's first lengths[b] steps reversed (one
    Pack, ReverseSequence and Unpack per flattened component)."""
    if lengths is None:
        return list(reversed(input_seq))
    flat_input_seq = tuple(nest.flatten(input_) for input_ in input_seq)
    flat_results = [[] for _ in input_seq]
    for sequence in zip(*flat_input_seq, strict=False):
        input_shape = _ts.unknown_shape(rank=sequence[0].shape.rank)
        for input_ in sequence:
            input_shape.assert_is_compatible_with(input_.shape)
            input_.set_shape(input_shape)
        reversed_steps = array_ops.unstack(reverse_sequence(array_ops.stack(sequence), lengths, 0, 1))
        for r, flat_result in zip(reversed_steps, flat_results, strict=False):
            r.set_shape(input_shape)
            flat_result.append(r)
    return [nest.unflatten_as(input_, flat) for input_, flat in zip(input_seq, flat_results, strict=True)]


def static_bidirectional_rnn(
    cell_fw,
    cell_bw,
    inputs,
    initial_state_fw=None,
    initial_state_bw=None,
    dtype=None,
    sequence_length=None,
    scope=None,
):
    """``tf.nn.static_bidirectional_rnn``: a forward `static_rnn` in `bidirectional_rnn/fw` and one over the
    reversed steps in `bidirectional_rnn/bw`; returns (per step the two outputs concatenated, the forward
    final state, the backward final state)."""
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    _check_inputs(inputs)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, output_state_fw = static_rnn(
                cell_fw, inputs, initial_state_fw, dtype, sequence_length, scope=fw_scope
            )
        with variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_seq(inputs, sequence_length)
            tmp, output_state_bw = static_rnn(
                cell_bw, reversed_inputs, initial_state_bw, dtype, sequence_length, scope=bw_scope
            )
    output_bw = _reverse_seq(tmp, sequence_length)
    pairs = zip(nest.flatten(output_fw), nest.flatten(output_bw), strict=True)
    flat_outputs = tuple(array_ops.concat([fw, bw], 1) for fw, bw in pairs)
    return nest.unflatten_as(output_fw, flat_outputs), output_state_fw, output_state_bw
