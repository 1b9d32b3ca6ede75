"""``StridedSliceGrad``: the op the StridedSlice gradient builds (kernel, shape rule, wrapper)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import registry
from engine.ops import op_util

_STRIDED_ATTRS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _strided_slice_grad_compile(op, runtime):
    from engine.ops.array_ops import _strided_index  # the forward op's own index rules

    attrs = {k: op.get_attr(k) for k in _STRIDED_ATTRS}

    def kernel(shape, begin, end, strides, dy):
        out = np.zeros([int(d) for d in np.reshape(shape, -1)], dtype=np.asarray(dy).dtype)
        index = _strided_index(np.reshape(begin, -1), np.reshape(end, -1), np.reshape(strides, -1), attrs)
        out[index] = dy
        return out

    return kernel


def _strided_slice_grad_infer(op):
    from engine.framework import tensor_util

    return [(op.inputs[4].dtype.base_dtype, tensor_util.constant_value_as_shape(op.inputs[0]))]


registry.register_op("StridedSliceGrad", infer=_strided_slice_grad_infer, compile=_strided_slice_grad_compile,
                     attrs={k: 0 for k in _STRIDED_ATTRS},
                     inputs=("shape: Index", "begin: Index", "end: Index", "strides: Index", "dy: T"),
                     allowed={"Index": groups.INDEX_TYPES})


def strided_slice_grad(shape, begin, end, strides, dy, name=None, **masks):
    attrs = {"T": dy.dtype.base_dtype, "Index": begin.dtype.base_dtype, **{k: int(masks.get(k, 0))
                                                                            for k in _STRIDED_ATTRS}}
    return op_util.make_tensor("StridedSliceGrad", [shape, begin, end, strides, dy],
                               name=name or "StridedSliceGrad", attrs=attrs)


