"""The record (``result.json``) and report of a sweep: the answer first, then the curve, the
sensitivity to each choice, the tests across the search and the grid."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.report.backtest import backtest_blocks
from eventstudy.report.document import Block
from eventstudy.report.facts import facts_blocks
from eventstudy.report.record import Rows, _clean, environment, study_header
from eventstudy.report.timeseries import LOOK_AHEAD_TRADE, SIZE_METHOD

if TYPE_CHECKING:
    from eventstudy.timeseries.sweep_results import SweepResult

__all__ = [
    "build_sweep_report",
    "search_table",
    "sensitivity_table",
    "sweep_record",
]

_FIGURE_CAPTION = (
    "Specification curve: every specification's mean forward return, sorted, with its 95% "
    "interval; filled red markers are significant with the default test (two-sided), rings "
    "survive the Romano–Wolf family-wise control; dashed: the median of the specifications' "
    "baselines (each is tested against its own); dotted: the claimed value. Underneath, the "
    "choices each specification makes."
)


def search_table(result: SweepResult) -> pd.DataFrame:
    """Per target x horizon: estimates across the specifications and the tests across them."""
    f = result.to_frame()
    test = result.default_test
    alpha = result.config.inference.alpha
    assert result.config.sweep is not None
    direction = result.config.sweep.direction
    sign = {"positive": 1.0, "negative": -1.0}.get(direction)
    # the default test's rejections in the claimed direction, as Holm and BH count them
    label = f"{test} p<{alpha:g}" + ("" if sign is None else f" ({direction})")
    rows = []
    for (target, horizon), fam in result.search.items():
        g = f[(f["target"] == target) & (f["horizon"] == horizon)]
        p = g[f"{test}_p"].to_numpy(dtype=float)
        if sign is not None:
            p = np.where(sign * g["excess_mean"].to_numpy(dtype=float) > 0, p, np.nan)
        rows.append(
            {
                "target": target,
                "horizon": horizon,
                "specifications": len(g),
                "lowest": g["mean"].min(),
                "median": g["mean"].median(),
                "highest": g["mean"].max(),
                "median baseline": g["baseline_mean"].median(),
                label: int(np.sum(p < alpha)),
                f"Holm p<{alpha:g}": int(np.sum(g["holm_p"] < alpha)),
                f"BH q<{alpha:g}": int(np.sum(g["fdr_bh_p"] < alpha)),
                "Romano–Wolf survivors": int(np.sum(g["romano_wolf_p"] < alpha)),
                "reality check p": fam["reality_check_p"],
                "SPA p": fam["spa_p"],
                "curve median p": fam["curve_p_median"],
                "curve share p": fam["curve_p_share"],
            }
        )
    return pd.DataFrame(rows)


def sensitivity_table(result: SweepResult) -> pd.DataFrame:
    """Mean estimate by each choice of each dimension (rows) and target x horizon (columns)."""
    assert result.config.sweep is not None
    f = result.to_frame()
    f["column"] = f["target"] + " " + f["horizon"]
    order = list(dict.fromkeys(f["column"]))
    parts = []
    for d in result.config.sweep.dimensions:
        t = (
            f.groupby([f"choice_{d.name}", "column"], sort=False)["mean"]
            .mean()
            .unstack("column")[order]
        )
        t.index = [f"{d.name}={c}" for c in t.index]
        parts.append(t)
    out = pd.concat(parts) if parts else pd.DataFrame()
    out.index.name = "choice"
    out.columns.name = None  # unstack's "column" label would be an extra header row in HTML
    return out.reset_index()


def build_sweep_report(
    result: SweepResult, *, figures: dict[str, tuple[Path, str]] | None = None
) -> list[Block]:
    """The report: the answer, the curves, sensitivity, tests across the search, the grid."""
    cfg = result.config
    assert cfg.sweep is not None
    sw = cfg.sweep
    figs = dict(figures or {})
    shifts = max((int(f["shifts"]) for f in result.search.values()), default=0)
    blocks: list[Block] = [Block("h1", cfg.title)]
    if cfg.question:
        blocks.append(Block("p", f"**Question.** {cfg.question}"))
    blocks.append(Block("p", f"**Answer.** {result.headline()}"))
    blocks.append(Block("list", result.verdict_lines()))
    if cfg.claims:
        blocks.append(Block("p", "**Published claims across the specifications.**"))
        blocks.append(Block("list", result.claim_sentences()))
    blocks.append(
        Block(
            "p",
            f"{sw.n_specifications} specifications ("
            + (" x ".join(f"{d.name} {len(d.choices)}" for d in sw.dimensions) or "explicit")
            + f"), each tested with {', '.join(sw.tests)}; across them a joint null moves every "
            f"specification's event dates by each of {shifts} common circular shifts (the same "
            "fraction of its own evaluation sample for every specification, so each sample "
            "keeps its whole circle and each specification its clustering) and measures each "
            "shifted set by its own HAC t-statistic (studentized, as shift_t): White's reality "
            "check, Hansen's SPA and Romano–Wolf stepdown on those t-statistics, "
            f"specification-curve inference on the raw excess (direction: {sw.direction}).",
        )
    )
    if result.facts is not None:
        blocks += facts_blocks(result.facts)
    bt = result.backtest
    if bt is not None:
        ahead = (
            " The best specification's events use full-sample statistics (look-ahead): no "
            "trader had them on the day, so its Sharpe ratio is not a tradable result."
            if result.look_ahead(bt.best.name)
            else ""
        )
        blocks.append(Block("p", f"**Traded.** {bt.verdict()}{ahead}"))
    blocks.append(Block("h2", "Specification curves"))
    for name, (path, caption) in figs.items():
        if not name.startswith("backtest_"):
            blocks.append(Block("figure", path, caption))
    if bt is not None:
        blocks.append(Block("h2", "Backtest across the specifications"))
        blocks.append(
            Block(
                "p",
                f"Every specification's events traded: {bt.best.rule}; {bt.best.cost_bps:g} bp "
                f"per unit traded per leg; cash earns {bt.best.cash}. The deflated Sharpe "
                "ratio (Bailey & López de Prado 2014) of the best specification accounts for "
                f"the {bt.n_trials} tried and the spread of their Sharpe ratios: it is the "
                "probability that its true Sharpe ratio is positive.",
            )
        )
        for name, (path, caption) in figs.items():
            if name == "backtest_sharpes":
                blocks.append(Block("figure", path, caption))
        for label, b in (("best", bt.best), ("selected", bt.selected)):
            if b is None:
                continue
            heading = f"The {label} specification, {b.name}"
            uses = result.look_ahead(b.name)
            blocks += backtest_blocks(
                b,
                heading + (" (look-ahead)" if uses else ""),
                figs.get(f"backtest_{label}"),
                caveat=LOOK_AHEAD_TRADE if uses else "",
            )
    blocks.append(Block("h2", "Tests across the search"))
    blocks.append(Block("table", _formatted(search_table(result), list(_PCT_COLUMNS))))
    size = result.size_table()
    if not size.empty:
        inf = cfg.inference
        lo, hi = result.size_band()
        blocks.append(Block("h2", "Size on this data"))
        blocks.append(
            Block(
                "p",
                "Each specification's own events moved together by random circular shifts of "
                "the sample (no information left, their clustering kept; `shifts`: how many, "
                f"fewer for a test run set by set): the share of shifted sets each test rejects "
                f"at {inf.alpha:.0%}, across the specifications; flagged: specifications outside "
                f"[{lo:.0%}, {hi:.0%}]. Per specification, with its interval: sweep.csv "
                "(`<test>_size`, `_size_low`, `_size_high`, and `_size_applicable`, the shifted "
                "sets the test ran on).",
            )
        )
        shown = size.copy()
        for col in ("lowest", "median", "highest", "median power"):
            if col in shown:
                shown[col] = [f"{x:.1%}" if x == x else "" for x in shown[col]]
        blocks.append(Block("table", shown))
    blocks.append(Block("h2", "Sensitivity: mean estimate by choice"))
    sens = sensitivity_table(result)
    blocks.append(Block("table", _formatted(sens, [c for c in sens.columns if c != "choice"])))
    blocks.append(Block("h2", "The grid"))
    blocks.append(
        Block("list", [f"{d.name}: " + ", ".join(c for c, _ in d.choices) for d in sw.dimensions])
    )
    if sw.skipped:
        blocks.append(
            Block(
                "p",
                f"{len(sw.skipped)} invalid combinations skipped, e.g. {sw.skipped[0][0]}: "
                f"{sw.skipped[0][1]}",
            )
        )
    if result.warnings:
        blocks.append(Block("h2", "Warnings"))
        blocks.append(Block("list", list(result.warnings)))
    blocks.append(Block("h2", "Run record"))
    env = environment()
    blocks.append(
        Block(
            "list",
            [
                f"config: {cfg.path} (sha256 {cfg.sha256})",
                f"seed: {result.seed}",
                "versions: " + ", ".join(f"{k} {v}" for k, v in env.items()),
                "every specification's numbers: sweep.csv / sweep.parquet",
            ],
        )
    )
    return blocks


_PCT_COLUMNS = ("lowest", "median", "highest", "median baseline")


def _formatted(table: pd.DataFrame, pct_columns: list[str]) -> pd.DataFrame:
    """Percentages for estimates, three significant digits for p-values (report only)."""
    from eventstudy._frozen import pct, pvalue

    out = table.copy()
    for col in out.columns:
        if col in pct_columns:
            out[col] = [pct(float(x)) for x in out[col]]
        elif str(col).endswith(" p"):
            out[col] = [pvalue(float(x)) for x in out[col]]
    return out


def sweep_record(result: SweepResult, frame: pd.DataFrame | None = None) -> dict[str, Any]:
    """The content of ``result.json``: the grid, counts, every specification's estimates and
    p-values, and the tests across the search; nothing that differs between identical runs.
    ``frame`` is ``result.to_frame()`` when the caller has it already.  The specifications
    are a :class:`~eventstudy.report.record.Rows` (a sequence of dicts): write the record
    with :func:`~eventstudy.report.record.to_json`, which writes them column by column."""
    cfg = result.config
    assert cfg.sweep is not None
    sw = cfg.sweep
    frame = result.to_frame() if frame is None else frame
    record: dict[str, Any] = {
        "study": study_header(cfg, result.seed),
        "environment": environment(),
        "data": {
            alias: {
                "series": info.name,
                "source": info.source,
                "first": info.first,
                "last": info.last,
                "rows": info.rows,
                "sha256": info.sha256,
            }
            for alias, info in result.data.aligned.infos.items()
        },
        "sweep": {
            "dimensions": {d.name: [c for c, _ in d.choices] for d in sw.dimensions},
            "specifications": sw.n_specifications,
            "skipped": [{"name": n, "reason": r} for n, r in sw.skipped],
            "without_events": list(result.without_events()),
            "tests": list(sw.tests),
            "direction": sw.direction,
            "shifts": sw.shifts,
            "alpha": cfg.inference.alpha,
            "size_draws": cfg.inference.size_draws,
            "power_effect": dict(cfg.inference.power_effect),
            "size_method": SIZE_METHOD if cfg.inference.size_draws else None,
        },
        "verdict": result.headline(),
        "verdict_by_target": result.verdict_lines(),
        "search": [
            {
                "target": t,
                "horizon": h,
                **{k: v for k, v in fam.items() if not isinstance(v, Mapping)},
            }
            for (t, h), fam in result.search.items()
        ],
        "claims": result.claims_frame().to_dict("records"),
        "specifications": Rows(frame),
        "warnings": list(result.warnings),
    }
    if result.facts is not None:
        record["facts"] = result.facts.to_dict()["facts"]
    if result.backtest is not None:
        assert cfg.backtest is not None
        record["backtest"] = {"spec": cfg.backtest.to_dict(), **result.backtest.to_dict()}
        for key in ("best", "selected"):  # the caveat beside the numbers, as in the report
            if record["backtest"].get(key):
                record["backtest"][key]["look_ahead"] = result.look_ahead(
                    record["backtest"][key]["name"]
                )
    return _clean(record)
