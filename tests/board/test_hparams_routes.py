"""The hparams routes answer what TensorBoard's hparams plugin answers for the same logdir
(TensorBoard in-process: tests/board/tb_oracle.py), for the files of every writer (LOGDIRS; the
scripts that made them are beside them in tests/fixtures/hparams/)."""

from __future__ import annotations

import csv
import io
import json
import warnings
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from board import create_app
from tests.board.tb_oracle import TensorBoardOracle
from tests.conftest import REAL_FIXTURES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hparams"
ALL = ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"]
EXPERIMENT = "/data/plugin/hparams/experiment"
GROUPS = "/data/plugin/hparams/session_groups"
EVALS = "/data/plugin/hparams/metric_evals"


LOGDIRS = {"multi_plugin": REAL_FIXTURES / "multi_plugin" / "logdir",  # TF2 hparams_config / hparams
           "tbx": FIXTURES / "tbx_logdir",  # tensorboardX / torch add_hparams
           "tf1": FIXTURES / "tf1_logdir",  # TF1-style summary API: groups, statuses, sub-run metrics
           "keras": FIXTURES / "keras_logdir"}  # hp.KerasCallback


def write_engine_sweep(logdir: Path) -> None:
    """A sweep written by engine.summary.hparams through engine's FileWriter: the experiment at the
    root, four sessions (two repeats of one trial form a group), metrics in the session runs."""
    import engine as tf
    from engine.summary import hparams as hp

    with tf.summary.FileWriter(str(logdir)) as writer:
        writer.add_summary(hp.hparams_config_pb(
            hparams=[hp.HParam("lr", hp.Discrete([0.01, 0.1]), display_name="Learning rate"),
                     hp.HParam("units", hp.IntInterval(16, 64)),
                     hp.HParam("opt", hp.Discrete(["adam", "sgd"]))],
            metrics=[hp.Metric("loss"), hp.Metric("accuracy", group="eval", display_name="Eval accuracy")],
            time_created_secs=1700000000.0))
    sessions = [("s1", 0.1, 16, "adam", "t1", "success"), ("s2", 0.1, 16, "adam", "t1", "success"),
                ("s3", 0.01, 64, "sgd", None, "failure"), ("s4", 0.01, 32, "sgd", None, None)]
    for i, (run, lr, units, opt, trial, status) in enumerate(sessions):
        with tf.summary.FileWriter(str(logdir / run)) as writer:
            writer.add_summary(hp.hparams_pb({"lr": lr, "units": units, "opt": opt}, trial_id=trial,
                                             start_time_secs=1700000000.0 + i))
            for step in range(3):
                value = tf.summary.Summary.Value(tag="loss", simple_value=1.0 / (1 + step + i))
                writer.add_summary(tf.summary.Summary(value=[value]), step)
            if status:
                writer.add_summary(hp.session_end_pb(status, end_time_secs=1700000100.0 + i))
        with tf.summary.FileWriter(str(logdir / run / "eval")) as writer:
            value = tf.summary.Summary.Value(tag="accuracy", simple_value=0.5 + 0.1 * i)
            writer.add_summary(tf.summary.Summary(value=[value]), 2)


@pytest.fixture(scope="module", params=sorted(LOGDIRS) + ["engine"])
def pair(request, tmp_path_factory):
    pytest.importorskip("tensorboard")
    if request.param == "engine":
        logdir = tmp_path_factory.mktemp("engine_sweep")
        write_engine_sweep(logdir)
    else:
        logdir = LOGDIRS[request.param]
    if not logdir.is_dir():
        pytest.skip(f"{logdir} is not here")
    return request.param, TensorBoardOracle(logdir), TestClient(create_app(logdir, reload_interval=0))


