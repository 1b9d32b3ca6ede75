"""`tf.map_fn`, `tf.scan`, `tf.foldl` and `tf.foldr` as TF1 builds them: a `tf.while_loop` (with
`maximum_iterations` the sequence length) reading the elements from TensorArrays (`unstack` of `elems`)
and, for map_fn and scan, writing the results to TensorArrays stacked after the loop -- so the graphs hold
TF's `map/while/...` ops, and their gradients are the loop's and the TensorArrays'.
"""

from __future__ import annotations

import tree as nest

from engine.framework import dtypes, ops, tensor_shape
from engine.ops import constant_op
from engine.ops.tensor_array_ops import TensorArray
from engine.ops.while_loop import while_loop


def _check_callable(fn, text):
    if not callable(fn):
        raise TypeError(text.format(name=getattr(fn, "__name__", repr(fn))))


def _leading_dim(t):
    """The static size of `t`'s first dimension (None when unknown); TF's error for a scalar."""
    if t.shape.ndims == 0:
        raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
    return t.shape.dims[0].value if t.shape.ndims is not None else None


def _length(elems_flat):
    """The number of iterations: a Python int when known statically, else `tf.shape(elems[0])[0]`."""
    from engine.ops import grad_util

    n_static = _leading_dim(elems_flat[0])
    for t in elems_flat[1:]:
        other = _leading_dim(t)
        if n_static is not None and other is not None and other != n_static:
            raise ValueError(f"Dimensions {n_static} and {other} are not compatible")
    return n_static, (n_static if n_static is not None else grad_util.shape(elems_flat[0])[0])


def _set_leading(results, n_static):
    for r in results:
        if r.shape.ndims is not None:
            r.set_shape(tensor_shape.TensorShape([n_static]).concatenate(r.shape[1:]))


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None, fn_output_signature=None):
    """``tf.map_fn``: `fn` applied to each slice of `elems` along axis 0 (`elems` may be nested; `dtype` /
    `fn_output_signature` give the structure and dtypes of `fn`'s result when it differs from `elems`)."""
    if fn_output_signature is None:
        fn_output_signature = dtype
    _check_callable(fn, "The provided function {name} is not callable. fn must be callable.")
    if not parallel_iterations:
        parallel_iterations = 10
    elems_flat = nest.flatten(elems)
    with ops.name_scope(name, "map", elems_flat):
        elems_flat = [ops.convert_to_tensor(t, name="elem") for t in elems_flat]
        if elems_flat[0].shape.ndims is not None and elems_flat[0].shape.ndims < 1:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
        n_static, n = _length(elems_flat)
        elems_ta = [TensorArray(dtype=t.dtype, size=n, dynamic_size=False, infer_shape=True)
                    for t in elems_flat]
        elems_ta = [ta.unstack(t) for ta, t in zip(elems_ta, elems_flat, strict=True)]
        i = constant_op.constant(0)
        if fn_output_signature is None:
            result_dtypes = [t.dtype.base_dtype for t in elems_flat]

            def result_pack(flat):
                return nest.unflatten_as(elems, flat)
        else:
            result_dtypes = [dtypes.as_dtype(d) for d in nest.flatten(fn_output_signature)]

            def result_pack(flat):
                return nest.unflatten_as(fn_output_signature, flat)
        result_ta = [TensorArray(dtype=d, size=n, dynamic_size=False, infer_shape=infer_shape)
                     for d in result_dtypes]

        def compute(i, tas):
            value = nest.unflatten_as(elems, [ta.read(i) for ta in elems_ta])
            result = fn(value)
            structure = elems if fn_output_signature is None else fn_output_signature
            try:
                nest.assert_same_structure(structure, result)
            except (TypeError, ValueError) as e:
                raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst "
                                 f"structure: {structure}\n\nSecond structure: {result}\n\nMore "
                                 f"specifically: {e}") from None
            flat = [ops.convert_to_tensor(r) for r in nest.flatten(result)]
            for r, d in zip(flat, result_dtypes, strict=True):
                if r.dtype.base_dtype != d:
                    raise TypeError(f"fn returned a {r.dtype.base_dtype.name} where map_fn expects {d.name}: "
                                    "pass map_fn the dtype (fn_output_signature) of fn's result")
            tas = [ta.write(i, r) for ta, r in zip(tas, flat, strict=True)]
            return i + 1, tas

        _, r_a = while_loop(lambda i, _: i < n, compute, (i, result_ta),
                            parallel_iterations=parallel_iterations, back_prop=back_prop,
                            swap_memory=swap_memory, maximum_iterations=n)
        results = [r.stack() for r in r_a]
        _set_leading(results, n_static)
        return result_pack(results)


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
         infer_shape=True, reverse=False, name=None):
    """``tf.scan``: the running `a = fn(a, x)` over the slices `x` of `elems` (from the end when `reverse`),
    every step's `a` stacked; `a` starts as `initializer`, or as the first slice (which is then output
    as is)."""
    _check_callable(fn, "{name} is not callable. Please provide a callable function.")
    input_is_sequence = nest.is_nested(elems)

    def input_pack(x):
        return nest.unflatten_as(elems, x) if input_is_sequence else x[0]

    if initializer is None:
        output_is_sequence, output_structure = input_is_sequence, elems
    else:
        output_is_sequence, output_structure = nest.is_nested(initializer), initializer

    def output_flatten(x):
        return nest.flatten(x) if output_is_sequence else [x]

    def output_pack(x):
        return nest.unflatten_as(output_structure, x) if output_is_sequence else x[0]

    elems_flat = nest.flatten(elems) if input_is_sequence else [elems]
    with ops.name_scope(name, "scan", elems_flat):
        elems_flat = [ops.convert_to_tensor(t, name="elem") for t in elems_flat]
        n_static, n = _length(elems_flat)
        elems_ta = [TensorArray(dtype=t.dtype, size=n, dynamic_size=False, element_shape=t.shape[1:],
                                infer_shape=True) for t in elems_flat]
        elems_ta = [ta.unstack(t) for ta, t in zip(elems_ta, elems_flat, strict=True)]
        if initializer is None:
            a_flat = [ta.read(n - 1 if reverse else 0) for ta in elems_ta]
            i = 1
        else:
            a_flat = [ops.convert_to_tensor(init) for init in output_flatten(initializer)]
            i = 0
        accs_ta = [TensorArray(dtype=a.dtype, size=n, element_shape=a.shape if infer_shape else None,
                               dynamic_size=False, infer_shape=infer_shape) for a in a_flat]
        if initializer is None:
            accs_ta = [ta.write(n - 1 if reverse else 0, a) for ta, a in zip(accs_ta, a_flat, strict=True)]

        def compute(i, a_flat, tas):
            packed_elems = input_pack([ta.read(i) for ta in elems_ta])
            a_out = fn(output_pack(a_flat), packed_elems)
            nest.assert_same_structure(elems if initializer is None else initializer, a_out)
            flat_a_out = output_flatten(a_out)
            tas = [ta.write(i, value) for ta, value in zip(tas, flat_a_out, strict=True)]
            return (i - 1 if reverse else i + 1), flat_a_out, tas

        if reverse:
            initial_i = n - 1 - i

            def condition(i, _1, _2):
                return i >= 0
        else:
            initial_i = i

            def condition(i, _1, _2):
                return i < n
        _, _, r_a = while_loop(condition, compute, (initial_i, a_flat, accs_ta),
                               parallel_iterations=parallel_iterations, back_prop=back_prop,
                               swap_memory=swap_memory, maximum_iterations=n)
        results = [r.stack() for r in r_a]
        _set_leading(results, n_static)
        return output_pack(results)


