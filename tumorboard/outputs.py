"""Atomic output writing: a temporary file beside the target, renamed into place on success.

A failed run never leaves a partial output file behind. :class:`OutputSet` does the same for
the several files of one command (report HTML + JSON sidecar): all are written to temporary
files first and renamed into place together, only when every one was written; an output path
that is one of the run's inputs, or named twice, or an existing folder, device or pipe, is
refused before anything is written. A new output is never readable by more people than the
inputs it was made from (see :class:`OutputSet`); a signal never leaves half a set (see
:mod:`tumorboard.signals`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from tumorboard.errors import OutputError
from tumorboard.signals import signals_deferred

_BUFFER = 1 << 20
"""Write buffer of an output: a case JSON of tens of MB in 1 MB writes, not 8 kB ones."""


@contextlib.contextmanager
def atomic_output(path: str | Path | None, *, inputs: Sequence[str] = ()) -> Iterator[TextIO]:
    """Open ``path`` for writing text atomically; ``None`` or ``-`` writes to stdout.

    The data goes to a temporary file in the same folder, which is renamed over ``path`` only
    when the ``with`` block ends without an exception; otherwise it is removed. ``inputs`` are
    the files the output is made from: ``path`` may not be one of them, and the new file is
    never readable by more people than every one of them (see :class:`OutputSet`).
    """
    if path is None or str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    with OutputSet([str(path)], inputs=inputs) as out, out.open(str(path)) as fh:
        yield fh


@contextlib.contextmanager
def atomic_binary_output(path: str | Path, *, inputs: Sequence[str] = ()) -> Iterator[BinaryIO]:
    """Like :func:`atomic_output`, for binary data (Excel, Parquet); a file path only."""
    with OutputSet([str(path)], inputs=inputs) as out, out.open_binary(str(path)) as fh:
        yield fh


class OutputSet:
    """The output files of one command, written all or nothing.

    ``with OutputSet(paths, inputs=inputs) as out:`` then ``with out.open(path) as fh:`` for
    each path; the files are renamed into place when the outer block ends without an
    exception, and removed otherwise. ``-`` streams to standard output (not transactional).

    Rules: an output may not be one of ``inputs`` (the same file under any name) nor be named
    twice; an existing output must be a regular file (a folder, device or pipe is refused, never
    replaced). Permissions: a replaced file keeps its mode, a new one gets ``0666 & ~umask``;
    either is then narrowed to what every input grants: when an input is not readable by its
    group (or by others), neither is the output. The renames that put the set in place run with
    SIGINT/SIGTERM/SIGHUP held back, and a failed rename puts the files it replaced back.
    """

    def __init__(self, paths: Sequence[str], *, inputs: Sequence[str] = ()) -> None:
        self._check(paths, inputs)
        self.paths = list(paths)
        self._private = _private_bits(inputs)
        self._pending: list[tuple[Path, Path]] = []
        self.written: list[Path] = []

    @staticmethod
    def _check(paths: Sequence[str], inputs: Sequence[str]) -> None:
        seen: dict[str, str] = {}
        given = {_identity(i): i for i in inputs if i != "-"}
        for path in paths:
            if path == "-":
                continue
            key = _identity(path)
            if key in seen:
                raise OutputError(
                    "the same file is named for two outputs",
                    where=path,
                    hint="give each output (-o, --json, --tsv) its own file name",
                )
            seen[key] = path
            _check_target(Path(path))
            if key in given:
                raise OutputError(
                    f"the output would replace the input {given[key]}",
                    where=path,
                    hint="choose an output file name that is not one of the inputs",
                )

    def open(self, path: str) -> contextlib.AbstractContextManager[TextIO]:
        """Open one of the set's paths for writing (to a temporary file until commit)."""
        if path == "-":
            return contextlib.nullcontext(sys.stdout)
        return self._open(path)

    @contextlib.contextmanager
    def _open(self, path: str) -> Iterator[TextIO]:
        with self.open_binary(path) as raw, io.TextIOWrapper(raw, "utf-8", newline="") as fh:
            yield fh

    @contextlib.contextmanager
    def open_binary(self, path: str) -> Iterator[BinaryIO]:
        """Open one of the set's paths for writing bytes (to a temporary file until commit)."""
        target = Path(path)
        if str(target) not in {str(Path(p)) for p in self.paths}:
            raise ValueError(f"{path} is not one of this OutputSet's paths")
        fd, tmp = _temp_for(target)
        self._pending.append((tmp, target))
        try:
            with os.fdopen(fd, "wb", buffering=_BUFFER) as fh:
                yield fh
        except OSError as exc:
            if exc.errno not in _FULL:
                raise
            raise OutputError(
                f"cannot write the output: {exc.strerror}",
                where=str(target),
                hint="free some space, or write the output to another disk",
            ) from exc

    def commit(self) -> None:
        """Put every written file in place (together: see the class docstring)."""
        with signals_deferred():
            backups = _backups([target for _, target in self._pending])
            done: list[Path] = []
            try:
                for tmp, target in self._pending:
                    tmp.chmod(_mode_for(target) & ~self._private)
                    tmp.replace(target)
                    done.append(target)
            except OSError as exc:
                _restore(done, backups)
                self.abort()
                raise OutputError(
                    f"cannot put the output in place: {exc.strerror}",
                    where=str(exc.filename or ""),
                    hint="check the output folder's permissions; nothing was replaced",
                ) from exc
            finally:
                for backup in backups.values():
                    backup.unlink(missing_ok=True)
            self.written.extend(done)
            self._pending.clear()
        sys.stdout.flush()

    def abort(self) -> None:
        for tmp, _ in self._pending:
            tmp.unlink(missing_ok=True)
        self._pending.clear()

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _backups(targets: Sequence[Path]) -> dict[Path, Path]:
    """A hard link to each existing target, to put back when a later rename fails."""
    if len(targets) < 2:
        return {}
    out: dict[Path, Path] = {}
    for target in targets:
        if not target.is_file():
            continue
        backup = target.with_name(f".{target.name}.{os.getpid()}.bak")
        try:
            backup.unlink(missing_ok=True)
            os.link(target, backup, follow_symlinks=False)
        except OSError:  # no hard links here: a failed rename cannot be undone for this file
            continue
        out[target] = backup
    return out


