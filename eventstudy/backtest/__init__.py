"""Trade a signal: positions from events, daily returns with costs and cash, the standard
metrics, the Sharpe ratio's standard error, the probabilistic and deflated Sharpe ratios and a
random-entry placebo."""

from __future__ import annotations

import sys
import types
from typing import Any

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


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`backtest`.

    ``eventstudy`` exports the function :func:`backtest` under the package's own name: once
    the package is imported (a study with a ``[backtest]`` imports it), Python binds
    ``eventstudy.backtest`` to the package, and ``es.backtest(...)`` would call a module.
    Calling the package calls the function, whichever of the two the name holds.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> BacktestResult:
        return backtest(*args, **kwargs)


def _callable_package() -> None:
    """Make this package callable, with the function's signature and documentation after the
    package's own summary (``help(es.backtest)``, ``es.backtest?`` and ``inspect.signature``
    describe what a call does, whichever of the two the name holds)."""
    import inspect

    module = sys.modules[__name__]
    module.__class__ = _CallableModule
    module.__signature__ = inspect.signature(backtest)  # type: ignore[attr-defined]
    module.__doc__ = (
        f"{__doc__}\n\nCalling the package calls :func:`backtest`:\n\n"
        f"{inspect.cleandoc(backtest.__doc__ or '')}"
    )


_callable_package()