def theirs_post(oracle, path: str, body) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        response = oracle.client.post(path, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.get_data()[:300]
    return json.loads(response.get_data())


def ours_post(client, path: str, body) -> dict:
    response = client.post(path, content=json.dumps(body))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def same_discrete_order(answer: dict) -> dict:
    """TensorBoard lists a string domain gathered from sessions in set order (hash-seeded): sort it."""
    for info in answer.get("hparamInfos", []):
        if "domainDiscrete" in info and info.get("type") == "DATA_TYPE_STRING":
            info["domainDiscrete"] = sorted(info["domainDiscrete"])
    return answer


@pytest.mark.parametrize("body", [{"experimentName": ""}, {"includeMetrics": False},
                                  {"experimentName": "", "hparamsLimit": 2}])
def test_experiment_matches_tensorboard(pair, body):
    _, oracle, client = pair
    assert same_discrete_order(ours_post(client, EXPERIMENT, body)) == same_discrete_order(
        theirs_post(oracle, EXPERIMENT, body))


def _columns(experiment: dict) -> list[dict]:
    cols = [{"hparam": info["name"]} for info in experiment["hparamInfos"]]
    return cols + [{"metric": info["name"]} for info in experiment["metricInfos"]]


def group_requests(experiment: dict) -> list[dict]:
    """Requests over every column: each sorted both ways, paging, aggregations, filters."""
    cols = _columns(experiment)
    requests = [{"allowedStatuses": ALL, "startIndex": 0, "sliceSize": 100},
                {"allowedStatuses": ["STATUS_SUCCESS"], "startIndex": 0, "sliceSize": 100},
                {"allowedStatuses": ALL, "startIndex": 1, "sliceSize": 2, "includeMetrics": False}]
    for col in cols:
        for order in ("ORDER_ASC", "ORDER_DESC"):
            for missing_first in (False, True):
                requests.append({"allowedStatuses": ALL, "startIndex": 0, "sliceSize": 100,
                                 "colParams": [dict(col, order=order, missingValuesFirst=missing_first)]})
    metrics = [c["metric"] for c in cols if "metric" in c]
    for kind in ("AGGREGATION_AVG", "AGGREGATION_MEDIAN", "AGGREGATION_MIN", "AGGREGATION_MAX"):
        for metric in metrics[:2]:
            requests.append({"allowedStatuses": ALL, "startIndex": 0, "sliceSize": 100,
                             "aggregationType": kind, "aggregationMetric": metric})
    for info in experiment["hparamInfos"]:
        name = info["name"]
        if info.get("type") == "DATA_TYPE_FLOAT64":
            flt = {"filterInterval": {"minValue": 0.005, "maxValue": 0.2}}
        elif info.get("type") == "DATA_TYPE_STRING":
            flt = {"filterRegexp": "^r"}
        elif "domainDiscrete" in info and info["domainDiscrete"]:
            flt = {"filterDiscrete": info["domainDiscrete"][:1]}
        else:
            continue
        requests.append({"allowedStatuses": ALL, "startIndex": 0, "sliceSize": 100,
                         "colParams": [dict({"hparam": name}, **flt),
                                       {"hparam": name, "includeInResult": True}]})
        requests.append({"allowedStatuses": ALL, "startIndex": 0, "sliceSize": 100,
                         "colParams": [dict({"hparam": name, "excludeMissingValues": True}, **flt)]})
    for metric in metrics:
        requests.append({"allowedStatuses": ALL, "startIndex": 0, "sliceSize": 100,
                         "colParams": [{"metric": metric, "filterInterval": {"minValue": 0.5, "maxValue": 10},
                                        "excludeMissingValues": True, "order": "ORDER_DESC"}]})
    return requests


def test_session_groups_match_tensorboard(pair):
    name, oracle, client = pair
    experiment = theirs_post(oracle, EXPERIMENT, {})
    requests = group_requests(experiment)
    assert len(requests) > 10
    for body in requests:
        try:
            theirs = theirs_post(oracle, GROUPS, body)
        except (IndexError, ValueError):  # TensorBoard fails on aggregating a group without the metric
            theirs = None
        mine = ours_post(client, GROUPS, body)
        if theirs is None:  # board gives such a group no metric values (board/data/hparams.py)
            assert body["aggregationType"] in ("AGGREGATION_MEDIAN", "AGGREGATION_MIN", "AGGREGATION_MAX")
            assert any(not g["metricValues"] for g in mine["sessionGroups"])
            continue
        assert mine == theirs, (name, body)
    if name == "engine":  # hparams_pb's trial_id grouped two sessions
        groups = theirs_post(oracle, GROUPS, requests[0])["sessionGroups"]
        assert sorted(len(g["sessions"]) for g in groups) == [1, 1, 2]
    if name == "tf1":  # the requests above saw groups of several sessions and every status
        groups = theirs_post(oracle, GROUPS, requests[0])["sessionGroups"]
        assert max(len(g["sessions"]) for g in groups) == 3
        assert {s["status"] for g in groups for s in g["sessions"]} == set(ALL)


def test_metric_evals_match_tensorboard(pair):
    _, oracle, client = pair
    body = {"allowedStatuses": ALL, "startIndex": 0, "sliceSize": 100}
    groups = theirs_post(oracle, GROUPS, body)["sessionGroups"]
    experiment = theirs_post(oracle, EXPERIMENT, {})
    checked = 0
    for group in groups:
        for session in group["sessions"]:
            for info in experiment["metricInfos"]:
                request = {"sessionName": session["name"], "metricName": info["name"]}
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    response = oracle.client.post(EVALS, data=json.dumps(request))
                mine = client.post(EVALS, content=json.dumps(request))
                if response.status_code != 200:  # TensorBoard: no such series
                    assert mine.status_code == 404, mine.text
                    continue
                assert mine.json() == json.loads(response.get_data())
                checked += 1
    assert checked


@pytest.mark.parametrize("fmt", ["csv", "json", "latex"])
def test_download_data_matches_tensorboard(pair, fmt):
    _, oracle, client = pair
    experiment = theirs_post(oracle, EXPERIMENT, {})
    columns = len(experiment["hparamInfos"]) + len(experiment["metricInfos"])
    visible = [i != 1 for i in range(columns)]
    request = {"allowedStatuses": ALL, "startIndex": 0, "sliceSize": 100,
               "colParams": [{"hparam": experiment["hparamInfos"][0]["name"], "order": "ORDER_DESC"}]}
    params = {"format": fmt, "columnsVisibility": json.dumps(visible), "request": json.dumps(request)}
    theirs = oracle.get("/data/plugin/hparams/download_data", **params)
    mine = client.get("/data/plugin/hparams/download_data", params=params)
    assert mine.status_code == 200, mine.text
    assert mine.headers["content-type"].split(";")[0] == theirs.mimetype
    if fmt == "json":
        assert mine.json() == json.loads(theirs.get_data())
    elif fmt == "csv":
        expected = theirs.get_data(as_text=True)
        assert list(csv.reader(io.StringIO(mine.text))) == list(csv.reader(io.StringIO(expected)))
    else:
        assert mine.text == theirs.get_data(as_text=True)


# -- bad requests: a JSON 400 naming the problem -----------------------------------------------

@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(LOGDIRS["tf1"], reload_interval=0))


