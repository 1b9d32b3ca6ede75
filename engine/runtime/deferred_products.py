"""A loop's sum of products A_t^T B_t computed as one GEMM after the loop (the plan pass
`deferred_products`: frame_compile.py finds the pattern).

The gradient loop of an RNN adds, in every iteration, the product of the step's input (popped from the
forward loop's stack) and the step's output gradient to an accumulator of the kernel's gradient:

    acc = acc + MatMul(A_t, B_t, transpose_a=True)

A batch of 32 gives a 32-deep product per iteration, too thin for BLAS to run near its speed, and an
add of the whole kernel-sized accumulator.  Nothing in the loop reads the accumulator but that add, so
the frame's code hands A_t and B_t to a `DeferredProducts` instead, which copies them into row blocks,
and adds concat(A)^T concat(B) -- the same sum, in one GEMM as deep as the loop -- when the loop ends
(or when the rows held pass `MAX_BYTES`, so a long loop holds bounded memory).  The sum runs in another
order, so the values agree with the per-iteration adds to float rounding, as TF's own kernels' do.

Operands the deferral cannot take as they come (not 2-D float arrays of one dtype, not matching the
accumulator or the rows held) are added at once by the MatMul and Add kernels themselves, after the
rows held: their errors are the kernels' own.
"""

from __future__ import annotations

import numpy as np

# Rows of A and B held before they are summed into the accumulator (both operands' bytes together).
MAX_BYTES = 32 << 20


class DeferredProducts:
    """The pending terms of one accumulator during one run of its loop."""

    __slots__ = ("matmul", "add", "hint", "a", "b", "rows", "widths")

    def __init__(self, matmul, add, hint):
        self.matmul = matmul  # the MatMul kernel (transpose_a=True) and the Add kernel of the loop
        self.add = add
        self.hint = hint  # [rows the last run held]: the compiled frame's, so buffers rarely grow
        self.a = None  # row buffers, grown by doubling
        self.b = None
        self.rows = 0
        self.widths = None  # (A's columns, B's columns, dtype) of the rows held

    def add_product(self, acc, a, b):
        """acc + a^T b, possibly deferred: returns the accumulator to carry to the next iteration."""
        if (type(a) is np.ndarray and type(b) is np.ndarray and type(acc) is np.ndarray and a.ndim == 2
                and b.ndim == 2 and a.shape[0] == b.shape[0] and a.dtype == b.dtype == acc.dtype
                and a.dtype.kind == "f" and acc.shape == (a.shape[1], b.shape[1])):
            widths = (a.shape[1], b.shape[1], a.dtype)
            if self.widths is None or self.widths == widths:
                self._hold(a, b, widths)
                if (self.rows * (widths[0] + widths[1])) * a.dtype.itemsize >= MAX_BYTES:
                    return self.flush(acc)
                return acc
        return self.add(self.flush(acc), self.matmul(a, b))

    def _hold(self, a, b, widths):
        n = a.shape[0]
        if self.a is None or self.rows + n > self.a.shape[0]:
            capacity = max(2 * (self.rows + n), 16 * n, self.hint[0])
            grown_a = np.empty((capacity, widths[0]), widths[2])
            grown_b = np.empty((capacity, widths[1]), widths[2])
            if self.rows:
                grown_a[:self.rows] = self.a[:self.rows]
                grown_b[:self.rows] = self.b[:self.rows]
            self.a, self.b = grown_a, grown_b
        # Copies: a later kernel may reuse an operand's buffer (buffer forwarding) before the loop ends.
        self.a[self.rows:self.rows + n] = a
        self.b[self.rows:self.rows + n] = b
        self.rows += n
        self.widths = widths

    def flush(self, acc):
        """acc plus the products held (acc itself when none are)."""
        if not self.rows:
            return acc
        rows, self.rows, self.widths = self.rows, 0, None
        self.hint[0] = max(self.hint[0], rows)  # at most MAX_BYTES' worth and one iteration's
        return self.add(acc, self.matmul(self.a[:rows], self.b[:rows]))
