"""Lecture, part 8: placeholders take the graph's input at run time, through feed_dict."""

import engine as tf

x = tf.placeholder(tf.float32)
y = tf.placeholder(tf.float32)
z = x + y  # no shape needed

sess = tf.Session()
print(sess.run(z, feed_dict={x: 3, y: 4.5}))
print(sess.run(z, feed_dict={x: [1, 3], y: [2, 4]}))

try:
    sess.run(z, feed_dict={x: 3})
except tf.errors.InvalidArgumentError as error:
    print(type(error).__name__, "-", error.message.splitlines()[0])
