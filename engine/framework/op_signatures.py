"""TensorFlow's OpDefs (argument and attr signatures) of the engine's op types, for `.meta` files.

`op_signatures.pb` beside this module is one serialized `OpList` written by scripts/op_signatures.py
from real TensorFlow's op registry; a MetaGraphDef's `meta_info_def.stripped_op_list` carries these
for the op types its graph uses, as TensorFlow writes it. Loaded on first use.
"""

from __future__ import annotations

import functools
from pathlib import Path

from engine.proto import op_def_pb2

_FILE = Path(__file__).with_name("op_signatures.pb")


@functools.cache
def _signatures() -> dict[str, op_def_pb2.OpDef]:
    ops = op_def_pb2.OpList()
    ops.ParseFromString(_FILE.read_bytes())
    return {op.name: op for op in ops.op}


def stripped_op_list(op_types) -> op_def_pb2.OpList:
    """TF's `stripped_op_list_for_graph`: the OpDef of each type, sorted by name. A type without a
    signature (not a TensorFlow op) is listed by name only."""
    signatures = _signatures()
    out = op_def_pb2.OpList()
    for op_type in sorted(set(op_types)):
        out.op.append(signatures.get(op_type) or op_def_pb2.OpDef(name=op_type))
    return out
