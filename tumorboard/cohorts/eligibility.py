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

from dataclasses import dataclass, field
from typing import Any

from tumorboard.cohorts.definitions import TreeLike, TumorScope
from tumorboard.cohorts.link import meets
from tumorboard.ranking import rank_match_dicts


@dataclass(slots=True)
class Fit:
    """One cohort that fits one of the patient's matches."""

    cohort: dict[str, Any]
    match: dict[str, Any]
    position: int = 0
    """The match's place in the patient's ranking (0: the top option)."""

    @property
    def rank(self) -> tuple[int, str, str]:
        return (
            self.position,
            self.cohort.get("opened_at") or "9999",
            self.cohort["id"],
        )


@dataclass(slots=True)
class Eligibility:
    """The patient against every cohort."""

    available: list[Fit] = field(default_factory=list)
    """Open, not suspended, not previously joined: best first."""
    blocked: list[dict[str, str]] = field(default_factory=list)
    """Cohorts that fit the profile but cannot take the patient: ``{cohort_id, reason}``."""
    on_label: list[dict[str, Any]] = field(default_factory=list)
    uncertain: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    """Off-label sensitive matches (what cohorts are looked up for)."""
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    """Candidate matches no cohort (in any state) exists for: proposal material."""


def summarise_match(m: dict[str, Any]) -> dict[str, Any]:
    """The parts of a match that an assignment reports."""
    ev = m.get("evidence") or {}
    return {
        "gene": m.get("gene", ""),
        "biomarker": m.get("biomarker", ""),
        "drugs": list(m.get("drugs") or []),
        "label": m.get("label", ""),
        "label_text": m.get("label_text") or m.get("label", ""),
        "jurisdiction": m.get("jurisdiction", ""),
        "evidence": f"{ev.get('scale', '')} {ev.get('level', '')}".strip(),
        "evidence_rank": ev.get("rank"),
        "indication_id": m.get("indication_id"),
    }


def _drugs(items: Any) -> frozenset[str]:
    return frozenset(str(d).lower() for d in items or ())


def _resisted(cohort: dict[str, Any], matches: list[dict[str, Any]]) -> dict[str, Any] | None:
    mine = _drugs(cohort["drugs"])
    for m in matches:
        if m.get("effect") == "resistant" and _drugs(m.get("drugs")) & mine:
            return m
    return None


def _profile_fits(
    cohort: dict[str, Any], case_data: dict[str, Any], catalog: Any, tree: TreeLike
) -> dict[str, Any] | None:
    """The best candidate match meeting this cohort's drugs, biomarker and tumour types."""
    scope = TumorScope.model_validate(cohort["tumor_scope"])
    if not scope.covers(case_data["tumor_type"], tree):
        return None
    fitting = [
        m
        for m in case_data["matches"]
        if m.get("label") == "off-label"
        and m.get("effect") == "sensitive"
        and _drugs(m.get("drugs")) == _drugs(cohort["drugs"])
        and meets(
            m,
            cohort["biomarker"],
            catalog=catalog,
            variants=case_data.get("variants", []),
            biomarkers=case_data.get("biomarkers", []),
        )
    ]
    return fitting[0] if fitting else None


def _why_blocked(cohort: dict[str, Any], joined: dict[str, str]) -> str | None:
    if cohort["state"] == "planned":
        return "cohort is planned, not yet open"
    if cohort["state"] != "open":
        return f"cohort is {cohort['state']}"
    if cohort["suspended"]:
        return "cohort is suspended"
    if cohort["id"] in joined:
        return (
            f"the patient was already assigned to this cohort ({joined[cohort['id']]}); "
            "never twice in the same cohort"
        )
    return None


def evaluate(
    case_data: dict[str, Any],
    cohort_rows: list[dict[str, Any]],
    *,
    catalog: Any,
    tree: TreeLike,
    joined: dict[str, str] | None = None,
) -> Eligibility:
    """The patient (stored case data) against ``cohort_rows``; ``joined``: cohort -> status."""
    joined = joined or {}
    matches: list[dict[str, Any]] = rank_match_dicts(case_data["matches"])
    position = {id(m): i for i, m in enumerate(matches)}
    case_data = {**case_data, "matches": matches}
    out = Eligibility(
        on_label=[
            m for m in matches if m.get("label") == "on-label" and m.get("effect") == "sensitive"
        ],
        uncertain=[m for m in matches if m.get("label") == "uncertain"],
        candidates=[
            m for m in matches if m.get("label") == "off-label" and m.get("effect") == "sensitive"
        ],
    )
    served: set[int] = set()
    for cohort in cohort_rows:
        match = _profile_fits(cohort, case_data, catalog, tree)
        if match is None:
            continue
        served.add(id(match))
        resisted = _resisted(cohort, matches)
        why = (
            f"resistance marker {resisted.get('biomarker')} against {'+'.join(resisted['drugs'])}"
            if resisted
            else _why_blocked(cohort, joined)
        )
        if why:
            out.blocked.append({"cohort_id": cohort["id"], "reason": why})
        else:
            out.available.append(Fit(cohort, match, position[id(match)]))
    out.available.sort(key=lambda f: f.rank)
    out.unmatched = [m for m in out.candidates if id(m) not in served]
    return out


def proposal_biomarker(match: dict[str, Any], catalog: Any) -> str:
    """The catalog rule id a proposed cohort should name (the record's rule), else the text."""
    from tumorboard.cohorts.link import _record_biomarker

    return _record_biomarker(catalog, match.get("indication_id")) or str(match.get("biomarker"))


__all__ = ["Eligibility", "Fit", "evaluate", "proposal_biomarker", "summarise_match"]
