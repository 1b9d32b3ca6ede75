"""`tf.gfile`: TF 1.x's file API (``GFile``, ``Exists``, ``MakeDirs``, ``Glob``, ...) on local paths and URLs.

Failures raise TF's error classes with TF's texts (``NotFoundError("x; No such file or directory")``), which
is what TF1 scripts catch. A path with a scheme (``s3://``, ``gs://``, ``az://``, ``hdfs://``, ``memory://``)
goes through fsspec, the Python ecosystem's filesystem layer, as TF1 sends ``gs://`` through its own
filesystems; a plain path (or ``file://``) stays on the local file system. Without the scheme's backend,
TF's ``UnimplementedError`` names the extra to install.

Object stores cannot append or rename in place, so a ``GFile`` opened for writing on a URL works as TF's S3
and GCS writable files do: it writes a local staged copy (``"a"`` and ``"r+"`` download the object first)
and uploads the whole copy on ``flush()`` and ``close()``, each upload one PUT that replaces the object at
once (readers see the old object or the new one). ``Rename`` on a URL is copy-then-delete, as on TF's S3.
"""

from __future__ import annotations

import collections
import errno
import glob as _glob
import importlib.util
import os
import re
import shutil
import tempfile

from engine.framework import errors

__all__ = [
    "Copy", "DeleteRecursively", "Exists", "FastGFile", "GFile", "Glob", "IsDirectory", "ListDirectory",
    "MakeDirs", "MkDir", "Open", "Remove", "Rename", "Stat", "Walk",
]

_MODES = ("r", "w", "a", "r+", "w+", "a+")

FileStatistics = collections.namedtuple("FileStatistics", ["length", "mtime_nsec", "is_directory"])

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
# the pyproject extra that installs each protocol's fsspec backend
_EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "az": "azure", "abfs": "azure",
           "abfss": "azure", "hdfs": "hdfs", "http": "http", "https": "http"}


def is_remote_path(path) -> bool:
    """A URL of an fsspec filesystem (``s3://``, ``gs://``, ...) rather than a local path."""
    return isinstance(path, str) and bool(_URL.match(path)) and not path.startswith("file://")


def remote_filesystem(url: str):
    """(fsspec filesystem, path in it) for `url`; TF's UnimplementedError when no backend is installed."""
    protocol = url.split("://", 1)[0].lower()
    try:
        import fsspec.core

        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError):
        extra = _EXTRAS.get(protocol)
        hint = f"pip install 'engine-board[{extra}]'" if extra else "install its fsspec backend"
        raise errors.UnimplementedError(
            None, None, f"File system scheme '{protocol}' not implemented ({hint})") from None


def _local(path) -> str:
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = path.decode("utf-8")
    return path[len("file://"):] if path.startswith("file://") else path


class _Remote:
    """A URL split into its fsspec filesystem and the path inside it, and the way back to URLs (fsspec
    paths drop the scheme: ``s3://b/k`` is ``b/k``, ``memory://a/b`` is ``/a/b``)."""

    def __init__(self, url: str):
        self.url = url
        self.fs, self.path = remote_filesystem(url)
        # fsspec backends cache listings per process (s3fs forever, by default); TF's filesystems do not,
        # and checkpoint polling must see objects other processes wrote since, so every call lists afresh
        self.fs.invalidate_cache()
        self.path = self.path.rstrip("/") or self.path
        tail = self.path.lstrip("/")
        stem = url.rstrip("/")
        self._head = stem[: len(stem) - len(tail)] if tail and stem.endswith(tail) else url.split("://")[0] + "://"

    def to_url(self, path: str) -> str:
        return self._head + path.lstrip("/")


def _remote(path):
    """A `_Remote` for a URL, None for a local path."""
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = path.decode("utf-8")
    return _Remote(path) if is_remote_path(path) else None


def _os_error(exc: OSError, path) -> errors.OpError:
    """TF's error class and text for an OS (or fsspec backend) failure on `path`."""
    if isinstance(exc, FileNotFoundError):
        code = errno.ENOENT
    elif isinstance(exc, PermissionError):
        code = errno.EACCES
    else:
        code = exc.errno
    reason = os.strerror(code) if code else str(exc)
    cls = {errno.ENOENT: errors.NotFoundError, errno.EEXIST: errors.AlreadyExistsError,
           errno.EACCES: errors.PermissionDeniedError, errno.EPERM: errors.PermissionDeniedError,
           errno.EISDIR: errors.FailedPreconditionError, errno.ENOTDIR: errors.FailedPreconditionError,
           errno.ENOTEMPTY: errors.FailedPreconditionError}.get(code, errors.UnknownError)
    return cls(None, None, f"{os.fspath(path)}; {reason}")


