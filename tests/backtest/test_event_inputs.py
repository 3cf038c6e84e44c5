"""What backtest accepts as events, prices and cash, and the clear errors for the rest:
positions, triggers and SignalResults are refused (positions used to be read as nanosecond
timestamps and trade nothing), time zones must agree, a cash series in percent is refused."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy.backtest import backtest, cash_from_yield
from eventstudy.events import find_events
from eventstudy.exceptions import DataError, DroppedEventsWarning
from eventstudy.signals import SignalResult

IDX = pd.bdate_range("2020-01-01", periods=120)
PX = pd.Series(100 * np.exp(np.cumsum(np.full(120, 0.001))), index=IDX, name="px")


def _trigger() -> pd.Series:
    trig = pd.Series(False, index=IDX)
    trig.iloc[[10, 60]] = True
    return trig


@pytest.mark.parametrize(
    "events",
    [[10, 60], np.array([10, 60]), pd.Index([10, 60]), np.array([10.0, 60.0])],
    ids=["list", "ndarray", "Index", "float"],
)
def test_integer_positions_are_refused(events: object) -> None:
    with pytest.raises(TypeError, match=r"events are numbers .*EventTable.*dates"):
        backtest(PX, events, hold=5, placebo_draws=0)


def test_a_bool_trigger_and_a_signal_result_are_refused() -> None:
    trig = _trigger()
    with pytest.raises(TypeError, match=r"boolean trigger Series: pass es.find_events"):
        backtest(PX, trig, hold=5, placebo_draws=0)
    with pytest.raises(TypeError, match=r"boolean array"):
        backtest(PX, trig.to_numpy(), hold=5, placebo_draws=0)
    sr = SignalResult(
        value=trig.astype(float), trigger=trig, threshold=0.5, look_ahead=False, description="x"
    )
    with pytest.raises(TypeError, match=r"SignalResult .*find_events"):
        backtest(PX, sr, hold=5, placebo_draws=0)


def test_an_event_table_and_dates_trade_the_same() -> None:
    table = find_events(_trigger(), min_gap=1)
    a = backtest(PX, table, hold=5, placebo_draws=0)
    b = backtest(PX, IDX[[10, 60]], hold=5, placebo_draws=0)
    c = backtest(PX, [f"{IDX[10]:%Y-%m-%d}", f"{IDX[60]:%Y-%m-%d}"], hold=5, placebo_draws=0)
    assert a.activity["trades"] == b.activity["trades"] == c.activity["trades"] == 2
    assert a.daily.equals(b.daily) and a.daily.equals(c.daily)


@pytest.mark.parametrize("bad", [PX.to_frame(), PX.to_numpy()], ids=["DataFrame", "ndarray"])
def test_long_and_short_must_be_price_series(bad: object) -> None:
    with pytest.raises(TypeError, match=r"^long must be a .*Series"):
        backtest(bad, IDX[[10]], hold=5, placebo_draws=0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^short must be a .*Series"):
        backtest(PX, IDX[[10]], hold=5, short=bad, placebo_draws=0)  # type: ignore[arg-type]


def test_time_zones_must_agree() -> None:
    with pytest.raises(TypeError, match=r"events is tz-aware \(UTC\) but the prices .* tz-naive"):
        backtest(PX, IDX[[10]].tz_localize("UTC"), hold=5, placebo_draws=0)
    with pytest.raises(TypeError, match=r"events is tz-naive but the prices .* tz-aware"):
        backtest(PX.tz_localize("UTC"), IDX[[10]], hold=5, placebo_draws=0)
    both = backtest(PX.tz_localize("UTC"), IDX[[10]].tz_localize("UTC"), hold=5, placebo_draws=0)
    assert both.activity["trades"] == 1


def test_unsorted_or_repeated_prices_name_the_date() -> None:
    dup = pd.concat([PX.iloc[:50], PX.iloc[49:]])
    with pytest.raises(DataError, match=r"2020-03-10 is repeated"):
        backtest(dup, IDX[[10]], hold=5, placebo_draws=0)
    swapped = PX.iloc[[*range(30), 31, 30, *range(32, 120)]]
    with pytest.raises(DataError, match=r"2020-02-12 is out of order"):
        backtest(swapped, IDX[[10]], hold=5, placebo_draws=0)


def test_weekend_events_move_to_the_next_trading_day() -> None:
    saturday = pd.Timestamp("2020-01-18")  # IDX[13] is Monday 2020-01-20
    moved = backtest(PX, [saturday], hold=5, placebo_draws=0)
    monday = backtest(PX, [IDX[13]], hold=5, placebo_draws=0)
    assert moved.activity["trades"] == 1
    assert moved.daily.equals(monday.daily)
    assert list(moved.events) == [IDX[13]]
    assert any("moved to the next trading day" in n for n in moved.notes)
    both = backtest(PX, [saturday, IDX[13]], hold=5, placebo_draws=0)
    assert both.activity["trades"] == 1 and any("onto another event" in n for n in both.notes)


def test_events_outside_the_data_warn_and_are_noted() -> None:
    with pytest.warns(DroppedEventsWarning, match=r"1 of 2 event\(s\) fall outside"):
        r = backtest(PX, ["1990-01-02", IDX[10]], hold=5, placebo_draws=0)
    assert r.activity["trades"] == 1
    assert any("outside the dates of the data" in n for n in r.notes)
    # outside start/end (the caller's sample) but inside the data: a note, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = backtest(PX, IDX[[10, 60]], hold=5, start=IDX[40], placebo_draws=0)
    assert any("outside the backtest's dates" in n for n in r.notes)


def test_cash_in_percent_is_refused_and_decimal_accepted() -> None:
    rf_percent = pd.Series(0.02, index=IDX, name="rf")  # 0.02 % a day, as French publishes
    with pytest.raises(ValueError, match=r"cash \(rf\).*looks like percent.*100.*cash_from_yield"):
        backtest(PX, IDX[[10]], hold=5, cash=rf_percent, placebo_draws=0)
    ok = backtest(PX, IDX[[10]], hold=5, cash=rf_percent / 100, placebo_draws=0)
    assert ok.cash == "rf"  # labelled by the series' name, not "zero"
    edge = backtest(PX, IDX[[10]], hold=5, cash=pd.Series(0.001, index=IDX), placebo_draws=0)
    assert edge.cash == "cash"
    y = cash_from_yield(pd.Series(5.0, index=IDX, name="dgs3mo"))
    assert backtest(PX, IDX[[10]], hold=5, cash=y.fillna(0.0), placebo_draws=0).cash == "dgs3mo"
    assert backtest(PX, IDX[[10]], hold=5, placebo_draws=0).cash == "zero"
    assert backtest(PX, IDX[[10]], hold=5, cash=rf_percent / 100, cash_name="T-bill").cash == (
        "T-bill"
    )


def test_events_with_a_time_of_day_trade_on_their_own_day() -> None:
    """An event stamped 16:00 on a trading day moved to the next day, and one at 16:00 on
    the last day was dropped as outside the data (with a DroppedEventsWarning)."""
    days = IDX[[30, 60, len(IDX) - 1]]
    plain = backtest(PX, days, hold=5, placebo_draws=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stamped = backtest(PX, days + pd.Timedelta(hours=16), hold=5, placebo_draws=0)
    pd.testing.assert_frame_equal(stamped.trades, plain.trades)
    assert stamped.notes == plain.notes


def test_the_whole_messages_of_the_inputs_and_the_notes() -> None:
    """Exact texts (mutation survivors): the hold, an empty price series, the time zones of
    short and cash by name, cash of the wrong type, events outside the data (the first such
    date) and weekend events merged onto another event's day."""
    with pytest.raises(ValueError, match=r"^hold must be >= 1, got 0$"):
        backtest(PX, IDX[[10]], hold=0, placebo_draws=0)
    with pytest.raises(DataError, match=r"^backtest: long has no dates$"):
        backtest(PX.iloc[:0], IDX[[10]], hold=5, placebo_draws=0)
    aware = PX.tz_localize("UTC")
    with pytest.raises(TypeError, match=r"^short is tz-aware \(UTC\) but the prices \(long\)"):
        backtest(PX, IDX[[10]], hold=5, short=aware, placebo_draws=0)
    with pytest.raises(TypeError, match=r"^cash is tz-aware \(UTC\) but the prices \(long\)"):
        backtest(PX, IDX[[10]], hold=5, cash=aware * 0 + 1e-4, placebo_draws=0)
    with pytest.raises(TypeError) as info:
        backtest(PX, IDX[[10]], hold=5, cash=[0.0001] * 120, placebo_draws=0)  # type: ignore[arg-type]
    assert str(info.value) == (
        "cash must be a Series of daily decimal returns with a DatetimeIndex, got list"
    )
    with pytest.raises(TypeError, match=r"^cash must be a Series .* DatetimeIndex, got Series$"):
        backtest(PX, IDX[[10]], hold=5, cash=pd.Series(np.full(120, 1e-4)), placebo_draws=0)
    early = [pd.Timestamp("2019-06-03"), pd.Timestamp("2019-07-01"), IDX[10]]
    with pytest.warns(DroppedEventsWarning) as rec:
        res = backtest(PX, early, hold=5, placebo_draws=0)
    assert str(rec[0].message) == (
        "backtest: 2 of 3 event(s) fall outside the dates of long (2020-01-01..2020-06-16) and "
        "were dropped, e.g. 2019-06-03. Silence with warnings.filterwarnings('ignore', "
        "category=DroppedEventsWarning)"
    )
    assert "2 event(s) outside the dates of the data were dropped." in res.notes
    # Saturday 2020-01-11 and Sunday 2020-01-12 both move to Monday 2020-01-13, an event too
    merged = backtest(PX, ["2020-01-11", "2020-01-12", "2020-01-13"], hold=5, placebo_draws=0)
    assert (
        "2 event(s) dated on a non-trading day moved to the next trading day (2 of them onto "
        "another event's day)." in merged.notes
    )
    moved = backtest(PX, ["2020-01-11"], hold=5, placebo_draws=0)
    assert "1 event(s) dated on a non-trading day moved to the next trading day." in moved.notes


