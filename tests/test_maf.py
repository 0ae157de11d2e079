"""MAF input (vcf2maf output) (issue 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.cli import main
from tumorboard.errors import FormatError, SampleError
from tumorboard.models import RunOptions
from tumorboard.panels import load_panel
from tumorboard.readers.detect import detect_format
from tumorboard.readers.maf import read_maf

OPTS = RunOptions(tumor_type="LUAD")
MAF = "somatic_vcf/vcf2maf_callers/test_b38_output.maf"


def test_vcf2maf_output(shared_data: Path) -> None:
    path = shared_data / MAF
    assert detect_format(str(path)) == "maf"
    r = read_maf(str(path), OPTS, load_panel("tso500", "GRCh38"))
    assert (r.kind, r.genome, r.sample) == ("maf", "GRCh38", "TUMOR")
    assert r.qc.records_read == 25
    assert r.qc.records_in_panel == 22
    first = r.alterations[0]
    assert (first.gene, first.protein, first.protein_3) == ("RUNX1", "L429R", "p.Leu429Arg")
    assert (first.transcript, first.transcript_rule, first.exon) == ("ENST00000675419", "input", 9)
    assert (first.chrom, first.pos, first.ref, first.alt) == ("21", 34792292, "A", "C")
    assert first.vaf == pytest.approx(21 / 54)
    assert first.consequences == ("missense_variant",)
    assert all(a.gene for a in r.alterations)


def test_sample_must_exist(shared_data: Path) -> None:
    opts = RunOptions(tumor_type="LUAD", sample="NOPE")
    with pytest.raises(SampleError, match=r"sample 'NOPE' is not in the MAF; samples: TUMOR"):
        read_maf(str(shared_data / MAF), opts)


def test_several_tumours_need_sample(tmp_path: Path) -> None:
    path = tmp_path / "two.maf"
    path.write_text(
        "Hugo_Symbol\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\t"
        "Tumor_Sample_Barcode\tHGVSp_Short\n"
        "BRAF\t7\t140753336\tA\tT\tT1\tp.V600E\nKRAS\t12\t25245350\tC\tT\tT2\tp.G12D\n"
    )
    with pytest.raises(SampleError, match="the MAF holds 2 tumours: T1, T2"):
        read_maf(str(path), OPTS)
    r = read_maf(str(path), RunOptions(tumor_type="LUAD", sample="T2"))
    assert [a.label for a in r.alterations] == ["KRAS G12D"]


def test_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.maf"
    path.write_text("Hugo_Symbol\tChromosome\nBRAF\t7\n")
    with pytest.raises(FormatError) as err:
        read_maf(str(path), OPTS)
    assert str(err.value) == (
        f"{path}:1: MAF header lacks Start_Position, Reference_Allele "
        "(hint: a MAF starts with Hugo_Symbol ... Start_Position ...)"
    )


def test_cli_maf(shared_data: Path) -> None:
    result = CliRunner().invoke(main, ["annotate", str(shared_data / MAF), "-t", "AML"])
    assert result.exit_code == 0, result.output
    case = json.loads(result.output)
    assert case["inputs"][0]["kind"] == "maf"
    assert case["qc"]["annotation"] == "MAF (vcf2maf/VEP)"
    assert "RUNX1 L429R" in [v["label"] for v in case["variants"]]


@given(
    gene=st.from_regex(r"[A-Z][A-Z0-9]{1,6}", fullmatch=True).filter(lambda g: g != "NA"),
    pos=st.integers(1, 10**9),
    depth=st.integers(1, 5000),
    frac=st.floats(0, 1),
)
@settings(max_examples=60, deadline=None)
def test_maf_row_round_trip(tmp_path_factory, gene: str, pos: int, depth: int, frac: float) -> None:
    alt_count = int(depth * frac)
    path = tmp_path_factory.mktemp("maf") / "x.maf"
    path.write_text(
        "#version 2.4\nHugo_Symbol\tChromosome\tStart_Position\tReference_Allele\t"
        "Tumor_Seq_Allele2\tt_depth\tt_alt_count\tVariant_Classification\n"
        f"{gene}\t1\t{pos}\tC\tT\t{depth}\t{alt_count}\tNonsense_Mutation\n"
    )
    (a,) = read_maf(str(path), OPTS).alterations
    assert (a.gene, a.pos, a.depth) == (gene, pos, depth)
    assert a.vaf == pytest.approx(alt_count / depth)
    assert a.consequences == ("stop_gained",)
