"""The name-scope hierarchy of a GraphDef, built once per graph for the graph dashboard.

Input: a GraphDef message (``engine.proto.graph_pb2.GraphDef``; any message with TensorFlow's field
names works). Output: a `Hierarchy` whose `to_json()` the browser lays out group by group.

The tree
    Every op name ``a/b/c`` lives in scope ``a/b``, a *group* node. An op whose name is also a scope
    (``layer1/weight`` next to ``layer1/weight/Assign``) is drawn inside that scope, as TensorBoard
    does. Within a scope, five or more ops of one type with numbered names (``add``, ``add_1`` ...
    ``add_9``) fold into one *series* group. Nodes are numbered depth-first, so the subtree of node
    ``i`` is the id range ``[i, end[i])``.

Edges
    Each op-level edge ``u -> v`` is counted once, at the lowest group holding both ends: there it
    joins ``child(u) -> child(v)`` (aggregated, with a count, a shape label and a control flag). In
    every group holding only one end it becomes a *bridge*: that child gets an edge from (or to)
    outside the group, drawn as a short stub. Inputs naming nodes absent from the graph (PyTorch
    writes those) are counted in ``stats.dangling`` and shown in the node's info, never drawn.

Auxiliary area
    In each group, hubs are set aside (flag ``AUX``) and drawn in a side column with stubs instead of
    long edges: initialisation/save/summary nodes by name or op type, and children whose number of
    distinct neighbours is an outlier among their siblings.

Placement
    Each op's NodeDef ``device`` and its ``_XlaCluster`` attr (the cluster XLA's auto-clustering put it
    in) are numbered into two name tables, for the page's "device" and "XLA cluster" colours.
"""

from __future__ import annotations

import gc
import re
import statistics
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from board import encode

KIND_OP = 0
KIND_SCOPE = 1
KIND_SERIES = 2

FLAG_CONST = 1
FLAG_AUX = 2
FLAG_OWN_SCOPE = 4
FLAG_DANGLING = 8

EDGE_CONTROL = 1

SERIES_MIN_SIZE = 5
_NUMBERED = re.compile(r"^(.*?)_(\d+)$")
_AUX_NAMES = re.compile(r"^(init|init_\d+|save|save_\d+|global_step|report_uninitialized_variables.*|"
                        r"Merge|MergeSummary.*|summaries|.*_summary|group_deps.*)$")
_AUX_OPS = {"NoOp", "SaveV2", "RestoreV2", "MergeSummary", "ScalarSummary", "HistogramSummary",
            "ImageSummary", "AudioSummary", "TensorSummary", "TensorSummaryV2", "WriteSummary"}
_AUX_MIN_DEGREE = 5



def op_type(node) -> str:
    """A node's op type; for a Keras model's layer (board/keras_graph.py, no op) its layer class."""
    if node.op or "keras_class" not in node.attr:
        return node.op
    return node.attr["keras_class"].s.decode("utf-8", "replace")

def parse_input(text: str) -> tuple[str, int, bool]:
    """``"^a"`` -> ("a", -1, True); ``"a:2"`` -> ("a", 2, False); ``"a"`` -> ("a", 0, False)."""
    if text.startswith("^"):
        return text[1:], -1, True
    name, sep, index = text.rpartition(":")
    if sep and index.isdigit():
        return name, int(index), False
    return text, 0, False


def shape_label(shape: Any) -> str:
    """A TensorShapeProto as TensorBoard labels it: ``?×4``, ``scalar``, ``?`` for unknown rank."""
    if shape.unknown_rank:
        return "?"
    if not shape.dim:
        return "scalar"
    return "×".join("?" if d.size < 0 else str(d.size) for d in shape.dim)


def output_shapes(node: Any) -> list[str]:
    """Labels of the node's ``_output_shapes`` attr (written by TF's FileWriter and PyTorch), or []."""
    if "_output_shapes" not in node.attr:
        return []
    return [shape_label(s) for s in node.attr["_output_shapes"].list.shape]


@dataclass
class _Tree:
    """Mutable tree used while building; flattened depth-first into `Hierarchy`."""

    name: str
    label: str
    kind: int
    op: str = ""
    flags: int = 0
    op_index: int = -1
    children: list[_Tree] = field(default_factory=list)


