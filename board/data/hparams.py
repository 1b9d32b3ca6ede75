"""The hparams plugin's data: the experiment, its sessions and their metrics, as TensorBoard sees them.

What the writers leave in a logdir (TF2's `hparams_config`/`hparams`, TF1-style
`tensorboard.plugins.hparams.summary`, Keras' `hp.KerasCallback`, tensorboardX/torch
`add_hparams`, engine.summary.hparams) is three tags of plugin "hparams", each carrying an
`HParamsPluginData` in its metadata's plugin content (the tensor, if any, is empty):

* `_hparams_/experiment`: the hyperparameters and metrics of the experiment, usually at the logdir
  root; without one, the hyperparameters are gathered from the sessions and the metrics are every
  scalar tag of a session's run or of a run below it;
* `_hparams_/session_start_info` in a run: that run is a session; its hparams, group and start;
* `_hparams_/session_end_info` in the same run: its status and end.

A metric (group, tag) of a session `s` is the last value of the scalar tag `tag` in the run
`s/group` (group "" = `s`). Sessions of one group (`group_name`, else each session alone) are
aggregated into a session group, which the /session_groups route filters, sorts and pages.

Differences from TensorBoard, where it would fail with a 500: sorting a column whose values have
different types orders them by type (bool, number, string) first; a MIN/MAX/MEDIAN aggregation over
a group in which no session has the aggregation metric gives the group no metric values.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable
from typing import Any

import re2
from google.protobuf import json_format, struct_pb2

from board.errors import BadRequest
from engine.proto import hparams_api_pb2 as api
from engine.proto import hparams_plugin_data_pb2 as plugin_data

PLUGIN_NAME = "hparams"
PLUGIN_DATA_VERSION = 0
EXPERIMENT_TAG = "_hparams_/experiment"
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"

MAX_REGEXP_LENGTH = 1024  # characters of a filter_regexp
_REGEXP_MEMORY = 1 << 20  # RE2's budget for one compiled filter


class HParamsError(BadRequest):
    """Data or a request the hparams plugin cannot use (HTTP 400, as TensorBoard answers)."""


def to_json(message) -> dict:
    """A message as TensorBoard's routes send it: camelCase names, default values included."""
    return json_format.MessageToDict(message, always_print_fields_with_no_presence=True)


def parse_request(body: bytes | str | None, message_class):
    """A request message from its JSON form; HParamsError naming the problem otherwise."""
    name = message_class.DESCRIPTOR.name
    if not body:
        raise HParamsError(f"expected a JSON-formatted {name} as the request body, got nothing")
    try:
        fields = json.loads(body)
    except ValueError as error:
        raise HParamsError(f"expected a JSON-formatted {name}: {error}") from None
    if not isinstance(fields, dict):
        raise HParamsError(f"expected a JSON object holding a {name}, got {type(fields).__name__}")
    try:
        return json_format.ParseDict(fields, message_class())
    except json_format.ParseError as error:
        raise HParamsError(f"expected a JSON-formatted {name}: {error}") from None


def _plugin_data(content: bytes, field: str):
    """The `field` ("experiment", "session_start_info" or "session_end_info") of a tag's content."""
    try:
        data = plugin_data.HParamsPluginData.FromString(content)
    except Exception as error:  # noqa: BLE001 - protobuf's DecodeError and friends
        raise HParamsError(f"the hparams plugin data of a {field} tag cannot be decoded: {error}") from None
    if data.version != PLUGIN_DATA_VERSION:
        raise HParamsError(f"only hparams plugin data version {PLUGIN_DATA_VERSION} is supported; "
                           f"found version {data.version}")
    if not data.HasField(field):
        raise HParamsError(f"the hparams tag of {field} holds {data.WhichOneof('data') or 'no data'}")
    return getattr(data, field)


