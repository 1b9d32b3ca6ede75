"""TF1's namespaces and spellings: `engine.compat.v1`, tf.math / tf.linalg / tf.dtypes / tf.debugging
aliases (the same functions, never copies), the deprecated top-level aliases, the v2-behaviour switches,
tf.app.run with tf.flags, and tf.logging's helpers."""

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import engine
import engine as tf

ROOT = Path(__file__).resolve().parents[2]


def test_compat_v1_is_the_engine_itself():
    import engine.compat.v1 as tf1

    assert tf1 is engine and tf.compat.v1 is engine
    assert tf1.placeholder is engine.placeholder


def test_compat_text_helpers():
    assert tf.compat.as_bytes("é") == "é".encode() and tf.compat.as_text(b"ab") == "ab"
    assert tf.compat.as_str_any(3) == "3" and tf.compat.path_to_str(Path("a/b")) == "a/b"
    with pytest.raises(TypeError, match="Expected binary or unicode string, got 3"):
        tf.compat.as_bytes(3)


def test_v2_switches_keep_tf1_graph_mode():
    tf.disable_v2_behavior()
    tf.disable_eager_execution()
    tf.disable_resource_variables()
    assert not tf.executing_eagerly() and not tf.resource_variables_enabled()
    with tf.Graph().as_default():
        v = tf.Variable(1.0, name="v")
        assert v.op.type == "VariableV2"
    with pytest.raises(ValueError, match="reference variables only"):
        tf.enable_resource_variables()


@pytest.mark.parametrize("namespace, name, target", [
    ("math", "softmax", engine.nn.softmax), ("math", "log_softmax", engine.nn.log_softmax),
    ("math", "softplus", engine.nn.softplus), ("math", "reduce_sum", engine.reduce_sum),
    ("linalg", "matmul", engine.matmul), ("linalg", "diag", engine.matrix_diag),
    ("linalg", "set_diag", engine.matrix_set_diag), ("linalg", "transpose", engine.matrix_transpose),
    ("linalg", "eye", engine.eye), ("dtypes", "cast", engine.cast), ("dtypes", "float32", engine.float32),
    ("debugging", "is_nan", engine.is_nan), ("app", "flags", engine.flags),
    ("debugging", "assert_equal", engine.assert_equal), ("debugging", "Assert", engine.Assert),
])
def test_namespace_names_are_aliases_not_copies(namespace, name, target):
    assert getattr(getattr(tf, namespace), name) is target


