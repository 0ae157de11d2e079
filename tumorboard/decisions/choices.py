"""``--option`` values into choices: a rank number, a drug set, or a choice without a drug.

The case's options are its sensitive matches in ranking order (tumorboard.ranking), one per drug
set (the best-ranked match of each set): option 1 is the report's strongest option. A drug set is
written with ``+`` or ``,`` between the drugs, in any order and case (``trametinib+dabrafenib``).
The choices without a drug are :data:`~tumorboard.decisions.views.NON_DRUG`, written with spaces,
hyphens or underscores (``germline testing``, ``germline-testing``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tumorboard.decisions.views import NON_DRUG, OPTION, Choice, drugs_text
from tumorboard.errors import DecisionError
from tumorboard.models import CaseResult, Match
from tumorboard.ranking import rank_matches


def ranked_options(case: CaseResult) -> list[Match]:
    """The case's drug options, strongest first: one match per drug set, in the one ranking
    (:func:`tumorboard.ranking.rank_matches`) the report, agenda and assignment use; option 1 is
    the case's ``top_option``."""
    seen: set[frozenset[str]] = set()
    out = []
    for m in rank_matches(case.matches):
        key = frozenset(d.lower() for d in m.drugs)
        if m.effect == "sensitive" and key not in seen:
            seen.add(key)
            out.append(m)
    return out


def _key(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def _drug_set(text: str) -> frozenset[str]:
    return frozenset(d.strip().lower() for d in re.split(r"[+,]", text) if d.strip())


def _options_hint(options: Sequence[Match]) -> str:
    listed = "; ".join(f"{i} = {drugs_text(m.drugs)}" for i, m in enumerate(options, 1))
    words = ", ".join(NON_DRUG)
    return (
        f"choose {listed + ', or ' if listed else ''}one of: {words} "
        "(`tumorboard decision options CASE.json` lists the options)"
    )


def parse_choice(text: str, options: Sequence[Match]) -> Choice:
    """One ``--option`` value as a choice (an error names the case's options)."""
    key = _key(text)
    if key in NON_DRUG:
        return Choice(kind=key)
    if key.isascii() and key.isdigit():
        rank = int(key)
        if not 1 <= rank <= len(options):
            raise DecisionError(
                f"option {rank} does not exist: the case has {len(options)} drug option(s)",
                hint=_options_hint(options),
            )
        m = options[rank - 1]
        return Choice(kind=OPTION, rank=rank, drugs=tuple(m.drugs), match=m)
    wanted = _drug_set(text)
    for rank, m in enumerate(options, 1):
        if wanted and frozenset(d.lower() for d in m.drugs) == wanted:
            return Choice(kind=OPTION, rank=rank, drugs=tuple(m.drugs), match=m)
    raise DecisionError(
        f"{text.strip()!r} is neither a drug option of this case nor a known choice",
        hint=_options_hint(options),
    )


def resolve(case: CaseResult, values: Sequence[str]) -> tuple[Choice, ...]:
    """The choices of ``--option`` values (at least one, none twice, 'no targeted option'
    alone among drug options)."""
    if not values:
        raise DecisionError("no option given", hint=_options_hint(ranked_options(case)))
    options = ranked_options(case)
    choices = tuple(parse_choice(v, options) for v in values)
    keys = [(c.kind, frozenset(c.drugs)) for c in choices]
    if len(set(keys)) != len(keys):
        raise DecisionError("the same option is given twice", hint="give each option once")
    kinds = {c.kind for c in choices}
    if "no-targeted-option" in kinds and OPTION in kinds:
        raise DecisionError(
            "'no targeted option' cannot go with a drug option",
            hint="choose drug option(s), or 'no targeted option' (with re-biopsy, germline "
            "testing or a clinical trial elsewhere if wanted)",
        )
    return choices


__all__ = ["parse_choice", "ranked_options", "resolve"]
