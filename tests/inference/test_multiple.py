"""adjust_pvalues against statsmodels.multipletests (Holm 1979; Benjamini & Hochberg 1995)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from eventstudy.inference import adjust_pvalues


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
def test_matches_statsmodels_nan_aware(method: str) -> None:
    p = np.array([0.01, np.nan, 0.04, 0.03, 0.2])
    out = adjust_pvalues(p, method=method)  # type: ignore[call-overload]
    ref = multipletests([0.01, 0.04, 0.03, 0.2], method=method)[1]
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2, 3, 4]], ref)


def test_holm_by_hand_and_mapping() -> None:
    """Holm: sorted p_(i) * (m - i + 1), cumulative max: 0.01*3, 0.03*2, 0.04*1 -> max-ed."""
    out = adjust_pvalues({"a": 0.01, "b": 0.04, "c": 0.03, "d": float("nan")})
    assert out["a"] == pytest.approx(0.03)
    assert out["c"] == pytest.approx(0.06)
    assert out["b"] == pytest.approx(0.06)
    assert np.isnan(out["d"])


def test_all_nan_and_errors() -> None:
    assert np.isnan(adjust_pvalues([np.nan, np.nan])).all()
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        adjust_pvalues([0.5, 1.5])
    with pytest.raises(ValueError, match="method must be one of"):
        adjust_pvalues([0.5], method="bonferroni")  # type: ignore[call-overload]


def test_holm_matches_statsmodels_with_ties_and_many_tests() -> None:
    """Holm (1979) step-down as in statsmodels multipletests, including ties and m = 1."""
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(1)
    for n in (1, 2, 5, 50, 333):
        p = rng.uniform(size=n) ** 3
        p[::7] = p[0]  # ties
        np.testing.assert_allclose(
            adjust_pvalues(p, method="holm"), multipletests(p, method="holm")[1], rtol=0, atol=1e-15
        )


BOUNDARY_FAMILIES = [
    [0.0],
    [1.0],
    [0.3],
    [0.0, 1.0],
    [1.0, 1.0, 1.0],
    [0.0, 0.0, 0.2],
    [0.4, 0.4, 0.4, 0.01],
    [0.5, 1.0, 0.0, 0.5, 0.02],
    [0.9, 0.6, 0.3],
]


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
@pytest.mark.parametrize("p", BOUNDARY_FAMILIES)
def test_boundaries_match_statsmodels(method: str, p: list[float]) -> None:
    """p = 0, p = 1, ties and a single p-value against multipletests at rtol 1e-12; Holm's
    p * m above 1 is capped at 1 as statsmodels caps it."""
    expected = multipletests(np.array(p), method=method)[1]
    out = adjust_pvalues(p, method=method)  # type: ignore[call-overload]
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=0)
    assert out.shape == (len(p),)
    # NaN entries anywhere are left out of the family (m counts the finite ones only)
    with_nan = np.r_[np.nan, p, np.nan]
    out_nan = adjust_pvalues(with_nan, method=method)  # type: ignore[call-overload]
    assert np.isnan(out_nan[[0, -1]]).all()
    np.testing.assert_allclose(out_nan[1:-1], expected, rtol=1e-12, atol=0)


def test_holm_cap_and_order() -> None:
    """m = 3: sorted 0.2, 0.4, 0.5 -> 0.6, max(0.6, 0.8), max(0.8, 0.5) = 0.6, 0.8, 0.8 in
    the input order; 0.6 * 2 = 1.2 capped at 1 (Holm 1979)."""
    np.testing.assert_allclose(adjust_pvalues([0.5, 0.2, 0.4]), [0.8, 0.6, 0.8], rtol=1e-12, atol=0)
    np.testing.assert_allclose(adjust_pvalues([0.6, 0.7]), [1.0, 1.0], rtol=0, atol=0)
    bh = adjust_pvalues({"x": 0.5, "y": 0.2, "z": 0.4}, method="fdr_bh")
    assert list(bh) == ["x", "y", "z"]
    # BH: 0.2 * 3 / 1 = 0.6, 0.4 * 3 / 2 = 0.6, 0.5 * 3 / 3 = 0.5 -> step-up minimum
    assert bh == pytest.approx({"x": 0.5, "y": 0.5, "z": 0.5}, rel=1e-12)


def test_input_validation_messages() -> None:
    with pytest.raises(ValueError, match=r"pvalues must be one-dimensional, got shape \(2, 2\)"):
        adjust_pvalues(np.full((2, 2), 0.5))
    for bad in (-1e-300, 1.0000001, np.inf, -np.inf):  # inf is not NaN: an error
        with pytest.raises(
            ValueError, match=r"^pvalues must lie in \[0, 1\] \(NaN for not-applicable tests\)$"
        ):
            adjust_pvalues([0.5, bad])
        with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
            adjust_pvalues({"a": 0.5, "b": bad}, method="fdr_bh")
    assert adjust_pvalues([]).shape == (0,)
    assert adjust_pvalues({}) == {}
    out = adjust_pvalues({"a": float("nan")}, method="fdr_bh")
    assert list(out) == ["a"]
    assert np.isnan(out["a"])


def test_object_and_integer_inputs() -> None:
    """Inputs are converted with dtype=float: None in an object column is NaN (left out),
    integer 0 / 1 are p-values 0 and 1; checked against multipletests on the finite ones."""
    out = adjust_pvalues(pd.Series([0.01, None, 0.04], dtype=object))
    np.testing.assert_allclose(out[[0, 2]], multipletests([0.01, 0.04], method="holm")[1])
    assert np.isnan(out[1])
    ints = adjust_pvalues([0, 1, 0], method="fdr_bh")
    assert ints.dtype == np.float64
    np.testing.assert_array_equal(ints, multipletests([0.0, 1.0, 0.0], method="fdr_bh")[1])
