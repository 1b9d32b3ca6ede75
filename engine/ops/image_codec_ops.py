"""Image codecs: ``tf.io.decode_png`` / `decode_jpeg` / `decode_image` / `encode_png` / `encode_jpeg`
(also under ``tf.image``), ops `DecodePng`, `DecodeJpeg`, `DecodeImage`, `EncodePng`, `EncodeJpeg`.

Pillow does the coding.  Decoding is TF's: every decode op reads any of PNG, JPEG, GIF, BMP (as TF's
kernels do), `channels` 0 keeps the file's, 1 gives gray (from RGB by libpng's rounding of
0.299 R + 0.587 G + 0.114 B for PNG, libjpeg's own luma for JPEG), 3 RGB, 4 RGBA (alpha 255 added).
PNG pixels are bit for bit TF's.  Deviation: JPEG decodes as TF's `dct_method="INTEGER_ACCURATE"`
(libjpeg's slow integer DCT, bit for bit TF's for that method); TF's default ("", i.e. INTEGER_FAST)
can differ by a few levels per pixel.  Pillow reads 16-bit color PNGs at 8 bits (decoded with
`dtype=tf.uint16` they come back scaled, x 257) and writes 16-bit PNGs with one channel only.  Encoded
bytes are Pillow's: they decode to the same pixels in TF, but differ from TF's bytes (zlib / JPEG
settings).
"""

from __future__ import annotations

import io

import numpy as np

from engine.framework import dtypes as _dtypes
from engine.framework import errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.ops.op_util import make_tensor

__all__ = ["decode_image", "decode_jpeg", "decode_png", "encode_jpeg", "encode_png"]

_UNKNOWN_FORMAT = "Unknown image file format. One of JPEG, JPEG XL, PNG, GIF, BMP, WebP required."


def _bytes(value):
    value = value[()] if isinstance(value, np.ndarray) else value
    return value if isinstance(value, bytes) else bytes(value)


def _open(data):
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise errors.InvalidArgumentError(None, None, _UNKNOWN_FORMAT) from None
    if image.format not in ("PNG", "JPEG", "GIF", "BMP", "WEBP"):
        raise errors.InvalidArgumentError(None, None, _UNKNOWN_FORMAT)
    return image


def _png_gray(rgb):
    """libpng's png_set_rgb_to_gray(0.299, 0.587) as TF's PNG decoder asks it: 15-bit weights, rounded."""
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    return ((9798 * r + 19235 * g + 3735 * b + 16384) >> 15).astype(rgb.dtype)


