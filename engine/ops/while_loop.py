"""`tf.while_loop` in TF1's graph form, and what its gradient loop adds to a loop (control_flow_state.py).

A loop with loop variables ``v`` is built as TF1 builds it (names as TF gives them)::

    while/Enter    = Enter(v)  (frame "while/while_context")     while/Merge = Merge(Enter, NextIteration)
    while/Less     = ... cond(Merge) ...                          while/LoopCond = LoopCond(cond result)
    while/Switch   = Switch(Merge, LoopCond)                      while/Identity = Identity(Switch:1)
    ... body(Identity) ...                                        while/NextIteration = NextIteration(body)
    while/Exit     = Exit(Switch:0)

Ops built in the cond and body are in a `WhileContext`: a tensor from outside the loop is read through
a constant Enter (``<op>/Enter``, the value in every iteration), and an op with no inputs, or only loop
invariants, gets a control edge from the loop's pivot so that it runs once per iteration.  The dataflow
executor (engine/runtime/dataflow.py) runs the frames.
"""

from __future__ import annotations

import tree as nest

from engine.framework import dtypes, ops, tensor_shape
from engine.ops import array_ops, frame_ops
from engine.ops import control_flow_grad as _control_flow_grad  # noqa: F401 - registers the frame gradients
from engine.ops import stack_ops as _stack_ops  # noqa: F401 - the ops a loop's gradient is built from
from engine.ops.flow_context import FlowContext


def _shape_less_than_or_equal(shape1, shape2):
    """Whether `shape1` is at least as specific as `shape2` (TF's `_ShapeLessThanOrEqual`)."""
    if shape2.dims is None:
        return True
    if shape1.ndims != shape2.ndims:
        return False
    return all(
        d2.value is None or d1.value == d2.value for d1, d2 in zip(shape1.dims, shape2.dims, strict=True)
    )


def _output_context(op):
    ctx = op._get_control_flow_context()
    if ctx is not None and op.op_def.control_flow == "exit":
        ctx = ctx.outer_context
    return ctx


