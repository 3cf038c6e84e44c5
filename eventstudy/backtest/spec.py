"""The ``[backtest]`` section of a study config, parsed into a frozen :class:`BacktestSpec`.

Example (trade the flagship signal as small minus large caps for six months)::

    [backtest]
    long = "rut"             # a series alias of [data.series]
    short = "spx"            # optional: long rut, short spx
    hold = 126               # trading days, or a horizon name such as "6m"
    overlap = "extend"       # "extend" | "stack" | "ignore"
    max_slices = 4           # with overlap = "stack" only
    entry = "next_close"     # or "same_close" (optimistic, flagged in the report)
    cost_bps = 5             # per unit of capital traded, per leg
    cash = "fama_french:ff3_factors_daily[rf]"
                             # "zero", a return in percent a day (this one, from 1926) or
                             # a yield in percent a year ("fred:DGS3MO", from 1981-09-01:
                             # with it the flagship needs [events] start = 1981-09-02);
                             # read from the data directory on its own, not aligned with
                             # the study's series, and it must quote from the backtest's
                             # first date on
    placebo_draws = 1000
    trials = 200             # optional: strategies tried before this one (deflated Sharpe)
    trials_sharpe_std = 0.3  #   and the standard deviation of their annual Sharpe ratios
    select = "k=3,n=5,..."   # in a sweep: the specification to report beside the best

In a sweep every specification is traded; the deflation then counts the specifications.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eventstudy.backtest._inputs import MAX_COST_BPS
from eventstudy.backtest.positions import ENTRIES, OVERLAP_RULES
from eventstudy.config._reader import Section

__all__ = ["DEFAULT_COST_BPS", "BacktestSpec", "parse_backtest"]

DEFAULT_COST_BPS = 5.0
"""Cost per unit traded per leg when the config says nothing: about what a round trip in a
liquid index ETF or futures contract costs with spread and commission."""

_NO_CASH = ("", "none", "null", "nil", "no", "off", "false", "0", "0.0", "zero", "nothing")
"""Ways of saying "no cash return" that are not the key's spelling of it, ``"zero"``."""

_KEYS = (
    "long",
    "short",
    "hold",
    "overlap",
    "max_slices",
    "entry",
    "cost_bps",
    "cash",
    "placebo_draws",
    "variants",
    "trials",
    "trials_sharpe_std",
    "select",
)


@dataclass(frozen=True, slots=True)
class BacktestSpec:
    """A validated ``[backtest]`` section (see the module docstring for the keys)."""

    long: str
    hold: int
    short: str | None = None
    overlap: str = "extend"
    max_slices: int = 1
    entry: str = "next_close"
    cost_bps: float = DEFAULT_COST_BPS
    cash: str = "zero"
    placebo_draws: int = 1000
    variants: tuple[str, ...] = ()
    trials: int | None = None
    trials_sharpe_std: float | None = None
    select: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def parse_backtest(
    table: Any,
    source: str,
    *,
    aliases: Sequence[str],
    horizons: Mapping[str, int],
    variants: Sequence[str] = (),
) -> BacktestSpec:
    """Validate a ``[backtest]`` table; every error names the file and the key."""
    s = Section(table, f"{source}: [backtest]", _KEYS)
    known = sorted(aliases)

    def alias(key: str, default: Any) -> Any:
        value = s.get_str(key, default)
        if value is not None and value not in known:
            raise s.error(key, f"unknown series {value!r}; series are {known}")
        return value

    long = alias("long", None)
    if long is None:
        raise s.error("long", "missing: the series alias to hold after each event")
    short = alias("short", None)
    if short == long:
        raise s.error("short", "must differ from long")
    raw = s.get_raw("hold", None)
    if raw is None:
        raise s.error("hold", "missing: trading days to hold (or a horizon name such as '6m')")
    if isinstance(raw, str):
        if raw not in horizons:
            raise s.error("hold", f"{raw!r} is not a horizon; horizons are {list(horizons)}")
        hold = int(horizons[raw])
    else:
        hold = s.get_int("hold", minimum=1)
    overlap = s.get_str("overlap", "extend", choices=OVERLAP_RULES)
    if s.has("max_slices") and overlap != "stack":
        raise s.error("max_slices", "only applies with overlap = 'stack'")
    max_slices = s.get_int("max_slices", 4 if overlap == "stack" else 1, minimum=1)
    cost = s.get_float("cost_bps", DEFAULT_COST_BPS)
    if not 0 <= cost < MAX_COST_BPS:  # NaN and inf fail too
        raise s.error(
            "cost_bps",
            f"must be from 0 to below {MAX_COST_BPS:g} basis points (50% per leg: a long-short "
            f"round trip would cost all the capital), got {cost}",
        )
    chosen = tuple(s.get_list("variants", []))
    for v in chosen:
        if v not in variants:
            raise s.error("variants", f"unknown variant {v!r}; variants are {list(variants)}")
    trials = s.get_int("trials", None, minimum=1)
    std = s.get_float("trials_sharpe_std", None)
    if (trials is None) != (std is None):
        raise s.error(
            "trials" if trials is None else "trials_sharpe_std",
            "trials and trials_sharpe_std go together (how many strategies were tried and how "
            "much their annual Sharpe ratios varied)",
        )
    if std is not None and std < 0:
        raise s.error("trials_sharpe_std", f"must be >= 0, got {std}")
    cash = s.get_str("cash", "zero")
    if cash.strip().lower() in _NO_CASH and cash != "zero":
        raise s.error(
            "cash",
            f'{cash!r}: cash that earns nothing is "zero" (or name a series: a yield in '
            'percent a year such as "fred:DGS3MO", or a return in percent a day such as '
            '"fama_french:ff3_factors_daily[rf]")',
        )
    draws = s.get_int("placebo_draws", 1000, minimum=0)
    if 0 < draws < 100:
        raise s.error("placebo_draws", f"must be 0 (off) or at least 100, got {draws}")
    return BacktestSpec(
        long=long,
        hold=hold,
        short=short,
        overlap=overlap,
        max_slices=max_slices,
        entry=s.get_str("entry", "next_close", choices=ENTRIES),
        cost_bps=cost,
        cash=cash,
        placebo_draws=draws,
        variants=chosen,
        trials=trials,
        trials_sharpe_std=std,
        select=s.get_str("select", None),
    )
