"""Units a provider records, and what the store and a backtest's cash make of them: a French
daily RF fetched into the cache is percent a day (as the snapshot's ff3 says), a FRED series
is a yield, a spread, a volatility index or of unknown units, never guessed a price."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.backtest.spec import BacktestSpec
from eventstudy.data import DataStore
from eventstudy.data.providers import fetch_series
from eventstudy.data.providers.fred import units_of
from eventstudy.exceptions import ConfigError
from eventstudy.timeseries.trade import load_cash
from tests.data.test_providers import NOW, FakeSession, french_zip


def _daily_rows(n: int, rf: float = 0.02) -> tuple[pd.DatetimeIndex, list[str]]:
    days = pd.bdate_range("2024-01-02", periods=n)
    return days, [f"{d:%Y%m%d},   0.10,  -0.05,   0.02,   {rf:.2f}" for d in days]


def test_french_daily_rf_as_cash_is_a_daily_return_like_the_snapshot(tmp_path: Path) -> None:
    """The fetched daily RF (0.02 percent a day) earns about 5% a year as cash, as the
    snapshot's ff3 rf does; read as an annual yield it earned 0.02% (the defect)."""
    days, rows = _daily_rows(300)
    rec = fetch_series(
        "french:F-F_Research_Data_Factors_daily",
        tmp_path,
        session=FakeSession(french_zip(rows)),
        now=NOW,
    )
    assert rec.row["units"] == "percent per day, as published"
    store = DataStore(tmp_path)
    spec = BacktestSpec(long="x", hold=5, cash="french:F-F_Research_Data_Factors_daily[RF]")
    cash = load_cash(spec, store, days[1:251], "s.toml")
    assert cash.returns is not None
    np.testing.assert_allclose(cash.returns.to_numpy(), 0.0002)
    assert "percent a day" in cash.label
    growth = float((1 + cash.returns).prod() - 1)
    assert growth == pytest.approx(1.0002**250 - 1)  # about 5% a year, not 0.02%


def test_french_monthly_table_is_percent_per_month_and_refused_as_daily_cash(
    tmp_path: Path,
) -> None:
    months = pd.period_range("2020-01", periods=40, freq="M")
    rows = [f"{p.year}{p.month:02d},   1.00,   0.50,  -0.25,   0.40" for p in months]
    rec = fetch_series(
        "french:F-F_Research_Data_Factors",
        tmp_path,
        session=FakeSession(french_zip(rows, name="F-F_Research_Data_Factors.CSV")),
        now=NOW,
    )
    assert rec.row["units"] == "percent per month, as published"
    store = DataStore(tmp_path)
    assert store.kind_of("french:F-F_Research_Data_Factors[RF]") == "level"
    spec = BacktestSpec(long="x", hold=5, cash="french:F-F_Research_Data_Factors[RF]")
    with pytest.raises(ConfigError, match="has units 'percent per month, as published'"):
        load_cash(spec, store, pd.bdate_range("2021-01-04", periods=20), "s.toml")


def test_cash_refuses_a_bare_percent_rather_than_guessing(tmp_path: Path) -> None:
    folder = tmp_path / "series" / "test"
    folder.mkdir(parents=True)
    days = pd.bdate_range("2024-01-02", periods=30)
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "value": 0.02})
    frame.to_csv(folder / "RF.csv", index=False)
    pd.DataFrame({"path": ["series/test/RF.csv"], "units": ["percent"]}).to_csv(
        tmp_path / "MANIFEST.csv", index=False
    )
    spec = BacktestSpec(long="x", hold=5, cash="test:RF")
    with pytest.raises(ConfigError, match=r"'test:RF' has units 'percent'; cash needs"):
        load_cash(spec, DataStore(tmp_path), days, "s.toml")


@pytest.mark.parametrize(
    ("symbol", "units"),
    [
        ("DGS10", "percent per annum"),
        ("DGS3MO", "percent per annum"),
        ("DFII10", "percent per annum"),
        ("T10YIE", "percent per annum"),
        ("SOFR", "percent per annum"),
        ("DPRIME", "percent per annum"),
        ("MORTGAGE30US", "percent per annum"),
        ("TB3MS", "percent per annum"),
        ("DTB3", "percent per annum"),
        ("DFF", "percent per annum"),
        ("FEDFUNDS", "percent per annum"),
        ("GS10", "percent per annum"),
        ("BAMLC0A0CMEY", "percent per annum"),
        ("T10Y2Y", "percent"),
        ("BAMLH0A0HYM2", "percent"),
        ("UNRATE", "percent"),
        ("VIXCLS", "index points (annualized implied vol, percent)"),
        ("BAMLCC0A0CMTRIV", "index points"),
        ("SP500", "index points"),
        ("DEXUSEU", "unknown"),
    ],
)
def test_fred_units_from_the_symbol(symbol: str, units: str) -> None:
    assert units_of(symbol) == units


def _fred(tmp_path: Path, symbol: str, values: list[float]) -> None:
    days = pd.bdate_range("2020-03-16", periods=len(values))
    body = f"observation_date,{symbol}\n" + "".join(
        f"{d:%Y-%m-%d},{v}\n" for d, v in zip(days, values, strict=True)
    )
    fetch_series(f"fred:{symbol}", tmp_path, session=FakeSession(body), now=NOW)


def test_fred_rates_spreads_vix_and_unknown_series_load_as_levels(tmp_path: Path) -> None:
    """Negative TIPS yields load (they failed as prices); a spread and SOFR are levels shown in
    bp; VIX is a level in points (not percent x 100); an unknown series is a level in points,
    and a fetched 3-month yield serves as cash."""
    _fred(tmp_path, "DFII10", [-1.06, -1.06, -1.04])
    _fred(tmp_path, "BAMLH0A0HYM2", [10.87, 10.80, 9.80])
    _fred(tmp_path, "SOFR", [0.26, 0.55, 0.10])
    _fred(tmp_path, "VIXCLS", [57.83, 82.69, 75.91])
    _fred(tmp_path, "DEXUSEU", [1.11, 1.10, 1.09])
    _fred(tmp_path, "DGS3MO", [0.24, 0.25, 0.19])
    store = DataStore(tmp_path)
    assert store.load("fred:DFII10").data.tolist() == [-1.06, -1.06, -1.04]
    for name in ("fred:DFII10", "fred:BAMLH0A0HYM2", "fred:SOFR"):
        assert (store.kind_of(name), store.level_units(name)) == ("level", ("bp", 100.0))
    assert (store.kind_of("fred:VIXCLS"), store.level_units("fred:VIXCLS")) == (
        "level",
        ("points", 1.0),
    )
    assert (store.kind_of("fred:DEXUSEU"), store.level_units("fred:DEXUSEU")) == (
        "level",
        ("points", 1.0),
    )
    days = pd.bdate_range("2020-03-17", periods=2)
    cash = load_cash(BacktestSpec(long="x", hold=5, cash="fred:DGS3MO"), store, days, "s.toml")
    assert cash.returns is not None and "yield" in cash.label
    with pytest.raises(ConfigError, match="'fred:DEXUSEU' has units 'unknown'"):
        load_cash(BacktestSpec(long="x", hold=5, cash="fred:DEXUSEU"), store, days, "s.toml")
