"""Assign a patient to a cohort: one transaction that locks the patient and the cohort.

``assign_case(registry, case)`` registers the patient (pseudonym, tumour type, the case's
matches, variants and biomarkers for later rematching), then either

* ``enrolled``: an open cohort fits and its running stage has a free slot;
* ``waitlisted``: the best fitting cohort's running stage is full with outcomes pending (the
  reply gives the queue position);
* ``proposed``: no cohort exists for tumour type x biomarker x drug(s); the proposal is stored
  and ``tumorboard cohort open --from-proposal ID`` creates the cohort; or
* ``none``, with the reason (already in a cohort, on-label option, no off-label match, resistance,
  only closed or suspended cohorts...).

A patient is in at most one cohort at a time (also a unique index) and never twice in the same
cohort (unique constraint). Re-running an assignment is safe: it reports the current one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, select, update

from tumorboard.catalog import Catalog
from tumorboard.cohorts.design import verdict
from tumorboard.cohorts.eligibility import Blocked, Eligibility, Fit, evaluate, summarise_match
from tumorboard.cohorts.lifecycle import advance, counts
from tumorboard.cohorts.proposals import ProposalView, add_proposals
from tumorboard.cohorts.registry import ACTIVE, Registry, assignments, cohorts, patients, utcnow
from tumorboard.cohorts.rows import (
    AssignmentRow,
    CohortRow,
    JsonObject,
    MatchSummary,
    PatientRow,
    StoredCase,
)
from tumorboard.errors import AssignmentError
from tumorboard.ids import check_patient_id
from tumorboard.models import CaseResult

if TYPE_CHECKING:
    from tumorboard.oncotree import TreeLike


@dataclass(frozen=True, slots=True)
class Decided:
    """The drug sets of a board decision (``cohort assign --decided``) and its version."""

    version: int
    drug_sets: tuple[frozenset[str], ...]

    def names(self) -> str:
        return "; ".join(" + ".join(sorted(s)) for s in self.drug_sets)

    def restrict(self, elig: Eligibility) -> Eligibility:
        """Only cohorts and proposals for the decided drug sets."""

        def wanted(drugs: Iterable[str]) -> bool:
            return frozenset(d.lower() for d in drugs) in self.drug_sets

        return dataclasses.replace(
            elig,
            available=[f for f in elig.available if wanted(f.cohort.drugs)],
            blocked=[b for b in elig.blocked if wanted(b.drugs)],
            unmatched=[m for m in elig.unmatched if wanted(m.drugs)],
        )


@dataclass(frozen=True, slots=True)
class CohortSummary:
    """The cohort an assignment names, with its running stage."""

    id: str
    title: str
    drugs: list[str]
    biomarker: str
    stage: int
    stage_size: int
    slots_left: int


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another cohort that also fits the patient."""

    cohort_id: str
    title: str
    match: MatchSummary
    opened_at: str | None


@dataclass(slots=True)
class AssignResult:
    """What ``tumorboard cohort assign`` reports (``--format json`` is :meth:`as_dict`)."""

    patient_id: str
    tumor_type: str
    status: str
    reason: str = ""
    cohort: CohortSummary | None = None
    queue_position: int | None = None
    match: MatchSummary | None = None
    alternatives: list[Alternative] = field(default_factory=list)
    proposals: list[ProposalView] = field(default_factory=list)
    on_label: list[MatchSummary] = field(default_factory=list)
    not_eligible: list[Blocked] = field(default_factory=list)
    uncertain: list[MatchSummary] = field(default_factory=list)
    already: bool = False

    def as_dict(self) -> JsonObject:
        return asdict(self)


def case_data(case: CaseResult) -> StoredCase:
    """What the registry keeps per patient: no names, only the pseudonym's case content."""
    return StoredCase.from_case(case)


def register_patient(registry: Registry, conn: Connection, case: CaseResult) -> PatientRow:
    """Insert or update the patient row (audited) and return it locked."""
    pid, stored, now = case.patient.id, StoredCase.from_case(case), utcnow()
    data = stored.as_json()
    row = registry.lock_patient(conn, pid)
    if row is None:
        conn.execute(
            insert(patients).values(
                id=pid,
                tumor_type=stored.tumor_type,
                case_data=data,
                registered_at=now,
                updated_at=now,
            )
        )
        registry.audit(
            conn,
            "patient.register",
            patient_id=pid,
            tumor_type=stored.tumor_type,
            matches=len(stored.matches),
        )
    elif row.case.as_json() != data:
        conn.execute(
            update(patients)
            .where(patients.c.id == pid)
            .values(tumor_type=stored.tumor_type, case_data=data, updated_at=now)
        )
        registry.audit(
            conn,
            "patient.update",
            patient_id=pid,
            tumor_type=stored.tumor_type,
            old_tumor_type=row.tumor_type,
            matches=len(stored.matches),
        )
    locked = registry.lock_patient(conn, pid)
    assert locked is not None
    return locked


