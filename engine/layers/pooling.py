"""`tf.layers` max and average pooling, 1-D, 2-D and 3-D, with channels_first as TF builds it: 2-D pools NCHW
(MaxPool/AvgPool ops that, as TF's CPU kernels, refuse to run); 1-D and 3-D transpose to channels last
and back around the pool (so they run)."""

from __future__ import annotations

from engine.layers import utils
from engine.layers.base import Layer
from engine.ops import array_ops, conv3d_ops, conv_ops


class _Pooling(Layer):
    def __init__(
        self,
        rank,
        pool_function,
        pool_size,
        strides,
        padding="valid",
        data_format="channels_last",
        name=None,
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.rank = rank
        self.pool_function = pool_function
        self.pool_size = utils.normalize_tuple(pool_size, rank, "pool_size")
        self.strides = utils.normalize_tuple(self.pool_size if strides is None else strides, rank, "strides")
        self.padding = utils.normalize_padding(padding)
        self.data_format = utils.normalize_data_format(data_format)

    def call(self, inputs):
        padding = self.padding.upper()
        first = self.data_format == "channels_first"
        layout = "NCHW" if first else "NHWC"

        def window(values):
            return [1, 1, *values] if first else [1, *values, 1]

        if self.rank == 1:
            # As TF: a unit axis after the width ((batch, width, 1, channels), or (batch, channels, width, 1)
            # for channels_first, which Keras's pool2d transposes to NHWC and back), pooled, squeezed back.
            axis = 3 if first else 2
            expanded = array_ops.expand_dims(inputs, axis)
            if first:
                expanded = array_ops.transpose(expanded, (0, 2, 3, 1))
            pooled = self.pool_function(
                expanded,
                ksize=[1, self.pool_size[0], 1, 1],
                strides=[1, self.strides[0], 1, 1],
                padding=padding,
            )
            if first:
                pooled = array_ops.transpose(pooled, (0, 3, 1, 2))
            return array_ops.squeeze(pooled, axis)
        if self.rank == 3:
            # TF's Pooling3D: the 3-D pools run channels last, channels_first is transposed around them
            if first:
                inputs = array_ops.transpose(inputs, (0, 2, 3, 4, 1))
            pooled = self.pool_function(inputs, ksize=[1, *self.pool_size, 1], strides=[1, *self.strides, 1],
                                        padding=padding)
            return array_ops.transpose(pooled, (0, 4, 1, 2, 3)) if first else pooled
        return self.pool_function(
            inputs, ksize=window(self.pool_size), strides=window(self.strides), padding=padding,
            data_format=layout,
        )


class MaxPooling1D(_Pooling):
    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(1, conv_ops.max_pool, pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling1D(_Pooling):
    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(1, conv_ops.avg_pool, pool_size, strides, padding, data_format, name, **kwargs)


class MaxPooling2D(_Pooling):
    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(2, conv_ops.max_pool, pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling2D(_Pooling):
    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(2, conv_ops.avg_pool, pool_size, strides, padding, data_format, name, **kwargs)


def max_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """``tf.layers.max_pooling1d``."""
    return MaxPooling1D(pool_size, strides, padding=padding, data_format=data_format, name=name).apply(inputs)


def average_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """``tf.layers.average_pooling1d``."""
    return AveragePooling1D(pool_size, strides, padding=padding, data_format=data_format, name=name).apply(
        inputs
    )


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """``tf.layers.max_pooling2d``."""
    return MaxPooling2D(pool_size, strides, padding=padding, data_format=data_format, name=name).apply(inputs)


def average_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """``tf.layers.average_pooling2d``."""
    return AveragePooling2D(pool_size, strides, padding=padding, data_format=data_format, name=name).apply(
        inputs
    )


class MaxPooling3D(_Pooling):
    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(3, conv3d_ops.max_pool3d, pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling3D(_Pooling):
    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(3, conv3d_ops.avg_pool3d, pool_size, strides, padding, data_format, name, **kwargs)


def max_pooling3d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """``tf.layers.max_pooling3d``."""
    return MaxPooling3D(pool_size, strides, padding=padding, data_format=data_format, name=name).apply(inputs)


def average_pooling3d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """``tf.layers.average_pooling3d``."""
    return AveragePooling3D(pool_size, strides, padding=padding, data_format=data_format, name=name).apply(
        inputs
    )
