"""One ranking of a patient's options: the order every output shows and the top option it names.

:func:`rank_matches` orders matches; :func:`top_option` is the first sensitive one. The report
(summary "strongest option", the per-alteration tables), the agenda, batch ``summary.tsv``,
``tumorboard demo``'s printed summary, the JSON (``matches`` order and ``top_option``) and
``tumorboard cohort assign`` all use these two functions, so they never disagree.

The order, most important first:

1. **sensitive options before resistance flags**;
2. **options an R1 resistance marker speaks against after unaffected ones** (an on-label option
   whose drug the patient's tumour resists is still listed, with a visible note, but never
   outranks an unaffected option); an R2 marker (investigational evidence) adds its note but
   does not reorder: it must not lift, say, a MEK inhibitor alone above the approved BRAF + MEK
   combination because of an acquired BRAF amplification;
3. **label tier**: ``on-label`` (nothing to confirm) before ``on-label if`` (the board must
   confirm ``requires``: germline origin, IHC, prior therapy, unknown age or grade) before
   ``off-label`` before ``investigational`` before ``uncertain``;
4. **evidence** within a tier (``Evidence.rank``: ESCAT level, and for off-label options whether
   the other agency's approval covers the tumour type);
5. **an approved combination before its single agents** for the same biomarker: a single agent
   whose drugs are all part of an on-label combination of the same tier and gene never ranks
   before that combination (the label approves the combination; dabrafenib + trametinib before
   dabrafenib alone);
6. then gene, biomarker and drug names, so the order is total and reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from tumorboard.labelstatus import TIERS, Label

if TYPE_CHECKING:
    from tumorboard.models import CaseResult, Match


def tier(m: Match) -> str:
    """``on-label``, ``on-label-if``, ``off-label``, ``investigational`` or ``uncertain``."""
    if m.label == Label.ON_LABEL and m.requires:
        return "on-label-if"
    return str(m.label)


def _base(m: Match) -> tuple[int, int, int]:
    return (
        0 if m.effect == "sensitive" else 1,
        1 if m.resistance_level == "R1" else 0,
        TIERS.get(tier(m), len(TIERS)),
    )


def _combination_floor(matches: Sequence[Match]) -> dict[int, int]:
    """Index of a single agent -> worst evidence rank of the approved combinations holding it.

    Only for on-label combinations of the same gene, effect and label tier.
    """
    floors: dict[int, int] = {}
    combos = [
        c for c in matches if len(c.drugs) > 1 and c.effect == "sensitive" and c.label == "on-label"
    ]
    for i, m in enumerate(matches):
        for c in combos:
            if (
                c is not m
                and c.gene == m.gene
                and set(m.drugs) < set(c.drugs)
                and _base(c) == _base(m)
            ):
                floors[i] = max(floors.get(i, c.evidence.rank), c.evidence.rank)
    return floors


def rank_key(
    m: Match, floor: int | None = None
) -> tuple[int, int, int, int, int, str, str, int, str]:
    """The sort key of one match (``floor``: rank of an approved combination containing it)."""
    rank = m.evidence.rank
    behind = 0
    if floor is not None:
        rank, behind = max(rank, floor), 1
    return (*_base(m), rank, behind, m.gene, m.biomarker, len(m.drugs) * -1, "+".join(m.drugs))


def rank_matches(matches: Iterable[Match]) -> list[Match]:
    """The matches in ranking order (see the module docstring). Stable for equal keys."""
    items = list(matches)
    floors = _combination_floor(items)
    order = sorted(range(len(items)), key=lambda i: rank_key(items[i], floors.get(i)))
    return [items[i] for i in order]


def top_of(ranked: Sequence[Match]) -> Match | None:
    """The first sensitive option of already ranked matches, or ``None``."""
    return next((m for m in ranked if m.effect == "sensitive"), None)


def top_option(case: CaseResult | Sequence[Match]) -> Match | None:
    """The strongest sensitive option of a case (or of a list of matches), or ``None``."""
    matches = case if isinstance(case, Sequence) else case.matches
    return top_of(rank_matches(matches))


def option_text(m: Match | None) -> str:
    """One line naming an option with its label text: ``BRAF V600E: dabrafenib + trametinib
    (on-label if ...)``; a resistance marker against it is named too. Empty for ``None``."""
    if m is None:
        return ""
    text = f"{m.biomarker}: {' + '.join(m.drugs)} ({m.label_text or m.label})"
    if m.resistance_level:
        text += f" [resistance marker {m.resistance_level} against it]"
    return text


__all__ = [
    "TIERS",
    "option_text",
    "rank_key",
    "rank_matches",
    "tier",
    "top_of",
    "top_option",
]
