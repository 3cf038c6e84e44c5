"""Random-date placebo: spacing rule, uniformity, p-values, stratification, progress, seeds."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.exceptions import DataError
from eventstudy.inference import draw_spaced_positions, placebo_test


def decluster(triggers: np.ndarray, gap: int) -> list[int]:
    """The declustering rule: keep a trigger if it is >= gap days after the last kept one."""
    kept: list[int] = []
    for t in triggers.tolist():
        if not kept or t - kept[-1] >= gap:
            kept.append(t)
    return kept


def test_draws_respect_spacing_and_range() -> None:
    rng = np.random.default_rng(0)
    pos = draw_spaced_positions(1000, 40, 21, 3000, rng)
    assert pos.shape == (3000, 40)
    assert pos.min() >= 0
    assert pos.max() <= 999
    assert (np.diff(pos, axis=1) >= 21).all()
    # every draw is a fixed point of the declustering rule
    for row in pos[:50]:
        assert decluster(row, 21) == row.tolist()


def test_draws_uniform_over_admissible_sets() -> None:
    """Chi-square: all sets of 3 positions in range(12) with spacing >= 3 equally likely."""
    admissible = [c for c in itertools.combinations(range(12), 3) if np.all(np.diff(c) >= 3)]
    rng = np.random.default_rng(1)
    draws = draw_spaced_positions(12, 3, 3, 20000, rng)
    counts = Counter(map(tuple, draws.tolist()))
    assert set(counts) == set(admissible)
    obs = np.array([counts[c] for c in admissible])
    assert stats.chisquare(obs).pvalue > 0.001


def test_dense_case_and_impossible() -> None:
    rng = np.random.default_rng(2)
    pos = draw_spaced_positions(30, 10, 3, 500, rng)  # dense: M = 12, n = 10
    assert (np.diff(pos, axis=1) >= 3).all()
    assert pos.max() <= 29
    with pytest.raises(ValueError, match="cannot place 11 events"):
        draw_spaced_positions(30, 11, 3, 1, rng)


def test_planted_effect_small_p_and_seeds() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(0, 0.05, 5000)
    ev = np.arange(100, 4900, 120)
    y[ev] += 0.05
    calls: list[tuple[int, int]] = []
    a = placebo_test(
        y, ev, 1, min_gap=21, draws=2000, seed=5, progress=lambda d, t: calls.append((d, t))
    )
    b = placebo_test(y, ev, 1, min_gap=21, draws=2000, seed=5)
    assert a == b
    assert a.p_value == pytest.approx(1 / 2001)  # add-one rule: never zero
    assert calls[-1] == (2000, 2000)
    assert 3 <= len(calls) <= 20
    assert a.details["placebo_mean"] == pytest.approx(np.mean(y), abs=0.003)


def test_p_value_add_one_rule_by_hand() -> None:
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    res = placebo_test(y, [0, 2, 4], 1, min_gap=2, draws=999, seed=0)
    # mu0 = 0.5, observed mean 0: |0 - 0.5| is the most extreme possible deviation
    assert res.details["baseline_mean"] == 0.5
    assert 0 < res.p_value <= 1
    assert res.p_value * 1000 == pytest.approx(round(res.p_value * 1000))


def test_stratified_keeps_counts_per_year() -> None:
    idx = pd.bdate_range("2000-01-03", periods=1300)
    rng = np.random.default_rng(4)
    y = pd.Series(rng.normal(0, 0.02, 1300), index=idx)
    ev = np.array([10, 40, 80, 300, 700, 730, 1100])
    res = placebo_test(y, ev, 1, min_gap=21, draws=300, stratify="year", seed=1)
    assert res.applicable
    assert res.details["stratify"] == "year"
    from eventstudy.inference.placebo import _draw_stratified

    codes = np.asarray(idx.year)
    pos = _draw_stratified(codes, ev, 21, 300, np.random.default_rng(0))
    want = Counter(codes[ev].tolist())
    for row in pos[:20]:
        assert Counter(codes[row].tolist()) == want
    assert (np.diff(pos, axis=1) >= 21).all()


def test_errors_and_not_applicable() -> None:
    y = np.linspace(0, 1, 200)
    with pytest.raises(DataError, match="closer than min_gap=21"):
        placebo_test(y, [0, 10, 50], 1, min_gap=21)
    with pytest.raises(ValueError, match="stratify needs dates"):
        placebo_test(y, [0, 30, 60], 1, stratify="year")
    assert not placebo_test(y, [0, 30], 1).applicable


@pytest.mark.slow
def test_uniform_p_values_under_null() -> None:
    """Under the null (events drawn like the placebo sets, i.i.d. returns) the randomization
    p-value is valid: KS test of uniformity over 300 seeds."""
    ps = []
    for seed in range(300):
        rng = np.random.default_rng(seed)
        y = rng.standard_t(4, 2000)
        ev = draw_spaced_positions(2000, 30, 10, 1, rng)[0]
        ps.append(placebo_test(y, ev, 1, min_gap=10, draws=999, seed=rng).p_value)
    assert stats.kstest(ps, "uniform").pvalue > 0.01
