"""``tf.nn.raw_rnn``: an RNN whose every step's input, state and what is emitted come from a user
`loop_fn`, as TF1 builds it -- a `tf.while_loop` (`rnn/while/...`) running while some batch element is
not finished, the emitted outputs written to dynamically sized TensorArrays (`rnn_output_<i>`).

`cell` is anything like an RNNCell: `output_size`, `state_size` and `cell(inputs, state)` returning
`(output, new_state)`.
"""

from __future__ import annotations

import tree as nest

from engine.framework import dtypes, ops, tensor_shape
from engine.ops import array_ops, constant_op, grad_util, math_ops
from engine.ops.tensor_array_ops import TensorArray
from engine.ops.while_loop import while_loop


def _assert_like_rnncell(cell):
    """TF's `assert_like_rnncell("cell", cell)`."""
    conditions = [hasattr(cell, "output_size"), hasattr(cell, "state_size"),
                  hasattr(cell, "get_initial_state") or hasattr(cell, "zero_state"), callable(cell)]
    errors = ["'output_size' property is missing", "'state_size' property is missing",
              "either 'zero_state' or 'get_initial_state' method is required", "is not callable"]
    if not all(conditions):
        missing = [e for e, ok in zip(errors, conditions, strict=True) if not ok]
        raise TypeError(f"The argument 'cell' ({cell}) is not an RNNCell: {', '.join(missing)}.")


def _as_shape(size):
    is_shape = isinstance(size, (list, tuple, tensor_shape.TensorShape))
    return tensor_shape.as_shape(size if is_shape else [size])


def _emit_shape(size):
    """The static shape of one emitted element of `size` (an int, a TensorShape or a shape tensor)."""
    return tensor_shape.unknown_shape() if isinstance(size, ops.Tensor) else _as_shape(size)


def _concat(batch, size):
    """The shape [batch] + size, as a list when static, else a tensor."""
    if isinstance(size, ops.Tensor):
        return array_ops.concat([array_ops.reshape(batch, [1]), size], 0)
    dims = _as_shape(size).as_list()
    if isinstance(batch, ops.Tensor):
        return array_ops.concat([array_ops.reshape(batch, [1]), constant_op.constant(dims, dtypes.int32)], 0)
    return [batch, *dims]


def raw_rnn(cell, loop_fn, parallel_iterations=None, swap_memory=False, scope=None):
    """``tf.nn.raw_rnn``: returns (emit_ta, final_state, final_loop_state).

    `loop_fn(time, cell_output, cell_state, loop_state)` returns `(finished, next_input, next_cell_state,
    emit_output, next_loop_state)`; it is called once before the loop (with `cell_output=None`, giving the
    initial state and, as `emit_output`, the structure of what is emitted) and after every step."""
    from engine.variable_scope import variable_scope

    _assert_like_rnncell(cell)
    if not callable(loop_fn):
        raise TypeError("loop_fn must be a callable")
    parallel_iterations = parallel_iterations or 32
    with variable_scope(scope or "rnn"):
        time = constant_op.constant(0, dtype=dtypes.int32)
        finished, next_input, initial_state, emit_structure, init_loop_state = loop_fn(
            time=time, cell_output=None, cell_state=None, loop_state=None)
        flat_input = nest.flatten(next_input)
        loop_state = init_loop_state
        if loop_state is None:  # a stand-in loop variable
            loop_state = constant_op.constant(0, dtype=dtypes.int32)
        batch_sizes = [t.shape.dims[0].value if t.shape.ndims else None for t in flat_input]
        known = [b for b in batch_sizes if b is not None]
        if any(b != known[0] for b in known):
            raise ValueError(f"Dimensions {known[0]} and {next(b for b in known if b != known[0])} are not "
                             "compatible")
        const_batch_size = known[0] if known else None
        batch_size = const_batch_size if const_batch_size is not None else grad_util.shape(flat_input[0])[0]
        nest.assert_same_structure(initial_state, cell.state_size)
        flat_state = [ops.convert_to_tensor(s) for s in nest.flatten(initial_state)]
        state = nest.unflatten_as(initial_state, flat_state)
        if emit_structure is not None:
            flat_emit_structure = nest.flatten(emit_structure)
            flat_emit_size = [e.shape if e.shape.is_fully_defined() else grad_util.shape(e)
                              for e in flat_emit_structure]
            flat_emit_dtypes = [e.dtype.base_dtype for e in flat_emit_structure]
        else:
            emit_structure = cell.output_size
            flat_emit_size = nest.flatten(emit_structure)
            flat_emit_dtypes = [flat_state[0].dtype.base_dtype] * len(flat_emit_size)
        flat_emit_ta = [
            TensorArray(dtype=dtype, dynamic_size=True, size=0, name=f"rnn_output_{i}",
                        element_shape=tensor_shape.TensorShape([const_batch_size]).concatenate(_emit_shape(size)))
            for i, (dtype, size) in enumerate(zip(flat_emit_dtypes, flat_emit_size, strict=True))
        ]
        emit_ta = nest.unflatten_as(emit_structure, flat_emit_ta)
        flat_zero_emit = [array_ops.zeros(_concat(batch_size, size), dtype)
                          for size, dtype in zip(flat_emit_size, flat_emit_dtypes, strict=True)]
        zero_emit = nest.unflatten_as(emit_structure, flat_zero_emit)

        def condition(unused_time, elements_finished, *_):
            return math_ops.logical_not(math_ops.reduce_all(elements_finished))

        def body(time, elements_finished, current_input, emit_ta, state, loop_state):
            next_output, cell_state = cell(current_input, state)
            nest.assert_same_structure(state, cell_state)
            nest.assert_same_structure(cell.output_size, next_output)
            next_time = time + 1
            next_finished, next_input, next_state, emit_output, next_loop_state = loop_fn(
                next_time, next_output, cell_state, loop_state)
            nest.assert_same_structure(state, next_state)
            nest.assert_same_structure(current_input, next_input)
            nest.assert_same_structure(emit_ta, emit_output)
            loop_state = loop_state if next_loop_state is None else next_loop_state

            def copy_some_through(current, candidate):
                """Finished elements keep their old value (zeros for what is emitted); scalars and
                TensorArrays pass."""
                def copy(cur, cand):
                    if isinstance(cur, TensorArray) or cur.shape.ndims == 0:
                        return cand
                    return array_ops.where(elements_finished, cur, cand)

                return nest.map_structure(copy, current, candidate)

            emit_output = copy_some_through(zero_emit, emit_output)
            next_state = copy_some_through(state, next_state)
            emit_ta = nest.map_structure(lambda ta, emit: ta.write(time, emit), emit_ta, emit_output)
            elements_finished = math_ops.logical_or(elements_finished, next_finished)
            return next_time, elements_finished, next_input, emit_ta, next_state, loop_state

        loop_vars = [time, finished, next_input, emit_ta, state, loop_state]
        returned = while_loop(condition, body, loop_vars=loop_vars, parallel_iterations=parallel_iterations,
                              swap_memory=swap_memory)
        emit_ta, final_state, final_loop_state = returned[-3:]
        if init_loop_state is None:
            final_loop_state = None
        return emit_ta, final_state, final_loop_state
