"""Gradients of the neural-network ops (TensorFlow's ``python/ops/nn_grad.py`` layout), including the
second derivatives of the elementwise ``*Grad`` ops of `engine.ops.backprop_ops`."""

from __future__ import annotations

from engine.framework.registry import register_gradient, register_not_differentiable
from engine.ops import array_ops, backprop_ops, constant_op, conv_ops, grad_util, math_ops, nn_ops

# --- activations -------------------------------------------------------------------------------------


@register_gradient("Relu")
def _relu_grad(op, grad):
    return [backprop_ops.relu_grad(grad, op.outputs[0])]


@register_gradient("Relu6")
def _relu6_grad(op, grad):
    return [backprop_ops.relu6_grad(grad, op.inputs[0])]


@register_gradient("Elu")
def _elu_grad(op, grad):
    return [backprop_ops.elu_grad(grad, op.outputs[0])]


@register_gradient("Selu")
def _selu_grad(op, grad):
    return [backprop_ops.selu_grad(grad, op.outputs[0])]


@register_gradient("Softplus")
def _softplus_grad(op, grad):
    return [backprop_ops.softplus_grad(grad, op.inputs[0])]


@register_gradient("Softmax")
def _softmax_grad(op, grad):
    """(grad - sum(grad * softmax, -1)) * softmax."""
    y = op.outputs[0]
    s = math_ops.reduce_sum(math_ops.multiply(grad, y), -1, keepdims=True)
    return [math_ops.multiply(math_ops.subtract(grad, s), y)]


@register_gradient("LogSoftmax")
def _log_softmax_grad(op, grad):
    """grad - sum(grad, -1) * softmax, with softmax = exp(log_softmax)."""
    softmax = math_ops.exp(op.outputs[0])
    return [math_ops.subtract(grad, math_ops.multiply(math_ops.reduce_sum(grad, -1, keepdims=True), softmax))]


@register_gradient("BiasAdd")
def _bias_add_grad(op, grad):
    fmt = op.get_attr("data_format")
    fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
    return [grad, backprop_ops.bias_add_grad(grad, data_format=fmt or "NHWC")]


# --- second derivatives of the backprop ops ----------------------------------------------------------


@register_gradient("ReluGrad")
def _relu_grad_grad(op, grad):
    return [backprop_ops.relu_grad(grad, op.inputs[1]), array_ops.zeros_like(op.inputs[1])]


@register_gradient("Relu6Grad")
def _relu6_grad_grad(op, grad):
    return [backprop_ops.relu6_grad(grad, op.inputs[1]), array_ops.zeros_like(op.inputs[1])]


def _negative_part(op, grad):
    """For EluGrad/SeluGrad: d/dy of the y < 0 branch is grad * g."""
    g, y = op.inputs
    zero = array_ops.zeros_like(y)
    return array_ops.where(math_ops.less(y, zero), math_ops.multiply(grad, g), zero)


@register_gradient("EluGrad")
def _elu_grad_grad(op, grad):
    return [backprop_ops.elu_grad(grad, op.inputs[1]), _negative_part(op, grad)]


@register_gradient("SeluGrad")
def _selu_grad_grad(op, grad):
    return [backprop_ops.selu_grad(grad, op.inputs[1]), _negative_part(op, grad)]


@register_gradient("SoftplusGrad")
def _softplus_grad_grad(op, grad):
    g, x = op.inputs
    sig = math_ops.sigmoid(x)
    one = constant_op.constant(1, dtype=x.dtype.base_dtype)
    dx = math_ops.multiply(math_ops.multiply(grad, g), math_ops.multiply(sig, math_ops.subtract(one, sig)))
    return [backprop_ops.softplus_grad(grad, x), dx]


@register_gradient("SigmoidGrad")
def _sigmoid_grad_grad(op, grad):
    y, dy = op.inputs
    one = constant_op.constant(1, dtype=y.dtype.base_dtype)
    two = constant_op.constant(2, dtype=y.dtype.base_dtype)
    gy = math_ops.multiply(math_ops.multiply(grad, dy), math_ops.subtract(one, math_ops.multiply(two, y)))
    return [gy, backprop_ops.sigmoid_grad(y, grad)]


@register_gradient("TanhGrad")
def _tanh_grad_grad(op, grad):
    y, dy = op.inputs
    minus_two = constant_op.constant(-2, dtype=y.dtype.base_dtype)
    return [math_ops.multiply(math_ops.multiply(grad, dy), math_ops.multiply(minus_two, y)),
            backprop_ops.tanh_grad(y, grad)]


@register_gradient("SqrtGrad")
def _sqrt_grad_grad(op, grad):
    y = op.inputs[0]
    out = op.outputs[0]  # dy * 0.5 / y
    gy = math_ops.negative(math_ops.multiply(grad, math_ops.truediv(out, y)))
    return [gy, backprop_ops.sqrt_grad(y, grad)]


