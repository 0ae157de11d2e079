"""HGVS protein normalisation and the Alteration value object."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tumorboard.alterations import (
    AA1_TO_3,
    AMPLIFICATION,
    FUSION,
    Alteration,
    parse_exon,
    parse_protein_change,
    to_one_letter,
    to_three_letter,
)


@pytest.mark.parametrize(
    ("hgvsp", "one", "three", "start", "end"),
    [
        ("ENSP00000493543.1:p.Val600Glu", "V600E", "p.Val600Glu", 600, 600),
        ("p.(Gly12Cys)", "G12C", "p.Gly12Cys", 12, 12),
        ("NP_004324.2:p.(Val600Glu)", "V600E", "p.Val600Glu", 600, 600),
        ("p.Val600%3D", "V600=", "p.Val600=", 600, 600),
        ("p.Leu802=", "L802=", "p.Leu802=", 802, 802),
        ("p.Glu11Ter", "E11*", "p.Glu11Ter", 11, 11),
        ("p.Arg213*", "R213*", "p.Arg213Ter", 213, 213),
        ("p.Gly12AlafsTer3", "G12Afs*3", "p.Gly12AlafsTer3", 12, 12),
        ("p.Glu746_Ala750del", "E746_A750del", "p.Glu746_Ala750del", 746, 750),
        ("p.Leu747_Pro753delinsSer", "L747_P753delinsS", "p.Leu747_Pro753delinsSer", 747, 753),
        ("p.Ala767_Val769dup", "A767_V769dup", "p.Ala767_Val769dup", 767, 769),
        ("p.Asp770_Asn771insGlyLeu", "D770_N771insGL", "p.Asp770_Asn771insGlyLeu", 770, 771),
        ("p.Ter1000GlnextTer5", "*1000Qext*5", "p.Ter1000GlnextTer5", 1000, 1000),
        ("V600E", "V600E", "p.Val600Glu", 600, 600),
        ("p.V600E", "V600E", "p.Val600Glu", 600, 600),
    ],
)
def test_protein_changes_normalise(hgvsp: str, one: str, three: str, start: int, end: int) -> None:
    change = parse_protein_change(hgvsp)
    assert change is not None
    assert (change.one, change.three, change.start, change.end) == (one, three, start, end)


@pytest.mark.parametrize("text", ["", "p.?", "p.0", "ENSP1:p.?", "c.1799T>A", "p.Foo12Bar"])
def test_unusable_protein_changes_give_none(text: str) -> None:
    assert parse_protein_change(text) is None


_AA = st.sampled_from([k for k in AA1_TO_3 if k not in ("X", "U", "O")])


@st.composite
def one_letter_changes(draw: st.DrawFn) -> str:
    ref = draw(_AA)
    pos = draw(st.integers(1, 5000))
    kind = draw(st.sampled_from(["sub", "syn", "fs", "del", "dup", "delins", "ins"]))
    if kind == "sub":
        return f"{ref}{pos}{draw(_AA)}"
    if kind == "syn":
        return f"{ref}{pos}="
    if kind == "fs":
        return f"{ref}{pos}{draw(_AA)}fs*{draw(st.integers(1, 99))}"
    end = pos + draw(st.integers(1, 20))
    span = f"{ref}{pos}_{draw(_AA)}{end}"
    if kind in ("del", "dup"):
        return span + kind
    inserted = "".join(draw(st.lists(_AA, min_size=1, max_size=5)))
    return f"{span}{kind}{inserted}"


@given(one_letter_changes())
def test_one_three_one_round_trip(one: str) -> None:
    three = to_three_letter(one)
    assert three.startswith("p.")
    assert to_one_letter(three) == one
    assert to_one_letter(f"ENSP00000000001.1:p.({three[2:]})") == one
    parsed = parse_protein_change(three)
    assert parsed is not None
    assert parsed.one == one


@given(st.text(max_size=40))
def test_parser_never_raises(text: str) -> None:
    parse_protein_change(text)


def test_exon_numbers() -> None:
    assert parse_exon("15/18") == 15
    assert parse_exon("19-20/28") == 19
    assert parse_exon("") is None
    assert parse_exon("x/3") is None


def test_alteration_labels_and_keys() -> None:
    braf = Alteration(gene="BRAF", chrom="chr7", pos=140753336, ref="A", alt="T", protein="V600E")
    assert braf.label == "BRAF V600E"
    assert braf.key == "BRAF:chr7:140753336:A>T"
    assert Alteration(gene="ERBB2", kind=AMPLIFICATION).label == "ERBB2 amplification"
    assert Alteration(gene="EML4", kind=FUSION, gene3="ALK").label == "EML4::ALK fusion"
    assert Alteration(gene="TP53", filter="LowQual").is_passing is False
    assert Alteration(gene="TP53", filter=".").is_passing is True


# --- Oncotator's protein notations (TCGA-era MAFs) -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "one", "start", "end"),
    [
        ("p.599_600insDFREYEY", "599_600insDFREYEY", 599, 600),  # FLT3-ITD, residues not named
        ("p.600_600D>DSSDNEYFY", "D600delinsDSSDNEYFY", 600, 600),  # FLT3-ITD as a replacement
        ("p.594_600FREYEYD>Y", "F594_D600delinsY", 594, 600),
        ("p.WQ288fs", "W288fs", 288, 288),  # NPM1 type A, named by the residues around it
        ("p.KIM2014fs", "K2014fs", 2014, 2014),
        ("p.-287fs", "287fs", 287, 287),  # an insertion whose neighbour is not named
    ],
)
def test_oncotator_notations_keep_their_positions(
    text: str, one: str, start: int, end: int
) -> None:
    change = parse_protein_change(text)
    assert change is not None
    assert (change.one, change.start, change.end) == (one, start, end)


@pytest.mark.parametrize(
    "text",
    ["p.599_603insDF", "p.600_599D>E", "p.594_600FR>Y", "p.599_600ins", "p.--287fs"],
)
def test_inconsistent_oncotator_like_text_is_not_read(text: str) -> None:
    """Positions that do not fit the residues named (or an insertion not between neighbours)."""
    assert parse_protein_change(text) is None


@given(
    start=st.integers(min_value=1, max_value=5000),
    ref=st.text(alphabet="ACDEFGHIKLMNPQRSTVWY", min_size=1, max_size=8),
    new=st.text(alphabet="ACDEFGHIKLMNPQRSTVWY*", min_size=1, max_size=30),
)
def test_oncotator_replacement_spans_its_residues(start: int, ref: str, new: str) -> None:
    end = start + len(ref) - 1
    change = parse_protein_change(f"p.{start}_{end}{ref}>{new}")
    assert change is not None
    assert (change.start, change.end, change.ref_aa) == (start, end, ref[0])
    assert change.one.endswith(f"delins{new}")
    assert parse_protein_change(change.three) == parse_protein_change(change.one)
