"""tf.losses and the tf.nn loss functions: values, weights and Reduction semantics, the LOSSES collection,
names, and numerical stability for large logits."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf

RNG = np.random.RandomState(5)


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


LABELS = RNG.rand(4, 3).astype(np.float32)
PRED = RNG.rand(4, 3).astype(np.float32)
WEIGHTS = np.array([[1.0], [0.0], [2.0], [0.5]], np.float32)


@pytest.mark.parametrize(
    "fn,elementwise",
    [
        (tf.losses.mean_squared_error, lambda y, p: (p - y) ** 2),
        (tf.losses.absolute_difference, lambda y, p: np.abs(p - y)),
        (
            tf.losses.huber_loss,
            lambda y, p: np.where(np.abs(p - y) <= 1, 0.5 * (p - y) ** 2, np.abs(p - y) - 0.5),
        ),
        (tf.losses.log_loss, lambda y, p: -y * np.log(p + 1e-7) - (1 - y) * np.log(1 - p + 1e-7)),
    ],
)
def test_regression_losses_with_weights_and_reductions(fn, elementwise):
    per = elementwise(LABELS, PRED)
    weighted = per * WEIGHTS
    nonzero = np.count_nonzero(np.broadcast_to(WEIGHTS, per.shape))
    R = tf.losses.Reduction
    expected = {
        R.NONE: weighted,
        R.SUM: weighted.sum(),
        R.MEAN: weighted.sum() / np.broadcast_to(WEIGHTS, per.shape).sum(),
        R.SUM_OVER_BATCH_SIZE: weighted.sum() / per.size,
        R.SUM_BY_NONZERO_WEIGHTS: weighted.sum() / nonzero,
    }
    for reduction, want in expected.items():
        got = run(fn(LABELS, PRED, weights=WEIGHTS, reduction=reduction))
        np.testing.assert_allclose(got, want, rtol=1e-5, err_msg=reduction)
    default = run(fn(LABELS, PRED))
    assert default == pytest.approx(per.mean(), rel=1e-5)


def test_default_reduction_all_zero_weights_gives_zero_not_nan():
    loss = tf.losses.mean_squared_error(LABELS, PRED, weights=0.0)
    assert run(loss) == 0.0


def test_losses_collection_and_total_loss():
    a = tf.losses.mean_squared_error(LABELS, PRED)
    b = tf.losses.absolute_difference(LABELS, PRED, loss_collection=None)
    c = tf.constant(0.25)
    tf.losses.add_loss(c)
    assert tf.losses.get_losses() == [a, c]
    assert b not in tf.get_collection(tf.GraphKeys.LOSSES)
    total = tf.losses.get_total_loss()
    assert total.name == "total_loss:0"
    assert run(total) == pytest.approx(run(a) + 0.25, rel=1e-6)


def test_loss_names_follow_tf():
    logits = tf.placeholder(tf.float32, [None, 3], name="logits")
    labels = tf.placeholder(tf.float32, [None, 3], name="labels")
    loss = tf.losses.softmax_cross_entropy(labels, logits)
    assert loss.name == "softmax_cross_entropy_loss/value:0"
    graph = tf.get_default_graph()
    assert (
        graph.get_operation_by_name("softmax_cross_entropy_loss/xentropy").type
        == "SoftmaxCrossEntropyWithLogits"
    )
    assert (
        graph.get_operation_by_name("softmax_cross_entropy_loss/labels_stop_gradient").type == "StopGradient"
    )
    assert tf.losses.mean_squared_error(labels, logits).name == "mean_squared_error/value:0"


def test_softmax_cross_entropy_with_label_smoothing_and_weights():
    logits = RNG.randn(5, 4).astype(np.float32)
    onehot = np.eye(4, dtype=np.float32)[[0, 3, 1, 1, 2]]
    smooth = onehot * 0.8 + 0.2 / 4
    w = np.array([1, 2, 0, 1, 1], np.float32)
    per = -(smooth * np.log(softmax(logits))).sum(-1)
    got = run(tf.losses.softmax_cross_entropy(onehot, logits, weights=w, label_smoothing=0.2))
    assert got == pytest.approx((per * w).sum() / 4, rel=1e-5)


def test_sparse_and_sigmoid_cross_entropy_losses():
    logits = RNG.randn(5, 4).astype(np.float32)
    labels = np.array([0, 3, 1, 1, 2], np.int32)
    want = -np.log(softmax(logits)[np.arange(5), labels]).mean()
    assert run(tf.losses.sparse_softmax_cross_entropy(labels, logits)) == pytest.approx(want, rel=1e-5)
    assert run(tf.losses.sparse_softmax_cross_entropy(labels[:, None], logits)) == pytest.approx(
        want, rel=1e-5
    )
    z = RNG.rand(5, 4).astype(np.float32)
    sig = 1 / (1 + np.exp(-logits))
    want = (-(z * np.log(sig) + (1 - z) * np.log(1 - sig))).mean()
    assert run(tf.losses.sigmoid_cross_entropy(z, logits)) == pytest.approx(want, rel=1e-5)


def test_nn_loss_functions():
    logits = RNG.randn(2, 3, 4).astype(np.float32)
    labels = softmax(RNG.randn(2, 3, 4)).astype(np.float32)
    xent = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert xent.shape.as_list() == [2, 3]
    np.testing.assert_allclose(run(xent), -(labels * np.log(softmax(logits))).sum(-1), rtol=1e-5)
    t = RNG.randn(3, 2).astype(np.float32)
    assert run(tf.nn.l2_loss(t)) == pytest.approx((t**2).sum() / 2, rel=1e-6)


def test_softmax_cross_entropy_v1_does_not_backprop_into_labels():
    logits = tf.constant(RNG.randn(2, 3).astype(np.float32))
    labels = tf.constant(softmax(RNG.randn(2, 3)).astype(np.float32))
    v1 = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert tf.gradients(v1, [labels]) == [None]
    assert tf.gradients(v2, [labels])[0] is not None


@pytest.mark.parametrize("scale", [1e4, 1e30])
def test_large_logits_give_finite_losses_and_gradients(scale):
    logits = tf.constant(np.array([[1.0, -1.0, 0.5], [-2.0, 3.0, 0.0]], np.float32) * scale)
    onehot = np.eye(3, dtype=np.float32)[[1, 1]]
    losses = [
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=onehot, logits=logits),
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 1], logits=logits),
        tf.nn.sigmoid_cross_entropy_with_logits(labels=onehot, logits=logits),
        tf.losses.softmax_cross_entropy(onehot, logits),
    ]
    grads = [tf.gradients(loss, [logits])[0] for loss in losses]
    for value in run(losses + grads):
        assert np.all(np.isfinite(value))


def test_loss_errors_match_tf():
    with pytest.raises(ValueError, match="labels must not be None."):
        tf.losses.mean_squared_error(None, PRED)
    with pytest.raises(ValueError, match=r"^`labels.shape.rank` must equal `logits.shape.rank - 1`. "):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[1]], logits=np.zeros((1, 3), np.float32))
    with pytest.raises(ValueError, match=r"^`logits` and `labels` must have the same shape, received \("):
        tf.nn.sigmoid_cross_entropy_with_logits(
            labels=np.zeros((2, 3), np.float32), logits=np.zeros((3, 2), np.float32)
        )
    with pytest.raises(ValueError, match="Invalid Reduction Key bogus."):
        tf.losses.compute_weighted_loss(PRED, reduction="bogus")
    with pytest.raises(ValueError, match="weights can not be broadcast to values"):
        tf.losses.mean_squared_error(LABELS, PRED, weights=np.ones((2, 3), np.float32))
    bad = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[5], logits=np.zeros((1, 3), np.float32))
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"Received a label value of 5 which is outside the "
        r"valid range of \[0, 3\)",
    ):
        run(bad)
