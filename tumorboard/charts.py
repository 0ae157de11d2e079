"""Small inline SVG charts: the geometry is computed here, the templates draw it.

Pure functions of the case (or of a cohort design) that return frozen dataclasses with every
coordinate already computed, so the SVG in ``templates/partials/svg.html`` stays a few lines of
autoescaped markup (no script, no external resource, no plotting library). Every chart comes
with a text alternative in the templates (``<title>``, ``<desc>`` and a data table).

Report charts: allele fractions of the reported variants against the tumour content
(:func:`vaf_chart`), copy number of the genes with a copy-number call against the
amplification and deep-deletion thresholds (:func:`copy_number_chart`), and TMB / MSI / HRD
against their thresholds (:func:`biomarker_charts`). :func:`line_chart` draws probabilities
over a rate (the cohort dashboard's operating characteristics).
"""

from __future__ import annotations

import contextlib
import math
import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from tumorboard.models import Biomarker, Variant

WIDTH = 640
LABEL_W = 150
RIGHT_PAD = 56
TOP = 34
ROW = 20
BAR_H = 12
AXIS = 26
MAX_BARS = 40
"""At most this many variants per chart (actionable ones first); the rest are counted."""
PURITY_KEYS = frozenset(
    {"tumour content", "tumor content", "tumour purity", "tumor purity", "purity"}
    | {"tumour cell content", "tumor cell content"}
)


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    value: float


@dataclass(frozen=True, slots=True)
class RefLine:
    """A vertical reference line (a threshold, the tumour content...)."""

    x: float
    value: float
    kind: str
    label_y: float = 12.0
    """Where its label goes (alternating rows, so that close lines' labels do not overlap)."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One horizontal bar; ``clipped`` when the value lies beyond the axis."""

    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    kind: str
    clipped: bool = False


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars on a linear axis from 0 to ``maximum``."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    maximum: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    lines: tuple[RefLine, ...]
    shown: int
    total: int


@dataclass(frozen=True, slots=True)
class Series:
    kind: str
    points: str
    """SVG polyline points, ``x,y x,y ...``."""
    values: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class LineChart:
    """Lines of probabilities (0-1) over a rate on the x axis."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    series: tuple[Series, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]


# --- axes ---------------------------------------------------------------------------------------
def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^k at or above ``value`` (1 for 0 or less)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value - 1e-12:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def ticks(maximum: float, to_x: Callable[[float], float], count: int = 5) -> tuple[Tick, ...]:
    """``count`` evenly spaced ticks from 0 to ``maximum``, inclusive."""
    return tuple(Tick(round(to_x(maximum * i / (count - 1)), 2), maximum * i / (count - 1))
                 for i in range(count))  # fmt: skip


def _scale(maximum: float, left: float, right: float) -> Callable[[float], float]:
    def to_x(value: float) -> float:
        clamped = min(max(value, 0.0), maximum)
        return left + clamped / maximum * (right - left)

    return to_x


def bar_chart(
    rows: Sequence[tuple[str, float, str]],
    maximum: float,
    lines: Iterable[tuple[float, str]] = (),
    *,
    total: int | None = None,
    tick_count: int = 5,
    width: int = WIDTH,
    label_width: int = LABEL_W,
) -> BarChart:
    """Bars for ``(label, value, kind)`` rows on a 0..``maximum`` axis, with reference lines."""
    left, right = float(label_width), float(width - RIGHT_PAD)
    to_x = _scale(maximum, left, right)
    bottom = TOP + ROW * max(len(rows), 1)
    bars = tuple(
        Bar(
            label=label,
            value=value,
            x=left,
            y=TOP + ROW * i + (ROW - BAR_H) / 2,
            width=round(to_x(value) - left, 2),
            height=BAR_H,
            kind=kind,
            clipped=value > maximum,
        )
        for i, (label, value, kind) in enumerate(rows)
    )
    inside = sorted((v, k) for v, k in lines if 0 <= v <= maximum)
    refs = tuple(
        RefLine(round(to_x(v), 2), v, k, 12.0 if i % 2 == 0 else 25.0)
        for i, (v, k) in enumerate(inside)
    )
    return BarChart(
        width=width,
        height=int(bottom + AXIS),
        left=left,
        right=right,
        top=TOP,
        bottom=bottom,
        maximum=maximum,
        bars=bars,
        ticks=ticks(maximum, to_x, tick_count),
        lines=refs,
        shown=len(rows),
        total=len(rows) if total is None else total,
    )


# --- report charts ------------------------------------------------------------------------------
def tumour_content(extra: Mapping[str, str]) -> float | None:
    """Tumour content (0-1] from the patient file (``tumour content: 40 %``, ``purity: 0.4``)."""
    for key, raw in extra.items():
        if key.strip().lower() not in PURITY_KEYS:
            continue
        found = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*(%?)\s*", str(raw))
        if not found:
            return None
        value = float(found.group(1).replace(",", "."))
        if found.group(2) or value > 1:
            value /= 100
        return value if 0 < value <= 1 else None
    return None


def vaf_chart(variants: Sequence[Variant], purity: float | None) -> BarChart | None:
    """Allele fraction per reported variant (passing, with a VAF), actionable ones first, with
    the tumour content and half of it (a clonal heterozygous variant in a diploid region)."""
    usable = [v for v in variants if v.vaf is not None and not v.filtered]
    if not usable:
        return None
    ordered = sorted(usable, key=lambda v: not v.actionable)[:MAX_BARS]
    rows = [(v.label, float(v.vaf or 0.0), "actionable" if v.actionable else "variant")
            for v in ordered]  # fmt: skip
    lines = [(purity, "purity"), (purity / 2, "clonal")] if purity else []
    return bar_chart(rows, 1.0, lines, total=len(usable))


_DEFAULT_AMP, _DEFAULT_DEL = 6.0, 0.5


def cnv_thresholds(command: str) -> tuple[float, float]:
    """The amplification and deep-deletion copy numbers of the run (from its command line;
    the defaults when it did not set them)."""
    found = {"--amp-copy-number": _DEFAULT_AMP, "--deep-deletion-copy-number": _DEFAULT_DEL}
    try:
        words = shlex.split(command)
    except ValueError:
        return _DEFAULT_AMP, _DEFAULT_DEL
    for i, word in enumerate(words):
        name, _, value = word.partition("=")
        if name in found:
            value = value or (words[i + 1] if i + 1 < len(words) else "")
            with contextlib.suppress(ValueError):
                found[name] = float(value)
    return found["--amp-copy-number"], found["--deep-deletion-copy-number"]


def copy_number(v: Variant) -> float | None:
    """A copy-number call's copy number (``2 x fold change`` when only that is given)."""
    if v.copy_number is not None:
        return v.copy_number
    return 2 * v.fold_change if v.fold_change is not None else None


