"""Session.run: fetch structures, feeds, pruning, one value per op per run, state, TF's error texts."""

import collections

import numpy as np
import pytest

import engine as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def test_scalar_fetch_is_a_numpy_scalar():
    total = tf.constant(3.0) + tf.constant(4.0)
    with tf.Session() as sess:
        value = sess.run(total)
    assert type(value) is np.float32 and value == 7.0


def test_fetch_structures_come_back_in_shape():
    a = tf.constant(1.0, name="a")
    b = tf.constant([2, 3], name="b")
    pair = collections.namedtuple("pair", "first second")
    init = tf.no_op(name="noop")
    with tf.Session() as sess:
        result = sess.run({"x": [a, (b, init)], "y": pair(a, "b:0"), "z": "a"})
    assert result["x"][0] == 1.0
    assert result["x"][1][0].tolist() == [2, 3] and result["x"][1][1] is None
    assert isinstance(result["x"][1], tuple)
    assert isinstance(result["y"], pair) and result["y"].second.tolist() == [2, 3]
    assert result["z"] is None  # an op name fetches the Operation


def test_feeds_by_tensor_and_by_name():
    x = tf.placeholder(tf.float32, name="x")
    y = x * 2
    with tf.Session() as sess:
        assert sess.run(y, {x: 3}) == 6.0
        assert sess.run(y, {"x:0": 4}) == 8.0
        np.testing.assert_array_equal(sess.run(y, {x: [1, 2]}), np.array([2, 4], np.float32))


def test_any_tensor_can_be_fed():
    a = tf.constant(1.0)
    b = a + 1
    c = b * 10
    with tf.Session() as sess:
        assert sess.run(c, {b: 5.0}) == 50.0


def test_each_op_runs_once_per_run_and_only_needed_ops_run():
    vec = tf.random_uniform(shape=(3,))
    out1 = vec + 1
    out2 = vec + 2
    unrelated = tf.placeholder(tf.float32)  # never fed: fine because nothing needs it
    with tf.Session() as sess:
        v, o1, o2 = sess.run([vec, out1, out2])
        assert sess.run(unrelated + 0, {unrelated: 1.0}) == 1.0
    np.testing.assert_allclose(o1, v + 1, rtol=1e-6)
    np.testing.assert_allclose(o2, v + 2, rtol=1e-6)


def test_fetching_the_same_tensor_twice():
    r = tf.random_normal([2])
    with tf.Session() as sess:
        first, second = sess.run([r, r])
    np.testing.assert_array_equal(first, second)


def test_fetched_arrays_are_copies():
    v = tf.Variable([1.0, 2.0])
    c = tf.constant([5.0, 6.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        got = sess.run(v)
        got[0] = 100.0
        assert sess.run(v).tolist() == [1.0, 2.0]
        const = sess.run(c)
        const[0] = 0.0
        assert sess.run(c).tolist() == [5.0, 6.0]


def test_feed_of_wrong_shape():
    p = tf.placeholder(tf.float32, shape=[3])
    with tf.Session() as sess, pytest.raises(ValueError) as info:
        sess.run(p, {p: [1.0, 2.0]})
    assert (
        str(info.value)
        == "Cannot feed value of shape (2,) for Tensor 'Placeholder:0', which has shape '(3,)'"
    )


def test_feed_of_wrong_shape_with_unknown_dim():
    p = tf.placeholder(tf.float32, shape=[None, 3])
    with tf.Session() as sess, pytest.raises(ValueError) as info:
        sess.run(p, {p: np.zeros((2, 2))})
    assert (
        str(info.value)
        == "Cannot feed value of shape (2, 2) for Tensor 'Placeholder:0', which has shape '(?, 3)'"
    )


def test_missing_feed():
    x = tf.placeholder(tf.float32)
    y = x + 1
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(y)
    assert "You must feed a value for placeholder tensor 'Placeholder' with dtype float" in info.value.message
    assert info.value.op.name == "Placeholder"
    assert info.value.node_def.op == "Placeholder"
    assert isinstance(info.value, tf.errors.OpError)


def test_missing_feed_names_dtype_and_shape():
    x = tf.placeholder(tf.int32, [None, 3], name="ints")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(x)
    assert info.value.message.startswith(
        "You must feed a value for placeholder tensor 'ints' with dtype int32 and shape [?,3]"
    )


def test_feed_value_cannot_be_a_tensor():
    x = tf.placeholder(tf.float32)
    with (
        tf.Session() as sess,
        pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor object."),
    ):
        sess.run(x, {x: tf.constant(1.0)})


def test_placeholder_with_default():
    x = tf.placeholder_with_default(tf.constant([1.0, 2.0]), shape=[2])
    with tf.Session() as sess:
        assert sess.run(x).tolist() == [1.0, 2.0]
        assert sess.run(x, {x: [3.0, 4.0]}).tolist() == [3.0, 4.0]


def test_closed_session():
    a = tf.constant(1.0)
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="^Attempted to use a closed Session.$"):
        sess.run(a)


def test_bad_fetches():
    a = tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="Fetch argument None has invalid type <class 'NoneType'>"):
            sess.run(None)
        with pytest.raises(ValueError, match="Fetch argument 'nope:0' cannot be interpreted as a Tensor"):
            sess.run("nope:0")
        with pytest.raises(TypeError, match="Fetch argument 3 has invalid type <class 'int'>"):
            sess.run(3)
    other = tf.Graph()
    with other.as_default():
        foreign = tf.constant(2.0)
    with tf.Session() as sess, pytest.raises(ValueError, match="is not an element of this graph"):
        sess.run(foreign)
    del a


