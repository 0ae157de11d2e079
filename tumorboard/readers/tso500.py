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

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tumorboard.alterations import MUTATION, REARRANGEMENT, Alteration, parse_exon
from tumorboard.biomarkers import hrd_from_gis, msi_from_percent, tmb_from_value
from tumorboard.errors import FormatError, RecordError
from tumorboard.models import RunOptions
from tumorboard.readers.base import QCCounter, ReadResult
from tumorboard.readers.cnv import classify_copy_number
from tumorboard.readers.fusions import fusion_from_pair, splice_variant
from tumorboard.readers.text import iter_lines, norm_column

if TYPE_CHECKING:
    from tumorboard.panels import Panel

KEY_VALUE_SECTIONS = frozenset(
    {"analysisdetails", "sequencingrundetails", "tmb", "msi", "gis", "header", "sampleinformation"}
)
_SECTION_ALIASES = {
    "smallvariants": "small",
    "geneamplifications": "cnv",
    "copynumbervariants": "cnv",
    "copynumbervariations": "cnv",
    "cnvs": "cnv",
    "fusions": "fusions",
    "genefusions": "fusions",
    "splicevariants": "splice",
    "largerearrangements": "rearrangements",
    "tmb": "tmb",
    "msi": "msi",
    "gis": "gis",
    "analysisdetails": "details",
    "sequencingrundetails": "run",
    "header": "details",
}
_NA = frozenset({"", "NA", "N/A", "na", "."})


@dataclass(slots=True)
class Section:
    """One ``[Name]`` block: its header line number, column names and data rows."""

    name: str
    line: int
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    pairs: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return norm_column(self.name)


@dataclass(slots=True)
class CombinedVariantOutput:
    """A parsed CVO file: its title lines and sections by normalised name."""

    path: str
    title: list[str]
    sections: list[Section]

    def get(self, alias: str) -> list[Section]:
        return [s for s in self.sections if _SECTION_ALIASES.get(s.key) == alias]

    @property
    def layout(self) -> str:
        text = " ".join(self.title)
        if "DRAGEN" in text:
            return "DRAGEN TSO500"
        if any(s.key == "copynumbervariants" for s in self.sections):
            return "DRAGEN TSO500"
        return "TSO500 Local App"


def parse_sections(path: str) -> CombinedVariantOutput:
    """Split a CVO file into sections; tolerant of trailing tabs, CRLF and unknown sections."""
    title: list[str] = []
    sections: list[Section] = []
    current: Section | None = None
    for n, raw in iter_lines(path):
        cells = [c.strip() for c in raw.split("\t")]
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            continue
        first = cells[0]
        if first.startswith("[") and first.endswith("]") and len(cells) == 1:
            current = Section(name=first[1:-1].strip(), line=n)
            sections.append(current)
            continue
        if current is None:
            title.append(" ".join(cells))
            continue
        _add_line(current, n, cells, path)
    if not sections:
        raise FormatError(
            "no [Section] headers found: not a TSO500 CombinedVariantOutput file",
            where=path,
            hint="give the *_CombinedVariantOutput.tsv from the TSO500 Local App or DRAGEN",
        )
    return CombinedVariantOutput(path=path, title=title, sections=sections)


def _add_line(section: Section, n: int, cells: list[str], path: str) -> None:
    if section.key in KEY_VALUE_SECTIONS:
        if len(cells) == 1 and cells[0] in _NA:
            return
        if len(cells) > 2:
            raise RecordError(
                f"[{section.name}] expects 'key<TAB>value' lines, found {len(cells)} values",
                where=f"{path}:{n}",
                hint="repair the line; key/value sections hold one value per key",
            )
        section.pairs[norm_column(cells[0])] = (n, cells[1] if len(cells) > 1 else "")
        return
    if not section.header:
        section.header = cells
        return
    if len(cells) == 1 and cells[0] in _NA:
        return
    if len(cells) > len(section.header):
        raise RecordError(
            f"[{section.name}] row has {len(cells)} values but the header has "
            f"{len(section.header)} columns",
            where=f"{path}:{n}",
            hint="the row does not fit the section header; repair or remove it",
        )
    section.rows.append((n, cells + [""] * (len(section.header) - len(cells))))


