"""MAF reader: GDC/TCGA (vcf2maf), cBioPortal mutation data, OncoKB annotator and MOAlmanac MAFs.

Columns are found by their documented names, ignoring case and punctuation (``Start_position``
= ``Start_Position``), wherever they are in the header (OncoKB annotator MAFs start with
``NCBI_Build``). Only ``Hugo_Symbol`` is required, plus either coordinates (``Chromosome``,
``Start_Position``) or a protein change (``HGVSp_Short``, ``Protein_Change``, ``HGVSp``).

One row is one small variant with its chosen transcript (``Transcript_ID`` or
``Annotation_Transcript``, transcript_rule ``input``), ``HGVSc`` (or ``cDNA_Change``), the
protein change, ``Consequence`` (SO terms; else mapped from ``Variant_Classification``),
``Exon_Number`` and tumour read counts (VAF = ``t_alt_count / t_depth``, or over
``t_alt_count + t_ref_count``). A row without coordinates is read by gene and protein change
(protein-level rules can still match it; coordinate look-ups cannot). Rows with
``Variant_Classification`` ``Fusion`` (older cBioPortal studies) become fusions.

One patient per case: a MAF naming several ``Tumor_Sample_Barcode`` values needs ``--sample``
(:func:`tumorboard.readers.table.choose_sample`). ``NCBI_Build`` (``GRCh37``/``37``/``hg19``,
``GRCh38``/``38``/``hg38``) gives the build; a MAF mixing builds, or contradicting ``--genome``,
is an error. A bad row (fewer cells than the header, values past its last column, an
unparseable or negative number, no gene, invalid alleles) is skipped with its line and reason in
``qc.skipped``; a last line without a final newline that fails to parse is an error (the file
was cut inside it), one that parses is read with a QC warning, as is a file with a header and no
rows. Rows failing ``FILTER`` are
dropped unless ``include_filtered`` (counted either way); rows outside the panel's genes are
counted, not reported.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from tumorboard.alterations import (
    FUSION,
    MUTATION,
    UNREAD_PROTEIN,
    Alteration,
    parse_exon,
    parse_protein_change,
)
from tumorboard.errors import FormatError, GenomeBuildError
from tumorboard.models import RunOptions
from tumorboard.readers.base import QCCounter, ReadResult
from tumorboard.readers.table import (
    MAX_POSITION,
    NA_VALUES,
    OVERLONG,
    SAMPLE_COLUMNS,
    Table,
    count,
    excerpt,
    other_samples_note,
    read_table,
    restrict,
    table_notes,
    truncation_error,
)

if TYPE_CHECKING:
    from tumorboard.panels import Panel

_CLASSIFICATION_SO = {
    "missense_mutation": "missense_variant",
    "nonsense_mutation": "stop_gained",
    "frame_shift_del": "frameshift_variant",
    "frame_shift_ins": "frameshift_variant",
    "splice_site": "splice_donor_variant",
    "in_frame_del": "inframe_deletion",
    "in_frame_ins": "inframe_insertion",
    "silent": "synonymous_variant",
    "nonstop_mutation": "stop_lost",
    "translation_start_site": "start_lost",
    "splice_region": "splice_region_variant",
    "intron": "intron_variant",
    "3'utr": "3_prime_UTR_variant",
    "5'utr": "5_prime_UTR_variant",
    "3'flank": "downstream_gene_variant",
    "5'flank": "upstream_gene_variant",
    "igr": "intergenic_variant",
    "rna": "non_coding_transcript_exon_variant",
}
_BUILDS = {"grch38": "GRCh38", "hg38": "GRCh38", "38": "GRCh38",
           "grch37": "GRCh37", "hg19": "GRCh37", "37": "GRCh37", "b37": "GRCh37"}  # fmt: skip
_ALLELE = re.compile(r"[ACGTN]+|-", re.IGNORECASE)
_NO_PROTEIN = frozenset({"p.?", "p.=", "p.(=)", "?"})
_FUSION_SUFFIX = re.compile(r"\s*(fusion|fusions)$", re.IGNORECASE)

_GENE = ("hugosymbol",)
_CHROM, _START = ("chromosome",), ("startposition",)
_PROTEIN = ("hgvspshort", "proteinchange", "hgvsp", "aminoacidchange")
_COLUMNS: dict[str, tuple[str, ...]] = {
    "gene": _GENE, "chrom": _CHROM, "start": _START, "ref": ("referenceallele",),
    "alt2": ("tumorseqallele2",), "alt1": ("tumorseqallele1",), "protein": _PROTEIN,
    "hgvsc": ("hgvsc", "cdnachange"), "transcript": ("transcriptid", "annotationtranscript"),
    "consequence": ("consequence",), "classification": ("variantclassification",),
    "exon": ("exonnumber", "exon", "transcriptexon"), "impact": ("impact",),
    "filter": ("filter",), "depth": ("tdepth",), "alt_count": ("taltcount",),
    "ref_count": ("trefcount",), "build": ("ncbibuild",), "sample": SAMPLE_COLUMNS[:1],
    "status": ("mutationstatus",),
}  # fmt: skip
_NOT_SOMATIC = {
    "germline": "MAF row marked Germline (Mutation_Status): not a tumour variant",
    "loh": (
        "MAF row marked LOH (Mutation_Status: a germline variant whose other allele the tumour "
        "lost): not a tumour variant"
    ),
    "wildtype": (
        "MAF row marked Wildtype (Mutation_Status: the sample was found not mutated there): "
        "not a variant"
    ),
    "post-transcriptional modification": (
        "MAF row marked Post-transcriptional modification (Mutation_Status): not a DNA variant"
    ),
}
"""Mutation_Status values of rows that are no tumour variant (the MAF specification's values:
Germline, Somatic, LOH, Post-transcriptional modification, Unknown, None; cBioPortal adds
Wildtype); Somatic, Unknown, None and an empty cell are read."""


_SHOWN = {"depth": "t_depth", "alt_count": "t_alt_count", "ref_count": "t_ref_count"}


class SkipRow(Exception):
    """A row that cannot be read: its reason (stable) and a short detail."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class _Row:
    __slots__ = ("cells", "cols")

    def __init__(self, cols: dict[str, int | None], cells: list[str]) -> None:
        self.cols, self.cells = cols, cells

    def get(self, name: str) -> str:
        i = self.cols[name]
        if i is None or i >= len(self.cells):
            return ""
        value = self.cells[i].strip()
        return "" if value.lower() in NA_VALUES else value

    def count(self, name: str) -> int | None:
        text = self.get(name)
        parsed = count(text)
        if parsed.problem:
            raise SkipRow(f"MAF {_SHOWN[name]} is {parsed.problem}", excerpt(text))
        return None if parsed.value is None else int(parsed.value)


