"""`tf.Variable` (TF 1.x reference variables) and the variable collections/initializer helpers.

A Variable builds `v` (VariableV2), `v/initial_value` (or `v/Initializer/...` when created from an
initializer function), `v/Assign` and `v/read` (Identity), exactly as TF 1.x does.  Its value lives in
each Session separately (see `engine.runtime.state.VariableCell`).
"""

from __future__ import annotations

import enum

from engine.framework import dtypes, ops
from engine.framework import tensor_shape as _ts
from engine.framework.indexed_slices import IndexedSlices
from engine.ops import array_ops, control_flow_ops, math_ops, scatter_ops, state_ops

GraphKeys = ops.GraphKeys


class VariableSynchronization(enum.Enum):
    """When a distributed variable's replicas are synchronized; accepted and recorded nowhere here (one
    process, no replicas)."""

    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.Enum):
    """How a distributed variable's replica updates combine; accepted (one process, no replicas)."""

    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3
    ONLY_FIRST_TOWER = 3  # TF 1.x's name, an alias of ONLY_FIRST_REPLICA


class BaseVariable:
    """What a reference `Variable` and an imported `ResourceVariable` share, as TF's common `Variable`
    base class gives it to both: the naming properties, the repr, identity equality, conversion to a
    Tensor and every Tensor operator, applied to the variable's value.

    A subclass sets `_variable` (the variable op's output: a VariableV2 ref tensor or a VarHandleOp
    resource handle), `_initializer_op`, `_initial_value`, `_trainable` and `_save_slice_info`, and
    defines `dtype`, `shape` and `value()`.
    """

    @property
    def name(self):
        return self._variable.name

    @property
    def op(self):
        return self._variable.op

    @property
    def graph(self):
        return self._variable.graph

    def get_shape(self):
        return self.shape

    @property
    def trainable(self):
        return self._trainable

    @property
    def initializer(self):
        """The op that sets the initial value."""
        return self._initializer_op

    @property
    def initial_value(self):
        return self._initial_value

    def _get_save_slice_info(self):
        return self._save_slice_info

    def _set_save_slice_info(self, info):
        self._save_slice_info = info

    def _dense_var_to_tensor(self, dtype=None, name=None, as_ref=False):
        """The tensor-conversion function of every variable."""
        if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(self.dtype):
            raise ValueError(
                f"Incompatible type conversion requested to type '{dtypes.as_dtype(dtype).name}' for "
                f"variable of type '{self.dtype.name}'"
            )
        return self._as_ref_tensor() if as_ref else self.value()

    def _as_ref_tensor(self):
        """What `convert_to_tensor(v, as_ref=True)` gives; a resource variable has no ref tensor."""
        return self.value()

    def __repr__(self):
        return f"<tf.Variable '{self.name}' shape={self.get_shape()} dtype={self.dtype.name}>"

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __bool__(self):
        return ops.Tensor.__bool__(self.value())

    def __iter__(self):
        raise TypeError(f"'{type(self).__name__}' object is not iterable.")

    def __getitem__(self, key):
        return array_ops._slice_helper(self.value(), key, var=self)

    # Keeps numpy from treating a variable as a sequence and defers to our reflected operators.
    __array_priority__ = 100


def _install_operators():
    """Variables support every Tensor operator, applied to their value (as TF does)."""
    names = ["add", "sub", "mul", "truediv", "div", "floordiv", "mod", "pow", "matmul", "and", "or", "xor"]
    methods = [f"__{n}__" for n in names] + [f"__r{n}__" for n in names]
    for method in methods + ["__lt__", "__le__", "__gt__", "__ge__"]:
        tensor_method = getattr(ops.Tensor, method)
        setattr(BaseVariable, method, (lambda m: lambda self, other: m(self.value(), other))(tensor_method))
    BaseVariable.__neg__ = lambda self: -self.value()
    BaseVariable.__abs__ = lambda self: abs(self.value())
    BaseVariable.__invert__ = lambda self: ~self.value()


_install_operators()
ops.register_tensor_conversion_function(BaseVariable, lambda v, *a, **kw: v._dense_var_to_tensor(*a, **kw))



