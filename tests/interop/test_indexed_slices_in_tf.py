"""Sparse gradients against real TensorFlow 2.21 (`tf.compat.v1`, v2 behaviour off): the same embedding +
dense model, trained some steps by each optimizer, builds the same graph (node names, types and inputs:
``gradients/embedding_lookup_grad/Reshape``, ``Momentum/update_embedding/Unique``,
``.../SparseApplyMomentum``) and ends with the same variables and slots, under the engine and under TF;
the IndexedSlices of `tf.gradients` (fetched as IndexedSlicesValue), their aggregation, conversion and
clipping give TF's values and graphs; and the engine's GraphDef of a sparse training step imports into TF
and trains there to the engine's numbers.

TF runs every case in one subprocess of the suite's ``tf_python`` (tests/conftest.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap

import numpy as np
import pytest

import engine

# The model: ids with a repeat (row 3 twice) and a row never looked up (its slots must not move where
# the optimizer's sparse kernel touches only the rows present).  Initial values are fixed arrays.
MODEL = """
import numpy as np
ids_value = np.array([[1, 3], [3, 7], [0, 5]], np.int32)
labels_value = np.array([2, 0, 1], np.int32)
def build(make_optimizer):
    emb0 = (np.arange(40, dtype=np.float32).reshape(10, 4) % 7 - 3) / 5
    w0 = (np.arange(24, dtype=np.float32).reshape(8, 3) % 5 - 2) / 4
    emb = tf.Variable(emb0, name="embedding")
    w = tf.Variable(w0, name="dense/kernel")
    ids = tf.placeholder(tf.int32, [None, 2], name="ids")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    looked_up = tf.nn.embedding_lookup(emb, ids)
    flat = tf.reshape(looked_up, [-1, 8])
    logits = tf.matmul(flat, w)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    step = tf.train.get_or_create_global_step()
    opt = make_optimizer(step)
    train = opt.minimize(loss, global_step=step)
    return emb, w, ids, labels, loss, opt, train