# --- header and builds ---------------------------------------------------------------------------
def _columns(table: Table) -> dict[str, int | None]:
    cols = {name: table.col(*keys) for name, keys in _COLUMNS.items()}
    where = f"{table.path}:{table.header_line}"
    hint = "a MAF has Hugo_Symbol and Chromosome + Start_Position, or HGVSp_Short/Protein_Change"
    if cols["gene"] is None:
        raise FormatError("MAF header lacks Hugo_Symbol", where=where, hint=hint)
    has_coordinates = cols["chrom"] is not None and cols["start"] is not None
    if not has_coordinates and cols["protein"] is None:
        raise FormatError(
            "MAF header has neither Chromosome + Start_Position nor a protein change column "
            "(HGVSp_Short, Protein_Change, HGVSp)",
            where=where,
            hint=hint,
        )
    return cols


def _build(text: str, where: str) -> str | None:
    key = text.strip().lower()
    if key in NA_VALUES:
        return None
    build = _BUILDS.get(key) or _BUILDS.get(key.split(".")[0].split("-")[0])
    if build is None:
        raise GenomeBuildError(
            f"NCBI_Build {excerpt(text)} is neither GRCh37 nor GRCh38",
            where=where,
            hint="tumorboard reads GRCh37 (37, hg19) and GRCh38 (38, hg38) MAFs",
        )
    return build


def _file_build(table: Table, column: int | None, options: RunOptions) -> str | None:
    """The one build of the whole file (every sample's rows); mixing builds is an error."""
    if column is None:
        return None
    first: dict[str, int] = {}
    for n, cells in table.rows:
        if column < len(cells):
            build = _build(cells[column], f"{table.path}:{n}")
            if build is not None:
                first.setdefault(build, n)
    if len(first) > 1:
        lines = ", ".join(f"{b} at line {n}" for b, n in sorted(first.items()))
        raise GenomeBuildError(
            f"the MAF mixes genome builds ({lines})",
            where=table.path,
            hint="split the file by NCBI_Build; one case is on one build",
        )
    build = next(iter(first), None)
    if build and options.genome and build != options.genome:
        raise GenomeBuildError(
            f"the MAF is {build} (NCBI_Build) but --genome is {options.genome}",
            where=table.path,
            hint=f"pass --genome {build}, or give the {options.genome} MAF",
        )
    return build


