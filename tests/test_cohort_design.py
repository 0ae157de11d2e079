"""Two-stage design numbers (docs/domain.md §2), Simon's designs, the stage machine, benefit."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tumorboard.cohorts.design import (
    Design,
    StageCounts,
    alpha_power,
    binom_cdf,
    binom_pmf,
    characteristics,
    patient_result,
    verdict,
)
from tumorboard.errors import RegistryError

IMPRESS = Design(8, 0, 24, 4)

# docs/domain.md §2, to 4 decimals (E[N] to 2)
DOMAIN_TABLE = [
    (0.05, 0.6634, 0.0054, 13.39),
    (0.10, 0.4305, 0.0778, 17.11),
    (0.20, 0.1678, 0.5063, 21.32),
    (0.30, 0.0576, 0.8572, 23.08),
    (0.40, 0.0168, 0.9726, 23.73),
]


@pytest.mark.parametrize(("p", "pet", "positive", "en"), DOMAIN_TABLE)
def test_impress_design_equals_domain_table(p: float, pet: float, positive: float, en: float):
    c = characteristics(IMPRESS, p)
    assert round(c.pet, 4) == pet
    assert round(c.p_positive, 4) == positive
    assert round(c.expected_n, 2) == en


def test_impress_alpha_and_power():
    alpha, power = alpha_power(IMPRESS, 0.10, 0.30)
    assert round(alpha, 3) == 0.078
    assert round(power, 3) == 0.857


def test_simon_optimal_and_minimax_for_010_030():
    # Simon (1989): optimal 1/10, 5/29 and minimax 1/15, 5/25 for p0=0.10, p1=0.30,
    # alpha <= 0.05, beta <= 0.20; E[N | p0] = 15.0 (optimal), 19.5 (minimax); PET(p0) = 0.74
    optimal, minimax = Design(10, 1, 29, 5), Design(15, 1, 25, 5)
    for d in (optimal, minimax):
        alpha, power = alpha_power(d, 0.10, 0.30)
        assert alpha <= 0.05
        assert power >= 0.80
    c = characteristics(optimal, 0.10)
    assert round(c.expected_n, 1) == 15.0
    assert round(c.pet, 2) == 0.74
    assert round(characteristics(minimax, 0.10).expected_n, 1) == 19.5


def _brute_force(d: Design, p: float) -> tuple[float, float]:
    """Enumerate every outcome sequence of n patients (small n only)."""
    pet = positive = 0.0
    for seq in itertools.product((0, 1), repeat=d.n):
        prob = 1.0
        for x in seq:
            prob *= p if x else 1 - p
        s1 = sum(seq[: d.n1])
        if s1 <= d.r1:
            pet += prob
        elif sum(seq) > d.r:
            positive += prob
    return pet, positive


@given(
    st.integers(1, 5)
    .flatmap(
        lambda n1: st.tuples(
            st.just(n1),
            st.integers(0, n1 - 1),
            st.integers(n1, 9),
        )
    )
    .flatmap(lambda t: st.tuples(st.just(t), st.integers(t[1], t[2] - 1))),
    st.floats(0.0, 1.0),
)
def test_characteristics_equal_brute_force(spec, p):
    (n1, r1, n), r = spec
    d = Design(n1, r1, n, r)
    pet, positive = _brute_force(d, p)
    c = characteristics(d, p)
    assert c.pet == pytest.approx(pet, abs=1e-9)
    assert c.p_positive == pytest.approx(positive, abs=1e-9)


@given(st.integers(0, 30), st.floats(0.0, 1.0))
def test_binomial_sums_to_one(n, p):
    assert sum(binom_pmf(k, n, p) for k in range(n + 1)) == pytest.approx(1.0)
    assert binom_cdf(n, n, p) == 1.0
    assert binom_cdf(-1, n, p) == 0.0


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((0, 0, 24, 4), "n1 must be at least 1"),
        ((8, 8, 24, 4), "r1 must be between 0 and n1 - 1"),
        ((8, 0, 6, 4), "n must be at least n1"),
        ((8, 2, 24, 1), "r must be between r1 and n - 1"),
    ],
)
def test_invalid_designs_are_refused(args, text):
    with pytest.raises(RegistryError, match=text):
        Design(*args)


def test_stage_one_runs_until_complete():
    v = verdict(IMPRESS, StageCounts(5, 5, 0), StageCounts(), stage=1)
    assert (v.stage, v.outcome, v.slots_left) == (1, "open", 3)
    full = verdict(IMPRESS, StageCounts(8, 2, 1), StageCounts(), stage=1)
    assert (full.stage, full.outcome, full.slots_left) == (1, "awaiting", 0)
    assert "stage 2 is assured" in full.next_decides


def test_stage_one_success_opens_stage_two_failure_is_negative():
    ok = verdict(IMPRESS, StageCounts(8, 0, 1), StageCounts(), stage=1)
    assert (ok.stage, ok.outcome, ok.slots_left) == (2, "open", 16)
    bad = verdict(IMPRESS, StageCounts(8, 0, 0), StageCounts(), stage=1)
    assert bad.outcome == "negative"
    last = verdict(IMPRESS, StageCounts(8, 1, 0), StageCounts(), stage=1)
    assert last.next_decides.startswith("the last stage-1 outcome decides")


def test_stage_two_end_positive_needs_more_than_r():
    s1 = StageCounts(8, 0, 2)
    assert verdict(IMPRESS, s1, StageCounts(16, 0, 3), stage=2).outcome == "positive"
    assert verdict(IMPRESS, s1, StageCounts(16, 0, 2), stage=2).outcome == "negative"
    waiting = verdict(IMPRESS, s1, StageCounts(16, 3, 3), stage=2)
    assert waiting.outcome == "awaiting"
    assert "positive is assured" in waiting.next_decides
    hopeless = verdict(IMPRESS, StageCounts(8, 0, 1), StageCounts(15, 0, 0), stage=2)
    assert "no longer reachable" in hopeless.next_decides


@pytest.mark.parametrize(
    ("assessments", "result"),
    [
        ([], "pending"),
        ([("SD", 8)], "pending"),
        ([("SD", 8), ("SD", 16)], "benefit"),
        ([("PR", 8)], "benefit"),
        ([("CR", 24)], "benefit"),
        ([("SD", 8), ("PD", 12)], "no-benefit"),
        ([("PR", 8), ("PD", 20)], "benefit"),
        ([("NE", 4)], "not-evaluable"),
        ([("SD", 15)], "pending"),
    ],
)
def test_benefit_rule(assessments, result):
    assert patient_result(assessments) == result


def test_sd_weeks_is_a_cohort_setting():
    assert patient_result([("SD", 12)], sd_weeks=12) == "benefit"
