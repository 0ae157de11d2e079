"""Catalog hotspots by genomic coordinate, for unannotated VCFs.

An unannotated VCF (raw Mutect2/Strelka/VarScan output) has no gene, transcript or protein
change. ``HotspotTable.load(genome)`` reads two generated tables (``scripts/build_hotspots.py``):

* ``panels/hotspots_<genome>.tsv``: the catalog's exact protein changes and the CIViC alleles
  at the codons it names, one allele per row;
* ``panels/hotspot_codons_<genome>.tsv``: every codon the catalog names, as its three genomic
  positions, strand and reference codon, so that *any* substitution inside the codon is
  translated with the genetic code: a multi-nucleotide change (KRAS G12C written as two or
  three changed bases), the other codon of the same residue (NRAS Q61H as CAT or CAC).

``lookup(chrom, pos, ref, alt)`` returns ``(gene, one-letter protein change, transcript)`` for
a hotspot allele, else ``None``, in this order:

1. **The allele**, contig-style agnostic (``chr7`` = ``7``), after trimming the bases REF and
   ALT share (suffix first, then prefix): ``AGTT>A`` at 100 and ``GTT>-`` at 101 are one
   deletion.
2. **An equivalent indel**, without a reference genome: a deletion in a repeat can be written at
   several positions (callers left-align it, HGVS-based sources shift it 3'). Two deletions of
   the same length are the same when the sequence they span is the same after either deletion;
   the bases needed come from the deleted sequences themselves and the record's REF, so shifts
   up to the deletion's length (and within the REF the record carries) are recognised. An
   insertion is recognised at another position only when the record's REF shows the bases it
   is shifted over (callers rarely write them): otherwise left-align and trim the VCF first
   (``bcftools norm -f ref.fa``).
3. **A substitution inside a hotspot codon** (same-length REF and ALT after trimming, every
   changed base in one codon): the codon's reference bases not in the record come from the
   table (or, where the table has ``N``, every codon of the reference residue is tried and all
   must give the same residue); a REF that contradicts the table is not translated.

Only exact alleles and hotspot codons can be matched this way; gene-level, loss-of-function,
exon and region rules need VEP or SnpEff annotation, and every unannotated case says so
(:data:`UNANNOTATED_NOTE`). :meth:`HotspotTable.reference_bases` gives the table's known
reference bases to the genome-build check (:mod:`tumorboard.readers.vcf_build`). The genetic
code and codon conventions: docs/domain.md §11.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from tumorboard.alterations import (
    MUTATION,
    PROTEIN_ALTERING_CONSEQUENCES,
    Alteration,
    parse_protein_change,
)
from tumorboard.errors import PanelError
from tumorboard.resources import panels_dir

UNANNOTATED_NOTE = (
    "unannotated input: only the catalog's exact hotspot alleles and hotspot codons were "
    "matched, by genomic coordinate; gene-level, loss-of-function and exon rules need VEP or "
    "SnpEff annotation"
)

_BASES = "TCAG"
_AMINO = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
CODE = {
    a + b + c: _AMINO[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES)
    for j, b in enumerate(_BASES)
    for k, c in enumerate(_BASES)
}
"""The standard genetic code (NCBI translation table 1), codon -> one-letter residue."""
_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")

Key = tuple[str, int, str, str]


def complement(bases: str) -> str:
    """Base-wise complement (not reversed)."""
    return bases.translate(_COMPLEMENT)


def _contig_key(chrom: str) -> str:
    from tumorboard.panels import contig_key

    return contig_key(chrom)


def trim(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Position and alleles with the bases REF and ALT share removed (suffix, then prefix)."""
    ref, alt = ref.upper().replace("-", ""), alt.upper().replace("-", "")
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    shared = 0
    while shared < min(len(ref), len(alt)) and ref[shared] == alt[shared]:
        shared += 1
    return pos + shared, ref[shared:], alt[shared:]


def normalise_allele(chrom: str, pos: int, ref: str, alt: str) -> Key:
    """(style-free contig, position, ref, alt) with shared bases trimmed; ``-`` = empty."""
    at, r, a = trim(pos, ref, alt)
    return (_contig_key(chrom), at, r or "-", a or "-")


@dataclass(frozen=True, slots=True)
class Hotspot:
    gene: str
    protein: str
    transcript: str


@dataclass(frozen=True, slots=True)
class Codon:
    """A hotspot codon: positions of bases 1-3 (transcript order), reference in transcript
    orientation (``N``: not known from the table)."""

    gene: str
    number: int
    ref_aa: str
    strand: str
    positions: tuple[int, int, int]
    ref_codon: str
    transcript: str


