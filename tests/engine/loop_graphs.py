"""TensorArray graphs built the same way by real TensorFlow (tests/fixtures/loops/make_fixtures.py)
and by the engine (test_tensor_array.py): `build(tf)` takes the module (`tensorflow.compat.v1` or
`engine`) and returns (fetches, feeds), feeds as [{placeholder name: value}]."""

import numpy as np


def stack_and_unstack(tf):
    x = tf.placeholder(tf.float32, [3, 2], name="x")
    ta = tf.TensorArray(tf.float32, size=3).unstack(x)
    r = ta.read(1)
    grown = tf.TensorArray(tf.float32, size=0, dynamic_size=True, element_shape=[2])
    grown = grown.write(0, r * 2.0).write(1, r * 3.0)
    s = grown.stack()
    grad = tf.gradients(tf.reduce_sum(s * s), x)[0]
    return [s, grown.size(), grad], [{"x:0": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}]


def concat_split_gather_scatter(tf):
    x = tf.placeholder(tf.float32, [5, 2], name="x")
    lengths = tf.placeholder(tf.int32, [3], name="lengths")
    split = tf.TensorArray(tf.float32, size=3, infer_shape=False).split(x, lengths)
    middle = split.read(1)
    scattered = tf.TensorArray(tf.float32, size=4, clear_after_read=False).scatter([3, 0], x[:2] * 2.0)
    gathered = scattered.gather([0, 3, 0])
    parts = tf.TensorArray(tf.float32, size=2, infer_shape=False)
    parts = parts.write(0, tf.sin(x)).write(1, x[1:3])
    joined = parts.concat()
    flat = [tf.reshape(t, [-1]) for t in (middle * middle, gathered, joined)]  # a known rank to reduce
    grads = tf.gradients([tf.reduce_sum(t) for t in flat], x)
    return [middle, gathered, joined, grads[0]], [
        {"x:0": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0]], "lengths:0": [1, 3, 1]},
        {"x:0": [[1.0, -2.0], [0.5, 4.0], [5.0, 6.0], [-7.0, 8.0], [9.0, 1.0]], "lengths:0": [2, 2, 1]},
    ]


def in_a_loop(tf):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    n = tf.shape(x)[0]
    inputs = tf.TensorArray(tf.float32, size=n).unstack(x)
    outputs = tf.TensorArray(tf.float32, size=n)

    def body(i, acc, out):
        v = inputs.read(i)
        acc = acc + v
        pair = tf.TensorArray(tf.float32, size=2).write(0, acc).write(1, v * v)
        return i + 1, acc, out.write(i, tf.reduce_sum(pair.stack(), 0))

    _, acc, outputs = tf.while_loop(lambda i, a, o: i < n, body, [0, tf.zeros([2]), outputs])
    return [acc, outputs.stack()], [{"x:0": [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]]},
                                    {"x:0": [[1.0, -1.0]]}]


def while_gradient(tf):
    x = tf.placeholder(tf.float32, [2], name="x")
    _, v = tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, tf.sin(v) * x), [0, x])
    return [v, tf.gradients(v, x)[0]], [{"x:0": [0.5, -1.0]}, {"x:0": [2.0, 0.25]}]


def rnn_minimize(tf):
    """A TensorArray-fed recurrence with a variable, and a GradientDescent step through it."""
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable([[1.0, 0.5], [-0.5, 1.0]], name="w")
    n = tf.shape(x)[0]
    inputs = tf.TensorArray(tf.float32, size=n).unstack(x)
    outputs = tf.TensorArray(tf.float32, size=n)

    def body(i, h, out):
        h = tf.sin(tf.matmul(tf.expand_dims(inputs.read(i), 0), w) + h)
        return i + 1, h, out.write(i, h[0])

    _, h, outputs = tf.while_loop(lambda i, h, o: i < n, body, [0, tf.zeros([1, 2]), outputs])
    loss = tf.reduce_sum(outputs.stack()) + tf.reduce_sum(h * h)
    gx, gw = tf.gradients(loss, [x, w])
    with tf.control_dependencies([gx, gw]):
        step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.control_dependencies([step]):
        updated = tf.identity(w.read_value() if hasattr(w, "read_value") else w, name="updated")
    init = tf.global_variables_initializer()
    return [loss, gx, gw, updated], [{"x:0": [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], "__init__": init.name},
                                     {"x:0": [[1.0, -1.0]], "__init__": init.name}]


