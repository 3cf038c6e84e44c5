"""Signals: rules that turn aligned market data into a value and a trigger per date.

Every signal is a frozen dataclass with a registry name (``kind``) and one method
``compute(data) -> SignalResult``.  Build one from a config with :func:`make_signal`::

    make_signal({"type": "divergence", "a": "rut", "b": "spx", "n": 5, "k": 3.0,
                 "sigma": "full", "sigma_start": "1980-01-01"})
"""

from eventstudy.signals._base import Signal, SignalResult, compute_checked
from eventstudy.signals._registry import SIGNALS, make_signal, register, signal_types
from eventstudy.signals.calendar import Calendar
from eventstudy.signals.combinators import AllOf, AnyOf, Not, all_of, any_of, not_
from eventstudy.signals.divergence import Divergence
from eventstudy.signals.move import Move
from eventstudy.signals.rebound import Rebound
from eventstudy.signals.threshold import Threshold, trailing_percentile

__all__ = [
    "SIGNALS",
    "AllOf",
    "AnyOf",
    "Calendar",
    "Divergence",
    "Move",
    "Not",
    "Rebound",
    "Signal",
    "SignalResult",
    "Threshold",
    "all_of",
    "any_of",
    "compute_checked",
    "make_signal",
    "not_",
    "register",
    "signal_types",
    "trailing_percentile",
]
