"""NCHW / channels_first as TensorFlow 2.21 has it on CPU (tests/fixtures/nchw, written by make_fixture.py
there from the same code): every case builds TF's ops with TF's static shapes; Conv2D, MaxPool and AvgPool
then raise TF's CPU errors when they run, bias_add, fused_batch_norm, batch_normalization, flatten and the
1-D pooling layers give TF's values."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURES = Path(__file__).parent.parent / "fixtures" / "nchw"
spec = importlib.util.spec_from_file_location("nchw_cases", FIXTURES / "nchw_cases.py")
nchw_cases = importlib.util.module_from_spec(spec)
spec.loader.exec_module(nchw_cases)
THEIRS = json.loads((FIXTURES / "nchw_tf.json").read_text())
# tf.layers.batch_normalization builds TF's non-fused ops where TF runs FusedBatchNormV3 for 4-D inputs
# (docs/engine.md, "Differences"): same values and shapes, other op names.
COMPOSITE_HERE = {"layers_batch_norm"}


@pytest.fixture(scope="module")
def ours():
    return nchw_cases.cases(tf)


@pytest.mark.parametrize("case", sorted(THEIRS))
def test_ops_and_static_shapes_are_tfs(ours, case):
    if case not in COMPOSITE_HERE:
        assert [list(o) for o in ours[case]["ops"]] == THEIRS[case]["ops"]
        assert [list(o) for o in ours[case]["op_shapes"]] == THEIRS[case]["op_shapes"]
    assert ours[case]["shapes"] == THEIRS[case]["shapes"]


@pytest.mark.parametrize("case", sorted(set(THEIRS) - COMPOSITE_HERE))
def test_layout_attrs_are_tfs(ours, case):
    """data_format, strides, ksize, dilations and padding of every op that has a data_format."""
    assert json.loads(json.dumps(ours[case]["layouts"])) == THEIRS[case]["layouts"]


@pytest.mark.parametrize("case", sorted(THEIRS))
def test_run_gives_tfs_error_or_values(ours, case):
    theirs = THEIRS[case]
    if "error" in theirs:
        assert ours[case].get("error") == theirs["error"]
    else:
        assert "error" not in ours[case], ours[case].get("error")
        for mine, expected in zip(ours[case]["values"], theirs["values"], strict=True):
            np.testing.assert_allclose(mine, expected, rtol=1e-4, atol=1e-5)


def test_nchw_gradient_ops_refuse_to_run_as_tfs():
    x = tf.constant(np.ones((1, 2, 4, 4), np.float32))
    f = tf.constant(np.ones((3, 3, 2, 2), np.float32))
    y = tf.nn.max_pool(tf.nn.conv2d(x, f, 1, "SAME", data_format="NCHW"), 2, 2, "VALID", data_format="NCHW")
    dx, df = tf.gradients(tf.reduce_sum(y), [x, f])
    assert dx.shape.as_list() == [1, 2, 4, 4] and df.shape.as_list() == [3, 3, 2, 2]
    backprop = tf.nn.conv2d_backprop_filter(x, [3, 3, 2, 2], tf.ones([1, 2, 4, 4]), [1, 1, 1, 1], "SAME",
                                            data_format="NCHW")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="Conv2DCustomBackpropFilterOp only supports NHWC."):
        sess.run(backprop)


def test_layers_refuse_a_data_format_that_is_not_a_channels_position():
    with pytest.raises(ValueError, match='must be one of "channels_first", "channels_last"'):
        tf.layers.Conv2D(2, 3, data_format="NCHW")
    with pytest.raises(ValueError, match='must be one of "channels_first", "channels_last"'):
        tf.layers.Conv3DTranspose(2, 3, data_format="NCDHW")


def test_conv3d_takes_its_attrs_as_lists_as_tfs_v1_op():
    """tf.nn.conv3d passes strides and dilations to the op as they are (the other 3-D wrappers take an int
    or 3 values, as TF's _get_sequence): TF's errors for an int and for a short list."""
    x, f = tf.ones([1, 2, 4, 4, 4]), tf.ones([2, 2, 2, 2, 3])
    with pytest.raises(TypeError, match=r"^Expected list for 'strides' argument to 'conv3d' Op, not 1\.$"):
        tf.nn.conv3d(x, f, 1, "SAME", data_format="NCDHW")
    with pytest.raises(ValueError, match=r"^Attr 'strides' of 'Conv3D' Op passed list of length 3 less than "
                                         r"minimum 5\.$"):
        tf.nn.conv3d(x, f, [1, 1, 1], "SAME")
    with pytest.raises(TypeError, match="Expected list for 'dilations'"):
        tf.nn.conv3d(x, f, [1] * 5, "SAME", dilations=2)
    assert tf.nn.conv3d(x, f, (1, 1, 1, 2, 1), "SAME", data_format="NCDHW").shape.as_list() == [1, 3, 4, 2, 4]
