"""TF1 summary ops: ``tf.summary.scalar``, ``histogram``, ``image``, ``audio``, ``text``, ``tensor_summary``,
``merge`` and ``merge_all``.

Each wrapper builds the op TF 1.x builds: same op type (``ScalarSummary``, ``HistogramSummary``,
``ImageSummary``, ``AudioSummaryV2``, ``TensorSummaryV2``, ``MergeSummary``), attrs, node names (the op
is named after its scope, with its tag Const inside it: ``loss`` and ``loss/tags``) and collection
(``tf.GraphKeys.SUMMARIES`` unless ``collections=`` says otherwise). Running one returns the serialized
``Summary`` as ``bytes``, ready for ``FileWriter.add_summary``. Summaries have no gradient.
"""

from __future__ import annotations

import re

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, registry
from engine.framework import ops as _ops
from engine.framework.tensor_shape import TensorShape
from engine.proto import summary_pb2

from . import builders

_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")


# ------------------------------------------------------------------------------------------------- kernels
def _serialized(summary) -> np.ndarray:
    return np.array(summary.SerializeToString(), dtype=object)


def _invalid_argument(error: ValueError):
    return errors.InvalidArgumentError(None, None, str(error))


def _scalar_kernel(tags, values):
    try:
        return _serialized(builders.scalar_summary(tags, values))
    except ValueError as e:
        raise _invalid_argument(e) from None


def _compile_histogram(op, runtime):
    def kernel(tag, values):
        values = np.asarray(values)
        if values.dtype.kind in "fc" and not np.isfinite(values).all():
            which = "Nan" if np.isnan(values).any() else "Infinity"
            raise errors.InvalidArgumentError(None, None, f"{which} in summary histogram for: {op.name}")
        return _serialized(builders.histogram_summary(tag, values))

    return kernel


def _compile_image(op, runtime):
    max_images = op.get_attr("max_images")
    bad_color = np.asarray(op.get_attr("bad_color"), dtype=np.uint8)

    def kernel(tag, tensor):
        try:
            return _serialized(builders.image_summary(tag, tensor, max_images, bad_color))
        except ValueError as e:
            raise _invalid_argument(e) from None

    return kernel


def _compile_audio(op, runtime):
    max_outputs = op.get_attr("max_outputs")

    def kernel(tag, tensor, sample_rate):
        try:
            return _serialized(builders.audio_summary(tag, tensor, sample_rate, max_outputs))
        except ValueError as e:
            raise _invalid_argument(e) from None

    return kernel


def _tensor_summary_kernel(tag, tensor, serialized_summary_metadata):
    metadata = serialized_summary_metadata
    if isinstance(metadata, np.ndarray):
        metadata = metadata.item()
    return _serialized(builders.tensor_summary(tag, tensor, metadata))


def _merge_kernel(*inputs):
    serialized = [item for value in inputs for item in np.asarray(value, dtype=object).ravel()]
    try:
        return _serialized(builders.merge_summaries(serialized))
    except ValueError as e:
        raise _invalid_argument(e) from None


def _scalar_string(op):
    return [(dtypes.string, TensorShape([]))]


registry.register_op("ScalarSummary", infer=_scalar_string, kernel=_scalar_kernel,
                     inputs=("tags", "values: T"),
                     allowed={"T": groups.REAL_NUMBER_TYPES})
registry.register_op("HistogramSummary", infer=_scalar_string, compile=_compile_histogram,
                     inputs=("tag", "values: T"),
                     allowed={"T": groups.REAL_NUMBER_TYPES})
registry.register_op("ImageSummary", infer=_scalar_string, compile=_compile_image,
                     attrs={"max_images": 3, "bad_color": builders.DEFAULT_BAD_COLOR},
                     inputs=("tag", "tensor: T"),
                     allowed={"T": groups.IMAGE_SUMMARY_TYPES})
registry.register_op("AudioSummaryV2", infer=_scalar_string, compile=_compile_audio, attrs={"max_outputs": 3})
registry.register_op("TensorSummaryV2", infer=_scalar_string, kernel=_tensor_summary_kernel)
registry.register_op("MergeSummary", infer=_scalar_string, kernel=_merge_kernel)
for _op_type in ("ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummaryV2", "TensorSummaryV2",
                 "MergeSummary"):
    registry.register_not_differentiable(_op_type)


# ------------------------------------------------------------------------------------------------ wrappers
def _clean_tag(name):
    """TF's rule: characters other than letters, digits, ``_ - / .`` become ``_``; leading ``/`` dropped."""
    if name is None:
        return None
    return _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")


class _SummaryScope:
    """TF's ``summary_scope``: a name scope for the op; yields ``(tag, scope)``."""

    def __init__(self, name, family=None, default_name=None, values=None):
        name, family = _clean_tag(name), _clean_tag(family)
        self._family = family
        base = name if family is None else f"{family}/{name}"
        self._scope = _ops.name_scope(base, default_name, values)

    def __enter__(self):
        scope = self._scope.__enter__()
        tag = scope.rstrip("/")
        if self._family is not None:
            tag = f"{self._family}/{tag}"  # the family again, so the tag lands in the family's tab
        return tag, scope

    def __exit__(self, *exc_info):
        return self._scope.__exit__(*exc_info)


def _collect(op_output, collections, default_collections):
    for key in default_collections if collections is None else collections:
        _ops.add_to_collection(key, op_output)


