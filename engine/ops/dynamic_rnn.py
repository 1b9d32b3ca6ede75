"""`tf.nn.dynamic_rnn`, `tf.nn.bidirectional_dynamic_rnn` and `tf.nn.raw_rnn`, built as TF 1.x's
`rnn.py` builds them: one `tf.while_loop` (`rnn/while/...`) over the time steps, the inputs unstacked
into a TensorArray (`rnn/dynamic_rnn/input_0`) read once a step, the outputs written into another
(`output_0`) and stacked after the loop. The cell is built once, inside the loop body, so its variables
are those `static_rnn` creates (`rnn/basic_lstm_cell/kernel`) and a TF checkpoint restores into the
same model.

With `sequence_length`, each step keeps the state of the sequences that have ended and writes zeros
for them (`Select` on `time >= sequence_length`), and the loop stops after the longest sequence.
`parallel_iterations` and `swap_memory` are passed to the loop (which runs iterations one at a time).
"""

from __future__ import annotations

import tree as nest

from engine.framework import dtypes, ops, tensor_util
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, math_ops
from engine.ops.constant_op import constant
from engine.ops.logging_ops import Assert
from engine.ops.reverse_op import reverse, reverse_sequence
from engine.ops.rnn import _infer_state_dtype, _initial_state, _rnn_step
from engine.ops.rnn_cell_impl import _size_shape, assert_like_rnncell
from engine.ops.tensor_array_ops import TensorArray
from engine.ops.while_loop import while_loop
from engine.variable_scope import variable_scope


def _transpose_batch_time(x):
    """[batch, time, ...] <-> [time, batch, ...] (a Transpose by a computed permutation, as TF)."""
    static = x.shape
    if static.rank is not None and static.rank < 2:
        return x
    permutation = array_ops.concat(([1, 0], math_ops.range(2, array_ops.rank(x))), axis=0)
    x_t = array_ops.transpose(x, permutation)
    x_t.set_shape(_ts.TensorShape([static.dims[1].value, static.dims[0].value]).concatenate(static[2:]))
    return x_t


def _best_effort_input_batch_size(flat_input):
    """The static batch size of time-major inputs, else `tf.shape(input)[1]`."""
    for input_ in flat_input:
        shape = input_.shape
        if shape.rank is None:
            continue
        if shape.rank < 2:
            raise ValueError(
                f"Input tensor should have rank >= 2. Received input={input_} of rank {shape.rank}"
            )
        if shape.dims[1].value is not None:
            return shape.dims[1].value
    return array_ops.shape_v1(flat_input[0])[1]


def _check_input_shapes(flat_input):
    """The inputs' static shapes (rank >= 3), which must agree on time steps and batch size and have
    known depths."""
    got = tuple(input_.shape.with_rank_at_least(3) for input_ in flat_input)
    const_time_steps, const_batch_size = got[0].as_list()[:2]
    for input_, shape in zip(flat_input, got, strict=True):
        if not shape[2:].is_fully_defined():
            raise ValueError(
                "Input size (depth of inputs) must be accessible via shape inference, but saw value "
                f"None for input={input_}."
            )
        if shape.dims[0].value != const_time_steps:
            raise ValueError(
                "Time steps is not the same for all the elements in the input in a batch. Received "
                f"time steps={shape.dims[0].value} for input={input_}."
            )
        if shape.dims[1].value != const_batch_size:
            raise ValueError(
                "Batch_size is not the same for all the elements in the input. Received batch "
                f"size={shape.dims[1].value} for input={input_}."
            )
    return got, const_time_steps, const_batch_size


