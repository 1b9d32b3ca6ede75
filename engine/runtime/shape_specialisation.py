"""Shapes a plan knows before it runs, and what it folds with them (pass `shape_specialisation`).

`Shape`/`ShapeN`/`Size`/`Rank` (registry flag `shape_only`) of tensors whose shapes are known become
constants, and a `Reshape` (flag `reshape`) to the shape its input already has passes its input on.
Shapes are static shapes where fully defined (the contract every op's `infer` keeps, and the one
Grappler's shape materialization relies on); a plan specialised to its feeds' shapes
(`wants_feed_shapes`) also knows the shapes that follow from the fed ones.  Buffer forwarding
(forwarding.py) asks the same oracle.
"""

from __future__ import annotations

import numpy as np

from engine.framework import ops, tensor_shape

_ndarray = np.ndarray
_generic = np.generic


class ShapeOracle:
    """Shapes of a plan's tensors as far as they are known before running it.

    A plan specialised to the shapes of its feeds re-runs the registered `infer` functions on a scratch
    graph in which the fed placeholders have the fed shapes and the folded values are Consts, so e.g.
    the `[?, 10]` logits of a batch of 128 are known to be `[128, 10]`.  The scratch graph is only read
    for shapes; nothing in it runs.
    """

    def __init__(self, fed_shapes):
        self.fed_shapes = fed_shapes  # Tensor -> shape tuple the plan is specialised to (or None)
        self.graph = ops.Graph() if fed_shapes else None
        self.scratch = {}  # Tensor -> its stand-in in the scratch graph

    def shape(self, t, known):
        """`t`'s shape as a tuple of ints, or None when it is only known at run time."""
        if t in known:
            value = known[t]
            return np.shape(value) if isinstance(value, (_ndarray, _generic)) else None
        if self.fed_shapes and t in self.fed_shapes:
            return self.fed_shapes[t]
        st = self.scratch.get(t)
        dims = (st if st is not None else t).shape._as_tuple()
        if dims is None or None in dims:
            return None
        return dims

    def _stand_in(self, t, known):
        st = self.scratch.get(t)
        if st is not None:
            return st
        value = known.get(t)
        g = self.graph
        name = f"s{len(self.scratch)}/"
        if isinstance(value, (_ndarray, _generic)) and not t.dtype.is_ref_dtype:
            value = np.asarray(value)
            st = g.create_op("Const", [], name=name, attrs={"value": value, "dtype": t.dtype.base_dtype})
        else:
            dims = self.fed_shapes.get(t) if t in self.fed_shapes else t.shape._as_tuple()
            shape = t.shape if dims is None else tensor_shape.TensorShape(list(dims))
            attrs = {"dtype": t.dtype.base_dtype, "shape": shape}
            st = g.create_op("Placeholder", [], name=name, attrs=attrs)
        st = self.scratch[t] = st.values()[0]
        return st

    def alias(self, t, source, known):
        """`t` has the value, so the shape, of `source`."""
        if self.graph is not None:
            self.scratch[t] = self._stand_in(source, known)

    def add(self, op, known):
        """Infers the shapes of a pure op's outputs from its inputs' stand-ins."""
        if self.graph is None:
            return
        try:
            inputs = [self._stand_in(t, known) for t in op.inputs]
            sop = self.graph.create_op(op.type, inputs, name=f"s{len(self.scratch)}_op/",
                                       attrs=op._attr_dict())
        except Exception:  # noqa: BLE001 - the op's real outputs keep their static shapes
            return
        outs, souts = op.values(), sop.values()
        if len(souts) == len(outs):
            self.scratch.update(zip(outs, souts, strict=True))


def wants_feed_shapes(order, feeds):
    """Whether specialising a plan to its feeds' shapes can fold anything: a feed's static shape is
    partly unknown and the plan has ops that read shapes."""
    if not any(t.dtype.is_ref_dtype for t in feeds) and any(not t.shape.is_fully_defined() for t in feeds):
        return any(op.op_def.shape_only or op.op_def.reshape for op in order)
    return False


def shape_value(runtime, op, shapes):
    """A `shape_only` op's outputs for inputs of `shapes`, from its own kernel (no data needed)."""
    try:
        result = runtime.kernel(op)(*(np.broadcast_to(np.zeros((), np.uint8), shape) for shape in shapes))
    except Exception:  # noqa: BLE001 - computed at run time instead
        return None
    return tuple(result) if len(op.outputs) > 1 else (result,)


def reshape_is_noop(runtime, op, oracle, known):
    """True when a `reshape` op's input already has the requested shape (its output is then its input)."""
    x, new_shape = op.inputs
    if new_shape not in known:
        return False
    in_shape = oracle.shape(x, known)
    if in_shape is None or x in known:
        return False
    try:
        out = runtime.kernel(op)(np.broadcast_to(np.zeros((), np.uint8), in_shape), known[new_shape])
    except Exception:  # noqa: BLE001 - e.g. a size mismatch: the op stays and raises at run time
        return False
    return np.shape(out) == tuple(in_shape)
