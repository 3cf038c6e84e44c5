"""Trade a study's events: daily strategy returns with costs and cash, the standard metrics,
the Sharpe ratio's statistics and a random-entry placebo."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._typing import Seed
from eventstudy._validation import as_generator, check_int
from eventstudy._warnings import find_stack_level
from eventstudy.backtest._inputs import (
    MAX_COST_BPS,
    check_cash_units,
    check_tz,
    event_dates,
    price_series,
)
from eventstudy.backtest.metrics import PERIODS, performance
from eventstudy.backtest.positions import RULE_TEXT, Entry, Overlap, positions_from_events
from eventstudy.backtest.results import BacktestResult
from eventstudy.backtest.trading import traded, traded_alone
from eventstudy.exceptions import DataError, DroppedEventsWarning
from eventstudy.inference._common import FloatArray, IntArray
from eventstudy.inference.placebo import draw_spaced_positions
from eventstudy.inference.sharpe import deflated_sharpe, probabilistic_sharpe, sharpe_stats

__all__ = ["backtest", "cash_from_yield", "random_entry_placebo"]


def cash_from_yield(yield_percent: pd.Series, periods: int = PERIODS) -> pd.Series:
    """Daily cash return from an annualized yield in percent (e.g. FRED ``DGS3MO``).

    The return of day ``t`` is the yield quoted at the close of ``t - 1`` divided by
    ``100 * periods`` (no look-ahead); a missing quote (a bond-market holiday) carries the
    previous one forward.  The first date has no return (NaN).
    """
    y = pd.Series(yield_percent, dtype=float).ffill()
    return y.shift(1) / (100.0 * periods)


def _prices(series: pd.Series, name: str, dates: pd.DatetimeIndex) -> FloatArray:
    p = np.asarray(series.reindex(dates), dtype=float)
    bad = ~np.isfinite(p) | (p <= 0)
    if bad.any():
        first = dates[int(np.flatnonzero(bad)[0])]
        raise DataError(
            f"backtest: {name} has {int(bad.sum())} missing or non-positive prices in the "
            f"sample, first on {first:%Y-%m-%d}"
        )
    return p


def _segments(
    x: FloatArray,
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, FloatArray]:
    """Runs of ``x > 0`` (start, length) and their constant-weight segments (run, offset,
    length, weight) -- the blocks a placebo moves around."""
    held = x > 0
    run_start = np.flatnonzero(held & ~np.r_[False, held[:-1]])
    run_end = np.flatnonzero(held & ~np.r_[held[1:], False]) + 1
    change = held & (np.r_[True, x[1:] != x[:-1]])
    seg_start = np.flatnonzero(change)
    seg_end = np.r_[seg_start[1:], x.size]
    run = np.searchsorted(run_start, seg_start, side="right") - 1
    seg_end = np.minimum(seg_end, run_end[run])
    return (
        run_start,
        run_end - run_start,
        run,
        seg_start - run_start[run],
        seg_end - seg_start,
        x[seg_start],
    )


def random_entry_placebo(
    exposure: FloatArray, active: FloatArray, draws: int, rng: np.random.Generator
) -> FloatArray:
    """``sum_t exposure'_t active_t`` for ``draws`` random re-placements of the holdings.

    Each draw keeps every holding (a run of days with ``exposure > 0``, with its own profile
    of weights) and places the runs in a random order at uniformly random non-overlapping
    dates: the same number of trades, the same exposure and turnover, random timing.  With
    ``k`` runs of lengths ``L_i`` (total ``L``) in ``D`` days, a placement is ``k`` sorted
    distinct slots ``s_i`` in ``range(D - L + k)`` and run ``i`` starts at ``s_i + sum_{j<i}
    (L_j - 1)``: a bijection, so every non-overlapping placement is equally likely.  The sums
    come from prefix sums of ``active`` (O(draws x segments), no loop per draw).

    Parameters
    ----------
    exposure
        Weight held each day, shape ``(D,)``.
    active
        What holding earns each day over not holding, shape ``(D,)``.
    draws
        Placebo draws.
    rng
        Random generator.

    Returns
    -------
    numpy.ndarray
        Shape ``(draws,)``.
    """
    starts, lengths, run, offset, seg_len, weight = _segments(exposure)
    k, d = starts.size, exposure.size
    if k == 0:
        return np.zeros(draws)
    order = np.argsort(rng.random((draws, k)), axis=1)  # a random order of the runs per draw
    lens = lengths[order]
    slots = draw_spaced_positions(d - int(lengths.sum()) + k, k, 1, draws, rng)
    placed = slots + np.cumsum(lens - 1, axis=1) - (lens - 1)
    start_of = np.empty_like(placed)
    np.put_along_axis(start_of, order, placed, axis=1)
    prefix = np.concatenate([[0.0], np.cumsum(active)])
    first = start_of[:, run] + offset
    out: FloatArray = ((prefix[first + seg_len] - prefix[first]) * weight).sum(axis=1)
    return out


def backtest(
    long: pd.Series,
    events: Any,
    *,
    hold: int,
    short: pd.Series | None = None,
    overlap: Overlap = "extend",
    max_slices: int = 1,
    entry: Entry = "next_close",
    cost_bps: float = 0.0,
    cash: pd.Series | None = None,
    start: Any = None,
    end: Any = None,
    placebo_draws: int = 1000,
    seed: Seed = None,
    n_trials: int = 1,
    trials_variance: float | None = None,
    names: Sequence[str] = ("long", "short"),
    cash_name: str | None = None,
    name: str = "strategy",
) -> BacktestResult:
    """Backtest "after each event, hold ``long`` (minus ``short``) for ``hold`` trading days".

    Parameters
    ----------
    long, short
        Price levels: pandas Series on ascending, distinct dates (a DatetimeIndex);
        ``short`` optional: long ``long`` and short ``short`` in equal amounts, the capital
        kept in cash as collateral.
    events
        Event dates, known at their close: an :class:`~eventstudy.events.EventTable` (from
        :func:`~eventstudy.events.find_events`), or dates (a DatetimeIndex, Timestamps,
        ``"YYYY-MM-DD"`` strings).  Not integer positions, a boolean trigger or a
        SignalResult (pass ``find_events(...)`` of it).  A date between two trading days of
        ``long`` (a weekend, a holiday) moves to the next trading day, as in
        :func:`~eventstudy.crosssection.run_cross_section`, and is counted in the notes.
    hold
        Holding period in trading days.
    overlap, max_slices, entry
        See :func:`~eventstudy.backtest.positions.positions_from_events`.
    cost_bps
        Cost in basis points per unit of capital traded, per leg (a long-short round trip
        pays it four times), the daily rebalancing that keeps the weights included
        (:func:`~eventstudy.backtest.trading.traded`).
    cash
        Daily return of cash as a DECIMAL (0.0001 = 0.01 % a day), earned when not invested
        (and on the collateral of a long-short position); from a yield in percent use
        :func:`cash_from_yield`, from a daily rate in percent (Fama-French ``rf``) divide by
        100.  None: zero.
    start, end
        Sample of the backtest (default: all dates of ``long``); events outside it are
        dropped and counted in the notes.
    placebo_draws
        Random-entry placebo draws (0: none).
    seed
        Seed or generator of the placebo.
    n_trials, trials_variance
        Strategies tried to find this one and the variance of their per-day Sharpe ratios,
        for the deflated Sharpe ratio (``n_trials = 1``: the probabilistic Sharpe ratio
        against zero).
    names, name
        Labels of the legs and of the strategy.
    cash_name
        Label of the cash; default the name of the ``cash`` Series (``"cash"`` when it has
        none), ``"zero"`` without cash.

    Returns
    -------
    BacktestResult

    Raises
    ------
    TypeError
        ``long``/``short`` not a price Series with a DatetimeIndex (a DataFrame, an array);
        ``events`` as integer positions, a boolean trigger, a SignalResult or not dates;
        ``events`` or ``cash`` tz-aware while ``long`` is naive (or the reverse).
    ValueError
        ``cash`` looks like percent (median absolute daily return above 0.1 %); bad
        ``hold``, ``cost_bps``, ``n_trials``.
    DataError
        An unsorted or duplicated price index (names the first offending date), missing or
        non-positive prices or cash rates in the sample, too short a sample.

    Warns
    -----
    DroppedEventsWarning
        Events before the first or after the last date of ``long``: they are dropped (and
        counted in the notes).  Events inside the data but outside ``start``/``end`` are
        only counted in the notes: that sample is the caller's choice.

    References
    ----------
    Bailey, D. H. & López de Prado, M. (2014), 'The deflated Sharpe ratio', Journal of
    Portfolio Management 40(5), 94-107; Lo, A. W. (2002), 'The statistics of Sharpe
    ratios', Financial Analysts Journal 58(4), 36-52.
    """
    hold = check_int("hold", hold, minimum=1)
    draws = check_int("placebo_draws", placebo_draws, minimum=0)
    n_trials = check_int("n_trials", n_trials, minimum=1)
    if (
        isinstance(cost_bps, bool)
        or not isinstance(cost_bps, int | float)
        or not 0 <= cost_bps < MAX_COST_BPS
    ):
        raise ValueError(
            f"cost_bps must be a number of basis points from 0 to below {MAX_COST_BPS:g} (50% "
            f"per leg: a long-short round trip would cost all the capital), got {cost_bps!r}"
        )
    if n_trials > 1 and trials_variance is None:
        raise ValueError("n_trials > 1 needs trials_variance (variance of their Sharpe ratios)")
    long = price_series("long", long)
    if long.empty:
        raise DataError("backtest: long has no dates")
    if short is not None:
        short = price_series("short", short)
        check_tz("short", short.index, long.index)
    if cash is not None:
        if not isinstance(cash, pd.Series) or not isinstance(cash.index, pd.DatetimeIndex):
            raise TypeError(
                "cash must be a Series of daily decimal returns with a DatetimeIndex, got "
                f"{type(cash).__name__}"
            )
        check_tz("cash", cash.index, long.index)
    if cash_name is None:
        cash_name = "zero" if cash is None else str(cash.name or "cash")
    full = pd.DatetimeIndex(long.index)
    ev_all = event_dates(events, full)
    # outside the data: dropped, with a warning; between trading days: the next trading day
    in_data = (ev_all >= full[0]) & (ev_all <= full[-1])
    n_off_data = int((~in_data).sum())
    if n_off_data:
        first_off = ev_all[~in_data][0]
        warnings.warn(
            f"backtest: {n_off_data} of {len(ev_all)} event(s) fall outside the dates of "
            f"{names[0]} ({full[0]:%Y-%m-%d}..{full[-1]:%Y-%m-%d}) and were dropped, e.g. "
            f"{first_off:%Y-%m-%d}. Silence with warnings.filterwarnings('ignore', "
            "category=DroppedEventsWarning)",
            DroppedEventsWarning,
            stacklevel=find_stack_level(),
        )
    ev_kept = ev_all[in_data]
    traded_on = full[full.searchsorted(ev_kept, side="left")]
    n_moved = int((traded_on != ev_kept).sum())
    ev_dates = traded_on.unique()
    n_merged = len(ev_kept) - len(ev_dates)
    dates = full
    if start is not None:
        dates = dates[dates >= pd.Timestamp(start)]
    if end is not None:
        dates = dates[dates <= pd.Timestamp(end)]
    t = len(dates)
    if t < hold + 2:
        raise DataError(f"backtest: {t} dates in the sample, fewer than hold + 2 = {hold + 2}")
    inside = ev_dates.isin(dates)
    outside = int((~inside).sum())
    pos = dates.get_indexer(ev_dates[inside])
    p = positions_from_events(t, pos, hold, overlap=overlap, max_slices=max_slices, entry=entry)
    pa = _prices(long, names[0], dates)
    ra = pa[1:] / pa[:-1] - 1.0
    rb: FloatArray | None = None
    if short is not None:
        pb = _prices(short, names[1], dates)
        rb = pb[1:] / pb[:-1] - 1.0
    if cash is None:
        rf = np.zeros(t - 1)
    else:
        rf = np.asarray(pd.Series(cash).reindex(dates), dtype=float)[1:]
        if not np.isfinite(rf).all():
            first = dates[1 + int(np.flatnonzero(~np.isfinite(rf))[0])]
            raise DataError(
                f"backtest: cash ({cash_name}) has no rate for {first:%Y-%m-%d}; start the "
                "backtest later or use cash = 'zero'"
            )
        check_cash_units(rf, cash_name, dates[1:])
    x = p.exposure[1:]  # weight over days 1 .. T-1
    c = cost_bps / 1e4
    # at the close of 0 .. T-1, the daily rebalancing of a drifting weight included
    volume = traded(p.exposure, p.exposure_after, ra, rb, rf)
    cost = c * volume[1:]
    cost[0] += c * volume[0]  # a trade at the first close is paid on day 1
    if rb is None:
        active = ra - rf
        strat = x * ra + (1.0 - x) * rf - cost
        bh = ra.copy()
    else:
        active = ra - rb
        strat = x * active + rf - cost
        bh = active + rf
    day_dates = dates[1:]
    perf_s = performance(strat, rf, day_dates)
    perf_b = performance(bh, rf, day_dates)
    years = (t - 1) / PERIODS
    if rb is None:
        gross = pa[p.exits] / pa[p.entries] - 1.0
    else:  # the spread as the daily series holds it, rebalanced each day: the same numbers
        growth = np.r_[1.0, np.cumprod(1.0 + active)]  # over dates 0 .. T-1
        gross = growth[p.exits] / growth[p.entries] - 1.0
    # still held after the last close: valued at it with no exit cost (a merged 'extend' run
    # by its last slice, not its first entry); a hold ending exactly there is sold and paid
    # for, in this table as in the daily series
    is_open = p.is_open
    net = gross - c * traded_alone(p.entries, p.exits, is_open, ra, rb, rf)
    trades = pd.DataFrame(
        {
            "event": dates[p.used],
            "entry": dates[p.entries],
            "exit": dates[p.exits],
            "days": p.exits - p.entries,
            "weight": p.weights,
            "return": gross,
            "net_return": net,
            "open": is_open,
        }
    )
    stats_s = sharpe_stats(strat - rf) if np.ptp(strat - rf) > 0 else None
    ann = math.sqrt(PERIODS)
    psr = dsr = sr0 = math.nan
    if stats_s is not None:
        psr = probabilistic_sharpe(
            stats_s.sharpe, 0.0, stats_s.n_obs, stats_s.skew, stats_s.kurtosis
        )
        dsr, sr0 = deflated_sharpe(
            stats_s.sharpe,
            stats_s.n_obs,
            n_trials,
            float(trials_variance or 0.0),
            stats_s.skew,
            stats_s.kurtosis,
        )
    placebo: dict[str, Any] = {"draws": draws}
    excess = (strat.mean() - bh.mean()) * PERIODS
    if draws and p.entries.size:
        rng = as_generator(seed)
        sums = random_entry_placebo(x, active, draws, rng)
        const = (-active.sum() - cost.sum()) / (t - 1) * PERIODS
        null = sums / (t - 1) * PERIODS + const
        # ties up to rounding (every placement earning the same) count as matching
        matched = null >= excess - 1e-12 * max(1.0, abs(excess))
        placebo.update(
            excess=float(excess),
            p_value=float((1 + np.count_nonzero(matched)) / (draws + 1)),
            median=float(np.median(null)),
            q05=float(np.quantile(null, 0.05)),
            q95=float(np.quantile(null, 0.95)),
            beaten_by=float(np.mean(matched)),
        )
    rule = RULE_TEXT[overlap].format(hold=hold, slices=max_slices)
    notes: list[str] = []
    if entry == "same_close":
        notes.append(
            "Entry at the close of the event day itself: this assumes trading at the price "
            "that made the signal, which no one could (optimistic)."
        )
    if n_off_data:
        notes.append(f"{n_off_data} event(s) outside the dates of the data were dropped.")
    if n_moved:
        notes.append(
            f"{n_moved} event(s) dated on a non-trading day moved to the next trading day"
            + (f" ({n_merged} of them onto another event's day)." if n_merged else ".")
        )
    if outside:
        notes.append(f"{outside} event(s) outside the backtest's dates were dropped.")
    if p.too_late:
        notes.append(f"{p.too_late} event(s) too close to the end of the data to trade.")
    if p.skipped:
        what = {
            "extend": "extended the holding instead of opening a new position",
            "ignore": "were ignored (no new position, no extension)",
            "stack": "found every slice in use and opened none",
        }.get(str(overlap), "opened no new position")
        notes.append(f"{p.skipped} event(s) fell while invested and {what}.")
    if is_open.any():
        notes.append("The last position is still open on the last date (valued at its close).")
    extra = {
        "exposure": float(np.mean(x > 0)),
        "average_weight": float(x.mean()),
        "turnover": float(volume.sum() / years),
        "trades": int(p.entries.size),
        "hit_rate": float(np.mean(net > 0)) if net.size else math.nan,
        "costs": float(cost.sum()),
        "years": years,
    }
    daily = pd.DataFrame(
        {"strategy": strat, "buy_and_hold": bh, "cash": rf, "exposure": x, "cost": cost},
        index=day_dates,
    )
    return BacktestResult(
        name=name,
        long=names[0],
        short=names[1] if short is not None else None,
        cash=cash_name,
        hold=hold,
        overlap=overlap,
        max_slices=max_slices,
        entry=entry,
        cost_bps=float(cost_bps),
        rule=rule,
        daily=daily,
        trades=trades,
        performance={"strategy": perf_s, "buy_and_hold": perf_b},
        activity=extra,
        sharpe=stats_s,
        sharpe_annual=perf_s["sharpe"],
        sharpe_se_annual=stats_s.se * ann if stats_s is not None else math.nan,
        psr=psr,
        dsr=dsr,
        sr0_annual=sr0 * ann,
        n_trials=n_trials,
        trials_variance=trials_variance,
        placebo=placebo,
        events=ev_dates[inside],
        notes=tuple(notes),
    )
