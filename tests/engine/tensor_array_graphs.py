"""TensorArray graphs built the same way by real TensorFlow (tests/fixtures/tensor_array/make_fixtures.py)
and by the engine (test_tensor_array.py): `build(tf)` takes the module (`tensorflow.compat.v1` or
`engine`) and returns (fetches, feeds), feeds as [{placeholder name: value}]."""


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


GRAPHS = {
    "stack_and_unstack": stack_and_unstack,
    "concat_split_gather_scatter": concat_split_gather_scatter,
    "in_a_loop": in_a_loop,
}
