"""The cross-section study config: ``[cross_section]`` parsed into a frozen
:class:`CrossSectionSpec`, validated before any data is read (see ``docs/cross-section.md``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from eventstudy.config import StudyConfig, freeze
from eventstudy.config._reader import Section
from eventstudy.crosssection.models import MODELS, needs_factors
from eventstudy.exceptions import ConfigError
from eventstudy.facts.spec import FactSpec, parse_facts
from eventstudy.registry import TESTS, tests_for

__all__ = ["SECTIONS", "CrossSectionSpec", "CrossSectionStudyConfig", "parse_cross_section"]

SECTIONS = ("cross_section", "facts")
"""The top-level tables of a cross-section study besides ``[study]`` and ``[data]``."""


@dataclass(frozen=True, slots=True)
class CrossSectionSpec:
    """The ``[cross_section]`` table of a ``kind = "cross_section"`` study, validated.

    Exactly one event source is set: ``event_date`` (with ``tickers``), ``events_file`` or
    ``event_signal``.  Windows are ``(first, last)`` relative trading days, inclusive; the
    estimation window ends before the event window starts and every CAR window lies inside
    the event window.  See ``docs/cross-section.md`` for the meaning of each key.
    """

    panel: str
    market: str
    event_date: pd.Timestamp | None = None
    tickers: Literal["all"] | tuple[str, ...] = "all"
    events_file: str | None = None
    event_signal: Mapping[str, Any] | None = None
    event_min_gap: int = 21
    model: str = "market_model"
    factors: tuple[str, ...] = ()
    estimation: tuple[int, int] = (-250, -11)
    event_window: tuple[int, int] = (-5, 5)
    min_estimation: int = 100
    return_kind: Literal["simple", "log"] = "simple"
    convention: Literal["textbook", "estudy2"] = "textbook"
    car_windows: tuple[tuple[int, int], ...] = ()
    level: float = 0.95
    tests: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class CrossSectionStudyConfig(StudyConfig):
    """A validated ``kind = "cross_section"`` study."""

    cross_section: CrossSectionSpec
    facts: tuple[FactSpec, ...] = ()


def parse_cross_section(
    doc: Mapping[str, Any], source: str, common: Mapping[str, Any]
) -> CrossSectionStudyConfig:
    """Parse the cross-section sections of a study document (``common`` from ``parse_header``)."""
    for key in ("signal", "variants", "evaluation", "claims"):
        if key in doc:
            raise ConfigError(f"{source}: [{key}] does not apply to kind = 'cross_section'")
    aliases = {s.alias for s in common["data"].series}
    facts = (
        parse_facts(doc["facts"], source, aliases=sorted(aliases), as_of=None, in_note=False)
        if "facts" in doc
        else ()
    )
    return CrossSectionStudyConfig(
        **common, cross_section=_parse_table(doc, source, aliases), facts=facts
    )


_CS_KEYS = (
    "panel",
    "market",
    "events_file",
    "event_date",
    "event_signal",
    "event_min_gap",
    "tickers",
    "model",
    "factors",
    "estimation",
    "event_window",
    "min_estimation",
    "return_kind",
    "convention",
    "car_windows",
    "level",
    "tests",
)


def _cs_window(sec: Section, key: str, value: Any) -> tuple[int, int]:
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise sec.error(key, f"must be two integers [first, last] in trading days, got {value!r}")
    first, last = int(value[0]), int(value[1])
    if first > last:
        raise sec.error(key, f"first day {first} is after last day {last}: write [{last}, {first}]")
    return first, last


def _parse_table(doc: Mapping[str, Any], source: str, aliases: set[str]) -> CrossSectionSpec:
    """Validate ``[cross_section]`` at parse time: keys, types, windows, model, event source."""
    sec = Section(doc.get("cross_section", {}), f"{source}: [cross_section]", _CS_KEYS)
    given = [k for k in ("events_file", "event_date", "event_signal") if sec.has(k)]
    if len(given) != 1:
        raise ConfigError(
            f"{sec.where}: give exactly one of 'events_file', 'event_date' or 'event_signal'"
            + (f" (got {', '.join(given)})" if given else "")
        )
    market = sec.get_str("market")
    if market not in aliases:
        raise sec.error("market", f"{market!r} is not a [data.series] alias ({sorted(aliases)})")
    tickers: Any = sec.get_raw("tickers", "all")
    if isinstance(tickers, list | tuple):
        if not tickers or not all(isinstance(t, str) and t.strip() for t in tickers):
            raise sec.error(
                "tickers", f"must be a non-empty list of ticker strings, got {tickers!r}"
            )
        dupes = sorted({t for t in tickers if list(tickers).count(t) > 1})
        if dupes:
            raise sec.error("tickers", f"lists {dupes} more than once")
        tickers = tuple(t.strip() for t in tickers)
    elif tickers != "all":
        raise sec.error("tickers", f'must be "all" or a list of tickers, got {tickers!r}')
    if sec.has("tickers") and not sec.has("event_date"):
        raise sec.error(
            "tickers", "applies to event_date only (an events file or signal names the stocks)"
        )
    model = sec.get_str("model", "market_model")
    if model not in MODELS:
        raise sec.error(
            "model", f"must be one of {MODELS.names()}, got {model!r}{MODELS.why_missing(model)}"
        )
    factors_raw: Any = sec.get_raw("factors", ())
    factors = (factors_raw,) if isinstance(factors_raw, str) else factors_raw
    if not isinstance(factors, list | tuple) or not all(isinstance(f, str) for f in factors):
        raise sec.error("factors", f"must be a table name or a list of them, got {factors_raw!r}")
    if needs_factors(MODELS[model]) and not factors:
        raise sec.error(
            "factors", f'model {model!r} needs factor tables, e.g. "fama_french:ff3_factors_daily"'
        )
    estimation = _cs_window(sec, "estimation", sec.get_raw("estimation", [-250, -11]))
    event_window = _cs_window(sec, "event_window", sec.get_raw("event_window", [-5, 5]))
    if estimation[1] >= event_window[0]:
        raise sec.error(
            "estimation",
            f"window {list(estimation)} must end before the event window {list(event_window)} starts",
        )
    car_windows = tuple(_cs_window(sec, "car_windows", w) for w in sec.get_list("car_windows", []))
    for w in car_windows:
        if w[0] < event_window[0] or w[1] > event_window[1]:
            raise sec.error(
                "car_windows",
                f"window {list(w)} is not inside the event window {list(event_window)}",
            )
    level = sec.get_float("level", 0.95)
    if not 0.0 < level < 1.0:
        raise sec.error("level", f"must lie strictly between 0 and 1, got {level}")
    signal = sec.get_table("event_signal", None)
    tests = None
    if sec.has("tests"):
        tests = tuple(sec.get_list("tests"))
        valid = tests_for("cross_section")
        for t in tests:
            if not isinstance(t, str) or t not in valid:
                hint = (
                    " (a time-series test)"
                    if isinstance(t, str) and t in TESTS
                    else TESTS.why_missing(t)
                )
                raise sec.error("tests", f"unknown test {t!r}{hint}; valid tests are {list(valid)}")
        if not tests:
            raise sec.error("tests", "must name at least one test")
    return CrossSectionSpec(
        panel=sec.get_str("panel"),
        market=market,
        event_date=sec.get_date("event_date", None),
        tickers=tickers,
        events_file=sec.get_str("events_file", None),
        event_signal=None if signal is None else freeze(dict(signal)),
        event_min_gap=sec.get_int("event_min_gap", 21, minimum=1),
        model=model,
        factors=tuple(factors),
        estimation=estimation,
        event_window=event_window,
        min_estimation=sec.get_int("min_estimation", 100, minimum=2),
        return_kind=sec.get_str("return_kind", "simple", choices=("simple", "log")),
        convention=sec.get_str("convention", "textbook", choices=("textbook", "estudy2")),
        car_windows=car_windows,
        level=level,
        tests=tests,
    )
