"""The frozen result of a backtest, with ``summary()``, ``to_frame()`` and ``_repr_html_``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._frozen import pct, pvalue, readonly_mapping
from eventstudy.inference.sharpe import SharpeStats

__all__ = ["DSR_BAR", "BacktestResult", "SweepBacktest"]

DSR_BAR = 0.95
"""The deflated Sharpe ratio a strategy must reach to count as more than luck of the search."""

_ROWS = (
    ("total_return", "Total return", "pct"),
    ("annual_return", "Annual return", "pct"),
    ("volatility", "Volatility (annual)", "share"),
    ("sharpe", "Sharpe ratio (annual)", "num"),
    ("sortino", "Sortino ratio (annual)", "num"),
    ("max_drawdown", "Maximum drawdown", "pct"),
    ("drawdown_peak", "Drawdown peak", "date"),
    ("drawdown_trough", "Drawdown trough", "date"),
    ("drawdown_recovery", "Recovered on", "date"),
)


def _share(x: float) -> str:
    """An unsigned share: ``"17.4%"``."""
    return f"{x:.1%}" if math.isfinite(x) else "n/a"


def _fmt(value: Any, kind: str) -> str:
    if kind == "date":
        return "not recovered" if value is None else f"{pd.Timestamp(value):%Y-%m-%d}"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if kind == "share":
        return _share(value)
    return pct(value) if kind == "pct" else f"{value:.2f}"


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """A signal traded: daily returns, trades, metrics and the statistics of its Sharpe ratio.

    Attributes
    ----------
    name
        Label of the strategy (the study's variant or specification).
    long, short, cash
        What is held (``short`` None for long-only) and what cash earns.
    hold, overlap, max_slices, entry, cost_bps, rule
        The trading rules, ``rule`` in words.
    daily
        Per day: ``strategy`` and ``buy_and_hold`` returns, ``cash`` return, ``exposure``
        (weight held over the day) and ``cost``.
    trades
        One row per position: event, entry and exit closes, days, weight, return (gross,
        and net of the costs it would pay held alone: the round trip and the daily
        rebalancing of a long-short spread), and whether it is still open at the end.
    performance
        ``{"strategy": {...}, "buy_and_hold": {...}}``: total and annual return,
        volatility, Sharpe and Sortino ratios, maximum drawdown with its dates.
    activity
        Exposure (share of days invested), average weight, annual turnover (capital
        traded a year, the rebalancing that keeps the weights included), trades, hit rate
        (share of trades with a positive net return), total costs, years.
    sharpe
        Per-day Sharpe statistics of the returns in excess of cash (robust standard
        error, skewness, kurtosis); None when the excess returns are constant.
    sharpe_annual, sharpe_se_annual
        The annualized Sharpe ratio and its standard error (``sqrt(252)`` times the daily).
    psr
        Probabilistic Sharpe ratio: probability that the true Sharpe ratio is above zero.
    dsr, sr0_annual, n_trials, trials_variance
        Deflated Sharpe ratio against the expected best annualized Sharpe ratio ``sr0`` of
        ``n_trials`` unskilled strategies whose per-day Sharpe ratios vary by
        ``trials_variance``.
    placebo
        The random-entry placebo: draws, the observed annual excess over buy-and-hold, its
        one-sided add-one p-value, and the placebo median and 5%/95% quantiles.
    events
        The event dates inside the backtest.
    notes
        What the reader must know (optimistic entry, events dropped or skipped).
    """

    name: str
    long: str
    short: str | None
    cash: str
    hold: int
    overlap: str
    max_slices: int
    entry: str
    cost_bps: float
    rule: str
    daily: pd.DataFrame
    trades: pd.DataFrame
    performance: Mapping[str, Mapping[str, Any]]
    activity: Mapping[str, float]
    sharpe: SharpeStats | None
    sharpe_annual: float
    sharpe_se_annual: float
    psr: float
    dsr: float
    sr0_annual: float
    n_trials: int
    trials_variance: float | None
    placebo: Mapping[str, Any]
    events: pd.DatetimeIndex
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __repr__(self) -> str:
        """One line: what was traded and its Sharpe ratio."""
        return (
            f"<BacktestResult {self.name!r}: {self.long}"
            + (f" minus {self.short}" if self.short else "")
            + f", hold {self.hold}, {len(self.trades)} trades, Sharpe {self.sharpe_annual:.2f}>"
        )

    def __post_init__(self) -> None:
        for f in ("performance", "activity", "placebo"):
            object.__setattr__(self, f, readonly_mapping(getattr(self, f)))

    @property
    def holding(self) -> str:
        """What is held, in words."""
        return self.long if self.short is None else f"{self.long} minus {self.short}"

    def equity(self) -> pd.DataFrame:
        """Wealth of the strategy and of buy-and-hold (1 before the first day)."""
        return (1.0 + self.daily[["strategy", "buy_and_hold"]]).cumprod()

    def to_frame(self) -> pd.DataFrame:
        """Tidy metrics, one row per portfolio (``portfolio``: ``"strategy"``, then
        ``"buy_and_hold"``; ``name``: the strategy's name and the series held): the
        performance metrics (``total_return`` .. ``max_drawdown`` as float64, the drawdown's
        ``drawdown_peak``, ``drawdown_trough`` and ``drawdown_recovery`` as dates, NaT when not
        recovered), then ``exposure``, ``turnover``, ``trades`` and ``hit_rate`` (buy-and-hold:
        always invested, no turnover, one trade, no hit rate).  :meth:`table` formats the same
        numbers for reading."""
        a = self.activity
        rows = []
        for portfolio, name in (("strategy", self.name), ("buy_and_hold", self.holding)):
            row: dict[str, Any] = {"portfolio": portfolio, "name": name}
            for key, _, kind in _ROWS:  # loop over nine metrics
                value = self.performance[portfolio][key]
                row[key] = pd.Timestamp(value) if kind == "date" and value is not None else value
            rows.append(row)
        frame = pd.DataFrame(rows)
        for key, _, kind in _ROWS:  # loop over nine metrics
            frame[key] = pd.to_datetime(frame[key]) if kind == "date" else frame[key].astype(float)
        frame["exposure"] = [float(a["exposure"]), 1.0]
        frame["turnover"] = [float(a["turnover"]), 0.0]
        frame["trades"] = np.array([int(a["trades"]), 1], dtype=np.int64)
        frame["hit_rate"] = [float(a["hit_rate"]), np.nan]
        return frame

    def table(self) -> pd.DataFrame:
        """The metrics table formatted for reading (percentages, dates), with the strategy's
        exposure, turnover, trades and hit rate."""
        rows = {
            label: [_fmt(self.performance[c][k], kind) for c in ("strategy", "buy_and_hold")]
            for k, label, kind in _ROWS
        }
        a = self.activity
        rows["Exposure (days invested)"] = [_share(a["exposure"]), "100.0%"]
        rows["Turnover (capital traded a year)"] = [f"{a['turnover']:.2f}x", "0.00x"]
        rows["Trades"] = [str(int(a["trades"])), "1"]
        rows["Hit rate (trades with a gain)"] = [_share(a["hit_rate"]), ""]
        return pd.DataFrame.from_dict(rows, orient="index", columns=["Strategy", "Buy and hold"])

    def _cash_clause(self) -> str:
        if self.cash == "zero":
            return ""
        c = self.daily["cash"].to_numpy()
        return f" (cash: {pct(float(np.prod(1.0 + c)) ** (252 / c.size) - 1.0)})"

    def verdict(self) -> str:
        """The answer in one sentence: returns, Sharpe with its error, the placebo and the
        deflated Sharpe ratio."""
        s, b = self.performance["strategy"], self.performance["buy_and_hold"]
        text = (
            f"Holding {self.holding} for {self.hold} trading days after each event "
            f"({int(self.activity['trades'])} trades, invested {_share(self.activity['exposure'])} "
            f"of days, costs {self.cost_bps:g} bp per leg traded) returned {pct(s['annual_return'])} a "
            f"year{self._cash_clause()} with a Sharpe ratio of "
            f"{_fmt(self.sharpe_annual, 'num')} "
            f"(standard error {_fmt(self.sharpe_se_annual, 'num')}), against "
            f"{pct(b['annual_return'])} and {_fmt(b['sharpe'], 'num')} for buy-and-hold."
        )
        if self.entry == "same_close":
            text += (
                " Optimistic entry: bought at the close of the event day itself, when the "
                "signal is only known at that close."
            )
        pl = self.placebo
        if "p_value" in pl:
            text += (
                f" Random entries with the same trades and exposure matched its excess over "
                f"buy-and-hold in {_share(pl['beaten_by'])} of {pl['draws']} draws "
                f"(p={pvalue(pl['p_value'])})."
            )
        if not math.isnan(self.dsr):
            if self.n_trials > 1:
                text += (
                    f" Deflated for {self.n_trials} trials (the best of that many unskilled "
                    f"strategies would show a Sharpe ratio of {_fmt(self.sr0_annual, 'num')} by "
                    "luck), the "
                    f"probability that its true Sharpe ratio is positive is {self.dsr:.2f}"
                )
            else:
                text += (
                    f" The probability that its true Sharpe ratio is positive is "
                    f"{self.dsr:.2f} (one strategy tried)"
                )
            text += "; that passes the 0.95 bar." if self.dsr >= DSR_BAR else "; below 0.95."
        return text

    def to_dict(self) -> dict[str, Any]:
        """Everything but the daily series, JSON-ready (dates as ISO strings)."""

        def clean(v: Any) -> Any:
            if isinstance(v, pd.Timestamp):
                return f"{v:%Y-%m-%d}"
            if isinstance(v, float) and math.isnan(v):
                return None
            if isinstance(v, Mapping):
                return {k: clean(x) for k, x in v.items()}
            return v

        return {
            "name": self.name,
            "holding": self.holding,
            "cash": self.cash,
            "hold_days": self.hold,
            "overlap": self.overlap,
            "max_slices": self.max_slices,
            "entry": self.entry,
            "optimistic_entry": self.entry == "same_close",
            "cost_bps": self.cost_bps,
            "rule": self.rule,
            "performance": clean(dict(self.performance)),
            "activity": clean(dict(self.activity)),
            "sharpe": None if self.sharpe is None else clean(self.sharpe.to_dict()),
            "sharpe_annual": clean(self.sharpe_annual),
            "sharpe_se_annual": clean(self.sharpe_se_annual),
            "probabilistic_sharpe": clean(self.psr),
            "deflated_sharpe": clean(self.dsr),
            "expected_max_sharpe_annual": clean(self.sr0_annual),
            "n_trials": self.n_trials,
            "trials_variance": self.trials_variance,
            "placebo": clean(dict(self.placebo)),
            "trades": [
                {k: clean(v) if not isinstance(v, bool) else v for k, v in row.items()}
                for row in self.trades.astype(object).to_dict(orient="records")
            ],
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        """Plain-text summary: the verdict, the rules, the metrics table and the notes."""
        lines = [
            f"Backtest: {self.name}",
            self.verdict(),
            "",
            f"Rules: {self.rule}; entry {self.entry.replace('_', ' ')}; cash earns {self.cash}.",
            "",
            self.table().to_string(),
        ]
        if self.notes:
            lines += ["", *(f"Note: {n}" for n in self.notes)]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        import html

        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<h4>Backtest: {html.escape(self.name)}</h4>"
            f"<p>{html.escape(self.verdict())}</p>"
            f"<p><em>{html.escape(self.rule)}</em></p>"
            + self.table().to_html(escape=True)
            + (f"<ul>{notes}</ul>" if notes else "")
        )

    def plot(self) -> Any:
        """Equity curves, drawdown and the events (a matplotlib figure)."""
        from eventstudy.backtest.plots import equity_figure

        return equity_figure(self)


@dataclass(frozen=True, slots=True)
class SweepBacktest:
    """Every specification of a sweep traded, and the pick deflated by the search.

    Attributes
    ----------
    table
        One row per specification: ``specification``, annual ``sharpe``, ``annual_return``,
        ``max_drawdown``, ``exposure``, ``trades`` and the per-day ``sharpe_daily`` used for
        the deflation (NaN when a specification never traded).
    best
        The specification with the highest Sharpe ratio, backtested in full (placebo
        included) and deflated by the search: the one a searcher would report.
    selected
        The specification the config names (``[backtest] select``), likewise; None without.
    n_trials, trials_variance
        The search the deflation accounts for: the number of distinct strategies among the
        specifications (or the trials the config declares) and the variance of their per-day
        Sharpe ratios.
    n_specifications, distinct_strategies
        Specifications traded, and how many distinct strategies they are (specifications with
        identical daily returns count once).  Correlated but distinct strategies each count:
        with the variance of their Sharpe ratios measured across them, this is the count
        Bailey & López de Prado (2014) use; strongly clustered ones make it conservative.
    """

    table: pd.DataFrame
    best: BacktestResult
    selected: BacktestResult | None
    n_trials: int
    trials_variance: float
    n_specifications: int = 0
    distinct_strategies: int = 0

    def verdict(self) -> str:
        """The answer in one sentence."""
        sr = self.table["sharpe"].dropna()
        text = (
            f"Holding {self.best.holding} for {self.best.hold} trading days after each event, "
            f"the {sr.size} specifications' annual Sharpe ratios range from {sr.min():.2f} to "
            f"{sr.max():.2f} (median {sr.median():.2f}); the best, {self.best.name}, would "
            f"need {self.best.sr0_annual:.2f} just to match the luck of the best of "
            f"{self.n_trials} tries"
            + (
                f" (the {self.n_specifications} specifications are {self.distinct_strategies} "
                "distinct strategies)"
                if self.n_trials == self.distinct_strategies
                and self.distinct_strategies != self.n_specifications
                else ""
            )
            + ", and the probability that its true Sharpe ratio is "
            f"positive is {self.best.dsr:.2f}"
        )
        text += " (passes the 0.95 bar)." if self.best.dsr >= DSR_BAR else " (below 0.95)."
        if self.selected is not None:
            text += (
                f" The selected specification {self.selected.name}: Sharpe ratio "
                f"{_fmt(self.selected.sharpe_annual, 'num')}, deflated {self.selected.dsr:.2f}."
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_trials": self.n_trials,
            "trials_variance": self.trials_variance,
            "n_specifications": self.n_specifications,
            "distinct_strategies": self.distinct_strategies,
            "best": self.best.to_dict(),
            "selected": None if self.selected is None else self.selected.to_dict(),
            "specifications": [
                {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
                for row in self.table.to_dict(orient="records")
            ],
            "verdict": self.verdict(),
        }

    def plot(self) -> Any:
        """The distribution of the specifications' Sharpe ratios with the picks marked."""
        from eventstudy.backtest.plots import sharpe_distribution_figure

        marks = [(f"best: {self.best.name}", self.best.sharpe_annual)]
        if self.selected is not None:
            marks.append((f"selected: {self.selected.name}", self.selected.sharpe_annual))
        return sharpe_distribution_figure(
            self.table["sharpe"].to_numpy(dtype=float).tolist(), marks, self.best.sr0_annual
        )
