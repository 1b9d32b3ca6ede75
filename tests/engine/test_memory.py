"""engine/runtime/memory.py: large long-lived arrays are carved from 2 MiB-aligned chunks (huge pages
where the kernel offers them), small ones come from np.empty, and variables keep their values there."""

import numpy as np

import engine as tf
from engine.runtime import memory


def _inside(array, chunk):
    start = chunk.ctypes.data
    return start <= array.ctypes.data and array.ctypes.data + array.nbytes <= start + chunk.nbytes


def test_large_arrays_are_disjoint_aligned_views_of_a_2mib_aligned_chunk():
    a = memory.empty((784, 256), np.float32)
    b = memory.empty((300, 300), np.float64)
    chunk = memory._chunk
    assert chunk.ctypes.data % (2 << 20) == 0
    for array, shape, dtype in ((a, (784, 256), np.float32), (b, (300, 300), np.float64)):
        assert array.shape == shape and array.dtype == dtype
        assert array.flags.c_contiguous and array.flags.writeable
        assert array.ctypes.data % 64 == 0
    assert _inside(b, chunk)
    assert not np.shares_memory(a, b)
    a[...] = 1
    b[...] = 2
    assert (a == 1).all() and (b == 2).all()


def test_small_and_object_arrays_are_ordinary():
    small = memory.empty((10, 10), np.float32)
    assert small.base is None and small.shape == (10, 10)
    objects = memory.empty((1 << 16,), object)
    assert objects.base is None and objects.dtype == object


def test_an_array_larger_than_a_chunk_gets_a_chunk_of_its_own():
    n = memory.CHUNK_BYTES // 4 + 1000
    big = memory.empty((n,), np.float32)
    assert big.shape == (n,) and _inside(big, memory._chunk)
    big[-1] = 3.0
    assert big[-1] == 3.0


def test_copy_keeps_values_and_dtype():
    value = np.arange(100_000, dtype=np.int64).reshape(1000, 100)
    out = memory.copy(value, np.float32)
    assert out.dtype == np.float32 and not np.shares_memory(out, value)
    np.testing.assert_array_equal(out, value.astype(np.float32))


def test_a_large_variable_is_initialized_into_chunk_storage():
    tf.reset_default_graph()
    init = np.random.RandomState(0).rand(784, 256).astype(np.float32)
    v = tf.Variable(init, name="w")
    with tf.Session() as sess:
        sess.run(v.initializer)
        stored = sess._runtime.cell(v.op).value
        assert _inside(stored, memory._chunk)
        np.testing.assert_array_equal(sess.run(v), init)
    tf.reset_default_graph()
