"""The TF1 docs-style queue pipeline (tests/interop/queue_pipeline.py) runs unchanged under the engine and
under real TensorFlow: the in-order read gives the same batches, and both train from shuffled batches."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("queue_pipeline.py")
ROOT = Path(__file__).resolve().parents[2]


def _run(python, library, workdir):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([python, str(SCRIPT), library, str(workdir)], capture_output=True, text=True,
                          timeout=600, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_in_tf(tf_python, script, path):
    return subprocess.run([tf_python, "-c", script, str(path)], capture_output=True, text=True, timeout=300,
                          check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    return _run(sys.executable, "engine", tmp_path_factory.mktemp("engine"))


def test_queue_pipeline_trains_under_the_engine(ours):
    batches = ours["in_order"]
    assert [len(ids) for ids, _ in batches] == [16] * 7 + [8]
    assert [i for ids, _ in batches for i in ids] == list(range(120))
    train = ours["train"]
    assert train["seen"] == 120 * 30  # every example of every epoch, then OutOfRangeError ends the loop
    assert train["last"] < 0.5 * train["first"]


def test_queue_pipeline_matches_tensorflow(ours, tf_python, tmp_path):
    theirs = _run(tf_python, "tensorflow", tmp_path)
    assert theirs["in_order"] == ours["in_order"]
    assert theirs["train"]["seen"] == ours["train"]["seen"]
    assert theirs["train"]["last"] < 0.5 * theirs["train"]["first"]


_TF_RUNS_QUEUES = """
import json, sys
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
graph_def = tf.GraphDef()
graph_def.ParseFromString(open(sys.argv[1], "rb").read())
tf.import_graph_def(graph_def, name="")
g = tf.get_default_graph()
with tf.Session() as sess:
    sess.run(["fifo_queue_EnqueueMany", "random_shuffle_queue_EnqueueMany", "padding_fifo_queue_enqueue"])
    sess.run("padding_fifo_queue_enqueue_1")
    out = sess.run(["fifo_queue_DequeueMany:0", "random_shuffle_queue_DequeueMany:0",
                    "padding_fifo_queue_DequeueMany:0"])
    # after the dequeues: in one run TF may read the size before or after them
    out.append(sess.run("fifo_queue_Size:0"))
print(json.dumps([o.tolist() for o in out]))
"""


def test_tensorflow_imports_and_runs_our_queue_graph(tmp_path, tf_python):
    import engine as tf

    with tf.Graph().as_default() as graph:
        fifo = tf.FIFOQueue(10, [tf.int32], shapes=[[2]])
        fifo.enqueue_many([[[1, 2], [3, 4], [5, 6]]])
        shuffle = tf.RandomShuffleQueue(20, 0, tf.int32, shapes=[[]], seed=7)
        shuffle.enqueue_many([tf.range(10)])
        padding = tf.PaddingFIFOQueue(5, tf.float32, shapes=[[None]])
        padding.enqueue([[1.0]])
        padding.enqueue([[1.0, 2.0, 3.0]])
        fetches = [fifo.dequeue_many(2), shuffle.dequeue_many(10), padding.dequeue_many(2)]
        size = fifo.size()
        (tmp_path / "graph.pb").write_bytes(graph.as_graph_def().SerializeToString())
        with tf.Session() as sess:
            sess.run(tf.get_default_graph().get_operation_by_name("fifo_queue_EnqueueMany"))
            sess.run(["random_shuffle_queue_EnqueueMany", "padding_fifo_queue_enqueue"])
            sess.run("padding_fifo_queue_enqueue_1")
            ours = [v.tolist() for v in sess.run(fetches)] + [int(sess.run(size))]
    done = _run_in_tf(tf_python, _TF_RUNS_QUEUES, tmp_path / "graph.pb")
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    assert theirs == ours
    assert ours[0] == [[1, 2], [3, 4]] and ours[2] == [[1.0, 0.0, 0.0], [1.0, 2.0, 3.0]] and ours[3] == 1


_TF_RUNS_META = """
import json, sys
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
tf.logging.set_verbosity(tf.logging.ERROR)
tf.train.import_meta_graph(sys.argv[1])
batch = tf.get_default_graph().get_tensor_by_name("batch:0")
out = []
with tf.Session() as sess:
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess, coord)
    try:
        while True:
            out.append(sess.run(batch).tolist())
    except tf.errors.OutOfRangeError:
        pass
    coord.request_stop()
    coord.join(threads)
print(json.dumps([len(tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)), out]))
"""


def test_tensorflow_runs_our_queue_runners_from_a_meta_graph(tmp_path, tf_python):
    import engine as tf

    with tf.Graph().as_default():
        index = tf.train.range_input_producer(7, num_epochs=2, shuffle=False).dequeue()
        tf.train.batch([index * 10], 3, allow_smaller_final_batch=True)
        tf.train.export_meta_graph(str(tmp_path / "model.meta"))
    done = _run_in_tf(tf_python, _TF_RUNS_META, tmp_path / "model.meta")
    runners, batches = json.loads(done.stdout.strip().splitlines()[-1])
    assert runners == 2
    assert [v for b in batches for v in b] == [i * 10 for i in range(7)] * 2


_TF_RUNS_READERS = """
import json, sys
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
graph_def = tf.GraphDef()
graph_def.ParseFromString(open(sys.argv[1], "rb").read())
tf.import_graph_def(graph_def, name="")
out = []
with tf.Session() as sess:
    # two runs: in one, TF may close the queue before it enqueues (then the enqueue fails)
    sess.run("fifo_queue_EnqueueMany")
    sess.run("fifo_queue_Close")
    try:
        while True:
            keys, values = sess.run(["ReaderReadUpToV2:0", "ReaderReadUpToV2:1"])
            out.append([[k.decode() for k in keys], [v.decode() for v in values]])
    except tf.errors.OutOfRangeError:
        pass
    out.append(int(sess.run("ReaderNumRecordsProducedV2:0")))
print(json.dumps(out))
"""


def test_tensorflow_runs_our_reader_graph(tmp_path, tf_python):
    import engine as tf

    (tmp_path / "a.txt").write_text("header\none\ntwo\nthree\n")
    (tmp_path / "b.txt").write_text("header\nfour\n")
    with tf.Graph().as_default() as graph:
        queue = tf.FIFOQueue(4, tf.string)
        queue.enqueue_many([[str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]])
        queue.close()
        reader = tf.TextLineReader(skip_header_lines=1)
        keys, values = reader.read_up_to(queue, 2)
        produced = reader.num_records_produced()
        (tmp_path / "graph.pb").write_bytes(graph.as_graph_def().SerializeToString())
        ours = []
        with tf.Session() as sess:
            sess.run("fifo_queue_EnqueueMany")
            sess.run("fifo_queue_Close")
            try:
                while True:
                    k, v = sess.run([keys, values])
                    ours.append([[x.decode() for x in k], [x.decode() for x in v]])
            except tf.errors.OutOfRangeError:
                pass
            ours.append(int(sess.run(produced)))
    done = _run_in_tf(tf_python, _TF_RUNS_READERS, tmp_path / "graph.pb")
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ours
    assert ours[-1] == 4 and ours[0][1] == ["one", "two"]
