"""Two-stage (Simon-like) cohort designs: operating characteristics and the stage state machine.

A design ``(n1, r1, n, r)`` treats ``n1`` patients in stage 1; the cohort continues to stage 2
only if **more than** ``r1`` of them benefit; after ``n`` evaluable patients in all it is
*positive* if **more than** ``r`` benefit. IMPRESS-Norway / DRUP use ``(8, 0, 24, 4)``: continue
with at least 1 of 8, positive with at least 5 of 24 (docs/domain.md §2).

Everything here is exact binomial arithmetic (no scipy) and pure: no I/O, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

from tumorboard.errors import RegistryError

#: IMPRESS-Norway / DRUP default design.
DEFAULT_DESIGN = (8, 0, 24, 4)


@dataclass(frozen=True, slots=True)
class Design:
    """A two-stage design. ``r1``/``r`` are the largest benefit counts that still *fail*."""

    n1: int
    """Stage-1 sample size (evaluable patients)."""
    r1: int
    """Stop after stage 1 unless more than ``r1`` patients benefit."""
    n: int
    """Total sample size over both stages."""
    r: int
    """The cohort is positive when more than ``r`` of ``n`` patients benefit."""

    def __post_init__(self) -> None:
        problems = []
        if self.n1 < 1:
            problems.append("n1 must be at least 1")
        if not 0 <= self.r1 < self.n1:
            problems.append("r1 must be between 0 and n1 - 1")
        if self.n < self.n1:
            problems.append("n must be at least n1")
        if not self.r1 <= self.r < self.n:
            problems.append("r must be between r1 and n - 1")
        if problems:
            raise RegistryError(
                f"invalid two-stage design (n1={self.n1}, r1={self.r1}, n={self.n}, "
                f"r={self.r}): {'; '.join(problems)}",
                hint="IMPRESS uses n1=8, r1=0, n=24, r=4 (continue with >= 1 of 8, positive "
                "with >= 5 of 24)",
            )

    @property
    def n2(self) -> int:
        """Stage-2 sample size."""
        return self.n - self.n1

    def stage_size(self, stage: int) -> int:
        """Slots of ``stage`` (1 or 2)."""
        return self.n1 if stage == 1 else self.n2

    def describe(self) -> str:
        """In words, e.g. 'stage 1: 8 patients, continue with >= 1 benefit; ...'."""
        return (
            f"stage 1: {self.n1} patients, continue with >= {self.r1 + 1} benefit; "
            f"stage 2: {self.n2} more, positive with >= {self.r + 1} of {self.n}"
        )


# --- exact binomial -----------------------------------------------------------------------------
def binom_pmf(k: int, n: int, p: float) -> float:
    """P(X = k) for X ~ Binomial(n, p)."""
    if k < 0 or k > n:
        return 0.0
    return comb(n, k) * p**k * (1.0 - p) ** (n - k)


def binom_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p); 0 for k < 0, 1 for k >= n."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return min(1.0, sum(binom_pmf(i, n, p) for i in range(k + 1)))


@dataclass(frozen=True, slots=True)
class Characteristics:
    """Operating characteristics of a design at one true benefit rate ``p``."""

    p: float
    pet: float
    """Probability of early termination after stage 1."""
    p_positive: float
    """Probability that the cohort ends positive."""
    expected_n: float
    """Expected number of evaluable patients treated."""


def characteristics(design: Design, p: float) -> Characteristics:
    """PET, P(positive) and E[N] of ``design`` when each patient benefits with probability p."""
    if not 0.0 <= p <= 1.0:
        raise RegistryError(f"benefit rate {p} is not a probability", hint="use 0 <= p <= 1")
    pet = binom_cdf(design.r1, design.n1, p)
    positive = sum(
        binom_pmf(x1, design.n1, p) * (1.0 - binom_cdf(design.r - x1, design.n2, p))
        for x1 in range(design.r1 + 1, design.n1 + 1)
    )
    return Characteristics(p, pet, positive, design.n1 + (1.0 - pet) * design.n2)


def alpha_power(design: Design, p0: float, p1: float) -> tuple[float, float]:
    """Type-I error (P(positive | p0)) and power (P(positive | p1))."""
    return characteristics(design, p0).p_positive, characteristics(design, p1).p_positive


# --- the stage state machine --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StageCounts:
    """What one stage holds right now.

    ``holders`` are enrolled patients occupying a slot (a replaced not-evaluable patient does
    not); ``pending`` holders have no final outcome yet; ``benefit`` holders benefited.
    """

    holders: int = 0
    pending: int = 0
    benefit: int = 0


@dataclass(frozen=True, slots=True)
class Verdict:
    """The state a cohort's counts imply."""

    stage: int
    """Stage now running (2 once stage 1 has succeeded)."""
    outcome: str
    """``open`` (stage running), ``awaiting`` (stage full, outcomes pending), ``positive``,
    ``negative``."""
    slots_left: int
    """Free slots in the running stage (0 when decided)."""
    next_decides: str
    """In words: what the next outcome would decide."""


