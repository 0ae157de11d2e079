"""The building blocks of label decisions: candidate options, option groups, texts in words.

A *group* is one (gene, drug or combination, effect) for one patient; it collects the
*options* (candidate label decisions: an approval, an other-agency approval, evidence, a
resistance record) that the alterations of that gene produced, the approval records seen (for
the per-agency status lines) and the variants. :mod:`tumorboard.catalog.labels` fills groups,
:mod:`tumorboard.catalog.resistance` settles resistance, both turn them into ``Match`` objects.

Variants and biomarker names are kept in dicts used as ordered sets, so a group with 300,000
variants of one gene costs linear time, never quadratic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tumorboard.catalog.schema import (
    ESCAT_LEVELS,
    CatalogSource,
    EvidenceRecord,
    Indication,
    Resistance,
)
from tumorboard.models import Evidence, Source

OFF_LABEL_RANK = 40
OTHER_AGENCY_RANK = 20
ON_LABEL_RANK = 10
INVESTIGATIONAL_RANK = 50
MAX_BIOMARKER_NAMES = 10
"""A match names at most this many alterations in ``biomarker``, then '(and N more)'."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """Does a record's scope cover the patient's code, and why, in words."""

    covered: bool
    excluded: bool
    phrase: str
    narrower: str = ""
    """The record's tumour type when the patient's is broader (LUNG for an NSCLC label): the
    record covers the patient only if the tumour is of that type, a condition to confirm."""


@dataclass(slots=True)
class Option:
    """One candidate decision for a group (the best one, by ``rank``, becomes the match)."""

    rank: int
    label: str
    evidence: Evidence
    rule: str
    record_id: str | None
    tumor_types: list[str]
    conditions: str
    sources: list[Source]
    review: str = ""
    requires: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    record: Indication | Resistance | EvidenceRecord | None = None


@dataclass(slots=True)
class Group:
    """Everything one (gene, drugs, effect) collected for one patient."""

    gene: str
    drugs: list[str]
    effect: str
    biomarkers: dict[str, None] = field(default_factory=dict)
    variants: dict[str, None] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    approvals: dict[str, Indication] = field(default_factory=dict)
    """Approval records of either agency reached by this group's alterations, by id."""
    offered: set[str] = field(default_factory=set)
    """Keys of the record sets already turned into an option (each is decided once)."""

    def offer(self, key: str, make: Callable[[], Option | None]) -> None:
        """Add the option ``make`` builds, unless the record set ``key`` was offered already.

        Every alteration of a gene reaching the same records gets the same decision, so it is
        made once per group: matching stays linear in the number of alterations.
        """
        if key in self.offered:
            return
        self.offered.add(key)
        option = make()
        if option is not None:
            self.options.append(option)

    def add_note(self, text: str) -> None:
        if text and text not in self.notes:
            self.notes.append(text)

    def best(self) -> Option:
        return min(self.options, key=lambda o: o.rank)

    def biomarker_text(self) -> str:
        names = list(self.biomarkers)
        if len(names) <= MAX_BIOMARKER_NAMES:
            return " + ".join(names)
        shown = " + ".join(names[:MAX_BIOMARKER_NAMES])
        return f"{shown} (and {len(names) - MAX_BIOMARKER_NAMES:,} more)"


def escat_index(level: str) -> int:
    return ESCAT_LEVELS.index(level) if level in ESCAT_LEVELS else len(ESCAT_LEVELS)


def to_source(s: CatalogSource) -> Source:
    return Source(kind=s.kind, document=s.document, url=s.url, date=s.date, identifier=s.identifier)


def scope_text(rec: Indication | Resistance | EvidenceRecord) -> str:
    """``MEL, NSCLC`` or ``solid tumours except COADREAD``."""
    if rec.tumor_agnostic:
        base = "solid tumours" if rec.tumor_agnostic == "solid" else "all tumours"
    else:
        base = ", ".join(rec.tumor_types)
    return base + (f" except {', '.join(rec.exclude)}" if rec.exclude else "")


def scopes(records: list[Indication]) -> str:
    """Distinct scopes of several records, ``; ``-joined."""
    return "; ".join(dict.fromkeys(scope_text(r) for r in records))


def approval_text(rec: Indication) -> str:
    if rec.tumor_agnostic:
        return f"{rec.jurisdiction} tumour-agnostic approval ({scope_text(rec)})"
    return f"{rec.jurisdiction} approval for {scope_text(rec)}"


def age_words(rec: Indication) -> str:
    """The label's age limits in words (``aged 18 years or older``)."""
    lo, hi = rec.min_age_years, rec.max_age_years
    if lo is not None and hi is not None:
        return f"aged {lo:g} to under {hi:g} years"
    if lo is not None:
        return f"aged {lo:g} years or older"
    return f"younger than {hi:g} years"


def grade_words(rec: Indication) -> str:
    return "WHO grade " + " or ".join(str(g) for g in rec.grades)


def tumor_types_of(rec: Indication | Resistance | EvidenceRecord) -> list[str]:
    if rec.tumor_types:
        return list(rec.tumor_types)
    return ["SOLID" if rec.tumor_agnostic == "solid" else "ALL"]


__all__ = [
    "INVESTIGATIONAL_RANK",
    "OFF_LABEL_RANK",
    "ON_LABEL_RANK",
    "OTHER_AGENCY_RANK",
    "Coverage",
    "Group",
    "Option",
    "age_words",
    "approval_text",
    "escat_index",
    "grade_words",
    "scope_text",
    "scopes",
    "to_source",
    "tumor_types_of",
]
