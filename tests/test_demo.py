"""`tumorboard demo`: the whole pipeline on the bundled synthetic patient (issue 6)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import tumorboard
from tumorboard.casefile import add_cohort_status, load_case
from tumorboard.cli import main
from tumorboard.cohorts.manage import audit_entries
from tumorboard.cohorts.registry import open_registry
from tumorboard.decisions.pdf import find_chromium
from tumorboard.decisions.store import decision_state
from tumorboard.demo import DEMO_PATIENT, DEMO_VCF
from tumorboard.report import build_context, render_html

REPO = Path(__file__).resolve().parent.parent


def test_demo_files_are_package_data() -> None:
    package = Path(tumorboard.__file__).resolve().parent
    for path in (DEMO_VCF, DEMO_PATIENT):
        assert path.is_file()
        assert package in path.parents  # shipped inside the wheel, not read from the checkout
    text = DEMO_VCF.read_text(encoding="utf-8")
    assert "##tumor_sample=DEMO-001-T" in text
    assert "synthetic" in text
    assert "SYNTHETIC" in DEMO_PATIENT.read_text(encoding="utf-8")


def _files(chromium: bool) -> list[str]:
    names = ["agenda.html", "case.json", "dashboard.html", "demo-registry.sqlite"]
    names += ["letter.html", "letter.nb.html", "report.html", "report.nb.html"]
    return sorted([*names, "letter.pdf"] if chromium else names)


@pytest.mark.slow
def test_demo_writes_the_whole_loop(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    chromium = find_chromium() is not None
    assert sorted(p.name for p in folder.iterdir()) == _files(chromium)
    pdf_line = (
        f"{folder / 'letter.pdf'}"
        if chromium
        else ("not written: headless Chromium not found (apt-get install chromium)")
    )
    assert result.stdout == (
        f"tumorboard demo: synthetic patient DEMO-001 (IHCH), files in {folder}\n"
        f"  analysis   {folder / 'case.json'}\n"
        f"  report     {folder / 'report.html'} (Norwegian: {folder / 'report.nb.html'})\n"
        f"  agenda     {folder / 'agenda.html'}\n"
        "  decision   version 1: dabrafenib + trametinib for BRAF V600E (off-label, ESCAT III-A) "
        f"(registry {folder / 'demo-registry.sqlite'})\n"
        "  enrolment  enrolled (IMPRESS-BRAF-V600-DT-SOLID)\n"
        f"  letter     {folder / 'letter.html'} (Norwegian: {folder / 'letter.nb.html'})\n"
        f"  letter PDF {pdf_line}\n"
        f"  dashboard  {folder / 'dashboard.html'}\n"
    )
    assert result.stderr == (
        "DEMO-001 (IHCH): strongest option: BRAF V600E: dabrafenib + trametinib (off-label)\n"
    )
    case = load_case(folder / "case.json")
    assert case.patient.id == "DEMO-001"
    assert case.patient.tumor_type == "IHCH"
    assert case.patient.lineage[-1] == "IHCH"
    assert case.genome == "GRCh38"
    labels = {v.label for v in case.variants}
    assert {"BRAF V600E", "PIK3CA H1047R", "TP53 R248Q"} <= labels
    assert "KRAS G12D" not in labels  # failed FILTER
    assert case.qc.records_read == 8
    assert case.qc.filtered == 2
    assert case.inputs[0].sha256 is not None
    braf = [c for c in case.cohorts if c.drugs == ["dabrafenib", "trametinib"]]
    assert [(c.status, c.stage, c.slots_left) for c in braf] == [("eligible", 1, 8)]
    # clinically: BRAF V600E in intrahepatic cholangiocarcinoma is off-label under EMA ...
    assert case.catalog.name != "none"
    assert case.jurisdiction == "EMA"
    braf_options = {tuple(m.drugs): m.label for m in case.matches if m.biomarker == "BRAF V600E"}
    assert braf_options[("dabrafenib", "trametinib")] == "off-label"
    assert "on-label" not in braf_options.values()
    # ... and the report leads with the option a cohort can offer now
    ctx = build_context(case)
    assert ctx.summary.top is not None
    assert ctx.summary.top.match.drugs == ["dabrafenib", "trametinib"]
    # the board decided the strongest option and the patient was enrolled by that decision
    with open_registry(str(folder / "demo-registry.sqlite")) as reg:
        state = decision_state(reg, "DEMO-001")
        actions = [a["action"] for a in audit_entries(reg, patient_id="DEMO-001")]
    assert state.current is not None
    assert [c.drugs for c in state.current.choices] == [("dabrafenib", "trametinib")]
    assert state.current.catalog == case.catalog
    assert [(e.cohort_id, e.status) for e in state.enrolment] == [
        ("IMPRESS-BRAF-V600-DT-SOLID", "enrolled")
    ]
    assert actions == ["patient.register", "decision.record", "assign.enrolled", "assign.decided"]
    # the reports show the decision and the enrolment; re-rendered with the registry: the same
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert 'id="decision"' in page
    assert "enrolled in cohort IMPRESS-BRAF-V600-DT-SOLID, stage 1, 7 of 8 slots left" in page
    fresh = add_cohort_status(case, str(folder / "demo-registry.sqlite"))
    assert (folder / "report.html").read_text(encoding="utf-8") == render_html(
        fresh, decision=state
    )
    nb = render_html(fresh, lang="nb", decision=state)
    assert (folder / "report.nb.html").read_text(encoding="utf-8") == nb
    agenda = (folder / "agenda.html").read_text(encoding="utf-8")
    assert 'href="report.html"' in agenda
    assert ">decided</span>" in agenda
    letter = (folder / "letter.html").read_text(encoding="utf-8")
    assert "Recommendation of the molecular tumour board" in letter
    assert "enrolled in cohort IMPRESS-BRAF-V600-DT-SOLID" in letter
    assert "Anbefaling fra det molekylære tumorstyret" in (folder / "letter.nb.html").read_text(
        encoding="utf-8"
    )
    dashboard = (folder / "dashboard.html").read_text(encoding="utf-8")
    assert "1 of 24 enrolled (stage 1: 8)." in dashboard
    if chromium:
        assert (folder / "letter.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_demo_runs_again_into_the_same_folder(tmp_path: Path) -> None:
    for _ in range(2):
        result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path)])
        assert result.exit_code == 0, result.output
    assert load_case(tmp_path / "case.json").cohorts[0].status == "eligible"
    assert not list(tmp_path.glob(".*partial"))  # the fresh registry was renamed into place
    with open_registry(str(tmp_path / "demo-registry.sqlite")) as reg:
        assert len(decision_state(reg, "DEMO-001").history) == 1  # a fresh registry each run


def test_demo_into_a_file_path_fails_cleanly(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["demo", "-o", str(blocker / "sub")])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {blocker / 'sub'}: cannot create the demo folder: Not a directory\n"
        "Hint: choose another folder with -o\n"
    )


@pytest.mark.slow
def test_demo_as_a_subprocess(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tumorboard", "demo", "-o", "out"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "tumorboard demo: synthetic patient DEMO-001 (IHCH), files in out\n"
        "  analysis   out/case.json\n"
        "  report     out/report.html (Norwegian: out/report.nb.html)\n"
    )
    assert (tmp_path / "out" / "report.html").stat().st_size > 5_000
