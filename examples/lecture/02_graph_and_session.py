"""Lecture, part 2: building a graph does not compute anything; a Session runs it."""

import engine as tf

a = tf.constant(3.0, dtype=tf.float32)
b = tf.constant(4.0)  # also tf.float32 implicitly
total = a + b
print(a)
print(b)
print(total)

c = tf.constant(4.0)  # every tensor and op is added to the default graph
assert c.graph is tf.get_default_graph()

sess = tf.Session()
print(sess.run(total))  # "fetch the tensor total"
