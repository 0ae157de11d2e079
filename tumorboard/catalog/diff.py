"""``tumorboard catalog diff OLD NEW``: what changed, by indication, and whom to look at again.

Indication records (by id) are **added**, **withdrawn** (gone from the new catalog),
**narrowed** or **widened** (fewer or more patients covered: tumour scope and exclusions,
biomarker rule, age limits, grades, label requirements the board must confirm), or **changed**
otherwise (dates, sources, label text, evidence level...; or narrowed in one respect and
widened in another, which the item says). A changed biomarker rule changes every indication
using it. Resistance and evidence records and biomarker rules are added, withdrawn or changed.
Each item says which patients to look at again, and the result warns when the content differs
under an unchanged version (see :mod:`tumorboard.catalog.lock`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tumorboard.catalog.index import Catalog
from tumorboard.catalog.schema import AnyOfRule, BiomarkerRule, Indication
from tumorboard.models import Match

if TYPE_CHECKING:
    from tumorboard.oncotree import TreeLike

KINDS = ("added", "withdrawn", "narrowed", "widened", "changed")
_SUBST = re.compile(r"^[A-Z](\d+)([A-Z*])$")
_SCOPE_FIELDS = ("tumor_types", "tumor_agnostic", "exclude")
_NARROWING = (
    "biomarker",
    "min_age_years",
    "max_age_years",
    "grades",
    "requires",
    *_SCOPE_FIELDS,
)


def _relation(old: set[Any], new: set[Any], empty_is_all: bool = False) -> str:
    """``narrower``/``wider``/``same``/``different`` for two sets (``empty_is_all``: {} = any)."""
    if old == new:
        return "same"
    if empty_is_all and not new:
        return "wider"
    if empty_is_all and not old:
        return "narrower"
    if new < old:
        return "narrower"
    if new > old:
        return "wider"
    return "different"


def _codons(rule: BiomarkerRule) -> dict[int, set[str]] | None:
    """Codon -> allowed residues ('' = any) for exact and codon rules, else None."""
    if rule.type == "codon":
        alts = set(getattr(rule, "alternatives", []) or [""])
        return {c: alts for c in getattr(rule, "codons", [])}
    if rule.type == "exact":
        out: dict[int, set[str]] = {}
        for change in getattr(rule, "changes", []):
            m = _SUBST.match(change)
            if m is None:
                return None
            out.setdefault(int(m.group(1)), set()).add(m.group(2))
        return out
    return None


def _within(a: dict[int, set[str]], b: dict[int, set[str]]) -> bool:
    """Every residue change ``a`` accepts, ``b`` accepts too."""
    return all(
        c in b and ("" in b[c] or ("" not in alts and alts <= b[c])) for c, alts in a.items()
    )


def rule_relation(old: BiomarkerRule | None, new: BiomarkerRule | None) -> str:
    """Is ``new`` narrower, wider, the same as or different from ``old`` (patients it fires for)?"""
    if old is None or new is None:
        return "different"
    if old.model_dump(exclude={"id", "name", "description"}) == new.model_dump(
        exclude={"id", "name", "description"}
    ):
        return "same"
    if isinstance(old, AnyOfRule) and new.id in old.rules:
        return "narrower"
    if isinstance(new, AnyOfRule) and old.id in new.rules:
        return "wider"
    if isinstance(old, AnyOfRule) and isinstance(new, AnyOfRule):
        return _relation(set(old.rules), set(new.rules))
    if getattr(old, "all_genes", None) != getattr(new, "all_genes", None):
        return "different"
    a, b = _codons(old), _codons(new)
    if a is not None and b is not None:
        return {(True, True): "same", (True, False): "wider", (False, True): "narrower"}.get(
            (_within(a, b), _within(b, a)), "different"
        )
    if old.type != new.type:
        return "different"
    return _same_type_relation(old, new)


def _same_type_relation(old: Any, new: Any) -> str:
    if old.type == "exact":
        return _relation(set(old.changes), set(new.changes))
    if old.type == "region":
        return _combine(
            _relation(set(old.exons), set(new.exons)),
            _relation(set(old.consequences), set(new.consequences)),
        )
    if old.type == "fusion":
        return _relation(set(old.partners), set(new.partners), empty_is_all=True)
    if old.type in ("amplification", "tmb_high"):
        field = "threshold" if old.type == "tmb_high" else "min_copy_number"
        before, after = getattr(old, field), getattr(new, field)
        if before is not None and after is not None and before != after:
            return "narrower" if after > before else "wider"
    if old.type == "loss_of_function" and old.biallelic != new.biallelic:
        return "narrower" if new.biallelic else "wider"
    return "different"


def _combine(*relations: str) -> str:
    found = {r for r in relations if r != "same"}
    if not found:
        return "same"
    return found.pop() if len(found) == 1 else "different"


def _scope_relation(old: Indication, new: Indication, tree: TreeLike | None) -> str:
    def covered(codes: list[str], by: list[str]) -> bool:
        if tree is None:
            return set(codes) <= set(by)
        return all(any(tree.is_descendant(c, b) for b in by) for c in codes)

    rank = {None: 0, "solid": 1, "all": 2}
    if old.tumor_agnostic != new.tumor_agnostic:
        if old.tumor_agnostic and new.tumor_agnostic:
            base = "wider" if rank[new.tumor_agnostic] > rank[old.tumor_agnostic] else "narrower"
        else:
            base = "wider" if new.tumor_agnostic else "narrower"
    elif old.tumor_types == new.tumor_types:
        base = "same"
    else:
        narrower = covered(new.tumor_types, old.tumor_types)
        wider = covered(old.tumor_types, new.tumor_types)
        base = {(True, True): "same", (True, False): "narrower", (False, True): "wider"}.get(
            (narrower, wider), "different"
        )
    excl = _relation(set(new.exclude), set(old.exclude))  # more exclusions: narrower
    return _combine(base, excl)


def _age_relation(old: Indication, new: Indication) -> str:
    out = []
    lo_a, lo_b = old.min_age_years, new.min_age_years
    if lo_a != lo_b:
        out.append("narrower" if (lo_b or 0) > (lo_a or 0) else "wider")
    hi_a, hi_b = old.max_age_years, new.max_age_years
    if hi_a != hi_b:
        inf = float("inf")
        out.append("narrower" if (hi_b or inf) < (hi_a or inf) else "wider")
    return _combine(*out)


def _indication_changes(
    old: Indication, new: Indication, old_cat: Catalog, new_cat: Catalog, tree: TreeLike | None
) -> tuple[list[str], list[str], list[str]]:
    """(narrowed, widened, other) changes in words."""
    narrowed: list[str] = []
    widened: list[str] = []
    other: list[str] = []

    def put(relation: str, words: str) -> None:
        {"narrower": narrowed, "wider": widened}.get(relation, other).append(words)

    rule_a, rule_b = old_cat.biomarkers.get(old.biomarker), new_cat.biomarkers.get(new.biomarker)
    rel = rule_relation(rule_a, rule_b)
    if rel != "same":
        put(rel, f"biomarker rule {old.biomarker} -> {new.biomarker} ({rel})")
    scope = _scope_relation(old, new, tree)
    if scope != "same":
        put(scope, f"tumour scope {_scope(old)} -> {_scope(new)}")
    age = _age_relation(old, new)
    if age != "same":
        put(age, f"age {_ages(old)} -> {_ages(new)}")
    grades = _relation(set(old.grades), set(new.grades), empty_is_all=True)
    if grades != "same":
        put(grades, f"grades {old.grades or 'any'} -> {new.grades or 'any'}")
    reqs = _relation({r.text for r in new.requires}, {r.text for r in old.requires})
    if reqs != "same":  # more requirements: fewer patients plainly on-label
        put(reqs, f"requirements to confirm {len(old.requires)} -> {len(new.requires)}")
    return narrowed, widened, other


def _scope(rec: Any) -> str:
    from tumorboard.catalog.options import scope_text

    return scope_text(rec)


def _ages(rec: Indication) -> str:
    lo = "-" if rec.min_age_years is None else f"{rec.min_age_years:g}"
    hi = "-" if rec.max_age_years is None else f"{rec.max_age_years:g}"
    return f"[{lo}, {hi})"


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


def _records(catalog: Catalog) -> dict[str, tuple[str, dict[str, Any]]]:
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for section in ("indications", "resistance", "evidence"):
        for rec in getattr(catalog, section):
            out[rec.id] = (section, rec.model_dump(mode="json"))
    for rule in catalog.biomarkers.values():
        out[f"biomarker:{rule.id}"] = ("biomarkers", rule.model_dump(mode="json"))
    return out


def _changed(
    key: str, section: str, before: dict[str, Any], after: dict[str, Any], ctx: tuple[Any, ...]
) -> dict[str, Any]:
    old, new, tree = ctx
    fields = sorted(f for f in set(before) | set(after) if before.get(f) != after.get(f))
    item: dict[str, Any] = {
        "id": key,
        "section": section,
        "kind": "changed",
        "fields": {f: {"old": before.get(f), "new": after.get(f)} for f in fields},
    }
    revisit = _patients(after, new, section)
    old_revisit = _patients(before, old, section)
    item["revisit"] = revisit if old_revisit == revisit else f"{old_revisit}; {revisit}"
    if section != "indications":
        item["changes"] = [f"{', '.join(fields)} changed"]
        return item
    a = next(r for r in old.indications if r.id == key)
    b = next(r for r in new.indications if r.id == key)
    narrowed, widened, other = _indication_changes(a, b, old, new, tree)
    rest = [f for f in fields if f not in _NARROWING]
    if rest:
        other.append(f"{', '.join(rest)} changed")
    if narrowed and not widened:
        item["kind"] = "narrowed"
    elif widened and not narrowed:
        item["kind"] = "widened"
    item["changes"] = [
        *(f"narrowed: {w}" for w in narrowed),
        *(f"widened: {w}" for w in widened),
        *other,
    ]
    if not item["changes"]:  # only a rule of the same id changed (handled by the caller)
        item["changes"] = ["changed"]
    return item


def _rule_effects(old: Catalog, new: Catalog, tree: TreeLike | None) -> dict[str, dict[str, Any]]:
    """Indications unchanged themselves whose biomarker rule (same id) changed."""
    out = {}
    old_ids = {r.id: r for r in old.indications}
    for rec in new.indications:
        before = old_ids.get(rec.id)
        if before is None or before.model_dump() != rec.model_dump():
            continue
        rel = rule_relation(old.biomarkers.get(rec.biomarker), new.biomarkers.get(rec.biomarker))
        if rel == "same":
            continue
        kind = {"narrower": "narrowed", "wider": "widened"}.get(rel, "changed")
        out[rec.id] = {
            "id": rec.id,
            "section": "indications",
            "kind": kind,
            "fields": {},
            "changes": [f"{kind}: biomarker rule {rec.biomarker} changed ({rel})"],
            "revisit": _patients(rec.model_dump(mode="json"), new, "indications"),
        }
    return out


def diff_catalogs(old: Catalog, new: Catalog, tree: TreeLike | None = None) -> dict[str, Any]:
    """Records added, withdrawn, narrowed, widened and changed between two catalogs."""
    a, b = _records(old), _records(new)
    out: dict[str, Any] = {"old": old.info.model_dump(), "new": new.info.model_dump()}
    out.update({k: [] for k in KINDS})
    for k, (s, d) in b.items():
        if k not in a:
            out["added"].append({"id": k, "section": s, "kind": "added",
                                 "revisit": _patients(d, new, s)})  # fmt: skip
        elif a[k][1] != d:
            item = _changed(k, s, a[k][1], d, (old, new, tree))
            out[item["kind"]].append(item)
    for k, (s, d) in a.items():
        if k not in b:
            out["withdrawn"].append({"id": k, "section": s, "kind": "withdrawn",
                                     "revisit": _patients(d, old, s)})  # fmt: skip
    for item in _rule_effects(old, new, tree).values():
        out[item["kind"]].append(item)
    out["warnings"] = []
    if old.version == new.version and old.sha256 != new.sha256:
        out["warnings"].append(
            f"both catalogs say version {new.version} but their content differs: the new "
            "catalog needs a version bump (see tumorboard catalog lock)"
        )
    return out


def _option_key(m: Match) -> tuple[tuple[str, ...], str]:
    return tuple(sorted(m.drugs)), m.effect


def _status(m: Match) -> str:
    return m.label_text or m.label


def _why(items: dict[str, dict[str, Any]], *ms: Match | None) -> str:
    ids = [m.indication_id for m in ms if m is not None and m.indication_id]
    found = [items[i] for i in dict.fromkeys(ids) if i in items]
    return "".join(
        f" ({i['kind']} {i['id']}"
        + (f": {'; '.join(i.get('changes', []))}" if i.get("changes") else "")
        + ")"
        for i in found
    )


def review_changes(
    before: Sequence[Match], after: Sequence[Match], diff: dict[str, Any] | None
) -> list[str]:
    """How one patient's options changed between two match lists, each with the catalog change
    behind it when ``diff`` names the record (``diff_catalogs`` output)."""
    items = {i["id"]: i for kind in KINDS for i in (diff or {}).get(kind, [])}
    old = {_option_key(m): m for m in before}
    new = {_option_key(m): m for m in after}
    out = []
    for key, m in new.items():
        drugs = " + ".join(key[0])
        effect = "" if key[1] == "sensitive" else f" ({key[1]})"
        if key not in old:
            out.append(f"{drugs}{effect}: new, {_status(m)}{_why(items, m)}")
        elif _status(old[key]) != _status(m):
            change = f"{_status(old[key])} -> {_status(m)}"
            out.append(f"{drugs}{effect}: {change}{_why(items, old[key], m)}")
    for key, m in old.items():
        if key not in new:
            effect = "" if key[1] == "sensitive" else f" ({key[1]})"
            drugs = " + ".join(key[0])
            out.append(f"{drugs}{effect}: no longer listed (was {_status(m)}){_why(items, m)}")
    return out


__all__ = ["KINDS", "diff_catalogs", "review_changes", "rule_relation"]
