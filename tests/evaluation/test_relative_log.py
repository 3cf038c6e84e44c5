"""A relative target with log returns is the log of the price ratio's growth (it once silently
got simple returns)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.api import parse_study, run_study
from eventstudy.data import DataStore
from eventstudy.evaluation import relative_forward_returns


def prices(seed: int, n: int = 60) -> pd.Series:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2021-01-04", periods=n)
    return pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.02, n))), index=idx)


def brute(a: pd.Series, b: pd.Series, h: int, kind: str, mode: str) -> np.ndarray:
    out = np.full(a.size, np.nan)
    for t in range(a.size - h):
        ra, rb = a.iloc[t + h] / a.iloc[t], b.iloc[t + h] / b.iloc[t]
        if kind == "log":
            out[t] = np.log(ra) - np.log(rb)
        else:
            out[t] = (ra - 1) - (rb - 1) if mode == "difference" else ra / rb - 1
    return out


@pytest.mark.parametrize("kind", ["simple", "log"])
@pytest.mark.parametrize("mode", ["difference", "ratio"])
def test_relative_forward_returns_by_loop(kind: str, mode: str) -> None:
    a, b = prices(1), prices(2)
    got = relative_forward_returns(a, b, {"5d": 5, "1d": 1}, mode=mode, kind=kind)  # type: ignore[arg-type]
    for label, h in (("5d", 5), ("1d", 1)):
        np.testing.assert_allclose(got[label].to_numpy(), brute(a, b, h, kind, mode), rtol=1e-12)
    with pytest.raises(ValueError, match="kind must be one of"):
        relative_forward_returns(a, b, {"1d": 1}, kind="pct")  # type: ignore[arg-type]


STUDY = """
[study]
name = "rel_log"
[data.series]
a = "test:A"
b = "test:B"
[signal]
type = "move"
series = "a"
n = 1
mode = "above"
level = -1.0
[events]
min_gap = 10
[evaluation]
horizons = { "1w" = 5 }
return_kind = "log"
targets = [{ name = "a_vs_b", series = "a", relative_to = "b" }]
path = { pre = 2, post = 5 }
[inference]
tests = ["naive_t"]
default_test = "naive_t"
draws = 100
bootstrap_reps = 100
"""


def test_study_relative_target_uses_log_returns(tmp_path) -> None:
    root = tmp_path / "data" / "series" / "test"
    root.mkdir(parents=True)
    a, b = prices(3, 120), prices(4, 120)
    for name, s in (("A", a), ("B", b)):
        pd.DataFrame({"date": s.index.strftime("%Y-%m-%d"), "close": s.to_numpy()}).to_csv(
            root / f"{name}.csv", index=False
        )
    result = run_study(parse_study(STUDY, source="rel.toml"), store=DataStore(tmp_path / "data"))
    fwd = result.variants[0].forward["a_vs_b"]["1w"].to_numpy()
    np.testing.assert_allclose(fwd, brute(a, b, 5, "log", "difference"), rtol=1e-12)
