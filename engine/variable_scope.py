"""`tf.get_variable` and `tf.variable_scope` with TF 1.x's sharing rules and error texts.

Variables are named by variable scope only (`layer1/weight`), whatever the name scope; entering a
variable scope also opens a name scope for the ops built inside (re-entering gives `layer1_1/`).
`reuse=True` is inherited by sub-scopes; `tf.AUTO_REUSE` creates or returns.  Each graph has one
variable store (held in a graph collection, as TF does), so `reset_default_graph` forgets them.
"""

from __future__ import annotations

import contextlib
import enum
import inspect
import os
import traceback

from engine.framework import dtypes, ops
from engine.framework import tensor_shape as _ts
from engine.ops import init_ops
from engine.variables import GraphKeys, Variable


class _ReuseMode(enum.Enum):
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE

# Tuple keys keep these out of `get_all_collection_keys()` (which lists string keys only), like TF.
_VARSTORE_KEY = ("__variable_store",)
_VARSCOPESTORE_KEY = ("__varscope",)


_ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_frames():
    """The creating call stack without the engine's own frames (for "Originally defined at")."""
    return [f for f in traceback.extract_stack() if not os.path.abspath(f.filename).startswith(_ENGINE_DIR)]


class _VariableStore:
    """All variables created by `get_variable` in one graph, by full name."""

    def __init__(self):
        self._vars = {}

    def get_variable(
        self,
        name,
        shape=None,
        dtype=dtypes.float32,
        initializer=None,
        regularizer=None,
        reuse=None,
        trainable=None,
        collections=None,
        caching_device=None,
        validate_shape=True,
        constraint=None,
    ):
        initializing_from_value = initializer is not None and not callable(initializer)
        if shape is not None and initializing_from_value:
            raise ValueError("If initializer is a constant, do not specify shape.")
        dtype = dtypes.as_dtype(dtype)
        shape = _ts.as_shape(shape)
        if name in self._vars:
            found = self._vars[name]
            if reuse is False or reuse is None:
                message = (
                    f"Variable {name} already exists, disallowed. Did you mean to set reuse=True or "
                    f"reuse=tf.AUTO_REUSE in VarScope?"
                )
                origin = "".join(traceback.format_list(found.op.traceback[-5:][::-1]))
                raise ValueError(f"{message} Originally defined at:\n\n{origin}")
            if not shape.is_compatible_with(found.get_shape()):
                raise ValueError(
                    f"Trying to share variable {name}, but specified shape {shape} and found shape "
                    f"{found.get_shape()}."
                )
            if not dtype.is_compatible_with(found.dtype):
                raise ValueError(
                    f"Trying to share variable {name}, but specified dtype {dtype.name} and found dtype "
                    f"{found.dtype.base_dtype.name}."
                )
            return found
        if reuse is True:
            raise ValueError(
                f"Variable {name} does not exist, or was not created with tf.get_variable(). Did you "
                f"mean to set reuse=tf.AUTO_REUSE in VarScope?"
            )
        if not shape.is_fully_defined() and not initializing_from_value:
            raise ValueError(
                f"Shape of a new variable ({name}) must be fully defined, but instead was {shape}."
            )
        if initializer is None:
            if dtype.is_floating:
                initializer = init_ops.glorot_uniform_initializer()
            elif dtype.is_integer or dtype.is_bool or dtype == dtypes.string:
                initializer = init_ops.zeros_initializer()
            else:
                raise ValueError(f"An initializer for variable {name} of {dtype.base_dtype} is required")
        with ops.init_scope():
            if initializing_from_value:
                init_val = initializer
                variable_dtype = None
            else:
                if inspect.isclass(initializer):
                    initializer = initializer()
                shape_list = shape.as_list()
                init_dtype = dtype

                def init_val():
                    return initializer(shape_list, dtype=init_dtype)

                variable_dtype = dtype.base_dtype
        v = Variable(
            initial_value=init_val,
            name=name,
            trainable=trainable,
            collections=collections,
            caching_device=caching_device,
            dtype=variable_dtype,
            validate_shape=validate_shape,
            constraint=constraint,
        )
        v.op._traceback = _user_frames()
        self._vars[name] = v
        if regularizer is not None:
            with ops.colocate_with(v.op):
                with ops.name_scope(name + "/Regularizer/"):
                    loss = regularizer(v)
                if loss is not None:
                    ops.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return v


