"""`tf.contrib.layers`: `fully_connected`, `conv2d`, `flatten`, `batch_norm`, `xavier_initializer`,
`l2_regularizer` as thin wrappers over `tf.layers` with contrib's defaults and names.

contrib's names differ from tf.layers' in the scope (`fully_connected`, `Conv`, `Flatten`, `BatchNorm`) and
the variables (`weights`/`biases` for `kernel`/`bias`, renamed by a custom getter as contrib does), and its
variables also go into MODEL_VARIABLES.
"""

from __future__ import annotations

import numbers

from engine import logging
from engine.framework import dtypes, ops
from engine.framework.ops import GraphKeys
from engine.layers import convolutional, core, normalization
from engine.ops import array_ops, init_ops, math_ops, nn_ops
from engine.ops.nn_loss_ops import l2_loss
from engine.variable_scope import variable_scope

_CONTRIB_NAMES = {"kernel": "weights", "bias": "biases"}


# TF's default initializers, shared (they hold no state).
_ZEROS = init_ops.zeros_initializer()
_ONES = init_ops.ones_initializer()


def _contrib_getter(getter, name, *args, **kwargs):
    """Renames a layer's `kernel`/`bias` to contrib's `weights`/`biases` and adds them to MODEL_VARIABLES."""
    scope, _, short = name.rpartition("/")
    short = _CONTRIB_NAMES.get(short, short)
    collections = list(kwargs.pop("collections", None) or [GraphKeys.GLOBAL_VARIABLES])
    if GraphKeys.MODEL_VARIABLES not in collections:
        collections.append(GraphKeys.MODEL_VARIABLES)
    return getter(f"{scope}/{short}" if scope else short, *args, collections=collections, **kwargs)


def xavier_initializer(uniform=True, seed=None, dtype=dtypes.float32):
    """Glorot/Xavier: uniform in ±sqrt(6 / (fan_in + fan_out)), or a truncated normal of stddev
    sqrt(1.3 * 2 / (fan_in + fan_out)), contrib's `variance_scaling_initializer(mode='FAN_AVG')`."""
    if uniform:
        return init_ops.VarianceScaling(
            scale=1.0, mode="fan_avg", distribution="uniform", seed=seed, dtype=dtype
        )
    # core VarianceScaling divides a truncated normal's stddev by 0.8796...; this makes it sqrt(1.3 / n).
    return init_ops.VarianceScaling(
        scale=1.3 * 0.87962566103423978**2,
        mode="fan_avg",
        distribution="truncated_normal",
        seed=seed,
        dtype=dtype,
    )


xavier_initializer_conv2d = xavier_initializer


