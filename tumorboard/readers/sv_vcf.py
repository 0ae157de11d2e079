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

**The tumour sample.** Values are read from the tumour's column, chosen as for every VCF
(:func:`tumorboard.readers.vcf_samples.choose_sample`: ``--sample``, ``##tumor_sample``, the
only sample, or the one named as a tumour beside normals); a file of several samples that do not
say which is the tumour is an error (Manta and GRIDSS write the normal first: its reads are not
the tumour's).

**Breakends** (:func:`read_breakend_vcf`, ``SVTYPE=BND``): paired through ``MATEID`` (GRIDSS2:
``PARID``); a record whose mate is not in the file (DELLY's single-record translocations, a
filtered mate) is paired with the position its ALT names. The genes come from INFO
(``GENE``/``GENES``, SnpEff ``ANN`` gene_fusion ``A&B``), else from the build's gene table at each
end (so a partner outside the panel, such as CCDC6 for RET, is kept); a fusion is reported when
either partner is a panel gene, and an end in no gene gives "GENE fusion, partner unknown". An ALT
with a bracket must be one of the four breakend forms of the VCF specification (``t[p[``,
``t]p]``, ``]p]t``, ``[p[t``, with ``p`` = ``chrom:pos``). Read support is the tumour's
supporting fragments as GRIDSS and ESVEE count them (``VF``), else its split reads plus spanning
pairs (Manta ``SR`` + ``PR``, the ``alt`` of ``ref,alt``; Lumpy ``SR`` + ``PE``; FusionCatcher
``SR`` + ``SP``), else ``SU`` (Lumpy) or ``DV`` + ``RV`` (DELLY); each must be a whole
non-negative number. A single breakend (``SVTYPE=SGL``, or an ALT ``t.``/``.t``:
GRIDSS, ESVEE, PURPLE) has no partner, so no gene pair: it is skipped with that reason. A breakend
pair cannot show which partner is 5' without strand information, so its fusion carries a note
saying the order is as listed, not determined.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tumorboard.errors import GenomeBuildError, RecordError, SampleError
from tumorboard.models import RunOptions
from tumorboard.readers.base import ReadResult
from tumorboard.readers.cnv_calls import classify_copy_number, level_problem
from tumorboard.readers.fusions import (
    below_min_reads,
    fusion_of,
    pair_of_genes,
    unread_reads_note,
)
from tumorboard.readers.table import MAX_POSITION, NA_VALUES, count, excerpt
from tumorboard.readers.text import CNV_ALTS, TextVcfRecord, iter_text_vcf
from tumorboard.readers.vcf_samples import choose_sample, declared_tumour

if TYPE_CHECKING:
    from tumorboard.panels import Panel

POS_REASON = "VCF POS is not a position (1 to 3e9)"
MATE_SKIPPED = "breakend whose mate record was skipped (the pair is not read)"
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
    alt = _called_alt(rec, result.sample)
    if svtype not in ("DUP", "DEL", "CNV") and alt not in CNV_ALTS:
        raise _Skip("not a copy-number record (no SVTYPE=DUP/DEL/CNV)")
    end = _end(rec)
    cn = _number(rec, ("CN",), result.sample or None, where)
    fc = _number(rec, ("FC", "FOLD_CHANGE"), result.sample or None, where)
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


def _called_alt(rec: TextVcfRecord, sample: str) -> str:
    """The record's ALT; of several (GATK gCNV's ``<DEL>,<DUP>``), the one the sample's ``GT``
    names (``""``: none named, so the ALTs say nothing of the direction)."""
    if len(rec.alts) <= 1:
        return rec.alts[0].upper() if rec.alts else ""
    gt = rec.value("GT", sample) or ""
    called = {int(a) for a in re.split(r"[/|]", gt) if a.isdigit() and int(a) > 0}
    if len(called) == 1 and (index := called.pop()) <= len(rec.alts):
        return rec.alts[index - 1].upper()
    return ""


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
    for n, (samples, rec) in enumerate(iter_text_vcf(path, meta)):
        if n == 0:
            panel = _on_build(path, meta, panel, options, result)
            if samples:
                declared = declared_tumour(meta, samples)
                try:
                    choice = choose_sample(samples, declared, options.sample)
                except SampleError as exc:
                    raise SampleError(exc.message, where=path, hint=exc.hint) from None
                result.sample, result.sample_rule = choice
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
    """The genes a breakend record names (INFO, SnpEff ``gene_fusion``), else the gene at its
    own position in the build's gene table (panel genes first)."""
    for key in ("GENE", "GENES", "GENE_NAME", "SYMBOL"):
        if rec.info.get(key):
            return [g for g in re.split(r"[,&|]", rec.info[key]) if g]
    ann = rec.info.get("ANN", "")
    for entry in ann.split(","):
        fields = entry.split("|")
        if len(fields) > 3 and "fusion" in fields[1]:
            return [g for g in fields[3].split("&") if g]
    return _gene_at(rec.chrom, rec.pos, panel)


def _gene_at(chrom: str, pos: int, panel: Panel | None) -> list[str]:
    """The gene at a position (a panel gene first), from the build's gene table; ``[]``."""
    genome = getattr(panel, "genome", None) if panel is not None else None
    if genome is None:
        return []
    from tumorboard.panels import genome_genes

    found = genome_genes(genome).genes_at(chrom, pos)
    listed = set() if panel is None or getattr(panel, "is_all", False) else panel.genes
    return sorted(found, key=lambda g: (g not in listed, g))[:1]


def _alt_mate(rec: TextVcfRecord) -> tuple[str, int] | None:
    """The mate position a bracketed ALT names (``chrom``, ``pos``), or ``None``."""
    for alt in rec.alts:
        m = _BND_ALT.fullmatch(alt)
        if m is not None:
            return m.group(3), int(m.group(4))
    return None


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


_READ_KEYS = (("VF",), ("SR", "PR", "PE", "SP"), ("SU",), ("DV", "RV"))
"""Read-support keys, the first group present summed: GRIDSS's and ESVEE's ``VF`` (their count
of fragments supporting the breakpoint, each fragment once: GRIDSS also writes ``SR`` and ``RP``,
whose sum counts a fragment with a split read and a discordant pair twice, and ``SR`` alone
leaves the pairs out), else split reads + spanning pairs (Manta ``SR``/``PR`` as ``ref,alt``;
Lumpy ``SR``/``PE``; FusionCatcher's INFO ``SR`` junction reads + ``SP`` spanning pairs, as its
table's ``Spanning_unique_reads`` + ``Spanning_pairs``), Lumpy's total ``SU``, DELLY's
``DV``/``RV``."""


def _bnd_reads(rec: TextVcfRecord, sample: str | None) -> int | None:
    """The tumour's supporting reads (see :data:`_READ_KEYS`); a bad count skips the record."""
    for keys in _READ_KEYS:
        found = [n for key in keys if (n := _alt_reads(rec, key, sample)) is not None]
        if found:
            return sum(found)
    return None


def _alt_reads(rec: TextVcfRecord, key: str, sample: str | None) -> int | None:
    """The ALT's count in ``key`` (the last of ``ref,alt``), ``None`` when absent."""
    text = rec.value(key, sample)
    if text is None:
        return None
    values = [count(part) for part in text.split(",")]
    bad = next((v.problem for v in values if v.problem), "")
    if bad:
        raise _Skip(f"breakend read count ({key}) is {bad}", f"{key}={excerpt(text)}")
    last = values[-1].value
    return None if last is None else int(last)


def _read_bnd_records(path: str, options: RunOptions, panel: Panel, result: ReadResult) -> None:
    pending: dict[str, tuple[TextVcfRecord, list[str], int | None, Panel]] = {}
    unusable: set[str] = set()  # ids of records skipped for a bad value: their mates too
    seen: set[frozenset[tuple[str, int]]] = set()  # junctions read (both ends)
    named_done: set[str] = set()  # ids of records whose caller-named pair was read
    for placed, rec, where in _records(path, options, panel, result):
        try:
            if _single(rec):
                raise _Skip(SINGLE_REASON, f"ALT {excerpt(rec.alts[0] if rec.alts else '', 20)}")
            if rec.info.get("SVTYPE") != "BND" and not any("[" in a or "]" in a for a in rec.alts):
                raise _Skip(_not_breakend(rec))
            _check_alts(rec)
            reads = _bnd_reads(rec, result.sample or None)
        except _Skip as skip:
            result.qc.skip(skip.reason, f"{where} {skip.detail}".rstrip())
            unusable.add(rec.id)
            continue
        if rec.filter not in ("PASS", ".", ""):
            result.qc.filtered += 1
            continue
        mate = rec.info.get("MATEID", "") or rec.info.get("PARID", "")
        named = _named_pair(rec)
        if named is not None:  # the caller names 5' and 3' (FusionCatcher GENE5/GENE3)
            if mate and mate in named_done:
                result.qc.skip(_OTHER_END, where)
                continue
            named_done.add(rec.id)
            _add_bnd(result, named, rec, reads, options, placed, _CALLER_ORDER, oriented=True)
            continue
        genes = _bnd_genes(rec, placed)
        if len(genes) >= 2:
            _add_bnd(
                result, (genes[0], genes[1]), rec, reads, options, placed, "as listed in the record"
            )
        elif mate and mate in pending:
            other, other_genes, other_reads, _ = pending.pop(mate)
            pair = (other_genes[0] if other_genes else "", genes[0] if genes else "")
            seen.add(_junction((other.chrom, other.pos), (rec.chrom, rec.pos)))
            _add_bnd(
                result, pair, other, other_reads, options, placed, "as the breakends appear", 2
            )
        elif mate:
            pending[rec.id] = (rec, genes, reads, placed)
        else:
            _with_alt_mate(result, rec, genes, reads, options, placed, seen)
    for rec, genes, reads, placed in pending.values():  # the mate is not in the file
        mate = rec.info.get("MATEID", "") or rec.info.get("PARID", "")
        if mate in unusable:
            result.qc.skip(MATE_SKIPPED, f"{path}:{rec.line}")
        else:
            _with_alt_mate(result, rec, genes, reads, options, placed, seen)


SINGLE_REASON = (
    "single breakend (SVTYPE=SGL, or an ALT t. / .t): one end of a rearrangement whose other "
    "end was not placed, so no gene pair can be read"
)
_SINGLE_ALT = re.compile(r"\.[A-Za-z]+|[A-Za-z]+\.")
"""VCF 4.2 section 5.4.9: a single breakend's ALT is the reference base(s) and a dot, the dot
on the side of the unknown sequence (``C.``, ``.C``; GRIDSS writes the inserted bases too)."""


def _single(rec: TextVcfRecord) -> bool:
    """Is ``rec`` a single breakend (ESVEE/PURPLE ``SVTYPE=SGL``; GRIDSS ``SVTYPE=BND`` with a
    ``t.``/``.t`` ALT)?"""
    if rec.info.get("SVTYPE", "").upper() == "SGL":
        return True
    return bool(rec.alts) and all(_SINGLE_ALT.fullmatch(a) for a in rec.alts)


def _junction(one: tuple[str, int], two: tuple[str, int]) -> frozenset[tuple[str, int]]:
    from tumorboard.panels import contig_key

    return frozenset(((contig_key(one[0]), one[1]), (contig_key(two[0]), two[1])))


def _not_breakend(rec: TextVcfRecord) -> str:
    svtype = rec.info.get("SVTYPE", "").upper()
    alt = rec.alts[0].upper() if rec.alts else ""
    if svtype in ("DUP", "DEL", "CNV") and alt in CNV_ALTS | {""}:
        return "not a breakend record (give copy-number records with --cnv)"
    return (
        "not a breakend record: deletions, inversions and translocations written as "
        "<DEL>/<INV>/<TRA> are not read as fusions (give breakend records or a fusion table)"
    )


def _with_alt_mate(
    result: ReadResult,
    rec: TextVcfRecord,
    genes: list[str],
    reads: int | None,
    options: RunOptions,
    panel: Panel,
    seen: set[frozenset[tuple[str, int]]],
) -> None:
    """A breakend whose mate record is not in the file, paired with the position its ALT
    names (DELLY writes one record per translocation); a junction already read through its
    other end is not read twice."""
    mate = _alt_mate(rec)
    if mate is None:
        result.qc.skip("breakend without a mate (no MATEID and no mate position in its ALT)",
                       f"{result.path}:{rec.line}")  # fmt: skip
        return
    junction = _junction((rec.chrom, rec.pos), mate)
    if junction in seen:
        result.qc.skip(_OTHER_END, f"{result.path}:{rec.line}")
        return
    seen.add(junction)
    other = _gene_at(*mate, panel)
    pair = (genes[0] if genes else "", other[0] if other else "")
    _add_bnd(result, pair, rec, reads, options, panel, "this record, then its ALT's mate position")


_OTHER_END = "breakend of a junction already read from its other end"
_CALLER_ORDER = "5' and 3' as the caller names them (INFO GENE5/GENE3)"


def _named_pair(rec: TextVcfRecord) -> tuple[str, str] | None:
    """The 5' and 3' genes a caller states (FusionCatcher's INFO ``GENE5``/``GENE3``)."""
    five, three = rec.info.get("GENE5", ""), rec.info.get("GENE3", "")
    return (five, three) if five and three else None


def _add_bnd(
    result: ReadResult,
    genes: tuple[str, str],
    rec: TextVcfRecord,
    reads: int | None,
    options: RunOptions,
    panel: Panel | None,
    how: str,
    records: int = 1,
    *,
    oriented: bool = False,
) -> None:
    """One fusion from ``records`` breakend records (2: a record and its mate, both counted
    when the pair lies outside the panel)."""
    where = f"{result.path}:{rec.line}"
    pair = pair_of_genes(*genes)
    if isinstance(pair, str):
        result.qc.skip("breakend pair with no gene at either end", where)
        return
    listed = None if panel is None or getattr(panel, "is_all", False) else panel.genes
    if listed is not None and not ({pair.gene5, pair.gene3} & listed):
        result.qc.outside_panel += records
        return
    a = fusion_of(pair)
    a.chrom, a.pos, a.filter = rec.chrom, rec.pos, rec.filter or "PASS"
    a.breakpoints = f"{rec.chrom}:{rec.pos};{rec.alts[0]}"
    a.source, a.record = Path(result.path).name, rec.line
    a.notes.append(
        f"from VCF breakends: {how}"
        if oriented
        else f"from VCF breakends: partner order {how}; 5'/3' orientation not determined"
    )
    a.supporting_reads = reads
    if not below_min_reads(a, options, result.qc, where):
        result.alterations.append(a)


def read_breakend_vcf(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """Read a VCF of breakend (``SVTYPE=BND``) records as fusions."""
    result = ReadResult(kind="fusions", path=path, annotation="fusions")
    _read_bnd_records(path, options, panel, result)
    unread = sum(a.supporting_reads is None for a in result.alterations)
    if unread:
        note = unread_reads_note(Path(path).name, unread, len(result.alterations), options)
        result.qc.not_assessable.append(note)
    return result


__all__ = [
    "BND_ALT_REASON",
    "NO_BUILD",
    "POS_REASON",
    "SINGLE_REASON",
    "read_breakend_vcf",
    "read_cnv_vcf",
]
