"""TruSight Oncology 500 ``CombinedVariantOutput.tsv`` reader (Local App v2.x and DRAGEN v2.5/2.6).

The file is a series of tab-separated ``[Section]`` blocks separated by blank lines. Every section
is parsed generically (:func:`parse_sections`): key/value sections (``[Analysis Details]``,
``[TMB]``, ``[MSI]``, ``[GIS]`` ...) become dicts, the others tables whose first row is the header.
A lone ``NA`` row, or a header with no rows (DRAGEN), is an empty section. Column and section
names are compared case- and punctuation-free, so renamed sections (``[Gene Amplifications]`` ->
``[Copy Number Variants]``) and extra columns are tolerated; sections tumorboard does not use are
listed in the QC warnings.

What becomes what:

* ``[Small Variants]`` -> mutations; ``P-Dot Notation`` (``NP_004324.2:p.(Val600Glu)``) gives the
  protein change, ``C-Dot Notation`` the transcript and ``c.`` change (transcript_rule ``input``).
* ``[Gene Amplifications]`` / ``[Copy Number Variants]`` -> amplifications / deep deletions by
  the thresholds in :class:`~tumorboard.models.RunOptions` (see :mod:`tumorboard.readers.cnv`).
* ``[Large Rearrangements]`` -> rearrangements (intragenic DEL/DUP of exons).
* ``[Fusions]`` -> fusions (5' gene first, as ``Gene Pair`` lists it).
* ``[Splice Variants]`` -> splice variants (MET exon 14 skipping, EGFRvIII).
* ``[TMB]``, ``[MSI]``, ``[GIS]`` -> TMB, MSI and HRD biomarkers with value, threshold and source.

A malformed row is a :class:`~tumorboard.errors.RecordError` naming file, section and line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tumorboard.alterations import MUTATION, REARRANGEMENT, UNREAD_PROTEIN, Alteration, parse_exon
from tumorboard.errors import RecordError
from tumorboard.models import RunOptions
from tumorboard.readers.base import QCCounter, ReadResult
from tumorboard.readers.cnv_calls import classify_copy_number
from tumorboard.readers.fusions import fusion_from_pair, splice_variant
from tumorboard.readers.table import MAX_COUNT, MAX_POSITION, excerpt
from tumorboard.readers.text import norm_column
from tumorboard.readers.tso500_sections import (
    KEY_VALUE_SECTIONS,
    NA,
    SECTION_ALIASES,
    CombinedVariantOutput,
    Section,
    parse_sections,
    value_problem,
)

if TYPE_CHECKING:
    from tumorboard.panels import Panel


# --- row helpers --------------------------------------------------------------------------------
class SkipRow(Exception):
    """A row whose value is unusable: skipped with this reason (never read with a default) and,
    in ``detail``, a short escaped excerpt of the value."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.detail = detail


class Row:
    """One table row with access by normalised column name and error context."""

    __slots__ = ("cells", "line", "path", "section")

    def __init__(self, section: Section, line: int, cells: list[str], path: str) -> None:
        self.section = section
        self.line = line
        self.path = path
        self.cells = {norm_column(h): v for h, v in zip(section.header, cells, strict=True)}

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line} [{self.section.name}]"

    def text(self, *names: str) -> str:
        for name in names:
            value = self.cells.get(name)
            if value is not None and value not in NA:
                return value
        return ""

    def number(self, *names: str, high: float = math.inf) -> float | None:
        """The value of the first named column present; text is an error, a NaN, infinite,
        negative or too high value skips the row (:class:`SkipRow`)."""
        value = self.text(*names)
        if not value:
            return None
        try:
            number = float(value.rstrip("%"))
        except ValueError:
            raise RecordError(
                f"column {names[0]!r} should be a number, found {value[:40]!r}",
                where=self.where,
                hint="repair the value or write NA when it is unknown",
            ) from None
        problem = value_problem(number, high)
        if problem:
            raise SkipRow(f"TSO500 {names[0]} is {problem}")
        return number

    def integer(self, *names: str) -> int | None:
        value = self.number(*names, high=MAX_COUNT)
        if value is not None and value != int(value):
            raise SkipRow(f"TSO500 {names[0]} is not a whole number")
        return None if value is None else int(value)

    def require(self, *names: str) -> str:
        value = self.text(*names)
        if not value:
            raise RecordError(
                f"required column {names[0]!r} is missing or empty",
                where=self.where,
                hint=f"the section needs a {names[0]!r} column with a value in every row",
            )
        return value


