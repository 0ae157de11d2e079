"""VCFs as other tools write them (a sweep of published files, 2026-11): an ALT the tumour does
not carry, FORMAT keys the header does not declare, files pysam cannot open, and files that state
no genome build. Records are written here from the VCF 4.2 specification."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tumorboard.cli import main

GRCH37_PAIR = (
    "##fileformat=VCFv4.2\n"
    "##reference=GRCh37\n"
    "##contig=<ID=7,length=159138663>\n"
    "##contig=<ID=12,length=133851895>\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n"
)
KRAS_G12 = "12\t25398285\t.\tC\tA,T\t.\tPASS\t.\tGT:AD:DP\t0/2:40,0,10:50\t0/2:50,0,20:70\n"
"""KRAS codon 12 (GRCh37): the tumour carries only the second ALT (c.34G>A, G12S); the first
(c.34G>T, G12C) has no read in it."""
BRAF_NORMAL_ONLY = "7\t140453136\t.\tA\tT\t.\tPASS\t.\tGT:AD:DP\t0/1:40,38:78\t0/0:80,0:80\n"


def run(tmp_path: Path, text: str, tumour: str, *extra: str) -> tuple[int, str, dict]:
    vcf = tmp_path / "t.vcf"
    vcf.write_text(text)
    out = tmp_path / "c.json"
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", tumour, *extra, "-o", str(out)])
    return result.exit_code, result.output, json.loads(out.read_text()) if out.exists() else {}


def test_an_alt_without_tumour_reads_is_never_reported_or_matched(tmp_path: Path) -> None:
    """It was reported with VAF 0.0 and matched on-label to sotorasib and adagrasib."""
    code, output, case = run(tmp_path, GRCH37_PAIR + KRAS_G12, "LUAD")
    assert code == 0, output
    assert [(v["gene"], v["protein"], v["vaf"]) for v in case["variants"]] == [
        ("KRAS", "G12S", round(20 / 70, 4))
    ]
    assert not any(m["biomarker"] == "KRAS G12C" for m in case["matches"])
    skipped = {s["reason"]: s for s in case["qc"]["skipped"]}
    reason = "ALT not seen in the tumour sample (VAF 0: no supporting reads)"
    assert skipped[reason]["count"] == 1
    assert skipped[reason]["example"].startswith("12:25398285 'C'>'A'")


def test_a_variant_of_the_normal_only_is_not_the_tumours(tmp_path: Path) -> None:
    code, output, case = run(tmp_path, GRCH37_PAIR + BRAF_NORMAL_ONLY, "SKCM")
    assert code == 0, output
    assert case["variants"] == []
    assert case["matches"] == [] or all(m["biomarker"] != "BRAF V600E" for m in case["matches"])
    assert case["qc"]["records_read"] == 1


def test_the_same_as_a_subprocess(tmp_path: Path) -> None:
    vcf = tmp_path / "t.vcf"
    vcf.write_text(GRCH37_PAIR + KRAS_G12 + BRAF_NORMAL_ONLY)
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(vcf), "-t", "LUAD", "--format",
         "tsv"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("\t") for line in proc.stdout.splitlines()[1:]]
    assert [r[0] for r in rows] == ["KRAS"]


# --- FORMAT keys the header does not declare ------------------------------------------------------
STRELKA_MERGED = (
    "##fileformat=VCFv4.1\n"
    "##reference=file:///ref/GRCh37.fa\n"
    "##contig=<ID=7,length=159138663>\n"
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth for tier1">\n'
    '##FORMAT=<ID=AU,Number=2,Type=Integer,Description="A alleles in tiers 1,2">\n'
    '##FORMAT=<ID=CU,Number=2,Type=Integer,Description="C alleles in tiers 1,2">\n'
    '##FORMAT=<ID=GU,Number=2,Type=Integer,Description="G alleles in tiers 1,2">\n'
    '##FORMAT=<ID=TU,Number=2,Type=Integer,Description="T alleles in tiers 1,2">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n"
    "7\t140453136\t.\tA\tT\t.\tPASS\t.\tDP:AU:CU:GU:TU\t50:50,50:0,0:0,0:0,0\t60:40,40:0,0:0,0:20,20\n"
    "7\t140453130\t.\tCG\tC\t.\tPASS\t.\tDP:TAR:TIR\t91:87,89:0,0\t89:19,19:57,58\n"
)
"""A merge of Strelka's SNV and indel VCFs keeps the SNV header: the indels' TIR/TAR are not
declared (htslib and bcftools read them, with a warning)."""


def test_strelka_indel_counts_are_read_though_undeclared(tmp_path: Path) -> None:
    code, output, case = run(tmp_path, STRELKA_MERGED, "SKCM", "--panel", "all")
    assert code == 0, output
    indel = next(v for v in case["variants"] if v["ref"] == "CG")
    assert (indel["vaf"], indel["vaf_source"]) == (0.75, "FORMAT/TIR+TAR")
    assert (
        "t.vcf: VAF and depth read from FORMAT TAR, TIR, which the header does not declare "
        "(a merged file's header may lack them)"
    ) in case["qc"]["warnings"]
    snv = next(v for v in case["variants"] if v["ref"] == "A")
    assert (snv["protein"], snv["vaf"]) == ("V600E", round(20 / 60, 4))


def test_declared_keys_give_no_warning(tmp_path: Path) -> None:
    declared = STRELKA_MERGED.replace(
        "#CHROM",
        '##FORMAT=<ID=TAR,Number=2,Type=Integer,Description="Reads strongly supporting '
        'alternate allele for tiers 1,2">\n##FORMAT=<ID=TIR,Number=2,Type=Integer,'
        'Description="Reads strongly supporting indel allele for tiers 1,2">\n#CHROM',
    )
    code, output, case = run(tmp_path, declared, "SKCM", "--panel", "all")
    assert code == 0, output
    assert not any("does not declare" in w for w in case["qc"]["warnings"])


# --- files pysam cannot open: say why ----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "why"),
    [
        (
            "SnpEff version 5.1 (build 2022-01-21)\n##fileformat=VCFv4.2\n"
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
            "the first line is not ##fileformat=VCF... (it is 'SnpEff version 5.1 (build "
            "2022-01-21)')",
        ),
        (
            "##fileformat=VCFv4.2\n#CHROM POS ID REF ALT QUAL FILTER INFO\n"
            "7\t140453136\t.\tA\tT\t.\tPASS\t.\n",
            "the #CHROM header line is not tab-separated",
        ),
    ],
)
def test_an_unreadable_header_is_explained(tmp_path: Path, text: str, why: str) -> None:
    vcf = tmp_path / "x.vcf"
    vcf.write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(vcf), "-t", "LUAD"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0] == f"Error: {vcf}: not a readable VCF/BCF file: {why}"
    assert lines[1].startswith("Hint: a VCF starts with its ##fileformat line")
    assert len(lines) == 2
    assert proc.stdout == ""


# --- files that state no genome build ----------------------------------------------------------
NO_BUILD = (
    "##fileformat=VCFv4.2\n"
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
    "1\t1000\t.\tA\tT\t.\tPASS\t.\tAD\t20,10\n"
)


def test_an_unannotated_file_without_a_build_needs_one_with_every_panel(tmp_path: Path) -> None:
    """With --panel all nothing needed coordinates, and no hotspot could be looked up."""
    code, output, _ = run(tmp_path, NO_BUILD, "LUAD", "--panel", "all")
    assert code == 1
    assert "neither its header nor its records state the genome build" in output
    assert "Hint: pass --genome GRCh37 or --genome GRCh38" in output
    code, output, case = run(tmp_path, NO_BUILD, "LUAD", "--panel", "all", "--genome", "GRCh37")
    assert code == 0, output
    assert case["qc"]["records_read"] == 1


def test_the_build_warning_reads_as_a_sentence(tmp_path: Path) -> None:
    annotated = NO_BUILD.replace(
        "##FORMAT",
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
        'Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Feature|HGVSc|HGVSp">\n##FORMAT',
    ).replace("\t.\tAD", "\tCSQ=T|missense_variant|MODERATE|GENEX|ENST1|c.1A>T|p.M1L\tAD")
    code, output, case = run(tmp_path, annotated, "LUAD", "--panel", "all")
    assert code == 0, output
    warning = next(w for w in case["qc"]["warnings"] if "names no genome build" in w)
    assert warning.startswith(
        "t.vcf: the header names no genome build and the data cannot tell which it is ("
    )


# --- a sites-only file's allele frequency ---------------------------------------------------------
LOFREQ = (
    "##fileformat=VCFv4.2\n"
    "##reference=GRCh37\n"
    "##contig=<ID=7,length=159138663>\n"
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Raw Depth">\n'
    '##INFO=<ID=AF,Number=1,Type=Float,Description="Allele Frequency">\n'
    '##INFO=<ID=DP4,Number=4,Type=Integer,Description="Strand counts">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    "7\t140453136\t.\tA\tT\t300\tPASS\tDP=250;AF=0.234600;DP4=100,90,30,29\n"
)
"""LoFreq (and other tumour-only callers) write a sites-only VCF with the allele frequency in
INFO/AF."""


def test_a_sites_only_file_takes_its_vaf_from_info_af(tmp_path: Path) -> None:
    code, output, case = run(tmp_path, LOFREQ, "SKCM")
    assert code == 0, output
    (v,) = case["variants"]
    assert (v["protein"], v["vaf"], v["vaf_source"], v["depth"]) == (
        "V600E",
        0.2346,
        "INFO/AF",
        250,
    )


def test_info_af_beside_sample_columns_is_not_the_tumours(tmp_path: Path) -> None:
    """With samples, INFO/AF may be a cohort's or a population's frequency: never the VAF."""
    text = (
        GRCH37_PAIR.replace(
            "#CHROM", '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele Frequency">\n#CHROM'
        )
        + "7\t140453136\t.\tA\tT\t.\tPASS\tAF=0.5\tGT:DP\t0/0:40\t0/1:60\n"
    )
    code, output, case = run(tmp_path, text, "SKCM")
    assert code == 0, output
    (v,) = case["variants"]
    assert (v["vaf"], v["vaf_source"], v["depth"]) == (None, "", 60)
