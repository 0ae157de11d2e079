"""``tumorboard decision ...``: the board's decision per patient, in the cohort registry.

Thin commands over :mod:`tumorboard.decisions`: record, amend (a new version), show, list, and
the numbered options ``--option`` takes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from tumorboard.cli._base import echo, echo_json, main
from tumorboard.cli.cohort import F, _catalog_and_tree, _open, format_option, registry_options

if TYPE_CHECKING:
    from tumorboard.models import CaseResult


def _case(path: str, patient_id: str | None) -> CaseResult:
    from tumorboard.casefile import load_case

    case = load_case(path)
    if patient_id:
        case = case.model_copy(
            update={"patient": case.patient.model_copy(update={"id": patient_id})}
        )
    return case


def _emit(fmt: str, data: Any, table: str) -> None:
    """One JSON document, or the text table (stored control characters printed as escapes)."""
    if fmt == "json":
        echo_json(data, indent=2, default=str)
    else:
        echo(table)


def _decision_options(func: F) -> F:
    """The options of ``record`` and ``amend``."""
    for decorator in reversed(
        (
            click.argument("case_json", type=click.Path()),
            click.option(
                "--option",
                "option_values",
                multiple=True,
                required=True,
                metavar="N|DRUGS|CHOICE",
                help="What the board chose (repeatable): an option number from `tumorboard "
                "decision options`, a drug set (dabrafenib+trametinib), or one of: no "
                "targeted option, clinical trial elsewhere, re-biopsy, germline testing.",
            ),
            click.option("--rationale", required=True, help="Why the board decided this."),
            click.option(
                "--meeting-date", metavar="YYYY-MM-DD", help="Board meeting (default: today, UTC)."
            ),
            click.option(
                "--patient-id", help="Patient pseudonym (default: the one in the case JSON)."
            ),
            registry_options,
            format_option,
        )
    ):
        func = decorator(func)
    return func


def _record(
    case_json: str,
    option_values: tuple[str, ...],
    rationale: str,
    meeting_date: str | None,
    patient_id: str | None,
    amend: bool,
    registry: str | None,
    user: str | None,
    fmt: str,
) -> None:
    from tumorboard.decisions.choices import resolve
    from tumorboard.decisions.store import record_decision
    from tumorboard.decisions.text import recorded_text

    case = _case(case_json, patient_id)
    choices = resolve(case, option_values)
    catalog, tree = _catalog_and_tree()
    if catalog.sha256 != case.catalog.sha256:
        click.echo(
            f"Warning: the case was analysed with catalog {case.catalog.name} "
            f"{case.catalog.version}, not the catalog in use now ({catalog.name} "
            f"{catalog.version}); the decision records the case's",
            err=True,
        )
    with _open(registry, user) as reg:
        done = record_decision(
            reg,
            case,
            choices,
            rationale=rationale,
            meeting_date=meeting_date,
            amend=amend,
            catalog=catalog,
            tree=tree,
        )
    _emit(fmt, done.as_dict(), recorded_text(done))


@main.group()
def decision() -> None:
    """The board's decision per patient: record, amend (with history), show, list.

    \b
    Example:
      tumorboard decision options case.json
      tumorboard decision record case.json --option 1 --rationale "BRAF V600E; cohort open" \\
        --meeting-date 2026-03-12 --registry impress.sqlite --user dr-a
      tumorboard decision show DEMO-001 --registry impress.sqlite
    """


@decision.command("record")
@_decision_options
@click.option("--amend", is_flag=True, help="Amend the current decision (a new version).")
def record_cmd(amend: bool, **params: Any) -> None:
    """Record the board's decision for the patient of CASE.json.

    Stores the chosen option(s), the rationale, the meeting date, the catalog the case was
    analysed with and who recorded it (--user, a pseudonym), with an audit entry. A decision
    is never overwritten: --amend (or `decision amend`) adds a new version. Choosing an
    off-label drug that an open cohort offers says so.

    \b
    Example:
      tumorboard decision record case.json --option 1 --option "germline testing" \\
        --rationale "PARP inhibitor if germline BRCA2 is confirmed" --registry impress.sqlite
      tumorboard decision record case.json --option dabrafenib+trametinib --amend \\
        --rationale "cohort slot confirmed" --registry impress.sqlite
    """
    _record(amend=amend, **params)


@decision.command("amend")
@_decision_options
def amend_cmd(**params: Any) -> None:
    """Amend the patient's decision: a new version supersedes the current one (kept).

    \b
    Example:
      tumorboard decision amend case.json --option "re-biopsy" \\
        --rationale "tumour content too low to rule out a second alteration" \\
        --registry impress.sqlite --user dr-b
    """
    _record(amend=True, **params)


@decision.command("show")
@click.argument("patient_id")
@registry_options
@format_option
def show_cmd(patient_id: str, registry: str | None, user: str | None, fmt: str) -> None:
    """A patient's decision: the current version in full, every earlier version, enrolment.

    \b
    Example:
      tumorboard decision show DEMO-001 --registry impress.sqlite --format json
    """
    from tumorboard.decisions.store import decision_state, require_patient
    from tumorboard.decisions.text import state_text

    with _open(registry, user) as reg:
        require_patient(reg, patient_id)
        state = decision_state(reg, patient_id)
    _emit(fmt, state.as_json(), state_text(state))


@decision.command("list")
@registry_options
@format_option
def list_cmd(registry: str | None, user: str | None, fmt: str) -> None:
    """Every registered patient: decided (current version) or pending.

    \b
    Example:
      tumorboard decision list --registry impress.sqlite
    """
    from tumorboard.decisions.store import all_states
    from tumorboard.decisions.text import list_text

    with _open(registry, user) as reg:
        states = all_states(reg)
    _emit(fmt, [s.as_json() for s in states], list_text(states))


@decision.command("options")
@click.argument("case_json", type=click.Path())
@format_option
def options_cmd(case_json: str, fmt: str) -> None:
    """The case's drug options, numbered as `decision record --option N` takes them.

    Strongest first, in the report's order; one line per drug set.

    \b
    Example:
      tumorboard decision options case.json
    """
    from tumorboard.decisions.choices import ranked_options
    from tumorboard.decisions.text import options_text
    from tumorboard.decisions.views import NON_DRUG, option_status

    case = _case(case_json, None)
    options = ranked_options(case)
    data = {
        "patient_id": case.patient.id,
        "options": [
            {
                "rank": i,
                "drugs": m.drugs,
                "biomarker": m.biomarker,
                "label": option_status(m).text,
                "evidence": f"{m.evidence.scale} {m.evidence.level}".strip(),
            }
            for i, m in enumerate(options, 1)
        ],
        "other_choices": list(NON_DRUG),
    }
    _emit(fmt, data, options_text(case, options))
