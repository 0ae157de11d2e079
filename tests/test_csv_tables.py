"""Comma-separated tables: JAFFA's ``jaffa_results.csv`` and any table a spreadsheet saved as CSV.

The JAFFA fixture is written from JAFFA's own ``make_final_table.R`` (its column order and
``write.csv`` quoting) and the JAFFA wiki's description of the classification; no JAFFA output
file is copied.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cli_run import annotate
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.readers.detect import detect_format
from tumorboard.readers.table import read_table

JAFFA_HEADER = (
    '"sample","fusion genes","chrom1","base1","strand1","chrom2","base2","strand2","gap (kb)",'
    '"spanning pairs","spanning reads","inframe","aligns","rearrangement","contig",'
    '"contig break","classification","known"\n'
)


def jaffa_row(genes: str, pairs: str, reads: int, classification: str) -> str:
    return (
        f'"T1","{genes}","chr2",42299000,"+","chr2",29223000,"-",13076,"{pairs}",{reads},TRUE,'
        f'TRUE,TRUE,"Locus_1_Transcript_1/1",371,"{classification}","-"\n'
    )


def test_jaffa_results_reach_the_alk_and_ret_labels(tmp_path: Path) -> None:
    """JAFFA's CSV: ``BCR:ABL1``-style pairs (5':3'), spanning pairs + spanning reads summed
    ("-" in direct mode: no count of that kind, not a skipped row), its doubts noted."""
    path = tmp_path / "jaffa_results.csv"
    path.write_text(
        JAFFA_HEADER
        + jaffa_row("EML4:ALK", "12", 30, "HighConfidence")
        + jaffa_row("KIF5B:RET", "-", 3, "LowConfidence")
        + jaffa_row("CCDC6:RET", "2", 2, "PotentialRegularTranscript")
    )
    assert detect_format(str(path)) == "fusions"
    code, output, case = annotate([str(path), "-t", "LUAD", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    found = {v["label"]: v for v in case["variants"]}
    assert found["EML4::ALK fusion"]["supporting_reads"] == 42
    assert found["KIF5B::RET fusion"]["supporting_reads"] == 3
    assert "JAFFA classification LowConfidence" in found["KIF5B::RET fusion"]["note"]
    assert "read-through" in found["CCDC6::RET fusion"]["note"]
    assert case["qc"]["skipped"] == []
    drugs = {d for m in case["matches"] for d in m["drugs"]}
    assert {"alectinib", "selpercatinib"} <= drugs


def test_a_spreadsheet_cnv_table_saved_as_csv(tmp_path: Path) -> None:
    """A gene copy-number table exported as CSV (a quoted cell holding a comma stays one cell)."""
    path = tmp_path / "cnv.csv"
    path.write_text('gene,copy_number,comment\nERBB2,14,"focal, high level"\nCDKN2A,0,deep\n')
    assert detect_format(str(path)) == "cnv"
    code, output, case = annotate([str(path), "-t", "BRCA", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    labels = {v["label"] for v in case["variants"]}
    assert labels == {"ERBB2 amplification", "CDKN2A deletion"}
    assert any("trastuzumab" in m["drugs"] for m in case["matches"])


def test_a_csv_table_as_a_subprocess(tmp_path: Path) -> None:
    path = tmp_path / "jaffa_results.csv"
    path.write_text(JAFFA_HEADER + jaffa_row("EML4:ALK", "12", 30, "HighConfidence"))
    out = tmp_path / "c.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", "--fusions", str(path), "-t", "LUAD",
         "-o", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["variants"][0]["label"] == "EML4::ALK fusion"


cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=5))
def test_csv_cells_read_back(tmp_path_factory, rows: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    """Any cells written as Python's csv module writes them (quoted when they hold a comma or a
    quote) read back as written."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["gene", "copy_number", "note"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    table = read_table(str(path))
    assert table is not None
    assert table.keys == ["gene", "copynumber", "note"]
    # a line starting with '#' after the header is a comment, as in every table
    assert [cells for _, cells in table.rows] == [r for r in rows if not r[0].startswith("#")]


def test_a_csv_saved_by_excel_with_a_bom_and_crlf(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" starts with a byte-order mark and ends lines with CR LF."""
    path = tmp_path / "cnv.csv"
    path.write_bytes(b"\xef\xbb\xbfgene,copy_number\r\nERBB2,14\r\n")
    code, output, case = annotate([str(path), "-t", "BRCA", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    assert [v["label"] for v in case["variants"]] == ["ERBB2 amplification"]
