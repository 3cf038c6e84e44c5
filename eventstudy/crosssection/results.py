"""Result of a cross-section study: the battery's result with its config and data provenance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from eventstudy._frozen import readonly_mapping
from eventstudy.crosssection.api import CrossSectionResult
from eventstudy.crosssection.spec import CrossSectionStudyConfig
from eventstudy.data.records import SeriesInfo
from eventstudy.facts.results import FactTable

__all__ = ["CrossSectionStudyResult", "per_event_frame"]


@dataclass(frozen=True, slots=True)
class CrossSectionStudyResult:
    """A cross-sectional study: its config, the battery's result and the data provenance.

    ``data`` (alias -> :class:`SeriesInfo`) is a read-only mapping.
    """

    config: CrossSectionStudyConfig
    result: CrossSectionResult
    data: Mapping[str, SeriesInfo]
    car_windows: tuple[tuple[int, int], ...]
    warnings: tuple[str, ...]
    facts: FactTable | None = None

    def __repr__(self) -> str:
        """One line: the study and its events."""
        return f"<CrossSectionStudyResult {self.config.name!r}: {self.result.n_events} events>"

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", readonly_mapping(self.data))

    def summary(self) -> str:
        """Text summary (the battery's summary under the study's title)."""
        head = f"Study {self.config.name}: {self.config.title}"
        return head + "\n" + self.result.summary()

    def to_frame(self) -> pd.DataFrame:
        """Tidy statistics, one row per test of a day or a CAR window, with ``applicable`` and
        ``reason``: :meth:`CrossSectionResult.to_frame`."""
        return self.result.to_frame()

    def events_frame(self) -> pd.DataFrame:
        """Per-event table, one row per event: ticker, dates, model fit, CAR per window and
        BHAR."""
        return per_event_frame(self.result, self.car_windows)

    def _repr_html_(self) -> str:
        import html

        head = f"<h4>{html.escape(self.config.title)}</h4>"
        if self.config.question:
            head += f"<p><i>{html.escape(self.config.question)}</i></p>"
        tail = "".join(f"<p>Warning: {html.escape(w)}</p>" for w in self.warnings)
        return head + self.result._repr_html_() + tail


def per_event_frame(
    result: CrossSectionResult, windows: tuple[tuple[int, int], ...]
) -> pd.DataFrame:
    """Events with their CAR over each window (sum of ARs) and BHAR over the event window."""
    out = result.events.reset_index(drop=True).copy()
    ar = result.ar.reset_index(drop=True)
    for lo, hi in windows:
        days = [c for c in ar.columns if lo <= int(c) <= hi]
        out[f"car_{lo}_{hi}"] = ar[days].sum(axis=1, min_count=1).to_numpy()
    out["bhar"] = result.bhar.reset_index(drop=True).iloc[:, -1].to_numpy()
    return out
