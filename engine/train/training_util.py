"""The global step: ``tf.train.get_global_step``, ``create_global_step``, ``get_or_create_global_step``,
``global_step``."""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.framework.ops import GraphKeys


def get_global_step(graph=None):
    """The global step variable of `graph` (collection GLOBAL_STEP, else the tensor ``global_step:0``),
    or None."""
    graph = graph or ops.get_default_graph()
    candidates = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(candidates) == 1:
        step = candidates[0]
    elif not candidates:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
    else:
        raise TypeError("Multiple tensors in global_step collection.")
    if not step.dtype.base_dtype.is_integer:
        raise TypeError(f"Existing \"global_step\" does not have integer type: {step.dtype}")
    if step.get_shape().ndims != 0 and step.get_shape().is_fully_defined():
        raise TypeError(f"Existing \"global_step\" is not scalar: {step.get_shape()}")
    return step


def create_global_step(graph=None):
    """Creates the int64 scalar variable ``global_step`` (zeros-initialized, not trainable)."""
    from engine.ops import init_ops  # avoid an import cycle at package load
    from engine.variable_scope import get_variable

    graph = graph or ops.get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default(), graph.name_scope(None):
        return get_variable(
            GraphKeys.GLOBAL_STEP, shape=[], dtype=dtypes.int64, initializer=init_ops.zeros_initializer(),
            trainable=False, collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    graph = graph or ops.get_default_graph()
    step = get_global_step(graph)
    if step is None:
        step = create_global_step(graph)
    return step


def global_step(sess, global_step_tensor):
    """The global step's current value as a Python int."""
    value = sess.run(global_step_tensor)
    return int(value)


def assert_global_step(global_step_tensor):
    dtype = getattr(global_step_tensor, "dtype", None)
    if dtype is None or not dtype.base_dtype.is_integer:
        raise TypeError(f"Existing \"global_step\" does not have integer type: {dtype}")

