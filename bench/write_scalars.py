"""Scalar events/s written by engine.summary against tensorboardX and a bare protobuf + CRC loop.

Every writer writes the same 200,000 scalar events (tag "loss", steps 0..199,999) into its own fresh
logdir under a temp folder, timed from the first add to the end of close() (so the data is in the file).

- ``FileWriter.add_summary``: pre-built serialized Summary bytes, as ``sess.run(merged)`` returns them;
  building them is not timed (in a real loop the session run does that).
- ``add_summary(Summary objects)``: pre-built ``Summary`` objects, not timed (as the bytes row).
- ``add_summary(tf.Summary(...))``: the TF1 idiom ``tf.Summary(value=[tf.Summary.Value(tag=...,
  simple_value=v)])``, the Summary object built inside the timed loop, as a script does.
- ``FileWriter.add_event``: pre-built ``Event`` objects (wall time, step, scalar summary), not timed.
- ``SummaryWriter.add_scalar``: our graph-free writer, tag + Python float + step.
- ``tensorboardX add_scalar``: tensorboardX's SummaryWriter (skipped when it is not importable).
- ``bare protobuf+CRC loop``: per event, build the Event proto, serialize, frame with masked CRC32C,
  collect, and write everything at the end: the least any protobuf-based writer must do.

Writers run in ``--repeat`` rounds, each round every writer once (in a rotated order, so load that
comes and goes falls on all of them); the ratios are medians of per-round ratios against the bare loop
and against tensorboardX, the rates medians over rounds. Rates are given per wall-clock second and per
CPU second of the process (all its threads): on a shared machine the wall rate swings with other load,
the CPU rate much less.

Every output file is read back and its record count checked, so a fast writer that drops
events fails the benchmark instead of winning it.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.io.tfrecord import encode_record, read_records
from engine.proto import event_pb2, summary_pb2
from engine.summary import FileWriter, SummaryWriter

TARGET = 500_000


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _elapsed(start: tuple[float, float]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (all threads of this process) since ``start``."""
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def _prebuilt_summaries(n: int) -> list:
    Summary, Value = summary_pb2.Summary, summary_pb2.Summary.Value
    return [Summary(value=[Value(tag="loss", simple_value=1.0 / (s + 1))]) for s in range(n)]


def _add_summaries(logdir: Path, summaries: list) -> float:
    """Times FileWriter.add_summary over pre-built summaries (bytes or objects), through close()."""
    start = _clock()
    writer = FileWriter(logdir)
    add = writer.add_summary
    for step, summary in enumerate(summaries):
        add(summary, step)
    writer.close()
    return _elapsed(start)


def ours_add_summary(logdir: Path, n: int) -> float:
    return _add_summaries(logdir, [summary.SerializeToString() for summary in _prebuilt_summaries(n)])


def ours_add_summary_prebuilt(logdir: Path, n: int) -> float:
    return _add_summaries(logdir, _prebuilt_summaries(n))


def ours_add_summary_objects(logdir: Path, n: int) -> float:
    Summary, Value = summary_pb2.Summary, summary_pb2.Summary.Value
    values = [1.0 / (s + 1) for s in range(n)]
    start = _clock()
    writer = FileWriter(logdir)
    add = writer.add_summary
    for step in range(n):
        add(Summary(value=[Value(tag="loss", simple_value=values[step])]), step)
    writer.close()
    return _elapsed(start)


def ours_add_event(logdir: Path, n: int) -> float:
    Event, Summary, Value = event_pb2.Event, summary_pb2.Summary, summary_pb2.Summary.Value
    now = time.time()
    events = [Event(wall_time=now, step=s,
                    summary=Summary(value=[Value(tag="loss", simple_value=1.0 / (s + 1))])) for s in range(n)]
    start = _clock()
    writer = FileWriter(logdir)
    add = writer.add_event
    for event in events:
        add(event)
    writer.close()
    return _elapsed(start)


def ours_graph_free(logdir: Path, n: int) -> float:
    values = [1.0 / (s + 1) for s in range(n)]
    start = _clock()
    writer = SummaryWriter(logdir)
    add = writer.add_scalar
    for step in range(n):
        add("loss", values[step], step)
    writer.close()
    return _elapsed(start)


def tensorboardx(logdir: Path, n: int) -> float:
    from tensorboardX import SummaryWriter as TbxWriter

    values = [1.0 / (s + 1) for s in range(n)]
    start = _clock()
    writer = TbxWriter(str(logdir))
    add = writer.add_scalar
    for step in range(n):
        add("loss", values[step], step)
    writer.close()
    return _elapsed(start)


