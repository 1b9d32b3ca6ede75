"""Lecture, part 9: losses, and optimizers that minimize them."""

import numpy as np

import engine as tf

rng = np.random.RandomState(0)
x_data = rng.randn(32, 3).astype(np.float32)
y_data = x_data @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3

x = tf.placeholder(tf.float32, [None, 3], name="x")
y_true = tf.placeholder(tf.float32, [None, 1], name="y_true")
with tf.variable_scope("linear"):
    w = tf.get_variable("weight", [3, 1])
    b = tf.get_variable("bias", [1], initializer=tf.zeros_initializer)
y_pred = tf.matmul(x, w) + b

loss = tf.losses.mean_squared_error(labels=y_true, predictions=y_pred)
l2_loss = tf.nn.l2_loss(y_true - y_pred)  # sum(t ** 2) / 2

logits = tf.constant([[2.0, 1.0, 0.1]])
labels = tf.constant([[1.0, 0.0, 0.0]])
ce_loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=logits, labels=labels))

optimizer = tf.train.GradientDescentOptimizer(0.1)
train = optimizer.minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    feed = {x: x_data, y_true: y_data}
    print("cross-entropy:", sess.run(ce_loss))
    print("loss before:", sess.run(loss, feed))
    for _ in range(200):
        _, loss_value = sess.run([train, loss], feed)
    print("loss after:", loss_value)
    print("l2 loss after:", sess.run(l2_loss, feed))

# Adam is the other common choice; a fresh optimizer adds its own slots and ops.
adam_train = tf.train.AdamOptimizer().minimize(loss)
print(adam_train.name)
