"""Load and align the series a study's ``[data]`` section names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from eventstudy.config.study import DataConfig
from eventstudy.data.align import AlignedData, align
from eventstudy.data.records import LoadedSeries
from eventstudy.data.splice import SpliceReport, splice_series
from eventstudy.data.store import DataStore

__all__ = ["StudyData", "load_study_data"]


@dataclass(frozen=True, slots=True)
class StudyData:
    """Aligned study inputs with the splice reports made on the way."""

    aligned: AlignedData
    splices: Mapping[str, SpliceReport]

    def summary(self) -> str:
        """Alignment summary plus one line per splice."""
        lines = [self.aligned.summary()]
        lines += [f"  splice {alias}: {rep.summary()}" for alias, rep in self.splices.items()]
        return "\n".join(lines)


def load_study_data(config: DataConfig, store: DataStore) -> StudyData:
    """Load every series of ``config`` from ``store``, splice where asked, and align them.

    The aligned frame covers ``[config.start, config.end]``; a series that starts after
    ``start`` or ends before ``end`` raises :class:`~eventstudy.exceptions.DataError`.
    """
    loaded: dict[str, LoadedSeries] = {}
    splices: dict[str, SpliceReport] = {}
    for spec in config.series:
        if spec.splice is not None:
            early = store.load(spec.splice[0], column=spec.column, kind=spec.kind)
            late = store.load(spec.splice[1], column=spec.column, kind=spec.kind)
            loaded[spec.alias], splices[spec.alias] = splice_series(early, late)
        else:
            assert spec.name is not None  # guaranteed by the config parser
            loaded[spec.alias] = store.load(spec.name, column=spec.column, kind=spec.kind)
    aligned = align(loaded, start=config.start, end=config.end)
    return StudyData(aligned=aligned, splices=splices)
