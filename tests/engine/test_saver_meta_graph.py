"""import_meta_graph / export_meta_graph: TF's .meta files rebuild graphs that restore and run."""

import json
import os

import numpy as np
import pytest

import engine as tf
from engine.proto import meta_graph_pb2


def _json_variables(path):
    with open(path) as f:
        return {
            name: np.array(spec["value"], dtype=spec["dtype"])
            for name, spec in json.load(f)["variables"].items()
        }


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def test_tf_lecture_meta_graph_restores_and_runs(real_fixtures, tmp_path):
    folder = real_fixtures / "tf1_checkpoint_lecture"
    expected = _json_variables(folder / "variables.json")
    with tf.Graph().as_default() as graph:
        saver = tf.train.import_meta_graph(str(folder / "logs/model.ckpt.meta"))
        variables = tf.global_variables()
        assert [v.name for v in variables] == ["v1:0", "v2:0"]
        assert [v.name for v in tf.trainable_variables()] == ["v1:0", "v2:0"]
        assert variables[0].shape.as_list() == [3] and variables[0].dtype == tf.float32
        with tf.Session() as sess:
            saver.restore(sess, str(folder / "logs/model.ckpt"))
            for v in variables:
                assert np.array_equal(sess.run(v), expected[v.op.name])
            # Saving the restored values again gives TensorFlow's bundle, byte for byte.
            saver.save(sess, str(tmp_path / "model.ckpt"))
            for suffix in (".index", ".data-00000-of-00001"):
                assert _read(tmp_path / f"model.ckpt{suffix}") == _read(folder / f"logs/model.ckpt{suffix}")
            # The lecture's own ops: add = v1 + 1, AssignVariableOp stores it, ReadVariableOp_1 reads after.
            assert np.array_equal(sess.run("add:0"), [2, 2, 2])
            assert np.array_equal(sess.run("ReadVariableOp_1:0"), [2, 2, 2])
            assert np.array_equal(sess.run("ReadVariableOp_3:0"), [-2] * 5)
            assert np.array_equal(variables[0].eval(), [2, 2, 2])
            sess.run(graph.get_operation_by_name("init"))
            assert np.array_equal(variables[1].eval(), [0] * 5)


def _forward(x, w):
    relu = lambda a: np.maximum(a, 0)  # noqa: E731
    h1 = relu(x @ w["layer1/weight"] + w["layer1/bias"])
    h2 = relu(h1 @ w["layer2/weight"] + w["layer2/bias"])
    return h2 @ w["output/weight"] + w["output/bias"]


def test_tf_mlp_meta_graph_restores_runs_and_trains(real_fixtures, tmp_path):
    folder = real_fixtures / "tf1_mlp"
    expected = _json_variables(folder / "ckpt_variables.json")
    with open(folder / "data.json") as f:
        data = json.load(f)
    x = np.array(data["x"], np.float32)
    y = np.array(data["y_onehot"], np.float32)
    with tf.Graph().as_default() as graph:
        saver = tf.train.import_meta_graph(str(folder / "ckpt/mlp.ckpt.meta"))
        assert len(graph.get_operations()) == 375
        assert len(tf.global_variables()) == 20 and len(tf.trainable_variables()) == 6
        loss = tf.get_collection("losses")[0]
        train_op = tf.get_collection("train_op")[0]
        assert loss.name == "softmax_cross_entropy_loss/value:0" and train_op.name == "Adam"
        with tf.Session() as sess:
            saver.restore(sess, str(folder / "ckpt/mlp.ckpt"))
            restored = {v.op.name: sess.run(v) for v in tf.global_variables()}
            assert restored.keys() == expected.keys()
            for name, value in expected.items():
                assert np.array_equal(restored[name], value), name
            saver.save(sess, str(tmp_path / "mlp.ckpt"))
            for suffix in (".index", ".data-00000-of-00001"):
                assert _read(tmp_path / f"mlp.ckpt{suffix}") == _read(folder / f"ckpt/mlp.ckpt{suffix}")

            logits = sess.run("output/add:0", {"x:0": x})
            np.testing.assert_allclose(logits, _forward(x, expected), rtol=1e-5, atol=1e-5)
            # After 200 Adam steps the loss was 0.0028476 before the last update (loss.csv); one more
            # update later it is a little lower, and further steps keep lowering it.
            before = sess.run(loss, {"x:0": x, "y:0": y})
            assert 0 < before < 0.0028476202860474586
            for _ in range(3):
                sess.run(train_op, {"x:0": x, "y:0": y})
            assert sess.run(loss, {"x:0": x, "y:0": y}) < before
            assert sess.run("beta1_power/Read/ReadVariableOp:0") == pytest.approx(0.9**204, rel=1e-5)


def test_our_meta_graph_restores_without_the_building_code(tmp_path):
    prefix = str(tmp_path / "model.ckpt")
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.Variable([[1.0], [2.0]], name="w")
        tf.add(tf.matmul(x, w), 0.5, name="prediction")
        tf.add_to_collection("numbers", 3)
        tf.add_to_collection("ratios", 0.25)
        tf.add_to_collection("labels", b"cat")
        step = tf.Variable(
            0, dtype=tf.int64, name="global_step", trainable=False, collections=["variables", "global_step"]
        )
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run([w.initializer, step.initializer])
            sess.run([w.assign([[3.0], [4.0]]), step.assign(5)])
            saver.save(sess, prefix, global_step=step)
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(prefix + "-5.meta")
        assert tf.get_collection("numbers") == [3]
        assert tf.get_collection("ratios") == [0.25]
        assert tf.get_collection("labels") == [b"cat"]
        with tf.Session() as sess:
            saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
            assert np.array_equal(sess.run("prediction:0", {"x:0": [[1.0, 1.0]]}), [[7.5]])
            assert np.array_equal(tf.global_variables()[0].eval(), [[3.0], [4.0]])
            assert tf.get_collection("global_step")[0] is tf.global_variables()[1]
            assert tf.get_collection("global_step")[0].eval() == 5


