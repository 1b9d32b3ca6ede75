"""The projector routes answer what TensorBoard's projector plugin answers for the same logdir
(TensorBoard in-process, tests/board/tb_oracle.py; its venv has no TensorFlow, so it reads tensor
files but no checkpoints), find a checkpoint's 2-D variables with the engine's reader, bound their
work, and answer bad input with JSON errors."""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest
from fastapi.testclient import TestClient

from board import create_app
from board.data import projector
from tests.board.tb_oracle import TensorBoardOracle
from tests.conftest import REAL_FIXTURES
from tests.fixtures.projector.make_fixture import write

PREFIX = "/data/plugin/projector"


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    return write(tmp_path_factory.mktemp("projector"))


@pytest.fixture(scope="module")
def client(logdir):
    return TestClient(create_app(logdir, reload_interval=0))


@pytest.fixture(scope="module")
def oracle(logdir):
    tb = TensorBoardOracle(logdir)
    assert "projector" in tb.json("/data/plugins_listing")
    return tb


def test_runs(client, oracle):
    ours = client.get(f"{PREFIX}/runs").json()
    assert sorted(ours) == [".", "model", "words"]
    assert sorted(oracle.json(f"{PREFIX}/runs")) == [".", "words"]  # without TF: no checkpoints


@pytest.mark.parametrize("run", [".", "words"])
def test_info_as_tensorboard(client, oracle, run):
    expected = oracle.json(f"{PREFIX}/info", run=run)
    for embedding in expected["embeddings"]:  # TensorBoard names only the first unnamed tensor file
        embedding.setdefault("tensorName", embedding["tensorPath"].rsplit("/", 1)[-1])
    assert client.get(f"{PREFIX}/info", params={"run": run}).json() == expected


def test_second_tensor_file(client, logdir):
    """TensorBoard cannot serve it (its name is left empty); board serves it under its file name."""
    raw = client.get(f"{PREFIX}/tensor", params={"run": "words", "name": "other.tsv"}).content
    expected = np.loadtxt(logdir / "words" / "other.tsv", delimiter="\t", dtype=np.float32)
    np.testing.assert_array_equal(np.frombuffer(raw, "<f4").reshape(4, 8), expected)


@pytest.mark.parametrize(("run", "name"), [(".", "default:00000"), ("words", "vectors")])
def test_tensor_metadata_sprite_as_tensorboard(client, oracle, run, name):
    response = client.get(f"{PREFIX}/tensor", params={"run": run, "name": name})
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.content == oracle.get(f"{PREFIX}/tensor", run=run, name=name).get_data()
    rows = client.get(f"{PREFIX}/tensor", params={"run": run, "name": name, "num_rows": 2})
    assert rows.content == oracle.get(f"{PREFIX}/tensor", run=run, name=name, num_rows=2).get_data()
    for params in ({}, {"num_rows": 3}):
        text = client.get(f"{PREFIX}/metadata", params={"run": run, "name": name, **params}).text
        assert text == oracle.get(f"{PREFIX}/metadata", run=run, name=name, **params).get_data(as_text=True)
    if run == ".":
        sprite = client.get(f"{PREFIX}/sprite_image", params={"run": run, "name": name})
        expected = oracle.get(f"{PREFIX}/sprite_image", run=run, name=name)
        assert sprite.content == expected.get_data() and sprite.headers["content-type"] == "image/png"


def test_checkpoint_variables(client, logdir):
    info = client.get(f"{PREFIX}/info", params={"run": "model"}).json()
    assert info["modelCheckpointPath"] == str(logdir / "model" / "model.ckpt-1")
    names = [e["tensorName"] for e in info["embeddings"]]
    assert names[0] == "embedding" and "bias" not in names  # 1-D variables are not embeddings
    assert info["embeddings"][0] == {"tensorName": "embedding", "metadataPath": "labels.tsv",
                                     "tensorShape": [10, 4]}
    raw = client.get(f"{PREFIX}/tensor", params={"run": "model", "name": "embedding"}).content
    import engine as tf

    expected = tf.train.load_checkpoint(str(logdir / "model")).get_tensor("embedding")
    np.testing.assert_array_equal(np.frombuffer(raw, "<f4").reshape(10, 4), expected)
    labels = client.get(f"{PREFIX}/metadata", params={"run": "model", "name": "embedding"}).text
    assert labels.startswith("item0\n")


