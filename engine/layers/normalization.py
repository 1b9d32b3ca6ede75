"""`tf.layers.BatchNormalization` / `tf.layers.batch_normalization`: batch statistics when training, moving
statistics otherwise; the moving-average updates go into UPDATE_OPS (run them with the train op)."""

from __future__ import annotations

from engine.framework import ops
from engine.framework.tensor_shape import TensorShape
from engine.layers import utils
from engine.layers.base import Layer
from engine.ops import array_ops, init_ops, math_ops, nn_impl, state_ops

# TF's default initializers, shared (they hold no state).
_ZEROS = init_ops.zeros_initializer()
_ONES = init_ops.ones_initializer()


class BatchNormalization(Layer):
    """Variables `gamma`, `beta` (trainable), `moving_mean`, `moving_variance` (not), in TF's order.

    Deviation: TF runs a FusedBatchNormV3 op for 4-D inputs (`fused=None` or True); the engine always builds
    the moments / batchnorm ops of TF's non-fused path, with the fused path's values: the moving variance
    then moves towards the batch variance with Bessel's correction (n / (n - 1)), as FusedBatchNormV3's does.
    """

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer=_ZEROS,
        gamma_initializer=_ONES,
        moving_mean_initializer=_ZEROS,
        moving_variance_initializer=_ONES,
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        renorm=False,
        renorm_clipping=None,
        renorm_momentum=0.99,
        fused=None,
        trainable=True,
        virtual_batch_size=None,
        adjustment=None,
        name=None,
        **kwargs,
    ):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise ValueError(
                "BatchNormalization: renorm, virtual_batch_size and adjustment are not supported by the "
                "engine."
            )
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = beta_initializer
        self.gamma_initializer = gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.fused = fused
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims is None:
            raise ValueError(f"Input has undefined rank. Received: input_shape={input_shape}.")
        ndims = input_shape.ndims
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        axes = [a + ndims if a < 0 else a for a in axes]
        for a in axes:
            if a < 0 or a >= ndims:
                raise ValueError(f"Invalid axis: {self.axis}")
        if len(axes) != 1:
            raise ValueError(
                f"BatchNormalization over several axes ({self.axis}) is not supported by the engine."
            )
        self._axis = axes[0]
        param_dim = input_shape.dims[self._axis].value
        if param_dim is None:
            raise ValueError(
                "Input has undefined `axis` dimension. "
                f"Received input with shape {input_shape} and axis={self.axis}"
            )
        # TF's choice of FusedBatchNormV3: 4-D input normalised over its channel axis (NHWC or NCHW).
        self._fused = self.fused is not False and ndims == 4 and self._axis in (1, 3)
        param_shape = [param_dim]
        if self.scale:
            self.gamma = self.add_weight(
                "gamma",
                shape=param_shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                trainable=True,
            )
        if self.center:
            self.beta = self.add_weight(
                "beta",
                shape=param_shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                trainable=True,
            )
        self.moving_mean = self.add_weight(
            "moving_mean", shape=param_shape, initializer=self.moving_mean_initializer, trainable=False
        )
        self.moving_variance = self.add_weight(
            "moving_variance",
            shape=param_shape,
            initializer=self.moving_variance_initializer,
            trainable=False,
        )
        self.built = True

    def _assign_moving_average(self, variable, value, momentum):
        with ops.name_scope(None, "AssignMovingAvg", [variable, value, momentum]) as scope:
            decay = (
                ops.convert_to_tensor(1.0 - momentum, name="decay")
                if not isinstance(momentum, ops.Tensor)
                else math_ops.subtract(1.0, momentum)
            )
            decay = array_ops.cast(decay, variable.dtype.base_dtype)
            update_delta = (variable - array_ops.cast(value, variable.dtype.base_dtype)) * decay
            return state_ops.assign_sub(variable, update_delta, name=scope)

    def call(self, inputs, training=False):
        inputs = ops.convert_to_tensor(inputs)
        ndims = inputs.shape.ndims
        reduction_axes = [i for i in range(ndims) if i != self._axis]
        broadcast = self._axis != ndims - 1

        def reshaped(t):
            # Parameters of a non-last axis (NCHW) broadcast as [1, C, 1, 1].
            if t is None or not broadcast:
                return t
            shape = [1] * ndims
            shape[self._axis] = inputs.shape.dims[self._axis].value
            return array_ops.reshape(t, shape)

        training_is_false = training is False or (not isinstance(training, ops.Tensor) and not training)
        if training_is_false:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            batch_mean, batch_variance = nn_impl.moments(inputs, reduction_axes, keep_dims=False)
            mean = utils.smart_cond(
                training, lambda: batch_mean, lambda: array_ops.identity(self.moving_mean)
            )
            variance = utils.smart_cond(
                training, lambda: batch_variance, lambda: array_ops.identity(self.moving_variance)
            )
            moving_variance_target = batch_variance
            if self._fused:
                moving_variance_target = batch_variance * self._bessel_factor(inputs, reduction_axes)
            momentum = (
                utils.smart_cond(training, lambda: self.momentum, lambda: 1.0)
                if isinstance(training, ops.Tensor)
                else self.momentum
            )
            if isinstance(momentum, ops.Tensor):
                momentum = array_ops.cast(momentum, self.moving_mean.dtype.base_dtype)
            mean_update = self._assign_moving_average(self.moving_mean, batch_mean, momentum)
            variance_update = self._assign_moving_average(
                self.moving_variance, moving_variance_target, momentum
            )
            self.add_update(
                [
                    mean_update.op if isinstance(mean_update, ops.Tensor) else mean_update,
                    variance_update.op if isinstance(variance_update, ops.Tensor) else variance_update,
                ]
            )
        outputs = nn_impl.batch_normalization(
            inputs,
            reshaped(mean),
            reshaped(variance),
            reshaped(self.beta),
            reshaped(self.gamma),
            self.epsilon,
        )
        outputs.set_shape(inputs.shape)
        return outputs

    def _bessel_factor(self, inputs, reduction_axes):
        """n / (n - 1) for the n values each channel's batch variance is taken over (run-time shape)."""
        with ops.name_scope(None, "bessel_correction"):
            dims = inputs.shape.as_list()
            known = [dims[a] for a in reduction_axes]
            if None not in known:
                n = 1
                for d in known:
                    n *= d
                return ops.convert_to_tensor(n / max(n - 1, 1), dtype=inputs.dtype.base_dtype)
            shape = array_ops.cast(array_ops.shape_v1(inputs), inputs.dtype.base_dtype)
            n = math_ops.reduce_prod(array_ops.gather(shape, reduction_axes))
            return n / math_ops.maximum(n - 1.0, 1.0)


