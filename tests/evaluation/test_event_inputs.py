"""evaluate and average_path take an EventTable or event dates as well as positions; an
EventTable found on another calendar, horizons disagreeing with the forward returns, a bad
alpha and tz-aware sample dates are refused with errors that name them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.evaluation import average_path, evaluate, forward_returns
from eventstudy.events import find_events
from eventstudy.exceptions import DataError

IDX = pd.bdate_range("2000-01-03", periods=400)
PX = pd.Series(100 * np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.01, 400))), IDX)
POS = np.array([50, 120, 200, 260])


def _table(index: pd.DatetimeIndex = IDX):  # type: ignore[no-untyped-def]
    trig = pd.Series(False, index=index)
    trig.iloc[POS] = True
    return find_events(trig, min_gap=1)


def _ev(fwd: pd.DataFrame, events: object, **kw: object):  # type: ignore[no-untyped-def]
    return evaluate(fwd, events, tests=["naive_t"], seed=0, **kw)  # type: ignore[arg-type]


def test_evaluate_takes_an_event_table_and_dates_like_positions() -> None:
    fwd = forward_returns(PX, {"1m": 21})
    a = _ev(fwd, POS).to_frame()
    pd.testing.assert_frame_equal(_ev(fwd, _table()).to_frame(), a)
    pd.testing.assert_frame_equal(_ev(fwd, IDX[POS]).to_frame(), a)
    pd.testing.assert_frame_equal(_ev(fwd, [f"{d:%Y-%m-%d}" for d in IDX[POS]]).to_frame(), a)


def test_average_path_takes_an_event_table_and_dates_like_positions() -> None:
    a = average_path(PX, POS, pre=5, post=21).to_frame()
    pd.testing.assert_frame_equal(average_path(PX, _table(), pre=5, post=21).to_frame(), a)
    pd.testing.assert_frame_equal(average_path(PX, IDX[POS], pre=5, post=21).to_frame(), a)


def test_an_event_table_from_another_calendar_is_refused() -> None:
    longer = pd.bdate_range("1999-01-01", periods=600)  # the events were found on this one
    table = _table(longer)
    fwd = forward_returns(PX, {"1m": 21})
    first = f"{longer[POS[0]]:%Y-%m-%d}"
    with pytest.raises(DataError, match=rf"another calendar than fwd: event 0 is dated {first}"):
        _ev(fwd, table)
    with pytest.raises(DataError, match=rf"another calendar than prices: event 0 .*{first}"):
        average_path(PX, table, pre=5, post=21)


def test_event_dates_must_be_dates_of_the_index() -> None:
    fwd = forward_returns(PX, {"1m": 21})
    with pytest.raises(DataError, match=r"event date 2000-01-08 is not a date of fwd \(1 of 2"):
        _ev(fwd, ["2000-01-08", IDX[100]])  # a Saturday
    with pytest.raises(DataError, match=r"event date 1990-01-02 is not a date of prices"):
        average_path(PX, [pd.Timestamp("1990-01-02")])


def test_horizons_disagreeing_with_fwd_are_refused() -> None:
    fwd = forward_returns(PX, {"1m": 21, "3m": 63})
    with pytest.raises(ValueError, match=r"horizon '3m': horizons says 60 .* computed over 63"):
        _ev(fwd, POS, horizons={"1m": 21, "3m": 60})
    assert list(_ev(fwd, POS, horizons={"3m": 63}).horizons) == ["3m"]  # a subset is fine


@pytest.mark.parametrize("alpha", [-1, 0.0, 1.0, 5])
def test_alpha_is_checked_without_size_draws(alpha: float) -> None:
    fwd = forward_returns(PX, {"1m": 21})
    with pytest.raises(ValueError, match=r"^alpha must be"):
        _ev(fwd, POS, alpha=alpha)


def test_alpha_must_be_a_number() -> None:
    fwd = forward_returns(PX, {"1m": 21})
    with pytest.raises(TypeError, match=r"^alpha must be a number"):
        _ev(fwd, POS, alpha="0.05")


def test_tz_aware_sample_and_index_name_the_argument() -> None:
    fwd = forward_returns(PX, {"1m": 21})
    with pytest.raises(
        TypeError,
        match=r"sample start .* tz-naive but the index of fwd is "
        r"tz-aware \(UTC\).*fwd.tz_localize\(None\)",
    ):
        _ev(fwd.tz_localize("UTC"), POS, sample=("2000-03-01", None))
    with pytest.raises(TypeError, match=r"sample end .*tz-aware .* tz-naive"):
        _ev(fwd, POS, sample=(None, pd.Timestamp("2001-01-01", tz="UTC")))
    with pytest.raises(TypeError, match=r"^start .*prices.tz_localize\(None\)"):
        average_path(PX.tz_localize("UTC"), POS, start="2000-03-01")


def test_dates_with_a_time_of_day_or_out_of_order_are_the_days_events() -> None:
    """Daily data: an event stamped 16:00 is that day's; dates given out of order or twice
    are the same events (the error named 'event_positions', an argument not passed)."""
    fwd = forward_returns(PX, {"1m": 21})
    a = _ev(fwd, POS).to_frame()
    stamped = IDX[POS] + pd.Timedelta(hours=16)
    pd.testing.assert_frame_equal(_ev(fwd, stamped).to_frame(), a)
    shuffled = [*IDX[POS][::-1], IDX[POS][0]]
    pd.testing.assert_frame_equal(_ev(fwd, shuffled).to_frame(), a)
    pd.testing.assert_frame_equal(
        average_path(PX, stamped, pre=5, post=21).to_frame(),
        average_path(PX, POS, pre=5, post=21).to_frame(),
    )


def test_event_positions_on_reads_every_kind_of_event_input() -> None:
    """The EventTable's checks at both ends of the index and beyond it, its time zone, and
    what passes through untouched (positions, an index without dates, no events)."""
    from types import SimpleNamespace

    from eventstudy.evaluation.path import event_positions_on

    def table(pos: list[int], dates: pd.DatetimeIndex) -> SimpleNamespace:
        return SimpleNamespace(positions=np.array(pos), dates=dates)

    ends = table([0, 399], IDX[[0, 399]])  # the first and the last date
    assert event_positions_on(IDX, ends, "fwd").tolist() == [0, 399]
    assert event_positions_on(IDX, ends, "fwd").dtype == np.int64
    beyond = table([5, 400], pd.DatetimeIndex([IDX[5], IDX[399] + pd.Timedelta(days=1)]))
    with pytest.raises(
        DataError,
        match=r"event 1 is dated .* \(position 400\) but fwd has beyond its last date "
        r"\(400\) at that position; compute fwd on the data the events were found on .* "
        r"\(events.dates\) to map them by date$",
    ):
        event_positions_on(IDX, beyond, "fwd")
    shifted = table([5, 6], IDX[[6, 7]])
    with pytest.raises(
        DataError,
        match=rf"event 0 is dated {IDX[6]:%Y-%m-%d} \(position 5\) but "
        rf"fwd has {IDX[5]:%Y-%m-%d} at that position",
    ):
        event_positions_on(IDX, shifted, "fwd")
    aware = table([5, 6], IDX[[5, 6]].tz_localize("America/New_York"))
    with pytest.raises(
        TypeError,
        match=r"^the events' dates are tz-aware .* but the index of "
        r"prices is tz-naive: use prices.tz_localize\(None\) \(and naive data for "
        r"the signal\)$",
    ):
        event_positions_on(IDX, aware, "prices")
    # no dates to check: the positions as given
    assert event_positions_on(pd.RangeIndex(400), ends, "fwd").tolist() == [0, 399]
    assert event_positions_on(IDX, table([], IDX[[]]), "fwd").tolist() == []
    assert event_positions_on(IDX, SimpleNamespace(positions=[3], dates=None), "f").tolist() == [3]
    assert event_positions_on(IDX, [3, 9], "fwd") == [3, 9]  # positions, checked later
    as_series = event_positions_on(IDX, pd.Series(IDX[[9, 3]]), "fwd")
    assert as_series.tolist() == [3, 9]
    with pytest.raises(TypeError, match="events given as dates need fwd indexed by dates"):
        event_positions_on(pd.RangeIndex(400), IDX[[3]], "fwd")


def test_event_dates_at_the_first_date_and_the_messages_of_dates() -> None:
    from types import SimpleNamespace

    from eventstudy.evaluation.path import event_positions_on

    assert event_positions_on(IDX, IDX[[0, 7]], "fwd").tolist() == [0, 7]  # the first date
    odd = SimpleNamespace(positions=[3])  # positions without dates: not an EventTable
    assert event_positions_on(IDX, odd, "fwd") is odd
    with pytest.raises(
        TypeError, match=r"^events given as dates need fwd indexed by dates, got a RangeIndex$"
    ):
        event_positions_on(pd.RangeIndex(400), IDX[[3]], "fwd")
    with pytest.raises(
        TypeError,
        match=r"^the event dates are tz-aware \(UTC\) but the index of fwd is tz-naive: make "
        r"both naive, e.g. fwd.tz_localize\(None\)$",
    ):
        event_positions_on(IDX, IDX[[3]].tz_localize("UTC"), "fwd")
    with pytest.raises(
        DataError,
        match=r"^event date 1999-12-31 is not a date of fwd \(1 of 3 event dates are not; "
        r"dates must match exactly, trading days of the same calendar\)$",
    ):  # the first date (position 0) is found
        event_positions_on(IDX, ["1999-12-31", f"{IDX[0]:%Y-%m-%d}", f"{IDX[3]:%Y-%m-%d}"], "fwd")


def test_the_exact_messages_of_horizons_and_alpha() -> None:
    """The whole messages (mutation survivors: the advice of the horizons message, and which
    check refuses alpha = 5: the range check, before the "< 1" one)."""
    fwd = forward_returns(PX, {"1m": 21, "3m": 63})
    with pytest.raises(ValueError) as info:
        _ev(fwd, POS, horizons={"3m": 60})
    assert str(info.value) == (
        "horizon '3m': horizons says 60 trading days but fwd['3m'] was computed over 63 "
        "(fwd.attrs['horizon_days']); pass matching horizons or leave horizons out"
    )
    with pytest.raises(ValueError, match=r"^alpha must be <= 1\.0, got 5\.0$"):
        _ev(fwd, POS, alpha=5)
    with pytest.raises(ValueError, match=r"^alpha must be < 1, got 1\.0$"):
        _ev(fwd, POS, alpha=1.0)


def test_hodrick_without_the_one_day_moves_is_never_the_verdict() -> None:
    """Listed without daily=, hodrick cannot run: the verdict goes to the next test listed,
    and asking for it as the verdict says what is missing (the whole message)."""
    fwd = forward_returns(PX, {"1m": 21})
    ev = evaluate(fwd, POS, tests=["naive_t", "hodrick"], seed=0)
    assert ev.default_test == "naive_t"
    assert not ev.horizons["1m"].tests["hodrick"].applicable
    daily = np.log(PX).diff().to_numpy()
    assert evaluate(fwd, POS, tests=["naive_t", "hodrick"], daily=daily).default_test == "hodrick"
    with pytest.raises(ValueError) as info:
        evaluate(fwd, POS, default_test="hodrick")
    assert str(info.value) == (
        "default_test 'hodrick' needs the target's one-day moves: pass daily= (entry s the "
        "move from the close of date s - 1 to that of s, e.g. the log changes of the price)"
    )


def test_size_on_the_data_measures_shift_t_when_it_runs() -> None:
    """The size of the shift tests is measured whenever they run, beside the verdict's."""
    fwd = forward_returns(PX, {"1m": 21})
    ev = evaluate(
        fwd, POS, tests=["hac", "shift_t", "naive_t"], default_test="hac", size_draws=30, seed=1
    )
    assert list(ev.horizons["1m"].size) == ["hac", "naive_t", "shift_t"]


