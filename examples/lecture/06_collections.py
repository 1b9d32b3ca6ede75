"""Lecture, part 6: collections group variables (and anything else) by name."""

import engine as tf

my_local = tf.get_variable("my_local", shape=(), collections=[tf.GraphKeys.LOCAL_VARIABLES])
my_non_trainable = tf.get_variable("my_non_trainable", shape=(), trainable=False)

my_local_var = tf.get_variable("my_local_var", [2, 3])
tf.add_to_collection("my_collection_name", my_local_var)

print([v.name for v in tf.get_collection(tf.GraphKeys.LOCAL_VARIABLES)])
print([v.name for v in tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)])
print([v.name for v in tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)])
print(tf.get_collection("my_collection_name"))
