"""Graph builders shared by both sides of the interop tests.

Every function takes the TF1 module as ``tf``: the test process passes ``engine``, the script run under
real TensorFlow (tf_side.py) passes ``tensorflow.compat.v1``. One source therefore builds the "same
graph" on both sides, down to op and variable names. Only numpy is imported here, so the module loads in
either interpreter.
"""

from __future__ import annotations

import numpy as np

IN, HIDDEN, OUT, BATCH = 5, 16, 3, 6


def mlp_params(seed: int = 0) -> dict[str, list]:
    """Initial values for the MLP, as JSON-able lists (explicit: these tests do not lean on random init)."""
    rng = np.random.RandomState(seed)
    shapes = {"layer1/weight": (IN, HIDDEN), "layer1/bias": (HIDDEN,),
              "layer2/weight": (HIDDEN, OUT), "layer2/bias": (OUT,)}
    return {name: (0.5 * rng.randn(*shape)).astype(np.float32).tolist() for name, shape in shapes.items()}


def mlp_batch(seed: int = 1) -> dict[str, list]:
    rng = np.random.RandomState(seed)
    return {"x": rng.randn(BATCH, IN).astype(np.float32).tolist(),
            "y": rng.rand(BATCH, OUT).astype(np.float32).tolist()}


def dense_relu(tf, input, in_size, out_size, init=None):  # noqa: A002 - the lecture's signature
    """The lecture's layer; ``init`` maps "weight"/"bias" to starting values (None: TF's defaults)."""
    if init is None:
        weight = tf.get_variable("weight", [in_size, out_size])
        bias = tf.get_variable("bias", [out_size])
    else:
        weight = tf.get_variable("weight", [in_size, out_size],
                                 initializer=tf.constant_initializer(np.asarray(init["weight"], np.float32)))
        bias = tf.get_variable("bias", [out_size],
                               initializer=tf.constant_initializer(np.asarray(init["bias"], np.float32)))
    before_relu = tf.matmul(input, weight) + bias
    return tf.nn.relu(before_relu)


def build_mlp(tf, params=None, optimizer="adam", summaries=False, loss="mse"):
    """Two dense_relu layers, a loss (mean squared error, or softmax cross-entropy on the second layer's
    output as logits), one optimizer step op and a global step.

    Returns the handles the tests run, by TensorFlow tensor/op name.
    """
    x = tf.placeholder(tf.float32, [None, IN], name="x")
    y = tf.placeholder(tf.float32, [None, OUT], name="y")

    def layer_init(scope):
        if params is None:
            return None
        return {"weight": params[f"{scope}/weight"], "bias": params[f"{scope}/bias"]}

    with tf.variable_scope("layer1"):
        relu1 = dense_relu(tf, x, IN, HIDDEN, layer_init("layer1"))
    with tf.variable_scope("layer2"):
        relu2 = dense_relu(tf, relu1, HIDDEN, OUT, layer_init("layer2"))
    if loss == "mse":
        loss = tf.losses.mean_squared_error(y, relu2)
    elif loss == "softmax":
        loss = tf.losses.softmax_cross_entropy(onehot_labels=y, logits=relu2)
    else:
        raise ValueError(f"unknown loss {loss!r}")
    global_step = tf.train.get_or_create_global_step()
    if optimizer == "adam":
        opt = tf.train.AdamOptimizer(0.01)
    elif optimizer == "sgd":
        opt = tf.train.GradientDescentOptimizer(0.1)
    else:
        raise ValueError(f"unknown optimizer {optimizer!r}")
    train_op = opt.minimize(loss, global_step=global_step)
    names = {"x": x.name, "y": y.name, "output": relu2.name, "loss": loss.name, "train": train_op.name,
             "global_step": global_step.name,
             "shapes": {key: str(t.shape) for key, t in [("x", x), ("output", relu2), ("loss", loss)]}}
    if summaries:
        tf.summary.scalar("loss", loss)
        tf.summary.histogram("layer1/activations", relu1)
        names["summary"] = tf.summary.merge_all().name
    names["init"] = tf.global_variables_initializer().name
    return names


def build_lecture_variables(tf):
    """The lecture's Saver example: v1 [3] and v2 [5], with the ops that move them."""
    v1 = tf.get_variable("v1", shape=[3], initializer=tf.zeros_initializer)
    v2 = tf.get_variable("v2", shape=[5], initializer=tf.zeros_initializer)
    inc_v1 = v1.assign(v1 + 1)
    dec_v2 = v2.assign(v2 - 1)
    init = tf.global_variables_initializer()
    return {"init": init.name, "inc_v1": inc_v1.op.name, "dec_v2": dec_v2.op.name}


def build_typed_variables(tf):
    """Variables of the other dtypes a checkpoint must carry: float64, int32, int64, bool."""
    tf.get_variable("typed/f64", initializer=tf.constant([[1.5, -2.25], [1e-300, 3.0]], dtype=tf.float64))
    tf.get_variable("typed/i32", initializer=tf.constant([7, -8, 2**31 - 1], dtype=tf.int32))
    tf.get_variable("typed/i64", initializer=tf.constant(2**40 + 3, dtype=tf.int64))
    tf.get_variable("typed/flag", initializer=tf.constant([True, False]), dtype=tf.bool)
    return {"init": tf.global_variables_initializer().name}