def _collect(
    cvo: CombinedVariantOutput, alias: str, qc: QCCounter, read: Callable[[Row], Alteration | None]
) -> list[Alteration]:
    """``read`` every row of the ``alias`` sections; short or unusable rows are skipped."""
    out = []
    for section in cvo.get(alias):
        for line, width in section.short:
            qc.records_read += 1
            qc.skip(
                f"TSO500 [{section.name}] row has fewer cells than the header",
                f"{cvo.path}:{line} ({width} of {len(section.header)})",
            )
        for n, cells in section.rows:
            qc.records_read += 1
            row = Row(section, n, cells, cvo.path)
            try:
                a = read(row)
            except SkipRow as skip:
                qc.skip(str(skip), f"{row.where} ({skip.detail})" if skip.detail else row.where)
                continue
            if a is not None:
                a.source, a.record = Path(cvo.path).name, n
                out.append(a)
    return out


# --- section handlers ---------------------------------------------------------------------------
def _small_variant(row: Row, qc: QCCounter) -> Alteration | None:
    from tumorboard.alterations import parse_protein_change

    gene = row.text("gene", "genesymbol")
    if not gene:
        qc.skip("TSO500 small variant without a gene (intergenic)", row.where)
        return None
    pos = row.integer("genomicposition", "position", "pos")
    if pos is not None and not 1 <= pos <= MAX_POSITION:
        raise SkipRow("TSO500 genomicposition is not a position (>= 1)")
    ref, alt = _alleles(row)
    cdot = row.text("cdotnotation", "hgvsc")
    pdot = row.text("pdotnotation", "hgvsp")
    tx, _, hgvsc = cdot.rpartition(":") if ":" in cdot else ("", "", cdot)
    a = Alteration(
        gene=gene,
        kind=MUTATION,
        chrom=row.require("chromosome", "chrom"),
        pos=pos or 0,
        ref=ref,
        alt=alt,
        hgvsc=hgvsc,
        transcript=tx or (pdot.partition(":")[0] if ":" in pdot else ""),
        transcript_rule="input",
        vaf=row.number("allelefrequency", "vaf", "vf", high=1.0),
        depth=row.integer("depth", "dp"),
        vaf_source="input",
        consequences=_consequences(row.text("consequences", "consequence")),
        exon=parse_exon(row.text("affectedexons", "exon", "exons")),
    )
    change = parse_protein_change(pdot) if pdot else None
    if change is not None:
        a.protein, a.protein_3 = change.one, change.three
        a.protein_start, a.protein_end = change.start, change.end
    elif pdot and pdot.rpartition(":")[2] not in ("p.?", "p.(=)", "p.="):
        a.notes.append(f"protein change {pdot[:40]!r} {UNREAD_PROTEIN}")
    qc.transcript_rules["input"] += 1
    return a


_ALLELE = re.compile(r"[ACGTN]+|-", re.IGNORECASE)


def _alleles(row: Row) -> tuple[str, str]:
    """Reference and alternative call: bases (A, C, G, T, N) or '-', and different."""
    ref, alt = row.text("referencecall", "ref"), row.text("alternativecall", "alt")
    for allele in (ref, alt):
        if allele and not _ALLELE.fullmatch(allele):
            raise SkipRow("TSO500 allele is not A, C, G, T, N or '-'", excerpt(allele))
    if ref and alt and ref.upper() == alt.upper():
        raise SkipRow("TSO500 alternative call equals the reference call", f"{ref}>{alt}")
    return ref, alt


def _consequences(text: str) -> tuple[str, ...]:
    for sep in ("&", ",", ";", "|"):
        text = text.replace(sep, " ")
    return tuple(t for t in text.split() if t)


