"""A product whose output columns are only partly read, computed for those columns alone (the plan pass
`narrowed_products`: frame_compile.py finds the pattern in compiled loops).

The gradient loop of an RNN computes `dz @ W^T` for the gradient of `concat([x_t, h])` and splits it:
the part for x_t is read by nothing when the inputs need no gradient (data fed by a placeholder), yet
it is a third of the product.  When a Split or SplitV along the product's last axis is the product's
only reader and some of its outputs are never read, the loop computes the product of the read columns
only -- `a @ b` with b cut to them -- and takes the read outputs as slices of it.  BLAS blocks a narrower
product differently, so the values agree with the full product's columns to float rounding.
"""

from __future__ import annotations

import numpy as np

from engine.framework import errors


def narrowed_product(kernel, a, b, b_axis, start, stop):
    """Columns start:stop of kernel(a, b), a product whose output's last axis runs along axis `b_axis`
    of b: the product of a and b cut to those columns.  Operands it cannot cut go through the kernel
    whole, so a wrong shape raises the kernel's own error, naming the whole operands."""
    if type(b) is np.ndarray and b.ndim == 2 and b.shape[b_axis] >= stop:
        cut = b[start:stop] if b_axis == 0 else b[:, start:stop]
        try:
            return kernel(a, cut)
        except (errors.InvalidArgumentError, ValueError):
            pass  # the whole product raises it with the operands' own shapes
    return kernel(a, b)[:, start:stop]