def batch_normalization(
    inputs,
    axis=-1,
    momentum=0.99,
    epsilon=1e-3,
    center=True,
    scale=True,
    beta_initializer=_ZEROS,
    gamma_initializer=_ONES,
    moving_mean_initializer=_ZEROS,
    moving_variance_initializer=_ONES,
    beta_regularizer=None,
    gamma_regularizer=None,
    beta_constraint=None,
    gamma_constraint=None,
    training=False,
    trainable=True,
    name=None,
    reuse=None,
    renorm=False,
    renorm_clipping=None,
    renorm_momentum=0.99,
    fused=None,
    virtual_batch_size=None,
    adjustment=None,
):
    """``tf.layers.batch_normalization``; run `tf.get_collection(tf.GraphKeys.UPDATE_OPS)` with the train
    op."""
    layer = BatchNormalization(
        axis=axis,
        momentum=momentum,
        epsilon=epsilon,
        center=center,
        scale=scale,
        beta_initializer=beta_initializer,
        gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer,
        gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint,
        gamma_constraint=gamma_constraint,
        renorm=renorm,
        renorm_clipping=renorm_clipping,
        renorm_momentum=renorm_momentum,
        fused=fused,
        trainable=trainable,
        virtual_batch_size=virtual_batch_size,
        adjustment=adjustment,
        name=name,
        _reuse=reuse,
        _scope=name,
    )
    return layer.apply(inputs, training=training)
