"""`tf.Session`: runs the part of a graph that the fetches need, with numpy kernels.

How a run works
---------------
The first `run` with a given (fetch structure, feed keys) signature builds a *plan*: it prunes the
graph back from the fetches (stopping at fed tensors), orders the needed ops topologically, binds each
op's kernel (compiled once per session) and Const values, and generates one straight-line Python
function that calls the kernels in order (`v3 = k0(c0, v1)` ...).  Later runs with the same signature
only convert the feed values and call that function, so the per-call cost does not grow with Python
graph walking (see `bench/session_run.py`).  The plan folds constants and shapes known when it is built,
calls no kernel for VariableV2/Identity/StopGradient/NoOp, binds kernels to the input values it knows
(`_bind`), lets elementwise kernels write into input buffers that nothing reads any more
(`_forward_buffers`), and frees values after their last use (see `_generate` and docs/engine.md); the
graph itself is never changed.

Each op runs at most once per `run`, so a random tensor fetched twice in one run has one value.
Variables live in the session (`Runtime.cells`): two sessions on one graph have two states.
Error texts and classes follow TF 1.x; a failing kernel's error names its node (`[[{{node add}}]]`).
"""

from __future__ import annotations

import collections
import warnings

import numpy as np

from engine.dependency_optimizer import prune as _prune
from engine.framework import errors, ops, tensor_shape

_ndarray = np.ndarray
_generic = np.generic


class VariableCell:
    """The storage of one variable in one session; ref inputs of kernels receive this object.

    `value` is the current ndarray (None until initialized).  Kernels may update it in place
    (`cell.value -= delta`) or replace it.  `read()` returns it or raises FailedPreconditionError.
    """

    __slots__ = ("value", "name")

    def __init__(self, name, value=None):
        self.name = name
        self.value = value

    def read(self):
        value = self.value
        if value is None:
            raise errors.FailedPreconditionError(
                None, None, f"Attempting to use uninitialized value {self.name}"
            )
        return value

    def __repr__(self):
        return f"<VariableCell {self.name!r} initialized={self.value is not None}>"


def _read(cell):
    # Module-level so generated plans call it with one global lookup per ref read.
    value = cell.value
    if value is None:
        raise errors.FailedPreconditionError(None, None, f"Attempting to use uninitialized value {cell.name}")
    return value


def _to_output(x):
    """A fetched value as TF returns it: numpy scalars for rank 0, a fresh ndarray otherwise."""
    if type(x) is _ndarray:
        return x.copy() if x.ndim else x[()]
    if isinstance(x, _generic):
        return x
    if isinstance(x, VariableCell):
        return _to_output(x.read())
    if isinstance(x, bytes):  # a string scalar: TF returns bytes
        return x
    return np.asarray(x)


class Runtime:
    """Per-session state: variable cells, random generators and compiled kernels."""

    def __init__(self, session):
        self.session = session
        self.cells = {}
        self.rngs = {}
        self.kernels = {}

    def cell(self, variable_op):
        """The `VariableCell` of a VariableV2 op (created empty on first use)."""
        cell = self.cells.get(variable_op)
        if cell is None:
            shared = variable_op._attrs.get("shared_name") or variable_op.name
            cell = self.cells[variable_op] = VariableCell(shared)
        return cell

    def rng(self, op):
        """The op's random generator: seeded from its seed/seed2 attrs, or from entropy if both are 0.

        The stream continues across runs of one session and restarts in a new session, as TF's does;
        the numbers themselves are numpy's (PCG64), not TensorFlow's Philox stream.
        """
        gen = self.rngs.get(op)
        if gen is None:
            seed = int(op._attrs.get("seed", 0))
            seed2 = int(op._attrs.get("seed2", 0))
            if seed == 0 and seed2 == 0:
                gen = np.random.default_rng()
            else:
                gen = np.random.default_rng([seed & 0xFFFFFFFFFFFF, seed2 & 0xFFFFFFFFFFFF])
            self.rngs[op] = gen
        return gen

    def kernel(self, op):
        k = self.kernels.get(op)
        if k is None:
            k = self.kernels[op] = op._op_def.make_kernel(op, self)
        return k


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
    index = len(out)
    out.append(fetches)
    return lambda values: values[index]


