"""Run every benchmark script in this folder (the calibration study is run separately)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {"run_all.py", "calibration.py"}

for script in sorted(HERE.glob("bench_*.py")):
    if script.name in SKIP:
        continue
    print(f"== {script.name}", flush=True)
    subprocess.run([sys.executable, str(script)], check=True)
print("calibration: python benchmarks/calibration.py --reps 1000 (several minutes)")
