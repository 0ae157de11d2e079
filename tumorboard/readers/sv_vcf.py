"""Structural-variant VCFs read as text: copy-number records and breakends.

Both are small files (a caller's CNV or SV output), read line by line with
:func:`tumorboard.readers.text.iter_text_vcf` (a last line without its newline, or records
without a ``#CHROM`` line, is an error). Every value is checked before a record is used; a bad
one skips the record with its line and reason in ``qc.skipped``.

**Copy-number records** (:func:`read_cnv_vcf`): ``<DUP>``/``<DEL>``/``<CNV>`` (and the other
symbolic copy-number ALTs) or ``SVTYPE=DUP/DEL/CNV``, with ``CN`` or ``FC``/``FOLD_CHANGE`` (FORMAT
of the sample, else INFO), called by :func:`tumorboard.readers.cnv_calls.classify_copy_number`.
``POS`` must be 1 to 3e9 and ``END`` (when given) a position not before ``POS``; a NaN, infinite
or negative ``CN``/``FC`` skips the record, text there is an error naming the line. The genes
come from INFO (``GENE``, ``GENES``, ``ANT``, ``Gene_name``, ``SYMBOL``), the record ID when it
is a panel gene, or the panel's genes overlapping ``POS``-``END`` on the genome build; a record
that names no gene when no build is known (no ``--genome``, no other input and no header line
stating one) cannot be placed and is skipped with that reason, never counted as outside the panel.
The build a file's header states (contig lengths, ``##reference``/``##assembly``, as for every
VCF: :mod:`tumorboard.readers.vcf_build`) places its records when the run names none, and must
agree with the run's build when it does: a GRCh37 CNV or breakend VCF in a GRCh38 run is an
error, never records placed on the wrong genes.

**Breakends** (:func:`read_breakend_vcf`, ``SVTYPE=BND``): paired through ``MATEID``; the genes
come from INFO (``GENE``/``GENES``, SnpEff ``ANN`` gene_fusion ``A&B``) or the panel gene at each
end. An ALT with a bracket must be one of the four breakend forms of the VCF specification
(``t[p[``, ``t]p]``, ``]p]t``, ``[p[t``, with ``p`` = ``chrom:pos``); read support ``SR`` (split
reads, ``ref,alt``) or ``SU`` must be whole non-negative numbers. A breakend pair cannot show
which partner is 5' without strand information, so its fusion carries a note saying the order is
as listed, not determined.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tumorboard.alterations import FUSION, Alteration
from tumorboard.errors import GenomeBuildError, RecordError
from tumorboard.models import RunOptions
from tumorboard.readers.base import ReadResult
from tumorboard.readers.cnv_calls import classify_copy_number, level_problem
from tumorboard.readers.fusions import below_min_reads
from tumorboard.readers.table import MAX_POSITION, NA_VALUES, count, excerpt
from tumorboard.readers.text import CNV_ALTS, TextVcfRecord, iter_text_vcf

if TYPE_CHECKING:
    from tumorboard.panels import Panel

POS_REASON = "VCF POS is not a position (1 to 3e9)"
NO_BUILD = "CNV record without a gene name and no genome build to place it (pass --genome)"
_GENE_KEYS = ("GENE", "GENES", "ANT", "Gene_name", "GENE_NAME", "SYMBOL")
_BND_ALT = re.compile(r"([ACGTN]*)([\[\]])([^\[\]\s]+):([0-9]+)\2([ACGTN]*)", re.IGNORECASE)
BND_ALT_REASON = (
    "breakend ALT is malformed (expected t[chrom:pos[, t]chrom:pos], ]chrom:pos]t or [chrom:pos[t)"
)


class _Skip(Exception):
    """A record with an unusable value: skipped with this reason (and an excerpt)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


_CONTIG = re.compile(r"[\w.*:-]{1,40}")


def _where(path: str, rec: TextVcfRecord) -> str:
    chrom = rec.chrom if _CONTIG.fullmatch(rec.chrom) else excerpt(rec.chrom, 20)
    return f"{path}:{rec.line} ({chrom}:{rec.pos})"


# --- copy-number records ------------------------------------------------------------------------
def _number(
    rec: TextVcfRecord, keys: tuple[str, ...], sample: str | None, where: str
) -> float | None:
    """The first of ``keys`` the record gives, as a number; text is an error naming the line."""
    for key in keys:
        text = rec.value(key, sample)
        if text is None or text.strip().lower() in NA_VALUES:
            continue
        try:
            return float(text)
        except ValueError:
            raise RecordError(
                f"column {key!r} should be a number, found {excerpt(text)}",
                where=where,
                hint="repair the value, or write . when it is unknown",
            ) from None
    return None