# --- row helpers --------------------------------------------------------------------------------
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
            if value is not None and value not in _NA:
                return value
        return ""

    def number(self, *names: str) -> float | None:
        value = self.text(*names)
        if not value:
            return None
        try:
            return float(value.rstrip("%"))
        except ValueError:
            raise RecordError(
                f"column {names[0]!r} should be a number, found {value!r}",
                where=self.where,
                hint="repair the value or write NA when it is unknown",
            ) from None

    def integer(self, *names: str) -> int | None:
        value = self.number(*names)
        return None if value is None else round(value)

    def require(self, *names: str) -> str:
        value = self.text(*names)
        if not value:
            raise RecordError(
                f"required column {names[0]!r} is missing or empty",
                where=self.where,
                hint=f"the section needs a {names[0]!r} column with a value in every row",
            )
        return value


def _rows(cvo: CombinedVariantOutput, alias: str) -> list[Row]:
    return [Row(s, n, cells, cvo.path) for s in cvo.get(alias) for n, cells in s.rows]


# --- section handlers ---------------------------------------------------------------------------
def _small_variants(cvo: CombinedVariantOutput, source: str, qc: QCCounter) -> list[Alteration]:
    from tumorboard.alterations import parse_protein_change

    out = []
    for row in _rows(cvo, "small"):
        qc.records_read += 1
        gene = row.text("gene", "genesymbol")
        if not gene:
            qc.skip("TSO500 small variant without a gene (intergenic)", row.where)
            continue
        pos = row.integer("genomicposition", "position", "pos")
        cdot = row.text("cdotnotation", "hgvsc")
        pdot = row.text("pdotnotation", "hgvsp")
        tx, _, hgvsc = cdot.rpartition(":") if ":" in cdot else ("", "", cdot)
        a = Alteration(
            gene=gene,
            kind=MUTATION,
            chrom=row.require("chromosome", "chrom"),
            pos=pos or 0,
            ref=row.text("referencecall", "ref"),
            alt=row.text("alternativecall", "alt"),
            hgvsc=hgvsc,
            transcript=tx or (pdot.partition(":")[0] if ":" in pdot else ""),
            transcript_rule="input",
            vaf=row.number("allelefrequency", "vaf", "vf"),
            depth=row.integer("depth", "dp"),
            vaf_source="input",
            source=source,
            record=row.line,
            consequences=_consequences(row.text("consequences", "consequence")),
            exon=parse_exon(row.text("affectedexons", "exon", "exons")),
        )
        change = parse_protein_change(pdot) if pdot else None
        if change is not None:
            a.protein, a.protein_3 = change.one, change.three
            a.protein_start, a.protein_end = change.start, change.end
        elif pdot and pdot.rpartition(":")[2] not in ("p.?", "p.(=)", "p.="):
            a.notes.append(f"protein change {pdot!r} not understood; matched by gene only")
        qc.transcript_rules["input"] += 1
        out.append(a)
    return out


def _consequences(text: str) -> tuple[str, ...]:
    for sep in ("&", ",", ";", "|"):
        text = text.replace(sep, " ")
    return tuple(t for t in text.split() if t)


def _copy_numbers(
    cvo: CombinedVariantOutput, source: str, qc: QCCounter, options: RunOptions
) -> list[Alteration]:
    out = []
    for row in _rows(cvo, "cnv"):
        qc.records_read += 1
        gene = row.require("gene", "genes")
        call = row.text("copynumbervariant", "cnvtype", "call", "type")
        a = classify_copy_number(
            gene,
            options,
            copy_number=row.number("absolutecopynumber", "copynumber", "cn"),
            fold_change=row.number("foldchange", "fc"),
            call=call,
            qc=qc,
            where=row.where,
        )
        if a is not None:
            a.source, a.record = source, row.line
            out.append(a)
    return out


def _rearrangements(cvo: CombinedVariantOutput, source: str, qc: QCCounter) -> list[Alteration]:
    out = []
    for row in _rows(cvo, "rearrangements"):
        qc.records_read += 1
        gene = row.require("gene")
        kind = row.text("cnvtype", "type", "copynumbervariant") or "rearrangement"
        exons = row.text("affectedexons", "exons")
        a = Alteration(
            gene=gene,
            kind=REARRANGEMENT,
            chrom=row.text("chromosome", "chrom"),
            pos=row.integer("start") or 0,
            exon=parse_exon(exons),
            fold_change=row.number("foldchange"),
            source=source,
            record=row.line,
            breakpoints=f"{row.text('chromosome')}:{row.text('start')}-{row.text('stop', 'end')}",
        )
        a.notes.append(f"large rearrangement {kind.strip('<>')} of exon(s) {exons or '?'}")
        out.append(a)
    return out


