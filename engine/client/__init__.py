"""`tf.compat.v1`'s `tensorflow.python.client` modules that users import by path (`timeline`)."""