class _Plan:
    """One compiled (fetches, feeds) signature: the generated function and feed conversion data."""

    __slots__ = ("fn", "feed_specs", "build", "single", "line_ops", "code",
                 "shapes", "generic", "var_shapes", "unfolded")


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
        self._runtime = Runtime(self)
        self._plans = {}
        self._graph_rewrites = graph._rewrites
        self._trust_shapes = True
        self._checked_ops = 0
        self._reshapeable = set()  # VariableV2 ops an Assign may give another shape (see _note_new_ops)
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
        self._runtime = None

    def as_default(self):
        """Context manager making this the default session (for `Tensor.eval` / `Operation.run`)."""
        return _DefaultSession(self)

    # --- running ------------------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Computes `fetches` (any nesting of lists, tuples, dicts, namedtuples of graph elements).

        Tensors come back as numpy values, Operations as None, in the same structure.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if self._graph._rewrites != self._graph_rewrites:
            self._forget_rewritten_graph()
        if self._graph._last_id != self._checked_ops:
            self._note_new_ops()
        t = type(fetches)
        if t is ops.Tensor or t is ops.Operation:
            key = fetches
        elif t is list and all([type(f) in _GRAPH_ELEMENTS for f in fetches]):
            key = (_LIST, tuple(fetches))  # what _structure_key gives a flat list, without recursion
        else:
            key = _structure_key(fetches)
        if feed_dict:
            feed_keys = tuple(feed_dict)
            plan = self._plans.get((key, feed_keys))
            if plan is None:
                plan = self._plans[(key, feed_keys)] = self._make_plan(fetches, feed_keys, feed_dict)
            args = self._convert_feeds(plan, feed_dict)
            if plan.shapes is not None and tuple([a.shape for a in args]) != plan.shapes:
                if plan.generic is not None and not isinstance(plan.generic, _Plan):
                    plan.generic = plan.generic()
                plan = plan.generic
        else:
            plan = self._plans.get(key)
            if plan is None:
                plan = self._plans[key] = self._make_plan(fetches, (), None)
            args = ()
        if plan.var_shapes is not None and not all([
            c.value is None or c.value.shape == shape for c, shape in plan.var_shapes
        ]):
            if not isinstance(plan.unfolded, _Plan):
                plan.unfolded = plan.unfolded()
            plan = plan.unfolded
        try:
            results = plan.fn(*args)
        except Exception as e:  # noqa: BLE001 - re-raised as TF's error class with the failing node named
            raise self._translate_error(plan, e) from None
        if plan.single:
            return results
        return plan.build(results)

    def _convert_feeds(self, plan, feed_dict):
        args = []
        shapes = plan.shapes  # a plan specialised to feed shapes: those passed the checks below
        for i, ((key, np_dtype, dims, tensor), value) in enumerate(
            zip(plan.feed_specs, feed_dict.values(), strict=True)
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

    def _translate_error(self, plan, exc):
        """Turns a kernel failure into TF's error class, naming the node that raised it."""
        op = None
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<plan>":
                op = plan.line_ops.get(tb.tb_lineno)
            tb = tb.tb_next
        if isinstance(exc, errors.OpError):
            if exc.op is None and op is not None:
                message = f"{exc.message}\n\t [[{{{{node {op.name}}}}}]]"
                return type(exc)(op.node_def, op, message)
            return exc
        if isinstance(exc, (ValueError, IndexError, ArithmeticError)) and op is not None:
            return errors.InvalidArgumentError(op.node_def, op, f"{exc}\n\t [[{{{{node {op.name}}}}}]]")
        return exc

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

    def _make_plan(self, fetches, feed_keys, feed_dict, fold_shapes=True):
        graph = self._graph
        if graph._last_id == 0:
            raise RuntimeError(
                "The Session graph is empty. Add operations to the graph before calling run()."
            )
        leaves = []
        build = _flatten_fetches(fetches, leaves)
        targets = [self._resolve(f) for f in leaves]
        feeds = [self._resolve_feed(k) for k in feed_keys]
        fed = {}
        feed_specs = []
        for i, (key, t) in enumerate(zip(feed_keys, feeds, strict=True)):
            fed[t] = i
            shape = t.get_shape()
            dims = shape._as_tuple()
            feed_specs.append((key, t.dtype.base_dtype.as_numpy_dtype, dims, t))
        ordered = _prune(targets, fed)
        plan = _Plan()
        plan.feed_specs = feed_specs
        plan.single = not isinstance(fetches, (list, tuple, dict))
        if type(fetches) is list and not any(isinstance(f, (list, tuple, dict)) for f in fetches):
            build = list  # a flat list of fetches: the results in order
        plan.build = build
        plan.shapes = plan.generic = plan.var_shapes = plan.unfolded = None
        self._note_new_ops()
        fold_shapes = fold_shapes and self._trust_shapes
        if fold_shapes and self._reshapeable:
            # Shapes are folded for the variables' declared shapes: a variable an Assign of this plan may
            # reshape turns folding off; one reshaped by another run sends this run to an unfolded plan.
            if any(op._type == "Assign" and op._inputs[0].op in self._reshapeable for op in ordered):
                fold_shapes = False
            else:
                plan.var_shapes = tuple(
                    (self._runtime.cell(op), op._attrs["shape"]._as_tuple())
                    for op in ordered
                    if op in self._reshapeable and op._attrs["shape"].is_fully_defined()
                ) or None
                if plan.var_shapes is not None:
                    plan.unfolded = lambda: self._make_plan(fetches, feed_keys, None, fold_shapes=False)
        fed_shapes = None
        if feed_dict is not None and fold_shapes and _wants_feed_shapes(ordered, feeds):
            # Specialise the plan to the feeds' shapes (checked on every run; others use `generic`).
            try:
                shapes = tuple(a.shape for a in self._convert_feeds(plan, feed_dict))
            except Exception:  # noqa: BLE001 - run() converts the feeds again and raises the error
                shapes = None
            if shapes is not None:
                plan.shapes = shapes
                fed_shapes = dict(zip(feeds, shapes, strict=True))
                plan.generic = lambda: self._make_plan(fetches, feed_keys, None, fold_shapes)
        fn, plan.line_ops, plan.code = _generate(
            self._runtime, ordered, targets, feeds, fed, plan.single, fed_shapes, fold_shapes
        )
        # TF computes inf/nan silently; numpy would warn (an error under `-W error`).  errstate as a
        # decorator builds its state once, here, rather than on every run as a `with` block would.
        plan.fn = np.errstate(all="ignore")(fn)
        return plan

    def _forget_rewritten_graph(self):
        """An op's inputs, control inputs or attrs changed after this session planned: drop the plans and
        the compiled kernels (a kernel reads its op's attrs once, when it is compiled), and look at every
        Assign again (a rewired one may now reshape a variable).  Variable values and random streams are
        session state and stay; variables already noted as reshapeable stay so, as their values may
        already have another shape."""
        self._plans.clear()
        self._runtime.kernels.clear()
        self._checked_ops = 0
        self._graph_rewrites = self._graph._rewrites

    def _note_new_ops(self):
        """Keeps track of the variables whose shape may differ from the one their VariableV2 declares.

        Plans fold Shape ops (and no-op Reshapes) from static shapes.  A variable keeps its declared
        shape unless an `Assign` with `validate_shape=False`, or with a value of partly unknown shape
        (which the engine's Assign accepts into an uninitialized variable, e.g. a Saver's restore),
        gives it another.  Such variables are "reshapeable": plans check their shapes on every run (and
        run unfolded when they differ), and a plan holding such an Assign folds no shapes.  New ops
        clear the plans when they add a reshapeable variable.
        """
        graph = self._graph
        if graph._last_id == self._checked_ops:
            return
        for op in graph._nodes[self._checked_ops:]:
            if op._type == "Assign" and (
                not op._attrs.get("validate_shape", True) or not op._inputs[1]._shape.is_fully_defined()
            ):
                target = op._inputs[0].op
                if target._type != "VariableV2":
                    self._trust_shapes = False  # a ref from elsewhere: fold no shapes at all
                elif target not in self._reshapeable:
                    self._reshapeable.add(target)
                self._plans.clear()
            elif op._type == "AssignVariableOp":  # resource variables (from imported graphs)
                self._trust_shapes = False
                self._plans.clear()
        self._checked_ops = graph._last_id
        # Every plan is built after this call, from ops up to here: changes to them must reach us.
        graph._seen_by_sessions = max(graph._seen_by_sessions, graph._last_id)

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function `f(*feed_values)` equivalent to `run(fetches, dict(zip(feed_list, feed_values)))`."""
        feed_list = list(feed_list or [])

        def runner(*values, **kwargs):
            if len(values) != len(feed_list):
                raise ValueError(f"Expected {len(feed_list)} feed values, got {len(values)}")
            return self.run(fetches, dict(zip(feed_list, values, strict=True)) if feed_list else None)

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


# --- code generation (pruning is engine/dependency_optimizer.py) --------------------------------------
# Plan-time constant folding: a pure op whose inputs are all known when the plan is built (Const values
# or other folded ops) is evaluated once, here, and its outputs are bound as constants, like Grappler's
# constant folding -- in the plan only; the graph and its GraphDef stay as built.  An op is folded only
# when its kernel succeeds without a warning, so an op that would fail keeps its line (and its error,
# naming the node) in the plan.  Results above TF's 10 MiB folding limit are computed per run.
_FOLD_MAX_BYTES = 10 << 20
_PASS_THROUGH = frozenset(("Identity", "StopGradient"))


def _fold(runtime, op, known):
    """The op's output values computed now, or None when it must run with the plan."""
    definition = op._op_def
    outs = op._outputs
    if definition.stateful or definition.ref_inputs or definition.ref_output or not outs:
        return None
    if op._type == "Placeholder":  # its kernel is the "must feed" error
        return None
    args = []
    for t in op._inputs:
        if t not in known:
            return None
        args.append(known[t])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(all="ignore"):
                result = runtime.kernel(op)(*args)
    except Exception:  # noqa: BLE001 - it will raise again, at run time, with the node named
        return None
    if len(outs) == 1:
        values = (result,)
    else:
        try:
            values = tuple(result)
        except TypeError:
            return None
        if len(values) != len(outs):
            return None
    for v in values:
        if not isinstance(v, (_ndarray, _generic, bytes)) or getattr(v, "nbytes", 0) > _FOLD_MAX_BYTES:
            return None
    return values


_SHAPE_OPS = frozenset(("Shape", "Size", "Rank"))  # outputs that depend only on the input's shape


class _ShapeOracle:
    """Shapes of a plan's tensors as far as they are known before running it.

    A tensor's shape is its static shape when that is fully defined (the contract every op's `infer`
    keeps, and the one Grappler's shape materialization relies on).  A plan specialised to the shapes of
    its feeds (see `BaseSession._make_plan`) also re-runs the registered `infer` functions on a scratch
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
        dims = (st if st is not None else t)._shape._as_tuple()
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
            dims = self.fed_shapes.get(t) if t in self.fed_shapes else t._shape._as_tuple()
            shape = t._shape if dims is None else tensor_shape.TensorShape(list(dims))
            attrs = {"dtype": t.dtype.base_dtype, "shape": shape}
            st = g.create_op("Placeholder", [], name=name, attrs=attrs)
        st = self.scratch[t] = st._outputs[0]
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
            inputs = [self._stand_in(t, known) for t in op._inputs]
            sop = self.graph.create_op(op._type, inputs, name=f"s{len(self.scratch)}_op/",
                                       attrs=dict(op._attrs))
        except Exception:  # noqa: BLE001 - the op's real outputs keep their static shapes
            return
        if len(sop._outputs) == len(op._outputs):
            self.scratch.update(zip(op._outputs, sop._outputs, strict=True))


def _wants_feed_shapes(order, feeds):
    """Whether specialising a plan to its feeds' shapes can fold anything: a feed's static shape is
    partly unknown and the plan has ops that read shapes."""
    if not any(t.dtype.is_ref_dtype for t in feeds) and any(not t._shape.is_fully_defined() for t in feeds):
        return any(op._type in _SHAPE_OPS or op._type == "Reshape" for op in order)
    return False


def _shape_value(runtime, op, shape):
    """A Shape/Size/Rank op's output for an input of `shape`, from its own kernel (no data needed)."""
    try:
        return (runtime.kernel(op)(np.broadcast_to(np.zeros((), np.uint8), shape)),)
    except Exception:  # noqa: BLE001 - computed at run time instead
        return None


def _reshape_is_noop(runtime, op, oracle, known):
    """True when a Reshape's input already has the requested shape (its output is then its input)."""
    x, new_shape = op._inputs
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


def _bind(runtime, op, known, fed):
    """The op's kernel for this plan, the indices of the inputs the plan passes to it, and the known
    input values it was bound to.

    An op type with a `bind` (see engine/framework/registry.py) gets the input values the plan already
    knows and may return a kernel specialised to them, which takes only the other inputs; otherwise (or
    if binding fails, so that the general kernel raises at run time, naming the node) every input is
    passed to the session's compiled kernel."""
    inputs = op._inputs
    bind = op._op_def.bind
    if bind is not None:
        consts = {i: known[t] for i, t in enumerate(inputs) if t in known and t not in fed}
        if consts:
            kernel = _try_bind(bind, op, runtime, consts, None)
            if kernel is not None:
                return kernel, [i for i in range(len(inputs)) if i not in consts], consts
    return _unbound(runtime, op, known, fed)


def _unbound(runtime, op, known, fed):
    """`_bind`'s answer without binding: the compiled kernel, given every input."""
    return runtime.kernel(op), range(len(op._inputs)), {}


def _try_bind(bind, op, runtime, consts, donated):
    try:
        return bind(op, runtime, consts, donated)
    except Exception:  # noqa: BLE001 - the general kernel reports the problem when the plan runs
        return None


def _forward_buffers(runtime, line_info, returned, bound, oracle, known):
    """Buffer forwarding, as TF's kernels do it (`forward_input_or_allocate_output`): an op whose type
    lists an input in `forward` (see engine/framework/registry.py) is bound to a kernel that may write
    into that input's buffer -- its result, or its scratch -- when nothing can see the buffer any more.
    The input must be

    * the output of a `fresh` kernel (its own new array, not a view, a feed, a constant or a variable),
    * read by this op last, once, and otherwise only by `fresh` kernels (none of which can have made a
      view of it), and not fetched,
    * of the op's output's shape, known now and not a scalar, and of its dtype, a floating one.

    A bias add or relu after a MatMul, a gradient's ReluGrad, then allocate nothing, and ApplyAdam uses
    its dead gradient as scratch: the step touches the memory of a hand-written numpy step that updates
    in place.  Only the kernel bound to the line changes; values are the same (the same ufunc calls).
    `line_info` holds (op, kernel name or None, {input index: name} of the passed inputs, the known inputs
    the kernel is bound to, the names the line defines) per line.  Returns {line index: the name of
    the value whose buffer that line reuses}."""
    readers, owned = collections.defaultdict(list), set()
    for i, (op, _, inputs, _, defs) in enumerate(line_info):
        for name in inputs.values():
            readers[name].append(i)
        if op._op_def.fresh:
            owned.update(defs)
    forwarded = {}
    for i, (op, kname, inputs, consts, _) in enumerate(line_info):
        definition = op._op_def
        if kname is None or not definition.forward or len(op._outputs) != 1:
            continue
        out = op._outputs[0]
        out_shape = oracle.shape(out, known)
        if not out_shape or not out.dtype.is_floating:
            continue
        for index in definition.forward:
            name = inputs.get(index)
            if name not in owned or name in returned or readers[name][-1] != i or readers[name].count(i) != 1:
                continue
            t = op._inputs[index]
            if (t.dtype.base_dtype != out.dtype.base_dtype or oracle.shape(t, known) != out_shape
                    or not all(line_info[j][0]._op_def.fresh for j in readers[name][:-1])):
                continue
            kernel = _try_bind(definition.bind, op, runtime, consts, index)
            if kernel is not None:
                bound[kname] = kernel
                forwarded[i] = name
                break
    return forwarded


def _release_dead_values(lines, defined, used, returned):
    """Appends `; del v..` to the line that last reads each intermediate value (on the same line, so
    line numbers still map to ops).  A value is then freed as soon as nothing needs it, as TF's executor
    frees tensors, and the next allocation of that size reuses memory still in cache: this keeps the
    working set of a training step close to that of the same step written by hand with numpy."""
    last = {}
    for i, (defs, uses) in enumerate(zip(defined, used, strict=True)):
        for name in defs:
            last[name] = i
        for name in uses:
            if name in last:
                last[name] = i
    dead = collections.defaultdict(list)
    for name, i in last.items():
        if name not in returned:
            dead[i].append(name)
    for i, names in dead.items():
        lines[i] += f"; del {', '.join(names)}"


def _generate(runtime, order, targets, feeds, fed, single, fed_shapes=None, trust_shapes=True):
    """Straight-line Python for the plan: returns (function, {line number: op}, source).

    Besides folding constants (`_fold`), the plan calls no kernel for ops that only pass values on:
    a VariableV2's cell is bound directly, an Identity/StopGradient output is its input's name (the
    `read` of a variable becomes `_read(cell)`, which raises for an uninitialized one, on the read's
    line), and NoOps (control-edge hubs, already ordered by the pruning) are left out.  The other ops'
    kernels are bound to what the plan knows (`_bind`), then to dead input buffers (`_forward_buffers`,
    which needs known shapes, so only when shapes are trusted); a line that reuses a buffer says so in a
    comment.
    """
    names = {}  # Tensor -> variable name in the generated code
    bound = {}  # closure variable name -> object
    known = {}  # Tensor -> value known at plan time (Const outputs and folded ops)
    oracle = _ShapeOracle(fed_shapes) if trust_shapes else None
    lines = []
    defined, used = [], []  # per line: the variable names it assigns and those it reads
    line_info = []  # per line: what `_forward_buffers` needs to know of it
    line_ops = {}
    for t, i in fed.items():
        if t.dtype.is_ref_dtype:
            names[t] = f"_fedref{i}"
        else:
            names[t] = f"f{i}"
    prelude = []
    for t, i in fed.items():
        if t.dtype.is_ref_dtype:
            bound[f"_Cell{i}"] = VariableCell
            prelude.append(f"    _fedref{i} = _Cell{i}({t.op.name!r}, f{i})")
    for n, op in enumerate(order):
        op_type = op._type
        outs = op._outputs
        if op_type == "Const":
            cname = f"c{n}"
            bound[cname] = known[outs[0]] = op._attrs["value"]
            names[outs[0]] = cname
            continue
        if op_type == "VariableV2":
            cname = f"var{n}"
            bound[cname] = runtime.cell(op)
            names[outs[0]] = cname
            continue
        if op_type == "NoOp":
            continue
        if op_type in _PASS_THROUGH:
            t = op._inputs[0]
            if not t.dtype.is_ref_dtype:
                names[outs[0]] = names[t]
                if t in known and t not in fed:
                    known[outs[0]] = known[t]
                elif oracle is not None:
                    oracle.alias(outs[0], t, known)
                continue
            names[outs[0]] = f"v{n}"
            lines.append(f"    v{n} = _read({names[t]})")
            defined.append((f"v{n}",))
            used.append((names[t],))
            line_ops[len(lines)] = op
            line_info.append((op, None, {0: names[t]}, {}, (f"v{n}",)))
            continue
        folded = _fold(runtime, op, known)
        if folded is None and oracle is not None and op_type in _SHAPE_OPS:
            in_shape = oracle.shape(op._inputs[0], known)
            if in_shape is not None:
                folded = _shape_value(runtime, op, in_shape)
        if (folded is None and oracle is not None and op_type == "Reshape"
                and _reshape_is_noop(runtime, op, oracle, known)):
            names[outs[0]] = names[op._inputs[0]]
            oracle.alias(outs[0], op._inputs[0], known)
            continue
        if folded is None and oracle is not None and not op._op_def.stateful:
            oracle.add(op, known)
        if folded is not None:
            for j, (t, value) in enumerate(zip(outs, folded, strict=True)):
                cname = f"c{n}_{j}"
                bound[cname] = known[t] = value
                names[t] = cname
            continue
        definition = op._op_def
        kernel, passed, consts = _bind(runtime, op, known, fed)
        kname = f"k{n}"
        bound[kname] = kernel
        args = []
        for idx in passed:
            t = op._inputs[idx]
            ref = names[t]
            if t.dtype.is_ref_dtype and idx not in definition.ref_inputs:
                ref = f"_read({ref})"
            args.append(ref)
        call = f"{kname}({', '.join(args)})"
        if len(outs) == 0:
            lines.append(f"    {call}")
        elif len(outs) == 1:
            names[outs[0]] = f"v{n}"
            lines.append(f"    v{n} = {call}")
        else:
            lhs = ", ".join(f"v{n}_{j}" for j in range(len(outs)))
            for j, t in enumerate(outs):
                names[t] = f"v{n}_{j}"
            lines.append(f"    {lhs}, = {call}")
        defined.append([names[t] for t in outs])
        used.append([names[op._inputs[idx]] for idx in passed])
        line_ops[len(lines)] = op
        line_info.append((op, kname, {i: names[op._inputs[i]] for i in passed}, consts, defined[-1]))
    results = []
    for t in targets:
        if isinstance(t, ops.Operation):
            results.append("None")
        else:
            results.append(f"_out({names[t]})")
    returned_names = {names[t] for t in targets if isinstance(t, ops.Tensor)}
    forwarded = {}
    if oracle is not None:
        forwarded = _forward_buffers(runtime, line_info, returned_names, bound, oracle, known)
    _release_dead_values(lines, defined, used, returned_names)
    for i, name in forwarded.items():
        lines[i] += f"  # reuses {name}'s buffer"

    params = ", ".join(f"f{i}" for i in range(len(feeds)))
    header = 2 + len(prelude)  # "def _factory", "def _plan" and the prelude precede kernel line 1
    line_ops = {k + header: v for k, v in line_ops.items()}
    returned = results[0] if single else f"({', '.join(results)},)"
    body = prelude + lines + [f"    return {returned}"]
    source = "def _factory(" + ", ".join(bound) + "):\n" if bound else "def _factory():\n"
    code = source + f" def _plan({params}):\n" + "\n".join(" " + line for line in body) + "\n return _plan\n"
    namespace = {"_read": _read, "_out": _to_output}
    exec(compile(code, "<plan>", "exec"), namespace)  # noqa: S102 - our own generated straight-line code
    fn = namespace["_factory"](*bound.values())
    return fn, line_ops, code


class _Options:
    """Keyword-initialized options record (fields are kept as attributes)."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({fields})"


class ConfigProto(_Options):
    """`tf.ConfigProto(...)` for `tf.Session(config=...)`.

    The numpy runtime has no devices, thread pools or GPU memory to configure, so the fields (e.g.
    `log_device_placement`, `allow_soft_placement`, `gpu_options`) are recorded and have no effect.
    """


class GPUOptions(_Options):
    """`tf.GPUOptions(...)`: recorded in a ConfigProto; there is no GPU to configure."""


class RunOptions(_Options):
    """`tf.RunOptions(trace_level=...)` for `Session.run(options=...)`; tracing is not recorded."""

    NO_TRACE = 0
    SOFTWARE_TRACE = 1
    HARDWARE_TRACE = 2
    FULL_TRACE = 3
