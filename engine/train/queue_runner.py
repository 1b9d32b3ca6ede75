"""``tf.train.QueueRunner``, ``add_queue_runner`` and ``start_queue_runners``: threads that keep a queue fed.

A QueueRunner holds a queue and its enqueue ops; `create_threads(sess, coord)` makes one thread per
enqueue op, each running its op until the queue closes, plus (with a Coordinator) one thread that
cancels the queue's pending enqueues when the coordinator is asked to stop.  When the last enqueue
thread of a session stops on OutOfRangeError (its input ran out: `limit_epochs`, or an upstream queue
closed), the runner closes its queue, so the error travels down the pipeline to the training loop's
dequeue.  Any other error is handed to the coordinator (`coord.request_stop(e)`), which re-raises it
from `coord.join()`.  As TF's, the threads run steps of one session at once (engine/session.py allows
that; the queues block: engine/ops/queues.py).
"""

from __future__ import annotations

import threading
import weakref

from engine import logging
from engine.framework import errors, ops
from engine.proto import queue_runner_pb2

__all__ = ["QueueRunner", "add_queue_runner", "start_queue_runners"]


class QueueRunner:
    """``tf.train.QueueRunner(queue=None, enqueue_ops=None, close_op=None, cancel_op=None,
    queue_closed_exception_types=None)``."""

    def __init__(self, queue=None, enqueue_ops=None, close_op=None, cancel_op=None,
                 queue_closed_exception_types=None, queue_runner_def=None, import_scope=None):
        self._lock = threading.Lock()
        self._runs_per_session = weakref.WeakKeyDictionary()  # enqueue threads still running, per session
        self._exceptions_raised = []
        if queue_runner_def is not None:
            if queue or enqueue_ops:
                raise ValueError("queue_runner_def and queue are mutually exclusive.")
            self._init_from_proto(queue_runner_def, import_scope)
            return
        if not queue or not enqueue_ops:
            raise ValueError("Must provide queue and enqueue_ops.")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = cancel_op if cancel_op is not None else queue.close(cancel_pending_enqueues=True)
        if queue_closed_exception_types is None:
            self._queue_closed_exception_types = (errors.OutOfRangeError,)
        elif (not isinstance(queue_closed_exception_types, tuple) or not queue_closed_exception_types
              or not all(isinstance(t, type) and issubclass(t, errors.OpError)
                         for t in queue_closed_exception_types)):
            raise TypeError("queue_closed_exception_types, when provided, must be a tuple of tf.error types, "
                            f"but saw: {queue_closed_exception_types}")
        else:
            self._queue_closed_exception_types = queue_closed_exception_types

    def _init_from_proto(self, queue_runner_def, import_scope):
        graph = ops.get_default_graph()

        def element(name):
            return graph.as_graph_element(f"{import_scope}/{name}" if import_scope else name)

        self._queue = element(queue_runner_def.queue_name)  # the queue op itself, as TF's from_proto
        self._enqueue_ops = [element(name) for name in queue_runner_def.enqueue_op_name]
        self._close_op = element(queue_runner_def.close_op_name)
        self._cancel_op = element(queue_runner_def.cancel_op_name)
        by_code = {cls.error_code: cls for cls in errors.OpError.__subclasses__()}
        codes = queue_runner_def.queue_closed_exception_types
        self._queue_closed_exception_types = tuple(by_code[c] for c in codes) or (errors.OutOfRangeError,)

    def to_proto(self, export_scope=None):
        """The QueueRunnerDef of a MetaGraphDef's queue_runners collection (None outside `export_scope`)."""
        def stripped(name):
            if not export_scope:
                return name
            return name[len(export_scope) + 1:] if name.startswith(export_scope + "/") else None

        names = [stripped(self.name), stripped(self._close_op.name), stripped(self._cancel_op.name),
                 *(stripped(op.name) for op in self._enqueue_ops)]
        if any(name is None for name in names):
            return None
        return queue_runner_pb2.QueueRunnerDef(
            queue_name=names[0], close_op_name=names[1], cancel_op_name=names[2], enqueue_op_name=names[3:],
            queue_closed_exception_types=[t.error_code for t in self._queue_closed_exception_types])

    @staticmethod
    def from_proto(queue_runner_def, import_scope=None):
        """The QueueRunner a QueueRunnerDef names, over ops of the default graph."""
        return QueueRunner(queue_runner_def=queue_runner_def, import_scope=import_scope)

    queue = property(lambda self: self._queue)
    enqueue_ops = property(lambda self: self._enqueue_ops)
    close_op = property(lambda self: self._close_op)
    cancel_op = property(lambda self: self._cancel_op)
    queue_closed_exception_types = property(lambda self: self._queue_closed_exception_types)

    @property
    def exceptions_raised(self):
        """Errors the threads raised when they ran without a coordinator."""
        return self._exceptions_raised

    @property
    def name(self):
        """The name of the queue's op."""
        return self._queue.name

    def _run(self, sess, enqueue_op, coord=None):
        """One enqueue thread: runs `enqueue_op` until the queue or the coordinator stops it."""
        decremented = False
        try:
            enqueue = sess.make_callable(enqueue_op)
            while True:
                if coord is not None and coord.should_stop():
                    break
                try:
                    enqueue()
                except self._queue_closed_exception_types:
                    with self._lock:  # the input ran out: the last thread closes the queue
                        self._runs_per_session[sess] -= 1
                        decremented = True
                        if self._runs_per_session[sess] == 0:
                            try:
                                sess.run(self._close_op)
                            except Exception as e:  # noqa: BLE001 - the session may be closing; as TF, ignored
                                logging.debug("Ignored exception: %s", e)
                    return
        except Exception as e:  # reported to the coordinator, as TF's runner does
            if coord is not None:
                coord.request_stop(e)
            else:
                logging.error("Exception in QueueRunner: %s", e)
                with self._lock:
                    self._exceptions_raised.append(e)
                raise
        finally:
            if not decremented:
                with self._lock:
                    self._runs_per_session[sess] -= 1

    def _close_on_stop(self, sess, cancel_op, coord):
        """Waits for the coordinator to stop, then cancels the queue's pending enqueues."""
        coord.wait_for_stop()
        try:
            sess.run(cancel_op)
        except Exception as e:  # noqa: BLE001 - the session may already be closed; as TF, ignored
            logging.debug("Ignored exception: %s", e)

    def create_threads(self, sess, coord=None, daemon=False, start=False):
        """The runner's threads for `sess` (none if they are already running in it)."""
        with self._lock:
            if self._runs_per_session.get(sess, 0) > 0:
                return []
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord)) for op in self._enqueue_ops]
        if coord is not None:
            threads.append(threading.Thread(target=self._close_on_stop, args=(sess, self._cancel_op, coord),
                                            name=f"QueueRunnerThread-{self.name}"))
        for thread in threads:
            if coord is not None:
                coord.register_thread(thread)
            if daemon:
                thread.daemon = True
            if start:
                thread.start()
        return threads


