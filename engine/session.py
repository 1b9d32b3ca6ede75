"""`tf.Session`: the client that runs the part of a graph the fetches need (engine/runtime/ runs it).

The first `run` with a given (fetch structure, feed keys) signature asks the session's `Planner`
(engine/runtime/plan.py) for a plan: pruned back from the fetches, lowered with the plan passes, made
into one straight-line Python function.  Later runs with the same signature only convert the feed
values, call that function and rebuild the fetch structure (see `bench/session_run.py`).  This module
keeps what TF's client does: fetch structures, feed checks, the plan cache, and TF's error classes with
the failing node named (`[[{{node add}}]]`).

Each op runs at most once per `run`, so a random tensor fetched twice in one run has one value.
Variables live in the session's runtime state (`engine.runtime.state.Runtime.cells`): two sessions on
one graph have two states.
"""

from __future__ import annotations

import collections
import threading
import time

import numpy as np

from engine.framework import errors, ops
from engine.framework.indexed_slices import IndexedSlices, IndexedSlicesValue
from engine.framework.sparse_tensor import SparseTensor, SparseTensorValue
from engine.runtime import blas_threads, deadline, heap, passes, tracing
from engine.runtime.graph_watch import GraphWatch
from engine.runtime.plan import Planner
from engine.runtime.state import Runtime

__all__ = ["BaseSession", "ConfigProto", "GPUOptions", "InteractiveSession", "RunOptions", "Session"]

_ndarray = np.ndarray


# --- fetch structures ---------------------------------------------------------------------------------------
_LIST, _TUPLE, _DICT, _NAMEDTUPLE = "list", "tuple", "dict", "namedtuple"
_GRAPH_ELEMENTS = (ops.Tensor, ops.Operation)


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _structure_key(fetches):
    """A hashable key describing the fetch structure and its leaves (plans are cached under it)."""
    t = type(fetches)
    if t is list:
        return (_LIST, tuple(_structure_key(f) for f in fetches))
    if t is tuple:
        return (_TUPLE, tuple(_structure_key(f) for f in fetches))
    if isinstance(fetches, dict):
        return (_DICT, t, tuple((k, _structure_key(v)) for k, v in fetches.items()))
    if _is_namedtuple(fetches):
        return (_NAMEDTUPLE, t, tuple(_structure_key(f) for f in fetches))
    return fetches


def _flatten_fetches(fetches, out):
    """Appends the leaves to `out`; returns a function rebuilding the structure from the flat results."""
    if isinstance(fetches, (list, tuple)) and not _is_namedtuple(fetches):
        builders = [_flatten_fetches(f, out) for f in fetches]
        kind = type(fetches)
        return lambda values: kind(b(values) for b in builders)
    if _is_namedtuple(fetches):
        builders = [_flatten_fetches(f, out) for f in fetches]
        kind = type(fetches)
        return lambda values: kind(*[b(values) for b in builders])
    if isinstance(fetches, dict):
        keys = list(fetches)
        builders = [_flatten_fetches(fetches[k], out) for k in keys]
        kind = type(fetches)
        if kind is collections.defaultdict:
            factory = fetches.default_factory
            return lambda values: collections.defaultdict(
                factory,
                zip(keys, [b(v) for b, v in zip(builders, [values] * len(keys), strict=True)], strict=True),
            )
        return lambda values: kind(zip(keys, [b(values) for b in builders], strict=True))
    if isinstance(fetches, SparseTensor):  # three tensors, fetched as one SparseTensorValue
        first = len(out)
        out.extend((fetches.indices, fetches.values, fetches.dense_shape))
        return lambda values: SparseTensorValue(values[first], values[first + 1], values[first + 2])
    if isinstance(fetches, IndexedSlices):  # fetched as one IndexedSlicesValue, as TF's fetch mapper does
        first = len(out)
        parts = [fetches.values, fetches.indices]
        if fetches.dense_shape is not None:
            parts.append(fetches.dense_shape)
        out.extend(parts)
        if fetches.dense_shape is None:
            return lambda values: IndexedSlicesValue(values[first], values[first + 1], None)
        return lambda values: IndexedSlicesValue(values[first], values[first + 1], values[first + 2])
    if hasattr(fetches, "session_components"):  # a RaggedTensor: its splits and flat values, as one value
        first = len(out)
        out.extend(fetches.session_components())
        end, rebuild = len(out), fetches.value_from_components
        return lambda values: rebuild(values[first:end])
    index = len(out)
    out.append(fetches)
    return lambda values: values[index]


