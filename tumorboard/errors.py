"""The tumorboard exception tree.

Every error says *where* (file, line or record, CHROM:POS) and *what to do* (a hint).
Only :mod:`tumorboard.cli` turns these into ``Error: ...`` lines and exit codes; library code
raises and never exits the process.

::

    TumorBoardError                      exit code 1 in the CLI
    ├── InputError                       a user-supplied file cannot be used
    │   ├── InputNotFoundError           missing file
    │   ├── FormatError                  not the format it claims to be / cannot be detected
    │   ├── TruncatedInputError          truncated gzip/bgzip/BCF
    │   ├── RecordError                  one record is malformed (carries record number, CHROM:POS)
    │   ├── AnnotationError              no CSQ/ANN annotation, or an unusable one
    │   ├── SampleError                  tumour sample cannot be chosen
    │   ├── GenomeBuildError             --genome disagrees with the file, or contigs unknown
    │   └── IndexRequiredError           an index (.tbi/.csi) is needed but missing
    ├── PanelError                       unknown panel or malformed BED / gene list
    ├── OncoTreeError                    unknown tumour-type code (suggests close codes)
    ├── CatalogError                     catalog cannot be loaded
    │   └── CatalogSchemaError           a catalog field is invalid (file, line, field)
    ├── RegistryError                    cohort registry problem
    │   ├── RegistryVersionError         registry newer than this tumorboard
    │   ├── CohortFullError              no slot left
    │   ├── AssignmentError              patient cannot be assigned (already enrolled, ...)
    │   └── DecisionError                a board decision cannot be recorded or found
    ├── ReportError                      a template cannot be rendered
    └── OutputError                      output cannot be written
"""

from __future__ import annotations

import re


class TumorBoardError(Exception):
    """Root of every error tumorboard raises on purpose.

    ``where`` names the place (``file.vcf:1234``, ``record 17 (chr7:140753336)``),
    ``hint`` says what the user can do about it.
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class InputError(TumorBoardError):
    """A user-supplied input file cannot be used."""


class InputNotFoundError(InputError):
    """The input file does not exist or cannot be read."""


class FormatError(InputError):
    """The input is not in the format it claims, or its format cannot be detected."""


class TruncatedInputError(InputError):
    """The input ends early (truncated gzip/bgzip/BCF)."""


class RecordError(InputError):
    """One record of an input is malformed."""


class AnnotationError(InputError):
    """Variant annotation (VEP CSQ / SnpEff ANN) is missing or unusable."""


class SampleError(InputError):
    """The tumour sample cannot be chosen."""


class GenomeBuildError(InputError):
    """The genome build or contig names do not fit."""


class IndexRequiredError(InputError):
    """An index (.tbi/.csi) is required but missing."""


class PanelError(TumorBoardError):
    """Unknown panel, or a malformed BED / gene list."""


class OncoTreeError(TumorBoardError):
    """Unknown or unusable OncoTree code."""


class CatalogError(TumorBoardError):
    """The drug catalog cannot be loaded."""


class CatalogSchemaError(CatalogError):
    """A catalog field is invalid; ``where`` is ``file:line`` and the message names the field."""


class RegistryError(TumorBoardError):
    """Cohort registry problem."""


class RegistryVersionError(RegistryError):
    """The registry was written by a newer tumorboard."""


class CohortFullError(RegistryError):
    """The cohort's current stage has no free slot."""


class AssignmentError(RegistryError):
    """The patient cannot be assigned (already enrolled, unknown cohort, ...)."""


class DecisionError(RegistryError):
    """A board decision cannot be recorded, amended or found (unknown option, no decision...)."""


class ReportError(TumorBoardError):
    """A report template cannot be rendered."""


class OutputError(TumorBoardError):
    """An output file cannot be written."""


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_AND_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or f"\\x{ord(char):02x}"


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control characters (terminal escapes, C1 codes, and newlines unless
    ``keep_newlines``) written as visible escapes such as ``\\x1b``: safe to print on a terminal."""
    pattern = _CONTROL if keep_newlines else _CONTROL_AND_NEWLINE
    return pattern.sub(_escape, text)


def excerpt(value: object, limit: int = 40) -> str:
    """A short, escaped quotation of a value from an input file, for an error message.

    Strings and bytes are quoted with :func:`repr` (control characters escaped) and cut to
    ``limit`` characters with ``...``; tumorboard never quotes more of a user's file than this.
    """
    if isinstance(value, (bytes, bytearray)):
        text = repr(bytes(value[: limit + 1]))
    else:
        text = repr(str(value)[: limit + 1])
    if len(text) > limit + 2:
        text = text[: limit + 1] + "..." + text[-1]
    return printable(text)


__all__ = [
    "AnnotationError",
    "AssignmentError",
    "CatalogError",
    "CatalogSchemaError",
    "CohortFullError",
    "DecisionError",
    "FormatError",
    "GenomeBuildError",
    "IndexRequiredError",
    "InputError",
    "InputNotFoundError",
    "OncoTreeError",
    "OutputError",
    "PanelError",
    "RecordError",
    "RegistryError",
    "RegistryVersionError",
    "ReportError",
    "SampleError",
    "TruncatedInputError",
    "TumorBoardError",
    "excerpt",
    "printable",
]
