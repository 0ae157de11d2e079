"""``tumorboard letter``: the board's recommendation for the referring physician (HTML, PDF)."""

from __future__ import annotations

import click

from tumorboard.cli._base import main
from tumorboard.cli.options import LANG, TEMPLATES


@main.command()
@click.argument("case_json", type=click.Path())
@click.option(
    "--registry",
    envvar="TUMORBOARD_REGISTRY",
    metavar="PATH|URL",
    help="Cohort registry holding the decision (env TUMORBOARD_REGISTRY).",
)
@click.option("-o", "--output", required=True, type=click.Path(), help="HTML letter to write.")
@click.option("--pdf", "pdf_path", type=click.Path(), help="Also write a PDF (headless Chromium).")
@LANG
@TEMPLATES
@click.option(
    "--decision-version",
    type=int,
    metavar="N",
    help="Version N of the decision (default: the current one).",
)
@click.option("--patient-id", help="Patient pseudonym (default: the one in the case JSON).")
def letter(
    case_json: str,
    registry: str | None,
    output: str,
    pdf_path: str | None,
    lang: str,
    templates: str | None,
    decision_version: int | None,
    patient_id: str | None,
) -> None:
    """The recommendation letter: the board's decision for the referring physician.

    One or two printable A4 pages (HTML, self-contained) in English or Norwegian: patient
    pseudonym, tumour type, the recommendation with its label status ("on-label if ..."),
    cohort enrolment, what must be confirmed, evidence and sources, provenance. --pdf prints it
    through headless Chromium ($TUMORBOARD_CHROMIUM, else chromium on the PATH). CASE.json must
    be the analysis the decision was recorded on (same catalog).

    \b
    Example:
      tumorboard letter case.json --registry impress.sqlite -o letter.html --pdf letter.pdf
      tumorboard letter case.json --registry impress.sqlite --lang nb -o brev.html
    """
    from tumorboard.casefile import load_case
    from tumorboard.cohorts.registry import resolve_target
    from tumorboard.decisions.letter import write_letter

    case = load_case(case_json)
    if patient_id:
        case = case.model_copy(
            update={"patient": case.patient.model_copy(update={"id": patient_id})}
        )
    written = write_letter(
        case,
        resolve_target(registry),
        output,
        pdf=pdf_path,
        lang=lang,
        templates=templates,
        version=decision_version,
        inputs=[case_json],
    )
    for path in written:
        click.echo(path)