def read_range(path, offset: int, size: int) -> bytes:
    """Up to `size` bytes of a local file or an object from `offset` (one ranged GET on a URL);
    failures are Python's OSErrors, for modules that map them themselves (checkpoint reading)."""
    remote = _remote(path)
    if remote is None:
        with open(_local(path), "rb") as f:
            f.seek(offset)
            return f.read(size)
    return remote.fs.cat_file(remote.path, start=offset, end=offset + size)


def read_bytes(path) -> bytes:
    """The whole content of a local file or an object (one GET); failures are Python's OSErrors."""
    remote = _remote(path)
    if remote is None:
        with open(_local(path), "rb") as f:
            return f.read()
    return remote.fs.cat_file(remote.path)


def put_object(url: str, data: bytes) -> None:
    """Puts `data` as the object at `url` in one PUT (readers see the old object or the new one)."""
    remote = _Remote(url)
    remote.fs.pipe_file(remote.path, data)


class GFile:
    """A file opened lazily as TF's: a missing file fails on the first read, not at construction.

    Text modes give ``str`` (UTF-8, newlines untranslated, as TF reads bytes and decodes them); ``b``
    modes give ``bytes``. On a URL, reads are ranged requests and writes go to a staged local copy that
    ``flush()`` and ``close()`` upload whole (see the module docstring).
    """

    def __init__(self, name, mode="r"):
        self._file = None
        if mode.replace("b", "") not in _MODES:
            raise errors.InvalidArgumentError(
                None, None, "mode is not 'r' or 'w' or 'a' or 'r+' or 'w+' or 'a+'")
        self._name = os.fspath(name)
        self._mode = mode
        self._binary = "b" in mode
        self._remote = _remote(self._name)
        self._staged = None  # the local copy of a URL opened for writing
        self._dirty = False

    @property
    def name(self):
        return self._name

    @property
    def mode(self):
        return self._mode

    def _opened(self):
        if self._file is None:
            mode = self._mode.replace("b", "") + "b"
            try:
                if self._remote is None:
                    self._file = open(_local(self._name), mode)  # noqa: SIM115 - closed by close()
                elif mode == "rb":
                    self._file = self._remote.fs.open(self._remote.path, "rb")
                else:
                    self._file = self._open_staged(mode)
            except OSError as exc:
                raise _os_error(exc, self._name) from None
        return self._file

    def _open_staged(self, mode: str):
        """The local copy a URL is written through: empty for ``w``, the object's bytes for ``a``/``r+``."""
        fd, self._staged = tempfile.mkstemp(prefix="engine-gfile-")
        os.close(fd)
        fs, path = self._remote.fs, self._remote.path
        if mode[0] in "ar":
            try:
                fs.get_file(path, self._staged)
            except FileNotFoundError:
                if mode[0] == "r":
                    os.remove(self._staged)
                    raise
        self._dirty = mode[0] in "wa"  # "w" and "a" create the object even when nothing is written
        return open(self._staged, mode)

    def _out(self, data: bytes):
        return data if self._binary else data.decode("utf-8")

    def size(self):
        if self._staged is not None:
            self._file.flush()
            return os.path.getsize(self._staged)
        return Stat(self._name).length

    def read(self, n=-1):
        return self._out(self._opened().read(n))

    def readline(self):
        return self._out(self._opened().readline())

    def readlines(self):
        return [self._out(line) for line in self._opened().readlines()]

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def write(self, file_content):
        data = file_content.encode("utf-8") if isinstance(file_content, str) else bytes(file_content)
        file = self._opened()
        if self._remote is not None and self._staged is None:
            raise errors.PermissionDeniedError(None, None, f"{self._name}; File isn't open for writing")
        file.write(data)
        self._dirty = True

    def seek(self, offset=None, whence=0, position=None):
        if position is not None:
            offset = position
        self._opened().seek(offset, whence)

    def tell(self):
        return self._opened().tell()

    def seekable(self):
        return True

    def _upload(self):
        if self._dirty:
            self._file.flush()
            try:
                self._remote.fs.put_file(self._staged, self._remote.path)
            except OSError as exc:
                raise _os_error(exc, self._name) from None
            self._dirty = False

    def flush(self):
        if self._file is not None:
            self._file.flush()
            if self._staged is not None:
                self._upload()

    def close(self):
        if self._file is not None:
            try:
                if self._staged is not None:
                    self._upload()
            finally:
                self._file.close()
                self._file = None
                if self._staged is not None:
                    os.remove(self._staged)
                    self._staged = None

    def __del__(self):
        # TF closes a GFile that is dropped unclosed (`GFile(p).read()` is a common idiom) without a warning.
        if getattr(self, "_file", None) is not None:
            self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


