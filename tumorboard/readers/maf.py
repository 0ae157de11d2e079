"""MAF reader (vcf2maf / GDC Mutation Annotation Format).

One row is one small variant with its chosen transcript (``Transcript_ID``, transcript_rule
``input``), ``HGVSc``, ``HGVSp_Short``/``HGVSp``, ``Consequence`` (SO terms; else mapped from
``Variant_Classification``), ``Exon_Number`` and tumour read counts (VAF =
``t_alt_count / t_depth``). Rows failing ``FILTER`` are dropped unless ``include_filtered``
(counted either way); rows outside the panel's genes are counted, not reported. A MAF holding
several tumours needs ``--sample`` to pick one ``Tumor_Sample_Barcode``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tumorboard.alterations import MUTATION, Alteration, parse_exon, parse_protein_change
from tumorboard.errors import FormatError, RecordError, SampleError
from tumorboard.models import RunOptions
from tumorboard.readers.base import ReadResult
from tumorboard.readers.text import iter_lines

_CLASSIFICATION_SO = {
    "Missense_Mutation": "missense_variant",
    "Nonsense_Mutation": "stop_gained",
    "Frame_Shift_Del": "frameshift_variant",
    "Frame_Shift_Ins": "frameshift_variant",
    "Splice_Site": "splice_donor_variant",
    "In_Frame_Del": "inframe_deletion",
    "In_Frame_Ins": "inframe_insertion",
    "Silent": "synonymous_variant",
    "Nonstop_Mutation": "stop_lost",
    "Translation_Start_Site": "start_lost",
    "Splice_Region": "splice_region_variant",
    "Intron": "intron_variant",
    "3'UTR": "3_prime_UTR_variant",
    "5'UTR": "5_prime_UTR_variant",
}
_REQUIRED = ("Hugo_Symbol", "Chromosome", "Start_Position", "Reference_Allele")
_BUILDS = {
    "GRCh38": "GRCh38",
    "hg38": "GRCh38",
    "GRCh37": "GRCh37",
    "hg19": "GRCh37",
    "37": "GRCh37",
}


def _rows(path: str) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    header: dict[str, int] = {}
    rows: list[tuple[int, list[str]]] = []
    for n, line in iter_lines(path):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header:
            header = {c.strip(): i for i, c in enumerate(cells)}
            missing = [c for c in _REQUIRED if c not in header]
            if missing:
                raise FormatError(
                    f"MAF header lacks {', '.join(missing)}",
                    where=f"{path}:{n}",
                    hint="a MAF starts with Hugo_Symbol ... Start_Position ...",
                )
            continue
        rows.append((n, cells))
    return header, rows


class _Row:
    __slots__ = ("cells", "header", "where")

    def __init__(self, header: dict[str, int], cells: list[str], where: str) -> None:
        self.header, self.cells, self.where = header, cells, where

    def get(self, name: str) -> str:
        i = self.header.get(name)
        if i is None or i >= len(self.cells):
            return ""
        value = self.cells[i].strip()
        return "" if value in (".", "NA", "__UNKNOWN__") else value

    def integer(self, name: str) -> int | None:
        value = self.get(name)
        if not value:
            return None
        try:
            return int(float(value))
        except ValueError:
            raise RecordError(
                f"{name} should be a number, found {value!r}",
                where=self.where,
                hint="repair the value or write NA",
            ) from None


def _choose_sample(
    header: dict[str, int], rows: list[tuple[int, list[str]]], options: RunOptions, path: str
) -> str:
    i = header.get("Tumor_Sample_Barcode")
    if i is None:
        return ""
    samples = sorted({r[i].strip() for _, r in rows if i < len(r) and r[i].strip()})
    if options.sample:
        if options.sample not in samples:
            raise SampleError(
                f"sample {options.sample!r} is not in the MAF; samples: {', '.join(samples)}",
                where=path,
                hint="pass one of the listed Tumor_Sample_Barcode values",
            )
        return options.sample
    if len(samples) > 1:
        raise SampleError(
            f"the MAF holds {len(samples)} tumours: {', '.join(samples[:10])}",
            where=path,
            hint="pass --sample BARCODE",
        )
    return samples[0] if samples else ""


def _alteration(row: _Row, line: int, name: str) -> Alteration:
    ref = row.get("Reference_Allele")
    alt = row.get("Tumor_Seq_Allele2")
    if not alt or alt == ref:
        alt = row.get("Tumor_Seq_Allele1")
    pos = row.integer("Start_Position")
    if pos is None:
        raise RecordError("Start_Position is empty", where=row.where, hint="repair the row")
    tx = row.get("Transcript_ID")
    consequence = row.get("Consequence") or _CLASSIFICATION_SO.get(
        row.get("Variant_Classification"), ""
    )
    a = Alteration(
        gene=row.get("Hugo_Symbol"),
        kind=MUTATION,
        chrom=row.get("Chromosome"),
        pos=pos,
        ref=ref,
        alt=alt,
        hgvsc=row.get("HGVSc").rpartition(":")[2],
        transcript=tx,
        transcript_rule="input" if tx else "",
        impact=row.get("IMPACT"),
        consequences=tuple(c for c in consequence.replace(",", "&").split("&") if c),
        exon=parse_exon(row.get("Exon_Number") or row.get("EXON")),
        filter=row.get("FILTER") or "PASS",
        source=name,
        record=line,
    )
    change = parse_protein_change(row.get("HGVSp_Short") or row.get("HGVSp"))
    if change is not None:
        a.protein, a.protein_3 = change.one, change.three
        a.protein_start, a.protein_end = change.start, change.end
    depth, alt_count = row.integer("t_depth"), row.integer("t_alt_count")
    ref_count = row.integer("t_ref_count")
    if depth is None and alt_count is not None and ref_count is not None:
        depth = alt_count + ref_count
    a.depth = depth
    if depth and alt_count is not None:
        a.vaf, a.vaf_source = alt_count / depth, "MAF t_alt_count/t_depth"
    return a


def read_maf(path: str, options: RunOptions, panel: Any = None) -> ReadResult:
    """Read a MAF into a :class:`ReadResult` (panel genes only; FILTER as for VCFs)."""
    header, rows = _rows(path)
    if not header:
        raise FormatError("no MAF header line", where=path, hint="a MAF starts with Hugo_Symbol")
    name = Path(path).name
    result = ReadResult(kind="maf", path=path, annotation="MAF (vcf2maf/VEP)")
    result.sample = _choose_sample(header, rows, options, path)
    result.sample_rule = "--sample" if options.sample else "only Tumor_Sample_Barcode"
    genes = None if panel is None or getattr(panel, "is_all", False) else panel.genes
    qc = result.qc
    sample_col = header.get("Tumor_Sample_Barcode")
    for n, cells in rows:
        if sample_col is not None and result.sample and cells[sample_col].strip() != result.sample:
            continue
        qc.records_read += 1
        row = _Row(header, cells, f"{path}:{n}")
        build = _BUILDS.get(row.get("NCBI_Build"))
        result.genome = result.genome or build
        a = _alteration(row, n, name)
        if genes is not None and a.gene not in genes:
            qc.outside_panel += 1
            continue
        if not a.is_passing:
            qc.filtered += 1
            if not options.include_filtered:
                continue
        if not a.gene:
            qc.skip("MAF row without Hugo_Symbol", row.where)
            continue
        if a.transcript_rule:
            qc.transcript_rules["input"] += 1
        result.alterations.append(a)
    return result


__all__ = ["read_maf"]
