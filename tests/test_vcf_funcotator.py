"""GATK Funcotator's VCF output: INFO ``FUNCOTATION`` (``Number=A``), one ``[a|b|...]`` group per
ALT, transcripts joined by ``#``, field names in the header's description
(``Gencode_<version>_hugoSymbol|...``). Records are written here from Funcotator's documented
layout; no file is copied."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tumorboard.cli import main

GENCODE = (
    "hugoSymbol",
    "ncbiBuild",
    "chromosome",
    "start",
    "end",
    "variantClassification",
    "secondaryVariantClassification",
    "variantType",
    "refAllele",
    "tumorSeqAllele1",
    "tumorSeqAllele2",
    "genomeChange",
    "annotationTranscript",
    "transcriptStrand",
    "transcriptExon",
    "transcriptPos",
    "cDnaChange",
    "codonChange",
    "proteinChange",
    "gcContent",
    "referenceContext",
    "otherTranscripts",
)
"""Funcotator's 22 Gencode fields, in its order."""
FIELDS = [f"Gencode_34_{name}" for name in GENCODE] + ["ClinVar_VCF_CLNSIG", "HGNC_Approved_Name"]

HEADER = (
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=chr7,length=159345973>\n##contig=<ID=chr13,length=114364328>\n"
    '##INFO=<ID=FUNCOTATION,Number=A,Type=String,Description="Functional annotation from the '
    "Funcotator tool.  Funcotation fields are: " + "|".join(FIELDS) + '">\n'
    "##Funcotator Version=4.6.2.0 | Gencode 34 CANONICAL | ClinVar_VCF 20180429\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    "##tumor_sample=TUMOR\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n"
)


def funcotation(
    gene: str,
    classification: str,
    transcript: str,
    protein: str,
    *,
    secondary: str = "",
    cdna: str = "c.1799T>A",
    name: str = "B-Raf_%20_proto-oncogene_%7C_kinase",
) -> str:
    values = {
        "hugoSymbol": gene, "ncbiBuild": "hg38", "variantClassification": classification,
        "secondaryVariantClassification": secondary, "annotationTranscript": transcript,
        "transcriptExon": "15", "cDnaChange": cdna, "proteinChange": protein,
    }  # fmt: skip
    cells = [values.get(n, "") for n in GENCODE] + ["Pathogenic", name]
    return "[" + "|".join(cells) + "]"


def record(chrom: str, pos: int, ref: str, alt: str, info: str, ad: str = "60,40") -> str:
    normal_ad = ",".join(["40"] + ["0"] * alt.count(",") + ["0"])
    return (
        f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\tFUNCOTATION={info}\tGT:AD\t"
        f"0/0:{normal_ad}\t0/1:{ad}\n"
    )


def annotate(tmp_path: Path, text: str, tumour: str = "SKCM") -> dict:
    vcf = tmp_path / "t.funcotated.vcf"
    vcf.write_text(text)
    out = tmp_path / "c.json"
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", tumour, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def test_funcotator_annotation_gives_genes_and_protein_changes(tmp_path: Path) -> None:
    """BRAF V600E from a Funcotator VCF: matched on-label, where it had been read as
    unannotated (hotspot coordinates only)."""
    braf = funcotation("BRAF", "MISSENSE", "ENST00000646891.2", "p.V600E")
    case = annotate(tmp_path, HEADER + record("chr7", 140753336, "A", "T", braf))
    (v,) = case["variants"]
    assert (v["gene"], v["protein"], v["hgvsc"], v["exon"]) == ("BRAF", "V600E", "c.1799T>A", 15)
    assert v["consequences"] == ["missense_variant"]
    assert v["transcript_rule"] == "mane_select_table"
    assert any(m["biomarker"] == "BRAF V600E" and m["label"] == "on-label" for m in case["matches"])
    assert not any("not read" in w for w in case["qc"]["warnings"])


def test_all_transcripts_mode_picks_mane_select(tmp_path: Path) -> None:
    """``--transcript-selection-mode ALL``: several ``[...]#[...]`` groups for one ALT."""
    other = funcotation("BRAF", "MISSENSE", "ENST00000644969.2", "p.V640E", cdna="c.1919T>A")
    mane = funcotation("BRAF", "MISSENSE", "ENST00000646891.2", "p.V600E")
    case = annotate(tmp_path, HEADER + record("chr7", 140753336, "A", "T", f"{other}#{mane}"))
    (v,) = case["variants"]
    assert (v["protein"], v["transcript"]) == ("V600E", "ENST00000646891.2")


