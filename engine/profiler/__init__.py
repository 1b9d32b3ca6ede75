"""`tf.profiler` (TF1's tfprof): parameter, float-operation, time and memory reports of a graph.

```python
tf.profiler.profile(graph, cmd='scope',
                    options=tf.profiler.ProfileOptionBuilder.trainable_variables_parameter())
```
prints tfprof's report and returns its GraphNodeProto (see model_analyzer.py).
"""

from engine.profiler.model_analyzer import Profiler, profile
from engine.profiler.option_builder import ProfileOptionBuilder
from engine.profiler.tfprof_logger import write_op_log
from engine.proto.tfprof_log_pb2 import OpLogProto
from engine.proto.tfprof_output_pb2 import AdviceProto, GraphNodeProto, MultiGraphNodeProto

__all__ = ["AdviceProto", "GraphNodeProto", "MultiGraphNodeProto", "OpLogProto", "ProfileOptionBuilder",
           "Profiler", "profile", "write_op_log"]
