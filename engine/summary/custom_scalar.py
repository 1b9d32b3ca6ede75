"""Custom scalars layouts, as TensorBoard's ``summary_lib.custom_scalar`` / ``custom_scalar_pb`` write them.

A layout (``engine.summary.layout_pb2.Layout``: categories of charts, each a multiline chart of tag
regular expressions or a margin chart of value/lower/upper tags) is stored as the serialized proto in
a scalar string tensor, tagged ``custom_scalars__config__``, with metadata naming plugin
"custom_scalars". TensorBoard (and board) merge the layouts of every run into one dashboard.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes
from engine.framework import ops as _ops
from engine.proto import layout_pb2, summary_pb2

from . import builders
from .ops import tensor_summary

PLUGIN_NAME = "custom_scalars"
CONFIG_SUMMARY_TAG = "custom_scalars__config__"


def custom_scalar_metadata() -> summary_pb2.SummaryMetadata:
    plugin_data = summary_pb2.SummaryMetadata.PluginData(plugin_name=PLUGIN_NAME)
    return summary_pb2.SummaryMetadata(plugin_data=plugin_data)


def _serialized(layout) -> bytes:
    if not isinstance(layout, layout_pb2.Layout):
        raise TypeError(f"scalars_layout must be a layout_pb2.Layout, not {type(layout).__name__}")
    return layout.SerializeToString()


def layout_from_dict(layout: dict) -> layout_pb2.Layout:
    """tensorboardX's layout dictionary as a Layout: ``{category: {chart title: ["Multiline", [tag
    patterns]] | ["Margin", [value, lower, upper]]}}``, in the dictionary's order."""
    categories = []
    for title, charts in layout.items():
        category = layout_pb2.Category(title=title)
        for chart_title, (kind, tags) in charts.items():
            if kind == "Margin":
                if len(tags) != 3:
                    raise ValueError(f"a margin chart takes 3 tags (value, lower, upper), not {len(tags)}")
                series = layout_pb2.MarginChartContent.Series(value=tags[0], lower=tags[1], upper=tags[2])
                category.chart.add(title=chart_title, margin=layout_pb2.MarginChartContent(series=[series]))
            elif kind == "Multiline":
                lines = layout_pb2.MultilineChartContent(tag=list(tags))
                category.chart.add(title=chart_title, multiline=lines)
            else:
                raise ValueError(f"a chart is 'Multiline' or 'Margin', not {kind!r}")
        categories.append(category)
    return layout_pb2.Layout(category=categories)


def custom_scalar(scalars_layout, collections=None):
    """A ``TensorSummaryV2`` op writing `scalars_layout` (TensorBoard's ``summary_lib.custom_scalar``)."""
    data = _serialized(scalars_layout)
    return tensor_summary(CONFIG_SUMMARY_TAG, _ops.convert_to_tensor(data, dtype=dtypes.string),
                          collections=collections, summary_metadata=custom_scalar_metadata())


def custom_scalar_pb(scalars_layout) -> summary_pb2.Summary:
    """A ``Summary`` proto holding `scalars_layout`, for ``FileWriter.add_summary``."""
    data = np.array(_serialized(scalars_layout), dtype=object)
    return builders.tensor_summary(CONFIG_SUMMARY_TAG, data, custom_scalar_metadata().SerializeToString())
