"""Packaging hook: ships the web assets inside the `board` package.

`static/` and `templates/` live at the repository root (the design card fixes that layout). A wheel
built by `pip install .` copies them into `board/_assets/`, running the npm asset build first when
`static/vendor/` is missing, so an installed `board` serves the same pages as a checkout.
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
        if not (ROOT / "static" / "vendor").is_dir():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
            subprocess.run([sys.executable, "scripts/build_assets.py"], cwd=ROOT, check=True)
        target = Path(self.build_lib) / "board" / "_assets"
        for name in ("static", "templates"):
            shutil.copytree(ROOT / name, target / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithAssets})
