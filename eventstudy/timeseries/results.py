"""Results of a time-series study: frozen, with ``summary()``, ``to_frame()`` and ``_repr_html_``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._frozen import pvalue, readonly_mapping
from eventstudy._units import fmt_cell, fmt_value
from eventstudy.backtest.results import BacktestResult
from eventstudy.data.study_data import StudyData
from eventstudy.evaluation import EvaluationResult, HorizonStats, PathResult
from eventstudy.evaluation.placebo_path import PlaceboPathBand
from eventstudy.evaluation.returns import move
from eventstudy.events import EventTable
from eventstudy.facts.results import FactTable
from eventstudy.inference.size import SIZE_TESTS, size_band
from eventstudy.signals import SignalResult
from eventstudy.timeseries.spec import TargetSpec, TimeSeriesStudyConfig

__all__ = [
    "ClaimCheck",
    "StudyResult",
    "VariantResult",
    "events_table",
    "mean_interval",
    "path_levels",
]


def path_levels(
    target: TargetSpec, prices: pd.DataFrame, level: pd.Series, kind: str
) -> tuple[pd.Series, pd.Series | None]:
    """The series the average path of a target follows, and the one whose returns it
    subtracts: for a relative target in ``"difference"`` mode with simple returns, the two
    series (the path of ``fwd_a - fwd_b``); else the target's level (a price, a ratio whose
    simple returns are the ``"ratio"`` mode's and whose log returns are ``log_a - log_b``, or a
    level's changes) and None."""
    if kind == "simple" and target.relative_to is not None and target.relative == "difference":
        return prices[target.series], prices[target.relative_to]
    return level, None


def _accounted(test: str) -> str:
    """How a verdict's test treats overlap, for a sentence: "once overlap is accounted for"
    only when it does (a test of one's own that does not say is not credited with it)."""
    from eventstudy.registry import TESTS, overlap_robust

    if test in TESTS and overlap_robust(test):
        return "once overlap is accounted for"
    return "by a test that ignores overlapping horizons"


@dataclass(frozen=True, slots=True)
class VariantResult:
    """Everything one signal variant produced.

    ``evaluations``, ``paths``, ``forward`` and ``placebo_paths`` (target -> result) are
    read-only mappings; the forward-return frames are the result's own (see
    :mod:`eventstudy._frozen` for the pandas policy).
    """

    name: str
    description: str
    signal: SignalResult
    events: EventTable
    evaluations: Mapping[str, EvaluationResult]
    paths: Mapping[str, PathResult]
    forward: Mapping[str, pd.DataFrame]
    placebo_paths: Mapping[str, PlaceboPathBand] = field(default_factory=dict)

    def __repr__(self) -> str:
        """One line: the variant, its events and targets."""
        return (
            f"<VariantResult {self.name!r}: {self.events.n_events} events, targets "
            f"{', '.join(self.evaluations)}>"
        )

    def __post_init__(self) -> None:
        for name in ("evaluations", "paths", "forward", "placebo_paths"):
            object.__setattr__(self, name, readonly_mapping(getattr(self, name)))

    def to_frame(self) -> pd.DataFrame:
        """Tidy statistics, one row per target x horizon: ``variant``, then the columns of
        :meth:`EvaluationResult.to_frame` (with ``applicable`` and ``reason``)."""
        frames = [ev.to_frame() for ev in self.evaluations.values()]
        out = pd.concat(frames, ignore_index=True)
        out.insert(0, "variant", self.name)
        return out


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    """A published figure set against the study's estimate."""

    target: str
    horizon: str
    variant: str
    claimed: float
    tolerance: float
    estimate: float
    n: int
    reproduced: bool
    source: str = ""
    baseline: float = float("nan")
    test: str = ""
    p_value: float = float("nan")
    alpha: float = 0.05
    look_ahead: bool = False
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    units: str = "return"
    return_kind: str = "simple"

    def fmt(self, x: float, digits: int = 2) -> str:
        """A value in the claim's units (``+1.23%``, ``+12.3 bp``, ``+1.23 pt``)."""
        return fmt_value(x, self.units, digits)

    def sentence(self) -> str:
        """Plain-language verdict: reproduced or not, and different from the baseline or not."""
        verb = "reproduced" if self.reproduced else "NOT reproduced"
        ci = (
            f", 95% CI {self.fmt(self.ci_low)} to {self.fmt(self.ci_high)}"
            if self.ci_low == self.ci_low
            else ""
        )
        flag = " (look-ahead: computed with full-sample statistics)" if self.look_ahead else ""
        if self.units == "return" and self.return_kind == "log":
            flag += (
                " (a mean log return, set against the claim without conversion: a published "
                "figure is usually a simple return, and log returns are smaller)"
            )
        tolerance = self.fmt(self.tolerance, 1).lstrip("+")
        if self.n == 0:
            return (
                f"Claim {self.fmt(self.claimed, 1)} for {self.target} over {self.horizon} "
                f"({self.variant}): {verb}; no event with a complete {self.horizon} to "
                "estimate it from."
            )
        text = (
            f"Claim {self.fmt(self.claimed, 1)} for {self.target} over {self.horizon} "
            f"({self.variant}): {verb}; estimate {self.fmt(self.estimate)}{flag} from {self.n} "
            f"events{ci} (tolerance ±{tolerance})."
        )
        if self.test and self.p_value == self.p_value:  # not NaN
            excess = self.estimate - self.baseline
            differs = "differs" if self.p_value < self.alpha else "does not differ"
            how = _accounted(self.test)
            text += (
                f" Against the unconditional {self.fmt(self.baseline)} over the sample's dates, the excess "
                f"of {self.fmt(excess)} {differs} significantly {how} "
                f"({self.test} p={self.p_value:.3g})."
            )
        return text


