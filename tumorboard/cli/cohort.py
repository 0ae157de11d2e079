"""``tumorboard cohort ...``: the IMPRESS-style cohort registry (assign, outcome, status, design).

Thin commands: parse options, call :mod:`tumorboard.cohorts`, format a table or one JSON document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from tumorboard.catalog.index import Catalog
    from tumorboard.cohorts.registry import Registry
    from tumorboard.models import CaseResult
    from tumorboard.oncotree import OncoTree

from tumorboard.cli._base import echo, echo_json, main
from tumorboard.cli.options import case_options, run_options
from tumorboard.cohorts import tables
from tumorboard.errors import InputError, excerpt

F = TypeVar("F", bound=Callable[..., Any])
FORMAT = click.Choice(["table", "json"])


def registry_options(func: F) -> F:
    """``--registry`` and ``--user``, shared by every registry command."""
    func = click.option(
        "--user", help="Who makes the change (audit log); default: the OS user name."
    )(func)
    return click.option(
        "--registry",
        envvar="TUMORBOARD_REGISTRY",
        metavar="PATH|URL",
        help="SQLite file or postgresql+psycopg:// URL (env TUMORBOARD_REGISTRY).",
    )(func)


def format_option(func: F) -> F:
    return click.option(
        "--format", "fmt", type=FORMAT, default="table", show_default=True, help="Output format."
    )(func)


@contextmanager
def _open(registry: str | None, user: str | None, create: bool = False) -> Iterator[Registry]:
    from tumorboard.cohorts.registry import open_registry

    reg = open_registry(registry, user=user, create=create)
    try:
        yield reg
    finally:
        reg.close()


def _jsonable(data: Any) -> Any:
    """Typed results (dataclasses, lists of them) as JSON values."""
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        return dataclasses.asdict(data)
    if isinstance(data, list):
        return [_jsonable(d) for d in data]
    return data


def _emit(fmt: str, data: Any, table: Callable[[], str]) -> None:
    """One JSON document, or the text table (control characters in stored values escaped)."""
    if fmt == "json":
        echo_json(_jsonable(data), indent=2, default=str)
    else:
        echo(table())


def _catalog_and_tree(paths: tuple[str, ...] = ()) -> tuple[Catalog, OncoTree]:
    from tumorboard.catalog import load_catalog
    from tumorboard.oncotree import OncoTree

    return load_catalog(list(paths) or None), OncoTree.load()


@main.group()
def cohort() -> None:
    """IMPRESS-style cohorts: tumour type x biomarker x drug, two-stage enrolment.

    \b
    Example:
      tumorboard cohort init --registry impress.sqlite
      tumorboard cohort assign case.json -t COAD --patient-id P-017 --registry impress.sqlite
      tumorboard cohort outcome --patient-id P-017 --response SD --week 16
    """


@cohort.command("init")
@registry_options
@click.option(
    "--cohorts",
    "cohorts_path",
    type=click.Path(),
    help="Cohort definitions YAML (default: the bundled drug_catalog/cohorts.yaml).",
)
def init_cmd(registry: str | None, user: str | None, cohorts_path: str | None) -> None:
    """Create (or upgrade) a registry and add the cohort definitions it lacks.

    \b
    Example:
      tumorboard cohort init --registry impress.sqlite
      tumorboard cohort init --registry postgresql+psycopg://tb@db.example/impress
    """
    from tumorboard.cohorts.definitions import load_cohorts
    from tumorboard.cohorts.manage import sync_definitions

    catalog, tree = _catalog_and_tree()
    warnings: list[str] = []
    defs = load_cohorts(cohorts_path, catalog=catalog, tree=tree, warnings=warnings)
    with _open(registry, user, create=True) as reg:
        report = sync_definitions(reg, defs)
    for w in warnings:
        echo(f"Warning: {w}", err=True)
    added = sum(r.action == "added" for r in report)
    echo(f"registry ready: {added} cohort(s) added, {len(report) - added} already present")
    for r in report:
        if r.action != "added":
            echo(f"  {r.cohort_id}: {r.action}")


def _load_input(path: str, params: dict[str, Any]) -> CaseResult:
    """A saved case JSON, or a variant file analysed now; the pseudonym and code are checked."""
    from tumorboard.casefile import load_case
    from tumorboard.oncotree import OncoTree

    patient_file = params.pop("patient_file", None)
    options = run_options(params)
    code = OncoTree.load().resolve(options.tumor_type).code
    if not path.lower().endswith(".json"):
        from tumorboard.api import analyse

        return analyse(
            [path], options.model_copy(update={"tumor_type": code}), patient=patient_file
        )
    case = load_case(path)
    if case.patient.tumor_type != code:
        raise InputError(
            f"the case is for tumour type {excerpt(case.patient.tumor_type)[1:-1]} but "
            f"--tumor-type is {code}",
            where=path,
            hint="re-run the analysis with the right --tumor-type, or correct the option",
        )
    patient = case.patient.model_copy(update={"id": options.patient_id})
    return case.model_copy(update={"patient": patient})


@cohort.command("assign")
@click.argument("input_path", metavar="INPUT", type=click.Path())
@case_options(registry=False)
@click.option("--cohort", "cohort_id", metavar="ID", help="Assign to this fitting cohort only.")
@click.option(
    "--on-label-exhausted",
    is_flag=True,
    help="Standard (on-label) options are exhausted: on-label matches no longer prevent "
    "enrolment (audited).",
)
@click.option(
    "--decided",
    is_flag=True,
    help="Only cohorts for the drug option(s) of the board's recorded decision.",
)
@registry_options
@format_option
def assign_cmd(
    input_path: str,
    cohort_id: str | None,
    on_label_exhausted: bool,
    decided: bool,
    registry: str | None,
    user: str | None,
    fmt: str,
    **params: Any,
) -> None:
    """Assign a patient to a cohort from a case JSON or a variant file.

    Status: enrolled, waitlisted (with queue position), proposed (no cohort for this tumour
    type x biomarker x drug yet) or none (with the reason). INPUT is a case JSON (from
    `tumorboard annotate` / `report --json`) or a variant file, analysed with the same options
    as `tumorboard annotate`. --patient-id is required (a pseudonym).

    \b
    Example:
      tumorboard cohort assign case.json -t COAD --patient-id P-017 --registry impress.sqlite
      tumorboard cohort assign tumour.vcf.gz -t IHCH --patient-id P-018 --genome GRCh38 \\
        --cnv tumour.cns --msi high --format json
      tumorboard cohort assign case.json -t IHCH --patient-id P-017 --decided
    """
    from tumorboard.cohorts.assign import assign_case
    from tumorboard.decisions.store import decided_options

    case = _load_input(input_path, params)
    catalog, tree = _catalog_and_tree()
    with _open(registry, user) as reg:
        result = assign_case(
            reg,
            case,
            catalog=catalog,
            tree=tree,
            cohort_id=cohort_id,
            on_label_exhausted=on_label_exhausted,
            decided=decided_options(reg, case.patient.id) if decided else None,
        )
    _emit(fmt, result, lambda: tables.assign_text(result))


@cohort.command("outcome")
@click.option("--patient-id", required=True, help="Patient pseudonym.")
@click.option(
    "--response",
    required=True,
    type=click.Choice(["CR", "PR", "SD", "PD", "NE"], case_sensitive=False),
    help="RECIST category (NE: not evaluable).",
)
@click.option("--week", required=True, type=int, help="Weeks since treatment start.")
@click.option(
    "--date", "assessed_on", metavar="YYYY-MM-DD", help="Assessment date (default: today, UTC)."
)
@click.option("--confirmed", is_flag=True, help="The response is confirmed.")
@click.option("--correct", is_flag=True, help="Replace the assessment recorded for this week.")
@registry_options
@format_option
def outcome_cmd(
    patient_id: str,
    response: str,
    week: int,
    assessed_on: str | None,
    confirmed: bool,
    correct: bool,
    registry: str | None,
    user: str | None,
    fmt: str,
) -> None:
    """Record a response; stage transitions follow automatically.

    Benefit: CR or PR, or SD at week 16 or later. NE does not count (its slot is replaced when
    the cohort says so).

    \b
    Example:
      tumorboard cohort outcome --patient-id P-017 --response SD --week 16
      tumorboard cohort outcome --patient-id P-017 --response PD --week 16 --correct
    """
    from tumorboard.cohorts.outcomes import record_outcome

    with _open(registry, user) as reg:
        r = record_outcome(
            reg,
            patient_id,
            response,
            week,
            assessed_on=assessed_on,
            confirmed=confirmed,
            correct=correct,
        )

    _emit(fmt, r, lambda: tables.outcome_text(r))


@cohort.command("status")
@click.argument("cohort_id", required=False)
@registry_options
@format_option
def status_cmd(cohort_id: str | None, registry: str | None, user: str | None, fmt: str) -> None:
    """Per cohort: state, stage, enrolled, evaluable, benefit, slots, waitlist, what comes next.

    \b
    Example:
      tumorboard cohort status --registry impress.sqlite
      tumorboard cohort status IMPRESS-BRAF-V600-DT-SOLID --format json
    """
    from tumorboard.cohorts.manage import status

    with _open(registry, user) as reg:
        views = status(reg, cohort_id)

    _emit(fmt, views, lambda: tables.status_text(views, detail=bool(cohort_id)))


@cohort.command("export")
@click.argument("cohort_id", required=False)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Table to write: .csv, .tsv, .xlsx (Excel) or .parquet.",
)
@registry_options
def export_cmd(cohort_id: str | None, output: str, registry: str | None, user: str | None) -> None:
    """The cohort status table (one row per cohort) as CSV, TSV, Excel or Parquet.

    For the study board's own spreadsheets and dashboards; the columns are those of
    `cohort status --format json`. Needs pandas (`pip install 'tumorboard[tables]'`).

    \b
    Example:
      tumorboard cohort export --registry impress.sqlite -o cohorts-2026-11.xlsx
    """
    from tumorboard.cohorts.manage import status
    from tumorboard.cohorts.registry import resolve_target
    from tumorboard.frames import cohorts_frame, write_frame

    with _open(registry, user) as reg:
        views = status(reg, cohort_id)
    echo(str(write_frame(cohorts_frame(views), output, inputs=[resolve_target(registry)])))


@cohort.command("design")
@click.option("--n1", default=8, show_default=True, help="Stage-1 patients.")
@click.option("--r1", default=0, show_default=True, help="Stop unless more than r1 benefit.")
@click.option("--n", "n", default=24, show_default=True, help="Total patients.")
@click.option("--r", "r", default=4, show_default=True, help="Positive if more than r benefit.")
@click.option("--p0", type=float, help="Uninteresting benefit rate (gives alpha).")
@click.option("--p1", type=float, help="Interesting benefit rate (gives power).")
@click.option(
    "--rates",
    default="0.05,0.10,0.20,0.30,0.40",
    show_default=True,
    help="True benefit rates to tabulate (comma-separated).",
)
@format_option
def design_cmd(
    n1: int, r1: int, n: int, r: int, p0: float | None, p1: float | None, rates: str, fmt: str
) -> None:
    """Operating characteristics of a two-stage design (exact binomial).

    \b
    Example:
      tumorboard cohort design --n1 8 --r1 0 --n 24 --r 4 --p0 0.10 --p1 0.30
      tumorboard cohort design --n1 10 --r1 1 --n 29 --r 5   # Simon optimal 0.10/0.30
    """
    from tumorboard.cohorts.design import Design

    d = Design(n1, r1, n, r)
    try:
        ps = [float(x) for x in rates.split(",") if x.strip()]
    except ValueError as exc:
        raise click.BadParameter(f"not a list of numbers: {rates!r}", param_hint="--rates") from exc
    if (p0 is None) != (p1 is None):
        raise click.UsageError("give --p0 and --p1 together")
    data, text = tables.design_report(d, ps, p0, p1)
    _emit(fmt, data, lambda: text)


@cohort.command("open")
@click.argument("cohort_id", required=False)
@click.option(
    "--from-proposal",
    "proposal",
    type=int,
    metavar="N",
    help="Create a cohort from proposal N (see `tumorboard cohort proposals`).",
)
@click.option("--cohort-id", "new_id", help="Id of the new cohort (default NEW-<type>-...).")
@click.option(
    "--tumor-types",
    help="Comma-separated OncoTree codes for the new cohort (default: the proposal's tumour type).",
)
@click.option("--n1", default=8, show_default=True)
@click.option("--r1", default=0, show_default=True)
@click.option("--n", "n", default=24, show_default=True)
@click.option("--r", "r", default=4, show_default=True)
@click.option("--sponsor", default="", help="Who supplies the drug.")
@registry_options
def open_cmd(
    cohort_id: str | None,
    proposal: int | None,
    new_id: str | None,
    tumor_types: str | None,
    n1: int,
    r1: int,
    n: int,
    r: int,
    sponsor: str,
    registry: str | None,
    user: str | None,
) -> None:
    """Open a planned cohort, resume a suspended one, or create one from a proposal.

    \b
    Example:
      tumorboard cohort open --from-proposal 3 --registry impress.sqlite
      tumorboard cohort open IMPRESS-MSI-NIVO-SOLID
    """
    from tumorboard.cohorts.definitions import DesignSpec
    from tumorboard.cohorts.manage import open_cohort
    from tumorboard.cohorts.proposals import open_from_proposal

    if (proposal is None) == (cohort_id is None):
        raise click.UsageError("give a COHORT_ID or --from-proposal N (one of them)")
    with _open(registry, user) as reg:
        if proposal is not None:
            codes = [c.strip().upper() for c in (tumor_types or "").split(",") if c.strip()]
            if codes:
                from tumorboard.oncotree import OncoTree

                tree = OncoTree.load()
                codes = [tree.resolve(c).code for c in codes]
            row = open_from_proposal(
                reg,
                proposal,
                cohort_id=new_id,
                tumor_types=codes or None,
                design=DesignSpec(n1=n1, r1=r1, n=n, r=r),
                sponsor=sponsor,
            )
            echo(f"cohort {row.id} opened from proposal {proposal}")
        else:
            assert cohort_id is not None
            events = open_cohort(reg, cohort_id)
            echo(f"cohort {cohort_id}: {', '.join(events) or 'already open'}")


@cohort.command("suspend")
@click.argument("cohort_id")
@click.option("--reason", required=True, help="Why (recorded in the audit log).")
@registry_options
def suspend_cmd(cohort_id: str, reason: str, registry: str | None, user: str | None) -> None:
    """Stop new enrolments (outcomes are still recorded); `cohort open ID` resumes.

    \b
    Example:
      tumorboard cohort suspend IMPRESS-BRAF-V600-DT-SOLID --reason "drug supply"
    """
    from tumorboard.cohorts.manage import suspend_cohort

    with _open(registry, user) as reg:
        suspend_cohort(reg, cohort_id, reason)
    echo(f"cohort {cohort_id}: suspended")


@cohort.command("close")
@click.argument("cohort_id")
@click.option("--reason", required=True, help="Why (recorded in the audit log).")
@registry_options
def close_cmd(cohort_id: str, reason: str, registry: str | None, user: str | None) -> None:
    """Close a cohort by decision of the study board; waiting patients are released.

    \b
    Example:
      tumorboard cohort close IMPRESS-BRAF-V600-DT-SOLID --reason "sponsor withdrew"
    """
    from tumorboard.cohorts.manage import close_cohort

    with _open(registry, user) as reg:
        close_cohort(reg, cohort_id, reason)
    echo(f"cohort {cohort_id}: closed")


@cohort.command("proposals")
@registry_options
@format_option
def proposals_cmd(registry: str | None, user: str | None, fmt: str) -> None:
    """Proposed cohorts (tumour type x biomarker x drugs) and the patients behind them.

    \b
    Example:
      tumorboard cohort proposals --registry impress.sqlite
    """
    from tumorboard.cohorts.proposals import list_proposals

    with _open(registry, user) as reg:
        props = list_proposals(reg)
    _emit(fmt, props, lambda: tables.proposals_text(props))


@cohort.command("rematch")
@click.option(
    "--catalog",
    "catalog_paths",
    multiple=True,
    type=click.Path(),
    help="A new drug catalog: stored variants are matched again against it.",
)
@click.option(
    "--since",
    "since",
    type=click.Path(),
    help="The catalog the patients were matched with (default: the stored matches); with "
    "--catalog, every changed option names the catalog change behind it.",
)
@registry_options
@format_option
def rematch_cmd(
    catalog_paths: tuple[str, ...],
    since: str | None,
    registry: str | None,
    user: str | None,
    fmt: str,
) -> None:
    """Registered patients (not in a cohort) whose stored alterations now fit an open cohort;
    with --catalog, also every registered patient whose options change, and why.

    \b
    Example:
      tumorboard cohort rematch --registry impress.sqlite
      tumorboard cohort rematch --catalog drug_catalog_2027/ --format json
      tumorboard cohort rematch --catalog drug_catalog_2027/ --since drug_catalog/
    """
    from tumorboard.cohorts.manage import rematch

    catalog, tree = _catalog_and_tree(catalog_paths)
    old = _catalog_and_tree((since,))[0] if since else None
    with _open(registry, user) as reg:
        found = rematch(
            reg, catalog=catalog, tree=tree, new_catalog=bool(catalog_paths), old_catalog=old
        )
    _emit(fmt, found, lambda: tables.rematch_text(found))


@cohort.command("audit")
@click.option("--cohort", "cohort_id", help="Only this cohort.")
@click.option("--patient-id", help="Only this patient.")
@registry_options
@format_option
def audit_cmd(
    cohort_id: str | None, patient_id: str | None, registry: str | None, user: str | None, fmt: str
) -> None:
    """The append-only audit log (UTC time, user, action, details).

    \b
    Example:
      tumorboard cohort audit --patient-id P-017 --registry impress.sqlite
    """
    from tumorboard.cohorts.manage import audit_entries

    with _open(registry, user) as reg:
        rows = audit_entries(reg, cohort_id=cohort_id, patient_id=patient_id)
    _emit(fmt, rows, lambda: tables.audit_text(rows))