# --- one row -------------------------------------------------------------------------------------
def _coordinates(row: _Row, a: Alteration) -> None:
    chrom, start = row.get("chrom"), row.get("start")
    if not chrom and not start:
        return
    if not chrom or not start:
        raise SkipRow("MAF row with only part of its coordinates", f"{chrom}:{start}")
    if not (start.isascii() and start.isdigit()) or not 1 <= int(start) <= MAX_POSITION:
        raise SkipRow("MAF Start_Position is not a position (whole number >= 1)", excerpt(start))
    ref = row.get("ref")
    alt = row.get("alt2")
    if not alt or alt.upper() == ref.upper():
        alt = row.get("alt1") or alt
    for allele in (ref, alt):
        if allele and not _ALLELE.fullmatch(allele):
            raise SkipRow("MAF allele is not A, C, G, T, N or '-'", excerpt(allele))
    if ref and (not alt or ref.upper() == alt.upper()):
        raise SkipRow("MAF tumour allele equals the reference allele", f"{ref}>{alt}")
    a.chrom, a.pos, a.ref, a.alt = chrom, int(start), ref, alt


def _read_support(row: _Row, a: Alteration) -> None:
    depth, alt_count = row.count("depth"), row.count("alt_count")
    ref_count = row.count("ref_count")
    if depth is None and alt_count is not None and ref_count is not None:
        depth = alt_count + ref_count
    if depth is not None and alt_count is not None and alt_count > depth:
        raise SkipRow("MAF t_alt_count is greater than t_depth", f"{alt_count} > {depth}")
    a.depth = depth
    if depth and alt_count is not None:
        a.vaf, a.vaf_source = alt_count / depth, "MAF t_alt_count/t_depth"


def _protein(row: _Row, a: Alteration) -> None:
    text = row.get("protein")
    change = parse_protein_change(text) if text else None
    if change is not None:
        a.protein, a.protein_3 = change.one, change.three
        a.protein_start, a.protein_end = change.start, change.end
    elif text and text not in _NO_PROTEIN:
        a.notes.append(f"protein change {excerpt(text)} {UNREAD_PROTEIN}")


def _fusion_row(row: _Row, gene: str, name: str, line: int) -> Alteration:
    """A ``Variant_Classification: Fusion`` row (older cBioPortal MAFs): partners from the text."""
    from tumorboard.readers.fusions import parse_pair

    text = _FUSION_SUFFIX.sub("", row.get("protein"))
    pair = parse_pair(text) if text else None
    a = Alteration(gene=gene, kind=FUSION, source=name, record=line)
    if pair is not None and not isinstance(pair, str) and gene in (pair.gene5, pair.gene3):
        a.gene, a.gene3 = pair.gene5 or gene, pair.gene3
        a.notes.extend(pair.notes)
    if not a.gene3:
        a.notes.append(f"{gene} fusion from a MAF row; partner not named ({excerpt(text)})")
    return a


_TRUNCATING = frozenset(
    {"stop_gained", "frameshift_variant", "splice_acceptor_variant", "splice_donor_variant"}
)
_MISSENSE = re.compile(r"([A-Z])\d+([A-Z])")
CONTRADICTION = "contradicts the protein change"


def _agree(a: Alteration, stated: str) -> bool:
    """A row whose consequence contradicts its own protein change is read by the protein change,
    the more specific of the two, with a note: a ``Nonsense_Mutation`` with ``p.D191G`` is a
    missense change (loss-of-function rules must not fire), a ``Missense_Mutation`` with
    ``p.R100*`` a stop."""
    change = a.protein
    conseq = set(a.consequences)
    missense = _MISSENSE.fullmatch(change)
    if missense and missense.group(1) != missense.group(2) and conseq & _TRUNCATING:
        read_as = "missense_variant"
    elif change.endswith("*") and "fs" not in change and "stop_gained" not in conseq and conseq:
        read_as = "stop_gained"
    else:
        return False
    a.notes.append(
        f"{stated} {CONTRADICTION} {change}: read as {read_as} (check the row's annotation)"
    )
    a.consequences = (read_as,)
    return True