class VariableScope:
    """A variable scope's settings: name, reuse, default initializer/regularizer/dtype, name scope."""

    def __init__(
        self,
        reuse,
        name="",
        initializer=None,
        regularizer=None,
        caching_device=None,
        partitioner=None,
        custom_getter=None,
        name_scope="",
        dtype=dtypes.float32,
        use_resource=None,
        constraint=None,
    ):
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._reuse = reuse
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint

    @property
    def name(self):
        return self._name

    @property
    def original_name_scope(self):
        return self._name_scope

    @property
    def reuse(self):
        return self._reuse

    @property
    def initializer(self):
        return self._initializer

    @property
    def dtype(self):
        return self._dtype

    @property
    def use_resource(self):
        return False

    @property
    def regularizer(self):
        return self._regularizer

    @property
    def caching_device(self):
        return self._caching_device

    @property
    def partitioner(self):
        return self._partitioner

    @property
    def custom_getter(self):
        return self._custom_getter

    @property
    def constraint(self):
        return self._constraint

    def reuse_variables(self):
        """From now on, get_variable in this scope returns existing variables."""
        self._reuse = True

    def set_initializer(self, initializer):
        self._initializer = initializer

    def set_dtype(self, dtype):
        self._dtype = dtype

    def set_regularizer(self, regularizer):
        self._regularizer = regularizer

    def set_caching_device(self, caching_device):
        self._caching_device = caching_device

    def set_partitioner(self, partitioner):
        self._partitioner = partitioner

    def set_custom_getter(self, custom_getter):
        self._custom_getter = custom_getter

    def set_use_resource(self, use_resource):
        if use_resource:
            raise ValueError("This engine implements TF 1.x reference variables only (use_resource=False).")

    def get_collection(self, name):
        return ops.get_collection(name, self._name + "/" if self._name else None)

    def trainable_variables(self):
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def global_variables(self):
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def local_variables(self):
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_variable(
        self,
        var_store,
        name,
        shape=None,
        dtype=None,
        initializer=None,
        regularizer=None,
        reuse=None,
        trainable=None,
        collections=None,
        caching_device=None,
        partitioner=None,
        validate_shape=True,
        use_resource=None,
        custom_getter=None,
        constraint=None,
        **kwargs,
    ):
        if regularizer is None:
            regularizer = self._regularizer
        if caching_device is None:
            caching_device = self._caching_device
        if custom_getter is None:
            custom_getter = self._custom_getter
        if reuse is None:
            reuse = self._reuse
        full_name = f"{self._name}/{name}" if self._name else name
        # Variable names depend on the variable scope only, so build them outside any name scope.
        with ops.name_scope(None):
            if dtype is not None and initializer is not None and not callable(initializer):
                init_dtype = ops.convert_to_tensor(initializer).dtype.base_dtype
                if init_dtype != dtypes.as_dtype(dtype):
                    raise ValueError(
                        f"Initializer type '{init_dtype}' and explicit dtype '{dtypes.as_dtype(dtype)}' "
                        f"don't match."
                    )
            if initializer is None:
                initializer = self._initializer
            if constraint is None:
                constraint = self._constraint
            if dtype is None:
                dtype = self._dtype

            def true_getter(
                name,
                shape=None,
                dtype=dtype,
                initializer=initializer,
                regularizer=regularizer,
                reuse=reuse,
                trainable=trainable,
                collections=collections,
                caching_device=caching_device,
                partitioner=None,
                validate_shape=validate_shape,
                use_resource=None,
                constraint=constraint,
                **kw,
            ):
                return var_store.get_variable(
                    name,
                    shape=shape,
                    dtype=dtype,
                    initializer=initializer,
                    regularizer=regularizer,
                    reuse=reuse,
                    trainable=trainable,
                    collections=collections,
                    caching_device=caching_device,
                    validate_shape=validate_shape,
                    constraint=constraint,
                )

            if custom_getter is not None:
                return custom_getter(
                    true_getter,
                    full_name,
                    shape=shape,
                    dtype=dtype,
                    initializer=initializer,
                    regularizer=regularizer,
                    reuse=reuse,
                    trainable=trainable,
                    collections=collections,
                    caching_device=caching_device,
                    validate_shape=validate_shape,
                    constraint=constraint,
                )
            return true_getter(full_name, shape=shape)


class _VariableScopeStore:
    """The current variable scope of a graph and how often each scope name was opened."""

    def __init__(self):
        self.current_scope = VariableScope(False)
        self.variable_scopes_count = {}

    def open_variable_scope(self, scope_name):
        self.variable_scopes_count[scope_name] = self.variable_scopes_count.get(scope_name, 0) + 1

    def close_variable_subscopes(self, scope_name):
        prefix = scope_name + "/" if scope_name else ""
        for k in list(self.variable_scopes_count):
            if scope_name is None or k.startswith(prefix):
                self.variable_scopes_count[k] = 0

    def variable_scope_count(self, scope_name):
        return self.variable_scopes_count.get(scope_name, 0)


