"""The state `tf.gradients` keeps for the while loops it differentiates (TF's control_flow_state.py).

For each forward loop on the gradient's path, a `GradLoopState` builds:

* a counter of the forward loop's iterations (`f_count`, one more loop variable of the forward loop);
* the gradient loop: a new WhileContext (`gradients/while/while_context`) that runs as many iterations,
  counting down (`b_count`), in which the gradient ops of the forward loop's body are built;
* for each forward value a gradient op reads, a history: the forward loop pushes the value on a stack
  (`f_acc` StackV2, StackPushV2) in every iteration, the gradient loop pops it (StackPopV2), so gradient
  iteration i sees the values of forward iteration n-1-i.  A loop invariant (a constant Enter) needs no
  history: the gradient loop reads the outside value; a constant is cloned.

The gradients of the frame ops (control_flow_grad.py) do the rest: an Exit's gradient enters the gradient
loop, a loop Switch's becomes a Merge with the gradient's back edge, a loop Merge's a Switch on the
gradient loop's predicate, an Enter's leaves the gradient loop (summed over iterations for an invariant).
"""

from __future__ import annotations

import contextlib

from engine.framework import dtypes, tensor_util
from engine.ops import constant_op, frame_ops, grad_util, stack_ops


def while_context_of(op):
    """The innermost loop `op` was built in, or None (TF's `util.GetWhileContext`)."""
    ctx = op._get_control_flow_context()
    return ctx.while_context() if ctx is not None else None


def is_loop_exit(op):
    return op.op_def.control_flow == "exit"


def is_loop_switch(op):
    """A Switch of a loop variable on its loop's predicate (not a cond's Switch inside a loop)."""
    return (op.op_def.control_flow == "switch" and while_context_of(op) is not None
            and op.inputs[1].op.type == "LoopCond")


def _loop_constant_enter(value):
    """The constant Enter `value` comes from (through Identities), or None (TF's GetLoopConstantEnter)."""
    op = value.op
    while op.type in ("Identity", "RefIdentity"):
        op = op.inputs[0].op
    if op.op_def.control_flow == "enter" and op._get_attr_or("is_constant", False):
        return op
    return None


@contextlib.contextmanager
def _no_context(graph):
    """No control dependencies and no control-flow context (what TF's `control_dependencies(None)` does)."""
    saved = graph._get_control_flow_context()
    graph._set_control_flow_context(None)
    try:
        with graph.control_dependencies(None):
            yield
    finally:
        graph._set_control_flow_context(saved)


