"""The histograms, distributions, images, audio and text routes answer what TensorBoard's own
plugins answer for the same files (TensorBoard run in-process: tests/board/tb_oracle.py), for
logdirs written by TF1, TF2, Keras, tensorboardX, torch and our engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from board import create_app
from tests.board.tb_oracle import TensorBoardOracle
from tests.conftest import REAL_FIXTURES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "summaries"
LOGDIRS = {
    "multi_plugin": REAL_FIXTURES / "multi_plugin" / "logdir",  # TF1, Keras, tbX, engine
    "tf": FIXTURES / "logdir_tf",  # TF2 eager and TF1 graph mode, every kind
    "tbx": FIXTURES / "logdir_tbx",  # tensorboardX: raw histograms, figures, audio...
    "torch": FIXTURES / "logdir_torch",  # torch.utils.tensorboard
    "tf2_summaries": REAL_FIXTURES / "tf2_summaries" / "logdir",
}


@pytest.fixture(scope="module", params=sorted(LOGDIRS))
def pair(request):
    logdir = LOGDIRS[request.param]
    if not logdir.is_dir():
        pytest.skip(f"{logdir} is not here")
    pytest.importorskip("tensorboard")
    return TensorBoardOracle(logdir), TestClient(create_app(logdir, reload_interval=0))


def ours(client: TestClient, path: str, **params):
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def _pairs(index: dict):
    return [(run, tag) for run, tags in index.items() for tag in tags]


@pytest.mark.parametrize("plugin", ["histograms", "distributions", "images", "audio", "text"])
def test_tags_equal_tensorboard(pair, plugin):
    tb, client = pair
    assert ours(client, f"/data/plugin/{plugin}/tags") == tb.json(f"/data/plugin/{plugin}/tags")


def test_histograms_and_distributions_equal_tensorboard(pair):
    tb, client = pair
    index = tb.json("/data/plugin/histograms/tags")
    for run, tag in _pairs(index):
        for route in ("histograms/histograms", "distributions/distributions"):
            expected = tb.json(f"/data/plugin/{route}", run=run, tag=tag)
            assert ours(client, f"/data/plugin/{route}", run=run, tag=tag) == expected, (route, run, tag)


def test_text_equals_tensorboard(pair):
    tb, client = pair
    for run, tag in _pairs(tb.json("/data/plugin/text/tags")):
        for markdown in ("true", "false"):
            expected = tb.json("/data/plugin/text/text", run=run, tag=tag, markdown=markdown)
            assert ours(client, "/data/plugin/text/text", run=run, tag=tag, markdown=markdown) == expected


@pytest.mark.parametrize("plugin,blob_route", [("images", "individualImage"), ("audio", "individualAudio")])
def test_media_and_their_bytes_equal_tensorboard(pair, plugin, blob_route):
    tb, client = pair
    index = tb.json(f"/data/plugin/{plugin}/tags")
    for run, tag in _pairs(index):
        beyond = ours(client, f"/data/plugin/{plugin}/{plugin}", run=run, tag=tag,
                      sample=index[run][tag]["samples"])
        assert beyond == []  # (TensorBoard's audio route fails there: an IndexError, a 500)
        for sample in range(index[run][tag]["samples"]):
            expected = tb.json(f"/data/plugin/{plugin}/{plugin}", run=run, tag=tag, sample=sample)
            got = ours(client, f"/data/plugin/{plugin}/{plugin}", run=run, tag=tag, sample=sample)
            # the query is opaque (each server's own blob keys); everything else is equal
            assert [{k: v for k, v in e.items() if k not in ("query", "label")} for e in got] == \
                   [{k: v for k, v in e.items() if k not in ("query", "label")} for e in expected]
            for mine, theirs in zip(got, expected, strict=True):
                want = tb.get(f"/data/plugin/{plugin}/{blob_route}?{theirs['query']}")
                response = client.get(f"/data/plugin/{plugin}/{blob_route}?{mine['query']}")
                assert response.status_code == 200
                assert response.content == want.get_data()
                assert response.headers["content-type"] == want.headers["Content-Type"].split(";")[0]
                assert response.headers["etag"]
