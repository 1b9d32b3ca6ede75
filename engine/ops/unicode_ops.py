"""Unicode text: UnicodeTranscode (``tf.strings.unicode_transcode``): each string decoded from one encoding
and written in UTF-8, UTF-16-BE or UTF-32-BE. Python's codecs stand in for TF's ICU converters; both
replace an ill-formed sequence by its maximal valid prefix, one replacement per such part (checked with
TF's values). Kernel, shape rule, registration and wrapper; no gradient."""

from __future__ import annotations

import codecs

from engine.framework import dtypes, errors, ops, registry
from engine.ops.op_util import infer_same, make_tensor
from engine.ops.string_ops import _each, _strings, _text

_OUTPUT_ENCODINGS = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}
_ERROR_POLICIES = ("strict", "replace", "ignore")
# A lone surrogate marks each ill-formed part while decoding: no well-formed decode yields one.
_MARK = "\ud800"
codecs.register_error("engine.unicode_mark", lambda error: (_MARK, error.end))


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _compile_transcode(op, runtime):
    input_encoding = _text(op.get_attr("input_encoding"))
    try:
        decoder = codecs.lookup(input_encoding).name
    except LookupError:
        raise _invalid(f"Could not create converter for input encoding: {input_encoding}") from None
    encoder = _OUTPUT_ENCODINGS[_text(op.get_attr("output_encoding"))]
    policy = _text(op.get_attr("errors"))
    replacement = chr(int(op.get_attr("replacement_char")))
    controls = bool(op.get_attr("replace_control_characters"))
    # C0 controls (U+0000..U+001F) become the replacement when asked; DEL stays, as in TF.
    table = {c: replacement for c in range(0x20)} if controls else {}

    def transcode(data):
        text = data.decode(decoder, "engine.unicode_mark")
        if _MARK in text:
            if policy == "strict":
                raise _invalid("Invalid formatting on input string")
            text = text.replace(_MARK, replacement if policy == "replace" else "")
        # surrogatepass writes a replacement_char TF accepts without checking (a surrogate) as it does.
        return text.translate(table).encode(encoder, "surrogatepass")

    return lambda x: _each(transcode, _strings(x))


registry.register_op(
    "UnicodeTranscode", infer=infer_same, compile=_compile_transcode, fresh=True,
    attrs={"errors": "replace", "replacement_char": 65533, "replace_control_characters": False},
)


def _check_choice(attr, value, choices):
    if value not in choices:
        allowed = ", ".join(f'"{c}"' for c in choices)
        raise ValueError(f"Attr '{attr}' of 'UnicodeTranscode' Op passed string '{value}' not in: {allowed}.")


def unicode_transcode(input, input_encoding, output_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                      replace_control_characters=False, name=None):
    """``tf.strings.unicode_transcode``: each string read as `input_encoding` and written as
    `output_encoding` (UTF-8, UTF-16-BE or UTF-32-BE); ill-formed input raises (`errors='strict'`), is
    replaced by `replacement_char` (the default) or dropped (`'ignore'`)."""
    _check_choice("output_encoding", output_encoding, tuple(_OUTPUT_ENCODINGS))
    _check_choice("errors", errors, _ERROR_POLICIES)
    with ops.name_scope(name, "UnicodeTranscode", [input]) as scope:
        x = ops.convert_to_tensor(input, dtype=dtypes.string, name="input")
        return make_tensor("UnicodeTranscode", [x], name=scope, attrs={
            "input_encoding": input_encoding, "output_encoding": output_encoding, "errors": errors,
            "replacement_char": int(replacement_char),
            "replace_control_characters": bool(replace_control_characters),
        })