class WhileContext(FlowContext):
    """The loop being built: ops created in its cond and body are rewired to read outside values through
    constant Enters (TF's `WhileContext`)."""

    def __init__(self, parallel_iterations, name, back_prop=True, swap_memory=False, maximum_iterations=None,
                 grad_state=None):
        super().__init__()
        self.parallel_iterations = parallel_iterations
        self.back_prop = back_prop
        self.swap_memory = swap_memory
        self.maximum_iterations = maximum_iterations
        self.grad_state = grad_state  # a gradient loop: its control_flow_state.GradLoopState
        self.name = self.graph.unique_name(name)
        self.pivot = None  # the LoopCond
        self._pivot_for_pred = None  # the first Merge
        self._pivot_for_body = None  # the first body Identity
        self.loop_enters = []
        self.loop_exits = []

    def while_context(self):
        return self

    def control_pivot(self):
        return self._pivot_for_body if self._pivot_for_body is not None else self._pivot_for_pred

    def add_value(self, val):
        """The tensor standing for `val` inside the loop: `val` when it belongs here, else (once per
        value) a constant Enter of it."""
        if val.name in self._values or val.op._get_control_flow_context() is self:
            return self._external_values.get(val.name, val)
        self._values.add(val.name)
        current = self.graph._get_control_flow_context()
        grad_ctxt = current.while_context() if current is not None else None
        if grad_ctxt is not None and grad_ctxt.grad_state is not None:
            # Building a loop's gradient: a value of the forward loop is read from its history (a stack).
            forward_ctxt = _while_context_of(val.op)
            if val.op.op_def.control_flow == "exit" and forward_ctxt is not None:
                outer = forward_ctxt.outer_context
                forward_ctxt = outer.while_context() if outer is not None else None
            if forward_ctxt is grad_ctxt.grad_state.forward_context:
                real = grad_ctxt.grad_state.get_real_value(val)
                self._external_values[val.name] = real
                return real
        result = val
        if self.outer_context is not None:
            result = self.outer_context.add_value(val)
        enter = self.as_current(lambda: frame_ops.enter(result, self.name, is_constant=True,
                                                         parallel_iterations=self.parallel_iterations))
        self._fix_control_inputs(enter)
        self._values.add(enter.name)
        self._external_values[val.name] = enter
        return enter

    def add_op(self, op):
        """Called for each op created while this loop is the current context (ops.Graph.create_op)."""
        if op.op_def.control_flow == "enter" and op._get_attr_or("frame_name", "") == self.name:
            pass  # the loop's own Enters, wired by the builder
        elif not op.inputs:
            internal, external = self._split_control_inputs(op)
            if not internal:
                op._add_control_input(self.control_pivot().op)
            self._pull_in(op, external)
        else:
            for index, x in enumerate(op.inputs):
                real = self.add_value(x)
                if real is not x:
                    op._update_input(index, real)
            _, external = self._split_control_inputs(op)
            if not op.control_inputs and all(
                x.op.op_def.control_flow == "enter" and x.op._get_attr_or("is_constant", False)
                for x in op.inputs
            ):
                op._add_control_input(self.control_pivot().op)  # only loop invariants: once per iteration
            self._pull_in(op, external)
        for t in op.outputs:
            self.mark(t.name)
        if self.outer_context is not None:
            self.outer_context.add_inner_op(op)

    def _split_control_inputs(self, op):
        """Drops the op's control inputs from outside this loop; returns (kept, dropped)."""
        internal, external = [], []
        for c in op.control_inputs:
            ctx = _output_context(c)
            (internal if ctx is not None and ctx.while_context() is self else external).append(c)
        if external:
            op._remove_all_control_inputs()
            op._add_control_inputs(internal)
        return internal, external

    def _pull_in(self, op, external):
        """An outside control input becomes one on an Identity of that op's output inside the loop."""
        if not external:
            return
        pulled = self.as_current(lambda: [array_ops.identity(c.outputs[0]).op for c in external if c.outputs])
        op._add_control_inputs(pulled)

    def _fix_control_inputs(self, enter):
        """An Enter keeps the control dependencies active around the loop (built with none), those of ops
        outside any loop: as TF's `_FixControlInputsAndContext`, not one inside this loop (an
        invariant read in a `control_dependencies` block of the loop's condition or body)."""
        enter.op._set_control_flow_context(self)
        if self.outer_context is None:
            deps = self.graph._control_dependencies_for_inputs([enter.op.inputs[0].op])
            deps = [d for d in deps if d is not enter.op and _output_context(d) is None]
            enter.op._add_control_inputs(deps)

    def exit_result(self, result):
        """The tensors `result` (Exits of this loop) belong to the context around it."""
        if self.outer_context is not None:
            for x in result:
                self.outer_context.add_name(x.name)

    # --- what a loop's gradient adds (TF's WhileContext.AddForwardLoopCounter and friends) -------------
    def add_forward_loop_counter(self, outer_grad_state):
        """A counter of this (forward) loop's iterations, added as one more loop variable; returns (the
        Exit with the count, the NextIteration of the count)."""
        from engine.ops import constant_op, math_ops

        n = constant_op.constant(0, name="f_count")
        if outer_grad_state is not None:  # count again in each iteration of the outer loop
            n.op._add_control_input(outer_grad_state.forward_index.op.inputs[0].op)
        self.enter()
        self.add_name(n.name)
        enter_n = frame_ops.enter(n, self.name, is_constant=False,
                                  parallel_iterations=self.parallel_iterations, name="f_count")
        self.loop_enters.append(enter_n)
        merge_n = frame_ops.merge([enter_n, enter_n])[0]
        switch_n = frame_ops.switch(merge_n, self.pivot)
        index = math_ops.add(switch_n[1], 1)
        next_n = frame_ops.next_iteration(index)
        merge_n.op._update_input(1, next_n)
        total_iterations = frame_ops.exit(switch_n[0], name="f_count")
        self.loop_exits.append(total_iterations)
        self.exit_result([total_iterations])
        self.exit()
        return total_iterations, next_n

    def add_backprop_loop_counter(self, count, outer_grad_state):
        """Makes this (gradient) loop run `count` iterations, counting down; returns the NextIteration of
        the count."""
        from engine.ops import constant_op, math_ops

        one = constant_op.constant(1, name="b_count")
        self.enter()
        self.add_name(count.name)
        enter_count = frame_ops.enter(count, self.name, is_constant=False,
                                      parallel_iterations=self.parallel_iterations, name="b_count")
        self.loop_enters.append(enter_count)
        merge_count = frame_ops.merge([enter_count, enter_count])[0]
        self._pivot_for_pred = merge_count
        pred = math_ops.greater_equal(merge_count, one)
        self.pivot = frame_ops.loop_cond(pred, name="b_count")
        switch_count = frame_ops.switch(merge_count, self.pivot)
        index = math_ops.subtract(switch_count[1], one)
        self._pivot_for_body = index
        next_count = frame_ops.next_iteration(index)
        merge_count.op._update_input(1, next_count)
        final_zero = frame_ops.exit(switch_count[0], name="b_count")
        self.loop_exits.append(final_zero)
        if outer_grad_state is not None:
            outer_grad_state.grad_sync._add_control_input(final_zero.op)
        self.exit_result([final_zero])
        self.exit()
        return next_count

    def add_backprop_accumulator(self, op, grad):
        """The sum over all iterations of `grad`, the gradient of the loop invariant `op` (a constant
        Enter) in one iteration: one more variable of this gradient loop, starting from zeros."""
        from engine.ops import constant_op, grad_util, math_ops
        from engine.ops.array_ops import zeros

        self.exit()
        shape = grad.shape
        if shape.is_fully_defined():
            if self.outer_context is not None:
                self.outer_context.enter()
            acc = constant_op.constant(0, grad.dtype.base_dtype, shape=shape.as_list(), name="b_acc")
            if self.outer_context is not None:
                self.outer_context.exit()
        else:
            value = op.inputs[0]
            if isinstance(self.outer_context, WhileContext) and self.outer_context.grad_state is not None:
                forward_ctxt = self.grad_state.forward_context
                forward_ctxt.outer_context.enter()
                zeros_shape = grad_util.shape_internal(value)
                forward_ctxt.outer_context.exit()
                outer_grad_state = self.grad_state.outer_grad_state
                history_zeros_shape = outer_grad_state.add_forward_accumulator(zeros_shape)
                self.outer_context.enter()
                real_shape = outer_grad_state.add_backprop_accumulated_value(history_zeros_shape, zeros_shape)
                acc = zeros(real_shape, grad.dtype.base_dtype)
                self.outer_context.exit()
            else:
                if self.outer_context is not None:
                    self.outer_context.enter()
                zeros_shape = grad_util.shape_internal(value)
                acc = zeros(zeros_shape, grad.dtype.base_dtype)
                if self.outer_context is not None:
                    self.outer_context.exit()
        self.enter()
        self.add_name(acc.name)
        enter_acc = frame_ops.enter(acc, self.name, is_constant=False,
                                    parallel_iterations=self.parallel_iterations, name="b_acc")
        self.loop_enters.append(enter_acc)
        merge_acc = frame_ops.merge([enter_acc, enter_acc], name="b_acc")[0]
        switch_acc_false, switch_acc_true = frame_ops.switch(merge_acc, self.pivot)
        add_acc = math_ops.add(switch_acc_true, grad)
        next_acc = frame_ops.next_iteration(add_acc)
        merge_acc.op._update_input(1, next_acc)
        result_acc = frame_ops.exit(switch_acc_false, name="b_acc")
        self.loop_exits.append(result_acc)
        self.exit_result([result_acc])
        return result_acc

    def add_backprop_indexed_slices_accumulator(self, op, grad):
        """As `add_backprop_accumulator` for an IndexedSlices gradient (an embedding looked up in the loop
        body), as TF's AddBackpropIndexedSlicesAccumulator: the iterations' values and indices are
        concatenated onto a one-row zero start (index 0, so the sum is unchanged), and the dense shape
        kept as the maximum; the result stays an IndexedSlices, so an optimizer updates only its rows."""
        from engine.framework.indexed_slices import IndexedSlices
        from engine.ops import constant_op, math_ops

        values, indices, dense_shape = grad.values, grad.indices, grad.dense_shape
        self.exit()
        if self.outer_context is not None:
            self.outer_context.enter()
        if values.shape.is_fully_defined():
            row = [1] + values.shape.as_list()[1:]
            values_acc = constant_op.constant(0, values.dtype.base_dtype, shape=row, name="b_acc")
        else:
            rows_shape = array_ops.concat([[1], array_ops.shape_v1(op.inputs[0])[1:]], 0)
            values_acc = array_ops.zeros(rows_shape, dtype=values.dtype.base_dtype)
        indices_acc = constant_op.constant([0], indices.dtype.base_dtype)
        init = [indices_acc, values_acc]
        if dense_shape is not None:
            init.append(array_ops.zeros_like(array_ops.shape_v1(op.inputs[0], out_type=dense_shape.dtype)))
        if self.outer_context is not None:
            self.outer_context.exit()
        self.enter()
        for t in init:
            self.add_name(t.name)
        enter_acc = [frame_ops.enter(t, self.name, is_constant=False, name="b_acc",
                                     parallel_iterations=self.parallel_iterations) for t in init]
        # TF's use_input_shape=False: the accumulators grow (and the shape's rank is not assumed)
        enter_acc[0]._shape = tensor_shape.TensorShape([None])
        enter_acc[1]._shape = (tensor_shape.unknown_shape() if values_acc.shape.ndims is None
                               else tensor_shape.TensorShape([None] + values_acc.shape.as_list()[1:]))
        if len(enter_acc) == 3:
            enter_acc[2]._shape = tensor_shape.unknown_shape()
        self.loop_enters.extend(enter_acc)
        merge_acc = [frame_ops.merge([t, t], name="b_acc")[0] for t in enter_acc]
        switch_acc = [frame_ops.switch(t, self.pivot) for t in merge_acc]
        grown = [array_ops.concat([acc[1], part], 0) for acc, part in zip(switch_acc[:2], [indices, values],
                                                                          strict=True)]
        if dense_shape is not None:
            grown.append(math_ops.maximum(dense_shape, switch_acc[2][1]))
        for merge, value in zip(merge_acc, grown, strict=True):
            merge.op._update_input(1, frame_ops.next_iteration(value))
        exit_acc = [frame_ops.exit(t[0], name="b_acc") for t in switch_acc]
        self.loop_exits.extend(exit_acc)
        self.exit_result(exit_acc)
        return IndexedSlices(exit_acc[1], exit_acc[0], exit_acc[2] if dense_shape is not None else None)

    def build_loop(self, cond, body, loop_vars, shape_invariants, return_same_structure):
        """The loop's Exit tensors, in the structure `body` returns.  A TensorArray loop variable travels
        through the loop as its flow tensor (TF's `_convert_tensorarray_to_flow`)."""
        flat_arrays = nest.flatten(loop_vars)
        flat_vars = [_to_flow(v) for v in flat_arrays]
        for x in flat_vars:
            self._values.add(x.name)
        real_vars = flat_vars
        if self.outer_context is not None:
            real_vars = [self.outer_context.add_value(x) for x in flat_vars]
        with self:
            with ops.control_dependencies(None):
                enters = [
                    frame_ops.enter(x, self.name, parallel_iterations=self.parallel_iterations)
                    for x in real_vars
                ]
            pivot = _enclosing_pivot(self.outer_context)
            if pivot is not None:  # a loop variable that is an outer loop's invariant starts per iteration
                for e in enters:
                    source = e.op.inputs[0].op
                    if source.op_def.control_flow == "enter" and source._get_attr_or("is_constant", False):
                        e.op._add_control_input(pivot.op)
            if shape_invariants is not None:
                for x, e, shape in zip(real_vars, enters, nest.flatten(shape_invariants), strict=True):
                    shape = tensor_shape.as_shape(shape)
                    if not _shape_less_than_or_equal(x.shape, shape):
                        raise ValueError(
                            f"The shape invariant specified for {x.name} is not compatible with the initial "
                            f"shape of the loop variable. It enters the loop with shape {x.shape}, but the "
                            f"specified shape invariant is {shape}."
                        )
                    e._shape = shape  # the loop variable may have any shape the invariant allows
            for e in enters:
                self._fix_control_inputs(e)
            # As TF's `_InitializeValues(enter_vars)`: from now on an initial value read in the body is an
            # outside value (a constant Enter), not the loop variable.
            self._values = {e.name for e in enters}
            self.loop_enters = enters
            merges = [frame_ops.merge([e, e])[0] for e in enters]
            self._pivot_for_pred = merges[0]
            c = ops.convert_to_tensor(cond(*with_tensor_arrays(loop_vars, flat_arrays, merges)))
            if c.dtype.base_dtype != dtypes.bool or c.shape.ndims not in (None, 0):
                raise ValueError(f"cond of a while loop must return a scalar boolean, got {c!r}")
            self.pivot = frame_ops.loop_cond(c, name="LoopCond")
            switches = [frame_ops.switch(m, self.pivot) for m in merges]
            body_vars = [array_ops.identity(s[1]) for s in switches]
            self._pivot_for_body = body_vars[0]
            result = body(*with_tensor_arrays(loop_vars, flat_arrays, body_vars))
            if not nest.is_nested(result):
                result = [result]
            original_result = result
            try:
                nest.assert_same_structure(list(loop_vars), list(result))
            except (TypeError, ValueError) as e:
                raise ValueError(str(e)) from None
            flat_result = [ops.convert_to_tensor(_to_flow(r)) for r in nest.flatten(result)]
            for m, v in zip(merges, flat_result, strict=True):
                if not _shape_less_than_or_equal(v.shape, m.shape):
                    entered = m.op.inputs[0].op.inputs[0]
                    raise ValueError(
                        f"Input tensor '{entered.name}' enters the loop with shape {entered.shape}, but has "
                        f"shape {v.shape} after one iteration. To allow the shape to vary across iterations, "
                        "use the `shape_invariants` argument of tf.while_loop to specify a less-specific "
                        "shape."
                    )
                if v.dtype.base_dtype != m.dtype.base_dtype:
                    raise TypeError(
                        f"Loop variable {m.op.inputs[0].op.inputs[0].name} enters the loop as "
                        f"{m.dtype.base_dtype.name} but the body returns {v.dtype.base_dtype.name}"
                    )
                m.op._update_input(1, frame_ops.next_iteration(v))
            exits = [frame_ops.exit(s[0]) for s in switches]
        self.loop_exits = exits
        if self.outer_context is not None:
            for x in exits:
                self.outer_context.add_inner_op(x.op)
        packed = with_tensor_arrays(original_result, nest.flatten(original_result), exits)
        if return_same_structure:
            return packed
        return packed[0] if len(exits) == 1 else packed


