"""Readers: one function per input kind, chosen from one table.

A reader is ``(source, options, panel) -> ReadResult`` (:class:`Reader`). :func:`read` sniffs
the input's kind (:func:`tumorboard.readers.detect.detect_format`), looks the reader up in
:data:`READERS` by the input's *role* (a positional input, a ``--cnv`` file or a ``--fusions``
file) and kind, and calls it. Reader modules are imported on first use, so reading a VCF never
imports the TSO500 or CNV code. ``detect`` only sniffs; text helpers live in
:mod:`tumorboard.readers.text`; no reader imports this module back.

=========  ======================================================  =============================
role       kinds                                                   reader
=========  ======================================================  =============================
input      ``vcf``, ``bcf``                                        ``vcf.read_vcf``
input      ``tso500``                                              ``tso500.read_tso500``
input      ``maf``                                                 ``maf.read_maf``
input/cnv  ``cnv`` (gene table, long format, segments)               ``cnv.read_cnv_table``
input/cnv  ``cna_matrix`` (cBioPortal/GISTIC discrete matrix)       ``cnv.read_cna_matrix``
input/cnv  ``cnv_vcf`` (and, for ``--cnv``, any VCF)               ``sv_vcf.read_cnv_vcf``
input/fus  ``fusions`` (PCGR, STAR-Fusion, Arriba, SV, OncoKB)     ``fusions.read_fusion_table``
input/fus  ``sv_vcf`` (and, for ``--fusions``, any VCF)            ``sv_vcf.read_breakend_vcf``
input      ``biomarkers`` (PURPLE purity, CHORD, MSIsensor,         ``genome_wide.read_genome_wide``
           scarHRD, MANTIS)
input      ``dragen_msi``, ``dragen_tmb``, ``dragen_hrd`` (DRAGEN)  ``genome_wide.read_dragen_*``
input      ``purple_qc`` (PURPLE's ``.purple.qc``)                 ``genome_wide.read_purple_qc``
=========  ======================================================  =============================
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Literal, Protocol

from tumorboard.errors import FormatError

if TYPE_CHECKING:
    from tumorboard.models import RunOptions
    from tumorboard.panels import Panel
    from tumorboard.readers.base import ReadResult

Role = Literal["input", "cnv", "fusions"]


class Reader(Protocol):
    """Read one input file of one kind for one patient."""

    def __call__(self, source: str, options: RunOptions, panel: Panel) -> ReadResult: ...


_VCF = "tumorboard.readers.vcf:read_vcf"
_CNV_TABLE = "tumorboard.readers.cnv:read_cnv_table"
_CNV_VCF = "tumorboard.readers.sv_vcf:read_cnv_vcf"
_CNA_MATRIX = "tumorboard.readers.cnv:read_cna_matrix"
_FREEC_CNVS = "tumorboard.readers.cnv:read_freec_cnvs"
_FUSION_TABLE = "tumorboard.readers.fusions:read_fusion_table"
_BND_VCF = "tumorboard.readers.sv_vcf:read_breakend_vcf"

READERS: dict[tuple[Role, str], str] = {
    ("input", "vcf"): _VCF,
    ("input", "bcf"): _VCF,
    ("input", "tso500"): "tumorboard.readers.tso500:read_tso500",
    ("input", "maf"): "tumorboard.readers.maf:read_maf",
    ("input", "cnv"): _CNV_TABLE,
    ("input", "cnv_vcf"): _CNV_VCF,
    ("input", "cna_matrix"): _CNA_MATRIX,
    ("input", "freec_cnvs"): _FREEC_CNVS,
    ("input", "fusions"): _FUSION_TABLE,
    ("input", "sv_vcf"): _BND_VCF,
    ("input", "biomarkers"): "tumorboard.readers.genome_wide:read_genome_wide",
    ("input", "dragen_msi"): "tumorboard.readers.genome_wide:read_dragen_msi",
    ("input", "dragen_tmb"): "tumorboard.readers.genome_wide:read_dragen_tmb",
    ("input", "dragen_hrd"): "tumorboard.readers.genome_wide:read_dragen_hrd",
    ("input", "purple_qc"): "tumorboard.readers.genome_wide:read_purple_qc",
    ("cnv", "cnv"): _CNV_TABLE,
    ("cnv", "cnv_vcf"): _CNV_VCF,
    ("cnv", "cna_matrix"): _CNA_MATRIX,
    ("cnv", "freec_cnvs"): _FREEC_CNVS,
    ("cnv", "vcf"): _CNV_VCF,
    ("cnv", "sv_vcf"): _CNV_VCF,
    ("fusions", "fusions"): _FUSION_TABLE,
    ("fusions", "sv_vcf"): _BND_VCF,
    ("fusions", "vcf"): _BND_VCF,
    ("fusions", "cnv_vcf"): _BND_VCF,
}
"""(role, sniffed kind) -> ``module:function`` of the reader."""

_ROLE_HINTS: dict[Role, str] = {
    "input": "tumorboard reads VCF/BCF, TSO500 CombinedVariantOutput, MAF, CNV or fusion "
    "TSVs with a header line, and PURPLE purity, CHORD or MSIsensor files",
    "cnv": "--cnv takes a TSV with gene and copy number / fold change / call columns, "
    "a cBioPortal/GISTIC matrix, a segment file (chromosome, start, end, copy number), "
    "Control-FREEC's _CNVs or a VCF with CNV records",
    "fusions": "--fusions takes a TSV with a FusionGene (5'--3') or gene1/gene2 column, "
    "STAR-Fusion or Arriba output, or a VCF with BND records",
}


def reader_for(kind: str, role: Role = "input") -> Reader:
    """The reader of ``kind`` in ``role``; a :class:`FormatError` when there is none."""
    target = READERS.get((role, kind))
    if target is None:
        what = {"cnv": "a copy-number file", "fusions": "a fusion file"}.get(role, "an input")
        raise FormatError(f"expected {what}, found {kind}", hint=_ROLE_HINTS[role])
    module, _, name = target.partition(":")
    reader: Reader = getattr(importlib.import_module(module), name)
    return reader


DECLARED_KINDS: dict[str, frozenset[str]] = {
    "vcf": frozenset({"vcf", "bcf"}),
    "maf": frozenset({"maf"}),
    "tso500": frozenset({"tso500"}),
    "cnv": frozenset({"cnv", "cnv_vcf", "cna_matrix", "freec_cnvs"}),
    "fusions": frozenset({"fusions", "sv_vcf"}),
    "biomarkers": frozenset({"biomarkers", "dragen_msi", "dragen_tmb", "dragen_hrd", "purple_qc"}),
}
"""Kinds a caller may declare for an input (a samplesheet's columns) -> sniffed kinds it allows."""


def read(
    source: str,
    options: RunOptions,
    panel: Panel,
    role: Role = "input",
    *,
    declared: str | None = None,
) -> ReadResult:
    """Sniff ``source``, pick its reader from :data:`READERS` and read it (``-``: a VCF).

    ``declared`` is the kind the caller says the file is (:data:`DECLARED_KINDS`); a file whose
    content is of another kind is an error rather than being read as what it is.
    """
    from tumorboard.readers.detect import detect_format

    kind = "vcf" if source == "-" else detect_format(source)
    if declared is not None and kind not in DECLARED_KINDS.get(declared, frozenset()):
        raise FormatError(
            f"declared as {declared} but the content is {kind}",
            where=source,
            hint=f"list the file under its own kind ({kind}), or check that it is the right file",
        )
    try:
        reader = reader_for(kind, role)
    except FormatError as exc:
        raise FormatError(exc.message, where=source, hint=exc.hint) from None
    result = reader(source, options, panel)
    for a in result.alterations:  # readers that state none: the input's own notation
        if a.protein and not a.protein_source:
            a.protein_source = "input"
    _refuse_unreadable(result)
    return result


UNREADABLE_ROW = (
    "fewer cells than the header",
    "values past the header's last column",
    "without coordinates or copy number",
    "is not a position",
    "is not chrom:pos",
)
"""Skip reasons that say a row's layout could not be read at all (cells missing or shifted,
no coordinates), not that a value in it was bad (NaN, text) or that it was read and left out
(neutral, below a threshold, filtered, another sample's)."""


def _refuse_unreadable(result: ReadResult) -> None:
    """A table none of whose rows could be read is an error, not an empty finding: the case
    would say "no fusions" or "no copy-number changes" of a file it never read (an older
    layout of a tool's table, a header that does not fit the rows)."""
    qc = result.qc
    if result.alterations or result.biomarkers or not qc.skipped or qc.filtered:
        return
    if not all(any(mark in reason for mark in UNREADABLE_ROW) for reason in qc.skipped):
        return
    reason, count = qc.skipped.most_common(1)[0]
    example = qc.skipped_examples.get(reason, "")
    raise FormatError(
        f"no row could be read: all {sum(qc.skipped.values())} were skipped ({count} x "
        f"{reason!r}{', first: ' + example if example else ''})",
        where=result.path,
        hint="give the file as the tool wrote it (a table of another version of the tool, or "
        "one whose header does not fit its rows, is not read)",
    )


__all__ = ["DECLARED_KINDS", "READERS", "Reader", "Role", "read", "reader_for"]
