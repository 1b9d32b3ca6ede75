"""examples/char_lstm.py trains (loss falls), and its logs hold what board shows: the graph with the
`rnn/while` loop, the loss and perplexity curves, and the sample text."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi.testclient import TestClient

from board import create_app

EXAMPLE = Path(__file__).parents[2] / "examples" / "char_lstm.py"


def test_char_lstm_trains_and_board_shows_its_loop(tmp_path):
    spec = importlib.util.spec_from_file_location("char_lstm", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    first, last = example.main(
        ["--logdir", str(tmp_path), "--steps", "60", "--units", "32", "--seq-len", "16"]
    )
    assert last < first - 0.5

    client = TestClient(create_app(str(tmp_path)))
    assert "char_lstm" in client.get("/data/runs").json()
    graph = client.get("/data/plugin/graphs/graph", params={"run": "char_lstm"}).text
    for node in (
        "model/rnn/while/LoopCond",
        "model/rnn/while/basic_lstm_cell/MatMul",
        "gradients/model/rnn/while/basic_lstm_cell/MatMul_grad/MatMul",
    ):
        assert f'name: "{node}"' in graph
    tags = client.get("/data/plugin/scalars/tags").json()["char_lstm"]
    assert {"loss", "perplexity"} <= set(tags)
    loss = client.get("/data/plugin/scalars/scalars", params={"run": "char_lstm", "tag": "loss"}).json()
    assert [point[1] for point in loss][:2] == [0, 10]
    text = client.get("/data/plugin/text/text", params={"run": "char_lstm", "tag": "sample"})
    assert text.status_code == 200 and "Beautiful" in text.text
