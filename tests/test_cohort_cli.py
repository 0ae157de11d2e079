"""`tumorboard cohort ...` through CliRunner (exact texts and exit codes) and as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tumorboard.cli import main

DATA = Path(__file__).parent / "data" / "cohorts"
SMALL = str(DATA / "small.yaml")
IHCH = str(DATA / "ihch_braf.json")


@pytest.fixture
def registry(tmp_path: Path) -> str:
    path = str(tmp_path / "r.sqlite")
    res = CliRunner().invoke(main, ["cohort", "init", "--registry", path, "--cohorts", SMALL])
    assert res.exit_code == 0, res.output
    assert res.output == "registry ready: 3 cohort(s) added, 0 already present\n"
    return path


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["cohort", *args], env=env)


def test_design_table_equals_domain_numbers():
    res = run(
        "design", "--n1", "8", "--r1", "0", "--n", "24", "--r", "4", "--p0", "0.10", "--p1", "0.30"
    )
    assert res.exit_code == 0
    assert res.output == (
        "design 8/0/24/4: stage 1: 8 patients, continue with >= 1 benefit; stage 2: 16 more, "
        "positive with >= 5 of 24\n"
        "     p      PET  P(positive)    E[N]\n"
        "  0.05   0.6634       0.0054   13.39\n"
        "  0.10   0.4305       0.0778   17.11\n"
        "  0.20   0.1678       0.5063   21.32\n"
        "  0.30   0.0576       0.8572   23.08\n"
        "  0.40   0.0168       0.9726   23.73\n"
        "p0 = 0.10: alpha = 0.0778; p1 = 0.30: power = 0.8572\n"
    )


def test_design_json_for_simon_optimal():
    res = run(
        "design",
        "--n1",
        "10",
        "--r1",
        "1",
        "--n",
        "29",
        "--r",
        "5",
        "--p0",
        "0.1",
        "--p1",
        "0.3",
        "--rates",
        "0.1",
        "--format",
        "json",
    )
    doc = json.loads(res.output)
    assert round(doc["alpha"], 4) == 0.0471
    assert round(doc["power"], 4) == 0.8051
    assert doc["rates"] == [
        {"p": 0.1, "pet": 0.736099, "p_positive": 0.047086, "expected_n": 15.0141}
    ]


def test_design_errors():
    res = run("design", "--n1", "8", "--r1", "8")
    assert res.exit_code == 1
    assert res.output == (
        "Error: invalid two-stage design (n1=8, r1=8, n=24, r=4): r1 must be between 0 and "
        "n1 - 1; r must be between r1 and n - 1\n"
        "Hint: IMPRESS uses n1=8, r1=0, n=24, r=4 (continue with >= 1 of 8, positive with >= 5 "
        "of 24)\n"
    )
    assert run("design", "--p0", "0.1").exit_code == 2


def test_assign_outcome_status_round_trip(registry: str):
    res = run("assign", IHCH, "-t", "IHCH", "--patient-id", "P1", "--registry", registry)
    assert res.exit_code == 0
    assert res.output == (
        "patient P1 (IHCH): enrolled\n"
        "  cohort:   T-BRAF-SOLID (dabrafenib + trametinib, BRAF_V600), stage 1, 1 of 2 slots "
        "left\n"
        "  match:    BRAF V600E -> dabrafenib + trametinib (ESCAT III-A)\n"
    )
    doc = json.loads(
        run(
            "assign",
            IHCH,
            "-t",
            "IHCH",
            "--patient-id",
            "P2",
            "--registry",
            registry,
            "--format",
            "json",
        ).output
    )
    assert (doc["status"], doc["cohort"]["id"], doc["cohort"]["slots_left"]) == (
        "enrolled",
        "T-BRAF-SOLID",
        0,
    )
    doc = json.loads(
        run(
            "assign",
            IHCH,
            "-t",
            "IHCH",
            "--patient-id",
            "P3",
            "--registry",
            registry,
            "--format",
            "json",
        ).output
    )
    assert (doc["status"], doc["queue_position"]) == ("waitlisted", 1)
    run("outcome", "--patient-id", "P1", "--response", "pd", "--week", "8", "--registry", registry)
    res = run(
        "outcome",
        "--patient-id",
        "P2",
        "--response",
        "SD",
        "--week",
        "16",
        "--date",
        "2026-05-04",
        "--registry",
        registry,
    )
    assert res.exit_code == 0
    assert res.output.splitlines()[:3] == [
        "P2 in T-BRAF-SOLID: SD at week 16; patient result: benefit",
        "  -> stage 2 opened",
        "  -> waiting list promoted into stage 2",
    ]
    doc = json.loads(
        run("status", "T-BRAF-SOLID", "--registry", registry, "--format", "json").output
    )
    assert {
        k: doc[0][k]
        for k in ("state", "stage", "enrolled", "evaluable", "benefit", "slots_left", "waitlist")
    } == {
        "state": "stage-2 open",
        "stage": 2,
        "enrolled": 3,
        "evaluable": 2,
        "benefit": 1,
        "slots_left": 1,
        "waitlist": 0,
    }
    table = run("status", "--registry", registry).output.splitlines()
    assert table[0].split() == ["cohort", "state", "stg", "enr", "eval", "ben", "left", "wait"]
    assert table[1].split() == ["T-BRAF-SOLID", "stage-2", "open", "2", "3", "2", "1", "1", "0"]


def test_proposal_then_open_from_proposal(registry: str):
    thpa = str(DATA / "thpa_braf_encobini.json")
    res = run("assign", thpa, "-t", "THPA", "--patient-id", "T1", "--registry", registry)
    assert res.output.splitlines()[0] == "patient T1 (THPA): proposed"
    assert "(open it with `tumorboard cohort open --from-proposal 1`)" in res.output
    res = run(
        "open",
        "--from-proposal",
        "1",
        "--cohort-id",
        "NEW-BRAF-THYROID-EB",
        "--tumor-types",
        "thyroid",
        "--registry",
        registry,
        "--user",
        "board",
    )
    assert res.exit_code == 0, res.output
    assert res.output == "cohort NEW-BRAF-THYROID-EB opened from proposal 1\n"
    res = run("rematch", "--registry", registry)
    assert res.output == (
        "T1 (THPA): NEW-BRAF-THYROID-EB via BRAF V600E -> binimetinib + encorafenib\n"
    )
    audit = json.loads(
        run(
            "audit", "--cohort", "NEW-BRAF-THYROID-EB", "--registry", registry, "--format", "json"
        ).output
    )
    assert [(a["action"], a["user"]) for a in audit] == [
        ("cohort.create", "board"),
        ("proposal.accepted", "board"),
    ]


@pytest.mark.parametrize(
    ("args", "output"),
    [
        (
            ["assign", IHCH, "-t", "IHCH", "--patient-id", "P1"],
            "Error: no cohort registry given\nHint: pass --registry PATH (SQLite file) or a "
            "postgresql+psycopg:// URL, or set TUMORBOARD_REGISTRY\n",
        ),
        (
            ["assign", IHCH, "-t", "COAD", "--patient-id", "P1", "--registry", "{reg}"],
            f"Error: {IHCH}: the case is for tumour type IHCH but --tumor-type is COAD\n"
            "Hint: re-run the analysis with the right --tumor-type, or correct the option\n",
        ),
        (
            ["assign", IHCH, "-t", "IHCH", "--registry", "{reg}"],
            "Error: a patient pseudonym is needed to assign a cohort\n"
            "Hint: pass --patient-id (a pseudonym, never a name or national ID)\n",
        ),
        (
            [
                "outcome",
                "--patient-id",
                "X9",
                "--response",
                "PR",
                "--week",
                "8",
                "--registry",
                "{reg}",
            ],
            "Error: patient X9 is not enrolled in any cohort\n"
            "Hint: check the pseudonym; `tumorboard cohort status` lists cohorts\n",
        ),
        (
            [
                "outcome",
                "--patient-id",
                "X9",
                "--response",
                "PR",
                "--week",
                "8",
                "--date",
                "2026-02-30",
                "--registry",
                "{reg}",
            ],
            "Error: assessment date '2026-02-30' is not a real date\nHint: e.g. 2026-03-02\n",
        ),
        (
            ["status", "NOPE", "--registry", "{reg}"],
            "Error: no cohort 'NOPE' in the registry\n"
            "Hint: list cohorts with `tumorboard cohort status`\n",
        ),
        (
            ["open", "--from-proposal", "7", "--registry", "{reg}"],
            "Error: no proposal 7\nHint: list proposals with `tumorboard cohort proposals`\n",
        ),
    ],
)
def test_user_errors_are_one_error_line_and_a_hint(registry: str, args, output):
    res = CliRunner().invoke(
        main,
        ["cohort", *[a.replace("{reg}", registry) for a in args]],
        env={"TUMORBOARD_REGISTRY": ""},
    )
    assert res.exit_code == 1
    assert res.output == output


def test_missing_and_newer_registries(tmp_path: Path, registry: str):
    missing = str(tmp_path / "missing.sqlite")
    res = run("status", "--registry", missing)
    assert (res.exit_code, res.output) == (
        1,
        f"Error: {missing}: registry not found\nHint: "
        "create it with `tumorboard cohort init --registry "
        "PATH`, or check the path\n",
    )
    import sqlite3

    from tumorboard.cohorts.registry import SCHEMA_VERSION

    future = SCHEMA_VERSION + 1
    with sqlite3.connect(registry) as con:
        con.execute(f"INSERT INTO tumorboard_migrations VALUES ({future}, 'future', 'x')")
    con.close()
    res = run("status", "--registry", registry)
    assert res.exit_code == 1
    assert res.output == (
        f"Error: {registry}: registry schema version {future} is newer than this tumorboard "
        f"supports ({SCHEMA_VERSION})\nHint: upgrade tumorboard (pip install -U tumorboard); "
        "never open a newer registry with an older tumorboard\n"
    )


def test_usage_errors_exit_2(registry: str):
    assert run("outcome", "--patient-id", "P1", "--response", "XX", "--week", "8").exit_code == 2
    assert run("open", "--registry", registry).exit_code == 2


def test_every_cohort_command_has_help_with_an_example():
    group = main.load_all()["cohort"]
    for name in group.commands:  # type: ignore[attr-defined]
        res = run(name, "--help")
        assert res.exit_code == 0
        assert "Example" in res.output, name


def test_init_warns_nothing_for_the_bundled_set(tmp_path: Path):
    res = CliRunner().invoke(main, ["cohort", "init", "--registry", str(tmp_path / "b.sqlite")])
    assert res.exit_code == 0
    assert res.output.startswith("registry ready: 18 cohort(s) added")
    again = CliRunner().invoke(main, ["cohort", "init", "--registry", str(tmp_path / "b.sqlite")])
    assert again.output.splitlines()[0] == "registry ready: 0 cohort(s) added, 18 already present"


def test_subprocess_assign_and_design(tmp_path: Path):
    reg = str(tmp_path / "s.sqlite")
    cmd = [sys.executable, "-m", "tumorboard", "cohort"]
    subprocess.run(
        [*cmd, "init", "--registry", reg, "--cohorts", SMALL], check=True, capture_output=True
    )
    out = subprocess.run(
        [
            *cmd,
            "assign",
            IHCH,
            "-t",
            "IHCH",
            "--patient-id",
            "S1",
            "--registry",
            reg,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["status"] == "enrolled"
    bad = subprocess.run(
        [
            *cmd,
            "assign",
            IHCH,
            "-t",
            "IHCH",
            "--patient-id",
            "S2",
            "--registry",
            str(tmp_path / "none.sqlite"),
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert bad.stderr.startswith("Error: ")
    assert "Traceback" not in bad.stderr


def test_assign_from_a_real_vcf(shared_data: Path, tmp_path: Path):
    """PCGR's TCGA colon VCF (BRAF V600E): on-label in colorectal cancer, a cohort elsewhere."""
    reg = str(tmp_path / "v.sqlite")
    assert run("init", "--registry", reg).exit_code == 0
    vcf = str(shared_data / "somatic_vcf" / "pcgr_T001-COAD.grch38.vcf.gz")
    coad = json.loads(
        run(
            "assign",
            vcf,
            "-t",
            "COAD",
            "--genome",
            "GRCh38",
            "--patient-id",
            "V1",
            "--registry",
            reg,
            "--format",
            "json",
        ).output
    )
    assert coad["status"] == "none"
    assert coad["reason"].startswith("on-label option(s) available: encorafenib+cetuximab")
    paad = json.loads(
        run(
            "assign",
            vcf,
            "-t",
            "PAAD",
            "--genome",
            "GRCh38",
            "--patient-id",
            "V2",
            "--registry",
            reg,
            "--format",
            "json",
        ).output
    )
    assert (paad["status"], paad["cohort"]["id"]) == ("enrolled", "IMPRESS-BRAF-V600-DT-SOLID")