def _pixels(image, channels, dtype):
    """One frame as an [h, w, c] array of `dtype` (uint8, or uint16 for 16-bit PNGs when asked)."""
    if image.format == "JPEG":
        if channels == 1:
            image.draft("L", image.size)  # libjpeg computes the luma itself, as TF's decoder asks it to
        elif image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
    wide = image.mode in ("I;16", "I;16B", "I") and image.format == "PNG"
    if wide:
        array = np.asarray(image).astype(np.uint16)[..., None]
    else:
        if image.mode not in ("L", "LA", "RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
        array = np.asarray(image)
        if array.ndim == 2:
            array = array[..., None]
    if dtype == np.uint16 and not wide:
        array = array.astype(np.uint16) * 257  # TF scales 8-bit samples to the 16-bit range
    elif dtype == np.uint8 and wide:
        array = (array >> 8).astype(np.uint8)
    return _with_channels(array, channels)


def _with_channels(array, channels):
    have = array.shape[-1]
    if not channels or channels == have:
        return np.ascontiguousarray(array)
    color, alpha = array[..., : 3 if have >= 3 else 1], array[..., 3:] if have in (2, 4) else None
    if have == 2:
        color, alpha = array[..., :1], array[..., 1:]
    if channels == 1:
        return color if color.shape[-1] == 1 else _png_gray(color)[..., None]
    rgb = np.repeat(color, 3, axis=-1) if color.shape[-1] == 1 else color
    if channels == 3:
        return np.ascontiguousarray(rgb)
    opaque = np.full(rgb.shape[:-1] + (1,), np.iinfo(rgb.dtype).max, rgb.dtype)
    return np.concatenate([rgb, alpha if alpha is not None else opaque], axis=-1)


def _decode(data, channels, dtype, all_frames, any_gif):
    """The image's pixels; a GIF's frames stacked when `all_frames`, else its first, which only
    DecodeImage (`any_gif`) takes from an animated GIF, as TF's kernels."""
    from PIL import ImageSequence

    image = _open(_bytes(data))
    if image.format == "GIF":
        frames = [_pixels(f.convert("RGB"), channels or 3, dtype) for f in ImageSequence.Iterator(image)]
        if len(frames) > 1 and not any_gif:
            raise errors.InvalidArgumentError(
                None, None, f"Got {len(frames)} frames, but animated gifs can only be decoded by "
                "tf.io.decode_gif or tf.io.decode_image")
        return np.stack(frames) if all_frames else frames[0]
    return _pixels(image, channels, dtype)


def _check_channels(channels, allowed=(0, 1, 3, 4)):
    if channels not in allowed:
        raise ValueError(f"channels must be one of {list(allowed)}, got {channels}")


def _compile_decode(all_frames):
    def compile_decode(op, runtime):
        channels = int(op._get_attr_or("channels", 0))
        dtype = op.outputs[0].dtype.base_dtype.as_numpy_dtype
        expand = all_frames and bool(op._get_attr_or("expand_animations", True))
        return lambda contents: _decode(contents, channels, dtype, expand, all_frames)

    return compile_decode


def _infer_decode(op):
    channels = int(op._get_attr_or("channels", 0)) or None
    dtype = op.get_attr("dtype") if op.type in ("DecodePng", "DecodeImage") else _dtypes.uint8
    if op.type == "DecodeImage" and op._get_attr_or("expand_animations", True):
        return [(dtype, _ts.unknown_shape())]
    return [(dtype, _ts.TensorShape([None, None, channels]))]


_DECODE_ATTRS = {"channels": 0}
registry.register_op("DecodePng", infer=_infer_decode, compile=_compile_decode(False),
                     attrs={**_DECODE_ATTRS, "dtype": _dtypes.uint8}, inputs=("contents",))
registry.register_op("DecodeJpeg", infer=_infer_decode, compile=_compile_decode(False),
                     inputs=("contents",), attrs={
                         **_DECODE_ATTRS, "ratio": 1, "fancy_upscaling": True, "try_recover_truncated": False,
                         "acceptable_fraction": 1.0, "dct_method": ""})
registry.register_op("DecodeImage", infer=_infer_decode, compile=_compile_decode(True),
                     attrs={**_DECODE_ATTRS, "dtype": _dtypes.uint8, "expand_animations": True},
                     inputs=("contents",))


def decode_png(contents, channels=0, dtype=_dtypes.uint8, name=None):
    """An [h, w, channels] uint8 (or uint16) image from PNG (or any supported format's) bytes."""
    _check_channels(channels)
    contents = ops.convert_to_tensor(contents, dtype=_dtypes.string)
    return make_tensor("DecodePng", [contents], name=name or "DecodePng",
                       attrs={"channels": int(channels), "dtype": _dtypes.as_dtype(dtype)})


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                acceptable_fraction=1, dct_method="", name=None):
    """An [h, w, channels] uint8 image from JPEG bytes (module docstring: the DCT method)."""
    _check_channels(channels, (0, 1, 3))
    if ratio != 1:
        raise ValueError(f"decode_jpeg: ratio {ratio} (downscaled decoding) is not supported by this engine; "
                         "decode at full size and resize")
    contents = ops.convert_to_tensor(contents, dtype=_dtypes.string)
    return make_tensor("DecodeJpeg", [contents], name=name or "DecodeJpeg", attrs={
        "channels": int(channels), "ratio": 1, "fancy_upscaling": bool(fancy_upscaling),
        "try_recover_truncated": bool(try_recover_truncated),
        "acceptable_fraction": float(acceptable_fraction), "dct_method": dct_method})


