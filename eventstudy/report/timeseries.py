"""The time-series study's report blocks and ``result.json`` record."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._units import fmt_value
from eventstudy.data import DataStore
from eventstudy.registry import TESTS, overlap_robust
from eventstudy.report.backtest import backtest_blocks
from eventstudy.report.document import Block, _p
from eventstudy.report.record import _clean, environment, study_header
from eventstudy.timeseries.results import StudyResult, events_table, mean_interval

__all__ = [
    "build_report",
    "events_display",
    "recent_display",
    "result_record",
    "statistics_table",
    "subperiods_display",
    "tests_table",
]

LOOK_AHEAD_TRADE = (
    "Its events use full-sample statistics (look-ahead): no trader had them on the day, so "
    "this is not a tradable result."
)


def statistics_table(result: StudyResult) -> pd.DataFrame:
    """Per variant x target x horizon: the statistics and the default test's p-value."""
    default = result.config.inference.default_test
    rows = []
    for v in result.variants:
        for target, ev in v.evaluations.items():
            for h, hs in ev.horizons.items():
                tr = hs.tests.get(default)
                lo, hi = mean_interval(hs)
                u = ev.units
                rows.append(
                    {
                        "variant": v.name,
                        "target": result.label(target),
                        "horizon": h,
                        "n": hs.n,
                        "incomplete": hs.n_incomplete,
                        "episodes": hs.n_episodes,
                        "mean": fmt_value(hs.mean, u),
                        "95% CI": f"{fmt_value(lo, u)} to {fmt_value(hi, u)}"
                        if np.isfinite(lo)
                        else "",
                        "median": fmt_value(hs.median, u),
                        "std": fmt_value(hs.std, u),
                        "hit rate": f"{hs.hit_rate:.0%}" if np.isfinite(hs.hit_rate) else "",
                        "baseline": fmt_value(hs.baseline_mean, u),
                        "baseline hit rate": f"{hs.baseline_hit_rate:.0%}",
                        "excess": fmt_value(hs.excess_mean, u),
                        f"p ({default})": _p(tr.p_value) if tr is not None else "n/a",
                    }
                )
    return pd.DataFrame(rows)


def recent_display(result: StudyResult, count: int = 3) -> pd.DataFrame:
    """:meth:`StudyResult.recent_events`, formatted."""
    t = result.recent_events(count)
    units = [result.units(g) for g in t["target"]]
    for col in ("realized", "realized_at", "average", "drift"):
        t[col] = [fmt_value(x, u) for x, u in zip(t[col], units, strict=True)]
    t["target"] = t["target"].map(result.label)
    t["date"] = t["date"].dt.strftime("%Y-%m-%d")
    return t.rename(
        columns={
            "days": "days so far",
            "realized": "realized so far",
            "at": "at day",
            "realized_at": "realized at that day",
            "average": "average after events",
        }
    )


def subperiods_display(result: StudyResult) -> pd.DataFrame:
    """The sub-period table, formatted (percentages, p-values, readable target names)."""
    assert result.subperiods is not None
    t = result.subperiods.copy()
    units = [result.units(g) for g in t["target"]]
    for col in ("mean", "baseline_mean", "excess_mean"):
        t[col] = [fmt_value(x, u) for x, u in zip(t[col], units, strict=True)]
    t["target"] = t["target"].map(result.label)
    # a p-value from the Bartlett fallback (the uniform kernel's variance was not positive) is
    # marked: it understates the overlap's variance, so it is optimistic
    t["hac_p"] = [
        _p(p) + (" (Bartlett fallback)" if "fallback" in k else "")
        for p, k in zip(t["hac_p"], t.pop("hac_kernel"), strict=True)
    ]
    return t.rename(
        columns={"baseline_mean": "baseline", "excess_mean": "excess", "hac_p": "p (hac)"}
    )


