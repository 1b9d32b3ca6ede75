"""`SaveV2` and `RestoreV2`: the ops a `tf.train.Saver` puts in the graph to write and read V2 checkpoints.

`SaveV2(prefix, tensor_names, shape_and_slices, *tensors)` writes the tensors as one bundle under
`prefix` (see `engine.train.checkpoint_bundle`). `RestoreV2(prefix, tensor_names, shape_and_slices)`
reads them back, one output per entry of its `dtypes` attr. Only whole tensors are supported: a
non-empty `shape_and_slices` entry (a partitioned variable) raises UnimplementedError.

Deviation from TensorFlow, on purpose: before returning anything, `RestoreV2` checks every restored
tensor against the static shape of each variable its output is assigned to (following `Identity`
ops to `Assign` / `AssignVariableOp`), so a checkpoint that does not fit the graph raises one
InvalidArgumentError naming the variable and both shapes and no variable is half-restored.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, registry
from engine.framework import tensor_shape as _ts
from engine.train.checkpoint_bundle import BundleReader, write_bundle


def _text(value) -> str:
    """A scalar string value (0-d object array, numpy scalar, bytes or str) as str."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise errors.InvalidArgumentError(
                None, None, f"Expected a scalar string, got shape {list(value.shape)}"
            )
        value = value.reshape(-1)[0]
    return value.decode("utf-8") if isinstance(value, (bytes, np.bytes_)) else str(value)


def _texts(value) -> list[str]:
    return [_text(item) for item in np.asarray(value, dtype=object).reshape(-1)]


def _check_whole_tensors(op_type, names, slices):
    if len(slices) != len(names):
        raise errors.InvalidArgumentError(
            None, None, f"{op_type}: {len(names)} tensor names but {len(slices)} shape_and_slices"
        )
    for name, spec in zip(names, slices, strict=True):
        if spec:
            raise errors.UnimplementedError(
                None,
                None,
                f"{op_type}: slice '{spec}' of tensor {name}: partitioned variables are not supported",
            )


# --- SaveV2 ---------------------------------------------------------------------------------------
def _save_kernel(prefix, tensor_names, shape_and_slices, *tensors):
    names = _texts(tensor_names)
    _check_whole_tensors("SaveV2", names, _texts(shape_and_slices))
    if len(names) != len(tensors):
        raise errors.InvalidArgumentError(
            None, None, f"Got {len(tensors)} tensors to save but {len(names)} tensor names"
        )
    write_bundle(_text(prefix), zip(names, (np.asarray(t) for t in tensors), strict=True))


registry.register_op("SaveV2", infer=lambda op: [], kernel=_save_kernel, stateful=True)


# --- RestoreV2 ------------------------------------------------------------------------------------
def _infer_restore(op):
    return [(dtypes.as_dtype(dt), _ts.unknown_shape()) for dt in op.get_attr("dtypes")]


def _shape_list(shape) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _assigned_variables(tensor):
    """(variable name, static TensorShape) of every variable `tensor` is assigned to, through Identities."""
    found = []
    pending = [tensor]
    seen = set()
    while pending:
        t = pending.pop()
        for consumer in t.consumers():
            if consumer in seen:
                continue
            seen.add(consumer)
            if consumer.type == "Identity":
                pending.append(consumer.outputs[0])
            elif consumer.type == "Assign" and consumer.inputs[1] is t:
                target = consumer.inputs[0]
                found.append((target.op.name, target.shape))
            elif consumer.type == "AssignVariableOp" and consumer.inputs[1] is t:
                handle = consumer.inputs[0].op
                while handle.type == "Identity" and handle.inputs:
                    handle = handle.inputs[0].op
                shape = handle._get_attr_or("shape", None) if handle.type == "VarHandleOp" else None
                found.append((handle.name, shape if shape is not None else _ts.unknown_shape()))
    return found


def _check_shape(variable, shape, key, stored_shape, prefix):
    if shape.is_compatible_with(_ts.TensorShape(stored_shape)):
        return
    ours, theirs = _shape_list(shape._as_tuple()), _shape_list(stored_shape)
    raise errors.InvalidArgumentError(
        None,
        None,
        f"Restoring variable {variable} from checkpoint {prefix} failed: the variable has shape {ours} but "
        f"the checkpoint's tensor {key} has shape {theirs} (lhs shape= {ours} rhs shape= {theirs})",
    )


def _compile_restore(op, runtime):
    expected_dtypes = [dtypes.as_dtype(dt) for dt in op.get_attr("dtypes")]
    targets = [_assigned_variables(t) for t in op.outputs]

    def kernel(prefix, tensor_names, shape_and_slices):
        prefix = _text(prefix)
        names = _texts(tensor_names)
        _check_whole_tensors("RestoreV2", names, _texts(shape_and_slices))
        if len(names) != len(expected_dtypes):
            raise errors.InvalidArgumentError(
                None, None, f"RestoreV2 has {len(expected_dtypes)} dtypes but {len(names)} tensor names"
            )
        reader = BundleReader(prefix)
        for i, (name, dtype) in enumerate(zip(names, expected_dtypes, strict=True)):
            stored = reader.dtype(name)  # NotFoundError names the key and the checkpoint
            if stored != dtype:
                restored_into = ", ".join(var for var, _ in targets[i]) or name
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"tensor_name = {name}; expected dtype {dtypes.c_name(dtype)} does not equal original "
                    f"dtype {dtypes.c_name(stored)} (restoring variable {restored_into} from checkpoint "
                    f"{prefix})",
                )
            stored_shape = reader.shape(name)
            for variable, shape in targets[i]:
                _check_shape(variable, _ts.as_shape(shape), name, stored_shape, prefix)
        values = [reader.read(name) for name in names]  # every checksum is verified before any assign
        return values[0] if len(values) == 1 else tuple(values)

    return kernel


registry.register_op("RestoreV2", infer=_infer_restore, compile=_compile_restore, stateful=True)
