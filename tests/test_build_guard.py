"""The genome-build guard: header evidence (contig lengths, ##reference) and, when the header
names no build, the REF bases at the hotspot tables' positions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pysam
import pytest
from click.testing import CliRunner

from tumorboard.cli import main
from tumorboard.errors import GenomeBuildError
from tumorboard.readers.vcf import VcfReader
from tumorboard.readers.vcf_build import CONTIG_LENGTHS, BuildGuard

SOMATIC = "somatic_vcf"


def _header(contigs: str = "", extra: str = "") -> str:
    return (
        "##fileformat=VCFv4.2\n"
        + contigs
        + extra
        + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    )


def test_contig_lengths_name_the_build(tmp_path: Path) -> None:
    for build in ("GRCh37", "GRCh38"):
        vcf = tmp_path / f"{build}.vcf"
        length = CONTIG_LENGTHS[build]["12"]
        vcf.write_text(_header(f"##contig=<ID=12,length={length}>\n"))
        with VcfReader(vcf, require_annotation=False) as reader:
            assert (reader.genome, reader.genome_source) == (build, "contig lengths (12)")


def test_contig_lengths_of_both_builds_are_an_error(tmp_path: Path) -> None:
    vcf = tmp_path / "mixed.vcf"
    vcf.write_text(
        _header(
            f"##contig=<ID=chr1,length={CONTIG_LENGTHS['GRCh37']['1']}>\n"
            f"##contig=<ID=chr7,length={CONTIG_LENGTHS['GRCh38']['7']}>\n"
        )
    )
    with pytest.raises(GenomeBuildError, match=r"contig lengths are of both builds: GRCh37: chr1"):
        VcfReader(vcf, require_annotation=False)


def test_reference_line_contradicting_the_lengths_is_an_error(tmp_path: Path) -> None:
    vcf = tmp_path / "ref.vcf"
    vcf.write_text(
        _header(
            f"##contig=<ID=chr7,length={CONTIG_LENGTHS['GRCh38']['7']}>\n",
            "##reference=file:///refs/hg19.fa\n",
        )
    )
    with pytest.raises(GenomeBuildError) as info:
        VcfReader(vcf, require_annotation=False)
    assert info.value.message == (
        "the header's ##reference names GRCh37 but its contig lengths (chr7) are GRCh38"
    )
    assert info.value.where == str(vcf)


# --- data evidence ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "genome", "message"),
    [
        (
            "pcgr_T001-COAD.grch37.vcf.gz",
            "GRCh38",
            "--genome GRCh38 contradicts the data: 7:140453136 A>T is BRAF V600E at its GRCh37 "
            "position, and no record confirms GRCh38",
        ),
        (
            "pcgr_T001-COAD.grch38.vcf.gz",
            "GRCh37",
            "--genome GRCh37 contradicts the data: 7:140753336 A>T is BRAF V600E at its GRCh38 "
            "position, and no record confirms GRCh37",
        ),
        (
            "pcgr_T001-BRCA.grch37.vcf.gz",
            "GRCh38",
            "--genome GRCh38 contradicts the data: POS past the end of the GRCh38 chromosome "
            "(9:138845595, 9:140126583)",
        ),
    ],
)
def test_genome_contradicting_the_data_is_an_error(
    shared_data: Path, name: str, genome: str, message: str
) -> None:
    """The PCGR examples name no build; their hotspot calls (and positions) tell it."""
    vcf = shared_data / SOMATIC / name
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "COAD", "--genome", genome])
    assert result.exit_code == 1
    other = "GRCh37" if genome == "GRCh38" else "GRCh38"
    assert result.stderr == (
        f"Error: {vcf}: {message}\nHint: check the file's build; use the other --genome, or "
        f"lift the file over to {genome}\n"
    )
    ok = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "COAD", "--genome", other])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["genome"] == other


def test_the_guard_also_checks_an_indexed_read(shared_data: Path, tmp_path: Path) -> None:
    """Indexed: the hotspot positions are fetched even though the panel's regions are GRCh38's."""
    src = shared_data / SOMATIC / "pcgr_T001-COAD.grch37.vcf.gz"
    gz = tmp_path / "coad37.vcf.gz"
    shutil.copy(src, gz)
    pysam.tabix_index(str(gz), preset="vcf", force=True)
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(gz), "-t", "COAD", "--genome",
         "GRCh38", "--index"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "is BRAF V600E at its GRCh37 position" in proc.stderr


def test_inconclusive_data_say_so(tmp_path: Path) -> None:
    vcf = tmp_path / "few.vcf"
    vcf.write_text(_header() + "7\t1000\t.\tA\tC\t.\tPASS\t.\n")
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "COAD", "--genome", "GRCh38"])
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["qc"]["warnings"]
    assert (
        "few.vcf: the header names no genome build and the data cannot confirm --genome GRCh38 "
        "(0 REF base(s) at hotspot positions; GRCh37: 0 hotspot REF base(s) agree, 0 differ; "
        "GRCh38: 0 hotspot REF base(s) agree, 0 differ)"
    ) in warnings


def test_an_annotated_file_without_build_gets_it_from_the_data(tmp_path: Path) -> None:
    vcf = tmp_path / "nobuild.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n"
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl '
        'VEP. Format: Allele|Consequence|SYMBOL|Feature|HGVSp">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "chr7\t140753336\t.\tA\tT\t.\tPASS\tCSQ=T|missense_variant|BRAF|ENST00000646891.2|"
        "ENSP00000493543.1:p.Val600Glu\n"
    )
    with VcfReader(vcf) as reader:
        assert [a.label for a in reader] == ["BRAF V600E"]
        assert reader.genome == "GRCh38"
        assert reader.genome_source.startswith("REF bases at hotspot positions (GRCh37: 0")


def test_guard_evidence_counts() -> None:
    guard = BuildGuard()
    guard.see("chr7", 140753336, "A")  # GRCh38 BRAF V600 base 2
    guard.see("chr7", 140753336, "G")  # the same position, another base: against GRCh38
    assert (guard.evidence["GRCh38"].agree, guard.evidence["GRCh38"].disagree) == (1, 1)
    assert guard.verdict("GRCh38")[2] == ""  # one record agrees: not a contradiction
    guard = BuildGuard()
    guard.see("chr7", 140753336, "G")
    assert "REF base(s) at GRCh38 hotspot positions differ" in guard.verdict("GRCh38")[2]


def test_a_chance_token_in_the_reference_path_does_not_contradict_the_lengths(
    tmp_path: Path,
) -> None:
    """``b37`` inside a run folder's hash is not a statement about the build."""
    vcf = tmp_path / "hash.vcf"
    vcf.write_text(
        _header(
            f"##contig=<ID=chr7,length={CONTIG_LENGTHS['GRCh38']['7']}>\n",
            "##reference=file:///scratch/stg7b37f0e/ref.fa\n",
        )
    )
    with VcfReader(vcf, require_annotation=False) as reader:
        assert (reader.genome, reader.genome_source) == ("GRCh38", "contig lengths (chr7)")
