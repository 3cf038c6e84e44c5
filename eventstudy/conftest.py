"""Doctest fixtures: a tiny synthetic data directory and study for the docstring examples.

``pytest --doctest-modules`` (on by default, see ``[tool.pytest.ini_options]``) runs every
``>>>`` example in the package; these names are in the examples' namespace:

``example_data_dir``
    A data directory with two synthetic daily price series, ``test:A`` and ``test:B``
    (``series/test/A.csv``, ``B.csv``; 600 business days from 2010-01-04), their
    equal-weight index ``test:M`` and a two-stock panel ``panel:p`` (A and B).  ``A`` drifts
    with 0.2 % daily noise and jumps +5 % at positions 100, 250 and 400 (2010-05-24,
    2010-12-20, 2011-07-18), so a "five-day return above 4 %" signal fires there and
    nowhere else.
``example_study``
    The path of a study TOML over that directory (``move`` signal on ``A``, ``min_gap = 21``).

The session runs with ``EVENTSTUDY_PLUGINS=none`` (:func:`builtins_only`): plugins installed in
the same environment are not read, so the examples see the built-ins only.

Not part of the public API; it ships with the package only so that the examples can run from
an installed copy.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from eventstudy.registry import PLUGINS_ENV_VAR

EXAMPLE_STUDY = """\
[study]
name = "example"
title = "A five-day gain above 4 %"
seed = 1

[data.series]
a = "test:A"
b = "test:B"

[signal]
type = "move"
series = "a"
n = 5
mode = "above"
level = 0.04

[events]
min_gap = 21

[evaluation]
horizons = { "1m" = 21 }
targets = [{ series = "a" }]

[inference]
draws = 200
bootstrap_reps = 100
"""

JUMPS = (100, 250, 400)


def builtins_only(config: pytest.Config) -> None:
    """Set ``EVENTSTUDY_PLUGINS=none`` for the test session (restored at its end).

    The registries then read no installed plugin's entry points, in this process and in the
    command-line runs it starts, so that the package's tests see the built-ins and what a test
    registers itself, whatever else is installed.  A test about plugin loading sets the
    variable itself (``monkeypatch.delenv``, or a subprocess's ``env``).
    """
    saved = os.environ.get(PLUGINS_ENV_VAR)
    os.environ[PLUGINS_ENV_VAR] = "none"

    def restore() -> None:
        if saved is None:
            os.environ.pop(PLUGINS_ENV_VAR, None)
        else:
            os.environ[PLUGINS_ENV_VAR] = saved

    config.add_cleanup(restore)


def pytest_configure(config: pytest.Config) -> None:
    """Run the doctests with the built-ins only (:func:`builtins_only`)."""
    builtins_only(config)


def write_example_data(root: Path) -> Path:
    """Write the synthetic data directory described in the module docstring under ``root``."""
    rng = np.random.default_rng(0)
    dates = pd.bdate_range("2010-01-04", periods=600)
    folder = root / "series" / "test"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("A", "B"):
        r = rng.normal(0.0002, 0.002, dates.size)
        if name == "A":
            r[list(JUMPS)] += 0.05
        prices = 100 * np.exp(np.cumsum(r))
        frame = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "close": prices})
        frame.to_csv(folder / f"{name}.csv", index=False)
    # a two-stock panel (A and B, long format) and an equal-weight index M of the two
    frames = [pd.read_csv(folder / f"{t}.csv").assign(ticker=t) for t in ("A", "B")]
    (root / "panel").mkdir(exist_ok=True)
    panel = pd.concat(frames).sort_values(["date", "ticker"])[["date", "ticker", "close"]]
    panel.to_csv(root / "panel" / "p.csv", index=False)
    market = frames[0][["date"]].assign(close=(frames[0]["close"] * frames[1]["close"]) ** 0.5)
    market.to_csv(folder / "M.csv", index=False)
    return root


@pytest.fixture(autouse=True)
def _example_namespace(
    doctest_namespace: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    if "example_data_dir" not in doctest_namespace:
        root = write_example_data(tmp_path_factory.mktemp("example") / "data")
        study = root.parent / "example.toml"
        study.write_text(EXAMPLE_STUDY)
        doctest_namespace.update(example_data_dir=root, example_study=study, np=np, pd=pd)
