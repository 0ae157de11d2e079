"""Regenerate the cohort test cases (case JSON files) from the boundary models.

Run from the repository root: ``python tests/data/cohorts/make_cases.py``. Each case is a small,
realistic CaseResult: the variants a panel would report and the matches the catalog gives.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from tumorboard.models import CaseResult, CatalogInfo, Evidence, Match, Patient, Source, Variant

HERE = Path(__file__).resolve().parent
EMA = Source(kind="EMA", document="SmPC (EPAR)", date="2024-01-01")
OFF = Evidence(scale="ESCAT", level="III-A", oncokb="3B", amp="II-C", rank=40)
ON = Evidence(scale="ESCAT", level="I-A", oncokb="1", amp="I-A", rank=10)
INV = Evidence(scale="ESCAT", level="III-B", rank=50)


def _case(
    code: str,
    name: str,
    lineage: list[str],
    variants: list[Variant],
    matches: list[Match],
    **extra: object,
) -> CaseResult:
    return CaseResult(
        tumorboard_version="0.1.0",
        created=datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc),
        patient=Patient(id="TEMPLATE", tumor_type=code, tumor_type_name=name, lineage=lineage),
        catalog=CatalogInfo(name="tumorboard-default", version="test", sha256="0" * 64),
        variants=variants,
        matches=matches,
        **extra,  # type: ignore[arg-type]
    )


BRAF = Variant(
    id="BRAF:chr7:140753336:A>T",
    gene="BRAF",
    kind="mutation",
    label="BRAF V600E",
    chrom="chr7",
    pos=140753336,
    ref="A",
    alt="T",
    protein="V600E",
    protein_3="p.Val600Glu",
    consequences=["missense_variant"],
    exon=15,
)
ERBB2 = Variant(
    id="ERBB2:amplification",
    gene="ERBB2",
    kind="amplification",
    label="ERBB2 amplification",
    copy_number=14.0,
)
KRAS = Variant(
    id="KRAS:chr12:25245350:C>T",
    gene="KRAS",
    kind="mutation",
    label="KRAS G12D",
    protein="G12D",
    consequences=["missense_variant"],
    exon=2,
)
EGFR = Variant(
    id="EGFR:chr7:55191822:T>G",
    gene="EGFR",
    kind="mutation",
    label="EGFR L858R",
    protein="L858R",
    consequences=["missense_variant"],
    exon=21,
)


def _m(
    gene: str,
    biomarker: str,
    drugs: list[str],
    label: str,
    ev: Evidence,
    variants: list[str],
    effect: str = "sensitive",
    indication: str | None = None,
) -> Match:
    return Match(
        gene=gene,
        biomarker=biomarker,
        drugs=drugs,
        label=label,
        effect=effect,  # type: ignore[arg-type]
        jurisdiction="EMA",
        evidence=ev,
        rule=f"{biomarker} rule (test fixture)",
        sources=[EMA],
        variants=variants,
        indication_id=indication,
    )


CASES = {
    # BRAF V600E cholangiocarcinoma: off-label dabrafenib + trametinib (approved in MEL, NSCLC)
    "ihch_braf": _case(
        "IHCH",
        "Intrahepatic Cholangiocarcinoma",
        ["TISSUE", "BILIARY_TRACT", "CHOL", "IHCH"],
        [BRAF],
        [
            _m(
                "BRAF",
                "BRAF V600E",
                ["dabrafenib", "trametinib"],
                "off-label",
                OFF,
                [BRAF.id],
                indication="EMA_DABRAFENIB_TRAMETINIB_MEL",
            )
        ],
    ),
    # ERBB2-amplified colon cancer: off-label trastuzumab + pertuzumab; two cohorts fit
    # (the CRC cohort and, were CRC not excluded, the solid one)
    "coad_erbb2": _case(
        "COAD",
        "Colon Adenocarcinoma",
        ["TISSUE", "BOWEL", "COADREAD", "COAD"],
        [ERBB2],
        [
            _m(
                "ERBB2",
                "ERBB2 amplification",
                ["pertuzumab", "trastuzumab"],
                "off-label",
                OFF,
                [ERBB2.id],
            )
        ],
    ),
    # the same with a KRAS mutation flagged as resistance to trastuzumab
    "coad_erbb2_kras": _case(
        "COAD",
        "Colon Adenocarcinoma",
        ["TISSUE", "BOWEL", "COADREAD", "COAD"],
        [ERBB2, KRAS],
        [
            _m(
                "ERBB2",
                "ERBB2 amplification",
                ["pertuzumab", "trastuzumab"],
                "off-label",
                OFF,
                [ERBB2.id],
            ),
            _m(
                "KRAS",
                "KRAS G12D",
                ["trastuzumab"],
                "off-label",
                Evidence(scale="ESCAT", level="II-B", oncokb="R2", rank=60),
                [KRAS.id],
                effect="resistant",
            ),
        ],
    ),
    # EGFR L858R lung adenocarcinoma: on-label osimertinib only
    "luad_egfr": _case(
        "LUAD",
        "Lung Adenocarcinoma",
        ["TISSUE", "LUNG", "NSCLC", "LUAD"],
        [EGFR],
        [_m("EGFR", "EGFR L858R", ["osimertinib"], "on-label", ON, [EGFR.id])],
    ),
    # BRAF V600E papillary thyroid cancer with an off-label combination no cohort offers
    "thpa_braf_encobini": _case(
        "THPA",
        "Papillary Thyroid Cancer",
        ["TISSUE", "THYROID", "WDTC", "THPA"],
        [BRAF],
        [_m("BRAF", "BRAF V600E", ["binimetinib", "encorafenib"], "off-label", OFF, [BRAF.id])],
    ),
    # BRAF V600E anaplastic thyroid cancer: no EMA approval (the EU thyroid label of 2026 covers
    # differentiated thyroid cancer only), so dabrafenib + trametinib stays off-label there
    "thap_braf_encobini": _case(
        "THAP",
        "Anaplastic Thyroid Cancer",
        ["TISSUE", "THYROID", "THAP"],
        [BRAF],
        [_m("BRAF", "BRAF V600E", ["binimetinib", "encorafenib"], "off-label", OFF, [BRAF.id])],
    ),
    # nothing actionable
    "paad_none": _case(
        "PAAD", "Pancreatic Adenocarcinoma", ["TISSUE", "PANCREAS", "PAAD"], [KRAS], []
    ),
}

if __name__ == "__main__":
    for name, case in CASES.items():
        (HERE / f"{name}.json").write_text(case.model_dump_json(indent=2) + "\n", encoding="utf-8")
