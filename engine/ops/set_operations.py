"""Set operations along the last dimension (``tf.sets``): DenseToDenseSetOperation,
DenseToSparseSetOperation, SparseToSparseSetOperation and SetSize. Every input is a batch of sets: the
values sharing all indices but the last form one set (duplicates count once). Results are SparseTensors
whose rows hold each group's result set in ascending order, TF's layout. TF gives none of them a
gradient. Kernels, shape rules, registrations and the ``tf.sets`` wrappers."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_not_differentiable
from engine.framework.sparse_tensor import SparseTensor, convert_to_tensor_or_sparse_tensor
from engine.ops.op_util import dims, make_op, merge_dims, shape_error
from engine.ops.sparse_ops.common import as_indices, as_shape, check_order, sparse_outputs

_SET_TYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "string")
# How TF's python layer prints its frozenset of valid dtypes in its TypeErrors.
_VALID_TEXT = "frozenset({tf.int32, tf.uint8, tf.int16, tf.int8, tf.string, tf.int64, tf.uint16})"
_OPERATIONS = ("a-b", "b-a", "intersection", "union")


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


# --- kernels: groups of sets, the operation, the SparseTensor out ---------------------------------------


def _group_shape(shape):
    if len(shape) < 2:
        raise _invalid(f"Shape [{','.join(str(d) for d in shape)}] has rank {len(shape)} < 2")
    return tuple(shape[:-1])


def _dense_sets(x):
    """{group index: set of values} of every group of a dense batch of sets."""
    x = np.asarray(x)
    group_shape = _group_shape(x.shape)
    rows = x.reshape(-1, x.shape[-1]).tolist() if x.size else [[]] * int(np.prod(group_shape))
    return group_shape, dict(zip(np.ndindex(*group_shape), map(set, rows), strict=True))


def _sparse_sets(indices, values, dense_shape, validate):
    """{group index: set of values} of the groups a SparseTensor has entries in."""
    dense_shape = np.asarray(dense_shape)
    if dense_shape.ndim != 1:
        raise _invalid("Shape must be a 1D tensor.")
    shape = as_shape(dense_shape)
    if len(shape) < 2:
        raise _invalid(f"Invalid rank {len(shape)}.")
    indices = as_indices(indices)
    if validate:
        check_order(indices, shape)
    sets: dict = {}
    for key, value in zip(map(tuple, indices[:, :-1].tolist()), np.asarray(values).tolist(), strict=True):
        sets.setdefault(key, set()).add(value)
    return _group_shape(shape), sets


def _check_groups_match(shape_a, shape_b):
    if shape_a != shape_b:
        raise _invalid(
            f"Mismatched shapes [{','.join(map(str, shape_a))}] vs [{','.join(map(str, shape_b))}]"
        )


def _apply(operation, a, b):
    if operation == "a-b":
        return a - b
    if operation == "b-a":
        return b - a
    return a & b if operation == "intersection" else a | b


def _sparse_result(group_shape, a_sets, b_sets, operation, np_type):
    """The (indices, values, dense_shape) of the per-group results, groups in row-major order."""
    rows, out_values, widest = [], [], 0
    for key in sorted(a_sets.keys() | b_sets.keys()):
        result = sorted(_apply(operation, a_sets.get(key, set()), b_sets.get(key, set())))
        widest = max(widest, len(result))
        rows.extend((*key, j) for j in range(len(result)))
        out_values.extend(result)
    indices = np.array(rows, np.int64).reshape(len(rows), len(group_shape) + 1)
    values = np.array(out_values, dtype=np_type) if out_values else np.zeros(0, np_type)
    return indices, values, np.array((*group_shape, widest), np.int64)


def _compile_set_operation(op, runtime):
    operation = op.get_attr("set_operation")
    operation = (operation.decode() if isinstance(operation, bytes) else operation).lower()
    if operation not in _OPERATIONS:
        raise _invalid(f"Invalid set_operation {operation}.")
    validate = bool(op.get_attr("validate_indices"))
    values_dtype = op.outputs[1].dtype
    np_type = object if values_dtype == dtypes.string else values_dtype.as_numpy_dtype

    def kernel(*inputs):
        if op.type == "SparseToSparseSetOperation":
            group_a, a_sets = _sparse_sets(*inputs[:3], validate)
            group_b, b_sets = _sparse_sets(*inputs[3:], validate)
        else:
            group_a, a_sets = _dense_sets(inputs[0])
            if op.type == "DenseToDenseSetOperation":
                group_b, b_sets = _dense_sets(inputs[1])
            else:
                group_b, b_sets = _sparse_sets(*inputs[1:], validate)
        _check_groups_match(group_a, group_b)
        return _sparse_result(group_a, a_sets, b_sets, operation, np_type)

    return kernel


def _compile_set_size(op, runtime):
    validate = bool(op.get_attr("validate_indices"))

    def kernel(indices, values, dense_shape):
        group_shape, sets = _sparse_sets(indices, values, dense_shape, validate)
        out = np.zeros(group_shape, np.int32)
        for key, members in sets.items():
            out[key] = len(members)
        return out

    return kernel


# --- shape rules (TF's SetShapeFn) ------------------------------------------------------------------------


def _at_least_rank_2(op, t):
    d = dims(t)
    if d is not None and len(d) < 2:
        raise shape_error(op, f"Shape must be at least rank 2 but is rank {len(d)}")
    return d


def _rank_of_shape_input(op, t):
    """The sparse rank a (vector) dense_shape input gives, or None."""
    d = dims(t)
    if d is not None and len(d) != 1:
        raise shape_error(op, f"Shape must be rank 1 but is rank {len(d)}")
    return None if d is None else d[0]


def _infer_set_operation(op):
    values_dtype = op.inputs[1 if op.type == "SparseToSparseSetOperation" else 0].dtype.base_dtype
    if op.type == "DenseToDenseSetOperation":
        a, b = (_at_least_rank_2(op, t) for t in op.inputs)
        if a is not None and b is not None:
            if len(a) != len(b):
                raise shape_error(op, f"Shape must be rank {len(a)} but is rank {len(b)}")
            merge_dims(op, a[:-1], b[:-1])
        rank = len(a) if a is not None else None if b is None else len(b)
    elif op.type == "DenseToSparseSetOperation":
        a = _at_least_rank_2(op, op.inputs[0])
        rank = _rank_of_shape_input(op, op.inputs[3])
        if a is not None and rank is not None and rank != len(a):
            raise shape_error(op, f"Dimension must be {len(a)} but is {rank}")
        rank = len(a) if a is not None else rank
    else:
        rank_a, rank_b = _rank_of_shape_input(op, op.inputs[2]), _rank_of_shape_input(op, op.inputs[5])
        if rank_a is not None and rank_b is not None and rank_a != rank_b:
            raise shape_error(op, f"Dimensions must be equal, but are {rank_a} and {rank_b}")
        rank = rank_a if rank_a is not None else rank_b
    return sparse_outputs(values_dtype, rank)


_SET_ATTRS = {"validate_indices": True}
for _op_type, _inputs in (
    ("DenseToDenseSetOperation", ("set1: T", "set2: T")),
    ("DenseToSparseSetOperation", ("set1: T", "set2_indices", "set2_values: T", "set2_shape")),
    (
        "SparseToSparseSetOperation",
        ("set1_indices", "set1_values: T", "set1_shape", "set2_indices", "set2_values: T", "set2_shape"),
    ),
):
    registry.register_op(
        _op_type, infer=_infer_set_operation, compile=_compile_set_operation, fresh=True,
        attrs=_SET_ATTRS, inputs=_inputs, allowed={"T": _SET_TYPES},
    )
    register_not_differentiable(_op_type)

registry.register_op(
    "SetSize", infer=lambda op: [(dtypes.int32, _ts.unknown_shape())], compile=_compile_set_size, fresh=True,
    attrs=_SET_ATTRS, inputs=("set_indices", "set_values: T", "set_shape"), allowed={"T": _SET_TYPES},
)
register_not_differentiable("SetSize")


# --- the tf.sets wrappers ---------------------------------------------------------------------------------


def _check_dtype(dtype, what):
    if dtype.base_dtype.name not in _SET_TYPES:
        raise TypeError(f"{what} `{dtype}` not in supported dtypes: `{_VALID_TEXT}`.")


def set_size(a, validate_indices=True):
    """``tf.sets.size``: how many distinct values each set (the last dimension of SparseTensor `a`) has."""
    a = convert_to_tensor_or_sparse_tensor(a, name="a")
    if not isinstance(a, SparseTensor):
        raise TypeError(f"Expected `SparseTensor`, got {a}.")
    _check_dtype(a.values.dtype, "Invalid dtype")
    return make_op(
        "SetSize", [a.indices, a.values, a.dense_shape],
        attrs={"T": a.values.dtype.base_dtype, "validate_indices": bool(validate_indices)},
    ).outputs[0]


def _operands(a, b):
    """(a, b, flipped): TF's kernels take (dense, sparse) but not (sparse, dense), so that pair is swapped."""
    a = convert_to_tensor_or_sparse_tensor(a, name="a")
    _check_dtype(a.dtype, "'a' has invalid dtype")
    b = convert_to_tensor_or_sparse_tensor(b, name="b")
    if b.dtype.base_dtype != a.dtype.base_dtype:
        raise TypeError(f"Types don't match, {a.dtype} vs {b.dtype}.")
    if isinstance(a, SparseTensor) and not isinstance(b, SparseTensor):
        return b, a, True
    return a, b, False


