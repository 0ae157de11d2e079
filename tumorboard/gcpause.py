"""Pausing the cyclic garbage collector around a command's bulk work.

Used by the command line around its own call and by batch worker processes; the library's
functions never change their caller's collector.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector around one command's bulk work (restored after).

    Reading a panel VCF allocates tens of thousands of small, acyclic, long-lived objects; each
    allocation burst makes the collector re-scan every live one (about a third of the read time
    at 40,000 variants). Reference counting still frees them; the few cycles formed meanwhile
    are collected once the collector is back on. Only commands and batch workers do this,
    around their own work: the library never changes its caller's collector. Nests: an inner
    pause leaves an outer one in force.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


__all__ = ["gc_paused"]
