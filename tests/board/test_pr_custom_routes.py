"""The pr_curves and custom_scalars routes answer what TensorBoard's own plugins answer for the
same files (TensorBoard in-process: tests/board/tb_oracle.py): logdirs of tensorboardX (the real
fixtures and tests/fixtures/pr_custom) and of our engine's TensorBoard-style writers
(engine/summary/pr_curve.py and custom_scalar.py, whose ops run alike in real TensorFlow:
tests/interop), written here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

import engine as tf
from board import create_app
from engine.summary import layout_pb2
from tests.board.tb_oracle import TensorBoardOracle
from tests.board.test_summary_routes import LOGDIRS, ours


def _layout(*categories) -> layout_pb2.Layout:
    return layout_pb2.Layout(category=list(categories))


def _multiline(title, *tags) -> layout_pb2.Chart:
    return layout_pb2.Chart(title=title, multiline=layout_pb2.MultilineChartContent(tag=list(tags)))


def _margin(title, *series) -> layout_pb2.Chart:
    return layout_pb2.Chart(title=title, margin=layout_pb2.MarginChartContent(series=[
        layout_pb2.MarginChartContent.Series(value=v, lower=lo, upper=hi) for v, lo, hi in series]))


LAYOUTS = {
    "alpha": _layout(layout_pb2.Category(title="losses", chart=[_multiline("all", r"loss/(train|eval)")])),
    "beta": _layout(
        layout_pb2.Category(title="losses", chart=[
            _multiline("all", r"loss/(train|eval)"),
            _margin("band", ("loss/train", "loss/lower", "loss/upper"))]),
        layout_pb2.Category(title="metrics", chart=[_multiline("acc", "acc")], closed=True)),
    "gamma": _layout(layout_pb2.Category(title="metrics", chart=[_multiline("everything", ".*")])),
}


def _scalars(step: int, r: int) -> tf.Summary:
    values = {"loss/train": 1.0, "loss/eval": 1.2, "loss/lower": 0.8, "loss/upper": 1.4}
    summary = tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=v * (1 + r) / (step / 6 + 1))
                                for tag, v in values.items()])
    summary.value.add(tag="accuracy", simple_value=(step / 60) ** (1 + r))
    return summary


def _raw_curve() -> tf.Summary:
    """Nothing counts as positive above threshold 0.25: TensorBoard's answer stops there."""
    tp, fp = np.array([5, 3, 0, 0, 0]), np.array([5, 1, 0, 0, 0])
    return tf.summary.pr_curve_raw_data_pb("raw", tp, fp, 5 - fp, 5 - tp, tp / np.maximum(tp + fp, 1), tp / 5,
                                           num_thresholds=5)


def write_engine_logdir(root) -> None:
    """Three runs: PR curves from the graph op (weighted too), from numpy and from raw counts;
    scalars; and three layouts whose categories overlap, so the merge has work to do."""
    rng = np.random.RandomState(7)
    for r, run in enumerate(["alpha", "beta", "gamma"]):
        with tf.Graph().as_default():
            y = tf.placeholder(tf.bool, [None])
            p = tf.placeholder(tf.float32, [None])
            op = tf.summary.pr_curve("pr/class1", y, p, num_thresholds=33, display_name="class one",
                                     description="**one** vs rest")
            half = tf.fill(tf.shape(p), 0.5)
            merged = tf.summary.merge([op, tf.summary.pr_curve("pr/weighted", y, p, 9, weights=half)])
            writer = tf.summary.FileWriter(str(root / run))
            with tf.Session() as sess:
                for step in range(0, 60, 6):
                    labels = rng.rand(100) < 0.3 + 0.1 * r
                    scores = np.clip(labels * (0.1 + step / 300) + rng.rand(100) * 0.75, 0, 1)
                    writer.add_summary(sess.run(merged, {y: labels, p: scores.astype(np.float32)}), step)
                    writer.add_summary(tf.summary.pr_curve_pb("numpy", labels, scores, 5), step)
                    writer.add_summary(_scalars(step, r), step)
            if run == "gamma":
                writer.add_summary(_raw_curve(), 3)
            writer.add_summary(tf.summary.custom_scalar_pb(LAYOUTS[run]))
            writer.close()


