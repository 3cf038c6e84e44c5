"""Check parsed facts against loaded series: one :class:`FactResult` per :class:`FactSpec`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, cast

import numpy as np
import pandas as pd

from eventstudy.data import DataStore
from eventstudy.data.align import first_change_after, sparse_stretches
from eventstudy.data.records import LoadedSeries
from eventstudy.exceptions import ConfigError, DataError
from eventstudy.facts import compute as c
from eventstudy.facts.results import FactResult
from eventstudy.facts.spec import FACT_KINDS, FactSpec

__all__ = ["Inputs", "NotCheckable", "check_fact", "missing_sessions"]


class NotCheckable(Exception):
    """Raised inside a kind's check when the data cannot answer the fact (the message says
    why): :func:`check_fact` turns it into a "not checkable" verdict with that reason."""


def missing_sessions(
    last: pd.Timestamp, wanted: pd.Timestamp, others: pd.DatetimeIndex | None = None
) -> pd.DatetimeIndex:
    """The sessions after a series' ``last`` date up to ``wanted`` that it lacks.

    A session is a weekday that is neither a US federal holiday nor Good Friday, or any date
    on which another series of the same kind (``others``) has a close.  A weekend or a
    holiday gap is therefore not a missing day (Friday's close serves a Monday Labor Day),
    while a missing Monday before a Tuesday is (a blanket four calendar days let it through).
    The federal calendar closes on Columbus and Veterans Day, when stocks trade: such a day
    counts as missing only when another series has it.  When other series reach ``wanted``,
    their dates are the calendar: a weekday none of them has is a closure (the NYSE's day of
    mourning 2025-01-09, Easter Monday for a London index beside London ones), not a
    missing day.
    """
    from pandas.tseries.holiday import GoodFriday, USFederalHolidayCalendar

    start = last + pd.Timedelta(days=1)
    if wanted < start:
        return pd.DatetimeIndex([])
    if others is not None and len(others) and others.max() >= wanted:
        return pd.DatetimeIndex(others[(others >= start) & (others <= wanted)])
    days = pd.bdate_range(start, wanted)
    closed = (
        USFederalHolidayCalendar()
        .holidays(start, wanted)
        .union(pd.DatetimeIndex(GoodFriday.dates(start, wanted)))
    )
    out = days.difference(closed)
    if others is not None:
        out = out.union(others[(others >= start) & (others <= wanted)])
    return pd.DatetimeIndex(out)


def _stale(name: str, last: pd.Timestamp, wanted: pd.Timestamp, gap: pd.DatetimeIndex) -> str:
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in gap[:3]) + (" ..." if len(gap) > 3 else "")
    return (
        f"{name} ends on {last:%Y-%m-%d}, before {wanted:%Y-%m-%d}: no close for {len(gap)} "
        f"trading day{'s' if len(gap) != 1 else ''} up to it ({shown})"
    )


def _not_daily(
    s: pd.Series, first: pd.Timestamp, last: pd.Timestamp, name: str, what: str
) -> pd.Timestamp | None:
    """Refuse a fact that counts rows across a stretch of ``s`` that is not daily.

    ``first``..``last`` are the first and last dates the fact reads.  A non-daily stretch
    (:func:`~eventstudy.data.align.sparse_stretches`: month-end or weekly history, as FRED's
    RU2000GPR before 1993-05-31) with a step inside that span makes the fact not checkable,
    naming the series and the stretch: there an "N-day" move or window is N months.  Returns
    the last date of the latest stretch that ends on or before ``first`` (the history before
    it is not daily), or ``None`` when there is none.
    """
    stretches = sparse_stretches(pd.DatetimeIndex(s.index))
    if not len(stretches):
        return None
    inside = stretches[(stretches["first"] < last) & (stretches["last"] > first)]
    if len(inside):
        row = inside.iloc[0]
        raise NotCheckable(
            f"{what} reads {name} from {first:%Y-%m-%d} to {last:%Y-%m-%d}, but the series is "
            f"not daily from {row['first']:%Y-%m-%d} to {row['last']:%Y-%m-%d} (median gap "
            f"{row['median_gap']:.0f} calendar days, {int(row['rows'])} dates): its rows there "
            f"are not trading days, so the count would be of months; it is daily from "
            f"{row['last']:%Y-%m-%d}"
        )
    before = stretches["last"][stretches["last"] <= first]
    return pd.Timestamp(before.iloc[-1]) if len(before) else None


class Inputs:
    """What facts are checked against: loaded series by alias, the kinds of the series
    (``"price"`` or ``"level"``), what could not be loaded, and the data store (for panels).

    Parameters
    ----------
    series
        Alias -> loaded series.
    kinds
        Alias -> ``"price"`` or ``"level"``.
    missing
        Alias -> why it could not be loaded (e.g. the file is not in the data directory).
    store
        The data store, for breadth panels.
    """

    def __init__(
        self,
        series: Mapping[str, LoadedSeries],
        kinds: Mapping[str, str],
        missing: Mapping[str, str],
        store: DataStore | None,
    ) -> None:
        self.series = dict(series)
        self.kinds = dict(kinds)
        self.missing = dict(missing)
        self.store = store
        self._panels: dict[tuple[str, str, int], pd.Series] = {}
        self._frames: dict[str, pd.DataFrame] = {}

    def get(self, alias: str, wanted: pd.Timestamp | None) -> tuple[pd.Series, str]:
        """The series and its label.

        Raises :class:`NotCheckable` when the series ends before ``wanted`` (the last date
        the fact reads) with a trading day missing in between (:func:`missing_sessions`, with
        the dates of the other series of the same kind as the calendar).
        """
        loaded = self.series[alias]
        s = loaded.data
        label = f"{alias} ({loaded.info.name})"
        last = pd.Timestamp(s.index[-1])
        if wanted is not None and last < wanted:
            kind = self.kinds.get(alias)
            others = [
                v.data.index
                for a, v in self.series.items()
                if a != alias and self.kinds.get(a) == kind
            ]
            calendar: pd.DatetimeIndex | None = None
            for index in others:
                dates = pd.DatetimeIndex(index)
                calendar = dates if calendar is None else calendar.union(dates)
            gap = missing_sessions(last, pd.Timestamp(wanted), calendar)
            if len(gap):
                raise NotCheckable(_stale(label, last, pd.Timestamp(wanted), gap))
        return s, label

    def panel(self, panel: str) -> pd.DataFrame:
        """A panel's wide closes (loaded once per panel)."""
        if panel not in self._frames:
            if self.store is None:
                raise DataError("breadth facts need a data store")
            self._frames[panel] = self.store.load_panel(panel).data
        return self._frames[panel]

    def breadth(self, panel: str, measure: str, window: int) -> pd.Series:
        """A breadth series from a panel (computed once per panel, measure and window)."""
        key = (panel, measure, window)
        if key not in self._panels:
            from eventstudy.data.study_data import load_breadth

            if self.store is None:
                raise DataError("breadth facts need a data store")
            self._panels[key] = load_breadth(
                self.store, panel=panel, measure=measure, window=window
            ).data
        return self._panels[key]


_UNITS = {"return": "%", "move": "%", "calendar_rank": "%", "breadth": "share", "signal": ""}
"""The unit of a kind's numbers (a change's is its own ``unit``)."""


_ROUNDING = 1e-12
"""Slack for floating-point rounding in the comparisons (1.25 * 1.2 / 1.25 - 1 < 0.2)."""


def _verdict(checks: list[tuple[str, bool]]) -> str:
    return "reproduced" if all(ok for _, ok in checks) else "not reproduced"


def _checked(
    base: dict[str, Any],
    series: str,
    computed: float,
    unit: str,
    checks: list[tuple[str, bool]],
    detail: str,
    values: dict[str, Any],
    *,
    look_ahead: bool = False,
) -> FactResult:
    """The result of a checked fact: the verdict is that of its checks."""
    return FactResult(
        **base,
        series=series,
        computed=computed,
        unit=unit,
        verdict=_verdict(checks),
        checks=tuple(checks),
        detail=detail,
        look_ahead=look_ahead,
        values=values,
    )


def _size_check(
    fact: FactSpec,
    computed: float,
    fmt: Callable[[float], str],
    *,
    fall: bool = False,
) -> list[tuple[str, bool]]:
    """The size part of a claim, with its tolerance in the number's own unit.

    ``fall``: the claim is about the size of a fall (a ``move`` with ``direction = "loss"``,
    whose ``claimed`` and computed moves are negative): ``at_least`` -0.10 ("fell more than
    10%") holds when the move is -0.10 or lower.  An ``"about"`` claim with a sign is also
    checked for that sign: a claimed loss is never reproduced by a gain, however wide the
    tolerance.  A computed 0.0 is neither: within the tolerance it reproduces a small claimed
    move of either sign (+0.4 bp ± 1 bp).
    """
    assert fact.claimed is not None
    claimed = fact.claimed
    tol = fact.tolerance + _ROUNDING
    width = _tol_text(fact.tolerance, fmt)
    slack = f" (tolerance {width})" if fact.tolerance else ""
    if fact.claim in ("at_least", "at_most"):
        bigger = (fact.claim == "at_least") != fall  # "at least" a fall is "at most" a move
        word = "least" if fact.claim == "at_least" else "most"
        if fall:  # "a fall of at least 10.00%": the size of the fall
            label = f"a fall of at {word} {fmt(-claimed).lstrip('+')}{slack}"
        else:
            label = f"at {word} {fmt(claimed)}{slack}"
        ok = computed >= claimed - tol if bigger else computed <= claimed + tol
        checks = [(label, ok)]
    else:
        checks = [(f"within {width} of {fmt(claimed)}", abs(computed - claimed) <= tol)]
    if fall:
        checks.append(("a fall (the move is negative)", computed < 0))
    elif fact.claim == "about" and claimed * computed < 0:
        checks.append((f"a {'rise' if claimed > 0 else 'fall'}, as claimed", False))
    return checks


def _tol_text(tol: float, fmt: Callable[[float], str]) -> str:
    """A tolerance in words: percentage points for percent numbers (0.005 is 0.50 pp, never
    "0.50%", which reads as relative)."""
    shown = fmt(tol).lstrip("+")
    if shown.endswith("%"):
        digits = len(shown.split(".")[1]) - 1 if "." in shown else 0
        return f"{tol * 100:.{digits}f} pp"
    return shown


def _pct(x: float) -> str:
    return f"{x:+.2%}"


def check_fact(fact: FactSpec, inputs: Inputs) -> FactResult:
    """Check one fact.

    A fact whose series the data directory lacks is "not checkable" (the series named); a
    series that ends before the fact's as-of date raises :class:`DataError`.
    """
    base: dict[str, Any] = {
        "id": fact.id,
        "kind": fact.kind,
        "text": fact.text,
        "source": fact.source,
        "as_of": fact.as_of,
        "tolerance": fact.tolerance,
        "claimed": fact.claimed,
        "claim": fact.claim,
    }
    p = fact.params
    if fact.kind == "unverifiable":
        needs = f" (needs {p['needs']})" if p["needs"] else ""
        return FactResult(
            **base,
            series="",
            computed=None,
            unit="",
            verdict="not checkable",
            detail=f"{p['reason']}{needs}",
        )
    wanted = [p["series"]] if isinstance(p.get("series"), str) else list(p.get("series", []))
    lacking = [a for a in wanted if a in inputs.missing]
    if lacking:
        return FactResult(
            **base,
            series=", ".join(wanted),
            computed=None,
            unit="",
            verdict="not checkable",
            detail="; ".join(inputs.missing[a] for a in lacking),
        )
    fn = _KINDS[fact.kind]
    try:
        return fn(fact, inputs, base)
    except NotCheckable as why:
        return FactResult(
            **base,
            series=", ".join(_label(inputs, a) for a in wanted) if wanted else "",
            computed=None,
            unit=_unit(fact),
            verdict="not checkable",
            detail=str(why),
        )


def _unit(fact: FactSpec) -> str:
    return str(fact.params["unit"]) if fact.kind == "change" else _UNITS.get(fact.kind, "")


def _label(inputs: Inputs, alias: str) -> str:
    loaded = inputs.series.get(alias)
    return alias if loaded is None else f"{alias} ({loaded.info.name})"


def _wanted(fact: FactSpec) -> pd.Timestamp | None:
    """The last date a fact reads: its ``to``/``on``/``date``, a month's end, or its as-of."""
    p = fact.params
    for key in ("to", "on", "date"):
        if isinstance(p.get(key), pd.Timestamp):
            return pd.Timestamp(p[key])
    if isinstance(p.get("month"), str) and fact.as_of is not None:
        end = pd.Period(p["month"], freq="M").end_time.normalize()
        return min(end, pd.Timestamp(fact.as_of))
    return fact.as_of


def _window_anchors(
    fact: FactSpec, s: pd.Series, name: str
) -> tuple[c.Anchor, c.Anchor, list[str], dict[str, Any]]:
    """Base and end closes of a return or change fact, notes and values for the record."""
    p = fact.params
    notes: list[str] = []
    values: dict[str, Any] = {}
    if "month" in p:
        base, end, partial = c.month_bounds(s, p["month"], as_of=fact.as_of, name=name)
        if partial:
            notes.append(f"partial month: the month to date, to {end.date:%Y-%m-%d}")
        values["partial_month"] = partial
        return base, end, notes, values
    wanted = pd.Timestamp(p.get("to", fact.as_of))
    end = c.close_on(s, wanted, name=name)
    if end.date != wanted:
        notes.append(f"{wanted:%Y-%m-%d} is not a trading day: end close of {end.date:%Y-%m-%d}")
    start = p["from"]
    if isinstance(start, pd.Timestamp):
        base = c.close_on(s, start, name=name)
        if base.date != start:
            notes.append(
                f"{start:%Y-%m-%d} is not a trading day: base close of {base.date:%Y-%m-%d}"
            )
    elif start in ("low", "high"):
        base = c.extreme(s, end, start, window=p["window"], since=p["since"], name=name)
        span = (
            f"of the last {p['window']} trading days"
            if p["window"]
            else f"since {p['since']:%Y-%m-%d}"
        )
        if p["window"]:
            stop = int(s.index.searchsorted(end.date, side="right"))
            first = pd.Timestamp(s.index[stop - int(p["window"])])
        else:
            first = pd.Timestamp(p["since"])
        _not_daily(s, first, end.date, name, f"the {start} {span}")
        notes.append(f"the {start} {span} was {base}")
        values[f"{start}_date"] = f"{base.date:%Y-%m-%d}"
    else:
        period = cast(c.Period, start.removesuffix("_start"))
        at = pd.Timestamp(p.get("to", fact.as_of))
        first = c.period_start(at, period)
        if end.date < first:  # as of a holiday or weekend before the period's first close
            raise NotCheckable(
                f"no close of {name} in the {period} of {at:%Y-%m-%d} (from {first:%Y-%m-%d}) "
                f"by {at:%Y-%m-%d}: the {period} to date has no trading day yet (last close "
                f"{end.date:%Y-%m-%d})"
            )
        base = c.base_of_period(s, at, period, name=name)
    return base, end, notes, values


def _price_arithmetic(fact: FactSpec, inputs: Inputs, what: str) -> None:
    """Refuse percent changes of a series that is not a price: a level (a yield) or returns."""
    alias = fact.params["series"]
    kind = inputs.kinds.get(alias)
    if kind == "level":
        raise ConfigError(
            f"fact {fact.id!r}: {alias!r} is a level (a yield or a rate): {what} of a level mean "
            "nothing; use kind = 'change' (basis points). An index quoted in percent whose "
            "percent changes are meant (the VIX) can be declared kind = 'price' in [data.series]"
        )
    if kind == "return":
        raise ConfigError(_of_returns(fact, what))


def _of_returns(fact: FactSpec, what: str) -> str:
    alias = fact.params["series"]
    return (
        f"fact {fact.id!r}: {alias!r} is a series of returns (percent per period, e.g. "
        f"Fama-French factors), not of closes: {what} would treat each day's return as a "
        "close; facts do not compound return series, so check the claim against the index "
        "the returns come from"
    )


def _return(fact: FactSpec, inputs: Inputs, base: dict[str, Any]) -> FactResult:
    p = fact.params
    s, label = inputs.get(p["series"], _wanted(fact))
    _price_arithmetic(fact, inputs, "percent returns")
    start, end, notes, values = _window_anchors(fact, s, label)
    computed = end.value / start.value - 1.0
    checks: list[tuple[str, bool]] = []
    if fact.claimed is not None:
        checks.extend(_size_check(fact, computed, _pct))
    if p.get("claimed_date") is not None:
        when = p["claimed_date"]
        what = f"the {p['from']}" if p["from"] in ("low", "high") else "the base close"
        found = "" if start.date == when else f" (it is on {start.date:%Y-%m-%d})"
        checks.append((f"{what} on {when:%Y-%m-%d}{found}", start.date == when))
    detail = f"{start} to {end}"
    if notes:
        detail += "; " + "; ".join(notes)
    values.update({"base_date": f"{start.date:%Y-%m-%d}", "end_date": f"{end.date:%Y-%m-%d}"})
    return _checked(base, label, computed, "%", checks, detail, values)


def _change(fact: FactSpec, inputs: Inputs, base: dict[str, Any]) -> FactResult:
    p = fact.params
    s, label = inputs.get(p["series"], _wanted(fact))
    if inputs.kinds.get(p["series"]) == "return":
        raise ConfigError(_of_returns(fact, "changes between two of its values"))
    if inputs.kinds.get(p["series"]) == "price" and p["unit"] == "bp":
        raise ConfigError(
            f"fact {fact.id!r}: {p['series']!r} is a price: basis points of a price mean "
            "nothing; use kind = 'return' (percent), or unit = 'pt' and scale = 1 (index points)"
        )
    start, end, notes, values = _window_anchors(fact, s, label)
    computed = (end.value - start.value) * p["scale"]
    unit = p["unit"]
    checks: list[tuple[str, bool]] = []
    if fact.claimed is not None:
        checks.extend(_size_check(fact, computed, lambda x: f"{x:+.1f} {unit}"))
    detail = f"{start.value:.3f} on {start.date:%Y-%m-%d} to {end.value:.3f} on {end.date:%Y-%m-%d}"
    if notes:
        detail += "; " + "; ".join(notes)
    values.update({"base_date": f"{start.date:%Y-%m-%d}", "end_date": f"{end.date:%Y-%m-%d}"})
    return _checked(base, label, computed, unit, checks, detail, values)


def _move(fact: FactSpec, inputs: Inputs, base: dict[str, Any]) -> FactResult:
    p = fact.params
    s, label = inputs.get(p["series"], _wanted(fact))
    _price_arithmetic(fact, inputs, "N-day percent moves")
    on = p["on"] if p["on"] is not None else fact.as_of
    rec = c.move_record(s, on, p["days"], p["direction"], since=p["since"], name=label)
    first = rec.start.date if p["since"] is None else min(rec.start.date, p["since"])
    daily_from = _not_daily(s, first, rec.end.date, label, f"the {p['days']}-day move")
    if daily_from is not None:  # month-end history before: its "moves" are not compared
        s = s.loc[daily_from:]
        rec = c.move_record(s, on, p["days"], p["direction"], since=p["since"], name=label)
    if p["since"] is not None:
        moves = s / s.shift(p["days"]) - 1.0
        first_end = first_change_after(moves, p["since"])  # the rule the move signal applies
        if first_end is not None:
            raise NotCheckable(
                f"'largest since {p['since']:%Y-%m-%d}' needs the {p['days']}-day moves from "
                f"then; the first in {label} ends on {first_end:%Y-%m-%d} (data from "
                f"{s.index[0]:%Y-%m-%d})"
            )
        compared = moves.loc[p["since"] : rec.end.date].iloc[:-1]
        if not int((compared.notna() & (compared.index > p["since"])).sum()):
            raise NotCheckable(
                f"'largest since {p['since']:%Y-%m-%d}' compares the {p['days']}-day moves "
                f"that ended after {p['since']:%Y-%m-%d} and before {rec.end.date:%Y-%m-%d}: "
                "there are none, so there is no earlier move to be the largest against"
            )
    checks: list[tuple[str, bool]] = []
    if fact.claimed is not None:
        checks.extend(_size_check(fact, rec.move, _pct, fall=p["direction"] == "loss"))
        if p["direction"] == "loss" and fact.claim != "about":
            base = {**base, "claim": f"fall_{fact.claim}"}
    word = "gain" if p["direction"] == "gain" else "loss"
    if p["since"] is not None:
        since = p["since"]
        if rec.larger_since:
            first = rec.larger_since[-1]
            checks.append(
                (
                    f"largest {p['days']}-day {word} since {since:%Y-%m-%d} "
                    f"(larger on {first[0]:%Y-%m-%d}: {first[1]:+.2%})",
                    False,
                )
            )
        else:
            checks.append((f"largest {p['days']}-day {word} since {since:%Y-%m-%d}", True))
    detail = f"{p['days']}-day move {rec.start.date:%Y-%m-%d} to {rec.end.date:%Y-%m-%d}: {rec.move:+.2%}"
    if rec.last_larger is not None:
        detail += f"; last at least as large: {rec.last_larger[1]:+.2%} ending {rec.last_larger[0]:%Y-%m-%d}"
    else:
        detail += "; the largest in the data"
    if daily_from is not None:
        detail += (
            f"; {label} is not daily before {daily_from:%Y-%m-%d}: moves before it are not compared"
        )
    values = {
        "start_date": f"{rec.start.date:%Y-%m-%d}",
        "end_date": f"{rec.end.date:%Y-%m-%d}",
        "last_larger_date": None if rec.last_larger is None else f"{rec.last_larger[0]:%Y-%m-%d}",
        "last_larger": None if rec.last_larger is None else rec.last_larger[1],
        "larger_since": [[f"{d:%Y-%m-%d}", v] for d, v in rec.larger_since],
    }
    return _checked(base, label, rec.move, "%", checks, detail, values)


def _calendar_rank(fact: FactSpec, inputs: Inputs, base: dict[str, Any]) -> FactResult:
    p = fact.params
    s, label = inputs.get(p["series"], _wanted(fact))
    _price_arithmetic(fact, inputs, "monthly percent returns")
    cr = c.calendar_rank(
        s, p["month"], since=p["since"], order=p["order"], as_of=fact.as_of, name=label
    )
    month_name = cr.month.strftime("%B")
    months = _plural(month_name)
    year, since = cr.month.year, p["since"]
    if since >= year:
        raise NotCheckable(
            f"since = {since} is not before {year}: no earlier {month_name} to rank against"
        )
    asked = range(since + 1, year)
    lacking = [y for y in asked if y not in cr.history]
    if lacking:
        have = [y for y in asked if y in cr.history]
        first = f"; the first with data is {have[0]}" if have and have[0] > lacking[0] else ""
        raise NotCheckable(
            f"{label} has the {month_name} of only {len(have)} of the {len(asked)} years "
            f"{since + 1}-{year - 1} that 'since {since}' ranks against (missing: "
            f"{_years(lacking)}{first})"
        )
    checks: list[tuple[str, bool]] = []
    if fact.claimed is not None:
        checks.extend(_size_check(fact, cr.value, _pct))
    tie = f", tied with {', '.join(map(str, cr.tied))}" if cr.tied else ""
    checks.append(
        (
            f"{p['order']} {month_name} since {p['since']} (rank {cr.rank} of {cr.compared}{tie})",
            cr.rank == 1 and not cr.tied,
        )
    )
    if cr.partial:  # a month to date is not ranked among whole months
        checks.append(
            (
                f"a whole {month_name} (only the month to date is known, to {cr.end.date:%Y-%m-%d})",
                False,
            )
        )
    detail = f"{month_name} {cr.month.year}: {cr.value:+.2%}, rank {cr.rank} of {cr.compared} {months} {p['since'] + 1}-{cr.month.year}"
    if cr.last_better is not None:
        word = "better" if p["order"] == "best" else "worse"
        detail += f"; last {word}: {cr.last_better[0]} ({cr.last_better[1]:+.2%})"
    if cr.partial:
        detail += "; partial month (month to date)"
    values = {
        "rank": cr.rank,
        "compared": cr.compared,
        "last_better_year": None if cr.last_better is None else cr.last_better[0],
        "last_better": None if cr.last_better is None else cr.last_better[1],
        "partial_month": cr.partial,
    }
    return _checked(base, label, cr.value, "%", checks, detail, values)


def _plural(month_name: str) -> str:
    return month_name + ("es" if month_name.endswith("ch") else "s")


def _years(years: list[int]) -> str:
    """``[1951, 1952, ..., 1986, 1990]`` as ``"1951-1986, 1990"``."""
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}" if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _signal(fact: FactSpec, inputs: Inputs, base: dict[str, Any]) -> FactResult:
    from eventstudy.config import thaw
    from eventstudy.signals import compute_checked, make_signal

    p = fact.params
    frames = {}
    labels = []
    for alias in p["series"]:
        s, label = inputs.get(alias, fact.as_of)
        frames[alias] = s
        labels.append(label)
    union = pd.DataFrame(frames)
    if fact.as_of is not None:  # nothing after the fact's date: a full-sample sigma included
        union = union.loc[: fact.as_of]
    empty = [str(col) for col in union if not union[col].notna().any()]
    if empty:  # a series that starts after the fact's date
        first = {a: f"{frames[a].index[0]:%Y-%m-%d}" for a in empty if len(frames[a])}
        raise NotCheckable(
            f"{', '.join(empty)} has no close up to {fact.as_of:%Y-%m-%d}"
            + (f" (it starts on {', '.join(first.values())})" if first else "")
        )
    prices = union.dropna()
    start = max(pd.Timestamp(union[col].dropna().index[0]) for col in union)
    common = union.loc[start:]
    dropped = len(common) - len(prices)  # dates inside the common span one series lacks
    try:
        result = compute_checked(make_signal(thaw(p["signal"])), prices)
    except DataError as exc:  # what the data cannot answer ('since' before it), as a move fact
        raise NotCheckable(f"signal: {exc}") from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise ConfigError(f"fact {fact.id!r}: signal: {exc}") from exc
    date = p["date"]
    if date not in result.value.index:
        raise DataError(  # the caller names the fact
            f"{date:%Y-%m-%d} is not a trading day of the aligned series {p['series']}"
        )
    value = float(result.value.loc[date])
    fired = bool(result.trigger.loc[date])
    checks: list[tuple[str, bool]] = [(f"an event on {date:%Y-%m-%d}", fired)]
    if fact.claimed is not None and np.isfinite(value):
        checks.extend(_size_check(fact, value, lambda x: f"{x:.2f}"))
    thr = "" if result.threshold is None else f" (threshold {result.threshold:g})"
    detail = f"{result.description}; value on {date:%Y-%m-%d}: {value:.2f}{thr}"
    if dropped:
        detail += (
            f"; {dropped} dates on which one of {', '.join(p['series'])} has no close left "
            f"out ({len(prices)} aligned dates from {prices.index[0]:%Y-%m-%d})"
        )
    if result.look_ahead:
        detail += "; uses full-sample statistics (look-ahead)"
    return _checked(
        base,
        ", ".join(labels),
        value,
        "",
        checks,
        detail,
        {"event": fired, "threshold": result.threshold, "dates_dropped": dropped},
        look_ahead=result.look_ahead,
    )


