"""The ``tumorboard`` command line (the only module tree that imports click).

Each command lives in its own module under ``tumorboard/cli/`` and registers itself on the
``main`` group; commands stay thin: parse options, call the library, format the result.

Exit codes: 0 success; 1 a user error (bad input, unknown code, invalid catalog...) reported as
one ``Error: ...`` line plus a ``Hint: ...`` line on stderr; 2 a usage error (click);
3 an unexpected internal error (set ``TUMORBOARD_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import importlib

from tumorboard.cli._base import main

# Command modules; each one adds its commands to ``main`` on import.
_COMMAND_MODULES = (
    "tumorboard.cli.annotate",
    "tumorboard.cli.batch",
    "tumorboard.cli.cohort",
    "tumorboard.cli.oncotree",
    "tumorboard.cli.report",
    "tumorboard.cli.catalog",
)

for _name in _COMMAND_MODULES:
    importlib.import_module(_name)

__all__ = ["main"]
