"""Hartwig PAVE annotation (the PURPLE somatic VCF of the Hartwig pipeline and
nf-core/oncoanalyser): INFO ``PAVE_TI`` holds one ``Gene|GeneName|Transcript|Effects|
SpliceRegion|HGVS.c|HGVS.p`` entry per transcript. Records are written here from PAVE's
documented header lines; no file is copied."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tumorboard.cli import main

HEADER = (
    "##fileformat=VCFv4.2\n"
    "##PaveVersion=1.6\n##purpleVersion=4.0\n##sageVersion=3.4\n"
    "##contig=<ID=chr7,length=159345973>\n##contig=<ID=chr13,length=114364328>\n"
    '##INFO=<ID=IMPACT,Number=10,Type=String,Description="Variant Impact [Gene, Transcript, '
    "CanonicalEffect, CanonicalCodingEffect, SpliceRegion, HgvsCodingImpact, HgvsProteinImpact, "
    'OtherReportableEffects, WorstCodingEffect, GenesAffected]">\n'
    '##INFO=<ID=PAVE_TI,Number=.,Type=String,Description="Transcript impact '
    '[Gene|GeneName|Transcript|Effects|SpliceRegion|HGVS.c|HGVS.p]">\n'
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt '
    'alleles in the order listed">\n'
    '##FORMAT=<ID=AF,Number=1,Type=Float,Description="Allelic frequency">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tPT001R\tPT001T\n"
)
"""A PURPLE somatic VCF's header: reference sample first, then the tumour."""

BRAF_V600E = (
    "chr7\t140753336\t.\tA\tT\t1046\tPASS\t"
    "IMPACT=BRAF,ENST00000646891,missense_variant,MISSENSE,false,c.1799T>A,p.Val600Glu,,"
    "MISSENSE,1;"
    "PAVE_TI=ENSG00000000001|LINC9999|ENST00000999991|non_coding_transcript_exon_variant|false|"
    "n.1178A>T|,ENSG00000157764|BRAF|ENST00000644969|missense_variant|false|c.1919T>A|"
    "p.Val640Glu,ENSG00000157764|BRAF|ENST00000646891|missense_variant|false|c.1799T>A|"
    "p.Val600Glu\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:60,40:0.4:100\n"
)
BRCA2_FRAMESHIFT = (
    "chr13\t32340300\t.\tGA\tG\t900\tPASS\t"
    "PAVE_TI=ENSG00000139618|BRCA2|ENST00000380152|frameshift_variant|false|c.5946del|"
    "p.Ser1982fs\tGT:AD:AF:DP\t0/0:50,0:0.0:50\t0/1:50,50:0.5:100\n"
)
MULTI_ALLELIC = (
    "chr7\t140753336\t.\tA\tT,G\t500\tPASS\t"
    "PAVE_TI=ENSG00000157764|BRAF|ENST00000646891|missense_variant|false|c.1799T>A|p.Val600Glu"
    "\tGT:AD:AF:DP\t0/0:40,0,0:0.0:40\t0/1:50,30,20:0.3:100\n"
)


def annotate(tmp_path: Path, text: str, *extra: str) -> tuple[int, str, dict]:
    vcf = tmp_path / "PT001.purple.somatic.vcf"
    vcf.write_text(text)
    out = tmp_path / "c.json"
    result = CliRunner().invoke(
        main, ["annotate", str(vcf), "-t", "SKCM", "--sample", "PT001T", *extra, "-o", str(out)]
    )
    case = json.loads(out.read_text()) if result.exit_code == 0 else {}
    return result.exit_code, result.output, case


def test_pave_annotation_gives_genes_and_protein_changes(tmp_path: Path) -> None:
    """The MANE Select transcript is chosen (PAVE marks none), not the first entry, a lncRNA,
    nor another BRAF transcript with another codon number."""
    code, output, case = annotate(tmp_path, HEADER + BRAF_V600E + BRCA2_FRAMESHIFT)
    assert code == 0, output
    braf, brca2 = case["variants"]
    assert (braf["gene"], braf["protein"], braf["transcript"]) == (
        "BRAF", "V600E", "ENST00000646891",
    )  # fmt: skip
    assert braf["transcript_rule"] == "mane_select_table"
    assert braf["vaf"] == 0.4
    assert (brca2["gene"], brca2["consequences"]) == ("BRCA2", ["frameshift_variant"])
    assert any(m["biomarker"] == "BRAF V600E" and m["label"] == "on-label" for m in case["matches"])
    assert not any("not read" in w for w in case["qc"]["warnings"])


def test_a_multi_allelic_record_is_skipped_with_the_reason(tmp_path: Path) -> None:
    """PAVE's entries name no allele: with two ALTs none can be said to be whose."""
    code, output, case = annotate(tmp_path, HEADER + MULTI_ALLELIC)
    assert code == 0, output
    assert case["variants"] == []
    skipped = {s["reason"]: s["count"] for s in case["qc"]["skipped"]}
    assert skipped == {"no PAVE_TI entry for the ALT allele": 2}


def test_a_pave_header_without_its_field_list_is_one_error(tmp_path: Path) -> None:
    broken = HEADER.replace(" [Gene|GeneName|Transcript|Effects|SpliceRegion|HGVS.c|HGVS.p]", "")
    code, output, _ = annotate(tmp_path, broken + BRAF_V600E)
    assert code != 0
    assert output.startswith("Error:")
    assert "PAVE_TI" in output
    assert "Hint:" in output
    assert "Traceback" not in output


def test_pave_1_8_fields_are_read_from_the_header(tmp_path: Path) -> None:
    """PAVE 1.8 adds RefSeqId, Exon and Codon to each entry: the field list is the header's."""
    header = HEADER.replace("HGVS.c|HGVS.p]", "HGVS.c|HGVS.p|RefSeqId|Exon|Codon]")
    record = (
        "chr7\t140753336\t.\tA\tT\t1046\tPASS\t"
        "PAVE_TI=ENSG00000157764|BRAF|ENST00000646891|missense_variant|false|c.1799T>A|"
        "p.Val600Glu|NM_004333.6|15|600\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:60,40:0.4:100\n"
    )
    code, output, case = annotate(tmp_path, header + record)
    assert code == 0, output
    (braf,) = case["variants"]
    assert (braf["gene"], braf["protein"]) == ("BRAF", "V600E")
    # the same entries read against the 7-field header are malformed: skipped, never misread
    code, output, case = annotate(tmp_path, HEADER + record)
    assert code == 0, output
    assert case["variants"] == []
    assert any("field count" in s["reason"] for s in case["qc"]["skipped"])