def add_queue_runner(qr, collection=ops.GraphKeys.QUEUE_RUNNERS):
    """``tf.train.add_queue_runner``: adds `qr` to the graph's QUEUE_RUNNERS collection."""
    ops.add_to_collection(collection, qr)


def start_queue_runners(sess=None, coord=None, daemon=True, start=True,
                        collection=ops.GraphKeys.QUEUE_RUNNERS):
    """``tf.train.start_queue_runners``: starts the threads of every QueueRunner of the session's graph."""
    if sess is None:
        sess = ops.get_default_session()
        if not sess:
            raise ValueError("Cannot start queue runners: No default session is registered. Use `with "
                             "sess.as_default()` or pass an explicit session to "
                             "tf.start_queue_runners(sess=sess)")
    if type(sess).__name__ in ("MonitoredSession", "SingularMonitoredSession"):
        return []  # a MonitoredSession started them itself, as in TF
    if not hasattr(sess, "make_callable") or not hasattr(sess, "graph"):
        raise TypeError(f"sess must be a `tf.Session` object. Given class: {type(sess)}")
    with sess.graph.as_default():
        runners = ops.get_collection(collection)
        if not runners:
            logging.warning("`tf.train.start_queue_runners()` was called when no queue runners were defined. "
                            "You can safely remove the call to this deprecated function.")
        threads = []
        for qr in runners:
            threads.extend(qr.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads
