"""Load and align the series a study's ``[data]`` section names."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.config.study import DataConfig, SeriesSpec
from eventstudy.data.align import AlignedData, align, sparse_stretches
from eventstudy.data.records import LoadedSeries, SeriesInfo
from eventstudy.data.splice import SpliceReport, splice_series
from eventstudy.data.store import DataStore
from eventstudy.exceptions import ConfigError, DataError

__all__ = ["StudyData", "daily_part", "load_series", "load_study_data", "series_kind"]


@dataclass(frozen=True, slots=True)
class StudyData:
    """Aligned study inputs with the splice reports made on the way, and the notes a
    reader must see next to the numbers (a splice run without its earlier source, a sample
    that the config's ``[data] end`` cut short)."""

    aligned: AlignedData
    splices: Mapping[str, SpliceReport]
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """Alignment summary plus one line per splice and per note."""
        lines = [self.aligned.summary()]
        lines += [f"  splice {alias}: {rep.summary()}" for alias, rep in self.splices.items()]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def load_breadth(store: DataStore, *, panel: str, measure: str, window: int) -> LoadedSeries:
    """A breadth series computed from a stock panel (see :mod:`eventstudy.breadth`).

    Dates before the measure is defined (the first ``window`` days) are dropped and counted.
    """
    from eventstudy import breadth as b

    loaded = store.load_panel(panel)
    prices = loaded.data
    if measure == "share_above_ma":
        values = b.share_above_moving_average(prices, window=window)
    elif measure == "share_at_high":
        values = b.share_at_high(prices, window=window)
    elif measure == "share_at_low":
        values = b.share_at_low(prices, window=window)
    else:
        values = b.advance_decline_line(prices)
    name = f"breadth({measure},{window},{panel})"
    undefined = values.isna()
    series = values[~undefined].astype("float64").rename(name)
    if series.empty:
        raise DataError(f"{name}: no date has {window} days of history in {loaded.info.source}")
    info = SeriesInfo.of(
        name,
        series.index,
        source=loaded.info.source,
        column=f"{measure}(window={window})",
        sha256=loaded.info.sha256,
        dropped={"undefined_before_history": int(undefined.sum())},
    )
    return LoadedSeries(data=series, info=info)


def load_series(spec: SeriesSpec, store: DataStore) -> tuple[LoadedSeries, SpliceReport | None]:
    """Load one ``[data.series]`` entry (a name, a splice or a breadth measure; not a ratio,
    which needs the aligned frame) and its splice report, if it is a splice.

    A relative file path is read from the study file's folder, then the data directory,
    never the current directory."""
    if spec.ratio is not None:
        raise ValueError(f"{spec.alias}: a ratio is derived from aligned series, not loaded")
    if spec.splice is not None and _unavailable(spec, store):
        return store.load(
            spec.splice[1], column=spec.column, kind=spec.kind, cwd=False, folder=spec.folder
        ), None
    if spec.splice is not None:
        early = store.load(
            spec.splice[0], column=spec.column, kind=spec.kind, cwd=False, folder=spec.folder
        )
        late = store.load(
            spec.splice[1], column=spec.column, kind=spec.kind, cwd=False, folder=spec.folder
        )
        return splice_series(early, late)
    if spec.breadth is not None:
        return load_breadth(store, **spec.breadth), None
    assert spec.name is not None  # guaranteed by the config parser
    return store.load(
        spec.name, column=spec.column, kind=spec.kind, cwd=False, folder=spec.folder
    ), None


def _unavailable(spec: SeriesSpec, store: DataStore) -> str | None:
    """Why the earlier source of a splice could not be had, if it could not."""
    assert spec.splice is not None
    return store.unavailable.get(spec.splice[0].split("[")[0])


def series_kind(spec: SeriesSpec, store: DataStore) -> str:
    """``"price"`` or ``"level"``: the declared kind, else what the data directory says
    (percent units are levels); breadth shares are levels, ratios prices."""
    if spec.kind is not None:
        return spec.kind
    if spec.breadth is not None:
        return "level"
    name = spec.splice[1] if spec.splice is not None else spec.name
    if name is None:
        return "price"
    return store.kind_of(name, cwd=False, folder=spec.folder)


def daily_part(
    series: LoadedSeries, spec: SeriesSpec, start: pd.Timestamp | None = None
) -> tuple[LoadedSeries, str]:
    """``series`` from where it turns daily, and a note saying what was cut ("" if nothing).

    Horizons, windows and declustering count rows: on a month-end history (FRED's
    RU2000GPR before 1993-05-31) "21 days" would be 21 months, and a "5-day" move a 5-month
    one.  A leading non-daily stretch (:func:`~eventstudy.data.align.sparse_stretches`)
    inside the sample is cut: the series starts at the stretch's last date, and the note
    counts the rows dropped.  A stretch that runs to the series' last date, or one the
    study's ``[data] start`` asks for, is refused.

    Raises
    ------
    DataError
        Naming the series, the stretch's dates and its median gap.
    """
    index = pd.DatetimeIndex(series.data.index)
    stretches = sparse_stretches(index)
    # the early history only: a stretch later on (a few weekly closes in a hole) is a gap,
    # which the data summary lists; cutting there would drop the daily years before it
    to_end = stretches[stretches["last"] == index[-1]]
    one = to_end if len(to_end) else stretches[stretches["first"] == index[0]]
    if not len(one):
        return series, ""
    first, last = one["first"].iloc[0], one["last"].iloc[0]
    where = (
        f"series {spec.alias!r} ({series.info.name}) is not daily from {first:%Y-%m-%d} to "
        f"{last:%Y-%m-%d} (median gap {one['median_gap'].iloc[0]:.0f} calendar days, "
        f"{int(one['rows'].iloc[0])} dates)"
    )
    if last >= index[-1]:
        raise DataError(
            f"{where}, up to its last date: horizons and windows count rows, so 21 rows would "
            "be 21 months there; use a daily series"
        )
    if start is not None and pd.Timestamp(start) >= last:
        return series, ""  # the sample begins where the series is daily
    if start is not None:
        raise DataError(
            f"{where}: [data] start = {pd.Timestamp(start):%Y-%m-%d} asks for that stretch, "
            "where horizons and windows (which count rows) would be months; set [data] "
            f"start = {last:%Y-%m-%d} or later"
        )
    keep = series.data.index >= last
    n_cut = int((~keep).sum())
    data = series.data[keep]
    info = series.info
    info = SeriesInfo.of(
        info.name,
        data.index,
        source=info.source,
        column=info.column,
        sha256=info.sha256,
        dropped={**info.dropped, "not_daily": n_cut},
        notes=info.notes,
    )
    note = (
        f"S{where[1:]}; horizons and windows count rows, so its {n_cut} dates before "
        f"{last:%Y-%m-%d} are dropped and the series starts there."
    )
    return LoadedSeries(data=data, info=info), note


def load_study_data(config: DataConfig, store: DataStore) -> StudyData:
    """Load every series of ``config`` from ``store``, splice where asked, and align them.

    The aligned frame covers ``[config.start, config.end]``; a series that starts after
    ``start`` or ends before ``end`` raises :class:`~eventstudy.exceptions.DataError`.  A
    series whose early history is not daily (month-end closes) starts where it turns daily,
    with a note (:func:`daily_part`).
    """
    loaded: dict[str, LoadedSeries] = {}
    splices: dict[str, SpliceReport] = {}
    notes: list[str] = []
    for spec in config.series:
        if spec.ratio is not None:
            continue  # derived after alignment
        loaded[spec.alias], report = load_series(spec, store)
        if report is not None:
            splices[spec.alias] = report
        loaded[spec.alias], cut = daily_part(loaded[spec.alias], spec, config.start)
        if cut:
            notes.append(cut)
        if spec.splice is not None and (why := _unavailable(spec, store)):
            notes.append(
                f"{spec.display}: the earlier source of the splice, {spec.splice[0]}, could not "
                f"be had ({why}); the series is {spec.splice[1]} alone and starts "
                f"{loaded[spec.alias].info.first}, so the sample starts no earlier."
            )
    aligned = align(loaded, start=config.start, end=config.end)
    if config.end is not None:
        longer = {
            alias: s.info.last
            for alias, s in loaded.items()
            if s.data.index[-1] > pd.Timestamp(config.end)
        }
        if longer:
            runs = ", ".join(f"{alias} to {last}" for alias, last in longer.items())
            notes.append(
                f"The study's [data] end = {pd.Timestamp(config.end):%Y-%m-%d} ends the sample "
                f"before the data do ({runs}): later dates are not used."
            )
    ratios = [spec for spec in config.series if spec.ratio is not None]
    if ratios:
        frame = aligned.frame.copy()
        infos = dict(aligned.infos)
        specs = {sp.alias: sp for sp in config.series}
        for spec in ratios:
            assert spec.ratio is not None
            num, den = spec.ratio
            levels = [a for a in (num, den) if series_kind(specs[a], store) == "level"]
            if levels:
                raise ConfigError(
                    f"[data.series.{spec.alias}] key 'ratio': {levels[0]!r} "
                    f"({specs[levels[0]].label}) is a level (percent units or a breadth "
                    "share), and a ratio of levels is not a price (a yield near zero makes it "
                    'explode); study the level itself, or declare kind = "price" in '
                    f"[data.series.{levels[0]}] if it is one"
                )
            frame[spec.alias] = frame[num] / frame[den]
            bad = ~np.isfinite(frame[spec.alias].to_numpy(dtype=float))
            if bad.any():
                at = frame.index[bad]
                raise DataError(
                    f"[data.series.{spec.alias}] ratio {num} / {den} is not finite on "
                    f"{int(bad.sum())} date(s), first {at[0]:%Y-%m-%d} ({den} = "
                    f"{frame.loc[at[0], den]:g}): a ratio needs a positive denominator"
                )
            digest = hashlib.sha256(f"{infos[num].sha256}/{infos[den].sha256}".encode()).hexdigest()
            infos[spec.alias] = SeriesInfo.of(
                spec.label,
                frame.index,
                source=f"{infos[num].source} / {infos[den].source}",
                column=f"{num}/{den}",
                sha256=digest,
            )
        aligned = AlignedData(frame=frame, infos=infos, dropped=dict(aligned.dropped))
    return StudyData(aligned=aligned, splices=splices, notes=tuple(notes))
