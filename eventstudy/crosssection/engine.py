"""Vectorized estimation of normal-return models across events (batched OLS).

Each event e contributes a row to stacked arrays: the returns of its ticker on the trading
days ``pos_e + offset`` for the estimation offsets followed by the event-window offsets
(any gap between the two windows is excluded, as in estudy2), and the matching rows of the
model design matrix, giving a 3-D array events x days x regressors.  The OLS normal equations
X'X b = X'y are formed with batched matrix products under a NaN mask and solved with
:func:`numpy.linalg.solve` on the stacked K x K systems.  Events are processed in chunks of
bounded memory, by several threads when asked (numpy releases the GIL in its loops; each
chunk writes only its own rows, so any thread count gives the same bits); there is no Python
loop per event.

References
----------
Campbell, J. Y., Lo, A. W. & MacKinlay, A. C. (1997), The Econometrics of Financial Markets,
Princeton University Press, ch. 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np

from eventstudy._frozen import readonly_array
from eventstudy._threads import map_blocks, resolve_threads

__all__ = ["EventPanel", "estimate_panel"]

# elements of the events x days x regressors array per chunk: each of the chunk's events x
# days temporaries then fits in a core's cache (about 1 MB); 100,000 events x 251 days with
# the market model took 0.85 s against 1.05 s with 4,000,000 (medians, 2026-12-07)
_CHUNK_ELEMENTS = 500_000
_ZERO_SCALE = 1e-12  # a standard deviation below this fraction of the largest |return| is 0


@dataclass(frozen=True, slots=True)
class EventPanel:
    """Stacked per-event arrays after fitting the normal-return model.

    Shapes: E events, Lw estimation days, D event-window days, T = Lw + D, K regressors.

    Attributes
    ----------
    est_days, event_days
        Relative trading days of the estimation (Lw,) and event window (D,).
    ar
        Abnormal returns (E, T): estimation days then event days.  NaN = missing return.
    returns
        Raw stock returns of the event window (E, D).
    market
        Market returns of the event window (E, D) (NaN outside the data).
    market_est_mean, market_est_ss
        Mean and sum of squared deviations from it of the market returns over the
        estimation window (E,): every calendar day of the window with a market return,
        whether or not the stock has one (estudy2's Patell factor).
    n_est
        Estimation observations L_i (E,).
    params
        OLS coefficients (E, K).
    xtx_inv
        (X'X)^-1 of the estimation window (E, K, K).
    x_event
        Design rows of the event window (E, D, K) (0.0 where unavailable).
    sigma2
        Residual variance SSR / (L - K) (E,); for K = 0 the ddof=1 sample variance.
    sd_ddof1
        Sample sd (ddof = 1) of the estimation-window abnormal returns (E,) (estudy2's s_i).

    A ``sigma2`` or ``sd_ddof1`` whose standard deviation is below 1e-12 of the event's largest
    absolute estimation-window return is 0: a constant abnormal return or an exact fit, whose
    rounding residue would otherwise depend on the order of the sums.
    n_params
        K.

    The arrays are read-only views.
    """

    est_days: np.ndarray
    event_days: np.ndarray
    ar: np.ndarray
    returns: np.ndarray
    market: np.ndarray
    market_est_mean: np.ndarray
    market_est_ss: np.ndarray
    n_est: np.ndarray
    params: np.ndarray
    xtx_inv: np.ndarray
    x_event: np.ndarray
    sigma2: np.ndarray
    sd_ddof1: np.ndarray
    n_params: int

    def __post_init__(self) -> None:
        for f in (
            "est_days",
            "event_days",
            "ar",
            "returns",
            "market",
            "market_est_mean",
            "market_est_ss",
            "n_est",
            "params",
            "xtx_inv",
            "x_event",
            "sigma2",
            "sd_ddof1",
        ):
            object.__setattr__(self, f, readonly_array(getattr(self, f)))

    @property
    def n_events(self) -> int:
        """E."""
        return int(self.ar.shape[0])

    @property
    def lw(self) -> int:
        """Number of estimation-window days Lw."""
        return int(self.est_days.size)

    @property
    def ar_est(self) -> np.ndarray:
        """Estimation-window abnormal returns (E, Lw)."""
        return self.ar[:, : self.lw]

    @property
    def ar_event(self) -> np.ndarray:
        """Event-window abnormal returns (E, D)."""
        return self.ar[:, self.lw :]

    @property
    def prediction_factor(self) -> np.ndarray:
        """h_it = x_t'(X'X)^-1 x_t for the event-window days (E, D): Var AR = σ²(1 + h)."""
        return np.einsum("edk,ekl,edl->ed", self.x_event, self.xtx_inv, self.x_event)

    def subset(self, keep: np.ndarray) -> EventPanel:
        """Rows ``keep`` (boolean mask or indices) of every per-event array."""
        return EventPanel(
            est_days=self.est_days,
            event_days=self.event_days,
            ar=self.ar[keep],
            returns=self.returns[keep],
            market=self.market[keep],
            market_est_mean=self.market_est_mean[keep],
            market_est_ss=self.market_est_ss[keep],
            n_est=self.n_est[keep],
            params=self.params[keep],
            xtx_inv=self.xtx_inv[keep],
            x_event=self.x_event[keep],
            sigma2=self.sigma2[keep],
            sd_ddof1=self.sd_ddof1[keep],
            n_params=self.n_params,
        )


def _rowdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row sums of ``a * b`` over ``a``'s columns (``b`` may have more: its first ones count)."""
    return np.einsum("ij,ij->i", a, b[:, : a.shape[1]])


def estimate_panel(
    returns: np.ndarray,
    market: np.ndarray,
    offset: np.ndarray,
    design: np.ndarray,
    columns: np.ndarray,
    positions: np.ndarray,
    est_days: np.ndarray,
    event_days: np.ndarray,
    *,
    workers: int | None = 1,
) -> EventPanel:
    """Fit the model of every event by batched OLS and compute abnormal returns.

    Parameters
    ----------
    returns
        Calendar returns (T_cal, N) of all tickers (NaN = missing).
    market
        Calendar market return (T_cal,).
    offset, design
        Model offset (T_cal,) and design matrix (T_cal, K) from a
        :class:`~eventstudy.crosssection.models.NormalReturnModel`.
    columns, positions
        Ticker column and day-0 calendar row of each event (E,).
    est_days, event_days
        Relative trading days of the two windows (ascending, disjoint).
    workers
        Threads that fit chunks of events side by side (None: one per core, up to 8); the
        numbers are the same bits for any count.

    Returns
    -------
    EventPanel
        Events with fewer than K + 1 estimation observations get NaN parameters.
    """
    rel = np.concatenate([est_days, event_days]).astype(np.intp)
    lw = est_days.size
    k = design.shape[1]
    e_total = positions.size
    t_full = rel.size
    chunk = max(1, _CHUNK_ELEMENTS // max(1, t_full * (k + 2)))

    ar = np.empty((e_total, t_full))
    ret = np.empty((e_total, event_days.size))
    mkt = np.empty((e_total, event_days.size))
    mkt_mean = np.empty(e_total)
    mkt_ss = np.empty(e_total)
    n_est = np.empty(e_total, dtype=np.int64)
    params = np.full((e_total, k), np.nan)
    xtx_inv = np.full((e_total, k, k), np.nan)
    x_event = np.empty((e_total, event_days.size, k))
    sigma2 = np.full(e_total, np.nan)
    sd1 = np.full(e_total, np.nan)
    t_cal = returns.shape[0]
    eye = np.eye(k)
    returns_t = np.ascontiguousarray(returns.T)  # (N, T_cal): each event's window is contiguous
    col_start = columns.astype(np.intp) * t_cal  # each event's ticker's first calendar day
    # calendar-level cleaning: a date is usable only if offset and every regressor exist
    row_ok = np.isfinite(offset) & (np.isfinite(design).all(axis=1) if k else True)
    off_c = np.where(row_ok, offset, np.nan)
    des_c = np.where(row_ok[:, None], design, 0.0)
    off_nonzero = bool(np.any(off_c[row_ok] != 0.0))
    is_const = [bool(np.all(des_c[row_ok, j] == 1.0)) for j in range(k)]  # loop over regressors
    # each regressor as its own contiguous column: a 1-D take per chunk, not a strided gather
    des_cols = [np.ascontiguousarray(des_c[:, j]) for j in range(k)]  # loop over regressors
    # shortcuts that skip copies, never change a value: every calendar row usable, a
    # regressor that is the market itself (the market model: gathered once, not twice), a
    # market without gaps; and, per chunk below, windows inside the data without a missing
    # return.  On 100,000 events these copies were about a fifth of the engine (2026-12-07).
    rows_all_ok = bool(row_ok.all())
    market_full = bool(np.isfinite(market).all())
    is_market = [  # loop over regressors
        rows_all_ok
        and not is_const[j]
        and np.array_equal(des_cols[j].view(np.int64), market.view(np.int64))  # bits: -0.0
        for j in range(k)
    ]
    ones = np.ones((min(chunk, e_total), lw))  # the mask of a chunk without missing returns

    def fit(lo: int) -> None:  # the events lo:lo + chunk, written in their rows only
        hi = min(e_total, lo + chunk)
        rows = positions[lo:hi, None] + rel[None, :]
        inside = (rows >= 0) & (rows < t_cal)
        rows_c = np.clip(rows, 0, t_cal - 1)
        # a take without an axis indexes the flattened (N, T_cal) array: a (rows, columns) fancy
        # index cost twice as much (2026-12-07)
        r = returns_t.take(rows_c + col_start[lo:hi, None])
        m = market.take(rows_c)
        all_inside = bool(inside.all())
        if not all_inside:
            r[~inside] = np.nan
            m[~inside] = np.nan
        if off_nonzero:
            y = r - off_c[rows_c]
        else:
            y = r if rows_all_ok else np.where(row_ok[rows_c], r, np.nan)
        valid = np.isfinite(y)
        complete = bool(valid.all())  # no missing return in the chunk's windows
        y0 = y if complete else np.where(valid, y, 0.0)
        mask = valid[:, :lw]
        maskf = ones[: hi - lo] if complete else mask.astype(float)
        cnt = np.full(hi - lo, lw, dtype=np.int64) if complete else mask.sum(axis=1)
        zs: list[np.ndarray | None] = [  # loop over regressors
            None if is_const[j] else (m if is_market[j] and all_inside else des_cols[j][rows_c])
            for j in range(k)
        ]
        if k:
            xtx = np.empty((hi - lo, k, k))
            xty = np.empty((hi - lo, k))
            for i in range(k):  # loops over regressor pairs (K <= 7), not events
                zi = zs[i]
                # row sums of products by einsum: no temporary, 3.5x faster than product
                # then sum on a chunk (2026-12-07)
                xty[:, i] = y0[:, :lw].sum(axis=1) if zi is None else _rowdot(zi[:, :lw], y0)
                for j in range(i, k):
                    zj = zs[j]
                    if zi is None and zj is None:
                        v = cnt.astype(float)
                    elif zi is None or zj is None:
                        zz = cast(np.ndarray, zj if zi is None else zi)
                        v = _rowdot(zz[:, :lw], maskf)
                    else:
                        v = np.einsum("ij,ij,ij->i", zi[:, :lw], zj[:, :lw], maskf)
                    xtx[:, i, j] = v
                    xtx[:, j, i] = v
            ok = cnt > k
            xtx_safe = np.where(ok[:, None, None], xtx, eye)
            try:
                b = np.linalg.solve(xtx_safe, xty[..., None])[..., 0]
                inv = np.linalg.inv(xtx_safe)
            except (
                np.linalg.LinAlgError
            ):  # a singular design (e.g. constant factor): pseudo-inverse
                inv = np.linalg.pinv(xtx_safe)
                b = np.matmul(inv, xty[..., None])[..., 0]
            b[~ok] = np.nan
            inv[~ok] = np.nan
            a = ar[lo:hi]  # the abnormal returns are computed in their place in the panel
            np.copyto(a, y)
            xe = np.empty((hi - lo, event_days.size, k))
            for j in range(k):  # loop over regressors
                zj = zs[j]
                if zj is None:
                    a -= b[:, j, None]
                    xe[:, :, j] = 1.0
                else:
                    a -= zj * b[:, j, None]
                    xe[:, :, j] = zj[:, lw:]
        else:
            ok = cnt > 1
            b = np.empty((hi - lo, 0))
            inv = np.empty((hi - lo, 0, 0))
            xe = np.empty((hi - lo, event_days.size, 0))
            a = ar[lo:hi]
            np.copyto(a, y)
        a_est = np.ascontiguousarray(a[:, :lw]) if complete else np.where(mask, a[:, :lw], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            ssr = _rowdot(a_est, a_est)
            mean_e = a_est.sum(axis=1) / cnt
            dev = a_est - mean_e[:, None]  # two passes: no cancellation
            if not complete:
                dev[~mask] = 0.0
            var1 = _rowdot(dev, dev) / (cnt - 1)
            # a dispersion below the rounding of the returns themselves is zero (a constant
            # abnormal return, a model that fits exactly): which rounding residue is left
            # depends on the order of the sums, so it must not decide the tests
            noise = (_ZERO_SCALE * np.abs(y0[:, :lw]).max(axis=1, initial=0.0)) ** 2
            var1 = np.where(var1 <= noise, 0.0, var1)
            s2 = np.where(ssr / (cnt - k) <= noise, 0.0, ssr / (cnt - k)) if k else var1
        ret[lo:hi] = r[:, lw:]
        mkt[lo:hi] = m[:, lw:]
        m_est = m[:, :lw]
        if market_full and all_inside:  # no missing market return in the chunk
            m_est = np.ascontiguousarray(m_est)
            m_bar = m_est.sum(axis=1) / lw
            m_dev = m_est - m_bar[:, None]
        else:
            m_ok = np.isfinite(m_est)
            with np.errstate(invalid="ignore", divide="ignore"):
                m_bar = np.where(m_ok, m_est, 0.0).sum(axis=1) / m_ok.sum(axis=1)
            m_dev = np.where(m_ok, m_est - m_bar[:, None], 0.0)
        mkt_mean[lo:hi] = m_bar
        mkt_ss[lo:hi] = _rowdot(m_dev, m_dev)
        n_est[lo:hi] = cnt
        params[lo:hi] = b
        xtx_inv[lo:hi] = inv
        x_event[lo:hi] = xe
        sigma2[lo:hi] = np.where(ok, s2, np.nan)
        sd1[lo:hi] = np.where(ok, np.sqrt(var1), np.nan)

    starts = range(0, e_total, chunk)
    map_blocks(fit, starts, resolve_threads(workers))  # loop over chunks

    return EventPanel(
        est_days=np.asarray(est_days),
        event_days=np.asarray(event_days),
        ar=ar,
        returns=ret,
        market=mkt,
        market_est_mean=mkt_mean,
        market_est_ss=mkt_ss,
        n_est=n_est,
        params=params,
        xtx_inv=xtx_inv,
        x_event=x_event,
        sigma2=sigma2,
        sd_ddof1=sd1,
        n_params=k,
    )
