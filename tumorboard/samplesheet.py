"""Samplesheets: one row per patient, for ``tumorboard batch`` and the Snakemake workflow.

A samplesheet is a TSV with a header row. Blank lines and lines starting with ``#`` are skipped;
column names ignore case (``tumour_type`` = ``tumor_type``). Paths are comma- or
semicolon-separated and relative to the sheet.

==================  ==========================================================================
column              meaning
==================  ==========================================================================
``patient_id``      the pseudonym (required; letters, digits, ``.``, ``_``, ``-``; it names the
                    output files, so ``agenda``, ``manifest`` and ``summary`` are reserved)
``tumor_type``      OncoTree code (required)
``inputs``          input files of any kind, recognised from their content
``vcf``, ``maf``,   input files declared as that kind: a file whose content is of another kind
``tso500``          is an error for that patient (at least one input column must be filled)
``cnv``             copy-number files (gene table, segments or CNV VCF)
``fusions``         fusion files (table or breakend VCF)
``sample``          the tumour sample of this patient in multi-sample files
``genome``          GRCh37 or GRCh38 (checked against the data)
``jurisdiction``    EMA or FDA (default: the batch's ``--jurisdiction``)
``patient``         the patient YAML (age, sex, grade, assay...)
``tmb``, ``msi``,   TMB (mut/Mb), MSI (high/stable), HRD (positive/negative) measured elsewhere
``hrd``
==================  ==========================================================================
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tumorboard.errors import InputError, InputNotFoundError

REQUIRED = ("patient_id", "tumor_type")
INPUT_COLUMNS = ("inputs", "vcf", "maf", "tso500", "cnv", "fusions")
OPTIONAL = (
    "vcf", "maf", "tso500", "cnv", "fusions", "inputs", "sample", "genome", "jurisdiction",
    "patient", "tmb", "msi", "hrd",
)  # fmt: skip
ALIASES = {"tumour_type": "tumor_type", "input": "inputs"}
RESERVED_IDS = frozenset({"agenda", "manifest", "summary"})
"""Patient ids that would name the run's own files (agenda.html, manifest.json, summary.tsv)."""
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SPLIT = re.compile(r"[;,]")
_CHOICES = {
    "genome": ("GRCh37", "GRCh38"),
    "jurisdiction": ("EMA", "FDA"),
    "msi": ("high", "stable"),
    "hrd": ("positive", "negative"),
}


@dataclass(frozen=True)
class Sample:
    """One samplesheet row: a patient, their input files (absolute paths) and options."""

    patient_id: str
    tumor_type: str
    inputs: tuple[str, ...] = ()
    declared: tuple[tuple[str, str], ...] = ()
    """(kind, path) of the files in the ``vcf``, ``maf`` and ``tso500`` columns."""
    sample: str | None = None
    cnv: tuple[str, ...] = ()
    fusions: tuple[str, ...] = ()
    jurisdiction: str | None = None
    genome: str | None = None
    patient: str | None = None
    tmb: float | None = None
    msi: str | None = None
    hrd: str | None = None
    where: str = ""
    """``sheet.tsv:LINE`` of the row, for messages."""

    @property
    def files(self) -> tuple[str, ...]:
        """Every file this sample reads."""
        extra = (self.patient,) if self.patient else ()
        return (*self.inputs, *(p for _, p in self.declared), *self.cnv, *self.fusions, *extra)

    def options(self) -> dict[str, Any]:
        """The row's own RunOptions values (they override the batch's)."""
        values: dict[str, Any] = {
            "tumor_type": self.tumor_type,
            "patient_id": self.patient_id,
            "cnv": list(self.cnv),
            "fusions": list(self.fusions),
        }
        for name in ("sample", "jurisdiction", "genome", "tmb", "msi", "hrd"):
            value = getattr(self, name)
            if value is not None:
                values[name] = value
        return values

    def cli_args(self) -> list[str]:
        """The row as ``tumorboard annotate`` arguments (inputs last), for workflow engines."""
        args = ["-t", self.tumor_type, "--patient-id", self.patient_id]
        flags = {"sample": "--sample", "jurisdiction": "--jurisdiction", "genome": "--genome",
                 "msi": "--msi", "hrd": "--hrd", "patient": "--patient"}  # fmt: skip
        for name, flag in flags.items():
            value = getattr(self, name)
            if value is not None:
                args += [flag, str(value)]
        if self.tmb is not None:
            args += ["--tmb", f"{self.tmb:g}"]
        for path in self.cnv:
            args += ["--cnv", path]
        for path in self.fusions:
            args += ["--fusions", path]
        return [*args, *self.inputs, *(p for _, p in self.declared)]


