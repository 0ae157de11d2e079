"""Fusion input: PCGR/STAR-Fusion/Arriba TSVs, VCF breakends, gene-pair parsing (issue 4)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.cli import main
from tumorboard.errors import RecordError
from tumorboard.models import RunOptions
from tumorboard.panels import load_panel
from tumorboard.readers import read
from tumorboard.readers.detect import detect_format
from tumorboard.readers.fusions import splice_variant, split_pair


def read_fusions(path: str, options: RunOptions, panel=None):
    """A --fusions file through the reader table (the panel of the options when none is given)."""
    return read(path, options, panel or load_panel(options.panel, options.genome), "fusions")


OPTS = RunOptions(tumor_type="LUAD")


def _fusions(result) -> list[tuple[str, str, int | None]]:
    return [(a.gene, a.gene3, a.supporting_reads) for a in result.alterations]


def test_pcgr_fusions(shared_data: Path) -> None:
    path = shared_data / "somatic_vcf" / "pcgr_T001.grch38.fusions.tsv"
    assert detect_format(str(path)) == "fusions"
    r = read_fusions(str(path), OPTS)
    assert _fusions(r)[:2] == [("NTRK1", "TPM3", 55), ("EML4", "ALK", 100)]
    assert len(r.alterations) == 9
    eml4 = r.alterations[1]
    assert (eml4.breakpoints, eml4.chrom, eml4.pos) == ("2:42295554;2:29223528", "2", 42295554)
    assert eml4.label == "EML4::ALK fusion"


def test_star_fusion(tests_data: Path) -> None:
    r = read_fusions(
        str(tests_data / "fusions" / "star-fusion.fusion_predictions.abridged.tsv"), OPTS
    )
    # 5' gene from LeftGene (Ensembl id dropped); reads = junction + spanning
    assert _fusions(r) == [("EML4", "ALK", 70), ("SLC34A2", "ROS1", 18)]


def test_arriba_ambiguous_partner_counted(tests_data: Path) -> None:
    r = read_fusions(str(tests_data / "fusions" / "arriba.tsv"), OPTS)
    assert _fusions(r) == [("CD74", "ROS1", 29)]
    assert r.qc.skipped == {"fusion partner ambiguous (several candidate genes)": 1}


def test_gene_pairs(tests_data: Path) -> None:
    r = read_fusions(str(tests_data / "fusions" / "pairs.tsv"), OPTS)
    assert _fusions(r) == [("NKX2-1", "ALK", 5), ("EML4", "ALK", 9)]
    assert r.qc.skipped_examples == {
        "fusion gene pair not understood (expected 5'::3', 5'--3' or 5'/3')":
            f"'WEIRD' ({tests_data / 'fusions' / 'pairs.tsv'}:3)"
    }  # fmt: skip


def test_bnd_vcf(tests_data: Path) -> None:
    path = tests_data / "fusions" / "manta_bnd.vcf"
    assert detect_format(str(path)) == "sv_vcf"
    r = read_fusions(str(path), OPTS, load_panel("tso500", "GRCh38"))
    assert _fusions(r) == [("CCDC6", "RET", 41)]
    assert r.alterations[0].notes == [
        "from VCF breakends: partner order as the breakends appear; "
        "5'/3' orientation not determined"
    ]
    assert r.qc.filtered == 2
    assert r.qc.skipped == {"breakend whose mate record is missing": 1}


def test_bad_read_count(tests_data: Path) -> None:
    path = tests_data / "fusions" / "bad_reads.tsv"
    with pytest.raises(RecordError) as err:
        read_fusions(str(path), OPTS)
    assert str(err.value) == (
        f"{path}:2: read count should be a number, found 'many' "
        "(hint: repair the value or write NA)"
    )


def test_cli_fusions_exact_error(tests_data: Path) -> None:
    path = tests_data / "fusions" / "bad_reads.tsv"
    result = CliRunner().invoke(main, ["annotate", "-t", "LUAD", "--fusions", str(path)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}:2: read count should be a number, found 'many'\n"
        "Hint: repair the value or write NA\n"
    )


def test_fusions_subprocess(shared_data: Path) -> None:
    path = shared_data / "somatic_vcf" / "pcgr_T001.grch38.fusions.tsv"
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", "--fusions", str(path), "-t", "LUAD"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    case = json.loads(proc.stdout)
    assert {v["gene3"] for v in case["variants"]} >= {"ALK", "RET", "TPM3"}


def test_splice_variant_exons() -> None:
    assert splice_variant("MET", "13-15").exon == 14
    assert splice_variant("MET", "Exon 14").exon == 14
    egfr = splice_variant("EGFR", "1-8")
    assert (egfr.exon, egfr.notes[-1]) == (2, "EGFRvIII (exons 2-7 deleted)")


_GENE = st.from_regex(r"[A-Z][A-Z0-9]{1,7}", fullmatch=True)


@given(g5=_GENE, g3=_GENE, sep=st.sampled_from(["::", "--", "/"]))
@settings(max_examples=150, deadline=None)
def test_split_pair_round_trip(g5: str, g3: str, sep: str) -> None:
    assert split_pair(f"{g5}{sep}{g3}") == (g5, g3)
    assert split_pair(f"{g5}^ENSG0001{sep}{g3}(exon 20)") == (g5, g3)
