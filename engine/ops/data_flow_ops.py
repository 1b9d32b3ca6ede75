"""TF1's queues: `tf.FIFOQueue`, `tf.RandomShuffleQueue`, `tf.PaddingFIFOQueue`, `tf.PriorityQueue`
(`tf.QueueBase`), with TF's op types, attrs and node names, so their GraphDefs import into TensorFlow.

The queue op (`FIFOQueueV2`, `RandomShuffleQueueV2`, `PaddingFIFOQueueV2`, `PriorityQueueV2`) outputs a
`resource`: the session's queue object (engine/ops/queues.py, where the blocking and closing rules are),
made the first time a run needs it and shared by every thread running that session.  Queues with one
`shared_name` are one queue per session.  The other ops take that handle: `QueueEnqueueV2`,
`QueueEnqueueManyV2`, `QueueDequeueV2`, `QueueDequeueManyV2`, `QueueDequeueUpToV2`, `QueueCloseV2`,
`QueueSizeV2`, `QueueIsClosedV2`.  None of them has a gradient, as in TF.
"""

from __future__ import annotations

from engine.framework import dtypes as _dtypes
from engine.framework import ops, random_seed, registry
from engine.framework import tensor_shape as _ts
from engine.ops import queues
from engine.ops.op_util import make_op, make_tensor

__all__ = ["FIFOQueue", "PaddingFIFOQueue", "PriorityQueue", "QueueBase", "RandomShuffleQueue"]


# --- the queue ops ----------------------------------------------------------------------------------
def _infer_handle(op):
    return [(_dtypes.resource, _ts.TensorShape([]))]


def _shapes_attr(op):
    """The `shapes` attr as one tuple of dims per component, or Nones when the queue has no shapes."""
    n = len(op.get_attr("component_types"))
    shapes = op.get_attr("shapes") or []
    if not shapes:
        return [None] * n
    return [_ts.as_shape(s)._as_tuple() for s in shapes]


def _queue_compiler(make):
    """A queue op's `compile`: the kernel returns the session's queue, made once per (session, queue)."""

    def compile_queue(op, runtime):
        shared = op._get_attr_or("shared_name", b"")
        key = ("queue", shared) if shared else op

        def kernel():
            return runtime.resource(key, lambda: make(op))

        return kernel

    return compile_queue


def _make_fifo(op):
    return queues.Queue(queues.resource_name(op), op.get_attr("component_types"), _shapes_attr(op),
                        op.get_attr("capacity"))


def _make_padding(op):
    return queues.PaddingFIFOQueue(queues.resource_name(op), op.get_attr("component_types"),
                                   _shapes_attr(op), op.get_attr("capacity"))


def _make_shuffle(op):
    return queues.RandomShuffleQueue(
        queues.resource_name(op), op.get_attr("component_types"), _shapes_attr(op), op.get_attr("capacity"),
        op.get_attr("min_after_dequeue"), op._get_attr_or("seed", 0), op._get_attr_or("seed2", 0))


def _make_priority(op):
    # The int64 priority is component 0 of every element; `component_types` lists the others.
    types = [_dtypes.int64, *op.get_attr("component_types")]
    shapes = _shapes_attr(op)
    return queues.PriorityQueue(queues.resource_name(op), types, [(), *shapes], op.get_attr("capacity"))


_QUEUE_ATTRS = {"shapes": [], "capacity": -1, "container": "", "shared_name": ""}
registry.register_op("FIFOQueueV2", infer=_infer_handle, compile=_queue_compiler(_make_fifo), stateful=True,
                     attrs=_QUEUE_ATTRS)
registry.register_op("PaddingFIFOQueueV2", infer=_infer_handle, compile=_queue_compiler(_make_padding),
                     stateful=True, attrs=_QUEUE_ATTRS)
registry.register_op("PriorityQueueV2", infer=_infer_handle, compile=_queue_compiler(_make_priority),
                     stateful=True, attrs={**_QUEUE_ATTRS, "component_types": []})