def _fusions(cvo: CombinedVariantOutput, source: str, qc: QCCounter) -> list[Alteration]:
    out = []
    for row in _rows(cvo, "fusions"):
        qc.records_read += 1
        pair = row.require("genepair", "fusion", "genes")
        a = fusion_from_pair(pair, qc=qc, where=row.where)
        if a is None:
            continue
        b1, b2 = row.text("breakpoint1"), row.text("breakpoint2")
        a.breakpoints = ";".join(b for b in (b1, b2) if b)
        a.supporting_reads = row.integer("fusionsupportingreads", "supportingreads", "reads")
        a.source, a.record = source, row.line
        out.append(a)
    return out


def _splice(cvo: CombinedVariantOutput, source: str, qc: QCCounter) -> list[Alteration]:
    out = []
    for row in _rows(cvo, "splice"):
        qc.records_read += 1
        a = splice_variant(row.require("gene"), row.text("affectedexon", "affectedexons", "exons"))
        b1, b2 = row.text("breakpoint1"), row.text("breakpoint2")
        a.breakpoints = ";".join(b for b in (b1, b2) if b)
        a.supporting_reads = row.integer("splicesupportingreads", "supportingreads", "reads")
        a.source, a.record = source, row.line
        out.append(a)
    return out


def _pair_number(section: Section, path: str, *keys: str) -> float | None:
    for key in keys:
        if key in section.pairs:
            line, value = section.pairs[key]
            if value in _NA:
                return None
            try:
                return float(value.rstrip("%"))
            except ValueError:
                raise RecordError(
                    f"[{section.name}] {key!r} should be a number, found {value!r}",
                    where=f"{path}:{line}",
                    hint="repair the value or write NA when it is unknown",
                ) from None
    return None


def _biomarkers(cvo: CombinedVariantOutput, options: RunOptions, name: str) -> list[object]:
    out: list[object] = []
    for s in cvo.get("tmb"):
        value = _pair_number(s, cvo.path, "totaltmb", "tmb", "tmbvalue")
        size = _pair_number(s, cvo.path, "codingregionsizeinmegabases", "codingregionsize")
        count = _pair_number(s, cvo.path, "numberofpassingeligiblevariants")
        note = f"{count:g} eligible variants over {size:g} Mb" if count is not None and size else ""
        out.append(tmb_from_value(value, options, f"{name} [TMB] section", note))
    for s in cvo.get("msi"):
        pct = _pair_number(
            s,
            cvo.path,
            "percentunstablemsisites",
            "percentunstablesites",
            "percentunstable",
            "msipercentunstable",
        )
        usable = _pair_number(s, cvo.path, "usablemsisites")
        note = f"{usable:g} usable MSI sites" if usable is not None else ""
        out.append(msi_from_percent(pct, options, f"{name} [MSI] section", note))
    for s in cvo.get("gis"):
        gis = _pair_number(s, cvo.path, "genomicinstabilityscore", "gis")
        out.append(hrd_from_gis(gis, options, f"{name} [GIS] section"))
    return out


_HANDLERS: dict[str, Callable[[CombinedVariantOutput, str, QCCounter], list[Alteration]]] = {
    "small": _small_variants,
    "rearrangements": _rearrangements,
    "fusions": _fusions,
    "splice": _splice,
}


def read_tso500(path: str, options: RunOptions, panel: Panel | None = None) -> ReadResult:
    """Read a TSO500 CombinedVariantOutput file into one :class:`ReadResult`.

    The assay's own calls are not restricted to a panel (``panel`` is not used).
    """
    cvo = parse_sections(path)
    name = Path(path).name
    qc = QCCounter()
    result = ReadResult(kind="tso500", path=path, qc=qc, annotation=f"{cvo.layout} CVO")
    for handler in _HANDLERS.values():
        result.alterations.extend(handler(cvo, name, qc))
    result.alterations.extend(_copy_numbers(cvo, name, qc, options))
    result.biomarkers.extend(_biomarkers(cvo, options, cvo.layout))  # type: ignore[arg-type]
    details = next(iter(cvo.get("details")), None)
    if details is not None:
        for key in ("dnasampleid", "pairid", "sampleid"):
            if key in details.pairs and details.pairs[key][1] not in _NA:
                result.sample, result.sample_rule = (
                    details.pairs[key][1],
                    f"[Analysis Details] {key}",
                )
                break
    unused = [s.name for s in cvo.sections if s.key not in _SECTION_ALIASES]
    if unused:
        qc.warnings.append(f"{name}: sections not used by tumorboard: " + ", ".join(unused))
    return result


__all__ = ["CombinedVariantOutput", "Section", "parse_sections", "read_tso500"]
