"""Lecture, part 1: tensors, their shapes and dtypes, and the ops that make them."""

import engine as tf

a = tf.constant(3.0, dtype=tf.float32)
rank_three_tensor = tf.ones([3, 4, 5])
my_image = tf.zeros([10, 299, 299, 3])
r = tf.random_uniform(shape=[10, 5], minval=-0.1, maxval=0.1, dtype=tf.float32)
integer_seq_tsr = tf.range(start=6, limit=15, delta=3)  # [6, 9, 12]
linear_tsr = tf.linspace(start=2.0, stop=3.0, num=5)  # [2., 2.25, 2.5, 2.75, 3.]
filled_tsr = tf.fill([2, 3], 9)

print(rank_three_tensor.shape)  # every tensor has a shape: (3, 4, 5)

matrix = tf.reshape(rank_three_tensor, [6, 10])  # reshape into a 6x10 matrix
matrixB = tf.reshape(matrix, [3, -1])  # -1: "work it out" -> 3x20
matrixAlt = tf.reshape(matrixB, [4, 3, -1])  # -> 4x3x5
print(matrix.shape, matrixB.shape, matrixAlt.shape)

# Cast a constant integer tensor into floating point.
float_tensor = tf.cast(tf.constant([1, 2, 3]), dtype=tf.float32)
print(float_tensor.dtype)

with tf.Session() as sess:
    print(sess.run(integer_seq_tsr))
    print(sess.run(linear_tsr))
    print(sess.run(filled_tsr))