def nested_loops(tf):
    x = tf.placeholder(tf.float32, [2], name="x")

    def outer(i, v):
        _, v = tf.while_loop(lambda j, u: j < i + 1, lambda j, u: (j + 1, tf.sin(u) * x + u), [0, v])
        return i + 1, v * 0.5

    _, v = tf.while_loop(lambda i, v: i < 3, outer, [0, x])
    return [v, tf.gradients(v, x)[0]], [{"x:0": [0.5, -1.0]}]


def cond_in_loop_and_stop_gradient(tf):
    """A cond in the body, an unused Exit that another loop variable depends on, a stop_gradient."""
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.placeholder(tf.float32, [2], name="y")

    def body(i, a, b):
        a = tf.cond(tf.reduce_sum(a) > 0.0, lambda: a * b, lambda: a - tf.square(b))
        return i + 1, a, tf.stop_gradient(b) * 0.5 + tf.cos(b)

    _, a, _ = tf.while_loop(lambda i, a, b: i < 4, body, [0, x, y])
    return [a] + tf.gradients(a, [x, y]), [{"x:0": [0.5, -1.0], "y:0": [1.5, 0.5]},
                                          {"x:0": [-0.5, -1.0], "y:0": [0.3, -2.0]}]


def maximum_iterations(tf):
    x = tf.placeholder(tf.float32, [3], name="x")
    v = tf.while_loop(lambda v: tf.reduce_sum(v) < 100.0, lambda v: v * x + 1.0, [x], maximum_iterations=3)
    return [v, tf.gradients(tf.reduce_sum(v * v), x)[0]], [{"x:0": [0.5, 1.0, -1.5]}]


def map_scan_fold(tf):
    x = tf.placeholder(tf.float32, [3, 2], name="x")
    m = tf.map_fn(lambda r: tf.reduce_sum(r * r), x)
    pair = tf.map_fn(lambda t: (t[0] * 2.0, tf.cast(t[1], tf.float32)), (x, tf.constant([1, 2, 3])),
                     fn_output_signature=(tf.float32, tf.float32))
    running = tf.scan(lambda a, r: a + r, x)
    backwards = tf.scan(lambda a, r: a * r, x, initializer=tf.ones([2]), reverse=True)
    left = tf.foldl(lambda a, r: a * 2.0 + r, x)
    right = tf.foldr(lambda a, r: a * 2.0 + r, x, initializer=tf.zeros([2]))
    total = tf.reduce_sum(m) + tf.reduce_sum(backwards) + tf.reduce_sum(right) + tf.reduce_sum(running)
    return [m, pair[0], pair[1], running, backwards, left, right, tf.gradients(total, x)[0]], [
        {"x:0": [[1.0, 2.0], [3.0, -1.0], [0.5, 2.0]]}]


def loop_in_cond_adam(tf):
    """A loop in a cond branch reading a variable, differentiated and trained with Adam."""
    x = tf.placeholder(tf.float32, [2], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    w = tf.Variable([0.5, -0.3], name="w")

    def loop():
        return tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, tf.sin(v) * w + x), [0, x])[1]

    y = tf.cond(p, loop, lambda: x * w)
    loss = tf.reduce_sum(y * y)
    gx, gw = tf.gradients(loss, [x, w])
    # The update waits for every fetched read of w: in one run TF's executor otherwise lets the
    # assign land before or after them as it likes (a flaky value in TF itself, not ours).
    adam = tf.train.AdamOptimizer(0.1)
    grads = adam.compute_gradients(loss)
    with tf.control_dependencies([y, gx, gw]):
        train = adam.apply_gradients(grads)
    with tf.control_dependencies([train]):
        updated = tf.identity(w, name="updated")
    init = tf.global_variables_initializer()
    return [y, gx, gw, updated], [{"x:0": [0.3, -0.7], "p:0": True, "__init__": init.name},
                                  {"x:0": [0.3, -0.7], "p:0": False, "__init__": init.name}]


