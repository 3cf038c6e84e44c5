"""Classical cross-sectional event studies (Campbell, Lo & MacKinlay 1997, ch. 4).

Normal-return models estimated by batched OLS across events, AR/CAR/CAAR/BHAR, the
prediction-error variance of CARs, and the classical parametric and non-parametric test
battery, verified against the R package estudy2 0.10.0 (``convention="estudy2"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventstudy._lazy import attach

# Public name -> defining module, imported on first access (PEP 562): parsing a study (which
# needs only the model names) must not import scipy.stats and the battery.
_LAZY = {
    "CrossSectionResult": "eventstudy.crosssection.api",
    "run_cross_section": "eventstudy.crosssection.api",
    "DAILY_TESTS": "eventstudy.crosssection.battery",
    "WINDOW_TESTS": "eventstudy.crosssection.battery",
    "car_variance": "eventstudy.crosssection.battery",
    "daily_tests": "eventstudy.crosssection.battery",
    "window_tests": "eventstudy.crosssection.battery",
    "EventPanel": "eventstudy.crosssection.engine",
    "estimate_panel": "eventstudy.crosssection.engine",
    "AlignedEvents": "eventstudy.crosssection.inputs",
    "align_events": "eventstudy.crosssection.inputs",
    "compound_factors": "eventstudy.crosssection.inputs",
    "factors_from_percent": "eventstudy.crosssection.inputs",
    "returns_from_prices": "eventstudy.crosssection.inputs",
    "to_wide": "eventstudy.crosssection.inputs",
    "MODELS": "eventstudy.crosssection.models",
    "NormalReturnModel": "eventstudy.crosssection.models",
    "get_model": "eventstudy.crosssection.models",
    "register_model": "eventstudy.crosssection.models",
    "plot_caar": "eventstudy.crosssection.plots",
}

if TYPE_CHECKING:
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
        compound_factors,
        factors_from_percent,
        returns_from_prices,
        to_wide,
    )
    from eventstudy.crosssection.models import MODELS, NormalReturnModel, get_model, register_model
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
    "compound_factors",
    "daily_tests",
    "estimate_panel",
    "factors_from_percent",
    "get_model",
    "plot_caar",
    "register_model",
    "returns_from_prices",
    "run_cross_section",
    "to_wide",
    "window_tests",
]

__getattr__, __dir__ = attach("eventstudy.crosssection", globals(), _LAZY)
