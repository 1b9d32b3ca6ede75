"""The real-TensorFlow half of test_real_tensorflow.py, run under TensorFlow's own interpreter.

    $TF_PYTHON tests/interop/tf_side.py COMMAND 'JSON-ARGS'    one command
    $TF_PYTHON tests/interop/tf_side.py --serve                one JSON request per stdin line

Importing TensorFlow takes many seconds, so the tests keep one ``--serve`` process for the module. A
request is ``{"command": ..., "args": {...}}``; the reply is one stdout line, ``RESULT {json}`` or
``ERROR {json traceback}``. Each command reads the files our engine wrote (or writes files for the
engine to read) with ``tensorflow.compat.v1`` in TF1 behaviour (``disable_v2_behavior``: reference
variables, graph mode). Arrays travel as ``{"dtype", "shape", "value"}``; float32 values are
exact in JSON (a float32 converts to a double without loss).
"""

from __future__ import annotations

import base64
import json
import os
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import tensorflow.compat.v1 as tf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models

tf.disable_v2_behavior()


def encode(value):
    value = np.asarray(value)
    if value.dtype.kind in "SO":
        return {"dtype": "bytes", "shape": list(value.shape),
                "value": [base64.b64encode(v).decode() for v in value.ravel()]}
    return {"dtype": value.dtype.name, "shape": list(value.shape), "value": value.tolist()}


def decode_feed(value):
    return np.asarray(value["value"], dtype=value["dtype"]) if isinstance(value, dict) else value


def run_steps(sess, steps):
    """``steps`` is a list of {"fetches": [names], "feeds": {name: value}}; returns the fetched values."""
    graph = sess.graph
    results = []
    for step in steps:
        fetches = [graph.as_graph_element(name) for name in step["fetches"]]
        feeds = {graph.as_graph_element(name): decode_feed(v) for name, v in step.get("feeds", {}).items()}
        values = sess.run(fetches, feed_dict=feeds)
        results.append([None if v is None else encode(v) for v in values])
    return results


def cmd_import_graph_def(args):
    """Imports a binary GraphDef, runs the given steps, reports the values and the imported op types."""
    graph_def = tf.GraphDef()
    with open(args["graph_def"], "rb") as f:
        graph_def.ParseFromString(f.read())
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    with tf.Session(graph=graph) as sess:
        results = run_steps(sess, args["steps"])
    return {"ops": {op.name: op.type for op in graph.get_operations()}, "results": results}


def _build(args):
    kind = args["model"]
    if kind == "mlp":
        return models.build_mlp(tf, args.get("params"), args.get("optimizer", "adam"),
                                args.get("summaries", False), args.get("loss", "mse"))
    if kind == "lecture":
        return models.build_lecture_variables(tf)
    if kind == "typed":
        return models.build_typed_variables(tf)
    raise ValueError(kind)


def _variables(sess):
    return {v.op.name: encode(sess.run(v)) for v in tf.global_variables()}


def _reader_contents(prefix):
    reader = tf.train.load_checkpoint(prefix)
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    return {name: {"dtype": dtypes[name].name, "shape": list(shapes[name]),
                   "tensor": encode(reader.get_tensor(name))}
            for name in shapes}


def cmd_restore(args):
    """Builds the model with TF, restores the engine's checkpoint with tf.train.Saver, and reads it with
    tf.train.load_checkpoint too."""
    graph = tf.Graph()
    with graph.as_default():
        _build(args)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, args["prefix"])
            restored = _variables(sess)
            latest = tf.train.latest_checkpoint(args["directory"])
    return {"restored": restored, "reader": _reader_contents(args["prefix"]), "latest": latest}


def cmd_checkpoint_state(args):
    """What tf.train.get_checkpoint_state / latest_checkpoint / list_variables make of a directory."""
    state = tf.train.get_checkpoint_state(args["directory"])
    latest = tf.train.latest_checkpoint(args["directory"])
    return {"model_checkpoint_path": state.model_checkpoint_path,
            "all_model_checkpoint_paths": list(state.all_model_checkpoint_paths),
            "latest": latest,
            "variables": [[name, list(shape)] for name, shape in tf.train.list_variables(latest)]}


