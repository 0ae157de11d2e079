"""Opening a VCF/BCF safely: compression, truncation, pipes and indexes (no pysam import).

* **Compression** (:func:`compression`): ``bgzf``, ``gzip`` (plain gzip: streamed through a
  pipe, as htslib cannot index it), ``none``, ``stream`` (a pipe or FIFO: read once, through a
  pipe htslib reads) or ``stdin``.
* **Truncation**: a bgzipped file must end with the BGZF end-of-file block; a plain-text VCF
  must end with a newline (a last line without one may be a record cut short: its CSQ would
  lose fields, its sample column values); a gzip stream must decompress to its end.
* **Pipes** (:func:`pump`): a thread copies (and, for gzip, decompresses) the input into an
  ``os.pipe`` that htslib reads as ``/dev/fd/N``; an error stops it at once and is raised
  when the reader finishes (the reader closes its end first, so a failing file fails fast).
* **Indexes** (:func:`check_index`, :func:`index_counts`): an index older than its file is
  refused; a ``.tbi``/``.csi`` is read for its per-contig record counts (the pseudo-bin each
  index keeps), which tell whether the index belongs to the file (its contigs must be the
  header's) and whether the file holds records outside the regions fetched (for TMB).
"""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from tumorboard.errors import IndexRequiredError, InputNotFoundError, TruncatedInputError
from tumorboard.readers.text import check_file, head_bytes, is_stream, open_binary

if TYPE_CHECKING:
    from pysam import VariantFile

    from tumorboard.panels import Panel

BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
STALE_HINT = "re-index it (tabix -f -p vcf FILE, or bcftools index -f FILE) or use --no-index"


def compression(path: str) -> str:
    """Check the input exists; return ``bgzf``, ``gzip``, ``none``, ``stream`` or ``stdin``."""
    if path == "-":
        return "stdin"
    p = check_file(path)
    if is_stream(path):
        return "stream"
    try:
        head = head_bytes(path, 16)
    except OSError as exc:
        raise InputNotFoundError(
            f"cannot read: {exc.strerror}", where=path, hint="check the file's permissions"
        ) from exc
    if head[:2] != b"\x1f\x8b":
        _check_final_newline(p)
        return "none"
    if head[12:14] == b"BC":
        _check_bgzf_eof(p)
        return "bgzf"
    return "gzip"


def _check_final_newline(path: Path) -> None:
    """A plain-text VCF whose last byte is not a newline may end inside a record."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return
        fh.seek(-1, 2)
        last = fh.read(1)
    if last not in (b"\n", b"\r"):
        raise TruncatedInputError(
            "the file does not end with a newline: its last record may be cut short",
            where=str(path),
            hint="if the file is complete, add the final newline (echo >> FILE); otherwise "
            "copy it again or re-run the caller",
        )


def _check_bgzf_eof(path: Path) -> None:
    """A bgzipped file must end with the BGZF EOF block; otherwise it is truncated."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        if size < len(BGZF_EOF):
            raise TruncatedInputError(
                f"truncated compressed file ({size} bytes)",
                where=str(path),
                hint="the file ends early: copy or download it again",
            )
        fh.seek(size - len(BGZF_EOF))
        tail = fh.read()
    if tail != BGZF_EOF:
        raise TruncatedInputError(
            "truncated bgzip file: the BGZF end-of-file marker is missing",
            where=str(path),
            hint="the file ends early (interrupted copy or download?); copy it again or "
            "re-run the caller",
        )


class Pump:
    """Copies an input into a pipe htslib reads (decompressing gzip); see the module."""

    def __init__(self, path: str, *, gunzip: bool) -> None:
        self.path = path
        self.errors: list[BaseException] = []
        self._read_fd, write_fd = os.pipe()
        self.source = f"/dev/fd/{self._read_fd}"
        self._thread = threading.Thread(
            target=self._run, args=(write_fd, gunzip), name="tumorboard-pump", daemon=True
        )
        self._thread.start()

    def _run(self, write_fd: int, gunzip: bool) -> None:
        try:
            with open_binary(self.path) as raw, os.fdopen(write_fd, "wb") as dst:
                src: BinaryIO = gzip.GzipFile(fileobj=raw) if gunzip else raw  # type: ignore[assignment]
                shutil.copyfileobj(src, dst, 1 << 20)
        except BrokenPipeError:
            pass  # the reader stopped early (an error of its own): nothing more to say
        except (OSError, EOFError, zlib.error) as exc:  # truncated or corrupt gzip
            self.errors.append(exc)

    def close(self) -> None:
        """Close the reading end (the pump then stops) and wait for the thread."""
        if self._read_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._read_fd)
            self._read_fd = -1
        self._thread.join(timeout=5)

    def finish(self) -> None:
        """After the reader read to its end: raise what the pump met, if anything."""
        self._thread.join(timeout=5)
        if self.errors:
            raise TruncatedInputError(
                f"the gzip data end early or are corrupt ({self.errors[0]})",
                where=self.path,
                hint="copy the file again or re-run the caller",
            )


# --- indexes --------------------------------------------------------------------------------
def index_path(path: str) -> str | None:
    """The ``.tbi``/``.csi`` beside ``path`` (``None``: none)."""
    for ext in (".csi", ".tbi"):
        if Path(path + ext).is_file():
            return path + ext
    return None


