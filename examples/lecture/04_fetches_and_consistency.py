"""Lecture, part 4: a tensor has one value within one run, and a new one in the next run."""

import engine as tf

vec = tf.random_uniform(shape=(3,))
out1 = vec + 1
out2 = vec + 2

sess = tf.Session()
print(sess.run(vec))
print(sess.run(vec))
print(sess.run((out1, out2)))  # out2 - out1 == 1 exactly: vec was computed once

# Running an Operation (not a Tensor) gives None: it is run for its side effects.
init = tf.global_variables_initializer()
print(sess.run(init))
