"""DataFrames of cases and cohorts (issue 14: pandas where it earns its place)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import tumorboard
from tumorboard.casefile import load_case
from tumorboard.cli import main
from tumorboard.errors import OutputError
from tumorboard.frames import write_frame
from tumorboard.outputs import spreadsheet_safe

COHORTS = Path(__file__).parent / "data" / "cohorts"
HCC1395 = "somatic_vcf/pvactools_HCC1395.annotated.expression.grch38.vep.vcf.gz"


def test_case_to_frame_has_one_row_per_variant_and_match(shared_data: Path) -> None:
    case = tumorboard.analyse([shared_data / HCC1395], tumorboard.RunOptions(tumor_type="BRCA"))
    variants = case.to_frame()
    assert len(variants) == len(case.variants)
    assert list(variants.columns[:2]) == ["patient_id", "tumor_type"]
    tp53 = variants[(variants.gene == "TP53") & (variants.protein == "R175H")]
    assert len(tp53) == 1
    assert tp53.iloc[0]["consequences"] == "missense_variant"
    matches = case.to_frame("matches")
    assert len(matches) == len(case.matches)
    assert {"drugs", "label", "effect", "evidence_level", "rank"} <= set(matches.columns)


def test_cases_frame_joins_patients_from_case_files() -> None:
    paths = [COHORTS / "ihch_braf.json", COHORTS / "coad_erbb2.json"]
    frame = tumorboard.cases_frame(paths, "matches")
    assert set(frame.patient_id) == {load_case(p).patient.id for p in paths}
    braf = frame[frame.drugs == "dabrafenib+trametinib"]
    assert set(braf.tumor_type) == {"IHCH"}
    with pytest.raises(tumorboard.TumorBoardError, match="unknown frame kind"):
        tumorboard.cases_frame(paths, "calls")  # type: ignore[arg-type]


def test_spreadsheet_cells_never_run_as_formulas(tmp_path: Path) -> None:
    assert spreadsheet_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("-1.5") == "'-1.5"  # text, not a number: a formula to Excel
    assert spreadsheet_safe(-1.5) == -1.5
    assert spreadsheet_safe("BRAF V600E") == "BRAF V600E"
    frame = pd.DataFrame({"note": ["=cmd|' /C calc'!A0", "ok"], "n": [1, 2]})
    out = write_frame(frame, tmp_path / "t.csv")
    assert out.read_text().splitlines()[1] == "'=cmd|' /C calc'!A0,1"
    with pytest.raises(OutputError, match="cannot tell the table format"):
        write_frame(frame, tmp_path / "t.json")


def _registry(tmp_path: Path) -> str:
    target = str(tmp_path / "r.sqlite")
    result = CliRunner().invoke(main, ["cohort", "init", "--registry", target])
    assert result.exit_code == 0, result.output
    return target


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx", ".parquet"])
def test_cohort_export_writes_the_status_table(tmp_path: Path, suffix: str) -> None:
    target = _registry(tmp_path)
    out = tmp_path / f"cohorts{suffix}"
    result = CliRunner().invoke(main, ["cohort", "export", "--registry", target, "-o", str(out)])
    assert result.exit_code == 0, result.output
    read = {
        ".csv": pd.read_csv,
        ".tsv": lambda p: pd.read_csv(p, sep="\t"),
        ".xlsx": pd.read_excel,
        ".parquet": pd.read_parquet,
    }[suffix]
    frame = read(out)
    assert len(frame) == 18
    braf = frame[frame["id"] == "IMPRESS-BRAF-V600-DT-SOLID"].iloc[0]
    assert (braf["state"], braf["stage_size"], braf["drugs"]) == (
        "stage-1 open",
        8,
        "dabrafenib+trametinib",
    )


def test_cohort_export_as_a_subprocess_refuses_an_unknown_format(tmp_path: Path) -> None:
    target = _registry(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "tumorboard", "cohort", "export", "--registry", target,
         "-o", str(tmp_path / "c.ods")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: {tmp_path / 'c.ods'}: cannot tell the table format from '.ods'\n"
        "Hint: name the file .csv, .tsv, .xlsx or .parquet\n"
    )
    assert not (tmp_path / "c.ods").exists()
