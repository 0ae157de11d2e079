"""An indexed read's records: fetched region by region here, or by a second process.

The panel's regions are fetched through the index in their order (:func:`fetch_regions`), with
two rules: the first record of a region must lie in it (else the index is another file's, or
stale), and a record overlapping two adjacent regions is read once.

**The second process.** Fetching is htslib's work: finding, decompressing and parsing each
record, then formatting it back as the text :class:`~tumorboard.readers.vcf_records.RecordParser`
reads (``str(record)``). That is about a third of an indexed panel read. :func:`fetch_texts`
gives it to a forked child, which writes each record's text down a pipe while this process parses
the text that has already arrived. On the 50,000-record benchmark panel file the read takes
0.57-0.58 s instead of 0.83-0.85 s (best of three, two CPUs); the total CPU time grows by the
pipe's cost, about 0.03 s.

The alterations, QC counts and errors are the same with and without the child:

* The text is what ``str(record)`` gives in this process: the same htslib reads the same file.
  The child applies the same region rules, and ends each region with a marker line,
  ``"\\t<records fetched>"`` (a record's text never starts with a tab).
* At anything unusual the child stops: an htslib error, text that is not UTF-8, a stale index, a
  record whose text holds a line break. This process parses every record that came, then reads on
  from that point itself with :func:`fetch_regions`, so the same code raises the same error. A
  child that dies (killed, out of memory) is handled the same way: the read never depends on it.
* It is used for bgzipped VCF text only (a BCF string may hold a line break), where
  :mod:`tumorboard.helper_process` allows a helper (Linux, two or more CPUs), and when the caller
  does not turn it off (``--no-helpers``, ``RunOptions(helpers=False)``,
  ``VcfReader(helpers=False)``). The child keeps that module's rules; it opens the file anew
  (never this process's handle, whose file offset it would move).
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NoReturn

from tumorboard import helper_process
from tumorboard.errors import IndexRequiredError
from tumorboard.readers.base import QCCounter
from tumorboard.readers.text import excerpt
from tumorboard.readers.vcf_io import STALE_HINT

if TYPE_CHECKING:
    from pysam import VariantFile, VariantRecord

Region = tuple[str, int, int]
"""A region to fetch: the contig as the file spells it, 0-based start, end."""

_BUFFER = 1 << 16


def fetch_regions(
    vf: VariantFile,
    plan: Sequence[Region],
    path: str,
    qc: QCCounter,
    fetched: Counter[str],
    first: int = 0,
    skip: int = 0,
    stop: int | None = None,
    *,
    done: Callable[[int], object] | None = None,
) -> Iterator[VariantRecord]:
    """Yield the records of ``plan[first:stop]`` through ``vf``'s index, counting those yielded
    (``qc.records_read``) and those fetched per contig (``fetched``); ``done(fetched)`` is
    called after each region (the child's region marker).

    The first ``skip`` records of ``plan[first]`` that would be yielded are passed over (a child
    process already gave them).
    """
    prev_chrom, prev_end = (plan[first - 1][0], plan[first - 1][2]) if first else ("", -1)
    for name, start, end in plan[first:stop]:
        n = 0
        for rec in vf.fetch(name, start, end):
            if n == 0 and (rec.chrom != name or rec.start >= end or rec.stop <= start):
                raise IndexRequiredError(
                    f"the index points at {excerpt(rec.chrom, 20)}:{rec.pos} for region "
                    f"{name}:{start + 1}-{end}: it does not match the file",
                    where=path,
                    hint=STALE_HINT,
                )
            n += 1
            # a record overlapping two adjacent regions is read (and counted) once
            if rec.start < start and name == prev_chrom and rec.start < prev_end:
                continue
            if skip:
                skip -= 1
                continue
            qc.records_read += 1
            yield rec
        fetched[name] += n
        if done is not None:
            done(n)
        prev_chrom, prev_end = name, end


def child_possible(vf: VariantFile, compression: str) -> bool:
    """Whether :func:`fetch_texts` may fork a child for this file (see the module docstring)."""
    if compression != "bgzf" or getattr(vf, "format", "") != "VCF":
        return False
    return helper_process.available()


def fetch_texts(
    open_file: Callable[[str], VariantFile],
    path: str,
    plan: Sequence[Region],
    qc: QCCounter,
    fetched: Counter[str],
    resume: Callable[[int, int], Iterator[VariantRecord | str]],
    first: int = 0,
) -> Iterator[VariantRecord | str]:
    """Yield the text of every record :func:`fetch_regions` would yield for ``plan[first:]``,
    fetched by a child process that opens ``path`` with ``open_file``; from where the child
    stopped (if it did), what ``resume(region, skip)`` yields."""
    read_fd, write_fd = os.pipe()
    pid = helper_process.fork()
    if pid == -1:  # no process to be had: read here
        os.close(read_fd)
        os.close(write_fd)
        yield from resume(first, 0)
        return
    if pid == 0:  # pragma: no cover - the child (its work shows in the parent's results)
        os.close(read_fd)
        _child(open_file, path, plan, first, write_fd)
    os.close(write_fd)
    try:
        with os.fdopen(
            read_fd, encoding="utf-8", errors="surrogatepass", newline="\n", buffering=_BUFFER
        ) as fh:
            region, taken = yield from take_lines(fh, plan, qc, fetched, first)
    finally:
        helper_process.reap(pid)
    if region < len(plan):
        yield from resume(region, taken)


CHILD_AFTER_RECORDS = 2000
"""Records this process fetches itself before a child fetches the rest: a read smaller than
this (a typical panel sample) is over before a child would pay for its start."""


def read_regions(
    vf: VariantFile,
    open_file: Callable[[str], VariantFile],
    path: str,
    plan: Sequence[Region],
    qc: QCCounter,
    fetched: Counter[str],
    child: bool,
) -> Iterator[VariantRecord | str]:
    """Yield what :func:`fetch_regions` yields for the whole plan: region by region here until
    :data:`CHILD_AFTER_RECORDS` records came, then, with ``child``, the rest as text from a
    child (:func:`fetch_texts`)."""

    def here(first: int, skip: int) -> Iterator[VariantRecord | str]:
        return fetch_regions(vf, plan, path, qc, fetched, first, skip)

    if not child:
        yield from here(0, 0)
        return
    start = qc.records_read
    for i in range(len(plan)):
        if qc.records_read - start >= CHILD_AFTER_RECORDS:
            yield from fetch_texts(open_file, path, plan, qc, fetched, here, i)
            return
        yield from fetch_regions(vf, plan, path, qc, fetched, i, 0, i + 1)


def take_lines(
    lines: Iterable[str],
    plan: Sequence[Region],
    qc: QCCounter,
    fetched: Counter[str],
    first: int = 0,
) -> Generator[str, None, tuple[int, int]]:
    """Yield the records' text from the child's ``lines`` (regions from ``first``), counting
    them and the region markers; return (the region to read on from, records of it yielded)."""
    region, taken = first, 0
    for line in lines:
        if line[0] == "\t" or line[-1] != "\n":
            if line[-1] != "\n":  # the child died in the middle of a line
                break
            fetched[plan[region][0]] += int(line[1:])
            region += 1
            taken = 0
            continue
        taken += 1
        qc.records_read += 1
        yield line
    return region, taken


class _Stop(Exception):
    """The child leaves the rest to the parent."""


def _child(
    open_file: Callable[[str], VariantFile], path: str, plan: Sequence[Region], first: int, fd: int
) -> NoReturn:  # pragma: no cover - runs in the child; its work shows in the parent's results
    """Write the text of ``plan``'s records to ``fd``; stop at anything unusual."""
    # whatever goes wrong, the parent reads on from there; the pipe is closed (flushed: whole
    # lines only) however the loop ends
    with (
        contextlib.suppress(BaseException),
        os.fdopen(
            fd, "w", encoding="utf-8", errors="surrogatepass", newline="\n", buffering=_BUFFER
        ) as out,
    ):
        _write_texts(out.write, open_file(path), path, plan, first)
    os._exit(0)


def _write_texts(
    write: Callable[[str], object], vf: VariantFile, path: str, plan: Sequence[Region], first: int
) -> None:
    """The child's loop: :func:`fetch_regions` itself (its region rules raise as they would
    here), each record's text, and a marker line after each region."""

    def marker(n: int) -> None:
        write(f"\t{n}\n")

    for rec in fetch_regions(vf, plan, path, QCCounter(), Counter(), first, done=marker):
        text = str(rec)
        if text[0] == "\t" or text.find("\n") != len(text) - 1:
            raise _Stop
        write(text)


__all__ = [
    "CHILD_AFTER_RECORDS",
    "Region",
    "child_possible",
    "fetch_regions",
    "fetch_texts",
    "read_regions",
    "take_lines",
]
