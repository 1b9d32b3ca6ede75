"""Op and gradient registries: one entry per TensorFlow op type, registered once.

Op definitions
--------------
`register_op(op_type, infer=..., kernel=... | compile=..., ...)` declares an op type:

* ``infer(op) -> [(DType, TensorShape), ...]`` — the static dtype and shape of every output,
  computed from ``op.inputs`` (Tensors with ``.dtype``/``.shape``) and ``op.get_attr(name)``.  It runs
  when the op is created, whether by a Python wrapper or by `import_graph_def` from a NodeDef, so it
  must rely only on inputs and attrs.  It may raise ``ValueError`` for impossible shapes.
* ``kernel(*input_values) -> value`` — a plain numpy function for ops without attrs or state (one
  output: return the array; several outputs: return a tuple/list).
* ``compile(op, runtime) -> kernel`` — when the kernel needs attrs, per-session state or randomness.
  Called once per session the first time a plan uses the op; ``runtime`` is the session's state
  (`engine.runtime.state.Runtime`): ``runtime.cell(variable_op)`` returns the variable's `VariableCell`.
  ``runtime.rng(op)`` the op's Philox generator (engine/ops/philox.py), kept for the session's life.
* ``ref_inputs`` — input indices that receive the variable itself rather than its value: the
  kernel gets a `VariableCell` (``.value`` is the ndarray, updated in place or replaced;
  ``.read()`` raises FailedPreconditionError when uninitialized; ``.name`` the variable's name).
  A kernel whose output is a ref (``ref_output=True``) returns the cell.
* ``bind(op, runtime, known, donated) -> kernel | None`` — optional plan-time specialisation.  `known`
  maps input indices to the values a plan knows before it runs (Consts, folded results; never ref inputs
  or feeds); the kernel is called with only the *other* inputs, in order, in place of the general
  kernel, so work that depends only on the known values (converting hyper-parameters, normalizing axes)
  is done once per plan.  `donated` is None, or an index from `forward` whose buffer the kernel may
  overwrite (see below).  None keeps the general kernel.  It must compute what the general kernel does.
* ``fresh`` — the kernel's outputs are always new arrays: never views of its inputs, never state it keeps.
* ``forward`` — input indices whose buffer `bind` can take as `donated`, for the result or as scratch.
  A plan donates one, as TF's kernels forward an input buffer to their output, when nothing can see it
  any more: the output of a `fresh` kernel, read by this op last and otherwise only by `fresh` kernels,
  not fetched, of the op's output's shape (known, not a scalar) and floating dtype.
* ``stateful`` — never constant-folded, never deduplicated.

What the runtime (engine/runtime/) may do with an op, in place of calling its kernel, is declared here
too, so that it names no op type:

* ``constant`` — the output is the ``value`` attr (Const): a plan binds the value itself.
* ``variable`` — the output is the session's `VariableCell` of this op (VariableV2): bound directly.
* ``pass_through`` — the output is input 0 unchanged (Identity, StopGradient): a plan passes the value on.
* ``control_only`` — nothing to compute, only control edges to order (NoOp): a plan leaves it out.
* ``must_feed`` — the kernel only raises "must feed a value" (Placeholder): never folded, never weak.
* ``shape_only`` — the outputs depend only on the inputs' shapes (Shape, ShapeN, Size, Rank): folded when
  the shapes are known.
* ``reshape`` — the output is input 0's values in the shape its kernel computes (Reshape): a plan passes
  input 0 on when its shape already is that one.
* ``reshapes_variable`` — may give the variable of input 0 another shape than it declares (Assign with
  ``validate_shape=False`` or a value of unknown shape, AssignVariableOp): plans then check shapes.
* ``adds`` — the output is input 0 + input 1, elementwise (AddV2, Add): a compiled loop may sum the terms
  an accumulator of its own adds in another order (pass `deferred_products`).
* ``row_products(op)`` — true when, with this op's attrs, the output is input 0 transposed times input 1
  for 2-D inputs (MatMul with transpose_a alone): a sum over their rows, so a loop's sum of such
  products is one product of the rows of every iteration stacked (pass `deferred_products`).
* ``row_sums(op)`` — true when, with this op's attrs, the output is the sum of the rows of its 2-D input
  (BiasAddGrad in NHWC): a loop's sum of them is the row sum of every iteration's rows stacked.
* ``narrows(op)`` — the axis of input 1 that the output's last axis runs along (MatMul: 0 with
  transpose_b, else 1): the output's columns start:stop are the op with input 1 cut to them (pass
  `narrowed_products`).
* ``cuts(op)`` — (value input index, axis, bounds) when the op cuts its value input along `axis` between
  consecutive `bounds`, known from the graph (Split, SplitV with constant sizes and axis), else None.
* ``on_scalars`` — a function computing what the kernel does when every input is a numpy scalar, faster
  (Python's operator: numpy's scalar math, the ufunc's own loops without its call's setup): a compiled
  loop's counters call it (pass `scalar_operators`).
* ``control_flow`` — a frame op of TF1's control flow (``"switch"``, ``"merge"``, ``"enter"``, ``"exit"``,
  ``"next_iteration"``, or ``"control_trigger"``: never dead): a plan holding one runs on the dataflow
  executor (engine/runtime/dataflow.py), which gives the op its dead-tensor and frame semantics; the kernel
  only passes the data on.
* ``attrs`` — default attr values filled in when a NodeDef omits them.
* ``inputs`` and ``allowed`` — TF's OpDef ``input_arg`` / type attr ``allowed_values``: ``inputs`` names
  the inputs in order as ``"x: T"`` (typed by attr ``T``), ``"values: N*T"`` (a list: the inputs up to
  those declared after it, which count from the end) or ``"axis"`` (not checked), with TF's input names
  (tests/engine/test_allowed_dtypes.py compares them); ``allowed`` maps a type attr to its dtype names, a
  group from `engine.framework.dtype_groups`.  `Graph.create_op` calls `OpDef.check_inputs` before
  ``infer``: an input whose base dtype is not allowed raises TF's ``TypeError("Value passed to parameter
  'x' has DataType string not in list of allowed values: ...")``.  Undeclared type attrs (Cast's,
  Identity's) allow any dtype.  Unlike TF, a GraphDef import reports the same text rather than "Value for
  attr 'T' of string is not in the list of allowed values".

Gradients
---------
``@register_gradient("OpType")`` decorates ``fn(op, *output_grads) -> list/tuple`` with one gradient
(Tensor or None) per input of ``op``.  ``register_not_differentiable("OpType")`` records that the op
has no gradient (lookups return None).  ``get_gradient_function(op_type)`` returns the function (or None
for not-differentiable types) and raises ``LookupError("No gradient defined for operation type
'OpType'")`` otherwise.  Both registries raise ``KeyError`` on a second registration of the same type.

Enumerate with `registered_ops()` (op types with a definition) and `registered_gradients()`
(op types with a gradient function or a not-differentiable mark); `get_op_def(t).module` names the
module that registered `t`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OpDef:
    """Everything the engine knows about one op type."""

    type: str
    infer: Callable
    kernel: Callable | None = None
    compile: Callable | None = None
    bind: Callable | None = None
    fresh: bool = False
    forward: tuple = ()
    ref_inputs: tuple = ()
    ref_output: bool = False
    stateful: bool = False
    constant: bool = False
    variable: bool = False
    pass_through: bool = False
    control_only: bool = False
    must_feed: bool = False
    shape_only: bool = False
    reshape: bool = False
    reshapes_variable: bool = False
    attrs: dict = field(default_factory=dict)
    module: str = ""  # the module that registered the op type (for per-module coverage checks)
    allowed: dict = field(default_factory=dict)  # type attr -> allowed dtype names, in TF's order
    # (first input index, end index or None for "through the last", parameter name, attr, allowed names)
    input_checks: tuple = ()
    input_names: tuple = ()  # TF's input names, from `inputs=` (empty when not declared)
    control_flow: str = ""  # "switch", "merge", "enter", "exit", "next_iteration", "control_trigger"
    adds: bool = False
    row_products: Callable | None = None
    row_sums: Callable | None = None
    narrows: Callable | None = None
    cuts: Callable | None = None
    on_scalars: Callable | None = None

    def check_inputs(self, inputs):
        """TF's op-construction TypeError for the first of `inputs` whose dtype its type attr refuses.
        `inputs` may be a prefix of the op's inputs (a wrapper checks `x` before converting `y`)."""
        for first, end, param, attr, allowed in self.input_checks:
            for t in inputs[first:end]:
                if t.dtype.name not in allowed:  # `allowed` holds the "_ref" names too: no base_dtype
                    raise TypeError(
                        f"Value passed to parameter '{param}' has DataType {t.dtype.base_dtype.name} not in "
                        f"list of allowed values: {', '.join(self.allowed[attr])}"
                    )

    def make_kernel(self, op, runtime):
        if self.compile is not None:
            return self.compile(op, runtime)
        return self.kernel


