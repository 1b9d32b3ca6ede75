"""Graph, Operation and Tensor: the data structure a TF 1.x program builds before it runs anything.

Names follow TensorFlow exactly: `Graph.unique_name` makes `Const`, `Const_1`, ... and compares names
case-insensitively (an unnamed `tf.add` beside `add` becomes `Add_1`); `name_scope` prefixes names and
is itself uniquified (`scope`, `scope_1`); a scope string ending in `/` is taken verbatim.

Operations are created only through `Graph.create_op`, which looks the op type up in the registry
(`engine.framework.registry`), runs its `infer` function for output dtypes/shapes and applies the
active control-dependency, colocation and attr scopes.
"""

from __future__ import annotations

import contextlib
import re
import threading

from engine.framework import dtypes as _dtypes
from engine.framework import registry
from engine.framework import tensor_shape as _ts

# TF's rules for node names and (nested) scope names.
_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\-/>]*$")

# GraphDef producer version written by `as_graph_def`: the version of the TensorFlow that wrote the
# reference fixtures (tensorflow-cpu 2.21.0 with v2 behaviour disabled), so our GraphDefs match theirs.
GRAPH_DEF_VERSION = 2474
GRAPH_DEF_VERSION_MIN_CONSUMER = 0


class _ChangeCount:
    """A counter shared by reference, so that reading it costs two attribute loads."""

    __slots__ = ("count",)

    def __init__(self):
        self.count = 0


class GraphKeys:
    """Standard collection names (TF's `tf.GraphKeys`)."""

    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"
    _SUMMARY_COLLECTION = "_SUMMARY_V2"
    _VARIABLE_COLLECTIONS = [
        GLOBAL_VARIABLES,
        LOCAL_VARIABLES,
        METRIC_VARIABLES,
        MODEL_VARIABLES,
        TRAINABLE_VARIABLES,
        MOVING_AVERAGE_VARIABLES,
        CONCATENATED_VARIABLES,
        TRAINABLE_RESOURCE_VARIABLES,
    ]
    _STREAMING_MODEL_PORTS = "streaming_model_ports"
    VARIABLES = GLOBAL_VARIABLES


# ---------------------------------------------------------------------------------------------------------
# Tensor
# ---------------------------------------------------------------------------------------------------------
class Tensor:
    """A symbolic handle to one output of an Operation; it holds no value (see `Session.run`).

    Operator overloads (`+ - * / // % ** @`, comparisons, `[]`) are installed by `engine.ops.math_ops`
    and `engine.ops.array_ops`, as TensorFlow does.  As in TF 1.x graph mode, `==` is object identity:
    object's own `__eq__`/`__hash__`, which, being C, keep the session's plan lookup (a dict keyed by
    tuples of fetched Tensors and Operations) cheap on every run.
    """

    # Make numpy defer to our reflected operators (`np.float32(2) * t` builds a Mul op).
    __array_priority__ = 100

    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "_consumers", "_name", "__weakref__")

    def __init__(self, op, value_index, dtype, shape=None):
        self._op = op
        self._value_index = value_index
        self._dtype = _dtypes.as_dtype(dtype)
        self._shape = _ts.as_shape(shape) if shape is not None else _ts.unknown_shape()
        self._consumers = []
        self._name = f"{op.name}:{value_index}"

    @property
    def op(self):
        return self._op

    @property
    def graph(self):
        return self._op._graph

    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        return self._dtype

    @property
    def value_index(self):
        return self._value_index

    @property
    def device(self):
        return self._op.device

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        """Refines the static shape; raises ValueError if `shape` is incompatible."""
        self._shape = self._shape.merge_with(shape)

    def _shape_tuple(self):
        return self._shape._as_tuple()

    def consumers(self):
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        """Runs the graph up to this tensor in `session` (default: the default session)."""
        return _run_using_default_session(self, feed_dict, self.graph, session)

    def _as_node_def_input(self):
        return self._op._name if self._value_index == 0 else self._name

    def __repr__(self):
        # What lists and dicts of tensors show: `<tf.Tensor 'a:0' shape=(2,) dtype=float32>`.
        return f"<tf.Tensor '{self._name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self):
        # print(t): `Tensor("a:0", shape=(2,), dtype=float32)`; unknown rank leaves the shape out.
        shape = f", shape={self._shape}" if self._shape.ndims is not None else ""
        return f'Tensor("{self._name}"{shape}, dtype={self._dtype.name})'

    def __bool__(self):
        raise TypeError(
            "Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` instead of "
            "`if t:` to test if a tensor is defined, and use TensorFlow ops such as tf.cond to execute "
            "subgraphs conditioned on the value of a tensor."
        )

    def __iter__(self):
        raise TypeError(
            "Tensor objects are only iterable when eager execution is enabled. To iterate over this "
            "tensor use tf.map_fn."
        )

    def __len__(self):
        raise TypeError(
            f"len is not well defined for symbolic Tensors. ({self._name}) Please call `x.shape` rather than "
            "`len(x)` for shape information."
        )

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