LONG_RUN_YEARS = 10
"""The shortest history whose average a fact's ``claimed_average`` (a "long-run" average) is
checked against: over a shorter span the average is of one market phase (the S&P 500 panel's
2013-12-11..2015-08-07, 20 months of one bull market, averages 73%), not a long run."""


def _count_row(frame: pd.DataFrame, date: pd.Timestamp) -> dict[str, int]:
    """One date's row of :func:`~eventstudy.breadth.breadth_counts`, as ints."""
    row = frame.to_numpy()[int(frame.index.searchsorted(date))]
    return {str(k): int(v) for k, v in zip(frame.columns, row.tolist(), strict=True)}


def _stocks(counts: dict[str, int], window: int, hit: str) -> str:
    """``256 of 468 above; 30 of 498 with a close left out: ...`` for a breadth detail."""
    parts = [f"{counts['hits']} of {counts['counted']} {hit}"]
    out = [
        f"{n} with fewer than {window} closes in the {window} trading days to the date"
        if key == "short_history"
        else f"{n} with no close on the date (one on the trading day before)"
        for key in ("short_history", "missing")
        if (n := int(counts[key]))
    ]
    left = int(counts["short_history"]) + int(counts["missing"])
    if left:
        listed = int(counts["closes"]) + int(counts["missing"])
        parts.append(f"{left} of {listed} stocks left out: " + ", ".join(out))
    else:
        parts.append("no stock left out")
    return "; ".join(parts)


