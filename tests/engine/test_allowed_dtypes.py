"""Ops refuse input dtypes outside their type attr's allowed list, with TF's construction TypeError.

The expected texts were observed from TF 2.21's `tf.compat.v1` (graph mode); see
`engine/framework/dtype_groups.py` for where the lists come from.
"""

import numpy as np
import pytest

import engine as tf
from engine.framework import dtype_groups, registry
from engine.proto import types_pb2

_SUB = (
    "bfloat16, float16, float32, float64, uint8, int8, uint16, int16, int32, int64, complex64, complex128, "
    "uint32, uint64"
)
_BINARY_MORE = (
    "bfloat16, float16, float32, float64, uint8, int8, uint16, int16, int32, uint32, uint64, int64, "
    "complex64, complex128"
)
_REAL = "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, uint64"
_NUMBER = (
    "float32, float64, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, bfloat16, qint16, "
    "quint16, uint16, complex128, float16, uint32, uint64"
)
_UNARY_COMPLEX = "bfloat16, float16, float32, float64, complex64, complex128"
_UNARY_REAL = "bfloat16, float16, float32, float64"
_UNARY_SIGNED = "bfloat16, float16, float32, float64, int8, int16, int32, int64, complex64, complex128"


def _refused(param, dtype, allowed):
    prefix = f"Value passed to parameter '{param}' has DataType {dtype}"
    return f"{prefix} not in list of allowed values: {allowed}"


@pytest.fixture(autouse=True)
def _graph():
    with tf.Graph().as_default():
        yield


S = lambda: tf.constant("a")  # noqa: E731
B = lambda: tf.constant(True)  # noqa: E731
I = lambda: tf.constant(1)  # noqa: E731


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: S() - tf.constant("b"), _refused("x", "string", _SUB)),
        (lambda: S() - 1, _refused("x", "string", _SUB)),  # before y is converted, as TF
        (lambda: B() * B(), _refused("x", "bool", _BINARY_MORE)),  # TF 2.21 casts; TF 1.x refused
        (lambda: S() // 1, _refused("x", "string", _BINARY_MORE)),
        (lambda: tf.floordiv(S(), S()), _refused("x", "string", _BINARY_MORE)),
        (lambda: B() + B(), _refused(
            "x", "bool",
            "bfloat16, float16, float32, float64, uint8, uint16, uint32, uint64, int8, int16, int32, int64, "
            "complex64, complex128",
        )),
        (lambda: tf.pow(B(), B()), _refused(
            "x", "bool", "bfloat16, float32, float16, float64, int8, int16, int32, int64, complex64, "
            "complex128",
        )),
        (lambda: tf.maximum(S(), S()), _refused(
            "x", "string",
            "bfloat16, float16, float32, float64, int8, uint8, int16, uint16, int32, uint32, int64, uint64",
        )),
        (lambda: tf.squared_difference(S(), S()), _refused(
            "x", "string", "bfloat16, float16, float32, float64, int32, int64, complex64, complex128"
        )),
        (lambda: tf.less(S(), S()), _refused("x", "string", _REAL)),
        (lambda: tf.less(B(), B()), _refused("x", "bool", _REAL)),
        (lambda: tf.abs(S()), _refused(
            "x", "string", "bfloat16, float16, float32, float64, int8, int16, int32, int64"
        )),
        (lambda: tf.sqrt(I()), _refused("x", "int32", _UNARY_COMPLEX)),
        (lambda: tf.exp(I()), _refused("x", "int32", _UNARY_COMPLEX)),
        (lambda: tf.sigmoid(I()), _refused("x", "int32", _UNARY_COMPLEX)),
        (lambda: tf.tanh(I()), _refused("x", "int32", _UNARY_COMPLEX)),
        (lambda: -S(), _refused("x", "string", _UNARY_SIGNED)),
        (lambda: -B(), _refused("x", "bool", _UNARY_SIGNED)),
        (lambda: tf.square(B()), _refused(
            "x", "bool",
            "bfloat16, float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, "
            "complex64, complex128",
        )),
        (lambda: tf.matmul(tf.constant([[1]], tf.int8), tf.constant([[1]], tf.int8)), _refused(
            "a", "int8",
            "bfloat16, float16, float32, float64, int32, int64, uint8, uint16, uint32, uint64, complex64, "
            "complex128",
        )),
        (lambda: tf.reduce_sum(B()), _refused("input", "bool", _NUMBER)),
        (lambda: tf.reduce_mean(S()), _refused("input", "string", _NUMBER)),
        (lambda: tf.reduce_max(B()), _refused(
            "input", "bool", _REAL + ", qint8, quint8, qint32, qint16, quint16"
        )),
        (lambda: tf.add_n([S(), S()]), _refused("inputs", "string", _NUMBER + ", variant")),
        (lambda: tf.nn.relu(S()), _refused("features", "string", _REAL + ", qint8")),
        (lambda: tf.nn.softmax(I()), _refused("logits", "int32", "float16, bfloat16, float32, float64")),
        (lambda: tf.nn.bias_add(S(), S()), _refused("value", "string", _NUMBER)),
    ],
)
def test_refused_dtype_is_tfs_construction_error(build, message):
    with pytest.raises(TypeError) as info:
        build()
    assert str(info.value) == message


