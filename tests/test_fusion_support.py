"""Fusion read support and breakend records as other callers write them (trial 12: published
output files of FusionCatcher, GRIDSS/ESVEE/PURPLE, CICERO, nf-core fusion-report,
CTAT-LR-Fusion and DRAGEN). Every fixture is written here from the tool's documented format
(its README, header descriptions or output-writing code), GRCh38 coordinates inside the genes
named."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tumorboard.cli import main


def annotate(tmp_path: Path, name: str, text: str, *extra: str) -> dict:
    path = tmp_path / name
    path.write_text(text)
    out = tmp_path / "case.json"
    result = CliRunner().invoke(
        main, ["annotate", "--fusions", str(path), "-t", "LUAD", *extra, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return dict(json.loads(out.read_text()))


def calls(case: dict) -> list[tuple[str, str, int | None]]:
    return [(v["gene"], v["gene3"], v["supporting_reads"]) for v in case["variants"]]


def skipped(case: dict) -> dict[str, int]:
    return {s["reason"]: s["count"] for s in case["qc"]["skipped"]}


# --- 1. breakend VCFs: split reads + spanning pairs -------------------------------------------
BND_HEAD = (
    "##fileformat=VCFv4.2\n##reference=GRCh38\n"
    "##contig=<ID=2,length=242193529>\n"
    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">\n'
    '##INFO=<ID=MATEID,Number=1,Type=String,Description="ID of the mate breakend">\n'
)
FUSIONCATCHER_VCF = (
    BND_HEAD
    + '##INFO=<ID=SP,Number=1,Type=Integer,Description="Spanning pairs supporting the fusion '
    'gene">\n'
    '##INFO=<ID=SR,Number=1,Type=Integer,Description="Spanning reads mapping on fusion '
    'junction">\n'
    '##INFO=<ID=GENE5,Number=1,Type=String,Description="Gene symbol that is at the 5 prime end">\n'
    '##INFO=<ID=GENE3,Number=1,Type=String,Description="Gene symbol that is at the 3 prime end">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    "2\t42299800\tEML4--ALK__5__0\tN\tN[2:29223584[\t.\tPASS\t"
    "SVTYPE=BND;MATEID=EML4--ALK__3__0;SR=4;SP=5;GENE5=EML4;GENE3=ALK\n"
    "2\t29223584\tEML4--ALK__3__0\tN\t[2:42299800[N\t.\tPASS\t"
    "SVTYPE=BND;MATEID=EML4--ALK__5__0;SR=4;SP=5;GENE5=EML4;GENE3=ALK\n"
)


def test_fusioncatcher_vcf_counts_junction_reads_and_spanning_pairs(tmp_path: Path) -> None:
    """FusionCatcher's VCF gives junction reads (SR) and spanning pairs (SP); only SR was read,
    so --min-fusion-reads 5 dropped an EML4::ALK (4 + 5) that the same run's table kept."""
    case = annotate(tmp_path, "fc.vcf", FUSIONCATCHER_VCF, "--min-fusion-reads", "5")
    assert calls(case) == [("EML4", "ALK", 9)]
    assert not any("below --min-fusion-reads" in r for r in skipped(case))


GRIDSS_VCF = (
    BND_HEAD + '##FORMAT=<ID=RP,Number=1,Type=Integer,Description="Count of read pairs supporting '
    'breakpoint per category">\n'
    '##FORMAT=<ID=SR,Number=1,Type=Integer,Description="Count of split reads supporting '
    'breakpoint per category">\n'
    '##FORMAT=<ID=VF,Number=1,Type=Integer,Description="Count of fragments supporting the '
    'variant breakpoint allele and not the reference allele.">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n"
    "2\t42299800\tgridss1o\tA\tA[2:29223584[\t500\tPASS\tSVTYPE=BND;MATEID=gridss1h"
    "\tRP:SR:VF\t0:0:0\t5:3:12\n"
    "2\t29223584\tgridss1h\tC\t]2:42299800]C\t500\tPASS\tSVTYPE=BND;MATEID=gridss1o"
    "\tRP:SR:VF\t0:0:0\t5:3:12\n"
)


