"""`tumorboard report`, `render` and `agenda` through the CLI: outputs, exact errors, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumorboard.casefile import add_cohort_status, apply_patient, load_case, load_patient
from tumorboard.cli import main
from tumorboard.demo import DEMO_PATIENT, DEMO_VCF
from tumorboard.errors import FormatError, InputError
from tumorboard.report import build_context, render_html

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden_reports"
CASE = GOLDEN / "ihch_braf_idh1" / "case.json"
HINT_CASE = "Hint: give a case JSON written by `tumorboard report --json` or `tumorboard demo`\n"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_render_writes_the_same_report_as_the_library(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = invoke("render", str(CASE), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == f"{out}\n"
    assert out.read_text(encoding="utf-8") == render_html(load_case(CASE))
    assert (GOLDEN / "ihch_braf_idh1" / "report.en.html").read_text(encoding="utf-8") == (
        out.read_text(encoding="utf-8")
    )


def test_render_norwegian(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert invoke("render", str(CASE), "--lang", "nb", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == (
        GOLDEN / "ihch_braf_idh1" / "report.nb.html"
    ).read_text(encoding="utf-8")


def test_render_missing_case(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = invoke("render", str(missing), "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {missing}: case file not found\nHint: check the path (and the current folder)\n"
    )
    assert not (tmp_path / "r.html").exists()


def test_render_invalid_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"patient": \n', encoding="utf-8")
    result = invoke("render", str(bad), "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 1
    assert result.output == f"Error: {bad}:2: not valid JSON: Expecting value\n" + HINT_CASE


def test_render_json_that_is_not_a_case(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": "world"}), encoding="utf-8")
    result = invoke("render", str(other), "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {other}: not a tumorboard case: tumorboard_version: Field required\n" + HINT_CASE
    )


def test_render_output_folder_missing(tmp_path: Path) -> None:
    out = tmp_path / "no" / "r.html"
    result = invoke("render", str(CASE), "-o", str(out))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {out}: output folder '{out.parent}' does not exist\n"
        "Hint: create the folder first or choose another -o path\n"
    )


def test_render_unknown_language_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("render", str(CASE), "--lang", "de", "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 2
    assert "Invalid value for '--lang': 'de' is not one of 'en', 'nb'." in result.output


def test_render_templates_folder_missing(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    result = invoke("render", str(CASE), "--templates", str(folder), "-o", str(tmp_path / "r"))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {folder}: templates folder not found\n"
        "Hint: --templates takes a folder holding partials to override, e.g. "
        "partials/header.html\n"
    )


def test_render_broken_override_leaves_no_file(tmp_path: Path) -> None:
    (tmp_path / "t" / "partials").mkdir(parents=True)
    bad = tmp_path / "t" / "partials" / "qc.html"
    bad.write_text("<section>\n{{ ctx.missing }}\n</section>\n", encoding="utf-8")
    out = tmp_path / "r.html"
    result = invoke("render", str(CASE), "--templates", str(tmp_path / "t"), "-o", str(out))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {bad}:2: template uses an unknown field: "
        "'tumorboard.report.ReportContext object' has no attribute 'missing'\n"
        "Hint: each partial's header comment lists the fields it may use\n"
    )
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "t"]


def test_agenda_links_each_report(tmp_path: Path) -> None:
    for name in ("ihch_braf_idh1", "coad_resistance"):
        folder = tmp_path / "cases" / name
        folder.mkdir(parents=True)
        shutil.copy(GOLDEN / name / "case.json", folder / "case.json")
        (folder / "report.html").write_text("report", encoding="utf-8")
    loose = tmp_path / "cases" / "LUAD-0007.json"
    shutil.copy(GOLDEN / "luad_unannotated" / "case.json", loose)
    out = tmp_path / "agenda.html"
    cases = [
        str(tmp_path / "cases" / n / "case.json") for n in ("ihch_braf_idh1", "coad_resistance")
    ]
    result = invoke("agenda", *cases, str(loose), "--title", "MTB 12 March", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    for href in (
        "cases/ihch_braf_idh1/report.html",
        "cases/coad_resistance/report.html",
        "cases/LUAD-0007.html",
    ):
        assert f'href="{href}"' in page
    assert page.index("DEMO-001") < page.index("CRC-0042") < page.index("LUAD-0007")
    assert "3 patients" in page
    assert "MTB 12 March" in page


def test_agenda_needs_a_case() -> None:
    result = invoke("agenda", "-o", "x.html")
    assert result.exit_code == 2
    assert "Missing argument 'CASES...'" in result.output


def test_report_from_vcf_with_patient_file_and_json(tmp_path: Path) -> None:
    out, sidecar = tmp_path / "report.html", tmp_path / "case.json"
    result = invoke(
        "report",
        str(DEMO_VCF),
        "--tumor-type",
        "IHCH",
        "--patient",
        str(DEMO_PATIENT),
        "--lang",
        "nb",
        "-o",
        str(out),
        "--json",
        str(sidecar),
    )
    assert result.exit_code == 0, result.output
    case = load_case(sidecar)
    assert case.patient.id == "DEMO-001"
    assert case.patient.age == 58
    assert case.patient.extra["specimen"] == "liver biopsy, 2026-02-20"
    assert {v.gene for v in case.variants} >= {"BRAF", "PIK3CA", "TP53"}
    assert out.read_text(encoding="utf-8") == render_html(case, lang="nb")


def test_report_patient_file_disagrees_with_tumour_type(tmp_path: Path) -> None:
    patient = tmp_path / "p.yaml"
    patient.write_text("id: P1\ntumor_type: LUAD\n", encoding="utf-8")
    result = invoke(
        "report", str(DEMO_VCF), "-t", "IHCH", "--patient", str(patient), "-o", str(tmp_path / "r")
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {patient}: the patient file says tumour type 'LUAD' but the analysis used "
        "'IHCH'\nHint: make --tumor-type and the patient file agree\n"
    )


def test_patient_file_yaml_error_names_the_line(tmp_path: Path) -> None:
    patient = tmp_path / "p.yaml"
    patient.write_text("id: P1\nage: [61\n", encoding="utf-8")
    with pytest.raises(FormatError) as info:
        load_patient(patient)
    assert info.value.where == f"{patient}:3"
    patient.write_text("id: P1\nage: sixty\n", encoding="utf-8")
    with pytest.raises(FormatError, match="age must be a whole number of years, not 'sixty'"):
        load_patient(patient)
    patient.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(FormatError, match="the patient file is not a mapping"):
        load_patient(patient)


def test_cli_patient_id_wins_over_the_file(tmp_path: Path) -> None:
    case = apply_patient(load_case(CASE), DEMO_PATIENT, cli_id="MTB-2026-017")
    assert case.patient.id == "MTB-2026-017"
    with pytest.raises(InputError):
        apply_patient(load_case(GOLDEN / "coad_resistance" / "case.json"), DEMO_PATIENT)


_key = st.text(st.characters(categories=("Ll", "Lu", "Nd")), min_size=1, max_size=12)
_value = st.text(st.characters(categories=("L", "N", "P", "Zs", "S")), min_size=1, max_size=30)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(extra=st.dictionaries(_key, _value, max_size=5), age=st.integers(0, 129))
def test_patient_file_round_trips(tmp_path: Path, extra: dict[str, str], age: int) -> None:
    import yaml

    extra = {
        k: v for k, v in extra.items() if k not in {"id", "tumor_type", "sex", "age", "sample"}
    }
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({"id": "P1", "age": age, **extra}), encoding="utf-8")
    info = load_patient(path)
    assert info == {"id": "P1", "age": age, **extra}
    case = apply_patient(load_case(CASE), path)
    assert case.patient.age == age
    assert all(case.patient.extra[k] == v for k, v in extra.items())


def test_render_as_a_subprocess(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    done = subprocess.run(
        [sys.executable, "-m", "tumorboard", "render", str(CASE), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{out}\n"
    assert out.read_text(encoding="utf-8") == render_html(load_case(CASE))
    bad = subprocess.run(
        [sys.executable, "-m", "tumorboard", "render", str(tmp_path / "x.json"), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert bad.returncode == 1
    assert bad.stderr == (
        f"Error: {tmp_path / 'x.json'}: case file not found\n"
        "Hint: check the path (and the current folder)\n"
    )
    assert "Traceback" not in bad.stderr


def test_schema_case_describes_the_sidecar(tmp_path: Path) -> None:
    out = tmp_path / "case.schema.json"
    result = invoke("schema", "case", "-o", str(out))
    assert result.exit_code == 0, result.output
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema["title"] == "CaseResult"
    assert {"patient", "variants", "biomarkers", "matches", "qc", "catalog"} <= set(
        schema["properties"]
    )
    assert "tumorboard_version" in schema["required"]
    stdout = invoke("schema", "case")
    assert json.loads(stdout.output) == schema


def test_report_escapes_hostile_vcf_sample_and_info(tmp_path: Path) -> None:
    """A VCF whose sample name and CSQ INFO values carry <script> and quotes renders escaped."""
    vcf = REPO / "tests" / "data" / "report" / "hostile.vep.vcf"
    out, sidecar = tmp_path / "r.html", tmp_path / "case.json"
    result = invoke("report", str(vcf), "-t", "IHCH", "-o", str(out), "--json", str(sidecar))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "T&lt;script&gt;alert(1)&lt;/script&gt;&#34;q&#39;uote" in page  # sample name
    assert "c.1799T&gt;A&#34;&lt;script&gt;alert(1)&lt;/script&gt;" in page  # CSQ HGVSc value
    case = load_case(sidecar)
    assert case.patient.sample == "T<script>alert(1)</script>\"q'uote"  # data kept verbatim
    assert render_html(case) == page


def test_registry_fills_cohort_status(tmp_path: Path) -> None:
    registry = tmp_path / "impress.sqlite"
    init = invoke("cohort", "init", "--registry", str(registry))
    assert init.exit_code == 0, init.output
    bare = load_case(CASE).model_copy(update={"cohorts": []})
    assert "no cohort information (no registry consulted)" in render_html(bare)
    case = add_cohort_status(bare, str(registry))
    braf = [c for c in case.cohorts if c.drugs == ["dabrafenib", "trametinib"]]
    assert [c.status for c in braf] == ["eligible"]
    page = render_html(case)
    assert f"eligible for cohort {braf[0].cohort_id}, stage 1, 8 of 8 slots left" in page
    ctx_off = [v for v in build_context(case).off_label if v.match.drugs == braf[0].drugs]
    assert [c.cohort_id for c in ctx_off[0].cohorts] == [braf[0].cohort_id]


def test_report_with_missing_registry(tmp_path: Path) -> None:
    out, missing = tmp_path / "r.html", tmp_path / "nope.sqlite"
    result = invoke(
        "report", str(DEMO_VCF), "-t", "IHCH", "--registry", str(missing), "-o", str(out)
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {missing}: registry not found\n"
        "Hint: create it with `tumorboard cohort init --registry PATH`, or check the path\n"
    )
    assert not out.exists()
