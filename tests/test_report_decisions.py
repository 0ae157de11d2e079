"""The board's decision in the report and the agenda (issue 15): `render --registry`,
`report --registry`, `agenda --registry`, decided / pending, versions, and escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tumorboard.casefile import case_json, load_case
from tumorboard.catalog import load_catalog
from tumorboard.cli import main
from tumorboard.cohorts.definitions import load_cohorts
from tumorboard.cohorts.manage import sync_definitions
from tumorboard.cohorts.registry import open_registry
from tumorboard.decisions.choices import resolve
from tumorboard.decisions.store import record_decision
from tumorboard.decisions.views import Decision, DecisionState
from tumorboard.demo import DEMO_VCF
from tumorboard.models import CaseResult
from tumorboard.oncotree import OncoTree
from tumorboard.report import render_agenda, render_html

DATA = Path(__file__).parent / "data" / "cohorts"
CATALOG, TREE = load_catalog(), OncoTree.load()
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def case(pid: str) -> CaseResult:
    c = load_case(DATA / "ihch_braf.json")
    return c.model_copy(update={"patient": c.patient.model_copy(update={"id": pid})})


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, Path, Path]:
    target = str(tmp_path / "r.sqlite")
    with open_registry(target, user="dr-a", create=True) as reg:
        sync_definitions(reg, load_cohorts(DATA / "small.yaml", catalog=CATALOG, tree=TREE))
    paths = []
    for pid in ("P1", "P2"):
        path = tmp_path / f"{pid}.json"
        path.write_text(case_json(case(pid)), encoding="utf-8")
        paths.append(path)
    return target, paths[0], paths[1]


def decide(target: str, pid: str, option: str, *, amend: bool = False) -> None:
    with open_registry(target, user="dr-a") as reg:
        c = case(pid)
        record_decision(reg, c, resolve(c, [option]), rationale=f"why {option}", amend=amend,
                        meeting_date="2026-03-12", catalog=CATALOG, tree=TREE)  # fmt: skip


def render(*args: str) -> str:
    res = CliRunner().invoke(main, ["render", *args])
    assert res.exit_code == 0, res.output
    return Path(args[args.index("-o") + 1]).read_text(encoding="utf-8")


def _section(page: str) -> str:
    return page[page.index('<section class="box" id="decision"') : page.index('id="actionable"')]


def test_render_with_registry_shows_pending_then_the_decision(
    files: tuple[str, Path, Path], tmp_path: Path
) -> None:
    target, p1, _ = files
    out = str(tmp_path / "r.html")
    plain = render(str(p1), "-o", out)
    assert 'id="decision"' not in plain  # no registry consulted: no section
    pending = _section(render(str(p1), "--registry", target, "-o", out))
    assert '<span class="badge b-uncertain">pending</span>' in pending
    assert "No decision is recorded for this patient yet." in pending
    decide(target, "P1", "1")
    decided = _section(render(str(p1), "--registry", target, "-o", out))
    assert "Meeting Mar 12, 2026; version 1 of 1, recorded by dr-a." in decided
    assert "<strong>dabrafenib + trametinib</strong> for BRAF V600E: " in decided
    assert '<span class="badge b-off-label">off-label</span>' in decided
    assert "<strong>Rationale:</strong> why 1" in decided
    assert "open cohort T-BRAF-SOLID fits this patient" in decided
    res = CliRunner().invoke(
        main, ["cohort", "assign", str(p1), "-t", "IHCH", "--patient-id", "P1", "--decided",
               "--registry", target],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    decide(target, "P1", "germline testing", amend=True)
    page = render(str(p1), "--registry", target, "-o", out, "--lang", "nb")
    section = _section(page)
    assert "Møte 12. mars 2026; versjon 2 av 2, registrert av dr-a." in section
    assert "<strong>genetisk testing av kimbane</strong>" in section
    assert "Inklusjon i kohort: inkludert i kohort T-BRAF-SOLID" in section
    # the cohort status is the registry's now, too
    assert "inkludert i kohort T-BRAF-SOLID, trinn 1, 1 av 2 plasser ledige" in page


def test_report_from_a_vcf_with_registry_has_the_decision_section(
    files: tuple[str, Path, Path], tmp_path: Path
) -> None:
    target = files[0]
    out = tmp_path / "r.html"
    res = CliRunner().invoke(
        main, ["report", str(DEMO_VCF), "-t", "IHCH", "--patient-id", "P9", "--registry", target,
               "-o", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "No decision is recorded for this patient yet." in out.read_text(encoding="utf-8")


def test_agenda_with_registry_marks_decided_and_pending(
    files: tuple[str, Path, Path], tmp_path: Path
) -> None:
    target, p1, p2 = files
    decide(target, "P1", "1")
    out = tmp_path / "agenda.html"
    args = ["agenda", str(p1), str(p2), "-o", str(out)]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert "Board decision" not in out.read_text(encoding="utf-8")  # no registry: no column
    assert CliRunner().invoke(main, [*args, "--registry", target]).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert '<th scope="col">Board decision</th>' in page
    rows = page.split("<tr>")[2:]
    assert '<span class="badge">decided</span>' in rows[0]
    assert "version 1, meeting Mar 12, 2026" in rows[0]
    assert '<span class="badge b-uncertain">pending</span>' in rows[1]


def test_a_decision_on_another_catalog_is_flagged_in_the_report() -> None:
    c = case("P1")
    state = _state("P1", c, catalog=c.catalog.model_copy(update={"version": "old", "sha256": "0"}))
    page = render_html(c, decision=state)
    assert "The decision was made on an analysis with catalog tumorboard-default old" in page


def _state(pid: str, c: CaseResult, **kw: object) -> DecisionState:
    values: dict[str, object] = {
        "id": 1, "patient_id": pid, "version": 1, "choices": resolve(c, ["1"]),
        "rationale": f"because {XSS}", "meeting_date": "2026-03-12", "tumor_type": "IHCH",
        "catalog": c.catalog, "case_ref": {}, "notes": (f"note {XSS}",), "recorded_by": XSS,
        "recorded_at": "2026-03-12T10:00:00+00:00",
    }  # fmt: skip
    values.update(kw)
    return DecisionState(pid, (Decision(**values),))  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_hostile_decision_fields_are_escaped_in_report_and_agenda(lang: str) -> None:
    c = case(XSS)
    c = c.model_copy(update={"patient": c.patient.model_copy(update={"sample": XSS})})
    state = _state(XSS, c)
    report = render_html(c, lang=lang, decision=state)
    agenda = render_agenda([(c, "r.html")], lang=lang, decisions={XSS: state})
    for page in (report, agenda):
        assert XSS not in page
        assert "<script" not in page
    assert _section(report).count(ESCAPED) == 3  # rationale, note, recorded by
    assert ESCAPED in agenda