@dataclass
class Hierarchy:
    """Flat depth-first arrays over the tree (index 0 is the root scope ``""``) and its edges.

    ``edges``: one row per aggregated edge ``[group, a, b, count, flags, label index]`` (a, b children of
    group); ``bridges``: ``[child, direction (0 in, 1 out), count, flags]`` (the group is the child's
    parent); both ordered by group. ``base_edges``: op-level ``[src, dst, flags]`` rows.
    ``edge_labels``: label strings.
    """

    names: list[str]
    labels: list[str]
    kinds: list[int]
    ops: list[str]
    parents: list[int]
    ends: list[int]
    counts: list[int]
    flags: list[int]
    templates: list[int]
    op_ids: dict[str, int]
    nodes: list[Any]
    edges: list[int]
    edge_labels: list[str]
    bridges: list[int]
    base_edges: list[int]
    dangling: dict[str, list[str]]
    op_index: dict[int, int]
    devices: list[str] = field(default_factory=list)
    device_of: list[int] = field(default_factory=list)
    xla_clusters: list[str] = field(default_factory=list)
    xla_of: list[int] = field(default_factory=list)
    _json: bytes | None = None
    _consumers: dict[str, list[tuple[str, int, bool]]] | None = None

    @property
    def op_count(self) -> int:
        return len(self.op_ids)

    def edges_of(self, group: int) -> list[tuple[int, int, int, int, str]]:
        """Aggregated edges between the children of `group`: (a, b, count, flags, label)."""
        e = self.edges
        return [(e[i + 1], e[i + 2], e[i + 3], e[i + 4], self.edge_labels[e[i + 5]])
                for i in range(0, len(e), 6) if e[i] == group]

    def bridges_of(self, group: int) -> list[tuple[int, int, int, int]]:
        """Edges crossing `group`'s boundary: (child, direction 0 = in / 1 = out, count, flags)."""
        r = self.bridges
        return [(r[i], r[i + 1], r[i + 2], r[i + 3])
                for i in range(0, len(r), 4) if self.parents[r[i]] == group]

    def to_json(self) -> bytes:
        """The compact JSON the page loads, computed once. Columns over node ids (0 = root)::

            {"stats": {"ops", "nodes", "edges", "dangling"}, "opTypes": [str],
             "nodes": {"label", "kind", "op" (index into opTypes, -1 for scopes), "parent", "end",
                       "count" (ops inside), "flags", "template" (-1 = unique structure)},
             "edges": [group, a, b, count, flags, label index, ...], "edgeLabels": [str],
             "devices": [str], "xlaClusters": [str],   # name tables, empty when no op has one
             (nodes also has "device" and "xla": index per node, -1 = none; only when the table is not empty)
             "bridges": [child, direction, count, flags, ...],
             "baseEdges": [src, dst, flags, ...]}   # op-level edges, for tracing inputs

        Full names are not sent: a node's name is its parent's name + "/" + label (a series passes
        its parent's name on to its members; an op flagged OWN_SCOPE has its scope's name).
        """
        if self._json is None:
            op_types = sorted({op for op in self.ops if op})
            op_table = {op: i for i, op in enumerate(op_types)}
            columns: dict[str, list[int]] = {}
            if self.devices:
                columns["device"] = self.device_of
            if self.xla_clusters:
                columns["xla"] = self.xla_of
            payload = {
                "stats": {
                    "ops": self.op_count,
                    "nodes": len(self.names),
                    "edges": len(self.base_edges) // 3,
                    "dangling": sum(len(v) for v in self.dangling.values()),
                },
                "opTypes": op_types,
                "nodes": {
                    "label": self.labels,
                    "kind": self.kinds,
                    "op": [op_table[op] if op else -1 for op in self.ops],
                    "parent": self.parents,
                    "end": self.ends,
                    "count": self.counts,
                    "flags": self.flags,
                    "template": self.templates,
                    **columns,
                },
                "edges": self.edges,
                "edgeLabels": self.edge_labels,
                "bridges": self.bridges,
                "baseEdges": self.base_edges,
                "devices": self.devices,
                "xlaClusters": self.xla_clusters,
            }
            self._json = encode.dumps(payload)  # orjson: 0.03 s instead of 0.2 s for 20,000 nodes
        return self._json

    def consumers(self, name: str) -> list[tuple[str, int, bool]]:
        """(consumer op, output index, is control) for every input naming op `name` (built on first use)."""
        if self._consumers is None:
            table: dict[str, list[tuple[str, int, bool]]] = defaultdict(list)
            for node in self.nodes:
                for text in node.input:
                    src, out, control = parse_input(text)
                    table[src].append((node.name, out, control))
            self._consumers = dict(table)
        return self._consumers.get(name, [])

    def node_info(self, name: str) -> dict[str, Any] | None:
        """Details of one op for the info panel: attrs, inputs and outputs with shapes; None if absent."""
        index = self.op_ids.get(name)
        if index is None:
            return None
        node = self.nodes[self.op_index[index]]
        inputs = []
        for text in node.input:
            src, out, control = parse_input(text)
            src_id = self.op_ids.get(src)
            shape = ""
            if src_id is not None and out >= 0:
                shapes = output_shapes(self.nodes[self.op_index[src_id]])
                shape = shapes[out] if out < len(shapes) else ""
            inputs.append({"name": src, "output": out, "control": control, "shape": shape,
                           "missing": src_id is None})
        shapes = output_shapes(node)
        outputs = [{"name": dst, "output": out, "control": control,
                    "shape": "" if control or out >= len(shapes) else shapes[out]}
                   for dst, out, control in self.consumers(name)]
        return {
            "name": node.name,
            "op": op_type(node),
            "device": node.device,
            "attrs": {key: format_attr(node.attr[key]) for key in sorted(node.attr)
                      if key != "_output_shapes"},
            "outputShapes": shapes,
            "inputs": inputs,
            "outputs": outputs,
        }


