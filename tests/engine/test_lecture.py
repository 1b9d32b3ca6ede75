"""The lecture (shared/seed/lecture-tf-low-level-api.md), snippet by snippet, after `import engine as tf`.

Each test runs one snippet verbatim (the code between the SNIPPET markers is copied from the lecture)
and checks what it prints against what TensorFlow 1.x prints.  Where the lecture shows output from an
old numpy (`[ 3.  7.]`), the assertion uses what TF 1.x prints with current numpy (`[3. 7.]`).  Names a
snippet uses without defining (`images_batch`, `input`, ...) are set up before the marker.
"""

# The snippets are kept verbatim, unused names and str.format included.
# ruff: noqa: F841, UP032

import re

import numpy as np
import pytest

import engine as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def _lines(capsys):
    return capsys.readouterr().out.splitlines()


def test_creating_tensors_directly():
    # SNIPPET
    a = tf.constant(3.0, dtype=tf.float32)
    rank_three_tensor = tf.ones([3, 4, 5])
    my_image = tf.zeros([10, 299, 299, 3])
    r = tf.random_uniform(shape=[10, 5], minval=-0.1, maxval=0.1, dtype=tf.float32)
    integer_seq_tsr = tf.range(start=6, limit=15, delta=3)    # [6, 9, 12]
    linear_tsr = tf.linspace(start=2.0, stop=3.0, num=5)    # [2., 2.25, 2.5, 2.75, 3.]
    filled_tsr = tf.fill([2, 3], 9)
    # END SNIPPET
    with tf.Session() as sess:
        values = sess.run([a, rank_three_tensor, my_image, r, integer_seq_tsr, linear_tsr, filled_tsr])
    assert values[0] == np.float32(3.0)
    assert values[1].shape == (3, 4, 5) and (values[1] == 1).all()
    assert values[2].shape == (10, 299, 299, 3) and not values[2].any()
    assert values[3].shape == (10, 5) and values[3].dtype == np.float32
    assert ((values[3] >= -0.1) & (values[3] < 0.1)).all()
    assert values[4].tolist() == [6, 9, 12] and values[4].dtype == np.int32
    np.testing.assert_array_equal(values[5], np.array([2.0, 2.25, 2.5, 2.75, 3.0], np.float32))
    assert values[6].tolist() == [[9, 9, 9], [9, 9, 9]] and values[6].dtype == np.int32


def test_shape_and_reshape(capsys):
    # SNIPPET
    rank_three_tensor = tf.ones([3, 4, 5])
    print(rank_three_tensor.shape) # will print [3, 4, 5], 모든 텐서는 shape속성을 가짐

    matrix = tf.reshape(rank_three_tensor, [6, 10]) # Reshape into 6x10 matrix
    matrixB = tf.reshape(matrix, [3, -1]) # Reshape into a 3x20 matrix
    # -1은 알아서 계산하라는 뜻
    matrixAlt = tf.reshape(matrixB, [4, 3, -1]) # Reshape to a 4x3x5 tensor
    # END SNIPPET
    assert _lines(capsys) == ["(3, 4, 5)"]  # TF 1.x prints the TensorShape this way
    assert matrix.shape.as_list() == [6, 10]
    assert matrixB.shape.as_list() == [3, 20]
    assert matrixAlt.shape.as_list() == [4, 3, 5]


def test_cast(capsys):
    # SNIPPET
    # Cast a constant integer tensor into floating point.
    float_tensor = tf.cast(tf.constant([1, 2, 3]), dtype=tf.float32)
    print(float_tensor.dtype)
    # END SNIPPET
    assert _lines(capsys) == ["<dtype: 'float32'>"]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(float_tensor), np.array([1.0, 2.0, 3.0], np.float32))


def test_layer_expression():
    images_batch = tf.placeholder(tf.float32, [None, 4])
    w1 = tf.Variable(tf.ones([4, 2]))
    b1 = tf.Variable(tf.zeros([2]))
    # SNIPPET
    fc1 = tf.nn.relu(tf.matmul(images_batch, w1)+b1)
    # END SNIPPET
    assert fc1.op.type == "Relu"
    assert str(fc1) == 'Tensor("Relu:0", shape=(?, 2), dtype=float32)'  # what print(fc1) shows
    assert repr([fc1]) == "[<tf.Tensor 'Relu:0' shape=(?, 2) dtype=float32>]"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(fc1, feed_dict={images_batch: [[1, -2, 0, 0.5]]})
    np.testing.assert_array_equal(out, np.array([[0.0, 0.0]], np.float32))


