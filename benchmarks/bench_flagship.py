"""Benchmark: the flagship study end to end through the CLI (a new process each run).

Usage: python benchmarks/bench_flagship.py [--repeat 7] [--data-dir DIR]

Prints the wall time of ``eventstudy run studies/russell_sp_divergence.toml`` with
10,000 placebo draws and the block bootstrap (the study's settings), with and without the
report figures, and beside them the plain pandas/statsmodels script of
``benchmarks/bench_ratios.py`` that answers the study's headline question (the Russell 2000
after a 3-sigma divergence, 6 and 12 months, HAC test) for one variant and one target: the
CLI computes far more (two variants, three targets, seven tests, 10,000 placebo draws, the
size on the data, two backtests and the report), so the ratio says what all of that costs
against the hand-written answer.  Targets (issue 14): <= 0.7 s with --no-figures and <= 1.5 s with every
figure, on a 2-core machine (docs/speed.md has the measured numbers).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "studies" / "russell_sp_divergence.toml"


def time_cli(extra: list[str], data_dir: str | None, repeat: int) -> list[float]:
    """Wall seconds of each of ``repeat`` CLI runs."""
    exe = Path(sys.executable).with_name("eventstudy")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "eventstudy.cli"]
    if data_dir:
        cmd += ["--data-dir", data_dir]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(
                [*cmd, "run", str(STUDY), "--out", f"{tmp}/r{i}", "--quiet", *extra],
                check=True,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
            out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _bytecode import compile_package

    compile_package()
    medians: list[float] = []
    print(f"flagship study: {STUDY.name} (10,000 placebo draws + block bootstrap per test)")
    for label, extra in (
        ("statistics, result.json, report (no figures)", ["--no-figures"]),
        ("full report with figures", []),
    ):
        times = time_cli(extra, args.data_dir, args.repeat)
        medians.append(statistics.median(times))
        print(
            f"  {label:<48} median {statistics.median(times):.2f} s  "
            f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
        )
    if args.data_dir or os.environ.get("EVENTSTUDY_DATA"):
        from bench_ratios import _child

        data_dir = args.data_dir or os.environ["EVENTSTUDY_DATA"]
        plain = [_child("plain", "--data-dir", data_dir, "--k", "3")[1] for _ in range(args.repeat)]
        p = statistics.median(plain)
        print(
            f"  {'plain pandas/statsmodels script, headline only':<48} median {p:.2f} s  "
            f"(runs: {', '.join(f'{t:.2f}' for t in plain)})"
        )
        for label, t in (("no figures", medians[0]), ("with figures", medians[1])):
            print(f"  ratio CLI ({label}) / plain script: {t / p:.2f}")
    print("targets: <= 0.7 s without figures, <= 1.5 s with them, on this 2-core machine")


if __name__ == "__main__":
    main()