class HParamsData:
    """One snapshot of a provider's hparams and scalar tags, from which the routes' answers are
    computed. `contents` is {run: {tag: plugin content}} of the hparams plugin's tags (by default
    the provider's; board/data/run_names.py passes its own)."""

    def __init__(self, provider, contents: dict[str, dict[str, bytes]] | None = None):
        self.provider = provider
        if contents is None:
            contents = {run: {tag: info.plugin_content for tag, info in tags.items()}
                        for run, tags in provider.summary_tags(PLUGIN_NAME).items()}
        self.contents = contents
        # the logdir root first, as it is where the experiment usually is, then by name
        self.runs = sorted(self.contents, key=lambda run: (run != ".", run))
        self.session_runs = [run for run in self.runs if SESSION_START_INFO_TAG in self.contents[run]]

    # -- the experiment ----------------------------------------------------------------

    def experiment(self, include_metrics: bool = True, hparams_limit: int | None = None) -> api.Experiment:
        """The experiment tag's, else one gathered from the sessions; empty without either.
        Hyperparameters are ordered those that differ first, then by name; `hparams_limit` (when
        not 0) keeps the first that many."""
        experiment = None
        for run in self.runs:
            content = self.contents[run].get(EXPERIMENT_TAG)
            if content is not None:
                experiment = api.Experiment()
                experiment.CopyFrom(_plugin_data(content, "experiment"))
                if not include_metrics:
                    experiment.ClearField("metric_infos")
                break
        if experiment is None:
            infos = self._hparam_infos_from_sessions()
            if not infos:
                return api.Experiment()
            experiment = api.Experiment(hparam_infos=infos)
            if include_metrics:
                experiment.metric_infos.extend(api.MetricInfo(name=api.MetricName(group=group, tag=tag))
                                               for tag, group in self._metric_names())
        infos = sorted(experiment.hparam_infos, key=lambda info: (not info.differs, info.name))
        if hparams_limit:
            infos = infos[:hparams_limit]
        experiment.ClearField("hparam_infos")
        experiment.hparam_infos.extend(infos)
        return experiment

    def _hparam_infos_from_sessions(self) -> list[api.HParamInfo]:
        values: dict[str, list[struct_pb2.Value]] = {}
        for run in self.session_runs:
            start = _plugin_data(self.contents[run][SESSION_START_INFO_TAG], "session_start_info")
            for name, value in start.hparams.items():
                values.setdefault(name, []).append(value)
        infos = (_hparam_info(name, found) for name, found in values.items())
        return [info for info in infos if info is not None]

    def _metric_names(self) -> list[tuple[str, str]]:
        """Sorted (tag, group) of every scalar tag of a run that is a session's run or below one;
        the group is the run's path below the nearest such session run."""
        sessions = set(self.session_runs)
        names: set[tuple[str, str]] = set()
        for run, tags in self.provider.scalar_tags().items():
            session = _nearest_session(sessions, run)
            if session is None or not tags:
                continue
            group = posixpath.relpath(run, session)
            if group == "." and not run.endswith("."):
                group = ""
            names.update((tag, group) for tag in tags)
        return sorted(names)

    # -- sessions ----------------------------------------------------------------------

    def session_groups(self, request: api.ListSessionGroupsRequest) -> api.ListSessionGroupsResponse:
        """The session groups that pass the request's filters, sorted and paged as it asks."""
        if request.start_index < 0 or request.slice_size < 0:
            raise HParamsError("start_index and slice_size must not be negative; got "
                               f"{request.start_index} and {request.slice_size}")
        groups = self.filtered_groups(request)
        page = groups[request.start_index:request.start_index + request.slice_size]
        return api.ListSessionGroupsResponse(session_groups=page, total_size=len(groups))

    def filtered_groups(self, request: api.ListSessionGroupsRequest) -> list[api.SessionGroup]:
        include_metrics = not request.HasField("include_metrics") or request.include_metrics
        experiment = self.experiment(include_metrics)
        columns = [_Column(col) for col in request.col_params]
        groups = self._build_groups(request, experiment.metric_infos if include_metrics else [])
        groups = [g for g in groups if all(column.passes(g) for column in columns)]
        groups.sort(key=lambda g: g.name)
        for column in reversed(columns):  # stable sorts: the first column decides first
            column.sort(groups)
        if any(col.HasField("include_in_result") for col in request.col_params):
            keep = {col.hparam for col in request.col_params
                    if col.hparam and not (col.HasField("include_in_result") and not col.include_in_result)}
            for group in groups:
                for name in [name for name in group.hparams if name not in keep]:
                    del group.hparams[name]
        return groups

    def _build_groups(self, request, metric_infos) -> list[api.SessionGroup]:
        aggregate = _aggregator(request)
        allowed = set(request.allowed_statuses)
        groups: dict[str, api.SessionGroup] = {}
        for run in self.session_runs:
            tags = self.contents[run]
            start = _plugin_data(tags[SESSION_START_INFO_TAG], "session_start_info")
            session = api.Session(name=run, start_time_secs=start.start_time_secs, model_uri=start.model_uri,
                                  monitor_url=start.monitor_url,
                                  metric_values=self._metric_values(run, metric_infos))
            if SESSION_END_INFO_TAG in tags:
                end = _plugin_data(tags[SESSION_END_INFO_TAG], "session_end_info")
                session.status = end.status
                session.end_time_secs = end.end_time_secs
            if session.status not in allowed:
                continue
            name = start.group_name or run
            group = groups.get(name)
            if group is None:
                group = groups[name] = api.SessionGroup(name=name, monitor_url=start.monitor_url)
                for key, value in start.hparams.items():
                    if _json_safe(value):
                        group.hparams[key].CopyFrom(value)
            group.sessions.append(session)
        for group in groups.values():
            group.sessions.sort(key=lambda s: s.name)
            aggregate(group)
        return list(groups.values())

    def _metric_values(self, session: str, metric_infos) -> list[api.MetricValue]:
        """The last value of each metric the session's runs hold."""
        out = []
        for info in metric_infos:
            run, tag = metric_run_tag(session, info.name)
            last = self._last_scalar(run, tag)
            if last is not None:
                step, wall_time, value = last
                out.append(api.MetricValue(name=info.name, value=value, training_step=step,
                                           wall_time_secs=wall_time))
        return out

    def _last_scalar(self, run: str, tag: str) -> tuple[int, float, float] | None:
        from board.errors import NotFound

        try:
            series = self.provider.scalar_series(run, tag)
        except NotFound:
            return None
        if not len(series):
            return None
        step = int(series.steps[-1])
        step = max(-2**31, min(step, 2**31 - 1))  # the message's int32 field
        return step, float(series.wall_times[-1]), float(series.values[-1])


