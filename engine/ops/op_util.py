"""Helpers shared by the op modules: creating ops, static shape rules, TF-style shape error texts."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, node_summary, ops, registry
from engine.framework import tensor_shape as _ts


def graph_for(values):
    """The graph the op for `values` belongs in: the inputs' graph, else the default graph (as TF does)."""
    for v in values:
        if isinstance(v, ops.Tensor):
            return v.graph
        g = getattr(v, "graph", None)
        if isinstance(g, ops.Graph):
            return g
    return ops.get_default_graph()


def make_op(op_type, inputs, name=None, attrs=None):
    """Creates an op in the inputs' graph and returns the Operation."""
    graph = graph_for(inputs)
    return graph.create_op(op_type, inputs, name=name, attrs=attrs)


def make_tensor(op_type, inputs, name=None, attrs=None):
    """Creates a single-output op and returns its output Tensor."""
    return make_op(op_type, inputs, name=name, attrs=attrs)._outputs[0]


def shape_str(shape):
    """TF's C++ rendering of a partial shape in error texts: `[2,?]`, `?` for unknown rank."""
    dims = shape._as_tuple() if isinstance(shape, _ts.TensorShape) else shape
    if dims is None:
        return "?"
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def node_for_error(op):
    """How TF 2.x names a node in a build-time error: `{{node add}} = AddV2[T=DT_FLOAT](x, y)`."""
    return node_summary.summarize_node_def(op.node_def)


def shape_error(op, message, computed=None):
    """ValueError in TF 2.x's format:
    `<message> for '{{node add}} = AddV2[T=DT_FLOAT](x, y)' with input shapes: [2], [3].`

    `computed` maps an input index to the constant value the shape function read from that input; TF
    then appends ` and with computed input tensors: input[1] = <0 -3>.`
    """
    shapes = ", ".join(shape_str(t.shape) for t in op.inputs)
    text = f"{message} for '{node_for_error(op)}' with input shapes: {shapes}"
    if computed:
        tensors = ", ".join(f"input[{i}] = <{summarize(v)}>" for i, v in sorted(computed.items()))
        text += f" and with computed input tensors: {tensors}"
    return ValueError(text + ".")


def merge_dims(op, a, b, context=""):
    """InferenceContext::Merge of two static shapes (tuples, None for unknown rank), with TF's texts;
    `context` is the line TF appends naming what was being merged."""
    if a is None or b is None:
        return b if a is None else a
    if len(a) != len(b):
        raise shape_error(op, f"Shapes must be equal rank, but are {len(a)} and {len(b)}{context}")
    for i, (da, db) in enumerate(zip(a, b, strict=True)):
        if da is not None and db is not None and da != db:
            raise shape_error(
                op,
                f"Dimension {i} in both shapes must be equal, but are {da} and {db}. "
                f"Shapes are {shape_str(a)} and {shape_str(b)}.{context}",
            )
    return tuple(db if da is None else da for da, db in zip(a, b, strict=True))


def summarize(value):
    """A constant as TF's `Tensor::SummarizeValue` writes it: `5`, `0 -3`, a matrix `[0 0][0 -1]`."""
    value = np.asarray(value)
    if value.ndim >= 2:
        return "".join(f"[{summarize(row)}]" for row in value)
    return " ".join(str(v) for v in np.reshape(value, -1).tolist())


def dims(tensor):
    """The static shape of a tensor as a tuple of ints/None, or None for unknown rank."""
    return tensor._shape._as_tuple()


def shape(d):
    return _ts.from_tuple(d)


def broadcast_dims(op, a, b):
    """numpy/TF broadcasting of two static shapes (tuples or None); ValueError names the op."""
    if a is None or b is None:
        return None
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + a
    b = (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a, b, strict=True):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None:
            out.append(y)
        elif y is None:
            out.append(x)
        elif x == y:
            out.append(x)
        else:
            raise shape_error(op, f"Dimensions must be equal, but are {x} and {y}")
    return tuple(out)


def infer_same(op):
    """One output with the dtype and shape of input 0 (elementwise unary ops)."""
    t = op.inputs[0]
    return [(t.dtype.base_dtype, t.shape)]


def infer_broadcast(op):
    """One output with input 0's dtype and the broadcast shape of inputs 0 and 1."""
    x, y = op.inputs[0], op.inputs[1]
    check_same_dtype(op.type, x, y)
    return [(x.dtype.base_dtype, shape(broadcast_dims(op, dims(x), dims(y))))]


def infer_compare(op):
    """Comparison ops: bool output with the broadcast shape."""
    x, y = op.inputs[0], op.inputs[1]
    check_same_dtype(op.type, x, y)
    return [(dtypes.bool, shape(broadcast_dims(op, dims(x), dims(y))))]