# ---------------------------------------------------------------------------------------------------------
# Operation
# ---------------------------------------------------------------------------------------------------------
class Operation:
    """A node of the graph: an op type, named inputs, attrs and output Tensors (equal only to itself)."""

    def __init__(self, graph, name, op_type, inputs, attrs, control_inputs, op_def):
        self._graph = graph
        self._name = name
        self._type = op_type
        self._inputs = tuple(inputs)
        self._attrs = attrs
        self._control_inputs = []
        self._op_def = op_def
        self._outputs = []
        self._id = None
        self._device = ""
        # An imported NodeDef's experimental_type (TF 2.x full type), written back unchanged.
        self._experimental_type = None
        self._original_op = None
        self._traceback = None
        # Exact wire forms of attrs whose encoding the Python value doesn't determine (a Const built
        # from a scalar and a shape stores one value, not the filled array, as TF does).
        self._attr_protos = {}
        self._control_flow_context = None  # the cond/while context the op was built in (cond.py)
        for c in control_inputs:
            self._add_control_input(c)

    # --- properties ---------------------------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def type(self):
        return self._type

    @property
    def graph(self):
        return self._graph

    @property
    def inputs(self):
        return self._inputs

    @property
    def outputs(self):
        return list(self._outputs)

    def values(self):
        return tuple(self._outputs)

    @property
    def control_inputs(self):
        return list(self._control_inputs)

    @property
    def device(self):
        return self._device

    @property
    def op_def(self):
        return self._op_def

    @property
    def node_def(self):
        return self._to_node_def()

    @property
    def traceback(self):
        return self._traceback or []

    def get_attr(self, name):
        """The attr value: DType for types, TensorShape for shapes, ndarray for tensors, bytes for strings."""
        try:
            value = self._attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.") from None
        if isinstance(value, str):
            return value.encode()
        if isinstance(value, list) and value and isinstance(value[0], str):
            return [v.encode() for v in value]
        return value

    def _get_attr_or(self, name, default):
        return self._attrs.get(name, default)

    def _attr_dict(self):
        """A copy of the attrs as stored (Python values, not TF's bytes), e.g. to create a twin op."""
        return dict(self._attrs)

    def _set_attr(self, name, value):
        self._attrs[name] = value
        self._attr_protos.pop(name, None)
        self._note_rewrite()

    def colocation_groups(self):
        groups = self._attrs.get("_class")
        if groups:
            return [g.encode() if isinstance(g, str) else g for g in groups if str(g).startswith("loc:@")]
        return [f"loc:@{self._name}".encode()]

    def _add_control_input(self, op):
        if not isinstance(op, Operation):
            raise TypeError(f"op must be an Operation: {op}")
        if op not in self._control_inputs:
            self._control_inputs.append(op)
            self._note_rewrite()

    def _remove_all_control_inputs(self):
        if self._control_inputs:
            self._control_inputs = []
            self._note_rewrite()

    def _add_control_inputs(self, ops):
        for op in ops:
            self._add_control_input(op)

    def _update_input(self, index, tensor):
        inputs = list(self._inputs)
        old = inputs[index]
        if self in old._consumers:
            old._consumers.remove(self)
        inputs[index] = tensor
        tensor._consumers.append(self)
        self._inputs = tuple(inputs)
        self._note_rewrite()

    def _note_rewrite(self):
        """Logs that this op changed after it was added, so that sessions whose plans may hold it plan and
        compile again before their next run (engine/runtime/graph_watch.py decides which).

        Unlike TF, where a change to an op a session has run has no effect in that session (TF logs "This
        mutation will have no effect"), a session here runs the graph as it is now.
        """
        if self._id is not None:
            graph = self._graph
            graph._rewritten.append(self._id)
            graph._changes.count += 1

    def _get_control_flow_context(self):
        return self._control_flow_context

    def _set_control_flow_context(self, ctx):
        self._control_flow_context = ctx

    def run(self, feed_dict=None, session=None):
        """Runs this operation (for its side effects) in `session` or the default session."""
        _run_using_default_session(self, feed_dict, self._graph, session)

    def _to_node_def(self):
        from engine.framework import attr_values
        from engine.proto import node_def_pb2

        nd = node_def_pb2.NodeDef(name=self._name, op=self._type)
        nd.input.extend(t._as_node_def_input() for t in self._inputs)
        # TF writes control inputs sorted by name, for a deterministic GraphDef.
        nd.input.extend(sorted("^" + c._name for c in self._control_inputs))
        if self._device:
            nd.device = self._device
        if self._experimental_type is not None:
            nd.experimental_type.CopyFrom(self._experimental_type)
        for key, value in self._attrs.items():
            proto = self._attr_protos.get(key)
            nd.attr[key].CopyFrom(proto if proto is not None else attr_values.to_attr_value(value))
        return nd

    def __repr__(self):
        return f"<tf.Operation '{self._name}' type={self._type}>"

    def __str__(self):
        return str(self.node_def)