def _get_default_variable_store():
    store = ops.get_collection(_VARSTORE_KEY)
    if store:
        return store[0]
    store = _VariableStore()
    ops.add_to_collection(_VARSTORE_KEY, store)
    return store


def _get_varscope_store():
    store = ops.get_collection(_VARSCOPESTORE_KEY)
    if store:
        return store[0]
    store = _VariableScopeStore()
    ops.add_to_collection(_VARSCOPESTORE_KEY, store)
    return store


def get_variable_scope():
    """The current VariableScope."""
    return _get_varscope_store().current_scope


def get_variable(
    name,
    shape=None,
    dtype=None,
    initializer=None,
    regularizer=None,
    trainable=None,
    collections=None,
    caching_device=None,
    partitioner=None,
    validate_shape=True,
    use_resource=None,
    custom_getter=None,
    constraint=None,
    synchronization=None,
    aggregation=None,
):
    """An existing variable named `<scope>/<name>` (when reusing) or a new one.

    Default initializer: glorot_uniform for floats, zeros for ints/bools; `initializer` may be an
    initializer class, an instance, or a Tensor/value (then `shape` must be omitted).
    """
    return get_variable_scope().get_variable(
        _get_default_variable_store(),
        name,
        shape=shape,
        dtype=dtype,
        initializer=initializer,
        regularizer=regularizer,
        trainable=trainable,
        collections=collections,
        caching_device=caching_device,
        partitioner=partitioner,
        validate_shape=validate_shape,
        use_resource=use_resource,
        custom_getter=custom_getter,
        constraint=constraint,
    )


def get_local_variable(
    name,
    shape=None,
    dtype=None,
    initializer=None,
    regularizer=None,
    trainable=False,
    collections=None,
    caching_device=None,
    partitioner=None,
    validate_shape=True,
    use_resource=None,
    custom_getter=None,
    constraint=None,
):
    collections = list(collections or []) + [GraphKeys.LOCAL_VARIABLES]
    return get_variable(
        name,
        shape=shape,
        dtype=dtype,
        initializer=initializer,
        regularizer=regularizer,
        trainable=trainable,
        collections=collections,
        caching_device=caching_device,
        validate_shape=validate_shape,
        custom_getter=custom_getter,
        constraint=constraint,
    )


@contextlib.contextmanager
def _pure_variable_scope(
    name_or_scope,
    reuse=None,
    initializer=None,
    regularizer=None,
    caching_device=None,
    partitioner=None,
    custom_getter=None,
    old_name_scope=None,
    dtype=dtypes.float32,
    constraint=None,
):
    """Switches the current VariableScope (without touching name scopes)."""
    store = _get_varscope_store()
    old = store.current_scope
    old_counts = dict(store.variable_scopes_count)
    if isinstance(name_or_scope, VariableScope):
        new_name = name_or_scope.name
        store.open_variable_scope(new_name)
        scope = VariableScope(
            name_or_scope.reuse if not reuse else reuse,
            name=new_name,
            initializer=name_or_scope.initializer,
            regularizer=name_or_scope.regularizer,
            caching_device=name_or_scope.caching_device,
            partitioner=name_or_scope.partitioner,
            custom_getter=name_or_scope.custom_getter,
            name_scope=name_or_scope.original_name_scope,
            dtype=name_or_scope.dtype,
            constraint=name_or_scope.constraint,
        )
    else:
        new_name = f"{old.name}/{name_or_scope}" if old.name else name_or_scope
        store.open_variable_scope(new_name)
        inherited = reuse or old.reuse  # reuse is inherited by sub-scopes
        scope = VariableScope(
            inherited,
            name=new_name,
            initializer=old.initializer,
            regularizer=old.regularizer,
            caching_device=old.caching_device,
            partitioner=old.partitioner,
            custom_getter=old.custom_getter,
            name_scope=old_name_scope if old_name_scope is not None else name_or_scope,
            dtype=old.dtype,
            constraint=old.constraint,
        )
    if initializer is not None:
        scope.set_initializer(initializer)
    if regularizer is not None:
        scope.set_regularizer(regularizer)
    if caching_device is not None:
        scope.set_caching_device(caching_device)
    if partitioner is not None:
        scope.set_partitioner(partitioner)
    if custom_getter is not None:
        scope.set_custom_getter(_merge_getters(custom_getter, old.custom_getter))
    if dtype is not None:
        scope.set_dtype(dtype)
    if constraint is not None:
        scope._constraint = constraint
    store.current_scope = scope
    try:
        yield scope
    finally:
        store.current_scope = old
        if isinstance(name_or_scope, VariableScope):
            store.variable_scopes_count = old_counts
        else:
            store.close_variable_subscopes(new_name)


