"""Catalog queries for ``tumorboard catalog list`` and ``tumorboard catalog diff``.

``list_indications`` filters indication records by gene, drug (INN, synonym or brand, any case)
and tumour type. With a tumour type, only records *covering* it are listed (the code itself, a
descendant of one of the record's codes, or any solid tumour for a solid-tumour-agnostic record,
minus exclusions): those are the on-label uses for a patient with that tumour type; each row says
why (``covers LUAD as its ancestor``).

``diff_catalogs`` compares two catalogs record by record (indications, resistance, evidence,
biomarker rules, by id) and says, for each change, which patients to look at again: those with
the record's biomarker in its tumour types.
"""

from __future__ import annotations

from typing import Any

from tumorboard.catalog.index import Catalog
from tumorboard.catalog.labels import LabelContext, scope_text
from tumorboard.catalog.schema import Indication


def _drug_ids(catalog: Catalog, query: str) -> set[str]:
    q = query.strip().lower()
    out = set()
    for drug in catalog.drugs.values():
        names = {drug.id, *(s.lower() for s in drug.synonyms), *(b.lower() for b in drug.brands)}
        if q in names:
            out.add(drug.id)
    return out


def _genes(catalog: Catalog, biomarker: str) -> tuple[str, ...]:
    rule = catalog.biomarkers.get(biomarker)
    return tuple(getattr(rule, "all_genes", ()) or getattr(rule, "genes", ())) if rule else ()


def indication_row(catalog: Catalog, rec: Indication, covers: str = "") -> dict[str, Any]:
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
        "sources": [s.model_dump(exclude_none=True) for s in rec.sources],
        "defined_at": catalog.where.get(rec.id, ""),
    }
    if covers:
        row["label"] = "on-label"
        row["covers"] = covers
    return row


def list_indications(
    catalog: Catalog,
    *,
    gene: str | None = None,
    drug: str | None = None,
    tumor_type: str | None = None,
    jurisdiction: str | None = None,
    oncotree: Any = None,
) -> list[dict[str, Any]]:
    """Indication records matching every filter given, as JSON-ready dicts."""
    drugs = _drug_ids(catalog, drug) if drug else None
    ctx = None
    if tumor_type:
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
        rows.append(indication_row(catalog, rec, covers))
    return rows


def _records(catalog: Catalog) -> dict[str, tuple[str, dict[str, Any]]]:
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for section in ("indications", "resistance", "evidence"):
        for rec in getattr(catalog, section):
            out[rec.id] = (section, rec.model_dump(mode="json"))
    for rule in catalog.biomarkers.values():
        out[f"biomarker:{rule.id}"] = ("biomarkers", rule.model_dump(mode="json"))
    return out


def _patients(data: dict[str, Any], catalog: Catalog, section: str) -> str:
    if section == "biomarkers":
        return f"patients with {data.get('name', data.get('id'))} (any tumour type)"
    rule = catalog.biomarkers.get(data.get("biomarker", ""))
    name = rule.name if rule else data.get("biomarker", "?")
    if data.get("tumor_agnostic"):
        scope = "any solid tumour" if data["tumor_agnostic"] == "solid" else "any tumour"
    else:
        scope = ", ".join(data.get("tumor_types", []))
    excl = f" except {', '.join(data['exclude'])}" if data.get("exclude") else ""
    where = f" ({data['jurisdiction']})" if data.get("jurisdiction") else ""
    return f"patients with {name} in {scope}{excl}{where}"


def diff_catalogs(old: Catalog, new: Catalog) -> dict[str, Any]:
    """Records added, removed and changed between two catalogs, with patients to revisit."""
    a, b = _records(old), _records(new)
    added = [
        {"id": k, "section": s, "revisit": _patients(d, new, s)}
        for k, (s, d) in b.items()
        if k not in a
    ]
    removed = [
        {"id": k, "section": s, "revisit": _patients(d, old, s)}
        for k, (s, d) in a.items()
        if k not in b
    ]
    changed = []
    for k, (s, d) in b.items():
        if k in a and a[k][1] != d:
            before = a[k][1]
            fields = sorted(f for f in set(before) | set(d) if before.get(f) != d.get(f))
            changes = {f: {"old": before.get(f), "new": d.get(f)} for f in fields}
            revisit = _patients(d, new, s)
            old_revisit = _patients(before, old, s)
            if old_revisit != revisit:
                revisit = f"{old_revisit}; {revisit}"
            changed.append({"id": k, "section": s, "fields": changes, "revisit": revisit})
    return {
        "old": old.info.model_dump(),
        "new": new.info.model_dump(),
        "added": added,
        "removed": removed,
        "changed": changed,
    }


__all__ = ["diff_catalogs", "indication_row", "list_indications"]
