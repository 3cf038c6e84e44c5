"""Plugins: a package installed with an ``eventstudy.signals``, ``eventstudy.models`` or
``eventstudy.tests`` entry point adds a signal type, a normal-return model or a test that a TOML
study run by the command line can name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.conftest import EXAMPLE_STUDY, write_example_data

PLUGIN = '''
"""A tiny eventstudy plugin: the one-day return of a series above a level."""
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from eventstudy.signals import Signal, SignalResult


@dataclass(frozen=True, slots=True)
class Spike(Signal):
    kind: ClassVar[str] = "spike"

    series: str
    level: float

    def compute(self, data: pd.DataFrame) -> SignalResult:
        value = data[self.series] / data[self.series].shift(1) - 1.0
        return SignalResult(
            value=value,
            trigger=(value > self.level).fillna(False),
            threshold=self.level,
            look_ahead=False,
            description=f"one-day return of {self.series} above {self.level}",
        )
'''

MODEL = '''
"""A tiny model plugin: the raw return is the abnormal return (no offset, nothing estimated)."""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class RawReturn:
    name: str = "raw_return"
    regressors: tuple[str, ...] = ()

    def design(self, market, factors):
        return np.zeros(len(market)), np.empty((len(market), 0))


RAW_RETURN = RawReturn()
'''

TESTS_PLUGIN = '''
"""Two tiny test plugins: a sign-flip test of event excess returns (time series) and an exact
sign test of the median CAR (cross-section window)."""
import math
from dataclasses import dataclass

import numpy as np

from eventstudy.results import TestResult


@dataclass(frozen=True)
class SignFlip:
    name: str = "sign_flip"
    design: str = "timeseries"
    scope: str = "horizon"
    needs: frozenset = frozenset({"forward_returns", "events", "rng"})
    null_hypothesis: str = "event excess returns are symmetric around zero"
    reference: str = "Fisher, R. A. (1935), The Design of Experiments"
    summary: str = "Sign-flip randomization of the event excess returns; ignores overlap."

    def run(self, x):
        fwd = np.asarray(x.forward_returns, dtype=float)
        y = fwd[np.asarray(x.events)]
        y = y[np.isfinite(y)] - np.nanmean(fwd)
        stat = float(y.mean())
        null = (x.rng.choice([-1.0, 1.0], size=(999, y.size)) * y).mean(axis=1)
        p = (1 + int(np.sum(np.abs(null) >= abs(stat)))) / 1000
        return TestResult(self.name, stat, p, self.null_hypothesis, "999 sign flips",
                          self.reference, details={"n": int(y.size)})


@dataclass(frozen=True)
class CarMedianSign:
    name: str = "car_median_sign"
    design: str = "cross_section"
    scope: str = "window"
    needs: frozenset = frozenset({"panel"})
    null_hypothesis: str = "the median CAR is zero"
    reference: str = "binomial sign test"
    summary: str = "Exact two-sided binomial test of the number of positive CARs."

    def run(self, w):
        k, n = int((w.carv > 0).sum()), int(w.n)
        tail = sum(math.comb(n, i) for i in range(0, min(k, n - k) + 1)) / 2.0**n
        return TestResult(self.name, float(k), min(1.0, 2 * tail), self.null_hypothesis,
                          "exact binomial", self.reference, details={"n": n})


SIGN_FLIP = SignFlip()
CAR_MEDIAN_SIGN = CarMedianSign()
'''

CS_STUDY = """
[study]
name = "plugin_cs"
kind = "cross_section"
[data.series]
mkt = "test:M"
[cross_section]
panel = "panel:p"
market = "mkt"
event_date = 2011-07-18
model = "raw_return"
estimation = [-200, -11]
event_window = [0, 0]
"""

# the example study (eventstudy/conftest.py) with the plugin's signal in place of its own
STUDY = EXAMPLE_STUDY.replace(
    'type = "move"\nseries = "a"\nn = 5\nmode = "above"\nlevel = 0.04',
    'type = "spike"\nseries = "a"\nlevel = 0.03',
)
assert 'type = "spike"' in STUDY


ENTRY_POINTS = (
    "[eventstudy.signals]\nspike = es_spike_plugin:Spike\n\n"
    "[eventstudy.models]\nraw_return = es_spike_plugin.models:RAW_RETURN\n\n"
    "[eventstudy.tests]\nsign_flip = es_spike_plugin.tests:SIGN_FLIP\n"
    "car_median_sign = es_spike_plugin.tests:CAR_MEDIAN_SIGN\n"
)


def install_plugin(site: Path, entry_points: str = ENTRY_POINTS) -> None:
    """Install the plugin as an installed distribution: its module and a ``.dist-info`` folder
    with the entry points (the layout pip writes), on a path of its own."""
    (site / "es_spike_plugin").mkdir(parents=True)
    (site / "es_spike_plugin" / "__init__.py").write_text(PLUGIN)
    info = site / "es_spike_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: es-spike-plugin\nVersion: 0.1\n")
    (site / "es_spike_plugin" / "models.py").write_text(MODEL)
    (site / "es_spike_plugin" / "tests.py").write_text(TESTS_PLUGIN)
    (info / "entry_points.txt").write_text(entry_points)


def run_study_cli(
    tmp_path: Path, study: str, *, plugin: bool, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``eventstudy run`` on ``study`` over the example data, in a fresh process (with
    ``env``, default this one's); with ``plugin=True`` the plugin is installed on a path of its
    own first and is the only distribution whose entry points are read
    (``EVENTSTUDY_PLUGINS``: the session's ``none`` otherwise)."""
    data = write_example_data(tmp_path / "data")
    (tmp_path / "study.toml").write_text(study)
    env = dict(os.environ if env is None else env)
    if plugin:
        install_plugin(tmp_path / "site")
        env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "site"), env.get("PYTHONPATH", "")])
        env["EVENTSTUDY_PLUGINS"] = "es-spike-plugin"  # this one, not others installed
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "eventstudy.cli",
            "run",
            "study.toml",
            "--data-dir",
            str(data),
            "--out",
            "out",
            "--no-figures",
            "--quiet",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    return run, data


