"""``tf.train``: `Example` and its Feature protos, optimizers, learning-rate schedules, the global step,
Saver and checkpoint helpers (re-exports only)."""

from engine.proto.example_pb2 import Example, SequenceExample
from engine.proto.feature_pb2 import (
    BytesList,
    Feature,
    FeatureList,
    FeatureLists,
    Features,
    FloatList,
    Int64List,
)
from engine.proto.saver_pb2 import SaverDef
from engine.train.adadelta import AdadeltaOptimizer
from engine.train.adagrad import AdagradOptimizer
from engine.train.adagrad_da import AdagradDAOptimizer
from engine.train.adam import AdamOptimizer
from engine.train.basic_session_run_hooks import (
    CheckpointSaverHook,
    CheckpointSaverListener,
    FeedFnHook,
    FinalOpsHook,
    LoggingTensorHook,
    NanLossDuringTrainingError,
    NanTensorHook,
    SecondOrStepTimer,
    StepCounterHook,
    StopAtStepHook,
    SummarySaverHook,
)
from engine.train.checkpoint_management import (
    checkpoint_exists,
    generate_checkpoint_state_proto,
    get_checkpoint_mtimes,
    get_checkpoint_state,
    latest_checkpoint,
    remove_checkpoint,
    update_checkpoint_state,
)
from engine.train.checkpoint_reader import NewCheckpointReader, list_variables, load_checkpoint, load_variable
from engine.train.checkpoints_iterator import checkpoints_iterator
from engine.train.coordinator import Coordinator
from engine.train.ftrl import FtrlOptimizer
from engine.train.gradient_descent import GradientDescentOptimizer
from engine.train.graph_io import write_graph
from engine.train.input import (
    batch,
    batch_join,
    input_producer,
    limit_epochs,
    range_input_producer,
    shuffle_batch,
    shuffle_batch_join,
    slice_input_producer,
    string_input_producer,
)
from engine.train.learning_rate_decay import (
    exponential_decay,
    inverse_time_decay,
    natural_exp_decay,
    piecewise_constant,
    piecewise_constant_decay,
    polynomial_decay,
)
from engine.train.looper_thread import LooperThread
from engine.train.meta_graph import export_meta_graph, import_meta_graph
from engine.train.momentum import MomentumOptimizer
from engine.train.monitored_session import (
    ChiefSessionCreator,
    MonitoredSession,
    MonitoredTrainingSession,
    Scaffold,
    SessionCreator,
    SingularMonitoredSession,
)
from engine.train.moving_averages import ExponentialMovingAverage
from engine.train.optimizer import Optimizer
from engine.train.proximal_adagrad import ProximalAdagradOptimizer
from engine.train.proximal_gradient_descent import ProximalGradientDescentOptimizer
from engine.train.queue_runner import QueueRunner, add_queue_runner, start_queue_runners
from engine.train.rmsprop import RMSPropOptimizer
from engine.train.saver import Saver
from engine.train.session_run_hook import SessionRunArgs, SessionRunContext, SessionRunHook, SessionRunValues
from engine.train.supervisor import Supervisor
from engine.train.training_util import (
    assert_global_step,
    create_global_step,
    get_global_step,
    get_or_create_global_step,
    global_step,
)

__all__ = [
    "BytesList", "Example", "Feature", "FeatureList", "FeatureLists", "Features", "FloatList", "Int64List",
    "SequenceExample",
    "AdadeltaOptimizer", "AdagradOptimizer", "AdamOptimizer", "GradientDescentOptimizer", "MomentumOptimizer",
    "Optimizer", "RMSPropOptimizer", "Saver", "NewCheckpointReader", "assert_global_step",
    "checkpoint_exists",
    "create_global_step", "exponential_decay", "get_checkpoint_state", "get_global_step",
    "get_or_create_global_step", "global_step", "inverse_time_decay", "latest_checkpoint", "list_variables",
    "load_checkpoint", "load_variable", "natural_exp_decay", "piecewise_constant", "polynomial_decay",
    "export_meta_graph", "generate_checkpoint_state_proto", "get_checkpoint_mtimes", "import_meta_graph",
    "remove_checkpoint", "update_checkpoint_state", "Coordinator", "ExponentialMovingAverage",
    "CheckpointSaverHook", "CheckpointSaverListener", "FeedFnHook", "FinalOpsHook", "LoggingTensorHook",
    "NanLossDuringTrainingError", "NanTensorHook", "SecondOrStepTimer", "StepCounterHook", "StopAtStepHook",
    "SummarySaverHook", "ChiefSessionCreator", "MonitoredSession", "MonitoredTrainingSession", "Scaffold",
    "SingularMonitoredSession", "SessionRunArgs", "SessionRunContext", "SessionRunHook", "SessionRunValues",
    "SessionCreator", "LooperThread", "checkpoints_iterator", "write_graph", "SaverDef",
    "piecewise_constant_decay", "Supervisor",
    # TF1's queue-based input pipelines
    "QueueRunner", "add_queue_runner", "start_queue_runners", "batch", "batch_join", "input_producer",
    "limit_epochs", "range_input_producer", "shuffle_batch", "shuffle_batch_join", "slice_input_producer",
    "string_input_producer",
    "AdagradDAOptimizer", "FtrlOptimizer", "ProximalAdagradOptimizer", "ProximalGradientDescentOptimizer",
]