# ---------------------------------------------------------------------------------------------------------
# Graph
# ---------------------------------------------------------------------------------------------------------
class _ControlDependenciesController:
    """One `control_dependencies` block: its control ops and the ops created inside it."""

    def __init__(self, graph, control_inputs):
        self._graph = graph
        self.control_inputs = [] if control_inputs is None else control_inputs
        self._new_stack = control_inputs is None
        self._seen = set()
        self._old_stack = None

    def __enter__(self):
        if self._new_stack:
            self._old_stack = self._graph._control_dependencies_stack
            self._graph._control_dependencies_stack = []
        self._graph._control_dependencies_stack.append(self)
        return None

    def __exit__(self, *exc):
        self._graph._control_dependencies_stack.pop()
        if self._new_stack:
            self._graph._control_dependencies_stack = self._old_stack
        return False


class Graph:
    """A TensorFlow computation: Operations connected by Tensors, plus named collections."""

    def __init__(self):
        self._lock = threading.RLock()
        self._nodes_by_name = {}
        self._nodes = []
        self._names_in_use = {}
        self._name_stack = ""
        self._control_dependencies_stack = []
        self._colocation_stack = []
        self._attr_scope_map = {}
        self._gradient_override_map = {}
        self._collections = {}
        self._finalized = False
        self._seed = None
        self._last_id = 0
        self._version = 0
        # The ids of ops whose inputs, control inputs or attrs changed after they were added, in order
        # (`Operation._note_rewrite`); read through `_change_lists`.
        self._rewritten = []
        self._changes = _ChangeCount()  # ops added + rewrites logged: one number a runtime compares per run
        self._building_function = False
        self._control_flow_context = None  # the cond/while context ops are being built in

    def __repr__(self):
        # TF's Graph has Python's default repr; printed graphs read as TF's do (addresses aside).
        return f"<tensorflow.python.framework.ops.Graph object at {id(self):#x}>"

    # --- defaults -----------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self):
        """Makes this graph the default graph inside the `with` block."""
        stack = _graph_stack()
        stack.append(self)
        try:
            yield self
        finally:
            # Removing this exact entry keeps the stack right even if blocks are exited out of order.
            for i in range(len(stack) - 1, -1, -1):
                if stack[i] is self:
                    del stack[i]
                    break

    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, seed):
        self._seed = seed

    @property
    def version(self):
        return self._last_id

    def _change_lists(self):
        """What a runtime watches (engine/runtime/graph_watch.py): a live `_ChangeCount` whose `count`
        grows with every op added and every rewrite logged, and two live, append-only lists, the ops in
        the order they were added (op `i + 1` has id `i + 1`) and the ids of ops changed after they were
        added, oldest first.  Callers must not modify them."""
        return self._changes, self._nodes, self._rewritten

    @property
    def graph_def_versions(self):
        from engine.proto import versions_pb2

        return versions_pb2.VersionDef(
            producer=GRAPH_DEF_VERSION, min_consumer=GRAPH_DEF_VERSION_MIN_CONSUMER
        )

    @property
    def building_function(self):
        return False

    @property
    def finalized(self):
        return self._finalized

    def finalize(self):
        """Makes the graph read-only: adding an op afterwards raises RuntimeError."""
        self._finalized = True

    def _unsafe_unfinalize(self):
        self._finalized = False

    def _check_not_finalized(self):
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    # --- names --------------------------------------------------------------------------------------------
    def get_name_scope(self):
        return self._name_stack

    def unique_name(self, name, mark_as_used=True):
        """`name` inside the current name scope, suffixed `_1`, `_2`, ... if taken (case-insensitively)."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        count = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = count + 1
        if count > 0:
            base_key = key
            # Skip suffixes already taken, e.g. an explicit "add_1" created before the second "add".
            while key in self._names_in_use:
                key = f"{base_key}_{count}"
                count += 1
            if mark_as_used:
                self._names_in_use[key] = 1
            name = f"{name}_{count - 1}"
        return name

    @contextlib.contextmanager
    def name_scope(self, name):
        """Pushes a name scope; yields the scope string ending in `/` ("" for the root)."""
        if name:
            if isinstance(name, bytes):
                name = name.decode()
            pattern = _VALID_SCOPE_NAME if self._name_stack else _VALID_OP_NAME
            if not pattern.match(name):
                raise ValueError(f"'{name}' is not a valid scope name")
        old_stack = self._name_stack
        if not name:
            new_stack, returned = "", ""
        elif name[-1] == "/":
            new_stack, returned = name[:-1], name
        else:
            new_stack = self.unique_name(name)
            returned = new_stack + "/"
        self._name_stack = new_stack
        try:
            yield returned
        finally:
            self._name_stack = old_stack

    # --- scopes applied to new ops -------------------------------------------------------------------------
    def control_dependencies(self, control_inputs):
        """Ops created in the block run only after `control_inputs` (None clears the outer blocks)."""
        if control_inputs is None:
            return _ControlDependenciesController(self, None)
        ops = []
        for c in control_inputs:
            if hasattr(c, "_as_graph_element") and not isinstance(c, (Tensor, Operation)):
                c = c._as_graph_element()
            if isinstance(c, Tensor):
                c = c.op
            elif not isinstance(c, Operation):
                raise TypeError(f"Control input must be Operation or Tensor: {c}")
            if c.graph is not self:
                raise ValueError(f"Operation {c!r} is not an element of this graph.")
            # TF 2.x marks ops used as control inputs; the reference GraphDefs carry this attr.
            c._attrs["_has_manual_control_dependencies"] = True
            ops.append(c)
        return _ControlDependenciesController(self, ops)

    def _control_dependencies_for_inputs(self, input_ops):
        result = []
        for controller in self._control_dependencies_stack:
            # An op whose input was created inside the same block already depends on its controls.
            if any(op in controller._seen for op in input_ops):
                continue
            result.extend(c for c in controller.control_inputs if c not in input_ops)
        return result

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing=False):
        """Ops created in the block get a `_class: loc:@<op>` attr, as TF writes for variable initializers."""
        if op is not None and not isinstance(op, Operation):
            op = _as_operation(op)
        old = self._colocation_stack
        if ignore_existing:
            self._colocation_stack = []
        if op is not None:
            self._colocation_stack = self._colocation_stack + [op]
        try:
            yield
        finally:
            self._colocation_stack = old

    @contextlib.contextmanager
    def _attr_scope(self, attr_map):
        saved = dict(self._attr_scope_map)
        self._attr_scope_map.update(attr_map)
        try:
            yield
        finally:
            self._attr_scope_map = saved

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map):
        """Inside the block, gradients of op type K are looked up under `op_type_map[K]`."""
        saved = dict(self._gradient_override_map)
        self._gradient_override_map.update(op_type_map)
        try:
            yield
        finally:
            self._gradient_override_map = saved

    @contextlib.contextmanager
    def device(self, device_name_or_function):
        # Devices are accepted for compatibility; everything runs on the one numpy "CPU".
        yield

    # --- op creation ---------------------------------------------------------------------------------------
    def create_op(
        self,
        op_type,
        inputs,
        dtypes=None,
        input_types=None,
        name=None,
        attrs=None,
        op_def=None,
        compute_shapes=True,
        compute_device=True,
    ):
        """Adds an op of a registered type; output dtypes/shapes come from the type's `infer` function."""
        self._check_not_finalized()
        definition = registry.get_op_def(op_type)
        inputs = list(inputs)
        for i, t in enumerate(inputs):
            if not isinstance(t, Tensor):
                raise TypeError(f"Input #{i} of '{op_type}' must be a Tensor, got {t!r}")
            if t.graph is not self:
                raise ValueError(f"Tensor {t!r} must be from the same graph as the op being created.")
        if definition.input_checks:
            definition.check_inputs(inputs)
        name = name or op_type
        if name[-1] == "/":
            name = name[:-1]
        else:
            name = self.unique_name(name)
        if not _VALID_OP_NAME.match(name):
            raise ValueError(f"'{name}' is not a valid node name")
        if name in self._nodes_by_name:
            raise ValueError(f"Duplicate node name in graph: '{name}'")
        op_attrs = {}
        colocate = list(self._colocation_stack)
        if not colocate and definition.ref_inputs:
            # Ops that update a variable live with it (TF colocates ops with their ref inputs).
            colocate = [
                inputs[i].op
                for i in definition.ref_inputs
                if i < len(inputs) and inputs[i].dtype.is_ref_dtype
            ]
        if colocate:
            groups = sorted({g.decode() for c in colocate for g in c.colocation_groups()})
            op_attrs["_class"] = groups
        op_attrs.update(self._attr_scope_map)
        for key, default in definition.attrs.items():
            op_attrs.setdefault(key, default)
        if attrs:
            op_attrs.update(attrs)
        input_ops = {t.op for t in inputs}
        control_inputs = self._control_dependencies_for_inputs(input_ops)
        op = Operation(self, name, op_type, inputs, op_attrs, control_inputs, definition)
        outputs = definition.infer(op)
        op._outputs = [Tensor(op, i, dt, shape) for i, (dt, shape) in enumerate(outputs)]
        self._add_op(op)
        for t in inputs:
            t._consumers.append(op)
        ctx = self._control_flow_context
        if ctx is not None:  # a cond branch or loop body routes outside inputs through Switch / Enter
            op._control_flow_context = ctx
            # under the op's own name, as TF's op_def_library has it: a Switch made for `Mul` is `Mul/Switch`
            with self.name_scope(op.name + "/"):
                ctx.add_op(op)
        return op

    def _add_op(self, op):
        with self._lock:
            self._last_id += 1
            op._id = self._last_id
            self._nodes_by_name[op._name] = op
            self._nodes.append(op)
            self._changes.count += 1
            # Explicitly named ops reserve their name even if it was never handed out by unique_name.
            self._names_in_use.setdefault(op._name.lower(), 1)
            for controller in self._control_dependencies_stack:
                controller._seen.add(op)

    # --- lookup -------------------------------------------------------------------------------------------
    def get_operations(self):
        return list(self._nodes)

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def _get_operation_by_name_unsafe(self, name):
        return self._nodes_by_name[name]

    def get_tensor_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolves a Tensor, Operation or name ("op" / "op:0") to this graph's element (TF's rules)."""
        if allow_tensor and allow_operation:
            types_str = "Tensor or Operation"
        elif allow_tensor:
            types_str = "Tensor"
        else:
            types_str = "Operation"
        temp = obj
        if hasattr(obj, "_as_graph_element") and not isinstance(obj, (Tensor, Operation)):
            obj = obj._as_graph_element()
            if obj is None:
                obj = temp
        if isinstance(obj, str):
            name = obj
            if ":" in name and allow_tensor:
                op_name, _, index = name.rpartition(":")
                try:
                    out_n = int(index)
                except ValueError:
                    raise ValueError(
                        f"The name {name!r} looks a like a Tensor name, but is not a valid one. Tensor names "
                        'must be of the form "<op_name>:<output_index>".'
                    ) from None
                if op_name not in self._nodes_by_name:
                    raise KeyError(
                        f"The name {name!r} refers to a Tensor which does not exist. The operation, "
                        f"{op_name!r}, does not exist in the graph."
                    )
                op = self._nodes_by_name[op_name]
                if out_n >= len(op._outputs):
                    raise KeyError(
                        f"The name {name!r} refers to a Tensor which does not exist. The operation, "
                        f"{op_name!r}, exists but only has {len(op._outputs)} outputs."
                    )
                return op._outputs[out_n]
            if ":" in name and not allow_tensor:
                raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a {types_str}.")
            if name not in self._nodes_by_name:
                raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
            if not allow_operation:
                if ":" not in name:
                    raise ValueError(
                        f"The name {name!r} refers to an Operation, not a {types_str}. Tensor "
                        "names must be of "
                        'the form "<op_name>:<output_index>".'
                    )
            return self._nodes_by_name[name]
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")

    # --- collections --------------------------------------------------------------------------------------
    def add_to_collection(self, name, value):
        self._check_not_finalized()
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        """A copy of collection `name`; with `scope`, only items whose `.name` matches `re.match(scope)`."""
        items = self._collections.get(name)
        if items is None:
            return []
        if scope is None:
            return list(items)
        pattern = re.compile(scope) if isinstance(scope, str) else scope
        result = []
        for item in items:
            try:
                if pattern.match(item.name):
                    result.append(item)
            except AttributeError:
                # Items without a name can't match a scope, exactly as in TF.
                pass
        return result

    def get_all_collection_keys(self):
        return [k for k in self._collections if isinstance(k, str)]

    def clear_collection(self, name):
        self._check_not_finalized()
        self._collections.pop(name, None)

    # --- serialization ------------------------------------------------------------------------------------
    def as_graph_def(self, from_version=None, add_shapes=False):
        """The graph as a `GraphDef` protobuf (TF's op types and attrs; `_output_shapes` if add_shapes)."""
        from engine.framework import attr_values
        from engine.proto import graph_pb2

        gd = graph_pb2.GraphDef()
        gd.versions.CopyFrom(self.graph_def_versions)
        for op in self._nodes:
            if from_version is not None and op._id <= from_version:
                continue
            nd = gd.node.add()
            nd.CopyFrom(op._to_node_def())
            if add_shapes and op._outputs:  # TF writes no `_output_shapes` for ops without outputs
                nd.attr["_output_shapes"].CopyFrom(
                    attr_values.to_attr_value([t.shape for t in op._outputs], kind="shape")
                )
        return gd

    def _as_graph_def(self, from_version=None, add_shapes=False):
        return self.as_graph_def(from_version, add_shapes), self._last_id

    def _get_control_flow_context(self):
        return self._control_flow_context

    def _set_control_flow_context(self, ctx):
        self._control_flow_context = ctx

    def is_fetchable(self, tensor_or_op):
        return True

    def is_feedable(self, tensor):
        return True


def _as_operation(x):
    if isinstance(x, Operation):
        return x
    if isinstance(x, Tensor):
        return x.op
    if hasattr(x, "op") and isinstance(x.op, Operation):
        return x.op
    raise TypeError(f"Can not convert a {type(x).__name__} into a Operation.")


# ---------------------------------------------------------------------------------------------------------
# default graph and session
# ---------------------------------------------------------------------------------------------------------
_global_default_graph = None
# As in TF, `as_default()` graphs and default sessions are per thread; the global default graph is shared.
_thread_stacks = threading.local()


def _graph_stack():
    stack = getattr(_thread_stacks, "graphs", None)
    if stack is None:
        stack = _thread_stacks.graphs = []
    return stack


def _session_stack():
    stack = getattr(_thread_stacks, "sessions", None)
    if stack is None:
        stack = _thread_stacks.sessions = []
    return stack


def get_default_graph():
    """The innermost `as_default()` graph, or the global default graph."""
    global _global_default_graph
    stack = _graph_stack()
    if stack:
        return stack[-1]
    if _global_default_graph is None:
        _global_default_graph = Graph()
    return _global_default_graph


def reset_default_graph():
    """Replaces the global default graph with a new empty one (not allowed inside `as_default()`)."""
    global _global_default_graph
    if _graph_stack():
        raise AssertionError(
            "Do not use tf.reset_default_graph() to clear nested graphs. If you need a cleared graph, exit "
            "the nesting and create a new graph."
        )
    _global_default_graph = Graph()


def get_default_session():
    stack = _session_stack()
    return stack[-1] if stack else None


def _run_using_default_session(fetch, feed_dict, graph, session):
    if session is None:
        session = get_default_session()
        if session is None:
            kind = "operation" if isinstance(fetch, Operation) else "tensor"
            hint = "`run(session=sess)`" if kind == "operation" else "`eval(session=sess)`"
            raise ValueError(
                f"Cannot evaluate {kind} using `{'run' if kind == 'operation' else 'eval'}()`: No default "
                f"session is registered. Use `with sess.as_default()` or pass an explicit session to {hint}"
            )
        if session.graph is not graph:
            raise ValueError(
                "Cannot use the default session to evaluate tensor: the tensor's graph is different from the "
                "session's graph. Pass an explicit session to `eval(session=sess)`."
            )
    elif session.graph is not graph:
        raise ValueError(
            "Cannot use the given session to evaluate tensor: the tensor's graph is different from "
            "the session's graph."
        )
    return session.run(fetch, feed_dict)


def name_scope(name, default_name=None, values=None):
    """TF1's `tf.name_scope(name, default_name=None, values=None)`: a context yielding the scope string."""
    if name is None and default_name is None and values is not None:
        raise ValueError(f"At least one of name ({name}) and default_name ({default_name}) must be provided.")
    graph = _get_graph_from_inputs(values) if values else get_default_graph()
    scope_name = default_name if name is None else name
    if hasattr(scope_name, "name") and not isinstance(scope_name, str):  # a variable_scope object
        scope_name = (
            scope_name.original_name_scope if hasattr(scope_name, "original_name_scope") else scope_name
        )
    return _NameScope(graph, scope_name)


def op_scope(values, name, default_name=None):
    """TF 1.x's deprecated `tf.op_scope(values, name, default_name)`: `name_scope` with its arguments
    in the old order."""
    return name_scope(name, default_name, values)


class _NameScope:
    __slots__ = ("_graph", "_name", "_cm", "_default_cm")

    def __init__(self, graph, name):
        self._graph = graph
        self._name = name

    def __enter__(self):
        self._default_cm = self._graph.as_default()
        self._default_cm.__enter__()
        self._cm = self._graph.name_scope(self._name)
        return self._cm.__enter__()

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)
        self._default_cm.__exit__(*exc)
        return False