def _alteration(row: _Row, line: int, name: str) -> Alteration:
    gene = row.get("gene")
    if not gene or gene.lower() == "unknown":
        raise SkipRow("MAF row without a gene (Hugo_Symbol empty or Unknown)", excerpt(gene))
    classification = row.get("classification")
    if classification.lower() == "fusion":
        return _fusion_row(row, gene, name, line)
    tx = row.get("transcript")
    consequence = row.get("consequence") or _CLASSIFICATION_SO.get(classification.lower(), "")
    a = Alteration(
        gene=gene,
        kind=MUTATION,
        hgvsc=row.get("hgvsc").rpartition(":")[2],
        transcript=tx,
        transcript_rule="input" if tx else "",
        impact=row.get("impact"),
        consequences=tuple(c for c in consequence.replace(",", "&").split("&") if c),
        exon=parse_exon(row.get("exon")),
        filter=row.get("filter") or "PASS",
        source=name,
        record=line,
    )
    _coordinates(row, a)
    _protein(row, a)
    if not a.chrom:
        if not a.protein and not a.consequences:
            raise SkipRow("MAF row without coordinates or protein change", gene)
        a.notes.append("no genomic coordinates in the MAF: read by gene and protein change")
    _read_support(row, a)
    return a


def _read_rows(
    table: Table,
    rows: list[tuple[int, list[str]]],
    cols: dict[str, int | None],
    options: RunOptions,
    panel: Panel | None,
    result: ReadResult,
) -> None:
    name = Path(table.path).name
    genes = None if panel is None or getattr(panel, "is_all", False) else panel.genes
    qc = result.qc
    width = len(table.header)
    contradicted: list[str] = []
    not_somatic = 0
    unknown: list[tuple[Alteration, str]] = []  # symbols no gene has, at positions
    for n, cells in rows:
        qc.records_read += 1
        where = f"{table.path}:{n}"
        try:
            if len(cells) < width:
                raise SkipRow("MAF row has fewer cells than the header", f"{len(cells)} of {width}")
            if extra := table.overlong(cells):
                raise SkipRow(OVERLONG.format(what="MAF"), extra)
            row = _Row(cols, cells)
            if cols["sample"] is not None and not row.get("sample"):
                raise SkipRow("MAF row without Tumor_Sample_Barcode")
            status = row.get("status").lower()
            if reason := _NOT_SOMATIC.get(status):
                not_somatic += status in ("germline", "loh")
                raise SkipRow(reason, row.get("gene"))
            a = _alteration(row, n, name)
            if a.kind == MUTATION and a.pos and a.gene not in _symbols():
                unknown.append((a, where))
            stated = row.get("classification") or row.get("consequence")
            if _agree(a, stated):
                contradicted.append(where)
        except SkipRow as skip:
            if table.truncated(n):
                raise truncation_error(table, n, len(cells), skip.reason) from None
            _skip(qc, skip, where)
            continue
        _keep(a, genes, options, qc, result)
    if contradicted:
        qc.warnings.append(
            f"{name}: {len(contradicted)} row(s) whose Variant_Classification contradicts the "
            f"protein change were read by the protein change (first: {contradicted[0]})"
        )
    if unknown and (note := _unknown_symbols_note(name, unknown, result.genome or options.genome)):
        qc.not_assessable.append(note)
    if not_somatic:
        qc.not_assessable.append(
            f"{name}: {not_somatic} row(s) marked Germline or LOH (Mutation_Status) were not read "
            "as tumour variants (see qc.skipped); a germline finding (BRCA1/2 for PARP inhibitors, "
            "for example) needs the germline call set, which this case does not read"
        )


@cache
def _symbols() -> frozenset[str]:
    """Every gene symbol tumorboard knows: the GRCh38 gene table's and the previous symbols."""
    from tumorboard.panels import gene_aliases, gene_table

    return frozenset(gene_table("GRCh38")) | frozenset(gene_aliases()[0])