# ----------------------------------------------------------------------------------------------------
# Attribute formatting for the info panel


def _enum_name(message: Any, field_name: str, value: int) -> str:
    enum = message.DESCRIPTOR.fields_by_name[field_name].enum_type
    item = enum.values_by_number.get(value)
    return item.name if item is not None else str(value)


def _dtype_name(message: Any, field_name: str, value: int) -> str:
    name = _enum_name(message, field_name, value)
    return name[3:].lower() if name.startswith("DT_") else name


_TENSOR_VALUE_FIELDS = ("float_val", "double_val", "int_val", "int64_val", "bool_val", "string_val",
                        "half_val", "uint32_val", "uint64_val")
_CONTENT_DTYPES = {"float": "<f4", "double": "<f8", "int32": "<i4", "int64": "<i8", "uint8": "<u1",
                   "int8": "<i1", "int16": "<i2", "uint16": "<u2", "bool": "?", "uint32": "<u4",
                   "uint64": "<u8"}
MAX_TENSOR_VALUES = 10


def format_tensor(tensor: Any) -> str:
    """``float32 [2] = [3.0, 4.0]``: dtype, shape and at most `MAX_TENSOR_VALUES` values."""
    dtype = _dtype_name(tensor, "dtype", tensor.dtype)
    shape = [d.size for d in tensor.tensor_shape.dim]
    values: list[Any] = []
    if tensor.tensor_content and dtype in _CONTENT_DTYPES:
        content = np.frombuffer(tensor.tensor_content, dtype=_CONTENT_DTYPES[dtype])
        values = content[:MAX_TENSOR_VALUES + 1].tolist()
    else:
        for name in _TENSOR_VALUE_FIELDS:
            got = list(getattr(tensor, name, []))[:MAX_TENSOR_VALUES + 1]
            if got:
                values = [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in got]
                break
    text = f"{dtype} [{', '.join(str(d) for d in shape)}]"
    if values:
        shown = ", ".join(repr(v) for v in values[:MAX_TENSOR_VALUES])
        more = ", …" if len(values) > MAX_TENSOR_VALUES else ""
        text += f" = [{shown}{more}]" if shape else f" = {shown}"
    return text


