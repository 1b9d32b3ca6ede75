"""TF1's queue-based input pipelines: producers (``tf.train.string_input_producer``, `input_producer`,
`range_input_producer`, `slice_input_producer`, `limit_epochs`) and batchers (``tf.train.batch``,
`batch_join`, `shuffle_batch`, `shuffle_batch_join`).

Each builds TF's graph: a queue in the function's name scope, a QueueRunner in QUEUE_RUNNERS that keeps
it fed from threads (`tf.train.start_queue_runners`), TF's `fraction_of_*_full` scalar summary, and a
dequeue named after the scope.  `num_epochs` counts passes with a local `epochs` variable and `CountUpTo`
as TF (so `tf.local_variables_initializer()` must run); when it runs out, OutOfRangeError closes the
queues one after the other down to the training loop's dequeue.
"""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, logging_ops, math_ops, random_ops
from engine.ops.data_flow_ops import FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue
from engine.summary import ops as summary_ops
from engine.train import queue_runner

__all__ = [
    "batch", "batch_join", "input_producer", "limit_epochs", "range_input_producer", "shuffle_batch",
    "shuffle_batch_join", "slice_input_producer", "string_input_producer",
]


# --- producers ----------------------------------------------------------------------------------------------
def limit_epochs(tensor, num_epochs=None, name=None):
    """`tensor`, which raises OutOfRangeError after it was computed `num_epochs` times (a local counter)."""
    from engine import variables

    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    with ops.name_scope(name, "limit_epochs", [tensor]) as name:
        zero64 = ops.convert_to_tensor(0, dtype=dtypes.int64)
        epochs = variables.Variable(zero64, name="epochs", trainable=False,
                                    collections=[ops.GraphKeys.LOCAL_VARIABLES])
        counter = epochs.count_up_to(num_epochs)
        with ops.control_dependencies([counter]):
            return array_ops.identity(tensor, name=name)


