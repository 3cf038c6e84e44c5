"""The backtest's and the Sharpe statistics' edges: exact error messages, defaults, boundaries,
open trades, same-close entry on the first date, the placebo's null distribution written out,
and the many-strategy path on its own edges (written after a mutation run showed what the
other tests let through)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from eventstudy.backtest import backtest, positions_from_events, random_entry_placebo
from eventstudy.backtest.many import trade_many
from eventstudy.backtest.metrics import annual_return, max_drawdown, performance
from eventstudy.exceptions import DataError
from eventstudy.inference.sharpe import (
    _bartlett_long_run,
    expected_max_sharpe,
    newey_west_lags,
    probabilistic_sharpe,
    sharpe_stats,
)

DATES = pd.bdate_range("2001-01-01", periods=12)


def exactly(message: str) -> str:
    return "^" + re.escape(message) + "$"


def _geometric(rate: float, n: int = 12, start: float = 100.0) -> pd.Series:
    return pd.Series(start * (1 + rate) ** np.arange(n), index=DATES[:n])


@pytest.mark.parametrize(
    "call,exc,message",
    [
        (lambda: positions_from_events(1, [], 2), ValueError, "n_dates must be >= 2, got 1"),
        (lambda: positions_from_events(2, [], 2), None, ""),
        (lambda: positions_from_events(5, [], 0), ValueError, "hold must be >= 1, got 0"),
        (
            lambda: positions_from_events(5, [], 1, max_slices=0),
            ValueError,
            "max_slices must be >= 1, got 0",
        ),
        (
            lambda: positions_from_events(5, [], 1, overlap="x"),  # type: ignore[arg-type]
            ValueError,
            "overlap must be one of ['extend', 'stack', 'ignore'], got 'x'",
        ),
        (
            lambda: positions_from_events(5, [], 1, entry="x"),  # type: ignore[arg-type]
            ValueError,
            "entry must be one of ['next_close', 'same_close'], got 'x'",
        ),
        (
            lambda: positions_from_events(5, [1, 1], 1),
            ValueError,
            "event_positions must be ascending, distinct and inside range(n_dates)",
        ),
        (lambda: newey_west_lags(0), ValueError, "n_obs must be >= 1, got 0"),
        (lambda: sharpe_stats([0.1, 0.2, 0.4], lags=-1), ValueError, "lags must be >= 0, got -1"),
        (
            lambda: sharpe_stats([0.1, 0.2]),
            ValueError,
            "need at least 3 returns for a Sharpe ratio, got 2",
        ),
        (
            lambda: sharpe_stats([0.1, np.inf, 0.2]),
            ValueError,
            "returns contain NaN or infinite values",
        ),
        (
            lambda: sharpe_stats([0.1, 0.1, 0.1]),
            ValueError,
            "returns are constant: the Sharpe ratio is undefined",
        ),
        (lambda: probabilistic_sharpe(0.1, 0.0, 1), ValueError, "n_obs must be >= 2, got 1"),
        (lambda: expected_max_sharpe(0, 0.1), ValueError, "n_trials must be >= 1, got 0"),
        (
            lambda: backtest(_geometric(0.01), DATES[[2]], hold=0),
            ValueError,
            "hold must be >= 1, got 0",
        ),
        (
            lambda: backtest(_geometric(0.01), DATES[[2]], hold=2, placebo_draws=-1),
            ValueError,
            "placebo_draws must be >= 0, got -1",
        ),
        (
            lambda: backtest(_geometric(0.01), DATES[[2]], hold=2, n_trials=0),
            ValueError,
            "n_trials must be >= 1, got 0",
        ),
        (
            lambda: backtest(_geometric(0.01), DATES[[2]], hold=2, n_trials=2),
            ValueError,
            "n_trials > 1 needs trials_variance (variance of their Sharpe ratios)",
        ),
        (
            lambda: backtest(_geometric(0.01).reset_index(drop=True), [2], hold=2),
            TypeError,
            "long must be a Series with a DatetimeIndex, got a RangeIndex",
        ),
        (
            lambda: backtest(_geometric(0.01), DATES[[2]], hold=11),
            DataError,
            "backtest: 12 dates in the sample, fewer than hold + 2 = 13",
        ),
    ],
)
def test_messages_are_exact(call, exc, message) -> None:  # type: ignore[no-untyped-def]
    if exc is None:
        call()  # the boundary itself is allowed
        return
    with pytest.raises(exc, match=exactly(message)):
        call()


def test_boundaries_are_inclusive() -> None:
    assert newey_west_lags(1) == 1  # floor(4 x 0.01^(2/9)) = floor(1.44)
    assert sharpe_stats([0.1, 0.2, 0.4], lags=0).n_obs == 3  # three returns are enough
    assert probabilistic_sharpe(0.1, 0.0, 2) > 0.5
    assert expected_max_sharpe(1, 0.1) == 0.0
    backtest(_geometric(0.01), DATES[[2]], hold=10, placebo_draws=0)  # t = hold + 2 runs
    # a denominator of exactly zero is inconsistent too
    # 1 - 1.5 x 2 + (3 - 1) / 4 x 2^2 = 0 exactly
    with pytest.raises(ValueError, match="= 0 <= 0: inconsistent moments"):
        probabilistic_sharpe(2.0, 0.0, 100, skew=1.5, kurtosis=3.0)
    # the lags are summed up to and including the last
    v = np.array([1.0, -2.0, 0.5, 1.5, -1.0])
    by_hand = (v @ v + 2 * (2 / 3) * (v[1:] @ v[:-1]) + 2 * (1 / 3) * (v[2:] @ v[:-2])) / 5
    assert _bartlett_long_run(v, 2) == pytest.approx(by_hand, rel=1e-14)


def test_prices_below_one_and_zero() -> None:
    cheap = _geometric(0.01, start=0.5)
    r = backtest(cheap, DATES[[2]], hold=3, placebo_draws=0)
    assert r.trades["return"].iloc[0] == pytest.approx(1.01**3 - 1)
    zero = cheap.copy()
    zero.iloc[4] = 0.0
    with pytest.raises(
        DataError,
        match=exactly(
            "backtest: long has 1 missing or non-positive prices in the sample, first on 2001-01-05"
        ),
    ):
        backtest(zero, DATES[[2]], hold=3)
    short = _geometric(0.0, start=0.5)
    short.iloc[3] = -1.0
    with pytest.raises(DataError, match="^backtest: short has 1 missing"):
        backtest(cheap, DATES[[2]], hold=3, short=short)
    with pytest.raises(DataError, match="^backtest: spx has 1 missing"):
        backtest(cheap, DATES[[2]], hold=3, short=short, names=("rut", "spx"))
    table, _ = trade_many(cheap, [DATES[[2]]], [None], [None], hold=3)
    assert table["trades"].iloc[0] == 1
    with pytest.raises(DataError, match="^backtest: long has 1 missing"):
        trade_many(zero, [DATES[[2]]], [None], [None], hold=3)
    with pytest.raises(DataError, match="^backtest: short has 1 missing"):
        trade_many(cheap, [DATES[[2]]], [None], [None], hold=3, short=short)


def test_defaults_and_fields() -> None:
    a = _geometric(0.01)
    r = backtest(a, DATES[[2]], hold=3, seed=0)
    assert (r.overlap, r.max_slices, r.entry, r.cost_bps, r.cash) == (
        "extend",
        1,
        "next_close",
        0.0,
        "zero",
    )
    assert r.placebo["draws"] == 1000 and r.n_trials == 1 and r.trials_variance is None
    assert r.short is None and r.long == "long" and r.name == "strategy"
    assert r.rule == "an event while invested extends the holding to 3 days after its own entry"
    assert list(r.trades.columns) == [
        "event",
        "entry",
        "exit",
        "days",
        "weight",
        "return",
        "net_return",
        "open",
    ]
    assert r.trades["days"].tolist() == [3] and r.trades["weight"].tolist() == [1.0]
    assert list(r.daily.columns) == ["strategy", "buy_and_hold", "cash", "exposure", "cost"]
    assert r.daily.index.equals(DATES[1:])
    assert set(r.activity) == {
        "exposure",
        "average_weight",
        "turnover",
        "trades",
        "hit_rate",
        "costs",
        "years",
    }
    assert r.activity["years"] == pytest.approx(11 / 252)
    assert r.activity["average_weight"] == pytest.approx(3 / 11)
    stacked = backtest(a, DATES[[2, 3]], hold=3, overlap="stack", max_slices=2, placebo_draws=0)
    assert stacked.rule.startswith("each event opens a slice of 1/2 of the capital held 3 days")
    assert stacked.max_slices == 2 and stacked.overlap == "stack"
    pos = positions_from_events(6, [1, 2], 2, overlap="stack")
    assert pos.weights.tolist() == [1.0]  # stack with the default of one slice = ignore
    loss = backtest(_geometric(-0.01), DATES[[2]], hold=3, placebo_draws=0)
    assert math.isnan(loss.dsr) is False
    # the peak is the starting capital, dated at the first day's return (dates are given)
    assert loss.performance["strategy"]["drawdown_peak"] == DATES[1]
    assert loss.performance["strategy"]["drawdown_trough"] == DATES[6]


def test_same_close_on_the_first_date_and_open_trades() -> None:
    """A same-close entry on the first date is paid on day 1; a position still open on the
    last date pays its entry only, and is marked open."""
    a = _geometric(0.01)
    r = backtest(a, DATES[[0, 8]], hold=5, entry="same_close", cost_bps=10, placebo_draws=0)
    cost = r.daily["cost"].to_numpy()
    assert cost[0] == pytest.approx(0.001) and cost[4] == pytest.approx(0.001)
    assert r.trades["open"].tolist() == [False, True]
    assert r.trades["days"].tolist() == [5, 3]
    net = r.trades["net_return"].to_numpy()
    gross = r.trades["return"].to_numpy()
    np.testing.assert_allclose(gross - net, [0.002, 0.001], rtol=1e-12)
    assert r.notes[-1] == "The last position is still open on the last date (valued at its close)."
    assert r.notes[0] == (
        "Entry at the close of the event day itself: this assumes trading at the price that "
        "made the signal, which no one could (optimistic)."
    )
    late = backtest(a, DATES[[10, 11]], hold=2, placebo_draws=0)
    assert late.notes == ("2 event(s) too close to the end of the data to trade.",)
    # a trade that ends exactly on the last date is closed, not open
    exact = backtest(a, DATES[[5]], hold=5, placebo_draws=0)
    assert exact.trades["open"].tolist() == [False]
    assert exact.trades["exit"].tolist() == [DATES[11]]


def test_hit_rate_counts_gains_only() -> None:
    flat = pd.Series(100.0, index=DATES)
    # the trial count is checked even when no Sharpe ratio can be computed
    with pytest.raises(ValueError, match=exactly("n_trials must be >= 1, got 0")):
        backtest(flat, DATES[[2]], hold=3, n_trials=0)
    r = backtest(flat, DATES[[2]], hold=3, placebo_draws=0)
    assert r.activity["hit_rate"] == 0.0  # a zero return is not a gain
    # constant excess returns: no Sharpe statistics, and the verdict says what it can
    assert r.sharpe is None and math.isnan(r.psr) and math.isnan(r.dsr)
    assert math.isnan(r.sharpe_se_annual) and math.isnan(r.sr0_annual)
    assert "probability" not in r.verdict() and r.to_dict()["deflated_sharpe"] is None


def test_placebo_null_written_out() -> None:
    """The placebo's excess over buy-and-hold per draw: with the seed's own placements (from
    random_entry_placebo), (sum of the placed exposure times (asset - cash) - sum of (asset -
    cash) - costs) / days, annualized; its median and quantiles are those of that vector."""
    rng = np.random.default_rng(4)
    n = 300
    dates = pd.bdate_range("2002-01-01", periods=n)
    a = pd.Series(100 * np.cumprod(1 + rng.normal(0.0005, 0.01, n)), index=dates)
    cash = pd.Series(0.0001, index=dates)
    ev = dates[[20, 90, 200]]
    r = backtest(a, ev, hold=15, cash=cash, cost_bps=3, placebo_draws=400, seed=9)
    ra = a.pct_change().to_numpy()[1:]
    active = ra - 0.0001
    x = r.daily["exposure"].to_numpy()
    sums = random_entry_placebo(x, active, 400, np.random.default_rng(9))
    days = n - 1
    null = (sums - active.sum() - r.daily["cost"].sum()) / days * 252
    excess = (r.daily["strategy"].mean() - r.daily["buy_and_hold"].mean()) * 252
    pl = r.placebo
    assert pl["excess"] == pytest.approx(excess, rel=1e-12)
    assert pl["median"] == pytest.approx(np.median(null), rel=1e-10)
    assert pl["q05"] == pytest.approx(np.quantile(null, 0.05), rel=1e-10)
    assert pl["q95"] == pytest.approx(np.quantile(null, 0.95), rel=1e-10)
    matched = np.count_nonzero(null >= excess)
    assert pl["p_value"] == pytest.approx((1 + matched) / 401)
    assert pl["beaten_by"] == pytest.approx(matched / 400)
    again = backtest(a, ev, hold=15, cash=cash, cost_bps=3, placebo_draws=400, seed=9)
    assert again.placebo == r.placebo  # the seed decides the draws


def test_a_placebo_draw_equal_to_the_strategy_counts() -> None:
    """Ties count as matching (>=), also when the excess is large."""
    n = 60
    dates = pd.bdate_range("2002-01-01", periods=n)
    a = pd.Series(1000 * 1.002 ** np.arange(n), index=dates)
    r = backtest(a, dates[[5]], hold=10, placebo_draws=100, seed=0, cost_bps=50)
    assert r.placebo["p_value"] == 1.0 and r.placebo["beaten_by"] == 1.0


def test_metrics_edges() -> None:
    assert annual_return(np.array([-1.0, 0.5])) == -1.0  # wiped out
    assert annual_return(np.array([0.1, 0.1]), 2) == pytest.approx(0.21)  # one year
    assert annual_return(np.array([0.1, 0.1]), 1) == pytest.approx(1.21**0.5 - 1)
    rise = max_drawdown(np.array([0.1, 0.2]), pd.bdate_range("2020-01-01", periods=2))
    assert (rise.depth, rise.peak, rise.trough, rise.recovery) == (0.0, None, None, None)
    dates = pd.bdate_range("2020-01-01", periods=5)
    # the peak is the first date at the running maximum, the recovery the first date back at it
    dd = max_drawdown(np.array([0.1, 0.0, -0.5, 1.0, 0.0]), dates)
    assert (dd.peak, dd.trough, dd.recovery) == (dates[0], dates[2], dates[3])
    exact = max_drawdown(np.array([0.25, -0.2, 0.25]), dates[:3])
    assert exact.recovery == dates[2]  # back exactly at the peak counts as recovered
    one = performance(np.array([0.01]), np.zeros(1))
    assert math.isnan(one["sharpe"]) and math.isnan(one["volatility"])
    two = performance(np.array([0.01, 0.03]), np.zeros(2), periods=4)
    assert two["sharpe"] == pytest.approx(0.02 / np.std([0.01, 0.03], ddof=1) * 2)
    assert two["annual_return"] == pytest.approx((1.01 * 1.03) ** 2 - 1)


def test_trade_many_edges() -> None:
    rng = np.random.default_rng(2)
    n = 400
    dates = pd.bdate_range("2003-01-01", periods=n)
    a = pd.Series(100 * np.cumprod(1 + rng.normal(0.0004, 0.01, n)), index=dates)
    cash = pd.Series(0.0001, index=dates)
    events = [dates[np.sort(rng.choice(n, 6, replace=False))] for _ in range(130)]
    events[0] = dates[[0, 397, 398]]  # a same-close entry on the first date; late events
    starts = [None] * 130
    ends = [None] * 130
    ends[1] = dates[300]  # an event two days before the end of a shortened sample
    events[1] = dates[[100, 298]]
    table, keys = trade_many(
        a, events, starts, ends, hold=5, cash=cash, cost_bps=20, entry="same_close"
    )
    assert len(table) == 130 and len(keys) == 130  # more than one block of specifications
    for i in (0, 1, 129):
        one = backtest(
            a,
            events[i],
            start=starts[i],
            end=ends[i],
            hold=5,
            cash=cash,
            cost_bps=20,
            entry="same_close",
            placebo_draws=0,
        )
        assert table["sharpe"].iloc[i] == pytest.approx(one.performance["strategy"]["sharpe"])
        assert table["trades"].iloc[i] == one.activity["trades"]
        assert table["annual_return"].iloc[i] == pytest.approx(
            one.performance["strategy"]["annual_return"]
        )
        assert table["max_drawdown"].iloc[i] == pytest.approx(
            one.performance["strategy"]["max_drawdown"]
        )
    # defaults: extend, no costs
    plain, _ = trade_many(a, events[2:3], [None], [None], hold=5)
    one = backtest(a, events[2], hold=5, placebo_draws=0)
    assert plain["sharpe"].iloc[0] == pytest.approx(one.performance["strategy"]["sharpe"])
    stacked, _ = trade_many(a, [dates[[10, 12]]], [None], [None], hold=5, overlap="stack")
    assert stacked["exposure"].iloc[0] == pytest.approx(5 / (n - 1))  # one slice only

    # an event object with .dates, and a wiped-out strategy
    from types import SimpleNamespace

    crash = a.copy()
    crash.iloc[12:] = crash.iloc[12:] * 1e-9
    wiped, _ = trade_many(
        crash, [SimpleNamespace(dates=dates[[10]])], [None], [None], hold=5, short=None
    )
    assert wiped["annual_return"].iloc[0] > -1.0 and wiped["max_drawdown"].iloc[0] < -0.99
    # same returns, different samples: different strategies
    _, k = trade_many(
        pd.Series(100.0, index=dates),
        [dates[[5]], dates[[5]]],
        [None, dates[1]],
        [None, None],
        hold=3,
    )
    assert k[0] != k[1]


def test_more_edges_named_by_mutation() -> None:
    a = _geometric(0.01)
    cash = pd.Series(0.0001, index=DATES)
    cash.iloc[4] = np.nan
    with pytest.raises(
        DataError,
        match=exactly(
            "backtest: cash (cash) has no rate for 2001-01-05; start the backtest later or use "
            "cash = 'zero'"
        ),
    ):
        backtest(a, DATES[[2]], hold=3, cash=cash)
    down = backtest(_geometric(-0.01), DATES[[2]], hold=3, placebo_draws=0)
    bh = down.performance["buy_and_hold"]
    assert (bh["drawdown_peak"], bh["drawdown_trough"]) == (DATES[1], DATES[11])
    assert down.sharpe_annual == down.performance["strategy"]["sharpe"]
    r = backtest(a, DATES[[2]], hold=3, n_trials=4, trials_variance=0.0009, placebo_draws=0)
    assert r.trials_variance == 0.0009 and r.n_trials == 4
    # a position that ends exactly on the last date is not said to be open
    exact = backtest(a, DATES[[5]], hold=5, placebo_draws=0)
    assert not any("still open" in n for n in exact.notes)
    # same-close entry on the first date held one day: bought at close 0, sold at close 1,
    # both trades paid on day 1
    one_day = backtest(a, DATES[[0]], hold=1, entry="same_close", cost_bps=10, placebo_draws=0)
    assert one_day.daily["cost"].iloc[0] == pytest.approx(0.002)
    table, _ = trade_many(a, [DATES[[0]]], [None], [None], hold=1, entry="same_close", cost_bps=10)
    assert table["annual_return"].iloc[0] == pytest.approx(
        one_day.performance["strategy"]["annual_return"], rel=1e-12
    )
    # a long-short day that loses more than the capital: the annual return is -100%
    b = pd.Series([100.0, 100, 100, 100, 300, 300, 300, 300, 300, 300, 300, 300], index=DATES)
    wiped = backtest(_geometric(0.0), DATES[[1]], hold=3, short=b, placebo_draws=0)
    assert wiped.performance["strategy"]["annual_return"] == -1.0
    many, _ = trade_many(_geometric(0.0), [DATES[[1]]], [None], [None], hold=3, short=b)
    assert many["annual_return"].iloc[0] == -1.0
    assert annual_return(np.array([-2.0, 0.1])) == -1.0
    two = performance(np.array([0.01, 0.03]), np.zeros(2), periods=4)
    assert two["volatility"] == pytest.approx(np.std([0.01, 0.03], ddof=1) * 2)


def test_placebo_with_a_holding_on_the_first_day() -> None:
    exposure = np.array([1.0, 1.0, 0.5, 0, 0, 0, 0, 1, 0, 0])
    sums = random_entry_placebo(exposure, np.full(10, 0.01), 300, np.random.default_rng(5))
    np.testing.assert_allclose(sums, exposure.sum() * 0.01, rtol=1e-12)


def test_trade_many_reads_its_own_dates() -> None:
    rng = np.random.default_rng(6)
    n = 60
    dates = pd.bdate_range("2004-01-01", periods=n)
    a = pd.Series(100 * np.cumprod(1 + rng.normal(0.001, 0.01, n)), index=dates)
    wide = pd.Series(0.0002, index=pd.bdate_range("2003-12-01", periods=n + 40))  # a superset
    ev = dates[[10, 48, 49, 51]]  # 49: one day before the sample's end; 51: the day after
    rules = {"hold": 1, "cash": wide, "entry": "same_close", "cost_bps": 5.0, "overlap": "ignore"}
    table, _ = trade_many(a, [ev], [None], [dates[50]], **rules)  # type: ignore[arg-type]
    one = backtest(a, ev, end=dates[50], placebo_draws=0, **rules)  # type: ignore[arg-type]
    assert table["trades"].iloc[0] == one.activity["trades"] == 3
    assert table["sharpe"].iloc[0] == pytest.approx(one.performance["strategy"]["sharpe"])
    # equal (zero) excess returns over samples of the same length but different dates
    flat = pd.Series(100.0, index=dates)
    _, k = trade_many(flat, [dates[[5]], dates[[5]]], [None, dates[1]], [dates[58], None], hold=3)
    assert k[0] != k[1]
