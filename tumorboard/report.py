"""Tumour-board reports: one self-contained HTML file, a JSON sidecar and a meeting agenda.

The only module that imports jinja2. A report is rendered from a single typed
:class:`ReportContext`, built from a :class:`~tumorboard.models.CaseResult` (the same object the
JSON sidecar holds, so a saved ``case.json`` re-renders the identical report). Templates are a
skeleton (``base.html``) plus one partial per section under ``templates/partials/``; a user
folder given as ``templates`` is searched first, so it can override single partials.

Every word in a report comes from the Babel message catalogs in ``tumorboard/locale``
(English ``en`` and Norwegian bokmål ``nb``); numbers and dates are formatted for the locale.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from tumorboard.charts import ReportCharts, report_charts
from tumorboard.errors import InputNotFoundError, ReportError
from tumorboard.models import Biomarker, CaseResult, CohortStatus, Match, Variant
from tumorboard.outputs import write_text_atomic
from tumorboard.ranking import rank_matches, tier, top_option
from tumorboard.resources import templates_dir

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tumorboard.decisions.views import DecisionState

LANGUAGES = ("en", "nb")
"""Report languages: English and Norwegian bokmål."""
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LOW_VAF = 0.05
"""Variants below this allele fraction get a caveat (subclonal, or low tumour content)."""
_BIOMARKERS = ("TMB", "MSI", "HRD")


# --- the context the templates see --------------------------------------------------------------
@dataclass(frozen=True)
class MatchView:
    """One match with the variants it came from and the cohorts that offer its drugs."""

    match: Match
    variants: tuple[Variant, ...]
    cohorts: tuple[CohortStatus, ...]


@dataclass(frozen=True)
class AlterationView:
    """One actionable alteration (or genome-wide biomarker) with its options, best first."""

    biomarker: str
    gene: str
    variants: tuple[Variant, ...]
    options: tuple[MatchView, ...]


@dataclass(frozen=True)
class BiomarkerView:
    """TMB, MSI or HRD: the case's value, or ``value is None`` when it was not assessed."""

    name: str
    value: Biomarker | None


@dataclass(frozen=True)
class Summary:
    """The numbers a board reads first; ``top`` is the case's ``top_option`` (one ranking)."""

    on_label: int
    on_label_if: int
    """On-label options whose label conditions the board must confirm ("on-label if")."""
    off_label: int
    other: int
    resistance: tuple[MatchView, ...]
    top: MatchView | None
    cohorts: tuple[CohortStatus, ...]


@dataclass(frozen=True)
class Caveats:
    """QC facts the report turns into sentences."""

    low_vaf: tuple[Variant, ...]
    unannotated: bool
    filtered_shown: tuple[Variant, ...]
    outside_panel: int
    """Records read but outside the panel (``records_read - records_in_panel``)."""
    catalog_applied: bool
    """False when no drug catalog was applied: options were not assessed (not "none found")."""


@dataclass(frozen=True)
class ReportContext:
    """Everything a report template may use; built by :func:`build_context`."""

    lang: str
    case: CaseResult
    date: str
    assay: str
    summary: Summary
    actionable: tuple[AlterationView, ...]
    resistance: tuple[MatchView, ...]
    off_label: tuple[MatchView, ...]
    biomarkers: tuple[BiomarkerView, ...]
    other_variants: tuple[Variant, ...]
    caveats: Caveats
    charts: ReportCharts | None = None
    decision: DecisionState | None = None
    """The board's decision from the registry (``None``: no registry consulted)."""


@dataclass(frozen=True)
class AgendaRow:
    """One patient on the meeting agenda."""

    case: CaseResult
    href: str
    top: MatchView | None
    options: int
    resistance: int
    cohort: CohortStatus | None
    decision: DecisionState | None = None


@dataclass(frozen=True)
class AgendaContext:
    """Everything the agenda template may use; built by :func:`build_agenda`."""

    lang: str
    title: str
    date: str
    rows: tuple[AgendaRow, ...]
    decisions_checked: bool = False
    """True when the registry was consulted: each row says decided or pending."""


