"""Images and audio clips inside summary values, as TensorBoard's images and audio plugins read them.

* images: TF1 ``Summary.Image`` (one encoded image), or the images plugin's string tensor
  ``[width, height, image, image, ...]`` (TF2 `tf.summary.image`, tensorboardX and torch
  `add_image(s)` / `add_figure` write ``Summary.Image``);
* audio: TF1 ``Summary.Audio`` (one WAV clip, no label), or the audio plugin's string tensor
  ``[clips, 2]`` of (encoded audio, label) rows.
"""

from __future__ import annotations

_WAV = 11  # tensorboard.plugins.audio.plugin_data.proto: Encoding.WAV
DEFAULT_TYPE = "application/octet-stream"

# First bytes of the image formats TensorBoard names (it serves others as octet-stream)
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


def images(value) -> list[bytes]:
    """The encoded images of one ``Summary.Value``, in sample order."""
    if value.WhichOneof("value") == "image":
        return [bytes(value.image.encoded_image_string)]
    return [bytes(s) for s in value.tensor.string_val[2:]]


def clips(value) -> list[tuple[bytes, str]]:
    """(encoded audio, label) of each clip of one ``Summary.Value``."""
    if value.WhichOneof("value") == "audio":
        return [(bytes(value.audio.encoded_audio_string), "")]
    strings = list(value.tensor.string_val)
    return [(bytes(strings[i]), bytes(strings[i + 1]).decode("utf-8", "replace"))
            for i in range(0, len(strings) - 1, 2)]


def image_type(data: bytes) -> str:
    for magic, mime in _IMAGE_MAGIC:
        if data.startswith(magic):
            return mime
    return DEFAULT_TYPE


def audio_type(plugin_content: bytes, from_tf1: bool) -> str:
    """The MIME type TensorBoard gives a tag's clips: WAV when its metadata says so."""
    if from_tf1:
        return "audio/wav"  # TensorBoard converts Summary.Audio to WAV-encoded tensors
    return "audio/wav" if _varint_field(plugin_content, 2) == _WAV else DEFAULT_TYPE


def _varint_field(message: bytes, number: int) -> int | None:
    """The value of varint field `number` of a serialized protobuf message (AudioPluginData is
    two varints, so this spares a generated module for it)."""
    i, found = 0, None
    while i < len(message):
        key, i = _varint(message, i)
        if key is None:
            return found
        wire = key & 7
        if wire == 0:
            value, i = _varint(message, i)
            if key >> 3 == number:
                found = value
        elif wire == 2:
            size, i = _varint(message, i)
            i += size or 0
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
        else:
            return found
    return found


def _varint(data: bytes, i: int) -> tuple[int | None, int]:
    value = shift = 0
    while i < len(data):
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i
        shift += 7
    return None, i