def write_writer_logdir(root) -> None:
    """What tests/fixtures/pr_custom/make_tbx_pr_custom.py writes with tensorboardX, written with our
    graph-free SummaryWriter (the same random draws, in the same order)."""
    from engine.summary import SummaryWriter

    rng = np.random.RandomState(21)
    for r, run in enumerate(["a", "b"]):
        with SummaryWriter(str(root / run)) as w:
            for step in range(12):
                base = (1 + r) / (step + 1)
                for tag, factor in [("loss/train", 1), ("loss/eval", 1.2), ("loss/lower", 0.8),
                                    ("loss/upper", 1.3)]:
                    w.add_scalar(tag, base * factor, step)
                w.add_scalar("acc", 1 - base / 2, step)
                labels = rng.randint(0, 2, 80)
                scores = np.clip(labels * (0.2 + step / 30) + rng.rand(80) * 0.7, 0, 1)
                w.add_pr_curve("pr/class1", labels, scores, step)
                w.add_pr_curve("pr/weighted", labels, scores, step, num_thresholds=11, weights=rng.rand(80))
                tp, fp = np.array([8, 5, 0, 0, 0]), np.array([8, 2, 0, 0, 0])
                precision, recall = tp / np.maximum(tp + fp, 1), tp / 8
                w.add_pr_curve_raw("pr/raw", tp, fp, 8 - fp, 8 - tp, precision, recall, step, 5)
            if run == "a":
                w.add_custom_scalars({
                    "losses": {"train and eval": ["Multiline", ["loss/train", "loss/eval"]],
                               "band": ["Margin", ["loss/train", "loss/lower", "loss/upper"]]},
                    "other": {"accuracy": ["Multiline", ["acc"]]}})
            else:
                w.add_custom_scalars_multilinechart(["loss/.*"], category="losses", title="every loss")
                w.add_custom_scalars_marginchart(["loss/eval", "loss/lower", "loss/upper"],
                                                 category="margins", title="eval band")


# tensorboardX's add_pr_curve(_raw) and add_custom_scalars* (tests/fixtures/pr_custom/make_tbx_pr_custom.py)
TBX = Path(__file__).resolve().parents[1] / "fixtures" / "pr_custom" / "logdir_tbx"


@pytest.fixture(scope="module", params=["engine", "writer", "tbx_pr_custom", *sorted(LOGDIRS)])
def pair(request, tmp_path_factory):
    if request.param in ("engine", "writer"):
        logdir = tmp_path_factory.mktemp(request.param)
        (write_engine_logdir if request.param == "engine" else write_writer_logdir)(logdir)
    else:
        logdir = TBX if request.param == "tbx_pr_custom" else LOGDIRS[request.param]
        if not logdir.is_dir():
            pytest.skip(f"{logdir} is not here")
    pytest.importorskip("tensorboard")
    return TensorBoardOracle(logdir), TestClient(create_app(logdir, reload_interval=0))


def test_pr_curve_tags_and_curves_equal_tensorboard(pair):
    tb, client = pair
    index = tb.json("/data/plugin/pr_curves/tags")
    assert ours(client, "/data/plugin/pr_curves/tags") == index
    by_tag: dict[str, list[str]] = {}
    for run, tags in index.items():
        for tag in tags:
            by_tag.setdefault(tag, []).append(run)
            expected = tb.json("/data/plugin/pr_curves/pr_curves", run=run, tag=tag)
            assert ours(client, "/data/plugin/pr_curves/pr_curves", run=run, tag=tag) == expected, (run, tag)
    for tag, runs in by_tag.items():  # several runs in one request
        expected = tb.json("/data/plugin/pr_curves/pr_curves", run=runs, tag=tag)
        assert ours(client, "/data/plugin/pr_curves/pr_curves", run=runs, tag=tag) == expected


def test_custom_scalars_layout_and_scalars_equal_tensorboard(pair):
    tb, client = pair
    layout = tb.json("/data/plugin/custom_scalars/layout")
    assert ours(client, "/data/plugin/custom_scalars/layout") == layout
    patterns = {tag for category in layout.get("category", []) for chart in category["chart"]
                for tag in chart.get("multiline", {}).get("tag", [])}
    patterns |= {s[key] for category in layout.get("category", []) for chart in category["chart"]
                 for s in chart.get("margin", {}).get("series", []) for key in ("value", "lower", "upper")}
    runs = list(tb.json("/data/plugin/scalars/tags"))
    for run in [*runs, "no such run"]:
        for pattern in [*sorted(patterns), "", "(unclosed", "acc", "LOSS"]:
            expected = tb.json("/data/plugin/custom_scalars/scalars", run=run, tag=pattern)
            got = ours(client, "/data/plugin/custom_scalars/scalars", run=run, tag=pattern)
            assert got == expected, (run, pattern)


def test_engine_layouts_merge_as_tensorboard_merges_them(tmp_path):
    write_engine_logdir(tmp_path)
    client = TestClient(create_app(tmp_path, reload_interval=0))
    layout = client.get("/data/plugin/custom_scalars/layout").json()
    losses, metrics = layout["category"]
    assert [c["title"] for c in losses["chart"]] == ["all", "band"]  # beta's new chart, not its copy of "all"
    assert losses["chart"][1]["margin"]["series"] == [{"value": "loss/train", "lower": "loss/lower",
                                                      "upper": "loss/upper"}]
    # "metrics" first came from beta; TensorBoard keeps merging into beta's proto, not into the answer
    assert metrics == {"title": "metrics", "chart": [{"title": "acc", "multiline": {"tag": ["acc"]}}],
                       "closed": True}


