"""`MetaGraphDef` export and import: the `.meta` file beside a checkpoint.

A MetaGraphDef is the GraphDef plus what a program needs to use it again: `saver_def` (which
tensors save and restore), `collection_def` (the graph's collections: variables as `VariableDef`
bytes, ops and tensors by name, numbers as lists) and `meta_info_def` (`stripped_op_list`: the op
types used). `import_meta_graph` rebuilds the graph from that and returns a Saver, so a prediction
script can restore a model without the code that built it.

`stripped_op_list` carries TensorFlow's full OpDef of each op type used (engine/framework/
op_signatures.py). Deviation: `tensorflow_version` is left empty because TensorFlow did not write the file.
Collections of kinds we cannot serialize (queue runners, control-flow contexts) are skipped with a
warning, as TensorFlow does for anything it cannot serialize.
"""

from __future__ import annotations

import logging
import numbers
import os

from google.protobuf import text_format
from google.protobuf.message import DecodeError

from engine import gfile
from engine.framework import op_signatures, ops, registry
from engine.framework.importer import import_graph_def
from engine.ops import io_ops, resource_sparse_ops, resource_variable_ops  # noqa: F401 - registers the ops TF's .meta files use
from engine.proto import meta_graph_pb2, queue_runner_pb2, saver_pb2, variable_pb2

_logger = logging.getLogger(__name__)

_VARIABLE_COLLECTIONS = frozenset(
    [
        ops.GraphKeys.GLOBAL_VARIABLES,
        ops.GraphKeys.LOCAL_VARIABLES,
        ops.GraphKeys.MODEL_VARIABLES,
        ops.GraphKeys.TRAINABLE_VARIABLES,
        ops.GraphKeys.MOVING_AVERAGE_VARIABLES,
        ops.GraphKeys.METRIC_VARIABLES,
        ops.GraphKeys.TRAINABLE_RESOURCE_VARIABLES,
        ops.GraphKeys.GLOBAL_STEP,
    ]
)
_UNSUPPORTED_COLLECTIONS = frozenset(
    [ops.GraphKeys.COND_CONTEXT, ops.GraphKeys.WHILE_CONTEXT]
)


# --- export ---------------------------------------------------------------------------------------
def _strip_scope(name: str, export_scope: str | None) -> str | None:
    """`name` without `export_scope/` (also inside `^ctrl` and `loc:@` forms); None if outside the scope."""
    if not export_scope:
        return name
    for marker in ("^", "loc:@", ""):
        if name.startswith(marker + export_scope + "/"):
            return marker + name[len(marker) + len(export_scope) + 1 :]
    return None


def _scoped_graph_def(graph_def, export_scope):
    if not export_scope:
        return graph_def
    scoped = type(graph_def)()
    scoped.versions.CopyFrom(graph_def.versions)
    for node in graph_def.node:
        name = _strip_scope(node.name, export_scope)
        if name is None:
            continue
        new = scoped.node.add()
        new.CopyFrom(node)
        new.name = name
        del new.input[:]
        for inp in node.input:
            stripped = _strip_scope(inp, export_scope)
            if stripped is None:
                raise ValueError(
                    f"Node '{node.name}' has input '{inp}' outside the export scope '{export_scope}'"
                )
            new.input.append(stripped)
        if "_class" in new.attr:
            groups = [_strip_scope(g.decode(), export_scope) for g in node.attr["_class"].list.s]
            del new.attr["_class"].list.s[:]
            new.attr["_class"].list.s.extend(g.encode() for g in groups if g is not None)
    return scoped


def _strip_default_attrs(graph_def) -> None:
    for node in graph_def.node:
        try:
            defaults = registry.get_op_def(node.op).attrs
        except LookupError:
            continue
        from engine.framework import attr_values

        for key, default in defaults.items():
            if key in node.attr and node.attr[key] == attr_values.to_attr_value(default):
                del node.attr[key]