def test_default_graph():
    # SNIPPET
    c = tf.constant(4.0)
    assert c.graph is tf.get_default_graph()
    # END SNIPPET


def test_printing_tensors(capsys):
    # SNIPPET
    a = tf.constant(3.0, dtype=tf.float32)
    b = tf.constant(4.0) # also tf.float32 implicitly
    total = a + b
    print(a)
    print(b)
    print(total)
    # END SNIPPET
    assert _lines(capsys) == [
        'Tensor("Const:0", shape=(), dtype=float32)',
        'Tensor("Const_1:0", shape=(), dtype=float32)',
        'Tensor("add:0", shape=(), dtype=float32)',
    ]


def test_summary_file_writer(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = tf.constant(3.0, dtype=tf.float32)
    b = tf.constant(4.0)
    total = a + b
    # SNIPPET
    writer = tf.summary.FileWriter('tmp/logs')
    writer.add_graph(tf.get_default_graph())
    writer.flush()
    # END SNIPPET
    writer.close()
    files = list((tmp_path / "tmp" / "logs").iterdir())
    assert len(files) == 1
    assert re.fullmatch(r"events\.out\.tfevents\.\d+\..+", files[0].name)
    del total


def test_named_ops(capsys):
    # SNIPPET
    a = tf.constant(3.0, dtype=tf.float32, name='MyConst1')
    b = tf.constant(4.0, name='MyConst2')
    total = tf.add(a, b, name='MyAdd')
    print(a)
    print(b)
    print(total)
    # END SNIPPET
    assert _lines(capsys) == [
        'Tensor("MyConst1:0", shape=(), dtype=float32)',
        'Tensor("MyConst2:0", shape=(), dtype=float32)',
        'Tensor("MyAdd:0", shape=(), dtype=float32)',
    ]


def test_session_run(capsys):
    a = tf.constant(3.0, dtype=tf.float32)
    b = tf.constant(4.0)
    total = a + b
    # SNIPPET
    sess = tf.Session()
    print(sess.run(total))
    # END SNIPPET
    assert _lines(capsys) == ["7.0"]
    assert type(sess.run(total)) is np.float32


def test_constant_is_an_op_output(capsys):
    # SNIPPET
    a = tf.constant(3.0)
    print(a)
    # END SNIPPET
    # The lecture shows "Const1:0" (a hand-drawn name); TF names the first unnamed constant "Const".
    assert _lines(capsys) == ['Tensor("Const:0", shape=(), dtype=float32)']


def test_one_value_per_run(capsys):
    sess = tf.Session()
    # SNIPPET
    vec = tf.random_uniform(shape=(3,))
    out1 = vec + 1
    out2 = vec + 2
    print(sess.run(vec))
    print(sess.run(vec))
    print(sess.run((out1, out2)))
    # END SNIPPET
    lines = capsys.readouterr().out.splitlines()
    number = r"\d\.\d+"
    assert re.fullmatch(rf"\[\s*{number}\s+{number}\s+{number}\s*\]", lines[0])
    assert re.fullmatch(rf"\[\s*{number}\s+{number}\s+{number}\s*\]", lines[1])
    assert lines[0] != lines[1]
    assert lines[2].startswith("(array([") and "dtype=float32)" in lines[2]
    first, second = sess.run((out1, out2))
    np.testing.assert_allclose(second - first, np.ones(3, np.float32), rtol=0, atol=1e-6)


def test_running_an_operation_returns_none():
    sess = tf.Session()
    # SNIPPET
    init = tf.global_variables_initializer()
    sess.run(init)
    # END SNIPPET
    assert sess.run(init) is None
    assert init.type == "NoOp" and init.name == "init"


def test_train_op_and_loss_fetched_together():
    images_batch = tf.placeholder(tf.float32, [None, 3])
    labels_batch = tf.placeholder(tf.float32, [None, 1])
    w = tf.get_variable("w", [3, 1])
    loss = tf.reduce_mean(tf.square(tf.matmul(images_batch, w) - labels_batch))
    images_batch_val = np.ones((4, 3), np.float32)
    labels_batch_val = np.zeros((4, 1), np.float32)
    sess = tf.Session()
    # SNIPPET
    train_op = tf.train.AdamOptimizer().minimize(loss)
    # END SNIPPET
    sess.run(tf.global_variables_initializer())
    # SNIPPET
    _, _loss = sess.run([train_op, loss], feed_dict={
        images_batch:images_batch_val,
        labels_batch:labels_batch_val
    })
    # END SNIPPET
    assert _ is None
    assert type(_loss) is np.float32


def test_get_variable(capsys):
    # SNIPPET
    v = tf.get_variable("my_variable", [1, 2, 3])
    # END SNIPPET
    assert v.name == "my_variable:0"
    assert v.dtype == tf.float32_ref
    assert repr(v) == "<tf.Variable 'my_variable:0' shape=(1, 2, 3) dtype=float32_ref>"
    # glorot_uniform: fan_in = 1*2 = 2, fan_out = 1*3 = 3 -> limit sqrt(6/5)
    ops = [op.name for op in tf.get_default_graph().get_operations()]
    assert "my_variable/Initializer/random_uniform" in ops


def test_get_variable_dtype_and_initializer():
    # SNIPPET
    my_int_variable = tf.get_variable("my_int_variable", [1, 2, 3],
                                    dtype=tf.int32, initializer=tf.zeros_initializer)
    other_variable = tf.get_variable("other_variable", dtype=tf.int32,
                                    initializer=tf.constant([23, 42]))
    # END SNIPPET
    session = tf.Session()
    # SNIPPET
    session.run(tf.global_variables_initializer())
    # END SNIPPET
    ints, other = session.run([my_int_variable, other_variable])
    assert ints.dtype == np.int32 and ints.shape == (1, 2, 3) and not ints.any()
    assert other.tolist() == [23, 42]


def test_local_and_non_trainable_variables():
    # SNIPPET
    my_local = tf.get_variable("my_local", shape=(),
                               collections=[tf.GraphKeys.LOCAL_VARIABLES])
    # END SNIPPET
    # SNIPPET
    my_non_trainable = tf.get_variable("my_non_trainable",
                                       shape=(), trainable=False)
    # END SNIPPET
    assert tf.local_variables() == [my_local]
    assert tf.global_variables() == [my_non_trainable]
    # TF 1.x: trainable defaults to True, so the local variable is also trainable.
    assert tf.trainable_variables() == [my_local]


def test_own_collection():
    # SNIPPET
    my_local = tf.get_variable("my_local_var", [2, 3])
    tf.add_to_collection("my_collection_name", my_local)
    # END SNIPPET
    # SNIPPET
    tf.get_collection("my_collection_name")
    # END SNIPPET
    assert tf.get_collection("my_collection_name") == [my_local]


def test_variables_persist_across_runs(capsys):
    # SNIPPET
    cool_numbers = tf.Variable([3.14159, 2.71828], tf.float32)
    my_op = tf.assign(cool_numbers, cool_numbers+1)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    print(sess.run(cool_numbers))
    sess.run(my_op)
    print(sess.run(cool_numbers))
    sess.run(my_op)
    print(sess.run(cool_numbers))
    # END SNIPPET
    assert _lines(capsys) == ["[3.14159 2.71828]", "[4.14159 3.71828]", "[5.14159 4.71828]"]


# SNIPPET
def dense_relu(input, in_size, out_size):  # noqa: A002 - the lecture's signature
    weight = tf.get_variable("weight", [in_size, out_size])
    bias = tf.get_variable("bias", [out_size])
    before_relu = tf.matmul(input, weight) + bias
    return tf.nn.relu(before_relu)
# END SNIPPET


def test_calling_dense_relu_twice_fails():
    input = tf.placeholder(tf.float32, [None, 10])  # noqa: A001 - the lecture's name
    with pytest.raises(ValueError) as info:
        # SNIPPET
        out1 = dense_relu(input, 10, 128)
        out2 = dense_relu(out1, 128, 258)    # Error !!!
        # END SNIPPET
    assert str(info.value).startswith(
        "Variable weight already exists, disallowed. Did you mean to set reuse=True or "
        "reuse=tf.AUTO_REUSE in VarScope? Originally defined at:"
    )
    assert "test_lecture.py" in str(info.value)


def test_variable_scopes_name_variables():
    input = tf.placeholder(tf.float32, [None, 10])  # noqa: A001
    # SNIPPET
    with tf.variable_scope("layer1"):
        # Variables created here will be named "layer1/weight", "layer1/bias".
        relu1 = dense_relu(input, 10, 128)
    with tf.variable_scope("layer2"):
        # Variables created here will be named "layer2/weight", "layer2/bias".
        relu2 = dense_relu(relu1, 128, 256)
    # END SNIPPET
    assert [v.name for v in tf.global_variables()] == [
        "layer1/weight:0", "layer1/bias:0", "layer2/weight:0", "layer2/bias:0"]
    assert relu2.name == "layer2/Relu:0"
    assert relu2.shape.as_list() == [None, 256]


def test_reusing_a_scope():
    input = tf.placeholder(tf.float32, [None, 10])  # noqa: A001
    # The lecture's own example reuses model/weight [10, 128] for a 128x256 layer; TF rejects that.
    with pytest.raises(ValueError) as info:
        # SNIPPET
        with tf.variable_scope("model") as scope:
            relu1 = dense_relu(input, 10, 128)
        with tf.variable_scope(scope, reuse=True):
            relu2 = dense_relu(relu1, 128, 256)
        # END SNIPPET
    assert str(info.value) == (
        "Trying to share variable model/weight, but specified shape (128, 256) and found shape (10, 128).")
    # With matching shapes the same variables are shared, and the ops go to the re-entered name scope.
    hidden = tf.placeholder(tf.float32, [None, 10])
    with tf.variable_scope(scope, reuse=True):
        relu3 = dense_relu(hidden, 10, 128)
    assert relu3.name == "model_2/Relu:0"
    assert [v.name for v in tf.global_variables()] == ["model/weight:0", "model/bias:0"]


def test_placeholders(capsys):
    sess = tf.Session()
    # SNIPPET
    x = tf.placeholder(tf.float32)
    y = tf.placeholder(tf.float32)
    z = x + y
    print(sess.run(z, feed_dict={x: 3, y: 4.5}))
    print(sess.run(z, feed_dict={x: [1, 3], y: [2, 4]}))
    # END SNIPPET
    assert _lines(capsys) == ["7.5", "[3. 7.]"]  # the lecture's old numpy printed "[ 3.  7.]"


def test_loss_functions():
    y_true = tf.constant([[1.0], [2.0]])
    y_pred = tf.constant([[1.5], [1.0]])
    x = tf.constant([1.0, 2.0])
    x_hat = tf.constant([0.0, 0.0])
    y_hat = tf.constant([[2.0, 1.0]])
    y = tf.constant([[1.0, 0.0]])
    # SNIPPET
    loss = tf.losses.mean_squared_error(labels=y_true, predictions=y_pred)
    # END SNIPPET
    # SNIPPET
    l2_loss = tf.nn.l2_loss(x-x_hat) # half of L2 norm of t given by sum(t**2)/2
    # END SNIPPET
    # SNIPPET
    ce_loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(
        logits=y_hat, labels=y))
    # END SNIPPET
    with tf.Session() as sess:
        mse, l2, ce = sess.run([loss, l2_loss, ce_loss])
    assert mse == pytest.approx(0.625)
    assert l2 == pytest.approx(2.5)
    assert ce == pytest.approx(np.log(1 + np.exp(-1.0)), rel=1e-6)


