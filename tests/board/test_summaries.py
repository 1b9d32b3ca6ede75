"""Board's own rules for non-scalar summaries: errors, ETags, sanitizing, purging, listing."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from board.data import histograms
from engine.proto import event_pb2, summary_pb2
from tests.board.conftest import event_file, file_version_event, start_event, write_events

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "summaries"


def _histo_event(tag: str, step: int, values) -> event_pb2.Event:
    limits = [-1.0, 0.0, 1.0, 1.7976931348623157e308]
    counts = np.histogram(values, bins=[-1e308, -1.0, 0.0, 1.0, 1e308])[0].astype(float)
    histo = summary_pb2.HistogramProto(min=float(np.min(values)), max=float(np.max(values)),
                                       num=len(values), sum=float(np.sum(values)),
                                       sum_squares=float(np.sum(np.square(values))),
                                       bucket_limit=limits, bucket=counts.tolist())
    return event_pb2.Event(wall_time=1.7e9 + step, step=step, summary=summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag=tag, histo=histo)]))


def test_unknown_run_or_tag_is_404_json(make_client):
    client = make_client(FIXTURES / "logdir_tf")
    for path, params in [("/data/plugin/histograms/histograms", {"run": "nope", "tag": "dense/kernel"}),
                         ("/data/plugin/histograms/histograms", {"run": "tf2", "tag": "nope"}),
                         ("/data/plugin/distributions/distributions", {"run": "tf2", "tag": "notes"}),
                         ("/data/plugin/images/images", {"run": "tf2", "tag": "dense/kernel"}),
                         ("/data/plugin/audio/audio", {"run": "tf1", "tag": "tone"}),
                         ("/data/plugin/text/text", {"run": "tf2", "tag": "inputs"})]:
        response = client.get(path, params=params)
        assert response.status_code == 404, (path, params)
        assert "error" in response.json()


def test_bad_parameters_are_400_json(make_client):
    client = make_client(FIXTURES / "logdir_tf")
    for path, params in [("/data/plugin/histograms/histograms", {"run": "tf2"}),
                         ("/data/plugin/images/individualImage", {"blob_key": "garbage"}),
                         ("/data/plugin/images/individualImage",
                          {"blob_key": '["tf2", "inputs", -1, 0, 0]'}),
                         ("/data/plugin/images/images", {"run": "tf2", "tag": "inputs", "sample": "-1"}),
                         ("/data/plugin/audio/individualAudio",
                          {"blob_key": '["tf2", "tone", 0, 0, 0]', "content_type": "text/html"})]:
        response = client.get(path, params=params)
        assert response.status_code == 400, (path, params, response.text)
        assert "error" in response.json()
    stale = client.get("/data/plugin/images/individualImage",
                       params={"blob_key": '["tf2", "inputs", 0, 5, 0]'})
    assert stale.status_code == 404


def test_images_have_type_and_etag(make_client):
    client = make_client(FIXTURES / "logdir_tf")
    entries = client.get("/data/plugin/images/images",
                         params={"run": "tf2", "tag": "inputs", "sample": 2}).json()
    assert [e["step"] for e in entries] == [0, 3, 6, 9]
    first = client.get("/data/plugin/images/individualImage?" + entries[0]["query"])
    assert first.headers["content-type"] == "image/png"
    assert first.content.startswith(b"\x89PNG")
    again = client.get("/data/plugin/images/individualImage?" + entries[0]["query"],
                       headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/data/plugin/images/individualImage?" + entries[1]["query"])
    assert other.headers["etag"] != first.headers["etag"]


def test_audio_labels_and_wav(make_client):
    client = make_client(FIXTURES / "logdir_tf")
    clips = client.get("/data/plugin/audio/audio", params={"run": "tf2", "tag": "tone", "sample": 1}).json()
    assert [c["contentType"] for c in clips] == ["audio/wav"] * 4
    wav = client.get("/data/plugin/audio/individualAudio?" + clips[0]["query"])
    assert wav.headers["content-type"] == "audio/wav" and wav.content[:4] == b"RIFF"


def test_text_never_carries_scripts(make_client):
    client = make_client(FIXTURES / "logdir_tf")
    (first, *_) = client.get("/data/plugin/text/text", params={"run": "tf2", "tag": "notes"}).json()
    html = first["text"]
    assert "<strong>0</strong>" in html and "<code>loss</code>" in html and "<table>" in html
    assert "<script" not in html and "onerror" not in html
    table = client.get("/data/plugin/text/text", params={"run": "tf2", "tag": "table"}).json()[0]["text"]
    assert table.count("<tr>") == 3 and "<em>units</em>" in table


def test_every_histogram_step_on_request(tmp_path, make_client):
    events = [file_version_event()] + [_histo_event("w", step, np.linspace(-2, 2, 9) + step / 100)
                                       for step in range(120)]
    write_events(event_file(tmp_path / "run"), events)
    client = make_client(tmp_path)
    tb_like = client.get("/data/plugin/histograms/histograms", params={"run": "run", "tag": "w"}).json()
    assert len(tb_like) == 51 and tb_like[-1][1] == 119
    every = client.get("/data/plugin/histograms/histograms", params={"run": "run", "tag": "w", "samples": 0})
    assert [row[1] for row in every.json()] == list(range(120))
    assert len(client.get("/data/plugin/distributions/distributions",
                          params={"run": "run", "tag": "w"}).json()) == 120


def test_restart_purges_later_histograms(tmp_path, make_client):
    path = event_file(tmp_path / "run")
    write_events(path, [file_version_event()] + [_histo_event("w", s, [0.5, 1.5]) for s in range(10)])
    client = make_client(tmp_path)
    write_events(path, [start_event(5), _histo_event("w", 5, [-0.5])], mode="ab")
    client.app.state.provider.reload()
    rows = client.get("/data/plugin/histograms/histograms",
                      params={"run": "run", "tag": "w", "samples": 0}).json()
    assert [row[1] for row in rows] == [0, 1, 2, 3, 4, 5]
    assert rows[-1][2] == [[-0.5, -0.5, 1.0]]


def test_plugins_listing_enables_each_dashboard(make_client):
    listing = make_client(FIXTURES / "logdir_tbx").get("/data/plugins_listing").json()
    for name in ("histograms", "distributions", "images", "audio", "text"):
        assert listing[name]["enabled"] is True, name
    assert listing["graphs"]["enabled"] is False


def test_compress_matches_percentiles():
    rows = np.array([[0.0, 1.0, 50.0], [1.0, 2.0, 50.0]])
    assert dict(histograms.compress(rows))[5000] == 1.0
    assert histograms.compress(np.zeros((0, 3))) == [(bp, 0.0) for bp in histograms.BASIS_POINTS]
    assert histograms.compress([[2.5, 2.5, 10.0]])[-1] == (10000, 2.5)


def _tensor_histogram_event(tag: str, step: int, first: bool) -> event_pb2.Event:
    from engine.proto import tensor_pb2, tensor_shape_pb2, types_pb2

    rows = np.array([[step, step + 1, 3.0], [step + 1, step + 2, 5.0]])
    tensor = tensor_pb2.TensorProto(
        dtype=types_pb2.DT_DOUBLE, tensor_content=rows.tobytes(),
        tensor_shape=tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=2),
                                                            tensor_shape_pb2.TensorShapeProto.Dim(size=3)]))
    value = summary_pb2.Summary.Value(tag=tag, tensor=tensor)
    if first:
        value.metadata.plugin_data.plugin_name = "histograms"
    return event_pb2.Event(wall_time=1.7e9 + step, step=step, summary=summary_pb2.Summary(value=[value]))


def test_histogram_events_read_from_their_bytes_equal_tensorboard(tmp_path, make_client, monkeypatch):
    """Single-value histogram events are indexed without protobuf (board.data.summaries.
    recognize_histograms); the answers stay TensorBoard's, including the step-0 events (no step
    field) and a TF2 tag whose first event (with metadata) takes the per-record path."""
    from board.data import loader
    from tests.board.tb_oracle import TensorBoardOracle

    recognized = []
    original = loader.recognize_histograms

    def spy(*args):
        found, rest = original(*args)
        recognized.append(len(found) if found is not None else 0)
        return found, rest

    monkeypatch.setattr(loader, "recognize_histograms", spy)
    events = [file_version_event()]
    for step in range(80):
        events += [_histo_event("a", step, np.linspace(-2, 2, 7) * (1 + step / 50)),
                   _histo_event("b/c", step, [0.25 + step / 100]),
                   _tensor_histogram_event("tf2", step, first=step == 0)]
    path = event_file(tmp_path / "run")
    write_events(path, events)
    client = make_client(tmp_path)
    client.get("/data/runs")
    # the TF2 tag is not known as a histogram before its first event is parsed: its events of
    # that chunk take the per-record path; those of later reads are recognized
    assert recognized == [160]
    write_events(path, [e for step in range(80, 120) for e in (
        _histo_event("a", step, [step / 10]), _tensor_histogram_event("tf2", step, first=False))], mode="ab")
    client.app.state.provider.reload()
    assert recognized == [160, 80]
    tb = TensorBoardOracle(tmp_path)
    for tag in ("a", "b/c", "tf2"):
        for route in ("histograms/histograms", "distributions/distributions"):
            got = client.get(f"/data/plugin/{route}", params={"run": "run", "tag": tag}).json()
            assert got == tb.json(f"/data/plugin/{route}", run="run", tag=tag), (route, tag)
    assert client.get("/data/plugin/histograms/tags").json() == tb.json("/data/plugin/histograms/tags")


def test_histogram_steps_of_any_varint_width_keep_file_order(tmp_path, make_client):
    """Steps whose varint is longer than the 8 bytes `recognize_histograms` reads at once (2**56
    and up, negative steps: 10 bytes) take the per-record path among recognized events of the same
    tags; every event is kept, in file order."""
    steps = [0, 1, 127, 128, 2**56 + 5, 3, -7, 2**40, 4] * 4
    events = [file_version_event()]
    for i, step in enumerate(steps):
        events += [_histo_event("w", step, [i / 10]), _histo_event("v/x", step, [i / 5])]
    write_events(event_file(tmp_path / "run"), events)
    client = make_client(tmp_path)
    for tag, scale in (("w", 10), ("v/x", 5)):
        rows = client.get("/data/plugin/histograms/histograms",
                          params={"run": "run", "tag": tag, "samples": 0}).json()
        assert [row[1] for row in rows] == steps
        assert [row[2][0][0] for row in rows] == [np.float32(i / scale) for i in range(len(steps))]


def test_a_restart_in_the_same_chunk_keeps_record_order(tmp_path, make_client):
    events = [file_version_event()] + [_histo_event("w", s, [0.5]) for s in range(40)]
    events += [start_event(30)] + [_histo_event("w", s, [1.5]) for s in range(30, 60)]
    write_events(event_file(tmp_path / "run"), events)
    rows = make_client(tmp_path).get("/data/plugin/histograms/histograms",
                                     params={"run": "run", "tag": "w", "samples": 0}).json()
    assert [row[1] for row in rows] == list(range(60))
    assert [row[2][0][0] for row in rows[28:32]] == [0.5, 0.5, 1.5, 1.5]


def test_pages_name_the_plugins_board_does_not_show(real_fixtures, make_client):
    client = make_client(real_fixtures / "multi_plugin" / "logdir")
    for page in ("histograms", "distributions", "images", "audio", "text", "pr_curves", "custom_scalars"):
        response = client.get(f"/{page}")
        assert response.status_code == 200
        html = " ".join(response.text.split())
        assert "plugin <code>hparams</code>" not in html  # the HParams page shows them
        assert "plugin <code>pr_curves</code>" not in html  # they have their pages
        assert "plugin <code>custom_scalars</code>" not in html
        assert "graph_keras_model" not in html  # the graph page draws Keras models
        assert 'id="dashboard-initial"' in html
    listing = client.get("/data/plugins_listing").json()
    assert all(listing[name]["has_page"] for name in listing)
