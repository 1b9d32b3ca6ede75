"""tf.train's smaller utilities: write_graph, LooperThread, checkpoints_iterator, SessionCreator."""

import threading
from pathlib import Path

import pytest
from google.protobuf import text_format

import engine as tf


def test_write_graph_as_text_and_binary(tmp_path):
    with tf.Graph().as_default() as graph:
        tf.constant(1.0, name="c")
    text_path = tf.train.write_graph(graph, str(tmp_path / "new"), "graph.pbtxt")
    binary_path = tf.train.write_graph(graph.as_graph_def(), str(tmp_path), "graph.pb", as_text=False)
    assert text_path == str(tmp_path / "new" / "graph.pbtxt")
    parsed = text_format.Parse((tmp_path / "new" / "graph.pbtxt").read_text(), tf.GraphDef())
    assert [n.name for n in parsed.node] == ["c"]
    assert tf.GraphDef.FromString(Path(binary_path).read_bytes()) == parsed


def test_looper_thread_runs_until_stop():
    coord = tf.train.Coordinator()
    calls = []
    done = threading.Event()

    def target(tag):
        calls.append(tag)
        if len(calls) == 3:
            done.set()

    looper = tf.train.LooperThread.loop(coord, 0.001, target, args=("tick",))
    assert done.wait(10)
    coord.request_stop()
    coord.join([looper])
    assert calls[:3] == ["tick"] * 3 and not looper.is_alive()


def test_looper_thread_errors_reach_join():
    coord = tf.train.Coordinator()

    def fail():
        raise ValueError("in loop")

    tf.train.LooperThread.loop(coord, None, fail)
    with pytest.raises(ValueError, match="in loop"):
        coord.join()


def test_checkpoints_iterator_yields_new_checkpoints_then_times_out(tmp_path):
    with tf.Graph().as_default():
        v = tf.Variable(1.0, name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            saver.save(sess, str(tmp_path / "model"), global_step=1)
            found = tf.train.checkpoints_iterator(str(tmp_path), timeout=0)
            assert next(found) == str(tmp_path / "model-1")
            saver.save(sess, str(tmp_path / "model"), global_step=2)
            assert list(found) == [str(tmp_path / "model-2")]


def test_session_creator_is_abstract():
    with pytest.raises(TypeError):
        tf.train.SessionCreator()
    assert issubclass(tf.train.ChiefSessionCreator, tf.train.SessionCreator)
    assert tf.train.piecewise_constant_decay is tf.train.piecewise_constant
