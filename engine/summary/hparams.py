"""Hyperparameter summaries for TensorBoard's HParams dashboard (and board's), without TensorFlow.

TensorFlow 1.x has no hparams API of its own: TF1 users write TensorBoard's summaries
(`tensorboard.plugins.hparams.summary` or `.api`) with a `FileWriter`. Those need TensorFlow; this
module writes the same bytes with engine's protos, under the same names:

    from engine.summary import hparams as hp

    HP_LR = hp.HParam("learning_rate", hp.Discrete([0.01, 0.1]))
    HP_UNITS = hp.HParam("units", hp.IntInterval(16, 64))
    with tf.summary.FileWriter("logs") as writer:            # the experiment, once, at the root
        writer.add_summary(hp.hparams_config_pb(hparams=[HP_LR, HP_UNITS],
                                                metrics=[hp.Metric("loss", display_name="Loss")]))
    with tf.summary.FileWriter("logs/run1") as writer:       # each session (run)
        writer.add_summary(hp.hparams_pb({HP_LR: 0.1, HP_UNITS: 32}))
        ... writer.add_summary(loss_summary, step) ...         # its metrics: scalar summaries
        writer.add_summary(hp.session_end_pb(hp.STATUS_SUCCESS))

As in TensorBoard: `hparams_config_pb`, `hparams_pb` (tensorboard.plugins.hparams.api, each session
its own group unless `trial_id` names one) and the TF1-style `experiment_pb`, `session_start_pb`,
`session_end_pb` (tensorboard.plugins.hparams.summary) each return a `Summary` protobuf holding one
value whose metadata carries an `HParamsPluginData` (engine/proto/hparams_plugin_data.proto).
"""

from __future__ import annotations

import abc
import hashlib
import json
import numbers
import time
from collections.abc import Iterable, Mapping

from google.protobuf import struct_pb2

from engine.proto import hparams_api_pb2 as api_pb2
from engine.proto import hparams_plugin_data_pb2 as plugin_data_pb2
from engine.proto import summary_pb2, tensor_pb2, types_pb2

PLUGIN_NAME = "hparams"
PLUGIN_DATA_VERSION = 0
EXPERIMENT_TAG = "_hparams_/experiment"
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"

# A session's end status (api_pb2.Status), for session_end_pb.
STATUS_UNKNOWN = api_pb2.STATUS_UNKNOWN
STATUS_SUCCESS = api_pb2.STATUS_SUCCESS
STATUS_FAILURE = api_pb2.STATUS_FAILURE
STATUS_RUNNING = api_pb2.STATUS_RUNNING


# -- the experiment's description (tensorboard.plugins.hparams.api) ------------------------------

class Domain(abc.ABC):
    """The values an hparam may take: Discrete, IntInterval or RealInterval."""

    dtype: type | None = None

    @abc.abstractmethod
    def update_hparam_info(self, info: api_pb2.HParamInfo) -> None:
        """Sets the type and domain of `info`."""


class _Interval(Domain):
    """Numbers in [min_value, max_value] (the dashboard's type for both kinds is FLOAT64)."""

    min_value: float
    max_value: float

    def update_hparam_info(self, info: api_pb2.HParamInfo) -> None:
        info.type = api_pb2.DATA_TYPE_FLOAT64
        info.domain_interval.min_value = self.min_value
        info.domain_interval.max_value = self.max_value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.min_value!r}, {self.max_value!r})"


class IntInterval(_Interval):
    """Integers in [min_value, max_value]."""

    dtype = int

    def __init__(self, min_value: int, max_value: int):
        if not isinstance(min_value, int) or not isinstance(max_value, int):
            raise TypeError(f"IntInterval takes integers, got {min_value!r} and {max_value!r}")
        if min_value > max_value:
            raise ValueError(f"IntInterval: {min_value!r} > {max_value!r}")
        self.min_value, self.max_value = min_value, max_value


class RealInterval(_Interval):
    """Real numbers in [min_value, max_value]."""

    dtype = float

    def __init__(self, min_value: float, max_value: float):
        if not isinstance(min_value, numbers.Real) or not isinstance(max_value, numbers.Real):
            raise TypeError(f"RealInterval takes numbers, got {min_value!r} and {max_value!r}")
        if min_value > max_value:
            raise ValueError(f"RealInterval: {min_value!r} > {max_value!r}")
        self.min_value, self.max_value = float(min_value), float(max_value)


