"""Input format detection by content sniffing, and small text helpers shared by the readers.

``detect_format(path)`` looks at the first bytes and lines of a file, never at its name alone:

==========  ==================================================================================
kind        how it is recognised
==========  ==================================================================================
``bcf``     BCF magic (``BCF\\2``) after optional BGZF decompression
``vcf``     ``##fileformat=VCF`` (plain, gzip or bgzip) with small variants
``cnv_vcf`` a VCF whose records are all symbolic copy-number ALTs (``<DUP>``, ``<DEL>``,
            ``<CNV>``) or carry ``SVTYPE=CNV``
``sv_vcf``  a VCF whose records are all breakends (``SVTYPE=BND`` / ``]``/``[`` ALTs)
``tso500``  a TSO500 CombinedVariantOutput: ``Combined Variant Output`` title, or the first
            non-empty line is a ``[Section]`` header (``[Analysis Details]``, ``[Header]``)
``maf``     a tab-separated header starting with ``Hugo_Symbol`` (``#version`` lines allowed)
``fusions`` a TSV whose header names a gene pair (``FusionGene``, ``#FusionName``, ``Gene Pair``,
            ``gene1``/``gene2``, ``5'gene``/``3'gene`` ...)
``cnv``     a TSV whose header has a gene column and a copy-number / fold-change column, or
            segment columns (chromosome, start, end and a copy-number column)
==========  ==================================================================================

Anything else is a :class:`~tumorboard.errors.FormatError` naming the file and what was seen.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tumorboard.errors import FormatError, InputNotFoundError, TruncatedInputError

_SNIFF_RECORDS = 200
CNV_ALTS = frozenset({"<DUP>", "<DEL>", "<CNV>", "<AMP>", "<DUP:TANDEM>", "<LOSS>", "<GAIN>"})
_GENE_PAIR_COLUMNS = frozenset(
    {"fusiongene", "fusionname", "genepair", "fusion", "fusionpair", "genes", "fusiongenes"}
)
_GENE1_COLUMNS = frozenset({"gene1", "5gene", "leftgene", "gene5", "genea", "5primegene"})
_GENE_COLUMNS = frozenset({"gene", "genes", "symbol", "genesymbol", "hugosymbol", "genename"})
_CN_COLUMNS = frozenset(
    {
        "copynumber",
        "cn",
        "absolutecopynumber",
        "foldchange",
        "fc",
        "totalcn",
        "tcn",
        "segmean",
        "log2",
        "log2ratio",
        "nmajor",
        "call",
        "cnvcall",
        "copynumbervariant",
    }
)
_CHROM_COLUMNS = frozenset({"chromosome", "chrom", "chr", "contig", "seqnames"})


def norm_column(name: str) -> str:
    """Header-name key: lower case, letters and digits only (``Fold Change`` -> ``foldchange``)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def check_file(path: str) -> Path:
    """The path as a :class:`Path`; a clear error when it is missing or a folder."""
    p = Path(path)
    if not p.exists():
        raise InputNotFoundError("file not found", where=path, hint="check the path")
    if p.is_dir():
        raise InputNotFoundError("is a folder, not a file", where=path, hint="name a file")
    return p


