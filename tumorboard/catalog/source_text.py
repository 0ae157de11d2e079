"""A catalog file's text, read within :mod:`tumorboard.bounded`'s limits (no YAML import: the
bundled catalog's parsed copy is checked against these texts without parsing them)."""

from __future__ import annotations

from pathlib import Path

from tumorboard.bounded import decode, read_bytes
from tumorboard.errors import CatalogError


def read_text(path: Path, display: str, what: str = "catalog file") -> str:
    """A catalog file's text (UTF-8, bounded); a missing, unreadable or non-regular file is a
    :class:`CatalogError` naming ``display``."""
    try:
        data = read_bytes(path, what, error=CatalogError)
    except CatalogError as exc:
        raise CatalogError(exc.message, where=display, hint=exc.hint) from exc
    return decode(data, what, display, error=CatalogError)


__all__ = ["read_text"]
