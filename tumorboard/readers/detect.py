"""Input format detection by content sniffing (and nothing else: readers live beside it).

``detect_format(path)`` looks at the first bytes and lines of a file, never at its name alone:

==========  ==================================================================================
kind        how it is recognised
==========  ==================================================================================
``bcf``     BCF magic (``BCF\\2``) after optional BGZF decompression
``vcf``     ``##fileformat=VCF`` (plain, gzip or bgzip) with small variants
``cnv_vcf`` a VCF whose records are all symbolic copy-number ALTs (``<DUP>``, ``<DEL>``,
            ``<CNV>``) or carry ``SVTYPE=CNV``
``sv_vcf``  a VCF whose records are all breakends (``SVTYPE=BND`` / ``]``/``[`` ALTs; single
            breakends ``SVTYPE=SGL``)
``tso500``  a TSO500 CombinedVariantOutput: ``Combined Variant Output`` title, or the first
            non-empty line is a ``[Section]`` header (``[Analysis Details]``, ``[Header]``)
``maf``     a tab-separated header with ``Hugo_Symbol`` and a MAF column (comment lines above
            it allowed: ``#version``, GDC's ``#filedate`` ...; see ``_tsv_kind``)
``fusions`` a TSV whose header names a gene pair (``FusionGene``, ``#FusionName``, ``Gene Pair``,
            ``Fusion``) or two partner genes (``gene1``/``gene2``, ``Site1_Hugo_Symbol`` ...)
``cnv``     a TSV whose header has a gene column and a copy-number / fold-change / log2 / call
            column, or segment columns (chromosome, start and end: the segment reader names
            a missing copy-number column)
``cna_matrix`` a gene column first, then one column per sample (cBioPortal/GISTIC discrete)
``freec_cnvs`` Control-FREEC's header-less ``_CNVs``: a first line of 5, 7 or 9 tab-separated
            cells, three integers and a status word (``cnv_freec.is_cnvs_line``)
``biomarkers`` a PURPLE purity, CHORD prediction, MSIsensor, scarHRD or MANTIS table (their
            header columns: :func:`tumorboard.readers.genome_wide_columns.biomarker_tool`)
``dragen_tmb`` DRAGEN's ``tmb.metrics.csv`` (``TMB SUMMARY,`` lines)
``purple_qc`` PURPLE's ``<tumour>.purple.qc`` (``QCStatus`` and a tab on its first line)
``dragen_hrd`` DRAGEN's ``hrdscore.csv`` (a comma-separated header with ``LOH_Score``,
            ``TAI_Score``, ``LST_Score`` and ``HRD_Score``)
``dragen_msi`` DRAGEN's ``microsat_output.json`` (its keys: ``json_tool``; TSO500's
            ``tmb.json`` is refused)
==========  ==================================================================================

Anything else is a :class:`~tumorboard.errors.FormatError` naming the file and what was seen;
so are tables recognised only to be refused with what to give instead (ANNOVAR's multianno
table, VEP's tab-separated output, TSO500's ``tmb.json``).
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

from tumorboard.errors import FormatError, TruncatedInputError
from tumorboard.readers import cnv_columns as cols
from tumorboard.readers.cnv_freec import is_cnvs_line
from tumorboard.readers.genome_wide_columns import (
    DRAGEN_HRD,
    DRAGEN_TMB_LINE,
    PURPLE_QC_LINE,
    biomarker_tool,
    json_tool,
)
from tumorboard.readers.table import header_cells
from tumorboard.readers.text import (
    CNV_ALTS,
    SNIFF_BYTES,
    check_file,
    excerpt,
    head_bytes,
    info_value,
    is_preamble,
    is_stream,
    iter_lines,
    norm_column,
    stream_head,
)

_GENE_PAIR_COLUMNS = frozenset(
    {"fusiongene", "fusionname", "genepair", "fusion", "fusionpair", "genes", "fusiongenes"}
)
_GENE1_COLUMNS = frozenset(
    {"gene1", "5gene", "leftgene", "gene5", "genea", "5primegene", "site1hugosymbol",
     "gene1symbol5endfusionpartner"}
)  # fmt: skip
_GENE2_COLUMNS = frozenset(
    {"gene2", "3gene", "rightgene", "gene3", "geneb", "site2hugosymbol",
     "gene2symbol3endfusionpartner"}
)  # fmt: skip
_GENE_COLUMNS = frozenset(cols.GENE_COLUMNS)
_CN_COLUMNS = frozenset(
    {*cols.CN_COLUMNS, *cols.SEGMENT_CN_COLUMNS, *cols.FC_COLUMNS, *cols.LOG2_COLUMNS, "nmajor",
     *cols.CALL_COLUMNS}
    - {"type", "cnvtype", "alteration", "value"}  # too common to name a copy-number table
)  # fmt: skip
"""The copy-number reader's value columns (:mod:`tumorboard.readers.cnv_columns`)."""
_CHROM_COLUMNS = frozenset(cols.CHROM_COLUMNS)
_START_COLUMNS = frozenset(cols.START_COLUMNS)
_END_COLUMNS = frozenset(cols.END_COLUMNS)
_MAF_COLUMNS = frozenset(
    {
        "variantclassification",
        "hgvspshort",
        "hgvsp",
        "hgvsc",
        "proteinchange",
        "startposition",
        "referenceallele",
        "tumorseqallele2",
    }
)
_SAMPLE_COLUMNS = frozenset({"tumorsamplebarcode", "sampleid", "sample", "samplename"})
_MATRIX_META = frozenset(cols.MATRIX_META_COLUMNS)
_NOT_SAMPLES = (
    _CN_COLUMNS | _CHROM_COLUMNS | _MAF_COLUMNS | _SAMPLE_COLUMNS | _GENE_COLUMNS
    | frozenset({"start", "end", "stop", "value", "type", "description", "alteration"})
)  # fmt: skip


