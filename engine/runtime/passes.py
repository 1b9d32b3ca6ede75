"""The plan builder's passes, by name, and the private knob that switches them.

Every pass but two only changes how a plan computes its values, never the values: `tests/engine/
test_plan_passes.py` runs the suite's graphs with all passes off and all on (but those in `ROUNDING`)
and compares the results bit for bit.  With all off, a plan calls every needed op's kernel in dependency
order (following every control edge), which is the reference the passes are checked against.
`deferred_products` sums a compiled loop's accumulated products in one GEMM after the loop, and
`narrowed_products` computes only the columns of a loop's product that are read: the same sums in
another order, so values agree to float rounding (as TF's own kernels' do with ours), checked with a
tolerance.

``ENGINE_PLAN_PASSES`` (read when a session is created) selects them: unset or ``all`` for every pass,
``none`` for none, a comma list of names to enable, or ``all,-name,...`` to drop some.
"""

from __future__ import annotations

import os

DEPENDENCY_OPTIMIZER = "dependency_optimizer"  # prune.py: control edges to unneeded pure ops dropped
KERNEL_ELISION = "kernel_elision"  # lowering.py: no kernel call for Const/VariableV2/Identity/NoOp
CONSTANT_FOLDING = "constant_folding"  # constant_folding.py
SHAPE_SPECIALISATION = "shape_specialisation"  # shape_specialisation.py: Shape/Size/Rank, Reshape
BOUND_KERNELS = "bound_kernels"  # binding.py
BUFFER_FORWARDING = "buffer_forwarding"  # forwarding.py
LAST_USE_FREES = "last_use_frees"  # frees.py
FRAME_COMPILATION = "frame_compilation"  # frame_compile.py: a plain while loop as one generated function
DEFERRED_PRODUCTS = "deferred_products"  # deferred_products.py: a compiled loop's sum of A^T B after it
NARROWED_PRODUCTS = "narrowed_products"  # narrowed_products.py: only the product columns a loop reads
COND_SPECIALISATION = "cond_specialisation"  # cond_specialisation.py: plans per value of conds' predicates
SCALAR_OPERATORS = "scalar_operators"  # scalar_operators.py: a loop's counters on numpy's scalar math

ALL = frozenset((DEPENDENCY_OPTIMIZER, KERNEL_ELISION, CONSTANT_FOLDING, SHAPE_SPECIALISATION, BOUND_KERNELS,
                 BUFFER_FORWARDING, LAST_USE_FREES, FRAME_COMPILATION, DEFERRED_PRODUCTS, NARROWED_PRODUCTS,
                 SCALAR_OPERATORS, COND_SPECIALISATION))
# The passes whose values differ from the reference in rounding (sums in another order).
ROUNDING = frozenset((DEFERRED_PRODUCTS, NARROWED_PRODUCTS))
ENV = "ENGINE_PLAN_PASSES"


def parse(text: str) -> frozenset:
    """The pass set a knob value names (see the module docstring); ValueError for an unknown name."""
    enabled = set()
    for word in (w.strip() for w in text.split(",")):
        if word in ("", "none"):
            continue
        if word == "all":
            enabled |= ALL
            continue
        name = word.removeprefix("-")
        if name not in ALL:
            raise ValueError(f"{ENV}: unknown plan pass {name!r}; known: {', '.join(sorted(ALL))}")
        if word.startswith("-"):
            enabled.discard(name)
        else:
            enabled.add(name)
    return frozenset(enabled)


def configured() -> frozenset:
    """The passes the environment asks for (all of them by default)."""
    text = os.environ.get(ENV)
    return ALL if text is None else parse(text)
