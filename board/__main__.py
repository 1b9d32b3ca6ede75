"""`python -m board --logdir DIR`: the same as the `board` command."""

import sys

from board.cli import main

sys.exit(main())
