"""Copy-number input: gene-level tables, cBioPortal matrices and segments.

How numbers, words and discrete values become calls is in :mod:`tumorboard.readers.cnv_calls`
(amplification and deep deletion only from high-level calls; gains and one-copy losses counted).

* **Gene tables** (``--cnv`` or positional): a gene column and a copy number, fold change, log2
  ratio (``log2``, ``seg.mean``, ``segment_mean``: copy number ``2 x 2^log2``, purity not used)
  or call column (``call``, ``Copy_Number_Alteration``, ``Value`` ...). With a sample column
  (cBioPortal long format ``Hugo_Symbol, Sample_Id, Value``; OncoKB annotator
  ``Tumor_Sample_Barcode, Hugo_Symbol, Copy_Number_Alteration``) only this patient's rows are
  read. A second row for a gene already called the same way is counted as a duplicate.
* **cBioPortal / GISTIC matrices** (:func:`read_cna_matrix`): ``Hugo_Symbol`` (or GISTIC's
  ``Gene Symbol``), optional ``Entrez_Gene_Id``/``Locus ID``/``Cytoband``, then one column per
  sample holding -2..2; only this patient's column is read. A matrix of continuous values
  (log2) is refused.
* **Segments**: chromosome, start, end and a copy number (``CN``; ``nMajor + nMinor``; PURPLE
  ``copyNumber``; Sequenza ``CNt``; FACETS ``tcn.em`` before ``tcn``; CNVkit ``cn``; or a log2
  ratio) mapped to genes through the panel's genes, or with ``--panel all`` through the bundled
  gene table of the build (``panels/genes_<build>.bed``); a sample column (IGV/cBioPortal
  ``.seg`` ``ID``) restricts the file to this patient. Segment files record one-copy loss of the
  minor allele (``nMinor``, ``minor_cn``, PURPLE ``minorAlleleCopyNumber``, Sequenza ``B``,
  FACETS ``lcn.em``/``lcn``, or the smaller of CNVkit's ``cn1``/``cn2``, below 0.5: an integer
  0, or a fitted value that rounds to 0, as PURPLE writes them) as LOH per gene, for bi-allelic
  marking (:func:`tumorboard.biomarkers.mark_biallelic`). The chromosome is 1-22, X, Y or MT
  (with or without ``chr``; ``23``/``24`` are X/Y, as GISTIC and DNAcopy number them); a segment
  on any other contig is skipped with that reason.
* **CNVkit** tables have a ``gene`` column beside their coordinates. Its segments (``.cns``,
  ``.call.cns``: a ``probes`` or ``cn`` column) are read as segments, the ``gene`` cell (the
  genes of all bins a segment covers) left aside. Its bin-level ratios (``.cnr``, ``.cnn``:
  ``log2`` with ``depth``/``weight`` and neither ``probes`` nor ``cn``) are refused: one bin is
  not a gene's copy number (single noisy bins gave amplifications and deletions of one gene).
* **PURPLE's gene file** (``purple.cnv.gene.tsv``) is a gene table: ``minCopyNumber`` is the
  gene's copy number (the whole gene is at least that), as PURPLE calls amplifications and
  deletions from it.
* **VCF records** ``<DUP>``/``<DEL>``/``<CNV>``: :mod:`tumorboard.readers.sv_vcf`.

A NaN, infinite or negative copy number, fold change or coordinate skips its row with the
reason; text in a numeric column is an error naming the line. A row with fewer cells than the
header is skipped (its last value may be cut); a last line cut short is an error; a last line
without a final newline that parses is read with a QC warning, as is a header without rows.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tumorboard.alterations import Alteration
from tumorboard.errors import FormatError, GenomeBuildError, RecordError
from tumorboard.models import RunOptions
from tumorboard.readers import cnv_freec as freec
from tumorboard.readers.base import QCCounter, ReadResult
from tumorboard.readers.cnv_calls import FITTED_ZERO, classify_copy_number, fitted, trusted_call
from tumorboard.readers.cnv_columns import (
    CALL_COLUMNS,
    CHROM_COLUMNS,
    CN_COLUMNS,
    END_COLUMNS,
    FC_COLUMNS,
    GENE_COLUMNS,
    LOG2_COLUMNS,
    MAJOR_COLUMNS,
    MATRIX_META_COLUMNS,
    MINOR_COLUMNS,
    SEGMENT_CN_COLUMNS,
    START_COLUMNS,
)
from tumorboard.readers.table import (
    MAX_POSITION,
    NA_VALUES,
    SAMPLE_COLUMNS,
    Table,
    excerpt,
    other_samples_note,
    read_table,
    restrict,
    sample_of,
    table_notes,
    truncation_error,
)

if TYPE_CHECKING:
    from tumorboard.panels import Panel

_SEGMENT_SAMPLE_COLUMNS = (*SAMPLE_COLUMNS, "id")
GENE_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9.@_-]*")
"""A gene symbol as tables write it (``ERBB2``, ``NKX2-1``, ``C17orf64``); not ``CAPN3 8+``."""
_LOG2_NOTE = "copy number estimated as 2 x 2^log2 ratio (purity and ploidy not used)"


def _float(value: str, column: str, where: str) -> float | None:
    """A number (NaN and infinity kept, for the caller to flag); ``None`` when empty/NA."""
    text = value.strip()
    if text.lower() in NA_VALUES:
        return None
    try:
        return float(text)
    except ValueError:
        raise RecordError(
            f"column {column!r} should be a number, found {excerpt(text)}",
            where=where,
            hint="repair the value, or write NA when it is unknown",
        ) from None


def _rows(
    table: Table, what: str, qc: QCCounter, rows: list[tuple[int, list[str]]] | None = None
) -> list[tuple[int, list[str]]]:
    """The ``rows`` (default: all) that fit the header. A row with fewer cells is skipped with
    its reason (a cut row: its last value may be cut too); a last line cut short is an error."""
    width = len(table.header)
    out = []
    for n, cells in table.rows if rows is None else rows:
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            raise RecordError(
                f"row has {len(cells)} values but the header has {width} columns",
                where=f"{table.path}:{n}",
                hint=f"every row of a {what} must fit the header line",
            )
        if len(cells) < width:
            if table.truncated(n):
                raise truncation_error(table, n, len(cells))
            qc.records_read += 1
            qc.skip(f"{what} row has fewer cells than the header",
                    f"{table.path}:{n} ({len(cells)} of {width})")  # fmt: skip
            continue
        out.append((n, cells))
    return out


def _sample_rows(
    table: Table, column: int | None, options: RunOptions, result: ReadResult, what: str
) -> tuple[list[tuple[int, list[str]]], int | None]:
    """This patient's rows, and the sample column to check on each (``None`` when no row names a
    sample: the file is one unnamed sample)."""
    choice, kept, left_out = restrict(table, column, options.sample, what)
    result.sample, result.sample_rule = choice.sample, choice.rule
    if left_out:
        result.qc.warnings.append(other_samples_note(Path(table.path).name, left_out, choice))
    return kept, (None if choice.unnamed else column)


# --- gene-level tables ---------------------------------------------------------------------------
def _gene_row(
    table: Table, cols: dict[str, int | None], cells: list[str], where: str
) -> dict[str, Any]:
    def get(name: str) -> str:
        i = cols[name]
        return cells[i] if i is not None else ""

    cn = _float(get("cn"), table.keys[cols["cn"]], where) if cols["cn"] is not None else None
    fc = _float(get("fc"), table.keys[cols["fc"]], where) if cols["fc"] is not None else None
    if cn is None and cols["log2"] is not None:
        log2 = _float(get("log2"), table.keys[cols["log2"]], where)
        cn = log2 if log2 is None or not math.isfinite(log2) else 2 * 2**log2
    call = get("call").strip()
    if cn is not None and cols["cn"] is None and math.isfinite(cn):
        cn = round(cn, 2)
    return {"copy_number": cn, "fold_change": fc, "call": "" if call.lower() in NA_VALUES else call}


def _read_gene_table(table: Table, options: RunOptions, result: ReadResult) -> None:
    cols = {
        "gene": table.col(*GENE_COLUMNS), "cn": table.col(*CN_COLUMNS),
        "fc": table.col(*FC_COLUMNS), "log2": table.col(*LOG2_COLUMNS),
        "call": table.col(*CALL_COLUMNS), "sample": table.col(*SAMPLE_COLUMNS),
    }  # fmt: skip
    assert cols["gene"] is not None
    rows, cols["sample"] = _sample_rows(table, cols["sample"], options, result, "copy-number file")
    name = Path(table.path).name
    seen: dict[tuple[str, str], int] = {}
    for n, cells in _rows(table, "copy-number table", result.qc, rows):
        where = f"{table.path}:{n}"
        result.qc.records_read += 1
        gene = cells[cols["gene"]].strip()
        if not gene or gene.lower() in NA_VALUES:
            result.qc.skip("CNV row without a gene", where)
            continue
        if not GENE_SYMBOL.fullmatch(gene):
            result.qc.skip("CNV gene cell is not one gene symbol", f"{where} ({excerpt(gene)})")
            continue
        if cols["sample"] is not None and not sample_of(table, cells, cols["sample"]):
            result.qc.skip("CNV row without a sample id", where)
            continue
        values = _gene_row(table, cols, cells, where)
        a = classify_copy_number(gene, options, qc=result.qc, where=where, **values)
        if a is None:
            continue
        if _duplicate(a, n, where, seen, result):
            continue
        if cols["log2"] is not None and cols["cn"] is None and values["copy_number"] is not None:
            a.notes.append(_LOG2_NOTE)
        a.source, a.record = name, n
        result.alterations.append(a)


def _duplicate(
    a: Alteration, line: int, where: str, seen: dict[tuple[str, str], int], result: ReadResult
) -> bool:
    """Count a second call of the same gene and kind (first line kept) as a duplicate."""
    first = seen.setdefault((a.gene, a.kind), line)
    if first != line:
        result.qc.skip("duplicate copy-number call", f"{a.label} ({where}; first at line {first})")
    return first != line


# --- cBioPortal / GISTIC discrete matrix ---------------------------------------------------------
def read_cna_matrix(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """Read this patient's column of a cBioPortal/GISTIC discrete copy-number matrix."""
    from tumorboard.readers.table import choose_sample

    table = _table(path)
    result = ReadResult(kind="cnv", path=path, annotation="copy number (discrete matrix)")
    gene_col = table.col(*GENE_COLUMNS)
    samples = {
        h: i for i, (h, k) in enumerate(zip(table.header, table.keys, strict=True))
        if i != gene_col and k not in MATRIX_META_COLUMNS and h
    }  # fmt: skip
    if gene_col is None or not samples:
        raise FormatError(
            "a copy-number matrix needs a Hugo_Symbol column and one column per sample",
            where=f"{path}:{table.header_line}",
            hint="the header is Hugo_Symbol [Entrez_Gene_Id] SAMPLE_1 SAMPLE_2 ...",
        )
    choice = choose_sample(samples, options.sample, path, "copy-number matrix")
    result.sample, result.sample_rule = choice.sample, choice.rule
    column = samples[choice.sample]
    _read_matrix_column(table, gene_col, column, options, result)
    result.qc.warnings.extend(table_notes(table, "copy-number calls"))
    return result


def _read_matrix_column(
    table: Table, gene_col: int, column: int, options: RunOptions, result: ReadResult
) -> None:
    name, qc = Path(table.path).name, result.qc
    values = continuous = 0
    first: tuple[int, str] | None = None
    seen: dict[tuple[str, str], int] = {}
    for n, cells in _rows(table, "copy-number matrix", qc):
        where = f"{table.path}:{n}"
        qc.records_read += 1
        gene, value = cells[gene_col].strip(), cells[column].strip()
        if not gene or gene.lower() in NA_VALUES:
            qc.skip("CNA matrix row without Hugo_Symbol (Entrez_Gene_Id only)", where)
            continue
        if not GENE_SYMBOL.fullmatch(gene):
            qc.skip("CNV gene cell is not one gene symbol", f"{where} ({excerpt(gene)})")
            continue
        if value.lower() in NA_VALUES:
            qc.skip("copy-number value missing (NA: not profiled)", f"{gene} ({where})")
            continue
        values += 1
        if _is_continuous(value):
            continuous += 1
            first = first or (n, value)
        a = trusted_call(gene, value, qc, where)
        if a is not None and not _duplicate(a, n, where, seen, result):
            a.source, a.record = name, n
            result.alterations.append(a)
    if first is not None and continuous == values:
        raise FormatError(
            f"the matrix holds continuous values ({excerpt(first[1])} at line {first[0]}), "
            "not discrete -2..2 calls",
            where=table.path,
            hint="give the discrete (GISTIC thresholded) file, or a table of copy numbers",
        )


