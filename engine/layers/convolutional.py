"""`tf.layers.Conv1D`, `Conv2D`, `Conv3D` and their functions.  channels_first builds TF's NCHW (NCDHW) ops,
which, as TF's CPU kernels, refuse to run."""

from __future__ import annotations

from engine.framework.tensor_shape import TensorShape
from engine.layers import utils
from engine.layers.base import Layer
from engine.ops import array_ops, conv3d_ops, conv_ops, init_ops, nn_impl, nn_ops

# TF's default initializers, shared (they hold no state).
_ZEROS = init_ops.zeros_initializer()


class _Conv(Layer):
    """N-D convolution over the axes between batch and channels; kernel `(*kernel_size, in, filters)`."""

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format="channels_last",
        dilation_rate=1,
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
        self.rank = rank
        self.filters = int(filters)
        if self.filters <= 0:
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly positive value. "
                f"Received filters={filters}."
            )
        self.kernel_size = utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = utils.normalize_tuple(strides, rank, "strides")
        self.padding = utils.normalize_padding(padding)
        self.data_format = utils.normalize_data_format(data_format)
        self.dilation_rate = utils.normalize_tuple(dilation_rate, rank, "dilation_rate")
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
        if input_shape.ndims is not None and input_shape.ndims != self.rank + 2:
            raise ValueError(
                f"Input 0 of layer {self.name} is incompatible with the layer: "
                f"expected ndim={self.rank + 2}, "
                f"found ndim={input_shape.ndims}. Full shape received: {input_shape.as_list()}"
            )
        channel_axis = 1 if self.data_format == "channels_first" else -1
        channels = input_shape.dims[channel_axis].value if input_shape.ndims else None
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        self.kernel = self._weight("kernel", list(self.kernel_size) + [channels, self.filters],
                                   self.kernel_initializer, self.kernel_regularizer, self.kernel_constraint)
        self._build_bias()
        self.built = True

    def _weight(self, name, shape, initializer, regularizer, constraint):
        """A trainable weight of the layer's dtype (kernels and bias)."""
        return self.add_weight(name, shape=shape, initializer=initializer, regularizer=regularizer,
                               constraint=constraint, trainable=True, dtype=self._dtype)

    def _build_bias(self):
        """The `bias` weight (filters,) when `use_bias`, as every convolution layer has it."""
        if self.use_bias:
            self.bias = self._weight("bias", [self.filters], self.bias_initializer, self.bias_regularizer,
                                     self.bias_constraint)

    def _finish(self, outputs):
        """Bias and activation after the convolution."""
        if self.use_bias and self.data_format == "channels_first" and self.rank == 1:
            outputs = outputs + array_ops.reshape(self.bias, (1, self.filters, 1))  # as TF's Conv1D
        elif self.use_bias:
            data_format = "NCHW" if self.data_format == "channels_first" else None
            outputs = nn_ops.bias_add(outputs, self.bias, data_format=data_format)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def call(self, inputs):
        padding = self.padding.upper()
        first = self.data_format == "channels_first"

        def full(values):  # a spatial attr with the batch and channel axes, in the layout's order
            return [1, 1, *values] if first else [1, *values, 1]

        if self.rank == 3:
            outputs = conv3d_ops.conv3d(
                inputs,
                self.kernel,
                strides=full(self.strides),
                padding=padding,
                data_format="NCDHW" if first else "NDHWC",
                dilations=full(self.dilation_rate),
                name="Conv3D",
            )
        elif self.rank == 1:
            outputs = nn_impl.conv1d(
                inputs,
                self.kernel,
                stride=self.strides[0],
                padding=padding,
                data_format="NCW" if first else "NWC",
                dilations=self.dilation_rate[0],
                name="Conv1D",
            )
        else:
            outputs = conv_ops.conv2d(
                inputs,
                self.kernel,
                strides=full(self.strides),
                padding=padding,
                data_format="NCHW" if first else "NHWC",
                dilations=full(self.dilation_rate),
                name="Conv2D",
            )
        return self._finish(outputs)


class Conv1D(_Conv):
    """`tf.layers.Conv1D(filters, kernel_size, strides=1, padding='valid', ...)` on (batch, width, chans)."""

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format="channels_last",
        dilation_rate=1,
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
        super().__init__(
            1,
            filters,
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            kernel_constraint,
            bias_constraint,
            trainable,
            name,
            **kwargs,
        )


class Conv2D(_Conv):
    """`tf.layers.Conv2D(filters, kernel_size, strides=(1, 1), padding='valid', ...)` over NHWC (or NCHW)
    inputs."""

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format="channels_last",
        dilation_rate=(1, 1),
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
        super().__init__(
            2,
            filters,
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            kernel_constraint,
            bias_constraint,
            trainable,
            name,
            **kwargs,
        )


def conv1d(
    inputs,
    filters,
    kernel_size,
    strides=1,
    padding="valid",
    data_format="channels_last",
    dilation_rate=1,
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
    """``tf.layers.conv1d``."""
    layer = Conv1D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        data_format=data_format,
        dilation_rate=dilation_rate,
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
        _reuse=reuse,
        _scope=name,
    )
    return layer.apply(inputs)


def conv2d(
    inputs,
    filters,
    kernel_size,
    strides=(1, 1),
    padding="valid",
    data_format="channels_last",
    dilation_rate=(1, 1),
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
    """``tf.layers.conv2d``."""
    layer = Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        data_format=data_format,
        dilation_rate=dilation_rate,
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
        _reuse=reuse,
        _scope=name,
    )
    return layer.apply(inputs)


class Conv3D(_Conv):
    """`tf.layers.Conv3D(filters, kernel_size, strides=(1, 1, 1), padding='valid', ...)` over NDHWC (or
    NCDHW) inputs."""

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1, 1),
        padding="valid",
        data_format="channels_last",
        dilation_rate=(1, 1, 1),
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
        super().__init__(
            3,
            filters,
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            kernel_constraint,
            bias_constraint,
            trainable,
            name,
            **kwargs,
        )


def conv3d(
    inputs,
    filters,
    kernel_size,
    strides=(1, 1, 1),
    padding="valid",
    data_format="channels_last",
    dilation_rate=(1, 1, 1),
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
    """``tf.layers.conv3d``."""
    layer = Conv3D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        data_format=data_format,
        dilation_rate=dilation_rate,
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
        _reuse=reuse,
        _scope=name,
    )
    return layer.apply(inputs)
