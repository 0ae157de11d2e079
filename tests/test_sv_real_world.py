"""Breakend and copy-number VCFs and TSO500 fusions as callers write them (a sweep of
published files, 2026-11): Manta/GRIDSS tumour-normal pairs, partners outside the panel,
GRIDSS2 PARID, DELLY single-record translocations, GATK gCNV multi-ALT records, TSO500
``CD74-ROS1;GOPC`` and ``2-7/28``. Records written here from the VCF 4.2 specification and
the callers' documented INFO/FORMAT fields (GRCh38 coordinates inside the genes named)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tumorboard.cli import main
from tumorboard.models import RunOptions
from tumorboard.readers.fusions import splice_variant

HEAD = (
    "##fileformat=VCFv4.2\n"
    "##reference=GRCh38\n"
    "##contig=<ID=chr2,length=242193529>\n"
    "##contig=<ID=chr5,length=181538259>\n"
    "##contig=<ID=chr6,length=170805979>\n"
    "##contig=<ID=chr10,length=133797422>\n"
    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">\n'
    '##INFO=<ID=MATEID,Number=.,Type=String,Description="ID of mate breakend">\n'
    '##INFO=<ID=PARID,Number=1,Type=String,Description="Partner breakend">\n'
    '##INFO=<ID=CHR2,Number=1,Type=String,Description="Chromosome of the second breakpoint">\n'
    '##FORMAT=<ID=PR,Number=.,Type=Integer,Description="Spanning pairs: ref, alt">\n'
    '##FORMAT=<ID=SR,Number=.,Type=Integer,Description="Split reads: ref, alt">\n'
    '##FORMAT=<ID=VF,Number=1,Type=Integer,Description="Fragments supporting the variant">\n'
)
PAIR = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n"
EML4_ALK = (
    "chr2\t42295554\tMantaBND:1:0\tA\tA[chr2:29223528[\t.\tPASS\tSVTYPE=BND;MATEID=MantaBND:1:1"
    "\tPR:SR\t40,0:35,0\t50,12:60,18\n"
    "chr2\t29223528\tMantaBND:1:1\tC\t]chr2:42295554]C\t.\tPASS\tSVTYPE=BND;MATEID=MantaBND:1:0"
    "\tPR:SR\t40,0:35,0\t50,12:60,18\n"
)


def run(tmp_path: Path, text: str, *extra: str, tumour: str = "LUAD") -> tuple[int, str, dict]:
    vcf = tmp_path / "sv.vcf"
    vcf.write_text(text)
    out = tmp_path / "c.json"
    result = CliRunner().invoke(
        main, ["annotate", "--fusions", str(vcf), "-t", tumour, *extra, "-o", str(out)]
    )
    return result.exit_code, result.output, json.loads(out.read_text()) if out.exists() else {}


def pairs(case: dict) -> list[tuple[str, str, int | None]]:
    return [(v["gene"], v["gene3"], v["supporting_reads"]) for v in case["variants"]]


def test_manta_reads_are_the_tumours_split_reads_and_pairs(tmp_path: Path) -> None:
    """The normal comes first; its 0 alt reads dropped a real EML4::ALK (on-label alectinib)."""
    code, output, case = run(tmp_path, HEAD + PAIR + EML4_ALK)
    assert code == 0, output
    assert pairs(case) == [("EML4", "ALK", 30)]  # tumour SR 18 + PR 12
    assert case["qc"]["sample"] == "TUMOR"
    assert any(m["label"] == "on-label" and "alectinib" in m["drugs"] for m in case["matches"])


def test_two_samples_that_do_not_say_which_is_the_tumour_are_an_error(tmp_path: Path) -> None:
    text = HEAD + PAIR.replace("NORMAL\tTUMOR", "S1\tS2") + EML4_ALK
    code, output, _ = run(tmp_path, text)
    assert code == 1
    assert "cannot tell which sample is the tumour; samples: S1, S2" in output
    code, output, case = run(tmp_path, text, "--sample", "S2")
    assert code == 0, output
    assert pairs(case) == [("EML4", "ALK", 30)]


def test_a_partner_outside_the_panel_is_kept(tmp_path: Path) -> None:
    """CCDC6 is not a TSO500 gene: the RET fusion was skipped as 'without two genes'."""
    text = (
        HEAD
        + PAIR
        + (
            "chr10\t59798614\tb1\tG\tG]chr10:43116592]\t.\tPASS\tSVTYPE=BND;MATEID=b2\tSR\t30,0\t30,20\n"
            "chr10\t43116592\tb2\tT\tT]chr10:59798614]\t.\tPASS\tSVTYPE=BND;MATEID=b1\tSR\t30,0\t30,20\n"
        )
    )
    code, output, case = run(tmp_path, text)
    assert code == 0, output
    assert pairs(case) == [("CCDC6", "RET", 20)]
    assert any(m["label"] == "on-label" and "selpercatinib" in m["drugs"] for m in case["matches"])
    code, output, case = run(tmp_path, text, "--panel", "all")
    assert code == 0, output
    assert pairs(case) == [("CCDC6", "RET", 20)]


def test_gridss2_partners_are_paired_through_parid(tmp_path: Path) -> None:
    text = (
        HEAD
        + PAIR
        + EML4_ALK.replace("MATEID", "PARID")
        .replace("PR:SR", "VF")
        .replace("\t40,0:35,0\t50,12:60,18", "\t0\t25")
    )
    code, output, case = run(tmp_path, text)
    assert code == 0, output
    assert pairs(case) == [("EML4", "ALK", 25)]


def test_a_single_record_translocation_is_paired_with_its_alt(tmp_path: Path) -> None:
    """DELLY writes one BND record per translocation (CHR2/POS2 and the ALT name the mate)."""
    text = (
        HEAD
        + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
        + "chr5\t150405000\tBND00000001\tN\tN]chr6:117300000]\t.\tPASS\tSVTYPE=BND;CHR2=chr6"
        "\tSR\t0,14\n"
    )
    code, output, case = run(tmp_path, text)
    assert code == 0, output
    assert pairs(case) == [("CD74", "ROS1", 14)]
    assert any("ROS1" in m["biomarker"] and m["label"] == "on-label" for m in case["matches"])


def test_gcnv_multi_alt_records_take_the_called_allele(tmp_path: Path) -> None:
    cnv = tmp_path / "gcnv.vcf"
    cnv.write_text(
        "##fileformat=VCFv4.2\n##reference=GRCh38\n##contig=<ID=chr17,length=83257441>\n"
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End">\n'
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        '##FORMAT=<ID=CN,Number=1,Type=Integer,Description="Copy number">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
        "chr17\t39690000\tCNV_chr17_1\tN\t<DEL>,<DUP>\t.\tPASS\tEND=39730000\tGT:CN\t2:9\n"
    )
    out = tmp_path / "c.json"
    result = CliRunner().invoke(main, ["annotate", "--cnv", str(cnv), "-t", "BRCA", "-o", str(out)])
    assert result.exit_code == 0, result.output
    case = json.loads(out.read_text())
    assert [(v["gene"], v["kind"], v["copy_number"]) for v in case["variants"]] == [
        ("ERBB2", "amplification", 9.0)
    ]


def test_tso500_ros1_pairs_with_an_overlapping_gene_are_read(
    tests_data: Path, tmp_path: Path
) -> None:
    cvo = (tests_data / "tso500" / "PT-0042_CombinedVariantOutput.tsv").read_text()
    assert "[Fusions]" in cvo
    head, _, rest = cvo.partition("[Fusions]")
    header, _, body = rest.lstrip("\n").partition("\n")
    columns = header.split("\t")
    row = ["" for _ in columns]
    row[0] = "CD74-ROS1;GOPC"
    for i, name in enumerate(columns):
        if "Breakpoint" in name:
            row[i] = (
                "chr5:149784243" if not any(r.startswith("chr5") for r in row) else "chr6:117645578"
            )
        elif "Supporting Reads" in name or "Reads" in name:
            row[i] = "96"
    path = tmp_path / "X_CombinedVariantOutput.tsv"
    path.write_text(head + "[Fusions]\n" + header + "\n" + "\t".join(row) + "\n" + body)
    out = tmp_path / "c.json"
    result = CliRunner().invoke(main, ["annotate", str(path), "-t", "LUAD", "-o", str(out)])
    assert result.exit_code == 0, result.output
    case = json.loads(out.read_text())
    ros1 = [v for v in case["variants"] if v["gene3"] == "ROS1"]
    assert [(v["gene"], v["gene3"]) for v in ros1] == [("CD74", "ROS1")]
    assert "the input also names GOPC at a breakpoint" in ros1[0]["note"]
    assert any("ROS1" in m["biomarker"] and m["label"] == "on-label" for m in case["matches"])


def test_tso500_skipped_exons_with_the_exon_count() -> None:
    egfr = splice_variant("EGFR", "2-7/28")
    assert egfr.exon == 2
    assert egfr.notes == ["exons 2-7 skipped (of 28 exons, as written: 2-7/28)",
                          "EGFRvIII (exons 2-7 deleted)"]  # fmt: skip
    met = splice_variant("MET", "14/21")
    assert (met.exon, met.notes[-1]) == (14, "MET exon 14 skipping")
    assert RunOptions(tumor_type="LUAD").min_fusion_reads == 2
