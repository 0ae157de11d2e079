"""The Snakemake workflow (``workflow/Snakefile``) run locally on three patients.

Snakemake is an optional extra (``pip install '.[workflow]'``): without it these tests skip,
unless ``TUMORBOARD_REQUIRE_WORKFLOW=1`` asks for them (then a missing Snakemake fails).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tumorboard.batch import read_samplesheet, run_batch

pytestmark = pytest.mark.slow  # processes, whole runs: outside the fast loop (-m "not slow")

REPO = Path(__file__).resolve().parent.parent
SNAKEFILE = REPO / "workflow" / "Snakefile"
VCFS = {
    "p1.vcf.gz": "somatic_vcf/pvactools_HCC1395.annotated.expression.grch38.vep.vcf.gz",
    "p2.vcf.gz": "somatic_vcf/pvactools_HCC1395.input_somatic.grch38.vep.vcf.gz",
    "p3.vcf.gz": "somatic_vcf/pvactools_HCC1395.annotated.expression.grch38.vep.vcf.gz",
}
SHEET = (
    "patient_id\ttumor_type\tinputs\tjurisdiction\n"
    "P1\tLUAD\tp1.vcf.gz\t\n"
    "P2\tBRCA\tp2.vcf.gz\tFDA\n"
    "P3\tSKCM\tp3.vcf.gz\t\n"
)


@pytest.fixture(scope="module")
def snakemake() -> list[str]:
    if importlib.util.find_spec("snakemake") is None:
        if os.environ.get("TUMORBOARD_REQUIRE_WORKFLOW") == "1":
            pytest.fail("snakemake is not installed but TUMORBOARD_REQUIRE_WORKFLOW=1")
        pytest.skip("snakemake is not installed (optional extra: pip install '.[workflow]')")
    return [sys.executable, "-m", "snakemake", "-s", str(SNAKEFILE)]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    folder = tmp_path_factory.mktemp("wf")
    for name, source in VCFS.items():
        shutil.copy(shared_data / source, folder / name)
    (folder / "samples.tsv").write_text(SHEET, encoding="utf-8")
    return folder


def config(run: Path, outdir: str) -> list[str]:
    return [
        "--config",
        f"samplesheet={run / 'samples.tsv'}",
        f"outdir={run / outdir}",
        f"tumorboard={sys.executable} -m tumorboard",
        "--cores",
        "2",
        "--directory",
        str(run),
    ]


@pytest.fixture(scope="module")
def workflow_out(snakemake: list[str], run: Path) -> Path:
    done = subprocess.run(
        [*snakemake, *config(run, "wf"), "--quiet"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return run / "wf"


def read_summary(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_workflow_writes_every_patient_and_the_summary(workflow_out: Path) -> None:
    for pid, code, jurisdiction in (
        ("P1", "LUAD", "EMA"),
        ("P2", "BRCA", "FDA"),
        ("P3", "SKCM", "EMA"),
    ):
        case = json.loads((workflow_out / f"{pid}.json").read_text())
        assert case["patient"]["id"] == pid
        assert case["patient"]["tumor_type"] == code
        assert case["jurisdiction"] == jurisdiction
        assert (workflow_out / f"{pid}.html").read_text().startswith("<!DOCTYPE html>")
    rows = read_summary(workflow_out / "summary.tsv")
    assert [(r["patient_id"], r["status"]) for r in rows] == [
        ("P1", "ok"),
        ("P2", "ok"),
        ("P3", "ok"),
    ]
    agenda = (workflow_out / "agenda.html").read_text()
    assert all(f'href="{pid}.html"' in agenda for pid in ("P1", "P2", "P3"))


def test_workflow_gives_the_same_cases_as_batch(workflow_out: Path, run: Path) -> None:
    result = run_batch(read_samplesheet(run / "samples.tsv"), run / "batch")
    assert result.ok
    for pid in ("P1", "P2", "P3"):
        wf = json.loads((workflow_out / f"{pid}.json").read_text())
        batch = json.loads((run / "batch" / f"{pid}.json").read_text())
        for key in ("patient", "variants", "matches", "biomarkers", "qc", "catalog"):
            assert wf[key] == batch[key], (pid, key)
    columns = ("patient_id", "tumor_type", "status", "variants", "matches", "top_option")
    wf_rows = read_summary(workflow_out / "summary.tsv")
    batch_rows = read_summary(run / "batch" / "summary.tsv")
    assert [[r[c] for c in columns] for r in wf_rows] == [
        [r[c] for c in columns] for r in batch_rows
    ]


def test_rerun_has_nothing_to_do(snakemake: list[str], workflow_out: Path, run: Path) -> None:
    done = subprocess.run(
        [*snakemake, *config(run, "wf"), "--dry-run"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Nothing to be done" in done.stdout + done.stderr


def test_invalid_samplesheet_stops_before_any_job(snakemake: list[str], run: Path) -> None:
    bad = run / "bad.tsv"
    bad.write_text("patient_id\ttumor_type\n", encoding="utf-8")
    args = config(run, "bad-out")
    args[1] = f"samplesheet={bad}"
    done = subprocess.run([*snakemake, *args], capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert f"{bad}:1: missing column(s): an input column" in done.stderr + done.stdout
    assert not (run / "bad-out").exists()