_OPS: dict[str, OpDef] = {}
_GRADIENTS: dict[str, Callable | None] = {}


def register_op(
    op_type, *, infer, kernel=None, compile=None, bind=None, fresh=False, forward=(), ref_inputs=(),
    ref_output=False, stateful=False, attrs=None, inputs=(), allowed=None, constant=False, variable=False,
    pass_through=False, control_only=False, must_feed=False, shape_only=False, reshape=False,
    reshapes_variable=False, control_flow="", adds=False, row_products=None, row_sums=None, narrows=None,
    cuts=None, on_scalars=None,
):
    """Declares `op_type` (see module docstring).  Exactly one of `kernel` / `compile` is required."""
    if (kernel is None) == (compile is None):
        raise ValueError(f"Op type '{op_type}' needs exactly one of kernel= or compile=")
    if op_type in _OPS:
        raise KeyError(f"Registering two op definitions with name '{op_type}'!")
    allowed = {attr: tuple(names) for attr, names in (allowed or {}).items()}
    module = sys._getframe(1).f_globals.get("__name__", "")
    _OPS[op_type] = OpDef(
        op_type, infer, kernel, compile, bind, fresh, tuple(forward), tuple(ref_inputs), ref_output, stateful,
        constant, variable, pass_through, control_only, must_feed, shape_only, reshape, reshapes_variable,
        dict(attrs or {}), module, allowed, _input_checks(op_type, inputs, allowed),
        tuple(spec.partition(":")[0].strip() for spec in inputs), control_flow, adds, row_products,
        row_sums, narrows, cuts, on_scalars,
    )
    return _OPS[op_type]


