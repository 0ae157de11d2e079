"""Genome-wide biomarker files of other tools: MSI, TMB and HRD with value, threshold and source.

Each file gives :class:`~tumorboard.models.Biomarker` objects (no alterations); the case
combines them with the command line's and the other inputs' values
(:func:`tumorboard.biomarkers.resolve_biomarkers`: inputs that disagree make the biomarker
``unknown``, never one of them silently). The tool's own status word is read, and checked
against its value and the tool's documented cut-off: a file whose status contradicts its own
value (hand-edited, or another version's rule) gives ``unknown`` with both, never a guess.

=====================  ===================================  ====================================
tool                   recognised by                        gives
=====================  ===================================  ====================================
PURPLE                 ``purity``, ``msIndelsPerMb`` /      MSI (MSI if >= 4 indels/Mb, PURPLE's
``purple.purity.tsv``  ``msStatus``, ``tmbPerMb`` /         rule), TMB (somatic variants per Mb
                       ``tmbStatus``                        of the whole genome)
CHORD prediction       ``p_hrd`` and ``hr_status`` (or the  HRD (HR-deficient if p_hrd >= 0.5)
                       older ``is_hrd``)
MSIsensor(-pro, 2)     ``Total_Number_of_Sites``,           MSI: % unstable sites, called
                       ``Number_of_Somatic_Sites`` (or      against ``--msi-high`` only when
                       ``_Unstable_``), ``%``               the run gives it (:func:`msi_score`)
DRAGEN MSI JSON        ``PercentageUnstableSites``,         as MSIsensor; ``ResultIsValid``
                       ``TotalMicrosatelliteSitesAssessed``  false: unknown
DRAGEN TMB CSV         ``TMB SUMMARY,`` lines               TMB against ``--tmb-high``
DRAGEN HRD CSV         ``LOH_Score``, ``TAI_Score``,        HRD: the HRD score, called against
``hrdscore.csv``       ``LST_Score``, ``HRD_Score``         ``--hrd-gis`` only when the run
                                                            gives it (:func:`hrd_score`)
scarHRD                ``Telomeric AI``, ``LST``,           as DRAGEN HRD (``HRD-sum``)
``_HRDresults.txt``    ``HRD-sum``
MANTIS ``.status``     ``Average Metric Value (Abbr)``,     MSI: MANTIS's own call on its
                       ``Value``, ``Threshold``, ``Status`` step-wise difference (DIF) and
                                                            the run's threshold
=====================  ===================================  ====================================

Domain facts and sources: ``docs/domain.md`` §12.

**What a label needs confirmed.** An approval resting on a biomarker measured by another method
than the label's own test becomes "on-label if" that is confirmed
(:attr:`~tumorboard.models.Biomarker.confirm`): CHORD's HR-deficiency classifier is not the
genomic-instability score of the HRD labels, and PURPLE's TMB (or DRAGEN's over more than 5 Mb)
counts somatic variants over a genome or an exome, not over a panel as the TMB-high label's
test does.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from tumorboard.biomarkers import msi_from_percent, tmb_from_value
from tumorboard.errors import FormatError, RecordError
from tumorboard.models import Biomarker, RunOptions
from tumorboard.readers.base import QCCounter, ReadResult
from tumorboard.readers.genome_wide_columns import (
    DRAGEN_HRD,
    DRAGEN_TMB_LINE,
    MSISENSOR_UNSTABLE,
    PURPLE_MSI,
    PURPLE_TMB,
    biomarker_tool,
    json_tool,
)
from tumorboard.readers.table import (
    NA_VALUES,
    Table,
    number,
    other_samples_note,
    read_table,
    restrict,
    table_notes,
)
from tumorboard.readers.text import excerpt, iter_lines, norm_column

if TYPE_CHECKING:
    from tumorboard.panels import Panel

PURPLE_MSI_INDELS_PER_MB = 4.0
"""PURPLE calls MSI at >= 4 microsatellite indels per Mb (since v2.40)."""
PURPLE_TMB_PER_MB = 10.0
"""PURPLE's tmbStatus HIGH: >= 10 somatic variants per Mb (since v2.40)."""
PURPLE_LOW_PURITY = 0.2
"""PURPLE's WARN_LOW_PURITY: purity below 20 %."""
CHORD_HRD_CUTOFF = 0.5
"""CHORD's hr_status HR_deficient: p_hrd >= 0.5."""

