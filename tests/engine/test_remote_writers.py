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
