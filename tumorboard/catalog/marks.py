"""Where things are in a catalog file: ``file:line`` for a field path, and bounded file reading.

Kept apart from :mod:`.yamlmarks` so that a catalog from the cache (:mod:`.cache`) needs
neither PyYAML nor the YAML loader.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tumorboard.catalog.schema import BIOMARKER_TYPES
from tumorboard.errors import CatalogError

Path_ = tuple[str | int, ...]


def read_text(path: Path, display: str, what: str = "catalog file") -> str:
    """A catalog file's text (UTF-8, bounded: :mod:`tumorboard.bounded`); a missing, unreadable
    or non-regular file is a :class:`CatalogError`."""
    from tumorboard.bounded import decode, read_bytes

    try:
        data = read_bytes(path, what, error=CatalogError)
    except CatalogError as exc:
        raise CatalogError(exc.message, where=display, hint=exc.hint) from exc
    return decode(data, what, display, error=CatalogError)


def locate(lines: dict[Path_, int], loc: Sequence[str | int]) -> tuple[int | None, str]:
    """Line of the longest known prefix of ``loc``, and the field path in words.

    Discriminator tags that pydantic inserts (``biomarkers.2.exact.changes``) are dropped from the
    path when they are not keys of the document.
    """
    path: list[str | int] = []
    line = lines.get(())
    for part in loc:
        candidate = (*path, part)
        if candidate in lines:
            path.append(part)
            line = lines[candidate]
        elif isinstance(part, str) and (part in _TAGS or part.startswith("function-")):
            continue
        else:
            path.append(part)
    return line, _format_path(path)


def _format_path(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


_TAGS = frozenset(BIOMARKER_TYPES)  # discriminator tags pydantic puts in error locations

__all__ = ["Path_", "locate", "read_text"]
