"""Build board's browser files from node_modules/ and static/js/ (outputs are git-ignored).

1. Copies third-party files the pages load by URL (uPlot's CSS, elkjs for the layout worker) from
   node_modules/ into ``static/vendor/``.
2. Bundles each page's entry module, ``static/js/<page>/main.js``, with everything it imports (our
   modules and uPlot from node_modules) into ``static/bundle/<page>/main.js`` with esbuild, and each
   worker, ``static/js/**/*_worker.js``, into the same place under ``static/bundle/``. Pages load
   only the bundle: one request instead of one per module, which the first chart was waiting for
   (bench/scalars_page.py). ``static/js/`` stays the source; the bundles keep its folder layout, so
   relative URLs (``new URL("./layout_worker.js", import.meta.url)``, ``../../vendor/``) resolve
   alike from both.

The libraries and esbuild are pinned by package.json + package-lock.json at the repository root.
Run this after ``npm ci`` (``make assets`` does both); ``--install`` runs ``npm ci`` first.

    python scripts/build_assets.py [--install] [--check]

``--check`` builds nothing and exits 1 when a vendor file is missing or differs from node_modules,
or a bundle is missing or older than the sources it is built from.
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
ESBUILD = NODE_MODULES / ".bin" / "esbuild"
STATIC = ROOT / "static"
SOURCES = STATIC / "js"
VENDOR = STATIC / "vendor"
BUNDLE = STATIC / "bundle"  # board/routes/pages.py serves the pages' scripts from here

# vendor file name -> path inside node_modules: files the pages load by URL rather than import.
ASSETS: dict[str, str] = {
    "uPlot.min.css": "uplot/dist/uPlot.min.css",
    "elk.bundled.js": "elkjs/lib/elk.bundled.js",  # importScripts'd by the graph layout worker
}

# Licences of the npm packages the page bundles include. esbuild keeps only comments marked as legal
# (/*! or @license), which uPlot's header is not, so the MIT notice is put at the top of each bundle.
BUNDLED_LICENSES = ["uplot/LICENSE", "three/LICENSE"]


def page_entries() -> list[Path]:
    """Entry modules of the pages, loaded with <script type="module">."""
    return sorted(SOURCES.glob("*/main.js"))


def worker_entries() -> list[Path]:
    """Classic worker scripts (they use importScripts), started with `new Worker(url)`."""
    return sorted(SOURCES.glob("**/*_worker.js"))


def bundle_of(entry: Path) -> Path:
    return BUNDLE / entry.relative_to(SOURCES)


def npm_ci() -> None:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("build_assets: npm is not installed; install Node.js 18+ and run `npm ci` in " + str(ROOT))
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)


def stale_vendor() -> list[str]:
    """Paths of vendor files that are missing or differ from node_modules (when it is there)."""
    stale = []
    for name, source in ASSETS.items():
        target, origin = VENDOR / name, NODE_MODULES / source
        if not target.exists() or (origin.exists() and not filecmp.cmp(origin, target, shallow=False)):
            stale.append(str(target.relative_to(ROOT)))
    return stale


def stale_bundles() -> list[str]:
    """Paths of bundles that are missing or older than a source module or the npm lockfile."""
    inputs = [*SOURCES.rglob("*.js"), ROOT / "package-lock.json"]
    newest = max(path.stat().st_mtime_ns for path in inputs)
    stale = []
    for entry in page_entries() + worker_entries():
        target = bundle_of(entry)
        if not target.exists() or target.stat().st_mtime_ns < newest:
            stale.append(str(target.relative_to(ROOT)))
    return stale


def require_node_modules(paths: list[Path]) -> None:
    missing = [path for path in paths if not path.exists()]
    if missing:
        sys.exit(f"build_assets: {missing[0].relative_to(ROOT)} not found; run `npm ci` first "
                 "(or pass --install)")


def copy_vendor() -> int:
    require_node_modules([NODE_MODULES / source for source in ASSETS.values()])
    shutil.rmtree(VENDOR, ignore_errors=True)  # no file of a dropped library lingers
    VENDOR.mkdir(parents=True)
    for name, source in ASSETS.items():
        shutil.copyfile(NODE_MODULES / source, VENDOR / name)
    return len(ASSETS)


def license_banner() -> str:
    notices = [(NODE_MODULES / path).read_text().strip().replace("*/", "* /") for path in BUNDLED_LICENSES]
    return "/*! This bundle includes:\n\n" + "\n\n".join(notices) + "\n*/"


def esbuild(entries: list[Path], script_format: str, banner: str = "") -> None:
    # Not minified: the bundle stays readable, and minifying made no measurable difference to the
    # first chart (bench/scalars_page.py: 238 kB -> 109 kB, first chart 1.03x of the unminified
    # bundle's, median of 7 interleaved rounds at load 3.4). The source map shows static/js/ in
    # the browser's tools.
    command = [str(ESBUILD), *map(str, entries), "--bundle", f"--format={script_format}",
               f"--outbase={SOURCES}", f"--outdir={BUNDLE}", "--sourcemap", "--charset=utf8",
               "--log-level=warning"]
    if banner:
        command.append(f"--banner:js={banner}")
    subprocess.run(command, cwd=ROOT, check=True)


def bundle() -> int:
    require_node_modules([ESBUILD, *(NODE_MODULES / path for path in BUNDLED_LICENSES)])
    shutil.rmtree(BUNDLE, ignore_errors=True)  # no bundle of a removed entry lingers
    esbuild(page_entries(), "esm", license_banner())
    esbuild(worker_entries(), "iife")
    return len(page_entries()) + len(worker_entries())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install", action="store_true", help="run `npm ci` before building")
    parser.add_argument("--check", action="store_true",
                        help="only report missing or stale vendor files and bundles")
    args = parser.parse_args(argv)
    if args.install:
        npm_ci()
    if args.check:
        stale = stale_vendor() + stale_bundles()
        for path in stale:
            print(f"stale or missing: {path}")
        if stale:
            print("run `make assets` (or `python scripts/build_assets.py`) to build them")
        return 1 if stale else 0
    copied = copy_vendor()
    bundled = bundle()
    print(f"build_assets: copied {copied} files into {VENDOR.relative_to(ROOT)}/, "
          f"bundled {bundled} scripts into {BUNDLE.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
