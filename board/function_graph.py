"""A GraphDef's function library expanded into plain ops, for drawing TF2 function graphs.

TF2's `tf.summary.trace_export` records the traced graph with each call of another `tf.function` as one
op (`StatefulPartitionedCall`, `PartitionedCall` with the function in attr `f`, or an op named after
the function) whose body lives in the graph's function library. TensorBoard's graph page opens such a
call like a name scope and shows the library apart under `__function_library__`; this module gives
the graph page the same by rewriting the GraphDef before the hierarchy is built (board/graph_hierarchy.py):

- a call op `call` keeps its name and becomes the output of scope `call/`, which holds the function's
  body: an `_Arg` node per input argument (fed by the call's inputs), the body's nodes, and a
  `_Retval` node per output (the call op's new inputs), so edges run through the body;
- calls inside bodies are expanded the same way, to `MAX_DEPTH` levels (a recursive function stops
  there), and at most `MAX_NODES` nodes are made in all: past that, calls stay single ops;
- every library function is drawn once more under `__function_library__/<name>/`.

Function bodies name tensors by OpDef argument (`MatMul:product:0`); without the ops' OpDefs the
output index drawn is the number after the argument name, which is exact for ops of one output
argument (nearly all) and for calls of library functions, whose signatures are known.
"""

from __future__ import annotations

from typing import Any

LIBRARY_SCOPE = "__function_library__"
CALL_OPS = {"PartitionedCall", "StatefulPartitionedCall"}
MAX_DEPTH = 8
MAX_NODES = 200_000


def has_functions(graph_def: Any) -> bool:
    return bool(graph_def.HasField("library") and graph_def.library.function)


class _Expander:
    def __init__(self, graph_def: Any) -> None:
        self.functions = {f.signature.name: f for f in graph_def.library.function}
        self.out = type(graph_def)()
        self.budget = MAX_NODES

    def called(self, node: Any, scope: str) -> Any | None:
        """The library function `node` calls, or None. TensorBoard's merge of several traced graphs
        renames functions `graph_N_<name>` but not the `f` of `StatefulPartitionedCall`: the graph's
        prefix is tried too."""
        name = node.attr["f"].func.name if node.op in CALL_OPS and "f" in node.attr else node.op
        if name in self.functions:
            return self.functions[name]
        top = (scope + node.name).split("/", 1)[0]
        return self.functions.get(f"{top}_{name}")

    def add(self, node: Any, name: str, inputs: list[str]) -> Any:
        new = self.out.node.add()
        new.CopyFrom(node)
        new.name = name
        del new.input[:]
        new.input.extend(inputs)
        self.budget -= 1
        return new

    def expand_graph(self, graph_def: Any) -> None:
        for node in graph_def.node:
            self.node(node, "", list(node.input), 0)
        for name, function in sorted(self.functions.items()):
            if self.budget < len(function.node_def) + len(function.signature.input_arg):
                break
            self.body(function, f"{LIBRARY_SCOPE}/{name}/", None, 0)

    def node(self, node: Any, scope: str, inputs: list[str], depth: int) -> None:
        """Adds `node` as `scope + node.name` with its inputs already renamed; expands it when it
        calls a library function."""
        function = self.called(node, scope)
        name = scope + node.name
        size = len(function.node_def) + len(function.signature.input_arg) + 1 if function else 0
        if function is None or depth >= MAX_DEPTH or self.budget < size:
            self.add(node, name, inputs)
            return
        data = [i for i in inputs if not i.startswith("^")]
        control = [i for i in inputs if i.startswith("^")]
        outputs = self.body(function, name + "/", data, depth + 1)
        self.add(node, name, outputs + control)

    def body(self, function: Any, scope: str, args: list[str] | None, depth: int) -> list[str]:
        """Adds `function`'s body under `scope`; `args` feed its `_Arg` nodes (None: unfed). Returns
        the names of its `_Retval` nodes, in output order."""
        signature = function.signature
        for i, arg in enumerate(signature.input_arg):
            feed = [args[i]] if args is not None and i < len(args) else []
            self.add(_op("_Arg", arg.name), scope + arg.name, feed)
        nodes = {node.name: node for node in function.node_def}
        for node in function.node_def:
            inputs = [self.tensor(text, scope, nodes) for text in node.input]
            self.node(node, scope, inputs, depth)
        retvals = []
        for arg in signature.output_arg:
            source = function.ret.get(arg.name)
            name = f"{scope}{arg.name}_RetVal"
            inputs = [self.tensor(source, scope, nodes)] if source else []
            self.add(_op("_Retval", name.rpartition("/")[2]), name, inputs)
            retvals.append(name)
        return retvals

    def tensor(self, text: str, scope: str, nodes: dict[str, Any]) -> str:
        """A body's input (an argument `x`, `^n`, `n:out_arg:i`) as an input of the expanded graph;
        `nodes` are the body's nodes by name."""
        if text.startswith("^"):
            return "^" + scope + text[1:]
        parts = text.split(":")
        node_name, index = parts[0], int(parts[-1]) if len(parts) > 1 and parts[-1].isdigit() else 0
        if len(parts) == 3 and node_name in nodes:
            index += self.output_position(nodes[node_name], scope, parts[1])
        return f"{scope}{node_name}:{index}" if index else scope + node_name

    def output_position(self, node: Any, scope: str, out_arg: str) -> int:
        """Where output argument `out_arg` of `node` starts when `node` calls a library function (its
        signature is known); 0 otherwise."""
        called = self.called(node, scope)
        if called is None:
            return 0
        names = [arg.name for arg in called.signature.output_arg]
        return names.index(out_arg) if out_arg in names else 0


def _op(op: str, name: str) -> Any:
    from engine.proto import node_def_pb2

    return node_def_pb2.NodeDef(name=name, op=op)


def expand_functions(graph_def: Any) -> Any:
    """A copy of `graph_def` with its library functions' bodies drawn as ops (see the module's
    docstring); `graph_def` itself when it has no library."""
    if not has_functions(graph_def):
        return graph_def
    expander = _Expander(graph_def)
    expander.expand_graph(graph_def)
    if graph_def.HasField("versions"):
        expander.out.versions.CopyFrom(graph_def.versions)
    return expander.out