def _sparse_feed_expander(feed_keys):
    """None when no feed key is a SparseTensor or RaggedTensor; else a function turning such a feed dict into
    one whose keys are tensors: a SparseTensor key feeds its indices, values and dense_shape from a
    SparseTensorValue or any sequence of those three, a RaggedTensor key its nested row splits and flat
    values from a RaggedTensorValue, as TF's session expands them."""
    if not any(isinstance(k, SparseTensor) or hasattr(k, "session_components") for k in feed_keys):
        return None

    def expand(feed_dict):
        flat = {}
        for key, value in feed_dict.items():
            if isinstance(key, SparseTensor):
                if isinstance(value, ops.Tensor) or not hasattr(value, "__len__") or len(value) != 3:
                    raise TypeError(
                        f"The value fed to the SparseTensor {key!r} must be a tf.SparseTensorValue or a "
                        f"tuple (indices, values, dense_shape), got {value!r}"
                    )
                flat.update(zip((key.indices, key.values, key.dense_shape), value, strict=True))
            elif hasattr(key, "session_components"):  # a RaggedTensor, fed from a RaggedTensorValue
                parts = _ragged_feed_parts(key, value)
                flat.update(zip(key.session_components(), parts, strict=True))
            else:
                flat[key] = value
        return flat

    return expand


def _ragged_feed_parts(key, value):
    """The nested row splits and flat values of a RaggedTensorValue fed to the RaggedTensor `key`; None
    for each while the plan is built from the keys alone."""
    if value is None or (isinstance(value, tuple) and all(v is None for v in value)):
        return [None] * len(key.session_components())
    if not hasattr(value, "nested_row_splits"):
        raise TypeError(f"The value fed to the RaggedTensor {key!r} must be a tf.ragged.RaggedTensorValue, "
                        f"got {value!r}")
    parts = [*value.nested_row_splits, value.flat_values]
    if len(parts) != len(key.session_components()):
        raise ValueError(f"The RaggedTensorValue fed to {key!r} has ragged_rank {len(parts) - 1}, the "
                         f"RaggedTensor {len(key.session_components()) - 1}")
    return parts


class _Signature:
    """One cached (fetch structure, feed keys) signature: the runtime's plan and what the client needs to
    convert the feeds and rebuild the fetch structure.  `expand` is None or what flattens a feed dict with
    SparseTensor or RaggedTensor keys."""

    __slots__ = ("plan", "feed_specs", "feed_shapes", "build", "single", "fed_ops", "expand")

    @property
    def code(self):
        return self.plan.code

    @property
    def line_ops(self):
        return self.plan.line_ops


def _utf8(array):
    """A string feed's elements as bytes, as TF feeds a `str` (UTF-8 encoded); a constant's are bytes."""
    flat = array.reshape(-1)
    if not any(isinstance(v, str) for v in flat):
        return array
    out = np.empty(array.shape, dtype=object)
    out.reshape(-1)[:] = [v.encode() if isinstance(v, str) else v for v in flat]
    return out


