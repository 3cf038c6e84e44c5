"""The backtest engine: returns, costs and cash on hand-built series, metrics against
empyrical-reloaded, the random-entry placebo against exact enumeration, and the Sharpe ratio's
statistics."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from eventstudy.backtest import (
    backtest,
    cash_from_yield,
    positions_from_events,
    random_entry_placebo,
)
from eventstudy.backtest.metrics import max_drawdown, performance
from eventstudy.exceptions import DataError
from eventstudy.inference.sharpe import deflated_sharpe, sharpe_stats

DATES = pd.bdate_range("2001-01-01", periods=12)


def _geometric(rate: float, n: int = 12) -> pd.Series:
    return pd.Series(100 * (1 + rate) ** np.arange(n), index=DATES[:n])


def test_long_only_returns_costs_and_cash_by_hand() -> None:
    """Event at day 2, hold 3: bought at the close of 3, holds days 4-6, sold at the close of 6.
    The asset gains 1% a day, cash 0.01%; 10 bp per unit traded is paid on the trade's day."""
    a = _geometric(0.01)
    cash = pd.Series(0.0001, index=DATES)
    r = backtest(a, DATES[[2]], hold=3, cost_bps=10, cash=cash, placebo_draws=0)
    s = r.daily["strategy"].to_numpy()
    expected = np.full(11, 0.0001)  # days 1..11
    expected[[3, 4, 5]] = 0.01  # days 4, 5, 6
    expected[2] -= 0.001  # bought at the close of day 3
    expected[5] -= 0.001  # sold at the close of day 6
    np.testing.assert_allclose(s, expected, atol=1e-15)
    np.testing.assert_allclose(r.daily["buy_and_hold"], 0.01, atol=1e-15)
    assert r.trades["entry"].tolist() == [DATES[3]] and r.trades["exit"].tolist() == [DATES[6]]
    assert r.trades["return"].iloc[0] == pytest.approx(1.01**3 - 1, rel=1e-12)
    assert r.trades["net_return"].iloc[0] == pytest.approx(1.01**3 - 1 - 0.002, rel=1e-12)
    assert r.activity["exposure"] == pytest.approx(3 / 11)
    assert r.activity["turnover"] == pytest.approx(2 / (11 / 252))
    assert r.activity["trades"] == 1 and r.activity["hit_rate"] == 1.0
    assert r.activity["costs"] == pytest.approx(0.002)


def test_a_position_held_past_the_last_date_is_open_and_one_ending_on_it_is_sold() -> None:
    """12 days (last close 11), hold 3, 10 bp a leg. Extend: events at 5 and 8 merge into one
    run bought at the close of 6 whose second slice would run to 12: open at the end, one leg
    paid, in the trade table as in the daily series. Ignore, event at 5: sold at the close of
    9, two legs. Event at 7: bought at 8, its hold ends exactly at the last close, where it is
    sold: two legs, the sale charged on the last day of the daily series too."""
    a = _geometric(0.01)
    for events, rule, want_open, legs_paid in (
        ([5, 8], "extend", True, 1),
        ([5], "ignore", False, 2),
        ([7], "ignore", False, 2),
    ):
        r = backtest(a, DATES[events], hold=3, cost_bps=10, overlap=rule, placebo_draws=0)
        assert len(r.trades) == 1
        trade = r.trades.iloc[0]
        assert trade["open"] == want_open, events
        assert trade["net_return"] == pytest.approx(trade["return"] - 0.001 * legs_paid, rel=1e-12)
        assert r.daily["cost"].sum() == pytest.approx(0.001 * legs_paid, rel=1e-12), events
        assert ("still open on the last date" in " ".join(r.notes)) == want_open
    assert r.daily["cost"].iloc[-1] == pytest.approx(0.001)  # the sale at the last close
    merged = backtest(a, DATES[[5, 8]], hold=3, overlap="extend", placebo_draws=0)
    assert merged.trades["entry"].tolist() == [DATES[6]]
    assert merged.trades["return"].iloc[0] == pytest.approx(1.01**5 - 1, rel=1e-12)


