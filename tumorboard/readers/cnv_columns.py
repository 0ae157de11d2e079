"""The column names copy-number tables are read by, in one place: the copy-number reader
(:mod:`tumorboard.readers.cnv`) reads its values by them, and the format sniffer
(:mod:`tumorboard.readers.detect`) recognises a copy-number table by them. Names are compared as
:func:`tumorboard.readers.text.norm_column` keys (lower case, letters and digits only)."""

from __future__ import annotations

GENE_COLUMNS = ("gene", "genes", "symbol", "genesymbol", "hugosymbol", "genename")
CN_COLUMNS = ("copynumber", "cn", "absolutecopynumber", "totalcn", "tcn", "mincopynumber")
SEGMENT_CN_COLUMNS = (
    "copynumber", "cn", "totalcn", "tcnem", "tcn", "cnt", "absolutecopynumber",
)  # fmt: skip
"""A segment's total copy number: FACETS' EM estimate (``tcn.em``) before its ``tcn``."""
MINOR_COLUMNS = (
    "nminor", "minorcn", "minor", "cnminor", "minorallelecopynumber", "lcnem", "lcn",
)  # fmt: skip
MAJOR_COLUMNS = ("nmajor", "majorcn", "major", "cnmajor", "majorallelecopynumber")
CHROM_COLUMNS = ("chromosome", "chrom", "chr", "contig", "seqnames", "segmentcontig")
START_COLUMNS = ("start", "startpos", "locstart", "segmentstart")
END_COLUMNS = ("end", "endpos", "stop", "locend", "segmentend")
FC_COLUMNS = ("foldchange", "fc")
LOG2_COLUMNS = (
    "log2", "log2ratio", "segmean", "segmentmean", "log2copyratio", "meanlog2copyratio",
    "log2copyratioposterior50",
)  # fmt: skip
"""GATK CNV writes ``MEAN_LOG2_COPY_RATIO`` (CallCopyRatioSegments' ``.called.seg``) and the
posterior median ``LOG2_COPY_RATIO_POSTERIOR_50`` (ModelSegments' ``.modelFinal.seg``)."""
CALL_COLUMNS = (
    "call", "cnvcall", "copynumbervariant", "type", "cnvtype", "alteration",
    "copynumberalteration", "cna", "gisticcall", "discretecopynumber", "value",
)  # fmt: skip
MATRIX_META_COLUMNS = ("entrezgeneid", "locusid", "geneid", "cytoband")

__all__ = [
    "CALL_COLUMNS",
    "CHROM_COLUMNS",
    "CN_COLUMNS",
    "END_COLUMNS",
    "FC_COLUMNS",
    "GENE_COLUMNS",
    "LOG2_COLUMNS",
    "MAJOR_COLUMNS",
    "MATRIX_META_COLUMNS",
    "MINOR_COLUMNS",
    "SEGMENT_CN_COLUMNS",
    "START_COLUMNS",
]
