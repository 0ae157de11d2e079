"""Copy-number input: gene-level TSVs, CNV VCF records and segment files mapped to panel genes.

Calls follow the thresholds in :class:`~tumorboard.models.RunOptions`:

* **amplification** when the absolute copy number is ``>= amp_copy_number`` (default 6: a focal
  high-level gain, about three times a diploid genome; FoundationOne and cBioPortal/GISTIC "2" use
  comparable cut-offs) or the fold change is ``>= amp_fold_change`` (default 2.0: TSO500 reports
  gene amplifications from a fold change of about 2);
* **deep deletion** (homozygous loss) when the copy number is ``< deep_deletion_copy_number``
  (default 0.5: zero copies with room for noise and normal-cell contamination). A fold change is
  turned into a copy number as ``2 x fold change`` (diploid baseline; tumour purity is not known
  here, so low-purity deep deletions may be missed rather than invented).

A call without any value (``amplification`` in a ``call`` column, ``<DUP>`` without ``CN``/``FC``)
is trusted as the input says, with a note. Gains and losses below the thresholds are counted in
the QC block, never reported as amplifications or deletions. Segment files record one-copy loss
of the minor allele (``nMinor == 0``, or ``minor_cn``/``lcn`` 0) as LOH per gene, for bi-allelic
marking (:func:`tumorboard.biomarkers.mark_biallelic`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tumorboard.alterations import AMPLIFICATION, DELETION, Alteration
from tumorboard.errors import FormatError, RecordError
from tumorboard.models import RunOptions
from tumorboard.readers.base import QCCounter, ReadResult
from tumorboard.readers.text import CNV_ALTS, iter_lines, iter_text_vcf, norm_column

if TYPE_CHECKING:
    from tumorboard.panels import Panel

_AMP_CALLS = frozenset({"amplification", "amp", "amplified", "gain", "dup", "duplication", "2"})
_DEL_CALLS = frozenset(
    {"deletion", "del", "deepdeletion", "homdel", "homozygousdeletion", "loss", "2", "-2"}
)
_NA = frozenset({"", "na", "nan", ".", "none", "null"})


def _call_key(call: str) -> str:
    return norm_column(call.strip("<>")) if call else ""


def classify_copy_number(
    gene: str,
    options: RunOptions,
    *,
    copy_number: float | None = None,
    fold_change: float | None = None,
    call: str = "",
    qc: QCCounter,
    where: str,
) -> Alteration | None:
    """An amplification or deep deletion of ``gene``, or ``None`` (counted in ``qc``)."""
    key = _call_key(call)
    cn = (
        copy_number
        if copy_number is not None
        else (2 * fold_change if fold_change is not None else None)
    )
    is_amp = (copy_number is not None and copy_number >= options.amp_copy_number) or (
        fold_change is not None and fold_change >= options.amp_fold_change
    )
    if is_amp and key not in ("del", "deletion", "loss", "deepdeletion", "homdel"):
        return Alteration(
            gene=gene, kind=AMPLIFICATION, copy_number=copy_number, fold_change=fold_change
        )
    if cn is not None and cn < options.deep_deletion_copy_number:
        return Alteration(
            gene=gene,
            kind=DELETION,
            copy_number=copy_number,
            fold_change=fold_change,
            zygosity="homozygous",
        )
    if cn is None and fold_change is None and key:
        return _trusted_call(gene, key, call, qc, where)
    if cn is not None and cn > 2:
        qc.skip("copy-number gain below the amplification threshold", f"{gene} ({where})")
    elif cn is not None and cn < 2:
        qc.skip("copy-number loss above the deep-deletion threshold", f"{gene} ({where})")
    else:
        qc.skip("copy-number neutral", f"{gene} ({where})")
    return None


def _trusted_call(gene: str, key: str, call: str, qc: QCCounter, where: str) -> Alteration | None:
    note = f"called {call!r} by the input, without a copy number or fold change to check"
    if key in _AMP_CALLS and key not in ("2",):
        a = Alteration(gene=gene, kind=AMPLIFICATION)
    elif key in _DEL_CALLS and key not in ("2", "loss"):
        a = Alteration(gene=gene, kind=DELETION, zygosity="homozygous")
    else:
        qc.skip(f"copy-number call {call!r} is neither amplification nor deep deletion", where)
        return None
    a.notes.append(note)
    return a


def _float(value: str, column: str, where: str) -> float | None:
    if value.strip().lower() in _NA:
        return None
    try:
        return float(value)
    except ValueError:
        raise RecordError(
            f"column {column!r} should be a number, found {value!r}",
            where=where,
            hint="repair the value, or write NA when it is unknown",
        ) from None


# --- TSV (gene-level or segments) ----------------------------------------------------------------
def _table(path: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    for n, line in iter_lines(path):
        if not line.strip() or (line.startswith("#") and header):
            continue
        cells = line.split("\t")
        if not header:
            if line.startswith("##"):
                continue
            header = [norm_column(c.lstrip("#")) for c in cells]
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            raise RecordError(
                f"row has {len(cells)} values but the header has {len(header)} columns",
                where=f"{path}:{n}",
                hint="every row must fit the header line",
            )
        rows.append((n, dict(zip(header, cells + [""] * len(header), strict=False))))
    return header, rows


def _pick(cols: list[str], *names: str) -> str | None:
    return next((n for n in names if n in cols), None)


def _read_gene_table(
    path: str,
    options: RunOptions,
    result: ReadResult,
    cols: list[str],
    rows: list[tuple[int, dict[str, str]]],
) -> None:
    gene_col = _pick(cols, "gene", "genes", "symbol", "genesymbol", "hugosymbol", "genename")
    cn_col = _pick(cols, "copynumber", "cn", "absolutecopynumber", "totalcn", "tcn")
    fc_col = _pick(cols, "foldchange", "fc")
    call_col = _pick(cols, "call", "cnvcall", "copynumbervariant", "type", "cnvtype", "alteration")
    assert gene_col is not None
    name = Path(path).name
    for n, row in rows:
        where = f"{path}:{n}"
        result.qc.records_read += 1
        gene = row[gene_col].strip()
        if not gene:
            result.qc.skip("CNV row without a gene", where)
            continue
        a = classify_copy_number(
            gene,
            options,
            qc=result.qc,
            where=where,
            copy_number=_float(row[cn_col], cn_col, where) if cn_col else None,
            fold_change=_float(row[fc_col], fc_col, where) if fc_col else None,
            call=row[call_col].strip() if call_col else "",
        )
        if a is not None:
            a.source, a.record = name, n
            result.alterations.append(a)


def _segment_cn(row: dict[str, str], cols: list[str], where: str) -> tuple[float | None, bool]:
    """(total copy number, minor allele lost) of one segment row."""
    major = _pick(cols, "nmajor", "majorcn", "major", "cnmajor")
    minor = _pick(cols, "nminor", "minorcn", "minor", "cnminor", "lcn")
    total = _pick(cols, "copynumber", "cn", "totalcn", "tcn", "absolutecopynumber")
    lost = False
    if minor is not None:
        m = _float(row[minor], minor, where)
        lost = m is not None and m == 0
    if total is not None:
        return _float(row[total], total, where), lost
    if major is not None and minor is not None:
        a, b = _float(row[major], major, where), _float(row[minor], minor, where)
        return (None if a is None or b is None else a + b), lost
    log2 = _pick(cols, "segmean", "log2", "log2ratio")
    if log2 is not None:
        value = _float(row[log2], log2, where)
        return (None if value is None else 2 * 2**value), lost
    return None, lost


def _read_segments(
    path: str,
    options: RunOptions,
    panel: Any,
    result: ReadResult,
    cols: list[str],
    rows: list[tuple[int, dict[str, str]]],
) -> None:
    if panel is None or getattr(panel, "genome", None) is None:
        raise FormatError(
            "a segment file needs a panel with coordinates to map segments to genes",
            where=path,
            hint="pass --genome GRCh37 or GRCh38 (and --panel), or give a gene-level CNV table",
        )
    from tumorboard.panels import gene_table

    chrom_col = _pick(cols, "chromosome", "chrom", "chr", "contig", "seqnames")
    start_col = _pick(cols, "start", "startpos", "locstart")
    end_col = _pick(cols, "end", "endpos", "stop", "locend")
    if chrom_col is None or start_col is None or end_col is None:
        raise FormatError(
            "segment file needs chromosome, start and end columns",
            where=path,
            hint="name the columns Chromosome, Start, End",
        )
    segments = []
    for n, row in rows:
        where = f"{path}:{n}"
        result.qc.records_read += 1
        start, end = _float(row[start_col], start_col, where), _float(row[end_col], end_col, where)
        cn, lost = _segment_cn(row, cols, where)
        if start is None or end is None or cn is None:
            result.qc.skip("segment without coordinates or copy number", where)
            continue
        segments.append((_contig(row[chrom_col]), int(start), int(end), cn, lost, n))
    table = gene_table(panel.genome)
    for gene in sorted(panel.listed_genes):
        _call_gene(gene, table.get(gene, []), segments, options, result, path)


def _contig(chrom: str) -> str:
    from tumorboard.panels import contig_key

    return contig_key(chrom.strip())


def _call_gene(
    gene: str,
    spans: list[tuple[str, int, int, str]],
    segments: list[Any],
    options: RunOptions,
    result: ReadResult,
    path: str,
) -> None:
    hits = [
        s
        for chrom, start, end, _ in spans
        for s in segments
        if s[0] == _contig(chrom) and s[1] <= end and s[2] >= start
    ]
    if not hits:
        return
    if any(s[4] for s in hits):
        lines = ", ".join(str(s[5]) for s in hits if s[4])
        result.loh[gene] = f"LOH (minor allele copy number 0) in {Path(path).name} line {lines}"
    low, high = min(s[3] for s in hits), max(s[3] for s in hits)
    where = f"{path}:{hits[0][5]}"
    if low >= options.amp_copy_number:
        a = classify_copy_number(gene, options, copy_number=low, qc=result.qc, where=where)
    elif low < options.deep_deletion_copy_number:
        a = classify_copy_number(gene, options, copy_number=low, qc=result.qc, where=where)
        if a is not None and high >= options.deep_deletion_copy_number:
            a.notes.append("deep deletion of part of the gene (segment boundary inside it)")
    else:
        return
    if a is not None:
        a.source, a.record = Path(path).name, hits[0][5]
        a.chrom, a.pos = spans[0][0], hits[0][1]
        result.alterations.append(a)


# --- VCF CNV records ---------------------------------------------------------------------------
def _read_cnv_vcf(path: str, options: RunOptions, panel: Any, result: ReadResult) -> None:
    name = Path(path).name
    for _, rec in iter_text_vcf(path):
        result.qc.records_read += 1
        where = f"{path}:{rec.line} ({rec.chrom}:{rec.pos})"
        svtype = rec.info.get("SVTYPE", "")
        alt = rec.alts[0].upper() if rec.alts else ""
        if svtype not in ("DUP", "DEL", "CNV") and alt not in CNV_ALTS:
            result.qc.skip("not a copy-number record (no SVTYPE=DUP/DEL/CNV)", where)
            continue
        if rec.filter not in ("PASS", ".", "") and not options.include_filtered:
            result.qc.filtered += 1
            continue
        genes = _vcf_genes(rec, panel)
        if not genes:
            result.qc.outside_panel += 1
            continue
        cn = rec.value("CN", None)
        fc = rec.value("FC", None) or rec.value("FOLD_CHANGE", None)
        for gene in genes:
            a = classify_copy_number(
                gene,
                options,
                qc=result.qc,
                where=where,
                call=svtype or alt,
                copy_number=_float(cn, "CN", where) if cn else None,
                fold_change=_float(fc, "FC", where) if fc else None,
            )
            if a is not None:
                a.chrom, a.pos, a.filter, a.source, a.record = (
                    rec.chrom,
                    rec.pos,
                    rec.filter or "PASS",
                    name,
                    rec.line,
                )
                result.alterations.append(a)


def _vcf_genes(rec: Any, panel: Any) -> list[str]:
    for key in ("GENE", "GENES", "ANT", "Gene_name", "GENE_NAME", "SYMBOL"):
        value = rec.info.get(key)
        if value:
            return sorted({g for g in value.replace("|", ",").split(",") if g})
    if rec.id not in ("", ".") and panel is not None and rec.id in panel.genes:
        return [rec.id]
    if panel is None or getattr(panel, "genome", None) is None:
        return []
    end = int(rec.info.get("END", rec.pos)) if rec.info.get("END", "").isdigit() else rec.pos
    from tumorboard.panels import gene_table

    table = gene_table(panel.genome)
    return sorted(
        g
        for g in panel.listed_genes
        for c, s, e, _ in table.get(g, [])
        if _contig(c) == _contig(rec.chrom) and s < end and e >= rec.pos
    )


def read_cnv_vcf(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """Read a VCF of copy-number records (``<DUP>``/``<DEL>``/``<CNV>``, ``SVTYPE=CNV``)."""
    result = ReadResult(kind="cnv", path=path, annotation="copy number")
    _read_cnv_vcf(path, options, panel, result)
    return result


def read_cnv_table(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """Read a gene-level copy-number TSV or a segment file (mapped to the panel's genes)."""
    result = ReadResult(kind="cnv", path=path, annotation="copy number")
    cols, rows = _table(path)
    if _pick(cols, "gene", "genes", "symbol", "genesymbol", "hugosymbol", "genename"):
        _read_gene_table(path, options, result, cols, rows)
    else:
        _read_segments(path, options, panel, result, cols, rows)
        result.genome = panel.genome
    return result


__all__ = ["classify_copy_number", "read_cnv_table", "read_cnv_vcf"]