def _is_continuous(value: str) -> bool:
    try:
        number = float(value)
    except ValueError:
        return False
    return number not in (-2.0, -1.5, -1.0, 0.0, 1.0, 2.0)


# --- segments ------------------------------------------------------------------------------------
Segment = tuple[str, int, int, float, bool, int]
"""(contig key, start, end, total copy number, minor allele lost, line)."""


def _segment_cn(row: list[str], table: Table, where: str) -> tuple[float | None, bool, str]:
    """(total copy number, minor allele lost, problem) of one segment row."""

    def value(*names: str) -> float | None:
        i = table.col(*names)
        return None if i is None else _float(row[i], table.keys[i], where)

    minor = value(*MINOR_COLUMNS)
    if minor is None and _sequenza(table):
        minor = value("b")  # Sequenza: CNt = A + B, B the minor allele
    if minor is None and table.has("cn1") and table.has("cn2"):  # CNVkit call, with BAF
        one, two = value("cn1"), value("cn2")
        minor = None if one is None or two is None else min(one, two)
    genotype = table.col("genotype")
    if minor is None and genotype is not None and table.has("status"):  # Control-FREEC
        minor = freec.minor_copies(row[genotype]) if genotype < len(row) else None
    lost = minor is not None and minor < 0.5  # no copy left (fitted values: rounds to 0)
    total = value(*SEGMENT_CN_COLUMNS)
    if total is None and table.has(*MAJOR_COLUMNS):
        major = value(*MAJOR_COLUMNS)
        problem = _problem(major, "major copy number") or _problem(minor, "minor copy number")
        major, minor = fitted(major), fitted(minor)
        total = None if major is None or minor is None else major + minor
        return total, lost, problem
    if total is not None:
        return fitted(total), lost, _problem(total, "copy number")
    log2 = value(*LOG2_COLUMNS)
    if log2 is None or not math.isfinite(log2):
        return None, lost, "segment log2 ratio is NaN or infinite" if log2 is not None else ""
    return round(2 * 2**log2, 2), lost, ""


