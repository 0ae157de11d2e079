"""The sections of a TSO500 ``CombinedVariantOutput.tsv``: parsed generically, checked for a cut
last line and duplicate sections (:func:`parse_sections`), and the value check shared by its rows
and biomarkers (:func:`value_problem`). What the sections mean is in
:mod:`tumorboard.readers.tso500`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tumorboard.errors import FormatError, RecordError, TruncatedInputError
from tumorboard.readers.text import iter_lines_ended, norm_column

KEY_VALUE_SECTIONS = frozenset(
    {"analysisdetails", "sequencingrundetails", "tmb", "msi", "gis", "header", "sampleinformation"}
)
SECTION_ALIASES = {
    "smallvariants": "small",
    "geneamplifications": "cnv",
    "copynumbervariants": "cnv",
    "copynumbervariations": "cnv",
    "cnvs": "cnv",
    "fusions": "fusions",
    "genefusions": "fusions",
    "splicevariants": "splice",
    "largerearrangements": "rearrangements",
    "tmb": "tmb",
    "msi": "msi",
    "gis": "gis",
    "analysisdetails": "details",
    "sequencingrundetails": "run",
    "header": "details",
}
NA = frozenset({"", "NA", "N/A", "na", "."})


@dataclass(slots=True)
class Section:
    """One ``[Name]`` block: its header line number, column names and data rows."""

    name: str
    line: int
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    pairs: dict[str, tuple[int, str]] = field(default_factory=dict)
    short: list[tuple[int, int]] = field(default_factory=list)
    """(line, cells) of table rows with fewer cells than the header (skipped with a reason)."""

    @property
    def key(self) -> str:
        return norm_column(self.name)


@dataclass(slots=True)
class CombinedVariantOutput:
    """A parsed CVO file: its title lines and sections by normalised name."""

    path: str
    title: list[str]
    sections: list[Section]
    unterminated: int = 0
    """The last line, when it has no newline (read as it stands: the file may be cut inside it)."""

    def get(self, alias: str) -> list[Section]:
        return [s for s in self.sections if SECTION_ALIASES.get(s.key) == alias]

    @property
    def layout(self) -> str:
        text = " ".join(self.title)
        if "DRAGEN" in text:
            return "DRAGEN TSO500"
        if any(s.key == "copynumbervariants" for s in self.sections):
            return "DRAGEN TSO500"
        return "TSO500 Local App"


def parse_sections(path: str) -> CombinedVariantOutput:
    """Split a CVO file into sections; tolerant of trailing tabs, CRLF and unknown sections.

    A section that appears twice is an error; so is a last line cut short (fewer cells than its
    section's header, and no final newline); a complete last line without a newline is read and
    noted (:attr:`CombinedVariantOutput.unterminated`). Shorter rows elsewhere are kept in
    :attr:`Section.short`, to be skipped with a reason.
    """
    title: list[str] = []
    sections: list[Section] = []
    current: Section | None = None
    last: tuple[int, bool] = (0, False)
    ended = True
    for n, raw, ended_here in iter_lines_ended(path):
        cells = [c.strip() for c in raw.split("\t")]
        width = len(cells)
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            continue
        ended = ended_here
        first = cells[0]
        if first.startswith("[") and first.endswith("]") and len(cells) == 1:
            current = _new_section(sections, first[1:-1].strip(), n, path)
            last = (n, False)
            continue
        if current is None:
            title.append(" ".join(cells))
            continue
        last = (n, _add_line(current, n, cells, width, path))
    if not sections:
        raise FormatError(
            "no [Section] headers found: not a TSO500 CombinedVariantOutput file",
            where=path,
            hint="give the *_CombinedVariantOutput.tsv from the TSO500 Local App or DRAGEN",
        )
    if last[1] and not ended:
        raise TruncatedInputError(
            "the file ends inside its last line (fewer cells than its section's header)",
            where=f"{path}:{last[0]}",
            hint="the file was cut short; copy or export the CombinedVariantOutput again",
        )
    cvo = CombinedVariantOutput(path=path, title=title, sections=sections)
    cvo.unterminated = 0 if ended else last[0]
    return cvo


def _new_section(sections: list[Section], name: str, line: int, path: str) -> Section:
    key = norm_column(name)
    for s in sections:
        if s.key == key:
            raise FormatError(
                f"section [{name}] appears twice (lines {s.line} and {line})",
                where=path,
                hint="a CombinedVariantOutput has each section once; give the file as exported",
            )
    section = Section(name=name, line=line)
    sections.append(section)
    return section


def _add_line(section: Section, n: int, cells: list[str], width: int, path: str) -> bool:
    """Add one line to ``section``; True when it is shorter than the section expects."""
    if section.key in KEY_VALUE_SECTIONS:
        if len(cells) == 1 and cells[0] in NA:
            return False
        if len(cells) > 2:
            raise RecordError(
                f"[{section.name}] expects 'key<TAB>value' lines, found {len(cells)} values",
                where=f"{path}:{n}",
                hint="repair the line; key/value sections hold one value per key",
            )
        section.pairs[norm_column(cells[0])] = (n, cells[1] if len(cells) > 1 else "")
        return width < 2
    if not section.header:
        section.header = cells
        return False
    if len(cells) == 1 and cells[0] in NA:
        return False
    if len(cells) > len(section.header):
        raise RecordError(
            f"[{section.name}] row has {len(cells)} values but the header has "
            f"{len(section.header)} columns",
            where=f"{path}:{n}",
            hint="the row does not fit the section header; repair or remove it",
        )
    if width < len(section.header):
        section.short.append((n, width))
        return True
    section.rows.append((n, cells + [""] * (len(section.header) - len(cells))))
    return False


def value_problem(number: float, high: float = math.inf) -> str:
    """What makes ``number`` impossible for a count, fraction or score (``""`` if nothing)."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "infinite"
    if number < 0:
        return "negative"
    return f"above {high:g}" if number > high else ""


__all__ = [
    "KEY_VALUE_SECTIONS",
    "SECTION_ALIASES",
    "CombinedVariantOutput",
    "Section",
    "parse_sections",
    "value_problem",
]