class BaseSession:
    """Shared implementation of Session and InteractiveSession."""

    def __init__(self, target="", graph=None, config=None):
        if graph is None:
            graph = ops.get_default_graph()
        elif not isinstance(graph, ops.Graph):
            raise TypeError(f"graph must be a tf.Graph, but got {type(graph)}")
        self._graph = graph
        self._target = target
        self._config = config
        self._closed = False
        self._operation_timeout = int(getattr(config, "operation_timeout_in_ms", 0) or 0)
        self._runtime = Runtime(self)
        self._blas = blas_threads.BlasThreads.from_config(config)
        heap.keep_freed_memory()
        self._watch = GraphWatch(graph)
        self._planner = Planner(self._runtime, self._watch, passes.configured())
        self._plans = {}
        # Threads may run steps at once (queue runners): planning, which compiles kernels, is one at a time.
        self._planning = threading.RLock()
        self._tracer = self._traced_planner = None  # made by the first traced run (tracing.py)
        self._traced_plans = {}
        self._default_session_cm = None
        self._default_graph_cm = None

    # --- properties ---------------------------------------------------------------------------------------
    @property
    def graph(self):
        return self._graph

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    @property
    def sess_str(self):
        return self._target

    def list_devices(self):
        return [_DeviceAttributes()]

    def close(self):
        """Releases the session's state; later `run` calls raise RuntimeError."""
        self._closed = True
        self._plans.clear()
        self._traced_plans.clear()
        if self._runtime is not None:
            self._runtime.close()  # threads blocked on a queue get CancelledError
        self._runtime = self._planner = self._traced_planner = None

    def as_default(self):
        """Context manager making this the default session (for `Tensor.eval` / `Operation.run`)."""
        return _DefaultSession(self)

    # --- running ------------------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Computes `fetches` (any nesting of lists, tuples, dicts, namedtuples of graph elements).

        Tensors come back as numpy values, Operations as None, in the same structure.  With `options`
        asking for a trace (`trace_level`) or `output_partition_graphs`, `run_metadata` is filled as TF
        fills it (engine/runtime/tracing.py).
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if (options is not None or self._operation_timeout) and deadline.current() is None:
            timeout = getattr(options, "timeout_in_ms", 0) or self._operation_timeout
            if timeout > 0:  # blocking kernels (queues) raise DeadlineExceededError after it
                with deadline.within(timeout):
                    return self.run(fetches, feed_dict, options, run_metadata)
        watch = self._watch
        if watch.changes.count != watch.seen:  # new ops or rewrites
            self._refresh()
        if options is not None and run_metadata is not None and (
                getattr(options, "trace_level", 0) or getattr(options, "output_partition_graphs", False)):
            return self._run_traced(fetches, feed_dict, options, run_metadata)
        t = type(fetches)
        if t is ops.Tensor or t is ops.Operation:
            key = fetches
        elif t is list and all([type(f) in _GRAPH_ELEMENTS for f in fetches]):
            key = (_LIST, tuple(fetches))  # what _structure_key gives a flat list, without recursion
        else:
            key = _structure_key(fetches)
        if feed_dict:
            feed_keys = tuple(feed_dict)
            entry = self._plans.get((key, feed_keys))
            if entry is None:
                with self._planning:
                    entry = self._plans[(key, feed_keys)] = self._make_plan(fetches, feed_keys, feed_dict)
            if entry.expand is not None:
                feed_dict = entry.expand(feed_dict)
            args = self._convert_feeds(entry, feed_dict)
            plan = entry.plan
        else:
            entry = self._plans.get(key)
            if entry is None:
                with self._planning:
                    entry = self._plans[key] = self._make_plan(fetches, (), None)
            plan = entry.plan
            args = ()
        if plan.guarded:
            plan = plan.select(args)
        blas = self._blas
        if blas_threads.PROCESS.owner is not blas or time.monotonic() >= blas.due:
            blas.apply()
        try:
            results = plan.fn(*args)
        except Exception as e:  # noqa: BLE001 - re-raised as TF's error class with the failing node named
            raise _translate_error(plan, e) from None
        if entry.single:
            return results
        return entry.build(results)

    def _refresh(self):
        """The graph changed since the last run: drop what the change makes stale (graph_watch.py)."""
        with self._planning:  # queue-runner threads may notice the change at once
            if self._watch.changes.count == self._watch.seen:
                return
            self._refresh_locked()

    def _refresh_locked(self):
        drop_plans, drop_kernels = self._watch.refresh()
        if drop_plans:
            self._plans.clear()
            self._traced_plans.clear()
        if drop_kernels:
            self._runtime.forget_kernels()

    def _run_traced(self, fetches, feed_dict, options, run_metadata):
        """`run` through the traced plans (their own cache and planner), then `run_metadata` filled."""
        if self._tracer is None:
            self._tracer = tracing.Tracer()
            enabled = self._planner.enabled & tracing.TRACEABLE
            self._traced_planner = Planner(self._runtime, self._watch, enabled, self._tracer.instrument)
        feed_keys = tuple(feed_dict) if feed_dict else ()
        key = (_structure_key(fetches), feed_keys)
        entry = self._traced_plans.get(key)
        if entry is None:
            entry = self._traced_plans[key] = self._make_plan(fetches, feed_keys, feed_dict or None,
                                                              self._traced_planner)
        if entry.expand is not None:
            feed_dict = entry.expand(feed_dict)
        args = self._convert_feeds(entry, feed_dict) if feed_keys else ()
        plan = entry.plan.select(args) if entry.plan.guarded else entry.plan
        records = self._tracer.records
        with self._tracer.lock:
            records.clear()
            wall_ns, perf_ns = time.time_ns(), time.perf_counter_ns()
            try:
                results = plan.fn(*args)
            except Exception as e:  # noqa: BLE001 - as in run()
                raise _translate_error(plan, e) from None
            finally:
                executed = list(records)
                records.clear()
        tracing.fill(run_metadata, options, executed, wall_ns, perf_ns, self._graph, entry.fed_ops)
        return results if entry.single else entry.build(results)

    def _convert_feeds(self, entry, feed_dict):
        """The feed values as arrays of the fed tensors' dtypes, checked against their static shapes
        (`entry.feed_shapes`: the ones its plan is specialised to, which passed these checks before)."""
        args = []
        shapes = entry.feed_shapes
        for i, ((key, np_dtype, dims, tensor), value) in enumerate(
            zip(entry.feed_specs, feed_dict.values(), strict=True)
        ):
            if type(value) is not _ndarray or value.dtype != np_dtype:
                if isinstance(value, ops.Tensor):
                    raise TypeError(
                        "The value of a feed cannot be a tf.Tensor object. Acceptable feed values include "
                        "Python scalars, strings, lists, numpy ndarrays, or TensorHandles. For reference, "
                        f"the tensor object was {value} which was passed to the feed with key {key}."
                    )
                try:
                    value = np.asarray(value, dtype=np_dtype)
                except (TypeError, ValueError) as e:
                    raise ValueError(f"setting an array element with a sequence. ({e})") from None
            if np_dtype is np.object_:  # tf.string's (a variant's is `object`)
                value = _utf8(value)
            if dims is not None and (shapes is None or value.shape != shapes[i]):
                shape = value.shape
                if len(shape) != len(dims) or any(
                    d is not None and d != s for d, s in zip(dims, shape, strict=True)
                ):
                    raise ValueError(
                        f"Cannot feed value of shape {shape!r} for Tensor {tensor.name!r}, which has shape "
                        f"{str(tensor.get_shape())!r}"
                    )
            args.append(value)
        return args

    # --- planning -----------------------------------------------------------------------------------------
    def _resolve(self, fetch):
        graph = self._graph
        if fetch is None:
            raise TypeError(f"Fetch argument None has invalid type {type(None)}")
        try:
            element = graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
        except TypeError as e:
            raise TypeError(
                f"Fetch argument {fetch!r} has invalid type {type(fetch)!r}, must be a string or "
                f"Tensor. ({e})"
            ) from None
        except (ValueError, KeyError) as e:
            msg = e.args[0] if isinstance(e, KeyError) else str(e)
            raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. ({msg})") from None
        return element

    def _resolve_feed(self, key):
        try:
            t = self._graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (TypeError, ValueError, KeyError) as e:
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e.args[0]}") from None
        return t

    def _make_plan(self, fetches, feed_keys, feed_dict, planner=None):
        if self._graph.version == 0:
            raise RuntimeError(
                "The Session graph is empty. Add operations to the graph before calling run()."
            )
        leaves = []
        build = _flatten_fetches(fetches, leaves)
        targets = [self._resolve(f) for f in leaves]
        entry = _Signature()
        entry.expand = _sparse_feed_expander(feed_keys)
        if entry.expand is not None:
            feed_keys = tuple(entry.expand(dict.fromkeys(feed_keys, (None, None, None))))
            if feed_dict is not None:
                feed_dict = entry.expand(feed_dict)
        feeds = [self._resolve_feed(k) for k in feed_keys]
        entry.feed_specs = [
            (key, t.dtype.base_dtype.as_numpy_dtype, t.get_shape()._as_tuple(), t)
            for key, t in zip(feed_keys, feeds, strict=True)
        ]
        nested = (list, tuple, dict, SparseTensor, IndexedSlices)

        def composite(f):  # fetched through its parts: nested structures, a RaggedTensor's components
            return isinstance(f, nested) or hasattr(f, "session_components")

        entry.single = not composite(fetches)
        if type(fetches) is list and not any(composite(f) for f in fetches):
            build = list  # a flat list of fetches: the results in order
        entry.build = build
        entry.feed_shapes = None
        feed_shapes = None
        if feed_dict is not None:
            # The plan may specialise itself to these shapes (checked on every run; others run a variant).
            try:
                feed_shapes = tuple(a.shape for a in self._convert_feeds(entry, feed_dict))
            except Exception:  # noqa: BLE001 - run() converts the feeds again and raises the error
                feed_shapes = None
        entry.fed_ops = [t.op for t in feeds]
        entry.plan = (planner or self._planner).build(targets, feeds, entry.single, feed_shapes)
        entry.feed_shapes = entry.plan.feed_shapes
        return entry

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function `f(*feed_values)` equivalent to `run(fetches, dict(zip(feed_list, feed_values)))`."""
        feed_list = list(feed_list or [])

        def runner(*values, **kwargs):
            if len(values) != len(feed_list):
                raise ValueError(f"Expected {len(feed_list)} feed values, got {len(values)}")
            # `options=` / `run_metadata=` go to run(), as TF's callables pass them (a traced run).
            feed_dict = dict(zip(feed_list, values, strict=True)) if feed_list else None
            return self.run(fetches, feed_dict, **kwargs)

        return runner

    # --- context manager ----------------------------------------------------------------------------------
    def __enter__(self):
        self._default_graph_cm = self._graph.as_default()
        self._default_graph_cm.__enter__()
        self._default_session_cm = self.as_default()
        self._default_session_cm.__enter__()
        return self

    def __exit__(self, exc_type, exc_value, tb):
        self._default_session_cm.__exit__(exc_type, exc_value, tb)
        self._default_graph_cm.__exit__(exc_type, exc_value, tb)
        self.close()
        return False

    def __del__(self):
        self._closed = True

    def __repr__(self):
        # TF's sessions have Python's default repr; printed sessions read as TF's do (addresses aside).
        return f"<tensorflow.python.client.session.{type(self).__name__} object at {id(self):#x}>"


class Session(BaseSession):
    """TF 1.x `tf.Session(target='', graph=None, config=None)`."""


class InteractiveSession(BaseSession):
    """A Session that makes itself the default session until `close()` (for shells and notebooks)."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._default_session_cm = self.as_default()
        self._default_session_cm.__enter__()
        self._default_graph_cm = self._graph.as_default()
        self._default_graph_cm.__enter__()
        self._explicitly_closed = False

    def close(self):
        if not self._closed and self._default_session_cm is not None:
            self._default_session_cm.__exit__(None, None, None)
            self._default_graph_cm.__exit__(None, None, None)
            self._default_session_cm = None
        super().close()


