"""Kernels for TensorFlow's resource variables, so graphs written by TF 2.x in graph mode run here.

Our own variables are TF 1.x reference variables (`VariableV2`). TensorFlow 2.x, even with eager
execution disabled, writes resource variables instead: `VarHandleOp` makes a handle, `ReadVariableOp`
reads it, `AssignVariableOp` writes it, and the optimizers use `ResourceApply*`. These ops are
registered so that `import_meta_graph` / `import_graph_def` of such a graph (e.g. fixtures/real/tf1_mlp)
builds and runs.

A handle's value at run time is the session's `VariableCell` for the `VarHandleOp` (keyed by its
`shared_name`), so the variable's state lives in the Session like a reference variable's does.
"""

from __future__ import annotations

import numpy as np

from engine import variables
from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, registry
from engine.framework import tensor_shape as _ts
from engine.ops import training_ops as k

_SCALAR = _ts.scalar()


def _handle_shape(handle_tensor):
    """The static shape declared by the VarHandleOp behind a handle tensor (through Identity ops)."""
    op = handle_tensor.op
    while op.type == "Identity" and op.inputs:
        op = op.inputs[0].op
    if op.type == "VarHandleOp":
        return _ts.as_shape(op._get_attr_or("shape", _ts.unknown_shape()))
    return _ts.unknown_shape()


def _shape_text(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


# --- VarHandleOp / ReadVariableOp / AssignVariableOp ----------------------------------------------
def _compile_var_handle(op, runtime):
    cell = runtime.cell(op)
    return lambda: cell


registry.register_op(
    "VarHandleOp",
    infer=lambda op: [(dtypes.resource, _SCALAR)],
    compile=_compile_var_handle,
    stateful=True,
    attrs={"container": "", "shared_name": "", "allowed_devices": []},
)


def _compile_read(op, runtime):
    np_dtype = np.dtype(dtypes.as_dtype(op.get_attr("dtype")).as_numpy_dtype)

    def kernel(cell):
        value = cell.read()
        if value.dtype != np_dtype:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Trying to read variable with wrong dtype. Expected {dtypes.c_name(np_dtype)} got "
                f"{dtypes.c_name(value.dtype)}",
            )
        # A snapshot: later in-place updates (ResourceApply*) must not change a value already read.
        return value.copy()

    return kernel


registry.register_op(
    "ReadVariableOp",
    infer=lambda op: [(dtypes.as_dtype(op.get_attr("dtype")), _handle_shape(op.inputs[0]))],
    compile=_compile_read,
    stateful=True,
)


def _compile_assign(op, runtime):
    np_dtype = np.dtype(dtypes.as_dtype(op.get_attr("dtype")).as_numpy_dtype)
    validate_shape = bool(op._get_attr_or("validate_shape", False))

    def kernel(cell, value):
        value = np.array(value, dtype=np_dtype, copy=True)
        old = cell.value
        if validate_shape and old is not None and old.shape != value.shape:
            raise errors.InvalidArgumentError(
                None,
                None,
                "Trying to assign to variable with tensor with wrong shape. "
                f"Expected {_shape_text(old.shape)} got {_shape_text(value.shape)}",
            )
        cell.value = value

    return kernel


registry.register_op(
    "AssignVariableOp",
    infer=lambda op: [],
    compile=_compile_assign,
    stateful=True,
    attrs={"validate_shape": False},
    reshapes_variable=True,
)


def _compile_update(fn):
    def compile_(op, runtime):
        def kernel(cell, delta):
            value = cell.read()
            cell.value = fn(value, np.asarray(delta, dtype=value.dtype)).astype(value.dtype, copy=False)

        return kernel

    return compile_


registry.register_op(
    "AssignAddVariableOp", infer=lambda op: [], compile=_compile_update(np.add), stateful=True
)
registry.register_op(
    "AssignSubVariableOp", infer=lambda op: [], compile=_compile_update(np.subtract), stateful=True
)
registry.register_op(
    "VarIsInitializedOp",
    infer=lambda op: [(dtypes.bool, _SCALAR)],
    kernel=lambda cell: np.bool_(cell.value is not None),
    stateful=True,
)


def _destroy(cell):
    cell.value = None


registry.register_op(
    "DestroyResourceOp",
    infer=lambda op: [],
    kernel=_destroy,
    stateful=True,
    attrs={"ignore_lookup_error": True},
)

# As in TensorFlow: VarIsInitializedOp is marked not differentiable, the handle, assign and destroy ops
# have no gradient at all (a gradient reaching them raises LookupError).  Deviation: ReadVariableOp's
# gradient (TF passes it on to the handle) is not defined, as no engine gradient consumes a handle.
registry.register_not_differentiable("VarIsInitializedOp")
registry.register_not_differentiable("ReadVariableOp")


