"""Assert and Print (TF's logging_ops): checks and printing that happen when the graph runs.

Values are written as TF's `Tensor::SummarizeValue` writes them: at most `summarize` elements, a
vector as ``1 2 3...``, higher ranks nested in brackets (``[[1 2][3...]...]``), strings C-escaped, bools
as 1/0, floats in the shortest of %g with 6 (float32) or 15 (float64) digits that reads back exactly.
"""

from __future__ import annotations

import sys

import numpy as np

from engine.framework import dtypes, errors, ops, registry, tensor_shape
from engine.ops.op_util import make_op


def _element(x):
    if isinstance(x, bytes):
        return x.decode("utf-8", "replace")
    if isinstance(x, (np.bool_, bool)):
        return "1" if x else "0"
    if isinstance(x, np.floating):
        digits = (6, 9) if x.dtype.itemsize <= 4 else (15, 17)
        text = f"%.{digits[0]}g" % x
        if type(x)(text) != x and np.isfinite(x):
            text = f"%.{digits[1]}g" % x
        return text.replace("inf", "inf").replace("nan", "nan")
    return str(x)


_C_ESCAPES = {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x22: '\\"', 0x27: "\\'", 0x5C: "\\\\"}


def _c_escape(data):
    """absl's CEscape, as SummarizeValue writes strings: C escapes, octal for other unprintable bytes."""
    return "".join(
        _C_ESCAPES.get(c) or (chr(c) if 0x20 <= c < 0x7F else f"\\{c:03o}") for c in data
    )


def _summary_element(x):
    return _c_escape(x) if isinstance(x, bytes) else _element(x)


def summarize_value(value, summarize):
    """`value` as TF's SummarizeValue writes it, with at most `summarize` elements (all if negative):
    a vector as ``1 2 3...``, a higher rank as its rows in brackets (``[1 2][3...]...``, no outer pair:
    Assert and Print add one around each value)."""
    a = np.asarray(value)
    flat = a.reshape(-1)
    limit = flat.size if summarize is None or summarize < 0 else min(summarize, flat.size)
    if a.ndim <= 1:
        text = " ".join(_summary_element(x) for x in flat[:limit])
        return text + ("..." if flat.size > limit else "")
    position = [0]
    parts = []

    def one_dim(dim):
        # TF's PrintOneDim: a row is opened only while elements remain, and closed if it was opened.
        if position[0] >= limit:
            return
        if dim == a.ndim - 1:
            for i in range(a.shape[dim]):
                if position[0] >= limit:
                    parts.append("...")
                    return
                if i > 0:
                    parts.append(" ")
                parts.append(_summary_element(flat[position[0]]))
                position[0] += 1
            return
        for _ in range(a.shape[dim]):
            opened = position[0] < limit
            if opened:
                parts.append("[")
            one_dim(dim + 1)
            if opened:
                parts.append("]")

    one_dim(0)
    return "".join(parts) + ("..." if flat.size > limit else "")


def _compile_assert(op, runtime):
    summarize = int(op._get_attr_or("summarize", 3))

    def kernel(condition, *data):
        if np.shape(condition) != ():
            raise errors.InvalidArgumentError(
                None, None, f"In[0] should be a scalar: {tensor_shape.TensorShape(np.shape(condition))}"
            )
        if not condition:
            text = " ".join(f"[{summarize_value(d, summarize)}]" for d in data)
            raise errors.InvalidArgumentError(None, None, f"assertion failed: {text}")

    return kernel