registry.register_op("RandomShuffleQueueV2", infer=_infer_handle, compile=_queue_compiler(_make_shuffle),
                     stateful=True, attrs={**_QUEUE_ATTRS, "min_after_dequeue": 0, "seed": 0, "seed2": 0})


# --- the ops on a queue -----------------------------------------------------------------------------------
def _enqueue(queue, *components):
    queue.enqueue(components)


def _enqueue_many(queue, *components):
    queue.enqueue_many(components)


def _outputs(values):
    return values[0] if len(values) == 1 else tuple(values)


def _compile_dequeue(op, runtime):
    if len(op.outputs) == 1:
        return lambda queue: queue.dequeue()[0]
    return lambda queue: queue.dequeue()


def _compile_dequeue_many(op, runtime):
    return lambda queue, n: _outputs(queue.dequeue_many(n))


def _compile_dequeue_up_to(op, runtime):
    return lambda queue, n: _outputs(queue.dequeue_many(n, allow_smaller=True))


def _compile_close(op, runtime):
    cancel = bool(op._get_attr_or("cancel_pending_enqueues", False))
    return lambda queue: queue.close(cancel)


def _queue_shapes(op):
    """The element shapes of the queue behind input 0, when it is a queue op of this graph."""
    source = op.inputs[0].op
    n = len(op.get_attr("component_types"))
    if source.type in _QUEUE_TYPES and source._get_attr_or("shapes", None):
        shapes = [_ts.as_shape(s) for s in source.get_attr("shapes")]
        if source.type == "PriorityQueueV2":  # its attrs leave out the scalar priority
            shapes.insert(0, _ts.TensorShape([]))
        if len(shapes) == n:
            return shapes
    return [_ts.unknown_shape()] * n


def _infer_dequeue(op):
    return list(zip(op.get_attr("component_types"), _queue_shapes(op), strict=True))


def _batch_dim(op):
    """The static n of a DequeueMany (a constant input), else None."""
    n = op.inputs[1]
    if n.op.type == "Const":
        value = n.op.get_attr("value")
        if value.ndim == 0:
            if int(value) < 0:
                raise ValueError(f"Input 'n' must be >= 0, but is {int(value)} for '{{{{node {op.name}}}}}'")
            return int(value)
    return None


def _infer_dequeue_many(op):
    n = _batch_dim(op)
    return [(dtype, _ts.TensorShape([n]).concatenate(shape))
            for dtype, shape in _infer_dequeue(op)]


def _infer_dequeue_up_to(op):
    _batch_dim(op)
    return [(dtype, _ts.TensorShape([None]).concatenate(shape)) for dtype, shape in _infer_dequeue(op)]


_QUEUE_TYPES = frozenset({"FIFOQueueV2", "PaddingFIFOQueueV2", "PriorityQueueV2", "RandomShuffleQueueV2"})
_TIMEOUT = {"timeout_ms": -1}
registry.register_op("QueueEnqueueV2", infer=lambda op: [], kernel=_enqueue, stateful=True, attrs=_TIMEOUT,
                     inputs=("handle", "components: N*Tcomponents"))
registry.register_op("QueueEnqueueManyV2", infer=lambda op: [], kernel=_enqueue_many, stateful=True,
                     attrs=_TIMEOUT, inputs=("handle", "components: N*Tcomponents"))
registry.register_op("QueueDequeueV2", infer=_infer_dequeue, compile=_compile_dequeue, stateful=True,
                     attrs=_TIMEOUT, inputs=("handle",))
registry.register_op("QueueDequeueManyV2", infer=_infer_dequeue_many, compile=_compile_dequeue_many,
                     stateful=True, attrs=_TIMEOUT, inputs=("handle", "n"))
