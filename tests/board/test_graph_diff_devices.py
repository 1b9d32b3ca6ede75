"""The graph routes' device and XLA-cluster tables and the graph diff, on the logdir that
tests/fixtures/graph_devices/make_fixtures.py writes with real TF (runs "base" and "changed")."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graph_devices"
CPU = "/job:localhost/replica:0/task:0/device:CPU:0"
GPU = "/job:localhost/replica:0/task:0/device:GPU:0"


def hierarchy(client, run):
    answer = client.get("/data/graph/hierarchy", params={"run": run})
    assert answer.status_code == 200
    return answer.json()


def full_names(h):
    """Node names from the labels, as static/js/graph/model.js rebuilds them."""
    n = h["nodes"]
    names, prefix = [""], [""]
    for i in range(1, len(n["label"])):
        p = n["parent"][i]
        if n["kind"][i] == 0 and n["flags"][i] & 4:
            name = names[p]
        else:
            name = f"{prefix[p]}/{n['label'][i]}" if prefix[p] else n["label"][i]
        names.append(name)
        prefix.append(prefix[p] if n["kind"][i] == 2 else name)
    return names


def test_devices_and_xla_clusters_are_numbered_per_op(make_client):
    client = make_client(FIXTURES / "logdir")
    h = hierarchy(client, "base")
    assert h["devices"] == [CPU, GPU] and h["xlaClusters"] == ["cluster_0"]
    names = full_names(h)
    at = {name: i for i, name in enumerate(names)}
    device = h["nodes"]["device"]
    xla = h["nodes"]["xla"]
    assert h["devices"][device[at["layer1/MatMul"]]] == CPU
    assert h["devices"][device[at["layer2/MatMul"]]] == GPU
    assert device[at["x"]] == -1 and xla[at["x"]] == -1  # placed nowhere by the script
    assert xla[at["layer2/MatMul"]] == 0 and xla[at["layer1/MatMul"]] == -1
    assert device[at["layer1"]] == -1  # a group has none of its own
    node = client.get("/data/graph/node", params={"run": "base", "name": "layer2/MatMul"}).json()
    assert node["device"] == GPU and node["attrs"]["_XlaCluster"] == "cluster_0"


def test_graph_without_devices_sends_empty_tables(make_client, real_fixtures):
    client = make_client(real_fixtures / "tf1_graph_const")
    h = hierarchy(client, "named")
    assert h["devices"] == [] and h["xlaClusters"] == []
    assert "device" not in h["nodes"] and "xla" not in h["nodes"]


def test_diff_of_two_runs(make_client):
    client = make_client(FIXTURES / "logdir")
    answer = client.get("/data/graph/diff", params={"run": "changed", "run2": "base"})
    assert answer.status_code == 200
    d = answer.json()
    assert d["run"] == "changed" and d["kind"] == "graph_def"
    assert d["against"] == {"run": "base", "kind": "graph_def"}
    added, removed = set(d["added"]), set(d["removed"])
    assert "dropout/dropout/SelectV2" in added and "layer2/Tanh" in added and "loss" in added
    assert "layer2/Relu" in removed and "loss/Square" in removed and "labels" not in removed
    changed = {c["name"]: c for c in d["changed"]}
    # layer2's weight is 8x5 instead of 8x3: its shape attr changed, its op did not.
    weight = changed["layer2/weight"]
    assert weight["op"] is None and "shape" in weight["attrs"]
    # layer2's MatMul now reads the dropout's output instead of layer1's Relu.
    matmul = changed["layer2/MatMul"]
    assert matmul["inputs"][0][0] == "layer1/Relu" and matmul["inputs"][1][0].startswith("dropout/")
    assert "layer1/MatMul" not in changed and "layer1/MatMul" not in added
    counts = d["counts"]
    assert counts == {"added": len(added), "removed": len(removed), "changed": len(changed),
                      "same": counts["same"]}
    assert counts["same"] > 10
    # The other way round, added and removed swap.
    back = client.get("/data/graph/diff", params={"run": "base", "run2": "changed"}).json()
    assert set(back["added"]) == removed and set(back["removed"]) == added
    assert {c["name"] for c in back["changed"]} == set(changed)


def test_diff_with_itself_is_empty(make_client):
    client = make_client(FIXTURES / "logdir")
    d = client.get("/data/graph/diff", params={"run": "base", "run2": "base", "kind2": "graph_def"}).json()
    assert d["added"] == d["removed"] == d["changed"] == []
    assert d["counts"]["same"] == 110


def test_diff_errors_are_json(make_client):
    client = make_client(FIXTURES / "logdir")
    cases = [({"run": "base"}, 400, "run2"), ({"run2": "base"}, 400, "run"),
             ({"run": "base", "run2": "nope"}, 404, "nope"),
             ({"run": "base", "run2": "changed", "kind2": "x"}, 404, "'x'")]
    for params, status, text in cases:
        answer = client.get("/data/graph/diff", params=params)
        assert answer.status_code == status and text in answer.json()["error"], params