_DATA_TYPES = {bool: api_pb2.DATA_TYPE_BOOL, int: api_pb2.DATA_TYPE_FLOAT64, float: api_pb2.DATA_TYPE_FLOAT64,
               str: api_pb2.DATA_TYPE_STRING}


class Discrete(Domain):
    """A finite set of values, all of one type (bool, int, float or str; ints and floats mix)."""

    def __init__(self, values: Iterable, dtype: type | None = None):
        values = list(values)
        if dtype is None:
            kinds = {type(v) for v in values}
            if kinds <= {int, float} and kinds:
                dtype = float if float in kinds else int
            elif len(kinds) == 1:
                dtype = kinds.pop()
            elif not kinds:
                raise ValueError("Discrete: an empty domain needs its dtype")
            else:
                found = sorted(k.__name__ for k in kinds)
                raise TypeError(f"Discrete: values of one type expected, got {found}")
        if dtype not in _DATA_TYPES:
            raise ValueError(f"Discrete: unknown dtype {dtype!r}; expected bool, int, float or str")
        self.dtype = dtype
        self._data_type = _DATA_TYPES[dtype]
        self.values = sorted(dtype(v) for v in values)

    def update_hparam_info(self, info: api_pb2.HParamInfo) -> None:
        info.type = self._data_type
        info.domain_discrete.extend(self.values)

    def __repr__(self) -> str:
        return f"Discrete({self.values!r})"


class HParam:
    """A hyperparameter: its name, optional domain and its description for the dashboard."""

    def __init__(self, name: str, domain: Domain | None = None, display_name: str | None = None,
                 description: str | None = None):
        if domain is not None and not isinstance(domain, Domain):
            raise TypeError(f"HParam {name!r}: domain must be a Domain, got {domain!r}")
        self.name, self.domain = name, domain
        self.display_name, self.description = display_name, description

    def __repr__(self) -> str:
        return f"HParam({self.name!r}, {self.domain!r})"


class Metric:
    """A metric: the scalar tag `tag` of the session's run (or of its sub-run `group`)."""

    TRAINING = api_pb2.DATASET_TRAINING
    VALIDATION = api_pb2.DATASET_VALIDATION

    def __init__(self, tag: str, group: str | None = None, display_name: str | None = None,
                 description: str | None = None, dataset_type: api_pb2.DatasetType | None = None):
        self.tag, self.group = tag, group
        self.display_name, self.description, self.dataset_type = display_name, description, dataset_type

    def as_proto(self) -> api_pb2.MetricInfo:
        return api_pb2.MetricInfo(name=api_pb2.MetricName(group=self.group or "", tag=self.tag),
                                  display_name=self.display_name or "", description=self.description or "",
                                  dataset_type=self.dataset_type or api_pb2.DATASET_UNKNOWN)


# -- the summaries ------------------------------------------------------------------------------

def _summary(tag: str, data: plugin_data_pb2.HParamsPluginData) -> summary_pb2.Summary:
    """One value: the plugin data in its metadata, an empty float tensor as TensorBoard writes."""
    data.version = PLUGIN_DATA_VERSION
    metadata = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
        plugin_name=PLUGIN_NAME, content=data.SerializeToString()))
    empty = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT)
    empty.tensor_shape.dim.add(size=0)
    return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, metadata=metadata, tensor=empty)])


def experiment_pb(hparam_infos: Iterable[api_pb2.HParamInfo], metric_infos: Iterable[api_pb2.MetricInfo],
                  user: str = "", description: str = "", time_created_secs: float | None = None
                  ) -> summary_pb2.Summary:
    """The experiment (write it once, usually at the logdir root), from HParamInfo and MetricInfo
    messages (`engine.summary.hparams.api_pb2`)."""
    created = time.time() if time_created_secs is None else time_created_secs
    experiment = api_pb2.Experiment(description=description, user=user, time_created_secs=created,
                                    hparam_infos=hparam_infos, metric_infos=metric_infos)
    return _summary(EXPERIMENT_TAG, plugin_data_pb2.HParamsPluginData(experiment=experiment))


