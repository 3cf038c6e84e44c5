"""Run a ``kind = "cross_section"`` study config and write its outputs."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.config import StudyConfig
from eventstudy.config._reader import Section
from eventstudy.crosssection.api import run_cross_section
from eventstudy.crosssection.inputs import factors_from_percent, returns_from_prices
from eventstudy.crosssection.results import CrossSectionStudyResult
from eventstudy.data import DataStore
from eventstudy.data.records import SeriesInfo
from eventstudy.data.study_data import load_study_data
from eventstudy.exceptions import ConfigError, DataError, EventStudyWarning

__all__ = ["CrossSectionStudyResult", "run_cross_section_study"]

_MODELS_NEEDING_FACTORS = ("ff3", "carhart4", "ff5")


def _window(sec: Section, key: str, default: tuple[int, int]) -> tuple[int, int]:
    value = sec.get_list(key, list(default))
    if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise sec.error(key, f"must be two integers [first, last] in trading days, got {value!r}")
    return int(value[0]), int(value[1])


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
    from eventstudy.signals import make_signal

    sig = make_signal(dict(signal))
    rows: list[tuple[str, pd.Timestamp]] = []
    triggers = 0
    for ticker in prices.columns:
        col = prices[ticker].dropna()
        if col.size < 2:
            continue
        result = sig.compute(col.to_frame("stock"))
        triggers += int(result.trigger.sum())
        table = find_events(result, min_gap=min_gap)
        rows += [(str(ticker), d) for d in table.dates]
    return pd.DataFrame(rows, columns=["ticker", "date"]), triggers


def _events(sec: Section, config: StudyConfig, panel: pd.DataFrame) -> pd.DataFrame:
    given = [k for k in ("events_file", "event_date", "event_signal") if sec.has(k)]
    if len(given) != 1:
        raise ConfigError(
            f"{sec.where}: give exactly one of 'events_file', 'event_date' or 'event_signal'"
        )
    if sec.has("event_signal"):
        from eventstudy.config.study import thaw

        try:
            events, _ = signal_events(
                panel,
                thaw(sec.get_table("event_signal")),
                min_gap=sec.get_int("event_min_gap", 21, minimum=1),
            )
        except (ValueError, TypeError, KeyError) as exc:
            raise sec.error("event_signal", str(exc)) from exc
        if events.empty:
            raise sec.error("event_signal", "the signal triggers for no stock")
        return events
    if sec.has("events_file"):
        path = Path(sec.get_str("events_file"))
        if not path.is_absolute():
            path = Path(config.path).parent / path
        try:
            frame = pd.read_csv(path, dtype=str)
        except OSError as exc:
            raise ConfigError(
                f"{sec.where}: key 'events_file': cannot read {path}: {exc.strerror}"
            ) from exc
        missing = [c for c in ("ticker", "date") if c not in frame.columns]
        if missing:
            raise DataError(f"{path}: event list needs columns ticker, date; missing {missing}")
        dates = pd.to_datetime(frame["date"], format="ISO8601", errors="coerce")
        if dates.isna().any():
            i = int(np.flatnonzero(dates.isna().to_numpy())[0])
            raise DataError(f"{path}: unparsable date {frame['date'].iloc[i]!r} at line {i + 2}")
        return pd.DataFrame({"ticker": frame["ticker"].str.strip(), "date": dates})
    date = sec.get_date("event_date")
    tickers = sec.get_raw("tickers", "all")
    if tickers == "all":
        if date not in panel.index:
            later = panel.index[panel.index >= date]
            if later.empty:
                raise DataError(
                    f"{sec.where}: event_date {date:%Y-%m-%d} is after the panel's last date"
                )
            row = panel.loc[later[0]]
        else:
            row = panel.loc[date]
        names = [str(t) for t in row.index[row.notna()]]
    elif isinstance(tickers, list) and all(isinstance(t, str) for t in tickers):
        names = list(tickers)
    else:
        raise sec.error("tickers", f'must be "all" or a list of tickers, got {tickers!r}')
    return pd.DataFrame({"ticker": names, "date": date})


def run_cross_section_study(
    config: StudyConfig,
    *,
    store: DataStore | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> CrossSectionStudyResult:
    """Load the panel, market and factors a cross-section study names and run the battery.

    The trading calendar is the panel's dates that the market series also has; stock and
    market returns are both computed on it (a date missing from the panel gives a two-day
    return to every series alike).
    """
    if config.kind != "cross_section" or config.cross_section is None:
        raise ConfigError(f"{config.path}: not a kind = 'cross_section' study")
    store = store or DataStore.from_settings(data_dir)
    where = f"{config.path}: [cross_section]"
    from eventstudy.config.study import _CS_KEYS

    sec = Section(config.cross_section, where, _CS_KEYS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EventStudyWarning)
        series = load_study_data(config.data, store)
        market_alias = sec.get_str("market")
        if market_alias not in series.aligned.frame.columns:
            raise sec.error("market", f"{market_alias!r} is not a [data.series] alias")
        panel = store.load_panel(sec.get_str("panel"))
        market_level = series.aligned.frame[market_alias]
        calendar = panel.data.index.intersection(market_level.index)
        if len(calendar) < 2:
            raise DataError(f"{where}: the panel and the market series share fewer than 2 dates")
        kind = sec.get_str("return_kind", "simple", choices=("simple", "log"))
        prices = panel.data.loc[calendar]
        returns = returns_from_prices(prices, kind=kind)
        m = market_level.loc[calendar]
        market = np.log(m / m.shift(1)) if kind == "log" else m / m.shift(1) - 1
        model = sec.get_str("model", "market_model")
        factors = None
        infos: dict[str, SeriesInfo] = dict(series.aligned.infos)
        infos["panel"] = panel.info
        if sec.has("factors"):
            names = sec.get_raw("factors")
            names = [names] if isinstance(names, str) else names
            frames = []
            for name in names:
                loaded = store.load_frame(name)
                infos[f"factors:{name}"] = loaded.info
                frames.append(loaded.data)
            raw = pd.concat(frames, axis=1, join="inner")
            raw = raw.loc[:, ~raw.columns.duplicated()]
            factors = factors_from_percent(raw).reindex(calendar)
        elif model in _MODELS_NEEDING_FACTORS:
            raise sec.error(
                "factors",
                f'model {model!r} needs factor tables, e.g. "fama_french:ff3_factors_daily"',
            )
        windows = tuple(_window_of(w, sec) for w in sec.get_list("car_windows", [])) or None
        events = _events(sec, config, panel.data)
        try:
            result = run_cross_section(
                returns,
                market,
                events,
                model=model,
                estimation=_window(sec, "estimation", (-250, -11)),
                event_window=_window(sec, "event_window", (-5, 5)),
                min_estimation=sec.get_int("min_estimation", 100, minimum=2),
                factors=factors,
                convention=sec.get_str("convention", "textbook", choices=("textbook", "estudy2")),
                car_windows=windows,
                return_kind=kind,
                level=sec.get_float("level", 0.95),
            )
        except (ValueError, TypeError) as exc:
            if isinstance(exc, DataError):
                raise
            raise ConfigError(f"{where}: {exc}") from exc
    messages: list[str] = []
    for w in caught:
        if str(w.message) not in messages:
            messages.append(str(w.message))
            warnings.warn(w.message, w.category, stacklevel=2)
    return CrossSectionStudyResult(
        config=config,
        result=result,
        data=infos,
        car_windows=tuple(result.window_tests),
        warnings=tuple(messages),
    )


def _window_of(value: Any, sec: Section) -> tuple[int, int]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise sec.error("car_windows", f"each window must be [first, last] integers, got {value!r}")
    return int(value[0]), int(value[1])