# --- building the context -----------------------------------------------------------------------
def _cohorts_for(match: Match, cohorts: Sequence[CohortStatus]) -> tuple[CohortStatus, ...]:
    """Cohorts offering this match's drugs (and, when the cohort names one, its biomarker)."""
    drugs = {d.lower() for d in match.drugs}
    return tuple(
        c
        for c in cohorts
        if c.drugs
        and {d.lower() for d in c.drugs} == drugs
        and (not c.biomarker or c.biomarker.lower() == match.biomarker.lower())
    )


def _views(case: CaseResult) -> list[MatchView]:
    """One view per match, in the case's ranking order (:func:`tumorboard.ranking.rank_matches`;
    cohort availability is shown, never used to reorder)."""
    by_id = {v.id: v for v in case.variants}
    return [
        MatchView(
            match=m,
            variants=tuple(by_id[i] for i in m.variants if i in by_id),
            cohorts=_cohorts_for(m, case.cohorts),
        )
        for m in rank_matches(case.matches)
    ]


def _top(views: Sequence[MatchView], case: CaseResult) -> MatchView | None:
    """The view of the case's top option (the same one summary.tsv, demo and assign name)."""
    top = top_option(case)
    return next((v for v in views if v.match is top or v.match == top), None)


def _group(views: Iterable[MatchView]) -> tuple[AlterationView, ...]:
    groups: dict[str, list[MatchView]] = {}
    for view in views:  # already ranked, so the first option of a group is its best
        groups.setdefault(view.match.biomarker, []).append(view)
    out = []
    for biomarker, options in groups.items():
        seen: dict[str, Variant] = {}
        for option in options:
            for variant in option.variants:
                seen.setdefault(variant.id, variant)
        out.append(
            AlterationView(biomarker, options[0].match.gene, tuple(seen.values()), tuple(options))
        )
    return tuple(out)


def _assay(case: CaseResult) -> str:
    extra = case.patient.extra
    if extra.get("assay"):
        return extra["assay"]
    kinds = sorted({f.kind for f in case.inputs})
    return ", ".join(kinds)


def _summary(views: Sequence[MatchView], case: CaseResult) -> Summary:
    sensitive = [v for v in views if v.match.effect == "sensitive"]

    def options(wanted: str) -> int:
        return len({tuple(v.match.drugs) for v in sensitive if tier(v.match) == wanted})

    on, on_if, off = options("on-label"), options("on-label-if"), options("off-label")
    other = len({tuple(v.match.drugs) for v in sensitive}) - on - on_if - off
    return Summary(
        on_label=on,
        on_label_if=on_if,
        off_label=off,
        other=max(other, 0),
        resistance=tuple(v for v in views if v.match.effect == "resistant"),
        top=_top(views, case),
        cohorts=tuple(case.cohorts),
    )


def _outside_panel(case: CaseResult) -> int:
    """Records read but left out for lying outside the panel.

    Every reader counts a record it does not drop for the panel as in the panel (skipped and
    filtered records included), so the difference is exactly the records outside it.
    """
    return max(case.qc.records_read - case.qc.records_in_panel, 0)


