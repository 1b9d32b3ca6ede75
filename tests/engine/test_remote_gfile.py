"""tf.gfile / tf.io.gfile on URLs (engine/gfile.py over fsspec): memory:// in-process and s3:// against
moto's S3 server on loopback (tests/s3server.py); the same TF error classes as for local paths."""

from __future__ import annotations

import uuid

import fsspec
import pytest

import engine as tf


@pytest.fixture
def memory_root():
    root = f"memory://gfile-{uuid.uuid4().hex[:8]}"
    yield root
    fs = fsspec.filesystem("memory")
    if fs.exists(root[len("memory:/"):]):
        fs.rm(root[len("memory:/"):], recursive=True)


@pytest.fixture(params=["memory", "s3"])
def root(request, memory_root):
    if request.param == "memory":
        return memory_root
    bucket = request.getfixturevalue("s3_bucket")
    return f"s3://{bucket}/gfile"


def test_gfile_write_read_append_on_urls(root):
    gfile = tf.gfile
    path = f"{root}/a/f.txt"
    assert not gfile.Exists(path)
    with pytest.raises(tf.errors.NotFoundError):
        gfile.GFile(path).read()
    with gfile.GFile(path, "w") as f:
        f.write("hello\n")
        f.flush()  # the whole staged copy is uploaded: readers see it before close
        assert tf.gfile.GFile(path).read() == "hello\n"
        f.write("world\n")
        assert f.size() == 12
    assert gfile.Exists(path) and not gfile.IsDirectory(path) and gfile.IsDirectory(f"{root}/a")
    with gfile.GFile(path, "a") as f:  # the object is downloaded, then uploaded longer
        f.write(b"more")
    with gfile.GFile(path, "rb") as f:
        assert f.read() == b"hello\nworld\nmore"
    assert list(gfile.GFile(path)) == ["hello\n", "world\n", "more"]
    with gfile.GFile(path, "r") as f:
        f.seek(6)
        assert f.readline() == "world\n" and f.tell() == 12
    with gfile.GFile(path, "r+") as f:
        f.seek(0)
        f.write("HELLO")
    assert gfile.GFile(path).read() == "HELLO\nworld\nmore"
    with pytest.raises(tf.errors.NotFoundError):
        gfile.GFile(f"{root}/missing", "r+").read()
    with pytest.raises(tf.errors.PermissionDeniedError):
        gfile.GFile(path, "r").write("x")
    stat = gfile.Stat(path)
    assert stat.length == 16 and not stat.is_directory and stat.mtime_nsec > 0
    with pytest.raises(tf.errors.NotFoundError):
        gfile.Stat(f"{root}/missing")


def test_gfile_listing_copy_rename_remove_on_urls(root, tmp_path):
    gfile = tf.io.gfile
    gfile.makedirs(f"{root}/d")
    for name in ("d/x.txt", "d/y.txt", "d/sub/z.txt"):
        with gfile.GFile(f"{root}/{name}", "w") as f:
            f.write(name)
    assert sorted(gfile.listdir(f"{root}/d")) == ["sub", "x.txt", "y.txt"]
    assert sorted(gfile.glob(f"{root}/d/*.txt")) == [f"{root}/d/x.txt", f"{root}/d/y.txt"]
    assert gfile.glob(f"{root}/nothing/*") == []
    assert [(top, sorted(dirs), sorted(files)) for top, dirs, files in gfile.walk(f"{root}/d")] == [
        (f"{root}/d", ["sub"], ["x.txt", "y.txt"]), (f"{root}/d/sub", [], ["z.txt"])]
    assert [top for top, _, _ in gfile.walk(f"{root}/d", topdown=False)] == [f"{root}/d/sub", f"{root}/d"]
    with pytest.raises(tf.errors.NotFoundError, match="Could not find directory"):
        gfile.listdir(f"{root}/missing")
    assert list(gfile.walk(f"{root}/missing")) == []

    gfile.copy(f"{root}/d/x.txt", f"{root}/d/copy.txt")
    with pytest.raises(tf.errors.AlreadyExistsError):
        gfile.copy(f"{root}/d/x.txt", f"{root}/d/copy.txt")
    gfile.copy(f"{root}/d/y.txt", f"{root}/d/copy.txt", overwrite=True)
    assert gfile.GFile(f"{root}/d/copy.txt").read() == "d/y.txt"
    with pytest.raises(tf.errors.NotFoundError):
        gfile.copy(f"{root}/d/missing", f"{root}/d/other")
    # between a URL and local disk, both ways
    gfile.copy(f"{root}/d/x.txt", str(tmp_path / "local.txt"))
    assert (tmp_path / "local.txt").read_text() == "d/x.txt"
    gfile.copy(str(tmp_path / "local.txt"), f"{root}/d/up.txt")
    assert gfile.GFile(f"{root}/d/up.txt").read() == "d/x.txt"

    gfile.rename(f"{root}/d/copy.txt", f"{root}/d/moved.txt")
    assert not gfile.exists(f"{root}/d/copy.txt") and gfile.exists(f"{root}/d/moved.txt")
    with pytest.raises(tf.errors.AlreadyExistsError):
        gfile.rename(f"{root}/d/moved.txt", f"{root}/d/x.txt")

    gfile.remove(f"{root}/d/moved.txt")
    with pytest.raises(tf.errors.NotFoundError):
        gfile.remove(f"{root}/d/moved.txt")
    gfile.rmtree(f"{root}/d")
    assert not gfile.exists(f"{root}/d/x.txt")
    with pytest.raises(tf.errors.NotFoundError):
        gfile.rmtree(f"{root}/d")


def test_gfile_without_a_backend_names_the_extra():
    expected = r"File system scheme 'gs' not implemented \(pip install 'engine-board\[gcs\]'\)"
    with pytest.raises(tf.errors.UnimplementedError, match=expected):
        tf.gfile.Exists("gs://bucket/x")
    with pytest.raises(tf.errors.UnimplementedError, match=expected):
        tf.gfile.GFile("gs://bucket/x").read()
    schemes = tf.io.gfile.get_registered_schemes()
    assert {"", "file", "memory", "s3"} <= set(schemes) and "gs" not in schemes


def test_gfile_sees_objects_other_processes_wrote_since_it_listed(s3, s3_bucket):
    """s3fs caches listings; gfile must not, or polling for a new checkpoint never ends."""
    root = f"s3://{s3_bucket}/seen"
    with tf.gfile.GFile(f"{root}/a", "w") as f:
        f.write("a")
    assert tf.gfile.ListDirectory(root) == ["a"] and not tf.gfile.Exists(f"{root}/b")
    s3.client.put_object(Bucket=s3_bucket, Key="seen/b", Body=b"b")  # another writer, not through fsspec
    assert tf.gfile.Exists(f"{root}/b") and sorted(tf.gfile.ListDirectory(root)) == ["a", "b"]
    assert tf.gfile.Glob(f"{root}/b") == [f"{root}/b"]


def test_gfile_refused_by_the_store_is_permission_denied(s3, s3_bucket):
    url = f"s3://{s3_bucket}/private/f"
    with tf.gfile.GFile(url, "w") as f:
        f.write("secret")
    s3.deny = True  # the relay answers 403 AccessDenied to everything
    with pytest.raises(tf.errors.PermissionDeniedError, match=f"{url}; Permission denied"):
        tf.gfile.GFile(url).read()
    with pytest.raises(tf.errors.PermissionDeniedError):
        with tf.gfile.GFile(url, "w") as f:
            f.write("overwrite")
