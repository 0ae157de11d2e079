"""One VCF record's text -> its alterations, each value checked (no pysam import).

The reader (:mod:`tumorboard.readers.vcf`) hands every in-panel record's text here. A value a
record cannot have is never defaulted: the ALT (or the record) is skipped, counted in
``qc.skipped`` with its reason and a first example (``CHROM:POS`` and a short escaped excerpt):

* POS below 1; REF empty or not made of A, C, G, T, N; an ALT of other letters (symbolic
  ``<...>``, breakend and ``*`` ALTs are skipped as such); an ALT equal to REF;
* a VEP CSQ / SnpEff ANN/EFF entry whose field count is not the header's: the whole record is
  skipped, because its values would be read as other fields (BRAF V600E becoming V640E of
  another transcript);
* VAF outside 0-1 (NaN and infinities included; VarScan's ``FREQ`` percentages are divided by
  100 first), a negative or non-integer depth (:mod:`tumorboard.readers.vcf_samples`);
* a VAF of 0: the tumour sample has no read for that ALT (a multi-allelic record's other ALT,
  or a variant of the normal only), :data:`NOT_IN_TUMOUR`.

Protein-altering variants whose annotation states no protein change (VEP without ``--hgvs``
and without ``Protein_position``/``Amino_acids``; SnpEff ANN without ``HGVS.p``) are counted
per gene in :attr:`RecordParser.no_protein`: exact and codon rules cannot be assessed for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from sys import intern
from typing import TYPE_CHECKING

from tumorboard.alterations import MUTATION, Alteration
from tumorboard.readers.base import QCCounter
from tumorboard.readers.text import excerpt, info_value
from tumorboard.readers.vcf_annotation import Annotation, vep_alleles
from tumorboard.readers.vcf_samples import SampleValues

if TYPE_CHECKING:
    from tumorboard.panels import Panel

_DNA = "ACGTNacgtn"
NEEDS_PROTEIN = frozenset(
    {
        "missense_variant",
        "stop_gained",
        "stop_lost",
        "start_lost",
        "frameshift_variant",
        "inframe_deletion",
        "inframe_insertion",
        "conservative_inframe_deletion",
        "disruptive_inframe_deletion",
        "conservative_inframe_insertion",
        "disruptive_inframe_insertion",
        "protein_altering_variant",
    }
)
"""Consequences whose alterations need a protein change for exact and codon rules."""


NOT_IN_TUMOUR = "ALT not seen in the tumour sample (VAF 0: no supporting reads)"
"""An ALT the tumour's own values show no read for (``0/2:12,0,8`` for the first ALT, a tumour
``0/0:80,0`` whose variant is the normal's): never reported, so never matched."""


def caller_status(descriptions: dict[str, str]) -> tuple[str, dict[str, str]] | None:
    """The INFO key in which a tumour/normal caller states each record's somatic status, and the
    values that mark a germline or LOH call (with the skip reason), or ``None``.

    VarScan2 somatic writes ``SS`` (0 reference, 1 germline, 2 somatic, 3 LOH, 5 unknown) and
    VarDict paired mode ``STATUS`` (StrongSomatic, LikelySomatic, Germline, LikelyLOH,
    StrongLOH, AFDiff, SampleSpecific); both set FILTER PASS on germline calls. VarDict's AFDiff
    is a variant both samples carry, at different allele frequencies: the normal has it, so it
    is no somatic call either. Read only when the header's description says so (another tool's
    ``SS`` or ``STATUS`` means something else).
    """
    ss = descriptions.get("SS", "").lower()
    if "germline" in ss and "somatic" in ss:
        return "SS", {
            "1": f"{GERMLINE_CALL} (VarScan SS=1)",
            "3": f"{LOH_CALL} (VarScan SS=3)",
        }
    status = descriptions.get("STATUS", "").lower()
    if "germline" in status or "somatic" in status:
        return "STATUS", {
            "Germline": f"{GERMLINE_CALL} (VarDict STATUS=Germline)",
            "LikelyLOH": f"{LOH_CALL} (VarDict STATUS=LikelyLOH)",
            "StrongLOH": f"{LOH_CALL} (VarDict STATUS=StrongLOH)",
            "AFDiff": f"{IN_NORMAL_CALL} (VarDict STATUS=AFDiff)",
        }
    return None


