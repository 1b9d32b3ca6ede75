"""Where a logdir's bytes come from: a local folder, object storage through fsspec, or several.

The loader (board/data/loader.py) asks a store four things: which event files are in which run (one
discovery per pass, as (run, files) pairs, which a local walk yields as it goes; none while the
logdir is missing), how big a file is now, its first bytes
(sniffing), and its bytes from an offset on (incremental reading). Three stores answer them:

* `LocalStore`: a folder on disk, read by ``open``/``readinto`` as before (the fast path of
  bench/load_logdir.py; nothing of fsspec is imported for it);
* `RemoteStore`: any fsspec URL (``s3://``, ``gs://``, ``az://``/``abfs://``, ``hdfs://``,
  ``http(s)://``, ``memory://``). Discovery is ONE recursive listing per pass (``fs.find`` with
  details), which also gives every file's size, so a pass costs one listing plus ranged GETs of
  the new bytes of each file that grew (16 MB each). Credentials come from wherever the backend
  looks (environment, profiles, instance metadata); nothing here takes or prints them;
* `SpecStore`: TensorBoard's ``--logdir_spec name1:path1,name2:path2``, several stores whose runs
  are prefixed by their name.

A file is named by a key the store made in discovery (a `Path` locally, a string remotely, a
`SpecKey` in a spec); the loader only hands keys back.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from board.data.discovery import is_event_file, walk_runs
from board.data.sniff import PROBE_BYTES, Verdict, sniff, sniff_bytes
from tfformat.records import HEADER_SIZE

OnError = Callable[[OSError], None]

# the extra of pyproject.toml that installs each protocol's fsspec backend
_EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "az": "azure", "abfs": "azure",
           "abfss": "azure", "adl": "azure", "hdfs": "hdfs", "http": "http", "https": "http"}
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


class LogdirError(Exception):
    """The logdir cannot be used at all (a missing backend, a malformed spec): one line for the user."""


class Reader(Protocol):
    def read_at(self, offset: int, into: memoryview) -> int: ...
    def close(self) -> None: ...


class Store(Protocol):
    """What the loader needs of a logdir (see the module docstring)."""

    def describe(self) -> str: ...
    def discover(self, on_error: OnError) -> Iterable[tuple[str, list]]: ...
    def size(self, key) -> int: ...
    def exists(self, key) -> bool: ...
    def sniff(self, key) -> Verdict: ...
    def open(self, key) -> Reader: ...


def is_url(text: str) -> bool:
    return bool(_URL.match(text))


def open_logdir(text: str | os.PathLike) -> Store:
    """The store for a ``--logdir`` value: a URL goes through fsspec, anything else is a local path."""
    if isinstance(text, str) and is_url(text) and not text.startswith("file://"):
        return RemoteStore(text)
    if isinstance(text, str) and text.startswith("file://"):
        text = text[len("file://"):]
    return LocalStore(Path(text).expanduser())


# -- local disk ------------------------------------------------------------------------------


class _FileReader:
    def __init__(self, path: Path):
        # read-only (board never writes into the logdir); closed by close(), as the remote readers are
        self._handle = open(path, "rb")  # noqa: SIM115

    def read_at(self, offset: int, into: memoryview) -> int:
        self._handle.seek(offset)
        return self._handle.readinto(into) or 0

    def close(self) -> None:
        self._handle.close()


class LocalStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def discover(self, on_error: OnError) -> Iterator[tuple[str, list[Path]]]:
        return walk_runs(self.root, on_error) if self.root.is_dir() else iter(())

    def size(self, key: Path) -> int:
        return key.stat().st_size

    def exists(self, key: Path) -> bool:
        return key.exists()

    def sniff(self, key: Path) -> Verdict:
        return sniff(key)

    def open(self, key: Path) -> Reader:
        return _FileReader(key)


# -- fsspec ------------------------------------------------------------------------------------


def _filesystem(url: str):
    """(fsspec filesystem, path inside it) for `url`; a missing backend is one LogdirError line."""
    try:
        import fsspec.core
    except ImportError:
        raise LogdirError(f"reading {url.split('://')[0]}:// logdirs needs fsspec: "
                          "pip install 'engine-board[s3]' (or [gcs], [azure])") from None
    protocol = url.split("://", 1)[0].lower()
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError:
        extra = _EXTRAS.get(protocol)
        hint = f"pip install 'engine-board[{extra}]'" if extra else "install its fsspec backend"
        raise LogdirError(f"no backend for {protocol}:// logdirs is installed: {hint}") from None
    except ValueError as error:  # fsspec: "Protocol not known"
        raise LogdirError(f"cannot read {protocol}:// logdirs: {error}") from None


@contextlib.contextmanager
def _as_os_errors() -> Iterator[None]:
    """Backends raise their own errors for what is an I/O failure to the loader (botocore's
    NoCredentialsError, google-auth's DefaultCredentialsError, azure's ClientAuthenticationError):
    they become OSError naming the original, so the loader warns and retries instead of stopping.
    Python's own exceptions (bugs) pass through."""
    try:
        yield
    except OSError:
        raise
    except Exception as error:
        if type(error).__module__ == "builtins":
            raise
        raise OSError(f"{type(error).__name__}: {error}") from error