def _restore(done: Sequence[Path], backups: dict[Path, Path]) -> None:
    for target in done:
        with contextlib.suppress(OSError):
            if target in backups:
                backups[target].replace(target)
            else:
                target.unlink()


def _private_bits(inputs: Sequence[str]) -> int:
    """Permission bits no output may have: group bits when an input is not group-readable,
    other bits when an input is not readable by others."""
    bits = 0
    for path in inputs:
        if path == "-":
            continue
        try:
            st = Path(path).stat()
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if not st.st_mode & stat.S_IRGRP:
            bits |= 0o070
        if not st.st_mode & stat.S_IROTH:
            bits |= 0o007
    return bits


def _identity(path: str) -> str:
    """A key that is equal for two spellings of the same file (links and ``..`` resolved)."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return str(p.resolve())
    return f"{st.st_dev}:{st.st_ino}"


def _check_target(target: Path) -> Path:
    """The folder ``target`` goes in; an :class:`OutputError` when it cannot be written there."""
    folder = target.parent if str(target.parent) else Path()
    if not folder.is_dir():
        raise OutputError(
            f"output folder {str(folder)!r} does not exist",
            where=str(target),
            hint="create the folder first or choose another -o path",
        )
    if target.is_dir():
        raise OutputError(
            "the output path is a folder", where=str(target), hint="name a file inside it"
        )
    if target.exists() and not target.is_file():
        raise OutputError(
            "the output path exists and is not a regular file (a device, pipe or socket)",
            where=str(target),
            hint="choose a regular file name, or use -o - to write to standard output",
        )
    return folder


def _temp_for(target: Path) -> tuple[int, Path]:
    """A temporary file beside ``target`` (an :class:`OutputError` when that is impossible)."""
    folder = _check_target(target)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(
            f"cannot write here: {exc.strerror}",
            where=str(target),
            hint="check the folder's permissions and free space, or choose another path",
        ) from exc
    return fd, Path(name)


def _mode_for(target: Path) -> int:
    """An existing file keeps its permissions; a new one gets the usual ``0666 & ~umask``."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | Path | None, text: str, *, inputs: Sequence[str] = ()) -> None:
    """Write ``text`` to ``path`` atomically (stdout for ``None``/``-``); see :class:`OutputSet`
    for ``inputs``."""
    with atomic_output(path, inputs=inputs) as fh:
        fh.write(text)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe.

    Cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are formulas
    to Excel and LibreOffice (CSV injection); numbers are left alone (``-1.5`` stays a number),
    and so is a lone ``-`` or ``+`` (a MAF deletion allele; no spreadsheet runs it).
    """
    if isinstance(cell, str) and cell.startswith(_FORMULA_START) and cell not in ("-", "+"):
        return "'" + cell
    return cell


def sha256_file(path: str | Path, chunk: int = 1 << 20, stop: threading.Event | None = None) -> str:
    """Hex sha256 of a file, read in chunks into one buffer (``stop``: give up, returning
    ``""``, once set)."""
    digest = hashlib.sha256()
    buffer = bytearray(chunk)
    view = memoryview(buffer)
    with Path(path).open("rb", buffering=0) as fh:
        while n := fh.readinto(buffer):
            if stop is not None and stop.is_set():
                return ""
            digest.update(view[:n])
    return digest.hexdigest()


class FileDigests:
    """The sha256 of input files, computed in a background thread while the run reads them.

    hashlib and file reads release the GIL, so the provenance digest of a large input (0.13 s
    for the 157 MB benchmark VCF) overlaps the reading instead of following it. :meth:`get`
    gives the same value :func:`sha256_file` would (computing it then when the thread could
    not); :meth:`close` stops the thread early (a run that failed).
    """

    def __init__(self, paths: Sequence[str]) -> None:
        self._paths = [p for p in dict.fromkeys(paths) if p != "-" and Path(p).is_file()]
        self._done: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tumorboard-sha256", daemon=True)
        if self._paths:
            self._thread.start()

    def _run(self) -> None:
        for path in self._paths:
            try:
                digest = sha256_file(path, stop=self._stop)
            except OSError:
                continue  # :meth:`get` computes it again and reports the error
            if digest:
                self._done[path] = digest

    def get(self, path: str) -> str:
        """The file's hex sha256 (waits for the thread)."""
        if self._thread.is_alive():
            self._thread.join()
        return self._done.get(path) or sha256_file(path)

    def close(self) -> None:
        """Stop the thread (at its next chunk) and wait for it."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


__all__ = [
    "FileDigests",
    "OutputSet",
    "atomic_binary_output",
    "atomic_output",
    "sha256_file",
    "spreadsheet_safe",
    "write_text_atomic",
]
