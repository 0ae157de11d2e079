"""A small per-user cache of loaded catalogs: start-up speed only, never needed for a result.

Importing PyYAML, building the schema validators, parsing and validating the bundled catalog
take about 60 ms of every run and give the same :class:`~tumorboard.catalog.Catalog` each time.
:mod:`.loader` keeps the merged, validated catalog here (before the OncoTree reference checks,
which always run) and uses an entry only after checking that every file it was built from still
has the same path, display name and text, and that the manifest's globs still expand to the
same files.

Entries are pickles in :func:`tumorboard.resources.cache_dir` (``$TUMORBOARD_CACHE_DIR``, an
empty value turns the cache off; default ``~/.cache/tumorboard``), never in the installed
package. They are written 0600 and read only when owned by the user and writable by no one
else. An entry's name is a hash of what it was built by and from: tumorboard's version, the
source of the catalog modules, the Python, pydantic and PyYAML versions, and the paths given;
so an upgrade or an edited schema never reads an old entry. Only the newest entries are kept,
and any problem reading or writing the cache just means the catalog is loaded from its files.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pickle
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from tumorboard import __version__
from tumorboard.resources import cache_dir

MAX_ENTRIES = 32
_FORMAT = 1
# Modules whose code decides what a loaded catalog is (the pickled classes and the loading).
_CODE = (
    "catalog/cache.py",
    "catalog/index.py",
    "catalog/loader.py",
    "catalog/schema.py",
    "catalog/yamlmarks.py",
    "models.py",
)
_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def _fingerprint() -> bytes:
    from pydantic.version import VERSION as PYDANTIC_VERSION

    h = hashlib.sha256()
    for part in (str(_FORMAT), __version__, sys.version, PYDANTIC_VERSION, _yaml_stamp()):
        h.update(part.encode("utf-8") + b"\0")
    for name in _CODE:
        try:
            h.update((_PACKAGE / name).read_bytes())
        except OSError:  # no source installed: the version alone has to do
            h.update(b"?")
        h.update(b"\0")
    return h.digest()


def _yaml_stamp() -> str:
    """Identifies the installed PyYAML without importing it (it is not needed on a cache hit)."""
    spec = importlib.util.find_spec("yaml")
    origin = spec.origin if spec else None
    if not origin:
        return "?"
    try:
        st = Path(origin).stat()
    except OSError:
        return origin
    return f"{origin}:{st.st_size}:{st.st_mtime_ns}"


def _entry_path(kind: str, parts: Sequence[str]) -> tuple[Path, bytes] | None:
    folder = cache_dir()
    if folder is None:
        return None
    h = hashlib.sha256(_fingerprint())
    for part in (kind, *parts):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    key = h.digest()
    return folder / f"{kind}-{key.hex()[:40]}.pickle", key


def load(kind: str, parts: Sequence[str]) -> Any:
    """The value stored for ``kind`` + ``parts`` (by this code), or ``None``."""
    where = _entry_path(kind, parts)
    if where is None:
        return None
    path, key = where
    try:
        with path.open("rb") as fh:
            if not _private(os.fstat(fh.fileno())):
                return None
            stored_key, value = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # unreadable, truncated or from incompatible code: rebuild it
        return None
    if stored_key != key:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept when old entries are pruned
    return value


def _private(st: os.stat_result) -> bool:
    """Only entries this user wrote, and nobody else can change, are unpickled."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # Windows: the per-user LOCALAPPDATA folder
        return True
    return st.st_uid == getuid() and not st.st_mode & 0o022


def store(kind: str, parts: Sequence[str], value: Any) -> None:
    """Store ``value`` for ``kind`` + ``parts`` (atomically; errors are ignored)."""
    where = _entry_path(kind, parts)
    if where is None:
        return
    path, key = where
    import tempfile

    tmp = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((key, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
        Path(tmp).replace(path)
        tmp = None
    except Exception:  # read-only or full disk, unpicklable value: just no cache
        return
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
    _prune(path.parent, kind)


def _prune(folder: Path, kind: str) -> None:
    with contextlib.suppress(OSError):
        entries = []
        for p in folder.glob(f"{kind}-*.pickle"):
            with contextlib.suppress(OSError):
                entries.append((p.stat().st_mtime_ns, p))
        entries.sort(reverse=True)
        for _, p in entries[MAX_ENTRIES:]:
            p.unlink(missing_ok=True)


__all__ = ["MAX_ENTRIES", "load", "store"]
