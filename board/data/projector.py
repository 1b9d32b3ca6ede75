"""The embedding projector's data, found as TensorBoard's projector plugin finds it.

A run has embeddings when its directory (or its ``plugins/org_tensorflow_tensorboard_projector/``
assets folder) holds a ``projector_config.pbtxt`` naming tensor files (``tensor_path``: TSV of
floats, one point per line, as tensorboardX / torch's ``add_embedding`` write them), or when the
run's directory or its parent holds a checkpoint: every 2-D variable of the latest one is an
embedding. The logdir itself counts as run "." even without event files, as in TensorBoard.

Paths in a config are read relative to the config's folder and must stay inside it (TensorBoard's
rule), so a config cannot make board read arbitrary files. Work is bounded: tensors above
MAX_TENSOR_BYTES and metadata files above MAX_METADATA_BYTES are refused, metadata answers at most
MAX_METADATA_ROWS rows.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from google.protobuf import text_format

from board.data.media import image_type
from board.errors import BadRequest, NotFound
from engine.framework.errors import OpError
from engine.proto.projector_config_pb2 import ProjectorConfig

PLUGIN_NAME = "projector"
CONFIG_FILENAME = "projector_config.pbtxt"
ASSETS_DIR = Path("plugins", "org_tensorflow_tensorboard_projector")

MAX_TENSOR_BYTES = 256 * 2**20  # a float32 tensor (or its TSV file) larger than this is refused
MAX_METADATA_BYTES = 64 * 2**20
MAX_METADATA_ROWS = 100_000  # TensorBoard's projector shows at most 100k points
MAX_SPRITE_BYTES = 64 * 2**20
TENSOR_CACHE_SIZE = 2  # TensorBoard keeps the last two tensors read
MAX_REMEMBERED_SHAPES = 10_000


class BadEmbedding(BadRequest):
    """An embedding whose files are missing, too large, outside the config folder or malformed."""


@dataclass
class RunEmbeddings:
    """One run's projector config, completed as TensorBoard completes it (checkpoint path, every
    2-D checkpoint variable, tensor shapes read from the TSV files)."""

    run: str
    config: ProjectorConfig
    config_path: Path  # where the config is (or would be): relative asset paths start at its folder
    checkpoint: str | None  # prefix of the checkpoint the variables come from


def run_directories(root: Path | None, run_names: list[str]) -> list[tuple[str, Path]]:
    """(run, directory) of each run, plus the logdir as "." (local logdirs only, as TensorBoard)."""
    if root is None:
        return []
    pairs = [(run, root if run == "." else root.joinpath(*run.split("/"))) for run in run_names]
    if "." not in run_names:
        pairs.append((".", root))
    return pairs


def _inside(folder: Path, relative: str) -> Path:
    """`relative` (or absolute) resolved against `folder`; BadEmbedding when it leaves `folder`."""
    base = os.path.realpath(folder)
    candidate = os.path.realpath(os.path.join(base, os.path.expanduser(relative)))
    try:
        inside = os.path.commonpath([base, candidate]) == base
    except ValueError:
        inside = False
    if not inside:
        raise BadEmbedding(f"asset path {relative!r} resolves outside the config directory")
    return Path(candidate)


def _latest_checkpoint(folder: Path) -> str | None:
    from engine.train.checkpoint_management import latest_checkpoint

    for candidate in (folder, folder.parent):
        try:
            found = latest_checkpoint(str(candidate))
        except (OSError, ValueError, OpError):  # an unreadable `checkpoint` file: none, as in TB
            found = None
        if found:
            return found
    return None


def _read_config(path: Path) -> ProjectorConfig:
    config = ProjectorConfig()
    if path.is_file():
        try:
            text_format.Parse(path.read_text("utf-8"), config)
        except (text_format.ParseError, UnicodeDecodeError, OSError):
            pass  # a broken config is left out of the listing rather than breaking every run
    return config


def _open_reader(prefix: str):
    from engine.train.checkpoint_reader import NewCheckpointReader

    try:
        return NewCheckpointReader(prefix)
    except (OSError, ValueError, OpError):  # being written or damaged: its variables are not offered
        return None


def read_tsv_tensor(path: Path, shape=()) -> np.ndarray:
    """A TSV file of floats as a float32 matrix (empty lines skipped); a file that is not UTF-8 is
    raw float32 of `shape`, as TensorBoard reads it."""
    size = path.stat().st_size
    if size > MAX_TENSOR_BYTES:
        raise BadEmbedding(f"tensor file {path.name!r} has {size} bytes, above the limit of "
                           f"{MAX_TENSOR_BYTES}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        if len(shape) != 2:
            raise BadEmbedding(f"tensor must be 2D, got shape {list(shape)}") from None
        if len(data) != 4 * shape[0] * shape[1]:
            raise BadEmbedding(f"tensor file {path.name!r} has {len(data)} bytes, "
                               f"not {list(shape)} float32") from None
        return np.frombuffer(data, dtype="<f4").reshape(shape)
    rows = [line.split("\t") for line in text.split("\n") if line.rstrip("\r")]
    if not rows:
        return np.zeros((0, 0), np.float32)
    if len({len(row) for row in rows}) != 1:
        raise BadEmbedding(f"tensor file {path.name!r}: rows have different numbers of values")
    try:
        return np.array(rows, dtype=np.float32)
    except ValueError as error:
        raise BadEmbedding(f"tensor file {path.name!r}: {error}") from None


def _embedding(config: ProjectorConfig, name: str):
    canonical = name if ":" in name else name + ":0"
    for info in config.embeddings:
        other = info.tensor_name if ":" in info.tensor_name else info.tensor_name + ":0"
        if other == canonical:
            return info
    return None


class ProjectorData:
    """The projector's view of a logdir, re-read on each `runs()` (config files and checkpoints
    change without new events), with the last tensors read kept in memory."""

    def __init__(self, provider):
        self._provider = provider
        self._lock = threading.Lock()
        self._tensors: OrderedDict = OrderedDict()  # (run, name, path, mtime) -> array
        self._shapes: dict[tuple, tuple] = {}  # (path, mtime, size) -> shape of a TSV tensor file

    def runs(self, only: str | None = None) -> dict[str, RunEmbeddings]:
        """{run: RunEmbeddings} of every run (or of run `only`) with at least one embedding."""
        out: dict[str, RunEmbeddings] = {}
        pairs = run_directories(self._provider.local_root(), self._provider.run_names())
        for run, folder in pairs:
            if only is not None and run != only:
                continue
            for config_path in (folder / CONFIG_FILENAME, folder / ASSETS_DIR / CONFIG_FILENAME):
                found = self._load(run, folder, config_path)
                if found is not None:
                    out[run] = found  # the assets folder's config wins, as it comes later in TB
        return out

    def _load(self, run: str, folder: Path, config_path: Path) -> RunEmbeddings | None:
        if config_path.parent != folder and not config_path.is_file():
            return None
        config = _read_config(config_path)
        has_files = False
        for info in config.embeddings:
            if info.tensor_path:
                # TensorBoard names only the first unnamed tensor file (the others cannot be
                # asked for); board names each after its file.
                if not info.tensor_name:
                    info.tensor_name = os.path.basename(info.tensor_path)
                has_files = True
        checkpoint = None
        if config.model_checkpoint_path:
            checkpoint = config.model_checkpoint_path
        else:
            checkpoint = _latest_checkpoint(folder)
            if checkpoint is None and not has_files:
                return None
            if checkpoint:
                config.model_checkpoint_path = checkpoint
        found = RunEmbeddings(run, config, config_path, checkpoint)
        self._complete(found)
        return found if config.embeddings else None

    def _complete(self, found: RunEmbeddings) -> None:
        config = found.config
        for info in list(config.embeddings):
            if info.tensor_name.endswith(":0"):
                info.tensor_name = info.tensor_name[:-2]
            if info.tensor_path and not info.tensor_shape:
                try:
                    shape = self._tsv_shape(found, info)
                except (BadRequest, OSError):
                    continue  # listed without a shape; /tensor explains what is wrong
                info.tensor_shape.extend(shape)
        reader = _open_reader(found.checkpoint) if found.checkpoint else None
        if reader is None:
            return
        template = None  # a first embedding without a name gives every variable its metadata
        if config.embeddings and not config.embeddings[0].tensor_name:
            template = config.embeddings[0]
            config.embeddings.remove(template)
        for name, shape in sorted(reader.get_variable_to_shape_map().items()):
            if len(shape) != 2 or ".OPTIMIZER_SLOT" in name:
                continue
            info = _embedding(config, name)
            if info is None:
                info = config.embeddings.add(tensor_name=name)
                if template is not None:
                    info.metadata_path = template.metadata_path
                    info.bookmarks_path = template.bookmarks_path
            if not info.tensor_shape:
                info.tensor_shape.extend(shape)

    def run(self, run: str) -> RunEmbeddings:
        found = self.runs(only=run).get(run)
        if found is None:
            raise NotFound(f"run {run!r} has no embeddings")
        return found

    def _tsv(self, found: RunEmbeddings, info) -> np.ndarray:
        path = _inside(found.config_path.parent, info.tensor_path)
        if not path.is_file():
            raise BadEmbedding(f"tensor file {info.tensor_path!r} does not exist")
        key = (found.run, info.tensor_name, str(path), path.stat().st_mtime_ns)
        with self._lock:
            if key in self._tensors:
                self._tensors.move_to_end(key)
                return self._tensors[key]
        tensor = read_tsv_tensor(path, tuple(info.tensor_shape))
        with self._lock:
            self._tensors[key] = tensor
            while len(self._tensors) > TENSOR_CACHE_SIZE:
                self._tensors.popitem(last=False)
        return tensor

    def _tsv_shape(self, found: RunEmbeddings, info) -> tuple:
        """The shape of a tensor file, remembered while the file is unchanged (every listing needs
        it; parsing the file each time would not scale)."""
        path = _inside(found.config_path.parent, info.tensor_path)
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in self._shapes:
            if len(self._shapes) >= MAX_REMEMBERED_SHAPES:  # entries of files since rewritten
                self._shapes.clear()
            tensor = self._tsv(found, info)
            self._shapes[key] = tuple(tensor.shape) if tensor.ndim == 2 else (0, 0)
        return self._shapes[key]

    def tensor(self, run: str, name: str) -> np.ndarray:
        """The embedding `name` of `run` as a float32 matrix (points x dimensions)."""
        found = self.run(run)
        info = _embedding(found.config, name)
        if info is not None and info.tensor_path:
            tensor = self._tsv(found, info)
        else:
            reader = _open_reader(found.checkpoint) if found.checkpoint else None
            if reader is None or not reader.has_tensor(name):
                raise NotFound(f"tensor {name!r} not found in checkpoint {found.checkpoint or ''!r}")
            shape = reader.get_variable_to_shape_map()[name]
            if len(shape) != 2:
                raise BadEmbedding(f"tensor {name!r} has shape {list(shape)}; embeddings are 2-D")
            if 4 * int(np.prod(shape)) > MAX_TENSOR_BYTES:
                raise BadEmbedding(f"tensor {name!r} of shape {list(shape)} is above the limit of "
                                   f"{MAX_TENSOR_BYTES} bytes")
            tensor = reader.get_tensor(name)
        return np.asarray(tensor, dtype=np.float32)

    def _asset(self, run: str, name: str, field: str, what: str) -> Path:
        found = self.run(run)
        info = _embedding(found.config, name)
        relative = info and (info.sprite.image_path if field == "sprite" else getattr(info, field))
        if not relative:
            raise NotFound(f"no {what} file for tensor {name!r} in the config of run {run!r}")
        path = _inside(found.config_path.parent, relative)
        if not path.is_file():
            raise NotFound(f"{what} file {relative!r} of tensor {name!r} does not exist or is a directory")
        return path

    def metadata(self, run: str, name: str, rows: int | None) -> str:
        """The metadata TSV of `name`: its header line (a first line with a tab) and at most `rows`
        (capped at MAX_METADATA_ROWS) more lines."""
        path = self._asset(run, name, "metadata_path", "metadata")
        limit = min(rows or MAX_METADATA_ROWS, MAX_METADATA_ROWS)
        lines: list[str] = []
        header = 0
        read = 0
        with open(path, encoding="utf-8", errors="replace", newline="") as file:
            for line in file:
                read += len(line)
                if read > MAX_METADATA_BYTES:
                    break
                lines.append(line)
                if len(lines) == 1 and "\t" in line:
                    header = 1
                if len(lines) >= limit + header:
                    break
        return "".join(lines)

    def sprite(self, run: str, name: str) -> tuple[bytes, str]:
        path = self._asset(run, name, "sprite", "sprite image")
        if path.stat().st_size > MAX_SPRITE_BYTES:
            raise BadEmbedding(f"sprite image of tensor {name!r} is above the limit of "
                               f"{MAX_SPRITE_BYTES} bytes")
        data = path.read_bytes()
        return data, image_type(data)


PCA_SAMPLE = 50_000  # the axes are fitted on at most this many points (seeded), as TensorBoard's
MAX_COVARIANCE_DIMS = 2_000  # up to here the axes come from the covariance (one GEMM); above, SVD


def pca(tensor: np.ndarray, components: int) -> tuple[np.ndarray, np.ndarray]:
    """The points projected on their first `components` principal axes (centred), and the
    fraction of the variance each axis explains (of the sample the axes were fitted on)."""
    points = np.asarray(tensor, dtype=np.float64)
    centred = points - points.mean(axis=0)
    k = min(components, *centred.shape)
    if k == 0:
        return np.zeros((len(points), components), np.float32), np.zeros(components)
    sample = centred
    if len(centred) > PCA_SAMPLE:
        sample = centred[np.random.default_rng(0).choice(len(centred), PCA_SAMPLE, replace=False)]
    if sample.shape[1] <= MAX_COVARIANCE_DIMS:
        variances, vectors = np.linalg.eigh(sample.T @ sample)  # ascending
        variances, axes = np.clip(variances[::-1], 0, None), vectors[:, ::-1].T
    else:
        _, singular, axes = np.linalg.svd(sample, full_matrices=False)
        variances = singular ** 2
    projected = centred @ axes[:k].T
    total = float(variances.sum())
    explained = variances[:k] / total if total > 0 else np.zeros(k)
    if k < components:  # fewer dimensions than asked: the missing axes are flat
        projected = np.pad(projected, ((0, 0), (0, components - k)))
        explained = np.pad(explained, (0, components - k))
    return projected.astype(np.float32), explained


def cosine_distances(tensor: np.ndarray, index: int) -> np.ndarray:
    """1 - cosine similarity of every row of `tensor` to row `index` (a zero row is at distance 1)."""
    points = np.asarray(tensor, dtype=np.float64)
    norms = np.linalg.norm(points, axis=1)
    norms[norms == 0] = 1.0
    unit = points / norms[:, None]
    return 1.0 - unit @ unit[index]
