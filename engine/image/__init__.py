"""``tf.image``: the image codecs (re-exports only; engine/ops/image_ops.py)."""

from engine.ops.image_ops import decode_image, decode_jpeg, decode_png, encode_jpeg, encode_png

__all__ = ["decode_image", "decode_jpeg", "decode_png", "encode_jpeg", "encode_png"]
