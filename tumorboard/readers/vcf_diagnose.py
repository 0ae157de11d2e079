"""Say what is wrong with a VCF data line htslib refused (text and gzip files)."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

_COLUMNS = ("CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT")


def diagnose_record(path: str, number: int) -> str | None:
    """Say what is wrong with data line ``number`` (1-based) of a text VCF, if it can be told."""
    if path == "-" or path.endswith(".bcf"):
        return None
    try:
        with Path(path).open("rb") as raw:
            compressed = raw.read(2) == b"\x1f\x8b"
        opener = gzip.open if compressed else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            seen = 0
            for line in fh:
                if line.startswith("#"):
                    continue
                seen += 1
                if seen == number:
                    return _describe_line(line.rstrip("\n"))
    except (OSError, EOFError, ValueError, zlib.error):  # a damaged block: nothing to tell
        return None
    return None


def _describe_line(line: str) -> str | None:
    cols = line.split("\t")
    where = f"{cols[0]}:{cols[1]}" if len(cols) > 1 else "(no position)"
    if len(cols) < 8:
        return f"{where} has {len(cols)} tab-separated columns, a VCF record needs at least 8"
    empty = [
        _COLUMNS[i] if i < len(_COLUMNS) else f"sample {i - 8}"
        for i, c in enumerate(cols)
        if c == ""
    ]
    if empty:
        return f"{where}: empty {', '.join(empty)} column(s) (VCF writes '.' for a missing value)"
    if not cols[1].isdigit():
        return f"POS {cols[1]!r} is not a number"
    for i, value in enumerate(cols[9:]):
        for part in value.split(":"):
            if ";" in part:
                return f"{where}: sample column {i + 1} has {part!r}, not a VCF value"
    return None


__all__ = ["diagnose_record"]
