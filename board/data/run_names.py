"""Hyperparameters read from run names, for logdirs without hparams summaries (beyond TensorBoard).

Sweeps often name their runs after their settings: `lr_0.01,bs_32`, `lr=0.01/bs=32`,
`lr0.01_adam_u16`. `parse` turns such a name into {name: value}:

* the name is split at `/`, `,`, `;`, spaces and `_`;
* `key=value` or `key:value` pieces give that pair;
* a letters-only piece followed by a number piece is a pair (`lr_0.01`, `bs 32`);
* a piece of letters then a number is a pair (`lr0.01`, `u16`, `bs32`);
* any other piece (`adam`) is a value of a column named after its position (`part2`).

Numbers become numbers, the rest strings. A run is a session when its name gives at least one
pair and no run above it is one, and when its keys are those of the largest family of runs named
alike; its sub-runs' scalars are its metrics (as for hparams sessions).
The result has the shape of the hparams routes (board/data/hparams.py), built from made-up
session start infos, so the page shows it as it shows real hparams.
"""

from __future__ import annotations

import re

from google.protobuf import struct_pb2

from board.data.hparams import SESSION_START_INFO_TAG, HParamsData
from engine.proto import hparams_plugin_data_pb2 as plugin_data

_SPLIT = re.compile(r"[/,; _]+")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_IS_NUMBER = re.compile(rf"{_NUMBER}\Z")
_KEY_VALUE = re.compile(r"([A-Za-z][\w.-]*?)[=:](.+)\Z")
_LETTERS = re.compile(r"[A-Za-z][A-Za-z-]*\Z")
_GLUED = re.compile(rf"([A-Za-z][A-Za-z-]*?)({_NUMBER})\Z")

MAX_RUNS = 5000  # runs parsed at most, so a huge logdir costs a bounded time


def _value(text: str) -> str | float:
    return float(text) if _IS_NUMBER.match(text) else text


def parse(name: str) -> dict[str, str | float]:
    """{hparam: value} read from a run name; {} when it holds no key-value pair."""
    pieces = [p for p in _SPLIT.split(name) if p]
    out: dict[str, str | float] = {}
    keyed = False
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if (match := _KEY_VALUE.match(piece)) is not None:
            out[match[1]] = _value(match[2])
            keyed = True
        elif _LETTERS.match(piece) and i + 1 < len(pieces) and _IS_NUMBER.match(pieces[i + 1]):
            out[piece] = float(pieces[i + 1])
            keyed = True
            i += 1
        elif (match := _GLUED.match(piece)) is not None:
            out[match[1]] = float(match[2])
            keyed = True
        else:
            out[f"part{i + 1}"] = _value(piece)
        i += 1
    return out if keyed else {}


def _as_value(value: str | float) -> struct_pb2.Value:
    out = struct_pb2.Value()
    if isinstance(value, float):
        out.number_value = value
    else:
        out.string_value = value
    return out


def sessions(run_names: list[str]) -> dict[str, dict[str, str | float]]:
    """{run: hparams} of the runs that are sessions (see the module's docstring)."""
    found: dict[str, dict[str, str | float]] = {}
    for run in sorted(run_names)[:MAX_RUNS]:
        if run == "." or any(run.startswith(session + "/") for session in found):
            continue
        hparams = parse(run)
        if hparams:
            found[run] = hparams
    # the sweep is the largest family of runs named alike (the same keys): `keras_tf2/train` beside
    # `lr0.1_adam_u32` runs is not one of them
    families: dict[tuple, list[str]] = {}
    for run, hparams in found.items():
        families.setdefault(tuple(sorted(k for k in hparams if not k.startswith("part"))), []).append(run)
    if families:
        keys, members = max(families.items(), key=lambda item: (len(item[1]), len(item[0])))
        found = {run: found[run] for run in members}
    # a positional part that every session has alike (a sweep's folder) tells them nothing apart
    for key in {k for hparams in found.values() for k in hparams if k.startswith("part")}:
        if len({repr(hparams.get(key)) for hparams in found.values()}) == 1:
            for hparams in found.values():
                del hparams[key]
    return found


def run_name_data(provider) -> HParamsData:
    """An HParamsData whose sessions are the runs named after their settings."""
    contents = {}
    for run, hparams in sessions(provider.run_names()).items():
        start = plugin_data.SessionStartInfo()
        for key, value in hparams.items():
            start.hparams[key].CopyFrom(_as_value(value))
        data = plugin_data.HParamsPluginData(version=0, session_start_info=start)
        contents[run] = {SESSION_START_INFO_TAG: data.SerializeToString()}
    return HParamsData(provider, contents)
