"""Protein changes from annotation fields, for annotations without HGVS protein notation.

VEP run without ``--hgvs`` leaves ``HGVSp`` empty but still writes, for every coding entry,

* ``Protein_position``: ``600``, or ``746-750`` for a range (``?`` where the variant leaves the
  coding sequence: no protein change is built then);
* ``Amino_acids``: ``V/E`` (reference/variant residues of the affected codons), a single
  residue ``L`` when the codons translate the same (synonymous), ``-`` for none (in-frame
  insertions between codons, in-frame deletions of whole codons), ``*`` for a stop and ``X``
  for a partial codon (frameshifts);
* ``Codons``: ``gTg/gAg``, whose lengths tell a frameshift from an in-frame change.

Old SnpEff (the ``EFF`` field, ``-formatEff`` or SnpEff < 4.1) without HGVS writes the same
facts as one string, ``Amino_Acid_Change`` ``G12C`` or ``KELREA745K`` (reference residues,
the first codon, variant residues), with ``Codon_Change`` ``Ggt/Tgt``.

:func:`build_change` turns (first codon, reference residues, variant residues) into the
one-letter HGVS form tumorboard uses everywhere (``V600E``, ``E746_A750del``, ``G12fs``,
``Q61*``, ``V600=``, ``M1?``, ``*190Qext*?``, ``D770_N771insNPG``, ``A767_V769dup``,
``L747_S752delinsP``): shared residues are trimmed from the start, then from the end, so a
duplication or deletion is named at its 3'-most position *within the residues the annotation
shows* (the protein sequence beyond them is not known here). When the residue at a position
is not shown (an insertion with no flanking residue given, a frameshift starting after the
shown codons), only the positions are kept: codon and region rules still see them, exact rules
do not. Field formats and the naming rules, with sources: docs/domain.md §6 and §11.
"""

from __future__ import annotations

import re

from tumorboard.alterations import ProteinChange, to_three_letter

_RESIDUES = frozenset("ACDEFGHIKLMNPQRSTVWYUO*X")
_POSITION = re.compile(r"^(\d+)(?:-(\d+))?$")
_EFF_CHANGE = re.compile(r"^([A-Z*]*)(\d+)([A-Z*?]*)$")
SILENT = frozenset({"synonymous_variant", "stop_retained_variant", "start_retained_variant"})


def _change(one: str, start: int, end: int, ref_aa: str) -> ProteinChange:
    return ProteinChange(one=one, three=to_three_letter(one), start=start, end=end, ref_aa=ref_aa)


def _position_only(start: int, end: int) -> ProteinChange:
    return ProteinChange(one="", three="", start=start, end=end, ref_aa="")


def _range(ref: str, start: int, end: int) -> str:
    return f"{ref[0]}{start}" if start == end else f"{ref[0]}{start}_{ref[-1]}{end}"


def _shared_prefix(ref: str, alt: str) -> int:
    i = 0
    while i < min(len(ref), len(alt)) and ref[i] == alt[i]:
        i += 1
    return i


def _shared_suffix(ref: str, alt: str) -> int:
    j = 0
    while j < min(len(ref), len(alt)) and ref[-1 - j] == alt[-1 - j]:
        j += 1
    return j


def _insertion(ref: str, inserted: str, i: int, j: int, start: int) -> ProteinChange:
    """Residues ``inserted`` between ``ref[i - 1]`` and ``ref[len(ref) - j]`` (when shown)."""
    at = start + i  # the first residue after the insertion
    n = len(inserted)
    if i >= n and ref[i - n : i] == inserted:  # repeats the residues just before it: dup
        first = at - n
        text = ref[i - n : i]
        return _change(f"{_range(text, first, at - 1)}dup", first, at - 1, text[0])
    if i == 0 or j == 0:
        return _position_only(at - 1, at)
    left, right = ref[i - 1], ref[len(ref) - j]
    return _change(f"{left}{at - 1}_{right}{at}ins{inserted}", at - 1, at, left)


