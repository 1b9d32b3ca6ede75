"""Histograms page speed in real headless Chromium, against the scalars page in the same run.

    python bench/histograms_page.py [--runs 8] [--histogram-tags 16] [--steps 500] [--repeat 5]

Writes RUNS runs, each with HISTOGRAM_TAGS histogram tags x STEPS steps (TF1 HistogramProto, 30
buckets; bench/load_histograms.py's writer) and 4 scalar tags x STEPS steps, into a temporary
logdir, serves it with `python -m board`, then, alternating, opens /histograms and /scalars and
takes from each the time from navigation start to its first card drawn (the `performance` marks
the pages set on the frame after a card's first draw: static/js/dashboard/page.js,
static/js/scalars/card.js). Prints the medians, the median of per-round ratios and the load
average. Target: the histograms page's first card < 0.5 s.

With `--baseline CHECKOUT` (another checkout of this project, its page scripts built), that
checkout's board serves the same logdir too, and each round also opens its /histograms, alternating
with ours; prints the median of the per-round ratios ours / baseline.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import eventgen  # noqa: E402
from load_histograms import write_histograms  # noqa: E402
from scalars_page import CHROMIUM, CHROMIUM_ARGS, require_built_assets, serve  # noqa: E402

TARGET_FIRST = 0.5
FIRST_MARK = """(prefix) => {
  const marks = performance.getEntriesByType("mark").filter((m) => m.name.startsWith(prefix));
  return marks.length ? Math.min(...marks.map((m) => m.startTime)) : null;
}"""


def first_card_seconds(browser, url: str, page_name: str, prefix: str) -> float:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(f"{url}/{page_name}")
        # a "() => ..." function: the pages' CSP refuses a bare expression (eval)
        page.wait_for_function(f"() => ({FIRST_MARK})({prefix!r}) !== null", timeout=30_000)
        return page.evaluate(FIRST_MARK, prefix) / 1000
    finally:
        page.close()


def wait_until_loaded(url: str, runs: int) -> None:
    """Until the server at `url` is up and every run's histograms are loaded."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/data/plugin/histograms/tags") as tags:
                if tags.read().count(b"layer0/weights") == runs:
                    return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--histogram-tags", type=int, default=16)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout of this project (page scripts built) to time alternately")
    args = parser.parse_args()
    require_built_assets()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="board-bench-histpage-"))
    process = base_process = None
    try:
        eventgen.generate(work, args.runs, 4, args.steps)
        for run in sorted(p.name for p in work.iterdir()):
            write_histograms(work / run, [f"layer{k}/weights" for k in range(args.histogram_tags)],
                             args.steps, 30)
        process, url = serve(work)
        wait_until_loaded(url, args.runs)
        if args.baseline:
            base_process, base_url = serve(work, args.baseline.resolve())
            wait_until_loaded(base_url, args.runs)
        print(f"logdir: {args.runs} runs x {args.histogram_tags} histogram tags x {args.steps} steps "
              f"(+ 4 scalar tags each)")
        hist, scal, ratios, base, base_ratios = [], [], [], [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            first_card_seconds(browser, url, "histograms", "board:card-ready:")  # warm-up
            if args.baseline:
                first_card_seconds(browser, base_url, "histograms", "board:card-ready:")
            for round_ in range(args.repeat):
                order = [("histograms", url, "histograms", "board:card-ready:"),
                         ("scalars", url, "scalars", "board:card-drawn:")]
                if args.baseline:
                    order.append(("baseline", base_url, "histograms", "board:card-ready:"))
                if round_ % 2:
                    order.reverse()
                took = {name: first_card_seconds(browser, where, page, prefix)
                        for name, where, page, prefix in order}
                hist.append(took["histograms"])
                scal.append(took["scalars"])
                ratios.append(took["histograms"] / took["scalars"])
                if args.baseline:
                    base.append(took["baseline"])
                    base_ratios.append(took["histograms"] / took["baseline"])
                print(f"  round {round_ + 1}: histograms first card {took['histograms'] * 1000:.0f} ms, "
                      f"scalars first chart {took['scalars'] * 1000:.0f} ms"
                      + (f", baseline's histograms {took['baseline'] * 1000:.0f} ms"
                         if args.baseline else ""))
            browser.close()
        first = statistics.median(hist)
        print(f"median: histograms first card {first * 1000:.0f} ms (target {TARGET_FIRST * 1000:.0f} ms, "
              f"ratio {first / TARGET_FIRST:.2f}); "
              f"scalars first chart {statistics.median(scal) * 1000:.0f} ms; "
              f"median ratio histograms/scalars {statistics.median(ratios):.2f}; "
              f"load average {os.getloadavg()[0]:.2f}")
        if args.baseline:
            print(f"baseline {args.baseline}: histograms first card {statistics.median(base) * 1000:.0f} ms; "
                  f"ours / baseline, median of rounds: {statistics.median(base_ratios):.2f}")
    finally:
        for server in (process, base_process):
            if server is not None:
                server.terminate()
                server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
