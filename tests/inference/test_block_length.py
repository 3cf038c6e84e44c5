"""The block-length port against arch's optimal_block_length (Politis & White 2004; Patton,
Politis & White 2009), the reference implementation it was ported from."""

from __future__ import annotations

import numpy as np
import pytest
from arch.bootstrap import optimal_block_length as arch_optimal_block_length

from eventstudy.inference.block_length import optimal_block_length


def _ar1(phi: float, n: int, rng: np.random.Generator) -> np.ndarray:
    e = rng.normal(size=n)
    out = np.empty(n)
    out[0] = e[0]
    for i in range(1, n):
        out[i] = phi * out[i - 1] + e[i]
    return out


@pytest.mark.parametrize("case", ["white", "random_walk", "t3", "ar1", "overlapping_sum", "short"])
def test_matches_arch(case: str) -> None:
    rng = np.random.default_rng(42)
    x = {
        "white": lambda: rng.normal(size=800),
        "random_walk": lambda: np.cumsum(rng.normal(size=3000)),
        "t3": lambda: rng.standard_t(3, size=12_000),
        "ar1": lambda: _ar1(0.9, 5000, rng),
        "overlapping_sum": lambda: np.convolve(rng.normal(size=12_126), np.ones(126), "valid"),
        "short": lambda: rng.normal(size=40),
    }[case]()
    expected = arch_optimal_block_length(x).iloc[0]
    stationary, circular = optimal_block_length(x)
    assert stationary == pytest.approx(expected["stationary"], rel=1e-10)
    assert circular == pytest.approx(expected["circular"], rel=1e-10)


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least 30 finite values"):
        optimal_block_length(np.ones(10))
    with pytest.raises(ValueError, match="one-dimensional"):
        optimal_block_length(np.ones((40, 2)))


@pytest.mark.parametrize("nobs", [30, 31, 99, 100, 101, 1000])
def test_matches_arch_at_sample_size_boundaries(nobs: int) -> None:
    """The smallest accepted sample (30) and sizes around the log10 / sqrt steps of the
    tuning constants, against arch at rtol 1e-10."""
    x = np.random.default_rng(nobs).standard_t(5, size=nobs)
    expected = arch_optimal_block_length(x).iloc[0]
    stationary, circular = optimal_block_length(x)
    assert stationary == pytest.approx(expected["stationary"], rel=1e-10)
    assert circular == pytest.approx(expected["circular"], rel=1e-10)


def test_rejects_short_or_non_finite_with_count() -> None:
    with pytest.raises(ValueError, match="^x must hold at least 30 finite values, got 29$"):
        optimal_block_length(np.arange(29.0))
    bad = np.arange(40.0)
    bad[7] = np.nan
    with pytest.raises(ValueError, match="^x must hold at least 30 finite values, got 40$"):
        optimal_block_length(bad)
    with pytest.raises(ValueError, match=r"^x must be one-dimensional, got shape \(40, 2\)$"):
        optimal_block_length(np.ones((40, 2)))