def check_index(path: str) -> str | None:
    """The index of ``path``, refused when it is older than the file it indexes."""
    index = index_path(path)
    if index is None:
        return None
    if Path(index).stat().st_mtime < Path(path).stat().st_mtime:
        raise IndexRequiredError(
            f"the index {Path(index).name} is older than the file: it may index another "
            "version of it",
            where=path,
            hint=STALE_HINT,
        )
    return index


def declared_contigs(path: str) -> list[str]:
    """The contigs a bgzipped VCF's own header declares (pysam adds an index's contigs to the
    header it shows, so a foreign index must be told from the file's text)."""
    out = []
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.startswith("##"):
                break
            if line.startswith("##contig=<ID="):
                out.append(line[13:].split(",", 1)[0].split(">", 1)[0])
    return out


def index_counts(index: str, contigs: list[str]) -> Iterator[tuple[str, int, int]] | None:
    """(contig, records, compressed offset of its end) from a ``.tbi``/``.csi``, contig by
    contig (``contigs``: the header's, in order, for a BCF's ``.csi`` that names none); ``None``
    when the index cannot be read. A caller that has seen enough stops early: the rest is not
    parsed."""
    try:
        with gzip.open(index, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError, zlib.error):
        return None
    return _safe(_parse_index(memoryview(data), contigs))


def _safe(items: Iterator[tuple[str, int, int]]) -> Iterator[tuple[str, int, int]]:
    """Stop quietly at a malformed index (what was read so far stands)."""
    try:
        yield from items
    except (struct.error, IndexError, UnicodeDecodeError, ValueError):
        return


def _parse_index(data: memoryview, contigs: list[str]) -> Iterator[tuple[str, int, int]]:
    u32, i32, u64 = struct.Struct("<I").unpack_from, struct.Struct("<i").unpack_from, 8
    magic = bytes(data[:4])
    if magic == b"TBI\x01":
        (n_ref,) = i32(data, 4)
        (l_nm,) = i32(data, 32)
        names = bytes(data[36 : 36 + l_nm]).decode("utf-8").split("\0")[:n_ref]
        at, pseudo, csi = 36 + l_nm, 37450, False
    elif magic == b"CSI\x01":
        (depth,) = i32(data, 8)
        (l_aux,) = i32(data, 12)
        aux = data[16 : 16 + l_aux]
        names = []
        if l_aux >= 28:
            (l_nm,) = i32(aux, 24)
            names = bytes(aux[28 : 28 + l_nm]).decode("utf-8").split("\0")
        at = 16 + l_aux
        (n_ref,) = i32(data, at)
        at += 4
        names = [n for n in names if n][:n_ref] or contigs[:n_ref]
        pseudo, csi = ((1 << ((depth + 1) * 3)) - 1) // 7 + 1, True
    else:
        raise ValueError("not a TBI or CSI index")
    for ref in range(n_ref):
        (n_bin,) = i32(data, at)
        at += 4
        mapped = last = 0
        for _ in range(n_bin):
            (bin_no,) = u32(data, at)
            at += 12 if csi else 4  # a CSI bin carries its loffset
            (n_chunk,) = i32(data, at)
            at += 4
            if bin_no == pseudo and n_chunk == 2:  # (first, last offset), (mapped, unmapped)
                (last,) = struct.unpack_from("<Q", data, at + u64)
                (mapped,) = struct.unpack_from("<Q", data, at + 2 * u64)
            at += 2 * u64 * n_chunk
        if not csi:
            (n_intv,) = i32(data, at)
            at += 4 + u64 * n_intv
        yield (names[ref] if ref < len(names) else f"#{ref}"), mapped, last >> 16


# --- what an indexed read cannot see -------------------------------------------------------------
def _gaps(vf: VariantFile, panel: Panel, by_key: dict[str, str]) -> list[tuple[int, str, int, int]]:
    """(length, contig, start, end) of the stretches outside the panel's regions: each contig's
    two ends first, then the 16 longest stretches between regions."""
    from tumorboard.panels import contig_key

    header = vf.header.contigs
    regions: dict[str, list[tuple[int, int]]] = {}
    for chrom, start, end in panel.regions():
        regions.setdefault(contig_key(chrom), []).append((start, end))
    gaps: list[tuple[int, str, int, int]] = []
    ends: list[tuple[int, str, int, int]] = []
    for key, name in by_key.items():
        contig = header.get(name)
        length = contig.length if contig is not None and contig.length else 1 << 29
        at = 0
        inner = []
        for start, end in regions.get(key, []):
            inner.append((start - at, name, at, start))
            at = end
        inner.append((length - at, name, at, length))
        ends.extend([inner[0], inner[-1]])
        gaps.extend(inner[1:-1])
    return [g for g in [*ends, *sorted(gaps, reverse=True)[:16]] if g[0] > 0]


def outside_record(vf: VariantFile, panel: Panel, by_key: dict[str, str]) -> str:
    """``CHROM:POS`` of a record outside the panel, probed in a few stretches between its
    regions (a whole-exome or whole-genome file shows one at once), or ``""``."""
    contains = panel.contains
    for _, name, start, end in _gaps(vf, panel, by_key):
        for rec in vf.fetch(name, start, end):
            if rec.start >= start and not contains(rec.chrom, rec.pos):
                return f"{rec.chrom}:{rec.pos}"
            break
    return ""


__all__ = [
    "BGZF_EOF",
    "STALE_HINT",
    "Pump",
    "check_index",
    "compression",
    "declared_contigs",
    "index_counts",
    "index_path",
    "outside_record",
]
