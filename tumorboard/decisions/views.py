"""Typed board decisions, as every output shows them (report, agenda, letter, command line).

Pure: no database, no templates. :func:`option_status` is the one place that turns a match into
its label status ("on-label", "on-label if <what the board must confirm>", "off-label", ...);
everything that shows the label status of a chosen option goes through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tumorboard.models import CatalogInfo, Match
from tumorboard.ranking import tier

NON_DRUG: dict[str, str] = {
    "no-targeted-option": "no targeted option",
    "clinical-trial-elsewhere": "clinical trial elsewhere",
    "re-biopsy": "re-biopsy",
    "germline-testing": "germline testing",
}
"""The choices that name no drug of the case: key -> words."""

OPTION = "option"
"""The kind of a choice that names one of the case's drug options."""


@dataclass(frozen=True, slots=True)
class OptionStatus:
    """A drug option's label status, with what the board must confirm for an on-label use."""

    label: str
    """``on-label``, ``off-label``, ``investigational`` or ``uncertain`` (the match's label)."""
    tier: str
    """The label, or ``on-label-if`` when an on-label use depends on conditions to confirm."""
    requires: tuple[str, ...]
    """Label conditions the molecular data cannot show (germline origin, IHC, prior therapy)."""
    conditions: str
    """Other label conditions as the catalog words them (line of therapy...)."""
    text: str
    """In English: ``on-label if A; B``, or the label."""
    resistance_level: str | None = None
    """The strongest resistance marker (``R1``/``R2``) against one of the option's drugs."""


def option_status(match: Match) -> OptionStatus:
    """The label status of a match: ``label_text`` and ``requires`` as the matcher gives them."""
    return OptionStatus(
        label=match.label,
        tier=tier(match),
        requires=tuple(match.requires),
        conditions=match.conditions,
        text=match.label_text or match.label,
        resistance_level=match.resistance_level,
    )


def drugs_text(drugs: Sequence[str]) -> str:
    return " + ".join(drugs)


@dataclass(frozen=True, slots=True)
class Choice:
    """One thing the board chose: a drug option of the case (with its match) or a non-drug
    choice (:data:`NON_DRUG`)."""

    kind: str
    rank: int | None = None
    """The option's number in the case's ranking (1 = strongest), as shown when recording."""
    drugs: tuple[str, ...] = ()
    match: Match | None = None
    """The case's match for this option, kept as it was when the board decided."""

    @property
    def is_drug(self) -> bool:
        return self.kind == OPTION

    @property
    def status(self) -> OptionStatus | None:
        return option_status(self.match) if self.match is not None else None

    def describe(self) -> str:
        """In English, one line: ``dabrafenib + trametinib for BRAF V600E (off-label, ...)``."""
        if not self.is_drug or self.match is None:
            return NON_DRUG.get(self.kind, self.kind)
        m, status = self.match, option_status(self.match)
        evidence = f"{m.evidence.scale} {m.evidence.level}".strip()
        return f"{drugs_text(self.drugs)} for {m.biomarker} ({status.text}, {evidence})"

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rank": self.rank,
            "drugs": list(self.drugs),
            "match": self.match.model_dump(mode="json") if self.match is not None else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Choice:
        match = data.get("match")
        return cls(
            kind=str(data["kind"]),
            rank=data.get("rank"),
            drugs=tuple(str(d) for d in data.get("drugs") or ()),
            match=Match.model_validate(match) if match is not None else None,
        )


