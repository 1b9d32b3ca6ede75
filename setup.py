"""Packaging hook: ships the web assets inside the `board` package.

`static/` and `templates/` live at the repository root (the design card fixes that layout). A wheel
built by `pip install .` copies them into `board/_assets/`, first running the asset build
(scripts/build_assets.py: vendor files and the bundled page scripts; `npm ci` before it when
node_modules/ is missing) when its output is missing or older than its sources, so the wheel never
carries stale bundles. An installed `board` thus serves the same pages as a checkout.
`board/resources.py` looks in the checkout first, then in `board/_assets/`.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithAssets(build_py):
    def run(self):
        super().run()
        build_assets = [sys.executable, "scripts/build_assets.py"]
        if subprocess.run([*build_assets, "--check"], cwd=ROOT, capture_output=True).returncode != 0:
            if not (ROOT / "node_modules").is_dir():
                npm_ci = ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]
                subprocess.run(npm_ci, cwd=ROOT, check=True)
            subprocess.run(build_assets, cwd=ROOT, check=True)
        target = Path(self.build_lib) / "board" / "_assets"
        for name in ("static", "templates"):
            shutil.copytree(ROOT / name, target / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithAssets})
