"""The streamed read's record loop: every record is counted, those outside the panel dropped.

A streamed whole-genome VCF holds millions of records and only about 1% lie inside a panel, so
this loop is the reader's cost per record. A record outside the panel costs its position check
and nothing else: with a :class:`~tumorboard.panels.Panel` the loop keeps the stretch of the
contig the last record fell in (inside one merged interval, or in the gap between two), so a
sorted file is checked with two comparisons per record and a binary search only when a record
leaves the stretch (unsorted input stays correct, only slower). Panels without
``intervals(chrom)`` (and reads watching hotspot positions for the genome build) use
``contains(chrom, pos)`` per record. No pysam import: the records come from the reader.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from tumorboard.readers.base import QCCounter

if TYPE_CHECKING:
    from pysam import VariantRecord

    from tumorboard.panels import Panel

    See = Callable[[str, int, str, VariantRecord | None], None]
    """The genome-build guard's look at a record (CHROM, POS, REF, the record)."""

_FAR = 1 << 62
"""Beyond any position."""


def stream_records(
    records: Iterable[VariantRecord],
    qc: QCCounter,
    panel: Panel | None,
    see: See | None = None,
) -> Iterator[VariantRecord]:
    """Yield the records inside ``panel`` (``None``: all of them), counting every record read
    (``qc.records_read``) and those left out (``qc.outside_panel``); ``see`` looks at every
    record first (the genome-build guard)."""
    intervals = getattr(panel, "intervals", None)
    if intervals is None or see is not None or getattr(panel, "is_all", False):
        yield from _each(records, qc, panel.contains if panel is not None else None, see)
    else:
        yield from _by_stretch(records, qc, intervals)


def _each(
    records: Iterable[VariantRecord],
    qc: QCCounter,
    contains: Callable[[str, int], bool] | None,
    see: See | None,
) -> Iterator[VariantRecord]:
    for rec in records:
        qc.records_read += 1
        if see is not None:
            see(rec.chrom, rec.pos, rec.ref or "", rec)
        if contains is not None and not contains(rec.chrom, rec.pos):
            qc.outside_panel += 1
            continue
        yield rec


def _by_stretch(
    records: Iterable[VariantRecord],
    qc: QCCounter,
    intervals: Callable[[str], tuple[list[int], list[int]]],
) -> Iterator[VariantRecord]:
    """:func:`_each` for a panel with ``intervals``: the answer is kept for the stretch
    ``[lo, hi)`` of contig ``rid`` around the last record (``inside`` or not)."""
    read, outside = qc.records_read, qc.outside_panel
    rid, lo, hi, inside = -1, 0, 0, False
    starts: list[int] = []
    ends: list[int] = []
    try:
        for rec in records:
            read += 1
            start = rec.start  # 0-based: POS - 1
            if start >= hi or start < lo or rec.rid != rid:
                if rec.rid != rid:
                    rid = rec.rid
                    starts, ends = intervals(rec.chrom)
                i = bisect_right(starts, start) - 1
                if i >= 0 and start < ends[i]:
                    lo, hi, inside = starts[i], ends[i], True
                else:
                    lo = ends[i] if i >= 0 else -_FAR
                    hi = starts[i + 1] if i + 1 < len(starts) else _FAR
                    inside = False
            if not inside:
                outside += 1
                continue
            qc.records_read = read  # the record's number, for the parser and its errors
            yield rec
    finally:  # also when htslib fails on a record: its errors name the count read so far
        qc.records_read, qc.outside_panel = read, outside


__all__ = ["stream_records"]