def test_cli_study_names_a_plugin_signal(tmp_path: Path) -> None:
    run, _ = run_study_cli(tmp_path, STUDY, plugin=True)
    assert run.returncode == 0, run.stderr
    variant = json.loads((tmp_path / "out" / "result.json").read_text())["variants"][0]
    assert variant["signal"] == "one-day return of a above 0.03"
    # series A jumps +5% on three known days (eventstudy/conftest.py): the plugin finds them
    events = (tmp_path / "out" / "events.csv").read_text().splitlines()
    assert [line.split(",")[1] for line in events[1:]] == ["2010-05-24", "2010-12-20", "2011-07-18"]
    assert variant["trigger_days"] == 3


def test_cli_cross_section_names_a_plugin_model(tmp_path: Path) -> None:
    run, data = run_study_cli(tmp_path, CS_STUDY, plugin=True)
    assert run.returncode == 0, run.stderr
    events = pd.read_csv(tmp_path / "out" / "events.csv")
    prices = pd.read_csv(data / "panel" / "p.csv", parse_dates=["date"]).pivot(
        index="date", columns="ticker", values="close"
    )
    raw = prices.pct_change(fill_method=None).loc["2011-07-18"]
    # under the plugin model the abnormal return on day 0 is the raw return (A jumped +5%)
    for ticker, car in zip(events["ticker"], events["car_0_0"], strict=True):
        assert car == pytest.approx(raw[ticker], rel=1e-9)


TESTS_STUDY = EXAMPLE_STUDY.replace(
    "[inference]\n", '[inference]\ntests = ["hac", "bootstrap", "sign_flip"]\n'
)


def _horizon_tests(out: Path) -> dict:
    record = json.loads((out / "result.json").read_text())
    (row,) = record["results"]
    return row["tests"]


def test_cli_study_names_a_plugin_test(tmp_path: Path) -> None:
    run, _ = run_study_cli(tmp_path / "with", TESTS_STUDY, plugin=True)
    assert run.returncode == 0, run.stderr
    tests = _horizon_tests(tmp_path / "with" / "out")
    assert list(tests) == ["hac", "bootstrap", "sign_flip"]
    assert tests["sign_flip"]["n"] == 3 and 0.0 < tests["sign_flip"]["p_value"] <= 1.0
    report = (tmp_path / "with" / "out" / "report.md").read_text()
    assert "**sign_flip**: H0 event excess returns are symmetric around zero" in report
    # the plugin gets a random stream of its own: the bootstrap's numbers do not move
    base = EXAMPLE_STUDY.replace("[inference]\n", '[inference]\ntests = ["hac", "bootstrap"]\n')
    run, _ = run_study_cli(tmp_path / "without", base, plugin=False)
    assert run.returncode == 0, run.stderr
    alone = _horizon_tests(tmp_path / "without" / "out")
    assert alone["bootstrap"] == tests["bootstrap"] and alone["hac"] == tests["hac"]
    run, _ = run_study_cli(tmp_path / "unknown", TESTS_STUDY, plugin=False)
    assert run.returncode == 2
    assert "unknown test 'sign_flip'" in run.stderr and "'placebo'" in run.stderr


def test_cli_cross_section_names_a_plugin_test(tmp_path: Path) -> None:
    study = CS_STUDY.replace('model = "raw_return"', 'tests = ["car_t", "car_median_sign"]')
    run, _ = run_study_cli(tmp_path, study, plugin=True)
    assert run.returncode == 0, run.stderr
    record = json.loads((tmp_path / "out" / "result.json").read_text())
    (window,) = record["window_tests"].values()
    assert list(window) == ["car_t", "car_median_sign"]
    n, k = window["car_median_sign"]["n"], window["car_median_sign"]["statistic"]
    from scipy import stats

    # the plugin's exact binomial p against scipy's
    assert window["car_median_sign"]["p_value"] == pytest.approx(
        stats.binomtest(int(k), n, 0.5).pvalue, rel=1e-12
    )
    assert all(set(day) == set() for day in record["daily_tests"].values())


