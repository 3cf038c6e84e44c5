"""Benchmark: eventstudy against a plain pandas/statsmodels script answering the same question.

Usage: python benchmarks/bench_ratios.py [--repeat 5] [--data-dir DIR]

The question (the flagship's, on Yahoo's ^RUT and ^GSPC): on the days the Russell 2000's
five-day log return beat the S&P 500's by more than k full-sample standard deviations,
declustered to one event per 21 trading days, what was the Russell 2000's mean simple
return over the next 126 and 252 trading days, against the mean over all dates, and is the
difference significant by the HAC regression test (event dummy, Hansen-Hodrick uniform
kernel with h - 1 lags, statsmodels' small-sample correction)?

Each side runs in a fresh process (one BLAS thread) and prints its answer and the seconds
it spent after its imports; this driver checks that both give the same event dates, means
and HAC t statistics (to 1e-9), then prints, as medians of ``--repeat`` processes:

1. whole-process wall time, peak memory and the ratio eventstudy / plain;
2. how the time after imports grows with the data length (the series truncated, then
   repeated end to end) and with the number of events (lower thresholds k): the fitted
   exponent b of ``time ~ size^b`` (issue 14 asks for b <= 1).

The plain side is what a careful analyst writes by hand: pandas for returns and the
threshold, a loop over trigger days to decluster, statsmodels OLS with ``cov_type="HAC"``
for each horizon.

A second question, the classical cross-section (synthetic market-model returns, 500
tickers): the market model fitted over days -250..-11 of each event, abnormal returns and
the CAR over -5..+5, and the cross-sectional t-test of the mean CAR.  The plain side fits one
statsmodels OLS per event in a loop (the usual script); the numbers compared are the mean CAR
and the t statistic (to 1e-9).  Its sizes: the number of events, and the number of days.

A third question, a sweep of the flagship's conventions (issue 10): the time-series question
above for every specification of a grid over the threshold k, the return window n, the
declustering gap and the signal's return kind (simple or log), HAC test per specification.
The plain side loops over the specifications (the loop a user writes today); eventstudy runs
:func:`eventstudy.sweep` on one worker (so the ratio is per core), which also computes the
tests across the search (Holm, BH, Romano-Wolf, the joint circular-shift null) that the plain
side does not.  Both give the same event count, mean and HAC t per specification and
horizon (to 1e-9).  Its size: the number of specifications.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HORIZONS = (126, 252)
MIN_GAP = 21
N_DAYS = 5


def _load(data_dir: Path, rows: int | None = None):
    """Closes of ^RUT and ^GSPC on their common dates (all of them when ``rows`` is None, else
    the last ``rows``); ``rows`` > available repeats the daily log returns end to end (a longer
    series with the same moves)."""
    import numpy as np
    import pandas as pd

    def close(name: str) -> pd.Series:
        f = pd.read_csv(data_dir / "series" / "yahoo" / f"{name}.csv", parse_dates=["date"])
        return f.set_index("date")["close"].astype(float)

    px = pd.concat({"rut": close("RUT"), "spx": close("GSPC")}, axis=1, join="inner").dropna()
    if rows is None:
        return px
    if rows <= len(px):
        return px.iloc[-rows:]
    r = np.log(px).diff().iloc[1:].to_numpy()
    reps = int(np.ceil((rows - 1) / len(r)))
    steps = np.tile(r, (reps, 1))[: rows - 1]
    level = np.exp(np.vstack([np.zeros((1, 2)), np.cumsum(steps, axis=0)])) * px.iloc[0].to_numpy()
    days = pd.bdate_range("1950-01-02", periods=rows)
    return pd.DataFrame(level, index=days, columns=["rut", "spx"])


def plain(data_dir: Path, rows: int | None, k: float) -> dict[str, object]:
    """The question in pandas and statsmodels, as written by hand."""
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm

    t0 = time.perf_counter()
    px = _load(data_dir, rows)
    x = np.log(px["rut"]).diff(N_DAYS) - np.log(px["spx"]).diff(N_DAYS)
    z = (x - x.mean()) / x.std(ddof=1)
    trig = np.flatnonzero((z > k).to_numpy())
    events: list[int] = []
    for p in trig:  # keep a trigger at least MIN_GAP days after the last kept event
        if not events or p - events[-1] >= MIN_GAP:
            events.append(int(p))
    out: dict[str, object] = {"events": [str(px.index[p].date()) for p in events]}
    for h in HORIZONS:
        fwd = px["rut"].shift(-h) / px["rut"] - 1.0
        dummy = pd.Series(0.0, index=px.index)
        dummy.iloc[events] = 1.0
        ok = fwd.notna()
        fit = sm.OLS(fwd[ok], sm.add_constant(dummy[ok])).fit(
            cov_type="HAC",
            cov_kwds={"maxlags": h - 1, "kernel": "uniform", "use_correction": True},
        )
        ev = fwd.iloc[events].dropna()
        out[str(h)] = {
            "mean": float(ev.mean()),
            "baseline": float(fwd[ok].mean()),
            "t": float(fit.tvalues.iloc[1]),
        }
    out["seconds"] = time.perf_counter() - t0
    return out


def _hac_answers(res: Any) -> dict[str, object]:
    """Per horizon of an evaluation: the event mean, the baseline and the HAC test's t (and
    its kernel: the uniform one unless it fell back to Bartlett)."""
    out: dict[str, object] = {}
    for h in HORIZONS:
        hs = res.horizons[str(h)]
        tr = hs.tests["hac"]
        out[str(h)] = {
            "mean": hs.mean,
            "baseline": hs.baseline_mean,
            "t": tr.statistic,
            "kernel": tr.details.get("kernel"),
        }
    return out


def eventstudy_side(data_dir: Path, rows: int | None, k: float) -> dict[str, object]:
    """The same question through eventstudy's signal, events and evaluation layers."""
    from eventstudy.evaluation import evaluate, forward_returns
    from eventstudy.events import find_events
    from eventstudy.signals import make_signal

    t0 = time.perf_counter()
    px = _load(data_dir, rows)
    sig = make_signal(
        {"type": "divergence", "a": "rut", "b": "spx", "n": N_DAYS, "k": k, "sigma": "full"}
    ).compute(px)
    table = find_events(sig, min_gap=MIN_GAP)
    fwd = forward_returns(px["rut"], {str(h): h for h in HORIZONS})
    res = evaluate(fwd, table.positions, tests=("hac",), min_gap=MIN_GAP)
    out: dict[str, object] = {"events": [str(d.date()) for d in table.dates]}
    out.update(_hac_answers(res))
    out["seconds"] = time.perf_counter() - t0
    return out