class GradLoopState:
    """One forward loop and its gradient loop (TF's `_GradLoopState`)."""

    def __init__(self, forward_ctxt, outer_grad_state):
        from engine.ops.while_loop import WhileContext

        self.outer_grad_state = outer_grad_state
        self.forward_context = forward_ctxt
        self.history_map = {}  # forward tensor name -> its value in the gradient loop
        self.switch_map = {}  # forward loop Switch -> the gradient Merge built for it
        self.unused_exits = []
        self.deferred_exits = []
        self.forward_loop_exits = list(forward_ctxt.loop_exits)
        self.pending_exits_count = len(forward_ctxt.loop_exits)
        self._forward_sync = None
        self._grad_sync = None
        if outer_grad_state is not None:
            outer_forward_ctxt = outer_grad_state.forward_context
        else:
            outer_forward_ctxt = forward_ctxt.outer_context

        if outer_forward_ctxt is not None:
            outer_forward_ctxt.enter()
        cnt, self.forward_index = forward_ctxt.add_forward_loop_counter(outer_grad_state)
        if outer_forward_ctxt is not None:
            outer_forward_ctxt.exit()

        def grad_context():
            return WhileContext(forward_ctxt.parallel_iterations, forward_ctxt.name,
                                back_prop=forward_ctxt.back_prop, swap_memory=forward_ctxt.swap_memory,
                                maximum_iterations=forward_ctxt.maximum_iterations, grad_state=self)

        if outer_grad_state is not None:  # a nested loop: the count of each of its runs, from a history
            outer_forward_ctxt.add_name(cnt.name)
            history_cnt = outer_grad_state.add_forward_accumulator(cnt)
            outer_grad_ctxt = outer_grad_state.grad_context
            outer_grad_ctxt.enter()
            self.grad_context = grad_context()
            real_cnt = outer_grad_state.add_backprop_accumulated_value(history_cnt, cnt)
            self.grad_index = self.grad_context.add_backprop_loop_counter(real_cnt, outer_grad_state)
            outer_grad_ctxt.exit()
        else:
            if outer_forward_ctxt is not None:
                outer_forward_ctxt.enter()
            self.grad_context = grad_context()
            self.grad_index = self.grad_context.add_backprop_loop_counter(cnt, outer_grad_state)
            if outer_forward_ctxt is not None:
                outer_forward_ctxt.exit()

    @property
    def forward_sync(self):
        """A ControlTrigger of the forward loop after the pushes in cond branches of an iteration."""
        if self._forward_sync is None:
            with _no_context(self.forward_index.graph):
                self._forward_sync = stack_ops.control_trigger(name="f_sync")
            self._forward_sync._set_control_flow_context(self.forward_context)
            self.forward_index.op._add_control_input(self._forward_sync)
        return self._forward_sync

    @property
    def grad_sync(self):
        """A ControlTrigger of the gradient loop after the pops of an iteration, before the next one."""
        if self._grad_sync is None:
            with _no_context(self.grad_index.graph):
                self._grad_sync = stack_ops.control_trigger(name="b_sync")
            self._grad_sync._set_control_flow_context(self.grad_context)
            self.grad_index.op._add_control_input(self._grad_sync)
            if self.grad_context.outer_context is not None:
                self.grad_context.outer_context.add_inner_op(self._grad_sync)
        return self._grad_sync

    def add_forward_accumulator(self, value, dead_branch=False):
        """A stack the forward loop pushes `value` on in every iteration (made in the context
        `tf.gradients` was called in)."""
        from engine.ops.cond import CondContext

        graph = self.forward_index.graph
        curr_ctxt = graph._get_control_flow_context()
        with _no_context(graph):
            if curr_ctxt is not None:
                curr_ctxt.enter()
            max_size = constant_op.constant(-1, dtypes.int32)
            acc = stack_ops.stack_v2(max_size=max_size, elem_type=value.dtype.base_dtype, name="f_acc")
            if curr_ctxt is not None:
                curr_ctxt.exit()
            enter_acc = self.forward_context.add_value(acc)
            swap = self.forward_context.swap_memory
            value_ctxt = output_context(value.op)
            if value_ctxt is self.forward_context:
                self.forward_context.enter()
                push = stack_ops.stack_push_v2(enter_acc, value, swap_memory=swap)
                self.forward_context.exit()
                self.forward_index.op._add_control_input(push.op)  # pushed before the next iteration
            else:
                if not isinstance(value_ctxt, CondContext):
                    raise TypeError(f"value_ctxt is not a CondContext: {value_ctxt}")
                if dead_branch:
                    value_ctxt.outer_context.enter()
                    push = stack_ops.stack_push_v2(enter_acc, value, swap_memory=swap)
                    value_ctxt.outer_context.exit()
                    push.op._set_control_flow_context(value_ctxt)
                else:
                    value_ctxt.enter()
                    push = stack_ops.stack_push_v2(enter_acc, value, swap_memory=swap)
                    value_ctxt.exit()
                self.forward_sync._add_control_input(push.op)
            push.op._add_control_input(self.forward_index.op.inputs[0].op)  # after this iteration's count
            return acc

    def add_backprop_accumulated_value(self, history_value, value, dead_branch=False):
        """The pop of `history_value` in the gradient loop: `value` of the matching forward iteration."""
        from engine.ops.cond import CondContext

        history_ctxt = history_value.op._get_control_flow_context()
        cond_ctxt = None
        value_ctxt = value.op._get_control_flow_context()
        while value_ctxt is not None and value_ctxt is not history_ctxt:
            if isinstance(value_ctxt, CondContext):
                cond_ctxt = value_ctxt
                break
            value_ctxt = value_ctxt.outer_context
        graph = history_value.graph
        with graph.control_dependencies(None):
            self.grad_context.enter()
            if cond_ctxt is not None:  # pop only in the iterations whose forward cond took that branch
                grad_state = self
                pred = None
                while pred is None and grad_state is not None:
                    pred = grad_state.history_map.get(cond_ctxt.pred.name)
                    grad_state = grad_state.outer_grad_state
                if pred is None:
                    pred = cond_ctxt.pred
                branch = (1 - cond_ctxt.branch) if dead_branch else cond_ctxt.branch
                history_value = frame_ops.switch(history_value, pred)[branch]
            pop = stack_ops.stack_pop_v2(history_value, value.dtype.base_dtype)
            pop.set_shape(value.shape)
            self.grad_context.exit()
        if self.grad_context.parallel_iterations > 1:
            self.grad_sync._add_control_input(pop.op)  # every pop of an iteration before the next
        return pop

    def get_real_value(self, value):
        """The value of the forward tensor `value` in the gradient loop (called in the gradient loop)."""
        real_value = self.history_map.get(value.name)
        if real_value is not None:
            return real_value
        cur_value = value
        cur_grad_state = self
        history_value = None
        while True:
            enter_op = _loop_constant_enter(cur_value)
            if enter_op is not None:  # a loop invariant: its value outside the loop, if outside them all
                cur_value = enter_op.inputs[0]
                cur_grad_state = cur_grad_state.outer_grad_state
                if cur_grad_state is None:
                    real_value = self.grad_context.add_value(cur_value)
                    break
            elif cur_value.op.type == "Const":  # cloned in the gradient loop rather than kept in a stack
                real_value = constant_op.constant(tensor_util.constant_value(cur_value),
                                                  dtype=cur_value.dtype.base_dtype)
                break
            else:
                self.grad_context.exit()
                history_value = cur_grad_state.add_forward_accumulator(cur_value)
                self.grad_context.enter()
                break
        if real_value is None:
            real_value = cur_grad_state.add_backprop_accumulated_value(history_value, cur_value)
            if cur_grad_state is not self:
                real_value = self.grad_context.add_value(real_value)
        self.history_map[value.name] = real_value
        return real_value