def test_entry_points_named_otherwise_than_their_objects_are_refused(tmp_path: Path) -> None:
    """An entry point must carry the name its object gives itself (a signal's ``kind``, a
    model's or test's ``name``): ``momo = ...:Spike`` was registered as ``momo`` while results
    printed ``spike``.  Each is left out with a warning saying how to fix it, and a study that
    names it fails with that reason, not a traceback."""
    install_plugin(
        tmp_path / "site",
        "[eventstudy.signals]\nmomo = es_spike_plugin:Spike\n\n"
        "[eventstudy.models]\nraw = es_spike_plugin.models:RAW_RETURN\n\n"
        "[eventstudy.tests]\nflip = es_spike_plugin.tests:SIGN_FLIP\n",
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")]),
        "EVENTSTUDY_PLUGINS": "es-spike-plugin",
    }
    code = (
        "import warnings\n"
        "from eventstudy.crosssection import MODELS\n"
        "from eventstudy.registry import TESTS\n"
        "from eventstudy.signals import SIGNALS\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    names = [set(r.names()) for r in (SIGNALS, MODELS, TESTS)]\n"
        "print(not {'momo', 'spike', 'raw', 'raw_return', 'flip', 'sign_flip'} & set.union(*names))\n"
        "for w in caught:\n"
        "    print(w.message)\n"
        "try:\n"
        "    TESTS['flip']\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    lines = out.stdout.splitlines()
    assert lines[0] == "True"  # neither name registered
    assert lines[1] == (
        "signal type plugin 'momo' (es_spike_plugin:Spike) from entry-point group "
        "'eventstudy.signals' is refused: the entry point is named 'momo' but the signal type "
        "names itself 'spike' (its 'kind'): a study would name it 'momo' while its results print "
        "'spike'. Name the entry point 'spike' in the plugin's pyproject.toml "
        '([project.entry-points."eventstudy.signals"] spike = "es_spike_plugin:Spike") and '
        "reinstall the plugin; left out"
    )
    assert "normal-return model plugin 'raw' " in lines[2]
    assert "names itself 'raw_return' (its 'name')" in lines[2]
    assert "test plugin 'flip' " in lines[3] and "names itself 'sign_flip' (its 'name')" in lines[3]
    assert lines[4:] == ["PluginError"]

    study = STUDY.replace('type = "spike"', 'type = "momo"')
    run, _ = run_study_cli(tmp_path / "cli", study, plugin=False, env=env)
    assert run.returncode == 2
    assert "warning (EventStudyWarning): signal type plugin 'momo'" in run.stderr
    assert "[signal]: unknown signal type 'momo'" in run.stderr
    assert "Traceback" not in run.stderr


def test_without_the_plugin_the_type_is_unknown(tmp_path: Path) -> None:
    run, _ = run_study_cli(tmp_path, STUDY, plugin=False)
    assert run.returncode == 2
    assert "unknown signal type 'spike'" in run.stderr
    assert "valid types: ['all_of', 'any_of'" in run.stderr


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_register_in_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import eventstudy as es
    from eventstudy.signals import SIGNALS, SignalResult, register

    (tmp_path / "my_signals.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    spike = importlib.import_module("my_signals").Spike
    try:
        register(spike)
        assert es.signal_types()["spike"] is spike
        signal = es.make_signal({"type": "spike", "series": "a", "level": 0.03})
        data = write_example_data(tmp_path / "data")
        prices = es.DataStore(data).load("test:A").data.to_frame("a")
        events = es.find_events(signal.compute(prices), min_gap=21)
        assert events.n_events == 3
        with pytest.raises(TypeError, match="dataclass subclass of eventstudy.signals.Signal"):
            register(int)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="threshold must be a number or None, got Series"):
            SignalResult(
                value=prices["a"],
                trigger=prices["a"] > 1e9,
                threshold=prices["a"],  # type: ignore[arg-type]
                look_ahead=False,
                description="",
            )
    finally:
        SIGNALS.unregister("spike")


def test_register_model_in_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from eventstudy.crosssection import MODELS, register_model

    (tmp_path / "my_models.py").write_text(MODEL)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("my_models")
    try:
        register_model(module.RAW_RETURN)
        assert MODELS["raw_return"] is module.RAW_RETURN
        with pytest.raises(TypeError, match=r"registered as an instance, e.g. RawReturn\(\)"):
            register_model(module.RawReturn)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="a normal-return model needs a 'name'"):
            register_model(object())  # type: ignore[arg-type]
    finally:
        MODELS.unregister("raw_return")
