"""board reading a logdir on object storage: a real S3 server (moto's) on loopback, read through
s3fs — discovery, tailing while a writer re-uploads, runs appearing and going, refusals, slow
answers — plus memory:// and --logdir_spec."""

from __future__ import annotations

import logging
import subprocess
import sys

import fsspec
import pytest

from board.data.loader import Loader
from board.data.storage import LogdirError, RemoteStore, open_logdir, parse_logdir_spec
from tests.board.conftest import file_version_event, records, scalar_event, steps_of, write_events

NAME = "events.out.tfevents.1700000000.host"


@pytest.fixture
def bucket(s3_bucket):
    return s3_bucket


def scalars(tag: str, steps) -> bytes:
    return records([scalar_event(tag, step, float(step)) for step in steps])


def steps(loader: Loader, run: str, tag: str) -> list[int]:
    return loader.get(run).scalars[tag].arrays()[0].tolist()


def test_discovery_is_one_listing_and_reads_are_ranged(s3, bucket):
    s3.put(bucket, f"exp/a/{NAME}", records([file_version_event()]) + scalars("loss", range(5)))
    s3.put(bucket, f"exp/b/c/{NAME}", scalars("acc", range(3)))
    s3.put(bucket, f"exp/{NAME}", scalars("lr", range(2)))
    s3.put(bucket, "exp/a/notes.txt", b"not events")
    loader = Loader(f"s3://{bucket}/exp")
    s3.requests.clear()
    loader.reload()
    assert sorted(r.name for r in loader.run_list()) == [".", "a", "b/c"]
    assert steps(loader, "a", "loss") == [0, 1, 2, 3, 4]
    assert steps(loader, "b/c", "acc") == [0, 1, 2]
    lists = [r for r in s3.requests if "list-type=2" in r[1]]
    assert len(lists) == 1, s3.requests  # one recursive listing, not one per folder
    gets = [r for r in s3.requests if r[0] == "GET" and "list-type" not in r[1]]
    assert gets and all(r[2] and r[2].startswith("bytes=") for r in gets)

    s3.requests.clear()
    loader.reload()  # nothing changed: one listing, no reads
    assert [r for r in s3.requests if r[0] == "GET" and "list-type" not in r[1]] == []


def test_tailing_a_file_rewritten_whole_reads_only_the_new_bytes(s3, bucket):
    key = f"run/{NAME}"
    data = records([file_version_event()]) + scalars("loss", range(100))
    s3.put(bucket, key, data)
    loader = Loader(f"s3://{bucket}")
    loader.reload()
    assert steps(loader, "run", "loss") == list(range(100))
    for more in range(100, 400, 100):
        # S3 has no append: the writer uploads the whole object again, longer
        data += scalars("loss", range(more, more + 100))
        s3.put(bucket, key, data)
        s3.requests.clear()
        loader.reload()
        assert steps(loader, "run", "loss") == list(range(more + 100))
        ranges = [r[2] for r in s3.requests if r[0] == "GET" and "list-type" not in r[1]]
        offset = len(data) - len(scalars("loss", range(more, more + 100)))
        assert ranges == [f"bytes={offset}-{len(data) - 1}"]


def test_a_truncated_upload_waits_for_the_rest(s3, bucket):
    key = f"run/{NAME}"
    whole = scalars("loss", range(10))
    s3.put(bucket, key, whole[:-7])
    loader = Loader(f"s3://{bucket}")
    loader.reload()
    assert steps(loader, "run", "loss") == list(range(9))
    s3.put(bucket, key, whole)
    loader.reload()
    assert steps(loader, "run", "loss") == list(range(10))


def test_a_run_appears_and_a_deleted_file_leaves(s3, bucket):
    s3.put(bucket, f"a/{NAME}", scalars("loss", range(3)))
    loader = Loader(f"s3://{bucket}/")
    loader.reload()
    assert [r.name for r in loader.run_list()] == ["a"]
    s3.put(bucket, f"b/{NAME}", scalars("loss", range(4)))
    loader.reload()
    assert sorted(r.name for r in loader.run_list()) == ["a", "b"]
    assert steps(loader, "b", "loss") == [0, 1, 2, 3]
    s3.client.delete_object(Bucket=bucket, Key=f"a/{NAME}")
    loader.reload()
    assert [r.name for r in loader.run_list()] == ["b"]
    assert len(loader.files) == 1