CHORD_CONFIRM = (
    "HRD-positive status as the label defines it (a BRCA1/2 mutation and/or genomic "
    "instability, by a validated test): this HRD is CHORD's whole-genome HR-deficiency "
    "classifier, another method"
)
PURPLE_TMB_CONFIRM = (
    "TMB-high as the label measures it (a validated panel test): this TMB is PURPLE's count of "
    "somatic variants per Mb over the whole genome (in targeted mode, its estimate of that count "
    "from a panel), another method"
)


def read_genome_wide(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """Read a PURPLE purity, CHORD prediction or MSIsensor table (see the module docstring;
    DRAGEN's files: :func:`read_dragen_msi`, :func:`read_dragen_tmb`)."""
    table = read_table(path)
    tool = biomarker_tool(set(table.keys)) if table is not None else None
    if table is None or tool is None:
        raise FormatError(
            "not a PURPLE purity, CHORD prediction, MSIsensor, scarHRD or MANTIS file",
            where=path,
            hint="give the tool's own output file with its header line",
        )
    if tool == "MANTIS loci":
        raise FormatError(
            "MANTIS's per-locus output has no MSI call (its Average row is a score without the "
            "run's threshold)",
            where=path,
            hint=f"give the .status file MANTIS wrote beside it ({Path(path).name}.status)",
        )
    result = ReadResult(kind="biomarkers", path=path, annotation=tool)
    if tool == "MANTIS":
        table.rows = _mantis_rows(table)
    row = _one_row(table, options, result, tool)
    if row is not None:
        line, cells = row
        result.qc.records_read = 1
        read = {
            "PURPLE": _purple, "CHORD": _chord, "MSIsensor": _msisensor, "scarHRD": _scarhrd,
            "MANTIS": _mantis,
        }[tool]  # fmt: skip
        result.biomarkers.extend(read(_Row(table, line, cells, result.qc), options))
    result.qc.warnings.extend(table_notes(table, f"{tool} values"))
    return result


def _one_row(
    table: Table, options: RunOptions, result: ReadResult, tool: str
) -> tuple[int, list[str]] | None:
    """This patient's one data row (a CHORD file of a cohort holds one row per sample)."""
    if tool in _R_TABLES:
        table.rows = _row_names_dropped(table, table.rows)
    rows = table.rows
    column = table.col("sample", "sampleid")
    if column is not None:
        choice, rows, left_out = restrict(table, column, options.sample, f"{tool} file")
        result.sample, result.sample_rule = choice.sample, choice.rule
        if left_out:
            result.qc.warnings.append(other_samples_note(Path(table.path).name, left_out, choice))
    if not rows:
        return None
    if len(rows) > 1:
        raise RecordError(
            f"{len(rows)} data rows: a {tool} file of one sample has one",
            where=f"{table.path}:{rows[1][0]}",
            hint="give this patient's file, or --sample for a file of several samples",
        )
    if extra := table.overlong(rows[0][1]):
        raise RecordError(
            f"the row has values past the header's last column ({extra} cells): its values "
            "may stand in the wrong columns",
            where=f"{table.path}:{rows[0][0]}",
            hint=f"give the {tool} file as the tool wrote it",
        )
    return rows[0]


_R_TABLES = frozenset({"CHORD", "scarHRD"})
"""Tools whose tables R's ``write.table`` writes, row names included; any other tool's row one
cell longer than its header is a shifted row, not a row name."""


def _row_names_dropped(
    table: Table, rows: list[tuple[int, list[str]]]
) -> list[tuple[int, list[str]]]:
    """Rows written by R's ``write.table`` with row names carry one cell more than the header
    (CHORD's own example output): the first cell is the row name, not a value."""
    width = len(table.header)
    if rows and all(len(cells) == width + 1 for _, cells in rows):
        return [(n, cells[1:]) for n, cells in rows]
    return rows


class _Row:
    """One data row: cells by column name, numbers checked, the line named in errors."""

    def __init__(self, table: Table, line: int, cells: list[str], qc: QCCounter) -> None:
        self.table, self.line, self.cells, self.qc = table, line, cells, qc
        self.name = Path(table.path).name

    def text(self, *names: str) -> str:
        i = self.table.col(*names)
        if i is None or i >= len(self.cells):
            return ""
        cell = self.cells[i].strip()
        return "" if cell.lower() in NA_VALUES else cell

    def value(self, *names: str, high: float | None = None) -> float | None:
        """The column's number (``None`` when empty or NA); text is an error naming the line;
        NaN, infinite, negative or above ``high`` is ``None`` with a QC warning."""
        return self.value_at(self.table.col(*names), names[0], high=high)

    def value_at(self, i: int | None, name: str, *, high: float | None = None) -> float | None:
        """:meth:`value` of the ``i``-th cell (``name`` in messages)."""
        cell = "" if i is None or i >= len(self.cells) else self.cells[i].strip()
        if cell.lower() in NA_VALUES:
            cell = ""
        if not cell:
            return None
        parsed = number(cell)
        if parsed.problem == "not a number":
            raise RecordError(
                f"{name} should be a number, found {cell[:40]!r}",
                where=f"{self.table.path}:{self.line}",
                hint="repair the value or write NA when it is unknown",
            )
        value, problem = parsed.value, parsed.problem
        if high is not None and value is not None and value > high:
            problem = f"above {high:g}"
        if problem:
            self.qc.warnings.append(
                f"{self.name}:{self.line}: {name} {cell[:20]!r} is {problem}: not read"
            )
            return None
        return value


def _status(name: str, said: str, by_value: str | None, value_text: str) -> tuple[str, str]:
    """(status, note) from the tool's word ``said`` (already mapped; ``""``: none) and the
    status its value gives by the tool's cut-off (``None``: no value)."""
    if said and by_value and said != by_value:
        return "unknown", (
            f"the file's status ({said}) contradicts its own value ({value_text}, which the "
            f"tool's cut-off makes {by_value}): {name} not assessed"
        )
    return said or by_value or "unknown", ""


def _purple(row: _Row, options: RunOptions) -> list[Biomarker]:
    targeted = row.text("targeted").lower() == "true"
    source = f"PURPLE {row.name}" + (" (targeted mode: whole-genome estimates)" if targeted else "")
    out: list[Biomarker] = []
    method = row.text("status", "fitmethod").upper()
    purity = row.value("purity", high=1.0)
    no_tumour = method == "NO_TUMOR"
    caveat = ""
    if no_tumour:
        caveat = "PURPLE found no tumour in the sample (fit method NO_TUMOR): not assessed"
    elif purity is not None and purity < PURPLE_LOW_PURITY:
        caveat = (
            f"tumour purity {purity:.0%} (PURPLE warns below 20 %): a low TMB or MSS may be an "
            "undercount"
        )
        row.qc.warnings.append(f"{row.name}: {caveat}")
    keys = set(row.table.keys)
    if set(PURPLE_MSI) & keys:
        value, status, note = _purple_call(
            row, "MSI", PURPLE_MSI, {"MSI": "high", "MSS": "stable"}, PURPLE_MSI_INDELS_PER_MB,
            "indels/Mb",
        )  # fmt: skip
        out.append(
            _marker("MSI", value, "microsatellite indels/Mb", status, PURPLE_MSI_INDELS_PER_MB,
                    source, note, caveat, no_tumour)
        )  # fmt: skip
    if set(PURPLE_TMB) & keys:
        value, status, note = _purple_call(
            row, "TMB", PURPLE_TMB, {"HIGH": "high", "LOW": "low"}, PURPLE_TMB_PER_MB, "per Mb"
        )
        if status != "unknown" and value is not None:
            # the run's TMB-high threshold decides, as for every TMB (PURPLE's own is 10)
            status = "high" if value >= options.tmb_high else "low"
        marker = _marker("TMB", value, "mut/Mb, whole genome", status,
                         options.tmb_high, source, note, caveat, no_tumour)  # fmt: skip
        out.append(marker.model_copy(update={"confirm": PURPLE_TMB_CONFIRM}))
    return out


def _purple_call(
    row: _Row,
    name: str,
    columns: tuple[str, str],
    words: dict[str, str],
    cutoff: float,
    unit: str,
) -> tuple[float | None, str, str]:
    """(value, status, note) of one PURPLE value and its status column: the status word checked
    against the value and PURPLE's cut-off; ``UNKNOWN`` (no somatic variants given) unknown."""
    value_column, status_column = columns
    value = row.value(value_column)
    said = row.text(status_column).upper()
    word = words.get(said, "")
    low = next(w for w in words.values() if w != "high")
    by_value = None if value is None else "high" if value >= cutoff else low
    status, note = _status(name, word, by_value, _shown(value, unit))
    if said == "UNKNOWN" or (not word and not by_value):
        written = row.table.header[row.table.col(status_column) or 0]  # msStatus, as written
        note = f"PURPLE's {written} is UNKNOWN (no somatic variants were given to PURPLE)"
        return value, "unknown", note
    return value, status, note


def _shown(value: float | None, unit: str) -> str:
    return "" if value is None else f"{value:g} {unit}"


def _marker(
    name: str,
    value: float | None,
    unit: str,
    status: str,
    threshold: float,
    source: str,
    note: str,
    caveat: str,
    refused: bool,
) -> Biomarker:
    if refused:
        status, note = "unknown", caveat
    elif caveat and status in ("low", "stable"):
        note = "; ".join(n for n in (note, caveat) if n)
    return Biomarker(
        name=name,
        value=None if value is None else round(value, 4),
        unit=unit,
        status=status,
        threshold=threshold,
        source=source,
        note=note,
    )


_CHORD_WORDS = {
    "hrdeficient": "positive",
    "hrproficient": "negative",
    "true": "positive",
    "false": "negative",
}


def _chord(row: _Row, options: RunOptions) -> list[Biomarker]:
    source = f"CHORD {row.name}"
    value = row.value("phrd", high=1.0)
    raw = row.text("hrstatus", "ishrd")
    word = _CHORD_WORDS.get(raw.lower().replace("_", ""), "")
    remarks = "; ".join(r for r in (row.text("remarkshrstatus"), row.text("remarkshrdtype")) if r)
    if raw and not word:  # cannot_be_determined (too few indels, MSI) or a new word
        note = f"CHORD's hr_status is {raw}" + (f" ({remarks})" if remarks else "")
        return [
            Biomarker(
                name="HRD", value=value, unit="p_hrd", status="unknown",
                threshold=CHORD_HRD_CUTOFF, source=source, note=note,
            )
        ]  # fmt: skip
    by_value = None if value is None else "positive" if value >= CHORD_HRD_CUTOFF else "negative"
    status, note = _status("HRD", word, by_value, f"p_hrd {value:g}" if value is not None else "")
    hrd_type = row.text("hrdtype")
    if status == "positive" and hrd_type and hrd_type.lower() != "none":
        note = f"CHORD's HRD type: {hrd_type}" + (f" ({remarks})" if remarks else "")
    return [
        Biomarker(
            name="HRD", value=value, unit="p_hrd", status=status,
            threshold=CHORD_HRD_CUTOFF, source=source, note=note, confirm=CHORD_CONFIRM,
        )
    ]  # fmt: skip


# --- MSI as a percentage of unstable sites, and DRAGEN -------------------------------------------
MSI_CUTOFFS = (
    "MSIsensor: >= 10 % in MSK-IMPACT; MSIsensor2: >= 20 %; MSIsensor-pro and DRAGEN publish "
    "none (calibrate per panel)"
)


def msi_score(
    percent: float | None, options: RunOptions, source: str, tool: str, sites: str
) -> Biomarker:
    """MSI from a percentage of unstable sites whose cut-off depends on the tool and the panel:
    called against ``--msi-high`` only when the run gives it (the cut-off the lab validated),
    else ``unknown`` with the score shown."""
    unit = "% unstable sites"
    if percent is None:
        note = f"no {tool} score: {sites}" if sites else f"no {tool} score"
        return _uncalled("MSI", None, unit, source, note)
    if "msi_high" in options.model_fields_set:
        return msi_from_percent(percent, options, f"{source} (--msi-high)", sites)
    note = (
        f"{tool} score {percent:g} % ({sites}): the MSI-high cut-off depends on the tool and the "
        f"panel ({MSI_CUTOFFS}); give --msi-high with the cut-off validated for this assay, or "
        "--msi high|stable"
    )
    return _uncalled("MSI", percent, unit, source, note)


def _uncalled(
    name: str, score: float | None, unit: str, source: str, note: str, confirm: str = ""
) -> Biomarker:
    """A score the run gave no cut-off for (or no score at all): ``unknown``, the score shown
    with the note saying why and which option calls it."""
    value = None if score is None else round(score, 2)
    return Biomarker(
        name=name, value=value, unit=unit, status="unknown", source=source, note=note,
        confirm=confirm,
    )  # fmt: skip


def _msisensor(row: _Row, options: RunOptions) -> list[Biomarker]:
    total = row.value("totalnumberofsites")
    unstable = row.value(*MSISENSOR_UNSTABLE)
    i = row.table.header.index("%") if "%" in row.table.header else None
    percent = row.value_at(i, "%", high=100.0) if i is not None else None
    if percent is None and total and unstable is not None:
        percent = 100.0 * unstable / total
    sites = "" if total is None else f"{unstable or 0:g} of {total:g} sites unstable"
    if not total:
        percent = None  # no site assessed: no score, whatever the % cell says
        sites = "no microsatellite site was assessed"
    return [msi_score(percent, options, f"MSIsensor {row.name}", "MSIsensor", sites)]


def read_dragen_msi(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """DRAGEN's ``microsat_output.json`` (TSO500's ``msi.json``)."""
    name = Path(path).name
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(
            f"not valid JSON ({excerpt(str(exc), 60)})",
            where=path,
            hint="give DRAGEN's microsat_output.json as written, or a table with a header line",
        ) from None
    if json_tool(data) is None:
        raise FormatError(
            "a JSON file that is not DRAGEN's microsat_output.json (no PercentageUnstableSites)",
            where=path,
            hint="tumorboard reads JSON only as DRAGEN's MSI output",
        )
    result = ReadResult(kind="biomarkers", path=path, annotation="DRAGEN MSI")
    result.qc.records_read = 1
    source = f"DRAGEN {name}"
    assessed = _json_number(data.get("TotalMicrosatelliteSitesAssessed"))
    unstable = _json_number(data.get("TotalMicrosatelliteSitesUnstable"))
    percent = _json_number(data.get("PercentageUnstableSites"))
    sites = "" if assessed is None else f"{unstable or 0:g} of {assessed:g} sites unstable"
    if data.get("ResultIsValid") is False or percent is None or not assessed:
        message = data.get("ResultMessage") or "no valid result"
        why = "ResultIsValid is false" if data.get("ResultIsValid") is False else "no percentage"
        note = f"DRAGEN's MSI result is not valid ({why}: {excerpt(str(message), 80)})"
        result.biomarkers.append(_uncalled("MSI", None, "% unstable sites", source, note))
        return result
    if percent > 100:
        raise RecordError(
            f"PercentageUnstableSites {percent:g} is above 100",
            where=path,
            hint="repair the value or give the file as DRAGEN wrote it",
        )
    result.biomarkers.append(msi_score(percent, options, source, "DRAGEN MSI", sites))
    return result


def _json_number(value: object) -> float | None:
    """A JSON number; ``None`` for null, ``"NaN"`` (DRAGEN writes it) and anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if math.isnan(value) or math.isinf(value) or value < 0 else float(value)


DRAGEN_TMB_CONFIRM = (
    "TMB-high as the label measures it (a validated panel test): this TMB is DRAGEN's count over "
    "{mb:g} Mb (an exome or genome), another method"
)
PANEL_MAX_MB = 5.0
"""Larger eligible regions are an exome or a genome, not a panel *(our choice)*."""


def read_dragen_tmb(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """DRAGEN's ``tmb.metrics.csv``: ``TMB SUMMARY,,<metric>,<value>`` lines."""
    metrics: dict[str, tuple[int, str]] = {}
    for n, line in iter_lines(path):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        if cells[0] != DRAGEN_TMB_LINE.rstrip(",") or len(cells) < 4:
            raise RecordError(
                f"not a DRAGEN TMB metrics line ({excerpt(line, 40)})",
                where=f"{path}:{n}",
                hint="every line of tmb.metrics.csv reads TMB SUMMARY,,<metric>,<value>",
            )
        metrics[norm_column(cells[2])] = (n, cells[3])
    result = ReadResult(kind="biomarkers", path=path, annotation="DRAGEN TMB")
    result.qc.records_read = 1
    source = f"DRAGEN {Path(path).name}"

    def value(key: str) -> float | None:
        if key not in metrics:
            return None
        n, cell = metrics[key]
        parsed = number(cell)
        if parsed.problem:
            raise RecordError(
                f"{key} {excerpt(cell, 20)} is {parsed.problem}",
                where=f"{path}:{n}",
                hint="repair the value or give the file as DRAGEN wrote it",
            )
        return parsed.value

    tmb, region, count = value("tmb"), value("eligibleregionmb"), value("filteredvariantcount")
    note = f"{count:g} eligible variants over {region:g} Mb" if count is not None and region else ""
    marker = tmb_from_value(tmb, options, source, note)
    if region is not None and region > PANEL_MAX_MB:
        marker = marker.model_copy(update={"confirm": DRAGEN_TMB_CONFIRM.format(mb=region)})
    result.biomarkers.append(marker)
    return result


# --- HRD scores of the genomic-instability kind (DRAGEN, scarHRD) and MANTIS -------------------
HRD_SCORE_CONFIRM = (
    "HRD-positive status as the label defines it (a BRCA1/2 mutation and/or genomic "
    "instability, by a validated test): this HRD is {tool}'s score (LOH + TAI + LST), another "
    "method than the label's test"
)
HRD_CUTOFFS = (
    "42 is the cut-off of the HRD labels' Myriad test, set on that test's own score; {tool}'s "
    "documentation gives none for its score"
)


def hrd_score(
    score: float | None, options: RunOptions, source: str, tool: str, parts: str
) -> Biomarker:
    """HRD from a genomic-instability score (LOH + TAI + LST) of a tool that publishes no
    HRD-positive cut-off: called against ``--hrd-gis`` only when the run gives it (the cut-off
    the lab validated), else ``unknown`` with the score shown. An approval resting on it is
    "on-label if" the label's own measure is confirmed (:attr:`Biomarker.confirm`)."""
    confirm, unit = HRD_SCORE_CONFIRM.format(tool=tool), f"{tool} HRD score"
    if score is None:
        note = f"no {tool} HRD score" + (f": {parts}" if parts else "")
        return _uncalled("HRD", None, unit, source, note, confirm)
    shown = f"{score:g}" + (f" ({parts})" if parts else "")
    if "hrd_gis" in options.model_fields_set:
        return Biomarker(
            name="HRD", value=round(score, 2), unit=unit,
            status="positive" if score >= options.hrd_gis else "negative",
            threshold=options.hrd_gis, source=f"{source} (--hrd-gis)",
            note=f"{tool} HRD score {shown}", confirm=confirm,
        )  # fmt: skip
    note = (
        f"{tool} HRD score {shown}: {HRD_CUTOFFS.format(tool=tool)}; give --hrd-gis with the "
        "cut-off validated for this assay, or --hrd positive|negative"
    )
    return _uncalled("HRD", score, unit, source, note, confirm)


def _scarhrd(row: _Row, options: RunOptions) -> list[Biomarker]:
    """scarHRD's ``HRD-sum`` (HRD-LOH + telomeric AI + LST): the first cell is the sample's row
    name under an empty header cell (R's ``write.table``)."""
    parts = _hrd_parts(row, "hrd", "telomericai", "lst")
    return [hrd_score(row.value("hrdsum"), options, f"scarHRD {row.name}", "scarHRD", parts)]


def _hrd_parts(row: _Row, loh: str, tai: str, lst: str) -> str:
    """The score's parts as shown beside it: ``LOH 18, TAI 27, LST 34`` (columns by key)."""
    values = (("LOH", row.value(loh)), ("TAI", row.value(tai)), ("LST", row.value(lst)))
    return ", ".join(f"{name} {v:g}" for name, v in values if v is not None)


MANTIS_METRIC = "(dif)"
"""MANTIS's authors recommend the step-wise difference for the call (its ``.status`` note)."""
_MANTIS_WORDS = {"unstable": "high", "stable": "stable"}


def _mantis_rows(table: Table) -> list[tuple[int, list[str]]]:
    """The step-wise difference row of a MANTIS ``.status`` (the other metrics, the blank line
    and the authors' note below them are not read)."""
    return [
        (n, cells) for n, cells in table.rows if cells and cells[0].strip().lower().endswith(
            MANTIS_METRIC
        )
    ]  # fmt: skip


def _mantis(row: _Row, options: RunOptions) -> list[Biomarker]:
    """MANTIS's call on its step-wise difference: ``Unstable`` when the value is at or above the
    run's threshold (both in the file; MANTIS's default threshold is 0.4)."""
    source = f"MANTIS {row.name}"
    value, threshold = row.value("value"), row.value("threshold")
    said = _MANTIS_WORDS.get(row.text("status").lower(), "")
    by_value = None
    if value is not None and threshold is not None:
        by_value = "high" if value >= threshold else "stable"
    status, note = _status("MSI", said, by_value, "" if value is None else f"DIF {value:g}")
    if not said and not note:
        note = f"MANTIS's status is {row.text('status') or 'empty'}: not assessed"
        status = "unknown"
    if "msi_high" in options.model_fields_set:
        note = "; ".join(
            n for n in (note, "--msi-high (% unstable sites) does not apply to MANTIS's "
                        "step-wise difference: the run's own threshold is used") if n
        )  # fmt: skip
    return [
        Biomarker(
            name="MSI", value=None if value is None else round(value, 4),
            unit="MANTIS step-wise difference", status=status, threshold=threshold,
            source=source, note=note,
        )
    ]  # fmt: skip


def read_dragen_hrd(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """DRAGEN's ``hrdscore.csv``: a header ``Sample,LOH_Score,TAI_Score,LST_Score,HRD_Score``
    and one row per sample (DRAGEN writes the file only when the HRD scoring succeeded)."""
    table = read_table(path)  # comma-separated: read as CSV
    if table is None or not set(DRAGEN_HRD) <= set(table.keys):
        raise FormatError(
            "not DRAGEN's hrdscore.csv header",
            where=path,
            hint="give the file as DRAGEN wrote it: Sample,LOH_Score,TAI_Score,LST_Score,HRD_Score",
        )
    width = len(table.header)
    for n, cells in table.rows:
        if len(cells) != width:
            raise RecordError(
                f"{len(cells)} comma-separated values where the header has {width}",
                where=f"{path}:{n}",
                hint="give the file as DRAGEN wrote it (one row per sample)",
            )
    result = ReadResult(kind="biomarkers", path=path, annotation="DRAGEN HRD")
    row = _one_row(table, options, result, "DRAGEN HRD")
    if row is None:
        raise FormatError(
            "a header line and no score: DRAGEN writes hrdscore.csv only when the HRD scoring "
            "succeeded",
            where=path,
            hint="give --hrd when the HRD status is known from another test",
        )
    line, cells = row
    result.qc.records_read = 1
    r = _Row(table, line, cells, result.qc)
    parts = _hrd_parts(r, "lohscore", "taiscore", "lstscore")
    result.biomarkers.append(
        hrd_score(r.value("hrdscore"), options, f"DRAGEN {r.name}", "DRAGEN", parts)
    )
    result.qc.warnings.extend(table_notes(table, "DRAGEN HRD values"))
    return result


# --- PURPLE's QC file ---------------------------------------------------------------------------
PURPLE_QC_MEANINGS = {
    "FAIL_NO_TUMOR": "PURPLE found no evidence of tumour in the sample",
    "FAIL_CONTAMINATION": "the sample is contaminated by another person's DNA (AMBER "
    "contamination above 10 %)",
    "FAIL_TINC": "tumour DNA in the reference (normal) sample at 25 % or more, so somatic "
    "calls were lost as germline",
    "WARN_LOW_PURITY": "tumour purity below 20 %: low-fraction variants and copy-number "
    "changes may be missed, and a low TMB or MSS may be an undercount",
    "WARN_DELETED_GENES": "more homozygously deleted genes than PURPLE expects (above 280): "
    "deep deletions may be artefacts of a noisy fit",
    "WARN_HIGH_COPY_NUMBER_NOISE": "many copy-number segments without read-depth or "
    "structural-variant support: copy-number calls may be noisy",
    "WARN_GENDER_MISMATCH": "AMBER and COBALT disagree on the sample's sex: check that the "
    "tumour and reference samples are the same person's",
    "WARN_TINC": "some tumour DNA in the reference sample: low-fraction somatic variants may "
    "have been filtered as germline",
}
"""PURPLE's QC statuses (hmftools ``PurpleQCStatus``), in our words."""
_PURPLE_QC_OLD = {
    "FAIL_SEGMENT": "WARN_HIGH_COPY_NUMBER_NOISE",
    "FAIL_GENDER": "WARN_GENDER_MISMATCH",
    "FAIL_DELETED_GENES": "WARN_DELETED_GENES",
}
"""Older PURPLE versions' names, as PURPLE itself maps them when it reads an old file."""


def read_purple_qc(path: str, options: RunOptions, panel: Panel) -> ReadResult:
    """PURPLE's ``<tumour>.purple.qc``: ``key<TAB>value`` lines, ``QCStatus`` one or more
    statuses joined by commas. A warning is a ``qc.warnings`` line; a failure makes the
    sample's PURPLE values unknowable: this case's biomarkers from PURPLE are ``unknown`` and
    ``qc.not_assessable`` says why (:attr:`ReadResult.distrust`)."""
    name = Path(path).name
    values: dict[str, str] = {}
    for n, line in iter_lines(path):
        if not line.strip():
            continue
        key, tab, value = line.rstrip("\r\n").partition("\t")
        if not tab or not key.strip():
            raise RecordError(
                f"not a PURPLE QC line ({excerpt(line, 40)}): key, a tab, value",
                where=f"{path}:{n}",
                hint="give the .purple.qc file as PURPLE wrote it",
            )
        values[key.strip()] = value.strip()
    result = ReadResult(kind="biomarkers", path=path, annotation="PURPLE QC")
    result.qc.records_read = 1
    statuses = [_PURPLE_QC_OLD.get(s, s) for s in values.get("QCStatus", "").split(",") if s]
    if not statuses:
        raise RecordError(
            "QCStatus has no value",
            where=path,
            hint="give the .purple.qc file as PURPLE wrote it",
        )
    for status in statuses:
        if status == "PASS":
            continue
        meaning = PURPLE_QC_MEANINGS.get(status, "a status tumorboard does not know")
        line = f"{name}: PURPLE QC {status}: {meaning}"
        shown = {"WARN_LOW_PURITY": "Purity", "FAIL_CONTAMINATION": "Contamination"}.get(status)
        if shown and values.get(shown):
            line += f" ({shown.lower()} {values[shown]})"
        if status.startswith("FAIL") or status not in PURPLE_QC_MEANINGS:
            result.distrust["PURPLE"] = line
            result.qc.not_assessable.append(
                f"{line}: PURPLE's MSI, TMB and purity were not assessed, and its copy numbers "
                "and variants of this sample must be confirmed before acting on them"
            )
        else:
            result.qc.warnings.append(line)
    return result


__all__ = [
    "hrd_score",
    "msi_score",
    "read_dragen_hrd",
    "read_dragen_msi",
    "read_dragen_tmb",
    "read_genome_wide",
    "read_purple_qc",
]
