"""A forked helper process: work one patient's run can do on a second CPU, beside itself.

Two steps of a large case use one: an indexed VCF read (a child fetches the records while this
process parses them: :mod:`tumorboard.readers.vcf_fetch`) and writing the case JSON (a child
writes the second half of the variants: :func:`tumorboard.writers.write_case_json`). Each helper
does a part whose result this process can check, and this process does that part itself when the
helper fails in any way, so the outputs never depend on it.

Rules every helper keeps, because it is forked from a process that may run other threads (the
input's sha256, the signal watchdog) and from the library's callers' programs:

* Only on Linux (``fork`` is cheap there and the helpers use ``os.memfd_create``) and when this
  process may run on two or more CPUs (its affinity, and its cgroup's CPU quota): on one CPU a
  helper only adds its cost.
* The child runs one narrow path that takes no lock the other threads use: no imports, no output
  to the terminal, no atexit handlers (it ends with ``os._exit``), the collector off.
* Its signal handling is the default: a Ctrl-C or a ``kill`` ends it at once, and the signal
  watchdog's wake-up pipe stays the parent's.
* The parent kills and reaps it however its own step ends (:func:`reap`).

``batch`` workers, which run whole analyses, are spawned instead (a fresh interpreter each).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import warnings
from pathlib import Path

_DEFAULT_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")


def available() -> bool:
    """Whether a helper may be forked here: Linux, and two or more CPUs for this process, both
    by its CPU affinity (``taskset``, a batch system's CPU binding) and by its cgroup's CPU
    quota (a container limited to ``--cpus=1``)."""
    if sys.platform != "linux" or not hasattr(os, "memfd_create"):
        return False
    try:
        if len(os.sched_getaffinity(0)) < 2:
            return False
    except (AttributeError, OSError):
        return False
    quota = cgroup_cpus()
    return quota is None or quota >= 2


def cgroup_cpus(root: str = "/sys/fs/cgroup", proc: str = "/proc/self/cgroup") -> float | None:
    """The CPUs this process's cgroup may use: v2 ``cpu.max`` (``quota period``) or v1
    ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``; ``None`` for no limit, or when it cannot be
    read."""
    base = Path(root)
    try:
        for line in Path(proc).read_text(encoding="utf-8").splitlines():
            _, controllers, path = line.split(":", 2)
            own = base / path.strip("/")
            if controllers == "":  # cgroup v2
                for place in (own / "cpu.max", base / "cpu.max"):
                    if place.exists():
                        quota, period = place.read_text(encoding="utf-8").split()[:2]
                        return None if quota == "max" else int(quota) / int(period)
            elif "cpu" in controllers.split(","):  # cgroup v1
                for folder in (base / controllers / path.strip("/"), base / controllers):
                    if (folder / "cpu.cfs_quota_us").exists():
                        quota_us = int((folder / "cpu.cfs_quota_us").read_text(encoding="utf-8"))
                        period_us = int((folder / "cpu.cfs_period_us").read_text(encoding="utf-8"))
                        return None if quota_us < 0 else quota_us / period_us
    except (OSError, ValueError, ZeroDivisionError):
        return None
    return None


def fork() -> int:
    """``os.fork``, the child set up as the module docstring says; ``-1`` when no process can be
    had (the caller then does the work itself)."""
    try:
        with warnings.catch_warnings():  # Python 3.12+ warns of fork in a threaded process
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        return -1
    if pid == 0:  # pragma: no cover - the child
        try:
            gc.disable()
            for name in _DEFAULT_SIGNALS:
                if hasattr(signal, name):
                    signal.signal(getattr(signal, name), signal.SIG_DFL)
            signal.set_wakeup_fd(-1)  # the parent's watchdog pipe is the parent's
        except BaseException:  # a child that cannot be set up does nothing
            os._exit(1)
    return pid


def reap(pid: int) -> None:
    """Stop the helper if it still runs (its work is done or no longer wanted) and reap it."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def finished(pid: int) -> bool:
    """Wait for the helper; whether it ended normally (exit status 0)."""
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


__all__ = ["available", "cgroup_cpus", "finished", "fork", "reap"]