def test_refused_op_is_not_added_to_the_graph():
    x = tf.constant("a")
    with pytest.raises(TypeError):
        tf.sqrt(x)
    assert [op.type for op in tf.get_default_graph().get_operations()] == ["Const"]


def test_dtype_check_comes_before_the_shape_function():
    # A scalar would fail Softmax's rank check; the dtype is reported first, as TF.
    with pytest.raises(TypeError, match="Value passed to parameter 'logits' has DataType int32"):
        tf.nn.softmax(tf.constant(1))


def test_ref_inputs_are_checked_by_their_base_dtype():
    v = tf.Variable(1.0)
    assert (v - 1.0).dtype == tf.float32
    s = tf.Variable("a")
    with pytest.raises(TypeError, match="parameter 'x' has DataType string not in list"):
        tf.sqrt(s)


@pytest.mark.parametrize(
    "build",
    [
        lambda: S() + S(),  # Add (not AddV2) takes strings
        lambda: tf.equal(S(), S()),
        lambda: tf.equal(B(), B()),
        lambda: tf.not_equal(S(), S()),
        lambda: tf.cast(I(), tf.bool),  # Cast is any -> any
        lambda: tf.cast(B(), tf.float32),
        lambda: tf.identity(S()),
        lambda: I() * 2,
        lambda: tf.constant(np.ones((2, 2), np.float32)) @ tf.constant(np.ones((2, 2), np.float32)),
    ],
)
def test_allowed_dtypes_still_build(build):
    build()


def test_declaration_needs_an_input_of_the_attr():
    with pytest.raises(ValueError, match="allows dtypes for \\['T'\\], which no input has"):
        registry.register_op("TestOnlyAllowed", infer=lambda op: [], kernel=lambda x: x, inputs=("x: U",),
                             allowed={"T": ("float32",)})


# TF's Python dtype names for DataType enum names that differ (DT_HALF is float16, ...).
_ENUM_NAMES = {"float16": "DT_HALF", "float32": "DT_FLOAT", "float64": "DT_DOUBLE"}


def _is_tf_dtype_name(name):
    return _ENUM_NAMES.get(name, "DT_" + name.upper()) in types_pb2.DataType.keys()


def test_every_declared_allowed_set_names_real_dtypes():
    declared = [registry.get_op_def(t) for t in registry.registered_ops() if registry.get_op_def(t).allowed]
    assert len(declared) > 140
    for op_def in declared:
        for attr, names in op_def.allowed.items():
            assert names, (op_def.type, attr)
            assert len(set(names)) == len(names), (op_def.type, attr)
            unknown = [n for n in names if not _is_tf_dtype_name(n)]
            assert not unknown, (op_def.type, attr, unknown)
        assert op_def.input_checks, op_def.type


def test_every_dtype_group_names_real_dtypes():
    groups = {k: v for k, v in vars(dtype_groups).items() if k.isupper()}
    assert {"NUMBER_TYPES", "REAL_NUMBER_TYPES", "FLOATING_POINT", "QUANTIZED_TYPES"} <= set(groups)
    for group, names in groups.items():
        assert all(_is_tf_dtype_name(n) for n in names), group


# --- the second batch: gradient ops, conv/pool, Arg*, Apply*, index-typed attrs, bitwise, summaries -------
_FLOATING = "float16, bfloat16, float32, float64"
_INDEX = "int32, int64"
_INTEGER = "int8, int16, int32, int64, uint8, uint16, uint32, uint64"


