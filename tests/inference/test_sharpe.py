"""The Sharpe ratio's standard error, the probabilistic and the deflated Sharpe ratio."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from eventstudy.inference.sharpe import (
    EULER_GAMMA,
    _bartlett_long_run,
    annualize,
    deflated_sharpe,
    expected_max_sharpe,
    newey_west_lags,
    probabilistic_sharpe,
    sharpe_stats,
)


def _returns(n: int = 1500, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # skewed, fat-tailed daily returns with a positive drift
    return 0.0004 + 0.01 * rng.standard_t(5, n) - 0.004 * (rng.random(n) < 0.02)


def test_no_lags_is_mertens_formula() -> None:
    """Mertens (2002): Var(SR) = (1 + SR^2/2 - skew SR + (kurt - 3)/4 SR^2) / T for i.i.d.
    non-normal returns, written out from sample moments independently of the delta method."""
    r = _returns()
    s = sharpe_stats(r, lags=0)
    t = r.size
    mu, sd = r.mean(), r.std()
    sr = mu / sd
    skew = stats.skew(r)
    kurt = stats.kurtosis(r, fisher=False)
    mertens = (1 + sr**2 / 2 - skew * sr + (kurt - 3) / 4 * sr**2) / t
    assert s.sharpe == pytest.approx(sr, rel=1e-12)
    assert s.skew == pytest.approx(skew, rel=1e-10)
    assert s.kurtosis == pytest.approx(kurt, rel=1e-10)
    assert s.se == pytest.approx(math.sqrt(mertens), rel=1e-10)
    assert s.se_iid_normal == pytest.approx(math.sqrt((1 + sr**2 / 2) / t), rel=1e-12)
    assert s.lags == 0 and s.n_obs == t


def test_long_run_covariance_matches_statsmodels() -> None:
    """The Bartlett long-run variance of a' g_t equals a' (S_hac_simple / T) a with
    statsmodels' matrix (Newey & West 1987), lag by lag, and the default lags are its rule of
    thumb."""
    from statsmodels.stats.sandwich_covariance import S_hac_simple

    rng = np.random.default_rng(3)
    g = rng.normal(size=(400, 2)).cumsum(axis=0) * 0.1
    g -= g.mean(axis=0)
    a = np.array([1.7, -0.4])
    for lags in (0, 1, 5, 13):
        s = S_hac_simple(g, nlags=lags) / 400
        assert _bartlett_long_run(g @ a, lags) == pytest.approx(a @ s @ a, rel=1e-12)
    for t in (10, 100, 1500, 11_000):
        assert newey_west_lags(t) == int(np.floor(4 * (t / 100.0) ** (2.0 / 9.0)))


def test_se_covers_the_sampling_spread_under_autocorrelation() -> None:
    """Lo (2002): with positively autocorrelated returns the i.i.d. error is too small. The
    robust error must match the Monte Carlo spread of the Sharpe ratio across samples (within
    15%), where the i.i.d. normal error misses it by more than a third."""
    rng = np.random.default_rng(11)
    reps, t, phi = 2000, 1000, 0.4
    e = rng.normal(size=(reps, t + 50))
    x = np.empty_like(e)
    x[:, 0] = e[:, 0]
    for i in range(1, e.shape[1]):  # AR(1) across columns, vectorized over replications
        x[:, i] = phi * x[:, i - 1] + e[:, i]
    x = 0.05 + x[:, 50:]
    sr = x.mean(axis=1) / x.std(axis=1)
    spread = sr.std()
    robust = np.mean([sharpe_stats(x[i], lags=20).se for i in range(100)])
    naive = np.mean([sharpe_stats(x[i]).se_iid_normal for i in range(100)])
    assert robust == pytest.approx(spread, rel=0.15)
    assert naive < 0.75 * spread


def test_deflated_sharpe_worked_example() -> None:
    """Bailey & López de Prado (2014), section 5: an annualized Sharpe ratio of 2.5 over five
    years of daily returns (T = 1,250), N = 100 trials whose annualized Sharpe ratios have
    variance 1/2, skewness -3, kurtosis 10: the expected maximum is SR_0 = 0.1132 per day and
    the deflated Sharpe ratio is 0.9004 (the paper rounds its intermediate values, so the
    last digit is compared to 3e-4)."""
    sr = 2.5 / math.sqrt(250)
    dsr, sr0 = deflated_sharpe(sr, 1250, 100, 0.5 / 250, skew=-3.0, kurtosis=10.0)
    assert sr0 == pytest.approx(0.1132, abs=5e-5)
    assert dsr == pytest.approx(0.9004, abs=3e-4)


def test_expected_max_sharpe_against_simulation() -> None:
    """SR_0 approximates E[max of N draws] of N(0, V) (Bailey & López de Prado 2014, eq. 2;
    the approximation is within 2% of a 20,000-draw simulation for N = 10..1000)."""
    rng = np.random.default_rng(5)
    for n in (10, 100, 1000):
        sim = rng.normal(0.0, 0.2, size=(20_000 if n < 1000 else 4000, n)).max(axis=1).mean()
        assert expected_max_sharpe(n, 0.04) == pytest.approx(sim, rel=0.02)
    assert expected_max_sharpe(1, 0.04) == 0.0
    assert pytest.approx(stats.gumbel_r.mean(), rel=1e-12) == EULER_GAMMA  # Gumbel's mean


def test_probabilistic_sharpe_formula_and_limits() -> None:
    """PSR (Bailey & López de Prado 2012, eq. 10) written out, its normal special case, and
    its behaviour at the benchmark."""
    sr, t = 0.08, 500
    normal = probabilistic_sharpe(sr, 0.02, t)
    assert normal == pytest.approx(
        stats.norm.cdf((sr - 0.02) * math.sqrt(t - 1) / math.sqrt(1 + 0.5 * sr**2)), rel=1e-12
    )
    skewed = probabilistic_sharpe(sr, 0.02, t, skew=-1.0, kurtosis=6.0)
    denom = 1 + 1.0 * sr + 5.0 / 4 * sr**2
    assert skewed == pytest.approx(
        stats.norm.cdf((sr - 0.02) * math.sqrt(t - 1) / math.sqrt(denom)), rel=1e-12
    )
    assert skewed < normal  # negative skew and fat tails lower the confidence
    assert probabilistic_sharpe(0.05, 0.05, 100) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="inconsistent moments"):
        probabilistic_sharpe(2.0, 0.0, 100, skew=5.0, kurtosis=1.0)


def test_single_trial_deflates_to_psr_at_zero() -> None:
    dsr, sr0 = deflated_sharpe(0.05, 1000, 1, 0.01)
    assert sr0 == 0.0
    assert dsr == pytest.approx(probabilistic_sharpe(0.05, 0.0, 1000))


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        sharpe_stats([0.01, 0.02])
    with pytest.raises(ValueError, match="NaN"):
        sharpe_stats([0.01, np.nan, 0.02, 0.03])
    with pytest.raises(ValueError, match="constant"):
        sharpe_stats([0.01] * 10)
    with pytest.raises(ValueError, match="lags"):
        sharpe_stats(_returns(20), lags=20)
    with pytest.raises(ValueError, match="variance"):
        expected_max_sharpe(10, -1.0)
    assert annualize(0.1) == pytest.approx(0.1 * math.sqrt(252))
    assert annualize(0.1, 12) == pytest.approx(0.1 * math.sqrt(12))