def test_long_short_collateral_earns_cash() -> None:
    """Long A short B: the spread's return plus cash on the capital; costs on both legs."""
    a, b = _geometric(0.01), _geometric(0.004)
    cash = pd.Series(0.0002, index=DATES)
    r = backtest(a, DATES[[0]], hold=2, short=b, cost_bps=5, cash=cash, placebo_draws=0)
    s = r.daily["strategy"].to_numpy()
    expected = np.full(11, 0.0002)
    expected[[1, 2]] += 0.006  # days 2 and 3
    expected[0] -= 2 * 0.0005  # two legs bought at the close of day 1
    # at the close of day 2 the capital is 1.0062 of the day's start, the long leg 1.01 and
    # the short one 1.004: both are brought back to the capital, trading 0.0038 + 0.0022
    g = 1.0062
    expected[1] -= 0.0005 * (abs(g - 1.01) + abs(g - 1.004)) / g
    expected[2] -= 0.0005 * (1.01 + 1.004) / g  # sold at the close of day 3: the legs' sizes
    np.testing.assert_allclose(s, expected, atol=1e-15)
    np.testing.assert_allclose(r.daily["buy_and_hold"], 0.006 + 0.0002, atol=1e-15)
    # the spread the daily series holds, compounded over the trade's days (rebalanced daily)
    assert r.trades["return"].iloc[0] == pytest.approx(1.006**2 - 1, rel=1e-12)
    assert r.holding == "long minus short"


def test_same_close_entry_is_flagged() -> None:
    a = _geometric(0.01)
    r = backtest(a, DATES[[2]], hold=3, entry="same_close", placebo_draws=0)
    assert r.daily["exposure"].to_numpy()[[2, 3, 4]].tolist() == [1.0, 1.0, 1.0]
    assert "optimistic" in " ".join(r.notes)
    assert r.to_dict()["optimistic_entry"] is True
    plain = backtest(a, DATES[[2]], hold=3, placebo_draws=0)
    assert not any("optimistic" in n for n in plain.notes)


def test_cash_from_yield_uses_the_previous_close() -> None:
    y = pd.Series([5.04, np.nan, 2.52], index=DATES[:3])
    rf = cash_from_yield(y)
    assert math.isnan(rf.iloc[0])
    assert rf.iloc[1] == pytest.approx(0.0504 / 252) and rf.iloc[2] == pytest.approx(0.0504 / 252)


def test_metrics_match_empyrical() -> None:
    """Annual return, volatility, Sharpe (with a risk-free series), Sortino and maximum
    drawdown against empyrical-reloaded 0.7 on a random series that starts with a gain
    (empyrical's drawdown does not count the starting capital as a peak)."""
    ep = pytest.importorskip("empyrical")
    rng = np.random.default_rng(9)
    r = 0.0004 + 0.012 * rng.standard_t(4, 3000)
    r[0] = 0.01
    rf = np.full(r.size, 0.0001)
    m = performance(r, rf)
    assert m["annual_return"] == pytest.approx(ep.annual_return(r), rel=1e-10)
    assert m["volatility"] == pytest.approx(ep.annual_volatility(r), rel=1e-10)
    assert m["sharpe"] == pytest.approx(ep.sharpe_ratio(r, risk_free=rf), rel=1e-10)
    assert m["sortino"] == pytest.approx(ep.sortino_ratio(r, required_return=rf), rel=1e-10)
    assert m["max_drawdown"] == pytest.approx(ep.max_drawdown(r), rel=1e-10)
    assert m["total_return"] == pytest.approx(ep.cum_returns_final(r), rel=1e-10)


def test_drawdown_dates_by_hand() -> None:
    r = np.array([0.1, -0.2, -0.1, 0.5, -0.05])
    dates = pd.bdate_range("2020-01-01", periods=5)
    dd = max_drawdown(r, dates)
    assert dd.depth == pytest.approx(1.1 * 0.8 * 0.9 / 1.1 - 1)
    assert (dd.peak, dd.trough, dd.recovery) == (dates[0], dates[2], dates[3])
    first_loss = max_drawdown(np.array([-0.1, 0.05]), dates[:2])
    assert first_loss.depth == pytest.approx(-0.1) and first_loss.recovery is None


def _placements(d: int, lengths: list[int]) -> Counter:
    """Every placement of runs of these lengths in d days, in any order, without overlap."""
    out: Counter = Counter()
    for order in itertools.permutations(range(len(lengths))):
        for starts in itertools.combinations(range(d), len(lengths)):
            pos, ok, cells = {}, True, set()
            for i, s in zip(order, starts, strict=True):
                cells_i = set(range(s, s + lengths[i]))
                if s + lengths[i] > d or cells & cells_i:
                    ok = False
                    break
                cells |= cells_i
                pos[i] = s
            # consecutive starts must leave room for the earlier run
            if ok and all(
                pos[order[j + 1]] >= pos[order[j]] + lengths[order[j]]
                for j in range(len(order) - 1)
            ):
                out[tuple(sorted(cells))] += 1
    return out


