"""Small text helpers shared by the readers: file checks, line iteration, column keys, INFO
values, and a plain-text VCF reader for the small CNV and breakend VCFs."""

from __future__ import annotations

import gzip
import io
import os
import re
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tumorboard.errors import (
    FormatError,
    InputError,
    InputNotFoundError,
    RecordError,
    TruncatedInputError,
)

CNV_ALTS = frozenset({"<DUP>", "<DEL>", "<CNV>", "<AMP>", "<DUP:TANDEM>", "<LOSS>", "<GAIN>"})


def norm_column(name: str) -> str:
    """Header-name key: lower case, letters and digits only (``Fold Change`` -> ``foldchange``)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_preamble(line: str) -> bool:
    """Is ``line`` one of the comment lines some tables carry above their header? ``##`` lines,
    ``#version`` (vcf2maf), and any ``#`` line without a tab (GDC MAFs start with
    ``#version gdc-1.0.0``, ``#filedate``, ``#annotation.spec`` ...). A ``#`` line with tabs
    is a header (STAR-Fusion's ``#FusionName``). GATK's CNV tables start with a SAM-style header
    (``@HD``, ``@SQ``, ``@RG``, ``@CO``, ``@PG`` lines)."""
    return (
        line.startswith("##")
        or line[:8].lower() == "#version"
        or (line.startswith("#") and "\t" not in line)
        or (line[:1] == "@" and line[1:3] in _SAM_HEADER_TAGS)
    )


_SAM_HEADER_TAGS = frozenset({"HD", "SQ", "RG", "PG", "CO"})


def unquote(cell: str) -> str:
    """A cell without the double quotes R's ``write.table`` and spreadsheets put around text
    (``"ERBB2"`` -> ``ERBB2``; ``""`` inside stands for one ``"``); other cells as they are."""
    text = cell.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return cell


def excerpt(text: str, limit: int = 24) -> str:
    """A short, escaped excerpt of input text for an error message (never a long quote)."""
    cut = text[:limit]
    return repr(cut) + ("..." if len(text) > limit else "")


_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def check_file(path: str) -> Path:
    """The path as a :class:`Path`; a clear error when it is missing, a folder or a device.

    Regular files and pipes (a named FIFO, ``<(...)`` process substitution) are inputs; a pipe
    is read once (:func:`open_binary`). Devices (``/dev/zero``, ``/dev/null``) and sockets are
    refused rather than read forever.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputNotFoundError("file not found", where=path, hint="check the path") from None
    except OSError as exc:
        raise InputNotFoundError(
            f"cannot read: {exc.strerror}", where=path, hint="check the path and its permissions"
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputNotFoundError("is a folder, not a file", where=path, hint="name a file")
    for test, what in _KINDS:
        if test(st.st_mode):
            raise InputError(
                f"is {what}, not a file",
                where=path,
                hint="give a file, a pipe, or '-' for standard input",
            )
    return p


# --- inputs that can be read only once: pipes, FIFOs, process substitution ---------------------
SNIFF_BYTES = 1 << 16
"""How much of a pipe is read to tell its format (replayed to the reader afterwards)."""


@dataclass(slots=True)
class Stream:
    """A pipe opened once: the bytes read to sniff it, then the rest."""

    raw: BinaryIO
    head: bytes
    taken: bool = False


_STREAMS: dict[str, Stream] = {}


def is_stream(path: str) -> bool:
    """Is ``path`` a pipe (read once) rather than a regular file?"""
    try:
        return stat.S_ISFIFO(Path(path).stat().st_mode)
    except OSError:
        return False


def _open_pipe(path: str) -> BinaryIO:
    """Open a FIFO without waiting for a writer (none: it reads as empty)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        import fcntl

        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
    except ImportError:  # pragma: no cover - not POSIX
        pass
    return os.fdopen(fd, "rb", buffering=0)


def stream_head(path: str) -> bytes:
    """The first bytes of a pipe (read once and kept for :func:`open_binary`)."""
    stream = _STREAMS.get(path)
    if stream is None:
        raw = _open_pipe(path)
        chunks: list[bytes] = []
        size = 0
        while size < SNIFF_BYTES:
            chunk = raw.read(SNIFF_BYTES - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        stream = _STREAMS[path] = Stream(raw, b"".join(chunks))
    return stream.head


class _Replay(io.RawIOBase):
    """The sniffed head of a pipe, then the rest of it."""

    def __init__(self, head: bytes, raw: BinaryIO) -> None:
        self._head = memoryview(head)
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_binary(path: str) -> BinaryIO:
    """Open an input for reading bytes: a regular file, or a pipe (its sniffed head replayed;
    a pipe can be read once only)."""
    if not is_stream(path):
        return Path(path).open("rb")
    stream_head(path)
    stream = _STREAMS[path]
    if stream.taken:
        raise InputError(
            "this pipe was already read",
            where=path,
            hint="a pipe can be read once: name it once, or write it to a file first",
        )
    stream.taken = True
    return io.BufferedReader(_Replay(stream.head, stream.raw), SNIFF_BYTES)


def head_bytes(path: str, size: int = 16) -> bytes:
    """The first ``size`` bytes of an input (a pipe's from its sniffed head)."""
    if is_stream(path):
        return stream_head(path)[:size]
    with Path(path).open("rb") as fh:
        return fh.read(size)


def is_gzip(p: Path) -> bool:
    return head_bytes(str(p), 2) == b"\x1f\x8b"


def iter_lines(path: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its newline) of a text file, plain or gzipped."""
    for n, line, _ in iter_lines_ended(path):
        yield n, line


def iter_lines_ended(path: str) -> Iterator[tuple[int, str, bool]]:
    """(line number, line without its newline, whether a newline ended it) of a text file.

    Only the file's last line can lack its newline: then the file may have been cut inside it.
    Read as the lines stream by, so it works for pipes (read once) and gzipped files alike.
    """
    p = check_file(path)
    try:
        gz = is_gzip(p)
        with open_binary(path) as raw:
            binary: BinaryIO = gzip.GzipFile(fileobj=raw) if gz else raw  # type: ignore[assignment]
            encoding = "utf-8" if gz else "utf-8-sig"
            with io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="") as fh:
                for n, line in enumerate(fh, 1):
                    text = line.rstrip("\r\n")
                    yield n, text, len(text) < len(line)
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


def iter_text_vcf(
    path: str, meta: list[str] | None = None
) -> Iterator[tuple[list[str], TextVcfRecord]]:
    """Yield (sample names, record) for each data line; raises ``RecordError`` on bad lines.

    ``meta``, when given, receives the ``##`` header lines (complete when the first record is
    yielded): the file is read once, so this works for pipes too.

    As for every VCF (:mod:`tumorboard.readers.vcf_io`), a file whose last line has no newline
    may end inside a record and is an error; so are records without a ``#CHROM`` line above.
    """
    samples: list[str] | None = None
    for n, line, ended in iter_lines_ended(path):
        if not ended and line.strip():
            raise TruncatedInputError(
                "the file does not end with a newline: its last record may be cut short",
                where=f"{path}:{n}",
                hint="if the file is complete, add the final newline (echo >> FILE); otherwise "
                "copy it again or re-run the caller",
            )
        if not line.strip() or line.startswith("##"):
            if meta is not None and samples is None and line.startswith("##"):
                meta.append(line)
            continue
        cols = line.split("\t")
        if line.startswith("#CHROM"):
            samples = cols[9:]
            continue
        if samples is None:
            raise FormatError(
                "a data line comes before the #CHROM header line",
                where=f"{path}:{n}",
                hint=_VCF_LAYOUT,
            )
        yield samples, _text_record(path, n, cols, samples)
    if samples is None:
        raise FormatError("no #CHROM header line", where=path, hint=_VCF_LAYOUT)


_VCF_LAYOUT = "a VCF holds ## meta lines, then the #CHROM header line, then the records"


def _text_record(path: str, n: int, cols: list[str], samples: list[str]) -> TextVcfRecord:
    if len(cols) < 8 or not (cols[1].isascii() and cols[1].isdigit()):
        raise RecordError(
            f"malformed VCF line: {len(cols)} columns, POS {excerpt([*cols, ''][1])}",
            where=f"{path}:{n}",
            hint="a VCF data line has at least 8 tab-separated columns with a numeric POS",
        )
    fmt = cols[8].split(":") if len(cols) > 8 else []
    per_sample = {
        name: dict(zip(fmt, cols[9 + i].split(":"), strict=False))
        for i, name in enumerate(samples)
        if 9 + i < len(cols)
    }
    return TextVcfRecord(
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
    )


__all__ = [
    "CNV_ALTS",
    "SNIFF_BYTES",
    "Stream",
    "TextVcfRecord",
    "check_file",
    "excerpt",
    "head_bytes",
    "info_value",
    "is_gzip",
    "is_stream",
    "iter_lines",
    "iter_lines_ended",
    "iter_text_vcf",
    "norm_column",
    "open_binary",
    "parse_info",
    "stream_head",
]
