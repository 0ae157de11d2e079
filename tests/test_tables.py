"""Shared table machinery (issue 12 point 3, issue 13 point 1): one patient per file, checked
numbers, truncated last lines, and which table kind a header names."""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.errors import SampleError, TruncatedInputError
from tumorboard.readers.detect import _tsv_kind, detect_format
from tumorboard.readers.table import (
    choose_sample,
    count,
    is_barcode_prefix,
    number,
    read_table,
    table_notes,
)
from tumorboard.readers.text import iter_lines_ended

BARCODE = "TCGA-A6-2686-01A-01D-1408-10"


@pytest.mark.parametrize(
    ("short", "long", "expected"),
    [
        ("TCGA-A6-2686", BARCODE, True),
        ("TCGA-A6-2686-01", BARCODE, True),  # the sample field before its vial letter
        ("TCGA-A6-2686-01A", BARCODE, True),
        ("TCGA-A6-268", BARCODE, False),  # not at a field boundary
        ("TCGA-A6-2686-0", BARCODE, False),
        ("TCGA-A6", BARCODE, False),  # fewer than three fields
        ("TCGA-A6-2687", BARCODE, False),
        (BARCODE, BARCODE, False),  # equal is an exact match, not a prefix
        ("PT-0042", "PT-0042-DNA", False),
        ("123-45-678", "123-45-678-9", False),  # the first field must be letters
    ],
)
def test_barcode_prefix(short: str, long: str, expected: bool) -> None:
    assert is_barcode_prefix(short, long) is expected


def test_choose_sample_rules() -> None:
    found = [BARCODE, "TCGA-05-4417-01"]
    exact = choose_sample(found, "TCGA-05-4417-01", "f", "MAF")
    assert (exact.sample, exact.rule) == ("TCGA-05-4417-01", "--sample TCGA-05-4417-01 (exact id)")
    prefix = choose_sample(found, "TCGA-A6-2686", "f", "MAF")
    assert prefix.rule == f"--sample TCGA-A6-2686 (barcode prefix of {BARCODE})"
    longer = choose_sample(found, "TCGA-05-4417-01A-01D-1931-08", "f", "MAF")
    assert longer.sample == "TCGA-05-4417-01"
    assert longer.rule == (
        "--sample TCGA-05-4417-01A-01D-1931-08 (barcode extending TCGA-05-4417-01)"
    )
    only = choose_sample(["S1", "S1", ""], None, "f", "MAF")
    assert (only.sample, only.rule) == ("S1", "only sample in the MAF")
    assert choose_sample(["", " "], None, "f", "MAF").ids == frozenset()


def test_choose_sample_errors() -> None:
    samples = [f"TCGA-ZZ-{i:04d}-01" for i in range(7)]
    with pytest.raises(SampleError) as err:
        choose_sample(samples, None, "x.maf", "MAF")
    assert str(err.value) == (
        "x.maf: the MAF holds 7 samples: TCGA-ZZ-0000-01, TCGA-ZZ-0001-01, TCGA-ZZ-0002-01, "
        "TCGA-ZZ-0003-01, TCGA-ZZ-0004-01, ... (7 in all) (hint: pass --sample ID: the exact "
        "id, or a TCGA barcode prefix such as TCGA-A6-2686)"
    )
    with pytest.raises(SampleError) as err:
        choose_sample(["TCGA-A6-2686-01A", "TCGA-A6-2686-10A"], "TCGA-A6-2686", "x", "MAF")
    assert str(err.value) == (
        "x: --sample TCGA-A6-2686 matches 2 samples in the MAF: TCGA-A6-2686-01A, "
        "TCGA-A6-2686-10A (hint: give the full sample id)"
    )
    with pytest.raises(SampleError) as err:
        choose_sample(["S1", "S2"], "S3", "x", "fusion file")
    assert str(err.value) == (
        "x: sample 'S3' is not in the fusion file; samples: S1, S2 (hint: pass one of the listed "
        "ids (or a TCGA barcode prefix of one) with --sample)"
    )


@pytest.mark.parametrize(
    ("text", "value", "problem"),
    [
        ("12", 12.0, ""),
        ("1.5e1", 15.0, ""),
        ("35.2%", 35.2, ""),
        ("NA", None, ""),
        ("", None, ""),
        ("nan", None, "NaN"),
        ("-inf", None, "infinite"),
        ("inf", None, "infinite"),
        ("-612", None, "negative"),
        ("twelve", None, "not a number"),
    ],
)
def test_number(text: str, value: float | None, problem: str) -> None:
    parsed = number(text)
    assert (parsed.value, parsed.problem) == (value, problem)


def test_count_is_whole() -> None:
    assert count("7").value == 7
    assert count("7.0").value == 7
    assert count("2.5").problem == "not a whole number"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=1e12))
@settings(max_examples=100, deadline=None)
def test_number_round_trip(value: float) -> None:
    assert number(repr(value)).value == value


@given(st.floats(allow_nan=True, allow_infinity=True))
@settings(max_examples=100, deadline=None)
def test_number_never_passes_a_bad_value(value: float) -> None:
    parsed = number(repr(value))
    if parsed.value is not None:
        assert math.isfinite(parsed.value)
        assert parsed.value >= 0
    else:
        assert parsed.problem