def _input_checks(op_type, inputs, allowed):
    """`OpDef.input_checks` from ``inputs=("x: T", "inputs: N*T", "axis")`` and ``allowed={"T": names}``."""
    checks = []
    after = None  # inputs after a list ("values: N*T", "axis: Tidx") are counted from the end
    for index, spec in enumerate(inputs):
        param, _, attr = (part.strip() for part in spec.partition(":"))
        variadic = attr.startswith("N*")
        attr = attr.removeprefix("N*").strip()
        if after is not None:
            index -= len(inputs)
        if attr in allowed:
            end = (index - len(inputs) + 1 or None) if variadic else (index + 1 or None)
            names = frozenset(allowed[attr])
            checks.append((index, end, param, attr, names | {name + "_ref" for name in names}))
        if variadic:
            after = index
    unused = set(allowed) - {check[3] for check in checks}
    if unused:
        raise ValueError(f"Op type '{op_type}' allows dtypes for {sorted(unused)}, which no input has")
    return tuple(checks)


def get_op_def(op_type):
    try:
        return _OPS[op_type]
    except KeyError:
        raise LookupError(f"Op type not registered '{op_type}'") from None


def registered_ops():
    """Sorted list of every registered op type."""
    return sorted(_OPS)


def register_gradient(op_type):
    """Decorator: registers `fn(op, *output_grads) -> one gradient (or None) per input` for `op_type`."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")

    def decorator(fn):
        if op_type in _GRADIENTS:
            raise KeyError(f"Registering two gradient with name '{op_type}'!")
        _GRADIENTS[op_type] = fn
        return fn

    return decorator


def register_not_differentiable(op_type):
    """Marks `op_type` as having no gradient: `get_gradient_function` returns None for it."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    if op_type in _GRADIENTS:
        raise KeyError(f"Registering two gradient with name '{op_type}'!")
    _GRADIENTS[op_type] = None


def get_gradient_function(op_type):
    """The gradient function of `op_type`; None if registered as not differentiable."""
    try:
        return _GRADIENTS[op_type]
    except KeyError:
        raise LookupError(f"No gradient defined for operation type '{op_type}'") from None


def registered_gradients():
    """Sorted list of op types with a gradient function or a not-differentiable mark."""
    return sorted(_GRADIENTS)


# TF's spelling, so code written against tensorflow's ops module reads naturally.
RegisterGradient = register_gradient
NotDifferentiable = no_gradient = register_not_differentiable
