"""tf.train.Saver: TensorFlow's files byte for byte, rotation, relative paths, crash safety, errors."""

import json
import os

import numpy as np
import pytest

import engine as tf
from engine.proto import meta_graph_pb2
from engine.train import checkpoint_bundle, checkpoint_management

LECTURE = "tf1_checkpoint_lecture"


def _lecture_graph(v1_shape=(3,), v2_shape=(5,), dtype=tf.float32):
    v1 = tf.get_variable("v1", shape=list(v1_shape), dtype=dtype, initializer=tf.zeros_initializer)
    v2 = tf.get_variable("v2", shape=list(v2_shape), dtype=dtype, initializer=tf.zeros_initializer)
    return v1, v2


def _save_lecture(save_path, **saver_kwargs):
    """The lecture's program: v1 += 1, v2 -= 1, then save. Returns the path Saver.save returned."""
    with tf.Graph().as_default():
        v1, v2 = _lecture_graph()
        inc_v1 = v1.assign(v1 + 1)
        dec_v2 = v2.assign(v2 - 1)
        init_op = tf.global_variables_initializer()
        saver = tf.train.Saver(**saver_kwargs)
        with tf.Session() as sess:
            sess.run(init_op)
            inc_v1.op.run()
            dec_v2.op.run()
            return saver.save(sess, save_path)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def test_lecture_save_writes_tensorflows_files(real_fixtures, tmp_path, monkeypatch):
    """Same program, same relative path: `checkpoint`, `.index` and `.data` equal TF's byte for byte."""
    monkeypatch.chdir(tmp_path)
    assert _save_lecture("logs/model.ckpt") == "logs/model.ckpt"
    assert sorted(os.listdir("logs")) == [
        "checkpoint",
        "model.ckpt.data-00000-of-00001",
        "model.ckpt.index",
        "model.ckpt.meta",
    ]
    theirs = real_fixtures / LECTURE / "logs"
    for name in ("checkpoint", "model.ckpt.index", "model.ckpt.data-00000-of-00001"):
        assert _read(f"logs/{name}") == _read(theirs / name), name


def test_lecture_restore_in_a_new_program(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _save_lecture("logs/model.ckpt")
    with tf.Graph().as_default():
        v1 = tf.get_variable("v1", shape=[3])
        v2 = tf.get_variable("v2", shape=[5])
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, "logs/model.ckpt")
            assert np.array_equal(v1.eval(), [1, 1, 1])
            assert np.array_equal(v2.eval(), [-1] * 5)
            assert v1.eval().dtype == np.float32


def test_lecture_restore_reads_tensorflows_checkpoint(real_fixtures, monkeypatch):
    """The lecture's restore snippet, run in the folder TensorFlow saved into."""
    monkeypatch.chdir(real_fixtures / LECTURE)
    with tf.Graph().as_default():
        v1 = tf.get_variable("v1", shape=[3])
        v2 = tf.get_variable("v2", shape=[5])
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, tf.train.latest_checkpoint("logs"))
            assert np.array_equal(v1.eval(), np.ones(3, np.float32))
            assert np.array_equal(v2.eval(), -np.ones(5, np.float32))