def test_text_meta_graph_and_import_scope(tmp_path):
    prefix = str(tmp_path / "m")
    with tf.Graph().as_default():
        v = tf.Variable([5.0], name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            saver.save(sess, prefix, write_meta_graph=False)
        meta = tf.train.export_meta_graph(
            str(tmp_path / "m.pbtxt"), as_text=True, saver_def=saver.as_saver_def()
        )
        assert isinstance(meta, meta_graph_pb2.MetaGraphDef)
    assert (tmp_path / "m.pbtxt").read_text().startswith("meta_info_def {")
    with tf.Graph().as_default() as graph:
        tf.Variable([0.0], name="v")  # an unrelated variable with the same name, outside the scope
        saver = tf.train.import_meta_graph(str(tmp_path / "m.pbtxt"), import_scope="imported")
        assert saver.as_saver_def().restore_op_name == "imported/save/restore_all"
        imported = graph.get_tensor_by_name("imported/v:0")
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            assert np.array_equal(sess.run(imported), [5.0])


def test_export_scope_strips_the_scope(tmp_path):
    with tf.Graph().as_default():
        with tf.name_scope("tower"):
            tf.Variable(1.0, name="w")
        tf.Variable(2.0, name="outside")
        meta = tf.train.export_meta_graph(export_scope="tower")
    assert sorted(n.name for n in meta.graph_def.node) == ["w", "w/Assign", "w/initial_value", "w/read"]
    assert len(meta.collection_def["variables"].bytes_list.value) == 1


def test_import_meta_graph_missing_file(tmp_path):
    with tf.Graph().as_default():
        with pytest.raises(OSError, match="File does not exist"):
            tf.train.import_meta_graph(str(tmp_path / "none.meta"))
    assert not os.listdir(tmp_path)


def test_new_saver_over_imported_resource_variables_writes_tensorflows_bundle(real_fixtures, tmp_path):
    """A Saver built here over TF's resource variables saves their snapshots and restores them."""
    folder = real_fixtures / "tf1_mlp/ckpt"
    with tf.Graph().as_default() as graph:
        tf.train.import_meta_graph(str(folder / "mlp.ckpt.meta"))
        saver = tf.train.Saver(name="fresh")
        save_inputs = graph.get_operation_by_name("fresh/SaveV2").inputs
        assert save_inputs[3].name == "beta1_power/Read/ReadVariableOp:0"
        assert graph.get_operation_by_name("fresh/AssignVariableOp").inputs[1].op.name == "fresh/Identity"
        with tf.Session() as sess:
            saver.restore(sess, str(folder / "mlp.ckpt"))
            saver.save(sess, str(tmp_path / "mlp.ckpt"), write_meta_graph=False)
    for suffix in (".index", ".data-00000-of-00001"):
        assert _read(tmp_path / f"mlp.ckpt{suffix}") == _read(folder / f"mlp.ckpt{suffix}")


def _meta_graph_from_events(path):
    from engine.io.tfrecord import TFRecordReader
    from engine.proto import event_pb2

    for record in TFRecordReader(str(path)).records():
        event = event_pb2.Event.FromString(record)
        if event.WhichOneof("what") == "meta_graph_def":
            return meta_graph_pb2.MetaGraphDef.FromString(event.meta_graph_def)
    raise AssertionError("no meta_graph_def event")


def test_tf1_reference_variable_meta_graph_imports_trains_and_saves(real_fixtures, tmp_path):
    """TF 1.x graph (VariableV2) from an event file: no saver_def, so a new Saver is made for it."""
    meta = _meta_graph_from_events(
        real_fixtures / "tf1_graph_v1_behavior/logs/events.out.tfevents.1795775806.vm"
    )
    assert not meta.HasField("saver_def")
    rng = np.random.default_rng(0)
    feed = {
        "x:0": rng.normal(size=(8, 3)).astype(np.float32),
        "y:0": rng.normal(size=(8, 2)).astype(np.float32),
    }
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(meta)
        assert saver.as_saver_def().restore_op_name == "save/restore_all"
        train_op = tf.get_collection("train_op")[0]
        loss = tf.get_collection("losses")[0]
        with tf.Session() as sess:
            sess.run("init")
            sess.run(train_op, feed)
            trained = {v.op.name: sess.run(v) for v in tf.global_variables()}
            expected_loss = sess.run(loss, feed)
            path = saver.save(sess, str(tmp_path / "v1.ckpt"), global_step=1)
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(path + ".meta")
        with tf.Session() as sess:
            saver.restore(sess, path)
            assert {v.op.name: sess.run(v).tolist() for v in tf.global_variables()} == {
                k: v.tolist() for k, v in trained.items()
            }
            assert sess.run(tf.get_collection("losses")[0], feed) == expected_loss