def _dynamic_rnn_loop(
    cell, inputs, initial_state, parallel_iterations, swap_memory, sequence_length=None, dtype=None
):
    """The while loop over time-major `inputs`; returns (time-major outputs, final state)."""
    state = initial_state
    flat_input = nest.flatten(inputs)
    flat_output_size = nest.flatten(cell.output_size)
    time_steps = array_ops.shape_v1(flat_input[0])[0]
    batch_size = _best_effort_input_batch_size(flat_input)
    inputs_got_shape, const_time_steps, const_batch_size = _check_input_shapes(flat_input)
    state_dtype = _infer_state_dtype(dtype, state)
    flat_zero_output = tuple(
        array_ops.zeros(_size_shape(batch_size, size), state_dtype) for size in flat_output_size
    )
    zero_output = nest.unflatten_as(cell.output_size, flat_zero_output)
    if sequence_length is not None:
        min_sequence_length = math_ops.reduce_min(sequence_length)
        max_sequence_length = math_ops.reduce_max(sequence_length)
        lengths = (sequence_length, min_sequence_length, max_sequence_length)
    else:
        max_sequence_length = time_steps
    time = constant(0, dtype=dtypes.int32, name="time")
    with ops.name_scope("dynamic_rnn") as base_name:
        pass

    def create_ta(name, element_shape, dtype):
        return TensorArray(
            dtype=dtype, size=time_steps, element_shape=element_shape, tensor_array_name=base_name + name
        )

    output_ta = tuple(
        create_ta(
            f"output_{i}", _ts.TensorShape([const_batch_size]).concatenate(_ts.TensorShape(size)), state_dtype
        )
        for i, size in enumerate(flat_output_size)
    )
    input_ta = tuple(
        create_ta(f"input_{i}", element_shape=x.shape[1:], dtype=x.dtype) for i, x in enumerate(flat_input)
    )
    input_ta = tuple(ta.unstack(x) for ta, x in zip(input_ta, flat_input, strict=True))

    def time_step(time, output_ta_t, state):
        input_t = tuple(ta.read(time) for ta in input_ta)
        for x, shape in zip(input_t, inputs_got_shape, strict=True):
            x.set_shape(shape[1:])
        input_t = nest.unflatten_as(inputs, input_t)

        def call_cell():
            return cell(input_t, state)

        if sequence_length is not None:
            output, new_state = _rnn_step(
                time, *lengths, zero_output, state, call_cell, skip_conditionals=True
            )
        else:
            output, new_state = call_cell()
        output_ta_t = tuple(
            ta.write(time, out) for ta, out in zip(output_ta_t, nest.flatten(output), strict=True)
        )
        return time + 1, output_ta_t, new_state

    # At least one step, so the cell (and its variables) is built even for empty sequences.
    loop_bound = math_ops.minimum(time_steps, math_ops.maximum(1, max_sequence_length))
    _, output_final_ta, final_state = while_loop(
        cond=lambda time, *_: time < loop_bound,
        body=time_step,
        loop_vars=(time, output_ta, state),
        parallel_iterations=parallel_iterations,
        maximum_iterations=time_steps,
        swap_memory=swap_memory,
    )
    final_outputs = tuple(ta.stack() for ta in output_final_ta)
    for output, size in zip(final_outputs, flat_output_size, strict=True):
        output.set_shape(_size_shape([const_time_steps, const_batch_size], size, static=True))
    return nest.unflatten_as(cell.output_size, final_outputs), final_state


