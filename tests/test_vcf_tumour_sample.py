"""Which column of a tumour/normal VCF is the tumour: the header lines that say so.

Beside GATK's ``##tumor_sample``, the VCF specification has its own lines (``##SAMPLE=<ID=...,
Genomes=Germline;Tumor,...>``, ``##PEDIGREE=<Derived=TUMOUR,Original=NORMAL>``, VCFv4.2 sections
1.4.8-1.4.9; bcbio writes them), and DRAGEN's somatic VCF names the tumour in its command line
(``--RGSM-tumor``). Sample names like ``HG008-N``/``HG008-T`` say nothing a program may trust, so
without such a line the run stops and asks for ``--sample``. Fixtures are written from the
specification; the tumour column carries the variant (AD 60,40), the normal none.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tumorboard.cli import main

HEADER = (
    "##fileformat=VCFv4.2\n##reference=GRCh38\n##contig=<ID=chr7,length=159345973>\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    "{meta}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{samples}\n"
)
BRAF = "chr7\t140753336\t.\tA\tT\t.\tPASS\t.\tGT:AD\t{cells}\n"


def _vcf(tmp_path: Path, meta: str, normal: str = "HG008-N", tumour: str = "HG008-T") -> Path:
    path = tmp_path / "somatic.vcf"
    path.write_text(
        HEADER.format(meta=meta, samples=f"{normal}\t{tumour}")
        + BRAF.format(cells="0/0:80,0\t0/1:60,40")
    )
    return path


def _run(vcf: Path) -> tuple[int, str, dict[str, object]]:
    out = vcf.parent / "case.json"
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "SKCM", "-o", str(out)])
    case = json.loads(out.read_text()) if result.exit_code == 0 else {}
    return result.exit_code, result.output, case


@pytest.mark.parametrize(
    ("meta", "rule"),
    [
        ('##DRAGENCommandLine=<ID=dragen,Version="SW: 4.2.4",CommandLineOptions="--RGSM '
         'HG008-N --RGSM-tumor HG008-T --enable-variant-caller true">\n',
         "DRAGEN command line (--RGSM-tumor)"),
        ('##SAMPLE=<ID=HG008-N,Genomes=Germline,Mixture=1.,Description="blood">\n'
         '##SAMPLE=<ID=HG008-T,Genomes=Germline;Tumor,Mixture=.3;.7,Description="tumour">\n',
         "##SAMPLE header (Genomes=Tumor)"),
        ("##PEDIGREE=<Derived=HG008-T,Original=HG008-N>\n", "##PEDIGREE header (Derived)"),
        ("##tumor_sample=HG008-T\n", "##tumor_sample header"),
    ],
)  # fmt: skip
def test_a_header_line_names_the_tumour_column(tmp_path: Path, meta: str, rule: str) -> None:
    code, output, case = _run(_vcf(tmp_path, meta))
    assert code == 0, output
    qc = case["qc"]
    assert isinstance(qc, dict)
    assert qc["sample"] == "HG008-T"
    assert qc["sample_rule"] == rule
    (variant,) = case["variants"]  # type: ignore[misc]
    assert variant["vaf"] == pytest.approx(0.4)


@pytest.mark.parametrize(
    "meta",
    [
        "",  # names alone: HG008-T is not read as "tumour"
        # two tumour genomes (primary and metastasis): which one is this report's?
        "##SAMPLE=<ID=HG008-N,Genomes=Tumor>\n##SAMPLE=<ID=HG008-T,Genomes=Tumor>\n",
        "##tumor_sample=OTHER\n",  # a name that is not a column of this file
    ],
)
def test_without_a_clear_line_the_run_asks_for_sample(tmp_path: Path, meta: str) -> None:
    code, output, _ = _run(_vcf(tmp_path, meta))
    assert code == 1
    assert "cannot tell which sample is the tumour" in output
    assert "Hint: pass --sample NAME" in output


def test_sample_option_wins_over_the_header(tmp_path: Path) -> None:
    vcf = _vcf(tmp_path, "##PEDIGREE=<Derived=HG008-T,Original=HG008-N>\n")
    out = tmp_path / "n.json"
    result = CliRunner().invoke(
        main, ["annotate", str(vcf), "-t", "SKCM", "--sample", "HG008-N", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    case = json.loads(out.read_text())
    assert case["qc"]["sample_rule"] == "--sample"
    assert case["variants"] == []  # the normal has no read of the variant: never reported


def test_breakend_vcf_reads_the_pedigree_too(tmp_path: Path) -> None:
    vcf = tmp_path / "sv.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n##reference=GRCh38\n"
        "##contig=<ID=chr2,length=242193529>\n"
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type">\n'
        '##INFO=<ID=MATEID,Number=.,Type=String,Description="Mate">\n'
        '##FORMAT=<ID=SR,Number=R,Type=Integer,Description="Split reads">\n'
        '##FORMAT=<ID=PR,Number=R,Type=Integer,Description="Paired reads">\n'
        "##PEDIGREE=<Derived=T1,Original=N1>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tN1\tT1\n"
        "chr2\t42299000\tb1\tA\tA]chr2:29223500]\t.\tPASS\tSVTYPE=BND;MATEID=b2\tPR:SR\t"
        "10,0:10,0\t10,12:10,15\n"
        "chr2\t29223500\tb2\tC\tC]chr2:42299000]\t.\tPASS\tSVTYPE=BND;MATEID=b1\tPR:SR\t"
        "10,0:10,0\t10,12:10,15\n"
    )
    out = tmp_path / "case.json"
    result = CliRunner().invoke(
        main, ["annotate", "--fusions", str(vcf), "-t", "LUAD", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    qc = json.loads(out.read_text())["qc"]
    assert qc["sample"] == "T1"
    assert "##PEDIGREE header (Derived)" in qc["sample_rule"]


@pytest.mark.parametrize(
    ("normal", "tumour"),
    [
        ("COLO829v003R", "COLO829v003T"),  # Hartwig: reference R, tumour T
        ("DO52605R.sorted.bam", "DO52605T.sorted.bam"),
        ("HCC1954_BL", "HCC1954"),  # Manta's demo: the blood normal
        ("abc-match", "abc"),  # VarDict's paired test: the matched normal
    ],
)
def test_paired_names_are_suggested_never_taken(tmp_path: Path, normal: str, tumour: str) -> None:
    """Names of a tumour/normal pair are a likely answer, not proof: the run still asks, naming
    the file and the likely tumour in the hint."""
    vcf = _vcf(tmp_path, "", normal=normal, tumour=tumour)
    code, output, _ = _run(vcf)
    assert code == 1
    assert f"Error: {vcf}: cannot tell which sample is the tumour" in output
    assert f"--sample {tumour} if so; names alone are not taken as proof" in output
