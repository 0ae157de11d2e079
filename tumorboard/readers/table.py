"""Tables with a header line: columns by name, one patient's rows, checked numbers.

Shared by the MAF, copy-number and fusion readers:

* :func:`read_table` reads the header (the first line that is not blank or a comment above it:
  ``##``, ``#version`` or a ``#`` line without a tab, as GDC MAFs start; a leading ``#`` of the
  header is dropped, as in STAR-Fusion's ``#FusionName``) and the data rows with their line
  numbers, and notes whether the last line has its newline (without one, the file may have been
  cut inside it). Cells quoted as R's ``write.table`` or a spreadsheet writes them
  (``"ERBB2"``) are read without the quotes (a tab inside quotes is not supported). A header
  with commas and no tab makes the table comma-separated, read as CSV (:func:`is_csv_header`:
  JAFFA's results, a spreadsheet saved as CSV). A header
  line without a newline (the file ends inside it) is an error. Readers turn a cut last line
  that fails to parse into :func:`truncation_error`, and add :func:`table_notes` (a last line
  read without its newline, a header without rows) to their QC warnings.
* :meth:`Table.col` finds a column by any of its documented names, ignoring case and punctuation
  (``Start_position`` = ``Start_Position``).
* :func:`choose_sample` restricts a multi-sample file to one patient: ``--sample`` given as the
  exact id, or as a TCGA-style barcode prefix (``TCGA-A6-2686`` matches
  ``TCGA-A6-2686-01A-01D-1408-10``; ``TCGA-05-4417-01`` matches ``TCGA-05-4417-01A-...``, and a
  file id ``TCGA-05-4417-01`` matches ``--sample TCGA-05-4417-01A-01D-...``). A prefix must be at
  least three dash-separated fields (project, site, participant) and end at a field boundary (or
  before the vial letter of the sample field). Without ``--sample``, a file holding several
  samples is an error listing them.
* :func:`number` parses a numeric cell and says what is wrong with it (not a number, NaN,
  infinite, negative), so the caller can skip the row with that reason.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tumorboard.errors import SampleError, TruncatedInputError
from tumorboard.readers.text import is_preamble, iter_lines_ended, norm_column, unquote

NA_VALUES = frozenset({"", "na", "n/a", ".", "none", "null", "nd", "__unknown__"})
"""Cells meaning "no value" (compared in lower case)."""

SAMPLE_COLUMNS = (
    "tumorsamplebarcode", "sampleid", "sample", "samplename", "tumorsampleid", "tumorsample",
    "tumorid",
)  # fmt: skip
"""Columns naming the sample of a row (MAF, cBioPortal, OncoKB annotator, fusion and SV tables)."""

_SHOWN = 5
"""How many sample ids an error message lists."""


@dataclass(slots=True)
class Table:
    """A tab-separated table: header, normalised column keys and data rows."""

    path: str
    header: list[str]
    keys: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    complete: bool = True
    """False when the file does not end with a newline (its last line may be cut short)."""
    sam_header: list[str] = field(default_factory=list)
    """The ``@SQ`` lines above the header (GATK's copy-number tables state their reference so)."""

    def col(self, *names: str) -> int | None:
        """Index of the first column named any of ``names`` (normalised keys), or ``None``."""
        for name in names:
            if name in self.keys:
                return self.keys.index(name)
        return None

    def has(self, *names: str) -> bool:
        return self.col(*names) is not None

    @property
    def last_line(self) -> int:
        return self.rows[-1][0] if self.rows else self.header_line

    def overlong(self, cells: list[str]) -> str:
        """``"N of M"`` when the row holds values past the header's last column (``""``: it
        fits). Such a row's values may stand in the wrong columns (a tab or comma inside a cell
        shifts every cell after it), so no reader takes them as they are. Empty cells past the
        end (a trailing tab) are not values."""
        width = len(self.header)
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            return f"{len(cells)} of {width}"
        return ""

    def truncated(self, line: int) -> bool:
        """Is ``line`` the file's last line, written without a final newline?"""
        return not self.complete and line == self.last_line


OVERLONG = "{what} row has values past the header's last column (its cells may be shifted)"
"""The skip reason for a row :meth:`Table.overlong` finds (``what``: MAF, fusion...)."""


def read_table(path: str) -> Table | None:
    """The table in ``path`` (``None`` when it has no header line).

    A header line without a newline (the file ends inside it, so no row follows) is an error.
    """
    table: Table | None = None
    complete = True  # did the header or last row end with a newline?
    comma = False  # comma-separated (decided by the header line)
    sam: list[str] = []
    for n, line, ended in iter_lines_ended(path):
        if not line.strip():
            continue
        if table is None:
            if is_preamble(line):
                if line.startswith("@SQ"):
                    sam.append(line)
                continue
            comma = is_csv_header(line)
            header = [c.strip() for c in _cells(line, comma)]
            header[0] = header[0].lstrip("#").strip()
            while len(header) > 1 and not header[-1]:
                header.pop()
            table = Table(path, header, [norm_column(c) for c in header], n, sam_header=sam)
            complete = ended
            continue
        if line.startswith("#"):
            continue  # a comment line after the header
        table.rows.append((n, _cells(line, comma)))
        complete = ended
    if table is not None:
        table.complete = complete
        if not complete and not table.rows:
            raise TruncatedInputError(
                "the file ends inside its header line (no newline, no rows)",
                where=f"{path}:{table.header_line}",
                hint="the file was cut short; copy or export it again (if it is complete, add "
                "the final newline: echo >> FILE)",
            )
    return table


def is_csv_header(line: str) -> bool:
    """Is ``line`` the header of a comma-separated table (commas, no tab: JAFFA's
    ``jaffa_results.csv``, a spreadsheet saved as CSV)? Its rows are then read as CSV (RFC 4180
    quoting: a quoted cell may hold commas)."""
    return "\t" not in line and "," in line


def header_cells(line: str) -> list[str]:
    """A header line's cells, tab- or comma-separated (:func:`is_csv_header`), unquoted."""
    return _cells(line, is_csv_header(line))


def _cells(line: str, comma: bool = False) -> list[str]:
    """A line's cells without the quotes R's ``write.table`` or a spreadsheet put around text:
    comma-separated lines as CSV (a quoted cell may hold commas; a cell left open at the end of
    the line is read up to its end), tab-separated ones split (a line without ``"`` is only
    split)."""
    if comma:
        return next(csv.reader([line.rstrip("\r\n")]), [])
    cells = line.split("\t")
    if '"' in line:
        return [unquote(c) for c in cells]
    return cells


def table_notes(table: Table, what: str) -> list[str]:
    """QC warnings about the table as a whole: no data rows, or a last line read without its
    newline (it parsed, but the file may have been cut inside it)."""
    name = Path(table.path).name
    if not table.rows:
        return [f"{name}: a header line and no data rows: no {what} read from this file"]
    if table.complete:
        return []
    return [
        f"{name}:{table.last_line}: the file does not end with a newline; its last line was read "
        "as it stands: check that the file is complete"
    ]


def truncation_error(table: Table, line: int, found: int, reason: str = "") -> TruncatedInputError:
    """The error for a last line cut short: fewer cells than the header, or (``reason``) a
    value that does not parse, and no final newline."""
    width = len(table.header)
    what = f"{found} of {width} columns" if found < width or not reason else reason
    return TruncatedInputError(
        f"the file ends inside its last line ({what})",
        where=f"{table.path}:{line}",
        hint="the file was cut short; copy or export it again",
    )


def excerpt(text: str, limit: int = 40) -> str:
    """A short, escaped excerpt of a cell for messages."""
    return repr(text[:limit] + ("..." if len(text) > limit else ""))


# --- numbers -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Number:
    """A parsed numeric cell: ``value`` (``None`` when empty/NA) or ``problem`` (why it is bad)."""

    value: float | None = None
    problem: str = ""


def number(text: str, *, negative: bool = False) -> Number:
    """Parse ``text``; NaN, infinite and (unless ``negative``) negative values are problems."""
    cell = text.strip()
    if cell.lower() in NA_VALUES:
        return Number()
    try:
        value = float(cell.rstrip("%"))
    except ValueError:
        return Number(problem="not a number")
    if math.isnan(value):
        return Number(problem="NaN")
    if math.isinf(value):
        return Number(problem="infinite")
    if value < 0 and not negative:
        return Number(problem="negative")
    return Number(value)


MAX_COUNT = 10**12
"""Larger read counts or depths are not measurements (and would not fit the JSON output)."""
MAX_POSITION = 3_000_000_000
"""No human contig is longer (chromosome 1: 249 Mb)."""


def count(text: str) -> Number:
    """A read count: a non-negative whole number (``12`` or ``12.0``) up to :data:`MAX_COUNT`."""
    parsed = number(text)
    if parsed.value is not None and parsed.value != int(parsed.value):
        return Number(problem="not a whole number")
    if parsed.value is not None and parsed.value > MAX_COUNT:
        return Number(problem="too large")
    return parsed


# --- one patient per file ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SampleChoice:
    """The sample id(s) of the file that belong to this patient, and the rule that chose them."""

    ids: frozenset[str]
    sample: str
    rule: str
    unnamed: bool = False
    """The file has a sample column but no row names a sample (every cell empty or a "no
    value" word such as Funcotator's ``__UNKNOWN__``): one unnamed sample, as without the
    column."""

    def keeps(self, sample_id: str) -> bool:
        return not self.ids or sample_id in self.ids


NO_SAMPLE_COLUMN = SampleChoice(frozenset(), "", "")


def _unnamed(wanted: str | None) -> SampleChoice:
    rule = (
        "no row names a sample (the sample column is empty or a no-value word such as "
        "__UNKNOWN__ in every row): the file is read as one unnamed sample"
    )
    if wanted:
        rule = f"--sample {wanted} given, but {rule}"
    return SampleChoice(frozenset(), "", rule, unnamed=True)


_SAMPLE_FIELD = re.compile(r"\d\d")
_SAMPLE_VIAL = re.compile(r"\d\d[A-Z]")


def is_barcode_prefix(short: str, long: str) -> bool:
    """Is ``short`` a TCGA-style barcode prefix of ``long`` (see the module docstring)?"""
    s, ln = short.split("-"), long.split("-")
    if len(s) < 3 or len(s) > len(ln) or short == long or not all(s):
        return False
    if not s[0].isalpha() or s[: len(s) - 1] != ln[: len(s) - 1]:
        return False
    last, other = s[-1], ln[len(s) - 1]
    if last == other:
        return len(ln) > len(s)
    return bool(_SAMPLE_FIELD.fullmatch(last) and _SAMPLE_VIAL.fullmatch(other)) and (
        other.startswith(last)
    )


def _listed(samples: Sequence[str]) -> str:
    shown = ", ".join(samples[:_SHOWN])
    return shown + (f", ... ({len(samples)} in all)" if len(samples) > _SHOWN else "")


def choose_sample(found: Iterable[str], wanted: str | None, where: str, what: str) -> SampleChoice:
    """This patient's sample among the ids ``found`` in a file (see the module docstring)."""
    samples = sorted({s.strip() for s in found if s.strip()})
    if not samples:
        return NO_SAMPLE_COLUMN
    hint = "pass --sample ID: the exact id, or a TCGA barcode prefix such as TCGA-A6-2686"
    if not wanted:
        if len(samples) == 1:
            return SampleChoice(frozenset(samples), samples[0], f"only sample in the {what}")
        raise SampleError(
            f"the {what} holds {len(samples)} samples: {_listed(samples)}", where=where, hint=hint
        )
    if wanted in samples:
        return SampleChoice(frozenset({wanted}), wanted, f"--sample {wanted} (exact id)")
    longer = [s for s in samples if is_barcode_prefix(wanted, s)]
    shorter = [s for s in samples if is_barcode_prefix(s, wanted)]
    matches = longer + shorter
    if len(matches) == 1:
        (hit,) = matches
        how = "barcode prefix of" if longer else "barcode extending"
        return SampleChoice(frozenset({hit}), hit, f"--sample {wanted} ({how} {hit})")
    if matches:
        raise SampleError(
            f"--sample {wanted} matches {len(matches)} samples in the {what}: {_listed(matches)}",
            where=where,
            hint="give the full sample id",
        )
    raise SampleError(
        f"sample {wanted!r} is not in the {what}; samples: {_listed(samples)}",
        where=where,
        hint="pass one of the listed ids (or a TCGA barcode prefix of one) with --sample",
    )


def sample_of(table: Table, cells: list[str], column: int | None) -> str:
    """The row's sample id; ``""`` when the cell is empty or a no-value word (:data:`NA_VALUES`:
    ``NA``, Funcotator's ``__UNKNOWN__``)."""
    cell = cells[column].strip() if column is not None and column < len(cells) else ""
    return "" if cell.lower() in NA_VALUES else cell


def restrict(
    table: Table, column: int | None, wanted: str | None, what: str
) -> tuple[SampleChoice, list[tuple[int, list[str]]], int]:
    """(the sample choice, this patient's rows, rows of other samples left out).

    Rows without a sample id in a file that names samples are kept for the caller to skip with
    a reason (they belong to no one).
    """
    if column is None:
        return NO_SAMPLE_COLUMN, table.rows, 0
    if not any(sample_of(table, cells, column) for _, cells in table.rows):
        return _unnamed(wanted), table.rows, 0
    choice = choose_sample(
        (sample_of(table, c, column) for _, c in table.rows), wanted, table.path, what
    )
    kept = []
    for n, cells in table.rows:
        sid = sample_of(table, cells, column)
        if not sid or choice.keeps(sid):
            kept.append((n, cells))
    return choice, kept, len(table.rows) - len(kept)


def other_samples_note(name: str, left_out: int, choice: SampleChoice) -> str:
    return f"{name}: {left_out} row(s) of other samples left out (kept {choice.sample})"


__all__ = [
    "MAX_COUNT",
    "MAX_POSITION",
    "NA_VALUES",
    "NO_SAMPLE_COLUMN",
    "OVERLONG",
    "SAMPLE_COLUMNS",
    "Number",
    "SampleChoice",
    "Table",
    "choose_sample",
    "count",
    "excerpt",
    "is_barcode_prefix",
    "number",
    "other_samples_note",
    "read_table",
    "restrict",
    "sample_of",
    "table_notes",
    "truncation_error",
]
