"""Copy-number formats of cBioPortal, GISTIC and OncoKB, the call vocabulary, hostile values and
segments mapped with ``--panel all`` (issue 12 points 3-4, issue 13 point 1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.alterations import AMPLIFICATION, DELETION
from tumorboard.cli import main
from tumorboard.errors import FormatError, SampleError, TruncatedInputError
from tumorboard.models import RunOptions
from tumorboard.panels import load_panel
from tumorboard.readers import read
from tumorboard.readers.base import QCCounter
from tumorboard.readers.cnv_calls import AMP, DEEP, GAIN, LOSS, NEUTRAL, call_level, trusted_call


def read_cnv(path: Path, options: RunOptions):
    return read(str(path), options, load_panel(options.panel, options.genome), "cnv")


def _calls(result) -> list[tuple[str, str]]:
    return [(a.gene, a.kind) for a in result.alterations]


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("2", AMP), ("2.0", AMP), ("Amplification", AMP), ("AMP", AMP), ("amplified", AMP),
        ("High-level amplification", AMP),
        ("-2", DEEP), ("Deletion", DEEP), ("HOMDEL", DEEP), ("deep deletion", DEEP),
        ("Homozygous deletion", DEEP),
        ("1", GAIN), ("+1", GAIN), ("Gain", GAIN), ("GAIN", GAIN), ("low-level gain", GAIN),
        ("-1", LOSS), ("Loss", LOSS), ("HETLOSS", LOSS), ("shallow deletion", LOSS),
        ("hemizygous deletion", LOSS),
        ("0", NEUTRAL), ("diploid", NEUTRAL), ("Wild type", NEUTRAL),
        ("-1.5", "-1.5"), ("<DUP>", "unlevelled"), ("DEL", "unlevelled"),
        ("3", None), ("mystery", None), ("nan", None),
    ],
)  # fmt: skip
def test_call_vocabulary(written: str, level: str | None) -> None:
    assert call_level(written) == level


@given(st.sampled_from(["Gain", "GAIN", "1", "+1", "Loss", "-1", "HETLOSS", "0", "-1.5", "DUP"]))
@settings(max_examples=30, deadline=None)
def test_low_level_calls_are_never_reported(call: str) -> None:
    qc = QCCounter()
    assert trusted_call("ERBB2", call, qc, "x") is None
    assert sum(qc.skipped.values()) == 1


def test_cbioportal_matrix(tests_data: Path) -> None:
    path = tests_data / "cnv" / "cbioportal_cna_matrix.txt"
    r = read_cnv(path, RunOptions(tumor_type="BRCA", sample="TCGA-ZZ-0006-01"))
    assert _calls(r) == [("ERBB2", AMPLIFICATION), ("PTEN", DELETION)]
    assert r.alterations[0].notes == [
        "called '2' (amplification) by the input, without a copy number or fold change to check"
    ]
    assert r.qc.skipped == {
        "copy-number call one-copy loss: not a deep deletion": 1,
        "copy-number call -1.5 (between one-copy loss and deep deletion): not reported": 1,
        "CNA matrix row without Hugo_Symbol (Entrez_Gene_Id only)": 1,
    }
    assert (r.sample, r.sample_rule) == ("TCGA-ZZ-0006-01", "--sample TCGA-ZZ-0006-01 (exact id)")
    other = read_cnv(path, RunOptions(tumor_type="BRCA", sample="TCGA-ZZ-0005"))
    assert _calls(other) == [("CDKN2A", DELETION)]
    assert other.qc.skipped["copy-number call gain (low level): not an amplification"] == 1
    third = read_cnv(path, RunOptions(tumor_type="BRCA", sample="TCGA-ZZ-0007-01"))
    assert third.qc.skipped["copy-number value missing (NA: not profiled)"] == 1


def test_matrix_needs_a_sample(tests_data: Path) -> None:
    path = tests_data / "cnv" / "cbioportal_cna_matrix.txt"
    result = CliRunner().invoke(main, ["annotate", "-t", "BRCA", "--cnv", str(path)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: the copy-number matrix holds 3 samples: TCGA-ZZ-0005-01, "
        "TCGA-ZZ-0006-01, TCGA-ZZ-0007-01\n"
        "Hint: pass --sample ID: the exact id, or a TCGA barcode prefix such as TCGA-A6-2686\n"
    )


def test_gistic_layout(tests_data: Path) -> None:
    path = tests_data / "cnv" / "gistic_thresholded.txt"
    a = read_cnv(path, RunOptions(tumor_type="BRCA", sample="TUMOUR-A"))
    b = read_cnv(path, RunOptions(tumor_type="BRCA", sample="TUMOUR-B"))
    assert (_calls(a), _calls(b)) == ([("ERBB2", AMPLIFICATION)], [("CCNE1", AMPLIFICATION)])


def test_continuous_matrix_refused(tests_data: Path) -> None:
    path = tests_data / "cnv" / "continuous_matrix.txt"
    with pytest.raises(FormatError) as err:
        read_cnv(path, RunOptions(tumor_type="BRCA", sample="S1"))
    assert str(err.value) == (
        f"{path}: the matrix holds continuous values ('0.512' at line 2), not discrete -2..2 "
        "calls (hint: give the discrete (GISTIC thresholded) file, or a table of copy numbers)"
    )


def test_long_format(tests_data: Path) -> None:
    path = tests_data / "cnv" / "cbioportal_cna_long.txt"
    r = read_cnv(path, RunOptions(tumor_type="BRCA", sample="TCGA-ZZ-0005"))
    assert _calls(r) == [("CDKN2A", DELETION)]
    assert r.sample_rule == "--sample TCGA-ZZ-0005 (barcode prefix of TCGA-ZZ-0005-01)"
    assert r.qc.skipped == {
        "copy-number call gain (low level): not an amplification": 1,
        "copy-number row without copy number, fold change or call": 1,
    }
    assert r.qc.warnings == [
        "cbioportal_cna_long.txt: 1 row(s) of other samples left out (kept TCGA-ZZ-0005-01)"
    ]
    with pytest.raises(SampleError, match="the copy-number file holds 2 samples"):
        read_cnv(path, RunOptions(tumor_type="BRCA"))


def test_words(tests_data: Path) -> None:
    r = read_cnv(tests_data / "cnv" / "words_long.txt", RunOptions(tumor_type="BRCA", sample="P1"))
    assert _calls(r) == [
        ("MET", AMPLIFICATION), ("CDKN2A", DELETION), ("MYC", AMPLIFICATION), ("RB1", DELETION),
    ]  # fmt: skip
    assert r.qc.skipped == {
        "copy-number call gain (low level): not an amplification": 2,
        "copy-number call one-copy loss: not a deep deletion": 2,
        "copy-number call neutral": 1,
        "copy-number call not understood": 1,
    }


def test_low_level_gain_never_triggers_her2_drugs(tests_data: Path) -> None:
    path = tests_data / "cnv" / "words_long.txt"
    drugs = {}
    for sample in ("P1", "P2"):
        args = ["annotate", "-t", "BRCA", "--cnv", str(path), "--sample", sample]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        case = json.loads(result.output)
        drugs[sample] = {d for m in case["matches"] if m["gene"] == "ERBB2" for d in m["drugs"]}
    assert drugs["P1"] == set()  # ERBB2 Gain
    assert "trastuzumab" in drugs["P2"]  # ERBB2 Amplification


def test_hostile_values_skipped_never_neutral_or_deleted(tests_data: Path) -> None:
    path = tests_data / "cnv" / "hostile.tsv"
    r = read_cnv(path, RunOptions(tumor_type="BRCA"))
    assert _calls(r) == [("MYC", AMPLIFICATION)]
    assert r.qc.skipped_examples == {
        "copy number is NaN": f"ERBB2 ({path}:2)",
        "copy number is negative": f"CDKN2A ({path}:3)",
        "copy number is infinite": f"MET ({path}:4)",
        "fold change is NaN": f"FGFR2 ({path}:5)",
        "fold change is negative": f"PTEN ({path}:6)",
        "copy-number row without copy number, fold change or call": f"BRCA2 ({path}:7)",
    }
    assert "copy-number neutral" not in r.qc.skipped


def test_segments_restricted_to_the_patient(tests_data: Path) -> None:
    path = tests_data / "cnv" / "two_samples.seg"
    a = read_cnv(path, RunOptions(tumor_type="BRCA", genome="GRCh38", sample="TUMOUR-A"))
    assert _calls(a) == [("CDKN2A", DELETION), ("ERBB2", AMPLIFICATION)]
    erbb2 = a.alterations[1]
    assert erbb2.copy_number == 9.19
    assert erbb2.notes == ["copy number estimated as 2 x 2^log2 ratio (purity and ploidy not used)"]
    b = read_cnv(path, RunOptions(tumor_type="BRCA", genome="GRCh38", sample="TUMOUR-B"))
    assert _calls(b) == []
    assert b.qc.skipped == {"segment log2 ratio is NaN or infinite": 1}
    with pytest.raises(SampleError) as err:
        read_cnv(path, RunOptions(tumor_type="BRCA", genome="GRCh38"))
    assert err.value.message == "the segment file holds 2 samples: TUMOUR-A, TUMOUR-B"


def test_pcgr_segments_with_panel_all_keep_erbb2(shared_data: Path) -> None:
    path = shared_data / "somatic_vcf" / "pcgr_T001.grch38.cna.tsv"
    args = ["annotate", "-t", "BRCA", "--genome", "GRCh38", "--panel", "all", "--cnv", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    case = json.loads(result.output)
    erbb2 = next(v for v in case["variants"] if v["label"] == "ERBB2 amplification")
    assert erbb2["copy_number"] == 9.0
    assert "trastuzumab" in {d for m in case["matches"] for d in m["drugs"]}
    assert len(case["variants"]) > 100  # every gene of the GRCh38 gene table, not a panel's


def test_negative_segment_copy_number_is_not_a_deep_deletion(tmp_path: Path) -> None:
    path = tmp_path / "s.tsv"
    path.write_text(
        "Chromosome\tStart\tEnd\tCN\n9\t21960000\t22000000\t-1\n17\t39680000\t39740000\tnan\n"
    )
    r = read_cnv(path, RunOptions(tumor_type="BRCA", genome="GRCh38"))
    assert r.alterations == []
    assert r.qc.skipped == {"segment copy number is negative": 1, "segment copy number is NaN": 1}


def test_truncated_cnv_table(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    path.write_text("gene\tcopy_number\tcall\nERBB2\t14\tamplification\nMET")
    with pytest.raises(TruncatedInputError, match=r":3: the file ends inside its last line"):
        read_cnv(path, RunOptions(tumor_type="BRCA"))


@given(st.lists(st.sampled_from(["-2", "-1", "0", "1", "2", "NA"]), min_size=1, max_size=30))
@settings(max_examples=60, deadline=None)
def test_matrix_column_round_trip(tmp_path_factory, values: list[str]) -> None:
    genes = [f"GENE{i}" for i in range(len(values))]
    path = tmp_path_factory.mktemp("cna") / "m.txt"
    rows = "".join(
        f"{g}\t{i}\t{v}\t0\n" for i, (g, v) in enumerate(zip(genes, values, strict=True))
    )
    path.write_text("Hugo_Symbol\tEntrez_Gene_Id\tS-1\tS-2\n" + rows)
    r = read_cnv(path, RunOptions(tumor_type="BRCA", sample="S-1"))
    expected = [
        (g, AMPLIFICATION if v == "2" else DELETION)
        for g, v in zip(genes, values, strict=True)
        if v in ("2", "-2")
    ]
    assert _calls(r) == expected
    assert r.qc.records_read == len(values)
    assert sum(r.qc.skipped.values()) == len(values) - len(expected)


def test_gene_cell_must_be_one_symbol(tmp_path: Path) -> None:
    """Oncotator-style gene-level segments name segment boundaries inside genes ('CAPN3 8+')."""
    path = tmp_path / "g.tsv"
    path.write_text("gene\tsegment_mean\tsample\nCAPN3 8+\t2.2\tT1\nERBB2\t2.2\tT1\n")
    r = read_cnv(path, RunOptions(tumor_type="BRCA"))
    assert _calls(r) == [("ERBB2", AMPLIFICATION)]
    assert r.qc.skipped_examples == {
        "CNV gene cell is not one gene symbol": f"{path}:2 ('CAPN3 8+')"
    }


def test_subprocess_matrix(tests_data: Path) -> None:
    path = tests_data / "cnv" / "cbioportal_cna_matrix.txt"
    base = [sys.executable, "-m", "tumorboard", "annotate", "-t", "BRCA", "--cnv", str(path)]
    ok = subprocess.run([*base, "--sample", "TCGA-ZZ-0006", "--format", "tsv"],
                        capture_output=True, text=True, check=False)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    rows = [line.split("\t")[:2] for line in ok.stdout.splitlines()[1:]]
    assert rows == [["ERBB2", "amplification"], ["PTEN", "deletion"]]
    missing = subprocess.run([*base, "--sample", "TCGA-ZZ-0099"], capture_output=True, text=True,
                             check=False)  # fmt: skip
    assert missing.returncode == 1
    assert missing.stderr == (
        f"Error: {path}: sample 'TCGA-ZZ-0099' is not in the copy-number matrix; samples: "
        "TCGA-ZZ-0005-01, TCGA-ZZ-0006-01, TCGA-ZZ-0007-01\n"
        "Hint: pass one of the listed ids (or a TCGA barcode prefix of one) with --sample\n"
    )


def test_short_row_mid_file_is_skipped_not_padded(tmp_path: Path) -> None:
    """'ERBB2<TAB>1' lost cells: its copy number may be cut too ('14' -> '1'), so the row is
    skipped with its reason rather than padded and read."""
    path = tmp_path / "c.tsv"
    path.write_text("gene\tcopy_number\tcall\nERBB2\t1\nMET\t9\tamplification\n")
    r = read_cnv(path, RunOptions(tumor_type="BRCA"))
    assert _calls(r) == [("MET", AMPLIFICATION)]
    assert r.qc.records_read == 2
    assert r.qc.skipped_examples == {
        "copy-number table row has fewer cells than the header": f"{path}:2 (2 of 3)"
    }


def test_cnv_table_notes_no_rows_and_a_missing_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    path.write_text("gene\tcopy_number\n")
    r = read_cnv(path, RunOptions(tumor_type="BRCA"))
    assert (r.alterations, r.qc.warnings) == (
        [],
        ["c.tsv: a header line and no data rows: no copy-number calls read from this file"],
    )
    path.write_text("gene\tcopy_number\nERBB2\t14")
    r = read_cnv(path, RunOptions(tumor_type="BRCA"))
    assert _calls(r) == [("ERBB2", AMPLIFICATION)]
    assert r.qc.warnings == [
        "c.tsv:2: the file does not end with a newline; its last line was read as it stands: "
        "check that the file is complete"
    ]


def test_segment_chromosomes(tmp_path: Path) -> None:
    """1-22, X, Y, MT with or without 'chr'; 23 is X (GISTIC/DNAcopy numbering); anything else
    (an unplaced contig, escape bytes) is skipped with its reason and an escaped excerpt."""
    path = tmp_path / "s.tsv"
    path.write_text(
        "Chromosome\tStart\tEnd\tCN\n"
        "chrZZ\x1b\t39680000\t39740000\t12\n"
        "chrUn_KI270742v1\t1\t1000\t12\n"
        "23\t67500000\t67800000\t12\n"
        "chr17\t39680000\t39740000\t12\n"
    )
    r = read_cnv(path, RunOptions(tumor_type="PRAD", genome="GRCh38"))
    assert _calls(r) == [("AR", AMPLIFICATION), ("ERBB2", AMPLIFICATION)]
    assert r.qc.skipped == {"segment chromosome is not 1-22, X, Y or MT": 2}
    assert r.qc.skipped_examples == {
        "segment chromosome is not 1-22, X, Y or MT": f"{path}:2 ('chrZZ\\x1b')"
    }
