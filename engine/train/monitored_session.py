"""`tf.train.MonitoredSession` and `MonitoredTrainingSession`: a Session that initializes or restores the
model, runs hooks around every `run`, and closes cleanly.

Creating one: each hook's ``begin()``, ``Scaffold.finalize()`` (default init/ready/local-init/summary ops
and Saver, then the graph is finalized), a Session that restores the latest checkpoint of
``checkpoint_dir`` or runs the init ops, then each hook's ``after_create_session``. ``run`` adds the hooks'
fetches and feeds to the caller's and hands them their values. Leaving the ``with`` block runs each hook's
``end`` and closes the Session; ``OutOfRangeError`` (an input ran dry) ends it cleanly. Deviation: one
process only, so there is no worker session creator (``is_chief=False``) and no recovery from a lost
session.
"""

from __future__ import annotations

import abc

from engine import logging
from engine.framework import errors, ops
from engine.ops import control_flow_ops
from engine.train import basic_session_run_hooks as hooks_lib
from engine.train import queue_runner
from engine.train.checkpoint_management import get_checkpoint_state
from engine.train.coordinator import Coordinator
from engine.train.session_run_hook import SessionRunArgs, SessionRunContext, SessionRunValues

_USE_DEFAULT = object()


class Scaffold:
    """The ops and Saver a monitored session needs; what is not given is found in the graph's collections
    (``INIT_OP``, ``READY_OP``, ``LOCAL_INIT_OP``, ``SUMMARY_OP``, ``SAVERS``) or made by `finalize`."""

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None,
                 ready_for_local_init_op=None, local_init_op=None, summary_op=None, saver=None,
                 copy_from_scaffold=None):
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")
            pick = lambda mine, theirs: theirs if mine is None else mine  # noqa: E731
            init_op = pick(init_op, copy_from_scaffold.init_op)
            init_feed_dict = pick(init_feed_dict, copy_from_scaffold.init_feed_dict)
            init_fn = pick(init_fn, copy_from_scaffold._user_init_fn)
            ready_op = pick(ready_op, copy_from_scaffold.ready_op)
            ready_for_local_init_op = pick(ready_for_local_init_op,
                                           copy_from_scaffold.ready_for_local_init_op)
            local_init_op = pick(local_init_op, copy_from_scaffold.local_init_op)
            summary_op = pick(summary_op, copy_from_scaffold.summary_op)
            saver = pick(saver, copy_from_scaffold.saver)
        self._user_init_fn = init_fn
        self._init_fn = (lambda sess: init_fn(self, sess)) if init_fn else None
        self._init_op, self._init_feed_dict = init_op, init_feed_dict
        self._ready_op, self._ready_for_local_init_op = ready_op, ready_for_local_init_op
        self._local_init_op, self._summary_op, self._saver = local_init_op, summary_op, saver

    @staticmethod
    def get_or_default(arg_name, collection_key, default_constructor):
        """The one op of `collection_key`, or a new one from `default_constructor` (then collected)."""
        elements = ops.get_collection(collection_key)
        if elements:
            if len(elements) > 1:
                raise RuntimeError(
                    f'More than one item in the collection "{collection_key}". Please indicate which one to '
                    f"use by passing it to the tf.Scaffold constructor as:  "
                    f"tf.Scaffold({arg_name}=item to use)")
            return elements[0]
        op = default_constructor()
        if op is not None:
            ops.add_to_collection(collection_key, op)
        return op

    @staticmethod
    def default_local_init_op():
        from engine import variables

        return control_flow_ops.group(variables.local_variables_initializer())

    def finalize(self):
        """Fills in every op not given, then finalizes the graph."""
        from engine import summary, variables
        from engine.train.saver import Saver

        defaults = [
            ("init_op", ops.GraphKeys.INIT_OP,
             lambda: control_flow_ops.group(variables.global_variables_initializer())),
            ("ready_op", ops.GraphKeys.READY_OP, variables.report_uninitialized_variables),
            ("ready_for_local_init_op", ops.GraphKeys.READY_FOR_LOCAL_INIT_OP,
             lambda: variables.report_uninitialized_variables(variables.global_variables())),
            ("local_init_op", ops.GraphKeys.LOCAL_INIT_OP, Scaffold.default_local_init_op),
            ("summary_op", ops.GraphKeys.SUMMARY_OP, summary.merge_all),
            ("saver", ops.GraphKeys.SAVERS, lambda: Saver(sharded=True, allow_empty=True)),
        ]
        for arg_name, collection_key, default_constructor in defaults:
            if getattr(self, f"_{arg_name}") is None:
                op = Scaffold.get_or_default(arg_name, collection_key, default_constructor)
                setattr(self, f"_{arg_name}", op)
        ops.get_default_graph().finalize()
        logging.info("Graph was finalized.")
        return self

    init_fn = property(lambda self: self._init_fn)
    init_op = property(lambda self: self._init_op)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    local_init_op = property(lambda self: self._local_init_op)
    summary_op = property(lambda self: self._summary_op)
    saver = property(lambda self: self._saver)
    init_feed_dict = property(lambda self: self._init_feed_dict)


