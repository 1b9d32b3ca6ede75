"""`tf.debugging`: the finiteness tests and checks under TF's ``tf.debugging`` names (re-exports only);
``assert_all_finite`` is ``tf.verify_tensor_all_finite``."""



from engine.ops.math_ops import is_finite, is_inf, is_nan
from engine.ops.numerics import check_numerics
from engine.ops.numerics import verify_tensor_all_finite as assert_all_finite

__all__ = ["assert_all_finite", "check_numerics", "is_finite", "is_inf", "is_nan"]
