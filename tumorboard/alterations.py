"""The hot-path ``Alteration`` and HGVS protein-change normalisation.

Readers (VCF, TSO500, CNV, fusion, MAF) yield :class:`Alteration` objects: a slotted dataclass,
cheap to build, never a pydantic model. Matching works on these; pydantic models are built only
for what is reported (:mod:`tumorboard.models`).

Protein changes are normalised to the one-letter form without ``p.`` (``p.Val600Glu`` ->
``V600E``), with the three-letter HGVS form kept for display (``p.Val600Glu``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote

# --- alteration kinds -------------------------------------------------------------------------
MUTATION = "mutation"  # SNV, MNV, indel (DNA small variant)
AMPLIFICATION = "amplification"
DELETION = "deletion"  # copy-number loss (deep deletion when copy_number < ~0.5)
FUSION = "fusion"
SPLICE_VARIANT = "splice_variant"  # RNA splice variant (e.g. MET exon 14 skipping, EGFRvIII)
REARRANGEMENT = "rearrangement"  # other structural variant (BND without gene pair, large DEL...)
KINDS = (MUTATION, AMPLIFICATION, DELETION, FUSION, SPLICE_VARIANT, REARRANGEMENT)

# --- Sequence Ontology consequence groups (VEP and SnpEff share SO terms) -----------------------
TRUNCATING_CONSEQUENCES = frozenset(
    {
        "stop_gained",
        "frameshift_variant",
        "splice_donor_variant",
        "splice_acceptor_variant",
        "start_lost",
        "exon_loss_variant",  # SnpEff
        "transcript_ablation",
        "feature_truncation",
    }
)
SPLICE_SITE_CONSEQUENCES = frozenset(
    {
        "splice_donor_variant",
        "splice_acceptor_variant",
        "splice_donor_5th_base_variant",
        "splice_region_variant",
        "splice_donor_region_variant",
        "splice_polypyrimidine_tract_variant",
        "exon_loss_variant",
    }
)
INFRAME_DELETION_CONSEQUENCES = frozenset(
    {"inframe_deletion", "conservative_inframe_deletion", "disruptive_inframe_deletion"}
)
INFRAME_INSERTION_CONSEQUENCES = frozenset(
    {"inframe_insertion", "conservative_inframe_insertion", "disruptive_inframe_insertion"}
)
PROTEIN_ALTERING_CONSEQUENCES = (
    TRUNCATING_CONSEQUENCES
    | INFRAME_DELETION_CONSEQUENCES
    | INFRAME_INSERTION_CONSEQUENCES
    | frozenset(
        {
            "missense_variant",
            "protein_altering_variant",
            "stop_lost",
            "initiator_codon_variant",
            "start_retained_variant",
        }
    )
)
SILENT_CONSEQUENCES = frozenset({"synonymous_variant", "stop_retained_variant"})
CODING_CONSEQUENCES = (
    PROTEIN_ALTERING_CONSEQUENCES
    | SILENT_CONSEQUENCES
    | frozenset({"coding_sequence_variant", "incomplete_terminal_codon_variant"})
)


@dataclass(slots=True)
class Alteration:
    """One alteration of one gene, as read from an input (not a pydantic model: hot path).

    Small variants carry coordinates and annotation; CNVs carry copy number / fold change;
    fusions carry both partner genes. Missing values are ``None`` or ``""``.
    """

    gene: str
    """HGNC symbol of the altered gene (5' partner for fusions)."""
    kind: str = MUTATION
    """One of :data:`KINDS`."""
    chrom: str = ""
    """Contig as written in the input (``chr7`` or ``7``)."""
    pos: int = 0
    """1-based position (VCF POS) of the first REF base."""
    ref: str = ""
    alt: str = ""
    protein: str = ""
    """One-letter protein change without ``p.`` (``V600E``, ``E746_A750del``), or ``""``."""
    protein_3: str = ""
    """Three-letter HGVS protein change for display (``p.Val600Glu``), or ``""``."""
    protein_source: str = ""
    """Where the protein change came from: ``hgvsp`` (the annotation's HGVS protein notation),
    ``vep_fields`` (VEP ``Protein_position``/``Amino_acids``/``Codons``), ``snpeff_fields``
    (SnpEff ``EFF`` amino-acid change), ``input`` (an input's own notation: TSO500, MAF),
    ``hotspot_table`` (an unannotated allele found in the hotspot table), or ``""``."""
    protein_start: int | None = None
    """First amino-acid position touched (600 for V600E)."""
    protein_end: int | None = None
    """Last amino-acid position touched (== start for substitutions)."""
    hgvsc: str = ""
    """Coding change without transcript (``c.1799T>A``)."""
    transcript: str = ""
    """Transcript the annotation came from (``ENST00000646891.2``, ``NM_004333.6``)."""
    transcript_rule: str = ""
    """Why this transcript: ``mane_select``, ``canonical``, ``first_protein_coding``, ``first``,
    ``input`` (the input named one transcript), ``hotspot_table`` (unannotated input)."""
    consequences: tuple[str, ...] = ()
    """Sequence Ontology terms (``missense_variant``, ``frameshift_variant`` ...)."""
    impact: str = ""
    """VEP/SnpEff impact (HIGH, MODERATE, LOW, MODIFIER)."""
    exon: int | None = None
    """Exon number (from ``15/18``), if the variant is exonic."""
    intron: int | None = None
    """Intron number, if intronic."""
    vaf: float | None = None
    """Variant allele fraction in the tumour sample (0-1)."""
    depth: int | None = None
    """Read depth in the tumour sample."""
    vaf_source: str = ""
    """Where VAF came from: ``FORMAT/AF``, ``FORMAT/VF``, ``FORMAT/AD``, ``INFO/AF``, ``input``."""
    filter: str = "PASS"
    """FILTER column (``PASS`` or the failing filters joined with ``;``)."""
    copy_number: float | None = None
    """Absolute copy number (CNVs)."""
    fold_change: float | None = None
    """Fold change over the normal (TSO500 CNVs)."""
    gene3: str = ""
    """3' partner gene of a fusion (``gene`` is the 5' partner); ``""`` if unknown."""
    breakpoints: str = ""
    """Breakpoints of a fusion or splice variant, as given (``chr2:29223584;chr2:42299800``)."""
    supporting_reads: int | None = None
    """Reads supporting a fusion or splice variant."""
    zygosity: str = ""
    """``LOH`` / ``homozygous`` / ``heterozygous`` when the input says so."""
    source: str = ""
    """Input file name and reader (``sample.vcf.gz``)."""
    record: int = 0
    """1-based record number in its input (for error messages and provenance)."""
    annotated: bool = True
    """False when the input had no transcript annotation (matched by hotspot coordinates)."""
    notes: list[str] = field(default_factory=list)
    """Free-text notes (e.g. why a value is missing)."""
    confirm: str = ""
    """What the board must confirm before an on-label match through this alteration holds
    (an intragenic rearrangement read as a fusion: that it is an expressed fusion)."""
    _key: str | None = field(default=None, init=False, repr=False, compare=False)
    """:attr:`key`, computed on first use (readers set the identity fields before that)."""

    @property
    def is_passing(self) -> bool:
        """True when FILTER is PASS (or ``.``, which VCF defines as not filtered)."""
        return self.filter in ("PASS", ".", "")

    @property
    def label(self) -> str:
        """Short human label: ``BRAF V600E``, ``ERBB2 amplification``, ``EML4::ALK fusion``."""
        if self.kind == FUSION:
            partners = f"{self.gene}::{self.gene3}" if self.gene3 else self.gene
            return f"{partners} fusion"
        if self.kind in (AMPLIFICATION, DELETION):
            return f"{self.gene} {self.kind}"
        if self.kind == SPLICE_VARIANT:
            exon = f" exon {self.exon}" if self.exon is not None else ""
            return f"{self.gene}{exon} splice variant"
        if self.protein:
            return f"{self.gene} {self.protein}"
        if self.hgvsc:
            return f"{self.gene} {self.hgvsc}"
        if self.chrom:
            place = f"{self.chrom}:{self.pos} {self.ref}>{self.alt}"
            return f"{self.gene} {place}" if self.gene else place
        return self.gene

    @property
    def key(self) -> str:
        """Stable identifier of this alteration within a case (used to link matches).

        Computed once, on first use: gene, kind, coordinates, alleles, ``gene3``, protein and
        breakpoints must be set before (every reader does; :meth:`rekey` after a late change).
        """
        key = self._key
        if key is None:
            if self.chrom and self.kind == MUTATION:
                key = f"{self.gene}:{self.chrom}:{self.pos}:{self.ref}>{self.alt}"
            else:
                key = f"{self.gene}:{self.kind}:{self.gene3 or self.protein or self.breakpoints}"
            self._key = key
        return key

    def rekey(self) -> str:
        """Recompute :attr:`key` after an identity field changed."""
        self._key = None
        return self.key

    def has_consequence(self, terms: frozenset[str]) -> bool:
        """True when any of this alteration's consequences is in ``terms``."""
        return not terms.isdisjoint(self.consequences)


# --- HGVS protein normalisation -----------------------------------------------------------------
AA3_TO_1 = {
    "Ala": "A",
    "Arg": "R",
    "Asn": "N",
    "Asp": "D",
    "Cys": "C",
    "Gln": "Q",
    "Glu": "E",
    "Gly": "G",
    "His": "H",
    "Ile": "I",
    "Leu": "L",
    "Lys": "K",
    "Met": "M",
    "Phe": "F",
    "Pro": "P",
    "Ser": "S",
    "Thr": "T",
    "Trp": "W",
    "Tyr": "Y",
    "Val": "V",
    "Sec": "U",
    "Pyl": "O",
    "Xaa": "X",
    "Ter": "*",
}
AA1_TO_3 = {one: three for three, one in AA3_TO_1.items()}

_AA3_ALT = "|".join(sorted(AA3_TO_1, key=len, reverse=True))
_SIMPLE_RE = re.compile(rf"^({_AA3_ALT})(\d+)({_AA3_ALT}|=)$")
_AA3_RE = re.compile("|".join(sorted(AA3_TO_1, key=len, reverse=True)))
_ONE_LETTER_RE = re.compile(
    r"^(?P<ref>[A-Z*])(?P<start>\d+)(?:_(?P<ref2>[A-Z*])(?P<end>\d+))?(?P<rest>.*)$"
)
_VALID_REST_RE = re.compile(
    r"^(?:[A-Z*]|=|\?|del|dup|delins[A-Z*]+|ins[A-Z*]+|[A-Z*]?fs(?:\*(?:\d+|\?))?|"
    r"[A-Z*]?ext[A-Z*]?-?(?:\d+|\?)|del[A-Z*]*|dup[A-Z*]*)?$"
)
_SPLICE_RE = re.compile(r"^[A-Z*](\d+)_splice$")
UNREAD_PROTEIN = "not understood; matched by gene only"
"""The end of the note on an alteration whose input's protein change could not be read."""
# Oncotator's protein notations (TCGA-era MAFs, their Protein_Change column)
_ONCOTATOR_INS_RE = re.compile(r"^(\d+)_(\d+)ins([A-Z*]+)$")
_ONCOTATOR_REPLACE_RE = re.compile(r"^(\d+)_(\d+)([A-Z*]+)>([A-Z*]+)$")
_ONCOTATOR_FS_RE = re.compile(r"^(?:([A-Z*]{2,})|-)(\d+)fs$")
_FRAMESHIFT_RE = re.compile(rf"({_AA3_ALT})(\d+)({_AA3_ALT})?fs(?:Ter(\d+|\?))?")


class ProteinChange(NamedTuple):
    """A parsed protein change: one-letter form, three-letter form and the positions.

    A named tuple: immutable and cheap to build on the hot path.
    """

    one: str
    three: str
    start: int | None
    end: int | None
    ref_aa: str


def _strip_prefix(hgvsp: str) -> str:
    text = hgvsp.strip()
    if "%" in text:
        text = text.replace("%3D", "=")  # VEP's only usual escape (p.Val600%3D)
        if "%" in text:
            text = unquote(text)
    if ":" in text:
        text = text.rsplit(":", 1)[1]
    if text.startswith("p."):
        text = text[2:]
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return text


def to_one_letter(hgvsp: str) -> str:
    """Normalise an HGVS protein change to one-letter form without ``p.``.

    ``ENSP00000288602.7:p.Val600Glu`` -> ``V600E``; ``p.(Gly12Cys)`` -> ``G12C``;
    ``p.Val600%3D`` -> ``V600=``; ``p.Glu11Ter`` -> ``E11*``; already one-letter input is
    returned unchanged. Returns ``""`` for empty, ``p.?`` and ``p.0`` input.
    """
    return _one_letter(_strip_prefix(hgvsp))


def _one_letter(text: str) -> str:
    """:func:`to_one_letter` of a change already stripped of transcript, ``p.`` and brackets."""
    if text in ("", "?", "0", "=", "0?"):
        return ""
    sub = _substitution(text)
    if sub is not None:
        return sub[0]
    return _AA3_RE.sub(lambda m: AA3_TO_1[m.group(0)], text)


def _substitution(text: str) -> tuple[str, str, str] | None:
    """The common case, a three-letter substitution (``Val600Glu``): (``V600E``, ``V``, ``600``)."""
    simple = _SIMPLE_RE.match(text)
    if simple is None:
        return None
    ref, pos, new = simple.groups()
    ref1 = AA3_TO_1[ref]
    return f"{ref1}{pos}{AA3_TO_1.get(new, new)}", ref1, pos


def to_three_letter(one: str) -> str:
    """Turn a one-letter protein change (``V600E``) into HGVS three-letter form (``p.Val600Glu``).

    Upper-case letters and ``*`` are amino acids; lower-case words (``del``, ``ins``, ``fs``,
    ``dup``, ``ext``) and digits stay as they are.
    """
    if not one:
        return ""
    return "p." + one.translate(_TO_THREE)


_TO_THREE = str.maketrans(AA1_TO_3)


def parse_protein_change(hgvsp: str) -> ProteinChange | None:
    """Parse any HGVS-like protein change; ``None`` when it is empty or not understood.

    A three-letter substitution (``ENSP00000288602.7:p.Val600Glu``, ``p.Val600%3D``: most of a
    panel's changes) is read without a regular expression; anything else goes through the
    general, cached parser. Pure: the same text always gives the same change.
    """
    return (
        _three_letter_substitution(hgvsp)
        or ("fs" in hgvsp and _three_letter_frameshift(hgvsp))
        or _parse_protein_change(hgvsp)
    )


def _p_body(hgvsp: str) -> str | None:
    """What follows ``p.`` in ``[PROTEIN:]p.CHANGE`` (``None``: no ``p.`` after the last colon)."""
    colon = hgvsp.rfind(":") + 1
    return hgvsp[colon + 2 :] if hgvsp.startswith("p.", colon) else None


def _three_letter_substitution(hgvsp: str) -> ProteinChange | None:
    """:func:`parse_protein_change` of ``[PROTEIN:]p.Val600Glu`` / ``p.Val600%3D`` (``None``:
    not of that form). Gives exactly what the general parser gives for such text."""
    body = _p_body(hgvsp)
    if body is None or "%" in hgvsp[:-3]:
        return None
    ref1, digits, tail = AA3_TO_1.get(body[:3]), body[3:-3], body[-3:]
    new1 = "=" if tail == "%3D" else AA3_TO_1.get(tail)
    if ref1 is None or new1 is None or not digits.isdecimal():
        return None
    start = int(digits)
    three = f"p.{body[:-3]}=" if new1 == "=" else f"p.{body}"
    return ProteinChange(f"{ref1}{digits}{new1}", three, start, start, ref1)


def _three_letter_frameshift(hgvsp: str) -> ProteinChange | None:
    """:func:`parse_protein_change` of ``[PROTEIN:]p.Ile629CysfsTer26`` / ``p.Asn629fs``
    (``None``: not of that form). Gives exactly what the general parser gives for such text."""
    body = _p_body(hgvsp)
    if body is None or "%" in hgvsp:
        return None
    m = _FRAMESHIFT_RE.fullmatch(body)
    if m is None:
        return None
    ref, start, new, ter = m.groups()
    ref1 = AA3_TO_1[ref]
    one = f"{ref1}{start}{AA3_TO_1[new] if new else ''}fs{'' if ter is None else '*' + ter}"
    return ProteinChange(one, f"p.{body}", int(start), int(start), ref1)


@lru_cache(maxsize=4096)
def _parse_protein_change(hgvsp: str) -> ProteinChange | None:
    """The general parser (cached: hotspot changes recur across transcripts and records)."""
    text = _strip_prefix(hgvsp)
    sub = _substitution(text)
    if sub is not None:  # already three-letter: no second pass over the text
        one, ref1, pos = sub
        start = int(pos)
        return ProteinChange(one=one, three=f"p.{text}", start=start, end=start, ref_aa=ref1)
    one = _one_letter(text)
    if not one:
        return None
    if _SPLICE_RE.match(one):
        # MAF/cBioPortal splice notation (``p.X1445_splice``): a splice-site variant near codon
        # 1445, not a change of that codon (no positions, so codon rules never take it)
        return ProteinChange(one=one, three=f"p.{one}", start=None, end=None, ref_aa="")
    m = _ONE_LETTER_RE.match(one)
    if m is None or not _VALID_REST_RE.match(m.group("rest")):
        return _oncotator(one)
    start = int(m.group("start"))
    end = int(m.group("end")) if m.group("end") else start
    return ProteinChange(
        one=one, three=to_three_letter(one), start=start, end=end, ref_aa=m.group("ref")
    )


def _oncotator(one: str) -> ProteinChange | None:
    """Oncotator's own protein notations, as TCGA-era MAFs write them in ``Protein_Change``
    (``None``: not one of them).

    ``599_600insDFREYEY`` (an insertion between two positions, residues not named) keeps its
    positions; ``600_600D>DSSDNEY`` and ``594_600FREYEYD>Y`` (the residues of positions 600 or
    594-600 replaced) are written as HGVS deletion-insertions (``D600delinsDSSDNEY``,
    ``F594_D600delinsY``); ``WQ288fs`` and ``KIM2014fs`` (a frameshift named by the residues
    around it) start at the first residue (``W288fs``); ``-287fs`` (an insertion whose
    neighbouring residue is not named) is a frameshift at position 287 (``287fs``).
    """
    if m := _ONCOTATOR_INS_RE.match(one):
        start, end = int(m.group(1)), int(m.group(2))
        if end != start + 1:
            return None
        return ProteinChange(one, "p." + one.translate(_TO_THREE), start, end, "")
    if m := _ONCOTATOR_REPLACE_RE.match(one):
        start, end, ref, new = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        if end < start or len(ref) != end - start + 1:
            return None
        span = f"{ref[0]}{start}" + (f"_{ref[-1]}{end}" if end > start else "")
        hgvs = f"{span}delins{new}"
        return ProteinChange(hgvs, to_three_letter(hgvs), start, end, ref[0])
    if m := _ONCOTATOR_FS_RE.match(one):
        residues, start = m.group(1), int(m.group(2))
        if residues:
            hgvs = f"{residues[0]}{start}fs"
            return ProteinChange(hgvs, to_three_letter(hgvs), start, start, residues[0])
        return ProteinChange(f"{start}fs", f"p.{start}fs", start, start, "")
    return None


@lru_cache(maxsize=4096)
def parse_exon(value: str) -> int | None:
    """``15/18`` -> 15; ``19-20/28`` -> 19; ``""`` -> None (cached: a few values recur)."""
    if not value:
        return None
    head = value.split("/", 1)[0].split("-", 1)[0]
    return int(head) if head.isascii() and head.isdigit() else None


__all__ = [
    "AA1_TO_3",
    "AA3_TO_1",
    "AMPLIFICATION",
    "CODING_CONSEQUENCES",
    "DELETION",
    "FUSION",
    "INFRAME_DELETION_CONSEQUENCES",
    "INFRAME_INSERTION_CONSEQUENCES",
    "KINDS",
    "MUTATION",
    "PROTEIN_ALTERING_CONSEQUENCES",
    "REARRANGEMENT",
    "SILENT_CONSEQUENCES",
    "SPLICE_SITE_CONSEQUENCES",
    "SPLICE_VARIANT",
    "TRUNCATING_CONSEQUENCES",
    "UNREAD_PROTEIN",
    "Alteration",
    "ProteinChange",
    "parse_exon",
    "parse_protein_change",
    "to_one_letter",
    "to_three_letter",
]
