"""Golden clinical cases: tests/golden/<case>/case.yaml (+ input.vcf) -> expected matches.

A case names its tumour type, jurisdiction, catalog (``default`` = bundled; otherwise the
self-contained clinical test catalog in tests/data/catalog/clinical), optionally the patient's
``age`` and ``grade`` (``patient:``), and its input: a VEP VCF read by the project's VCF
reader, or alterations/biomarkers written out. ``expect`` is the
*complete* list of matches as ``drugs | label | effect | ESCAT level`` (order-insensitive);
``expect_contains`` / ``expect_absent`` are used with the bundled catalog, whose curation grows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tumorboard.alterations import Alteration
from tumorboard.catalog import Catalog, load_catalog
from tumorboard.matching import MatchOutcome, match_case
from tumorboard.models import Biomarker, Match, RunOptions
from tumorboard.oncotree import OncoTree

GOLDEN = Path(__file__).resolve().parent / "golden"
CLINICAL = Path(__file__).resolve().parent / "data" / "catalog" / "clinical" / "catalog.yaml"
CASES = sorted(p.parent.name for p in GOLDEN.glob("*/case.yaml"))


@pytest.fixture(scope="module")
def tree() -> OncoTree:
    return OncoTree.load()


@pytest.fixture(scope="module")
def catalogs(tree: OncoTree) -> dict[str, Catalog]:
    return {
        "default": load_catalog(oncotree=tree),
        "clinical": load_catalog([CLINICAL], oncotree=tree),
    }


def _alterations(folder: Path, case: dict[str, Any], options: RunOptions) -> list[Alteration]:
    if "vcf" in case:
        from tumorboard.api import read_vcf

        vcf_options = options.model_copy(update={"panel": "all", "include_filtered": True})
        return read_vcf(folder / case["vcf"], vcf_options).alterations
    out = []
    for spec in case.get("alterations", []):
        spec = dict(spec)
        spec["consequences"] = tuple(spec.get("consequences", ()))
        out.append(Alteration(**spec))
    return out


def _row(m: Match) -> str:
    return f"{'+'.join(m.drugs)} | {m.label} | {m.effect} | {m.evidence.level}"


ALTERATIONS: dict[str, list[Alteration]] = {}
"""The alterations each golden case was matched with (for the per-alteration notes)."""


def run_case(name: str, catalogs: dict[str, Catalog], tree: OncoTree) -> MatchOutcome:
    folder = GOLDEN / name
    case = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    patient = case.get("patient") or {}
    options = RunOptions(
        tumor_type=case["tumor_type"],
        jurisdiction=case["jurisdiction"],
        include_filtered=case.get("include_filtered", False),
        patient_age=patient.get("age"),
        tumor_grade=patient.get("grade"),
    )
    biomarkers = [Biomarker(**b) for b in case.get("biomarkers", [])]
    alterations = _alterations(folder, case, options)
    outcome = match_case(
        alterations,
        biomarkers,
        case["tumor_type"],
        case["jurisdiction"],
        catalogs[case.get("catalog", "clinical")],
        tree,
        options,
    )
    ALTERATIONS[name] = alterations
    return outcome


def test_enough_golden_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", CASES)
def test_golden_case(name: str, catalogs: dict[str, Catalog], tree: OncoTree) -> None:
    case = yaml.safe_load((GOLDEN / name / "case.yaml").read_text(encoding="utf-8"))
    outcome = run_case(name, catalogs, tree)
    rows = [_row(m) for m in outcome.matches]
    if "expect" in case:
        assert sorted(rows) == sorted(case["expect"] or [])
    for want in case.get("expect_contains", []):
        assert want in rows
    for absent in case.get("expect_absent", []):
        assert not any(r.startswith(absent) for r in rows), absent
    text = {
        "rule_contains": " || ".join(m.rule for m in outcome.matches),
        "notes_contain": " || ".join(n for m in outcome.matches for n in m.notes),
        "alteration_notes_contain": " || ".join(
            n for a in ALTERATIONS[name] for n in outcome.notes_for(a)
        ),
        "not_assessable_contains": " || ".join(outcome.not_assessable),
        "agency_status_contains": " || ".join(x for m in outcome.matches for x in m.agency_status),
        "label_text_contains": " || ".join(m.label_text for m in outcome.matches),
        "sources_contain": " || ".join(s.document for m in outcome.matches for s in m.sources),
    }
    for key, haystack in text.items():
        for needle in case.get(key, []):
            assert needle in haystack, f"{key}: {needle!r} not in {haystack!r}"


def test_matches_are_ranked_on_label_first(catalogs: dict[str, Catalog], tree: OncoTree) -> None:
    outcome = run_case("egfr_l858r_t790m_luad_ema", catalogs, tree)
    order = {"on-label": 0, "off-label": 1, "investigational": 2, "uncertain": 3}
    keys = [(order[m.label], m.evidence.rank) for m in outcome.matches]
    assert keys == sorted(keys)


def test_every_match_carries_the_contract_fields(
    catalogs: dict[str, Catalog], tree: OncoTree
) -> None:
    for name in CASES:
        for m in run_case(name, catalogs, tree).matches:
            assert m.gene
            assert m.biomarker
            assert m.drugs
            assert m.rule
            assert m.sources
            assert all(s.date for s in m.sources)
            assert m.evidence.scale == "ESCAT"
            assert m.variants or m.gene in ("MSI", "TMB", "HRD")
