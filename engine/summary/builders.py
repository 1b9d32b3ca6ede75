"""``Summary`` protos built from numpy values, exactly as TensorFlow 1.x's summary kernels build them.

The graph ops (engine/summary/ops.py) run these as their kernels, and the graph-free SummaryWriter
calls them directly, so both write the same bytes for the same values.
"""

from __future__ import annotations

import io
import struct
import wave
import zlib

import numpy as np

from engine.proto import summary_pb2

from .histogram import histogram

# ImageSummary's default bad_color: opaque red, used for pixels with a non-finite channel.
DEFAULT_BAD_COLOR = np.array([255, 0, 0, 255], dtype=np.uint8)
TEXT_PLUGIN_NAME = "text"


def _tag_text(tag) -> str:
    if isinstance(tag, np.ndarray):
        tag = tag.item()
    return tag.decode("utf-8") if isinstance(tag, bytes) else str(tag)


def scalar_summary(tags, values) -> summary_pb2.Summary:
    """``ScalarSummary``: one simple_value per tag; tags and values must have the same shape."""
    tags = np.asarray(tags, dtype=object)
    values = np.asarray(values)
    if tags.shape != values.shape:
        raise ValueError(f"tags and values not the same shape: {_shape_text(tags.shape)} != "
                         f"{_shape_text(values.shape)}")
    summary = summary_pb2.Summary()
    for tag, value in zip(tags.ravel(), values.ravel(), strict=True):
        summary.value.add(tag=_tag_text(tag), simple_value=float(value))
    return summary


def _shape_text(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def histogram_summary(tag, values) -> summary_pb2.Summary:
    """``HistogramSummary``: TF's default buckets; NaN or infinity raises ValueError."""
    summary = summary_pb2.Summary()
    value = summary.value.add(tag=_tag_text(tag))
    value.histo.CopyFrom(histogram(values).to_proto(summary_pb2.HistogramProto))
    return summary


def histogram_summary_with_bins(tag, values, bins) -> summary_pb2.Summary:
    """A histogram over numpy's ``bins`` (an int, an edge list or a rule name such as "auto")."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    counts, edges = np.histogram(flat, bins=bins)
    summary = summary_pb2.Summary()
    value = summary.value.add(tag=_tag_text(tag))
    value.histo.CopyFrom(summary_pb2.HistogramProto(
        min=float(flat.min()) if flat.size else 0.0,
        max=float(flat.max()) if flat.size else 0.0,
        num=float(flat.size),
        sum=float(flat.sum()),
        sum_squares=float(np.dot(flat, flat)),
        bucket_limit=edges[1:].tolist(),
        bucket=counts.astype(np.float64).tolist(),
    ))
    return summary


# ------------------------------------------------------------------------------------------------ images
def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an ``(height, width, channels)`` uint8 image; channels 1, 2, 3 or 4."""
    height, width, channels = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]  # gray, gray+alpha, RGB, RGBA

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # filter byte 0 (None) per row
    rows[:, 1:] = image.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes()))
            + chunk(b"IEND", b""))


def _image_to_uint8(image: np.ndarray, bad_color: np.ndarray) -> np.ndarray:
    """TF's per-image normalization of a float ``(h, w, c)`` image into uint8."""
    channels = image.shape[-1]
    pixels = image.reshape(-1, channels).astype(np.float32)
    finite_pixel = np.isfinite(pixels).all(axis=1)
    finite_values = pixels[np.isfinite(pixels)]
    low = float(finite_values.min()) if finite_values.size else np.inf
    high = float(finite_values.max()) if finite_values.size else -np.inf
    zero_threshold = 1e-6
    if low < 0:
        largest = max(abs(low), abs(high))
        scale = np.float32(0.0 if largest < zero_threshold else 127.0 / largest)
        offset = np.float32(128.0)
    else:
        scale = np.float32(0.0 if high < zero_threshold else 255.0 / high)
        offset = np.float32(0.0)
    out = np.empty(pixels.shape, dtype=np.uint8)
    with np.errstate(invalid="ignore"):
        out[finite_pixel] = (pixels[finite_pixel] * scale + offset).astype(np.uint8)  # truncates, as C does
    out[~finite_pixel] = bad_color[:channels]
    return out.reshape(image.shape)


