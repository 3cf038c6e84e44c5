"""What a strategy trades at each close: the change of its target weight and the daily
rebalancing that keeps a weight constant while prices move.

Conventions (those of :mod:`eventstudy.backtest.positions`): ``exposure[t]`` is the weight held
over day ``t``, the return of day ``t`` (``ra[t - 1]``, ``rb[t - 1]``, ``rf[t - 1]``) is earned
from the close of ``t - 1`` to the close of ``t``, and the trades at the close of ``t`` turn the
weights the day left into ``exposure[t + 1]``.

A position of weight ``w`` in an asset that returned ``r`` on a day whose portfolio returned
``g - 1`` (before costs) is left at ``w (1 + r) / g`` of the capital: a long-only position with
cash beside it drifts with the asset; a long-short spread's two legs drift apart, and both drift
against the capital (which the spread's return moves), so holding the spread at a constant
weight trades every day.  Trades are measured as a fraction of the capital at that close,
before its costs, and the costs are taken from the day's return.
"""

from __future__ import annotations

import numpy as np

__all__ = ["traded", "traded_alone"]


def traded(
    exposure: np.ndarray,
    after: float,
    ra: np.ndarray,
    rb: np.ndarray | None,
    rf: np.ndarray,
) -> np.ndarray:
    """Capital traded at each close ``0 .. T-1``, both legs summed.

    Parameters
    ----------
    exposure
        ``(T,)`` weight held over each day (``exposure[0]``: before the first close).
    after
        The weight held after the last close (a position still open keeps its weight).
    ra, rb
        ``(T - 1,)`` returns of the long asset and of the short one (``None``: long-only)
        over days ``1 .. T-1``.
    rf
        ``(T - 1,)`` cash returns over the same days.

    Returns
    -------
    numpy.ndarray
        ``(T,)``: at the close of ``0``, the change of weight on each leg; at the close of
        ``t >= 1``, ``|w' - w (1 + r_a) / g|`` (plus ``|w' - w (1 + r_b) / g|`` with a short leg),
        ``w`` the weight held over day ``t``, ``w'`` the next day's, ``g`` the gross return
        of the portfolio over day ``t`` before costs: cash on ``1 - w`` for a long-only
        strategy, cash on the whole capital (the collateral) for a long-short one.  A
        long-only weight of 0 or 1 never drifts, so there it is ``|w' - w|``.

    Notes
    -----
    Long-short: holding ``w = 1`` through a day on which both legs rose 1% and cash earned
    nothing leaves the capital unchanged and each leg at 1.01 of it: 0.02 of the capital is
    traded to bring both back to 1.
    """
    e = np.asarray(exposure, dtype=float)
    nxt = np.r_[e[1:], after]
    w = e[1:]  # weight over days 1 .. T-1
    out = np.empty(e.size)
    legs = 1.0 if rb is None else 2.0
    out[0] = legs * abs(nxt[0] - e[0])
    if rb is None:
        g = 1.0 + w * ra + (1.0 - w) * rf
        out[1:] = np.abs(nxt[1:] - w * (1.0 + ra) / g)
    else:
        g = 1.0 + w * (ra - rb) + rf
        out[1:] = np.abs(nxt[1:] - w * (1.0 + ra) / g) + np.abs(nxt[1:] - w * (1.0 + rb) / g)
    return out


def traded_alone(
    entries: np.ndarray,
    exits: np.ndarray,
    is_open: np.ndarray,
    ra: np.ndarray,
    rb: np.ndarray | None,
    rf: np.ndarray,
) -> np.ndarray:
    """Capital each trade would trade held alone at weight 1, as a fraction of its own size.

    Parameters
    ----------
    entries, exits
        ``(n,)`` closes at which each trade is bought and sold (or, when open, last valued).
    is_open
        ``(n,)`` the trade is still held after the last close (no sale).
    ra, rb, rf
        As in :func:`traded`.

    Returns
    -------
    numpy.ndarray
        ``(n,)``: one per leg at the entry, the daily rebalancing of :func:`traded` at weight 1
        at each close in between (and at the last close of an open trade), and the legs'
        drifted sizes at the sale.  Held alone, a trade pays exactly what the daily series
        pays over its closes; trades held side by side (``stack``) net part of their
        rebalancing in the series.
    """
    n_days = ra.size
    ones = np.ones(n_days)
    if rb is None:  # fully invested, the weight never drifts: one unit in, one out
        rebalance = np.zeros(n_days)
        sale = ones
        legs = 1.0
    else:
        g = 1.0 + (ra - rb) + rf
        up, down = (1.0 + ra) / g, (1.0 + rb) / g
        rebalance = np.abs(1.0 - up) + np.abs(1.0 - down)
        sale = up + down
        legs = 2.0
    # rebalance[k] is at the close of k + 1; closes entry + 1 .. last of each trade
    csum = np.r_[0.0, np.cumsum(rebalance)]
    last = np.where(is_open, exits, exits - 1)
    inside = csum[np.maximum(last, entries)] - csum[entries]
    out = legs + inside
    closed = ~np.asarray(is_open, dtype=bool)
    out[closed] += sale[exits[closed] - 1]
    return out
