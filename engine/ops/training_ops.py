"""TensorFlow's ``Apply*`` training ops (what ``gen_training_ops`` offers in TF 1.x): kernels,
registrations and wrappers.

Each op takes the variable (and its slot variables) by reference, updates them in place and outputs the
variable reference, as TF's ops do.  Optimizers (engine/train/) create these ops; their op types appear
in the GraphDef.  TensorFlow defines no gradient for them, so neither do we (`tf.gradients` through one
raises TF's LookupError).

The numpy kernels (``np_apply_*``) follow the update rules of TensorFlow's ``training_ops``.
Hyper-parameters arrive as numpy scalars of the variable's dtype, so the arithmetic stays in that dtype
exactly as TensorFlow's kernels do.  They write intermediates into one scratch buffer per (shape,
dtype) and thread instead of allocating: for a 784x256 float32 variable a fresh temporary costs page
faults on every step, which measurably slows training (see ``bench/train_step.py``).
"""

from __future__ import annotations

import threading

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import ops, registry
from engine.ops import op_util

# --- numpy kernels -----------------------------------------------------------------------------------

# TF's input names of each ``Apply*`` / ``ResourceApply*`` op (after "Apply"), variables first.
INPUT_NAMES = {
    "GradientDescent": ("var", "alpha", "delta"),
    "Momentum": ("var", "accum", "lr", "grad", "momentum"),
    "Adam": ("var", "m", "v", "beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon", "grad"),
    "RMSProp": ("var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad"),
    "CenteredRMSProp": ("var", "mg", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad"),
    "Adagrad": ("var", "accum", "lr", "grad"),
    "Adadelta": ("var", "accum", "accum_update", "lr", "rho", "epsilon", "grad"),
}

_local = threading.local()


def scratch(like: np.ndarray, slot: int = 0) -> np.ndarray:
    """A reusable buffer shaped like ``like`` (per thread; ``slot`` tells concurrent users apart)."""
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    key = (like.shape, like.dtype.str, slot)
    buf = cache.get(key)
    if buf is None:
        buf = cache[key] = np.empty(like.shape, like.dtype)
    return buf


def _scalar(value, dtype) -> np.generic:
    return np.asarray(value, dtype=dtype)[()]


def np_apply_gradient_descent(var, alpha, delta):
    """``var -= alpha * delta``."""
    t = np.multiply(delta, _scalar(alpha, var.dtype), out=scratch(var))
    var -= t
    return var


def np_apply_momentum(var, accum, lr, grad, momentum, use_nesterov=False):
    """``accum = accum * momentum + grad``; ``var -= lr * accum`` (Nesterov:
    ``var -= grad * lr + accum * momentum * lr``)."""
    dt = var.dtype
    lr = _scalar(lr, dt)
    momentum = _scalar(momentum, dt)
    accum *= momentum
    accum += grad
    t = scratch(var)
    if use_nesterov:
        np.multiply(grad, lr, out=t)
        var -= t
        np.multiply(accum, momentum * lr, out=t)
        var -= t
    else:
        np.multiply(accum, lr, out=t)
        var -= t
    return var


def np_apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, use_nesterov=False):
    """TensorFlow's ApplyAdam::

        lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power)
        m += (grad - m) * (1 - beta1)
        v += (grad * grad - v) * (1 - beta2)
        var -= lr_t * m / (sqrt(v) + epsilon)          # Nesterov: m -> grad*(1-beta1) + beta1*m

    The update runs in the calling thread: sharding it over threads, as TF's Eigen kernel does, lost
    time on the project's shared 2-core machine (bench/train_step.py measured it; it was removed).
    """
    adam(var.dtype, lr, beta1, beta2, epsilon, use_nesterov)(var, m, v, beta1_power, beta2_power, grad)
    return var