def test_gridss_support_is_its_fragment_count_not_its_split_reads(tmp_path: Path) -> None:
    """GRIDSS writes SR (split reads), RP (read pairs) and VF (fragments, each once): SR alone
    was read, 3 of the tumour's 12 fragments, and the call fell below --min-fusion-reads 10."""
    case = annotate(tmp_path, "gridss.vcf", GRIDSS_VCF, "--min-fusion-reads", "10")
    assert calls(case) == [("EML4", "ALK", 12)]


# --- 3. single breakends ----------------------------------------------------------------------
SINGLES = (
    BND_HEAD
    + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    + "2\t37217057\tunbalanced_9\tN\t.N\t.\tPASS\tSVTYPE=SGL\n"  # PURPLE: inferred, ESVEE: SGL
    + "2\t29223584\tgridss7b\tC\tCAGGTTCAGT.\t300\tPASS\tSVTYPE=BND\n"  # GRIDSS: BND, t. ALT
    + "2\t42299800\tb1\tA\tA[2:29223584[\t.\tPASS\tSVTYPE=BND;MATEID=b2\n"
    + "2\t29223584\tb2\tC\t]2:42299800]C\t.\tPASS\tSVTYPE=BND;MATEID=b1\n"
)


def test_single_breakends_are_skipped_as_single_breakends(tmp_path: Path) -> None:
    """A single breakend (VCF 4.2 section 5.4.9: ALT ``t.`` or ``.t``) has no partner. ESVEE's
    and PURPLE's SVTYPE=SGL records were skipped as "not a breakend record: deletions,
    inversions ... <DEL>/<INV>/<TRA>", GRIDSS's as "breakend without a mate"."""
    case = annotate(tmp_path, "singles.vcf", SINGLES)
    assert calls(case) == [("EML4", "ALK", None)]
    reasons = skipped(case)
    (single,) = [r for r in reasons if r.startswith("single breakend")]
    assert reasons[single] == 2
    assert "no gene pair can be read" in single
    assert not any("not a breakend record" in r or "without a mate" in r for r in reasons)


# --- 2. fusion tables: a documented read count, or a qc line saying none was applied ----------
BELOW = "fusion read support below --min-fusion-reads 2"

CICERO = (
    "sample\tgeneA\tchrA\tposA\tortA\tfeatureA\tgeneB\tchrB\tposB\tortB\tfeatureB\tsv_ort"
    "\treadsA\treadsB\tmatchA\tmatchB\ttype\tscore\trating\tmedal\tfunctional effect\tframe\n"
    "S1\tEML4\tchr2\t42299800\t+\tcoding\tALK\tchr2\t29223584\t-\tcoding\t>"
    "\t1\t1\t98\t93\tITX\t40.5\tHQ\t4\tFusion\t1\n"
    "S1\tCD74\tchr5\t150405000\t-\tcoding\tROS1\tchr6\t117300000\t-\tcoding\t?"
    "\t3\t12\t98\t93\tCTX\t812.0\tLQ\t2\tFusion\t1\n"
)


def test_cicero_reads_are_its_junction_reads_and_its_doubts_are_noted(tmp_path: Path) -> None:
    """CICERO's readsA/readsB (junction reads at breakpoint A / B, README "Output Fields") were
    not read, so --min-fusion-reads was not applied; its rating LQ and sv_ort '?' were not
    noted."""
    case = annotate(tmp_path, "final_fusions.txt", CICERO)
    assert calls(case) == [("CD74", "ROS1", 12)]  # the larger end: 3 and 12 may be the same reads
    assert skipped(case)[BELOW] == 1  # EML4::ALK, 1 read at each end
    (ros1,) = case["variants"]
    assert "CICERO rating LQ" in ros1["note"]
    assert "5'/3' order unknown: CICERO's contig orientation" in ros1["note"]
    assert case["qc"]["not_assessable"] == []