"""

OPTIMIZERS = {
    "gradient_descent": "tf.train.GradientDescentOptimizer(0.5)",
    "momentum": "tf.train.MomentumOptimizer(0.3, 0.9)",
    "momentum_nesterov": "tf.train.MomentumOptimizer(0.3, 0.9, use_nesterov=True)",
    "adagrad": "tf.train.AdagradOptimizer(0.4)",
    "rmsprop": "tf.train.RMSPropOptimizer(0.05, momentum=0.5)",
    "rmsprop_centered": "tf.train.RMSPropOptimizer(0.05, momentum=0.5, centered=True)",
    "adam": "tf.train.AdamOptimizer(0.1)",
    "adadelta": "tf.train.AdadeltaOptimizer(1.0)",
    "ftrl": "tf.train.FtrlOptimizer(0.3, l1_regularization_strength=0.01, l2_regularization_strength=0.02)",
    "ftrl_shrinkage": "tf.train.FtrlOptimizer(0.3, l2_shrinkage_regularization_strength=0.05)",
    "proximal_gd": "tf.train.ProximalGradientDescentOptimizer(0.5, l1_regularization_strength=0.01, "
                   "l2_regularization_strength=0.02)",
    "proximal_adagrad": "tf.train.ProximalAdagradOptimizer(0.4, l1_regularization_strength=0.01, "
                        "l2_regularization_strength=0.02)",
    "adagrad_da": "tf.train.AdagradDAOptimizer(0.4, step, l1_regularization_strength=0.01, "
                  "l2_regularization_strength=0.02)",
}
STEPS = 4

# Runs one case with `tf` bound to either library: the graph's nodes, then the variables and slots
# after the training steps (each as a list), and the loss of every step.
TRAIN = MODEL + """
def train_case(expr, steps):
    g = tf.Graph()
    with g.as_default():
        emb, w, ids, labels, loss, opt, train = build(lambda step: eval(expr))
        nodes = [[o.name, o.type, [i.name for i in o.inputs]] for o in g.get_operations()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = [float(sess.run([loss, train], {ids: ids_value, labels: labels_value})[0])
                      for _ in range(steps)]
            state = {v.op.name: sess.run(v).tolist() for v in tf.global_variables()}
    return {"nodes": nodes, "losses": losses, "state": state}
"""

# Gradients as IndexedSlices: fetched values, the aggregation of several (and with a dense one), the
# conversion to a dense Tensor, clipping; the graph nodes of each.
GRADIENTS = """
import numpy as np
def gradients_case():
    out = {}
    g = tf.Graph()
    with g.as_default():
        params = tf.Variable(np.arange(15, dtype=np.float32).reshape(5, 3), name="params")
        a = tf.gather(params, [4, 0, 4])
        b = tf.nn.embedding_lookup(params, [[1], [4]])
        sparse_only = tf.reduce_sum(a * 2.0) + tf.reduce_sum(tf.square(b))
        g_sparse, = tf.gradients(sparse_only, [params])
        out["sparse_type"] = type(g_sparse).__name__
        out["sparse_shape"] = str(g_sparse.shape)
        out["sparse_names"] = [g_sparse.values.name, g_sparse.indices.name, g_sparse.dense_shape.name]
        mixed = sparse_only + tf.reduce_sum(params * 3.0)
        g_mixed, = tf.gradients(mixed, [params])
        out["mixed_type"] = "IndexedSlices" if hasattr(g_mixed, "indices") else "Tensor"
        dense = tf.convert_to_tensor(g_sparse)
        clipped = tf.clip_by_norm(g_sparse, 1.5)
        (gclip,), norm = tf.clip_by_global_norm([g_sparse], 2.0)
        out["clipped_type"] = [type(clipped).__name__, type(gclip).__name__]
        # an IndexedSlices reaching a Reshape's gradient (and an Identity's) is densified there
        rows = tf.gather(tf.identity(tf.reshape(params, [15, 1])), [3, 3, 14])
        g_reshape, = tf.gradients(tf.reduce_sum(rows * rows), [params])
        out["nodes"] = [[o.name, o.type, [i.name for i in o.inputs]] for o in g.get_operations()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            value = sess.run(g_sparse)
            out["fetched_type"] = type(value).__name__
            out["fetched"] = [value.values.tolist(), value.indices.tolist(), value.dense_shape.tolist()]
            out["mixed"] = sess.run(g_mixed).tolist()
            out["dense"] = sess.run(dense).tolist()
            c = sess.run(clipped)
            out["clipped"] = [c.values.tolist(), c.indices.tolist()]
            out["global"] = [sess.run(gclip).values.tolist(), float(sess.run(norm))]
            out["reshape"] = [hasattr(g_reshape, "indices"), sess.run(g_reshape).tolist()]
    return out
"""

TF_SCRIPT = """
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
""" + TRAIN + GRADIENTS + """
cases = json.loads(sys.argv[1])
result = {name: train_case(expr, int(sys.argv[2])) for name, expr in cases.items()}
result["__gradients__"] = gradients_case()
print(json.dumps(result))
"""


def _run_engine(source, call):
    namespace = {"tf": engine}
    exec(compile(source, "<case>", "exec"), namespace)  # noqa: S102 - the test's own model source
    return json.loads(json.dumps(eval(call, namespace)))


@pytest.fixture(scope="module")
def tf_results(tf_python):
    done = subprocess.run([tf_python, "-c", TF_SCRIPT, json.dumps(OPTIMIZERS), str(STEPS)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", sorted(OPTIMIZERS))
def test_sparse_training_builds_tfs_graph_and_values(case, tf_results):
    mine = _run_engine(TRAIN, f"train_case({OPTIMIZERS[case]!r}, {STEPS})")
    theirs = tf_results[case]
    assert mine["nodes"] == theirs["nodes"]
    np.testing.assert_allclose(mine["losses"], theirs["losses"], rtol=2e-5, atol=1e-6)
    assert sorted(mine["state"]) == sorted(theirs["state"])
    for name, value in theirs["state"].items():
        np.testing.assert_allclose(mine["state"][name], value, rtol=2e-5, atol=1e-6, err_msg=f"{case} {name}")


def test_gradients_are_tfs_indexed_slices(tf_results):
    mine = _run_engine(GRADIENTS, "gradients_case()")
    theirs = tf_results["__gradients__"]
    for key in ("sparse_type", "sparse_shape", "sparse_names", "mixed_type", "clipped_type", "fetched_type",
                "nodes"):
        assert mine[key] == theirs[key], key
    for key in ("fetched", "mixed", "dense", "clipped", "global", "reshape"):
        assert json.dumps(mine[key]) == json.dumps(theirs[key]), key


IMPORT_SCRIPT = textwrap.dedent("""
    import json, os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
    graph_def = tf.GraphDef()
    with open(sys.argv[1], "rb") as f:
        graph_def.ParseFromString(f.read())
    args = json.loads(sys.argv[2])
    with tf.Graph().as_default() as g:
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            sess.run(args["init"])
            feeds = {g.get_tensor_by_name(k): np.array(v, np.int32) for k, v in args["feeds"].items()}
            for _ in range(args["steps"]):
                sess.run(args["train"], feeds)
            print(json.dumps({n: sess.run(n).tolist() for n in args["fetch"]}))
""")


def test_engine_graph_def_trains_in_tf(tf_python, tmp_path):
    """The engine's sparse Momentum step (Unique, UnsortedSegmentSum, SparseApplyMomentum) as a GraphDef:
    TF imports it and its steps move the variables as the engine's do."""
    namespace = {"tf": engine}
    exec(compile(MODEL, "<model>", "exec"), namespace)  # noqa: S102 - the test's own model source
    graph = engine.Graph()
    with graph.as_default():
        emb, w, ids, labels, _, opt, train = namespace["build"](
            lambda step: engine.train.MomentumOptimizer(0.3, 0.9))
        init = engine.global_variables_initializer()
        fetch = [emb.op.name + ":0", opt.get_slot(emb, "momentum").op.name + ":0", w.op.name + ":0"]
        feeds = {ids.name: namespace["ids_value"], labels.name: namespace["labels_value"]}
        with engine.Session() as sess:
            sess.run(init)
            for _ in range(STEPS):
                sess.run(train, feeds)
            mine = {n: sess.run(n).tolist() for n in fetch}
        path = tmp_path / "graph.pb"
        path.write_bytes(graph.as_graph_def().SerializeToString())
    assert "SparseApplyMomentum" in {n.op for n in graph.as_graph_def().node}
    args = {"init": init.name, "train": train.name, "steps": STEPS, "fetch": fetch,
            "feeds": {k: v.tolist() for k, v in feeds.items()}}
    done = subprocess.run([tf_python, "-c", IMPORT_SCRIPT, str(path), json.dumps(args)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    for name in fetch:
        np.testing.assert_allclose(mine[name], theirs[name], rtol=2e-5, atol=1e-6, err_msg=name)


# TF with resource variables (what TF 2.x writes): the same model's GraphDef (ResourceGather, its
# IndexedSlices gradient, ResourceSparseApply* / ResourceScatterAdd) and TF's values after the steps.
RESOURCE_CASES = {"gradient_descent": "ResourceScatterAdd", "momentum": "ResourceSparseApplyMomentum",
                  "adagrad": "ResourceSparseApplyAdagrad", "adam": "ResourceScatterAdd",
                  "rmsprop_centered": "ResourceSparseApplyCenteredRMSProp", "ftrl": "ResourceSparseApplyFtrl"}
RESOURCE_SCRIPT = """
import base64, json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
tf.enable_resource_variables()
""" + MODEL + """
out = {}
for name, expr in json.loads(sys.argv[1]).items():
    g = tf.Graph()
    with g.as_default():
        emb, w, ids, labels, loss, opt, train = build(lambda step: eval(expr))
        init = tf.global_variables_initializer()
        reads = {v.op.name: v.read_value().name for v in tf.global_variables()}
        types = sorted({o.type for o in g.get_operations()})
        graph_def = base64.b64encode(g.as_graph_def().SerializeToString()).decode()
        with tf.Session() as sess:
            sess.run(init)
            feeds = {ids: ids_value, labels: labels_value}
            losses = [float(sess.run([loss, train], feeds)[0]) for _ in range(int(sys.argv[2]))]
            values = {k: sess.run(v).tolist() for k, v in reads.items()}
    out[name] = {"graph_def": graph_def, "init": init.name, "train": train.name, "loss": loss.name,
                 "reads": reads, "values": values, "losses": losses, "types": types,
                 "feeds": {ids.name: ids_value.tolist(), labels.name: labels_value.tolist()}}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def tf_resource_graphs(tf_python):
    cases = {name: OPTIMIZERS[name] for name in RESOURCE_CASES}
    done = subprocess.run([tf_python, "-c", RESOURCE_SCRIPT, json.dumps(cases), str(STEPS)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", sorted(RESOURCE_CASES))
def test_tfs_resource_variable_sparse_training_runs_here(case, tf_resource_graphs):
    import base64

    theirs = tf_resource_graphs[case]
    assert {"ResourceGather", RESOURCE_CASES[case]} <= set(theirs["types"])
    graph_def = engine.GraphDef()
    graph_def.ParseFromString(base64.b64decode(theirs["graph_def"]))
    with engine.Graph().as_default() as graph:
        engine.import_graph_def(graph_def, name="")
        feeds = {graph.get_tensor_by_name(k): np.array(v, np.int32) for k, v in theirs["feeds"].items()}
        with engine.Session() as sess:
            sess.run(theirs["init"])
            losses = [float(sess.run([theirs["loss"], theirs["train"]], feeds)[0]) for _ in range(STEPS)]
            values = {k: sess.run(v) for k, v in theirs["reads"].items()}
    np.testing.assert_allclose(losses, theirs["losses"], rtol=2e-5, atol=1e-6)
    for name, value in theirs["values"].items():
        np.testing.assert_allclose(values[name], value, rtol=2e-5, atol=1e-6, err_msg=f"{case} {name}")


# Programs that print what they build and compute; TF and the engine must print the same lines.
PROGRAMS = {
    # a partitioned embedding: the concat's gradient gives each partition its rows as IndexedSlices, so
    # Momentum updates only those rows of each partition, as TF's per-partition gathers do
    "partitioned_momentum": """
parts = [tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2) + 10 * i, name=f"part_{i}")
         for i in range(2)]
for strategy in ("mod", "div"):
    e = tf.nn.embedding_lookup(parts, [0, 3, 3, 5, 2], partition_strategy=strategy)
    loss = tf.reduce_sum(e * e)
    opt = tf.train.MomentumOptimizer(0.1, 0.9)
    train = opt.minimize(loss)
    print(strategy, [type(g).__name__ for g in tf.gradients(loss, parts)])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        for _ in range(3):
            s.run(train)
        print(s.run(parts)[0].tolist(), s.run(parts)[1].tolist())
        print([s.run(opt.get_slot(p, "momentum")).tolist() for p in parts])
""",
    # SparseSegment* with sparse_gradient (embedding_lookup_sparse asks for it): SparseSegment*GradV2's
    # IndexedSlices, and Adagrad's sparse update of the rows looked up
    "sparse_segment_gradients": """
params = tf.Variable(np.arange(15, dtype=np.float32).reshape(5, 3), name="params")
out = []
for fn in (tf.sparse.segment_sum, tf.sparse.segment_mean, tf.sparse.segment_sqrt_n):
    y = fn(params, tf.constant([4, 1, 4, 0]), tf.constant([0, 0, 1, 2]), sparse_gradient=True)
    g, = tf.gradients(tf.reduce_sum(y * y), [params])
    print(type(g).__name__, g.values.name, g.indices.name, g.dense_shape.name, g.values.shape)
    out.append(g)
sp = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 3]], tf.constant([1, 3, 3, 4], tf.int64), [3, 5])
e = tf.nn.embedding_lookup_sparse(params, sp, None, combiner="mean")
print(type(tf.gradients(tf.reduce_sum(e), [params])[0]).__name__)
train = tf.train.AdagradOptimizer(0.5).minimize(tf.reduce_sum(e * e))
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    for g in out:
        v = s.run(g)
        print(v.values.tolist(), v.indices.tolist(), v.dense_shape.tolist())
    s.run(train)
    s.run(train)
    print(s.run(params).tolist())