def test_the_positions_of_an_event_table_are_checked_against_fwd() -> None:
    """Review 2026-12, finding 1.2: ``evaluate(fwd, events.positions)`` with ``fwd`` on
    another calendar (the series as loaded, from earlier than the aligned frame the events
    were found on) paired each event with the date at the same row number, silently. The
    positions now carry the events' dates and are refused there; on the right calendar they
    give the events' own returns (checked against plain pandas)."""
    import pickle

    aligned = PX.iloc[100:]  # the events were found on data from row 100 of PX on
    table = _table(pd.DatetimeIndex(aligned.index))
    wrong = forward_returns(PX, {"1m": 21})  # the series as loaded: row p is another date
    first = f"{aligned.index[POS[0]]:%Y-%m-%d}"
    with pytest.raises(DataError, match=rf"another calendar than fwd: event 0 is dated {first}"):
        _ev(wrong, table.positions)
    with pytest.raises(DataError, match=rf"another calendar than prices: event 0 is dated {first}"):
        average_path(PX, table.positions, pre=5, post=21)
    # a study's events come back from a forked process pickled: the dates come with them
    with pytest.raises(DataError, match="another calendar than fwd"):
        _ev(wrong, pickle.loads(pickle.dumps(table)).positions)
    right = forward_returns(aligned, {"1m": 21})
    res = _ev(right, table.positions)
    # independent: the 21-day return from each event date, with pandas
    dates = aligned.index[POS]
    expected = (aligned.shift(-21) / aligned - 1.0).loc[dates].mean()
    assert res.horizons["1m"].mean == pytest.approx(expected, rel=1e-12)
    # what the old code computed: the rows of PX, other dates
    wrong_mean = (PX.shift(-21) / PX - 1.0).iloc[POS].mean()
    assert abs(wrong_mean - expected) > 1e-4
    # bare integers made from the positions are positions into fwd's own rows, unchecked
    assert _ev(wrong, np.asarray(table.positions)).horizons["1m"].mean == pytest.approx(
        wrong_mean, rel=1e-12
    )