def dynamic_rnn(
    cell,
    inputs,
    sequence_length=None,
    initial_state=None,
    dtype=None,
    parallel_iterations=None,
    swap_memory=False,
    time_major=False,
    scope=None,
):
    """``tf.nn.dynamic_rnn``: `cell` run over the time axis of `inputs` ([batch, time, ...], or [time,
    batch, ...] with `time_major`) in a while loop; returns (outputs in the inputs' layout, final state)."""
    assert_like_rnncell("cell", cell)
    with variable_scope(scope or "rnn"):
        flat_input = nest.flatten(inputs)
        if not time_major:
            flat_input = tuple(_transpose_batch_time(ops.convert_to_tensor(x)) for x in flat_input)
        parallel_iterations = parallel_iterations or 32
        if sequence_length is not None:
            sequence_length = array_ops.cast(sequence_length, dtypes.int32)
            if sequence_length.shape.rank not in (None, 1):
                raise ValueError(
                    "Argument sequence_length must be a vector of length batch_size. Received "
                    f"sequence_length={sequence_length} of shape: {sequence_length.shape}"
                )
            sequence_length = array_ops.identity(sequence_length, name="sequence_length")  # to find it
        batch_size = _best_effort_input_batch_size(flat_input)
        state = _initial_state(cell, initial_state, batch_size, dtype)
        if sequence_length is not None:
            x_shape = array_ops.shape_v1(sequence_length)
            packed_shape = array_ops.stack([batch_size])
            check = Assert(
                math_ops.reduce_all(math_ops.equal(x_shape, packed_shape)),
                [
                    f"Expected shape for Tensor {sequence_length.name} is ",
                    packed_shape,
                    " but saw shape: ",
                    x_shape,
                ],
            )
            with ops.control_dependencies([check]):
                sequence_length = array_ops.identity(sequence_length, name="CheckSeqLen")
        inputs = nest.unflatten_as(inputs, flat_input)
        outputs, final_state = _dynamic_rnn_loop(
            cell,
            inputs,
            state,
            parallel_iterations=parallel_iterations,
            swap_memory=swap_memory,
            sequence_length=sequence_length,
            dtype=dtype,
        )
        if not time_major:
            outputs = nest.map_structure(_transpose_batch_time, outputs)
        return outputs, final_state


def bidirectional_dynamic_rnn(
    cell_fw,
    cell_bw,
    inputs,
    sequence_length=None,
    initial_state_fw=None,
    initial_state_bw=None,
    dtype=None,
    parallel_iterations=None,
    swap_memory=False,
    time_major=False,
    scope=None,
):
    """``tf.nn.bidirectional_dynamic_rnn``: a forward `dynamic_rnn` in `bidirectional_rnn/fw` and one over
    the time-reversed inputs (each sequence reversed within its length) in `bidirectional_rnn/bw`; returns
    ((forward outputs, backward outputs re-reversed), (forward final state, backward final state))."""
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)

    def reversed_in_time(x):
        if sequence_length is not None:
            return reverse_sequence(
                input=x, seq_lengths=sequence_length, seq_axis=time_axis, batch_axis=batch_axis
            )
        return reverse(x, axis=[time_axis])

    common = {
        "sequence_length": sequence_length,
        "dtype": dtype,
        "parallel_iterations": parallel_iterations,
        "swap_memory": swap_memory,
        "time_major": time_major,
    }
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, output_state_fw = dynamic_rnn(
                cell_fw, inputs, initial_state=initial_state_fw, scope=fw_scope, **common
            )
        with variable_scope("bw") as bw_scope:
            inputs_reverse = nest.map_structure(reversed_in_time, inputs)
            tmp, output_state_bw = dynamic_rnn(
                cell_bw, inputs_reverse, initial_state=initial_state_bw, scope=bw_scope, **common
            )
    output_bw = reversed_in_time(tmp)
    return (output_fw, output_bw), (output_state_fw, output_state_bw)