def _stage1_text(d: Design, s1: StageCounts) -> str:
    need = d.r1 + 1 - s1.benefit
    open_slots = d.n1 - s1.holders
    if need <= 0:
        return (
            f"stage 2 is assured ({s1.benefit} benefit in stage 1); it opens when the "
            f"remaining {s1.pending + open_slots} stage-1 outcome(s) are in"
        )
    if need > s1.pending + open_slots:
        return "stage 1 can no longer succeed; the cohort closes negative when it completes"
    if s1.pending == 1 and open_slots == 0 and need == 1:
        return "the last stage-1 outcome decides: benefit opens stage 2, otherwise negative"
    return f"{need} more benefit needed in stage 1 to open stage 2"


def _stage2_text(d: Design, s1: StageCounts, s2: StageCounts) -> str:
    total = s1.benefit + s2.benefit
    need = d.r + 1 - total
    remaining = s2.pending + (d.n2 - s2.holders)
    if need <= 0:
        return f"positive is assured ({total} benefit); final when {remaining} outcome(s) are in"
    if need > remaining:
        return f"positive is no longer reachable ({total} benefit, {remaining} to come)"
    if remaining == 1:
        return "the last outcome decides: benefit makes the cohort positive, otherwise negative"
    return f"{need} more benefit needed (of {remaining} to come) for a positive cohort"


def verdict(design: Design, s1: StageCounts, s2: StageCounts, *, stage: int) -> Verdict:
    """What the counts imply for a cohort currently at ``stage`` (1 or 2).

    Stage 1 complete (all ``n1`` slots held, none pending) with more than ``r1`` benefit opens
    stage 2; otherwise the cohort is negative. Stage 2 complete: more than ``r`` benefit in all
    is positive, otherwise negative. Transitions happen only when a stage is complete.
    """
    if stage == 1:
        if s1.holders >= design.n1 and s1.pending == 0:
            if s1.benefit > design.r1 and design.n2 > 0:
                return verdict(design, s1, s2, stage=2)
            ok = s1.benefit > design.r
            return Verdict(1, "positive" if ok else "negative", 0, "decided")
        left = design.n1 - s1.holders
        return Verdict(1, "open" if left else "awaiting", left, _stage1_text(design, s1))
    if s2.holders >= design.n2 and s2.pending == 0:
        ok = s1.benefit + s2.benefit > design.r
        return Verdict(2, "positive" if ok else "negative", 0, "decided")
    left = design.n2 - s2.holders
    return Verdict(2, "open" if left else "awaiting", left, _stage2_text(design, s1, s2))


# --- benefit rule -------------------------------------------------------------------------------
RESPONSES = ("CR", "PR", "SD", "PD", "NE")


def patient_result(assessments: list[tuple[str, int]], sd_weeks: int = 16) -> str:
    """A patient's result from their (response, week) assessments.

    ``benefit``: any CR or PR, or SD at week ``sd_weeks`` or later; otherwise ``no-benefit`` once
    a PD is recorded; ``not-evaluable`` for NE (and nothing better); else ``pending`` (e.g. only
    SD before week 16, or no assessment yet).
    """
    responses = {r for r, _ in assessments}
    if responses & {"CR", "PR"} or any(r == "SD" and w >= sd_weeks for r, w in assessments):
        return "benefit"
    if "PD" in responses:
        return "no-benefit"
    if "NE" in responses:
        return "not-evaluable"
    return "pending"


__all__ = [
    "DEFAULT_DESIGN",
    "RESPONSES",
    "Characteristics",
    "Design",
    "StageCounts",
    "Verdict",
    "alpha_power",
    "binom_cdf",
    "binom_pmf",
    "characteristics",
    "patient_result",
    "verdict",
]
