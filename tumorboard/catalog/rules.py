"""Does one alteration satisfy one biomarker rule? (hot path: plain functions, no pydantic).

``rule_hit(rule, alteration, thresholds)`` returns a short reason in words when the rule fires
("codon 600 -> E"), or ``None``. Conventions (docs/domain.md, section 6):

* **exact**: the one-letter protein change equals one of the rule's changes.
* **codon**: a *protein-altering* change touching the codon; a synonymous change (``V600=``)
  never matches. Without consequence annotation the protein change itself must show a different
  residue. ``alternatives`` restricts the new residue of substitutions.
* **region**: consequence group first, then the exon (or, when the exon is unknown, the codon
  range); splice-site variants also count in the rule's introns; an RNA splice variant counts
  when it skips ``rna_splice_exon``. ``splice_site`` means canonical donor/acceptor (and donor
  5th base, exon loss); a bare ``splice_region_variant`` is not enough.
* **loss_of_function**: truncating or canonical splice variants, or a deep deletion (absolute
  copy number below the run's threshold, or a homozygous deletion call).
* **amplification**: copy number or fold change at or above the rule's (else the run's)
  threshold; an amplification call without values is trusted and says so.
* **fusion**: the rule's gene on either side; ``partners`` restricts the other side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tumorboard.alterations import (
    AMPLIFICATION,
    DELETION,
    FUSION,
    INFRAME_DELETION_CONSEQUENCES,
    INFRAME_INSERTION_CONSEQUENCES,
    MUTATION,
    PROTEIN_ALTERING_CONSEQUENCES,
    SILENT_CONSEQUENCES,
    SPLICE_VARIANT,
    TRUNCATING_CONSEQUENCES,
    Alteration,
    to_one_letter,
)
from tumorboard.catalog.schema import (
    AmplificationRule,
    BiomarkerRule,
    CodonRule,
    DeletionRule,
    ExactRule,
    FusionRule,
    LossOfFunctionRule,
    MutationRule,
    RegionRule,
)

CANONICAL_SPLICE = frozenset(
    {
        "splice_donor_variant",
        "splice_acceptor_variant",
        "splice_donor_5th_base_variant",
        "exon_loss_variant",
    }
)
GROUPS: dict[str, frozenset[str]] = {
    "inframe_deletion": INFRAME_DELETION_CONSEQUENCES,
    "inframe_insertion": INFRAME_INSERTION_CONSEQUENCES,
    "inframe_indel": INFRAME_DELETION_CONSEQUENCES | INFRAME_INSERTION_CONSEQUENCES,
    "missense": frozenset({"missense_variant"}),
    "protein_altering": PROTEIN_ALTERING_CONSEQUENCES,
    "truncating": TRUNCATING_CONSEQUENCES,
    "splice_site": CANONICAL_SPLICE,
}
_SUBST = re.compile(r"^(?P<ref>[A-Z*])(?P<pos>\d+)(?P<alt>[A-Z*=])$")
_DEL_LIKE = re.compile(r"del")
_INS_LIKE = re.compile(r"ins|dup")
DEEP_CALLS = frozenset({"homozygous", "deep", "homdel"})


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Copy-number thresholds of the run (``RunOptions`` defaults)."""

    amp_copy_number: float = 6.0
    amp_fold_change: float = 2.0
    deep_deletion_copy_number: float = 0.5


def _protein_altering(a: Alteration) -> bool:
    if a.consequences:
        return a.has_consequence(PROTEIN_ALTERING_CONSEQUENCES)
    m = _SUBST.match(a.protein)
    if m is not None:
        return m.group("alt") not in ("=", m.group("ref"))
    return bool(a.protein) and not a.protein.endswith("=")


def is_silent(a: Alteration) -> bool:
    """Synonymous / stop-retained (by consequence or by a ``=`` protein change)."""
    if a.consequences and not a.has_consequence(PROTEIN_ALTERING_CONSEQUENCES):
        return a.has_consequence(SILENT_CONSEQUENCES) or a.protein.endswith("=")
    return a.protein.endswith("=")


def is_deep_deletion(a: Alteration, t: Thresholds) -> bool:
    """A copy-number loss deep enough to remove both copies."""
    if a.kind != DELETION:
        return False
    if a.copy_number is not None:
        return a.copy_number < t.deep_deletion_copy_number
    return a.zygosity.lower() in DEEP_CALLS


def _exact(rule: ExactRule, a: Alteration) -> str | None:
    if a.kind != MUTATION or not a.protein:
        return None
    wanted = {to_one_letter(c) for c in rule.changes}
    return f"{a.protein} exact" if a.protein in wanted else None


def _codon(rule: CodonRule, a: Alteration) -> str | None:
    if a.kind != MUTATION or a.protein_start is None or not _protein_altering(a):
        return None
    end = a.protein_end if a.protein_end is not None else a.protein_start
    hit = [c for c in rule.codons if a.protein_start <= c <= end]
    if not hit:
        return None
    if rule.alternatives:
        m = _SUBST.match(a.protein)
        if m is None or m.group("alt") not in rule.alternatives:
            return None
    return f"{a.protein} at codon {hit[0]} (codon rule)"


