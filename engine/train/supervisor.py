"""`tf.train.Supervisor`: TF 1.0's training manager, still in old scripts (`sv.managed_session()`).

On creation it fills in the init, ready, local-init and summary ops, the Saver and the global step
(from the graph's collections, or defaults) and finalizes the graph. `managed_session()` restores the
latest checkpoint of `logdir` or initializes, writes the graph, then runs background services: every
`save_summaries_secs` the summary op and `global_step/sec`, every `save_model_secs` a checkpoint (the
first right away). Leaving the block stops the services (re-raising an error they or the block reported,
except `OutOfRangeError`) and writes a STOP SessionLog. Deviation: one process, so only the chief exists
(`is_chief=False` is refused), and there are no queue runners to start.
"""

from __future__ import annotations

import contextlib
import os
import time

from engine import logging
from engine.framework import dtypes, ops
from engine.proto import event_pb2, summary_pb2
from engine.train import graph_io, meta_graph, training_util
from engine.train.coordinator import Coordinator
from engine.train.looper_thread import LooperThread
from engine.train.monitored_session import ChiefSessionCreator, Scaffold


class _UseDefault:
    def __repr__(self):
        return "USE_DEFAULT"


USE_DEFAULT = _UseDefault()


def _first_in_collection(key):
    items = ops.get_collection(key)
    return items[0] if items else None