def bare_protobuf_loop(logdir: Path, n: int) -> float:
    Event, Summary, Value = event_pb2.Event, summary_pb2.Summary, summary_pb2.Summary.Value
    values = [1.0 / (s + 1) for s in range(n)]
    start = _clock()
    logdir.mkdir(parents=True)
    records = [encode_record(Event(wall_time=time.time(), file_version="brain.Event:2").SerializeToString())]
    for step in range(n):
        event = Event(wall_time=time.time(), step=step, summary=Summary(value=[Value(tag="loss",
                                                                                     simple_value=values[step])]))
        records.append(encode_record(event.SerializeToString()))
    with open(logdir / "events.out.tfevents.0.bare", "wb") as f:
        f.write(b"".join(records))
    return _elapsed(start)


def count_scalar_records(logdir: Path) -> int:
    (path,) = logdir.glob("events.out.tfevents.*")
    return sum(1 for r in read_records(path) if event_pb2.Event.FromString(r).HasField("summary"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    writers = {
        "FileWriter.add_summary (ours)": ours_add_summary,
        "add_summary(Summary objects) (ours)": ours_add_summary_prebuilt,
        "add_summary(tf.Summary(...)) (ours)": ours_add_summary_objects,
        "FileWriter.add_event (ours)": ours_add_event,
        "SummaryWriter.add_scalar (ours)": ours_graph_free,
        "bare protobuf+CRC loop": bare_protobuf_loop,
    }
    try:
        import tensorboardX  # noqa: F401

        writers["tensorboardX add_scalar"] = tensorboardx
    except ImportError:
        print("tensorboardX not importable: its row is skipped")
    names = list(writers)
    walls: dict[str, list[float]] = {name: [] for name in names}
    cpus: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.repeat):
            for name in names[round_ % len(names):] + names[: round_ % len(names)]:
                fn = writers[name]
                logdir = Path(tmp) / f"{fn.__name__}_{round_}"
                wall, cpu = fn(logdir, args.events)
                walls[name].append(wall)
                cpus[name].append(cpu)
                written = count_scalar_records(logdir)
                if written != args.events:
                    raise SystemExit(f"{name} wrote {written} scalar events, not {args.events}")

    def ratio(name: str, baseline: str) -> float:
        """Median over rounds of this writer's rate over the baseline's rate in the same round."""
        return statistics.median(b / w for w, b in zip(walls[name], walls[baseline], strict=True))

    has_tbx = "tensorboardX add_scalar" in walls
    print(f"{args.events:,} scalar events, {args.repeat} interleaved rounds (add ... close, file read back); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'writer':37} {'events/s':>10} {'per CPU-s':>10} {'vs bare loop':>13} {'vs tensorboardX':>16}")
    rates = {}
    for name in names:
        wall_rate = args.events / statistics.median(walls[name])
        cpu_rate = args.events / statistics.median(cpus[name])
        rates[name] = (wall_rate, cpu_rate)
        vs_tbx = f"{ratio(name, 'tensorboardX add_scalar'):15.2f}x" if has_tbx else f"{'-':>16}"
        vs_bare = ratio(name, "bare protobuf+CRC loop")
        print(f"{name:37} {wall_rate:10,.0f} {cpu_rate:10,.0f} {vs_bare:12.2f}x {vs_tbx}")
    bulk = [rates[name] for name in ("FileWriter.add_summary (ours)", "SummaryWriter.add_scalar (ours)")]
    wall_ok = all(wall_rate >= TARGET for wall_rate, _ in bulk)
    cpu_ok = all(cpu_rate >= TARGET for _, cpu_rate in bulk)
    print(f"target >= {TARGET:,} events/s for the bytes and graph-free writers: wall clock "
          f"{'met' if wall_ok else 'NOT met'}, per CPU second {'met' if cpu_ok else 'NOT met'}")
    # The target is the writers' own work on objects (issue 24): add_summary on Summary objects and
    # add_event on Events.  The row that builds each tf.Summary in the timed loop also times the caller's
    # protobuf construction (about 2.2 us of its ~4 us per event on the 2-core machine), reported alone.
    rows = ("add_summary(Summary objects) (ours)", "FileWriter.add_event (ours)")
    ratios = [ratio(name, "bare protobuf+CRC loop") for name in rows]
    print(f"target >= 1.5x the bare loop for Summary objects and Event objects: "
          f"{', '.join(f'{r:.2f}x' for r in ratios)}: {'met' if min(ratios) >= 1.5 else 'NOT met'}")
    in_loop = ratio("add_summary(tf.Summary(...)) (ours)", "bare protobuf+CRC loop")
    print(f"the TF1 idiom with each tf.Summary built in the loop, construction included: {in_loop:.2f}x "
          f"the bare loop (which builds its Event and Summary in the loop too)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
