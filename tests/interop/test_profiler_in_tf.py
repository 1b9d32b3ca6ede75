"""`tf.profiler.profile` prints what TensorFlow 2.21's tfprof prints and returns the same GraphNodeProto:
the MLP and the CNN of tests/engine/profiler_models.py, built in both, profiled with TF's ready-made
option sets (parameters, flops) and with the builder's setters (accounted types, order, depth, name
filters, trimming, extra columns)."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import subprocess
from pathlib import Path

import pytest
from google.protobuf import text_format

import engine as tf
from tests.engine import profiler_models
from tests.engine.profiler_models import (
    MODELS,
    op_view_option_sets,
    option_sets,
    profiler_reports,
    traced_option_sets,
)

ROOT = Path(__file__).resolve().parents[2]
Builder = tf.profiler.ProfileOptionBuilder

_TF_PROFILES = """
import base64, json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
sys.path.insert(0, sys.argv[1])
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
from tests.engine import profiler_models
from tests.engine.profiler_models import MODELS, option_sets, traced_option_sets
import numpy as np
Builder = tf.profiler.ProfileOptionBuilder


def profile_to_text(graph, cmd="scope", **kwargs):
    return captured(lambda: tf.profiler.profile(graph, cmd=cmd, **kwargs))


def captured(report):
    # tfprof prints from C: capture file descriptor 1 itself.
    sys.stdout.flush()
    saved = os.dup(1)
    with open(sys.argv[2], "w+") as capture:
        os.dup2(capture.fileno(), 1)
        try:
            proto = report()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        capture.seek(0)
        return capture.read(), base64.b64encode(proto.SerializeToString()).decode()


out = {}
for model in profiler_models.PROFILED_MODELS:
    build = MODELS[model]
    for name, options in option_sets(tf.profiler.ProfileOptionBuilder).items():
        with tf.Graph().as_default() as graph:
            build(tf)
            text, proto = profile_to_text(graph, options=options)
        out[f"{model}/{name}"] = {"text": text, "proto": proto}
    for name, options in profiler_models.graph_view_option_sets(Builder).items():
        with tf.Graph().as_default() as graph:
            build(tf)
            text, proto = profile_to_text(graph, cmd="graph", options=options)
        out[f"{model}/{name}"] = {"text": text, "proto": proto}
    for name, options in profiler_models.op_view_option_sets(Builder, traced=False).items():
        with tf.Graph().as_default() as graph:
            build(tf)
            text, proto = profile_to_text(graph, cmd="op", options=options)
        out[f"{model}/{name}"] = {"text": text, "proto": proto}
# A traced run of the MLP: its RunMetadata goes to the engine too, so both profile the same step stats.
with tf.Graph().as_default() as graph:
    x, y, init = MODELS["traced_mlp"](tf)
    with tf.Session() as sess:
        sess.run(init)
        run_meta = tf.RunMetadata()
        sess.run(y, {x: np.ones((5, 4), np.float32)},
                 options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=run_meta)
    out["run_meta"] = base64.b64encode(run_meta.SerializeToString()).decode()
    for name, options in traced_option_sets(tf.profiler.ProfileOptionBuilder).items():
        text, proto = profile_to_text(graph, run_meta=run_meta, options=options)
        out[f"traced/{name}"] = {"text": text, "proto": proto}
    for name, options in profiler_models.op_view_option_sets(Builder, traced=True).items():
        text, proto = profile_to_text(graph, cmd="op", run_meta=run_meta, options=options)
        out[f"traced/{name}"] = {"text": text, "proto": proto}
