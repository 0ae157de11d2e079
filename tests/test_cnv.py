"""Copy-number input: gene TSVs, CNV VCF records, segment files (issue 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.alterations import AMPLIFICATION, DELETION
from tumorboard.cli import main
from tumorboard.errors import FormatError, RecordError
from tumorboard.models import RunOptions
from tumorboard.panels import load_panel
from tumorboard.readers import read
from tumorboard.readers.base import QCCounter
from tumorboard.readers.cnv import classify_copy_number
from tumorboard.readers.detect import detect_format


def read_cnv(path: str, options: RunOptions, panel=None):
    """A --cnv file through the reader table (the panel of the options when none is given)."""
    return read(path, options, panel or load_panel(options.panel, options.genome), "cnv")


OPTS = RunOptions(tumor_type="BRCA")


def _calls(result) -> dict[str, tuple[str, float | None, float | None]]:
    return {a.gene: (a.kind, a.copy_number, a.fold_change) for a in result.alterations}


def test_gene_table(tests_data: Path) -> None:
    path = tests_data / "cnv" / "genes.tsv"
    assert detect_format(str(path)) == "cnv"
    r = read_cnv(str(path), OPTS)
    assert _calls(r) == {
        "ERBB2": (AMPLIFICATION, 14.0, None),
        "MET": (AMPLIFICATION, 7.5, None),
        "CDKN2A": (DELETION, 0.0, None),
        "FGFR2": (AMPLIFICATION, None, 2.6),
        "CCNE1": (AMPLIFICATION, None, None),
        "BRCA2": (DELETION, 0.2, None),
    }
    ccne1 = next(a for a in r.alterations if a.gene == "CCNE1")
    assert ccne1.notes == [
        "called 'amplification' by the input, without a copy number or fold change to check"
    ]
    # EGFR CN 4 (gain), PTEN CN 1 (one-copy loss) and the gene-less row are counted, not dropped
    assert r.qc.skipped == {
        "copy-number gain below the amplification threshold": 1,
        "copy-number loss above the deep-deletion threshold": 1,
        "CNV row without a gene": 1,
    }
    assert r.qc.records_read == 9


def test_thresholds_configurable(tests_data: Path) -> None:
    opts = RunOptions(tumor_type="BRCA", amp_copy_number=4.0, deep_deletion_copy_number=0.1)
    calls = _calls(read_cnv(str(tests_data / "cnv" / "genes.tsv"), opts))
    assert calls["EGFR"] == (AMPLIFICATION, 4.0, None)
    assert "BRCA2" not in calls  # CN 0.2 is no longer a deep deletion


def test_tso500_cnv_vcf(tests_data: Path) -> None:
    path = tests_data / "cnv" / "PT-0042_CopyNumberVariants.vcf"
    assert detect_format(str(path)) == "cnv_vcf"
    r = read_cnv(str(path), OPTS, load_panel("tso500", "GRCh37"))
    assert _calls(r) == {"ERBB2": (AMPLIFICATION, None, 4.81), "CDKN2A": (DELETION, None, 0.08)}
    assert r.qc.filtered == 1  # MET q10
    assert r.qc.skipped == {"copy-number gain below the amplification threshold": 1}  # MYC 1.71


def test_cn_vcf_genes_from_panel(tests_data: Path) -> None:
    r = read_cnv(
        str(tests_data / "cnv" / "cn_records.grch38.vcf"), OPTS, load_panel("tso500", "GRCh38")
    )
    assert _calls(r) == {"ERBB2": (AMPLIFICATION, 11.0, None), "PTEN": (DELETION, 0.0, None)}
    assert not r.qc.skipped
    assert r.qc.records_read - r.qc.records_in_panel == 1  # the record overlapping no panel gene


def test_pcgr_segments(shared_data: Path) -> None:
    path = shared_data / "somatic_vcf" / "pcgr_T001.grch38.cna.tsv"
    r = read_cnv(str(path), OPTS, load_panel("tso500", "GRCh38"))
    calls = _calls(r)
    assert calls["ERBB2"] == (AMPLIFICATION, 9.0, None)
    assert all(kind == AMPLIFICATION and cn >= 6 for kind, cn, _ in calls.values())
    assert r.genome == "GRCh38"
    # LOH (nMinor == 0) is kept per gene for bi-allelic marking
    assert r.loh["BRCA2"].startswith(
        "LOH (minor allele copy number < 0.5) in pcgr_T001.grch38.cna.tsv"
    )


def test_segments_need_a_build(shared_data: Path) -> None:
    path = shared_data / "somatic_vcf" / "pcgr_T001.grch38.cna.tsv"
    with pytest.raises(FormatError, match="a segment file needs a panel with coordinates"):
        read_cnv(str(path), OPTS, load_panel("tso500", None))


def test_bad_value_is_an_error(tests_data: Path) -> None:
    path = tests_data / "cnv" / "bad_value.tsv"
    with pytest.raises(RecordError) as err:
        read_cnv(str(path), OPTS)
    assert str(err.value) == (
        f"{path}:3: column 'copynumber' should be a number, found 'seven' "
        "(hint: repair the value, or write NA when it is unknown)"
    )


def test_cli_cnv_option(tests_data: Path, shared_data: Path) -> None:
    vcf = shared_data / "somatic_vcf" / "pcgr_T001-BRCA.grch38.vcf.gz"
    args = ["annotate", str(vcf), "-t", "BRCA", "--genome", "GRCh38",
            "--cnv", str(shared_data / "somatic_vcf" / "pcgr_T001.grch38.cna.tsv")]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    case = json.loads(result.output)
    assert [i["kind"] for i in case["inputs"]] == ["vcf", "cnv"]
    erbb2 = next(v for v in case["variants"] if v["label"] == "ERBB2 amplification")
    assert (erbb2["copy_number"], erbb2["source"]) == (9.0, "pcgr_T001.grch38.cna.tsv")


def test_cli_cnv_error(tests_data: Path) -> None:
    bad = tests_data / "cnv" / "bad_value.tsv"
    result = CliRunner().invoke(main, ["annotate", "-t", "BRCA", "--cnv", str(bad)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {bad}:3: column 'copynumber' should be a number, found 'seven'\n"
        "Hint: repair the value, or write NA when it is unknown\n"
    )


@given(
    cn=st.none() | st.floats(0, 50, allow_nan=False),
    fc=st.none() | st.floats(0, 20, allow_nan=False),
)
@settings(max_examples=200, deadline=None)
def test_classification_follows_thresholds(cn: float | None, fc: float | None) -> None:
    qc = QCCounter()
    a = classify_copy_number("ERBB2", OPTS, copy_number=cn, fold_change=fc, qc=qc, where="x")
    amp = (cn is not None and cn >= 6) or (fc is not None and fc >= 2)
    est = cn if cn is not None else (2 * fc if fc is not None else None)
    if amp:
        assert a is not None
        assert a.kind == AMPLIFICATION
    elif est is not None and est < 0.5:
        assert a is not None
        assert a.kind == DELETION
    else:
        assert a is None
        assert sum(qc.skipped.values()) == 1


def test_cli_thresholds(tests_data: Path) -> None:
    path = tests_data / "cnv" / "genes.tsv"
    args = ["annotate", "-t", "BRCA", "--cnv", str(path), "--format", "tsv"]
    default = CliRunner().invoke(main, args)
    lowered = CliRunner().invoke(main, [*args, "--amp-copy-number", "4"])
    assert default.exit_code == lowered.exit_code == 0
    assert "EGFR\tamplification" not in default.output
    assert "EGFR\tamplification" in lowered.output


# --- CNV VCF values (issue 13 point 1) ------------------------------------------------------------
GRCH38 = load_panel("tso500", "GRCh38")


def _cn_vcf(tests_data: Path, tmp_path: Path, old: str, new: str, *, end: str = "\n") -> Path:
    text = (tests_data / "cnv" / "cn_records.grch38.vcf").read_text()
    assert old in text
    path = tmp_path / "cnv.vcf"
    path.write_text(text.replace(old, new).rstrip("\n") + end)
    return path


@pytest.mark.parametrize(
    ("old", "new", "reason", "example"),
    [
        ("CN\t11", "CN\t-1", "copy number is negative", ""),
        ("CN\t11", "CN\tnan", "copy number is NaN", ""),
        ("END=39731000", "END=100", "CNV VCF END is before POS", " END=100"),
        ("END=39731000", "END=3973l000", "CNV VCF END is not a position (1 to 3e9)", " '3973l000'"),
    ],
)
def test_cnv_vcf_bad_values_skip_the_record(
    tests_data: Path, tmp_path: Path, old: str, new: str, reason: str, example: str
) -> None:
    """Checked before the genes are looked up: never an ERBB2 call, never a silent drop."""
    path = _cn_vcf(tests_data, tmp_path, old, new)
    r = read_cnv(str(path), OPTS, GRCH38)
    assert _calls(r) == {"PTEN": (DELETION, 0.0, None)}
    assert r.qc.skipped_examples == {reason: f"{path}:8 (chr17:39687000){example}"}


def test_cnv_vcf_text_copy_number_is_an_error(tests_data: Path, tmp_path: Path) -> None:
    path = _cn_vcf(tests_data, tmp_path, "CN\t11", "CN\televen")
    with pytest.raises(RecordError) as err:
        read_cnv(str(path), OPTS, GRCH38)
    assert str(err.value) == (
        f"{path}:8 (chr17:39687000): column 'CN' should be a number, found 'eleven' "
        "(hint: repair the value, or write . when it is unknown)"
    )


def test_cnv_vcf_cut_or_headless_is_an_error(tests_data: Path, tmp_path: Path) -> None:
    """As for every VCF: no final newline (the last record may be cut), no #CHROM line."""
    path = _cn_vcf(tests_data, tmp_path, "CN\t9", "CN\t9", end="")
    result = CliRunner().invoke(main, ["annotate", "-t", "BRCA", "--cnv", str(path)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}:10: the file does not end with a newline: its last record may be cut "
        "short\nHint: if the file is complete, add the final newline (echo >> FILE); otherwise "
        "copy it again or re-run the caller\n"
    )
    headless = _cn_vcf(tests_data, tmp_path, "#CHROM", "##CHROM")
    with pytest.raises(FormatError) as err:
        read_cnv(str(headless), OPTS, GRCH38)
    assert str(err.value) == (
        f"{headless}:8: a data line comes before the #CHROM header line (hint: a VCF holds ## "
        "meta lines, then the #CHROM header line, then the records)"
    )