def _raw(op_type, *inputs, **attrs):
    """The op built directly (TF's `tf.raw_ops`), for the ops without a public wrapper."""
    return tf.get_default_graph().create_op(op_type, list(inputs), attrs=attrs)


S1 = lambda: tf.constant(["a"])  # noqa: E731
F1 = lambda: tf.constant([1.0])  # noqa: E731
S4 = lambda: tf.constant([[[["a"]]]])  # noqa: E731
I4 = lambda: tf.constant([[[[1]]]])  # noqa: E731
_WINDOW = {"ksize": [1, 1, 1, 1], "strides": [1, 1, 1, 1], "padding": "VALID"}


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: _raw("ReluGrad", S(), S()), _refused("gradients", "string", _REAL)),
        (lambda: _raw("EluGrad", I(), I()), _refused("gradients", "int32", _FLOATING)),
        (lambda: _raw("TanhGrad", I(), I()), _refused("y", "int32", _UNARY_COMPLEX)),
        (lambda: _raw("SqrtGrad", I(), I()), _refused("y", "int32", _UNARY_COMPLEX)),
        (lambda: _raw("BiasAddGrad", S()), _refused("out_backprop", "string", _NUMBER)),
        (lambda: _raw("MaxPoolGrad", S4(), S4(), S4(), **_WINDOW), _refused("orig_input", "string", _REAL)),
        (lambda: _raw("MaxPoolGradGrad", S4(), S4(), S4(), **_WINDOW),
         _refused("orig_input", "string", _REAL)),
        (lambda: _raw("Conv2DBackpropFilter", I4(), tf.constant([1, 1, 1, 1]), I4(), strides=[1, 1, 1, 1],
                      padding="VALID"), _refused("input", "int32", _FLOATING)),
        (lambda: tf.argmax(S1(), 0), _refused(
            "input", "string", _REAL + ", qint8, quint8, qint32, qint16, quint16, bool"
        )),
        (lambda: _raw("ArgMax", F1(), tf.constant(0.0)),
         _refused("dimension", "float32", "int16, int32, int64")),
        (lambda: _raw("ArgMin", F1(), tf.constant(0, tf.int8)), _refused("dimension", "int8", _INDEX)),
        (lambda: tf.nn.conv2d(tf.constant([[[[1]]]], tf.int64), tf.constant([[[[1]]]], tf.int64),
                              [1, 1, 1, 1], "VALID"), _refused("input", "int64", _FLOATING + ", int32")),
        (lambda: tf.nn.max_pool(S4(), [1, 1, 1, 1], [1, 1, 1, 1], "VALID"), _refused(
            "input", "string", _FLOATING + ", int32, int64, uint8, int16, int8, uint16, qint8"
        )),
        (lambda: tf.nn.avg_pool(I4(), [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),
         _refused("value", "int32", _FLOATING)),
        (lambda: _raw("ApplyGradientDescent", tf.Variable("a")._ref(), S(), S()),
         _refused("var", "string", _NUMBER)),
        (lambda: tf.assign_add(tf.Variable("a"), "b"), _refused("ref", "string", _NUMBER)),
        (lambda: tf.tile(F1(), tf.constant([1.0])), _refused("multiples", "float32", _INDEX)),
        (lambda: tf.fill(tf.constant([1.0]), 1), _refused("dims", "float32", _INDEX)),
        (lambda: tf.reshape(F1(), tf.constant([1.0])), _refused("shape", "float32", _INDEX)),
        (lambda: tf.transpose(F1(), tf.constant([0.0])), _refused("perm", "float32", _INDEX)),
        (lambda: tf.concat([F1(), F1()], tf.constant(0.0)), _refused("axis", "float32", _INDEX)),
        (lambda: tf.reduce_sum(F1(), tf.constant(0.0)), _refused("reduction_indices", "float32", _INDEX)),
        (lambda: tf.gather(F1(), tf.constant([0.0])), _refused("indices", "float32", "int16, " + _INDEX)),
        (lambda: tf.strided_slice(F1(), tf.constant([0.0]), tf.constant([1.0])), _refused(
            "begin", "float32", "int16, " + _INDEX
        )),
        (lambda: tf.one_hot(tf.constant([1.0]), 3), _refused("indices", "float32", "uint8, int8, " + _INDEX)),
        (lambda: tf.random_uniform(tf.constant([1.0])), _refused("shape", "float32", _INDEX)),
        (lambda: _raw("Range", B(), B(), B()), _refused(
            "start", "bool",
            "bfloat16, float16, float32, float64, int8, int16, int32, int64, uint16, uint32, uint64",
        )),
        (lambda: _raw("LinSpace", I(), I(), I()), _refused("start", "int32", _UNARY_REAL)),
        (lambda: tf.where(S1()), _refused("input", "string", _NUMBER + ", bool")),
        (lambda: tf.bitwise.bitwise_and(tf.constant(1.0), tf.constant(1.0)),
         _refused("x", "float32", _INTEGER)),
        (lambda: tf.bitwise.left_shift(B(), B()), _refused("x", "bool", _INTEGER)),
        (lambda: tf.bitwise.invert(S()), _refused("x", "string", _INTEGER)),
        (lambda: tf.summary.histogram("h", S1()), _refused("values", "string", _REAL)),
        (lambda: tf.summary.image("i", tf.constant(np.zeros((1, 1, 1, 1), np.int32))), _refused(
            "tensor", "int32", "uint8, float32, float16, float64"
        )),
    ],
)
def test_second_batch_refuses_as_tf(build, message):
    with pytest.raises(TypeError) as info:
        build()
    assert str(info.value) == message


