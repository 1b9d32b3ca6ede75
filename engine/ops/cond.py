"""`tf.cond` and `tf.case` in TF1's graph form, and the gradients of Switch and Merge built by a cond.

``tf.cond(pred, true_fn, false_fn)`` builds what TF1 builds (names as TF gives them)::

    cond/Switch      = Switch(pred, pred)        cond/switch_t = Identity(cond/Switch:1)   (the pivots)
    cond/pred_id     = Identity(pred)            cond/switch_f = Identity(cond/Switch:0)
    ... each branch's ops, in a `CondContext`: a tensor from outside the branch is read through
        `<op>/Switch = Switch(x, cond/pred_id)` (the output of the branch's side), an op with no
        inputs gets a control edge from its branch's pivot ...
    cond/Merge       = Merge(false result, true result)

Only the taken side of each Switch is live, so only the taken branch runs (engine/runtime/dataflow.py).
"""

from __future__ import annotations

import tree as nest

from engine.framework import dtypes, ops, registry
from engine.ops import array_ops
from engine.ops.flow_context import FlowContext
from engine.ops.frame_ops import merge, switch
from engine.ops.op_util import make_tensor


class CondContext(FlowContext):
    """The branch of a cond being built: ops created in it are rewired to read outside values through
    a Switch on the cond's predicate (TF's `CondContext`)."""

    def __init__(self, pred, pivot, branch):
        super().__init__()
        self.pred = pred
        self.pivot = pivot
        self.branch = branch
        self._values.update((pred.name, pivot.name))
        self._external_values[pred.name] = pred
        pivot.op._set_control_flow_context(self)

    def add_value(self, val):
        """The tensor standing for `val` inside this branch: `val` itself when it belongs here, else
        (once per value) the branch's output of a Switch of `val` on the predicate."""
        if val.name in self._values:
            return self._external_values.get(val.name, val)
        self._values.add(val.name)
        result = val
        if self.outer_context is not None:
            result = self.outer_context.add_value(val)
            self._values.add(result.name)
            self._external_values[result.name] = result
        result = self.as_current(lambda: switch(result, self.pred)[self.branch])
        self.mark(result.name)
        self._external_values[val.name] = result
        return result

    def add_op(self, op):
        """Called for each op created while this context is current (ops.Graph.create_op)."""
        if not op.inputs:
            if not any(c._get_control_flow_context() is self for c in op.control_inputs):
                op._add_control_input(self.pivot.op)
        else:
            for index, x in enumerate(op.inputs):
                real = self.add_value(x)
                if real is not x:
                    op._update_input(index, real)
        for t in op.outputs:
            self.mark(t.name)
        if self.outer_context is not None:
            self.outer_context.add_inner_op(op)

    def build_branch(self, fn):
        """Calls `fn` in this context; returns (its result, the result as tensors of this branch)."""
        with self:
            original = fn()
            if original is None:
                return None, None
            result = nest.map_structure(self._branch_tensor, original)
        return original, result

    def _branch_tensor(self, v):
        if isinstance(v, ops.Operation):  # the pivot, after the op: an op's "value" in a branch
            from engine.ops import control_flow_ops

            return control_flow_ops.with_dependencies([v], self.pivot)
        v = ops.convert_to_tensor(v)
        if v.name not in self._values:  # `lambda: x` of an outside x
            return self.add_value(v)
        return self._external_values.get(v.name, v)


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """``tf.cond``: `true_fn()` if `pred` else `false_fn()`; only the taken branch runs.

    Returns the branches' common structure of tensors (a singleton list or tuple is unpacked unless
    `strict`)."""
    if fn1 is not None:
        if true_fn is not None:
            raise TypeError("cond(): true_fn and fn1 may not be set simultaneously.")
        true_fn = fn1
    if fn2 is not None:
        if false_fn is not None:
            raise TypeError("cond(): false_fn and fn2 may not be set simultaneously.")
        false_fn = fn2
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    with ops.name_scope(name, "cond", [pred]):
        if isinstance(pred, bool):
            raise TypeError("pred must not be a Python bool")
        pred = ops.convert_to_tensor(pred)
        if pred.dtype.base_dtype != dtypes.bool:
            raise TypeError(
                f"Value passed to parameter 'pred' has DataType {pred.dtype.base_dtype.name} not in "
                "list of allowed values: bool"
            )
        p_false, p_true = switch(pred, pred)
        pivot_t = array_ops.identity(p_true, name="switch_t")
        pivot_f = array_ops.identity(p_false, name="switch_f")
        pred = array_ops.identity(pred, name="pred_id")

        orig_t, res_t = CondContext(pred, pivot_t, 1).build_branch(true_fn)
        if orig_t is None:
            raise ValueError("true_fn must have a return value.")
        orig_f, res_f = CondContext(pred, pivot_f, 0).build_branch(false_fn)
        if orig_f is None:
            raise ValueError("false_fn must have a return value.")
        try:
            nest.assert_same_structure(orig_t, orig_f)
        except (TypeError, ValueError) as e:
            raise type(e)(f"Incompatible return values of true_fn and false_fn: {e}") from None
        flat_t, flat_f = nest.flatten(res_t), nest.flatten(res_f)
        if not flat_t:
            raise ValueError("true_fn and false_fn must return at least one result.")
        for x, y in zip(flat_t, flat_f, strict=True):
            if x.dtype.base_dtype != y.dtype.base_dtype:
                raise ValueError(
                    f"Outputs of true_fn and false_fn must have the same type: {x.dtype.name}, {y.dtype.name}"
                )
        merges = [merge([f, t])[0] for f, t in zip(flat_f, flat_t, strict=True)]
        merges = nest.unflatten_as(orig_t, merges)
        if not strict and isinstance(merges, (list, tuple)) and len(merges) == 1:
            merges = merges[0]
        return merges


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """``tf.case``: the fn of the first true predicate (or `default`) as nested conds; with `exclusive`,
    an Assert that at most one predicate is true."""
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    if not isinstance(pred_fn_pairs, (list, tuple)):
        raise TypeError("pred_fn_pairs must be a list, tuple, or dict")
    for pair in pred_fn_pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError("Each entry in pred_fn_pairs must be a 2-tuple")
        pred, fn = pair
        if not (isinstance(pred, ops.Tensor) and pred.dtype.base_dtype == dtypes.bool):
            raise TypeError(f"pred must be Tensor of type bool: {getattr(pred, 'name', pred)}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred.name} must be callable.")
    preds = [p for p, _ in pred_fn_pairs]
    fns = [f for _, f in pred_fn_pairs]
    with ops.name_scope(name, "case", preds):
        if default is None:
            if not fns:
                raise ValueError("Must provide at least one pred_fn_pair or default")
            default, preds, fns = _default_action(preds, fns)
        if exclusive:
            with ops.control_dependencies([_assert_at_most_n_true(preds, 1, "Input error: exclusive=True")]):
                return _case_chain(preds, fns, default, strict)
        return _case_chain(preds, fns, default, strict)


