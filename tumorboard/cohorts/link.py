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
from typing import Any

from tumorboard.alterations import Alteration


def _record_biomarker(catalog: Any, record_id: str | None) -> str | None:
    if not record_id or catalog is None:
        return None
    for records in (catalog.indications, catalog.evidence, catalog.resistance):
        for rec in records:
            if rec.id == record_id:
                return str(rec.biomarker)
    return None


def alteration_from_variant(v: dict[str, Any]) -> Alteration:
    """Rebuild an :class:`Alteration` from a stored :class:`~tumorboard.models.Variant` dict."""
    from tumorboard.alterations import parse_protein_change

    change = parse_protein_change(v.get("protein") or "") if v.get("protein") else None
    return Alteration(
        gene=v.get("gene", ""),
        kind=v.get("kind", "mutation"),
        chrom=v.get("chrom", ""),
        pos=v.get("pos", 0),
        ref=v.get("ref", ""),
        alt=v.get("alt", ""),
        protein=v.get("protein", ""),
        protein_3=v.get("protein_3", ""),
        protein_start=change.start if change else None,
        protein_end=change.end if change else None,
        consequences=tuple(v.get("consequences") or ()),
        exon=v.get("exon"),
        intron=v.get("intron"),
        filter=v.get("filter", "PASS"),
        copy_number=v.get("copy_number"),
        fold_change=v.get("fold_change"),
        gene3=v.get("gene3", ""),
        zygosity=v.get("zygosity", ""),
        annotated=v.get("annotated", True),
    )


def _genome_wide(rule: Any, biomarkers: Sequence[dict[str, Any]]) -> bool:
    kind = {"msi_high": "MSI", "tmb_high": "TMB", "hrd": "HRD"}[rule.type]
    for b in biomarkers:
        if b.get("name") != kind:
            continue
        status = str(b.get("status", "")).lower()
        if kind == "TMB" and b.get("value") is not None:
            return float(b["value"]) >= float(rule.threshold)
        if status in ("high", "positive", "msi-h", "unstable", "hrd"):
            return True
    return False


def _biallelic_ok(
    rule: Any, hits: list[dict[str, Any]], variants: Sequence[dict[str, Any]]
) -> bool:
    if not getattr(rule, "biallelic", False):
        return True
    if any(
        h.get("biallelic") or str(h.get("zygosity", "")).lower() in ("loh", "homozygous")
        for h in hits
    ):
        return True
    genes = {h.get("gene") for h in hits}
    return len([v for v in variants if v.get("gene") in genes and _fires(rule, v)]) >= 2


def _fires(rule: Any, v: dict[str, Any]) -> bool:
    from tumorboard.catalog.rules import Thresholds, rule_hit

    return rule_hit(rule, alteration_from_variant(v), Thresholds()) is not None


def meets(
    match: dict[str, Any],
    rule_id: str,
    *,
    catalog: Any,
    variants: Sequence[dict[str, Any]],
    biomarkers: Sequence[dict[str, Any]],
) -> bool:
    """Does ``match`` (a Match dict) meet the cohort biomarker ``rule_id``? See module doc."""
    if _record_biomarker(catalog, match.get("indication_id")) == rule_id:
        return True
    rule = catalog.biomarkers.get(rule_id) if catalog is not None else None
    if rule is None:
        return str(match.get("biomarker", "")).strip().lower() == rule_id.strip().lower()
    if rule.type in ("msi_high", "tmb_high", "hrd"):
        return _genome_wide(rule, biomarkers) and _mentions(match, rule.type)
    own = set(match.get("variants") or [])
    hits = [v for v in variants if v.get("id") in own and _fires(rule, v)]
    return bool(hits) and _biallelic_ok(rule, hits, variants)


def _mentions(match: dict[str, Any], rule_type: str) -> bool:
    """A genome-wide match is one that came from no variant (MSI/TMB/HRD), of that kind."""
    word = {"msi_high": "msi", "tmb_high": "tmb", "hrd": "hrd"}[rule_type]
    text = f"{match.get('biomarker', '')} {match.get('gene', '')}".lower()
    return not match.get("variants") and word in text


__all__ = ["alteration_from_variant", "meets"]
