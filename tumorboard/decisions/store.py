"""Board decisions in the cohort registry: record, amend (a new version), history, enrolment.

Every change is one transaction, locked like an assignment (SQLite ``BEGIN IMMEDIATE``;
PostgreSQL an advisory lock per patient plus the patient row ``FOR UPDATE``), and audited in
that same transaction: a process killed before the commit leaves nothing behind, and many
processes amending one patient's decision at once leave a gap-free version history (1, 2, 3...)
with exactly one current version (also a unique index). The superseded version keeps its row;
``superseded_by`` names the version that replaced it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, select, text, update

from tumorboard.cohorts.assign import Decided, register_patient
from tumorboard.cohorts.design import verdict
from tumorboard.cohorts.eligibility import evaluate
from tumorboard.cohorts.lifecycle import counts
from tumorboard.cohorts.registry import Registry, assignments, cohorts, decisions, patients, utcnow
from tumorboard.decisions.views import (
    Choice,
    Decision,
    DecisionState,
    Enrolment,
    drugs_text,
)
from tumorboard.errors import DecisionError
from tumorboard.ids import check_patient_id

if TYPE_CHECKING:
    from tumorboard.catalog import Catalog
    from tumorboard.cohorts.rows import CohortRow, PatientRow
    from tumorboard.models import CaseResult
    from tumorboard.oncotree import TreeLike

MAX_RATIONALE = 5000


@dataclass(slots=True)
class Recorded:
    """What ``tumorboard decision record`` / ``amend`` reports."""

    decision: Decision
    previous: Decision | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.as_json(),
            "previous": self.previous.as_json() if self.previous else None,
            "notes": list(self.notes),
        }


# --- checks -------------------------------------------------------------------------------------
def check_meeting_date(value: str | None, *, today: date | None = None) -> str:
    """``YYYY-MM-DD``, a real date, not in the future (default: today, UTC)."""
    today = today or datetime.now(timezone.utc).date()
    day = (value or today.isoformat()).strip()
    hint = "the date of the board meeting, e.g. 2026-03-12"
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        raise DecisionError(f"meeting date {day!r} is not YYYY-MM-DD", hint=hint)
    try:
        parsed = date.fromisoformat(day)
    except ValueError as exc:
        raise DecisionError(f"meeting date {day!r} is not a real date", hint=hint) from exc
    if parsed > today + timedelta(days=1):
        raise DecisionError(f"meeting date {day} is in the future", hint=hint)
    return day


def check_rationale(value: str) -> str:
    words = value.strip()
    if not words:
        raise DecisionError(
            "the rationale is empty", hint="say why the board decided this (--rationale TEXT)"
        )
    if len(words) > MAX_RATIONALE:
        raise DecisionError(
            f"the rationale has {len(words)} characters (at most {MAX_RATIONALE})",
            hint="keep the rationale to a paragraph; details belong in the patient record",
        )
    return words


def _patient_id(case: CaseResult) -> str:
    pid = case.patient.id
    if not pid or pid == "anonymous":
        raise DecisionError(
            "a patient pseudonym is needed to record a decision",
            hint="pass --patient-id (a pseudonym, never a name or national ID)",
        )
    return check_patient_id(pid, "--patient-id", files=False, error=DecisionError)


# --- reading ------------------------------------------------------------------------------------
def _history(conn: Connection, patient_id: str) -> tuple[Decision, ...]:
    rows = conn.execute(
        select(decisions).where(decisions.c.patient_id == patient_id).order_by(decisions.c.version)
    ).mappings()
    return tuple(Decision.from_row(r) for r in rows)


def _enrolment(conn: Connection, patient_id: str) -> tuple[Enrolment, ...]:
    rows = conn.execute(
        select(assignments, cohorts.c.drugs, cohorts.c.title)
        .join(cohorts, cohorts.c.id == assignments.c.cohort_id)
        .where(assignments.c.patient_id == patient_id)
        .order_by(assignments.c.id)
    ).mappings()
    out = []
    for r in rows:
        position = None
        if r["status"] == "waitlisted":
            position = conn.execute(
                select(func.count()).where(
                    assignments.c.cohort_id == r["cohort_id"],
                    assignments.c.status == "waitlisted",
                    assignments.c.queue_seq <= (r["queue_seq"] or 0),
                )
            ).scalar()
        out.append(
            Enrolment(
                cohort_id=r["cohort_id"],
                status=r["status"],
                drugs=tuple(r["drugs"]),
                title=r["title"],
                stage=r["stage"],
                queue_position=int(position) if position is not None else None,
                since=r["enrolled_at"] or r["created_at"],
            )
        )
    return tuple(out)


def decision_state(registry: Registry, patient_id: str) -> DecisionState:
    """Every version of the patient's decision and their cohort assignments (read-only)."""
    with registry.transaction(write=False) as conn:
        return DecisionState(patient_id, _history(conn, patient_id), _enrolment(conn, patient_id))


