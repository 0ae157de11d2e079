"""`tumorboard demo`: the whole pipeline on the bundled synthetic patient (issue 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import tumorboard
from tumorboard.casefile import load_case
from tumorboard.cli import main
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


def test_demo_writes_report_json_and_agenda(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{folder / 'report.html'}\n"
    assert result.stderr == (
        "DEMO-001 (IHCH): strongest option: BRAF V600E: dabrafenib + trametinib (off-label)\n"
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "agenda.html",
        "case.json",
        "demo-registry.sqlite",
        "report.html",
        "report.nb.html",
    ]
    case = load_case(folder / "case.json")
    assert case.patient.id == "DEMO-001"
    assert case.patient.tumor_type == "IHCH"
    assert case.patient.lineage[-1] == "IHCH"
    assert case.genome == "GRCh38"
    labels = {v.label for v in case.variants}
    assert {"BRAF V600E", "PIK3CA H1047R", "TP53 R248Q"} <= labels
    assert "KRAS G12D" not in labels  # failed FILTER
    assert case.qc.records_read == 9
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
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "eligible for cohort IMPRESS-BRAF-V600-DT-SOLID, stage 1, 8 of 8 slots left" in page
    # the saved JSON re-renders both reports identically
    assert (folder / "report.html").read_text(encoding="utf-8") == render_html(case)
    assert (folder / "report.nb.html").read_text(encoding="utf-8") == render_html(case, lang="nb")
    assert 'href="report.html"' in (folder / "agenda.html").read_text(encoding="utf-8")


def test_demo_runs_again_into_the_same_folder(tmp_path: Path) -> None:
    for _ in range(2):
        result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path)])
        assert result.exit_code == 0, result.output
    assert load_case(tmp_path / "case.json").cohorts[0].status == "eligible"


def test_demo_into_a_file_path_fails_cleanly(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["demo", "-o", str(blocker / "sub")])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {blocker / 'sub'}: cannot create the demo folder: Not a directory\n"
        "Hint: choose another folder with -o\n"
    )


def test_demo_as_a_subprocess(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tumorboard", "demo", "-o", "out"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={
            "PYTHONPATH": str(REPO),
            "PATH": "/usr/bin:/bin",
            "TUMORBOARD_CACHE_DIR": os.environ.get("TUMORBOARD_CACHE_DIR", ""),
        },
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "out/report.html\n"
    assert (tmp_path / "out" / "report.html").stat().st_size > 5_000