def _copy_number(row: Row, qc: QCCounter, options: RunOptions) -> Alteration | None:
    gene = row.require("gene", "genes")
    return classify_copy_number(
        gene,
        options,
        copy_number=row.number("absolutecopynumber", "copynumber", "cn"),
        fold_change=row.number("foldchange", "fc"),
        call=row.text("copynumbervariant", "cnvtype", "call", "type"),
        qc=qc,
        where=row.where,
    )


def _rearrangement(row: Row) -> Alteration:
    gene = row.require("gene")
    kind = row.text("cnvtype", "type", "copynumbervariant") or "rearrangement"
    exons = row.text("affectedexons", "exons")
    a = Alteration(
        gene=gene,
        kind=REARRANGEMENT,
        chrom=row.text("chromosome", "chrom"),
        pos=_position(row.integer("start")),
        exon=parse_exon(exons),
        fold_change=row.number("foldchange"),
        breakpoints=f"{row.text('chromosome')}:{row.text('start')}-{row.text('stop', 'end')}",
    )
    a.notes.append(f"large rearrangement {kind.strip('<>')} of exon(s) {exons or '?'}")
    return a


def _position(value: int | None) -> int:
    if value is not None and value > MAX_POSITION:
        raise SkipRow("TSO500 start is not a position")
    return value or 0


def _fusion(row: Row, qc: QCCounter) -> Alteration | None:
    pair = row.require("genepair", "fusion", "genes")
    a = fusion_from_pair(pair, qc=qc, where=row.where)
    if a is None:
        return None
    b1, b2 = row.text("breakpoint1"), row.text("breakpoint2")
    a.breakpoints = ";".join(b for b in (b1, b2) if b)
    a.supporting_reads = row.integer("fusionsupportingreads", "supportingreads", "reads")
    return a


def _splice(row: Row) -> Alteration:
    a = splice_variant(row.require("gene"), row.text("affectedexon", "affectedexons", "exons"))
    b1, b2 = row.text("breakpoint1"), row.text("breakpoint2")
    a.breakpoints = ";".join(b for b in (b1, b2) if b)
    a.supporting_reads = row.integer("splicesupportingreads", "supportingreads", "reads")
    return a


def read_tso500(path: str, options: RunOptions, panel: Panel | None = None) -> ReadResult:
    """Read a TSO500 CombinedVariantOutput file into one :class:`ReadResult`.

    The assay's own calls are not restricted to a panel (``panel`` is not used).
    """
    from tumorboard.readers.tso500_values import biomarkers

    cvo = parse_sections(path)
    name = Path(path).name
    qc = QCCounter()
    result = ReadResult(kind="tso500", path=path, qc=qc, annotation=f"{cvo.layout} CVO")
    result.alterations.extend(_collect(cvo, "small", qc, lambda r: _small_variant(r, qc)))
    result.alterations.extend(_collect(cvo, "rearrangements", qc, _rearrangement))
    result.alterations.extend(_collect(cvo, "fusions", qc, lambda r: _fusion(r, qc)))
    result.alterations.extend(_collect(cvo, "splice", qc, _splice))
    result.alterations.extend(_collect(cvo, "cnv", qc, lambda r: _copy_number(r, qc, options)))
    result.biomarkers.extend(biomarkers(cvo, options, qc))
    details = next(iter(cvo.get("details")), None)
    if details is not None:
        for key in ("dnasampleid", "pairid", "sampleid"):
            if key in details.pairs and details.pairs[key][1] not in NA:
                result.sample, result.sample_rule = (
                    details.pairs[key][1],
                    f"[Analysis Details] {key}",
                )
                break
    if cvo.unterminated:
        qc.warnings.append(
            f"{name}:{cvo.unterminated}: the file does not end with a newline; its last line was "
            "read as it stands: check that the file is complete"
        )
    unused = [s.name for s in cvo.sections if s.key not in SECTION_ALIASES]
    if unused:
        qc.warnings.append(f"{name}: sections not used by tumorboard: " + ", ".join(unused))
    return result


__all__ = [
    "KEY_VALUE_SECTIONS",
    "CombinedVariantOutput",
    "Row",
    "Section",
    "SkipRow",
    "parse_sections",
    "read_tso500",
    "value_problem",
]
