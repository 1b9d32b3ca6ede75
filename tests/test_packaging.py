"""`pip install .` must give a working board: the wheel carries the templates and the built assets."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_templates_static_files_vendor_files_and_page_scripts(tmp_path):
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)]
    subprocess.run(command, check=True, timeout=600, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assets = "board/_assets/"
    for expected in (assets + "templates/base.html", assets + "templates/scalars.html",
                     assets + "templates/graphs.html", assets + "static/vendor/uPlot.min.css",
                     assets + "static/vendor/elk.bundled.js", assets + "static/bundle/scalars/main.js",
                     assets + "static/bundle/graph/main.js", assets + "static/bundle/graph/layout_worker.js",
                     "board/resources.py", "engine/proto/event_pb2.py", "engine/__init__.py",
                     "tfformat/records.py", "tfformat/crc_tables.py", "engine/framework/op_signatures.pb"):
        assert expected in names, expected
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "board = board.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