def _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, default_name, from_end):
    _check_callable(fn, "{name} is not callable. Please provide a callable function.")
    with ops.name_scope(name, default_name, [elems]):
        elems_flat = [ops.convert_to_tensor(t, name="elem") for t in nest.flatten(elems)]
        n = _length(elems_flat)[1]
        elems_ta = nest.map_structure(
            lambda t: TensorArray(dtype=ops.convert_to_tensor(t).dtype, size=n, dynamic_size=False,
                                  infer_shape=True).unstack(t), elems)
        if from_end:
            if initializer is None:
                i = n - 1
                a = nest.map_structure(lambda ta: ta.read(i), elems_ta)
            else:
                i, a = n, initializer

            def compute(i, a):
                i -= 1
                return [i, fn(a, nest.map_structure(lambda ta: ta.read(i), elems_ta))]

            def condition(i, a):
                return i > 0
        else:
            if initializer is None:
                a = nest.map_structure(lambda ta: ta.read(0), elems_ta)
                i = constant_op.constant(1)
            else:
                a = initializer
                i = constant_op.constant(0)

            def compute(i, a):
                return [i + 1, fn(a, nest.map_structure(lambda ta: ta.read(i), elems_ta))]

            def condition(i, a):
                return i < n
        _, r_a = while_loop(condition, compute, [i, a], parallel_iterations=parallel_iterations,
                            back_prop=back_prop, swap_memory=swap_memory, maximum_iterations=n)
        return r_a


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """``tf.foldl``: `a = fn(a, x)` over the slices `x` of `elems` from the first; the last `a`."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, "foldl", False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """``tf.foldr``: `a = fn(a, x)` over the slices `x` of `elems` from the last; the last `a`."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, "foldr", True)
