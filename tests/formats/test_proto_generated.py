"""The committed *_pb2.py modules are what grpcio-tools generates from our .proto files."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_generated_modules_are_up_to_date(tmp_path):
    protos = sorted((ROOT / "engine" / "proto").glob("*.proto"))
    (tmp_path / "engine" / "proto").mkdir(parents=True)
    for proto in protos:
        shutil.copy(proto, tmp_path / "engine" / "proto" / proto.name)
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", "-I.", "--python_out=.", "--pyi_out=.",
         *[f"engine/proto/{p.name}" for p in protos]],
        cwd=tmp_path, check=True,
    )
    for proto in protos:
        for suffix in ("_pb2.py", "_pb2.pyi"):
            name = proto.stem + suffix
            fresh = (tmp_path / "engine" / "proto" / name).read_text()
            committed = (ROOT / "engine" / "proto" / name).read_text()
            assert fresh == committed, f"engine/proto/{name} is stale: run `make proto`"


def test_field_numbers_match_tensorflow():
    """Spot checks against TensorFlow's numbering, beyond the fixture round trips."""
    from engine.proto import event_pb2, summary_pb2, tensor_bundle_pb2, types_pb2

    fields = event_pb2.Event.DESCRIPTOR.fields_by_name
    assert {n: fields[n].number for n in ("wall_time", "step", "file_version", "graph_def", "summary",
                                          "log_message", "session_log", "tagged_run_metadata",
                                          "meta_graph_def")} == {
        "wall_time": 1, "step": 2, "file_version": 3, "graph_def": 4, "summary": 5,
        "log_message": 6, "session_log": 7, "tagged_run_metadata": 8, "meta_graph_def": 9}
    value = summary_pb2.Summary.Value.DESCRIPTOR.fields_by_name
    assert (value["simple_value"].number, value["histo"].number, value["tensor"].number,
            value["metadata"].number) == (2, 5, 8, 9)
    entry = tensor_bundle_pb2.BundleEntryProto.DESCRIPTOR.fields_by_name
    assert entry["crc32c"].number == 6 and entry["crc32c"].type == entry["crc32c"].TYPE_FIXED32
    dtypes = (types_pb2.DT_FLOAT, types_pb2.DT_INT64, types_pb2.DT_HALF, types_pb2.DT_FLOAT_REF)
    assert dtypes == (1, 9, 19, 101)