def metric_run_tag(session: str, metric: api.MetricName) -> tuple[str, str]:
    """The (run, tag) holding a metric of a session: run `session/group`."""
    run = posixpath.join(session, metric.group)
    return (run[:-1] if run.endswith("/") else run), metric.tag


def _nearest_session(sessions: set[str], run: str) -> str | None:
    """The longest of `sessions` that is `run` or a folder above it."""
    while run not in sessions:
        if not run:
            return None
        run = posixpath.dirname(run)
    return run


# -- hyperparameter values --------------------------------------------------------------------

_VALUE_TYPES = {"number_value": api.DATA_TYPE_FLOAT64, "string_value": api.DATA_TYPE_STRING,
                "bool_value": api.DATA_TYPE_BOOL}


def _json_safe(value: struct_pb2.Value) -> bool:
    """JSON has no NaN or infinite numbers: such hparam values are left out, as in TensorBoard."""
    if value.WhichOneof("kind") != "number_value":
        return True
    number = value.number_value
    return number == number and abs(number) != float("inf")


def _as_text(value: struct_pb2.Value) -> str:
    """A value as the text of a discrete domain entry: its JSON form, strings without quotes."""
    text = json_format.MessageToJson(value)
    return text[1:-1] if value.WhichOneof("kind") == "string_value" else text


def _hparam_info(name: str, values: list[struct_pb2.Value]) -> api.HParamInfo | None:
    """What the sessions' values of one hparam say about it: a type all of them fit (mixed types
    are strings), the domain, whether they differ. None when no value has a known type."""
    kinds = {_VALUE_TYPES[k] for k in (v.WhichOneof("kind") for v in values) if k in _VALUE_TYPES}
    if not kinds:
        return None
    kind = kinds.pop() if len(kinds) == 1 else api.DATA_TYPE_STRING
    info = api.HParamInfo(name=name, type=kind)
    if kind == api.DATA_TYPE_STRING:
        texts = sorted({_as_text(v) for v in values
                        if v.WhichOneof("kind") in _VALUE_TYPES and _json_safe(v)})
        info.domain_discrete.extend(texts)
        info.differs = len(texts) > 1
    elif kind == api.DATA_TYPE_BOOL:
        flags = sorted({v.bool_value for v in values})
        info.domain_discrete.extend(flags)
        info.differs = len(flags) > 1
    else:
        numbers = sorted(v.number_value for v in values)
        info.domain_interval.min_value = numbers[0]
        info.domain_interval.max_value = numbers[-1]
        info.differs = len(set(numbers)) > 1
    return info