def test_cnv_vcf_without_a_build_skips_what_it_cannot_place(
    tests_data: Path, tmp_path: Path
) -> None:
    """No gene named and no build to map the coordinates (no --genome, no header line naming
    one): skipped with the reason (it was counted as outside the panel, so an ERBB2
    amplification vanished without a word)."""
    path = _cn_vcf(tests_data, tmp_path, "##reference=GRCh38\n", "")
    r = read_cnv(str(path), OPTS, load_panel("tso500", None))
    assert r.alterations == []
    assert r.qc.outside_panel == 0
    reason = "CNV record without a gene name and no genome build to place it (pass --genome)"
    assert r.qc.skipped == {reason: 3}
    assert r.qc.skipped_examples == {reason: f"{path}:7 (chr17:39687000)"}


def test_cnv_vcf_header_build_places_records(tests_data: Path) -> None:
    """The header's ##reference=GRCh38 places the records when the run names no build, and
    the file's build is the case's (another input on GRCh37 would then be an error)."""
    path = tests_data / "cnv" / "cn_records.grch38.vcf"
    r = read_cnv(str(path), OPTS, load_panel("tso500", None))
    assert r.genome == "GRCh38"
    assert sorted((a.gene, a.kind, a.copy_number) for a in r.alterations) == [
        ("ERBB2", "amplification", 11.0),
        ("PTEN", "deletion", 0.0),
    ]


