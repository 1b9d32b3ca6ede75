"""Checkpoints on URLs: Saver.save/restore, the `checkpoint` state file functions, import_meta_graph and
NewCheckpointReader on memory:// and on s3:// against moto's S3 server on loopback (tests/s3server.py)."""

from __future__ import annotations

import uuid

import fsspec
import numpy as np
import pytest

import engine as tf


@pytest.fixture
def folder(request):
    """A fresh checkpoint folder URL: memory:// (in-process) or s3:// (the loopback server)."""
    if request.param == "memory":
        name = f"ckpt-{uuid.uuid4().hex[:8]}"
        yield f"memory://{name}/train"
        fsspec.filesystem("memory").rm(f"/{name}", recursive=True)
    else:
        yield f"s3://{request.getfixturevalue('s3_bucket')}/train"


@pytest.mark.parametrize("folder", ["memory", "s3"], indirect=True)
def test_save_latest_state_reader_and_import_meta_graph_on_urls(folder):
    prefix = f"{folder}/model.ckpt"
    assert tf.train.latest_checkpoint(folder) is None and tf.train.get_checkpoint_state(folder) is None
    with tf.Graph().as_default():
        w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
        step = tf.train.get_or_create_global_step()
        increment = tf.assign_add(step, 1)
        tf.add_to_collection("outputs", tf.reduce_sum(w, name="total"))
        saver = tf.train.Saver(max_to_keep=2)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(increment)
                saver.save(sess, prefix, global_step=step)
    latest = tf.train.latest_checkpoint(folder)
    assert latest == f"{prefix}-3"
    state = tf.train.get_checkpoint_state(folder)
    assert state.model_checkpoint_path == latest
    assert list(state.all_model_checkpoint_paths) == [f"{prefix}-2", f"{prefix}-3"]
    assert tf.train.checkpoint_exists(latest) and not tf.train.checkpoint_exists(f"{prefix}-1")
    assert tf.gfile.Exists(f"{prefix}-3.meta") and not tf.gfile.Exists(f"{prefix}-1.meta")

    reader = tf.train.NewCheckpointReader(latest)
    assert reader.get_variable_to_shape_map() == {"w": [2, 3], "global_step": []}
    assert reader.get_tensor("w").tolist() == [[0, 1, 2], [3, 4, 5]] and reader.get_tensor("global_step") == 3
    assert tf.train.load_variable(folder, "global_step") == 3  # a URL folder resolves to its latest
    assert tf.train.list_variables(folder) == [("global_step", []), ("w", [2, 3])]

    with tf.Graph().as_default():
        restorer = tf.train.import_meta_graph(f"{latest}.meta")
        [total] = tf.get_collection("outputs")
        with tf.Session() as sess:
            restorer.restore(sess, latest)
            assert sess.run(total) == 15.0
            assert sess.run("global_step:0") == 3
    with pytest.raises(OSError, match="File does not exist"):
        tf.train.import_meta_graph(f"{prefix}-1.meta")


@pytest.mark.parametrize("folder", ["memory", "s3"], indirect=True)
def test_update_checkpoint_state_on_urls_names_paths_relative_to_the_folder(folder):
    tf.train.update_checkpoint_state(folder, f"{folder}/m-2", [f"{folder}/m-1", f"{folder}/m-2"])
    text = tf.gfile.GFile(f"{folder}/checkpoint").read()
    assert text == ('model_checkpoint_path: "m-2"\n'
                    'all_model_checkpoint_paths: "m-1"\nall_model_checkpoint_paths: "m-2"\n')
    state = tf.train.get_checkpoint_state(folder)
    assert state.model_checkpoint_path == f"{folder}/m-2"
    assert tf.train.latest_checkpoint(folder) is None  # named, but no m-2.index
    tf.train.update_checkpoint_state(folder, "other/m-3", latest_filename="state")
    assert tf.train.get_checkpoint_state(folder, "state").model_checkpoint_path == f"{folder}/other/m-3"
    with tf.gfile.GFile(f"{folder}/checkpoint", "w") as f:
        f.write("not a state file {")
    assert tf.train.get_checkpoint_state(folder) is None  # TF logs it and ignores the file


def test_a_checkpoint_on_s3_is_restorable_at_each_upload_and_the_state_comes_last(s3, s3_bucket):
    """The order of the PUTs is the atomicity: a reader that lists between any two of them finds
    either the previous checkpoint or the new one, complete."""
    folder = f"s3://{s3_bucket}/order"
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver.save(sess, f"{folder}/m", global_step=1)
            s3.requests.clear()
            sess.run(v.assign([3.0, 4.0]))
            saver.save(sess, f"{folder}/m", global_step=2)
    puts = [p.rsplit("/", 1)[1] for method, p, _ in s3.requests if method == "PUT"]
    assert puts == ["m-2.data-00000-of-00001", "m-2.meta", "m-2.index", "checkpoint"]
    assert tf.train.NewCheckpointReader(tf.train.latest_checkpoint(folder)).get_tensor("v").tolist() == [3, 4]
    assert tf.train.NewCheckpointReader(f"{folder}/m-1").get_tensor("v").tolist() == [1, 2]
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
        tf.train.NewCheckpointReader(f"{folder}/m-9")


def test_export_meta_graph_and_write_graph_to_a_url():
    folder = f"memory://graphs-{uuid.uuid4().hex[:8]}"
    try:
        with tf.Graph().as_default() as graph:
            tf.Variable(1.0, name="v")
            saver = tf.train.Saver()
            saver.export_meta_graph(f"{folder}/m.meta")
            path = tf.train.write_graph(graph, folder, "graph.pbtxt")
        assert path == f"{folder}/graph.pbtxt" and 'name: "v"' in tf.gfile.GFile(path).read()
        with tf.Graph().as_default():
            restorer = tf.train.import_meta_graph(f"{folder}/m.meta")
        assert restorer.saver_def.restore_op_name == "save/restore_all"
    finally:
        fsspec.filesystem("memory").rm(folder[len("memory:/"):], recursive=True)
