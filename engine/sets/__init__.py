"""`tf.sets`: set operations along the last dimension under TF 1.x's names, the short ones and the
``set_*`` ones (re-exports only; engine/ops/set_operations.py holds them)."""

from __future__ import annotations

from engine.ops.set_operations import set_difference, set_intersection, set_size, set_union
from engine.ops.set_operations import set_difference as difference
from engine.ops.set_operations import set_intersection as intersection
from engine.ops.set_operations import set_size as size
from engine.ops.set_operations import set_union as union

__all__ = [
    "difference",
    "intersection",
    "set_difference",
    "set_intersection",
    "set_size",
    "set_union",
    "size",
    "union",
]
