"""TF2 function graphs (`tf.summary.trace_on(graph=True)` + `trace_export`): the routes against
TensorBoard's answers for the logdir real TF 2.21 wrote (tests/fixtures/function_graphs/make_fixture.py),
and the graph page's hierarchy with the function library expanded (board/function_graph.py).
Run `.` traced graphs only (`graph_run_metadata_graph`), run `profiled` with the profiler on
(`graph_run_metadata`)."""

import warnings
from pathlib import Path

import pytest
from google.protobuf import text_format

from board import function_graph
from engine.proto import config_pb2, function_pb2, graph_pb2, node_def_pb2
from tests.board.tb_oracle import TensorBoardOracle

LOGDIR = Path(__file__).resolve().parents[1] / "fixtures" / "function_graphs" / "logdir"
TAG = {"run": ".", "tag": "model_trace"}


@pytest.fixture(scope="module")
def tensorboard():
    return TensorBoardOracle(LOGDIR)


def test_info_lists_the_trace_as_tensorboard(make_client, tensorboard):
    ours = make_client(LOGDIR).get("/data/plugin/graphs/info").json()
    assert ours == tensorboard.json("/data/plugin/graphs/info")
    assert ours["."]["tags"]["model_trace"]["op_graph"] is True
    assert ours["profiled"]["tags"]["model_profile"] == {  # trace_on(profiler=True): graph_run_metadata
        "tag": "model_profile", "conceptual_graph": False, "op_graph": True, "profile": True}


def test_traces_are_not_named_as_data_without_a_page(make_client):
    from board.routes.dashboards import unshown_plugins

    assert unshown_plugins(make_client(LOGDIR).app.state.provider) == []


def test_run_metadata_of_a_profiled_trace_is_tensorboards(make_client, tensorboard):
    params = {"run": "profiled", "tag": "model_profile"}
    route = "/data/plugin/graphs/run_metadata"
    ours = text_format.Parse(make_client(LOGDIR).get(route, params=params).text, config_pb2.RunMetadata())
    answer = tensorboard.get(route, **params).get_data(as_text=True)
    theirs = text_format.Parse(answer, config_pb2.RunMetadata())
    assert ours == theirs and len(ours.function_graphs) > 0


def test_graph_is_tensorboards_merge_of_the_function_graphs(make_client, tensorboard):
    answer = make_client(LOGDIR).get("/data/plugin/graphs/graph", params=TAG)
    assert answer.status_code == 200
    ours = text_format.Parse(answer.text, graph_pb2.GraphDef())
    theirs = text_format.Parse(tensorboard.get("/data/plugin/graphs/graph", **TAG).get_data(as_text=True),
                               graph_pb2.GraphDef())
    # TensorBoard's merge puts the graph prefix after the "^" of control inputs ("graph_3/^NoOp"),
    # naming no node; board writes "^graph_3/NoOp".
    for node in theirs.node:
        node.input[:] = ["^" + i.replace("/^", "/", 1) if "/^" in i else i for i in node.input]
    assert ours == theirs
    assert [f.signature.name for f in ours.library.function] == ["graph_3___inference_dense_30"]


def test_run_metadata_of_a_graphs_only_trace_is_not_found_as_in_tensorboard(make_client, tensorboard):
    with warnings.catch_warnings():  # TensorBoard's werkzeug stack warns on some Pythons
        warnings.simplefilter("ignore")
        theirs = tensorboard.client.get("/data/plugin/graphs/run_metadata", query_string=TAG)
    ours = make_client(LOGDIR).get("/data/plugin/graphs/run_metadata", params=TAG)
    assert theirs.status_code == ours.status_code == 404
    assert "graphs only" in ours.json()["error"]
    # The Trace page still reads it (no step stats: no bars).
    timeline = make_client(LOGDIR).get("/data/trace/timeline", params=TAG).json()
    assert timeline["events"]["lane"] == [] and timeline["lanes"] == []


def test_hierarchy_opens_the_call_with_the_function_body(make_client):
    client = make_client(LOGDIR)
    kinds = client.get("/data/graph/runs").json()["runs"][0]["kinds"]
    assert kinds == [{"kind": "run_metadata/model_trace", "label": "run metadata: model_trace"}]
    params = {"run": ".", "kind": "run_metadata/model_trace"}
    assert client.get("/data/graph/hierarchy", params=params).status_code == 200
    call = "graph_3/StatefulPartitionedCall"
    matmul = client.get("/data/graph/node", params={**params, "name": f"{call}/MatMul"})
    assert matmul.status_code == 200
    assert [i["name"] for i in matmul.json()["inputs"]] == [f"{call}/x", f"{call}/MatMul/ReadVariableOp"]
    arg = client.get("/data/graph/node", params={**params, "name": f"{call}/x"}).json()
    assert arg["op"] == "_Arg" and [i["name"] for i in arg["inputs"]] == ["graph_3/x"]
    op = client.get("/data/graph/node", params={**params, "name": call}).json()
    assert [i["name"] for i in op["inputs"]] == [f"{call}/identity_RetVal"]
    library = client.get("/data/graph/node", params={
        **params, "name": "__function_library__/graph_3___inference_dense_30/Relu"})
    assert library.status_code == 200 and library.json()["op"] == "Relu"


def _function(name, body, inputs=("x",), ret="y"):
    function = function_pb2.FunctionDef(node_def=body, ret={"out": ret})
    function.signature.name = name
    for arg in inputs:
        function.signature.input_arg.add(name=arg)
    function.signature.output_arg.add(name="out")
    return function


def test_nested_calls_expand_and_recursion_stops():
    inner = _function("inner", [node_def_pb2.NodeDef(name="neg", op="Neg", input=["x"])], ret="neg:y:0")
    outer = _function("outer", [node_def_pb2.NodeDef(name="call", op="inner", input=["x"]),
                                node_def_pb2.NodeDef(name="twice", op="AddV2",
                                                     input=["call:out:0", "call:out:0"])], ret="twice:z:0")
    loop = _function("loop", [node_def_pb2.NodeDef(name="again", op="loop", input=["x"])], ret="again:out:0")
    graph = graph_pb2.GraphDef(node=[node_def_pb2.NodeDef(name="a", op="Placeholder"),
                                     node_def_pb2.NodeDef(name="f", op="outer", input=["a"]),
                                     node_def_pb2.NodeDef(name="r", op="loop", input=["a"])])
    graph.library.function.extend([inner, outer, loop])
    nodes = {n.name: list(n.input) for n in function_graph.expand_functions(graph).node}
    assert nodes["f/call/neg"] == ["f/call/x"] and nodes["f/call/x"] == ["f/x"]
    assert nodes["f/twice"] == ["f/call", "f/call"] and nodes["f"] == ["f/out_RetVal"]
    deepest = "r" + "/again" * function_graph.MAX_DEPTH  # MAX_DEPTH calls opened, the last one not
    assert nodes[deepest] == [deepest.rpartition("/")[0] + "/x"]  # not expanded further
    assert (deepest + "/again") not in nodes
    assert "__function_library__/outer/call/neg" in nodes