def _add_collection_def(meta_graph_def, key, graph, export_scope) -> None:
    if key in _UNSUPPORTED_COLLECTIONS:
        _logger.warning("Issue encountered when serializing %s: this collection kind is not supported.", key)
        return
    items = graph.get_collection(key)
    if export_scope:
        # Only what lives in the scope (items without a name, e.g. numbers, are kept).
        items = [i for i in items if not hasattr(i, "name") or _strip_scope(i.name, export_scope) is not None]
    if not items:
        return
    collection = meta_graph_pb2.CollectionDef()
    try:
        if key in _VARIABLE_COLLECTIONS:
            for item in items:
                proto = item.to_proto(export_scope=export_scope)
                if proto is not None:
                    collection.bytes_list.value.append(proto.SerializeToString())
        elif key in (ops.GraphKeys.SAVERS, ops.GraphKeys.QUEUE_RUNNERS):
            for item in items:
                proto = item.to_proto(export_scope=export_scope)
                if proto is not None:
                    collection.bytes_list.value.append(proto.SerializeToString())
        elif all(
            isinstance(i, (ops.Tensor, ops.Operation)) or hasattr(i, "_as_graph_element") for i in items
        ):
            for item in items:
                name = _strip_scope(item.name, export_scope)
                if name is not None:
                    collection.node_list.value.append(name)
        elif all(isinstance(i, (bytes, str)) for i in items):
            collection.bytes_list.value.extend(i.encode() if isinstance(i, str) else i for i in items)
        elif all(isinstance(i, numbers.Integral) for i in items):
            collection.int64_list.value.extend(int(i) for i in items)
        elif all(isinstance(i, numbers.Real) for i in items):
            collection.float_list.value.extend(float(i) for i in items)
        else:
            raise TypeError(f"items of types {sorted({type(i).__name__ for i in items})}")
    except (AttributeError, TypeError) as exc:
        _logger.warning("Issue encountered when serializing %s: %s", key, exc)
        return
    meta_graph_def.collection_def[key].CopyFrom(collection)


def create_meta_graph_def(
    meta_info_def=None,
    graph_def=None,
    saver_def=None,
    collection_list=None,
    graph=None,
    export_scope=None,
    clear_devices=False,
    strip_default_attrs=False,
):
    graph = graph or ops.get_default_graph()
    if graph_def is None:
        graph_def = graph.as_graph_def(add_shapes=True)
    meta_graph_def = meta_graph_pb2.MetaGraphDef()
    if meta_info_def is not None:
        meta_graph_def.meta_info_def.CopyFrom(meta_info_def)
    graph_def = _scoped_graph_def(graph_def, export_scope)
    meta_graph_def.graph_def.CopyFrom(graph_def)
    if clear_devices:
        for node in meta_graph_def.graph_def.node:
            node.device = ""
    if strip_default_attrs:
        _strip_default_attrs(meta_graph_def.graph_def)
        meta_graph_def.meta_info_def.stripped_default_attrs = True
    if not meta_graph_def.meta_info_def.stripped_op_list.op:
        used = {node.op for node in meta_graph_def.graph_def.node}
        meta_graph_def.meta_info_def.stripped_op_list.CopyFrom(op_signatures.stripped_op_list(used))
    if saver_def is not None:
        meta_graph_def.saver_def.CopyFrom(saver_def)
    keys = collection_list if collection_list is not None else graph.get_all_collection_keys()
    for key in sorted(keys):
        _add_collection_def(meta_graph_def, key, graph, export_scope)
    return meta_graph_def


def export_meta_graph(
    filename=None,
    meta_info_def=None,
    graph_def=None,
    saver_def=None,
    collection_list=None,
    as_text=False,
    graph=None,
    export_scope=None,
    clear_devices=False,
    clear_extraneous_savers=False,
    strip_default_attrs=False,
    save_debug_info=False,
    **kwargs,
):
    """The graph (default: the default graph) as a MetaGraphDef; also written to `filename` if given.

    The file is written under a temporary name and renamed into place.
    """
    from engine.train.checkpoint_management import atomic_write

    meta_graph_def = create_meta_graph_def(
        meta_info_def=meta_info_def,
        graph_def=graph_def,
        saver_def=saver_def,
        collection_list=collection_list,
        graph=graph,
        export_scope=export_scope,
        clear_devices=clear_devices,
        strip_default_attrs=strip_default_attrs,
    )
    if filename:
        directory = os.path.dirname(os.fspath(filename))
        if directory and not gfile.is_remote_path(directory):
            os.makedirs(directory, exist_ok=True)
        data = (
            text_format.MessageToString(meta_graph_def).encode()
            if as_text
            else meta_graph_def.SerializeToString()
        )
        atomic_write(os.fspath(filename), data)
    return meta_graph_def