""",
    # a gather in a while loop's body: the loop invariant's gradient accumulates the iterations'
    # IndexedSlices (b_acc), so Momentum leaves the rows never looked up alone
    "while_loop_gather": """
emb = tf.Variable(np.arange(18, dtype=np.float32).reshape(6, 3) / 10, name="emb")
ids = tf.constant([[0, 1], [2, 2], [3, 0]])
def body(i, acc):
    return i + 1, acc + tf.reduce_sum(tf.gather(emb, tf.gather(ids, i)) ** 2)
_, total = tf.while_loop(lambda i, acc: i < 3, body, [tf.constant(0), tf.constant(0.0)])
g, = tf.gradients(total, [emb])
print(type(g).__name__, g.values.shape, g.indices.shape, g.dense_shape.shape)
print(sorted(o.type for o in tf.get_default_graph().get_operations() if "b_acc" in o.name))
opt = tf.train.MomentumOptimizer(0.1, 0.9)
train = opt.minimize(total)
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    v = s.run(g)
    print(v.values.tolist(), v.indices.tolist(), v.dense_shape.tolist())
    for _ in range(3):
        s.run(train)
    print(s.run(emb).tolist(), s.run(opt.get_slot(emb, "momentum")).tolist())
""",
    # tables concatenated along their columns, then looked up: each table gets all the rows' IndexedSlices,
    # its values its own columns
    "concat_columns": """
