"""Lecture, part 10: tf.train.Saver writes TensorFlow checkpoints and reads them back."""

import os

import engine as tf

# Create some variables.
v1 = tf.get_variable("v1", shape=[3], initializer=tf.zeros_initializer)
v2 = tf.get_variable("v2", shape=[5], initializer=tf.zeros_initializer)

inc_v1 = v1.assign(v1 + 1)
dec_v2 = v2.assign(v2 - 1)

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

print(sorted(os.listdir("logs")))

# A new graph, as in a new program: the same names, restored from the checkpoint.
tf.reset_default_graph()
v1 = tf.get_variable("v1", shape=[3])
v2 = tf.get_variable("v2", shape=[5])
saver = tf.train.Saver()
with tf.Session() as sess:
    saver.restore(sess, "logs/model.ckpt")
    print("Model restored.")
    # Check the values of the variables
    print("v1 : {}".format(v1.eval()))
    print("v2 : {}".format(v2.eval()))
