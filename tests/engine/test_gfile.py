"""tf.gfile against real TensorFlow: the calls of tests/fixtures/utils/make_gfile.py, replayed in a fresh
directory, return or raise what TF did (same error class and text)."""

import importlib.util
import json
from pathlib import Path

import pytest

import engine as tf

FIXTURES = Path(__file__).parents[1] / "fixtures" / "utils"
_spec = importlib.util.spec_from_file_location("make_gfile", FIXTURES / "make_gfile.py")
make_gfile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_gfile)
RECORDED = json.loads((FIXTURES / "gfile.json").read_text())


def test_gfile_calls_behave_as_tensorflow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ours = make_gfile.replay(tf.gfile, make_gfile.CALLS)
    for spec, mine, theirs in zip(RECORDED["calls"], ours, RECORDED["results"], strict=True):
        assert mine == theirs, spec


def test_io_gfile_calls_behave_as_tensorflow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    recorded = RECORDED["io_gfile"]
    ours = make_gfile.replay(tf.io.gfile, make_gfile.CALLS_V2)
    for spec, mine, theirs in zip(recorded["calls"], ours, recorded["results"], strict=True):
        assert mine == theirs, spec


def test_io_gfile_shares_tf_gfile_and_reports_walk_errors(tmp_path):
    assert tf.io.gfile.GFile is tf.gfile.GFile and tf.io.gfile.exists is tf.gfile.Exists
    seen = []
    assert list(tf.io.gfile.walk(tmp_path / "missing", onerror=seen.append)) == []
    assert [type(e) for e in seen] == [tf.errors.NotFoundError]
    assert "file" in tf.io.gfile.get_registered_schemes()


def test_gfile_errors_are_tf_errors(tmp_path):
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.GFile(str(tmp_path / "missing")).read()
    with pytest.raises(tf.errors.OpError):
        tf.gfile.Remove(str(tmp_path / "missing"))


def test_gfile_iterates_lines_and_takes_path_objects(tmp_path):
    path = tmp_path / "lines.txt"
    with tf.gfile.GFile(path, "w") as f:
        f.write("a\nb\n")
    assert list(tf.gfile.GFile(path)) == ["a\n", "b\n"]
    assert tf.gfile.Open is tf.gfile.GFile and tf.gfile.FastGFile is tf.gfile.GFile
    assert [top for top, _, _ in tf.gfile.Walk(tmp_path, in_order=False)] == [str(tmp_path)]
