"""The cohort dashboard (issue 15): progress against the two-stage design, the designs' operating
characteristics, text alternatives, Norwegian, the command, and escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tumorboard.casefile import load_case
from tumorboard.catalog import load_catalog
from tumorboard.cli import main
from tumorboard.cohorts.assign import assign_case
from tumorboard.cohorts.dashboard import RATES, build_dashboard, render_dashboard
from tumorboard.cohorts.definitions import load_cohorts
from tumorboard.cohorts.design import Design, characteristics
from tumorboard.cohorts.lifecycle import create_cohort
from tumorboard.cohorts.manage import sync_definitions
from tumorboard.cohorts.outcomes import record_outcome
from tumorboard.cohorts.registry import open_registry
from tumorboard.oncotree import OncoTree

DATA = Path(__file__).parent / "data" / "cohorts"
CATALOG, TREE = load_catalog(), OncoTree.load()
DEFS = load_cohorts(DATA / "small.yaml", catalog=CATALOG, tree=TREE)
XSS = "<script>alert(1)</script>"


@pytest.fixture
def target(tmp_path: Path) -> str:
    """Small cohorts; T-BRAF-SOLID: two enrolled (one with benefit), one on the waiting list."""
    path = str(tmp_path / "r.sqlite")
    with open_registry(path, user="t", create=True) as reg:
        sync_definitions(reg, DEFS)
        base = load_case(DATA / "ihch_braf.json")
        for pid in ("P1", "P2", "P3"):
            case = base.model_copy(update={"patient": base.patient.model_copy(update={"id": pid})})
            assign_case(reg, case, catalog=CATALOG, tree=TREE)
        record_outcome(reg, "P1", "PR", 8)
    return path


def test_progress_bars_against_the_design(target: str) -> None:
    with open_registry(target) as reg:
        ctx = build_dashboard(reg)
    braf = next(p for p in ctx.cohorts if p.view.id == "T-BRAF-SOLID")
    assert (braf.view.enrolled, braf.view.benefit, braf.view.waitlist) == (2, 1, 1)
    assert [(b.label, b.value) for b in braf.enrolled.bars] == [("enrolled", 2.0)]
    assert [(line.kind, line.value) for line in braf.enrolled.lines] == [
        ("stage1", 2.0),  # n1
        ("stage2", 4.0),  # n
    ]
    assert braf.enrolled.maximum == 4.0
    assert [(line.kind, line.value) for line in braf.benefit.lines] == [
        ("continue", 1.0),  # more than r1 = 0
        ("positive", 2.0),  # more than r = 1
    ]
    assert [b.value for b in braf.benefit.bars] == [1.0]
    assert ctx.as_of.endswith("+00:00")


def test_operating_characteristics_per_design(target: str) -> None:
    with open_registry(target) as reg:
        ctx = build_dashboard(reg)
    assert len(ctx.designs) == 1  # the three small cohorts share one design
    panel = ctx.designs[0]
    assert panel.design == Design(2, 0, 4, 1)
    assert panel.cohorts == ("T-BRAF-SOLID", "T-ERBB2-BOWEL", "T-ERBB2-CRC")
    assert panel.rates == tuple(characteristics(Design(2, 0, 4, 1), p) for p in RATES)
    kinds = [s.kind for s in panel.chart.series]
    assert kinds == ["p_positive", "pet"]
    assert panel.chart.series[0].values[0] == (0.0, 0.0)  # no benefit at all: never positive


def test_dashboard_command_writes_an_accessible_page(target: str, tmp_path: Path) -> None:
    out = tmp_path / "dashboard.html"
    res = CliRunner().invoke(main, ["cohort", "dashboard", "--registry", target, "-o", str(out)])
    assert (res.exit_code, res.output) == (0, f"{out}\n")
    page = out.read_text(encoding="utf-8")
    assert "3 cohorts · registry as of " in page
    assert "2 of 4 enrolled (stage 1: 2)." in page
    assert "1 with benefit (stage 2 from 1, positive from 2); evaluable 1, pending 1." in page
    svgs = re.findall(r"<svg [^>]*>", page)
    assert len(svgs) == 3 * 2 + 1  # two bars per cohort, one design chart
    assert all('role="img"' in s and "aria-labelledby" in s for s in svgs)
    assert page.count("<title id=") == len(svgs)
    assert page.count("<desc id=") == len(svgs)
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert "default-src 'none'" in page
    nb = tmp_path / "kohorter.html"
    args = ["cohort", "dashboard", "--registry", target, "-o", str(nb), "--lang", "nb"]
    assert CliRunner().invoke(main, [*args, "--title", "IMPRESS, mars"]).exit_code == 0
    text = nb.read_text(encoding="utf-8")
    assert "<h1>IMPRESS, mars</h1>" in text
    assert "Operasjonelle egenskaper" in text
    assert "trinn 1 åpent" in text


def test_impress_design_numbers_match_cohort_design(tmp_path: Path) -> None:
    path = str(tmp_path / "impress.sqlite")
    with open_registry(path, user="t", create=True) as reg:
        sync_definitions(reg, load_cohorts(None, catalog=CATALOG, tree=TREE))
        page = render_dashboard(build_dashboard(reg))
    # the same numbers as `tumorboard cohort design --p0 0.10 --p1 0.30` (test_cohort_cli)
    assert (
        '<tr><th scope="row">30.0 %</th><td class="num">5.8 %</td><td class="num">85.7 %</td>'
        in page
    )
    assert "Design 8/0/24/4" in page


def test_hostile_cohort_fields_are_escaped(tmp_path: Path) -> None:
    path = str(tmp_path / "r.sqlite")
    hostile = DEFS[0].model_copy(update={"id": f"X{XSS}", "title": XSS, "drugs": [XSS]})
    with open_registry(path, user="t", create=True) as reg:
        with reg.transaction() as conn:
            create_cohort(reg, conn, hostile, "test")
        page = render_dashboard(build_dashboard(reg))
    assert XSS not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3


def test_dashboard_into_a_missing_folder(target: str, tmp_path: Path) -> None:
    out = tmp_path / "nope" / "d.html"
    res = CliRunner().invoke(main, ["cohort", "dashboard", "--registry", target, "-o", str(out)])
    assert res.exit_code == 1
    assert res.stderr.startswith(f"Error: {out}: output folder ")
