"""Which cohorts fit a patient, and why others do not (pure: no database writes).

A cohort fits when one of the patient's **off-label, sensitive** matches has exactly the cohort's
drug(s), meets its biomarker rule (:mod:`tumorboard.cohorts.link`) and the patient's OncoTree
code lies in the cohort's tumour types. Fitting cohorts are ranked by the match's place in the
patient's one ranking (:func:`tumorboard.ranking.rank_matches`: label tier, then evidence, as
the report and the agenda show them; DRUP: the highest level of evidence wins), then by the
earliest opened, then by id.

Reasons not to enrol are reported, never dropped: on-label options (standard treatment is
available), resistance markers against a cohort's drug, labels the tool is unsure of, earlier
participation in the same cohort, and cohorts that are suspended or closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tumorboard.catalog import Catalog
from tumorboard.cohorts.link import meets
from tumorboard.cohorts.rows import CohortRow, MatchSummary, StoredCase
from tumorboard.models import Match
from tumorboard.ranking import rank_matches

if TYPE_CHECKING:
    from tumorboard.oncotree import TreeLike


@dataclass(slots=True)
class Fit:
    """One cohort that fits one of the patient's matches."""

    cohort: CohortRow
    match: Match
    position: int = 0
    """The match's place in the patient's ranking (0: the top option)."""

    @property
    def rank(self) -> tuple[int, str, str]:
        return (self.position, self.cohort.opened_at or "9999", self.cohort.id)


@dataclass(frozen=True, slots=True)
class Blocked:
    """A cohort that fits the profile but cannot take the patient, and why."""

    cohort_id: str
    reason: str
    drugs: tuple[str, ...] = ()


@dataclass(slots=True)
class Eligibility:
    """The patient against every cohort."""

    available: list[Fit] = field(default_factory=list)
    """Open, not suspended, not previously joined: best first."""
    blocked: list[Blocked] = field(default_factory=list)
    """Cohorts that fit the profile but cannot take the patient."""
    on_label: list[Match] = field(default_factory=list)
    uncertain: list[Match] = field(default_factory=list)
    candidates: list[Match] = field(default_factory=list)
    """Off-label sensitive matches (what cohorts are looked up for)."""
    unmatched: list[Match] = field(default_factory=list)
    """Candidate matches no cohort (in any state) exists for: proposal material."""


def summarise_match(m: Match) -> MatchSummary:
    """The parts of a match that an assignment reports."""
    return MatchSummary.of(m)


def _drugs(items: Iterable[str]) -> frozenset[str]:
    return frozenset(str(d).lower() for d in items)


def _resisted(cohort: CohortRow, matches: Sequence[Match]) -> Match | None:
    mine = _drugs(cohort.drugs)
    for m in matches:
        if m.effect == "resistant" and _drugs(m.drugs) & mine:
            return m
    return None


def _profile_fits(
    cohort: CohortRow, case: StoredCase, catalog: Catalog | None, tree: TreeLike
) -> Match | None:
    """The best candidate match meeting this cohort's drugs, biomarker and tumour types."""
    if not cohort.tumor_scope.covers(case.tumor_type, tree):
        return None
    fitting = [
        m
        for m in case.matches
        if m.label == "off-label"
        and m.effect == "sensitive"
        and _drugs(m.drugs) == _drugs(cohort.drugs)
        and meets(
            m, cohort.biomarker, catalog=catalog, variants=case.variants, biomarkers=case.biomarkers
        )
    ]
    return fitting[0] if fitting else None  # case.matches are in ranking order


def _why_blocked(cohort: CohortRow, joined: dict[str, str]) -> str | None:
    if cohort.state == "planned":
        return "cohort is planned, not yet open"
    if cohort.state != "open":
        return f"cohort is {cohort.state}"
    if cohort.suspended:
        return "cohort is suspended"
    if cohort.id in joined:
        return (
            f"the patient was already assigned to this cohort ({joined[cohort.id]}); "
            "never twice in the same cohort"
        )
    return None


def evaluate(
    case: StoredCase,
    cohort_rows: Sequence[CohortRow],
    *,
    catalog: Catalog | None,
    tree: TreeLike,
    joined: dict[str, str] | None = None,
) -> Eligibility:
    """The patient (stored case) against ``cohort_rows``; ``joined``: cohort -> status."""
    joined = joined or {}
    matches = rank_matches(case.matches)
    position = {id(m): i for i, m in enumerate(matches)}
    case = case.model_copy(update={"matches": matches})
    out = Eligibility(
        on_label=[m for m in matches if m.label == "on-label" and m.effect == "sensitive"],
        uncertain=[m for m in matches if m.label == "uncertain"],
        candidates=[m for m in matches if m.label == "off-label" and m.effect == "sensitive"],
    )
    served: set[int] = set()
    for cohort in cohort_rows:
        match = _profile_fits(cohort, case, catalog, tree)
        if match is None:
            continue
        served.add(id(match))
        resisted = _resisted(cohort, matches)
        why = (
            f"resistance marker {resisted.biomarker} against {'+'.join(resisted.drugs)}"
            if resisted
            else _why_blocked(cohort, joined)
        )
        if why:
            out.blocked.append(Blocked(cohort.id, why, tuple(cohort.drugs)))
        else:
            out.available.append(Fit(cohort, match, position[id(match)]))
    out.available.sort(key=lambda f: f.rank)
    out.unmatched = [m for m in out.candidates if id(m) not in served]
    return out


def proposal_biomarker(match: Match, catalog: Catalog | None) -> str:
    """The catalog rule id a proposed cohort should name (the record's rule), else the text."""
    from tumorboard.cohorts.link import _record_biomarker

    return _record_biomarker(catalog, match.indication_id) or match.biomarker


__all__ = ["Blocked", "Eligibility", "Fit", "evaluate", "proposal_biomarker", "summarise_match"]
