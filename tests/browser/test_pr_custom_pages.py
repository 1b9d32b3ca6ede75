"""The PR curves and custom scalars pages in real headless Chromium, on logdirs of our engine's
TensorBoard-style writers (tests/board/test_pr_custom_routes.py writes them) and of tensorboardX
(the real multi_plugin fixture). Screenshots: test-artifacts/pr-*.png, custom-*.png."""

from __future__ import annotations

import pytest

from tests.board.test_pr_custom_routes import TBX, write_engine_logdir

from ..conftest import REAL_FIXTURES

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def engine_logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("pr_custom")
    write_engine_logdir(root)
    return root


def snapshot(page, selector: str):
    return page.evaluate("(s) => document.querySelector(s).__chart.snapshot()", selector)


def ready_card(page, key: str, value: str):
    """The card whose data-<key> is `value` (a PR curve's tag, a custom chart's title), once drawn."""
    selector = f"article.card[data-{key}='{value}']"
    page.locator(selector).scroll_into_view_if_needed()
    page.wait_for_selector(f"{selector}[data-state=ready]", timeout=20_000)
    return page.locator(selector), selector


def test_pr_curves_one_line_per_run_slider_and_tooltip(board_server, page, screenshot, engine_logdir):
    server = board_server(engine_logdir)
    page.goto(f"{server.url}/pr_curves")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    assert page.locator("[data-unshown]").count() == 0  # every plugin of this logdir has a page now
    assert page.locator("a[data-dashboard=pr_curves][aria-current=page]").count() == 1
    card, selector = ready_card(page, "tag", "pr/class1/pr_curves")
    assert card.locator(".card__title").inner_text() == "pr/class1/pr_curves (class one)"
    assert card.locator(".dash-card__description strong").inner_text() == "one"
    drawn = snapshot(page, f"{selector} .dash-uplot")
    assert sorted(drawn["runs"]) == ["alpha", "beta", "gamma"]
    alpha = drawn["runs"]["alpha"]
    assert alpha["step"][0] == 54  # the newest step first
    assert alpha["x"] == sorted(alpha["x"]) and 0 <= min(alpha["raw"]) and max(alpha["raw"]) <= 1
    assert drawn["yScale"] == {"min": 0, "max": 1}
    # the line is the route's curve, every threshold kept (recall repeats along it)
    route = page.evaluate("(u) => fetch(u).then((r) => r.json())",
                          "/data/plugin/pr_curves/pr_curves?run=alpha&tag=pr/class1/pr_curves")
    newest = route["alpha"][-1]
    assert sorted(zip(alpha["x"], alpha["raw"], strict=True)) == sorted(
        zip(newest["recall"], newest["precision"], strict=True))
    assert len(alpha["x"]) == len(newest["thresholds"])

    slider = card.locator(".pr-run[data-run=alpha] input[type=range]")
    slider.focus()
    page.keyboard.press("Home")
    assert card.locator(".pr-run[data-run=alpha] .step-slider__label").inner_text() == "step 0"
    assert snapshot(page, f"{selector} .dash-uplot")["runs"]["alpha"]["step"][0] == 0
    assert snapshot(page, f"{selector} .dash-uplot")["runs"]["beta"]["step"][0] == 54  # its own slider

    box = card.locator(".dash-uplot .u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
    tip = page.locator(".tooltip[data-tag='pr/class1/pr_curves']")
    tip.wait_for(state="visible")
    assert tip.locator("th").all_inner_texts() == ["Run", "Threshold", "Precision", "Recall", "TP", "FP",
                                                  "TN", "FN", "Step"]
    assert tip.locator("tbody tr").count() == 3
    screenshot("pr-curves")


def test_pr_curves_of_tensorboardx_dark(board_server, page, screenshot):
    server = board_server(REAL_FIXTURES / "multi_plugin" / "logdir")
    page.emulate_media(color_scheme="dark")
    page.goto(f"{server.url}/pr_curves")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    card, selector = ready_card(page, "tag", "pr/class0")
    drawn = snapshot(page, f"{selector} .dash-uplot")
    assert list(drawn["runs"]) == ["tbx_run"] and drawn["runs"]["tbx_run"]["step"][0] == 200
    assert card.locator(".step-slider__label").inner_text() == "step 200"
    screenshot("pr-curves-tbx-dark")


def test_pr_curves_empty_logdir_says_how_to_write_one(board_server, page, tmp_path):
    server = board_server(tmp_path)
    page.goto(f"{server.url}/pr_curves")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    assert "tf.summary.pr_curve" in page.locator("[data-empty]").inner_text()


def test_custom_scalars_multiline_and_margin_charts(board_server, page, screenshot, engine_logdir):
    server = board_server(engine_logdir)
    page.goto(f"{server.url}/custom_scalars")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    assert page.locator("a[data-dashboard=custom_scalars][aria-current=page]").count() == 1
    groups = page.locator("section.group")
    assert groups.locator(".group__name").all_inner_texts() == ["losses", "metrics"]
    assert "is-collapsed" in groups.nth(1).get_attribute("class")  # the layout marks "metrics" closed

    _, selector = ready_card(page, "chart", "all")
    drawn = snapshot(page, f"{selector} .dash-uplot")
    # r"loss/(train|eval)" matched from the start: two tags of each of the three runs
    assert sorted(drawn["runs"]) == sorted(f"{tag} ({run})" for tag in ("loss/eval", "loss/train")
                                           for run in ("alpha", "beta", "gamma"))
    line = drawn["runs"]["loss/train (alpha)"]
    assert line["step"] == list(range(0, 60, 6)) and line["raw"][0] == 1.0
    assert drawn["smoothing"] == 0.6 and line["smoothed"] != line["raw"]

    _, band = ready_card(page, "chart", "band")
    drawn = snapshot(page, f"{band} .dash-uplot")
    assert sorted(drawn["runs"]) == ["loss/train (alpha)", "loss/train (beta)", "loss/train (gamma)"]
    series = page.evaluate("(s) => document.querySelector(s).__chart.plot.series.map((x) => x.label)",
                           f"{band} .dash-uplot")
    assert "loss/train (alpha) (upper)" in series and "loss/train (alpha) (lower)" in series
    bands = page.evaluate("(s) => document.querySelector(s).__chart.plot.bands.length", f"{band} .dash-uplot")
    assert bands == 3
    box = page.locator(f"{band} .u-over").bounding_box()
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] * 0.5)  # at step 0
    tip = page.locator(".tooltip:not(.is-hidden)")
    tip.wait_for(state="visible")
    assert tip.locator("th").all_inner_texts() == ["Run", "Smoothed", "Value", "Lower", "Upper", "Step"]
    row = tip.locator("tbody tr", has_text="(alpha)").locator("td").all_inner_texts()
    assert row[1:] == ["1", "1", "0.8", "1.4", "0"]  # loss/train, lower and upper of alpha at step 0
    page.mouse.move(0, 0)

    page.locator("input[data-setting=smoothing]").fill("0")
    page.wait_for_function("() => document.querySelector(\"article[data-chart='all'] .dash-uplot\")"
                           ".__chart.snapshot().smoothing === 0")
    # one run only: the lines follow the run list
    page.locator("[data-run-filter]").fill("^beta$")
    page.wait_for_function("() => Object.keys(document.querySelector("
                           "\"article[data-chart='all'] .dash-uplot\").__chart.snapshot().runs).length === 2")
    page.locator("[data-run-filter]").fill("")
    page.wait_for_function("() => Object.keys(document.querySelector("
                           "\"article[data-chart='all'] .dash-uplot\").__chart.snapshot().runs).length === 6")
    page.locator("section.group .group__head").nth(1).click()  # open "metrics"
    _, acc = ready_card(page, "chart", "acc")  # not gamma's chart: TensorBoard's merge drops it
    runs = sorted(snapshot(page, f"{acc} .dash-uplot")["runs"])
    assert runs == [f"accuracy ({run})" for run in ("alpha", "beta", "gamma")]
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(f"{selector} .u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    tip = page.locator(".tooltip:not(.is-hidden)")
    tip.wait_for(state="visible")
    assert tip.locator("tbody tr").count() == 6 and tip.locator("th").first.inner_text() == "Run"
    legend = page.locator(f"{selector} .custom-legend")
    assert legend.count() == 6
    href = legend.filter(has_text="loss/train (alpha)").get_attribute("href")
    csv = page.evaluate("(u) => fetch(u).then((r) => r.text())", href)
    assert csv.splitlines()[0] == "Wall time,Step,Value" and len(csv.splitlines()) == 11
    page.mouse.move(0, 0)
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot("custom-scalars")


def test_custom_scalars_of_tensorboardx(board_server, page, screenshot):
    server = board_server(REAL_FIXTURES / "multi_plugin" / "logdir")
    page.goto(f"{server.url}/custom_scalars")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    _, selector = ready_card(page, "chart", "train vs eval loss")
    drawn = snapshot(page, f"{selector} .dash-uplot")
    # the tbX layout names two tags, which the TF1 runs have too
    assert {"eval/loss (tbx_run)", "train/loss (tbx_run)", "train/loss (lr0.1_adam_u32)"} <= set(
        drawn["runs"])
    assert all(name.split(" (")[0] in ("train/loss", "eval/loss") for name in drawn["runs"])
    assert len(drawn["runs"]["train/loss (tbx_run)"]["step"]) == 300
    screenshot("custom-scalars-tbx")


def test_tensorboardx_margin_charts_dark(board_server, page, screenshot):
    server = board_server(TBX)
    page.emulate_media(color_scheme="dark")
    page.goto(f"{server.url}/custom_scalars")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    assert page.locator("section.group .group__name").all_inner_texts() == ["losses", "other", "margins"]
    for title, value in [("band", "loss/train"), ("eval band", "loss/eval")]:
        _, selector = ready_card(page, "chart", title)
        drawn = snapshot(page, f"{selector} .dash-uplot")
        assert sorted(drawn["runs"]) == [f"{value} (a)", f"{value} (b)"]  # charts apply to every run
        bands = page.evaluate("(s) => document.querySelector(s).__chart.plot.bands.length",
                              f"{selector} .dash-uplot")
        assert bands == 2
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot("custom-scalars-tbx-margins-dark")


def test_custom_scalars_without_a_layout_says_how_to_write_one(board_server, page, tmp_path):
    server = board_server(tmp_path)
    page.goto(f"{server.url}/custom_scalars")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    assert page.locator("[data-empty]").is_visible()
    assert "tf.summary.custom_scalar_pb" in page.locator("[data-empty]").inner_text()
