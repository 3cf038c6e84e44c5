"""The frozen result of a sweep: one evaluation per specification x target."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._frozen import pct, pvalue, readonly_mapping
from eventstudy.backtest.results import SweepBacktest
from eventstudy.data.study_data import StudyData
from eventstudy.evaluation import EvaluationResult
from eventstudy.events import EventTable
from eventstudy.facts.results import FactTable
from eventstudy.timeseries.spec import TimeSeriesStudyConfig
from eventstudy.timeseries.sweep_spec import Specification

__all__ = ["SweepResult"]

_PER_SPEC = ("family_shift_p", "romano_wolf_p", "holm_p", "fdr_bh_p")


@dataclass(frozen=True, slots=True)
class SweepResult:
    """Frozen outcome of a sweep (:func:`eventstudy.run_study` on a study with ``[sweep]``).

    Attributes
    ----------
    config
        The validated study; ``config.sweep`` holds the specifications.
    data
        The aligned inputs with their provenance (loaded once for every specification).
    events
        Specification name -> its events.
    evaluations
        Specification name -> target -> :class:`~eventstudy.evaluation.EvaluationResult`
        (statistics and the sweep's tests per horizon).
    seed
        The seed used.
    warnings
        Distinct warning messages raised while running.
    search
        ``(target, horizon)`` -> inference across the specifications: ``reality_check_p``,
        ``spa_p``, specification-curve ``curve_*`` numbers, the number of ``shifts`` of the joint
        null, and per specification (name -> value) ``family_shift_p`` (its own test under the common shifts),
        ``romano_wolf_p``, ``holm_p`` and ``fdr_bh_p`` (of the default test).
    facts
        The study's ``[[facts]]`` checked against the data (``None`` without any).
    backtest
        With ``[backtest]``: every specification traded, and the best (and the selected)
        one deflated by the search (:class:`~eventstudy.backtest.results.SweepBacktest`).
    """

    config: TimeSeriesStudyConfig
    data: StudyData
    events: Mapping[str, EventTable]
    evaluations: Mapping[str, Mapping[str, EvaluationResult]]
    seed: int
    warnings: tuple[str, ...] = ()
    search: Mapping[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)
    facts: FactTable | None = None
    backtest: SweepBacktest | None = None
    _frame: list[pd.DataFrame] = field(default_factory=list, init=False, repr=False, compare=False)
    _ahead: list[frozenset[str]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )

    def __repr__(self) -> str:
        """One line: the study swept and how many specifications."""
        return (
            f"<SweepResult {self.config.name!r}: {len(self.events)} specifications; "
            ".summary() for the search's verdict>"
        )

    def __post_init__(self) -> None:
        object.__setattr__(self, "events", readonly_mapping(self.events))
        object.__setattr__(self, "evaluations", readonly_mapping(self.evaluations))
        object.__setattr__(self, "search", readonly_mapping(self.search))

    def look_ahead(self, name: str) -> bool:
        """Whether specification ``name``'s signal uses full-sample statistics (look-ahead),
        from :meth:`look_ahead_names`.

        Raises
        ------
        KeyError
            ``name`` is not a specification of the sweep.
        """
        if all(s.name != name for s in self.specifications):
            raise KeyError(f"no specification {name!r} in the sweep")
        return name in self.look_ahead_names()

    def look_ahead_names(self) -> frozenset[str]:
        """The specifications whose signal uses full-sample statistics (look-ahead): each
        distinct signal computed again once (a few milliseconds each), kept."""
        if not self._ahead:
            from eventstudy.config import thaw
            from eventstudy.signals import make_signal

            frame = self.data.aligned.frame
            by_signal: dict[str, bool] = {}
            ahead = set()
            for spec in self.specifications:  # one computation per distinct signal
                key = repr(sorted(thaw(spec.signal).items()))
                if key not in by_signal:
                    by_signal[key] = bool(make_signal(thaw(spec.signal)).compute(frame).look_ahead)
                if by_signal[key]:
                    ahead.add(spec.name)
            self._ahead.append(frozenset(ahead))
        return self._ahead[0]

    def without_events(self) -> tuple[str, ...]:
        """The specifications with no event in their sample (they take no part in a test)."""
        return tuple(s.name for s in self.specifications if self.events[s.name].n_events == 0)

    @property
    def specifications(self) -> tuple[Specification, ...]:
        """The specifications run, in grid order."""
        assert self.config.sweep is not None
        return self.config.sweep.specifications

    @property
    def default_test(self) -> str:
        """The test behind each specification's verdict (the first of ``[sweep] tests``)."""
        assert self.config.sweep is not None
        return self.config.sweep.tests[0]

    def to_frame(self) -> pd.DataFrame:
        """Tidy statistics, one row per specification x target x horizon.

        Columns: ``specification``, ``choice_<dimension>`` for each sweep dimension (the
        choice made), ``look_ahead`` (the signal uses full-sample statistics),
        ``n_events``, then the columns of :meth:`EvaluationResult.to_frame` (``n``, ``mean``,
        ``baseline_mean``, ``excess_mean``, ``n_episodes``, ``applicable``, ``reason`` and
        ``<test>_stat`` / ``_p`` / ``_applicable`` / ``_reason`` for each test), and from the
        search: ``family_shift_p``, ``romano_wolf_p``, ``holm_p``, ``fdr_bh_p``.  Built once and
        kept; each call returns a copy.
        """
        if not self._frame:
            self._frame.append(self._build_frame())
        return self._frame[0].copy()

    def _build_frame(self) -> pd.DataFrame:
        assert self.config.sweep is not None
        dims = [d.name for d in self.config.sweep.dimensions]
        ahead = self.look_ahead_names()
        rows = []
        for spec in self.specifications:  # one dict per specification x target x horizon
            head: dict[str, Any] = {"specification": spec.name}
            head.update({f"choice_{d}": spec.choices.get(d, "") for d in dims})
            head["look_ahead"] = spec.name in ahead
            head["n_events"] = self.events[spec.name].n_events
            for ev in self.evaluations[spec.name].values():
                for row in ev.rows():
                    fam = self.search.get((ev.target, row["horizon"]), {})
                    extra = {col: fam.get(col, {}).get(spec.name, np.nan) for col in _PER_SPEC}
                    rows.append({**head, **row, **extra})
        return pd.DataFrame(rows)

    def curve(self, target: str, horizon: str) -> pd.DataFrame:
        """The specification curve of one target x horizon: one row per specification,
        sorted by the mean forward return, with the default test's p-value."""
        f = self.to_frame()
        f = f[(f["target"] == target) & (f["horizon"] == horizon)]
        return f.sort_values(["mean", "specification"], kind="stable").reset_index(drop=True)

    def size_band(self) -> tuple[float, float]:
        """The band outside which a rejection rate on the data is flagged: [3%, 7%] at a 5%
        alpha, scaled with the study's alpha."""
        from eventstudy.inference.size import size_band

        return size_band(self.config.inference.alpha)

    def size_table(self) -> pd.DataFrame:
        """Per target x horizon and measured test: how its size on this data (each
        specification's own events under circular shifts, ``[inference] size_draws``) spreads
        over the specifications -- ``shifts`` drawn (``size_draws``, or
        :data:`~eventstudy.inference.size.LOOP_DRAWS` for a test run set by set), lowest,
        median and highest rejection rate, how many specifications fall outside
        :meth:`size_band` (``flagged``) -- and the median power where an effect was stated.
        Empty when the size was not measured (``size_draws = 0``, the default in a sweep)."""
        from eventstudy.inference.size import LOOP_DRAWS, SIZE_TESTS

        f = self.to_frame()
        draws = self.config.inference.size_draws
        tests = [c[: -len("_size")] for c in f.columns if c.endswith("_size")]
        rows = []
        for (target, horizon), g in f.groupby(["target", "horizon"], sort=False):
            for test in tests:
                rate = g[f"{test}_size"].to_numpy(dtype=float)
                ok = rate == rate
                if not ok.any():
                    continue
                row: dict[str, Any] = {
                    "target": target,
                    "horizon": horizon,
                    "test": test,
                    "shifts": draws if test in SIZE_TESTS else min(draws, LOOP_DRAWS),
                    "specifications": int(ok.sum()),
                    "lowest": float(rate[ok].min()),
                    "median": float(np.median(rate[ok])),
                    "highest": float(rate[ok].max()),
                    "flagged": int(g[f"{test}_size_flagged"].fillna(False).astype(bool).sum()),
                }
                if f"{test}_power" in g:
                    power = g[f"{test}_power"].to_numpy(dtype=float)
                    power = power[power == power]  # NaN where no effect was stated
                    row["median power"] = float(np.median(power)) if power.size else float("nan")
                rows.append(row)
        return pd.DataFrame(rows)

    def claims_frame(self) -> pd.DataFrame:
        """Each ``[[claims]]`` entry across the specifications, one row per claim.

        Columns: ``target``, ``horizon``, ``claimed``, ``tolerance``, ``specifications``,
        ``within`` (how many estimates fall within the tolerance), ``share``, ``common``
        (the choices every matching specification shares, e.g. ``"kind=log; sigma=expanding"``),
        ``closest`` (the specification nearest the claim) and its ``closest_mean``,
        ``survives`` (whether a matching specification keeps Romano–Wolf p < alpha: family-wise
        control across the whole sweep), ``within_look_ahead`` (how many of the matching
        specifications use full-sample statistics), ``survives_without_look_ahead`` and
        ``source``.
        """
        assert self.config.sweep is not None
        dims = [d.name for d in self.config.sweep.dimensions]
        alpha = self.config.inference.alpha
        f = self.to_frame()
        rows = []
        for c in self.config.claims:
            g = f[(f["target"] == c.target) & (f["horizon"] == c.horizon)]
            tolerance = c.tolerance_in("return")  # a sweep's targets are returns
            hit = g[(g["mean"] - c.value).abs() <= tolerance]
            common = [
                f"{d}={hit[f'choice_{d}'].iloc[0]}"
                for d in dims
                if len(hit) and hit[f"choice_{d}"].nunique() == 1
            ]
            near = g.iloc[int(np.argmin((g["mean"] - c.value).abs().to_numpy()))]
            rows.append(
                {
                    "target": c.target,
                    "horizon": c.horizon,
                    "claimed": c.value,
                    "tolerance": tolerance,
                    "specifications": len(g),
                    "within": len(hit),
                    "share": len(hit) / len(g) if len(g) else np.nan,
                    "common": "; ".join(common) if len(hit) else "",
                    "closest": near["specification"],
                    "closest_mean": float(near["mean"]),
                    "survives": bool((hit["romano_wolf_p"] < alpha).any()),
                    "within_look_ahead": int(hit["look_ahead"].sum()),
                    "survives_without_look_ahead": bool(
                        ((hit["romano_wolf_p"] < alpha) & ~hit["look_ahead"]).any()
                    ),
                    "source": c.source,
                }
            )
        return pd.DataFrame(rows)

    def claim_sentences(self) -> list[str]:
        """One sentence per claim: under which conventions the published figure appears."""
        out = []
        for r in self.claims_frame().to_dict("records"):
            text = (
                f"Claim {r['claimed']:+.1%} for {r['target']} over {r['horizon']}: "
                f"{r['within']} of {r['specifications']} specifications ({r['share']:.0%}) give "
                f"an estimate within ±{r['tolerance']:.1%}"
            )
            if r["within"]:
                text += (
                    f"; they share {r['common']}" if r["common"] else "; they share no one choice"
                )
                if r["within_look_ahead"]:
                    text += (
                        f"; {r['within_look_ahead']} of them use full-sample statistics "
                        "(look-ahead)"
                    )
                if r["survives"] and not r["survives_without_look_ahead"]:
                    text += "; only look-ahead ones survive the family-wise control (Romano–Wolf)"
                else:
                    text += (
                        "; at least one survives the family-wise control (Romano–Wolf)"
                        if r["survives"]
                        else "; none survives the family-wise control (Romano–Wolf)"
                    )
            else:
                text += f"; the closest is {r['closest']} with {r['closest_mean']:+.2%}"
            out.append(text + ".")
        return out

    def headline(self) -> str:
        """The answer in one sentence: does any specification survive the search anywhere?

        Says when nothing could be tested (no specification with events in a target x
        horizon), how many specifications have no events, and which survivors use full-sample
        statistics (look-ahead)."""
        alpha = self.config.inference.alpha
        n_spec = len(self.specifications)
        ahead = self.look_ahead_names()
        survivors: dict[tuple[str, str], list[str]] = {}
        tested: dict[tuple[str, str], int] = {}
        for key, fam in self.search.items():
            rw = fam.get("romano_wolf_p", {})
            survivors[key] = [n for n, p in rw.items() if p < alpha]
            tested[key] = sum(1 for p in rw.values() if p == p)
        empty = self.without_events()
        no_events = (
            f" ({len(empty)} of the {n_spec} specifications have no events and take no part)"
            if empty
            else ""
        )
        if not any(tested.values()):
            return (
                f"Nothing could be tested in the search: no specification has events with "
                f"complete forward returns in any target x horizon ({len(tested)} in all)"
                f"{no_events}."
            )
        untested = [f"{t} {h}" for (t, h), n in tested.items() if not n]
        not_testable = f"; not testable: {', '.join(untested)}" if untested else ""
        hit = []
        for (t, h), names in survivors.items():
            if not names:
                continue
            n_ahead = sum(n in ahead for n in names)
            mark = (
                ""
                if not n_ahead
                else ", look-ahead"
                if n_ahead == len(names)
                else f", {n_ahead} with look-ahead"
            )
            hit.append(f"{t} {h} ({len(names)}{mark})")
        if not hit:
            return (
                f"Nothing survives the search: in no target x horizon ({len(survivors)} in all) "
                f"does any of the {n_spec} specifications keep a family-wise (Romano–Wolf) "
                f"p-value below {alpha:.0%}{no_events}{not_testable}."
            )
        return (
            f"Some specifications survive the search (Romano–Wolf p < {alpha:.0%}, out of "
            f"{n_spec}{no_events}): "
            + ", ".join(hit)
            + not_testable
            + "."
            + (
                " Look-ahead: those specifications' signals use full-sample statistics that no "
                "one had on the day."
                if any("look-ahead" in x for x in hit)
                else ""
            )
        )

    def verdict_lines(self) -> list[str]:
        """One line per target x horizon: survivors, reality check, specification curve."""
        return self.verdict().split(" | ")

    def verdict(self) -> str:
        """The answer per target x horizon (lines joined by ``" | "``): does anything survive
        the search?"""
        alpha = self.config.inference.alpha
        lines = []
        for (target, horizon), fam in self.search.items():
            rw = np.array(list(fam.get("romano_wolf_p", {}).values()), dtype=float)
            n_surv = int(np.sum(rw < alpha))
            n = int(np.sum(np.isfinite(rw)))
            rc = fam.get("reality_check_p", np.nan)
            if not n:
                lines.append(
                    f"{target} {horizon}: not testable (no specification has events with "
                    "complete forward returns)."
                )
                continue
            lines.append(
                f"{target} {horizon}: {n_surv} of {n} specifications survive the family-wise "
                f"control at {alpha:.0%} (Romano–Wolf; reality check p = {pvalue(rc)}, "
                f"specification-curve median p = {pvalue(fam.get('curve_p_median', np.nan))}, "
                f"{fam.get('shifts', 0)} common circular shifts, studentized)."
            )
        return " | ".join(lines)

    def summary(self) -> str:
        """Text summary: the grid, and per target x horizon the range of the estimates and the
        share of specifications significant at 5% with the default test."""
        assert self.config.sweep is not None
        sw = self.config.sweep
        lines = [
            f"Sweep {self.config.name}: {sw.n_specifications} specifications "
            f"({' x '.join(f'{d.name} {len(d.choices)}' for d in sw.dimensions) or 'explicit'})"
            + (f", {len(sw.skipped)} invalid skipped" if sw.skipped else ""),
        ]
        f = self.to_frame()
        test = self.default_test
        sign = {"positive": 1.0, "negative": -1.0}.get(sw.direction)
        for (target, horizon), g in f.groupby(["target", "horizon"], sort=False):
            p = g[f"{test}_p"].to_numpy(dtype=float)
            excess = g["excess_mean"].to_numpy(dtype=float)
            ok = np.isfinite(p)
            sig = ok & (np.where(ok, p, 1.0) < 0.05)
            if sign is None:
                side = f" ({int((sig & (excess > 0)).sum())} positive, {int((sig & (excess < 0)).sum())} negative)"
            else:
                side = (
                    f" ({int((sig & (sign * excess > 0)).sum())} in the claimed direction, "
                    f"{int((sig & (sign * excess <= 0)).sum())} against it)"
                )
            lines.append(
                f"  {target} {horizon}: mean {pct(g['mean'].min())} to {pct(g['mean'].max())} "
                f"(median {pct(g['mean'].median())}); {int(sig.sum())} of {ok.sum()} "
                f"specifications with {test} p < 0.05{side}"
            )
        if self.search:
            lines.append(self.headline())
            lines += ["  " + v for v in self.verdict_lines()]
        lines += self.claim_sentences()
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        f = self.to_frame()
        test = self.default_test
        rows = []
        for (target, horizon), g in f.groupby(["target", "horizon"], sort=False):
            p = g[f"{test}_p"].to_numpy(dtype=float)
            ok = np.isfinite(p)
            rows.append(
                {
                    "target": target,
                    "horizon": horizon,
                    "specifications": len(g),
                    "lowest mean": pct(g["mean"].min()),
                    "median mean": pct(g["mean"].median()),
                    "highest mean": pct(g["mean"].max()),
                    f"{test} p < 0.05": f"{int((p[ok] < 0.05).sum())} of {int(ok.sum())}",
                    "smallest p": pvalue(float(np.min(p[ok]))) if ok.any() else "n/a",
                }
            )
        head = (
            f"<p><b>{self.config.title}</b>: sweep of {len(self.specifications)} specifications</p>"
        )
        return head + pd.DataFrame(rows).to_html(index=False)