def _in_group(a: Alteration, groups: list[str]) -> str | None:
    for group in groups:
        if a.has_consequence(GROUPS[group]):
            return group
        if (
            group in ("inframe_deletion", "inframe_indel", "inframe_insertion")
            and "protein_altering_variant" in a.consequences
        ):
            pattern = _INS_LIKE if group == "inframe_insertion" else _DEL_LIKE
            if pattern.search(a.protein) and "fs" not in a.protein:
                return group
    return None


def _region(rule: RegionRule, a: Alteration) -> str | None:
    if a.kind == SPLICE_VARIANT:
        if rule.rna_splice_exon is not None and a.exon == rule.rna_splice_exon:
            return f"RNA splice variant skipping exon {a.exon}"
        return None
    if a.kind != MUTATION:
        return None
    group = _in_group(a, list(rule.consequences))
    if group is None:
        return None
    if group == "splice_site" and a.intron is not None and a.intron in rule.introns:
        return f"splice-site variant in intron {a.intron}"
    if a.exon is not None and rule.exons:
        return f"{group.replace('_', ' ')} in exon {a.exon}" if a.exon in rule.exons else None
    if rule.codon_start is not None and rule.codon_end is not None and a.protein_start:
        end = a.protein_end or a.protein_start
        if rule.codon_start <= a.protein_start and end <= rule.codon_end:
            span = f"codons {rule.codon_start}-{rule.codon_end}"
            return f"{group.replace('_', ' ')} within {span} (exon number not given)"
    return None


def _mutation(rule: MutationRule, a: Alteration) -> str | None:
    if a.kind != MUTATION:
        return None
    group = _in_group(a, list(rule.consequences))
    if group is None:
        return None
    return f"{group.replace('_', ' ')} mutation (oncogenicity not assessed: confirm it)"


def _lof(rule: LossOfFunctionRule, a: Alteration, t: Thresholds) -> str | None:
    if rule.include_deep_deletion and is_deep_deletion(a, t):
        return "deep deletion"
    if a.kind == MUTATION and a.has_consequence(TRUNCATING_CONSEQUENCES):
        terms = [c for c in a.consequences if c in TRUNCATING_CONSEQUENCES]
        return f"truncating ({terms[0]})"
    if a.kind == MUTATION and not a.consequences and re.search(r"\*$|fs", a.protein):
        return f"truncating ({a.protein}, from the protein change)"
    return None


def _amplification(rule: AmplificationRule, a: Alteration, t: Thresholds) -> str | None:
    if a.kind != AMPLIFICATION:
        return None
    cn_min = rule.min_copy_number or t.amp_copy_number
    fc_min = rule.min_fold_change or t.amp_fold_change
    if a.copy_number is not None and a.copy_number >= cn_min:
        return f"copy number {a.copy_number:g} >= {cn_min:g}"
    if a.fold_change is not None and a.fold_change >= fc_min:
        return f"fold change {a.fold_change:g} >= {fc_min:g}"
    if a.copy_number is None and a.fold_change is None:
        return "called amplified by the input (no copy number given)"
    return None


def _fusion(rule: FusionRule, a: Alteration) -> str | None:
    if a.kind != FUSION:
        return None
    sides = [g for g in (a.gene, a.gene3) if g]
    for gene in rule.all_genes:
        if gene not in sides:
            continue
        others = [g for g in sides if g != gene]
        if rule.partners:
            if others and others[0] in rule.partners:
                return f"{a.gene}::{a.gene3} named-pair fusion"
            continue
        partner = others[0] if others else "unknown partner"
        return f"{gene} fusion ({partner})"
    return None


def rule_hit(rule: BiomarkerRule, a: Alteration, t: Thresholds) -> str | None:
    """Why ``a`` satisfies ``rule`` (a short phrase), or ``None``."""
    if isinstance(rule, ExactRule):
        return _exact(rule, a)
    if isinstance(rule, CodonRule):
        return _codon(rule, a)
    if isinstance(rule, RegionRule):
        return _region(rule, a)
    if isinstance(rule, MutationRule):
        return _mutation(rule, a)
    if isinstance(rule, LossOfFunctionRule):
        return _lof(rule, a, t)
    if isinstance(rule, AmplificationRule):
        return _amplification(rule, a, t)
    if isinstance(rule, DeletionRule):
        return "deep deletion" if is_deep_deletion(a, t) else None
    if isinstance(rule, FusionRule):
        return _fusion(rule, a)
    return None


NEEDS_ANNOTATION = (RegionRule, MutationRule, LossOfFunctionRule)

__all__ = ["GROUPS", "NEEDS_ANNOTATION", "Thresholds", "is_deep_deletion", "is_silent", "rule_hit"]
