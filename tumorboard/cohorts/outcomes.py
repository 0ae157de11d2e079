"""Outcomes: RECIST responses per week, corrections, and the stage transitions they trigger.

Benefit (docs/domain.md §1): CR or PR, or SD at week 16 or later (the cohort's ``sd_weeks``). NE
(not evaluable) never counts; with ``replace_not_evaluable`` its slot goes to the next patient.
One assessment per patient and week; a second one for the same week is a correction
(``correct=True``), which supersedes the first and is audited with the old and new values.
A final no-benefit or NE result ends the patient's treatment in the cohort: after it, only
corrections are accepted (a late assessment would reopen the patient and change the cohort's
benefit count).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Connection, insert, select, update

from tumorboard.cohorts.design import RESPONSES, patient_result
from tumorboard.cohorts.lifecycle import CohortView, advance, assessments_by_assignment, view
from tumorboard.cohorts.registry import ACTIVE, Registry, assignments, outcomes, utcnow
from tumorboard.cohorts.rows import AssignmentRow
from tumorboard.errors import AssignmentError
from tumorboard.ids import check_patient_id


@dataclass(frozen=True, slots=True)
class Assessment:
    """One recorded RECIST assessment (the replaced one, in a correction)."""

    response: str
    week: int
    assessed_on: str
    confirmed: bool


@dataclass(slots=True)
class OutcomeResult:
    """What ``tumorboard cohort outcome`` reports."""

    patient_id: str
    cohort_id: str
    response: str
    week: int
    assessed_on: str
    confirmed: bool
    corrected: Assessment | None
    patient_result: str
    events: list[str] = field(default_factory=list)
    cohort: CohortView | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check(response: str, week: int, assessed_on: str | None) -> tuple[str, str]:
    code = response.strip().upper()
    if code not in RESPONSES:
        raise AssignmentError(
            f"unknown response {response!r}", hint="use a RECIST category: CR, PR, SD, PD or NE"
        )
    if week < 0 or week > 520:
        raise AssignmentError(
            f"week {week} is out of range", hint="weeks since treatment start, 0-520"
        )
    day = assessed_on or datetime.now(timezone.utc).date().isoformat()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        raise AssignmentError(f"assessment date {day!r} is not YYYY-MM-DD", hint="e.g. 2026-03-02")
    try:
        date.fromisoformat(day)
    except ValueError as exc:
        raise AssignmentError(
            f"assessment date {day!r} is not a real date", hint="e.g. 2026-03-02"
        ) from exc
    return code, day


def _treated(conn: Connection, patient_id: str) -> AssignmentRow:
    rows = (
        conn.execute(
            select(assignments)
            .where(assignments.c.patient_id == patient_id)
            .order_by(assignments.c.id.desc())
        )
        .mappings()
        .all()
    )
    for r in rows:
        if r["status"] in ("enrolled", "ended"):
            return AssignmentRow.from_row(r)
    if any(r["status"] == "waitlisted" for r in rows):
        raise AssignmentError(
            f"patient {patient_id} is on a waiting list, not treated in a cohort",
            hint="record outcomes once the patient is enrolled",
        )
    raise AssignmentError(
        f"patient {patient_id} is not enrolled in any cohort",
        hint="check the pseudonym; `tumorboard cohort status` lists cohorts",
    )


def _current_at_week(
    conn: Connection, assignment_id: int, week: int
) -> tuple[int, Assessment] | None:
    """The current (not superseded) assessment at ``week``: (outcome row id, assessment)."""
    row = (
        conn.execute(
            select(outcomes).where(
                outcomes.c.assignment_id == assignment_id,
                outcomes.c.week == week,
                outcomes.c.superseded_by.is_(None),
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return row["id"], Assessment(
        row["response"], row["week"], row["assessed_on"], bool(row["confirmed"])
    )


def _after_final(conn: Connection, a: AssignmentRow, week: int) -> AssignmentError:
    """A new assessment for a patient whose treatment ended (final PD or NE) is refused: it
    would reopen the patient and change the cohort's benefit count."""
    rows = assessments_by_assignment(conn, [a.id])[a.id]
    final = max(
        ((w, r) for r, w in rows if r in ("PD", "NE")), default=None, key=lambda item: item[0]
    )
    said = f" with {final[1]} at week {final[0]}" if final else ""
    return AssignmentError(
        f"treatment of {a.patient_id} in {a.cohort_id} ended{said}; no assessment is recorded "
        f"after the final one (week {week} was given)",
        hint="to change a recorded assessment, pass --correct with its week (audited); a "
        "corrected final assessment reopens the patient only if it no longer ends treatment",
    )


def _restatus(conn: Connection, a: AssignmentRow, result: str) -> None:
    """Final no-benefit / NE ends treatment (free for another cohort); otherwise enrolled."""
    wanted = "ended" if result in ("no-benefit", "not-evaluable") else "enrolled"
    if wanted == a.status:
        return
    if wanted == "enrolled":
        other = conn.execute(
            select(assignments.c.id).where(
                assignments.c.patient_id == a.patient_id,
                assignments.c.id != a.id,
                assignments.c.status.in_(ACTIVE),
            )
        ).first()
        if other is not None:
            return  # already active elsewhere: the outcome still counts in this cohort
    conn.execute(
        update(assignments)
        .where(assignments.c.id == a.id)
        .values(status=wanted, updated_at=utcnow())
    )


def record_outcome(
    registry: Registry,
    patient_id: str,
    response: str,
    week: int,
    *,
    assessed_on: str | None = None,
    confirmed: bool = False,
    correct: bool = False,
) -> OutcomeResult:
    """Record (or correct) one assessment, then apply the stage rules. One transaction."""
    check_patient_id(patient_id, "--patient-id", files=False, error=AssignmentError)
    code, day = _check(response, week, assessed_on)
    with registry.transaction() as conn:
        a = _treated(conn, patient_id)
        row = registry.lock_cohort(conn, a.cohort_id)
        assert row is not None
        found = _current_at_week(conn, a.id, week)
        if found is not None and not correct:
            raise AssignmentError(
                f"an assessment at week {week} is already recorded for {patient_id} "
                f"({found[1].response})",
                hint="pass --correct to replace it (the correction is audited)",
            )
        if a.status == "ended" and not correct:
            raise _after_final(conn, a, week)
        if found is None and correct:
            raise AssignmentError(
                f"nothing to correct at week {week} for {patient_id}",
                hint="record it without --correct",
            )
        inserted = conn.execute(
            insert(outcomes).values(
                assignment_id=a.id,
                response=code,
                week=week,
                assessed_on=day,
                confirmed=confirmed,
                recorded_at=utcnow(),
            )
        ).inserted_primary_key
        new_id = inserted[0] if inserted else None
        corrected = None
        if found is not None:
            old_id, corrected = found
            conn.execute(
                update(outcomes).where(outcomes.c.id == old_id).values(superseded_by=new_id)
            )
        registry.audit(
            conn,
            "outcome.correct" if corrected else "outcome.record",
            cohort_id=row.id,
            patient_id=patient_id,
            response=code,
            week=week,
            assessed_on=day,
            confirmed=confirmed,
            old=asdict(corrected) if corrected else None,
        )
        result = patient_result(assessments_by_assignment(conn, [a.id])[a.id], row.sd_weeks)
        _restatus(conn, a, result)
        events = advance(registry, conn, row)
        fresh = registry.lock_cohort(conn, row.id) or row
        return OutcomeResult(
            patient_id, row.id, code, week, day, confirmed, corrected, result, events,
            view(conn, fresh),
        )  # fmt: skip


__all__ = ["OutcomeResult", "record_outcome"]