@pytest.mark.parametrize(
    ("meta", "how"),
    [
        ("##reference=GRCh38\n", "##reference=GRCh38"),
        (
            "##reference=GRCh38\n##contig=<ID=chr17,length=83257441>\n",
            "contig lengths (chr17)",
        ),
    ],
)
def test_cnv_vcf_on_another_build_than_the_run_is_an_error(
    tests_data: Path, tmp_path: Path, meta: str, how: str
) -> None:
    """A GRCh38 CNV VCF in a GRCh37 run: one Error/Hint, never records placed on GRCh37 genes
    (chr17:39.69 Mb is ERBB2 on GRCh38, other genes on GRCh37)."""
    path = _cn_vcf(tests_data, tmp_path, "##reference=GRCh38\n", meta)
    result = CliRunner().invoke(
        main, ["annotate", "-t", "BRCA", "--genome", "GRCh37", "--cnv", str(path)]
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: the run's genome build is GRCh37 (--genome or another input) but this "
        f"file is GRCh38 (from {how})\nHint: give every input of the patient on one build "
        "(--genome GRCh38), or lift this file over to GRCh37\n"
    )


def test_purple_fitted_copy_numbers_just_below_zero_are_deep_deletions(tmp_path: Path) -> None:
    """PURPLE writes fitted copy numbers of a homozygous loss slightly below 0 (-0.0117): read
    as 0 copies, in its segments and its gene table; a clearly negative value is still
    skipped with the reason."""
    from cli_run import annotate, write

    segments = write(
        tmp_path,
        "T.purple.cnv.somatic.tsv",
        "chromosome\tstart\tend\tcopyNumber\tbafCount\tobservedBAF\tbaf\tminorAlleleCopyNumber"
        "\tmajorAlleleCopyNumber\n"
        "9\t21900000\t22000000\t-0.0117\t0\t0\t0\t0.0000\t-0.0117\n"
        "17\t7660000\t7690000\t-3.2\t0\t0\t0\t0.0\t-3.2\n",
    )
    out = tmp_path / "seg.json"
    args = ["--cnv", str(segments), "-t", "SKCM", "--genome", "GRCh38", "-o", str(out)]
    code, output, case = annotate(args)
    assert code == 0, output
    deletions = {v["gene"]: v for v in case["variants"] if v["kind"] == "deletion"}
    assert "CDKN2A" in deletions
    assert deletions["CDKN2A"]["copy_number"] == 0.0
    assert "TP53" not in deletions
    assert any(s["reason"] == "segment copy number is negative" for s in case["qc"]["skipped"])
    genes = write(
        tmp_path,
        "T.purple.cnv.gene.tsv",
        "chromosome\tstart\tend\tgene\tminCopyNumber\tmaxCopyNumber\n"
        "9\t21967752\t21995301\tCDKN2A\t-0.02\t0.4\n",
    )
    out = tmp_path / "genes.json"
    code, output, case = annotate(["--cnv", str(genes), "-t", "SKCM", "-o", str(out)])
    assert code == 0, output
    assert [(v["gene"], v["kind"], v["copy_number"]) for v in case["variants"]] == [
        ("CDKN2A", "deletion", 0.0)
    ]


