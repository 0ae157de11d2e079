"""`tumorboard decision ...` and `cohort assign --decided` through CliRunner (exact texts and exit
codes), JSON output, and as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tumorboard.cli import main

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "cohorts"
IHCH = str(DATA / "ihch_braf.json")
GOLDEN_CASE = str(Path(__file__).parent / "golden_reports" / "ihch_braf_idh1" / "case.json")
WARN = (
    "Warning: the case was analysed with catalog tumorboard-default test, not the catalog in "
    "use now"
)
NOTE = (
    "  note: dabrafenib + trametinib is off-label for IHCH (EMA); open cohort T-BRAF-SOLID fits "
    "this patient (when this decision was recorded: stage 1, 2 of 2 slots left): enrol with "
    "`tumorboard cohort assign --decided`\n"
)


@pytest.fixture
def registry(tmp_path: Path) -> str:
    path = str(tmp_path / "r.sqlite")
    res = CliRunner().invoke(
        main, ["cohort", "init", "--registry", path, "--cohorts", str(DATA / "small.yaml")]
    )
    assert res.exit_code == 0, res.output
    return path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def record(registry: str, *extra: str):
    return run(
        "decision", "record", IHCH, "--patient-id", "P1", "--registry", registry, "--user",
        "dr-a", "--meeting-date", "2026-03-12", *extra,
    )  # fmt: skip


def test_record_prints_what_was_stored_and_the_open_cohort(registry: str) -> None:
    res = record(registry, "--option", "1", "--rationale", "BRAF V600E; slot open")
    assert res.exit_code == 0, res.output
    assert res.stdout == (
        "decision for P1 (IHCH) recorded (version 1): meeting 2026-03-12, by dr-a\n"
        "  option 1: dabrafenib + trametinib for BRAF V600E (off-label, ESCAT III-A)\n"
        "  rationale: BRAF V600E; slot open\n"
        f"{NOTE}"
        "  catalog: tumorboard-default test (sha256 000000000000...)\n"
    )
    assert res.stderr.startswith(WARN)  # the fixture case is from an older catalog


def test_record_twice_fails_then_amend_and_show_the_history(registry: str) -> None:
    assert record(registry, "--option", "1", "--rationale", "first").exit_code == 0
    again = record(registry, "--option", "re-biopsy", "--rationale", "second")
    assert again.exit_code == 1
    assert again.stderr.splitlines()[-2:] == [
        "Error: a decision is already recorded for patient P1 (version 1, meeting 2026-03-12, "
        "by dr-a)",
        "Hint: decisions are never overwritten: amend it with `tumorboard decision amend` (or "
        "`decision record --amend`); the earlier version is kept",
    ]
    amended = run(
        "decision", "amend", IHCH, "--patient-id", "P1", "--registry", registry, "--user",
        "dr-b", "--meeting-date", "2026-03-12", "--option", "re-biopsy", "--rationale", "second",
    )  # fmt: skip
    assert amended.exit_code == 0, amended.output
    assert amended.stdout.splitlines()[0] == (
        "decision for P1 (IHCH) amended (version 2, superseding 1): meeting 2026-03-12, by dr-b"
    )
    flag = record(registry, "--option", "1", "--rationale", "third", "--amend")
    assert flag.stdout.splitlines()[0].startswith("decision for P1 (IHCH) amended (version 3")
    shown = run("decision", "show", "P1", "--registry", registry)
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0].startswith(
        "P1 (IHCH): decision version 3 of 3, meeting 2026-03-12, recorded by dr-a at "
    )
    assert lines[-4:] == [
        "history:",
        "  v1  2026-03-12  dr-a         dabrafenib + trametinib  (superseded by version 2)",
        "  v2  2026-03-12  dr-b         re-biopsy  (superseded by version 3)",
        "  v3  2026-03-12  dr-a         dabrafenib + trametinib  (current)",
    ]
    data = json.loads(
        run("decision", "show", "P1", "--registry", registry, "--format", "json").stdout
    )
    assert data["status"] == "decided"
    assert [d["version"] for d in data["history"]] == [1, 2, 3]
    assert data["current"]["choices"][0]["match"]["label"] == "off-label"
    assert data["current"]["catalog"]["version"] == "test"


def test_list_shows_decided_and_pending_patients(registry: str) -> None:
    assert record(registry, "--option", "1", "--rationale", "go").exit_code == 0
    assign = run(
        "cohort", "assign", str(DATA / "coad_erbb2.json"), "-t", "COAD", "--patient-id", "P2",
        "--registry", registry,
    )  # fmt: skip
    assert assign.exit_code == 0, assign.output
    res = run("decision", "list", "--registry", registry)
    assert res.stdout == (
        "patient              status   ver meeting    by           decision\n"
        "P1                   decided    1 2026-03-12 dr-a         dabrafenib + trametinib\n"
        "P2                   pending    - -          -            -\n"
    )
    data = json.loads(run("decision", "list", "--registry", registry, "--format", "json").stdout)
    assert [(d["patient_id"], d["status"]) for d in data] == [("P1", "decided"), ("P2", "pending")]


def test_show_unknown_patient_is_an_error_not_pending(registry: str) -> None:
    res = run("decision", "show", "P9", "--registry", registry)
    assert (res.exit_code, res.stderr) == (
        1,
        "Error: patient P9 is not in the registry\n"
        "Hint: check the pseudonym; `tumorboard decision list` lists the registered patients\n",
    )


def test_options_lists_the_numbers_record_takes() -> None:
    res = run("decision", "options", GOLDEN_CASE)
    assert res.exit_code == 0
    assert res.stdout == (
        "options for DEMO-001 (IHCH, EMA; catalog tumorboard-approved 2026.03), strongest first:\n"
        "   1  ivosidenib for IDH1 R132C: on-label if previously treated with at least one prior "
        "line of systemic therapy, ESCAT I-A\n"
        "   2  dabrafenib + trametinib for BRAF V600E: off-label, ESCAT III-A\n"
        "  or: no-targeted-option, clinical-trial-elsewhere, re-biopsy, germline-testing\n"
    )
    data = json.loads(run("decision", "options", GOLDEN_CASE, "--format", "json").stdout)
    assert [(o["rank"], o["drugs"]) for o in data["options"]] == [
        (1, ["ivosidenib"]),
        (2, ["dabrafenib", "trametinib"]),
    ]


def test_bad_option_and_missing_rationale(registry: str) -> None:
    res = record(registry, "--option", "7", "--rationale", "x")
    assert res.exit_code == 1
    assert res.stderr.splitlines()[-2:] == [
        "Error: option 7 does not exist: the case has 1 drug option(s)",
        "Hint: choose 1 = dabrafenib + trametinib, or one of: no-targeted-option, "
        "clinical-trial-elsewhere, re-biopsy, germline-testing (`tumorboard decision options "
        "CASE.json` lists the options)",
    ]
    assert record(registry, "--option", "1").exit_code == 2  # --rationale is required
    assert record(registry, "--rationale", "x").exit_code == 2  # so is --option


def test_assign_decided_enrols_by_the_decision(registry: str) -> None:
    base = ("cohort", "assign", IHCH, "-t", "IHCH", "--patient-id", "P1", "--registry", registry)
    none = run(*base, "--decided")
    assert (none.exit_code, none.stderr.splitlines()[-2:]) == (
        1,
        [
            "Error: no decision is recorded for patient P1",
            "Hint: record the board's decision first: tumorboard decision record CASE.json "
            "--option N --rationale TEXT",
        ],
    )
    assert record(registry, "--option", "1", "--rationale", "go").exit_code == 0
    res = run(*base, "--decided")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[:2] == [
        "patient P1 (IHCH): enrolled",
        "  cohort:   T-BRAF-SOLID (dabrafenib + trametinib, BRAF_V600), stage 1, 1 of 2 slots left",
    ]
    shown = run("decision", "show", "P1", "--registry", registry)
    assert "  enrolment: enrolled (cohort T-BRAF-SOLID), stage 1" in shown.stdout


def test_decision_commands_as_a_subprocess(registry: str, tmp_path: Path) -> None:
    env = {**os.environ, "TUMORBOARD_REGISTRY": registry, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "tumorboard", "decision"]
    done = subprocess.run(
        [*cmd, "record", IHCH, "--patient-id", "P1", "--option", "dabrafenib+trametinib",
         "--rationale", "go", "--format", "json"],
        capture_output=True, text=True, check=False, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decision"]["version"] == 1
    shown = subprocess.run(
        [*cmd, "show", "NOPE"], capture_output=True, text=True, check=False, env=env
    )
    assert shown.returncode == 1
    assert shown.stderr.startswith("Error: patient NOPE is not in the registry\n")
    assert "Traceback" not in shown.stderr