def _merge_getters(new_getter, old_getter):
    if old_getter is None:
        return new_getter

    def merged(getter, *args, **kwargs):
        return new_getter(lambda *a, **k: old_getter(getter, *a, **k), *args, **kwargs)

    return merged


def _unique_variable_scope(prefix):
    store = _get_varscope_store()
    current = store.current_scope
    name = f"{current.name}/{prefix}" if current.name else prefix
    if store.variable_scope_count(name) == 0:
        return prefix
    idx = 1
    while store.variable_scope_count(f"{name}_{idx}") > 0:
        idx += 1
    return f"{prefix}_{idx}"


class variable_scope:  # noqa: N801 - TF's public name
    """`with tf.variable_scope(name_or_scope, default_name=None, values=None, reuse=None, ...)`."""

    def __init__(
        self,
        name_or_scope,
        default_name=None,
        values=None,
        initializer=None,
        regularizer=None,
        caching_device=None,
        partitioner=None,
        custom_getter=None,
        reuse=None,
        dtype=None,
        use_resource=None,
        constraint=None,
        auxiliary_name_scope=True,
    ):
        if name_or_scope is None and default_name is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if name_or_scope is not None and not isinstance(name_or_scope, (VariableScope, str)):
            raise TypeError("VariableScope: name_or_scope must be a string or VariableScope.")
        if reuse is False:
            reuse = None  # False is the same as None: it never turns reuse off for sub-scopes
        if use_resource:
            raise ValueError("This engine implements TF 1.x reference variables only (use_resource=False).")
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._values = values
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._reuse = reuse
        self._dtype = dtype
        self._constraint = constraint
        self._auxiliary_name_scope = auxiliary_name_scope
        self._stack = None

    def __enter__(self):
        stack = contextlib.ExitStack()
        graph = ops._get_graph_from_inputs(self._values) if self._values else ops.get_default_graph()
        stack.enter_context(graph.as_default())
        try:
            if self._name_or_scope is not None:
                if isinstance(self._name_or_scope, str):
                    name_scope = self._name_or_scope
                else:
                    name_scope = self._name_or_scope.name.split("/")[-1]
                if self._auxiliary_name_scope and name_scope:
                    current = stack.enter_context(ops.name_scope(name_scope))
                else:
                    current = None
                if isinstance(self._name_or_scope, str):
                    old_name_scope = current
                else:
                    old_name_scope = self._name_or_scope.original_name_scope
                target = self._name_or_scope
            else:
                if self._reuse:
                    raise ValueError("reuse=True cannot be used without a name_or_scope")
                target = _unique_variable_scope(self._default_name)
                current = stack.enter_context(ops.name_scope(target)) if self._auxiliary_name_scope else None
                old_name_scope = current
            scope = stack.enter_context(
                _pure_variable_scope(
                    target,
                    reuse=self._reuse,
                    initializer=self._initializer,
                    regularizer=self._regularizer,
                    caching_device=self._caching_device,
                    partitioner=self._partitioner,
                    custom_getter=self._custom_getter,
                    old_name_scope=old_name_scope,
                    dtype=self._dtype,
                    constraint=self._constraint,
                )
            )
        except BaseException:
            stack.close()
            raise
        self._stack = stack
        return scope

    def __exit__(self, *exc):
        self._stack.__exit__(*exc)
        return False


def variable_op_scope(
    values,
    name_or_scope,
    default_name=None,
    initializer=None,
    regularizer=None,
    caching_device=None,
    partitioner=None,
    custom_getter=None,
    reuse=None,
    dtype=None,
    use_resource=None,
    constraint=None,
):
    return variable_scope(
        name_or_scope,
        default_name=default_name,
        values=values,
        initializer=initializer,
        regularizer=regularizer,
        caching_device=caching_device,
        partitioner=partitioner,
        custom_getter=custom_getter,
        reuse=reuse,
        dtype=dtype,
        constraint=constraint,
    )


def no_regularizer(_):
    """Pass as `regularizer=` to keep a variable out of a scope's regularization."""
    return None