def image_summary(tag, images, max_images=3, bad_color=DEFAULT_BAD_COLOR) -> summary_pb2.Summary:
    """``ImageSummary``: up to ``max_images`` PNGs from a ``[batch, height, width, channels]`` tensor.

    uint8 pixels are kept; float pixels are scaled per image as TF does (all >= 0: max becomes 255;
    otherwise 0 maps to 128 and the largest magnitude to the range's edge). Tags are ``tag/image`` when
    ``max_images`` is 1 and ``tag/image/0``, ``tag/image/1``, ... otherwise (even for a batch of one).
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise ValueError(f"Tensor must be 4-D with last dim 1, 3, or 4, not {_shape_text(images.shape)}")
    tag = _tag_text(tag)
    count = min(int(max_images), images.shape[0])
    bad_color = np.asarray(bad_color, dtype=np.uint8).ravel()
    summary = summary_pb2.Summary()
    for i in range(count):
        image = images[i]
        pixels = image if image.dtype == np.uint8 else _image_to_uint8(image, bad_color)
        # as in TF, the tag depends on how many images were asked for, not on how many there are
        value = summary.value.add(tag=f"{tag}/image" if max_images == 1 else f"{tag}/image/{i}")
        value.image.height, value.image.width, value.image.colorspace = pixels.shape
        value.image.encoded_image_string = encode_png(pixels)
    return summary


# ------------------------------------------------------------------------------------------------- audio
def encode_wav(samples: np.ndarray, sample_rate: float) -> bytes:
    """16-bit PCM WAV of float ``(frames, channels)`` samples in [-1, 1] (clipped outside)."""
    pcm = np.clip(np.rint(samples.astype(np.float32) * 32768.0), -32768, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(pcm.shape[1])
        wav.setsampwidth(2)
        wav.setframerate(int(sample_rate))
        wav.writeframes(pcm.tobytes())
    return buffer.getvalue()


def audio_summary(tag, audio, sample_rate, max_outputs=3) -> summary_pb2.Summary:
    """``AudioSummaryV2``: up to ``max_outputs`` WAV clips of a ``[batch, frames(, channels)]`` tensor."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 2:
        audio = audio[:, :, None]
    if audio.ndim != 3:
        raise ValueError(f"Tensor must be 3-D or 2-D, got: {_shape_text(audio.shape)}")
    sample_rate = float(np.asarray(sample_rate))
    if sample_rate <= 0:
        raise ValueError("sample_rate must be > 0")
    tag = _tag_text(tag)
    count = min(int(max_outputs), audio.shape[0])
    summary = summary_pb2.Summary()
    for i in range(count):
        value = summary.value.add(tag=f"{tag}/audio" if max_outputs == 1 else f"{tag}/audio/{i}")
        value.audio.sample_rate = sample_rate
        value.audio.num_channels = audio.shape[2]
        value.audio.length_frames = audio.shape[1]
        value.audio.encoded_audio_string = encode_wav(audio[i], sample_rate)
        value.audio.content_type = "audio/wav"
    return summary


# ------------------------------------------------------------------------------------------------ tensors
def tensor_summary(tag, tensor, serialized_metadata: bytes = b"") -> summary_pb2.Summary:
    """``TensorSummaryV2``: the whole tensor as a TensorProto, with the given SummaryMetadata."""
    from engine.framework.tensor_util import make_tensor_proto

    summary = summary_pb2.Summary()
    value = summary.value.add(tag=_tag_text(tag))
    value.metadata.ParseFromString(bytes(serialized_metadata))
    value.tensor.CopyFrom(make_tensor_proto(np.asarray(tensor) if not isinstance(tensor, str) else tensor))
    return summary


def text_metadata() -> summary_pb2.SummaryMetadata:
    """The metadata TF1's ``tf.summary.text`` attaches: plugin "text", no content."""
    return summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
        plugin_name=TEXT_PLUGIN_NAME))


def text_summary(tag, text) -> summary_pb2.Summary:
    """A text summary as TF1 writes it: a DT_STRING tensor under the text plugin."""
    return tensor_summary(tag, np.asarray(text, dtype=object), text_metadata().SerializeToString())


def merge_summaries(serialized: list[bytes]) -> summary_pb2.Summary:
    """``MergeSummary``: all values of the inputs in order; a tag seen twice raises ValueError."""
    merged = summary_pb2.Summary()
    seen: set[str] = set()
    for data in serialized:
        part = summary_pb2.Summary.FromString(bytes(data))
        for value in part.value:
            if value.tag and value.tag in seen:
                raise ValueError(f"Duplicate tag {value.tag} found in summary inputs ")
            seen.add(value.tag)
            merged.value.add().CopyFrom(value)
    return merged