class Supervisor:
    USE_DEFAULT = USE_DEFAULT

    def __init__(self, graph=None, ready_op=USE_DEFAULT, ready_for_local_init_op=USE_DEFAULT, is_chief=True,
                 init_op=USE_DEFAULT, init_feed_dict=None, local_init_op=USE_DEFAULT, logdir=None,
                 summary_op=USE_DEFAULT, saver=USE_DEFAULT, global_step=USE_DEFAULT, save_summaries_secs=120,
                 save_model_secs=600, recovery_wait_secs=30, stop_grace_secs=120,
                 checkpoint_basename="model.ckpt", session_manager=None, summary_writer=USE_DEFAULT,
                 init_fn=None, local_init_run_options=None):
        from engine import summary, variables
        from engine.train.saver import Saver

        if not is_chief:
            raise ValueError("is_chief=False makes a worker that waits for a chief in a distributed cluster; "
                             "this engine runs in one process, as the chief (is_chief=True).")
        self._graph = graph or ops.get_default_graph()
        with self._graph.as_default():
            self._ready_op = self._pick(ready_op, ops.GraphKeys.READY_OP,
                                        variables.report_uninitialized_variables)
            self._ready_for_local_init_op = self._pick(
                ready_for_local_init_op, ops.GraphKeys.READY_FOR_LOCAL_INIT_OP,
                lambda: variables.report_uninitialized_variables(variables.global_variables()))
            self._init_op = self._pick(init_op, ops.GraphKeys.INIT_OP, variables.global_variables_initializer)
            self._local_init_op = self._pick(local_init_op, ops.GraphKeys.LOCAL_INIT_OP,
                                             Scaffold.default_local_init_op)
            self._summary_op = self._pick(summary_op, ops.GraphKeys.SUMMARY_OP, summary.merge_all)
            self._saver = self._pick(saver, ops.GraphKeys.SAVERS,
                                     lambda: Saver() if variables.global_variables() else None)
            self._global_step = self._pick(global_step, ops.GraphKeys.GLOBAL_STEP, self._default_global_step)
        self._init_feed_dict, self._init_fn = init_feed_dict, init_fn
        self._is_chief, self._logdir = is_chief, logdir
        self._save_summaries_secs, self._save_model_secs = save_summaries_secs, save_model_secs
        self._stop_grace_secs = stop_grace_secs
        self._save_path = os.path.join(logdir, checkpoint_basename) if logdir else None
        if summary_writer is USE_DEFAULT:
            summary_writer = summary.FileWriter(logdir) if logdir else None
        self._summary_writer = summary_writer
        self._graph_added_to_summary = False
        self._coord = Coordinator()
        self._started_threads = []
        self._graph.finalize()

    @staticmethod
    def _pick(given, collection_key, make_default):
        """`given`; for USE_DEFAULT the collection's first item, else `make_default()` (then collected)."""
        if given is not USE_DEFAULT:
            return given
        found = _first_in_collection(collection_key)
        if found is None:
            found = make_default()
            if found is not None:
                ops.add_to_collection(collection_key, found)
        return found

    def _default_global_step(self):
        try:
            step = self._graph.get_tensor_by_name("global_step:0")
        except (KeyError, ValueError):
            return None
        return step if step.dtype.base_dtype in (dtypes.int32, dtypes.int64) else None

    def prepare_or_wait_for_session(self, master="", config=None, wait_for_checkpoint=False,
                                    max_wait_secs=7200, start_standard_services=True):
        """An initialized (or restored) Session, with the graph written and the services started."""
        init_fn = self._init_fn
        scaffold = Scaffold(init_op=self._init_op, init_feed_dict=self._init_feed_dict,
                            init_fn=(lambda _, sess: init_fn(sess)) if init_fn else None,
                            ready_op=self._ready_op, ready_for_local_init_op=self._ready_for_local_init_op,
                            local_init_op=self._local_init_op, summary_op=self._summary_op, saver=self._saver)
        sess = ChiefSessionCreator(scaffold, config=config, checkpoint_dir=self._logdir).create_session()
        self._write_graph()
        if start_standard_services:
            self.start_standard_services(sess)
            self.start_queue_runners(sess)
        return sess

    def _write_graph(self):
        if self._logdir:
            graph_io.write_graph(self._graph.as_graph_def(add_shapes=True), self._logdir, "graph.pbtxt")
        if self._summary_writer is not None and not self._graph_added_to_summary:
            self._summary_writer.add_graph(self._graph)
            saver_def = self._saver.saver_def if self._saver is not None else None
            self._summary_writer.add_meta_graph(meta_graph.create_meta_graph_def(
                graph_def=self._graph.as_graph_def(add_shapes=True), saver_def=saver_def))
            self._graph_added_to_summary = True

    def start_standard_services(self, sess):
        """Starts the summary, step-counter and checkpoint threads that apply; returns them."""
        if self._summary_writer is not None and self._global_step is not None:
            step = training_util.global_step(sess, self._global_step)
            start = event_pb2.SessionLog(status=event_pb2.SessionLog.START)
            self._summary_writer.add_session_log(start, step)
        threads = []
        if self._save_summaries_secs and self._summary_writer is not None:
            if self._summary_op is not None:
                threads.append(LooperThread(self._coord, self._save_summaries_secs, self._write_summaries,
                                            args=(sess,)))
            if self._global_step is not None:
                threads.append(_StepCounterThread(self, sess))
        if self._saver is not None and self._save_model_secs and self._save_path:
            threads.append(LooperThread(self._coord, self._save_model_secs, self._save_checkpoint,
                                        args=(sess,)))
        for thread in threads:
            thread.start()
        self._started_threads.extend(threads)
        return threads

    def _write_summaries(self, sess):
        if self._global_step is not None:
            summary_strs, step = sess.run([self._summary_op, self._global_step])
        else:
            summary_strs, step = sess.run(self._summary_op), None
        self._summary_writer.add_summary(summary_strs, step)

    def _save_checkpoint(self, sess):
        logging.info("Saving checkpoint to path %s", self._save_path)
        self._saver.save(sess, self._save_path, global_step=self._global_step)
        if self._summary_writer is not None and self._global_step is not None:
            step = training_util.global_step(sess, self._global_step)
            self._summary_writer.add_session_log(
                event_pb2.SessionLog(status=event_pb2.SessionLog.CHECKPOINT, checkpoint_path=self._save_path),
                step)

    @contextlib.contextmanager
    def managed_session(self, master="", config=None, start_standard_services=True,
                        close_summary_writer=True):
        """A Session for a `with` block; its end stops the services and closes the Session."""
        sess = self.prepare_or_wait_for_session(master=master, config=config,
                                                start_standard_services=start_standard_services)
        try:
            yield sess
        except Exception as exc:  # noqa: BLE001 - handed to the coordinator; stop() re-raises it
            self.request_stop(exc)
        finally:
            try:
                self.stop(close_summary_writer=close_summary_writer)
            finally:
                sess.close()

    def stop(self, threads=None, close_summary_writer=True, ignore_live_threads=False):
        """Stops the services and waits for them; re-raises a reported error."""
        self._coord.request_stop()
        try:
            self._coord.join(threads or self._started_threads, stop_grace_period_secs=self._stop_grace_secs,
                             ignore_live_threads=ignore_live_threads)
        finally:
            if close_summary_writer and self._summary_writer is not None:
                self._summary_writer.add_session_log(event_pb2.SessionLog(status=event_pb2.SessionLog.STOP))
                self._summary_writer.close()
                self._graph_added_to_summary = False
            self._started_threads = []

    def request_stop(self, ex=None):
        self._coord.request_stop(ex=ex)

    def should_stop(self):
        return self._coord.should_stop()

    def stop_on_exception(self):
        return self._coord.stop_on_exception()

    def loop(self, timer_interval_secs, target, args=None, kwargs=None):
        """Runs `target` every `timer_interval_secs` in a thread the Supervisor stops; returns it."""
        looper = LooperThread(self._coord, timer_interval_secs, target=target, args=args, kwargs=kwargs)
        looper.start()
        self._started_threads.append(looper)
        return looper

    def summary_computed(self, sess, summary, global_step=None):
        """Writes a Summary the caller computed (at `global_step`, default the current one)."""
        if self._summary_writer is None:
            raise RuntimeError("Writing a summary requires a summary writer.")
        if global_step is None and self._global_step is not None:
            global_step = training_util.global_step(sess, self._global_step)
        self._summary_writer.add_summary(summary, global_step)

    def start_queue_runners(self, sess, queue_runners=None):
        """Starts the threads of `queue_runners` (default: the graph's QUEUE_RUNNERS) under the
        Supervisor's coordinator, so `stop()` stops and joins them; returns them."""
        if queue_runners is None:
            queue_runners = self._graph.get_collection(ops.GraphKeys.QUEUE_RUNNERS)
        threads = []
        for qr in queue_runners:
            threads.extend(qr.create_threads(sess, coord=self._coord, daemon=True, start=True))
        self._started_threads.extend(threads)
        return threads

    coord = property(lambda self: self._coord)
    is_chief = property(lambda self: self._is_chief)
    init_op = property(lambda self: self._init_op)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    summary_writer = property(lambda self: self._summary_writer)
    summary_op = property(lambda self: self._summary_op)
    save_summaries_secs = property(lambda self: self._save_summaries_secs)
    global_step = property(lambda self: self._global_step)
    saver = property(lambda self: self._saver)
    save_model_secs = property(lambda self: self._save_model_secs)
    save_path = property(lambda self: self._save_path)


class _StepCounterThread(LooperThread):
    """Writes `<global step op name>/sec` every `save_summaries_secs`."""

    def __init__(self, sv, sess):
        super().__init__(sv.coord, sv.save_summaries_secs)
        self._sv, self._sess = sv, sess
        self._tag = f"{sv.global_step.op.name}/sec"

    def start_loop(self):
        self._last_time = time.time()
        self._last_step = training_util.global_step(self._sess, self._sv.global_step)

    def run_loop(self):
        step = training_util.global_step(self._sess, self._sv.global_step)
        now = time.time()
        elapsed, added = now - self._last_time, step - self._last_step
        self._last_time, self._last_step = now, step
        steps_per_sec = added / elapsed if elapsed > 0 else float("inf")
        value = summary_pb2.Summary.Value(tag=self._tag, simple_value=steps_per_sec)
        summary = summary_pb2.Summary(value=[value])
        if self._sv.summary_writer is not None:
            self._sv.summary_writer.add_summary(summary, step)
        logging.log_first_n(logging.INFO, "%s: %g", 10, self._tag, steps_per_sec)