def adam(dtype, lr, beta1, beta2, epsilon, use_nesterov=False, grad_is_scratch=False):
    """`apply_adam` with its constant hyper-parameters bound, converted once to numpy scalars of the
    variables' `dtype`: returns ``update(var, m, v, beta1_power, beta2_power, grad)``.

    A plan binds this once (see ``ApplyAdam``'s `bind` in engine/ops/training_ops.py), so a step does
    the ufunc calls below -- the same ones, in the same order, as the update written by hand -- and
    little else: the scratch buffers are looked up again only when the variable's shape changes.  With
    `grad_is_scratch` (a gradient nothing reads afterwards), the gradient's buffer, once read, holds the
    second intermediate: one array less for the update to stream through the caches.
    """
    scalar = np.dtype(dtype).type
    lr, beta1, beta2, epsilon = (_scalar(h, dtype) for h in (lr, beta1, beta2, epsilon))
    one = scalar(1)
    c1, c2 = one - beta1, one - beta2
    mine = threading.local()  # per thread: the scratch of the last update (`t`, and `u` unless the gradient)

    def step(var, m, v, grad, alpha, t, u):
        np.subtract(grad, m, out=t)
        t *= c1
        m += t
        np.multiply(grad, grad, out=t)
        t -= v
        t *= c2
        v += t
        if use_nesterov:
            np.multiply(grad, c1, out=u)
            np.multiply(m, beta1, out=t)
            u += t
            u *= alpha
        else:
            np.multiply(m, alpha, out=u)
        np.sqrt(v, out=t)
        t += epsilon
        u /= t
        var -= u

    def update(var, m, v, beta1_power, beta2_power, grad):
        # numpy scalars, not 0-d arrays: scalar arithmetic is a quarter of the cost
        alpha = lr * np.sqrt(one - scalar(beta2_power)) / (one - scalar(beta1_power))
        t = getattr(mine, "t", None)
        if t is None or t.shape != var.shape or t.dtype != var.dtype:
            mine.t, mine.u = scratch(var), None if grad_is_scratch else scratch(var, 1)
        step(var, m, v, grad, alpha, mine.t, grad if grad_is_scratch else mine.u)

    return update


def np_apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad):
    """``ms += (grad^2 - ms) * (1 - rho)``; ``mom = mom * momentum + lr * grad / sqrt(ms + epsilon)``;
    ``var -= mom``."""
    dt = var.dtype
    one = dt.type(1)
    t = scratch(var)
    np.multiply(grad, grad, out=t)
    t -= ms
    t *= one - _scalar(rho, dt)
    ms += t
    np.add(ms, _scalar(epsilon, dt), out=t)
    np.sqrt(t, out=t)
    np.divide(grad, t, out=t)
    t *= _scalar(lr, dt)
    mom *= _scalar(momentum, dt)
    mom += t
    var -= mom
    return var


def np_apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
    """Centered RMSProp: like :func:`apply_rms_prop` with the denominator
    ``sqrt(ms - mg^2 + epsilon)`` where ``mg += (grad - mg) * (1 - rho)``."""
    dt = var.dtype
    one_minus_rho = dt.type(1) - _scalar(rho, dt)
    t = scratch(var)
    np.multiply(grad, grad, out=t)
    t -= ms
    t *= one_minus_rho
    ms += t
    np.subtract(grad, mg, out=t)
    t *= one_minus_rho
    mg += t
    np.multiply(mg, mg, out=t)
    np.subtract(ms, t, out=t)
    t += _scalar(epsilon, dt)
    np.sqrt(t, out=t)
    np.divide(grad, t, out=t)
    t *= _scalar(lr, dt)
    mom *= _scalar(momentum, dt)
    mom += t
    var -= mom
    return var


def np_apply_adagrad(var, accum, lr, grad, update_slots=True):
    """``accum += grad^2``; ``var -= lr * grad / sqrt(accum)``."""
    t = scratch(var)
    if update_slots:
        np.multiply(grad, grad, out=t)
        accum += t
    np.sqrt(accum, out=t)
    np.divide(grad, t, out=t)
    t *= _scalar(lr, var.dtype)
    var -= t
    return var


def np_apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad):
    """TensorFlow's ApplyAdadelta::

        accum = rho * accum + (1 - rho) * grad^2
        update = sqrt(accum_update + epsilon) / sqrt(accum + epsilon) * grad
        accum_update = rho * accum_update + (1 - rho) * update^2
        var -= lr * update
    """
    dt = var.dtype
    rho = _scalar(rho, dt)
    one_minus_rho = dt.type(1) - rho
    eps = _scalar(epsilon, dt)
    t = scratch(var)
    u = scratch(var, 1)
    accum *= rho
    np.multiply(grad, grad, out=t)
    t *= one_minus_rho
    accum += t
    np.add(accum_update, eps, out=u)
    np.sqrt(u, out=u)
    np.add(accum, eps, out=t)
    np.sqrt(t, out=t)
    u /= t
    u *= grad
    accum_update *= rho
    np.multiply(u, u, out=t)
    t *= one_minus_rho
    accum_update += t
    u *= _scalar(lr, dt)
    var -= u
    return var


# --- op definitions --------------------------------------------------------------------------------


def _var_infer(op):
    var = op.inputs[0]
    return [(var.dtype, var.shape)]


def _read(cell):
    return cell.read()


