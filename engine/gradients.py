"""``tf.gradients``: symbolic reverse-mode differentiation over the op registry.

Gradient ops are added to the graph the way TensorFlow 1.x adds them, so they show in the GraphDef
and in board's graph view: under a ``gradients`` name scope (``gradients_1`` for the next call), one
``<op name>_grad`` scope per differentiated op (``gradients/layer1/MatMul_grad/MatMul_1``), the seed
``gradients/grad_ys_0`` (a ``Fill`` of ones), ``gradients/AddN`` where several gradients meet and
``gradients/zeros_like`` for unused outputs of multi-output ops.  Gradient functions live with their
ops (engine/ops/) and are looked up with `registry.get_gradient_function`; an op type TF gives no
gradient raises TF's ``LookupError`` when a gradient reaches it, and the ops of ``xs`` are where the walk
ends (TF's ``_StopOps``), so a variable or placeholder needs no gradient of its own.

Semantics follow TensorFlow: only floating-point tensors carry gradients (integer paths are cut),
``StopGradient`` and ``stop_gradients=`` stop backpropagation, and an ``x`` that ``ys`` does not depend
on gets ``None``.  With ``gate_gradients=True`` (what optimizers pass) the gradients of one op are
grouped with ``tuple/control_dependency`` identities as in TF.

Gating includes gradients that flow into inputs nothing asked for (for a first dense layer,
``d loss / d input``), exactly as TensorFlow builds it; such an op is needed only through the control
edge of ``tuple/group_deps`` and nothing reads its value, so an executor may skip it (TensorFlow's
Grappler removes it; see the session's pruning).
"""

from __future__ import annotations

import collections
import contextlib
import enum

from engine.framework import dtypes, ops, registry
from engine.framework.indexed_slices import IndexedSlices


class UnconnectedGradients(enum.Enum):
    """What `gradients` returns for an ``x`` that ``ys`` does not depend on."""

    NONE = "none"
    ZERO = "zero"


class AggregationMethod:
    """How `gradients` sums the gradients a tensor gets from several consumers, as TF builds it: ADD_N
    (the default) is one ``AddN`` colocated with the first gradient; EXPERIMENTAL_TREE and
    EXPERIMENTAL_ACCUMULATE_N are a chain of two-input ``AddN`` ops under ``<op>_gradient_sum/``, which
    lets a runtime free each gradient sooner.  Every method gives the same sum."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


# As TF's IsTrainable: a resource handle carries a gradient too (ResourceGather's IndexedSlices)
_TRAINABLE_DTYPES = frozenset(
    [dtypes.float16, dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128, dtypes.resource]
)


def _is_trainable(tensor):
    return tensor.dtype.base_dtype in _TRAINABLE_DTYPES


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _to_tensor(x, name, as_ref=False):
    if isinstance(x, ops.Tensor):
        return x
    return ops.convert_to_tensor(x, name=name, as_ref=as_ref)


def _reached_ops(from_ops):
    """Ops reachable forward from `from_ops` through floating-point tensors."""
    reached = set()
    queue = collections.deque(from_ops)
    while queue:
        op = queue.popleft()
        if op in reached:
            continue
        reached.add(op)
        for out in op.outputs:
            if _is_trainable(out):
                queue.extend(out._consumers)
    return reached


def _between_ops(to_ops, reached):
    """Ops of `reached` from which some op of `to_ops` can be reached backward, in the order a walk back
    from `to_ops` meets them (an outer loop's Exits before an inner loop's)."""
    between = {}
    queue = collections.deque(op for op in to_ops if op in reached)
    while queue:
        op = queue.popleft()
        if op in between:
            continue
        between[op] = None
        for t in op.inputs:
            if t.op in reached:
                queue.append(t.op)
    return list(between)


def _gate(grads, needed):
    """TF's ``control_flow_ops.tuple`` over the gradients of one op: a ``tuple/group_deps`` NoOp and one
    ``tuple/control_dependency[_i]`` identity per gradient, so none is used before all are computed."""
    from engine.ops import control_flow_ops

    gated = control_flow_ops.tuple([grads[i] for i in needed])
    out = list(grads)
    for i, g in zip(needed, gated, strict=True):
        out[i] = g
    return out


_AGGREGATION_METHODS = [AggregationMethod.ADD_N, AggregationMethod.EXPERIMENTAL_TREE,
                        AggregationMethod.EXPERIMENTAL_ACCUMULATE_N]


def _aggregate(grads, op, method):
    """The sum of the gradients `op`'s output gets from its consumers (TF's ``_AggregatedGrads``)."""
    if len(grads) == 1:
        return grads[0]
    from engine.ops import math_ops

    if any(isinstance(g, IndexedSlices) for g in grads):
        return _aggregate_indexed_slices(grads)
    if method == AggregationMethod.ADD_N:
        # TF's _MultiDeviceAddN: one device here, so one AddN that lives with the first gradient
        with ops.colocate_with(grads[0].op, ignore_existing=True):
            return math_ops.add_n(grads)
    with ops.name_scope(op.name + "_gradient_sum"):
        running_sum = grads[0]
        for grad in grads[1:]:
            running_sum = math_ops.add_n([running_sum, grad])
        return running_sum


def _aggregate_indexed_slices(grads):
    """TF's ``AggregateIndexedSlicesGradients``: with a dense gradient among them, one AddN (which densifies
    the IndexedSlices); else one IndexedSlices of the concatenated values and indices (int32 indices cast
    to int64 when the others are int64), the first one's dense_shape."""
    from engine.ops import array_ops, math_ops

    if any(isinstance(g, ops.Tensor) for g in grads):
        return math_ops.add_n(grads)
    int32 = [g for g in grads if g.indices.dtype == dtypes.int32]
    if int32 and len(int32) != len(grads):
        grads = [IndexedSlices(g.values, array_ops.cast(g.indices, dtypes.int64), g.dense_shape)
                 if g.indices.dtype == dtypes.int32 else g for g in grads]
    return IndexedSlices(array_ops.concat([g.values for g in grads], axis=0),
                         array_ops.concat([g.indices for g in grads], axis=0), grads[0].dense_shape)


