"""Placebo path band: hand-computed on a constant-growth series."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from eventstudy.evaluation.placebo_path import placebo_path_band
from eventstudy.inference.placebo import draw_spaced_positions


def test_constant_growth_gives_a_degenerate_band() -> None:
    # P_t = 1.001^t: every path is 1.001^k - 1 whatever the event date
    idx = pd.bdate_range("2000-01-03", periods=400)
    prices = pd.Series(1.001 ** np.arange(400), index=idx)
    band = placebo_path_band(prices, 5, min_gap=10, pre=3, post=20, draws=50, seed=1)
    expected = 1.001 ** np.arange(-3, 21) - 1
    np.testing.assert_allclose(band.lower, expected, rtol=1e-10)
    np.testing.assert_allclose(band.upper, expected, rtol=1e-10)
    log_band = placebo_path_band(
        prices, 5, min_gap=10, pre=3, post=20, draws=50, seed=1, kind="log"
    )
    np.testing.assert_allclose(log_band.lower, np.arange(-3, 21) * np.log(1.001), rtol=1e-10)


def test_band_brackets_zero_at_the_event_and_is_seeded() -> None:
    rng = np.random.default_rng(0)
    idx = pd.bdate_range("2000-01-03", periods=2000)
    prices = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 2000))), index=idx)
    a = placebo_path_band(prices, 20, min_gap=21, pre=5, post=60, draws=300, seed=7)
    b = placebo_path_band(prices, 20, min_gap=21, pre=5, post=60, draws=300, seed=7)
    np.testing.assert_array_equal(a.lower, b.lower)
    zero = list(a.offsets).index(0)
    assert a.lower[zero] == 0.0 and a.upper[zero] == 0.0
    assert np.all(a.lower <= a.upper)
    assert a.upper[-1] > 0 > a.lower[-1]


def test_no_band_for_too_few_events() -> None:
    prices = pd.Series(np.linspace(1, 2, 50), index=pd.bdate_range("2000-01-03", periods=50))
    assert placebo_path_band(prices, 1, min_gap=5, pre=2, post=5).draws == 0
    assert placebo_path_band(prices, 10, min_gap=30, pre=2, post=5).draws == 0


# --- exhaustive small cases: every admissible event set is known ----------------------------


def _mean_path(vals: np.ndarray, events: list[int], offsets: range, kind: str) -> np.ndarray:
    """Brute force: mean over events of P[t+k]/P[t] - 1 (or its log), per offset k."""
    out = []
    for k in offsets:
        xs = [vals[t + k] / vals[t] for t in events]
        out.append(np.mean([np.log(r) if kind == "log" else r - 1.0 for r in xs]))
    return np.array(out)


def _random_prices(n: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    vals = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
    return pd.Series(vals, index=pd.bdate_range("2001-01-01", periods=n))


@pytest.mark.parametrize("kind", ["simple", "log"])
def test_exactly_one_admissible_set(kind: str) -> None:
    """pre=2, post=3, n=3, min_gap=5 need 3 + 2*4 = 11 slots; T=16 leaves dates 2..12 for
    the events, so the only admissible set is {2, 7, 12}: both quantiles equal its mean path.
    With T=15 there is no room: an empty band."""
    prices = _random_prices(16, 4)
    band = placebo_path_band(
        prices,
        3,
        min_gap=5,
        pre=2,
        post=3,
        draws=7,
        level=0.8,
        kind=kind,  # type: ignore[arg-type]
        seed=0,
    )
    expected = _mean_path(prices.to_numpy(), [2, 7, 12], range(-2, 4), kind)
    np.testing.assert_array_equal(band.offsets, np.arange(-2, 4))
    np.testing.assert_allclose(band.lower, expected, rtol=1e-10)
    np.testing.assert_allclose(band.upper, expected, rtol=1e-10)
    assert band.draws == 7 and band.level == 0.8
    short = placebo_path_band(prices.iloc[:15], 3, min_gap=5, pre=2, post=3, draws=7, seed=0)
    assert short.draws == 0 and short.lower.size == 0 and short.upper.size == 0
    np.testing.assert_array_equal(short.offsets, np.arange(-2, 4))
    assert short.level == 0.9


def test_start_and_end_restrict_the_dates() -> None:
    """start/end (inclusive; a bound between dates rounds inwards) restrict the pseudo-event
    dates: with room for exactly one set the band is that set's path."""
    prices = _random_prices(40, 6)
    idx = prices.index
    vals = prices.to_numpy()
    cases = [
        ((idx[10], idx[20]), [10, 15, 20]),
        ((idx[9] + pd.Timedelta(hours=1), idx[20] + pd.Timedelta(hours=1)), [10, 15, 20]),
        ((None, idx[12]), [2, 7, 12]),  # the window still needs pre = 2 days before
        ((idx[27], None), [27, 32, 37]),  # and post = 2 days after: last date 37
        ((idx[0], idx[12]), [2, 7, 12]),  # a start before `pre` does not widen the range
    ]
    for (start, end), events in cases:
        band = placebo_path_band(
            prices, 3, min_gap=5, pre=2, post=2, start=start, end=end, draws=5, seed=1
        )
        expected = _mean_path(vals, events, range(-2, 3), "simple")
        np.testing.assert_allclose(band.lower, expected, rtol=1e-10, err_msg=str(events))
        np.testing.assert_allclose(band.upper, expected, rtol=1e-10, err_msg=str(events))
    too_narrow = placebo_path_band(
        prices, 3, min_gap=5, pre=2, post=2, start=idx[10], end=idx[19], draws=5, seed=1
    )
    assert too_narrow.draws == 0


