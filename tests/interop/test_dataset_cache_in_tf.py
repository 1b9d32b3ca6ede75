"""`Dataset.cache(filename)` writes TF's cache files: TF replays ours, and the engine replays TF's."""

import json
import os
import subprocess

import engine as tf

_TF_CACHE = """
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
# range(int(argv[2])): 0 reads the cache file at argv[1]; more writes it first.  argv[3]: the second
# component is the number as a string ("string") or times ten ("tens").
strings = sys.argv[3] == "string"
second = (lambda x: tf.strings.as_string(x)) if strings else (lambda x: x * 10)
ds = tf.data.Dataset.range(int(sys.argv[2])).map(lambda x: (x, second(x))).cache(sys.argv[1])
get_next = ds.make_one_shot_iterator().get_next()
out = []
with tf.Session() as sess:
    try:
        while True:
            i, s = sess.run(get_next)
            out.append([int(i), s.decode() if strings else int(s)])
    except tf.errors.OutOfRangeError:
        pass
print(json.dumps(out))
"""


def _tf_cache(tf_python, prefix, count, kind):
    done = subprocess.run([tf_python, "-c", _TF_CACHE, str(prefix), str(count), kind], capture_output=True,
                          text=True, timeout=300, check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ours(prefix, count):
    with tf.Graph().as_default():
        ds = tf.data.Dataset.range(count).map(lambda x: (x, x * 10)).cache(prefix)
        get_next = ds.make_one_shot_iterator().get_next()
        out = []
        with tf.Session() as sess:
            try:
                while True:
                    out.append([int(v) for v in sess.run(get_next)])
            except tf.errors.OutOfRangeError:
                return out


def test_cache_file_is_written_once_and_replayed(tmp_path):
    prefix = str(tmp_path / "cache")
    assert _ours(prefix, 3) == [[0, 0], [1, 10], [2, 20]]
    assert sorted(os.listdir(tmp_path)) == ["cache.data-00000-of-00001", "cache.index"]
    assert _ours(prefix, 0) == [[0, 0], [1, 10], [2, 20]]  # a new session reads the file, not the input


def test_tensorflow_and_engine_read_each_others_cache_files(tmp_path, tf_python):
    ours = str(tmp_path / "ours")
    _ours(ours, 3)
    assert _tf_cache(tf_python, ours, 0, "tens") == [[0, 0], [1, 10], [2, 20]]
    theirs = str(tmp_path / "theirs")
    assert _tf_cache(tf_python, theirs, 2, "string") == [[0, "0"], [1, "1"]]
    with tf.Graph().as_default():
        ds = tf.data.Dataset.range(0).map(lambda x: (x, tf.constant("never"))).cache(theirs)
        get_next = ds.make_one_shot_iterator().get_next()
        with tf.Session() as sess:
            assert [sess.run(get_next) for _ in range(2)] == [(0, b"0"), (1, b"1")]