FastGFile = GFile
Open = GFile


def Exists(filename):  # noqa: N802 - TF's names
    remote = _remote(filename)
    if remote is None:
        return os.path.exists(_local(filename))
    return remote.fs.exists(remote.path)


def IsDirectory(dirname):  # noqa: N802
    remote = _remote(dirname)
    if remote is None:
        return os.path.isdir(_local(dirname))
    return remote.fs.isdir(remote.path)


def Stat(filename):  # noqa: N802
    remote = _remote(filename)
    if remote is None:
        try:
            st = os.stat(_local(filename))
        except OSError as exc:
            raise _os_error(exc, filename) from None
        return FileStatistics(st.st_size, st.st_mtime_ns, os.path.isdir(_local(filename)))
    try:
        info = remote.fs.info(remote.path)
    except OSError as exc:
        raise _os_error(exc, filename) from None
    is_directory = info.get("type") == "directory"
    try:
        mtime_nsec = 0 if is_directory else int(remote.fs.modified(remote.path).timestamp() * 1e9)
    except (NotImplementedError, OSError, AttributeError):
        mtime_nsec = 0  # a store that keeps no modification time (TF reports 0 for S3 folders too)
    return FileStatistics(info.get("size") or 0, mtime_nsec, is_directory)


def Glob(filename):  # noqa: N802
    """The paths matching a pattern (or several); a pattern matching nothing gives []."""
    patterns = [filename] if isinstance(filename, str | bytes | os.PathLike) else filename
    matches = []
    for pattern in patterns:
        remote = _remote(pattern)
        if remote is None:
            matches.extend(_glob.glob(_local(pattern)))
        else:
            matches.extend(remote.to_url(path) for path in remote.fs.glob(remote.path))
    return matches


def _entries(dirname):
    """(subdirectory names, file names) of a directory; NotFoundError if there is none."""
    remote = _remote(dirname)
    if remote is None:
        path = _local(dirname)
        if not os.path.isdir(path):
            raise errors.NotFoundError(None, None, f"Could not find directory {os.fspath(dirname)}")
        names = os.listdir(path)
        subdirs = [name for name in names if os.path.isdir(os.path.join(path, name))]
        return subdirs, [name for name in names if name not in subdirs]
    try:
        listing = remote.fs.ls(remote.path, detail=True) if remote.fs.isdir(remote.path) else None
    except OSError:
        listing = None
    if listing is None:
        raise errors.NotFoundError(None, None, f"Could not find directory {os.fspath(dirname)}")
    subdirs, files = [], []
    for entry in listing:
        name = entry["name"].rstrip("/").rsplit("/", 1)[-1]
        if entry["name"].rstrip("/") != remote.path and name:
            (subdirs if entry.get("type") == "directory" else files).append(name)
    return subdirs, files


def ListDirectory(dirname):  # noqa: N802
    """The entries of a directory, without '.' and '..'."""
    subdirs, files = _entries(dirname)
    return subdirs + files


def MkDir(dirname):  # noqa: N802
    """Makes one directory (its parent must exist); an existing directory is accepted, as in TF. Object
    stores have no directories: on a URL this makes nothing (a prefix exists once an object is under it)."""
    remote = _remote(dirname)
    if remote is not None:
        return _make_remote_dirs(remote, dirname)
    try:
        os.mkdir(_local(dirname))
    except FileExistsError:
        if not os.path.isdir(_local(dirname)):
            message = f"{os.fspath(dirname)}; Not a directory"
            raise errors.FailedPreconditionError(None, None, message) from None
    except OSError as exc:
        raise _os_error(exc, dirname) from None


def MakeDirs(dirname):  # noqa: N802
    """Makes a directory and its missing parents; an existing directory is accepted."""
    remote = _remote(dirname)
    if remote is not None:
        return _make_remote_dirs(remote, dirname)
    try:
        os.makedirs(_local(dirname), exist_ok=True)
    except OSError as exc:
        raise _os_error(exc, dirname) from None


def _make_remote_dirs(remote, dirname):
    if remote.fs.isfile(remote.path):
        raise errors.FailedPreconditionError(None, None, f"{os.fspath(dirname)}; Not a directory")
    try:
        remote.fs.makedirs(remote.path, exist_ok=True)
    except OSError as exc:
        raise _os_error(exc, dirname) from None


