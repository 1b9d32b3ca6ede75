"""Roll (``tf.roll``): elements shifted cyclically along axes; kernel on numpy.roll, TF's shape rule
(shift and axis scalars or vectors of one size), registration, wrapper and gradient (the opposite roll)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import errors, ops, registry
from engine.framework.registry import register_gradient
from engine.ops.op_util import dims, make_tensor, merge_dims, shape_error


def _roll_kernel(x, shift, axis):
    x = np.asarray(x)
    shifts = [int(s) for s in np.reshape(shift, -1)]
    axes = [int(a) for a in np.reshape(axis, -1)]
    if len(shifts) != len(axes):
        raise errors.InvalidArgumentError(None, None, "shift and axis must have the same size")
    for a in axes:
        if not -x.ndim <= a < x.ndim:
            raise errors.InvalidArgumentError(None, None, f"axis {a} is out of range")
    return np.roll(x, shifts, axes) if axes else x.copy()


def _infer_roll(op):
    x, shift, axis = op.inputs
    for t in (shift, axis):
        d = dims(t)
        if d is not None and len(d) > 1:
            raise shape_error(op, f"Shape must be at most rank 1 but is rank {len(d)}")
    ds, da = dims(shift), dims(axis)
    if ds is not None and da is not None and len(ds) == 1 and len(da) == 1:
        merge_dims(op, ds, da)
    return [(x.dtype.base_dtype, x.shape)]


registry.register_op("Roll", infer=_infer_roll, kernel=_roll_kernel, fresh=True,
                     inputs=("input: T", "shift: Tshift", "axis: Taxis"),
                     allowed={"Tshift": groups.INDEX_TYPES, "Taxis": groups.INDEX_TYPES})


def roll(input, shift, axis, name=None):  # noqa: A002 - TF's argument name
    """``tf.roll``: `input` with its elements shifted cyclically by `shift` along each `axis`."""
    with ops.name_scope(name, "Roll", [input, shift, axis]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        shift = ops.convert_to_tensor(shift, name="shift")
        axis = ops.convert_to_tensor(axis, name="axis")
        attrs = {"T": x.dtype.base_dtype, "Tshift": shift.dtype.base_dtype, "Taxis": axis.dtype.base_dtype}
        return make_tensor("Roll", [x, shift, axis], name=scope, attrs=attrs)


@register_gradient("Roll")
def _roll_grad(op, grad):
    _, shift, axis = op.inputs
    return [roll(grad, -shift, axis), None, None]