# --- ResourceApply*: the optimizers' updates on resource variables --------------------------------
def _define_apply(op_type, n_vars, fn, flag=None):
    """`op_type`'s first `n_vars` inputs are handles; `fn(*arrays, **flag)` updates them in place."""

    def compile_(op, runtime):
        kwargs = {flag: bool(op._get_attr_or(flag, False))} if flag else {}

        def kernel(*inputs):
            arrays = [cell.read() for cell in inputs[:n_vars]]
            fn(*arrays, *inputs[n_vars:], **kwargs)

        return kernel

    attrs = {"use_locking": False}
    if flag:
        attrs[flag] = flag == "update_slots"
    names = k.INPUT_NAMES[op_type.removeprefix("ResourceApply")]  # handles: resource, other inputs: T
    inputs = names[:n_vars] + k.typed_inputs(names[n_vars:])
    registry.register_op(op_type, infer=lambda op: [], compile=compile_, stateful=True, attrs=attrs,
                         inputs=inputs, allowed={"T": groups.NUMBER_TYPES})


_define_apply("ResourceApplyGradientDescent", 1, k.np_apply_gradient_descent)
_define_apply("ResourceApplyMomentum", 2, k.np_apply_momentum, "use_nesterov")
_define_apply("ResourceApplyAdam", 3, k.np_apply_adam, "use_nesterov")
_define_apply("ResourceApplyRMSProp", 3, k.np_apply_rms_prop)
_define_apply("ResourceApplyCenteredRMSProp", 4, k.np_apply_centered_rms_prop)
_define_apply("ResourceApplyAdagrad", 2, k.np_apply_adagrad, "update_slots")
_define_apply("ResourceApplyAdadelta", 3, k.np_apply_adadelta)
_define_apply("ResourceApplyFtrl", 3, k.np_apply_ftrl, "multiply_linear_by_lr")
_define_apply("ResourceApplyFtrlV2", 3, k.np_apply_ftrl_v2, "multiply_linear_by_lr")
_define_apply("ResourceApplyProximalGradientDescent", 1, k.np_apply_proximal_gradient_descent)
_define_apply("ResourceApplyProximalAdagrad", 2, k.np_apply_proximal_adagrad)
_define_apply("ResourceApplyAdagradDA", 3, k.np_apply_adagrad_da)


# --- the Python object for an imported resource variable ------------------------------------------
class ResourceVariable(variables.BaseVariable):
    """A resource variable rebuilt from a `VariableDef` (`is_resource: true`) by `import_meta_graph`.

    This engine creates reference variables itself; this class only wraps the ops of a graph that
    TensorFlow 2.x wrote in graph mode (`v` VarHandleOp, `v/Assign`, `v/Read/ReadVariableOp`), so such
    a graph's variables can be listed, initialized, read, assigned, saved and restored.  What it shares
    with `tf.Variable` (names, repr, operators, conversion) is `variables.BaseVariable`'s.
    """

    def __init__(self, handle, initializer_op, snapshot, initial_value=None, trainable=True):
        self._variable = handle
        self._initializer_op = initializer_op
        self._graph_element = snapshot
        self._initial_value = initial_value
        self._trainable = trainable
        self._save_slice_info = None

    @staticmethod
    def from_proto(variable_def, import_scope=None):
        from engine.framework import ops

        graph = ops.get_default_graph()

        def element(name):
            return graph.as_graph_element(f"{import_scope}/{name}" if import_scope else name)

        return ResourceVariable(
            handle=element(variable_def.variable_name),
            initializer_op=element(variable_def.initializer_name),
            snapshot=element(variable_def.snapshot_name) if variable_def.snapshot_name else None,
            initial_value=element(variable_def.initial_value_name)
            if variable_def.initial_value_name
            else None,
            trainable=variable_def.trainable,
        )

    def to_proto(self, export_scope=None):
        from engine.proto import variable_pb2

        def strip(name):
            if export_scope:
                if not name.startswith(export_scope + "/"):
                    return None
                return name[len(export_scope) + 1 :]
            return name

        names = [self._variable.name, self._initializer_op.name]
        if any(strip(n) is None for n in names):
            return None
        proto = variable_pb2.VariableDef(
            variable_name=strip(self._variable.name),
            initializer_name=strip(self._initializer_op.name),
            is_resource=True,
            trainable=self._trainable,
        )
        if self._graph_element is not None:
            proto.snapshot_name = strip(self._graph_element.name) or ""
        if self._initial_value is not None:
            proto.initial_value_name = strip(self._initial_value.name) or ""
        return proto

    @property
    def handle(self):
        return self._variable

    @property
    def dtype(self):
        return dtypes.as_dtype(self.op.get_attr("dtype"))

    @property
    def shape(self):
        return _handle_shape(self._variable)

    @property
    def device(self):
        return self.op.device

    def value(self):
        if self._graph_element is None:
            self._graph_element = self.read_value()
        return self._graph_element

    def read_value(self):
        from engine.ops.op_util import make_op

        return make_op(
            "ReadVariableOp", [self._variable], name="ReadVariableOp", attrs={"dtype": self.dtype}
        ).outputs[0]

    def _as_graph_element(self):
        return self.value()

    def eval(self, session=None):
        return self.value().eval(session=session)

    def assign(self, value, use_locking=None, name=None, read_value=True):
        from engine.framework import ops
        from engine.ops.op_util import make_op

        value = ops.convert_to_tensor(value, dtype=self.dtype)
        assign_op = make_op(
            "AssignVariableOp",
            [self._variable, value],
            name=name or "AssignVariableOp",
            attrs={"dtype": self.dtype},
        )
        if not read_value:
            return assign_op
        with ops.control_dependencies([assign_op]):
            return self.read_value()
