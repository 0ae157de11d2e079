"""Tables as other tools publish them (a second sweep, 2026-11): Funcotator MAFs (a whole VCF
header above the MAF header; ``__UNKNOWN__`` sample barcodes), a MAF row whose classification
contradicts its protein change, and absolute copy number in a tumour whose genome doubled (ASCAT
segments).

Fixtures are written here from the tools' documented layouts (MAF specification, Funcotator's
MAF output, ASCAT's segment table: sample, chr, startpos, endpos, nMajor, nMinor); no file is
copied from the tools' repositories.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cli_run import annotate
from click.testing import CliRunner

from tumorboard.cli import main

MAF_HEADER = (
    "Hugo_Symbol\tNCBI_Build\tChromosome\tStart_Position\tEnd_Position\tVariant_Classification\t"
    "Reference_Allele\tTumor_Seq_Allele2\tTumor_Sample_Barcode\tProtein_Change\n"
)
PIK3CA_ROWS = (
    "PIK3CA\thg19\t3\t178936091\t178936091\tMissense_Mutation\tG\tA\t__UNKNOWN__\tp.E545K\n"
    "PIK3CA\thg19\t3\t178952085\t178952085\tMissense_Mutation\tA\tT\t__UNKNOWN__\tp.H1047L\n"
)


def _funcotator_maf(tmp_path: Path, comment_lines: int) -> Path:
    """Funcotator's MAF: ``#version 2.4``, the input VCF's header as ``##`` lines, then the
    MAF header; ``__UNKNOWN__`` where no tumour barcode was given."""
    maf = tmp_path / "funcotator.maf"
    contigs = "".join(f"## ##contig=<ID=chrUn_{i},length=1000>\n" for i in range(comment_lines))
    maf.write_text("#version 2.4\n" + contigs + MAF_HEADER + PIK3CA_ROWS)
    return maf


def test_unknown_barcodes_are_one_unnamed_sample(tmp_path: Path) -> None:
    """Every Tumor_Sample_Barcode is __UNKNOWN__: every row was skipped, exit 0 and an empty case
    that read as "nothing actionable"; the file is one unnamed sample, as without the column."""
    maf = _funcotator_maf(tmp_path, 3)
    code, output, case = annotate([str(maf), "-t", "BRCA", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    assert {v["protein"] for v in case["variants"]} == {"E545K", "H1047L"}
    assert any(m["label"] == "on-label" for m in case["matches"])
    assert case["qc"]["skipped"] == []
    assert case["qc"]["sample_rule"].startswith("no row names a sample")


def test_a_header_after_thousands_of_comment_lines_is_found(tmp_path: Path) -> None:
    """Funcotator copies the VCF header (3,000+ lines with an hg38 dictionary) above the MAF
    header; the format sniffer looked at 400 lines and blamed line 1."""
    maf = _funcotator_maf(tmp_path, 3500)
    proc = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(maf), "-t", "BRCA", "-o",
         str(tmp_path / "c.json")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    case = json.loads((tmp_path / "c.json").read_text())
    assert len(case["variants"]) == 2


def test_only_comment_lines_say_so(tmp_path: Path) -> None:
    bad = tmp_path / "cut.maf"
    bad.write_text("#version 2.4\n" + "## a comment\n" * 50)
    code, output, _ = annotate([str(bad), "-t", "BRCA", "-o", str(tmp_path / "c.json")])
    assert code == 1
    assert "Error:" in output
    assert "no header line: only comment lines" in output
    assert "Hint:" in output


def test_a_classification_contradicting_its_protein_change_is_read_by_the_protein(
    tmp_path: Path,
) -> None:
    """``Nonsense_Mutation`` with ``p.D191G`` (a published test study): read as truncating, it
    matched BRCA loss-of-function PARP-inhibitor labels on-label. The protein change is the more
    specific statement: a missense change, with a note and a warning."""
    maf = tmp_path / "m.maf"
    maf.write_text(
        MAF_HEADER
        + "BRCA2\tGRCh37\t13\t32900000\t32900000\tNonsense_Mutation\tA\tG\tT1\tp.D191G\n"
        + "BRCA1\tGRCh37\t17\t41244000\t41244000\tMissense_Mutation\tG\tA\tT1\tp.Q1323*\n"
    )
    code, output, case = annotate([str(maf), "-t", "BRCA", "-o", str(tmp_path / "c.json")])
    assert code == 0, output
    by_gene = {v["gene"]: v for v in case["variants"]}
    assert by_gene["BRCA2"]["consequences"] == ["missense_variant"]
    assert "contradicts the protein change D191G" in by_gene["BRCA2"]["note"]
    assert by_gene["BRCA1"]["consequences"] == ["stop_gained"]
    assert not any("BRCA2" in m["biomarker"] for m in case["matches"])
    assert any("BRCA1" in m["biomarker"] for m in case["matches"])
    assert any(
        "2 row(s) whose Variant_Classification contradicts" in w for w in case["qc"]["warnings"]
    )


def _ascat(tmp_path: Path, background: tuple[int, int]) -> Path:
    """ASCAT segments (GRCh38) over all autosomes at ``background`` (nMajor, nMinor), with ERBB2
    (chr17:39.69-39.73 Mb) on a 3+3 segment and MYC (chr8:127.73-127.74 Mb) on a 9+9 one."""
    major, minor = background
    rows = ["sample\tchr\tstartpos\tendpos\tnMajor\tnMinor"]
    focal = {"17": (39_600_000, 39_800_000, 3, 3), "8": (127_700_000, 127_800_000, 9, 9)}
    for chrom in range(1, 23):
        c = str(chrom)
        if c in focal:
            start, end, a, b = focal[c]
            rows += [f"S1\t{c}\t1\t{start}\t{major}\t{minor}", f"S1\t{c}\t{start}\t{end}\t{a}\t{b}",
                     f"S1\t{c}\t{end}\t110000000\t{major}\t{minor}"]  # fmt: skip
        else:
            rows.append(f"S1\t{c}\t1\t100000000\t{major}\t{minor}")
    path = tmp_path / f"ascat_{major}{minor}.segments.txt"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_absolute_copy_number_is_read_against_the_tumours_ploidy(tmp_path: Path) -> None:
    """In a genome-doubled tumour (3+2 copies everywhere: ploidy 5) a 3+3 segment over ERBB2 is
    no amplification; it was called one, with HER2 drugs. The threshold becomes 6 x ploidy / 2
    (15 here); 18 copies of MYC still are. In a diploid tumour the same 6 copies are."""
    seg = _ascat(tmp_path, (3, 2))
    code, output, case = annotate(
        ["--cnv", str(seg), "-t", "BRCA", "--genome", "GRCh38", "-o", str(tmp_path / "c.json")]
    )
    assert code == 0, output
    amplified = {v["gene"] for v in case["variants"] if v["kind"] == "amplification"}
    assert "ERBB2" not in amplified
    assert "MYC" in amplified
    assert not any(m["gene"] == "ERBB2" for m in case["matches"])
    assert any("tumour ploidy about 5.0" in w and ">= 15" in w for w in case["qc"]["warnings"])
    diploid = _ascat(tmp_path, (1, 1))
    code, output, case = annotate(
        ["--cnv", str(diploid), "-t", "BRCA", "--genome", "GRCh38", "-o", str(tmp_path / "d.json")]
    )
    assert code == 0, output
    assert "ERBB2" in {v["gene"] for v in case["variants"] if v["kind"] == "amplification"}
    assert not any("ploidy" in w for w in case["qc"]["warnings"])


def test_gatk_cnv_segments_with_their_sam_header(tmp_path: Path) -> None:
    """GATK CallCopyRatioSegments' ``.called.seg`` and ModelSegments' ``.modelFinal.seg`` start
    with ``@HD``/``@SQ``/``@RG`` lines and name their log2 ratio ``MEAN_LOG2_COPY_RATIO`` or
    ``LOG2_COPY_RATIO_POSTERIOR_50``: both were refused."""
    sam = "@HD\tVN:1.6\n@SQ\tSN:chr17\tLN:83257441\n@RG\tID:GATKCopyNumber\tSM:T1\n"
    called = tmp_path / "t.called.seg"
    called.write_text(
        sam + "CONTIG\tSTART\tEND\tNUM_POINTS_COPY_RATIO\tMEAN_LOG2_COPY_RATIO\tCALL\n"
        "chr17\t39600000\t39800000\t40\t2.0\t+\n"
        "chr17\t39800001\t50000000\t900\t0.01\t0\n"
    )
    model = tmp_path / "t.modelFinal.seg"
    model.write_text(
        sam + "CONTIG\tSTART\tEND\tNUM_POINTS_COPY_RATIO\tNUM_POINTS_ALLELE_FRACTION\t"
        "LOG2_COPY_RATIO_POSTERIOR_10\tLOG2_COPY_RATIO_POSTERIOR_50\tLOG2_COPY_RATIO_POSTERIOR_90\n"
        "chr17\t39600000\t39800000\t40\t10\t1.9\t2.0\t2.1\n"
    )
    for seg in (called, model):
        code, output, case = annotate(
            ["--cnv", str(seg), "-t", "BRCA", "--genome", "GRCh38", "-o", str(tmp_path / "c.json")]
        )
        assert code == 0, output
        (erbb2,) = [v for v in case["variants"] if v["gene"] == "ERBB2"]
        assert (erbb2["kind"], erbb2["copy_number"]) == ("amplification", 8.0)


def test_gatk_segments_state_their_build_in_their_sam_header(tmp_path: Path) -> None:
    """The ``@SQ`` lengths name the reference (chr17: 83,257,441 bp in GRCh38, 81,195,210 in
    GRCh37): without --genome the file's build is used; a case of the other build is an error
    (the segments would be laid on the wrong genes), never read silently."""
    rows = (
        "CONTIG\tSTART\tEND\tNUM_POINTS_COPY_RATIO\tMEAN_LOG2_COPY_RATIO\tCALL\n"
        "chr17\t39600000\t39800000\t40\t2.0\t+\n"
    )
    grch38 = tmp_path / "t38.called.seg"
    grch38.write_text("@HD\tVN:1.6\n@SQ\tSN:chr17\tLN:83257441\n" + rows)
    code, output, case = annotate(
        ["--cnv", str(grch38), "-t", "BRCA", "--panel", "all", "-o", str(tmp_path / "a.json")]
    )
    assert code == 0, output
    assert "ERBB2" in {v["gene"] for v in case["variants"]}
    out = tmp_path / "b.json"
    code, output, _ = annotate(
        ["--cnv", str(grch38), "-t", "BRCA", "--genome", "GRCh37", "-o", str(out)]
    )
    assert code == 1
    assert "the segment file's @SQ lengths (chr17) are GRCh38, but this case is GRCh37" in output
    assert "Hint: give the segment file called on GRCh37" in output
    assert not out.exists()
    grch37 = tmp_path / "t37.called.seg"
    grch37.write_text(
        "@HD\tVN:1.6\n@SQ\tSN:17\tLN:81195210\tAS:GRCh37\n" + rows.replace("chr17", "17")
    )
    code, output, _ = annotate(
        ["--cnv", str(grch37), "-t", "BRCA", "--genome", "GRCh38", "-o", str(out)]
    )
    assert code == 1
    assert "are GRCh37, but this case is GRCh38" in output


def _fusions(tmp_path: Path, name: str, text: str, *extra: str) -> dict:
    path = tmp_path / name
    path.write_text(text)
    code, output, case = annotate(
        ["--fusions", str(path), "-t", "LUAD", "--genome", "GRCh38", *extra,
         "-o", str(tmp_path / "c.json")]
    )  # fmt: skip
    assert code == 0, output
    return case


def test_fusioncatcher_final_list_is_a_fusion_table(tmp_path: Path) -> None:
    """FusionCatcher's ``final-list_candidate-fusion-genes.txt`` (its main output) was refused:
    its partner columns are ``Gene_1_symbol(5end_fusion_partner)`` / ``Gene_2_symbol(3end_...)``;
    support is spanning pairs + spanning unique reads."""
    case = _fusions(
        tmp_path,
        "final-list_candidate-fusion-genes.txt",
        "Gene_1_symbol(5end_fusion_partner)\tGene_2_symbol(3end_fusion_partner)\t"
        "Fusion_description\tCounts_of_common_mapping_reads\tSpanning_pairs\t"
        "Spanning_unique_reads\tLongest_anchor_found\tFusion_finding_method\t"
        "Fusion_point_for_gene_1(5end_fusion_partner)\tFusion_point_for_gene_2(3end_fusion_partner)\n"
        "EML4\tALK\tknown,oncogene\t0\t12\t9\t40\tBOWTIE\t2:42299800:+\t2:29223584:-\n"
        "KIF5B\tRET\tknown,oncogene\t0\t1\t0\t20\tBOWTIE\t10:32017143:-\t10:43116584:+\n",
    )
    (alk,) = [v for v in case["variants"] if v["gene3"] == "ALK"]
    assert (alk["gene"], alk["supporting_reads"], alk["chrom"]) == ("EML4", 21, "2")
    assert any(m["biomarker"] == "EML4::ALK fusion" for m in case["matches"])
    assert "KIF5B" not in {v["gene"] for v in case["variants"]}  # 1 read: below the minimum
    assert any("below --min-fusion-reads" in s["reason"] for s in case["qc"]["skipped"])


def test_linx_reported_fusions_are_read(tmp_path: Path) -> None:
    """HMF LINX ``*.linx.fusion.tsv`` was refused (PURPLE from the same pipeline is read): the
    5' and 3' genes are ``geneStart``/``geneEnd``; rows LINX does not report are skipped with
    that reason."""
    header = (
        "fivePrimeBreakendId\tthreePrimeBreakendId\tname\treported\treportedType\t"
        "reportableReasons\tphased\tlikelihood\tgeneStart\tgeneContextStart\ttranscriptStart\t"
        "geneEnd\tgeneContextEnd\ttranscriptEnd\tjunctionCopyNumber\n"
    )
    case = _fusions(
        tmp_path,
        "t.linx.fusion.tsv",
        header
        + "137\t136\tEML4_ALK\ttrue\tKNOWN_PAIR\tOK\tINFRAME\tHIGH\tEML4\tExon 6\tENST1\tALK\t"
        "Exon 20\tENST2\t1.7\n"
        + "269\t268\tDMD_DMD\tfalse\tNONE\tNOT_KNOWN\tINFRAME\tNA\tDMD\tExon 67\tENST3\tDMD\t"
        "Exon 70\tENST3\t0.9\n",
        "--panel",
        "all",
    )
    assert [(v["gene"], v["gene3"]) for v in case["variants"]] == [("EML4", "ALK")]
    assert any(s["reason"].startswith("LINX fusion not reported") for s in case["qc"]["skipped"])


def test_cbioportal_sv_support_falls_back_to_the_variant_count(tmp_path: Path) -> None:
    """cBioPortal SV rows often give split and paired-end counts as NA beside
    ``Tumor_Variant_Count``: the support was lost, so --min-fusion-reads never applied."""
    case = _fusions(
        tmp_path,
        "data_sv.txt",
        "Sample_Id\tSite1_Hugo_Symbol\tSite2_Hugo_Symbol\tTumor_Split_Read_Count\t"
        "Tumor_Paired_End_Read_Count\tTumor_Variant_Count\tSV_Status\n"
        "S1\tEML4\tALK\tNA\tNA\t70\tSOMATIC\n"
        "S1\tKIF5B\tRET\tNA\tNA\t1\tSOMATIC\n",
    )
    assert [(v["gene"], v["supporting_reads"]) for v in case["variants"]] == [("EML4", 70)]


def test_a_5_prime_kinase_partner_is_flagged_where_the_board_reads(tmp_path: Path) -> None:
    """``ALK | PTPN3`` (ALK as the 5' partner) was pooled into the ALK-fusion match without a
    word: ALK fusions drive through ALK's 3' kinase domain, which that product lacks. The note
    is on the variant and, like every note of an actionable variant, in the report's row."""
    sv = tmp_path / "data_sv.txt"
    sv.write_text(
        "Sample_Id\tSite1_Hugo_Symbol\tSite2_Hugo_Symbol\tTumor_Variant_Count\nS1\tALK\tPTPN3\t40\n"
    )
    html = tmp_path / "r.html"
    result = CliRunner().invoke(
        main,
        ["report", "--fusions", str(sv), "-t", "LUAD", "--genome", "GRCh38", "-o", str(html),
         "--json", str(tmp_path / "r.json")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    case = json.loads((tmp_path / "r.json").read_text())
    (alk,) = case["variants"]
    assert "ALK is the 5' partner here" in alk["note"]
    section = html.read_text().split('id="actionable"', 1)[1].split("</table>", 1)[0]
    assert "ALK is the 5&#39; partner here" in section


FUSIONCATCHER_VCF = (
    "##fileformat=VCFv4.2\n##reference=GRCh38\n"
    "##contig=<ID=2,length=242193529>\n##contig=<ID=4,length=190214555>\n"
    "##contig=<ID=14,length=107043718>\n"
    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type">\n'
    '##INFO=<ID=MATEID,Number=.,Type=String,Description="Mate">\n'
    '##INFO=<ID=GENE5,Number=1,Type=String,Description="5 prime gene">\n'
    '##INFO=<ID=GENE3,Number=1,Type=String,Description="3 prime gene">\n'
    '##INFO=<ID=SR,Number=1,Type=Integer,Description="Split reads">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    "2\t29223584\tEML4--ALK__3\tN\t[2:42299800[N\t.\tPASS\t"
    "SVTYPE=BND;MATEID=EML4--ALK__5;GENE5=EML4;GENE3=ALK;SR=12\n"
    "2\t42299800\tEML4--ALK__5\tN\tN]2:29223584]\t.\tPASS\t"
    "SVTYPE=BND;MATEID=EML4--ALK__3;GENE5=EML4;GENE3=ALK;SR=12\n"
    "4\t190174997\tDUX4--IGH@__5\tN\tN[14:105888559[\t.\tPASS\t"
    "SVTYPE=BND;MATEID=DUX4--IGH@__3;GENE5=DUX4;GENE3=IGH@;SR=5\n"
    "14\t105888559\tDUX4--IGH@__3\tN\t[4:190174997[N\t.\tPASS\t"
    "SVTYPE=BND;MATEID=DUX4--IGH@__5;GENE5=DUX4;GENE3=IGH@;SR=5\n"
)


def test_fusioncatcher_vcf_gives_5_and_3_prime_by_its_gene5_gene3(tmp_path: Path) -> None:
    """FusionCatcher's VCF names the partners (GENE5, GENE3); they were re-derived from the
    coordinates (the 3' ALK record first gave ALK as 5') with "orientation not determined", and
    the records of an out-of-panel pair were counted once for two."""
    case = _fusions(tmp_path, "fc.vcf", FUSIONCATCHER_VCF)
    assert [(v["gene"], v["gene3"]) for v in case["variants"]] == [("EML4", "ALK")]
    (eml4,) = case["variants"]
    assert "as the caller names them (INFO GENE5/GENE3)" in eml4["note"]
    assert "not determined" not in eml4["note"]
    assert any(m["biomarker"] == "EML4::ALK fusion" for m in case["matches"])
    qc = case["qc"]
    other_end = sum(s["count"] for s in qc["skipped"] if "other end" in s["reason"])
    assert other_end == 2
    assert qc["records_read"] - qc["records_in_panel"] == 1  # DUX4::IGH@: its first record


def test_a_vcf_kind_is_told_after_thousands_of_contig_lines(tmp_path: Path) -> None:
    """A GATK-style header lists every contig (3,366 on hg38 with alternates) before the first
    record: the sniffer saw 400 header lines, no record, and called a breakend VCF a small-variant
    one."""
    from tumorboard.readers.detect import detect_format

    lines = FUSIONCATCHER_VCF.splitlines(keepends=True)
    contigs = "".join(f"##contig=<ID=chrUn_{i},length=1000>\n" for i in range(3400))
    vcf = tmp_path / "sv.vcf"
    vcf.write_text(lines[0] + contigs + "".join(lines[1:]))
    assert detect_format(str(vcf)) == "sv_vcf"