class SessionCreator(abc.ABC):
    """What a MonitoredSession gets its Session from: `create_session()`."""

    @abc.abstractmethod
    def create_session(self):
        """Returns a new, initialized Session."""


class ChiefSessionCreator(SessionCreator):
    """Makes a Session for the default graph: restores `checkpoint_filename_with_path` or the latest
    checkpoint of `checkpoint_dir`, else runs the scaffold's init op and init_fn; then its local init op."""

    def __init__(self, scaffold=None, master="", config=None, checkpoint_dir=None,
                 checkpoint_filename_with_path=None):
        self._scaffold = scaffold or Scaffold()
        self._config = config
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path

    def create_session(self):
        from engine.session import Session

        scaffold = self._scaffold.finalize()
        sess = Session(config=self._config)
        if not self._restore(sess, scaffold.saver):
            if scaffold.init_op is None and not scaffold.init_fn and scaffold.local_init_op is None:
                raise RuntimeError(
                    "Model is not initialized and no init_op or init_fn or local_init_op was given")
            if scaffold.init_op is not None:
                sess.run(scaffold.init_op, feed_dict=scaffold.init_feed_dict)
            if scaffold.init_fn:
                scaffold.init_fn(sess)
        if scaffold.local_init_op is not None:
            sess.run(scaffold.local_init_op)
        if scaffold.ready_op is not None:
            not_ready = sess.run(scaffold.ready_op)
            if len(not_ready):
                raise RuntimeError(
                    f"Init operations did not make model ready.  Init op: {scaffold.init_op.name}, init fn: "
                    f"{scaffold.init_fn}, local_init_op: {scaffold.local_init_op}, error: Variables not "
                    f"initialized: {', '.join(v.decode() for v in not_ready)}")
        return sess

    def _restore(self, sess, saver):
        if self._checkpoint_filename_with_path:
            saver.restore(sess, self._checkpoint_filename_with_path)
            return True
        if not self._checkpoint_dir:
            return False
        state = get_checkpoint_state(self._checkpoint_dir)
        if state is None or not state.model_checkpoint_path:
            return False
        saver.restore(sess, state.model_checkpoint_path)
        saver.recover_last_checkpoints(list(state.all_model_checkpoint_paths))
        return True


def _merge_feeds(user_feed_dict, hook_feeds):
    if not hook_feeds:
        return user_feed_dict
    if user_feed_dict and set(user_feed_dict) & set(hook_feeds):
        raise RuntimeError(f"Same tensor is fed by a SessionRunHook and user. "
                           f"Conflict(s): {sorted(str(t) for t in set(user_feed_dict) & set(hook_feeds))}")
    merged = dict(hook_feeds)
    merged.update(user_feed_dict or {})
    return merged


