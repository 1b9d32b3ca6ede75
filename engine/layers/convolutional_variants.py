"""`tf.layers.Conv2DTranspose`, `Conv3DTranspose`, `SeparableConv1D`, `SeparableConv2D` and their
functions: the convolutions built from other convolution ops, node for node as TF's layers build them in
either data_format."""

from __future__ import annotations

from engine.framework import ops
from engine.framework.tensor_shape import TensorShape
from engine.layers.convolutional import _ZEROS, Conv1D, Conv2D, Conv3D
from engine.ops import array_ops, conv3d_ops, depthwise_conv_ops, nn_impl, nn_ops


def _deconv_length(size, kernel, padding, stride, dilation):
    """The transposed convolution's output length (Keras's `deconv_output_length` without output padding)."""
    if size is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if padding == "valid":
        return size * stride + max(kernel - stride, 0)
    return size * stride


class _Transposed:
    """The transposed convolution of a `_Conv` layer of the same rank: its input gradient op, with kernel
    `(*kernel_size, filters, in_channels)` and the output size computed from the input's, as TF's layers
    build it: Conv3DTranspose runs an NCDHW op for channels_first, Conv2DTranspose (Keras's
    `backend.conv2d_transpose` on CPU) transposes to NHWC and back around an NHWC op."""

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims != self.rank + 2:
            raise ValueError(f"Inputs should have rank {self.rank + 2}. Received input shape: {input_shape}")
        channels = input_shape.dims[1 if self.data_format == "channels_first" else -1].value
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        self.kernel = self.add_weight(
            "kernel",
            shape=list(self.kernel_size) + [self.filters, channels],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            trainable=True,
            dtype=self._dtype,
        )
        self._build_bias()
        self.built = True

    def _lengths(self, sizes):
        """The transposed lengths of the spatial `sizes` (ints, tensors or None)."""
        geometry = zip(sizes, self.kernel_size, self.strides, self.dilation_rate, strict=True)
        return [_deconv_length(size, k, self.padding, s, d) for size, k, s, d in geometry]

    def _in_layout(self, first, batch, lengths):  # the output's dims in the layer's layout
        return [batch, self.filters, *lengths] if first else [batch, *lengths, self.filters]

    def call(self, inputs):
        inputs = ops.convert_to_tensor(inputs)
        first = self.data_format == "channels_first"
        static = inputs.shape.as_list()
        axes = range(2, self.rank + 2) if first else range(1, self.rank + 1)
        # The output's dims: the batch sliced from the input's Shape, the filters, and the lengths from the
        # input's static ones where Conv2DTranspose knows them, else from its Shape (as Conv3DTranspose
        # always does).
        dynamic = array_ops.shape_v1(inputs)
        batch = dynamic[0]
        lengths = self._lengths(
            [static[a] if self.rank == 2 and static[a] is not None else dynamic[a] for a in axes]
        )
        output_shape = array_ops.stack(self._in_layout(first, batch, lengths))
        padding = self.padding.upper()
        if self.rank == 3:
            outputs = conv3d_ops.conv3d_transpose(
                inputs,
                self.kernel,
                output_shape,
                strides=[1, 1, *self.strides] if first else [1, *self.strides, 1],
                padding=padding,
                data_format="NCDHW" if first else "NDHWC",
                dilations=[1, 1, *self.dilation_rate] if first else [1, *self.dilation_rate, 1],
            )
        else:
            x = inputs
            if first:  # Keras's backend: TF has no NCHW Conv2DBackpropInput on CPU
                x = array_ops.transpose(x, (0, 2, 3, 1))
                output_shape = array_ops.stack([output_shape[i] for i in (0, 2, 3, 1)])
            else:
                output_shape[0]  # Keras's backend tests `output_shape[0] is None`, leaving this StridedSlice
            outputs = nn_impl.conv2d_transpose(
                x,
                self.kernel,
                output_shape,
                strides=[1, *self.strides, 1],
                padding=padding,
                dilations=[1, *self.dilation_rate, 1],
            )
            if first:
                outputs = array_ops.transpose(outputs, (0, 3, 1, 2))
        spatial = self._lengths([static[a] for a in axes])
        outputs.set_shape(self._in_layout(first, static[0], spatial))
        return self._finish(outputs)


class Conv2DTranspose(_Transposed, Conv2D):
    """`tf.layers.Conv2DTranspose(filters, kernel_size, strides=(1, 1), padding='valid', ...)`."""


class Conv3DTranspose(_Transposed, Conv3D):
    """`tf.layers.Conv3DTranspose(filters, kernel_size, strides=(1, 1, 1), padding='valid', ...)`."""