def test_garbage_objects_are_skipped_with_one_warning(s3, bucket, caplog):
    s3.put(bucket, f"junk/{NAME}", b"\0" * 200_000)
    s3.put(bucket, f"good/{NAME}", scalars("loss", range(3)))
    loader = Loader(f"s3://{bucket}")
    with caplog.at_level(logging.WARNING, logger="board"):
        loader.reload()
        loader.reload()
    assert [r.name for r in loader.run_list()] == ["good"]
    assert sum("not an event file" in m for m in caplog.messages) == 1


def test_permission_refused_is_one_clear_warning_and_data_is_kept(s3, bucket, caplog):
    s3.put(bucket, f"run/{NAME}", scalars("loss", range(3)))
    loader = Loader(f"s3://{bucket}")
    loader.reload()
    s3.deny = True
    with caplog.at_level(logging.WARNING, logger="board"):
        loader.reload()
        loader.reload()
    refused = [m for m in caplog.messages if "cannot list" in m]
    assert len(refused) == 1 and f"s3://{bucket}" in refused[0]
    assert "denied" in refused[0].lower() or "forbidden" in refused[0].lower()
    assert "testing-secret" not in caplog.text  # credentials never reach the log
    assert steps(loader, "run", "loss") == [0, 1, 2]  # a refused pass drops nothing
    s3.deny = False
    s3.put(bucket, f"run/{NAME}", scalars("loss", range(5)))
    loader.reload()
    assert steps(loader, "run", "loss") == [0, 1, 2, 3, 4]


def test_slow_answers_time_out_and_are_retried_without_duplicate_points(s3, bucket):
    s3.configure_fsspec(read_timeout=0.5, attempts=3)
    key = f"run/{NAME}"
    data = scalars("loss", range(50))
    s3.put(bucket, key, data)
    loader = Loader(f"s3://{bucket}")
    loader.reload()
    data += scalars("loss", range(50, 100))
    s3.put(bucket, key, data)
    s3.delay, s3.slow_requests = 1.5, 2  # the listing and the first read both time out once
    loader.reload()
    assert steps(loader, "run", "loss") == list(range(100))


def test_a_read_failing_after_its_retries_is_read_again_next_pass(s3, bucket, caplog):
    s3.configure_fsspec(read_timeout=0.5, attempts=1)
    key = f"run/{NAME}"
    data = scalars("loss", range(50))
    s3.put(bucket, key, data)
    loader = Loader(f"s3://{bucket}")
    loader.store.fs.retries = 1  # s3fs retries reads on its own too (a class attribute, no option)
    loader.reload()
    data += scalars("loss", range(50, 100))
    s3.put(bucket, key, data)
    original = loader.store.discover

    def listed_then_slow(on_error):  # the listing answers; every read after it times out
        found = original(on_error)
        s3.delay, s3.slow_requests = 1.0, 1000
        return found

    loader.store.discover = listed_then_slow
    with caplog.at_level(logging.WARNING, logger="board"):
        loader.reload()
    assert steps(loader, "run", "loss") == list(range(50))
    assert sum("cannot read" in m and key in m for m in caplog.messages) == 1
    loader.store.discover = original
    s3.slow_requests = 0
    loader.reload()
    assert steps(loader, "run", "loss") == list(range(100))  # no point twice


def test_the_app_serves_an_s3_logdir(s3, bucket, make_client):
    s3.put(bucket, f"p/run/{NAME}", scalars("loss", range(4)))
    client = make_client(f"s3://{bucket}/p")
    assert steps_of(client, "run", "loss") == [0, 1, 2, 3]
    assert client.get("/data/logdir").json() == {"logdir": f"s3://{bucket}/p"}


def test_memory_logdir():
    fs = fsspec.filesystem("memory")
    fs.pipe("/mem-logdir/r1/" + NAME, scalars("x", range(3)))
    try:
        loader = Loader("memory://mem-logdir")
        loader.reload()
        assert steps(loader, "r1", "x") == [0, 1, 2]
        fs.pipe("/mem-logdir/r1/" + NAME, scalars("x", range(6)))
        loader.reload()
        assert steps(loader, "r1", "x") == list(range(6))
    finally:
        fs.rm("/mem-logdir", recursive=True)