class _RangeReader:
    """Reads by ranged requests (an HTTP Range GET on object stores): only the new bytes move, in
    blocks of `BLOCK` bytes, so that the loader's 1 MB chunks do not cost a round trip each."""

    BLOCK = 16 << 20

    def __init__(self, fs, path: str, size: int, head: bytes = b""):
        self._fs, self._path, self._size = fs, path, size
        self._start, self._block = 0, head  # `head`: the file's first bytes, if sniffing fetched them

    def read_at(self, offset: int, into: memoryview) -> int:
        end = min(offset + len(into), self._size)
        if not (self._start <= offset and end <= self._start + len(self._block)):
            # one request for this read and what is likely to follow it
            stop = min(max(end, offset + self.BLOCK), self._size)
            with _as_os_errors():
                block = self._fs.cat_file(self._path, start=offset, end=stop)
            if len(block) > stop - offset:  # an HTTP server that ignores Range sends the whole file
                block = block[offset:stop]
            self._start, self._block = offset, block
        begin = offset - self._start
        data = memoryview(self._block)[begin : begin + len(into)]
        into[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._block = b""


class RemoteStore:
    """An fsspec URL. New files are sniffed `HEAD_WINDOW` at a time: their first 64 KB are fetched
    together (concurrently on async backends: s3fs, gcsfs, adlfs, http), and a small file's whole
    content, fetched so, is what the loader then reads. One request per small file, one after the
    other, made a logdir of 200 one-file runs take 5.7 s from S3 on loopback (bench/load_many_runs.py)."""

    HEAD_WINDOW = 256

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.fs, root = _filesystem(self.url)
        self.root = root.rstrip("/")
        self._sizes: dict[str, int] = {}  # from the last listing
        self._order: list[str] = []  # event files in listing order
        self._position: dict[str, int] = {}
        self._sniffed: set[str] = set()  # files whose first bytes gave a verdict
        self._heads: dict[str, bytes] = {}  # first bytes fetched ahead, until sniffed or read

    def describe(self) -> str:
        return self.url

    def discover(self, on_error: OnError) -> Iterable[tuple[str, list[str]]]:
        """One recursive listing; the sizes it gives are kept for `size`. A listing that fails raises
        OSError (the loader then keeps what it has: a timeout is no reason to drop every run). A
        prefix with nothing under it yet is an empty logdir (object stores have no folders)."""
        self.fs.invalidate_cache(self.root)  # fsspec caches listings; each pass must see new objects
        with _as_os_errors():
            listing = self.fs.find(self.root, detail=True)
        runs: dict[str, list[str]] = {}
        sizes: dict[str, int] = {}
        prefix = self.root + "/"
        for path in sorted(listing):
            info = listing[path]
            folder, _, name = path.rpartition("/")
            if info.get("type") != "file" or not is_event_file(name):
                continue
            if folder == self.root:
                run = "."
            elif folder.startswith(prefix):
                run = folder[len(prefix):]
            else:
                continue
            runs.setdefault(run, []).append(path)
            size = info.get("size")
            # an HTTP listing (an HTML index page) gives no sizes: then one HEAD per file
            if size is None:
                with _as_os_errors():
                    size = self.fs.size(path)
            sizes[path] = int(size or 0)
        self._sizes = sizes
        self._order = list(sizes)
        self._position = {path: i for i, path in enumerate(self._order)}
        self._sniffed &= sizes.keys()
        self._heads.clear()
        return runs.items()

    def size(self, key: str) -> int:
        try:
            return self._sizes[key]
        except KeyError:
            raise FileNotFoundError(key) from None

    def exists(self, key: str) -> bool:
        return key in self._sizes

    def sniff(self, key: str) -> Verdict:
        size = self.size(key)
        if size < HEADER_SIZE:
            return Verdict.UNDECIDED
        if key not in self._heads:
            self._fetch_heads(key)
        head = self._heads[key]
        verdict = sniff_bytes(head)
        if verdict is not Verdict.UNDECIDED:
            self._sniffed.add(key)
        if verdict is Verdict.GARBAGE or len(head) < size:
            del self._heads[key]  # kept only when it is the whole file, for `open`
        return verdict

    def _fetch_heads(self, key: str) -> None:
        """The first bytes of `key` and of the next files of the listing not sniffed yet, together."""
        batch = [key] + [path for path in self._order[self._position[key] + 1 :]
                         if path not in self._sniffed and self._sizes[path] >= HEADER_SIZE
                         ][: self.HEAD_WINDOW - 1]
        ends = [min(self._sizes[path], PROBE_BYTES + HEADER_SIZE - 1) for path in batch]
        with _as_os_errors():
            found = self.fs.cat_ranges(batch, [0] * len(batch), ends, on_error="return")
            if isinstance(found[0], BaseException):
                raise found[0]  # the others' failures are met when they are sniffed themselves
        for path, end, data in zip(batch, ends, found, strict=True):
            if not isinstance(data, BaseException):
                self._heads[path] = data[:end]  # a server that ignores Range sends the whole file

    def open(self, key: str) -> Reader:
        return _RangeReader(self.fs, key, self.size(key), self._heads.pop(key, b""))


# -- --logdir_spec ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecKey:
    entry: int  # which logdir of the spec
    key: object

    def __str__(self) -> str:
        return str(self.key)


def parse_logdir_spec(spec: str) -> list[tuple[str | None, str]]:
    """``name1:path1,name2:path2`` -> [(name, path)], by TensorBoard's rules: an entry that starts
    with ``/`` or a URL scheme, has no colon, or is a Windows drive path (``C:\\x``) has no name
    (its runs are not prefixed)."""
    entries: list[tuple[str | None, str]] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        label, colon, path = part.partition(":")
        name: str | None = label
        if not colon or part.startswith("/") or is_url(part) or (len(label) == 1 and path.startswith("\\")):
            name, path = None, part
        if name == "" or not path:
            raise LogdirError(f"--logdir_spec entry {part!r} is not name:path")
        entries.append((name, path))
    if not entries:
        raise LogdirError("--logdir_spec is empty")
    names = [name for name, _ in entries if name is not None]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise LogdirError(f"--logdir_spec names {', '.join(repeated)} more than once")
    return entries


class SpecStore:
    """Several stores as one: run ``r`` of the store named ``n`` is ``n/r`` (``n`` for ``.``); the runs
    of an unnamed store keep their names."""

    def __init__(self, entries: list[tuple[str | None, Store]]):
        self.entries = entries
        self.stores = [store for _, store in entries]
        self._last_found: dict[int, dict[str, list]] = {}  # per entry, its last listing that worked

    def describe(self) -> str:
        return ",".join(store.describe() if name is None else f"{name}:{store.describe()}"
                        for name, store in self.entries)

    def discover(self, on_error: OnError) -> Iterable[tuple[str, list[SpecKey]]]:
        runs: dict[str, list[SpecKey]] = {}
        for entry, (name, store) in enumerate(self.entries):
            try:
                found = self._last_found[entry] = dict(store.discover(on_error))
            except OSError as error:
                # one store refusing or timing out keeps its runs as they were; the others go on
                if error.filename is None:
                    error.filename = store.describe()
                on_error(error)
                found = self._last_found.get(entry, {})
            for run, keys in found.items():
                if name is not None:
                    run = name if run == "." else f"{name}/{run}"
                runs.setdefault(run, []).extend(SpecKey(entry, key) for key in keys)
        return runs.items()

    def size(self, key: SpecKey) -> int:
        return self.stores[key.entry].size(key.key)

    def exists(self, key: SpecKey) -> bool:
        return self.stores[key.entry].exists(key.key)

    def sniff(self, key: SpecKey) -> Verdict:
        return self.stores[key.entry].sniff(key.key)

    def open(self, key: SpecKey) -> Reader:
        return self.stores[key.entry].open(key.key)


def open_logdir_spec(spec: str) -> SpecStore:
    return SpecStore([(name, open_logdir(path)) for name, path in parse_logdir_spec(spec)])
