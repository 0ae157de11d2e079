"""Catalog queries for ``tumorboard catalog list`` and ``tumorboard catalog diff``.

``list_indications`` filters indication records by gene, drug (INN, synonym or brand, any case)
and tumour type. With a tumour type, only records *covering* it are listed (the code itself, a
descendant of one of the record's codes, or any solid tumour for a solid-tumour-agnostic record,
minus exclusions): those are the on-label uses for a patient with that tumour type; each row says
why (``covers LUAD as its ancestor``).

``diff_catalogs`` (:mod:`tumorboard.catalog.diff`) compares two catalogs by indication: added,
withdrawn, narrowed, widened, changed otherwise, each with the patients to look at again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tumorboard.catalog.diff import diff_catalogs
from tumorboard.catalog.index import Catalog
from tumorboard.catalog.labels import LabelContext, scope_text
from tumorboard.catalog.schema import AnyOfRule, Indication
from tumorboard.models import label_text

if TYPE_CHECKING:
    from tumorboard.oncotree import TreeLike


def _drug_ids(catalog: Catalog, query: str) -> set[str]:
    q = query.strip().lower()
    out = set()
    for drug in catalog.drugs.values():
        names = {drug.id, *(s.lower() for s in drug.synonyms), *(b.lower() for b in drug.brands)}
        if q in names:
            out.add(drug.id)
    return out


def _genes(catalog: Catalog, biomarker: str, seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The genes a rule looks at (an ``any_of`` rule: its members' genes)."""
    rule = catalog.biomarkers.get(biomarker)
    if rule is None or biomarker in seen:
        return ()
    if isinstance(rule, AnyOfRule):
        found = (g for m in rule.rules for g in _genes(catalog, m, seen | {biomarker}))
        return tuple(dict.fromkeys(found))
    return tuple(getattr(rule, "all_genes", ()) or getattr(rule, "genes", ()))


def indication_row(
    catalog: Catalog, rec: Indication, covers: str = "", requires: list[str] | None = None
) -> dict[str, Any]:
    """One indication as a JSON-ready dict."""
    rule = catalog.biomarkers.get(rec.biomarker)
    row: dict[str, Any] = {
        "id": rec.id,
        "drugs": list(rec.drugs),
        "biomarker": rec.biomarker,
        "biomarker_name": rule.name if rule else rec.biomarker,
        "genes": list(_genes(catalog, rec.biomarker)),
        "tumor_types": list(rec.tumor_types),
        "tumor_agnostic": rec.tumor_agnostic,
        "exclude": list(rec.exclude),
        "scope": scope_text(rec),
        "jurisdiction": rec.jurisdiction,
        "approval_date": rec.approval_date,
        "approval_type": rec.approval_type,
        "escat": rec.escat,
        "line_of_therapy": rec.line_of_therapy,
        "conditions": rec.conditions,
        "review": rec.review,
        "min_age_years": rec.min_age_years,
        "max_age_years": rec.max_age_years,
        "grades": list(rec.grades),
        "requires": [r.model_dump() for r in rec.requires],
        "label_text": rec.label_text,
        "sources": [s.model_dump(exclude_none=True) for s in rec.sources],
        "defined_at": catalog.where.get(rec.id, ""),
    }
    if covers:
        row["label"] = "on-label"
        row["label_status"] = label_text("on-label", requires or [])
        row["covers"] = covers
    return row


def list_indications(
    catalog: Catalog,
    *,
    gene: str | None = None,
    drug: str | None = None,
    tumor_type: str | None = None,
    jurisdiction: str | None = None,
    oncotree: TreeLike | None = None,
) -> list[dict[str, Any]]:
    """Indication records matching every filter given, as JSON-ready dicts."""
    drugs = _drug_ids(catalog, drug) if drug else None
    ctx = None
    if tumor_type:
        if oncotree is None:
            from tumorboard.oncotree import OncoTree

            oncotree = OncoTree.load()
        code = oncotree.resolve(tumor_type).code
        ctx = LabelContext(catalog, oncotree, code, jurisdiction or "EMA")
    rows = []
    for rec in catalog.indications:
        if jurisdiction and rec.jurisdiction != jurisdiction:
            continue
        if gene and gene.upper() not in _genes(catalog, rec.biomarker):
            continue
        if drugs is not None and not drugs & set(rec.drugs):
            continue
        covers = ""
        if ctx is not None:
            cov = ctx.coverage(rec)
            if not cov.covered:
                continue
            covers = cov.phrase
        needs = ctx.requires(rec) if ctx is not None else None
        rows.append(indication_row(catalog, rec, covers, needs))
    return rows


__all__ = ["diff_catalogs", "indication_row", "list_indications"]