def _unknown_symbols_note(
    name: str, unknown: list[tuple[Alteration, str]], build: str | None
) -> str:
    """The ``qc.not_assessable`` line for rows whose ``Hugo_Symbol`` is no gene's but whose
    position lies in a gene (maftools' APL example names FLT3-ITDs ``FLT3_ITD``): their gene's
    rules were not assessed (``""`` when none lies in a gene or the build is unknown)."""
    if build is None:
        return ""
    from tumorboard.panels import genome_genes

    genes = genome_genes(build)
    inside = [(a, where, genes.genes_at(a.chrom, a.pos)) for a, where in unknown]
    inside = [(a, where, found) for a, where, found in inside if found]
    if not inside:
        return ""
    a, where, found = inside[0]
    return (
        f"{name}: {len(inside)} row(s) whose Hugo_Symbol is no gene symbol lie inside a gene "
        f"({a.gene!r} at {a.chrom}:{a.pos} lies in {', '.join(found)}; first: {where}): they were "
        "not read as that gene's variants, so its rules were not assessed; give the HGNC symbol"
    )


def _skip(qc: QCCounter, skip: SkipRow, where: str) -> None:
    qc.skip(skip.reason, f"{where} ({skip.detail})" if skip.detail else where)


def _keep(
    a: Alteration,
    genes: frozenset[str] | None,
    options: RunOptions,
    qc: QCCounter,
    r: ReadResult,
) -> None:
    if genes is not None and a.gene not in genes:
        qc.outside_panel += 1
        return
    if not a.is_passing:
        qc.filtered += 1
        if not options.include_filtered:
            return
    if a.transcript_rule:
        qc.transcript_rules["input"] += 1
    r.alterations.append(a)


def read_maf(path: str, options: RunOptions, panel: Panel | None = None) -> ReadResult:
    """Read a MAF into a :class:`ReadResult` (one patient; panel genes only)."""
    table = read_table(path)
    if table is None:
        raise FormatError("no MAF header line", where=path, hint="a MAF starts with Hugo_Symbol")
    cols = _columns(table)
    kind = "MAF (vcf2maf/VEP)" if cols["consequence"] is not None else "MAF"
    result = ReadResult(kind="maf", path=path, annotation=kind)
    result.genome = _file_build(table, cols["build"], options)
    choice, rows, left_out = restrict(table, cols["sample"], options.sample, "MAF")
    result.sample, result.sample_rule = choice.sample, choice.rule
    if choice.unnamed:
        cols["sample"] = None
    if left_out:
        result.qc.warnings.append(other_samples_note(Path(path).name, left_out, choice))
    _read_rows(table, rows, cols, options, panel, result)
    _check_positions(result, result.genome or options.genome)
    result.qc.warnings.extend(table_notes(table, "variants"))
    return result


def _outside(alterations: list[Alteration], build: str) -> tuple[int, list[Alteration]]:
    """(rows whose gene the build's gene table has, those of them outside the gene's span)."""
    from tumorboard.panels import contig_key, gene_table

    genes = gene_table(build)
    checked, outside = 0, []
    for a in alterations:
        spans = genes.get(a.gene)
        if a.kind != MUTATION or not a.pos or not spans:
            continue
        checked += 1
        key = contig_key(a.chrom)
        if not any(contig_key(c) == key and s < a.pos <= e for c, s, e, _ in spans):
            outside.append(a)
    return checked, outside


def _check_positions(result: ReadResult, build: str | None) -> None:
    """Each row's position against its gene's span in the build (padded 1 kb): a MAF whose rows
    mostly fit the other build was labelled with the wrong one, so it is refused (its positions
    would be looked up in the wrong genome); single rows outside their gene are warned about."""
    if build is None:
        return
    checked, outside = _outside(result.alterations, build)
    if not outside:
        return
    name = Path(result.path).name
    if checked >= 3 and len(outside) * 2 > checked:
        other = "GRCh37" if build == "GRCh38" else "GRCh38"
        fits, wrong = _outside(result.alterations, other)
        if fits >= 3 and len(wrong) * 5 <= fits:
            raise GenomeBuildError(
                f"{len(outside)} of {checked} rows lie outside their gene in {build}, but "
                f"{fits - len(wrong)} of {fits} fit {other}: the positions are {other}'s",
                where=result.path,
                hint=f"correct NCBI_Build (or --genome) to {other}",
            )
    a = outside[0]
    result.qc.warnings.append(
        f"{name}: {len(outside)} of {checked} row(s) lie outside their gene in {build} ({a.gene} "
        f"at {a.chrom}:{a.pos}): a gene symbol or a position in error; check the rows"
    )


__all__ = ["read_maf"]