def cohort_summary(row: CohortRow, stage: int, slots_left: int) -> CohortSummary:
    return CohortSummary(
        id=row.id,
        title=row.title,
        drugs=list(row.drugs),
        biomarker=row.biomarker,
        stage=stage,
        stage_size=row.design.stage_size(stage),
        slots_left=slots_left,
    )


def _queue_position(conn: Connection, cohort_id: str, seq: int | None) -> int:
    return int(
        conn.execute(
            select(func.count()).where(
                assignments.c.cohort_id == cohort_id,
                assignments.c.status == "waitlisted",
                assignments.c.queue_seq <= (seq or 0),
            )
        ).scalar()
        or 0
    )


def _existing(conn: Connection, pid: str) -> tuple[AssignmentRow | None, dict[str, str]]:
    rows = conn.execute(select(assignments).where(assignments.c.patient_id == pid)).mappings()
    active, joined = None, {}
    for r in rows:
        joined[r["cohort_id"]] = r["status"]
        if r["status"] in ACTIVE:
            active = AssignmentRow.from_row(r)
    return active, joined


def _report_active(
    registry: Registry, conn: Connection, result: AssignResult, active: AssignmentRow
) -> None:
    row = registry.cohort_rows(conn, active.cohort_id)[0]
    c = counts(conn, row)
    v = verdict(row.design, c.stage(1), c.stage(2), stage=row.stage)
    result.status, result.already = active.status, True
    result.cohort = cohort_summary(row, active.stage or v.stage, v.slots_left)
    result.match = active.match
    result.reason = (
        f"already {active.status} in cohort {active.cohort_id}; a patient is in at most "
        "one cohort at a time"
    )
    if active.status == "waitlisted":
        result.queue_position = _queue_position(conn, active.cohort_id, active.queue_seq)


def _take(registry: Registry, conn: Connection, fit: Fit, pid: str, result: AssignResult) -> bool:
    """Lock the cohort and enrol or waitlist the patient; False if it can no longer take them."""
    row = registry.lock_cohort(conn, fit.cohort.id)
    if row is None or row.state != "open" or row.suspended:
        return False
    if advance(registry, conn, row):  # e.g. a resumed cohort first serves its waiting list
        row = registry.lock_cohort(conn, fit.cohort.id)
        if row is None or row.state != "open":
            return False
    c = counts(conn, row)
    v = verdict(row.design, c.stage(1), c.stage(2), stage=row.stage)
    if v.outcome not in ("open", "awaiting"):
        return False
    now, match = utcnow(), summarise_match(fit.match)
    values: dict[str, Any] = {
        "patient_id": pid,
        "cohort_id": row.id,
        "match": match.as_json(),
        "created_at": now,
        "updated_at": now,
    }
    if v.slots_left > 0 and not c.waitlist:
        values.update(status="enrolled", stage=v.stage, enrolled_at=now)
        left = v.slots_left - 1
    else:
        seq = row.waitlist_seq + 1
        conn.execute(update(cohorts).where(cohorts.c.id == row.id).values(waitlist_seq=seq))
        values.update(status="waitlisted", queue_seq=seq)
        left = v.slots_left
    conn.execute(insert(assignments).values(**values))
    result.status, result.match = values["status"], match
    result.cohort = cohort_summary(row, v.stage, left)
    if values["status"] == "waitlisted":
        result.queue_position = _queue_position(conn, row.id, values["queue_seq"])
        result.reason = f"stage {v.stage} is full with outcomes pending"
    registry.audit(
        conn,
        f"assign.{values['status']}",
        cohort_id=row.id,
        patient_id=pid,
        stage=v.stage if values["status"] == "enrolled" else None,
        queue_position=result.queue_position,
        match=match.as_json(),
    )
    return True