def _head(path: str, limit: int = 400) -> list[str]:
    """The first lines of a file; of a pipe, those within its sniffed head (never more: the
    reader gets the whole pipe afterwards)."""
    if is_stream(path):
        text = _inflate(stream_head(path)).decode("utf-8", errors="replace")
        sniffed = text.splitlines()
        if len(text.encode("utf-8", errors="replace")) >= SNIFF_BYTES and sniffed:
            sniffed.pop()  # the last line may be cut by the sniff
        return [ln.rstrip("\r") for ln in sniffed[:limit]]
    # comment lines above a header do not count: Funcotator copies a whole VCF header (3,000+
    # lines with an hg38 sequence dictionary) above its MAF header, and a GATK-style VCF header
    # lists every contig before the first record the kind is told from
    lines: list[str] = []
    content = comments = 0
    for _, line in iter_lines(path):
        if is_preamble(line):
            comments += 1
            if comments > _MAX_COMMENT_LINES:
                break
            if comments > _KEPT_COMMENT_LINES:
                continue  # not kept: only records and the header line are looked at after these
        else:
            content += 1
        lines.append(line)
        if content >= limit:
            break
    return lines


_KEPT_COMMENT_LINES = 1_000
_MAX_COMMENT_LINES = 1_000_000


def _inflate(raw: bytes) -> bytes:
    """``raw`` itself, or as much of it as decompresses when it is gzip/bgzip."""
    if raw[:2] != b"\x1f\x8b":
        return raw
    out = []
    while raw[:2] == b"\x1f\x8b":
        d = zlib.decompressobj(31)
        try:
            out.append(d.decompress(raw))
        except zlib.error:
            break
        raw = d.unused_data  # the next BGZF block
    return b"".join(out)


def _magic(p: Path) -> bytes:
    return _inflate(head_bytes(str(p), 1 << 16))[:32]


def _vcf_kind(lines: list[str]) -> str:
    """``vcf``, ``cnv_vcf`` or ``sv_vcf`` from the first records' ALT and INFO."""
    kinds: set[str] = set()
    for line in lines:
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 8:
            continue
        alts = cols[4].split(",")
        svtype = info_value(cols[7], "SVTYPE")
        if svtype in ("BND", "SGL") or any("[" in a or "]" in a for a in alts):
            kinds.add("sv")
        elif svtype == "CNV" or all(a.upper() in CNV_ALTS for a in alts):
            kinds.add("cnv")
        else:
            kinds.add("small")
        if len(kinds) > 1 or "small" in kinds:
            return "vcf"
    if kinds == {"cnv"}:
        return "cnv_vcf"
    if kinds == {"sv"}:
        return "sv_vcf"
    return "vcf"