def test_saver_graph_and_saver_def_match_tensorflows(real_fixtures, tmp_path):
    """The save/ subgraph has TF's node names, op types and wiring, and the SaverDef is TF's."""
    theirs = meta_graph_pb2.MetaGraphDef.FromString(_read(real_fixtures / LECTURE / "logs/model.ckpt.meta"))
    _save_lecture(str(tmp_path / "model.ckpt"))
    ours = meta_graph_pb2.MetaGraphDef.FromString(_read(tmp_path / "model.ckpt.meta"))
    assert ours.saver_def == theirs.saver_def

    def save_nodes(meta):
        # Variables differ in kind (TF 2.x wrote resource variables): compare what does not depend on it.
        return {
            n.name: (n.op, [i for i in n.input if i.startswith("save/")])
            for n in meta.graph_def.node
            if n.name.startswith("save/")
            and "Assign" not in n.op
            and n.name != "save/restore_all"
            and not n.name.startswith("save/Identity")
        }

    assert save_nodes(ours) == save_nodes(theirs)
    nodes = {n.name: n for n in ours.graph_def.node}
    assert list(nodes["save/SaveV2"].input[3:]) == ["v1", "v2"]
    assert list(nodes["save/Assign"].input) == ["v1", "save/RestoreV2"]
    assert list(nodes["save/Assign_1"].input) == ["v2", "save/RestoreV2:1"]
    assert list(nodes["save/restore_all"].input) == ["^save/Assign", "^save/Assign_1"]
    assert nodes["save/RestoreV2"].device == "/device:CPU:0"
    assert set(ours.collection_def) == {"variables", "trainable_variables"}


def test_restores_tensorflows_checkpoints_exactly(real_fixtures):
    """Both TF checkpoints in fixtures/real restore into our variables with exactly the JSON values."""
    for folder, json_name, prefix in [
        (LECTURE, "variables.json", "logs/model.ckpt"),
        ("tf1_mlp", "ckpt_variables.json", "ckpt/mlp.ckpt"),
    ]:
        with open(real_fixtures / folder / json_name) as f:
            expected = json.load(f)["variables"]
        with tf.Graph().as_default():
            variables = {
                name: tf.Variable(tf.zeros(spec["shape"], dtype=spec["dtype"]), name=f"var{i}")
                for i, (name, spec) in enumerate(sorted(expected.items()))
            }
            saver = tf.train.Saver(variables)
            with tf.Session() as sess:
                saver.restore(sess, str(real_fixtures / folder / prefix))
                for name, spec in expected.items():
                    value = sess.run(variables[name])
                    assert value.dtype == np.float32
                    assert np.array_equal(value, np.array(spec["value"], np.float32)), name


def test_max_to_keep_rotation(tmp_path):
    prefix = str(tmp_path / "model.ckpt")
    with tf.Graph().as_default():
        v = tf.Variable(0.0, name="v")
        bump = v.assign_add(1.0)
        saver = tf.train.Saver(max_to_keep=3)
        with tf.Session() as sess:
            sess.run(v.initializer)
            for step in range(1, 8):
                sess.run(bump)
                assert saver.save(sess, prefix, global_step=step) == f"{prefix}-{step}"
        assert saver.last_checkpoints == [f"{prefix}-5", f"{prefix}-6", f"{prefix}-7"]
    kept = sorted(f for f in os.listdir(tmp_path) if f != "checkpoint")
    assert kept == sorted(
        f"model.ckpt-{s}{ext}" for s in (5, 6, 7) for ext in (".index", ".meta", ".data-00000-of-00001")
    )
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert list(state.all_model_checkpoint_paths) == [f"{prefix}-5", f"{prefix}-6", f"{prefix}-7"]
    assert tf.train.latest_checkpoint(str(tmp_path)) == f"{prefix}-7"
    assert tf.train.load_checkpoint(str(tmp_path)).get_tensor("v") == np.float32(7)


def test_max_to_keep_none_keeps_everything(tmp_path):
    prefix = str(tmp_path / "m")
    with tf.Graph().as_default():
        v = tf.Variable(1.0, name="v")
        saver = tf.train.Saver(max_to_keep=None)
        with tf.Session() as sess:
            sess.run(v.initializer)
            for step in range(3):
                saver.save(sess, prefix, global_step=step, write_meta_graph=False)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint"] + sorted(
        f"m-{s}{ext}" for s in range(3) for ext in (".data-00000-of-00001", ".index")
    )
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert list(state.all_model_checkpoint_paths) == [f"{prefix}-2"]


