"""Match a patient's alterations and biomarkers against the catalog, with label status.

``match_case(alterations, biomarkers, tumor_type, jurisdiction, catalog, oncotree)`` returns a
:class:`MatchOutcome`: the matches (in :mod:`tumorboard.ranking` order), notes per alteration
explaining why an alteration in a catalog gene is not actionable, and what could not be assessed.
Matching is linear in the number of alterations (300,000 variants of one gene included).

Label logic, per biomarker rule that fired and per drug or combination:

1. **on-label** when an approval of the chosen jurisdiction for that biomarker and drug(s) covers
   the patient's OncoTree code: the code is one of the approval's codes or a descendant of one,
   and is not excluded (exclusions cover their descendants). Tumour-agnostic ``solid`` approvals
   cover every solid tumour. Evidence: the record's ESCAT level (I-A/I-B/I-C), OncoKB 1, AMP I-A.
   **On-label if**: when the label names conditions the data cannot show (``requires``: germline
   origin, IHC, prior therapy, line) or an age/grade limit while the patient's age/grade is not
   known, the label stays ``on-label`` and ``Match.requires`` / ``Match.label_text`` ("on-label
   if ...") say what the board must confirm. A known age or grade outside the label's limits
   refuses the approval (off-label, the reason in the rule text).
2. **off-label** when the chosen jurisdiction approves the pair only in other tumour types
   (ESCAT III-A, OncoKB 3B, AMP II-C). As in OncoKB, approvals in haematological malignancies do
   not propagate to solid tumours and vice versa. A pair whose approval explicitly *excludes* the
   patient's tumour type (the FDA BRAF V600E solid-tumour label excludes colorectal cancer) is not
   propagated at all: the exclusion is a statement that it does not apply, and a note says so.
3. **off-label, other agency**: approved only by the other agency. The rule says so explicitly;
   when that approval covers the patient's tumour type the match keeps the record's ESCAT level
   (OncoKB none, AMP II-C), otherwise III-A/3B/II-C.
4. **investigational**: evidence records (trial, guideline, case series; including DRUP-style
   weaker matches such as same-pathway or specific-vulnerability evidence, which the record's
   ESCAT level III-B/IV states) whose scope covers the patient, for drugs no approval reached.
   Evidence covering the patient is also cited as a source on approval-based matches.
5. **resistant**: resistance records (and ``effect: resistant`` evidence) whose scope covers the
   patient give one match per drug, effect ``resistant``, never ``on-label`` (see
   :mod:`tumorboard.catalog.resistance`: off-label when a label condition excludes the marker or
   no approval covers the patient, uncertain when an approval covers the patient through another
   finding). An R1 marker removes off-label/investigational proposals of the drug it resists.

``any_of`` rules ("activating EGFR mutations") fire when one of their member rules fires; the
rule text names the member. ``Match.agency_status`` states, per agency, only what the catalog
holds. Matches come in :func:`tumorboard.ranking.rank_matches` order.

Filtered records (FILTER not PASS) never match unless ``options.include_filtered``; then the
match says so. Unannotated input (hotspot coordinates only) cannot be assessed against region,
mutation and loss-of-function rules: ``not_assessable`` says which.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tumorboard.alterations import FUSION, Alteration
from tumorboard.catalog.index import Catalog
from tumorboard.catalog.labels import Coverage, LabelContext
from tumorboard.catalog.rules import NEEDS_ANNOTATION, Thresholds, is_silent, rule_hit
from tumorboard.catalog.schema import AnyOfRule, BiomarkerRule, LossOfFunctionRule
from tumorboard.models import Biomarker, Match, RunOptions

if TYPE_CHECKING:
    from tumorboard.oncotree import TreeLike


@dataclass(slots=True)
class Hit:
    """One biomarker rule satisfied by one or more alterations (or a genome-wide biomarker)."""

    rule: BiomarkerRule
    gene: str
    label: str
    why: str
    variants: list[str] = field(default_factory=list)
    filtered: bool = False


@dataclass(slots=True)
class MatchOutcome:
    """What matching found for one patient."""

    matches: list[Match] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    """Alteration key -> notes (why not actionable, filtered, ...)."""
    not_assessable: list[str] = field(default_factory=list)
    actionable: set[str] = field(default_factory=set)
    """Keys of alterations that produced at least one match."""
    catalog: Catalog | None = None
    """The catalog matched against (for :meth:`notes_for`)."""

    def note(self, key: str, text: str) -> None:
        bucket = self.notes.setdefault(key, [])
        if text not in bucket:
            bucket.append(text)

    def notes_for(self, a: Alteration) -> list[str]:
        """Matching's notes on one alteration, including "no catalog rule for GENE".

        That note is written here, when it is read, instead of being stored for every variant
        of a gene the catalog does not cover (most of a panel's variants).
        """
        notes = self.notes.get(a.key)
        if notes is not None:
            return notes
        if self.catalog is not None and not _has_rules(a, self.catalog):
            return [_no_rule_note(a)]
        return []

    def note_text(self, a: Alteration) -> str:
        """The reported variant's ``note``: its own notes, then matching's, each once, joined
        with ``; `` (the common cases without building lists)."""
        own = a.notes
        notes = self.notes.get(a.key)
        if notes is None:
            if self.catalog is not None and not _has_rules(a, self.catalog):
                if not own:
                    return _no_rule_note(a)
                notes = [_no_rule_note(a)]
            elif not own:
                return ""
            else:
                notes = []
        if not own and len(notes) == 1:
            return notes[0]
        return "; ".join(dict.fromkeys([*own, *notes]))


def _no_rule_note(a: Alteration) -> str:
    if not a.gene:
        return f"{a.label}: in no gene of the panel's gene table (no gene to match rules on)"
    return f"{a.label}: no catalog rule for {a.gene}"


def _has_rules(a: Alteration, catalog: Catalog) -> bool:
    """Whether :func:`_rules_for` finds any rule (without building the list)."""
    by_gene = catalog.by_gene
    if by_gene.get(a.gene):
        return True
    return a.kind == FUSION and bool(a.gene3) and bool(by_gene.get(a.gene3))


def _thresholds(options: RunOptions | None) -> Thresholds:
    if options is None:
        return Thresholds()
    return Thresholds(
        options.amp_copy_number, options.amp_fold_change, options.deep_deletion_copy_number
    )


def _rules_for(a: Alteration, catalog: Catalog) -> list[BiomarkerRule]:
    rules = list(catalog.rules_for_gene(a.gene))
    if a.kind == FUSION and a.gene3:
        rules.extend(r for r in catalog.rules_for_gene(a.gene3) if r not in rules)
    return rules


def _why_not(a: Alteration, names: str) -> str:
    """Why no rule of the gene applies (``names``: the gene's rule names, sorted, joined; for
    a fusion, the rules of both partners)."""
    genes = f"{a.gene} and {a.gene3}" if a.kind == FUSION and a.gene3 else a.gene
    if is_silent(a):
        return (
            f"{a.label}: synonymous change; no rule applies (codon rules need a "
            f"protein-altering change; rules for {genes}: {names})"
        )
    return f"{a.label}: no biomarker rule applies (rules for {genes}: {names})"


def _alteration_hits(
    alterations: Sequence[Alteration],
    catalog: Catalog,
    t: Thresholds,
    include_filtered: bool,
    out: MatchOutcome,
) -> list[Hit]:
    hits: list[Hit] = []
    unannotated: set[str] = set()
    why_not: dict[tuple[str, ...], str] = {}  # rule names per rule set, joined once
    for a in alterations:
        if not _has_rules(a, catalog):
            continue  # the usual case: no rule for the gene (noted lazily: notes_for)
        rules = _rules_for(a, catalog)
        if not a.is_passing:
            if not include_filtered:
                out.note(a.key, f"{a.label}: FILTER {a.filter}; filtered records are not matched")
                continue
            out.note(a.key, f"{a.label}: FILTER {a.filter}; matched because --include-filtered")
        found = False
        for rule in rules:
            why = rule_hit(rule, a, t)
            if why is None:
                if not a.annotated and isinstance(rule, NEEDS_ANNOTATION):
                    unannotated.add(a.gene)
                continue
            found = True
            gene = a.gene if a.gene in _genes(rule) else a.gene3
            hits.append(Hit(rule, gene, a.label, why, [a.key], filtered=not a.is_passing))
        if not found:
            ids = tuple(r.id for r in rules)
            names = why_not.get(ids)
            if names is None:
                names = why_not[ids] = ", ".join(sorted({r.name for r in rules}))
            out.note(a.key, _why_not(a, names))
    if unannotated:
        out.not_assessable.append(
            "region, mutation and loss-of-function rules (exon 19/20 indels, MET exon 14, "
            "truncating variants) need VEP/SnpEff consequence annotation; unannotated input for "
            + ", ".join(sorted(unannotated))
        )
    return _with_any_of(_biallelic(hits, alterations, out), catalog)


def _parents(rule: BiomarkerRule, why: str, catalog: Catalog) -> list[tuple[AnyOfRule, str]]:
    """The ``any_of`` rules a fired rule makes fire (transitively), each with its reason."""
    out: list[tuple[AnyOfRule, str]] = []
    seen: set[str] = set()
    stack: list[tuple[BiomarkerRule, str]] = [(rule, why)]
    while stack:
        child, text = stack.pop()
        for parent in catalog.any_of_parents.get(child.id, ()):
            if parent.id in seen:
                continue
            seen.add(parent.id)
            reason = f"member {child.id} ({child.name}: {text})"
            out.append((parent, reason))
            stack.append((parent, reason))
    return out


def _with_any_of(hits: list[Hit], catalog: Catalog) -> list[Hit]:
    if not catalog.any_of_parents:
        return hits
    out = list(hits)
    for hit in hits:
        for parent, why in _parents(hit.rule, hit.why, catalog):
            out.append(Hit(parent, hit.gene, hit.label, why, hit.variants, hit.filtered))
    return out


def _genes(rule: BiomarkerRule) -> tuple[str, ...]:
    genes = getattr(rule, "all_genes", ())
    return tuple(genes)


def _biallelic(hits: list[Hit], alterations: Sequence[Alteration], out: MatchOutcome) -> list[Hit]:
    """Bi-allelic rules need two hits in the gene, an LOH/homozygous call or a deep deletion."""
    kept: list[Hit] = []
    groups: dict[tuple[str, str], list[Hit]] = defaultdict(list)
    for hit in hits:
        if isinstance(hit.rule, LossOfFunctionRule) and hit.rule.biallelic:
            groups[(hit.rule.id, hit.gene)].append(hit)
        else:
            kept.append(hit)
    if not groups:
        return kept
    wanted = {h.variants[0] for group in groups.values() for h in group}
    by_key: dict[str, Alteration] = {}
    for a in alterations:
        key = a.key
        if key in wanted:
            by_key[key] = a
    for (_, gene), group in groups.items():
        alts = [by_key[h.variants[0]] for h in group]
        second = [a for a in alts if a.zygosity.lower() in ("loh", "homozygous")]
        deep = [h for h in group if h.why == "deep deletion"]
        if len(group) >= 2 or second or deep:
            why = (
                "two hits"
                if len(group) >= 2
                else ("loss of heterozygosity" if second else "deep deletion")
            )
            kept.append(
                Hit(
                    group[0].rule,
                    gene,
                    " + ".join(h.label for h in group),
                    f"bi-allelic loss of function ({why})",
                    [h.variants[0] for h in group],
                    any(h.filtered for h in group),
                )
            )
        else:
            out.note(
                group[0].variants[0],
                f"{group[0].label}: one {gene} hit without a second hit, LOH or deep deletion: "
                f"bi-allelic rule {group[0].rule.id} not met",
            )
    return kept


_RULE_TYPES = {"MSI": "msi_high", "TMB": "tmb_high", "HRD": "hrd"}
"""Genome-wide biomarker -> the catalog rule type it fires."""


def _genome_wide_hits(biomarkers: Sequence[Biomarker], catalog: Catalog) -> list[Hit]:
    hits: list[Hit] = []
    for b in biomarkers:
        if b.name == "MSI" and b.status.lower() in ("high", "msi-h", "unstable", "positive"):
            value = f" ({b.value:g}{b.unit and ' ' + b.unit})" if b.value is not None else ""
            for rule in catalog.genome_wide.get("msi_high", []):
                hits.append(Hit(rule, "MSI", "MSI-high", f"MSI-high{value}"))
        elif b.name == "TMB" and b.status != "unknown":  # unknown: a value not to be trusted
            for rule in catalog.genome_wide.get("tmb_high", []):
                why = _tmb_hit(b, float(getattr(rule, "threshold", 10.0)))
                if why:
                    hits.append(Hit(rule, "TMB", "TMB-high", why))
        elif b.name == "HRD" and b.status.lower() in ("positive", "high", "hrd"):
            for rule in catalog.genome_wide.get("hrd", []):
                hits.append(Hit(rule, "HRD", "HRD-positive", "HRD-positive"))
    return hits


def _tmb_hit(b: Biomarker, threshold: float) -> str | None:
    if b.value is not None:
        if b.value >= threshold:
            return f"TMB {b.value:g} >= {threshold:g} mut/Mb"
        return None
    if b.status.lower() == "high":
        return f"TMB-high as reported (no value; rule threshold {threshold:g} mut/Mb)"
    return None


def match_case(
    alterations: Sequence[Alteration],
    biomarkers: Sequence[Biomarker],
    tumor_type: str,
    jurisdiction: str,
    catalog: Catalog,
    oncotree: TreeLike,
    options: RunOptions | None = None,
) -> MatchOutcome:
    """Match one patient's alterations and biomarkers; see the module docstring for the rules."""
    if jurisdiction not in ("EMA", "FDA"):
        from tumorboard.errors import TumorBoardError

        raise TumorBoardError(f"unknown jurisdiction {jurisdiction!r}", hint="use EMA or FDA")
    out = MatchOutcome(catalog=catalog)
    t = _thresholds(options)
    include_filtered = bool(options and options.include_filtered)
    hits = _alteration_hits(alterations, catalog, t, include_filtered, out)
    hits.extend(_genome_wide_hits(biomarkers, catalog))
    ctx = LabelContext(
        catalog,
        oncotree,
        oncotree.resolve(tumor_type).code,
        jurisdiction,
        age=options.patient_age if options else None,
        grade=options.tumor_grade if options else None,
    )
    for b in biomarkers:
        if b.confirm:
            for rule in catalog.genome_wide.get(_RULE_TYPES[b.name], []):
                ctx.confirm[rule.id] = b.confirm
    ctx.doubts = {a.key: a.confirm for a in alterations if a.confirm}
    grouped: dict[tuple[str, str, tuple[str, ...]], list[Hit]] = {}
    for hit in hits:
        grouped.setdefault((hit.gene, hit.label, tuple(hit.variants)), []).append(hit)
    for (gene, label, variants), group in grouped.items():
        fired = [(h.rule, h.why) for h in group]
        ctx.add_hits(fired, gene, label, list(variants), any(h.filtered for h in group))
    out.matches = ctx.matches()
    for key, notes in ctx.alteration_notes.items():
        for text in notes:
            out.note(key, text)
    out.actionable = {v for m in out.matches for v in m.variants}
    return out


__all__ = ["Coverage", "Hit", "MatchOutcome", "match_case"]
