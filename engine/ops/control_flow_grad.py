"""Gradients of a while loop's frame ops (TF's control_flow_grad.py); a cond's Switch and Merge are in
cond.py, which hands a loop's Switch and Merge to `loop_switch_grad` / `loop_merge_grad`.

`tf.gradients` builds them with the gradient loop of the op's loop as the current context
(control_flow_state.py), so `graph._get_control_flow_context()` is that gradient loop here.
"""

from __future__ import annotations

from engine.framework import ops, registry
from engine.framework.indexed_slices import IndexedSlices
from engine.ops import frame_ops


def _grad_context():
    return ops.get_default_graph()._get_control_flow_context()


@registry.register_gradient("Exit")
def _exit_grad(op, grad):
    """An Exit's gradient enters the gradient loop (`b_exit`), as the start of a gradient loop variable."""
    if op._get_control_flow_context().grad_state is not None:  # the Exit of a gradient loop
        raise TypeError("Second-order gradient for while loops not supported.")
    grad_ctxt = _grad_context()
    if not grad_ctxt.back_prop:
        return None
    grad_ctxt.add_name(grad.name)
    grad_ctxt.enter()
    result = frame_ops.enter(grad, grad_ctxt.name, is_constant=False,
                             parallel_iterations=grad_ctxt.parallel_iterations, name="b_exit")
    grad_ctxt.loop_enters.append(result)
    grad_ctxt.exit()
    return result


@registry.register_gradient("NextIteration")
def _next_iteration_grad(_, grad):
    """The identity: the gradient loop's own NextIteration is added by the loop Switch's gradient."""
    return grad


@registry.register_gradient("Enter")
def _enter_grad(op, grad):
    """A loop variable's Enter: its gradient leaves the gradient loop (an Exit); a loop invariant's (a
    constant Enter): the sum of its gradients over all iterations (`b_acc`)."""
    grad_ctxt = _grad_context()
    if grad_ctxt is None or not grad_ctxt.back_prop or grad_ctxt.grad_state is None:
        return grad
    if op.get_attr("is_constant"):
        if isinstance(grad, IndexedSlices):
            return grad_ctxt.add_backprop_indexed_slices_accumulator(op, grad)
        return grad_ctxt.add_backprop_accumulator(op, grad)
    result = frame_ops.exit(grad)
    grad_ctxt.loop_exits.append(result)
    grad_ctxt.exit_result([result])
    return result


registry.register_gradient("RefEnter")(_enter_grad)


def loop_switch_grad(op, grads):
    """A loop Switch is reached twice: first from its Exit (grads[0]), making the gradient Merge
    `b_switch`; then from the loop body (grads[1]), which becomes the Merge's back edge."""
    grad_ctxt = _grad_context()
    switch_map = grad_ctxt.grad_state.switch_map
    merge_grad = switch_map.get(op)
    if merge_grad is not None:
        if grads[1] is not None:
            merge_grad.op._update_input(1, frame_ops.next_iteration(grads[1]))
        return None, None
    if grads[0] is not None:
        merge_grad = frame_ops.merge([grads[0], grads[0]], name="b_switch")[0]
        switch_map[op] = merge_grad
        return merge_grad, None
    return None, None


def loop_merge_grad(grad):
    """A loop Merge: the gradient switched on the gradient loop's predicate -- out of the loop (to the
    Enter's gradient) when it stops, else on through the body (to the NextIteration's)."""
    return list(frame_ops.switch(grad, _grad_context().pivot))