def _none_reason(elig: Eligibility, on_label_blocks: bool) -> str:
    if on_label_blocks:
        names = "; ".join(
            f"{'+'.join(m.drugs)} for {m.biomarker}"
            + (f" ({m.label_text})" if m.label_text not in ("", "on-label") else "")
            for m in elig.on_label
        )
        return f"on-label option(s) available: {names}; standard treatment comes first"
    if elig.blocked:
        return "fitting cohort(s) cannot take the patient: " + "; ".join(
            f"{b.cohort_id}: {b.reason}" for b in elig.blocked
        )
    if elig.uncertain and not elig.candidates:
        return "only matches whose label status is uncertain; the board must review them"
    return "no off-label match for an approved drug (nothing a cohort could offer)"


def assign_case(
    registry: Registry,
    case: CaseResult,
    *,
    catalog: Catalog | None,
    tree: TreeLike,
    cohort_id: str | None = None,
    on_label_exhausted: bool = False,
    decided: Decided | None = None,
    before_commit: Callable[[], None] | None = None,
) -> AssignResult:
    """Register the case's patient and assign them (see the module docstring).

    ``decided``: only cohorts offering a drug set the board decided on (audited with the
    decision's version). ``before_commit`` runs inside the transaction just before it commits
    (tests use it to hold the transaction open, or to kill the process there).
    """
    pid = case.patient.id
    if not pid or pid == "anonymous":
        raise AssignmentError(
            "a patient pseudonym is needed to assign a cohort",
            hint="pass --patient-id (a pseudonym, never a name or national ID)",
        )
    check_patient_id(pid, "--patient-id", files=False, error=AssignmentError)
    result = AssignResult(patient_id=pid, tumor_type=case.patient.tumor_type, status="none")
    with registry.transaction() as conn:
        patient = register_patient(registry, conn, case)
        active, joined = _existing(conn, pid)
        if active is not None:
            _report_active(registry, conn, result, active)
            return result
        rows = registry.cohort_rows(conn)
        elig = evaluate(patient.case, rows, catalog=catalog, tree=tree, joined=joined)
        if decided is not None:
            elig = decided.restrict(elig)
        _fill_lists(result, elig)
        blocks = bool(elig.on_label) and not on_label_exhausted
        fits = _chosen(elig, cohort_id) if not blocks else []
        if any(_take(registry, conn, fit, pid, result) for fit in fits):
            taken = result.cohort.id if result.cohort else None
            result.alternatives = [_alt(f) for f in elig.available if f.cohort.id != taken]
            if decided is not None:
                registry.audit(conn, "assign.decided", cohort_id=taken, patient_id=pid,
                               decision_version=decided.version, drugs=decided.names())  # fmt: skip
        elif elig.unmatched and not blocks:
            result.status = "proposed"
            result.proposals = add_proposals(registry, conn, patient, elig.unmatched, catalog)
            result.reason = "no cohort exists for this tumour type x biomarker x drug(s)"
        else:
            result.reason = _none_reason(elig, blocks)
            if fits:
                result.reason = "every fitting cohort closed or filled meanwhile"
            if decided is not None:
                result.reason = f"decided option(s) {decided.names()}: {result.reason}"
            registry.audit(conn, "assign.none", patient_id=pid, reason=result.reason)
        if before_commit is not None:
            before_commit()
    return result


def _chosen(elig: Eligibility, cohort_id: str | None) -> list[Fit]:
    if cohort_id is None:
        return elig.available
    chosen = [f for f in elig.available if f.cohort.id == cohort_id]
    if not chosen:
        blocked = {b.cohort_id: b.reason for b in elig.blocked}
        why = blocked.get(
            cohort_id,
            "it does not fit this patient's tumour type x biomarker x "
            "drug(s) (off-label matches only)",
        )
        raise AssignmentError(
            f"cannot assign to cohort {cohort_id}: {why}",
            hint="run without --cohort to see the fitting cohorts",
        )
    return chosen


def _alt(fit: Fit) -> Alternative:
    return Alternative(
        cohort_id=fit.cohort.id,
        title=fit.cohort.title,
        match=summarise_match(fit.match),
        opened_at=fit.cohort.opened_at,
    )


def _fill_lists(result: AssignResult, elig: Eligibility) -> None:
    result.on_label = [summarise_match(m) for m in elig.on_label]
    result.uncertain = [summarise_match(m) for m in elig.uncertain]
    result.not_eligible = list(elig.blocked)


__all__ = [
    "AssignResult",
    "CohortSummary",
    "Decided",
    "assign_case",
    "case_data",
    "cohort_summary",
    "register_patient",
]
