"""`tf.linalg`: the matrix ops the engine has, under TF's ``tf.linalg`` names (re-exports only).

``tf.linalg.diag`` and ``set_diag`` are ``tf.matrix_diag`` and ``tf.matrix_set_diag``; ``transpose`` is
``tf.matrix_transpose``, as in TF.
"""



from engine.ops.array_ops import eye, matrix_transpose
from engine.ops.array_ops import matrix_diag as diag
from engine.ops.array_ops import matrix_set_diag as set_diag
from engine.ops.array_ops import matrix_transpose as transpose
from engine.ops.clip_ops import global_norm
from engine.ops.math_ops import matmul, tensordot

__all__ = ["diag", "eye", "global_norm", "matmul", "matrix_transpose", "set_diag", "tensordot", "transpose"]
