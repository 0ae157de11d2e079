"""Control-FREEC's copy-number calls (nf-core/sarek's CNV caller): ``_CNVs`` and ``.p.value.txt``.

Fixtures are written here from the layout FREEC's own code writes (``GenomeCopyNumber::printCNVs``,
``EntryCNV::printEntryCNV``; ``assess_significance.R`` for the p-value table): no header in
``_CNVs``, chromosomes without ``chr``, absolute integer copy numbers judged against the run's
ploidy by the status word, genotype and uncertainty when allele frequencies were computed, and
``somatic``/``germline`` in a paired whole-genome run. GRCh38 gene spans from
``panels/genes_GRCh38.bed``: ERBB2 chr17:39,699,063-39,729,658, CDKN2A chr9:21,966,751-21,995,331,
BRCA2 chr13:32,314,507-32,401,268, TNFRSF14 chr1:2,555,370-2,564,829.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.cli import main
from tumorboard.readers.cnv_freec import (
    FREEC_COLUMNS,
    cnvs_table,
    is_cnvs_line,
    minor_copies,
    status_ploidy,
)
from tumorboard.readers.detect import detect_format

# a diploid tumour-only run (7 columns: allele frequencies computed)
DIPLOID = [
    "1\t0\t5000000\t1\tloss\tA\t0.4",  # TNFRSF14 region: one copy, LOH
    "3\t100000\t2000000\t3\tgain\tAAB\t2.1",
    "9\t21900000\t22100000\t0\tloss\t-\t-1",  # CDKN2A: no copy left
    "17\t39600000\t39800000\t12\tgain\t-\t-1",  # ERBB2: 12 copies
    "X\t0\t2000000\t2\tgain\tAB\t0.7",  # a male X judged against ploidy/2: not autosomal
]
PVALUE_HEADER = "\t".join([*FREEC_COLUMNS, "WilcoxonRankSumTestPvalue", "KolmogorovSmirnovPvalue"])
# a paired whole-genome run of a tetraploid tumour (9 columns + the two p-values)
TETRAPLOID = [
    "17\t39600000\t39800000\t8\tgain\t-\t-1\tsomatic\t0\t1.2e-10\t3.1e-08",  # ERBB2: 8 of 4
    "2\t1000000\t9000000\t3\tloss\tAAB\t1.3\tsomatic\t0\t2e-05\t1e-04",
    "5\t1000000\t9000000\t5\tgain\tAAAAB\t3.2\tsomatic\t0\t1e-06\t1e-05",
    "13\t32300000\t32420000\t0\tloss\t-\t-1\tgermline\t1\t0.001\t0.002",  # BRCA2: the control's
]


def _write(path: Path, lines: list[str], header: str | None = None) -> Path:
    path.write_text("".join(f"{ln}\n" for ln in ([header] if header else []) + lines))
    return path


def _annotate(tmp_path: Path, *args: str) -> tuple[Any, dict[str, Any]]:
    out = tmp_path / "case.json"
    result = CliRunner().invoke(
        main, ["annotate", *args, "-t", "BRCA", "--genome", "GRCh38", "-o", str(out)]
    )
    return result, (json.loads(out.read_text()) if result.exit_code == 0 else {})


def _calls(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["gene"]: v for v in case["variants"]}


def test_cnvs_file_without_header_is_read_as_freec_segments(tmp_path: Path) -> None:
    cnvs = _write(tmp_path / "S1.tumor.mpileup.gz_CNVs", DIPLOID)
    assert detect_format(str(cnvs)) == "freec_cnvs"
    result, case = _annotate(tmp_path, str(cnvs))
    assert result.exit_code == 0, result.output
    calls = _calls(case)
    assert calls["ERBB2"]["kind"] == "amplification"
    assert calls["ERBB2"]["copy_number"] == 12
    assert calls["CDKN2A"]["kind"] == "deletion"
    assert "TNFRSF14" not in calls  # one copy is no deep deletion
    qc = case["qc"]
    assert qc["annotation"] == "copy number (Control-FREEC segments)"
    assert qc["records_read"] == 5
    # diploid by its own calls (losses at 0-1, gains from 3): no ploidy warning, threshold 6
    assert not any("ploidy" in w for w in qc["warnings"]), qc["warnings"]
    assert any(m["drugs"] == ["trastuzumab"] for m in case["matches"])


def test_genotype_gives_loh_for_biallelic_marking(tmp_path: Path) -> None:
    from tumorboard.models import RunOptions
    from tumorboard.panels import load_panel
    from tumorboard.readers.cnv import read_freec_cnvs

    cnvs = _write(tmp_path / "S1_CNVs", DIPLOID)
    panel = load_panel("tso500", genome="GRCh38")
    read = read_freec_cnvs(str(cnvs), RunOptions(tumor_type="BRCA", genome="GRCh38"), panel)
    assert "TNFRSF14" in read.loh  # genotype A: the minor allele is lost
    assert "ERBB2" not in read.loh  # genotype '-': not known


def test_pvalue_table_of_a_tetraploid_paired_run(tmp_path: Path) -> None:
    table = _write(tmp_path / "T_vs_N.p.value.txt", TETRAPLOID, PVALUE_HEADER)
    assert detect_format(str(table)) == "cnv"
    result, case = _annotate(tmp_path, "--cnv", str(table))
    assert result.exit_code == 0, result.output
    calls = _calls(case)
    # loss at 3 and gain at 5: FREEC's ploidy is 4, so 8 copies of ERBB2 is a gain (threshold
    # 6 x 4 / 2 = 12), not an amplification, and no HER2 drug is proposed from it
    assert "ERBB2" not in calls
    assert not any("trastuzumab" in m["drugs"] for m in case["matches"])
    qc = case["qc"]
    assert any("ploidy at 4: amplification called at copy number >= 12" in w
               for w in qc["warnings"]), qc["warnings"]  # fmt: skip
    # the control's BRCA2 deletion is germline: never the tumour's, and said so
    assert "BRCA2" not in calls
    assert any("germline" in s["reason"] for s in qc["skipped"])
    assert any("marks germline" in n for n in qc["not_assessable"]), qc["not_assessable"]


def test_a_ploidy_left_open_lists_the_genes_it_decides(tmp_path: Path) -> None:
    # 5 columns (no allele frequencies): a loss at 1 and a gain at 8 allow ploidy 2 to 4
    cnvs = _write(
        tmp_path / "S2_CNVs",
        ["17\t39600000\t39800000\t8\tgain", "9\t21900000\t22100000\t1\tloss"],
    )
    result, case = _annotate(tmp_path, str(cnvs))
    assert result.exit_code == 0, result.output
    assert "ERBB2" not in _calls(case)  # no amplification claimed that ploidy 4 would refuse
    qc = case["qc"]
    assert any("ploidy at 2-4" in w for w in qc["warnings"]), qc["warnings"]
    (line,) = [n for n in qc["not_assessable"] if "ERBB2 (8)" in n]
    assert "Output_Ploidy" in line
    assert "--amp-copy-number" in line


@pytest.mark.parametrize(
    ("name", "lines", "expected"),
    [
        ("S_normal_CNVs", DIPLOID, "normal (control) sample"),
        (
            "S_ratio.txt",
            ["Chromosome\tStart\tRatio\tMedianRatio\tCopyNumber\tBAF\testimatedBAF\tGenotype\t"
             "UncertaintyOfGT", "1\t1\t1.02\t1.0\t2\t0.5\t0.5\tAB\t0"],
            "bin-level ratios",
        ),
        (
            "S_BAF.txt",
            ["Chromosome\tPosition\tBAF\tFittedA\tFittedB\tA\tB\tuncertainty",
             "1\t14930\t0.48\t0.5\t0.5\t0.5\t0.5\t0.01"],
            "B-allele frequencies",
        ),
    ],
)  # fmt: skip
def test_freec_files_that_are_not_the_tumour_s_segments_are_refused(
    tmp_path: Path, name: str, lines: list[str], expected: str
) -> None:
    path = _write(tmp_path / name, lines)
    result, _ = _annotate(tmp_path, str(path))
    assert result.exit_code == 1
    error, hint = result.output.strip().splitlines()[-2:]
    assert error.startswith("Error: ")
    assert expected in error
    assert hint.startswith("Hint: ")
    assert not (tmp_path / "case.json").exists()


def test_subprocess_reads_a_cnvs_file(tmp_path: Path) -> None:
    cnvs = _write(tmp_path / "S1_CNVs", DIPLOID)
    done = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(cnvs), "-t", "BRCA",
         "--genome", "GRCh38", "--format", "tsv"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ERBB2" in done.stdout
    assert "CDKN2A" in done.stdout


def test_first_line_recognition() -> None:
    assert is_cnvs_line("1\t0\t819999\t3\tgain\tAAB\t10.39\n")
    assert is_cnvs_line("3\t125582695\t126671834\t3\tgain\tAAB\t100\tsomatic\t0")
    assert is_cnvs_line("X\t0\t100\t2\tnormal")  # FREEC before 9.6
    assert not is_cnvs_line("chr\tstart\tend\tcopy number\tstatus")  # the p-value header
    assert not is_cnvs_line("1\t0\t100\t2.5\tgain")  # not FREEC's integer copy number
    assert not is_cnvs_line("1\t0\t100\t3\tgain\tAAB")  # 6 cells: no FREEC layout


def test_rows_of_several_widths_in_one_file(tmp_path: Path) -> None:
    # FREEC's capture-region path can write an X/Y row twice, once without genotype columns
    cnvs = _write(tmp_path / "S_CNVs", ["X\t100\t5000\t3\tgain", "X\t100\t5000\t3\tgain\tAAB\t1"])
    table = cnvs_table(str(cnvs))
    assert table.header == list(FREEC_COLUMNS[:7])
    assert [len(c) for _, c in table.rows] == [5, 7]


@given(st.text(alphabet="AB", min_size=1, max_size=12))
def test_minor_copies_counts_the_rarer_allele(genotype: str) -> None:
    assert minor_copies(genotype) == min(genotype.count("A"), genotype.count("B"))


@settings(max_examples=200)
@given(
    ploidy=st.integers(min_value=1, max_value=6),
    copies=st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=30),
)
def test_the_ploidy_freec_used_is_inside_what_its_status_words_allow(
    tmp_path_factory: pytest.TempPathFactory, ploidy: int, copies: list[int]
) -> None:
    """Rows written as FREEC writes them for a run of ``ploidy``: gain above, loss below,
    neutral at it. The ploidy read back must allow the true one, and pin it when a neutral row
    or a gain and loss next to it are there."""
    lines = []
    for i, cn in enumerate(copies):
        word = "gain" if cn > ploidy else "loss" if cn < ploidy else "neutral"
        lines.append(f"{i % 22 + 1}\t{i * 1000}\t{i * 1000 + 999}\t{cn}\t{word}")
    path = tmp_path_factory.mktemp("freec") / "S_CNVs"
    table = cnvs_table(str(_write(path, lines)))
    found = status_ploidy(table, table.rows)
    assert not isinstance(found, str)
    low, high, exact = found
    assert low <= ploidy
    assert high is None or ploidy <= high
    if ploidy in copies:
        assert exact == ploidy
    if ploidy - 1 in copies and ploidy + 1 in copies:
        assert low == high == ploidy


def test_a_given_amplification_threshold_is_used_as_it_stands(tmp_path: Path) -> None:
    # the user read Output_Ploidy 2 in FREEC's _info.txt: 3 x 2 = 6
    cnvs = _write(
        tmp_path / "S2_CNVs",
        ["17\t39600000\t39800000\t8\tgain", "9\t21900000\t22100000\t1\tloss"],
    )
    result, case = _annotate(tmp_path, str(cnvs), "--amp-copy-number", "6")
    assert result.exit_code == 0, result.output
    assert _calls(case)["ERBB2"]["kind"] == "amplification"
    qc = case["qc"]
    assert not qc["not_assessable"]
    assert any("as --amp-copy-number gives it" in w for w in qc["warnings"]), qc["warnings"]