def test_save_relative_paths_lets_the_directory_move(tmp_path):
    first = tmp_path / "run"
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        saver = tf.train.Saver(save_relative_paths=True)
        absolute = tf.train.Saver(name="abs")
        with tf.Session() as sess:
            sess.run(v.initializer)
            saver.save(sess, str(first / "model.ckpt"), global_step=10)
            assert (first / "checkpoint").read_text() == (
                'model_checkpoint_path: "model.ckpt-10"\nall_model_checkpoint_paths: "model.ckpt-10"\n'
            )
            absolute.save(sess, str(tmp_path / "abs" / "model.ckpt"))
            assert str(tmp_path) in (tmp_path / "abs" / "checkpoint").read_text()
    moved = tmp_path / "moved"
    os.rename(first, moved)
    latest = tf.train.latest_checkpoint(str(moved))
    assert latest == str(moved / "model.ckpt-10")
    with tf.Graph().as_default():
        v = tf.Variable([0.0, 0.0], name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, latest)
            assert np.array_equal(sess.run(v), [1.0, 2.0])


def _two_checkpoint_program(tmp_path, crash, same_prefix=False):
    """Saves v=1 (step 1), then tries v=2 with `crash` patched in; returns the session's variable."""
    prefix = str(tmp_path / "model.ckpt")
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 1.0], name="v")
        set_two = v.assign([2.0, 2.0])
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            first = saver.save(sess, prefix, global_step=None if same_prefix else 1)
            sess.run(set_two)
            with pytest.raises(OSError, match="simulated crash"):
                with crash():
                    saver.save(sess, prefix, global_step=None if same_prefix else 2)
    return first


def _restored_value(path):
    with tf.Graph().as_default():
        v = tf.Variable([0.0, 0.0], name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, path)
            return sess.run(v)


def _raise_in(monkeypatch, module, attribute, after=0):
    """A context manager that makes `module.attribute` raise OSError (after `after` normal calls)."""
    import contextlib

    real = getattr(module, attribute)
    calls = []

    def crashing(*args, **kwargs):
        calls.append(1)
        if len(calls) > after:
            raise OSError("simulated crash")
        return real(*args, **kwargs)

    @contextlib.contextmanager
    def crash():
        monkeypatch.setattr(module, attribute, crashing)
        try:
            yield
        finally:
            monkeypatch.setattr(module, attribute, real)

    return crash


@pytest.mark.parametrize("same_prefix", [False, True], ids=["new-step", "same-prefix"])
@pytest.mark.parametrize(
    "where",
    ["data write", "index write", "meta graph write", "state file write"],
)
def test_crash_mid_save_keeps_previous_checkpoint(tmp_path, monkeypatch, where, same_prefix):
    from engine.train import meta_graph, sstable

    crash = {
        "data write": _raise_in(monkeypatch, checkpoint_bundle, "encode_tensor"),
        "index write": _raise_in(monkeypatch, sstable.TableWriter, "finish"),
        "meta graph write": _raise_in(monkeypatch, meta_graph, "create_meta_graph_def"),
        # The .meta is written through atomic_write too: let it pass, fail on the state file.
        "state file write": _raise_in(monkeypatch, checkpoint_management, "atomic_write", after=1),
    }[where]
    first = _two_checkpoint_program(tmp_path, crash, same_prefix)
    latest = tf.train.latest_checkpoint(str(tmp_path))
    assert latest == first
    if where in ("data write", "index write") or not same_prefix:
        assert np.array_equal(_restored_value(latest), [1.0, 1.0])
    else:
        # The bundle of the same prefix was already replaced (complete) when the later write failed.
        assert np.array_equal(_restored_value(latest), [2.0, 2.0])
    assert not [f for f in os.listdir(tmp_path) if "temp" in f or ".tmp" in f]
    if not same_prefix:
        written = {
            "data write": [],
            "index write": [],
            "meta graph write": [".index", ".data-00000-of-00001"],
        }
        expected = written.get(where, [".index", ".data-00000-of-00001", ".meta"])
        assert sorted(f[len("model.ckpt-2") :] for f in os.listdir(tmp_path) if "-2" in f) == sorted(expected)


