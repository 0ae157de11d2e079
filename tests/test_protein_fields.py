"""Protein changes without HGVSp: VEP's Protein_position/Amino_acids/Codons, SnpEff EFF/ANN.

Field formats are those of the VEP output documentation (Amino_acids ``V/E``, a single residue
for synonymous changes, ``-`` for none, ``X`` for a partial codon, ``*`` for a stop; ranges
``746-750``) and of the SnpEff manual (EFF ``Amino_Acid_Change`` ``E30K``; ANN ``AA.pos /
AA.length``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.alterations import parse_protein_change
from tumorboard.cli import main
from tumorboard.readers.protein_fields import build_change, from_snpeff_eff, from_vep
from tumorboard.readers.vcf import VcfReader

SOMATIC = "somatic_vcf"


@pytest.mark.parametrize(
    ("position", "amino_acids", "codons", "consequences", "expected"),
    [
        ("600", "V/E", "gTg/gAg", ("missense_variant",), ("V600E", "p.Val600Glu", 600, 600)),
        ("12", "G/C", "Ggt/Tgt", ("missense_variant",), ("G12C", "p.Gly12Cys", 12, 12)),
        ("61", "Q/*", "Caa/Taa", ("stop_gained",), ("Q61*", "p.Gln61Ter", 61, 61)),
        ("600", "V", "gtG/gtA", ("synonymous_variant",), ("V600=", "p.Val600=", 600, 600)),
        ("1", "M/I", "atG/atA", ("start_lost",), ("M1?", "p.Met1?", 1, 1)),
        ("190", "*/Q", "Taa/Caa", ("stop_lost",), ("*190Qext*?", "p.Ter190GlnextTer?", 190, 190)),
        ("12", "G/X", "Ggc/gc", ("frameshift_variant",), ("G12fs", "p.Gly12fs", 12, 12)),
        ("295-296", "SM/SX", "tcTAtg/tctg", ("frameshift_variant",),
         ("M296fs", "p.Met296fs", 296, 296)),
        # in-frame deletions, in every frame VEP writes them
        ("746-750", "ELREA/-", "GAATTAAGAGAAGCA/-", ("inframe_deletion",),
         ("E746_A750del", "p.Glu746_Ala750del", 746, 750)),
        ("745-750", "KELREA/K", "aaGGAATTAAGAGAAGCA/aag", ("inframe_deletion",),
         ("E746_A750del", "p.Glu746_Ala750del", 746, 750)),
        ("746-751", "ELREAT/T", "gAATTAAGAGAAGCAAca/gca", ("inframe_deletion",),
         ("E746_A750del", "p.Glu746_Ala750del", 746, 750)),
        # the VEP test suite's own example (TEES/S at 23-26)
        ("23-26", "TEES/S", "aCAGAAGAAAgc/agc", ("inframe_deletion",),
         ("T23_E25del", "p.Thr23_Glu25del", 23, 25)),
        ("747-752", "LREATS/P", "", ("inframe_deletion",),
         ("L747_S752delinsP", "p.Leu747_Ser752delinsPro", 747, 752)),
        ("767-769", "ASV/ASVASV", "", ("inframe_insertion",),
         ("A767_V769dup", "p.Ala767_Val769dup", 767, 769)),
        ("770-771", "DY/DNPGY", "", ("inframe_insertion",),
         ("D770_Y771insNPG", "p.Asp770_Tyr771insAsnProGly", 770, 771)),
        # the 3'-most place of an insertion after its repeat has no right flank shown
        ("770-771", "DN/DNPGN", "", ("inframe_insertion",), ("", "", 771, 772)),
        ("12-13", "GG/CV", "", ("missense_variant",),
         ("G12_G13delinsCV", "p.Gly12_Gly13delinsCysVal", 12, 13)),
        # between two codons VEP shows no flanking residue: the positions only
        ("770-771", "-/NPG", "-/AACCCCGGG", ("inframe_insertion",), ("", "", 770, 771)),
    ],
)  # fmt: skip
def test_vep_fields(
    position: str, amino_acids: str, codons: str, consequences: tuple[str, ...], expected: tuple
) -> None:
    change = from_vep(position, amino_acids, codons, consequences)
    assert change is not None
    assert (change.one, change.three, change.start, change.end) == expected
    if change.one:  # every named change reads back the same
        again = parse_protein_change(change.one)
        assert again is not None
        assert (again.start, again.end) == expected[2:]


@pytest.mark.parametrize(
    ("position", "amino_acids"),
    [("?-5", "M/-"), ("315-?", ""), ("600", ""), ("", "V/E"), ("600", "V/B"), ("x", "V/E")],
)
def test_vep_fields_that_give_nothing(position: str, amino_acids: str) -> None:
    assert from_vep(position, amino_acids) is None


@pytest.mark.parametrize(
    ("aa_change", "codons", "consequences", "expected"),
    [
        ("G12C", "Ggt/Tgt", ("missense_variant",), "G12C"),
        ("E30K", "Gag/Aag", ("missense_variant",), "E30K"),
        ("KELREA745K", "", ("disruptive_inframe_deletion",), "E746_A750del"),
        ("L23", "ctG/ctA", ("synonymous_variant",), "L23="),
        ("Q61*", "Caa/Taa", ("stop_gained",), "Q61*"),
        ("G12", "Ggc/gc", ("frameshift_variant",), "G12fs"),
    ],
)
def test_snpeff_eff_amino_acid_change(
    aa_change: str, codons: str, consequences: tuple[str, ...], expected: str
) -> None:
    change = from_snpeff_eff(aa_change, codons, consequences)
    assert change is not None
    assert change.one == expected


def test_splice_notation_is_read() -> None:
    """``p.X1445_splice`` (MAF HGVSp_Short of a splice-site variant) is kept, without positions
    (it does not change codon 1445)."""
    change = parse_protein_change("p.X1445_splice")
    assert change is not None
    assert (change.one, change.three, change.start) == ("X1445_splice", "p.X1445_splice", None)


# --- property: the named change, applied to the protein, gives the variant protein ------------
_AA = "ACDEFGHIKLMNPQRSTVWY"


def _apply(protein: str, one: str) -> str:
    """Apply a one-letter HGVS change (the forms build_change writes) to ``protein``."""
    import re

    m = re.fullmatch(r"([A-Z])(\d+)(?:_([A-Z])(\d+))?(.*)", one)
    assert m, one
    start = int(m.group(2))
    end = int(m.group(4)) if m.group(4) else start
    assert protein[start - 1] == m.group(1)
    assert m.group(3) is None or protein[end - 1] == m.group(3)
    rest = m.group(5)
    before, span, after = protein[: start - 1], protein[start - 1 : end], protein[end:]
    if rest == "=":
        return protein
    if rest == "del":
        return before + after
    if rest == "dup":
        return before + span + span + after
    if rest.startswith("delins"):
        return before + rest[6:] + after
    if rest.startswith("ins"):  # between the two flanking residues
        assert end == start + 1
        return before + span[0] + rest[3:] + span[1] + after
    assert len(rest) == 1, one
    assert start == end, one
    return before + rest + after


@given(
    protein=st.text(_AA, min_size=6, max_size=30),
    data=st.data(),
)
@settings(max_examples=300, deadline=None)
def test_built_change_reproduces_the_variant_protein(protein: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(2, len(protein) - 1))
    length = data.draw(st.integers(1, min(4, len(protein) - start + 1)))
    ref = protein[start - 1 : start - 1 + length]
    alt = data.draw(st.text(_AA, min_size=0, max_size=length + 3))
    change = build_change(start, ref, alt or "-")
    assert change is not None
    expected = protein[: start - 1] + alt + protein[start - 1 + length :]
    if not change.one:
        # only an insertion without both flanking residues shown is left unnamed
        assert len(alt) > len(ref)
        assert alt.startswith(ref) or alt.endswith(ref)
        return
    assert _apply(protein, change.one) == expected
    parsed = parse_protein_change(change.one)
    assert parsed is not None
    assert (parsed.start, parsed.end) == (change.start, change.end)


# --- VCF files ------------------------------------------------------------------------------
def test_pvactools_vep_without_hgvs_yields_protein_changes(shared_data: Path) -> None:
    """The pVACtools HCC1395 input VCF was annotated by VEP without --hgvs."""
    path = shared_data / SOMATIC / "pvactools_HCC1395.input_somatic.grch38.vep.vcf.gz"
    with VcfReader(path) as reader:
        alts = {a.label: a for a in reader}
    tp53, brca2 = alts["TP53 R175H"], alts["BRCA2 E1593*"]
    assert (tp53.protein_3, tp53.protein_source, tp53.protein_start) == (
        "p.Arg175His", "vep_fields", 175,
    )  # fmt: skip
    assert (brca2.protein_3, brca2.protein_source) == ("p.Glu1593Ter", "vep_fields")
    missense = [a for a in alts.values() if "missense_variant" in a.consequences]
    assert len(missense) > 300
    assert all(a.protein for a in missense)


def test_hgvsp_wins_over_fields(shared_data: Path) -> None:
    path = shared_data / SOMATIC / "pvactools_HCC1395.annotated.expression.grch38.vep.vcf.gz"
    with VcfReader(path) as reader:
        tp53 = next(a for a in reader if a.label == "TP53 R175H")
    assert tp53.protein_source == "hgvsp"


_VEP_HEADER = (
    "##fileformat=VCFv4.2\n##contig=<ID=chr7,length=159345973>\n"
    '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl '
    'VEP. Format: {fields}">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
)


def test_no_protein_change_is_listed_not_assessable(tmp_path: Path) -> None:
    """VEP without --hgvs and without the protein fields: BRAF V600E cannot be told."""
    vcf = tmp_path / "bare.vcf"
    fields = "Allele|Consequence|IMPACT|SYMBOL|Feature|BIOTYPE|EXON|HGVSc"
    vcf.write_text(
        _VEP_HEADER.format(fields=fields)
        + "chr7\t140753336\t.\tA\tT\t.\tPASS\tCSQ=T|missense_variant|MODERATE|BRAF|"
        "ENST00000646891.2|protein_coding|15/18|\n"
    )
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "SKCM"])
    assert result.exit_code == 0, result.output
    case = json.loads(result.stdout)
    (braf,) = case["variants"]
    assert (braf["protein"], braf["protein_source"]) == ("", "")
    (note,) = [n for n in case["qc"]["not_assessable"] if "without a protein change" in n]
    assert note == (
        "bare.vcf: 1 protein-altering variant(s) without a protein change (BRAF (1)): the CSQ "
        "has no HGVS protein notation and no protein position and residues, so exact and codon "
        "rules (e.g. BRAF V600E, KRAS G12C) were not assessable for them; annotate with VEP "
        "--hgvs (or SnpEff with HGVS)"
    )
    html = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(vcf), "-t", "SKCM", "-o", str(html)])
    assert result.exit_code == 0, result.output
    assert "were not assessable for them" in html.read_text()


def test_vep_fields_match_the_catalog(tmp_path: Path) -> None:
    """BRAF V600E from Protein_position/Amino_acids meets the BRAF V600 rules."""
    vcf = tmp_path / "fields.vcf"
    fields = (
        "Allele|Consequence|IMPACT|SYMBOL|Feature|BIOTYPE|EXON|HGVSc|HGVSp|Protein_position"
        "|Amino_acids|Codons"
    )
    vcf.write_text(
        _VEP_HEADER.format(fields=fields)
        + "chr7\t140753336\t.\tA\tT\t.\tPASS\tCSQ=T|missense_variant|MODERATE|BRAF|"
        "ENST00000646891.2|protein_coding|15/18|||600|V/E|gTg/gAg\n"
    )
    result = CliRunner().invoke(main, ["annotate", str(vcf), "-t", "SKCM"])
    assert result.exit_code == 0, result.output
    case = json.loads(result.stdout)
    (braf,) = case["variants"]
    assert (braf["label"], braf["protein_source"]) == ("BRAF V600E", "vep_fields")
    assert any(m["biomarker"].startswith("BRAF V600") for m in case["matches"])


def test_snpeff_eff_without_hgvs(tmp_path: Path) -> None:
    """An old SnpEff EFF field (classic effect names, no HGVS) still gives KRAS G12C."""
    vcf = tmp_path / "eff.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.1\n##contig=<ID=12,length=133851895>\n"
        '##INFO=<ID=EFF,Number=.,Type=String,Description="Predicted effects for this variant.'
        "Format: 'Effect ( Effect_Impact | Functional_Class | Codon_Change | Amino_Acid_change| "
        "Amino_Acid_length | Gene_Name | Gene_BioType | Coding | Transcript | Exon "
        "[ | ERRORS | WARNINGS ] )' \">\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "12\t25398285\t.\tC\tA\t.\tPASS\tEFF=NON_SYNONYMOUS_CODING(MODERATE|MISSENSE|Ggt/Tgt|"
        "G12C|189|KRAS|protein_coding|CODING|ENST00000256078|2)\n"
    )
    with VcfReader(vcf) as reader:
        (kras,) = list(reader)
        assert reader.annotation_kind == "SnpEff EFF"
    assert (kras.label, kras.protein_source, kras.consequences) == (
        "KRAS G12C", "snpeff_fields", ("missense_variant",),
    )  # fmt: skip
    assert (kras.transcript, kras.exon) == ("ENST00000256078", 2)


def test_snpeff_ann_without_hgvs_keeps_the_position(tmp_path: Path) -> None:
    vcf = tmp_path / "ann.vcf"
    header = (Path(__file__).parent / "data" / "vcf" / "snpeff_small.vcf").read_text()
    head = "".join(line for line in header.splitlines(True) if line.startswith("#"))
    vcf.write_text(
        head + "7\t55259515\t.\tT\tG\t.\tPASS\tANN=G|missense_variant|MODERATE|EGFR|"
        "ENSG00000146648|transcript|ENST00000275493.2|protein_coding|21/28|||2808/9821|"
        "2573/3633|858/1210||\tGT:VF:DP\t0/1:0.12:640\n"
    )
    with VcfReader(vcf) as reader:
        (egfr,) = list(reader)
        assert reader._parser.no_protein == {"EGFR": 1}
    assert (egfr.protein, egfr.protein_start, egfr.protein_source) == ("", 858, "")


def test_a_non_ascii_digit_in_a_protein_position_is_not_a_position(tmp_path: Path) -> None:
    """'858²' passes str.isdigit but is no number: no position, and never an internal error."""
    vcf = tmp_path / "ann.vcf"
    header = (Path(__file__).parent / "data" / "vcf" / "snpeff_small.vcf").read_text()
    head = "".join(line for line in header.splitlines(True) if line.startswith("#"))
    vcf.write_text(
        head + "7\t55259515\t.\tT\tG\t.\tPASS\tANN=G|missense_variant|MODERATE|EGFR|"
        "ENSG00000146648|transcript|ENST00000275493.2|protein_coding|21/28|||2808/9821|"
        "2573/3633|858\u00b2/1210||\tGT:VF:DP\t0/1:0.12:640\n"
    )
    with VcfReader(vcf) as reader:
        (egfr,) = list(reader)
    assert (egfr.protein, egfr.protein_start) == ("", None)
