"""Plain-text output of ``tumorboard decision ...`` (``--format table``); JSON is ``as_json``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tumorboard.decisions.views import NON_DRUG, Decision, DecisionState, drugs_text, option_status

if TYPE_CHECKING:
    from tumorboard.decisions.store import Recorded
    from tumorboard.models import CaseResult, Match


def _catalog(d: Decision) -> str:
    return f"{d.catalog.name} {d.catalog.version} (sha256 {d.catalog.sha256[:12]}...)"


def decision_lines(d: Decision, *, indent: str = "  ") -> list[str]:
    """One version: its choices, rationale, notes, catalog."""
    lines = []
    for c in d.choices:
        label = f"option {c.rank}" if c.is_drug else "choice"
        lines.append(f"{indent}{label}: {c.describe()}")
    lines.append(f"{indent}rationale: {d.rationale}")
    lines += [f"{indent}note: {n}" for n in d.notes]
    lines.append(f"{indent}catalog: {_catalog(d)}")
    return lines


def recorded_text(r: Recorded) -> str:
    d = r.decision
    what = (
        f"amended (version {d.version}, superseding {r.previous.version})"
        if r.previous
        else ("recorded (version 1)")
    )
    head = (
        f"decision for {d.patient_id} ({d.tumor_type}) {what}: meeting {d.meeting_date}, "
        f"by {d.recorded_by}"
    )
    return "\n".join([head, *decision_lines(d)])


def state_text(s: DecisionState) -> str:
    """``decision show``: the current version in full, then the history."""
    current = s.current
    if current is None:
        return f"{s.patient_id}: no decision recorded (pending)"
    lines = [
        f"{s.patient_id} ({current.tumor_type}): decision version {current.version} of "
        f"{len(s.history)}, meeting {current.meeting_date}, recorded by {current.recorded_by} "
        f"at {current.recorded_at}",
        *decision_lines(current),
    ]
    lines += [f"  enrolment: {e.describe()}" for e in s.enrolment]
    lines.append("history:")
    for d in s.history:
        state = "current" if d.current else f"superseded by version {d.superseded_by}"
        lines.append(
            f"  v{d.version}  {d.meeting_date}  {d.recorded_by:<12} {d.short()}  ({state})"
        )
    return "\n".join(lines)


def list_text(states: Sequence[DecisionState]) -> str:
    """``decision list``: one line per registered patient."""
    if not states:
        return "no registered patients"
    head = f"{'patient':<20} {'status':<8} {'ver':>3} {'meeting':<10} {'by':<12} decision"
    rows = []
    for s in states:
        d = s.current
        if d is None:
            rows.append(f"{s.patient_id:<20} {'pending':<8} {'-':>3} {'-':<10} {'-':<12} -")
        else:
            rows.append(
                f"{s.patient_id:<20} {'decided':<8} {d.version:>3} {d.meeting_date:<10} "
                f"{d.recorded_by:<12} {d.short()}"
            )
    return "\n".join([head, *rows])


def options_text(case: CaseResult, options: Sequence[Match]) -> str:
    """``decision options``: the numbers ``--option`` takes."""
    p = case.patient
    lines = [
        f"options for {p.id} ({p.tumor_type}, {case.jurisdiction}; catalog {case.catalog.name} "
        f"{case.catalog.version}), strongest first:"
    ]
    for i, m in enumerate(options, 1):
        evidence = f"{m.evidence.scale} {m.evidence.level}".strip()
        lines.append(
            f"  {i:>2}  {drugs_text(m.drugs)} for {m.biomarker}: {option_status(m).text}, "
            f"{evidence}"
        )
    if not options:
        lines.append("  (no drug option)")
    lines.append(f"  or: {', '.join(NON_DRUG)}")
    return "\n".join(lines)


__all__ = ["decision_lines", "list_text", "options_text", "recorded_text", "state_text"]
