"""High-level entry point: :func:`run_cross_section` -> :class:`CrossSectionResult`."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._frozen import pct, pvalue, readonly_mapping
from eventstudy._memory import small_pages
from eventstudy._threads import beside, resolve_threads
from eventstudy._typing import ReturnKind
from eventstudy._validation import check_choice, check_float, check_int
from eventstudy._warnings import find_stack_level
from eventstudy.crosssection.battery import (
    BatteryInputs,
    Convention,
    caar_variance_path,
    car_variance_path,
    daily_tests,
    window_tests,
)
from eventstudy.crosssection.engine import EventPanel, estimate_panel
from eventstudy.crosssection.inputs import (
    FACTOR_COLUMNS,
    AlignedEvents,
    align_events,
    check_column_units,
    check_no_full_day_move,
    check_return_units,
)
from eventstudy.crosssection.models import NormalReturnModel, get_model
from eventstudy.exceptions import (
    DataCoverageWarning,
    DataError,
    DroppedEventsWarning,
    OverlappingEventsWarning,
)
from eventstudy.results import TestResult

__all__ = ["CrossSectionResult", "run_cross_section"]


@dataclass(frozen=True, slots=True)
class CrossSectionResult:
    """Outcome of a classical cross-sectional event study.

    Attributes
    ----------
    model, convention
        Normal-return model name and test convention used.
    estimation, event_window
        Windows in trading days relative to day 0.
    events
        One row per kept event: ticker, date (as given), trading_date (day 0), moved,
        n_estimation, sigma, and the model parameters.
    ar, car, bhar
        Per-event frames (events x relative day): abnormal returns, cumulative abnormal
        returns (sum of available ARs from the window start), buy-and-hold abnormal returns
        Π(1+R) - Π(1+Rm) from the window start (NaN once a return is missing).
    car_variance
        Per-event CLM variance of the CAR over the whole event window (Series).
    caar
        Per relative day: aar, caar, se (from the estimation-window prediction-error
        variances, CLM 1997 eq. 4.4.22), se_cross_section, lower, upper (band at ``level``),
        n, mean_bhar.
    daily_tests
        relative day -> test name -> :class:`~eventstudy.results.TestResult`.
    window_tests
        (first, last) -> test name -> TestResult, for each CAR window.
    n_events_input, n_dropped, n_moved
        Counts: events given, dropped (``dropped_reasons`` says why), and of the events
        used, those moved to the next trading day because their date was not a trading day
        (the ``moved`` column of ``events``).

    ``daily_tests``, ``window_tests`` and ``dropped_reasons`` are read-only mappings; the
    frames and the series are the result's own (see :mod:`eventstudy._frozen` for the pandas
    policy).
    """

    model: str
    convention: str
    estimation: tuple[int, int]
    event_window: tuple[int, int]
    level: float
    events: pd.DataFrame
    ar: pd.DataFrame
    car: pd.DataFrame
    bhar: pd.DataFrame
    car_variance: pd.Series
    caar: pd.DataFrame
    daily_tests: Mapping[int, Mapping[str, TestResult]]
    window_tests: Mapping[tuple[int, int], Mapping[str, TestResult]]
    n_events_input: int
    n_dropped: int
    n_moved: int
    dropped_reasons: Mapping[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        """One line: model, windows and events (the fields hold every event's returns)."""
        return (
            f"<CrossSectionResult {self.model}: {self.n_events} of {self.n_events_input} events, "
            f"estimation {self.estimation}, event window {self.event_window}>"
        )

    def __post_init__(self) -> None:
        for name in ("daily_tests", "window_tests", "dropped_reasons"):
            object.__setattr__(self, name, readonly_mapping(getattr(self, name)))

    @property
    def n_events(self) -> int:
        """Number of events kept."""
        return len(self.events)

    def to_frame(self) -> pd.DataFrame:
        """Tidy statistics, one row per test of a day or a CAR window: ``scope`` (``"day"``
        or ``"window"``), ``period`` (the relative day, or ``"first..last"``: a label),
        ``start`` and ``end`` (the first and last relative day as integers, equal for a day),
        ``test``, ``statistic``, ``p_value``, ``distribution``, ``applicable`` and ``reason``
        (why the test could not run; empty when it ran)."""
        rows = []
        for day, tests in self.daily_tests.items():
            for name, r in tests.items():
                rows.append(("day", str(day), day, day, name, r))
        for (lo, hi), tests in self.window_tests.items():
            for name, r in tests.items():
                rows.append(("window", f"{lo}..{hi}", lo, hi, name, r))
        return pd.DataFrame(
            {
                "scope": [r[0] for r in rows],
                "period": [r[1] for r in rows],
                "start": np.array([r[2] for r in rows], dtype=np.int64),
                "end": np.array([r[3] for r in rows], dtype=np.int64),
                "test": [r[4] for r in rows],
                "statistic": [r[5].statistic for r in rows],
                "p_value": [r[5].p_value for r in rows],
                "distribution": [r[5].distribution for r in rows],
                "applicable": [r[5].applicable for r in rows],
                "reason": [r[5].reason for r in rows],
            }
        )

    def summary(self) -> str:
        """Text summary: counts, CAAR path and the window tests."""
        lines = [
            f"Cross-sectional event study: model={self.model}, convention={self.convention}",
            f"estimation {self.estimation}, event window {self.event_window}",
            f"events: {self.n_events_input} given, {self.n_events} used, {self.n_dropped} dropped "
            f"{dict(self.dropped_reasons)}, {self.n_moved} moved to the next trading day",
            "",
            self.caar[["aar", "caar", "lower", "upper", "n"]].to_string(
                float_format=lambda x: f"{x:.5f}"
            ),
        ]
        for (lo, hi), tests in self.window_tests.items():
            lines.append(f"\nCAR window {lo}..{hi}:")
            for name, r in tests.items():
                stat = f"{r.statistic:10.4f}  p={r.p_value:.4g}" if r.applicable else "n/a"
                lines.append(f"  {name:28s} {stat}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Notebook view: counts, the CAAR path in percent with its band, and the window tests
        (statistic, p-value, or why not applicable)."""
        import html

        head = (
            f"<p><b>Cross-sectional event study</b> ({html.escape(self.model)}, "
            f"{html.escape(self.convention)}): {self.n_events} events used, {self.n_dropped} "
            f"dropped, {self.n_moved} moved</p>"
        )
        c = self.caar
        path = pd.DataFrame(
            {
                "day": c.index,
                "n": c["n"].to_numpy(),
                "AAR": [pct(x) for x in c["aar"]],
                "CAAR": [pct(x) for x in c["caar"]],
                f"{self.level:.0%} band": [
                    f"[{pct(lo)}, {pct(hi)}]" for lo, hi in zip(c["lower"], c["upper"], strict=True)
                ],
            }
        )
        rows = [
            {
                "window": f"{lo}..{hi}",
                "test": name,
                "statistic": f"{r.statistic:.3f}" if r.applicable else "n/a",
                "p": pvalue(r.p_value) if r.applicable else f"n/a: {r.reason}",
            }
            for (lo, hi), tests in self.window_tests.items()
            for name, r in tests.items()
        ]
        return (
            head
            + "<p><b>CAAR path</b></p>"
            + path.to_html(index=False)
            + "<p><b>CAR window tests</b></p>"
            + pd.DataFrame(rows).to_html(index=False)
        )


def _check_tests(tests: Sequence[str]) -> tuple[str, ...]:
    from eventstudy.registry import tests_for

    if isinstance(tests, str):
        raise TypeError("tests must be a sequence of test names, not a string")
    valid = tests_for("cross_section")
    unknown = [t for t in tests if t not in valid]
    if unknown:
        raise ValueError(f"unknown cross-section tests {unknown}; valid: {list(valid)}")
    return tuple(tests)


def _as_window(name: str, w: Sequence[int]) -> tuple[int, int]:
    if not isinstance(w, Sequence) or isinstance(w, str) or len(w) != 2:
        raise TypeError(f"{name} must be a pair (first, last) of relative trading days, got {w!r}")
    a = check_int(f"{name}[0]", w[0])
    b = check_int(f"{name}[1]", w[1])
    if a > b:
        raise ValueError(f"{name} must have first <= last, got {w!r}")
    return a, b


def _prepare_returns(returns: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(returns, pd.DataFrame):
        raise TypeError(
            f"returns must be a wide DataFrame (dates x tickers), got {type(returns).__name__}"
        )
    if not isinstance(returns.index, pd.DatetimeIndex):
        raise DataError("returns must have a DatetimeIndex (use to_wide on a long panel)")
    if not returns.index.is_monotonic_increasing or returns.index.has_duplicates:
        raise DataError("returns index must be strictly increasing trading dates")
    return returns


def _warn_same_stock_overlaps(
    columns: np.ndarray,
    positions: np.ndarray,
    tickers: Sequence[str],
    calendar: pd.DatetimeIndex,
    est: tuple[int, int],
    evw: tuple[int, int],
) -> None:
    """Warn about events of one stock that meet another event of the same stock: event windows
    that overlap (the same days' abnormal returns enter the AAR twice) and an event window
    inside a later event's estimation window (its abnormal returns bias that event's model).

    Both are kept, as the caller listed them; MacKinlay (1997) treats overlapping events as a
    dependence problem, and the usual remedy is to drop one of each pair.  Counted by sorted
    search over (stock, trading day) keys, not pairs."""
    if positions.size < 2:
        return
    span = len(calendar) + 2 * (abs(est[0]) + abs(evw[1]) + 1)  # keys of two stocks never meet
    key = columns.astype(np.int64) * span + positions.astype(np.int64)
    order = np.sort(key)
    width = evw[1] - evw[0]
    near = np.searchsorted(order, key + width, "right") - np.searchsorted(order, key - width)
    overlap = near > 1  # another event of the stock within the window's length (itself is one)
    # an earlier event of the stock whose event window meets this one's estimation window
    lo, hi = key + est[0] - evw[1], key + est[1] - evw[0]
    inside = np.searchsorted(order, hi, "right") - np.searchsorted(order, lo) > 0
    if not (overlap.any() or inside.any()):
        return
    parts = []
    if overlap.any():
        i = int(np.flatnonzero(overlap)[0])
        parts.append(
            f"{int(overlap.sum())} event(s) whose event window overlaps another event's of the "
            f"same stock (e.g. {tickers[i]!r} on {calendar[positions[i]]:%Y-%m-%d}: the same "
            "days' abnormal returns enter the AAR twice)"
        )
    if inside.any():
        i = int(np.flatnonzero(inside)[0])
        parts.append(
            f"{int(inside.sum())} event(s) with an earlier event of the same stock inside "
            f"their estimation window (e.g. {tickers[i]!r} on "
            f"{calendar[positions[i]]:%Y-%m-%d}: its abnormal returns bias the model)"
        )
    warnings.warn(
        "; ".join(parts) + ". Kept as listed; drop one event of each such pair if that is not "
        "intended. Silence with warnings.filterwarnings('ignore', "
        "category=OverlappingEventsWarning)",
        OverlappingEventsWarning,
        stacklevel=find_stack_level(),
    )


def _warn_dates_without_data(returns: pd.DataFrame, market: pd.Series) -> None:
    """Warn, naming them, about dates after the first one with data on which no stock and not
    the market has a return: the windows count them as trading days.

    They are kept: from returns alone a weekend row of a calendar-day index cannot be told
    from the Monday after it, whose returns computed from prices are missing too (the close
    before it is), so dropping such dates moved events off real trading days.  The leading
    dates without data are not named (returns computed from prices start with one)."""
    has = np.isfinite(returns.to_numpy(dtype=float)).any(axis=1) | np.isfinite(
        market.to_numpy(dtype=float)
    )
    empty = ~has
    if has.any():
        empty[: int(np.argmax(has))] = False
    if empty.any():
        days = returns.index[empty]
        shown = ", ".join(f"{d:%Y-%m-%d} ({d:%a})" for d in days[:5])
        warnings.warn(
            f"returns: {int(empty.sum())} date(s) without a return for any stock or the market "
            f"({shown}{', ...' if empty.sum() > 5 else ''}): the windows count them as trading "
            "days. If the index holds calendar days, compute the returns from prices on "
            "trading days only (prices.dropna(how='all') first)",
            DataCoverageWarning,
            stacklevel=find_stack_level(),
        )


def _warn_window_gaps(
    ar_event: np.ndarray,
    rows: np.ndarray,
    offset: Any,
    design: Any,
    calendar: pd.DatetimeIndex,
) -> None:
    """Warn when the model's market return or a factor is missing on a date inside the kept
    events' windows: every event over that date loses its abnormal return there, and CARs
    and BHARs sum the days that have one, so a hole in the market series would silently
    remove the event day itself.  (A stock's own missing return is its data's gap, counted
    in the per-day ``n`` of the tables.)"""
    design = np.asarray(design, dtype=float)
    row_ok = np.isfinite(np.asarray(offset, dtype=float))
    if design.ndim == 2 and design.shape[1]:
        row_ok &= np.isfinite(design).all(axis=1)
    model = ~np.isfinite(ar_event) & ~row_ok[rows]
    if not model.any():
        return
    days = np.unique(rows[model])
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in calendar[days[:3]])
    more = f" and {days.size - 3} more" if days.size > 3 else ""
    events = int(model.any(axis=1).sum())
    warnings.warn(
        f"the model's market return or factors are missing on {shown}{more}, inside the "
        f"event windows of {events} of {ar_event.shape[0]} events: their abnormal returns "
        "there are missing, and CARs and BHARs sum the days that have one",
        DataCoverageWarning,
        stacklevel=find_stack_level(),
    )


def _warn_unused_factor_days(factor_dates: pd.DatetimeIndex, calendar: pd.DatetimeIndex) -> None:
    """Warn when the factors have trading days inside the returns' range that the returns'
    calendar lacks: their factor returns are not used.  If the returns of the next date span
    them (returns computed from prices on that calendar), the factors must span them too."""
    if len(calendar) < 2:
        return
    lacking = factor_dates[
        (factor_dates > calendar[0]) & (factor_dates < calendar[-1]) & ~factor_dates.isin(calendar)
    ]
    if lacking.empty:
        return
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in lacking[:5])
    warnings.warn(
        f"factors: {len(lacking)} date(s) inside the returns' range are not on the returns' "
        f"calendar ({shown}{', ...' if len(lacking) > 5 else ''}); their factor returns are not "
        "used. If the returns of the next date span them (returns computed from prices on "
        "this calendar), pass compound_factors(factors, returns.index) so that the factors "
        "span them too",
        DataCoverageWarning,
        stacklevel=find_stack_level(),
    )


def _refuse_infinite(
    values: np.ndarray, dates: pd.DatetimeIndex, names: Sequence[str], what: str
) -> None:
    """A :class:`DataError` naming the first infinite value (a missing return must be NaN)."""
    bad = np.isinf(values)
    if not bad.any():
        return
    row, col = (int(i[0]) for i in np.nonzero(bad.reshape(len(dates), -1)))
    more = int(bad.sum()) - 1
    raise DataError(
        f"{what} has an infinite value: {names[col]!r} on {dates[row]:%Y-%m-%d}"
        + (f" (and {more} more)" if more else "")
        + "; a missing return must be NaN"
    )


def run_cross_section(
    returns: pd.DataFrame,
    market: pd.Series,
    events: pd.DataFrame,
    *,
    model: str | NormalReturnModel = "market_model",
    estimation: tuple[int, int] = (-250, -11),
    event_window: tuple[int, int] = (-5, 5),
    min_estimation: int = 100,
    factors: pd.DataFrame | None = None,
    convention: Convention = "textbook",
    car_windows: Sequence[tuple[int, int]] | None = None,
    return_kind: ReturnKind = "simple",
    level: float = 0.95,
    tests: Sequence[str] | None = None,
    workers: int | None = None,
) -> CrossSectionResult:
    """Classical cross-sectional event study (Campbell, Lo & MacKinlay 1997, ch. 4).

    Parameters
    ----------
    returns
        Wide returns (trading dates x tickers, decimals; NaN = no return).  Its index is the
        trading calendar: windows count rows of it, never calendar days.
    market
        Market / benchmark return Series (decimals), aligned on the dates of ``returns``.
    events
        DataFrame with columns ``ticker, date``.  A date that is not a trading day moves to
        the next trading day (counted in ``n_moved``).
    model
        Registry name (``mean_adjusted``, ``market_adjusted``, ``market_model``, ``ff3``,
        ``carhart4``, ``ff5``) or a :class:`NormalReturnModel`.
    estimation, event_window
        (first, last) relative trading days, inclusive; the estimation window must end before
        the event window starts.
    min_estimation
        Events with fewer estimation observations are dropped (:class:`DroppedEventsWarning`),
        and so are events without any return in the event window or whose event window runs
        past the last date of ``returns`` (counted by reason in ``dropped_reasons``).
    factors
        Factor returns in DECIMALS (see :func:`factors_from_percent`) for factor models.
    convention
        ``"textbook"`` or ``"estudy2"`` (see :mod:`eventstudy.crosssection.battery`).
    car_windows
        CAR windows for the window tests; default: the whole event window.
    return_kind
        Whether ``returns``/``market`` are simple or log returns (used for BHAR only).
    level
        Confidence level of the CAAR band.
    tests
        Names of registered cross-section tests to run (``ar_*`` daily, ``car_*`` per CAR
        window; see ``eventstudy.inference.tests_for("cross_section")``); default: all.
    workers
        Threads that share the passes over blocks of events (fitting the models, the
        full-sample ranks and sums); default: one per core, up to 8.  The results are the
        same bits for any count: each block computes its own events, and sums over blocks
        are added in block order.  With more than one, a helper thread also makes the
        result's tables while this thread runs the tests (registered tests included).

    Returns
    -------
    CrossSectionResult

    Raises
    ------
    DataError
        Unknown ticker or event outside the data (message names ticker and date); no event
        left after dropping.
    ValueError
        Bad windows (overlapping, estimation shorter than ``min_estimation``), unknown model,
        ``workers`` below 1.
    TypeError
        ``workers`` not an integer.

    References
    ----------
    Campbell, J. Y., Lo, A. W. & MacKinlay, A. C. (1997), The Econometrics of Financial
    Markets, ch. 4.  Barber, B. M. & Lyon, J. D. (1997), JFE 43(3) (BHAR).
    """
    with small_pages():  # no compaction stalls for the panel's pages (see small_pages)
        return _run_cross_section(
            returns,
            market,
            events,
            model=model,
            estimation=estimation,
            event_window=event_window,
            min_estimation=min_estimation,
            factors=factors,
            convention=convention,
            car_windows=car_windows,
            return_kind=return_kind,
            level=level,
            tests=tests,
            workers=workers,
        )


def _run_cross_section(
    returns: pd.DataFrame,
    market: pd.Series,
    events: pd.DataFrame,
    *,
    model: str | NormalReturnModel,
    estimation: tuple[int, int],
    event_window: tuple[int, int],
    min_estimation: int,
    factors: pd.DataFrame | None,
    convention: Convention,
    car_windows: Sequence[tuple[int, int]] | None,
    return_kind: ReturnKind,
    level: float,
    tests: Sequence[str] | None,
    workers: int | None,
) -> CrossSectionResult:
    returns = _prepare_returns(returns)
    if not isinstance(market, pd.Series):
        raise TypeError(f"market must be a pandas Series, got {type(market).__name__}")
    check_return_units(returns.to_numpy(), "returns")
    check_column_units(returns, "returns")
    check_return_units(market.to_numpy(), "market")
    check_no_full_day_move(market, "market")
    mdl = get_model(model)
    est = _as_window("estimation", estimation)
    evw = _as_window("event_window", event_window)
    if est[1] >= evw[0]:
        raise ValueError(f"estimation window {est} must end before the event window {evw} starts")
    check_choice("convention", convention, ("textbook", "estudy2"))
    min_est = check_int("min_estimation", min_estimation)
    k = len(mdl.regressors)
    # Patell's variance of a t(L - K) SAR, (L - K)/(L - K - 2) (estudy2: L - 2), needs more
    # returns than that: fewer and Patell would leave the event out while BMP kept it
    fewest = k + 3 if convention == "textbook" else max(k + 3, 5)
    if min_est < fewest:
        raise ValueError(
            f"min_estimation must be >= {fewest} for the {mdl.name} model ({k} parameters, "
            f"{convention} convention), got {min_est}: the Patell variance of an event's "
            f"standardised abnormal return, (L - K)/(L - K - 2), needs L > K + 2 estimation "
            "returns" + (" (estudy2: L - 2 for K)" if convention == "estudy2" else "")
        )
    threads = resolve_threads(workers)
    if est[1] - est[0] + 1 < min_est:
        raise ValueError(
            f"estimation window {est} has {est[1] - est[0] + 1} trading days, fewer than "
            f"min_estimation={min_est}"
        )
    conv: Convention = convention
    check_choice("return_kind", return_kind, ("simple", "log"))
    level = check_float("level", level, minimum=0.0, maximum=1.0, strict_minimum=True)
    if tests is not None:
        tests = _check_tests(tests)
    windows = (
        [evw] if car_windows is None else [_as_window("car_windows[i]", w) for w in car_windows]
    )
    for w in windows:
        if w[0] < evw[0] or w[1] > evw[1]:
            raise ValueError(f"car window {w} must lie inside the event window {evw}")

    calendar = pd.DatetimeIndex(returns.index)
    mkt = market.copy()
    mkt.index = pd.DatetimeIndex(pd.to_datetime(mkt.index))
    mkt = mkt.reindex(calendar).astype(float)
    _warn_dates_without_data(returns, mkt)
    if factors is not None:
        factors = factors.copy()
        factors.index = pd.DatetimeIndex(pd.to_datetime(factors.index))
        _refuse_infinite(
            factors.to_numpy(dtype=float),
            factors.index,
            [str(c) for c in factors.columns],
            "factors",
        )
        check_no_full_day_move(
            factors[[c for c in factors.columns if c in FACTOR_COLUMNS]],
            "factors",
            fix="pass factors_from_percent(factors) for factors in percent",
        )
        _warn_unused_factor_days(factors.index, calendar)
    offset, design = mdl.design(mkt, factors)
    aligned = align_events(events, calendar, returns.columns)
    est_days = np.arange(est[0], est[1] + 1)
    ev_days = np.arange(evw[0], evw[1] + 1)
    values, market_values = returns.to_numpy(dtype=float), mkt.to_numpy(dtype=float)
    _refuse_infinite(values, calendar, [str(c) for c in returns.columns], "returns")
    _refuse_infinite(market_values, calendar, [str(market.name)], "market")
    panel = estimate_panel(
        values,
        market_values,
        np.asarray(offset, dtype=float),
        np.asarray(design, dtype=float),
        aligned.columns,
        aligned.positions,
        est_days,
        ev_days,
        workers=threads,
    )
    short = panel.n_est < min_est
    no_event = ~np.isfinite(panel.ar_event).any(axis=1)
    # an event window that runs past the last date would be summed over fewer days while
    # labelled with the full window: such events leave, counted
    past_end = aligned.positions + evw[1] >= len(calendar)
    drop = short | no_event | past_end
    reasons = {
        "short_estimation": int(short.sum()),
        "no_event_window_data": int((no_event & ~short).sum()),
        "event_window_past_data_end": int((past_end & ~no_event & ~short).sum()),
    }
    if drop.any():
        i = int(np.flatnonzero(drop)[0])
        warnings.warn(
            f"dropped {int(drop.sum())} of {drop.size} events "
            f"({ {k: v for k, v in reasons.items() if v} }; min_estimation="
            f"{min_est}); e.g. ticker {aligned.tickers[i]!r} on {aligned.trading_dates[i].date()} "
            f"has {int(panel.n_est[i])} estimation observations. Silence with "
            "warnings.filterwarnings('ignore', category=DroppedEventsWarning)",
            DroppedEventsWarning,
            stacklevel=find_stack_level(),
        )
    keep = ~drop
    if not keep.any():
        raise DataError(f"no event left after dropping: {reasons} (min_estimation={min_est})")
    if not keep.all():
        panel = panel.subset(keep)
    flat = np.flatnonzero(panel.sigma2 == 0.0)
    if flat.size:
        i = int(np.flatnonzero(keep)[flat[0]])
        warnings.warn(
            f"{flat.size} event(s) have no residual dispersion in their estimation window (e.g. "
            f"ticker {aligned.tickers[i]!r} on {aligned.trading_dates[i].date()}: a stale price "
            "or an exact fit): their abnormal returns cannot be standardised, so the Patell, "
            "BMP and Kolari-Pynnönen tests leave them out (their n counts the rest; "
            "n_without_dispersion in their details) while the other tests keep them",
            DataCoverageWarning,
            stacklevel=find_stack_level(),
        )
    _warn_same_stock_overlaps(
        aligned.columns[keep],
        aligned.positions[keep],
        [aligned.tickers[i] for i in np.flatnonzero(keep)],
        calendar,
        est,
        evw,
    )
    _warn_window_gaps(
        panel.ar_event,
        aligned.positions[keep][:, None] + ev_days[None, :],
        offset,
        design,
        calendar,
    )
    inputs = BatteryInputs(panel, conv, workers=threads)
    # the shared intermediates first: their passes over the panel keep every thread busy
    if threads > 1:
        _ = inputs.prep

    def battery() -> tuple[
        dict[int, dict[str, TestResult]], dict[tuple[int, int], dict[str, TestResult]]
    ]:
        daily = daily_tests(panel, tests=tests, inputs=inputs)
        return daily, {w: window_tests(panel, w, tests=tests, inputs=inputs) for w in windows}

    # the result's tables need the panel only: a helper thread makes them while this one runs
    # the tests (whose warnings and plugins stay in the caller's thread)
    (daily, wt), tables = beside(
        battery,
        lambda: _result_tables(panel, aligned, keep, mdl, level, return_kind, threads),
        threads,
    )
    return CrossSectionResult(
        model=mdl.name,
        convention=conv,
        estimation=est,
        event_window=evw,
        level=level,
        daily_tests=daily,
        window_tests=wt,
        n_events_input=int(keep.size),
        n_dropped=int((~keep).sum()),
        n_moved=int(aligned.moved[keep].sum()),  # of the events used, as the events table
        dropped_reasons={k: v for k, v in reasons.items() if v},
        **tables,
    )


def _column_mean(a: np.ndarray) -> np.ndarray:
    """Mean of the finite entries of each column; NaN (silently) for a column with none, e.g.
    an event day on which no security has a return (``np.nanmean`` warns there)."""
    ok = np.isfinite(a)
    n = ok.sum(axis=0)
    total = np.where(ok, a, 0.0).sum(axis=0)
    return np.divide(total, n, out=np.full(total.shape, np.nan), where=n > 0)


def _result_tables(
    panel: EventPanel,
    aligned: AlignedEvents,
    keep: np.ndarray,
    mdl: NormalReturnModel,
    level: float,
    return_kind: str,
    threads: int,
) -> dict[str, Any]:
    """The result's per-event and per-day tables (events, AR, CAR, BHAR, CAR variances, the
    CAAR path with its band), keyed by their :class:`CrossSectionResult` field."""
    from scipy import special  # not scipy.stats: 552 ms, benchmarks/bench_libraries.py

    days = panel.event_days
    ev = pd.DataFrame(
        {
            "ticker": aligned.tickers[keep],
            "date": aligned.dates[keep],
            "trading_date": aligned.trading_dates[keep],
            "moved": aligned.moved[keep],
            "n_estimation": panel.n_est,
            "sigma": np.sqrt(panel.sigma2),
        }
    )
    for j, name in enumerate(mdl.regressors):
        ev[f"param_{name}"] = panel.params[:, j]
    ev.index = pd.RangeIndex(len(ev), name="event")
    cols = pd.Index(days, name="relative_day")
    ar = pd.DataFrame(panel.ar_event, index=ev.index, columns=cols, copy=True)  # not the panel
    a = panel.ar_event
    fin = np.isfinite(a)
    # the CAAR path
    # (not np.add.reduce(..., where=): on one column numpy sums pairwise, and a mask splits
    # the pairs, so the bits would differ from the sums of the zeroed entries)
    n_t = fin.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        aar = np.where(fin, a, 0.0).sum(axis=0) / n_t
    caar = np.cumsum(np.nan_to_num(aar))
    # CARs, and their cross-sectional band before the frame's copy is made: at most two
    # (E, D) arrays at once
    car_arr = np.where(fin, a, 0.0)
    np.cumsum(car_arr, axis=1, out=car_arr)  # in place: one (E, D) array less at the peak
    car_arr[~np.logical_or.accumulate(fin, axis=1)] = np.nan  # before the first AR
    with np.errstate(invalid="ignore", divide="ignore"):
        # the deviations squared in place (one (E, D) temporary less)
        cm = _column_mean(car_arr) if car_arr.size else caar
        cfin = np.isfinite(car_arr)
        cdev = np.subtract(car_arr, cm, out=np.zeros_like(car_arr), where=cfin)
        np.square(cdev, out=cdev)
        cn = cfin.sum(axis=0)
        se_cs = np.sqrt(cdev.sum(axis=0) / (cn - 1)) / np.sqrt(cn)
        del cdev
    car = pd.DataFrame(car_arr, index=ev.index, columns=cols)
    del car_arr
    r = panel.returns
    m = panel.market
    # buy-and-hold abnormal returns, computed in place (two (E, D) arrays in all)
    # gross_r in column order, the layout of the copy pandas would make of it (below)
    gross_r, gross_m = np.empty(r.shape, order="F"), np.empty(m.shape)
    if return_kind == "log":
        np.cumsum(r, axis=1, out=gross_r)
        np.cumsum(m, axis=1, out=gross_m)
        np.exp(gross_r, out=gross_r)
        np.exp(gross_m, out=gross_m)
    else:
        np.add(1.0, r, out=gross_r)
        np.add(1.0, m, out=gross_m)
        np.cumprod(gross_r, axis=1, out=gross_r)
        np.cumprod(gross_m, axis=1, out=gross_m)
    gross_r -= gross_m
    del gross_m
    # the frame takes this call's own array without the copy pandas 3 makes by default (one
    # (E, D) array less at the call's peak); in column order, as that copy was, its column
    # means are summed in the same order
    bhar = pd.DataFrame(gross_r, index=ev.index, columns=cols, copy=False)
    # the band of the CAAR path from the CAR variances
    var_paths = car_variance_path(panel, threads)
    okv = np.isfinite(var_paths)
    with np.errstate(invalid="ignore", divide="ignore"):
        if bool(fin[np.isfinite(panel.sigma2)].all()):  # every event every day: Σ Var(CAR_i)/N²
            se = np.sqrt(np.where(okv, var_paths, 0.0).sum(axis=0)) / okv.sum(axis=0)
        else:  # the CAAR averages over the events present each day: weights 1/n_t
            se = np.sqrt(caar_variance_path(panel, threads))
            se[n_t == 0] = np.nan
    z = float(special.ndtri(0.5 + level / 2.0))  # scipy.stats.norm.ppf
    caar_df = pd.DataFrame(
        {
            "aar": aar,
            "caar": caar,
            "se": se,
            "se_cross_section": se_cs,
            "lower": caar - z * se,
            "upper": caar + z * se,
            "n": n_t,
            "mean_bhar": _column_mean(bhar.to_numpy()) if len(bhar) else np.nan,
        },
        index=cols,
    )
    car_var = pd.Series(var_paths[:, -1], index=ev.index, name="car_variance")
    return {
        "events": ev,
        "ar": ar,
        "car": car,
        "bhar": bhar,
        "car_variance": car_var,
        "caar": caar_df,
    }