def output_context(op):
    ctx = op._get_control_flow_context()
    if ctx is not None and is_loop_exit(op):
        ctx = ctx.outer_context
    return ctx


class ControlFlowState:
    """The GradLoopStates of one `tf.gradients` call, by forward loop (TF's `_ControlFlowState`)."""

    def __init__(self):
        self._map = {}

    def get_grad_state(self, op, before):
        """The state of the loop `op` is in (for an Exit before its gradient: of the loop around it)."""
        if before and is_loop_exit(op):
            forward_ctxt = op._get_control_flow_context().outer_context
            if forward_ctxt is not None:
                forward_ctxt = forward_ctxt.while_context()
        else:
            forward_ctxt = while_context_of(op)
        return self._map.get(forward_ctxt) if forward_ctxt is not None else None

    def process_unused_loop_exits(self, pending_count, to_ops_set):
        """The Exits nothing on the path reads, once all of a loop's Exits are known: they get zero
        gradients when another Exit of their loop gets a real one."""
        loop_exits = []
        for grad_state in self._map.values():
            for y in grad_state.forward_loop_exits:
                if pending_count[y.op] == 0:
                    grad_state.pending_exits_count -= 1
                    if y.op not in to_ops_set:
                        grad_state.unused_exits.append(y)
                    if grad_state.pending_exits_count == 0:
                        loop_exits.extend(grad_state.unused_exits)
            for y in grad_state.forward_context.loop_enters:
                if pending_count[y.op] == 0:
                    pending_count[y.op] = 1
        return loop_exits

    def enter_grad_while_context(self, op, before):
        grad_state = self.get_grad_state(op, before)
        if grad_state is not None:
            grad_state.grad_context.enter()

    def exit_grad_while_context(self, op, before):
        grad_state = self.get_grad_state(op, before)
        if grad_state is not None:
            grad_state.grad_context.exit()

    def add_while_context(self, op, between_op_list, between_ops):
        """A GradLoopState for the loop of the Exit `op` (all its Exits join the path)."""
        forward_ctxt = while_context_of(op)
        if forward_ctxt in self._map:
            return
        outer_forward_ctxt = forward_ctxt.outer_context
        if outer_forward_ctxt is not None:
            outer_forward_ctxt = outer_forward_ctxt.while_context()
        outer_grad_state = self._map.get(outer_forward_ctxt) if outer_forward_ctxt is not None else None
        grad_state = GradLoopState(forward_ctxt, outer_grad_state)
        self._map[forward_ctxt] = grad_state
        for loop_exit in grad_state.forward_loop_exits:
            if loop_exit.op not in between_ops:
                between_ops.add(loop_exit.op)
                between_op_list.append(loop_exit.op)

    def zeros_like_for_exit(self, val):
        """The zero gradient of an unused Exit `val` (in the context `tf.gradients` was called in)."""
        from engine.ops.array_ops import zeros, zeros_like

        val_shape = val.shape
        forward_ctxt = val.op._get_control_flow_context()
        outer_forward_ctxt = forward_ctxt.outer_context
        if outer_forward_ctxt is not None:
            outer_forward_ctxt = outer_forward_ctxt.while_context()
        outer_grad_state = self._map.get(outer_forward_ctxt) if outer_forward_ctxt is not None else None
        if outer_grad_state is not None:
            if val_shape.is_fully_defined():
                outer_grad_state.grad_context.enter()
                result = zeros(val_shape.as_list(), val.dtype.base_dtype)
                outer_grad_state.grad_context.exit()
            else:
                forward_ctxt.outer_context.enter()
                shape = grad_util.shape_internal(val)
                forward_ctxt.outer_context.exit()
                history_shape = outer_grad_state.add_forward_accumulator(shape)
                outer_grad_ctxt = outer_grad_state.grad_context
                outer_grad_ctxt.enter()
                real_shape = outer_grad_state.add_backprop_accumulated_value(history_shape, shape)
                result = zeros(real_shape, val.dtype.base_dtype)
                outer_grad_ctxt.exit()
        elif val_shape.is_fully_defined():
            result = zeros(val_shape.as_list(), val.dtype.base_dtype)
        else:
            result = zeros_like(val, optimize=False)
        return result

    def zeros_like(self, op, index):
        """The zero gradient of output `index` of `op`, built in its gradient loop when `op` is in a loop
        being differentiated; None for a loop Switch (its gradient Merge gets the back edge)."""
        from engine.ops import array_ops, cond

        if is_loop_switch(op):
            return None
        dead_branch = op.op_def.control_flow == "switch"
        forward_ctxt = while_context_of(op)
        grad_state = self._map.get(forward_ctxt) if forward_ctxt is not None else None
        if grad_state is None:
            zeros = cond.zeros_like_switch_output(op, index)
            return array_ops.zeros_like(op.outputs[index]) if zeros is None else zeros
        op_ctxt = op._get_control_flow_context()
        val = op.outputs[index]
        shape = val.shape
        if shape.is_fully_defined():
            result = constant_op.constant(0, shape=shape.as_list(), dtype=val.dtype.base_dtype)
            if dead_branch:  # a cond's Switch: zeros only on the side the forward cond did not take
                pred = grad_state.history_map.get(op_ctxt.pred.name)
                result = frame_ops.switch(result, pred)[1 - op_ctxt.branch]
        else:
            if dead_branch:
                pred = op_ctxt.pred
                op_ctxt.outer_context.enter()
                val = frame_ops.switch(op.inputs[0], pred)[1 - op_ctxt.branch]
                zeros_shape = grad_util.shape_internal(val)
                op_ctxt.outer_context.exit()
                val.op._set_control_flow_context(op_ctxt)
                zeros_shape.op._set_control_flow_context(op_ctxt)
            else:
                op_ctxt.enter()
                zeros_shape = grad_util.shape_internal(val)
                op_ctxt.exit()
            grad_state.grad_context.exit()
            history_zeros_shape = grad_state.add_forward_accumulator(zeros_shape, dead_branch=dead_branch)
            grad_state.grad_context.enter()
            shape = grad_state.add_backprop_accumulated_value(history_zeros_shape, zeros_shape, dead_branch)
            result = array_ops.zeros(shape, val.dtype.base_dtype)
        return result

    def post_processing(self):
        """A loop variable whose next value does not depend on its value gets zeros as the gradient of
        every iteration after the first (its gradient Merge never got a back edge)."""
        from engine.ops.array_ops import zeros

        for grad_state in self._map.values():
            for b_merge in grad_state.switch_map.values():
                if b_merge.op.inputs[0] is b_merge.op.inputs[1]:
                    dtype = b_merge.op.inputs[0].dtype.base_dtype
                    shape = b_merge.op.inputs[0].shape
                    if shape.is_fully_defined():
                        grad_state.grad_context.enter()
                        grad_val = constant_op.constant(0, dtype=dtype, shape=shape.as_list())
                        next_grad_val = frame_ops.next_iteration(grad_val)
                        grad_state.grad_context.exit()
                    else:
                        outer_grad_ctxt = grad_state.grad_context.outer_context
                        if outer_grad_ctxt is not None:
                            outer_grad_ctxt.enter()
                        enter_grad = b_merge.op.inputs[0].op.inputs[0]
                        grad_val = zeros(grad_util.shape_internal(enter_grad), dtype)
                        if outer_grad_ctxt is not None:
                            outer_grad_ctxt.exit()
                        grad_state.grad_context.enter()
                        next_grad_val = frame_ops.next_iteration(grad_val)
                        grad_state.grad_context.exit()
                    b_merge.op._update_input(1, next_grad_val)


def maybe_create_control_flow_state(between_op_list, between_ops):
    """The ControlFlowState of a `tf.gradients` call whose path crosses loop Exits, else None."""
    loop_state = None
    for op in between_op_list:  # grows: the Exits add_while_context adds are visited too
        if is_loop_exit(op):
            if loop_state is None:
                loop_state = ControlFlowState()
            loop_state.add_while_context(op, between_op_list, between_ops)
    return loop_state