class _TinyCell:
    """The least an RNNCell needs (output_size, state_size, zero_state, __call__), for raw_rnn; its
    weights are made before the loop."""

    def __init__(self, tf, units):
        self.tf = tf
        self.units = units
        self.kernel = tf.Variable([[0.5, -0.2, 0.1], [0.3, 0.4, -0.5], [0.2, 0.1, 0.3], [-0.4, 0.2, 0.6],
                                   [0.1, -0.3, 0.2]], name="kernel")

    output_size = 3
    state_size = 3

    def zero_state(self, batch_size, dtype):
        return self.tf.zeros([batch_size, self.units], dtype)

    def __call__(self, inputs, state):
        tf = self.tf
        out = tf.sin(tf.matmul(inputs, self.kernel[:2]) + tf.matmul(state, self.kernel[2:]))
        return out, out


def raw_rnn_graph(tf):
    x = tf.placeholder(tf.float32, [4, 2, 2], name="x")  # time-major
    lengths = tf.placeholder(tf.int32, [2], name="lengths")
    cell = _TinyCell(tf, 3)
    inputs_ta = tf.TensorArray(tf.float32, size=4).unstack(x)

    def loop_fn(time, cell_output, cell_state, loop_state):
        emit = cell_output
        state = cell.zero_state(2, tf.float32) if cell_output is None else cell_state
        finished = time >= lengths
        next_input = tf.cond(tf.reduce_all(finished), lambda: tf.zeros([2, 2]), lambda: inputs_ta.read(time))
        return finished, next_input, state, emit, None

    outputs_ta, final_state, _ = tf.nn.raw_rnn(cell, loop_fn)
    outputs = outputs_ta.stack()
    grads = tf.gradients(tf.reduce_sum(outputs) + tf.reduce_sum(final_state), [x, cell.kernel])
    init = tf.global_variables_initializer()
    values = [[[0.1, 0.2], [0.3, -0.1]], [[0.5, 0.4], [-0.2, 0.3]], [[0.0, 0.6], [0.1, 0.1]],
              [[0.2, -0.5], [0.4, 0.0]]]
    return [outputs, final_state] + grads, [{"x:0": values, "lengths:0": [4, 2], "__init__": init.name},
                                             {"x:0": values, "lengths:0": [1, 3], "__init__": init.name}]


GRAPHS = {
    "stack_and_unstack": stack_and_unstack,
    "concat_split_gather_scatter": concat_split_gather_scatter,
    "in_a_loop": in_a_loop,
    "while_gradient": while_gradient,
    "rnn_minimize": rnn_minimize,
    "nested_loops": nested_loops,
    "cond_in_loop_and_stop_gradient": cond_in_loop_and_stop_gradient,
    "maximum_iterations": maximum_iterations,
    "map_scan_fold": map_scan_fold,
    "raw_rnn": raw_rnn_graph,
    "loop_in_cond_adam": loop_in_cond_adam,
}


def feed_dict(graph, feed):
    """The placeholder feeds of one `feeds` entry (its `__init__` names an op to run first)."""
    return {graph.get_tensor_by_name(k): v for k, v in feed.items() if k != "__init__"}


def run_all(tf, graph, fetch, feeds):
    """The fetched values (as lists) for each entry of `feeds`, each in a new session."""
    out = []
    for feed in feeds:
        with tf.Session(graph=graph) as s:
            if "__init__" in feed:
                s.run(graph.get_operation_by_name(feed["__init__"]))
            out.append([np.asarray(v).tolist() for v in s.run(fetch, feed_dict(graph, feed))])
    return out