def copy_number_chart(variants: Sequence[Variant], command: str) -> BarChart | None:
    """Copy number per gene with a copy-number call, with the thresholds and 2 copies."""
    calls = [v for v in variants if v.kind in ("amplification", "deletion")]
    drawn = [(v, cn) for v in calls if (cn := copy_number(v)) is not None]
    if not drawn:
        return None
    amp, deletion = cnv_thresholds(command)
    cap = amp * 4
    maximum = nice_max(min(max([amp * 1.5, *(cn for _, cn in drawn)]), cap))
    rows = [(v.gene, cn, v.kind) for v, cn in drawn]
    lines = [(deletion, "deletion"), (2.0, "diploid"), (amp, "amplification")]
    return bar_chart(rows, maximum, lines, total=len(calls))


@dataclass(frozen=True, slots=True)
class BiomarkerChart:
    biomarker: Biomarker
    chart: BarChart


@dataclass(frozen=True, slots=True)
class ReportCharts:
    """The report's charts (``None``: nothing to draw) and what they were drawn from."""

    vaf: BarChart | None
    purity: float | None
    """Tumour content from the patient file (0-1), if given and understood."""
    purity_given: str
    """The patient file's tumour content as written ('' when not given)."""
    cnv: BarChart | None
    amp: float
    deletion: float
    biomarkers: tuple[BiomarkerChart, ...]


def report_charts(
    variants: Sequence[Variant],
    biomarkers: Sequence[Biomarker],
    extra: Mapping[str, str],
    command: str,
) -> ReportCharts:
    """Every chart of a report, from the case's variants, biomarkers, patient file and command."""
    purity = tumour_content(extra)
    given = next((v for k, v in extra.items() if k.strip().lower() in PURITY_KEYS), "")
    amp, deletion = cnv_thresholds(command)
    return ReportCharts(
        vaf=vaf_chart(variants, purity),
        purity=purity,
        purity_given=str(given),
        cnv=copy_number_chart(variants, command),
        amp=amp,
        deletion=deletion,
        biomarkers=biomarker_charts(biomarkers),
    )


def biomarker_charts(biomarkers: Sequence[Biomarker]) -> tuple[BiomarkerChart, ...]:
    """TMB, MSI and HRD (when measured, with a threshold): the value against the threshold."""
    out = []
    for b in biomarkers:
        if b.value is None or b.threshold is None:
            continue
        maximum = nice_max(max(b.value, b.threshold) * 1.25)
        kind = "high" if b.status in ("high", "positive") else "low"
        out.append(
            BiomarkerChart(b, bar_chart([(b.name, b.value, kind)], maximum, [(b.threshold, kind)]))
        )
    return tuple(out)


# --- lines --------------------------------------------------------------------------------------
def line_chart(
    series: Mapping[str, Sequence[tuple[float, float]]], x_max: float, *, height: int = 220
) -> LineChart:
    """Each series' ``(x, probability)`` points as a polyline; x from 0 to ``x_max``."""
    left, right, top, bottom = 48.0, float(WIDTH - 24), 16.0, float(height - 34)
    to_x = _scale(x_max, left, right)

    def to_y(p: float) -> float:
        return round(bottom - min(max(p, 0.0), 1.0) * (bottom - top), 2)

    lines = tuple(
        Series(kind, " ".join(f"{round(to_x(x), 2)},{to_y(y)}" for x, y in pts), tuple(pts))
        for kind, pts in series.items()
    )
    y_ticks = tuple(Tick(to_y(i / 4), i / 4) for i in range(5))
    return LineChart(WIDTH, height, left, right, top, bottom, lines, ticks(x_max, to_x, 7), y_ticks)


__all__ = [
    "MAX_BARS",
    "Bar",
    "BarChart",
    "BiomarkerChart",
    "LineChart",
    "RefLine",
    "ReportCharts",
    "Series",
    "Tick",
    "bar_chart",
    "biomarker_charts",
    "cnv_thresholds",
    "copy_number",
    "copy_number_chart",
    "line_chart",
    "nice_max",
    "report_charts",
    "ticks",
    "tumour_content",
    "vaf_chart",
]
