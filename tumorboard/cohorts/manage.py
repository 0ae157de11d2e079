"""Registry administration: load definitions, open / suspend / close cohorts, status, rematch,
and the read-only cohort status a report shows for one case."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select, update

from tumorboard.cohorts.definitions import CohortDefinition
from tumorboard.cohorts.design import verdict
from tumorboard.cohorts.eligibility import evaluate, summarise_match
from tumorboard.cohorts.lifecycle import (
    CohortView,
    advance,
    counts,
    create_cohort,
    release_waitlist,
    view,
)
from tumorboard.cohorts.registry import ACTIVE, Registry, assignments, cohorts, patients, utcnow
from tumorboard.cohorts.rows import CohortRow, JsonObject, MatchSummary, PatientRow, StoredCase
from tumorboard.errors import AssignmentError, excerpt
from tumorboard.models import CaseResult, CohortStatus

if TYPE_CHECKING:
    from tumorboard.catalog import Catalog
    from tumorboard.oncotree import TreeLike


@dataclass(frozen=True, slots=True)
class SyncAction:
    """What ``cohort init`` did with one definition."""

    cohort_id: str
    action: str


def sync_definitions(registry: Registry, defs: Sequence[CohortDefinition]) -> list[SyncAction]:
    """Add definitions the registry lacks; report existing ones as unchanged or different.

    An existing cohort is never rewritten from a file (its design governs enrolled patients).
    """
    report = []
    with registry.transaction() as conn:
        for defn in defs:
            row = registry.lock_cohort(conn, defn.id)
            if row is None:
                create_cohort(registry, conn, defn, "definitions")
                report.append(SyncAction(defn.id, "added"))
            elif row.definition == defn.model_dump(mode="json"):
                report.append(SyncAction(defn.id, "unchanged"))
            else:
                report.append(SyncAction(defn.id, "differs (registry kept)"))
    return report


def _require(registry: Registry, conn: Connection, cohort_id: str) -> CohortRow:
    row = registry.lock_cohort(conn, cohort_id)
    if row is None:
        raise AssignmentError(
            f"no cohort {excerpt(cohort_id)} in the registry",
            hint="list cohorts with `tumorboard cohort status`",
        )
    return row


def open_cohort(registry: Registry, cohort_id: str) -> list[str]:
    """Open a planned cohort or resume a suspended one (its waiting list is served first)."""
    with registry.transaction() as conn:
        row = _require(registry, conn, cohort_id)
        if row.state == "planned":
            conn.execute(
                update(cohorts)
                .where(cohorts.c.id == cohort_id)
                .values(state="open", opened_at=utcnow())
            )
            registry.audit(conn, "cohort.open", cohort_id=cohort_id)
            return ["opened"]
        if row.state == "open" and row.suspended:
            conn.execute(update(cohorts).where(cohorts.c.id == cohort_id).values(suspended=False))
            registry.audit(conn, "cohort.resume", cohort_id=cohort_id)
            resumed = dataclasses.replace(row, suspended=False)
            return ["resumed", *advance(registry, conn, resumed)]
        if row.state == "open":
            return []
        raise AssignmentError(
            f"cohort {cohort_id} is {row.state} and cannot reopen",
            hint="open a new cohort (e.g. from a proposal) instead",
        )


def suspend_cohort(registry: Registry, cohort_id: str, reason: str) -> None:
    """No new enrolments; outcomes are still recorded; waiting patients keep their place."""
    with registry.transaction() as conn:
        row = _require(registry, conn, cohort_id)
        if row.state != "open":
            raise AssignmentError(
                f"cohort {cohort_id} is {row.state}, not open",
                hint="only an open cohort can be suspended",
            )
        conn.execute(update(cohorts).where(cohorts.c.id == cohort_id).values(suspended=True))
        registry.audit(conn, "cohort.suspend", cohort_id=cohort_id, reason=reason)


def close_cohort(registry: Registry, cohort_id: str, reason: str) -> None:
    """Close by decision of the study board (waiting patients are released)."""
    with registry.transaction() as conn:
        row = _require(registry, conn, cohort_id)
        if row.state not in ("open", "planned"):
            raise AssignmentError(
                f"cohort {cohort_id} is already {row.state}",
                hint="a decided or closed cohort stays as it is",
            )
        conn.execute(
            update(cohorts)
            .where(cohorts.c.id == cohort_id)
            .values(state="closed", closed_at=utcnow())
        )
        registry.audit(conn, "cohort.close", cohort_id=cohort_id, reason=reason)
        release_waitlist(registry, conn, row, f"cohort closed: {reason}")


def status(registry: Registry, cohort_id: str | None = None) -> list[CohortView]:
    """Status of one cohort or all, ordered by id."""
    with registry.transaction(write=False) as conn:
        rows = registry.cohort_rows(conn, cohort_id or None)
        if cohort_id and not rows:
            raise AssignmentError(
                f"no cohort {excerpt(cohort_id)} in the registry",
                hint="list cohorts with `tumorboard cohort status`",
            )
        return [view(conn, r) for r in rows]


def _rematch_data(
    data: StoredCase, catalog: Catalog, tree: TreeLike, new_catalog: bool
) -> StoredCase:
    if not new_catalog:
        return data
    from tumorboard.cohorts.link import alteration_from_variant
    from tumorboard.matching import match_case

    outcome = match_case(
        [alteration_from_variant(v) for v in data.variants],
        data.biomarkers,
        data.tumor_type,
        data.jurisdiction,
        catalog,
        tree,
    )
    return data.model_copy(update={"matches": outcome.matches})


@dataclass(frozen=True, slots=True)
class Rematch:
    """A registered patient who fits an open cohort now (not in one), or whose options change
    with a new catalog (``review``: each change, with the catalog record behind it)."""

    patient_id: str
    tumor_type: str
    cohorts: list[str]
    match: MatchSummary | None
    on_label: list[MatchSummary]
    review: list[str] = field(default_factory=list)


def rematch(
    registry: Registry,
    *,
    catalog: Catalog,
    tree: TreeLike,
    new_catalog: bool,
    old_catalog: Catalog | None = None,
) -> list[Rematch]:
    """Registered patients not in a cohort now whose stored alterations fit an open cohort, and
    (with ``new_catalog``) every registered patient whose options change, and why.

    With ``new_catalog`` the stored variants and biomarkers are matched again against
    ``catalog`` (labels may have changed) and compared with the stored matches, or with a
    match against ``old_catalog`` when given; the changes name the catalog records behind them
    (:func:`tumorboard.catalog.diff.diff_catalogs`). Otherwise the stored matches are used.
    """
    from tumorboard.catalog.diff import diff_catalogs, review_changes

    diff = diff_catalogs(old_catalog, catalog, tree) if new_catalog and old_catalog else None
    out = []
    with registry.transaction(write=False) as conn:
        rows = registry.cohort_rows(conn)
        for raw in conn.execute(select(patients).order_by(patients.c.id)).mappings():
            p = PatientRow.from_row(raw)
            joined = {
                a.cohort_id: a.status
                for a in conn.execute(select(assignments).where(assignments.c.patient_id == p.id))
            }
            data = _rematch_data(p.case, catalog, tree, new_catalog)
            review: list[str] = []
            if new_catalog:
                before = _rematch_data(p.case, old_catalog, tree, True) if old_catalog else p.case
                review = review_changes(before.matches, data.matches, diff)
            elig = None
            if not any(s in ACTIVE for s in joined.values()):
                elig = evaluate(data, rows, catalog=catalog, tree=tree, joined=joined)
            if elig is not None and elig.available:
                found = Rematch(
                    patient_id=p.id,
                    tumor_type=p.tumor_type,
                    cohorts=[f.cohort.id for f in elig.available],
                    match=summarise_match(elig.available[0].match),
                    on_label=[summarise_match(m) for m in elig.on_label],
                    review=review,
                )
            elif review:
                found = Rematch(p.id, p.tumor_type, [], None, [], review)
            else:
                continue
            out.append(found)
    return out


def cohort_status(case: CaseResult, registry_target: str) -> list[CohortStatus]:
    """Cohort availability for a report (read-only): the patient's assignment if any, else
    each fitting cohort as eligible / full / closed."""
    from tumorboard.catalog import load_catalog
    from tumorboard.cohorts.assign import case_data
    from tumorboard.cohorts.registry import open_registry
    from tumorboard.oncotree import OncoTree

    catalog, tree = load_catalog(), OncoTree.load()
    with open_registry(registry_target) as registry, registry.transaction(write=False) as conn:
        rows = registry.cohort_rows(conn)
        joined = {
            a.cohort_id: a.status
            for a in conn.execute(
                select(assignments).where(assignments.c.patient_id == case.patient.id)
            )
        }
        elig = evaluate(case_data(case), rows, catalog=catalog, tree=tree, joined={})
        out = []
        for fit in elig.available:
            row = fit.cohort
            c = counts(conn, row)
            v = verdict(row.design, c.stage(1), c.stage(2), stage=row.stage)
            mine = joined.get(row.id)
            state = mine if mine in ACTIVE else ("eligible" if v.slots_left else "full")
            out.append(
                CohortStatus(
                    cohort_id=row.id,
                    status=state,
                    stage=v.stage,
                    slots_left=v.slots_left,
                    stage_size=row.design.stage_size(v.stage),
                    drugs=list(row.drugs),
                    biomarker=fit.match.biomarker,
                    text=f"{state}, stage {v.stage}, {v.slots_left} slot(s) left",
                )
            )
        return out


def load_definitions(
    path: str | Path | None, catalog: Catalog, tree: TreeLike
) -> list[CohortDefinition]:
    from tumorboard.cohorts.definitions import load_cohorts

    return load_cohorts(path, catalog=catalog, tree=tree)


__all__ = [
    "Rematch",
    "SyncAction",
    "audit_entries",
    "close_cohort",
    "cohort_status",
    "load_definitions",
    "open_cohort",
    "rematch",
    "status",
    "suspend_cohort",
    "sync_definitions",
]


def audit_entries(
    registry: Registry, *, cohort_id: str | None = None, patient_id: str | None = None
) -> list[JsonObject]:
    """Audit rows in order, optionally for one cohort or patient."""
    from tumorboard.cohorts.registry import audit
    from tumorboard.ids import check_patient_id

    if patient_id:
        check_patient_id(patient_id, "--patient-id", files=False, error=AssignmentError)
    query = select(audit).order_by(audit.c.id)
    if cohort_id:
        query = query.where(audit.c.cohort_id == cohort_id)
    if patient_id:
        query = query.where(audit.c.patient_id == patient_id)
    with registry.transaction(write=False) as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
