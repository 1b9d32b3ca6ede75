"""A Keras model's config (`model.to_json()`, the `graph_keras_model` summary) as a GraphDef of its
layers: TensorBoard's "conceptual graph".

One node per layer, named by the layer under the name scopes of the models holding it
(`sequential/dense`), with attrs `keras_class` (the layer class) and `dtype` (when the layer's dtype or
dtype policy names one). Edges come from each layer's `inbound_nodes`: Keras 3 writes them as
`{"args": [<tensor with config.keras_history = [layer, node_index, tensor_index]>, ...]}`, Keras 2 (and
tf-keras) as lists of `[layer, node_index, tensor_index, kwargs]`. A layer without `inbound_nodes`
(inside a Sequential model) takes the previous layer's output. A nested model is a name scope, not a
node: edges into it go to its first layer (Sequential) or its input layers (functional), edges out
of it come from its output layers.

TensorBoard 2.21 draws Keras 2 configs without edges (it reads only the Keras 3 form); board reads both.
"""

from __future__ import annotations

from typing import Any

from engine.proto import graph_pb2, types_pb2

# Keras dtype names that are not TensorFlow's DataType name with "DT_" in front.
_DTYPE_ENUMS = {"float16": types_pb2.DT_HALF, "float32": types_pb2.DT_FLOAT, "float64": types_pb2.DT_DOUBLE,
                "half": types_pb2.DT_HALF, "float": types_pb2.DT_FLOAT, "double": types_pb2.DT_DOUBLE}


def model_graph(config: dict[str, Any]) -> graph_pb2.GraphDef:
    """The GraphDef of layers of a Keras model config (a dict from its JSON)."""
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        raise ValueError("a Keras model config is a JSON object with a 'config' object")
    builder = _Builder()
    builder.visit(config, scope="")
    return builder.graph


def _scoped(scope: str, name: str) -> str:
    return f"{scope}/{name}" if scope else name


def _is_model(layer: dict) -> bool:
    return layer.get("config", {}).get("layers") is not None


def _inbound(layer: dict) -> list[tuple[str, int]]:
    """(layer name, tensor index) of each tensor flowing into `layer`, in order."""
    out = []
    for node in layer.get("inbound_nodes") or []:
        if isinstance(node, dict):  # Keras 3: tensors in the call's args, nested lists allowed
            stack = list(reversed(node.get("args", [])))
            while stack:
                arg = stack.pop()
                if isinstance(arg, list):
                    stack.extend(reversed(arg))
                elif isinstance(arg, dict):
                    history = arg.get("config", {}).get("keras_history", [])
                    if len(history) >= 3:
                        out.append((str(history[0]), int(history[2])))
        elif isinstance(node, list):  # Keras 2: [[layer, node_index, tensor_index, kwargs], ...]
            for entry in node:
                if isinstance(entry, list) and len(entry) >= 3:
                    out.append((str(entry[0]), int(entry[2])))
    return out


def _layer_names(entries: Any) -> list[str]:
    """The layer names of a functional model's `input_layers` or `output_layers`: one
    [name, node_index, tensor_index] or a list of them."""
    if not isinstance(entries, list) or not entries:
        return []
    if not isinstance(entries[0], list):
        entries = [entries]
    return [str(e[0]) for e in entries if isinstance(e, list) and e]


class _Builder:
    def __init__(self) -> None:
        self.graph = graph_pb2.GraphDef()
        self.model_outputs: dict[str, list[str]] = {}  # scoped model name -> its output node names
        self.fed_inputs: dict[str, str] = {}  # scoped input layer of a nested model -> what feeds it
        self.previous: str | None = None  # the last layer added: a Sequential layer's input

    def visit(self, layer: dict, scope: str) -> None:
        if _is_model(layer):
            self.enter_model(layer, scope)
            inner = _scoped(scope, layer["config"].get("name", ""))
            for sub in layer["config"]["layers"]:
                self.visit(sub, inner)
        else:
            self.add_layer(layer, scope)

    def enter_model(self, model: dict, scope: str) -> None:
        config = model["config"]
        name = _scoped(scope, config.get("name", ""))
        inputs = _layer_names(config.get("input_layers"))
        outputs = _layer_names(config.get("output_layers"))
        inbound = _inbound(model)
        functional = bool(inputs and outputs)
        if inbound and functional:  # a functional model called from a functional parent
            for input_layer, (source, _) in zip(inputs, inbound, strict=False):
                self.fed_inputs[_scoped(name, input_layer)] = self._resolve(scope, source, 0)
        elif inbound:  # a Sequential model called from a functional parent: its first layer's input
            self.previous = self._resolve(scope, inbound[0][0], 0)
        elif functional and self.previous is not None and len(inputs) == 1:  # inside a Sequential
            self.fed_inputs[_scoped(name, inputs[0])] = self.previous
        if functional:
            self.model_outputs[name] = [_scoped(name, o) for o in outputs]
        elif config["layers"]:
            last = config["layers"][-1].get("config", {}).get("name", "")
            self.model_outputs[name] = [_scoped(name, last)]

    def add_layer(self, layer: dict, scope: str) -> None:
        config = layer.get("config", {})
        node = self.graph.node.add()
        node.name = _scoped(scope, str(config.get("name", "")))
        if layer.get("class_name") is not None:
            node.attr["keras_class"].s = str(layer["class_name"]).encode()
        dtype = _dtype_enum(config.get("dtype"))
        if dtype is not None:
            node.attr["dtype"].type = dtype
        if layer.get("inbound_nodes") is not None:
            node.input.extend(self._resolve(scope, source, index) for source, index in _inbound(layer))
        elif self.previous is not None:
            node.input.append(self.previous)
        if node.name in self.fed_inputs:
            node.input.append(self.fed_inputs[node.name])
        self.previous = node.name

    def _resolve(self, scope: str, source: str, index: int) -> str:
        """The node an edge from `source` (a layer or a nested model) comes out of."""
        name = _scoped(scope, source)
        outputs = self.model_outputs.get(name, [name])
        return outputs[index] if index < len(outputs) else outputs[-1]


def _dtype_enum(dtype: Any) -> int | None:
    """The DataType of a layer's `dtype`: a name, or a dtype policy whose config names one."""
    if isinstance(dtype, dict):
        dtype = dtype.get("config", {}).get("name")
    if not isinstance(dtype, str):
        return None
    if dtype in _DTYPE_ENUMS:
        return _DTYPE_ENUMS[dtype]
    try:
        return types_pb2.DataType.Value("DT_" + dtype.upper())
    except ValueError:  # a mixed-precision policy ("mixed_float16") names no one dtype
        return None
