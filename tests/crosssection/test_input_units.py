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
