"""The histograms, distributions, images, audio and text pages in real headless Chromium, on
files written by real TensorFlow (tests/fixtures/summaries/logdir_tf) and tensorboardX.

Each test saves screenshots under test-artifacts/ (dash-*.png); console errors fail the test
(conftest.py's `page` fixture).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import REAL_FIXTURES

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "summaries"
TF = FIXTURES / "logdir_tf"


def open_page(page, server, name: str) -> None:
    page.goto(f"{server.url}/{name}")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)


def card(page, run: str, tag: str):
    return page.locator(f"article.card[data-run='{run}'][data-tag='{tag}']")


def ready(page, run: str, tag: str):
    locator = card(page, run, tag)
    locator.scroll_into_view_if_needed()
    page.wait_for_selector(f"article.card[data-run='{run}'][data-tag='{tag}'][data-state=ready]",
                           timeout=20_000)
    return locator


def test_histograms_offset_and_overlay(board_server, page, screenshot):
    server = board_server(TF)
    open_page(page, server, "histograms")
    kernel = ready(page, "tf2", "dense/kernel")
    assert kernel.locator("path.hist__curve").count() == 12  # every step of this tag (12 < 51)
    assert kernel.locator(".dash-card__description strong").inner_text() == "dense"  # Markdown description
    fill = kernel.locator("path.hist__curve").first.get_attribute("fill")
    assert fill != "none"  # offset mode: filled ridges
    page.wait_for_load_state("networkidle")  # no card is redrawn under the pointer any more
    box = kernel.locator("svg.hist").bounding_box()
    kernel.locator("svg.hist").hover(position={"x": box["width"] * 0.5, "y": box["height"] * 0.93})
    tip = kernel.locator(".dash-tip")
    assert tip.is_visible() and tip.inner_text().startswith("step 11 · [")  # newest in front
    assert kernel.locator("path.hist__curve.is-hover").count() == 1
    screenshot("dash-histograms-offset")
    page.get_by_text("Overlay", exact=True).click()
    page.wait_for_function("() => document.querySelector("
                           "\"article[data-tag='dense/kernel'] path.hist__curve\")"
                           ".getAttribute('fill') === 'none'")
    empty = ready(page, "tf2", "empty")
    assert empty.locator("path.hist__curve").count() == 12  # empty inputs draw flat lines
    page.locator("input[data-setting=all-steps]").check()
    page.wait_for_selector("article[data-tag='dense/kernel'][data-state=ready]")
    screenshot("dash-histograms-overlay")
    tf1 = ready(page, "tf1", "activations")
    assert tf1.locator("path.hist__curve").count() == 6


def test_histogram_page_names_run_filter_and_tag_filter(board_server, page):
    server = board_server(TF)
    open_page(page, server, "histograms")
    assert page.locator("article.card").count() == 5  # 4 TF2 tags + 1 TF1 tag
    page.fill("[data-tag-filter]", "^dense")
    assert page.locator("article.card").count() == 1
    page.fill("[data-tag-filter]", "")
    page.fill("[data-run-filter]", "tf1")
    assert page.locator("article.card").count() == 1
    nav = page.locator(".topbar__tab")
    assert nav.all_inner_texts() == ["Time Series", "Scalars", "Images", "Audio", "Graphs", "Distributions",
                                     "Histograms", "Text", "PR Curves", "Custom Scalars", "HParams",
                                     "Projector"]


def test_distributions_bands_and_hover(board_server, page, screenshot):
    server = board_server(TF)
    open_page(page, server, "distributions")
    kernel = ready(page, "tf2", "dense/kernel")
    assert kernel.locator("path.dist__band").count() == 4
    assert kernel.locator("path.dist__median").count() == 1
    page.wait_for_load_state("networkidle")
    box = kernel.locator("svg.dist").bounding_box()
    kernel.locator("svg.dist").hover(position={"x": box["width"] * 0.98, "y": box["height"] * 0.5})
    text = kernel.locator(".dash-tip").inner_text()
    assert text.startswith("step 11 · min ") and "median" in text and "max" in text
    screenshot("dash-distributions")
    page.get_by_text("Wall", exact=True).click()
    page.wait_for_function("() => document.querySelector(\"article[data-tag='dense/kernel'] svg.dist\")"
                           ".textContent.includes('wall time')")


def test_images_slider_keyboard_samples_and_look(board_server, page, screenshot):
    server = board_server(TF)
    open_page(page, server, "images")
    inputs = ready(page, "tf2", "inputs")
    page.wait_for_function("""() => { const img = document.querySelector("article[data-tag='inputs'] img");
        return img && img.complete && img.naturalWidth === 10; }""")
    label = inputs.locator(".step-slider__label")
    assert label.inner_text() == "step 9"  # the newest step first
    inputs.locator(".step-slider__range").focus()
    page.keyboard.press("ArrowLeft")
    assert label.inner_text() == "step 6"
    page.keyboard.press("Home")
    assert label.inner_text() == "step 0"
    assert "step0" in inputs.locator("a.dash-card__download").get_attribute("download")
    sample = inputs.locator("select[aria-label=Sample]")
    assert sample.locator("option").count() == 3
    sample.select_option("2")
    page.wait_for_function("() => document.querySelector(\"article[data-tag='inputs'] img\")"
                           "?.src.includes('%2C2%5D')")
    page.locator("input[data-setting=actual-size]").check()
    assert "is-actual-size" in page.locator("[data-groups]").get_attribute("class")
    page.locator("input[data-setting=brightness]").fill("2")
    assert "brightness(2)" in page.locator("[data-groups]").get_attribute("style")
    inputs.locator("select[aria-label='Compare with step']").select_option(label="diff with step 9")
    inputs.locator("canvas.dash-image__img").wait_for()
    screenshot("dash-images")
    assert ready(page, "tf1", "digits/image/0").locator("img").count() == 1


def test_audio_player_with_labels(board_server, page, screenshot):
    server = board_server(TF)
    open_page(page, server, "audio")
    tone = ready(page, "tf2", "tone")
    player = tone.locator("audio")
    assert "individualAudio" in player.get_attribute("src")
    duration = page.evaluate("""async () => {
        const audio = document.querySelector("article[data-tag='tone'] audio");
        audio.preload = "auto"; audio.load();
        await new Promise((resolve) => audio.addEventListener("loadedmetadata", resolve, { once: true }));
        return audio.duration; }""")
    assert abs(duration - 0.05) < 0.01  # 400 samples at 8 kHz
    tone.locator("select[aria-label=Sample]").select_option("1")
    page.wait_for_function("() => document.querySelector(\"article[data-tag='tone'] audio\")"
                           ".src.includes('%2C1%5D')")
    screenshot("dash-audio")


def test_text_markdown_tables_and_no_script(board_server, page, screenshot, console):
    # the summary's <img src=x onerror=...> keeps its src, as in TensorBoard (img and src are
    # allowed), so the browser asks for /x; the handler is gone
    console.allow(r"404 \(Not Found\) \(http://127\.0\.0\.1:\d+/x")
    server = board_server(TF)
    open_page(page, server, "text")
    notes = ready(page, "tf2", "notes")
    assert notes.locator(".dash-text__html strong").inner_text() == "8"
    assert notes.locator(".dash-text__html table").count() == 1
    assert notes.locator("script, img[onerror]").count() == 0
    table = ready(page, "tf2", "table")
    assert table.locator("td").count() == 6 and table.locator("td em").inner_text() == "units"
    cube = ready(page, "tf2", "cube")
    assert "Warning" in cube.inner_text()
    page.locator("input[data-setting=all-steps-text]").check()
    assert notes.locator(".dash-text__step").count() == 3
    screenshot("dash-text")
    page.locator("input[data-setting=markdown]").uncheck()
    page.wait_for_function("() => !document.querySelector("
                           "\"article[data-tag='notes'] .dash-text__html strong\")")


def test_plugins_without_a_page_are_named(board_server, page, screenshot, tmp_path):
    server = board_server(REAL_FIXTURES / "multi_plugin" / "logdir")
    open_page(page, server, "images")
    ready(page, "tbx_run", "samples")
    assert page.locator("[data-unshown]").count() == 0  # every plugin of TF/Keras/tbX has its page
    screenshot("dash-images-tbx")

    import numpy as np

    import engine as tf
    from engine.summary import FileWriter

    # a third-party plugin's tensor summary next to an image
    summary = tf.Summary()
    value = summary.value.add(tag="mesh/points")
    value.metadata.plugin_data.plugin_name = "mesh"
    value.tensor.CopyFrom(tf.make_tensor_proto(np.zeros((2, 3), np.float32)))
    with FileWriter(str(tmp_path / "run")) as writer:
        writer.add_summary(summary, 0)
        with tf.Graph().as_default(), tf.Session() as sess:
            image = tf.summary.image("picture", tf.zeros([1, 4, 4, 3]))
            writer.add_summary(sess.run(image), 0)
    open_page(page, board_server(tmp_path), "images")
    notice = " ".join(page.locator("[data-unshown]").inner_text().split())
    assert "plugin mesh (run run) that board does not show" in notice


def test_multi_plugin_histograms_dark(board_server, page, screenshot):
    logdir = REAL_FIXTURES / "multi_plugin" / "logdir"
    server = board_server(logdir)
    page.emulate_media(color_scheme="dark")
    open_page(page, server, "histograms")
    ready(page, "keras_tf2/train", "sequential/hidden/kernel/histogram")
    screenshot("dash-histograms-dark")


def test_histograms_compare_runs(board_server, page, screenshot):
    """Beyond TensorBoard: one card per tag overlaying each shown run's latest histogram."""
    server = board_server(REAL_FIXTURES / "multi_plugin" / "logdir")
    open_page(page, server, "histograms")
    page.locator("input[data-setting=compare]").check()
    weights = page.locator("article.card[data-tag='layer1/weights_1']")
    assert weights.count() == 1
    assert sorted(weights.get_attribute("data-runs").split("\n")) == ["engine_run", "lr0.001_sgd_u32",
                                                                      "lr0.01_adam_u16", "lr0.1_adam_u32"]
    weights.scroll_into_view_if_needed()
    page.wait_for_selector("article.card[data-tag='layer1/weights_1'][data-state=ready]")
    assert weights.locator("path.hist__curve").count() == 4
    page.wait_for_load_state("networkidle")  # no card is redrawn under the pointer any more
    for attempt in range(5):  # (and should one be, hover again; hover() scrolls it into view)
        chart = weights.locator("svg.hist")
        box = chart.bounding_box()
        chart.hover(position={"x": box["width"] * 0.5, "y": box["height"] * 0.5 + attempt})
        if weights.locator(".dash-tip").inner_text():
            break
        page.wait_for_timeout(200)
    assert weights.locator(".dash-tip").inner_text().count("(step 299)") == 4
    screenshot("dash-histograms-compare")
    page.locator("[data-runs] li[data-run='engine_run'] input").uncheck()
    page.wait_for_selector("article.card[data-tag='layer1/weights_1'][data-state=ready]")
    assert page.locator("article.card[data-tag='layer1/weights_1'] path.hist__curve").count() == 3
    page.locator("input[data-setting=compare]").uncheck()
    assert page.locator("article.card[data-tag='layer1/weights_1']").count() == 3


def test_histogram_cards_on_screen_are_fetched_once(board_server, page):
    """The cards on screen start loading with the page's first render (not a frame later, when the
    IntersectionObserver reports them), and none of them twice."""
    server = board_server(TF)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    open_page(page, server, "histograms")
    ready(page, "tf2", "coarse")
    page.wait_for_load_state("networkidle")
    cards = [url for url in requested if "/data/plugin/histograms/histograms?" in url]
    assert cards and len(cards) == len(set(cards)), cards


def test_first_histogram_card_comes_with_the_page(board_server, page):
    """The page streams the first card's /histograms answer at its end: that card sends no request."""
    server = board_server(TF)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    open_page(page, server, "histograms")
    first = ready(page, "tf1", "activations")  # group "activations" sorts first
    assert first.locator("path.hist__curve").count() == 6
    assert not [url for url in requested if "run=tf1&tag=activations" in url]
    ready(page, "tf2", "coarse")
    assert [url for url in requested if "run=tf2&tag=coarse" in url]
