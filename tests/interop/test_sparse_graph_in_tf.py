"""The engine's sparse graphs load and run in TensorFlow: every sparse op of tests/fixtures/sparse's models
(SparseTensor ops and their gradients, embedding_lookup_sparse, the seeded candidate samplers, nce_loss
and sampled_softmax_loss), written as a GraphDef by the engine, imported by TF 2.21 and run with the same
feeds, gives the engine's values."""

from __future__ import annotations

import base64
import json
import subprocess

import numpy as np

import engine as tf
from engine.proto.example_pb2 import Example, SequenceExample
from tests.engine.sparse_models import load

_TF_RUNS = """
import base64, json, sys
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
graph_def = tf.GraphDef()
graph_def.ParseFromString(open(sys.argv[1], "rb").read())
tf.import_graph_def(graph_def, name="")
spec = json.load(open(sys.argv[2]))
graph = tf.get_default_graph()
with tf.Session() as sess:
    feed = {graph.get_tensor_by_name(k): v for k, v in spec["feed"].items()}
    feed |= {graph.get_tensor_by_name(k): [base64.b64decode(r) for r in v] for k, v in spec["bytes"].items()}
    values = sess.run({k: graph.get_tensor_by_name(n) for k, n in spec["fetch"].items()}, feed)
out = {}
for k, v in values.items():
    v = np.asarray(v)
    out[k] = [x.decode() if isinstance(x, bytes) else x for x in v.reshape(-1).tolist()]
print(json.dumps(out))
"""


def test_tensorflow_runs_our_sparse_graphs(tmp_path, tf_python):
    with tf.Graph().as_default() as graph:
        feeds, out, grads = load("sparse_model").build(tf)
        sampled = load("sampling_model").build(tf, tf.random)
        embedded, embedded_grads = load("embedding_model").build(tf)
        parse_feeds, parsed = load("parsing_model").build(tf, Example, SequenceExample)
        fetch = {k: v.name for k, v in {**grads, **embedded_grads}.items()}
        fetch |= {f"{k}/{i}": t.name for k, parts in sampled.items() for i, t in enumerate(parts)}
        for group, tensors in parsed.items():
            for key, t in tensors.items():
                parts = (t.indices, t.values, t.dense_shape) if isinstance(t, tf.SparseTensor) else (t,)
                fetch |= {f"{group}/{key}/{i}": p.name for i, p in enumerate(parts)}
        feed = {}
        for key, value in feeds.items():
            for part, v in zip((key.indices, key.values, key.dense_shape), value, strict=True):
                feed[part.name] = np.asarray(v).tolist()
        (serialized, records), = parse_feeds.items()
        with tf.Session() as sess:
            ours = sess.run({k: graph.get_tensor_by_name(n) for k, n in fetch.items()},
                            {graph.get_tensor_by_name(k): v for k, v in feed.items()} | {serialized: records})
        (tmp_path / "graph.pb").write_bytes(graph.as_graph_def().SerializeToString())
    encoded = {serialized.name: [base64.b64encode(r).decode() for r in records]}
    (tmp_path / "spec.json").write_text(json.dumps({"fetch": fetch, "feed": feed, "bytes": encoded}))
    command = [tf_python, "-c", _TF_RUNS, str(tmp_path / "graph.pb"), str(tmp_path / "spec.json")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(theirs) == sorted(ours)
    for key, value in ours.items():
        flat = [x.decode() if isinstance(x, bytes) else x for x in np.asarray(value).reshape(-1).tolist()]
        if flat and isinstance(flat[0], str):
            assert flat == theirs[key], key
        else:
            np.testing.assert_allclose(np.asarray(flat, float), np.asarray(theirs[key], float), rtol=1e-5,
                                       atol=1e-6, err_msg=key)
