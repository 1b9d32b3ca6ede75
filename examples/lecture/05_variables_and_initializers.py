"""Lecture, part 5: variables keep their value across Session.run calls."""

import engine as tf

v = tf.get_variable("my_variable", [1, 2, 3])  # float32, glorot_uniform by default
my_int_variable = tf.get_variable("my_int_variable", [1, 2, 3], dtype=tf.int32,
                                  initializer=tf.zeros_initializer)
other_variable = tf.get_variable("other_variable", dtype=tf.int32,
                                 initializer=tf.constant([23, 42]))
print(v)
print(my_int_variable)
print(other_variable)

cool_numbers = tf.Variable([3.14159, 2.71828], tf.float32)
my_op = tf.assign(cool_numbers, cool_numbers + 1)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
print(sess.run(cool_numbers))
sess.run(my_op)
print(sess.run(cool_numbers))
sess.run(my_op)
print(sess.run(cool_numbers))
print(sess.run(other_variable))