def _variable_scatter(kind):
    """`Variable.scatter_<kind>(sparse_delta)`: TF's RefVariable method, a Scatter* op of an IndexedSlices."""
    def method(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(getattr(scatter_ops, "scatter_" + kind), sparse_delta, use_locking, name)

    method.__name__ = method.__qualname__ = "scatter_" + kind
    return method

class Variable(BaseVariable):
    """`tf.Variable(initial_value, trainable=True, collections=None, validate_shape=True, name=None, ...)`."""

    def __init__(
        self,
        initial_value=None,
        trainable=None,
        collections=None,
        validate_shape=True,
        caching_device=None,
        name=None,
        variable_def=None,
        dtype=None,
        expected_shape=None,
        import_scope=None,
        constraint=None,
        use_resource=None,
        synchronization=None,
        aggregation=None,
        shape=None,
    ):
        if variable_def is not None:
            self._init_from_proto(variable_def, import_scope)
            return
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        # TF keeps `trainable` as given: `tf.Variable(value, tf.float32)` passes the dtype positionally as
        # `trainable`, and TF stores the DType there (truthy, so the variable is trainable).
        trainable = True if trainable is None else trainable
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError(
                f"collections argument to Variable constructor must be a list, tuple, or set. Got "
                f"{collections} of type {type(collections)}"
            )
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections = list(collections) + [GraphKeys.TRAINABLE_VARIABLES]
        self._trainable = trainable
        self._constraint = constraint
        self._save_slice_info = None
        init_from_fn = callable(initial_value)
        graph = ops.get_default_graph()
        with ops.init_scope():
            with ops.name_scope(name, "Variable", [] if init_from_fn else [initial_value]) as scope:
                true_name = scope[:-1]
                if init_from_fn:
                    # The initializer's ops and the variable carry `_class: loc:@<name>`, as in TF.
                    with graph._attr_scope({"_class": [f"loc:@{true_name}"]}):
                        with ops.name_scope("Initializer"):
                            self._initial_value = ops.convert_to_tensor(
                                initial_value(), name="initial_value", dtype=dtype
                            )
                        var_shape = self._initial_value.shape if validate_shape else _ts.unknown_shape()
                        self._variable = state_ops.variable_op_v2(
                            var_shape, self._initial_value.dtype.base_dtype, name=scope
                        )
                else:
                    self._initial_value = ops.convert_to_tensor(
                        initial_value, name="initial_value", dtype=dtype
                    )
                    var_shape = self._initial_value.shape if validate_shape else _ts.unknown_shape()
                    self._variable = state_ops.variable_op_v2(
                        var_shape, self._initial_value.dtype.base_dtype, name=scope
                    )
                if validate_shape and not self._initial_value.shape.is_fully_defined():
                    raise ValueError(f"initial_value must have a shape specified: {self._initial_value}")
                self._initializer_op = state_ops.assign(
                    self._variable, self._initial_value, validate_shape=validate_shape
                ).op
                with ops.colocate_with(self._variable.op):
                    self._snapshot = array_ops.identity(self._variable, name="read")
        ops.add_to_collections(collections, self)
        self._caching_device = caching_device

    def _init_from_proto(self, variable_def, import_scope=None):
        """Rebuilds the Python object around existing ops (used by Saver / import_meta_graph)."""
        g = ops.get_default_graph()

        def scoped(name):
            return f"{import_scope}/{name}" if import_scope else name

        self._variable = g.as_graph_element(scoped(variable_def.variable_name))
        self._initializer_op = g.as_graph_element(scoped(variable_def.initializer_name))
        if variable_def.initial_value_name:
            self._initial_value = g.as_graph_element(scoped(variable_def.initial_value_name))
        else:
            self._initial_value = None
        self._trainable = getattr(variable_def, "trainable", True)
        self._snapshot = g.as_graph_element(scoped(variable_def.snapshot_name))
        self._constraint = None
        self._save_slice_info = None
        self._caching_device = None

    @staticmethod
    def from_proto(variable_def, import_scope=None):
        v = Variable.__new__(Variable)
        v._init_from_proto(variable_def, import_scope)
        return v

    def to_proto(self, export_scope=None):
        """A `VariableDef` protobuf naming this variable's ops (for MetaGraphDef collections)."""
        from engine.proto import variable_pb2

        def strip(name):
            if export_scope and name.startswith(export_scope + "/"):
                return name[len(export_scope) + 1 :]
            return name

        vd = variable_pb2.VariableDef()
        vd.variable_name = strip(self._variable.name)
        if self._initial_value is not None:
            vd.initial_value_name = strip(self._initial_value.name)
        vd.initializer_name = strip(self._initializer_op.name)
        vd.snapshot_name = strip(self._snapshot.name)
        if hasattr(vd, "trainable"):
            vd.trainable = self._trainable
        return vd

    # --- properties ---------------------------------------------------------------------------------------
    @property
    def dtype(self):
        return self._variable.dtype

    @property
    def shape(self):
        return self._variable.shape

    def set_shape(self, shape):
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    @property
    def device(self):
        return ""

    @property
    def constraint(self):
        return self._constraint

    def initialized_value(self):
        """The value, initializing first if needed (built from primitives: IsVariableInitialized + Select)."""
        with ops.init_scope():
            return array_ops.where(
                state_ops.is_variable_initialized(self), self.read_value(), self.initial_value
            )

    def value(self):
        """The `v/read` snapshot tensor."""
        return self._snapshot

    def read_value(self):
        """A new Identity of the variable named `read` in the current scope."""
        return array_ops.identity(self._variable, name="read")

    def _ref(self):
        return self._variable

    _as_ref_tensor = _ref

    def _as_graph_element(self):
        return self._variable

    def eval(self, session=None):
        """The variable's value in `session` (default: the default session)."""
        return self._variable.eval(session=session)

    def load(self, value, session=None):
        session = session or ops.get_default_session()
        if session is None:
            raise ValueError(
                "Either session argument should be provided or default session should be established"
            )
        session.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    def assign(self, value, use_locking=False, name=None, read_value=True):
        """Assign op storing `value`; returns its ref tensor (or the Operation if read_value=False)."""
        t = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        t = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        t = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def _scatter(self, fn, sparse_delta, use_locking, name):
        """A Scatter* op of `sparse_delta` (an IndexedSlices) into this variable, as TF's RefVariable."""
        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(f"sparse_delta is not IndexedSlices: {sparse_delta}")
        return fn(self._variable, sparse_delta.indices, sparse_delta.values, use_locking=use_locking,
                  name=name)

    scatter_sub = _variable_scatter("sub")
    scatter_add = _variable_scatter("add")
    scatter_update = _variable_scatter("update")
    scatter_mul = _variable_scatter("mul")
    scatter_div = _variable_scatter("div")
    scatter_max = _variable_scatter("max")
    scatter_min = _variable_scatter("min")

    def count_up_to(self, limit):
        """A `CountUpTo` op: the value, then the variable incremented, until `limit` (OutOfRangeError)."""
        return state_ops.count_up_to(self._variable, limit)


VariableV1 = RefVariable = Variable


# --- collections and initializers ---------------------------------------------------------------------------
def global_variables(scope=None):
    return ops.get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


all_variables = global_variables


def trainable_variables(scope=None):
    return ops.get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    return ops.get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None):
    return ops.get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope=None):
    return ops.get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """One op (a NoOp named `init` by default) running the initializers of `var_list`."""
    if var_list:
        return control_flow_ops.group(*[v.initializer for v in var_list], name=name)
    return control_flow_ops.no_op(name=name)


