"""A reduced run of benchmarks/calibration.py (the slow tier): every design and every test
appears, the rates are rates, the intervals hold them, and the default-test choice is made
from the table."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from eventstudy.inference import DEFAULT_TEST


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_reduced_calibration_run(snapshot_dir: Path, tmp_path: Path) -> None:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "calibration.py"
    spec = importlib.util.spec_from_file_location("calibration", path)
    assert spec is not None and spec.loader is not None
    cal = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cal)
    out = tmp_path / "c.md"
    argv = ["--reps", "6", "--draws", "100", "--boot", "100", "--workers", "1"]
    assert cal.main([*argv, "--data-dir", str(snapshot_dir), "--out", str(out)]) == 0
    text = out.read_text()
    for design in cal.DESIGNS:
        header = text.split(f"## {design}\n", 1)[1].splitlines()[1]
        assert header.split(" | ")[3:] == [*cal.TESTS[:-1], f"{cal.TESTS[-1]} |"]
        # the summary row: mean events and mean G at both horizons, all positive
        row = re.search(rf"^\| {design} \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", text, re.M)
        assert row is not None and all(float(x) > 0 for x in row.groups())
    cells = re.findall(r"(\d+\.\d)% \((\d+\.\d)%-(\d+\.\d)%\)", text)
    assert len(cells) >= len(cal.DESIGNS) * len(cal.TESTS) * 8
    for rate, lo, hi in cells:
        assert 0.0 <= float(lo) <= float(rate) <= float(hi) <= 100.0
    assert "## Choice of the default test" in text
    assert f"The package default is `{DEFAULT_TEST}`" in text
    assert "--reps 6 --draws 100 --boot 100 --workers 1" in text