registry.register_op("QueueDequeueUpToV2", infer=_infer_dequeue_up_to, compile=_compile_dequeue_up_to,
                     stateful=True, attrs=_TIMEOUT, inputs=("handle", "n"))
registry.register_op("QueueCloseV2", infer=lambda op: [], compile=_compile_close, stateful=True,
                     attrs={"cancel_pending_enqueues": False}, inputs=("handle",))
registry.register_op("QueueSizeV2", infer=lambda op: [(_dtypes.int32, _ts.TensorShape([]))],
                     kernel=lambda queue: queues.np.int32(queue.size()), stateful=True, inputs=("handle",))
registry.register_op("QueueIsClosedV2", infer=lambda op: [(_dtypes.bool, _ts.TensorShape([]))],
                     kernel=lambda queue: queues.np.bool_(queue.closed), stateful=True, inputs=("handle",))


# --- tf.QueueBase and its kinds ---------------------------------------------------------------------------
def _as_dtypes(dtypes):
    if not isinstance(dtypes, (list, tuple)):
        dtypes = [dtypes]
    return [_dtypes.as_dtype(d) for d in dtypes]


def _as_shapes(shapes, n):
    if shapes is None:
        return [_ts.unknown_shape() for _ in range(n)]
    if isinstance(shapes, _ts.TensorShape) or not isinstance(shapes, (list, tuple)) or (
            shapes and not isinstance(shapes[0], (list, tuple, _ts.TensorShape)) and shapes[0] is not None):
        shapes = [shapes]
    shapes = [_ts.as_shape(s) for s in shapes]
    if len(shapes) != n:
        raise ValueError("Queue shapes must have the same length as dtypes")
    return shapes


def _signature(dtypes, shapes, names):
    """A queue's (dtypes, shapes, names) from its constructor's arguments, as TF normalises them."""
    dtypes = _as_dtypes(dtypes)
    return dtypes, _as_shapes(shapes, len(dtypes)), _as_names(names, len(dtypes))


def _as_names(names, n):
    if names is None:
        return None
    if not isinstance(names, (list, tuple)):
        names = [names]
    if len(names) != n:
        raise ValueError("Queue names must have the same length as dtypes")
    return list(names)


