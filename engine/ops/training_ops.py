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
from engine.framework import dtypes, ops, registry
from engine.ops import op_util
from engine.runtime import blas_threads

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
    "Ftrl": ("var", "accum", "linear", "grad", "lr", "l1", "l2", "lr_power"),
    "FtrlV2": ("var", "accum", "linear", "grad", "lr", "l1", "l2", "l2_shrinkage", "lr_power"),
    "ProximalGradientDescent": ("var", "alpha", "l1", "l2", "delta"),
    "ProximalAdagrad": ("var", "accum", "lr", "l1", "l2", "grad"),
    "AdagradDA": ("var", "gradient_accumulator", "gradient_squared_accumulator", "grad", "lr", "l1", "l2",
                  "global_step"),
}

# Inputs whose dtype is fixed rather than the variable's `T` (not checked against T's allowed list).
FIXED_DTYPE_INPUTS = {"global_step": "int64"}

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

    A large variable is updated in cache-sized blocks, spread over the threads of the cores left idle
    (`adam`); a small one in the calling thread, in whole-array passes: sharding the
    MLP's updates over threads lost time on the project's shared 2-core machine (bench/train_step.py).
    """
    adam(var.dtype, lr, beta1, beta2, epsilon, use_nesterov)(var, m, v, beta1_power, beta2_power, grad)
    return var


# Adam's blocks: 64Ki elements (256 KiB a float32 array; the update's six arrays stay in the 1 MiB L2 and
# the L3), for variables of 1Mi elements or more.  On deep MNIST's 3136x1024 fc weight one thread took
# 0.68x the time of whole-array passes (bench/cnn_step.py's model); on the MLP's 784x256 weight, whose
# arrays fit in the L3, blocking gained nothing.
_ADAM_BLOCK = 1 << 16
_ADAM_BLOCKED = 1 << 20


def adam(dtype, lr, beta1, beta2, epsilon, use_nesterov=False, grad_is_scratch=False):
    """`apply_adam` with its constant hyper-parameters bound, converted once to numpy scalars of the
    variables' `dtype`: returns ``update(var, m, v, beta1_power, beta2_power, grad)``.

    A plan binds this once (see ``ApplyAdam``'s `bind` in engine/ops/training_ops.py), so a step does
    the ufunc calls below -- the same ones, in the same order, as the update written by hand -- and
    little else: the scratch buffers are looked up again only when the variable's shape changes.  With
    `grad_is_scratch` (a gradient nothing reads afterwards), the gradient's buffer, once read, holds the
    second intermediate: one array less for the update to stream through the caches.

    A variable of `_ADAM_BLOCKED` elements or more (contiguous, with its slots and gradient) is updated
    `_ADAM_BLOCK` elements at a time: the twelve passes then stream one block through the cache instead
    of twelve times the whole arrays through memory, and the blocks go to the threads of the cores left
    idle (`blas_threads.map_chunks(uses_blas=False)`: on the quiet 2-core machine two threads updated
    deep MNIST's 3136x1024 fc weight, caches cold, in 0.73x the time of one).  Every element sees the
    same operations in the same order, so the values are those of the whole-array passes, bit for bit.
    """
    scalar = np.dtype(dtype).type
    lr, beta1, beta2, epsilon = (_scalar(h, dtype) for h in (lr, beta1, beta2, epsilon))
    one = scalar(1)
    c1, c2 = one - beta1, one - beta2
    mine = threading.local()  # per thread: the scratch of the last update (`t`, and `u` unless the gradient)
    blocks = []  # free (t, u) block scratch pairs for the blocked update's threads

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

    def take_block():
        try:
            return blocks.pop()
        except IndexError:
            return np.empty(_ADAM_BLOCK, dtype), np.empty(_ADAM_BLOCK, dtype)

    def blocked(var, m, v, grad, alpha):
        flat = [a.reshape(-1) for a in (var, m, v, grad)]

        def work(scratch, start, stop):
            var_, m_, v_, grad_ = (a[start:stop] for a in flat)
            t, u = (b[:stop - start] for b in scratch)
            step(var_, m_, v_, grad_, alpha, t, grad_ if grad_is_scratch else u)

        chunks = [(s, min(s + _ADAM_BLOCK, var.size)) for s in range(0, var.size, _ADAM_BLOCK)]
        blas_threads.map_chunks(work, chunks, take_block, blocks.append, uses_blas=False)

    def update(var, m, v, beta1_power, beta2_power, grad):
        # numpy scalars, not 0-d arrays: scalar arithmetic is a quarter of the cost
        alpha = lr * np.sqrt(one - scalar(beta2_power)) / (one - scalar(beta1_power))
        if var.size >= _ADAM_BLOCKED and var.dtype == m.dtype == v.dtype == grad.dtype == dtype and \
                var.shape == m.shape == v.shape == grad.shape and \
                all(a.flags.c_contiguous for a in (var, m, v, grad)):
            blocked(var, m, v, grad, alpha)
            return
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


def _ftrl(var, accum, linear, grad, lr, l1, l2, lr_power, l2_shrinkage=None, multiply_linear_by_lr=False):
    """TensorFlow's ApplyFtrl (and ApplyFtrlV2 with `l2_shrinkage`)::

        new_accum = accum + grad^2
        sigma = (new_accum^(-lr_power) - accum^(-lr_power)) / lr      # sqrt when lr_power is -0.5
        linear += g - sigma * var       # g = grad, or grad + 2 * l2_shrinkage * var for V2
        var = (clip(linear, -l1, l1) - linear) / (new_accum^(-lr_power) / lr + 2 * l2)
        accum = new_accum

    With `multiply_linear_by_lr` the linear slot holds lr times the above (TF's variant for lr 0 safety).
    """
    dt = var.dtype
    lr, l1, l2, lr_power = (_scalar(h, dt) for h in (lr, l1, l2, lr_power))
    new_accum = accum + grad * grad

    def power(a):
        return np.sqrt(a) if lr_power == dt.type(-0.5) else np.power(a, -lr_power)

    g = grad if l2_shrinkage is None else grad + dt.type(2) * _scalar(l2_shrinkage, dt) * var
    if multiply_linear_by_lr:
        linear += g * lr - (power(new_accum) - power(accum)) * var
        l1 = l1 * lr
        y = power(new_accum) + dt.type(2) * l2 * lr
    else:
        linear += g - (power(new_accum) - power(accum)) / lr * var
        y = power(new_accum) / lr + dt.type(2) * l2
    var[...] = (np.clip(linear, -l1, l1) - linear) / y
    accum[...] = new_accum
    return var


def np_apply_ftrl(var, accum, linear, grad, lr, l1, l2, lr_power, multiply_linear_by_lr=False):
    """TensorFlow's ApplyFtrl (see `_ftrl`)."""
    return _ftrl(var, accum, linear, grad, lr, l1, l2, lr_power, multiply_linear_by_lr=multiply_linear_by_lr)


def np_apply_ftrl_v2(var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power,
                     multiply_linear_by_lr=False):
    """TensorFlow's ApplyFtrlV2: FTRL with the shrinkage-type L2 added to the gradient (see `_ftrl`)."""
    return _ftrl(var, accum, linear, grad, lr, l1, l2, lr_power, l2_shrinkage, multiply_linear_by_lr)


def _proximal(prox_var, rate, l1, l2):
    """The proximal step of TF's proximal kernels, for a per-element or scalar `rate`::

        sign(prox_var) * max(|prox_var| - rate * l1, 0) / (1 + rate * l2)      # l1 > 0
        prox_var / (1 + rate * l2)                                              # otherwise
    """
    one = prox_var.dtype.type(1)
    if l1 > 0:
        shrunk = np.maximum(np.abs(prox_var) - rate * l1, prox_var.dtype.type(0))
        return np.sign(prox_var) * shrunk / (one + rate * l2)
    return prox_var / (one + rate * l2)


def np_apply_proximal_gradient_descent(var, alpha, l1, l2, delta):
    """TensorFlow's ApplyProximalGradientDescent: ``prox_var = var - alpha * delta``, then the proximal
    step (`_proximal`) with rate alpha."""
    dt = var.dtype
    alpha, l1, l2 = (_scalar(h, dt) for h in (alpha, l1, l2))
    var[...] = _proximal(var - delta * alpha, alpha, l1, l2)
    return var


def np_apply_proximal_adagrad(var, accum, lr, l1, l2, grad):
    """TensorFlow's ApplyProximalAdagrad: ``accum += grad^2``; ``rate = lr / sqrt(accum)``;
    ``prox_var = var - grad * rate``, then the proximal step (`_proximal`) with that rate."""
    dt = var.dtype
    lr, l1, l2 = (_scalar(h, dt) for h in (lr, l1, l2))
    accum += grad * grad
    rate = lr / np.sqrt(accum)
    var[...] = _proximal(var - grad * rate, rate, l1, l2)
    return var


def np_apply_adagrad_da(var, gradient_accumulator, gradient_squared_accumulator, grad, lr, l1, l2,
                        global_step):
    """TensorFlow's ApplyAdagradDA (dual averaging), with g the gradient sum and gg the squared sum::

        var = -lr * sign(g) * max(|g| - l1 * step, 0) / (l2 * step * lr + sqrt(gg))    # l1 > 0
        var = -lr * g / (l2 * step * lr + sqrt(gg))                                      # otherwise
    """
    dt = var.dtype
    lr, l1, l2 = (_scalar(h, dt) for h in (lr, l1, l2))
    step = _scalar(global_step, dt)
    gradient_accumulator += grad
    gradient_squared_accumulator += grad * grad
    denominator = l2 * step * lr + np.sqrt(gradient_squared_accumulator)
    g = gradient_accumulator
    if l1 > 0:
        numerator = np.sign(g) * np.maximum(np.abs(g) - l1 * step, dt.type(0))
    else:
        numerator = g
    var[...] = -lr * numerator / denominator
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


def typed_inputs(names):
    """Registry input specs: each input typed by the variable's attr ``T``, except the fixed-dtype ones."""
    return tuple(n if n in FIXED_DTYPE_INPUTS else f"{n}: T" for n in names)


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
                         inputs=typed_inputs(INPUT_NAMES[op_type.removeprefix("Apply")]),
                         allowed={"T": groups.NUMBER_TYPES})


_LOCK = {"use_locking": False}
_define("ApplyGradientDescent", 1, np_apply_gradient_descent, _LOCK)
_define("ApplyMomentum", 2, np_apply_momentum, {**_LOCK, "use_nesterov": False}, "use_nesterov")
_define("ApplyAdam", 3, np_apply_adam, {**_LOCK, "use_nesterov": False}, "use_nesterov", _bind_adam, (9,))
_define("ApplyRMSProp", 3, np_apply_rms_prop, _LOCK)
_define("ApplyCenteredRMSProp", 4, np_apply_centered_rms_prop, _LOCK)
_define("ApplyAdagrad", 2, np_apply_adagrad, {**_LOCK, "update_slots": True}, "update_slots")
_define("ApplyAdadelta", 3, np_apply_adadelta, _LOCK)
_FTRL_ATTRS = {**_LOCK, "multiply_linear_by_lr": False}
_define("ApplyFtrl", 3, np_apply_ftrl, _FTRL_ATTRS, "multiply_linear_by_lr")
_define("ApplyFtrlV2", 3, np_apply_ftrl_v2, _FTRL_ATTRS, "multiply_linear_by_lr")
_define("ApplyProximalGradientDescent", 1, np_apply_proximal_gradient_descent, _LOCK)
_define("ApplyProximalAdagrad", 2, np_apply_proximal_adagrad, _LOCK)
_define("ApplyAdagradDA", 3, np_apply_adagrad_da, _LOCK)


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
    names_all = INPUT_NAMES[op_type.removeprefix("Apply")]
    names = names_all[len(refs):]
    converted = []
    for value, arg in zip(values, names, strict=True):
        if arg in FIXED_DTYPE_INPUTS:  # TF's "Input 'global_step' ... does not match expected type of int64."
            fixed = dtypes.as_dtype(FIXED_DTYPE_INPUTS[arg])
            converted.append(op_util.convert_input(op_type, arg, value, fixed))
        elif isinstance(value, ops.Tensor):  # a Tensor of another dtype: TF's "Input 'grad' of ... Op" error
            converted.append(op_util.convert_input(op_type, arg, value, dtype, inferred_from=names_all[0]))
        else:
            converted.append(ops.convert_to_tensor(value, dtype=dtype))
    values = converted
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


def apply_ftrl(var, accum, linear, grad, lr, l1, l2, lr_power, use_locking=False, multiply_linear_by_lr=False,
               name=None):
    return _apply("ApplyFtrl", [var, accum, linear], [grad, lr, l1, l2, lr_power], use_locking, name,
                  multiply_linear_by_lr=multiply_linear_by_lr)


def apply_ftrl_v2(var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power, use_locking=False,
                  multiply_linear_by_lr=False, name=None):
    return _apply("ApplyFtrlV2", [var, accum, linear], [grad, lr, l1, l2, l2_shrinkage, lr_power],
                  use_locking, name, multiply_linear_by_lr=multiply_linear_by_lr)


def apply_proximal_gradient_descent(var, alpha, l1, l2, delta, use_locking=False, name=None):
    return _apply("ApplyProximalGradientDescent", [var], [alpha, l1, l2, delta], use_locking, name)


def apply_proximal_adagrad(var, accum, lr, l1, l2, grad, use_locking=False, name=None):
    return _apply("ApplyProximalAdagrad", [var, accum], [lr, l1, l2, grad], use_locking, name)


def apply_adagrad_da(var, gradient_accumulator, gradient_squared_accumulator, grad, lr, l1, l2, global_step,
                     use_locking=False, name=None):
    return _apply("ApplyAdagradDA", [var, gradient_accumulator, gradient_squared_accumulator],
                  [grad, lr, l1, l2, global_step], use_locking, name)