def _bind_adam(op, runtime, known, donated):
    """ApplyAdam whose lr, beta1, beta2 and epsilon are constants (as the optimizer builds it): they are
    converted once, when the plan is built, and the kernel takes (var, m, v, beta1_power, beta2_power,
    grad).  A donated gradient (input 9, registry `forward`) doubles as scratch."""
    hyper = (5, 6, 7, 8)
    if not all(i in known for i in hyper):
        return None
    dtype = op._inputs[0].dtype.base_dtype.as_numpy_dtype
    update = adam(dtype, *(known[i] for i in hyper), use_nesterov=bool(op.get_attr("use_nesterov")),
                    grad_is_scratch=donated == 9)

    def kernel(var, m, v, beta1_power, beta2_power, grad):
        update(var.read(), m.read(), v.read(), beta1_power, beta2_power, grad)
        return var

    return kernel


def _define(op_type, n_refs, fn, attrs, flag=None, bind=None, forward=()):
    """Registers `op_type`: the first `n_refs` inputs are variables, `fn(*arrays, **flag)` updates them.
    `flag` names a bool attr passed on to `fn` as a keyword (``use_nesterov`` / ``update_slots``)."""

    def compile_(op, runtime):
        kwargs = {flag: bool(op.get_attr(flag))} if flag else {}

        def kernel(*inputs):
            cells = inputs[:n_refs]
            fn(*(_read(c) for c in cells), *inputs[n_refs:], **kwargs)
            return cells[0]

        return kernel

    registry.register_op(op_type, infer=_var_infer, compile=compile_, bind=bind, forward=forward,
                         ref_inputs=tuple(range(n_refs)), ref_output=True, stateful=True, attrs=attrs,
                         inputs=tuple(f"{n}: T" for n in INPUT_NAMES[op_type.removeprefix("Apply")]),
                         allowed={"T": groups.NUMBER_TYPES})


_LOCK = {"use_locking": False}
_define("ApplyGradientDescent", 1, np_apply_gradient_descent, _LOCK)
_define("ApplyMomentum", 2, np_apply_momentum, {**_LOCK, "use_nesterov": False}, "use_nesterov")
_define("ApplyAdam", 3, np_apply_adam, {**_LOCK, "use_nesterov": False}, "use_nesterov", _bind_adam, (9,))
_define("ApplyRMSProp", 3, np_apply_rms_prop, _LOCK)
_define("ApplyCenteredRMSProp", 4, np_apply_centered_rms_prop, _LOCK)
_define("ApplyAdagrad", 2, np_apply_adagrad, {**_LOCK, "update_slots": True}, "update_slots")
_define("ApplyAdadelta", 3, np_apply_adadelta, _LOCK)


# --- Python wrappers (TF's gen_training_ops) ---------------------------------------------------------


def _ref(v):
    """The reference tensor of a variable (``VariableV2`` output) or a ref Tensor as given."""
    if isinstance(v, ops.Tensor):
        return v
    if hasattr(v, "_ref"):
        return v._ref()
    return ops.convert_to_tensor(v, as_ref=True)


def _apply(op_type, refs, values, use_locking, name, **flags):
    refs = [_ref(r) for r in refs]
    dtype = refs[0].dtype.base_dtype
    values = [ops.convert_to_tensor(v, dtype=dtype) for v in values]
    attrs = {"T": dtype, "use_locking": bool(use_locking), **{k: bool(v) for k, v in flags.items()}}
    return op_util.make_tensor(op_type, refs + values, name=name or op_type, attrs=attrs)


def apply_gradient_descent(var, alpha, delta, use_locking=False, name=None):
    return _apply("ApplyGradientDescent", [var], [alpha, delta], use_locking, name)


def apply_momentum(var, accum, lr, grad, momentum, use_locking=False, use_nesterov=False, name=None):
    return _apply("ApplyMomentum", [var, accum], [lr, grad, momentum], use_locking, name,
                  use_nesterov=use_nesterov)


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, use_locking=False,
               use_nesterov=False, name=None):
    return _apply("ApplyAdam", [var, m, v], [beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad],
                  use_locking, name, use_nesterov=use_nesterov)


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False, name=None):
    return _apply("ApplyRMSProp", [var, ms, mom], [lr, rho, momentum, epsilon, grad], use_locking, name)


def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False, name=None):
    return _apply("ApplyCenteredRMSProp", [var, mg, ms, mom], [lr, rho, momentum, epsilon, grad], use_locking,
                  name)


def apply_adagrad(var, accum, lr, grad, use_locking=False, update_slots=True, name=None):
    return _apply("ApplyAdagrad", [var, accum], [lr, grad], use_locking, name, update_slots=update_slots)


def apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, use_locking=False, name=None):
    return _apply("ApplyAdadelta", [var, accum, accum_update], [lr, rho, epsilon, grad], use_locking, name)
