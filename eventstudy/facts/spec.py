"""``[[facts]]``: parse a note's or a study's checkable facts into frozen :class:`FactSpec`.

Every fact has a ``kind``, the ``text`` of the claim as the note wrote it, a ``source`` line,
an ``as_of`` date (default: the note's), the ``claimed`` value and a ``tolerance``.  The kinds
and their own keys are listed in :data:`FACT_KINDS` and documented with examples in
``docs/study-config.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import pandas as pd

from eventstudy.config._reader import Section
from eventstudy.config.study import BREADTH_MEASURES, freeze
from eventstudy.exceptions import ConfigError

__all__ = ["FACT_KINDS", "FactSpec", "parse_facts"]

_COMMON = ("kind", "id", "text", "source", "as_of", "claimed", "tolerance", "claim")
_ANCHORS = ("year_start", "quarter_start", "month_start", "week_start", "low", "high")

FACT_KINDS: dict[str, tuple[tuple[str, ...], float, str]] = {
    # kind: (own keys, default tolerance, one-line description)
    "return": (
        ("series", "from", "to", "month", "window", "since", "claimed_date"),
        0.005,
        "percent change of a price series between two closes: dates, year/quarter/month/"
        "week to date, a calendar month, or from the lowest/highest close",
    ),
    "change": (
        ("series", "from", "to", "month", "window", "since", "scale", "unit"),
        0.5,
        "change of a level (a yield, a spread) between two closes, in basis points",
    ),
    "move": (
        ("series", "days", "direction", "on", "since"),
        0.005,
        "an N-day move and whether it is the largest since a date",
    ),
    "calendar_rank": (
        ("series", "month", "since", "order"),
        0.005,
        "a calendar month's return and its rank among the same month of past years",
    ),
    "signal": (
        ("signal", "date", "series"),
        0.05,
        "whether a date is an event under a signal, with the signal's value that day",
    ),
    "breadth": (
        ("panel", "measure", "window", "date", "claimed_average"),
        0.01,
        "the share of a panel's stocks above their N-day average (or at N-day highs) on a "
        "date, against its own long-run average",
    ),
    "unverifiable": (
        ("reason", "needs"),
        0.0,
        "a fact the data cannot check, listed with the reason",
    ),
}


@dataclass(frozen=True, slots=True)
class FactSpec:
    """One parsed ``[[facts]]`` entry.

    Attributes
    ----------
    kind
        One of :data:`FACT_KINDS`.
    id
        Short name (default ``fact_<n>``).
    text
        The claim as the note wrote it.
    source
        Where it was published.
    as_of
        The date it speaks of (the note's ``as_of`` unless set).
    claimed
        The claimed number (decimal for returns and shares, basis points for changes, the
        signal's value for signals); ``None`` when only the verdict parts are claimed.
    tolerance
        Largest accepted |computed - claimed|: the kind's default for ``claim = "about"``,
        0 for a bound unless given.
    claim
        ``"about"`` (within tolerance), ``"at_least"`` ("more than 11.5%": computed >=
        claimed - tolerance) or ``"at_most"``.
    params
        The kind's own keys, frozen.
    """

    kind: str
    id: str
    text: str
    source: str
    as_of: pd.Timestamp | None
    claimed: float | None
    tolerance: float
    claim: Literal["about", "at_least", "at_most"]
    params: Mapping[str, Any]


def _month(sec: Section, key: str = "month") -> str:
    month = sec.get_str(key)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise sec.error(key, f"must look like 'YYYY-MM', got {month!r}")
    return str(month)


def _date_or(value: Any, where: str, key: str, words: Sequence[str] = ()) -> Any:
    sec = Section({key: value}, where, (key,))
    if isinstance(value, str) and value in words:
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return pd.Period(value, freq="M").end_time.normalize()  # "YYYY-MM": its last day
    try:
        return sec.get_date(key)
    except ConfigError:
        extra = f", 'YYYY-MM' or one of {list(words)}" if words else " or 'YYYY-MM'"
        raise ConfigError(
            f"{where}: key {key!r}: must be a date YYYY-MM-DD{extra}, got {value!r}"
        ) from None


def parse_facts(
    entries: Any,
    source: str,
    *,
    aliases: Sequence[str],
    as_of: pd.Timestamp | None,
    in_note: bool = True,
) -> tuple[FactSpec, ...]:
    """Parse the ``[[facts]]`` array of tables of ``source``.

    Parameters
    ----------
    entries
        The raw array (a list of tables).
    source
        File name, for messages.
    aliases
        The series aliases of ``[data.series]``: a fact's ``series`` must be one of them.
    as_of
        The note's ``as_of`` (each fact may override it).
    in_note
        ``True`` in a note (``[note]`` may give the ``as_of`` of every fact), ``False`` in a
        study, whose facts each give their own.

    Raises
    ------
    ConfigError
        Naming the file, the fact and the key.
    """
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: facts must be an array of tables ([[facts]])")
    out: list[FactSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{source}: [[facts]] #{i} must be a table")
        kind = entry.get("kind")
        if kind not in FACT_KINDS:
            raise ConfigError(
                f"{source}: [[facts]] #{i}: key 'kind' must be one of {list(FACT_KINDS)}, "
                f"got {kind!r}"
            )
        own, default_tol, _ = FACT_KINDS[kind]
        where = f"{source}: [[facts]] #{i} ({kind})"
        sec = Section(entry, where, _COMMON + own)
        fid = sec.get_str("id", f"fact_{i}")
        if fid in seen:
            raise sec.error("id", f"{fid!r} is used by another fact")
        seen.add(fid)
        where = f"{source}: [[facts]] {fid!r}"
        sec = Section(entry, where, _COMMON + own)
        params = _params(kind, sec, where, aliases)
        needs = {
            "return": ("claimed", "claimed_date"),
            "change": ("claimed",),
            "move": ("claimed", "since"),
            "breadth": ("claimed", "claimed_average"),
        }.get(kind, ())
        if needs and not any(sec.has(k) for k in needs):
            raise ConfigError(
                f"{where}: nothing to check: give {' or '.join(repr(k) for k in needs)}"
            )
        # a bound ("more than 11.5%") is exact unless the note gives a tolerance: the kind's
        # default is for rounded figures ("about 7%")
        claim = sec.get_str("claim", "about", choices=("about", "at_least", "at_most"))
        fact_as_of = sec.get_date("as_of", as_of)
        if fact_as_of is None and kind != "unverifiable":
            fix = "give the fact an as_of, or [note] one" if in_note else "give the fact an as_of"
            raise ConfigError(f"{where}: no as_of date ({fix})")
        if fact_as_of is not None:
            _not_after(params, fact_as_of, where)
        claimed = sec.get_float("claimed", None)
        if kind == "move" and params["direction"] == "loss" and claimed is not None and claimed > 0:
            raise sec.error(
                "claimed",
                f"a loss is claimed as the signed move: claimed = {-claimed:g} for a fall of "
                f"{claimed:.0%}, got {claimed:g} (claim = 'at_least' for 'fell more than')",
            )
        out.append(
            FactSpec(
                kind=kind,
                id=fid,
                text=sec.get_str("text", ""),
                source=sec.get_str("source", ""),
                as_of=fact_as_of,
                claimed=claimed,
                tolerance=_tolerance(sec, default_tol if claim == "about" else 0.0),
                claim=claim,
                params=freeze(params),
            )
        )
    return tuple(out)


_DATED = ("from", "to", "on", "date", "month")
"""Keys that name a date a fact reads: none may be after its as-of date."""


def _not_after(params: Mapping[str, Any], as_of: pd.Timestamp, where: str) -> None:
    """Refuse a date after the fact's as-of date: nothing after it is read, so a claim about a
    later date would otherwise be checked with data the note could not have had."""
    for key in _DATED:
        value = params.get(key)
        if key == "month" and isinstance(value, str):
            first = pd.Period(value, freq="M").start_time.normalize()
            if first > as_of:
                raise ConfigError(
                    f"{where}: key 'month': {value} begins after the fact's as-of date "
                    f"{as_of:%Y-%m-%d}; nothing after the as-of date is read (give the fact "
                    "the as_of it speaks of)"
                )
        elif isinstance(value, pd.Timestamp) and value > as_of:
            raise ConfigError(
                f"{where}: key {key!r}: {value:%Y-%m-%d} is after the fact's as-of date "
                f"{as_of:%Y-%m-%d}; nothing after the as-of date is read (give the fact "
                f"as_of = {value:%Y-%m-%d} if it speaks of that date)"
            )


def _strings(value: Any) -> set[str]:
    """Every string in a (nested) table: the aliases a signal table may name."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, Mapping):
        return set().union(*(_strings(v) for v in value.values()))
    if isinstance(value, list | tuple):
        return set().union(*(_strings(v) for v in value))
    return set()


def _tolerance(sec: Section, default: float) -> float:
    tol = float(sec.get_float("tolerance", default))
    if tol < 0:
        raise sec.error("tolerance", f"must be >= 0, got {tol:g}")
    return tol


def _series(sec: Section, aliases: Sequence[str]) -> str:
    name = sec.get_str("series")
    if name not in aliases:
        raise sec.error(
            "series", f"{name!r} is not a [data.series] alias; aliases are {sorted(aliases)}"
        )
    return str(name)


def _params(kind: str, sec: Section, where: str, aliases: Sequence[str]) -> dict[str, Any]:
    p: dict[str, Any] = {}
    if kind in ("return", "change"):
        p["series"] = _series(sec, aliases)
        if sec.has("month") and (sec.has("from") or sec.has("to")):
            raise ConfigError(f"{where}: give 'month' or 'from'/'to', not both")
        if sec.has("month"):
            p["month"] = _month(sec)
        elif sec.has("from"):
            p["from"] = _date_or(sec.get_raw("from"), where, "from", _ANCHORS)
        else:
            raise ConfigError(
                f"{where}: give 'from' (a date or one of {list(_ANCHORS)}) or 'month'"
            )
        if sec.has("to"):
            p["to"] = _date_or(sec.get_raw("to"), where, "to")
            start, stop = p.get("from"), p["to"]
            if isinstance(start, pd.Timestamp) and isinstance(stop, pd.Timestamp) and stop <= start:
                raise sec.error("to", f"{stop:%Y-%m-%d} is not after from = {start:%Y-%m-%d}")
        if p.get("from") in ("low", "high"):
            if sec.has("window") == sec.has("since"):
                raise ConfigError(
                    f"{where}: from = {p['from']!r} needs exactly one of 'window' (trading "
                    "days) or 'since' (a date)"
                )
            p["window"] = sec.get_int("window", None, minimum=1)
            p["since"] = sec.get_date("since", None)
        elif sec.has("window") or sec.has("since"):
            raise ConfigError(f"{where}: 'window'/'since' only go with from = 'low' or 'high'")
        if kind == "return":
            p["claimed_date"] = sec.get_date("claimed_date", None)
        else:
            p["scale"] = sec.get_float("scale", 100.0)
            p["unit"] = sec.get_str("unit", "bp")
    elif kind == "move":
        p["series"] = _series(sec, aliases)
        p["days"] = sec.get_int("days", minimum=1)
        p["direction"] = sec.get_str("direction", "gain", choices=("gain", "loss"))
        p["on"] = sec.get_date("on", None)
        p["since"] = _date_or(sec.get_raw("since"), where, "since") if sec.has("since") else None
    elif kind == "calendar_rank":
        p["series"] = _series(sec, aliases)
        p["month"] = _month(sec)
        raw = sec.get_raw("since") if sec.has("since") else None
        if isinstance(raw, date) and not isinstance(raw, bool):
            raise sec.error(
                "since",
                f"must be a year (since = {raw.year} for 'the best since {raw.year}'), got the "
                f"date {raw:%Y-%m-%d}",
            )
        p["since"] = sec.get_int("since")
        p["order"] = sec.get_str("order", "best", choices=("best", "worst"))
    elif kind == "signal":
        table = sec.get_table("signal")
        if "type" not in table:
            raise sec.error("signal", "must be a signal table with a 'type' (see [signal])")
        p["signal"] = dict(table)
        p["date"] = sec.get_date("date")
        # default: the aliases the signal names (an unrelated series would drop its dates)
        named = [a for a in aliases if a in _strings(table)]
        names = sec.get_list("series", named or list(aliases))
        bad = [n for n in names if n not in aliases]
        if bad:
            raise sec.error(
                "series", f"{bad} are not [data.series] aliases; aliases are {sorted(aliases)}"
            )
        p["series"] = list(names)
    elif kind == "breadth":
        p["panel"] = sec.get_str("panel")
        p["measure"] = sec.get_str(
            "measure",
            "share_above_ma",
            choices=[m for m in BREADTH_MEASURES if m != "advance_decline"],
        )
        p["window"] = sec.get_int("window", 200, minimum=2)
        p["date"] = sec.get_date("date", None)
        p["claimed_average"] = sec.get_float("claimed_average", None)
    else:  # unverifiable
        p["reason"] = sec.get_str("reason")
        p["needs"] = sec.get_str("needs", "")
    return p
