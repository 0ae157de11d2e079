"""``tumorboard report``, ``render``, ``agenda`` and ``demo``: the tumour-board documents."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from tumorboard.cli._base import echo, gc_paused, main
from tumorboard.cli.options import LANG, TEMPLATES, case_options, run_options


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(allow_dash=True))
@case_options()
@LANG
@TEMPLATES
@click.option("-o", "--output", required=True, type=click.Path(), help="HTML report to write.")
@click.option("--json", "json_path", type=click.Path(), help="Also write the case as JSON here.")
def report(
    inputs: tuple[str, ...],
    lang: str,
    templates: str | None,
    output: str,
    json_path: str | None,
    **params: Any,
) -> None:
    """Analyse one patient and write the tumour-board report (one self-contained HTML file).

    INPUT is a VEP/SnpEff-annotated VCF/BCF (or TSO500 output, MAF, CNV/fusion files). The
    report opens offline, prints on A4, and can be re-rendered from the JSON sidecar with
    `tumorboard render`. The report and its sidecar are written together or not at all.

    \b
    Examples:
      tumorboard report tumour.vcf.gz --tumor-type IHCH --patient-id P-017 -o P-017.html
      tumorboard report tumour.vcf.gz -t COAD --patient p.yaml --lang nb \\
          --registry impress.sqlite -o report.html --json case.json
    """
    from tumorboard.pipeline import Outputs, run

    options = run_options(params)
    outputs = Outputs(json=json_path, html=output, lang=lang, templates=templates)
    with gc_paused():  # see annotate: the run is dropped before the collector is back on
        done = run(
            list(inputs),
            options,
            patient_file=params["patient_file"],
            registry=params["registry"],
            outputs=outputs,
        )
        del done
    echo(output)


REGISTRY = click.option(
    "--registry",
    envvar="TUMORBOARD_REGISTRY",
    metavar="PATH|URL",
    help="Cohort registry: show cohort status and the board's decision as it holds them now.",
)


@main.command()
@click.argument("case_json", type=click.Path(allow_dash=True))
@LANG
@TEMPLATES
@REGISTRY
@click.option("-o", "--output", required=True, type=click.Path(), help="HTML report to write.")
def render(
    case_json: str, lang: str, templates: str | None, registry: str | None, output: str
) -> None:
    """Re-render a report from a saved case JSON (identical to the original report).

    With --registry the report shows the cohort status and the board's decision (decided or
    pending, with every version) as the registry holds them now.

    CASE_JSON may be `-` (standard input) or a pipe; it is read once.

    \b
    Examples:
      tumorboard render case.json -o report.html
      tumorboard render case.json --lang nb --templates my_templates -o rapport.html
      tumorboard render case.json --registry impress.sqlite -o report-after-mtb.html
      gunzip -c case.json.gz | tumorboard render - -o report.html
    """
    from tumorboard.casefile import add_cohort_status, load_case
    from tumorboard.outputs import OutputSet
    from tumorboard.report import write_report

    inputs = [case_json, *([registry] if registry else [])]
    OutputSet([output], inputs=inputs)  # refused before the case is even read
    case, decision = load_case(case_json), None
    if registry:
        from tumorboard.decisions.store import registry_decision

        case = add_cohort_status(case, registry)
        decision = registry_decision(registry, case.patient.id)
    write_report(case, output, lang=lang, templates=templates, decision=decision, inputs=inputs)
    echo(output)


def _report_for(case_json: Path) -> Path:
    """A case's report: X.html beside X.json, else report.html in that folder."""
    own = case_json.with_suffix(".html")
    folder_report = case_json.parent / "report.html"
    return own if own.exists() or not folder_report.exists() else folder_report


def _report_link(case_json: Path, agenda: Path) -> str:
    """The path from the agenda to a case's report (relative; the agenda URL-encodes it)."""
    base = agenda.parent if str(agenda.parent) else Path()
    target = _report_for(case_json)
    return Path(os.path.relpath(target.resolve(), base.resolve())).as_posix()


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path())
@click.option("--title", default="", help="Agenda title (default: 'Tumour board agenda').")
@LANG
@TEMPLATES
@REGISTRY
@click.option("-o", "--output", required=True, type=click.Path(), help="HTML agenda to write.")
def agenda(
    cases: tuple[str, ...],
    title: str,
    lang: str,
    templates: str | None,
    registry: str | None,
    output: str,
) -> None:
    """One-page meeting agenda: a row per patient, linking to each report.

    Each CASE.json links to the report beside it: CASE.html if it exists, else report.html in
    the same folder (the `tumorboard demo` layout), else CASE.html. With --registry each
    patient is marked decided (with the board's choice) or pending, and the cohort status is
    the registry's now.

    \b
    Example:
      tumorboard agenda cases/*.json --title "MTB 12 March" -o agenda.html
      tumorboard agenda cases/*.json --registry impress.sqlite -o agenda.html
    """
    from tumorboard.casefile import load_case
    from tumorboard.outputs import OutputSet, write_text_atomic
    from tumorboard.report import render_agenda

    # Neither a case nor a report the agenda links to may be overwritten by it.
    protected = [*cases, *(str(_report_for(Path(c))) for c in cases)]
    protected += [registry] if registry else []
    OutputSet([output], inputs=protected)
    rows = [(load_case(c), _report_link(Path(c), Path(output))) for c in cases]
    decisions = None
    if registry:
        from tumorboard.casefile import add_cohort_status
        from tumorboard.cohorts.registry import open_registry
        from tumorboard.decisions.store import decision_states

        rows = [(add_cohort_status(case, registry), link) for case, link in rows]
        with open_registry(registry) as reg:
            decisions = decision_states(reg, [case.patient.id for case, _ in rows])
    page = render_agenda(rows, lang=lang, title=title, templates=templates, decisions=decisions)
    write_text_atomic(output, page, inputs=protected)
    echo(output)


@main.command()
@click.option(
    "-o",
    "--output",
    "folder",
    default="tumorboard-demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the demo's files.",
)
def demo(folder: str) -> None:
    """Run the board's whole loop on the bundled (synthetic) demo patient.

    Analysis (case.json), a recorded board decision and the enrolment it leads to (in a fresh
    demo-registry.sqlite), the agenda, the reports (report.html, report.nb.html), the
    recommendation letter (letter.html, letter.nb.html, letter.pdf when headless Chromium is
    installed) and the cohort dashboard, all in FOLDER; prints a summary listing the files,
    and on stderr the patient's strongest option (the one the report, the agenda and summary.tsv
    name).

    \b
    Example:
      tumorboard demo && xdg-open tumorboard-demo/report.html
    """
    from tumorboard.casefile import load_case
    from tumorboard.demo import run_demo, summary_line

    done = run_demo(folder)
    click.echo(done.summary())
    click.echo(summary_line(load_case(done.files["case"])), err=True)
