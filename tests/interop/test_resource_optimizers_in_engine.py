"""The `ResourceApply*` kernels of the newer optimizers run TensorFlow's own graphs: real TensorFlow 2.21
builds the regression of tests/fixtures/optimizers/optimizer_cases.py with resource variables, trained by
FtrlOptimizer (ApplyFtrl and ApplyFtrlV2), AdagradDAOptimizer, ProximalGradientDescentOptimizer and
ProximalAdagradOptimizer, and reports its variables after five steps; the engine imports each GraphDef,
runs the same five steps and must agree."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest

import engine as tf

CASES = ["ftrl", "ftrl_shrinkage", "adagrad_da_l1_l2", "proximal_gd_l1_l2", "proximal_adagrad_l1_l2"]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "optimizers"

TF_SCRIPT = textwrap.dedent("""
    import json, os, sys
    import numpy as np
    import tensorflow.compat.v1 as tf
    sys.path.insert(0, sys.argv[1])
    from optimizer_cases import CASES, STEPS, data
    tf.disable_v2_behavior()
    tf.enable_resource_variables()
    out = {}
    for case in json.loads(sys.argv[3]):
        cls_name, kwargs = CASES[case]
        x, y, w0 = data()
        graph = tf.Graph()
        with graph.as_default():
            w = tf.Variable(w0, name="w")
            b = tf.Variable(np.zeros(2, np.float32), name="b")
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
            step = tf.train.get_or_create_global_step()
            cls = getattr(tf.train, cls_name)
            opt = cls(global_step=step, **kwargs) if cls_name == "AdagradDAOptimizer" else cls(**kwargs)
            train = opt.minimize(loss, global_step=step, name="train")
            names = sorted(v.op.name for v in tf.global_variables())
            reads = [tf.identity(v.read_value(), name="final_value_%d" % i)
                     for i, v in enumerate(sorted(tf.global_variables(), key=lambda v: v.op.name))]
            tf.group(*[v.initializer for v in tf.global_variables()], name="init")
            with tf.Session() as sess:
                sess.run("init")
                for _ in range(STEPS):
                    sess.run(train)
                values = sess.run(reads)
            path = os.path.join(sys.argv[2], case + ".pb")
            with open(path, "wb") as f:
                f.write(graph.as_graph_def().SerializeToString())
            out[case] = {"names": names, "types": sorted({op.type for op in graph.get_operations()
                                                          if op.type.startswith("ResourceApply")}),
                         "values": [np.asarray(v).tolist() for v in values]}
    print(json.dumps(out))
""")


@pytest.fixture(scope="module")
def tensorflow_runs(tf_python, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("resource_optimizers")
    script = out_dir / "run.py"
    script.write_text(TF_SCRIPT)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH="")
    done = subprocess.run([tf_python, str(script), str(FIXTURES), str(out_dir), json.dumps(CASES)],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return out_dir, json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", CASES)
def test_engine_trains_tensorflows_resource_graph_to_the_same_values(tensorflow_runs, case):
    out_dir, theirs = tensorflow_runs
    assert theirs[case]["types"], "TensorFlow used no ResourceApply* op"
    graph_def = tf.GraphDef()
    graph_def.ParseFromString((out_dir / f"{case}.pb").read_bytes())
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="")
        reads = [graph.get_tensor_by_name(f"final_value_{i}:0") for i in range(len(theirs[case]["names"]))]
        with tf.Session() as sess:
            sess.run("init")
            for _ in range(5):
                sess.run("train")
            ours = sess.run(reads)
    for name, mine, expected in zip(theirs[case]["names"], ours, theirs[case]["values"], strict=True):
        np.testing.assert_allclose(mine, expected, rtol=2e-5, atol=1e-6, err_msg=f"{case} {name}")