def _assert_at_most_n_true(preds, n, message):
    """An Assert that at most `n` of `preds` hold (TF's names: preds_c, num_true_conds, n_true_conds)."""
    from engine.ops import constant_op, logging_ops, math_ops

    preds_c = array_ops.stack(preds, name="preds_c")
    num_true = math_ops.reduce_sum(array_ops.cast(preds_c, dtypes.int32), name="num_true_conds")
    condition = math_ops.less_equal(num_true, constant_op.constant(n, name="n_true_conds"))
    names = ", ".join(p.name for p in preds)
    data = [f"{message}: more than {n} conditions ({names}) evaluated as True:", preds_c]
    return logging_ops.Assert(condition, data, summarize=len(preds))


def _default_action(preds, fns):
    """With no `default`, TF takes the last pair's fn, asserting when it runs that its predicate holds
    and that no other did."""
    from engine.ops import logging_ops

    k = len(preds) - 1
    pred, fn = preds[k], fns[k]
    others = preds[:k]

    def default_action():
        checks = []
        if others:
            message = (f"Implementation error: selected default action #{k} was called, but some of other "
                       "predicates are True: ")
            checks.append(_assert_at_most_n_true(others, 0, message))
        checks.append(logging_ops.Assert(pred, ["Input error: None of conditions evaluated as True:",
                                                array_ops.stack(preds, name="preds_c")]))
        with ops.control_dependencies(checks):
            return fn()

    return default_action, others, fns[:k]


