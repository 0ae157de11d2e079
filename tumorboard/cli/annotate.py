"""``tumorboard annotate``: a tumour's panel variants (and catalog matches) as JSON or TSV."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from tumorboard.cli._base import main
from tumorboard.models import RunOptions
from tumorboard.outputs import atomic_output

F = TypeVar("F", bound=Callable[..., Any])


def case_options(func: F) -> F:
    """Options shared by every command that analyses a patient (annotate, report, assign)."""
    options = [
        click.option(
            "--tumor-type",
            "-t",
            required=True,
            metavar="CODE",
            help="OncoTree code of the tumour, e.g. LUAD, COAD, SKCM.",
        ),
        click.option(
            "--patient-id",
            default="anonymous",
            show_default=True,
            help="Patient pseudonym (recorded in the output).",
        ),
        click.option(
            "--sample",
            help="Tumour sample column of the VCF (default: chosen from "
            "##tumor_sample, the only sample, or tumour/normal names).",
        ),
        click.option(
            "--panel",
            default="tso500",
            show_default=True,
            help="tso500, all, or a .bed / .txt (gene list) file.",
        ),
        click.option(
            "--genome",
            type=click.Choice(["GRCh37", "GRCh38"]),
            help="Expected genome build; checked against the file header.",
        ),
        click.option(
            "--include-filtered",
            is_flag=True,
            help="Keep records failing FILTER (flagged; never matched silently).",
        ),
        click.option(
            "--jurisdiction",
            type=click.Choice(["EMA", "FDA"]),
            default="EMA",
            show_default=True,
            help="Whose approvals decide on-label vs off-label.",
        ),
        click.option(
            "--catalog",
            "catalog",
            multiple=True,
            type=click.Path(),
            help="Catalog replacing the bundled one (repeatable).",
        ),
        click.option(
            "--catalog-extend",
            multiple=True,
            type=click.Path(),
            help="Catalog added to the bundled (or --catalog) one (repeatable).",
        ),
        click.option(
            "--cnv",
            multiple=True,
            type=click.Path(),
            help="Copy-number file (TSV, VCF, segments); repeatable.",
        ),
        click.option(
            "--fusions",
            multiple=True,
            type=click.Path(),
            help="Fusion file (TSV, STAR-Fusion, VCF BND); repeatable.",
        ),
        click.option("--tmb", type=float, help="TMB in mut/Mb, when measured elsewhere."),
        click.option("--msi", type=click.Choice(["high", "stable"]), help="MSI status."),
        click.option("--hrd", type=click.Choice(["positive", "negative"]), help="HRD status."),
        click.option(
            "--tmb-high",
            type=float,
            default=10.0,
            show_default=True,
            help="TMB-high threshold (mut/Mb).",
        ),
        click.option(
            "--msi-high",
            type=float,
            default=20.0,
            show_default=True,
            help="MSI-high threshold (% unstable sites, TSO500).",
        ),
        click.option(
            "--amp-copy-number",
            type=float,
            default=6.0,
            show_default=True,
            help="Amplification: absolute copy number at or above this.",
        ),
        click.option(
            "--amp-fold-change",
            type=float,
            default=2.0,
            show_default=True,
            help="Amplification: fold change at or above this (TSO500).",
        ),
        click.option(
            "--deep-deletion-copy-number",
            type=float,
            default=0.5,
            show_default=True,
            help="Deep deletion: copy number below this.",
        ),
        click.option(
            "--hrd-gis",
            type=float,
            default=42.0,
            show_default=True,
            help="HRD-positive: TSO500 Genomic Instability Score at or above this.",
        ),
        click.option(
            "--index/--no-index",
            "use_index",
            default=None,
            help="Require (--index) or ignore (--no-index) a .tbi/.csi index; default: "
            "use one when present.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def run_options(params: dict[str, Any]) -> tuple[RunOptions, str]:
    """Build ``RunOptions`` (and the index mode) from the shared click parameters."""
    use_index = params.pop("use_index", None)
    index = "auto" if use_index is None else ("require" if use_index else "never")
    opts = RunOptions(
        tumor_type=params["tumor_type"],
        patient_id=params["patient_id"],
        sample=params["sample"],
        panel=params["panel"],
        genome=params["genome"],
        include_filtered=params["include_filtered"],
        jurisdiction=params["jurisdiction"],
        catalog=list(params["catalog"]),
        catalog_extend=list(params["catalog_extend"]),
        cnv=list(params["cnv"]),
        fusions=list(params["fusions"]),
        tmb=params["tmb"],
        msi=params["msi"],
        hrd=params["hrd"],
        tmb_high=params["tmb_high"],
        msi_high=params["msi_high"],
        amp_copy_number=params.get("amp_copy_number", 6.0),
        amp_fold_change=params.get("amp_fold_change", 2.0),
        deep_deletion_copy_number=params.get("deep_deletion_copy_number", 0.5),
        hrd_gis=params.get("hrd_gis", 42.0),
        command=shlex.join(["tumorboard", *sys.argv[1:]]),
    )
    return opts, index


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(allow_dash=True))
@case_options
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

    INPUT is a VCF, bgzipped VCF or BCF with VEP CSQ or SnpEff ANN annotation (or `-` for
    stdin). JSON output follows the case schema (`tumorboard schema case`).

    \b
    Examples:
      tumorboard annotate tumour.vcf.gz --tumor-type LUAD -o case.json
      tumorboard annotate tumour.vcf.gz -t COAD --format tsv --jurisdiction FDA
      bcftools view -f PASS in.bcf | tumorboard annotate - -t SKCM --genome GRCh38
    """
    from tumorboard.api import gc_paused, prepare
    from tumorboard.writers import write_case_json, write_variants_tsv

    options, index = run_options(params)
    # One pause for reading and writing; the case is dropped before the collector is back on, so
    # it never re-scans the tens of thousands of variants a large panel file reports.
    with gc_paused():
        analysis = prepare(list(inputs), options, index=index)
        with atomic_output(output) as fh:
            if fmt == "json":
                write_case_json(analysis.case, analysis.variant_dicts(), fh)
            else:
                write_variants_tsv(analysis.case.matches, analysis.variant_dicts(), fh)
        del analysis
