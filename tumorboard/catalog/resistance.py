"""Resistance as one model: how a resistance marker changes a patient's options and labels.

A resistance record (or ``effect: resistant`` evidence) whose scope covers the patient yields
one **resistance flag** per drug: a match with ``effect: resistant`` whose label is never
``on-label``:

* ``off-label`` when a label condition of the run's agency excludes the marker (the record's
  ``label_requirement``, e.g. "EMA label requires RAS wild-type (Vectibix SmPC 4.1)", or an
  approval of the drug whose biomarker is a ``wild_type`` rule naming the marker's gene); the
  rule text names the condition;
* ``uncertain`` when an approval of the agency covers the patient through another finding (the
  drug is on-label for this patient, e.g. gefitinib through EGFR L858R while T790M is present):
  the board must weigh the approval against the marker;
* ``off-label`` otherwise: no approval of the drug (alone, for ``monotherapy_only`` records)
  covers the patient in the catalog.

Sensitive options containing a resisted drug (for ``monotherapy_only`` records: only the drug
given alone; otherwise every combination whose activity rests on it):

* a label condition the marker violates refuses an on-label claim (the option becomes off-label
  and says why);
* an **R1** marker removes an off-label or investigational proposal (a note on the alteration
  says so) and keeps an on-label one with ``resistance_level: R1`` and a visible note; the
  ranking puts such an option after every unaffected option;
* an **R2** marker keeps the option with ``resistance_level: R2`` and a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tumorboard.catalog.options import OFF_LABEL_RANK, Group
from tumorboard.catalog.schema import Resistance, WildTypeRule
from tumorboard.models import Evidence, Match

if TYPE_CHECKING:
    from tumorboard.catalog.labels import LabelContext


@dataclass(slots=True)
class Against:
    """One drug's resistance flag, as the sensitive options containing that drug see it."""

    drug: str
    level: str
    mono: bool
    biomarkers: str
    requirements: dict[str, list[str]] = field(default_factory=dict)
    """Agency -> label conditions the marker violates, in words."""


def _requirements(ctx: LabelContext, grp: Group, mono: bool) -> dict[str, list[str]]:
    drug = grp.drugs[0]
    out: dict[str, list[str]] = {}
    for option in grp.options:
        rec = option.record
        if isinstance(rec, Resistance):
            for req in rec.label_requirement:
                if not req.drugs or drug in req.drugs:
                    text = (
                        req.text
                        if req.text.startswith(req.jurisdiction)
                        else (f"{req.jurisdiction}: {req.text}")
                    )
                    out.setdefault(req.jurisdiction, []).append(text)
    for ind in ctx.catalog.indications_by_drug.get(drug, []):
        rule = ctx.catalog.biomarkers.get(ind.biomarker)
        if (
            isinstance(rule, WildTypeRule)
            and grp.gene in rule.genes
            and (not mono or ind.drugs == [drug])
            and ctx.coverage(ind).covered
        ):
            out.setdefault(ind.jurisdiction, []).append(
                f"{ind.jurisdiction} label requires {rule.name} ({ind.id}: "
                f"{ind.sources[0].document})"
            )
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}


def _against(ctx: LabelContext) -> dict[int, Against]:
    """``id(group)`` of each resistance group -> its flag."""
    out: dict[int, Against] = {}
    for grp in ctx.groups.values():
        if grp.effect != "resistant" or not grp.options:
            continue
        levels = {o.evidence.oncokb for o in grp.options}
        mono = all(getattr(o.record, "monotherapy_only", False) for o in grp.options)
        out[id(grp)] = Against(
            drug=grp.drugs[0],
            level="R1" if "R1" in levels else "R2",
            mono=mono,
            biomarkers=grp.biomarker_text(),
            requirements=_requirements(ctx, grp, mono),
        )
    return out


def _by_drug(flags: dict[int, Against]) -> dict[str, list[Against]]:
    out: dict[str, list[Against]] = {}
    for flag in flags.values():
        out.setdefault(flag.drug, []).append(flag)
    return out


def _applicable(grp: Group, against: dict[str, list[Against]]) -> list[Against]:
    return [a for d in grp.drugs for a in against.get(d, []) if len(grp.drugs) == 1 or not a.mono]


def _sensitive(ctx: LabelContext, grp: Group, against: dict[str, list[Against]]) -> Match | None:
    best = grp.best()
    flags = _applicable(grp, against)
    if not flags:
        return ctx.build(grp, best)
    fields: dict[str, object] = {}
    label = best.label
    violated = [t for a in flags for t in a.requirements.get(ctx.jurisdiction, [])]
    if label == "on-label" and violated:
        label = "off-label"
        fields["rule"] = f"{best.rule}; not on-label: {'; '.join(dict.fromkeys(violated))}"
        fields["evidence"] = Evidence(
            scale="ESCAT", level="III-A", oncokb="3B", amp="II-C", rank=OFF_LABEL_RANK
        )
    level = "R1" if any(a.level == "R1" for a in flags) else "R2"
    markers = "; ".join(dict.fromkeys(f"{a.biomarkers} against {a.drug}" for a in flags))
    if level == "R1" and label != "on-label":
        ctx.note(
            grp.variants,
            f"{grp.biomarker_text()}: {' + '.join(grp.drugs)} not proposed {label}: a level R1 "
            f"resistance marker applies ({markers}; see the resistant match)",
        )
        return None
    notes = [
        f"resistance: {a.biomarkers} predicts resistance to {a.drug} (OncoKB {a.level}); "
        "see the resistant match"
        for a in flags
    ]
    match = ctx.build(grp, best, label=label, resistance_level=level, **fields)
    return match.model_copy(update={"notes": [*match.notes, *dict.fromkeys(notes)]})


