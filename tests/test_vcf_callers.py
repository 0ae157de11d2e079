"""Callers whose VCFs carry their own conventions (a sweep of published files, 2026-11): the
somatic status VarScan2 and VarDict write per record, Platypus' read counts, DeepVariant's own
allele fraction. Records are written here from the callers' documented header lines; VarScan's
own test file (vcf2maf, Apache-2.0) is read in place from the shared data."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tumorboard.cli import main

GRCH37 = "##fileformat=VCFv4.2\n##reference=GRCh37\n##contig=<ID=13,length=115169878>\n"
CHROM_LINE = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t"


def run(tmp_path: Path, text: str, *extra: str) -> dict:
    vcf = tmp_path / "t.vcf"
    vcf.write_text(text)
    out = tmp_path / "c.json"
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "BRCA", *extra, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def reasons(case: dict) -> dict[str, int]:
    return {s["reason"]: s["count"] for s in case["qc"]["skipped"]}


def test_varscan_germline_and_loh_calls_are_not_tumour_variants(
    shared_data: Path, tmp_path: Path
) -> None:
    """VarScan2 somatic marks every call PASS and says germline (SS=1) or LOH (SS=3) in INFO:
    425 germline and 42 LOH calls of its own test file were reported as the tumour's."""
    vcf = shared_data / "somatic_vcf" / "vcf2maf_callers" / "test_varscan.vcf"
    out = tmp_path / "c.json"
    result = CliRunner().invoke(
        main,
        ["annotate", str(vcf), "-t", "BRCA", "--panel", "all", "--genome", "GRCh37",
         "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    case = json.loads(out.read_text())
    skipped = reasons(case)
    germline = next(n for r, n in skipped.items() if r.endswith("(VarScan SS=1)"))
    loh = next(n for r, n in skipped.items() if r.endswith("(VarScan SS=3)"))
    assert (germline, loh, len(case["variants"])) == (425, 42, 31)
    assert any(
        "calls germline, LOH or present in the normal" in n for n in case["qc"]["not_assessable"]
    )


VARDICT = (
    GRCH37 + '##INFO=<ID=STATUS,Number=1,Type=String,Description="Somatic or germline status">\n'
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Total Depth">\n'
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele Frequency">\n'
    + CHROM_LINE
    + "T1\tT1-match\n"
    "13\t32914438\t.\tT\tTA\t.\tPASS\tSTATUS=Germline\tGT:DP:AF\t0/1:120:0.5\t0/1:100:0.49\n"
    "13\t32907420\t.\tG\tT\t.\tPASS\tSTATUS=StrongLOH\tGT:DP:AF\t1/1:90:0.97\t0/1:80:0.5\n"
    "13\t32911888\t.\tA\tT\t.\tPASS\tSTATUS=StrongSomatic\tGT:DP:AF\t0/1:100:0.3\t0/0:90:0\n"
    "13\t32912750\t.\tC\tT\t.\tPASS\tSTATUS=AFDiff\tGT:DP:AF\t1/1:80:1.0\t0/1:70:0.45\n"
)


def test_vardict_status_decides_which_calls_are_the_tumours(tmp_path: Path) -> None:
    case = run(tmp_path, VARDICT, "--sample", "T1", "--panel", "all")
    assert [v["pos"] for v in case["variants"]] == [32911888]
    skipped = reasons(case)
    assert any(r.endswith("(VarDict STATUS=Germline)") for r in skipped)
    assert any(r.endswith("(VarDict STATUS=StrongLOH)") for r in skipped)
    # AFDiff: the normal carries it too (at another allele fraction): no somatic call
    assert any(r.endswith("(VarDict STATUS=AFDiff)") for r in skipped)


def test_a_status_field_of_another_meaning_is_not_read(tmp_path: Path) -> None:
    """Only a header that describes somatic/germline status makes STATUS a somatic status."""
    other = VARDICT.replace("Somatic or germline status", "Review status of the record")
    case = run(tmp_path, other, "--sample", "T1", "--panel", "all")
    assert len(case["variants"]) == 4


PLATYPUS = (
    GRCH37 + '##FORMAT=<ID=GT,Number=1,Type=String,Description="Unphased genotypes">\n'
    '##FORMAT=<ID=NR,Number=.,Type=Integer,Description="Number of reads covering variant '
    'location in this sample">\n'
    '##FORMAT=<ID=NV,Number=.,Type=Integer,Description="Number of reads containing variant in '
    'this sample">\n' + CHROM_LINE + "TUMOR\tNORMAL\n"
    "13\t32911888\t.\tA\tT\t.\tPASS\t.\tGT:NR:NV\t0/1:80:20\t0/0:70:0\n"
    "13\t32914438\t.\tT\tC\t.\tPASS\t.\tGT:NR:NV\t0/0:75:0\t0/1:60:29\n"
)


def test_platypus_read_counts_give_vaf_depth_and_absence(tmp_path: Path) -> None:
    """Platypus' NV/NR were not read: every VAF and depth was null, and a record the tumour has
    no read for (the normal's variant) was reported."""
    case = run(tmp_path, PLATYPUS, "--panel", "all")
    (v,) = case["variants"]
    assert (v["pos"], v["vaf"], v["depth"], v["vaf_source"]) == (32911888, 0.25, 80, "FORMAT/NV/NR")
    assert any(r.startswith("ALT not seen in the tumour sample") for r in reasons(case))


DEEPVARIANT = (
    GRCH37 + '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth of all passing filters '
    'reads.">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Read depth for each allele">\n'
    '##FORMAT=<ID=VAF,Number=A,Type=Float,Description="Variant allele fractions.">\n'
    + CHROM_LINE
    + "default\n"
    "13\t32914438\t.\tC\tCA\t.\tPASS\t.\tGT:DP:AD:VAF\t0/1:31:4,19:0.612903\n"
)


def test_deepvariant_vaf_is_its_own_not_ad_over_a_partial_sum(tmp_path: Path) -> None:
    """For an indel DeepVariant's AD covers only reads informative for the alleles (4 + 19 of
    31): AD gave 0.83 beside a depth of 31; its own VAF says 0.61."""
    case = run(tmp_path, DEEPVARIANT, "--panel", "all")
    (v,) = case["variants"]
    assert (round(v["vaf"], 3), v["depth"], v["vaf_source"]) == (0.613, 31, "FORMAT/VAF")


def test_a_variant_in_no_gene_says_so(tmp_path: Path) -> None:
    """An unannotated record in no gene read " 1:69428 T>G: no catalog rule for " (no gene)."""
    text = (
        "##fileformat=VCFv4.2\n##reference=GRCh37\n##contig=<ID=1,length=249250621>\n"
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
        + CHROM_LINE
        + "TUMOR\n1\t69428\t.\tT\tG\t.\tPASS\t.\tAD\t50,20\n"
    )
    case = run(tmp_path, text, "--panel", "all")
    (v,) = case["variants"]
    assert v["label"] == "1:69428 T>G"
    assert (
        v["note"] == "1:69428 T>G: in no gene of the panel's gene table (no gene to match rules on)"
    )


def test_an_annotation_tumorboard_does_not_read_is_named(tmp_path: Path) -> None:
    """bcftools csq's BCSQ was ignored without a word: the file read as unannotated."""
    text = (
        "##fileformat=VCFv4.2\n##reference=GRCh37\n##contig=<ID=13,length=115169878>\n"
        '##INFO=<ID=BCSQ,Number=.,Type=String,Description="Haplotype-aware consequence '
        "annotated by bcftools. Format: Consequence|gene|transcript|biotype|strand|"
        'amino_acid_change|dna_change">\n'
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
        + CHROM_LINE
        + "TUMOR\n13\t32911888\t.\tA\tT\t.\tPASS\tBCSQ=missense|BRCA2|ENST1|protein_coding|+|"
        "1000K>M|32911888A>T\tAD\t50,20\n"
    )
    case = run(tmp_path, text, "--panel", "all")
    assert any(
        "bcftools csq (INFO BCSQ) annotation is not read" in w for w in case["qc"]["warnings"]
    )


def test_a_header_of_another_reference_is_an_error_even_with_genome(tmp_path: Path) -> None:
    """A FreeBayes VCF on the maize genome (chr1 307 Mb) was read with --genome GRCh38 and the
    warning "the header names no genome build"; a T2T-CHM13 file would have been too."""
    text = (
        "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248387328>\n"  # T2T-CHM13 chr1
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
        + CHROM_LINE
        + "TUMOR\nchr1\t1000\t.\tA\tT\t.\tPASS\t.\tAD\t50,20\n"
    )
    vcf = tmp_path / "t2t.vcf"
    vcf.write_text(text)
    for extra in ([], ["--genome", "GRCh38"]):
        result = CliRunner().invoke(
            main, ["annotate", str(vcf), "-t", "LUAD", *extra, "-o", str(tmp_path / "c.json")]
        )
        assert result.exit_code == 1
        assert "neither GRCh37's nor GRCh38's (chr1 248,387,328)" in result.output
        assert "Hint:" in result.output
    assert not (tmp_path / "c.json").exists()


def test_a_breakend_vcf_of_another_reference_is_the_same_error(tmp_path: Path) -> None:
    """The length check sits where every VCF reader learns the build: breakend files too."""
    text = (
        "##fileformat=VCFv4.2\n##contig=<ID=chr2,length=242696752>\n"  # T2T-CHM13 chr2
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "chr2\t29223584\tb1\tN\tN[chr2:42299800[\t.\tPASS\tSVTYPE=BND\n"
    )
    vcf = tmp_path / "sv.vcf"
    vcf.write_text(text)
    result = CliRunner().invoke(
        main, ["annotate", "--fusions", str(vcf), "-t", "LUAD", "--genome", "GRCh38",
               "-o", str(tmp_path / "c.json")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "neither GRCh37's nor GRCh38's (chr2 242,696,752)" in result.output
    assert not (tmp_path / "c.json").exists()


def test_purple_germline_vcf_is_refused(tmp_path: Path) -> None:
    """PURPLE's germline VCF holds inherited variants; read as the tumour's they would be
    matched (a common ERBB2 polymorphism to an anti-HER2 drug). Its FILTERs say "Germline
    variant ...": one Error and one Hint line, and no output."""
    text = (
        GRCH37
        + '##FILTER=<ID=LOW_TUMOR_VCN,Description="Germline variant has very low tumor variant '
        'copy number">\n'
        '##FILTER=<ID=PASS,Description="All filters passed">\n'
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n' + CHROM_LINE + "R1\tT1\n"
        "13\t32911888\t.\tA\tT\t.\tPASS\t.\tGT\t0/1\t0/1\n"
    )
    vcf = tmp_path / "t.purple.germline.vcf"
    vcf.write_text(text)
    from cli_run import refused

    lines = refused([str(vcf), "-t", "BRCA", "--sample", "T1", "-o", str(tmp_path / "o.json")])
    assert "a germline call set: its FILTERs describe germline variants (LOW_TUMOR_VCN)" in lines[0]