def test_raw_curve_stops_at_the_last_threshold_with_positives(tmp_path):
    write_engine_logdir(tmp_path)
    client = TestClient(create_app(tmp_path, reload_interval=0))
    params = {"run": "gamma", "tag": "raw/pr_curves"}
    (step,) = client.get("/data/plugin/pr_curves/pr_curves", params=params).json()["gamma"]
    assert step["thresholds"] == [0.0, 0.25] and step["true_positives"] == [5, 3]
    assert step["precision"] == [0.5, 0.75] and step["step"] == 3


@pytest.mark.parametrize(("params", "status", "text"), [
    ({"tag": "pr/class1/pr_curves"}, 400, "No runs provided"),
    ({"run": "alpha"}, 400, "No tag provided"),
    ({"run": "alpha", "tag": "nope"}, 404, "no pr_curves tag 'nope'"),
    ({"run": ["alpha", "nope"], "tag": "pr/class1/pr_curves"}, 404, "no run named 'nope'"),
    ({"run": "alpha", "tag": "loss/train"}, 404, "no pr_curves tag"),
])
def test_pr_curves_bad_requests_answer_json_errors(tmp_path_factory, params, status, text):
    root = tmp_path_factory.getbasetemp() / "bad_requests"
    if not root.exists():
        root.mkdir()
        write_engine_logdir(root)
    client = TestClient(create_app(root, reload_interval=0))
    response = client.get("/data/plugin/pr_curves/pr_curves", params=params)
    assert response.status_code == status
    assert text in response.json()["error"]


def test_download_data_is_the_scalars_series(tmp_path):
    write_engine_logdir(tmp_path)
    client = TestClient(create_app(tmp_path, reload_interval=0))
    params = {"run": "alpha", "tag": "accuracy"}
    plain = client.get("/data/plugin/scalars/scalars", params=params)
    assert client.get("/data/plugin/custom_scalars/download_data", params=params).json() == plain.json()
    csv = client.get("/data/plugin/custom_scalars/download_data", params={**params, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("Wall time,Step,Value")
    missing = client.get("/data/plugin/custom_scalars/download_data", params={"run": "alpha", "tag": "nope"})
    assert missing.status_code == 404 and "error" in missing.json()


def test_a_pattern_that_would_backtrack_for_hours_answers_at_once(tmp_path):
    write_engine_logdir(tmp_path)
    client = TestClient(create_app(tmp_path, reload_interval=0))
    answer = client.get("/data/plugin/custom_scalars/scalars",
                        params={"run": "alpha", "tag": r"(([a-z_/])+)+\d$"}).json()
    assert answer == {"regex_valid": True, "tag_to_events": {}}


def test_tensorboardx_layouts_and_raw_curves(make_client):
    client = make_client(TBX)
    layout = client.get("/data/plugin/custom_scalars/layout").json()
    assert [c["title"] for c in layout["category"]] == ["losses", "other", "margins"]
    losses = layout["category"][0]["chart"]
    # b's layouts were two events: the last (the margin chart alone) counts, so "every loss" is gone
    assert [c["title"] for c in losses] == ["train and eval", "band"]
    assert losses[1]["margin"]["series"] == [
        {"value": "loss/train", "lower": "loss/lower", "upper": "loss/upper"}]
    raw = client.get("/data/plugin/pr_curves/pr_curves", params={"run": "b", "tag": "pr/raw"}).json()["b"]
    assert [e["step"] for e in raw] == list(range(12)) and raw[0]["true_positives"] == [8, 5]


def test_graph_free_writer_writes_what_tensorboardx_writes(tmp_path):
    """Same draws, same PR curve tensors (float32, bit for bit) and layouts as the tbX fixture."""
    from board.data import custom_scalars, pr_curves
    from board.data.summaries import read_values

    write_writer_logdir(tmp_path)
    ours, theirs = (create_app(root, reload_interval=0).state.provider for root in (tmp_path, TBX))
    for plugin in (pr_curves.PLUGIN_NAME, custom_scalars.PLUGIN_NAME):
        assert {run: list(tags) for run, tags in ours.summary_tags(plugin).items()} == {
            run: list(tags) for run, tags in theirs.summary_tags(plugin).items()}
        for run, tags in theirs.summary_tags(plugin).items():
            for tag, info in tags.items():
                values = [read_values(p.summary_entries(run, tag, plugin)[1], tag) for p in (ours, theirs)]
                assert ours.summary_tags(plugin)[run][tag].plugin_content == info.plugin_content
                for mine, tbx in zip(*values, strict=True):
                    if plugin == pr_curves.PLUGIN_NAME:
                        np.testing.assert_array_equal(pr_curves.curve(mine), pr_curves.curve(tbx))
                    else:
                        assert custom_scalars.parse(mine) == custom_scalars.parse(tbx)
