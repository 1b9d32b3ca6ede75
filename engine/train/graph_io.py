"""`tf.train.write_graph`: a GraphDef into `logdir/name`, as text (default) or binary, written atomically
(on a URL: in one PUT)."""

from __future__ import annotations

import os

from google.protobuf import text_format

from engine import gfile
from engine.framework import ops
from engine.train.checkpoint_management import atomic_write


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """Writes the GraphDef (of a Graph, or as given) and returns the path written."""
    if isinstance(graph_or_graph_def, ops.Graph):
        graph_def = graph_or_graph_def.as_graph_def()
    else:
        graph_def = graph_or_graph_def
    if not gfile.is_remote_path(logdir):  # a URL's folder needs no making (object stores have none)
        os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    if as_text:
        atomic_write(path, text_format.MessageToString(graph_def).encode())
    else:
        atomic_write(path, graph_def.SerializeToString(deterministic=True))
    return path