def test_placebo_is_uniform_over_placements() -> None:
    """The random re-placement of two holdings (2 days and 1 day) in 7 days: the frequency of
    each set of held days over 40,000 draws matches exact enumeration of the placements."""
    exposure = np.array([0, 1, 1, 0, 0, 1, 0], dtype=float)
    # active returns as powers of two: the sum identifies the set of held days
    active = 2.0 ** np.arange(7)
    sums = random_entry_placebo(exposure, active, 40_000, np.random.default_rng(1))
    exact = _placements(7, [2, 1])
    total = sum(exact.values())
    seen = Counter(int(s) for s in sums)
    expected = {int(sum(2**c for c in cells)): n / total for cells, n in exact.items()}
    assert set(seen) == set(expected)
    for key, prob in expected.items():
        assert seen[key] / 40_000 == pytest.approx(prob, abs=0.01)


def test_placebo_keeps_weight_profiles() -> None:
    """Stacked holdings keep their weights: with constant active returns every draw's sum is
    the total exposure times that return."""
    exposure = np.array([0, 0.5, 1, 0.5, 0, 0, 0.5, 0.5, 0, 0, 0, 0])
    sums = random_entry_placebo(exposure, np.full(12, 0.002), 500, np.random.default_rng(2))
    np.testing.assert_allclose(sums, exposure.sum() * 0.002, rtol=1e-12)
    assert random_entry_placebo(np.zeros(5), np.ones(5), 3, np.random.default_rng(0)).tolist() == [
        0,
        0,
        0,
    ]


def test_placebo_finds_a_planted_effect_and_not_a_missing_one() -> None:
    rng = np.random.default_rng(3)
    n = 2500
    dates = pd.bdate_range("2000-01-03", periods=n)
    r = rng.normal(0.0002, 0.01, n)
    ev = np.sort(rng.choice(np.arange(10, n - 100, 60), 20, replace=False))
    planted = r.copy()
    for e in ev:  # the test's own construction: +0.3% a day while held
        planted[e + 2 : e + 2 + 20] += 0.003
    a = pd.Series(100 * np.cumprod(1 + planted), index=dates)
    found = backtest(a, dates[ev], hold=20, seed=5, placebo_draws=999)
    assert found.placebo["p_value"] <= 0.01
    flat = pd.Series(100 * 1.0003 ** np.arange(n), index=dates)
    none = backtest(flat, dates[ev], hold=20, seed=5, placebo_draws=999)
    # every placement earns the same: the observed excess is matched by every draw
    assert none.placebo["p_value"] == 1.0


def test_sharpe_statistics_and_deflation() -> None:
    rng = np.random.default_rng(8)
    dates = pd.bdate_range("2000-01-03", periods=3000)
    a = pd.Series(100 * np.cumprod(1 + rng.normal(0.0004, 0.01, 3000)), index=dates)
    ev = dates[np.arange(50, 2900, 90)]
    r = backtest(a, ev, hold=40, n_trials=50, trials_variance=0.0004, placebo_draws=0)
    excess = (r.daily["strategy"] - r.daily["cash"]).to_numpy()
    st = sharpe_stats(excess)
    assert r.sharpe is not None and r.sharpe.sharpe == pytest.approx(st.sharpe, rel=1e-12)
    assert r.sharpe_se_annual == pytest.approx(st.se * math.sqrt(252), rel=1e-12)
    dsr, sr0 = deflated_sharpe(st.sharpe, st.n_obs, 50, 0.0004, st.skew, st.kurtosis)
    assert r.dsr == pytest.approx(dsr, rel=1e-12)
    assert r.sr0_annual == pytest.approx(sr0 * math.sqrt(252), rel=1e-12)
    assert r.dsr < r.psr  # the search costs confidence
    assert "Deflated for 50 trials" in r.verdict()


def test_bad_input_is_named() -> None:
    a = _geometric(0.01)
    holed = a.copy()
    holed.iloc[5] = np.nan
    with pytest.raises(DataError, match="rut has 1 missing.*2001-01-08"):
        backtest(holed, DATES[[2]], hold=3, names=("rut", "spx"))
    cash = pd.Series(0.0001, index=DATES)
    cash.iloc[4] = np.nan
    with pytest.raises(DataError, match="cash .*2001-01-05"):
        backtest(a, DATES[[2]], hold=3, cash=cash)
    with pytest.raises(ValueError, match="trials_variance"):
        backtest(a, DATES[[2]], hold=3, n_trials=5)
    with pytest.raises(ValueError, match="cost_bps"):
        backtest(a, DATES[[2]], hold=3, cost_bps=-1)
    with pytest.raises(DataError, match="fewer than hold"):
        backtest(a, DATES[[2]], hold=20)


