"""``tumorboard batch``: every patient of a samplesheet, in parallel, with a run summary."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import click

from tumorboard.cli._base import EXIT_USER_ERROR, main
from tumorboard.cli.options import LANG, case_options, run_options


@main.command()
@click.argument("samplesheet", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--outdir",
    required=True,
    type=click.Path(file_okay=False),
    help="Output folder (created if missing).",
)
@click.option(
    "-j",
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Patients analysed at once, one process each (about one core each).",
)
@click.option("--force", is_flag=True, help="Re-run every patient, even when unchanged.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no closing summary line.")
@LANG
@click.option("--title", default="", help="Agenda title (default: 'Tumour board').")
@case_options(per_patient=False)
def batch(samplesheet: str, outdir: str, jobs: int, force: bool, quiet: bool, lang: str,
          title: str, **params: Any) -> None:  # fmt: skip
    """Analyse every patient of SAMPLESHEET in parallel; write reports and a run summary.

    SAMPLESHEET is a TSV with a header: patient_id, tumor_type, inputs (comma- or
    semicolon-separated paths relative to the sheet; or files by kind in vcf, maf, tso500
    columns) and optionally cnv, fusions, sample, genome, jurisdiction, patient (YAML), tmb,
    msi, hrd; a row's columns override the options below for that patient. Writes PATIENT.json
    and PATIENT.html per patient, summary.tsv, agenda.html and manifest.json. A re-run skips
    patients whose inputs, catalog, options and tumorboard version are unchanged. Exit code 0
    when every patient succeeded, 1 when any failed (see summary.tsv) or the samplesheet is
    invalid.

    \b
    Examples:
      tumorboard batch run42/samples.tsv --jobs 2 -o run42/tumorboard
      tumorboard batch samples.tsv -j 4 -o out --jurisdiction FDA --quiet
    """
    from tumorboard.batch import SampleOutcome, read_samplesheet, run_batch

    registry = params.pop("registry")
    common = run_options(params, tumor_type="NA").model_dump(
        exclude={"tumor_type"}, exclude_unset=True
    )
    samples = read_samplesheet(samplesheet)
    failures: list[str] = []
    bar = None
    if not quiet and sys.stderr.isatty():  # a bar only for a person watching a terminal
        bar = click.progressbar(
            length=len(samples), label="tumorboard batch", file=sys.stderr, show_pos=True
        )

    def done(outcome: SampleOutcome) -> None:
        if outcome.status == "failed":
            failures.append(f"failed: {outcome.patient_id}: {outcome.reason}")
        if bar is not None:
            bar.update(1)

    with bar if bar is not None else contextlib.nullcontext():
        result = run_batch(
            samples,
            outdir,
            jobs=jobs,
            common=common,
            lang=lang,
            force=force,
            on_done=done,
            title=title,
            registry=registry,
        )
    for line in failures:
        click.echo(line, err=True)
    if not quiet:
        click.echo(
            f"{len(samples)} patients: {result.count('ok')} analysed, {result.count('skipped')} "
            f"unchanged (skipped), {result.count('failed')} failed; summary: {result.summary}",
            err=True,
        )
    if not result.ok:
        sys.exit(EXIT_USER_ERROR)
