"""The operator overloads of RaggedTensor (``rt + 1``, ``rt * rt``, ``-rt``, ``rt < 2``, ``~mask``; ``&``,
``|``, ``^`` and ``~`` are the logical ops, as in TF): the
op runs on the flat values and the result keeps the row partitions, as TF's ragged dispatch does when the
operands are a RaggedTensor and a scalar, or RaggedTensors of the same row partitions (checked at run time
when they are not the same tensors). A dense operand of rank > 0 would need TF's ragged
broadcasting, which the engine does not have: it is refused with a ValueError naming
``tf.ragged.map_flat_values``."""

from __future__ import annotations

from engine.framework import ops
from engine.ops import check_ops, math_ops
from engine.ragged.ragged_tensor import RaggedTensor


def _flat_operands(operands):
    """The flat values (or the scalar operands as they are) and the RaggedTensor whose partitions the
    result takes, with the run-time checks that the ragged operands' splits agree."""
    ragged = [x for x in operands if isinstance(x, RaggedTensor)]
    first = ragged[0]
    checks = []
    for other in ragged[1:]:
        if other.ragged_rank != first.ragged_rank:
            raise ValueError(
                "RaggedTensor operands of an elementwise op must have the same ragged_rank here "
                f"(got {first.ragged_rank} and {other.ragged_rank}); TF's ragged broadcasting "
                "is not in the engine."
            )
        for a, b in zip(first.nested_row_splits, other.nested_row_splits, strict=True):
            if a is not b:
                checks.append(check_ops.assert_equal(a, b))
    flat = []
    for x in operands:
        if isinstance(x, RaggedTensor):
            flat.append(x.flat_values)
            continue
        if isinstance(x, ops.Tensor) and (x.shape.ndims is None or x.shape.ndims > 0):
            raise ValueError(
                "A dense operand of rank > 0 with a RaggedTensor needs TF's ragged broadcasting, "
                "which the engine does not have; use tf.ragged.map_flat_values."
            )
        flat.append(x)
    return flat, first, checks


def elementwise(fn, *operands):
    """`fn` of the operands' flat values, with the ragged operand's row partitions."""
    flat, ragged, checks = _flat_operands(operands)
    if checks:
        with ops.control_dependencies(checks):
            return ragged.with_flat_values(fn(*flat))
    return ragged.with_flat_values(fn(*flat))


_BINARY = {
    "add": math_ops.add,
    "sub": math_ops.subtract,
    "mul": math_ops.multiply,
    "truediv": math_ops.truediv,
    "div": math_ops.div,
    "floordiv": math_ops.floordiv,
    "mod": math_ops.floormod,
    "pow": math_ops.pow,
    # TF's ragged &, |, ^ and ~ are the logical ops, whatever the dtype.
    "and": math_ops.logical_and,
    "or": math_ops.logical_or,
    "xor": math_ops.logical_xor,
}
_COMPARISONS = {
    "lt": math_ops.less,
    "le": math_ops.less_equal,
    "gt": math_ops.greater,
    "ge": math_ops.greater_equal,
}


def _install():
    for name, fn in _BINARY.items():
        setattr(RaggedTensor, f"__{name}__", lambda x, y, fn=fn: elementwise(fn, x, y))
        setattr(RaggedTensor, f"__r{name}__", lambda x, y, fn=fn: elementwise(fn, y, x))
    for name, fn in _COMPARISONS.items():
        setattr(RaggedTensor, f"__{name}__", lambda x, y, fn=fn: elementwise(fn, x, y))
    RaggedTensor.__neg__ = lambda x: elementwise(math_ops.negative, x)
    RaggedTensor.__abs__ = lambda x: elementwise(math_ops.abs, x)
    RaggedTensor.__invert__ = lambda x: elementwise(math_ops.logical_not, x)
    RaggedTensor.__bool__ = _no_bool


def _no_bool(_):
    raise TypeError("RaggedTensor may not be used as a boolean.")


_install()