def _sequenza(table: Table) -> bool:
    return table.has("cnt") and table.has("a") and table.has("b")


def _problem(value: float | None, name: str) -> str:
    if value is None:
        return ""
    if math.isnan(value) or math.isinf(value):
        return f"segment {name} is {'NaN' if math.isnan(value) else 'infinite'}"
    return f"segment {name} is negative" if value < FITTED_ZERO else ""


def _segments(table: Table, rows: list[tuple[int, list[str]]], result: ReadResult) -> list[Segment]:
    chrom, start, end = (
        table.col(*CHROM_COLUMNS),
        table.col(*START_COLUMNS),
        table.col(*END_COLUMNS),
    )
    if chrom is None or start is None or end is None:
        raise FormatError(
            "segment file needs chromosome, start and end columns",
            where=table.path,
            hint="name the columns Chromosome, Start, End",
        )
    out: list[Segment] = []
    for n, row in rows:
        where = f"{table.path}:{n}"
        result.qc.records_read += 1
        first = _float(row[start], table.keys[start], where)
        last = _float(row[end], table.keys[end], where)
        cn, lost, problem = _segment_cn(row, table, where)
        if not problem and (first is None or last is None or cn is None):
            problem = "segment without coordinates or copy number"
        if problem or first is None or last is None or cn is None:
            result.qc.skip(problem, where)
            continue
        if not (math.isfinite(last) and 0 <= first <= last <= MAX_POSITION):
            result.qc.skip("segment start/end are not a valid interval", where)
            continue
        contig = _segment_contig(row[chrom])
        if contig is None:
            result.qc.skip(BAD_CHROMOSOME, f"{where} ({excerpt(row[chrom].strip(), 20)})")
            continue
        out.append((contig, int(first), int(last), cn, lost, n))
    return out


