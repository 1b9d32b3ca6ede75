"""Float operations per op type: the statistics TF registers with `ops.RegisterStatistics(type, "flops")`
(tensorflow/python/profiler/internal/flops_registry.py, and MatMul / Conv2D / BiasAdd / ... beside their
ops), counted from the graph's static shapes.

`float_ops(graph, node_def)` is the count, 0 for a type without statistics; it raises ValueError when a
shape it needs is not fully known (or a convolution is not NHWC), which the profiler reports as
"N ops no flops stats due to incomplete shapes."
"""

from __future__ import annotations

import math

_REGISTRY = {}


def _register(*op_types):
    def wrap(fn):
        for op_type in op_types:
            if op_type in _REGISTRY:
                raise KeyError(f"Registering two flops statistics for op type {op_type!r}")
            _REGISTRY[op_type] = fn
        return fn
    return wrap


def float_ops(graph, node_def):
    fn = _REGISTRY.get(node_def.op)
    return 0 if fn is None else int(fn(graph, node_def))


def _shape(graph, name):
    """The fully known static shape of a NodeDef input (`op`, `op:1`, or a node's own name)."""
    shape = graph.get_tensor_by_name(name if ":" in name else name + ":0").get_shape()
    shape.assert_is_fully_defined()
    return shape


def _elements(graph, name):
    return _shape(graph, name).num_elements()


# Elementwise: one flop per input element (unary) or per output element (binary, broadcast included).
_UNARY = {"Reciprocal": 1, "Square": 1, "Rsqrt": 2, "Log": 1, "Neg": 1, "AssignSub": 1, "AssignAdd": 1,
          "Softmax": 5}
_BINARY = {"Add": 1, "AddV2": 1, "Sub": 1, "Mul": 1, "RealDiv": 1, "Maximum": 1, "Minimum": 1, "Pow": 1,
           "RsqrtGrad": 4, "GreaterEqual": 1, "Greater": 1, "LessEqual": 1, "Less": 1, "Equal": 1,
           "NotEqual": 1, "SquaredDifference": 2}


def _unary(graph, node):
    return _elements(graph, node.input[0]) * _UNARY[node.op]


def _binary(graph, node):
    return _elements(graph, node.name) * _BINARY[node.op]


_register(*_UNARY)(_unary)
_register(*_BINARY)(_binary)


@_register("L2Loss")
def _l2_loss(graph, node):
    return _elements(graph, node.input[0]) * 3 - 1  # square, sum, halve


def _reduction(graph, node, reduce_flops, finalize_flops):
    n_in, n_out = _elements(graph, node.input[0]), _elements(graph, node.name)
    return n_in * reduce_flops + n_out * (finalize_flops - reduce_flops)


@_register("Mean")
def _mean(graph, node):
    return _reduction(graph, node, 1, 1)  # sum, then one division per output


@_register("Sum", "ArgMax", "ArgMin", "BiasAddGrad")
def _sum_like(graph, node):
    return _reduction(graph, node, 1, 0)


def _check_nhwc(node):
    if node.attr["data_format"].s != b"NHWC":
        raise ValueError("Only NHWC format is supported in flops computations")


@_register("AvgPool", "MaxPool")
def _pool(graph, node):
    _check_nhwc(node)
    return math.prod(node.attr["ksize"].list.i) * _elements(graph, node.name)


@_register("AvgPoolGrad")
def _avg_pool_grad(graph, node):
    _check_nhwc(node)
    return math.prod(node.attr["ksize"].list.i) * _elements(graph, node.input[1]) * 2


@_register("MaxPoolGrad")
def _max_pool_grad(graph, node):
    _check_nhwc(node)
    orig_out = _elements(graph, node.input[1])
    return math.prod(node.attr["ksize"].list.i) * orig_out + orig_out  # the pooling again, then routing


@_register("Conv2DBackpropInput")
def _conv2d_backprop_input(graph, node):
    _check_nhwc(node)
    out = _shape(graph, node.name)
    kernel = _elements(graph, node.input[1])
    strides = node.attr["strides"].list.i
    return 2 * out.num_elements() * kernel / (out.as_list()[-1] * strides[1] * strides[2])


@_register("Conv2DBackpropFilter")
def _conv2d_backprop_filter(graph, node):
    _check_nhwc(node)
    image = _shape(graph, node.input[0])
    kernel = _elements(graph, node.name)
    strides = node.attr["strides"].list.i
    return 2 * image.num_elements() * kernel / (image.as_list()[-1] * strides[1] * strides[2])


@_register("AddN")
def _add_n(graph, node):
    if not node.input:
        return 0
    return _elements(graph, node.input[0]) * (len(node.input) - 1)


@_register("MatMul")
def _mat_mul(graph, node):
    a = _shape(graph, node.input[0]).as_list()
    k = a[0] if node.attr["transpose_a"].b else a[1]
    return 2 * k * _elements(graph, node.name)


@_register("BatchMatMul", "BatchMatMulV2", "BatchMatMulV3")
def _batch_mat_mul(graph, node):
    # TF reads a `transpose_a` attr these ops do not have (theirs is adj_x): k is always the last dim.
    k = _shape(graph, node.input[0]).as_list()[-1]
    return 2 * k * _elements(graph, node.name)


@_register("Conv2D")
def _conv2d(graph, node):
    _shape(graph, node.input[0])
    h, w, depth_in = _shape(graph, node.input[1]).as_list()[:3]
    return 2 * _elements(graph, node.name) * depth_in * h * w


@_register("Conv3D")
def _conv3d(graph, node):
    _shape(graph, node.input[0])
    t, h, w, depth_in = _shape(graph, node.input[1]).as_list()[:4]
    return 2 * _elements(graph, node.name) * depth_in * t * h * w


@_register("DepthwiseConv2dNative", "Dilation2D")
def _filter_window(graph, node):
    _shape(graph, node.input[0])
    h, w = _shape(graph, node.input[1]).as_list()[:2]
    return 2 * _elements(graph, node.name) * h * w


@_register("BiasAdd")
def _bias_add(graph, node):
    return _elements(graph, node.input[0])