def test_a_missing_backend_is_one_line_naming_the_extra():
    with pytest.raises(LogdirError) as caught:
        open_logdir("gs://bucket/logs")  # gcsfs is not installed here
    assert str(caught.value) == "no backend for gs:// logdirs is installed: pip install 'engine-board[gcs]'"
    with pytest.raises(LogdirError, match=r"engine-board\[azure\]"):
        open_logdir("az://container/logs")


def test_the_command_line_says_which_extra_is_missing():
    done = subprocess.run([sys.executable, "-m", "board", "--logdir", "gs://bucket/logs", "--port", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "board: no backend for gs:// logdirs is installed: pip install 'engine-board[gcs]'"]


def test_logdir_spec_parsing():
    assert parse_logdir_spec("a:/x/y,b:s3://bkt/p") == [("a", "/x/y"), ("b", "s3://bkt/p")]
    assert parse_logdir_spec("s3://bkt/p, /a:b/c") == [(None, "s3://bkt/p"), (None, "/a:b/c")]
    with pytest.raises(LogdirError, match="more than once"):
        parse_logdir_spec("a:/x,a:/y")
    with pytest.raises(LogdirError, match="not name:path"):
        parse_logdir_spec("a:")


def test_logdir_spec_mixes_local_and_remote(s3, bucket, tmp_path):
    from board.data.storage import open_logdir_spec

    write_events(tmp_path / "train" / NAME, [scalar_event("loss", s, 1.0) for s in range(3)])
    write_events(tmp_path / NAME, [scalar_event("loss", s, 1.0) for s in range(2)])
    s3.put(bucket, f"eval/{NAME}", scalars("acc", range(4)))
    loader = Loader(open_logdir_spec(f"local:{tmp_path},cloud:s3://{bucket}"))
    loader.reload()
    assert sorted(r.name for r in loader.run_list()) == ["cloud/eval", "local", "local/train"]
    assert steps(loader, "cloud/eval", "acc") == [0, 1, 2, 3]
    assert steps(loader, "local/train", "loss") == [0, 1, 2]


def test_remote_store_names_files_by_url(s3, bucket):
    s3.put(bucket, f"r/{NAME}", scalars("loss", range(1)))
    store = RemoteStore(f"s3://{bucket}")
    assert dict(store.discover(lambda e: None)) == {"r": [f"{bucket}/r/{NAME}"]}
    assert store.size(f"{bucket}/r/{NAME}") == len(scalars("loss", range(1)))


def test_blocks_smaller_and_larger_than_chunks_give_every_point_once(s3, bucket, monkeypatch):
    from board.data import loader as loader_module
    from board.data import storage

    data = scalars("loss", range(300))
    s3.put(bucket, f"r/{NAME}", data)
    for block, chunk in [(1000, 700), (300, 4096), (len(data), 100)]:
        monkeypatch.setattr(storage._RangeReader, "BLOCK", block)
        monkeypatch.setattr(loader_module, "CHUNK", chunk)
        loader = Loader(f"s3://{bucket}")
        loader.reload()
        assert steps(loader, "r", "loss") == list(range(300)), (block, chunk)


def test_board_serves_s3_and_a_logdir_spec_over_real_http(s3, bucket, tmp_path):
    """The command line as a user runs it: the endpoint and the credentials only in the environment."""
    import json
    import os
    import time
    import urllib.request

    from tests.board.test_cli import _free_port, _stop, _wait_for

    s3.put(bucket, f"p/train/{NAME}", scalars("loss", range(6)))
    write_events(tmp_path / "local_run" / NAME, [scalar_event("acc", s, 1.0) for s in range(2)])
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing-secret", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL_S3": s3.endpoint}
    for args, run, tag, count in [
        (["--logdir", f"s3://{bucket}/p"], "train", "loss", 6),
        (["--logdir_spec", f"here:{tmp_path},cloud:s3://{bucket}/p"], "cloud/train", "loss", 6),
        (["--logdir_spec", f"here:{tmp_path},cloud:s3://{bucket}/p"], "here/local_run", "acc", 2),
    ]:
        port = _free_port()
        process = subprocess.Popen([sys.executable, "-m", "board", *args, "--port", str(port),
                                    "--log-level", "info"], stderr=subprocess.PIPE, text=True, env=env)
        try:
            url = f"http://localhost:{port}/data/plugin/scalars/scalars?run={run}&tag={tag}"
            deadline = time.monotonic() + 30
            rows = []
            while time.monotonic() < deadline and len(rows) < count:
                try:
                    with urllib.request.urlopen(url, timeout=2) as response:
                        rows = json.loads(response.read())
                except OSError:
                    time.sleep(0.1)
            assert [row[1] for row in rows] == list(range(count))
            assert json.loads(_wait_for(f"http://localhost:{port}/data/logdir"))["logdir"].endswith(
                f"s3://{bucket}/p")
        finally:
            err = _stop(process)
        assert "testing-secret" not in err and "Traceback" not in err