def raw_rnn(cell, loop_fn, parallel_iterations=None, swap_memory=False, scope=None):
    """``tf.nn.raw_rnn``: `cell` in a while loop driven by `loop_fn(time, cell_output, cell_state,
    loop_state) -> (elements_finished, next_input, next_cell_state, emit_output, next_loop_state)`, called
    once with (0, None, None, None) for the start; the loop runs until every batch entry has finished.
    Returns (the emitted outputs as TensorArrays, the final state, the final loop state or None)."""
    assert_like_rnncell("cell", cell)
    if not callable(loop_fn):
        raise TypeError(f"Argument `loop_fn` must be a callable. Received: {loop_fn}.")
    parallel_iterations = parallel_iterations or 32
    with variable_scope(scope or "rnn"):
        time = constant(0, dtype=dtypes.int32)
        elements_finished, next_input, initial_state, emit_structure, init_loop_state = loop_fn(
            time, None, None, None
        )
        flat_input = nest.flatten(next_input)
        loop_state = init_loop_state if init_loop_state is not None else constant(0, dtype=dtypes.int32)
        static_batch_size = _ts.dimension_at_index(flat_input[0].shape, 0)
        for x in flat_input:
            static_batch_size.assert_is_compatible_with(_ts.dimension_at_index(x.shape, 0))
        const_batch_size = _ts.dimension_value(static_batch_size)
        batch_size = (
            const_batch_size if const_batch_size is not None else array_ops.shape_v1(flat_input[0])[0]
        )
        nest.assert_same_structure(initial_state, cell.state_size)
        state = nest.map_structure(ops.convert_to_tensor, initial_state)
        if emit_structure is not None:
            flat_emit = nest.flatten(emit_structure)
            flat_emit_size = [
                e.shape if e.shape.is_fully_defined() else array_ops.shape_v1(e) for e in flat_emit
            ]
            flat_emit_dtypes = [e.dtype for e in flat_emit]
        else:
            emit_structure = cell.output_size
            flat_emit_size = nest.flatten(emit_structure)
            flat_emit_dtypes = [nest.flatten(state)[0].dtype] * len(flat_emit_size)

        def known_shape(size):
            if isinstance(size, ops.Tensor):
                return _ts.as_shape(tensor_util.constant_value(size))
            return _ts.TensorShape(size)

        flat_emit_ta = [
            TensorArray(
                dtype=dtype,
                dynamic_size=True,
                size=0,
                name=f"rnn_output_{i}",
                element_shape=_ts.TensorShape([const_batch_size]).concatenate(known_shape(size)),
            )
            for i, (dtype, size) in enumerate(zip(flat_emit_dtypes, flat_emit_size, strict=True))
        ]
        emit_ta = nest.unflatten_as(emit_structure, flat_emit_ta)
        zero_emit = nest.unflatten_as(
            emit_structure,
            [
                array_ops.zeros(_size_shape(batch_size, size), dtype)
                for size, dtype in zip(flat_emit_size, flat_emit_dtypes, strict=True)
            ],
        )

        def condition(unused_time, elements_finished, *_):
            return math_ops.logical_not(math_ops.reduce_all(elements_finished))

        def body(time, elements_finished, current_input, emit_ta, state, loop_state):
            next_output, cell_state = cell(current_input, state)
            nest.assert_same_structure(state, cell_state)
            nest.assert_same_structure(cell.output_size, next_output)
            next_time = time + 1
            next_finished, next_input, next_state, emit_output, next_loop_state = loop_fn(
                next_time, next_output, cell_state, loop_state
            )
            nest.assert_same_structure(state, next_state)
            nest.assert_same_structure(current_input, next_input)
            nest.assert_same_structure(emit_ta, emit_output)
            loop_state = loop_state if next_loop_state is None else next_loop_state

            def copy_some_through(current, candidate):
                # Finished entries keep their state and emit zeros.
                def copy(cur, cand):
                    if cur.shape.rank == 0:
                        return cand
                    with ops.colocate_with(cand):
                        return array_ops.where(elements_finished, cur, cand)

                return nest.map_structure(copy, current, candidate)

            emit_output = copy_some_through(zero_emit, emit_output)
            next_state = copy_some_through(state, next_state)
            emit_ta = nest.map_structure(lambda ta, emit: ta.write(time, emit), emit_ta, emit_output)
            elements_finished = math_ops.logical_or(elements_finished, next_finished)
            return next_time, elements_finished, next_input, emit_ta, next_state, loop_state

        returned = while_loop(
            condition,
            body,
            loop_vars=[time, elements_finished, next_input, emit_ta, state, loop_state],
            parallel_iterations=parallel_iterations,
            swap_memory=swap_memory,
        )
        emit_ta, final_state, final_loop_state = returned[-3:]
        return emit_ta, final_state, (None if init_loop_state is None else final_loop_state)