BAD_CHROMOSOME = "segment chromosome is not 1-22, X, Y or MT"
_CHROMOSOMES = frozenset({*(str(i) for i in range(1, 23)), "X", "Y", "MT"})
_NUMBERED_SEX = {"23": "X", "24": "Y"}
"""Segment files with numeric chromosomes (GISTIC, DNAcopy) write X as 23 and Y as 24."""


def _segment_contig(chrom: str) -> str | None:
    """The contig key of a segment's chromosome (23/24 read as X/Y); ``None`` when it is none
    of the primary chromosomes (an unplaced or alternative contig, or not a name at all)."""
    key = _contig(chrom)
    key = _NUMBERED_SEX.get(key, key)
    return key if key in _CHROMOSOMES else None


def _read_segments(
    table: Table, rows: list[tuple[int, list[str]]], options: RunOptions, panel: Panel | None,
    result: ReadResult, is_freec: bool = False,
) -> None:  # fmt: skip
    if panel is None or getattr(panel, "genome", None) is None:
        raise FormatError(
            "a segment file needs a panel with coordinates to map segments to genes",
            where=table.path,
            hint="pass --genome GRCh37 or GRCh38 (and --panel), or give a gene-level CNV table",
        )
    from tumorboard.panels import gene_table

    band: tuple[float, float] | None = None
    if is_freec:
        rows = _freec_somatic(table, rows, result)
        options, band = _freec_scaled(table, rows, options, result)
    segments = _segments(table, rows, result)
    log2_only = not table.has(*SEGMENT_CN_COLUMNS, *MAJOR_COLUMNS)
    scaled = (
        None if log2_only or is_freec else _ploidy_scaled(segments, options, table.path, result)
    )
    if scaled is not None:
        options = scaled
    index = _SegmentIndex(segments)
    genes_table = gene_table(panel.genome)
    genes = sorted(genes_table) if getattr(panel, "is_all", False) else sorted(panel.listed_genes)
    used: set[int] = set()  # lines of segments overlapping a gene read here
    unsure: list[str] = []  # amplified only under a lower ploidy than the one used (FREEC)
    for gene in genes:
        hits = [s for span in genes_table.get(gene, []) for s in index.overlapping(*span[:3])]
        if hits:
            used.update(s[5] for s in hits)
            a = _call_gene(gene, genes_table[gene], hits, options, result, table.path)
            if a is not None and log2_only:
                a.notes.append(_LOG2_NOTE)
            if band is not None:
                low = min(s[3] for s in hits)
                if band[0] <= low < band[1]:
                    unsure.append(f"{gene} ({low:g})")
    result.qc.outside_panel += sum(1 for s in segments if s[5] not in used)
    if unsure and band is not None:
        result.qc.not_assessable.append(
            f"{Path(table.path).name}: {', '.join(unsure)}: an amplification if Control-FREEC's "
            f"ploidy was lower than the largest its calls allow (amplification then at copy "
            f"number >= {band[0]:g}, here {band[1]:g}); give 3 x the run's ploidy (its "
            "_info.txt, Output_Ploidy) as --amp-copy-number"
        )


PLOIDY_SCALED_ABOVE = 2.5
"""Mean autosomal copy number above which absolute segment copy numbers are read against the
tumour's ploidy (whole-genome doubled tumours average 3-5 copies)."""
_MIN_AUTOSOMAL_BP = 1_400_000_000
"""Segments must span about half the autosomes (2.9 Gb) for their mean to estimate ploidy."""


