"""Op values against numpy, static shapes, and TF's shape/type error texts."""

import numpy as np
import pytest

import engine as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


X = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -0.25]], np.float32)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda x: x + 1, X + 1),
        (lambda x: 1 - x, 1 - X),
        (lambda x: x * x, X * X),
        (lambda x: x / 2, X / 2),
        (lambda x: x // 2, X // 2),
        (lambda x: x % 2, X % 2),
        (lambda x: x**2, X**2),
        (lambda x: -x, -X),
        (lambda x: abs(x), np.abs(X)),
        (lambda x: tf.square(x), np.square(X)),
        (lambda x: tf.exp(x), np.exp(X)),
        (lambda x: tf.sign(x), np.sign(X)),
        (lambda x: tf.maximum(x, 0.0), np.maximum(X, 0)),
        (lambda x: tf.minimum(x, 0.0), np.minimum(X, 0)),
        (lambda x: tf.matmul(x, x, transpose_b=True), X @ X.T),
        (lambda x: tf.matmul(x, x, transpose_a=True), X.T @ X),
        (lambda x: x @ tf.transpose(x), X @ X.T),
        (lambda x: tf.reduce_sum(x), X.sum()),
        (lambda x: tf.reduce_sum(x, axis=1), X.sum(axis=1)),
        (lambda x: tf.reduce_mean(x, 0, keepdims=True), X.mean(axis=0, keepdims=True)),
        (lambda x: tf.reduce_max(x, 1), X.max(axis=1)),
        (lambda x: tf.reduce_min(x), X.min()),
        (lambda x: tf.reduce_prod(x, -1), X.prod(axis=-1)),
        (lambda x: tf.argmax(x, 1), X.argmax(axis=1)),
        (lambda x: tf.argmin(x, 0), X.argmin(axis=0)),
        (lambda x: tf.clip_by_value(x, -0.5, 0.5), np.clip(X, -0.5, 0.5)),
        (lambda x: tf.nn.relu(x), np.maximum(X, 0)),
        (lambda x: tf.nn.relu6(x * 4), np.clip(X * 4, 0, 6)),
        (lambda x: tf.nn.softplus(x), np.log1p(np.exp(X))),
        (lambda x: tf.sigmoid(x), 1 / (1 + np.exp(-X))),
        (lambda x: tf.tanh(x), np.tanh(X)),
        (lambda x: tf.nn.softmax(x), np.exp(X) / np.exp(X).sum(axis=1, keepdims=True)),
        (lambda x: tf.nn.log_softmax(x), np.log(np.exp(X) / np.exp(X).sum(axis=1, keepdims=True))),
        (lambda x: tf.nn.bias_add(x, [1.0, 2.0, 3.0]), X + [1, 2, 3]),
        (lambda x: tf.reshape(x, [3, -1]), X.reshape(3, 2)),
        (lambda x: tf.transpose(x), X.T),
        (lambda x: tf.concat([x, x], axis=0), np.concatenate([X, X], 0)),
        (lambda x: tf.stack([x, x], axis=1), np.stack([X, X], 1)),
        (lambda x: tf.expand_dims(x, -1), X[..., None]),
        (lambda x: tf.tile(x, [2, 1]), np.tile(X, [2, 1])),
        (lambda x: tf.pad(x, [[0, 1], [2, 0]]), np.pad(X, [[0, 1], [2, 0]])),
        (lambda x: tf.gather(x, [1, 1, 0]), X[[1, 1, 0]]),
        (lambda x: tf.gather(x, [2, 0], axis=1), X[:, [2, 0]]),
        (lambda x: tf.slice(x, [0, 1], [-1, 2]), X[:, 1:3]),
        (lambda x: x[1, ::-1], X[1, ::-1]),
        (lambda x: x[:, tf.constant(1)], X[:, 1]),
        (lambda x: tf.where(x > 0, x, tf.zeros_like(x)), np.where(X > 0, X, 0)),
        (lambda x: tf.cast(x, tf.int32), X.astype(np.int32)),
        (lambda x: tf.tensordot(x, tf.ones([3, 4]), axes=1), X @ np.ones((3, 4), np.float32)),
    ],
)
def test_op_values_match_numpy(build, expected):
    x = tf.placeholder(tf.float32, [2, 3])
    out = build(x)
    value = run(out, {x: X})
    np.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-6)
    assert out.shape.is_compatible_with(np.shape(expected))