a = tf.Variable(np.arange(8, dtype=np.float32).reshape(4, 2), name="a")
b = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3) / 2, name="b")
looked_up = tf.nn.embedding_lookup(tf.concat([a, b], axis=1), [3, 1, 3])
loss = tf.reduce_sum(looked_up * looked_up)
ga, gb = tf.gradients(loss, [a, b])
print(type(ga).__name__, type(gb).__name__)
train = tf.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    va, vb = s.run([ga, gb])
    print(va.values.tolist(), va.indices.tolist(), vb.values.tolist(), vb.dense_shape.tolist())
    for _ in range(2):
        s.run(train)
    print(s.run(a).tolist(), s.run(b).tolist())
""",
    # the TF1 idiom: compute_gradients, clip each (or all by their global norm), apply_gradients
    "clipped_training": """
emb = tf.Variable(np.arange(24, dtype=np.float32).reshape(8, 3) / 10, name="embedding")
w = tf.Variable(np.ones((3, 2), np.float32) / 3, name="w")
loss = tf.reduce_sum(tf.square(tf.matmul(tf.nn.embedding_lookup(emb, [1, 5, 5, 6]), w) - 1.0))
opt = tf.train.MomentumOptimizer(0.05, 0.9)
grads = opt.compute_gradients(loss)
capped = [(tf.clip_by_value(g, -0.5, 0.5), v) for g, v in grads]
clipped, norm = tf.clip_by_global_norm([g for g, _ in grads], 1.0)
train = opt.apply_gradients(capped)
train_2 = tf.train.AdagradOptimizer(0.1).apply_gradients(zip(clipped, [v for _, v in grads]))
print([type(g).__name__ for g, _ in capped], [type(g).__name__ for g in clipped])
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    for _ in range(3):
        s.run([train, train_2])
    print(s.run(emb).tolist(), s.run(w).tolist(), s.run(norm))