def _end(rec: TextVcfRecord) -> int:
    """``END`` (``POS`` when absent); not a position, or before ``POS``: :class:`_Skip`."""
    text = rec.info.get("END", "")
    if text in ("", "."):
        return rec.pos
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_POSITION:
        raise _Skip("CNV VCF END is not a position (1 to 3e9)", excerpt(text))
    if int(text) < rec.pos:
        raise _Skip("CNV VCF END is before POS", f"END={int(text)}")
    return int(text)


def _cnv_genes(rec: TextVcfRecord, end: int, panel: Panel | None) -> list[str] | None:
    """The genes a CNV record names or overlaps; ``None`` when it cannot be placed (no build)."""
    for key in _GENE_KEYS:
        value = rec.info.get(key)
        if value:
            return sorted({g for g in value.replace("|", ",").split(",") if g})
    if rec.id not in ("", ".") and panel is not None and rec.id in panel.genes:
        return [rec.id]
    if panel is None or getattr(panel, "genome", None) is None:
        return None
    from tumorboard.panels import contig_key, gene_table

    table = gene_table(panel.genome)
    genes = table if getattr(panel, "is_all", False) else panel.listed_genes
    chrom = contig_key(rec.chrom.strip())
    return sorted(
        g
        for g in genes
        for c, s, e, _ in table.get(g, [])
        if contig_key(c) == chrom and s < end and e >= rec.pos
    )


def _cnv_record(
    rec: TextVcfRecord, options: RunOptions, panel: Panel | None, result: ReadResult, where: str
) -> None:
    svtype = rec.info.get("SVTYPE", "")
    alt = rec.alts[0].upper() if rec.alts else ""
    if svtype not in ("DUP", "DEL", "CNV") and alt not in CNV_ALTS:
        raise _Skip("not a copy-number record (no SVTYPE=DUP/DEL/CNV)")
    end = _end(rec)
    cn = _number(rec, ("CN",), options.sample, where)
    fc = _number(rec, ("FC", "FOLD_CHANGE"), options.sample, where)
    problem = level_problem(cn, fc)
    if problem:
        raise _Skip(problem)
    if rec.filter not in ("PASS", ".", "") and not options.include_filtered:
        result.qc.filtered += 1
        return
    genes = _cnv_genes(rec, end, panel)
    if genes is None:
        raise _Skip(NO_BUILD)
    if not genes:
        result.qc.outside_panel += 1
        return
    for gene in genes:
        a = classify_copy_number(
            gene, options, qc=result.qc, where=where, call=svtype or alt, copy_number=cn,
            fold_change=fc,
        )  # fmt: skip
        if a is not None:
            a.chrom, a.pos, a.filter = rec.chrom, rec.pos, rec.filter or "PASS"
            a.source, a.record = Path(result.path).name, rec.line
            result.alterations.append(a)


def _on_build(
    path: str, meta: list[str], panel: Panel, options: RunOptions, result: ReadResult
) -> Panel:
    """The panel to place the file's records with: on the build its header states (contig
    lengths, ``##reference``/``##assembly``: :func:`tumorboard.readers.vcf_build.detect_build`),
    which must be the run's build when the run already has one."""
    from tumorboard.readers.vcf_build import build_from_meta

    try:
        built, how = build_from_meta(meta)
    except GenomeBuildError as exc:
        raise GenomeBuildError(exc.message, where=path, hint=exc.hint) from None
    if built is None:
        return panel
    result.genome = built
    if panel.genome and panel.genome != built:
        raise GenomeBuildError(
            f"the run's genome build is {panel.genome} (--genome or another input) but this "
            f"file is {built} (from {how})",
            where=path,
            hint=f"give every input of the patient on one build (--genome {built}), or lift "
            f"this file over to {panel.genome}",
        )
    if panel.genome is None:
        from tumorboard.panels import load_panel

        return load_panel(options.panel, built)
    return panel


def _records(
    path: str, options: RunOptions, panel: Panel, result: ReadResult
) -> Iterator[tuple[Panel, TextVcfRecord, str]]:
    """Each record of a copy-number or breakend VCF, counted in ``qc.records_read``, with the
    panel that places it (on the header's build: :func:`_on_build`) and its location; a POS
    outside 1 to 3e9 is skipped with its reason."""
    meta: list[str] = []
    for n, (_, rec) in enumerate(iter_text_vcf(path, meta)):
        if n == 0:
            panel = _on_build(path, meta, panel, options, result)
        result.qc.records_read += 1
        where = _where(path, rec)
        if not 1 <= rec.pos <= MAX_POSITION:
            result.qc.skip(POS_REASON, where)
            continue
        yield panel, rec, where