CS_TICKERS = 500
CS_WINDOW = (-5, 5)
CS_ESTIMATION = (-250, -11)


def _cs_data(days: int, n_events: int):
    """Synthetic market-model returns (``days`` x 500 tickers) and ``n_events`` distinct
    (ticker, date) events with room for the estimation and event windows."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    dates = pd.bdate_range("2000-01-03", periods=days)
    m = rng.normal(0.0003, 0.01, days)
    beta = rng.uniform(0.5, 1.5, CS_TICKERS)
    r = rng.normal(0, 0.015, (days, CS_TICKERS)) + np.outer(m, beta)
    cols = [f"S{i:04d}" for i in range(CS_TICKERS)]
    first, last = -CS_ESTIMATION[0], days - CS_WINDOW[1] - 1
    cell = rng.choice((last - first) * CS_TICKERS, size=n_events, replace=False)
    day, tick = first + cell // CS_TICKERS, cell % CS_TICKERS
    events = pd.DataFrame({"ticker": [cols[t] for t in tick], "date": dates[day]})
    return pd.DataFrame(r, index=dates, columns=cols), pd.Series(m, index=dates), events


def cs_plain(days: int, n_events: int) -> dict[str, object]:
    """The market-model event study as usually scripted: one statsmodels OLS per event."""
    import numpy as np
    import statsmodels.api as sm

    returns, market, events = _cs_data(days, n_events)
    t0 = time.perf_counter()
    where = {d: i for i, d in enumerate(returns.index)}
    cars = []
    for ticker, date in zip(events["ticker"], events["date"], strict=True):  # one fit per event
        i = where[date]
        est = slice(i + CS_ESTIMATION[0], i + CS_ESTIMATION[1] + 1)
        win = slice(i + CS_WINDOW[0], i + CS_WINDOW[1] + 1)
        fit = sm.OLS(returns[ticker].iloc[est], sm.add_constant(market.iloc[est])).fit()
        a, b = fit.params.iloc[0], fit.params.iloc[1]
        cars.append(float((returns[ticker].iloc[win] - a - b * market.iloc[win]).sum()))
    car = np.array(cars)
    t = car.mean() / (car.std(ddof=1) / np.sqrt(car.size))
    return {
        "n": int(car.size),
        "mean_car": float(car.mean()),
        "t": float(t),
        "seconds": time.perf_counter() - t0,
    }


def cs_eventstudy(days: int, n_events: int) -> dict[str, object]:
    """The same through :func:`eventstudy.crosssection.run_cross_section` (its full battery
    of daily and CAR tests, more than the plain side computes)."""
    import warnings

    from eventstudy.crosssection import run_cross_section
    from eventstudy.exceptions import OverlappingEventsWarning

    # random events share stocks within a year: a study is told, a timing run is not
    warnings.filterwarnings("ignore", category=OverlappingEventsWarning)
    returns, market, events = _cs_data(days, n_events)
    t0 = time.perf_counter()
    res = run_cross_section(
        returns,
        market,
        events,
        model="market_model",
        estimation=CS_ESTIMATION,
        event_window=CS_WINDOW,
        min_estimation=200,
    )
    tr = res.window_tests[CS_WINDOW]["car_t"]
    return {
        "n": res.n_events,
        "mean_car": float(tr.details["mean_car"]),
        "t": float(tr.statistic),
        "seconds": time.perf_counter() - t0,
    }


SWEEP_NS = (3, 5, 10)
SWEEP_GAPS = (1, 21)
SWEEP_KINDS = ("simple", "log")
SWEEP_STUDY = """
[study]
name = "bench_ratios_sweep"
seed = 1
[data.series]
rut = "yahoo:RUT"
spx = "yahoo:GSPC"
[signal]
type = "divergence"
a = "rut"
b = "spx"
n = 5
k = 3.0
direction = "above"
sigma = "full"
[events]
min_gap = 21
[evaluation]
horizons = {{ "126" = 126, "252" = 252 }}
targets = [{{ name = "rut", series = "rut" }}]
[inference]
tests = ["hac"]
[sweep]
tests = ["hac"]
[sweep.grid]
"signal.k" = {ks}
"signal.n" = {ns}
"events.min_gap" = {gaps}
"signal.return_kind" = {kinds}
"""


def _sweep_ks(specs: int) -> list[float]:
    """Thresholds giving ``specs`` specifications (12 per threshold)."""
    per_k = len(SWEEP_NS) * len(SWEEP_GAPS) * len(SWEEP_KINDS)
    return [round(2.0 + 0.25 * i, 2) for i in range(max(1, specs // per_k))]


def sweep_plain(data_dir: Path, specs: int) -> dict[str, object]:
    """Every specification of the grid in turn, in pandas and statsmodels, as written by hand."""
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm

    t0 = time.perf_counter()
    px = _load(data_dir)
    fwd = {h: px["rut"].shift(-h) / px["rut"] - 1.0 for h in HORIZONS}
    out: dict[str, object] = {}
    for k in _sweep_ks(specs):  # one specification after another
        for n in SWEEP_NS:
            for gap in SWEEP_GAPS:
                for kind in SWEEP_KINDS:
                    if kind == "log":
                        x = np.log(px["rut"]).diff(n) - np.log(px["spx"]).diff(n)
                    else:
                        x = px["rut"].pct_change(n) - px["spx"].pct_change(n)
                    z = (x - x.mean()) / x.std(ddof=1)
                    events: list[int] = []
                    for p in np.flatnonzero((z > k).to_numpy()):
                        if not events or p - events[-1] >= gap:
                            events.append(int(p))
                    row: dict[str, object] = {"n_events": len(events)}
                    for h in HORIZONS:
                        f = fwd[h]
                        dummy = pd.Series(0.0, index=px.index)
                        dummy.iloc[events] = 1.0
                        ok = f.notna()
                        fit = sm.OLS(f[ok], sm.add_constant(dummy[ok])).fit(
                            cov_type="HAC",
                            cov_kwds={
                                "maxlags": h - 1,
                                "kernel": "uniform",
                                "use_correction": True,
                            },
                        )
                        row[str(h)] = {
                            "mean": float(f.iloc[events].dropna().mean()),
                            "t": float(fit.tvalues.iloc[1]),
                        }
                    out[f"k={k:g},n={n},min_gap={gap},return_kind={kind}"] = row
    return {"specs": out, "seconds": time.perf_counter() - t0}


def sweep_eventstudy(data_dir: Path, specs: int) -> dict[str, object]:
    """The same grid through :func:`eventstudy.sweep` (one worker)."""
    import eventstudy.api as es
    import eventstudy.inference.run
    import eventstudy.timeseries.sweep  # noqa: F401  (imports before the clock, as plain's)

    text = SWEEP_STUDY.format(
        ks=_sweep_ks(specs), ns=list(SWEEP_NS), gaps=list(SWEEP_GAPS), kinds=list(SWEEP_KINDS)
    )
    t0 = time.perf_counter()
    res = es.sweep(es.parse_study(text), data_dir=data_dir, workers=1)
    out: dict[str, object] = {}
    for name, per_target in res.evaluations.items():
        ev = per_target["rut"]
        out[name] = {"n_events": len(res.events[name].positions), **_hac_answers(ev)}
    return {"specs": out, "seconds": time.perf_counter() - t0}


def _same_sweep(a: dict[str, object], b: dict[str, object]) -> None:
    pa, pb = a["specs"], b["specs"]
    assert isinstance(pa, dict) and isinstance(pb, dict)
    assert set(pa) == set(pb), sorted(set(pa) ^ set(pb))[:5]
    for name, x in pa.items():
        y = pb[name]
        assert x["n_events"] == y["n_events"], (name, x["n_events"], y["n_events"])
        for h in HORIZONS:
            u, v = x[str(h)], y[str(h)]
            assert _close(u["mean"], v["mean"], 1e-12), (name, h, u["mean"], v["mean"])
            if v["t"] == v["t"] and v.get("kernel", "uniform") == "uniform":
                assert _close(u["t"], v["t"], 1e-9), (name, h, u["t"], v["t"])


def _child(side: str, *args: str) -> tuple[dict[str, object], float, float]:
    """One fresh process: its answer, its wall seconds and its peak memory (MB)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    code = (
        "import resource, subprocess, sys; "
        "r = subprocess.run(sys.argv[1:], check=True, capture_output=True, text=True); "
        "print(r.stdout.strip()); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    cmd = [sys.executable, __file__, "--side", side, *args]
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, *cmd], check=True, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    answer, peak = out.stdout.strip().splitlines()
    return json.loads(answer), wall, int(peak) / 1024


