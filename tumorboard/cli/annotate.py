"""``tumorboard annotate``: a tumour's panel variants (and catalog matches) as JSON or TSV."""

from __future__ import annotations

from typing import Any

import click

from tumorboard.cli._base import gc_paused, main
from tumorboard.cli.options import case_options, run_options


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(allow_dash=True))
@case_options()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "tsv"]),
    default="json",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(allow_dash=True),
    default="-",
    help="Output file (written atomically); default: stdout.",
)
def annotate(inputs: tuple[str, ...], fmt: str, output: str, **params: Any) -> None:
    """Annotate a tumour's variants inside the panel, with catalog matches.

    INPUT is a VCF, bgzipped VCF or BCF (VEP CSQ, SnpEff ANN or unannotated; `-` for stdin),
    a TSO500 CombinedVariantOutput, a MAF, or a CNV/fusion file. JSON output follows the case
    schema (`tumorboard schema case`).

    \b
    Examples:
      tumorboard annotate tumour.vcf.gz --tumor-type LUAD -o case.json
      tumorboard annotate tumour.vcf.gz -t COAD --format tsv --jurisdiction FDA
      bcftools view -f PASS in.bcf | tumorboard annotate - -t SKCM --genome GRCh38
    """
    from tumorboard.pipeline import Outputs, run

    options = run_options(params)
    outputs = Outputs(json=output) if fmt == "json" else Outputs(tsv=output)
    # One pause for reading and writing; the run is dropped before the collector is back on, so
    # it never re-scans the tens of thousands of variants a large panel file reports.
    with gc_paused():
        done = run(
            list(inputs),
            options,
            patient_file=params["patient_file"],
            registry=params["registry"],
            outputs=outputs,
        )
        del done