def _output_context(op):
    """The control-flow context `op`'s outputs belong to (an Exit's: the one around its loop)."""
    context = op._get_control_flow_context()
    if op.op_def.control_flow == "exit" and context is not None:
        return context.outer_context
    return context


def _while_context_of(op):
    """The innermost loop `op` was built in, or None (TF's `util.GetWhileContext`)."""
    ctx = op._get_control_flow_context()
    return ctx.while_context() if ctx is not None else None


def _to_flow(value):
    from engine.ops.tensor_array_ops import TensorArray

    return value.flow if isinstance(value, TensorArray) else value


def with_tensor_arrays(structure, flat_arrays, tensors):
    """`tensors` in `structure`, each TensorArray of `flat_arrays` rebuilt on its tensor as flow (a loop's
    or a cond's result)."""
    from engine.ops.tensor_array_ops import TensorArray, build_ta_with_new_flow

    values = [build_ta_with_new_flow(a, t) if isinstance(a, TensorArray) else t
              for a, t in zip(flat_arrays, tensors, strict=True)]
    return nest.unflatten_as(structure, values)


def _enclosing_pivot(ctx):
    """The control pivot of the closest enclosing cond branch or loop body, or None."""
    while ctx is not None:
        pivot = ctx.control_pivot() if isinstance(ctx, WhileContext) else ctx.pivot
        if pivot is not None:
            return pivot
        ctx = ctx.outer_context
    return None


