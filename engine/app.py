"""`tf.app`: ``run`` (absl's app runner, as TF 1.x uses it) and ``flags``."""

from __future__ import annotations

import sys

from absl import app as _absl_app

from engine import flags

__all__ = ["flags", "run"]


def run(main=None, argv=None):
    """Parses the command line into ``tf.flags.FLAGS`` and exits with ``main(remaining_argv)``.

    ``main`` defaults to the ``main`` of the ``__main__`` module; ``argv`` to ``sys.argv``. As in TF,
    arguments that name no defined flag are left in ``remaining_argv`` rather than refused.
    """
    main = main or sys.modules["__main__"].main
    _absl_app.run(main, argv=argv, flags_parser=lambda args: flags.FLAGS(args, known_only=True))
