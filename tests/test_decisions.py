"""Board decisions in the registry (issue 15): record, amend with history, options, notes, audit,
`cohort assign --decided`, and a hypothesis state machine over record/amend."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

from tumorboard.casefile import load_case
from tumorboard.catalog import load_catalog
from tumorboard.cohorts.assign import assign_case
from tumorboard.cohorts.definitions import load_cohorts
from tumorboard.cohorts.manage import audit_entries, sync_definitions
from tumorboard.cohorts.registry import audit, decisions, open_registry
from tumorboard.decisions.choices import ranked_options, resolve
from tumorboard.decisions.store import (
    check_meeting_date,
    decided_options,
    decision_state,
    record_decision,
)
from tumorboard.decisions.views import Choice, option_status
from tumorboard.errors import DecisionError
from tumorboard.models import CaseResult, Evidence, Match
from tumorboard.oncotree import OncoTree

DATA = Path(__file__).parent / "data" / "cohorts"
GOLDEN = Path(__file__).parent / "golden_reports"
CATALOG, TREE = load_catalog(), OncoTree.load()
DEFS = load_cohorts(DATA / "small.yaml", catalog=CATALOG, tree=TREE)
DAY = "2026-03-12"
OPEN_NOTE = (
    "dabrafenib + trametinib is off-label for IHCH (EMA); open cohort T-BRAF-SOLID fits this "
    "patient (when this decision was recorded: stage 1, 2 of 2 slots left): enrol with "
    "`tumorboard cohort assign --decided`"
)


def case(name: str, pid: str = "P1", folder: Path = DATA) -> CaseResult:
    c = load_case(folder / f"{name}.json" if folder == DATA else folder / name / "case.json")
    return c.model_copy(update={"patient": c.patient.model_copy(update={"id": pid})})


@pytest.fixture
def reg(tmp_path: Path):
    registry = open_registry(str(tmp_path / "r.sqlite"), user="dr-a", create=True)
    sync_definitions(registry, DEFS)
    yield registry
    registry.close()


def record(reg: Any, c: CaseResult, options: list[str], **kw: Any):
    kw.setdefault("rationale", "the board's reasons")
    kw.setdefault("meeting_date", DAY)
    return record_decision(reg, c, resolve(c, options), catalog=CATALOG, tree=TREE, **kw)


def test_record_stores_choice_rationale_date_catalog_user_and_audit(reg) -> None:
    c = case("ihch_braf")
    done = record(reg, c, ["1"], rationale="  BRAF V600E; cohort open  ")
    d = done.decision
    assert (d.patient_id, d.version, d.current, d.superseded_by) == ("P1", 1, True, None)
    assert [(ch.kind, ch.rank, ch.drugs) for ch in d.choices] == [
        ("option", 1, ("dabrafenib", "trametinib"))
    ]
    assert d.choices[0].match == c.matches[0]
    assert (d.rationale, d.meeting_date, d.tumor_type) == ("BRAF V600E; cohort open", DAY, "IHCH")
    assert d.catalog == c.catalog
    assert d.case_ref == {
        "created": c.created.isoformat(),
        "tumorboard_version": c.tumorboard_version,
        "jurisdiction": "EMA",
    }
    assert d.recorded_by == "dr-a"
    assert d.recorded_at.endswith("+00:00")
    assert done.notes == [OPEN_NOTE]
    assert d.notes == (OPEN_NOTE,)
    assert done.previous is None
    rows = audit_entries(reg, patient_id="P1")
    assert [r["action"] for r in rows] == ["patient.register", "decision.record"]
    assert rows[1]["user"] == "dr-a"
    assert rows[1]["details"] == {
        "version": 1,
        "meeting_date": DAY,
        "choices": [
            "dabrafenib + trametinib for BRAF V600E (off-label, ESCAT III-A)",
        ],
        "rationale": "BRAF V600E; cohort open",
        "catalog": c.catalog.model_dump(mode="json"),
        "supersedes": None,
        "notes": [OPEN_NOTE],
    }
    assert decision_state(reg, "P1").history == (d,)


def test_a_decision_is_never_overwritten_only_amended(reg) -> None:
    c = case("ihch_braf")
    first = record(reg, c, ["1"]).decision
    with pytest.raises(DecisionError) as err:
        record(reg, c, ["no targeted option"])
    assert err.value.message == (
        "a decision is already recorded for patient P1 (version 1, meeting 2026-03-12, by dr-a)"
    )
    assert err.value.hint == (
        "decisions are never overwritten: amend it with `tumorboard decision amend` (or "
        "`decision record --amend`); the earlier version is kept"
    )
    second = record(reg, c, ["re-biopsy"], rationale="tumour content too low", amend=True)
    assert (second.decision.version, second.previous) == (2, first)
    state = decision_state(reg, "P1")
    assert [(d.version, d.superseded_by, d.short()) for d in state.history] == [
        (1, 2, "dabrafenib + trametinib"),
        (2, None, "re-biopsy"),
    ]
    assert state.current == second.decision
    assert state.history[0].rationale == "the board's reasons"  # the old version is kept
    rows = audit_entries(reg, patient_id="P1")
    assert [r["action"] for r in rows] == ["patient.register", "decision.record", "decision.amend"]
    assert rows[-1]["details"]["supersedes"] == 1


def test_amend_needs_a_decision_and_a_change(reg) -> None:
    c = case("ihch_braf")
    with pytest.raises(DecisionError) as err:
        record(reg, c, ["1"], amend=True)
    assert (
        err.value.message == "no decision is recorded for patient P1, so there is nothing to amend"
    )
    record(reg, c, ["1"])
    with pytest.raises(DecisionError) as err:
        record(reg, c, ["dabrafenib+trametinib"], amend=True)
    assert err.value.message == "nothing to amend: version 1 already says this"
    with reg.transaction(write=False) as conn:
        assert len(conn.execute(select(decisions)).all()) == 1


def test_refused_changes_leave_no_row_and_no_audit(reg) -> None:
    c = case("ihch_braf", "anonymous")
    with pytest.raises(DecisionError) as err:
        record(reg, c, ["1"])
    assert err.value.message == "a patient pseudonym is needed to record a decision"
    with pytest.raises(DecisionError) as err:
        record(reg, case("ihch_braf"), ["1"], rationale="   ")
    assert (err.value.message, err.value.hint) == (
        "the rationale is empty",
        "say why the board decided this (--rationale TEXT)",
    )
    with pytest.raises(DecisionError) as err:
        record(reg, case("ihch_braf"), ["1"], rationale="x" * 5001)
    assert err.value.message == "the rationale has 5001 characters (at most 5000)"
    with reg.transaction(write=False) as conn:
        assert conn.execute(select(decisions)).first() is None
        assert conn.execute(select(audit).where(audit.c.patient_id == "P1")).first() is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12.03.2026", "meeting date '12.03.2026' is not YYYY-MM-DD"),
        ("2026-02-30", "meeting date '2026-02-30' is not a real date"),
        ("2026-03-14", "meeting date 2026-03-14 is in the future"),
    ],
)
def test_meeting_date_is_checked(value: str, message: str) -> None:
    with pytest.raises(DecisionError) as err:
        check_meeting_date(value, today=date(2026, 3, 12))
    assert err.value.message == message
    assert err.value.hint == "the date of the board meeting, e.g. 2026-03-12"


def test_meeting_date_defaults_to_today_and_allows_tomorrow_for_time_zones() -> None:
    assert check_meeting_date(None, today=date(2026, 3, 12)) == "2026-03-12"
    assert check_meeting_date("2026-03-13", today=date(2026, 3, 12)) == "2026-03-13"


def test_options_are_the_reports_ranking_one_per_drug_set() -> None:
    c = case("ihch_braf_idh1", folder=GOLDEN)
    assert [m.drugs for m in ranked_options(c)] == [["ivosidenib"], ["dabrafenib", "trametinib"]]
    by_rank = resolve(c, ["2"])[0]
    assert (by_rank.rank, by_rank.drugs) == (2, ("dabrafenib", "trametinib"))
    for spelling in ("trametinib+dabrafenib", "Dabrafenib, Trametinib", " dabrafenib + trametinib"):
        assert resolve(c, [spelling]) == (by_rank,)
    words = resolve(c, ["germline testing", "RE_BIOPSY", "clinical-trial-elsewhere"])
    assert [w.kind for w in words] == ["germline-testing", "re-biopsy", "clinical-trial-elsewhere"]
    assert all(w.match is None and w.rank is None for w in words)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["3"], "option 3 does not exist: the case has 2 drug option(s)"),
        (["0"], "option 0 does not exist: the case has 2 drug option(s)"),
        (["imatinib"], "'imatinib' is neither a drug option of this case nor a known choice"),
        (["dabrafenib"], "'dabrafenib' is neither a drug option of this case nor a known choice"),
        (["1", "ivosidenib"], "the same option is given twice"),
        (["no targeted option", "2"], "'no targeted option' cannot go with a drug option"),
        ([], "no option given"),
    ],
)
def test_bad_options_are_refused(values: list[str], message: str) -> None:
    with pytest.raises(DecisionError) as err:
        resolve(case("ihch_braf_idh1", folder=GOLDEN), values)
    assert err.value.message == message


def test_unknown_option_hint_lists_the_options() -> None:
    with pytest.raises(DecisionError) as err:
        resolve(case("ihch_braf_idh1", folder=GOLDEN), ["9"])
    assert err.value.hint == (
        "choose 1 = ivosidenib; 2 = dabrafenib + trametinib, or one of: no-targeted-option, "
        "clinical-trial-elsewhere, re-biopsy, germline-testing (`tumorboard decision options "
        "CASE.json` lists the options)"
    )


def test_recording_names_resistance_and_cohorts_that_cannot_take_the_patient(reg) -> None:
    c = case("coad_erbb2_kras")
    done = record(reg, c, ["pertuzumab+trastuzumab"])
    assert done.notes == [
        "cohort T-ERBB2-BOWEL offers pertuzumab + trastuzumab but not now: resistance marker "
        "KRAS G12D against trastuzumab",
        "cohort T-ERBB2-CRC offers pertuzumab + trastuzumab but not now: resistance marker "
        "KRAS G12D against trastuzumab",
        "resistance: KRAS G12D predicts resistance to trastuzumab",
    ]


def _match(label: str, **extra: Any) -> Match:
    return Match.model_validate(
        {
            "gene": "BRCA2",
            "biomarker": "BRCA2 E1593*",
            "drugs": ["olaparib"],
            "label": label,
            "effect": "sensitive",
            "jurisdiction": "EMA",
            "evidence": Evidence(scale="ESCAT", level="I-A", rank=1),
            "rule": "r",
            "sources": [],
            "conditions": "after platinum",
            **extra,
        }
    )


def test_option_status_says_on_label_if_when_the_board_must_confirm() -> None:
    plain = option_status(_match("off-label"))
    assert (plain.label, plain.tier, plain.requires, plain.text) == (
        "off-label",
        "off-label",
        (),
        "off-label",
    )
    assert option_status(_match("on-label")).text == "on-label"
    status = option_status(_match("on-label", requires=["germline origin of the mutation"]))
    assert (status.tier, status.requires, status.text) == (
        "on-label-if",
        ("germline origin of the mutation",),
        "on-label if germline origin of the mutation",
    )
    assert Choice("option", 1, ("olaparib",), _match("on-label", requires=["IHC"])).describe() == (
        "olaparib for BRCA2 E1593* (on-label if IHC, ESCAT I-A)"
    )
    assert option_status(_match("on-label", resistance_level="R1")).resistance_level == "R1"


def test_assign_decided_enrols_by_the_decision_and_audits_it(reg) -> None:
    c = case("ihch_braf")
    record(reg, c, ["1"])
    res = assign_case(reg, c, catalog=CATALOG, tree=TREE, decided=decided_options(reg, "P1"))
    assert (res.status, res.cohort.id if res.cohort else None) == ("enrolled", "T-BRAF-SOLID")
    rows = audit_entries(reg, patient_id="P1")
    assert rows[-1]["action"] == "assign.decided"
    assert rows[-1]["details"] == {
        "decision_version": 1,
        "drugs": "dabrafenib + trametinib",
    }
    assert [(e.cohort_id, e.status) for e in decision_state(reg, "P1").enrolment] == [
        ("T-BRAF-SOLID", "enrolled")
    ]


def test_assign_decided_offers_only_the_decided_drugs(reg) -> None:
    c = case("ihch_braf")
    record(reg, c, ["germline testing"])
    with pytest.raises(DecisionError) as err:
        decided_options(reg, "P1")
    assert err.value.message == (
        "the board's decision for patient P1 (version 1) names no drug option (germline testing)"
    )
    with pytest.raises(DecisionError) as err:
        decided_options(reg, "P2")
    assert err.value.message == "no decision is recorded for patient P2"
    from tumorboard.cohorts.assign import Decided

    other = Decided(1, (frozenset({"trastuzumab", "pertuzumab"}),))
    res = assign_case(reg, c, catalog=CATALOG, tree=TREE, decided=other)
    assert res.status == "none"
    assert res.reason == (
        "decided option(s) pertuzumab + trastuzumab: no off-label match for an approved drug "
        "(nothing a cohort could offer)"
    )


# --- a state machine over record / amend --------------------------------------------------------
PATIENTS = ["P1", "P2", "P3"]
CHOICES = ["1", "no targeted option", "re-biopsy", "germline testing"]


class DecisionMachine(RuleBasedStateMachine):
    """Whatever is recorded or amended, in any order: gap-free versions, one current version per
    patient, each superseded version pointing at the next, and one audit row per version."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.mkdtemp(prefix="tb-dec-")
        self.reg = open_registry(str(Path(self.tmp) / "r.sqlite"), user="sm", create=True)
        sync_definitions(self.reg, DEFS)
        self.expected: dict[str, int] = {}

    def teardown(self) -> None:
        self.reg.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    @rule(
        pid=st.sampled_from(PATIENTS),
        choice=st.sampled_from(CHOICES),
        words=st.text(st.characters(categories=["L", "N", "P", "Zs"]), min_size=1, max_size=30),
        amend=st.booleans(),
    )
    def decide(self, pid: str, choice: str, words: str, amend: bool) -> None:
        try:
            record(self.reg, case("ihch_braf", pid), [choice], rationale=f"r {words}", amend=amend)
        except DecisionError as exc:
            if not any(k in exc.message for k in ("already recorded", "nothing to amend")):
                raise  # any other refusal is a bug
            return
        self.expected[pid] = self.expected.get(pid, 0) + 1

    @invariant()
    def versions_are_gap_free_with_one_current(self) -> None:
        for pid in PATIENTS:
            history = decision_state(self.reg, pid).history
            assert [d.version for d in history] == list(range(1, self.expected.get(pid, 0) + 1))
            assert [d.superseded_by for d in history] == [
                *(d.version + 1 for d in history[:-1]),
                *([None] if history else []),
            ]

    @invariant()
    def audit_has_one_row_per_version(self) -> None:
        rows = [r for r in audit_entries(self.reg) if r["action"].startswith("decision.")]
        assert len(rows) == sum(self.expected.values())
        assert all(
            (r["action"] == "decision.record") == (r["details"]["version"] == 1) for r in rows
        )


TestDecisionMachine = DecisionMachine.TestCase
TestDecisionMachine.pytestmark = [pytest.mark.slow]  # type: ignore[attr-defined]
TestDecisionMachine.settings = settings(
    max_examples=15,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
