"""Forward returns, conditional event statistics and average event paths."""

from __future__ import annotations

from eventstudy.evaluation.evaluate import EvaluationResult, HorizonStats, evaluate
from eventstudy.evaluation.path import PathResult, average_path
from eventstudy.evaluation.placebo_path import PlaceboPathBand, placebo_path_band
from eventstudy.evaluation.returns import (
    DEFAULT_HORIZONS,
    forward_returns,
    relative_forward_returns,
)

__all__ = [
    "DEFAULT_HORIZONS",
    "EvaluationResult",
    "HorizonStats",
    "PathResult",
    "PlaceboPathBand",
    "average_path",
    "evaluate",
    "forward_returns",
    "placebo_path_band",
    "relative_forward_returns",
]
