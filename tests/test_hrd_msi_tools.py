"""HRD and MSI files of DRAGEN, scarHRD and MANTIS, and TSO500's refused ``tmb.json``.

Fixtures are written here from each tool's own code or documentation (see ``docs/domain.md``,
section 12): DRAGEN's ``hrdscore.csv`` header as Illumina's HRD chapter names the scores and as
umccr's MIT-licensed parsers read it; scarHRD's ``scar_score()`` ``write.table`` call
(``R/scar_score.R``, MIT); MANTIS's ``status_output()`` (``calculate_instability.py``). No tool
output file is copied.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import annotate, write
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.cli import main
from tumorboard.models import RunOptions
from tumorboard.panels import load_panel
from tumorboard.readers import read
from tumorboard.readers.detect import detect_format

DRAGEN_HEADER = "Sample,LOH_Score,TAI_Score,LST_Score,HRD_Score\n"
SCARHRD_HEADER = '""\t"HRD"\t"Telomeric AI"\t"LST"\t"HRD-sum"\n'
"""R's ``write.table(..., col.names=NA, sep="\\t")``: an empty cell above the row names."""
MANTIS_NOTE = (
    "\n"
    "Note: The authors recommend the use of the Step-Wise Difference\n"
    "metric for determining the status of the sample. Any value greater\n"
    "than or equal to the threshold is called unstable.\n"
)


def mantis_status(dif: str = "0.5123", call: str = "Unstable", threshold: str = "0.4000") -> str:
    """MANTIS's ``.status``: thresholds written ``'{:<9.4f}'`` (padded with spaces)."""
    return (
        "Average Metric Value (Abbr)\tValue\tThreshold\tStatus\n"
        f"Step-Wise Difference (DIF)\t{dif}\t{threshold:<9}\t{call}\n"
        "Euclidean Distance (EUC)\t0.2012\t0.1870   \tUnstable\n"
        "Cosine Dissimilarity (COS)\t0.0911\t0.0700   \tUnstable\n" + MANTIS_NOTE
    )


def marker(case: dict, name: str) -> dict:
    (found,) = [b for b in case["biomarkers"] if b["name"] == name]
    return found


def matches(case: dict, drug: str, biomarker: str) -> list[dict]:
    return [m for m in case["matches"] if drug in m["drugs"] and m["biomarker"] == biomarker]


