"""Every registered op's gradient against central finite differences (float64).

The test walks the op registry: each op type must either be marked not differentiable or have at least
one case in CASES, so an op added later cannot skip the check.  Cases use shapes that broadcast and
reduce, and placeholders with unknown dimensions so the run-time (dynamic-shape) gradient paths are
exercised as well as the static ones.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field

import numpy as np
import pytest

import engine.ops as engine_ops
from engine import gradients
from engine.framework import dtypes, ops, registry
from engine.ops import (
    array_ops,
    band_ops,
    bessel_ops,
    complex_ops,
    cond,
    constant_op,
    conv3d_ops,
    conv_ops,
    diag_ops,
    fft_ops,
    image_color_ops,
    image_crop_ops,
    image_patch_ops,
    image_resize_ops,
    linalg_ops,
    logging_ops,
    math_ops,
    nn_loss_ops,
    nn_ops,
    numerics,
    op_util,
    partition_ops,
    segment_ops,
    space_batch_ops,
    tridiagonal_ops,
)
from engine.ops import depthwise_conv_ops as depthwise_ops
from engine.ops.conv3d_ops import avg_pool3d, conv3d, max_pool3d
from engine.ops.depthwise_conv_ops import depthwise_conv2d
from engine.ops.einsum_op import einsum
from engine.ops.fused_batch_norm_ops import fused_batch_norm_v3
from engine.ops.lrn_ops import lrn
from engine.ops.math_ops import cumprod
from engine.ops.matrix_functions import sqrtm
from engine.ops.nd_index_ops import gather_nd, scatter_nd
from engine.ops.reverse_op import reverse, reverse_sequence
from engine.ops.roll_op import roll
from engine.ops.tensor_array_ops import TensorArray
from engine.ops.top_k_ops import top_k
from engine.ops.while_loop import while_loop
from engine.session import Session

for _m in pkgutil.iter_modules(engine_ops.__path__):
    importlib.import_module(f"engine.ops.{_m.name}")
try:  # the package namespace imports every op module (summaries, ...) once it exists
    importlib.import_module("engine")
except ImportError:  # pragma: no cover - only while the package is being assembled
    pass

F64 = dtypes.float64
RNG = np.random.RandomState(1234)


@dataclass
class Case:
    build: object  # fn(*input_tensors) -> Tensor or list of Tensors
    values: list  # numpy float64 arrays fed to the inputs
    shapes: list | None = None  # placeholder shapes (None dims; None = unknown rank); default: values'
    eps: float = 1e-6
    tol: float = 1e-5
    label: str = ""
    extra: dict = field(default_factory=dict)


def away(*shape, low=0.2, high=1.5):
    """Random values with |v| in [low, high]: clear of kinks at 0."""
    mag = RNG.uniform(low, high, size=shape)
    return np.asarray(mag * RNG.choice([-1.0, 1.0], size=shape))


def pos(*shape, low=0.3, high=2.0):
    return np.asarray(RNG.uniform(low, high, size=shape))


def rnd(*shape):
    return np.asarray(RNG.randn(*shape))


def c(value, dtype=None):
    return constant_op.constant(value, dtype=dtype)


def fed(value):
    """An int32 value known only when the graph runs (an axis, permutation or index fed at run time)."""
    return array_ops.placeholder_with_default(np.asarray(value, np.int32), None)


# MaxPool3DGrad / MaxPool3DGradGrad are linear in their gradient input: checked on a fixed pool input.
POOL3D = ([1, 2, 2, 1, 1], [1, 1, 2, 1, 1], "SAME")
POOL3D_X = np.random.RandomState(11).permutation(24).reshape(1, 2, 3, 2, 2).astype(np.float32)


def _max_pool3d_grad_of(g):
    x = c(POOL3D_X)
    y = max_pool3d(x, *POOL3D)
    return conv3d_ops._pool_grad_op("MaxPool3DGrad", [x, y, g], y.op)


def _max_pool3d_grad_grad_of(g):
    x = c(POOL3D_X)
    y = max_pool3d(x, *POOL3D)
    return conv3d_ops._pool_grad_op("MaxPool3DGradGrad", [x, y, g], y.op)


# --- case constructors -------------------------------------------------------------------------------


def unary(fn, gen=rnd, shape=(2, 3)):
    return [
        Case(lambda x: fn(x), [gen(*shape)]),
        Case(lambda x: fn(x), [gen(*shape)], shapes=[(None, shape[1])], label="dynamic"),
    ]


def binary(fn, gen_x=rnd, gen_y=rnd):
    """Same shapes, static broadcasting both ways, and broadcasting against unknown dims."""
    return [
        Case(lambda x, y: fn(x, y), [gen_x(2, 3), gen_y(2, 3)]),
        Case(lambda x, y: fn(x, y), [gen_x(3, 1, 4), gen_y(2, 4)], label="broadcast"),
        Case(
            lambda x, y: fn(x, y),
            [
                gen_x(
                    4,
                ),
                gen_y(3, 1),
            ],
            label="broadcast-both",
        ),
        Case(
            lambda x, y: fn(x, y),
            [
                gen_x(3, 4),
                gen_y(
                    4,
                ),
            ],
            shapes=[(None, 4), (4,)],
            label="dynamic-bias",
        ),
        Case(
            lambda x, y: fn(x, y),
            [gen_x(3, 4), gen_y(1, 4)],
            shapes=[(None, None), (None, 4)],
            label="dynamic-unknown",
        ),
        Case(lambda x, y: fn(x, y), [gen_x(2, 3), gen_y()], label="scalar"),
    ]


def nonzero(*shape):
    return away(*shape, low=0.5, high=2.0)


def gen_op(op_type, n_inputs=2, **attrs):
    """Builds `op_type` directly (for op types no public wrapper creates, e.g. string-typed Add)."""

    def build(*xs):
        return op_util.make_tensor(op_type, list(xs[:n_inputs]), attrs={"T": xs[0].dtype.base_dtype, **attrs})

    return build


def conv_case(strides, padding, dilations=(1, 1, 1, 1), x_shape=(2, 5, 6, 3), f_shape=(3, 2, 3, 2)):
    return Case(
        lambda x, f: conv_ops.conv2d(x, f, strides=list(strides), padding=padding, dilations=list(dilations)),
        [rnd(*x_shape), rnd(*f_shape)],
        label=f"{padding}-{strides}-{dilations}",
    )


def conv_backprop_case(wrt, strides, padding, dy_shape, x_shape=(1, 5, 6, 2), f_shape=(3, 2, 2, 2)):
    """Conv2DBackpropInput (of filter and dy) or Conv2DBackpropFilter (of input and dy)."""
    if wrt == "input":
        def build(f, dy):
            sizes = c(np.array(x_shape, np.int32))
            return conv_ops.conv2d_backprop_input(sizes, f, dy, strides=list(strides), padding=padding)

        values = [rnd(*f_shape), rnd(*dy_shape)]
    else:
        def build(x, dy):
            sizes = c(np.array(f_shape, np.int32))
            return conv_ops.conv2d_backprop_filter(x, sizes, dy, strides=list(strides), padding=padding)

        values = [rnd(*x_shape), rnd(*dy_shape)]
    return Case(build, values, label=f"{padding}-{strides}")


def pool_case(fn, ksize, strides, padding, gen=rnd):
    return Case(
        lambda x: fn(x, ksize=ksize, strides=strides, padding=padding),
        [gen(2, 5, 6, 3)],
        label=f"{padding}-{ksize}-{strides}",
    )


def distribution(*shape):
    """Rows that sum to one (softmax cross-entropy labels: TF's fused gradient assumes it)."""
    p = pos(*shape)
    return p / p.sum(axis=-1, keepdims=True)


def distinct(*shape):
    """Values with no ties (max/min pooling and reductions need a unique winner)."""
    n = int(np.prod(shape))
    return RNG.permutation(n).reshape(shape) * 0.1 + RNG.uniform(0, 0.01, size=shape)


# FusedBatchNormV3's mean and variance inputs: empty when training, the population statistics otherwise
_STATS = {True: [np.array([], np.float32)] * 2,
          False: [np.full(3, 0.2, np.float32), np.full(3, 1.5, np.float32)]}


def _fused_batch_norm(x, scale, offset, training, data_format):
    """FusedBatchNormV3 in float32 on float64 placeholders; its output back in float64."""
    f32 = [array_ops.cast(t, dtypes.float32) for t in (x, scale, offset)]
    y = fused_batch_norm_v3(*f32, *_STATS[training], epsilon=0.001, data_format=data_format,
                            is_training=training)[0]
    return array_ops.cast(y, F64)


def _fused_batch_norm_backprops(x, scale, training, data_format):
    """The x and scale backprops (FusedBatchNormGradV3) of a weighted sum of FusedBatchNormV3's output."""
    x32, scale32 = array_ops.cast(x, dtypes.float32), array_ops.cast(scale, dtypes.float32)
    y = fused_batch_norm_v3(x32, scale32, np.zeros(3, np.float32), *_STATS[training], epsilon=0.001,
                            data_format=data_format, is_training=training)[0]
    shape = y.shape.as_list()
    weights = np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape).astype(np.float32)
    dx, dscale = gradients.gradients(math_ops.reduce_sum(y * y * weights), [x32, scale32])
    return [array_ops.cast(dx, F64), array_ops.cast(dscale, F64)]