registry.register_op(
    "Assert", infer=lambda op: [], compile=_compile_assert, stateful=True, attrs={"summarize": 3}
)


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TF's name
    """``tf.Assert``: an op that raises InvalidArgumentError ("assertion failed: [data]...") when run
    with a false `condition`.  Unless every `data` is a string or int32 it is guarded by a cond
    (``Assert/AssertGuard``), as in TF, so the data is only computed when the check fails."""
    from engine.ops import control_flow_ops
    from engine.ops.cond import cond

    with ops.name_scope(name, "Assert", [condition, data]):
        xs = [ops.convert_to_tensor(d) for d in data]  # TF converts once here (Const...), for the dtypes
        attrs = {
            "T": [x.dtype.base_dtype for x in xs],
            "summarize": 3 if summarize is None else int(summarize),
        }
        condition = ops.convert_to_tensor(condition, name="Condition")

        def assert_op():
            # TF's op wrapper converts `data` again inside the op's own scope (Assert/Assert/data_0):
            # a graph carries both copies of each constant, as TF's does.
            with ops.name_scope("Assert") as op_scope:
                inner = [d if isinstance(d, ops.Tensor) else ops.convert_to_tensor(d, name=f"data_{i}")
                         for i, d in enumerate(data)]
                return make_op("Assert", [condition, *inner], name=op_scope, attrs=attrs)

        if all(x.dtype.base_dtype in (dtypes.string, dtypes.int32) for x in xs):
            return assert_op()

        guarded = cond(condition, control_flow_ops.no_op, assert_op, name="AssertGuard")
        return guarded.op


def _compile_print(op, runtime):
    message = op._get_attr_or("message", "")
    if isinstance(message, bytes):
        message = message.decode()
    first_n = int(op._get_attr_or("first_n", -1))
    summarize = int(op._get_attr_or("summarize", 3))
    count = [0]

    def kernel(value, *data):
        if first_n < 0 or count[0] < first_n:
            count[0] += 1
            text = message + "".join(f"[{summarize_value(d, summarize)}]" for d in data)
            print(text, file=sys.stderr)
        return value

    return kernel


registry.register_op(
    "Print",
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
    compile=_compile_print,
    stateful=True,
    attrs={"message": "", "first_n": -1, "summarize": 3},
)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):  # noqa: N802 - TF's name
    """``tf.Print``: `input_` unchanged; running it writes `message` and the `data` values to stderr
    (the first `first_n` runs only, when given; at most `summarize` elements of each)."""
    with ops.name_scope(name, "Print", [input_, *data]) as scope:
        input_ = ops.convert_to_tensor(input_)
        xs = [ops.convert_to_tensor(d) for d in data]
        attrs = {
            "T": input_.dtype.base_dtype,
            "U": [x.dtype.base_dtype for x in xs],
            "message": message or "",
            "first_n": -1 if first_n is None else int(first_n),
            "summarize": 3 if summarize is None else int(summarize),
        }
        return make_op("Print", [input_, *xs], name=scope, attrs=attrs).outputs[0]


@registry.register_gradient("Print")
def _print_grad(op, *grads):
    return [grads[0]] + [None] * (len(op.inputs) - 1)


registry.register_not_differentiable("Assert")


# --- tf.print: StringFormat + PrintV2 ---------------------------------------------------------------------
def format_value(value, summarize):
    """`value` as TF's print_v2 writes a tensor: numpy-like nesting over lines, each dimension longer
    than 2 * `summarize` shown as its first and last `summarize` entries around ``...``, strings in
    double quotes."""
    a = np.asarray(value)
    if a.ndim == 0:
        x = a[()]
        return '"' + _element(x) + '"' if isinstance(x, bytes) else _element(x)

    def entries(n):
        if summarize is None or summarize < 0 or n <= 2 * summarize:
            return list(range(n)), None
        return list(range(summarize)), list(range(n - summarize, n))

    def block(sub, depth):
        head, tail = entries(sub.shape[0])
        if sub.ndim == 1:

            def item(i):
                x = sub[i]
                return '"' + _element(x) + '"' if isinstance(x, bytes) else _element(x)

            parts = [item(i) for i in head] + (["..."] + [item(i) for i in tail] if tail is not None else [])
            return "[" + " ".join(parts) + "]"
        joiner = "\n" * (sub.ndim - 1) + " " * (depth + 1)
        parts = [block(sub[i], depth + 1) for i in head]
        if tail is not None:
            parts += ["..."] + [block(sub[i], depth + 1) for i in tail]
        return "[" + joiner.join(parts) + "]"

    return block(a, 0)