# --- DRAGEN hrdscore.csv ------------------------------------------------------------------------
def test_dragen_hrd_score_is_not_called_without_a_validated_cut_off(tmp_path: Path) -> None:
    """Illumina publishes no HRD-positive cut-off for DRAGEN's score: shown, status unknown, and
    no HRD drug is matched on it; the note names the fix."""
    hrd = write(tmp_path, "T1.hrdscore.csv", DRAGEN_HEADER + "T1,18,27,34,79\n")
    assert detect_format(str(hrd)) == "dragen_hrd"
    code, output, case = annotate([str(hrd), "-t", "HGSOC", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    got = marker(case, "HRD")
    assert (got["status"], got["value"], got["threshold"]) == ("unknown", 79.0, None)
    assert got["note"].startswith("DRAGEN HRD score 79 (LOH 18, TAI 27, LST 34)")
    assert "--hrd-gis" in got["note"]
    assert "Myriad" in got["note"]
    assert not matches(case, "olaparib", "HRD-positive")
    assert any(n.startswith("HRD:") for n in case["qc"]["not_assessable"])
    assert case["inputs"][0]["kind"] == "biomarkers"


def test_dragen_hrd_with_the_lab_cut_off_is_on_label_only_if_the_label_test_agrees(
    tmp_path: Path,
) -> None:
    """With --hrd-gis 42, 79 is HRD-positive: olaparib + bevacizumab (EU, HRD-positive ovarian
    cancer) is on-label only if the board confirms HRD as the label measures it; 30 is negative."""
    hrd = write(tmp_path, "T1.hrdscore.csv", DRAGEN_HEADER + "T1,18,27,34,79\n")
    out = str(tmp_path / "c.json")
    code, output, case = annotate([str(hrd), "-t", "HGSOC", "--hrd-gis", "42", "-o", out])
    assert code == 0, output
    got = marker(case, "HRD")
    assert (got["status"], got["threshold"]) == ("positive", 42.0)
    assert got["source"] == "DRAGEN T1.hrdscore.csv (--hrd-gis)"
    (match,) = matches(case, "olaparib", "HRD-positive")
    assert match["jurisdiction"] == "EMA"
    assert match["label_text"].startswith("on-label if")
    assert any("DRAGEN's score (LOH + TAI + LST)" in r for r in match["requires"])
    write(tmp_path, "T1.hrdscore.csv", DRAGEN_HEADER + "T1,5,10,15,30\n")
    code, output, case = annotate([str(hrd), "-t", "HGSOC", "--hrd-gis", "42", "-o", out])
    assert code == 0, output
    assert marker(case, "HRD")["status"] == "negative"
    assert not matches(case, "olaparib", "HRD-positive")


def test_dragen_hrd_of_several_samples_needs_sample(tmp_path: Path) -> None:
    hrd = write(tmp_path, "run.hrdscore.csv", DRAGEN_HEADER + "T1,18,27,34,79\nT2,1,2,3,6\n")
    out = str(tmp_path / "c.json")
    code, output, _ = annotate([str(hrd), "-t", "HGSOC", "-o", out])
    assert code != 0
    assert output.startswith("Error:")
    assert "Hint:" in output
    assert "--sample" in output
    code, output, case = annotate([str(hrd), "-t", "HGSOC", "--sample", "T2", "-o", out])
    assert code == 0, output
    assert marker(case, "HRD")["value"] == 6.0
    left_out = "run.hrdscore.csv: 1 row(s) of other samples left out (kept T2)"
    assert left_out in case["qc"]["warnings"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (DRAGEN_HEADER, "no score"),
        (DRAGEN_HEADER + "T1,18,27,34\n", "4 comma-separated values where the header has 5"),
        (DRAGEN_HEADER + "T1,18,27,34,high\n", "should be a number"),
    ],
)
def test_dragen_hrd_problems_are_one_error(tmp_path: Path, text: str, message: str) -> None:
    hrd = write(tmp_path, "T1.hrdscore.csv", text)
    out = tmp_path / "c.json"
    code, output, _ = annotate([str(hrd), "-t", "HGSOC", "-o", str(out)])
    assert code != 0
    assert output.startswith("Error:")
    assert message in output
    assert "Hint:" in output
    assert "Traceback" not in output
    assert not out.exists()


# --- scarHRD ------------------------------------------------------------------------------------
def test_scarhrd_results_as_r_writes_them(tmp_path: Path) -> None:
    """scarHRD's ``<sample>_HRDresults.txt``: quoted header with an empty first cell, the sample
    as row name; HRD-sum (HRD-LOH + telomeric AI + LST) is the score."""
    scar = write(
        tmp_path, "P1_HRDresults.txt", SCARHRD_HEADER + '"SamplePatient1"\t25\t35\t33\t93\n'
    )
    assert detect_format(str(scar)) == "biomarkers"
    out = str(tmp_path / "c.json")
    code, output, case = annotate([str(scar), "-t", "HGSOC", "-o", out])
    assert code == 0, output
    got = marker(case, "HRD")
    assert (got["status"], got["value"]) == ("unknown", 93.0)
    assert got["note"].startswith("scarHRD HRD score 93 (LOH 25, TAI 35, LST 33)")
    code, output, case = annotate([str(scar), "-t", "HGSOC", "--hrd-gis", "42", "-o", out])
    assert code == 0, output
    got = marker(case, "HRD")
    assert (got["status"], got["source"]) == ("positive", "scarHRD P1_HRDresults.txt (--hrd-gis)")
    assert "scarHRD's score" in got["confirm"]


def test_scarhrd_rows_of_two_samples_are_one_error(tmp_path: Path) -> None:
    scar = write(
        tmp_path,
        "cohort_HRDresults.txt",
        SCARHRD_HEADER + '"P1"\t25\t35\t33\t93\n"P2"\t2\t3\t4\t9\n',
    )
    code, output, _ = annotate([str(scar), "-t", "HGSOC", "-o", str(tmp_path / "c.json")])
    assert code != 0
    assert output.startswith("Error:")
    assert "2 data rows" in output
    assert "Hint:" in output


# --- MANTIS -------------------------------------------------------------------------------------
def test_mantis_unstable_reaches_the_msi_label(tmp_path: Path) -> None:
    """MANTIS's own call on the step-wise difference (value >= the run's threshold): MSI-high,
    so FDA pembrolizumab (MSI-H/dMMR) matches in colorectal cancer."""
    status = write(tmp_path, "T1.mantis.txt.status", mantis_status())
    assert detect_format(str(status)) == "biomarkers"
    code, output, case = annotate(
        [str(status), "-t", "COAD", "--jurisdiction", "FDA", "-o", str(tmp_path / "c.json")]
    )
    assert code == 0, output
    got = marker(case, "MSI")
    assert (got["status"], got["value"], got["threshold"]) == ("high", 0.5123, 0.4)
    assert got["unit"] == "MANTIS step-wise difference"
    assert got["source"] == "MANTIS T1.mantis.txt.status"
    assert matches(case, "pembrolizumab", "MSI-high")
    assert case["qc"]["records_read"] == 1


@pytest.mark.parametrize(
    ("dif", "call", "status"),
    [
        ("0.3702", "Stable", "stable"),
        ("0.4000", "Unstable", "high"),  # at the threshold: unstable (MANTIS: value >= threshold)
        ("0.3702", "Unstable", "unknown"),  # the word contradicts the value
        ("0.5000", "Maybe", "unknown"),
    ],
)
def test_mantis_call_follows_its_value_or_is_unknown(
    tmp_path: Path, dif: str, call: str, status: str
) -> None:
    path = write(tmp_path, "T.status", mantis_status(dif, call))
    result = read(str(path), RunOptions(tumor_type="COAD"), load_panel("tso500", None))
    (got,) = result.biomarkers
    assert got.status == status
    if status == "unknown":
        assert got.note


def test_msi_high_option_does_not_rescale_mantis(tmp_path: Path) -> None:
    path = write(tmp_path, "T.status", mantis_status("0.3702", "Stable"))
    options = RunOptions(tumor_type="COAD", msi_high=0.3)
    result = read(str(path), options, load_panel("tso500", None))
    (got,) = result.biomarkers
    assert got.status == "stable"
    assert "does not apply to MANTIS" in got.note


def test_mantis_per_locus_output_is_refused_naming_the_status_file(tmp_path: Path) -> None:
    loci = write(
        tmp_path,
        "T1.mantis.txt",
        "Locus\tNormal_Reads\tTumor_Reads\tDifference\tDistance\tDissimilarity\n"
        "chr1:12345-12360\t120\t98\t0.0123\t0.0101\t0.0009\n"
        "Average\t-\t-\t0.0123\t0.0101\t0.0009\n",
    )
    code, output, _ = annotate([str(loci), "-t", "COAD", "-o", str(tmp_path / "c.json")])
    assert code != 0
    assert output.startswith("Error:")
    assert "Hint: give the .status file MANTIS wrote beside it (T1.mantis.txt.status)" in output


# --- TSO500 tmb.json ----------------------------------------------------------------------------
def test_tso500_tmb_json_is_refused_naming_the_reported_value(tmp_path: Path) -> None:
    """Which of tmb.json's values TSO500 reports is in no public specification: refused, with the
    CombinedVariantOutput or --tmb named instead (DRAGEN writes NaN where JSON has no word)."""
    tmb = write(
        tmp_path,
        "T1.tmb.json",
        '{"TmbPerMb": 12.1, "AdjustedTmbPerMb": 10.4, "NonsynonymousTmbPerMb": NaN, '
        '"TotalRegionSizeMb": 1.2, "Settings": {}}',
    )
    out = tmp_path / "c.json"
    code, output, _ = annotate([str(tmb), "-t", "LUAD", "-o", str(out)])
    assert code != 0
    assert output.startswith("Error:")
    assert "tmb.json" in output
    assert "CombinedVariantOutput" in output
    assert "--tmb" in output
    assert not out.exists()


# --- as a subprocess, and the parsers under hypothesis -----------------------------------------
def test_hrd_and_msi_files_together_as_a_subprocess(tmp_path: Path) -> None:
    hrd = write(tmp_path, "T1.hrdscore.csv", DRAGEN_HEADER + "T1,18,27,34,79\n")
    status = write(tmp_path, "T1.mantis.txt.status", mantis_status("0.1", "Stable"))
    out = tmp_path / "c.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(hrd), str(status), "-t", "HGSOC",
         "--hrd-gis", "42", "-o", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    case = json.loads(out.read_text())
    assert marker(case, "HRD")["status"] == "positive"
    assert marker(case, "MSI")["status"] == "stable"


scores = st.integers(min_value=0, max_value=200)


@settings(max_examples=40, deadline=None)
@given(loh=scores, tai=scores, lst=scores, cut=st.integers(min_value=1, max_value=150))
def test_hrd_scores_read_back(tmp_path_factory, loh: int, tai: int, lst: int, cut: int) -> None:  # type: ignore[no-untyped-def]
    """Any scores DRAGEN or scarHRD could write read back as written, called only with a cut-off,
    and then by ``score >= cut-off``."""
    tmp = tmp_path_factory.mktemp("hrd")
    total = loh + tai + lst
    files = [
        write(tmp, "T.hrdscore.csv", DRAGEN_HEADER + f"T,{loh},{tai},{lst},{total}\n"),
        write(tmp, "T_HRDresults.txt", SCARHRD_HEADER + f'"T"\t{loh}\t{tai}\t{lst}\t{total}\n'),
    ]
    panel = load_panel("tso500", None)
    for path in files:
        (plain,) = read(str(path), RunOptions(tumor_type="HGSOC"), panel).biomarkers
        assert (plain.value, plain.status) == (float(total), "unknown")
        options = RunOptions(tumor_type="HGSOC", hrd_gis=cut)
        (called,) = read(str(path), options, panel).biomarkers
        assert called.status == ("positive" if total >= cut else "negative")


@settings(max_examples=40, deadline=None)
@given(
    dif=st.decimals(min_value=0, max_value=2, places=4),
    threshold=st.decimals(min_value="0.0001", max_value=1, places=4),
)
def test_mantis_status_read_back(tmp_path_factory, dif, threshold) -> None:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("mantis")
    call = "Unstable" if dif >= threshold else "Stable"
    path = write(tmp, "T.status", mantis_status(f"{dif:.4f}", call, f"{threshold:.4f}"))
    (got,) = read(str(path), RunOptions(tumor_type="COAD"), load_panel("tso500", None)).biomarkers
    assert got.status == ("high" if call == "Unstable" else "stable")
    assert got.value == float(round(dif, 4))
    assert got.threshold == float(threshold)


def test_batch_reads_hrd_and_qc_files_from_the_inputs_column(tmp_path: Path) -> None:
    """A samplesheet's ``inputs`` column takes DRAGEN's hrdscore.csv and PURPLE's QC file, and the
    batch's --hrd-gis reaches the patient."""
    write(tmp_path, "P1.hrdscore.csv", DRAGEN_HEADER + "P1,18,27,34,79\n")
    write(tmp_path, "P1.purple.qc", "QCStatus\tWARN_LOW_PURITY\nPurity\t0.1500\n")
    sheet = write(
        tmp_path,
        "samples.tsv",
        "patient_id\ttumor_type\tinputs\nP1\tHGSOC\tP1.hrdscore.csv,P1.purple.qc\n",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["batch", str(sheet), "--hrd-gis", "42", "-o", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    case = json.loads((out / "P1.json").read_text())
    assert marker(case, "HRD")["status"] == "positive"
    assert any("WARN_LOW_PURITY" in w and "0.1500" in w for w in case["qc"]["warnings"])
