"""The newcomer's path, end to end: train the demo, serve it with the `board` command, look at both
dashboards in Chromium, then restore the checkpoint in a fresh process and predict."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .conftest import free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
RUNS = ("lr_0.001", "lr_0.01")


def run_example(*args, cwd) -> str:
    result = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def demo_logdir(tmp_path_factory) -> Path:
    """examples/train_mlp.py as `make demo` runs it, with few steps."""
    logdir = tmp_path_factory.mktemp("demo") / "logs"
    out = run_example(str(ROOT / "examples" / "train_mlp.py"), "--logdir", str(logdir), "--steps", "40",
                      "--print-every", "20", "--hist-every", "3", cwd=logdir.parent)
    assert out.count("test accuracy") == 2
    return logdir


@pytest.fixture(scope="module")
def board_process(demo_logdir):
    """The real command line, as a user starts it."""
    port = free_port()
    command = [sys.executable, "-m", "board", "--logdir", str(demo_logdir), "--port", str(port),
               "--reload-interval", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    last = None
    while True:
        try:
            with urllib.request.urlopen(url + "/data/runs", timeout=5) as response:
                last = response.read().decode()
                if all(f'"{run}"' in last for run in RUNS):
                    break
        except OSError as error:
            last = error
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"board did not serve {demo_logdir} ({last!r}): {process.communicate()[0]}")
        time.sleep(0.2)
    yield url
    process.terminate()
    output, _ = process.communicate(timeout=10)
    assert url.replace("localhost", "") in output or f"localhost:{port}" in output  # it printed the URL


def test_scalars_dashboard_shows_both_runs_and_their_tags(board_process, page, screenshot):
    page.goto(board_process + "/scalars")
    page.wait_for_selector("body[data-loaded=true]")
    for run in RUNS:
        page.locator(f"[data-runs] li[data-run='{run}']").wait_for()
    for tag in ("loss", "accuracy", "test/loss", "test/accuracy"):
        page.locator(f"article.card[data-tag='{tag}']").wait_for(state="attached")
    page.wait_for_function("""() => {
        const el = document.querySelector("article.card[data-tag='accuracy']");
        return el && Number(el.dataset.drawn) >= 1; }""")
    screenshot("end-to-end-scalars")
    card = page.locator("article.card[data-tag='loss']")
    card.scroll_into_view_if_needed()
    page.wait_for_function("""() => {
        const el = document.querySelector("article.card[data-tag='loss']");
        return el && Number(el.dataset.drawn) >= 1; }""")
    assert sorted(card.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.run)")) == list(RUNS)


def test_graph_dashboard_shows_the_models_scopes(board_process, page, screenshot):
    page.goto(board_process + "/graphs")
    page.wait_for_selector("body[data-graph-ready]", timeout=20_000)
    labels = page.locator(".g-node text").all_text_contents()
    for scope in ("layer1", "layer2", "output", "gradients", "Adam"):
        assert scope in labels, labels
    screenshot("end-to-end-graphs")
    # the traced step (examples/train_mlp.py traces one every 100 steps), coloured by compute time
    page.goto(board_process + "/graphs?run=lr_0.01&kind=run_metadata%2Fstep0&color=compute")
    page.wait_for_selector("body[data-graph-ready]", timeout=20_000)
    page.wait_for_function("() => document.body.textContent.includes('Compute time of the step')")
    screenshot("end-to-end-graphs-compute")
    # ... and its timeline on the Trace page, compared per name scope with the other run's
    page.goto(board_process + "/trace?run=lr_0.01&tag=step0&run2=lr_0.001&tag2=step0&group=scope")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    assert page.evaluate("() => window.board.snapshot().bars") > 0
    page.wait_for_function("() => window.board.snapshot().compareRows.includes('layer1')")
    screenshot("end-to-end-trace")


def test_a_second_process_restores_the_checkpoint_and_predicts(demo_logdir):
    out = run_example(str(ROOT / "examples" / "restore_and_predict.py"), "--checkpoint-dir",
                      str(demo_logdir / "lr_0.01"), cwd=demo_logdir.parent)
    accuracy = float(re.search(r"accuracy on 360 held-out digits: ([\d.]+)", out).group(1))
    assert accuracy > 0.8  # 40 steps of Adam at 0.01 on digits
    assert "model.ckpt-40" in out


def test_histograms_images_and_text_dashboards_show_the_demo(board_process, page, screenshot):
    """`make demo` writes weight and activation histograms, first-layer weights as images and a text
    summary (examples/train_mlp.py); each dashboard shows them."""
    page.goto(board_process + "/histograms")
    page.wait_for_selector("body[data-loaded=true]")
    for tag in ("layer1/weight_1", "activations/layer1", "activations/layer2"):
        page.locator(f"article.card[data-run='lr_0.01'][data-tag='{tag}']").wait_for(state="attached")
    page.wait_for_selector("article.card[data-tag='activations/layer1'][data-state=ready]")
    page.fill("[data-tag-filter]", "weight")  # the weights first: the activations' zeros dwarf the rest
    page.wait_for_selector("article.card[data-run='lr_0.01'][data-tag='layer1/weight_1'][data-state=ready]")
    screenshot("end-to-end-histograms")
    page.goto(board_process + "/distributions")
    page.wait_for_selector("article.card[data-tag='activations/layer1'][data-state=ready]")
    screenshot("end-to-end-distributions")
    page.goto(board_process + "/images")
    page.wait_for_selector("article.card[data-tag='layer1/unit_weights/image/0'][data-state=ready]")
    page.wait_for_function("""() => [...document.querySelectorAll("article.card img")]
        .some((img) => img.complete && img.naturalWidth === 8)""")
    screenshot("end-to-end-images")
    page.goto(board_process + "/text")
    notes = page.locator("article.card[data-run='lr_0.01'][data-tag='notes']")
    page.wait_for_selector("article.card[data-run='lr_0.01'][data-tag='notes'][data-state=ready]")
    assert "test accuracy" in notes.inner_text()  # the last step's summary first
    page.locator("input[data-setting=all-steps-text]").check()
    assert notes.locator("table").count() == 1
    screenshot("end-to-end-text")


def test_time_series_page_shows_the_demos_scalars_histograms_and_images(board_process, page, screenshot):
    """The Time Series page (the first tab) shows the demo's scalars, histograms and images in one
    grid; pinned cards open at the top."""
    keys = (["scalars", "loss"], ["images", "layer1/unit_weights/image/0", "lr_0.01"])
    pins = [json.dumps(k, separators=(",", ":")) for k in keys]  # as the page's JSON.stringify
    query = urlencode([("tags", "^loss$|^layer1/(weight|unit_weights/image/0)")] + [("pin", p) for p in pins])
    page.goto(board_process + "/time-series?" + query)
    page.wait_for_selector("body[data-loaded=true]")
    pinned = page.locator("section[data-pinned] article.card")
    assert pinned.evaluate_all("els => els.map((e) => e.dataset.key)") == pins
    page.wait_for_selector("section[data-pinned] article.card[data-tag='loss'] canvas")
    page.wait_for_selector("section[data-pinned] article.card[data-kind=images][data-state=ready] img")
    page.wait_for_selector("article.card[data-kind=histograms][data-state=ready] path.hist__curve")
    kinds = set(page.eval_on_selector_all("[data-groups] article.card:not(.is-hidden)",
                                          "els => els.map((e) => e.dataset.kind || 'scalars')"))
    assert kinds == {"scalars", "histograms", "images"}
    page.wait_for_load_state("networkidle")
    screenshot("end-to-end-time-series")


@pytest.fixture(scope="module")
def sweep_logdir(tmp_path_factory) -> Path:
    """examples/hparams_sweep.py as `make demo` runs it (into logs/hparams_sweep), with few steps."""
    logdir = tmp_path_factory.mktemp("sweep") / "logs"
    out = run_example(str(ROOT / "examples" / "hparams_sweep.py"), "--logdir", str(logdir / "hparams_sweep"),
                      "--steps", "60", cwd=logdir.parent)
    assert out.count("test accuracy") == 4
    return logdir


def test_hparams_dashboard_shows_the_demo_sweep(board_server, sweep_logdir, page, screenshot):
    server = board_server(sweep_logdir)
    page.goto(server.url + "/hparams?view=parallel")
    page.wait_for_selector("body[data-loaded=true]")
    assert page.locator("polyline.hp-line").count() == 4  # learning rate x hidden units
    titles = page.eval_on_selector_all(".hp-axis__title", "els => els.map(e => e.textContent)")
    assert titles[:2] == ["Hidden units", "Learning rate (log)"]
    assert {"Test accuracy", "Test loss", "Train loss"} <= {t.removesuffix(" (log)") for t in titles}
    page.locator("polyline[data-group='lr0.01_h128']").dispatch_event("click")
    page.wait_for_function("() => document.querySelector('[data-hp-curves]').dataset.state === 'ready'")
    screenshot("end-to-end-hparams", full_page=True)
def test_pr_curves_and_custom_scalars_dashboards_show_the_demo(board_process, page, screenshot):
    """`make demo` writes PR curves of three digits on the test set and a custom scalars layout
    (examples/train_mlp.py); both pages show them on first start."""
    page.goto(board_process + "/pr_curves")
    page.wait_for_selector("body[data-loaded=true]")
    assert page.locator("article.card").count() == 3
    selector = "article.card[data-tag='pr/digit_8/pr_curves']"
    page.wait_for_selector(f"{selector}[data-state=ready]")
    drawn = page.evaluate("(s) => document.querySelector(s).__chart.snapshot()", f"{selector} .dash-uplot")
    assert sorted(drawn["runs"]) == ["lr_0.001", "lr_0.01"]
    first = "article.card[data-tag='pr/digit_3/pr_curves']"
    page.wait_for_selector(f"{first}[data-state=ready]")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator(f"{first} .u-over").hover(position={"x": 200, "y": 60})
    page.locator(".tooltip:not(.is-hidden)").wait_for(state="visible")
    screenshot("end-to-end-pr-curves")
    page.mouse.move(0, 0)
    page.goto(board_process + "/custom_scalars")
    page.wait_for_selector("article.card[data-chart='loss'][data-state=ready]")
    drawn = page.evaluate("(s) => document.querySelector(s).__chart.snapshot()",
                          "article.card[data-chart='loss'] .dash-uplot")
    assert sorted(drawn["runs"]) == ["loss (lr_0.001)", "loss (lr_0.01)", "test/loss (lr_0.001)",
                                     "test/loss (lr_0.01)"]
    page.wait_for_selector("article.card[data-chart='accuracy'][data-state=ready]")
    screenshot("end-to-end-custom-scalars")


def test_projector_dashboard_shows_the_demo_embedding(board_process, page, screenshot):
    """`make demo` writes the test digits' last hidden layer with their labels (examples/train_mlp.py):
    the Projector page draws it coloured by digit; the checkpoint's weight matrices are listed too."""
    page.goto(board_process + "/projector?color=digit")
    page.wait_for_selector("body[data-loaded=true]")
    page.wait_for_function("() => window.board.snapshot().count > 0")
    drawn = page.evaluate("() => window.board.snapshot()")
    assert drawn["run"] == "lr_0.001" and drawn["tensor"] == "test_digits/hidden"
    assert drawn["legend"] == [str(d) for d in range(10)]
    tensors = page.locator("[data-pj-tensor] option").all_inner_texts()
    assert tensors[0] == "test_digits/hidden" and "layer1/weight" in tensors
    screenshot("end-to-end-projector")
