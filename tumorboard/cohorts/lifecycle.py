"""A cohort's life in the registry: counts, automatic stage transitions, status views.

Counts are always derived from assignments and outcomes (never kept as counters that could
drift); :func:`advance` applies what the counts imply (open stage 2, close positive/negative,
promote the waiting list into free slots) and audits every transition.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select, update

from tumorboard.cohorts.definitions import CohortDefinition
from tumorboard.cohorts.design import Design, StageCounts, Verdict, patient_result, verdict
from tumorboard.cohorts.registry import Registry, assignments, cohorts, outcomes, utcnow
from tumorboard.cohorts.rows import CohortRow

DECIDED = ("positive", "negative", "closed")


def design_of(row: CohortRow) -> Design:
    return row.design


def row_from_definition(defn: CohortDefinition, origin: str) -> CohortRow:
    """The ``cohorts`` row for a definition (state ``planned`` stays planned)."""
    now = utcnow()
    d = defn.design
    return CohortRow(
        id=defn.id,
        title=defn.title,
        drugs=tuple(defn.drugs),
        drugs_key="+".join(defn.drugs),
        biomarker=defn.biomarker,
        tumor_scope=defn.tumor_types,
        n1=d.n1,
        r1=d.r1,
        n=d.n,
        r=d.r,
        replace_ne=defn.replace_not_evaluable,
        sd_weeks=defn.sd_weeks,
        state="open" if defn.state == "suspended" else defn.state,
        suspended=defn.state == "suspended",
        stage=1,
        sponsor=defn.sponsor,
        notes=defn.notes,
        origin=origin,
        definition=defn.model_dump(mode="json"),
        created_at=now,
        opened_at=now if defn.state in ("open", "suspended") else None,
        closed_at=now if defn.state == "closed" else None,
        waitlist_seq=0,
    )


def create_cohort(
    registry: Registry, conn: Connection, defn: CohortDefinition, origin: str
) -> CohortRow:
    """Insert a cohort (audited) and return its row."""
    row = row_from_definition(defn, origin)
    conn.execute(insert(cohorts).values(**row.values()))
    registry.audit(
        conn, "cohort.create", cohort_id=defn.id, origin=origin, definition=row.definition
    )
    return row


# --- counts -------------------------------------------------------------------------------------
@dataclass(slots=True)
class Holder:
    """One enrolment and its derived result."""

    assignment_id: int
    patient_id: str
    stage: int
    status: str
    result: str


@dataclass(slots=True)
class Counts:
    """Everything derived from a cohort's assignments and outcomes."""

    holders: list[Holder] = field(default_factory=list)
    replaced: list[Holder] = field(default_factory=list)
    waitlist: list[str] = field(default_factory=list)
    extra: list[Holder] = field(default_factory=list)
    """Patients beyond a stage's size: only a correction can cause this (a not-evaluable
    patient whose slot went to the next one is corrected to evaluable). They keep their
    outcomes but do not count for the design; the status notes them for the study board."""

    def stage(self, number: int) -> StageCounts:
        mine = [h for h in self.holders if h.stage == number]
        return StageCounts(
            holders=len(mine),
            pending=sum(h.result == "pending" for h in mine),
            benefit=sum(h.result == "benefit" for h in mine),
        )


def assessments_by_assignment(
    conn: Connection, assignment_ids: list[int]
) -> dict[int, list[tuple[str, int]]]:
    """Current (not superseded) ``(response, week)`` per assignment."""
    out: dict[int, list[tuple[str, int]]] = {a: [] for a in assignment_ids}
    if not assignment_ids:
        return out
    rows = conn.execute(
        select(outcomes.c.assignment_id, outcomes.c.response, outcomes.c.week).where(
            outcomes.c.assignment_id.in_(assignment_ids), outcomes.c.superseded_by.is_(None)
        )
    )
    for aid, response, week in rows:
        out[aid].append((response, week))
    return out


