"""The library's entry points (what ``import tumorboard`` exports), on top of the pipeline.

``analyse(inputs, options) -> CaseResult`` reads every input of one patient, restricts it to the
panel, matches the catalog and returns the whole case; it walks :func:`tumorboard.pipeline.run`,
the same road as every command. ``collect`` is the pipeline's reading step alone, ``open_vcf``
streams one VCF in constant memory. Nothing here prints, exits the process or touches the
garbage collector.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tumorboard.models import CaseResult, RunOptions
from tumorboard.pipeline import Analysis, CaseRun, Input, Inputs, Outputs, run
from tumorboard.readers.vcf import open_vcf, read_vcf

if TYPE_CHECKING:
    import pandas as pd


def analyse(
    inputs: Sequence[Input],
    options: RunOptions,
    *,
    patient: str | Path | None = None,
    registry: str | None = None,
) -> CaseResult:
    """Analyse one patient's inputs and return the whole case (never exits the process).

    ``patient`` is a patient YAML (age, sex, assay...), ``registry`` a cohort registry whose
    cohort status the case then carries.
    """
    return run(inputs, options, patient_file=patient, registry=registry).result()


def collect(inputs: Sequence[Input], options: RunOptions) -> Inputs:
    """Read every input of one patient (the pipeline's ``read`` step), without matching."""
    from tumorboard.pipeline import read

    return read(inputs, options)


def cases_frame(
    cases: Sequence[CaseResult | str | Path], kind: Literal["variants", "matches"] = "variants"
) -> pd.DataFrame:
    """Variants or matches of many patients as one pandas DataFrame (case objects or the case
    JSON files ``report --json`` / ``annotate`` write); needs ``tumorboard[tables]``."""
    from tumorboard.casefile import load_case
    from tumorboard.frames import cases_frame as frame

    return frame((load_case(c) if isinstance(c, (str, Path)) else c for c in cases), kind)


def prepare(inputs: Sequence[Input], options: RunOptions) -> Analysis:
    """Everything :func:`analyse` does, with the variants still raw alterations."""
    from tumorboard.pipeline import analyse as analyse_inputs

    return analyse_inputs(inputs, options)


__all__ = [
    "Analysis",
    "CaseRun",
    "Inputs",
    "Outputs",
    "analyse",
    "cases_frame",
    "collect",
    "open_vcf",
    "prepare",
    "read_vcf",
    "run",
]
