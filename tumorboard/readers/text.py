"""Small text helpers shared by the readers: file checks, line iteration, column keys, INFO
values, and a plain-text VCF reader for the small CNV and breakend VCFs."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tumorboard.errors import InputNotFoundError, RecordError, TruncatedInputError

CNV_ALTS = frozenset({"<DUP>", "<DEL>", "<CNV>", "<AMP>", "<DUP:TANDEM>", "<LOSS>", "<GAIN>"})


def norm_column(name: str) -> str:
    """Header-name key: lower case, letters and digits only (``Fold Change`` -> ``foldchange``)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def check_file(path: str) -> Path:
    """The path as a :class:`Path`; a clear error when it is missing or a folder."""
    p = Path(path)
    if not p.exists():
        raise InputNotFoundError("file not found", where=path, hint="check the path")
    if p.is_dir():
        raise InputNotFoundError("is a folder, not a file", where=path, hint="name a file")
    return p


def is_gzip(p: Path) -> bool:
    with p.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def iter_lines(path: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its newline) of a text file, plain or gzipped."""
    p = check_file(path)
    try:
        if is_gzip(p):
            with gzip.open(p, "rt", encoding="utf-8", errors="replace", newline="") as fh:
                for n, line in enumerate(fh, 1):
                    yield n, line.rstrip("\r\n")
        else:
            with p.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
                for n, line in enumerate(fh, 1):
                    yield n, line.rstrip("\r\n")
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise TruncatedInputError(
            f"the compressed file ends early or is corrupt ({exc})",
            where=path,
            hint="copy the file again",
        ) from exc


def info_value(info: str, key: str) -> str | None:
    """The raw value of INFO ``key`` (``None`` when absent or a flag)."""
    if info.startswith(key + "="):
        start = len(key) + 1
    else:
        i = info.find(";" + key + "=")
        if i < 0:
            return None
        start = i + len(key) + 2
    end = info.find(";", start)
    return info[start:] if end < 0 else info[start:end]


# --- a small text VCF reader for structural-variant and CNV VCFs ---------------------------------
@dataclass(slots=True)
class TextVcfRecord:
    """One data line of a text VCF (used for CNV and breakend VCFs, which are small)."""

    line: int
    chrom: str
    pos: int
    id: str
    ref: str
    alts: list[str]
    filter: str
    info: dict[str, str]
    format: list[str] = field(default_factory=list)
    samples: dict[str, dict[str, str]] = field(default_factory=dict)

    def value(self, key: str, sample: str | None) -> str | None:
        """FORMAT value of ``sample`` (or of the first sample), else the INFO value."""
        if self.samples:
            values = self.samples.get(sample or "") or next(iter(self.samples.values()))
            v = values.get(key)
            if v not in (None, "", "."):
                return v
        v = self.info.get(key)
        return None if v in (None, "", ".") else v


def parse_info(text: str) -> dict[str, str]:
    """INFO column to a dict (flags map to ``""``)."""
    out: dict[str, str] = {}
    if text in ("", "."):
        return out
    for item in text.split(";"):
        k, _, v = item.partition("=")
        out[k] = v
    return out


def iter_text_vcf(path: str) -> Iterator[tuple[list[str], TextVcfRecord]]:
    """Yield (sample names, record) for each data line; raises ``RecordError`` on bad lines."""
    samples: list[str] = []
    for n, line in iter_lines(path):
        if not line.strip() or line.startswith("##"):
            continue
        cols = line.split("\t")
        if line.startswith("#CHROM"):
            samples = cols[9:]
            continue
        if len(cols) < 8 or not cols[1].isdigit():
            raise RecordError(
                f"malformed VCF line: {len(cols)} columns, POS {[*cols, ''][1]!r}",
                where=f"{path}:{n}",
                hint="a VCF data line has at least 8 tab-separated columns with a numeric POS",
            )
        fmt = cols[8].split(":") if len(cols) > 8 else []
        per_sample = {
            name: dict(zip(fmt, cols[9 + i].split(":"), strict=False))
            for i, name in enumerate(samples)
            if 9 + i < len(cols)
        }
        yield (
            samples,
            TextVcfRecord(
                line=n,
                chrom=cols[0],
                pos=int(cols[1]),
                id=cols[2],
                ref=cols[3],
                alts=cols[4].split(","),
                filter=cols[6],
                info=parse_info(cols[7]),
                format=fmt,
                samples=per_sample,
            ),
        )


__all__ = [
    "CNV_ALTS",
    "TextVcfRecord",
    "check_file",
    "info_value",
    "is_gzip",
    "iter_lines",
    "iter_text_vcf",
    "norm_column",
    "parse_info",
]
