"""Classical cross-sectional event studies (Campbell, Lo & MacKinlay 1997, ch. 4).

Normal-return models estimated by batched OLS across events, AR/CAR/CAAR/BHAR, the
prediction-error variance of CARs, and the classical parametric and non-parametric test
battery, verified against the R package estudy2 0.10.0 (``convention="estudy2"``).
"""

from __future__ import annotations

from eventstudy.crosssection.api import CrossSectionResult, run_cross_section
from eventstudy.crosssection.battery import (
    DAILY_TESTS,
    WINDOW_TESTS,
    car_variance,
    daily_tests,
    window_tests,
)
from eventstudy.crosssection.engine import EventPanel, estimate_panel
from eventstudy.crosssection.inputs import (
    AlignedEvents,
    align_events,
    factors_from_percent,
    returns_from_prices,
    to_wide,
)
from eventstudy.crosssection.models import MODELS, NormalReturnModel, get_model
from eventstudy.crosssection.plots import plot_caar

__all__ = [
    "DAILY_TESTS",
    "MODELS",
    "WINDOW_TESTS",
    "AlignedEvents",
    "CrossSectionResult",
    "EventPanel",
    "NormalReturnModel",
    "align_events",
    "car_variance",
    "daily_tests",
    "estimate_panel",
    "factors_from_percent",
    "get_model",
    "plot_caar",
    "returns_from_prices",
    "run_cross_section",
    "to_wide",
    "window_tests",
]