@contextlib.contextmanager
def _maybe_colocate_with(op, colocate):
    """With ``colocate_gradients_with_ops``, the ops built for `op`'s gradient live with `op`."""
    if colocate:
        with ops.colocate_with(op):
            yield
    else:
        yield


def _check_grad_y_dtype(y, gy):
    """TF's check of a given grad_y: real for a real y, complex for a complex one (not the same dtype)."""
    if y.dtype.is_floating or y.dtype.is_integer:
        if not (gy.dtype.is_floating or gy.dtype.is_integer):
            raise TypeError(f"Gradient type {gy.dtype.base_dtype.name} generated for real or integer-valued "
                            f"tensor {y} with type {y.dtype.base_dtype.name} must be real or integer")
    elif y.dtype.is_complex:
        if not gy.dtype.is_complex:
            raise TypeError(f"Gradient type {gy.dtype.base_dtype.name} generated for complex-valued tensor "
                            f"{y} with type {y.dtype.base_dtype.name} must be real")
    else:
        raise TypeError(f"Tensor {y} with type {y.dtype.base_dtype.name} must be numeric to obtain a default "
                        "gradient")


def _default_grad_ys(ys, grad_ys, colocate):
    from engine.ops import array_ops, constant_op, grad_util

    out = []
    for i, (y, gy) in enumerate(zip(ys, grad_ys, strict=True)):
        with _maybe_colocate_with(y.op, colocate):
            if gy is None:
                if y.dtype.is_complex:
                    raise TypeError(f"Gradients of complex tensors ({y}) must set grad_ys (y.dtype = "
                                    f"{y.dtype.base_dtype.name})")
                shape = grad_util.shape(y)
                with ops.name_scope(f"grad_ys_{i}") as scope:
                    one = constant_op.constant(1, dtype=y.dtype.base_dtype, name="Const")
                    gy = array_ops.fill(shape, one, name=scope)
            else:
                gy = _to_tensor(gy, name=f"grad_y_{i}")
                _check_grad_y_dtype(y, gy)
                # TF names each given grad_y in the gradients' scope, with an Identity
                gy = array_ops.identity(gy, name=f"grad_ys_{i}")
        out.append(gy)
    return out


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None,
              unconnected_gradients=UnconnectedGradients.NONE):
    """Symbolic derivatives of ``sum(ys)`` with respect to each of ``xs`` (TF 1.x ``tf.gradients``).

    Returns a list with one Tensor (or ``None``) per ``x``.
    """
    ys = [_to_tensor(y, "y") for y in _as_list(ys)]
    xs = [_to_tensor(x, "x", as_ref=True) for x in _as_list(xs)]
    grad_ys = [None] * len(ys) if grad_ys is None else _as_list(grad_ys)
    if len(grad_ys) != len(ys):
        raise ValueError(f"Length mismatch. Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    # As TF, a stop is the op of each entry: for a variable its VariableV2 op, not its value's read
    stop_ops = {s.op if hasattr(s, "op") else _to_tensor(s, "stop").op
                for s in _as_list(stop_gradients or [])}
    try:
        unconnected_gradients = UnconnectedGradients(unconnected_gradients)
    except ValueError:
        raise ValueError(f"Unknown value for unconnected_gradients: '{unconnected_gradients}'") from None
    if aggregation_method is None:
        aggregation_method = AggregationMethod.DEFAULT
    if aggregation_method not in _AGGREGATION_METHODS:
        raise ValueError(f"Invalid `aggregation_method` specified {aggregation_method}. "
                         f"Accepted values are {_AGGREGATION_METHODS}.")
    graph = ys[0].graph
    for t in xs:
        if t.graph is not graph:
            raise ValueError(f"Tensor {t!r} must be from the same graph as {ys[0]!r}.")

    with graph.as_default(), graph.name_scope(name):
        grad_ys = _default_grad_ys(ys, grad_ys, colocate_gradients_with_ops)
        to_ops = [y.op for y in ys]
        from_ops = [x.op for x in xs]
        reached = _reached_ops(from_ops)
        between_list = _between_ops(to_ops, reached)
        between = set(between_list)
        # Loops on the path: each gets a gradient loop (control_flow_state.py); all their Exits join it.
        loop_state = None
        if any(op.op_def.control_flow == "exit" for op in between_list):
            from engine.ops import control_flow_state

            loop_state = control_flow_state.maybe_create_control_flow_state(between_list, between)
        # Pending counts: how many consumers within `between` each op still waits for.
        pending = collections.Counter()
        for op in between_list:
            for t in op.inputs:
                if t.op in between:
                    pending[t.op] += 1
        grads: dict = collections.defaultdict(list)
        for y, gy in zip(ys, grad_ys, strict=True):
            grads[y].append(gy)

        ready = collections.deque(op for op in dict.fromkeys(to_ops) if pending[op] == 0)
        if loop_state is not None:
            for y in loop_state.process_unused_loop_exits(pending, set(ready)):
                if _is_trainable(y):
                    grads[y].append(loop_state.zeros_like_for_exit(y))
                    ready.append(y.op)
        # As TF's `_StopOps`: an x's op none of whose inputs leads to another x (a variable, a placeholder)
        # is where the gradient ends, so its gradient function is never looked up.
        for op in set(from_ops):
            if not any(pending[t.op] > 0 for t in op.inputs):
                stop_ops.add(op)
        done = set()
        while ready:
            op = ready.popleft()
            if op in done and not (loop_state is not None and control_flow_state.is_loop_switch(op)):
                continue
            done.add(op)
            with _maybe_colocate_with(op, colocate_gradients_with_ops):
                in_grads = _op_input_grads(op, grads, stop_ops, aggregation_method, gate_gradients,
                                           loop_state)
            for t, g in zip(op.inputs, in_grads, strict=True):
                if g is not None and _is_trainable(t):
                    # as TF, only a dense gradient takes its input's static shape (not an IndexedSlices)
                    if (isinstance(g, ops.Tensor) and g.shape.ndims is not None
                            and t.shape.is_compatible_with(g.shape)):
                        g.set_shape(t.shape)
                    grads[t].append(g)
            if loop_state is not None:
                loop_state.exit_grad_while_context(op, before=False)
            _update_pending_and_enqueue_ready(grads, op, ready, pending, between, loop_state)
        if loop_state is not None:
            loop_state.post_processing()

        summed = {x: _aggregate(grads[x], x.op, aggregation_method) for x in xs if grads.get(x)}
    # outside the gradients' scope, as TF: an unconnected x's zeros are a root `zeros_like`
    result = []
    for x in xs:
        if x in summed:
            result.append(summed[x])
        elif unconnected_gradients is UnconnectedGradients.ZERO:
            from engine.ops import array_ops

            with graph.as_default():
                result.append(array_ops.zeros_like(x))
        else:
            result.append(None)
    return result


def _update_pending_and_enqueue_ready(grads, op, ready, pending, between, loop_state):
    """One consumer fewer for each input of `op`; queue the ones now ready.  With loops (TF's
    `_UpdatePendingAndEnqueueReady`): a loop Switch is queued at once (its first visit, from the Exit)
    and again when all is in; a loop's Exits wait until all of them are known, then those with a gradient
    go first, and the others get zeros (or nothing, when no Exit of the loop got a gradient)."""
    from engine.ops import control_flow_state

    for t in op.inputs:
        x = t.op
        if x not in between and loop_state is None:
            continue
        pending[x] -= 1  # with loops, a loop's Enters off the path count too (process_unused_loop_exits)
        is_ready = pending[x] == 0
        if loop_state is not None and not is_ready:
            is_ready = pending[x] > 0 and control_flow_state.is_loop_switch(x)
        if not is_ready:
            continue
        if loop_state is not None and control_flow_state.is_loop_exit(x):
            grad_state = loop_state.get_grad_state(x, before=False)
            grad_state.deferred_exits.append(x.outputs[0])
            grad_state.pending_exits_count -= 1
            if grad_state.pending_exits_count == 0:
                has_grad = False
                for y in grad_state.deferred_exits:
                    if any(grads.get(out) for out in y.op.outputs):
                        has_grad = True
                        ready.append(y.op)
                    else:
                        grad_state.unused_exits.append(y)
                for y in grad_state.unused_exits:
                    if has_grad and _is_trainable(y):
                        grads[y].append(loop_state.zeros_like_for_exit(y))
                    ready.append(y.op)
        else:
            ready.append(x)
def _op_input_grads(op, grads, stop_ops, aggregation_method, gate_gradients, loop_state):
    """Sums the gradients of `op`'s outputs (recorded back into `grads`) and returns the gradient of
    each of its inputs (None where there is none), built under ``<op>_grad/``. With loops on the path,
    the sum is built in the gradient loop's context before the op's, the gradient in the op's; the
    caller leaves that context (`exit_grad_while_context(op, before=False)`) once it has recorded them."""
    if loop_state is not None:
        loop_state.enter_grad_while_context(op, before=True)
    out_grads = [_aggregate(grads[t], op, aggregation_method) if grads.get(t) else None for t in op.outputs]
    if loop_state is not None:
        loop_state.exit_grad_while_context(op, before=True)
    for t, g in zip(op.outputs, out_grads, strict=True):
        if g is not None:
            grads[t] = [g]  # an x's gradient is this sum, not a second AddN
    if loop_state is not None:
        loop_state.enter_grad_while_context(op, before=False)
    if op in stop_ops or all(g is None for g in out_grads):
        return [None] * len(op.inputs)
    grad_fn = _gradient_function(op)
    if grad_fn is None:
        return [None] * len(op.inputs)
    for i, t in enumerate(op.outputs):
        if out_grads[i] is None and _is_trainable(t):
            if loop_state is not None:
                out_grads[i] = loop_state.zeros_like(op, i)
                continue
            from engine.ops import array_ops, cond

            # A cond's Switch: zeros live only on the untaken side (TF's ZerosLikeOutsideLoop)
            zeros = cond.zeros_like_switch_output(op, i)
            out_grads[i] = array_ops.zeros_like(t) if zeros is None else zeros
    with op.graph.name_scope(op.name + "_grad"):
        in_grads = grad_fn(op, *out_grads)
        in_grads = list(in_grads) if isinstance(in_grads, (list, tuple)) else [in_grads]
        if len(in_grads) != len(op.inputs):
            raise ValueError(
                f"Num gradients {len(in_grads)} generated for op {op.node_def} do not match "
                f"num inputs {len(op.inputs)}")
        present = [i for i, g in enumerate(in_grads) if g is not None]
        if gate_gradients and len(present) > 1:
            # TF's gating tuple is colocated with nothing, even under colocate_gradients_with_ops
            with ops.colocate_with(None, ignore_existing=True):
                in_grads = _gate(in_grads, present)
    return in_grads


def _gradient_function(op):
    # TF records `graph.gradient_override_map` on each op it creates as the `_gradient_op_type` attr.
    op_type = op._get_attr_or("_gradient_op_type", None) or op.type
    if isinstance(op_type, bytes):
        op_type = op_type.decode()
    try:
        return registry.get_gradient_function(op_type)
    except LookupError:
        raise LookupError(
            f"No gradient defined for operation '{op.name}' (op type: {op.type})") from None