def test_constructors():
    values = run(
        [
            tf.zeros([2, 2], tf.int32),
            tf.ones([2]),
            tf.fill([2], 7),
            tf.range(3),
            tf.range(1, 2, 0.5),
            tf.linspace(0.0, 1.0, 3),
            tf.eye(2),
            tf.one_hot([1, 0], 2, on_value=5, off_value=-1),
            tf.zeros_like(tf.constant([1, 2])),
            tf.ones_like(tf.constant([[1.5]])),
        ]
    )
    assert values[0].tolist() == [[0, 0], [0, 0]] and values[0].dtype == np.int32
    assert values[1].tolist() == [1.0, 1.0]
    assert values[2].tolist() == [7, 7]
    assert values[3].tolist() == [0, 1, 2] and values[3].dtype == np.int32
    assert values[4].tolist() == [1.0, 1.5] and values[4].dtype == np.float32
    assert values[5].tolist() == [0.0, 0.5, 1.0]
    assert values[6].tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert values[7].tolist() == [[-1, 5], [5, -1]]
    assert values[8].tolist() == [0, 0] and values[9].tolist() == [[1.0]]


def test_constant_fills_shape_with_last_value():
    assert run(tf.constant([1, 2], shape=[4])).tolist() == [1, 2, 2, 2]
    assert run(tf.constant(0.5, shape=[2, 2])).tolist() == [[0.5, 0.5], [0.5, 0.5]]
    with pytest.raises(ValueError, match="Too many elements provided. Needed at most 2, but received 3"):
        tf.constant([1, 2, 3], shape=[2])


def test_split_unstack_and_shape_ops():
    t = tf.constant(np.arange(12).reshape(3, 4))
    parts = tf.split(t, 2, axis=1)
    sizes = tf.split(t, [1, -1], axis=0)
    rows = tf.unstack(t)
    assert [p.shape.as_list() for p in parts] == [[3, 2], [3, 2]]
    assert [p.shape.as_list() for p in sizes] == [[1, 4], [2, 4]]
    assert len(rows) == 3 and rows[0].shape.as_list() == [4]
    values = run([parts, sizes, rows, tf.shape(t), tf.size(t), tf.rank(t), tf.squeeze(tf.ones([1, 3, 1]))])
    assert values[0][1].tolist() == [[2, 3], [6, 7], [10, 11]]
    assert values[1][1].tolist() == [[4, 5, 6, 7], [8, 9, 10, 11]]
    assert values[2][2].tolist() == [8, 9, 10, 11]
    assert values[3].tolist() == [3, 4] and values[4] == 12 and values[5] == 2
    assert values[6].tolist() == [1.0, 1.0, 1.0]


def test_integer_true_division_casts_like_tf():
    a = tf.constant([1, 2])
    q = a / 2
    assert q.dtype == tf.float64
    assert run(q).tolist() == [0.5, 1.0]
    assert run(tf.div(tf.constant([-7, 7]), 2)).tolist() == [-3, 3]  # C-style truncation, like TF's Div


def test_integer_mean_truncates():
    assert run(tf.reduce_mean(tf.constant([1, 2]))) == 1


def test_static_shapes_with_unknown_dims():
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.placeholder(tf.float32, [3, 5])
    assert (x @ w).shape.as_list() == [None, 5]
    assert tf.reduce_sum(x, 1).shape.as_list() == [None]
    assert tf.reshape(x, [-1]).shape.as_list() == [None]
    assert tf.concat([x, x], 0).shape.as_list() == [None, 3]
    assert tf.shape(x).shape.as_list() == [2]
    assert (x + tf.placeholder(tf.float32, [1, 3])).shape.as_list() == [None, 3]