def format_attr(attr: Any) -> str:
    """One AttrValue as short text (dtype, shape, tensor summary, list, scalar)."""
    which = attr.WhichOneof("value")
    if which == "type":
        return _dtype_name(attr, "type", attr.type)
    if which == "shape":
        return "[" + ", ".join("?" if d.size < 0 else str(d.size) for d in attr.shape.dim) + "]"
    if which == "tensor":
        return format_tensor(attr.tensor)
    if which == "s":
        return attr.s.decode("utf-8", "replace")
    if which in ("i", "f", "b"):
        return str(getattr(attr, which))
    if which == "func":
        return attr.func.name
    if which == "list":
        lst = attr.list
        items: list[str] = []
        items += [s.decode("utf-8", "replace") for s in lst.s]
        items += [str(v) for v in lst.i] + [str(v) for v in lst.f] + [str(v) for v in lst.b]
        items += [_dtype_name(lst, "type", t) for t in lst.type]
        items += [shape_label(s) for s in lst.shape]
        items += [format_tensor(t) for t in lst.tensor]
        items += [f.name for f in lst.func]
        return "[" + ", ".join(items) + "]"
    return ""


# ----------------------------------------------------------------------------------------------------
# Building


def _build_tree(nodes: list[Any]) -> tuple[_Tree, dict[str, _Tree]]:
    scope_paths: set[str] = set()
    for node in nodes:
        name = node.name
        cut = name.rfind("/")
        while cut > 0:
            prefix = name[:cut]
            if prefix in scope_paths:
                break  # and so are all of its own prefixes
            scope_paths.add(prefix)
            cut = prefix.rfind("/")
    root = _Tree(name="", label="", kind=KIND_SCOPE)
    scopes: dict[str, _Tree] = {"": root}

    def scope(path: str) -> _Tree:
        got = scopes.get(path)
        if got is None:
            parent_path, _, label = path.rpartition("/")
            got = _Tree(name=path, label=label, kind=KIND_SCOPE)
            scope(parent_path).children.append(got)
            scopes[path] = got
        return got

    for index, node in enumerate(nodes):
        name = node.name
        flags = FLAG_CONST if node.op == "Const" else 0
        if name in scope_paths:
            parent = scope(name)
            flags |= FLAG_OWN_SCOPE
        else:
            parent = scope(name.rpartition("/")[0])
        leaf = _Tree(name=name, label=name.rpartition("/")[2], kind=KIND_OP, op=op_type(node), flags=flags,
                     op_index=index)
        parent.children.append(leaf)
    return root, scopes


def _fold_series(group: _Tree) -> None:
    """Fold >= SERIES_MIN_SIZE same-op numbered siblings (``add``, ``add_1``...) into a series group."""
    buckets: dict[tuple[str, str], list[tuple[int, _Tree]]] = defaultdict(list)
    for child in group.children:
        if child.kind != KIND_OP or child.flags & FLAG_OWN_SCOPE:
            continue
        match = _NUMBERED.match(child.label)
        base, number = (match.group(1), int(match.group(2))) if match else (child.label, 0)
        buckets[(base, child.op)].append((number, child))
    folded: dict[int, _Tree] = {}
    for (base, op), members in buckets.items():
        if len(members) < SERIES_MIN_SIZE or not any(n for n, _ in members):
            continue
        numbers = [n for n, _ in members]
        label = f"{base}_[{min(numbers)}-{max(numbers)}]"
        path = f"{group.name}/{label}" if group.name else label
        series = _Tree(name=path, label=label, kind=KIND_SERIES, op=op,
                       children=[m for _, m in sorted(members, key=lambda item: item[0])])
        for _, member in members:
            folded[id(member)] = series
    if not folded:
        return
    children: list[_Tree] = []
    placed: set[int] = set()
    for child in group.children:
        fold = folded.get(id(child))
        if fold is None:
            children.append(child)
        elif id(fold) not in placed:
            placed.add(id(fold))
            children.append(fold)
    group.children = children


