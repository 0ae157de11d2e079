"""Patient pseudonyms: one rule for the samplesheet, the registry and every command.

A patient id names output files (``batch``) and registry rows, and is printed in tables and
reports, so it is a short pseudonym: 1-64 letters, digits, ``.``, ``_`` and ``-``, starting with a
letter or digit. No spaces, no path separators, no control characters (terminal escapes).
"""

from __future__ import annotations

import re

from tumorboard.errors import InputError, TumorBoardError, excerpt

PATIENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
RESERVED_IDS = frozenset({"agenda", "manifest", "summary"})
"""Patient ids that would name a batch run's own files (agenda.html, manifest.json,
summary.tsv); refused where ids name files."""
_SAFE_ID = re.compile(PATIENT_ID_PATTERN)


def check_patient_id(
    pid: str,
    where: str | None = None,
    *,
    files: bool = True,
    error: type[TumorBoardError] = InputError,
) -> str:
    """``pid`` when it is a valid pseudonym; ``files``: it also names output files, so the
    :data:`RESERVED_IDS` are refused (case-blind, as file systems may be)."""
    if not _SAFE_ID.fullmatch(pid):
        raise error(
            f"patient id {excerpt(pid)} is not a valid pseudonym",
            where=where,
            hint="use up to 64 letters, digits, '.', '_' and '-' (a pseudonym, never a name)",
        )
    if files and pid.lower() in RESERVED_IDS:
        raise error(
            f"patient id {pid!r} would overwrite the run's own {pid.lower()} file",
            where=where,
            hint=f"rename the patient; {', '.join(sorted(RESERVED_IDS))} are reserved",
        )
    return pid


__all__ = ["PATIENT_ID_PATTERN", "RESERVED_IDS", "check_patient_id"]
