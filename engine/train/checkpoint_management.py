"""The `checkpoint` state file and helpers around checkpoint prefixes (TF's checkpoint_management).

The state file is a text-format `CheckpointState` beside the checkpoints, e.g.

    model_checkpoint_path: "model.ckpt-20"
    all_model_checkpoint_paths: "model.ckpt-10"
    all_model_checkpoint_paths: "model.ckpt-20"

As in TensorFlow, paths are stored relative to the state file's directory when that directory was
given as a relative path (or when `save_relative_paths` is set), and `get_checkpoint_state` joins
relative paths back onto the directory it was asked about. The file is replaced atomically
(written to a temporary name, then renamed).

Every function here also takes URLs (``s3://bucket/ckpt``, ``memory://...``: engine/gfile.py's fsspec
layer). Object stores have no rename; there each file is put in one PUT, which replaces the object at
once, so the state file is still read old or new, never half written.
"""

from __future__ import annotations

import glob
import logging
import os
import uuid

from google.protobuf import text_format

from engine import gfile
from engine.proto import checkpoint_state_pb2, saver_pb2
from engine.train.checkpoint_bundle import index_filename

CheckpointState = checkpoint_state_pb2.CheckpointState
_logger = logging.getLogger(__name__)


def _state_filename(save_dir: str, latest_filename: str | None) -> str:
    return os.path.join(save_dir, latest_filename or "checkpoint")


def _isabs(path: str) -> bool:
    """An absolute local path or a URL: stored as is in the state file, not joined onto its folder."""
    return os.path.isabs(path) or gfile.is_remote_path(path)


def _glob(pattern: str) -> list[str]:
    """The paths matching `pattern`, local or a URL (glob metacharacters in the prefix are escaped)."""
    if gfile.is_remote_path(pattern):
        return gfile.Glob(pattern)
    return glob.glob(pattern)


def atomic_write(path: str, data: bytes) -> None:
    """Writes `data` to `path` through a temporary file and a rename: readers see old or new, never half.

    Temporary files that an earlier write of `path` left behind when its process was killed are removed.
    A URL is put in one PUT instead, which object stores apply whole.
    """
    if gfile.is_remote_path(path):
        gfile.put_object(path, data)
        return
    for orphan in glob.glob(glob.escape(path) + ".tmp" + "[0-9a-f]" * 32):
        try:
            os.remove(orphan)
        except FileNotFoundError:
            pass
    temp = f"{path}.tmp{uuid.uuid4().hex}"
    try:
        with open(temp, "wb") as f:
            f.write(data)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def generate_checkpoint_state_proto(
    save_dir,
    model_checkpoint_path,
    all_model_checkpoint_paths=None,
    all_model_checkpoint_timestamps=None,
    last_preserved_timestamp=None,
):
    """A `CheckpointState`; the newest path is appended to `all_model_checkpoint_paths` if missing."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    if all_model_checkpoint_timestamps and len(all_model_checkpoint_timestamps) != len(paths):
        raise ValueError(
            f"Checkpoint timestamps, if provided, must match checkpoint paths "
            f"({len(all_model_checkpoint_timestamps)} vs {len(paths)})"
        )
    if gfile.is_remote_path(save_dir):
        # A URL folder's checkpoints are named relative to it, as TF writes them (a checkpoint
        # folder can then be copied to another bucket or to disk and still be found).
        model_checkpoint_path = _relative_to_url(model_checkpoint_path, save_dir)
        paths = [_relative_to_url(p, save_dir) for p in paths]
    elif not os.path.isabs(save_dir):
        # Relative to the directory the state file lives in, which is how readers resolve them.
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir)
        paths = [p if os.path.isabs(p) else os.path.relpath(p, save_dir) for p in paths]
    state = CheckpointState(model_checkpoint_path=model_checkpoint_path, all_model_checkpoint_paths=paths)
    if all_model_checkpoint_timestamps:
        state.all_model_checkpoint_timestamps.extend(all_model_checkpoint_timestamps)
    if last_preserved_timestamp:
        state.last_preserved_timestamp = last_preserved_timestamp
    return state


def update_checkpoint_state(
    save_dir,
    model_checkpoint_path,
    all_model_checkpoint_paths=None,
    latest_filename=None,
    all_model_checkpoint_timestamps=None,
    last_preserved_timestamp=None,
    save_relative_paths=False,
):
    """Rewrites `save_dir/checkpoint` (or `latest_filename`) to name `model_checkpoint_path` as newest."""
    paths = list(all_model_checkpoint_paths or [])
    if save_relative_paths:
        model_checkpoint_path = _relative_to(model_checkpoint_path, save_dir)
        paths = [_relative_to(p, save_dir) for p in paths]
    state = generate_checkpoint_state_proto(
        save_dir,
        model_checkpoint_path,
        all_model_checkpoint_paths=paths,
        all_model_checkpoint_timestamps=all_model_checkpoint_timestamps,
        last_preserved_timestamp=last_preserved_timestamp,
    )
    state_file = _state_filename(save_dir, latest_filename)
    if state_file == state.model_checkpoint_path:
        raise RuntimeError(
            f"Save path '{model_checkpoint_path}' conflicts with path used for checkpoint state.  "
            "Please use a different save path."
        )
    atomic_write(state_file, text_format.MessageToString(state).encode("utf-8"))


def _relative_to(path: str, directory: str) -> str:
    if gfile.is_remote_path(directory):
        return _relative_to_url(path, directory)
    return os.path.relpath(path, directory or ".") if os.path.isabs(path) else path


def _relative_to_url(path: str, url: str) -> str:
    """`path` relative to the URL folder `url` when it lies in it (else as given)."""
    folder = url.rstrip("/") + "/"
    return path[len(folder):] if path.startswith(folder) else path


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The `CheckpointState` in `checkpoint_dir`, paths joined onto `checkpoint_dir`; None if absent
    or unreadable (TF logs a warning and returns None too)."""
    state_file = _state_filename(checkpoint_dir, latest_filename)
    try:
        text = gfile.read_bytes(state_file).decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        _logger.warning("%s: Checkpoint ignored", exc)
        return None
    state = CheckpointState()
    try:
        text_format.Merge(text, state)
    except text_format.ParseError as exc:
        _logger.warning("%s: %s", type(exc).__name__, exc)
        _logger.warning("%s: Checkpoint ignored", state_file)
        return None
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir}")
    if not _isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    for i, path in enumerate(state.all_model_checkpoint_paths):
        if not _isabs(path):
            state.all_model_checkpoint_paths[i] = os.path.join(checkpoint_dir, path)
    return state