def build_context(
    case: CaseResult, lang: str = "en", decision: DecisionState | None = None
) -> ReportContext:
    """Build the typed context a report is rendered from (``decision``: from the registry).

    The date is the case's ``created`` date, never the clock, so a saved case re-renders the
    identical report.
    """
    _check_lang(lang)
    views = _views(case)
    matched_ids = {i for v in views for i in v.match.variants}
    other = tuple(v for v in case.variants if not v.actionable and v.id not in matched_ids)
    found: dict[str, Biomarker] = {b.name: b for b in case.biomarkers}
    return ReportContext(
        lang=lang,
        case=case,
        date=format_date(case.created.date(), format="long", locale=lang),
        assay=_assay(case),
        summary=_summary(views, case),
        actionable=_group(v for v in views if v.match.effect == "sensitive"),
        resistance=tuple(v for v in views if v.match.effect == "resistant"),
        off_label=tuple(
            v for v in views if v.match.effect == "sensitive" and v.match.label != "on-label"
        ),
        biomarkers=tuple(BiomarkerView(n, found.get(n)) for n in _BIOMARKERS),
        other_variants=other,
        caveats=Caveats(
            low_vaf=tuple(v for v in case.variants if v.vaf is not None and v.vaf < LOW_VAF),
            unannotated=any(not v.annotated for v in case.variants)
            or case.qc.annotation.lower().startswith("none"),
            filtered_shown=tuple(v for v in case.variants if v.filtered),
            outside_panel=_outside_panel(case),
            catalog_applied=case.catalog.name.strip().lower() not in ("", "none"),
        ),
        charts=report_charts(case.variants, case.biomarkers, case.patient.extra, case.command),
        decision=decision,
    )


# --- the jinja2 environment ---------------------------------------------------------------------
def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ReportError(
            f"unknown report language {lang!r}",
            hint=f"choose one of: {', '.join(LANGUAGES)}",
        )


_MONTHS = frozenset(f"{m:02d}" for m in range(1, 13))


def _filters(lang: str) -> dict[str, Any]:
    def num(value: float | int | None, digits: int = 1) -> str:
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return str(format_decimal(value, format=pattern, locale=lang))

    def pct(value: float | None) -> str:
        if value is None:
            return "–"
        return str(format_percent(value, format="#,##0.0 %", locale=lang))

    def isodate(value: date | datetime | str) -> str:
        if isinstance(value, str):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                # a month (YYYY-MM, most label revisions) in the same style as full dates
                # ("Jun 2026", "juni 2026"); a year or other partial dates stay as written
                year, dash, month = value.partition("-")
                if dash and len(year) == 4 and year.isdigit() and month in _MONTHS:
                    first = date(int(year), int(month), 1)
                    return str(format_skeleton("yMMM", first, locale=lang))
                return value
            return str(format_date(day, format="medium", locale=lang))
        return str(format_date(value, format="medium", locale=lang))

    def inn(drugs: Sequence[str]) -> str:
        return " + ".join(drugs)

    return {"num": num, "pct": pct, "isodate": isodate, "drugs": inn}


