"""`tf.bitwise`: bitwise ops on integer tensors (re-exports only; see engine/ops/bitwise_ops.py)."""

from engine.ops.bitwise_ops import bitwise_and, bitwise_or, bitwise_xor, invert, left_shift, right_shift

__all__ = [
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "invert",
    "left_shift",
    "right_shift",
]
