"""Cohort registry: assignment, waiting list, stage transitions, outcomes, corrections,
proposals, migrations and the audit log (SQLite files in tmp_path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from tumorboard.casefile import load_case
from tumorboard.catalog import load_catalog
from tumorboard.cohorts.assign import AssignResult, assign_case
from tumorboard.cohorts.definitions import load_cohorts
from tumorboard.cohorts.manage import (
    audit_entries,
    close_cohort,
    cohort_status,
    open_cohort,
    rematch,
    status,
    suspend_cohort,
    sync_definitions,
)
from tumorboard.cohorts.outcomes import record_outcome
from tumorboard.cohorts.proposals import list_proposals, open_from_proposal
from tumorboard.cohorts.registry import (
    SCHEMA_VERSION,
    Registry,
    current_version,
    make_engine,
    migrate,
    migrations_table,
    open_registry,
)
from tumorboard.errors import (
    AssignmentError,
    CatalogSchemaError,
    RegistryError,
    RegistryVersionError,
)
from tumorboard.models import CaseResult
from tumorboard.oncotree import OncoTree

DATA = Path(__file__).parent / "data" / "cohorts"


@pytest.fixture(scope="module")
def ctx() -> tuple[Any, Any]:
    return load_catalog(), OncoTree.load()


def case(name: str, pid: str) -> CaseResult:
    c = load_case(DATA / f"{name}.json")
    return c.model_copy(update={"patient": c.patient.model_copy(update={"id": pid})})


@pytest.fixture
def reg(tmp_path: Path, ctx: tuple[Any, Any]):
    registry = open_registry(str(tmp_path / "r.sqlite"), user="tester", create=True)
    sync_definitions(registry, load_cohorts(DATA / "small.yaml", catalog=ctx[0], tree=ctx[1]))
    yield registry
    registry.close()


def assign(reg: Registry, ctx: tuple[Any, Any], name: str, pid: str, **kw: Any) -> AssignResult:
    return assign_case(reg, case(name, pid), catalog=ctx[0], tree=ctx[1], **kw)


def one(reg: Registry, cohort_id: str) -> dict[str, Any]:
    return status(reg, cohort_id)[0].as_dict()


def test_enrol_until_stage_full_then_waitlist_in_order(reg, ctx):
    r1, r2 = assign(reg, ctx, "ihch_braf", "P1"), assign(reg, ctx, "ihch_braf", "P2")
    assert (r1.status, r2.status) == ("enrolled", "enrolled")
    assert r1.cohort is not None
    assert (r1.cohort.id, r1.cohort.stage, r1.cohort.slots_left) == ("T-BRAF-SOLID", 1, 1)
    assert r1.match is not None
    assert r1.match.evidence == "ESCAT III-A"
    r3, r4 = assign(reg, ctx, "ihch_braf", "P3"), assign(reg, ctx, "ihch_braf", "P4")
    assert (r3.status, r3.queue_position, r4.queue_position) == ("waitlisted", 1, 2)
    assert r3.reason == "stage 1 is full with outcomes pending"
    v = one(reg, "T-BRAF-SOLID")
    assert (v["state"], v["enrolled"], v["waitlist"], v["slots_left"]) == (
        "stage-1 awaiting outcomes",
        2,
        2,
        0,
    )


def test_stage_two_opens_and_enrols_the_waiting_list_in_order(reg, ctx):
    for pid in ("P1", "P2", "P3", "P4", "P5"):
        assign(reg, ctx, "ihch_braf", pid)
    record_outcome(reg, "P1", "PD", 8)
    res = record_outcome(reg, "P2", "PR", 8)
    assert res.patient_result == "benefit"
    assert res.events == ["stage 2 opened", "waiting list promoted into stage 2"]
    v = res.cohort
    assert v is not None
    assert (v.state, v.stage, v.enrolled_stage, v.waitlist) == (
        "stage-2 awaiting outcomes",
        2,
        2,
        1,
    )
    again = assign(reg, ctx, "ihch_braf", "P3")
    assert (again.status, again.already, again.cohort.stage) == ("enrolled", True, 2)
    waiting = assign(reg, ctx, "ihch_braf", "P5")
    assert (waiting.status, waiting.queue_position) == ("waitlisted", 1)
    record_outcome(reg, "P3", "SD", 16)
    final = record_outcome(reg, "P4", "PD", 10)
    assert final.events == ["cohort positive"]
    assert one(reg, "T-BRAF-SOLID")["state"] == "positive"
    released = [a for a in audit_entries(reg, patient_id="P5") if a["action"] == "assign.released"]
    assert released[0]["details"]["reason"] == "cohort closed positive"


def test_stage_one_failure_closes_negative_and_releases_the_waiting_list(reg, ctx):
    for pid in ("P1", "P2", "P3"):
        assign(reg, ctx, "ihch_braf", pid)
    record_outcome(reg, "P1", "PD", 8)
    res = record_outcome(reg, "P2", "NE", 4)  # T-BRAF-SOLID replaces NE: P3 takes the slot
    assert res.events == ["waiting list promoted into stage 1"]
    res = record_outcome(reg, "P3", "PD", 9)
    assert res.events == ["cohort negative"]
    v = one(reg, "T-BRAF-SOLID")
    assert (v["state"], v["evaluable"], v["not_evaluable"], v["benefit"]) == ("negative", 2, 1, 0)
    late = assign(reg, ctx, "ihch_braf", "P9")
    assert late.status == "none"
    assert (
        late.reason == "fitting cohort(s) cannot take the patient: T-BRAF-SOLID: cohort is negative"
    )


def test_not_evaluable_keeps_its_slot_when_the_cohort_says_so(reg, ctx):
    assert assign(reg, ctx, "coad_erbb2", "C1", cohort_id="T-ERBB2-BOWEL").status == "enrolled"
    assign(reg, ctx, "coad_erbb2", "C2", cohort_id="T-ERBB2-BOWEL")
    assign(reg, ctx, "coad_erbb2", "C3", cohort_id="T-ERBB2-BOWEL")
    res = record_outcome(reg, "C1", "NE", 2)
    assert res.events == []
    assert res.cohort.slots_left == 0
    assert res.cohort.waitlist == 1


def test_outcome_corrections_are_audited_and_can_change_the_decision(reg, ctx):
    assign(reg, ctx, "ihch_braf", "P1")
    assign(reg, ctx, "ihch_braf", "P2")
    record_outcome(reg, "P1", "PD", 8)
    assert record_outcome(reg, "P2", "PD", 8).events == ["cohort negative"]
    with pytest.raises(AssignmentError) as err:
        record_outcome(reg, "P2", "PR", 8)
    assert err.value.message == "an assessment at week 8 is already recorded for P2 (PD)"
    assert err.value.hint == "pass --correct to replace it (the correction is audited)"
    fixed = record_outcome(reg, "P2", "PR", 8, correct=True, assessed_on="2026-03-02")
    assert fixed.corrected is not None
    assert fixed.corrected.response == "PD"
    assert fixed.events == ["cohort reopened at stage 2 after a correction"]
    audit = [a for a in audit_entries(reg, patient_id="P2") if a["action"] == "outcome.correct"]
    assert audit[0]["details"]["old"]["response"] == "PD"
    assert audit[0]["details"]["response"] == "PR"
    assert audit[0]["user"] == "tester"
    with pytest.raises(AssignmentError, match="nothing to correct at week 30 for P2"):
        record_outcome(reg, "P2", "SD", 30, correct=True)


def test_a_patient_is_in_one_cohort_at_a_time_and_never_twice_in_the_same(reg, ctx):
    first = assign(reg, ctx, "coad_erbb2", "C1")
    assert first.status == "enrolled"
    # same evidence (one match): the earliest opened cohort wins (T-ERBB2-CRC is loaded first)
    assert first.cohort.id == "T-ERBB2-CRC"
    assert [a.cohort_id for a in first.alternatives] == ["T-ERBB2-BOWEL"]
    again = assign(reg, ctx, "coad_erbb2", "C1", cohort_id="T-ERBB2-BOWEL")
    assert (again.status, again.already, again.cohort.id) == ("enrolled", True, "T-ERBB2-CRC")
    assert again.reason.startswith("already enrolled in cohort T-ERBB2-CRC")
    record_outcome(reg, "C1", "PD", 8)  # treatment ended: free for another cohort
    moved = assign(reg, ctx, "coad_erbb2", "C1")
    assert (moved.status, moved.cohort.id) == ("enrolled", "T-ERBB2-BOWEL")
    record_outcome(reg, "C1", "PD", 8)
    never = assign(reg, ctx, "coad_erbb2", "C1")
    assert never.status == "none"
    assert "never twice in the same cohort" in never.reason


def test_on_label_options_are_a_reason_not_to_enrol(reg, ctx, tmp_path):
    res = assign(reg, ctx, "luad_egfr", "L1")
    assert res.status == "none"
    assert res.reason == (
        "on-label option(s) available: osimertinib for EGFR L858R; standard treatment comes first"
    )
    assert res.on_label[0].drugs == ["osimertinib"]
    exhausted = assign(reg, ctx, "luad_egfr", "L1", on_label_exhausted=True)
    assert (
        exhausted.reason == "no off-label match for an approved drug (nothing a cohort could offer)"
    )


def test_resistance_marker_blocks_the_cohort(reg, ctx):
    res = assign(reg, ctx, "coad_erbb2_kras", "K1")
    assert res.status == "none"
    assert {b.cohort_id for b in res.not_eligible} == {"T-ERBB2-CRC", "T-ERBB2-BOWEL"}
    assert res.not_eligible[0].reason == "resistance marker KRAS G12D against trastuzumab"


def test_proposal_open_and_rematch(reg, ctx):
    res = assign(reg, ctx, "thpa_braf_encobini", "T1")
    assert res.status == "proposed"
    assert res.proposals[0].tumor_type == "THPA"
    assert res.proposals[0].drugs == ["binimetinib", "encorafenib"]
    assign(reg, ctx, "thpa_braf_encobini", "T2")
    props = list_proposals(reg)
    assert len(props) == 1
    assert props[0].patients == ["T1", "T2"]
    assert rematch(reg, catalog=ctx[0], tree=ctx[1], new_catalog=False) == []
    row = open_from_proposal(reg, props[0].proposal_id, tumor_types=["THYROID"])
    assert row.id == "NEW-THPA-BRAF-V600E-BINIMETINIB-ENCORAFENIB"
    found = rematch(reg, catalog=ctx[0], tree=ctx[1], new_catalog=False)
    assert [(f.patient_id, f.cohorts) for f in found] == [
        ("T1", [row.id]),
        ("T2", [row.id]),
    ]
    assert assign(reg, ctx, "thpa_braf_encobini", "T1").status == "enrolled"
    with pytest.raises(AssignmentError, match="already accepted as cohort"):
        open_from_proposal(reg, props[0].proposal_id)


def test_rematch_with_a_catalog_matches_stored_variants_again(reg, ctx):
    assign(reg, ctx, "thap_braf_encobini", "T1")  # proposed: stored, not in a cohort
    found = rematch(reg, catalog=ctx[0], tree=ctx[1], new_catalog=True)
    # matched again with the real catalog: BRAF V600E in anaplastic thyroid cancer is off-label
    # under the EMA for dabrafenib + trametinib (the EU thyroid indication is differentiated
    # thyroid cancer only), which T-BRAF-SOLID offers
    assert [f.cohorts for f in found if f.patient_id == "T1"] == [["T-BRAF-SOLID"]]


def test_rematch_with_the_catalog_drops_a_cohort_when_an_approval_appears(reg, ctx):
    # BRAF V600E papillary thyroid cancer: on-label under the EMA since the 2026 Tafinlar +
    # Mekinist indication "locally advanced or metastatic differentiated thyroid cancer with a
    # BRAF V600E mutation", so the solid-tumour cohort is not offered on a rematch
    assign(reg, ctx, "thpa_braf_encobini", "T1")
    found = rematch(reg, catalog=ctx[0], tree=ctx[1], new_catalog=True)
    (t1,) = [f for f in found if f.patient_id == "T1"]
    assert (t1.cohorts, t1.match) == ([], None)  # no cohort offered; listed to look at again
    assert "dabrafenib + trametinib: new, on-label" in " ".join(t1.review)


def test_no_match_no_cohort(reg, ctx):
    res = assign(reg, ctx, "paad_none", "N1")
    assert (res.status, res.cohort) == ("none", None)
    with pytest.raises(AssignmentError, match="a patient pseudonym is needed"):
        assign(reg, ctx, "paad_none", "anonymous")


def test_suspend_resume_and_close(reg, ctx):
    suspend_cohort(reg, "T-BRAF-SOLID", "drug supply")
    res = assign(reg, ctx, "ihch_braf", "P1")
    assert (
        res.reason == "fitting cohort(s) cannot take the patient: T-BRAF-SOLID: cohort is suspended"
    )
    assert one(reg, "T-BRAF-SOLID")["state"] == "suspended"
    assert open_cohort(reg, "T-BRAF-SOLID") == ["resumed"]
    assert assign(reg, ctx, "ihch_braf", "P1").status == "enrolled"
    close_cohort(reg, "T-BRAF-SOLID", "sponsor withdrew")
    with pytest.raises(AssignmentError, match="cohort T-BRAF-SOLID is closed and cannot reopen"):
        open_cohort(reg, "T-BRAF-SOLID")
    actions = [a["action"] for a in audit_entries(reg, cohort_id="T-BRAF-SOLID")]
    assert actions == [
        "cohort.create",
        "cohort.suspend",
        "cohort.resume",
        "assign.enrolled",
        "cohort.close",
    ]


def test_audit_rows_are_utc_and_name_the_user(reg, ctx):
    assign(reg, ctx, "ihch_braf", "P1")
    rows = audit_entries(reg, patient_id="P1")
    assert [r["action"] for r in rows] == ["patient.register", "assign.enrolled"]
    assert all(r["at"].endswith("+00:00") and r["user"] == "tester" for r in rows)
    assert rows[0]["details"] == {"tumor_type": "IHCH", "matches": 1}


def test_report_cohort_status(reg, ctx, tmp_path):
    statuses = cohort_status(case("ihch_braf", "P1"), str(tmp_path / "r.sqlite"))
    assert [(s.cohort_id, s.status, s.slots_left, s.stage_size) for s in statuses] == [
        ("T-BRAF-SOLID", "eligible", 2, 2)
    ]
    assert statuses[0].biomarker == "BRAF V600E"
    assign(reg, ctx, "ihch_braf", "P1")
    after = cohort_status(case("ihch_braf", "P1"), str(tmp_path / "r.sqlite"))
    assert (after[0].status, after[0].slots_left) == ("enrolled", 1)


def test_older_registry_is_upgraded_newer_refused(tmp_path):
    path = str(tmp_path / "old.sqlite")
    old = Registry(make_engine(path, create=True), path, "tester")
    assert migrate(old, target_version=1) == [1]
    old.close()
    upgraded = open_registry(path, user="tester")
    with upgraded.transaction(write=False) as conn:
        assert current_version(conn) == SCHEMA_VERSION == 4
    assert [a["details"]["version"] for a in audit_entries(upgraded)] == [1, 2, 3, 4]
    with upgraded.transaction() as conn:
        conn.execute(insert(migrations_table).values(version=99, name="future", applied_at="x"))
    upgraded.close()
    with pytest.raises(RegistryVersionError) as err:
        open_registry(path)
    assert err.value.message == (
        "registry schema version 99 is newer than this tumorboard supports (4)"
    )
    assert err.value.where == path


def test_missing_registry_is_not_created_silently(tmp_path):
    with pytest.raises(RegistryError) as err:
        open_registry(str(tmp_path / "nope.sqlite"))
    assert err.value.message == "registry not found"
    assert not (tmp_path / "nope.sqlite").exists()


def test_sync_definitions_never_rewrites_a_cohort(reg, ctx):
    defs = load_cohorts(DATA / "small.yaml", catalog=ctx[0], tree=ctx[1])
    changed = [defs[0].model_copy(update={"notes": "edited"}), *defs[1:]]
    report = sync_definitions(reg, changed)
    assert (report[0].cohort_id, report[0].action) == ("T-BRAF-SOLID", "differs (registry kept)")
    assert {r.action for r in report[1:]} == {"unchanged"}


@pytest.mark.parametrize(
    ("name", "where", "message"),
    [
        (
            "bad_biomarker",
            "bad_biomarker.yaml:6",
            "X-2: biomarker 'BRCA_TYPO' is not a catalog biomarker rule",
        ),
        (
            "bad_scope",
            "bad_scope.yaml:5",
            "cohorts[0].tumor_types: give either include: [codes] or solid: true (exactly one)",
        ),
        (
            "bad_design",
            "bad_design.yaml:6",
            "cohorts[0].design: invalid two-stage design "
            "(n1=8, r1=0, n=6, r=4): n must be at least n1",
        ),
        ("bad_code", "bad_code.yaml:2", "X-1: unknown OncoTree code 'PAADX'"),
        ("duplicate", "duplicate.yaml:6", "duplicate cohort id 'X-1' (first at line 2)"),
    ],
)
def test_definition_errors_say_file_and_line(ctx, name, where, message):
    with pytest.raises(CatalogSchemaError) as err:
        load_cohorts(DATA / f"{name}.yaml", catalog=ctx[0], tree=ctx[1])
    assert err.value.message == message
    assert err.value.where == str(DATA / where)


def test_bundled_cohorts_are_valid_and_impress_like(ctx):
    warnings: list[str] = []
    defs = {d.id: d for d in load_cohorts(catalog=ctx[0], tree=ctx[1], warnings=warnings)}
    assert len(defs) >= 15
    assert warnings == []
    braf = defs["IMPRESS-BRAF-V600-DT-SOLID"]
    tree = ctx[1]
    assert braf.tumor_types.covers("IHCH", tree)
    assert not braf.tumor_types.covers("SKCM", tree)  # melanoma: on-label
    assert not braf.tumor_types.covers("DLBCLNOS", tree)  # not solid
    assert defs["IMPRESS-ERBB2-AMP-TP-CRC"].tumor_types.covers("READ", tree)
    assert not defs["IMPRESS-BRCA-OLA-SOLID"].tumor_types.covers("HGSOC", tree)
    assert defs["IMPRESS-MSI-NIVO-SOLID"].drugs == ["nivolumab"]
    assert all(
        (d.design.n1, d.design.r1, d.design.n, d.design.r) == (8, 0, 24, 4) for d in defs.values()
    )


def test_stored_case_keeps_no_name(reg, ctx):
    assign(reg, ctx, "ihch_braf", "P1")
    from tumorboard.cohorts.registry import patients

    with reg.transaction(write=False) as conn:
        row = conn.execute(select(patients)).mappings().one()
    assert set(row["case_data"]) == {
        "tumor_type",
        "lineage",
        "jurisdiction",
        "catalog",
        "matches",
        "variants",
        "biomarkers",
    }


def test_highest_evidence_wins_over_earliest_opened(tmp_path, ctx):
    from tumorboard.cohorts.definitions import CohortDefinition, TumorScope
    from tumorboard.models import Evidence
    from tumorboard.ranking import top_option

    defs = [  # the ERBB2 cohort opens first; the BRAF one later
        CohortDefinition(
            id="A-ERBB2",
            drugs=["trastuzumab", "pertuzumab"],
            biomarker="ERBB2_AMP",
            tumor_types=TumorScope(include=["BOWEL"]),
        ),
        CohortDefinition(
            id="B-BRAF",
            drugs=["dabrafenib", "trametinib"],
            biomarker="BRAF_V600",
            tumor_types=TumorScope(include=["BOWEL"]),
        ),
    ]
    base, braf = case("coad_erbb2", "E1"), case("ihch_braf", "x")
    stronger = braf.matches[0].model_copy(
        update={"evidence": Evidence(scale="ESCAT", level="I-C", rank=30)}
    )
    both = base.model_copy(
        update={"variants": [*base.variants, *braf.variants], "matches": [*base.matches, stronger]}
    )
    with open_registry(str(tmp_path / "e.sqlite"), user="t", create=True) as reg:
        sync_definitions(reg, defs)
        res = assign_case(reg, both, catalog=ctx[0], tree=ctx[1])
        assert (res.status, res.cohort.id) == ("enrolled", "B-BRAF")
        assert [a.cohort_id for a in res.alternatives] == ["A-ERBB2"]
        same = both.model_copy(
            update={
                "patient": both.patient.model_copy(update={"id": "E2"}),
                "matches": [*base.matches, braf.matches[0]],
            }
        )
        tie = assign_case(reg, same, catalog=ctx[0], tree=ctx[1])
        # equal evidence: the patient's one ranking decides (the report's strongest option),
        # not the cohort opened first; opening dates only order cohorts for the same option
        top = top_option(same)  # same.top_option is stale: model_copy does not re-validate
        assert top is not None
        assert top.drugs == ["dabrafenib", "trametinib"]
        assert tie.cohort is not None
        assert tie.cohort.id == "B-BRAF"


def test_a_corrected_not_evaluable_patient_never_overfills_the_stage(reg, ctx):
    """Found by the state machine: P2's NE is replaced by the waiting P8, then corrected back to
    CR. The stage keeps its two counted slots; the third patient is noted, never counted."""
    for pid in ("P0", "P2", "P8"):
        assign(reg, ctx, "ihch_braf", pid)
    record_outcome(reg, "P2", "CR", 16)
    record_outcome(reg, "P2", "NE", 16, correct=True)  # slot refilled by P8
    assert one(reg, "T-BRAF-SOLID")["waitlist"] == 0
    res = record_outcome(reg, "P2", "CR", 16, correct=True)
    assert res.cohort is not None
    assert res.cohort.enrolled_stage == 2  # never more than the stage's slots
    assert res.cohort.enrolled == 3
    assert any("P8 is beyond stage 1's 2 slots after a correction" in n for n in res.cohort.notes)
