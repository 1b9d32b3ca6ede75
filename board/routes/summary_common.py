"""What the routes of the histograms, distributions, images, audio and text plugins share."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import Query
from fastapi.responses import Response

from board import encode
from board.data import summaries
from board.data.text import markdown_html
from board.errors import NotFound

RunParam = Annotated[str, Query(description="run name, as listed by /data/runs")]
TagParam = Annotated[str, Query(description="tag, as listed by the plugin's /tags route")]


def json_response(payload) -> Response:
    return Response(encode.dumps(payload), media_type="application/json")


def description_html(markdown: str) -> str:
    """A tag's description as TensorBoard sends it: Markdown rendered to safe HTML."""
    return markdown_html([markdown]) if markdown else ""


def tag_info(info, samples: bool = False) -> dict:
    out = {"displayName": info.display_name, "description": description_html(info.description)}
    if samples:
        out["samples"] = info.max_count
    return out


def read(entries, tag: str) -> list:
    """The summary values of `entries`; a file replaced since loading answers 404."""
    try:
        return summaries.read_values(entries, tag)
    except summaries.Stale as error:
        raise NotFound(f"{error}; the data will be re-read on the next reload") from None


def finite_list(array: np.ndarray) -> list:
    """`array.tolist()` with NaN and infinities as TensorBoard's strings."""
    rows = array.tolist()
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        return [[encode.non_finite(x) for x in row] for row in rows]
    return rows
