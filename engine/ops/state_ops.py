"""Reference-variable ops: VariableV2, Assign, AssignAdd, AssignSub, IsVariableInitialized.

A VariableV2 op outputs a *ref* (`float32_ref`); at run time ref inputs receive the session's
`VariableCell`, so Assign-type kernels update the variable's storage in that session.
"""

from __future__ import annotations

import threading

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.ops.op_util import make_op, shape_error, shape_str


def _infer_variable(op):
    return [(op._attrs["dtype"]._as_ref, op._attrs["shape"])]


def _compile_variable(op, runtime):
    cell = runtime.cell(op)
    return lambda: cell


registry.register_op(
    "VariableV2",
    infer=_infer_variable,
    compile=_compile_variable,
    ref_output=True,
    stateful=True,
    attrs={"container": "", "shared_name": ""},
    variable=True,
)


def _check_ref(op):
    ref = op.inputs[0]
    if not ref.dtype.is_ref_dtype:
        raise TypeError(f"'{op.type}' Op requires that input 'ref' be a mutable tensor (e.g.: a tf.Variable)")
    return ref


def _infer_assign(op):
    ref, value = op.inputs
    _check_ref(op)
    if ref.dtype.base_dtype != value.dtype.base_dtype:
        raise TypeError(
            f"Input 'value' of '{op.type}' Op has type {value.dtype.base_dtype.name} that does not match "
            f"type {ref.dtype.base_dtype.name} of argument 'ref'."
        )
    if op._attrs.get("validate_shape", True):
        if not ref.shape.is_compatible_with(value.shape):
            a, b = ref.shape._as_tuple(), value.shape._as_tuple()
            if a is not None and b is not None and len(a) != len(b):
                raise shape_error(op, f"Shapes must be equal rank, but are {len(a)} and {len(b)}")
            i = next(
                i
                for i, (x, y) in enumerate(zip(a, b, strict=True))
                if x is not None and y is not None and x != y
            )
            raise shape_error(
                op,
                f"Dimension {i} in both shapes must be equal, but are {a[i]} and {b[i]}. "
                f"Shapes are {shape_str(a)} and {shape_str(b)}.",
            )
        out = ref.shape.merge_with(value.shape)
    else:
        out = value.shape
    return [(ref.dtype, out)]


def _compile_assign(op, runtime):
    validate = op._attrs.get("validate_shape", True)
    npd = op.inputs[0].dtype.base_dtype.as_numpy_dtype

    def kernel(cell, value):
        old = cell.value
        shape = value.shape if isinstance(value, (np.ndarray, np.generic)) else np.shape(value)
        if validate and old is not None and old.shape != shape:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Assign requires shapes of both tensors to match. lhs shape= {list(old.shape)} rhs "
                f"shape= {list(shape)}",
            )
        if old is not None and old.shape == shape and old.flags.writeable:
            # Like TF, write into the existing buffer, so tensors aliasing the variable see the update.
            # (Item assignment casts as copyto(casting="unsafe") does, without its Python dispatcher.)
            old[...] = value
        else:
            cell.value = np.array(value, dtype=npd)
        return cell

    return kernel


registry.register_op(
    "Assign",
    infer=_infer_assign,
    compile=_compile_assign,
    ref_inputs=(0,),
    ref_output=True,
    stateful=True,
    attrs={"use_locking": True, "validate_shape": True},
    reshapes_variable=True,
)


def _infer_assign_update(op):
    ref, value = op.inputs
    _check_ref(op)
    if ref.dtype.base_dtype != value.dtype.base_dtype:
        raise TypeError(
            f"Input 'value' of '{op.type}' Op has type {value.dtype.base_dtype.name} that does not match "
            f"type {ref.dtype.base_dtype.name} of argument 'ref'."
        )
    if not ref.shape.is_compatible_with(value.shape):
        raise shape_error(op, f"Shapes {shape_str(ref.shape)} and {shape_str(value.shape)} are incompatible")
    return [(ref.dtype, ref.shape)]


def _update_factory(np_fn):
    def compile_(op, runtime):
        def kernel(cell, value):
            current = cell.read()
            if np.shape(value) != current.shape:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"Parameters and update must be the same size: {list(current.shape)} vs. "
                    f"{list(np.shape(value))}",
                )
            np_fn(current, value, out=current, casting="unsafe")  # in place, as TF's kernels update
            return cell

        return kernel

    return compile_


for _op_type, _ufunc in (("AssignAdd", np.add), ("AssignSub", np.subtract)):
    registry.register_op(
        _op_type,
        infer=_infer_assign_update,
        compile=_update_factory(_ufunc),
        ref_inputs=(0,),
        ref_output=True,
        stateful=True,
        attrs={"use_locking": False},
        inputs=("ref: T", "value: T"),
        allowed={"T": groups.NUMBER_TYPES},
    )