@pytest.mark.parametrize(("path", "body", "words"), [
    (EXPERIMENT, "", "GetExperimentRequest"),
    (EXPERIMENT, "{not json", "GetExperimentRequest"),
    (EXPERIMENT, '{"hparamsLimit": -1}', "hparamsLimit"),
    (GROUPS, '{"colParams": [{"order": "ORDER_ASC"}]}', "'metric' or an 'hparam'"),
    (GROUPS, '{"allowedStatuses": ["STATUS_SUCCESS"], "colParams": [{"hparam": "lr", "filterRegexp": "x"}]}',
     "regexp filter needs strings"),
    (GROUPS, '{"allowedStatuses": ["STATUS_SUCCESS"], "colParams": [{"hparam": "act", "filterInterval": '
     '{"minValue": 0, "maxValue": 1}}]}', "interval filter needs numbers"),
    (GROUPS, '{"colParams": [{"hparam": "act", "filterRegexp": "(a"}]}', "RE2"),
    (GROUPS, '{"aggregationType": "AGGREGATION_SOMETIMES"}', "ListSessionGroupsRequest"),
    (GROUPS, '{"aggregationType": 9}', "aggregation_type"),
    (GROUPS, '{"startIndex": -1}', "start_index"),
    (GROUPS, '{"colParams": [{"hparam": "x", "order": 7}]}', "order"),
    ("/data/plugin/hparams/metric_evals", "[]", "ListMetricEvalsRequest"),
])
def test_bad_requests_are_400_naming_the_problem(client, path, body, words):
    response = client.post(path, content=body)
    assert response.status_code == 400, response.text
    assert words in response.json()["error"]


def test_metric_evals_of_unknown_session_is_404(client):
    body = {"sessionName": "nope", "metricName": {"tag": "loss"}}
    response = client.post("/data/plugin/hparams/metric_evals", content=json.dumps(body))
    assert response.status_code == 404 and "nope" in response.json()["error"]


@pytest.mark.parametrize(("params", "words"), [
    ({"format": "xml", "columnsVisibility": "[]", "request": "{}"}, "format"),
    ({"format": "csv", "columnsVisibility": "true", "request": "{}"}, "columnsVisibility"),
    ({"format": "csv", "columnsVisibility": "[]", "request": "{x"}, "ListSessionGroupsRequest"),
    ({"format": "csv", "columnsVisibility": "[]"}, "request"),
])
def test_bad_download_requests_are_400(client, params, words):
    response = client.get("/data/plugin/hparams/download_data", params=params)
    assert response.status_code == 400, response.text
    assert words in response.json()["error"]


def test_logdir_without_hparams_has_an_empty_experiment(tmp_path):
    client = TestClient(create_app(tmp_path, reload_interval=0))
    assert ours_post(client, EXPERIMENT, {}) == {"name": "", "description": "", "user": "",
                                                 "timeCreatedSecs": 0.0, "hparamInfos": [], "metricInfos": []}
    assert ours_post(client, GROUPS, {"allowedStatuses": ALL, "sliceSize": 10}) == {"sessionGroups": [],
                                                                                     "totalSize": 0}


def test_get_with_a_request_parameter_answers_as_post(pair):
    _, oracle, client = pair
    body = {"allowedStatuses": ALL, "sliceSize": 100, "colParams": []}
    for path, message in ((EXPERIMENT, {}), (GROUPS, body)):
        theirs = oracle.json(path, request=json.dumps(message))
        mine = client.get(path, params={"request": json.dumps(message)})
        assert mine.status_code == 200, mine.text
        assert same_discrete_order(mine.json()) == same_discrete_order(theirs)
    response = client.get(GROUPS)
    assert response.status_code == 400 and "ListSessionGroupsRequest" in response.json()["error"]
