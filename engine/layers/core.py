"""`tf.layers.Dense`, `Dropout`, `Flatten` and their functions (`tf.layers.dense`, ...)."""

from __future__ import annotations

import numpy as np

from engine.framework import ops
from engine.framework.tensor_shape import TensorShape
from engine.layers import utils
from engine.layers.base import Layer
from engine.ops import array_ops, constant_op, init_ops, math_ops, nn_ops

# TF's default initializers, shared (they hold no state).
_ZEROS = init_ops.zeros_initializer()


class Dense(Layer):
    """`activation(inputs @ kernel + bias)` over the last axis; variables `<scope>/kernel`, `<scope>/bias`."""

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer=None,
        bias_initializer=_ZEROS,
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        trainable=True,
        name=None,
        **kwargs,
    ):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.units = int(units)
        if self.units <= 0:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer. Received: units={units}"
            )
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        last = input_shape.dims[-1].value if input_shape.dims else None
        if last is None:
            raise ValueError(
                "The last dimension of the inputs to a Dense layer should be defined. Found None. "
                f"Full input shape received: {input_shape}"
            )
        self.kernel = self.add_weight(
            "kernel",
            shape=[last, self.units],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            dtype=self._dtype,
            trainable=True,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                shape=[self.units],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                dtype=self._dtype,
                trainable=True,
            )
        self.built = True

    def call(self, inputs):
        inputs = ops.convert_to_tensor(inputs, dtype=self._dtype)
        rank = inputs.shape.ndims
        if rank == 2:
            outputs = math_ops.matmul(inputs, self.kernel)
        else:
            # TF contracts the last axis with `tensordot`; here the same product as reshape-matmul-reshape,
            # which also takes unknown leading dimensions.
            with ops.name_scope(None, "Tensordot", [inputs, self.kernel]):
                flat = array_ops.reshape(inputs, [-1, self.kernel.shape.dims[0].value])
                product = math_ops.matmul(flat, self.kernel)
                leading = array_ops.strided_slice(array_ops.shape_v1(inputs), [0], [-1], [1])
                out_shape = array_ops.concat([leading, [self.units]], 0)
                outputs = array_ops.reshape(product, out_shape)
                if inputs.shape.ndims is not None:
                    outputs.set_shape(inputs.shape[:-1].concatenate([self.units]))
        if self.use_bias:
            outputs = nn_ops.bias_add(outputs, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        return input_shape[:-1].concatenate([self.units])


def dense(
    inputs,
    units,
    activation=None,
    use_bias=True,
    kernel_initializer=None,
    bias_initializer=_ZEROS,
    kernel_regularizer=None,
    bias_regularizer=None,
    activity_regularizer=None,
    kernel_constraint=None,
    bias_constraint=None,
    trainable=True,
    name=None,
    reuse=None,
):
    """``tf.layers.dense``: a `Dense` layer applied once (`name` is its variable scope)."""
    layer = Dense(
        units,
        activation=activation,
        use_bias=use_bias,
        kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer,
        kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint,
        trainable=trainable,
        name=name,
        _scope=name,
        _reuse=reuse,
    )
    return layer.apply(inputs)


class Dropout(Layer):
    """`tf.nn.dropout` with `rate` when `training` (a bool or a boolean tensor), the identity otherwise."""

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
            raise ValueError(f"Invalid value {rate} received for `rate`, expected a value between 0 and 1.")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs, training=False):
        def dropped():
            if isinstance(self.rate, (int, float)) and self.rate == 0:
                return array_ops.identity(inputs)
            return nn_ops.dropout(inputs, noise_shape=self.noise_shape, seed=self.seed, rate=self.rate)

        return utils.smart_cond(training, dropped, lambda: array_ops.identity(inputs))

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """``tf.layers.dropout``: `training=False` (the default) passes `inputs` through."""
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)
    return layer.apply(inputs, training=training)


class Flatten(Layer):
    """Reshapes to `(batch, -1)`, keeping the batch dimension."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = utils.normalize_data_format(data_format)

    def call(self, inputs):
        inputs = ops.convert_to_tensor(inputs)
        if self.data_format == "channels_first" and (inputs.shape.ndims or 0) > 1:
            # As TF: to channels_last first, so the flattened order is the same either way.
            rank = inputs.shape.ndims
            inputs = array_ops.transpose(inputs, perm=[0, *range(2, rank), 1])
        shape = inputs.shape
        if shape.ndims == 1:
            return array_ops.expand_dims(inputs, 1)
        # the target shape is a Const when it is known (TF's `tf.constant([-1, n])`: flatten/Const)
        if shape.ndims is not None and shape[1:].is_fully_defined():
            flat = int(np.prod(shape[1:].as_list(), dtype=np.int64))
            return array_ops.reshape(inputs, constant_op.constant([-1, flat]))
        batch = shape.dims[0].value if shape.ndims else None
        if batch is not None:
            target = constant_op.constant([batch, -1])
        else:
            batch = array_ops.strided_slice(array_ops.shape_v1(inputs), [0], [1], [1], shrink_axis_mask=1)
            target = array_ops.stack([batch, -1])
        outputs = array_ops.reshape(inputs, target)
        if shape.ndims is not None:
            outputs.set_shape([shape.dims[0].value, None])
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape).as_list()
        rest = input_shape[1:]
        flat = int(np.prod(rest)) if None not in rest else None
        return TensorShape([input_shape[0], flat])


def flatten(inputs, name=None, data_format="channels_last"):
    """``tf.layers.flatten``."""
    return Flatten(name=name, data_format=data_format).apply(inputs)
