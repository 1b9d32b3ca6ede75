"""Lecture, part 3: naming ops, and writing the graph for board (TensorBoard) to draw.

Afterwards: `board --logdir tmp/logs`, then open http://localhost:6006/graphs.
"""

import engine as tf

a = tf.constant(3.0, dtype=tf.float32, name="MyConst1")
b = tf.constant(4.0, name="MyConst2")
total = tf.add(a, b, name="MyAdd")
print(a)
print(b)
print(total)

writer = tf.summary.FileWriter("tmp/logs")
writer.add_graph(tf.get_default_graph())
writer.flush()

with tf.Session() as sess:
    print(sess.run(total))
