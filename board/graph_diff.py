"""The difference between two graphs, node by node (beyond TensorBoard: the graph page's "compare with").

Nodes are matched by name. A node only in the first graph is *added*, one only in the second is
*removed*; a node in both is *changed* when its op type, its inputs (in order, control inputs
included) or any attr differs (the attrs are compared by their serialized bytes; `_output_shapes`
counts like any other: a changed shape is a change). The work is one pass over each graph's nodes.
"""

from __future__ import annotations

from typing import Any

from board.graph_hierarchy import Hierarchy, op_type


def _attr_bytes(node: Any) -> dict[str, bytes]:
    return {key: node.attr[key].SerializeToString(deterministic=True) for key in node.attr}


def _changes(node: Any, other: Any) -> dict[str, Any] | None:
    """What differs between two NodeDefs of the same name, or None when nothing does."""
    op, other_op = op_type(node), op_type(other)
    inputs_differ = list(node.input) != list(other.input)
    mine, theirs = _attr_bytes(node), _attr_bytes(other)
    attrs = sorted(key for key in mine.keys() | theirs.keys() if mine.get(key) != theirs.get(key))
    if op == other_op and not inputs_differ and not attrs:
        return None
    return {"name": node.name, "op": [other_op, op] if op != other_op else None,
            "inputs": [list(other.input), list(node.input)] if inputs_differ else None, "attrs": attrs}


def diff(graph: Hierarchy, other: Hierarchy) -> dict[str, Any]:
    """``{"counts": {"added", "removed", "changed", "same"}, "added": [name], "removed": [name],
    "changed": [{"name", "op": [was, now] | null, "inputs": [was, now] | null, "attrs": [key]}]}``
    for `graph` against `other` (the one compared with); names in each graph's node order."""
    theirs = {node.name: node for node in other.nodes}
    added: list[str] = []
    changed: list[dict[str, Any]] = []
    same = 0
    for node in graph.nodes:
        old = theirs.get(node.name)
        if old is None:
            added.append(node.name)
            continue
        change = _changes(node, old)
        if change is None:
            same += 1
        else:
            changed.append(change)
    removed = [node.name for node in other.nodes if node.name not in graph.op_ids]
    return {"counts": {"added": len(added), "removed": len(removed), "changed": len(changed), "same": same},
            "added": added, "removed": removed, "changed": changed}
