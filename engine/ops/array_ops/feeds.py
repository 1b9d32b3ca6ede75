"""Placeholder, PlaceholderWithDefault, Identity, Snapshot and StopGradient: how values enter a graph
and pass through it unchanged (kernels, shape rules, wrappers, gradients).  Placeholder has no gradient in
TF (it is where one ends); StopGradient is marked not differentiable."""

from __future__ import annotations

from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient, register_not_differentiable
from engine.ops.op_util import make_op, make_tensor, shape_error, shape_str

_convert = ops.convert_to_tensor


def _infer_placeholder(op):
    s = op._attrs.get("shape")
    return [(op._attrs["dtype"], s if s is not None else _ts.unknown_shape())]


def _compile_placeholder(op, runtime):
    dtype = op._attrs["dtype"]
    s = op._attrs.get("shape")
    message = f"You must feed a value for placeholder tensor '{op.name}' with dtype {dtypes.c_name(dtype)}"
    if s is not None and s.ndims is not None:
        message += " and shape " + shape_str(s)

    def kernel():
        raise errors.InvalidArgumentError(None, None, message)

    return kernel


registry.register_op(
    "Placeholder",
    infer=_infer_placeholder,
    compile=_compile_placeholder,
    attrs={"shape": _ts.unknown_shape()},
    must_feed=True,
)


def placeholder(dtype, shape=None, name=None):
    """A Tensor that must be fed at `Session.run` time (`feed_dict={x: value}`)."""
    dtype = dtypes.as_dtype(dtype)
    s = _ts.as_shape(shape) if shape is not None else _ts.unknown_shape()
    return make_tensor("Placeholder", [], name=name or "Placeholder", attrs={"dtype": dtype, "shape": s})


def _infer_placeholder_with_default(op):
    t = op.inputs[0]
    s = op._attrs.get("shape")
    if s is not None and not s.is_compatible_with(t.shape):
        raise shape_error(op, f"Shapes {shape_str(s)} and {shape_str(t.shape)} are incompatible")
    return [(t.dtype.base_dtype, s if s is not None else t.shape)]


registry.register_op("PlaceholderWithDefault", infer=_infer_placeholder_with_default, kernel=lambda x: x)


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's argument name
    """A placeholder that evaluates to `input` when it is not fed."""
    with ops.name_scope(name, "PlaceholderWithDefault", [input]) as scope:
        value = _convert(input, name="input")
        return make_tensor(
            "PlaceholderWithDefault",
            [value],
            name=scope,
            attrs={"dtype": value.dtype.base_dtype, "shape": _ts.as_shape(shape)},
        )


# --- Identity / StopGradient --------------------------------------------------------------------------------
def _identity(x):
    return x


registry.register_op(
    "Identity", infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)], kernel=_identity,
    pass_through=True,
)
registry.register_op(
    "StopGradient", infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)], kernel=_identity,
    pass_through=True,
)


def identity(input, name=None):  # noqa: A002
    """A tensor with the same value (the `read` of a variable is one)."""
    with ops.name_scope(name, "Identity", [input]) as scope:
        input = _convert(input, name="input")  # noqa: A001
        return make_tensor("Identity", [input], name=scope, attrs={"T": input.dtype.base_dtype})


registry.register_op(
    "IdentityN", infer=lambda op: [(t.dtype.base_dtype, t.shape) for t in op.inputs],
    kernel=lambda *xs: xs if len(xs) != 1 else xs[0],
)


def identity_n(input, name=None):  # noqa: A002
    """``tf.identity_n``: the tensors of the list `input`, each passed on unchanged, from one op."""
    with ops.name_scope(name, "IdentityN", input) as scope:
        xs = [_convert(t, name="input") for t in input]
        op = make_op("IdentityN", xs, name=scope, attrs={"T": [t.dtype.base_dtype for t in xs]})
        return list(op.outputs)


def stop_gradient(input, name=None):  # noqa: A002
    with ops.name_scope(name, "StopGradient", [input]) as scope:
        input = _convert(input, name="input")  # noqa: A001
        return make_tensor("StopGradient", [input], name=scope, attrs={"T": input.dtype.base_dtype})

# --- gradients ------------------------------------------------------------------------------------


@register_gradient("Identity")
def _identity_grad(op, grad):
    return [grad]


register_gradient("Snapshot")(_identity_grad)


@register_gradient("IdentityN")
def _identity_n_grad(op, *grads):
    return list(grads)


@register_gradient("PlaceholderWithDefault")
def _placeholder_with_default_grad(op, grad):
    return [grad]


register_not_differentiable("StopGradient")
