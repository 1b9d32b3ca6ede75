"""Copy third-party browser files from node_modules/ into static/vendor/ (git-ignored).

The libraries are pinned by package.json + package-lock.json at the repository root; this script only
copies their published dist files so pages can load them from ``/static/vendor/<name>``. Run it after
``npm ci`` (``make assets`` does both); ``--install`` runs ``npm ci`` first.

    python scripts/build_assets.py [--install] [--check]

``--check`` copies nothing and exits 1 when a vendor file is missing or differs from node_modules.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# vendor file name -> path inside node_modules. The d3 UMD builds attach to a global ``d3`` and must be
# loaded in dependency order (dispatch, selection, interpolate, color, timer, ease, transition, drag, zoom).
ASSETS: dict[str, str] = {
    "uPlot.iife.min.js": "uplot/dist/uPlot.iife.min.js",
    "uPlot.esm.js": "uplot/dist/uPlot.esm.js",
    "uPlot.min.css": "uplot/dist/uPlot.min.css",
    "elk.bundled.js": "elkjs/lib/elk.bundled.js",
    "elk-worker.min.js": "elkjs/lib/elk-worker.min.js",
    "d3-dispatch.min.js": "d3-dispatch/dist/d3-dispatch.min.js",
    "d3-selection.min.js": "d3-selection/dist/d3-selection.min.js",
    "d3-interpolate.min.js": "d3-interpolate/dist/d3-interpolate.min.js",
    "d3-color.min.js": "d3-color/dist/d3-color.min.js",
    "d3-timer.min.js": "d3-timer/dist/d3-timer.min.js",
    "d3-ease.min.js": "d3-ease/dist/d3-ease.min.js",
    "d3-transition.min.js": "d3-transition/dist/d3-transition.min.js",
    "d3-drag.min.js": "d3-drag/dist/d3-drag.min.js",
    "d3-zoom.min.js": "d3-zoom/dist/d3-zoom.min.js",
}


def npm_ci() -> None:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("build_assets: npm is not installed; install Node.js 18+ and run `npm ci` in " + str(ROOT))
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)


def check() -> list[str]:
    """Names of vendor files that are missing or stale."""
    stale = []
    for name, source in ASSETS.items():
        target = VENDOR / name
        if not target.exists() or not filecmp.cmp(NODE_MODULES / source, target, shallow=False):
            stale.append(name)
    return stale


def copy_all() -> int:
    missing = [source for source in ASSETS.values() if not (NODE_MODULES / source).exists()]
    if missing:
        sys.exit(f"build_assets: {missing[0]} not found under {NODE_MODULES}; run `npm ci` first "
                 "(or pass --install)")
    VENDOR.mkdir(parents=True, exist_ok=True)
    for name, source in ASSETS.items():
        shutil.copyfile(NODE_MODULES / source, VENDOR / name)
    return len(ASSETS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install", action="store_true", help="run `npm ci` before copying")
    parser.add_argument("--check", action="store_true", help="only report missing or stale vendor files")
    args = parser.parse_args(argv)
    if args.install:
        npm_ci()
    if args.check:
        stale = check()
        for name in stale:
            print(f"stale or missing: static/vendor/{name}")
        return 1 if stale else 0
    count = copy_all()
    print(f"build_assets: copied {count} files into {VENDOR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
