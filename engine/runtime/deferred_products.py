"""A loop's sum of row products A_t^T B_t (or row sums of B_t) computed once after the loop (the plan
pass `deferred_products`: frame_compile.py finds the pattern).

The gradient loop of an RNN adds, in every iteration, the product of the step's input (popped from the
forward loop's stack) and the step's output gradient to an accumulator of the kernel's gradient, and
the output gradient's column sums to the bias's:

    kernel_acc = kernel_acc + MatMul(A_t, B_t, transpose_a=True)
    bias_acc = bias_acc + BiasAddGrad(B_t)

A batch of 32 gives a 32-deep product per iteration, too thin for BLAS to run near its speed, and an
add of the whole kernel-sized accumulator.  Nothing in the loop reads the accumulators but those adds,
so the frame's code hands the operands to a `DeferredProducts` instead, which copies their rows into
blocks, and adds concat(A)^T concat(B) -- the same sum, in one GEMM as deep as the loop -- (or the
column sums of concat(B)) when the loop ends, or when the rows held pass `MAX_BYTES`, so a long loop
holds bounded memory.  The sum runs in another order, so the values agree with the per-iteration adds
to float rounding, as TF's own kernels' do.

Operands the deferral cannot take as they come (not 2-D float arrays of one dtype, not matching the
accumulator or the rows held) are added at once by the term's and the Add's kernels themselves, after
the rows held: their errors are the kernels' own.
"""

from __future__ import annotations

import numpy as np

# Rows of the operands held before they are summed into the accumulator (all operands' bytes together).
MAX_BYTES = 32 << 20


class DeferredProducts:
    """The pending terms of one accumulator during one run of its loop: `term(*operands)` is the kernel
    of MatMul(transpose_a=True) (two operands) or of a row sum (one), `add` the loop's Add kernel."""

    __slots__ = ("term", "add", "hint", "held", "rows", "widths")

    def __init__(self, term, add, hint):
        self.term = term
        self.add = add
        self.hint = hint  # [rows the last run held]: the compiled frame's, so buffers rarely grow
        self.held = None  # one row buffer per operand, grown by doubling
        self.rows = 0
        self.widths = None  # (each operand's columns, dtype) of the rows held

    def add_product(self, acc, *operands):
        """acc + term(*operands), possibly deferred: returns the accumulator to carry to the next
        iteration."""
        if type(acc) is np.ndarray and all(type(x) is np.ndarray and x.ndim == 2 for x in operands):
            n, dtype = operands[0].shape[0], operands[0].dtype
            widths = tuple(x.shape[1] for x in operands) + (dtype,)
            if (all(x.shape[0] == n and x.dtype == dtype for x in operands) and acc.dtype == dtype
                    and dtype.kind == "f" and acc.shape == widths[:-1] and self.widths in (None, widths)):
                self._hold(operands, widths)
                if self.rows * sum(widths[:-1]) * dtype.itemsize >= MAX_BYTES:
                    return self.flush(acc)
                return acc
        return self.add(self.flush(acc), self.term(*operands))

    def _hold(self, operands, widths):
        n = operands[0].shape[0]
        if self.held is None or self.rows + n > self.held[0].shape[0]:
            capacity = max(2 * (self.rows + n), 16 * n, self.hint[0])
            grown = [np.empty((capacity, width), widths[-1]) for width in widths[:-1]]
            if self.rows:
                for new, old in zip(grown, self.held, strict=True):
                    new[:self.rows] = old[:self.rows]
            self.held = grown
        # Copies: a later kernel may reuse an operand's buffer (buffer forwarding) before the loop ends.
        for buffer, x in zip(self.held, operands, strict=True):
            buffer[self.rows:self.rows + n] = x
        self.rows += n
        self.widths = widths

    def flush(self, acc):
        """acc plus the terms held (acc itself when none are)."""
        if not self.rows:
            return acc
        rows, self.rows, self.widths = self.rows, 0, None
        self.hint[0] = max(self.hint[0], rows)  # at most MAX_BYTES' worth and one iteration's
        return self.add(acc, self.term(*(buffer[:rows] for buffer in self.held)))