def l2_regularizer(scale, scope=None):
    """`scale * tf.nn.l2_loss(weights)` (op `<var>/Regularizer/l2_regularizer`); scale 0 gives no loss."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"scale cannot be an integer: {scale}")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale:g}")
        if scale == 0.0:
            logging.info("Scale of 0 disables regularizer.")
            return lambda _: None

    def l2(weights):
        with ops.name_scope(scope, "l2_regularizer", [weights]) as name:
            my_scale = ops.convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return math_ops.multiply(my_scale, l2_loss(weights), name=name)

    return l2


def _finish(outputs, normalizer_fn, normalizer_params, activation_fn, outputs_collections):
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    for collection in outputs_collections or []:
        ops.add_to_collection(collection, outputs)
    return outputs


def fully_connected(
    inputs,
    num_outputs,
    activation_fn=nn_ops.relu,
    normalizer_fn=None,
    normalizer_params=None,
    weights_initializer=None,
    weights_regularizer=None,
    biases_initializer=_ZEROS,
    biases_regularizer=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    scope=None,
):
    """``tf.contrib.layers.fully_connected``: a `Dense` in scope `fully_connected` with variables
    `weights`/`biases`, relu by default; a `normalizer_fn` replaces the biases."""
    if not isinstance(num_outputs, int):
        raise ValueError(f"num_outputs type should be one of (int, long), got {type(num_outputs)}.")
    weights_initializer = xavier_initializer() if weights_initializer is None else weights_initializer
    with variable_scope(scope, "fully_connected", [inputs], reuse=reuse, custom_getter=_contrib_getter) as sc:
        layer = core.Dense(
            num_outputs,
            activation=None,
            use_bias=normalizer_fn is None and biases_initializer is not None,
            kernel_initializer=weights_initializer,
            bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer,
            bias_regularizer=biases_regularizer,
            trainable=trainable,
            name=sc.name,
            _scope=sc,
            _reuse=reuse,
        )
        outputs = layer.apply(inputs)
        return _finish(outputs, normalizer_fn, normalizer_params, activation_fn, outputs_collections)


def conv2d(
    inputs,
    num_outputs,
    kernel_size,
    stride=1,
    padding="SAME",
    data_format=None,
    rate=1,
    activation_fn=nn_ops.relu,
    normalizer_fn=None,
    normalizer_params=None,
    weights_initializer=None,
    weights_regularizer=None,
    biases_initializer=_ZEROS,
    biases_regularizer=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    scope=None,
):
    """``tf.contrib.layers.conv2d``: a `Conv2D` in scope `Conv` with variables `weights`/`biases`, 'SAME'
    padding and relu by default."""
    if data_format not in (None, "NHWC"):
        raise ValueError("data_format has to be either NCHW or NHWC; the engine supports NHWC only.")
    weights_initializer = xavier_initializer() if weights_initializer is None else weights_initializer
    with variable_scope(scope, "Conv", [inputs], reuse=reuse, custom_getter=_contrib_getter) as sc:
        layer = convolutional.Conv2D(
            num_outputs,
            kernel_size,
            strides=stride,
            padding=padding,
            dilation_rate=rate,
            activation=None,
            use_bias=normalizer_fn is None and biases_initializer is not None,
            kernel_initializer=weights_initializer,
            bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer,
            bias_regularizer=biases_regularizer,
            trainable=trainable,
            name=sc.name,
            _scope=sc,
            _reuse=reuse,
        )
        outputs = layer.apply(inputs)
        return _finish(outputs, normalizer_fn, normalizer_params, activation_fn, outputs_collections)


convolution2d = conv2d


def flatten(inputs, outputs_collections=None, scope=None):
    """``tf.contrib.layers.flatten``: `tf.layers.flatten` under name scope `Flatten`."""
    with ops.name_scope(scope, "Flatten", [inputs]):
        outputs = core.flatten(inputs)
        for collection in outputs_collections or []:
            ops.add_to_collection(collection, outputs)
        return outputs


def batch_norm(
    inputs,
    decay=0.999,
    center=True,
    scale=False,
    epsilon=0.001,
    activation_fn=None,
    param_initializers=None,
    param_regularizers=None,
    updates_collections=GraphKeys.UPDATE_OPS,
    is_training=True,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    batch_weights=None,
    fused=None,
    data_format="NHWC",
    zero_debias_moving_mean=False,
    scope=None,
    renorm=False,
    renorm_clipping=None,
    renorm_decay=0.99,
    adjustment=None,
):
    """``tf.contrib.layers.batch_norm``: a `BatchNormalization` in scope `BatchNorm` with contrib's defaults
    (decay 0.999, no `gamma`). With `updates_collections=None` the moving averages are updated in place
    (the output depends on them); otherwise their updates go into that collection."""
    if batch_weights is not None or zero_debias_moving_mean or renorm or adjustment is not None:
        raise ValueError(
            "batch_norm: batch_weights, zero_debias_moving_mean, renorm and adjustment are not "
            "supported by the engine."
        )
    if data_format not in ("NHWC", "NWC", "NC"):
        raise ValueError("data_format has to be NHWC; the engine supports channels-last only.")
    initializers = dict(param_initializers or {})
    regularizers = dict(param_regularizers or {})
    with variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        layer = normalization.BatchNormalization(
            axis=-1,
            momentum=decay,
            epsilon=epsilon,
            center=center,
            scale=scale,
            beta_initializer=initializers.get("beta", _ZEROS),
            gamma_initializer=initializers.get("gamma", _ONES),
            moving_mean_initializer=initializers.get("moving_mean", _ZEROS),
            moving_variance_initializer=initializers.get("moving_variance", _ONES),
            beta_regularizer=regularizers.get("beta"),
            gamma_regularizer=regularizers.get("gamma"),
            fused=fused,
            trainable=trainable,
            name=sc.name,
            _scope=sc,
            _reuse=reuse,
        )
        graph = ops.get_default_graph()
        before = list(graph.get_collection(GraphKeys.UPDATE_OPS))
        outputs = layer.apply(inputs, training=is_training)
        for variable in layer.variables:
            if variable not in graph.get_collection(GraphKeys.MODEL_VARIABLES):
                graph.add_to_collection(GraphKeys.MODEL_VARIABLES, variable)
        if updates_collections != GraphKeys.UPDATE_OPS:
            # Move the layer's updates out of UPDATE_OPS: into the given collection, or in place.
            ref = graph.get_collection_ref(GraphKeys.UPDATE_OPS)
            ref[:] = before + [u for u in ref[len(before) :] if u not in layer.updates]
            if updates_collections is None and layer.updates:
                with ops.control_dependencies(layer.updates):
                    outputs = array_ops.identity(outputs)
            else:
                for update in layer.updates:
                    graph.add_to_collection(updates_collections, update)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        for collection in outputs_collections or []:
            ops.add_to_collection(collection, outputs)
        return outputs


__all__ = [
    "batch_norm",
    "conv2d",
    "convolution2d",
    "flatten",
    "fully_connected",
    "l2_regularizer",
    "xavier_initializer",
    "xavier_initializer_conv2d",
]
