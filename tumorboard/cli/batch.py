"""``tumorboard batch``: every patient of a samplesheet, in parallel, with a run summary."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import click

from tumorboard.cli._base import EXIT_USER_ERROR, main


def _common(params: dict[str, Any]) -> dict[str, Any]:
    """RunOptions fields shared by every sample of the batch."""
    return {
        "panel": params["panel"],
        "genome": params["genome"],
        "include_filtered": params["include_filtered"],
        "jurisdiction": params["jurisdiction"],
        "catalog": list(params["catalog"]),
        "catalog_extend": list(params["catalog_extend"]),
        "tmb_high": params["tmb_high"],
        "msi_high": params["msi_high"],
    }


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
@click.option(
    "--lang",
    type=click.Choice(["en", "nb"]),
    default="en",
    show_default=True,
    help="Report language.",
)
@click.option("--title", default="", help="Agenda title (default: 'Tumour board').")
@click.option(
    "--panel",
    default="tso500",
    show_default=True,
    help="tso500, all, or a .bed / .txt (gene list) file.",
)
@click.option(
    "--genome",
    type=click.Choice(["GRCh37", "GRCh38"]),
    help="Expected genome build of every input.",
)
@click.option("--include-filtered", is_flag=True, help="Keep records failing FILTER (flagged).")
@click.option(
    "--jurisdiction",
    type=click.Choice(["EMA", "FDA"]),
    default="EMA",
    show_default=True,
    help="Default jurisdiction; a `jurisdiction` column overrides.",
)
@click.option(
    "--catalog",
    multiple=True,
    type=click.Path(),
    help="Catalog replacing the bundled one (repeatable).",
)
@click.option(
    "--catalog-extend",
    multiple=True,
    type=click.Path(),
    help="Catalog added to the bundled (or --catalog) one (repeatable).",
)
@click.option(
    "--tmb-high", type=float, default=10.0, show_default=True, help="TMB-high threshold (mut/Mb)."
)
@click.option(
    "--msi-high",
    type=float,
    default=20.0,
    show_default=True,
    help="MSI-high threshold (% unstable sites).",
)
def batch(samplesheet: str, outdir: str, jobs: int, force: bool, quiet: bool, lang: str,
          title: str, **params: Any) -> None:  # fmt: skip
    """Analyse every patient of SAMPLESHEET in parallel; write reports and a run summary.

    SAMPLESHEET is a TSV with a header: patient_id, tumor_type, inputs (comma- or
    semicolon-separated paths relative to the sheet) and optionally sample, cnv, fusions,
    jurisdiction. Writes PATIENT.json and PATIENT.html per patient, summary.tsv, agenda.html
    and manifest.json. A re-run skips patients whose inputs, catalog, options and tumorboard
    version are unchanged. Exit code 0 when every patient succeeded, 1 when any failed (see
    summary.tsv) or the samplesheet is invalid.

    \b
    Examples:
      tumorboard batch run42/samples.tsv --jobs 2 -o run42/tumorboard
      tumorboard batch samples.tsv -j 4 -o out --jurisdiction FDA --quiet
    """
    from tumorboard.batch import read_samplesheet, run_batch

    samples = read_samplesheet(samplesheet)
    failures: list[str] = []
    bar = None
    if not quiet and sys.stderr.isatty():  # a bar only for a person watching a terminal
        bar = click.progressbar(
            length=len(samples), label="tumorboard batch", file=sys.stderr, show_pos=True
        )

    def done(outcome: Any) -> None:
        if outcome.status == "failed":
            failures.append(f"failed: {outcome.patient_id}: {outcome.reason}")
        if bar is not None:
            bar.update(1)

    with bar if bar is not None else contextlib.nullcontext():
        result = run_batch(
            samples,
            outdir,
            jobs=jobs,
            common=_common(params),
            lang=lang,
            force=force,
            on_done=done,
            title=title,
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