def _through(ctx: LabelContext, flag: Against, sensitive: list[Match]) -> dict[str, str]:
    """Agency -> the findings through which an approval of the flag's drug covers the patient.

    The run's agency: the on-label sensitive matches (after resistance was settled); the other
    agency: its approval records that this patient's alterations reached and that cover them.
    """
    drug, out = flag.drug, {}

    def fits(drugs: list[str]) -> bool:
        return drug in drugs and (not flag.mono or list(drugs) == [drug])

    own = [m for m in sensitive if m.label == "on-label" and fits(m.drugs)]
    if own:
        out[ctx.jurisdiction] = "; ".join(
            dict.fromkeys(f"{m.biomarker} ({' + '.join(m.drugs)})" for m in own)
        )
    other = [
        f"{grp.biomarker_text()} ({' + '.join(grp.drugs)})"
        for grp in ctx.groups.values()
        if grp.effect == "sensitive"
        and fits(grp.drugs)
        and any(r.jurisdiction == ctx.other and ctx.covers(r) for r in grp.approvals.values())
    ]
    if other:
        out[ctx.other] = "; ".join(dict.fromkeys(other))
    return out


def _status(agency: str, flag: Against, through: dict[str, str]) -> str:
    if flag.requirements.get(agency):
        return "; ".join(flag.requirements[agency])
    if agency in through:
        return f"{agency}: on-label through {through[agency]}, against this resistance marker"
    alone = " alone" if flag.mono else ""
    return f"{agency}: no approval of {flag.drug}{alone} in the catalog covers this patient"


def _resistant(ctx: LabelContext, grp: Group, flag: Against, sensitive: list[Match]) -> Match:
    own = flag.requirements.get(ctx.jurisdiction, [])
    through = _through(ctx, flag, sensitive)
    if own:
        label, decision = "off-label", "; ".join(own) + ": off-label"
    elif ctx.jurisdiction in through:
        label = "uncertain"
        decision = (
            f"an {ctx.jurisdiction} approval covers this patient through "
            f"{through[ctx.jurisdiction]}: uncertain, the board must weigh the approval "
            "against this resistance marker"
        )
    else:
        label = "off-label"
        alone = " alone" if flag.mono else ""
        decision = (
            f"no {ctx.jurisdiction} approval of {flag.drug}{alone} in the catalog covers this "
            "patient: off-label"
        )
    best = grp.best()
    match = ctx.build(
        grp,
        best,
        label=label,
        rule=f"{best.rule}; {decision}",
        agency_status=[_status(a, flag, through) for a in (ctx.jurisdiction, ctx.other)],
    )
    outside = _outside_context(ctx, grp)
    if outside:
        match = match.model_copy(update={"notes": [*match.notes, *outside]})
    return match


def _outside_context(ctx: LabelContext, grp: Group) -> list[str]:
    """Notes for a flag whose every record applies in a setting the case does not show.

    MET amplification predicts resistance to EGFR TKIs in EGFR-mutant NSCLC; in a case with no
    EGFR-activating mutation the flag stays (the mutation may lie outside the inputs given) and
    says that its setting is not established.
    """
    recs = [o.record for o in grp.options]
    if not all(isinstance(r, Resistance) and r.context for r in recs):
        return []
    out: list[str] = []
    for rec in recs:
        assert isinstance(rec, Resistance)
        if not ctx.rules_hit.isdisjoint(rec.context):
            return []
        out.append(
            f"applies in {rec.context_text.strip()}: this case shows none of "
            f"{', '.join(rec.context)} (not found, or not covered by the inputs given); "
            "confirm that setting before acting on this flag"
        )
    return list(dict.fromkeys(out))


def settle(ctx: LabelContext) -> list[Match]:
    """Every group's match, with resistance applied (see the module docstring)."""
    flags = _against(ctx)
    by_drug = _by_drug(flags)
    sensitive: list[Match] = []
    for grp in ctx.groups.values():
        if grp.effect == "sensitive" and grp.options:
            match = _sensitive(ctx, grp, by_drug)
            if match is not None:
                sensitive.append(match)
    out = _cross_reference(sensitive)
    for grp in ctx.groups.values():
        if id(grp) in flags:
            out.append(_resistant(ctx, grp, flags[id(grp)], sensitive))
    return out


def _cross_reference(sensitive: list[Match]) -> list[Match]:
    """A drug that is off-label (or investigational) through one finding and on-label through
    another says so: TMB-high pembrolizumab "off-label under EMA" beside MSI-high pembrolizumab
    on-label in colorectal cancer must not read as the patient's only route to the drug."""
    on_label: dict[frozenset[str], list[Match]] = {}
    for m in sensitive:
        if m.label == "on-label":
            on_label.setdefault(frozenset(m.drugs), []).append(m)
    out: list[Match] = []
    for m in sensitive:
        routes = [x for x in on_label.get(frozenset(m.drugs), []) if x is not m]
        if m.label != "on-label" and routes:
            drugs = " + ".join(m.drugs)
            notes = [
                f"through {x.biomarker}, {drugs} is {x.label_text} for this patient "
                "(see that match)"
                for x in routes
            ]
            m = m.model_copy(update={"notes": [*m.notes, *dict.fromkeys(notes)]})
        out.append(m)
    return out


__all__ = ["Against", "settle"]
