"""engine.summary.hparams: the summaries' contents, their checks, and a round trip through
FileWriter (what TensorBoard's own API writes is checked in tests/interop/test_hparams_summaries.py)."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from engine.io.tfrecord import read_records
from engine.proto import event_pb2, hparams_plugin_data_pb2
from engine.summary import hparams as hp


def content(summary) -> hparams_plugin_data_pb2.HParamsPluginData:
    (value,) = summary.value
    assert value.metadata.plugin_data.plugin_name == "hparams"
    assert value.tensor.dtype == 1 and [d.size for d in value.tensor.tensor_shape.dim] == [0]
    return hparams_plugin_data_pb2.HParamsPluginData.FromString(value.metadata.plugin_data.content)


def test_config_describes_domains_and_metrics():
    data = content(hp.hparams_config_pb(
        hparams=[hp.HParam("lr", hp.RealInterval(0.001, 0.1)), hp.HParam("units", hp.Discrete([64, 16])),
                 hp.HParam("bn", hp.Discrete([True, False]))],
        metrics=[hp.Metric("accuracy", group="eval", display_name="Acc")], time_created_secs=3.0))
    experiment = data.experiment
    assert data.version == 0 and experiment.time_created_secs == 3.0
    lr, units, bn = experiment.hparam_infos
    assert (lr.type, lr.domain_interval.min_value, lr.domain_interval.max_value) == (3, 0.001, 0.1)
    assert (units.type, list(units.domain_discrete)) == (3, [16.0, 64.0])
    assert (bn.type, list(bn.domain_discrete)) == (2, [False, True])
    assert (experiment.metric_infos[0].name.group, experiment.metric_infos[0].display_name) == ("eval", "Acc")


def test_session_values_and_group():
    start = content(hp.hparams_pb({hp.HParam("lr"): np.float32(0.5), "opt": "adam", "bn": True, "n": 3},
                                  trial_id="t", start_time_secs=1.0)).session_start_info
    assert start.group_name == "t" and start.start_time_secs == 1.0
    assert {k: v.WhichOneof("kind") for k, v in start.hparams.items()} == {
        "lr": "number_value", "opt": "string_value", "bn": "bool_value", "n": "number_value"}
    # without a trial id, equal values make equal groups (a hash of their JSON, as TensorBoard's)
    def group(values):
        return content(hp.hparams_pb(values)).session_start_info.group_name
    assert group({"a": 1, "b": "x"}) == group({"b": "x", "a": 1}) != group({"a": 2, "b": "x"})


@pytest.mark.parametrize(("call", "error"), [
    (lambda: hp.hparams_pb({"lr": [1, 2]}), TypeError),
    (lambda: hp.hparams_pb({"lr": 1, hp.HParam("lr"): 2}), ValueError),
    (lambda: hp.hparams_pb({3: 1}), TypeError),
    (lambda: hp.hparams_pb({"a": 1}, trial_id=5), TypeError),
    (lambda: hp.Discrete([1, "a"]), TypeError),
    (lambda: hp.Discrete([]), ValueError),
    (lambda: hp.IntInterval(1.5, 2), TypeError),
    (lambda: hp.RealInterval(2, 1), ValueError),
    (lambda: hp.HParam("x", domain=[1, 2]), TypeError),
    (lambda: hp.session_end_pb("finished"), ValueError),
    (lambda: hp.session_end_pb(9), ValueError),
])
def test_bad_arguments_raise(call, error):
    with pytest.raises(error):
        call()


def test_session_end_takes_names_or_enum_values():
    end = content(hp.session_end_pb("success", end_time_secs=2.0)).session_end_info
    assert (end.status, end.end_time_secs) == (hp.STATUS_SUCCESS, 2.0)
    assert content(hp.session_end_pb(hp.STATUS_FAILURE)).session_end_info.status == hp.STATUS_FAILURE


def test_file_writer_round_trip(tmp_path):
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_summary(hp.session_start_pb({"lr": 0.1}, group_name="g", start_time_secs=1.0))
        writer.add_summary(hp.session_end_pb(hp.STATUS_RUNNING, end_time_secs=2.0))
    (path,) = tmp_path.glob("events.out.tfevents.*")
    events = [event_pb2.Event.FromString(r) for r in read_records(path)]
    tags = [v.tag for e in events[1:] for v in e.summary.value]
    assert tags == ["_hparams_/session_start_info", "_hparams_/session_end_info"]
    data = content(events[1].summary)
    assert data.session_start_info.group_name == "g"
