"""Atomic output writing: a temporary file beside the target, renamed into place on success.

A failed run never leaves a partial output file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from tumorboard.errors import OutputError


@contextlib.contextmanager
def atomic_output(path: str | Path | None) -> Iterator[TextIO]:
    """Open ``path`` for writing text atomically; ``None`` or ``-`` writes to stdout.

    The data goes to a temporary file in the same folder, which is renamed over ``path`` only
    when the ``with`` block ends without an exception; otherwise it is removed.
    """
    if path is None or str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    folder = target.parent if str(target.parent) else Path()
    if not folder.is_dir():
        raise OutputError(
            f"output folder {str(folder)!r} does not exist",
            where=str(target),
            hint="create the folder first or choose another -o path",
        )
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write here: {exc.strerror}", where=str(target)) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        tmp.chmod(0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | Path | None, text: str) -> None:
    """Write ``text`` to ``path`` atomically (stdout for ``None``/``-``)."""
    with atomic_output(path) as fh:
        fh.write(text)


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


__all__ = ["atomic_output", "sha256_file", "write_text_atomic"]
