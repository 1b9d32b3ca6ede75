"""The row ops of TensorFlow's resource variables, so that the sparse training graphs TF 2.x writes (an
embedding looked up from a `VarHandleOp`) import and run here: ResourceGather (with TF's gradient, an
IndexedSlices whose dense shape is the variable's: VariableShape), ResourceScatterAdd/Sub/Update and the
optimizers' ResourceSparseApply* updates (the kernels of engine/ops/sparse_training_ops.py on the arrays
behind the handles).  Like engine/ops/resource_variable_ops.py, these serve imported graphs; the engine's
own variables are reference variables.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, indexed_slices, registry
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, constant_op, sparse_training_ops
from engine.ops.array_ops.slicing import _gather_kernel, set_row_shapes
from engine.ops.op_util import make_tensor
from engine.ops.resource_variable_ops import _handle_shape
from engine.ops.scatter_ops import scatter_rows


def _infer_gather(op):
    handle, indices = op.inputs
    shape = _handle_shape(handle)
    dtype = dtypes.as_dtype(op.get_attr("dtype"))
    batch_dims = int(op._get_attr_or("batch_dims", 0) or 0)
    if shape.ndims is None or indices.shape.ndims is None:
        return [(dtype, _ts.unknown_shape())]
    dims, idx = shape.as_list(), indices.shape.as_list()
    return [(dtype, _ts.TensorShape(dims[:batch_dims] + idx[batch_dims:] + dims[batch_dims + 1:]))]


def _compile_gather(op, runtime):
    batch_dims = int(op._get_attr_or("batch_dims", 0) or 0)
    return lambda cell, indices: _gather_kernel(cell.read(), indices, batch_dims, batch_dims)


registry.register_op("ResourceGather", infer=_infer_gather, compile=_compile_gather, stateful=True,
                     attrs={"batch_dims": 0, "validate_indices": True})


def _infer_variable_shape(op):
    shape = _handle_shape(op.inputs[0])
    return [(dtypes.as_dtype(op.get_attr("out_type")), _ts.TensorShape([shape.ndims]))]


def _compile_variable_shape(op, runtime):
    np_type = dtypes.as_dtype(op.get_attr("out_type")).as_numpy_dtype
    return lambda cell: np.array(cell.read().shape, dtype=np_type)


registry.register_op("VariableShape", infer=_infer_variable_shape, compile=_compile_variable_shape,
                     stateful=True, attrs={"out_type": dtypes.int32})
registry.register_not_differentiable("VariableShape")


def variable_shape(handle, out_type=dtypes.int32):
    """TF's ``variable_shape``: a Const when the handle's static shape is known, else VariableShape."""
    shape = _handle_shape(handle)
    if shape.is_fully_defined():
        return constant_op.constant(shape.as_list(), dtype=out_type)
    return make_tensor("VariableShape", [handle], name="VariableShape", attrs={"out_type": out_type})


@registry.register_gradient("ResourceGather")
def _resource_gather_grad(op, grad):
    """TF's: the gradient rows, one per index, as an IndexedSlices of the variable's shape."""
    handle, indices = op.inputs
    params_shape = variable_shape(handle)
    size = array_ops.expand_dims(array_ops.size(indices), 0)
    values_shape = array_ops.concat([size, params_shape[1:]], 0)
    values = array_ops.reshape(grad, values_shape)
    flat_indices = array_ops.reshape(indices, size)
    set_row_shapes(values, flat_indices, indices, _handle_shape(handle))
    return [indexed_slices.IndexedSlices(values, flat_indices, params_shape), None]


_SCATTER = {"ResourceScatterAdd": np.add, "ResourceScatterSub": np.subtract, "ResourceScatterUpdate": None}


def _compile_scatter(op, runtime):
    ufunc = _SCATTER[op.type]
    return lambda cell, indices, updates: scatter_rows(cell.read(), indices, updates, ufunc)


for _op_type in _SCATTER:
    registry.register_op(_op_type, infer=lambda op: [], compile=_compile_scatter, stateful=True,
                         inputs=("resource", "indices: Tindices", "updates: dtype"),
                         allowed={"Tindices": groups.INDEX_TYPES})


def _define_sparse_apply(op_type, n_vars):
    """``ResourceSparseApply<X>``: SparseApply<X>'s kernel on the arrays behind the first `n_vars` handles."""
    dense_type = op_type.removeprefix("Resource")
    names = sparse_training_ops.input_names(dense_type)
    sparse_kernel = sparse_training_ops.kernel_for(dense_type)

    def compile_(op, runtime):
        kernel = sparse_kernel(op)

        def run(*inputs):
            kernel(*inputs)  # the kernel reads the cells; its return value (the first cell) is dropped

        return run

    attrs = dict(registry.get_op_def(dense_type).attrs)
    inputs = tuple(names[:n_vars]) + tuple(
        "indices: Tindices" if n == "indices" else n if n in ("global_step",) else f"{n}: T"
        for n in names[n_vars:])
    registry.register_op(op_type, infer=lambda op: [], compile=compile_, stateful=True, attrs=attrs,
                         inputs=inputs, allowed={"T": groups.NUMBER_TYPES, "Tindices": groups.INDEX_TYPES})


for _dense, _n in sparse_training_ops.N_VARS.items():
    _define_sparse_apply("Resource" + _dense, _n)