def _rows(path: str) -> Iterator[dict[str, str]]:
    """The data rows of a generated table (``# missing:`` lines are read by the caller)."""
    header: list[str] = []
    for line in (panels_dir() / path).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header:
            header = cells
            continue
        yield dict(zip(header, cells, strict=True))


class HotspotTable:
    """Hotspot alleles and codons of one genome build."""

    def __init__(
        self,
        genome: str,
        rows: Iterable[tuple[Key, Hotspot]],
        missing: list[str],
        codons: Iterable[tuple[str, Codon]] = (),
    ) -> None:
        self.genome = genome
        self._by_key: dict[Key, Hotspot] = dict(rows)
        self.missing = missing
        self._codon_at: dict[tuple[str, int], tuple[Codon, int]] = {}
        self.codons: list[tuple[str, Codon]] = list(codons)
        for contig, codon in self.codons:
            for k, g in enumerate(codon.positions):
                self._codon_at[(contig, g)] = (codon, k)
        # indels by (contig, kind, length): sorted positions with their rows
        self._indels: dict[tuple[str, str, int], list[tuple[int, str, Hotspot]]] = defaultdict(list)
        for (contig, at, ref, alt), hit in self._by_key.items():
            if ref == "-" or alt == "-":
                kind, seq = ("ins", alt) if ref == "-" else ("del", ref)
                self._indels[(contig, kind, len(seq))].append((at, seq, hit))
        for items in self._indels.values():
            items.sort(key=lambda t: t[0])

    def __len__(self) -> int:
        return len(self._by_key)

    @classmethod
    @cache
    def load(cls, genome: str) -> HotspotTable:
        """The bundled tables for ``GRCh37`` or ``GRCh38``."""
        path = panels_dir() / f"hotspots_{genome}.tsv"
        if not path.is_file():
            raise PanelError(
                f"no hotspot table for genome {genome!r}",
                where=str(path),
                hint="regenerate it: python scripts/build_hotspots.py",
            )
        missing = [
            line[len("# missing: ") :]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# missing: ")
        ]
        rows: list[tuple[Key, Hotspot]] = []
        for row in _rows(path.name):
            pos = int(row["pos"]) + (1 if row["ref"] == "-" else 0)
            key = normalise_allele(row["chrom"], pos, row["ref"], row["alt"])
            if row["ref"] == "-":  # already trimmed: an insertion after the base at pos - 1
                key = (key[0], pos, "-", row["alt"])
            rows.append((key, Hotspot(row["gene"], row["protein"], row["transcript"])))
        codons = []
        if (panels_dir() / f"hotspot_codons_{genome}.tsv").is_file():
            for r in _rows(f"hotspot_codons_{genome}.tsv"):
                positions = (int(r["pos1"]), int(r["pos2"]), int(r["pos3"]))
                codon = Codon(
                    r["gene"], int(r["codon"]), r["ref_aa"], r["strand"], positions,
                    r["ref_codon"], r["transcript"],
                )  # fmt: skip
                codons.append((_contig_key(r["chrom"]), codon))
        return cls(genome, rows, missing, codons)

    def lookup(self, chrom: str, pos: int, ref: str, alt: str) -> tuple[str, str, str] | None:
        """(gene, one-letter protein change, transcript) of a hotspot allele, or ``None``."""
        key = normalise_allele(chrom, pos, ref, alt)
        hit = self._by_key.get(key)
        if hit is not None:
            return hit.gene, hit.protein, hit.transcript
        contig, at, r, a = key
        if (r == "-") != (a == "-"):
            found = self._indel(contig, at, r, a, pos, ref.upper())
            return None if found is None else (found.gene, found.protein, found.transcript)
        if len(r) == len(a) and r != "-":
            codon = self._codon_change(contig, at, r, a, (pos, ref.upper()))
            return codon if isinstance(codon, tuple) else None
        return None

    def unresolved(self, chrom: str, pos: int, ref: str, alt: str) -> str:
        """Why a change inside a hotspot codon has no residue (``""`` when it is not one):
        the codon base it would need is not in the table and not in the record's REF."""
        contig, at, r, a = normalise_allele(chrom, pos, ref, alt)
        if len(r) != len(a) or r == "-":
            return ""
        found = self._codon_change(contig, at, r, a, (pos, ref.upper()))
        return found if isinstance(found, str) else ""

    # -- indels ---------------------------------------------------------------------------------
    def _indel(
        self, contig: str, at: int, r: str, a: str, pos: int, raw_ref: str
    ) -> Hotspot | None:
        kind, seq = ("ins", a) if r == "-" else ("del", r)
        items = self._indels.get((contig, kind, len(seq)))
        if not items:
            return None
        context = {pos + i: b for i, b in enumerate(raw_ref)}
        reach = len(seq) + len(raw_ref)
        lo = bisect.bisect_left(items, at - reach, key=lambda t: t[0])
        for where, other, hit in items[lo:]:
            if where > at + reach:
                break
            same = _same_deletion if kind == "del" else _same_insertion
            if same(at, seq, where, other, context):
                return hit
        return None

    # -- codons ---------------------------------------------------------------------------------
    def _codon_change(
        self, contig: str, at: int, r: str, a: str, raw: tuple[int, str]
    ) -> tuple[str, str, str] | str | None:
        """(gene, change, transcript); a string saying why the residue is unknown; ``None``
        when the change is not inside one hotspot codon or its REF contradicts the table.
        ``raw`` is the record's own POS and REF: unchanged bases it shows fill the codon."""
        found = self._codon_at.get((contig, at))
        if found is None or len(r) > 3 or len(r) != len(a) or "-" in r or "-" in a:
            return None  # only substitutions are translated; indels need the exact allele
        codon = found[0]
        genomic = dict(zip(codon.positions, codon.ref_codon, strict=True))
        ref_bases = list(codon.ref_codon)
        minus = codon.strand == "-"
        for i, base in enumerate(raw[1]):  # context the record carries
            k = codon.positions.index(raw[0] + i) if raw[0] + i in genomic else -1
            if k >= 0 and base in "ACGT":
                base = complement(base) if minus else base
                if ref_bases[k] not in ("N", base):
                    return None  # REF contradicts the table
                ref_bases[k] = base
        alt_bases = list(ref_bases)
        for i, (rb, ab) in enumerate(zip(r, a, strict=True)):
            g = at + i
            if g not in genomic:
                return None  # the change leaves the codon
            k = codon.positions.index(g)
            rb, ab = (complement(rb), complement(ab)) if minus else (rb, ab)
            if ref_bases[k] not in ("N", rb):
                return None  # REF contradicts the table: not this build, or not this codon
            ref_bases[k], alt_bases[k] = rb, ab
        new = _translate(ref_bases, alt_bases, codon.ref_aa)
        if new is None:
            unknown = [str(k + 1) for k, b in enumerate(ref_bases) if b == "N"]
            return (
                f"{codon.gene} {codon.ref_aa}{codon.number}: the new residue depends on codon "
                f"base {', '.join(unknown)}, which neither the record's REF nor the hotspot "
                "table states"
            )
        number = codon.number
        if new == codon.ref_aa:
            change = f"{codon.ref_aa}{number}="
        elif number == 1 and codon.ref_aa == "M":
            change = "M1?"
        elif codon.ref_aa == "*":
            change = f"*{number}{new}ext*?"
        else:
            change = f"{codon.ref_aa}{number}{new}"
        return codon.gene, change, codon.transcript

    def reference_bases(self) -> dict[tuple[str, int], str]:
        """(contig, position) -> plus-strand reference base the tables know."""
        out: dict[tuple[str, int], str] = {}
        for (contig, at, ref, _), _hit in self._by_key.items():
            if ref != "-":
                for i, base in enumerate(ref):
                    out[(contig, at + i)] = base
        for contig, codon in self.codons:
            bases = complement(codon.ref_codon) if codon.strand == "-" else codon.ref_codon
            for g, base in zip(codon.positions, bases, strict=True):
                if base != "N":
                    out[(contig, g)] = base
        return out


