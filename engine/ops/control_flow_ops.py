"""NoOp, `group`, `tuple`, `with_dependencies`: ordering ops without data (TF's control_flow_ops)."""

from __future__ import annotations

import builtins

from engine.framework import ops, registry
from engine.framework.indexed_slices import IndexedSlices
from engine.ops.op_util import make_op

registry.register_op("NoOp", infer=lambda op: [], kernel=lambda *args: None, control_only=True)


def no_op(name=None):
    """An op that does nothing; useful as a control-dependency hub."""
    return ops.get_default_graph().create_op("NoOp", [], name=name or "NoOp")


def _as_op(x):
    if isinstance(x, ops.Operation):
        return x
    if isinstance(x, ops.Tensor):
        return x.op
    if hasattr(x, "op") and isinstance(x.op, ops.Operation):
        return x.op
    if hasattr(x, "_as_graph_element"):
        return _as_op(x._as_graph_element())
    raise TypeError(f"Expected an Operation, Tensor or Variable, got {x!r}")


def group(*inputs, **kwargs):
    """A NoOp (named `group_deps` by default) that runs after all `inputs`."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError(f"Unknown keyword arguments: {', '.join(kwargs)}")
    flat = []
    for x in inputs:
        if isinstance(x, (list, builtins.tuple)):
            flat.extend(x)
        else:
            flat.append(x)
    with ops.name_scope(name, "group_deps", flat) as scope:
        if not flat:
            return no_op(name=scope)
        deps = [_as_op(x) for x in flat]
        with ops.control_dependencies(deps):
            return no_op(name=scope)


def with_dependencies(dependencies, output_tensor, name=None):
    """`output_tensor` through an Identity that runs only after `dependencies`."""
    with ops.name_scope(name, "control_dependency", list(dependencies) + [output_tensor]) as scope:
        with ops.colocate_with(output_tensor):
            with ops.control_dependencies(dependencies):
                if isinstance(output_tensor, IndexedSlices):  # as TF: only the values wait
                    values = output_tensor.values
                    gated = make_op("Identity", [values], name=scope, attrs={"T": values.dtype.base_dtype})
                    return IndexedSlices(gated._outputs[0], output_tensor.indices, output_tensor.dense_shape)
                output_tensor = ops.convert_to_tensor(output_tensor)
                return make_op(
                    "Identity", [output_tensor], name=scope, attrs={"T": output_tensor.dtype.base_dtype}
                )._outputs[0]


def tuple(tensors, name=None, control_inputs=None):  # noqa: A001 - TF's name
    """The tensors, each passed through an Identity that waits for all of them (`tuple/group_deps`)."""
    with ops.name_scope(name, "tuple", tensors) as scope:
        gating = [t.op for t in tensors if t is not None]
        if control_inputs:
            gating.extend(_as_op(c) for c in control_inputs)
        gate = group(*gating, name="group_deps")
        outputs = []
        for t in tensors:
            outputs.append(None if t is None else with_dependencies([gate], t))
        del scope
        return outputs