SIZE_METHOD = (
    "rejection rate at alpha over circular shifts of the events on the complete dates "
    "(each shift k uniform in h..T-h; gaps between events kept except at the wrap), with a 95% "
    "Clopper-Pearson interval; power: the same with the effect added to the shifted events"
)


def size_display(result: StudyResult) -> pd.DataFrame:
    """:meth:`StudyResult.size_table`, formatted."""
    t = result.size_table()
    if t.empty:
        return t
    lo, hi = result.size_band()  # the band the flags use
    band = f"in [{lo:.0%}, {hi:.0%}]"
    out = pd.DataFrame(
        {
            "variant": t["variant"],
            "target": t["target"].map(result.label),
            "horizon": t["horizon"],
            "test": t["test"],
            "rejects": [f"{r:.1%}" if r == r else "n/a" for r in t["rate"]],
            "95% CI": [
                f"{lo:.1%} to {hi:.1%}" if lo == lo else ""
                for lo, hi in zip(t["ci_low"], t["ci_high"], strict=True)
            ],
            "null sets": t["applicable"],
            band: ["no" if f else "yes" for f in t["flagged"]],
        }
    )
    if t["effect"].notna().any():
        units = [result.units(g) for g in t["target"]]
        out["power"] = [
            f"{p:.0%} against {fmt_value(e, u)}" if e == e else ""
            for p, e, u in zip(t["power"], t["effect"], units, strict=True)
        ]
    return out


def tests_table(result: StudyResult) -> pd.DataFrame:
    """Every test of every variant x target x horizon, with Holm and BH adjusted p-values."""
    rows = []
    for v in result.variants:
        for target, ev in v.evaluations.items():
            for h, hs in ev.horizons.items():
                for tname, tr in hs.tests.items():
                    adj = result.adjusted.get((v.name, target, h, tname), {})
                    rows.append(
                        {
                            "variant": v.name,
                            "target": target,
                            "horizon": h,
                            "test": tname,
                            "statistic": f"{tr.statistic:.4g}" if tr.applicable else "n/a",
                            "p": _p(tr.p_value),
                            "p Holm": _p(adj.get("holm", float("nan"))),
                            "p BH": _p(adj.get("fdr_bh", float("nan"))),
                            "note": "" if tr.applicable else tr.reason,
                        }
                    )
    return pd.DataFrame(rows)


def events_display(result: StudyResult) -> pd.DataFrame:
    """Events of all variants, returns as percentages (changes of a level in bp or points)."""
    frames = []
    for v in result.variants:
        t = events_table(v)
        t["date"] = t["date"].dt.strftime("%Y-%m-%d")
        t["value"] = t["value"].map(lambda x: f"{x:.3g}")
        for col in t.columns:
            if col.startswith("complete_"):
                t[col] = t[col].map({True: "yes", False: "no"})
            elif col not in ("variant", "date", "value"):
                target = col.rsplit("_", 1)[0]
                units = v.evaluations[target].units if target in v.evaluations else "return"
                t[col] = t[col].map(lambda x, u=units: fmt_value(x, u))
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


def _data_caveats(result: StudyResult, store: DataStore | None) -> list[str]:
    if store is None:
        return []
    out = []
    for alias, info in result.data.aligned.infos.items():
        for src in info.source.split(" + "):
            entry = store.manifest_entry(store.root / src)
            if entry.get("notes"):
                out.append(f"{alias} ({src}): {entry['notes']}")
    return out