def test_pca_and_neighbors(client):
    params = {"run": "words", "name": "vectors"}
    answer = client.get("/data/projector/pca", params={**params, "components": 2}).json()
    assert answer["shape"] == [6, 3] and len(answer["points"]) == 6 and len(answer["points"][0]) == 2
    assert 0 < answer["explained"][1] <= answer["explained"][0] <= 1
    assert max(abs(v) for p in answer["points"] for v in p) == pytest.approx(1.0)
    raw = client.get(f"{PREFIX}/tensor", params={"run": "words", "name": "vectors"}).content
    points = np.frombuffer(raw, "<f4").reshape(6, 3).astype(np.float64)
    centred = points - points.mean(0)
    variances = np.linalg.svd(centred, compute_uv=False) ** 2
    np.testing.assert_allclose(answer["explained"], variances[:2] / variances.sum(), atol=1e-5)
    near = client.get("/data/projector/neighbors", params={"run": "words", "name": "vectors", "index": 2,
                                                           "k": 3}).json()
    unit = points / np.linalg.norm(points, axis=1, keepdims=True)
    distances = 1 - unit @ unit[2]
    order = [i for i in np.argsort(distances) if i != 2][:3]
    assert [n["index"] for n in near["neighbors"]] == order
    np.testing.assert_allclose([n["distance"] for n in near["neighbors"]], distances[order], atol=1e-5)


@pytest.mark.parametrize(("path", "params", "status"), [
    ("/info", {}, 400),
    ("/info", {"run": "nope"}, 404),
    ("/tensor", {"run": "words"}, 400),
    ("/tensor", {"run": "words", "name": "nope"}, 404),
    ("/tensor", {"run": "words", "name": "vectors", "num_rows": 0}, 400),
    ("/tensor", {"run": "words", "name": "vectors", "num_rows": "x"}, 400),
    ("/metadata", {"run": "words", "name": "other.tsv"}, 404),
    ("/sprite_image", {"run": "words", "name": "vectors"}, 404),
])
def test_bad_input(client, path, params, status):
    response = client.get(PREFIX + path, params=params)
    assert response.status_code == status and "error" in response.json()


@pytest.mark.parametrize(("params", "status"), [
    ({"run": "words", "name": "vectors", "components": 4}, 400),
    ({"run": "words", "name": "vectors", "index": 6}, 400),
    ({"run": "words", "name": "vectors", "index": -1}, 400),
])
def test_bad_board_routes(client, params, status):
    route = "/data/projector/pca" if "components" in params else "/data/projector/neighbors"
    response = client.get(route, params=params)
    assert response.status_code == status and "error" in response.json()


def test_paths_outside_config_and_limits(tmp_path, monkeypatch):
    logs = tmp_path / "logs"  # the logdir: run "." without event files, as in TensorBoard
    logs.mkdir()
    (tmp_path / "secret.tsv").write_text("1\t2\n")
    (logs / "projector_config.pbtxt").write_text(
        'embeddings { tensor_name: "escape" tensor_path: "../secret.tsv" metadata_path: "/etc/passwd" }\n'
        'embeddings { tensor_name: "big" tensor_path: "big.tsv" metadata_path: "labels.tsv" }\n')
    (logs / "big.tsv").write_text("".join(f"{i}\t{i}\n" for i in range(200)))
    (logs / "labels.tsv").write_text("".join(f"{i}\n" for i in range(200)))
    monkeypatch.setattr(projector, "MAX_TENSOR_BYTES", 100)
    client = TestClient(create_app(logs, reload_interval=0))
    for route in ("/tensor", "/metadata"):
        response = client.get(PREFIX + route, params={"run": ".", "name": "escape"})
        assert response.status_code == 400 and "outside the config directory" in response.json()["error"]
    monkeypatch.setattr(projector, "MAX_METADATA_ROWS", 50)
    assert client.get(PREFIX + "/metadata", params={"run": ".", "name": "big"}).text.count("\n") == 50
    response = client.get(PREFIX + "/tensor", params={"run": ".", "name": "big"})
    assert response.status_code == 400 and "above the limit" in response.json()["error"]
    assert json.loads(client.get(PREFIX + "/runs").text) == ["."]


REAL = REAL_FIXTURES / "multi_plugin" / "logdir"  # TF1 runs with checkpoints, a tensorboardX embedding


@pytest.fixture(scope="module")
def real_client():
    return TestClient(create_app(REAL, reload_interval=0))


def test_real_tensorboardx_embedding_as_tensorboard(real_client):
    tb = TensorBoardOracle(REAL)
    assert tb.json(f"{PREFIX}/runs") == ["tbx_run"]  # its venv has no TF: checkpoints are not read
    runs = real_client.get(f"{PREFIX}/runs").json()
    assert sorted(runs) == ["lr0.001_sgd_u32", "lr0.01_adam_u16", "lr0.1_adam_u32", "tbx_run"]
    assert real_client.get(f"{PREFIX}/info", params={"run": "tbx_run"}).json() == tb.json(f"{PREFIX}/info",
                                                                                            run="tbx_run")
    params = {"run": "tbx_run", "name": "points:00300"}
    expected = tb.get(f"{PREFIX}/tensor", **params).get_data()
    assert real_client.get(f"{PREFIX}/tensor", params=params).content == expected
    assert real_client.get(f"{PREFIX}/metadata", params=params).text == tb.get(
        f"{PREFIX}/metadata", **params).get_data(as_text=True)


