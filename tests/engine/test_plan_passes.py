"""The plan passes (engine/runtime/) change how a plan computes, never what: the suite's kinds of graphs
(the lecture's snippets, MLP training with Adam, a small CNN, reductions, reshapes, variables and
assigns, an LSTM's loops) run in a session with every pass off (ENGINE_PLAN_PASSES=none: every needed
op one kernel call, every control edge followed) and in one with every pass on, on the same graph, and
every fetched value must be the same bit for bit, dtype included, over several training steps."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from engine.runtime import passes
from tests.engine.mlp import relu_mlp

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    tf.set_random_seed(7)  # every random op gets a seed: both sessions draw the same streams
    yield
    tf.reset_default_graph()


@case
def lecture():
    a = tf.constant(3.0, dtype=tf.float32)
    ones = tf.ones([3, 4, 5])
    r = tf.random_uniform(shape=[10, 5], minval=-0.1, maxval=0.1, dtype=tf.float32)
    seq = tf.range(start=6, limit=15, delta=3)
    lin = tf.linspace(start=2.0, stop=3.0, num=5)
    filled = tf.fill([2, 3], 9)
    matrix = tf.reshape(ones, [6, 10])
    matrix_b = tf.reshape(matrix, [3, -1])
    matrix_alt = tf.reshape(matrix_b, [4, 3, -1])
    cast = tf.cast(tf.constant([1, 2, 3]), dtype=tf.float32)
    x = tf.placeholder(tf.float32, shape=[None, 3])
    w = tf.Variable(tf.random_normal([3, 2]), name="w")
    b = tf.Variable(tf.zeros([2]), name="b")
    y = tf.matmul(x, w) + b
    total = (a + tf.reduce_sum(ones) + tf.cast(tf.size(matrix_alt), tf.float32)
             + tf.cast(tf.rank(ones), tf.float32))
    xv = np.arange(6, dtype=np.float32).reshape(2, 3)
    return [
        (tf.global_variables_initializer(), None),
        ([a, ones, r, seq, lin, filled, matrix, matrix_b, matrix_alt, cast, total], None),
        ({"y": y, "shape": tf.shape(y)}, {x: xv}),
        ((y, tf.shape(x)), {x: np.ones((4, 3), np.float32)}),
        (r, None),
    ]


def _mlp(optimizer, steps):
    x, y, h, loss, xv, yv = relu_mlp()
    train_op = optimizer.minimize(loss)
    feed = {x: xv, y: yv}
    runs = [(tf.global_variables_initializer(), None)]
    runs += [([train_op, loss], feed)] * steps
    runs += [([train_op, loss, h], {x: xv[:3], y: yv[:3]})]  # another batch size: the generic plan
    runs += [(tf.global_variables(), None)]
    return runs


@case
def mlp_adam():
    return _mlp(tf.train.AdamOptimizer(0.01), 6)


@case
def mlp_momentum():
    return _mlp(tf.train.MomentumOptimizer(0.05, 0.9), 4)


@case
def conv():
    rng = np.random.RandomState(0)
    xv = rng.rand(4, 8, 8, 1).astype(np.float32)
    labels = np.eye(3, dtype=np.float32)[rng.randint(0, 3, 4)]
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    y = tf.placeholder(tf.float32, [None, 3])
    w1 = tf.Variable(tf.truncated_normal([3, 3, 1, 4], stddev=0.3))
    w2 = tf.Variable(tf.truncated_normal([3, 3, 4, 4], stddev=0.3))
    window = [1, 2, 2, 1]
    h = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(x, w1, [1, 1, 1, 1], "SAME")), window, window, "SAME")
    h = tf.nn.avg_pool(tf.nn.relu(tf.nn.conv2d(h, w2, [1, 1, 1, 1], "SAME")), window, window, "VALID")
    flat = tf.reshape(h, [-1, 2 * 2 * 4])
    w3 = tf.Variable(tf.random_normal([16, 3], stddev=0.3))
    logits = tf.matmul(flat, w3)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    return [(tf.global_variables_initializer(), None)] + [([train_op, loss, logits], {x: xv, y: labels})] * 4


@case
def reductions():
    x = tf.placeholder(tf.float32, [None, 4])
    axis = tf.placeholder(tf.int32)
    c = tf.constant(np.arange(24, dtype=np.float64).reshape(2, 3, 4))
    fetches = [
        tf.reduce_sum(x), tf.reduce_sum(x, 0), tf.reduce_mean(x, 1, keepdims=True), tf.reduce_max(x, [0, 1]),
        tf.reduce_min(x, -1), tf.reduce_prod(x, 1), tf.reduce_sum(x, axis), tf.argmax(x, 1),
        tf.reduce_sum(c, [0, 2]), tf.reduce_mean(c), tf.reduce_all(tf.greater(x, 0.0), 1),
        tf.reduce_any(tf.less(x, 0.0)), tf.reduce_sum(x) / tf.cast(tf.shape(x)[0], tf.float32),
    ]
    rng = np.random.RandomState(1)
    return [(fetches, {x: rng.randn(n, 4).astype(np.float32), axis: n % 2}) for n in (5, 5, 2, 7, 5)]


@case
def reshapes():
    x = tf.placeholder(tf.float32, [None, 3])
    n = tf.shape(x)[0]
    flat = tf.reshape(x, tf.stack([n * 3]))
    same = tf.reshape(x, tf.shape(x))  # a no-op Reshape once shapes are known
    back = tf.reshape(flat, [-1, 3])
    t = tf.transpose(tf.expand_dims(x, 0), [2, 1, 0])
    s = tf.squeeze(t)
    sizes = [tf.size(x), tf.rank(t), tf.shape(s), tf.shape(t)[1]]
    mean = tf.reduce_sum(flat) / tf.cast(n, tf.float32)
    tiled = tf.tile(x, [2, 1]) + tf.concat([x, x], 0)
    runs = []
    for batch in (2, 5, 2, 1):
        value = np.arange(batch * 3, dtype=np.float32).reshape(batch, 3)
        runs.append(([flat, same, back, t, s, sizes, mean, tiled], {x: value}))
    return runs


@case
def variables_and_assigns():
    v = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="v")
    counter = tf.Variable(0, name="counter")
    grow = tf.assign(v, tf.ones([3, 3]), validate_shape=False)  # gives v another shape
    step = tf.assign_add(counter, 1)
    with tf.control_dependencies([step]):
        doubled = tf.identity(v) * 2.0
    frozen = tf.stop_gradient(v) + 1.0
    decay = tf.assign_sub(v, v * 0.5)
    u = tf.Variable(tf.random_uniform([4], seed=3), name="u")
    grad = tf.gradients(tf.reduce_sum(u * u), u)[0]
    update = tf.assign(u, u - 0.1 * grad)
    return [
        (tf.global_variables_initializer(), None),
        ([doubled, frozen, tf.shape(v), counter], None),
        (decay, None),
        ([doubled, tf.reduce_sum(v), tf.shape(v)], None),
        (grow, None),
        ([doubled, tf.shape(v), tf.size(v), counter], None),
        (update, None), (update, None),
        ([u, grad, counter], None),
    ]


@case
def lstm_adam():
    """A dynamic_rnn trained with Adam: two while loops (frame_compilation off and on) and root ops."""
    rng = np.random.RandomState(3)
    x = tf.placeholder(tf.float32, [3, 4, 2])
    outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(5), x, dtype=tf.float32)
    loss = tf.reduce_sum(tf.square(outputs[:, -1] - 0.5))
    train_op = tf.train.AdamOptimizer(0.05).minimize(loss)
    feed = {x: rng.uniform(-1, 1, (3, 4, 2)).astype(np.float32)}
    return [(tf.global_variables_initializer(), None)] + [([train_op, loss, state], feed)] * 3 + [
        (tf.trainable_variables(), None)]


@case
def training_flag_conds():
    """Conds on a training flag (cond_specialisation on and off): dropout and batch normalization with
    `training=` a placeholder_with_default, a tf.cond with an assign in one branch, trained with Adam
    under both values of the flag, and an LSTM whose input goes through one of the conds."""
    rng = np.random.RandomState(5)
    x = tf.placeholder(tf.float32, [4, 3, 6])
    training = tf.placeholder_with_default(True, [])
    steps = tf.Variable(0, name="steps")
    h = tf.layers.batch_normalization(x, training=training)
    h = tf.layers.dropout(h, 0.3, training=training)
    h = tf.cond(training, lambda: tf.identity(h * 1.5) + tf.cast(tf.assign_add(steps, 1), tf.float32) * 0.0,
                lambda: h)
    outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(4), h, dtype=tf.float32)
    loss = tf.reduce_mean(tf.square(outputs[:, -1] - 0.25))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(0.05).minimize(loss)
    feed = {x: rng.normal(size=(4, 3, 6)).astype(np.float32)}
    return [(tf.global_variables_initializer(), None)] + [([train_op, loss], feed)] * 2 + [
        ([train_op, loss], {**feed, training: False}), ([loss, outputs], {**feed, training: False}),
        ([train_op, loss], feed), (tf.global_variables(), None)]


def _leaves(value):
    if isinstance(value, dict):
        return [leaf for k in sorted(value) for leaf in _leaves(value[k])]
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


@pytest.mark.parametrize("name", sorted(CASES))
def test_all_passes_off_and_on_fetch_the_same_bits(name, monkeypatch):
    graph = tf.get_default_graph()
    build = CASES[name]
    # One graph, two sessions: the same ops, seeds and random streams.
    runs = build()
    off, on = [], []
    rounding = ",".join(f"-{name}" for name in sorted(passes.ROUNDING))
    for knob, out in (("none", off), (f"all,{rounding}", on)):
        monkeypatch.setenv(passes.ENV, knob)
        with tf.Session(graph=graph) as sess:
            for fetches, feed in runs:
                out.append(sess.run(fetches, feed))
            out.append("".join(entry.code for entry in sess._plans.values()))
    code_off, code_on = off.pop(), on.pop()
    assert code_off != code_on  # the passes did change the plans
    assert len(off) == len(on) == len(runs)
    for run, (a, b) in enumerate(zip(off, on, strict=True)):
        leaves_a, leaves_b = _leaves(a), _leaves(b)
        assert len(leaves_a) == len(leaves_b), run
        for x, y in zip(leaves_a, leaves_b, strict=True):
            if x is None or y is None:
                assert x is None and y is None, run
                continue
            assert type(x) is type(y), (run, x, y)
            x, y = np.asarray(x), np.asarray(y)
            assert x.dtype == y.dtype and x.shape == y.shape, (run, x, y)
            assert np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"), (run, x, y)
            if x.dtype.kind in "biufc":
                assert x.tobytes() == y.tobytes(), (run, x, y)


def test_the_rounding_passes_agree_to_rounding(monkeypatch):
    """The passes that reorder sums: a loop's accumulated products in one GEMM after it, and only the
    columns of a product that the loop reads."""
    graph = tf.get_default_graph()
    runs = CASES["lstm_adam"]()
    results = []
    rounding = ",".join(f"-{name}" for name in sorted(passes.ROUNDING))
    for knob in (f"all,{rounding}", "all"):
        monkeypatch.setenv(passes.ENV, knob)
        with tf.Session(graph=graph) as sess:
            results.append([sess.run(fetches, feed) for fetches, feed in runs])
            code = "".join(entry.code for entry in sess._plans.values())
        assert (".add_product(" in code) == (knob == "all")
        assert ("_narrowed_product(" in code) == (knob == "all")
    for a, b in zip(_leaves(results[0]), _leaves(results[1]), strict=True):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_failing_kernel_fails_alike_with_passes_off_and_on(monkeypatch):
    x = tf.placeholder(tf.float32, [None])
    pairs = tf.reshape(x, tf.stack([tf.shape(x)[0] // 2, 2]), name="pairs")
    uninitialized = tf.Variable(1.0, name="late") * 2.0
    errors = {}
    for knob in ("none", "all"):
        monkeypatch.setenv(passes.ENV, knob)
        with tf.Session() as sess:
            assert sess.run(pairs, {x: np.arange(4, dtype=np.float32)}).shape == (2, 2)
            caught = []
            for fetches, feed in ((pairs, {x: np.arange(3, dtype=np.float32)}), (uninitialized, None)):
                with pytest.raises(tf.errors.OpError) as info:
                    sess.run(fetches, feed)
                caught.append((type(info.value), info.value.message))
            errors[knob] = caught
    assert errors["none"] == errors["all"]
    expected = [tf.errors.InvalidArgumentError, tf.errors.FailedPreconditionError]
    assert [c for c, _ in errors["all"]] == expected
    assert "[[{{node pairs}}]]" in errors["all"][0][1]


def test_the_knob_names_passes():
    assert passes.parse("none") == frozenset()
    assert passes.parse("all") == passes.ALL
    assert passes.parse("all,-last_use_frees") == passes.ALL - {"last_use_frees"}
    assert passes.parse("constant_folding") == {"constant_folding"}
    with pytest.raises(ValueError, match="unknown plan pass 'folding'"):
        passes.parse("folding")


def test_the_runtime_names_no_op_type():
    """What the runtime does instead of calling a kernel comes from registry flags, not op type names
    (the shape oracle creates stand-in Consts and Placeholders in its scratch graph: those are allowed)."""
    import ast
    import pathlib

    from engine.framework import registry

    op_types = set(registry.registered_ops())
    named = {}
    for path in sorted(pathlib.Path(passes.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text())
        strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                   and isinstance(node.value, str)}
        if strings & op_types:
            named[path.name] = sorted(strings & op_types)
    assert named == {"shape_specialisation.py": ["Const", "Placeholder"]}