def decode_image(contents, channels=None, dtype=_dtypes.uint8, name=None, expand_animations=True):
    """An image from PNG, JPEG, GIF or BMP bytes: [h, w, c], or [frames, h, w, 3] for a GIF when
    `expand_animations`.  A float `dtype` scales to [0, 1] as `tf.image.convert_image_dtype`."""
    channels = channels or 0
    _check_channels(channels)
    dtype = _dtypes.as_dtype(dtype)
    with ops.name_scope(name, "decode_image"):
        contents = ops.convert_to_tensor(contents, dtype=_dtypes.string)
        raw = _dtypes.uint16 if dtype == _dtypes.uint16 else _dtypes.uint8
        image = make_tensor("DecodeImage", [contents], name="DecodeImage", attrs={
            "channels": int(channels), "dtype": raw, "expand_animations": bool(expand_animations)})
        if dtype in (_dtypes.uint8, _dtypes.uint16):
            return image
        from engine.ops import array_ops

        scale = 1.0 / np.iinfo(raw.as_numpy_dtype).max
        return array_ops.cast(image, dtype) * ops.convert_to_tensor(scale, dtype=dtype)


def _image_array(image, op_type):
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] not in (1, 2, 3, 4):
        raise errors.InvalidArgumentError(
            None, None, f"{op_type}: image must be 3-dimensional with 1 to 4 channels, got shape "
            f"{list(image.shape)}")
    return image


def _compile_encode_png(op, runtime):
    level = int(op._get_attr_or("compression", -1))

    def kernel(image):
        from PIL import Image

        image = _image_array(image, "EncodePng")
        channels = image.shape[-1]
        if image.dtype == np.uint16:
            if channels != 1:
                raise errors.InvalidArgumentError(
                    None, None, "EncodePng: this engine encodes 16-bit PNGs with one channel only")
            picture = Image.fromarray(np.ascontiguousarray(image[..., 0]))  # Pillow's "I;16"
        else:
            mode = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[channels]
            picture = Image.fromarray(image[..., 0] if channels == 1 else image, mode=mode)
        out = io.BytesIO()
        picture.save(out, format="PNG", compress_level=6 if level < 0 else level)
        return out.getvalue()

    return kernel


def _compile_encode_jpeg(op, runtime):
    quality = int(op._get_attr_or("quality", 95))
    progressive = bool(op._get_attr_or("progressive", False))
    optimize = bool(op._get_attr_or("optimize_size", False))
    subsampling = 2 if op._get_attr_or("chroma_downsampling", True) else 0
    dpi = (int(op._get_attr_or("x_density", 300)), int(op._get_attr_or("y_density", 300)))

    def kernel(image):
        from PIL import Image

        image = _image_array(image, "EncodeJpeg")
        if image.shape[-1] not in (1, 3):
            raise errors.InvalidArgumentError(
                None, None, f"image must have 1 or 3 channels, got {list(image.shape)}")
        picture = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=quality, progressive=progressive, optimize=optimize,
                     subsampling=subsampling, dpi=dpi)
        return out.getvalue()

    return kernel


_SCALAR_STRING = [(_dtypes.string, _ts.TensorShape([]))]
registry.register_op("EncodePng", infer=lambda op: _SCALAR_STRING, compile=_compile_encode_png,
                     attrs={"compression": -1}, inputs=("image: T",), allowed={"T": ("uint8", "uint16")})
registry.register_op("EncodeJpeg", infer=lambda op: _SCALAR_STRING, compile=_compile_encode_jpeg,
                     inputs=("image",), attrs={
                         "format": "", "quality": 95, "progressive": False, "optimize_size": False,
                         "chroma_downsampling": True, "density_unit": "in", "x_density": 300,
                         "y_density": 300, "xmp_metadata": ""})


def encode_png(image, compression=-1, name=None):
    """PNG bytes (a string scalar) of an [h, w, c] uint8 or uint16 image."""
    image = ops.convert_to_tensor(image, name="image")
    return make_tensor("EncodePng", [image], name=name or "EncodePng",
                       attrs={"compression": int(compression), "T": image.dtype.base_dtype})


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False,  # noqa: A002 - TF's
                chroma_downsampling=True, density_unit="in", x_density=300, y_density=300, xmp_metadata="",
                name=None):
    """JPEG bytes (a string scalar) of an [h, w, 1 or 3] uint8 image."""
    image = ops.convert_to_tensor(image, dtype=_dtypes.uint8, name="image")
    return make_tensor("EncodeJpeg", [image], name=name or "EncodeJpeg", attrs={
        "format": format, "quality": int(quality), "progressive": bool(progressive),
        "optimize_size": bool(optimize_size), "chroma_downsampling": bool(chroma_downsampling),
        "density_unit": density_unit, "x_density": int(x_density), "y_density": int(y_density),
        "xmp_metadata": xmp_metadata})
