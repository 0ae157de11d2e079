"""Report rendering speed: a case with 500 variants and 50 matches (issue 6: under 0.5 s).

Run with ``python -m pytest benchmarks/test_bench_report.py --benchmark-enable``. The case is
generated deterministically and guarded by a checksum of its JSON, so timings stay comparable.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timezone

import pytest

from tumorboard.models import (
    QC,
    Biomarker,
    CaseResult,
    CatalogInfo,
    CohortStatus,
    Evidence,
    Match,
    Patient,
    Source,
    Variant,
)
from tumorboard.report import render_html

GENES = ["BRAF", "EGFR", "KRAS", "PIK3CA", "ERBB2", "TP53", "ARID1A", "ATM", "BRCA2", "MET"]
LABELS = ["on-label", "off-label", "investigational", "uncertain"]
CHECKSUM = "190b6ed050bf90b4bbf5e5912d3fcce8"  # md5 of the case JSON; change on purpose


def big_case(n_variants: int = 500, n_matches: int = 50, seed: int = 6) -> CaseResult:
    rng = random.Random(seed)
    variants = [
        Variant(
            id=f"v{i}",
            gene=GENES[i % len(GENES)],
            kind="mutation",
            label=f"{GENES[i % len(GENES)]} X{i}Y",
            chrom=f"chr{1 + i % 22}",
            pos=1_000_000 + 97 * i,
            ref="C",
            alt="T",
            protein=f"X{i}Y",
            protein_3=f"p.Xaa{i}Tyr",
            hgvsc=f"c.{3 * i}C>T",
            transcript=f"ENST{i:011d}.1",
            consequences=["missense_variant"],
            vaf=round(rng.uniform(0.02, 0.6), 3),
            depth=rng.randint(80, 900),
            actionable=i < n_matches,
            note="" if i < n_matches else "no catalog rule for this gene and change",
        )
        for i in range(n_variants)
    ]
    matches = [
        Match(
            gene=variants[i].gene,
            biomarker=variants[i].label,
            drugs=[f"drug{i}", "partnermab"] if i % 3 == 0 else [f"drug{i}"],
            label=LABELS[i % 4],  # type: ignore[arg-type]
            effect="resistant" if i % 10 == 9 else "sensitive",
            jurisdiction="EMA",
            evidence=Evidence(scale="ESCAT", level="III-A", oncokb="3B", rank=rng.randint(1, 90)),
            rule=f"rule {i}: exact protein change, approved in another tumour type",
            sources=[Source(kind="EMA", document=f"SmPC {i}", date="2024-01-01")],
            variants=[variants[i].id],
            approved_tumor_types=["NSCLC", "MEL"],
        )
        for i in range(n_matches)
    ]
    return CaseResult(
        tumorboard_version="0.1.0",
        created=datetime(2026, 1, 1, tzinfo=timezone.utc),
        patient=Patient(id="BENCH", tumor_type="IHCH", lineage=["TISSUE", "BILIARY_TRACT"]),
        catalog=CatalogInfo(name="bench", version="1", sha256="0" * 64),
        variants=variants,
        biomarkers=[Biomarker(name="TMB", value=8.2, unit="mut/Mb", status="low", source="x")],
        matches=matches,
        cohorts=[
            CohortStatus(
                cohort_id=f"C{i}",
                status="eligible",
                stage=1,
                slots_left=3,
                stage_size=8,
                drugs=[f"drug{i}"],
            )
            for i in range(0, n_matches, 5)
        ],
        qc=QC(records_read=5000, records_in_panel=800, records_reported=n_variants),
    )


@pytest.fixture(scope="module")
def case() -> CaseResult:
    return big_case()


def test_case_is_deterministic(case: CaseResult) -> None:
    assert hashlib.md5(case.model_dump_json().encode()).hexdigest() == CHECKSUM
    assert (len(case.variants), len(case.matches)) == (500, 50)


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_bench_render_500_variants_50_matches(benchmark, case: CaseResult, lang: str) -> None:
    render_html(case, lang=lang)  # warm the template cache: the first render compiles
    page = benchmark(render_html, case, lang=lang)
    assert page.count("<tr>") > 550
