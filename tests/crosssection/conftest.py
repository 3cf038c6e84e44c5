"""Fixtures for the cross-section tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests._support import missing


def _reference_dir() -> Path | None:
    if os.environ.get("EVENTSTUDY_REFERENCE"):
        return Path(os.environ["EVENTSTUDY_REFERENCE"])
    if os.environ.get("EVENTSTUDY_DATA"):
        return Path(os.environ["EVENTSTUDY_DATA"]).parent / "reference"
    return None


@pytest.fixture(scope="session")
def estudy2_case() -> dict:
    """The estudy2 0.10.0 vignette case: inputs.csv + expected.json (skips if unavailable
    locally, fails under CI)."""
    base = _reference_dir()
    if base is None:
        missing("set EVENTSTUDY_REFERENCE or EVENTSTUDY_DATA to run the estudy2 reference tests")
    case = base / "estudy2_vignette"
    if not (case / "expected.json").is_file():
        missing(f"estudy2 reference case not found under {case}")
    expected = json.loads((case / "expected.json").read_text())
    inp = pd.read_csv(case / "inputs.csv", parse_dates=["date"])
    tickers = expected["inputs"]["tickers"]
    returns = inp.pivot(index="date", columns="ticker", values="return")[tickers]
    market = inp.groupby("date")["market_return"].first()
    return {"expected": expected, "returns": returns, "market": market, "tickers": tickers}


def _make_panel(
    n_tickers: int = 30, n_days: int = 400, *, seed: int = 0
) -> tuple[pd.DataFrame, pd.Series]:
    """Synthetic market-model returns on a business-day calendar."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-02", periods=n_days)
    m = rng.normal(0.0003, 0.01, n_days)
    beta = rng.uniform(0.5, 1.5, n_tickers)
    alpha = rng.normal(0, 0.0005, n_tickers)
    eps = rng.normal(0, 0.015, (n_days, n_tickers))
    r = alpha + np.outer(m, beta) + eps
    cols = [f"T{i:03d}" for i in range(n_tickers)]
    return pd.DataFrame(r, index=dates, columns=cols), pd.Series(m, index=dates, name="market")


@pytest.fixture
def make_panel():
    """Factory fixture: ``make_panel(n_tickers, n_days, seed=...) -> (returns, market)``."""
    return _make_panel
