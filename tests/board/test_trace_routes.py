"""The Trace view's routes (board/routes/trace.py): a step's lanes and bars against TF's own Timeline
of the same RunMetadata (tests/fixtures/run_metadata: full_trace.pb and timeline.json written by real
TF 2.21), the bars of a step the engine traced, and two steps compared."""

import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf
from board import step_stats
from engine.proto import config_pb2
from engine.summary import FileWriter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "run_metadata"


def _traced_runs(logdir: Path, widths=(("small", 8), ("wide", 64))) -> dict[str, dict[str, object]]:
    """Runs of an MLP training step traced with FULL_TRACE (tags step0, step1); their RunMetadata."""
    recorded: dict[str, dict[str, object]] = {}
    for run, hidden in widths:
        graph = tf.Graph()
        with graph.as_default():
            x = tf.placeholder(tf.float32, [None, 4], name="x")
            with tf.variable_scope("layer1"):
                w = tf.get_variable("w", [4, hidden])
                h = tf.nn.relu(tf.matmul(x, w))
            with tf.variable_scope("layer2"):
                y = tf.matmul(h, tf.get_variable("w", [hidden, 1]))
            loss = tf.reduce_mean(tf.square(y), name="loss")
            train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
            init = tf.global_variables_initializer()
        recorded[run] = {}
        with tf.Session(graph=graph) as sess, FileWriter(str(logdir / run), graph) as writer:
            sess.run(init)
            for step in range(2):
                metadata = tf.RunMetadata()
                sess.run(train, {x: np.ones((32, 4), np.float32)}, run_metadata=metadata,
                         options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE))
                writer.add_run_metadata(metadata, f"step{step}", global_step=step)
                recorded[run][f"step{step}"] = metadata
    return recorded


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("traced")
    return logdir, _traced_runs(logdir)


def test_timeline_is_tf_timelines_ops(make_client, tmp_path):
    """Each bar is one of the `Op` events TF's timeline.Timeline makes of the same step stats:
    name, op, start, duration and row ("thread") alike."""
    metadata = config_pb2.RunMetadata.FromString((FIXTURES / "full_trace.pb").read_bytes())
    with FileWriter(str(tmp_path)) as writer:
        writer.add_run_metadata(metadata, "step0")
    answer = make_client(tmp_path).get("/data/trace/timeline", params={"run": ".", "tag": "step0"})
    assert answer.status_code == 200
    data = answer.json()
    ev = data["events"]
    ours = sorted((ev["name"][i], ev["op"][i], data["origin_us"] + ev["start_us"][i], ev["duration_us"][i],
                   data["lanes"][ev["lane"][i]]["row"]) for i in range(len(ev["lane"])))
    chrome = json.loads((FIXTURES / "timeline.json").read_text())["traceEvents"]
    theirs = sorted((e["args"]["name"], e["args"]["op"], e["ts"], e["dur"], e["tid"])
                    for e in chrome if e["ph"] == "X" and e["cat"] == "Op")
    assert ours == theirs
    assert [lane["device"] for lane in data["lanes"]] == [metadata.step_stats.dev_stats[0].device] * 2
    assert data["truncated"] is False and min(ev["start_us"]) == 0


def test_engine_step_has_a_bar_per_executed_node(make_client, traced):
    logdir, recorded = traced
    client = make_client(logdir)
    assert client.get("/data/trace/runs").json() == {"runs": [{"run": "small", "tags": ["step0", "step1"]},
                                                              {"run": "wide", "tags": ["step0", "step1"]}]}
    data = client.get("/data/trace/timeline", params={"run": "small", "tag": "step1"}).json()
    stats = recorded["small"]["step1"].step_stats.dev_stats[0].node_stats
    ev = data["events"]
    assert ev["name"] == [ns.node_name for ns in stats]
    update = "GradientDescent/update_layer1/w/ApplyGradientDescent"
    assert {"layer1/MatMul", "layer2/MatMul", "Square", update} <= set(ev["name"])
    assert {lane["device"] for lane in data["lanes"]} == {"/job:localhost/replica:0/task:0/device:CPU:0"}
    for lane in range(len(data["lanes"])):  # bars of one lane never overlap
        columns = zip(ev["start_us"], ev["duration_us"], ev["lane"], strict=True)
        bars = sorted((start, start + duration) for start, duration, at in columns if at == lane)
        assert all(end < start for (_, end), (start, _) in zip(bars, bars[1:], strict=False))
    assert all(start >= 0 for start in ev["start_us"]) and all(d >= 0 for d in ev["duration_us"])
    matmul = ev["name"].index("layer1/MatMul")
    assert ev["op"][matmul] == "MatMul"
    assert ev["output_bytes"][matmul] == 32 * 8 * 4  # a 32x8 float32 output
    assert ev["op_start_us"][matmul] <= ev["op_end_us"][matmul] <= ev["duration_us"][matmul] + 1