def test_naive_short_or_cash_beside_aware_prices_and_a_zero_trials_variance() -> None:
    """The time-zone check compares each input with the long prices (not with nothing), and
    a stated trials variance of 0 is used as 0 (three trials that all had the same Sharpe
    ratio: nothing to deflate, the expected best of them is 0)."""
    aware = PX.tz_localize("UTC")
    with pytest.raises(TypeError, match=r"^short is tz-naive but the prices \(long\) are tz-aware"):
        backtest(aware, IDX[[10]].tz_localize("UTC"), hold=5, short=PX, placebo_draws=0)
    with pytest.raises(TypeError, match=r"^cash is tz-naive but the prices \(long\) are tz-aware"):
        backtest(aware, IDX[[10]].tz_localize("UTC"), hold=5, cash=PX * 0, placebo_draws=0)
    res = backtest(PX, IDX[[10, 60]], hold=5, placebo_draws=0, n_trials=3, trials_variance=0.0)
    assert res.sr0_annual == 0.0 and res.trials_variance == 0.0


def test_cash_in_percent_with_a_median_of_zero_is_refused() -> None:
    """A Fama-French rf in percent reads 0.00 on most days of 2020-2022 (two decimals) and 0.01
    on some: its median passed, and each 0.01 day earned 1% (a 2020-2022 backtest returned
    +488% where -8% is right). A day above 0.5% is refused; a weekend's accrual at a 1981 rate
    (0.13%, which the first version of this check refused) is not."""
    rf = pd.Series(0.0, index=IDX, name="rf")
    rf.iloc[[7, 30]] = 0.01
    with pytest.raises(
        ValueError,
        match=rf"cash \(rf\): a daily return of 0.01 on {IDX[7]:%Y-%m-%d} \(1.00% a day; 2 days "
        r"above 0.5%\): it looks like percent",
    ):
        backtest(PX, IDX[[10]], hold=5, cash=rf, placebo_draws=0)
    assert backtest(PX, IDX[[10]], hold=5, cash=rf / 100, placebo_draws=0).cash == "rf"
    weekends = pd.Series(np.where(IDX.day_of_week == 0, 3, 1) * 0.16 / 365, index=IDX, name="mm")
    assert backtest(PX, IDX[[10]], hold=5, cash=weekends, placebo_draws=0).cash == "mm"
    negative = pd.Series(0.0, index=IDX, name="rf")
    negative.iloc[40] = -0.006
    with pytest.raises(ValueError, match=r"a daily return of -0.006 .*1 day above 0.5%"):
        backtest(PX, IDX[[10]], hold=5, cash=negative, placebo_draws=0)