def test_empty_graph():
    with tf.Session() as sess, pytest.raises(RuntimeError, match="The Session graph is empty."):
        sess.run([])


def test_session_context_sets_default_session_and_eval():
    a = tf.constant(2.0)
    with tf.Session() as sess:
        assert tf.get_default_session() is sess
        assert a.eval() == 2.0
        assert (a * 3).eval(feed_dict=None) == 6.0
    assert tf.get_default_session() is None
    with pytest.raises(ValueError, match="No default session is registered"):
        a.eval()


def test_interactive_session():
    a = tf.constant(5.0)
    sess = tf.InteractiveSession()
    try:
        assert a.eval() == 5.0
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_two_sessions_have_separate_variable_state():
    v = tf.Variable(1.0, name="v")
    inc = tf.assign_add(v, 1.0)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(v.initializer)
    s2.run(v.initializer)
    s1.run(inc)
    s1.run(inc)
    assert (s1.run(v), s2.run(v)) == (3.0, 1.0)


def test_session_on_explicit_graph():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(4.0)
    with tf.Session(graph=g) as sess:
        assert sess.graph is g and sess.run(c) == 4.0


def test_runtime_error_names_the_node():
    x = tf.placeholder(tf.float32, [None, None])
    y = tf.reshape(x, [5], name="bad_reshape")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(y, {x: np.zeros((2, 3))})
    assert info.value.message.startswith(
        "Input to reshape is a tensor with 6 values, but the requested shape has 5"
    )
    assert info.value.op.name == "bad_reshape"


def test_numeric_edge_cases_follow_tf_without_numpy_warnings():
    with tf.Session() as sess:
        assert sess.run(tf.constant(1.0) / 0.0) == np.inf
        assert np.isnan(sess.run(tf.log(-1.0)))
        assert sess.run(tf.div_no_nan(1.0, 0.0)) == 0.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
            sess.run(tf.floordiv(1, 0))


def test_make_callable():
    x = tf.placeholder(tf.float32)
    y = x * x
    with tf.Session() as sess:
        square = sess.make_callable(y, [x])
        assert square(3.0) == 9.0


def test_plans_are_cached_per_signature():
    x = tf.placeholder(tf.float32)
    y = x + 1
    with tf.Session() as sess:
        sess.run(y, {x: 1.0})
        sess.run(y, {x: 2.0})
        sess.run([y], {x: 2.0})
        assert len(sess._plans) == 2


def test_random_ops_repeat_with_graph_seed_and_differ_between_ops():
    def draw():
        tf.reset_default_graph()
        tf.set_random_seed(1234)
        a = tf.random_uniform([3])
        b = tf.random_uniform([3])
        with tf.Session() as sess:
            return sess.run([a, b])

    (a1, b1), (a2, b2) = draw(), draw()
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(b1, b2)
    assert not np.array_equal(a1, b1)


def test_op_seed_repeats_across_sessions_and_stream_continues_in_one():
    r = tf.random_normal([4], seed=7)
    with tf.Session() as s1:
        first = s1.run(r)
        second = s1.run(r)
    with tf.Session() as s2:
        again = s2.run(r)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)


def test_plans_follow_control_inputs_added_later():
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    read = tf.identity(v)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(read) == 0.0
        read.op._add_control_input(inc.op)
        assert sess.run(read) == 1.0


def test_session_accepts_tf_config_objects():
    config = tf.ConfigProto(log_device_placement=True, gpu_options=tf.GPUOptions(allow_growth=True))
    total = tf.constant(1.0) + 1.0
    metadata = tf.RunMetadata()
    with tf.Session(config=config) as sess:
        value = sess.run(
            total, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=metadata
        )
    assert value == 2.0


def test_namespace_modules():
    import engine.gradients as gradients_module

    x = tf.placeholder(tf.float32)
    (grad,) = tf.gradients(x * x, [x])  # tf.gradients is callable, as in TF
    assert tf.gradients is gradients_module
    with tf.Session() as sess:
        assert sess.run(grad, {x: 3.0}) == 6.0
    tf.logging.set_verbosity(tf.logging.INFO)
    assert tf.logging.get_verbosity() == tf.logging.INFO
    assert tf.errors.InvalidArgumentError.error_code == 3


def test_a_str_fed_to_a_string_placeholder_is_its_utf8_bytes():
    """As TF: a fed `str` is encoded, so it equals a string constant and ops give it back as bytes."""
    mode = tf.placeholder(tf.string, [])
    words = tf.placeholder(tf.string, [None])
    with tf.Session() as s:
        assert s.run(tf.identity(mode), {mode: "tr\u00e9in"}) == "tr\u00e9in".encode()
        assert s.run(tf.equal(mode, "train"), {mode: "train"})
        got = s.run(tf.identity(words), {words: ["a", b"b", np.str_("c")]})
        assert got.dtype == object and got.tolist() == [b"a", b"b", b"c"]
        assert s.run(tf.identity(words), {words: np.array(["x", "yz"])}).tolist() == [b"x", b"yz"]
