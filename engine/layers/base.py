"""`tf.layers.Layer`: TF 1.x's graph layers (`tensorflow/python/layers/base.py` behaviour, not Keras's).

A layer owns a variable scope. Its first call opens `variable_scope(scope, default_name=<base name>)`,
so unnamed layers get `dense`, `dense_1`, ... as TF does; every later call re-enters that scope with
reuse on and its original name scope, so ops of a second call are `dense/MatMul_1`. A layer built with
`reuse=True` opens `variable_scope(name)` and finds existing variables (`get_variable`'s errors). Weights
are `get_variable`s (regularizer losses go into REGULARIZATION_LOSSES through it, as in TF); updates go
into UPDATE_OPS.
"""

from __future__ import annotations

import re
import weakref

from engine.framework import dtypes, ops
from engine.framework.ops import GraphKeys
from engine.variable_scope import VariableScope, get_variable, variable_scope


def _snake_case(name):
    """TF's `to_snake_case`: `MaxPooling2D` -> `max_pooling2d`, `BatchNormalization` ->
    `batch_normalization`."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return insecure if insecure[0] != "_" else "private" + insecure


_OBJECT_NAME_COUNTS = weakref.WeakKeyDictionary()  # graph -> {base name: layers named so far}


def _unique_object_name(graph, base_name):
    """`dense_1`, `dense_2`, ... per graph: the name an unnamed layer object reports (Keras's counter),
    apart from the variable scope it later opens (`dense`)."""
    counts = _OBJECT_NAME_COUNTS.setdefault(graph, {})
    counts[base_name] = counts.get(base_name, 0) + 1
    return f"{base_name}_{counts[base_name]}"


class Layer:
    """Base class of the `tf.layers` classes: `Layer(trainable=True, name=None, dtype=None)`.

    Subclasses define `build(input_shape)` (creating weights with `add_weight`) and `call(inputs, ...)`.
    """

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        allowed = {"_scope", "_reuse", "input_shape", "batch_input_shape", "batch_size"}
        for key in kwargs:
            if key not in allowed:
                raise TypeError(f"Keyword argument not understood: {key}")
        self.trainable = trainable
        self.built = False
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        self._scope_arg = kwargs.get("_scope")
        self._reuse = kwargs.get("_reuse")
        self._scope = None
        self._current_scope = None
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._losses = []
        self._updates = []
        self._graph = None
        base_name = _snake_case(type(self).__name__)
        if isinstance(name, VariableScope):
            self._base_name = name.name
            self._name = _unique_object_name(ops.get_default_graph(), base_name)
        elif name:
            self._base_name = name
            self._name = name
        else:
            self._base_name = base_name
            self._name = _unique_object_name(ops.get_default_graph(), base_name)

    # --- naming ---------------------------------------------------------------------------------

    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        return None if self._dtype is None else self._dtype.name

    @property
    def scope_name(self):
        if not self._scope:
            raise ValueError(
                'No name available for layer scope because the layer "'
                + self._name
                + '" has not been used yet. '
                "The scope name  is determined the first time the layer instance is called. "
                "You must therefore "
                "call the layer before querying `scope_name`."
            )
        return self._scope.name

    def _set_scope(self, scope=None):
        if self._scope is not None:
            return
        if self._reuse:
            with variable_scope(scope if scope is not None else self._base_name) as captured:
                self._scope = captured
        else:
            with variable_scope(scope, default_name=self._base_name) as captured:
                self._scope = captured

    # --- weights, losses, updates -----------------------------------------------------------------

    @property
    def trainable_weights(self):
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    @property
    def losses(self):
        return list(self._losses)

    @property
    def updates(self):
        return list(self._updates)

    def add_weight(
        self,
        name,
        shape,
        dtype=None,
        initializer=None,
        regularizer=None,
        trainable=True,
        constraint=None,
        partitioner=None,
        **kwargs,
    ):
        """A `get_variable` in the layer's scope; a regularizer's loss goes into REGULARIZATION_LOSSES (once,
        when the variable is created) and into `layer.losses`."""
        dtype = dtypes.as_dtype(dtype or self._dtype or dtypes.float32)
        graph = ops.get_default_graph()
        losses = graph.get_collection(GraphKeys.REGULARIZATION_LOSSES)
        variable = get_variable(
            name,
            shape=shape,
            dtype=dtype,
            initializer=initializer,
            regularizer=regularizer,
            trainable=trainable and self.trainable,
            constraint=constraint,
            partitioner=partitioner,
        )
        if variable not in self._trainable_weights + self._non_trainable_weights:
            (self._trainable_weights if trainable else self._non_trainable_weights).append(variable)
        new_losses = graph.get_collection(GraphKeys.REGULARIZATION_LOSSES)[len(losses) :]
        self._losses.extend(new_losses)
        return variable

    add_variable = add_weight

    def add_loss(self, losses, inputs=None):
        losses = list(losses) if isinstance(losses, (list, tuple)) else [losses]
        self._losses.extend(losses)
        for loss in losses:
            ops.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    def add_update(self, updates, inputs=None):
        updates = list(updates) if isinstance(updates, (list, tuple)) else [updates]
        self._updates.extend(updates)
        for update in updates:
            ops.add_to_collection(GraphKeys.UPDATE_OPS, update)

    def count_params(self):
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on {self.name}, but the layer isn't built. "
                "You can build it manually via: `" + self.name + ".build(batch_input_shape)`."
            )
        return sum(v.shape.num_elements() for v in self.weights)

    # --- calling ----------------------------------------------------------------------------------

    def build(self, input_shape):
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def __call__(self, inputs, *args, **kwargs):
        scope = kwargs.pop("scope", None)
        first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        if not isinstance(first, ops.Tensor):
            first = ops.convert_to_tensor(first, dtype=self._dtype)
            inputs = first
        if self._graph is None:
            self._graph = first.graph
        elif first.graph is not self._graph:
            raise ValueError(
                f"Layer {self.name} was called on a tensor of another graph than its first call's."
            )
        if self._dtype is None:
            self._dtype = first.dtype.base_dtype if first.dtype.is_floating else dtypes.float32
        with self._graph.as_default():
            self._set_scope(scope if scope is not None else self._scope_arg)
            reuse = True if self.built else self._reuse
            with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as current:
                self._current_scope = current
                with ops.name_scope(self._scope.original_name_scope):
                    if not self.built:
                        self.build(first.shape)
                        self.built = True
                    return self.call(inputs, *args, **kwargs)

    def apply(self, inputs, *args, **kwargs):
        return self.__call__(inputs, *args, **kwargs)