def test_the_calendar_check_on_a_one_date_index_and_an_aware_index() -> None:
    """A position past a one-date index is refused like any other (not an IndexError), and the
    time-zone message names the index's zone; from the mutation run's survivors."""
    from types import SimpleNamespace

    from eventstudy.evaluation.path import event_positions_on

    one = IDX[:1]
    past = SimpleNamespace(positions=np.array([1]), dates=IDX[[1]])
    with pytest.raises(DataError, match=r"fwd has beyond its last date \(1\)"):
        event_positions_on(one, past, "fwd")
    naive = SimpleNamespace(positions=np.array([5]), dates=IDX[[5]])
    with pytest.raises(TypeError, match=r"index of fwd is tz-aware \(UTC\)"):
        event_positions_on(IDX.tz_localize("UTC"), naive, "fwd")


def test_forward_returns_say_a_stretch_that_is_not_daily() -> None:
    """Month-end closes then daily ones (FRED's RU2000GPR before 1993-05-31): from Python the
    horizons would count months there (its +82% "1m" return), so forward_returns warns, naming
    the stretch (a study's loader cuts it: tests/data/test_daily_part.py)."""
    from eventstudy.exceptions import DataCoverageWarning

    dates = pd.date_range("1995-01-31", "1999-12-31", freq="ME").append(
        pd.bdate_range("2000-01-03", "2000-12-29")
    )
    prices = pd.Series(np.linspace(100, 200, dates.size), index=dates, name="g")
    with pytest.warns(
        DataCoverageWarning,
        match=r"^forward_returns: g is not daily from 1995-01-31 to 1999-12-31 \(median gap 31 "
        r"calendar days\): horizons count rows, so a 21-day horizon there spans 21 of those "
        r"gaps; start the prices at 1999-12-31 \(a study's loader does\)$",
    ):
        forward_returns(prices, {"1m": 21})
    two = prices.drop(pd.bdate_range("2000-03-01", "2000-04-28")[[d % 5 != 0 for d in range(43)]])
    with pytest.warns(DataCoverageWarning, match=r"; 2 such stretches\)"):
        forward_returns(two, {"1m": 21})
    unnamed = prices.loc["1999-12-31":].rename(None)
    forward_returns(unnamed, {"1m": 21})  # daily: nothing to say
    with pytest.warns(DataCoverageWarning, match=r"^forward_returns: prices is not daily"):
        forward_returns(prices.rename(None), {"1m": 21})
