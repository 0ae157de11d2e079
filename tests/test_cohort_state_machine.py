"""A hypothesis state machine over assign / outcome / open / suspend / close, checking the
registry's invariants after every step: no stage over-filled, one active cohort per patient,
never twice in the same cohort, stage rules, and counts equal to what the audit log says."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
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
from tumorboard.cohorts.design import verdict
from tumorboard.cohorts.lifecycle import counts
from tumorboard.cohorts.manage import close_cohort, open_cohort, suspend_cohort, sync_definitions
from tumorboard.cohorts.outcomes import record_outcome
from tumorboard.cohorts.registry import ACTIVE, assignments, audit, open_registry
from tumorboard.cohorts.rows import CohortRow
from tumorboard.errors import AssignmentError
from tumorboard.oncotree import OncoTree

DATA = Path(__file__).parent / "data" / "cohorts"
CATALOG, TREE = load_catalog(), OncoTree.load()
DEFS = load_cohorts(DATA / "small.yaml", catalog=CATALOG, tree=TREE)
COHORTS = [d.id for d in DEFS]
CASES = {name: load_case(DATA / f"{name}.json") for name in ("ihch_braf", "coad_erbb2")}
PATIENTS = [f"P{i}" for i in range(10)]


def _case(pid: str) -> Any:
    base = CASES["ihch_braf" if int(pid[1:]) % 2 == 0 else "coad_erbb2"]
    return base.model_copy(update={"patient": base.patient.model_copy(update={"id": pid})})


def _expected(exc: AssignmentError, texts: tuple[str, ...]) -> None:
    """Refusals the rules may provoke; anything else is a bug and is raised again."""
    if not any(t in exc.message for t in texts):
        raise exc


class RegistryMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.mkdtemp(prefix="tb-sm-")
        self.reg = open_registry(str(Path(self.tmp) / "r.sqlite"), user="sm", create=True)
        sync_definitions(self.reg, DEFS)

    def teardown(self) -> None:
        self.reg.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    @rule(pid=st.sampled_from(PATIENTS))
    def assign(self, pid: str) -> None:
        res = assign_case(self.reg, _case(pid), catalog=CATALOG, tree=TREE)
        assert res.status in ("enrolled", "waitlisted", "none")
        if res.status == "waitlisted":
            assert res.queue_position is not None
            assert res.queue_position >= 1

    @rule(
        pid=st.sampled_from(PATIENTS),
        response=st.sampled_from(["CR", "PR", "SD", "PD", "NE"]),
        week=st.sampled_from([4, 8, 16, 24]),
        correct=st.booleans(),
    )
    def outcome(self, pid: str, response: str, week: int, correct: bool) -> None:
        try:
            record_outcome(self.reg, pid, response, week, correct=correct)
        except AssignmentError as exc:
            if "after the final one" in exc.message:  # only for a treatment that ended
                with self.reg.transaction(write=False) as conn:
                    rows = conn.execute(
                        select(assignments.c.status).where(assignments.c.patient_id == pid)
                    ).all()
                assert "ended" in {r.status for r in rows}
                return
            _expected(exc, ("not enrolled", "waiting list", "already recorded", "nothing to"))

    @rule(cohort=st.sampled_from(COHORTS), action=st.sampled_from(["open", "suspend", "close"]))
    def administer(self, cohort: str, action: str) -> None:
        try:
            if action == "open":
                open_cohort(self.reg, cohort)
            elif action == "suspend":
                suspend_cohort(self.reg, cohort, "test")
            else:
                close_cohort(self.reg, cohort, "test")
        except AssignmentError as exc:
            _expected(exc, ("cannot reopen", "not open", "already"))

    @invariant()
    def registry_is_consistent(self) -> None:
        with self.reg.transaction(write=False) as conn:
            rows = conn.execute(select(assignments)).mappings().all()
            active = Counter(r["patient_id"] for r in rows if r["status"] in ACTIVE)
            assert max(active.values(), default=0) <= 1  # one cohort at a time
            pairs = Counter((r["patient_id"], r["cohort_id"]) for r in rows)
            assert max(pairs.values(), default=0) <= 1  # never twice in one cohort
            log = Counter(
                (a["cohort_id"], a["action"]) for a in conn.execute(select(audit)).mappings()
            )
            for row in self.reg.cohort_rows(conn):
                self._check_cohort(conn, row, rows, log)

    def _check_cohort(self, conn: Any, row: CohortRow, rows: Any, log: Counter) -> None:
        d, c = row.design, counts(conn, row)
        s1, s2 = c.stage(1), c.stage(2)
        assert s1.holders <= d.n1  # never over-filled
        assert s2.holders <= d.n2
        if s2.holders:
            assert row.stage == 2
        mine = [r for r in rows if r["cohort_id"] == row.id]
        if row.stage == 2:  # stage 2 opened only after a complete, successful stage 1
            assert log[(row.id, "stage.2.opened")] == 1
            assert s1.holders == d.n1
        if row.state in ("positive", "negative"):
            v = verdict(d, s1, s2, stage=row.stage)
            assert v.outcome == row.state
            assert not [r for r in mine if r["status"] == "waitlisted"]
        if row.state == "open" and not row.suspended:
            v = verdict(d, s1, s2, stage=row.stage)
            if c.waitlist:  # nobody waits while a slot is free
                assert v.slots_left == 0
        # counts equal the audit log
        treated = sum(r["status"] in ("enrolled", "ended") for r in mine)
        entered = log[(row.id, "assign.enrolled")] + log[(row.id, "assign.promoted")]
        assert treated == entered
        waiting = sum(r["status"] == "waitlisted" for r in mine)
        queued = log[(row.id, "assign.waitlisted")]
        left = log[(row.id, "assign.promoted")] + log[(row.id, "assign.released")]
        assert waiting == queued - left


TestRegistryMachine = RegistryMachine.TestCase
TestRegistryMachine.pytestmark = [pytest.mark.slow]  # type: ignore[attr-defined]
TestRegistryMachine.settings = settings(
    max_examples=10,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