GERMLINE_CALL = "germline call by the caller, not a tumour variant"
LOH_CALL = (
    "LOH call by the caller (a germline variant whose other allele the tumour lost), not a "
    "tumour variant"
)
IN_NORMAL_CALL = (
    "found in the normal sample too by the caller (both samples carry it, at different allele "
    "fractions), not a somatic call"
)


class RecordParser:
    """Turns record text into alterations for one reader (its annotation, sample, panel)."""

    def __init__(
        self,
        qc: QCCounter,
        annotation: Annotation | None,
        values: SampleValues,
        column: int,
        name: str,
        include_filtered: bool,
    ) -> None:
        self.qc = qc
        self.annotation = annotation
        self.values = values
        self.column = column
        self.name = name
        self.include_filtered = include_filtered
        self.panel: Panel | None = None
        self.panel_genes: frozenset[str] | None = None
        self.no_protein: Counter[str] = Counter()
        self.status: tuple[str, dict[str, str]] | None = None
        """The caller's per-record somatic status (:func:`caller_status`), when it writes one."""
        self.not_somatic = 0
        """Records skipped because the caller calls them germline or LOH."""

    def _bad_alleles(self, chrom: str, pos: int, ref: str, alts: Sequence[str]) -> bool:
        qc = self.qc
        if pos < 1:
            qc.skip("POS below 1 (VCF positions start at 1)", f"{chrom}:{pos}")
            return True
        if not ref or ref.strip(_DNA):
            qc.skip("REF is not made of A, C, G, T, N", f"{chrom}:{pos} REF {excerpt(ref, 12)}")
            return True
        return False

    def _bad_alt(self, chrom: str, pos: int, ref: str, alt: str) -> bool:
        qc = self.qc
        if alt == "*" or alt[0] == "<" or "[" in alt or "]" in alt:
            qc.skip(
                "symbolic, breakend or spanning-deletion ALT (give structural variants "
                "with --cnv / --fusions)",
                f"{chrom}:{pos} {excerpt(alt, 12)}",
            )
            return True
        if alt.strip(_DNA):
            qc.skip("ALT is not made of A, C, G, T, N", f"{chrom}:{pos} ALT {excerpt(alt, 12)}")
            return True
        if alt.upper() == ref.upper():
            qc.skip("ALT equals REF (no change)", f"{chrom}:{pos} {excerpt(ref, 12)}")
            return True
        return False

    def parse(self, text: str, record: int) -> list[Alteration]:
        """The record's alterations, one per ALT allele kept (a list: cheaper than a generator).

        ``text`` is the record as htslib formats the record it parsed and checked: splitting
        strings is several times cheaper than pysam's per-field accessors.
        """
        out: list[Alteration] = []
        cols = text.rstrip("\n").split("\t")
        qc = self.qc
        filt = cols[6]
        if filt == ".":
            filt = "PASS"
        chrom, pos, ref = intern(cols[0]), int(cols[1]), cols[3]
        if cols[4] == ".":
            qc.skip("no ALT allele (reference-only record)", f"{chrom}:{pos}")
            return out
        alts = cols[4].split(",")
        # fast checks first (upper case, as htslib writes); the slow path says what is wrong
        if (pos < 1 or not ref or ref.strip("ACGTN")) and self._bad_alleles(chrom, pos, ref, alts):
            return out
        if filt != "PASS":
            qc.filtered += 1
            if not self.include_filtered:
                return out
            filt = intern(filt)
        info = cols[7]
        if self.status is not None:
            reason = self.status[1].get(info_value(info, self.status[0]) or "")
            if reason:
                qc.skip(reason, f"{chrom}:{pos}")
                self.not_somatic += 1
                return out
        # a record may leave out FORMAT and the sample columns (htslib accepts it): no values
        column = self.column
        fmt, sample = (cols[8], cols[column]) if len(cols) > column > 0 else ("", "")
        n_alleles = len(alts) + 1
        ann = self.annotation
        values: Sequence[str] = ()
        allele_strings: Sequence[str] = alts
        if ann is not None:
            values = ann.entries_text(info)
            if ann.tag == "CSQ" and (len(alts) > 1 or ann.i_allele_num is not None):
                allele_strings = vep_alleles(ref, alts)  # one ALT: every entry is its own
        panel_genes = self.panel_genes
        for i, alt in enumerate(alts):
            if (alt == ref or alt.strip("ACGTN")) and self._bad_alt(chrom, pos, ref, alt):
                continue
            a = Alteration("", MUTATION, chrom, pos, ref, alt)
            a.filter = filt
            a.source = self.name
            a.record = record
            if ann is not None:
                entries = ann.entries_for(values, i, allele_strings[i], alt, len(alts))
                if not entries:
                    if ann.bad:  # the whole record: its entries cannot be trusted
                        qc.skip(
                            f"{ann.key} entry with a field count other than the header's "
                            "(record skipped: its values would be read as other fields)",
                            f"{chrom}:{pos}: {ann.bad}",
                        )
                        return []
                    qc.skip(f"no {ann.key} entry for the ALT allele", f"{chrom}:{pos}")
                    continue
                entry, rule = ann.choose(entries, panel_genes)
                ann.fill(a, entry, rule)
                if panel_genes is not None and a.gene not in panel_genes:
                    qc.skip("annotated gene not in the panel", f"{a.gene} {chrom}:{pos}")
                    continue
                qc.transcript_rules[rule] += 1
                if not a.protein and not NEEDS_PROTEIN.isdisjoint(a.consequences):
                    self._no_protein(a, ann.key)
            else:
                a.annotated = False
                genes = self.panel.genes_at(chrom, pos) if self.panel is not None else []
                a.gene = genes[0] if genes else ""
                if len(genes) > 1:
                    a.notes.append("panel genes overlapping here: " + ", ".join(genes))
            vaf, depth, source, problem = self.values.read(
                fmt, sample, info, ref, alt, i, n_alleles
            )
            if problem or vaf == 0.0:
                qc.skip(
                    problem or NOT_IN_TUMOUR, f"{chrom}:{pos} {excerpt(ref, 8)}>{excerpt(alt, 8)}"
                )
                continue
            a.vaf, a.depth, a.vaf_source = vaf, depth, source
            out.append(a)
        return out

    def not_somatic_note(self, name: str) -> str:
        """The ``qc.not_assessable`` line for germline and LOH calls left out (``""``: none)."""
        if not self.not_somatic:
            return ""
        return (
            f"{name}: {self.not_somatic} record(s) the caller calls germline, LOH or present "
            "in the normal sample were not read as tumour variants (see qc.skipped); a germline "
            "finding (BRCA1/2 for PARP "
            "inhibitors, for example) needs the germline call set, which this case does not read"
        )

    def no_protein_note(self, name: str, tag: str) -> str:
        """The ``qc.not_assessable`` line for protein-altering variants without a protein
        change (``""`` when there are none)."""
        counts = self.no_protein
        if not counts:
            return ""
        genes = ", ".join(f"{g} ({n})" for g, n in sorted(counts.items())[:8])
        more = f" and {len(counts) - 8} more genes" if len(counts) > 8 else ""
        return (
            f"{name}: {sum(counts.values())} protein-altering variant(s) without a protein "
            f"change ({genes}{more}): the {tag} has no HGVS protein notation and no protein "
            "position and residues, so exact and codon rules (e.g. BRAF V600E, KRAS G12C) were "
            "not assessable for them; annotate with VEP --hgvs (or SnpEff with HGVS)"
        )

    def _no_protein(self, a: Alteration, tag: str) -> None:
        self.no_protein[a.gene] += 1
        a.notes.append(
            f"no protein change in the {tag} entry (no HGVS protein notation, no protein "
            "position and residues): exact and codon rules not assessable"
        )


__all__ = [
    "GERMLINE_CALL",
    "IN_NORMAL_CALL",
    "LOH_CALL",
    "NEEDS_PROTEIN",
    "NOT_IN_TUMOUR",
    "RecordParser",
    "caller_status",
]