def require_patient(registry: Registry, patient_id: str) -> None:
    """An error unless the patient is registered (a typo must not read as 'pending')."""
    check_patient_id(patient_id, "PATIENT_ID", files=False, error=DecisionError)
    with registry.transaction(write=False) as conn:
        found = conn.execute(select(patients.c.id).where(patients.c.id == patient_id)).first()
    if found is None:
        raise DecisionError(
            f"patient {patient_id} is not in the registry",
            hint="check the pseudonym; `tumorboard decision list` lists the registered patients",
        )


def decision_states(registry: Registry, patient_ids: Sequence[str]) -> dict[str, DecisionState]:
    """:func:`decision_state` of several patients in one read transaction."""
    with registry.transaction(write=False) as conn:
        return {
            pid: DecisionState(pid, _history(conn, pid), _enrolment(conn, pid))
            for pid in dict.fromkeys(patient_ids)
        }


def all_states(registry: Registry) -> list[DecisionState]:
    """Every registered patient (decided or pending), by pseudonym."""
    with registry.transaction(write=False) as conn:
        ids = conn.execute(select(patients.c.id).order_by(patients.c.id)).scalars().all()
        return [DecisionState(pid, _history(conn, pid), _enrolment(conn, pid)) for pid in ids]


def registry_decision(target: str, patient_id: str) -> DecisionState | None:
    """A report's decision section: the patient's decision state in the registry at ``target``
    (``None`` for an anonymous case, which cannot have one)."""
    from tumorboard.cohorts.registry import open_registry

    if not patient_id or patient_id == "anonymous":
        return None
    with open_registry(target) as registry:
        return decision_state(registry, patient_id)


def current_decision(registry: Registry, patient_id: str) -> Decision:
    """The patient's current decision; an error when none is recorded."""
    current = decision_state(registry, patient_id).current
    if current is None:
        raise DecisionError(
            f"no decision is recorded for patient {patient_id}",
            hint="record the board's decision first: tumorboard decision record CASE.json "
            "--option N --rationale TEXT",
        )
    return current


def decided_options(registry: Registry, patient_id: str) -> Decided:
    """The drug sets of the patient's current decision, for ``cohort assign --decided``."""
    current = current_decision(registry, patient_id)
    sets = tuple(frozenset(d.lower() for d in c.drugs) for c in current.drug_choices)
    if not sets:
        raise DecisionError(
            f"the board's decision for patient {patient_id} (version {current.version}) names "
            f"no drug option ({current.short()})",
            hint="nothing to assign; amend the decision if the board chose a drug option",
        )
    return Decided(current.version, sets)


# --- what recording says ------------------------------------------------------------------------
def _slots(conn: Connection, row: CohortRow) -> str:
    c = counts(conn, row)
    v = verdict(row.design, c.stage(1), c.stage(2), stage=row.stage)
    return f"stage {v.stage}, {v.slots_left} of {row.design.stage_size(v.stage)} slots left"


def _notes(
    registry: Registry,
    conn: Connection,
    patient: PatientRow,
    choices: Sequence[Choice],
    catalog: Catalog | None,
    tree: TreeLike,
) -> list[str]:
    """Open cohorts for an off-label choice, resistance against a chosen drug, what to confirm."""
    rows = registry.cohort_rows(conn)
    joined = {
        a.cohort_id: a.status
        for a in conn.execute(select(assignments).where(assignments.c.patient_id == patient.id))
    }
    elig = evaluate(patient.case, rows, catalog=catalog, tree=tree, joined=joined)
    case, notes = patient.case, []
    for choice in (c for c in choices if c.is_drug):
        key, name, status = frozenset(choice.drugs), drugs_text(choice.drugs), choice.status
        assert status is not None
        if status.label == "off-label":
            for fit in elig.available:
                if frozenset(fit.cohort.drugs) == key:
                    notes.append(
                        f"{name} is off-label for {case.tumor_type} ({case.jurisdiction}); open "
                        f"cohort {fit.cohort.id} fits this patient (when this decision was "
                        f"recorded: {_slots(conn, fit.cohort)}): enrol with `tumorboard cohort "
                        "assign --decided`"
                    )
            for b in elig.blocked:
                if frozenset(b.drugs) == key:
                    notes.append(f"cohort {b.cohort_id} offers {name} but not now: {b.reason}")
        if status.requires:
            notes.append(f"{name} is on-label only if confirmed: {'; '.join(status.requires)}")
        if status.label == "uncertain":
            notes.append(f"the label status of {name} is uncertain: the board must review it")
        for m in case.matches:
            if m.effect == "resistant" and {d.lower() for d in m.drugs} & key:
                notes.append(
                    f"resistance: {m.biomarker} predicts resistance to {drugs_text(m.drugs)}"
                )
    return notes


