"""How often a test would be fooled on this very data: its rejection rate over null event
sets that keep the study's own clustering, and its power against a stated effect.

The calibration table (``docs/calibration.md``) measures the size of each test on simulated
event designs; a user's own events cluster in their own way, and size depends on that.
:func:`size_on_data` takes the study's actual events and moves them all by one circular shift
of the sample (event ``i`` at ``t_i`` goes to ``(t_i + k) mod T`` on the complete dates): the
gaps between events, hence their bursts and episodes, are kept except at the one place where
the shift wraps around, and the forward returns they land on are the data's own.  Under the
null that the events carry no information, a test of nominal level ``alpha`` should reject
on about ``alpha`` of these shifted sets.  Power is the rejection rate when ``effect`` is
added to the forward returns of the shifted events.

The HAC test (uniform kernel, h - 1 lags, t(G - 1) reference, as :func:`hac_test` with its
defaults), the naive t-test, the circular-shift tests and Hodrick's test are computed for all
shifts at once (a matrix of draws x dates, in chunks); ``tests/inference/test_size.py`` checks
every p-value against a loop of the tests themselves.  Any other registered test (a study's
verdict test may be any) is run by its own code on the first :data:`LOOP_DRAWS` shifted sets,
one at a time: 200 calls of a test that takes well under a millisecond (``im``, ``ewc``) or
a few milliseconds with :data:`LOOP_RESAMPLES` resamples (``placebo``, ``bootstrap``).

Hodrick's test reads the one-day moves, not the forward returns, so its power is computed
with the effect added to the h-day sums of those moves on the shifted event dates: its slope
gains exactly the effect and its standard error, computed under the null, does not move (as in
the calibration benchmark).

References
----------
Brown, S. J. & Warner, J. B. (1985), 'Using daily stock returns: the case of event studies',
Journal of Financial Economics 14(1), 3-31 (size and power by simulation on the data).
Clopper, C. J. & Pearson, E. S. (1934), 'The use of confidence or fiducial limits illustrated
in the case of the binomial', Biometrika 26(4), 404-413 (the interval of a rejection rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

from eventstudy._typing import Seed
from eventstudy._validation import as_generator, check_float, check_int
from eventstudy.inference._common import MIN_EVENTS, FloatArray, IntArray, prepare
from eventstudy.inference._hac_rows import (  # noqa: F401 - _scores, _uniform_sparse: re-exported
    _hac_t,
    _scores,
    _uniform_sparse,
    band_sums,
)
from eventstudy.inference.hac import default_hac_lags

__all__ = [
    "LOOP_DRAWS",
    "LOOP_RESAMPLES",
    "SIZE_BAND",
    "SIZE_TESTS",
    "SizeResult",
    "size_band",
    "size_on_data",
]

SIZE_TESTS = ("hac", "naive_t", "shift", "shift_t", "hodrick")
"""Tests whose size on the user's data is computed vectorized over all the shifts; any other
registered test is run on the first :data:`LOOP_DRAWS` shifted sets one by one.  (The power
of ``shift_t`` is not computed: an effect changes every rotation's standard error.)"""

LOOP_DRAWS = 200
"""Shifted sets a test without a vectorized size is run on (a 95% interval of about +-3
points at 5%): one call of the test per set, and one more with the effect for the power."""

LOOP_RESAMPLES = 499
"""Placebo draws and bootstrap replications of a resampling test run on a shifted set (fewer
than a study's: its p-value stays valid, ``(1 + #) / (B + 1)``, and 499 resolve 5% finely)."""

SIZE_BAND = (0.03, 0.07)
"""A rejection rate at 5% outside this band is flagged (scaled by alpha / 0.05)."""

_NO_POWER = ("shift_t",)
"""Tests whose power :func:`size_on_data` does not compute (their p-values with the effect
would need every rotation's statistic again)."""

_CHUNK = 4_000_000
"""Elements (draws x dates) per chunk: about 32 MB per float array."""


def size_band(alpha: float) -> tuple[float, float]:
    """The band outside which a rejection rate at ``alpha`` is flagged: :data:`SIZE_BAND` at
    5%, scaled with ``alpha``."""
    lo, hi = SIZE_BAND
    return lo * alpha / 0.05, hi * alpha / 0.05


@dataclass(frozen=True, slots=True)
class SizeResult:
    """Rejection rate of one test over circularly shifted event sets.

    Attributes
    ----------
    test
        The test's name.
    alpha
        The nominal level.
    draws
        Shifted event sets drawn.
    applicable
        Draws on which the test could run (enough complete events and episodes).
    rejections
        Draws with ``p < alpha``.
    rate, ci_low, ci_high
        ``rejections / applicable`` and its 95% Clopper–Pearson interval.
    effect, power, power_low, power_high
        The effect added to the shifted events' forward returns (NaN when none was stated),
        the rejection rate then, and its interval.
    """

    test: str
    alpha: float
    draws: int
    applicable: int
    rejections: int
    rate: float
    ci_low: float
    ci_high: float
    effect: float = float("nan")
    power: float = float("nan")
    power_low: float = float("nan")
    power_high: float = float("nan")

    @property
    def flagged(self) -> bool:
        """True when the rate falls outside ``[3%, 7%]`` (for alpha 5%; scaled otherwise)."""
        lo, hi = size_band(self.alpha)
        return bool(self.applicable) and not lo <= self.rate <= hi

    def sentence(self) -> str:
        """``"hac rejected 5.2% of 1000 null event sets (95% CI 3.9-6.7%)"`` and the flag."""
        if not self.applicable:
            return f"{self.test}: could not run on the shifted event sets"
        text = (
            f"{self.test} rejected {self.rate:.1%} of {self.applicable} shifted null event sets "
            f"at {self.alpha:.0%} (95% CI {self.ci_low:.1%} to {self.ci_high:.1%})"
        )
        if self.flagged:
            lo, hi = size_band(self.alpha)
            text += f", outside [{lo:.0%}, {hi:.0%}]: its p-values on this data are not reliable"
        if self.effect == self.effect:
            text += (
                f"; power against an effect of {self.effect:+.4g}: {self.power:.0%} "
                f"({self.power_low:.0%} to {self.power_high:.0%})"
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        """Every field, plus ``flagged``."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["flagged"] = self.flagged
        return out


def _clopper_pearson(k: int, n: int) -> tuple[float, float]:
    """95% Clopper–Pearson interval of ``k`` successes in ``n`` trials."""
    if n == 0:
        return float("nan"), float("nan")
    lo = float(special.betaincinv(k, n - k + 1, 0.025)) if k > 0 else 0.0
    hi = float(special.betaincinv(k + 1, n - k, 0.975)) if k < n else 1.0
    return lo, hi


def _t_p(t: FloatArray, df: FloatArray) -> FloatArray:
    """Two-sided Student-t p-values, elementwise (as ``t_two_sided_p``; NaN stays NaN)."""
    return 2.0 * special.stdtr(df, -np.abs(t))


def _naive_t(y: FloatArray, events: IntArray, effect: float) -> tuple[FloatArray, FloatArray]:
    """t-statistics of the naive test (event mean against the mean of all complete dates),
    without and with ``effect`` added to the event rows."""
    x = y[events]
    n = events.shape[1]
    mean = x.mean(axis=1)
    sd = x.std(axis=1, ddof=1)
    base = y.mean()
    se = np.where(np.ptp(x, axis=1) > 0, sd / math.sqrt(n), np.nan)  # as naive_t_test
    return (mean - base) / se, (mean + effect - (base + effect * n / y.size)) / se


def _shift_p(
    y: FloatArray, events: IntArray, shifts: IntArray, effect: float
) -> tuple[FloatArray, FloatArray]:
    """p-values of :func:`~eventstudy.inference.shift.shift_test` for the events moved by each
    of ``shifts``, without and with ``effect`` added to the moved events' forward returns.

    Every shifted set has the same orbit of rotations as the actual one, so one FFT gives the
    excess ``x_j`` of every rotation ``j``, and the set moved by ``k`` has p-value
    ``#{j : |x_j| >= |x_k|} / T``.  With the effect added to the set moved by ``k``, its
    rotation by ``s`` gains ``effect * (c_s / n - n / T)``, ``c_s`` the events the rotation
    shares with the set (the indicator's circular autocorrelation, the same for every ``k``).
    """
    from eventstudy.inference.search import circular_shift_null

    t, n = y.size, events.size
    rot = np.arange(t, dtype=np.int64)
    x = circular_shift_null(y, [events], rot)[1][:, 0]
    ind = np.zeros(t)
    ind[events] = 1.0
    shared = np.rint(circular_shift_null(ind, [events], rot)[1][:, 0] * n + n * n / t)
    gain = effect * (shared / n - n / t)  # gain[0] = effect * (1 - n / T)
    tol = 1e-9 * max(float(np.abs(x).max()), abs(effect), 1e-300)
    order = np.sort(np.abs(x))
    p0 = (t - np.searchsorted(order, np.abs(x[shifts]) - tol, side="left")) / t
    # the rotations that share no event with the set all gain the same c0: for them the count
    # is one search among the sorted |x + c0| (every rotation of the moved set runs over all
    # of x once), corrected on the few rotations that do share events (at most n^2 - n + 1 of
    # them) -- 11,500 dates and 28 events: 0.07 instead of 0.9 s for 1,000 draws x 12 cells
    lone = shared == 0
    if lone.any():
        c0 = gain[np.argmax(lone)]
        order0 = np.sort(np.abs(x + c0))
        near = np.flatnonzero(~lone)
    else:  # every rotation shares an event: count them all one by one
        c0, order0, near = 0.0, np.zeros(0), rot
    p1 = np.empty(shifts.size)
    rows = max(1, _CHUNK // max(near.size, 1))
    for start in range(0, shifts.size, rows):  # chunks of draws, vectorized inside
        k = shifts[start : start + rows]
        level = np.abs(x[k] + gain[0]) - tol  # the moved set itself, rotation 0
        count = order0.size - np.searchsorted(order0, level, side="left")
        at = x[(k[:, None] + near[None, :]) % t]
        if lone.any():
            count -= np.count_nonzero(np.abs(at + c0) >= level[:, None], axis=1)
        count += np.count_nonzero(np.abs(at + gain[near][None, :]) >= level[:, None], axis=1)
        p1[start : start + rows] = count / t
    return p0, p1


def _shift_t_p(y: FloatArray, events: IntArray, shifts: IntArray, h: int) -> FloatArray:
    """p-values of :func:`~eventstudy.inference.shift_t.shift_t_test` for the events moved by
    each of ``shifts`` (NaN where the moved set has no positive HAC variance).

    Every shifted set has the same orbit of rotations as the actual one, so one
    :func:`~eventstudy.inference.shift_t.orbit_t` (the test's own, remembered) gives the
    t-statistic ``t_j`` of every rotation, and the set moved by ``k`` has p-value
    ``#{j : |t_j| >= |t_k|} / T``."""
    from eventstudy.inference.shift_t import orbit_t

    t_all = orbit_t(y, events, h)
    finite = np.abs(t_all[np.isfinite(t_all)])
    if not finite.size:
        return np.full(shifts.size, np.nan)
    tol = 1e-9 * float(finite.max())
    order = np.sort(finite)
    level = np.abs(t_all[shifts])
    with np.errstate(invalid="ignore"):
        p = (order.size - np.searchsorted(order, level - tol, side="left")) / t_all.size
    return np.where(np.isfinite(level), p, np.nan)


def _hodrick_p(
    daily: FloatArray | None,
    positions: IntArray,
    events: IntArray,
    shifts: IntArray,
    h: int,
    effect: float,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """p-values of :func:`~eventstudy.inference.hodrick.hodrick_test` for the events moved by
    each of ``shifts``, without and with ``effect`` added to the slope (the h-day sums of the
    one-day moves on the moved events), and whether the test could run.

    With ``n`` events on ``T_c`` complete dates the slope's weights are
    ``c = a D - b K`` (``D``, ``K``: indicators of the events and of the complete dates,
    ``a = 1 / n + 1 / (T_c - n)``, ``b = 1 / (T_c - n)``), so the rolled-back weights are
    ``cbar_s = a Dw_s - b Kw_s`` with ``Dw_s``, ``Kw_s`` the events and complete dates among
    the h dates before day ``s``.  The slope ``sum_s r_s cbar_s`` and the 1B variance
    ``sum_s e_s^2 cbar_s^2`` are then sums over the events of window sums of ``r``, ``e^2``
    and ``e^2 Kw`` (one cumulative sum each) and, for ``Dw^2``, over the pairs of events
    whose windows overlap: n x n per set.  ``daily``: the one-day moves on the dates of the
    forward returns and the h days after (``None``: the test cannot run)."""
    nan = np.full(shifts.size, np.nan)
    none = np.zeros(shifts.size, dtype=bool)
    if daily is None:
        return nan, nan.copy(), none
    r = np.asarray(daily, dtype=np.float64)
    t_c, n = positions.size, events.size
    n0 = t_c - n
    days = r.size
    complete = np.zeros(days)
    complete[positions] = 1.0
    count = np.concatenate([[0.0], np.cumsum(complete)])
    idx = np.arange(days)
    kw = count[idx] - count[np.maximum(idx - h, 0)]  # complete dates among the h before s
    covered = kw > 0
    if n0 <= 0 or not np.isfinite(r[covered]).all() or not np.ptp(r[covered]) > 0:
        return nan, nan.copy(), none  # as hodrick_test: no moves, or moves without variance
    rc = np.where(covered, r, 0.0)
    e = np.where(covered, rc - rc[covered].mean(), 0.0)
    e2 = e * e
    a, b = 1.0 / n + 1.0 / n0, 1.0 / n0
    cum = [np.concatenate([[0.0], np.cumsum(v)]) for v in (rc, e2 * kw, e2)]
    rk, e2k2 = float(np.sum(rc * kw)), float(np.sum(e2 * kw * kw))
    var = np.empty(shifts.size)
    coef = np.empty(shifts.size)
    dense = n * n > days  # many events: the rolled-back counts per day beat the pairs
    rows = max(1, _CHUNK // (days if dense else max(n * n, 1)))
    for start in range(0, shifts.size, rows):  # chunks of draws, vectorized inside
        k = shifts[start : start + rows]
        p = positions[np.sort((events[None, :] + k[:, None]) % t_c)]  # dates of the moved sets
        win = [c[p + h + 1] - c[p + 1] for c in cum]  # window sums over days p + 1 .. p + h
        if dense:  # Dw per day: the events among the h dates before it, from a cumulative sum
            ind = np.zeros((k.size, days + 1))
            np.put_along_axis(ind, p + 1, 1.0, axis=1)
            run = np.cumsum(ind, axis=1)
            dw = run[:, idx] - run[:, np.maximum(idx - h, 0)]  # events p in [s - h, s - 1]
            dd = (dw * dw) @ e2
        else:  # pairs of events: the days both windows hold
            lo = np.maximum(p[:, :, None], p[:, None, :])
            hi = np.minimum(p[:, :, None], p[:, None, :]) + h
            dd = np.where(hi > lo, cum[2][hi + 1] - cum[2][lo + 1], 0.0).sum(axis=(1, 2))
        sl = slice(start, start + k.size)
        coef[sl] = a * win[0].sum(axis=1) - b * rk
        var[sl] = a * a * dd - 2.0 * a * b * win[1].sum(axis=1) + b * b * e2k2
    ok = var > 0
    se = np.sqrt(np.where(ok, var, np.nan))
    t0 = coef / se
    t1 = (coef + effect) / se
    p0 = np.where(ok, special.erfc(np.abs(t0) / math.sqrt(2.0)), np.nan)
    return p0, special.erfc(np.abs(t1) / math.sqrt(2.0)), ok


def _draw_pvalues(
    y: FloatArray,
    positions: IntArray,
    events: IntArray,
    shifts: IntArray,
    h: int,
    tests: tuple[str, ...],
    effect: float | None,
    daily: FloatArray | None = None,
) -> dict[str, tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]]:
    """Per shift and test: the p-value (NaN where the test cannot run), the p-value with
    ``effect`` added to the shifted events, and whether the test could run (``daily``: the
    one-day moves Hodrick's test reads, as :func:`_hodrick_p` takes them)."""
    t = y.size
    lags = default_hac_lags(h)  # the uniform kernel's h - 1
    eff = 0.0 if effect is None else float(effect)
    parts: dict[str, list[tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]]] = {
        k: [] for k in tests
    }
    rows = max(1, _CHUNK // t)
    varies = bool(np.ptp(y) > 0)  # hac_test and shift_test do not run on constant returns
    if "shift" in tests:  # one FFT for all the draws (chunked inside)
        p0, p1 = _shift_p(y, events, shifts, eff)
        ok = np.full(shifts.size, varies)
        parts["shift"].append((np.where(ok, p0, np.nan), p1, ok))
    if "shift_t" in tests:  # one orbit of t-statistics for all the draws
        p0 = _shift_t_p(y, events, shifts, h) if varies else np.full(shifts.size, np.nan)
        ok = np.isfinite(p0)
        parts["shift_t"].append((p0, np.full(shifts.size, np.nan), ok))
    if "hodrick" in tests:  # pairs of event windows, chunked inside
        parts["hodrick"].append(_hodrick_p(daily, positions, events, shifts, h, eff))
    for start in range(0, shifts.size, rows):  # chunks of draws, vectorized inside
        k = shifts[start : start + rows]
        ev = np.sort((events[None, :] + k[:, None]) % t)
        if "hac" in tests:
            g = 1 + np.count_nonzero(np.diff(positions[ev]) >= h, axis=1)
            t0, t1 = _hac_t(y, ev, lags, h, eff)
            df = g - 1.0
            ok = (g >= 2) & np.isfinite(t0) & varies
            parts["hac"].append((np.where(ok, _t_p(t0, df), np.nan), _t_p(t1, df), ok))
        if "naive_t" in tests:
            t0, t1 = _naive_t(y, ev, eff)
            df = np.full(t0.shape, events.size - 1.0)
            ok = np.isfinite(t0)
            parts["naive_t"].append((np.where(ok, _t_p(t0, df), np.nan), _t_p(t1, df), ok))
    return {
        name: (
            np.concatenate([a for a, _, _ in chunks]),
            np.concatenate([b for _, b, _ in chunks]),
            np.concatenate([c for _, _, c in chunks]),
        )
        for name, chunks in parts.items()
    }


def _looped_pvalues(
    fwd_h: Any,
    positions: IntArray,
    events: IntArray,
    shifts: IntArray,
    h: int,
    name: str,
    effect: float | None,
    options: dict[str, Any],
    seeds: npt.NDArray[np.int64],
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """p-values of the registered test ``name`` on each shifted set, run one set at a time
    (as :func:`_draw_pvalues` returns them), with ``options`` passed to
    :func:`~eventstudy.inference.run.run_tests`.  A set the test refuses (a
    :class:`~eventstudy.exceptions.DataError`, e.g. the placebo's spacing broken where the
    shift wraps) or cannot run on counts as not applicable."""
    from eventstudy.exceptions import DataError
    from eventstudy.inference.run import run_tests

    y = np.asarray(fwd_h, dtype=np.float64)
    t = positions.size  # the complete dates
    p0 = np.full(shifts.size, np.nan)
    p1 = np.full(shifts.size, np.nan)
    ok = np.zeros(shifts.size, dtype=bool)
    for i, k in enumerate(shifts.tolist()):  # one set at a time: the test's own code
        pos = np.sort(positions[(events + k) % t])
        try:
            res = run_tests(y, pos, h, tests=(name,), seed=int(seeds[i]), **options)[name]
        except DataError:
            continue
        if not res.applicable:
            continue
        ok[i], p0[i] = True, res.p_value
        if effect is not None:
            moved = y.copy()
            moved[pos] += effect
            p1[i] = run_tests(moved, pos, h, tests=(name,), seed=int(seeds[i]), **options)[
                name
            ].p_value
    return p0, p1, ok


def size_on_data(
    fwd_h: Any,
    event_positions: Any,
    horizon_days: int,
    *,
    alpha: float = 0.05,
    draws: int = 1000,
    effect: float | None = None,
    tests: tuple[str, ...] = ("hac", "naive_t"),
    seed: Seed = None,
    options: dict[str, Any] | None = None,
) -> dict[str, SizeResult]:
    """Rejection rates of ``tests`` over circular shifts of the events (see module docstring).

    Parameters
    ----------
    fwd_h
        Forward returns of one horizon on every date (NaN = incomplete), as the tests take.
    event_positions
        Sorted unique positions of the events into ``fwd_h``.
    horizon_days
        The horizon h.
    alpha
        Nominal level.
    draws
        Shifted event sets; each shift ``k`` is drawn uniformly from ``h .. T_c - h`` (so no
        shifted event lands within h days of its own original date), ``T_c`` complete dates.
        A shift that wraps inside an episode (splitting it in two) is left out of every rate
        (not applicable): the rates are over the shifted sets with the study's episodes.
    effect
        Effect added to the shifted events' forward returns for the power (``None``: no power).
    tests
        Registered time-series tests (by default the HAC and the naive t-test).  Those of
        :data:`SIZE_TESTS` are computed for all ``draws`` shifts at once; any other is run by
        its own code on the first :data:`LOOP_DRAWS` of them (its ``draws`` in the result),
        with at most :data:`LOOP_RESAMPLES` placebo draws or bootstrap replications.
    seed
        Seed of the shifts (and, after them, of the looped tests' own draws).
    options
        Settings of the looped tests, as :func:`~eventstudy.inference.run.run_tests` takes
        them (``min_gap``, ``draws``, ``bootstrap_reps``, ``stratify``, ``dates``,
        ``daily_returns``).

    Returns
    -------
    dict
        Test name -> :class:`SizeResult`; empty when there are fewer than 3 complete events
        or too few complete dates to shift them.
    """
    h = check_int("horizon_days", horizon_days, minimum=1)
    draws = check_int("draws", draws, minimum=1)
    alpha = check_float("alpha", alpha, minimum=0.0, maximum=1.0, strict_minimum=True)
    from eventstudy.inference.run import timeseries_tests

    known = timeseries_tests()
    unknown = [t for t in tests if t not in known]
    if unknown:
        raise ValueError(f"no registered time-series test {unknown}; tests are {list(known)}")
    s = prepare(fwd_h, event_positions)
    t = s.y.size
    if s.n < MIN_EVENTS or t - 2 * h < 1 or s.n >= t:
        return {}
    rng = as_generator(seed)
    shifts = rng.integers(h, t - h + 1, size=draws)
    kept = _keeps_episodes(s.positions, s.events, shifts, h)
    fast = tuple(name for name in tests if name in SIZE_TESTS)
    daily = (options or {}).get("daily_returns")
    if daily is not None:
        daily = np.asarray(daily, dtype=np.float64).ravel()
        if daily.size != np.asarray(fwd_h).size + h:
            raise ValueError(
                f"daily_returns must have T + h = {np.asarray(fwd_h).size + h} entries (the "
                f"forward returns' dates and the h days after), got {daily.size}"
            )
    pvalues = _draw_pvalues(s.y, s.positions, s.events, shifts, h, fast, effect, daily)
    looped = [name for name in tests if name not in SIZE_TESTS]
    if looped:
        opts = dict(options or {})
        for key in ("draws", "bootstrap_reps"):
            if key in opts:
                opts[key] = min(int(opts[key]), LOOP_RESAMPLES)
            else:
                opts[key] = LOOP_RESAMPLES
        sub = shifts[:LOOP_DRAWS]
        seeds = rng.integers(0, 2**63 - 1, size=sub.size)  # after the shifts: they stay put
        for name in looped:
            pvalues[name] = _looped_pvalues(
                fwd_h, s.positions, s.events, sub, h, name, effect, opts, seeds
            )
    out: dict[str, SizeResult] = {}
    for name in tests:
        p0, p1, ok = pvalues[name]
        ok = ok & kept[: ok.size]  # the looped tests ran on the first LOOP_DRAWS shifts
        n_ok = int(ok.sum())
        rej = int(np.count_nonzero(p0[ok] < alpha))
        lo, hi = _clopper_pearson(rej, n_ok)
        fields: dict[str, Any] = {}
        if effect is not None and name not in _NO_POWER:
            k1 = int(np.count_nonzero(p1[ok] < alpha))
            plo, phi = _clopper_pearson(k1, n_ok)
            fields = {
                "effect": float(effect),
                "power": k1 / n_ok if n_ok else float("nan"),
                "power_low": plo,
                "power_high": phi,
            }
        out[name] = SizeResult(
            test=name,
            alpha=alpha,
            draws=int(p0.size),
            applicable=n_ok,
            rejections=rej,
            rate=rej / n_ok if n_ok else float("nan"),
            ci_low=lo,
            ci_high=hi,
            **fields,
        )
    return out


def _keeps_episodes(
    positions: IntArray, events: IntArray, shifts: IntArray, h: int
) -> npt.NDArray[np.bool_]:
    """Whether each shift leaves every episode of the events whole (an episode: events whose
    h-day windows overlap, on the dates, as the HAC test counts them).  Where a shift wraps
    around the sample it can split an episode, putting its first events at the end and the
    rest at the start: such a set has another design than the study's, and its rejection is
    no evidence about the study's test -- with all events in one episode, the HAC test ran
    only on those sets.  (The wrap may also bring the last event within h days of the first,
    joining two episodes; that happens on most shifts when the events span the sample, and is
    kept: the events' own gaps are all still there.)"""
    t = positions.size
    n = events.size
    wrap = np.searchsorted(events, t - shifts)  # events before index wrap do not wrap
    inside = (wrap > 0) & (wrap < n)
    gaps = np.diff(positions[events])  # gaps[i]: between events i and i + 1
    split = np.zeros(shifts.size, dtype=bool)
    split[inside] = gaps[wrap[inside] - 1] < h
    return ~split


def shifted_events(fwd_h: Any, event_positions: Any, shift: int) -> IntArray:
    """The positions (into ``fwd_h``) of the events moved by ``shift`` complete dates, as
    :func:`size_on_data` moves them (for checks and plots)."""
    s = prepare(fwd_h, event_positions)
    return np.sort(s.positions[(s.events + int(shift)) % s.y.size])
