"""Typed rows of the cohort registry: what the cohort code passes around instead of dicts.

Each row class is built from a database row (:meth:`from_row`) and is frozen; a change is a
new row (``dataclasses.replace``). :class:`StoredCase` is the case content the registry keeps per
patient (no names: the pseudonym's matches, variants and biomarkers, for rematching), a pydantic
model so a stored case is validated when it is read back. :class:`MatchSummary` is the part of a
match an assignment reports and stores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import RowMapping

from tumorboard.cohorts.definitions import TumorScope
from tumorboard.cohorts.design import Design
from tumorboard.models import Biomarker, CaseResult, CatalogInfo, Jurisdiction, Match, Variant

JsonObject = dict[str, Any]
"""A JSON object stored as is (audit details, a cohort's original definition)."""


class StoredCase(BaseModel):
    """What the registry keeps per patient (the ``patients.case_data`` column)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    tumor_type: str
    lineage: list[str] = Field(default_factory=list)
    jurisdiction: Jurisdiction = "EMA"
    catalog: CatalogInfo
    matches: list[Match] = Field(default_factory=list)
    variants: list[Variant] = Field(default_factory=list)
    biomarkers: list[Biomarker] = Field(default_factory=list)

    @classmethod
    def from_case(cls, case: CaseResult) -> StoredCase:
        return cls(
            tumor_type=case.patient.tumor_type,
            lineage=list(case.patient.lineage),
            jurisdiction=case.jurisdiction,
            catalog=case.catalog,
            matches=list(case.matches),
            variants=list(case.variants),
            biomarkers=list(case.biomarkers),
        )

    def as_json(self) -> JsonObject:
        return self.model_dump(mode="json")


@dataclass(frozen=True, slots=True)
class MatchSummary:
    """The parts of a match that an assignment reports and stores."""

    gene: str
    biomarker: str
    drugs: list[str]
    label: str
    jurisdiction: str
    evidence: str
    evidence_rank: int | None
    indication_id: str | None
    label_text: str = ""
    """The label as shown ('on-label if ...' when the board must confirm conditions)."""

    @classmethod
    def of(cls, m: Match) -> MatchSummary:
        return cls(
            gene=m.gene,
            biomarker=m.biomarker,
            drugs=list(m.drugs),
            label=m.label,
            jurisdiction=m.jurisdiction,
            evidence=f"{m.evidence.scale} {m.evidence.level}".strip(),
            evidence_rank=m.evidence.rank,
            indication_id=m.indication_id,
            label_text=m.label_text or m.label,
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MatchSummary:
        return cls(
            gene=str(data.get("gene", "")),
            biomarker=str(data.get("biomarker", "")),
            drugs=[str(d) for d in data.get("drugs") or ()],
            label=str(data.get("label", "")),
            jurisdiction=str(data.get("jurisdiction", "")),
            evidence=str(data.get("evidence", "")),
            evidence_rank=data.get("evidence_rank"),
            indication_id=data.get("indication_id"),
            label_text=str(data.get("label_text") or data.get("label", "")),
        )

    def as_json(self) -> JsonObject:
        return {
            "gene": self.gene,
            "biomarker": self.biomarker,
            "drugs": list(self.drugs),
            "label": self.label,
            "jurisdiction": self.jurisdiction,
            "evidence": self.evidence,
            "evidence_rank": self.evidence_rank,
            "indication_id": self.indication_id,
            "label_text": self.label_text,
        }


@dataclass(frozen=True, slots=True)
class CohortRow:
    """One row of the ``cohorts`` table."""

    id: str
    title: str
    drugs: tuple[str, ...]
    drugs_key: str
    biomarker: str
    tumor_scope: TumorScope
    n1: int
    r1: int
    n: int
    r: int
    replace_ne: bool
    sd_weeks: int
    state: str
    suspended: bool
    stage: int
    sponsor: str
    notes: str
    origin: str
    definition: JsonObject
    created_at: str
    opened_at: str | None
    closed_at: str | None
    waitlist_seq: int

    @classmethod
    def from_row(cls, row: RowMapping) -> CohortRow:
        values = dict(row)
        values["drugs"] = tuple(values["drugs"])
        values["tumor_scope"] = TumorScope.model_validate(values["tumor_scope"])
        return cls(**values)

    def values(self) -> JsonObject:
        """The row as table values (for ``INSERT``)."""
        out = {name: getattr(self, name) for name in self.__slots__}
        out["drugs"] = list(self.drugs)
        out["tumor_scope"] = self.tumor_scope.model_dump()
        return out

    @property
    def design(self) -> Design:
        return Design(self.n1, self.r1, self.n, self.r)


@dataclass(frozen=True, slots=True)
class PatientRow:
    """One row of the ``patients`` table, its stored case parsed."""

    id: str
    tumor_type: str
    case: StoredCase
    registered_at: str
    updated_at: str

    @classmethod
    def from_row(cls, row: RowMapping) -> PatientRow:
        return cls(
            id=row["id"],
            tumor_type=row["tumor_type"],
            case=StoredCase.model_validate(row["case_data"]),
            registered_at=row["registered_at"],
            updated_at=row["updated_at"],
        )


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """One row of the ``assignments`` table."""

    id: int
    patient_id: str
    cohort_id: str
    status: str
    stage: int | None
    queue_seq: int | None
    match: MatchSummary
    created_at: str
    enrolled_at: str | None
    updated_at: str

    @classmethod
    def from_row(cls, row: RowMapping) -> AssignmentRow:
        values = dict(row)
        values["match"] = MatchSummary.from_json(values["match"])
        return cls(**values)


def cohort_rows(rows: Sequence[RowMapping]) -> list[CohortRow]:
    return [CohortRow.from_row(r) for r in rows]


__all__ = [
    "AssignmentRow",
    "CohortRow",
    "JsonObject",
    "MatchSummary",
    "PatientRow",
    "StoredCase",
    "cohort_rows",
]
