"""Benchmark: the hand-written routines of ``eventstudy.inference`` vs the libraries.

Usage: python benchmarks/bench_libraries.py [--procs 9] [--repeat 7]

(a) Import cost, the median over ``--procs`` fresh processes (``OPENBLAS_NUM_THREADS=1``) of
the time to import a module after ``import numpy, pandas, scipy.special`` (what the
time-series path imports anyway): ``scipy.stats``, ``statsmodels.stats.sandwich_covariance``
(the HAC covariance ``hac._fit`` mirrors) and ``statsmodels.stats.multitest``; each line
also says whether the module pulled in ``scipy.stats``.

(b) Per-call time, the median of ``--repeat`` timings, of each routine kept in ``_numerics``
and of the library routine it mirrors, on inputs of the flagship study's size (28 events, 12
tests; the HAC fit of a 12-month horizon on 11,000 dates); each pair is first checked to give the same numbers (tolerance in the table).

The routines are kept because the time-series path does not otherwise import scipy.stats:
the decision is the import cost against the per-call saving, both printed here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventstudy.inference import _numerics as ours

BASELINE = "import numpy, pandas, scipy.special"
MODULES = (
    "scipy.stats",
    "statsmodels.stats.sandwich_covariance",
    "statsmodels.stats.multitest",
)


def import_cost(module: str, procs: int) -> tuple[float, bool]:
    """Median seconds to import ``module`` after BASELINE, over ``procs`` fresh processes,
    and whether the import brought ``scipy.stats`` in."""
    code = (
        f"import sys, time; {BASELINE}\n"
        "t0 = time.perf_counter()\n"
        f"import {module}\n"
        "print(time.perf_counter() - t0, 'scipy.stats' in sys.modules)"
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    times, pulls = [], set()
    for _ in range(procs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        ).stdout.split()
        times.append(float(out[0]))
        pulls.add(out[1] == "True")
    assert len(pulls) == 1
    return statistics.median(times), pulls.pop()


def per_call(fn: Callable[[], Any], repeat: int) -> float:
    """Median seconds per call over ``repeat`` timings of a loop sized to ~20 ms."""
    number, _ = timeit.Timer(fn).autorange()
    number = max(1, number // 10)
    return statistics.median(t / number for t in timeit.repeat(fn, number=number, repeat=repeat))


def cases() -> list[tuple[str, str, str, Callable[[], Any], Callable[[], Any], float]]:
    """(routine, library, module whose import it needs, ours, library, rtol)."""
    from scipy import stats
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.sandwich_covariance import cov_hac_simple, kernel_dict

    from eventstudy.inference.hac import _fit

    rng = np.random.default_rng(0)
    d28 = rng.normal(0.3, 1.0, 28)  # 28 event returns minus the baseline mean
    df = np.arange(2, 255)  # path.py: one quantile per offset, df = n - 1
    p12 = rng.uniform(size=12) ** 2  # 12 tests in the multiple-testing family
    # a 12-month HAC regression of the RUT's size: T = 11,000 dates, 251 lags, 300 events
    t_hac, lags = 11_000, 251
    y_hac = np.convolve(rng.normal(size=t_hac + lags), np.ones(lags + 1), "valid") * 0.01
    x_hac = np.column_stack([np.ones(t_hac), np.zeros(t_hac)])
    x_hac[rng.choice(t_hac, 300, replace=False), 1] = 1.0

    def statsmodels_hac() -> tuple[float, float]:
        pinv = np.linalg.pinv(x_hac)
        params = pinv @ y_hac
        scores = x_hac * (y_hac - x_hac @ params)[:, None]
        cov = cov_hac_simple(
            (scores, pinv @ pinv.T), nlags=lags, weights_func=kernel_dict["uniform"]
        )
        return float(params[1]), float(cov[1, 1])

    return [
        (
            "hac._fit (uniform)",
            "statsmodels cov_hac_simple",
            "statsmodels.stats.sandwich_covariance",
            lambda: _fit(y_hac, x_hac, lags, "uniform")[:2],
            statsmodels_hac,
            1e-10,
        ),
        (
            "t_two_sided_p",
            "2 * scipy.stats.t.sf",
            "scipy.stats",
            lambda: ours.t_two_sided_p(2.1, 27),
            lambda: float(2 * stats.t.sf(2.1, 27)),
            1e-12,
        ),
        (
            "t_quantile",
            "scipy.stats.t.ppf",
            "scipy.stats",
            lambda: ours.t_quantile(0.975, df),
            lambda: stats.t.ppf(0.975, df),
            1e-12,
        ),
        (
            "binom_two_sided_p",
            "scipy.stats.binomtest",
            "scipy.stats",
            lambda: ours.binom_two_sided_p(18, 28, 0.55),
            lambda: stats.binomtest(18, 28, 0.55).pvalue,
            1e-12,
        ),
        (
            "wilcoxon_signed_rank",
            "scipy.stats.wilcoxon",
            "scipy.stats",
            lambda: ours.wilcoxon_signed_rank(d28),
            lambda: tuple(stats.wilcoxon(d28)),
            1e-12,
        ),
        (
            "fdr_bh",
            "statsmodels multipletests",
            "statsmodels.stats.multitest",
            lambda: ours.fdr_bh(p12),
            lambda: multipletests(p12, method="fdr_bh")[1],
            1e-12,
        ),
        (
            "rank_average",
            "scipy.stats.rankdata",
            "scipy.stats",
            lambda: ours.rank_average(np.abs(d28))[0],
            lambda: stats.rankdata(np.abs(d28)),
            0.0,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=9, help="fresh processes per import")
    parser.add_argument("--repeat", type=int, default=7, help="timings per routine")
    args = parser.parse_args()
    if args.procs < 7:
        parser.error("--procs must be at least 7")

    print(f"import cost over `{BASELINE}` (median of {args.procs} fresh processes)")
    cost = {}
    for module in MODULES:
        cost[module], pulls = import_cost(module, args.procs)
        print(
            f"  {module:<40} {cost[module] * 1e3:7.1f} ms"
            f"  ({'imports' if pulls else 'does not import'} scipy.stats)"
        )

    rows = []
    for name, library, module, fn_ours, fn_lib, rtol in cases():
        a, b = np.asarray(fn_ours(), dtype=float), np.asarray(fn_lib(), dtype=float)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=0, err_msg=name)
        t_ours, t_lib = per_call(fn_ours, args.repeat), per_call(fn_lib, args.repeat)
        rows.append((name, library, t_ours, t_lib, cost[module], rtol))

    print(f"\nper call (median of {args.repeat} timings); same numbers checked to rtol")
    head = ("routine", "library", "ours us", "library us", "import ms", "rtol")
    print(f"  {head[0]:<22}{head[1]:<28}{head[2]:>9}{head[3]:>12}{head[4]:>11}{head[5]:>8}")
    for name, library, t_ours, t_lib, imp, rtol in rows:
        print(
            f"  {name:<22}{library:<28}{t_ours * 1e6:9.1f}{t_lib * 1e6:12.1f}"
            f"{imp * 1e3:11.1f}{rtol:8.0e}"
        )


if __name__ == "__main__":
    main()