def input_producer(input_tensor, element_shape=None, num_epochs=None, shuffle=True, seed=None, capacity=32,
                   shared_name=None, summary_name=None, name=None, cancel_op=None):
    """A FIFOQueue fed with the rows of `input_tensor` (shuffled each epoch if `shuffle`) by a QueueRunner."""
    with ops.name_scope(name, "input_producer", [input_tensor]):
        input_tensor = ops.convert_to_tensor(input_tensor, name="input_tensor")
        element_shape = input_tensor.shape[1:].merge_with(_ts.as_shape(element_shape))
        if not element_shape.is_fully_defined():
            raise ValueError("Either `input_tensor` must have a fully defined shape or `element_shape` must "
                             "be specified")
        if shuffle:
            input_tensor = random_ops.random_shuffle(input_tensor, seed=seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        q = FIFOQueue(capacity=capacity, dtypes=[input_tensor.dtype.base_dtype], shapes=[element_shape],
                      shared_name=shared_name, name=name)
        enqueue = q.enqueue_many([input_tensor])
        queue_runner.add_queue_runner(queue_runner.QueueRunner(q, [enqueue], cancel_op=cancel_op))
        if summary_name is not None:
            summary_ops.scalar(summary_name, array_ops.cast(q.size(), dtypes.float32) * (1.0 / capacity))
        return q


def string_input_producer(string_tensor, num_epochs=None, shuffle=True, seed=None, capacity=32,
                          shared_name=None, name=None, cancel_op=None):
    """A queue of the strings (file names) of `string_tensor`, `num_epochs` times (None: forever)."""
    not_null_err = "string_input_producer requires a non-null input tensor"
    if not isinstance(string_tensor, ops.Tensor) and not string_tensor:
        raise ValueError(not_null_err)
    with ops.name_scope(name, "input_producer", [string_tensor]) as name:
        string_tensor = ops.convert_to_tensor(string_tensor, dtype=dtypes.string)
        nonempty = math_ops.greater(array_ops.size(string_tensor), 0)
        with ops.control_dependencies([logging_ops.Assert(nonempty, [not_null_err])]):
            string_tensor = array_ops.identity(string_tensor)
        return input_producer(input_tensor=string_tensor, element_shape=[], num_epochs=num_epochs,
                              shuffle=shuffle, seed=seed, capacity=capacity, shared_name=shared_name,
                              name=name, summary_name=f"fraction_of_{capacity}_full", cancel_op=cancel_op)


def range_input_producer(limit, num_epochs=None, shuffle=True, seed=None, capacity=32, shared_name=None,
                         name=None):
    """A queue of the integers 0 .. limit - 1."""
    with ops.name_scope(name, "input_producer", [limit]) as name:
        range_tensor = math_ops.range(limit)
        return input_producer(range_tensor, [], num_epochs, shuffle, seed, capacity, shared_name,
                              f"fraction_of_{capacity}_full", name)


def slice_input_producer(tensor_list, num_epochs=None, shuffle=True, seed=None, capacity=32, shared_name=None,
                         name=None):
    """One row of each tensor of `tensor_list` at a time (the same row of each), from a range queue."""
    with ops.name_scope(name, "input_producer", tensor_list):
        tensor_list = [ops.convert_to_tensor(t) for t in tensor_list]
        if not tensor_list:
            raise ValueError("Expected at least one tensor in slice_input_producer().")
        range_size = array_ops.shape_v1(tensor_list[0])[0]
        queue = range_input_producer(range_size, num_epochs=num_epochs, shuffle=shuffle, seed=seed,
                                     capacity=capacity, shared_name=shared_name)
        index = queue.dequeue()
        return [array_ops.gather(t, index) for t in tensor_list]


# --- batching -----------------------------------------------------------------------------------------------
def _as_tensor_list(tensors):
    if isinstance(tensors, dict):
        return [tensors[k] for k in sorted(tensors)]
    return tensors


def _as_original_type(original, tensor_list):
    if isinstance(original, dict):
        if len(original) == 1:
            tensor_list = [tensor_list]  # a one-component dequeue gives the tensor itself
        return {k: tensor_list[i] for i, k in enumerate(sorted(original))}
    return tensor_list


def _keep_input():
    """TF's batchers convert `keep_input` (True unless `maybe_batch`) first: its Const keeps TF's names."""
    return ops.convert_to_tensor(True)


def _validate(tensor_list, caller="batch"):
    if not tensor_list:
        raise ValueError(f"Expected at least one tensor in {caller}().")
    return [ops.convert_to_tensor(t) for t in tensor_list]


def _shapes(tensor_list_list, shapes, enqueue_many):
    """The queue's element shapes: given, or merged from the tensors' static shapes (rows if enqueue_many)."""
    if shapes is not None:
        return shapes
    for tensor_list in tensor_list_list:
        for t in tensor_list:
            if t.shape.ndims is None:
                raise ValueError(f"Cannot infer Tensor's rank: {t}")
    merged = []
    for i in range(len(tensor_list_list[0])):
        shape_list = [tl[i].shape for tl in tensor_list_list]
        if enqueue_many:
            shape_list = [s.with_rank_at_least(1)[1:] for s in shape_list]
        shape = shape_list[0]
        for s in shape_list[1:]:
            shape = shape.merge_with(s)
        merged.append(shape.as_list())
    return merged


def _dtypes(tensor_list_list):
    types = [t.dtype.base_dtype for t in tensor_list_list[0]]
    for other in tensor_list_list[1:]:
        if [t.dtype.base_dtype for t in other] != types:
            raise TypeError(f"Expected types to be consistent: {[t.dtype for t in other]} vs. {types}.")
    return types


def _validate_join(tensor_list_list):
    tensor_list_list = [_validate(list(tl), "batch_join") for tl in tensor_list_list]
    if not tensor_list_list:
        raise ValueError("Expected at least one input in batch_join().")
    return tensor_list_list


def _feed(queue, tensor_list_list, enqueue_many, num_threads=1):
    """The queue's QueueRunner: one enqueue op per list of tensors, or one op run by `num_threads` threads."""
    enqueue_fn = queue.enqueue_many if enqueue_many else queue.enqueue
    enqueue_ops = [enqueue_fn(tl) for tl in tensor_list_list] * num_threads
    queue_runner.add_queue_runner(queue_runner.QueueRunner(queue, enqueue_ops))


def _dequeue(queue, batch_size, allow_smaller_final_batch, name):
    if allow_smaller_final_batch:
        return queue.dequeue_up_to(batch_size, name=name)
    return queue.dequeue_many(batch_size, name=name)


def _fraction_full(queue, capacity):
    summary_ops.scalar(f"fraction_of_{capacity}_full",
                       array_ops.cast(queue.size(), dtypes.float32) * (1.0 / capacity))


def _fraction_over(queue, capacity, min_after_dequeue):
    full = array_ops.cast(math_ops.maximum(0, queue.size() - min_after_dequeue), dtypes.float32) * (
        1.0 / (capacity - min_after_dequeue))
    summary_ops.scalar(f"fraction_over_{min_after_dequeue}_of_{capacity - min_after_dequeue}_full", full)


def _batched(original, tensor_list_list, make_queue, summarize, batch_size, enqueue_many, shapes,
             allow_smaller_final_batch, name, num_threads=1):
    """The batching graph inside the caller's name scope `name`: the queue `make_queue(types, shapes)`,
    its QueueRunner, its fill summary and the dequeue named `name`, in `original`'s structure."""
    _keep_input()
    types = _dtypes(tensor_list_list)
    queue = make_queue(types, _shapes(tensor_list_list, shapes, enqueue_many))
    _feed(queue, tensor_list_list, enqueue_many, num_threads)
    summarize(queue)
    return _as_original_type(original, _dequeue(queue, batch_size, allow_smaller_final_batch, name))


def _padding_or_fifo(dynamic_pad, capacity, shared_name):
    queue_class = PaddingFIFOQueue if dynamic_pad else FIFOQueue
    return lambda types, shapes: queue_class(capacity=capacity, dtypes=types, shapes=shapes,
                                             shared_name=shared_name)


def _shuffling(capacity, min_after_dequeue, seed, shared_name):
    if capacity <= min_after_dequeue:
        raise ValueError(f"capacity {capacity} must be bigger than min_after_dequeue {min_after_dequeue}.")
    return lambda types, shapes: RandomShuffleQueue(capacity=capacity, min_after_dequeue=min_after_dequeue,
                                                    seed=seed, dtypes=types, shapes=shapes,
                                                    shared_name=shared_name)


def batch(tensors, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None,
          dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """Batches of `tensors` (a list or dict) from a FIFOQueue (PaddingFIFOQueue with `dynamic_pad`) that
    `num_threads` threads fill."""
    tensor_list = _as_tensor_list(tensors)
    with ops.name_scope(name, "batch", list(tensor_list)) as name:
        make_queue = _padding_or_fifo(dynamic_pad, capacity, shared_name)
        return _batched(tensors, [_validate(tensor_list)], make_queue, lambda q: _fraction_full(q, capacity),
                        batch_size, enqueue_many, shapes, allow_smaller_final_batch, name, num_threads)


def batch_join(tensors_list, batch_size, capacity=32, enqueue_many=False, shapes=None, dynamic_pad=False,
               allow_smaller_final_batch=False, shared_name=None, name=None):
    """Batches from several lists of tensors, one enqueuing thread per list."""
    tensor_list_list = [_as_tensor_list(t) for t in tensors_list]
    with ops.name_scope(name, "batch_join", [t for tl in tensor_list_list for t in tl]) as name:
        return _batched(tensors_list[0], _validate_join(tensor_list_list),
                        _padding_or_fifo(dynamic_pad, capacity, shared_name),
                        lambda q: _fraction_full(q, capacity), batch_size, enqueue_many, shapes,
                        allow_smaller_final_batch, name)


def shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, num_threads=1, seed=None,
                  enqueue_many=False, shapes=None, allow_smaller_final_batch=False, shared_name=None,
                  name=None):
    """Random batches of `tensors` from a RandomShuffleQueue holding at least `min_after_dequeue`."""
    tensor_list = _as_tensor_list(tensors)
    with ops.name_scope(name, "shuffle_batch", list(tensor_list)) as name:
        make_queue = _shuffling(capacity, min_after_dequeue, seed, shared_name)
        return _batched(tensors, [_validate(tensor_list)], make_queue,
                        lambda q: _fraction_over(q, capacity, min_after_dequeue), batch_size, enqueue_many,
                        shapes, allow_smaller_final_batch, name, num_threads)


def shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, seed=None, enqueue_many=False,
                       shapes=None, allow_smaller_final_batch=False, shared_name=None, name=None):
    """Random batches from several lists of tensors, one enqueuing thread per list."""
    tensor_list_list = [_as_tensor_list(t) for t in tensors_list]
    with ops.name_scope(name, "shuffle_batch_join", [t for tl in tensor_list_list for t in tl]) as name:
        make_queue = _shuffling(capacity, min_after_dequeue, seed, shared_name)
        return _batched(tensors_list[0], _validate_join(tensor_list_list), make_queue,
                        lambda q: _fraction_over(q, capacity, min_after_dequeue), batch_size, enqueue_many,
                        shapes, allow_smaller_final_batch, name)
