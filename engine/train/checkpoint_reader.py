"""Reading checkpoints without a graph: `tf.train.load_checkpoint`, `NewCheckpointReader`,
`list_variables` (TF's `checkpoint_utils` and `py_checkpoint_reader`)."""

from __future__ import annotations

import os

from engine import gfile
from engine.framework.errors import NotFoundError
from engine.train import checkpoint_management
from engine.train.checkpoint_bundle import BundleReader


class CheckpointReader:
    """A V2 checkpoint opened for reading (TF's `CheckpointReader`)."""

    def __init__(self, prefix: str):
        self._bundle = BundleReader(os.fspath(prefix))

    @property
    def prefix(self) -> str:
        return self._bundle.prefix

    def has_tensor(self, name: str) -> bool:
        return self._bundle.has_tensor(name)

    def get_tensor(self, name: str):
        """The stored value as a numpy array (checked against its crc32c)."""
        return self._bundle.read(name)

    def get_variable_to_shape_map(self) -> dict:
        return {name: self._bundle.shape(name) for name in self._bundle.keys()}

    def get_variable_to_dtype_map(self) -> dict:
        return {name: self._bundle.dtype(name) for name in self._bundle.keys()}

    def debug_string(self) -> bytes:
        bundle = self._bundle
        lines = [f"{name} ({bundle.dtype(name).name}) {bundle.shape(name)}\n" for name in bundle.keys()]
        return "".join(lines).encode("utf-8")


def NewCheckpointReader(filepattern):  # noqa: N802 - TF's public name
    """Opens the checkpoint with prefix `filepattern`; NotFoundError if there is none."""
    return CheckpointReader(filepattern)


def _resolve(ckpt_dir_or_file) -> str:
    path = os.fspath(ckpt_dir_or_file)
    if gfile.IsDirectory(path):
        latest = checkpoint_management.latest_checkpoint(path)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory {path}")
        return latest
    return path


def load_checkpoint(ckpt_dir_or_file) -> CheckpointReader:
    """A reader for a checkpoint prefix, or for the newest checkpoint of a directory."""
    prefix = _resolve(ckpt_dir_or_file)
    if not checkpoint_management.checkpoint_exists(prefix):
        raise NotFoundError(
            None,
            None,
            f"Unsuccessful TensorSliceReader constructor: Failed to find any matching files for {prefix}",
        )
    return CheckpointReader(prefix)


def load_variable(ckpt_dir_or_file, name):
    """The value of one tensor in a checkpoint (a trailing `:0` is ignored, as in TF)."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def list_variables(ckpt_dir_or_file) -> list[tuple[str, list[int]]]:
    """Sorted `(name, shape)` pairs of every tensor in the checkpoint."""
    reader = load_checkpoint(ckpt_dir_or_file)
    shapes = reader.get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]