def test_table_header_and_truncation(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("##comment\n#version 2.4\n#FusionName\tReads\t\nA--B\t3\n# note\nC--D")
    table = read_table(str(path))
    assert table is not None
    assert (table.header, table.keys, table.header_line) == (
        ["FusionName", "Reads"],
        ["fusionname", "reads"],
        3,
    )
    assert [n for n, _ in table.rows] == [4, 6]
    assert not table.complete
    assert table.truncated(6)
    assert not table.truncated(4)
    assert table_notes(table, "fusions") == [
        "t.tsv:6: the file does not end with a newline; its last line was read as it stands: "
        "check that the file is complete"
    ]
    path.write_text("Gene\tCN\r\nERBB2\t9\r\n")
    crlf = read_table(str(path))
    assert crlf is not None
    assert crlf.complete
    assert table_notes(crlf, "calls") == []
    path.write_text("Gene\tCN\nERBB2\t9\n# a trailing comment without newline")
    assert read_table(str(path)).complete  # type: ignore[union-attr]


def test_lines_know_their_newline(tmp_path: Path) -> None:
    """Each line says whether a newline ended it, read in one pass (gzip and CR/CRLF too)."""
    plain, packed = tmp_path / "t.tsv", tmp_path / "t.tsv.gz"
    plain.write_bytes(b"a\tb\r\nc\rd")
    packed.write_bytes(gzip.compress(b"a\tb\nc\n"))
    assert list(iter_lines_ended(str(plain))) == [
        (1, "a\tb", True),
        (2, "c", True),
        (3, "d", False),
    ]
    assert list(iter_lines_ended(str(packed))) == [(1, "a\tb", True), (2, "c", True)]


def test_a_header_cut_short_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.maf"
    path.write_text("#version 2.4\nHugo_Symbol\tChromosome\tStart_Pos")
    with pytest.raises(TruncatedInputError) as err:
        read_table(str(path))
    assert str(err.value) == (
        f"{path}:2: the file ends inside its header line (no newline, no rows) (hint: the file "
        "was cut short; copy or export it again (if it is complete, add the final newline: "
        "echo >> FILE))"
    )


def test_a_header_without_rows_is_noted(tmp_path: Path) -> None:
    path = tmp_path / "cnv.tsv"
    path.write_text("gene\tcopy_number\n")
    table = read_table(str(path))
    assert table is not None
    assert not table.rows
    assert table_notes(table, "copy-number calls") == [
        "cnv.tsv: a header line and no data rows: no copy-number calls read from this file"
    ]


@pytest.mark.parametrize(
    ("flag", "name", "text", "label"),
    [
        ("--cnv", "cnv.tsv", "gene\tcopy_number\nERBB2\t14\n", "ERBB2 amplification"),
        ("--fusions", "f.tsv", "FusionGene\tSplitReads\nEML4--ALK\t9\n", "EML4::ALK fusion"),
    ],
)
def test_subprocess_tables_from_process_substitution(
    tmp_path: Path, flag: str, name: str, text: str, label: str
) -> None:
    """``<(...)`` is a pipe: a table is read from it once (it was opened again to look for the
    final newline: an internal error)."""
    path = tmp_path / name
    path.write_text(text)
    command = f"{sys.executable} -m tumorboard annotate {flag} <(cat {path}) -t LUAD"
    proc = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert [v["label"] for v in json.loads(proc.stdout)["variants"]] == [label]


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Hugo_Symbol\tChromosome\tStart_Position\tReference_Allele", "maf"),
        ("NCBI_Build\tHugo_Symbol\tVariant_Classification\tHGVSp_Short", "maf"),
        ("Hugo_Symbol\tNCBI_Build\tChromosome\tStart_position\tProtein_Change", "maf"),
        ("Tumor_Sample_Barcode\tFusion", "fusions"),
        ("Tumor_Sample_Barcode\tGeneA\tGeneB\tSv_Type", "fusions"),
        ("Sample_Id\tSV_Status\tSite1_Hugo_Symbol\tSite2_Hugo_Symbol", "fusions"),
        ("Hugo_Symbol\tEntrez_Gene_Id\tTCGA-ZZ-0005-01\tTCGA-ZZ-0006-01", "cna_matrix"),
        ("Gene Symbol\tLocus ID\tCytoband\tTUMOUR-A", "cna_matrix"),
        ("Hugo_Symbol\tEntrez_Gene_Id\tSample_Id\tValue", "cnv"),
        ("Tumor_Sample_Barcode\tHugo_Symbol\tCopy_Number_Alteration", "cnv"),
        ("ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean", "cnv"),
        ("gene\tsegment_mean\tsegment_call\tsample", "cnv"),
        ("Hugo_Symbol\tChromosome", None),
        ("Gene", None),
    ],
)
def test_tsv_kinds(header: str, kind: str | None) -> None:
    assert _tsv_kind(header.split("\t")) == kind


def test_detect_new_fixtures(tests_data: Path) -> None:
    kinds = {
        "maf/oncokb_style.maf": "maf",
        "maf/moalmanac_style.maf": "maf",
        "maf/cbioportal_mutations.txt": "maf",
        "cnv/cbioportal_cna_matrix.txt": "cna_matrix",
        "cnv/gistic_thresholded.txt": "cna_matrix",
        "cnv/cbioportal_cna_long.txt": "cnv",
        "cnv/two_samples.seg": "cnv",
        "fusions/oncokb_fusions.txt": "fusions",
        "fusions/cbioportal_sv.txt": "fusions",
    }
    assert {name: detect_format(str(tests_data / name)) for name in kinds} == kinds
