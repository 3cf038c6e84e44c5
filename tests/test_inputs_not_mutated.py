"""No public function mutates its inputs (frames, series, arrays, mappings are left as given)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy import breadth
from eventstudy.evaluation import placebo_path_band
from eventstudy.inference import (
    block_bootstrap_test,
    hac_test,
    naive_t_test,
    placebo_test,
    sign_test,
    wilcoxon_test,
)

pytestmark = pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")

RNG = np.random.default_rng(5)
DATES = pd.bdate_range("2015-01-02", periods=400)
PRICE = pd.Series(100 * np.exp(np.cumsum(RNG.normal(0, 0.01, 400))), index=DATES, name="a")
OTHER = pd.Series(100 * np.exp(np.cumsum(RNG.normal(0, 0.01, 400))), index=DATES, name="b")
FRAME = pd.DataFrame({"a": PRICE, "b": OTHER})
TRIGGER = pd.Series(RNG.random(400) < 0.05, index=DATES)
POSITIONS = np.array([30, 80, 150, 220, 300])
FWD = es.forward_returns(PRICE, {"1m": 21})
Y = FWD["1m"].to_numpy()
PANEL = pd.DataFrame(
    {t: 50 * np.exp(np.cumsum(RNG.normal(0, 0.01, 400))) for t in ("X", "Y", "Z")}, index=DATES
)
RETURNS = PANEL.pct_change(fill_method=None)
MARKET = PRICE.pct_change()
EVENTS = pd.DataFrame({"ticker": ["X", "Y", "Z"], "date": [DATES[300], DATES[310], DATES[320]]})
PVALUES = {"a": 0.01, "b": float("nan"), "c": 0.2}

CALLS: list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = [
    ("forward_returns", es.forward_returns, (PRICE, {"1m": 21}), {}),
    ("relative_forward_returns", es.relative_forward_returns, (PRICE, OTHER, {"1m": 21}), {}),
    ("find_events", es.find_events, (TRIGGER,), {"min_gap": 10}),
    (
        "signal.compute",
        lambda f: es.make_signal(
            {"type": "move", "series": "a", "n": 5, "mode": "above", "level": 0.02}
        ).compute(f),
        (FRAME,),
        {},
    ),
    (
        "evaluate",
        es.evaluate,
        (FWD, POSITIONS),
        {"min_gap": 21, "draws": 100, "bootstrap_reps": 50, "seed": 1},
    ),
    ("average_path", es.average_path, (PRICE, POSITIONS), {"pre": 5, "post": 21}),
    (
        "placebo_path_band",
        placebo_path_band,
        (PRICE, 5),
        {"min_gap": 21, "pre": 5, "post": 21, "draws": 20, "seed": 1},
    ),
    ("hac_test", hac_test, (Y, POSITIONS, 21), {}),
    ("naive_t_test", naive_t_test, (Y, POSITIONS), {}),
    ("sign_test", sign_test, (Y, POSITIONS), {}),
    ("wilcoxon_test", wilcoxon_test, (Y, POSITIONS), {}),
    ("placebo_test", placebo_test, (Y, POSITIONS, 21), {"min_gap": 21, "draws": 100, "seed": 1}),
    ("block_bootstrap_test", block_bootstrap_test, (Y, POSITIONS, 21), {"reps": 50, "seed": 1}),
    (
        "run_tests",
        es.run_tests,
        (Y, POSITIONS, 21),
        {"min_gap": 21, "draws": 100, "bootstrap_reps": 50, "seed": 1},
    ),
    ("adjust_pvalues", es.adjust_pvalues, (PVALUES,), {"method": "fdr_bh"}),
    (
        "run_cross_section",
        es.run_cross_section,
        (RETURNS, MARKET, EVENTS),
        {"estimation": (-200, -11), "event_window": (-2, 2)},
    ),
    ("share_above_moving_average", breadth.share_above_moving_average, (PANEL,), {"window": 50}),
    ("advance_decline_line", breadth.advance_decline_line, (PANEL,), {}),
]


def same(a: Any, b: Any) -> bool:
    if isinstance(a, pd.DataFrame | pd.Series):
        return a.equals(b) and a.index.equals(b.index) and dict(a.attrs) == dict(b.attrs)
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and np.isnan(a):
        return np.isnan(b)
    return bool(a == b)


@pytest.mark.parametrize(("name", "func", "args", "kwargs"), CALLS, ids=[c[0] for c in CALLS])
def test_inputs_are_left_as_given(
    name: str, func: Callable[..., Any], args: tuple, kwargs: dict
) -> None:
    before = copy.deepcopy((args, kwargs))
    func(*args, **kwargs)
    assert same(args, before[0]), f"{name} changed a positional input"
    assert same(kwargs, before[1]), f"{name} changed a keyword input"


def test_the_check_sees_a_mutation() -> None:
    """The comparison itself can fail: in-place edits of each kind of input are seen."""
    s = PRICE.copy()
    t = s.copy()
    t.iloc[3] = 0.0
    assert not same(s, t)
    u = s.copy()
    u.attrs["x"] = 1
    assert not same(s, u)
    a = POSITIONS.copy()
    b = a.copy()
    b[0] += 1
    assert not same(a, b)
    assert not same({"a": 0.01}, {"a": 0.02})
