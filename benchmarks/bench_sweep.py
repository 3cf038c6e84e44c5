"""Benchmark: sweeps of the flagship question (a fresh process per run, one BLAS thread).

Usage: python benchmarks/bench_sweep.py [--specs 1000] [--workers 1 2] [--dask] [--data-dir DIR]

1. The shipped grid, ``studies/russell_sp_divergence_sweep.toml`` (768 specifications, three
   targets, 6 and 12 months, HAC per specification), through the CLI without figures, for each
   worker count.
2. A grid of about ``--specs`` specifications on the Russell 2000 alone (6 and 12 months) with
   the HAC test, 1,000 placebo draws and 1,000 bootstrap replications per specification plus
   the tests across the search -- the issue's target is 1,000 specifications in 5 s.  With
   ``--specs 10000`` the same grid ten times larger.

With ``--dask`` the grid also runs on Dask with that many single-threaded workers, twice: on
a ``LocalCluster`` the run starts itself (its start-up, about 3 s, included), and on a cluster
that is already running, reached through ``--scheduler`` (how a user who outgrows one machine
runs it; the cluster is started before the clock and its workers' memory is not counted); it
times ``es.run_study`` on a running cluster from one Python session (:func:`in_session`), and
measures the ceiling this machine puts on any 2-worker speed-up (:func:`ceiling`).  Prints wall time, seconds per specification and the peak resident memory of the run's
largest process (``ru_maxrss``, measured in a fresh wrapper process per run).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "studies" / "russell_sp_divergence_sweep.toml"

GRID_STUDY = """
[study]
name = "bench_sweep"
seed = 1
[data.series]
rut = {{ splice = ["fred:RU2000PR", "yahoo:RUT"] }}
spx = "yahoo:GSPC"
[signal]
type = "divergence"
a = "rut"
b = "spx"
n = 5
k = 3.0
direction = "above"
sigma = "expanding"
[events]
min_gap = 21
start = 1980-01-01
[evaluation]
horizons = {{ "6m" = 126, "12m" = 252 }}
targets = [{{ name = "rut", series = "rut" }}]
[inference]
draws = 1000
bootstrap_reps = 1000
[sweep]
tests = ["hac", "placebo", "bootstrap"]
shifts = 1000
[sweep.grid]
"signal.k" = {ks}
"signal.n" = {ns}
"events.min_gap" = {gaps}
"signal.return_kind" = ["simple", "log"]
"""


def grid_for(specs: int) -> tuple[str, int]:
    """A study whose grid has about ``specs`` specifications."""
    gaps, ns = [1, 5, 21, 63], [3, 5, 10, 15, 20]
    per_k = len(gaps) * len(ns) * 2
    n_k = max(1, round(specs / per_k))
    ks = [round(1.5 + 0.05 * i, 2) for i in range(n_k)]
    return GRID_STUDY.format(ks=ks, ns=ns, gaps=gaps), n_k * per_k


def run(
    study: Path,
    data_dir: str | None,
    workers: int,
    executor: str = "process",
    scheduler: str | None = None,
) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one CLI run in a child process."""
    exe = Path(sys.executable).with_name("eventstudy")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "eventstudy.cli"]
    if data_dir:
        cmd += ["--data-dir", data_dir]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    # a fresh wrapper process per run: RUSAGE_CHILDREN's peak is a running maximum over all
    # the children a process has waited for, so it would carry one run's peak into the next
    wrapper = [
        sys.executable,
        "-c",
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        out = subprocess.run(
            [
                *wrapper,
                *cmd,
                "run",
                str(study),
                "--out",
                f"{tmp}/out",
                "--quiet",
                "--no-figures",
                "--workers",
                str(workers),
                "--executor",
                executor,
                *(["--scheduler", scheduler] if scheduler else []),
            ],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - t0
        peak = int(out.stdout.split()[-1]) / 1024
    return seconds, peak


def on_running_cluster(study: Path, data_dir: str | None, workers: int, repeat: int = 3) -> float:
    """Median wall seconds of ``repeat`` CLI runs on a ``LocalCluster`` of ``workers``
    single-threaded workers started beforehand, after one uncounted run that warms them."""
    import statistics

    from eventstudy.timeseries.sweep import _local_cluster

    os.environ["OPENBLAS_NUM_THREADS"] = "1"  # the workers inherit it
    cluster = _local_cluster(workers)
    try:
        run(study, data_dir, workers, "dask", cluster.scheduler_address)
        times = [
            run(study, data_dir, workers, "dask", cluster.scheduler_address)[0]
            for _ in range(repeat)
        ]
    finally:
        cluster.close()
    return statistics.median(times)


_SESSION = """
import os, statistics, sys, time
os.environ["OPENBLAS_NUM_THREADS"] = "1"
if __name__ == "__main__":
    import eventstudy as es
    from eventstudy.timeseries.sweep import _local_cluster
    study, data_dir, workers, repeat = sys.argv[1], sys.argv[2] or None, int(sys.argv[3]), int(sys.argv[4])
    config = es.load_study(study)
    cluster = _local_cluster(workers)
    try:
        def once():
            t0 = time.perf_counter()
            es.run_study(config, data_dir=data_dir, workers=workers, executor="dask",
                         scheduler=cluster.scheduler_address)
            return time.perf_counter() - t0
        once()  # warms the workers (their imports) and this process
        print(statistics.median(once() for _ in range(repeat)))
    finally:
        cluster.close()
"""


def in_session(study: Path, data_dir: str | None, workers: int, repeat: int = 5) -> float:
    """Median seconds of ``es.run_study`` on a running Dask cluster of ``workers``
    single-threaded workers, called from one Python session (a research script or notebook:
    the imports, the data's first read and the writing of outputs are not in the clock)."""
    out = subprocess.run(
        [sys.executable, "-c", _SESSION, str(study), data_dir or "", str(workers), str(repeat)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"},
    )
    return float(out.stdout.split()[-1])


def ceiling(study: Path, data_dir: str | None, repeat: int = 3) -> float:
    """Throughput of this machine's two cores on this run: twice the seconds of one
    1-worker run alone over the seconds of two such runs started together (median of
    ``repeat`` of each).

    No scheduling can make one run on two workers faster than this ratio: two independent
    copies of the run share nothing but the hardware.  On this 2-core machine two copies ran
    about 20% slower each than one alone, even for pure Python loops (2026-12-07).
    """
    import statistics
    from concurrent.futures import ThreadPoolExecutor

    alone, pair = [], []
    for _ in range(repeat):
        alone.append(run(study, data_dir, 1)[0])
        with ThreadPoolExecutor(2) as pool:
            both = list(pool.map(lambda _: run(study, data_dir, 1)[0], range(2)))
        pair.append(max(both))
    return 2 * statistics.median(alone) / statistics.median(pair)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--specs", type=int, default=1000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--data-dir", default=os.environ.get("EVENTSTUDY_DATA"))
    ap.add_argument("--skip-grid", action="store_true", help="only the shipped study")
    ap.add_argument("--dask", action="store_true", help="also run the grid on a Dask LocalCluster")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _bytecode import compile_package

    compile_package()
    print("| run | specifications | workers | seconds | s / specification | peak MB |")
    print("|---|---|---|---|---|---|")
    for w in args.workers:
        s, mb = run(SHIPPED, args.data_dir, w)
        print(
            f"| shipped sweep (HAC, 3 targets) | 768 | {w} | {s:.1f} | {s / 768:.3f} | {mb:.0f} |"
        )
    if args.skip_grid:
        return
    text, n = grid_for(args.specs)
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "grid.toml"
        study.write_text(text)
        for w in args.workers:
            s, mb = run(study, args.data_dir, w)
            print(
                f"| RUT grid (HAC + 1,000 placebo + 1,000 bootstrap) | {n} | {w} | {s:.1f} | "
                f"{s / n:.3f} | {mb:.0f} |"
            )
        speedups = []
        if args.dask:
            local = {}
            for w in args.workers:
                s, mb = run(study, args.data_dir, w, "dask")
                local[w] = s
                print(
                    f"| RUT grid on Dask (LocalCluster, start-up included) | {n} | {w} | "
                    f"{s:.1f} | {s / n:.3f} | {mb:.0f} |"
                )
            timers = {
                "running cluster": ("on a running Dask cluster (--scheduler)", on_running_cluster),
                "Python session": ("`es.run_study` from Python on a running cluster", in_session),
            }
            timed: dict[str, dict[int, float]] = {"LocalCluster": local}
            for key, (label, timer) in timers.items():
                timed[key] = {}
                for w in args.workers:
                    s = timed[key][w] = timer(study, args.data_dir, w)
                    print(f"| RUT grid {label} | {n} | {w} | {s:.1f} | {s / n:.3f} | -- |")
            if {1, 2} <= set(args.workers):
                speedups = [f"{key} {t[1] / t[2]:.2f}x" for key, t in timed.items()]
    print("\ntarget: 1,000 specifications <= 5 s on 2 cores (issue 10)")
    if args.dask and speedups:
        print(f"Dask speed-up from 1 to 2 workers (target >= 1.6x): {', '.join(speedups)}")
        with tempfile.TemporaryDirectory() as tmp:
            study = Path(tmp) / "grid.toml"
            study.write_text(text)
            top = ceiling(study, args.data_dir)
        print(
            f"ceiling of any 2-worker speed-up on this machine: {top:.2f}x (two 1-worker runs "
            "at once against one alone)"
        )


if __name__ == "__main__":
    main()
