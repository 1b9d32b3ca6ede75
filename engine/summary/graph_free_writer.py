"""A graph-free summary writer for plain Python loops (PyTorch, JAX, numpy), tensorboardX-style.

    from engine.summary import SummaryWriter
    with SummaryWriter("logs/run1") as writer:
        for step in range(100):
            writer.add_scalar("loss", loss, step)

It writes the same TF1-style events as ``FileWriter`` (simple_value scalars, HistogramProto with TF's
buckets, PNG images, WAV audio, text as a string tensor under the text plugin, PR curves and custom
scalars layouts as TensorBoard's plugins store them), so TensorBoard, board and TF readers see no
difference. Differences from tensorboardX, on purpose: ``add_text`` keeps the tag as
given (tensorboardX appends ``/text_summary``), and scalars are always simple_value.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime

import numpy as np

from engine.proto import event_pb2
from tfformat.records import encode_record

from . import builders
from .custom_scalar import custom_scalar_pb, layout_from_dict  # (the package's names shadow these modules)
from .event_file_writer import EventFileWriter
from .pr_curve import curve_rows, curve_summary
from .scalar_records import scalar_summary_prefix, summary_event


def _to_numpy(value) -> np.ndarray:
    """numpy array of a tensor-like value (numpy, torch, jax, lists)."""
    if hasattr(value, "detach"):  # torch tensors
        value = value.detach().cpu().numpy()
    return np.asarray(value)


class SummaryWriter:
    """Writes events to ``logdir`` without a graph or session.

    ``SummaryWriter(logdir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
    filename_suffix="")``. Without ``logdir`` it writes to ``runs/{Mon}{DD}_{HH-MM-SS}_{hostname}{comment}``.
    ``purge_step`` writes a SessionLog START at that step, which tells TensorBoard to drop data logged
    at or after it by an earlier, crashed run.
    """

    def __init__(self, logdir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if logdir is None:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            logdir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self._logdir = os.fspath(logdir)
        self._options = {"max_queue": max_queue, "flush_secs": flush_secs, "filename_suffix": filename_suffix}
        self._writer = EventFileWriter(self._logdir, **self._options)
        self._prefixes: dict[str, bytes] = {}
        self._children: dict[str, SummaryWriter] = {}
        if purge_step is not None:
            self._writer.add_event(event_pb2.Event(
                wall_time=time.time(), step=int(purge_step),
                session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START)))

    def get_logdir(self) -> str:
        return self._logdir

    @property
    def path(self) -> str:
        """The event file being written."""
        return self._writer.path

    # ------------------------------------------------------------------------------------------ scalars
    def add_scalar(self, tag: str, scalar_value, global_step=None, walltime=None) -> None:
        """Logs one float (a Python number, numpy scalar or one-element tensor) under ``tag``."""
        prefix = self._prefixes.get(tag)
        if prefix is None:
            prefix = self._prefixes[tag] = scalar_summary_prefix(tag)
        if type(scalar_value) is not float:
            scalar_value = float(scalar_value.item() if hasattr(scalar_value, "item") else scalar_value)
        if type(global_step) is not int:
            global_step = 0 if global_step is None else int(global_step)
        self._writer.add_scalar_entry(
            prefix, global_step, time.time() if walltime is None else float(walltime), scalar_value)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict, global_step=None, walltime=None) -> None:
        """Logs several curves to draw on one chart: each goes to ``logdir/main_tag/key`` under ``main_tag``.

        That is tensorboardX's layout: one run per key, all with the tag ``main_tag``.
        """
        walltime = time.time() if walltime is None else walltime
        for key, value in tag_scalar_dict.items():
            folder = os.path.join(self._logdir, main_tag.replace("/", "_"), key)
            child = self._children.get(folder)
            if child is None:
                child = self._children[folder] = SummaryWriter(folder, **self._options)
            child.add_scalar(main_tag, value, global_step, walltime)

    # ------------------------------------------------------------------------------------- other kinds
    def _add_summary(self, summary, global_step, walltime) -> None:
        # the Event is framed around the Summary's bytes (no Event object copies the Summary)
        wall_time = time.time() if walltime is None else float(walltime)
        step = 0 if global_step is None else int(global_step)
        self._writer.add_record(encode_record(summary_event(summary.SerializeToString(), step, wall_time)))

    def add_histogram(self, tag: str, values, global_step=None, bins="tensorflow", walltime=None) -> None:
        """Logs a histogram; ``bins="tensorflow"`` uses TF's bucket limits, anything else goes to numpy."""
        values = _to_numpy(values)
        if isinstance(bins, str) and bins == "tensorflow":
            summary = builders.histogram_summary(tag, values)
        else:
            summary = builders.histogram_summary_with_bins(tag, values, bins)
        self._add_summary(summary, global_step, walltime)

    def add_pr_curve(self, tag: str, labels, predictions, global_step=None, num_thresholds=127, weights=None,
                     walltime=None) -> None:
        """Logs the PR curve of binary ``labels`` and ``predictions`` in [0, 1] under ``tag`` (TensorBoard's
        pr_curves plugin, the tensor of ``pr_curve_pb``). tensorboardX caps ``num_thresholds`` at 127;
        this writer does not need to."""
        rows = curve_rows(_to_numpy(labels), _to_numpy(predictions), num_thresholds,
                                   None if weights is None else _to_numpy(weights))
        self._add_summary(curve_summary(tag, rows, num_thresholds), global_step, walltime)

    def add_pr_curve_raw(self, tag: str, true_positive_counts, false_positive_counts, true_negative_counts,
                         false_negative_counts, precision, recall, global_step=None, num_thresholds=127,
                         weights=None, walltime=None) -> None:
        """Logs a PR curve from its six rows computed elsewhere (``weights`` unused, as in tensorboardX)."""
        rows = [_to_numpy(r) for r in (true_positive_counts, false_positive_counts, true_negative_counts,
                                       false_negative_counts, precision, recall)]
        self._add_summary(curve_summary(tag, rows, num_thresholds), global_step, walltime)

    def add_custom_scalars(self, layout) -> None:
        """Logs the custom scalars dashboard's layout: a ``layout_pb2.Layout`` or tensorboardX's
        ``{category: {title: ["Multiline", [tags]] | ["Margin", [value, lower, upper]]}}``."""
        if isinstance(layout, dict):
            layout = layout_from_dict(layout)
        self._add_summary(custom_scalar_pb(layout), None, None)

    def add_custom_scalars_multilinechart(self, tags, category="default", title="untitled") -> None:
        """A layout of one multiline chart of ``tags`` (patterns matched from the tag's start)."""
        self.add_custom_scalars({category: {title: ["Multiline", list(tags)]}})

    def add_custom_scalars_marginchart(self, tags, category="default", title="untitled") -> None:
        """A layout of one margin chart: ``tags`` are the value, lower and upper tags."""
        self.add_custom_scalars({category: {title: ["Margin", list(tags)]}})

    def add_text(self, tag: str, text_string, global_step=None, walltime=None) -> None:
        """Logs a string (markdown in TensorBoard's text dashboard)."""
        self._add_summary(builders.text_summary(tag, text_string), global_step, walltime)

    def add_image(self, tag: str, img_tensor, global_step=None, walltime=None, dataformats="CHW") -> None:
        """Logs one image; float pixels in [0, 1] are scaled to 0..255, uint8 kept. ``dataformats``:
        CHW (default, as tensorboardX), HWC or HW."""
        image = _to_numpy(img_tensor)
        order = dataformats.upper()
        if order == "HW":
            image = image[:, :, None]
        elif order == "CHW":
            image = np.transpose(image, (1, 2, 0))
        elif order != "HWC":
            raise ValueError(f"dataformats must be CHW, HWC or HW, got {dataformats!r}")
        if image.dtype != np.uint8:
            image = (np.clip(image.astype(np.float32), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
        summary = builders.image_summary(tag, image[None], max_images=1)
        summary.value[0].tag = tag
        self._add_summary(summary, global_step, walltime)

    def add_audio(self, tag: str, snd_tensor, global_step=None, sample_rate=44100, walltime=None) -> None:
        """Logs one clip of float samples in [-1, 1], shape (frames,) or (frames, channels)."""
        samples = _to_numpy(snd_tensor).astype(np.float32)
        if samples.ndim == 1:
            samples = samples[:, None]
        summary = builders.audio_summary(tag, samples[None], sample_rate, max_outputs=1)
        summary.value[0].tag = tag
        self._add_summary(summary, global_step, walltime)

    def add_graph(self, graph, global_step=None) -> None:
        """Logs an engine Graph (with output shapes) or a GraphDef protobuf for the graph dashboard."""
        graph_def = graph.as_graph_def(add_shapes=True) if hasattr(graph, "as_graph_def") else graph
        event = event_pb2.Event(wall_time=time.time(), graph_def=graph_def.SerializeToString())
        if global_step is not None:
            event.step = int(global_step)
        self._writer.add_event(event)

    # ------------------------------------------------------------------------------------------ lifecycle
    def flush(self) -> None:
        """Writes everything logged so far to the file and hands it to the OS."""
        self._writer.flush()
        for child in self._children.values():
            child.flush()

    def close(self) -> None:
        """Flushes and closes the file (and those ``add_scalars`` opened)."""
        self._writer.close()
        for child in self._children.values():
            child.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
