"""VEP run with ``--vcf_info_field ANN``: VEP's own fields under the INFO key SnpEff uses.

VEP's documentation offers ``--vcf_info_field ANN`` "for compatibility with other tools such as
snpEff"; the header keeps VEP's description ("Consequence annotations from Ensembl VEP. Format:
Allele|Consequence|...") and the entries keep VEP's field order. Read with SnpEff's 16 fixed
fields, VEP's HGVSc (field 10) was taken for the protein change and every variant lost its
protein: BRAF V600E could not be matched. The files here are written from VEP's documented
output layout; GRCh38 BRAF V600E is chr7:140753336 A>T (ENST00000646891, MANE Select).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tumorboard.cli import main

VEP_FIELDS = (
    "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|"
    "cDNA_position|CDS_position|Protein_position|Amino_acids|Codons|Existing_variation|DISTANCE|"
    "STRAND|FLAGS|SYMBOL_SOURCE|HGNC_ID|CANONICAL|MANE_SELECT"
)
BRAF = (
    "T|missense_variant|MODERATE|BRAF|ENSG00000157764|Transcript|ENST00000646891.2|protein_coding|"
    "15/18||ENST00000646891.2:c.1799T>A|ENSP00000493543.1:p.Val600Glu|1919|1799|600|V/E|gTg/gAg|"
    "rs113488022||-1||HGNC|HGNC:1097|YES|NM_004333.6"
)
HEADER = (
    "##fileformat=VCFv4.2\n##contig=<ID=chr7,length=159345973>\n##reference=GRCh38\n"
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    "{info}\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
)
VEP_ANN = (
    '##INFO=<ID=ANN,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
    f'Format: {VEP_FIELDS}">'
)


def _vcf(path: Path, info_line: str, entry: str) -> Path:
    path.write_text(
        HEADER.format(info=info_line)
        + f"chr7\t140753336\t.\tA\tT\t.\tPASS\tANN={entry}\tGT:AD\t0/1:60,40\n"
    )
    return path


def _case(tmp_path: Path, vcf: Path) -> dict[str, Any]:
    out = tmp_path / "case.json"
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "SKCM", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return dict(json.loads(out.read_text()))


def test_vep_under_ann_is_read_by_its_format_list(tmp_path: Path) -> None:
    case = _case(tmp_path, _vcf(tmp_path / "vep_ann.vcf", VEP_ANN, BRAF))
    (variant,) = case["variants"]
    assert variant["gene"] == "BRAF"
    assert variant["protein"] == "V600E"
    assert variant["hgvsc"] == "c.1799T>A"
    assert variant["transcript_rule"] == "mane_select"
    assert case["qc"]["annotation"] == "VEP (INFO ANN)"
    assert not case["qc"]["not_assessable"]
    drugs = {"+".join(m["drugs"]) for m in case["matches"]}
    assert "dabrafenib+trametinib" in drugs


def test_snpeff_ann_keeps_its_fixed_fields(tmp_path: Path) -> None:
    snpeff = (
        "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | "
        "Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | "
        "Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / "
        "CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' \">"
    )
    entry = (
        "T|missense_variant|MODERATE|BRAF|ENSG00000157764|transcript|ENST00000646891.2|"
        "protein_coding|15/18|c.1799T>A|p.Val600Glu|1919/2480|1799/2301|600/766||"
    )
    case = _case(tmp_path, _vcf(tmp_path / "snpeff.vcf", snpeff, entry))
    (variant,) = case["variants"]
    assert variant["protein"] == "V600E"
    assert case["qc"]["annotation"] == "SnpEff ANN"


def test_vep_ann_entry_of_the_wrong_width_names_the_key(tmp_path: Path) -> None:
    vcf = _vcf(tmp_path / "cut.vcf", VEP_ANN, "T|missense_variant|MODERATE|BRAF")
    done = subprocess.run(
        [sys.executable, "-m", "tumorboard", "annotate", str(vcf), "-t", "SKCM"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    skipped = json.loads(done.stdout)["qc"]["skipped"]
    assert [s["reason"].split(" entry")[0] for s in skipped] == ["ANN"]
