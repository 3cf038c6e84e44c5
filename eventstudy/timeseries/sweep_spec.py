"""``[sweep]``: the reasonable conventions of a time-series study, expanded into specifications.

A sweep varies parameters of the study's ``[signal]``, ``[events]`` and ``[evaluation]``
tables, named by their path (``"signal.k"``, ``"events.min_gap"``, ``"evaluation.return_kind"``):

.. code-block:: toml

    [sweep]
    tests = ["shift", "hac"]        # per-specification tests; the first gives the verdicts
                                    # (default: the default test, and HAC for the intervals)
    on_invalid = "error"            # or "skip": drop invalid combinations, counted
    direction = "positive"          # claimed sign of the effect (default "two-sided")
    shifts = 2000                   # common circular shifts of the joint null

    [sweep.grid]                    # one dimension per key, choices named by their value
    "signal.k" = [2.0, 2.5, 3.0, 3.5]
    "events.min_gap" = [1, 5, 21, 63]   # 1: no declustering

    [sweep.choices.sigma]           # one dimension with named choices, each a set of values
    full = { "signal.sigma" = "full", "signal.sigma_start" = 1980-01-01 }
    expanding = { "signal.sigma" = "expanding" }

    [[sweep.specifications]]        # and/or an explicit list
    name = "published"
    set = { "signal.k" = 3.0, "signal.sigma" = "full" }

The grid and the named choices form a cartesian product, in the order written; explicit
specifications are added after it.  Every specification is checked when the study is parsed:
its signal is built (the signal's own validation names the bad parameter), its events and
evaluation settings are checked, and an invalid one is an error naming the specification and
the parameter, or, with ``on_invalid = "skip"``, dropped and counted.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from eventstudy.config import freeze, thaw
from eventstudy.config._reader import Section
from eventstudy.exceptions import ConfigError
from eventstudy.inference.run import DEFAULT_TEST, timeseries_tests

__all__ = ["Dimension", "Specification", "SweepSpec", "parse_sweep"]

EVENT_KEYS = ("min_gap", "mode", "start", "end")
EVALUATION_KEYS = ("return_kind",)
MAX_SPECIFICATIONS = 100_000


@dataclass(frozen=True, slots=True)
class Dimension:
    """One axis of the sweep: named choices, each a mapping of parameter path -> value."""

    name: str
    choices: tuple[tuple[str, Mapping[str, Any]], ...]


@dataclass(frozen=True, slots=True)
class Specification:
    """One concrete set of conventions.

    Attributes
    ----------
    name
        ``"dim=choice,dim=choice"`` (or the explicit name).
    choices
        Dimension -> choice name.
    signal
        The full signal config (the base ``[signal]`` with this specification's settings).
    min_gap, mode, start, end
        Declustering and the event window.
    return_kind
        Forward-return kind of the evaluation.
    """

    name: str
    choices: Mapping[str, str]
    signal: Mapping[str, Any]
    min_gap: int | None
    mode: str
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    return_kind: str


@dataclass(frozen=True, slots=True)
class SweepSpec:
    """``[sweep]``, validated and expanded.

    Attributes
    ----------
    dimensions
        The axes (grid keys, then named choices), in the order written.
    specifications
        Every valid specification, in grid order, then the explicit ones.
    skipped
        ``(name, reason)`` of the invalid combinations dropped (``on_invalid = "skip"``).
    tests
        Tests run for each specification; the first gives each specification's verdict.
    on_invalid
        ``"error"`` or ``"skip"``.
    direction
        The claimed direction of the effect for the tests across specifications.
    shifts
        Number of common circular shifts in the joint null (evenly spaced, no randomness).
    """

    dimensions: tuple[Dimension, ...]
    specifications: tuple[Specification, ...]
    skipped: tuple[tuple[str, str], ...] = ()
    tests: tuple[str, ...] = (DEFAULT_TEST, "hac")
    on_invalid: Literal["error", "skip"] = "error"
    direction: Literal["positive", "negative", "two-sided"] = "two-sided"
    shifts: int = 2000

    @property
    def n_specifications(self) -> int:
        """Number of valid specifications."""
        return len(self.specifications)


def _label(value: Any) -> str:
    if isinstance(value, dt.date | pd.Timestamp):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def _check_path(where: str, path: Any) -> str:
    if not isinstance(path, str) or "." not in path:
        raise ConfigError(
            f"{where}: {path!r} is not a parameter path; write 'signal.<name>', "
            f"'events.<{'|'.join(EVENT_KEYS)}>' or 'evaluation.return_kind'"
        )
    table, key = path.split(".", 1)
    if table == "signal" and key and key not in ("type", "variant", "description"):
        return path
    if table == "events" and key in EVENT_KEYS:
        return path
    if table == "evaluation" and key in EVALUATION_KEYS:
        return path
    raise ConfigError(
        f"{where}: cannot sweep {path!r}; sweepable: any 'signal.<parameter>', "
        f"'events.{{{', '.join(EVENT_KEYS)}}}' and 'evaluation.return_kind'"
    )


def _settings(where: str, table: Any) -> dict[str, Any]:
    if not isinstance(table, Mapping) or not table:
        raise ConfigError(f"{where} must be a non-empty table of parameter path -> value")
    return {_check_path(where, k): v for k, v in table.items()}


def parse_sweep(
    doc: Mapping[str, Any],
    source: str,
    base_signal: Mapping[str, Any],
    events: Any,
    return_kind: str,
    default_test: str,
) -> SweepSpec | None:
    """Parse ``[sweep]`` against the study's base signal, events and evaluation settings."""
    if "sweep" not in doc:
        return None
    s = Section(
        doc["sweep"],
        f"{source}: [sweep]",
        ("grid", "choices", "specifications", "tests", "on_invalid", "direction", "shifts"),
    )
    direction = s.get_str("direction", "two-sided", choices=("positive", "negative", "two-sided"))
    shifts = s.get_int("shifts", 2000, minimum=99)
    on_invalid = s.get_str("on_invalid", "error", choices=("error", "skip"))
    valid_tests = timeseries_tests()
    # by default the study's default test, and HAC, whose standard error gives the intervals
    # of the specification curve
    tests = tuple(s.get_list("tests", list(dict.fromkeys([default_test, "hac"]))))
    for t in tests:
        if t not in valid_tests:
            raise s.error("tests", f"unknown test {t!r}; valid tests are {list(valid_tests)}")
    if not tests:
        raise s.error("tests", "name at least one test")
    dims: list[Dimension] = []
    for path, values in s.get_table("grid", {}).items():
        where = f"{s.where} grid"
        _check_path(where, path)
        if not isinstance(values, list | tuple) or not values:
            raise ConfigError(f"{where}: {path!r} must be a non-empty list of values")
        labels = [_label(v) for v in values]
        if len(set(labels)) != len(labels):
            raise ConfigError(f"{where}: {path!r} lists a value more than once: {list(values)}")
        dims.append(
            Dimension(
                path.split(".", 1)[1],
                tuple((lab, {path: v}) for lab, v in zip(labels, values, strict=True)),
            )
        )
    for dname, choices in s.get_table("choices", {}).items():
        where = f"{s.where} choices.{dname}"
        if not isinstance(choices, Mapping) or not choices:
            raise ConfigError(f"{where} must be a table of choice name -> settings")
        dims.append(
            Dimension(
                dname,
                tuple((c, _settings(f"{where}.{c}", t)) for c, t in choices.items()),
            )
        )
    names = [d.name for d in dims]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ConfigError(f"{s.where}: two dimensions are named {dup}; rename a [sweep.choices]")
    explicit = []
    for i, item in enumerate(s.get_list("specifications", [])):
        es = Section(item, f"{s.where} specifications #{i + 1}", ("name", "set"))
        explicit.append((es.get_str("name"), _settings(f"{es.where} set", es.get_table("set"))))
    if not dims and not explicit:
        raise ConfigError(f"{s.where}: give a grid, named choices or specifications to sweep")
    size = 1
    for d in dims:
        size *= len(d.choices)
    if size > MAX_SPECIFICATIONS:
        raise ConfigError(
            f"{s.where}: the grid has {size:,} specifications (more than {MAX_SPECIFICATIONS:,})"
        )
    candidates: list[tuple[str, dict[str, str], dict[str, Any]]] = []
    if dims:
        for combo in itertools.product(*(d.choices for d in dims)):
            settings: dict[str, Any] = {}
            for d, (cname, values) in zip(dims, combo, strict=True):
                for path, v in values.items():
                    if path in settings and settings[path] != v:
                        raise ConfigError(
                            f"{s.where}: dimensions set {path!r} twice ({settings[path]!r} and "
                            f"{v!r} in choice {d.name}={cname}); a parameter belongs to one "
                            "dimension"
                        )
                    settings[path] = v
            choice_names = {d.name: c[0] for d, c in zip(dims, combo, strict=True)}
            name = ",".join(f"{k}={v}" for k, v in choice_names.items())
            candidates.append((name, choice_names, settings))
    for name, settings in explicit:
        candidates.append((name, {"specification": name}, settings))
    seen: set[str] = set()
    specs: list[Specification] = []
    failed: list[tuple[str, str]] = []
    for name, choice_names, settings in candidates:
        if name in seen:
            raise ConfigError(f"{s.where}: two specifications are named {name!r}")
        seen.add(name)
        try:
            specs.append(_build(name, choice_names, settings, base_signal, events, return_kind))
        except (ConfigError, ValueError, TypeError) as exc:
            failed.append((name, str(exc)))
    if not specs:  # skipping would leave nothing: fix the parameter
        name, why = failed[0]
        raise ConfigError(f"{s.where}: every specification is invalid, e.g. {name!r}: {why}")
    if failed and on_invalid == "error":
        name, why = failed[0]
        raise ConfigError(
            f"{s.where}: specification {name!r} is invalid: {why} ({len(failed)} of "
            f'{len(candidates)} are; set on_invalid = "skip" to drop invalid combinations)'
        )
    skipped = failed
    return SweepSpec(
        dimensions=tuple(dims),
        specifications=tuple(specs),
        skipped=tuple(skipped),
        tests=tests,
        on_invalid=on_invalid,
        direction=direction,
        shifts=shifts,
    )


def _build(
    name: str,
    choices: Mapping[str, str],
    settings: Mapping[str, Any],
    base_signal: Mapping[str, Any],
    events: Any,
    return_kind: str,
) -> Specification:
    from eventstudy.signals import make_signal

    signal = dict(thaw(base_signal))
    ev: dict[str, Any] = {k: getattr(events, k) for k in EVENT_KEYS}
    rk = return_kind
    for path, value in settings.items():
        table, key = path.split(".", 1)
        if table == "signal":
            signal[key] = value
        elif table == "events":
            ev[key] = value
        else:
            rk = value
    try:
        make_signal(signal)
    except ConfigError as exc:
        raise ConfigError(f"signal: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise ValueError(f"signal: {exc}") from None
    gap = ev["min_gap"]
    if gap is not None and (isinstance(gap, bool) or not isinstance(gap, int) or gap < 1):
        raise ValueError(
            f"events.min_gap must be an integer >= 1 (1: no declustering), got {gap!r}"
        )
    if ev["mode"] not in ("first", "episode"):
        raise ValueError(f"events.mode must be 'first' or 'episode', got {ev['mode']!r}")
    for key in ("start", "end"):
        v = ev[key]
        if v is not None and not isinstance(v, dt.date | pd.Timestamp):
            # an ISO string, as everywhere else in a study (Section.get_date)
            try:
                v = dt.date.fromisoformat(v) if isinstance(v, str) else None
            except ValueError:
                v = None
            if v is None:
                raise ValueError(
                    f"events.{key} must be a date (a TOML date or 'YYYY-MM-DD'), got {ev[key]!r}"
                )
        ev[key] = None if v is None else pd.Timestamp(v)
    if ev["start"] is not None and ev["end"] is not None and ev["start"] >= ev["end"]:
        raise ValueError(f"events.start {ev['start'].date()} is not before events.end")
    if rk not in ("simple", "log"):
        raise ValueError(f"evaluation.return_kind must be 'simple' or 'log', got {rk!r}")
    return Specification(
        name=name,
        choices=freeze(dict(choices)),
        signal=freeze(signal),
        min_gap=gap,
        mode=ev["mode"],
        start=ev["start"],
        end=ev["end"],
        return_kind=rk,
    )
