"""The graph dashboard's server side: the name-scope hierarchy (board/graph_hierarchy.py) and its routes.

Graphs come from the real event files in shared/fixtures/real (TF 2.21 in TF1 mode, PyTorch) and from
small GraphDefs built here with our own protobufs.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from fastapi.testclient import TestClient

from board import create_app
from board.graph_hierarchy import (
    EDGE_CONTROL,
    FLAG_AUX,
    FLAG_CONST,
    FLAG_DANGLING,
    FLAG_OWN_SCOPE,
    KIND_OP,
    KIND_SCOPE,
    KIND_SERIES,
    HierarchyCache,
    build_hierarchy,
    format_attr,
    parse_input,
)
from engine.io.tfrecord import read_records
from engine.proto import event_pb2, graph_pb2

from ..conftest import REAL_FIXTURES


def fixture_graph(folder: str) -> graph_pb2.GraphDef:
    """The `graph_def` event of the (only) event file in a fixture folder."""
    (path,) = (REAL_FIXTURES / folder).glob("events.out.tfevents.*")
    for record in read_records(path):
        event = event_pb2.Event.FromString(record)
        if event.WhichOneof("what") == "graph_def":
            return graph_pb2.GraphDef.FromString(event.graph_def)
    raise AssertionError(f"no graph_def in {path}")


def graph_of(*nodes: tuple) -> graph_pb2.GraphDef:
    """GraphDef from (name, op, [inputs]) tuples."""
    graph = graph_pb2.GraphDef()
    for name, op, *inputs in nodes:
        graph.node.add(name=name, op=op, input=inputs[0] if inputs else [])
    return graph


def node_id(h, name: str, kind: int | None = None) -> int:
    ids = [i for i, n in enumerate(h.names) if n == name and (kind is None or h.kinds[i] == kind)]
    assert len(ids) == 1, (name, ids)
    return ids[0]


def child_labels(h, group: int) -> list[str]:
    return [h.labels[i] for i in range(len(h.names)) if h.parents[i] == group]


def edge_names(h, group: int) -> set[tuple[str, str]]:
    return {(h.names[a], h.names[b]) for a, b, *_ in h.edges_of(group)}


@pytest.fixture(scope="module")
def const_graph():
    return build_hierarchy(fixture_graph("tf1_graph_const/named"))


@pytest.fixture(scope="module")
def dense_relu():
    return build_hierarchy(fixture_graph("tf1_graph_v1_behavior/logs"))


@pytest.fixture(scope="module")
def mlp():
    return build_hierarchy(fixture_graph("tf1_mlp/logs"))


@pytest.fixture(scope="module")
def torch_graph():
    return build_hierarchy(fixture_graph("torch_tb/logdir"))


def test_parse_input_forms():
    assert parse_input("a/b") == ("a/b", 0, False)
    assert parse_input("a/b:2") == ("a/b", 2, False)
    assert parse_input("^init") == ("init", -1, True)
    assert parse_input("Sequential/Linear[0]/input.3") == ("Sequential/Linear[0]/input.3", 0, False)


def test_lecture_constants_flow_into_my_add(const_graph):
    h = const_graph
    assert child_labels(h, 0) == ["MyConst1", "MyConst2", "MyAdd"]
    assert edge_names(h, 0) == {("MyConst1", "MyAdd"), ("MyConst2", "MyAdd")}
    # The FileWriter's copy carries _output_shapes: single edges are labelled with the tensor shape.
    assert {label for *_, label in h.edges_of(0)} == {"scalar"}
    assert h.flags[node_id(h, "MyConst1")] & FLAG_CONST
    assert h.ops[node_id(h, "MyAdd")] == "AddV2"


def test_node_info_of_my_add(const_graph):
    info = const_graph.node_info("MyAdd")
    assert info["op"] == "AddV2"
    assert [i["name"] for i in info["inputs"]] == ["MyConst1", "MyConst2"]
    assert all(i["shape"] == "scalar" and not i["missing"] for i in info["inputs"])
    assert info["attrs"] == {"T": "float"}
    const = const_graph.node_info("MyConst1")
    assert const["attrs"]["value"] == "float [] = 3.0"
    assert const["outputs"] == [{"name": "MyAdd", "output": 0, "control": False, "shape": "scalar"}]
    assert const_graph.node_info("Nope") is None


def test_dense_relu_scopes_hold_their_ops(dense_relu):
    h = dense_relu
    top = child_labels(h, 0)
    assert {"layer1", "layer2", "x", "y", "gradients", "GradientDescent", "init"} <= set(top)
    layer1 = node_id(h, "layer1", KIND_SCOPE)
    assert child_labels(h, layer1) == ["weight", "bias", "MatMul", "add", "Relu"]
    assert edge_names(h, layer1) == {("layer1/weight", "layer1/MatMul"), ("layer1/MatMul", "layer1/add"),
                                     ("layer1/bias", "layer1/add"), ("layer1/add", "layer1/Relu")}
    # x enters layer1 at MatMul: a bridge into layer1, and x -> layer1 -> layer2 at the top level.
    matmul = node_id(h, "layer1/MatMul")
    assert any(child == matmul and direction == 0 for child, direction, *_ in h.bridges_of(layer1))
    assert {("x", "layer1"), ("layer1", "layer2")} <= edge_names(h, 0)


def test_op_named_like_its_scope_is_drawn_inside_it(dense_relu):
    h = dense_relu
    scope = node_id(h, "layer1/weight", KIND_SCOPE)
    variable = node_id(h, "layer1/weight", KIND_OP)
    assert h.parents[variable] == scope
    assert h.flags[variable] & FLAG_OWN_SCOPE
    assert h.ops[variable] == "VariableV2"
    assert child_labels(h, scope) == ["Initializer", "weight", "Assign", "read"]
    assert ("layer1/weight", "layer1/weight/Assign") in edge_names(h, scope)


def test_subtrees_are_contiguous_id_ranges(mlp):
    h = mlp
    for i in range(1, len(h.names)):
        p = h.parents[i]
        assert p < i < h.ends[i] <= h.ends[p]
    assert h.counts[0] == h.op_count == 375
    assert sum(1 for k in h.kinds if k == KIND_OP) == 375


def test_names_are_rebuilt_from_labels_as_the_page_does(mlp, dense_relu):
    """The JSON sends labels only; static/js/graph/model.js rebuilds names this way."""
    for h in (mlp, dense_relu):
        data = json.loads(h.to_json())
        nodes = data["nodes"]
        names, prefix = [""], [""]
        for i in range(1, len(nodes["label"])):
            p = nodes["parent"][i]
            if nodes["kind"][i] == KIND_OP and nodes["flags"][i] & FLAG_OWN_SCOPE:
                name = names[p]
            else:
                name = f"{prefix[p]}/{nodes['label'][i]}" if prefix[p] else nodes["label"][i]
            names.append(name)
            prefix.append(prefix[p] if nodes["kind"][i] == KIND_SERIES else name)
        assert names == h.names


def test_json_columns_and_edge_rows(const_graph):
    data = json.loads(const_graph.to_json())
    assert data["stats"] == {"ops": 3, "nodes": 4, "edges": 2, "dangling": 0}
    assert data["opTypes"] == ["AddV2", "Const"]
    assert data["nodes"]["op"] == [-1, 1, 1, 0]
    rows = [data["edges"][i:i + 6] for i in range(0, len(data["edges"]), 6)]
    assert sorted(rows) == [[0, 1, 3, 1, 0, 1], [0, 2, 3, 1, 0, 1]]
    assert data["edgeLabels"][1] == "scalar"
    assert data["baseEdges"] == [1, 3, 0, 2, 3, 0]


def test_numbered_ops_of_one_type_fold_into_a_series():
    nodes = [("x", "Placeholder")] + [(f"add_{i}" if i else "add", "AddV2", ["x"]) for i in range(7)]
    nodes += [("mul_1", "Mul", ["x"]), ("mul_2", "Mul", ["x"])]  # too few to fold
    h = build_hierarchy(graph_of(*nodes))
    assert child_labels(h, 0) == ["x", "add_[0-6]", "mul_1", "mul_2"]
    series = node_id(h, "add_[0-6]")
    assert h.kinds[series] == KIND_SERIES and h.ops[series] == "AddV2"
    assert child_labels(h, series) == ["add", "add_1", "add_2", "add_3", "add_4", "add_5", "add_6"]
    assert h.names[series + 1:series + 3] == ["add", "add_1"]
    assert ("x", "add_[0-6]") in edge_names(h, 0)
    assert [c for *_, c in h.edges_of(0) if c] and dict(
        ((h.names[a], h.names[b]), count) for a, b, count, *_ in h.edges_of(0))[("x", "add_[0-6]")] == 7


def test_edges_between_scopes_are_aggregated_with_counts():
    h = build_hierarchy(graph_of(
        ("a/p", "Const"), ("a/q", "Const"), ("b/s", "AddV2", ["a/p", "a/q"]), ("b/t", "Neg", ["a/p"]),
        ("c", "NoOp", ["^b/t"]),
    ))
    edges = {(h.names[a], h.names[b]): (count, flags, label) for a, b, count, flags, label in h.edges_of(0)}
    assert edges[("a", "b")] == (3, 0, "3 tensors")
    assert edges[("b", "c")] == (1, EDGE_CONTROL, "")
    b = node_id(h, "b")
    bridges = {(h.names[c], d): (n, f) for c, d, n, f in h.bridges_of(b)}
    assert bridges == {("b/s", 0): (2, 0), ("b/t", 0): (1, 0), ("b/t", 1): (1, EDGE_CONTROL)}


def test_high_degree_nodes_go_to_the_auxiliary_area(mlp):
    h = mlp
    aux = {h.labels[i] for i in range(len(h.names)) if h.parents[i] == 0 and h.flags[i] & FLAG_AUX}
    assert {"init", "save"} <= aux
    assert not aux & {"layer1", "layer2", "output", "gradients", "x", "y"}


def test_same_structure_shares_a_template(dense_relu, mlp):
    for h in (dense_relu, mlp):
        layer1, layer2 = node_id(h, "layer1", KIND_SCOPE), node_id(h, "layer2", KIND_SCOPE)
        assert h.templates[layer1] == h.templates[layer2] >= 0
    assert dense_relu.templates[node_id(dense_relu, "gradients")] == -1


def test_pytorch_dangling_inputs_are_tolerated(torch_graph):
    h = torch_graph
    assert h.op_count == 9
    assert json.loads(h.to_json())["stats"]["dangling"] == 4
    getattr_id = node_id(h, "Sequential/Linear[0]/weight/weight.1")
    assert h.flags[getattr_id] & FLAG_DANGLING
    info = h.node_info("Sequential/Linear[0]/weight/weight.1")
    assert info["inputs"] == [{"name": "Sequential/Linear[0]/weight/_0", "output": 0, "control": False,
                               "shape": "", "missing": True}]
    linear = h.node_info("Sequential/Linear[0]/input.3")
    assert linear["op"] == "aten::linear" and linear["outputShapes"] == ["2×8"]
    assert child_labels(h, 0) == ["input", "output", "Sequential"]


def test_format_attr_summarises_tensors_and_shapes(dense_relu):
    info = dense_relu.node_info("layer1/weight/Initializer/random_uniform/shape")
    assert info["attrs"]["value"] == "int32 [2] = [3, 4]"
    assert info["attrs"]["_class"] == "[loc:@layer1/weight]"
    assert dense_relu.node_info("x")["attrs"]["shape"] == "[?, 3]"
    graph = graph_pb2.GraphDef()
    node = graph.node.add(name="c", op="Const")
    tensor = node.attr["value"].tensor
    tensor.dtype = 1
    tensor.tensor_shape.dim.add(size=20)
    tensor.float_val.extend(float(i) for i in range(20))
    assert format_attr(node.attr["value"]).endswith("8.0, 9.0, …]")


def test_empty_graph_builds():
    h = build_hierarchy(graph_pb2.GraphDef())
    assert json.loads(h.to_json())["stats"] == {"ops": 0, "nodes": 1, "edges": 0, "dangling": 0}


def test_cache_builds_once_per_graph_bytes():
    cache = HierarchyCache()
    loads = []

    def loader(*nodes):
        def load():
            loads.append(nodes)
            return graph_of(*nodes)
        return load

    first = cache.get("run", "graph_def", loader(("a", "Const")), stamp=1.0)
    # Same stamp: the graph is not even loaded again.
    assert cache.get("run", "graph_def", loader(("b", "Const")), stamp=1.0) is first
    assert len(loads) == 1
    # New stamp, same bytes: loaded and compared, not rebuilt.
    assert cache.get("run", "graph_def", loader(("a", "Const")), stamp=2.0) is first
    changed = cache.get("run", "graph_def", loader(("a", "Const"), ("b", "Neg", ["a"])), stamp=3.0)
    assert changed is not first and changed.op_count == 2
    assert cache.get("other", "graph_def", loader(("a", "Const"))) is not first


def test_cache_keeps_the_most_recently_used_graphs():
    cache = HierarchyCache(max_entries=2)
    a = cache.get("a", "graph_def", lambda: graph_of(("x", "Const")), stamp=1)
    cache.get("b", "graph_def", lambda: graph_of(("y", "Const")), stamp=1)
    assert cache.get("a", "graph_def", lambda: graph_of(("z", "Const")), stamp=1) is a  # a is now newest
    cache.get("c", "graph_def", lambda: graph_of(("w", "Const")), stamp=1)  # evicts b
    assert cache.get("a", "graph_def", lambda: graph_of(("z", "Const")), stamp=1) is a
    rebuilt = cache.get("b", "graph_def", lambda: graph_of(("v", "Const")), stamp=1)
    assert rebuilt.names == ["", "v"]


# ---- routes -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("graphs")
    for run, folder in [("const", "tf1_graph_const/named"), ("dense", "tf1_graph_v1_behavior/logs"),
                        ("torch", "torch_tb/logdir")]:
        shutil.copytree(REAL_FIXTURES / folder, logdir / run)
    with TestClient(create_app(str(logdir), reload_interval=0)) as client:
        assert client.app.state.provider.wait_loaded(30)
        yield client


def test_graph_runs_route_lists_kinds(client):
    runs = {r["run"]: r["kinds"] for r in client.get("/data/graph/runs").json()["runs"]}
    assert runs["const"] == [{"kind": "graph_def", "label": "op graph"},
                             {"kind": "meta_graph_def", "label": "meta graph"}]
    assert {"kind": "run_metadata/step1", "label": "run metadata: step1"} in runs["torch"]


def test_hierarchy_route_returns_the_json(client):
    response = client.get("/data/graph/hierarchy", params={"run": "dense", "kind": "graph_def"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert re.fullmatch(r"hierarchy;dur=\d+\.\d", response.headers["server-timing"])
    data = response.json()
    assert data["stats"]["ops"] == 153
    assert "layer1" in data["nodes"]["label"]
    # kind defaults to the run's first graph
    assert client.get("/data/graph/hierarchy", params={"run": "dense"}).content == response.content


def test_pytorch_run_metadata_without_graph_draws_the_run_graph(client):
    # PyTorch's step1 RunMetadata holds no graph: its step stats go over the run's graph, as in TB.
    response = client.get("/data/graph/hierarchy", params={"run": "torch", "kind": "run_metadata/step1"})
    assert response.status_code == 200
    run_graph = client.get("/data/graph/hierarchy", params={"run": "torch", "kind": "graph_def"}).json()
    assert response.json()["stats"] == run_graph["stats"] and run_graph["stats"]["ops"] == 9
    stats = client.get("/data/graph/step_stats", params={"run": "torch", "kind": "run_metadata/step1"})
    assert stats.status_code == 200 and stats.json()["nodes"] == {}


def test_step_stats_route_errors(client):
    no_stats = client.get("/data/graph/step_stats", params={"run": "torch", "kind": "graph_def"})
    assert no_stats.status_code == 404 and "no step stats" in no_stats.json()["error"]
    missing = client.get("/data/graph/step_stats", params={"run": "torch"})
    assert missing.status_code == 400 and "kind" in missing.json()["error"]
    unknown = client.get("/data/graph/step_stats", params={"run": "torch", "kind": "run_metadata/nope"})
    assert unknown.status_code == 404


def test_node_route(client):
    info = client.get("/data/graph/node", params={"run": "const", "name": "MyAdd"}).json()
    assert info["op"] == "AddV2"
    assert [i["name"] for i in info["inputs"]] == ["MyConst1", "MyConst2"]


@pytest.mark.parametrize(
    ("path", "params", "status", "needle"),
    [
        ("/data/graph/hierarchy", {}, 400, "'run'"),
        ("/data/graph/hierarchy", {"run": "nope"}, 404, "'nope'"),
        ("/data/graph/hierarchy", {"run": "const", "kind": "bogus"}, 404, "'bogus'"),
        ("/data/graph/node", {"run": "const"}, 400, "'name'"),
        ("/data/graph/node", {"run": "const", "name": "Missing"}, 404, "'Missing'"),
        ("/data/graph/hierarchy", {"run": "../../etc"}, 404, "../../etc"),
    ],
)
def test_graph_route_errors(client, path, params, status, needle):
    response = client.get(path, params=params)
    assert response.status_code == status
    assert needle in response.json()["error"]


def test_graphs_page_template_and_context(client):
    response = client.get("/graphs?run=dense")
    assert response.status_code == 200
    assert response.template.name == "graphs.html"
    assert response.context["page"] == "graphs"
    assert response.context["static_url"] == "/static"
    initial = response.context["initial"]
    # the answers of the page's first requests, and the graph it draws first (preloaded by <head>)
    assert initial["runs"] == client.get("/data/graph/runs").json()["runs"]
    assert initial["status"]["passes"] == 1 and not initial["status"]["loading"]
    first = initial["first"]
    assert (first["run"], first["kind"]) == ("dense", "graph_def")
    assert client.get(first["url"]).json() == client.get("/data/graph/hierarchy?run=dense").json()
    href = first["url"].replace("&", "&amp;")
    assert f'<link rel="preload" as="fetch" crossorigin="anonymous" href="{href}">' in response.text
    # and the layouts pages remembered for it (board/graph_layouts.py), preloaded likewise
    assert client.get(first["layouts"]).json() == {"layouts": []}
    href = first["layouts"].replace("&", "&amp;")
    assert f'<link rel="preload" as="fetch" crossorigin="anonymous" href="{href}">' in response.text
    other = client.get("/graphs?run=torch&kind=run_metadata/step1").context["initial"]["first"]
    assert (other["run"], other["kind"]) == ("torch", "run_metadata/step1")
    fallback = client.get("/graphs?run=nope&kind=bogus").context["initial"]["first"]
    assert fallback["run"] in {"const", "dense", "torch"} and fallback["kind"] == "graph_def"


@pytest.mark.parametrize("folder", ["tf1_graph_const/named", "tf1_graph_v1_behavior/logs", "tf1_mlp/logs",
                                    "torch_tb/logdir"])
def test_every_node_of_the_fixtures_has_info(folder):
    graph = fixture_graph(folder)
    h = build_hierarchy(graph)
    for node in graph.node:
        info = h.node_info(node.name)
        assert info["name"] == node.name and json.dumps(info)
