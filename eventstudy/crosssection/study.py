"""Run a ``kind = "cross_section"`` study config and write its outputs."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._threads import resolve_threads
from eventstudy._warnings import find_stack_level
from eventstudy.config import thaw
from eventstudy.crosssection.api import run_cross_section
from eventstudy.crosssection.inputs import (
    compound_factors,
    factors_from_percent,
    returns_from_prices,
)
from eventstudy.crosssection.results import CrossSectionStudyResult
from eventstudy.crosssection.spec import CrossSectionSpec, CrossSectionStudyConfig
from eventstudy.data import DataStore
from eventstudy.data.records import SeriesInfo
from eventstudy.data.study_data import load_study_data, series_kind
from eventstudy.exceptions import ConfigError, DataCoverageWarning, DataError, EventStudyWarning

__all__ = ["CrossSectionStudyResult", "run_cross_section_study"]


def signal_events(
    prices: pd.DataFrame, signal: Mapping[str, Any], *, min_gap: int = 21
) -> tuple[pd.DataFrame, int]:
    """Events from a signal applied to each stock of a wide price panel.

    The signal config names the stock's price series ``"stock"`` (e.g. ``{"type": "move",
    "series": "stock", "n": 5, "mode": "below", "level": -0.1}``); it is computed on each
    ticker's own history (NaN where the ticker has no price) and declustered with
    ``min_gap`` trading days. The loop runs over tickers, each signal is vectorized over dates.

    Returns
    -------
    (events, triggers)
        ``ticker, date`` of the events, and the number of raw trigger days.
    """
    from eventstudy.events import find_events
    from eventstudy.signals import compute_checked, make_signal

    sig = make_signal(dict(signal))
    rows: list[tuple[str, pd.Timestamp]] = []
    triggers = 0
    for ticker in prices.columns:
        col = prices[ticker].dropna()
        if col.size < 2:
            continue
        frame = col.to_frame("stock")
        result = compute_checked(sig, frame)
        triggers += int(result.trigger.sum())
        table = find_events(result, min_gap=min_gap)
        rows += [(str(ticker), d) for d in table.dates]
    return pd.DataFrame(rows, columns=["ticker", "date"]), triggers


def _events(
    cs: CrossSectionSpec, config: CrossSectionStudyConfig, panel: pd.DataFrame
) -> pd.DataFrame:
    where = f"{config.path}: [cross_section]"
    if cs.event_signal is not None:
        try:
            events, _ = signal_events(panel, thaw(cs.event_signal), min_gap=cs.event_min_gap)
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigError(f"{where}: key 'event_signal': {exc}") from exc
        if events.empty:
            raise ConfigError(f"{where}: key 'event_signal': the signal triggers for no stock")
        return events
    if cs.events_file is not None:
        path = Path(cs.events_file)
        if not path.is_absolute():
            path = Path(config.path).parent / path
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except OSError as exc:
            raise ConfigError(
                f"{where}: key 'events_file': cannot read {path}: {exc.strerror}"
            ) from exc
        except pd.errors.EmptyDataError:
            raise DataError(f"{path}: the event list is empty (no header, no rows)") from None
        missing = [c for c in ("ticker", "date") if c not in frame.columns]
        if missing:
            raise DataError(f"{path}: event list needs columns ticker, date; missing {missing}")
        if frame.empty:
            raise DataError(f"{path}: the event list has a header but no events")
        blank = np.flatnonzero(frame["ticker"].str.strip().eq("").to_numpy())
        if blank.size:
            raise DataError(
                f"{path}: blank ticker at line {int(blank[0]) + 2} ({blank.size} such row{'s' if blank.size != 1 else ''})"
            )
        dates = pd.to_datetime(frame["date"].str.strip(), format="ISO8601", errors="coerce")
        if dates.isna().any():
            i = int(np.flatnonzero(dates.isna().to_numpy())[0])
            raise DataError(f"{path}: unparsable date {frame['date'].iloc[i]!r} at line {i + 2}")
        out = pd.DataFrame({"ticker": frame["ticker"].str.strip(), "date": dates})
        unknown = np.flatnonzero(~out["ticker"].isin([str(c) for c in panel.columns]).to_numpy())
        if unknown.size:
            i = int(unknown[0])
            raise DataError(
                f"{path}: unknown ticker {out['ticker'].iloc[i]!r} at line {i + 2} (not in the "
                f"panel {cs.panel}; {unknown.size} such line{'s' if unknown.size != 1 else ''})"
            )
        twice = np.flatnonzero(out.duplicated(keep=False).to_numpy())
        if twice.size:
            first = out.iloc[int(twice[0])]
            lines = [int(i) + 2 for i in twice if out.iloc[int(i)].equals(first)]
            raise DataError(
                f"{path}: event listed more than once: ticker {first['ticker']!r} on "
                f"{first['date']:%Y-%m-%d} (lines {lines}; {twice.size} lines in all are repeats)"
            )
        return out
    date = cs.event_date
    assert date is not None  # parse_study guarantees exactly one event source
    if cs.tickers != "all":
        return pd.DataFrame({"ticker": list(cs.tickers), "date": date})
    if date not in panel.index:
        later = panel.index[panel.index >= date]
        if later.empty:
            raise DataError(f"{where}: event_date {date:%Y-%m-%d} is after the panel's last date")
        row = panel.loc[later[0]]
    else:
        row = panel.loc[date]
    names = [str(t) for t in row.index[row.notna()]]
    return pd.DataFrame({"ticker": names, "date": date})


_SHOWN = 5


def _say_compounded(days: pd.Series, factor_dates: pd.Index) -> None:
    """Warn, naming the dates, where the factors were compounded over more than one day."""
    many = days[days > 1]
    if many.empty:
        return
    lacking = factor_dates[
        (factor_dates > days.index[0])
        & (factor_dates <= days.index[-1])
        & ~factor_dates.isin(days.index)
    ]
    shown = ", ".join(f"{d:%Y-%m-%d} ({n} days)" for d, n in many.iloc[:_SHOWN].items())
    more = f" and {len(many) - _SHOWN} more" if len(many) > _SHOWN else ""
    lack = ", ".join(f"{d:%Y-%m-%d}" for d in lacking[:_SHOWN])
    warnings.warn(
        f"the panel lacks {len(lacking)} trading day(s) the factors have ({lack}"
        f"{', ...' if len(lacking) > _SHOWN else ''}): the stock and market returns of the "
        f"next date span them, and so do the factors, compounded: {shown}{more}",
        DataCoverageWarning,
        stacklevel=find_stack_level(),
    )


def run_cross_section_study(
    config: CrossSectionStudyConfig,
    *,
    store: DataStore | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
) -> CrossSectionStudyResult:
    """Load the panel, market and factors a cross-section study names and run the battery.

    The trading calendar is the panel's dates that the market series also has; stock and
    market returns are both computed on it, and factor returns compounded onto it (a date
    missing from the panel gives a two-day return to every series alike, with a
    :class:`~eventstudy.exceptions.DataCoverageWarning` naming it).  ``workers`` threads fit and rank the events (default: one
    per core, up to 8; see :func:`~eventstudy.crosssection.run_cross_section`): the numbers
    do not depend on it.
    """
    if not isinstance(config, CrossSectionStudyConfig):
        raise TypeError(f"config must be a CrossSectionStudyConfig, got {type(config).__name__}")
    resolve_threads(workers)  # a bad count is the caller's error, found before any data is read
    cs = config.cross_section
    store = store or DataStore.from_settings(data_dir)
    where = f"{config.path}: [cross_section]"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EventStudyWarning)
        spec = next((s for s in config.data.series if s.alias == cs.market), None)
        if spec is not None and series_kind(spec, store) == "level":
            raise ConfigError(
                f"{where} key 'market': {cs.market!r} is a level (a yield or a rate): its "
                "percent returns mean nothing; the models need a market price index"
            )
        series = load_study_data(config.data, store)
        panel = store.load_panel(cs.panel)
        market_level = series.aligned.frame[cs.market]
        calendar = panel.data.index.intersection(market_level.index)
        if len(calendar) < 2:
            raise DataError(f"{where}: the panel and the market series share fewer than 2 dates")
        prices = panel.data.loc[calendar]
        returns = returns_from_prices(prices, kind=cs.return_kind)
        m = market_level.loc[calendar]
        ratio = m / m.shift(1)
        market = (
            pd.Series(np.log(ratio), index=ratio.index) if cs.return_kind == "log" else ratio - 1
        )
        factors = None
        infos: dict[str, SeriesInfo] = dict(series.aligned.infos)
        infos["panel"] = panel.info
        if cs.factors:
            frames = []
            for name in cs.factors:
                loaded = store.load_frame(name)
                infos[f"factors:{name}"] = loaded.info
                frames.append(loaded.data)
            raw = pd.concat(frames, axis=1, join="inner")
            raw = raw.loc[:, ~raw.columns.duplicated()]
            factors = compound_factors(factors_from_percent(raw), calendar)
            _say_compounded(factors.attrs["days"], raw.index)
        events = _events(cs, config, panel.data)
        try:
            result = run_cross_section(
                returns,
                market,
                events,
                model=cs.model,
                estimation=cs.estimation,
                event_window=cs.event_window,
                min_estimation=cs.min_estimation,
                factors=factors,
                convention=cs.convention,
                car_windows=cs.car_windows or None,
                return_kind=cs.return_kind,
                level=cs.level,
                tests=cs.tests,
                workers=workers,
            )
        except (ValueError, TypeError) as exc:
            if isinstance(exc, DataError):
                raise
            raise ConfigError(f"{where}: {exc}") from exc
    messages: list[str] = []
    for w in caught:
        if str(w.message) not in messages:
            messages.append(str(w.message))
            warnings.warn(w.message, w.category, stacklevel=find_stack_level())
    from eventstudy.facts import check_study_facts

    facts = check_study_facts(config, store)
    return CrossSectionStudyResult(
        config=config,
        result=result,
        data=infos,
        car_windows=tuple(result.window_tests),
        warnings=tuple(messages) + series.notes,
        facts=facts,
    )
