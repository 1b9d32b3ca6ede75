"""Array ops (TensorFlow's ``array_ops``), one module per sub-family; each holds its ops' kernels, shape
rules, Python wrappers and gradients:

- `feeds`: Placeholder, PlaceholderWithDefault, Identity, StopGradient
- `shapes`: Shape/Size/Rank, Reshape, Squeeze, ExpandDims, Transpose, BroadcastTo
- `casts`: Cast
- `joins`: ConcatV2, Pack, Unpack, Split, SplitV
- `tiling`: Tile, Pad, MirrorPad
- `slicing`: GatherV2, Slice, StridedSlice, ``tensor[...]``, boolean_mask
- `constructors`: Fill, zeros/ones, *_like, OneHot, MatrixDiag, eye
- `selection`: Select, SelectV2, Where

This package re-exports their public names (and the two private helpers the framework uses:
``_autopacking`` for converting nested lists of tensors, ``_slice_helper`` for ``Variable.__getitem__``).
"""

from __future__ import annotations

from engine.ops.array_ops.casts import (
    cast,
    saturate_cast,
    to_complex64,
    to_complex128,
    to_double,
    to_float,
    to_int32,
    to_int64,
)
from engine.ops.array_ops.constructors import (
    eye,
    fill,
    matrix_diag,
    matrix_set_diag,
    one_hot,
    ones,
    ones_like,
    zeros,
    zeros_like,
)
from engine.ops.array_ops.feeds import (
    identity,
    identity_n,
    placeholder,
    placeholder_with_default,
    stop_gradient,
)
from engine.ops.array_ops.joins import (
    _autopacking,  # noqa: F401 - used by engine.framework.ops
    concat,
    split,
    stack,
    unstack,
)
from engine.ops.array_ops.selection import (
    where,
    where_v2,
)
from engine.ops.array_ops.shapes import (
    broadcast_gradient_args,
    broadcast_to,
    expand_dims,
    invert_permutation,
    matrix_transpose,
    rank,
    reshape,
    shape_n,
    shape_v1,
    size,
    squeeze,
    transpose,
)
from engine.ops.array_ops.slicing import (
    _slice_helper,  # noqa: F401 - used by engine.variables
    boolean_mask,
    gather,
    slice,
    strided_slice,
    strided_slice_grad,
    unsorted_segment_sum,
)
from engine.ops.array_ops.tiling import (
    mirror_pad_grad,
    pad,
    tile,
)

__all__ = [
    "boolean_mask",
    "broadcast_gradient_args",
    "broadcast_to",
    "cast",
    "concat",
    "expand_dims",
    "eye",
    "fill",
    "gather",
    "identity",
    "identity_n",
    "invert_permutation",
    "matrix_diag",
    "matrix_set_diag",
    "matrix_transpose",
    "mirror_pad_grad",
    "one_hot",
    "ones",
    "ones_like",
    "pad",
    "placeholder",
    "placeholder_with_default",
    "rank",
    "reshape",
    "saturate_cast",
    "shape_n",
    "shape_v1",
    "size",
    "slice",
    "split",
    "squeeze",
    "stack",
    "stop_gradient",
    "strided_slice",
    "strided_slice_grad",
    "tile",
    "to_complex64",
    "to_complex128",
    "to_double",
    "to_float",
    "to_int32",
    "to_int64",
    "transpose",
    "unsorted_segment_sum",
    "unstack",
    "where",
    "where_v2",
    "zeros",
    "zeros_like",
]