def read_cnv_vcf(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """Read a VCF of copy-number records (``<DUP>``/``<DEL>``/``<CNV>``, ``SVTYPE=CNV``)."""
    result = ReadResult(kind="cnv", path=path, annotation="copy number")
    for placed, rec, where in _records(path, options, panel, result):
        try:
            _cnv_record(rec, options, placed, result, where)
        except _Skip as skip:
            result.qc.skip(skip.reason, f"{where} {skip.detail}".rstrip())
    return result


# --- breakends ----------------------------------------------------------------------------------
def _bnd_genes(rec: TextVcfRecord, panel: Panel | None) -> list[str]:
    for key in ("GENE", "GENES", "GENE_NAME", "SYMBOL"):
        if rec.info.get(key):
            return [g for g in re.split(r"[,&|]", rec.info[key]) if g]
    ann = rec.info.get("ANN", "")
    for entry in ann.split(","):
        fields = entry.split("|")
        if len(fields) > 3 and "fusion" in fields[1]:
            return [g for g in fields[3].split("&") if g]
    if panel is not None and panel.genome:
        return panel.genes_at(rec.chrom, rec.pos)[:1]
    return []


def _check_alts(rec: TextVcfRecord) -> None:
    """Every bracketed ALT is one of the specification's four breakend forms."""
    for alt in rec.alts:
        if "[" not in alt and "]" not in alt:
            continue
        m = _BND_ALT.fullmatch(alt)
        if m is None or bool(m.group(1)) == bool(m.group(5)):
            raise _Skip(BND_ALT_REASON, f"ALT {excerpt(alt)}")
        if not 1 <= int(m.group(4)) <= MAX_POSITION:
            raise _Skip("breakend ALT mate position is not a position (1 to 3e9)", excerpt(alt))


def _bnd_reads(rec: TextVcfRecord, sample: str | None) -> int | None:
    """Supporting reads (the last of ``SR``'s ``ref,alt``, or ``SU``); a bad count skips."""
    for key in ("SR", "SU"):
        text = rec.value(key, sample)
        if text is None:
            continue
        values = [count(part) for part in text.split(",")]
        bad = next((v.problem for v in values if v.problem), "")
        if bad:
            raise _Skip(f"breakend read count ({key}) is {bad}", f"{key}={excerpt(text)}")
        last = values[-1].value
        return None if last is None else int(last)
    return None


def _read_bnd_records(path: str, options: RunOptions, panel: Panel, result: ReadResult) -> None:
    pending: dict[str, tuple[TextVcfRecord, list[str], int | None]] = {}
    for placed, rec, where in _records(path, options, panel, result):
        try:
            if rec.info.get("SVTYPE") != "BND" and not any("[" in a or "]" in a for a in rec.alts):
                raise _Skip("not a breakend record (give copy-number records with --cnv)")
            _check_alts(rec)
            reads = _bnd_reads(rec, options.sample)
        except _Skip as skip:
            result.qc.skip(skip.reason, f"{where} {skip.detail}".rstrip())
            continue
        if rec.filter not in ("PASS", ".", ""):
            result.qc.filtered += 1
            continue
        genes = _bnd_genes(rec, placed)
        mate = rec.info.get("MATEID", "")
        if len(genes) >= 2:
            _add_bnd(result, (genes[0], genes[1]), rec, reads, options, "as listed in the record")
        elif mate and mate in pending:
            other, other_genes, other_reads = pending.pop(mate)
            if other_genes and genes and other_genes[0] != genes[0]:
                pair = (other_genes[0], genes[0])
                _add_bnd(result, pair, other, other_reads, options, "as the breakends appear")
            else:
                result.qc.skip("breakend pair without two different genes", where)
        elif mate:
            pending[rec.id] = (rec, genes, reads)
        else:
            result.qc.skip("breakend without MATEID or gene pair", where)
    for rec, _, _ in pending.values():
        result.qc.skip("breakend whose mate record is missing", f"{path}:{rec.line}")


def _add_bnd(
    result: ReadResult,
    genes: tuple[str, str],
    rec: TextVcfRecord,
    reads: int | None,
    options: RunOptions,
    how: str,
) -> None:
    a = Alteration(
        gene=genes[0],
        kind=FUSION,
        gene3=genes[1],
        chrom=rec.chrom,
        pos=rec.pos,
        breakpoints=f"{rec.chrom}:{rec.pos};{rec.alts[0]}",
        source=Path(result.path).name,
        record=rec.line,
        filter=rec.filter or "PASS",
    )
    a.notes.append(f"from VCF breakends: partner order {how}; 5'/3' orientation not determined")
    a.supporting_reads = reads
    if not below_min_reads(a, options, result.qc, f"{result.path}:{rec.line}"):
        result.alterations.append(a)


def read_breakend_vcf(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """Read a VCF of breakend (``SVTYPE=BND``) records as fusions."""
    result = ReadResult(kind="fusions", path=path, annotation="fusions")
    _read_bnd_records(path, options, panel, result)
    return result


__all__ = ["BND_ALT_REASON", "NO_BUILD", "POS_REASON", "read_breakend_vcf", "read_cnv_vcf"]