def test_deprecated_aliases_build_tf_ops():
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.constant([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
        arg_max, arg_min = tf.arg_max(x, 1), tf.arg_min(x, dimension=0, output_type=tf.int32)
        double = tf.to_double(tf.constant(3))
        assert (arg_max.op.type, arg_max.name, arg_max.dtype) == ("ArgMax", "ArgMax:0", tf.int64)
        assert (arg_min.op.type, arg_min.dtype) == ("ArgMin", tf.int32)
        assert (double.name, double.dtype) == ("ToDouble:0", tf.float64)
        got = sess.run([arg_max, arg_min, double])
    np.testing.assert_array_equal(got[0], [1, 0])
    np.testing.assert_array_equal(got[1], [0, 1, 0])
    assert got[2] == 3.0


def test_more_tf1_spellings_as_tensorflow_names_them():
    with tf.Graph().as_default():
        c = tf.constant(1.0)
        built = [tf.floor_div(c, c), tf.realdiv(c, c), tf.to_complex64(c), tf.to_complex128(c)]
        assert [t.name for t in built] == ["FloorDiv:0", "RealDiv:0", "ToComplex64:0", "ToComplex128:0"]
        assert (tf.tables_initializer().name, tf.initialize_all_tables().name) == ("init_all_tables",
                                                                                  "init_all_tables_1")
        assert tf.initializers.tables_initializer is tf.tables_initializer
        v = tf.Variable(1.0)
        assert tf.initialize_variables([v]).name == "init"
        with tf.op_scope([c], None, "dflt") as scope:
            assert scope == "dflt/"
        assert tf.is_tensor(v) and tf.is_tensor(c) and not tf.is_tensor(1.0)
        assert tf.no_regularizer(c) is None
    assert tf.dimension_at_index(tf.TensorShape([None, 3]), 1).value == 3
    assert tf.compat.dimension_at_index(tf.TensorShape(None), 1).value is None
    assert tf.OpError is tf.errors.OpError and tf.NoGradient is tf.NotDifferentiable
    assert not tf.executing_eagerly_outside_functions() and not tf.control_flow_v2_enabled()


def test_enums_have_tf_values():
    assert [(m.name, m.value) for m in tf.VariableSynchronization] == [
        ("AUTO", 0), ("NONE", 1), ("ON_WRITE", 2), ("ON_READ", 3)]
    assert [(m.name, m.value) for m in tf.VariableAggregation] == [
        ("NONE", 0), ("SUM", 1), ("MEAN", 2), ("ONLY_FIRST_REPLICA", 3)]
    assert tf.VariableAggregation.ONLY_FIRST_TOWER is tf.VariableAggregation.ONLY_FIRST_REPLICA
    assert (tf.AggregationMethod.ADD_N, tf.AggregationMethod.DEFAULT, tf.AggregationMethod.EXPERIMENTAL_TREE,
            tf.AggregationMethod.EXPERIMENTAL_ACCUMULATE_N) == (0, 0, 1, 2)
    with tf.Graph().as_default():
        x = tf.constant(2.0)
        y = x * x + x * 3.0
        grad = tf.gradients(y, x, aggregation_method=tf.AggregationMethod.EXPERIMENTAL_TREE)[0]
        v = tf.get_variable("v", [], synchronization=tf.VariableSynchronization.AUTO,
                            aggregation=tf.VariableAggregation.NONE)
        assert v.name == "v:0"
        with tf.Session() as sess:
            assert sess.run(grad) == 7.0
    assert tf.UnconnectedGradients.ZERO.value == "zero"


def _run_script(tmp_path, source, *args):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


APP_SCRIPT = """
    import engine as tf

    flags = tf.app.flags
    flags.DEFINE_integer("steps", 10, "training steps")
    flags.DEFINE_string(flag_name="run", default_value="a", docstring="old TF keyword names")
    flags.DEFINE_boolean("fast", False, "")
    FLAGS = flags.FLAGS

    def main(argv):
        print(FLAGS.steps, FLAGS.run, FLAGS.fast, argv[1:])
        return 3

    if __name__ == "__main__":
        tf.app.run()
"""


def test_app_run_parses_flags_and_exits_with_main(tmp_path):
    done = _run_script(tmp_path, APP_SCRIPT, "--steps=5", "--fast", "--unknown=1", "rest")
    assert done.returncode == 3, done.stderr
    assert done.stdout.strip() == "5 a True ['--unknown=1', 'rest']"


def test_reading_flags_before_app_run_parses_sys_argv(tmp_path):
    source = """
        import engine as tf
        tf.flags.DEFINE_float("lr", 0.1, "learning rate")
        print(tf.flags.FLAGS.lr)
    """
    done = _run_script(tmp_path, source, "--lr=0.5")
    assert done.stdout.strip() == "0.5", done.stderr


def test_logging_helpers(caplog):
    caplog.set_level(logging.DEBUG, logger="tensorflow")
    for i in range(5):
        tf.logging.log_first_n(tf.logging.INFO, "first %d", 2, i)
        tf.logging.log_every_n(tf.logging.INFO, "every %d", 2, i)
    tf.logging.log_if(tf.logging.WARN, "shown", True)
    tf.logging.log_if(tf.logging.WARN, "hidden", False)
    tf.logging.flush()
    assert [r.getMessage() for r in caplog.records] == [
        "first 0", "every 0", "first 1", "every 2", "every 4", "shown"]