def _tsv_kind(header: list[str]) -> str | None:
    """The table kind a header names (column names compared without case or punctuation).

    ``maf``: ``Hugo_Symbol`` and a MAF column (``Variant_Classification``, ``HGVSp_Short``,
    ``Protein_Change``, ``Start_Position`` ...), wherever they are; ``fusions``: a gene-pair column
    or two partner-gene columns (STAR-Fusion, Arriba, cBioPortal SV ``Site1/2_Hugo_Symbol``,
    OncoKB ``GeneA``/``GeneB``); ``cnv``: a gene or chromosome column with a copy-number,
    fold-change, log2 or call column (or ``Value`` beside a sample column: cBioPortal long
    format); ``cna_matrix``: a gene column first, optional Entrez/Locus ID/Cytoband, and only
    other columns that are not known column names (one per sample).
    """
    keys = [norm_column(c.lstrip("#")) for c in header]
    cols = set(keys)
    if "hugosymbol" in cols and cols & _MAF_COLUMNS:
        return "maf"
    if {"uploadedvariation", "location", "allele", "consequence"} <= cols:
        return "vep_table"
    if {"chr", "start", "end", "ref", "alt"} <= cols and any(
        k.startswith("exonicfunc") for k in cols
    ):
        return "annovar_table"
    if biomarker_tool(cols) is not None:
        return "biomarkers"
    linx = {"fiveprimebreakendid", "genestart", "geneend"} <= cols  # HMF LINX fusion table
    if (
        linx
        or cols & _GENE_PAIR_COLUMNS - {"genes"}
        or (cols & _GENE1_COLUMNS and cols & _GENE2_COLUMNS)
    ):
        return "fusions"
    if cols & _CN_COLUMNS and (cols & _GENE_COLUMNS or cols & _CHROM_COLUMNS):
        return "cnv"
    if "value" in cols and cols & _GENE_COLUMNS and cols & _SAMPLE_COLUMNS:
        return "cnv"
    if cols & _CHROM_COLUMNS and cols & _START_COLUMNS and cols & _END_COLUMNS:
        return "cnv"  # intervals: the segment reader says which value column it lacks
    if {"chromosome", "position", "baf", "fitteda"} <= cols:
        return "cnv"  # Control-FREEC's _BAF.txt: the copy-number reader says what to give
    rest = [k for k in keys[1:] if k and k not in _MATRIX_META]
    if keys and keys[0] in _GENE_COLUMNS and rest and not set(rest) & _NOT_SAMPLES:
        return "cna_matrix"
    return None


_REFUSED_TABLES = {
    "vep_table": (
        "VEP's tab-separated output (#Uploaded_variation, Location, Allele ...) is not read: it "
        "has no sample columns (no allele fraction, depth or FILTER) and, for an input without "
        "identifiers, no REF allele",
        "run VEP with --vcf (or give the VCF it annotated: read by coordinates only)",
    ),
    "annovar_table": (
        "ANNOVAR's multianno table is not read: its Ref/Alt are ANNOVAR's own left-trimmed "
        "alleles and its sample values sit in unnamed Otherinfo columns",
        "give the .multianno.vcf that table_annovar.pl writes beside it with -vcfinput (its "
        "gene-based annotation is read), or the VCF it annotated",
    ),
}
"""Tables recognised only to be refused with what to give instead."""


def _biomarker_json(p: Path) -> str | None:
    """The tool whose biomarker JSON the file is (small: read whole), or ``None``."""
    if p.stat().st_size > _JSON_MAX:
        return None
    try:
        return json_tool(json.loads(p.read_text(encoding="utf-8")))
    except (ValueError, UnicodeDecodeError):
        return None


def _dragen_hrd(first: str) -> bool:
    """Is ``first`` the header of DRAGEN's ``hrdscore.csv``?"""
    return set(DRAGEN_HRD) <= {norm_column(c) for c in header_cells(first)}


