"""TensorBoard's images and audio routes, and the individual image / clip behind each entry.

The metadata routes answer every step (TensorBoard keeps 10 per tag). Each entry's `query` is
what ``individualImage`` / ``individualAudio`` take: an opaque ``blob_key`` naming the run, tag,
event (by its index and step) and sample. The bytes are read from the event file on request and
sent with their Content-Type and an ETag (a hash of the bytes): a browser asking again with
If-None-Match gets 304.
"""

from __future__ import annotations

import hashlib
from typing import Annotated
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from board.data import media
from board.data.summaries import AUDIO, IMAGES
from board.errors import BadRequest, NotFound
from board.routes.summary_common import RunParam, TagParam, json_response, read, tag_info

router = APIRouter(tags=["images and audio"])

SampleParam = Annotated[int, Query(ge=0, description="which image/clip of each step (0 = first)")]
BlobKeyParam = Annotated[str, Query(description="from the `query` of an /images or /audio entry")]
AUDIO_TYPES = ("audio/wav", media.DEFAULT_TYPE)  # what TensorBoard serves clips as


def blob_key(run: str, tag: str, index: int, step: int, sample: int) -> str:
    return orjson.dumps([run, tag, index, step, sample]).decode()


def _parse_blob_key(key: str) -> tuple[str, str, int, int, int]:
    try:
        run, tag, index, step, sample = orjson.loads(key)
        if not (isinstance(run, str) and isinstance(tag, str)
                and all(isinstance(n, int) and n >= 0 for n in (index, sample))
                and isinstance(step, int)):
            raise ValueError
    except (ValueError, TypeError):
        raise BadRequest(f"parameter 'blob_key' is not a key from /images or /audio: {key!r}") from None
    return run, tag, index, step, sample


def _blob(request: Request, plugin: str, key: str) -> tuple[bytes, object]:
    """The bytes of the image or clip a blob key names, and its tag's description."""
    run, tag, index, step, sample = _parse_blob_key(key)
    info, entries = request.app.state.provider.summary_entries(run, tag, plugin)
    if index >= len(entries) or entries[index].step != step:
        raise NotFound(f"run {run!r} tag {tag!r} has no event {index} at step {step} (any more)")
    (value,) = read([entries[index]], tag)
    items = media.images(value) if plugin == IMAGES else [data for data, _ in media.clips(value)]
    if sample >= len(items):
        raise NotFound(f"run {run!r} tag {tag!r} step {step} has no sample {sample}")
    return items[sample], info


def _bytes_response(request: Request, data: bytes, content_type: str) -> Response:
    etag = '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}  # revalidate: a reload may purge steps
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=content_type, headers=headers)


def _audio_type(info) -> str:
    return media.audio_type(info.plugin_content, from_tf1=not info.plugin_content)


# -- images -------------------------------------------------------------------------------

def _tags(request: Request, plugin: str) -> Response:
    index = request.app.state.provider.summary_tags(plugin)
    return json_response({run: {tag: tag_info(info, samples=True) for tag, info in tags.items()}
                          for run, tags in index.items()})


@router.get("/data/plugin/images/tags", summary="Image tags of every run")
def image_tags(request: Request) -> Response:
    """`{run: {tag: {"displayName", "description", "samples"}}}`; `samples` is the most images
    one step of the tag holds."""
    return _tags(request, IMAGES)


@router.get("/data/plugin/images/images", summary="The images of one (run, tag, sample)")
def images_route(request: Request, run: RunParam, tag: TagParam, sample: SampleParam = 0) -> Response:
    """`[{"wall_time", "step", "query"}]` for every step with more than `sample` images;
    `query` is the query string of /data/plugin/images/individualImage for that image."""
    _, entries = request.app.state.provider.summary_entries(run, tag, IMAGES)
    return json_response([
        {"wall_time": e.wall_time, "step": e.step,
         "query": urlencode({"blob_key": blob_key(run, tag, i, e.step, sample)})}
        for i, e in enumerate(entries) if e.count > sample])


@router.get("/data/plugin/images/individualImage", summary="One image's bytes")
def individual_image(request: Request, blob_key: BlobKeyParam) -> Response:
    data, _ = _blob(request, IMAGES, blob_key)
    return _bytes_response(request, data, media.image_type(data))


# -- audio --------------------------------------------------------------------------------

@router.get("/data/plugin/audio/tags", summary="Audio tags of every run")
def audio_tags(request: Request) -> Response:
    """`{run: {tag: {"displayName", "description", "samples"}}}`; `samples` is the most clips
    one step of the tag holds."""
    return _tags(request, AUDIO)


@router.get("/data/plugin/audio/audio", summary="The clips of one (run, tag, sample)")
def audio_route(request: Request, run: RunParam, tag: TagParam, sample: SampleParam = 0) -> Response:
    """`[{"wall_time", "label", "step", "contentType", "query"}]` for every step with more than
    `sample` clips; `query` is the query string of /data/plugin/audio/individualAudio. `label`
    is the clip's label (TensorBoard always sends "")."""
    info, entries = request.app.state.provider.summary_entries(run, tag, AUDIO)
    content_type = _audio_type(info)
    kept = [(i, e) for i, e in enumerate(entries) if e.count > sample]
    labels = [""] * len(kept)
    if info.plugin_content:  # labels exist only in audio tensors (Summary.Audio has none)
        values = read([e for _, e in kept], tag)
        labels = [clips[sample][1] if sample < len(clips) else ""
                  for clips in map(media.clips, values)]
    return json_response([
        {"wall_time": e.wall_time, "label": label, "step": e.step, "contentType": content_type,
         "query": urlencode({"blob_key": blob_key(run, tag, i, e.step, sample),
                             "content_type": content_type})}
        for (i, e), label in zip(kept, labels, strict=True)])


@router.get("/data/plugin/audio/individualAudio", summary="One clip's bytes")
def individual_audio(request: Request, blob_key: BlobKeyParam,
                     content_type: Annotated[str, Query(
                         description="audio/wav or application/octet-stream")] = "audio/wav") -> Response:
    if content_type not in AUDIO_TYPES:
        raise BadRequest(f"parameter 'content_type' must be one of {', '.join(AUDIO_TYPES)}, "
                         f"not {content_type!r}")
    data, _ = _blob(request, AUDIO, blob_key)
    return _bytes_response(request, data, content_type)