def test_index_attr_after_a_list_is_checked_from_the_end():
    # ConcatV2's `values: N*T` then `axis: Tidx`: the axis is the last input whatever N is.
    tf.concat([F1(), F1(), F1()], 0)
    with pytest.raises(TypeError, match="parameter 'axis' has DataType int8"):
        tf.concat([F1(), F1(), F1()], tf.constant(0, tf.int8))


@pytest.mark.parametrize(
    "build",
    [
        lambda: tf.linspace(1, 3, 3),  # TF's linspace divides: integers become float64
        lambda: tf.where(F1()),  # Where takes any number type, not only bool
        lambda: tf.where(B()),
        lambda: tf.argmax(tf.constant([True, False]), 0),
        lambda: tf.reduce_any(tf.constant([True]), tf.constant(0, tf.int64)),
        lambda: tf.bitwise.bitwise_and(I(), 3),
    ],
)
def test_second_batch_allowed_dtypes_build(build):
    build()


def test_linspace_of_integers_is_float64_as_tf():
    x = tf.linspace(1, 3, 3)
    assert x.dtype == tf.float64
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(x), [1.0, 2.0, 3.0])


# TF 2.21's OpDef input names (`op_def_registry.get(t).input_arg`) of every op type with a declaration.
_TF_INPUT_NAMES = {
    "Abs": "x",
    "Acos": "x",
    "Add": "x y",
    "AddN": "inputs",
    "AddV2": "x y",
    "All": "input reduction_indices",
    "Any": "input reduction_indices",
    "ApplyAdadelta": "var accum accum_update lr rho epsilon grad",
    "ApplyFtrl": "var accum linear grad lr l1 l2 lr_power",
    "ApplyFtrlV2": "var accum linear grad lr l1 l2 l2_shrinkage lr_power",
    "ApplyProximalGradientDescent": "var alpha l1 l2 delta",
    "ApplyProximalAdagrad": "var accum lr l1 l2 grad",
    "ApplyAdagradDA": "var gradient_accumulator gradient_squared_accumulator grad lr l1 l2 global_step",
    "ApplyAdagrad": "var accum lr grad",
    "ApplyAdam": "var m v beta1_power beta2_power lr beta1 beta2 epsilon grad",
    "ApplyCenteredRMSProp": "var mg ms mom lr rho momentum epsilon grad",
    "ApplyGradientDescent": "var alpha delta",
    "ApplyMomentum": "var accum lr grad momentum",
    "ApplyRMSProp": "var ms mom lr rho momentum epsilon grad",
    "ArgMax": "input dimension",
    "ArgMin": "input dimension",
    "Asin": "x",
    "AssignAdd": "ref value",
    "AssignSub": "ref value",
    "Atan": "x",
    "Atan2": "y x",
    "AvgPool": "value",
    "AvgPool3D": "input",
    "AvgPool3DGrad": "orig_input_shape grad",
    "AvgPoolGrad": "orig_input_shape grad",
    "BatchMatMulV2": "x y",
    "BiasAdd": "value bias",
    "BiasAddGrad": "out_backprop",
    "BitwiseAnd": "x y",
    "BitwiseOr": "x y",
    "BitwiseXor": "x y",
    "BroadcastGradientArgs": "s0 s1",
    "BroadcastTo": "input shape",
    "Ceil": "x",
    "CheckNumerics": "tensor",
    "ConcatV2": "values axis",
    "Conv2D": "input filter",
    "Conv2DBackpropFilter": "input filter_sizes out_backprop",
    "Conv2DBackpropInput": "input_sizes filter out_backprop",
    "Conv3D": "input filter",
    "Conv3DBackpropFilterV2": "input filter_sizes out_backprop",
    "Conv3DBackpropInputV2": "input_sizes filter out_backprop",
    "Cos": "x",
    "CountUpTo": "ref",
    "Cosh": "x",
    "Cumprod": "x axis",
    "Cumsum": "x axis",
    "DepthwiseConv2dNative": "input filter",
    "DepthwiseConv2dNativeBackpropFilter": "input filter_sizes out_backprop",
    "DepthwiseConv2dNativeBackpropInput": "input_sizes filter out_backprop",
    "Div": "x y",
    "DivNoNan": "x y",
    "Elu": "features",
    "EluGrad": "gradients outputs",
    "EncodePng": "image",
    "Exp": "x",
    "ExpandDims": "input dim",
    "Expm1": "x",
    "Fill": "dims value",
    "Floor": "x",
    "FloorDiv": "x y",
    "FloorMod": "x y",
    "FusedBatchNormV3": "x scale offset mean variance",
    "FusedBatchNormGradV3": "y_backprop x scale reserve_space_1 reserve_space_2 reserve_space_3",
    "GatherNd": "params indices",
    "GatherV2": "params indices axis",
    "Greater": "x y",
    "GreaterEqual": "x y",
    "HistogramSummary": "tag values",
    "ImageSummary": "tag tensor",
    "InTopKV2": "predictions targets k",
    "Invert": "x",
    "InvertPermutation": "x",
    "IsFinite": "x",
    "IsInf": "x",
    "IsNan": "x",
    "L2Loss": "t",
    "LRN": "input",
    "LRNGrad": "input_grads input_image output_image",
    "LeakyRelu": "features",
    "LeftShift": "x y",
    "Less": "x y",
    "LessEqual": "x y",
    "LinSpace": "start stop num",
    "Log": "x",
    "Log1p": "x",
    "LogSoftmax": "logits",
    "MatMul": "a b",
    "Max": "input reduction_indices",
    "MaxPool": "input",
    "MaxPool3D": "input",
    "MaxPool3DGrad": "orig_input orig_output grad",
    "MaxPool3DGradGrad": "orig_input orig_output grad",
    "MaxPoolGrad": "orig_input orig_output grad",
    "MaxPoolGradGrad": "orig_input orig_output grad",
    "Maximum": "x y",
    "Mean": "input reduction_indices",
    "Min": "input reduction_indices",
    "Minimum": "x y",
    "MirrorPad": "input paddings",
    "MirrorPadGrad": "input paddings",
    "Mul": "x y",
    "Neg": "x",
    "OneHot": "indices depth on_value off_value",
    "OnesLike": "x",
    "Pad": "input paddings",
    "PadV2": "input paddings constant_values",
    "Pow": "x y",
    "Prod": "input reduction_indices",
    "RandomStandardNormal": "shape",
    "RandomUniform": "shape",
    "RandomUniformInt": "shape minval maxval",
    "Range": "start limit delta",
    "RealDiv": "x y",
    "Reciprocal": "x",
    "ReciprocalGrad": "y dy",
    "Relu": "features",
    "Relu6": "features",
    "Relu6Grad": "gradients features",
    "ReluGrad": "gradients features",
    "Reshape": "tensor shape",
    "ResourceApplyAdadelta": "var accum accum_update lr rho epsilon grad",
    "ResourceApplyFtrl": "var accum linear grad lr l1 l2 lr_power",
    "ResourceApplyFtrlV2": "var accum linear grad lr l1 l2 l2_shrinkage lr_power",
    "ResourceApplyProximalGradientDescent": "var alpha l1 l2 delta",
    "ResourceApplyProximalAdagrad": "var accum lr l1 l2 grad",
    "ResourceApplyAdagradDA":
        "var gradient_accumulator gradient_squared_accumulator grad lr l1 l2 global_step",
    "ResourceApplyAdagrad": "var accum lr grad",
    "ResourceApplyAdam": "var m v beta1_power beta2_power lr beta1 beta2 epsilon grad",
    "ResourceApplyCenteredRMSProp": "var mg ms mom lr rho momentum epsilon grad",
    "ResourceApplyGradientDescent": "var alpha delta",
    "ResourceApplyMomentum": "var accum lr grad momentum",
    "ResourceApplyRMSProp": "var ms mom lr rho momentum epsilon grad",
    "ReverseV2": "tensor axis",
    "ReverseSequence": "input seq_lengths",
    "RightShift": "x y",
    "Rint": "x",
    "Round": "x",
    "Rsqrt": "x",
    "RsqrtGrad": "y dy",
    "ScalarSummary": "tags values",
    "ScatterNd": "indices updates shape",
    "Selu": "features",
    "SeluGrad": "gradients outputs",
    "Sigmoid": "x",
    "SigmoidGrad": "y dy",
    "Sign": "x",
    "Sin": "x",
    "Sinh": "x",
    "Slice": "input begin size",
    "Softmax": "logits",
    "SoftmaxCrossEntropyWithLogits": "features labels",
    "Softplus": "features",
    "SoftplusGrad": "gradients features",
    "Softsign": "features",
    "SparseSoftmaxCrossEntropyWithLogits": "features labels",
    "SplitV": "value size_splits split_dim",
    "Sqrt": "x",
    "SqrtGrad": "y dy",
    "Square": "x",
    "SquaredDifference": "x y",
    "StridedSlice": "input begin end strides",
    "StridedSliceGrad": "shape begin end strides dy",
    "Sub": "x y",
    "Sum": "input reduction_indices",
    "Tan": "x",
    "Tanh": "x",
    "TanhGrad": "y dy",
    "Tile": "input multiples",
    "TopKV2": "input k",
    "Transpose": "x perm",
    "TruncateDiv": "x y",
    "Multinomial": "logits num_samples",
    "TruncatedNormal": "shape",
    "UnsortedSegmentSum": "data segment_ids num_segments",
    "Where": "input",
    "Xlogy": "x y",
    # issue 17's op library
    **{f"Segment{k}": "data segment_ids" for k in ("Sum", "Mean", "Max", "Min", "Prod")},
    **{f"UnsortedSegment{k}": "data segment_ids num_segments" for k in ("Max", "Min", "Prod")},
    **{f"SparseSegment{k}": "data indices segment_ids" for k in ("Sum", "Mean", "SqrtN")},
    **{f"SparseSegment{k}WithNumSegments": "data indices segment_ids num_segments"
       for k in ("Sum", "Mean", "SqrtN")},
    **{f"SparseSegment{k}Grad": "grad indices segment_ids output_dim0" for k in ("Sum", "Mean", "SqrtN")},
    "DenseBincount": "input size weights",
    "HistogramFixedWidth": "values value_range nbins",
    **{t: "input" for t in ("Cholesky", "MatrixInverse", "MatrixDeterminant", "LogMatrixDeterminant",
                            "SelfAdjointEigV2", "Qr", "Svd", "Lu", "MatrixSquareRoot", "MatrixLogarithm")},
    "MatrixSolve": "matrix rhs",
    "MatrixTriangularSolve": "matrix rhs",
    "MatrixBandPart": "input num_lower num_upper",
    **{f"Resize{k}": "images size" for k in ("Bilinear", "NearestNeighbor", "Bicubic", "Area")},
    "ResizeBilinearGrad": "grads original_image",
    "ResizeBicubicGrad": "grads original_image",
    "ResizeNearestNeighborGrad": "grads size",
    "RGBToHSV": "images",
    "HSVToRGB": "images",
    "AdjustContrastv2": "images contrast_factor",
    "AdjustSaturation": "images scale",
    "AdjustHue": "images delta",
    "ExtractImagePatches": "images",
    "CropAndResize": "image boxes box_ind crop_size",
    "CropAndResizeGradBoxes": "grads image boxes box_ind",
    "Substr": "input pos len",
    "AsString": "input",
    "Complex": "real imag",
    **{t: "input" for t in ("Real", "Imag", "Angle", "Conj", "FFT", "IFFT", "FFT2D", "IFFT2D", "FFT3D",
                            "IFFT3D")},
    "ConjugateTranspose": "x perm",
    "Roll": "input shift axis",
    **{t: "x" for t in ("BesselI0", "BesselI0e", "BesselI1", "BesselI1e")},
    "ComplexAbs": "x",
    "Diag": "diagonal",
    "DiagPart": "input",
    "Cross": "a b",
    **{t: "input fft_length" for t in ("RFFT", "IRFFT", "RFFT2D", "IRFFT2D", "RFFT3D", "IRFFT3D")},
    "NonMaxSuppressionV3": "boxes scores max_output_size iou_threshold score_threshold",
}


