"""`tf.initializers`: initializer classes under their short names, and the variable-initializer ops."""

from engine.ops.init_ops import (
    Constant as constant,
)
from engine.ops.init_ops import (
    GlorotNormal as glorot_normal,
)
from engine.ops.init_ops import (
    GlorotUniform as glorot_uniform,
)
from engine.ops.init_ops import Identity as identity
from engine.ops.init_ops import (
    Ones as ones,
)
from engine.ops.init_ops import Orthogonal as orthogonal
from engine.ops.init_ops import (
    RandomNormal as random_normal,
)
from engine.ops.init_ops import (
    RandomUniform as random_uniform,
)
from engine.ops.init_ops import (
    TruncatedNormal as truncated_normal,
)
from engine.ops.init_ops import (
    UniformUnitScaling as uniform_unit_scaling,
)
from engine.ops.init_ops import (
    VarianceScaling as variance_scaling,
)
from engine.ops.init_ops import (
    Zeros as zeros,
)
from engine.ops.init_ops import he_normal, he_uniform, lecun_normal, lecun_uniform
from engine.variables import global_variables_initializer as global_variables
from engine.variables import local_variables_initializer as local_variables
from engine.variables import tables_initializer
from engine.variables import variables_initializer as variables

__all__ = [
    "constant",
    "glorot_normal",
    "glorot_uniform",
    "ones",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "variance_scaling",
    "zeros",
    "identity",
    "orthogonal",
    "uniform_unit_scaling",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "global_variables",
    "local_variables",
    "variables",
    "tables_initializer",
]