def conv2d_transpose(
    inputs,
    filters,
    kernel_size,
    strides=(1, 1),
    padding="valid",
    data_format="channels_last",
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
    """``tf.layers.conv2d_transpose``."""
    layer = Conv2DTranspose(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        data_format=data_format,
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


class _Separable:
    """A depthwise convolution (`depthwise_kernel`, (*kernel_size, in, depth_multiplier)) then a pointwise
    one (`pointwise_kernel`, (1, ..., in * depth_multiplier, filters)), the weights of a `_Conv` layer of
    the same rank, whose arguments the others are. Deviation: the separable arguments are keyword-only
    (TF also takes `depth_multiplier` as the seventh positional one)."""

    def __init__(self, filters, kernel_size, *args, depth_multiplier=1, depthwise_initializer=None,
                 pointwise_initializer=None, depthwise_regularizer=None, pointwise_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, *args, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer = depthwise_initializer
        self.pointwise_initializer = pointwise_initializer
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint
        self.depthwise_kernel = self.pointwise_kernel = None

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        channel_axis = 1 if self.data_format == "channels_first" else -1
        channels = input_shape.dims[channel_axis].value if input_shape.ndims == self.rank + 2 else None
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        self.depthwise_kernel = self._weight(
            "depthwise_kernel", list(self.kernel_size) + [channels, self.depth_multiplier],
            self.depthwise_initializer, self.depthwise_regularizer, self.depthwise_constraint)
        self.pointwise_kernel = self._weight(
            "pointwise_kernel", [1] * self.rank + [channels * self.depth_multiplier, self.filters],
            self.pointwise_initializer, self.pointwise_regularizer, self.pointwise_constraint)
        self._build_bias()
        self.built = True


class SeparableConv2D(_Separable, Conv2D):
    """`tf.layers.SeparableConv2D(filters, kernel_size, ..., depth_multiplier=1)`."""

    def call(self, inputs):
        outputs = depthwise_conv_ops.separable_conv2d(
            inputs,
            self.depthwise_kernel,
            self.pointwise_kernel,
            strides=[1, 1, *self.strides] if self.data_format == "channels_first" else [1, *self.strides, 1],
            padding=self.padding.upper(),
            rate=list(self.dilation_rate),
            data_format="NCHW" if self.data_format == "channels_first" else "NHWC",
        )
        return self._finish(outputs)


class SeparableConv1D(_Separable, Conv1D):
    """`tf.layers.SeparableConv1D(filters, kernel_size, ..., depth_multiplier=1)` on (batch, width, chans):
    as TF's, the inputs and kernels get a height of 1 for ``tf.nn.separable_conv2d``, the bias is added
    in 4-D, and the height is squeezed out (`ExpandDims`, `separable_conv2d/...`, `BiasAdd`, `Squeeze`), in
    either layout. ``padding='causal'`` is refused (as Conv1D here)."""

    def call(self, inputs):
        first = self.data_format == "channels_first"
        height = 2 if first else 1  # where the height of 1 goes: before the width
        stride = self.strides[0]  # as TF's: the height of 1 takes the stride too
        outputs = depthwise_conv_ops.separable_conv2d(
            array_ops.expand_dims(inputs, height),
            array_ops.expand_dims(self.depthwise_kernel, 0),
            array_ops.expand_dims(self.pointwise_kernel, 0),
            strides=[1, 1, stride, stride] if first else [1, stride, stride, 1],
            padding=self.padding.upper(),
            rate=[1, self.dilation_rate[0]],
            data_format="NCHW" if first else "NHWC",
        )
        if self.use_bias:
            outputs = nn_ops.bias_add(outputs, self.bias, data_format="NCHW" if first else None)
        outputs = array_ops.squeeze(outputs, [height])
        return self.activation(outputs) if self.activation is not None else outputs


def separable_conv1d(inputs, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                     dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                     depthwise_initializer=None, pointwise_initializer=None, bias_initializer=_ZEROS,
                     depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                     bias_constraint=None, trainable=True, name=None, reuse=None):
    """``tf.layers.separable_conv1d``."""
    arguments = dict(locals())
    del arguments["inputs"], arguments["reuse"]
    return SeparableConv1D(**arguments, _reuse=reuse, _scope=name).apply(inputs)


def separable_conv2d(
    inputs,
    filters,
    kernel_size,
    strides=(1, 1),
    padding="valid",
    data_format="channels_last",
    dilation_rate=(1, 1),
    depth_multiplier=1,
    activation=None,
    use_bias=True,
    depthwise_initializer=None,
    pointwise_initializer=None,
    bias_initializer=_ZEROS,
    depthwise_regularizer=None,
    pointwise_regularizer=None,
    bias_regularizer=None,
    activity_regularizer=None,
    depthwise_constraint=None,
    pointwise_constraint=None,
    bias_constraint=None,
    trainable=True,
    name=None,
    reuse=None,
):
    """``tf.layers.separable_conv2d``."""
    layer = SeparableConv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        data_format=data_format,
        dilation_rate=dilation_rate,
        depth_multiplier=depth_multiplier,
        activation=activation,
        use_bias=use_bias,
        depthwise_initializer=depthwise_initializer,
        pointwise_initializer=pointwise_initializer,
        bias_initializer=bias_initializer,
        depthwise_regularizer=depthwise_regularizer,
        pointwise_regularizer=pointwise_regularizer,
        bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer,
        depthwise_constraint=depthwise_constraint,
        pointwise_constraint=pointwise_constraint,
        bias_constraint=bias_constraint,
        trainable=trainable,
        name=name,
        _reuse=reuse,
        _scope=name,
    )
    return layer.apply(inputs)


def conv3d_transpose(
    inputs,
    filters,
    kernel_size,
    strides=(1, 1, 1),
    padding="valid",
    data_format="channels_last",
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
    """``tf.layers.conv3d_transpose``."""
    layer = Conv3DTranspose(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        data_format=data_format,
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