def counts(conn: Connection, row: CohortRow) -> Counts:
    """Slot holders (with results), replaced NE patients and the waiting list, in order."""
    rows = (
        conn.execute(
            select(assignments)
            .where(assignments.c.cohort_id == row.id)
            .order_by(assignments.c.queue_seq, assignments.c.id)
        )
        .mappings()
        .all()
    )
    enrolled = sorted(
        (r for r in rows if r["status"] in ("enrolled", "ended")),
        key=lambda r: (r["enrolled_at"] or "", r["id"]),
    )
    results = assessments_by_assignment(conn, [r["id"] for r in enrolled])
    out = Counts(waitlist=[r["patient_id"] for r in rows if r["status"] == "waitlisted"])
    taken: dict[int, int] = {}
    for r in enrolled:
        result = patient_result(results[r["id"]], row.sd_weeks)
        holder = Holder(r["id"], r["patient_id"], r["stage"], r["status"], result)
        if result == "not-evaluable" and row.replace_ne:
            out.replaced.append(holder)
        elif taken.get(holder.stage, 0) >= row.design.stage_size(holder.stage):
            out.extra.append(holder)  # a stage never counts more than its size
        else:
            taken[holder.stage] = taken.get(holder.stage, 0) + 1
            out.holders.append(holder)
    return out


# --- transitions --------------------------------------------------------------------------------
def _set(conn: Connection, cohort_id: str, **values: Any) -> None:
    conn.execute(update(cohorts).where(cohorts.c.id == cohort_id).values(**values))


def release_waitlist(registry: Registry, conn: Connection, row: CohortRow, why: str) -> None:
    """Waiting patients are released (free to be assigned elsewhere) when a cohort closes."""
    waiting = conn.execute(
        select(assignments.c.id, assignments.c.patient_id).where(
            assignments.c.cohort_id == row.id, assignments.c.status == "waitlisted"
        )
    ).all()
    for aid, pid in waiting:
        conn.execute(
            update(assignments)
            .where(assignments.c.id == aid)
            .values(status="released", queue_seq=None, updated_at=utcnow())
        )
        registry.audit(conn, "assign.released", cohort_id=row.id, patient_id=pid, reason=why)


def _promote(registry: Registry, conn: Connection, row: CohortRow, v: Verdict) -> None:
    """Enrol waiting patients, in queue order, into the running stage's free slots."""
    waiting = conn.execute(
        select(assignments.c.id, assignments.c.patient_id)
        .where(assignments.c.cohort_id == row.id, assignments.c.status == "waitlisted")
        .order_by(assignments.c.queue_seq, assignments.c.id)
        .limit(v.slots_left)
    ).all()
    now = utcnow()
    for aid, pid in waiting:
        conn.execute(
            update(assignments)
            .where(assignments.c.id == aid)
            .values(
                status="enrolled", stage=v.stage, queue_seq=None, enrolled_at=now, updated_at=now
            )
        )
        registry.audit(conn, "assign.promoted", cohort_id=row.id, patient_id=pid, stage=v.stage)


def advance(registry: Registry, conn: Connection, row: CohortRow) -> list[str]:
    """Apply what the counts imply; return the transitions made (audited). Call it locked."""
    events: list[str] = []
    if row.state == "planned":
        return events
    d, c = row.design, counts(conn, row)
    v = verdict(d, c.stage(1), c.stage(2), stage=row.stage)
    if row.state in ("positive", "negative"):
        return _recheck_decided(registry, conn, row, v, c)
    if row.state == "closed":
        return events
    if v.stage != row.stage:
        _set(conn, row.id, stage=v.stage)
        registry.audit(conn, "stage.2.opened", cohort_id=row.id, benefit_stage1=c.stage(1).benefit)
        events.append("stage 2 opened")
    if v.outcome in ("positive", "negative"):
        _set(conn, row.id, state=v.outcome, closed_at=utcnow())
        total = c.stage(1).benefit + c.stage(2).benefit
        registry.audit(
            conn,
            f"cohort.{v.outcome}",
            cohort_id=row.id,
            benefit=total,
            evaluable=sum(h.result != "not-evaluable" for h in c.holders),
        )
        release_waitlist(registry, conn, row, f"cohort closed {v.outcome}")
        events.append(f"cohort {v.outcome}")
    elif v.slots_left and c.waitlist and not row.suspended:
        _promote(registry, conn, dataclasses.replace(row, stage=v.stage), v)
        events.append(f"waiting list promoted into stage {v.stage}")
    return events


