"""engine writing to object storage through fsspec: tf.summary.FileWriter('s3://...') against a real S3
server (moto's) on loopback, and memory://; read back by board's loader."""

from __future__ import annotations

import fsspec
import pytest

import engine as tf
from board.data.loader import Loader
from engine.proto import summary_pb2


def scalar(tag: str, value: float) -> summary_pb2.Summary:
    return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])


def steps(loader: Loader, run: str, tag: str) -> list[int]:
    return loader.get(run).scalars[tag].arrays()[0].tolist()


def test_file_writer_on_s3_uploads_on_flush_and_close(s3, s3_bucket):
    url = f"s3://{s3_bucket}/exp/run1"
    writer = tf.summary.FileWriter(url, flush_secs=3600)
    assert writer.get_logdir() == url
    assert writer.event_writer.path.startswith(url + "/events.out.tfevents.")
    for step in range(10):
        writer.add_summary(scalar("loss", step / 10), step)
    writer.flush()
    fs = fsspec.filesystem("s3")
    fs.invalidate_cache()
    [key] = fs.find(f"{s3_bucket}/exp/run1")
    first = fs.size(key)
    loader = Loader(f"s3://{s3_bucket}/exp")
    loader.reload()
    assert steps(loader, "run1", "loss") == list(range(10))
    for step in range(10, 20):
        writer.add_summary(scalar("loss", step / 10), step)
    writer.close()  # the whole object again, longer: the reader tails it from its offset
    fs.invalidate_cache()
    assert fs.size(key) > first
    loader.reload()
    assert steps(loader, "run1", "loss") == list(range(20))
    writer.reopen()  # a new event file, so a new object
    writer.add_summary(scalar("loss", 0.0), 20)
    writer.close()
    fs.invalidate_cache()
    assert len(fs.find(f"{s3_bucket}/exp/run1")) == 2


def test_file_writer_on_memory_writes_the_graph_and_file_version():
    url = "memory://engine-writer-test/run"
    try:
        with tf.Graph().as_default() as graph:
            tf.constant(1.0, name="c")
            with tf.summary.FileWriter(url, graph=graph) as writer:
                writer.add_summary(scalar("x", 1.0), 1)
        loader = Loader("memory://engine-writer-test")
        loader.reload()
        run = loader.get("run")
        assert run.file_version == 2.0 and run.graph_def is not None
        assert steps(loader, "run", "x") == [1]
    finally:
        fsspec.filesystem("memory").rm("/engine-writer-test", recursive=True)


def test_a_missing_backend_is_tf_unimplemented_error():
    expected = r"File system scheme 'gs' not implemented \(pip install 'engine-board\[gcs\]'\)"
    with pytest.raises(tf.errors.UnimplementedError, match=expected):
        tf.summary.FileWriter("gs://bucket/run")


def test_saver_saves_to_s3_then_the_state_file_and_restores(s3, s3_bucket):
    url = f"s3://{s3_bucket}/ckpt/model.ckpt"
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        assign = v.assign([5.0, 6.0])
        saver = tf.train.Saver(max_to_keep=2)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            s3.requests.clear()
            for step in range(3):
                path = saver.save(sess, url, global_step=step)
                assert path == f"{url}-{step}"
            puts = [p.rsplit("/", 1)[1] for method, p, _ in s3.requests if method == "PUT"]
            # per save: data, meta, then the index, and the state file last
            assert puts[:4] == ["model.ckpt-0.data-00000-of-00001", "model.ckpt-0.meta",
                                "model.ckpt-0.index", "checkpoint"]
            fs = fsspec.filesystem("s3")
            fs.invalidate_cache()
            names = sorted(p.rsplit("/", 1)[1] for p in fs.find(f"{s3_bucket}/ckpt"))
            assert names == ["checkpoint", *[f"model.ckpt-{s}.{ext}" for s in (1, 2)
                                             for ext in ("data-00000-of-00001", "index", "meta")]]
            state = fs.cat_file(f"{s3_bucket}/ckpt/checkpoint").decode()
            assert state == ('model_checkpoint_path: "model.ckpt-2"\n'
                             'all_model_checkpoint_paths: "model.ckpt-1"\n'
                             'all_model_checkpoint_paths: "model.ckpt-2"\n')
            sess.run(assign)
            saver.restore(sess, f"{url}-2")
            assert sess.run(v).tolist() == [1.0, 2.0]
            with pytest.raises(ValueError, match="not a valid checkpoint"):
                saver.restore(sess, f"{url}-0")  # rotated away
