"""``[backtest]`` over a sweep: every specification traded, the best and the selected one in
full, deflated by the distinct strategies; outputs and determinism."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import eventstudy as es
from eventstudy.backtest import backtest
from eventstudy.conftest import EXAMPLE_STUDY, write_example_data
from eventstudy.exceptions import ConfigError
from eventstudy.inference.sharpe import deflated_sharpe

SWEEP = """
[sweep]
tests = ["hac"]
shifts = 200

[sweep.grid]
"signal.level" = [0.02, 0.03, 0.04]
"events.min_gap" = [1, 21]

[sweep.choices.kind]
simple = { "signal.return_kind" = "simple", "evaluation.return_kind" = "simple" }
log = { "signal.return_kind" = "log", "evaluation.return_kind" = "log" }

[backtest]
long = "a"
short = "b"
hold = 10
placebo_draws = 200
"""
SELECT = 'select = "level=0.04,min_gap=21,kind=simple"\n'


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_example_data(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def swept(data_dir: Path) -> es.timeseries.SweepResult:
    return es.run_study(es.parse_study(EXAMPLE_STUDY + SWEEP + SELECT), data_dir=data_dir)


def test_every_specification_traded_and_the_best_deflated(swept) -> None:
    bt = swept.backtest
    assert bt is not None and len(bt.table) == 12
    frame = swept.data.aligned.frame
    # the table's numbers are each specification's own backtest
    for sp in swept.specifications:
        one = backtest(
            frame["a"],
            swept.events[sp.name],
            hold=10,
            short=frame["b"],
            cost_bps=5,
            start=sp.start,
            end=sp.end,
            placebo_draws=0,
        )
        row = bt.table.set_index("specification").loc[sp.name]
        assert row["sharpe"] == pytest.approx(one.performance["strategy"]["sharpe"], rel=1e-10)
    best = bt.table.loc[bt.table["sharpe"].idxmax(), "specification"]
    assert bt.best.name == best
    # identical strategies count once; the deflation uses the distinct ones' spread
    assert bt.n_specifications == 12 and bt.distinct_strategies <= 12
    assert bt.n_trials == bt.distinct_strategies
    s = bt.best.sharpe
    assert s is not None
    dsr, sr0 = deflated_sharpe(
        s.sharpe, s.n_obs, bt.n_trials, bt.trials_variance, s.skew, s.kurtosis
    )
    assert bt.best.dsr == pytest.approx(dsr, rel=1e-12)
    assert bt.best.sr0_annual == pytest.approx(sr0 * math.sqrt(252), rel=1e-12)
    assert "p_value" in bt.best.placebo
    assert bt.selected is not None and bt.selected.name == "level=0.04,min_gap=21,kind=simple"
    assert f"{bt.n_specifications} specifications" in bt.verdict()
    # distinct strategies have distinct Sharpe ratios: an independent count and variance
    unique = np.unique(bt.table["sharpe_daily"].dropna().to_numpy())
    assert bt.distinct_strategies == unique.size
    assert bt.trials_variance == pytest.approx(np.var(unique, ddof=1), rel=1e-10)


def test_python_sweep_keeps_the_backtest(data_dir: Path) -> None:
    study = es.parse_study(EXAMPLE_STUDY + '[backtest]\nlong = "a"\nhold = 10\n')
    result = es.sweep(study, grid={"signal.level": [0.03, 0.04]}, data_dir=data_dir)
    assert result.backtest is not None and len(result.backtest.table) == 2
    chosen = es.parse_study(EXAMPLE_STUDY + SWEEP + SELECT)
    with pytest.raises(ConfigError, match="select 'level=0.04,min_gap=21,kind=simple' is not"):
        es.sweep(chosen, grid={"signal.level": [0.03]}, data_dir=data_dir)


def test_select_must_name_a_specification() -> None:
    with pytest.raises(ConfigError, match="key 'select': 'nope' is not a specification"):
        es.parse_study(EXAMPLE_STUDY + SWEEP + 'select = "nope"\n')
    with pytest.raises(ConfigError, match="key 'select': only applies to a sweep"):
        es.parse_study(EXAMPLE_STUDY + '[backtest]\nlong = "a"\nhold = 5\nselect = "x"\n')


def test_outputs_and_determinism(swept, data_dir: Path, tmp_path: Path) -> None:
    from eventstudy.report.record import to_json
    from eventstudy.report.sweep import sweep_record

    es.write_outputs(swept, tmp_path / "out", figures=True)
    record = json.loads((tmp_path / "out" / "result.json").read_text())
    assert record["backtest"]["spec"]["hold"] == 10
    assert len(record["backtest"]["specifications"]) == 12
    assert record["backtest"]["best"]["name"] == swept.backtest.best.name
    assert record["backtest"]["best"]["look_ahead"] is swept.look_ahead(swept.backtest.best.name)
    report = (tmp_path / "out" / "report.md").read_text()
    assert report.index("**Traded.**") < report.index("## Specification curves")
    assert "## Backtest across the specifications" in report
    import pandas as pd

    daily = pd.read_csv(tmp_path / "out" / "backtest.csv")
    assert set(daily["strategy_name"]) == {swept.backtest.best.name, swept.backtest.selected.name}
    for name in ("backtest_sharpes", "backtest_best", "backtest_selected"):
        assert (tmp_path / "out" / "figures" / f"{name}.png").is_file()
    again = es.run_study(
        es.parse_study(EXAMPLE_STUDY + SWEEP + SELECT), data_dir=data_dir, workers=2
    )
    assert to_json(sweep_record(again)) == to_json(sweep_record(swept))


def test_the_cash_is_read_before_the_specifications_are_computed(data_dir: Path) -> None:
    """A cash file that cannot serve failed only after every specification was computed
    (13 s of a sweep thrown away); it now fails before the first one."""
    from eventstudy.timeseries.sweep import run_sweep

    study = es.parse_study(EXAMPLE_STUDY + SWEEP + 'cash = "test:NOSUCH"\n')
    calls: list[tuple[str, int, int]] = []
    with pytest.raises(ConfigError, match="NOSUCH"):
        run_sweep(study, data_dir=data_dir, progress=lambda *a: calls.append(a), workers=1)
    assert not [c for c in calls if c[0] == "specifications"]
