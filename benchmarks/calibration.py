"""Size and power of the eventstudy tests under a realistic null (calibration benchmark).

Null world: the joint daily log returns of the Russell 2000 (^RUT) and S&P 500 (^GSPC) are
resampled with a stationary block bootstrap (Politis & Romano 1994; mean block 63 days) so
fat tails, volatility clustering and the RUT/GSPC co-movement survive.  Events come from a
signal carrying no information: an independent persistent AR(1) (phi = 0.99) crossing a
threshold upward, declustered with min_gap = 21 trading days (keep a trigger if it is >= 21
days after the last kept event); the threshold gives about 50 events over the ~39 years of
data, in clusters, like the flagship study.  Each replication evaluates the 126- and
252-day forward returns of two targets -- RUT and RUT minus GSPC (difference) -- and records
whether each test rejects at 5%.  Power: the same worlds with a planted excess return
added to the event-date forward returns (5% at 12 months, 2.5% at 6 months).

Event designs (``--designs``), each with its own seed stream:

- ``ar1_crossings``: the persistent-signal crossings above (the original design; its seeds are
  unchanged, so its numbers stay comparable with earlier runs);
- ``bursty``: clusters of uninformative events -- cluster starts uniform in time (Poisson,
  mean 15), each a geometric number of events (mean 3) spaced 21-63 trading days apart, so
  that they survive the study's 21-day declustering but their 6- and 12-month windows overlap;
- ``heavy_bursts``: fewer, longer bursts (Poisson mean 6, mean 8 events each, spaced 21-40
  days), where only a handful of independent episodes remain;
- ``flagship_shifts``: the flagship study's own events (base variant) moved together by a
  random circular shift on each resampled history: the real clustering, no information;
- ``self_triggered``: the null the shipped studies live in, where the events are *not*
  independent of the returns.  Instead of resampling the data, each replication simulates
  two assets (A ~ RUT, B ~ GSPC) for ``GARCH_DAYS`` days (the flagship's sample since 1980)
  after a burn-in: simple daily returns with a constant mean (martingale differences, so no
  forward return is predictable) and one GARCH(1,1) variance (alpha 0.08, beta 0.91;
  Bollerslev 1986) driven by B's shock, correlation 0.85 and A at 1.2 times B's volatility.
  The events are the flagship's rule applied to the simulated history: A's five-day simple
  return minus B's above 3 full-sample sd, declustered with min_gap = 21.  Big five-day
  spreads happen when volatility is high, so the events fall in high-volatility regimes and
  their forward windows are more volatile than the average window; a circular shift or a
  random date lands in an average regime, so tests that take their null distribution from
  rotations or random dates understate the spread of the event mean under the null.  Targets
  A (rows "RUT") and A - B (rows "RUT-GSPC"), with dates a business-day calendar ending on
  the data's last date.

Placebo draws and bootstrap replications inside the replications are reduced (defaults
2,000 and 499) for time; the p-value resolution is still far finer than 5%.

Usage::

    python benchmarks/calibration.py --reps 2000 --data-dir /path/to/data --out docs/calibration.md

A test whose code changed and that draws no random numbers (``hodrick``, ``hac``, ``im``,
``ewc``, ``shift``, ``shift_t`` ...) can be re-measured alone and merged into the raw p-values
of the last full run: the replications draw the same returns and events.  The bootstrap and
the placebo tests take turns on one generator per replication, so they are refused::

    python benchmarks/calibration.py --reps 3000 --only hodrick --merge full.csv --csv full2.csv
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventstudy.events import episodes
from eventstudy.inference import (
    block_bootstrap_test,
    hac_test,
    naive_t_test,
    placebo_test,
    sign_test,
    wilcoxon_test,
)
from eventstudy.inference.ewc import ewc_test
from eventstudy.inference.hodrick import hodrick_test
from eventstudy.inference.im import im_test
from eventstudy.inference.run import DEFAULT_TEST
from eventstudy.inference.run import run_tests as run_registered
from eventstudy.inference.shift import shift_test
from eventstudy.results import TestResult

HORIZONS = (126, 252)
MIN_GAP = 21
PHI = 0.99
THRESHOLD = 1.25  # in units of the AR(1)'s stationary sd
RETURN_BLOCK = 63
PLANT_12M = 0.05

TESTS = (
    "naive_t",
    "sign",
    "wilcoxon",
    "hac",
    "hac_greedy",
    "hac_bartlett",
    "hac_nw_h-1_normal",
    "bootstrap",
    "placebo",
    "placebo_year",
    "ewc",
    "im",
    "hodrick",
    "shift",
    "shift_t",
)
"""The tests measured, in the table's column order.  A name here without a line of its own in
``run_tests`` (a newly registered test such as a plugin's) runs through the registry
(``eventstudy.inference.run.run_tests``) with its own random stream; adding its name here (and
to ``OVERLAP_ROBUST`` to enter the choice of the default) is all it takes."""

DESIGNS = ("ar1_crossings", "bursty", "heavy_bursts", "flagship_shifts", "self_triggered")
OVERLAP_ROBUST = (
    "hac",
    "ewc",
    "im",
    "hodrick",
    "shift",
    "shift_t",
    "bootstrap",
    "placebo",
    "placebo_year",
)
"""Candidates for the default test (the others ignore overlap and are shown for contrast)."""

OTHER_STATISTIC = ("hodrick",)
"""Overlap-robust tests of another statistic than the excess the report prints beside the
verdict (``hodrick``: the h-day log return, from the sums of the one-day moves): ranked after
the tests of the printed excess, and never the default."""
SEED = 20261121

# self_triggered: the simulated GARCH world (see the module docstring)
GARCH_DAYS = 11_900  # about the flagship's sample since 1980
GARCH_BURN = 500
GARCH_ALPHA, GARCH_BETA = 0.08, 0.91
GARCH_VOL = 0.0121  # B's unconditional daily sd
GARCH_MEAN = 0.0004  # constant daily mean of both assets' simple returns
GARCH_CORR = 0.85
GARCH_RATIO = 1.2  # A's volatility / B's
SIGNAL_DAYS, SIGNAL_K = 5, 3.0  # the flagship's rule: five-day spread above 3 full-sample sd


def load_returns(data_dir: Path) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Daily log returns of (RUT, GSPC) on their common dates, shape (T, 2)."""
    frames = []
    for name in ("RUT", "GSPC"):
        f = pd.read_csv(data_dir / "series" / "yahoo" / f"{name}.csv", usecols=["date", "close"])
        frames.append(f.set_index(pd.to_datetime(f["date"]))["close"].rename(name))
    px = pd.concat(frames, axis=1, join="inner").dropna()
    lr = np.log(px.to_numpy(dtype=float))
    return np.diff(lr, axis=0), pd.DatetimeIndex(px.index[1:])


def stationary_indices(t: int, mean_block: float, rng: np.random.Generator) -> np.ndarray:
    """One circular stationary-bootstrap index vector of length t (vectorized)."""
    new = rng.random(t) < 1.0 / mean_block
    new[0] = True
    start_of = np.maximum.accumulate(np.where(new, np.arange(t), 0))
    starts = rng.integers(0, t, size=t)
    return (starts[start_of] + np.arange(t) - start_of) % t


def ar1_events(t: int, rng: np.random.Generator) -> np.ndarray:
    """Upward threshold crossings of an independent AR(1), declustered with MIN_GAP."""
    from scipy.signal import lfilter

    e = rng.standard_normal(t + 500)
    x = lfilter([1.0], [1.0, -PHI], e)[500:] * np.sqrt(1 - PHI**2)
    trig = np.flatnonzero((x[1:] > THRESHOLD) & (x[:-1] <= THRESHOLD)) + 1
    kept: list[int] = []
    for p in trig.tolist():  # benchmark-only declustering (few triggers)
        if not kept or p - kept[-1] >= MIN_GAP:
            kept.append(p)
    return np.asarray(kept, dtype=np.int64)


def burst_events(
    t: int, rng: np.random.Generator, clusters: float, size: float, gaps: tuple[int, int]
) -> np.ndarray:
    """Clusters of uninformative events: Poisson(``clusters``) starts uniform in time, each a
    geometric number of events (mean ``size``) spaced ``gaps`` trading days apart; then the
    study's declustering (an event within ``MIN_GAP`` days of the last kept one is dropped)."""
    starts = np.sort(rng.integers(0, t, size=max(1, rng.poisson(clusters))))
    out: list[int] = []
    for s0 in starts.tolist():  # benchmark-only (a few dozen events)
        k = rng.geometric(1.0 / size)
        steps = rng.integers(gaps[0], gaps[1] + 1, size=k - 1)
        out.extend((s0 + np.concatenate([[0], np.cumsum(steps)])).tolist())
    kept: list[int] = []
    for p in sorted(p for p in out if p < t):
        if not kept or p - kept[-1] >= MIN_GAP:
            kept.append(p)
    return np.asarray(kept, dtype=np.int64)


def garch_variance(z: np.ndarray, omega: float, alpha: float, beta: float) -> np.ndarray:
    """Conditional variances of a GARCH(1,1) driven by the standardized shocks ``z``, from
    the unconditional variance: s2[t] = omega + alpha * e[t-1]**2 + beta * s2[t-1] with
    e = sqrt(s2) * z.  That is s2[t] = omega + c[t-1] * s2[t-1] with c = alpha * z**2 + beta
    known in advance, a linear recursion with the closed form
    s2[t] = P[t] * (s2[0] + omega * sum_{j=1..t} 1 / P[j]), P[t] = prod_{k<t} c[k], evaluated
    in logs (cumsum and logaddexp.accumulate: no loop, no overflow; within 1e-12 of the loop)."""
    log_p = np.concatenate([[0.0], np.cumsum(np.log(alpha * z[:-1] ** 2 + beta))])
    s0 = omega / (1.0 - alpha - beta)
    acc = np.logaddexp.accumulate(np.concatenate([[np.log(s0)], np.log(omega) - log_p[1:]]))
    return np.exp(log_p + acc)


def garch_returns(t: int, rng: np.random.Generator) -> np.ndarray:
    """Daily log returns, shape (t, 2), of the two simulated assets of ``self_triggered``
    (A, B): simple returns GARCH_MEAN + sd * shock, one GARCH(1,1) variance driven by B's
    shock, A's shock correlated GARCH_CORR with B's and scaled by GARCH_RATIO; the first
    GARCH_BURN days are dropped."""
    n = t + GARCH_BURN
    z = rng.standard_normal((n, 2))
    omega = GARCH_VOL**2 * (1.0 - GARCH_ALPHA - GARCH_BETA)
    sd = np.sqrt(garch_variance(z[:, 0], omega, GARCH_ALPHA, GARCH_BETA))
    r_b = GARCH_MEAN + sd * z[:, 0]
    shock_a = GARCH_CORR * z[:, 0] + np.sqrt(1.0 - GARCH_CORR**2) * z[:, 1]
    r_a = GARCH_MEAN + GARCH_RATIO * sd * shock_a
    return np.log1p(np.column_stack([r_a, r_b])[GARCH_BURN:])


def self_triggered_events(logp: np.ndarray) -> np.ndarray:
    """The flagship's rule on a simulated history (log prices, shape (T, 2)): the five-day
    simple return of A minus B's, standardized by its full-sample mean and sd (ddof 1), above
    SIGNAL_K; declustered with MIN_GAP (keep a trigger >= MIN_GAP after the last kept one)."""
    n = SIGNAL_DAYS
    x = np.expm1(logp[n:, 0] - logp[:-n, 0]) - np.expm1(logp[n:, 1] - logp[:-n, 1])
    z = (x - x.mean()) / x.std(ddof=1)
    trig = np.flatnonzero(z > SIGNAL_K) + n
    kept: list[int] = []
    for p in trig.tolist():  # benchmark-only declustering (a few hundred triggers)
        if not kept or p - kept[-1] >= MIN_GAP:
            kept.append(p)
    return np.asarray(kept, dtype=np.int64)


def flagship_positions(data_dir: Path, dates: pd.DatetimeIndex) -> tuple[np.ndarray, int]:
    """The flagship study's base-variant event dates as positions into ``dates`` (the
    calibration's return dates; dates it lacks are left out) and the study's event count."""
    import dataclasses

    import eventstudy as es

    os.environ["EVENTSTUDY_DATA"] = str(data_dir)
    root = Path(__file__).resolve().parents[1]
    config = es.load_study(root / "studies" / "russell_sp_divergence.toml")
    inference = dataclasses.replace(
        config.inference,
        tests=("hac",),
        default_test="hac",
        draws=100,
        bootstrap_reps=100,
        size_draws=0,
    )
    config = dataclasses.replace(config, inference=inference, claims=(), facts=())
    result = es.run_study(config)
    v = result.variants[0]
    when = pd.DatetimeIndex(result.data.aligned.frame.index[np.asarray(v.events.positions)])
    pos = dates.searchsorted(when)
    ok = (pos < dates.size) & (dates[np.minimum(pos, dates.size - 1)] == when)
    return np.asarray(pos[ok], dtype=np.int64), int(when.size)


def design_events(
    design: str,
    t: int,
    rng: np.random.Generator,
    flagship: np.ndarray,
    logp: np.ndarray | None = None,
) -> np.ndarray:
    """Event positions of one replication (``t`` dates, log prices ``logp``) under ``design``."""
    if design == "ar1_crossings":
        return ar1_events(t, rng)
    if design == "bursty":
        return burst_events(t, rng, 15, 3, (21, 63))
    if design == "heavy_bursts":
        return burst_events(t, rng, 6, 8, (21, 40))
    if design == "flagship_shifts":
        k = int(rng.integers(max(HORIZONS), t - max(HORIZONS)))
        return np.sort((flagship + k) % t)
    if design == "self_triggered":
        if logp is None:
            raise ValueError("the self_triggered design needs the replication's log prices")
        return self_triggered_events(logp)
    raise ValueError(f"unknown design {design!r}; designs are {list(DESIGNS)}")


def forward(logp: np.ndarray, h: int) -> np.ndarray:
    out = np.full(logp.size, np.nan)
    out[: logp.size - h] = np.exp(logp[h:] - logp[:-h]) - 1.0
    return out


def run_tests(
    y: np.ndarray,
    ev: np.ndarray,
    h: int,
    dates: pd.DatetimeIndex,
    seed: int,
    draws: int,
    boot: int,
    daily: np.ndarray | None = None,
    only: frozenset[str] | None = None,
    plant: float = 0.0,
) -> dict[str, float]:
    """p-value of every test in ``TESTS`` (of those in ``only`` when given); NaN where the test
    cannot run (e.g. the year-stratified placebo when a year holds more events than the
    declustering rule can place in it).  A name of ``TESTS`` without an entry below runs
    through the registry after them.  ``plant`` is the excess added to the events' forward
    returns in ``y`` (the planted world): ``hodrick``, which reads the one-day moves rather
    than ``y``, gets it through :func:`planted_hodrick`."""
    from eventstudy.exceptions import DataError

    rng = np.random.default_rng(seed)
    runs = {
        "naive_t": lambda: naive_t_test(y, ev),
        "sign": lambda: sign_test(y, ev),
        "wilcoxon": lambda: wilcoxon_test(y, ev),
        "hac": lambda: hac_test(y, ev, h),
        "hac_greedy": lambda: hac_test(y, ev, h, episodes="greedy"),
        "hac_bartlett": lambda: hac_test(y, ev, h, kernel="bartlett"),
        "hac_nw_h-1_normal": lambda: hac_test(y, ev, h, lags=h - 1, kernel="bartlett", df="normal"),
        "bootstrap": lambda: block_bootstrap_test(y, ev, h, reps=boot, seed=rng),
        "placebo": lambda: placebo_test(y, ev, h, min_gap=MIN_GAP, draws=draws, seed=rng),
        "placebo_year": lambda: placebo_test(
            y, ev, h, min_gap=MIN_GAP, draws=draws, stratify="year", dates=dates, seed=rng
        ),
        "ewc": lambda: ewc_test(y, ev, h),
        "im": lambda: im_test(y, ev, h),
        "hodrick": lambda: planted_hodrick(y, ev, h, _after(daily, y.size, h), plant),
        "shift": lambda: shift_test(y, ev, h),
    }
    for name in TESTS:  # a registered test the entries above do not name
        if name not in runs:
            runs[name] = partial(_registered, name, y, ev, h, dates, rng, draws, boot, daily)
    out: dict[str, float] = {}
    for name, run in runs.items():  # in this order: the random streams stay as they were
        if only is not None and name not in only:
            continue
        try:
            res = run()
        except DataError:
            out[name] = float("nan")
            continue
        out[name] = res.p_value if res.applicable else float("nan")
    return out


def planted_hodrick(
    y: np.ndarray, ev: np.ndarray, h: int, daily: np.ndarray, plant: float
) -> TestResult:
    """Hodrick's test with ``plant`` added to the h-day sums of the one-day moves on the
    complete event dates, as every other test gets it on the forward returns ``y``.

    The test's slope is ``b = sum_t c_t y_t`` over the window sums ``y_t`` (``c_t = 1 / n_1``
    on the ``n_1`` complete event dates), so raising each event's window sum by ``plant``
    raises ``b`` by exactly ``plant`` and leaves its 1B standard error, computed from the
    null's one-day moves, unchanged: the planted world is ``(b + plant) / se``.  (Planting
    the excess in the one-day moves themselves cannot be done without moving the forward
    returns of the dates whose windows overlap an event's.)"""
    res = hodrick_test(y, ev, h, daily)
    if plant == 0.0 or not res.applicable:
        return res
    stat = (res.details["coef"] + plant) / res.details["se"]
    return dataclasses.replace(
        res, statistic=stat, p_value=float(math.erfc(abs(stat) / math.sqrt(2.0)))
    )


def _registered(
    name: str,
    y: np.ndarray,
    ev: np.ndarray,
    h: int,
    dates: pd.DatetimeIndex,
    rng: np.random.Generator,
    draws: int,
    boot: int,
    daily: np.ndarray | None,
) -> TestResult:
    """The registered test ``name`` through the package's runner, as a study runs it (its
    random stream is ``stream_for(rng, name)``: the others' numbers do not move)."""
    return run_registered(
        y,
        ev,
        h,
        min_gap=MIN_GAP,
        tests=(name,),
        draws=draws,
        bootstrap_reps=boot,
        dates=dates,
        seed=rng,
        daily_returns=_after(daily, y.size, h),
    )[name]


def _after(daily: np.ndarray | None, t: int, h: int) -> np.ndarray:
    """One-day log returns on the T dates and the h days after (NaN past the data)."""
    out = np.full(t + h, np.nan)
    if daily is not None:
        out[: min(t, daily.size)] = daily[:t]
    return out


Job = tuple[str, int, np.ndarray, pd.DatetimeIndex, int, int, np.ndarray, frozenset[str] | None]


def one_rep(args: Job) -> list[dict[str, object]]:
    design, rep, rets, dates, draws, boot, flagship, only = args
    # the original design keeps its seeds; each other design has a stream of its own
    key = [SEED, rep] if design == "ar1_crossings" else [SEED, rep, DESIGNS.index(design)]
    rng = np.random.default_rng(key)
    if design == "self_triggered":  # its own simulated returns (A as RUT, B as GSPC)
        r = garch_returns(GARCH_DAYS, rng)
        d = pd.bdate_range(end=dates[-1], periods=GARCH_DAYS + 1)
    else:
        r = rets[stationary_indices(rets.shape[0], RETURN_BLOCK, rng)]
        d = pd.DatetimeIndex(dates.insert(0, dates[0] - pd.Timedelta(days=1)))
    logp = np.vstack([np.zeros((1, 2)), np.cumsum(r, axis=0)])
    ev = design_events(design, logp.shape[0], rng, flagship, logp)
    rows: list[dict[str, object]] = []
    for h in HORIZONS:
        f_rut = forward(logp[:, 0], h)
        f_rel = f_rut - forward(logp[:, 1], h)
        moves = {
            "RUT": np.concatenate([[np.nan], np.diff(logp[:, 0])]),
            "RUT-GSPC": np.concatenate([[np.nan], np.diff(logp[:, 0] - logp[:, 1])]),
        }
        for target, y in (("RUT", f_rut), ("RUT-GSPC", f_rel)):
            for world, delta in (("null", 0.0), ("planted", PLANT_12M * h / 252)):
                yy = y.copy()
                ok = ev[np.isfinite(yy[ev])]
                yy[ok] += delta
                seed = int(rng.integers(2**31))
                pv = run_tests(yy, ev, h, d, seed, draws, boot, moves[target], only, delta)
                rows.append(
                    {
                        "design": design,
                        "rep": rep,
                        "h": h,
                        "target": target,
                        "world": world,
                        "n_events": int(ok.size),
                        "n_episodes": episodes(ok, h),
                        **pv,
                    }
                )
    return rows


HAC_VARIANTS_NOTE = """
## Choice of the default HAC reference distribution

Not computed by this script: a record of the one-off HAC-only experiment of 2026-11-21 (commit
c6e48be) that chose the `hac` test's reference distribution, copied into every regenerated
page unchanged. It ran 2,000 replications of the `ar1_crossings` null world (Monte Carlo s.e.
0.5%), same statistic (Hansen-Hodrick truncated kernel, h-1 lags) unless stated; size at 5%:

| variant | RUT 126 | RUT 252 | RUT-GSPC 126 | RUT-GSPC 252 |
|---|---|---|---|---|
| t(G-1), G = clusters of overlapping windows (**default**) | 4.7% | 5.0% | 4.6% | 4.9% |
| t(n_episodes-1), greedy episode count (previous default) | 5.4% | 6.1% | 5.1% | 5.8% |
| greedy count with CR1 factor G/(G-1) on the variance | 4.8% | 5.2% | 4.7% | 5.0% |
| N(0,1) | 6.8% | 8.0% | 6.4% | 8.2% |
| Bartlett ceil(1.5h) lags, fixed-b c.v. (Kiefer-Vogelsang 2005) | 7.2% | 6.8% | 6.1% | 7.0% |
| Bartlett 3h lags, fixed-b c.v. | 6.3% | 5.9% | 5.6% | 6.0% |
| EWC, nu = T/(2h) cosines, t(nu) (Lazarus et al. 2018) | 6.2% | 5.8% | 5.6% | 5.6% |
| EWC, nu = T/h cosines, t(nu) | 7.0% | 6.9% | 6.0% | 6.6% |

Power (planted 5% x h/252) of the default vs the previous default: RUT 126 17.2% vs 18.5%,
RUT 252 22.9% vs 25.8%, RUT-GSPC 126 44.5% vs 46.1%, RUT-GSPC 252 59.6% vs 62.5%.  Mean
G: 17.2 (h=126) and 11.2 (h=252) clusters vs 23.7 and 17.0 greedy episodes from ~51 events.
Fixed-b and EWC critical values assume many effectively independent observations (T/h is
only 38-77 here, the events fewer still) and stay above 5%; counting the clusters of
overlapping event windows (Bester, Conley & Hansen 2011) is what controls the size.
"""


_DESCRIBED = frozenset(
    {
        *("naive_t", "sign", "wilcoxon", "hac", "hac_greedy", "hac_bartlett"),
        *("hac_nw_h-1_normal", "bootstrap", "placebo", "placebo_year", "ewc", "im"),
        *("hodrick", "shift"),
    }
)
"""The tests the report's closing paragraph describes; a test added to ``TESTS`` later gets
its registry summary there."""


def _summary(name: str) -> str:
    from eventstudy.registry import TESTS as REGISTRY

    return REGISTRY[name].summary


def _rate(p: np.ndarray, alpha: float = 0.05) -> tuple[float, float, float, float]:
    """Rejection rate (not applicable = not rejected), its 95% Clopper-Pearson interval and
    the share not applicable."""
    from scipy.stats import binomtest

    k = int(np.sum(np.nan_to_num(p, nan=1.0) < alpha))
    ci = binomtest(k, p.size).proportion_ci(0.95, method="exact")
    return k / p.size, float(ci.low), float(ci.high), float(np.mean(np.isnan(p)))


def _cell(p: np.ndarray) -> str:
    rate, lo, hi, na = _rate(p)
    return f"{rate:.1%} ({lo:.1%}-{hi:.1%})" + (f" NA {na:.0%}" if na > 0.005 else "")


def choose_default(df: pd.DataFrame) -> pd.DataFrame:
    """Per overlap-robust test: the worst distance of its size from 5% over every design x
    target x horizon, its mean size and its mean power; sorted best first (the tests of the
    printed excess, then those of :data:`OTHER_STATISTIC`; within each, smallest worst
    distance, then highest power)."""
    rows = []
    for t in OVERLAP_ROBUST:
        sizes, powers = [], []
        for (_, _, _, world), g in df.groupby(["design", "target", "h", "world"], sort=True):
            rate = _rate(g[t].to_numpy(dtype=float))[0]
            (sizes if world == "null" else powers).append(rate)
        rows.append(
            {
                "test": t,
                "worst |size - 5%|": max(abs(x - 0.05) for x in sizes),
                "size range": f"{min(sizes):.1%}-{max(sizes):.1%}",
                "mean power": float(np.mean(powers)),
            }
        )
    out = pd.DataFrame(rows)
    out["other"] = out["test"].isin(OTHER_STATISTIC)
    out = out.sort_values(
        ["other", "worst |size - 5%|", "mean power"], ascending=[True, True, False]
    )
    return out.drop(columns="other")


def table(
    df: pd.DataFrame,
    reps: int,
    draws: int,
    boot: int,
    elapsed: float,
    command: str,
    flagship: tuple[int, int] | None = None,
    merged: str = "",
) -> str:
    """The Markdown report; ``flagship`` = (events used, events in the study) when the
    ``flagship_shifts`` design ran; ``merged`` says which columns a later run replaced."""
    import datetime as dt

    flag = (
        f" ({flagship[0]} of its {flagship[1]} fall on the return dates)"
        if flagship is not None
        else ""
    )

    se = np.sqrt(0.05 * 0.95 / reps)
    lines = [
        "# Calibration of the eventstudy tests",
        "",
        f"Generated by `{command}` on {dt.date.today():%Y-%m-%d} (seed {SEED}); "
        f"{reps} replications per design; runtime {elapsed / 60:.1f} min. Do not edit by hand."
        + (f" {merged}" if merged else ""),
        "",
        "Null world: stationary block bootstrap (mean block "
        f"{RETURN_BLOCK} days) of joint daily RUT/GSPC log returns (`self_triggered`: "
        "simulated GARCH returns, below). Rejection rates at 5% "
        "(two-sided) with 95% Clopper-Pearson intervals; not-applicable results count as "
        "non-rejections (NA: their share when above 0.5%). Size: no effect. Power: planted "
        f"excess of {PLANT_12M:.0%} x h/252 on event-date forward returns. Placebo draws "
        f"{draws}, bootstrap reps {boot} inside replications. Monte Carlo standard error of a "
        f"5% size estimate: {se:.1%}.",
        "",
        "Designs (see the script's docstring): `ar1_crossings` = upward crossings of an "
        f"independent AR(1) (phi={PHI}, threshold {THRESHOLD} sd) declustered with "
        f"min_gap={MIN_GAP}; `bursty` = Poisson(15) cluster starts uniform in time, each a "
        "geometric number of events (mean 3) 21-63 trading days apart; `heavy_bursts` = "
        "Poisson(6) long clusters (mean 8 events, 21-40 days apart). Both burst designs are "
        f"declustered with min_gap={MIN_GAP} like the study; their gaps start at {MIN_GAP} days "
        "because clusters with gaps of 1-10 days would be declustered to one event each (an "
        "unclustered design). `flagship_shifts` = the flagship study's own base-variant "
        f"events{flag} moved together by a circular shift k, uniform in [{max(HORIZONS)}, "
        f"T - {max(HORIZONS)}), on each resampled history. `self_triggered` = events that "
        "depend on the returns, as in the shipped studies: two simulated assets, A (rows RUT) "
        f"and B (GSPC), {GARCH_DAYS} days of simple daily returns with a constant mean (no "
        f"predictability) and GARCH(1,1) volatility (alpha {GARCH_ALPHA}, beta {GARCH_BETA}, "
        f"B's sd {GARCH_VOL:.2%} a day, A {GARCH_RATIO}x B's, correlation {GARCH_CORR}), the "
        f"events the flagship's rule on the simulated history ({SIGNAL_DAYS}-day return of A "
        f"minus B's above {SIGNAL_K:g} full-sample sd, min_gap={MIN_GAP}). The event timing "
        "depends on the volatility: big spreads come in turbulent regimes, so the events' "
        "forward windows are more volatile than average, while circular shifts and random "
        "dates land in average regimes and understate the null spread of the event mean.",
        "",
        "Mean events: events with an h-day forward return, averaged over both horizons; G: "
        "clusters of events whose h-day windows overlap (the `hac` and `im` G).",
        "",
        "| design | mean events | mean episodes G, h=126 | G, h=252 |",
        "|---|---|---|---|",
    ]
    for design, g in df.groupby("design", sort=False):
        g1 = g[(g["h"] == 126)]["n_episodes"].mean()
        g2 = g[(g["h"] == 252)]["n_episodes"].mean()
        lines.append(f"| {design} | {g['n_events'].mean():.1f} | {g1:.1f} | {g2:.1f} |")
    for design, g in df.groupby("design", sort=False):
        lines += [
            "",
            f"## {design}",
            "",
            "| target | h | world | " + " | ".join(TESTS) + " |",
            "|---|---|---|" + "---|" * len(TESTS),
        ]
        for (target, h, world), gg in g.groupby(["target", "h", "world"], sort=True):
            cells = [_cell(gg[t].to_numpy(dtype=float)) for t in TESTS]
            lines.append(f"| {target} | {h} | {world} | " + " | ".join(cells) + " |")
    choice = choose_default(df)
    best = str(choice.iloc[0]["test"])
    closest = choice.sort_values(["worst |size - 5%|", "mean power"], ascending=[True, False])
    other = [t for t in OTHER_STATISTIC if t in set(choice["test"])]
    note = ""
    if other:
        r = choice[choice["test"] == other[0]].iloc[0]
        note = (
            f" `{other[0]}` (worst distance {r['worst |size - 5%|']:.1%}, power "
            f"{r['mean power']:.1%}"
            + (", the closest to 5% of all" if closest.iloc[0]["test"] == other[0] else "")
            + ") is ranked last: on a price it tests the h-day log return (the sum of the "
            "one-day log moves), not the simple excess the report prints beside the verdict, "
            "and the two can differ in sign (volatility drag is larger in the volatile "
            "stretches where self-triggered events fire)."
        )
    default_sizes = [
        _rate(g[DEFAULT_TEST].to_numpy(dtype=float))[0]
        for _, g in df[df["world"] == "null"].groupby(["design", "target", "h"])
    ]
    within = all(0.04 <= x <= 0.06 for x in default_sizes)
    lines += [
        "",
        "## Choice of the default test",
        "",
        "Overlap-robust tests, over every design x target x horizon: the worst distance of the "
        "size from 5%, the range of sizes and the mean power. The default is the test of the "
        "excess the report prints (the mean forward return on event dates minus the "
        "baseline's) with the smallest worst distance (then the highest power).",
        "",
        "| test | worst abs(size - 5%) | size range | mean power |",
        "|---|---|---|---|",
        *(
            f"| {r['test']} | {r['worst |size - 5%|']:.1%} | {r['size range']} | "
            f"{r['mean power']:.1%} |"
            for _, r in choice.iterrows()
        ),
        "",
        f"By this rule the best test here is **{best}**. The package default is "
        f"`{DEFAULT_TEST}`; its size is {min(default_sizes):.1%}-{max(default_sizes):.1%} "
        "across the designs, "
        + ("within" if within else "**not** within")
        + " [4%, 6%] in every design."
        + note,
        "",
        "Columns: naive_t = one-sample t vs baseline; sign = binomial test vs baseline hit "
        "rate; wilcoxon = signed rank vs baseline mean; hac = OLS on event dummy, "
        "Hansen-Hodrick truncated-kernel HAC with h-1 lags, t(G-1) with G = clusters of "
        "events whose h-day windows overlap (the package default until 2026-11-22, and the "
        "report's confidence interval); hac_greedy = same with "
        "the previous default's greedy episode count; hac_bartlett = same with the Newey-West "
        "Bartlett kernel, ceil(1.5h) lags; hac_nw_h-1_normal = textbook Newey-West with h-1 "
        "lags and a normal reference; bootstrap = stationary block bootstrap (block "
        "max(Politis-White, h)); placebo = uniform random dates with the same count and "
        "spacing; placebo_year = same, stratified by year; ewc = the event-dummy regression "
        "with the equal-weighted cosine variance, T/2h cosines, t(nu) (Lazarus et al. 2018); "
        "im = Ibragimov-Mueller t-test over the per-episode estimates, t(G-1); hodrick = the "
        "event-dummy regression on the h-day sums of the one-day log returns (of RUT, or of "
        "RUT/GSPC for the spread) with Hodrick's (1992) 1B standard error, N(0, 1), the "
        "planted excess added to those sums on the event dates (planted_hodrick); shift = the "
        "event excess "
        "against its value under every circular shift of the event dates (randomization "
        "test, no random numbers)."
        + "".join(f" {t} = {_summary(t)}" for t in TESTS if t not in _DESCRIBED),
        HAC_VARIANTS_NOTE,
    ]
    return "\n".join(lines) + "\n"


KEYS = ["design", "rep", "h", "target", "world", "n_events", "n_episodes"]


def merge_columns(
    full: Path, part: pd.DataFrame, tests: list[str], report: Path
) -> tuple[pd.DataFrame, str, float]:
    """The raw p-values of the full run ``full`` with the columns ``tests`` taken from
    ``part`` (the same replications: every key column must match row for row), and the full
    run's command and runtime, read from the head of its report ``report``."""
    old = pd.read_csv(full, keep_default_na=False, na_values=[""])  # the world "null" is text
    if len(old) != len(part) or not old[KEYS].reset_index(drop=True).equals(
        part[KEYS].reset_index(drop=True)
    ):
        raise SystemExit(
            f"{full}: its replications are not this run's (rows {len(old)} vs {len(part)}); "
            "use the --reps and --designs of the full run"
        )
    for name in tests:
        old[name] = part[name].to_numpy()
    head = re.search(r"Generated by `([^`]+)`.*?runtime ([0-9.]+) min", report.read_text())
    if head is None:
        raise SystemExit(f"{report}: no 'Generated by `...` ... runtime N min' line to keep")
    return old, head.group(1), float(head.group(2)) * 60


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--data-dir", type=Path, default=os.environ.get("EVENTSTUDY_DATA"))
    ap.add_argument("--out", type=Path, default=Path("docs/calibration.md"))
    ap.add_argument("--draws", type=int, default=2000, help="placebo draws per test")
    ap.add_argument("--boot", type=int, default=499, help="bootstrap reps per test")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--designs", default=",".join(DESIGNS), help="comma-separated designs")
    ap.add_argument("--csv", type=Path, default=None, help="also write raw p-values here")
    ap.add_argument("--only", default=None, help="comma-separated tests to compute (with --merge)")
    ap.add_argument(
        "--merge",
        type=Path,
        default=None,
        help="raw p-values of a full run whose columns of "
        "the --only tests are replaced by this run's",
    )
    args = ap.parse_args(argv)
    if (args.only is None) != (args.merge is None):
        ap.error("--only and --merge go together")
    only = None if args.only is None else frozenset(t for t in args.only.split(",") if t)
    if only is not None and not only <= set(TESTS):
        ap.error(f"unknown tests {sorted(only - set(TESTS))}; tests are {list(TESTS)}")
    drawing = sorted(only & {"bootstrap", "placebo", "placebo_year"}) if only else []
    if drawing:
        ap.error(
            f"--only {drawing}: these tests share each replication's random stream, so a "
            "run of them alone draws other numbers than the full run; rerun them all"
        )
    if args.data_dir is None:
        ap.error("--data-dir or EVENTSTUDY_DATA is required")
    designs = [d for d in args.designs.split(",") if d]
    unknown = [d for d in designs if d not in DESIGNS]
    if unknown:
        ap.error(f"unknown designs {unknown}; designs are {list(DESIGNS)}")
    rets, dates = load_returns(Path(args.data_dir))
    d0 = pd.DatetimeIndex(dates.insert(0, dates[0] - pd.Timedelta(days=1)))
    flagship, n_study = (
        flagship_positions(Path(args.data_dir), d0)
        if "flagship_shifts" in designs
        else (np.zeros(0, dtype=np.int64), 0)
    )
    t0 = time.time()
    jobs = [
        (design, i, rets, dates, args.draws, args.boot, flagship, only)
        for design in designs
        for i in range(args.reps)
    ]
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as ex:
            chunks = list(ex.map(one_rep, jobs, chunksize=10))
    else:
        chunks = [one_rep(j) for j in jobs]
    df = pd.DataFrame([row for rows in chunks for row in rows])
    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    command = (
        (f"OPENBLAS_NUM_THREADS={threads} " if threads else "")
        + f"EVENTSTUDY_DATA=<data> python benchmarks/calibration.py --reps {args.reps} "
        f"--draws {args.draws} --boot {args.boot} --workers {args.workers} "
        f"--designs {','.join(designs)}"
    )
    elapsed = time.time() - t0
    merged = ""
    if only is not None:
        part = f"{command} --only {','.join(sorted(only))} --merge <full run's CSV>"
        df, command, full_time = merge_columns(args.merge, df, sorted(only), args.out)
        merged = (
            f"The {', '.join(f'`{t}`' for t in sorted(only))} column was recomputed after a "
            f"change of that test's code by `{part}` ({elapsed / 60:.1f} min) on the same "
            "replications; the other tests' numbers are the full run's."
        )
        elapsed = full_time
    info = (int(flagship.size), n_study) if "flagship_shifts" in designs else None
    md = table(df, args.reps, args.draws, args.boot, elapsed, command, info, merged)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(md)
    if args.csv is not None:
        df.to_csv(args.csv, index=False)
    sys.stdout.write(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