@dataclass(frozen=True, slots=True)
class StudyResult:
    """Frozen outcome of a time-series study (:func:`eventstudy.run_study`).

    Attributes
    ----------
    config
        The validated study.
    data
        The aligned inputs with their provenance.
    variants
        One :class:`VariantResult` per signal variant.
    adjusted
        ``(variant, target, horizon, test) -> {method: adjusted p}`` across the whole study.
    claims
        Published figures checked against the estimates.
    facts
        The ``[[facts]]`` of the study checked against the data (``None`` without any).
    backtests
        With ``[backtest]``: each traded variant's :class:`~eventstudy.backtest.BacktestResult`,
        deflated together.
    subperiods
        With ``[evaluation] split``: per variant x target x sub-period x horizon, the event
        mean against that sub-period's baseline and the HAC p-value (the result's own frame).
    warnings
        Distinct warning messages raised while running (data, evaluation).
    seed
        The seed used.
    caveats
        Caveats of the study in words.

    ``adjusted`` is a read-only mapping of read-only mappings.
    """

    config: TimeSeriesStudyConfig
    data: StudyData
    variants: tuple[VariantResult, ...]
    adjusted: Mapping[tuple[str, str, str, str], Mapping[str, float]]
    claims: tuple[ClaimCheck, ...]
    warnings: tuple[str, ...]
    seed: int
    caveats: tuple[str, ...] = field(default_factory=tuple)
    facts: FactTable | None = None
    subperiods: pd.DataFrame | None = None
    backtests: tuple[BacktestResult, ...] = ()

    def __repr__(self) -> str:
        """One line: the study, its variants' event counts and the data's end (the fields hold
        the whole data; :meth:`summary` has the verdicts)."""
        counts = ", ".join(f"{v.name} {v.events.n_events}" for v in self.variants)
        return (
            f"<StudyResult {self.config.name!r}: events {counts}; data to "
            f"{self.data_end():%Y-%m-%d}; .summary() for the verdicts>"
        )

    def __post_init__(self) -> None:
        object.__setattr__(self, "adjusted", readonly_mapping(self.adjusted))

    def label(self, target: str) -> str:
        """The readable name of a target or series alias, from ``[data.series] label``
        (``"Russell 2000 minus S&P 500"`` for a spread); the name itself without labels."""
        titles = {sp.alias: sp.title for sp in self.config.data.series if sp.title}
        if target in titles:
            return str(titles[target])
        spec = next((t for t in self.config.evaluation.targets if t.name == target), None)
        if spec is None or not titles:
            return target
        a = titles.get(spec.series, spec.series)
        if spec.relative_to is None:
            return a
        b = titles.get(spec.relative_to, spec.relative_to)
        return f"{a} minus {b}" if spec.relative == "difference" else f"{a} / {b}"

    def target_level(self, target: str) -> pd.Series:
        """The level whose cumulative return the average path follows: the target's series,
        or the ratio of its two series for a relative target."""
        prices = self.data.aligned.frame
        spec = next(t for t in self.config.evaluation.targets if t.name == target)
        a = prices[spec.series]
        if spec.kind == "level":
            return (a * self.scale(target)).rename(target)
        return a if spec.relative_to is None else (a / prices[spec.relative_to]).rename(target)

    def event_path(self, target: str, position: int, days: int) -> np.ndarray:
        """The target's cumulative move from the close at ``position`` over the next ``days``
        trading days (offsets 0 .. ``days``, fewer at the data's end), as the average path
        measures it: the return in the study's return kind, the difference of the two returns
        for a relative target in ``"difference"`` mode, or the change of a level."""
        spec = next(t for t in self.config.evaluation.targets if t.name == target)
        kind = "change" if spec.kind == "level" else self.config.evaluation.return_kind
        along, minus = path_levels(spec, self.data.aligned.frame, self.target_level(target), kind)
        stop = min(len(along), position + days + 1)
        a = along.to_numpy(dtype=float)
        out = move(a[position:stop], a[position], kind)
        if minus is not None:
            b = minus.to_numpy(dtype=float)
            out = out - move(b[position:stop], b[position], kind)
        return out

    def units(self, target: str) -> str:
        """``"return"``, or ``"bp"`` / ``"points"`` for a target whose moves are changes of a
        level."""
        return self.variants[0].evaluations[target].units

    def scale(self, target: str) -> float:
        """Factor from the target series' units to its moves' (100 for a level in percent
        whose changes are in basis points, else 1)."""
        return self.variants[0].evaluations[target].scale

    def recent_events(self, count: int = 3) -> pd.DataFrame:
        """The last ``count`` events of each variant x target with their realized path so far.

        Columns: ``variant``, ``target``, ``date``, ``days`` (trading days from the event to
        the data's last date), ``realized`` (the cumulative return over those days, in the
        study's return kind), ``at`` (``days``, or the average path's last offset when the
        event is older), ``realized_at``, ``average`` and ``drift``: the event's own
        cumulative return, the average path after events and the unconditional drift, all at
        offset ``at``.
        """
        rows = []
        last = len(self.data.aligned.frame) - 1
        for v in self.variants:
            pos = np.asarray(v.events.positions, dtype=np.int64)[-count:]
            for target, path in v.paths.items():
                offsets = np.asarray(path.offsets)
                for p in pos:
                    days = int(last - p)
                    at = min(days, int(offsets[-1]))
                    k = int(np.flatnonzero(offsets == at)[0])
                    so_far = self.event_path(target, int(p), days)
                    rows.append(
                        {
                            "variant": v.name,
                            "target": target,
                            "date": pd.Timestamp(self.data.aligned.frame.index[p]),
                            "days": days,
                            "realized": float(so_far[-1]),
                            "at": at,
                            "realized_at": float(so_far[at]),
                            "average": float(path.mean[k]),
                            "drift": float(path.drift[k]),
                        }
                    )
        columns = ["variant", "target", "date", "days", "realized", "at", "realized_at"]
        out = pd.DataFrame(rows, columns=[*columns, "average", "drift"])
        out["date"] = pd.to_datetime(out["date"])  # datetime even without events
        return out

    def data_end(self) -> pd.Timestamp:
        """The last date of the aligned data."""
        return pd.Timestamp(self.data.aligned.frame.index[-1])

    def verdict_table(self) -> pd.DataFrame:
        """Claims and facts in one table: claimed against computed, reproduced or not, and
        for forward-return claims whether the event mean differs from the baseline once
        overlap is accounted for (the default test), with "look-ahead" right beside a number
        computed with full-sample statistics."""
        rows = []
        for c in self.claims:
            differs = ""
            if c.test and c.p_value == c.p_value:
                word = "yes" if c.p_value < c.alpha else "no"
                differs = f"{word} ({c.test} p={c.p_value:.3g})"
            computed = c.fmt(c.estimate) if c.n else "no events"
            if c.ci_low == c.ci_low:
                computed += f" [{c.fmt(c.ci_low, 1)}, {c.fmt(c.ci_high, 1)}]"
            if c.look_ahead:
                computed += " (look-ahead)"
            rows.append(
                {
                    "claim": f"{self.label(c.target)} mean over {c.horizon} after the events "
                    f"({c.variant})" + (f"; {c.source}" if c.source else ""),
                    "claimed": c.fmt(c.claimed, 1),
                    "computed": computed,
                    "verdict": "reproduced" if c.reproduced else "not reproduced",
                    "differs from baseline": differs,
                }
            )
        if self.facts is not None:
            for f in self.facts.facts:
                row = f.row()
                rows.append(
                    {
                        "claim": row["fact"],
                        "claimed": row["claimed"],
                        "computed": row["computed"],
                        "verdict": row["verdict"],
                        "differs from baseline": "",
                    }
                )
        return pd.DataFrame(
            rows, columns=["claim", "claimed", "computed", "verdict", "differs from baseline"]
        )

    def headline(self) -> str:
        """The bottom line in one sentence: the claims (and facts) reproduced or not, and
        whether any event mean differs from the baseline under the default test."""
        cfg = self.config
        default = cfg.inference.default_test
        tested = [
            (v.name, ev.target, h, tr.p_value)
            for v in self.variants
            for ev in v.evaluations.values()
            for h, hs in ev.horizons.items()
            if (tr := hs.tests.get(default)) is not None and tr.applicable
        ]
        sig = [c for c in tested if c[3] < cfg.inference.alpha]
        parts = []
        if self.claims:
            ok = sum(c.reproduced for c in self.claims)
            parts.append(f"{ok} of {len(self.claims)} published figures reproduced")
        if self.facts is not None:
            n = self.facts.counts()
            parts.append(
                f"{n['reproduced']} of {n['reproduced'] + n['not reproduced']} checkable facts "
                "reproduced"
            )
        silent = [v.name for v in self.variants if v.events.n_events == 0]
        if silent:
            who = "its signal" if len(self.variants) == 1 else "the signal of " + ", ".join(silent)
            parts.append(f"{who} never fired in the sample (0 events)")
        if not tested:
            parts.append(f"the {default} test could not run")
        elif not sig:
            parts.append(
                f"no event mean differs from the baseline at {cfg.inference.alpha:.0%} "
                f"{_accounted(default)} ({default}, {len(tested)} target x horizon "
                f"cell{'s' if len(tested) != 1 else ''})"
            )
        else:
            where = self._cells([(v, t, h) for v, t, h, _ in sig])
            parts.append(
                f"{len(sig)} of {len(tested)} event means differ from the baseline at "
                f"{cfg.inference.alpha:.0%} ({default}): {where}"
                + self._corrected(sig, len(tested))
            )
        if any(c.look_ahead for c in self.claims):
            parts.append("the published convention uses full-sample statistics (look-ahead)")
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."

    def _corrected(self, sig: list[tuple[str, str, str, float]], n_tests: int) -> str:
        """How many of the rejections ``sig`` survive the study's first multiple-testing
        correction across its ``n_tests`` cells ("" for a single cell)."""
        if n_tests < 2:
            return ""
        methods = self.config.inference.multiple_testing
        if not methods:
            return f" (not corrected for the {n_tests} tests)"
        method = methods[0]
        name = {"holm": "Holm's", "fdr_bh": "Benjamini-Hochberg's"}.get(method, method)
        default = self.config.inference.default_test
        alpha = self.config.inference.alpha
        keep = [
            (v, t, h)
            for v, t, h, _ in sig
            if self.adjusted.get((v, t, h, default), {}).get(method, np.nan) < alpha
        ]
        if not keep:
            return f"; none survives {name} correction for the {n_tests} tests"
        if len(keep) == len(sig):
            return f"; all survive {name} correction for the {n_tests} tests"
        return (
            f"; {len(keep)} survive{'s' if len(keep) == 1 else ''} {name} correction for the "
            f"{n_tests} tests: {self._cells(keep)}"
        )

    def _cells(self, cells: list[tuple[str, str, str]]) -> str:
        """``"rut 3m (variant), spx 6m (variant)"``: target x horizon cells, the variant named
        when the study has several."""
        return ", ".join(
            f"{t} {h}" + (f" ({v})" if len(self.variants) > 1 else "") for v, t, h in cells
        )

    def size_table(self) -> pd.DataFrame:
        """Size (and power) on this data: one row per variant x target x horizon x test with
        the fields of :class:`~eventstudy.inference.size.SizeResult` (empty when
        ``[inference] size_draws = 0``)."""
        rows = [
            {"variant": v.name, "target": ev.target, "horizon": h, **sr.to_dict()}
            for v in self.variants
            for ev in v.evaluations.values()
            for h, hs in ev.horizons.items()
            for sr in hs.size.values()
        ]
        return pd.DataFrame(rows)

    def size_band(self) -> tuple[float, float]:
        """The band outside which a rejection rate on the data is flagged: [3%, 7%] at a 5%
        ``alpha``, scaled with it."""
        return size_band(self.config.inference.alpha)

    def size_sentence(self) -> str:
        """The default test's size on this data in one sentence ("" when not computed)."""
        t = self.size_table()
        default = self.config.inference.default_test
        if t.empty or default not in set(t["test"]):
            return (
                ""
                if t.empty
                else f"(size on this data is measured for {', '.join(_measured(t))}, not {default})"
            )
        d = t[(t["test"] == default) & (t["applicable"] > 0)]
        if d.empty:
            return f"The {default} test could not run on the shifted event sets."
        alpha = self.config.inference.alpha
        lo, hi = float(d["rate"].min()), float(d["rate"].max())
        span = f"{lo:.1%}" if lo == hi else f"{lo:.1%} to {hi:.1%}"
        text = (
            f"On {int(d['draws'].iloc[0])} circular shifts of these events (same bursts, "
            f"no information) the {default} test rejected {span} of the time at {alpha:.0%} "
            f"across the {len(d)} target x horizon cell{'s' if len(d) != 1 else ''}"
        )
        bad = d[d["flagged"]]
        lo, hi = self.size_band()  # the band the flags use
        band = f"[{lo:.0%}, {hi:.0%}]"
        if default in ("shift", "shift_t"):
            # its p-value is the rank of the events among their own rotations: a shifted copy
            # has the same rotations, so these draws cannot find fault with it
            text += (
                ". That is no check of it: its p-value ranks the events among all their circular "
                "shifts, and a shifted copy has the same shifts, so this rate only reflects which "
                "shifts the draws leave out (those within h days of the actual dates). Nor can "
                "any shift keep a link between the events and the returns' volatility: a signal "
                "on the returns themselves fires in volatile stretches, and there "
                + (
                    "the raw shift test rejected 11.4-18.1% at 5% on a simulated market "
                    '(studentized, tests = [..., "shift_t"], 6.7-7.3%)'
                    if default == "shift"
                    else "the studentized test rejected 6.7-7.3% at 5% on a simulated market "
                    "(the raw shift test 11.4-18.1%)"
                )
                + ". Its size on other event designs is in the calibration benchmark "
                "(docs/calibration.md)."
            )
            hac = t[(t["test"] == "hac") & (t["applicable"] > 0)]
            if not hac.empty:
                text += (
                    f" The HAC test, whose interval the report shows, rejected "
                    f"{hac['rate'].min():.1%} to {hac['rate'].max():.1%} here"
                    + (
                        f" (outside {band} in {int(hac['flagged'].sum())} cells)."
                        if hac["flagged"].any()
                        else "."
                    )
                )
        elif bad.empty:
            text += f", inside {band}: its p-values can be taken as stated."
        else:
            cells = ", ".join(
                f"{self.label(str(r.target))} {r.horizon} {r.rate:.1%}"
                + (f" ({r.variant})" if len(self.variants) > 1 else "")
                for r in bad.itertuples()
            )
            text += f"; outside {band} in {len(bad)}: {cells}. Read those p-values with care."
        naive = t[(t["test"] == "naive_t") & (t["applicable"] > 0)]
        if default != "naive_t" and not naive.empty:
            text += (
                f" The naive t-test, for contrast, rejected {naive['rate'].min():.0%} to "
                f"{naive['rate'].max():.0%}."
            )
        return text

    def to_frame(self) -> pd.DataFrame:
        """Tidy statistics, one row per variant x target x horizon: the columns of
        :meth:`VariantResult.to_frame` (with ``applicable`` and ``reason``), then each test's
        p-value adjusted across the study's rows (``[inference] multiple_testing``):
        ``<test>_p_holm`` and ``<test>_p_fdr_bh``, as in ``result.json``'s ``p_adjusted``."""
        out = pd.concat([v.to_frame() for v in self.variants], ignore_index=True)
        keys = list(zip(out["variant"], out["target"], out["horizon"], strict=True))
        tests = [c[: -len("_p")] for c in out.columns if c.endswith("_p")]
        for test in tests:  # loop over tests, then methods: columns, not rows
            for method in self.config.inference.multiple_testing:
                out[f"{test}_p_{method}"] = [
                    self.adjusted.get((*k, test), {}).get(method, np.nan) for k in keys
                ]
        return out

    def events_frame(self) -> pd.DataFrame:
        """All events of all variants with their forward returns and completeness."""
        return pd.concat([events_table(v) for v in self.variants], ignore_index=True)

    def verdicts(self) -> list[str]:
        """One line per variant x target x horizon from the default test."""
        out = []
        for v in self.variants:
            for ev in v.evaluations.values():
                out += [f"[{v.name}] {ev.verdict(h)}" for h in ev.horizons]
        return out

    def summary(self) -> str:
        """Text summary: study, events per variant, the bottom line, verdicts, how often the
        test would be fooled on this data, backtests, claims, facts and caveats."""
        cfg = self.config
        lines = [f"Study {cfg.name}: {cfg.title}"]
        if cfg.question:
            lines.append(f"Question: {cfg.question}")
        for v in self.variants:
            lines.append(
                f"Variant {v.name}: {v.signal.description}; {v.events.n_events} events "
                f"({v.events.n_triggers} trigger days, min_gap {v.events.min_gap})"
            )
        lines.append(f"Bottom line (data to {self.data_end():%Y-%m-%d}): {self.headline()}")
        lines += ["Verdicts (default test: " + cfg.inference.default_test + "):"]
        lines += ["  " + s for s in self.verdicts()]
        size = self.size_sentence()
        if size:
            lines.append(f"How often the test would be fooled on this data: {size}")
        lines += [f"Backtest {b.name}: {b.verdict()}" for b in self.backtests]
        lines += [c.sentence() for c in self.claims]
        if self.facts is not None:
            lines += [
                f"Fact: {r['fact']}: {r['verdict']} ({r['computed']})"
                for r in (f.row() for f in self.facts.facts)
            ]
        lines += [f"Caveat: {c}" for c in self.caveats]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Notebook view: title and question, the bottom line, the verdict lines, how often
        the test would be fooled on this data, the backtests, the published claims, a compact
        table (percentages, the default test's p-value), the events per variant and the
        caveats."""
        import html

        cfg = self.config
        esc = html.escape

        def items(lines: list[str]) -> str:
            return "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in lines) + "</ul>"

        default = cfg.inference.default_test
        parts = [f"<h4>{esc(cfg.title)}</h4>"]
        if cfg.question:
            parts.append(f"<p><i>{esc(cfg.question)}</i></p>")
        parts.append(
            f"<p><b>Bottom line</b> (data to {self.data_end():%Y-%m-%d}): "
            f"{esc(self.headline())}</p>"
        )
        parts.append(f"<p><b>Verdicts</b> (default test: {esc(default)})</p>")
        parts.append(items(self.verdicts()))
        size = self.size_sentence()
        if size:
            parts.append("<p><b>How often would the test be fooled on this data?</b></p>")
            parts.append(f"<p>{esc(size)}</p>")
        if self.backtests:
            parts.append("<p><b>Backtests</b></p>")
            parts.append(items([f"{b.name}: {b.verdict()}" for b in self.backtests]))
        if self.claims:
            parts.append("<p><b>Published claims</b></p>")
            parts.append(items([c.sentence() for c in self.claims]))
        rows = []
        for v in self.variants:
            for ev in v.evaluations.values():
                for h, hs in ev.horizons.items():
                    tr = hs.tests.get(default)
                    rows.append(
                        {
                            "variant": v.name,
                            "target": ev.target,
                            "horizon": h,
                            "n": hs.n,
                            "episodes": hs.n_episodes,
                            "mean": fmt_cell(hs.mean, ev.units),
                            "baseline": fmt_cell(hs.baseline_mean, ev.units),
                            "excess": fmt_cell(hs.excess_mean, ev.units),
                            f"{default} p": pvalue(tr.p_value) if tr is not None else "n/a",
                        }
                    )
        parts.append(pd.DataFrame(rows).to_html(index=False, escape=True))
        parts.append("<p><b>Events</b></p>")
        parts.append(
            items(
                [
                    f"{v.name}: {v.events.n_events} events ({v.events.n_triggers} trigger "
                    f"days); {v.signal.description}"
                    for v in self.variants
                ]
            )
        )
        if self.caveats:
            parts.append("<p><b>Caveats</b></p>")
            parts.append(items(list(self.caveats)))
        return "".join(parts)

    def plot(self, *, variant: str | None = None) -> list[Any]:
        """The main figures of the report (see :mod:`eventstudy.timeseries.plots`)."""
        from eventstudy.timeseries.plots import study_figures

        return [fig for _, fig in study_figures(self, variant=variant)]


def mean_interval(hs: HorizonStats, level: float = 0.95) -> tuple[float, float]:
    """Confidence interval of the event mean from the HAC fit: ``mean +- t(G-1) se``, where
    ``se`` is the HAC standard error of the event mean itself (``details["se_mean"]``; the
    excess's ``se`` is smaller by the covariance the event and comparison means share, and
    gave intervals 10-20% too narrow).  NaN without an applicable HAC test."""
    from eventstudy.inference._numerics import t_quantile

    tr = hs.tests.get("hac")
    if tr is None or not tr.applicable or tr.details.get("n_episodes", 0) < 2:
        return float("nan"), float("nan")
    q = float(t_quantile(0.5 + level / 2.0, tr.details["n_episodes"] - 1))
    half = q * float(tr.details.get("se_mean", float("nan")))
    return float(hs.mean - half), float(hs.mean + half)


def events_table(v: VariantResult) -> pd.DataFrame:
    """Events of one variant: date, value, forward return per target x horizon, completeness."""
    frame = pd.DataFrame(
        {
            "variant": v.name,
            "date": v.events.dates,
            "value": np.asarray(v.events.values, dtype="float64"),
        }
    )
    pos = np.asarray(v.events.positions)
    for target, fwd in v.forward.items():
        for label in fwd.columns:
            frame[f"{target}_{label}"] = fwd[label].to_numpy()[pos]
    first = next(iter(v.forward.values()))
    for label in first.columns:
        frame[f"complete_{label}"] = ~np.isnan(first[label].to_numpy()[pos])
    return frame


def _measured(table: pd.DataFrame) -> list[str]:
    """The tests of a size table: :data:`SIZE_TESTS` order, then the others as measured."""
    present = list(dict.fromkeys(table["test"]))
    return [t for t in SIZE_TESTS if t in present] + [t for t in present if t not in SIZE_TESTS]