def test_real_tf_checkpoint_variables(real_client, tf_python):
    """The TF1 runs' `word_embedding` (a variable of a checkpoint TensorFlow wrote) has the values
    TensorFlow reads back, and the metadata its config names."""
    run = REAL / "lr0.01_adam_u16"
    script = ("import sys, json, tensorflow as tf\n"
              "r = tf.train.load_checkpoint(sys.argv[1])\n"
              "m = r.get_variable_to_shape_map()\n"
              "print(json.dumps({'shapes': {k: v for k, v in m.items() if len(v) == 2},"
              " 'value': r.get_tensor('word_embedding').tolist()}))")
    out = subprocess.run([tf_python, "-c", script, str(run)], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, check=True)
    expected = json.loads(out.stdout.strip().splitlines()[-1])
    info = real_client.get(f"{PREFIX}/info", params={"run": "lr0.01_adam_u16"}).json()
    assert info["modelCheckpointPath"] == str(run / "model.ckpt-300")
    shapes = {e["tensorName"]: e["tensorShape"] for e in info["embeddings"]}
    assert shapes == expected["shapes"]  # every 2-D variable (Adam's slots too, as TensorBoard)
    assert info["embeddings"][0]["metadataPath"] == "metadata.tsv"
    params = {"run": "lr0.01_adam_u16", "name": "word_embedding"}
    raw = real_client.get(f"{PREFIX}/tensor", params=params).content
    values = np.array(expected["value"], np.float32)
    np.testing.assert_array_equal(np.frombuffer(raw, "<f4").reshape(values.shape), values)
    labels = real_client.get(f"{PREFIX}/metadata", params=params).text
    assert labels == (run / "metadata.tsv").read_text() and labels.startswith("word0\n")


def test_rewritten_files_are_read_again(tmp_path):
    """Configs and tensor files change without new events: each request sees the files as they are."""
    (tmp_path / "projector_config.pbtxt").write_text('embeddings { tensor_name: "v" tensor_path: "v.tsv" }\n')
    (tmp_path / "v.tsv").write_text("1\t2\n3\t4\n")
    client = TestClient(create_app(tmp_path, reload_interval=0))
    params = {"run": ".", "name": "v"}
    assert client.get(f"{PREFIX}/info", params={"run": "."}).json()["embeddings"][0]["tensorShape"] == [2, 2]
    values = client.get(f"{PREFIX}/tensor", params=params).content
    assert np.frombuffer(values, "<f4").tolist() == [1, 2, 3, 4]
    (tmp_path / "v.tsv").write_text("5\t6\t7\n")
    os.utime(tmp_path / "v.tsv", ns=(1, 1))  # a different mtime even on a coarse clock
    assert client.get(f"{PREFIX}/info", params={"run": "."}).json()["embeddings"][0]["tensorShape"] == [1, 3]
    assert np.frombuffer(client.get(f"{PREFIX}/tensor", params=params).content, "<f4").tolist() == [5, 6, 7]
    (tmp_path / "projector_config.pbtxt").write_text("")
    assert client.get(f"{PREFIX}/runs").json() == []
    assert client.get(f"{PREFIX}/info", params={"run": "."}).status_code == 404


@pytest.mark.parametrize(("sample", "covariance_dims"), [(50_000, 2_000), (50_000, 2), (150, 2_000)])
def test_pca_matches_svd(monkeypatch, sample, covariance_dims):
    """The covariance path, the SVD path (many dimensions) and a sampled fit agree with numpy's SVD
    of all points (axes up to sign; a sample of 150 of 200 points of this data gives near axes)."""
    monkeypatch.setattr(projector, "PCA_SAMPLE", sample)
    monkeypatch.setattr(projector, "MAX_COVARIANCE_DIMS", covariance_dims)
    rng = np.random.default_rng(3)
    points = rng.normal(size=(200, 6)) * [5, 3, 2, 0.5, 0.2, 0.1] @ np.linalg.qr(rng.normal(size=(6, 6)))[0]
    projected, explained = projector.pca(points.astype(np.float32), 3)
    centred = points - points.mean(0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    expected = centred @ vt[:3].T
    tolerance = 1e-3 if sample > 200 else 0.15
    for axis in range(3):
        sign = np.sign(np.dot(projected[:, axis], expected[:, axis]))
        scale = np.abs(expected[:, axis]).max()
        np.testing.assert_allclose(sign * projected[:, axis] / scale, expected[:, axis] / scale,
                                   atol=tolerance)
    np.testing.assert_allclose(explained, singular[:3] ** 2 / (singular ** 2).sum(), atol=tolerance / 10)