# an op log of the caller's own: written with write_op_log, and profiled by its types
from tensorflow.core.profiler import tfprof_log_pb2
with tf.Graph().as_default() as graph:
    MODELS["mlp"](tf)
    tf.profiler.write_op_log(graph, sys.argv[3], op_log=profiler_models.custom_op_log(tfprof_log_pb2),
                             add_trace=False)
    out["tfprof_log"] = base64.b64encode(open(os.path.join(sys.argv[3], "tfprof_log"), "rb").read()).decode()
    text, proto = profile_to_text(graph, op_log=profiler_models.custom_op_log(tfprof_log_pb2),
                                  options=profiler_models.op_log_options(Builder))
    out["op_log_profile"] = {"text": text, "proto": proto}
# tf.profiler.Profiler over two traced steps of batch 5 and 7, on a graph no profile() completed yet
with tf.Graph().as_default() as graph:
    x, y, init = MODELS["traced_mlp"](tf)
    steps = []
    with tf.Session() as sess:
        sess.run(init)
        for batch in (5, 7):
            steps.append(tf.RunMetadata())
            sess.run(y, {x: np.ones((batch, 4), np.float32)},
                     options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=steps[-1])
    out["profiler_steps"] = [base64.b64encode(m.SerializeToString()).decode() for m in steps]
    profiler = tf.profiler.Profiler(graph)
    for step, step_meta in enumerate(steps):
        profiler.add_step(step, step_meta)
    for name, (method, options) in profiler_models.profiler_reports(Builder).items():
        text, proto = captured(lambda: getattr(profiler, method)(options))
        out[f"profiler/{name}"] = {"text": text, "proto": proto}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def tf_profiles(tf_python, tmp_path_factory):
    work = tmp_path_factory.mktemp("tfprof")
    done = subprocess.run([tf_python, "-c", _TF_PROFILES, str(ROOT), str(work / "stdout.txt"), str(work)],
                          capture_output=True,
                          text=True, timeout=600, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _engine_profile(model, options, run_meta=None, cmd="scope"):
    with tf.Graph().as_default() as graph:
        MODELS[model](tf)
        text, errors = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(text), contextlib.redirect_stderr(errors):
            proto = tf.profiler.profile(graph, run_meta=run_meta, cmd=cmd, options=options)
    return text.getvalue(), proto, errors.getvalue()


def _assert_same(text, proto, theirs, kind=tf.profiler.GraphNodeProto):
    assert text == theirs["text"]
    assert isinstance(proto, kind)
    # TF's answer read into our message (same field numbers) equals ours, field by field.
    expected = kind.FromString(base64.b64decode(theirs["proto"]))
    assert proto == expected, text_format.MessageToString(expected)


@pytest.mark.parametrize("model", profiler_models.PROFILED_MODELS)
@pytest.mark.parametrize("name", sorted(option_sets(tf.profiler.ProfileOptionBuilder)))
def test_report_and_proto_are_tensorflows(tf_profiles, model, name):
    options = option_sets(tf.profiler.ProfileOptionBuilder)[name]
    text, proto, _ = _engine_profile(model, options)
    _assert_same(text, proto, tf_profiles[f"{model}/{name}"])


@pytest.mark.parametrize("name", sorted(traced_option_sets(tf.profiler.ProfileOptionBuilder)))
def test_time_and_memory_of_tensorflows_run_metadata(tf_profiles, name):
    """TF's own RunMetadata (read by our RunMetadata class) profiled on the engine's MLP graph."""
    run_meta = tf.RunMetadata.FromString(base64.b64decode(tf_profiles["run_meta"]))
    options = traced_option_sets(tf.profiler.ProfileOptionBuilder)[name]
    text, proto, _ = _engine_profile("traced_mlp", options, run_meta=run_meta)
    _assert_same(text, proto, tf_profiles[f"traced/{name}"])


def test_incomplete_shapes_are_counted_on_stderr():
    _, _, errors = _engine_profile("mlp", tf.profiler.ProfileOptionBuilder.float_operation())
    # matmul, add, matmul_1 and add_1 depend on the unknown batch size
    assert errors == "4 ops no flops stats due to incomplete shapes.\n"


@pytest.mark.parametrize("model", profiler_models.PROFILED_MODELS)
@pytest.mark.parametrize("name", sorted(op_view_option_sets(tf.profiler.ProfileOptionBuilder, traced=False)))
def test_op_view_is_tensorflows(tf_profiles, model, name):
    options = op_view_option_sets(tf.profiler.ProfileOptionBuilder, traced=False)[name]
    text, proto, _ = _engine_profile(model, options, cmd="op")
    _assert_same(text, proto, tf_profiles[f"{model}/{name}"], tf.profiler.MultiGraphNodeProto)


@pytest.mark.parametrize("name", sorted(op_view_option_sets(tf.profiler.ProfileOptionBuilder, traced=True)))
def test_op_view_of_tensorflows_run_metadata(tf_profiles, name):
    run_meta = tf.RunMetadata.FromString(base64.b64decode(tf_profiles["run_meta"]))
    options = op_view_option_sets(tf.profiler.ProfileOptionBuilder, traced=True)[name]
    text, proto, _ = _engine_profile("traced_mlp", options, run_meta=run_meta, cmd="op")
    _assert_same(text, proto, tf_profiles[f"traced/{name}"], tf.profiler.MultiGraphNodeProto)


@pytest.mark.parametrize("name", sorted(profiler_reports(tf.profiler.ProfileOptionBuilder)))
def test_profiler_over_tensorflows_steps(tf_profiles, name):
    """tf.profiler.Profiler with TF's RunMetadata of two steps, reported per step and as their mean."""
    method, options = profiler_reports(tf.profiler.ProfileOptionBuilder)[name]
    with tf.Graph().as_default() as graph:
        MODELS["traced_mlp"](tf)
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors):
            profiler = tf.profiler.Profiler(graph)
        for step, step_meta in enumerate(tf_profiles["profiler_steps"]):
            profiler.add_step(step, tf.RunMetadata.FromString(base64.b64decode(step_meta)))
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            proto = getattr(profiler, method)(options)
    kind = tf.profiler.MultiGraphNodeProto if method == "profile_operations" else tf.profiler.GraphNodeProto
    _assert_same(text.getvalue(), proto, tf_profiles[f"profiler/{name}"], kind)