def read_samplesheet(path: str | Path) -> list[Sample]:
    """Parse and check a samplesheet; raise :class:`InputError` naming ``file:line``."""
    sheet = Path(path)
    if not sheet.is_file():
        raise InputNotFoundError("samplesheet not found", where=str(path), hint="check the path")
    try:
        lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the samplesheet is not UTF-8 text (byte {exc.start})",
            where=str(path),
            hint="save the samplesheet as UTF-8 (tab-separated text)",
        ) from exc
    rows = [(n, ln) for n, ln in enumerate(lines, 1) if ln.strip() and not ln.startswith("#")]
    if not rows:
        raise InputError(
            "the samplesheet is empty",
            where=str(path),
            hint="add a header row (patient_id, tumor_type, inputs) and one row per patient",
        )
    header_line, header = rows[0]
    columns = _columns(header, f"{path}:{header_line}")
    samples: list[Sample] = []
    seen: dict[str, str] = {}
    for number, line in rows[1:]:
        where = f"{path}:{number}"
        sample = _row(line, columns, sheet.parent, where)
        key = sample.patient_id.lower()  # one file per patient, also on case-blind file systems
        if key in seen:
            raise InputError(
                f"patient {sample.patient_id!r} appears twice (first at {seen[key]})",
                where=where,
                hint="give each patient one row; list all their files in `inputs`",
            )
        seen[key] = where
        samples.append(sample)
    if not samples:
        raise InputError("the samplesheet has a header but no patients", where=str(path))
    return samples


def _columns(header: str, where: str) -> list[str]:
    names = [ALIASES.get(c.strip().lower(), c.strip().lower()) for c in header.split("\t")]
    known = (*REQUIRED, *OPTIONAL)
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise InputError(
                f"unknown column {name!r}",
                where=where,
                hint=f"{hint}columns are tab-separated: {', '.join(known)}",
            )
    missing = [c for c in REQUIRED if c not in names]
    if missing or not set(names) & set(INPUT_COLUMNS):
        need = missing or ["an input column (inputs, vcf, maf, tso500, cnv or fusions)"]
        raise InputError(
            f"missing column(s): {', '.join(need)}",
            where=where,
            hint="the header needs patient_id, tumor_type and inputs, separated by tabs",
        )
    if len(set(names)) != len(names):
        raise InputError("a column appears twice in the header", where=where)
    return names


def _paths(value: str, base: Path) -> tuple[str, ...]:
    parts = [p.strip() for p in _SPLIT.split(value) if p.strip()]
    return tuple(str(p if (p := Path(x).expanduser()).is_absolute() else base / p) for x in parts)


def _choice(name: str, value: str, where: str) -> str | None:
    if not value:
        return None
    allowed = _CHOICES[name]
    for option in allowed:
        if value.lower() == option.lower():
            return option
    raise InputError(
        f"{name} {value!r} is not one of {', '.join(allowed)}",
        where=where,
        hint=f"write {' or '.join(allowed)}, or leave the cell empty",
    )


def _tmb(value: str, where: str) -> float | None:
    if not value:
        return None
    try:
        tmb = float(value)
    except ValueError:
        tmb = -1.0
    if not 0 <= tmb < 10_000:  # NaN fails both comparisons
        raise InputError(
            f"tmb {value!r} is not a number of mutations per megabase",
            where=where,
            hint="write the TMB as a number such as 12.5, or leave the cell empty",
        )
    return tmb


def check_patient_id(pid: str, where: str) -> str:
    """A patient id that can name output files (see :data:`RESERVED_IDS`)."""
    if not _SAFE_ID.match(pid):
        raise InputError(
            f"patient_id {pid[:40]!r} cannot be used as a file name",
            where=where,
            hint="use up to 64 letters, digits, '.', '_' and '-' (a pseudonym, never a name)",
        )
    if pid.lower() in RESERVED_IDS:
        raise InputError(
            f"patient_id {pid!r} would overwrite the run's own {pid.lower()} file",
            where=where,
            hint=f"rename the patient; {', '.join(sorted(RESERVED_IDS))} are reserved",
        )
    return pid


def _row(line: str, columns: list[str], base: Path, where: str) -> Sample:
    cells = line.split("\t")
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        raise InputError(
            f"{len(cells)} fields but the header has {len(columns)}",
            where=where,
            hint="separate columns with tabs and files within `inputs` with commas",
        )
    values = {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns)}
    for name in REQUIRED:
        if not values[name]:
            raise InputError(f"empty {name}", where=where, hint=f"fill in {name} for this row")
    if not any(values.get(c) for c in INPUT_COLUMNS):
        raise InputError(
            "no input files", where=where, hint="fill in inputs (or vcf, maf, tso500, cnv)"
        )
    patient = _paths(values.get("patient", ""), base)
    return Sample(
        patient_id=check_patient_id(values["patient_id"], where),
        tumor_type=values["tumor_type"],
        inputs=_paths(values.get("inputs", ""), base),
        declared=tuple(
            (kind, p)
            for kind in ("vcf", "maf", "tso500")
            for p in _paths(values.get(kind, ""), base)
        ),
        sample=values.get("sample") or None,
        cnv=_paths(values.get("cnv", ""), base),
        fusions=_paths(values.get("fusions", ""), base),
        jurisdiction=_choice("jurisdiction", values.get("jurisdiction", ""), where),
        genome=_choice("genome", values.get("genome", ""), where),
        patient=patient[0] if patient else None,
        tmb=_tmb(values.get("tmb", ""), where),
        msi=_choice("msi", values.get("msi", ""), where),
        hrd=_choice("hrd", values.get("hrd", ""), where),
        where=where,
    )


__all__ = ["RESERVED_IDS", "Sample", "check_patient_id", "read_samplesheet"]
