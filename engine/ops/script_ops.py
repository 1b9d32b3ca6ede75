"""Python functions as graph ops: PyFunc and PyFuncStateless (`tf.py_func`, `tf.numpy_function`).

As in TF, the op holds only a `token` attr (`pyfunc_0`, `pyfunc_1`, ... per process) naming the function
in a registry; the graph keeps its functions alive (they leave the registry with the graph). The kernel
calls the function on the inputs' numpy arrays and checks what it returns against `Tout` with TF's texts.
An exception raised by the function becomes the OpError TF maps it to (ValueError and TypeError:
InvalidArgumentError; StopIteration: OutOfRangeError; NotImplementedError: UnimplementedError;
MemoryError: ResourceExhaustedError; anything else: UnknownError), its message TF's
`"<Type>: <message>\\nTraceback ..."`. TF gives these ops no gradient (`NotDifferentiable`): the engine
marks them the same, so `tf.gradients` through one is None.
"""

from __future__ import annotations

import itertools
import threading
import traceback
import weakref

import numpy as np

from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.ops.op_util import make_op

_functions = {}  # token -> the Python function
_lock = threading.Lock()
_tokens = itertools.count()

# Python exception classes -> the OpError TF's PyFunc kernel turns them into (others: UnknownError).
_ERROR_FOR_EXCEPTION = (
    ((ValueError, TypeError), errors.InvalidArgumentError),
    ((StopIteration,), errors.OutOfRangeError),
    ((MemoryError,), errors.ResourceExhaustedError),
    ((NotImplementedError,), errors.UnimplementedError),
)


def _register(graph, func):
    """A new token for `func`, held in the registry while `graph` lives."""
    with _lock:
        token = f"pyfunc_{next(_tokens)}"
        _functions[token] = func
    weakref.finalize(graph, _functions.pop, token, None)
    return token


def _op_error(exc):
    # The traceback from the user's function on (not the kernel's own frame).
    frames = traceback.format_tb(exc.__traceback__.tb_next)
    text = f"{type(exc).__name__}: {exc}\nTraceback (most recent call last):\n\n" + "".join(frames)
    for kinds, error in _ERROR_FOR_EXCEPTION:
        if isinstance(exc, kinds):
            return error(None, None, text)
    return errors.UnknownError(None, None, text)


def _type_name(dtype):
    """TF's C++ name of a dtype in kernel errors (`float`, `double`, `half`; others as in Python)."""
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name, dtype.name)


def _as_array(value):
    """What the function returned, as TF's registry converts it (str becomes bytes)."""
    array = np.asarray(value, order="C")
    if array.dtype.char == "U":
        return array.astype(np.bytes_)
    return array


def _compile_py_func(op, runtime):
    token = op.get_attr("token")
    token = token.decode() if isinstance(token, bytes) else token
    expected = [dtypes.as_dtype(t) for t in op.get_attr("Tout")]

    def kernel(*args):
        func = _functions.get(token)
        if func is None:
            raise errors.InvalidArgumentError(
                None, None, f"ValueError: Could not find callback with key={token} in the registry."
            )
        try:
            returned = func(*args)
        except Exception as exc:
            raise _op_error(exc) from exc
        if isinstance(returned, bytes):
            returned = [returned]
        if returned is None:
            values = []
        elif isinstance(returned, (tuple, list)):
            values = [_as_array(v) for v in returned]
        else:
            values = [_as_array(returned)]
        if len(values) != len(expected):
            raise errors.InvalidArgumentError(
                None,
                None,
                f"{token} returns {len(values)} values, but expects to see {len(expected)} values.",
            )
        for i, (value, dtype) in enumerate(zip(values, expected, strict=True)):
            got = "string" if value.dtype.kind in "SO" else _type_name(dtypes.as_dtype(value.dtype))
            if got != _type_name(dtype):
                raise errors.InvalidArgumentError(
                    None, None, f"{i}-th value returned by {token} is {got}, but expects {_type_name(dtype)}"
                )
        return tuple(values) if len(values) != 1 else values[0]

    return kernel


def _infer_py_func(op):
    return [(dtypes.as_dtype(t), _ts.unknown_shape()) for t in op.get_attr("Tout")]


for _type, _stateful in (("PyFunc", True), ("PyFuncStateless", False)):
    registry.register_op(
        _type, infer=_infer_py_func, compile=_compile_py_func, stateful=_stateful, fresh=True
    )
    registry.register_not_differentiable(_type)


def _py_func(func, inp, Tout, stateful, name):
    op_type = "PyFunc" if stateful else "PyFuncStateless"
    with ops.name_scope(name, op_type, inp) as scope:
        inputs = [ops.convert_to_tensor(x) for x in (inp or [])]
        is_list = isinstance(Tout, (list, tuple))
        out_types = [dtypes.as_dtype(t) for t in (Tout if is_list else [Tout])]
        graph = inputs[0].graph if inputs else ops.get_default_graph()
        op = make_op(
            op_type,
            inputs,
            name=scope,
            attrs={
                "token": _register(graph, func),
                "Tin": [x.dtype.base_dtype for x in inputs],
                "Tout": out_types,
            },
        )
    if not out_types:
        return op
    return list(op.outputs) if is_list else op.outputs[0]


def py_func(func, inp, Tout, stateful=True, name=None):
    """``tf.py_func``: an op calling `func` on the numpy values of `inp` when run, returning tensors of the
    dtypes `Tout` (a list of tensors when `Tout` is a list, one when it is a dtype, the op when it is
    empty). `stateful=False` makes it a PyFuncStateless, which a plan may fold or share."""
    return _py_func(func, inp, Tout, stateful, name)


def numpy_function(func, inp, Tout, stateful=True, name=None):
    """``tf.numpy_function``: `tf.py_func` under its TF 2.x name."""
    return _py_func(func, inp, Tout, stateful, name)
