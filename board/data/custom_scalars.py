"""The custom scalars dashboard's layout: the ``Layout`` protos the runs hold, merged into one.

Each run may hold a layout (engine/summary/custom_scalar.py, TensorBoard's ``summary_lib``,
tensorboardX's ``add_custom_scalars``): a scalar string tensor under the tag
``custom_scalars__config__``, its latest event counting. The layouts are merged as TensorBoard's
plugin merges them, runs in name order: a category seen before gets the new charts it lacks; a new
category is appended. (TensorBoard appends a copy of a new category but keeps merging later runs'
charts into the original, so a category first seen in a later run never gains charts from the runs
after it; board answers the same.)
"""

from __future__ import annotations

from engine.proto import layout_pb2

PLUGIN_NAME = "custom_scalars"
CONFIG_TAG = "custom_scalars__config__"


class NotALayout(ValueError):
    """A layout summary whose tensor holds no serialized Layout."""


def parse(value) -> layout_pb2.Layout:
    """The Layout of one ``Summary.Value``."""
    strings = value.tensor.string_val
    if len(strings) != 1:
        raise NotALayout(f"a layout is a scalar string tensor, not {len(strings)} strings")
    try:
        return layout_pb2.Layout.FromString(strings[0])
    except Exception as error:  # noqa: BLE001 - DecodeError and friends
        raise NotALayout(f"the layout does not parse: {error}") from None


def merge(layouts: list[layout_pb2.Layout]) -> layout_pb2.Layout | None:
    """One layout of `layouts` (in run-name order), or None when there is none."""
    merged = None
    by_title: dict[str, layout_pb2.Category] = {}
    for layout in layouts:
        if merged is None:
            merged = layout
            for category in layout.category:
                by_title[category.title] = category
            continue
        for category in layout.category:
            known = by_title.get(category.title)
            if known is not None:
                known.chart.extend([c for c in category.chart if c not in known.chart])
            else:
                merged.category.add().MergeFrom(category)
                by_title[category.title] = category  # the original, as TensorBoard (see above)
    return merged
