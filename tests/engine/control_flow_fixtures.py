"""The control-flow graphs and values real TensorFlow wrote (tests/fixtures/control_flow/make_fixtures.py)."""

from __future__ import annotations

import json
from pathlib import Path

import engine as tf
from engine.proto import graph_pb2

HERE = Path(__file__).parents[1] / "fixtures" / "control_flow"
FIXTURES = json.loads((HERE / "control_flow.json").read_text())


def nodes(graph):
    """[name, type, inputs + ^control inputs] of each op, as make_fixtures.py lists TF's."""
    return [
        [op.name, op.type, [t.name for t in op.inputs] + ["^" + c.name for c in op.control_inputs]]
        for op in graph.get_operations()
    ]


def import_graph(name):
    """A new graph holding the GraphDef TF wrote as `name`.pb."""
    gd = graph_pb2.GraphDef()
    gd.ParseFromString((HERE / f"{name}.pb").read_bytes())
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(gd, name="")
    return g