FUSION_REPORT = (
    "Fusion,Databases,Fusion Indication Index (FII),Explained FII,arriba,dragen,starfusion\n"
    'EML4--ALK,Mitelman,0.5,0.5 * (2 / 3),"position: 2:42299800#2:29223584,split_reads1: 1,'
    'split_reads2: 0,discordant_mates: 0,coverage1: 245,confidence: low",,'
    '"position: 2:42299800:+#2:29223584:-,junction_reads: 0,spanning_reads: 1,ffmp: 0.1"\n'
    'KIF5B--RET,Mitelman,0.5,0.5 * (2 / 3),"position: 10:32017143#10:43116584,split_reads1: 10,'
    'split_reads2: 5,discordant_mates: 3,coverage1: 300,confidence: high",'
    '"position: 10:32017143#10:43116584,score: 90",\n'
    'CD74--ROS1,Mitelman,0.17,0.5 * (1 / 3),,"position: 5:150405000#6:117300000,score: 65",\n'
)


def test_fusion_report_reads_are_the_best_supported_tools(tmp_path: Path) -> None:
    """fusion-report's fusions.csv holds one cell per tool (``split_reads1: 88,...``); none was
    read. A call's support is its best-supported tool's reads; DRAGEN's score is not one."""
    case = annotate(tmp_path, "fusions.csv", FUSION_REPORT)
    assert calls(case) == [("KIF5B", "RET", 18), ("CD74", "ROS1", None)]
    assert skipped(case)[BELOW] == 1  # EML4::ALK: Arriba 1, STAR-Fusion 1
    (note,) = case["qc"]["not_assessable"]
    assert note.startswith("fusions.csv: --min-fusion-reads 2 not applied to 1 of its 2 fusion")


CTAT_LR = (
    "#FusionName\tnum_LR\tLeftGene\tLeftLocalBreakpoint\tLeftBreakpoint\tRightGene"
    "\tRightLocalBreakpoint\tRightBreakpoint\tSpliceType\tLR_accessions\tLR_FFPM\n"
    "EML4--ALK\t1\tEML4^ENSG00000085276\t100\tchr2:42299800:+\tALK^ENSG00000171094\t900"
    "\tchr2:29223584:-\tONLY_REF_SPLICE\tm1\t1.5\n"
    "KIF5B--RET\t7\tKIF5B^ENSG00000170759\t100\tchr10:32017143:-\tRET^ENSG00000165731\t900"
    "\tchr10:43116584:+\tONLY_REF_SPLICE\tm2,m3\t10.5\n"
)


def test_ctat_lr_fusion_reads_are_its_long_reads(tmp_path: Path) -> None:
    case = annotate(tmp_path, "ctat-LR-fusion.fusion_predictions.tsv", CTAT_LR)
    assert calls(case) == [("KIF5B", "RET", 7)]
    assert skipped(case)[BELOW] == 1
    assert case["qc"]["not_assessable"] == []


DRAGEN = (
    "#FusionGene\tScore\tLeftBreakpoint\tRightBreakpoint\tReadNames\n"
    "KIF5B--RET\t3\tchr10:32017143:-\tchr10:43116584:+\tr1;r2;r3;\n"
)


def test_a_file_without_read_counts_says_the_threshold_was_not_applied(tmp_path: Path) -> None:
    """DRAGEN's fusion table scores its calls but counts no reads: the call is kept, and qc says
    once, naming the file and the option, that --min-fusion-reads was not applied."""
    case = annotate(tmp_path, "sample.fusion_candidates.final", DRAGEN, "--min-fusion-reads", "5")
    assert calls(case) == [("KIF5B", "RET", None)]
    (note,) = case["qc"]["not_assessable"]
    assert note.startswith("sample.fusion_candidates.final: --min-fusion-reads 5 not applied")
    assert "Score is not a read count" in note


def test_a_breakend_vcf_without_read_counts_says_so_too(tmp_path: Path) -> None:
    case = annotate(tmp_path, "singles.vcf", SINGLES)
    (note,) = case["qc"]["not_assessable"]
    assert note.startswith("singles.vcf: --min-fusion-reads 2 not applied to its 1 fusion call")