CASES: dict[str, list[Case]] = {
    # arithmetic
    "AddV2": binary(math_ops.add),
    "Add": [Case(gen_op("Add"), [rnd(3, 1), rnd(4)])],
    "Sub": binary(math_ops.subtract),
    "Mul": binary(math_ops.multiply),
    "RealDiv": binary(math_ops.truediv, gen_y=nonzero),
    "Div": binary(math_ops.div, gen_y=nonzero),
    "DivNoNan": binary(math_ops.div_no_nan, gen_y=nonzero),
    "Xlogy": binary(math_ops.xlogy, gen_y=pos),
    "FloorMod": [Case(math_ops.floormod, [pos(2, 3, low=0.1, high=0.9) + 3.0, pos(3, low=1.3, high=1.7)])],
    "Pow": binary(math_ops.pow, gen_x=pos, gen_y=rnd),
    "SquaredDifference": binary(math_ops.squared_difference),
    "Maximum": binary(math_ops.maximum),
    "Minimum": binary(math_ops.minimum),
    "Atan2": binary(math_ops.atan2, gen_y=nonzero),
    "AddN": [Case(lambda a, b, d: math_ops.add_n([a, b, d]), [rnd(2, 3), rnd(2, 3), rnd(2, 3)])],
    # unary
    "Neg": unary(math_ops.negative),
    "Abs": unary(math_ops.abs, away),
    "Sign": unary(math_ops.sign, away),
    "Square": unary(math_ops.square),
    "Sqrt": unary(math_ops.sqrt, pos),
    "Rsqrt": unary(math_ops.rsqrt, pos),
    "Reciprocal": unary(math_ops.reciprocal, nonzero),
    "Exp": unary(math_ops.exp),
    "Expm1": unary(math_ops.expm1),
    "Log": unary(math_ops.log, pos),
    "Log1p": unary(math_ops.log1p, pos),
    "Sin": unary(math_ops.sin),
    "Cos": unary(math_ops.cos),
    "Tan": unary(math_ops.tan, lambda *s: RNG.uniform(-1.2, 1.2, size=s)),
    "Asin": unary(math_ops.asin, lambda *s: RNG.uniform(-0.8, 0.8, size=s)),
    "Acos": unary(math_ops.acos, lambda *s: RNG.uniform(-0.8, 0.8, size=s)),
    "Atan": unary(math_ops.atan),
    "Sinh": unary(math_ops.sinh),
    "Cosh": unary(math_ops.cosh),
    "Tanh": unary(math_ops.tanh),
    "Sigmoid": unary(math_ops.sigmoid),
    "Cast": [
        Case(
            lambda x: array_ops.cast(array_ops.cast(x, dtypes.float32), F64), [rnd(2, 3)], eps=1e-3, tol=1e-3
        )
    ],
    # matmul
    "MatMul": [
        Case(
            lambda a, b, ta=ta, tb=tb: math_ops.matmul(a, b, transpose_a=ta, transpose_b=tb),
            [rnd(*((4, 3) if ta else (3, 4))), rnd(*((5, 4) if tb else (4, 5)))],
            label=f"{ta}{tb}",
        )
        for ta in (False, True)
        for tb in (False, True)
    ]
    + [
        Case(
            lambda a, b: math_ops.matmul(a, b),
            [rnd(3, 4), rnd(4, 2)],
            shapes=[(None, 4), (4, 2)],
            label="dynamic",
        )
    ],
    "BatchMatMulV2": [
        Case(lambda a, b: math_ops.matmul(a, b), [rnd(2, 3, 4), rnd(4, 5)], label="broadcast"),
        Case(
            lambda a, b: math_ops.matmul(a, b, transpose_a=True, transpose_b=True),
            [rnd(2, 1, 4, 3), rnd(3, 5, 4)],
            label="adjoint",
        ),
    ],
    # reductions
    "Sum": [
        Case(lambda x: math_ops.reduce_sum(x), [rnd(2, 3, 4)]),
        Case(lambda x: math_ops.reduce_sum(x, [0, 2]), [rnd(2, 3, 4)]),
        Case(lambda x: math_ops.reduce_sum(x, 1, keepdims=True), [rnd(2, 3, 4)]),
        Case(lambda x: math_ops.reduce_sum(x, -1), [rnd(2, 3, 4)], shapes=[(None, 3, None)], label="dyn"),
        Case(lambda x: math_ops.reduce_sum(x), [rnd(3, 4)], shapes=[(None, 4)], label="dynamic-all"),
    ],
    "Mean": [
        Case(lambda x: math_ops.reduce_mean(x), [rnd(2, 3, 4)]),
        Case(lambda x: math_ops.reduce_mean(x, [1]), [rnd(2, 3, 4)]),
        Case(lambda x: math_ops.reduce_mean(x, 0, keepdims=True), [rnd(3, 4)], shapes=[(None, 4)]),
        Case(lambda x: math_ops.reduce_mean(x), [rnd(5)], shapes=[(None,)], label="dynamic-all"),
    ],
    "Max": [
        Case(lambda x: math_ops.reduce_max(x, 1), [distinct(2, 3, 4)]),
        Case(lambda x: math_ops.reduce_max(x), [distinct(3, 4)], shapes=[(None, 4)]),
    ],
    "Min": [Case(lambda x: math_ops.reduce_min(x, [0, 2], keepdims=True), [distinct(2, 3, 4)])],
    "Prod": [
        Case(lambda x: math_ops.reduce_prod(x, 1), [nonzero(2, 3)]),
        Case(lambda x: math_ops.reduce_prod(x), [nonzero(2, 3)]),
    ],
    "Cumsum": [
        Case(
            lambda x, e=e, r=r: math_ops.cumsum(x, axis=1, exclusive=e, reverse=r),
            [rnd(2, 4)],
            label=f"{e}{r}",
        )
        for e in (False, True)
        for r in (False, True)
    ],
    # array
    "Identity": unary(array_ops.identity),
    "IdentityN": [Case(lambda a, b: array_ops.identity_n([a, b]), [rnd(2, 3), rnd(3)])],
    # a cond's Switch and Merge, both branches (a positive or negative sum picks the branch)
    "Switch": [Case(lambda x: cond.cond(math_ops.reduce_sum(x) > 0, lambda: x * x, lambda: math_ops.sin(x)),
                    [v]) for v in (pos(2, 3), -pos(2, 3))],
    "Merge": [Case(lambda x, y: cond.cond(math_ops.reduce_sum(x) > 0, lambda: x * y, lambda: x + y),
                   [v, rnd(3)]) for v in (pos(3), -pos(3))],
    "Print": [Case(lambda x: logging_ops.Print(x, [x], first_n=0), [rnd(2, 3)])],
    "PlaceholderWithDefault": [Case(lambda x: array_ops.placeholder_with_default(x, [2, 3]), [rnd(2, 3)])],
    # while loops: a loop variable's Enter/Exit/NextIteration, an invariant's constant Enter (summed over
    # iterations), an Exit nothing reads but another loop variable depends on
    "Enter": [Case(lambda x, y: while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, math_ops.sin(v) * y),
                                           [0, x])[1], [rnd(2), rnd(2)])],
    "Exit": [Case(lambda x, y: while_loop(lambda i, a, b: i < 2, lambda i, a, b: (i + 1, a * b, b + 1.0),
                                          [0, x, y])[1], [rnd(3), rnd(3)])],
    "NextIteration": [Case(lambda x: while_loop(lambda v: math_ops.reduce_sum(v) < 3.0,
                                                lambda v: math_ops.tanh(v) + 1.0, [x]), [rnd(2) * 0.1])],
    # TensorArrays: each reading op's gradient is a write to the gradient array, each writing op's a read
    "TensorArrayReadV3": [Case(lambda x: [TensorArray(F64, size=3).unstack(x).read(i) for i in (2, 0)],
                               [rnd(3, 2)])],
    "TensorArrayWriteV3": [Case(lambda x, y: TensorArray(F64, size=3).write(0, x).write(2, x * y).stack(),
                                [rnd(2), rnd(2)])],
    "TensorArrayGatherV3": [Case(lambda x: TensorArray(F64, size=3, clear_after_read=False).unstack(x)
                                 .gather([2, 0, 2]), [rnd(3, 2)])],
    "TensorArrayScatterV3": [Case(lambda x: TensorArray(F64, size=4).scatter([3, 1], x).gather([1, 3]),
                                  [rnd(2, 3)])],
    "TensorArrayConcatV3": [Case(lambda x, y: TensorArray(F64, size=2, infer_shape=False).write(0, x)
                                 .write(1, y).concat(), [rnd(2, 3), rnd(1, 3)])],
    "TensorArraySplitV3": [Case(lambda x: TensorArray(F64, size=2, infer_shape=False)
                                .split(x, [1, 3]).read(1), [rnd(4, 2)])],
    "Reshape": [
        Case(lambda x: array_ops.reshape(x, [3, -1]), [rnd(2, 3, 2)]),
        Case(lambda x: array_ops.reshape(x, [-1]), [rnd(2, 3)], shapes=[(None, 3)]),
    ],
    "ExpandDims": [Case(lambda x: array_ops.expand_dims(x, 1), [rnd(2, 3)])],
    "Squeeze": [Case(lambda x: array_ops.squeeze(x, [1]), [rnd(2, 1, 3)])],
    "Transpose": [Case(lambda x: array_ops.transpose(x, [2, 0, 1]), [rnd(2, 3, 4)])],
    "ConcatV2": [
        Case(lambda a, b: array_ops.concat([a, b], 1), [rnd(2, 3), rnd(2, 2)]),
        Case(
            lambda a, b: array_ops.concat([a, b], 0),
            [rnd(2, 3), rnd(1, 3)],
            shapes=[(None, 3), (None, 3)],
            label="dynamic",
        ),
    ],
    "Pack": [Case(lambda a, b: array_ops.stack([a, b], axis=1), [rnd(2, 3), rnd(2, 3)])],
    "Unpack": [Case(lambda x: array_ops.unstack(x, axis=1), [rnd(2, 3)])],
    "Split": [Case(lambda x: array_ops.split(x, 2, axis=1), [rnd(3, 4)])],
    "SplitV": [Case(lambda x: array_ops.split(x, [1, 3], axis=1), [rnd(3, 4)])],
    "Tile": [
        Case(lambda x: array_ops.tile(x, [2, 3]), [rnd(2, 3)]),
        Case(lambda x: array_ops.tile(x, [2, 1]), [rnd(2, 3)], shapes=[(None, 3)], label="dynamic"),
    ],
    "Pad": [Case(lambda x: array_ops.pad(x, [[1, 0], [2, 1]]), [rnd(2, 3)])],
    "PadV2": [Case(lambda x: array_ops.pad(x, [[1, 0], [0, 2]], constant_values=1.5), [rnd(2, 3)])],
    "Slice": [
        Case(lambda x: array_ops.slice(x, [1, 0], [1, 2]), [rnd(3, 3)]),
        Case(lambda x: array_ops.slice(x, [1, 1], [-1, 2]), [rnd(3, 4)], shapes=[(None, 4)], label="dyn"),
    ],
    "MirrorPad": [
        Case(lambda x: array_ops.pad(x, [[2, 1], [1, 2]], mode="REFLECT"), [rnd(4, 4)]),
        Case(lambda x: array_ops.pad(x, [[2, 1], [0, 3]], mode="SYMMETRIC"), [rnd(3, 4)], label="symmetric"),
    ],
    "MirrorPadGrad": [
        Case(lambda g: array_ops.mirror_pad_grad(g, c(np.array([[2, 1], [1, 2]], np.int32)), "REFLECT"),
             [rnd(7, 7)]),
        Case(lambda g: array_ops.mirror_pad_grad(g, c(np.array([[2, 1], [0, 3]], np.int32)), "SYMMETRIC"),
             [rnd(6, 7)], label="symmetric"),
    ],
    "StridedSliceGrad": [
        Case(lambda dy: array_ops.strided_slice_grad(
            c(np.array([4, 5], np.int32)), c(np.array([1, 0], np.int32)), c(np.array([4, 5], np.int32)),
            c(np.array([2, 2], np.int32)), dy), [rnd(2, 3)]),
    ],
    "StridedSlice": [
        Case(lambda x: x[1:, ::2], [rnd(3, 5)]),
        Case(lambda x: x[:, 1], [rnd(3, 4)]),
        Case(lambda x: x[..., None, :2], [rnd(2, 3)]),
    ],
    "GatherV2": [
        Case(lambda p: array_ops.gather(p, c(np.array([2, 0, 2], np.int32))), [rnd(4, 3)]),
        Case(lambda p: array_ops.gather(p, c(np.array([[1, 0]], np.int32)), axis=1), [rnd(2, 3, 2)]),
    ],
    "Select": [
        Case(
            lambda x, y: array_ops.where(c(np.array([[True, False, True], [False, False, True]])), x, y),
            [rnd(2, 3), rnd(2, 3)],
        )
    ],
    "SelectV2": [
        Case(lambda x, y: array_ops.where_v2(c(np.array([True, False, True])), x, y), [rnd(2, 3), rnd(1, 3)])
    ],
    "Fill": [Case(lambda v: array_ops.fill([2, 3], v), [np.array(0.7)])],
    "BroadcastTo": [Case(lambda x: array_ops.broadcast_to(x, [2, 3, 4]), [rnd(3, 1)])],
    "MatrixDiag": [Case(lambda d: array_ops.matrix_diag(d), [rnd(2, 3)])],
    "MatrixSetDiag": [Case(lambda x, d: array_ops.matrix_set_diag(x, d), [rnd(3, 3), rnd(3)])],
    # nn
    "Relu": unary(nn_ops.relu, away),
    "Relu6": unary(nn_ops.relu6, lambda *s: away(*s) * 4),
    "Elu": unary(nn_ops.elu, away),
    "Selu": unary(nn_ops.selu, away),
    "Softplus": unary(nn_ops.softplus),
    "Softsign": unary(nn_ops.softsign),
    "CheckNumerics": unary(lambda x: numerics.check_numerics(x, "checked")),
    "LeakyRelu": unary(lambda x: nn_ops.leaky_relu(x, alpha=0.3), away),
    "Softmax": [Case(lambda x: nn_ops.softmax(x), [rnd(2, 4)])],
    "LogSoftmax": [Case(lambda x: nn_ops.log_softmax(x), [rnd(2, 4)])],
    "BiasAdd": [
        Case(lambda x, b: nn_ops.bias_add(x, b), [rnd(2, 3, 4), rnd(4)]),
        Case(lambda x, b: nn_ops.bias_add(x, b), [rnd(3, 4), rnd(4)], shapes=[(None, 4), (4,)]),
    ],
    "L2Loss": [Case(lambda x: nn_loss_ops.l2_loss(x), [rnd(2, 3)])],
    "SoftmaxCrossEntropyWithLogits": [
        Case(
            lambda logits, labels: nn_loss_ops.softmax_cross_entropy_with_logits_v2(
                labels=labels, logits=logits
            ),
            [rnd(3, 4), distribution(3, 4)],
            label="loss",
        ),
        Case(
            lambda logits, labels: list(
                op_util.make_op("SoftmaxCrossEntropyWithLogits", [logits, labels], attrs={"T": F64}).outputs
            ),
            [rnd(3, 4), distribution(3, 4)],
            label="both-outputs",
        ),
    ],
    "SparseSoftmaxCrossEntropyWithLogits": [
        Case(
            lambda logits: nn_loss_ops.sparse_softmax_cross_entropy_with_logits(
                labels=c(np.array([1, 0, 3], np.int32)), logits=logits
            ),
            [rnd(3, 4)],
        )
    ],
    "Conv2D": [
        conv_case((1, 1, 1, 1), "SAME"),
        conv_case((1, 2, 2, 1), "VALID"),
        conv_case((1, 2, 1, 1), "SAME"),
        conv_case((1, 1, 1, 1), "SAME", dilations=(1, 2, 2, 1)),
    ],
    "MaxPool": [
        pool_case(conv_ops.max_pool, [1, 2, 2, 1], [1, 2, 2, 1], "VALID", gen=distinct),
        pool_case(conv_ops.max_pool, [1, 3, 3, 1], [1, 2, 2, 1], "SAME", gen=distinct),
    ],
    "AvgPool": [
        pool_case(conv_ops.avg_pool, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
        pool_case(conv_ops.avg_pool, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
    ],
    # backprop ops (second derivatives)
    "ReluGrad": [Case(nn_ops.relu_grad, [rnd(2, 3), away(2, 3)])],
    "Relu6Grad": [Case(nn_ops.relu6_grad, [rnd(2, 3), away(2, 3) * 4])],
    "EluGrad": [Case(nn_ops.elu_grad, [rnd(2, 3), away(2, 3, high=0.9)])],
    "SeluGrad": [Case(nn_ops.selu_grad, [rnd(2, 3), away(2, 3)])],
    "SoftplusGrad": [Case(nn_ops.softplus_grad, [rnd(2, 3), rnd(2, 3)])],
    "SigmoidGrad": [Case(math_ops.sigmoid_grad, [pos(2, 3, low=0.1, high=0.9), rnd(2, 3)])],
    "TanhGrad": [Case(math_ops.tanh_grad, [rnd(2, 3) * 0.5, rnd(2, 3)])],
    "SqrtGrad": [Case(math_ops.sqrt_grad, [pos(2, 3), rnd(2, 3)])],
    "RsqrtGrad": [Case(math_ops.rsqrt_grad, [pos(2, 3), rnd(2, 3)])],
    "ReciprocalGrad": [Case(math_ops.reciprocal_grad, [nonzero(2, 3), rnd(2, 3)])],
    "BiasAddGrad": [Case(lambda g: nn_ops.bias_add_grad(g), [rnd(2, 3, 4)])],
    "Conv2DBackpropInput": [
        conv_backprop_case("input", (1, 1, 1, 1), "SAME", dy_shape=(1, 5, 6, 2)),
        conv_backprop_case("input", (1, 2, 2, 1), "VALID", dy_shape=(1, 2, 3, 2)),
    ],
    "Conv2DBackpropFilter": [
        conv_backprop_case("filter", (1, 1, 1, 1), "SAME", dy_shape=(1, 5, 6, 2)),
        conv_backprop_case("filter", (1, 2, 2, 1), "VALID", dy_shape=(1, 2, 3, 2)),
    ],
    "MaxPoolGrad": [
        Case(
            lambda x, g: conv_ops.max_pool_grad_op(
                x, conv_ops.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"), g, [1, 2, 2, 1], [1, 2, 2, 1],
                "SAME",
            ),
            [distinct(1, 3, 4, 2), rnd(1, 2, 2, 2)],
        )
    ],
    "MaxPoolGradGrad": [
        Case(
            lambda x, g: conv_ops.max_pool_grad_grad_op(
                x, conv_ops.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"), g, [1, 2, 2, 1], [1, 2, 2, 1],
                "VALID",
            ),
            [distinct(1, 4, 4, 2), rnd(1, 4, 4, 2)],
        )
    ],
    "AvgPoolGrad": [
        Case(
            lambda g: conv_ops.avg_pool_grad_op(c(np.array([1, 3, 4, 2], np.int32)), g, [1, 2, 2, 1],
                                                [1, 2, 2, 1], "SAME"),
            [rnd(1, 2, 2, 2)],
        )
    ],
}


# Gradients that build run-time shape ops: inputs of unknown rank (shape None) or unknown dims, and axes,
# permutations or batch shapes that are only known when the graph runs.
RUNTIME_SHAPE_CASES: dict[str, list[Case]] = {
    "Sum": [
        Case(lambda x: math_ops.reduce_sum(x, fed(1)), [rnd(2, 3, 4)], label="fed-axis"),
        Case(
            lambda x: math_ops.reduce_sum(x, fed([-1, 0])),
            [rnd(2, 3, 4)],
            shapes=[None],
            label="unknown-rank",
        ),
        Case(
            lambda x: math_ops.reduce_sum(x, fed(0), keepdims=True),
            [rnd(3, 2)],
            shapes=[None],
            label="keepdims",
        ),
        Case(lambda x: math_ops.reduce_sum(x), [rnd(2, 3)], shapes=[None], label="unknown-rank-all"),
        Case(lambda x: math_ops.reduce_sum(x, fed([])), [rnd(2, 3)], shapes=[None], label="no-axes"),
    ],
    "Mean": [
        Case(lambda x: math_ops.reduce_mean(x, fed(-2)), [rnd(2, 3, 4)], label="fed-axis"),
        Case(lambda x: math_ops.reduce_mean(x), [rnd(2, 3)], shapes=[None], label="unknown-rank-all"),
        Case(
            lambda x: math_ops.reduce_mean(x, fed([0, 2]), keepdims=True),
            [rnd(2, 3, 4)],
            shapes=[None],
            label="unknown-rank-keepdims",
        ),
    ],
    "Max": [
        Case(lambda x: math_ops.reduce_max(x, fed(1)), [distinct(2, 3, 4)], label="fed-axis"),
        Case(lambda x: math_ops.reduce_max(x), [distinct(3, 4)], shapes=[None], label="unknown-rank-all"),
    ],
    "Min": [
        Case(
            lambda x: math_ops.reduce_min(x, fed([0, -1]), keepdims=True),
            [distinct(2, 3, 4)],
            shapes=[None],
            label="unknown-rank-keepdims",
        ),
        Case(
            lambda x: math_ops.reduce_min(x, fed(0)), [distinct(3, 4)], shapes=[(None, 4)], label="fed-axis"
        ),
    ],
    "Prod": [
        Case(lambda x: math_ops.reduce_prod(x, fed(0)), [nonzero(2, 3)], label="fed-axis"),
        Case(lambda x: math_ops.reduce_prod(x), [nonzero(2, 3)], shapes=[None], label="unknown-rank-all"),
    ],
    "ConcatV2": [
        Case(lambda a, b: array_ops.concat([a, b], fed(1)), [rnd(2, 3), rnd(2, 2)], label="fed-axis"),
        Case(
            lambda a, b, d: array_ops.concat([a, b, d], fed(-1)),
            [rnd(2, 1, 3), rnd(2, 1, 1), rnd(2, 1, 2)],
            shapes=[None, None, (2, None, 2)],
            label="fed-negative-axis-unknown-rank",
        ),
        Case(
            lambda a, b: array_ops.concat([a, b], -1),
            [rnd(2, 3), rnd(2, 2)],
            shapes=[None, None],
            label="unknown-rank",
        ),
    ],
    "Tile": [
        Case(lambda x: array_ops.tile(x, [2, 1, 3]), [rnd(2, 3, 2)], shapes=[None], label="unknown-rank"),
        Case(lambda x: array_ops.tile(x, fed([1, 2])), [rnd(2, 3)], shapes=[None], label="fed-multiples"),
    ],
    "Transpose": [
        Case(lambda x: array_ops.transpose(x, fed([2, 0, 1])), [rnd(2, 3, 4)], label="fed-perm"),
        Case(lambda x: array_ops.transpose(x, fed([1, 0])), [rnd(2, 3)], shapes=[None], label="unknown-rank"),
    ],
    "GatherV2": [
        Case(
            lambda p: array_ops.gather(p, c(np.array([2, 0, 2], np.int32))),
            [rnd(4, 3)],
            shapes=[(None, 3)],
            label="unknown-dim",
        ),
        Case(
            lambda p: array_ops.gather(p, c(np.array([[1, 0], [2, 2]], np.int32)), axis=1),
            [rnd(2, 3, 2)],
            shapes=[None],
            label="unknown-rank",
        ),
        Case(
            lambda p: array_ops.gather(p, c(np.array([0, 0, 1], np.int32)), axis=fed(-1)),
            [rnd(2, 3, 2)],
            label="fed-axis",
        ),
        Case(
            lambda p: array_ops.gather(
                p, c(np.array([[2, 0, 2], [1, 1, 0]], np.int32)), axis=1, batch_dims=1
            ),
            [rnd(2, 3, 2)],
            label="batch-dims",
        ),
        Case(
            lambda p: array_ops.gather(
                p, c(np.array([[[1], [0]], [[0], [0]]], np.int64)), axis=2, batch_dims=-1
            ),
            [rnd(2, 2, 3, 2)],
            shapes=[(None, None, 3, None)],
            label="batch-dims-2-unknown-dims",
        ),
        Case(
            lambda p: array_ops.gather(p, c(np.array([[1, 1], [0, 1]], np.int32)), axis=fed(2), batch_dims=1),
            [rnd(2, 3, 2)],
            shapes=[None],
            label="batch-dims-fed-axis-unknown-rank",
        ),
    ],
    "BatchMatMulV2": [
        Case(
            lambda a, b: math_ops.matmul(a, b),
            [rnd(2, 3, 4), rnd(4, 5)],
            shapes=[(None, 3, 4), (4, 5)],
            label="unknown-batch",
        ),
        Case(
            lambda a, b: math_ops.matmul(a, b, adjoint_b=True),
            [rnd(1, 2, 3, 4), rnd(3, 1, 5, 4)],
            shapes=[(None, None, 3, 4), (None, 1, 5, 4)],
            label="unknown-batch-broadcast",
        ),
        Case(
            lambda a, b: math_ops.matmul(a, b, transpose_a=True),
            [rnd(2, 4, 3), rnd(1, 4, 2)],
            shapes=[None, (None, 4, 2)],
            label="unknown-rank",
        ),
        Case(
            gen_op("BatchMatMulV2", adj_x=False, adj_y=True),
            [rnd(2, 1, 3, 4), rnd(3, 5, 4)],
            shapes=[None, None],
            label="both-unknown-rank",
        ),
    ],
    "MatrixDiag": [
        Case(lambda d: array_ops.matrix_diag(d), [rnd(2, 3)], shapes=[None], label="unknown-rank")
    ],
    "MatrixSetDiag": [
        Case(
            lambda x, d: array_ops.matrix_set_diag(x, d),
            [rnd(2, 3, 3), rnd(2, 3)],
            shapes=[(None, None, None), None],
            label="unknown-dims",
        )
    ],
    "UnsortedSegmentSum": [
        Case(
            lambda d: array_ops.unsorted_segment_sum(d, c(np.array([2, 0, 2, 3], np.int32)), 4),
            [rnd(4, 3)],
        ),
        Case(
            lambda d: array_ops.unsorted_segment_sum(d, c(np.array([[1, -1], [0, 1]], np.int64)), 3),
            [rnd(2, 2, 3)],
            label="negative-ids-dropped",
        ),
        Case(
            lambda d: array_ops.unsorted_segment_sum(d, c(np.array([1, 0, 1], np.int32)), fed(2)),
            [rnd(3, 2)],
            shapes=[None],
            label="unknown-rank",
        ),
    ],
}
for _op_type, _cases in RUNTIME_SHAPE_CASES.items():
    CASES.setdefault(_op_type, []).extend(_cases)


# Op families of the layers slice (engine/ops/nd_index_ops.py, top_k_ops.py, cumprod_op.py, reverse_op.py).
LAYERS_SLICE_CASES = {
    "GatherNd": [
        Case(lambda p: gather_nd(p, c(np.array([[0, 1], [2, 0], [0, 1]], np.int32))), [rnd(3, 2)]),
        Case(lambda p: gather_nd(p, c(np.array([[1], [0]], np.int64))), [rnd(2, 3)], shapes=[None],
             label="rows-unknown-rank"),
    ],
    "ScatterNd": [
        Case(lambda u: scatter_nd(c(np.array([[1], [3], [1]], np.int32)), u, c(np.array([4, 2], np.int32))),
             [rnd(3, 2)]),
    ],
    "TopKV2": [
        Case(lambda x: top_k(x, 2)[0], [np.array([[0.3, -1.2, 0.9, 0.1], [2.0, 1.0, -0.5, 0.7]])]),
        Case(lambda x: top_k(x, 1)[0], [np.array([[[0.3, -1.2], [0.9, 0.1]]])], shapes=[(None, 2, None)],
             label="unknown-dims"),
    ],
    "Cumprod": [
        Case(lambda x, e=e, r=r: cumprod(x, axis=1, exclusive=e, reverse=r), [nonzero(2, 4)], label=f"{e}{r}")
        for e in (False, True)
        for r in (False, True)
    ],
    "Einsum": [
        Case(lambda a, b: einsum("ij,jk->ik", a, b), [rnd(2, 3), rnd(3, 2)]),
        Case(lambda a: einsum("ii->i", a), [rnd(3, 3)], label="diagonal"),
        Case(lambda a: einsum("ijk->j", a), [rnd(2, 3, 2)], label="summed-labels"),
        Case(lambda a, b: einsum("...ij,...jk->...ik", a, b), [rnd(2, 2, 3), rnd(1, 3, 2)],
             shapes=[None, (None, 3, 2)], label="broadcast-ellipsis-unknown-rank"),
        Case(lambda a, b: einsum("ij,kj", a, b), [rnd(2, 3), rnd(2, 3)], label="implicit-output"),
    ],
    "DepthwiseConv2dNative": [
        Case(lambda x, f: depthwise_conv2d(x, f, [1, 2, 2, 1], "SAME"), [rnd(1, 4, 5, 2), rnd(2, 3, 2, 2)]),
        Case(lambda x, f: depthwise_conv2d(x, f, [1, 1, 1, 1], "VALID", rate=2),
             [rnd(1, 5, 5, 1), rnd(2, 2, 1, 3)], label="dilated"),
    ],
    "DepthwiseConv2dNativeBackpropInput": [
        Case(lambda f, dy: depthwise_ops._backprop_input(c(np.array([1, 4, 5, 2], np.int32)), f, dy,
                                                         strides=[1, 2, 2, 1], padding="SAME",
                                                         dilations=[1, 1, 1, 1], data_format="NHWC"),
             [rnd(2, 3, 2, 2), rnd(1, 2, 3, 4)]),
    ],
    "DepthwiseConv2dNativeBackpropFilter": [
        Case(lambda x, dy: depthwise_ops._backprop_filter(x, c(np.array([2, 3, 2, 2], np.int32)), dy,
                                                          strides=[1, 2, 2, 1], padding="SAME",
                                                          dilations=[1, 1, 1, 1], data_format="NHWC"),
             [rnd(1, 4, 5, 2), rnd(1, 2, 3, 4)]),
    ],
    "Conv3D": [
        Case(lambda x, f: conv3d(x, f, [1, 1, 2, 1, 1], "SAME"), [rnd(1, 2, 3, 3, 2), rnd(2, 2, 1, 2, 2)]),
    ],
    "Conv3DBackpropInputV2": [
        Case(lambda f, dy: conv3d_ops._conv3d_backprop_input(
            c(np.array([1, 2, 3, 3, 2], np.int32)), f, dy, [1, 1, 2, 1, 1], "SAME", [1] * 5, "NDHWC"),
            [rnd(2, 2, 1, 2, 2), rnd(1, 2, 2, 3, 2)]),
    ],
    "Conv3DBackpropFilterV2": [
        Case(lambda x, dy: conv3d_ops._conv3d_backprop_filter(
            x, c(np.array([2, 2, 1, 2, 2], np.int32)), dy, [1, 1, 2, 1, 1], "SAME", [1] * 5, "NDHWC"),
            [rnd(1, 2, 3, 3, 2), rnd(1, 2, 2, 3, 2)]),
    ],
    "MaxPool3D": [  # float32 only in TF
        Case(lambda x: array_ops.cast(max_pool3d(array_ops.cast(x, dtypes.float32), [1, 2, 2, 1, 1],
                                                 [1, 1, 2, 1, 1], "SAME"), F64),
             [distinct(1, 2, 3, 2, 2)], eps=1e-3, tol=2e-3),
    ],
    "MaxPool3DGrad": [  # float32 only in TF
        Case(lambda g: array_ops.cast(_max_pool3d_grad_of(array_ops.cast(g, dtypes.float32)), F64),
             [rnd(1, 2, 2, 2, 2)], eps=1e-3, tol=2e-3),
    ],
    "MaxPool3DGradGrad": [
        Case(lambda g: array_ops.cast(_max_pool3d_grad_grad_of(array_ops.cast(g, dtypes.float32)), F64),
             [rnd(1, 2, 3, 2, 2)], eps=1e-3, tol=2e-3),
    ],
    "AvgPool3D": [
        Case(lambda x: avg_pool3d(x, [1, 2, 2, 1, 1], [1, 1, 2, 1, 1], "SAME"), [rnd(1, 2, 3, 2, 2)]),
    ],
    "AvgPool3DGrad": [
        Case(lambda g: conv3d_ops._pool_grad_op("AvgPool3DGrad", [c(np.array([1, 2, 3, 2, 2], np.int32)), g],
                                                avg_pool3d(c(np.zeros((1, 2, 3, 2, 2))), [1, 2, 2, 1, 1],
                                                           [1, 1, 2, 1, 1], "SAME").op),
             [rnd(1, 2, 2, 2, 2)]),
    ],
    "LRN": [  # float32 only in TF: checked in float32 with a wider step and tolerance
        Case(lambda x: array_ops.cast(lrn(array_ops.cast(x, dtypes.float32), 1, 0.5, 0.8, 0.6), F64),
             [rnd(1, 2, 1, 5)], eps=1e-3, tol=2e-3),
    ],
    # float32 only in TF (x may be half): checked in float32 with a wider step and tolerance
    "FusedBatchNormV3": [
        Case(lambda x, s, o: _fused_batch_norm(x, s, o, True, "NHWC"), [rnd(2, 2, 2, 3), rnd(3), rnd(3)],
             eps=1e-3, tol=3e-3, label="training"),
        Case(lambda x, s, o: _fused_batch_norm(x, s, o, False, "NCHW"), [rnd(2, 3, 2, 2), rnd(3), rnd(3)],
             eps=1e-3, tol=3e-3, label="inference-nchw"),
    ],
    # its gradient is the gradient of FusedBatchNormV3's: checked through that one's gradient
    "FusedBatchNormGradV3": [
        Case(lambda x, s: _fused_batch_norm_backprops(x, s, True, "NHWC"), [rnd(2, 2, 2, 3), rnd(3)],
             eps=1e-3, tol=5e-3, label="training"),
        Case(lambda x, s: _fused_batch_norm_backprops(x, s, False, "NCHW"), [rnd(2, 3, 2, 2), rnd(3)],
             eps=1e-3, tol=5e-3, label="inference-nchw"),
    ],
    "ReverseV2": [
        Case(lambda x: reverse(x, [0, -1]), [rnd(2, 3)]),
        Case(lambda x: reverse(x, fed([1])), [rnd(2, 3, 2)], shapes=[None], label="fed-axis-unknown-rank"),
    ],
    "ReverseSequence": [
        Case(lambda x: reverse_sequence(x, [3, 0, 1], seq_axis=1, batch_axis=0), [rnd(3, 4, 2)]),
        Case(lambda x: reverse_sequence(x, [2, 4], seq_axis=0, batch_axis=1), [rnd(4, 2)], label="seq-0"),
    ],
}
for _op_type, _cases in LAYERS_SLICE_CASES.items():
    CASES.setdefault(_op_type, []).extend(_cases)


# Issue 17's op library: segment reductions, partitions (engine/ops/segment_ops.py, partition_ops.py).
def _ids(*values):
    return c(np.array(values, np.int32))


def _seg(name):
    return getattr(segment_ops, name)


OP_LIBRARY_CASES = {
    **{f"Segment{kind}": [
        Case(lambda d, k=kind: _seg(f"segment_{k.lower()}")(d, _ids(0, 0, 2, 2, 2)), [distinct(5, 2)]),
        Case(lambda d, k=kind: _seg(f"segment_{k.lower()}")(d, _ids(0, 1, 1)), [distinct(3, 2, 2)],
             shapes=[None], label="unknown-rank"),
    ] for kind in ("Sum", "Mean", "Max", "Min")},
    "SegmentProd": [
        Case(lambda d: segment_ops.segment_prod(d, _ids(0, 0, 2, 2, 2)), [away(5, 2)]),
        Case(lambda d: segment_ops.segment_prod(d * c(np.array([[1.0], [0.0], [1.0]])), _ids(0, 0, 1)),
             [away(3, 2)], label="a-zero"),
    ],
    **{f"UnsortedSegment{kind}": [
        Case(lambda d, k=kind: _seg(f"unsorted_segment_{k.lower()}")(d, _ids(2, -1, 0, 1, 0), 3),
             [distinct(5, 2) if kind != "Prod" else away(5, 2)]),
        Case(lambda d, k=kind: _seg(f"unsorted_segment_{k.lower()}")(d, _ids(1, 0, 1), fed(2)),
             [distinct(3, 2) if kind != "Prod" else away(3, 2)], shapes=[(None, None)], label="unknown-dims"),
    ] for kind in ("Max", "Min", "Prod")},
    **{f"SparseSegment{kind}{suffix}": [
        Case(lambda d, k=kind, n=suffix: _seg(f"sparse_segment_{'sqrt_n' if k == 'SqrtN' else k.lower()}")(
            d, _ids(3, 0, 0, 2), _ids(0, 0, 1, 3), num_segments=5 if n else None), [rnd(4, 2)]),
    ] for kind in ("Sum", "Mean", "SqrtN") for suffix in ("", "WithNumSegments")},
    "DynamicPartition": [
        Case(lambda d: partition_ops.dynamic_partition(d, _ids(1, 0, 2, 1), 3), [rnd(4, 2)]),
        Case(lambda d: partition_ops.dynamic_partition(d, c(np.array([[1, 0], [0, 1]], np.int32)), 2)[1],
             [rnd(2, 2, 3)], shapes=[None], label="one-output-used"),
    ],
    "DynamicStitch": [
        Case(lambda a, b: partition_ops.dynamic_stitch([_ids(0, 3), _ids(1, 2)], [a, b]),
             [rnd(2, 2), rnd(2, 2)]),
    ],
    "ParallelDynamicStitch": [
        Case(lambda a, b: partition_ops.parallel_dynamic_stitch([_ids(2, 0), _ids(1)], [a, b]),
             [rnd(2, 3), rnd(1, 3)]),
    ],
}
for _op_type, _cases in OP_LIBRARY_CASES.items():
    CASES.setdefault(_op_type, []).extend(_cases)


# Issue 17's linear algebra (engine/ops/linalg_ops.py, band_ops.py): symmetric inputs are built from x, since
# Cholesky and the eigen decomposition read one triangle while finite differences move single entries.
def _spd(x):
    return math_ops.matmul(x, x, transpose_b=True) + c(3.0 * np.eye(x.shape[-1]))


def _eig_without_signs(x):
    """Eigenvalues and |eigenvectors|: each vector's sign is free, so finite differences see only |v|."""
    e, v = linalg_ops.self_adjoint_eig(x)
    return [e, math_ops.abs(v)]


def _well_conditioned(x):
    return x + c(2.0 * np.eye(x.shape[-1]))


LINALG_CASES = {
    "Cholesky": [Case(lambda x: linalg_ops.cholesky(_spd(x)), [rnd(2, 3, 3)])],
    "MatrixInverse": [
        Case(lambda x: linalg_ops.matrix_inverse(_well_conditioned(x)), [rnd(3, 3)]),
        Case(lambda x: linalg_ops.matrix_inverse(_well_conditioned(x), adjoint=True), [rnd(2, 3, 3)],
             label="adjoint"),
    ],
    "MatrixDeterminant": [
        Case(lambda x: linalg_ops.matrix_determinant(_well_conditioned(x)), [rnd(2, 3, 3)]),
    ],
    "LogMatrixDeterminant": [Case(lambda x: linalg_ops.slogdet(_well_conditioned(x))[1], [rnd(3, 3)])],
    "MatrixSolve": [
        Case(lambda a, b: linalg_ops.matrix_solve(_well_conditioned(a), b), [rnd(3, 3), rnd(3, 2)]),
        Case(lambda a, b: linalg_ops.matrix_solve(_well_conditioned(a), b, adjoint=True),
             [rnd(2, 3, 3), rnd(2, 3, 1)], label="adjoint"),
    ],
    "MatrixTriangularSolve": [
        Case(lambda a, b: linalg_ops.matrix_triangular_solve(_well_conditioned(a), b),
             [rnd(3, 3), rnd(3, 2)]),
        Case(lambda a, b: linalg_ops.matrix_triangular_solve(_well_conditioned(a), b, lower=False,
                                                             adjoint=True),
             [rnd(2, 3, 3), rnd(2, 3, 2)], label="upper-adjoint"),
    ],
    "SelfAdjointEigV2": [
        Case(lambda x: linalg_ops.self_adjoint_eigvals(_spd(x)), [rnd(3, 3)], label="values"),
        Case(lambda x: _eig_without_signs(_spd(x)), [distinct(3, 3)], label="vectors"),
    ],
    "Qr": [
        Case(lambda x: list(linalg_ops.qr(x)), [rnd(4, 3)], label="deep"),
        Case(lambda x: list(linalg_ops.qr(x)), [rnd(2, 4)], label="wide"),
    ],
    "Svd": [
        Case(lambda x: linalg_ops.svd(x, compute_uv=False), [rnd(3, 2)], label="values"),
        Case(lambda x: [math_ops.abs(t) for t in linalg_ops.svd(x)], [rnd(2, 4)], label="wide"),
        Case(lambda x: [math_ops.abs(t) for t in linalg_ops.svd(x)], [rnd(2, 3, 2)], label="tall"),
    ],
    "MatrixSquareRoot": [Case(lambda x: sqrtm(_spd(x)), [rnd(2, 3, 3)])],
    "Roll": [Case(lambda x: roll(x, [1, -2], [0, 2]), [rnd(2, 3, 4)])],
    **{t: [Case(lambda x, f=f: getattr(bessel_ops, f)(3.0 * x), [rnd(2, 3)])]
       for t, f in (("BesselI0", "bessel_i0"), ("BesselI0e", "bessel_i0e"), ("BesselI1", "bessel_i1"),
                    ("BesselI1e", "bessel_i1e"))},
    "MatrixBandPart": [Case(lambda x: band_ops.matrix_band_part(x, 1, 0), [rnd(2, 3, 4)])],
    "MatrixDiagPart": [
        Case(lambda x: band_ops.matrix_diag_part(x), [rnd(2, 3, 3)]),
        Case(lambda x: band_ops.matrix_diag_part(x), [rnd(3, 2)], shapes=[None], label="unknown-rank"),
    ],
}
for _op_type, _cases in LINALG_CASES.items():
    CASES.setdefault(_op_type, []).extend(_cases)

# tf.manip's block moves (engine/ops/space_batch_ops.py), with block sizes and amounts fed at run time too.
CASES["SpaceToBatchND"] = [
    Case(lambda x: space_batch_ops.space_to_batch_nd(x, [2, 3], [[0, 0], [1, 2]]), [rnd(2, 4, 6, 1)]),
    Case(lambda x: space_batch_ops.space_to_batch_nd(x, fed([2]), fed([[1, 1]])), [rnd(1, 4, 2)],
         shapes=[None], label="fed"),
]
# tf.linalg's tridiagonal ops (engine/ops/tridiagonal_ops.py): diagonally dominant systems, with and
# without pivoting, a vector right-hand side, and an unknown batch dimension.
def _dominant(d):
    return d + c(np.array([[0.0], [4.0], [0.0]]))


CASES["TridiagonalSolve"] = [
    Case(lambda d, r: tridiagonal_ops.tridiagonal_solve(_dominant(d), r), [rnd(2, 3, 4), rnd(2, 4, 2)]),
    Case(lambda d, r: tridiagonal_ops.tridiagonal_solve(_dominant(d), r, partial_pivoting=False),
         [rnd(3, 4), rnd(4)], label="thomas-vector"),
    Case(lambda d, r: tridiagonal_ops.tridiagonal_solve(_dominant(d), r), [rnd(2, 3, 3), rnd(2, 3, 1)],
         shapes=[(None, 3, 3), (None, 3, 1)], label="unknown-batch"),
]
CASES["TridiagonalMatMul"] = [
    Case(lambda d, r: tridiagonal_ops.tridiagonal_matmul(d, r), [rnd(2, 3, 4), rnd(2, 4, 3)]),
    Case(lambda a, r: tridiagonal_ops.tridiagonal_matmul(a, r, diagonals_format="matrix"),
         [rnd(3, 3), rnd(3, 2)], label="matrix"),
]
CASES["BatchToSpaceND"] = [
    Case(lambda x: space_batch_ops.batch_to_space_nd(x, [2, 3], [[1, 0], [0, 2]]), [rnd(6, 2, 2, 1)]),
    Case(lambda x: space_batch_ops.batch_to_space_nd(x, fed([2]), fed([[1, 1]])), [rnd(4, 3, 2)],
         shapes=[None], label="fed"),
]


# Issue 17's tf.image (engine/ops/image_resize_ops.py, image_color_ops.py): the bilinear and bicubic ops give
# float32, so they are checked with float32's step and tolerance.
def _resized(op_type, **attrs):
    def build(x):
        return array_ops.cast(image_resize_ops.resize(op_type, x, [3, 5], **attrs), F64)
    return build


def _patches(x, strides, rates, padding):
    return image_patch_ops.extract_image_patches(x, [1, 2, 2, 1], strides, rates, padding)


IMAGE_CASES = {
    "ResizeBilinear": [
        Case(_resized("ResizeBilinear"), [rnd(1, 2, 3, 2)], eps=1e-3, tol=2e-3),
        Case(_resized("ResizeBilinear", half_pixel_centers=True), [rnd(2, 4, 3, 1)], eps=1e-3, tol=2e-3,
             label="half-pixel"),
    ],
    "ResizeBicubic": [
        Case(_resized("ResizeBicubic"), [rnd(1, 2, 3, 2)], eps=1e-3, tol=2e-3),
        Case(_resized("ResizeBicubic", align_corners=True), [rnd(1, 4, 6, 1)], eps=1e-3, tol=2e-3,
             label="align-corners"),
    ],
    "ResizeNearestNeighbor": [
        Case(lambda x: image_resize_ops.resize("ResizeNearestNeighbor", x, [3, 5]), [rnd(1, 2, 3, 2)]),
        Case(lambda x: image_resize_ops.resize("ResizeNearestNeighbor", x, [1, 2], half_pixel_centers=True),
             [rnd(2, 4, 3, 1)], label="half-pixel"),
    ],
    "RGBToHSV": [Case(lambda x: image_color_ops.rgb_to_hsv(x), [distinct(2, 3, 3) / 2.0 + 0.01])],
    "CropAndResize": [
        Case(lambda x, b: array_ops.cast(image_crop_ops.crop_and_resize(
            x, array_ops.cast(b, dtypes.float32), [1, 0], [3, 2]), F64),
            [rnd(2, 4, 5, 2), np.array([[0.1, 0.2, 0.7, 0.9], [0.6, 0.1, 0.2, 0.8]])], eps=1e-3, tol=3e-3),
    ],
    "ExtractImagePatches": [
        Case(lambda x: _patches(x, [1, 2, 1, 1], [1, 1, 1, 1], "SAME"), [rnd(2, 3, 4, 2)]),
        Case(lambda x: _patches(x, [1, 1, 1, 1], [1, 2, 1, 1], "VALID"), [rnd(1, 4, 3, 1)],
             shapes=[(None, None, None, 1)], label="rates-unknown-dims"),
    ],
}
for _op_type, _cases in IMAGE_CASES.items():
    CASES.setdefault(_op_type, []).extend(_cases)


# Issue 17's complex numbers and transforms (engine/ops/complex_ops.py, fft_ops.py): real losses of complex
# values built from real inputs.
def _c(x, y):
    return complex_ops.complex(x, y)


def _parts(z):
    return [complex_ops.real(z), complex_ops.imag(z)]


COMPLEX_CASES = {
    "Complex": [Case(lambda x, y: _parts(_c(x, y) * _c(y, x)), [rnd(2, 3), rnd(3)])],
    "Real": [Case(lambda x, y: complex_ops.real(_c(x, y) * _c(x, x)), [rnd(2, 3), rnd(2, 3)])],
    "Imag": [Case(lambda x, y: complex_ops.imag(_c(x, y) * _c(y, x)), [rnd(2, 3), rnd(2, 3)])],
    "Conj": [Case(lambda x, y: _parts(complex_ops.conj(_c(x, y)) * _c(y, x)), [rnd(2, 3), rnd(2, 3)])],
    "Angle": [Case(lambda x, y: complex_ops.angle(_c(x, y)), [away(2, 3), away(2, 3)])],
    "ComplexAbs": [Case(lambda x, y: complex_ops.complex_abs(_c(x, y)), [away(2, 3), away(2, 3)])],
    **{t: [Case(lambda x, y, t=t: _parts(fft_ops._complex_transform(t, _c(x, y), None)),
                [rnd(2, 3, 4), rnd(2, 3, 4)])]
       for t in ("FFT", "IFFT", "FFT2D", "IFFT2D", "FFT3D", "IFFT3D")},
    "RFFT": [
        Case(lambda x: _parts(fft_ops.rfft(x)), [rnd(2, 6)]),
        Case(lambda x: _parts(fft_ops.rfft(x, [4])), [rnd(2, 5)], label="cropped"),
    ],
    "RFFT2D": [Case(lambda x: _parts(fft_ops.rfft2d(x, [3, 5])), [rnd(2, 3, 4)], label="padded")],
    "IRFFT": [Case(lambda x, y: fft_ops.irfft(_c(x, y), [7]), [rnd(2, 4), rnd(2, 4)])],
    "IRFFT2D": [Case(lambda x, y: fft_ops.irfft2d(_c(x, y)), [rnd(3, 3), rnd(3, 3)])],
}
COMPLEX_CASES.update({
    "Diag": [Case(lambda x: diag_ops.diag(x), [rnd(2, 3)])],
    "DiagPart": [Case(lambda x: diag_ops.diag_part(x), [rnd(2, 3, 2, 3)])],
    "Cross": [Case(lambda a, b: diag_ops.cross(a, b), [rnd(2, 3), rnd(2, 3)])],
    "ConjugateTranspose": [Case(lambda x, y: _parts(array_ops.matrix_transpose(_c(x, y), conjugate=True)),
                                [rnd(2, 3, 4), rnd(2, 3, 4)])],
})


def _band(k):
    return c(np.array(k, np.int32))


COMPLEX_CASES.update({
    "MatrixDiagV3": [Case(lambda d: band_ops._v3("MatrixDiagV3", [d, _band([0, 1]), c(-1), c(5), c(0.0, F64)],
                                                  "RIGHT_LEFT"), [rnd(2, 2, 3)])],
    "MatrixDiagPartV3": [Case(lambda x: band_ops._v3("MatrixDiagPartV3", [x, _band([-1, 2]), c(0.0, F64)],
                                                      "LEFT_RIGHT"), [rnd(2, 3, 4)])],
    "MatrixSetDiagV3": [Case(lambda x, d: band_ops._v3("MatrixSetDiagV3", [x, d, _band([0, 1])],
                                                        "RIGHT_LEFT"), [rnd(3, 4), rnd(2, 3)])],
})
for _op_type, _cases in COMPLEX_CASES.items():
    CASES.setdefault(_op_type, []).extend(_cases)


# Sparse ops (engine/ops/sparse_ops/): the gradients reach the values (and dense operands) of SparseTensors.
def _st(values, indices=((0, 0), (1, 2), (2, 1), (2, 3)), shape=(3, 4)):
    from engine.framework.sparse_tensor import SparseTensor

    return SparseTensor(c(np.array(indices, np.int64)), values, c(np.array(shape, np.int64)))


def _sparse_cases():
    from engine.ops import sparse_ops
    from engine.ops.sparse_ops.arithmetic import sparse_dense_cwise

    return {
        "SparseToDense": [Case(lambda v: sparse_ops.sparse_tensor_to_dense(_st(v)), [rnd(4)])],
        "SparseReorder": [Case(lambda v: sparse_ops.sparse_reorder(_st(v, ((2, 1), (0, 3), (1, 0), (0, 0))))
                               .values,
                               [rnd(4)])],
        "SparseFillEmptyRows": [Case(lambda v, d: sparse_ops.sparse_fill_empty_rows(
            _st(v, ((1, 0), (1, 2), (2, 1), (4, 1)), (5, 3)), d)[0].values, [rnd(4), rnd()])],
        "SparseReduceSum": [Case(lambda v: sparse_ops.sparse_reduce_sum(_st(v), 1), [rnd(4)]),
                            Case(lambda v: sparse_ops.sparse_reduce_sum(_st(v), 0, keepdims=True), [rnd(4)],
                                 label="keepdims")],
        "SparseTensorDenseMatMul": [
            Case(lambda v, b: sparse_ops.sparse_tensor_dense_matmul(_st(v), b), [rnd(4), rnd(4, 2)]),
            Case(lambda v, b: sparse_ops.sparse_tensor_dense_matmul(_st(v), b, adjoint_a=True,
                                                                    adjoint_b=True),
                 [rnd(4), rnd(2, 3)], label="adjoints")],
        "SparseAdd": [Case(lambda a, b: sparse_ops.sparse_add(_st(a), _st(b, ((0, 0), (1, 1), (2, 3))))
                           .values,
                           [rnd(4), rnd(3)])],
        "SparseTensorDenseAdd": [Case(lambda v, d: sparse_ops.sparse_add(_st(v), d), [rnd(4), rnd(3, 4)])],
        "SparseDenseCwiseMul": [Case(lambda v, d: sparse_dense_cwise("SparseDenseCwiseMul", _st(v), d).values,
                                     [rnd(4), rnd(3, 4)])],
        "SparseDenseCwiseDiv": [Case(lambda v, d: sparse_dense_cwise("SparseDenseCwiseDiv", _st(v), d).values,
                                     [rnd(4), nonzero(4)], label="broadcast")],
        "SparseSoftmax": [Case(lambda v: sparse_ops.sparse_softmax(_st(v)).values, [rnd(4)])],
        "SparseSlice": [Case(lambda v: sparse_ops.sparse_slice(_st(v), [1, 1], [2, 5]).values, [rnd(4)])],
        "SparseSegmentSum": [Case(lambda t: sparse_ops.sparse_segment_sum(t, [0, 2, 1, 2], [0, 0, 2, 2]),
                                  [rnd(4, 3)])],
        "SparseSegmentMean": [Case(lambda t: sparse_ops.sparse_segment_mean(t, [0, 2, 1], [0, 0, 2]),
                                   [rnd(4, 3)])],
        "SparseSegmentSumWithNumSegments": [Case(lambda t: sparse_ops.sparse_segment_sum(
            t, [0, 2, 1, 2], [0, 0, 2, 2], num_segments=4), [rnd(4, 3)])],
        "SparseSegmentMeanWithNumSegments": [Case(lambda t: sparse_ops.sparse_segment_mean(
            t, [0, 2, 1], [0, 0, 2], num_segments=5), [rnd(4, 3)])],
        "SparseSegmentSqrtNWithNumSegments": [Case(lambda t: sparse_ops.sparse_segment_sqrt_n(
            t, [0, 2, 1], [1, 1, 2], num_segments=3), [rnd(4, 3)])],
        "SparseSegmentSqrtN": [Case(lambda t: sparse_ops.sparse_segment_sqrt_n(t, [0, 2, 1], [0, 0, 2]),
                                    [rnd(4, 3)])],
    }


for _op_type, _cases in _sparse_cases().items():
    CASES.setdefault(_op_type, []).extend(_cases)

def _ragged_cases():
    from engine.ragged.ragged_gather import gather as tf_gather
    from engine.ragged.ragged_tensor import RaggedTensor

    def rt(values):
        return RaggedTensor.from_row_splits(values, c(np.array([0, 2, 2, 5], np.int64)), validate=False)

    return {
        "RaggedTensorToTensor": [
            Case(lambda v: rt(v).to_tensor(), [rnd(5)]),
            Case(lambda v, d: rt(v).to_tensor(default_value=d), [rnd(5, 2), rnd(2)]),
            Case(lambda v: rt(v).to_tensor(shape=[3, 2]), [rnd(5)]),
        ],
        "RaggedTensorToSparse": [Case(lambda v: rt(v).to_sparse().values, [rnd(5, 2)])],
        "RaggedGather": [
            Case(lambda v: tf_gather(rt(v), c(np.array([2, 0, 2, 1]))).flat_values, [rnd(5, 2)]),
        ],
    }


for _op_type, _cases in _ragged_cases().items():
    CASES.setdefault(_op_type, []).extend(_cases)


# Op types TensorFlow 2.21 neither gives a gradient nor marks with ops.NotDifferentiable (checked against
# its gradient registry): tf.gradients raises LookupError if a gradient reaches one, so they stay unmarked.
NO_GRADIENT_IN_TF = {
    "All", "Any", "IsFinite", "IsInf", "IsNan", "NoOp", "Placeholder", "VariableV2", "IsVariableInitialized",
    "Where", "RandomUniformInt", "SaveV2", "RestoreV2", "VarHandleOp", "AssignVariableOp",
    "AssignAddVariableOp", "AssignSubVariableOp", "DestroyResourceOp", "ParseExampleV2",
    "StringFormat", "PrintV2",
    # variable updates: TF marks ScatterAdd/Sub/Mul/Div not differentiable, and registers nothing for these
    "ScatterUpdate", "ScatterMax", "ScatterMin", "ResourceScatterAdd", "ResourceScatterSub",
    "ResourceScatterUpdate", "SparseSegmentSumGradV2", "SparseSegmentMeanGradV2", "SparseSegmentSqrtNGradV2",
    *(f"{prefix}SparseApply{name}" for prefix in ("", "Resource") for name in (
        "Momentum", "Adagrad", "RMSProp", "CenteredRMSProp", "Adadelta", "Ftrl", "FtrlV2",
        "ProximalGradientDescent", "ProximalAdagrad", "AdagradDA")),
    "RFFT3D", "IRFFT3D",  # TF's fft_ops.py registers no gradient for the 3-D real transforms
    "Lu", "MatrixLogarithm",  # nor linalg_grad.py for these
    # the while-loop gradient's bookkeeping
    "StackV2", "StackPushV2", "StackPopV2", "StackCloseV2", "ControlTrigger",
    # tf.data's dataset and iterator ops
    "TensorSliceDataset", "TensorDataset", "RangeDataset", "MapDataset", "FilterDataset", "BatchDatasetV2",
    "ShuffleDataset", "RepeatDataset", "TakeDataset", "SkipDataset", "PrefetchDataset", "ConcatenateDataset",
    "ZipDataset", "TFRecordDataset", "TextLineDataset", "IteratorV2", "OneShotIterator", "MakeIterator",
    "IteratorGetNext", "FlatMapDataset", "InterleaveDataset", "UnbatchDataset", "GeneratorDataset",
    "IteratorToStringHandle", "IteratorFromStringHandleV2", "PaddedBatchDatasetV2", "CacheDataset",
    "FixedLengthRecordDatasetV2", "DecodeCSV", "ParseSequenceExampleV2",
    *(f"{prefix}Apply{name}" for prefix in ("", "Resource") for name in (
        "GradientDescent", "Momentum", "Adam", "RMSProp", "CenteredRMSProp", "Adagrad", "Adadelta", "Ftrl",
        "FtrlV2", "ProximalGradientDescent", "ProximalAdagrad", "AdagradDA")),
    "InTopKV2", "LRNGrad",
    # issue 17's op library
    "SparseSegmentSumGrad", "SparseSegmentMeanGrad", "SparseSegmentSqrtNGrad", "Unique", "UniqueWithCounts",
    "ListDiff", "DenseBincount", "HistogramFixedWidth", "LowerBound", "UpperBound",
    "ResizeArea", "ResizeNearestNeighborGrad", "ResizeBicubicGrad", "AdjustContrastv2", "AdjustSaturation",
    "AdjustHue", "NonMaxSuppressionV3", "Substr", "StringLength", "StringLower", "StringUpper", "StringStrip",
    "RegexFullMatch", "StaticRegexFullMatch", "StaticRegexReplace", "CropAndResizeGradImage",
    "CropAndResizeGradBoxes", "DrawBoundingBoxesV2", "StringSplitV2", "StringNGrams", "UnicodeTranscode",
    "UnicodeDecode", "UnicodeDecodeWithOffsets", "UnicodeEncode", "UnicodeScript",
    "UnsortedSegmentJoin",
    # sparse ops: TF gives these no gradient; SparseDenseCwiseAdd and SparseSparseMaximum/Minimum have TF
    # gradients that only raise NotImplementedError, left unregistered here (LookupError instead)
    "SparseReshape", "SparseSplit", "SparseReduceMax", "SparseReduceMaxSparse", "SparseReduceSumSparse",
    "SparseFillEmptyRowsGrad", "SparseSliceGrad", "SparseDenseCwiseAdd", "SparseSparseMaximum",
    "SparseSparseMinimum",
    "UniformCandidateSampler", "LogUniformCandidateSampler", "LearnedUnigramCandidateSampler",
    "FixedUnigramCandidateSampler", "AllCandidateSampler", "ComputeAccidentalHits",
    # TF1's queues
    "FIFOQueueV2", "PaddingFIFOQueueV2", "PriorityQueueV2", "RandomShuffleQueueV2", "QueueEnqueueV2",
    "QueueEnqueueManyV2", "QueueDequeueV2", "QueueDequeueManyV2", "QueueDequeueUpToV2", "QueueCloseV2",
    "QueueSizeV2", "QueueIsClosedV2", "CountUpTo",
    # TF1's readers
    "TFRecordReaderV2", "TextLineReaderV2", "WholeFileReaderV2", "FixedLengthRecordReaderV2",
    "IdentityReaderV2", "ReaderReadV2", "ReaderReadUpToV2", "ReaderNumRecordsProducedV2",
    "ReaderNumWorkUnitsCompletedV2", "ReaderResetV2",
    # files and image codecs
    "ReadFile", "WriteFile", "MatchingFiles", "DecodePng", "DecodeJpeg", "DecodeImage", "EncodePng",
    "EncodeJpeg",
}

# RefSwitch's gradient is Switch's, whose cases are below; RefEnter's is Enter's (a loop reading a
# variable, test_while_gradients.py).
# ResourceGather reads a variable's handle: tests/engine/test_indexed_slices.py checks its gradient.
CHECKED_ELSEWHERE = {"RefSwitch", "RefEnter", "ResourceGather"}


def differentiable_op_types():
    out = []
    for op_type in registry.registered_ops():
        try:
            fn = registry.get_gradient_function(op_type)
        except LookupError:
            if op_type not in NO_GRADIENT_IN_TF | CHECKED_ELSEWHERE:
                out.append(op_type)  # neither a gradient nor a not-differentiable mark: reported below
            continue
        if fn is not None:
            out.append(op_type)
    return out


def test_every_registered_op_is_differentiable_or_marked():
    unmarked = [t for t in registry.registered_ops()
                if t not in registry.registered_gradients()
                and t not in NO_GRADIENT_IN_TF | CHECKED_ELSEWHERE]
    assert not unmarked, f"op types with neither a gradient nor register_not_differentiable: {unmarked}"


def test_every_differentiable_op_has_a_gradient_check():
    missing = [t for t in differentiable_op_types() if t not in CASES and t not in CHECKED_ELSEWHERE]
    assert not missing, f"add finite-difference cases to CASES for: {missing}"


def _evaluate(case):
    graph = ops.Graph()
    with graph.as_default():
        shapes = case.shapes or [v.shape for v in case.values]
        xs = [array_ops.placeholder(F64, None if s is None else list(s)) for s in shapes]
        ys = case.build(*xs)
        ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
        ys = [y for y in ys if y is not None]
        sess = Session(graph=graph)
        feed = {x: v for x, v in zip(xs, case.values, strict=True)}
        y_vals = sess.run(ys, feed)
        weights = [RNG.uniform(0.5, 1.5, size=np.shape(v)) for v in y_vals]
        objective = math_ops.add_n(
            [
                math_ops.reduce_sum(math_ops.multiply(y, c(w, y.dtype.base_dtype)))
                for y, w in zip(ys, weights, strict=True)
            ]
        )
        grads = gradients.gradients(objective, xs)
        # a sparse gradient (a gather's IndexedSlices) is checked in its dense form
        fetch = [ops.convert_to_tensor(g) for g in grads if g is not None]
        analytic = iter(sess.run(fetch, feed))
        analytic = [next(analytic) if g is not None else None for g in grads]

        def f(values):
            return float(sess.run(objective, dict(zip(xs, values, strict=True))))

        numeric = []
        for i, v in enumerate(case.values):
            num = np.zeros_like(v, dtype=np.float64)
            for idx in np.ndindex(*v.shape):
                up = [a.copy() for a in case.values]
                down = [a.copy() for a in case.values]
                up[i][idx] += case.eps
                down[i][idx] -= case.eps
                num[idx] = (f(up) - f(down)) / (2 * case.eps)
            numeric.append(num)
    return analytic, numeric


ALL_CASES = [(op_type, i, case) for op_type, cases in CASES.items() for i, case in enumerate(cases)]


@pytest.mark.parametrize(
    "op_type,index,case",
    ALL_CASES,
    ids=[f"{t}-{i}{'-' + c.label if c.label else ''}" for t, i, c in ALL_CASES],
)
def test_gradient_matches_finite_differences(op_type, index, case):
    analytic, numeric = _evaluate(case)
    for k, (a, n) in enumerate(zip(analytic, numeric, strict=True)):
        if a is None:
            np.testing.assert_allclose(
                n, 0, atol=case.tol, err_msg=f"input {k}: gradient None but FD non-zero"
            )
            continue
        assert np.shape(a) == np.shape(n), f"input {k}: gradient shape {np.shape(a)} vs input {np.shape(n)}"
        np.testing.assert_allclose(a, n, rtol=case.tol, atol=case.tol, err_msg=f"input {k}")
