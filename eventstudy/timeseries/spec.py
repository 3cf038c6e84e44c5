"""The time-series study config: ``[signal]``, ``[[variants]]``, ``[events]``, ``[evaluation]``,
``[inference]`` and ``[[claims]]`` parsed into a frozen :class:`TimeSeriesStudyConfig`.

The key reference with a complete example is ``docs/study-config.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from eventstudy.backtest.spec import BacktestSpec, parse_backtest
from eventstudy.config import StudyConfig, freeze
from eventstudy.config._reader import Section
from eventstudy.exceptions import ConfigError
from eventstudy.facts.spec import FactSpec, parse_facts
from eventstudy.inference.run import ALL_TESTS, DEFAULT_TEST, default_for, timeseries_tests
from eventstudy.registry import TESTS
from eventstudy.timeseries.sweep_spec import SweepSpec, parse_sweep

__all__ = [
    "CLAIM_TOLERANCE",
    "DEFAULT_HORIZONS",
    "SECTIONS",
    "Claim",
    "EvaluationConfig",
    "EventsConfig",
    "InferenceConfig",
    "TargetSpec",
    "TimeSeriesStudyConfig",
    "Variant",
    "parse_time_series",
]

DEFAULT_HORIZONS: tuple[tuple[str, int], ...] = (("1m", 21), ("3m", 63), ("6m", 126), ("12m", 252))
SECTIONS = (
    "signal",
    "variants",
    "events",
    "evaluation",
    "inference",
    "claims",
    "facts",
    "sweep",
    "backtest",
)
"""The top-level tables of a time-series study besides ``[study]`` and ``[data]``."""


@dataclass(frozen=True, slots=True)
class EventsConfig:
    """``[events]``: declustering and the window in which events count."""

    min_gap: int | None = None
    mode: Literal["first", "episode"] = "first"
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """A forward-return target: one series, or one relative to another."""

    name: str
    series: str
    relative_to: str | None = None
    relative: Literal["difference", "ratio"] = "difference"
    kind: Literal["return", "level"] = "return"
    """``"level"``: the series is a level (a yield, a spread, a share) and its moves are
    changes, in basis points for percent units, else in points."""


@dataclass(frozen=True, slots=True)
class EvaluationConfig:
    """``[evaluation]``: targets, horizons and the average path."""

    targets: tuple[TargetSpec, ...]
    horizons: tuple[tuple[str, int], ...] = DEFAULT_HORIZONS
    return_kind: Literal["simple", "log"] = "simple"
    path_pre: int = 21
    path_post: int = 252
    split: tuple[pd.Timestamp, ...] | Literal["decade"] | None = None


@dataclass(frozen=True, slots=True)
class InferenceConfig:
    """``[inference]``: which tests, how many draws, the default test and the adjustments."""

    tests: tuple[str, ...] = ALL_TESTS
    default_test: str = DEFAULT_TEST
    draws: int = 10_000
    bootstrap_reps: int = 2_000
    placebo_stratify: Literal["none", "year", "month"] = "none"
    multiple_testing: tuple[str, ...] = ("holm", "fdr_bh")
    alpha: float = 0.05
    size_draws: int = 1000
    """Circular shifts of the events behind the size on this data (0: not computed; the
    default of a sweep)."""
    power_effect: tuple[tuple[str, float], ...] = ()
    """Horizon label -> the effect (in the target's units) the power is computed against."""

    def __post_init__(self) -> None:
        if self.default_test not in self.tests:
            raise ValueError(
                f"default_test {self.default_test!r} is not among the tests run "
                f"{list(self.tests)}: name one of them (a study file picks the first of them "
                "in the calibration's order when it names none)"
            )


@dataclass(frozen=True, slots=True)
class Variant:
    """One signal variant (the base ``[signal]`` or an entry of ``[[variants]]``)."""

    name: str
    signal: Mapping[str, Any]
    description: str = ""


CLAIM_TOLERANCE: dict[str, float] = {"return": 0.01, "bp": 5.0, "points": 1.0}
"""The tolerance of a claim that gives none, by the units of its target's moves: 0.01 (one
percentage point) for a return, 5 bp for a level in percent or basis points, 1 point for
another level (an index, a spread, a breadth share in percent)."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A published figure to check: mean forward move of ``target`` over ``horizon``.

    ``tolerance`` is in the target's units; ``None`` (not given) means the default of those
    units (:data:`CLAIM_TOLERANCE`), known once the data says what a level target's units are.
    """

    target: str
    horizon: str
    value: float
    tolerance: float | None = None
    variant: str | None = None
    source: str = ""

    def tolerance_in(self, units: str) -> float:
        """The tolerance for a target whose moves are in ``units`` (``"return"``, ``"bp"`` or
        ``"points"``)."""
        return CLAIM_TOLERANCE[units] if self.tolerance is None else self.tolerance


@dataclass(frozen=True, slots=True)
class TimeSeriesStudyConfig(StudyConfig):
    """A validated ``kind = "time_series"`` study (the default kind)."""

    evaluation: EvaluationConfig
    variants: tuple[Variant, ...] = ()
    events: EventsConfig = field(default_factory=EventsConfig)
    inference: InferenceConfig = field(default_factory=InferenceConfig)
    claims: tuple[Claim, ...] = ()
    sweep: SweepSpec | None = None
    facts: tuple[FactSpec, ...] = ()
    backtest: BacktestSpec | None = None


def parse_time_series(
    doc: Mapping[str, Any], source: str, common: Mapping[str, Any]
) -> TimeSeriesStudyConfig:
    """Parse the time-series sections of a study document (``common`` from ``parse_header``)."""
    if "cross_section" in doc:
        raise ConfigError(f"{source}: [cross_section] needs [study] kind = 'cross_section'")
    aliases = {s.alias for s in common["data"].series}
    variants = _parse_variants(doc, source)
    events = _parse_events(doc, source)
    evaluation = _parse_evaluation(doc, source, aliases)
    inference = _parse_inference(doc, source, evaluation.horizons, sweep="sweep" in doc)
    claims = _parse_claims(doc, source, evaluation, variants)
    if "sweep" in doc:
        if len(variants) > 1:
            raise ConfigError(
                f"{source}: [sweep] and [[variants]] do not mix: express the variants as a "
                "dimension of the sweep ([sweep.choices.<name>])"
            )
        if any(c.variant is not None for c in claims):
            raise ConfigError(f"{source}: [[claims]] of a sweep name no variant")
    sweep = parse_sweep(
        doc, source, variants[0].signal, events, evaluation.return_kind, inference.default_test
    )
    facts = (
        parse_facts(doc["facts"], source, aliases=sorted(aliases), as_of=None, in_note=False)
        if "facts" in doc
        else ()
    )
    trade = (
        parse_backtest(
            doc["backtest"],
            source,
            aliases=sorted(aliases),
            horizons=dict(evaluation.horizons),
            variants=[v.name for v in variants],
        )
        if "backtest" in doc
        else None
    )
    if trade is not None and trade.select is not None:
        names = [sp.name for sp in sweep.specifications] if sweep is not None else []
        if trade.select not in names:
            raise ConfigError(
                f"{source}: [backtest]: key 'select': "
                + (
                    f"{trade.select!r} is not a specification of the sweep, e.g. {names[0]!r}"
                    if names
                    else "only applies to a sweep (it names the specification to report)"
                )
            )
    return TimeSeriesStudyConfig(
        **common,
        variants=variants,
        events=events,
        evaluation=evaluation,
        inference=inference,
        claims=claims,
        sweep=sweep,
        facts=facts,
        backtest=trade,
    )


def _parse_variants(doc: Mapping[str, Any], source: str) -> tuple[Variant, ...]:
    if "signal" not in doc:
        raise ConfigError(f"{source}: missing [signal] table (what defines an event)")
    base = doc["signal"]
    if not isinstance(base, Mapping):
        raise ConfigError(f"{source}: [signal] must be a table")
    base = dict(base)
    base_name = base.pop("variant", "base")
    base_desc = base.pop("description", "")
    if not isinstance(base_name, str) or not isinstance(base_desc, str):
        raise ConfigError(f"{source}: [signal] keys 'variant' and 'description' must be strings")
    _check_signal(base, f"{source}: [signal]")
    out = [Variant(name=base_name, signal=freeze(base), description=base_desc)]
    extra = doc.get("variants", [])
    if not isinstance(extra, list):
        raise ConfigError(f"{source}: 'variants' must be an array of tables [[variants]]")
    for i, item in enumerate(extra):
        s = Section(item, f"{source}: [[variants]] #{i + 1}", ("name", "signal", "description"))
        vname = s.get_str("name")
        if vname in {v.name for v in out}:
            raise s.error("name", f"duplicate variant name {vname!r}")
        override = dict(s.get_table("signal"))
        # a variant signal with its own 'type' replaces the base; otherwise it overrides keys
        merged = override if "type" in override else {**base, **override}
        _check_signal(merged, f"{s.where} (name = {vname!r}) signal")
        out.append(
            Variant(name=vname, signal=freeze(merged), description=s.get_str("description", ""))
        )
    return tuple(out)


def _check_signal(signal: Mapping[str, Any], where: str) -> None:
    """Build the signal once so a bad key or value is an error of the parse, naming ``where``.

    Only the parameters are checked: the series the signal reads are looked up when it is
    computed on the data.
    """
    from eventstudy.signals import make_signal

    try:
        make_signal(signal)
    except (ConfigError, ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _parse_events(doc: Mapping[str, Any], source: str) -> EventsConfig:
    s = Section(doc.get("events", {}), f"{source}: [events]", ("min_gap", "mode", "start", "end"))
    start, end = s.get_date("start", None), s.get_date("end", None)
    if start is not None and end is not None and end < start:
        raise s.error("end", f"{end:%Y-%m-%d} is before start {start:%Y-%m-%d}")
    return EventsConfig(
        min_gap=s.get_int("min_gap", None, minimum=1),
        mode=s.get_str("mode", "first", choices=("first", "episode")),
        start=start,
        end=end,
    )


def _parse_evaluation(doc: Mapping[str, Any], source: str, aliases: set[str]) -> EvaluationConfig:
    where = f"{source}: [evaluation]"
    s = Section(
        doc.get("evaluation", {}), where, ("targets", "horizons", "return_kind", "path", "split")
    )
    targets: list[TargetSpec] = []
    raw_targets = s.get_list("targets")
    if not raw_targets:
        raise s.error("targets", "name at least one target")
    for i, t in enumerate(raw_targets):
        ts = Section(
            t, f"{where} targets #{i + 1}", ("name", "series", "relative_to", "relative", "kind")
        )
        series = ts.get_str("series")
        rel_to = ts.get_str("relative_to", None)
        for key, alias in (("series", series), ("relative_to", rel_to)):
            if alias is not None and alias not in aliases:
                raise ts.error(
                    key, f"{alias!r} is not a series alias; aliases are {sorted(aliases)}"
                )
        kind = ts.get_str("kind", "return", choices=("return", "level"))
        if rel_to is not None and rel_to == series:
            raise ts.error(
                "relative_to",
                f"{rel_to!r} is the target's own series: its returns relative to itself are "
                "zero on every date; give another series, or leave relative_to out",
            )
        if kind == "level" and rel_to is not None:
            raise ts.error(
                "relative_to", "a level target's moves are changes; it takes no relative_to"
            )
        tname = ts.get_str("name", series if rel_to is None else f"{series}_minus_{rel_to}")
        if tname in {x.name for x in targets}:
            raise ts.error("name", f"duplicate target name {tname!r}")
        targets.append(
            TargetSpec(
                name=tname,
                series=series,
                relative_to=rel_to,
                relative=ts.get_str("relative", "difference", choices=("difference", "ratio")),
                kind=kind,
            )
        )
    horizons = DEFAULT_HORIZONS
    if s.has("horizons"):
        h = s.get_table("horizons")
        if not h:
            raise s.error("horizons", 'name at least one horizon, e.g. {"6m" = 126}')
        for label, days in h.items():
            if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                raise s.error(
                    "horizons", f"{label!r} must be a positive number of trading days, got {days!r}"
                )
        horizons = tuple(sorted(((str(k), int(v)) for k, v in h.items()), key=lambda kv: kv[1]))
    path = Section(s.get_table("path", {}), f"{where} path", ("pre", "post"))
    split: Any = None
    if s.has("split"):
        raw = s.get_raw("split")
        if raw == "decade":
            split = "decade"
        else:
            dates = raw if isinstance(raw, list) else [raw]
            try:
                split = tuple(sorted(Section({"d": d}, where, ("d",)).get_date("d") for d in dates))
            except ConfigError:
                raise s.error(
                    "split", f'must be "decade", a date or a list of dates, got {raw!r}'
                ) from None
            if not split:
                raise s.error("split", "name at least one date")
    return EvaluationConfig(
        targets=tuple(targets),
        horizons=horizons,
        return_kind=s.get_str("return_kind", "simple", choices=("simple", "log")),
        path_pre=path.get_int("pre", 21, minimum=0),
        path_post=path.get_int("post", max(d for _, d in horizons), minimum=1),
        split=split,
    )


def _parse_inference(
    doc: Mapping[str, Any],
    source: str,
    horizons: tuple[tuple[str, int], ...] = DEFAULT_HORIZONS,
    *,
    sweep: bool = False,
) -> InferenceConfig:
    s = Section(
        doc.get("inference", {}),
        f"{source}: [inference]",
        (
            "tests",
            "default_test",
            "draws",
            "bootstrap_reps",
            "placebo_stratify",
            "multiple_testing",
            "alpha",
            "size_draws",
            "power_effect",
        ),
    )
    tests = tuple(s.get_list("tests", list(ALL_TESTS)))
    valid = timeseries_tests()
    for t in tests:
        if t not in valid:
            hint = (
                " (a cross-section test: use it in a cross-section study)"
                if t in TESTS
                else TESTS.why_missing(t)
            )
            raise s.error("tests", f"unknown test {t!r}{hint}; valid tests are {list(valid)}")
    if not tests:
        raise s.error("tests", "name at least one test")
    # unset: the first test listed in the calibration's order (default_for)
    default = s.get_str("default_test", default_for(tests), choices=valid)
    if default not in tests:
        raise s.error("default_test", f"{default!r} must be one of the tests run {list(tests)}")
    mt = tuple(s.get_list("multiple_testing", ["holm", "fdr_bh"]))
    for m in mt:
        if m not in ("holm", "fdr_bh"):
            raise s.error("multiple_testing", f"unknown method {m!r}; valid: ['holm', 'fdr_bh']")
    alpha = s.get_float("alpha", 0.05)
    if not 0 < alpha < 1:
        raise s.error("alpha", f"must be in (0, 1), got {alpha}")
    # a sweep computes it for every specification: off unless asked for (about 20 ms per
    # target x horizon per 1,000 shifts on 11,000 dates with 40 events)
    size_draws = s.get_int("size_draws", 0 if sweep else 1000, minimum=0)
    if 0 < size_draws < 100:
        raise s.error("size_draws", f"must be 0 (off) or at least 100, got {size_draws}")
    effects: dict[str, float] = {}
    if s.has("power_effect"):
        raw = s.get_raw("power_effect")
        table = raw if isinstance(raw, Mapping) else {label: raw for label, _ in horizons}
        for label, value in table.items():
            if label not in dict(horizons):
                raise s.error(
                    "power_effect",
                    f"{label!r} is not a horizon; horizons are {list(dict(horizons))}",
                )
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise s.error("power_effect", f"{label!r}: must be a number, got {value!r}")
            effects[label] = float(value)
    return InferenceConfig(
        tests=tests,
        default_test=default,
        draws=s.get_int("draws", 10_000, minimum=100),
        bootstrap_reps=s.get_int("bootstrap_reps", 2_000, minimum=100),
        placebo_stratify=s.get_str("placebo_stratify", "none", choices=("none", "year", "month")),
        multiple_testing=mt,
        alpha=alpha,
        size_draws=size_draws,
        power_effect=tuple(effects.items()),
    )


def _parse_claims(
    doc: Mapping[str, Any],
    source: str,
    evaluation: EvaluationConfig,
    variants: tuple[Variant, ...],
) -> tuple[Claim, ...]:
    raw = doc.get("claims", [])
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: 'claims' must be an array of tables [[claims]]")
    targets = {t.name for t in evaluation.targets}
    horizons = {h for h, _ in evaluation.horizons}
    names = {v.name for v in variants}
    out = []
    for i, item in enumerate(raw):
        s = Section(
            item,
            f"{source}: [[claims]] #{i + 1}",
            ("target", "horizon", "value", "tolerance", "variant", "source"),
        )
        target, horizon = s.get_str("target"), s.get_str("horizon")
        if target not in targets:
            raise s.error("target", f"{target!r} is not a target; targets are {sorted(targets)}")
        if horizon not in horizons:
            raise s.error(
                "horizon", f"{horizon!r} is not a horizon; horizons are {sorted(horizons)}"
            )
        variant = s.get_str("variant", None)
        if variant is not None and variant not in names:
            raise s.error("variant", f"{variant!r} is not a variant; variants are {sorted(names)}")
        tol = s.get_float("tolerance", None)  # None: the default of the target's units
        if tol is not None and tol < 0:
            raise s.error("tolerance", "must be >= 0")
        out.append(
            Claim(
                target=target,
                horizon=horizon,
                value=s.get_float("value"),
                tolerance=tol,
                variant=variant,
                source=s.get_str("source", ""),
            )
        )
    return tuple(out)
