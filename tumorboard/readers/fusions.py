"""Fusion and RNA splice-variant input: fusion TSVs, STAR-Fusion, Arriba and VCF breakends.

Every fusion keeps its orientation: ``Alteration.gene`` is the 5' partner and ``gene3`` the 3'
partner, as the input orders them (``FusionGene`` ``EML4--ALK``, STAR-Fusion ``LeftGene`` /
``RightGene``, Arriba ``gene1``/``gene2``, TSO500 ``Gene Pair`` ``EML4/ALK``). Gene pairs are
split on ``::``, ``--``, ``/`` or ``-`` (a single ``-`` split is only trusted when both halves are
known gene symbols, since symbols like ``NKX2-1`` contain dashes); STAR-Fusion's ``^ENSG...``
suffixes and ``(exon)`` annotations are dropped.

VCF breakend (``SVTYPE=BND``) records are paired through ``MATEID``; the genes come from INFO
(``GENE``/``GENES``/``GENEA``+``GENEB``, SnpEff ``ANN`` gene_fusion ``A&B``) or, failing that,
from the panel genes at each end. A breakend pair cannot show which partner is 5' without strand
information, so such fusions carry a note saying the orientation is as listed, not determined.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tumorboard.alterations import FUSION, SPLICE_VARIANT, Alteration
from tumorboard.errors import FormatError, RecordError
from tumorboard.models import RunOptions
from tumorboard.readers.base import QCCounter, ReadResult
from tumorboard.readers.text import iter_lines, iter_text_vcf, norm_column

if TYPE_CHECKING:
    from tumorboard.panels import Panel

_PAIR_SEPARATORS = ("::", "--", "/", "|")
_EXON_SUFFIX = re.compile(r"\([^)]*\)")


@cache
def _known_genes() -> frozenset[str]:
    from tumorboard.panels import gene_aliases, gene_table

    genes = set(gene_table("GRCh38")) | set(gene_table("GRCh37"))
    to_current, _ = gene_aliases()
    return frozenset(genes | set(to_current))


def _clean_gene(text: str) -> str:
    return _EXON_SUFFIX.sub("", text).split("^", 1)[0].strip()


def split_pair(pair: str) -> tuple[str, str] | None:
    """``EML4--ALK`` / ``EML4::ALK`` / ``EML4/ALK`` / ``EML4-ALK`` -> (5' gene, 3' gene)."""
    text = _EXON_SUFFIX.sub("", pair.strip())
    for sep in _PAIR_SEPARATORS:
        if sep in text:
            left, _, right = text.partition(sep)
            left, right = _clean_gene(left), _clean_gene(right)
            return (left, right) if left and right else None
    if "-" not in text:
        return None
    known = _known_genes()
    splits = [(text[:i], text[i + 1 :]) for i, ch in enumerate(text) if ch == "-"]
    good = [s for s in splits if s[0] in known and s[1] in known]
    if len(good) == 1:
        return good[0]
    if len(splits) == 1 and not good and all(splits[0]):
        return splits[0]
    return None


def fusion_from_pair(pair: str, *, qc: QCCounter, where: str) -> Alteration | None:
    """A fusion :class:`Alteration` from a gene-pair string, or ``None`` (counted in ``qc``)."""
    genes = split_pair(pair)
    if genes is None:
        qc.skip(
            "fusion gene pair not understood (expected 5'::3', 5'--3' or 5'/3')",
            f"{pair!r} ({where})",
        )
        return None
    return Alteration(gene=genes[0], kind=FUSION, gene3=genes[1])


_RANGE = re.compile(r"(\d+)\s*(?:-|_|to)\s*(\d+)")


def splice_variant(gene: str, exon_text: str) -> Alteration:
    """An RNA splice variant; ``exon`` is the (first) skipped exon.

    ``14`` -> exon 14; a junction ``13-15`` (exons joined) -> exon 14 skipped; EGFR ``1-8``
    (exons 2-7 skipped, EGFRvIII) -> exon 2 with a note naming the whole range.
    """
    a = Alteration(gene=gene, kind=SPLICE_VARIANT)
    text = exon_text.strip()
    m = _RANGE.search(text)
    if m:
        first, last = int(m.group(1)), int(m.group(2))
        skipped = (first + 1, last - 1) if last - first >= 2 else (first, last)
        a.exon = skipped[0]
        span = (
            f"exon {skipped[0]}" if skipped[0] == skipped[1] else f"exons {skipped[0]}-{skipped[1]}"
        )
        a.notes.append(f"{span} skipped (junction of exons {first} and {last})")
        if gene == "EGFR" and skipped == (2, 7):
            a.notes.append("EGFRvIII (exons 2-7 deleted)")
    elif text:
        digits = re.search(r"\d+", text)
        a.exon = int(digits.group(0)) if digits else None
        a.notes.append(f"affected exon(s) as given: {text}")
    if gene == "MET" and a.exon == 14:
        a.notes.append("MET exon 14 skipping")
    return a


# --- TSV readers --------------------------------------------------------------------------------
_PAIR_COLS = ("fusiongene", "fusionname", "genepair", "fusion", "fusionpair", "fusiongenes")
_GENE5_COLS = ("gene1", "5gene", "leftgene", "gene5", "genea", "5primegene", "headgene")
_GENE3_COLS = ("gene2", "3gene", "rightgene", "gene3", "geneb", "3primegene", "tailgene")
_BP5_COLS = ("leftbreakpoint", "breakpoint1", "5breakpoint", "breakpointa", "bp1")
_BP3_COLS = ("rightbreakpoint", "breakpoint2", "3breakpoint", "breakpointb", "bp2")
# read-support columns of disjoint kinds, summed: STAR-Fusion junction + spanning, Arriba split
# reads of both partners + discordant mates; else one total column
_SUM_COLS = (
    "junctionreadcount", "spanningfragcount", "splitreads1", "splitreads2", "discordantmates",
)  # fmt: skip
_TOTAL_COLS = ("splitreads", "fusionsupportingreads", "supportingreads", "reads", "totalreads")


def _col(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(n) for n in names if n in header), None)


def _int_cell(cells: list[str], i: int | None, where: str) -> int | None:
    if i is None or i >= len(cells) or cells[i].strip() in ("", ".", "NA"):
        return None
    try:
        return round(float(cells[i]))
    except ValueError:
        raise RecordError(
            f"read count should be a number, found {cells[i]!r}",
            where=where,
            hint="repair the value or write NA",
        ) from None


def _read_table(path: str, result: ReadResult) -> None:
    header: list[str] = []
    name = Path(path).name
    for n, line in iter_lines(path):
        if not line.strip() or line.startswith("##"):
            continue
        cells = line.split("\t")
        if not header:
            header = [norm_column(c.lstrip("#")) for c in cells]
            cols = _columns(header, path)
            continue
        where = f"{path}:{n}"
        if len(cells) < 2:
            raise RecordError(
                f"row has {len(cells)} value(s); expected tab-separated columns",
                where=where,
                hint="the file must be tab-separated",
            )
        result.qc.records_read += 1
        a = _row_fusion(cells, cols, result.qc, where)
        if a is None:
            continue
        a.source, a.record = name, n
        result.alterations.append(a)


def _columns(header: list[str], path: str) -> dict[str, Any]:
    cols: dict[str, Any] = {
        "pair": _col(header, _PAIR_COLS),
        "g5": _col(header, _GENE5_COLS),
        "g3": _col(header, _GENE3_COLS),
        "bp5": _col(header, _BP5_COLS),
        "bp3": _col(header, _BP3_COLS),
    }
    summed = [header.index(c) for c in _SUM_COLS if c in header]
    cols["support"] = summed or [i for i in [_col(header, _TOTAL_COLS)] if i is not None]
    if cols["pair"] is None and (cols["g5"] is None or cols["g3"] is None):
        raise FormatError(
            "no gene-pair column (FusionGene, #FusionName, Gene Pair) nor gene1/gene2 columns",
            where=path,
            hint="name the columns FusionGene (5'--3') or gene1 and gene2",
        )
    return cols


def _cell(cells: list[str], i: int | None) -> str:
    return cells[i].strip() if i is not None and i < len(cells) else ""


def _row_fusion(
    cells: list[str], cols: dict[str, Any], qc: QCCounter, where: str
) -> Alteration | None:
    g5, g3 = _clean_gene(_cell(cells, cols["g5"])), _clean_gene(_cell(cells, cols["g3"]))
    if "," in g5 + g3:
        qc.skip("fusion partner ambiguous (several candidate genes)", f"{g5}::{g3} ({where})")
        return None
    if g5 and g3:
        a: Alteration | None = Alteration(gene=g5, kind=FUSION, gene3=g3)
    else:
        a = fusion_from_pair(_cell(cells, cols["pair"]) or f"{g5}::{g3}", qc=qc, where=where)
    if a is None:
        return None
    bps = [b for b in (_cell(cells, cols["bp5"]), _cell(cells, cols["bp3"])) if b]
    a.breakpoints = ";".join(bps)
    counts = [n for n in (_int_cell(cells, i, where) for i in cols["support"]) if n is not None]
    a.supporting_reads = sum(counts) if counts else None
    if bps:
        a.chrom, _, rest = bps[0].partition(":")
        pos = rest.split(":", 1)[0]
        a.pos = int(pos) if pos.isdigit() else 0
    return a


# --- VCF breakends -------------------------------------------------------------------------------
def _bnd_genes(rec: Any, panel: Any) -> list[str]:
    for key in ("GENE", "GENES", "GENE_NAME", "SYMBOL"):
        if rec.info.get(key):
            return [g for g in re.split(r"[,&|]", rec.info[key]) if g]
    ann = rec.info.get("ANN", "")
    for entry in ann.split(","):
        fields = entry.split("|")
        if len(fields) > 3 and "fusion" in fields[1]:
            return [g for g in fields[3].split("&") if g]
    if panel is not None and getattr(panel, "genome", None):
        return panel.genes_at(rec.chrom, rec.pos)[:1]  # type: ignore[no-any-return]
    return []


def _read_bnd_vcf(path: str, panel: Any, result: ReadResult) -> None:
    name = Path(path).name
    pending: dict[str, tuple[Any, list[str]]] = {}
    for _, rec in iter_text_vcf(path):
        result.qc.records_read += 1
        where = f"{path}:{rec.line} ({rec.chrom}:{rec.pos})"
        if rec.info.get("SVTYPE") != "BND" and not any("[" in a or "]" in a for a in rec.alts):
            result.qc.skip("not a breakend record (give copy-number records with --cnv)", where)
            continue
        if rec.filter not in ("PASS", ".", ""):
            result.qc.filtered += 1
            continue
        genes = _bnd_genes(rec, panel)
        mate = rec.info.get("MATEID", "")
        if len(genes) >= 2:
            _add_bnd(result, genes[0], genes[1], rec, name, "as listed in the record")
        elif mate and mate in pending:
            other, other_genes = pending.pop(mate)
            if other_genes and genes and other_genes[0] != genes[0]:
                _add_bnd(result, other_genes[0], genes[0], other, name, "as the breakends appear")
            else:
                result.qc.skip("breakend pair without two different genes", where)
        elif mate:
            pending[rec.id] = (rec, genes)
        else:
            result.qc.skip("breakend without MATEID or gene pair", where)
    for rec, _ in pending.values():
        result.qc.skip("breakend whose mate record is missing", f"{path}:{rec.line}")


def _add_bnd(result: ReadResult, g5: str, g3: str, rec: Any, name: str, how: str) -> None:
    a = Alteration(
        gene=g5,
        kind=FUSION,
        gene3=g3,
        chrom=rec.chrom,
        pos=rec.pos,
        breakpoints=f"{rec.chrom}:{rec.pos};{rec.alts[0]}",
        source=name,
        record=rec.line,
        filter=rec.filter or "PASS",
    )
    a.notes.append(f"from VCF breakends: partner order {how}; 5'/3' orientation not determined")
    reads = rec.value("SR", None) or rec.value("SU", None)
    if reads and reads.split(",")[-1].isdigit():
        a.supporting_reads = int(reads.split(",")[-1])
    result.alterations.append(a)


def read_fusion_table(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """Read a fusion TSV (PCGR, STAR-Fusion, Arriba, generic gene1/gene2)."""
    result = ReadResult(kind="fusions", path=path, annotation="fusions")
    _read_table(path, result)
    return result


def read_breakend_vcf(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """Read a VCF of breakend (``SVTYPE=BND``) records as fusions."""
    result = ReadResult(kind="fusions", path=path, annotation="fusions")
    _read_bnd_vcf(path, panel, result)
    return result


__all__ = [
    "fusion_from_pair",
    "read_breakend_vcf",
    "read_fusion_table",
    "splice_variant",
    "split_pair",
]
