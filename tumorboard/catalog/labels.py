"""Label status of a fired biomarker rule: on-label (if ...), off-label, investigational.

:class:`LabelContext` is built once per patient (catalog, OncoTree, patient code, jurisdiction,
and the patient's age and tumour grade when known). ``add_hits`` turns the rules one alteration
fired into candidate options per drug or combination (:mod:`tumorboard.catalog.options`);
``matches`` settles resistance (:mod:`tumorboard.catalog.resistance`) and returns the reported
:class:`~tumorboard.models.Match` objects in ranking order (:mod:`tumorboard.ranking`). The
rules are described in :mod:`tumorboard.matching`.

Age and grade: an approval naming an age range (``min_age_years``/``max_age_years``) or tumour
grades (``grades``) covers the patient only when the patient's age/grade fits. Unknown age or
grade keeps the approval, but the match becomes "on-label if" that limit is confirmed; a known
age/grade outside the limit refuses it (off-label, the reason in the rule text). The label's
``requires`` (germline origin, IHC, prior therapy...) are always "on-label if".

Unread wording: a record whose ``label_text`` is empty (the catalog review could not read the
agency's own indication sentence; its ``review`` says what was read instead) never gives a bare
"on-label": every match through it is "on-label if" the board confirms, in the agency's document,
that the label covers this biomarker and tumour (:func:`unread_wording`). The rule was written
from secondary reports and may be wider than the label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tumorboard.catalog.index import Catalog
from tumorboard.catalog.options import (
    INVESTIGATIONAL_RANK,
    OFF_LABEL_RANK,
    ON_LABEL_RANK,
    OTHER_AGENCY_RANK,
    Coverage,
    Group,
    Option,
    age_words,
    approval_text,
    escat_index,
    grade_words,
    scope_text,
    scopes,
    to_source,
    tumor_types_of,
)
from tumorboard.catalog.schema import BiomarkerRule, EvidenceRecord, Indication, Resistance
from tumorboard.models import Evidence, Match, label_text

if TYPE_CHECKING:
    from tumorboard.oncotree import TreeLike

_Rec = tuple[Indication, str]
"""An approval record and the rule text of the hit that reached it."""


def unread_wording(rec: Indication) -> str:
    """The requirement of a record whose label wording the catalog has not read (see the
    module docstring): the document to read it in, named."""
    own = [s for s in rec.sources if s.kind == rec.jurisdiction] or rec.sources
    return (
        f"the {rec.jurisdiction} indication as {own[0].document} words it covers this biomarker "
        "and tumour (the catalog has not read the label's own words: its rule may be wider "
        "than the label)"
    )


class LabelContext:
    """Label decisions for one patient; see :mod:`tumorboard.matching` for the rules."""

    def __init__(
        self,
        catalog: Catalog,
        tree: TreeLike,
        code: str,
        jurisdiction: str,
        *,
        age: float | None = None,
        grade: int | None = None,
    ) -> None:
        self.catalog = catalog
        self.tree = tree
        self.code = code
        self.jurisdiction = jurisdiction
        self.other = "FDA" if jurisdiction == "EMA" else "EMA"
        self.age = age
        self.grade = grade
        self.solid = bool(tree.is_solid(code))
        self.groups: dict[tuple[str, frozenset[str], str], Group] = {}
        self.alteration_notes: dict[str, list[str]] = defaultdict(list)
        self.filtered: set[str] = set()
        """Variant keys from records failing FILTER (kept by ``--include-filtered``)."""
        self.doubts: dict[str, str] = {}
        """Variant key -> what an on-label match through it must confirm
        (:attr:`tumorboard.alterations.Alteration.confirm`)."""
        self._cover_cache: dict[str, Coverage] = {}
        self._fit_cache: dict[str, tuple[str | None, list[str]]] = {}
        self._decided: dict[str, Option | None] = {}
        self.rules_hit: set[str] = set()
        """Ids of the biomarker rules this patient's alterations fired (resistance context)."""
        self.confirm: dict[str, str] = {}
        """Biomarker rule id -> what an approval resting on it must confirm because of how the
        patient's biomarker was measured (:attr:`tumorboard.models.Biomarker.confirm`)."""

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
        # the patient's type is broader than the record's (LUNG, the label NSCLC): it covers
        # the patient if the tumour is of the record's type, which the board must confirm
        below = [tt for tt in rec.tumor_types if self.tree.is_descendant(tt, code)]
        if below:
            names = " or ".join(f"{self.tree.resolve(tt).name} ({tt})" for tt in below)
            return Coverage(
                True, False, f"covers {code} only if the tumour is {names}", narrower=names
            )
        return Coverage(False, False, f"does not cover {code}")

    def _compatible(self, rec: Indication) -> bool:
        """OncoKB: solid-tumour evidence does not propagate to haematological ones, nor back."""
        if rec.tumor_agnostic == "all":
            return True
        if rec.tumor_agnostic == "solid":
            return self.solid
        kinds = {bool(self.tree.is_solid(t)) for t in rec.tumor_types}
        return self.solid in kinds

    # -- the patient against an approval's age and grade limits ------------------------------------
    def fit(self, rec: Indication) -> tuple[str | None, list[str]]:
        """``(refusal, unknown)``: why the patient's age/grade contradicts the label (or None),
        and the limits to confirm because the age/grade is not known."""
        cached = self._fit_cache.get(rec.id)
        if cached is None:
            cached = self._fit_cache[rec.id] = self._fit(rec)
        return cached

    def _fit(self, rec: Indication) -> tuple[str | None, list[str]]:
        refusals: list[str] = []
        unknown: list[str] = []
        lo, hi = rec.min_age_years, rec.max_age_years
        if lo is not None or hi is not None:
            if self.age is None:
                unknown.append(f"patient {age_words(rec)} (age not given)")
            elif (lo is not None and self.age < lo) or (hi is not None and self.age >= hi):
                refusals.append(
                    f"the label covers patients {age_words(rec)}; the patient is {self.age:g}"
                )
        if rec.grades:
            if self.grade is None:
                unknown.append(f"{grade_words(rec)} tumour (grade not given)")
            elif self.grade not in rec.grades:
                refusals.append(
                    f"the label covers {grade_words(rec)} only; the tumour is grade {self.grade}"
                )
        return ("; ".join(refusals) or None), unknown

    def requires(self, rec: Indication) -> list[str]:
        """What the board must confirm for ``rec`` to hold: the tumour type when the patient's is
        broader than the label's, its ``requires``, unknown age/grade, and the label's wording
        when the catalog has not read it (:func:`unread_wording`)."""
        narrower = self.coverage(rec).narrower
        histology = (
            [f"the tumour is {narrower} (the tumour type given, {self.code}, is broader)"]
            if narrower
            else []
        )
        measured = [self.confirm[rec.biomarker]] if rec.biomarker in self.confirm else []
        unread = [unread_wording(rec)] if not rec.label_text else []
        return histology + [r.text for r in rec.requires] + measured + self.fit(rec)[1] + unread

    def covers(self, rec: Indication) -> bool:
        """The approval's scope covers the patient's code and the age/grade do not contradict."""
        return self.coverage(rec).covered and self.fit(rec)[0] is None

    def _strongest(self, records: list[_Rec]) -> _Rec:
        return min(records, key=lambda p: (len(self.requires(p[0])), escat_index(p[0].escat)))

    # -- groups -----------------------------------------------------------------------------------
    def group(
        self, gene: str, drugs: list[str], effect: str, label: str, variants: list[str]
    ) -> Group:
        key = (gene, frozenset(drugs), effect)
        grp = self.groups.get(key)
        if grp is None:
            grp = self.groups[key] = Group(gene, list(drugs), effect)
        grp.biomarkers[label] = None
        for v in variants:
            grp.variants[v] = None
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
            self.rules_hit.add(rule.id)
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
            self.filtered.update(variants)

    # -- approvals --------------------------------------------------------------------------------
    def _approvals(self, pairs: list[_Rec], gene: str, label: str, variants: list[str]) -> None:
        key = gene + ":" + ",".join(sorted({p[0].id for p in pairs}))
        if key in self._decided:
            option = self._decided[key]
        else:
            own = [p for p in pairs if p[0].jurisdiction == self.jurisdiction]
            other = [p for p in pairs if p[0].jurisdiction != self.jurisdiction]
            option = self._decided[key] = self._approval_option(own, other)
        if option is None:
            self._note_unproposed([p[0] for p in pairs], label, variants)
            return
        grp = self.group(gene, pairs[0][0].drugs, "sensitive", label, variants)
        if key not in grp.offered:
            grp.offered.add(key)
            grp.options.append(option)
            for rec, _ in pairs:
                grp.approvals.setdefault(rec.id, rec)

    def _approval_option(self, own: list[_Rec], other: list[_Rec]) -> Option | None:
        covering = [p for p in own if self.covers(p[0])]
        if covering:
            return self._on_label(covering)
        if any(self.coverage(p[0]).excluded for p in [*own, *other]):
            return None
        refused = [p for p in own if self.coverage(p[0]).covered]
        if refused:
            rec, head = refused[0]
            text = (
                f"{head}; {approval_text(rec)} {self.coverage(rec).phrase}, but "
                f"{self.fit(rec)[0]}: off-label"
            )
            return self._option(rec, OFF_LABEL_RANK, "off-label", "III-A", "3B", "II-C", text)
        usable = [p for p in own if self._compatible(p[0])]
        if usable:
            head = usable[0][1]
            text = (
                f"{head}; {self.jurisdiction} approval(s) for {scopes([p[0] for p in usable])} "
                f"do not cover {self.code}: off-label (approved for this biomarker in another "
                "tumour type)"
            )
            return self._elsewhere(usable, OFF_LABEL_RANK, "III-A", "3B", text)
        # the agency's own approvals are all on the other side of the solid/haematological
        # divide: they do not propagate, but the other agency's approvals may still apply
        option = self._other_agency_option(other)
        if option is not None and own:
            kind = "solid tumours" if self.solid else "haematological malignancies"
            option.notes.append(
                f"{self.jurisdiction} approves it for this biomarker only in "
                f"{scopes([p[0] for p in own])}, which does not propagate to {kind}"
            )
        return option

    def _on_label(self, covering: list[_Rec]) -> Option:
        rec, head = self._strongest(covering)
        requires = self.requires(rec)
        text = f"{head}; {approval_text(rec)} {self.coverage(rec).phrase}"
        if requires:
            text += "; on-label if the board confirms: " + "; ".join(requires)
        rank = ON_LABEL_RANK + escat_index(rec.escat)
        option = self._option(rec, rank, "on-label", rec.escat, "1", "I-A", text)
        option.requires = requires
        if requires:
            for alt, _ in covering:
                if alt is not rec and self.requires(alt) != requires:
                    option.notes.append(
                        f"also {label_text('on-label', self.requires(alt))} through {alt.id}"
                    )
        return option

    def _other_agency_option(self, other: list[_Rec]) -> Option | None:
        covering = [p for p in other if self.covers(p[0])]
        if covering:
            rec, head = self._strongest(covering)
            text = (
                f"{head}; no {self.jurisdiction} approval in the catalog for this biomarker "
                "and drug(s); "
                f"{approval_text(rec)} {self.coverage(rec).phrase} ({self.other} only): "
                f"off-label under {self.jurisdiction}"
            )
            rank = OTHER_AGENCY_RANK + escat_index(rec.escat)
            return self._option(rec, rank, "off-label", rec.escat, None, "II-C", text)
        usable = [p for p in other if self._compatible(p[0])]
        if not usable:
            return None
        head = usable[0][1]
        text = (
            f"{head}; no {self.jurisdiction} approval in the catalog for this biomarker "
            "and drug(s); "
            f"{self.other} approves it for {scopes([p[0] for p in usable])} only: off-label"
        )
        return self._elsewhere(usable, OFF_LABEL_RANK + 5, "III-A", "3B", text)

    def _option(
        self,
        rec: Indication,
        rank: int,
        label: str,
        escat: str,
        oncokb: str | None,
        amp: str | None,
        text: str,
    ) -> Option:
        return Option(
            rank=rank,
            label=label,
            evidence=Evidence(scale="ESCAT", level=escat, oncokb=oncokb, amp=amp, rank=rank),
            rule=text,
            record_id=rec.id,
            tumor_types=tumor_types_of(rec),
            conditions="; ".join(x for x in (rec.line_of_therapy, rec.conditions) if x),
            sources=[to_source(s) for s in rec.sources],
            review=rec.review,
            record=rec,
        )

    def _elsewhere(
        self, usable: list[_Rec], rank: int, escat: str, oncokb: str, text: str
    ) -> Option:
        """Off-label: approvals for this biomarker in other tumour types only.

        None of them covers the patient, so no one record's label conditions, line of therapy
        or catalog note apply (dabrafenib + trametinib in cholangiocarcinoma must not read
        "RAI-refractory" from the thyroid approval); the option names every approval's tumour
        types and cites each approval's own agency document.
        """
        option = self._option(usable[0][0], rank, "off-label", escat, oncokb, "II-C", text)
        recs = [p[0] for p in usable]
        option.tumor_types = list(dict.fromkeys(t for r in recs for t in tumor_types_of(r)))
        option.conditions, option.review = "", ""
        # each approval's own agency document (its first source of that agency), once each
        firsts = [
            next((s for s in r.sources if s.kind == r.jurisdiction), r.sources[0]) for r in recs
        ]
        sources = [to_source(s) for s in firsts]
        option.sources = list({(s.document, s.url): s for s in sources}.values())
        return option

    def _note_unproposed(self, records: list[Indication], label: str, variants: list[str]) -> None:
        drugs = " + ".join(records[0].drugs)
        excluded = [r for r in records if self.coverage(r).excluded]
        if excluded:
            rec = excluded[0]
            text = (
                f"{label}: {drugs} not proposed: {approval_text(rec)} {self.coverage(rec).phrase}"
            )
        else:
            kind = "solid tumours" if self.solid else "haematological malignancies"
            text = (
                f"{label}: {drugs} is approved for this biomarker only in "
                f"{scopes(records)}, which does not propagate to {kind}"
            )
        self.note(variants or [label], text)

    def note(self, keys: Iterable[str], text: str) -> None:
        """A note on each alteration (why an option is not proposed)."""
        for key in keys:
            if text not in self.alteration_notes[key]:
                self.alteration_notes[key].append(text)

    # -- what the catalog holds, per agency -------------------------------------------------------
    def agency_status(self, records: Iterable[Indication]) -> list[str]:
        """One line per agency (the run's first): only what the catalog holds for the drug(s)."""
        recs = list(records)
        return [
            self._agency_line(agency, [r for r in recs if r.jurisdiction == agency])
            for agency in (self.jurisdiction, self.other)
        ]

    def _agency_line(self, agency: str, recs: list[Indication]) -> str:
        if not recs:
            return f"{agency}: no approval in the catalog for this biomarker and drug(s)"
        covering = [(r, "") for r in recs if self.covers(r)]
        if covering:
            rec, _ = self._strongest(covering)
            status = label_text("on-label", self.requires(rec))
            phrase = self.coverage(rec).phrase
            return f"{agency}: {status} (approved for {scope_text(rec)}: {phrase})"
        why = []
        for rec in recs:
            cov = self.coverage(rec)
            refusal = self.fit(rec)[0]
            why.append(f"{cov.phrase}, but {refusal}" if cov.covered and refusal else cov.phrase)
        status = "not proposed" if any(self.coverage(r).excluded for r in recs) else "off-label"
        return f"{agency}: {status} (approved for {scopes(recs)}: {'; '.join(dict.fromkeys(why))})"

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
        grp = self.group(gene, ev.drugs, "sensitive", label, variants)
        grp.offer(ev.id, lambda: self._evidence_option(ev, head))

    def _evidence_option(self, ev: EvidenceRecord, head: str) -> Option:
        rank = INVESTIGATIONAL_RANK + escat_index(ev.escat)
        text = (
            f"{head}; {ev.kind.replace('_', ' ')} evidence for {scope_text(ev)} "
            f"{self.coverage(ev).phrase} (ESCAT {ev.escat}): {ev.summary.strip()}"
        )
        amp = "II-D" if escat_index(ev.escat) > 4 else "II-C"
        return Option(
            rank=rank,
            label="investigational",
            evidence=Evidence(scale="ESCAT", level=ev.escat, oncokb=ev.oncokb, amp=amp, rank=rank),
            rule=text,
            record_id=ev.id,
            tumor_types=tumor_types_of(ev),
            conditions="",
            sources=[to_source(s) for s in ev.sources],
            record=ev,
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
        """A resistance flag for ``drug``; its label is settled by :mod:`.resistance`."""
        grp = self.group(gene, [drug], "resistant", label, variants)
        grp.offer(rec.id, lambda: self._resistance_option(rec, drug, head))

    def _resistance_option(self, rec: Resistance | EvidenceRecord, drug: str, head: str) -> Option:
        oncokb = rec.oncokb if rec.oncokb in ("R1", "R2") else "R2"
        rank = escat_index(rec.escat) + (0 if oncokb == "R1" else 30)
        text = (
            f"{head}; predicts resistance to {drug} in {scope_text(rec)} "
            f"({self.coverage(rec).phrase}): {rec.summary.strip()}"
        )
        return Option(
            rank=rank,
            label="off-label",
            evidence=Evidence(scale="ESCAT", level=rec.escat, oncokb=oncokb, amp=None, rank=rank),
            rule=text,
            record_id=rec.id,
            tumor_types=tumor_types_of(rec),
            conditions="",
            sources=[to_source(s) for s in rec.sources],
            record=rec,
        )

    # -- results ----------------------------------------------------------------------------------
    def matches(self) -> list[Match]:
        """Every group's decision with resistance settled, in ranking order."""
        from tumorboard.catalog.resistance import settle
        from tumorboard.ranking import rank_matches

        return rank_matches(settle(self))

    def build(self, grp: Group, option: Option, **fields: Any) -> Match:
        """The reported match of a group (``fields`` override the option's decision)."""
        sources = list(option.sources)
        if option.label != "investigational":
            for opt in grp.options:
                if opt.label == "investigational":
                    sources.extend(s for s in opt.sources if s not in sources)
        notes = list(grp.notes)
        notes.extend(n for n in option.notes if n not in notes)
        if self.filtered and not self.filtered.isdisjoint(grp.variants):
            notes.append("from a record failing FILTER (kept by --include-filtered)")
        label = fields.pop("label", option.label)
        requires = option.requires if label == "on-label" else []
        doubts = [self.doubts[v] for v in grp.variants if v in self.doubts]
        if label == "on-label" and doubts and len(doubts) == len(grp.variants):
            # every alteration behind the match is in doubt (one sound alteration would do)
            requires = [*requires, *(d for d in dict.fromkeys(doubts) if d not in requires)]
        values: dict[str, Any] = {
            "gene": grp.gene,
            "biomarker": grp.biomarker_text(),
            "drugs": list(grp.drugs),
            "label": label,
            "effect": grp.effect,
            "jurisdiction": self.jurisdiction,
            "evidence": option.evidence,
            "rule": option.rule,
            "sources": sources,
            "variants": list(grp.variants),
            "indication_id": option.record_id,
            "approved_tumor_types": option.tumor_types,
            "conditions": option.conditions,
            "review": option.review,
            "notes": notes,
            "requires": requires,
            "agency_status": self.agency_status(grp.approvals.values()),
        }
        values.update(fields)
        return Match(**values)


__all__ = ["Coverage", "LabelContext", "escat_index", "scope_text"]
