"""Run every benchmark script in this folder (the calibration study is run separately)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {"run_all.py", "calibration.py"}
# the full sweep grid (HAC + placebo + bootstrap per specification) takes minutes today
ARGS = {"bench_sweep.py": ["--skip-grid"]}

for script in sorted(HERE.glob("bench_*.py")):
    if script.name in SKIP:
        continue
    print(f"== {script.name}", flush=True)
    subprocess.run([sys.executable, str(script), *ARGS.get(script.name, [])], check=True)
print("calibration: python benchmarks/calibration.py --reps 1000 (several minutes)")
print("sweep grid: python benchmarks/bench_sweep.py --specs 1000 (minutes)")
print("sweep family-wise error: python benchmarks/sweep_calibration.py --reps 200 (minutes)")
