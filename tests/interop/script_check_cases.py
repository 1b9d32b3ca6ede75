"""`tf.py_func` / `tf.numpy_function` and the `tf.assert_*` checks written once, run by both the engine and
real TensorFlow (test_script_and_check_ops_in_tf.py). Each case is `case(tf) -> [outcome, ...]`, an outcome
being a fetched value, or `["error", error class, the message's line that says what failed]` for an
error raised when building or running."""

from __future__ import annotations

import numpy as np


def _outcome(fn):
    try:
        value = fn()
    except Exception as e:  # noqa: BLE001 - the error is the outcome compared
        text = getattr(e, "message", None) or str(e)
        lines = [
            ln
            for ln in text.splitlines()
            if ln and not ln.startswith(("Graph execution", "Detected at", "    File", "Node:"))
        ]
        return ["error", type(e).__name__, lines[0] if lines else ""]
    return _plain(value)


def _plain(value):
    """A fetched value as JSON: nested lists, bytes as text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    array = np.asarray(value)
    if array.dtype.kind in "SO":
        return [v.decode() if isinstance(v, bytes) else str(v) for v in array.ravel()]
    return array.tolist()


def _raiser(exc):
    def fn(a):
        raise exc

    return fn


def py_funcs(tf):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [2])
        single = tf.py_func(lambda a: a * 2, [x], tf.float32)
        several = tf.py_func(
            lambda a, b: (a + b, np.int32(len(a))), [x, x], [tf.float32, tf.int32], stateful=False
        )
        named = tf.numpy_function(lambda a: a.astype(np.int64), [x], [tf.int64], name="as_int")
        strings = tf.py_func(lambda: np.array(["ab", "c"]), [], tf.string)
        grads = tf.gradients(tf.reduce_sum(single), x)
        failing = [
            tf.py_func(_raiser(exc), [x], tf.float32)
            for exc in (
                ValueError("boom"),
                TypeError("bad type"),
                RuntimeError("rt"),
                StopIteration(),
                NotImplementedError("later"),
                MemoryError("full"),
                KeyError("k"),
            )
        ]
        mismatched = [
            tf.py_func(fn, [x], tout)
            for fn, tout in (
                (lambda a: a.astype(np.float64), tf.float32),
                (lambda a: (a, a), tf.float32),
                (lambda a: a, [tf.float32, tf.float32]),
                (lambda a: "s", tf.float32),
                (lambda a: 3, tf.int32),
            )
        ]
        nothing = tf.py_func(lambda a: None, [x], [])
        described = [
            [t.name, t.op.type, t.dtype.name, str(t.shape)] for t in (single, *several, *named, strings)
        ]
        with tf.Session(graph=graph) as sess:
            feed = {x: [1.5, -2.0]}
            return [
                described,
                [g is None for g in grads],
                type(nothing).__name__,
                _outcome(lambda: sess.run([single, several, named], feed)),
                _outcome(lambda: sess.run(strings)),
                _outcome(lambda: sess.run(nothing, feed)),
                *[_outcome(lambda t=t: sess.run(t, feed)) for t in failing + mismatched],
            ]


def asserts(tf):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        y = tf.placeholder(tf.float32)
        i = tf.constant([1, 2])
        checks = [
            lambda: tf.assert_integer(i).name,
            lambda: tf.assert_integer(x, message="ints please"),
            lambda: tf.assert_type(i, tf.int32).name,
            lambda: tf.assert_type(x, tf.int32, message="typed"),
            lambda: tf.assert_scalar(tf.constant(2.0)).name,
            lambda: tf.assert_scalar(x, message="scalar"),
            lambda: tf.assert_rank_at_least(x, 1).name,
            lambda: tf.assert_rank_at_least(x, 3, message="deep"),
            lambda: tf.assert_rank_in(x, [1, 2]).name,
            lambda: tf.assert_rank_in(x, (0, 1)),
            lambda: tf.assert_same_float_dtype([x, y]).name,
            lambda: tf.assert_same_float_dtype([x, tf.constant(1.0, tf.float64)]),
            lambda: tf.assert_same_float_dtype([x], tf.float64),
            lambda: tf.assert_same_float_dtype([i]),
            lambda: tf.assert_same_float_dtype().name,
            lambda: tf.assert_proper_iterable(np.zeros(2)),
            lambda: tf.assert_proper_iterable("abc"),
            lambda: tf.assert_proper_iterable(3),
            lambda: tf.assert_proper_iterable([1, 2]),
        ]
        built = [_outcome(c) for c in checks]
        near = tf.assert_near(x, x + 1e-7, message="close")
        far = tf.assert_near(x, x + 0.5, rtol=0.1, atol=0.01)
        dynamic_rank = tf.assert_rank_at_least(y, 2)
        rank_in = tf.assert_rank_in(y, [0, 1])
        with tf.Session(graph=graph) as sess:
            feed = {x: np.ones((2, 3)), y: np.zeros((4,))}
            ran = [_outcome(lambda op=op: sess.run(op, feed)) for op in (near, far, dynamic_rank, rank_in)]
        return built + ran + [near.name, far.name, dynamic_rank.name, rank_in.name]


def shapes_and_monotonic(tf):
    """tf.debugging.assert_shapes (static and run-time failures, symbols, `*`, scalars), the monotonic
    tests and is_numeric_tensor: outcomes, and the names and types of the ops built."""
    graph = tf.Graph()
    with graph.as_default():
        a = tf.placeholder(tf.float32, [None, 3], name="a")
        b = tf.placeholder(tf.float32, [None, None], name="b")
        u = tf.placeholder(tf.float32, name="u")
        checks = [
            lambda: tf.debugging.assert_shapes([(tf.ones([2, 3]), ("N", "D")), (tf.ones([3, 3]), ("N", 3))]),
            lambda: tf.debugging.assert_shapes([(tf.ones([2, 3]), ("N",))]),
            lambda: tf.debugging.assert_shapes([(tf.ones([2, 3]), (2, 4))], message="explicit"),
            lambda: tf.debugging.assert_shapes([(tf.ones([2, 3]), ("N", "D")),
                                                (tf.ones([3, 2]), ("D", "N"))]).name,
            lambda: tf.debugging.assert_shapes([(tf.ones([2, 3]), (".", "N", "D"))]),
            lambda: tf.debugging.assert_shapes([(tf.ones([2, 3]), ("*", "D")), (tf.ones([4]), ("D",))]),
            lambda: tf.debugging.assert_shapes([(tf.ones([2]), ())]),
            lambda: tf.debugging.assert_shapes({tf.ones([2]): ("N",)}).name,
            lambda: tf.debugging.assert_shapes([(tf.ones([2, 3]), ("N", "*"))]),
            lambda: tf.debugging.assert_shapes([(tf.ones([2, 3]), 3)]),
            lambda: tf.debugging.is_non_decreasing(tf.constant(["a"])),
            lambda: [tf.is_numeric_tensor(t) for t in (a, tf.constant("s"), 3, tf.constant(True))],
        ]
        built = [_outcome(c) for c in checks]
        first = len(graph.get_operations())
        dynamic = tf.debugging.assert_shapes([(a, ("N", "D")), (b, ("N", 3))], message="msg")
        unknown = tf.debugging.assert_shapes([(u, ("*", 2, "K")), (a, (None, "K"))])
        ops = [(op.name, op.type) for op in graph.get_operations()[first:]]
        monotonic = [tf.debugging.is_non_decreasing(v) for v in ([1, 1, 2], [], [[1, 2], [3, 4]], [2.0, 1.0])]
        monotonic += [tf.math.is_strictly_increasing(v) for v in ([1, 1, 2], [5], [[1, 2], [3, 4]], u)]
        with tf.Session(graph=graph) as sess:
            ran = [_outcome(lambda fa=fa, fb=fb: sess.run(dynamic, {a: fa, b: fb}))
                   for fa, fb in ((np.ones([2, 3]), np.ones([2, 3])), (np.ones([2, 3]), np.ones([3, 3])),
                                  (np.ones([2, 3]), np.ones([2, 4])))]
            ran += [_outcome(lambda fu=fu: sess.run(unknown, {a: np.ones([2, 3]), u: fu}))
                    for fu in (np.ones([5, 2, 3]), np.ones([2, 2]), np.ones([3]))]
            ran.append(_outcome(lambda: sess.run(monotonic, {u: [1.0, 2.0, 2.5]})))
        return built + ran + [dynamic.name, unknown.name, [op.name for op in monotonic], ops]


CASES = {f.__name__: f for f in (py_funcs, asserts, shapes_and_monotonic)}
