"""The ``tumorboard`` command line (the only module tree that imports click).

Each command (or command group) lives in exactly one module under ``tumorboard/cli/`` and
registers itself on the ``main`` group when that module is imported (click's lazy-loading
pattern: :class:`~tumorboard.cli._base.TumorBoardGroup`); shared options are declared once in
``cli/options.py``; commands stay thin: parse options, call the library,
format the result. The modules are imported lazily: ``tumorboard annotate`` imports only
``tumorboard.cli.annotate`` (and what it needs), ``tumorboard --help`` imports them all.

Exit codes: 0 success; 1 a user error (bad input, unknown code, invalid catalog...) reported as
one ``Error: ...`` line plus a ``Hint: ...`` line on stderr; 2 a usage error (click);
3 an unexpected internal error (set ``TUMORBOARD_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import gc

from tumorboard.cli._base import main

_REPORT = "tumorboard.cli.report"
_CATALOG = "tumorboard.cli.catalog"

# Command name -> the modules that define it (``schema`` has subcommands in two of them).
main.lazy_commands.update(
    {
        "agenda": (_REPORT,),
        "annotate": ("tumorboard.cli.annotate",),
        "batch": ("tumorboard.cli.batch",),
        "catalog": (_CATALOG,),
        "cohort": ("tumorboard.cli.cohort", "tumorboard.cli.dashboard"),
        "decision": ("tumorboard.cli.decision",),
        "demo": (_REPORT,),
        "letter": ("tumorboard.cli.letter",),
        "oncotree": ("tumorboard.cli.oncotree",),
        "render": (_REPORT,),
        "report": (_REPORT,),
        "schema": ("tumorboard.cli.schema",),
    }
)


def run() -> None:
    """The ``tumorboard`` program (console script and ``python -m tumorboard``): :data:`main`,
    then the process ends.

    The collector's view of what the command leaves (catalog, tree, models: hundreds of
    thousands of objects) is frozen first, so the interpreter's last collection at exit does
    not traverse them: 9 ms instead of 36 ms after a 50,000-record panel VCF. Only the process
    that is ending does this; ``main`` itself (CliRunner, library callers) never does.
    """
    try:
        main()
    finally:
        gc.freeze()


__all__ = ["main", "run"]
