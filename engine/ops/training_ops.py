"""TensorFlow's ``Apply*`` training ops (what ``gen_training_ops`` offers in TF 1.x).

Each op takes the variable (and its slot variables) by reference, updates them in place with the
numpy kernels of `engine.ops.training_kernels`, and outputs the variable reference, as TF's ops do.
Optimizers (engine/train/) create these ops; their op types appear in the GraphDef.
"""

from __future__ import annotations

from engine.framework import dtype_groups as groups
from engine.framework import ops, registry
from engine.ops import op_util
from engine.ops import training_kernels as k


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
    update = k.adam(dtype, *(known[i] for i in hyper), use_nesterov=bool(op.get_attr("use_nesterov")),
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
                         inputs=tuple(f"{n}: T" for n in k.INPUT_NAMES[op_type.removeprefix("Apply")]),
                         allowed={"T": groups.NUMBER_TYPES})


_LOCK = {"use_locking": False}
_define("ApplyGradientDescent", 1, k.apply_gradient_descent, _LOCK)
_define("ApplyMomentum", 2, k.apply_momentum, {**_LOCK, "use_nesterov": False}, "use_nesterov")
_define("ApplyAdam", 3, k.apply_adam, {**_LOCK, "use_nesterov": False}, "use_nesterov", _bind_adam, (9,))
_define("ApplyRMSProp", 3, k.apply_rms_prop, _LOCK)
_define("ApplyCenteredRMSProp", 4, k.apply_centered_rms_prop, _LOCK)
_define("ApplyAdagrad", 2, k.apply_adagrad, {**_LOCK, "update_slots": True}, "update_slots")
_define("ApplyAdadelta", 3, k.apply_adadelta, _LOCK)

for _op_type in ("ApplyGradientDescent", "ApplyMomentum", "ApplyAdam", "ApplyRMSProp", "ApplyCenteredRMSProp",
                 "ApplyAdagrad", "ApplyAdadelta"):
    registry.register_not_differentiable(_op_type)


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