def hparams_config_pb(hparams: Iterable[HParam], metrics: Iterable[Metric],
                      time_created_secs: float | None = None) -> summary_pb2.Summary:
    """The experiment from HParam and Metric objects (TensorBoard's `hparams_config_pb`)."""
    infos = []
    for hparam in hparams:
        info = api_pb2.HParamInfo(name=hparam.name, description=hparam.description or "",
                                  display_name=hparam.display_name or "")
        if hparam.domain is not None:
            hparam.domain.update_hparam_info(info)
        infos.append(info)
    metric_infos = [metric.as_proto() for metric in metrics]
    return experiment_pb(infos, metric_infos, time_created_secs=time_created_secs)


def _normalize(hparams: Mapping) -> dict:
    """{name: Python bool, number or str} of {name or HParam: value} (numpy scalars unwrapped)."""
    out: dict = {}
    for key, value in hparams.items():
        name = key.name if isinstance(key, HParam) else key
        if not isinstance(name, str):
            raise TypeError(f"hparams keys must be names or HParam objects, not {key!r}")
        if name in out:
            raise ValueError(f"multiple values specified for hparam {name!r}")
        if hasattr(value, "item") and callable(value.item):  # a numpy scalar
            value = value.item()
        if not isinstance(value, bool | numbers.Real | str):
            raise TypeError(f"hparam {name!r}: the value must be a bool, a number or a string, not {value!r}")
        out[name] = value
    return out


def _value(value: bool | float | str) -> struct_pb2.Value:
    out = struct_pb2.Value()
    if isinstance(value, bool):
        out.bool_value = value
    elif isinstance(value, str):
        out.string_value = value
    else:
        out.number_value = float(value)
    return out


def session_start_pb(hparams: Mapping, model_uri: str = "", monitor_url: str = "", group_name: str = "",
                     start_time_secs: float | None = None) -> summary_pb2.Summary:
    """A session's start: its hparams ({name or HParam: bool, number or str}); write it into the
    session's run. Sessions with the same `group_name` form one group (e.g. repeats with other
    seeds); "" makes the session a group of its own."""
    started = time.time() if start_time_secs is None else start_time_secs
    start = plugin_data_pb2.SessionStartInfo(model_uri=model_uri, monitor_url=monitor_url,
                                             group_name=group_name, start_time_secs=started)
    for name, value in _normalize(hparams).items():
        start.hparams[name].CopyFrom(_value(value))
    return _summary(SESSION_START_INFO_TAG, plugin_data_pb2.HParamsPluginData(session_start_info=start))


def hparams_pb(hparams: Mapping, trial_id: str | None = None, start_time_secs: float | None = None
               ) -> summary_pb2.Summary:
    """A session's start (TensorBoard's `hparams_pb`): `trial_id` names the session's group; by
    default a hash of the values, so sessions with the same values form one group."""
    if trial_id is None:
        text = json.dumps(_normalize(hparams), sort_keys=True, separators=(",", ":"))
        trial_id = hashlib.sha256(text.encode("utf-8")).hexdigest()
    elif not isinstance(trial_id, str):
        raise TypeError(f"trial_id must be a str, not {trial_id!r}")
    return session_start_pb(hparams, group_name=trial_id, start_time_secs=start_time_secs)


_STATUS_NAMES = {"unknown": STATUS_UNKNOWN, "success": STATUS_SUCCESS, "failure": STATUS_FAILURE,
                 "running": STATUS_RUNNING}


def session_end_pb(status, end_time_secs: float | None = None) -> summary_pb2.Summary:
    """A session's end: `status` is STATUS_SUCCESS, STATUS_FAILURE, ... (or "success", "failure")."""
    if isinstance(status, str):
        key = status.lower().removeprefix("status_")
        if key not in _STATUS_NAMES:
            raise ValueError(f"unknown status {status!r}; expected one of {', '.join(_STATUS_NAMES)}")
        status = _STATUS_NAMES[key]
    if status not in api_pb2.Status.values():
        raise ValueError(f"unknown status {status!r}; expected one of {api_pb2.Status.keys()}")
    ended = time.time() if end_time_secs is None else end_time_secs
    end = plugin_data_pb2.SessionEndInfo(status=status, end_time_secs=ended)
    return _summary(SESSION_END_INFO_TAG, plugin_data_pb2.HParamsPluginData(session_end_info=end))


__all__ = ["Discrete", "HParam", "IntInterval", "Metric", "RealInterval", "api_pb2", "experiment_pb",
           "hparams_config_pb", "hparams_pb", "session_end_pb", "session_start_pb", "STATUS_FAILURE",
           "STATUS_RUNNING", "STATUS_SUCCESS", "STATUS_UNKNOWN"]
