"""The `checkpoint` state file: same text as TensorFlow writes, same path resolution when read."""

import os
import shutil

import pytest

from engine.train import checkpoint_management as cm


def _touch_checkpoint(prefix):
    for suffix in (".index", ".data-00000-of-00001", ".meta"):
        with open(f"{prefix}{suffix}", "wb"):
            pass


def test_relative_save_dir_writes_tensorflows_text(real_fixtures, tmp_path, monkeypatch):
    """The lecture saves to the relative 'logs/model.ckpt': TF stores the name relative to logs/."""
    monkeypatch.chdir(tmp_path)
    os.mkdir("logs")
    cm.update_checkpoint_state("logs", "logs/model.ckpt", ["logs/model.ckpt"])
    with open("logs/checkpoint", "rb") as ours:
        assert ours.read() == (real_fixtures / "tf1_checkpoint_lecture/logs/checkpoint").read_bytes()


def test_save_relative_paths_writes_tensorflows_text(real_fixtures, tmp_path):
    """tf1_mlp used save_relative_paths=True; an absolute save dir still gives 'mlp.ckpt'."""
    prefix = str(tmp_path / "mlp.ckpt")
    cm.update_checkpoint_state(str(tmp_path), prefix, [prefix], save_relative_paths=True)
    assert (tmp_path / "checkpoint").read_bytes() == (real_fixtures / "tf1_mlp/ckpt/checkpoint").read_bytes()


def test_absolute_paths_stay_absolute(tmp_path):
    paths = [str(tmp_path / "m-1"), str(tmp_path / "m-2")]
    cm.update_checkpoint_state(str(tmp_path), paths[1], paths)
    text = (tmp_path / "checkpoint").read_text()
    assert text == f'model_checkpoint_path: "{paths[1]}"\n' + "".join(
        f'all_model_checkpoint_paths: "{p}"\n' for p in paths
    )


def test_newest_path_is_appended_when_missing(tmp_path):
    cm.update_checkpoint_state(str(tmp_path), str(tmp_path / "b"), [str(tmp_path / "a")])
    state = cm.get_checkpoint_state(str(tmp_path))
    assert list(state.all_model_checkpoint_paths) == [str(tmp_path / "a"), str(tmp_path / "b")]


def test_state_and_latest_checkpoint_of_tf_directories(real_fixtures, tmp_path):
    for folder, name in [("tf1_checkpoint_lecture/logs", "model.ckpt"), ("tf1_mlp/ckpt", "mlp.ckpt")]:
        directory = str(real_fixtures / folder)
        state = cm.get_checkpoint_state(directory)
        assert state.model_checkpoint_path == os.path.join(directory, name)
        assert list(state.all_model_checkpoint_paths) == [os.path.join(directory, name)]
        assert cm.latest_checkpoint(directory) == os.path.join(directory, name)


def test_latest_checkpoint_none_without_state_or_files(real_fixtures, tmp_path):
    assert cm.latest_checkpoint(str(tmp_path)) is None
    shutil.copy(real_fixtures / "tf1_checkpoint_lecture/logs/checkpoint", tmp_path / "checkpoint")
    assert cm.latest_checkpoint(str(tmp_path)) is None  # the state names files that are not there
    _touch_checkpoint(tmp_path / "model.ckpt")
    assert cm.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model.ckpt")


def test_custom_latest_filename(tmp_path):
    _touch_checkpoint(tmp_path / "m")
    cm.update_checkpoint_state(str(tmp_path), str(tmp_path / "m"), latest_filename="latest")
    assert not (tmp_path / "checkpoint").exists()
    assert cm.latest_checkpoint(str(tmp_path), "latest") == str(tmp_path / "m")


def test_unparseable_state_is_ignored(tmp_path):
    (tmp_path / "checkpoint").write_text("this is { not a checkpoint state")
    assert cm.get_checkpoint_state(str(tmp_path)) is None


def test_state_without_model_path_is_invalid(tmp_path):
    (tmp_path / "checkpoint").write_text('all_model_checkpoint_paths: "x"\n')
    with pytest.raises(ValueError, match="Invalid checkpoint state"):
        cm.get_checkpoint_state(str(tmp_path))


def test_save_path_colliding_with_state_file_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="conflicts with path used for checkpoint state"):
        cm.update_checkpoint_state(str(tmp_path), str(tmp_path / "checkpoint"))


def test_checkpoint_exists_and_remove(tmp_path):
    prefix = str(tmp_path / "model.ckpt-7")
    assert not cm.checkpoint_exists(prefix)
    _touch_checkpoint(prefix)
    assert cm.checkpoint_exists(prefix)
    assert cm.get_checkpoint_mtimes([prefix, str(tmp_path / "gone")]) == [os.path.getmtime(prefix + ".index")]
    cm.remove_checkpoint(prefix)
    assert os.listdir(tmp_path) == []


def test_meta_graph_filename():
    assert cm.meta_graph_filename("logs/model.ckpt-10") == "logs/model.ckpt-10.meta"
    assert cm.meta_graph_filename("m-?????-of-00002") == "m.meta"
