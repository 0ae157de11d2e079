"""scripts/build_tables.py: the committed tables are what the script makes from shared data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # processes, whole runs: outside the fast loop (-m "not slow")

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "build_tables.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_committed_tables_are_up_to_date(shared_data: Path) -> None:
    result = run("--shared", str(shared_data), "--check")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "25 of 25 tables up to date\n"
    assert result.stderr == ""


def test_check_reports_stale_tables_and_build_is_deterministic(
    shared_data: Path, tmp_path: Path
) -> None:
    stale = run("--shared", str(shared_data), "--out", str(tmp_path), "--check")
    assert stale.returncode == 1
    assert "stale: panels/tso500/GRCh38.bed\n" in stale.stderr
    assert stale.stdout == "0 of 25 tables up to date\n"
    built = run("--shared", str(shared_data), "--out", str(tmp_path))
    assert built.returncode == 0, built.stderr
    for rel in ("panels/tso500/GRCh38.bed", "tumorboard/data/oncotree_2025_10_03.tsv"):
        assert (tmp_path / rel).read_bytes() == (REPO / rel).read_bytes()
    (tmp_path / "panels/tso500/genes.txt").write_text("BRAF\n")
    again = run("--shared", str(shared_data), "--out", str(tmp_path), "--check")
    assert again.returncode == 1
    assert again.stderr == "stale: panels/tso500/genes.txt\n"


def test_missing_shared_data_is_an_error(tmp_path: Path) -> None:
    result = run("--shared", str(tmp_path), "--check")
    assert result.returncode == 2
    assert result.stderr == f"error: no MANIFEST.tsv in {tmp_path}\n"


def test_tso500_tables_match_the_sources(shared_data: Path) -> None:
    listed = (shared_data / "panel_bed/TSO500_DNA_523genes.txt").read_text().split()
    genes = [g for g in (REPO / "panels/tso500/genes.txt").read_text().splitlines()]
    assert genes[0].startswith("# ")
    assert [g for g in genes if not g.startswith("#")] == listed
    meta = json.loads((REPO / "panels/tso500/panel.json").read_text())
    assert meta["gene_count"] == 523
    assert "NOT the vendor's capture manifest" in meta["derived"]
    assert meta["builds"]["GRCh38"]["missing_genes"] == []
    assert "TERC" in meta["builds"]["GRCh37"]["missing_genes"]
    bed = (REPO / "panels/tso500/GRCh38.bed").read_text().splitlines()
    header = [x for x in bed if x.startswith("#")]
    assert any("c94ccf53ff0dfa8e0d49027a12a4edbeb37b1558" in x and "MIT" in x for x in header)
    rows = [x.split("\t") for x in bed if not x.startswith("#")]
    assert {r[3] for r in rows} == set(listed)
    # every MANE Select span of the MANE-derived TSO500 BED lies inside the shipped span
    shipped: dict[str, list[tuple[str, int, int]]] = {}
    for chrom, start, end, gene in rows:
        shipped.setdefault(gene, []).append((chrom, int(start), int(end)))
    mane = shared_data / "panel_bed/TSO500_DNA_genes.GRCh38.MANE_select_spans.derived.bed"
    for line in mane.read_text().splitlines():
        f = line.split("\t")
        assert any(c == f[0] and s <= int(f[1]) and int(f[2]) <= e for c, s, e in shipped[f[3]])


def test_oncotree_table_header_attributes_mskcc() -> None:
    lines = (REPO / "tumorboard/data/oncotree_2025_10_03.tsv").read_text().splitlines()
    assert "CC BY 4.0" in lines[1]
    assert "MSKCC" in lines[1]
    rows = [x for x in lines if not x.startswith("#")]
    assert rows[0].split("\t")[:6] == ["code", "name", "main_type", "tissue", "parent", "level"]
    assert len(rows) == 1 + 898
