"""eventstudy: event-study backtesting of market signals with honest statistics."""

from eventstudy._version import __version__
from eventstudy.results import TestResult

__all__ = ["TestResult", "__version__"]