def test_two_events_and_three_admissible_sets_enumerated() -> None:
    """n = 2, min_gap = 3, 5 slots (dates 1..5): admissible sets {1,4}, {1,5}, {2,5}, each
    drawn with probability 1/3 (draw_spaced_positions is uniform). With 300 draws each set
    appears >= 3 times except with probability < 1e-45, so the 0.5% and 99.5% quantiles of
    the draws are the per-offset minimum and maximum over the three enumerated sets."""
    prices = _random_prices(8, 12)  # pre = 1, post = 2: event dates 1..5
    vals = prices.to_numpy()
    sets = [[1, 4], [1, 5], [2, 5]]
    paths = np.array([_mean_path(vals, s, range(-1, 3), "simple") for s in sets])
    band = placebo_path_band(prices, 2, min_gap=3, pre=1, post=2, draws=300, level=0.99, seed=5)
    np.testing.assert_allclose(band.lower, paths.min(axis=0), rtol=1e-10)
    np.testing.assert_allclose(band.upper, paths.max(axis=0), rtol=1e-10)
    assert band.draws == 300
    zero = int(np.flatnonzero(band.offsets == 0)[0])
    assert band.lower[zero] == 0.0 == band.upper[zero]


def test_min_gap_one_and_room_boundary() -> None:
    """min_gap = 1: n consecutive slots are enough (n slots -> one set); n - 1 are not."""
    prices = _random_prices(6, 3)  # pre = 0, post = 1: event dates 0..4 (5 slots)
    vals = prices.to_numpy()
    band = placebo_path_band(prices, 5, min_gap=1, pre=0, post=1, draws=3, seed=2)
    expected = _mean_path(vals, [0, 1, 2, 3, 4], range(0, 2), "simple")
    np.testing.assert_allclose(band.lower, expected, rtol=1e-10)
    assert placebo_path_band(prices, 6, min_gap=1, pre=0, post=1, draws=3).draws == 0