def _get_graph_from_inputs(values):
    graph = None
    for v in values or ():
        g = None
        if isinstance(v, (Tensor, Operation)):
            g = v.graph
        elif hasattr(v, "graph") and isinstance(getattr(v, "graph", None), Graph):
            g = v.graph
        if g is not None:
            if graph is None:
                graph = g
            elif g is not graph:
                raise ValueError(f"{v!r} must be from the same graph as {values[0]!r}.")
    return graph or get_default_graph()


def control_dependencies(control_inputs):
    return get_default_graph().control_dependencies(control_inputs)


def colocate_with(op, ignore_existing=False):
    return get_default_graph().colocate_with(op, ignore_existing)


def device(device_name_or_function):
    return get_default_graph().device(device_name_or_function)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


def init_scope():
    """TF's `init_scope`: in graph mode it only clears control dependencies."""
    return control_dependencies(None)


# ---------------------------------------------------------------------------------------------------------
# conversion to Tensor
# ---------------------------------------------------------------------------------------------------------
_conversion_functions: list = []


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """`conversion_func(value, dtype=None, name=None, as_ref=False) -> Tensor` for instances of base_type."""
    _conversion_functions.append((priority, base_type, conversion_func))
    _conversion_functions.sort(key=lambda item: item[0])


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, as_ref=False, dtype_hint=None):
    """A Tensor for `value`: Tensors pass through (dtype checked), Python/numpy values become a Const."""
    preferred_dtype = preferred_dtype or dtype_hint
    if dtype is not None:
        dtype = _dtypes.as_dtype(dtype)
    if isinstance(value, Tensor):
        if dtype is not None and not dtype.is_compatible_with(value.dtype):
            raise ValueError(
                f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                f"{value.dtype.name}: {value!r}"
            )
        return value
    for _, base_type, fn in _conversion_functions:
        if isinstance(value, base_type):
            result = fn(value, dtype=dtype, name=name, as_ref=as_ref)
            if dtype is not None and not dtype.is_compatible_with(result.dtype):
                raise ValueError(
                    f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                    f"{result.dtype.name}: {result!r}"
                )
            return result
    if isinstance(value, Operation):
        raise TypeError(
            f"Can't convert Operation '{value.name}' to Tensor (target dtype={dtype}, "
            f"name={name}, as_ref={as_ref})"
        )
    from engine.ops import constant_op

    if dtype is None and preferred_dtype is not None:
        try:
            return constant_op.constant(value, dtype=preferred_dtype, name=name or "Const")
        except (TypeError, ValueError):
            pass
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        from engine.ops import array_ops

        return array_ops._autopacking(value, dtype, name or "packed")
    return constant_op.constant(value, dtype=dtype, name=name or "Const")


def _contains_tensor(value):
    for v in value:
        if isinstance(v, Tensor) or (isinstance(v, (list, tuple)) and _contains_tensor(v)):
            return True
        for _, base_type, _fn in _conversion_functions:
            if isinstance(v, base_type):
                return True
    return False


def convert_n_to_tensor(values, dtype=None, name=None):
    return [
        convert_to_tensor(v, dtype=dtype, name=None if name is None else f"{name}_{i}")
        for i, v in enumerate(values)
    ]


def is_dense_tensor_like(x):
    return isinstance(x, Tensor)
