"""Every run, tag and point of the real tools' logdirs equals their expected CSVs, exactly."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from tests.board.conftest import series


def _expected(path, run_column: str | None, run_default: str = "."):
    out = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            run = row[run_column] if run_column else run_default
            tag = row.get("tag", "loss")
            value = float(row["value"] if "value" in row else row["loss"])
            out[(run, tag)].append((int(row["step"]), value))
    return out


CASES = {
    "tf1_mlp": ("tf1_mlp/logs", "tf1_mlp/loss.csv", None),
    "tf2_summaries": ("tf2_summaries/logdir", "tf2_summaries/expected_scalars.csv", "run"),
    "tensorboardx": ("tensorboardx/logdir", "tensorboardx/expected_scalars.csv", "folder"),
    "torch_tb": ("torch_tb/logdir", "torch_tb/expected_scalars.csv", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_point_equals_expected_csv(case, real_fixtures, make_client):
    logdir, expected_csv, run_column = CASES[case]
    expected = _expected(real_fixtures / expected_csv, run_column)
    client = make_client(real_fixtures / logdir)
    tags = client.get("/data/plugin/scalars/tags").json()
    got_pairs = {(run, tag) for run, run_tags in tags.items() for tag in run_tags}
    assert got_pairs == set(expected)
    assert set(client.get("/data/runs").json()) >= {run for run, _ in expected}
    for (run, tag), points in expected.items():
        rows = series(client, run, tag)
        assert [(step, value) for _, step, value in rows] == points, (run, tag)
        assert all(isinstance(step, int) for _, step, _ in rows)
        assert all(wall > 1.7e9 for wall, _, _ in rows)


@pytest.mark.parametrize("case", sorted(CASES))
def test_csv_format_has_every_point(case, real_fixtures, make_client):
    logdir, expected_csv, run_column = CASES[case]
    expected = _expected(real_fixtures / expected_csv, run_column)
    client = make_client(real_fixtures / logdir)
    for (run, tag), points in expected.items():
        response = client.get("/data/plugin/scalars/scalars",
                              params={"run": run, "tag": tag, "format": "csv"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        lines = list(csv.reader(response.text.splitlines()))
        assert lines[0] == ["Wall time", "Step", "Value"]
        assert [(int(s), float(v)) for _, s, v in lines[1:]] == points


def test_tf1_mlp_graph_has_the_training_graph(real_fixtures, make_client):
    client = make_client(real_fixtures / "tf1_mlp/logs")
    info = client.get("/data/plugin/graphs/info").json()
    assert info == {".": {"run": ".", "tags": {}, "run_graph": True}}
    text = client.get("/data/plugin/graphs/graph", params={"run": "."}).text
    from google.protobuf import text_format

    from engine.proto import graph_pb2

    graph = text_format.Parse(text, graph_pb2.GraphDef())
    names = {node.name for node in graph.node}
    assert len(graph.node) == 375
    assert {"x", "y", "layer1/weight", "layer2/bias", "output/weight"} <= names
    assert any(name.startswith("gradients/") for name in names)
    assert any(name.startswith("Adam/") for name in names)


@pytest.mark.parametrize("folder, nodes", [
    ("tf1_graph_const/named", ["MyConst1", "MyConst2", "MyAdd"]),
    ("tf1_graph_const/unnamed", ["Const", "Const_1", "add"]),
])
def test_constant_graphs(folder, nodes, real_fixtures, make_client):
    from google.protobuf import text_format

    from engine.proto import graph_pb2

    client = make_client(real_fixtures / folder)
    graph = text_format.Parse(client.get("/data/plugin/graphs/graph?run=.").text, graph_pb2.GraphDef())
    assert [n.name for n in graph.node] == nodes
    assert graph.node[2].op == "AddV2"
    assert list(graph.node[2].input) == nodes[:2]


def test_v1_behavior_graph_has_reference_variables(real_fixtures, make_client):
    client = make_client(real_fixtures / "tf1_graph_v1_behavior/logs")
    graph = client.app.state.provider.graph(".", "graph_def")
    ops = [n.op for n in graph.node]
    assert ops.count("VariableV2") == 4 and ops.count("ApplyGradientDescent") == 4


def test_torch_graph_with_dangling_inputs(real_fixtures, make_client):
    client = make_client(real_fixtures / "torch_tb/logdir")
    info = client.get("/data/plugin/graphs/info").json()
    assert info["."]["run_graph"] is True
    assert info["."]["tags"] == {"step1": {"tag": "step1", "conceptual_graph": False,
                                           "op_graph": False, "profile": True}}
    provider = client.app.state.provider
    graph = provider.graph(".", "graph_def")
    names = [n.name for n in graph.node]
    assert names[:2] == ["input/input.1", "output/output.1"]
    assert "Sequential/Linear[0]/input.3" in names and "Sequential/Linear[2]/42" in names
    dangling = {i for n in graph.node for i in n.input} - set(names)
    assert "Sequential/Linear[0]/weight/_0" in dangling  # tolerated, passed through
    text = client.get("/data/plugin/graphs/graph", params={"run": "."}).text
    assert 'name: "Sequential/ReLU[1]/input"' in text
    kinds = provider.graph_kinds()["."]
    assert [k.kind for k in kinds] == ["graph_def", "run_metadata/step1"]
    # the RunMetadata graph of `step1` holds no graph (only step stats): an empty GraphDef
    assert len(provider.graph(".", "run_metadata/step1").node) == 0
    metadata = client.get("/data/plugin/graphs/run_metadata", params={"run": ".", "tag": "step1"})
    assert metadata.status_code == 200 and "step_stats" in metadata.text


def test_meta_graph_kind(real_fixtures, make_client):
    client = make_client(real_fixtures / "tf1_graph_const/named")
    provider = client.app.state.provider
    assert [k.kind for k in provider.graph_kinds()["."]] == ["graph_def", "meta_graph_def"]
    meta = provider.graph(".", "meta_graph_def")
    assert [n.name for n in meta.node] == ["MyConst1", "MyConst2", "MyAdd"]


def test_plugins_listing_counts_other_kinds(real_fixtures, make_client):
    client = make_client(real_fixtures / "tf2_summaries/logdir")
    listing = client.get("/data/plugins_listing").json()
    assert listing["scalars"]["enabled"] and listing["scalars"]["count"] == 4
    assert listing["histograms"]["count"] == 2
    assert listing["images"]["count"] == 2
    assert listing["text"]["count"] == 2
    assert listing["graphs"]["enabled"] is False
    histograms = client.get("/data/plugin/histograms/histograms",
                            params={"run": "run_a", "tag": "weights"}).json()
    assert [step for _, step, _ in histograms] == list(range(0, 100, 10))
    assert len(histograms[0][2]) == 30
    assert sum(count for _, _, count in histograms[0][2]) == 500


def test_tensorboardx_histograms_and_text(real_fixtures, make_client):
    client = make_client(real_fixtures / "tensorboardx/logdir")
    provider = client.app.state.provider
    tags = provider.plugin_tags()
    assert tags["text"]["run_a"] == ["notes/text_summary"]
    assert tags["images"]["run_a"] == ["sample"]
    histograms = client.get("/data/plugin/histograms/histograms",
                            params={"run": "run_a", "tag": "weights"}).json()
    assert [step for _, step, _ in histograms] == [0, 20, 40, 60, 80]
    assert sum(count for _, _, count in histograms[0][2]) == 200
