"""TensorBoard's graph routes for run metadata, against real TensorBoard 2.21's answers for the logdir
that tests/fixtures/run_metadata/make_fixtures.py writes with real TF (tensorboard_*.* were saved from
`tensorboard --logdir logdir`), and for run metadata the engine's own sessions record."""

import json
from pathlib import Path

import numpy as np
from google.protobuf import text_format

import engine as tf
from engine.proto import config_pb2
from engine.summary import FileWriter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "run_metadata"


def test_info_and_run_metadata_as_tensorboard_answers(make_client):
    client = make_client(FIXTURES / "logdir")
    info = client.get("/data/plugin/graphs/info")
    assert info.status_code == 200
    assert info.json() == json.loads((FIXTURES / "tensorboard_info.json").read_text())
    answer = client.get("/data/plugin/graphs/run_metadata", params={"run": ".", "tag": "step0"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/x-protobuf")
    ours = text_format.Parse(answer.text, config_pb2.RunMetadata())
    # The same message; TB's text also prints the partition graph's empty `library {}`, a GraphDef
    # field the engine's GraphDef does not model, and orders attr maps its own way.
    theirs = text_format.Parse((FIXTURES / "tensorboard_run_metadata_step0.pbtxt").read_text(),
                               config_pb2.RunMetadata(), allow_unknown_field=True)
    assert ours == theirs


def test_run_metadata_errors_are_json(make_client):
    client = make_client(FIXTURES / "logdir")
    missing_tag = client.get("/data/plugin/graphs/run_metadata", params={"run": "."})
    assert missing_tag.status_code == 400 and "tag" in missing_tag.json()["error"]
    unknown = client.get("/data/plugin/graphs/run_metadata", params={"run": ".", "tag": "nope"})
    assert unknown.status_code == 404 and "nope" in unknown.json()["error"]


def test_engine_traced_run_served_with_its_step_stats(make_client, tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        y = tf.nn.relu(tf.matmul(x, tf.constant([[1.0], [-1.0]])), name="y")
    metadata = tf.RunMetadata()
    with tf.Session(graph=graph) as sess:
        sess.run(y, {x: np.ones((3, 2), np.float32)},
                 options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=metadata)
    writer = FileWriter(str(tmp_path), graph)
    writer.add_run_metadata(metadata, "step100", global_step=100)
    writer.close()
    client = make_client(tmp_path)
    assert client.get("/data/plugin/graphs/info").json()["."]["tags"] == {
        "step100": {"tag": "step100", "conceptual_graph": False, "op_graph": False, "profile": True}}
    text = client.get("/data/plugin/graphs/run_metadata", params={"run": ".", "tag": "step100"}).text
    served = text_format.Parse(text, config_pb2.RunMetadata())
    assert served == metadata
    assert [ns.node_name for ns in served.step_stats.dev_stats[0].node_stats][-1] == "y"