def test_validation_messages() -> None:
    prices = _random_prices(30, 1)
    kw = {"min_gap": 2, "pre": 1, "post": 1}
    with pytest.raises(ValueError, match="n_events must be >= 0"):
        placebo_path_band(prices, -1, **kw)  # type: ignore[arg-type]
    assert placebo_path_band(prices, 0, **kw).draws == 0  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pre must be >= 0"):
        placebo_path_band(prices, 3, min_gap=2, pre=-1, post=1)
    with pytest.raises(ValueError, match="post must be >= 0"):
        placebo_path_band(prices, 3, min_gap=2, pre=1, post=-1)
    with pytest.raises(ValueError, match="min_gap must be >= 1"):
        placebo_path_band(prices, 3, min_gap=0, pre=1, post=1)
    with pytest.raises(ValueError, match="draws must be >= 1"):
        placebo_path_band(prices, 3, draws=0, **kw)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level must be > 0"):
        placebo_path_band(prices, 3, level=0.0, **kw)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level must be <= 1"):
        placebo_path_band(prices, 3, level=1.1, **kw)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kind must be one of"):
        placebo_path_band(prices, 3, kind="pct", **kw)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="prices must be a pandas Series"):
        placebo_path_band(list(prices), 3, **kw)  # type: ignore[arg-type]
    one = placebo_path_band(prices, 3, draws=1, seed=0, **kw)  # type: ignore[arg-type]
    assert one.draws == 1 and one.lower.shape == (3,)
    np.testing.assert_array_equal(one.lower, one.upper)  # one draw: both quantiles are it


@pytest.mark.parametrize(("draws", "level"), [(40, 0.8), (None, 0.9)])
def test_band_is_the_quantile_of_the_drawn_mean_paths(draws: int | None, level: float) -> None:
    """Given the generator, the pseudo-event sets are those of draw_spaced_positions (tested in
    tests/inference) on the admissible dates pre .. T - post - 1; the band is then recomputed
    here by loops over draws, events and offsets and numpy's quantiles at (1 -/+ level) / 2.
    draws=None checks the default of 500 draws."""
    prices = _random_prices(60, 8)
    vals = prices.to_numpy()
    n, gap, pre, post = 4, 3, 2, 5
    kw: dict[str, Any] = {"min_gap": gap, "pre": pre, "post": post, "level": level, "seed": 11}
    if draws is not None:
        kw["draws"] = draws
    band = placebo_path_band(prices, n, **kw)
    d = 500 if draws is None else draws
    assert band.draws == d
    slots = (60 - post - 1) - pre + 1
    sets = pre + draw_spaced_positions(slots, n, gap, d, np.random.default_rng(11))
    paths = np.array([_mean_path(vals, list(s), range(-pre, post + 1), "simple") for s in sets])
    q = (1 - level) / 2
    np.testing.assert_allclose(band.lower, np.quantile(paths, q, axis=0), rtol=1e-10)
    np.testing.assert_allclose(band.upper, np.quantile(paths, 1 - q, axis=0), rtol=1e-10)


def test_a_relative_band_subtracts_the_second_series_returns() -> None:
    """B growing at 1.001 a day: every draw's path moves down by exactly 1.001^k - 1 against
    the band of A alone (the same seed draws the same dates); B equal to A: a band of zeros.
    A second series on other dates, or with changes, is refused."""
    rng = np.random.default_rng(0)
    idx = pd.bdate_range("2000-01-03", periods=1200)
    a = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, idx.size))), index=idx)
    b = pd.Series(1.001 ** np.arange(idx.size), index=idx)
    kw: dict[str, Any] = {"min_gap": 21, "pre": 5, "post": 60, "draws": 200, "seed": 3}
    alone = placebo_path_band(a, 10, **kw)
    rel = placebo_path_band(a, 10, relative_to=b, **kw)
    growth = 1.001 ** np.arange(-5, 61) - 1
    np.testing.assert_allclose(rel.lower, alone.lower - growth, atol=1e-12)
    np.testing.assert_allclose(rel.upper, alone.upper - growth, atol=1e-12)
    log_alone = placebo_path_band(a, 10, kind="log", **kw)
    log_rel = placebo_path_band(a, 10, kind="log", relative_to=b, **kw)
    np.testing.assert_allclose(
        log_rel.lower, log_alone.lower - np.arange(-5, 61) * np.log(1.001), atol=1e-12
    )
    same = placebo_path_band(a, 10, relative_to=a, **kw)
    assert not same.lower.any() and not same.upper.any()
    with pytest.raises(ValueError, match="same dates"):
        placebo_path_band(a, 10, relative_to=b.iloc[1:], **kw)
    with pytest.raises(ValueError, match="not changes"):
        placebo_path_band(a, 10, relative_to=b, kind="change", **kw)
