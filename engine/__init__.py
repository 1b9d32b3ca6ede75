"""TensorFlow 1.x's low-level API on numpy: `import engine as tf`.

This module only re-exports; see engine/framework (Graph, Tensor, dtypes, registry), engine/ops (one
module per op family), engine/session.py, engine/variables.py and engine/variable_scope.py.
"""

# ruff: noqa: F401 - this module only re-exports the public API

# Namespaces (modules), as in TF 1.x: tf.bitwise, tf.initializers, tf.logging, tf.losses, tf.nn,
# tf.summary, tf.train; `gradients` is made callable at the end of this file.
from engine import bitwise, gradients, initializers, logging, losses, nn, random, summary, train
from engine.framework import errors
from engine.framework.callable_module import make_module_callable
from engine.framework.dtypes import (
    DType,
    as_dtype,
    bool,  # noqa: A004 - TF's public name
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    resource,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
    variant,
)
from engine.framework.importer import import_graph_def
from engine.framework.ops import (
    Graph,
    GraphKeys,
    Operation,
    Tensor,
    add_to_collection,
    add_to_collections,
    colocate_with,
    control_dependencies,
    convert_to_tensor,
    device,
    get_collection,
    get_collection_ref,
    get_default_graph,
    get_default_session,
    init_scope,
    name_scope,
    register_tensor_conversion_function,
    reset_default_graph,
)
from engine.framework.random_seed import get_seed, set_random_seed
from engine.framework.registry import NotDifferentiable, RegisterGradient, no_gradient
from engine.framework.tensor_shape import Dimension, TensorShape, dimension_value
from engine.framework.tensor_util import make_ndarray, make_tensor_proto

# Op modules (importing them registers their op types; gradients register in the *_grad modules).
from engine.ops import array_grad, math_grad, nn_grad  # noqa: F401
from engine.ops.array_ops import (
    broadcast_to,
    cast,
    concat,
    expand_dims,
    eye,
    fill,
    gather,
    identity,
    matrix_diag,
    matrix_set_diag,
    matrix_transpose,
    one_hot,
    ones,
    ones_like,
    pad,
    placeholder,
    placeholder_with_default,
    rank,
    reshape,
    saturate_cast,
    size,
    slice,  # noqa: A004 - TF's public name
    split,
    squeeze,
    stack,
    stop_gradient,
    strided_slice,
    tile,
    to_float,
    to_int32,
    to_int64,
    transpose,
    unstack,
    where,
    where_v2,
    zeros,
    zeros_like,
)
from engine.ops.array_ops import shape_v1 as shape
from engine.ops.clip_ops import clip_by_global_norm, clip_by_norm, global_norm
from engine.ops.constant_op import constant
from engine.ops.control_flow_ops import group, no_op, tuple, with_dependencies  # noqa: A004
from engine.ops.init_ops import (
    constant_initializer,
    glorot_normal_initializer,
    glorot_uniform_initializer,
    ones_initializer,
    random_normal_initializer,
    random_uniform_initializer,
    truncated_normal_initializer,
    variance_scaling_initializer,
    zeros_initializer,
)
from engine.ops.math_ops import (
    abs,  # noqa: A004
    acos,
    add,
    add_n,
    argmax,
    argmin,
    asin,
    atan,
    atan2,
    ceil,
    clip_by_value,
    cos,
    cosh,
    cumsum,
    div,
    div_no_nan,
    divide,
    equal,
    exp,
    expm1,
    floor,
    floordiv,
    floormod,
    greater,
    greater_equal,
    is_finite,
    is_inf,
    is_nan,
    less,
    less_equal,
    lin_space,
    linspace,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    matmul,
    maximum,
    minimum,
    mod,
    multiply,
    negative,
    not_equal,
    pow,  # noqa: A004
    range,  # noqa: A004
    reciprocal,
    reduce_all,
    reduce_any,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
    rint,
    round,  # noqa: A004
    rsqrt,
    scalar_mul,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    squared_difference,
    subtract,
    tan,
    tanh,
    tensordot,
    truediv,
)
from engine.ops.random_ops import multinomial, random_normal, random_shuffle, random_uniform, truncated_normal
from engine.ops.state_ops import assign, assign_add, assign_sub
from engine.proto.config_pb2 import RunMetadata
from engine.session import ConfigProto, GPUOptions, InteractiveSession, RunOptions, Session
from engine.variable_scope import (
    AUTO_REUSE,
    VariableScope,
    get_local_variable,
    get_variable,
    get_variable_scope,
    variable_op_scope,
    variable_scope,
)
from engine.variables import (
    Variable,
    all_variables,
    assert_variables_initialized,
    boolean_mask,
    global_variables,
    global_variables_initializer,
    initialize_all_variables,
    initialize_local_variables,
    is_variable_initialized,
    local_variables,
    local_variables_initializer,
    model_variables,
    moving_average_variables,
    report_uninitialized_variables,
    trainable_variables,
    variables_initializer,
)

newaxis = None
float32_ref = float32._as_ref
int32_ref = int32._as_ref
float64_ref = float64._as_ref

__version__ = "1.15.0"
VERSION = __version__
GRAPH_DEF_VERSION = 2474


# tf.gradients(ys, xs) is a function in TF; here the module engine.gradients is callable as it.
make_module_callable(gradients, "gradients")