def _close(x: float, y: float, tol: float) -> bool:
    return abs(x - y) <= tol * max(1.0, abs(x))


def _same_ts(a: dict[str, object], b: dict[str, object]) -> None:
    assert a["events"] == b["events"], "the two sides found different event dates"
    for h in HORIZONS:
        x, y = a[str(h)], b[str(h)]
        assert isinstance(x, dict) and isinstance(y, dict)
        for key in ("mean", "baseline"):
            assert _close(x[key], y[key], 1e-12), (h, key, x[key], y[key])
        # eventstudy's test does not apply with one cluster of overlapping windows (G < 2),
        # and falls back to the Bartlett kernel when the uniform one is not PSD
        if y["t"] == y["t"] and y.get("kernel", "uniform") == "uniform":
            assert _close(x["t"], y["t"], 1e-9), (h, x["t"], y["t"])


def _same_cs(a: dict[str, object], b: dict[str, object]) -> None:
    assert a["n"] == b["n"], (a["n"], b["n"])
    for key in ("mean_car", "t"):
        assert _close(float(a[key]), float(b[key]), 1e-9), (key, a[key], b[key])  # type: ignore[arg-type]


def _exponent(sizes: list[float], seconds: list[float]) -> float:
    import numpy as np

    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


Row = tuple[float, float, float, int]  # process wall s, seconds after set-up, peak MB, size