def _corrupt(path, position):
    data = bytearray(_read(path))
    data[position] ^= 0xFF
    with open(path, "wb") as f:
        f.write(data)


def _restore_lecture_over(prefix, v1_shape=(3,), v2_shape=(5,), dtype=tf.float32, extra=False):
    """Variables preset to 7, then restore: returns (error, values of every variable afterwards)."""
    with tf.Graph().as_default():
        variables = list(_lecture_graph(v1_shape, v2_shape, dtype))
        if extra:
            variables.append(tf.get_variable("v3", shape=[2], initializer=tf.zeros_initializer))
        saver = tf.train.Saver()
        with tf.Session() as sess:
            for v in variables:
                sess.run(v.assign(tf.fill(v.shape.as_list(), tf.constant(7, dtype=dtype))))
            with pytest.raises(tf.errors.OpError) as info:
                saver.restore(sess, prefix)
            return info.value, [sess.run(v) for v in variables]


def _untouched(values):
    return all(np.all(value == 7) for value in values)


def test_corrupted_index_byte_is_data_loss_and_restores_nothing(tmp_path):
    prefix = str(tmp_path / "model.ckpt")
    _save_lecture(prefix)
    _corrupt(prefix + ".index", 20)
    error, values = _restore_lecture_over(prefix)
    assert isinstance(error, tf.errors.DataLossError)
    assert "model.ckpt.index" in error.message
    assert _untouched(values)


def test_corrupted_data_byte_is_data_loss_and_restores_nothing(tmp_path):
    prefix = str(tmp_path / "model.ckpt")
    _save_lecture(prefix)
    _corrupt(prefix + ".data-00000-of-00001", 31)  # the last byte: v2, restored after v1
    error, values = _restore_lecture_over(prefix)
    assert isinstance(error, tf.errors.DataLossError)
    assert "model.ckpt.data-00000-of-00001" in error.message and "v2" in error.message
    assert _untouched(values)


def test_missing_key_is_not_found_naming_key_and_checkpoint(real_fixtures):
    prefix = str(real_fixtures / LECTURE / "logs/model.ckpt")
    error, values = _restore_lecture_over(prefix, extra=True)
    assert isinstance(error, tf.errors.NotFoundError)
    assert "Key v3 not found in checkpoint" in error.message and prefix in error.message
    assert error.message.startswith("Restoring from checkpoint failed.")
    assert _untouched(values)


def test_shape_mismatch_names_variable_and_both_shapes(real_fixtures):
    prefix = str(real_fixtures / LECTURE / "logs/model.ckpt")
    error, values = _restore_lecture_over(prefix, v2_shape=(4,))
    assert isinstance(error, tf.errors.InvalidArgumentError)
    assert "Restoring variable v2 " in error.message
    assert "has shape [4]" in error.message and "has shape [5]" in error.message
    assert _untouched(values)  # v1 fits, but is not assigned either


def test_dtype_mismatch_names_both_dtypes(real_fixtures):
    prefix = str(real_fixtures / LECTURE / "logs/model.ckpt")
    error, values = _restore_lecture_over(prefix, dtype=tf.float64)
    assert isinstance(error, tf.errors.InvalidArgumentError)
    assert "tensor_name = v1; expected dtype double does not equal original dtype float" in error.message
    assert _untouched(values)


