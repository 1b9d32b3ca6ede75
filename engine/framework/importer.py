"""`tf.import_graph_def`: rebuilds Operations from a GraphDef's NodeDefs (op type + attrs + inputs).

Every registered op type can be rebuilt this way because op `infer` functions read only inputs and attrs.
Attr wire forms are kept (`Operation._attr_protos`), so exporting an imported graph reproduces its NodeDefs.
"""

from __future__ import annotations

from engine.framework import attr_values, errors, ops, registry

# Attrs TF's importer recomputes rather than trusts.
_DROPPED_ATTRS = frozenset(["_output_shapes"])


def _parse_input(name):
    """("op", index, is_control) for a NodeDef input string."""
    if name.startswith("^"):
        return name[1:], -1, True
    op_name, sep, index = name.rpartition(":")
    if sep and index.isdigit():
        return op_name, int(index), False
    return name, 0, False


def _topological(nodes):
    by_name = {n.name: n for n in nodes}
    order, state = [], {}
    for root in nodes:
        if root.name in state:
            continue
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                state[node.name] = 2
                order.append(node)
                continue
            if state.get(node.name) == 2:
                continue
            if state.get(node.name) == 1:
                raise ValueError(f"GraphDef has a cycle through node '{node.name}'")
            state[node.name] = 1
            stack.append((node, True))
            for inp in node.input:
                dep = _parse_input(inp)[0]
                if dep in by_name and _is_back_edge(node, by_name[dep]):
                    continue
                if dep in by_name and state.get(dep) != 2:
                    if state.get(dep) == 1:
                        raise ValueError(f"GraphDef has a cycle through node '{dep}'")
                    stack.append((by_name[dep], False))
    return order


def _is_back_edge(node, src):
    """A loop's Merge reading its NextIteration: the edge that closes the cycle, connected last."""
    try:
        return (registry.get_op_def(node.op).control_flow == "merge"
                and registry.get_op_def(src.op).control_flow == "next_iteration")
    except LookupError:
        return False


def import_graph_def(
    graph_def, input_map=None, return_elements=None, name=None, op_dict=None, producer_op_list=None
):
    """Adds `graph_def`'s nodes to the default graph under the name scope `name` (default "import").

    `input_map` maps tensor names in graph_def ("x:0") to existing Tensors; `return_elements` names
    ops or tensors to return (in order).
    """
    graph = ops.get_default_graph()
    input_map = dict(input_map or {})
    for key, value in list(input_map.items()):
        if not isinstance(value, ops.Tensor):
            raise TypeError(
                f"input_map must be a dictionary mapping strings to Tensor objects, got {value!r}"
            )
        if ":" not in key and not key.startswith("^"):
            input_map[key + ":0"] = input_map.pop(key)
    names = {n.name for n in graph_def.node}
    for key in input_map:
        if _parse_input(key)[0] not in names:
            raise ValueError(f"Attempted to map inputs that were not found in graph_def: [{key}]")
    with ops.name_scope(name, "import", list(input_map.values())) as scope:
        prefix = scope
    created = {}
    back_edges = []  # (node name, input position, source name, output index): connected after the loop
    for node in _topological(list(graph_def.node)):
        try:
            registry.get_op_def(node.op)
        except LookupError:
            raise errors.NotFoundError(None, None, f"Op type not registered '{node.op}' in binary") from None
        inputs, controls = [], []
        for inp in node.input:
            src, index, is_control = _parse_input(inp)
            if is_control:
                if src not in created:
                    raise ValueError(f"Node '{node.name}': Unknown input node '{inp}'")
                controls.append(created[src])
                continue
            key = f"{src}:{index}"
            if key in input_map:
                inputs.append(input_map[key])
                continue
            if src not in created and any(n.name == src for n in graph_def.node) and _is_back_edge(
                    node, next(n for n in graph_def.node if n.name == src)):
                back_edges.append((node.name, len(inputs), src, index))
                inputs.append(None)  # stands in as the Merge's first forward input until the loop exists
                continue
            if src not in created:
                raise ValueError(f"Node '{node.name}': Unknown input node '{inp}'")
            outputs = created[src].outputs
            if index >= len(outputs):
                raise ValueError(
                    f"Node '{node.name}': Connecting to invalid output {index} of source node {src} "
                    f"which has {len(outputs)} outputs."
                )
            inputs.append(outputs[index])
        if None in inputs:
            stand_in = next(t for t in inputs if t is not None)
            inputs = [stand_in if t is None else t for t in inputs]
        attrs, protos = {}, {}
        for key, av in node.attr.items():
            if key in _DROPPED_ATTRS:
                continue
            if key == "_class" and prefix:
                groups = [g.decode() for g in av.list.s]
                attrs[key] = [f"loc:@{prefix}{g[5:]}" if g.startswith("loc:@") else g for g in groups]
                continue
            attrs[key] = attr_values.from_attr_value(av)
            protos[key] = av
        with ops.control_dependencies(None):
            op = graph.create_op(node.op, inputs, name=prefix + node.name + "/", attrs=attrs)
        op._attr_protos.update(protos)
        for c in controls:
            op._add_control_input(c)
        if node.device:
            op._device = node.device
        if node.HasField("experimental_type"):
            op._experimental_type = node.experimental_type
        created[node.name] = op
    for name, position, src, index in back_edges:
        created[name]._update_input(position, created[src].outputs[index])
    if return_elements is None:
        return None
    result = []
    for element in return_elements:
        src, index, _ = _parse_input(element)
        if src not in created:
            raise ValueError(f"Requested return_element {element!r} not found in graph_def.")
        if ":" in element:
            result.append(created[src].outputs[index])
        else:
            result.append(created[src])
    return result
