"""Each fact kind on small synthetic series with hand-computed answers, and the edge cases:
a record set on the since-date itself, a month with missing days, a low on the as-of date,
a series that ends before the as-of date, data the directory lacks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data import DataStore
from eventstudy.exceptions import ConfigError, DataError
from eventstudy.facts import check_note, parse_note
from eventstudy.facts.compute import (
    calendar_rank,
    close_on,
    extreme,
    last_session,
    month_bounds,
    move_record,
)


def _write(root: Path, provider: str, name: str, s: pd.Series, column: str = "close") -> None:
    folder = root / "series" / provider
    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame({"date": s.index.strftime("%Y-%m-%d"), column: s.to_numpy()})
    frame.to_csv(folder / f"{name}.csv", index=False)


def _prices() -> pd.Series:
    """Business days 2019-12-02 .. 2020-03-31, a close of 100 + day number, except a dip."""
    idx = pd.bdate_range("2019-12-02", "2020-03-31")
    s = pd.Series(100.0 + np.arange(idx.size), index=idx)
    s[pd.Timestamp("2020-02-14")] = 120.0  # the low since January
    return s


@pytest.fixture()
def store(tmp_path: Path) -> DataStore:
    _write(tmp_path, "yahoo", "AAA", _prices())
    y = pd.Series(4.0, index=pd.bdate_range("2020-03-02", "2020-03-31"))
    y[pd.Timestamp("2020-03-27")] = 3.946  # Friday: -5.4 bp on the week
    y[pd.Timestamp("2020-03-30")] = 3.946
    y[pd.Timestamp("2020-03-31")] = 3.946
    _write(tmp_path, "fred", "YLD", y, column="value")
    _write(tmp_path, "fred", "OLD", _prices()[:"2020-02-28"], column="value")
    return DataStore(tmp_path)


def note(facts: str, as_of: str = "2020-03-31", series: str = "") -> str:
    return (
        f'[note]\ntitle = "t"\nas_of = {as_of}\n[data.series]\naaa = "yahoo:AAA"\n'
        f'yld = {{ name = "fred:YLD", kind = "level" }}\n{series}' + facts
    )


def run(store: DataStore, facts: str, **kw: str):
    return check_note(parse_note(note(facts, **kw)), store=store)


def test_returns_between_dates_to_date_and_from_the_low(store: DataStore) -> None:
    """Close = 100 + business-day number (2019-12-02 is day 0: 2019-12-31 closes at 121,
    2020-03-31 at 186); 2020-02-14 is set to 120, the low since January. Expected values are
    read off the series directly."""
    s = _prices()
    t = run(
        store,
        """
[[facts]]
id = "ytd"
kind = "return"
series = "aaa"
from = "year_start"
claimed = 0.537
tolerance = 0.001
[[facts]]
id = "weekend_base"
kind = "return"
series = "aaa"
from = 2020-03-01        # a Sunday: the base is Friday 2020-02-28
to = 2020-03-06
claimed = 0.0
tolerance = 1.0
[[facts]]
id = "from_low"
kind = "return"
series = "aaa"
from = "low"
since = 2020-01-01
claimed_date = 2020-02-14
claimed = 0.55
tolerance = 0.001
[[facts]]
id = "qtd"
kind = "return"
series = "aaa"
from = "quarter_start"
to = 2020-01-31
claimed = 0.0
tolerance = 1.0
""",
    )
    ytd, weekend, low, qtd = t.facts
    assert ytd.computed == pytest.approx(s["2020-03-31"] / s["2019-12-31"] - 1, rel=1e-12)
    assert ytd.verdict == "reproduced"
    assert ytd.values["base_date"] == "2019-12-31"
    assert weekend.computed == pytest.approx(s["2020-03-06"] / s["2020-02-28"] - 1, rel=1e-12)
    assert "2020-03-01 is not a trading day: base close of 2020-02-28" in weekend.detail
    assert low.computed == pytest.approx(s["2020-03-31"] / 120 - 1, rel=1e-12)
    assert low.values["low_date"] == "2020-02-14"
    assert low.verdict == "reproduced"
    assert qtd.computed == pytest.approx(s["2020-01-31"] / s["2019-12-31"] - 1, rel=1e-12)


def test_low_on_the_as_of_date_and_a_wrong_claimed_date(store: DataStore) -> None:
    """As of 2020-02-14 the low of the last 10 days is that day itself: the return is 0. The
    claimed date of the low is checked separately from the size."""
    t = run(
        store,
        """
[[facts]]
kind = "return"
series = "aaa"
from = "low"
window = 10
claimed_date = 2020-02-13
claimed = 0.0
""",
        as_of="2020-02-14",
    )
    (f,) = t.facts
    assert f.computed == 0.0
    assert f.values["low_date"] == "2020-02-14"
    assert f.verdict == "not reproduced"
    assert [ok for _, ok in f.checks] == [True, False]
    assert "low on 2020-02-13" in f.row()["verdict"]


def test_level_change_in_basis_points_and_no_percent_return_of_a_yield(store: DataStore) -> None:
    t = run(
        store,
        """
[[facts]]
kind = "change"
series = "yld"
from = "week_start"
claimed = -5.4
tolerance = 0.05
""",
        as_of="2020-03-27",
    )
    (f,) = t.facts
    assert f.computed == pytest.approx((3.946 - 4.0) * 100, abs=1e-9)
    assert f.unit == "bp" and f.row()["computed"] == "-5.4 bp"
    assert f.values["base_date"] == "2020-03-20"
    assert f.verdict == "reproduced"
    with pytest.raises(ConfigError, match="'yld' is a level .*use kind = 'change'"):
        run(
            store,
            '[[facts]]\nkind = "return"\nseries = "yld"\nfrom = "month_start"\nclaimed = 0.0\n',
        )
    # the mirror image: basis points of a price (index points are fine)
    with pytest.raises(ConfigError, match="'aaa' is a price: basis points of a price mean nothing"):
        run(
            store,
            '[[facts]]\nkind = "change"\nseries = "aaa"\nfrom = "month_start"\nclaimed = 0.0\n',
        )
    s = _prices()
    (pts,) = run(
        store,
        '[[facts]]\nkind = "change"\nseries = "aaa"\nfrom = "month_start"\nunit = "pt"\n'
        "scale = 1.0\nclaimed = 21.0\ntolerance = 0.5\n",
    ).facts
    assert pts.computed == pytest.approx(s["2020-03-31"] - s["2020-02-28"], abs=1e-9)


def test_move_record_since_date_and_the_record_on_the_since_date_itself() -> None:
    """Steps on a flat path: x1.30 on 2020-01-10, x1.25 on 2020-02-07, x1.20 on 2020-03-06.
    A step stays in five 5-day windows, so the +25% move is the move ending on 2020-02-07 ..
    2020-02-13. Checked: the +20% move ending 2020-03-06. Since 2020-02-13 (a +25% move ends
    on the since-date itself) the record holds: the since-date is the reference. Since
    2020-02-12 it fails, the larger move ending 2020-02-13 named."""
    idx = pd.bdate_range("2020-01-01", "2020-03-31")
    s = pd.Series(100.0, index=idx)
    for end, jump in (("2020-01-10", 1.30), ("2020-02-07", 1.25), ("2020-03-06", 1.20)):
        i = idx.get_loc(pd.Timestamp(end))
        s.iloc[i:] *= jump
    rec = move_record(s, "2020-03-06", 5, "gain", since="2020-02-13")
    assert rec.move == pytest.approx(0.20, rel=1e-12)
    assert rec.start.date == pd.Timestamp("2020-02-28")
    assert rec.larger_since == ()
    assert rec.last_larger is not None
    assert rec.last_larger[0] == pd.Timestamp("2020-02-13")
    assert rec.last_larger[1] == pytest.approx(0.25, rel=1e-12)
    before = move_record(s, "2020-03-06", 5, "gain", since="2020-02-12")
    assert [d for d, _ in before.larger_since] == [pd.Timestamp("2020-02-13")]
    loss = move_record(1 / s, "2020-03-06", 5, "loss")
    assert loss.move == pytest.approx(1 / 1.2 - 1, rel=1e-12)
    assert loss.last_larger is not None and loss.last_larger[0] == pd.Timestamp("2020-02-13")


def test_move_fact_verdict_names_the_larger_move(tmp_path: Path) -> None:
    idx = pd.bdate_range("2020-01-01", "2020-03-31")
    s = pd.Series(100.0, index=idx)
    for end, jump in (("2020-02-07", 1.25), ("2020-03-06", 1.20)):
        s.iloc[idx.get_loc(pd.Timestamp(end)) :] *= jump
    _write(tmp_path, "yahoo", "AAA", s)
    _write(tmp_path, "fred", "YLD", pd.Series(4.0, index=idx), column="value")
    facts = """