def test_events_outside_the_sample_are_counted() -> None:
    a = _geometric(0.01)
    r = backtest(a, DATES[[1, 6]], hold=2, start=DATES[3], placebo_draws=0)
    assert len(r.events) == 1
    assert any("1 event(s) outside" in n for n in r.notes)


def test_result_is_frozen_and_serializable() -> None:
    import json

    a = _geometric(0.01, 12)
    r = backtest(a, DATES[[2]], hold=3, placebo_draws=50, seed=1)
    with pytest.raises(TypeError):
        r.performance["strategy"] = {}  # type: ignore[index]
    text = json.dumps(r.to_dict(), allow_nan=False)
    assert '"hold_days": 3' in text
    assert "Backtest: strategy" in r.summary() and "<h4>" in r._repr_html_()
    frame = r.to_frame()
    assert frame["portfolio"].tolist() == ["strategy", "buy_and_hold"]
    assert frame.shape == (2, 2 + 9 + 4)
    # tidy: numbers as float64, dates as datetime64, the same numbers as performance
    assert frame["sharpe"].dtype == np.float64 and frame["trades"].dtype == np.int64
    assert str(frame["drawdown_peak"].dtype).startswith("datetime64")
    for i, portfolio in enumerate(("strategy", "buy_and_hold")):
        assert frame.loc[i, "annual_return"] == r.performance[portfolio]["annual_return"]
    assert frame.loc[0, "trades"] == r.activity["trades"] == 1


def test_a_long_short_trade_is_the_spread_the_daily_series_holds() -> None:
    """Each trade's return is the daily series' spread compounded over the trade's days, so
    the table and the equity curve agree (an independent review found them of opposite sign
    over the flagship's 16 trades when the table held $1 long and $1 short unrebalanced)."""
    rng = np.random.default_rng(4)
    idx = pd.bdate_range("2020-01-01", periods=300)
    a = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.02, 300))), index=idx)
    b = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300))), index=idx)
    cash = pd.Series(0.0001, index=idx)
    r = backtest(
        a, idx[[10, 80, 150, 220]], hold=20, short=b, cash=cash, cost_bps=5, placebo_draws=0
    )
    d = r.daily
    active = (d["strategy"] - d["cash"] + d["cost"]) / d["exposure"].where(d["exposure"] > 0)
    for _, trade in r.trades.iterrows():
        days = (d.index > trade["entry"]) & (d.index <= trade["exit"])
        assert trade["return"] == pytest.approx(float(np.prod(1 + active[days]) - 1), rel=1e-12)
    compounded = np.prod(1 + r.trades["return"].to_numpy())
    curve = float(np.prod(1 + (d["strategy"] - d["cash"] + d["cost"]).to_numpy()))
    assert compounded == pytest.approx(curve, rel=1e-12)  # no other day is invested


def _dollar_account(x: np.ndarray, after: float, ra, rb, rf, c: float) -> tuple:
    """A literal account in dollars, independent of the weight arithmetic: the legs and the
    cash grow with their own returns; at each close both legs are bought or sold to the next
    day's weight of the capital, and the cost (c per dollar traded, measured against the
    capital at that close and charged on the day's starting capital) leaves the cash."""
    legs = 1 if rb is None else 2
    volume = [legs * abs(x[1] - x[0])]  # at the first close: paid on day 1
    owed = c * volume[0]
    v = 1.0
    long_, short_ = x[1], (x[1] if rb is not None else 0.0)
    cash = v - long_ + short_
    days = []
    for k in range(1, x.size):  # day k, then the trades at its close
        long_ *= 1 + ra[k - 1]
        short_ *= 1 + (rb[k - 1] if rb is not None else 0.0)
        cash *= 1 + rf[k - 1]
        pre = long_ - short_ + cash
        nxt = x[k + 1] if k + 1 < x.size else after
        trade = abs(nxt * pre - long_) + (abs(nxt * pre - short_) if rb is not None else 0.0)
        volume.append(trade / pre)
        new = pre - c * trade / pre * v - owed
        owed = 0.0
        days.append(new / v - 1)
        v = new
        long_, short_ = nxt * v, (nxt * v if rb is not None else 0.0)
        cash = v - long_ + short_
    return np.array(days), np.array(volume)


