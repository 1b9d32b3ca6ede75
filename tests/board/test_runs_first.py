"""The listing routes a page asks first answer while the logdir is still being read, with what is
read so far (TensorBoard does the same), and with everything once it is read.

The loader is held back where a test says (tests/board/held_store.py), so "while loading" is not a
race: a route that waited for the loader would answer only after the hold times out.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from board import create_app
from board.data.provider import LogdirProvider

from .held_store import HeldStore, write_run


def held_app(store: HeldStore):
    return create_app(store.root, provider=LogdirProvider(store, reload_interval=0))


def scalar_tags(client: TestClient) -> dict[str, list[str]]:
    return {run: sorted(tags) for run, tags in client.get("/data/plugin/scalars/tags").json().items()}


def test_runs_are_listed_while_a_run_is_still_being_read(tmp_path):
    write_run(tmp_path, "first", start=0, graph=True)
    write_run(tmp_path, "slow", start=10)
    store = HeldStore(tmp_path, hold_run="slow")
    with TestClient(held_app(store)) as client:
        assert store.reached.wait(10)
        # "slow" is found but not read: listed (last: no start time yet), with no tags yet
        assert client.get("/data/runs").json() == ["first", "slow"]
        assert scalar_tags(client) == {"first": ["loss"]}
        assert list(client.get("/data/plugin/graphs/info").json()) == ["first"]
        assert [r["run"] for r in client.get("/data/graph/runs").json()["runs"]] == ["first"]
        status = client.get("/data/status").json()
        assert status["loading"] and status["passes"] == 0
        assert store.held and not store.timed_out

        store.release()
        assert client.app.state.provider.wait_loaded(20)
        assert client.get("/data/runs").json() == ["first", "slow"]
        assert scalar_tags(client) == {"first": ["loss"], "slow": ["loss"]}
        points = client.get("/data/plugin/scalars/scalars", params={"run": "slow", "tag": "loss"}).json()
        assert [step for _, step, _ in points] == [0, 1, 2]
        assert not client.get("/data/status").json()["loading"]


def test_runs_are_listed_while_the_logdir_is_still_walked(tmp_path):
    for index, name in enumerate(["a", "b", "c"]):
        write_run(tmp_path, name, start=index)
    store = HeldStore(tmp_path, hold_after_runs=1)  # the walk stops after finding "a"
    with TestClient(held_app(store)) as client:
        assert store.reached.wait(10)
        assert client.get("/data/runs").json() == ["a"]
        assert client.get("/data/status").json()["runs"] == 1
        assert store.held and not store.timed_out
        store.release()
        assert client.app.state.provider.wait_loaded(20)
        assert client.get("/data/runs").json() == ["a", "b", "c"]
        assert scalar_tags(client) == {"a": ["loss"], "b": ["loss"], "c": ["loss"]}


def test_a_folder_of_garbage_is_still_no_run(tmp_path):
    # runs are listed before they are read, but only once their files' first bytes were checked
    write_run(tmp_path, "real", start=0)
    garbage = tmp_path / "zeros" / "events.out.tfevents.1.zeros"
    garbage.parent.mkdir()
    garbage.write_bytes(bytes(4096))
    store = HeldStore(tmp_path, hold_run="real")
    with TestClient(held_app(store)) as client:
        assert store.reached.wait(10)
        assert client.get("/data/runs").json() == ["real"]
        store.release()
        assert client.app.state.provider.wait_loaded(20)
        assert client.get("/data/runs").json() == ["real"]


def test_the_graph_page_first_graph_is_built_after_the_pass(tmp_path):
    # a first visit to /graphs then waits for no build of the hierarchy
    write_run(tmp_path, "first", start=0, graph=True)
    with TestClient(create_app(tmp_path, reload_interval=0)) as client:
        assert client.app.state.provider.wait_loaded(20)
        assert ("first", "graph_def") in client.app.state.graph_hierarchy_cache
        hierarchy = client.get("/data/graph/hierarchy", params={"run": "first"}).json()
        assert {"MyAdd", "MyConst1", "MyConst2"} <= set(hierarchy["nodes"]["label"])
