"""Local response normalization: LRN (`tf.nn.lrn`, `tf.nn.local_response_normalization`) and LRNGrad, the
op its gradient builds (which TF gives no gradient): kernels, shape rule, registrations, wrapper, gradient.

Over the last (depth) axis: `sqr_sum[..., d] = sum(x[..., d - r : d + r + 1] ** 2)` and
`y = x / (bias + alpha * sqr_sum) ** beta`."""

from __future__ import annotations

import numpy as np

from engine.framework import ops, registry
from engine.framework.registry import register_gradient
from engine.ops.op_util import infer_same, make_tensor, shape_error

_LRN_TYPES = ("float16", "bfloat16", "float32")
_LRN_ATTRS = {"depth_radius": 5, "bias": 1.0, "alpha": 1.0, "beta": 0.5}


def _window_sum(a, radius):
    """Sum over the depth window [d - radius, d + radius] (clipped at the edges) for every depth d."""
    depth = a.shape[-1]
    pad = [(0, 0)] * (a.ndim - 1) + [(radius + 1, radius)]
    cs = np.cumsum(np.pad(a, pad), axis=-1, dtype=a.dtype)
    return cs[..., 2 * radius + 1 : 2 * radius + 1 + depth] - cs[..., :depth]


def _lrn_attrs(op):
    return tuple(op.get_attr(k) if op.get_attr(k) is not None else v for k, v in _LRN_ATTRS.items())


def _compile_lrn(op, runtime):
    radius, bias, alpha, beta = _lrn_attrs(op)

    def kernel(x):
        x = np.asarray(x)
        norm = bias + alpha * _window_sum(np.square(x), int(radius))
        return (x * norm ** (-beta)).astype(x.dtype)

    return kernel


def _infer_lrn(op):
    ndims = op.inputs[0].shape.ndims
    if ndims is not None and ndims != 4:
        raise shape_error(op, f"Shape must be rank 4 but is rank {ndims}")
    return infer_same(op)


registry.register_op(
    "LRN", infer=_infer_lrn, compile=_compile_lrn, fresh=True, attrs=dict(_LRN_ATTRS),
    inputs=("input: T",), allowed={"T": _LRN_TYPES},
)


def local_response_normalization(input, depth_radius=5, bias=1, alpha=1, beta=0.5, name=None):  # noqa: A002
    """``tf.nn.local_response_normalization`` (= ``tf.nn.lrn``) over the last axis of a 4-D `input`."""
    with ops.name_scope(name, "LRN", [input]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        attrs = {"T": x.dtype.base_dtype, "depth_radius": int(depth_radius), "bias": float(bias),
                 "alpha": float(alpha), "beta": float(beta)}
        return make_tensor("LRN", [x], name=scope, attrs=attrs)


lrn = local_response_normalization


def _compile_lrn_grad(op, runtime):
    radius, bias, alpha, beta = _lrn_attrs(op)

    def kernel(dy, x, y):
        dy, x = np.asarray(dy), np.asarray(x)
        norm = bias + alpha * _window_sum(np.square(x), int(radius))
        # d y_d / d x_k = [k == d] norm_d^-beta - 2 alpha beta x_d x_k norm_d^(-beta - 1) for |d - k| <= r
        spread = _window_sum(dy * x * norm ** (-beta - 1), int(radius))
        return (dy * norm ** (-beta) - 2 * alpha * beta * x * spread).astype(x.dtype)

    return kernel


def _infer_lrn_grad(op):
    return [(op.inputs[0].dtype.base_dtype, op.inputs[1].shape.merge_with(op.inputs[0].shape))]


registry.register_op(
    "LRNGrad", infer=_infer_lrn_grad, compile=_compile_lrn_grad, fresh=True, attrs=dict(_LRN_ATTRS),
    inputs=("input_grads: T", "input_image: T", "output_image: T"), allowed={"T": _LRN_TYPES},
)


@register_gradient("LRN")
def _lrn_grad(op, grad):
    attrs = {k: op.get_attr(k) for k in ("T", *_LRN_ATTRS)}
    return [make_tensor("LRNGrad", [grad, op.inputs[0], op.outputs[0]], name="LRNGrad", attrs=attrs)]
