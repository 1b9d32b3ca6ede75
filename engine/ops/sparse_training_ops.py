"""TensorFlow's ``SparseApply*`` training ops: an optimizer's update of only the rows of a variable (and
of its slots) that an IndexedSlices gradient names.

Each op takes the dense op's inputs (engine/ops/training_ops.py) with ``indices`` after ``grad``; `grad`
holds one row per index.  Rows not named keep their values: their slots do not decay, which is where a
sparse update differs from the dense one of the densified gradient.  TF's kernels walk the indices in
order, so a repeated index is updated twice (optimizers sum duplicates first, `Optimizer.
_apply_sparse_duplicate_indices`); here distinct indices are updated together, row blocks gathered,
updated by the row rule and written back, and a list with repeats row by row in TF's order.

The row rules are TF's sparse kernels'.  Where those are written differently from the dense kernels
(Momentum with Nesterov, RMSProp, centered RMSProp, Adadelta: ``ms * rho + g^2 * (1 - rho)`` where the
dense kernel has ``ms + (g^2 - ms) * (1 - rho)``) the rule is its own here; elsewhere the dense kernel's
rule applied to the rows is the sparse kernel's.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry
from engine.ops import op_util
from engine.ops import training_ops as k
from engine.ops.scatter_ops import check_row_indices

_scalar = k._scalar


def _momentum_rows(var, accum, lr, grad, momentum, use_nesterov=False):
    """``accum = accum * momentum + grad``; ``var -= lr * accum`` (Nesterov: ``var -= lr * grad +
    (lr * momentum) * accum``, TF's sparse kernel's grouping)."""
    dt = var.dtype
    lr, momentum = _scalar(lr, dt), _scalar(momentum, dt)
    accum *= momentum
    accum += grad
    if use_nesterov:
        var -= lr * grad + (lr * momentum) * accum
    else:
        var -= lr * accum
    return var


def _rms_prop_rows(var, ms, mom, lr, rho, momentum, epsilon, grad):
    """``ms = ms * rho + grad^2 * (1 - rho)``; ``mom = mom * momentum + lr * grad / sqrt(ms + eps)``;
    ``var -= mom``."""
    dt = var.dtype
    lr, rho, momentum, epsilon = (_scalar(h, dt) for h in (lr, rho, momentum, epsilon))
    ms[...] = ms * rho + grad * grad * (dt.type(1) - rho)
    mom[...] = mom * momentum + lr / np.sqrt(ms + epsilon) * grad
    var -= mom
    return var


def _centered_rms_prop_rows(var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
    """As `_rms_prop_rows` with ``mg = mg * rho + grad * (1 - rho)`` and the denominator
    ``sqrt(ms + eps - mg^2)``."""
    dt = var.dtype
    lr, rho, momentum, epsilon = (_scalar(h, dt) for h in (lr, rho, momentum, epsilon))
    one_minus_rho = dt.type(1) - rho
    ms[...] = ms * rho + grad * grad * one_minus_rho
    mg[...] = mg * rho + grad * one_minus_rho
    denom = (ms + epsilon) - mg * mg
    mom[...] = mom * momentum + lr / np.sqrt(denom) * grad
    var -= mom
    return var


def _adadelta_rows(var, accum, accum_update, lr, rho, epsilon, grad):
    """``accum = accum * rho + grad^2 * (1 - rho)``; ``update = sqrt(accum_update + eps) /
    sqrt(accum + eps) * grad``; ``var -= update * lr``; ``accum_update = accum_update * rho + update^2 *
    (1 - rho)``."""
    dt = var.dtype
    lr, rho, epsilon = (_scalar(h, dt) for h in (lr, rho, epsilon))
    one_minus_rho = dt.type(1) - rho
    accum[...] = accum * rho + grad * grad * one_minus_rho
    update = np.sqrt(accum_update + epsilon) / np.sqrt(accum + epsilon) * grad
    var -= update * lr
    accum_update[...] = accum_update * rho + update * update * one_minus_rho
    return var


def _adagrad_rows(var, accum, lr, grad, update_slots=True):
    """``accum += grad^2``; ``var -= lr * grad / sqrt(accum)``."""
    if update_slots:
        accum += grad * grad
    var -= _scalar(lr, var.dtype) * grad / np.sqrt(accum)
    return var


def _sparse_kernel(n_refs, row_fn, grad_at, kwargs):
    """The kernel of a SparseApply op: inputs in the op's order, `grad_at` the index of `grad` among the
    inputs after the variables (`indices` follows it)."""

    def kernel(*inputs):
        cells = inputs[:n_refs]
        arrays = [c.read() for c in cells]
        rest = list(inputs[n_refs:])
        indices = np.asarray(rest.pop(grad_at + 1))
        grad = np.asarray(rest[grad_at])
        var = arrays[0]
        if indices.ndim != 1:
            raise errors.InvalidArgumentError(None, None, "indices must be one-dimensional")
        if grad.ndim == 0 or grad.shape[0] != indices.shape[0]:
            raise errors.InvalidArgumentError(
                None, None, "grad must be the same size as indices in the first dimension.")
        if grad.shape[1:] != var.shape[1:]:
            raise errors.InvalidArgumentError(
                None, None, "var and grad do not have the same shape"
                f"[{','.join(map(str, var.shape))}] [{','.join(map(str, grad.shape))}]")
        check_row_indices(indices, var.shape[0])
        if np.unique(indices).size == indices.size:
            rows = [a[indices] for a in arrays]
            rest[grad_at] = grad
            row_fn(*rows, *rest, **kwargs)
            for a, r in zip(arrays, rows, strict=True):
                a[indices] = r
        else:
            for i, index in enumerate(indices):
                rest[grad_at] = grad[i : i + 1]
                row_fn(*(a[index : index + 1] for a in arrays), *rest, **kwargs)
        return cells[0]

    return kernel


_KERNELS = {}  # op type -> function(op) giving its kernel
_INPUT_NAMES = {}  # op type -> TF's input names
N_VARS = {}  # op type -> how many of its inputs are variables


def input_names(op_type):
    """TF's input names of a SparseApply op: the dense op's, ``indices`` after ``grad``."""
    return _INPUT_NAMES[op_type]


def kernel_for(op_type):
    """A function of the op giving the kernel of `op_type` (also what ResourceSparseApply* run)."""
    return _KERNELS[op_type]


def _define(op_type, n_refs, row_fn, flag=None):
    dense = op_type.removeprefix("SparseApply")
    names = ["grad" if n == "delta" else n for n in k.INPUT_NAMES[dense]]
    grad_at = names.index("grad") - n_refs
    names.insert(names.index("grad") + 1, "indices")
    attrs = {"use_locking": False}
    if flag is not None:
        attrs[flag] = flag == "update_slots"

    def compile_(op, runtime=None):
        kwargs = {flag: bool(op.get_attr(flag))} if flag else {}
        return _sparse_kernel(n_refs, row_fn, grad_at, kwargs)

    _KERNELS[op_type], _INPUT_NAMES[op_type], N_VARS[op_type] = compile_, names, n_refs
    inputs = tuple("indices: Tindices" if n == "indices" else spec
                   for n, spec in zip(names, k.typed_inputs(names), strict=True))
    registry.register_op(op_type, infer=k._var_infer, compile=compile_, ref_inputs=tuple(range(n_refs)),
                         ref_output=True, stateful=True, attrs=attrs, inputs=inputs,
                         allowed={"T": groups.NUMBER_TYPES, "Tindices": groups.INDEX_TYPES})


_define("SparseApplyMomentum", 2, _momentum_rows, "use_nesterov")
_define("SparseApplyAdagrad", 2, _adagrad_rows, "update_slots")
_define("SparseApplyRMSProp", 3, _rms_prop_rows)
_define("SparseApplyCenteredRMSProp", 4, _centered_rms_prop_rows)
_define("SparseApplyAdadelta", 3, _adadelta_rows)
_define("SparseApplyFtrl", 3, k.np_apply_ftrl, "multiply_linear_by_lr")
_define("SparseApplyFtrlV2", 3, k.np_apply_ftrl_v2, "multiply_linear_by_lr")
_define("SparseApplyProximalGradientDescent", 1, k.np_apply_proximal_gradient_descent)
_define("SparseApplyProximalAdagrad", 2, k.np_apply_proximal_adagrad)
_define("SparseApplyAdagradDA", 3, k.np_apply_adagrad_da)


def sparse_apply(op_type, refs, values, use_locking=False, name=None, **flags):
    """A SparseApply op: `refs` the variable and its slots, `values` the other inputs in TF's order
    (hyper-parameters cast to the variable's dtype by the caller, as TF's optimizers do)."""
    refs = [k._ref(r) for r in refs]
    dtype = refs[0].dtype.base_dtype
    names = _INPUT_NAMES[op_type][len(refs):]
    converted = []
    for value, arg in zip(values, names, strict=True):
        if arg == "indices":
            converted.append(ops.convert_to_tensor(value, name="indices"))
        elif arg in k.FIXED_DTYPE_INPUTS:
            fixed = dtypes.as_dtype(k.FIXED_DTYPE_INPUTS[arg])
            converted.append(op_util.convert_input(op_type, arg, value, fixed))
        elif isinstance(value, ops.Tensor):  # another dtype: TF's "Input 'grad' of ... Op" error
            converted.append(op_util.convert_input(op_type, arg, value, dtype, inferred_from="var"))
        else:
            converted.append(ops.convert_to_tensor(value, dtype=dtype))
    attrs = {"T": dtype, "Tindices": converted[names.index("indices")].dtype.base_dtype,
             "use_locking": bool(use_locking), **{key: bool(v) for key, v in flags.items()}}
    return op_util.make_tensor(op_type, refs + converted, name=name or op_type, attrs=attrs)
