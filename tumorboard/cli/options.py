"""The command-line options, declared once: every command that analyses a case takes the same set.

:func:`case_options` adds the options of one patient's analysis (the fields of
:class:`~tumorboard.models.RunOptions`, plus ``--patient`` and ``--registry``) to ``annotate``,
``report`` and ``cohort assign``; ``batch`` takes the same set without the per-patient ones,
which come from its samplesheet's columns. :func:`run_options` turns the parsed values into a
``RunOptions``. Defaults live only in the ``RunOptions`` model: an option that is not given is
not passed, and the help text shows the model's default.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from tumorboard.models import RunOptions

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class _Opt:
    """One option: its flags, the RunOptions field (or ``None``), click settings."""

    decls: tuple[str, ...]
    name: str
    per_patient: bool = False
    model_field: bool = True
    kwargs: dict[str, Any] = field(default_factory=dict)


def _path(help_text: str, *, multiple: bool = False) -> dict[str, Any]:
    return {"type": click.Path(), "multiple": multiple, "help": help_text}


_CASE: tuple[_Opt, ...] = (
    _Opt(("--tumor-type", "-t"), "tumor_type", True,
         kwargs={"metavar": "CODE", "help": "OncoTree code of the tumour, e.g. LUAD, COAD, SKCM."}),
    _Opt(("--patient-id",), "patient_id", True,
         kwargs={"help": "Patient pseudonym (recorded in the output)."}),
    _Opt(("--sample",), "sample", True,
         kwargs={"help": "Tumour sample (VCF column, MAF/CNA/fusion/segment sample id, or a "
                 "TCGA barcode prefix for tables) of this patient "
                 "(default: ##tumor_sample, the only sample, or tumour/normal names)."}),
    _Opt(("--patient", "patient_file"), "patient_file", True, model_field=False,
         kwargs={"type": click.Path(),
                 "help": "Patient YAML (id, age, sex, grade, assay... shown in the header)."}),
    _Opt(("--cnv",), "cnv", True,
         kwargs=_path("Copy-number file (TSV, VCF, segments); repeatable.", multiple=True)),
    _Opt(("--fusions",), "fusions", True,
         kwargs=_path("Fusion file (TSV, STAR-Fusion, Arriba, VCF BND); repeatable.",
                      multiple=True)),
    _Opt(("--tmb",), "tmb", True,
         kwargs={"type": float, "help": "TMB in mut/Mb, when measured elsewhere."}),
    _Opt(("--msi",), "msi", True,
         kwargs={"type": click.Choice(["high", "stable"]), "help": "MSI status."}),
    _Opt(("--hrd",), "hrd", True,
         kwargs={"type": click.Choice(["positive", "negative"]), "help": "HRD status."}),
    _Opt(("--panel",), "panel",
         kwargs={"help": "tso500, all, or a .bed / .txt (gene list) file."}),
    _Opt(("--genome",), "genome",
         kwargs={"type": click.Choice(["GRCh37", "GRCh38"]),
                 "help": "Expected genome build; checked against the data."}),
    _Opt(("--include-filtered",), "include_filtered",
         kwargs={"is_flag": True,
                 "help": "Keep records failing FILTER (flagged; never matched silently)."}),
    _Opt(("--index/--no-index", "use_index"), "use_index", model_field=False,
         kwargs={"default": None,
                 "help": "Require (--index) or ignore (--no-index) a .tbi/.csi index; "
                 "default: use one when present."}),
    _Opt(("--helpers/--no-helpers",), "helpers",
         kwargs={"default": None,
                 "help": "Use a second CPU for large files (a helper process reads or writes "
                 "part; Linux, 2+ CPUs); --no-helpers keeps all work in one process. "
                 "Results are the same."}),
    _Opt(("--jurisdiction",), "jurisdiction",
         kwargs={"type": click.Choice(["EMA", "FDA"]),
                 "help": "Whose approvals decide on-label vs off-label."}),
    _Opt(("--catalog",), "catalog",
         kwargs=_path("Catalog replacing the bundled one (repeatable).", multiple=True)),
    _Opt(("--catalog-extend",), "catalog_extend",
         kwargs=_path("Catalog added to the bundled (or --catalog) one (repeatable).",
                      multiple=True)),
    _Opt(("--tmb-high",), "tmb_high",
         kwargs={"type": float, "help": "TMB-high threshold (mut/Mb)."}),
    _Opt(("--msi-high",), "msi_high",
         kwargs={"type": float, "help": "MSI-high threshold (% unstable sites, TSO500)."}),
    _Opt(("--amp-copy-number",), "amp_copy_number",
         kwargs={"type": float, "help": "Amplification: absolute copy number at or above this."}),
    _Opt(("--amp-fold-change",), "amp_fold_change",
         kwargs={"type": float, "help": "Amplification: fold change at or above this (TSO500)."}),
    _Opt(("--deep-deletion-copy-number",), "deep_deletion_copy_number",
         kwargs={"type": float, "help": "Deep deletion: copy number below this."}),
    _Opt(("--hrd-gis",), "hrd_gis",
         kwargs={"type": float,
                 "help": "HRD-positive: TSO500 Genomic Instability Score at or above this "
                         "(DRAGEN/scarHRD HRD scores: called only when given)."}),
    _Opt(("--min-fusion-reads",), "min_fusion_reads",
         kwargs={"type": click.IntRange(min=0),
                 "help": "Fusion files: report calls with at least this many supporting reads."}),
    _Opt(("--registry",), "registry", model_field=False,
         kwargs={"help": "Cohort registry (SQLite path or database URL) for cohort status."}),
)  # fmt: skip
"""The case options, in the order ``--help`` lists them."""

_NOT_GIVEN = (None, ())


def _decorate(opt: _Opt, required: bool) -> Callable[[F], F]:
    kwargs = dict(opt.kwargs)
    if opt.model_field:
        model = RunOptions.model_fields[opt.name]
        default = model.get_default(call_default_factory=True) if not model.is_required() else None
        if default not in (None, [], False):
            kwargs["help"] += f"  [default: {default}]"
    if required:
        kwargs["required"] = True
    return click.option(*opt.decls, **kwargs)


def case_options(*, per_patient: bool = True, registry: bool = True) -> Callable[[F], F]:
    """Add the case options to a command (``per_patient=False``: those of ``batch``;
    ``registry=False``: for the ``cohort`` commands, whose registry option is their own)."""

    def apply(func: F) -> F:
        for opt in reversed(_CASE):
            if (opt.per_patient and not per_patient) or (opt.name == "registry" and not registry):
                continue
            func = _decorate(opt, required=opt.name == "tumor_type")(func)
        return func

    return apply


CASE_OPTION_NAMES = frozenset(o.name for o in _CASE)


def run_options(params: dict[str, Any], **fixed: Any) -> RunOptions:
    """``RunOptions`` from the case options in ``params`` (removed from it) and ``fixed``.

    ``patient_file`` and ``registry`` are not RunOptions fields: they stay in ``params``.

    Options that were not given are left out, so the model's defaults apply.
    """
    values: dict[str, Any] = {}
    for opt in _CASE:
        if opt.name not in params or not (opt.model_field or opt.name == "use_index"):
            continue  # --patient and --registry stay for the caller
        value = params.pop(opt.name)
        if opt.name == "use_index":
            values["index"] = "auto" if value is None else ("require" if value else "never")
        elif opt.model_field and value not in _NOT_GIVEN:
            values[opt.name] = list(value) if isinstance(value, tuple) else value
    values["command"] = shlex.join(["tumorboard", *sys.argv[1:]])
    values.update(fixed)
    try:
        return RunOptions(**values)
    except ValidationError as exc:  # a number out of range (--tmb -1, --msi-high nan...)
        err = exc.errors(include_url=False)[0]
        flag = "--" + "-".join(str(p) for p in err["loc"]).replace("_", "-")
        raise click.BadParameter(err["msg"], param_hint=f"'{flag}'") from exc


LANG = click.option(
    "--lang",
    type=click.Choice(["en", "nb"]),
    default="en",
    show_default=True,
    help="Report language: English or Norwegian bokmål.",
)
TEMPLATES = click.option(
    "--templates",
    type=click.Path(file_okay=False),
    help="Folder whose files override single bundled templates (e.g. partials/header.html).",
)


__all__ = ["CASE_OPTION_NAMES", "LANG", "TEMPLATES", "case_options", "run_options"]
