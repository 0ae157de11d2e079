"""Tables as other tools and everyday software write them (a sweep of published files, 2026-11):
GDC MAF comment lines, quoted cells, CNVkit, PURPLE, Sequenza and FACETS copy number, MAF rows
without a protein change, conflicting copy-number calls.

Fixtures are written here from the tools' documented column layouts (GDC MAF specification,
CNVkit "File formats", PURPLE README, Sequenza and FACETS output descriptions); no file is
copied from the tools' repositories.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.cli import main
from tumorboard.readers.detect import detect_format
from tumorboard.readers.text import unquote

MAF_HEADER = (
    "Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\t"
    "Tumor_Seq_Allele2\tTumor_Sample_Barcode\tHGVSp_Short\tNCBI_Build\tt_depth\tt_alt_count\n"
)
BRAF_V600E_38 = (
    "BRAF\tchr7\t140753336\t140753336\tA\tT\tTCGA-XX-0001-01A\tp.V600E\tGRCh38\t100\t40\n"
)
GDC_PREAMBLE = (
    "#version gdc-1.0.0\n#filedate 20260101\n#annotation.spec gdc-1.0.1-public\n"
    "#n.analyzed.samples 1\n#tumor.aliquots.submitter_id TCGA-XX-0001-01A\n"
)


def annotate(args: list[str]) -> tuple[int, str, dict]:
    out = args[args.index("-o") + 1]
    result = CliRunner().invoke(main, ["annotate", *args])
    data = json.loads(Path(out).read_text()) if result.exit_code == 0 else {}
    return result.exit_code, result.output, data


def labels(case: dict) -> list[str]:
    return [f"{v['gene']} {v['protein'] or v['kind']}" for v in case["variants"]]


# --- GDC MAFs: several comment lines above the header --------------------------------------------
@pytest.mark.parametrize("packed", [False, True])
def test_a_gdc_maf_with_its_comment_lines_is_read(tmp_path: Path, packed: bool) -> None:
    text = GDC_PREAMBLE + MAF_HEADER + BRAF_V600E_38
    path = tmp_path / ("case.maf.gz" if packed else "case.maf")
    if packed:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    assert detect_format(str(path)) == "maf"
    code, output, case = annotate([str(path), "-t", "SKCM", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    assert labels(case) == ["BRAF V600E"]
    assert case["qc"]["records_read"] == 1
    assert any(m["label"] == "on-label" for m in case["matches"])


def test_a_gdc_maf_runs_as_a_subprocess(tmp_path: Path) -> None:
    path = tmp_path / "case.maf"
    path.write_text(GDC_PREAMBLE + MAF_HEADER + BRAF_V600E_38)
    out = tmp_path / "c.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(path), "-t", "SKCM", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert labels(json.loads(out.read_text())) == ["BRAF V600E"]


def test_a_star_fusion_header_still_counts_as_a_header(tmp_path: Path) -> None:
    """``#FusionName`` (a '#' line with tabs) is a header, not a comment."""
    path = tmp_path / "sf.tsv"
    path.write_text(
        "#FusionName\tJunctionReadCount\tSpanningFragCount\tLeftGene\tRightGene\n"
        "EML4--ALK\t20\t10\tEML4^ENSG00000143924.19\tALK^ENSG00000171094.18\n"
    )
    assert detect_format(str(path)) == "fusions"
    code, output, case = annotate(
        ["--fusions", str(path), "-t", "LUAD", "-o", str(tmp_path / "c.json")]
    )
    assert code == 0, output
    assert labels(case) == ["EML4 fusion"]
    assert case["variants"][0]["gene3"] == "ALK"


# --- quoted cells (R write.table, spreadsheets) -------------------------------------------------
def _quoted(line: str) -> str:
    return "\t".join(f'"{c}"' if not c.replace(".", "").isdigit() else c for c in line.split("\t"))


def test_a_quoted_maf_is_read_as_unquoted(tmp_path: Path) -> None:
    path = tmp_path / "q.maf"
    path.write_text(_quoted(MAF_HEADER.rstrip("\n")) + "\n" + _quoted(BRAF_V600E_38.rstrip("\n")))
    code, output, case = annotate([str(path), "-t", "SKCM", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    assert labels(case) == ["BRAF V600E"]
    assert case["variants"][0]["chrom"] == "chr7"
    assert case["qc"]["sample"] == "TCGA-XX-0001-01A"


def test_quoted_segments_keep_their_amplification(tmp_path: Path) -> None:
    path = tmp_path / "q.seg"
    path.write_text(
        '"ID"\t"chrom"\t"loc.start"\t"loc.end"\t"num.mark"\t"seg.mean"\n'
        '"S1"\t"17"\t39680000\t39740000\t40\t2.2\n'
    )
    code, output, case = annotate(
        ["--cnv", str(path), "-t", "BRCA", "--genome", "GRCh38", "--sample", "S1",
         "-o", str(tmp_path / "c.json")]
    )  # fmt: skip
    assert code == 0, output
    assert labels(case) == ["ERBB2 amplification"]


def test_quoted_fusions_and_gene_tables(tmp_path: Path) -> None:
    fusions = tmp_path / "f.tsv"
    fusions.write_text('"FusionGene"\t"SplitReads"\n"EML4--ALK"\t"12"\n')
    cnv = tmp_path / "cnv.tsv"
    cnv.write_text('"gene"\t"copy_number"\n"ERBB2"\t"12"\n')
    code, output, case = annotate(
        ["--fusions", str(fusions), "--cnv", str(cnv), "-t", "LUAD", "-o", str(tmp_path / "c.json")]
    )
    assert code == 0, output
    assert sorted(labels(case)) == ["EML4 fusion", "ERBB2 amplification"]
    assert not case["qc"]["skipped"]


@given(st.text(alphabet=st.characters(blacklist_characters='\t\n\r"'), max_size=20))
@settings(max_examples=200)
def test_unquote_round_trip(value: str) -> None:
    quoted = '"' + value + '"'
    assert unquote(quoted) == value
    assert unquote(value) == value  # nothing to take off
    assert unquote('"' + value.replace("x", '""') + '"') == value.replace("x", '"')
