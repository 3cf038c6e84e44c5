"""Trade a signal: positions from events, daily returns with costs and cash, the standard
metrics, the Sharpe ratio's standard error, the probabilistic and deflated Sharpe ratios and a
random-entry placebo."""

from __future__ import annotations

from eventstudy.backtest.engine import backtest, cash_from_yield, random_entry_placebo
from eventstudy.backtest.positions import Positions, positions_from_events
from eventstudy.backtest.results import BacktestResult

__all__ = [
    "BacktestResult",
    "Positions",
    "backtest",
    "cash_from_yield",
    "positions_from_events",
    "random_entry_placebo",
]
