"""Stationary block bootstrap of the event mean and of its excess over the baseline."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from eventstudy._typing import Seed
from eventstudy._validation import as_generator, check_float, check_int
from eventstudy.inference._common import MIN_EVENTS, FloatArray, IntArray, n_episodes, prepare
from eventstudy.inference._numerics import quantiles
from eventstudy.inference.block_length import optimal_block_length
from eventstudy.inference.shared import SharedWork
from eventstudy.results import TestResult

__all__ = [
    "block_bootstrap_test",
    "block_sums",
    "bootstrap_block_length",
    "compact_blocks",
    "pair_sums",
    "stationary_block_sums",
    "stationary_blocks",
]

_REF = (
    "Politis, D. N. & Romano, J. P. (1994), 'The stationary bootstrap', JASA 89(428), "
    "1303-1313; block length: Politis, D. N. & White, H. (2004), Econometric Reviews 23(1), "
    "53-70, with Patton, Politis & White (2009) correction"
)
NULL_HYPOTHESIS = "event mean forward return equals the unconditional baseline mean"
REFERENCE = _REF


def bootstrap_block_length(y: FloatArray, horizon_days: int) -> float:
    """Expected stationary-bootstrap block length: ``max(Politis-White optimum, h)``.

    The optimum comes from :func:`eventstudy.inference.block_length.optimal_block_length` (a
    port of ``arch.bootstrap.optimal_block_length``, checked against it) on the forward-return
    series; it is floored at the horizon h so that the MA(h-1) overlap of the windows is
    kept inside blocks, and capped at a third of the sample.
    """
    opt = optimal_block_length(np.asarray(y, dtype=float))[0]
    if not math.isfinite(opt):
        opt = 1.0
    return float(min(max(opt, float(horizon_days), 1.0), max(y.size / 3.0, 1.0)))


def stationary_blocks(
    t: int, block_length: float, reps: int, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """The blocks of ``reps`` circular stationary-bootstrap resamples of ``t`` dates.

    Each resample is a concatenation of blocks with uniform random starts and geometric
    lengths (mean ``block_length``) wrapped circularly and cut at length ``t``.

    Returns
    -------
    (begin, end)
        Shape ``(reps, blocks)`` each: block ``j`` of resample ``r`` covers positions
        ``begin[r, j] .. end[r, j] - 1`` of the series repeated twice (so ``end <= 2 t``);
        blocks past the end of a resample are empty (``begin == end``).
    """
    p = 1.0 / block_length
    nblocks = math.ceil(t * p + 8.0 * math.sqrt(t * p) + 10)
    lengths: IntArray = rng.geometric(p, size=(reps, nblocks)).astype(np.int64)
    starts: IntArray = rng.integers(0, t, size=(reps, nblocks))
    while True:
        short = lengths.sum(axis=1) < t
        if not short.any():
            break
        lengths = np.hstack([lengths, rng.geometric(p, size=(reps, nblocks)).astype(np.int64)])
        starts = np.hstack([starts, rng.integers(0, t, size=(reps, nblocks))])
    begin = np.cumsum(lengths, axis=1) - lengths
    used = np.clip(t - begin, 0, lengths)
    used = np.minimum(used, t)
    return starts, starts + used


Blocks = tuple[IntArray, IntArray, IntArray]


def compact_blocks(begin: IntArray, end: IntArray) -> Blocks:
    """The non-empty blocks of :func:`stationary_blocks`, flattened resample by resample.

    Returns ``(first, last, offsets)``: block ``k`` covers ``first[k] .. last[k] - 1`` of the
    doubled series and resample ``r``'s blocks are ``offsets[r]`` up to ``offsets[r + 1]``.
    About half of the blocks drawn are empty (drawn to be sure of covering ``T`` dates), so
    sums over the compact blocks touch half the memory.
    """
    keep = end > begin
    counts = keep.sum(axis=1)
    offsets = np.zeros(counts.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=offsets[1:])
    return begin[keep], end[keep], offsets


def _sums(prefix: np.ndarray, blocks: Blocks) -> np.ndarray:
    """Per resample, the sum over its blocks of ``prefix[last] - prefix[first]``, added block
    by block in order (every resample has at least one block: it covers ``T >= 1`` dates)."""
    first, last, offsets = blocks
    out: np.ndarray = np.add.reduceat(prefix[last] - prefix[first], offsets)
    return out


def _prefix(column: np.ndarray) -> np.ndarray:
    """Prefix sums of a column repeated twice, with a leading zero."""
    out = np.zeros(2 * column.size + 1, dtype=column.dtype)
    np.cumsum(np.concatenate([column, column]), out=out[1:])
    return out


def block_sums(columns: FloatArray, begin: IntArray, end: IntArray) -> FloatArray:
    """Column sums of the resamples given by :func:`stationary_blocks`.

    The sum of a block is a difference of prefix sums, so the cost is O(reps x blocks) per
    column, not O(reps x T).  Each column is summed on its own, so its numbers do not
    depend on the other columns (a specification's sums are the same alone or in a sweep).
    """
    data = np.asarray(columns, dtype=float)
    blocks = compact_blocks(begin, end)
    out = np.empty((begin.shape[0], data.shape[1]))
    for j in range(data.shape[1]):  # a few columns
        out[:, j] = _sums(_prefix(data[:, j]), blocks)
    return out


def pair_sums(x: FloatArray, y: FloatArray, blocks: Blocks) -> tuple[FloatArray, FloatArray]:
    """:func:`block_sums` of two columns in one pass, on :func:`compact_blocks`.

    The columns travel as the real and imaginary parts of one complex series (its prefix
    sums are the two columns' prefix sums, part by part), so the blocks are gathered once for
    both; each part is then summed on its own, in the same order as :func:`block_sums`, so
    each sum has exactly the digits of its column summed alone.
    """
    first, last, offsets = blocks
    prefix = _prefix(np.asarray(x, dtype=float) + 1j * np.asarray(y, dtype=float))
    z = prefix[last] - prefix[first]
    return np.add.reduceat(z.real, offsets), np.add.reduceat(z.imag, offsets)


def stationary_block_sums(
    columns: FloatArray, block_length: float, reps: int, rng: np.random.Generator
) -> FloatArray:
    """Column sums of ``reps`` circular stationary-bootstrap resamples, without resampling.

    :func:`stationary_blocks` then :func:`block_sums`: no Python loop per replication
    (arch's own ``StationaryBootstrap`` loops in Python).

    Parameters
    ----------
    columns
        Data, shape ``(T, k)``.
    block_length
        Expected block length (>= 1).
    reps
        Number of resamples.
    rng
        Random generator.

    Returns
    -------
    numpy.ndarray
        Shape ``(reps, k)``: per resample, the sum of each column over the T resampled dates.
    """
    data = np.asarray(columns, dtype=float)
    begin, end = stationary_blocks(data.shape[0], block_length, reps, rng)
    return block_sums(data, begin, end)


def block_bootstrap_test(
    fwd_h: Any,
    event_positions: Any,
    horizon_days: int,
    *,
    reps: int = 2000,
    block_length: float | None = None,
    level: float = 0.95,
    seed: Seed = None,
    shared: SharedWork | None = None,
) -> TestResult:
    """Stationary block bootstrap of the event excess return over the baseline.

    Dates with a complete horizon are resampled in blocks, jointly with the event dummy
    (so the clustering of events and the overlap of windows survive inside blocks); each
    resample gives an event mean (mean of the resampled event dates) and an excess (event
    mean minus the resample's mean over all dates).

    Parameters
    ----------
    fwd_h
        Forward returns of one horizon on every date, shape ``(T,)``; NaN = incomplete.
    event_positions
        Sorted unique integer positions of the events into ``fwd_h``.
    horizon_days
        Horizon h in trading days (floor of the block length).
    reps
        Bootstrap replications (resamples without any event are dropped).
    block_length
        Expected block length; default :func:`bootstrap_block_length`.
    level
        Confidence level of the percentile intervals.
    seed
        Seed or generator.
    shared
        A :class:`~eventstudy.inference.shared.SharedWork` memo: the block length, the
        resampling blocks and the baseline sums are computed once for every specification
        with the same forward returns and random stream (same numbers as without it).

    Returns
    -------
    TestResult
        ``statistic`` = observed excess (event mean - baseline mean); p-value from the
        null-centred bootstrap distribution, two-sided with the add-one rule:
        ``(1 + #{|excess* - excess| >= |excess|}) / (B + 1)``.  ``details`` = {ci_low,
        ci_high (excess), mean_ci_low, mean_ci_high (event mean), se, block_length, reps,
        level}.  Not applicable with fewer than 3 complete events or fewer than 2 episodes
        (clusters of overlapping windows, :func:`eventstudy.events.episodes`).

    References
    ----------
    Politis & Romano (1994), JASA 89(428); Politis & White (2004), Econometric Reviews 23(1).
    """
    h = check_int("horizon_days", horizon_days, minimum=1)
    reps = check_int("reps", reps, minimum=1)
    level = check_float("level", level, minimum=0.0, maximum=1.0, strict_minimum=True)
    rng = as_generator(seed)
    s = prepare(fwd_h, event_positions)
    n_ep = n_episodes(s.event_positions, h)
    common: dict[str, Any] = {
        "null_hypothesis": NULL_HYPOTHESIS,
        "method": (
            "circular stationary block bootstrap of (forward return, event dummy) over complete "
            "dates (vectorized block sums); percentile intervals; two-sided p-value from the "
            "null-centred bootstrap distribution of the excess with the add-one rule"
        ),
        "reference": _REF,
    }
    if s.n < MIN_EVENTS:
        return TestResult.not_applicable(
            "bootstrap", f"only {s.n} complete events (need >= {MIN_EVENTS})", **common
        )
    if n_ep < 2:
        return TestResult.not_applicable(
            "bootstrap", f"only {n_ep} non-overlapping episode(s) (need >= 2)", **common
        )
    if np.ptp(s.y) == 0:
        return TestResult.not_applicable(
            "bootstrap", "forward returns have zero variance", **common
        )
    t = s.y.size
    if block_length is not None:
        b = check_float("block_length", block_length, minimum=1.0)
    elif shared is None:
        b = bootstrap_block_length(s.y, h)
    else:
        b = shared.get(
            ("block_length", shared.data_key(s.y), h), lambda: bootstrap_block_length(s.y, h)
        )

    def resample(r: np.random.Generator) -> tuple[Blocks, FloatArray]:
        blocks = compact_blocks(*stationary_blocks(t, b, reps, r))
        return blocks, _sums(_prefix(s.y), blocks)

    if shared is None:
        blocks, base = resample(rng)
    else:
        blocks, base = shared.draw(
            ("stationary_blocks", shared.data_key(s.y), b, reps), rng, resample
        )
    d = s.dummy
    ev_sum, ev_count = pair_sums(s.y * d, d, blocks)
    ok = ev_count > 0
    ev_mean = ev_sum[ok] / ev_count[ok]
    excess = ev_mean - base[ok] / t
    obs_mean = float(s.values.mean())
    obs = obs_mean - s.baseline_mean
    valid = int(ok.sum())
    alpha = (1.0 - level) / 2.0
    p = (1.0 + np.count_nonzero(np.abs(excess - obs) >= abs(obs))) / (valid + 1.0)
    lo, hi = quantiles(excess, (alpha, 1.0 - alpha))
    mlo, mhi = quantiles(ev_mean, (alpha, 1.0 - alpha))
    return TestResult(
        name="bootstrap",
        statistic=obs,
        p_value=float(p),
        distribution=f"stationary bootstrap ({valid} resamples)",
        details={
            "ci_low": float(lo),
            "ci_high": float(hi),
            "mean": obs_mean,
            "mean_ci_low": float(mlo),
            "mean_ci_high": float(mhi),
            "se": float(np.std(excess, ddof=1)),
            "block_length": b,
            "reps": valid,
            "level": level,
        },
        **common,
    )
