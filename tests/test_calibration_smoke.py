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


def _calibration_module():  # type: ignore[no-untyped-def]
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "calibration.py"
    spec = importlib.util.spec_from_file_location("calibration", path)
    assert spec is not None and spec.loader is not None
    cal = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cal)
    return cal


@pytest.mark.integration
@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_self_triggered_design_runs(
    snapshot_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The simulated GARCH design at 2 replications (a few seconds), with a registered test the
    benchmark has no line for added by its name alone: it runs through the registry, gets a
    column and its registry summary in the column notes."""
    import dataclasses

    from eventstudy.registry import TESTS as REGISTRY

    cal = _calibration_module()
    extra = dataclasses.replace(REGISTRY["shift"], name="shift_copy")
    REGISTRY.register("shift_copy", extra)
    try:
        monkeypatch.setattr(cal, "TESTS", (*cal.TESTS, "shift_copy"))
        out = tmp_path / "c.md"
        argv = ["--reps", "2", "--draws", "100", "--boot", "100", "--workers", "1"]
        argv += ["--designs", "self_triggered", "--csv", str(tmp_path / "c.csv")]
        assert cal.main([*argv, "--data-dir", str(snapshot_dir), "--out", str(out)]) == 0
    finally:
        REGISTRY.unregister("shift_copy")
    text = out.read_text()
    header = text.split("## self_triggered\n", 1)[1].splitlines()[1]
    assert header.split(" | ")[3:] == [*cal.TESTS[:-1], "shift_copy |"]
    row = re.search(r"^\| self_triggered \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", text, re.M)
    assert row is not None and all(float(x) > 0 for x in row.groups())
    assert f"shift_copy = {extra.summary}" in text
    import pandas as pd

    df = pd.read_csv(tmp_path / "c.csv")
    assert len(df) == 2 * 2 * 2 * 2  # reps x horizons x targets x worlds
    assert set(df["target"]) == {"RUT", "RUT-GSPC"}
    assert (df["shift_copy"] == df["shift"]).all()


def test_garch_variance_is_the_recursion() -> None:
    """The closed-form GARCH(1,1) variance equals the day-by-day recursion."""
    import numpy as np

    cal = _calibration_module()
    z = np.random.default_rng(0).standard_normal(3000)
    omega, a, b = 1e-6, cal.GARCH_ALPHA, cal.GARCH_BETA
    s2 = np.empty(z.size)
    s2[0] = omega / (1 - a - b)
    for t in range(1, z.size):
        s2[t] = omega + a * s2[t - 1] * z[t - 1] ** 2 + b * s2[t - 1]
    np.testing.assert_allclose(cal.garch_variance(z, omega, a, b), s2, rtol=1e-10)