@register_gradient("RsqrtGrad")
def _rsqrt_grad_grad(op, grad):
    y, dy = op.inputs
    c = constant_op.constant(-1.5, dtype=y.dtype.base_dtype)
    gy = math_ops.multiply(math_ops.multiply(grad, dy), math_ops.multiply(c, math_ops.square(y)))
    return [gy, backprop_ops.rsqrt_grad(y, grad)]


@register_gradient("ReciprocalGrad")
def _reciprocal_grad_grad(op, grad):
    y, dy = op.inputs
    c = constant_op.constant(-2, dtype=y.dtype.base_dtype)
    gy = math_ops.multiply(math_ops.multiply(grad, dy), math_ops.multiply(c, y))
    return [gy, backprop_ops.reciprocal_grad(y, grad)]


@register_gradient("BiasAddGrad")
def _bias_add_grad_grad(op, grad):
    fmt = op.get_attr("data_format")
    fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
    if fmt == "NHWC":
        return [math_ops.add(array_ops.zeros_like(op.inputs[0]), grad)]
    rank = len(op.inputs[0].shape.as_list())
    shaped = array_ops.reshape(grad, [1, -1] + [1] * (rank - 2))
    return [math_ops.add(array_ops.zeros_like(op.inputs[0]), shaped)]


# --- cross-entropy -----------------------------------------------------------------------------------


def _is_zeros(t):
    return t is None or t.op.type == "ZerosLike"


def _broadcast_mul(vec, mat):
    """``expand_dims(vec, -1) * mat``: a per-row scale (names as TF: ``ExpandDims``, ``mul``)."""
    return array_ops.expand_dims(vec, -1) * mat


@register_gradient("SoftmaxCrossEntropyWithLogits")
def _softmax_xent_grad(op, grad_loss, grad_backprop):
    logits = op.inputs[0]
    backprop = op.outputs[1]
    grad_logits = _broadcast_mul(grad_loss, backprop)
    if not _is_zeros(grad_backprop):
        # Through the backprop output (softmax - labels): the softmax Jacobian applied to grad_backprop.
        softmax = nn_ops.softmax(logits)
        inner = math_ops.reduce_sum(math_ops.multiply(grad_backprop, softmax), -1, keepdims=True)
        grad_logits = grad_logits + math_ops.multiply(math_ops.subtract(grad_backprop, inner), softmax)
    grad_labels = _broadcast_mul(grad_loss, -nn_ops.log_softmax(logits))
    if not _is_zeros(grad_backprop):
        grad_labels = grad_labels - grad_backprop
    return [grad_logits, grad_labels]


@register_gradient("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_softmax_xent_grad(op, grad_loss, grad_backprop):
    return [_broadcast_mul(grad_loss, op.outputs[1]), None]


# --- convolution and pooling -------------------------------------------------------------------------


def _conv_attrs(op):
    return {k: op.get_attr(k) for k in ("strides", "padding", "dilations", "data_format")}


@register_gradient("Conv2D")
def _conv2d_grad(op, grad):
    x, f = op.inputs
    attrs = _conv_attrs(op)
    return [conv_ops.conv2d_backprop_input(grad_util.shape(x), f, grad, **attrs),
            conv_ops.conv2d_backprop_filter(x, grad_util.shape(f), grad, **attrs)]


@register_gradient("MaxPool")
def _max_pool_grad(op, grad):
    return [conv_ops.max_pool_grad_op(op.inputs[0], op.outputs[0], grad, op.get_attr("ksize"),
                                      op.get_attr("strides"), op.get_attr("padding"))]


@register_gradient("AvgPool")
def _avg_pool_grad(op, grad):
    return [conv_ops.avg_pool_grad_op(grad_util.shape(op.inputs[0]), grad, op.get_attr("ksize"),
                                      op.get_attr("strides"), op.get_attr("padding"))]


# Second derivatives of these are not implemented (TensorFlow has them); registering them as not
# differentiable makes that explicit and keeps the registry-walking gradient test honest.
for _t in ("Conv2DBackpropInput", "Conv2DBackpropFilter", "MaxPoolGrad", "AvgPoolGrad"):
    register_not_differentiable(_t)


@register_gradient("L2Loss")
def _l2_loss_grad(op, grad):
    return [math_ops.multiply(op.inputs[0], grad)]


@register_gradient("LeakyRelu")
def _leaky_relu_grad(op, grad):
    x = op.inputs[0]
    alpha = constant_op.constant(op.get_attr("alpha"), dtype=x.dtype.base_dtype)
    positive = math_ops.greater(x, array_ops.zeros_like(x))
    return [array_ops.where(positive, grad, math_ops.multiply(alpha, grad))]


@register_gradient("Softsign")
def _softsign_grad(op, grad):
    x = op.inputs[0]
    one = constant_op.constant(1, dtype=x.dtype.base_dtype)
    return [math_ops.truediv(grad, math_ops.square(math_ops.add(one, math_ops.abs(x))))]