def build_report(
    result: StudyResult,
    *,
    figures: Mapping[str, tuple[Path, str]] | None = None,
    store: DataStore | None = None,
) -> list[Block]:
    """Blocks of the study report.

    Parameters
    ----------
    result
        The study outcome.
    figures
        Figure name -> (PNG path, caption), placed in their sections.
    store
        Data store, to quote the manifest's notes on each file used.
    """
    cfg = result.config
    figs = dict(figures or {})
    frame = result.data.aligned.frame
    blocks: list[Block] = [Block("h1", cfg.title)]
    # the first screen: the answer, the verdict table and the one figure that shows it
    blocks.append(
        Block(
            "p",
            f"Data to **{result.data_end():%Y-%m-%d}** (aligned sample "
            f"{frame.index[0]:%Y-%m-%d} to {frame.index[-1]:%Y-%m-%d}); default test: "
            f"{cfg.inference.default_test}.",
        )
    )
    for note in result.data.notes:  # a shorter sample than the config asks for, first
        blocks.append(Block("p", f"**Data.** {note}"))
    blocks.append(Block("p", f"**Bottom line.** {result.headline()}"))
    table = result.verdict_table()
    if not table.empty:
        blocks.append(Block("table", table))
    else:
        blocks.append(Block("list", result.verdicts()))
    size_line = result.size_sentence()
    if size_line:
        blocks.append(
            Block("p", f"**How often would the test be fooled on this data?** {size_line}")
        )
    ahead = {v.name for v in result.variants if v.signal.look_ahead}
    for b in result.backtests:
        caveat = f" {LOOK_AHEAD_TRADE}" if b.name in ahead else ""
        blocks.append(Block("p", f"**Traded ({b.name}).** {b.verdict()}{caveat}"))
    main = next((k for k in figs if k.startswith("path")), None)
    if main is not None:
        blocks.append(Block("figure", *figs.pop(main)))
    if cfg.question:
        blocks.append(Block("p", f"**Question.** {cfg.question}"))
    blocks.append(
        Block(
            "p",
            f"**Default test: {cfg.inference.default_test}.** "
            + TESTS[cfg.inference.default_test].summary
            + " Intervals of the event means are nominal 95% intervals from the HAC standard "
            "error of the event mean with t(G - 1) quantiles; with few episodes they run narrow "
            "(92-93% coverage on the flagship's event dates in simulated returns, "
            "docs/study-config.md).",
        )
    )
    blocks.append(Block("h2", "Verdicts"))
    blocks.append(Block("list", result.verdicts()))
    if result.claims:
        blocks.append(Block("h2", "Published claims"))
        blocks.append(Block("list", [c.sentence() for c in result.claims]))
    blocks.append(Block("h2", "Signal and events"))
    items = [
        f"**{v.name}**: {v.signal.description}{_units_note(v.signal)}. "
        f"{v.events.n_triggers} trigger days, "
        f"{v.events.n_events} events after declustering (mode {v.events.mode}, "
        f"min_gap {v.events.min_gap} trading days)."
        + (f" {v.description}" if v.description else "")
        for v in result.variants
    ]
    blocks.append(Block("list", items))
    for name in ("series", "signal"):
        for key, (path, caption) in figs.items():
            if key.startswith(name):
                blocks.append(Block("figure", path, caption))
    blocks.append(Block("h2", "What followed"))
    for key, (path, caption) in figs.items():
        if key.startswith(("path", "distribution")):
            blocks.append(Block("figure", path, caption))
    if result.backtests:
        spec = cfg.backtest
        assert spec is not None
        blocks.append(Block("h2", "Backtest"))
        first = result.backtests[0]
        blocks.append(
            Block(
                "p",
                f"The events traded: {first.rule}. Entry at the "
                + (
                    "close of the event day itself (**optimistic**: the signal is only known "
                    "at that close)"
                    if spec.entry == "same_close"
                    else "close after the event day (an event known at the close of day t "
                    "trades at the close of t + 1)"
                )
                + f"; {spec.cost_bps:g} bp per unit traded per leg; cash earns {first.cash}. "
                "Sharpe ratios are of the returns in excess of cash, with a standard error "
                "robust to fat tails and autocorrelation (Lo 2002). "
                + (
                    "The placebo moves the same holdings to random dates (same trades, exposure "
                    "and turnover). "
                    if spec.placebo_draws
                    else "No random-entry placebo was drawn (placebo_draws = 0). "
                )
                + "The deflated Sharpe ratio (Bailey & López de Prado 2014) is the probability that "
                "the true Sharpe ratio is positive once the number of strategies tried and the "
                "spread of their Sharpe ratios are accounted for; "
                + (
                    f"the config declares {spec.trials} trials."
                    if spec.trials is not None
                    else "the trials here are the study's variants."
                ),
            )
        )
        ahead = {v.name for v in result.variants if v.signal.look_ahead}
        for b in result.backtests:
            uses = b.name in ahead
            blocks += backtest_blocks(
                b,
                b.name + (" (look-ahead)" if uses else ""),
                figs.get(f"backtest_{b.name}"),
                caveat=LOOK_AHEAD_TRADE if uses else "",
            )
    blocks.append(Block("h2", "Recent events"))
    blocks.append(
        Block(
            "p",
            f"The last events and where they stand at the data's last date "
            f"({result.data_end():%Y-%m-%d}): the realized return so far, and at the same "
            "day after the event (the average path's last day for older events) the event's "
            "own return against the average path after events and the unconditional drift.",
        )
    )
    blocks.append(Block("table", recent_display(result)))
    for key, (path, caption) in figs.items():
        if key.startswith("recent"):
            blocks.append(Block("figure", path, caption))
    blocks.append(Block("h2", "Statistics"))
    blocks.append(
        Block(
            "p",
            (
                'Forward returns are log returns, log(P[t+h] / P[t]) (return_kind = "log"; '
                "a mean log return is below the mean simple return), "
                if result.config.evaluation.return_kind == "log"
                else "Forward returns are simple returns, P[t+h] / P[t] - 1, "
            )
            + "from the event-day close to the close h trading days later. "
            "Baseline: every date of the sample with a complete horizon. 'episodes' (G) counts "
            "clusters of events whose h-day windows overlap (an event h or more trading days "
            "after the previous one starts a new cluster); the HAC test refers its t-statistic "
            "to t(G - 1).",
        )
    )
    blocks.append(Block("table", statistics_table(result)))
    if result.subperiods is not None and not result.subperiods.empty:
        blocks.append(Block("h2", "Sub-periods"))
        blocks.append(
            Block(
                "p",
                "The same statistics inside each sub-period: events in it against the baseline "
                "of its own dates, with the HAC test run inside it. Few events per period make "
                "these noisy; they show whether one period carries the result.",
            )
        )
        blocks.append(Block("table", subperiods_display(result)))
    blocks.append(Block("h2", "Tests"))
    blocks.append(
        Block(
            "p",
            "Two-sided p-values. Holm values control the family-wise error rate and "
            "Benjamini–Hochberg values the false discovery rate, each across all variants x "
            "targets x horizons of the study for that test."
            + _contrast_sentence(cfg.inference.tests),
        )
    )
    blocks.append(Block("table", tests_table(result)))
    blocks.append(Block("list", _test_notes(cfg.inference.tests)))
    sizes = size_display(result)
    if not sizes.empty:
        blocks.append(Block("h2", "Size and power on this data"))
        blocks.append(
            Block(
                "p",
                "How often each test rejects at "
                f"{cfg.inference.alpha:.0%} when the events carry no information, measured on "
                "this data: the study's own events moved together by a random circular shift "
                f"({cfg.inference.size_draws} shifts; fewer for a test run set by set, as the "
                "table's null sets say; a shift that splits an episode where it wraps is left "
                "out), which keeps their bursts and episodes and lands them on the data's own "
                "forward returns. A test whose rate is far from "
                f"{cfg.inference.alpha:.0%} gives p-values that cannot be taken at face value "
                "here. The intervals (exact binomial) give the Monte Carlo error of the rate "
                "over all the shifts of this sample; as evidence about the test on other "
                "histories of the same market they are too narrow (neighbouring shifts are nearly "
                "the same event set). No shift keeps "
                "a link between the events and the returns' volatility: events the returns "
                "themselves trigger fire in volatile stretches, and tests that rank them "
                "against calmer dates (shift, placebo) reject too often there "
                "(docs/calibration.md, self_triggered)."
                + (
                    " Power: the rate when the stated effect is added to the shifted events."
                    if cfg.inference.power_effect
                    else ""
                ),
            )
        )
        blocks.append(Block("table", sizes))
    blocks.append(Block("h2", "Events"))
    blocks.append(Block("table", events_display(result)))
    blocks.append(Block("h2", "Caveats"))
    blocks.append(Block("list", list(result.caveats)))
    data_notes = _data_caveats(result, store)
    if data_notes:
        blocks.append(Block("h2", "Data notes (from the data manifest)"))
        blocks.append(Block("list", data_notes))
    if result.warnings:
        blocks.append(Block("h2", "Warnings"))
        blocks.append(Block("list", list(result.warnings)))
    blocks.append(Block("h2", "Data"))
    data_rows = [
        {
            "alias": alias,
            "series": info.name,
            "source": info.source,
            "first": info.first,
            "last": info.last,
            "rows": info.rows,
            "sha256": info.sha256[:16],
        }
        for alias, info in result.data.aligned.infos.items()
    ]
    blocks.append(Block("table", pd.DataFrame(data_rows)))
    blocks.append(Block("h2", "Run record"))
    env = environment()
    blocks.append(
        Block(
            "list",
            [
                f"config: {cfg.path} (sha256 {cfg.sha256})",
                f"seed: {result.seed}",
                "versions: " + ", ".join(f"{k} {v}" for k, v in env.items()),
            ],
        )
    )
    return blocks