class QueueBase:
    """``tf.QueueBase``: the enqueue / dequeue / close / size ops over one queue handle."""

    def __init__(self, dtypes, shapes, names, queue_ref):
        self._dtypes = dtypes
        if shapes is not None:
            if len(shapes) != len(dtypes):
                raise ValueError("Queue shapes must have the same length as dtypes")
            self._shapes = [_ts.as_shape(s) for s in shapes]
        else:
            self._shapes = [_ts.unknown_shape() for _ in dtypes]
        if names is not None:
            if len(names) != len(dtypes):
                raise ValueError("Queue names must have the same length as dtypes")
            self._names = names
        else:
            self._names = None
        self._queue_ref = queue_ref
        self._name = queue_ref.op.name.split("/")[-1]

    @property
    def queue_ref(self):
        return self._queue_ref

    @property
    def name(self):
        return self._queue_ref.op.name

    @property
    def dtypes(self):
        return self._dtypes

    @property
    def shapes(self):
        return self._shapes

    @property
    def names(self):
        return self._names

    def _component_list(self, vals):
        """The enqueued value as a list of components (a dict by the queue's names, a tuple/list, or one)."""
        if isinstance(vals, dict):
            if not self._names:
                raise ValueError("Queue must have names to enqueue a dictionary")
            if sorted(self._names, key=str) != sorted(vals.keys(), key=str):
                raise ValueError(f"Keys in dictionary to enqueue do not match names of Queue.  Dictionary: "
                                 f"{sorted(vals.keys())}, Queue: {sorted(self._names)}")
            return [vals[k] for k in self._names]
        if self._names:
            raise ValueError("You must enqueue a dictionary in a Queue with names")
        if not isinstance(vals, (list, tuple)):
            return [vals]
        return list(vals)

    def _check_enqueue_dtypes(self, vals):
        vals = self._component_list(vals)
        if len(vals) != len(self._dtypes):
            raise ValueError(
                f"Expected {len(self._dtypes)} components in the tuple to enqueue, got {len(vals)}")
        return [ops.convert_to_tensor(v, dtype=dt, name=f"component_{i}")
                for i, (v, dt) in enumerate(zip(vals, self._dtypes, strict=True))]

    def enqueue(self, vals, name=None):
        """An op that puts one element into the queue, waiting while it is full."""
        with ops.name_scope(name, f"{self._name}_enqueue", [self._queue_ref]) as scope:
            tensors = self._check_enqueue_dtypes(vals)
            for val, shape in zip(tensors, self._shapes, strict=True):
                val.get_shape().assert_is_compatible_with(shape)
            return make_op("QueueEnqueueV2", [self._queue_ref, *tensors], name=scope,
                           attrs={"Tcomponents": [v.dtype.base_dtype for v in tensors], "timeout_ms": -1})

    def enqueue_many(self, vals, name=None):
        """An op that puts the slices of `vals` along dimension 0 into the queue, one element each."""
        with ops.name_scope(name, f"{self._name}_EnqueueMany", [self._queue_ref]) as scope:
            tensors = self._check_enqueue_dtypes(vals)
            batch_dim = _ts.Dimension(None)
            for val in tensors:
                batch_dim = batch_dim.merge_with(val.get_shape().with_rank_at_least(1)[0])
            for val, shape in zip(tensors, self._shapes, strict=True):
                val.get_shape()[1:].assert_is_compatible_with(shape)
            return make_op("QueueEnqueueManyV2", [self._queue_ref, *tensors], name=scope,
                           attrs={"Tcomponents": [v.dtype.base_dtype for v in tensors], "timeout_ms": -1})

    def _dequeue_return_value(self, tensors):
        if self._names:
            return dict(zip(self._names, tensors, strict=True))
        if len(tensors) == 1:
            return tensors[0]
        return list(tensors)

    def dequeue(self, name=None):
        """The next element (its components): waits for one; OutOfRangeError once closed and empty."""
        name = name or f"{self._name}_Dequeue"
        op = make_op("QueueDequeueV2", [self._queue_ref], name=name,
                     attrs={"component_types": self._dtypes, "timeout_ms": -1})
        return self._dequeue_return_value(op.outputs)

    def _dequeue_n(self, op_type, n, name, allow_smaller):
        with ops.name_scope(name, f"{self._name}_{op_type[5:-2]}", [self._queue_ref, n]) as scope:
            n = ops.convert_to_tensor(n, dtype=_dtypes.int32, name="n")
            op = make_op(op_type, [self._queue_ref, n], name=scope,
                         attrs={"component_types": self._dtypes, "timeout_ms": -1})
        return self._dequeue_return_value(op.outputs)

    def dequeue_many(self, n, name=None):
        """`n` elements, each component stacked along a new dimension 0."""
        return self._dequeue_n("QueueDequeueManyV2", n, name, False)

    def dequeue_up_to(self, n, name=None):
        """As `dequeue_many`, but once the queue is closed, whatever is left (at least one element)."""
        return self._dequeue_n("QueueDequeueUpToV2", n, name, True)

    def close(self, cancel_pending_enqueues=False, name=None):
        """An op closing the queue: no more enqueues; dequeues drain what is left."""
        name = name or f"{self._name}_Close"
        return make_op("QueueCloseV2", [self._queue_ref], name=name,
                       attrs={"cancel_pending_enqueues": bool(cancel_pending_enqueues)})

    def is_closed(self, name=None):
        return make_tensor("QueueIsClosedV2", [self._queue_ref], name=name or f"{self._name}_Is_Closed")

    def size(self, name=None):
        """The number of elements in the queue (an int32 scalar)."""
        return make_tensor("QueueSizeV2", [self._queue_ref], name=name or f"{self._name}_Size")


