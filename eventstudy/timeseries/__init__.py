"""Time-series event studies: a signal on market series, its events, and what followed.

``spec`` parses and validates its sections of a study file, ``study`` runs a parsed study (data -> signal -> events -> evaluation -> tests), ``results``
holds the frozen outcome, ``plots`` draws it.  Run either kind of study with
:func:`eventstudy.run_study`.
"""

from __future__ import annotations

from eventstudy.timeseries.results import ClaimCheck, StudyResult, VariantResult, events_table
from eventstudy.timeseries.spec import TimeSeriesStudyConfig
from eventstudy.timeseries.study import run_timeseries_study

__all__ = [
    "ClaimCheck",
    "StudyResult",
    "TimeSeriesStudyConfig",
    "VariantResult",
    "events_table",
    "run_timeseries_study",
]