def _contrast_sentence(tests: tuple[str, ...]) -> str:
    """Name the tests that ignore overlap (from the registry's ``overlap_robust``)."""
    naive = [t for t in tests if not overlap_robust(t)]
    if not naive:
        return ""
    names = naive[0] if len(naive) == 1 else ", ".join(naive[:-1]) + " and " + naive[-1]
    verb = "ignores" if len(naive) == 1 else "ignore"
    return f" {names} {verb} overlapping horizons and clustering and are shown for contrast."


def _test_notes(tests: tuple[str, ...]) -> list[str]:
    """One line per test run: name, null hypothesis and reference, read from the registry."""
    return [f"**{t}**: H0 {TESTS[t].null_hypothesis}. {TESTS[t].reference}." for t in tests]


def result_record(result: StudyResult) -> dict[str, Any]:
    """The content of ``result.json``: nothing that differs between identical runs."""
    cfg = result.config
    data = result.data
    frame = data.aligned.frame
    record: dict[str, Any] = {
        "study": study_header(cfg, result.seed),
        "environment": environment(),
        "data": {alias: info.to_dict() for alias, info in data.aligned.infos.items()},
        "alignment": {
            "first": frame.index[0],
            "last": frame.index[-1],
            "rows": len(frame),
            "dropped": dict(data.aligned.dropped),
        },
        "splices": {
            alias: {
                "join_date": rep.join_date,
                "scale": rep.scale,
                "overlap_days": rep.overlap_days,
                "return_correlation": rep.return_correlation,
                "max_abs_return_diff": rep.max_abs_return_diff,
                "level_drift_per_year": rep.level_drift,
            }
            for alias, rep in data.splices.items()
        },
        "data_notes": list(data.notes),
        "inference": {
            "default_test": cfg.inference.default_test,
            "tests": list(cfg.inference.tests),
            "placebo_draws": cfg.inference.draws,
            "bootstrap_reps": cfg.inference.bootstrap_reps,
            "placebo_stratify": cfg.inference.placebo_stratify,
            "multiple_testing": list(cfg.inference.multiple_testing),
            "multiple_testing_family": "per test, across all variants x targets x horizons",
            "alpha": cfg.inference.alpha,
            "size_draws": cfg.inference.size_draws,
            "power_effect": dict(cfg.inference.power_effect),
            "size_method": SIZE_METHOD,
        },
        "targets": {
            t.name: {
                "series": t.series,
                "relative_to": t.relative_to,
                "kind": t.kind,
                "units": result.units(t.name),
                "return_kind": (
                    cfg.evaluation.return_kind if result.units(t.name) == "return" else None
                ),
                "scale": result.scale(t.name),
            }
            for t in cfg.evaluation.targets
        },
        "variants": [],
        "events": [],
        "results": [],
        "claims": [],
        "caveats": list(result.caveats),
        "warnings": list(result.warnings),
    }
    for v in result.variants:
        record["variants"].append(
            {
                "name": v.name,
                "description": v.description,
                "signal": v.signal.description,
                "threshold": v.signal.threshold,
                "units": v.signal.units or None,
                "look_ahead": v.signal.look_ahead,
                "trigger_days": v.events.n_triggers,
                "events": v.events.n_events,
                "min_gap": v.events.min_gap,
                "mode": v.events.mode,
            }
        )
        table = events_table(v)
        horizons = [c.removeprefix("complete_") for c in table.columns if c.startswith("complete_")]
        targets = list(v.forward)
        for _, row in table.iterrows():
            record["events"].append(
                {
                    "variant": v.name,
                    "date": row["date"],
                    "value": row["value"],
                    "complete": {h: bool(row[f"complete_{h}"]) for h in horizons},
                    "forward_returns": {t: {h: row[f"{t}_{h}"] for h in horizons} for t in targets},
                }
            )
        for target, ev in v.evaluations.items():
            for h, hs in ev.horizons.items():
                stats = hs.stats_dict()
                entry: dict[str, Any] = {"variant": v.name, "target": target}
                entry.update(stats)
                tests = {}
                for tname, tr in hs.tests.items():
                    d = tr.to_dict()
                    d["p_adjusted"] = dict(result.adjusted.get((v.name, target, h, tname), {}))
                    d["method"] = tr.method
                    tests[tname] = d
                entry["tests"] = tests
                entry["size_on_this_data"] = {n: sr.to_dict() for n, sr in hs.size.items()}
                entry["verdict"] = ev.verdict(h)
                record["results"].append(entry)
    for c in result.claims:
        record["claims"].append(
            {
                "target": c.target,
                "horizon": c.horizon,
                "variant": c.variant,
                "claimed": c.claimed,
                "tolerance": c.tolerance,
                "estimate": c.estimate,
                "n": c.n,
                "reproduced": c.reproduced,
                "source": c.source,
                "ci_low": c.ci_low,
                "ci_high": c.ci_high,
                "look_ahead": c.look_ahead,
                "baseline": c.baseline,
                "test": c.test,
                "p_value": c.p_value,
            }
        )
    if result.subperiods is not None:
        record["subperiods"] = result.subperiods.to_dict("records")
    recent = result.recent_events()
    recent["date"] = recent["date"].dt.strftime("%Y-%m-%d")
    record["recent_events"] = recent.to_dict("records")
    record["headline"] = result.headline()
    record["data_end"] = f"{result.data_end():%Y-%m-%d}"
    if result.backtests:
        assert cfg.backtest is not None
        ahead = {v.name for v in result.variants if v.signal.look_ahead}
        record["backtest"] = {
            "spec": cfg.backtest.to_dict(),
            "results": [{**b.to_dict(), "look_ahead": b.name in ahead} for b in result.backtests],
        }
    if result.facts is not None:
        record["facts"] = result.facts.to_dict()["facts"]
    return _clean(record)


def _units_note(signal: Any) -> str:
    """``"; the value is in percentage points (0.5 is 50 bp)"``, or ``""`` when the signal's
    units are not known (``signal`` a :class:`~eventstudy.signals.SignalResult`)."""
    if not signal.units:
        return ""
    levels = signal.levels or (() if signal.threshold is None else (signal.threshold,))
    if signal.units == "percentage points" and levels:
        return (
            "; the value is in percentage points ("
            + ", ".join(f"{x:g} is {x * 100:g} bp" for x in levels)
            + ")"
        )
    return f"; the value is in {signal.units}"