def _translate(ref_bases: list[str], alt_bases: list[str], ref_aa: str) -> str | None:
    """The one residue the alt codon gives for every reference codon of ``ref_aa`` that fits
    the known bases (``N`` positions are unchanged bases); ``None`` if none fits or several
    residues are possible."""
    out: set[str] = set()
    for codon, aa in CODE.items():
        if aa != ref_aa or any(b not in ("N", c) for b, c in zip(ref_bases, codon, strict=True)):
            continue
        new = "".join(c if a == "N" else a for a, c in zip(alt_bases, codon, strict=True))
        out.add(CODE[new])
    return out.pop() if len(out) == 1 else None


def _same_deletion(p1: int, d1: str, p2: int, d2: str, context: dict[int, str]) -> bool:
    """Are deletions of ``d1`` at ``p1`` and ``d2`` at ``p2`` the same change? (see module)"""
    known = dict(context)
    for p, seq in ((p1, d1), (p2, d2)):
        for i, base in enumerate(seq):
            if known.setdefault(p + i, base) != base:
                return False
    a, b = sorted((p1, p2))
    n = len(d1)
    for i in range(b - a):
        x, y = known.get(a + i), known.get(a + n + i)
        if x is None or x != y:
            return False
    return True


def _same_insertion(p1: int, s1: str, p2: int, s2: str, context: dict[int, str]) -> bool:
    """Insertions before ``p1`` and ``p2``: the same when the bases between them are known."""
    (a, sa), (b, sb) = sorted(((p1, s1), (p2, s2)))
    between = [context.get(a + i) for i in range(b - a)]
    if any(x is None for x in between):
        return False
    span = "".join(x for x in between if x is not None)
    return span + sb == sa + span


