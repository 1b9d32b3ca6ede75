"""Before/after for executor work: the CPU time of the LSTM training step of bench/rnn_step.py and of one
scalar `tf.while_loop` iteration (bench/control_flow.py's loop), in two source trees, interleaved.

Each round runs one fresh process per tree and measurement, alternating, and takes the process's CPU time
(`time.process_time`, min of 7 runs): on this shared 2-core machine the wall clock mostly measures the
neighbours, CPU time far less so.  Prints per-round ratios (tree B over tree A: below 1 is faster), their
medians and the load average.

    git worktree add /tmp/base main    # the baseline tree
    OPENBLAS_NUM_THREADS=1 python bench/executor_ab.py /tmp/base . [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

_RNN = """
import sys, time
sys.path[:0] = [ROOT + "/bench", ROOT]
import engine, rnn_step
x, y, params = rnn_step.make_data()
step, _ = rnn_step.build_graph(engine, params)
for _ in range(2):
    step(x, y)
times = []
for _ in range(7):
    t = time.process_time(); step(x, y); times.append(time.process_time() - t)
print(min(times) * 1e3)
"""

# The loop of bench/control_flow.py (this tree's bench), on the engine of ROOT, imported first.
_WHILE = """
import sys, time
sys.path.insert(0, ROOT)
import engine
sys.path.insert(0, BENCH)
import control_flow
print(control_flow.while_loop_us_per_iteration(2000, 7, clock=time.process_time))
"""


def measure(script, root):
    bench = os.path.dirname(os.path.abspath(__file__))
    code = f"ROOT = {os.path.abspath(root)!r}\nBENCH = {bench!r}\n" + script
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    return float(out.stdout.split()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree_a", help="the baseline source tree")
    ap.add_argument("tree_b", help="the changed source tree")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    rows = {"LSTM step (ms CPU)": _RNN, "while_loop iteration (us CPU)": _WHILE}
    ratios = {name: [] for name in rows}
    for r in range(args.rounds):
        for name, script in rows.items():
            a, b = measure(script, args.tree_a), measure(script, args.tree_b)
            ratios[name].append(b / a)
            print(f"round {r}: {name:30s} A {a:8.2f}  B {b:8.2f}  B/A {b / a:.3f}", flush=True)
    for name, values in ratios.items():
        print(f"{name:30s} B/A median of round ratios {statistics.median(values):.3f}")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