@lru_cache(maxsize=8)
def _environment(search: tuple[str, ...], lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(search)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    translations = Translations.load(str(LOCALE_DIR), locales=[lang], domain="messages")
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(_filters(lang))
    return env


def _search_path(templates: str | Path | None) -> tuple[str, ...]:
    bundled = str(templates_dir())
    if templates is None:
        return (bundled,)
    folder = Path(templates)
    if not folder.is_dir():
        raise InputNotFoundError(
            "templates folder not found",
            where=str(folder),
            hint="--templates takes a folder holding partials to override, e.g. "
            "partials/header.html",
        )
    for item in folder.rglob("*"):
        if not (item.is_dir() or item.is_file()):  # a FIFO would block the template loader
            raise ReportError(
                "the templates folder holds something that is not a regular file",
                where=str(item),
                hint="keep only template files (and folders) in the --templates folder",
            )
    return (str(folder.resolve()), bundled)


def _template_line(exc: BaseException) -> str | None:
    """``file:line`` of the innermost template frame of an error raised while rendering."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".htm", ".j2", ".jinja")):
            found = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def _render(name: str, templates: str | Path | None, lang: str, **context: Any) -> str:
    _check_lang(lang)
    env = _environment(_search_path(templates), lang)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise ReportError(
            f"template syntax error: {exc.message}",
            where=f"{exc.filename or exc.name}:{exc.lineno}",
            hint="fix the template, or remove the override to use the bundled one",
        ) from exc
    except jinja2.TemplateNotFound as exc:
        raise ReportError(
            f"template {exc.name!r} not found",
            where=name,
            hint="overrides must keep the bundled file names (see templates/partials/)",
        ) from exc
    except jinja2.UndefinedError as exc:
        raise ReportError(
            f"template uses an unknown field: {exc.message}",
            where=_template_line(exc) or name,
            hint="each partial's header comment lists the fields it may use",
        ) from exc
    except UnicodeDecodeError as exc:
        raise ReportError(
            f"a template is not UTF-8 text (byte {exc.start})",
            where=str(templates or name),
            hint="save the template files as UTF-8",
        ) from exc


def render_html(
    case: CaseResult,
    *,
    lang: str = "en",
    templates: str | Path | None = None,
    decision: DecisionState | None = None,
) -> str:
    """Render the case as one self-contained HTML report (no external resource)."""
    return _render("base.html", templates, lang, ctx=build_context(case, lang, decision))


def render_document(name: str, templates: str | Path | None, lang: str, **context: Any) -> str:
    """Render another document (letter, dashboard) with the report's environment."""
    return _render(name, templates, lang, **context)


def write_report(
    case: CaseResult,
    path: str | Path,
    *,
    lang: str = "en",
    templates: str | Path | None = None,
    decision: DecisionState | None = None,
    inputs: Sequence[str] = (),
) -> Path:
    """Render and write the report atomically (never over one of ``inputs``); returns the path
    written."""
    html = render_html(case, lang=lang, templates=templates, decision=decision)
    write_text_atomic(path, html, inputs=inputs)
    return Path(path)


def report_href(path: str) -> str:
    """A link to a report file, relative and URL-encoded: each path segment is percent-encoded
    (``:`` included), so a file named ``javascript:x.html`` links to ``javascript%3Ax.html``, a
    file beside the agenda, never a script."""
    from urllib.parse import quote

    return "/".join(quote(part, safe="") for part in path.replace("\\", "/").split("/"))


# --- agenda -------------------------------------------------------------------------------------
def build_agenda(
    cases: Sequence[tuple[CaseResult, str]],
    *,
    lang: str = "en",
    title: str = "",
    decisions: Mapping[str, DecisionState] | None = None,
) -> AgendaContext:
    """One row per ``(case, path of its report relative to the agenda)``, in the given order;
    the paths are URL-encoded here (:func:`report_href`); ``decisions`` (from the registry, by
    patient) mark each patient decided or pending."""
    _check_lang(lang)
    rows = []
    for case, href in cases:
        views = _views(case)
        sensitive = [v for v in views if v.match.effect == "sensitive"]
        top = _top(views, case)
        cohort = (top.cohorts[0] if top and top.cohorts else None) or (
            case.cohorts[0] if case.cohorts else None
        )
        rows.append(
            AgendaRow(
                case=case,
                href=report_href(href),
                top=top,
                options=len({tuple(v.match.drugs) for v in sensitive}),
                resistance=len(views) - len(sensitive),
                cohort=cohort,
                decision=(decisions or {}).get(case.patient.id),
            )
        )
    latest = max((c.created for c, _ in cases), default=None)
    day = format_date(latest.date(), format="long", locale=lang) if latest else ""
    checked = decisions is not None
    return AgendaContext(
        lang=lang, title=title, date=day, rows=tuple(rows), decisions_checked=checked
    )


def render_agenda(
    cases: Sequence[tuple[CaseResult, str]],
    *,
    lang: str = "en",
    title: str = "",
    templates: str | Path | None = None,
    decisions: Mapping[str, DecisionState] | None = None,
) -> str:
    """Render the meeting agenda: a row per patient, linking to each report."""
    ctx = build_agenda(cases, lang=lang, title=title, decisions=decisions)
    return _render("agenda.html", templates, lang, ctx=ctx)


__all__ = [
    "LANGUAGES",
    "AgendaContext",
    "AgendaRow",
    "AlterationView",
    "BiomarkerView",
    "Caveats",
    "MatchView",
    "ReportContext",
    "Summary",
    "build_agenda",
    "build_context",
    "render_agenda",
    "render_document",
    "render_html",
    "report_href",
    "write_report",
]
