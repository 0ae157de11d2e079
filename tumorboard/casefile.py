"""The case document on disk: the JSON sidecar, its schema, the patient file, registry status.

``case.json`` is the whole :class:`~tumorboard.models.CaseResult`; a report rendered from a saved
case is identical to the original. The patient YAML adds header details (age, sex, assay...),
and ``--registry`` fills cohort availability from the cohort registry.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tumorboard.errors import FormatError, InputError, excerpt, printable
from tumorboard.models import CaseResult, CohortStatus, Patient
from tumorboard.outputs import write_text_atomic


# --- JSON sidecar -------------------------------------------------------------------------------
def case_json(case: CaseResult) -> str:
    """The JSON sidecar: the whole case, indented, newline-terminated."""
    return case.model_dump_json(indent=2) + "\n"


def write_case_json(case: CaseResult, path: str | Path) -> Path:
    """Write the JSON sidecar atomically; returns the path written."""
    write_text_atomic(path, case_json(case))
    return Path(path)


def case_schema() -> dict[str, Any]:
    """JSON Schema of the case document (the sidecar)."""
    return CaseResult.model_json_schema()


CASE_HINT = "give a case JSON written by `tumorboard report --json` or `tumorboard demo`"


def load_case(path: str | Path) -> CaseResult:
    """Read a saved case JSON (as written by ``--json``) back into a :class:`CaseResult`.

    ``-`` reads standard input (once); a pipe is read once too; the file is bounded in size and
    nesting (:mod:`tumorboard.bounded`).
    """
    from tumorboard.bounded import load_json, read_text

    where = "<stdin>" if str(path) == "-" else str(path)
    text = read_text(path, "case file", error=FormatError, stdin=True)
    data = load_json(text, "case file", where, CASE_HINT)
    try:
        return CaseResult.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = excerpt(".".join(str(p) for p in first["loc"]) or "(document)", 80)[1:-1]
        raise FormatError(
            f"not a tumorboard case: {field}: {first['msg']}", where=where, hint=CASE_HINT
        ) from exc


# --- patient file and registry -----------------------------------------------------------------
_PATIENT_KEYS = {"id", "tumor_type", "sex", "age", "sample"}


def load_patient(path: str | Path) -> dict[str, Any]:
    """Read a patient YAML: ``id``, ``tumor_type``, ``sex``, ``age``, ``sample`` and any other
    key (shown in the report header, e.g. ``assay``, ``specimen``, ``tumour content``)."""
    from tumorboard.bounded import read_text
    from tumorboard.catalog.yamlmarks import compose

    source = str(path)
    hint = "a patient file is a YAML mapping such as 'id: P-017' and 'age: 61', one per line"
    text = read_text(path, "patient file", error=FormatError)
    data, _ = compose(text, source, FormatError)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FormatError("the patient file is not a mapping", where=source, hint=hint)
    age = data.get("age")
    if "age" in data and not (type(age) is int and 0 <= age < 130):
        raise FormatError(
            f"age must be a whole number of years, not {excerpt(age)}",
            where=source,
            hint="write the age in years, e.g. 'age: 61', or leave it out",
        )
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
            value = ", ".join(str(v) for v in value)
        if isinstance(value, (dict, list)):
            raise FormatError(
                f"{excerpt(key)} holds a mapping; patient details are values or lists of values",
                where=source,
                hint=hint,
            )
        out[printable(str(key))] = value
    return out


_GRADE = re.compile(r"(?:who\s*)?(?:grade\s*)?([1-4]|i{1,3}|iv)", re.IGNORECASE)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def patient_limits(path: str | Path) -> dict[str, int]:
    """The patient file's ``age`` (years) and ``grade`` (WHO grade 1-4: ``2``, ``II``, ``grade
    2``), as the ``RunOptions`` fields labels' age and grade limits are checked against
    (``patient_age``, ``tumor_grade``); a grade that is none of these is an error."""
    info = load_patient(path)
    out: dict[str, int] = {}
    if "age" in info:
        out["patient_age"] = int(info["age"])
    if "grade" in info:
        m = _GRADE.fullmatch(str(info["grade"]).strip())
        if m is None:
            raise FormatError(
                f"grade must be a WHO grade 1-4, not {excerpt(info['grade'])}",
                where=str(path),
                hint="write e.g. 'grade: 2' (or II), or leave it out",
            )
        text = m.group(1).lower()
        out["tumor_grade"] = int(text) if text.isdigit() else _ROMAN[text]
    return out


def apply_patient(case: CaseResult, path: str | Path, *, cli_id: str = "anonymous") -> CaseResult:
    """The case with the patient file's details; ``--patient-id`` (if given) wins over ``id``."""
    info = load_patient(path)
    patient = case.patient
    wanted = str(info.get("tumor_type", patient.tumor_type))
    if wanted not in (patient.tumor_type, *patient.lineage[-1:]):
        raise InputError(
            f"the patient file says tumour type {excerpt(wanted)} but the analysis used "
            f"{patient.tumor_type!r}",
            where=str(path),
            hint="make --tumor-type and the patient file agree",
        )
    extra = {**patient.extra, **{k: str(v) for k, v in info.items() if k not in _PATIENT_KEYS}}
    updated = Patient(
        id=cli_id if cli_id != "anonymous" else str(info.get("id", patient.id)),
        tumor_type=patient.tumor_type,
        tumor_type_name=patient.tumor_type_name,
        lineage=patient.lineage,
        sample=str(info.get("sample", patient.sample)),
        sex=str(info["sex"]) if "sex" in info else patient.sex,
        age=info.get("age", patient.age),
        extra=extra,
    )
    return case.model_copy(update={"patient": updated})


def add_cohort_status(case: CaseResult, registry: str) -> CaseResult:
    """The case with cohort availability read from the cohort registry (issue 5's API).

    When no cohort fits, the case holds one ``status="none"`` entry, so a report can tell
    "no cohort fits" from "registry not consulted" (an empty list).
    """
    from tumorboard.cohorts import cohort_status

    statuses: list[CohortStatus] = list(cohort_status(case, registry))
    if not statuses:  # consulted, and nothing fits: say so (an empty list means "not checked")
        statuses = [CohortStatus(cohort_id="", status="none", text="no cohort fits this case")]
    return case.model_copy(update={"cohorts": statuses})


__all__ = [
    "add_cohort_status",
    "apply_patient",
    "case_json",
    "case_schema",
    "load_case",
    "load_patient",
    "write_case_json",
]
