"""TF's dispatch of the elementwise ops to RaggedTensors: ``tf.add(rt, 1)``, ``tf.math.sqrt(rt)``,
``tf.cast(rt, tf.float32)`` run the op on the flat values and keep the row partitions, as TF's ragged
dispatch does for a RaggedTensor with scalars or RaggedTensors of the same partitions (the operators'
rules, engine/ragged/ragged_operators.py). `install` puts the dispatching form of each name into the
public namespaces (``engine``, ``engine.math``, ``engine.nn``, ...): one wrapper per function, so aliases
stay aliases (``tf.math.add is tf.add``, ``tf.nn.softplus is tf.math.softplus``); calls without a
RaggedTensor go straight to the op's function."""

from __future__ import annotations

import contextlib
import functools

from engine.framework import ops
from engine.ragged import ragged_concat, ragged_gather, ragged_reductions
from engine.ragged.ragged_operators import elementwise
from engine.ragged.ragged_tensor import RaggedTensor

# The elementwise ops TF dispatches on RaggedTensors: one tensor argument (then any others, e.g. cast's
# dtype), or two.
UNARY = tuple(
    """
    abs acos asin atan cast ceil cos cosh erf erfc exp expm1 floor is_finite is_inf is_nan lgamma
    digamma log log1p log_sigmoid logical_not negative reciprocal rint round rsqrt saturate_cast
    sigmoid sign sin sinh softplus softsign sqrt square tan tanh to_float to_double to_int32
    to_int64 zeros_like ones_like
""".split()
)
BINARY = tuple(
    """
    add atan2 div div_no_nan divide equal floordiv floor_div floormod greater greater_equal less
    less_equal logical_and logical_or logical_xor maximum minimum mod multiply not_equal pow realdiv
    squared_difference subtract truediv xdivy xlogy
""".split()
)


# The reductions: a RaggedTensor input goes to the ragged form (engine/ragged/ragged_reductions.py).
REDUCTIONS = tuple(
    """
    reduce_sum reduce_prod reduce_min reduce_max reduce_mean reduce_all reduce_any
""".split()
)


def _scope(name):
    """As TF's dispatch: a name given for a ragged call is the scope of the op, which keeps its own name."""
    return ops.name_scope(name) if name else contextlib.nullcontext()


def _unary(fn):
    @functools.wraps(fn)
    def dispatching(x, *args, **kwargs):
        if isinstance(x, RaggedTensor):
            with _scope(kwargs.pop("name", None)):
                return x.with_flat_values(fn(x.flat_values, *args, **kwargs))
        return fn(x, *args, **kwargs)

    return dispatching


def _binary(fn):
    @functools.wraps(fn)
    def dispatching(x, y, *args, **kwargs):
        if isinstance(x, RaggedTensor) or isinstance(y, RaggedTensor):
            with _scope(kwargs.pop("name", None)):
                return elementwise(lambda a, b: fn(a, b, *args, **kwargs), x, y)
        return fn(x, y, *args, **kwargs)

    return dispatching


def _reduction(fn, ragged_fn):
    @functools.wraps(fn)
    def dispatching(
        input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None
    ):
        if isinstance(input_tensor, RaggedTensor):
            # TF1's deprecated spellings, resolved as its dense reductions resolve them
            axis = reduction_indices if axis is None else axis
            keepdims = keep_dims if keepdims is None else keepdims
            return ragged_fn(input_tensor, axis, bool(keepdims), name)
        return fn(input_tensor, axis, keepdims, name, reduction_indices, keep_dims)

    return dispatching


def _gather(fn):
    @functools.wraps(fn)
    def dispatching(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
        if isinstance(params, RaggedTensor) or isinstance(indices, RaggedTensor):
            return ragged_gather.gather(params, indices, validate_indices, axis, batch_dims, name)
        return fn(params, indices, validate_indices, name, axis, batch_dims)

    return dispatching


def _joining(fn, ragged_fn):
    """tf.concat / tf.stack: the ragged form when any of the joined values is a RaggedTensor."""

    @functools.wraps(fn)
    def dispatching(values, *args, **kwargs):
        if isinstance(values, (list, tuple)) and any(isinstance(v, RaggedTensor) for v in values):
            return ragged_fn(values, *args, **kwargs)
        return fn(values, *args, **kwargs)

    return dispatching


def install(*modules):
    """Replaces each dispatched name the `modules` export by its dispatching form (the same wrapper for
    the same function in every module)."""
    wrapped = {}
    for module in modules:
        for names, wrap in (
            (UNARY, _unary),
            (BINARY, _binary),
            (REDUCTIONS, None),
            (("gather",), _gather),
            (("concat",), lambda fn: _joining(fn, ragged_concat.concat)),
            (("stack",), lambda fn: _joining(fn, ragged_concat.stack)),
        ):
            for name in names:
                fn = module.__dict__.get(name)
                if fn is None:
                    continue
                if id(fn) not in wrapped:
                    wrapped[id(fn)] = (
                        _reduction(fn, getattr(ragged_reductions, name)) if wrap is None else wrap(fn)
                    )
                setattr(module, name, wrapped[id(fn)])