def _string_const(value, name):
    return _ops.convert_to_tensor(value, dtype=dtypes.string, name=name)


def _summary_op(op_type, inputs, scope, attrs=None):
    return _ops.get_default_graph().create_op(op_type, inputs, name=scope, attrs=attrs).outputs[0]


def scalar(name, tensor, collections=None, family=None):
    """A ``ScalarSummary`` op for a real-number scalar ``tensor``, tagged with its scope's name."""
    with _SummaryScope(name, family, values=[tensor]) as (tag, scope):
        tags = _string_const(tag, "tags")
        tensor = _ops.convert_to_tensor(tensor, name="values")
        attrs = {"T": tensor.dtype.base_dtype}
        val = _summary_op("ScalarSummary", [tags, tensor], scope, attrs)
        _collect(val, collections, [_ops.GraphKeys.SUMMARIES])
    return val


def histogram(name, values, collections=None, family=None):
    """A ``HistogramSummary`` op over all elements of ``values`` (TF's default buckets)."""
    with _SummaryScope(name, family, values=[values]) as (tag, scope):
        tag_tensor = _string_const(tag, "tag")
        values = _ops.convert_to_tensor(values, name="values")
        val = _summary_op("HistogramSummary", [tag_tensor, values], scope, {"T": values.dtype.base_dtype})
        _collect(val, collections, [_ops.GraphKeys.SUMMARIES])
    return val


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """An ``ImageSummary`` op: up to ``max_outputs`` images from ``[batch, height, width, 1|3|4]``."""
    with _SummaryScope(name, family, values=[tensor]) as (tag, scope):
        tag_tensor = _string_const(tag, "tag")
        tensor = _ops.convert_to_tensor(tensor, name="tensor")
        attrs = {"max_images": int(max_outputs), "T": tensor.dtype.base_dtype,
                 "bad_color": builders.DEFAULT_BAD_COLOR}
        val = _summary_op("ImageSummary", [tag_tensor, tensor], scope, attrs)
        _collect(val, collections, [_ops.GraphKeys.SUMMARIES])
    return val


def audio(name, tensor, sample_rate, max_outputs=3, collections=None, family=None):
    """An ``AudioSummaryV2`` op: up to ``max_outputs`` WAV clips from ``[batch, frames(, channels)]``."""
    with _SummaryScope(name, family, values=[tensor]) as (tag, scope):
        sample_rate = _ops.convert_to_tensor(sample_rate, dtype=dtypes.float32, name="sample_rate")
        tag_tensor = _string_const(tag, "tag")
        tensor = _ops.convert_to_tensor(tensor, dtype=dtypes.float32, name="tensor")
        val = _summary_op("AudioSummaryV2", [tag_tensor, tensor, sample_rate], scope,
                          {"max_outputs": int(max_outputs)})
        _collect(val, collections, [_ops.GraphKeys.SUMMARIES])
    return val


def tensor_summary(name, tensor, summary_description=None, collections=None, summary_metadata=None,
                   family=None, display_name=None):
    """A ``TensorSummaryV2`` op: the whole tensor, with ``summary_metadata`` (a SummaryMetadata)."""
    if summary_metadata is None:
        summary_metadata = summary_pb2.SummaryMetadata()
    if summary_description is not None:
        summary_metadata.summary_description = summary_description
    if display_name is not None:
        summary_metadata.display_name = display_name
    serialized = summary_metadata.SerializeToString()
    with _SummaryScope(name, family, values=[tensor]) as (tag, scope):
        tag_tensor = _string_const(tag, "tag")
        tensor = _ops.convert_to_tensor(tensor, name="tensor")
        metadata_tensor = _string_const(serialized, "serialized_summary_metadata")
        val = _summary_op("TensorSummaryV2", [tag_tensor, tensor, metadata_tensor], scope,
                          {"T": tensor.dtype.base_dtype})
        _collect(val, collections, [_ops.GraphKeys.SUMMARIES])
    return val


def text(name, tensor, collections=None):
    """A text summary (``TensorSummaryV2`` with the text plugin's metadata) of a string tensor."""
    tensor = _ops.convert_to_tensor(tensor)
    if tensor.dtype != dtypes.string:
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got {tensor.dtype!r}")
    return tensor_summary(name, tensor, summary_metadata=builders.text_metadata(), collections=collections)


def merge(inputs, collections=None, name=None):
    """A ``MergeSummary`` op combining the values of the serialized summaries in ``inputs``.

    As in TF, the op is named ``Merge/MergeSummary`` by default (``name/name`` when named).
    """
    inputs = list(inputs)
    with _ops.name_scope(name, "Merge", inputs):
        graph = _ops.get_default_graph()
        tensors = [_ops.convert_to_tensor(x, dtype=dtypes.string) for x in inputs]
        val = graph.create_op("MergeSummary", tensors, name=name or "MergeSummary",
                              attrs={"N": len(tensors)}).outputs[0]
        _collect(val, collections, [])
    return val


def merge_all(key=_ops.GraphKeys.SUMMARIES, scope=None, name=None):
    """``merge`` of every summary in collection ``key`` (optionally under ``scope``); None if none."""
    summary_ops = _ops.get_collection(key, scope=scope)
    if not summary_ops:
        return None
    return merge(summary_ops, name=name)