def test_compare_sums_per_op_and_scope(make_client, traced):
    logdir, recorded = traced
    client = make_client(logdir)
    params = {"run": "small", "tag": "step1", "run2": "wide", "tag2": "step1", "sort": "memory_diff"}
    answer = client.get("/data/trace/compare", params=params).json()
    assert answer["a"] == {"run": "small", "tag": "step1"} and answer["b"] == {"run": "wide", "tag": "step1"}
    rows = {row["key"]: row for row in answer["rows"]}
    a = recorded["small"]["step1"].step_stats.dev_stats[0].node_stats
    b = recorded["wide"]["step1"].step_stats.dev_stats[0].node_stats
    matmul_a = [ns for ns in a if step_stats.op_of(ns) == "MatMul"]
    assert rows["MatMul"]["count_a"] == len(matmul_a)
    assert rows["MatMul"]["time_a"] == sum(ns.all_end_rel_micros for ns in matmul_a)
    assert rows["MatMul"]["memory_b"] - rows["MatMul"]["memory_a"] == rows["MatMul"]["memory_diff"] > 0
    diffs = [abs(row["memory_diff"]) for row in answer["rows"]]
    assert diffs == sorted(diffs, reverse=True)
    assert answer["totals"]["time_a"] == sum(ns.all_end_rel_micros for ns in a)
    assert answer["totals"]["time_b"] == sum(ns.all_end_rel_micros for ns in b)

    scopes = client.get("/data/trace/compare", params={**params, "group": "scope", "sort": "key",
                                                        "order": "asc"}).json()
    keys = [row["key"] for row in scopes["rows"]]
    assert keys == sorted(keys) and {"layer1", "layer2", "gradients", "(root)"} <= set(keys)
    deeper = client.get("/data/trace/compare", params={**params, "group": "scope", "depth": 2}).json()
    assert "gradients/layer1" in {row["key"] for row in deeper["rows"]}
    cut = client.get("/data/trace/compare", params={**params, "limit": 2}).json()
    assert len(cut["rows"]) == 2 and cut["total_rows"] == answer["total_rows"] > 2


def test_trace_errors_are_json(make_client, traced):
    client = make_client(traced[0])
    base = {"run": "small", "tag": "step0"}
    for path, params, status, word in [
        ("/data/trace/timeline", {"run": "small"}, 400, "tag"),
        ("/data/trace/timeline", {"run": "nope", "tag": "step0"}, 404, "nope"),
        ("/data/trace/timeline", {"run": "small", "tag": "step9"}, 404, "step9"),
        ("/data/trace/compare", {**base, "tag2": "step9"}, 404, "step9"),
        ("/data/trace/compare", {**base, "tag2": "step1", "sort": "size"}, 400, "sort"),
        ("/data/trace/compare", {**base, "tag2": "step1", "limit": 5000}, 400, "limit"),
        ("/data/trace/compare", {**base, "tag2": "step1", "group": "device"}, 400, "group"),
    ]:
        answer = client.get(path, params=params)
        assert answer.status_code == status, (path, params)
        assert word in answer.json()["error"]


def test_trace_page_is_served(make_client, traced):
    answer = make_client(traced[0]).get("/trace", params={"run": "small", "tag": "step0"})
    assert answer.status_code == 200
    assert answer.template.name == "trace.html" and answer.context["page"] == "trace"
    assert "/static/bundle/trace/main.js" in answer.text


def test_timeline_work_is_bounded(monkeypatch):
    """Past MAX_ROWS rows a device's bars share the row free soonest; past MAX_TRACE_EVENTS bars the
    answer is cut and says so."""
    metadata = config_pb2.RunMetadata()
    device = metadata.step_stats.dev_stats.add(device="/device:CPU:0")
    for i in range(10):  # all overlapping: each wants a row of its own
        device.node_stats.add(node_name=f"op{i}", all_start_micros=1000 + i, all_end_rel_micros=100)
    monkeypatch.setattr(step_stats, "MAX_ROWS", 3)
    data = step_stats.timeline(metadata)
    assert len(data["lanes"]) == 3 and data["events"]["lane"][:4] == [0, 1, 2, 0]
    monkeypatch.setattr(step_stats, "MAX_TRACE_EVENTS", 5)
    cut = step_stats.timeline(metadata)
    assert cut["truncated"] is True and len(cut["events"]["name"]) == 5


@pytest.mark.parametrize(("label", "op"), [
    ("dense/MatMul = MatMul(x, dense/w/read)", "MatMul"),
    ("a = Op(x = y)", "Op"),  # TF's regex backtracks to the first " = " here
    ("_SOURCE = NoOp()", "NoOp"),
    ("", "node"),  # PyTorch writes no label: the node name
    ("x" * 100_000 + " = " * 1_000, "node"),  # no match, found in linear time
])
def test_op_read_from_the_timeline_label_as_tf_does(label, op):
    from engine.proto import step_stats_pb2

    assert step_stats.op_of(step_stats_pb2.NodeExecStats(node_name="node", timeline_label=label)) == op
