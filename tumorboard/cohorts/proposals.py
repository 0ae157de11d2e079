"""Proposals for new cohorts (IMPRESS opens new cohorts for new tumour x biomarker x drug triples).

A patient whose off-label match no cohort covers is recorded against a proposal keyed by
(tumour type, biomarker, drugs); ``tumorboard cohort open --from-proposal ID`` turns a proposal
into a cohort with the default design (or the one given).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, RowMapping, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tumorboard.catalog import Catalog
from tumorboard.cohorts.definitions import CohortDefinition, DesignSpec, TumorScope
from tumorboard.cohorts.eligibility import proposal_biomarker, summarise_match
from tumorboard.cohorts.lifecycle import create_cohort
from tumorboard.cohorts.registry import Registry, cohorts, proposal_patients, proposals, utcnow
from tumorboard.cohorts.rows import CohortRow, PatientRow
from tumorboard.errors import AssignmentError
from tumorboard.models import Match


@dataclass(frozen=True, slots=True)
class ProposalView:
    """A proposal for a new cohort, with the patients waiting on it."""

    proposal_id: int
    tumor_type: str
    biomarker: str
    drugs: list[str]
    state: str
    cohort_id: str | None
    patients: list[str]
    created_at: str


def _insert_ignore(conn: Connection, table: Table, values: dict[str, Any]) -> None:
    """INSERT unless a row with the same unique key exists (race-free on both databases)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())


def add_proposals(
    registry: Registry,
    conn: Connection,
    patient: PatientRow,
    matches: Sequence[Match],
    catalog: Catalog | None,
) -> list[ProposalView]:
    """Record (or join) one proposal per unmatched match; audited; returns them."""
    out = []
    tumor_type = patient.tumor_type
    for m in matches:
        biomarker = proposal_biomarker(m, catalog)
        drugs = sorted({d.lower() for d in m.drugs})
        key = f"{tumor_type}|{biomarker}|{'+'.join(drugs)}"
        _insert_ignore(
            conn,
            proposals,
            {
                "key": key,
                "tumor_type": tumor_type,
                "biomarker": biomarker,
                "drugs": drugs,
                "match": summarise_match(m).as_json(),
                "state": "open",
                "created_at": utcnow(),
            },
        )
        prop = conn.execute(select(proposals).where(proposals.c.key == key)).mappings().one()
        _insert_ignore(
            conn,
            proposal_patients,
            {"proposal_id": prop["id"], "patient_id": patient.id, "created_at": utcnow()},
        )
        registry.audit(
            conn,
            "assign.proposed",
            patient_id=patient.id,
            proposal_id=prop["id"],
            tumor_type=tumor_type,
            biomarker=biomarker,
            drugs=drugs,
        )
        out.append(proposal_view(conn, prop))
    return out


def proposal_view(conn: Connection, prop: RowMapping) -> ProposalView:
    who = conn.execute(
        select(proposal_patients.c.patient_id)
        .where(proposal_patients.c.proposal_id == prop["id"])
        .order_by(proposal_patients.c.created_at, proposal_patients.c.patient_id)
    ).scalars()
    return ProposalView(
        proposal_id=prop["id"],
        tumor_type=prop["tumor_type"],
        biomarker=prop["biomarker"],
        drugs=list(prop["drugs"]),
        state=prop["state"],
        cohort_id=prop["cohort_id"],
        patients=list(who),
        created_at=prop["created_at"],
    )


def list_proposals(registry: Registry) -> list[ProposalView]:
    with registry.transaction(write=False) as conn:
        rows = conn.execute(select(proposals).order_by(proposals.c.id)).mappings().all()
        return [proposal_view(conn, r) for r in rows]


def default_cohort_id(prop: RowMapping) -> str:
    """``NEW-<TUMOUR>-<BIOMARKER>-<DRUGS>`` (upper-case, safe characters only)."""
    raw = f"NEW-{prop['tumor_type']}-{prop['biomarker']}-{'-'.join(prop['drugs'])}"
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in raw.upper())
    return safe[:80]


def open_from_proposal(
    registry: Registry,
    proposal_id: int,
    *,
    cohort_id: str | None = None,
    tumor_types: list[str] | None = None,
    design: DesignSpec | None = None,
    sponsor: str = "",
    notes: str = "",
) -> CohortRow:
    """Create an open cohort from a proposal (audited) and mark the proposal accepted."""
    with registry.transaction() as conn:
        prop = (
            conn.execute(select(proposals).where(proposals.c.id == proposal_id).with_for_update())
            .mappings()
            .first()
        )
        if prop is None:
            raise AssignmentError(
                f"no proposal {proposal_id}",
                hint="list proposals with `tumorboard cohort proposals`",
            )
        if prop["state"] != "open":
            raise AssignmentError(
                f"proposal {proposal_id} was already accepted as cohort {prop['cohort_id']}",
                hint="see it with `tumorboard cohort status " + str(prop["cohort_id"]) + "`",
            )
        new_id = cohort_id or default_cohort_id(prop)
        if conn.execute(select(cohorts.c.id).where(cohorts.c.id == new_id)).first():
            raise AssignmentError(
                f"cohort {new_id} already exists", hint="choose another id with --cohort-id"
            )
        defn = CohortDefinition(
            id=new_id,
            title=f"{prop['biomarker']} x {prop['tumor_type']} x {' + '.join(prop['drugs'])}",
            drugs=list(prop["drugs"]),
            biomarker=prop["biomarker"],
            tumor_types=TumorScope(include=tumor_types or [prop["tumor_type"]]),
            design=design or DesignSpec(),
            sponsor=sponsor,
            notes=notes or f"opened from proposal {proposal_id}",
        )
        row = create_cohort(registry, conn, defn, f"proposal:{proposal_id}")
        conn.execute(
            update(proposals)
            .where(proposals.c.id == proposal_id)
            .values(state="accepted", cohort_id=new_id)
        )
        registry.audit(conn, "proposal.accepted", cohort_id=new_id, proposal_id=proposal_id)
        return row


__all__ = [
    "ProposalView",
    "add_proposals",
    "default_cohort_id",
    "list_proposals",
    "open_from_proposal",
]