def _is_gzip(p: Path) -> bool:
    with p.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def iter_lines(path: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its newline) of a text file, plain or gzipped."""
    p = check_file(path)
    try:
        if _is_gzip(p):
            with gzip.open(p, "rt", encoding="utf-8", errors="replace", newline="") as fh:
                for n, line in enumerate(fh, 1):
                    yield n, line.rstrip("\r\n")
        else:
            with p.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
                for n, line in enumerate(fh, 1):
                    yield n, line.rstrip("\r\n")
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise TruncatedInputError(
            f"the compressed file ends early or is corrupt ({exc})",
            where=path,
            hint="copy the file again",
        ) from exc


def _head(path: str, limit: int = 400) -> list[str]:
    lines: list[str] = []
    for _, line in iter_lines(path):
        lines.append(line)
        if len(lines) >= limit:
            break
    return lines


def _magic(p: Path) -> bytes:
    with p.open("rb") as fh:
        raw = fh.read(1 << 16)
    if raw[:2] == b"\x1f\x8b":
        try:
            return zlib.decompressobj(31).decompress(raw)[:32]
        except zlib.error:
            return b""
    return raw[:32]


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
        if svtype == "BND" or any("[" in a or "]" in a for a in alts):
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


def info_value(info: str, key: str) -> str | None:
    """The raw value of INFO ``key`` (``None`` when absent or a flag)."""
    if info.startswith(key + "="):
        start = len(key) + 1
    else:
        i = info.find(";" + key + "=")
        if i < 0:
            return None
        start = i + len(key) + 2
    end = info.find(";", start)
    return info[start:] if end < 0 else info[start:end]


def _tsv_kind(header: list[str]) -> str | None:
    cols = {norm_column(c.lstrip("#")) for c in header}
    if "hugosymbol" in cols and norm_column(header[0].lstrip("#")) == "hugosymbol":
        return "maf"
    if cols & _GENE_PAIR_COLUMNS - {"genes"} or (
        cols & _GENE1_COLUMNS and cols & {"gene2", "3gene", "rightgene", "gene3", "geneb"}
    ):
        return "fusions"
    if cols & _CN_COLUMNS and (cols & _GENE_COLUMNS or cols & _CHROM_COLUMNS):
        return "cnv"
    return None


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
    header = next((ln for ln in content if not ln.startswith("#version")), "")
    if header.startswith("##"):
        header = next((ln for ln in content if not ln.startswith("##")), "")
    kind = _tsv_kind(header.split("\t"))
    if kind is not None:
        return kind
    if p.name.lower().endswith((".vcf", ".vcf.gz", ".vcf.bgz", ".bcf")):
        return "vcf"  # named as a VCF: let the VCF reader say what is wrong with it
    raise FormatError(
        f"cannot tell the file's format from its first line ({first[:60]!r})",
        where=path,
        hint="tumorboard reads VCF/BCF, TSO500 CombinedVariantOutput, MAF, and CNV or fusion "
        "TSVs with a header line (see README, 'Alterations')",
    )


# --- a small text VCF reader for structural-variant and CNV VCFs ---------------------------------
@dataclass(slots=True)
class TextVcfRecord:
    """One data line of a text VCF (used for CNV and breakend VCFs, which are small)."""

    line: int
    chrom: str
    pos: int
    id: str
    ref: str
    alts: list[str]
    filter: str
    info: dict[str, str]
    format: list[str] = field(default_factory=list)
    samples: dict[str, dict[str, str]] = field(default_factory=dict)

    def value(self, key: str, sample: str | None) -> str | None:
        """FORMAT value of ``sample`` (or of the first sample), else the INFO value."""
        if self.samples:
            values = self.samples.get(sample or "") or next(iter(self.samples.values()))
            v = values.get(key)
            if v not in (None, "", "."):
                return v
        v = self.info.get(key)
        return None if v in (None, "", ".") else v


def parse_info(text: str) -> dict[str, str]:
    """INFO column to a dict (flags map to ``""``)."""
    out: dict[str, str] = {}
    if text in ("", "."):
        return out
    for item in text.split(";"):
        k, _, v = item.partition("=")
        out[k] = v
    return out


def iter_text_vcf(path: str) -> Iterator[tuple[list[str], TextVcfRecord]]:
    """Yield (sample names, record) for each data line; raises ``RecordError`` on bad lines."""
    from tumorboard.errors import RecordError

    samples: list[str] = []
    for n, line in iter_lines(path):
        if not line.strip() or line.startswith("##"):
            continue
        cols = line.split("\t")
        if line.startswith("#CHROM"):
            samples = cols[9:]
            continue
        if len(cols) < 8 or not cols[1].isdigit():
            raise RecordError(
                f"malformed VCF line: {len(cols)} columns, POS {[*cols, ''][1]!r}",
                where=f"{path}:{n}",
                hint="a VCF data line has at least 8 tab-separated columns with a numeric POS",
            )
        fmt = cols[8].split(":") if len(cols) > 8 else []
        per_sample = {
            name: dict(zip(fmt, cols[9 + i].split(":"), strict=False))
            for i, name in enumerate(samples)
            if 9 + i < len(cols)
        }
        yield (
            samples,
            TextVcfRecord(
                line=n,
                chrom=cols[0],
                pos=int(cols[1]),
                id=cols[2],
                ref=cols[3],
                alts=cols[4].split(","),
                filter=cols[6],
                info=parse_info(cols[7]),
                format=fmt,
                samples=per_sample,
            ),
        )


# --- dispatch -----------------------------------------------------------------------------------
def read_input(path: Any, options: Any, *, index: str, read_vcf: Callable[..., Any]) -> Any:
    """Read one positional input of any kind into a ``ReadResult`` (VCFs through ``read_vcf``)."""
    text = str(path)
    kind = "vcf" if text == "-" else detect_format(text)
    if kind in ("vcf", "bcf"):
        return read_vcf(path, options, index=index)
    from tumorboard.panels import load_panel

    if kind == "tso500":
        from tumorboard.readers.tso500 import read_tso500

        return read_tso500(text, options)
    panel = load_panel(options.panel, options.genome)
    if kind == "maf":
        from tumorboard.readers.maf import read_maf

        return read_maf(text, options, panel)
    if kind in ("cnv", "cnv_vcf"):
        from tumorboard.readers.cnv import read_cnv

        return read_cnv(text, options, panel)
    from tumorboard.readers.fusions import read_fusions

    return read_fusions(text, options, panel)


def read_extra(options: Any, panel: Any) -> Iterator[Any]:
    """The ``--cnv`` and ``--fusions`` files of ``options``, read with the case's panel."""
    from tumorboard.readers.cnv import read_cnv
    from tumorboard.readers.fusions import read_fusions

    for path in options.cnv:
        yield read_cnv(str(path), options, panel)
    for path in options.fusions:
        yield read_fusions(str(path), options, panel)


__all__ = [
    "CNV_ALTS",
    "TextVcfRecord",
    "check_file",
    "detect_format",
    "info_value",
    "iter_lines",
    "iter_text_vcf",
    "norm_column",
    "parse_info",
    "read_extra",
    "read_input",
]