def Remove(filename):  # noqa: N802
    remote = _remote(filename)
    try:
        if remote is None:
            os.remove(_local(filename))
        elif not remote.fs.isfile(remote.path):  # deleting a missing key succeeds on S3
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", remote.url)
        else:
            remote.fs.rm_file(remote.path)
    except OSError as exc:
        raise _os_error(exc, filename) from None


def DeleteRecursively(dirname):  # noqa: N802
    if not Exists(dirname):
        raise errors.NotFoundError(None, None, f"{os.fspath(dirname)} not found")
    remote = _remote(dirname)
    try:
        if remote is not None:
            remote.fs.rm(remote.path, recursive=True)
        elif os.path.isdir(_local(dirname)):
            shutil.rmtree(_local(dirname))
        else:
            os.remove(_local(dirname))
    except OSError as exc:
        raise _os_error(exc, dirname) from None


def _copy_file(source, target):
    """Copies one file between any two of: local paths, URLs (server-side within one store)."""
    src, dst = _remote(source), _remote(target)
    if src is None and dst is None:
        shutil.copyfile(_local(source), _local(target))
    elif src is None:
        dst.fs.put_file(_local(source), dst.path)
    elif dst is None:
        src.fs.get_file(src.path, _local(target))
    elif type(src.fs) is type(dst.fs) and src.fs.storage_options == dst.fs.storage_options:
        src.fs.copy(src.path, dst.path)
    else:
        with src.fs.open(src.path, "rb") as reader, dst.fs.open(dst.path, "wb") as writer:
            shutil.copyfileobj(reader, writer, 16 << 20)


def _move_file(source, target):
    if _remote(source) is None and _remote(target) is None:
        os.replace(_local(source), _local(target))
        return
    _copy_file(source, target)  # object stores rename by copy-then-delete, as TF's S3 filesystem does
    Remove(source)


def _transfer(move, source, target, overwrite):
    """Copy or Rename: TF's errors for a missing source and, unless `overwrite`, an existing target."""
    if not Exists(source):
        raise errors.NotFoundError(None, None, f"{os.fspath(source)}; No such file or directory")
    if not overwrite and Exists(target):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    try:
        move(source, target)
    except OSError as exc:
        raise _os_error(exc, source) from None


def Copy(oldpath, newpath, overwrite=False):  # noqa: N802
    _transfer(_copy_file, oldpath, newpath, overwrite)


def Rename(oldname, newname, overwrite=False):  # noqa: N802
    _transfer(_move_file, oldname, newname, overwrite)


def Walk(top, in_order=True):  # noqa: N802
    """Yields (dirname, subdirectory names, file names) from `top` down (`in_order`) or bottom up; a
    missing `top` yields nothing."""
    return walk(top, topdown=in_order)


# --- tf.io.gfile: TF 2's lower-case names for the same operations (engine/io/gfile.py exports them) -------
exists = Exists
isdir = IsDirectory
stat = Stat
glob = Glob
listdir = ListDirectory
mkdir = MkDir
makedirs = MakeDirs
remove = Remove
rmtree = DeleteRecursively
copy = Copy
rename = Rename


def walk(top, topdown=True, onerror=None):
    """``tf.io.gfile.walk``: (dirname, subdirectory names, file names) from `top` down (`topdown`) or
    bottom up; a directory that cannot be listed is skipped, after `onerror(error)` when given."""
    top = os.fspath(top)
    try:
        subdirs, files = _entries(top)
    except errors.NotFoundError as error:
        if onerror is not None:
            onerror(error)
        return
    if topdown:
        yield top, subdirs, files
    for subdir in subdirs:
        yield from walk(join(top, subdir), topdown, onerror)
    if not topdown:
        yield top, subdirs, files


def join(path, *paths):
    """``tf.io.gfile.join``: paths joined as `os.path.join` does (URLs with '/')."""
    return os.path.join(os.fspath(path), *(os.fspath(p) for p in paths))


def get_registered_schemes():
    """The URI schemes these functions open: local paths (no scheme, or ``file``) and every fsspec
    protocol whose backend is installed (``memory``, plus ``s3``, ``gs``, ... with their extras)."""
    from fsspec.registry import known_implementations

    schemes = ["", "file"]
    for protocol, spec in sorted(known_implementations.items()):
        module = spec["class"].split(".", 1)[0]
        if protocol not in schemes and importlib.util.find_spec(module) is not None:
            schemes.append(protocol)
    return schemes
