"""What a board could misread (a review of reports, 2026-11): the patient file's age and grade
decide age- and grade-limited labels in every command that takes ``--patient`` (they were shown
in the header and not used: an adult-only label read "on-label if ... aged 18 years or older (age
not given)" for a 15-year-old); records failing FILTER and empty inputs are not read as absent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tumorboard.cli import main
from tumorboard.models import RunOptions
from tumorboard.pipeline import with_patient_limits

KRAS_G12C_37 = (
    "##fileformat=VCFv4.2\n##reference=GRCh37\n##contig=<ID=12,length=133851895>\n"
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
    "12\t25398285\t.\tC\tA\t.\tPASS\t.\tAD\t50,20\n"
)


def _files(tmp_path: Path, patient: str) -> tuple[Path, Path]:
    vcf, yaml = tmp_path / "t.vcf", tmp_path / "p.yaml"
    vcf.write_text(KRAS_G12C_37)
    yaml.write_text(patient)
    return vcf, yaml


def _labels(case: dict, drug: str) -> set[str]:
    return {m["label"] for m in case["matches"] if m["drugs"] == [drug]}


@pytest.mark.parametrize(("age", "label"), [(15, "off-label"), (61, "on-label")])
def test_age_from_the_patient_file_decides_an_adult_label(
    tmp_path: Path, age: int, label: str
) -> None:
    vcf, yaml = _files(tmp_path, f"id: PT-B\ntumor_type: LUAD\nage: {age}\n")
    out = tmp_path / "c.json"
    result = CliRunner().invoke(
        main, ["annotate", str(vcf), "-t", "LUAD", "--patient", str(yaml), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    case = json.loads(out.read_text())
    assert _labels(case, "sotorasib") == {label}
    assert case["patient"]["age"] == age


@pytest.mark.slow
def test_the_report_uses_it_too(tmp_path: Path) -> None:
    vcf, yaml = _files(tmp_path, "id: PT-B\ntumor_type: LUAD\nage: 15\n")
    html, case = tmp_path / "r.html", tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "report", str(vcf), "-t", "LUAD", "--patient",
         str(yaml), "-o", str(html), "--json", str(case)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert _labels(json.loads(case.read_text()), "sotorasib") == {"off-label"}
    assert "age not given" not in html.read_text()


@pytest.mark.parametrize(
    ("written", "grade"), [("2", 2), ("II", 2), ("grade 3", 3), ("WHO grade IV", 4)]
)
def test_grade_is_read_as_a_who_grade(tmp_path: Path, written: str, grade: int) -> None:
    _, yaml = _files(tmp_path, f"tumor_type: ASTR\ngrade: {written}\n")
    options = with_patient_limits(RunOptions(tumor_type="ASTR"), yaml)
    assert options.tumor_grade == grade


def test_a_grade_that_is_not_one_is_an_error(tmp_path: Path) -> None:
    vcf, yaml = _files(tmp_path, "tumor_type: LUAD\ngrade: high\n")
    result = CliRunner().invoke(
        main, ["annotate", str(vcf), "-t", "LUAD", "--patient", str(yaml), "-o",
               str(tmp_path / "c.json")]
    )  # fmt: skip
    assert result.exit_code == 1
    assert "grade must be a WHO grade 1-4, not 'high'" in result.output
    assert "Hint: write e.g. 'grade: 2' (or II), or leave it out" in result.output


def test_options_set_by_the_caller_win(tmp_path: Path) -> None:
    _, yaml = _files(tmp_path, "tumor_type: LUAD\nage: 15\ngrade: 2\n")
    options = with_patient_limits(RunOptions(tumor_type="LUAD", patient_age=40), yaml)
    assert (options.patient_age, options.tumor_grade) == (40, 2)


# --- what a case cannot show absent --------------------------------------------------------------
def test_a_filtered_record_is_not_read_as_absent(tmp_path: Path) -> None:
    """A KRAS G12D failing FILTER left 'Resistance flags: None found' for anti-EGFR in COAD."""
    vcf = tmp_path / "t.vcf"
    vcf.write_text(
        KRAS_G12C_37.replace("C\tA\t.\tPASS", "C\tT\t.\tweak_evidence").replace(
            "##FORMAT", '##FILTER=<ID=weak_evidence,Description="Weak">\n##FORMAT'
        )
    )
    html, out = tmp_path / "r.html", tmp_path / "r.json"
    result = CliRunner().invoke(
        main, ["report", str(vcf), "-t", "COAD", "-o", str(html), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    case = json.loads(out.read_text())
    caveat = (
        "1 record(s) failing FILTER were not assessed: a variant among them is not ruled out "
        "(e.g. RAS wild-type, the condition of anti-EGFR antibodies, is not established by "
        "this case); --include-filtered reports them"
    )
    assert caveat in case["qc"]["not_assessable"]
    assert "RAS wild-type, the condition of anti-EGFR antibodies" in html.read_text()


def test_an_empty_assay_is_not_a_negative_result(tests_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    cvo = tests_data / "tso500" / "PT-0050_CombinedVariantOutput.tsv"
    result = CliRunner().invoke(main, ["annotate", str(cvo), "-t", "COAD", "-o", str(out)])
    assert result.exit_code == 0, result.output
    case = json.loads(out.read_text())
    assert case["qc"]["records_read"] == 0
    assert (
        "no record in PT-0050_CombinedVariantOutput.tsv: an empty or failed assay result, not a "
        "negative one; no alteration can be ruled out from it"
    ) in case["qc"]["not_assessable"]


# --- a tumour type broader than the label's ------------------------------------------------------
EGFR_37 = (
    "##fileformat=VCFv4.2\n##reference=GRCh37\n##contig=<ID=7,length=159138663>\n"
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
    "7\t55259515\t.\tT\tG\t.\tPASS\t.\tAD\t50,20\n"  # EGFR L858R
    "7\t55249071\t.\tC\tT\t.\tPASS\t.\tAD\t50,20\n"  # EGFR T790M
)


def test_a_broader_tumour_type_makes_the_label_conditional(tmp_path: Path) -> None:
    """-t LUNG (lung, histology not given) read every NSCLC label as off-label and lost the
    T790M resistance flags."""
    vcf = tmp_path / "t.vcf"
    vcf.write_text(EGFR_37)
    out = tmp_path / "c.json"
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "LUNG", "-o", str(out)])
    assert result.exit_code == 0, result.output
    case = json.loads(out.read_text())
    gefitinib = next(m for m in case["matches"] if m["drugs"] == ["gefitinib"]
                     and m["effect"] == "sensitive")  # fmt: skip
    assert gefitinib["label"] == "on-label"
    assert gefitinib["label_text"].startswith(
        "on-label if the tumour is Non-Small Cell Lung Cancer (NSCLC) (the tumour type given, "
        "LUNG, is broader)"
    )
    assert all(m["label_text"] != "on-label" for m in case["matches"])
    assert {m["drugs"][0] for m in case["matches"] if m["effect"] == "resistant"} >= {
        "gefitinib",
        "erlotinib",
        "afatinib",
    }


BRAF_V600E_38 = (
    "##fileformat=VCFv4.2\n##reference=GRCh38\n##contig=<ID=chr7,length=159345973>\n"
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
    "chr7\t140753336\t.\tA\tT\t.\tPASS\t.\tAD\t60,30\n"
)


def test_off_label_elsewhere_shows_no_other_tumours_conditions(tmp_path: Path) -> None:
    """Dabrafenib + trametinib in cholangiocarcinoma under EMA: approved for BRAF V600E only in
    other tumour types. The row read the thyroid approval's conditions ("RAI-refractory", "adults")
    and its catalog note as if they applied; it must name every approval's tumour types and cite
    their sources instead, with no one approval's conditions."""
    vcf = tmp_path / "t.vcf"
    vcf.write_text(BRAF_V600E_38)
    html, out = tmp_path / "r.html", tmp_path / "r.json"
    result = CliRunner().invoke(
        main, ["report", str(vcf), "-t", "IHCH", "-o", str(html), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    case = json.loads(out.read_text())
    (m,) = [x for x in case["matches"] if x["drugs"] == ["dabrafenib", "trametinib"]]
    assert m["label"] == "off-label"
    assert (m["conditions"], m["review"]) == ("", "")
    assert {"WDTC", "MEL", "NSCLC"} <= set(m["approved_tumor_types"])
    ema = [s["document"] for s in m["sources"] if s["kind"] == "EMA"]
    assert len(ema) >= 3  # each approval's own EMA document, once: thyroid, glioma, melanoma...
    assert any("Finlee" in d for d in ema)  # the paediatric glioma approval
    assert any("Tafinlar" in d for d in ema)
    row = html.read_text().split("dabrafenib + trametinib", 1)[1].split("</tr>", 1)[0]
    assert "RAI" not in row
    assert "Catalog note" not in row
    # an approval that covers the patient's tumour type still shows its own conditions
    lung = tmp_path / "l.json"
    assert (
        CliRunner().invoke(main, ["annotate", str(vcf), "-t", "LUAD", "-o", str(lung)]).exit_code
        == 0
    )
    (m,) = [
        x
        for x in json.loads(lung.read_text())["matches"]
        if x["drugs"] == ["dabrafenib", "trametinib"]
    ]
    assert m["label"] == "on-label"
    assert m["conditions"]


EGFR_L858R_38 = (
    "##fileformat=VCFv4.2\n##reference=GRCh38\n##contig=<ID=chr7,length=159345973>\n"
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
    "chr7\t55191822\t.\tT\tG\t.\tPASS\t.\tAD\t60,30\n"
)


def _flags(tmp_path: Path, *args: str) -> dict[str, dict]:
    out = tmp_path / "c.json"
    result = CliRunner().invoke(main, ["annotate", *args, "-t", "LUAD", "-o", str(out)])
    assert result.exit_code == 0, result.output
    case = json.loads(out.read_text())
    return {m["drugs"][0]: m for m in case["matches"] if m["effect"] == "resistant"}


def test_a_resistance_flag_outside_its_setting_says_so(tmp_path: Path) -> None:
    """MET amplification predicts resistance to EGFR TKIs in EGFR-mutant NSCLC. Alone (no
    EGFR-activating mutation in the case) the flags stay, since the mutation may lie outside the
    inputs, and each says its setting is not established; beside EGFR L858R they do not, and the
    on-label TKIs are weighed against the marker (uncertain)."""
    cnv = tmp_path / "met.tsv"
    cnv.write_text("gene\tcopy_number\nMET\t12\n")
    alone = _flags(tmp_path, "--cnv", str(cnv), "--genome", "GRCh38")
    assert {"gefitinib", "osimertinib"} <= set(alone)
    for flag in alone.values():
        assert any(n.startswith("applies in EGFR-mutant NSCLC") for n in flag["notes"])
    vcf = tmp_path / "t.vcf"
    vcf.write_text(EGFR_L858R_38)
    both = _flags(tmp_path, str(vcf), "--cnv", str(cnv))
    assert both["osimertinib"]["label"] == "uncertain"
    assert not any("applies in" in n for f in both.values() for n in f["notes"])


def test_context_biomarkers_are_checked_when_the_catalog_loads(tmp_path: Path) -> None:
    """A context id that names no biomarker is a catalog error with its file and hint."""
    from tumorboard.catalog import check_catalog
    from tumorboard.resources import catalog_dir

    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "resistance:\n  - id: RES_TEST_CONTEXT\n    drugs: [gefitinib]\n    biomarker: MET_AMP\n"
        "    tumor_types: [NSCLC]\n    summary: test record\n    context: [EGFR_NOPE]\n"
        "    context_text: EGFR-mutant NSCLC\n    sources:\n      - kind: other\n"
        "        document: test\n        url: https://example.org\n        date: 2026-11\n"
    )
    _, issues = check_catalog([catalog_dir()], extend=[extra])
    assert any("unknown context biomarker 'EGFR_NOPE'" in e.message for e in issues)
    extra.write_text(extra.read_text().replace("    context_text: EGFR-mutant NSCLC\n", ""))
    _, issues = check_catalog([catalog_dir()], extend=[extra])
    assert any("context and context_text go together" in str(e.message) for e in issues)


def test_a_drug_off_label_through_one_finding_names_its_on_label_route(tmp_path: Path) -> None:
    """Colorectal cancer, MSI-high and TMB-high: pembrolizumab is on-label under EMA through
    MSI-high and FDA-only through TMB-high. The TMB-high row said "off-label" with no word of the
    other route; it now points to it, and the on-label row is unchanged."""
    vcf, out = tmp_path / "t.vcf", tmp_path / "c.json"
    vcf.write_text(EGFR_L858R_38)
    result = CliRunner().invoke(
        main,
        ["annotate", str(vcf), "-t", "COAD", "--tmb", "15", "--msi", "high", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    pembro = {
        m["biomarker"]: m
        for m in json.loads(out.read_text())["matches"]
        if m["drugs"] == ["pembrolizumab"]
    }
    assert pembro["MSI-high"]["label"] == "on-label"
    assert not any("through" in n for n in pembro["MSI-high"]["notes"])
    tmb = pembro["TMB-high"]
    assert tmb["label"] == "off-label"
    assert any(
        n.startswith("through MSI-high, pembrolizumab is on-label if first-line")
        for n in tmb["notes"]
    ), tmb["notes"]
