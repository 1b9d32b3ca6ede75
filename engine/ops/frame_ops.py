"""TF1's control-flow primitives: Switch, RefSwitch, Merge, Enter, RefEnter, Exit, NextIteration, LoopCond.

`tf.cond` (cond.py) and `tf.while_loop` (while_loop.py) are built from these, as TF1 builds them, so our
GraphDefs import into TensorFlow and TF1's graphs run here.  Their meaning is in how a plan runs them,
not in a kernel: a plan holding one runs on the dataflow executor (engine/runtime/dataflow.py), which
reads the op's `control_flow` flag --

* ``Switch(data, pred)``: `data` on output 1 (`output_true`) when `pred`, else on output 0; the other
  output is *dead*, and every op reading a dead tensor is dead in turn (does not run);
* ``Merge(inputs)``: the first live input, and its index (`value_index`); dead when all are dead;
* ``Enter(data)``: `data` into the child frame `frame_name` (every iteration of it when `is_constant`);
* ``NextIteration(data)``: `data` into the next iteration of its frame;
* ``Exit(data)``: `data` out of the frame, to its parent.

The kernels only pass the data on (the executor calls them with the live value); LoopCond is an
identity on the loop predicate that marks it for TF's executor (flag `pass_through`: plans pass the
predicate on).  Gradients of Switch and Merge dispatch
on the cond/while context their op was built in (control_flow_grad.py).
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops, registry, tensor_shape
from engine.ops.op_util import make_op


def _pass_on(data, *unused):
    return data


def _infer_switch(op):
    data = op.inputs[0]
    return [(data.dtype, data.shape), (data.dtype, data.shape)]


def _merge_value(value, index):
    """The executor's call for a Merge: the live input and its index."""
    return value, np.int32(index)


def _infer_merge(op):
    shapes = [t.shape for t in op.inputs]
    shape = shapes[0]
    for other in shapes[1:]:
        if shape.ndims is None or other.ndims is None or shape.ndims != other.ndims:
            shape = tensor_shape.unknown_shape()
            break
        shape = tensor_shape.TensorShape(
            [a if a.value == b.value else None for a, b in zip(shape.dims, other.dims, strict=True)]
        )
    return [(op.inputs[0].dtype, shape), (dtypes.int32, tensor_shape.TensorShape([]))]


def _infer_pass_on(op):
    data = op.inputs[0]
    return [(data.dtype, data.shape)]


def _infer_base_pass_on(op):
    data = op.inputs[0]
    return [(data.dtype.base_dtype, data.shape)]


def _check_scalar_pred(op, pred, signature):
    """TF's shape error for a predicate that is not a scalar."""
    if pred.shape.ndims not in (None, 0):
        shapes = ", ".join(str(t.shape) for t in op.inputs)
        raise ValueError(f"Shape must be rank 0 but is rank {pred.shape.ndims} for '{{{{node {op.name}}}}} = "
                         f"{signature}(...)' with input shapes: {shapes}.")


def _infer_loop_cond(op):
    _check_scalar_pred(op, op.inputs[0], "LoopCond[]")
    return [(dtypes.bool, tensor_shape.TensorShape([]))]


def _infer_switch_pred(op):
    _check_scalar_pred(op, op.inputs[1], f"{op.type}[T={op.inputs[0].dtype.base_dtype.name}]")
    return _infer_switch(op)


# The Ref* twins take and give a variable (its `VariableCell`) rather than a value.
_LOOP_ATTRS = {"is_constant": False, "parallel_iterations": 10}
for _ref in ("", "Ref"):
    _ref_flags = {"ref_inputs": (0,), "ref_output": True} if _ref else {}
    registry.register_op(_ref + "Switch", infer=_infer_switch_pred, kernel=_pass_on,
                         control_flow="switch", inputs=("data: T", "pred"), **_ref_flags)
    registry.register_op(_ref + "Enter", infer=_infer_pass_on if _ref else _infer_base_pass_on,
                         kernel=_pass_on, control_flow="enter", attrs=_LOOP_ATTRS, **_ref_flags)
registry.register_op("Merge", infer=_infer_merge, kernel=_merge_value, control_flow="merge")
registry.register_op("Exit", infer=_infer_base_pass_on, kernel=_pass_on, control_flow="exit")
registry.register_op("NextIteration", infer=_infer_base_pass_on, kernel=_pass_on,
                     control_flow="next_iteration")
registry.register_op("LoopCond", infer=_infer_loop_cond, kernel=_pass_on, pass_through=True)
registry.register_not_differentiable("LoopCond")


def switch(data, pred, dtype=None, name=None):
    """``(output_false, output_true)``: `data` forwarded to the output `pred` selects; the other is dead."""
    with ops.name_scope(name, "Switch", [data, pred]) as scope:
        data = ops.convert_to_tensor(data, dtype=dtype, name="data", as_ref=True)
        pred = ops.convert_to_tensor(pred, name="pred")
        if pred.dtype.base_dtype != dtypes.bool:
            raise TypeError(
                f"Value passed to parameter 'pred' has DataType {pred.dtype.base_dtype.name} not in "
                "list of allowed values: bool"
            )
        op_type = "RefSwitch" if data.dtype.is_ref_dtype else "Switch"
        op = make_op(op_type, [data, pred], name=scope, attrs={"T": data.dtype.base_dtype})
        return op.outputs[0], op.outputs[1]


def merge(inputs, name=None):
    """``(output, value_index)``: the one live tensor of `inputs` and its index."""
    if any(t is None for t in inputs):
        raise ValueError(f"At least one of the merge inputs is None: {inputs}")
    with ops.name_scope(name, "Merge", inputs) as scope:
        inputs = [ops.convert_to_tensor(t, as_ref=True) for t in inputs]
        dtype = inputs[0].dtype.base_dtype
        for t in inputs[1:]:
            if t.dtype.base_dtype != dtype:
                raise TypeError(
                    f"Inputs to Merge must have the same type: {dtype.name} and {t.dtype.base_dtype.name}"
                )
        data = [t if not t.dtype.is_ref_dtype else _read(t) for t in inputs]
        op = make_op("Merge", data, name=scope, attrs={"T": dtype, "N": len(data)})
        return op.outputs[0], op.outputs[1]


def _read(ref):
    from engine.ops import array_ops

    return array_ops.identity(ref)


def enter(data, frame_name, is_constant=False, parallel_iterations=10, name=None):
    """`data` made available in the child frame `frame_name` (in each of its iterations if constant)."""
    data = ops.convert_to_tensor(data, as_ref=True)
    op_type = "RefEnter" if data.dtype.is_ref_dtype else "Enter"
    attrs = {
        "T": data.dtype.base_dtype,
        "frame_name": frame_name,
        "is_constant": bool(is_constant),
        "parallel_iterations": int(parallel_iterations),
    }
    return make_op(op_type, [data], name=name or "Enter", attrs=attrs).outputs[0]


def exit(data, name=None):  # noqa: A001 - TF's name
    """`data` returned from its frame to the parent frame."""
    data = ops.convert_to_tensor(data)
    return make_op("Exit", [data], name=name or "Exit", attrs={"T": data.dtype.base_dtype}).outputs[0]


def next_iteration(data, name=None):
    """`data` made available to the next iteration of its frame."""
    data = ops.convert_to_tensor(data)
    return make_op(
        "NextIteration", [data], name=name or "NextIteration", attrs={"T": data.dtype.base_dtype}
    ).outputs[0]


def loop_cond(pred, name=None):
    """The loop predicate, marked as such."""
    return make_op("LoopCond", [pred], name=name or "LoopCond").outputs[0]
