"""Random ops give TensorFlow's own numbers: every value of the real-TF fixtures, bit for bit.

shared/fixtures/real/random/random_values.json was written by TF 2.21 (tf.compat.v1,
disable_v2_behavior) for 13 graph-seed/op-seed/shape cases, two runs each; tests/fixtures/random/ holds
more cases made the same way by tests/fixtures/random/make_random_cases.py.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import pathlib

import numpy as np
import pytest

import engine as tf
from tests.conftest import REAL_FIXTURES

REAL = REAL_FIXTURES / "random" / "random_values.json"
HERE = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "random"


def _build_public_case(shape, op_seed):
    """The graph gen_random.py builds, in the same order (op-derived seeds depend on it)."""
    ops = {
        "random_uniform": tf.random_uniform(shape, seed=op_seed),
        "random_uniform_range": tf.random_uniform(shape, minval=-2.0, maxval=3.0, seed=op_seed),
        "random_uniform_f64": tf.random_uniform(shape, dtype=tf.float64, seed=op_seed),
        "random_uniform_int": tf.random_uniform(shape, minval=0, maxval=10, dtype=tf.int32, seed=op_seed),
        "random_uniform_int64": tf.random_uniform(
            shape, minval=-5, maxval=1000, dtype=tf.int64, seed=op_seed
        ),
        "random_normal": tf.random_normal(shape, seed=op_seed),
        "random_normal_ms": tf.random_normal(shape, mean=1.0, stddev=0.5, seed=op_seed),
        "random_normal_f64": tf.random_normal(shape, dtype=tf.float64, seed=op_seed),
        "truncated_normal": tf.truncated_normal(shape, seed=op_seed),
        "truncated_normal_f64": tf.truncated_normal(shape, dtype=tf.float64, stddev=2.0, seed=op_seed),
        "random_shuffle": tf.random_shuffle(tf.range(int(np.prod(shape))), seed=op_seed),
    }
    with tf.variable_scope("v"):
        ops["get_variable_default"] = tf.get_variable("w", shape)
        glorot = tf.glorot_normal_initializer(seed=op_seed)
        ops["glorot_normal"] = tf.get_variable("g", shape, initializer=glorot)
        ops["he_uniform"] = tf.get_variable("h", shape, initializer=tf.initializers.he_uniform(seed=op_seed))
        ops["trunc_init"] = tf.get_variable(
            "t", shape, initializer=tf.truncated_normal_initializer(stddev=0.1, seed=op_seed)
        )
    ops["dropout"] = tf.nn.dropout(tf.ones(shape), rate=0.5, seed=op_seed)
    return ops


def _check_case(case, ops):
    for key, tensor in ops.items():
        assert tensor.name == case["names"][key], key
    # With neither a graph seed nor an op seed, TF's own values are fresh entropy: nothing to compare.
    unseeded = {"get_variable_default"} if case["graph_seed"] is None else set()
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        for run in case["runs"]:
            sess.run(init)
            fetches = {k: (v.read_value() if isinstance(v, tf.Variable) else v) for k, v in ops.items()}
            got = sess.run(fetches)
            for key, want in run.items():
                if key in unseeded:
                    continue
                expected = np.array(want["values"], dtype=want["dtype"]).reshape(want["shape"])
                value = np.asarray(got[key])
                assert value.dtype == expected.dtype, key
                assert value.shape == expected.shape, key
                # Compare bit patterns: equal floats that differ in the last bit must fail.
                assert value.tobytes() == expected.tobytes(), (key, value.ravel()[:6], expected.ravel()[:6])


_REAL_CASES = json.loads(REAL.read_text())["cases"]


def _case_id(case):
    return f"g{case['graph_seed']}-s{case['op_seed']}-{case['shape']}"


@pytest.mark.parametrize("case", _REAL_CASES, ids=_case_id)
def test_real_fixture_case_bit_for_bit(case):
    tf.reset_default_graph()
    if case["graph_seed"] is not None:
        tf.set_random_seed(case["graph_seed"])
    _check_case(case, _build_public_case(tuple(case["shape"]), case["op_seed"]))


def _builders_module():
    spec = importlib.util.spec_from_file_location("random_cases_builders", HERE / "cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sha256(value):
    return hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()


def _load_local_cases():
    builders = {name: builder for name, _, builder in _builders_module().CASES}
    cases = json.loads((HERE / "random_cases.json").read_text())["cases"]
    return [(case, builders[case["name"]]) for case in cases]


def _assert_bits(got, want, key):
    expected = np.array(want["values"], dtype=want["dtype"]).reshape(want["shape"])
    value = np.asarray(got)
    assert value.dtype == expected.dtype and value.shape == expected.shape, key
    assert value.tobytes() == expected.tobytes(), (key, value.ravel()[:6], expected.ravel()[:6])


def _local_id(x):
    return x["name"] if isinstance(x, dict) else ""


@pytest.mark.parametrize(("case", "builder"), _load_local_cases(), ids=_local_id)
def test_generated_case_matches_tf(case, builder):
    """float16/64, int edges, shuffles, multinomial, every initializer, dropout variants: TF's graph (every
    node's name and type), TF's values on three runs of one session, and again in a new session."""
    tf.reset_default_graph()
    tf.set_random_seed(case["graph_seed"])
    ops = builder(tf)
    init = tf.global_variables_initializer()
    fetches = {k: (v.read_value() if isinstance(v, tf.Variable) else v) for k, v in ops.items()}
    nodes = [[op.name, op.type] for op in tf.get_default_graph().get_operations()]
    assert nodes == case["nodes"]
    assert {k: v.name for k, v in ops.items()} == case["names"]
    with tf.Session() as sess:
        for run in case["runs"]:
            sess.run(init)
            got = sess.run(fetches)
            for key, want in run.items():
                _assert_bits(got[key], want, key)
    with tf.Session() as sess:
        sess.run(init)
        got = sess.run(fetches)
        for key, want in case["new_session"].items():
            _assert_bits(got[key], want, key)


def test_large_outputs_match_tf_digests():
    """Past the 16384-block chunk the engine works in: TF's bytes (as SHA-256) for two runs of each op."""
    cases = json.loads((HERE / "random_large_sha256.json").read_text())["cases"]
    builders = {name: builder for name, _, builder in _builders_module().LARGE_CASES}
    for case in cases:
        tf.reset_default_graph()
        tf.set_random_seed(case["graph_seed"])
        ops = builders[case["name"]](tf)
        with tf.Session() as sess:
            for want in case["runs"]:
                got = sess.run(ops)
                assert {k: _sha256(v) for k, v in got.items()} == want


def test_stream_survives_kernel_recompiles():
    """The generator lives in the session's runtime: recompiled kernels continue TF's stream."""
    case = _REAL_CASES[0]
    tf.reset_default_graph()
    tf.set_random_seed(case["graph_seed"])
    ops = _build_public_case(tuple(case["shape"]), case["op_seed"])
    with tf.Session() as sess:
        first = sess.run(ops["random_uniform"])
        sess._runtime.forget_kernels()  # what a graph rewrite between runs does
        second = sess.run(ops["random_uniform"])
    want = [np.array(run["random_uniform"]["values"], np.float32) for run in case["runs"]]
    assert first.tobytes() == want[0].tobytes() and second.tobytes() == want[1].tobytes()
