"""Write engine/framework/op_signatures.pb: TensorFlow's OpDef of every op type the engine registers.

A checkpoint's `.meta` carries, in `meta_info_def.stripped_op_list`, the full OpDef (argument and attr
signatures, allowed dtypes, defaults, flags) of each op type its graph uses; tools read op signatures
from there (TF's `import_meta_graph`, graph_transforms, Netron). These signatures are TensorFlow's
interface, like a proto's field numbers: this script asks real TensorFlow (scripts/tfref.py) for
them, for the engine's op types only, and stores them as one serialized `OpList`, sorted by name.
engine/train/meta_graph.py reads the file; tests/engine/test_op_signatures.py checks it covers every
registered op type. Re-run after adding ops:

    python scripts/op_signatures.py
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUTPUT = ROOT / "engine" / "framework" / "op_signatures.pb"

_ASK_TF = """
import base64, json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow  # noqa: F401 - registers TF's ops
from tensorflow.core.framework import op_def_pb2
from tensorflow.python.framework import op_def_registry
ops = op_def_pb2.OpList()
missing = []
for name in json.loads(sys.stdin.read()):
    op_def = op_def_registry.get(name)
    if op_def is None:
        missing.append(name)
    else:
        ops.op.append(op_def)
oplist = base64.b64encode(ops.SerializeToString()).decode()
print("OPLIST" + json.dumps({"oplist": oplist, "missing": missing}))
"""


def main() -> int:
    import engine  # noqa: F401 - registers the engine's ops
    from engine.framework import registry
    from scripts import tfref

    tf_python = tfref.find()
    if tf_python is None:
        print("no TensorFlow: run `python scripts/tfref.py` first (or set TF_PYTHON)", file=sys.stderr)
        return 1
    names = sorted(registry.registered_ops())
    done = subprocess.run([tf_python, "-c", _ASK_TF], input=json.dumps(names), capture_output=True, text=True,
                          check=True, timeout=600)
    answer = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("OPLIST"))[6:])
    OUTPUT.write_bytes(base64.b64decode(answer["oplist"]))
    print(f"{OUTPUT.relative_to(ROOT)}: {len(names) - len(answer['missing'])} op signatures")
    if answer["missing"]:
        print(f"not TensorFlow op types (no signature): {', '.join(answer['missing'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
