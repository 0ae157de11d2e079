"""Golden cases (issue 4): alterations read by the issue-4 readers lead to the right matches.

Each case reads real inputs (TSO500 fixtures, PCGR/STAR-Fusion fusion files), finishes the case
(biomarkers, bi-allelic marks) and matches it against the self-contained clinical test catalog
(``tests/data/catalog/clinical``), whose records cite their EMA/FDA labels. ``present`` lists
``drugs | label | effect`` rows that must be among the matches, ``absent`` drug sets that must
not match at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from tumorboard import pipeline
from tumorboard.catalog import Catalog, load_catalog
from tumorboard.models import RunOptions
from tumorboard.oncotree import OncoTree
from tumorboard.panels import load_panel
from tumorboard.readers import read
from tumorboard.readers.base import QCCounter

TESTS = Path(__file__).resolve().parent


def _after_reading(results: list, options: RunOptions, qc: QCCounter) -> list:
    """The pipeline's steps between reading and matching; returns the biomarkers."""
    found = pipeline.Inputs(results=results)
    pipeline.hotspots(found, qc)
    pipeline.merge(found, qc)
    markers = pipeline.biomarkers(found, options)
    pipeline.biallelic(found, options)
    return markers


CLINICAL = TESTS / "data" / "catalog" / "clinical" / "catalog.yaml"
LOCAL = "tso500/PT-0042_CombinedVariantOutput.tsv"  # ERBB2 amp, EML4/ALK, MET ex14, MSI-H, TMB-H
DRAGEN = "tso500/PT-0077_CombinedVariantOutput.tsv"  # ERBB2 amp, MET ex14, 2x BRCA2 LoF, GIS 56


@dataclass(frozen=True)
class Case:
    inputs: tuple[str, ...]
    tumor_type: str
    jurisdiction: Literal["EMA", "FDA"]
    present: tuple[str, ...]
    absent: tuple[str, ...] = field(default=())


CASES = {
    "erbb2_amp_brca_on_label": Case(
        (DRAGEN,), "BRCA", "EMA", ("trastuzumab | on-label | sensitive",)
    ),
    "erbb2_amp_coad_off_label": Case(
        (DRAGEN,), "COAD", "EMA", ("trastuzumab | off-label | sensitive",)
    ),
    "eml4_alk_cvo_luad": Case((LOCAL,), "LUAD", "EMA", ("alectinib | on-label | sensitive",)),
    "eml4_alk_pcgr_fusions_luad": Case(
        ("shared:somatic_vcf/pcgr_T001.grch38.fusions.tsv",),
        "LUAD",
        "EMA",
        ("alectinib | on-label | sensitive", "selpercatinib | on-label | sensitive"),
    ),
    "eml4_alk_star_fusion_luad": Case(
        ("fusions/star-fusion.fusion_predictions.abridged.tsv",),
        "LUAD",
        "EMA",
        ("alectinib | on-label | sensitive",),
    ),
    "met_ex14_junction_luad_ema": Case(
        (DRAGEN,), "LUAD", "EMA", ("tepotinib | on-label | sensitive",)
    ),
    "met_ex14_exon_luad_fda": Case((LOCAL,), "LUAD", "FDA", ("capmatinib | on-label | sensitive",)),
    "msi_high_coad_ema": Case((LOCAL,), "COAD", "EMA", ("pembrolizumab | on-label | sensitive",)),
    "tmb_and_msi_high_luad_fda": Case(
        (LOCAL,), "LUAD", "FDA", ("pembrolizumab | on-label | sensitive",)
    ),
    "biallelic_brca2_paad": Case((DRAGEN,), "PAAD", "EMA", ("olaparib | off-label | sensitive",)),
    "msi_stable_tmb_low_no_pembrolizumab": Case((DRAGEN,), "LUAD", "FDA", (), ("pembrolizumab",)),
    "met_gain_below_threshold_no_amp_match": Case((DRAGEN,), "LUAD", "EMA", (), ("crizotinib",)),
}


@pytest.fixture(scope="module")
def tree() -> OncoTree:
    return OncoTree.load()


@pytest.fixture(scope="module")
def catalog(tree: OncoTree) -> Catalog:
    return load_catalog([CLINICAL], oncotree=tree)


def _path(spec: str, tests_data: Path, shared_data: Path | None) -> str:
    if spec.startswith("shared:"):
        assert shared_data is not None
        return str(shared_data / spec.removeprefix("shared:"))
    return str(tests_data / spec)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, catalog: Catalog, tree: OncoTree, tests_data: Path, request) -> None:
    from tumorboard.matching import match_case

    case = CASES[name]
    needs_shared = any(i.startswith("shared:") for i in case.inputs)
    shared = request.getfixturevalue("shared_data") if needs_shared else None
    options = RunOptions(tumor_type=case.tumor_type, jurisdiction=case.jurisdiction)
    results = [
        read(_path(i, tests_data, shared), options, load_panel(options.panel, options.genome))
        for i in case.inputs
    ]
    biomarkers = _after_reading(results, options, QCCounter())
    alterations = [a for r in results for a in r.alterations]
    outcome = match_case(
        alterations, biomarkers, case.tumor_type, case.jurisdiction, catalog, tree, options
    )
    rows = {f"{'+'.join(m.drugs)} | {m.label} | {m.effect}" for m in outcome.matches}
    for row in case.present:
        assert row in rows, f"{row!r} not in {sorted(rows)}"
    matched = {d for m in outcome.matches for d in m.drugs}
    for drug in case.absent:
        assert drug not in matched, sorted(rows)


@pytest.mark.parametrize("genome", ["GRCh38", "GRCh37"])
def test_pcgr_colon_unannotated_encorafenib_on_label(
    genome: Literal["GRCh37", "GRCh38"], tree: OncoTree, shared_data: Path
) -> None:
    """TCGA-A6-2686 (unannotated, both builds): BRAF V600E by coordinate -> encorafenib
    + cetuximab on-label in COAD with the bundled catalog (EMA)."""
    from tumorboard.matching import match_case

    options = RunOptions(tumor_type="COAD", genome=genome)
    vcf = shared_data / "somatic_vcf" / f"pcgr_T001-COAD.{genome.lower()}.vcf.gz"
    result = read(str(vcf), options, load_panel(options.panel, options.genome))
    qc = QCCounter()
    biomarkers = _after_reading([result], options, qc)
    assert [(b.name, b.status) for b in biomarkers] == [("TMB", "unknown")]
    assert any("need VEP or SnpEff annotation" in n for n in qc.not_assessable)
    outcome = match_case(
        result.alterations, biomarkers, "COAD", "EMA", load_catalog(oncotree=tree), tree, options
    )
    rows = {(m.biomarker, "+".join(m.drugs), m.label, m.effect) for m in outcome.matches}
    assert ("BRAF V600E", "encorafenib+cetuximab", "on-label", "sensitive") in rows
