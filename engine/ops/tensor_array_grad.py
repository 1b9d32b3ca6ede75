"""Gradients of the TensorArray ops, as TF's tensor_array_grad.py builds them.

The gradient of an op that reads the array (Read, Gather, Concat) writes its incoming gradient into the
*gradient array* (TensorArrayGradV3, one per `tf.gradients` call) and returns that write's flow as the
gradient of the read's flow input; the gradient of an op that wrote the array (Write, Scatter, Split)
receives that flow and reads its value's gradient back out.  Writes to one index of a gradient array add
up, and an index nothing was written to reads as zeros, so several reads of one element, and elements no
gradient reached, come out right.
"""

from __future__ import annotations

from engine.framework import ops, registry
from engine.ops import array_ops
from engine.ops.tensor_array_ops import TensorArray

for _op_type in ("TensorArrayV3", "TensorArrayGradV3", "TensorArraySizeV3", "TensorArrayCloseV3"):
    registry.register_not_differentiable(_op_type)


def _grad_source(tensor):
    """The name scope of the `tf.gradients` call building this gradient (TF's `_GetGradSource`): each call
    gets its own gradient arrays."""
    tokens = tensor.name.split("/")
    positions = [i for i, t in enumerate(tokens) if t.startswith("gradients")]
    if not positions:
        raise ValueError(
            "Expected op/tensor name to start with gradients (excluding scope), got: "
            f"{tensor.name}. This means that a tf.gradients op with this op in its dependency path has a "
            "custom name that does not start with 'gradients'. Please make sure all calls to tf.gradients "
            "that have non-empty `name` arguments use names that start with 'gradients'.")
    return "/".join(tokens[:positions[-1] + 1])


def _gradient_array(op, dtype_attr, flow, source):
    forward = TensorArray(op.get_attr(dtype_attr), handle=op.inputs[0], flow=flow)
    return forward.grad(source=source, flow=flow)


def _barrier(op, flow):
    """The incoming flow, ordered after the forward write (so the gradient array is made after it)."""
    flow_out = array_ops.identity(op.outputs[0], "flow_out")
    with ops.control_dependencies([flow_out]):
        return array_ops.identity(flow, "write_barrier")


@registry.register_gradient("TensorArrayReadV3")
def _read_grad(op, grad):
    flow = op.inputs[2]
    g = _gradient_array(op, "dtype", flow, _grad_source(grad))
    return [None, None, g.write(op.inputs[1], grad).flow]


@registry.register_gradient("TensorArrayWriteV3")
def _write_grad(op, flow):
    flow = _barrier(op, flow)
    g = _gradient_array(op, "T", flow, _grad_source(flow))
    return [None, None, g.read(op.inputs[1]), flow]


@registry.register_gradient("TensorArrayGatherV3")
def _gather_grad(op, grad):
    flow = op.inputs[2]
    g = _gradient_array(op, "dtype", flow, _grad_source(grad))
    return [None, None, g.scatter(op.inputs[1], grad).flow]


@registry.register_gradient("TensorArrayScatterV3")
def _scatter_grad(op, flow):
    flow = _barrier(op, flow)
    g = _gradient_array(op, "T", flow, _grad_source(flow))
    return [None, None, g.gather(op.inputs[1]), flow]


@registry.register_gradient("TensorArrayConcatV3")
def _concat_grad(op, grad, unused_lengths_grad):
    flow = op.inputs[1]
    g = _gradient_array(op, "dtype", flow, _grad_source(grad))
    return [None, g.split(grad, lengths=op.outputs[1]).flow]


@registry.register_gradient("TensorArraySplitV3")
def _split_grad(op, flow):
    flow = _barrier(op, flow)
    g = _gradient_array(op, "T", flow, _grad_source(flow))
    return [None, g.concat(), None, flow]
