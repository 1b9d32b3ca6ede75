"""README.md stays true: its training script runs and writes logs, its API table is current."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


SCRIPTS = re.findall(r"```python\n(.*?)```", README, re.S)


def test_readme_training_script_writes_a_graph_and_a_loss_curve(tmp_path):
    (script,) = [s for s in SCRIPTS if "FileWriter(\"tmp/logs/linear\"" in s]
    assert len(script.strip().splitlines()) <= 20
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True, timeout=120,
                   env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    from engine.io.tfrecord import read_records
    from engine.proto import event_pb2

    (path,) = (tmp_path / "tmp" / "logs" / "linear").glob("events.out.tfevents.*")
    events = [event_pb2.Event.FromString(r) for r in read_records(path)]
    assert any(e.graph_def for e in events)
    losses = [v.simple_value for e in events for v in e.summary.value if v.tag == "loss"]
    assert len(losses) == 100 and losses[-1] < 0.01 * losses[0]


def test_readme_api_table_is_generated_from_the_code():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "api_table.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_readme_screenshots_exist():
    for name in re.findall(r"\]\((docs/screenshots/[\w.-]+\.png)\)", README):
        assert (ROOT / name).is_file(), f"{name} missing: run `make screenshots`"


def test_readme_hparams_script_writes_a_sweep_board_reads(tmp_path):
    (script,) = [s for s in SCRIPTS if "hparams_config_pb" in s]
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True, timeout=120,
                   env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    from board.data.hparams import HParamsData
    from board.data.provider import LogdirProvider
    from engine.proto import hparams_api_pb2

    provider = LogdirProvider(tmp_path / "tmp" / "logs" / "sweep", reload_interval=0)
    data = HParamsData(provider)
    assert [info.name for info in data.experiment().hparam_infos] == ["hidden_units", "learning_rate"]
    request = hparams_api_pb2.ListSessionGroupsRequest(allowed_statuses=[hparams_api_pb2.STATUS_SUCCESS],
                                                       slice_size=10)
    assert data.session_groups(request).total_size == 4