def _compile_string_format(op, runtime):
    template = op._get_attr_or("template", "%s")
    placeholder = op._get_attr_or("placeholder", "%s")
    template = template.decode() if isinstance(template, bytes) else template
    placeholder = placeholder.decode() if isinstance(placeholder, bytes) else placeholder
    summarize = int(op._get_attr_or("summarize", 3))
    pieces = template.split(placeholder)

    def kernel(*inputs):
        if len(inputs) != len(pieces) - 1:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"num placeholders in template and num inputs must match: {len(pieces) - 1} vs. "
                f"{len(inputs)}",
            )
        out = [pieces[0]]
        for value, piece in zip(inputs, pieces[1:], strict=True):
            out.append(format_value(value, summarize))
            out.append(piece)
        return "".join(out).encode()

    return kernel


def _infer_string_format(op):
    return [(dtypes.string, tensor_shape.TensorShape([]))]


registry.register_op(
    "StringFormat",
    infer=_infer_string_format,
    compile=_compile_string_format,
    attrs={"template": "%s", "placeholder": "%s", "summarize": 3},
)

def _compile_print_v2(op, runtime):
    stream = op._get_attr_or("output_stream", "stderr")
    stream = stream.decode() if isinstance(stream, bytes) else stream
    end = op._get_attr_or("end", "\n")
    end = end.decode() if isinstance(end, bytes) else end

    def kernel(text):
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        out = sys.stdout if stream == "stdout" else sys.stderr  # looked up per call: tests swap them
        out.write(text + end)
        out.flush()

    return kernel


registry.register_op(
    "PrintV2",
    infer=lambda op: [],
    compile=_compile_print_v2,
    stateful=True,
    attrs={"output_stream": "stderr", "end": "\n"},
)


def _placeholder_for(template):
    placeholder = "{}"
    n = 1
    while placeholder in template:
        placeholder = "{" + str(n) + "}"
        n += 1
    return placeholder


def print_v2(*inputs, **kwargs):
    """``tf.print``: an op that writes `inputs` (tensors, Python values, nested structures of both)
    joined by `sep` and followed by `end` to `output_stream` (sys.stderr or sys.stdout) when run;
    tensors show at most `summarize` entries at each end of every dimension."""
    import pprint

    import tree as nest

    output_stream = kwargs.pop("output_stream", sys.stderr)
    name = kwargs.pop("name", None)
    summarize = kwargs.pop("summarize", 3)
    summarize = 3 if summarize is None else summarize
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments for tf.print: {kwargs}")
    if output_stream is sys.stderr or output_stream is sys.stdout:  # the streams of the time of the call
        stream = "stderr" if output_stream is sys.stderr else "stdout"
    else:
        stream = output_stream
    if stream not in ("stderr", "stdout"):
        raise ValueError(
            f"Unsupported output stream, logging level, or file.{output_stream}. Supported "
            "streams are sys.stdout, sys.stderr, tf.logging.info, tf.logging.warning, "
            "tf.logging.error. File needs to be in the form of 'file://<filepath>'."
        )
    format_name = None if name is None else name + "_format"

    def is_tensor(x):
        return isinstance(x, (ops.Tensor,)) or hasattr(x, "_as_graph_element")

    if (
        len(inputs) == 1
        and isinstance(inputs[0], ops.Tensor)
        and inputs[0].shape.ndims == 0
        and inputs[0].dtype.base_dtype == dtypes.string
    ):
        text = inputs[0]
    else:
        free = nest.map_structure(lambda x: "" if is_tensor(x) else x, list(inputs))
        placeholder = _placeholder_for(" ".join(pprint.pformat(x) for x in free))
        templates, tensors = [], []
        for item in inputs:
            holders = []
            for x in nest.flatten(item):
                if is_tensor(x):
                    tensors.append(ops.convert_to_tensor(x))
                    holders.append(placeholder)
                else:
                    holders.append(x)
            if isinstance(item, str):
                templates.append(item)
            else:
                templates.append(pprint.pformat(nest.unflatten_as(item, holders)))
        template = sep.join(templates).replace("'" + placeholder + "'", placeholder)
        text = make_op(
            "StringFormat",
            tensors,
            name=format_name or "StringFormat",
            attrs={
                "T": [t.dtype.base_dtype for t in tensors],
                "template": template,
                "placeholder": placeholder,
                "summarize": int(summarize),
            },
        ).outputs[0]
    return make_op("PrintV2", [text], name=name or "PrintV2", attrs={"output_stream": stream, "end": end})
