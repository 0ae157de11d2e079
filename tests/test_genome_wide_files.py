"""Genome-wide biomarker files of other tools: PURPLE purity (MSI, TMB), CHORD (HRD), MSIsensor
(MSI); how their values combine with the command line's and other inputs' values.

Fixtures are written here from the tools' documented layouts (PURPLE README, ``purity.tsv``;
CHORD README, prediction output; MSIsensor README, main output); no file is copied.
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
from tumorboard.readers.detect import detect_format
from tumorboard.readers.genome_wide import read_genome_wide

DATA = Path(__file__).parent / "data"
CVO = DATA / "tso500" / "PT-0042_CombinedVariantOutput.tsv"

PURPLE_V4 = (
    "purity\tnormFactor\tscore\tdiploidProportion\tploidy\tgender\tstatus\tpolyclonalProportion\t"
    "minPurity\tmaxPurity\tminPloidy\tmaxPloidy\tminDiploidProportion\tmaxDiploidProportion\t"
    "somaticPenalty\twholeGenomeDuplication\tmsIndelsPerMb\tmsStatus\ttml\ttmlStatus\ttmbPerMb\t"
    "tmbStatus\tsvTumorMutationalBurden\trunMode\ttargeted\n"
)
"""PURPLE 4.x ``purple.purity.tsv`` header (25 columns)."""
PURPLE_V2 = (
    "purity\tnormFactor\tscore\tdiploidProportion\tploidy\tgender\tstatus\tpolyclonalProportion\t"
    "minPurity\tmaxPurity\tminPloidy\tmaxPloidy\tminDiploidProportion\tmaxDiploidProportion\t"
    "version\tsomaticPenalty\twholeGenomeDuplication\tmsIndelsPerMb\tmsStatus\ttml\ttmlStatus\t"
    "tmbPerMb\ttmbStatus\tsvTumorMutationalBurden\n"
)
"""PURPLE 2.48-3.3 header (a ``version`` column, no run mode)."""
CHORD_HEADER = (
    "sample\tp_BRCA1\tp_BRCA2\tp_hrd\thr_status\thrd_type\tremarks_hr_status\tremarks_hrd_type\n"
)


def purple_row(
    *,
    purity: str = "0.6800",
    status: str = "NORMAL",
    ms: str = "0.0951",
    ms_status: str = "MSS",
    tmb: str = "3.7219",
    tmb_status: str = "LOW",
) -> str:
    return (
        f"{purity}\t0.6445\t0.6123\t0.0211\t3.1000\tFEMALE\t{status}\t0.0919\t0.6500\t0.7000\t"
        f"3.0500\t3.1500\t0.0211\t0.0211\t0.0000\ttrue\t{ms}\t{ms_status}\t184\tHIGH\t{tmb}\t"
        f"{tmb_status}\t86\tTUMOR_GERMLINE\tfalse\n"
    )


def markers(case: dict) -> dict[str, dict]:
    return {b["name"]: b for b in case["biomarkers"]}


def matches(case: dict, drug: str, biomarker: str) -> list[dict]:
    return [m for m in case["matches"] if drug in m["drugs"] and m["biomarker"] == biomarker]


# --- PURPLE ---------------------------------------------------------------------------------------
def test_purple_msi_and_tmb_reach_the_labels(tmp_path: Path) -> None:
    """A PURPLE purity file alone: MSI-high (PURPLE's >= 4 indels/Mb) makes FDA pembrolizumab
    on-label in colorectal cancer; its whole-genome TMB is another method than the TMB-high
    label's test, so that route is on-label only if the board confirms it."""
    purity = write(
        tmp_path,
        "T1.purple.purity.tsv",
        PURPLE_V4 + purple_row(ms="12.5", ms_status="MSI", tmb="43.7", tmb_status="HIGH"),
    )
    code, output, case = annotate(
        [str(purity), "-t", "COAD", "--jurisdiction", "FDA", "-o", str(tmp_path / "c.json")]
    )
    assert code == 0, output
    msi, tmb = markers(case)["MSI"], markers(case)["TMB"]
    assert (msi["status"], msi["value"], msi["threshold"]) == ("high", 12.5, 4.0)
    assert msi["source"] == "PURPLE T1.purple.purity.tsv"
    assert (tmb["status"], tmb["value"], tmb["threshold"]) == ("high", 43.7, 10.0)
    assert "whole genome" in tmb["confirm"]
    assert case["inputs"][0]["kind"] == "biomarkers"
    assert case["qc"]["not_assessable"] == []  # one record read: not an empty assay
    (msi_match,) = matches(case, "pembrolizumab", "MSI-high")
    assert msi_match["label"] == "on-label"
    assert not any("PURPLE" in r for r in msi_match["requires"])
    (tmb_match,) = matches(case, "pembrolizumab", "TMB-high")
    assert tmb_match["label"] == "on-label"
    assert any("whole genome" in r for r in tmb_match["requires"])
    assert tmb_match["label_text"].startswith("on-label if")


def test_older_purple_layout_and_scientific_notation(tmp_path: Path) -> None:
    """PURPLE 2.x/3.x wrote a ``version`` column and numbers like ``6.9E-4``."""
    row = (
        "0.7500\t1.0500\t0.2604\t0.8601\t1.8658\tMALE\tNORMAL\t0.0000\t0.7100\t0.7800\t1.8602\t"
        "1.8839\t0.8600\t0.8601\t2.39\t0.0000\tfalse\t0.0\tMSS\t0.0\tLOW\t6.995452955578874E-4\t"
        "LOW\t713\n"
    )
    purity = write(tmp_path, "old.purple.purity.tsv", PURPLE_V2 + row)
    code, output, case = annotate([str(purity), "-t", "LUAD", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    assert markers(case)["MSI"]["status"] == "stable"
    assert markers(case)["TMB"]["status"] == "low"
    assert markers(case)["TMB"]["value"] == pytest.approx(0.0007)
    assert not matches(case, "pembrolizumab", "TMB-high")


@pytest.mark.parametrize(
    ("row", "why"),
    [
        (purple_row(status="NO_TUMOR", ms="9.0", ms_status="MSI", tmb="20", tmb_status="HIGH"),
         "no tumour"),
        (purple_row(ms="0", ms_status="UNKNOWN", tmb="0", tmb_status="UNKNOWN"),
         "is UNKNOWN"),
        (purple_row(ms="12.0", ms_status="MSS", tmb="30.0", tmb_status="LOW"),
         "contradicts its own value"),
    ],
    ids=["no-tumour", "no-somatic-variants", "status-contradicts-value"],
)  # fmt: skip
def test_purple_values_that_cannot_be_trusted_are_not_assessable(
    tmp_path: Path, row: str, why: str
) -> None:
    """Never MSS or TMB-low from a file whose values do not stand (no tumour found, no somatic
    variants given, a status contradicting its own value), and never a match from them."""
    purity = write(tmp_path, "T.purple.purity.tsv", PURPLE_V4 + row)
    code, output, case = annotate(
        [str(purity), "-t", "COAD", "--jurisdiction", "FDA", "-o", str(tmp_path / "c.json")]
    )
    assert code == 0, output
    for name in ("MSI", "TMB"):
        assert markers(case)[name]["status"] == "unknown"
        assert why in markers(case)[name]["note"]
        assert any(line.startswith(f"{name}: ") and why in line
                   for line in case["qc"]["not_assessable"])  # fmt: skip
    assert not [m for m in case["matches"] if m["gene"] in ("MSI", "TMB")]


def test_low_purity_keeps_a_high_call_and_doubts_a_low_one(tmp_path: Path) -> None:
    purity = write(
        tmp_path,
        "T.purple.purity.tsv",
        PURPLE_V4 + purple_row(purity="0.1500", ms="8.0", ms_status="MSI", tmb="2.0"),
    )
    code, output, case = annotate([str(purity), "-t", "COAD", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    msi, tmb = markers(case)["MSI"], markers(case)["TMB"]
    assert msi["status"] == "high"
    assert "purity" not in msi["note"]
    assert tmb["status"] == "low"
    assert "undercount" in tmb["note"]
    assert any("purity 15%" in w for w in case["qc"]["warnings"])


def test_purple_targeted_mode_is_named_in_the_source(tmp_path: Path) -> None:
    """PURPLE's targeted mode (a panel) estimates the whole-genome values from the panel."""
    row = purple_row(ms="5.5", ms_status="MSI").replace("\tfalse\n", "\ttrue\n")
    purity = write(tmp_path, "T.purple.purity.tsv", PURPLE_V4 + row)
    code, output, case = annotate([str(purity), "-t", "COAD", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    msi = markers(case)["MSI"]
    assert msi["status"] == "high"
    assert msi["source"].endswith("(targeted mode: whole-genome estimates)")
    assert "targeted mode" in markers(case)["TMB"]["confirm"]


def test_the_run_threshold_decides_tmb(tmp_path: Path) -> None:
    purity = write(tmp_path, "T.purple.purity.tsv", PURPLE_V4 + purple_row(tmb="12.0",
                   tmb_status="HIGH"))  # fmt: skip
    code, output, case = annotate(
        [str(purity), "-t", "COAD", "--tmb-high", "16", "-o", str(tmp_path / "c.json")]
    )
    assert code == 0, output
    assert (markers(case)["TMB"]["status"], markers(case)["TMB"]["threshold"]) == ("low", 16.0)


# --- CHORD ----------------------------------------------------------------------------------------
def test_chord_hr_deficient_is_on_label_only_if_the_label_test_agrees(tmp_path: Path) -> None:
    """HRD-positive from CHORD: olaparib + bevacizumab (EU, HRD ovarian) is on-label only if the
    board confirms HRD as the label defines it (BRCA1/2 mutation and/or genomic instability)."""
    chord = write(
        tmp_path,
        "T1.chord.prediction.tsv",
        CHORD_HEADER + "T1\t0.05\t0.81\t0.86\tHR_deficient\tBRCA2_type\t\t\n",
    )
    code, output, case = annotate([str(chord), "-t", "HGSOC", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    hrd = markers(case)["HRD"]
    assert (hrd["status"], hrd["value"], hrd["threshold"]) == ("positive", 0.86, 0.5)
    assert "BRCA2_type" in hrd["note"]
    assert case["qc"]["sample_rule"] == "only sample in the CHORD file"
    (match,) = matches(case, "olaparib", "HRD-positive")
    assert match["jurisdiction"] == "EMA"
    assert match["label"] == "on-label"
    assert any("CHORD" in r and "genomic instability" in r for r in match["requires"])


def test_chord_r_output_with_row_names_and_bootstrap_columns(tmp_path: Path) -> None:
    """CHORD's R example output: each row starts with a row name the header does not name, and
    bootstrap columns follow; a cohort file needs --sample."""
    header = CHORD_HEADER.rstrip("\n") + "\tp_hrd.5%\tp_hrd.50%\tp_hrd.95%\n"
    rows = (
        "1\tPD10010\t0\t0\t0\tHR_proficient\tnone\t\t\t0\t0\t0.0062\n"
        "2\tPD3905\t0.798\t0.056\t0.854\tHR_deficient\tBRCA1_type\t\t\t0.49\t0.85\t0.93\n"
        "3\tPD7344\t0\t0.002\t0.002\tcannot_be_determined\tnone\t<50 indels\t\t0\t0\t0\n"
    )
    chord = write(tmp_path, "chord_pred.txt", header + rows)
    out = str(tmp_path / "c.json")
    code, output, _ = annotate([str(chord), "-t", "BRCA", "-o", out])
    assert code != 0
    assert "3 samples: PD10010, PD3905, PD7344" in output
    assert "Hint:" in output
    assert "Traceback" not in output
    code, output, case = annotate([str(chord), "-t", "BRCA", "--sample", "PD3905", "-o", out])
    assert code == 0, output
    assert markers(case)["HRD"]["status"] == "positive"
    assert markers(case)["HRD"]["value"] == 0.854
    assert any("2 row(s) of other samples" in w for w in case["qc"]["warnings"])
    code, output, case = annotate([str(chord), "-t", "BRCA", "--sample", "PD7344", "-o", out])
    assert code == 0, output
    hrd = markers(case)["HRD"]
    assert hrd["status"] == "unknown"
    assert "<50 indels" in hrd["note"]
    assert any(line.startswith("HRD: ") for line in case["qc"]["not_assessable"])


def test_chord_before_2020_wrote_is_hrd(tmp_path: Path) -> None:
    chord = write(
        tmp_path, "old_chord.txt", "sample\tp_none\tp_BRCA1\tp_BRCA2\tp_hrd\tis_hrd\nT\t0.9\t0.02"
        "\t0.08\t0.1\tFALSE\n"
    )  # fmt: skip
    code, output, case = annotate([str(chord), "-t", "BRCA", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    assert markers(case)["HRD"]["status"] == "negative"


# --- combining inputs -----------------------------------------------------------------------------
def test_inputs_that_disagree_make_the_biomarker_unknown(tmp_path: Path) -> None:
    """TSO500 says MSI-high (33 % unstable sites), PURPLE says MSS: neither wins silently."""
    purity = write(tmp_path, "PT-0042.purple.purity.tsv", PURPLE_V4 + purple_row(tmb="14.0",
                   tmb_status="HIGH"))  # fmt: skip
    out = str(tmp_path / "c.json")
    code, output, case = annotate([str(CVO), str(purity), "-t", "COAD", "-o", out])
    assert code == 0, output
    msi = markers(case)["MSI"]
    assert msi["status"] == "unknown"
    assert "the inputs disagree" in msi["note"]
    assert "--msi" in msi["note"]
    assert "TSO500" in msi["note"]
    assert "PURPLE" in msi["note"]
    assert any(line.startswith("MSI: the inputs disagree")
               for line in case["qc"]["not_assessable"])  # fmt: skip
    assert not matches(case, "pembrolizumab", "MSI-high")
    tmb = markers(case)["TMB"]  # both high: the first input's value, the other noted
    assert (tmb["status"], tmb["value"]) == ("high", 14.22)
    assert "also PURPLE" in tmb["note"]
    # the board's word on the command line wins, and the disagreement stays on record
    code, output, case = annotate([str(CVO), str(purity), "-t", "COAD", "--msi", "high", "-o", out])
    assert code == 0, output
    msi = markers(case)["MSI"]
    assert msi["status"] == "high"
    assert "PURPLE" in msi["note"]
    assert matches(case, "pembrolizumab", "MSI-high")


def test_genome_wide_file_as_a_subprocess(tmp_path: Path) -> None:
    chord = write(tmp_path, "T.chord.prediction.tsv", CHORD_HEADER + "T\t0\t0\t0.01\tHR_proficient"
                  "\tnone\t\t\n")  # fmt: skip
    out = tmp_path / "c.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(chord), "-t", "PAAD", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert markers(json.loads(out.read_text()))["HRD"]["status"] == "negative"


def test_text_in_a_number_column_is_one_error(tmp_path: Path) -> None:
    purity = write(tmp_path, "T.purple.purity.tsv", PURPLE_V4 + purple_row(ms="high"))
    code, output, _ = annotate([str(purity), "-t", "COAD", "-o", str(tmp_path / "c.json")])
    assert code != 0
    lines = output.strip().splitlines()
    assert lines[0].startswith("Error:")
    assert "msindelspermb" in lines[0].lower()
    assert lines[-1].startswith("Hint:")
    assert not (tmp_path / "c.json").exists()


# --- the parser, on any value ---------------------------------------------------------------------
OPTIONS = RunOptions(tumor_type="COAD")
PANEL = load_panel("tso500", None)


@settings(max_examples=60, deadline=None)
@given(
    ms=st.floats(min_value=0, max_value=200, allow_nan=False),
    tmb=st.floats(min_value=0, max_value=500, allow_nan=False),
    word_from_value=st.booleans(),
)
def test_purple_status_follows_the_value_or_is_unknown(
    tmp_path_factory: pytest.TempPathFactory, ms: float, tmb: float, word_from_value: bool
) -> None:
    """Any value: a status word that agrees with PURPLE's rule gives that status, one that does
    not gives unknown; the TMB status always follows the run's threshold."""
    ms_high, tmb_high = ms >= 4.0, tmb >= 10.0
    ms_word = ("MSI" if ms_high else "MSS") if word_from_value else ("MSS" if ms_high else "MSI")
    tmb_word = ("HIGH" if tmb_high else "LOW") if word_from_value else "HIGH"
    path = tmp_path_factory.mktemp("purple") / "p.purple.purity.tsv"
    path.write_text(
        PURPLE_V4 + purple_row(ms=repr(ms), ms_status=ms_word, tmb=repr(tmb), tmb_status=tmb_word)
    )
    got = {b.name: b for b in read_genome_wide(str(path), OPTIONS, PANEL).biomarkers}
    if word_from_value:
        assert got["MSI"].status == ("high" if ms_high else "stable")
    else:
        assert got["MSI"].status == "unknown"
    if word_from_value or tmb_high:
        assert got["TMB"].status == ("high" if tmb_high else "low")
    else:
        assert got["TMB"].status == "unknown"


def test_report_shows_what_the_biomarker_needs_confirmed(tmp_path: Path) -> None:
    chord = write(
        tmp_path, "T.chord.prediction.tsv", CHORD_HEADER + "T\t0.7\t0.1\t0.8\tHR_deficient\t"
        "BRCA1_type\t\t<30 SVs\n",
    )  # fmt: skip
    html = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(chord), "-t", "HGSOC", "-o", str(html)])
    assert result.exit_code == 0, result.output
    text = html.read_text()
    assert "An on-label claim resting on it needs:" in text
    assert "CHORD&#39;s whole-genome HR-deficiency classifier" in text
    assert "BRCA1_type (&lt;30 SVs)" in text


# --- MSIsensor family, DRAGEN ---------------------------------------------------------------------
MSISENSOR = "Total_Number_of_Sites\tNumber_of_Somatic_Sites\t%\n640\t75\t11.72\n"
"""MSIsensor, MSIsensor2 and MSIsensor-pro up to 1.2: the main output file (no suffix)."""
MSISENSOR_PRO_13 = "Total_Number_of_Sites\tNumber_of_Unstable_Sites\t%\n1200\t30\t2.50\n"
"""MSIsensor-pro 1.3 renamed the middle column."""


@pytest.mark.parametrize("text", [MSISENSOR, MSISENSOR_PRO_13], ids=["msisensor", "pro-1.3"])
def test_msisensor_score_is_called_only_against_a_given_cut_off(tmp_path: Path, text: str) -> None:
    """The MSIsensor family publishes no cut-off that holds for every panel: the score is shown,
    the status is unknown (not assessable, with the published cut-offs), until the run gives the
    lab's validated cut-off with --msi-high."""
    score = write(tmp_path, "T1_vs_N1", text)
    out = str(tmp_path / "c.json")
    code, output, case = annotate([str(score), "-t", "COAD", "--jurisdiction", "FDA", "-o", out])
    assert code == 0, output
    msi = markers(case)["MSI"]
    assert msi["status"] == "unknown"
    assert msi["threshold"] is None
    assert "MSK-IMPACT" in msi["note"]
    assert "--msi-high" in msi["note"]
    assert any(line.startswith("MSI: MSIsensor score") for line in case["qc"]["not_assessable"])
    assert not matches(case, "pembrolizumab", "MSI-high")
    code, output, case = annotate(
        [str(score), "-t", "COAD", "--jurisdiction", "FDA", "--msi-high", "10", "-o", out]
    )
    assert code == 0, output
    msi = markers(case)["MSI"]
    high = msi["value"] >= 10
    assert (msi["status"], msi["threshold"]) == ("high" if high else "stable", 10.0)
    assert "(--msi-high)" in msi["source"]
    assert bool(matches(case, "pembrolizumab", "MSI-high")) is high


def test_msisensor_without_assessed_sites_has_no_score(tmp_path: Path) -> None:
    score = write(tmp_path, "T1", "Total_Number_of_Sites\tNumber_of_Somatic_Sites\t%\n0\t0\t0.00\n")
    out = str(tmp_path / "c.json")
    code, output, case = annotate([str(score), "-t", "COAD", "--msi-high", "10", "-o", out])
    assert code == 0, output
    msi = markers(case)["MSI"]
    assert msi["status"] == "unknown"
    assert "no microsatellite site was assessed" in msi["note"]


DRAGEN_TMB = (
    "TMB SUMMARY,,Total Input Variant Count,26546\n"
    "TMB SUMMARY,,Total Input Variant Count in TMB region,26311\n"
    "TMB SUMMARY,,Filtered Variant Count,{count}\n"
    "TMB SUMMARY,,Filtered Nonsyn Variant Count,393\n"
    "TMB SUMMARY,,Eligible Region (MB),{mb}\n"
    "TMB SUMMARY,,TMB,{tmb}\n"
    "TMB SUMMARY,,Nonsyn TMB,11.08\n"
)
"""DRAGEN's ``tmb.metrics.csv``."""


def test_dragen_tmb_of_an_exome_needs_the_label_test_confirmed(tmp_path: Path) -> None:
    metrics = write(tmp_path, "T.tmb.metrics.csv", DRAGEN_TMB.format(count=456, mb=35.46,
                    tmb=12.86))  # fmt: skip
    out = str(tmp_path / "c.json")
    code, output, case = annotate([str(metrics), "-t", "COAD", "--jurisdiction", "FDA", "-o", out])
    assert code == 0, output
    tmb = markers(case)["TMB"]
    assert (tmb["status"], tmb["value"]) == ("high", 12.86)
    assert tmb["note"] == "456 eligible variants over 35.46 Mb"
    (match,) = matches(case, "pembrolizumab", "TMB-high")
    assert any("35.46 Mb (an exome or genome)" in r for r in match["requires"])
    # a panel's eligible region: the value stands as the assay's own, like TSO500's [TMB]
    write(tmp_path, "T.tmb.metrics.csv", DRAGEN_TMB.format(count=9, mb=1.27, tmb=7.09))
    code, output, case = annotate([str(metrics), "-t", "COAD", "-o", out])
    assert code == 0, output
    tmb = markers(case)["TMB"]
    assert (tmb["status"], tmb["confirm"]) == ("low", "")


def test_dragen_tmb_with_a_bad_line_is_one_error(tmp_path: Path) -> None:
    metrics = write(tmp_path, "T.tmb.metrics.csv", DRAGEN_TMB.format(count=1, mb=1.2, tmb="high"))
    code, output, _ = annotate([str(metrics), "-t", "COAD", "-o", str(tmp_path / "c.json")])
    assert code != 0
    assert output.startswith("Error:")
    assert "T.tmb.metrics.csv:6" in output
    assert "Hint:" in output


def dragen_msi(**values: object) -> str:
    data = {
        "Settings": {"DetectionOptions": {"NormalBam": None}},
        "TotalMicrosatelliteSitesAssessed": 2000,
        "TotalMicrosatelliteSitesUnstable": 700,
        "PercentageUnstableSites": 35.0,
        "ResultMessage": None,
        "ResultIsValid": True,
        "SumJsd": 12.1,
    }
    data.update(values)
    return json.dumps(data)


def test_dragen_msi_json(tmp_path: Path) -> None:
    msi_json = write(tmp_path, "T.microsat_output.json", dragen_msi())
    out = str(tmp_path / "c.json")
    code, output, case = annotate([str(msi_json), "-t", "STAD", "--msi-high", "20", "-o", out])
    assert code == 0, output
    msi = markers(case)["MSI"]
    assert (msi["status"], msi["value"]) == ("high", 35.0)
    assert msi["note"] == "700 of 2000 sites unstable"
    code, output, case = annotate([str(msi_json), "-t", "STAD", "-o", out])
    assert markers(case)["MSI"]["status"] == "unknown"
    invalid = dragen_msi(
        ResultIsValid=False, PercentageUnstableSites="NaN", ResultMessage="Too few sites"
    )
    write(tmp_path, "T.microsat_output.json", invalid)
    code, output, case = annotate([str(msi_json), "-t", "STAD", "--msi-high", "20", "-o", out])
    assert code == 0, output
    msi = markers(case)["MSI"]
    assert msi["status"] == "unknown"
    assert "Too few sites" in msi["note"]


def test_other_json_is_refused_with_a_hint(tmp_path: Path) -> None:
    other = write(tmp_path, "x.json", '{"SampleName": "T", "Purity": 0.4}')
    code, output, _ = annotate([str(other), "-t", "STAD", "-o", str(tmp_path / "c.json")])
    assert "MSIsensor, MANTIS, scarHRD or DRAGEN MSI/TMB/HRD files" in output
    assert code != 0
    assert output.startswith("Error:")
    assert "Hint:" in output


def test_a_third_input_does_not_settle_a_disagreement(tmp_path: Path) -> None:
    """TSO500 MSI-high, PURPLE MSS, then an MSIsensor score called high: still unknown."""
    purity = write(tmp_path, "T.purple.purity.tsv", PURPLE_V4 + purple_row())
    score = write(tmp_path, "T_msi", MSISENSOR)
    out = str(tmp_path / "c.json")
    args = [str(CVO), str(purity), str(score), "-t", "COAD", "--msi-high", "10", "-o", out]
    code, output, case = annotate(args)
    assert code == 0, output
    msi = markers(case)["MSI"]
    assert msi["status"] == "unknown"
    assert "[MSI] section" in msi["note"]
    assert "PURPLE" in msi["note"]
    assert "MSIsensor T_msi (--msi-high): high" in msi["note"]


def test_batch_reads_biomarker_files_from_the_inputs_column(tmp_path: Path) -> None:
    """A WGS patient in a samplesheet: PURPLE purity and CHORD files in ``inputs``; the batch's
    --msi-high reaches each patient as a given cut-off."""
    write(tmp_path, "P1.purple.purity.tsv", PURPLE_V4 + purple_row(ms="9.0", ms_status="MSI"))
    write(tmp_path, "P1.chord.prediction.tsv", CHORD_HEADER + "P1\t0\t0.9\t0.9\tHR_deficient\t"
          "BRCA2_type\t\t\n")  # fmt: skip
    write(tmp_path, "P2_msi", MSISENSOR)
    sheet = write(
        tmp_path,
        "samples.tsv",
        "patient_id\ttumor_type\tinputs\n"
        "P1\tHGSOC\tP1.purple.purity.tsv,P1.chord.prediction.tsv\n"
        "P2\tCOAD\tP2_msi\n",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["batch", str(sheet), "--msi-high", "10", "-o", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    p1 = markers(json.loads((out / "P1.json").read_text()))
    assert (p1["MSI"]["status"], p1["HRD"]["status"]) == ("high", "positive")
    p2 = markers(json.loads((out / "P2.json").read_text()))
    assert (p2["MSI"]["status"], p2["MSI"]["threshold"]) == ("high", 10.0)


# --- PURPLE's QC file ---------------------------------------------------------------------------
def purple_qc(status: str, contamination: str = "0.0", purity: str = "0.6800") -> str:
    """PURPLE's ``.purple.qc`` as its ``PurpleQCFile`` writes it: key, tab, value, no header."""
    return (
        f"QCStatus\t{status}\nMethod\tNORMAL\nCopyNumberSegments\t222\n"
        f"UnsupportedCopyNumberSegments\t0\nPurity\t{purity}\nAmberGender\tFEMALE\n"
        f"CobaltGender\tFEMALE\nDeletedGenes\t3\nContamination\t{contamination}\n"
        "GermlineAberrations\tNONE\nAmberMeanDepth\t111\nLohPercent\t0.1930\n"
    )


def test_purple_qc_pass_and_warnings_leave_the_values_standing(tmp_path: Path) -> None:
    purity = write(
        tmp_path, "T1.purple.purity.tsv", PURPLE_V4 + purple_row(ms="12.5", ms_status="MSI")
    )
    qc = write(tmp_path, "T1.purple.qc", purple_qc("PASS"))
    assert detect_format(str(qc)) == "purple_qc"
    out = str(tmp_path / "c.json")
    code, output, case = annotate(
        [str(purity), str(qc), "-t", "COAD", "--jurisdiction", "FDA", "-o", out]
    )
    assert code == 0, output
    assert markers(case)["MSI"]["status"] == "high"
    assert case["qc"]["warnings"] == []
    assert matches(case, "pembrolizumab", "MSI-high")
    write(tmp_path, "T1.purple.qc", purple_qc("WARN_DELETED_GENES,FAIL_GENDER", purity="0.15"))
    code, output, case = annotate(
        [str(purity), str(qc), "-t", "COAD", "--jurisdiction", "FDA", "-o", out]
    )
    assert code == 0, output
    assert markers(case)["MSI"]["status"] == "high"
    qc_lines = [w for w in case["qc"]["warnings"] if "PURPLE QC" in w]
    assert [w.split(": ")[1] for w in qc_lines] == [
        "PURPLE QC WARN_DELETED_GENES",
        "PURPLE QC WARN_GENDER_MISMATCH",  # PURPLE's own mapping of the older FAIL_GENDER
    ]


@pytest.mark.parametrize("status", ["FAIL_CONTAMINATION", "FAIL_NO_TUMOR", "WARN_SOMETHING_NEW"])
def test_a_failed_purple_qc_makes_purple_values_unknown(tmp_path: Path, status: str) -> None:
    """A contaminated sample (or one without tumour, or a status tumorboard does not know):
    PURPLE's MSI-high is not matched, and the case says why."""
    purity = write(
        tmp_path,
        "T1.purple.purity.tsv",
        PURPLE_V4 + purple_row(ms="12.5", ms_status="MSI", tmb="43.7", tmb_status="HIGH"),
    )
    qc = write(tmp_path, "T1.purple.qc", purple_qc(status, contamination="0.1400"))
    out = str(tmp_path / "c.json")
    code, output, case = annotate(
        [str(purity), str(qc), "-t", "COAD", "--jurisdiction", "FDA", "-o", out]
    )
    assert code == 0, output
    msi, tmb = markers(case)["MSI"], markers(case)["TMB"]
    assert (msi["status"], tmb["status"]) == ("unknown", "unknown")
    assert status in msi["note"]
    assert not matches(case, "pembrolizumab", "MSI-high")
    assert not matches(case, "pembrolizumab", "TMB-high")
    (line,) = [n for n in case["qc"]["not_assessable"] if n.startswith("T1.purple.qc")]
    assert "must be confirmed before acting" in line
    if status == "FAIL_CONTAMINATION":
        assert "(contamination 0.1400)" in line


def test_purple_qc_problems_are_one_error(tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    for text, message in (
        ("QCStatus\t\nMethod\tNORMAL\n", "QCStatus has no value"),
        ("QCStatus\tPASS\nMethod NORMAL\n", "not a PURPLE QC line"),
    ):
        qc = write(tmp_path, "T1.purple.qc", text)
        code, output, _ = annotate([str(qc), "-t", "COAD", "-o", str(out)])
        assert code != 0
        assert output.startswith("Error:")
        assert message in output
        assert "Hint:" in output
        assert not out.exists()