@dataclass(frozen=True, slots=True)
class Decision:
    """One version of a patient's decision (a row of the ``decisions`` table)."""

    id: int
    patient_id: str
    version: int
    choices: tuple[Choice, ...]
    rationale: str
    meeting_date: str
    tumor_type: str
    catalog: CatalogInfo
    case_ref: dict[str, Any]
    """The analysis decided on: ``created``, ``tumorboard_version``, ``jurisdiction``."""
    notes: tuple[str, ...]
    """What recording it said: open cohorts for an off-label choice, resistance, warnings."""
    recorded_by: str
    recorded_at: str
    superseded_by: int | None = None
    """The version that amended this one (``None``: the current decision)."""

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> Decision:
        return cls(
            id=int(row["id"]),
            patient_id=str(row["patient_id"]),
            version=int(row["version"]),
            choices=tuple(Choice.from_json(c) for c in row["choices"]),
            rationale=str(row["rationale"]),
            meeting_date=str(row["meeting_date"]),
            tumor_type=str(row["tumor_type"]),
            catalog=CatalogInfo.model_validate(row["catalog"]),
            case_ref=dict(row["case_ref"]),
            notes=tuple(str(n) for n in row["notes"]),
            recorded_by=str(row["recorded_by"]),
            recorded_at=str(row["recorded_at"]),
            superseded_by=row["superseded_by"],
        )

    @property
    def current(self) -> bool:
        return self.superseded_by is None

    @property
    def drug_choices(self) -> tuple[Choice, ...]:
        return tuple(c for c in self.choices if c.is_drug)

    def summary(self) -> str:
        """The choices in a line (English)."""
        return "; ".join(c.describe() for c in self.choices)

    def short(self) -> str:
        """The choices by name only: ``dabrafenib + trametinib; germline testing``."""
        return "; ".join(
            drugs_text(c.drugs) if c.is_drug else NON_DRUG.get(c.kind, c.kind) for c in self.choices
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "patient_id": self.patient_id,
            "version": self.version,
            "current": self.current,
            "superseded_by": self.superseded_by,
            "choices": [c.as_json() for c in self.choices],
            "rationale": self.rationale,
            "meeting_date": self.meeting_date,
            "tumor_type": self.tumor_type,
            "catalog": self.catalog.model_dump(mode="json"),
            "case": dict(self.case_ref),
            "notes": list(self.notes),
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at,
        }


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A patient's place in a cohort: an assignment, or a cohort that could take them."""

    cohort_id: str
    status: str
    """``enrolled``, ``waitlisted``, ``ended``, ``released`` (assignments) or ``eligible`` /
    ``full`` (a fitting cohort the patient is not in)."""
    drugs: tuple[str, ...] = ()
    title: str = ""
    stage: int | None = None
    queue_position: int | None = None
    since: str | None = None
    slots_left: int | None = None
    stage_size: int | None = None

    def describe(self) -> str:
        where = f"cohort {self.cohort_id}"
        parts = [f"{self.status} ({where})" if self.status != "eligible" else f"fits {where}"]
        if self.stage is not None:
            parts.append(f"stage {self.stage}")
        if self.queue_position is not None:
            parts.append(f"number {self.queue_position} in the queue")
        if self.slots_left is not None and self.stage_size is not None:
            parts.append(f"{self.slots_left} of {self.stage_size} slots left")
        return ", ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "cohort_id": self.cohort_id,
            "status": self.status,
            "drugs": list(self.drugs),
            "title": self.title,
            "stage": self.stage,
            "queue_position": self.queue_position,
            "since": self.since,
            "slots_left": self.slots_left,
            "stage_size": self.stage_size,
        }


@dataclass(frozen=True, slots=True)
class DecisionState:
    """What the registry holds about a patient's decision: every version and the enrolment."""

    patient_id: str
    history: tuple[Decision, ...] = ()
    """Every version, oldest first."""
    enrolment: tuple[Enrolment, ...] = field(default_factory=tuple)

    @property
    def current(self) -> Decision | None:
        return next((d for d in reversed(self.history) if d.current), None)

    @property
    def pending(self) -> bool:
        return self.current is None

    def as_json(self) -> dict[str, Any]:
        current = self.current
        return {
            "patient_id": self.patient_id,
            "status": "pending" if current is None else "decided",
            "current": current.as_json() if current is not None else None,
            "history": [d.as_json() for d in self.history],
            "enrolment": [e.as_json() for e in self.enrolment],
        }


__all__ = [
    "NON_DRUG",
    "OPTION",
    "Choice",
    "Decision",
    "DecisionState",
    "Enrolment",
    "OptionStatus",
    "drugs_text",
    "option_status",
]
