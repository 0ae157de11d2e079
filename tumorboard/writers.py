"""Machine-readable outputs of an analysed case: the case JSON and a variant TSV.

Both stream the variants from :class:`tumorboard.api.Analysis` one at a time, so a panel VCF
with tens of thousands of reported variants never holds a model (or the whole text) per variant.
The JSON is the :class:`~tumorboard.models.CaseResult` document (``tumorboard schema case``);
each variant sits on one line.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

import orjson

from tumorboard import helper_process
from tumorboard.models import TSV_COLUMNS, CaseResult, Match
from tumorboard.outputs import spreadsheet_safe


@dataclass(frozen=True, slots=True)
class VariantRows:
    """A case's ``count`` variants as plain dicts: ``rows(start, stop)`` yields any stretch of
    them, in order (so a helper process can write one part: :func:`write_case_json`)."""

    count: int
    rows: Callable[[int, int], Iterator[dict[str, Any]]]
    helpers: bool = True
    """Whether a helper process may write part (``RunOptions.helpers``)."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.rows(0, self.count)


HELPER_MIN_VARIANTS = 4000
"""Cases with fewer variants are written by one process: below this, forking a helper costs
more than the half it writes (a typical panel sample reports tens of variants)."""


def write_case_json(
    case: CaseResult, variants: Iterable[dict[str, Any]] | VariantRows, fh: TextIO
) -> None:
    """Write ``case`` as JSON (indented), with ``variants`` streamed one per line.

    The case's own ``variants`` are ignored: the caller passes them as plain dicts (from the
    analysis, or dumped from a finished case), so no model is built per variant here.

    With :class:`VariantRows` of at least :data:`HELPER_MIN_VARIANTS` variants, and where
    :mod:`tumorboard.helper_process` allows, a forked helper writes the second half of the
    variant lines into an anonymous in-memory file while this process writes the first half;
    this process then copies them after its own. A helper that fails in any way (it exits with
    anything but 0) changes nothing: this process writes that half itself. The text is the
    same either way; writing the 40,000 variants of the benchmark panel file takes about 0.3
    instead of 0.5 s (two CPUs).
    """
    doc = case.model_dump(mode="json", exclude={"variants"})
    fh.write("{")
    sep = "\n"
    for key in CaseResult.model_fields:
        fh.write(f"{sep}  {json.dumps(key)}: ")
        sep = ",\n"
        if key != "variants":
            text = json.dumps(doc[key], indent=2, ensure_ascii=False)
            fh.write(text.replace("\n", "\n  "))
            continue
        fh.write("[")
        if _write_variants(variants, fh):
            fh.write("\n  ]")
        else:
            fh.write("]")
    fh.write("\n}\n")


_FIRST, _NEXT = "\n    ", ",\n    "
"""Before the first variant line, and before each one after it."""


def _write_variants(variants: Iterable[dict[str, Any]] | VariantRows, fh: TextIO) -> bool:
    """The variant lines; whether there was any."""
    if (
        not isinstance(variants, VariantRows)
        or not variants.helpers
        or variants.count < HELPER_MIN_VARIANTS
    ):
        return _lines(iter(variants), fh.write, _FIRST)
    count = variants.count
    half = count // 2
    fd = (
        os.memfd_create("tumorboard-variants", os.MFD_CLOEXEC) if helper_process.available() else -1
    )
    pid = _start_helper(variants, half, count, fd) if fd != -1 else -1
    if pid == -1:
        if fd != -1:
            os.close(fd)
        return _lines(variants.rows(0, count), fh.write, _FIRST)
    try:
        _lines(variants.rows(0, half), fh.write, _FIRST)
        ok = helper_process.finished(pid)
        pid = 0
        if ok:
            _copy(fd, fh)
        else:
            _lines(variants.rows(half, count), fh.write, _NEXT)
    finally:
        if pid:
            helper_process.reap(pid)
        os.close(fd)
    return True


def _start_helper(variants: VariantRows, start: int, stop: int, fd: int) -> int:
    """Fork the helper writing lines ``start:stop`` (UTF-8) into ``fd``; its pid, or ``-1``
    when no process can be had."""
    pid = helper_process.fork()
    if pid == 0:  # pragma: no cover - the child; its lines show in the parent's output
        code = 1
        with (
            contextlib.suppress(BaseException),
            os.fdopen(fd, "w", encoding="utf-8", newline="", closefd=False) as out,
        ):
            _lines(variants.rows(start, stop), out.write, _NEXT)
            out.flush()
            code = 0
        os._exit(code)
    return pid


def _copy(fd: int, fh: TextIO) -> None:
    """Append the helper's bytes (UTF-8 text) to ``fh``."""
    os.lseek(fd, 0, os.SEEK_SET)
    raw = getattr(fh, "buffer", None)
    fh.flush()
    decode = codecs.getincrementaldecoder("utf-8")().decode
    while chunk := os.read(fd, 1 << 20):
        if raw is not None:
            raw.write(chunk)
        else:  # a text stream without bytes below it (io.StringIO)
            fh.write(decode(chunk))


def _lines(items: Iterator[dict[str, Any]], write: Callable[[str], object], first: str) -> bool:
    """Write one line per item (``first`` before the first one); whether there was any."""
    dumps = orjson.dumps  # compiled encoder: ~0.5 us per variant against ~6 us for json.dumps
    sep, any_item = first, False
    for item in items:
        write(sep)
        write(dumps(item).decode())
        sep, any_item = _NEXT, True
    return any_item


def _matches_by_variant(matches: Iterable[Match]) -> dict[str, list[str]]:
    by_variant: dict[str, list[str]] = {}
    for m in matches:
        level = f"{m.evidence.scale} {m.evidence.level}"
        text = f"{'+'.join(m.drugs)} ({m.label_text or m.label}, {m.effect}, {level})"
        for vid in m.variants:
            by_variant.setdefault(vid, []).append(text)
    return by_variant


def write_variants_tsv(
    matches: Iterable[Match], variants: Iterable[dict[str, Any]], fh: TextIO
) -> None:
    """One row per reported variant, with its matches summarised (text cells a spreadsheet
    would run as formulas get a leading apostrophe: :func:`spreadsheet_safe`)."""
    by_variant = _matches_by_variant(matches)
    writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
    writer.writerow(TSV_COLUMNS)
    for row in variants:
        row = dict(row)
        row["consequences"] = "&".join(row.get("consequences") or ())
        row["matches"] = "; ".join(by_variant.get(row["id"], []))
        writer.writerow(
            ["" if row.get(c) is None else spreadsheet_safe(row.get(c)) for c in TSV_COLUMNS]
        )


__all__ = ["HELPER_MIN_VARIANTS", "VariantRows", "write_case_json", "write_variants_tsv"]
