"""``tumorboard report``, ``render``, ``agenda`` and ``demo``: the tumour-board documents."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from tumorboard.cli._base import gc_paused, main
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
    click.echo(output)


@main.command()
@click.argument("case_json", type=click.Path())
@LANG
@TEMPLATES
@click.option("-o", "--output", required=True, type=click.Path(), help="HTML report to write.")
def render(case_json: str, lang: str, templates: str | None, output: str) -> None:
    """Re-render a report from a saved case JSON (identical to the original report).

    \b
    Examples:
      tumorboard render case.json -o report.html
      tumorboard render case.json --lang nb --templates my_templates -o rapport.html
    """
    from tumorboard.casefile import load_case
    from tumorboard.report import write_report

    write_report(load_case(case_json), output, lang=lang, templates=templates)
    click.echo(output)


def _report_link(case_json: Path, agenda: Path) -> str:
    """Link from the agenda to a case's report: X.html beside X.json, else report.html there."""
    own = case_json.with_suffix(".html")
    folder_report = case_json.parent / "report.html"
    target = own if own.exists() or not folder_report.exists() else folder_report
    base = agenda.parent if str(agenda.parent) else Path()
    return Path(os.path.relpath(target.resolve(), base.resolve())).as_posix()


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path())
@click.option("--title", default="", help="Agenda title (default: 'Tumour board agenda').")
@LANG
@TEMPLATES
@click.option("-o", "--output", required=True, type=click.Path(), help="HTML agenda to write.")
def agenda(
    cases: tuple[str, ...], title: str, lang: str, templates: str | None, output: str
) -> None:
    """One-page meeting agenda: a row per patient, linking to each report.

    Each CASE.json links to the report beside it: CASE.html if it exists, else report.html in
    the same folder (the `tumorboard demo` layout), else CASE.html.

    \b
    Example:
      tumorboard agenda cases/*.json --title "MTB 12 March" -o agenda.html
    """
    from tumorboard.casefile import load_case
    from tumorboard.outputs import write_text_atomic
    from tumorboard.report import render_agenda

    rows = [(load_case(c), _report_link(Path(c), Path(output))) for c in cases]
    write_text_atomic(output, render_agenda(rows, lang=lang, title=title, templates=templates))
    click.echo(output)


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
    """Run the whole pipeline on the bundled (synthetic) demo patient.

    Writes report.html (English), report.nb.html (Norwegian), case.json and agenda.html into
    FOLDER, prints the report's path, and on stderr the patient's strongest option (the one
    the report, the agenda and summary.tsv name).

    \b
    Example:
      tumorboard demo && xdg-open tumorboard-demo/report.html
    """
    from tumorboard.casefile import load_case
    from tumorboard.demo import run_demo, summary_line

    report = run_demo(folder)
    click.echo(report)
    click.echo(summary_line(load_case(report.parent / "case.json")), err=True)