class MonitoredSession:
    """A Session with hooks (see the module docstring); use it as a context manager."""

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs=120):
        self._hooks = list(hooks or [])
        for hook in self._hooks:
            hook.begin()
        self._graph = ops.get_default_graph()
        self._graph_was_finalized = self._graph.finalized
        self._sess = (session_creator or ChiefSessionCreator()).create_session()
        self._coord = Coordinator()
        if self._graph.get_collection(ops.GraphKeys.QUEUE_RUNNERS):  # as TF, before the hooks see the session
            queue_runner.start_queue_runners(sess=self._sess, coord=self._coord)
        self._stop_grace_period_secs = stop_grace_period_secs
        self._should_stop = False
        for hook in self._hooks:
            hook.after_create_session(self._sess, self._coord)

    @property
    def graph(self):
        return self._graph

    def should_stop(self):
        return self._sess is None or self._should_stop or self._coord.should_stop()

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs `fetches` with every hook's fetches and feeds; returns the caller's values."""
        if self._sess is None:
            raise RuntimeError("Attempted to use a closed Session.")
        if self._should_stop:
            raise RuntimeError("Run called even after should_stop requested.")
        run_context = SessionRunContext(SessionRunArgs(fetches, feed_dict, options), self._sess)
        actual_fetches = {"caller": fetches}
        hook_feeds = {}
        for hook in self._hooks:
            request = hook.before_run(run_context)
            if request is None:
                continue
            if request.fetches is not None:
                actual_fetches[hook] = request.fetches
            if request.feed_dict:
                if set(hook_feeds) & set(request.feed_dict):
                    raise RuntimeError("Same tensor is fed by two hooks.")
                hook_feeds.update(request.feed_dict)
        feeds = _merge_feeds(feed_dict, hook_feeds)
        outputs = self._sess.run(actual_fetches, feed_dict=feeds, options=options, run_metadata=run_metadata)
        for hook in self._hooks:
            hook.after_run(run_context, SessionRunValues(outputs.get(hook), options, run_metadata))
        self._should_stop = self._should_stop or run_context.stop_requested
        return outputs["caller"]

    def close(self):
        self._close(None)

    def _close(self, exception_type):
        if self._sess is None:
            return
        try:
            if exception_type is None:
                for hook in self._hooks:
                    hook.end(self._sess)
        finally:
            try:
                self._coord.request_stop()
                self._coord.join(stop_grace_period_secs=self._stop_grace_period_secs)
                self._sess.close()
            finally:
                self._sess = None
                if not self._graph_was_finalized:
                    self._graph._unsafe_unfinalize()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        if exception_type in (errors.OutOfRangeError, StopIteration):
            exception_type = None
        self._close(exception_type)
        return exception_type is None


class SingularMonitoredSession(MonitoredSession):
    """A MonitoredSession made from a scaffold and checkpoint settings, with `raw_session()`."""

    def __init__(self, hooks=None, scaffold=None, master="", config=None, checkpoint_dir=None,
                 stop_grace_period_secs=120, checkpoint_filename_with_path=None):
        creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config,
                                      checkpoint_dir=checkpoint_dir,
                                      checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(creator, hooks=hooks, stop_grace_period_secs=stop_grace_period_secs)

    def raw_session(self):
        return self._sess


def MonitoredTrainingSession(master="", is_chief=True, checkpoint_dir=None, scaffold=None, hooks=None,  # noqa: N802
                             chief_only_hooks=None, save_checkpoint_secs=_USE_DEFAULT,
                             save_summaries_steps=_USE_DEFAULT, save_summaries_secs=_USE_DEFAULT, config=None,
                             stop_grace_period_secs=120, log_step_count_steps=100, max_wait_secs=7200,
                             save_checkpoint_steps=_USE_DEFAULT, summary_dir=None, save_graph_def=True):
    """A MonitoredSession for training: restores from or checkpoints into `checkpoint_dir` (every 600 s by
    default), writes summaries (every 100 steps by default) and `global_step/sec` into `summary_dir`
    (default `checkpoint_dir`), besides the given `hooks`."""
    if not is_chief:
        raise ValueError("is_chief=False makes a worker session that waits for a chief in a distributed "
                         "cluster; this engine runs in one process, as the chief (is_chief=True).")
    if save_summaries_steps is _USE_DEFAULT and save_summaries_secs is _USE_DEFAULT:
        save_summaries_steps, save_summaries_secs = 100, None
    else:
        save_summaries_steps = None if save_summaries_steps is _USE_DEFAULT else save_summaries_steps
        save_summaries_secs = None if save_summaries_secs is _USE_DEFAULT else save_summaries_secs
    if save_checkpoint_secs is _USE_DEFAULT and save_checkpoint_steps is _USE_DEFAULT:
        save_checkpoint_secs, save_checkpoint_steps = 600, None
    else:
        save_checkpoint_secs = None if save_checkpoint_secs is _USE_DEFAULT else save_checkpoint_secs
        save_checkpoint_steps = None if save_checkpoint_steps is _USE_DEFAULT else save_checkpoint_steps
    scaffold = scaffold or Scaffold()
    summary_dir = summary_dir or checkpoint_dir
    all_hooks = list(chief_only_hooks or [])
    if summary_dir:
        if log_step_count_steps and log_step_count_steps > 0:
            all_hooks.append(hooks_lib.StepCounterHook(output_dir=summary_dir,
                                                       every_n_steps=log_step_count_steps))
        if (save_summaries_steps or 0) > 0 or (save_summaries_secs or 0) > 0:
            all_hooks.append(hooks_lib.SummarySaverHook(
                scaffold=scaffold, save_steps=save_summaries_steps, save_secs=save_summaries_secs,
                output_dir=summary_dir))
    if checkpoint_dir and ((save_checkpoint_secs or 0) > 0 or (save_checkpoint_steps or 0) > 0):
        all_hooks.append(hooks_lib.CheckpointSaverHook(checkpoint_dir, save_steps=save_checkpoint_steps,
                                                       save_secs=save_checkpoint_secs, scaffold=scaffold,
                                                       save_graph_def=save_graph_def))
    all_hooks.extend(hooks or [])
    creator = ChiefSessionCreator(scaffold=scaffold, config=config, checkpoint_dir=checkpoint_dir)
    return MonitoredSession(session_creator=creator, hooks=all_hooks,
                            stop_grace_period_secs=stop_grace_period_secs)