def _python(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind in _VALUE_TYPES:
        return getattr(value, kind)
    return None


# -- filtering and sorting --------------------------------------------------------------------

def _metric_value(holder, name: api.MetricName) -> api.MetricValue | None:
    for metric in holder.metric_values:
        if metric.name.tag == name.tag and metric.name.group == name.group:
            return metric
    return None


class _Column:
    """One ColParams of a request: how to read its column from a group, filter and sort by it."""

    def __init__(self, col: api.ColParams):
        kind = col.WhichOneof("name")
        if kind is None:
            raise HParamsError("each colParams entry needs a 'metric' or an 'hparam'")
        if col.order not in (api.ORDER_UNSPECIFIED, api.ORDER_ASC, api.ORDER_DESC):
            raise HParamsError(f"unknown order {col.order} of column {self._label(col)}")
        self.col = col
        self.label = self._label(col)
        self.metric = col.metric if kind == "metric" else None
        self.test = self._filter(col)

    def value(self, group: api.SessionGroup) -> Any:
        """The column's value in `group` (Python bool, float or str), None when it has none."""
        if self.metric is not None:
            found = _metric_value(group, self.metric)
            return found.value if found is not None else None
        hparam = self.col.hparam
        return _python(group.hparams[hparam]) if hparam in group.hparams else None

    @staticmethod
    def _label(col: api.ColParams) -> str:
        if col.WhichOneof("name") == "metric":
            return f"metric {col.metric.group + '/' if col.metric.group else ''}{col.metric.tag!r}"
        return f"hparam {col.hparam!r}"

    def _filter(self, col: api.ColParams) -> Callable[[Any], bool] | None:
        kind = col.WhichOneof("filter")
        if kind == "filter_regexp":
            return self._regexp(col.filter_regexp)
        if kind == "filter_interval":
            low, high = col.filter_interval.min_value, col.filter_interval.max_value

            def within(value) -> bool:
                if not isinstance(value, int | float):
                    raise HParamsError(f"an interval filter needs numbers; {self.label} holds {value!r}")
                return low <= value <= high
            return within
        if kind == "filter_discrete":
            allowed = [_python(v) for v in col.filter_discrete.values]
            return lambda value: value in allowed
        return None

    def _regexp(self, pattern: str) -> Callable[[Any], bool]:
        if len(pattern) > MAX_REGEXP_LENGTH:
            raise HParamsError(f"filter_regexp of {self.label} is longer than {MAX_REGEXP_LENGTH} characters")
        options = re2.Options()
        options.log_errors = False
        options.max_mem = _REGEXP_MEMORY
        try:  # RE2 matches in linear time: no pattern can stall the server (board/patterns.py)
            compiled = re2.compile(pattern, options)
        except re2.error as error:
            raise HParamsError(f"filter_regexp of {self.label} is not a regular expression RE2 "
                               f"accepts: {error}") from None

        def matches(value) -> bool:
            if not isinstance(value, str):
                raise HParamsError(f"a regexp filter needs strings; {self.label} holds {value!r}")
            return compiled.search(value) is not None
        return matches

    def passes(self, group: api.SessionGroup) -> bool:
        col = self.col
        if self.test is None and not col.exclude_missing_values:
            return True
        value = self.value(group)
        if value is None:
            return not col.exclude_missing_values
        return self.test is None or self.test(value)

    def sort(self, groups: list[api.SessionGroup]) -> None:
        order = self.col.order
        if order == api.ORDER_UNSPECIFIED:
            return
        descending = order == api.ORDER_DESC
        # missing values go last (first with missing_values_first), whichever the direction
        missing_large = self.col.missing_values_first == descending

        def key(group):
            value = self.value(group)
            if value is None:
                return (missing_large, 0, 0)
            rank = 0 if isinstance(value, bool) else 1 if isinstance(value, float) else 2
            return (not missing_large, rank, value)
        groups.sort(key=key, reverse=descending)


# -- aggregation ------------------------------------------------------------------------------

def _aggregator(request: api.ListSessionGroupsRequest) -> Callable[[api.SessionGroup], None]:
    kind = request.aggregation_type
    if kind in (api.AGGREGATION_UNSET, api.AGGREGATION_AVG):
        return _average
    choosers: dict[int, Callable[..., tuple[float, int]]] = {
        api.AGGREGATION_MIN: min, api.AGGREGATION_MAX: max, api.AGGREGATION_MEDIAN: _lower_median}
    choose = choosers.get(kind)
    if choose is None:
        raise HParamsError(f"unknown aggregation_type {kind}; expected one of "
                           f"{', '.join(api.AggregationType.keys())}")
    metric = request.aggregation_metric

    def by_session(group: api.SessionGroup) -> None:
        """The group's metrics are those of the session whose `metric` is the min/max/median."""
        measured = [(m.value, i) for i, s in enumerate(group.sessions)
                    if (m := _metric_value(s, metric)) is not None]
        del group.metric_values[:]
        if measured:
            _, index = choose(measured, key=lambda pair: pair[0])
            group.metric_values.extend(group.sessions[index].metric_values)
    return by_session


def _lower_median(measured, key):
    ordered = sorted(measured, key=key)
    return ordered[(len(ordered) - 1) // 2]


def _average(group: api.SessionGroup) -> None:
    """Each metric any session has: the mean value, step (rounded down) and wall time."""
    sums: dict[tuple[str, str], list] = {}
    for session in group.sessions:
        for metric in session.metric_values:
            entry = sums.setdefault((metric.name.group, metric.name.tag), [[], 0, 0.0])
            entry[0].append(metric.value)
            entry[1] += metric.training_step
            entry[2] += metric.wall_time_secs
    del group.metric_values[:]
    for (name_group, tag), (values, steps, walls) in sums.items():
        count = len(values)
        group.metric_values.add(name=api.MetricName(group=name_group, tag=tag), value=sum(values) / count,
                                training_step=steps // count, wall_time_secs=walls / count)

