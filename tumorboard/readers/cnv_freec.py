"""Control-FREEC's copy-number calls (the CNV caller of nf-core/sarek), as FREEC writes them.

Two files hold FREEC's segment calls; both are read as segments by :mod:`tumorboard.readers.cnv`:

* ``<name>_CNVs`` has **no header line**: chromosome (FREEC strips ``chr``), start, end, copy
  number (an absolute integer), status (``gain``, ``loss``, ``neutral``; ``normal`` before FREEC
  9.6), then, when allele frequencies were computed, genotype (``AAB``; ``-`` unknown) and its
  uncertainty, and, for a whole-genome run with a control, ``somatic``/``germline`` and the
  germline fraction: 5, 7 or 9 columns (:data:`FREEC_COLUMNS`). It is recognised by its first
  line (:func:`is_cnvs_line`) and given those names here (:func:`cnvs_table`).
* ``<name>.p.value.txt`` (FREEC's ``assess_significance.R``; sarek publishes it) is the same
  table with a header (``chr start end copy number status [genotype uncertainty
  [somatic/germline precentageOfGermline]] WilcoxonRankSumTestPvalue KolmogorovSmirnovPvalue``).

What the reader does differently from other segment files, and why:

* **Only altered segments are listed** (a segment at the run's ploidy with a normal genotype is
  not written), so the mean copy number of the segments says nothing of the tumour's ploidy.
  Instead the ploidy FREEC used is read from its own status words (:func:`status_ploidy`): on
  the autosomes a ``gain`` is above it, a ``loss`` below it and a ``neutral`` row (copy-neutral
  LOH) at it. Above 2, amplifications are called at ``--amp-copy-number`` x ploidy / 2, as for
  other absolute segments. When the calls leave a range of ploidies, the largest of them up to
  :data:`USUAL_PLOIDY` is used (no amplification is claimed that a higher ploidy would not
  support) and genes whose copy number is an amplification only under a lower one are listed
  as not assessable; losses that put the ploidy above 4 leave it unknown (a warning says so).
  ``--amp-copy-number``, when given, is used as it stands: the threshold for the run's ploidy
  (3 x ``Output_Ploidy`` of FREEC's ``_info.txt``), which only the user knows for sure.
* **Genotype** gives the minor allele: its count of the rarer letter (``AAB``: 1; ``AA`` or
  ``A``: 0, loss of heterozygosity).
* **Germline rows** (``germline`` in the somatic/germline column) are the control sample's
  copy-number changes, not the tumour's: they are skipped with that reason and counted in
  ``qc.not_assessable`` (a germline deletion is assessed from the germline call set).
* FREEC's **bin-level** files (``_ratio.txt``, ``_BAF.txt``) and the **normal sample's** calls
  (``_normal_CNVs``, written beside the tumour's in a paired whole-genome run) are refused with
  the file to give instead.
"""

from __future__ import annotations

import math
from pathlib import Path

from tumorboard.errors import FormatError
from tumorboard.readers.table import Table
from tumorboard.readers.text import iter_lines_ended, norm_column

FREEC_COLUMNS = (
    "chr", "start", "end", "copy number", "status", "genotype", "uncertainty",
    "somatic/germline", "precentageOfGermline",
)  # fmt: skip
"""The columns of ``_CNVs``, named as ``assess_significance.R`` names them (5, 7 or 9 used)."""
STATUS_WORDS = frozenset({"gain", "loss", "neutral", "normal"})
USUAL_PLOIDY = 4
"""The highest ploidy FREEC chooses unless told otherwise (its default choices are 2, 3 and 4;
nf-core/sarek runs 2): the ceiling when the status words leave the ploidy open."""
_REFUSED = {
    ("ratio", "medianratio"): "Control-FREEC's bin-level ratios (_ratio.txt: one value per window)",
    ("baf", "fitteda"): "Control-FREEC's B-allele frequencies (_BAF.txt: one value per SNP)",
}
FREEC_HINT = (
    "give FREEC's segment calls: the <name>_CNVs file, or the .p.value.txt that "
    "assess_significance.R (nf-core/sarek) writes from it"
)


def is_cnvs_line(line: str) -> bool:
    """Is ``line`` a row of a header-less ``_CNVs`` file (5, 7 or 9 tab-separated cells:
    chromosome, three integers, a status word)?"""
    cells = line.rstrip("\r\n").split("\t")
    if len(cells) not in (5, 7, 9) or cells[4] not in STATUS_WORDS:
        return False
    return all(c.isdigit() for c in cells[1:4])


