"""Family-wise error of the tests across a search, on block-resampled real returns.

Null world (as ``benchmarks/calibration.py``): daily log returns of the Russell 2000 (^RUT)
resampled with a stationary block bootstrap (mean block 63 days).  A *grid* of uninformative
specifications: an independent persistent AR(1) signal (phi 0.99) crossing one of 30
thresholds, declustered by 1, 5, 21 or 63 days -- 120 specifications whose events overlap
heavily, like a real sweep's.  Each replication evaluates the 126-day forward returns and
records, per method, whether it rejects *any* specification at 5% (the family-wise error):

* ``naive``: any specification's own HAC test (t(G - 1)) below 5%, no correction;
* ``holm``: Holm over those HAC p-values;
* ``bh``: Benjamini–Hochberg (controls the FDR, not the FWER; shown for contrast);
* ``shift_naive``: any specification's own circular-shift test below 5%;
* ``reality_check``, ``spa``, ``romano_wolf``: the joint circular-shift null of
  :mod:`eventstudy.inference.search` (2,000 shifts spread over the whole circle, as sweeps use).

Target: reality check and Romano–Wolf at or below 5% within Monte Carlo error.

``--design self_triggered`` / ``independent`` (2026-12-07): the family-wise tests of a sweep on
simulated GARCH(1,1) returns with no predictability (the ``self_triggered`` world of
``benchmarks/calibration.py``: two assets, alpha 0.08, beta 0.91, correlation 0.85), 12
specifications of the flagship's rule (5-day return of A minus B's above k = 2, 2.5, 3, 3.5
full-sample sd, declustered by 1, 21 or 63 days) on A's 126-day forward returns, 1,000
relative shifts.  ``self_triggered``: the events come from the same simulated history (big
spreads fire in turbulent stretches); ``independent``: from a second, independent history.
Each replication computes both joint nulls on the same shifts -- ``raw`` (the excess scaled
by one null sd per specification, the sweeps' null until 2026-12-07) and ``studentized``
(each shifted set's own HAC t, :func:`~eventstudy.timeseries.sweep_search.shift_null`) --
and records whether the reality check, SPA, Romano–Wolf and any uncorrected
``family_shift_p`` reject at 5%, one-sided (positive) and two-sided.

Usage::

    python benchmarks/sweep_calibration.py --reps 200 --data-dir /path/to/data
    python benchmarks/sweep_calibration.py --design self_triggered --reps 1000
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.calibration import load_returns, stationary_indices
from eventstudy.inference import adjust_pvalues, hac_test
from eventstudy.inference.search import (
    circular_shift_null,
    reality_check,
    romano_wolf,
    spa,
)

H = 126
PHI = 0.99
THRESHOLDS = np.linspace(0.5, 2.0, 30)
GAPS = (1, 5, 21, 63)
SHIFTS = 2000
METHODS = ("naive", "holm", "bh", "shift_naive", "reality_check", "spa", "romano_wolf")


def _events(x: np.ndarray, level: float, gap: int, t: int) -> np.ndarray:
    trig = (
        np.flatnonzero((x[1:t] > level) & (x[: t - 1] <= level)) + 1
        if gap > 1
        else np.flatnonzero(x[:t] > level)
    )
    kept: list[int] = []
    for p in trig.tolist():  # benchmark-only declustering
        if not kept or p - kept[-1] >= gap:
            kept.append(p)
    return np.asarray(kept, dtype=np.int64)


def replication(args: tuple[np.ndarray, int]) -> dict[str, bool]:
    returns, seed = args
    rng = np.random.default_rng(seed)
    r = returns[stationary_indices(returns.size, 63.0, rng)]
    logp = np.concatenate([[0.0], np.cumsum(r)])
    y = logp[H:] - logp[:-H]  # overlapping 126-day log returns, complete
    t = y.size
    from scipy.signal import lfilter

    e = rng.standard_normal(t + 500)
    x = lfilter([1.0], [1.0, -PHI], e)[500:] * math.sqrt(1 - PHI**2)
    sets = [_events(x, lv, g, t) for lv in THRESHOLDS for g in GAPS]
    sets = [s for s in sets if s.size >= 3]
    p_hac = np.array([hac_test(y, s, H).p_value for s in sets])
    shifts = np.unique(np.round(np.linspace(1, t - 1, SHIFTS)).astype(np.int64))
    obs, null = circular_shift_null(y, sets, shifts)
    sd = null.std(axis=0, ddof=1)
    z, zn = obs / sd, null / sd
    shift_p = (np.sum(np.abs(zn) >= np.abs(z), axis=0) + 1) / (shifts.size + 1)
    ok = np.isfinite(p_hac)
    return {
        "naive": bool(np.any(p_hac[ok] < 0.05)),
        "holm": bool(np.any(adjust_pvalues(p_hac[ok], method="holm") < 0.05)),
        "bh": bool(np.any(adjust_pvalues(p_hac[ok], method="fdr_bh") < 0.05)),
        "shift_naive": bool(np.any(shift_p < 0.05)),
        "reality_check": reality_check(z, zn, "two-sided") < 0.05,
        "spa": spa(z, zn, "two-sided") < 0.05,
        "romano_wolf": bool(np.any(romano_wolf(z, zn, "two-sided") < 0.05)),
        "n_specs": len(sets),
    }


GARCH_T, GARCH_H, GARCH_SHIFTS = 11_900, 126, 1000
GARCH_KS, GARCH_GAPS = (2.0, 2.5, 3.0, 3.5), (1, 21, 63)
GARCH_METHODS = ("reality_check", "spa", "romano_wolf", "any_family_shift_p")


def _garch(rng: np.random.Generator) -> np.ndarray:
    """Daily simple returns of two assets (columns A, B): constant mean, common GARCH(1,1)
    variance driven by B's shocks (alpha 0.08, beta 0.91, B's sd 1.21% a day), A 1.2x B's
    scale, correlation 0.85; 500 days of burn-in dropped."""
    n = GARCH_T + 500
    z = rng.standard_normal((n, 2))
    z[:, 1] = 0.85 * z[:, 0] + math.sqrt(1 - 0.85**2) * z[:, 1]
    s2 = 1.21e-2**2
    a0 = s2 * (1 - 0.08 - 0.91)
    h = s2
    r = np.empty((n, 2))
    for t in range(n):  # the variance recursion is sequential
        e = math.sqrt(h) * z[t, 1]
        r[t, 0] = 0.0003 + 1.2 * math.sqrt(h) * z[t, 0]
        r[t, 1] = 0.0003 + e
        h = a0 + 0.08 * e * e + 0.91 * h
    return r[500:]


def _flagship_sets(r: np.ndarray, tv: int) -> list[np.ndarray]:
    pa, pb = np.cumprod(1 + r[:, 0]), np.cumprod(1 + r[:, 1])
    s5 = np.full(GARCH_T, np.nan)
    s5[5:] = pa[5:] / pa[:-5] - pb[5:] / pb[:-5]
    z = (s5 - np.nanmean(s5)) / np.nanstd(s5)
    sets = []
    for k in GARCH_KS:
        trig = np.flatnonzero(np.nan_to_num(z) > k)
        for g in GARCH_GAPS:
            kept: list[int] = []
            for p in trig.tolist():  # benchmark-only declustering
                if not kept or p - kept[-1] >= g:
                    kept.append(p)
            e = np.asarray(kept, dtype=np.int64)
            sets.append(e[e < tv])
    return [e for e in sets if e.size >= 3]


def garch_replication(args: tuple[str, int]) -> dict[str, bool]:
    """One replication of the GARCH designs: both joint nulls, both directions."""
    from eventstudy.inference.shift_t import _at_shifts
    from eventstudy.timeseries.sweep_search import family_tests, relative_shifts

    design, seed = args
    rng = np.random.default_rng(seed)
    r = _garch(rng)
    r_events = r if design == "self_triggered" else _garch(rng)
    pa = np.cumprod(1 + r[:, 0])
    fwd = pa[GARCH_H:] / pa[:-GARCH_H] - 1  # complete dates 0 .. T - H - 1
    sets = _flagship_sets(r_events, fwd.size)
    at = np.concatenate([[0], relative_shifts(fwd.size, GARCH_SHIFTS)])
    obs, null = circular_shift_null(fwd, sets, at[1:])
    t, _ = _at_shifts(fwd, sets, GARCH_H, at)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = null.std(axis=0, ddof=1)
    raw = (obs / sd, null / sd)  # the null before 2026-12-07
    names = [str(j) for j in range(len(sets))]
    out: dict[str, bool] = {}
    for label, (o, n) in (("raw", raw), ("studentized", (t[0], t[1:]))):
        for direction in ("positive", "two-sided"):
            f = family_tests(names, o, n, direction, n_obs=fwd.size)
            rejects = (
                f["reality_check_p"] < 0.05,
                f["spa_p"] < 0.05,
                min(f["romano_wolf_p"].values()) < 0.05,
                min(f["family_shift_p"].values()) < 0.05,
            )
            for m, rej in zip(GARCH_METHODS, rejects, strict=True):
                out[f"{label}/{direction}/{m}"] = bool(rej)
    return out


def garch_main(design: str, reps: int, seed: int, workers: int) -> None:
    t0 = time.perf_counter()
    seeds = np.random.SeedSequence(seed).generate_state(reps)
    with ProcessPoolExecutor(workers) as pool:
        rows = list(pool.map(garch_replication, [(design, int(s)) for s in seeds]))
    print(
        f"# Family-wise error at 5%, design {design} ({reps} replications, seed {seed}, "
        f"{time.perf_counter() - t0:.0f} s; {len(GARCH_KS) * len(GARCH_GAPS)} specifications, "
        f"h = {GARCH_H}, {GARCH_SHIFTS} shifts)\n"
    )
    print("| null | direction | method | rejects any specification | binomial s.e. |")
    print("|---|---|---|---|---|")
    for label in ("raw", "studentized"):
        for direction in ("positive", "two-sided"):
            for m in GARCH_METHODS:
                k = sum(r[f"{label}/{direction}/{m}"] for r in rows)
                p = k / reps
                se = math.sqrt(p * (1 - p) / reps)
                print(f"| {label} | {direction} | {m} | {p:.1%} | {se:.1%} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("EVENTSTUDY_DATA", "data"))
    )
    ap.add_argument(
        "--design",
        choices=("block_bootstrap", "self_triggered", "independent"),
        default="block_bootstrap",
    )
    args = ap.parse_args()
    if args.design != "block_bootstrap":
        garch_main(args.design, args.reps, args.seed, args.workers)
        return
    lr, _ = load_returns(args.data_dir)
    rut = lr[:, 0]
    t0 = time.perf_counter()
    seeds = np.random.SeedSequence(args.seed).generate_state(args.reps)
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(replication, [(rut, int(s)) for s in seeds]))
    n = args.reps
    print(
        f"# Family-wise error across a search ({n} replications, seed {args.seed}, "
        f"{time.perf_counter() - t0:.0f} s)"
    )
    print(
        f"specifications per replication: median {int(np.median([r['n_specs'] for r in rows]))}, "
        f"RUT 126-day log returns, stationary block bootstrap (mean block 63)\n"
    )
    print("| method | rejects any specification at 5% | 95% interval |")
    print("|---|---|---|")
    for m in METHODS:
        k = sum(bool(r[m]) for r in rows)
        lo, hi = _wilson(k, n)
        print(f"| {m} | {k / n:.1%} | {lo:.1%} – {hi:.1%} |")


def _wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    w = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - w, c + w


if __name__ == "__main__":
    main()
