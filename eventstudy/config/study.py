"""Study configuration: a TOML file parsed into frozen, validated objects.

The full key reference with a complete example is ``docs/study-config.md``.
"""

from __future__ import annotations

import copy
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from eventstudy.config._reader import Section
from eventstudy.exceptions import ConfigError

__all__ = [
    "CS_MODELS",
    "DEFAULT_HORIZONS",
    "Claim",
    "CrossSectionConfig",
    "DataConfig",
    "EvaluationConfig",
    "EventsConfig",
    "InferenceConfig",
    "SeriesSpec",
    "StudyConfig",
    "TargetSpec",
    "Variant",
    "load_study",
    "parse_study",
]

DEFAULT_HORIZONS: tuple[tuple[str, int], ...] = (("1m", 21), ("3m", 63), ("6m", 126), ("12m", 252))
ALL_TESTS = ("naive_t", "hac", "bootstrap", "placebo", "sign", "wilcoxon")
_TOP = (
    "study",
    "data",
    "signal",
    "variants",
    "events",
    "evaluation",
    "inference",
    "claims",
    "cross_section",
)


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Deep copy of a frozen config value as plain dicts and lists."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return copy.copy(value)


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    """One aliased input series: a name/path, or a splice of two sources."""

    alias: str
    name: str | None = None
    splice: tuple[str, str] | None = None
    column: str | None = None
    kind: Literal["price", "level"] | None = None
    breadth: Mapping[str, Any] | None = None
    ratio: tuple[str, str] | None = None

    @property
    def label(self) -> str:
        """``splice(a,b)``, ``breadth(...)`` or the name."""
        if self.splice:
            return f"splice({self.splice[0]},{self.splice[1]})"
        if self.breadth:
            return f"breadth({self.breadth['measure']},{self.breadth['panel']})"
        if self.ratio:
            return f"ratio({self.ratio[0]},{self.ratio[1]})"
        return str(self.name)


@dataclass(frozen=True, slots=True)
class DataConfig:
    """``[data]``: the input series and the date range to load."""

    series: tuple[SeriesSpec, ...]
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None


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


@dataclass(frozen=True, slots=True)
class EvaluationConfig:
    """``[evaluation]``: targets, horizons and the average path."""

    targets: tuple[TargetSpec, ...]
    horizons: tuple[tuple[str, int], ...] = DEFAULT_HORIZONS
    return_kind: Literal["simple", "log"] = "simple"
    path_pre: int = 21
    path_post: int = 252


@dataclass(frozen=True, slots=True)
class InferenceConfig:
    """``[inference]``: which tests, how many draws, the default test and the adjustments."""

    tests: tuple[str, ...] = ALL_TESTS
    default_test: str = "hac"
    draws: int = 10_000
    bootstrap_reps: int = 2_000
    placebo_stratify: Literal["none", "year", "month"] = "none"
    multiple_testing: tuple[str, ...] = ("holm", "fdr_bh")
    alpha: float = 0.05


@dataclass(frozen=True, slots=True)
class Variant:
    """One signal variant (the base ``[signal]`` or an entry of ``[[variants]]``)."""

    name: str
    signal: Mapping[str, Any]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    """A published figure to check: mean forward return of ``target`` over ``horizon``."""

    target: str
    horizon: str
    value: float
    tolerance: float
    variant: str | None = None
    source: str = ""


CS_MODELS = ("mean_adjusted", "market_adjusted", "market_model", "ff3", "carhart4", "ff5")
"""Built-in normal-return models (``eventstudy.crosssection.models.MODELS``; a test keeps the two
lists equal)."""
CS_FACTOR_MODELS = ("ff3", "carhart4", "ff5")


@dataclass(frozen=True, slots=True)
class CrossSectionConfig:
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


@dataclass(frozen=True, slots=True)
class StudyConfig:
    """A validated study.

    Attributes
    ----------
    path
        File it was read from.
    sha256
        Fingerprint of the file bytes (goes to ``result.json``).
    """

    path: str
    sha256: str
    name: str
    kind: Literal["time_series", "cross_section"]
    title: str
    question: str
    seed: int
    data: DataConfig
    variants: tuple[Variant, ...] = ()
    events: EventsConfig = field(default_factory=EventsConfig)
    evaluation: EvaluationConfig | None = None
    inference: InferenceConfig = field(default_factory=InferenceConfig)
    claims: tuple[Claim, ...] = ()
    cross_section: CrossSectionConfig | None = None


# ---------------------------------------------------------------------------- parsing