def _case_chain(preds, fns, default, strict):
    if not preds:
        return default()
    return cond(preds[0], fns[0], lambda: _case_chain(preds[1:], fns[1:], default, strict), strict=strict)


# --- gradients ---------------------------------------------------------------------------------------------
@registry.register_gradient("Switch")
def _switch_grad(op, *grads):
    """A Switch built by a cond: the Merge of its two output gradients (`cond_grad`); one built
    otherwise: each gradient switched back on the predicate, then merged."""
    from engine.ops import control_flow_grad, control_flow_state

    if control_flow_state.is_loop_switch(op):
        return control_flow_grad.loop_switch_grad(op, grads)
    ctx = op._get_control_flow_context()
    if isinstance(ctx, CondContext):
        if grads[1 - ctx.branch] is None:
            return None, None
        return merge(list(grads), name="cond_grad")[0], None
    false_grad = switch(grads[0], op.inputs[1])[0]
    true_grad = switch(grads[1], op.inputs[1])[1]
    return merge([false_grad, true_grad])[0], None


registry.register_gradient("RefSwitch")(_switch_grad)


@registry.register_gradient("Merge")
def _merge_grad(op, grad, _):
    """A cond's Merge: its gradient switched on the cond's predicate (`cond_grad`), one side per input."""
    from engine.ops import control_flow_grad, control_flow_state
    from engine.ops.while_loop import WhileContext

    ctx = control_flow_state.output_context(op.inputs[0].op)
    if isinstance(ctx, WhileContext):
        return control_flow_grad.loop_merge_grad(grad)
    if isinstance(ctx, CondContext):
        pred = ctx.pred
        grad_ctxt = ops.get_default_graph()._get_control_flow_context()
        grad_state = grad_ctxt.while_context().grad_state if grad_ctxt is not None else None
        if grad_state is not None:  # a cond in a loop: the predicate of the matching forward iteration
            real_pred = grad_state.history_map.get(pred.name)
            if real_pred is None:
                grad_ctxt = grad_state.grad_context
                grad_ctxt.exit()
                history_pred = grad_state.add_forward_accumulator(pred)
                grad_ctxt.enter()
                real_pred = grad_state.add_backprop_accumulated_value(history_pred, pred)
                grad_state.history_map[pred.name] = real_pred
            pred = real_pred
        return list(switch(grad, pred, name="cond_grad"))
    from engine.ops import math_ops

    return [switch(grad, math_ops.equal(op.outputs[1], i))[1] for i in range(len(op.inputs))]


def zeros_like_switch_output(op, index):
    """The zero gradient of the untaken output of a cond's Switch, live only when that side is taken
    (TF's `ZerosLikeOutsideLoop`); None for other ops."""
    ctx = op._get_control_flow_context()
    if op.op_def.control_flow != "switch" or not isinstance(ctx, CondContext):
        return None
    val = op.outputs[index]
    switch_val = switch(op.inputs[0], ctx.pred)[1 - ctx.branch]
    pivot = array_ops.identity(switch_val)
    zeros_shape = make_tensor(
        "Shape",
        [switch_val],
        name="Shape",  # TF's optimize=False: never a Const
        attrs={"T": switch_val.dtype.base_dtype, "out_type": dtypes.int32},
    )
    with ops.control_dependencies([pivot]):
        return array_ops.zeros(zeros_shape, dtype=val.dtype.base_dtype)