def build_change(
    start: int, ref: str, alt: str, *, frameshift: bool = False, silent: bool = False
) -> ProteinChange | None:
    """One-letter change from the first codon and the reference/variant residues.

    ``ref``/``alt`` use ``-`` or ``""`` for no residue. ``frameshift`` comes from the
    consequence or the codons; ``silent`` (a synonymous consequence) reads a single residue
    string as unchanged. ``None`` when the residues are not amino acids; a change with an
    empty ``one`` when only the positions are known.
    """
    ref, alt = ("" if ref == "-" else ref), ("" if alt == "-" else alt)
    if start < 1 or not (ref or alt) or not _RESIDUES.issuperset(ref + alt):
        return None
    end = start + max(len(ref), 1) - 1
    if silent or ref == alt:
        if not ref or (alt and alt != ref):
            return _position_only(start, end)
        return _change(f"{_range(ref, start, end)}=", start, end, ref[0])
    if "X" in ref or (("X" in alt) and not frameshift):
        return _position_only(start, end)  # a residue the annotation could not translate
    i = _shared_prefix(ref, alt)
    if frameshift:
        if i < len(ref) and ref[i] != "*":
            return _change(f"{ref[i]}{start + i}fs", start + i, start + i, ref[i])
        return _position_only(start + i, start + i)
    if "*" in alt:
        alt = alt[: alt.index("*") + 1]  # nothing after a new stop is translated
        i = min(i, _shared_prefix(ref, alt))
    if i < len(ref) and i < len(alt):
        first = ref[i]
        if start + i == 1 and first == "M":
            return _change("M1?", 1, 1, "M")
        if alt[i] == "*":
            return _change(f"{first}{start + i}*", start + i, start + i, first)
        if first == "*":
            return _change(f"*{start + i}{alt[i]}ext*?", start + i, start + i, "*")
    j = 0 if alt.endswith("*") else _shared_suffix(ref[i:], alt[i:])
    r, a = ref[i : len(ref) - j], alt[i : len(alt) - j]
    s = start + i
    e = s + len(r) - 1
    if not r:
        return _insertion(ref, a, i, j, start)
    if not a:
        return _change(f"{_range(r, s, e)}del", s, e, r[0])
    if len(r) == 1 and len(a) == 1:
        return _change(f"{r}{s}{a}", s, s, r)
    return _change(f"{_range(r, s, e)}delins{a}", s, e, r[0])


def _is_frameshift(codons: str, consequences: tuple[str, ...]) -> bool:
    if "frameshift_variant" in consequences:
        return True
    ref, sep, alt = codons.partition("/")
    if not sep:
        return False
    n_ref, n_alt = len(ref.replace("-", "")), len(alt.replace("-", ""))
    return (n_ref - n_alt) % 3 != 0


def from_vep(
    position: str, amino_acids: str, codons: str = "", consequences: tuple[str, ...] = ()
) -> ProteinChange | None:
    """The change VEP's ``Protein_position``, ``Amino_acids`` and ``Codons`` describe."""
    m = _POSITION.match(position)
    if m is None or not amino_acids:
        return None
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else start
    ref, sep, alt = amino_acids.partition("/")
    silent = not sep or not SILENT.isdisjoint(consequences)
    if not sep:
        alt = ref
    frameshift = _is_frameshift(codons, consequences)
    if ref == "-":  # an insertion between two codons: the flanking residues are not shown
        return _position_only(start, end) if alt not in ("", "-") else None
    return build_change(start, ref, alt, frameshift=frameshift, silent=silent)


def from_snpeff_eff(
    aa_change: str, codon_change: str = "", consequences: tuple[str, ...] = ()
) -> ProteinChange | None:
    """The change of an old SnpEff ``EFF`` ``Amino_Acid_Change`` without HGVS (``G12C``,
    ``KELREA745K``; a synonymous change is written with one residue, ``L23``)."""
    m = _EFF_CHANGE.match(aa_change)
    if m is None:
        return None
    ref, start, alt = m.group(1), int(m.group(2)), m.group(3)
    silent = not SILENT.isdisjoint(consequences)
    if silent and not alt:
        alt = ref
    if not ref and silent:
        ref = alt
    frameshift = _is_frameshift(codon_change, consequences)
    return build_change(start, ref, alt.rstrip("?"), frameshift=frameshift, silent=silent)


__all__ = ["SILENT", "build_change", "from_snpeff_eff", "from_vep"]
