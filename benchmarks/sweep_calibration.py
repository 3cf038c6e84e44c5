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

Usage::

    python benchmarks/sweep_calibration.py --reps 200 --data-dir /path/to/data
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("EVENTSTUDY_DATA", "data"))
    )
    args = ap.parse_args()
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
