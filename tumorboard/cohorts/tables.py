"""Plain-text tables for ``tumorboard cohort ...`` (``--format table``); JSON is the dicts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tumorboard.cohorts.design import Design, alpha_power, characteristics
from tumorboard.errors import printable

if TYPE_CHECKING:
    from tumorboard.cohorts.assign import AssignResult
    from tumorboard.cohorts.lifecycle import CohortView
    from tumorboard.cohorts.manage import Rematch
    from tumorboard.cohorts.outcomes import OutcomeResult
    from tumorboard.cohorts.proposals import ProposalView
    from tumorboard.cohorts.rows import JsonObject


def _drugs(items: Iterable[str]) -> str:
    return " + ".join(items)


def assign_text(r: AssignResult) -> str:
    """An assignment result."""
    lines = [f"patient {r.patient_id} ({r.tumor_type}): {r.status}"]
    if c := r.cohort:
        lines.append(
            f"  cohort:   {c.id} ({_drugs(c.drugs)}, {c.biomarker}), "
            f"stage {c.stage}, {c.slots_left} of {c.stage_size} slots left"
        )
    if r.queue_position:
        lines.append(f"  queue:    number {r.queue_position}")
    if m := r.match:
        lines.append(f"  match:    {m.biomarker} -> {_drugs(m.drugs)} ({m.evidence})")
    if r.reason:
        lines.append(f"  reason:   {r.reason}")
    lines += [
        f"  on-label: {_drugs(m.drugs)} for {m.biomarker}"
        + (f" ({m.label_text})" if m.label_text not in ("", "on-label") else "")
        for m in r.on_label
    ]
    lines += [f"  also fits: {a.cohort_id}" for a in r.alternatives]
    lines += [f"  not eligible: {b.cohort_id}: {b.reason}" for b in r.not_eligible]
    lines += [
        f"  proposal {p.proposal_id}: {p.biomarker} x {p.tumor_type} x "
        f"{_drugs(p.drugs)} (open it with `tumorboard cohort open --from-proposal "
        f"{p.proposal_id}`)"
        for p in r.proposals
    ]
    return "\n".join(lines)


def status_line(v: CohortView) -> str:
    """One cohort view in a line."""
    return (
        f"{v.state}; stage {v.stage}: {v.enrolled_stage}/{v.stage_size} enrolled, "
        f"{v.slots_left} slot(s) left; evaluable {v.evaluable}, benefit {v.benefit}, "
        f"waitlist {v.waitlist}; next: {v.next_decides}"
    )


def outcome_text(r: OutcomeResult) -> str:
    """An outcome result."""
    fixed = f" (corrected from {r.corrected.response})" if r.corrected else ""
    lines = [
        f"{r.patient_id} in {r.cohort_id}: {r.response} at week {r.week}"
        f"{fixed}; patient result: {r.patient_result}"
    ]
    lines += [f"  -> {e}" for e in r.events]
    if r.cohort is not None:
        lines.append(f"  cohort: {status_line(r.cohort)}")
    return "\n".join(lines)


def status_text(views: Sequence[CohortView], *, detail: bool) -> str:
    """The status table; ``detail`` adds drugs, tumour types, design and what comes next."""
    head = (
        f"{'cohort':<34} {'state':<26} {'stg':>3} {'enr':>4} {'eval':>4} {'ben':>4} "
        f"{'left':>4} {'wait':>4}"
    )
    rows = [
        f"{v.id:<34} {v.state:<26} {v.stage:>3} {v.enrolled:>4} "
        f"{v.evaluable:>4} {v.benefit:>4} {v.slots_left:>4} {v.waitlist:>4}"
        for v in views
    ]
    for v in views if detail else []:
        rows += [
            f"  drugs: {_drugs(v.drugs)}; biomarker: {v.biomarker}",
            f"  tumour types: {v.tumor_types}",
            f"  design: {v.design}",
            f"  next: {v.next_decides}",
            *[f"  note: {n}" for n in v.notes],
        ]
    return "\n".join([head, *rows])


def design_report(
    d: Design, rates: list[float], p0: float | None, p1: float | None
) -> tuple[dict[str, Any], str]:
    """Operating characteristics as a JSON-able dict and as a table."""
    chars = [characteristics(d, p) for p in rates]
    data: dict[str, Any] = {
        "design": {"n1": d.n1, "r1": d.r1, "n": d.n, "r": d.r},
        "rule": d.describe(),
        "rates": [
            {
                "p": c.p,
                "pet": round(c.pet, 6),
                "p_positive": round(c.p_positive, 6),
                "expected_n": round(c.expected_n, 4),
            }
            for c in chars
        ],
    }
    lines = [
        f"design {d.n1}/{d.r1}/{d.n}/{d.r}: {d.describe()}",
        f"{'p':>6} {'PET':>8} {'P(positive)':>12} {'E[N]':>7}",
        *[f"{c.p:>6.2f} {c.pet:>8.4f} {c.p_positive:>12.4f} {c.expected_n:>7.2f}" for c in chars],
    ]
    if p0 is not None and p1 is not None:
        alpha, power = alpha_power(d, p0, p1)
        data.update(alpha=alpha, power=power, p0=p0, p1=p1)
        lines.append(f"p0 = {p0:.2f}: alpha = {alpha:.4f}; p1 = {p1:.2f}: power = {power:.4f}")
    return data, "\n".join(lines)


def proposals_text(props: Sequence[ProposalView]) -> str:
    return (
        "\n".join(
            f"{p.proposal_id:>4}  {p.state:<8} {p.tumor_type:<8} {p.biomarker:<16} "
            f"{_drugs(p.drugs):<30} patients: {', '.join(p.patients)}"
            for p in props
        )
        or "no proposals"
    )


def rematch_text(found: Sequence[Rematch]) -> str:
    lines = []
    for f in found:
        if f.match is not None:
            lines.append(
                f"{f.patient_id} ({f.tumor_type}): {', '.join(f.cohorts)} via "
                f"{f.match.biomarker} -> {_drugs(f.match.drugs)}"
            )
        if f.review:
            lines.append(f"{f.patient_id} ({f.tumor_type}): look again: {'; '.join(f.review)}")
    return "\n".join(lines) or "no registered patient fits a new or changed cohort"


def _cell(value: object) -> str:
    """A stored value as one table cell: control characters (and newlines) escaped."""
    return printable(str(value))


def audit_text(rows: Sequence[JsonObject]) -> str:
    return (
        "\n".join(
            f"{_cell(a['at'])}  {_cell(a['user']):<12} {_cell(a['action']):<22} "
            f"{_cell(a['cohort_id'] or '-'):<30} {_cell(a['patient_id'] or '-')}"
            for a in rows
        )
        or "no audit entries"
    )


__all__ = [
    "assign_text",
    "audit_text",
    "design_report",
    "outcome_text",
    "proposals_text",
    "rematch_text",
    "status_line",
    "status_text",
]