def is_freec(table: Table) -> bool:
    """Is ``table`` FREEC's segment calls (``.p.value.txt``, or ``_CNVs`` named here)?"""
    return all(table.has(k) for k in ("chr", "start", "end", "copynumber", "status")) and (
        table.has("wilcoxonranksumtestpvalue", "kolmogorovsmirnovpvalue") or table.header_line == 0
    )


def refuse_bins(table: Table) -> None:
    """A :class:`FormatError` for FREEC's bin-level tables (see the module docstring)."""
    for keys, what in _REFUSED.items():
        if all(table.has(k) for k in keys) and table.has("chromosome"):
            raise FormatError(
                f"{what}: bins are not a gene's copy number",
                where=f"{table.path}:{table.header_line}",
                hint=FREEC_HINT,
            )


def cnvs_table(path: str) -> Table:
    """A ``_CNVs`` file as a table with FREEC's column names (``header_line`` 0: no header)."""
    if Path(path).name.endswith("_normal_CNVs"):
        raise FormatError(
            "Control-FREEC's copy-number calls of the normal (control) sample, not the tumour's",
            where=path,
            hint="give the tumour's file (the same name without _normal), or its .p.value.txt",
        )
    rows: list[tuple[int, list[str]]] = []
    complete = True
    for n, line, ended in iter_lines_ended(path):
        if line.strip():
            rows.append((n, line.rstrip("\r").split("\t")))
            complete = ended
    width = max((len(cells) for _, cells in rows), default=5)
    header = list(FREEC_COLUMNS[: min(max(width, 5), len(FREEC_COLUMNS))])
    return Table(path, header, [norm_column(c) for c in header], 0, rows, complete)


def minor_copies(genotype: str) -> float | None:
    """The minor allele's copies in a FREEC genotype (``AAB``: 1; ``AA``: 0); ``None`` when
    FREEC gives none (``-``, empty)."""
    text = genotype.strip().upper()
    if not text or set(text) - {"A", "B"}:
        return None
    return float(min(text.count("A"), text.count("B")))


def is_germline(table: Table, cells: list[str]) -> bool:
    """Does the row carry FREEC's ``germline`` mark (paired whole-genome runs)?"""
    i = table.col("somaticgermline")
    return i is not None and i < len(cells) and cells[i].strip().lower() == "germline"


Bounds = tuple[int, int | None, int | None]
"""(lowest, highest, exact) ploidy the status words allow (``None``: no bound / not exact)."""


def status_ploidy(table: Table, rows: list[tuple[int, list[str]]]) -> Bounds | str:
    """The ploidies FREEC's autosomal status words allow, or why they cannot be read (words
    that contradict each other)."""
    from tumorboard.panels import contig_key  # not at import: the format sniffer imports this

    chrom, cn, status = table.col("chr"), table.col("copynumber"), table.col("status")
    if chrom is None or cn is None or status is None:
        return "no chromosome, copy number or status column"
    low, high, exact = 1, None, None
    for _, cells in rows:
        key = contig_key(cells[chrom].strip())
        try:
            copies = float(cells[cn])
        except ValueError:
            continue
        if not key.isdigit() or int(key) > 22 or not math.isfinite(copies) or copies < 0:
            continue
        word = cells[status].strip().lower()
        if word == "gain":
            high = math.ceil(copies) - 1 if high is None else min(high, math.ceil(copies) - 1)
        elif word == "loss":
            low = max(low, math.floor(copies) + 1)
        elif word in ("neutral", "normal") and copies == int(copies):
            if exact is not None and exact != copies:
                return f"neutral rows at copy numbers {exact} and {int(copies)}"
            exact = int(copies)
    if exact is not None and (exact < low or (high is not None and exact > high)):
        return f"neutral rows at copy number {exact} beside gains/losses that exclude it"
    if high is not None and high < low:
        return f"a gain at copy number {high + 1} and a loss at {low - 1}"
    return low, high, exact


__all__ = [
    "FREEC_COLUMNS",
    "FREEC_HINT",
    "USUAL_PLOIDY",
    "cnvs_table",
    "is_cnvs_line",
    "is_freec",
    "is_germline",
    "minor_copies",
    "refuse_bins",
    "status_ploidy",
]