_JSON_MAX = 1 << 20
_ORANGE_KEYS = (b'"sampleId"', b'"refGenomeVersion"')
_ORANGE_DATES = (b'"samplingDate"', b'"experimentDate"')


def _orange_json(p: Path) -> bool:
    """Is the file Hartwig's ORANGE report JSON (its first keys: ``sampleId``, a sampling or
    experiment date, ``refGenomeVersion``)?"""
    head = _inflate(head_bytes(str(p), 1 << 16))
    return all(k in head for k in _ORANGE_KEYS) and any(k in head for k in _ORANGE_DATES)


def detect_format(path: str) -> str:
    """The input kind of ``path`` (see the module docstring); raises ``FormatError`` if unknown."""
    if path == "-":
        return "vcf"
    p = check_file(path)
    if _magic(p)[:4] == b"BCF\x02":
        return "bcf"
    try:
        lines = _head(path)
    except TruncatedInputError:
        if _magic(p).startswith(b"##fileformat=VCF"):
            return "vcf"  # the VCF reader names the exact problem (missing BGZF EOF ...)
        raise
    content = [ln for ln in lines if ln.strip()]
    if not content:
        raise FormatError(
            "the file is empty", where=path, hint="give a VCF, TSO500, MAF, CNV or fusion file"
        )
    first = content[0].strip()
    if first.startswith("##fileformat=VCF"):
        return _vcf_kind(lines)
    if "Combined Variant Output" in first or re.fullmatch(r"\[[^\]]+\].*", first):
        return "tso500"
    if first.startswith(DRAGEN_TMB_LINE):
        return "dragen_tmb"
    if content[0].startswith(PURPLE_QC_LINE):
        return "purple_qc"
    if "," in first and _dragen_hrd(first):
        return "dragen_hrd"
    tool = _biomarker_json(p) if first.startswith("{") else None
    if tool == "TSO500 TMB":
        raise FormatError(
            "a TSO500 tmb.json (TmbPerMb, AdjustedTmbPerMb ...) is not read: no public "
            "specification says which of its values the assay reports as the sample's TMB",
            where=path,
            hint="give the run's CombinedVariantOutput.tsv (its [TMB] section is the reported "
            "value), or the reported TMB as --tmb",
        )
    if tool is not None:
        return "dragen_msi"
    if first.startswith("{") and _orange_json(p):
        raise FormatError(
            "a Hartwig ORANGE report (JSON) is not read: its layout differs between ORANGE "
            "versions, and ORANGE 4.x run with convert_germline_to_somatic lists germline "
            "findings among the somatic ones without a mark",
            where=path,
            hint="give the files it summarises: PURPLE's purple.somatic.vcf.gz (with --sample "
            "TUMOUR), purple.cnv.gene.tsv and purple.purity.tsv, LINX's linx.fusion.tsv and "
            "CHORD's prediction",
        )
    if is_cnvs_line(first):
        return "freec_cnvs"
    header = next((ln for ln in content if not is_preamble(ln)), "")
    kind = _tsv_kind(header_cells(header))
    if kind in _REFUSED_TABLES:
        message, hint = _REFUSED_TABLES[kind]
        raise FormatError(message, where=path, hint=hint)
    if kind is not None:
        return kind
    if p.name.lower().endswith((".vcf", ".vcf.gz", ".vcf.bgz", ".bcf")):
        return "vcf"  # named as a VCF: let the VCF reader say what is wrong with it
    if not header:
        raise FormatError(
            f"no header line: only comment lines ({excerpt(first)} ...)",
            where=path,
            hint="a table's header line (column names, tab-separated) follows its '#' lines; "
            "check that the file is complete",
        )
    raise FormatError(
        f"cannot tell the file's format from its header line ({excerpt(header)})"
        if header != first
        else f"cannot tell the file's format from its first line ({excerpt(first)})",
        where=path,
        hint="tumorboard reads VCF/BCF, TSO500 CombinedVariantOutput, MAF, CNV or fusion TSVs "
        "with a header line, and PURPLE purity, CHORD, MSIsensor, MANTIS, scarHRD or DRAGEN "
        "MSI/TMB/HRD files (see README, 'Alterations')",
    )


__all__ = ["detect_format"]