def _pair(
    sides: tuple[str, str], args: list[str], repeat: int, same: Any, size_key: str
) -> dict[str, Row]:
    """Both sides ``repeat`` times, alternating (the machine's speed drifts); medians."""
    got: dict[str, list[tuple[dict[str, object], float, float]]] = {s: [] for s in sides}
    for _ in range(repeat):
        for side in sides:
            got[side].append(_child(side, *args))
    same(got[sides[0]][0][0], got[sides[1]][0][0])
    out: dict[str, Row] = {}
    for side, g in got.items():
        first = g[0][0]
        size = first[size_key]
        out[side] = (
            statistics.median(w for _, w, _ in g),
            statistics.median(float(a["seconds"]) for a, _, _ in g),  # type: ignore[arg-type]
            max(m for _, _, m in g),
            len(size) if isinstance(size, list | dict) else int(size),  # type: ignore[arg-type]
        )
    return out


def _table(
    title: str,
    sides: tuple[str, str],
    cases: list[tuple[str, list[str]]],
    repeat: int,
    same: Any,
    size_key: str,
    size_label: str = "events",
) -> list[dict[str, Row]]:
    """One row per case; returns each case's medians per side."""
    print(f"\n{title}\n")
    print(
        f"| case | {size_label} | plain: process s (after set-up) | eventstudy: process s (after "
        "set-up) | ratio, process | ratio, after set-up | plain MB | eventstudy MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for label, args in cases:
        r = _pair(sides, args, repeat, same, size_key)
        p, e = r[sides[0]], r[sides[1]]
        print(
            f"| {label} | {e[3]:,} | {p[0]:.2f} ({p[1]:.3f}) | {e[0]:.2f} ({e[1]:.3f}) | "
            f"{e[0] / p[0]:.2f} | {e[1] / p[1]:.2f} | {p[2]:.0f} | {e[2]:.0f} |",
            flush=True,
        )
        rows.append(r)
    return rows


def _fit(label: str, sizes: list[float], rows: list[dict[str, Row]]) -> None:
    for side in rows[0]:
        b = _exponent(sizes, [r[side][1] for r in rows])
        print(f"  {side:<15} {label}: b = {b:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--data-dir", default=os.environ.get("EVENTSTUDY_DATA"))
    ap.add_argument(
        "--side",
        choices=(
            "plain",
            "eventstudy",
            "cs-plain",
            "cs-eventstudy",
            "sweep-plain",
            "sweep-eventstudy",
        ),
        help=argparse.SUPPRESS,
    )
    ap.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--k", type=float, default=3.0, help=argparse.SUPPRESS)
    ap.add_argument("--events", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--specs", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument(
        "--only",
        nargs="+",
        choices=("time-series", "cross-section", "sweep"),
        default=("time-series", "cross-section", "sweep"),
        help="the questions to run (all by default)",
    )
    args = ap.parse_args()
    if args.side in ("cs-plain", "cs-eventstudy"):
        fn_cs = cs_plain if args.side == "cs-plain" else cs_eventstudy
        print(json.dumps(fn_cs(args.rows, args.events)))
        return
    if args.data_dir is None:
        ap.error("--data-dir or EVENTSTUDY_DATA is required")
    if args.side in ("sweep-plain", "sweep-eventstudy"):
        fn_sw = sweep_plain if args.side == "sweep-plain" else sweep_eventstudy
        print(json.dumps(fn_sw(Path(args.data_dir), args.specs)))
        return
    if args.side:
        fn = plain if args.side == "plain" else eventstudy_side
        print(json.dumps(fn(Path(args.data_dir), args.rows or None, args.k)))
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _bytecode import compile_package

    compile_package()
    print(f"Medians of {args.repeat} fresh processes per side, one BLAS thread. 'After set-up':")
    print("the seconds after the imports and the data (read or generated). Both sides give the")
    print("same numbers (checked to 1e-9).")
    d = args.data_dir
    fits: list[tuple[str, list[float], list[dict[str, Row]]]] = []
    if "time-series" in args.only:
        lengths = (2_500, 5_000, 9_800, 19_600, 39_200)
        by_length = _table(
            "Time series: the Russell 2000 after its 5-day return beat the S&P 500's by k sigma "
            "(HAC test, 126 and 252 days)",
            ("plain", "eventstudy"),
            [
                (f"{n:,} days, k = 3", ["--data-dir", d, "--rows", str(n), "--k", "3"])
                for n in lengths
            ],
            args.repeat,
            _same_ts,
            "events",
        )
        by_k = _table(
            "The same on 9,800 days with lower thresholds (more events)",
            ("plain", "eventstudy"),
            [
                (f"9,800 days, k = {k:g}", ["--data-dir", d, "--rows", "9800", "--k", str(k)])
                for k in (3.0, 2.0, 1.0, 0.5)
            ],
            args.repeat,
            _same_ts,
            "events",
        )
        fits.append(("time series, data length", [float(n) for n in lengths], by_length))
        fits.append(("time series, events", [float(r["eventstudy"][3]) for r in by_k], by_k))
    if "cross-section" in args.only:
        n_events = (500, 1_000, 2_000, 4_000)
        days = (1_500, 3_000, 6_000)
        cs = ("cs-plain", "cs-eventstudy")
        cs_events = _table(
            "Cross-section: market model, CAR -5..+5, t-test of the mean CAR (500 tickers)",
            cs,
            [
                (f"{n:,} events, 3,000 days", ["--rows", "3000", "--events", str(n)])
                for n in n_events
            ],
            args.repeat,
            _same_cs,
            "n",
        )
        cs_days = _table(
            "The same with 1,000 events and more days",
            cs,
            [(f"1,000 events, {t:,} days", ["--rows", str(t), "--events", "1000"]) for t in days],
            args.repeat,
            _same_cs,
            "n",
        )
        fits.append(("cross-section, events", [float(n) for n in n_events], cs_events))
        fits.append(("cross-section, days", [float(t) for t in days], cs_days))
    if "sweep" in args.only:
        n_specs = (12, 24, 48)
        sweeps = _table(
            "Sweep: the time-series question for every specification of a grid over k, n, the "
            "declustering gap and the return kind (HAC test; one worker)",
            ("sweep-plain", "sweep-eventstudy"),
            [(f"{n} specifications", ["--data-dir", d, "--specs", str(n)]) for n in n_specs],
            args.repeat,
            _same_sweep,
            "specs",
            "specifications",
        )
        fits.append(("sweep, specifications", [float(n) for n in n_specs], sweeps))
    print("\nFitted exponent b of the time after set-up ~ size^b (issue 14: b <= 1):")
    for label, sizes, rows in fits:
        _fit(label, sizes, rows)


if __name__ == "__main__":
    main()