@pytest.mark.parametrize("cost", [True, float("inf"), float("nan"), 5000, -1, "5"])
def test_costs_outside_0_to_5000_bp_are_refused(cost: object) -> None:
    """From 5,000 bp a long-short round trip costs all the capital: the wealth went below
    zero and came back (+303% on a 30,000 bp backtest); inf crashed with an IndexError."""
    with pytest.raises(ValueError, match="cost_bps must be a number of basis points from 0 to"):
        backtest(PX, IDX[[10]], hold=5, cost_bps=cost, placebo_draws=0)  # type: ignore[arg-type]
    high = backtest(PX, IDX[[10]], hold=5, cost_bps=4999, placebo_draws=0)
    assert (high.daily["strategy"] > -1).all()


def test_an_empty_list_of_events_is_no_trade() -> None:
    r = backtest(PX, [], hold=5, placebo_draws=0)
    assert r.activity["trades"] == 0
    assert r.daily["exposure"].eq(0).all()


@pytest.mark.parametrize(
    ("overlap", "said"),
    [
        ("extend", "extended the holding instead of opening a new position"),
        ("ignore", "were ignored (no new position, no extension)"),
        ("stack", "found every slice in use and opened none"),
    ],
)
def test_the_note_on_events_while_invested_says_what_they_did(overlap: str, said: str) -> None:
    slices = {"max_slices": 1} if overlap == "stack" else {}
    r = backtest(PX, IDX[[10, 12]], hold=5, overlap=overlap, placebo_draws=0, **slices)
    assert f"1 event(s) fell while invested and {said}." in r.notes
