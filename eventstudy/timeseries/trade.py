"""The ``[backtest]`` of a time-series study: each variant's events traded, and the deflated
Sharpe ratio across the variants (or the trials the config declares)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.backtest import BacktestResult, backtest, cash_from_yield
from eventstudy.backtest.many import trade_many
from eventstudy.backtest.metrics import PERIODS
from eventstudy.backtest.results import SweepBacktest
from eventstudy.backtest.spec import BacktestSpec
from eventstudy.data.store import DataStore
from eventstudy.data.study_data import StudyData, series_kind
from eventstudy.exceptions import ConfigError, DataError
from eventstudy.inference.sharpe import deflated_sharpe

__all__ = [
    "CashSeries",
    "deflate",
    "load_cash",
    "run_backtest",
    "sweep_backtests",
]


_ANNUAL = ("per annum", "per year", "a year")
"""How a manifest says a yield is in percent a year (``"percent per annum"``)."""


class CashSeries:
    """A daily cash return on the data's own dates, with how it was made (for the notes)."""

    def __init__(self, returns: pd.Series | None, label: str, notes: Sequence[str] = ()) -> None:
        self.returns = returns
        self.label = label
        self.notes = tuple(notes)


def load_cash(
    spec: BacktestSpec, store: DataStore, dates: pd.DatetimeIndex, path: str
) -> CashSeries:
    """The ``cash`` series of the backtest as a daily return on ``dates``.

    The manifest's units say which it is: a yield in percent a year (units ``"percent per
    annum"``, FRED ``DGS3MO``) earns the previous close's quote over ``100 x 252`` per day; a
    return in percent a day (``"percent per day"``, Fama–French ``rf``) is that day's return.
    Any other units (a bare ``"percent"``, percent a month, index points) are refused rather
    than guessed: a daily return read as an annual yield is 250 times too small.  Dates the
    series does not quote (bond-market holidays, or after its last date) carry the last quote
    forward, and the report says for how many days.

    Raises
    ------
    ConfigError
        The series cannot be loaded, or its units are not one of the two above (the message
        names the series and its units).
    """
    if spec.cash == "zero":
        return CashSeries(None, "zero")
    why = store.unavailable.get(spec.cash.split("[")[0])
    if why is not None:  # --fetch could not get it: said, not hidden
        return CashSeries(None, "zero", [f"Cash earns zero: {spec.cash} could not be had ({why})."])
    where = f"{path}: [backtest] key 'cash'"
    try:
        loaded = store.load(spec.cash, kind="level")
        units = str(store.manifest_entry(store.resolve(spec.cash, cwd=False)[0]).get("units", ""))
    except (DataError, FileNotFoundError, KeyError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    u = units.lower()
    raw = loaded.data
    # quotes carried forward onto every date first, so a yield is always the previous
    # trading day's quote (or the last one before it)
    full = raw.reindex(raw.index.union(dates)).ffill()
    if "percent per day" in u:
        daily = full / 100.0
        how = "its daily return (percent a day)"
    elif any(f"percent {a}" in u for a in _ANNUAL):
        daily = cash_from_yield(full)
        how = "the previous close's yield / (100 x 252) a day"
    else:
        raise ConfigError(
            f"{where}: {spec.cash!r} has units {units or 'unknown'!r}; cash needs a yield in "
            "percent a year (units 'percent per annum', fred:DGS3MO) or a return in percent "
            "a day (units 'percent per day', fama_french:ff3_factors_daily[rf]); declare the "
            "units in the data directory's MANIFEST.csv rather than have them guessed"
        )
    inside = dates[(dates >= raw.index[0])]
    carried = int((~inside.isin(raw.index)).sum())
    filled = daily.reindex(dates)
    info = loaded.info
    # the cash file's fingerprint, as every study series has one (result.json keeps notes)
    notes = [
        f"Cash: {spec.cash} from {info.source}, {info.first}..{info.last}, {info.rows} rows, "
        f"sha256 {info.sha256}."
    ]
    if carried:
        notes.append(
            f"Cash ({spec.cash}) has no quote on {carried} of the backtest's dates (holidays, or "
            f"after its last date {raw.index[-1]:%Y-%m-%d}): the last quote is carried forward."
        )
    return CashSeries(filled, f"{spec.cash}, {how}", notes)


def check_backtest_series(spec: BacktestSpec, data: Any, store: DataStore, path: str) -> None:
    """Refuse a level (a yield, a breadth share) as the series to hold."""
    specs = {sp.alias: sp for sp in data.series}
    for key in ("long", "short"):
        alias = getattr(spec, key)
        if alias is None:
            continue
        sp = specs[alias]
        if sp.ratio is None and series_kind(sp, store) == "level":
            raise ConfigError(
                f"{path}: [backtest] key {key!r}: series {alias!r} ({sp.label}) is a level "
                "(percent units or a breadth share), not a price one could hold"
            )


def run_backtest(
    spec: BacktestSpec,
    data: StudyData,
    events: Sequence[tuple[str, Any]],
    cash: CashSeries,
    *,
    start: Any,
    end: Any,
    seeds: Sequence[np.random.Generator],
    labels: tuple[str, str],
) -> tuple[BacktestResult, ...]:
    """Backtest each ``(name, events)`` pair, then deflate their Sharpe ratios together."""
    prices = data.aligned.frame
    out = []
    for (name, ev), rng in zip(events, seeds, strict=True):
        r = backtest(
            prices[spec.long],
            ev,
            hold=spec.hold,
            short=prices[spec.short] if spec.short else None,
            overlap=spec.overlap,  # type: ignore[arg-type]
            max_slices=spec.max_slices,
            entry=spec.entry,  # type: ignore[arg-type]
            cost_bps=spec.cost_bps,
            cash=cash.returns,
            start=start,
            end=end,
            placebo_draws=spec.placebo_draws,
            seed=rng,
            names=labels,
            cash_name=cash.label,
            name=name,
        )
        out.append(replace(r, notes=(*r.notes, *cash.notes)))
    return deflate(out, spec.trials, spec.trials_sharpe_std)


def deflate(
    results: Sequence[BacktestResult], trials: int | None = None, sharpe_std: float | None = None
) -> tuple[BacktestResult, ...]:
    """The deflated Sharpe ratio of each result against the search that produced them.

    With ``trials`` (and the annual standard deviation ``sharpe_std`` of their Sharpe
    ratios) declared, those are the search; otherwise the results themselves are: their
    number, and the variance of their daily Sharpe ratios.
    """
    if trials is not None:
        n, var = trials, (float(sharpe_std or 0.0) / math.sqrt(PERIODS)) ** 2
    else:
        srs = [r.sharpe.sharpe for r in results if r.sharpe is not None]
        n = max(1, len(srs))  # a variant that never traded is no trial
        var = float(np.var(srs, ddof=1)) if len(srs) > 1 else 0.0
    out = []
    for r in results:
        if r.sharpe is None:
            out.append(replace(r, n_trials=n, trials_variance=var))
            continue
        s = r.sharpe
        dsr, sr0 = deflated_sharpe(s.sharpe, s.n_obs, n, var, s.skew, s.kurtosis)
        out.append(
            replace(
                r,
                dsr=dsr,
                sr0_annual=sr0 * math.sqrt(PERIODS),
                n_trials=n,
                trials_variance=var,
            )
        )
    return tuple(out)


def sweep_backtests(
    spec: BacktestSpec,
    data: StudyData,
    specifications: Sequence[Any],
    events: Mapping[str, Any],
    cash: CashSeries,
    *,
    seed: int,
    labels: tuple[str, str],
) -> SweepBacktest:
    """Trade every specification of a sweep (:func:`~eventstudy.backtest.many.trade_many`,
    without placebo), then the best and the selected one in full, deflated by the number of
    distinct strategies and the spread of their Sharpe ratios."""
    prices = data.aligned.frame
    common: dict[str, Any] = {
        "hold": spec.hold,
        "short": prices[spec.short] if spec.short else None,
        "overlap": spec.overlap,
        "max_slices": spec.max_slices,
        "entry": spec.entry,
        "cost_bps": spec.cost_bps,
        "cash": cash.returns,
        "names": labels,
        "cash_name": cash.label,
    }
    table, keys = trade_many(
        prices[spec.long],
        [events[sp.name] for sp in specifications],
        [sp.start for sp in specifications],
        [sp.end for sp in specifications],
        hold=spec.hold,
        short=common["short"],
        overlap=spec.overlap,  # type: ignore[arg-type]
        max_slices=spec.max_slices,
        entry=spec.entry,  # type: ignore[arg-type]
        cost_bps=spec.cost_bps,
        cash=cash.returns,
    )
    table.insert(0, "specification", [sp.name for sp in specifications])
    if table["sharpe"].isna().all():
        raise DataError("[backtest]: no specification of the sweep traded (no events to trade)")
    daily = table["sharpe_daily"].to_numpy(dtype=float)
    first = np.zeros(len(keys), dtype=bool)
    first[np.unique(keys, return_index=True)[1]] = True  # identical returns: one strategy
    first &= np.isfinite(daily)  # a specification that never traded is no strategy
    distinct = int(first.sum())
    if spec.trials is not None:
        n, var = spec.trials, (float(spec.trials_sharpe_std or 0.0) / math.sqrt(PERIODS)) ** 2
    else:
        ok = daily[first]
        n, var = distinct, float(np.var(ok, ddof=1)) if ok.size > 1 else 0.0
    index = {sp.name: i for i, sp in enumerate(specifications)}

    def full(name: str) -> BacktestResult:
        sp = specifications[index[name]]
        r = backtest(
            prices[spec.long],
            events[name],
            start=sp.start,
            end=sp.end,
            placebo_draws=spec.placebo_draws,
            seed=np.random.default_rng([seed, index[name], 1_000]),
            name=name,
            **common,
        )
        r = replace(r, notes=(*r.notes, *cash.notes))
        return deflate([r], n, math.sqrt(var * PERIODS))[0]

    best_name = str(table["specification"].iloc[int(np.nanargmax(table["sharpe"].to_numpy()))])
    return SweepBacktest(
        table=table,
        best=full(best_name),
        selected=full(spec.select) if spec.select is not None else None,
        n_trials=n,
        trials_variance=var,
        n_specifications=len(specifications),
        distinct_strategies=distinct,
    )