def checkpoint_exists(checkpoint_prefix) -> bool:
    """Whether a V2 checkpoint (its `.index`) or a V1 checkpoint file matches `checkpoint_prefix`."""
    prefix = os.fspath(checkpoint_prefix)
    return bool(_glob(index_filename(prefix)) or _glob(prefix))


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The newest checkpoint prefix named by `checkpoint_dir`'s state file, or None if there is none
    or its files are gone."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not state.model_checkpoint_path:
        return None
    if checkpoint_exists(state.model_checkpoint_path):
        return state.model_checkpoint_path
    _logger.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None


def get_checkpoint_mtimes(checkpoint_prefixes) -> list[float]:
    """Modification times of the checkpoints that exist among `checkpoint_prefixes` (their `.index`)."""
    times = []
    for prefix in checkpoint_prefixes:
        for path in _glob(index_filename(os.fspath(prefix))) or _glob(os.fspath(prefix)):
            remote = gfile.is_remote_path(path)
            times.append(gfile.Stat(path).mtime_nsec / 1e9 if remote else os.path.getmtime(path))
            break
    return times


def meta_graph_filename(checkpoint_filename, meta_graph_suffix="meta"):
    """`model.ckpt-123` -> `model.ckpt-123.meta` (a sharded `-?????-of-NNNNN` suffix is dropped)."""
    basename = checkpoint_filename
    if "-?????-of-" in basename:
        basename = basename[: basename.index("-?????-of-")]
    return f"{basename}.{meta_graph_suffix}"


def remove_checkpoint(
    checkpoint_prefix, checkpoint_format_version=saver_pb2.SaverDef.V2, meta_graph_suffix="meta"
):
    """Deletes a checkpoint's files (index, data shards, meta graph); missing files are ignored."""
    paths = [meta_graph_filename(checkpoint_prefix, meta_graph_suffix)]
    if checkpoint_format_version == saver_pb2.SaverDef.V2:
        paths.append(index_filename(checkpoint_prefix))
        paths.extend(_glob(glob.escape(checkpoint_prefix) + ".data-?????-of-?????"))
    else:
        paths.append(checkpoint_prefix)
    for path in paths:
        if gfile.is_remote_path(path):
            if gfile.Exists(path):
                gfile.Remove(path)
            continue
        try:
            os.remove(path)
        except FileNotFoundError:
            pass

