"""``tf.data.experimental`` (TF 1.x's common part): `AUTOTUNE` and the transformations older scripts pass to
`Dataset.apply`. `shuffle_and_repeat` and `map_and_batch` build the two datasets they fuse (TF 2.x
builds them so too, or fuses them in its optimizer); the elements are the same."""

AUTOTUNE = -1  # TF's value: the runtime chooses (here, calls run one at a time; interleave: the core count)


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """``dataset.shuffle(buffer_size, seed).repeat(count)``, for `Dataset.apply`."""
    return lambda dataset: dataset.shuffle(buffer_size, seed).repeat(count)


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    """``dataset.map(map_func).batch(batch_size, drop_remainder)``, for `Dataset.apply`."""
    if num_parallel_batches is not None and num_parallel_calls is not None:
        raise ValueError("`map_and_batch` allows only one of `num_parallel_batches` and `num_parallel_calls` "
                         "to be set.")
    return lambda dataset: dataset.map(map_func).batch(batch_size, drop_remainder)


def unbatch():
    """``dataset.unbatch()``, for `Dataset.apply`."""
    return lambda dataset: dataset.unbatch()


__all__ = ["AUTOTUNE", "map_and_batch", "shuffle_and_repeat", "unbatch"]