def _compile_is_initialized(op, runtime):
    return lambda cell: np.bool_(cell.value is not None)


registry.register_op(
    "IsVariableInitialized",
    infer=lambda op: [(dtypes.bool, _ts.scalar())],
    compile=_compile_is_initialized,
    ref_inputs=(0,),
    stateful=True,
)


# CountUpTo's read-and-increment must be one step when queue-runner threads count epochs together.
_COUNT_LOCK = threading.Lock()


def _compile_count_up_to(op, runtime):
    limit = int(op.get_attr("limit"))

    def kernel(cell):
        with _COUNT_LOCK:
            before = cell.read()
            if before >= limit:
                raise errors.OutOfRangeError(None, None, f"Reached limit of {limit}")
            cell.value = before + before.dtype.type(1)
            return before.copy()

    return kernel


registry.register_op(
    "CountUpTo",
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, _ts.scalar())],
    compile=_compile_count_up_to,
    ref_inputs=(0,),
    stateful=True,
    inputs=("ref: T",),
    allowed={"T": ("int32", "int64")},
)


def count_up_to(ref, limit, name=None):
    """``tf.count_up_to``: the variable's value, then the variable incremented; OutOfRangeError ("Reached
    limit of N") once it has reached `limit` (how `tf.train.limit_epochs` counts epochs)."""
    ref_t = _ref_of(ref)
    return make_op("CountUpTo", [ref_t], name=name or "CountUpTo",
                   attrs={"T": ref_t.dtype.base_dtype, "limit": int(limit)})._outputs[0]


def variable_op_v2(shape, dtype, name="Variable", container="", shared_name=""):
    """The raw VariableV2 op's ref output (what `tf.Variable` builds on)."""
    op = make_op(
        "VariableV2",
        [],
        name=name,
        attrs={
            "container": container,
            "dtype": dtypes.as_dtype(dtype).base_dtype,
            "shape": _ts.as_shape(shape),
            "shared_name": shared_name,
        },
    )
    return op._outputs[0]


def _ref_of(ref):
    if isinstance(ref, ops.Tensor):
        return ref
    return ops.convert_to_tensor(ref, as_ref=True)


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """Stores `value` in the variable `ref`; the result is the ref after assignment."""
    ref_t = _ref_of(ref)
    if not ref_t.dtype.is_ref_dtype:
        raise TypeError("'Assign' Op requires that input 'ref' be a mutable tensor (e.g.: a tf.Variable)")
    with ops.name_scope(name, "Assign", [ref_t, value]) as scope:
        value_t = ops.convert_to_tensor(value, dtype=ref_t.dtype.base_dtype, name="value")
        return make_op(
            "Assign",
            [ref_t, value_t],
            name=scope,
            attrs={
                "T": ref_t.dtype.base_dtype,
                "use_locking": True if use_locking is None else bool(use_locking),
                "validate_shape": True if validate_shape is None else bool(validate_shape),
            },
        )._outputs[0]


def _assign_update(op_type, ref, value, use_locking, name):
    ref_t = _ref_of(ref)
    if not ref_t.dtype.is_ref_dtype:
        raise TypeError(f"'{op_type}' Op requires that input 'ref' be a mutable tensor (e.g.: a tf.Variable)")
    with ops.name_scope(name, op_type, [ref_t, value]) as scope:
        value_t = ops.convert_to_tensor(value, dtype=ref_t.dtype.base_dtype, name="value")
        return make_op(
            op_type,
            [ref_t, value_t],
            name=scope,
            attrs={"T": ref_t.dtype.base_dtype, "use_locking": bool(use_locking)},
        )._outputs[0]


def assign_add(ref, value, use_locking=None, name=None):
    """ref += value; returns the updated ref."""
    return _assign_update("AssignAdd", ref, value, use_locking, name)


def assign_sub(ref, value, use_locking=None, name=None):
    """ref -= value; returns the updated ref."""
    return _assign_update("AssignSub", ref, value, use_locking, name)


def is_variable_initialized(ref, name=None):
    """A bool scalar: has the variable been initialized in this session?"""
    ref_t = _ref_of(ref)
    return make_op(
        "IsVariableInitialized",
        [ref_t],
        name=name or "IsVariableInitialized",
        attrs={"dtype": ref_t.dtype.base_dtype},
    )._outputs[0]


# TF marks the assignments not differentiable (state_grad.py); VariableV2 and IsVariableInitialized have
# no gradient at all there, so a gradient reaching one raises LookupError.
for _op_type in ("Assign", "AssignAdd", "AssignSub"):
    registry.register_not_differentiable(_op_type)