""",
    # tf.sparse_mask, a cast and clip_by_value of an IndexedSlices: their graphs and values
    "sparse_mask_and_cast": """
a = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]),
                     tf.constant([12, 26, 37, 26]), tf.constant([40, 2]))
m = tf.sparse_mask(a, [12, 45])
m2 = tf.sparse.mask(a, tf.constant([26]), name="masked")
x = tf.cast(a, tf.float64)
c = tf.clip_by_value(a, 2.5, 6.5)
print(type(m).__name__, type(x).__name__, x.values.name, type(c).__name__)
with tf.Session() as s:
    v = s.run(m)
    print(v.values.tolist(), v.indices.tolist(), v.dense_shape.tolist())
    v = s.run(m2)
    print(v.values.tolist(), v.indices.tolist())
    print(s.run(c).values.tolist())
for op in tf.get_default_graph().get_operations():
    print(op.name, op.type, [i.name for i in op.inputs])
""",
}

PROGRAMS_SCRIPT = """
import contextlib, io, json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
out = {}
for name, source in json.loads(sys.argv[1]).items():
    buffer = io.StringIO()
    with tf.Graph().as_default(), contextlib.redirect_stdout(buffer):
        exec(source, {"tf": tf, "np": np})
    out[name] = buffer.getvalue()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def tf_printed(tf_python):
    done = subprocess.run([tf_python, "-c", PROGRAMS_SCRIPT, json.dumps(PROGRAMS)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


_NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_prints_what_tf_prints(name, tf_printed, capsys):
    """The same text, numbers within float32 rounding (TF's L2Loss sums in another order), and TF 2.x's
    graph tensors (SymbolicTensor) named as the engine's Tensor."""
    with engine.Graph().as_default():
        exec(PROGRAMS[name], {"tf": engine, "np": np})  # noqa: S102 - the test's own programs
    mine, theirs = capsys.readouterr().out, tf_printed[name].replace("SymbolicTensor", "Tensor")
    assert _NUMBER.sub("#", mine) == _NUMBER.sub("#", theirs)
    np.testing.assert_allclose([float(x) for x in _NUMBER.findall(mine)],
                               [float(x) for x in _NUMBER.findall(theirs)], rtol=1e-6)