def _queue_handle(op_type, default_name, name, attrs):
    # TF builds the queue op with `name` directly (the default name is made unique like any op name).
    return make_tensor(op_type, [], name=name or default_name, attrs=attrs)


class FIFOQueue(QueueBase):
    """``tf.FIFOQueue(capacity, dtypes, shapes=None, names=None, shared_name=None, name='fifo_queue')``."""

    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None, name="fifo_queue"):
        dtypes, shapes, names = _signature(dtypes, shapes, names)
        ref = _queue_handle("FIFOQueueV2", "fifo_queue", name, {
            "component_types": dtypes, "shapes": _shapes_for_attr(shapes), "capacity": int(capacity),
            "container": "", "shared_name": shared_name or ""})
        super().__init__(dtypes, shapes, names, ref)


class PaddingFIFOQueue(QueueBase):
    """``tf.PaddingFIFOQueue``: a FIFO queue whose components may have unknown dims (`shapes` required);
    `dequeue_many` pads each component to the batch's largest shape with zeros."""

    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None, name="padding_fifo_queue"):
        dtypes, shapes, names = _signature(dtypes, shapes, names)
        if any(s.dims is None for s in shapes):
            raise ValueError(f"Shapes must be fully defined in rank, got: {shapes}")
        ref = _queue_handle("PaddingFIFOQueueV2", "padding_fifo_queue", name, {
            "component_types": dtypes, "shapes": shapes, "capacity": int(capacity), "container": "",
            "shared_name": shared_name or ""})
        super().__init__(dtypes, shapes, names, ref)


class RandomShuffleQueue(QueueBase):
    """``tf.RandomShuffleQueue(capacity, min_after_dequeue, dtypes, shapes=None, names=None, seed=None,
    shared_name=None, name='random_shuffle_queue')``: dequeues random elements, keeping at least
    `min_after_dequeue` until closed; with a seed, in TF's order (engine/ops/queues.py)."""

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None, seed=None,
                 shared_name=None, name="random_shuffle_queue"):
        dtypes, shapes, names = _signature(dtypes, shapes, names)
        seed1, seed2 = random_seed.get_seed(seed)
        if seed1 is None and seed2 is None:
            seed1, seed2 = 0, 0
        ref = _queue_handle("RandomShuffleQueueV2", "random_shuffle_queue", name, {
            "component_types": dtypes, "shapes": _shapes_for_attr(shapes), "capacity": int(capacity),
            "min_after_dequeue": int(min_after_dequeue), "seed": int(seed1), "seed2": int(seed2),
            "container": "", "shared_name": shared_name or ""})
        super().__init__(dtypes, shapes, names, ref)


class PriorityQueue(QueueBase):
    """``tf.PriorityQueue(capacity, types, shapes=None, names=None, shared_name=None,
    name='priority_queue')``: elements are (int64 priority, *components); the smallest priority leaves
    first."""

    def __init__(self, capacity, types, shapes=None, names=None, shared_name=None, name="priority_queue"):
        types, shapes, names = _signature(types, shapes, names)
        ref = _queue_handle("PriorityQueueV2", "priority_queue", name, {
            "component_types": types, "shapes": _shapes_for_attr(shapes), "capacity": int(capacity),
            "container": "", "shared_name": shared_name or ""})
        super().__init__([_dtypes.int64, *types], [_ts.TensorShape([]), *shapes],
                         None if names is None else ["priority", *names], ref)


def _shapes_for_attr(shapes):
    """TF's `shapes` attr: empty when no shapes were given (the queue takes any shape), else the shapes,
    which must be fully defined (only a PaddingFIFOQueue pads unknown dims)."""
    if all(s.dims is None for s in shapes):
        return []
    if not all(s.is_fully_defined() for s in shapes):
        raise ValueError(f"All shapes must be fully defined: {shapes}")
    return shapes
