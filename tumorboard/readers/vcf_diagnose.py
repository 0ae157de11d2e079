"""Say what is wrong with a VCF htslib refused: its header, or one data line (text and gzip
files; pipes and BCF are not read again)."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import TextIO

_COLUMNS = ("CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT")


def diagnose_header(path: str) -> str | None:
    """What keeps htslib from reading the header, if it can be told from the text: no
    ``##fileformat=VCF`` first line (a log line written above it), or a ``#CHROM`` line that is
    not tab-separated."""
    if path == "-" or path.endswith(".bcf"):
        return None
    try:
        with _open_text(path) as fh:
            first = ""
            for n, line in enumerate(fh):
                text = line.rstrip("\r\n")
                if n == 0:
                    first = text
                    if not text.startswith("##fileformat=VCF"):
                        return f"the first line is not ##fileformat=VCF... (it is {text[:40]!r})"
                if text.startswith("#CHROM"):
                    if "\t" not in text:
                        return "the #CHROM header line is not tab-separated"
                    return None
                if not text.startswith("#") or n > 100_000:
                    return "no #CHROM header line before the first record" if first else None
    except (OSError, EOFError, ValueError, zlib.error):
        return None
    return None


def _open_text(path: str) -> TextIO:
    with Path(path).open("rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
    if compressed:
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return Path(path).open(encoding="utf-8", errors="replace")


def diagnose_record(path: str, number: int) -> str | None:
    """Say what is wrong with data line ``number`` (1-based) of a text VCF, if it can be told."""
    if path == "-" or path.endswith(".bcf"):
        return None
    try:
        with _open_text(path) as fh:
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


__all__ = ["diagnose_header", "diagnose_record"]
