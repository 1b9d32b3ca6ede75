"""TF1's top-level protos (tf.Summary, tf.Event, tf.GraphDef, ...) built by hand as TF1 scripts do.

tests/fixtures/utils/protos.json holds the same messages serialized by real TensorFlow
(tests/fixtures/utils/make_protos.py); ours must read them as the same messages.
"""

import json
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import engine as tf

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "utils" / "protos.json").read_text())

BUILT = {
    "summary": lambda: tf.Summary(value=[tf.Summary.Value(tag="loss", simple_value=0.25)]),
    "summary_histo": lambda: tf.Summary(value=[tf.Summary.Value(tag="w", histo=tf.HistogramProto(
        min=-1.0, max=2.0, num=3, sum=1.5, sum_squares=5.25, bucket_limit=[0.0, 2.0], bucket=[1.0, 2.0]))]),
    "event": lambda: tf.Event(wall_time=12.5, step=3, summary=tf.Summary(
        value=[tf.Summary.Value(tag="acc", simple_value=0.5)])),
    "session_log": lambda: tf.Event(step=7, session_log=tf.SessionLog(status=tf.SessionLog.START)),
    "graph_def": lambda: tf.GraphDef(node=[tf.NodeDef(name="c", op="Const", attr={
        "dtype": tf.AttrValue(type=tf.float32.as_datatype_enum),
        "value": tf.AttrValue(tensor=tf.TensorProto(dtype=tf.float32.as_datatype_enum, float_val=[1.0]))})]),
    "meta_graph_def": lambda: tf.MetaGraphDef(meta_info_def=tf.MetaGraphDef.MetaInfoDef(tags=["serve"])),
    "graph_options": lambda: tf.GraphOptions(optimizer_options=tf.OptimizerOptions(
        opt_level=tf.OptimizerOptions.L0, do_constant_folding=True), infer_shapes=True),
    "log_message": lambda: tf.Event(log_message=tf.LogMessage(level=tf.LogMessage.WARN, message="hi")),
    "tensor_info": lambda: tf.TensorInfo(name="x:0", dtype=tf.float32.as_datatype_enum),
    "name_attr_list": lambda: tf.NameAttrList(
        name="f", attr={"T": tf.AttrValue(type=tf.int32.as_datatype_enum)}),
}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_hand_built_proto_serializes_as_tensorflow(name):
    """Same bytes up to map-entry order (maps serialize in no fixed order); a field TF wrote that we do not
    know would stay an unknown field and be re-serialized, so the bytes would differ."""
    ours = BUILT[name]()
    theirs = type(ours).FromString(bytes.fromhex(FIXTURE[name]))
    assert ours == theirs
    assert ours.SerializeToString(deterministic=True) == theirs.SerializeToString(deterministic=True)


def test_every_fixture_message_is_built():
    assert sorted(BUILT) == sorted(FIXTURE)


def test_manual_scalar_summary_reaches_the_event_file(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path))
    for step, loss in enumerate([1.0, 0.5, 0.25]):
        writer.add_summary(tf.Summary(value=[tf.Summary.Value(tag="loss", simple_value=loss)]), step)
    writer.add_event(tf.Event(step=3, session_log=tf.SessionLog(status=tf.SessionLog.STOP)))
    writer.close()
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert [(e.step, e.value) for e in acc.Scalars("loss")] == [(0, 1.0), (1, 0.5), (2, 0.25)]


def test_graph_def_from_the_graph_is_a_tf_graph_def():
    graph = tf.Graph()
    with graph.as_default():
        tf.constant(1.0, name="c")
    graph_def = graph.as_graph_def()
    assert isinstance(graph_def, tf.GraphDef)
    assert tf.GraphDef.FromString(graph_def.SerializeToString()).node[0].name == "c"