def test_purple_segment_file_is_refused_naming_the_copy_number_files(tmp_path: Path) -> None:
    """purple.segment.tsv is PURPLE's fitting input: its unfitted segments hold 0 copies, which
    would read as homozygous deletions."""
    header = (
        "chromosome\tstart\tend\tgermlineStatus\tbafCount\tobservedBAF\tminorAlleleCopyNumber"
        "\tminorAlleleCopyNumberDeviation\tobservedTumorRatio\tobservedNormalRatio"
        "\tunnormalisedObservedNormalRatio\tmajorAlleleCopyNumber\tmajorAlleleCopyNumberDeviation"
        "\tdeviationPenalty\ttumorCopyNumber\tfittedTumorCopyNumber\tfittedBAF"
        "\trefNormalisedCopyNumber\tratioSupport\tsupport\tdepthWindowCount\ttumorBAF\tgcContent"
        "\teventPenalty\tminStart\tmaxStart\n"
    )
    cells = "4 66211957 66212039 DIPLOID 0 0 0 0.1 0 0 0 0 1.5 0 0 0 0 0 true NONE 0 1 0 1.8 1 1"
    row = "\t".join(cells.split()) + "\n"
    seg = tmp_path / "T.purple.segment.tsv"
    seg.write_text(header + row)
    from cli_run import refused

    out = tmp_path / "o.json"
    lines = refused(["--cnv", str(seg), "-t", "SKCM", "--genome", "GRCh38", "-o", str(out)])
    assert "purple.segment.tsv" in lines[0]
    assert "purple.cnv.somatic.tsv" in lines[1]
