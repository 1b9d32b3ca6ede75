"""engine.summary.hparams writes the summaries TensorBoard's hparams APIs write (run under real
TensorFlow: `tensorboard.plugins.hparams.api` and the TF1-style `.summary` need it)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from engine.proto import hparams_plugin_data_pb2, summary_pb2
from engine.summary import hparams as hp

plugin_data_pb2 = hparams_plugin_data_pb2

# Each case: the same calls, as Python source run by both sides with `hp` bound to the module.
CASES = {
    "config": """hp.hparams_config_pb(
        hparams=[hp.HParam("lr", hp.Discrete([0.1, 0.001, 0.01])), hp.HParam("units", hp.Discrete([32, 16])),
                 hp.HParam("opt", hp.Discrete(["sgd", "adam"])), hp.HParam("bn", hp.Discrete([True, False])),
                 hp.HParam("drop", hp.RealInterval(0.1, 0.5)),
                 hp.HParam("n", hp.IntInterval(1, 5), display_name="N", description="layers"),
                 hp.HParam("free")],
        metrics=[hp.Metric("loss", group="eval", display_name="L", dataset_type=hp.Metric.VALIDATION),
                 hp.Metric("accuracy", description="top-1")],
        time_created_secs=5.0)""",
    "hparams": """hp.hparams_pb({"lr": 0.1, "units": 32, "opt": "adam", "bn": True}, trial_id="t1",
                                 start_time_secs=7.0)""",
    "hparams_objects": """hp.hparams_pb({hp.HParam("lr"): 0.5}, start_time_secs=8.0)""",
}
TF1_CASES = {
    "start": """hp.session_start_pb({"lr": 0.1, "act": "relu", "bn": False}, model_uri="/m", monitor_url="u",
                                     group_name="g", start_time_secs=9.0)""",
    "end": """hp.session_end_pb(api_pb2.STATUS_FAILURE, end_time_secs=10.0)""",
    "experiment": """hp.experiment_pb(
        hparam_infos=[api_pb2.HParamInfo(name="lr", type=api_pb2.DATA_TYPE_FLOAT64, display_name="LR")],
        metric_infos=[api_pb2.MetricInfo(name=api_pb2.MetricName(tag="loss"))], user="ada",
        description="d", time_created_secs=11.0)""",
}

_THEIRS = """
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
from tensorboard.plugins.hparams import api as hp_api, api_pb2, summary as hp_tf1
cases = json.loads(sys.argv[1])
out = {}
for name, (tf1, source) in cases.items():
    out[name] = eval(source, {"hp": hp_tf1 if tf1 else hp_api, "api_pb2": api_pb2}).SerializeToString().hex()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def theirs(tf_python, tmp_path_factory):
    import tensorboard

    # TensorBoard as this project's test extra has it, alone on the path of TensorFlow's Python
    path = tmp_path_factory.mktemp("tensorboard_only")
    (path / "tensorboard").symlink_to(Path(tensorboard.__file__).parent)
    cases = {name: (False, src) for name, src in CASES.items()}
    cases |= {name: (True, src) for name, src in TF1_CASES.items()}
    done = subprocess.run([tf_python, "-c", _THEIRS, json.dumps(cases)], capture_output=True, text=True,
                          timeout=300, check=True, env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"})
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(CASES) + sorted(TF1_CASES))
def test_summary_bytes_match_tensorboard(theirs, name):
    source = CASES.get(name) or TF1_CASES[name]
    ours = eval(source, {"hp": hp, "api_pb2": hp.api_pb2})
    expected = summary_pb2.Summary.FromString(bytes.fromhex(theirs[name]))
    # the same summary but for the plugin content, compared as a message: maps (hparams) have no
    # fixed order on the wire
    content = [plugin_data_pb2.HParamsPluginData.FromString(v.metadata.plugin_data.content) for v in
               (ours.value[0], expected.value[0])]
    assert content[0] == content[1]
    for summary in (ours, expected):
        summary.value[0].metadata.plugin_data.content = b""
    assert ours == expected
