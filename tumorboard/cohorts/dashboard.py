"""The cohort dashboard: every cohort's progress against its two-stage design, on one page.

Per cohort: patients enrolled against the stage-1 size ``n1`` and the total ``n`` (IMPRESS:
8 and 24), patients with benefit against the two thresholds (more than ``r1`` opens stage 2,
more than ``r`` makes the cohort positive: 1 and 5), the waiting list, the state and what the
next outcome decides. Per design in use: its operating characteristics (probability of early
termination and of a positive cohort over the true benefit rate, and E[N]) from
:func:`tumorboard.cohorts.design.characteristics`. Rendered like the report (one
self-contained HTML page, inline SVG, English or Norwegian, ``templates/dashboard.html``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from tumorboard.charts import BarChart, LineChart, bar_chart, line_chart, nice_max
from tumorboard.cohorts.design import Characteristics, Design, characteristics
from tumorboard.cohorts.lifecycle import CohortView, view
from tumorboard.cohorts.registry import Registry, audit
from tumorboard.cohorts.rows import CohortRow

RATES = (0.05, 0.10, 0.20, 0.30, 0.40)
"""True benefit rates tabulated under each design's chart (as ``tumorboard cohort design``)."""
CURVE_MAX = 0.6
PANEL_W = 460


@dataclass(frozen=True)
class CohortPanel:
    """One cohort: its status and its two progress bars."""

    view: CohortView
    design: Design
    enrolled: BarChart
    """Patients enrolled on a 0..n axis, with lines at n1 and n."""
    benefit: BarChart
    """Patients with benefit, with lines at r1 + 1 and r + 1."""


@dataclass(frozen=True)
class DesignPanel:
    """One design in use: which cohorts follow it and its operating characteristics."""

    design: Design
    cohorts: tuple[str, ...]
    chart: LineChart
    rates: tuple[Characteristics, ...]


@dataclass(frozen=True)
class DashboardContext:
    """Everything ``dashboard.html`` may use; built by :func:`build_dashboard`."""

    lang: str
    title: str
    as_of: str
    """The registry's last change (UTC), so the page says how current it is."""
    cohorts: tuple[CohortPanel, ...]
    designs: tuple[DesignPanel, ...]


def progress(v: CohortView, d: Design) -> tuple[BarChart, BarChart]:
    """The enrolment and benefit bars of one cohort."""
    enrolled = bar_chart(
        [("enrolled", float(v.enrolled), "enrolled")],
        float(max(d.n, v.enrolled)),
        [(float(d.n1), "stage1"), (float(d.n), "stage2")],
        width=PANEL_W,
        label_width=8,
    )
    top = nice_max(max(2 * (d.r + 1), v.benefit + 1))
    benefit = bar_chart(
        [("benefit", float(v.benefit), "benefit")],
        top,
        [(float(d.r1 + 1), "continue"), (float(d.r + 1), "positive")],
        width=PANEL_W,
        label_width=8,
        tick_count=6,
    )
    return enrolled, benefit


def design_panel(d: Design, cohort_ids: Sequence[str]) -> DesignPanel:
    """Operating characteristics of one design: curves over 0..60 % and the table rates."""
    points = [i / 100 for i in range(0, int(CURVE_MAX * 100) + 1, 2)]
    chars = [characteristics(d, p) for p in points]
    chart = line_chart(
        {
            "p_positive": [(c.p, c.p_positive) for c in chars],
            "pet": [(c.p, c.pet) for c in chars],
        },
        CURVE_MAX,
    )
    return DesignPanel(d, tuple(cohort_ids), chart, tuple(characteristics(d, p) for p in RATES))


def build_dashboard(registry: Registry, *, lang: str = "en", title: str = "") -> DashboardContext:
    """Every cohort of the registry (by id) and every design in use (read-only)."""
    with registry.transaction(write=False) as conn:
        rows: list[CohortRow] = registry.cohort_rows(conn)
        panels = []
        for row in rows:
            v, d = view(conn, row), row.design
            panels.append(CohortPanel(v, d, *progress(v, d)))
        as_of = conn.execute(select(func.max(audit.c.at))).scalar() or ""
    designs: dict[Design, list[str]] = {}
    for p in panels:
        designs.setdefault(p.design, []).append(p.view.id)
    return DashboardContext(
        lang=lang,
        title=title,
        as_of=str(as_of),
        cohorts=tuple(panels),
        designs=tuple(design_panel(d, ids) for d, ids in designs.items()),
    )


def render_dashboard(ctx: DashboardContext, *, templates: str | Path | None = None) -> str:
    from tumorboard.report import render_document

    return render_document("dashboard.html", templates, ctx.lang, ctx=ctx)


__all__ = [
    "RATES",
    "CohortPanel",
    "DashboardContext",
    "DesignPanel",
    "build_dashboard",
    "design_panel",
    "progress",
    "render_dashboard",
]