# --- import ---------------------------------------------------------------------------------------
def read_meta_graph_file(filename):
    """A MetaGraphDef from a binary (or, failing that, text-format) `.meta` file."""
    filename = os.fspath(filename)
    try:
        data = gfile.read_bytes(filename)
    except FileNotFoundError:
        raise OSError(f"File does not exist. Received: {filename}.") from None
    meta_graph_def = meta_graph_pb2.MetaGraphDef()
    try:
        meta_graph_def.ParseFromString(data)
        return meta_graph_def
    except DecodeError:
        pass
    try:
        text_format.Merge(data.decode("utf-8"), meta_graph_def)
    except (UnicodeDecodeError, text_format.ParseError) as exc:
        raise OSError(f"Cannot parse file {filename}: {exc}") from None
    return meta_graph_def


def _variable_from_proto(variable_def, import_scope):
    if variable_def.is_resource:
        from engine.ops.resource_variable_ops import ResourceVariable

        return ResourceVariable.from_proto(variable_def, import_scope=import_scope)
    from engine.variables import Variable

    return Variable.from_proto(variable_def, import_scope=import_scope)


def _import_collections(meta_graph_def, graph, import_scope):
    def scoped(name):
        return f"{import_scope}/{name}" if import_scope else name

    variables = {}  # one Python object per variable, shared by all the collections listing it
    for key, collection in sorted(meta_graph_def.collection_def.items()):
        kind = collection.WhichOneof("kind")
        if kind == "node_list":
            for name in collection.node_list.value:
                graph.add_to_collection(key, graph.as_graph_element(scoped(name)))
        elif kind == "bytes_list" and key in _VARIABLE_COLLECTIONS:
            for value in collection.bytes_list.value:
                variable_def = variable_pb2.VariableDef.FromString(value)
                if variable_def.variable_name not in variables:
                    variables[variable_def.variable_name] = _variable_from_proto(variable_def, import_scope)
                graph.add_to_collection(key, variables[variable_def.variable_name])
        elif kind == "bytes_list" and key == ops.GraphKeys.SAVERS:
            from engine.train.saver import Saver

            for value in collection.bytes_list.value:
                graph.add_to_collection(
                    key, Saver.from_proto(saver_pb2.SaverDef.FromString(value), import_scope)
                )
        elif kind == "bytes_list" and key == ops.GraphKeys.QUEUE_RUNNERS:
            from engine.train.queue_runner import QueueRunner

            for value in collection.bytes_list.value:
                runner_def = queue_runner_pb2.QueueRunnerDef.FromString(value)
                graph.add_to_collection(key, QueueRunner.from_proto(runner_def, import_scope))
        elif kind == "bytes_list":
            for value in collection.bytes_list.value:
                graph.add_to_collection(key, value)
        elif kind == "int64_list":
            for value in collection.int64_list.value:
                graph.add_to_collection(key, int(value))
        elif kind == "float_list":
            for value in collection.float_list.value:
                graph.add_to_collection(key, float(value))
        elif kind is not None:
            _logger.warning("Cannot import collection %s of kind %s; skipped.", key, kind)


def import_scoped_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, input_map=None):
    """Adds the MetaGraphDef's graph and collections to the default graph; returns the MetaGraphDef."""
    if isinstance(meta_graph_or_file, meta_graph_pb2.MetaGraphDef):
        meta_graph_def = meta_graph_or_file
    else:
        meta_graph_def = read_meta_graph_file(meta_graph_or_file)
    graph_def = meta_graph_def.graph_def
    if clear_devices:
        graph_def = type(graph_def)()
        graph_def.CopyFrom(meta_graph_def.graph_def)
        for node in graph_def.node:
            node.device = ""
    graph = ops.get_default_graph()
    import_graph_def(graph_def, input_map=input_map, name=import_scope or "")
    _import_collections(meta_graph_def, graph, import_scope)
    return meta_graph_def


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """Rebuilds a saved graph in the default graph and returns a Saver for its variables.

    The Saver is built from the file's `saver_def` (so it drives the imported `save/` ops); without
    one, a new Saver over the imported variables is made; with no variables either, None.
    """
    meta_graph_def = import_scoped_meta_graph(
        meta_graph_or_file,
        clear_devices=clear_devices,
        import_scope=import_scope,
        input_map=kwargs.get("input_map"),
    )
    from engine.train.saver import Saver

    if meta_graph_def.HasField("saver_def"):
        saver_def = saver_pb2.SaverDef()
        saver_def.CopyFrom(meta_graph_def.saver_def)
        return Saver(saver_def=saver_def, name=import_scope)
    graph = ops.get_default_graph()
    if graph.get_collection(ops.GraphKeys.GLOBAL_VARIABLES) + graph.get_collection(
        ops.GraphKeys.SAVEABLE_OBJECTS
    ):
        return Saver()
    _logger.info("Saver not created because there are no variables in the graph to restore")
    return None
