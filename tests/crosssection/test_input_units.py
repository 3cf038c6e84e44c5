"""Returns that look like prices (or percent) are refused by check_return_units, and tz-aware
returns or event dates against naive ones name the argument (instead of pandas' TypeError)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.crosssection.inputs import check_return_units, returns_from_prices
from eventstudy.exceptions import DataError

IDX = pd.bdate_range("2015-01-01", periods=400)
RNG = np.random.default_rng(0)
PRICES = pd.DataFrame(
    100 * np.exp(np.cumsum(RNG.normal(0, 0.02, (400, 3)), axis=0)), index=IDX, columns=list("ABC")
)
R = returns_from_prices(PRICES)
M = pd.Series(RNG.normal(0, 0.01, 400), index=IDX, name="mkt")
E = pd.DataFrame({"ticker": ["A", "B"], "date": IDX[300]})


@pytest.mark.parametrize(
    "values",
    [
        R,
        M,
        pd.Series(RNG.standard_t(2, 5000) * 0.05),  # fat tails, very volatile
        pd.Series(np.full(50, 0.5)),  # the boundary itself
        pd.Series(np.full(50, -0.5)),
        pd.Series([np.nan, np.nan]),  # nothing to judge
    ],
    ids=["stock returns", "market", "fat tails", "0.5", "-0.5", "all NaN"],
)
def test_real_returns_pass(values: object) -> None:
    check_return_units(values, "returns")  # type: ignore[arg-type]


def test_prices_and_percent_are_refused() -> None:
    with pytest.raises(DataError, match=r"^returns look like prices .*every value is above 1"):
        check_return_units(PRICES, "returns")
    with pytest.raises(DataError, match=r"^market looks like prices .*median absolute value"):
        check_return_units(M * 100, "market")
    with pytest.raises(DataError, match=r"above 0\.5"):
        check_return_units(pd.Series(np.full(50, 0.5000001)), "returns")


def test_tz_aware_returns_or_events_name_the_argument() -> None:
    with pytest.raises(
        TypeError,
        match=r"events\['date'\] is tz-naive but the index of returns "
        r"is tz-aware \(UTC\).*tz_localize\(None\)",
    ):
        es.run_cross_section(R.tz_localize("UTC"), M.tz_localize("UTC"), E)
    with pytest.raises(TypeError, match=r"events\['date'\] is tz-aware \(UTC\) but .* tz-naive"):
        es.run_cross_section(R, M, E.assign(date=IDX[300].tz_localize("UTC")))


def test_run_cross_section_refuses_prices_for_returns_or_market() -> None:
    """Prices passed as returns gave car_t = 3.17 without a word; they are refused, naming the
    argument."""
    import eventstudy as es

    rng = np.random.default_rng(3)
    dates = pd.bdate_range("2015-01-02", periods=400)
    rets = pd.DataFrame(rng.normal(0, 0.01, (400, 3)), index=dates, columns=["A", "B", "C"])
    market = pd.Series(rng.normal(0, 0.01, 400), index=dates)
    events = pd.DataFrame({"ticker": ["A", "B", "C"], "date": dates[[300, 310, 320]]})
    kw = {"estimation": (-250, -11), "event_window": (-5, 5)}
    es.run_cross_section(rets, market, events, **kw)  # returns: accepted
    with pytest.raises(DataError, match="^returns look like prices"):
        es.run_cross_section(100 * (1 + rets).cumprod(), market, events, **kw)
    with pytest.raises(DataError, match="^market looks like prices"):
        es.run_cross_section(rets, 100 * (1 + market).cumprod(), events, **kw)


def test_one_price_column_among_returns_is_refused_naming_it() -> None:
    """The reviewer's case: AAPL's prices among 500 columns of returns left the panel's median
    near 0.01 and gave a BHAR of 2.5e22."""
    from eventstudy.crosssection.inputs import check_column_units

    wide = pd.concat([R] * 4, axis=1, keys=list("wxyz"))
    wide.columns = [f"{a}{b}" for a, b in wide.columns]
    check_column_units(wide, "returns")
    bad = wide.assign(xB=PRICES["B"], zC=R["C"] * 100)
    with pytest.raises(
        DataError,
        match=r"^returns column 'xB' looks like prices \(or percent\).*median absolute value is "
        r"1\d\d\.?\d*, above 0\.5 \(2 such columns\)",
    ):
        check_column_units(bad, "returns")
    late = wide.copy()
    late.iloc[:390, 0] = np.nan  # listed late: too few days among the sampled ones
    late.iloc[390:, 0] = 50.0
    with pytest.raises(DataError, match="column 'wA'"):
        check_column_units(late, "returns")
    check_column_units(wide.iloc[:, :0], "returns")  # no columns: nothing to judge
    new = wide.copy()  # listed for its last 20 days, one of them -60%: one sampled value only
    new.iloc[:-20, 1] = np.nan
    new.iloc[-7, 1] = -0.6
    check_column_units(new, "returns")
    with pytest.raises(DataError, match="column 'xB'"):
        es.run_cross_section(bad, M, E)


def test_an_index_or_factor_return_of_100_percent_is_refused() -> None:
    """S&P 500 returns in percent have a median absolute value of 0.38 (below 0.5), and a CAAR
    of -303% came out of them: no index moves 100% in a day."""
    from eventstudy.crosssection.inputs import check_no_full_day_move

    percent = M / 2 * 100  # a calm index in percent: the median rule alone lets it through
    assert float(np.median(np.abs(percent))) < 0.5
    check_no_full_day_move(M, "market")
    check_no_full_day_move(pd.Series([0.99, -0.99, np.inf, np.nan]), "market")
    calm = M.copy()
    calm.iloc[7] = -1.0
    with pytest.raises(
        DataError, match=rf"^market has -1 on {IDX[7]:%Y-%m-%d} \(1 value\(s\) of magnitude 1"
    ):
        check_no_full_day_move(calm, "market")
    with pytest.raises(DataError, match=r"^market has .*divide percent by 100"):
        es.run_cross_section(R, percent, E)
    factors = pd.DataFrame(
        {"mkt_rf": M, "smb": M / 2, "hml": -M / 3, "rf": 0.0001, "note": 5.0}, index=IDX
    )
    kw = {"model": "ff3", "estimation": (-250, -11), "event_window": (-5, 5)}
    es.run_cross_section(R, M, E, factors=factors, **kw)  # the extra column is not a factor
    with pytest.raises(
        DataError, match=r"^factors column 'hml' has .*pass factors_from_percent\(factors\)"
    ):
        es.run_cross_section(R, M, E, factors=factors.assign(hml=factors["hml"] * 1000), **kw)


@pytest.mark.integration
def test_sp500_returns_in_percent_are_refused(snapshot_dir) -> None:  # type: ignore[no-untyped-def]
    """The reviewer's real case: the S&P 500's daily returns 2013-2018 in percent."""
    from eventstudy.data import DataStore

    spx = DataStore(snapshot_dir).load("yahoo:^GSPC").data.loc["2013":"2018"]
    pct = spx.pct_change().dropna() * 100
    assert 0.3 < float(np.median(np.abs(pct))) < 0.5  # passes the median rule
    with pytest.raises(DataError, match="^market has"):
        es.run_cross_section(
            R.set_axis(pct.index[:400]), pct.iloc[:400], E.assign(date=pct.index[300])
        )
