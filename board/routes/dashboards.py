"""The pages of the histograms, distributions, images, audio, text, PR curves and custom scalars
dashboards.

Each is `templates/dashboard.html` with its own settings partial and script
(static/js/<page>/main.js); the script reads everything from the plugin's JSON routes. The page
also names, from the server's index, the data of plugins board has no page for (a third-party
plugin...), so nothing in the logdir goes unmentioned.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from board import encode
from board.data.provider import RUN_METADATA_PLUGINS
from board.data.summaries import HISTOGRAMS
from board.errors import BoardError
from board.routes.pages import LATE_SLOT, StreamedPage, page_context
from board.routes.scalars import MAX_DEFAULT_RUNS, SMOOTHING_DEFAULT, SMOOTHING_MAX, natural_key, tag_key

router = APIRouter()

# page -> (title, plugin whose tags it shows, what a card holds)
DASHBOARDS = {
    "histograms": ("Histograms", "histograms", "histograms"),
    "distributions": ("Distributions", "histograms", "histograms"),
    "images": ("Images", "images", "images"),
    "audio": ("Audio", "audio", "audio clips"),
    "text": ("Text", "text", "text summaries"),
    "pr_curves": ("PR Curves", "pr_curves", "PR curves"),
    "custom_scalars": ("Custom Scalars", "custom_scalars", "custom scalars layouts"),
}
# plugins (of summary data) that some page of board shows
SHOWN_PLUGINS = {"scalars", "histograms", "images", "audio", "text", "graphs", "graph_keras_model", "hparams",
                 "pr_curves", "custom_scalars", *RUN_METADATA_PLUGINS}


def unshown_plugins(provider) -> list[dict]:
    """[{plugin, tags, runs}] for each plugin with data that board shows nowhere, by tag count."""
    out = []
    for plugin, runs in provider.plugin_tags().items():
        if plugin in SHOWN_PLUGINS:
            continue
        tags = sum(len(t) for t in runs.values())
        name = plugin or "(tensor summaries without a plugin)"
        out.append({"plugin": name, "tags": tags, "runs": sorted(runs)})
    return sorted(out, key=lambda p: (-p["tags"], p["plugin"]))


def _initial(request: Request, page: str) -> str:
    """The answers of the page's first requests, /data/status and its plugin's /tags (their JSON
    exactly; the custom scalars page's is its /layout), so the first cards need one round trip less
    each; "<" escaped for <script>."""
    from board.routes import custom_scalars, histograms, media, pr_curves, text

    tags_route = {"histograms": histograms.histogram_tags, "distributions": histograms.distribution_tags,
                  "images": media.image_tags, "audio": media.audio_tags, "text": text.text_tags,
                  "pr_curves": pr_curves.pr_curve_tags, "custom_scalars": custom_scalars.layout}[page]
    status = encode.dumps(request.app.state.provider.status().__dict__)  # read first: see pages.py
    tags = bytes(tags_route(request).body)
    return (b'{"status":' + status + b',"tags":' + tags + b"}").decode().replace("<", "\\u003c")


def first_card(request: Request, page: str) -> str:
    """For the histograms and distributions pages: `{"url", "body"}`, the route's answer for the
    card the page shows first (first group, tag and run in the page's natural order), so its chart
    needs no request; "" otherwise. Computed after the rest of the page is sent (`StreamedPage`)."""
    from board.routes import histograms

    if page not in ("histograms", "distributions"):
        return ""
    index = request.app.state.provider.summary_tags(HISTOGRAMS)
    cards = [(run, tag) for run, tags in index.items() for tag in tags]
    if not cards:
        return ""
    run, tag = min(cards, key=lambda c: (*tag_key(c[1]), natural_key(c[0])))
    route = histograms.histograms_route if page == "histograms" else histograms.distributions_route
    try:
        body = bytes(route(request, run=run, tag=tag, samples=None).body)
    except BoardError:
        return ""  # the page fetches it and shows the error
    url = f"/data/plugin/{page}/{page}?" + urlencode({"run": run, "tag": tag})
    return (b'{"url":' + encode.dumps(url) + b',"body":' + body + b"}").decode().replace("<", "\\u003c")


def _page(request: Request, page: str) -> StreamedPage:
    from board.resources import templates  # imported late: the app factory imports this module first

    title, plugin, things = DASHBOARDS[page]
    context = page_context(request, page)
    provider = request.app.state.provider
    context.update(request=request, title=title, plugin=plugin, things=things,
                   unshown=unshown_plugins(provider), settings_template=f"_settings_{page}.html",
                   initial=Markup(_initial(request, page)), first_card_slot=Markup(LATE_SLOT),
                   max_default_runs=MAX_DEFAULT_RUNS,
                   smoothing={"default": SMOOTHING_DEFAULT, "max": SMOOTHING_MAX})
    return StreamedPage(templates.get_template("dashboard.html"), context, lambda: first_card(request, page))


def _page_route(page: str):
    def route(request: Request) -> StreamedPage:
        return _page(request, page)

    route.__name__ = f"{page}_page"
    return route


# One page route per dashboard: /histograms, /distributions, /images, /audio, /text, /pr_curves, ...
for _name in DASHBOARDS:
    router.add_api_route(f"/{_name}", _page_route(_name), methods=["GET"], response_class=HTMLResponse,
                         include_in_schema=False)