def _ploidy_scaled(
    segments: list[Segment], options: RunOptions, path: str, result: ReadResult
) -> RunOptions | None:
    """Options whose amplification threshold follows the tumour's ploidy, or ``None``.

    A threshold of 6 copies means "about three times a diploid genome". In a tumour whose
    segments average 4.6 copies (whole-genome doubling), 6 copies is a modest arm-level gain
    (ASCAT's example A32 calls ERBB2 at 3+3 copies on a 14-Mb segment), so the threshold becomes
    ``amp_copy_number x ploidy / 2`` (13.8 there), the rule of the Hartwig driver catalogue
    (amplification = copy number above 3 x sample ploidy). Ploidy is the length-weighted mean
    copy number of the autosomal segments, estimated only when they span at least half the
    autosomes; deep deletions stay absolute.
    """
    length = weighted = 0.0
    for contig, start, end, cn, _, _ in segments:
        if contig.isdigit():
            length += end - start
            weighted += (end - start) * cn
    if length < _MIN_AUTOSOMAL_BP:
        return None
    ploidy = weighted / length
    if ploidy <= PLOIDY_SCALED_ABOVE:
        return None
    threshold = round(options.amp_copy_number * ploidy / 2, 1)
    result.qc.warnings.append(
        f"{Path(path).name}: tumour ploidy about {ploidy:.1f} (length-weighted mean copy number "
        f"of the autosomal segments): amplification called at copy number >= {threshold:g} "
        f"({options.amp_copy_number:g} x ploidy / 2), not {options.amp_copy_number:g}"
    )
    return options.model_copy(update={"amp_copy_number": threshold})


def _freec_somatic(
    table: Table, rows: list[tuple[int, list[str]]], result: ReadResult
) -> list[tuple[int, list[str]]]:
    """FREEC's rows without those it marks germline (skipped with the reason, and noted)."""
    kept = []
    for n, cells in rows:
        if not freec.is_germline(table, cells):
            kept.append((n, cells))
            continue
        result.qc.records_read += 1
        result.qc.skip(
            "Control-FREEC germline copy-number change (present in the control sample)",
            f"{table.path}:{n}",
        )
    germline = len(rows) - len(kept)
    if germline:
        result.qc.not_assessable.append(
            f"{Path(table.path).name}: {germline} copy-number change(s) Control-FREEC marks "
            "germline were not read as the tumour's: a germline deletion or amplification is "
            "assessed from the germline call set"
        )
    return kept


def _freec_scaled(
    table: Table, rows: list[tuple[int, list[str]]], options: RunOptions, result: ReadResult
) -> tuple[RunOptions, tuple[float, float] | None]:
    """Options whose amplification threshold follows the ploidy FREEC used (read from its status
    words: see :mod:`tumorboard.readers.cnv_freec`), and the band of copy numbers that are an
    amplification only under a lower ploidy its calls allow (``None``: the ploidy is known)."""
    name, amp = Path(table.path).name, options.amp_copy_number
    if "amp_copy_number" in options.model_fields_set:  # the user's threshold, for the run's ploidy
        result.qc.warnings.append(
            f"{name}: amplification called at copy number >= {amp:g} as --amp-copy-number gives "
            "it (Control-FREEC's ploidy not applied)"
        )
        return options, None
    found = freec.status_ploidy(table, rows)
    if isinstance(found, str):
        result.qc.warnings.append(
            f"{name}: Control-FREEC's status words contradict each other ({found}): its ploidy "
            f"is not known; copy numbers read as absolute (amplification at >= {amp:g})"
        )
        return options, None
    low, high, exact = found
    if exact is None and high is None:  # no gain: no copy number is above the ploidy
        return options, None
    if exact is None and low > freec.USUAL_PLOIDY:
        result.qc.warnings.append(
            f"{name}: Control-FREEC's losses put the run's ploidy above {low - 1}: copy numbers "
            f"read as absolute (amplification at >= {amp:g}); give the run's ploidy (its "
            "_info.txt, Output_Ploidy) times 3 as --amp-copy-number"
        )
        return options, None
    ploidy = exact if exact is not None else min(high or low, freec.USUAL_PLOIDY)
    threshold = amp * ploidy / 2 if ploidy > 2 else amp
    band = None
    if exact is None and low < ploidy:
        lowest = amp * max(low, 2) / 2
        band = (lowest, threshold) if lowest < threshold else None
    if ploidy > 2 or band is not None:
        allowed = f"{ploidy}" if exact is not None or low == ploidy else f"{low}-{ploidy}"
        result.qc.warnings.append(
            f"{name}: Control-FREEC's gain/loss calls put the run's ploidy at {allowed}: "
            f"amplification called at copy number >= {threshold:g}"
            + (f" ({amp:g} x ploidy {ploidy} / 2)" if ploidy > 2 else "")
        )
    if threshold == amp:
        return options, band
    return options.model_copy(update={"amp_copy_number": threshold}), band


