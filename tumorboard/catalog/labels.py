"""Label status of a fired biomarker rule: on-label, off-label, investigational, resistant.

:class:`LabelContext` is built once per patient (catalog, OncoTree, patient code, jurisdiction).
``add_hit`` turns one fired rule into candidate options per drug or combination; ``matches``
picks the strongest option of each (gene, drugs, effect) group and builds the reported
:class:`~tumorboard.models.Match` objects. The rules are described in :mod:`tumorboard.matching`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tumorboard.catalog.index import Catalog
from tumorboard.catalog.schema import (
    ESCAT_LEVELS,
    BiomarkerRule,
    CatalogSource,
    EvidenceRecord,
    Indication,
    Resistance,
)
from tumorboard.models import Evidence, Match, Source

LABEL_ORDER = {"on-label": 0, "off-label": 1, "investigational": 2, "uncertain": 3}
OFF_LABEL_RANK = 40
OTHER_AGENCY_RANK = 20
ON_LABEL_RANK = 10
INVESTIGATIONAL_RANK = 50


@dataclass(frozen=True, slots=True)
class Coverage:
    """Does a record's scope cover the patient's code, and why, in words."""

    covered: bool
    excluded: bool
    phrase: str


@dataclass(slots=True)
class _Option:
    rank: int
    label: str
    evidence: Evidence
    rule: str
    record_id: str | None
    tumor_types: list[str]
    conditions: str
    sources: list[Source]


@dataclass(slots=True)
class _Group:
    gene: str
    drugs: list[str]
    effect: str
    biomarkers: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)
    options: list[_Option] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def escat_index(level: str) -> int:
    return ESCAT_LEVELS.index(level) if level in ESCAT_LEVELS else len(ESCAT_LEVELS)


def _source(s: CatalogSource) -> Source:
    return Source(kind=s.kind, document=s.document, url=s.url, date=s.date, identifier=s.identifier)


def scope_text(rec: Indication | Resistance | EvidenceRecord) -> str:
    """``MEL, NSCLC`` or ``solid tumours except COADREAD``."""
    if rec.tumor_agnostic:
        base = "solid tumours" if rec.tumor_agnostic == "solid" else "all tumours"
    else:
        base = ", ".join(rec.tumor_types)
    return base + (f" except {', '.join(rec.exclude)}" if rec.exclude else "")


_Rec = tuple[Indication, str]
"""An approval record and the rule text of the hit that reached it."""


def _scopes(pairs: list[_Rec]) -> str:
    seen: list[str] = []
    for rec, _ in pairs:
        text = scope_text(rec)
        if text not in seen:
            seen.append(text)
    return "; ".join(seen)


def _approval_text(rec: Indication) -> str:
    if rec.tumor_agnostic:
        return f"{rec.jurisdiction} tumour-agnostic approval ({scope_text(rec)})"
    return f"{rec.jurisdiction} approval for {scope_text(rec)}"


class LabelContext:
    """Label decisions for one patient; see :mod:`tumorboard.matching` for the rules."""

    def __init__(self, catalog: Catalog, tree: Any, code: str, jurisdiction: str) -> None:
        self.catalog = catalog
        self.tree = tree
        self.code = code
        self.jurisdiction = jurisdiction
        self.other = "FDA" if jurisdiction == "EMA" else "EMA"
        self.solid = bool(tree.is_solid(code))
        self.groups: dict[tuple[str, frozenset[str], str], _Group] = {}
        self.alteration_notes: dict[str, list[str]] = defaultdict(list)
        self._cover_cache: dict[str, Coverage] = {}
        self._mono = {r.id for r in catalog.resistance if r.monotherapy_only}

    # -- coverage ---------------------------------------------------------------------------------
    def coverage(self, rec: Indication | Resistance | EvidenceRecord) -> Coverage:
        cached = self._cover_cache.get(rec.id)
        if cached is None:
            cached = self._cover_cache[rec.id] = self._coverage(rec)
        return cached

    def _coverage(self, rec: Indication | Resistance | EvidenceRecord) -> Coverage:
        code = self.code
        for ex in rec.exclude:
            if self.tree.is_descendant(code, ex):
                why = "" if ex == code else f" ({ex} is its ancestor)"
                return Coverage(False, True, f"excludes {code}{why}")
        if rec.tumor_agnostic == "all":
            return Coverage(True, False, f"covers {code} (every tumour type)")
        if rec.tumor_agnostic == "solid":
            if self.solid:
                return Coverage(True, False, f"covers {code} (a solid tumour)")
            return Coverage(False, False, f"does not cover {code} (not a solid tumour)")
        for tt in rec.tumor_types:
            if self.tree.is_descendant(code, tt):
                how = "" if self.tree.resolve(tt).code == code else " as its ancestor"
                return Coverage(True, False, f"covers {code}{how}")
        return Coverage(False, False, f"does not cover {code}")

    def _compatible(self, rec: Indication) -> bool:
        """OncoKB: solid-tumour evidence does not propagate to haematological ones, nor back."""
        if rec.tumor_agnostic == "all":
            return True
        if rec.tumor_agnostic == "solid":
            return self.solid
        kinds = {bool(self.tree.is_solid(t)) for t in rec.tumor_types}
        return self.solid in kinds

    # -- groups -----------------------------------------------------------------------------------
    def _group(
        self, gene: str, drugs: list[str], effect: str, label: str, variants: list[str]
    ) -> _Group:
        key = (gene, frozenset(drugs), effect)
        grp = self.groups.get(key)
        if grp is None:
            grp = self.groups[key] = _Group(gene, list(drugs), effect)
        if label not in grp.biomarkers:
            grp.biomarkers.append(label)
        grp.variants.extend(v for v in variants if v not in grp.variants)
        return grp

    def add_hits(
        self,
        hits: list[tuple[BiomarkerRule, str]],
        gene: str,
        label: str,
        variants: list[str],
        filtered: bool = False,
    ) -> None:
        """Turn the rules one alteration fired (rule, why) into options.

        Approvals are pooled across every rule the alteration fired (``BRAF_V600E`` and
        ``BRAF_V600`` for V600E), so one drug or combination gets one decision.
        """
        by_drugs: dict[frozenset[str], list[_Rec]] = defaultdict(list)
        for rule, why in hits:
            head = f"{label} matches {rule.id} ({rule.name}: {why})"
            for ind in self.catalog.indications_by_biomarker.get(rule.id, []):
                by_drugs[frozenset(ind.drugs)].append((ind, head))
            for ev in self.catalog.evidence_by_biomarker.get(rule.id, []):
                self._evidence(ev, head, gene, label, variants)
            for res in self.catalog.resistance_by_biomarker.get(rule.id, []):
                self._resistance(res, head, gene, label, variants)
        for pairs in by_drugs.values():
            self._approvals(pairs, gene, label, variants)
        if filtered:
            for grp in self.groups.values():
                if set(variants) & set(grp.variants):
                    grp.add_note("from a record failing FILTER (kept by --include-filtered)")

    def _approvals(self, pairs: list[_Rec], gene: str, label: str, variants: list[str]) -> None:
        own = [p for p in pairs if p[0].jurisdiction == self.jurisdiction]
        other = [p for p in pairs if p[0].jurisdiction != self.jurisdiction]
        option = self._approval_option(own, other)
        if option is None:
            self._note_unproposed([p[0] for p in pairs], label, variants)
            return
        grp = self._group(gene, pairs[0][0].drugs, "sensitive", label, variants)
        grp.options.append(option)
        grp.add_note(self._other_status([p[0] for p in other]))

    def _approval_option(self, own: list[_Rec], other: list[_Rec]) -> _Option | None:
        covering = sorted(
            (p for p in own if self.coverage(p[0]).covered), key=lambda p: escat_index(p[0].escat)
        )
        if covering:
            rec, head = covering[0]
            text = f"{head}; {_approval_text(rec)} {self.coverage(rec).phrase}"
            rank = ON_LABEL_RANK + escat_index(rec.escat)
            return self._option(rec, rank, "on-label", rec.escat, "1", "I-A", text)
        if any(self.coverage(p[0]).excluded for p in [*own, *other]):
            return None
        usable = [p for p in own if self._compatible(p[0])]
        if usable:
            rec, head = usable[0]
            text = (
                f"{head}; {self.jurisdiction} approval(s) for {_scopes(usable)} do not cover "
                f"{self.code}: off-label (approved for this biomarker in another tumour type)"
            )
            return self._option(rec, OFF_LABEL_RANK, "off-label", "III-A", "3B", "II-C", text)
        if own:
            return None
        return self._other_agency_option(other)

    def _other_agency_option(self, other: list[_Rec]) -> _Option | None:
        covering = [p for p in other if self.coverage(p[0]).covered]
        if covering:
            rec, head = min(covering, key=lambda p: escat_index(p[0].escat))
            text = (
                f"{head}; no {self.jurisdiction} approval in the catalog for this biomarker "
                "and drug(s); "
                f"{_approval_text(rec)} {self.coverage(rec).phrase} ({self.other} only): "
                f"off-label under {self.jurisdiction}"
            )
            rank = OTHER_AGENCY_RANK + escat_index(rec.escat)
            return self._option(rec, rank, "off-label", rec.escat, None, "II-C", text)
        usable = [p for p in other if self._compatible(p[0])]
        if not usable:
            return None
        rec, head = usable[0]
        text = (
            f"{head}; no {self.jurisdiction} approval in the catalog for this biomarker "
            "and drug(s); "
            f"{self.other} approves it for {_scopes(usable)} only: off-label"
        )
        return self._option(rec, OFF_LABEL_RANK + 5, "off-label", "III-A", "3B", "II-C", text)

    def _option(
        self,
        rec: Indication,
        rank: int,
        label: str,
        escat: str,
        oncokb: str | None,
        amp: str | None,
        text: str,
    ) -> _Option:
        conditions = "; ".join(x for x in (rec.line_of_therapy, rec.conditions) if x)
        return _Option(
            rank=rank,
            label=label,
            evidence=Evidence(scale="ESCAT", level=escat, oncokb=oncokb, amp=amp, rank=rank),
            rule=text,
            record_id=rec.id,
            tumor_types=list(rec.tumor_types)
            or [("SOLID" if rec.tumor_agnostic == "solid" else "ALL")],
            conditions=conditions,
            sources=[_source(s) for s in rec.sources],
        )

    def _note_unproposed(self, records: list[Indication], label: str, variants: list[str]) -> None:
        drugs = " + ".join(records[0].drugs)
        excluded = [r for r in records if self.coverage(r).excluded]
        if excluded:
            rec = excluded[0]
            text = (
                f"{label}: {drugs} not proposed: {_approval_text(rec)} {self.coverage(rec).phrase}"
            )
        else:
            kind = "solid tumours" if self.solid else "haematological malignancies"
            text = (
                f"{label}: {drugs} is approved for this biomarker only in "
                f"{_scopes([(r, '') for r in records])}, which does not propagate to {kind}"
            )
        for key in variants or [label]:
            if text not in self.alteration_notes[key]:
                self.alteration_notes[key].append(text)

    def _other_status(self, other: list[Indication]) -> str:
        covering = [r for r in other if self.coverage(r).covered]
        if covering:
            rec = covering[0]
            return f"{self.other}: on-label ({_approval_text(rec)} {self.coverage(rec).phrase})"
        if other:
            return (
                f"{self.other}: off-label (approved for {'; '.join(scope_text(r) for r in other)})"
            )
        return f"{self.other}: no approval for this biomarker and drug(s) in the catalog"

    # -- evidence and resistance ------------------------------------------------------------------
    def _evidence(
        self, ev: EvidenceRecord, head: str, gene: str, label: str, variants: list[str]
    ) -> None:
        cov = self.coverage(ev)
        if not cov.covered:
            return
        if ev.effect == "resistant":
            for drug in ev.drugs:
                self._resistant_option(ev, drug, head, gene, label, variants)
            return
        rank = INVESTIGATIONAL_RANK + escat_index(ev.escat)
        text = (
            f"{head}; {ev.kind.replace('_', ' ')} evidence for {scope_text(ev)} {cov.phrase} "
            f"(ESCAT {ev.escat}): {ev.summary.strip()}"
        )
        grp = self._group(gene, ev.drugs, "sensitive", label, variants)
        grp.options.append(
            _Option(
                rank=rank,
                label="investigational",
                evidence=Evidence(
                    scale="ESCAT",
                    level=ev.escat,
                    oncokb=ev.oncokb,
                    amp="II-D" if escat_index(ev.escat) > 4 else "II-C",
                    rank=rank,
                ),
                rule=text,
                record_id=ev.id,
                tumor_types=list(ev.tumor_types) or ["SOLID"],
                conditions="",
                sources=[_source(s) for s in ev.sources],
            )
        )

    def _resistance(
        self, res: Resistance, head: str, gene: str, label: str, variants: list[str]
    ) -> None:
        if not self.coverage(res).covered:
            return
        for drug in res.drugs:
            self._resistant_option(res, drug, head, gene, label, variants)

    def _resistant_option(
        self,
        rec: Resistance | EvidenceRecord,
        drug: str,
        head: str,
        gene: str,
        label: str,
        variants: list[str],
    ) -> None:
        oncokb = rec.oncokb if rec.oncokb in ("R1", "R2") else "R2"
        rank = escat_index(rec.escat) + (0 if oncokb == "R1" else 30)
        text = (
            f"{head}; predicts resistance to {drug} in {scope_text(rec)} "
            f"({self.coverage(rec).phrase}): {rec.summary.strip()}"
        )
        grp = self._group(gene, [drug], "resistant", label, variants)
        grp.options.append(
            _Option(
                rank=rank,
                label=self.drug_label(drug, alone=getattr(rec, "monotherapy_only", False)),
                evidence=Evidence(
                    scale="ESCAT", level=rec.escat, oncokb=oncokb, amp=None, rank=rank
                ),
                rule=text,
                record_id=rec.id,
                tumor_types=list(rec.tumor_types) or ["SOLID"],
                conditions="",
                sources=[_source(s) for s in rec.sources],
            )
        )

    def drug_label(self, drug: str, *, alone: bool = False) -> str:
        """Is ``drug`` labelled (any biomarker; ``alone``: as monotherapy) in this tumour type?"""
        for ind in self.catalog.indications_by_drug.get(drug, []):
            if alone and ind.drugs != [drug]:
                continue
            if ind.jurisdiction == self.jurisdiction and self.coverage(ind).covered:
                return "on-label"
        return "off-label"

    # -- results ----------------------------------------------------------------------------------
    def matches(self) -> list[Match]:
        """The strongest option of every group, annotated with resistance, sorted.

        A sensitive off-label or investigational option for exactly the drug a level-R1
        resistance covers is dropped (the resistance overrides it); every other sensitive match
        containing a resisted drug keeps its label and gets a note.
        """
        resisted: dict[str, list[tuple[str, bool, bool]]] = defaultdict(list)
        for grp in self.groups.values():
            if grp.effect == "resistant" and grp.options:
                best = min(grp.options, key=lambda o: o.rank)
                text = (
                    f"resistance: {' + '.join(grp.biomarkers)} predicts resistance to "
                    f"{grp.drugs[0]} (OncoKB {best.evidence.oncokb}); see the resistant match"
                )
                mono = best.record_id in self._mono
                resisted[grp.drugs[0]].append((text, mono, best.evidence.oncokb == "R1"))
        out: list[Match] = []
        for grp in self.groups.values():
            if not grp.options:
                continue
            match = self._match(grp, resisted)
            if match is not None:
                out.append(match)
        out.sort(key=lambda m: (LABEL_ORDER[m.label], m.evidence.rank, m.effect, m.drugs))
        return out

    def _match(
        self, grp: _Group, resisted: dict[str, list[tuple[str, bool, bool]]]
    ) -> Match | None:
        options = sorted(grp.options, key=lambda o: o.rank)
        best = options[0]
        single = grp.drugs[0] if len(grp.drugs) == 1 else None
        overridden = any(r1 for _, _, r1 in resisted.get(single or "", []))
        if grp.effect == "sensitive" and overridden and best.label != "on-label":
            for key in grp.variants:
                self.alteration_notes[key].append(
                    f"{' + '.join(grp.biomarkers)}: {single} not proposed {best.label}: "
                    "a level R1 resistance marker applies (see the resistant match)"
                )
            return None
        sources = list(best.sources)
        notes = list(grp.notes)
        for opt in options[1:]:
            if opt.label == "investigational" and best.label != "investigational":
                sources.extend(s for s in opt.sources if s not in sources)
        if grp.effect == "sensitive":
            for drug in grp.drugs:
                for text, mono, _ in resisted.get(drug, []):
                    if (single or not mono) and text not in notes:
                        notes.append(text)
        return Match(
            gene=grp.gene,
            biomarker=" + ".join(grp.biomarkers),
            drugs=list(grp.drugs),
            label=best.label,
            effect=grp.effect,
            jurisdiction=self.jurisdiction,
            evidence=best.evidence,
            rule=best.rule,
            sources=sources,
            variants=list(grp.variants),
            indication_id=best.record_id,
            approved_tumor_types=best.tumor_types,
            conditions=best.conditions,
            notes=notes,
        )


__all__ = ["LABEL_ORDER", "Coverage", "LabelContext", "escat_index", "scope_text"]
