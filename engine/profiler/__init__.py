"""`tf.profiler` (TF1's tfprof): parameter, float-operation, time and memory reports of a graph.

```python
tf.profiler.profile(graph, cmd='scope',
                    options=tf.profiler.ProfileOptionBuilder.trainable_variables_parameter())
```
prints tfprof's report and returns its GraphNodeProto (see model_analyzer.py).
"""

from engine.profiler.model_analyzer import Profiler, profile
from engine.profiler.option_builder import ProfileOptionBuilder
from engine.proto.tfprof_output_pb2 import AdviceProto, GraphNodeProto, MultiGraphNodeProto

__all__ = ["AdviceProto", "GraphNodeProto", "MultiGraphNodeProto", "ProfileOptionBuilder", "Profiler",
           "profile"]