def test_write_op_log_and_profile_by_its_types(tf_profiles, tmp_path):
    """write_op_log writes the OpLogProto TF writes; profile(op_log=...) accounts by its types as TF does."""
    with tf.Graph().as_default() as graph:
        MODELS["mlp"](tf)
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors):
            tf.profiler.write_op_log(graph, str(tmp_path), op_log=profiler_models.custom_op_log(tf.profiler),
                                     add_trace=False)
    written = tf.profiler.OpLogProto.FromString((tmp_path / "tfprof_log").read_bytes())
    assert written == tf.profiler.OpLogProto.FromString(base64.b64decode(tf_profiles["tfprof_log"]))
    assert errors.getvalue() == "4 ops no flops stats due to incomplete shapes.\n"
    with tf.Graph().as_default() as graph:
        MODELS["mlp"](tf)
        text = io.StringIO()
        with contextlib.redirect_stdout(text), contextlib.redirect_stderr(io.StringIO()):
            proto = tf.profiler.profile(graph, op_log=profiler_models.custom_op_log(tf.profiler),
                                        options=profiler_models.op_log_options(tf.profiler.ProfileOptionBuilder))
    _assert_same(text.getvalue(), proto, tf_profiles["op_log_profile"])


@pytest.mark.parametrize("model", profiler_models.PROFILED_MODELS)
@pytest.mark.parametrize("name", sorted(profiler_models.graph_view_option_sets(Builder)))
def test_graph_view_is_tensorflows(tf_profiles, model, name):
    options = profiler_models.graph_view_option_sets(Builder)[name]
    text, proto, _ = _engine_profile(model, options, cmd="graph")
    _assert_same(text, proto, tf_profiles[f"{model}/{name}"])
