"""``tf.train.Optimizer``: the TF 1.x base class (compute_gradients / apply_gradients / minimize, slots).

Graph layout follows TensorFlow: slot variables are named ``<var>/<Optimizer>`` (then ``_1``...),
colocated with their variable, not trainable; hyper-parameters become Consts under the optimizer's
name scope (``Adam/learning_rate``); each variable's update op sits in ``<Optimizer>/update_<var>/``
(``GradientDescent/update_layer1/weight/ApplyGradientDescent``); the returned op is a NoOp named like
the optimizer that groups the updates, or the ``AssignAdd`` (Operation) of ``global_step`` when one is
given.
"""

from __future__ import annotations

from engine import gradients as _gradients
from engine.framework import dtypes, indexed_slices, ops
from engine.framework.ops import GraphKeys
from engine.ops import array_ops, constant_op, control_flow_ops, set_ops


def _var_key(var):
    return (var.op.graph, var.op.name)


class Optimizer:
    """Base class for optimizers; subclasses implement `_create_slots`, `_prepare`, `_apply_dense`."""

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots = {}  # slot name -> {var key: slot variable}
        self._non_slot_dict = {}  # (name, graph) -> variable

    def get_name(self):
        return self._name

    # --- public API --------------------------------------------------------------------------------------
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                 colocate_gradients_with_ops=False, name=None, grad_loss=None):
        """`compute_gradients` then `apply_gradients`; returns the training op."""
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients, aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not support "
                f"gradients, between variables {[str(v) for _, v in grads_and_vars]} and loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None):
        """A list of (gradient, variable) pairs; the gradient is None for variables `loss` does not use."""
        if callable(loss):
            raise RuntimeError("`loss` passed to Optimizer.compute_gradients should be a Tensor in graph "
                               "mode.")
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP, Optimizer.GATE_GRAPH):
            raise ValueError(f"gate_gradients must be one of: Optimizer.GATE_NONE, Optimizer.GATE_OP, "
                             f"Optimizer.GATE_GRAPH.  Not {gate_gradients}")
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            self._assert_valid_dtypes([grad_loss])
        if var_list is None:
            var_list = loss.graph.get_collection(GraphKeys.TRAINABLE_VARIABLES) + loss.graph.get_collection(
                GraphKeys.TRAINABLE_RESOURCE_VARIABLES)
        else:
            var_list = list(var_list)
        var_list += loss.graph.get_collection(GraphKeys._STREAMING_MODEL_PORTS)
        if not var_list:
            raise ValueError("No variables to optimize.")
        grads = _gradients.gradients(
            loss, var_list, grad_ys=grad_loss, gate_gradients=(gate_gradients == Optimizer.GATE_OP),
            aggregation_method=aggregation_method, colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gate_gradients == Optimizer.GATE_GRAPH:
            grads = control_flow_ops.tuple(grads)
        grads_and_vars = list(zip(grads, var_list, strict=True))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Adds the update ops for (gradient, variable) pairs; returns the op that runs them all."""
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for g, v in grads_and_vars:
            if g is not None:
                try:
                    g = indexed_slices.convert_to_tensor_or_indexed_slices(g)
                except TypeError:
                    raise TypeError(f"Gradient must be convertible to a Tensor or IndexedSlices, or None: "
                                    f"{g}") from None
            converted.append((g, v))
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError(f"No gradients provided for any variable: {[str(v) for _, v in converted]}.")
        with ops.init_scope():
            self._create_slots(var_list)
        update_ops = []
        with ops.name_scope(name, self._name) as name:
            self._prepare()
            for grad, var in converted:
                if grad is None:
                    continue
                if isinstance(var, ops.Tensor):
                    # TF's error (its _TensorProcessor): a Tensor in var_list gets a gradient but no update
                    raise NotImplementedError("Trying to update a Tensor ", var)
                with ops.name_scope("update_" + var.op.name), ops.colocate_with(var):
                    if isinstance(grad, indexed_slices.IndexedSlices):
                        update_ops.append(self._apply_sparse_duplicate_indices(grad, var))
                    else:
                        update_ops.append(self._apply_dense(grad, var))
            if global_step is None:
                apply_updates = self._finish(update_ops, name)
            else:
                with ops.control_dependencies([self._finish(update_ops, "update")]):
                    with ops.colocate_with(global_step):
                        apply_updates = _assign_add(global_step, 1, name=name)
        if isinstance(apply_updates, ops.Tensor):
            apply_updates = apply_updates.op  # TF returns (and collects) the Operation
        train_ops = ops.get_collection_ref(GraphKeys.TRAIN_OP)
        if apply_updates not in train_ops:
            train_ops.append(apply_updates)
        return apply_updates

    def get_slot(self, var, name):
        """The slot variable `name` created for `var`, or None."""
        named = self._slots.get(name)
        if not named:
            return None
        return named.get(_var_key(var))

    def get_slot_names(self):
        return sorted(self._slots)

    def variables(self):
        """The optimizer's own variables (slots and accumulators like ``beta1_power``), sorted by name."""
        graph = ops.get_default_graph()
        out = [v for (_, g), v in self._non_slot_dict.items() if g is graph]
        for named in self._slots.values():
            out.extend(v for v in named.values() if v.graph is graph)
        return sorted(out, key=lambda v: v.name)

    # --- for subclasses ----------------------------------------------------------------------------------
    def _create_slots(self, var_list):
        pass

    def _prepare(self):
        pass

    def _apply_dense(self, grad, var):
        raise NotImplementedError()

    def _apply_sparse_duplicate_indices(self, grad, var):
        """An IndexedSlices gradient with its repeated indices summed (``Unique``, ``UnsortedSegmentSum``
        under ``update_<var>/``), then `_apply_sparse`: summing first is what makes a sparse update of a
        row named twice the update of the summed gradient (TF's reason too)."""
        unique_indices, positions = set_ops.unique(grad.indices)
        summed_values = array_ops.unsorted_segment_sum(grad.values, positions,
                                                       array_ops.shape_v1(unique_indices)[0])
        deduplicated = indexed_slices.IndexedSlices(summed_values, unique_indices, grad.dense_shape)
        return self._apply_sparse(deduplicated, var)

    def _apply_sparse(self, grad, var):
        """The update of the rows `grad` (an IndexedSlices with distinct indices) names; each optimizer
        has its own (TF's base class has no default either)."""
        raise NotImplementedError()

    def _finish(self, update_ops, name_scope):
        return control_flow_ops.group(*update_ops, name=name_scope)

    def _valid_dtypes(self):
        """TF's float16, float32 and float64 (TF also lists bfloat16, a dtype the engine does not have)."""
        return {dtypes.float16, dtypes.float32, dtypes.float64}

    def _assert_valid_dtypes(self, tensors):
        valid = self._valid_dtypes()
        for t in tensors:
            dtype = t.dtype.base_dtype
            if dtype not in valid:
                # TF prints its Python set, whose order for these small enum values is the enum modulo 8
                order = sorted(valid, key=lambda d: (d.as_datatype_enum % 8, d.as_datatype_enum))
                names = ", ".join(f"tf.{d.name}" for d in order)
                raise ValueError(f"Invalid type tf.{dtype.name} for {t.name}, expected: [{names}].")

    def _call_if_callable(self, param):
        return param() if callable(param) else param

    def _hyper(self, value, name):
        """A hyper-parameter as a Tensor named ``<Optimizer>/<name>`` (Tensors are used as they are)."""
        value = self._call_if_callable(value)
        if isinstance(value, ops.Tensor):
            return value
        return ops.convert_to_tensor(value, name=name)

    def _cast_like(self, t, var):
        dtype = var.dtype.base_dtype
        return t if t.dtype.base_dtype == dtype else array_ops.cast(t, dtype)

    # --- slots -------------------------------------------------------------------------------------------
    def _slot_dict(self, slot_name):
        return self._slots.setdefault(slot_name, {})

    def _get_or_make_slot(self, var, make_initial_value, slot_name, op_name):
        """Creates ``<var>/<op_name>`` (uniquified: ``_1``, ``_2``) once per (var, slot)."""
        named = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in named:
            named[key] = _create_slot_var(var, make_initial_value, op_name)
        return named[key]

    def _zeros_slot(self, var, slot_name, op_name):
        def zeros():
            return array_ops.zeros(var.get_shape().as_list(), dtype=var.dtype.base_dtype)

        return self._get_or_make_slot(var, zeros, slot_name, op_name)

    def _ones_slot(self, var, slot_name, op_name):
        """A slot starting at ones, named as TF's ``ones_initializer`` names it (``Initializer/ones``)."""
        def ones():
            return array_ops.ones(var.get_shape().as_list(), dtype=var.dtype.base_dtype)

        return self._get_or_make_slot(var, ones, slot_name, op_name)

    def _constant_slot(self, var, value, slot_name, op_name):
        def const():
            return constant_op.constant(value, dtype=var.dtype.base_dtype, shape=var.get_shape().as_list())

        return self._get_or_make_slot(var, const, slot_name, op_name)

    def _get_non_slot_variable(self, name, graph=None):
        graph = graph or ops.get_default_graph()
        return self._non_slot_dict.get((name, graph))

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        graph = colocate_with.graph
        key = (name, graph)
        v = self._non_slot_dict.get(key)
        if v is None:
            from engine import variables  # noqa: PLC0415 - variables imports the optimizers' package

            with graph.as_default(), ops.colocate_with(colocate_with):
                v = variables.Variable(initial_value, name=name, trainable=False)
            self._non_slot_dict[key] = v
        return v


def _create_slot_var(primary, make_initial_value, op_name):
    from engine import variables  # noqa: PLC0415

    graph = primary.graph
    # Slot names come from the variable's name, not from the caller's name scope; a second slot with
    # the same op_name is uniquified by the graph (`<var>/Adam_1`).
    first_new = len(graph.get_operations())
    with graph.as_default(), ops.init_scope(), graph.name_scope(None), ops.colocate_with(primary):
        slot = variables.Variable(make_initial_value, name=f"{primary.op.name}/{op_name}", trainable=False,
                                  dtype=primary.dtype.base_dtype)
    # TF colocates every op of a slot variable with its primary (`_class: loc:@<var>`), its own
    # initializer included: the colocation scope wins over the variable's own initializer scope.
    colocation = [f"loc:@{primary.op.name}"]
    for op in graph.get_operations()[first_new:]:
        if op._get_attr_or("_class", None) is not None:
            op._set_attr("_class", colocation)
    return slot


def _assign_add(ref, value, name=None):
    """``state_ops.assign_add``: accepts a Variable or a ref Tensor; returns the updated value Tensor."""
    if hasattr(ref, "assign_add"):
        return ref.assign_add(value, name=name)
    from engine.ops import state_ops  # noqa: PLC0415

    return state_ops.assign_add(ref, value, name=name)