def _breadth(fact: FactSpec, inputs: Inputs, base: dict[str, Any]) -> FactResult:
    from eventstudy.breadth import breadth_counts

    p = fact.params
    s = inputs.breadth(p["panel"], p["measure"], p["window"])
    label = f"{p['measure']}({p['window']}) of {p['panel']}"
    date = p["date"] if p["date"] is not None else fact.as_of
    if date is not None and s.index[-1] < date:
        gap = missing_sessions(pd.Timestamp(s.index[-1]), pd.Timestamp(date))
        if len(gap):
            raise NotCheckable(_stale(f"panel {p['panel']!r}", s.index[-1], date, gap))
    prices = inputs.panel(p["panel"])
    if date is not None and pd.Timestamp(date) < s.index[0]:
        raise DataError(  # the caller names the fact
            f"{label} is defined from {s.index[0]:%Y-%m-%d}, after {date:%Y-%m-%d}: it needs "
            f"{p['window']} trading days of closes and the panel starts on "
            f"{prices.index[0]:%Y-%m-%d}"
        )
    at = c.close_on(s, date, name=label)
    history = s.loc[: at.date]
    average = float(history.mean())
    counts = _count_row(breadth_counts(prices, measure=p["measure"], window=p["window"]), at.date)
    hit = {"share_above_ma": "above", "share_at_high": "at a high", "share_at_low": "at a low"}
    values: dict[str, Any] = {
        "date": f"{at.date:%Y-%m-%d}",
        "long_run_average": average,
        "average_from": f"{history.index[0]:%Y-%m-%d}",
        "stocks": counts,
    }
    own = ""
    if p["measure"] == "share_above_ma":  # the rule with each stock's own closes, for scale
        alt = breadth_counts(prices, measure=p["measure"], window=p["window"], own_closes=True)
        mine = _count_row(alt, at.date)
        if mine["counted"]:
            share = mine["hits"] / mine["counted"]
            values["own_closes"] = {"share": share, **mine}
            if mine["counted"] != counts["counted"]:
                own = (
                    f"; averaging each stock's own last {p['window']} closes (its missing "
                    f"rows skipped): {share:.1%}, {mine['hits']} of {mine['counted']}"
                )
    checks: list[tuple[str, bool]] = []
    if fact.claimed is not None:
        checks.extend(_size_check(fact, at.value, lambda x: f"{x:.1%}"))
    side = "below" if at.value < average else "at or above"
    span = f"{history.index[0]:%Y-%m-%d}..{at.date:%Y-%m-%d}"
    detail = (
        f"{at.value:.1%} on {at.date:%Y-%m-%d} ({_stocks(counts, p['window'], hit[p['measure']])}"
        f"{own}), {side} its average {average:.1%} over {span}"
    )
    short = False
    if p["claimed_average"] is not None:
        years = (at.date - history.index[0]).days / 365.25
        if history.index[0] + pd.DateOffset(years=LONG_RUN_YEARS) > at.date:
            short = True
            detail += (
                f"; the claimed long-run average {p['claimed_average']:.1%} is not checkable: "
                f"the history is {span} ({years:.1f} years), shorter than the "
                f"{LONG_RUN_YEARS} years a long-run average is checked against"
            )
        else:
            # the average is a rounded figure ("the long-run 57%"): a bound on the share
            # ("fewer than 60%", tolerance 0 unless given) does not make it exact
            tol = fact.tolerance if fact.claim == "about" else FACT_KINDS["breadth"][1]
            ok = abs(average - p["claimed_average"]) <= tol + _ROUNDING
            checks.append(
                (
                    f"long-run average {average:.1%} within {tol * 100:.1f} pp of "
                    f"{p['claimed_average']:.1%}",
                    ok,
                )
            )
    result = _checked(base, label, at.value, "share", checks, detail, values)
    if short and result.verdict == "reproduced":  # a part that fails still fails the fact
        result = replace(result, verdict="not checkable")
    return result


_KINDS: dict[str, Callable[[FactSpec, Inputs, dict[str, Any]], FactResult]] = {
    "return": _return,
    "change": _change,
    "move": _move,
    "calendar_rank": _calendar_rank,
    "signal": _signal,
    "breadth": _breadth,
}
