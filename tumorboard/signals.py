"""Signals end a run the way an error does: temporary files are removed, nothing is half-written.

By default SIGTERM and SIGHUP kill Python at once, so no ``finally`` or ``except BaseException``
runs and an output's temporary file (or one file of a report + sidecar pair) stays behind. While
a command runs, :func:`handle_termination` turns them into a :class:`Terminated` exception
(SIGINT already raises :class:`KeyboardInterrupt`), so the cleanup of
:class:`tumorboard.outputs.OutputSet` runs. :func:`signals_deferred` holds the signals back for
the few renames that put a set of outputs in place, so a signal arrives before or after them,
never in between. SIGKILL cannot be caught: a killed process can leave a ``.NAME.*.tmp`` file
(never a partial file under the output's own name).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

TERMINATING = tuple(
    s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None
)
"""Signals turned into :class:`Terminated` while a command runs."""


class Terminated(BaseException):
    """The process received SIGTERM or SIGHUP (a BaseException: ``except Exception`` lets it
    through, like KeyboardInterrupt)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"terminated by {self.name}")


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(signum)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


GRACE_S = 5.0
"""How long a terminating signal may wait for the cleanup before the process is killed."""


@contextlib.contextmanager
def handle_termination() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` (a signal the process
    ignores, such as SIGHUP under ``nohup``, stays ignored); the old handlers come back after.

    Python runs a signal handler only between bytecodes, so a process blocked inside a C
    library that retries interrupted calls would never see it: a watchdog thread, woken by
    the signal itself (``signal.set_wakeup_fd``), kills the process after :data:`GRACE_S`
    seconds if it is still running, as the default action would have done at once.
    """
    if not _main_thread():
        yield
        return
    old: dict[int, Any] = {}
    for sig in TERMINATING:
        previous = signal.getsignal(sig)
        if previous == signal.SIG_IGN:
            continue
        old[sig] = previous
        signal.signal(sig, _raise)
    stop_watchdog = _start_watchdog() if old else None
    try:
        yield
    finally:
        if stop_watchdog is not None:
            stop_watchdog()
        for sig, previous in old.items():
            signal.signal(sig, previous)


def _start_watchdog() -> Callable[[], None] | None:
    """Start the watchdog (see :func:`handle_termination`); returns the function stopping it."""
    import os

    try:
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except (OSError, ValueError, AttributeError):  # no pipes or wakeup fd here: no watchdog
        return None
    terminating = {int(s) for s in TERMINATING}
    stopped = threading.Event()

    def watch() -> None:
        try:
            while data := os.read(read_fd, 64):
                if terminating & set(data) and not stopped.wait(GRACE_S):
                    os.kill(os.getpid(), signal.SIGKILL)  # stuck where Python cannot run
        except OSError:
            pass
        finally:
            os.close(read_fd)

    threading.Thread(target=watch, name="tumorboard-signal-watchdog", daemon=True).start()

    def stop() -> None:
        stopped.set()
        signal.set_wakeup_fd(previous_fd)
        os.close(write_fd)  # the watchdog reads EOF and ends

    return stop


def install_termination_handlers() -> None:
    """For worker processes: SIGTERM and SIGHUP raise :class:`Terminated` for good."""
    if _main_thread():
        for sig in TERMINATING:
            if signal.getsignal(sig) != signal.SIG_IGN:
                signal.signal(sig, _raise)


_DEFERRED = {s for s in (*TERMINATING, getattr(signal, "SIGINT", None)) if s is not None}


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back during the block; they are handled right after."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:  # Windows
        yield
        return
    previous = mask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, previous)


__all__ = [
    "TERMINATING",
    "Terminated",
    "handle_termination",
    "install_termination_handlers",
    "signals_deferred",
]