def test_logdir_spec_with_a_missing_local_folder_is_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "board", "--logdir_spec", f"a:{tmp_path / 'nope'}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"board: logdir {str(tmp_path / 'nope')!r} does not exist"]


def test_an_http_logdir_is_listed_from_its_index_pages_and_tailed(tmp_path):
    """Read-only http(s)://: Python's own file server (which ignores Range: the reader then cuts
    the range out of the whole answer)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    path = tmp_path / "run1" / NAME
    write_events(path, [scalar_event("x", s, 1.0) for s in range(5)])
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        loader = Loader(f"http://127.0.0.1:{server.server_address[1]}/")
        loader.reload()
        assert steps(loader, "run1", "x") == list(range(5))
        write_events(path, [scalar_event("x", s, 1.0) for s in range(5, 9)], mode="ab")
        loader.reload()
        assert steps(loader, "run1", "x") == list(range(9))
    finally:
        server.shutdown()
        server.server_close()


def test_in_a_logdir_spec_a_refused_store_keeps_its_runs_and_the_others_go_on(s3, bucket, tmp_path, caplog):
    from board.data.storage import open_logdir_spec

    path = tmp_path / "train" / NAME
    write_events(path, [scalar_event("loss", s, 1.0) for s in range(2)])
    s3.put(bucket, f"eval/{NAME}", scalars("acc", range(3)))
    loader = Loader(open_logdir_spec(f"local:{tmp_path},cloud:s3://{bucket}"))
    loader.reload()
    s3.deny = True
    write_events(path, [scalar_event("loss", s, 1.0) for s in range(2, 4)], mode="ab")
    with caplog.at_level(logging.WARNING, logger="board"):
        loader.reload()
        loader.reload()
    assert sorted(r.name for r in loader.run_list()) == ["cloud/eval", "local/train"]
    assert steps(loader, "local/train", "loss") == [0, 1, 2, 3]
    assert steps(loader, "cloud/eval", "acc") == [0, 1, 2]
    refused = [m for m in caplog.messages if "cannot list" in m]
    assert len(refused) == 1 and f"s3://{bucket}" in refused[0]


def test_no_credentials_is_one_clear_warning(s3, bucket, monkeypatch, caplog):
    s3.put(bucket, f"run/{NAME}", scalars("loss", range(3)))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    s3.configure_fsspec(read_timeout=4.5)  # another filesystem instance: it resolves credentials anew
    loader = Loader(f"s3://{bucket}")
    with caplog.at_level(logging.WARNING, logger="board"):
        loader.reload()
        loader.reload()
    assert loader.run_list() == []
    assert [m for m in caplog.messages if "cannot list" in m] == [
        f"board: cannot list s3://{bucket}: NoCredentialsError: Unable to locate credentials"]


def test_small_new_files_cost_one_request_each_fetched_by_windows(s3, bucket, monkeypatch):
    from board.data import storage

    monkeypatch.setattr(storage.RemoteStore, "HEAD_WINDOW", 7)
    for r in range(20):
        s3.put(bucket, f"run{r:02d}/{NAME}", scalars("loss", range(r + 1)))
    s3.put(bucket, f"junk/{NAME}", b"\1" * 100)
    loader = Loader(f"s3://{bucket}")
    s3.requests.clear()
    loader.reload()
    assert len(loader.run_list()) == 20
    assert all(steps(loader, f"run{r:02d}", "loss") == list(range(r + 1)) for r in range(20))
    gets = [r for r in s3.requests if r[0] == "GET" and "list-type" not in r[1]]
    assert len(gets) == 21  # its first bytes are the whole file: sniffed and read in one request