def test_optimizers():
    w = tf.Variable(2.0)
    loss = tf.square(w)
    # SNIPPET
    optimizer = tf.train.GradientDescentOptimizer(0.01)
    train = optimizer.minimize(loss)
    # END SNIPPET
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run(w) == pytest.approx(2.0 - 0.01 * 4.0)
    # SNIPPET
    optimizer = tf.train.AdamOptimizer()
    train = optimizer.minimize(loss)
    # END SNIPPET
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run(w) == pytest.approx(2.0 - 0.001, rel=1e-5)


def test_saver_save_and_restore(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # SNIPPET
    # Create some variables.
    v1 = tf.get_variable("v1", shape=[3], initializer = tf.zeros_initializer)
    v2 = tf.get_variable("v2", shape=[5], initializer = tf.zeros_initializer)
    inc_v1 = v1.assign(v1+1)
    dec_v2 = v2.assign(v2-1)
    init_op = tf.global_variables_initializer()
    # Add ops to save and restore all the variables.
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(init_op)
        # Do some work with the model.
        inc_v1.op.run()
        dec_v2.op.run()
        # Save the variables to disk.
        save_path = saver.save(sess, "logs/model.ckpt")
        print("Model saved in file: {}".format(save_path))
    # END SNIPPET
    assert _lines(capsys) == ["Model saved in file: logs/model.ckpt"]
    tf.reset_default_graph()
    # SNIPPET
    # Create some variables.
    v1 = tf.get_variable("v1", shape=[3])
    v2 = tf.get_variable("v2", shape=[5])
    # Add ops to save and restore all the variables.
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, "logs/model.ckpt")
        print("Model restored.")
        # Check the values of the variables
        print("v1 : {}".format(v1.eval()))
        print("v2 : {}".format(v2.eval()))
    # END SNIPPET
    assert _lines(capsys) == ["Model restored.", "v1 : [1. 1. 1.]", "v2 : [-1. -1. -1. -1. -1.]"]
