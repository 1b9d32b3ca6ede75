"""Row updates of a reference variable in place: ScatterUpdate, ScatterAdd, ScatterSub, ScatterMul,
ScatterDiv, ScatterMax, ScatterMin (`tf.scatter_add`, ..., `Variable.scatter_sub`).

``ref[indices[i], ...] op= updates[i, ...]``, where `updates` has the shape ``indices.shape +
ref.shape[1:]`` (or is a scalar, applied to every row named); a repeated index applies each of its
updates in turn, as TF's kernels do (``np.<ufunc>.at``).  Each op outputs the updated reference.  The
optimizers' sparse paths use ScatterSub (GradientDescent) and ScatterAdd (Adam) on IndexedSlices
gradients.  TF marks ScatterAdd/Sub/Mul/Div not differentiable and registers no gradient for the others.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import errors, ops, registry
from engine.ops import op_util

_UFUNCS = {
    "ScatterUpdate": None,
    "ScatterAdd": np.add,
    "ScatterSub": np.subtract,
    "ScatterMul": np.multiply,
    "ScatterDiv": np.divide,
    "ScatterMax": np.maximum,
    "ScatterMin": np.minimum,
}


def check_row_indices(indices, rows):
    """TF's "indices[i] = v is not in [0, rows)" for the first index outside the variable's rows."""
    idx = np.asarray(indices)
    bad = (idx < 0) | (idx >= rows)
    if bad.any():
        pos = np.argwhere(bad)[0]
        raise errors.InvalidArgumentError(
            None, None, f"indices[{','.join(str(i) for i in pos)}] = {idx[tuple(pos)]} is not in [0, {rows})")


def _infer(op):
    """ScatterUpdateShape: updates must be a scalar or have the shape indices.shape + ref.shape[1:]."""
    ref, indices, updates = op.inputs
    rd, idd, ud = op_util.dims(ref), op_util.dims(indices), op_util.dims(updates)
    if rd is not None and idd is not None and ud is not None and ud != []:
        if not rd:
            raise op_util.shape_error(op, "Shape must be at least rank 1 but is rank 0")
        expected = idd + rd[1:]
        if len(expected) != len(ud):
            raise op_util.shape_error(op, f"Shapes must be equal rank, but are {len(ud)} and {len(expected)}")
        for i, (a, b) in enumerate(zip(ud, expected, strict=True)):
            if a is not None and b is not None and a != b:
                raise op_util.shape_error(
                    op, f"Dimension {i} in both shapes must be equal, but are {a} and {b}. Shapes are "
                    f"{op_util.shape_str(updates.shape)} and {op_util.shape_str(op_util.shape(expected))}")
    return [(ref.dtype, ref.shape)]


def scatter_rows(var, indices, updates, ufunc):
    """``var[indices[i]] = ufunc(var[indices[i]], updates[i])`` in place, in order (`ufunc` None: set)."""
    check_row_indices(indices, var.shape[0])
    idx = np.asarray(indices).reshape(-1)
    upd = np.asarray(updates, dtype=var.dtype)
    rows = upd if upd.ndim == 0 else upd.reshape((idx.size,) + var.shape[1:])
    if ufunc is None:
        var[idx] = rows  # the last update of a repeated index wins, as in TF's serial kernel
    else:
        ufunc.at(var, idx, rows)


def _compile(op, runtime):
    ufunc = _UFUNCS[op.type]

    def kernel(cell, indices, updates):
        scatter_rows(cell.read(), indices, updates, ufunc)
        return cell

    return kernel


_MAX_MIN_TYPES = ("float16", "bfloat16", "float32", "float64", "int32", "int64")
for _op_type, _ufunc in _UFUNCS.items():
    _allowed = {"Tindices": groups.INDEX_TYPES}
    if _ufunc is not None:  # ScatterUpdate takes any type
        _allowed["T"] = _MAX_MIN_TYPES if _op_type in ("ScatterMax", "ScatterMin") else groups.NUMBER_TYPES
    registry.register_op(_op_type, infer=_infer, compile=_compile, ref_inputs=(0,), ref_output=True,
                         stateful=True, attrs={"use_locking": _op_type == "ScatterUpdate"},
                         inputs=("ref: T", "indices: Tindices", "updates: T"), allowed=_allowed)
for _op_type in ("ScatterAdd", "ScatterSub", "ScatterMul", "ScatterDiv"):
    registry.register_not_differentiable(_op_type)


def _ref(v):
    if isinstance(v, ops.Tensor):
        return v
    return v._ref() if hasattr(v, "_ref") else ops.convert_to_tensor(v, as_ref=True)


def _scatter(op_type, ref, indices, updates, use_locking, name):
    ref = _ref(ref)
    dtype = ref.dtype.base_dtype
    with ops.name_scope(name, op_type, [ref, indices, updates]) as scope:
        indices = ops.convert_to_tensor(indices, name="indices")
        updates = op_util.convert_input(op_type, "updates", updates, dtype, inferred_from="ref")
        return op_util.make_tensor(op_type, [ref, indices, updates], name=scope, attrs={
            "T": dtype, "Tindices": indices.dtype.base_dtype, "use_locking": bool(use_locking)})


def _public(op_type, verb):
    """The ``tf.scatter_*`` function of `op_type` (ScatterUpdate locks by default, the others do not)."""
    default_locking = op_type == "ScatterUpdate"

    def scatter(ref, indices, updates, use_locking=default_locking, name=None):
        return _scatter(op_type, ref, indices, updates, use_locking, name)

    scatter.__name__ = scatter.__qualname__ = "scatter_" + op_type.removeprefix("Scatter").lower()
    scatter.__doc__ = f"``tf.{scatter.__name__}``: the rows of `ref` at `indices` {verb} `updates`."
    return scatter


scatter_update = _public("ScatterUpdate", "set to")
scatter_add = _public("ScatterAdd", "plus (repeated indices add up)")
scatter_sub = _public("ScatterSub", "minus")
scatter_mul = _public("ScatterMul", "times")
scatter_div = _public("ScatterDiv", "divided by")
scatter_max = _public("ScatterMax", "the maximum of themselves and")
scatter_min = _public("ScatterMin", "the minimum of themselves and")
