"""A small per-user cache of parsed catalogs: start-up speed only, never needed for a result.

Parsing the catalog's YAML (and importing PyYAML) takes about 100-150 ms of every run and gives
the same data each time. :mod:`.loader` keeps the parsed data of a catalog that loaded cleanly
here, as **JSON** (data only: reading an entry can never run code), and uses an entry only after
checking that every file it was built from still has the same path, display name and text
(sha256). The data from an entry is validated by the same schema as data from YAML, and the
catalog's sha256 is computed again from it and must equal the one stored: a damaged or edited
entry is ignored, and the provenance a report shows is always the hash of the data it used.

Entries live in :func:`tumorboard.resources.cache_dir` (``$TUMORBOARD_CACHE_DIR``, an empty
value turns the cache off; default ``~/.cache/tumorboard``), never in the installed package.
The folder is created 0700 and used only when it is a real folder (not a symlink) owned by the
user and writable by nobody else; entries are written 0600 and read only when they are regular
files (never a FIFO or device: opened without blocking) owned by the user, writable by nobody
else, and not symlinks (``O_NOFOLLOW``). An entry's name is a hash of what it was built by and
from: tumorboard's version, the source of the catalog modules, the Python and pydantic versions,
and the paths given; so an upgrade or an edited schema never reads an old entry. Only the newest
entries are kept, and any problem reading or writing the cache just means the catalog is loaded
from its files. Not on Windows (no ``O_NOFOLLOW``): there the catalog is always parsed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from tumorboard import __version__
from tumorboard.resources import cache_dir

MAX_ENTRIES = 32
MAX_ENTRY_BYTES = 64 << 20
_FORMAT = 2
_SUFFIX = ".json"
# Modules whose code decides what a loaded catalog is (the data layout and the loading).
_CODE = (
    "catalog/cache.py",
    "catalog/index.py",
    "catalog/loader.py",
    "catalog/schema.py",
    "catalog/yamlmarks.py",
    "models.py",
)
_PACKAGE = Path(__file__).resolve().parent.parent
_SUPPORTED = all(hasattr(os, n) for n in ("O_NOFOLLOW", "O_DIRECTORY", "getuid"))


@cache
def _fingerprint() -> bytes:
    from pydantic.version import VERSION as PYDANTIC_VERSION

    h = hashlib.sha256()
    for part in (str(_FORMAT), __version__, sys.version, PYDANTIC_VERSION):
        h.update(part.encode("utf-8") + b"\0")
    for name in _CODE:
        try:
            h.update((_PACKAGE / name).read_bytes())
        except OSError:  # no source installed: the version alone has to do
            h.update(b"?")
        h.update(b"\0")
    return h.digest()


def _entry_name(kind: str, parts: Sequence[str]) -> tuple[Path, str, str] | None:
    """(folder, entry file name, key) for ``kind`` + ``parts``; None when caching is off."""
    folder = cache_dir()
    if folder is None or not _SUPPORTED:
        return None
    h = hashlib.sha256(_fingerprint())
    for part in (kind, *parts):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    key = h.hexdigest()
    return folder, f"{kind}-{key[:40]}{_SUFFIX}", key


def _ours(st: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else."""
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


@contextlib.contextmanager
def _folder(folder: Path) -> Iterator[int | None]:
    """A descriptor of the cache folder when it is safe to use (see the module docstring)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        yield None
        return
    try:
        st = os.fstat(fd)
        yield fd if stat.S_ISDIR(st.st_mode) and _ours(st) else None
    finally:
        os.close(fd)


def load(kind: str, parts: Sequence[str]) -> Any:
    """The JSON value stored for ``kind`` + ``parts`` (by this code), or ``None``."""
    where = _entry_name(kind, parts)
    if where is None:
        return None
    folder, name, key = where
    with _folder(folder) as dir_fd:
        if dir_fd is None:
            return None
        data = _read_entry(name, dir_fd)
        if data is None:
            return None
        with contextlib.suppress(OSError):
            os.utime(name, dir_fd=dir_fd)  # recently used: kept when old entries are pruned
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or doc.get("format") != _FORMAT or doc.get("key") != key:
        return None
    return doc.get("value")


def _read_entry(name: str, dir_fd: int) -> bytes | None:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError:  # missing, a symlink (ELOOP), unreadable
        return None
    try:
        st = os.fstat(fd)
        if not (stat.S_ISREG(st.st_mode) and _ours(st) and st.st_size <= MAX_ENTRY_BYTES):
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def store(kind: str, parts: Sequence[str], value: Any) -> None:
    """Store the JSON value ``value`` for ``kind`` + ``parts`` (atomically; errors ignored)."""
    where = _entry_name(kind, parts)
    if where is None:
        return
    folder, name, key = where
    try:
        blob = orjson.dumps({"format": _FORMAT, "key": key, "value": value})
    except TypeError:  # not plain JSON data: such a catalog is simply not cached
        return
    if len(blob) > MAX_ENTRY_BYTES:
        return
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _folder(folder) as dir_fd:
        if dir_fd is None:
            return
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=_SUFFIX)
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, name, dst_dir_fd=dir_fd)
            tmp = None
        except OSError:  # read-only or full disk: just no cache
            return
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    Path(tmp).unlink()
    _prune(folder, kind)


def _prune(folder: Path, kind: str) -> None:
    with contextlib.suppress(OSError):
        entries = []
        for p in folder.glob(f"{kind}-*{_SUFFIX}"):
            with contextlib.suppress(OSError):
                entries.append((p.lstat().st_mtime_ns, p))
        entries.sort(reverse=True)
        for _, p in entries[MAX_ENTRIES:]:
            p.unlink(missing_ok=True)


__all__ = ["MAX_ENTRIES", "load", "store"]
