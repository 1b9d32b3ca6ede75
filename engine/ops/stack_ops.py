"""TF's stack ops (StackV2, StackPushV2, StackPopV2, StackCloseV2) and ControlTrigger: what the gradient of
a while loop is built from (control_flow_state.py).

The gradient of a loop needs, in its iteration i, the forward values of the forward loop's iteration
n-1-i: the forward loop pushes each such value on a stack (one `f_acc` StackV2 per value) and the gradient
loop pops them, in the reverse order.  A stack's run-time value is a `_Stack`, made anew each time its
StackV2 op runs.  ControlTrigger orders the pushes and pops of one iteration before the next; it runs even
when its inputs are dead (a pop in an untaken cond branch), as in TF's executor.
"""

from __future__ import annotations

from engine.framework import dtypes, errors, ops, registry, tensor_shape
from engine.ops.op_util import make_op


class _Stack:
    __slots__ = ("name", "values", "max_size", "closed")

    def __init__(self, name, max_size):
        self.name = name
        self.values = []
        self.max_size = max_size
        self.closed = False

    def check_open(self):
        if self.closed:
            raise errors.InvalidArgumentError(None, None, f"Stack[{self.name}] has already been closed.")


def _compile_stack(op, runtime):
    name = op._get_attr_or("stack_name", "") or op.name
    if isinstance(name, bytes):
        name = name.decode()

    def kernel(max_size):
        return _Stack(name, int(max_size))

    return kernel


def _push(stack, elem):
    # One test on the common path: an LSTM step pushes 450 values and pops them again.
    if stack.closed or 0 <= stack.max_size <= len(stack.values):
        stack.check_open()
        raise errors.InvalidArgumentError(
            None, None, f"Stack[{stack.name}] overflowed its max_size ({stack.max_size})")
    stack.values.append(elem)
    return elem


def _pop(stack):
    if stack.closed or not stack.values:
        stack.check_open()
        raise errors.InvalidArgumentError(None, None, f"Stack[{stack.name}] is empty when calling Pop().")
    return stack.values.pop()


def _close(stack):
    stack.closed = True


_HANDLE = tensor_shape.TensorShape([])  # a resource scalar
registry.register_op("StackV2", infer=lambda op: [(dtypes.resource, _HANDLE)], compile=_compile_stack,
                     inputs=("max_size",), attrs={"stack_name": ""}, stateful=True)
registry.register_op("StackPushV2", infer=lambda op: [(op.inputs[1].dtype.base_dtype, op.inputs[1].shape)],
                     kernel=_push, inputs=("handle", "elem: T"), attrs={"swap_memory": False}, stateful=True)
registry.register_op("StackPopV2", infer=lambda op: [(dtypes.as_dtype(op.get_attr("elem_type")),
                                                     tensor_shape.unknown_shape())],
                     kernel=_pop, inputs=("handle",), stateful=True)
registry.register_op("StackCloseV2", infer=lambda op: [], kernel=_close, inputs=("handle",), stateful=True)
registry.register_op("ControlTrigger", infer=lambda op: [], kernel=lambda: None,
                     control_flow="control_trigger", stateful=True)
# No gradient entries, as in TF: gradients never flow through the gradient loop's own bookkeeping.


def stack_v2(max_size, elem_type, stack_name="", name=None):
    """A new stack of `elem_type` values (at most `max_size`; -1: no limit)."""
    with ops.name_scope(name, "StackV2", [max_size]) as scope:
        max_size = ops.convert_to_tensor(max_size, dtype=dtypes.int32, name="max_size")
        return make_op("StackV2", [max_size], name=scope,
                       attrs={"elem_type": dtypes.as_dtype(elem_type).base_dtype, "stack_name": stack_name}
                       ).outputs[0]


def stack_push_v2(handle, elem, swap_memory=False, name=None):
    """`elem` pushed on the stack; its output is `elem`."""
    with ops.name_scope(name, "StackPushV2", [handle, elem]) as scope:  # an Enter it needs is named in it
        elem = ops.convert_to_tensor(elem)
        return make_op("StackPushV2", [handle, elem], name=scope,
                       attrs={"T": elem.dtype.base_dtype, "swap_memory": bool(swap_memory)}).outputs[0]


def stack_pop_v2(handle, elem_type, name=None):
    """The value on top of the stack, taken off it."""
    with ops.name_scope(name, "StackPopV2", [handle]) as scope:
        return make_op("StackPopV2", [handle], name=scope,
                       attrs={"elem_type": dtypes.as_dtype(elem_type).base_dtype}).outputs[0]


def control_trigger(name=None):
    """An op that does nothing and is never dead: a point to hang control edges on."""
    return make_op("ControlTrigger", [], name=name or "ControlTrigger")


