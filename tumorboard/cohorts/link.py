"""Does a patient's match meet a cohort's biomarker rule?

A cohort names a catalog biomarker rule id (``BRAF_V600``, ``ERBB2_AMP``, ``MSI_H``). A match
meets it when

1. the catalog record that produced the match (``Match.indication_id``: an indication, evidence
   or resistance record) is for that very rule; or
2. the rule itself fires on the variants the match came from (the catalog's own predicates,
   :func:`tumorboard.catalog.rules.rule_hit`, on alterations rebuilt from the stored variants;
   bi-allelic rules need a second hit, LOH/homozygosity or ``biallelic: true``); genome-wide
   rules (MSI-high, TMB-high, HRD) fire on the case's biomarkers; or
3. (loose link, for rule ids the catalog does not know) the match's biomarker text equals the
   cohort's biomarker text, ignoring case.

When in doubt the answer is no: a patient is never enrolled on a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

from tumorboard.alterations import Alteration, parse_protein_change
from tumorboard.catalog import Catalog
from tumorboard.catalog.schema import BiomarkerRule, HrdRule, MsiHighRule, TmbHighRule
from tumorboard.models import COMPUTED_FIELDS, Biomarker, Match, Variant

_SHARED = tuple(
    f.name
    for f in fields(Alteration)
    if f.init and f.name in Variant.model_fields and f.name not in COMPUTED_FIELDS
)
"""Alteration fields a stored Variant gives back as they are (the one record definition)."""


def _record_biomarker(catalog: Catalog | None, record_id: str | None) -> str | None:
    if not record_id or catalog is None:
        return None
    for records in (catalog.indications, catalog.evidence, catalog.resistance):
        for rec in records:
            if rec.id == record_id:
                return str(rec.biomarker)
    return None


def alteration_from_variant(v: Variant) -> Alteration:
    """Rebuild an :class:`Alteration` from a stored :class:`~tumorboard.models.Variant`."""
    change = parse_protein_change(v.protein) if v.protein else None
    a = Alteration(**{name: getattr(v, name) for name in _SHARED})
    a.consequences = tuple(v.consequences)
    a.vaf = v.vaf
    a.protein_start = change.start if change else None
    a.protein_end = change.end if change else None
    return a


def _genome_wide(
    rule: MsiHighRule | TmbHighRule | HrdRule, biomarkers: Sequence[Biomarker]
) -> bool:
    kind = {"msi_high": "MSI", "tmb_high": "TMB", "hrd": "HRD"}[rule.type]
    for b in biomarkers:
        if b.name != kind:
            continue
        status = b.status.lower()
        if isinstance(rule, TmbHighRule) and b.value is not None:
            return b.value >= rule.threshold
        if status in ("high", "positive", "msi-h", "unstable", "hrd"):
            return True
    return False


def _biallelic_ok(rule: BiomarkerRule, hits: list[Variant], variants: Sequence[Variant]) -> bool:
    if not getattr(rule, "biallelic", False):
        return True
    if any(h.biallelic or h.zygosity.lower() in ("loh", "homozygous") for h in hits):
        return True
    genes = {h.gene for h in hits}
    return len([v for v in variants if v.gene in genes and _fires(rule, v)]) >= 2


def _fires(rule: BiomarkerRule, v: Variant) -> bool:
    from tumorboard.catalog.rules import Thresholds, rule_hit

    return rule_hit(rule, alteration_from_variant(v), Thresholds()) is not None


def meets(
    match: Match,
    rule_id: str,
    *,
    catalog: Catalog | None,
    variants: Sequence[Variant],
    biomarkers: Sequence[Biomarker],
) -> bool:
    """Does ``match`` meet the cohort biomarker ``rule_id``? See the module docstring."""
    if _record_biomarker(catalog, match.indication_id) == rule_id:
        return True
    rule = catalog.biomarkers.get(rule_id) if catalog is not None else None
    if rule is None:
        return match.biomarker.strip().lower() == rule_id.strip().lower()
    if isinstance(rule, (MsiHighRule, TmbHighRule, HrdRule)):
        return _genome_wide(rule, biomarkers) and _mentions(match, rule.type)
    own = set(match.variants)
    hits = [v for v in variants if v.id in own and _fires(rule, v)]
    return bool(hits) and _biallelic_ok(rule, hits, variants)


def _mentions(match: Match, rule_type: str) -> bool:
    """A genome-wide match is one that came from no variant (MSI/TMB/HRD), of that kind."""
    word = {"msi_high": "msi", "tmb_high": "tmb", "hrd": "hrd"}[rule_type]
    text = f"{match.biomarker} {match.gene}".lower()
    return not match.variants and word in text


__all__ = ["alteration_from_variant", "meets"]
