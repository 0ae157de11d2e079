"""The recommendation letter: the board's decision for the referring physician.

One printable page or two (A4), self-contained like the report (inline CSS, no script, a
Content-Security-Policy), in English or Norwegian bokmål, rendered from a typed
:class:`LetterContext` with the report's jinja2 environment (``templates/letter.html``, which a
``--templates`` folder can override). It names the patient's pseudonym and tumour type, what
the board recommends with each option's label status ("on-label if ..."), the cohort
enrolment, what must be confirmed before treatment, the evidence and its sources, and the
provenance (tumorboard and catalog versions, the decision's version, date and author).
The date of the letter is the date the decision version was recorded, never the clock, so the
same registry renders the same letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tumorboard import __version__
from tumorboard.decisions.views import (
    Choice,
    Decision,
    DecisionState,
    Enrolment,
    OptionStatus,
    option_status,
)
from tumorboard.errors import DecisionError
from tumorboard.models import CaseResult, CohortStatus, Match, Variant

LOW_VAF = 0.05
REFERRER_KEYS = ("referring physician", "referring doctor", "referrer", "referring hospital")


@dataclass(frozen=True)
class LetterOption:
    """A chosen drug option with what the letter says about it."""

    choice: Choice
    match: Match
    status: OptionStatus
    variants: tuple[Variant, ...]
    low_vaf: tuple[Variant, ...]
    resistance: tuple[Match, ...]
    """The case's resistance flags against one of its drugs."""


@dataclass(frozen=True)
class LetterContext:
    """Everything ``letter.html`` may use; built by :func:`build_letter`."""

    lang: str
    case: CaseResult
    decision: Decision
    versions: int
    options: tuple[LetterOption, ...]
    other: tuple[Choice, ...]
    """Choices without a drug (no targeted option, re-biopsy, germline testing...)."""
    enrolment: tuple[Enrolment, ...]
    referrer: str
    recorded_on: str
    """The date the decision version was recorded (ISO), the date of the letter."""
    tumorboard_version: str


def _option(case: CaseResult, choice: Choice) -> LetterOption:
    assert choice.match is not None
    m = choice.match
    by_id = {v.id: v for v in case.variants}
    variants = tuple(by_id[i] for i in m.variants if i in by_id)
    drugs = {d.lower() for d in m.drugs}
    return LetterOption(
        choice=choice,
        match=m,
        status=option_status(m),
        variants=variants,
        low_vaf=tuple(v for v in variants if v.vaf is not None and v.vaf < LOW_VAF),
        resistance=tuple(
            r
            for r in case.matches
            if r.effect == "resistant" and {d.lower() for d in r.drugs} & drugs
        ),
    )


def _fitting(decision: Decision, cohorts: Sequence[CohortStatus]) -> tuple[Enrolment, ...]:
    """Cohorts (from the registry now) offering a decided drug set to this patient."""
    wanted = {frozenset(d.lower() for d in c.drugs) for c in decision.drug_choices}
    return tuple(
        Enrolment(
            cohort_id=c.cohort_id,
            status=c.status,
            drugs=tuple(c.drugs),
            stage=c.stage,
            queue_position=c.queue_position,
            slots_left=c.slots_left if c.status not in ("enrolled", "waitlisted") else None,
            stage_size=c.stage_size if c.status not in ("enrolled", "waitlisted") else None,
        )
        for c in cohorts
        if c.cohort_id and frozenset(d.lower() for d in c.drugs) in wanted
    )


def pick_version(state: DecisionState, version: int | None) -> Decision:
    """The current decision, or the given version of it."""
    if not state.history:
        raise DecisionError(
            f"no decision is recorded for patient {state.patient_id}",
            hint="record the board's decision first: tumorboard decision record CASE.json "
            "--option N --rationale TEXT --registry ...",
        )
    if version is None:
        current = state.current
        assert current is not None  # a history always has its current version
        return current
    for d in state.history:
        if d.version == version:
            return d
    raise DecisionError(
        f"patient {state.patient_id} has no decision version {version}",
        hint=f"versions 1 to {len(state.history)} exist (tumorboard decision show "
        f"{state.patient_id})",
    )


def build_letter(
    case: CaseResult,
    state: DecisionState,
    *,
    lang: str = "en",
    version: int | None = None,
    cohorts: Sequence[CohortStatus] = (),
) -> LetterContext:
    """The letter's context: ``state`` from the registry, ``cohorts`` its cohort status now."""
    decision = pick_version(state, version)
    if decision.catalog.sha256 != case.catalog.sha256:
        raise DecisionError(
            f"the decision (version {decision.version}) was made on an analysis with catalog "
            f"{decision.catalog.name} {decision.catalog.version}, but this case was analysed "
            f"with {case.catalog.name} {case.catalog.version}",
            hint="give the case JSON the board decided on, or amend the decision for this "
            "analysis (tumorboard decision amend)",
        )
    active = tuple(e for e in state.enrolment if e.status in ("enrolled", "waitlisted"))
    enrolment = active or tuple(state.enrolment) or _fitting(decision, cohorts)
    extra = {k.strip().lower(): v for k, v in case.patient.extra.items()}
    return LetterContext(
        lang=lang,
        case=case,
        decision=decision,
        versions=len(state.history),
        options=tuple(_option(case, c) for c in decision.drug_choices),
        other=tuple(c for c in decision.choices if not c.is_drug),
        enrolment=enrolment,
        referrer=next((extra[k] for k in REFERRER_KEYS if extra.get(k)), ""),
        recorded_on=datetime.fromisoformat(decision.recorded_at).date().isoformat(),
        tumorboard_version=__version__,
    )


def render_letter(ctx: LetterContext, *, templates: str | Path | None = None) -> str:
    from tumorboard.report import render_document

    return render_document("letter.html", templates, ctx.lang, ctx=ctx)


def write_letter(
    case: CaseResult,
    registry: str,
    output: str,
    *,
    pdf: str | None = None,
    lang: str = "en",
    templates: str | Path | None = None,
    version: int | None = None,
    inputs: Sequence[str] = (),
) -> list[Path]:
    """Render the letter from the registry's decision and write the HTML (and the PDF when
    ``pdf`` is given) atomically: both files or neither. Returns the paths written."""
    from tumorboard.cohorts.manage import cohort_status
    from tumorboard.cohorts.registry import open_registry
    from tumorboard.decisions.pdf import html_to_pdf
    from tumorboard.decisions.store import decision_state
    from tumorboard.outputs import OutputSet

    pid = case.patient.id
    if not pid or pid == "anonymous":
        raise DecisionError(
            "the case has no patient pseudonym, so it has no decision",
            hint="pass --patient-id (the pseudonym the decision was recorded for)",
        )
    paths = [output, *([pdf] if pdf else [])]
    sources = [*inputs, registry]  # never written over; the letter is no more readable than they
    OutputSet(paths, inputs=sources)  # checks the paths before any work
    with open_registry(registry) as reg:
        state = decision_state(reg, pid)
    ctx = build_letter(
        case, state, lang=lang, version=version, cohorts=cohort_status(case, registry)
    )
    html = render_letter(ctx, templates=templates)
    data = html_to_pdf(html) if pdf else None
    with OutputSet(paths, inputs=sources) as out:  # both files or neither
        with out.open(output) as fh:
            fh.write(html)
        if pdf and data is not None:
            with out.open_binary(pdf) as bfh:
                bfh.write(data)
    return [Path(output), *([Path(pdf)] if pdf else [])]


__all__ = [
    "LetterContext",
    "LetterOption",
    "build_letter",
    "pick_version",
    "render_letter",
    "write_letter",
]
