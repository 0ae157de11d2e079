"""One ranking (tumorboard.ranking): its order, and every output naming the same top option.

The order is checked on hand-made matches (every rule of the ranking, permutation-invariant);
then golden patients run through the real pipeline and the report summary, the agenda,
batch ``summary.tsv``, ``tumorboard demo``'s printed line and ``cohort assign`` must all name the
case's ``top_option``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.api import analyse
from tumorboard.batch import SampleOutcome, write_run_outputs
from tumorboard.casefile import write_case_json
from tumorboard.catalog import load_catalog
from tumorboard.cohorts.assign import assign_case
from tumorboard.cohorts.definitions import CohortDefinition, TumorScope
from tumorboard.cohorts.eligibility import proposal_biomarker
from tumorboard.cohorts.manage import sync_definitions
from tumorboard.cohorts.registry import open_registry
from tumorboard.demo import summary_line
from tumorboard.models import CaseResult, Evidence, Match, RunOptions, Source
from tumorboard.oncotree import OncoTree
from tumorboard.ranking import option_text, rank_matches, tier, top_option
from tumorboard.report import build_agenda, build_context

GOLDEN = Path(__file__).resolve().parent / "golden"
CLINICAL = Path(__file__).resolve().parent / "data" / "catalog" / "clinical" / "catalog.yaml"
SRC = [Source(kind="EMA", document="SmPC", date="2024-01-01")]


def match(
    drugs: list[str],
    label: str = "on-label",
    rank: int = 10,
    *,
    gene: str = "BRAF",
    effect: str = "sensitive",
    requires: list[str] | None = None,
    resistance: str | None = None,
) -> Match:
    return Match(
        gene=gene,
        biomarker=f"{gene} V600E",
        drugs=drugs,
        label=label,  # type: ignore[arg-type]
        effect=effect,  # type: ignore[arg-type]
        jurisdiction="EMA",
        evidence=Evidence(scale="ESCAT", level="I-A", rank=rank),
        rule="test",
        sources=SRC,
        requires=requires or [],
        resistance_level=resistance,  # type: ignore[arg-type]
    )


def names(ms: list[Match]) -> list[str]:
    return ["+".join(m.drugs) + f"/{m.effect[0]}" for m in ms]


def test_label_tiers_come_first() -> None:
    ms = [
        match(["inv"], "investigational", 50),
        match(["off"], "off-label", 20),
        match(["if"], "on-label", 10, requires=["germline origin of the variant"]),
        match(["unc"], "uncertain", 5),
        match(["on"], "on-label", 12),
    ]
    assert names(rank_matches(ms)) == ["on/s", "if/s", "off/s", "inv/s", "unc/s"]
    assert [tier(m) for m in rank_matches(ms)][:2] == ["on-label", "on-label-if"]
    assert ms[2].label_text == "on-label if germline origin of the variant"


def test_evidence_within_a_tier_and_resistance_flags_last() -> None:
    ms = [
        match(["b"], "on-label", 12),
        match(["x"], "off-label", 1, effect="resistant"),
        match(["a"], "on-label", 10),
    ]
    assert names(rank_matches(ms)) == ["a/s", "b/s", "x/r"]


def test_approved_combination_before_its_single_agent() -> None:
    mono = match(["dabrafenib"], "on-label", 10)
    combo = match(["dabrafenib", "trametinib"], "on-label", 11)  # weaker ESCAT, still first
    other = match(["vemurafenib"], "on-label", 10)
    ranked = rank_matches([mono, other, combo])
    assert names(ranked) == ["vemurafenib/s", "dabrafenib+trametinib/s", "dabrafenib/s"]
    # an off-label combination does not outrank an on-label single agent
    off_combo = match(["dabrafenib", "trametinib"], "off-label", 40)
    assert names(rank_matches([off_combo, mono])) == ["dabrafenib/s", "dabrafenib+trametinib/s"]


def test_r1_resisted_options_after_every_unaffected_one() -> None:
    resisted = match(["gefitinib"], "on-label", 10, gene="EGFR", resistance="R1")
    off = match(["amivantamab"], "off-label", 40, gene="EGFR")
    r2 = match(["osimertinib"], "on-label", 10, gene="EGFR", resistance="R2")
    on = match(["erlotinib"], "on-label", 11, gene="EGFR")
    ranked = rank_matches([resisted, off, r2, on])
    # R2 (investigational) keeps its place; R1 goes after every unaffected option
    assert names(ranked) == ["osimertinib/s", "erlotinib/s", "amivantamab/s", "gefitinib/s"]
    assert option_text(ranked[-1]).endswith("[resistance marker R1 against it]")


@given(st.permutations(list(range(6))))
@settings(max_examples=40, deadline=None)
def test_order_does_not_depend_on_input_order(perm: list[int]) -> None:
    ms = [
        match(["a"], "on-label", 10),
        match(["a", "b"], "on-label", 10),
        match(["c"], "off-label", 40),
        match(["d"], "on-label", 10, requires=["prior platinum"]),
        match(["e"], "investigational", 52, gene="KRAS"),
        match(["f"], "off-label", 5, effect="resistant", gene="KRAS"),
    ]
    assert rank_matches([ms[i] for i in perm]) == rank_matches(ms)


def test_case_result_keeps_matches_ranked_and_sets_top_option() -> None:
    from datetime import datetime, timezone

    from tumorboard.models import CatalogInfo, Patient

    ms = [match(["x"], "off-label", 40), match(["y"], "on-label", 10)]
    case = CaseResult(
        tumorboard_version="0",
        created=datetime(2026, 1, 1, tzinfo=timezone.utc),
        patient=Patient(id="P1", tumor_type="SKCM"),
        catalog=CatalogInfo(name="c", version="1", sha256="0" * 64),
        matches=ms,
    )
    assert names(case.matches) == ["y/s", "x/s"]
    assert case.top_option == ms[1]
    again = CaseResult.model_validate_json(case.model_dump_json())
    assert again.top_option == case.top_option
    assert again.matches == case.matches


def test_bundled_catalog_puts_the_approved_combination_first() -> None:
    """BRAF V600E melanoma (EMA): dabrafenib + trametinib before dabrafenib alone, both on-label
    (Tafinlar SmPC 4.1: as monotherapy or in combination with trametinib)."""
    from tumorboard.alterations import Alteration
    from tumorboard.matching import match_case

    v600e = Alteration(
        gene="BRAF", protein="V600E", protein_start=600, protein_end=600,
        consequences=("missense_variant",), exon=15,
    )  # fmt: skip
    options = RunOptions(tumor_type="SKCM", patient_age=54)
    tree = OncoTree.load()
    matches = match_case([v600e], [], "SKCM", "EMA", load_catalog(oncotree=tree), tree, options)
    order = [m.drugs for m in matches.matches if "dabrafenib" in m.drugs]
    assert order.index(["dabrafenib", "trametinib"]) < order.index(["dabrafenib"])
    top = top_option(matches.matches)
    assert top is not None
    assert len(top.drugs) == 2


# --- every output names the same top option ------------------------------------------------------
AGREEMENT = [
    "default_braf_coad_ema",
    "default_braf_ihch_ema",
    "egfr_l858r_t790m_luad_ema",
    "met_ex14_splice_donor_ema",
    "brca2_biallelic_paad_ema",
    "erbb2_amp_coad_offlabel",
    "tmb_high_luad_ema_fda_only",
    "pdgfra_d842v_gist_ema",
]


def _golden_case(name: str) -> tuple[CaseResult, dict[str, Any]]:
    from tumorboard.alterations import Alteration

    spec = yaml.safe_load((GOLDEN / name / "case.yaml").read_text(encoding="utf-8"))
    alterations = []
    for a in spec.get("alterations", []):
        a = dict(a)
        a["consequences"] = tuple(a.get("consequences", ()))
        alterations.append(Alteration(**a))
    extra: dict[str, Any] = {}
    for b in spec.get("biomarkers", []):
        if b["name"] == "TMB":
            extra["tmb"] = b["value"]
        elif b["name"] == "MSI":
            extra["msi"] = "high"
        elif b["name"] == "HRD":
            extra["hrd"] = "positive"
    catalog = [] if spec.get("catalog") == "default" else [str(CLINICAL)]
    options = RunOptions(
        tumor_type=spec["tumor_type"],
        jurisdiction=spec["jurisdiction"],
        patient_id=f"P-{name[:20]}",
        catalog=catalog,
        **extra,
    )
    return analyse([alterations], options), {"catalog": catalog}


def _assign_choice(case: CaseResult, catalog_paths: list[str], tmp: Path) -> dict[str, Any]:
    """Assign with one cohort per off-label option (the others opened earlier)."""
    tree = OncoTree.load()
    catalog = load_catalog(catalog_paths or None, oncotree=tree)
    offered = [m for m in reversed(case.matches) if m.effect == "sensitive"]
    defs = [
        CohortDefinition(
            id=f"C{i}-{'-'.join(m.drugs)}".upper()[:60].replace(" ", "-"),
            drugs=m.drugs,
            biomarker=proposal_biomarker(m, catalog),
            tumor_types=TumorScope(include=[case.patient.tumor_type]),
        )
        for i, m in enumerate(offered)
        if m.label == "off-label"
    ]
    with open_registry(str(tmp / "r.sqlite"), user="t", create=True) as reg:
        sync_definitions(reg, defs)
        result = assign_case(reg, case, catalog=catalog, tree=tree)
    return result.as_dict()


@pytest.mark.parametrize("name", AGREEMENT)
def test_report_agenda_summary_demo_and_assign_agree(name: str, tmp_path: Path) -> None:
    case, spec = _golden_case(name)
    top = top_option(case)
    assert top is not None, "each agreement case has a sensitive option"
    assert case.top_option == top
    assert case.matches == rank_matches(case.matches)
    # the report's strongest option and the agenda's
    summary_top = build_context(case).summary.top
    assert summary_top is not None
    assert summary_top.match == top
    agenda_top = build_agenda([(case, "r.html")]).rows[0].top
    assert agenda_top is not None
    assert agenda_top.match == top
    # batch summary.tsv
    json_path = tmp_path / "case.json"
    write_case_json(case, json_path)
    outcome = SampleOutcome(
        case.patient.id, case.patient.tumor_type, "ok", json_path=str(json_path),
        report_path=str(tmp_path / "case.html"),
    )  # fmt: skip
    summary, _ = write_run_outputs([outcome], tmp_path)
    with summary.open(encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh, delimiter="\t"))
    assert row["top_option"] == option_text(top)
    # tumorboard demo's printed line
    assert summary_line(case).endswith(f"strongest option: {option_text(top)}")
    # cohort assign
    choice = _assign_choice(case, spec["catalog"], tmp_path)
    if top.label == "off-label":
        assert choice["status"] == "enrolled", choice
        assert choice["match"]["drugs"] == top.drugs
    else:
        assert choice["on_label"] or choice["status"] != "enrolled"
        if top.label == "on-label":
            assert choice["on_label"][0]["drugs"] == top.drugs
            assert choice["on_label"][0]["label_text"] == top.label_text
