"""Seeded TSO500 CombinedVariantOutput and a 500-variant CaseResult for the benchmarks."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

from benchmarks._synth import AA1, AA3, HOTSPOTS, Gene

CVO_SMALL_VARIANTS = 400
CASE_VARIANTS = 500
CASE_MATCHES = 50

# (gene, biomarker suffix, drugs, jurisdiction label, evidence level, effect) for the case file
_DRUG_OPTIONS = (
    ("BRAF", "V600E", ["dabrafenib", "trametinib"], "on-label", "I-A", "sensitive"),
    ("EGFR", "L858R", ["osimertinib"], "off-label", "III-A", "sensitive"),
    ("KRAS", "G12D", ["cetuximab"], "on-label", "I-A", "resistant"),
    ("PIK3CA", "H1047R", ["alpelisib", "fulvestrant"], "off-label", "III-A", "sensitive"),
    ("IDH1", "R132H", ["ivosidenib"], "off-label", "III-A", "sensitive"),
    ("ERBB2", "amplification", ["trastuzumab deruxtecan"], "off-label", "III-A", "sensitive"),
    ("BRCA2", "truncating mutation", ["olaparib"], "off-label", "III-A", "sensitive"),
)


def _protein(rng: random.Random) -> tuple[str, str]:
    i, j = rng.randrange(20), rng.randrange(20)
    if i == j:
        j = (j + 1) % 20
    pos = rng.randrange(2, 1500)
    return f"{AA1[i]}{pos}{AA1[j]}", f"{AA3[i]}{pos}{AA3[j]}"


def write_cvo(path: Path, genes: list[Gene], rng: random.Random) -> None:
    """A TSO500 Local App v2.2 ``CombinedVariantOutput.tsv`` (layout of docs/domain.md §3)."""
    by_symbol = {g.symbol: g for g in genes}
    lines = [
        "TruSight Oncology 500 - Combined Variant Output",
        "For Research Use Only. Not for use in diagnostic procedures.",
        "",
        "[Analysis Details]",
        "Pair ID\tBENCH-0001",
        "DNA Sample ID\tBENCH-0001-DNA",
        "RNA Sample ID\tBENCH-0001-RNA",
        "Output Date\t2026-01-15",
        "Output Time\t10:12:31",
        "Module Version\t2.2.0.12",
        "Pipeline Version\t2.2.0.12",
        "",
        "[Sequencing Run Details]",
        "Run Name\t260115_A01234_0042_BHXXXXDSX5",
        "Run Date\t2026-01-14",
        "",
        "[TMB]",
        "Total TMB\t12.6",
        "Coding Region Size in Megabases\t1.27",
        "Number of Passing Eligible Variants\t16",
        "",
        "[MSI]",
        "Usable MSI Sites\t118",
        "Total MSI Sites Unstable\t4",
        "Percent Unstable MSI Sites\t3.39",
        "",
        "[Gene Amplifications]",
        "Gene\tFold Change",
        "ERBB2\t6.8",
        "MYC\t2.4",
        "",
        "[Splice Variants]",
        "Gene\tAffected Exon\tBreakpoint 1\tBreakpoint 2\tSplice Supporting Reads\t"
        "Reference Reads Transcript",
        "MET\t14\tchr7:116771654\tchr7:116774880\t57\t212",
        "",
        "[Fusions]",
        "Gene Pair\tBreakpoint 1\tBreakpoint 2\tFusion Supporting Reads\tGene 1 Reference Reads\t"
        "Gene 2 Reference Reads",
        "EML4-ALK\tchr2:42295516\tchr2:29223528\t88\t140\t35",
        "",
        "[Small Variants]",
        "Gene\tChromosome\tGenomic Position\tReference Call\tAlternative Call\tAllele Frequency\t"
        "Depth\tP-Dot Notation\tC-Dot Notation\tConsequence(s)\tAffected Exon(s)",
    ]
    for h in HOTSPOTS:
        g = by_symbol.get(h.gene)
        np_, nm = (g.np, g.nm) if g else ("", "")
        lines.append(
            f"{h.gene}\t{h.chrom}\t{h.pos}\t{h.ref}\t{h.alt}\t0.312\t845\t"
            f"{np_}:p.({h.protein})\t{nm}:{h.cds}\tmissense_variant\t{h.exon}"
        )
    rows = []
    for _ in range(CVO_SMALL_VARIANTS - len(HOTSPOTS)):
        g = rng.choices(genes, weights=[x.end - x.start for x in genes])[0]
        pos = rng.randrange(g.start + 1, g.end + 1)
        ref, alt = rng.sample("ACGT", 2)
        _, p3 = _protein(rng)
        coding = rng.random() < 0.7
        pdot = f"{g.np}:p.({p3})" if coding else ""
        cons = "missense_variant" if coding else "intron_variant"
        rows.append(
            (
                CHROM_ORDER.get(g.chrom, 99),
                pos,
                f"{g.symbol}\t{g.chrom}\t{pos}\t{ref}\t{alt}\t{rng.uniform(0.02, 0.6):.3f}\t"
                f"{rng.randrange(150, 1500)}\t{pdot}\t"
                f"{g.nm}:c.{rng.randrange(10, 4000)}{ref}>{alt}\t"
                f"{cons}\t{rng.randrange(1, 20) if coding else ''}",
            )
        )
    lines.extend(r[2] for r in sorted(rows))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


CHROM_ORDER = {f"chr{c}": i for i, c in enumerate([*range(1, 23), "X", "Y"])}


def build_case(genes: list[Gene], rng: random.Random):  # type: ignore[no-untyped-def]
    """A CaseResult with 500 variants and 50 matches (the rendering benchmark's input)."""
    from tumorboard import models as m

    variants = []
    for k in range(CASE_VARIANTS):
        g = rng.choice(genes)
        p1, p3 = _protein(rng)
        variants.append(
            m.Variant(
                id=f"v{k + 1}",
                gene=g.symbol,
                kind="mutation",
                label=f"{g.symbol} {p1}",
                chrom=g.chrom,
                pos=rng.randrange(g.start + 1, g.end + 1),
                ref="C",
                alt="T",
                protein=f"p.{p1}",
                protein_3=f"p.{p3}",
                hgvsc=f"{g.enst}:c.{rng.randrange(10, 4000)}C>T",
                transcript=g.enst,
                transcript_rule="MANE Select",
                consequences=["missense_variant"],
                impact="MODERATE",
                vaf=round(rng.uniform(0.03, 0.7), 4),
                vaf_source="FORMAT/AF",
                depth=rng.randrange(50, 900),
                source="case_500.vcf.gz",
                record=k + 1,
                actionable=k < CASE_MATCHES,
            )
        )
    matches = []
    for k in range(CASE_MATCHES):
        gene, bm, drugs, label, level, effect = _DRUG_OPTIONS[k % len(_DRUG_OPTIONS)]
        matches.append(
            m.Match(
                gene=gene,
                biomarker=f"{gene} {bm}",
                drugs=drugs,
                label=label,
                effect=effect,  # type: ignore[arg-type]
                jurisdiction="EMA",
                evidence=m.Evidence(scale="ESCAT", level=level, rank=1 if level == "I-A" else 5),
                rule=f"{bm} matches the catalog biomarker {gene} {bm}",
                sources=[
                    m.Source(
                        kind="EMA",
                        document=f"{drugs[0].title()} SmPC (EPAR)",
                        date="2024-06-01",
                        url="https://www.ema.europa.eu/",
                    )
                ],
                variants=[variants[k].id],
                approved_tumor_types=["NSCLC"],
            )
        )
    return m.CaseResult(
        tumorboard_version="0.1.0",
        created=datetime(2026, 1, 15, 10, 12, 31, tzinfo=timezone.utc),
        patient=m.Patient(
            id="BENCH-0001",
            tumor_type="LUAD",
            tumor_type_name="Lung Adenocarcinoma",
            lineage=["TISSUE", "LUNG", "NSCLC", "LUAD"],
            sample="TUMOR",
        ),
        genome="GRCh38",
        panel="tso500",
        catalog=m.CatalogInfo(name="benchmark", version="2026.01", sha256="0" * 64),
        variants=variants,
        matches=matches,
        biomarkers=[
            m.Biomarker(
                name="TMB",
                value=12.6,
                unit="mut/Mb",
                status="high",
                threshold=10.0,
                source="TSO500 [TMB] section",
            )
        ],
        qc=m.QC(
            records_read=4_000_000,
            records_in_panel=40_000,
            records_reported=CASE_VARIANTS,
            panel="tso500",
            panel_genes=523,
            genome="GRCh38",
            sample="TUMOR",
            annotation="VEP CSQ",
        ),
    )


def write_case(path: Path, genes: list[Gene], rng: random.Random) -> None:
    """Write the case as JSON (defaults left out, so new optional model fields keep the md5)."""
    case = build_case(genes, rng)
    path.write_text(case.model_dump_json(indent=1, exclude_defaults=True) + "\n", encoding="utf-8")


__all__ = ["build_case", "write_case", "write_cvo"]