# The sparse ops (engine/ops/sparse_ops/), TF's OpDef input names.
_TF_INPUT_NAMES.update({
    "SparseAdd": "a_indices a_values a_shape b_indices b_values b_shape thresh",
    "SparseAddGrad": "backprop_val_grad a_indices b_indices sum_indices",
    "SparseDenseCwiseAdd": "sp_indices sp_values sp_shape dense",
    "SparseDenseCwiseDiv": "sp_indices sp_values sp_shape dense",
    "SparseDenseCwiseMul": "sp_indices sp_values sp_shape dense",
    "SparseReduceMax": "input_indices input_values input_shape reduction_axes",
    "SparseReduceMaxSparse": "input_indices input_values input_shape reduction_axes",
    "SparseReduceSum": "input_indices input_values input_shape reduction_axes",
    "SparseReduceSumSparse": "input_indices input_values input_shape reduction_axes",
    "SparseSegmentMean": "data indices segment_ids",
    "SparseSegmentMeanGrad": "grad indices segment_ids output_dim0",
    "SparseSegmentSqrtN": "data indices segment_ids",
    "SparseSegmentSqrtNGrad": "grad indices segment_ids output_dim0",
    "SparseSegmentSum": "data indices segment_ids",
    "SparseSegmentSumGrad": "grad indices segment_ids output_dim0",
    "SparseSegmentSumWithNumSegments": "data indices segment_ids num_segments",
    "SparseSegmentMeanWithNumSegments": "data indices segment_ids num_segments",
    "SparseSegmentSqrtNWithNumSegments": "data indices segment_ids num_segments",
    "SparseSliceGrad": "backprop_val_grad input_indices input_start output_indices",
    "SparseSoftmax": "sp_indices sp_values sp_shape",
    "SparseSparseMaximum": "a_indices a_values a_shape b_indices b_values b_shape",
    "SparseSparseMinimum": "a_indices a_values a_shape b_indices b_values b_shape",
    "SparseTensorDenseAdd": "a_indices a_values a_shape b",
    "SparseTensorDenseMatMul": "a_indices a_values a_shape b",
    "SparseToDense": "sparse_indices output_shape sparse_values default_value",
})
# tf.sets, the image-box ops, StringNGrams and UnsortedSegmentJoin.
_TF_INPUT_NAMES.update({
    "DenseToDenseSetOperation": "set1 set2",
    "DenseToSparseSetOperation": "set1 set2_indices set2_values set2_shape",
    "SparseToSparseSetOperation": "set1_indices set1_values set1_shape set2_indices set2_values set2_shape",
    "SetSize": "set_indices set_values set_shape",
    "DrawBoundingBoxes": "images boxes",
    "DrawBoundingBoxesV2": "images boxes colors",
    "SampleDistortedBoundingBox": "image_size bounding_boxes",
    "SampleDistortedBoundingBoxV2": "image_size bounding_boxes min_object_covered",
    "StringNGrams": "data data_splits",
    "UnsortedSegmentJoin": "inputs segment_ids num_segments",
})
# tf.manip's block moves and tf.linalg's tridiagonal ops.
_TF_INPUT_NAMES.update({
    "SpaceToBatchND": "input block_shape paddings",
    "BatchToSpaceND": "input block_shape crops",
    "TridiagonalSolve": "diagonals rhs",
    "TridiagonalMatMul": "superdiag maindiag subdiag rhs",
})


def test_declared_input_names_are_tfs():
    declared = {t for t in registry.registered_ops() if registry.get_op_def(t).allowed}
    assert declared == set(_TF_INPUT_NAMES), sorted(declared ^ set(_TF_INPUT_NAMES))
    for op_type in declared:
        assert registry.get_op_def(op_type).input_names == tuple(_TF_INPUT_NAMES[op_type].split()), op_type