def test_reshape_errors():
    with pytest.raises(ValueError) as info:
        tf.reshape(tf.ones([2, 3, 4]), [5, 5])
    assert str(info.value) == (
        "Cannot reshape a tensor with 24 elements to shape [5,5] (25 elements) for '{{node Reshape}} = "
        "Reshape[T=DT_FLOAT, Tshape=DT_INT32](ones, Reshape/shape)' with input shapes: [2,3,4], [2] and with "
        "input tensors computed as partial shapes: input[1] = [5,5]."
    )
    with pytest.raises(ValueError) as info:
        tf.reshape(tf.ones([2, 3, 4]), [-1, 5])
    assert str(info.value) == (
        "Dimension size must be evenly divisible by 5 but is 24 for '{{node Reshape_1}} = "
        "Reshape[T=DT_FLOAT, "
        "Tshape=DT_INT32](ones_1, Reshape_1/shape)' with input shapes: [2,3,4], [2] and with input tensors "
        "computed as partial shapes: input[1] = [?,5]."
    )


def test_runtime_reshape_with_minus_one_error():
    x = tf.placeholder(tf.float32)
    y = tf.reshape(x, [-1, 2])
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match="Input to reshape is a tensor with 3 values, but the requested shape requires a multiple of 2",
    ):
        run(y, {x: [1.0, 2.0, 3.0]})


def test_broadcast_and_matmul_shape_errors():
    with pytest.raises(ValueError) as info:
        tf.constant([1.0, 2.0]) + tf.constant([1.0, 2.0, 3.0])
    assert str(info.value) == (
        "Dimensions must be equal, but are 2 and 3 for '{{node add}} = AddV2[T=DT_FLOAT](Const, Const_1)' "
        "with "
        "input shapes: [2], [3]."
    )
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4 for '{{node MatMul}} = "):
        tf.matmul(tf.ones([2, 3]), tf.ones([4, 5]))
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1 for '{{node MatMul_1}} = "):
        tf.matmul(tf.ones([2]), tf.ones([2, 2]))


def test_runtime_matmul_error():
    a = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"Matrix size-incompatible: In\[0\]: \[2,3\], "
        r"In\[1\]: \[2,3\]",
    ):
        run(tf.matmul(a, a), {a: np.ones((2, 3))})


def test_gather_out_of_range_error():
    idx = tf.placeholder(tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 5 is not in \[0, 3\)"):
        run(tf.gather(tf.constant([1, 2, 3]), idx), {idx: [0, 5]})


def test_type_errors():
    with pytest.raises(TypeError, match="Expected int32, but got 1.5 of type 'float'."):
        tf.constant([1, 1.5], dtype=tf.int32)
    with pytest.raises(
        TypeError, match="Input 'y' of 'Sub' Op has type int32 that does not match type float32"
    ):
        tf.subtract(tf.constant(1.0), tf.constant(1))
    with pytest.raises(TypeError):
        tf.constant([1, 2]) + 1.5  # TF 1.x: the int tensor cannot take a float operand


def test_dropout_scales_kept_values():
    x = tf.ones([1000])
    values = run(tf.nn.dropout(x, keep_prob=0.5, seed=3))
    kept = values[values != 0]
    assert set(np.unique(kept).tolist()) == {2.0}
    assert 350 < kept.size < 650
    text = r"`rate` must be a scalar tensor or a float in the range \[0, 1\). Received: rate=1.5"
    with pytest.raises(ValueError, match=text):
        tf.nn.dropout(x, rate=1.5)


def test_group_and_tuple():
    v = tf.Variable(0.0)
    a = tf.assign_add(v, 1.0)
    b = tf.assign_add(v, 10.0)
    g = tf.group(a, b, name="both")
    t = tf.tuple([tf.constant(1.0), tf.constant(2.0)])
    assert g.type == "NoOp" and {op.name for op in g.control_inputs} == {a.op.name, b.op.name}
    assert [x.op.name for x in t] == ["tuple/control_dependency", "tuple/control_dependency_1"]
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(g) is None
        assert sess.run(v) == 11.0
        assert sess.run(t) == [1.0, 2.0]
