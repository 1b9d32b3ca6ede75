"""Hyperparameters read from run names (board/data/run_names.py) and their route."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from board import create_app
from board.data.run_names import parse, sessions
from tests.board.conftest import event_file, file_version_event, scalar_event, write_events


@pytest.mark.parametrize(("name", "expected"), [
    ("lr_0.01,bs_32", {"lr": 0.01, "bs": 32.0}),
    ("lr=0.01/bs=32", {"lr": 0.01, "bs": 32.0}),
    ("lr0.01_adam_u16", {"lr": 0.01, "part2": "adam", "u": 16.0}),
    ("opt=adam,lr=1e-3", {"opt": "adam", "lr": 0.001}),
    ("lr 0.5 relu", {"lr": 0.5, "part3": "relu"}),
    ("baseline", {}),
    ("train", {}),
])
def test_parse(name, expected):
    assert parse(name) == expected


def test_sessions_are_the_largest_family_named_alike():
    runs = [".", "sweep/lr_0.1,bs_16", "sweep/lr_0.1,bs_16/eval", "sweep/lr_0.01,bs_16",
            "sweep/lr_0.01,bs_32", "keras_tf2/train", "baseline"]
    found = sessions(runs)
    # sub-runs belong to their session; `sweep` (every session's) is no column; keras_tf2 is apart
    assert found == {"sweep/lr_0.01,bs_16": {"lr": 0.01, "bs": 16.0},
                     "sweep/lr_0.01,bs_32": {"lr": 0.01, "bs": 32.0},
                     "sweep/lr_0.1,bs_16": {"lr": 0.1, "bs": 16.0}}


def test_route_gives_experiment_and_groups_with_last_scalars(tmp_path):
    for name, lr in [("lr_0.1", 0.1), ("lr_0.01", 0.01)]:
        write_events(event_file(tmp_path / name), [file_version_event()] +
                     [scalar_event("loss", s, lr * s) for s in range(5)])
        write_events(event_file(tmp_path / name / "eval"), [file_version_event(), scalar_event("acc", 4, lr)])
    client = TestClient(create_app(tmp_path, reload_interval=0))
    answer = client.get("/data/hparams/run_names").json()
    infos = answer["experiment"]["hparamInfos"]
    assert [(i["name"], i["type"], i["domainInterval"]) for i in infos] == [
        ("lr", "DATA_TYPE_FLOAT64", {"minValue": 0.01, "maxValue": 0.1})]
    metrics = [(m["name"]["group"], m["name"]["tag"]) for m in answer["experiment"]["metricInfos"]]
    assert metrics == [("eval", "acc"), ("", "loss")]
    groups = {g["name"]: g for g in answer["sessionGroups"]}
    assert set(groups) == {"lr_0.1", "lr_0.01"}
    values = {(m["name"]["group"], m["name"]["tag"]): (m["value"], m["trainingStep"])
              for m in groups["lr_0.1"]["metricValues"]}
    assert values == {("", "loss"): (pytest.approx(0.4), 4), ("eval", "acc"): (pytest.approx(0.1), 4)}
    # the sessions' metric curves come from TensorBoard's route, as for hparams summaries
    evals = client.post("/data/plugin/hparams/metric_evals",
                        json={"sessionName": "lr_0.1", "metricName": {"group": "", "tag": "loss"}}).json()
    assert [row[1] for row in evals] == [0, 1, 2, 3, 4]


def test_route_without_parsable_names_is_empty(tmp_path):
    write_events(event_file(tmp_path / "train"), [file_version_event(), scalar_event("loss", 1, 0.5)])
    answer = TestClient(create_app(tmp_path, reload_interval=0)).get("/data/hparams/run_names").json()
    assert answer == {"experiment": {"name": "", "description": "", "user": "", "timeCreatedSecs": 0.0,
                                     "hparamInfos": [], "metricInfos": []}, "sessionGroups": []}