def while_loop(
    cond,
    body,
    loop_vars,
    shape_invariants=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    name=None,
    maximum_iterations=None,
    return_same_structure=False,
):
    """``tf.while_loop``: repeats `body` while `cond` is true, as TF1's Enter/Merge/Switch/Exit frame.

    `back_prop=False` gives the loop no gradient; `swap_memory` changes nothing here (there is no device
    memory to swap)."""
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    if not loop_vars and loop_vars != 0:
        raise ValueError("No loop variables provided")
    if not isinstance(loop_vars, (list, tuple, dict)):
        loop_vars = [loop_vars]
    try_to_pack = isinstance(loop_vars, (list, tuple)) and len(loop_vars) == 1 and not return_same_structure
    with ops.name_scope(name, "while", nest.flatten(loop_vars)):
        if maximum_iterations is not None:
            maximum_iterations = ops.convert_to_tensor(maximum_iterations, name="maximum_iterations")
            if maximum_iterations.shape.ndims != 0:
                raise ValueError(
                    f"maximum_iterations must be a scalar, saw shape: {maximum_iterations.shape}"
                )
            from engine.ops import constant_op, math_ops

            counter = constant_op.constant(0, dtype=maximum_iterations.dtype, name="iteration_counter")
            orig_cond, orig_body = cond, body
            if try_to_pack:  # one loop variable: cond and body take it as is
                loop_vars = (counter, loop_vars[0])

                def cond(i, lv):
                    return math_ops.logical_and(i < maximum_iterations, orig_cond(lv))

                def body(i, lv):
                    return i + 1, orig_body(lv)
            else:
                loop_vars = (counter, loop_vars)

                def cond(i, lv):
                    return math_ops.logical_and(i < maximum_iterations, orig_cond(*lv))

                def body(i, lv):
                    return i + 1, orig_body(*lv)

            if shape_invariants is not None:
                shape_invariants = (tensor_shape.TensorShape([]), shape_invariants)
            return_same_structure = True
        loop_vars = nest.map_structure(
            lambda v: v if isinstance(_to_flow(v), ops.Tensor) else ops.convert_to_tensor(v), loop_vars)
        context = WhileContext(parallel_iterations, "while_context", back_prop=back_prop,
                               swap_memory=swap_memory, maximum_iterations=maximum_iterations)
        result = context.build_loop(cond, body, loop_vars, shape_invariants, return_same_structure)
        return result if maximum_iterations is None else result[1]