def _recheck_decided(
    registry: Registry, conn: Connection, row: CohortRow, v: Verdict, c: Counts
) -> list[str]:
    """After an outcome correction: a decided cohort's verdict may change (audited)."""
    if v.outcome == row.state:
        return []
    if v.outcome in ("positive", "negative"):
        _set(conn, row.id, state=v.outcome)
        registry.audit(
            conn, "cohort.verdict_corrected", cohort_id=row.id, old=row.state, new=v.outcome
        )
        return [f"verdict corrected: {row.state} -> {v.outcome}"]
    _set(conn, row.id, state="open", stage=v.stage, closed_at=None)
    registry.audit(conn, "cohort.reopened", cohort_id=row.id, old=row.state, stage=v.stage)
    return [f"cohort reopened at stage {v.stage} after a correction"]


# --- views --------------------------------------------------------------------------------------
@dataclass(slots=True)
class CohortView:
    """One cohort's status, as ``tumorboard cohort status`` shows it."""

    id: str
    title: str
    drugs: list[str]
    biomarker: str
    tumor_types: str
    design: str
    state: str
    stage: int
    stage_size: int
    enrolled: int
    enrolled_stage: int
    evaluable: int
    benefit: int
    not_evaluable: int
    pending: int
    slots_left: int
    waitlist: int
    next_decides: str
    sponsor: str = ""
    opened_at: str | None = None
    closed_at: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def state_label(row: CohortRow, v: Verdict) -> str:
    """``stage-1 open``, ``stage-2 awaiting outcomes``, ``positive``, ``suspended``, ..."""
    if row.state != "open":
        return row.state
    if row.suspended:
        return "suspended"
    return f"stage-{v.stage} {'open' if v.outcome == 'open' else 'awaiting outcomes'}"


def view(conn: Connection, row: CohortRow) -> CohortView:
    """The status of one cohort row."""
    d, c = row.design, counts(conn, row)
    s1, s2 = c.stage(1), c.stage(2)
    v = verdict(d, s1, s2, stage=row.stage)
    notes = [
        f"{h.patient_id} is beyond stage {h.stage}'s {d.stage_size(h.stage)} slots after a "
        "correction (a not-evaluable result corrected after the slot was refilled); the "
        "outcome is kept but not counted: review by the study board"
        for h in c.extra
    ]
    if row.stage == 2 and s1.pending == 0 and s1.benefit <= d.r1:
        notes.append(
            "stage-1 benefit count fell to the stopping boundary after a correction; "
            "review by the study board"
        )
    decided = row.state != "open"
    running = s2 if row.stage == 2 else s1
    return CohortView(
        id=row.id,
        title=row.title,
        drugs=list(row.drugs),
        biomarker=row.biomarker,
        tumor_types=row.tumor_scope.describe(),
        design=f"{d.n1}/{d.r1}/{d.n}/{d.r} ({d.describe()})",
        state=state_label(row, v),
        stage=row.stage,
        stage_size=d.stage_size(row.stage),
        enrolled=len(c.holders) + len(c.replaced) + len(c.extra),
        enrolled_stage=running.holders,
        evaluable=sum(h.result in ("benefit", "no-benefit") for h in c.holders),
        benefit=s1.benefit + s2.benefit,
        not_evaluable=len(c.replaced) + sum(h.result == "not-evaluable" for h in c.holders),
        pending=s1.pending + s2.pending,
        slots_left=0 if decided else v.slots_left,
        waitlist=len(c.waitlist),
        next_decides="decided" if decided else v.next_decides,
        sponsor=row.sponsor,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        notes=notes,
    )


__all__ = [
    "DECIDED",
    "CohortView",
    "Counts",
    "advance",
    "counts",
    "create_cohort",
    "design_of",
    "release_waitlist",
    "row_from_definition",
    "state_label",
    "view",
]