class _DefaultSession:
    def __init__(self, session):
        self._session = session

    def __enter__(self):
        ops._session_stack().append(self._session)
        return self._session

    def __exit__(self, *exc):
        stack = ops._session_stack()
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] is self._session:
                del stack[i]
                break
        return False


class _DeviceAttributes:
    name = "/job:localhost/replica:0/task:0/device:CPU:0"
    device_type = "CPU"
    memory_limit_bytes = 0
    incarnation = 0


def _translate_error(plan, exc):
    """Turns a kernel failure into TF's error class, naming the node that raised it."""
    op = plan.failing_op(exc)
    if isinstance(exc, errors.OpError):
        if exc.op is None and op is not None:
            message = f"{exc.message}\n\t [[{{{{node {op.name}}}}}]]"
            return type(exc)(op.node_def, op, message)
        return exc
    if isinstance(exc, (ValueError, IndexError, ArithmeticError)) and op is not None:
        return errors.InvalidArgumentError(op.node_def, op, f"{exc}\n\t [[{{{{node {op.name}}}}}]]")
    return exc


class _Options:
    """Keyword-initialized options record (fields are kept as attributes)."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({fields})"


class ConfigProto(_Options):
    """`tf.ConfigProto(...)` for `tf.Session(config=...)`.

    `intra_op_parallelism_threads` (0: automatic) sets how many threads BLAS may use while the session
    runs (engine/runtime/blas_threads.py); `operation_timeout_in_ms` is the deadline of every run that
    blocks on a queue (unless its RunOptions give one).  The numpy runtime has no devices, other thread
    pools or GPU memory to configure, so the other fields (e.g. `inter_op_parallelism_threads`,
    `log_device_placement`, `allow_soft_placement`, `gpu_options`) are recorded and have no effect.
    """


class GPUOptions(_Options):
    """`tf.GPUOptions(...)`: recorded in a ConfigProto; there is no GPU to configure."""


class RunOptions(_Options):
    """`tf.RunOptions(trace_level=..., output_partition_graphs=..., timeout_in_ms=...)` for
    `Session.run(options=...)`: with a `run_metadata`, a trace level above NO_TRACE fills its `step_stats`,
    `output_partition_graphs` its `partition_graphs` (every level records the same: there is no hardware
    to trace here).  `timeout_in_ms` ends a run blocked on a queue with DeadlineExceededError."""

    NO_TRACE = 0
    SOFTWARE_TRACE = 1
    HARDWARE_TRACE = 2
    FULL_TRACE = 3
