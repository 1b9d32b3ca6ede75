"""Keras model graphs (TensorBoard's "conceptual graph"): the `graph_keras_model` summaries of a logdir
listed and served as TensorBoard 2.21 serves them, and drawn from both Keras 3 and Keras 2 configs.

Oracles: TensorBoard in-process on the real multi_plugin logdir (tests/board/tb_oracle.py), and
TensorBoard's own conversion function for the configs tests/fixtures/keras_models/make_keras_models.py
wrote with real TF 2.21 (Keras 3 and tf-keras)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.protobuf import text_format

from board.keras_graph import model_graph
from engine.proto import graph_pb2
from tests.board.tb_oracle import TensorBoardOracle
from tests.conftest import REAL_FIXTURES

MODELS = Path(__file__).resolve().parents[1] / "fixtures" / "keras_models"
LOGDIR = REAL_FIXTURES / "multi_plugin" / "logdir"


def _table(graph) -> list:
    """(name, inputs, attrs) of each node: what the page draws."""
    return [(n.name, list(n.input), sorted((k, str(v)) for k, v in n.attr.items())) for n in graph.node]


@pytest.fixture(scope="module")
def tensorboard():
    return TensorBoardOracle(LOGDIR)


def test_info_lists_keras_tags_as_tensorboard(make_client, tensorboard):
    ours = make_client(LOGDIR).get("/data/plugin/graphs/info").json()
    theirs = tensorboard.json("/data/plugin/graphs/info")
    assert ours == theirs
    assert theirs["keras_tf2/train"]["tags"]["keras"]["conceptual_graph"] is True


def test_conceptual_graph_is_tensorboards(make_client, tensorboard):
    params = {"run": "keras_tf2/train", "tag": "keras", "conceptual": "true"}
    answer = make_client(LOGDIR).get("/data/plugin/graphs/graph", params=params)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/x-protobuf")
    ours = text_format.Parse(answer.text, graph_pb2.GraphDef())
    theirs = text_format.Parse(tensorboard.get("/data/plugin/graphs/graph", **params).get_data().decode(),
                               graph_pb2.GraphDef(), allow_unknown_field=True)
    assert _table(ours) == _table(theirs)
    assert [n.name for n in ours.node][:2] == ["sequential/input_layer", "sequential/hidden"]


@pytest.mark.parametrize("name", ["sequential", "functional_nested"])
def test_keras3_configs_convert_as_tensorboard_converts_them(name):
    from tensorboard.compat.proto import graph_pb2 as tb_graph_pb2  # noqa: F401 - TB's proto module
    from tensorboard.plugins.graph.keras_util import keras_model_to_graph_def

    config = json.loads((MODELS / f"keras3_{name}.json").read_text())
    assert _table(model_graph(config)) == _table(keras_model_to_graph_def(config))


def test_keras2_configs_keep_their_edges():
    """tf-keras writes inbound nodes as lists, which TensorBoard 2.21 drops (its graph has no edges)."""
    graph = model_graph(json.loads((MODELS / "keras2_functional_nested.json").read_text()))
    edges = {n.name: list(n.input) for n in graph.node}
    assert edges == {
        "two_inputs/a": [], "two_inputs/b": [],
        "two_inputs/join": ["two_inputs/a", "two_inputs/b"],
        "two_inputs/block/inner_dense_input": ["two_inputs/join"],  # tf-keras' implicit InputLayer
        "two_inputs/block/inner_dense": ["two_inputs/block/inner_dense_input"],
        "two_inputs/block/inner_relu": ["two_inputs/block/inner_dense"],
        "two_inputs/head": ["two_inputs/block/inner_relu"],
    }
    classes = {n.name: n.attr["keras_class"].s.decode() for n in graph.node}
    assert classes["two_inputs/join"] == "Concatenate" and classes["two_inputs/a"] == "InputLayer"
    wrapped = {n.name: list(n.input) for n in model_graph(
        json.loads((MODELS / "keras2_sequential_of_functional.json").read_text())).node}
    assert wrapped["wrapped/sub/sub_dense"] == ["wrapped/sub/x"]
    assert wrapped["wrapped/final"] == ["wrapped/sub/sub_dense"]


def test_a_functional_model_inside_a_sequential_one_is_fed():
    """TensorBoard 2.21 fails on this Keras 3 config (its converter reads `input_layers` as a list of
    lists); board feeds the inner model's input layer from the layer before it."""
    for flavour in ("keras3", "keras2"):
        graph = model_graph(json.loads((MODELS / f"{flavour}_sequential_of_functional.json").read_text()))
        edges = {n.name: list(n.input) for n in graph.node}
        assert edges["wrapped/sub/sub_dense"] == ["wrapped/sub/x"], flavour
        assert edges["wrapped/final"] == ["wrapped/sub/sub_dense"], flavour


def test_graph_explorer_offers_and_draws_the_keras_model(make_client):
    client = make_client(LOGDIR)
    runs = {r["run"]: r["kinds"] for r in client.get("/data/graph/runs").json()["runs"]}
    assert {"kind": "keras_model/keras", "label": "Keras model: keras"} in runs["keras_tf2/train"]
    keras = {"run": "keras_tf2/train", "kind": "keras_model/keras"}
    hierarchy = client.get("/data/graph/hierarchy", params=keras)
    assert hierarchy.status_code == 200
    node = client.get("/data/graph/node", params={"run": "keras_tf2/train", "kind": "keras_model/keras",
                                                  "name": "sequential/hidden"})
    assert node.status_code == 200, node.text


def test_conceptual_graph_errors_are_json(make_client):
    client = make_client(LOGDIR)
    no_tag = client.get("/data/plugin/graphs/graph", params={"run": "keras_tf2/train", "conceptual": "true"})
    assert no_tag.status_code == 400 and "tag" in no_tag.json()["error"]
    unknown = client.get("/data/plugin/graphs/graph",
                         params={"run": "keras_tf2/train", "tag": "nope", "conceptual": "true"})
    assert unknown.status_code == 404 and "nope" in unknown.json()["error"]


def test_bad_configs_are_refused():
    with pytest.raises(ValueError, match="'config' object"):
        model_graph({"class_name": "Sequential"})
    with pytest.raises(ValueError, match="'config' object"):
        model_graph(["not", "a", "model"])