def initialize_variables(var_list, name="init"):
    """TF 1.x's deprecated spelling of `variables_initializer`."""
    return variables_initializer(var_list, name=name)


def tables_initializer(name="init_all_tables"):
    """One op running the initializers of the `TABLE_INITIALIZERS` collection (a NoOp when it is empty;
    the engine has no lookup tables of its own, so only ops a script collects there run)."""
    initializers = ops.get_collection(GraphKeys.TABLE_INITIALIZERS)
    if initializers:
        return control_flow_ops.group(*initializers, name=name)
    return control_flow_ops.no_op(name=name)


initialize_all_tables = tables_initializer


def global_variables_initializer():
    """`variables_initializer(global_variables())`, named `init`."""
    return variables_initializer(global_variables())


initialize_all_variables = global_variables_initializer


def local_variables_initializer():
    return variables_initializer(local_variables())


initialize_local_variables = local_variables_initializer


def is_variable_initialized(variable):
    return state_ops.is_variable_initialized(variable)


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor with the names of the variables not yet initialized in the running session."""
    from engine.ops import constant_op

    if var_list is None:
        var_list = global_variables() + local_variables()
        if not var_list:
            var_list = [
                op.outputs[0] for op in ops.get_default_graph().get_operations() if op.type == "VariableV2"
            ]
    with ops.name_scope(name):
        if not var_list:
            return constant_op.constant([], dtype=dtypes.string)
        init_vars = [state_ops.is_variable_initialized(v) for v in var_list]
        mask = math_ops.logical_not(array_ops.stack(init_vars))
        names = constant_op.constant([v.op.name for v in var_list])
        return array_ops.boolean_mask(names, mask)


def assert_variables_initialized(var_list=None):
    """An op that fails (FailedPrecondition) when running it reads an uninitialized variable."""
    if var_list is None:
        var_list = global_variables() + local_variables()
    if not var_list:
        return None
    return control_flow_ops.group(*[v.value() for v in var_list], name="assert_variables_initialized")