def convert_input(op_type, arg, value, dtype, inferred_from=None):
    """Converts `value` for input `arg` of an `op_type` op whose dtype is already known, with TF's
    op-construction errors (`op_def_library`): a Tensor of another dtype is "Input 'y' of 'Op' has type
    ... that does not match type T of argument 'x'." (`inferred_from`, a type attr set by an earlier input)
    or "... does not match expected type of bool." (a fixed input type); a Python value that cannot be
    converted is "Expected T passed to parameter 'y' of op 'Op', got ... instead. Error: ...".
    """
    try:
        return ops.convert_to_tensor(value, dtype=dtype, name=arg)
    except TypeError as error:
        raise TypeError(
            f"Expected {dtype.name} passed to parameter '{arg}' of op '{op_type}', got {value!r} of type "
            f"'{type(value).__name__}' instead. Error: {error}"
        ) from None
    except ValueError:
        try:
            observed = ops.convert_to_tensor(value).dtype.base_dtype.name
        except ValueError as error:
            raise ValueError(f"Tried to convert '{arg}' to a tensor and failed. Error: {error}") from None
    raise _type_mismatch(op_type, arg, observed, dtype.name, inferred_from)


def check_same_dtype(op_type, x, y, args=("x", "y")):
    """TF's op-construction TypeError for two inputs of one type attr whose dtypes differ."""
    if x.dtype.base_dtype != y.dtype.base_dtype:
        raise _type_mismatch(op_type, args[1], y.dtype.base_dtype.name, x.dtype.base_dtype.name, args[0])


def _type_mismatch(op_type, arg, observed, expected, inferred_from=None):
    """TF's text for input `arg` of dtype `observed` where `expected` was wanted: fixed by the op
    (`inferred_from` None) or by the type attr an earlier input `inferred_from` set."""
    prefix = f"Input '{arg}' of '{op_type}' Op has type {observed} that does not match"
    if inferred_from is None:
        return TypeError(f"{prefix} expected type of {expected}.")
    return TypeError(f"{prefix} type {expected} of argument '{inferred_from}'.")


def ufunc_bind(ufunc):
    """The registry's `bind` for an op whose kernel is the one ufunc call `ufunc(*inputs)`: nothing to
    bind but a donated input, which becomes the call's `out` (same values; the result lands in a buffer
    already in cache).  Register it with ``forward=tuple(range(ufunc.nin))``."""

    def bind(op, runtime, known, donated):
        if donated is None or known:
            return None
        if ufunc.nin == 1:
            return lambda x: ufunc(x, out=x)
        return lambda x, y: _into_input(ufunc, x, y, donated)

    return bind


def _into_input(ufunc, x, y, donated):
    """ufunc(x, y) written into input `donated` (0 or 1), through long rows when the other is a short
    vector broadcast along its last axis (`widened_rows`)."""
    into, other = (x, y) if donated == 0 else (y, x)
    wide = widened_rows(into, other)
    if wide is None:
        return ufunc(x, y, out=into)
    rows, tiled = wide
    ufunc(*((rows, tiled) if donated == 0 else (tiled, rows)), out=rows)
    return into


# A vector broadcast along the last axis of an array with short rows (a convolution's bias: 32
# channels): a ufunc's inner loop then runs over the vector's few elements once per pixel, and its
# per-call overhead dominates.  Viewed with the last two axes as one row and the vector tiled to match,
# the rows are long (28*32) and the ufunc pairs the same elements, so the values are the same.  Deep
# MNIST's first bias add (64x28x28x32) took 0.58-0.60x the time, its second (64x14x14x64) 0.93-0.96x
# (60 interleaved rounds, load 5.4-6.1).
_SHORT_ROW = 256


def widened_rows(a, v):
    """(a, v) as a 2-D view of `a` with long rows and `v` tiled to one, when `v` is a short vector
    broadcast along the last axis of the contiguous array `a` of 3 or more axes; else None."""
    if getattr(v, "ndim", 0) != 1 or a.ndim < 3 or not a.size or a.shape[-1] != v.shape[0] or \
            v.shape[0] >= _SHORT_ROW or a.dtype != v.dtype or not a.flags.c_contiguous:
        return None
    reps = a.shape[-2]
    return a.reshape(-1, reps * v.shape[0]), np.tile(v, reps)


def register_elementwise_backprop(table):
    """Registers TF's two-input elementwise ``*Grad`` ops (``ReluGrad``, ``SigmoidGrad``, ...) from
    ``{op type: (kernel, TF's two input names, T's allowed dtypes)}`` and returns their wrappers, by op
    type: ``wrapper(a, b, name=None)`` builds the op (named as the op type by default), T from `a`."""
    wrappers = {}
    for op_type, (kernel, names, allowed) in table.items():
        registry.register_op(op_type, infer=infer_broadcast, kernel=kernel,
                             inputs=tuple(f"{n}: T" for n in names), allowed={"T": allowed})

        def wrapper(a, b, name=None, _op_type=op_type):
            return make_tensor(_op_type, [a, b], name=name or _op_type, attrs={"T": a.dtype.base_dtype})

        wrapper.__name__ = op_type
        wrappers[op_type] = wrapper
    return wrappers


def normalize_axis(op, axis, n):
    """`axis` of a rank-`n` input counted from 0; TF's shape error for one outside [-n, n)."""
    if axis < -n or axis >= n:
        raise shape_error(op, f"Expected axis in [{-n}, {n}), but got {axis}")
    return axis + n if axis < 0 else axis