[[facts]]
kind = "move"
series = "aaa"
days = 5
on = 2020-03-06
since = "2020-01"       # end of January 2020
claimed = 0.2
claim = "at_least"
tolerance = 0.0
"""
    (f,) = run(DataStore(tmp_path), facts).facts
    assert f.verdict == "not reproduced"
    # the most recent larger move is named (the +25% step is in windows ending 02-07..02-13)
    assert "larger on 2020-02-13: +25.00%" in f.row()["verdict"]
    assert [ok for _, ok in f.checks] == [True, False]


def test_calendar_rank_best_month_since_and_a_month_with_missing_days() -> None:
    """August returns set by the August-end close over the July-end close: 2000 +8%, 2001 +2%,
    2002 +5%, 2003 (no August data at all: left out), 2004 +6% (with missing days inside
    August). 2004 is the best August since 2000 (rank 1 of 2003..2004's one August with data
    plus itself), and the last better is 2000."""
    idx = pd.bdate_range("2000-07-03", "2004-09-30")
    s = pd.Series(100.0, index=idx)
    for year, ret in ((2000, 0.08), (2001, 0.02), (2002, 0.05), (2004, 0.06)):
        start = idx.searchsorted(pd.Timestamp(f"{year}-08-01"))
        s.iloc[start:] *= 1 + ret
    s = s.drop(s[(s.index.year == 2003) & (s.index.month == 8)].index)
    s = s.drop(pd.bdate_range("2004-08-10", "2004-08-20"))
    cr = calendar_rank(s, "2004-08", since=2001)
    assert cr.value == pytest.approx(0.06, rel=1e-12)
    assert (cr.rank, cr.compared) == (1, 2)  # 2002 and 2004 (2003 has no August)
    assert cr.last_better == (2000, pytest.approx(0.08))
    assert set(cr.history) == {2000, 2001, 2002, 2004}
    assert not cr.partial
    worst = calendar_rank(s, "2001-08", since=1999, order="worst")
    assert (worst.rank, worst.last_better) == (1, None)
    with pytest.raises(DataError, match="no close in 2003-08"):
        month_bounds(s, "2003-08")


def test_partial_month_is_flagged() -> None:
    s = pd.Series(1.0 + np.arange(40) / 100, index=pd.bdate_range("2021-07-01", periods=40))
    base, end, partial = month_bounds(s, "2021-08")
    assert partial and end.date == s.index[-1]
    assert base.date == pd.Timestamp("2021-07-30")
    assert close_on(s, "2021-08-01").date == pd.Timestamp("2021-07-30")


def test_a_month_is_read_as_known_on_the_as_of_date(store: DataStore) -> None:
    """A fact dated inside its month speaks of the month to date: the closes after its as-of
    date are not read (close = 100 + business-day number; March 2020's base is 2020-02-28)."""
    s = _prices()
    base, end, partial = month_bounds(s, "2020-03", as_of="2020-03-13")
    assert (base.date, end.date, partial) == (
        pd.Timestamp("2020-02-28"),
        pd.Timestamp("2020-03-13"),
        True,
    )
    whole = month_bounds(s, "2020-02", as_of="2020-03-13")
    assert (whole[1].date, whole[2]) == (pd.Timestamp("2020-02-28"), False)
    with pytest.raises(DataError, match="2020-02-27 is before 2020-03 begins"):
        month_bounds(s, "2020-03", as_of="2020-02-27")
    facts = """
[[facts]]
kind = "return"
series = "aaa"
month = "2020-03"
claimed = 0.0
tolerance = 1.0
"""
    (f,) = run(store, facts, as_of="2020-03-13").facts
    assert f.computed == pytest.approx(s["2020-03-13"] / s["2020-02-28"] - 1, rel=1e-12)
    assert f.values["partial_month"] is True and f.values["end_date"] == "2020-03-13"
    assert "partial month: the month to date, to 2020-03-13" in f.detail
    (g,) = run(store, facts).facts  # as of 2020-03-31, the month's last day
    assert g.computed == pytest.approx(s["2020-03-31"] / s["2020-02-28"] - 1, rel=1e-12)
    assert g.values["partial_month"] is False


def _augusts(rets: dict[int, float], end: str) -> pd.Series:
    """Business-day closes from 2008-07-01 to ``end``, flat at 128 except that each August
    listed returns its value (the whole move on the month's first business day).  Returns of
    +25% and +6.25% keep every close and every ratio exact in binary floating point."""
    idx = pd.bdate_range("2008-07-01", end)
    s = pd.Series(128.0, index=idx)
    for year, r in rets.items():
        s.iloc[idx.searchsorted(pd.Timestamp(f"{year}-08-01")) :] *= 1 + r
    return s


def test_best_month_since_needs_a_whole_month_and_no_tie(tmp_path: Path) -> None:
    """Augusts 2009 and 2011 return +25% and 2010 +6.25%. August 2012, +25% too, ties them:
    not "the best since 2008" (a tie is not a new best, as in the calendar signal). Stopped on
    2012-08-15, a +50% August is ranked first but is only the month to date."""
    tie = _augusts({2009: 0.25, 2010: 0.0625, 2011: 0.25, 2012: 0.25}, "2012-09-28")
    cr = calendar_rank(tie, "2012-08", since=2008)
    assert (cr.value, cr.rank, cr.compared, cr.partial, cr.tied) == (
        0.25,
        1,
        4,
        False,
        (2009, 2011),
    )
    early = _augusts({2009: 0.25, 2010: 0.0625, 2011: 0.25, 2012: 0.5}, "2012-09-28")
    mtd = calendar_rank(early, "2012-08", since=2008, as_of="2012-08-15")
    assert (mtd.rank, mtd.tied, mtd.partial) == (1, (), True)
    assert mtd.end.date == pd.Timestamp("2012-08-15")
    facts = """
[[facts]]
kind = "calendar_rank"
series = "aaa"
month = "2012-08"
since = 2008
"""
    for series, as_of, failed in (
        (tie, "2012-08-31", "(rank 1 of 4, tied with 2009, 2011)"),
        (early, "2012-08-15", "a whole August (only the month to date is known, to 2012-08-15)"),
        (early, "2012-08-31", None),
    ):
        _write(tmp_path, "yahoo", "AAA", series)
        _write(tmp_path, "fred", "YLD", pd.Series(4.0, index=series.index), column="value")
        (f,) = run(DataStore(tmp_path), facts, as_of=as_of).facts
        assert f.values["rank"] == 1
        if failed is None:
            assert f.verdict == "reproduced", f.row()
        else:
            assert f.verdict == "not reproduced" and failed in f.row()["verdict"], f.row()


def test_a_bound_is_exact_unless_a_tolerance_is_given(store: DataStore) -> None:
    """ "More than X" is a bound: the kind's default tolerance (0.005 for returns) is for
    rounded figures and must not let a smaller number pass."""
    s = _prices()
    ytd = s["2020-03-31"] / s["2019-12-31"] - 1
    fact = (
        '[[facts]]\nkind = "return"\nseries = "aaa"\nfrom = "year_start"\n'
        'claim = "at_least"\nclaimed = {claimed}\n{extra}'
    )
    (f,) = run(store, fact.format(claimed=ytd + 0.004, extra="")).facts
    assert f.tolerance == 0.0 and f.verdict == "not reproduced"
    (g,) = run(store, fact.format(claimed=ytd + 0.004, extra="tolerance = 0.005\n")).facts
    assert g.verdict == "reproduced"
    (h,) = run(store, fact.format(claimed=ytd, extra="")).facts
    assert h.verdict == "reproduced"
    (about,) = run(
        store, '[[facts]]\nkind = "return"\nseries = "aaa"\nfrom = "year_start"\nclaimed = 0.5\n'
    ).facts
    assert about.tolerance == 0.005


def test_the_last_session_of_a_month_skips_month_end_holidays() -> None:
    """NYSE holiday calendars: Memorial Day was Monday 2021-05-31 and Good Friday 2024-03-29,
    each its month's last weekday; 2021-07-31 was a Saturday."""
    assert last_session(pd.Period("2021-05", "M")) == pd.Timestamp("2021-05-28")
    assert last_session(pd.Period("2024-03", "M")) == pd.Timestamp("2024-03-28")
    assert last_session(pd.Period("2021-07", "M")) == pd.Timestamp("2021-07-30")
    assert last_session(pd.Period("2024-04", "M")) == pd.Timestamp("2024-04-30")
    may = pd.Series(1.0, index=pd.bdate_range("2021-04-01", "2021-05-28"))
    assert month_bounds(may, "2021-05")[2] is False  # whole: May 31 was a holiday
    assert month_bounds(may.iloc[:-1], "2021-05")[2] is True


def test_a_window_longer_than_the_data_is_an_error() -> None:
    """December 2019 has 22 business days from the 2nd and January 2020 has 23: 45 closes."""
    s = _prices()
    end = close_on(s, "2020-01-31")
    assert extreme(s, end, "low", window=20).date == s.index[s.index.get_loc(end.date) - 19]
    with pytest.raises(DataError, match="has 45 closes up to 2020-01-31, fewer than the 252"):
        extreme(s, end, "low", window=252)


def test_signal_fact_value_event_and_look_ahead(store: DataStore) -> None:
    facts = """
[[facts]]
kind = "signal"
signal = { type = "threshold", series = "aaa", mode = "level", level = 150.0, direction = "above" }
date = 2020-02-17
series = ["aaa"]
claimed = 155.0
tolerance = 0.5
"""
    (f,) = run(store, facts).facts
    assert f.computed == pytest.approx(_prices()["2020-02-17"])
    assert f.values["event"] is True and not f.look_ahead
    assert f.verdict == "reproduced"


def test_not_checkable_names_what_is_missing_and_where_a_series_ends(store: DataStore) -> None:
    facts = """
[[facts]]
kind = "return"
series = "gone"
from = "year_start"
claimed = 0.1
[[facts]]
kind = "unverifiable"
text = "ETF flows"
reason = "no flow data"
needs = "flows"
"""
    t = run(store, facts, series='gone = "fred:NOPE"\n')
    missing, text = t.facts
    assert missing.verdict == text.verdict == "not checkable"
    assert "fred:NOPE not in the data directory" in missing.detail
    assert text.detail == "no flow data (needs flows)"
    assert t.data_last["gone"] is None
    assert t.counts() == {"reproduced": 0, "not reproduced": 0, "not checkable": 2}
    stale = '[[facts]]\nkind = "return"\nseries = "old"\nfrom = "year_start"\nclaimed = 0.1\n'
    (old,) = run(store, stale, series='old = "fred:OLD"\n').facts
    assert old.verdict == "not checkable" and old.computed is None
    assert old.detail.startswith(
        "old (fred:OLD) ends on 2020-02-28, before 2020-03-31: no close for 22 trading days"
    )


def test_missing_sessions_are_trading_days_not_four_calendar_days() -> None:
    """Friday's close serves Labor Day (2024-09-02), Good Friday (2024-03-29) and a weekend;
    a missing Monday before a Tuesday is a missing day (2026-08-24, which four calendar days
    let through); Columbus Day (2024-10-14, a federal holiday when stocks trade) is missing
    only when another series of the same kind has a close on it."""
    from eventstudy.facts.check import missing_sessions

    def days(last: str, wanted: str, others: list[str] | None = None) -> list[str]:
        cal = None if others is None else pd.DatetimeIndex(others)
        gap = missing_sessions(pd.Timestamp(last), pd.Timestamp(wanted), cal)
        return [f"{d:%Y-%m-%d}" for d in gap]

    assert days("2024-08-30", "2024-09-02") == []
    assert days("2024-03-28", "2024-03-31") == []
    assert days("2026-08-21", "2026-08-23") == []
    assert days("2026-08-21", "2026-08-25") == ["2026-08-24", "2026-08-25"]
    assert days("2026-08-20", "2026-08-24") == ["2026-08-21", "2026-08-24"]
    assert days("2024-10-11", "2024-10-14") == []
    assert days("2024-10-11", "2024-10-14", ["2024-10-11", "2024-10-14"]) == ["2024-10-14"]
    # other series that reach the date are the calendar: the NYSE closed for a day of mourning
    # on Thursday 2025-01-09 (no federal holiday), so a close on the 8th serves the 9th (the
    # federal calendar alone called it missing); one they have is still missing
    assert days("2025-01-08", "2025-01-09") == ["2025-01-09"]
    assert days("2025-01-08", "2025-01-09", ["2025-01-08", "2025-01-10"]) == []
    assert days("2025-01-07", "2025-01-09", ["2025-01-07", "2025-01-08", "2025-01-10"]) == [
        "2025-01-08"
    ]


def test_a_fact_past_the_data_is_not_checkable_and_the_end_close_is_noted(tmp_path: Path) -> None:
    """AAA ends on Friday 2020-03-27. As of Saturday 2020-03-28 year to date is to Friday's
    close, and the detail says the end is not the requested date (it said so only of the base);
    as of Tuesday 2020-03-31 two trading days are missing: not checkable (the old code computed
    it to 2020-03-27 without a word, four calendar days being allowed)."""
    s = _prices()[:"2020-03-27"]
    _write(tmp_path, "yahoo", "AAA", s)
    _write(tmp_path, "fred", "YLD", pd.Series(4.0, index=s.index), column="value")
    fact = '[[facts]]\nkind = "return"\nseries = "aaa"\nfrom = "year_start"\nclaimed = 0.5\n'
    (sat,) = run(DataStore(tmp_path), fact, as_of="2020-03-28").facts
    assert sat.computed == pytest.approx(s["2020-03-27"] / s["2019-12-31"] - 1, rel=1e-12)
    assert "2020-03-28 is not a trading day: end close of 2020-03-27" in sat.detail
    (tue,) = run(DataStore(tmp_path), fact, as_of="2020-03-31").facts
    assert tue.verdict == "not checkable"
    assert tue.detail == (
        "aaa (yahoo:AAA) ends on 2020-03-27, before 2020-03-31: no close for 2 trading days up "
        "to it (2020-03-30, 2020-03-31)"
    )


def test_breadth_share_and_long_run_average(tmp_path: Path) -> None:
    """Three stocks, 3-day average: the share above it, and its average over the history,
    against pandas' own rolling mean."""
    idx = pd.bdate_range("2021-01-04", periods=8)
    px = pd.DataFrame(
        {
            "A": [1, 2, 3, 4, 5, 4, 3, 2],
            "B": [5, 4, 3, 2, 1, 2, 3, 4],
            "C": [1, 1, 2, 2, 3, 3, 2, 2],
        },
        index=idx,
        dtype=float,
    )
    (tmp_path / "panel").mkdir()
    long = px.stack().rename("close").reset_index()
    long.columns = ["date", "ticker", "close"]
    long["date"] = long["date"].dt.strftime("%Y-%m-%d")
    long.to_csv(tmp_path / "panel" / "P.csv", index=False)
    _write(tmp_path, "yahoo", "AAA", pd.Series(1.0, index=idx))
    _write(tmp_path, "fred", "YLD", pd.Series(1.0, index=idx), column="value")
    ma = px.rolling(3).mean()
    share = (px > ma).where(ma.notna()).mean(axis=1).dropna()
    facts = """
[[facts]]
kind = "breadth"
panel = "panel:P"
window = 3
date = 2021-01-12
claimed = 0.3333
claimed_average = 0.5
tolerance = 0.01
"""
    (f,) = run(DataStore(tmp_path), facts, as_of="2021-01-13").facts
    assert f.computed == pytest.approx(share.loc["2021-01-12"])
    assert f.values["long_run_average"] == pytest.approx(share.loc[:"2021-01-12"].mean())
    # six days of history: the claimed long-run average is not checked (LONG_RUN_YEARS)
    assert [ok for _, ok in f.checks] == [True] and f.verdict == "not checkable"
    # at N-day highs: the close equals the maximum of the last N closes
    high = px.rolling(3).max()
    at_high = (px == high).where(high.notna()).mean(axis=1).dropna()
    facts_high = facts.replace("window = 3", 'measure = "share_at_high"\nwindow = 3')
    facts_high = facts_high.replace("claimed_average = 0.5\n", "")
    (g,) = run(DataStore(tmp_path), facts_high, as_of="2021-01-13").facts
    assert g.computed == pytest.approx(at_high.loc["2021-01-12"])
    assert g.values["long_run_average"] == pytest.approx(at_high.loc[:"2021-01-12"].mean())


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ('kind = "guess"\n', "key 'kind' must be one of"),
        (
            'kind = "return"\nseries = "zzz"\nfrom = "year_start"\n',
            "'zzz' is not a \\[data.series\\] alias",
        ),
        ('kind = "return"\nseries = "aaa"\n', "give 'from'"),
        ('kind = "return"\nseries = "aaa"\nfrom = "low"\n', "exactly one of 'window'"),
        ('kind = "return"\nseries = "aaa"\nfrom = "yesterday"\n', "key 'from': must be a date"),
        ('kind = "return"\nseries = "aaa"\nfrom = "year_start"\nwindow = 5\n', "only go with from"),
        ('kind = "move"\nseries = "aaa"\ndays = 5\ncolour = 1\n', "unknown key 'colour'"),
        (
            'kind = "move"\nseries = "aaa"\ndays = 5\n',
            "nothing to check: give 'claimed' or 'since'",
        ),
        ('kind = "calendar_rank"\nseries = "aaa"\nmonth = "August"\nsince = 2000\n', "'YYYY-MM'"),
        (
            'kind = "return"\nseries = "aaa"\nfrom = "year_start"\nclaimed = 0.1\ntolerance = -0.01\n',
            "key 'tolerance': must be >= 0, got -0.01",
        ),
        (
            'kind = "return"\nseries = "aaa"\nfrom = 2020-03-02\nto = 2020-02-03\nclaimed = 0.1\n',
            "key 'to': 2020-02-03 is not after from = 2020-03-02",
        ),
    ],
)
def test_bad_facts_name_the_fact_and_key(facts: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_note(note("[[facts]]\n" + facts), "n.toml")


def test_a_data_error_names_the_fact(store: DataStore) -> None:
    """ "Up from the low since 2020-03-10" as of 2020-03-06: no close in between; the error
    names the fact and the since date as written."""
    facts = (
        '[[facts]]\nid = "late_low"\nkind = "return"\nseries = "aaa"\nfrom = "low"\n'
        "since = 2020-03-10\nclaimed = 0.0\n"
    )
    with pytest.raises(
        DataError,
        match=r"fact 'late_low': aaa \(yahoo:AAA\) has no close between since = 2020-03-10 "
        r"and 2020-03-06",
    ):
        run(store, facts, as_of="2020-03-06")


def test_fact_table_to_frame_is_tidy_and_table_is_for_reading() -> None:
    """to_frame() carries the numbers (float64 in the fact's unit, dates as dates), table()
    the formatted verdict table the report shows."""
    from eventstudy.facts.results import FactResult, FactTable

    def fact(i: str, claimed: float | None, computed: float | None, ok: bool) -> FactResult:
        return FactResult(
            id=i,
            kind="return",
            text=f"fact {i}",
            source="",
            as_of=pd.Timestamp("2025-08-15") if claimed is not None else None,
            series="rut",
            claimed=claimed,
            computed=computed,
            unit="%",
            tolerance=0.005,
            verdict="reproduced" if ok else "not reproduced",
            checks=(("within tolerance", ok),),
            detail="d",
        )

    table = FactTable(
        title="t",
        source="",
        as_of=None,
        facts=(fact("a", 0.07, 0.0701, True), fact("b", None, None, False)),
    )
    frame = table.to_frame()
    assert frame["id"].tolist() == ["a", "b"]
    assert frame["claimed"].dtype == np.float64 and frame["computed"].dtype == np.float64
    assert frame.loc[0, "computed"] == 0.0701 and np.isnan(frame.loc[1, "claimed"])
    assert str(frame["as_of"].dtype).startswith("datetime64") and pd.isna(frame.loc[1, "as_of"])
    assert frame["holds"].tolist() == [True, False]
    assert frame.loc[1, "failed"] == "within tolerance"
    readable = table.table()
    assert readable.loc[0, "claimed"] == "+7.00% ± 0.50 pp"  # the tolerance, in points
    assert readable.loc[1, "verdict"] == "not reproduced (fails: within tolerance)"


def _holidays(tmp_path: Path) -> DataStore:
    """Business days 2019-12-02 .. 2020-03-31 without two Mondays, 2020-03-02 and
    2020-01-06 (holidays of this synthetic market), close = 100 + row number; a flat yield."""
    idx = pd.bdate_range("2019-12-02", "2020-03-31")
    idx = idx.drop([pd.Timestamp("2020-03-02"), pd.Timestamp("2020-01-06")])
    _write(tmp_path, "yahoo", "AAA", pd.Series(100.0 + np.arange(idx.size), index=idx))
    _write(tmp_path, "fred", "YLD", pd.Series(4.0, index=idx), column="value")
    return DataStore(tmp_path)


def test_a_to_date_period_is_that_of_the_as_of_date_not_of_the_last_close(
    tmp_path: Path,
) -> None:
    """As of Monday 2020-03-02, a holiday, "month to date" is March's, which has no close yet:
    not checkable (the old code took the period from the last close, 2020-02-28, and reported
    February's whole return as March's: s['2020-02-28'] / s['2020-01-31'] - 1 = 163/143 - 1 =
    +13.99%).
    The week of Monday 2020-01-06 (a holiday) has a close on Tuesday: the week to date as of the
    Tuesday is measured from Friday 2020-01-03 as before."""
    store = _holidays(tmp_path)
    idx = pd.bdate_range("2019-12-02", "2020-03-31")
    s = pd.Series(100.0 + np.arange(idx.size - 2), index=idx.drop(["2020-03-02", "2020-01-06"]))
    facts = (
        '[[facts]]\nid = "mtd"\nkind = "return"\nseries = "aaa"\nfrom = "month_start"\n'
        'claimed = 0.0\ntolerance = 1.0\n[[facts]]\nid = "wtd"\nkind = "return"\nseries = "aaa"\n'
        'from = "week_start"\nas_of = 2020-01-07\nclaimed = 0.0\ntolerance = 1.0\n'
    )
    mtd, wtd = run(store, facts, as_of="2020-03-02").facts
    assert mtd.verdict == "not checkable" and mtd.computed is None
    assert "no close of aaa (yahoo:AAA) in the month of 2020-03-02 (from 2020-03-01)" in mtd.detail
    assert "last close 2020-02-28" in mtd.detail
    assert mtd.row()["claimed"].startswith("+0.00%")  # a return's unit, not a bare decimal
    assert wtd.computed == pytest.approx(s["2020-01-07"] / s["2020-01-03"] - 1, rel=1e-12)
    assert wtd.values["base_date"] == "2020-01-03"
    # the year of New Year's Day 2020 (a business day this market traded) has its close
    (ytd,) = run(
        store,
        facts.split('[[facts]]\nid = "wtd"')[0].replace("month_start", "year_start"),
        as_of="2020-01-01",
    ).facts
    assert ytd.computed == pytest.approx(s["2020-01-01"] / s["2019-12-31"] - 1, rel=1e-12)


@pytest.mark.parametrize(
    ("fact", "key", "date"),
    [
        (
            'kind = "return"\nseries = "aaa"\nfrom = "year_start"\nto = 2020-03-31\n',
            "to",
            "2020-03-31",
        ),
        (
            'kind = "return"\nseries = "aaa"\nfrom = "low"\nwindow = 5\nto = 2020-03-20\n',
            "to",
            "2020-03-20",
        ),
        ('kind = "change"\nseries = "yld"\nfrom = 2020-03-16\n', "from", "2020-03-16"),
        ('kind = "move"\nseries = "aaa"\ndays = 5\non = 2020-03-20\n', "on", "2020-03-20"),
        (
            'kind = "signal"\nsignal = { type = "threshold", series = "aaa", mode = "level", '
            'level = 1.0, direction = "above" }\ndate = 2020-03-16\nseries = ["aaa"]\n',
            "date",
            "2020-03-16",
        ),
        ('kind = "breadth"\npanel = "panel:P"\ndate = 2020-03-16\n', "date", "2020-03-16"),
    ],
)
def test_a_date_after_the_as_of_date_is_refused(fact: str, key: str, date: str) -> None:
    """As of 2020-03-13 the fact may not read a later close: the old code read to 2020-03-20
    (and reported the signal date as "not a trading day", the fact named twice)."""
    with pytest.raises(
        ConfigError,
        match=rf"key '{key}': {date} is after the fact's as-of date 2020-03-13; nothing after",
    ):
        parse_note(note("[[facts]]\nclaimed = 0.0\n" + fact, as_of="2020-03-13"), "n.toml")


def test_a_month_after_the_as_of_date_is_refused() -> None:
    fact = 'kind = "calendar_rank"\nseries = "aaa"\nmonth = "2020-04"\nsince = 2000\n'
    with pytest.raises(ConfigError, match="key 'month': 2020-04 begins after the fact's as-of"):
        parse_note(note("[[facts]]\n" + fact, as_of="2020-03-13"), "n.toml")


def test_best_since_a_year_before_the_data_or_not_before_the_month_is_not_checkable(
    tmp_path: Path,
) -> None:
    """Augusts 2008-2012 of a series from 2008-07-01, August 2012 the best (+50%). "Best since
    2005" ranks against 2006-2011, and 2006-2007 are not in the data: the old code said
    "rank 1 of 5 Augusts 2006-2012", reproduced. "Since 2012" ranked against nothing: "rank 1 of
    0", reproduced. An August missing inside the span (2010, no close at all) is not left out
    silently either. pandas below: the Augusts with a July-end and an August-end close."""
    s = _augusts({2009: 0.25, 2010: 0.0625, 2011: 0.25, 2012: 0.5}, "2012-09-28")
    month_end = s.resample("ME").last().pct_change()
    assert sorted(month_end[month_end.index.month == 8].dropna().index.year) == [
        2008,
        2009,
        2010,
        2011,
        2012,
    ]
    _write(tmp_path, "yahoo", "AAA", s)
    _write(tmp_path, "fred", "YLD", pd.Series(4.0, index=s.index), column="value")
    fact = '[[facts]]\nkind = "calendar_rank"\nseries = "aaa"\nmonth = "2012-08"\nsince = {}\n'
    (early,) = run(DataStore(tmp_path), fact.format(2005), as_of="2012-08-31").facts
    assert early.verdict == "not checkable"
    assert early.detail == (
        "aaa (yahoo:AAA) has the August of only 4 of the 6 years 2006-2011 that 'since 2005' "
        "ranks against (missing: 2006-2007; the first with data is 2008)"
    )
    (none,) = run(DataStore(tmp_path), fact.format(2012), as_of="2012-08-31").facts
    assert none.verdict == "not checkable"
    assert none.detail == "since = 2012 is not before 2012: no earlier August to rank against"
    (ok,) = run(DataStore(tmp_path), fact.format(2007), as_of="2012-08-31").facts
    assert ok.verdict == "reproduced" and ok.values["compared"] == 5
    gap = s.drop(s[(s.index.year == 2010) & (s.index.month == 8)].index)
    _write(tmp_path, "yahoo", "AAA", gap)
    (holed,) = run(DataStore(tmp_path), fact.format(2007), as_of="2012-08-31").facts
    assert holed.verdict == "not checkable" and "only 3 of the 4 years 2008-2011" in holed.detail
    assert holed.detail.endswith("(missing: 2010)")


def test_a_move_record_since_before_the_data_is_not_checkable(store: DataStore) -> None:
    """_prices() starts on 2019-12-02: its first 5-day move ends on 2019-12-09, so "the largest
    since 2019-12-01" cannot be checked (the old code said reproduced, "the largest in the
    data"); since 2019-12-09 it can."""
    fact = '[[facts]]\nkind = "move"\nseries = "aaa"\ndays = 5\nsince = {}\n'
    (f,) = run(store, fact.format("2019-12-01")).facts
    assert f.verdict == "not checkable"
    assert "the first in aaa (yahoo:AAA) ends on 2019-12-09 (data from 2019-12-02)" in f.detail
    (g,) = run(store, fact.format("2019-12-09")).facts
    assert g.verdict in ("reproduced", "not reproduced")


def test_calendar_rank_since_must_be_a_year() -> None:
    fact = 'kind = "calendar_rank"\nseries = "aaa"\nmonth = "2020-03"\nsince = 2000-08-31\n'
    with pytest.raises(ConfigError, match="must be a year \\(since = 2000 for 'the best since"):
        parse_note(note("[[facts]]\n" + fact), "n.toml")


def test_price_arithmetic_on_a_yield_or_a_return_series_is_refused(tmp_path: Path) -> None:
    """A yield ranked by monthly percent returns, and a series of daily returns in percent
    (the manifest's units, as Fama-French's "percent per day") ranked or moved as if its values
    were closes: the old code gave August 2025 Mkt-RF "+100.00%" and a 5-day "move" of
    -140.00% on the snapshot; here each is a configuration error naming the fact."""
    idx = pd.bdate_range("2019-12-02", "2020-03-31")
    _write(tmp_path, "yahoo", "AAA", _prices())
    _write(tmp_path, "fred", "YLD", pd.Series(4.0, index=idx), column="value")
    (tmp_path / "fama_french").mkdir()
    rets = pd.DataFrame(
        {"date": idx.strftime("%Y-%m-%d"), "mkt_rf": np.where(np.arange(idx.size) % 2, 0.5, -0.3)}
    )
    rets.to_csv(tmp_path / "fama_french" / "ff.csv", index=False)
    pd.DataFrame(
        {"path": ["fama_french/ff.csv"], "units": ["percent per day, as published"]}
    ).to_csv(tmp_path / "MANIFEST.csv", index=False)
    store = DataStore(tmp_path)
    extra = 'mkt = "fama_french:ff[mkt_rf]"\n'
    rank = '[[facts]]\nid = "r"\nkind = "calendar_rank"\nseries = "{}"\nmonth = "2020-03"\nsince = 2019\n'
    move = '[[facts]]\nid = "m"\nkind = "move"\nseries = "{}"\ndays = 5\nclaimed = 0.01\n'
    change = '[[facts]]\nid = "c"\nkind = "change"\nseries = "mkt"\nfrom = "month_start"\nclaimed = 0.0\n'
    for fact, series, match in (
        (
            rank,
            "yld",
            "fact 'r': 'yld' is a level .*monthly percent returns of a level mean nothing",
        ),
        (move, "yld", "fact 'm': 'yld' is a level .*N-day percent moves of a level"),
        (rank, "mkt", "fact 'r': 'mkt' is a series of returns .*not of closes"),
        (move, "mkt", "fact 'm': 'mkt' is a series of returns"),
        (change, "mkt", "fact 'c': 'mkt' is a series of returns"),
    ):
        with pytest.raises(ConfigError, match=match):
            run(store, fact.format(series), series=extra)


def test_a_claimed_loss_is_never_reproduced_by_a_gain(store: DataStore) -> None:
    """_prices() rises one point a day: the 5-day move to 2020-03-31 is a gain,
    s[-1] / s[-6] - 1 = 186/181 - 1 = +2.76%. "Fell more than 10%" (loss, claimed -0.10,
    at_least) was reproduced by the old code, which compared -move = -2.76% with -10%; a
    claimed fall of about 1% with a 5 pp tolerance is not reproduced by a rise either. A fall
    is shown signed: 1 / s is down 1 - 181/186 = 2.69% over the same days."""
    s = _prices()
    five = s.iloc[-1] / s.iloc[-6] - 1
    assert five == pytest.approx(186 / 181 - 1)
    fact = '[[facts]]\nkind = "move"\nseries = "aaa"\ndays = 5\ndirection = "loss"\n{}'
    (fell,) = run(store, fact.format('claimed = -0.10\nclaim = "at_least"\n')).facts
    assert fell.computed == pytest.approx(five, rel=1e-12)
    assert fell.verdict == "not reproduced"
    assert fell.checks == (
        ("a fall of at least 10.00%", False),
        ("a fall (the move is negative)", False),
    )
    (about,) = run(
        store,
        '[[facts]]\nkind = "return"\nseries = "aaa"\nfrom = 2020-03-24\nclaimed = -0.01\n'
        "tolerance = 0.05\n",
    ).facts
    assert about.computed == pytest.approx(five, rel=1e-12)
    assert about.verdict == "not reproduced" and "a fall, as claimed" in about.row()["verdict"]
    assert about.row()["claimed"] == "-1.00% ± 5.00 pp"
    # no move at all is neither a rise nor a fall: within its tolerance it reproduces a small
    # claimed move (a first version failed +0.4 bp ± 1 bp against 0.0 for its sign); the
    # yield's week to 2020-03-27 is -5.4 bp (the fixture), its day 2020-03-31 0.0 bp
    (flat,) = run(
        store,
        '[[facts]]\nkind = "change"\nseries = "yld"\nfrom = 2020-03-30\nto = 2020-03-31\n'
        "claimed = 0.4\ntolerance = 1.0\n",
    ).facts
    assert flat.computed == pytest.approx(0.0, abs=1e-9)
    assert flat.verdict == "reproduced", flat.row()
    with pytest.raises(ConfigError, match="a loss is claimed as the signed move: claimed = -0.1"):
        run(store, fact.format("claimed = 0.10\n"))


def test_a_real_fall_is_shown_signed(tmp_path: Path) -> None:
    s = 1 / _prices()
    _write(tmp_path, "yahoo", "AAA", s)
    _write(tmp_path, "fred", "YLD", pd.Series(4.0, index=s.index), column="value")
    fact = (
        '[[facts]]\nkind = "move"\nseries = "aaa"\ndays = 5\ndirection = "loss"\n'
        'claimed = -0.02\nclaim = "at_least"\n'
    )
    (f,) = run(DataStore(tmp_path), fact).facts
    assert f.computed == pytest.approx(s.iloc[-1] / s.iloc[-6] - 1, rel=1e-12)  # 181/186 - 1
    assert f.row()["computed"] == "-2.69%" and f.verdict == "reproduced"
    assert f.row()["claimed"] == "a fall of at least 2.00%"


def test_a_ratio_declared_before_its_parts(store: DataStore) -> None:
    """rel = aaa / yld declared first: the old code loaded in line order and called the ratio
    "not checkable — a part is missing"; it is the ratio's return, labelled by both parts."""
    s = _prices()["2020-03-02":]
    y = pd.Series(4.0, index=s.index)
    y[pd.Timestamp("2020-03-27") :] = 3.946
    text = (
        '[note]\nas_of = 2020-03-31\n[data.series]\nrel = { ratio = ["aaa", "yld"] }\n'
        'aaa = "yahoo:AAA"\nyld = { name = "fred:YLD", kind = "level" }\n'
        '[[facts]]\nkind = "return"\nseries = "rel"\nfrom = 2020-03-02\nclaimed = 0.2\n'
        "tolerance = 0.5\n"
    )
    (f,) = check_note(parse_note(text), store=store).facts
    ratio = s / y
    assert f.computed == pytest.approx(ratio["2020-03-31"] / ratio["2020-03-02"] - 1, rel=1e-12)
    assert f.series == "rel (yahoo:AAA / fred:YLD)"


def test_a_signal_aligns_only_the_series_it_names(tmp_path: Path) -> None:
    """A 5-day change of AAA (close = 100 + business-day number) on 2020-03-13 is
    s.diff(5) = 5. BBB, another series of the note that the signal does not use, lacks
    2020-03-10: aligning every alias (the old default) dropped that date and made the change 6
    (five rows back is 2020-03-05). Naming BBB explicitly still aligns it, and the dropped date is
    counted in the detail."""
    s = _prices()
    _write(tmp_path, "yahoo", "AAA", s)
    _write(tmp_path, "yahoo", "BBB", s.drop(pd.Timestamp("2020-03-10")))
    _write(tmp_path, "fred", "YLD", pd.Series(4.0, index=s.index), column="value")
    fact = (
        '[[facts]]\nkind = "signal"\nsignal = { type = "threshold", series = "aaa", '
        'mode = "change", n = 5, level = 1.0, direction = "above" }\ndate = 2020-03-13\n'
        "claimed = 5.0\ntolerance = 0.01\n"
    )
    (f,) = run(DataStore(tmp_path), fact, series='bbb = "yahoo:BBB"\n').facts
    assert f.computed == pytest.approx(s.diff(5)["2020-03-13"]) == 5.0
    assert f.series == "aaa (yahoo:AAA)" and f.values["dates_dropped"] == 0
    (g,) = run(
        DataStore(tmp_path), fact + 'series = ["aaa", "bbb"]\n', series='bbb = "yahoo:BBB"\n'
    ).facts
    assert g.computed == pytest.approx(s.drop(pd.Timestamp("2020-03-10")).diff(5)["2020-03-13"])
    assert g.values["dates_dropped"] == 1
    assert "1 dates on which one of aaa, bbb has no close left out" in g.detail


def test_a_signal_on_a_series_that_starts_after_the_date_is_not_checkable(tmp_path: Path) -> None:
    """BBB starts on 2020-03-02, after the note's as-of date 2020-02-14: the signal fact had
    crashed with an IndexError (a first version of the aligning code); it is not checkable,
    naming the series and its first date."""
    s = _prices()
    _write(tmp_path, "yahoo", "AAA", s)
    _write(tmp_path, "yahoo", "BBB", s["2020-03-02":])
    _write(tmp_path, "fred", "YLD", pd.Series(4.0, index=s.index), column="value")
    fact = (
        '[[facts]]\nkind = "signal"\nsignal = { type = "threshold", series = "bbb", '
        'mode = "change", n = 5, level = 1.0, direction = "above" }\ndate = 2020-02-14\n'
    )
    (f,) = run(DataStore(tmp_path), fact, series='bbb = "yahoo:BBB"\n', as_of="2020-02-14").facts
    assert f.verdict == "not checkable"
    assert f.detail == "bbb has no close up to 2020-02-14 (it starts on 2020-03-02)"


def test_a_record_since_before_the_data_is_not_checkable_as_a_signal_fact_too(
    store: DataStore,
) -> None:
    """ "The biggest 5-day gain since 2019-06-01" on data from 2019-12-02: a move fact was not
    checkable, the same claim as a signal fact stopped the whole note with exit 2 (the
    review of the day's diff); both are not checkable now, the signal's reason given."""
    fact = (
        '[[facts]]\nkind = "signal"\nsignal = { type = "move", series = "aaa", n = 5, '
        'mode = "record_high", since = 2019-06-01 }\ndate = 2020-03-31\n'
    )
    (f,) = run(store, fact).facts
    assert f.verdict == "not checkable"
    assert f.detail.startswith("signal: since = 2019-06-01 is before the first date of series")


def test_an_unknown_provider_is_an_error_a_near_name_a_hint_and_strict_fails(
    store: DataStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown provider was "not checkable" with exit status 0; it is a configuration
    error now, like a panel typo. A name one letter from one the data directory holds is not
    checkable with a "did you mean" (it may be a real series not fetched yet: an error would
    stop the whole note, as a first version did for fred:DGS30 beside fred:DGS10); a name
    close to nothing (fred:NOPE) is not checkable. `check --strict` exits 1 when a fact is not
    reproduced (0 without it)."""
    fact = '[[facts]]\nkind = "return"\nseries = "x"\nfrom = "year_start"\nclaimed = 0.1\n'
    with pytest.raises(ConfigError, match=r"'x': no provider 'yhoo' in 'yhoo:AAA'; providers"):
        run(store, fact, series='x = "yhoo:AAA"\n')
    (near,) = run(store, fact, series='x = "yahoo:^AAB"\n').facts
    assert near.verdict == "not checkable"
    assert near.detail.endswith("(did you mean 'yahoo:AAA'?)")
    (nope,) = run(store, fact, series='x = "fred:NOPE"\n').facts
    assert nope.verdict == "not checkable" and "did you mean" not in nope.detail
    from eventstudy.cli import main

    path = tmp_path / "n.toml"
    path.write_text(note(fact.replace('"x"', '"aaa"')))  # +53.7% YTD, not 10%
    args = ["check", str(path), "--data-dir", str(store.root), "--quiet"]
    assert main(args) == 0
    assert main([*args, "--strict"]) == 1
    assert "--strict: not reproduced or not checkable: fact_1" in capsys.readouterr().err


def test_a_bound_on_the_share_leaves_the_average_an_about_figure(tmp_path: Path) -> None:
    """claim = "at_most" applies to the share; the claimed long-run average keeps the kind's
    1 pp tolerance. The old code applied the bound's zero tolerance to it, so "about 73%"
    failed against 73.3%. Three stocks, 3-day average; pandas' rolling mean gives the average
    of the share, claimed 0.5 pp higher. The eight days repeat over ten years, so the average
    is a long-run one (LONG_RUN_YEARS)."""
    idx = pd.bdate_range("2011-01-03", "2021-01-12")
    reps = -(-idx.size // 8)
    px = pd.DataFrame(
        {
            "A": np.tile([1, 2, 3, 4, 5, 4, 3, 2], reps)[: idx.size],
            "B": np.tile([5, 4, 3, 2, 1, 2, 3, 4], reps)[: idx.size],
            "C": np.tile([1, 1, 2, 2, 3, 3, 2, 2], reps)[: idx.size],
        },
        index=idx,
        dtype=float,
    )
    (tmp_path / "panel").mkdir()
    long = px.stack().rename("close").reset_index()
    long.columns = ["date", "ticker", "close"]
    long["date"] = long["date"].dt.strftime("%Y-%m-%d")
    long.to_csv(tmp_path / "panel" / "P.csv", index=False)
    _write(tmp_path, "yahoo", "AAA", pd.Series(1.0, index=idx))
    _write(tmp_path, "fred", "YLD", pd.Series(1.0, index=idx), column="value")
    ma = px.rolling(3).mean()
    share = (px > ma).where(ma.notna()).mean(axis=1).dropna()
    average = share.loc[:"2021-01-12"].mean()
    fact = (
        '[[facts]]\nkind = "breadth"\npanel = "panel:P"\nwindow = 3\ndate = 2021-01-12\n'
        f'claim = "at_most"\nclaimed = 0.6\nclaimed_average = {average + 0.005}\n'
    )
    (f,) = run(DataStore(tmp_path), fact, as_of="2021-01-13").facts
    assert f.values["long_run_average"] == pytest.approx(average)
    assert f.verdict == "reproduced", f.row()
    assert "within 1.0 pp of" in f.checks[-1][0]


def _month_end_then_daily() -> pd.Series:
    """Month-end closes 2017-01-31 .. 2019-12-31 (rising 5 a month: a "5-day move" there is
    five months), then business days from 2020-01-02 (rising 0.1 a day), as FRED's
    RU2000GPR is month-end only before 1993-05-31."""
    months = pd.date_range("2017-01-31", "2019-12-31", freq="ME")
    days = pd.bdate_range("2020-01-02", "2020-03-31")
    early = pd.Series(100.0 + 5.0 * np.arange(months.size), index=months)
    late = pd.Series(early.iloc[-1] + 0.1 * np.arange(1, days.size + 1), index=days)
    late.iloc[-1] = late.iloc[-6] * 1.08  # +8% in five days: larger than any daily move
    return pd.concat([early, late])


def test_an_n_day_move_or_window_over_month_end_history_is_not_checkable(
    tmp_path: Path,
) -> None:
    """Report item 1.8: on month-end rows a "5-day move" ending 2019-12-31 ran from 2019-07-31
    (five months; the old code reproduced it, +10.00%), and so did a 20-day low. Now each is
    not checkable, naming the series and the non-daily dates, which plain pandas finds as the
    steps of more than 5 calendar days. A move in the daily part is checked, and months before
    it are not compared as "last at least as large"."""
    s = _month_end_then_daily()
    _write(tmp_path, "yahoo", "AAA", s)
    _write(tmp_path, "fred", "YLD", pd.Series(4.0, index=s.index), column="value")
    steps = s.index.to_series().diff().dt.days
    sparse = steps[steps > 5].index  # the dates reached by a step of more than 5 days
    first, last = sparse[0] - pd.offsets.MonthEnd(1), sparse[-1]
    assert (f"{first:%Y-%m-%d}", f"{last:%Y-%m-%d}") == ("2017-01-31", "2019-12-31")
    move = '[[facts]]\nkind = "move"\nseries = "aaa"\ndays = 5\nclaimed = 0.1\ntolerance = 1\n'
    (m,) = run(DataStore(tmp_path), move, as_of="2019-12-31").facts
    assert m.verdict == "not checkable", m.row()
    assert m.computed is None
    assert "aaa (yahoo:AAA) from 2019-07-31 to 2019-12-31" in m.detail
    gap = steps[sparse].median()
    assert (
        f"not daily from 2017-01-31 to 2019-12-31 (median gap {gap:.0f} calendar days" in m.detail
    )
    low = (
        '[[facts]]\nkind = "return"\nseries = "aaa"\nfrom = "low"\nwindow = 20\n'
        "claimed = 0.1\ntolerance = 1\n"
    )
    (w,) = run(DataStore(tmp_path), low, as_of="2020-01-15").facts
    assert w.verdict == "not checkable" and "the low of the last 20 trading days" in w.detail
    assert "not daily from 2017-01-31 to 2019-12-31" in w.detail
    # in the daily part: the move is plain pandas', the largest of the daily moves; the
    # five-month "moves" (+9% to +25%) are not "last at least as large" (the old code named
    # +10.00% ending 2019-12-31, from 2019-07-31)
    (d,) = run(DataStore(tmp_path), move, as_of="2020-03-31").facts
    daily = s.loc["2019-12-31":]
    moves = (daily / daily.shift(5) - 1).dropna()
    assert d.computed == pytest.approx(moves.iloc[-1], rel=1e-12) == pytest.approx(0.08)
    assert (moves.iloc[:-1] < moves.iloc[-1]).all()
    assert d.values["last_larger_date"] is None and "the largest in the data" in d.detail
    assert "not daily before 2019-12-31: moves before it are not compared" in d.detail


def _panel(root: Path, px: pd.DataFrame) -> None:
    (root / "panel").mkdir(exist_ok=True)
    long = px.stack().dropna().rename("close").reset_index()
    long.columns = ["date", "ticker", "close"]
    long["date"] = long["date"].dt.strftime("%Y-%m-%d")
    long.to_csv(root / "panel" / "P.csv", index=False)
    _write(root, "yahoo", "AAA", pd.Series(1.0, index=px.index))
    _write(root, "fred", "YLD", pd.Series(1.0, index=px.index), column="value")


def test_breadth_counts_the_stocks_and_names_those_left_out(tmp_path: Path) -> None:
    """Report item 1.11: the share said nothing of the stocks it left out. On day 7 of this
    3-day-average panel D joined two days before, E lacks day 5 and F lacks day 7; the detail
    and the JSON now count them, against a plain per-stock loop (for the panel's rows, and for
    each stock's own last three closes, which keeps E)."""
    idx = pd.bdate_range("2021-01-04", periods=7)
    nan = np.nan
    px = pd.DataFrame(
        {
            "A": [1, 2, 3, 4, 5, 6, 7],
            "B": [7, 6, 5, 4, 3, 2, 1],
            "C": [1, 1, 1, 1, 1, 1, 2],
            "D": [nan, nan, nan, nan, nan, 1, 2],
            "E": [1, 2, 3, 4, nan, 5, 9],
            "F": [1, 2, 3, 4, 5, 6, nan],
        },
        index=idx,
        dtype=float,
    )
    _panel(tmp_path, px)
    day = idx[-1]
    rows = {t: px[t].iloc[-3:] for t in px}  # the panel's last three rows
    counted = [t for t, w in rows.items() if w.notna().all()]
    above = [t for t in counted if px.at[day, t] > rows[t].mean()]
    short = [t for t in px if pd.notna(px.at[day, t]) and t not in counted]
    missing = [t for t in px if pd.isna(px.at[day, t]) and pd.notna(px[t].iloc[-2])]
    own = {t: px[t].dropna() for t in px if pd.notna(px.at[day, t])}
    own_counted = [t for t, s in own.items() if len(s) >= 3]
    own_above = [t for t in own_counted if own[t].iloc[-1] > own[t].iloc[-3:].mean()]
    assert (len(above), len(counted), short, missing) == (2, 3, ["D", "E"], ["F"])
    assert (len(own_above), len(own_counted)) == (3, 4)
    fact = '[[facts]]\nkind = "breadth"\npanel = "panel:P"\nwindow = 3\nclaimed = 0.6\n'
    (f,) = run(DataStore(tmp_path), fact, as_of=f"{day:%Y-%m-%d}").facts
    assert f.computed == pytest.approx(len(above) / len(counted))
    assert (
        f"({len(above)} of {len(counted)} above; 3 of {len(counted) + 3} stocks left out: 2 with "
        "fewer than 3 closes in the 3 trading days to the date, 1 with no close on the date (one "
        "on the trading day before); averaging each stock's own last 3 closes (its missing rows "
        f"skipped): {len(own_above) / len(own_counted):.1%}, 3 of 4)"
    ) in f.detail
    stocks = f.to_dict()["values"]["stocks"]
    assert stocks == {"hits": 2, "counted": 3, "closes": 5, "short_history": 2, "missing": 1}
    assert f.to_dict()["values"]["own_closes"]["share"] == pytest.approx(0.75)


def test_a_long_run_average_needs_ten_years_of_history(tmp_path: Path) -> None:
    """Report item 1.12: "below the long-run 57%" was failed against the panel's 20 months
    (73.3%); over less than LONG_RUN_YEARS (10) of history the claimed average is now not
    checkable, the span stated. Two stocks from 2010-01-04, a 3-day average: the share is
    defined from 2010-01-06, so ten years are reached on 2020-01-06 (pandas' DateOffset)."""
    idx = pd.bdate_range("2010-01-04", "2020-01-10")
    reps = -(-idx.size // 4)
    px = pd.DataFrame(
        {
            "A": np.tile([1, 2, 3, 2], reps)[: idx.size],
            "B": np.tile([3, 2, 1, 2], reps)[: idx.size],
        },
        index=idx,
        dtype=float,
    )
    _panel(tmp_path, px)
    first = idx[2]
    assert first + pd.DateOffset(years=10) == pd.Timestamp("2020-01-06")
    fact = (
        '[[facts]]\nkind = "breadth"\npanel = "panel:P"\nwindow = 3\ndate = {}\n'
        "claimed_average = 0.9\n"
    )
    (short,) = run(DataStore(tmp_path), fact.format("2020-01-03"), as_of="2020-01-10").facts
    assert short.verdict == "not checkable", short.row()
    years = (pd.Timestamp("2020-01-03") - first).days / 365.25
    assert (
        "the claimed long-run average 90.0% is not checkable: the history is "
        f"2010-01-06..2020-01-03 ({years:.1f} years), shorter than the 10 years"
    ) in short.detail
    (long,) = run(DataStore(tmp_path), fact.format("2020-01-06"), as_of="2020-01-10").facts
    assert long.verdict == "not reproduced"  # the average is about 0.5, not 0.9
    assert long.checks[-1][0].startswith("long-run average")


def test_the_table_shows_the_series_and_the_headline_counts_look_ahead(
    store: DataStore,
) -> None:
    """Report text items 1 and 4: the text, markdown and HTML tables had no series column (a
    price index could not be told from total return, nor a splice), and a fact reproduced only
    with a full-sample σ counted as plainly reproduced. The divergence z with sigma = "full"
    reads every 5-day return to the as-of date (look-ahead; AAA's dip on 2020-02-14 is an
    event against BBB, the same closes without it); the day's return does not."""
    _write(
        store.root, "yahoo", "BBB", 100.0 + pd.Series(np.arange(_prices().size), _prices().index)
    )
    facts = """
[[facts]]
id = "z"
kind = "signal"
signal = { type = "divergence", a = "aaa", b = "bbb", n = 5, return_kind = "simple", k = 1.0, direction = "below", sigma = "full" }
date = 2020-02-14
series = ["aaa", "bbb"]

[[facts]]
id = "day"
kind = "return"
series = "aaa"
from = 2020-03-30
claimed = 0.0
tolerance = 1
"""
    t = run(DataStore(store.root), facts, series='bbb = "yahoo:BBB"\n')
    z, day = t.facts
    assert z.look_ahead and not day.look_ahead and z.verdict == day.verdict == "reproduced"
    assert t.headline() == (
        "2 of 2 checkable facts reproduced, 1 of them only with look-ahead (z)."
    )
    assert t.summary().splitlines()[4].split()[:2] == ["fact", "series"]
    assert "| fact | series | claimed | computed | verdict | detail |" in t.to_markdown()
    assert "| aaa (yahoo:AAA) |" in t.to_markdown()
    assert "<th>series</th>" in t.to_html()
    # no manifest here: each series is described by its name
    assert t.data_about["aaa"] == "yahoo:AAA"
    assert "Series: aaa = yahoo:AAA; yld = fred:YLD; bbb = yahoo:BBB" in t.to_markdown()


def test_a_claimed_date_of_a_date_base_reads_as_a_date(store: DataStore) -> None:
    """Report text item 6: claimed_date with a date `from` was labelled "2020-03-01 00:00:00
    on 2020-03-01". Sunday 2020-03-01's base close is plain pandas' last close on or before
    it, Friday 2020-02-28, and the label says so."""
    fact = (
        '[[facts]]\nkind = "return"\nseries = "aaa"\nfrom = 2020-03-01\n'
        "claimed_date = 2020-03-01\nclaimed = 0.0\ntolerance = 1\n"
    )
    (f,) = run(store, fact).facts
    base = _prices().loc[:"2020-03-01"].index[-1]
    assert f"{base:%Y-%m-%d}" == "2020-02-28"
    assert f.checks[-1] == (f"the base close on 2020-03-01 (it is on {base:%Y-%m-%d})", False)


def test_a_breadth_date_before_the_measure_is_defined_says_why(tmp_path: Path) -> None:
    """Report error item 4: a breadth date before its window said only "starts on X, after
    Y". A 3-day average is defined from the panel's third date (pandas' rolling mean)."""
    idx = pd.bdate_range("2021-01-04", periods=8)
    px = pd.DataFrame({"A": np.arange(8.0) + 1, "B": 8.0 - np.arange(8.0)}, index=idx)
    _panel(tmp_path, px)
    first = px.rolling(3).mean().dropna().index[0]
    fact = (
        '[[facts]]\nkind = "breadth"\npanel = "panel:P"\nwindow = 3\ndate = 2021-01-05\n'
        "claimed = 0.5\n"
    )
    with pytest.raises(
        DataError,
        match=f"is defined from {first:%Y-%m-%d}, after 2021-01-05: it needs 3 trading days "
        "of closes and the panel starts on 2021-01-04",
    ):
        run(DataStore(tmp_path), fact, as_of="2021-01-13")


def test_a_move_record_since_with_no_earlier_move_is_not_checkable(store: DataStore) -> None:
    """Item 5 (the facts' `since` as the move signal's, which refuses a since that leaves it
    nothing to compare): "the largest 5-day gain since 2020-03-30" as of 2020-03-31 compares
    the moves that ended after 2020-03-30 and before 2020-03-31 (plain pandas: none). The old
    code reproduced it ("the record holds"); it is now not checkable, as a calendar rank
    against no earlier year is. Since Friday 2020-03-27 one move (Monday's) is compared."""
    moves = _prices().pct_change(5, fill_method=None)
    between = moves.loc["2020-03-30":"2020-03-31"].iloc[1:-1]  # after 03-30, before 03-31
    assert between.empty
    monday = moves.loc["2020-03-28":"2020-03-30"]  # after Friday 03-27, before 03-31
    assert list(monday.index.strftime("%Y-%m-%d")) == ["2020-03-30"]
    fact = '[[facts]]\nkind = "move"\nseries = "aaa"\ndays = 5\nsince = {}\n'
    (f,) = run(store, fact.format("2020-03-30")).facts
    assert f.verdict == "not checkable", f.row()
    assert "ended after 2020-03-30 and before 2020-03-31: there are none" in f.detail
    (g,) = run(store, fact.format("2020-03-27")).facts
    # closes rise by 1 a day: Monday's move is larger than Tuesday's, so no record
    assert monday.iloc[0] > moves.loc["2020-03-31"]
    assert g.verdict == "not reproduced"
    assert g.to_dict()["values"]["larger_since"] == [["2020-03-30", pytest.approx(monday.iloc[0])]]