def _set_operation(a, b, operation, validate_indices):
    attrs = {"T": a.dtype.base_dtype, "set_operation": operation, "validate_indices": bool(validate_indices)}
    if isinstance(a, SparseTensor):
        op = make_op(
            "SparseToSparseSetOperation",
            [a.indices, a.values, a.dense_shape, b.indices, b.values, b.dense_shape], attrs=attrs,
        )
    elif isinstance(b, SparseTensor):
        op = make_op("DenseToSparseSetOperation", [a, b.indices, b.values, b.dense_shape], attrs=attrs)
    else:
        op = make_op("DenseToDenseSetOperation", [a, b], attrs=attrs)
    return SparseTensor(*op.outputs)


def set_intersection(a, b, validate_indices=True):
    """``tf.sets.intersection``: per set (last dimension), the values in both `a` and `b`."""
    a, b, _ = _operands(a, b)
    return _set_operation(a, b, "intersection", validate_indices)


def set_union(a, b, validate_indices=True):
    """``tf.sets.union``: per set (last dimension), the values in `a` or `b`."""
    a, b, _ = _operands(a, b)
    return _set_operation(a, b, "union", validate_indices)


def set_difference(a, b, aminusb=True, validate_indices=True):
    """``tf.sets.difference``: per set (last dimension), the values of `a` not in `b` (`b` minus `a` when
    `aminusb` is False)."""
    a, b, flipped = _operands(a, b)
    return _set_operation(a, b, "a-b" if aminusb != flipped else "b-a", validate_indices)