def annotate_hotspots(
    alterations: Iterable[Alteration], genome: str | None, unresolved: list[str] | None = None
) -> int:
    """Fill gene/protein of unannotated alterations that are hotspot alleles; returns the count.

    Changes inside a hotspot codon whose residue cannot be told (a codon base neither the
    record nor the table states) get a note and are described in ``unresolved``.
    """
    pending = [a for a in alterations if not a.annotated and a.chrom and a.ref and a.alt]
    if not pending or genome is None:
        return 0
    table = HotspotTable.load(genome)
    n = 0
    for a in pending:
        hit = table.lookup(a.chrom, a.pos, a.ref, a.alt)
        if hit is None:
            why = table.unresolved(a.chrom, a.pos, a.ref, a.alt)
            if why:
                a.notes.append(f"in hotspot codon {why}")
                if unresolved is not None:
                    unresolved.append(f"{a.chrom}:{a.pos} {a.ref}>{a.alt} in {why}")
            continue
        gene, protein, transcript = hit
        if a.gene and a.gene != gene:
            a.notes.append(f"panel gene {a.gene}; hotspot table gene {gene}")
        a.gene, a.transcript, a.transcript_rule = gene, transcript, "hotspot_table"
        _set_protein(a, protein)
        a.rekey()  # the gene is part of the key
        a.notes.append(f"protein change from the {genome} hotspot table (genomic coordinate)")
        n += 1
    return n


def _set_protein(a: Alteration, protein: str) -> bool:
    """Give ``a`` the hotspot table's protein change; False when it does not parse."""
    change = parse_protein_change(protein)
    if change is None:
        return False
    a.protein, a.protein_3 = change.one, change.three
    a.protein_start, a.protein_end = change.start, change.end
    a.protein_source = "hotspot_table"
    return True


def proteins_from_hotspots(
    alterations: Iterable[Alteration], genome: str | None
) -> tuple[int, list[Alteration]]:
    """Protein changes for annotated variants that state coordinates but no protein change (a
    MAF row without ``HGVSp_Short``): a catalog hotspot allele at those coordinates gives it.

    MAF coordinates are taken as the MAF specification writes them: a deletion starts at its
    first deleted base, an insertion at the base before it (``-`` for the empty allele).
    Returns how many were filled, and the protein-altering (or unclassified) variants left
    without a protein change, for whom exact and codon rules are not assessable.
    """
    pending = [
        a
        for a in alterations
        if a.kind == MUTATION and a.chrom and a.ref and a.alt and not a.protein
    ]
    if not pending:
        return 0, []
    table = HotspotTable.load(genome) if genome is not None else None
    filled, left = 0, []
    for a in pending:
        pos = a.pos + 1 if a.ref == "-" else a.pos  # MAF insertions: the base before them
        hit = table.lookup(a.chrom, pos, a.ref, a.alt) if table is not None else None
        if hit is not None and hit[0] == a.gene and _set_protein(a, hit[1]):
            a.notes.append(
                f"protein change from the {genome} hotspot table (genomic coordinate); "
                "the input states none"
            )
            filled += 1
            continue
        if hit is not None:
            a.notes.append(f"at the coordinate of the hotspot allele {hit[0]} {hit[1]}")
        if not a.consequences or not PROTEIN_ALTERING_CONSEQUENCES.isdisjoint(a.consequences):
            left.append(a)
    return filled, left


__all__ = [
    "CODE",
    "UNANNOTATED_NOTE",
    "Codon",
    "Hotspot",
    "HotspotTable",
    "annotate_hotspots",
    "complement",
    "normalise_allele",
    "proteins_from_hotspots",
    "trim",
]