@pytest.mark.parametrize(
    ("rule", "short"), [("extend", True), ("stack", True), ("stack", False), ("extend", False)]
)
def test_costs_are_a_dollar_accounts_including_the_daily_rebalancing(rule: str, short: bool):
    # the spread's legs drift apart and against the capital every day, and so does a stacked
    # long-only weight between 0 and 1: keeping the weights trades, and is charged (it was
    # not: the flagship's spread traded ~1.2 times its capital a year uncharged)
    rng = np.random.default_rng(9)
    idx = pd.bdate_range("2020-01-01", periods=260)
    a = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.02, 260))), index=idx)
    b = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 260))), index=idx)
    cash = pd.Series(rng.uniform(0, 0.0003, 260), index=idx)
    events = idx[[0, 12, 30, 40, 44, 150, 240, 255]]
    r = backtest(
        a, events, hold=20, short=b if short else None, cash=cash, cost_bps=7,
        overlap=rule, max_slices=3, placebo_draws=0,
    )  # fmt: skip
    p = positions_from_events(
        260, idx.get_indexer(events), 20, overlap=rule, max_slices=3, entry="next_close"
    )
    ra = a.pct_change().to_numpy()[1:]
    rb = b.pct_change().to_numpy()[1:] if short else None
    days, volume = _dollar_account(p.exposure, p.exposure_after, ra, rb, cash.to_numpy()[1:], 7e-4)
    np.testing.assert_allclose(r.daily["strategy"].to_numpy(), days, rtol=0, atol=1e-15)
    assert r.activity["turnover"] == pytest.approx(volume.sum() / (259 / 252), rel=1e-12)
    weights_only = (1 if not short else 2) * np.abs(np.diff(np.r_[p.exposure, p.exposure_after]))
    if short or rule == "stack":  # it rebalanced, beyond the changes of weight
        assert volume.sum() > weights_only.sum() * 1.05
    else:  # a long-only weight of 0 or 1 never drifts
        np.testing.assert_array_equal(volume, weights_only)
    if rule == "extend":  # one trade at a time: the trades pay what the series pays
        paid = (r.trades["return"] - r.trades["net_return"]).sum()
        assert paid == pytest.approx(r.daily["cost"].sum(), rel=1e-12)


def test_traded_by_hand() -> None:
    """The weights' changes and drifts of :func:`traded` and :func:`traded_alone` on three
    days, worked by hand (both legs 1%/0.4%, cash 0.02%)."""
    from eventstudy.backtest.trading import traded, traded_alone

    ra, rb, rf = np.array([0.01, 0.01, 0.01]), np.array([0.004] * 3), np.array([0.0002] * 3)
    x = np.array([0.5, 1.0, 1.0, 0.25])  # held 0.5 into the first close
    got = traded(x, 0.0, ra, rb, rf)
    g1 = 1 + 1.0 * 0.006 + 0.0002
    g3 = 1 + 0.25 * 0.006 + 0.0002
    np.testing.assert_allclose(
        got,
        [
            2 * 0.5,  # both legs from 0.5 to 1 at the first close: no day has passed
            abs(1 - 1.01 / g1) + abs(1 - 1.004 / g1),  # rebalanced
            abs(0.25 - 1.01 / g1) + abs(0.25 - 1.004 / g1),  # cut to 0.25
            0.25 * 1.01 / g3 + 0.25 * 1.004 / g3,  # sold: the legs' drifted sizes
        ],
        rtol=1e-15,
    )
    long_only = traded(x, 0.0, ra, None, rf)
    np.testing.assert_allclose(long_only[[0, 1]], [0.5, 0.0], atol=1e-16)  # 1 never drifts
    g3 = 1 + 0.25 * 0.01 + 0.75 * 0.0002
    assert long_only[3] == pytest.approx(0.25 * 1.01 / g3, rel=1e-15)
    # held alone: in at close 0, out at close 3 (open flags as 0/1 integers are read as such)
    alone = traded_alone(np.array([0, 0]), np.array([3, 3]), [0, 1], ra, rb, rf)
    inside = 2 * (abs(1 - 1.01 / g1) + abs(1 - 1.004 / g1))  # closes 1 and 2 (and 3 if open)
    assert alone[0] == pytest.approx(2 + inside + (1.01 + 1.004) / g1, rel=1e-15)
    assert alone[1] == pytest.approx(2 + 1.5 * inside, rel=1e-15)
