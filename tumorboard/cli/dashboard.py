"""``tumorboard cohort dashboard``: the cohorts against their two-stage design, as one HTML page.

Registered on the ``cohort`` group (``cli/cohort.py`` stays the registry's text commands).
"""

from __future__ import annotations

import click

from tumorboard.cli.cohort import _open, cohort, registry_options
from tumorboard.cli.options import LANG, TEMPLATES


@cohort.command("dashboard")
@click.option("-o", "--output", required=True, type=click.Path(), help="HTML page to write.")
@click.option("--title", default="", help="Page title (default: 'Cohort dashboard').")
@LANG
@TEMPLATES
@registry_options
def dashboard_cmd(
    output: str,
    title: str,
    lang: str,
    templates: str | None,
    registry: str | None,
    user: str | None,
) -> None:
    """One self-contained HTML page: each cohort's progress against its two-stage design.

    Enrolled patients against the stage sizes (8 and 24 for IMPRESS), patients with benefit
    against the thresholds (1 opens stage 2, 5 makes the cohort positive), the waiting list and
    the state; then each design's operating characteristics. Charts are inline SVG with a text
    alternative; the page prints on A4.

    \b
    Example:
      tumorboard cohort dashboard --registry impress.sqlite -o dashboard.html
      tumorboard cohort dashboard --lang nb --title "IMPRESS, november" -o kohorter.html
    """
    from tumorboard.cohorts.dashboard import build_dashboard, render_dashboard
    from tumorboard.cohorts.registry import resolve_target
    from tumorboard.outputs import write_text_atomic

    with _open(registry, user) as reg:
        ctx = build_dashboard(reg, lang=lang, title=title)
    page = render_dashboard(ctx, templates=templates)
    write_text_atomic(output, page, inputs=[resolve_target(registry)])
    click.echo(output)
