"""Lecture, part 7: variable_scope gives each layer's variables a unique name; reuse shares them."""

import engine as tf


def dense_relu(input, in_size, out_size):
    weight = tf.get_variable("weight", [in_size, out_size])
    bias = tf.get_variable("bias", [out_size])
    before_relu = tf.matmul(input, weight) + bias
    return tf.nn.relu(before_relu)


input = tf.placeholder(tf.float32, shape=[None, 10], name="input")

# Calling it twice in the same scope makes the same names twice: an error.
out1 = dense_relu(input, 10, 128)
try:
    out2 = dense_relu(out1, 128, 258)  # Error !!!
except ValueError as error:
    print(str(error).splitlines()[0])

with tf.variable_scope("layer1"):
    # Variables created here will be named "layer1/weight", "layer1/bias".
    relu1 = dense_relu(input, 10, 128)
with tf.variable_scope("layer2"):
    # Variables created here will be named "layer2/weight", "layer2/bias".
    relu2 = dense_relu(relu1, 128, 256)
print([v.name for v in tf.trainable_variables()])

# Reusing: the same scope with reuse=True shares the variables (so the shapes must agree).
with tf.variable_scope("model") as scope:
    relu3 = dense_relu(input, 10, 10)
with tf.variable_scope(scope, reuse=True):
    relu4 = dense_relu(relu3, 10, 10)
print([v.name for v in tf.trainable_variables() if v.name.startswith("model/")])
