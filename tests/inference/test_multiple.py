"""adjust_pvalues against statsmodels.multipletests (Holm 1979; Benjamini & Hochberg 1995)."""

from __future__ import annotations

import numpy as np
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