def load_study(path: str | Path) -> StudyConfig:
    """Read and validate a study TOML file.

    Raises
    ------
    ConfigError
        Unreadable TOML, unknown or missing keys, wrong types; the message names the file and key.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read study file {p}: {exc.strerror}") from exc
    return parse_study(raw, source=str(p))


def parse_study(raw: bytes | str, *, source: str = "<string>") -> StudyConfig:
    """Parse study TOML text (``source`` names it in messages)."""
    data = raw.encode() if isinstance(raw, str) else raw
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    Section(doc, f"{source}: top level", _TOP)
    sha = hashlib.sha256(data).hexdigest()

    st = Section(
        doc.get("study", {}), f"{source}: [study]", ("name", "kind", "title", "question", "seed")
    )
    name = st.get_str("name")
    kind = st.get_str("kind", "time_series", choices=("time_series", "cross_section"))
    seed = st.get_int("seed", 0, minimum=0)
    data_cfg = _parse_data(doc, source)
    aliases = {s.alias for s in data_cfg.series}
    common = {
        "path": source,
        "sha256": sha,
        "name": name,
        "kind": kind,
        "title": st.get_str("title", name),
        "question": st.get_str("question", ""),
        "seed": seed,
        "data": data_cfg,
    }
    if kind == "cross_section":
        for key in ("signal", "variants", "evaluation", "claims"):
            if key in doc:
                raise ConfigError(f"{source}: [{key}] does not apply to kind = 'cross_section'")
        cs = _parse_cross_section(doc, source, aliases)
        return StudyConfig(**common, cross_section=cs)
    if "cross_section" in doc:
        raise ConfigError(f"{source}: [cross_section] needs [study] kind = 'cross_section'")
    variants = _parse_variants(doc, source)
    events = _parse_events(doc, source)
    evaluation = _parse_evaluation(doc, source, aliases)
    inference = _parse_inference(doc, source)
    claims = _parse_claims(doc, source, evaluation, variants)
    return StudyConfig(
        **common,
        variants=variants,
        events=events,
        evaluation=evaluation,
        inference=inference,
        claims=claims,
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


def _parse_cross_section(
    doc: Mapping[str, Any], source: str, aliases: set[str]
) -> CrossSectionConfig:
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
    model = sec.get_str("model", "market_model", choices=CS_MODELS)
    factors_raw: Any = sec.get_raw("factors", ())
    factors = (factors_raw,) if isinstance(factors_raw, str) else factors_raw
    if not isinstance(factors, list | tuple) or not all(isinstance(f, str) for f in factors):
        raise sec.error("factors", f"must be a table name or a list of them, got {factors_raw!r}")
    if model in CS_FACTOR_MODELS and not factors:
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
    return CrossSectionConfig(
        panel=sec.get_str("panel"),
        market=market,
        event_date=sec.get_date("event_date", None),
        tickers=tickers,
        events_file=sec.get_str("events_file", None),
        event_signal=None if signal is None else _freeze(dict(signal)),
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
    )


BREADTH_MEASURES = ("share_above_ma", "share_at_high", "share_at_low", "advance_decline")


def _parse_data(doc: Mapping[str, Any], source: str) -> DataConfig:
    sec = Section(doc.get("data", {}), f"{source}: [data]", ("series", "start", "end"))
    series_tab = sec.get_table("series")
    if not series_tab:
        raise ConfigError(f"{source}: [data.series] must name at least one series")
    specs = []
    for alias, value in series_tab.items():
        where = f"{source}: [data.series.{alias}]"
        if isinstance(value, str):
            specs.append(SeriesSpec(alias=alias, name=value))
            continue
        s = Section(value, where, ("name", "splice", "column", "kind", "breadth", "ratio"))
        if sum(s.has(k) for k in ("name", "splice", "breadth", "ratio")) != 1:
            raise ConfigError(
                f"{where}: give exactly one of 'name', 'splice', 'breadth' or 'ratio'"
            )
        ratio = None
        if s.has("ratio"):
            r = s.get_list("ratio")
            if len(r) != 2 or not all(isinstance(x, str) for x in r):
                raise s.error(
                    "ratio", f"must be two series aliases [numerator, denominator], got {r!r}"
                )
            ratio = (r[0], r[1])
        splice = None
        if s.has("splice"):
            sp = s.get_list("splice")
            if len(sp) != 2 or not all(isinstance(x, str) for x in sp):
                raise s.error("splice", f"must be two names [earlier, later], got {sp!r}")
            splice = (sp[0], sp[1])
        breadth = None
        if s.has("breadth"):
            b = Section(s.get_table("breadth"), f"{where} breadth", ("panel", "measure", "window"))
            breadth = _freeze(
                {
                    "panel": b.get_str("panel"),
                    "measure": b.get_str("measure", "share_above_ma", choices=BREADTH_MEASURES),
                    "window": b.get_int("window", 200, minimum=2),
                }
            )
        specs.append(
            SeriesSpec(
                alias=alias,
                name=s.get_str("name", None),
                splice=splice,
                column=s.get_str("column", None),
                kind=s.get_str("kind", None, choices=("price", "level")),
                breadth=breadth,
                ratio=ratio,
            )
        )
    loaded = {sp.alias for sp in specs if sp.ratio is None}
    for sp in specs:
        if sp.ratio is not None:
            for part in sp.ratio:
                if part not in loaded:
                    raise ConfigError(
                        f"{source}: [data.series.{sp.alias}] key 'ratio': {part!r} is not a loaded "
                        f"series alias; aliases are {sorted(loaded)}"
                    )
    start, end = sec.get_date("start", None), sec.get_date("end", None)
    if start is not None and end is not None and start >= end:
        raise sec.error("end", f"must be after start {start:%Y-%m-%d}")
    return DataConfig(series=tuple(specs), start=start, end=end)


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
    out = [Variant(name=base_name, signal=_freeze(base), description=base_desc)]
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
        out.append(
            Variant(name=vname, signal=_freeze(merged), description=s.get_str("description", ""))
        )
    return tuple(out)


def _parse_events(doc: Mapping[str, Any], source: str) -> EventsConfig:
    s = Section(doc.get("events", {}), f"{source}: [events]", ("min_gap", "mode", "start", "end"))
    return EventsConfig(
        min_gap=s.get_int("min_gap", None, minimum=1),
        mode=s.get_str("mode", "first", choices=("first", "episode")),
        start=s.get_date("start", None),
        end=s.get_date("end", None),
    )


def _parse_evaluation(doc: Mapping[str, Any], source: str, aliases: set[str]) -> EvaluationConfig:
    where = f"{source}: [evaluation]"
    s = Section(doc.get("evaluation", {}), where, ("targets", "horizons", "return_kind", "path"))
    targets: list[TargetSpec] = []
    raw_targets = s.get_list("targets")
    if not raw_targets:
        raise s.error("targets", "name at least one target")
    for i, t in enumerate(raw_targets):
        ts = Section(t, f"{where} targets #{i + 1}", ("name", "series", "relative_to", "relative"))
        series = ts.get_str("series")
        rel_to = ts.get_str("relative_to", None)
        for key, alias in (("series", series), ("relative_to", rel_to)):
            if alias is not None and alias not in aliases:
                raise ts.error(
                    key, f"{alias!r} is not a series alias; aliases are {sorted(aliases)}"
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
    return EvaluationConfig(
        targets=tuple(targets),
        horizons=horizons,
        return_kind=s.get_str("return_kind", "simple", choices=("simple", "log")),
        path_pre=path.get_int("pre", 21, minimum=0),
        path_post=path.get_int("post", max(d for _, d in horizons), minimum=1),
    )


def _parse_inference(doc: Mapping[str, Any], source: str) -> InferenceConfig:
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
        ),
    )
    tests = tuple(s.get_list("tests", list(ALL_TESTS)))
    for t in tests:
        if t not in ALL_TESTS:
            raise s.error("tests", f"unknown test {t!r}; valid tests are {list(ALL_TESTS)}")
    default = s.get_str("default_test", "hac", choices=ALL_TESTS)
    if default not in tests:
        raise s.error("default_test", f"{default!r} must be one of the tests run {list(tests)}")
    mt = tuple(s.get_list("multiple_testing", ["holm", "fdr_bh"]))
    for m in mt:
        if m not in ("holm", "fdr_bh"):
            raise s.error("multiple_testing", f"unknown method {m!r}; valid: ['holm', 'fdr_bh']")
    alpha = s.get_float("alpha", 0.05)
    if not 0 < alpha < 1:
        raise s.error("alpha", f"must be in (0, 1), got {alpha}")
    return InferenceConfig(
        tests=tests,
        default_test=default,
        draws=s.get_int("draws", 10_000, minimum=100),
        bootstrap_reps=s.get_int("bootstrap_reps", 2_000, minimum=100),
        placebo_stratify=s.get_str("placebo_stratify", "none", choices=("none", "year", "month")),
        multiple_testing=mt,
        alpha=alpha,
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
        tol = s.get_float("tolerance", 0.01)
        if tol < 0:
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
