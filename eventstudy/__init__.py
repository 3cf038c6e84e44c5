"""eventstudy: event-study backtesting of market signals with honest statistics.

Research-script entry points::

    import eventstudy as es
    result = es.run_study("studies/russell_sp_divergence.toml")   # a whole study
    print(result.summary()); result.to_frame()

    store = es.DataStore.from_settings()                          # or the building blocks
    rut, _ = store.splice("fred:RU2000PR", "yahoo:RUT")
    data = es.align({"rut": rut, "spx": store.load("yahoo:GSPC")}).frame
    signal = es.make_signal({"type": "divergence", "a": "rut", "b": "spx", "n": 5, "k": 3.0})
    events = es.find_events(signal.compute(data), min_gap=21)
    fwd = es.forward_returns(data["rut"], {"6m": 126, "12m": 252})
    print(es.evaluate(fwd, events.positions, target_name="rut", min_gap=21, seed=0).summary())
    trade = es.backtest(data["rut"], events, hold=126, short=data["spx"], cost_bps=5, seed=0)
    print(trade.summary())                                        # the signal traded
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventstudy._lazy import attach
from eventstudy._version import __version__

# Public name -> defining module. Imported on first access (PEP 562), so that
# ``import eventstudy`` and the CLI load only what they use.
_LAZY = {
    "BacktestResult": "eventstudy.backtest",
    "backtest": "eventstudy.backtest",
    "CrossSectionResult": "eventstudy.crosssection",
    "run_cross_section": "eventstudy.crosssection",
    "StudyConfig": "eventstudy.config",
    "load_study": "eventstudy.api",
    "parse_study": "eventstudy.api",
    "DataStore": "eventstudy.data",
    "align": "eventstudy.data",
    "splice_series": "eventstudy.data",
    "average_path": "eventstudy.evaluation",
    "evaluate": "eventstudy.evaluation",
    "forward_returns": "eventstudy.evaluation",
    "relative_forward_returns": "eventstudy.evaluation",
    "EventTable": "eventstudy.events",
    "find_events": "eventstudy.events",
    "adjust_pvalues": "eventstudy.inference",
    "run_tests": "eventstudy.inference",
    "TestResult": "eventstudy.results",
    "SignalResult": "eventstudy.signals",
    "make_signal": "eventstudy.signals",
    "signal_types": "eventstudy.signals",
    "StudyResult": "eventstudy.timeseries",
    "CrossSectionStudyResult": "eventstudy.crosssection.results",
    "run_study": "eventstudy.api",
    "sweep": "eventstudy.api",
    "write_outputs": "eventstudy.api",
}

__all__ = [
    "BacktestResult",
    "CrossSectionResult",
    "CrossSectionStudyResult",
    "DataStore",
    "EventTable",
    "SignalResult",
    "StudyConfig",
    "StudyResult",
    "TestResult",
    "__version__",
    "adjust_pvalues",
    "align",
    "average_path",
    "backtest",
    "evaluate",
    "find_events",
    "forward_returns",
    "load_study",
    "make_signal",
    "parse_study",
    "relative_forward_returns",
    "run_cross_section",
    "run_study",
    "run_tests",
    "signal_types",
    "splice_series",
    "sweep",
    "write_outputs",
]

if TYPE_CHECKING:
    from eventstudy.api import load_study, parse_study, run_study, sweep, write_outputs
    from eventstudy.backtest import BacktestResult, backtest
    from eventstudy.config import StudyConfig
    from eventstudy.crosssection import CrossSectionResult, run_cross_section
    from eventstudy.crosssection.results import CrossSectionStudyResult
    from eventstudy.data import DataStore, align, splice_series
    from eventstudy.evaluation import (
        average_path,
        evaluate,
        forward_returns,
        relative_forward_returns,
    )
    from eventstudy.events import EventTable, find_events
    from eventstudy.inference import adjust_pvalues, run_tests
    from eventstudy.results import TestResult
    from eventstudy.signals import SignalResult, make_signal, signal_types
    from eventstudy.timeseries import StudyResult

__getattr__, __dir__ = attach("eventstudy", globals(), _LAZY)