def test_multi_allelic_records_keep_each_alts_own_entry(tmp_path: Path) -> None:
    first = funcotation("BRAF", "MISSENSE", "ENST00000646891.2", "p.V600E")
    second = funcotation("BRAF", "MISSENSE", "ENST00000646891.2", "p.V600G", cdna="c.1799T>C")
    case = annotate(
        tmp_path, HEADER + record("chr7", 140753336, "A", "T,C", f"{first},{second}", "50,30,20")
    )
    assert [(v["alt"], v["protein"]) for v in case["variants"]] == [("T", "V600E"), ("C", "V600G")]


def test_a_splice_site_is_truncating_only_in_the_intron(tmp_path: Path) -> None:
    """Funcotator's SPLICE_SITE covers exonic bases beside a boundary too; its secondary
    classification says what the change is. An exonic splice-site missense in BRCA2 is no loss
    of function (no PARP-inhibitor label on the word SPLICE_SITE), an intronic one is."""
    exonic = funcotation("BRCA2", "SPLICE_SITE", "ENST00000380152.8", "p.K3326T",
                         secondary="MISSENSE", cdna="c.9977A>C")  # fmt: skip
    intronic = funcotation("BRCA2", "SPLICE_SITE", "ENST00000380152.8", "",
                           secondary="INTRON", cdna="c.9256+1G>A")  # fmt: skip
    text = (
        HEADER
        + record("chr13", 32398400, "A", "C", exonic)
        + record("chr13", 32396900, "G", "A", intronic)
    )
    case = annotate(tmp_path, text, tumour="PRAD")
    by_pos = {v["pos"]: v for v in case["variants"]}
    assert by_pos[32398400]["consequences"] == ["splice_region_variant", "missense_variant"]
    assert by_pos[32396900]["consequences"] == ["splice_donor_variant"]
    lof = {v for m in case["matches"] for v in m["variants"]}
    assert by_pos[32396900]["id"] in lof
    assert by_pos[32398400]["id"] not in lof


def test_a_funcotator_header_without_gencode_fields_is_one_error(tmp_path: Path) -> None:
    broken = HEADER.replace("Gencode_34_hugoSymbol", "Other_hugoSymbol")
    vcf = tmp_path / "t.vcf"
    vcf.write_text(broken + record("chr7", 140753336, "A", "T", "[x]"))
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "SKCM"])
    assert result.exit_code != 0
    assert result.output.startswith("Error:")
    assert "FUNCOTATION" in result.output
    assert "Hint:" in result.output


def test_an_intergenic_variant_names_no_gene(tmp_path: Path) -> None:
    """Funcotator writes hugoSymbol ``Unknown`` for an IGR variant: no gene called Unknown."""
    igr = funcotation("Unknown", "IGR", "no_transcript", "", cdna="")
    vcf = tmp_path / "igr.vcf"
    vcf.write_text(HEADER + record("chr7", 140000000, "A", "T", igr))
    out = tmp_path / "c.json"
    result = CliRunner().invoke(
        main, ["annotate", str(vcf), "-t", "SKCM", "--panel", "all", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    (v,) = json.loads(out.read_text())["variants"]
    assert v["gene"] == ""
    assert v["consequences"] == ["intergenic_variant"]


def test_an_empty_group_beside_an_alleles_entry_is_passed_over(tmp_path: Path) -> None:
    """Funcotator can add a group with empty Gencode fields to an allele (GATK issues 5822 and
    8858); listed first, it was the transcript chosen with --panel all: a variant without gene."""
    empty = "[" + "|" * (len(FIELDS) - 1) + "]"
    braf = funcotation("BRAF", "MISSENSE", "ENST00000644969.2", "p.V640E", cdna="c.1919T>A")
    vcf = tmp_path / "ragged.vcf"
    vcf.write_text(HEADER + record("chr7", 140753336, "A", "T", f"{empty}#{braf}"))
    out = tmp_path / "c.json"
    result = CliRunner().invoke(
        main, ["annotate", str(vcf), "-t", "SKCM", "--panel", "all", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    (v,) = json.loads(out.read_text())["variants"]
    assert (v["gene"], v["protein"]) == ("BRAF", "V640E")