def cmd_build_graph_def(args):
    """The GraphDef TensorFlow itself builds from the shared builder (with a Saver), serialized."""
    graph = tf.Graph()
    with graph.as_default():
        names = _build(args)
        tf.train.Saver()
    return {"names": names,
            "graph_def": base64.b64encode(graph.as_graph_def().SerializeToString()).decode()}


def cmd_save(args):
    """Builds the model with TF, runs init and the given steps, saves a checkpoint; reports the values."""
    graph = tf.Graph()
    with graph.as_default():
        names = _build(args)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(names["init"])
            run_steps(sess, args.get("steps", []))
            path = saver.save(sess, args["prefix"])
            values = _variables(sess)
    return {"path": path, "variables": values, "names": names}


def cmd_import_meta_graph(args):
    """import_meta_graph of an engine `.meta`, restore, then run the given steps in the imported graph."""
    graph = tf.Graph()
    with graph.as_default():
        saver = tf.train.import_meta_graph(args["meta"])
        with tf.Session() as sess:
            saver.restore(sess, args["prefix"])
            restored = _variables(sess)
            results = run_steps(sess, args["steps"])
        collections = {key: [[type(item).__name__, getattr(item, "name", str(item))]
                             for item in graph.get_collection(key)]
                       for key in graph.get_all_collection_keys()}
    return {"restored": restored, "results": results, "collections": collections,
            "trainable": [v.op.name for v in graph.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)]}


def _summary_value(value):
    kind = value.WhichOneof("value")
    out = {"tag": value.tag, "kind": kind, "plugin": value.metadata.plugin_data.plugin_name}
    if kind == "simple_value":
        out["simple_value"] = value.simple_value
    elif kind == "histo":
        h = value.histo
        out["histo"] = {"min": h.min, "max": h.max, "num": h.num, "sum": h.sum, "sum_squares": h.sum_squares,
                        "bucket_limit": list(h.bucket_limit), "bucket": list(h.bucket)}
    elif kind == "tensor":
        out["tensor"] = encode(tf.make_ndarray(value.tensor))
    return out


def cmd_summary_iterator(args):
    """Every event of one file as read by tf.compat.v1.train.summary_iterator."""
    events = []
    for event in tf.train.summary_iterator(args["path"]):
        kind = event.WhichOneof("what")
        item = {"step": event.step, "wall_time": event.wall_time, "kind": kind}
        if kind == "file_version":
            item["file_version"] = event.file_version
        elif kind == "graph_def":
            graph_def = tf.GraphDef.FromString(event.graph_def)
            item["nodes"] = {node.name: node.op for node in graph_def.node}
            graph = tf.Graph()
            with graph.as_default():
                tf.import_graph_def(graph_def, name="")  # a graph TensorBoard shows must also import
        elif kind == "meta_graph_def":
            meta = tf.MetaGraphDef.FromString(event.meta_graph_def)
            item["nodes"] = {node.name: node.op for node in meta.graph_def.node}
        elif kind == "summary":
            item["values"] = [_summary_value(v) for v in event.summary.value]
        elif kind == "session_log":
            item["status"] = event.session_log.status
        events.append(item)
    return {"events": events}


COMMANDS = {name[4:]: fn for name, fn in globals().items() if name.startswith("cmd_")}


def serve():
    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply = "RESULT " + json.dumps(COMMANDS[request["command"]](request["args"]))
        except Exception:  # noqa: BLE001 - the test reports TensorFlow's traceback and goes on
            reply = "ERROR " + json.dumps(traceback.format_exc())
        print(reply, flush=True)


def main():
    if sys.argv[1] == "--serve":
        serve()
    else:
        print("RESULT " + json.dumps(COMMANDS[sys.argv[1]](json.loads(sys.argv[2]))))


if __name__ == "__main__":
    main()