class _SegmentIndex:
    """Segments per contig, sorted by start, with the running maximum of their ends."""

    def __init__(self, segments: list[Segment]) -> None:
        self.by_contig: dict[str, tuple[list[int], list[int], list[Segment]]] = {}
        grouped: dict[str, list[Segment]] = {}
        for s in segments:
            grouped.setdefault(s[0], []).append(s)
        for contig, items in grouped.items():
            items.sort(key=lambda s: s[1])
            ends = list(accumulate((s[2] for s in items), max))
            self.by_contig[contig] = ([s[1] for s in items], ends, items)

    def overlapping(self, chrom: str, start: int, end: int) -> list[Segment]:
        """Segments overlapping the 0-based half-open span ``start``-``end``."""
        starts, max_ends, items = self.by_contig.get(_contig(chrom), ([], [], []))
        out = []
        j = bisect_right(starts, end) - 1
        while j >= 0 and max_ends[j] > start:
            if items[j][2] > start:
                out.append(items[j])
            j -= 1
        return out[::-1]


def _contig(chrom: str) -> str:
    from tumorboard.panels import contig_key

    return contig_key(chrom.strip())


def _call_gene(
    gene: str,
    spans: list[tuple[str, int, int, str]],
    hits: list[Segment],
    options: RunOptions,
    result: ReadResult,
    path: str,
) -> Alteration | None:
    if any(s[4] for s in hits):
        lines = ", ".join(str(s[5]) for s in hits if s[4])
        result.loh[gene] = f"LOH (minor allele copy number < 0.5) in {Path(path).name} line {lines}"
    low, high = min(s[3] for s in hits), max(s[3] for s in hits)
    where = f"{path}:{hits[0][5]}"
    if low < options.amp_copy_number and low >= options.deep_deletion_copy_number:
        return None
    a = classify_copy_number(gene, options, copy_number=low, qc=result.qc, where=where)
    if a is None:
        return None
    if low < options.deep_deletion_copy_number and high >= options.deep_deletion_copy_number:
        a.notes.append("deep deletion of part of the gene (segment boundary inside it)")
    a.source, a.record = Path(path).name, hits[0][5]
    a.chrom, a.pos = spans[0][0], hits[0][1]
    result.alterations.append(a)
    return a


def _table(path: str) -> Table:
    table = read_table(path)
    if table is None:
        raise FormatError(
            "no header line", where=path, hint="a copy-number table starts with a header line"
        )
    return table


def _not_calls(table: Table, what: str, hint: str) -> FormatError:
    """The error for a tool's intermediate table that is not its copy-number calls, naming the
    file to give instead."""
    return FormatError(what, where=f"{table.path}:{table.header_line}", hint=hint)


