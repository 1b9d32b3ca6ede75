"""`tf.logging`: TF 1.x's logging helpers on Python's `logging` (logger name "tensorflow")."""

from __future__ import annotations

import collections as _collections
import logging as _logging
import sys as _sys

# TensorFlow's names (tf.compat.v1.logging); get_logger is tf.get_logger.
__all__ = [
    "DEBUG",
    "ERROR",
    "FATAL",
    "INFO",
    "WARN",
    "debug",
    "error",
    "fatal",
    "flush",
    "get_verbosity",
    "info",
    "log",
    "log_every_n",
    "log_first_n",
    "log_if",
    "set_verbosity",
    "vlog",
    "warn",
    "warning",
]

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARN = _logging.WARNING
ERROR = _logging.ERROR
FATAL = _logging.FATAL

_logger = _logging.getLogger("tensorflow")
# Each helper logs with stacklevel=2, so a record names the caller's file and line, not this module's.


def get_logger():
    return _logger


def set_verbosity(v):
    _logger.setLevel(v)


def get_verbosity():
    return _logger.getEffectiveLevel()


def debug(msg, *args, **kwargs):
    _logger.debug(msg, *args, stacklevel=2, **kwargs)


def info(msg, *args, **kwargs):
    _logger.info(msg, *args, stacklevel=2, **kwargs)


def warning(msg, *args, **kwargs):
    _logger.warning(msg, *args, stacklevel=2, **kwargs)


warn = warning


def error(msg, *args, **kwargs):
    _logger.error(msg, *args, stacklevel=2, **kwargs)


def fatal(msg, *args, **kwargs):
    _logger.fatal(msg, *args, stacklevel=2, **kwargs)


def log(level, msg, *args, **kwargs):
    _logger.log(level, msg, *args, stacklevel=2, **kwargs)


# TF logs verbose messages at the level number itself (vlog(1, ...) is below DEBUG's 10, hidden by default).
vlog = log


def log_if(level, msg, condition, *args):
    if condition:
        _logger.log(level, msg, *args, stacklevel=2)


# How often each call site (file, line) has logged, for log_first_n / log_every_n.
_counts: _collections.Counter = _collections.Counter()


def _count_call_site():
    frame = _sys._getframe(2)
    site = (frame.f_code.co_filename, frame.f_lineno)
    _counts[site] += 1
    return _counts[site]


def log_first_n(level, msg, n, *args):
    """Logs only the first `n` times this line runs."""
    if _count_call_site() <= n:
        _logger.log(level, msg, *args, stacklevel=2)


def log_every_n(level, msg, n, *args):
    """Logs the 1st, (n+1)th, (2n+1)th ... time this line runs."""
    if (_count_call_site() - 1) % n == 0:
        _logger.log(level, msg, *args, stacklevel=2)


def flush():
    for handler in _logger.handlers:
        handler.flush()
