"""Learning-rate schedules of TF 1.x (``tf.train.exponential_decay`` ...): graph ops of the global step."""

from __future__ import annotations

from engine.framework import ops
from engine.ops import array_ops, math_ops


def _require_step(global_step, fn):
    if global_step is None:
        raise ValueError(f"global_step is required for {fn}.")


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """``learning_rate * decay_rate ^ (global_step / decay_steps)`` (integer division when staircase)."""
    _require_step(global_step, "exponential_decay")
    inputs = [learning_rate, global_step, decay_steps, decay_rate]
    with ops.name_scope(name, "ExponentialDecay", inputs) as name:
        lr = ops.convert_to_tensor(learning_rate, name="learning_rate")
        dtype = lr.dtype.base_dtype
        step = array_ops.cast(global_step, dtype)
        decay_steps = array_ops.cast(decay_steps, dtype)
        decay_rate = array_ops.cast(decay_rate, dtype)
        p = math_ops.truediv(step, decay_steps)
        if staircase:
            p = math_ops.floor(p)
        return math_ops.multiply(lr, math_ops.pow(decay_rate, p), name=name)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """``learning_rate / (1 + decay_rate * global_step / decay_steps)``."""
    _require_step(global_step, "inverse_time_decay")
    with ops.name_scope(name, "InverseTimeDecay", [learning_rate, global_step, decay_rate]) as name:
        lr = ops.convert_to_tensor(learning_rate, name="learning_rate")
        dtype = lr.dtype.base_dtype
        p = math_ops.truediv(array_ops.cast(global_step, dtype), array_ops.cast(decay_steps, dtype))
        if staircase:
            p = math_ops.floor(p)
        denom = math_ops.add(1.0, math_ops.multiply(array_ops.cast(decay_rate, dtype), p))
        return math_ops.truediv(lr, denom, name=name)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """``learning_rate * exp(-decay_rate * global_step / decay_steps)``."""
    _require_step(global_step, "natural_exp_decay")
    with ops.name_scope(name, "NaturalExpDecay", [learning_rate, global_step, decay_rate]) as name:
        lr = ops.convert_to_tensor(learning_rate, name="learning_rate")
        dtype = lr.dtype.base_dtype
        p = math_ops.truediv(array_ops.cast(global_step, dtype), array_ops.cast(decay_steps, dtype))
        if staircase:
            p = math_ops.floor(p)
        exponent = math_ops.exp(math_ops.multiply(math_ops.negative(array_ops.cast(decay_rate, dtype)), p))
        return math_ops.multiply(lr, exponent, name=name)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001, power=1.0,
                     cycle=False, name=None):
    """``(lr - end) * (1 - min(step, decay_steps) / decay_steps) ^ power + end``; with `cycle` the horizon
    grows to the next multiple of `decay_steps`."""
    _require_step(global_step, "polynomial_decay")
    with ops.name_scope(name, "PolynomialDecay",
                        [learning_rate, global_step, decay_steps, end_learning_rate, power]) as name:
        lr = ops.convert_to_tensor(learning_rate, name="learning_rate")
        dtype = lr.dtype.base_dtype
        end_lr = array_ops.cast(end_learning_rate, dtype)
        power = array_ops.cast(power, dtype)
        step = array_ops.cast(global_step, dtype)
        steps = array_ops.cast(decay_steps, dtype)
        if cycle:
            multiplier = array_ops.where(math_ops.equal(step, 0.0), array_ops.ones_like(step),
                                         math_ops.ceil(math_ops.truediv(step, steps)))
            steps = math_ops.multiply(steps, multiplier)
        else:
            step = math_ops.minimum(step, steps)
        frac = math_ops.subtract(1.0, math_ops.truediv(step, steps))
        decayed = math_ops.multiply(math_ops.subtract(lr, end_lr), math_ops.pow(frac, power))
        return math_ops.add(decayed, end_lr, name=name)


def piecewise_constant(x, boundaries, values, name=None):
    """``values[0]`` for ``x <= boundaries[0]``, ``values[i]`` for ``boundaries[i-1] < x <= boundaries[i]``,
    ``values[-1]`` beyond the last boundary."""
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with ops.name_scope(name, "PiecewiseConstant", [x, boundaries, values]) as name:
        x = ops.convert_to_tensor(x)
        vals = [ops.convert_to_tensor(v) for v in values]
        dtype = vals[0].dtype.base_dtype
        for v in vals[1:]:
            if v.dtype.base_dtype != dtype:
                raise ValueError(f"Values must have elements all with the same dtype ({dtype} vs {v.dtype}).")
        bounds = [ops.convert_to_tensor(b, dtype=x.dtype.base_dtype) if isinstance(b, (int, float))
                  else array_ops.cast(b, x.dtype.base_dtype) for b in boundaries]
        result = vals[-1]
        for b, v in reversed(list(zip(bounds, vals[:-1], strict=True))):
            result = array_ops.where(math_ops.less_equal(x, b), v, result)
        return array_ops.identity(result, name=name)


# TF 1.x exports piecewise_constant under both names.
piecewise_constant_decay = piecewise_constant