def build_hierarchy(graph_def: Any) -> Hierarchy:
    """Build the hierarchy of a GraphDef (see the module docstring).

    The build allocates many small objects that all stay alive; with the cyclic garbage collector
    paused it runs about 25% faster (bench/graph_page.py's 20,000-node graph: 0.43 -> 0.32 s).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(graph_def)
    finally:
        if was_enabled:
            gc.enable()


def _build(graph_def: Any) -> Hierarchy:
    nodes = list(graph_def.node)
    root, scopes = _build_tree(nodes)
    for group in scopes.values():
        _fold_series(group)

    names: list[str] = []
    labels: list[str] = []
    kinds: list[int] = []
    ops: list[str] = []
    parents: list[int] = []
    ends: list[int] = []
    counts: list[int] = []
    flags: list[int] = []
    op_ids: dict[str, int] = {}
    op_index: dict[int, int] = {}
    children_of: dict[int, list[int]] = {}

    # Iterative depth-first numbering (graphs can be deep; no recursion limit trouble).
    stack: list[tuple[_Tree, int, bool]] = [(root, -1, False)]
    id_of: dict[int, int] = {}
    while stack:
        tree, parent, done = stack.pop()
        if done:
            me = id_of[id(tree)]
            ends[me] = len(names)
            counts[me] = sum(counts[c] for c in children_of.get(me, [])) if tree.kind != KIND_OP else 1
            continue
        me = len(names)
        id_of[id(tree)] = me
        names.append(tree.name)
        labels.append(tree.label)
        kinds.append(tree.kind)
        ops.append(tree.op)
        parents.append(parent)
        ends.append(me + 1)
        counts.append(1)
        flags.append(tree.flags)
        if parent >= 0:
            children_of.setdefault(parent, []).append(me)
        if tree.kind == KIND_OP:
            op_ids[tree.name] = me
            op_index[me] = tree.op_index
            continue
        stack.append((tree, parent, True))
        for child in reversed(tree.children):
            stack.append((child, me, False))

    size = len(names)
    parent_arr = np.asarray(parents, dtype=np.int64)
    parent_arr[0] = 0
    depth = np.zeros(size, dtype=np.int64)
    for i in range(1, size):
        depth[i] = depth[parents[i]] + 1

    # Op-level edges (one Python pass over the inputs), then everything else vectorized.
    src_list: list[int] = []
    dst_list: list[int] = []
    out_list: list[int] = []
    dangling: dict[str, list[str]] = {}
    for node in nodes:
        dst_name = node.name
        dst = op_ids[dst_name]
        for text in node.input:
            if text[:1] == "^":
                src_name, out = text[1:], -1
            else:
                src_name, out = text, 0
                colon = text.rfind(":")
                if colon > 0 and text[colon + 1:].isdigit():
                    src_name, out = text[:colon], int(text[colon + 1:])
            src = op_ids.get(src_name)
            if src is None:
                dangling.setdefault(dst_name, []).append(src_name)
                flags[dst] |= FLAG_DANGLING
            elif src != dst:
                src_list.append(src)
                dst_list.append(dst)
                out_list.append(out)
    src_arr = np.asarray(src_list, dtype=np.int64)
    dst_arr = np.asarray(dst_list, dtype=np.int64)
    out_arr = np.asarray(out_list, dtype=np.int64)
    data_arr = (out_arr >= 0).astype(np.int64)
    base_edges = np.stack([src_arr, dst_arr, 1 - data_arr], axis=1).ravel().tolist()

    # Walk both ends of every edge up to their lowest common group. Each step up leaves the child's
    # group: a bridge (out of it on the source side, into it on the target side).
    a, b = src_arr.copy(), dst_arr.copy()
    bridge_child: list[np.ndarray] = []
    bridge_dir: list[np.ndarray] = []
    bridge_data: list[np.ndarray] = []

    def step(ends: np.ndarray, mask: np.ndarray, direction: int) -> None:
        moved = ends[mask]
        bridge_child.append(moved)
        bridge_dir.append(np.full(len(moved), direction, dtype=np.int64))
        bridge_data.append(data_arr[mask])
        ends[mask] = parent_arr[moved]

    while (mask := depth[a] > depth[b]).any():
        step(a, mask, 1)
    while (mask := depth[b] > depth[a]).any():
        step(b, mask, 0)
    while (mask := parent_arr[a] != parent_arr[b]).any():
        step(a, mask, 1)
        step(b, mask, 0)

    # Aggregate: one edge per (a, b) child pair (their group is parent[a]).
    edge_rows: list[int] = []
    edge_labels: list[str] = [""]
    if len(a):
        keys = a * size + b
        uniq, inverse, counts_e = np.unique(keys, return_inverse=True, return_counts=True)
        data_counts = np.bincount(inverse, weights=data_arr, minlength=len(uniq)).astype(np.int64)
        # The first data edge of each pair names the tensor whose shape labels a single edge.
        data_idx = np.flatnonzero(data_arr)
        label_src = np.full(len(uniq), -1, dtype=np.int64)
        order = data_idx[::-1]
        label_src[inverse[order]] = order
        label_table = {"": 0}
        shapes_of: dict[int, list[str]] = {}
        pair_a = (uniq // size).tolist()
        pair_b = (uniq % size).tolist()
        src_of = src_arr.tolist()
        out_of = out_arr.tolist()
        for k, count, data_count, e in zip(range(len(pair_a)), counts_e.tolist(), data_counts.tolist(),
                                           label_src.tolist(), strict=True):
            if count > 1:
                label = f"{count} tensors"
            elif e >= 0:
                src = src_of[e]
                shapes = shapes_of.get(src)
                if shapes is None:
                    shapes = shapes_of[src] = output_shapes(nodes[op_index[src]])
                out = out_of[e]
                label = shapes[out] if out < len(shapes) else ""
            else:
                label = ""
            index = label_table.get(label)
            if index is None:
                index = label_table[label] = len(edge_labels)
                edge_labels.append(label)
            pa = pair_a[k]
            edge_rows += (parents[pa], pa, pair_b[k], count, 0 if data_count else EDGE_CONTROL, index)

    bridge_rows: list[int] = []
    if bridge_child:
        keys = np.concatenate(bridge_child) * 2 + np.concatenate(bridge_dir)
        uniq, inverse, counts_b = np.unique(keys, return_inverse=True, return_counts=True)
        data_counts = np.bincount(inverse, weights=np.concatenate(bridge_data), minlength=len(uniq))
        flags_b = np.where(data_counts > 0, 0, EDGE_CONTROL)
        bridge_rows = np.stack([uniq // 2, uniq % 2, counts_b, flags_b], axis=1).ravel().tolist()

    # Rows grouped by their group (the page slices them per group).
    edge_rows = _sorted_rows(edge_rows, 6, lambda row: row[0])
    bridge_rows = _sorted_rows(bridge_rows, 4, lambda row: parents[row[0]])
    _mark_aux(labels, kinds, ops, flags, children_of, edge_rows)
    templates = _structure_templates(kinds, ops, children_of, len(names))
    devices, device_of = _name_table(size, op_index, [node.device for node in nodes])
    xla_clusters, xla_of = _name_table(size, op_index, [xla_cluster(node) for node in nodes])

    return Hierarchy(
        names=names, labels=labels, kinds=kinds, ops=ops, parents=parents, ends=ends, counts=counts,
        flags=flags, templates=templates, op_ids=op_ids, nodes=nodes, edges=edge_rows,
        edge_labels=edge_labels, bridges=bridge_rows, base_edges=base_edges, dangling=dangling,
        op_index=op_index, devices=devices, device_of=device_of, xla_clusters=xla_clusters, xla_of=xla_of,
    )


def xla_cluster(node: Any) -> str:
    """The XLA cluster a NodeDef was put in (its ``_XlaCluster`` attr), or ""."""
    if "_XlaCluster" not in node.attr:
        return ""
    return node.attr["_XlaCluster"].s.decode("utf-8", "replace")


def _name_table(size: int, op_index: dict[int, int], values: list[str]) -> tuple[list[str], list[int]]:
    """Sorted distinct non-empty `values` (one per NodeDef) and, per node id, the index of its op's
    value in that table (-1 for groups and ops without one)."""
    table = sorted({v for v in values if v})
    if not table:
        return [], []
    number = {v: i for i, v in enumerate(table)}
    of = [-1] * size
    for node_id, index in op_index.items():
        value = values[index]
        if value:
            of[node_id] = number[value]
    return table, of


def _sorted_rows(flat: list[int], width: int, key: Any) -> list[int]:
    rows = [flat[i:i + width] for i in range(0, len(flat), width)]
    rows.sort(key=key)
    return [value for row in rows for value in row]


def _mark_aux(labels: list[str], kinds: list[int], ops: list[str], flags: list[int],
              children_of: dict[int, list[int]], edge_rows: list[int]) -> None:
    """Flag hub children of each group as auxiliary (see the module docstring)."""
    neighbours: dict[int, set[int]] = defaultdict(set)
    for i in range(0, len(edge_rows), 6):
        a, b = edge_rows[i + 1], edge_rows[i + 2]
        neighbours[a].add(b)
        neighbours[b].add(a)
    for children in children_of.values():
        if len(children) < 4:
            continue
        degree = {c: len(neighbours[c]) if c in neighbours else 0 for c in children}
        named = {c for c in children
                 if degree[c] >= 1 and (_AUX_NAMES.match(labels[c]) or ops[c] in _AUX_OPS)
                 and kinds[c] != KIND_SERIES}
        outliers: set[int] = set()
        if len(children) >= 8:
            values = sorted(degree.values())
            q1, _, q3 = statistics.quantiles(values, n=4)
            limit = max(_AUX_MIN_DEGREE, q3 + 4 * max(q3 - q1, 1))
            outliers = {c for c in children if degree[c] > limit}
        chosen = named | outliers
        # Keep at least two nodes in the main area.
        if len(children) - len(chosen) < 2:
            continue
        for c in chosen:
            flags[c] |= FLAG_AUX


def _structure_templates(kinds: list[int], ops: list[str], children_of: dict[int, list[int]],
                         size: int) -> list[int]:
    """Template id per group: groups with identical structure (op types, recursively) share an id.

    Groups whose structure is unique get -1 (drawn in the neutral color).
    """
    signature: list[Any] = [None] * size
    interned: dict[Any, int] = {}
    for node in range(size - 1, -1, -1):  # children have higher ids than their parent
        if kinds[node] == KIND_OP:
            key: Any = ("op", ops[node])
        else:
            key = ("group", tuple(sorted(Counter(signature[c] for c in children_of.get(node, [])).items())))
        signature[node] = interned.setdefault(key, len(interned))
    uses = Counter(signature[n] for n in range(size) if kinds[n] != KIND_OP)
    numbering: dict[int, int] = {}
    templates = [-1] * size
    for node in range(1, size):
        if kinds[node] != KIND_OP and uses[signature[node]] >= 2 and len(children_of.get(node, [])) >= 2:
            templates[node] = numbering.setdefault(signature[node], len(numbering))
    return templates


# ----------------------------------------------------------------------------------------------------
# Cache


class HierarchyCache:
    """One `Hierarchy` per (run, kind), rebuilt only when the graph changes; the `max_entries` most
    recently used are kept.

    `get` takes a function loading the GraphDef and, optionally, a stamp of the data it comes from
    (the provider's `last_changed`): while the stamp is unchanged the cached hierarchy is returned
    without loading the graph at all; otherwise the graph's serialized bytes decide whether it is
    the same graph. Concurrent requests for a graph being built wait for that build instead of
    starting another (the page route starts one while the browser is still loading scripts).
    """

    def __init__(self, max_entries: int = 8) -> None:
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str], tuple[bytes, Any, Hierarchy]] = OrderedDict()
        self._building: dict[tuple[str, str], tuple[bytes, threading.Event]] = {}

    def __contains__(self, key: tuple[str, str]) -> bool:
        """Whether the hierarchy of (run, kind) is built (for the graph it had then)."""
        with self._lock:
            return key in self._entries

    def get(self, run: str, kind: str, load_graph: Callable[[], Any], stamp: Any = None) -> Hierarchy:
        """The hierarchy of the graph `load_graph()` returns for (run, kind)."""
        key = (run, kind)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is not None and stamp is not None and entry[1] == stamp:
            return entry[2]
        graph_def = load_graph()
        data = graph_def.SerializeToString(deterministic=True)
        while True:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and entry[0] == data:
                    self._entries[key] = (data, stamp, entry[2])
                    return entry[2]
                pending = self._building.get(key)
                if pending is None or pending[0] != data:
                    pending = self._building[key] = (data, threading.Event())
                    mine = True
                else:
                    mine = False
            if not mine:
                pending[1].wait()
                continue
            try:
                hierarchy = build_hierarchy(graph_def)
                hierarchy.to_json()
                with self._lock:
                    self._entries[key] = (data, stamp, hierarchy)
                    self._entries.move_to_end(key)
                    while len(self._entries) > self._max_entries:
                        self._entries.popitem(last=False)  # the least recently used graph
                return hierarchy
            finally:
                with self._lock:
                    if self._building.get(key) is pending:
                        del self._building[key]
                pending[1].set()