def test_restore_from_a_path_that_is_not_a_checkpoint(tmp_path):
    with tf.Graph().as_default():
        tf.Variable(1.0, name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            with pytest.raises(ValueError, match="The passed save_path is not a valid checkpoint: .*nothing"):
                saver.restore(sess, str(tmp_path / "nothing"))
            with pytest.raises(ValueError, match="Can't load save_path when it is None."):
                saver.restore(sess, None)


def test_save_of_uninitialized_variable_fails_and_writes_nothing(tmp_path):
    with tf.Graph().as_default():
        tf.Variable(1.0, name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value v"):
                saver.save(sess, str(tmp_path / "m"))
    assert os.listdir(tmp_path) == []


def test_global_step_tensor_and_padding(tmp_path):
    with tf.Graph().as_default():
        step = tf.Variable(42, name="global_step", trainable=False)
        saver = tf.train.Saver(pad_step_number=True)
        with tf.Session() as sess:
            sess.run(step.initializer)
            path = saver.save(sess, str(tmp_path / "m"), global_step=step, write_meta_graph=False)
    assert path == str(tmp_path / "m-00000042")
    assert tf.train.load_checkpoint(path).get_tensor("global_step") == 42


def test_saver_scopes_and_var_list_errors():
    with tf.Graph().as_default() as graph:
        with pytest.raises(ValueError, match="No variables to save"):
            tf.train.Saver()
        assert tf.train.Saver(allow_empty=True).as_saver_def() is None
        a = tf.Variable(1.0, name="a")
        tf.train.Saver()
        second = tf.train.Saver([a])
        assert second.as_saver_def().restore_op_name == "save_1/restore_all"
        assert graph.get_operation_by_name("save_1/SaveV2").type == "SaveV2"
        with tf.variable_scope("other"):
            b = tf.Variable(2.0, name="a")
        with tf.Graph().as_default():
            namesake = tf.Variable(3.0, name="a")
        with pytest.raises(ValueError, match="At least two variables have the same name: a"):
            tf.train.Saver([a, namesake])
        with pytest.raises(TypeError, match="not a Variable"):
            tf.train.Saver([a + 1])
        assert (
            tf.train.Saver({"x": a, "y": b}).as_saver_def().save_tensor_name.endswith("control_dependency:0")
        )


def test_empty_saver_save_returns_none(tmp_path):
    with tf.Graph().as_default():
        saver = tf.train.Saver(allow_empty=True)
        with tf.Session() as sess:
            assert saver.save(sess, str(tmp_path / "m")) is None
            saver.restore(sess, str(tmp_path / "m"))  # nothing to restore


def test_keep_checkpoint_every_n_hours_spares_rotated_checkpoints(tmp_path):
    prefix = str(tmp_path / "m")
    with tf.Graph().as_default():
        v = tf.Variable(1.0, name="v")
        # A tiny interval: every checkpoint leaving the max_to_keep window is old enough to be kept.
        saver = tf.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=1e-12)
        with tf.Session() as sess:
            sess.run(v.initializer)
            for step in range(3):
                saver.save(sess, prefix, global_step=step, write_meta_graph=False)
    assert saver.last_checkpoints == [f"{prefix}-2"]
    assert all(tf.train.checkpoint_exists(f"{prefix}-{step}") for step in range(3))


def test_recover_last_checkpoints_continues_rotation(tmp_path):
    prefix = str(tmp_path / "m")
    with tf.Graph().as_default():
        v = tf.Variable(1.0, name="v")
        saver = tf.train.Saver(max_to_keep=2)
        with tf.Session() as sess:
            sess.run(v.initializer)
            for step in range(2):
                saver.save(sess, prefix, global_step=step, write_meta_graph=False)
            state = tf.train.get_checkpoint_state(str(tmp_path))
            restarted = tf.train.Saver(max_to_keep=2)
            restarted.recover_last_checkpoints(list(state.all_model_checkpoint_paths) + [f"{prefix}-99"])
            assert restarted.last_checkpoints == [f"{prefix}-0", f"{prefix}-1"]
            restarted.save(sess, prefix, global_step=2, write_meta_graph=False)
    assert not tf.train.checkpoint_exists(f"{prefix}-0")
    assert [tf.train.checkpoint_exists(f"{prefix}-{s}") for s in (1, 2)] == [True, True]
