"""A node as TF 2.x names it in error texts: `{{node add}} = AddV2[T=DT_FLOAT](x, y)`.

TF's shape-inference errors end `... for '<summary>' with input shapes: ...`, where the summary is
`SummarizeNodeDef` (core/framework/node_def_util.cc): the node in `{{node NAME}}` form, its op type,
every attr sorted by name and rendered by `SummarizeAttrValue` (attr_value_util.cc), then its inputs
verbatim.  This module renders a NodeDef proto the same way.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, tensor_util
from engine.proto import types_pb2

_MAX_STRING = 80  # longer escaped strings keep 10 characters at each end around "..."
_MAX_LIST = 30


def format_node_name(name):
    return "{{node " + name + "}}"


def _c_escape(data):
    """absl::CEscape: \\n \\r \\t \\" \\' \\\\ and octal escapes for other non-printable bytes."""
    special = {10: "\\n", 13: "\\r", 9: "\\t", 34: '\\"', 39: "\\'", 92: "\\\\"}
    return "".join(special.get(b, chr(b) if 32 <= b < 127 else f"\\{b:03o}") for b in data)


def _string(data):
    escaped = _c_escape(data)
    if len(escaped) >= _MAX_STRING:
        return f'"{escaped[:10]}...{escaped[-10:]}"'
    return f'"{escaped}"'


def _float(value):
    """strings::StrCat(float): %.6g, or %.9g when six digits do not read back as the same float32."""
    short = f"{value:.6g}"
    return short if np.float32(short) == np.float32(value) else f"{value:.9g}"


def _dtype(enum):
    return types_pb2.DataType.Name(enum)


def _shape(proto):
    if proto.unknown_rank:
        return "<unknown>"
    return "[" + ",".join("?" if d.size < 0 else str(d.size) for d in proto.dim) + "]"


def _tensor(proto):
    value = tensor_util.MakeNdarray(proto)
    dtype = dtypes.as_dtype(proto.dtype).name
    shape = "[" + ",".join(str(d) for d in value.shape) + "]"
    flat = np.reshape(value, -1)
    shown = " ".join(str(v) for v in flat[:3].tolist()) + ("..." if flat.size > 3 else "")
    return f"Tensor<type: {dtype} shape: {shape} values: {shown}>"


def _func(func):
    entries = sorted(f"{k}={summarize_attr_value(v)}" for k, v in func.attr.items())
    return f"{func.name}[{', '.join(entries)}]"


def summarize_attr_value(value):
    kind = value.WhichOneof("value")
    if kind == "s":
        return _string(value.s)
    if kind == "i":
        return str(value.i)
    if kind == "f":
        return _float(value.f)
    if kind == "b":
        return "true" if value.b else "false"
    if kind == "type":
        return _dtype(value.type)
    if kind == "shape":
        return _shape(value.shape)
    if kind == "tensor":
        return _tensor(value.tensor)
    if kind == "func":
        return _func(value.func)
    if kind == "placeholder":
        return "$" + value.placeholder
    if kind == "list":
        lst = value.list
        for field, render in (
            ("s", _string), ("i", str), ("f", _float), ("b", lambda b: "true" if b else "false"),
            ("type", _dtype), ("shape", _shape), ("tensor", _tensor), ("func", _func),
        ):
            items = getattr(lst, field)
            if len(items):
                pieces = [render(item) for item in items]
                break
        else:
            pieces = []
        if len(pieces) >= _MAX_LIST:
            # TF adds a fingerprint of the whole list here; the shortened list is what users read.
            pieces = pieces[:5] + ["..."] + pieces[-6:]
        return "[" + ", ".join(pieces) + "]"
    return "<Unknown AttrValue type>"


def summarize_node_def(node_def, at_creation=True):
    """`{{node NAME}} = OP[attr=value, ...](input, ...)`, as TF's SummarizeNodeDef.

    `at_creation`: the node as TF's shape inference sees it, before Python adds the colocation `_class`,
    other `_`-attrs and the device (TF sets those on the op after the C++ node exists)."""
    keys = sorted(k for k in node_def.attr if not (at_creation and k.startswith("_")))
    attrs = [f"{key}={summarize_attr_value(node_def.attr[key])}" for key in keys]
    if node_def.device and not at_creation:
        attrs.append(f'_device="{node_def.device}"')
    return (
        f"{format_node_name(node_def.name)} = {node_def.op}[{', '.join(attrs)}]"
        f"({', '.join(node_def.input)})"
    )
