"""`tf.strings`: string ops under TensorFlow's ``tf.strings`` names (re-exports only; engine/ops/string_ops.py
holds them)."""

from __future__ import annotations

from engine.ops.string_ngrams_ops import ngrams
from engine.ops.string_ops import (
    as_string,
    lower,
    reduce_join,
    regex_full_match,
    regex_replace,
    strip,
    substr,
    unsorted_segment_join,
    upper,
)
from engine.ops.string_ops import string_format as format  # noqa: A004 - TF's name
from engine.ops.string_ops import string_join as join
from engine.ops.string_ops import string_length as length
from engine.ops.string_ops import string_to_hash_bucket_fast as to_hash_bucket_fast
from engine.ops.string_ops import string_to_hash_bucket_strong as to_hash_bucket_strong
from engine.ops.string_ops import string_to_number as to_number
from engine.ops.string_split_ops import bytes_split
from engine.ops.string_split_ops import strings_split as split
from engine.ops.unicode_ops import (
    unicode_decode,
    unicode_decode_with_offsets,
    unicode_encode,
    unicode_split,
    unicode_split_with_offsets,
    unicode_transcode,
)
from engine.ops.unicode_script_ops import unicode_script

__all__ = [
    "as_string",
    "bytes_split",
    "format",
    "join",
    "length",
    "lower",
    "ngrams",
    "reduce_join",
    "regex_full_match",
    "regex_replace",
    "split",
    "strip",
    "substr",
    "to_hash_bucket_fast",
    "to_hash_bucket_strong",
    "to_number",
    "unicode_decode",
    "unicode_decode_with_offsets",
    "unicode_encode",
    "unicode_script",
    "unicode_split",
    "unicode_split_with_offsets",
    "unicode_transcode",
    "unsorted_segment_join",
    "upper",
]
