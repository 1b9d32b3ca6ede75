"""Core routes: runs, plugin listing, environment and loading status (TensorBoard's shapes)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from board import encode

router = APIRouter(tags=["core"])

# Dashboards board knows, in TensorBoard's order, and the plugin names of their data.
_DASHBOARDS = {
    "scalars": ("scalars", "tf-scalar-dashboard"),
    "custom_scalars": ("custom_scalars", "tf-custom-scalar-dashboard"),
    "images": ("images", "tf-image-dashboard"),
    "audio": ("audio", "tf-audio-dashboard"),
    "graphs": ("graphs", "tf-graph-dashboard"),
    "distributions": ("histograms", "tf-distribution-dashboard"),
    "histograms": ("histograms", "tf-histogram-dashboard"),
    "text": ("text", "tf-text-dashboard"),
    "pr_curves": ("pr_curves", "tf-pr-curve-dashboard"),
    "hparams": ("hparams", "tf-hparams-dashboard"),
}
_TAB_NAMES = {"custom_scalars": "Custom Scalars", "pr_curves": "PR Curves"}  # the others: their name
_ENABLED_PAGES = set(_DASHBOARDS)  # the dashboards board has pages for


def json_response(payload) -> Response:
    return Response(encode.dumps(payload), media_type="application/json")


@router.get("/data/runs", summary="Run names, oldest first")
def runs(request: Request) -> Response:
    """`["run_a", "run_b"]`: runs ordered by the wall time of their first event, then name."""
    return json_response(request.app.state.provider.run_names())


@router.get("/data/plugins_listing", summary="Which dashboards have data")
def plugins_listing(request: Request) -> Response:
    """`{plugin: {"enabled", "tab_name", "disable_reload", "remove_dom", "loading_mechanism",
    "count"}}`; `count` (ours) is the number of (run, tag) pairs of that kind."""
    tags = request.app.state.provider.plugin_tags()
    listing = {}
    for name, (data_plugin, element) in _DASHBOARDS.items():
        count = sum(len(t) for t in tags.get(data_plugin, {}).values())
        listing[name] = {
            "disable_reload": name == "graphs",
            "enabled": count > 0,
            "loading_mechanism": {"type": "CUSTOM_ELEMENT", "element_name": element},
            "remove_dom": False,
            "tab_name": _TAB_NAMES.get(name, name),
            "count": count,
            "has_page": name in _ENABLED_PAGES,
        }
    return json_response(listing)


@router.get("/data/environment", summary="Server facts")
def environment(request: Request) -> Response:
    provider = request.app.state.provider
    return json_response({
        "version": "board",
        "data_location": str(provider.logdir),
        "window_title": "",
        "experiment_name": "",
        "experiment_description": "",
        "creation_time": 0.0,
    })


@router.get("/data/logdir", summary="The logdir being served")
def logdir(request: Request) -> Response:
    return json_response({"logdir": str(request.app.state.provider.logdir)})


@router.get("/data/status", summary="Loading progress and when data last changed")
def status(request: Request) -> Response:
    """Counters of the loader; pages poll `last_changed` to know when to refetch."""
    return json_response(request.app.state.provider.status().__dict__)