# --- writing ------------------------------------------------------------------------------------
def _lock(registry: Registry, conn: Connection, patient_id: str) -> None:
    """PostgreSQL: one writer per patient (SQLite's BEGIN IMMEDIATE already serialises)."""
    if registry.is_postgres:
        digest = hashlib.sha256(f"decision:{patient_id}".encode()).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def _same(old: Decision, choices: Sequence[Choice], rationale: str, day: str, sha: str) -> bool:
    keys = [(c.kind, c.drugs) for c in choices]
    return (
        [(c.kind, c.drugs) for c in old.choices] == keys
        and old.rationale == rationale
        and old.meeting_date == day
        and old.catalog.sha256 == sha
    )


def _check_version(current: Decision | None, amend: bool, pid: str) -> None:
    if current is not None and not amend:
        raise DecisionError(
            f"a decision is already recorded for patient {pid} (version {current.version}, "
            f"meeting {current.meeting_date}, by {current.recorded_by})",
            hint="decisions are never overwritten: amend it with `tumorboard decision amend` "
            "(or `decision record --amend`); the earlier version is kept",
        )
    if current is None and amend:
        raise DecisionError(
            f"no decision is recorded for patient {pid}, so there is nothing to amend",
            hint="record it first with `tumorboard decision record` (without --amend)",
        )


def record_decision(
    registry: Registry,
    case: CaseResult,
    choices: Sequence[Choice],
    *,
    rationale: str,
    meeting_date: str | None = None,
    amend: bool = False,
    catalog: Catalog | None,
    tree: TreeLike,
    before_commit: Callable[[], None] | None = None,
) -> Recorded:
    """Record the board's decision (version 1) or amend it (a new version superseding the
    current one). One audited transaction; ``before_commit`` runs just before it commits."""
    pid = _patient_id(case)
    why, day = check_rationale(rationale), check_meeting_date(meeting_date)
    if not choices:
        raise DecisionError("no option given", hint="pass --option (a rank, a drug set...)")
    with registry.transaction() as conn:
        _lock(registry, conn, pid)
        patient = register_patient(registry, conn, case)
        history = _history(conn, pid)
        current = next((d for d in reversed(history) if d.current), None)
        _check_version(current, amend, pid)
        if current is not None and _same(current, choices, why, day, case.catalog.sha256):
            raise DecisionError(
                f"nothing to amend: version {current.version} already says this",
                hint="change the options, the rationale or the meeting date",
            )
        version = max((d.version for d in history), default=0) + 1
        notes = _notes(registry, conn, patient, choices, catalog, tree)
        if current is not None:
            conn.execute(
                update(decisions).where(decisions.c.id == current.id).values(superseded_by=version)
            )
        values = {
            "patient_id": pid,
            "version": version,
            "choices": [c.as_json() for c in choices],
            "rationale": why,
            "meeting_date": day,
            "tumor_type": case.patient.tumor_type,
            "catalog": case.catalog.model_dump(mode="json"),
            "case_ref": {
                "created": case.created.isoformat(),
                "tumorboard_version": case.tumorboard_version,
                "jurisdiction": case.jurisdiction,
            },
            "notes": notes,
            "recorded_by": registry.user,
            "recorded_at": utcnow(),
        }
        new_id = conn.execute(insert(decisions).values(**values)).inserted_primary_key
        row = {**values, "id": new_id[0] if new_id else 0, "superseded_by": None}
        decision = Decision.from_row(row)
        registry.audit(
            conn,
            "decision.amend" if current is not None else "decision.record",
            patient_id=pid,
            version=version,
            meeting_date=day,
            choices=[c.describe() for c in choices],
            rationale=why,
            catalog=values["catalog"],
            supersedes=current.version if current is not None else None,
            notes=notes,
        )
        if before_commit is not None:
            before_commit()
    return Recorded(decision, current, notes)


__all__ = [
    "MAX_RATIONALE",
    "Recorded",
    "all_states",
    "check_meeting_date",
    "check_rationale",
    "current_decision",
    "decided_options",
    "decision_state",
    "decision_states",
    "record_decision",
    "registry_decision",
    "require_patient",
]