def _layout(table: Table) -> str:
    """``genes`` (one row per gene), ``segments`` or ``cnvkit`` (CNVkit segments); CNVkit's
    bin-level ratios and tables without a usable value column are errors."""
    freec.refuse_bins(table)
    if freec.is_freec(table):
        return "freec"
    if table.has("fittedtumorcopynumber") and table.has("germlinestatus"):
        raise _not_calls(
            table,
            "PURPLE's purple.segment.tsv: the segmentation PURPLE fits its copy numbers on, not "
            "its copy-number calls (its small unfitted segments read as 0 copies)",
            "give PURPLE's purple.cnv.somatic.tsv (segments) or purple.cnv.gene.tsv (genes)",
        )
    coordinates = (
        table.has(*CHROM_COLUMNS) and table.has(*START_COLUMNS) and table.has(*END_COLUMNS)
    )
    if coordinates and table.has("gene") and table.has("log2"):
        if table.has("probes") or table.has("cn"):
            return "cnvkit"
        if table.has("depth") or table.has("weight"):
            raise _not_calls(
                table,
                "CNVkit bin-level log2 ratios (.cnr/.cnn: one value per bin, no segments): "
                "a single bin is not a gene's copy number",
                "give CNVkit's segments: the .cns file, or the .call.cns of `cnvkit.py call` "
                "(absolute copy numbers)",
            )
    if table.has(*GENE_COLUMNS):
        return "genes"
    if not coordinates:
        return "segments"  # _segments names the missing columns
    if not table.has(*SEGMENT_CN_COLUMNS, *MAJOR_COLUMNS, *LOG2_COLUMNS):
        raise FormatError(
            "segment file has no copy-number column",
            where=f"{table.path}:{table.header_line}",
            hint="name it copy_number (absolute), seg.mean or log2 (ratio), or nMajor + nMinor; "
            "PURPLE copyNumber, Sequenza CNt, FACETS tcn.em and CNVkit cn are read as they are",
        )
    return "segments"


def _stated_build(table: Table, options: RunOptions, panel: Panel) -> Panel:
    """The panel of the build a segment file's SAM-style header states (GATK's ``@SQ`` lines):
    the case's own when they agree or the file states none; the file's when the case has no
    build yet. A file of the other build than the case's is an error: its segments would be
    laid on the wrong genes."""
    if not table.sam_header:
        return panel
    from tumorboard.readers.vcf_build import build_from_sam

    try:
        build, how = build_from_sam(table.sam_header)
    except GenomeBuildError as exc:
        raise GenomeBuildError(exc.message, where=table.path, hint=exc.hint) from None
    if build is None:
        return panel
    case_build = getattr(panel, "genome", None)
    if case_build is not None and case_build != build:
        raise GenomeBuildError(
            f"the segment file's {how} are {build}, but this case is {case_build}: its segments "
            "would be laid on the wrong genes",
            where=table.path,
            hint=f"give the segment file called on {case_build}, or run the case as {build} "
            f"(--genome {build})",
        )
    if case_build is None:
        from tumorboard.panels import load_panel

        return load_panel(options.panel, build)
    return panel


def read_cnv_table(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """Read a gene-level copy-number table or a segment file (mapped to genes)."""
    return _read_table_layout(_table(path), options, panel)


def read_freec_cnvs(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """Read Control-FREEC's header-less ``_CNVs`` file (:mod:`tumorboard.readers.cnv_freec`)."""
    return _read_table_layout(freec.cnvs_table(path), options, panel)


def _read_table_layout(table: Table, options: RunOptions, panel: Panel) -> ReadResult:
    result = ReadResult(kind="cnv", path=table.path, annotation="copy number")
    layout = _layout(table)
    if layout == "genes":
        _read_gene_table(table, options, result)
    else:
        if layout == "cnvkit":
            result.annotation = "copy number (CNVkit segments)"
        elif layout == "freec":
            result.annotation = "copy number (Control-FREEC segments)"
        sample = table.col(*_SEGMENT_SAMPLE_COLUMNS)
        rows, _ = _sample_rows(table, sample, options, result, "segment file")
        rows = _rows(table, "segment file", result.qc, rows)
        panel = _stated_build(table, options, panel)
        _read_segments(table, rows, options, panel, result, is_freec=layout == "freec")
        result.genome = panel.genome
    result.qc.warnings.extend(table_notes(table, "copy-number calls"))
    return result


__all__ = ["classify_copy_number", "read_cna_matrix", "read_cnv_table", "read_freec_cnvs"]
