"""The time-series tests as registry entries, and :func:`run_tests` for one target x horizon."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._typing import Seed
from eventstudy._validation import as_generator, check_int
from eventstudy.exceptions import DataError, PluginError
from eventstudy.inference import (
    bootstrap,
    classical,
    ewc,
    hac,
    hodrick,
    im,
    placebo,
    shift,
    shift_t,
)
from eventstudy.inference._common import EventSample, prepare
from eventstudy.inference.placebo import ProgressCallback, Stratify
from eventstudy.inference.shared import SharedWork
from eventstudy.registry import (
    TESTS,
    HorizonInputs,
    register_test,
    stream_for,
    tests_for,
)
from eventstudy.results import TestResult

__all__ = ["ALL_TESTS", "DEFAULT_TEST", "default_for", "run_tests", "timeseries_tests"]


@dataclass(frozen=True, slots=True)
class _Builtin:
    """A built-in time-series test: metadata plus the function that runs it."""

    name: str
    needs: frozenset[str]
    null_hypothesis: str
    reference: str
    summary: str
    fn: Callable[[HorizonInputs], TestResult]
    overlap_robust: bool = True
    design: str = "timeseries"
    scope: str = "horizon"

    def run(self, x: HorizonInputs, /) -> TestResult:
        return self.fn(x)


_BASE = frozenset({"forward_returns", "events"})


def _fwd(x: HorizonInputs) -> Any:
    """The horizon as the runner split it (:func:`~eventstudy.inference._common.prepare`),
    else the forward returns as given."""
    return x.forward_returns if x.sample is None else x.sample


_IGNORES = " It ignores overlapping horizons and clustered events and is shown for contrast."

for _test in (
    _Builtin(
        "naive_t",
        _BASE,
        classical.NAIVE_NULL,
        classical._NAIVE_REF,
        "One-sample t-test of the event returns against the baseline mean; over-rejects "
        "when return windows overlap (7.5–39.5% at 5% in the calibration benchmark)." + _IGNORES,
        lambda x: classical.naive_t_test(_fwd(x), x.events),
        overlap_robust=False,
    ),
    _Builtin(
        "hac",
        _BASE | {"horizon", "hac_lags"},
        hac.NULL_HYPOTHESIS,
        hac.REFERENCE,
        "OLS of forward returns on an event dummy over all dates with a HAC covariance "
        "(Hansen–Hodrick truncated kernel, horizon − 1 lags) and a t reference with G − 1 "
        "degrees of freedom, G being the number of clusters of events whose return windows "
        "overlap (Bester, Conley & Hansen 2011). It accounts for overlapping horizons and "
        "clustered events: in the calibration benchmark (docs/calibration.md, five event "
        "designs, 3,000 replications each) its size at 5% was 2.2–8.8%: 4.6–6.1% when the "
        "events are independent of the returns, 2.2–3.2% (conservative) when they came in a "
        "few long bursts, and 7.4–8.8% when the returns themselves trigger them, where the "
        "naive t-test rejected 7.5–39.5% of the time.",
        lambda x: hac.hac_test(_fwd(x), x.events, x.horizon, lags=x.hac_lags),
    ),
    _Builtin(
        "shift",
        _BASE | {"horizon"},
        shift.NULL_HYPOTHESIS,
        shift.REFERENCE,
        "Randomization test: the event dates moved together through every circular shift "
        "of the sample, which keeps their count, gaps and overlap and the serial dependence "
        "of returns; the p-value is the share of shifts with an excess at least as large in "
        "absolute value (two-sided). Exact when the event timing is independent of stationary returns, whatever the "
        "clustering, but not when the returns themselves trigger the events: they fire in "
        "volatile stretches, which the rotations leave. In the calibration benchmark its size "
        "at 5% was 4.2–18.1%: 4.2–5.4% in the four designs with independent events, "
        "11.4–18.1% in the self-triggered one; shift_t, its studentized version, is the "
        "default test.",
        lambda x: shift.shift_test(_fwd(x), x.events, x.horizon),
    ),
    _Builtin(
        "shift_t",
        _BASE | {"horizon"},
        shift_t.NULL_HYPOTHESIS,
        shift_t.REFERENCE,
        "Studentized randomization test: the event dates moved together through every "
        "circular shift of the sample, as in shift, but each shifted set is measured by its "
        "HAC t-statistic, in the units of its own noise, instead of its raw excess. Exact "
        "where shift is (event timing independent of the returns), and asymptotically valid "
        "where shift is not (Chung & Romano 2013): when the signal fires in volatile "
        "stretches -- a signal on the returns themselves -- a rotation lands in ordinary "
        "times, and the raw test over-rejects. In the calibration benchmark "
        "(docs/calibration.md, five event designs, 3,000 replications each) its size at 5% "
        "was 4.0–7.3%: 4.0–5.4% with events independent of the returns, as shift, and "
        "6.7–7.3% on a simulated GARCH market with the flagship's own rule, where shift "
        "rejected 11.4–18.1%; of the tests of the printed excess the closest to 5%, and the "
        "default test. About 11 ms a call on 11,700 dates.",
        lambda x: shift_t.shift_t_test(_fwd(x), x.events, x.horizon),
    ),
    _Builtin(
        "bootstrap",
        _BASE | {"horizon", "bootstrap_reps", "rng"},
        bootstrap.NULL_HYPOTHESIS,
        bootstrap.REFERENCE,
        "The stationary block bootstrap keeps the serial dependence of returns.",
        lambda x: bootstrap.block_bootstrap_test(
            _fwd(x),
            x.events,
            x.horizon,
            reps=x.bootstrap_reps,
            seed=x.rng,
            shared=x.shared,
        ),
    ),
    _Builtin(
        "placebo",
        _BASE | {"horizon", "min_gap", "draws", "stratify", "dates", "rng", "progress"},
        placebo.NULL_HYPOTHESIS,
        placebo.REFERENCE,
        "The random-date placebo compares the event mean with the means of random event sets "
        "spaced by the same declustering rule. The random sets do not keep the events' bursts: "
        "when events cluster it over-rejects (9.7-40.2% at 5% in the calibration benchmark).",
        lambda x: placebo.placebo_test(
            # a Series' own dates stratify when no dates are given
            x.forward_returns if x.stratify and x.dates is None else _fwd(x),
            x.events,
            x.horizon,
            min_gap=x.min_gap,
            draws=x.draws,
            stratify=x.stratify,  # type: ignore[arg-type]
            dates=x.dates,
            seed=x.rng,
            progress=x.progress,
            shared=x.shared,
        ),
    ),
    _Builtin(
        "sign",
        _BASE,
        classical.SIGN_NULL,
        classical._SIGN_REF,
        "Exact binomial test of the share of positive event returns against the baseline "
        "share." + _IGNORES,
        lambda x: classical.sign_test(_fwd(x), x.events),
        overlap_robust=False,
    ),
    _Builtin(
        "wilcoxon",
        _BASE,
        classical.WILCOXON_NULL,
        classical._WILCOXON_REF,
        "Wilcoxon signed-rank test of event returns minus the baseline mean." + _IGNORES,
        lambda x: classical.wilcoxon_test(_fwd(x), x.events),
        overlap_robust=False,
    ),
    _Builtin(
        "ewc",
        _BASE | {"horizon"},
        ewc.NULL_HYPOTHESIS,
        ewc.REFERENCE,
        "OLS of forward returns on an event dummy with the equal-weighted cosine long-run "
        "variance (T / 2h cosines) and its fixed-b t reference (Lazarus, Lewis, Stock & "
        'Watson 2018). Opt-in: tests = [..., "ewc"].',
        lambda x: ewc.ewc_test(_fwd(x), x.events, x.horizon),
    ),
    _Builtin(
        "im",
        _BASE | {"horizon"},
        im.NULL_HYPOTHESIS,
        im.REFERENCE,
        "Ibragimov–Müller t-test across the episodes of events: one estimate per cluster of "
        "overlapping event windows, a t-test over them with G − 1 degrees of freedom, valid "
        'for any G ≥ 2 with unequal variances. Opt-in: tests = [..., "im"].',
        lambda x: im.im_test(_fwd(x), x.events, x.horizon),
    ),
    _Builtin(
        "hodrick",
        _BASE | {"horizon", "daily_returns"},
        hodrick.NULL_HYPOTHESIS,
        hodrick.REFERENCE,
        "OLS of the h-day sums of the one-day moves (log returns for a price) on an event "
        "dummy with Hodrick's (1992) 1B standard error: "
        "the overlap is carried by summing the regressors over the h dates whose windows hold "
        "each one-day return, so no autocovariance is estimated; N(0, 1) reference. In the "
        "calibration benchmark (docs/calibration.md, five event designs, 3,000 replications "
        "each) its size at 5% was 3.1–5.6% (3.1–4.2% with events independent of the "
        "returns, 4.6–5.6% when the returns trigger them), the closest to 5% of every test, "
        "with shift_t's power; but for a price it tests the h-day log return, not the simple "
        "excess the report prints beside the verdict (the two can differ in sign), so it is "
        "not the default. Needs the target's one-day moves (a study supplies them; "
        'evaluate(..., daily=...)). Opt-in: tests = [..., "hodrick"].',
        lambda x: _hodrick(x),
    ),
):
    register_test(_test)


def _hodrick(x: HorizonInputs) -> TestResult:
    if x.daily_returns is None:
        return TestResult.not_applicable(
            "hodrick",
            "no one-day returns were given (evaluate(..., daily=...) or a study supplies them)",
            null_hypothesis=hodrick.NULL_HYPOTHESIS,
            method="Hodrick (1992) 1B",
            reference=hodrick.REFERENCE,
            distribution="N(0, 1)",
        )
    return hodrick.hodrick_test(_fwd(x), x.events, x.horizon, x.daily_returns)


ALL_TESTS: tuple[str, ...] = (
    "naive_t",
    "hac",
    "shift",
    "shift_t",
    "bootstrap",
    "placebo",
    "sign",
    "wilcoxon",
)
"""The built-in time-series tests, in report order (plugins: :func:`timeseries_tests`)."""

DEFAULT_TEST = "shift_t"
"""Test behind the one-line verdict: the studentized circular-shift test (``shift_t``).

Chosen by the calibration's rule -- size closest to nominal, then power -- in
``benchmarks/calibration.py`` (five designs of uninformative events, h = 126 and 252, 3,000
replications each, a Monte Carlo standard error of 0.4 points at 5%: persistent-signal
crossings, bursty clusters, a few long bursts and the flagship's own events under circular
shifts, all on block-resampled RUT/GSPC returns; and ``self_triggered``, the flagship's rule
run on simulated GARCH returns, where the events fire in volatile stretches).  ``shift_t``
rejected 4.0-7.3% at 5% (4.0-5.4% where the events are independent of the returns, 6.7-7.3%
where the returns trigger them), 23% mean power: of the tests of the excess the report
prints, the closest to 5%.  Hodrick's (1992) 1B test (``hodrick``) rejected 3.1-5.6%, 24%
power, the closest of all; but on a price it tests the h-day log return, not the simple
excess printed beside the verdict (on the flagship's 12-month spread +0.47% simple against
-0.35% in logs), so the rule leaves it out of the choice.  The runners-up:
Ibragimov-Mueller 1.3-4.0% (conservative, half the power);
the HAC regression test (``hac``, the default until 2026-11-22: Hansen-Hodrick kernel, h - 1
lags, t(G - 1)) 2.2-8.8%, 22% power (it still gives the report's confidence interval).  The
raw circular-shift test (``shift``, the default from 2026-11-22 to 2026-12-07) rejected
4.2-5.4% with independent events but 11.4-18.1% with self-triggered ones (4.2-18.1%).  The
others: the block bootstrap 6.8-13.4%, EWC 5.3-15.0%, the random-date placebo 9.7-40.2%
(uniform pseudo-event sets do not reproduce the clustering of real events), the naive t
7.5-39.5%.  See docs/calibration.md ("Choice of the default test").
"""


_BY_CALIBRATION = (
    DEFAULT_TEST,
    "im",
    "hac",
    "bootstrap",
    "ewc",
    "shift",
    "placebo",
    "hodrick",
)
"""Overlap-robust tests in the order of the calibration's rule (docs/calibration.md): the
tests of the printed excess first, then ``hodrick`` (of the h-day log return)."""


def default_for(tests: Sequence[str], *, daily: bool = True) -> str:
    """The verdict's test among ``tests``: the first of them in the calibration's order
    (``shift_t``, ``im``, ``hac``, ``bootstrap``, ``ewc``, ``shift``, ``placebo``, then
    ``hodrick``), so that a test that ignores overlap (``naive_t``, ``sign``, ``wilcoxon``)
    is picked only when no other runs; then the first listed (:data:`DEFAULT_TEST` when none
    runs).  Without the one-day moves (``daily=False``) ``hodrick``, which cannot run, is
    passed over.

    >>> default_for(("naive_t", "hac"))
    'hac'
    >>> default_for(("naive_t", "placebo", "hodrick"))
    'placebo'
    >>> default_for(("hodrick", "naive_t"), daily=False)
    'naive_t'
    """
    usable = [t for t in tests if daily or t != "hodrick"]
    return next(
        (t for t in _BY_CALIBRATION if t in usable),
        usable[0] if usable else (tests[0] if tests else DEFAULT_TEST),
    )


def timeseries_tests() -> tuple[str, ...]:
    """Names of every registered time-series test (built-ins first, then plugins)."""
    return tuple(tests_for("timeseries"))


def run_tests(
    fwd_h: Any,
    event_positions: Any,
    horizon_days: int,
    *,
    min_gap: int = 1,
    tests: Sequence[str] = ALL_TESTS,
    draws: int = 10_000,
    bootstrap_reps: int = 2000,
    stratify: Stratify | None = None,
    dates: pd.DatetimeIndex | None = None,
    hac_lags: int | None = None,
    seed: Seed = None,
    progress: ProgressCallback | None = None,
    shared: SharedWork | None = None,
    daily_returns: Any = None,
    sample: EventSample | None = None,
) -> dict[str, TestResult]:
    """Run the requested registered tests on one horizon's forward returns.

    Parameters
    ----------
    fwd_h
        Forward returns of one horizon on every date, shape ``(T,)``; NaN = incomplete.
    event_positions
        Sorted unique integer positions of the events into ``fwd_h``.
    horizon_days
        Horizon h in trading days.
    min_gap
        Declustering gap of the events (used by the placebo draws).
    tests
        Names of registered time-series tests (:func:`timeseries_tests`), in the order wanted.
    draws
        Placebo draws.
    bootstrap_reps
        Bootstrap replications.
    stratify, dates
        Placebo stratification (see :func:`placebo_test`).
    hac_lags
        HAC lag (default ``h - 1`` with the Hansen-Hodrick truncated kernel).
    seed
        Seed or generator; bootstrap and placebo get independent child streams
        (``Generator.spawn``), any other test that needs ``"rng"`` the stream of
        :func:`~eventstudy.registry.stream_for`, so adding a test does not change
        another's numbers.
    progress
        ``callable(done, total)`` forwarded to the placebo test.
    shared
        A :class:`~eventstudy.inference.shared.SharedWork` memo handed to the tests, for
        the work that repeats across the specifications of a sweep.
    daily_returns
        One-day moves, shape ``(T + h,)`` (see :class:`~eventstudy.registry.HorizonInputs`);
        needed by the ``hodrick`` test only.
    sample
        ``prepare(fwd_h, event_positions)`` when the caller has it already (the evaluation
        does); otherwise it is computed here, once for all the built-in tests.

    Returns
    -------
    dict[str, TestResult]
        Test name -> result, in the order of ``tests``.

    Raises
    ------
    ValueError
        An unknown test name (the message lists the time-series tests), or a name that
        belongs to the cross-section battery.
    TypeError
        A plugin test returned something other than a :class:`TestResult`.
    """
    h = check_int("horizon_days", horizon_days, minimum=1)
    if isinstance(tests, str):
        raise TypeError("tests must be a sequence of test names, not a string")
    unknown = [t for t in tests if t not in TESTS or TESTS[t].design != "timeseries"]
    if unknown:
        raise ValueError(f"unknown tests {unknown}; allowed: {list(timeseries_tests())}")
    gen = as_generator(seed)
    rng_boot, rng_placebo = gen.spawn(2)
    base = HorizonInputs(
        forward_returns=fwd_h,
        events=event_positions,
        horizon=h,
        min_gap=min_gap,
        dates=dates,
        draws=draws,
        bootstrap_reps=bootstrap_reps,
        stratify=stratify,
        hac_lags=hac_lags,
        progress=progress,
        shared=shared,
        daily_returns=daily_returns,
        # split once for all the built-in tests: about 80 microseconds a split on 11,000
        # dates, 7% of the CPU of the 1,000-specification benchmark (2026-12-07)
        sample=(
            sample
            if sample is not None or not any(isinstance(TESTS[t], _Builtin) for t in tests)
            else prepare(fwd_h, event_positions)
        ),
    )
    out: dict[str, TestResult] = {}
    for name in tests:  # loop over a handful of tests, not events
        test = TESTS[name]
        x = base
        if "rng" in test.needs:
            rng = {"bootstrap": rng_boot, "placebo": rng_placebo}.get(name)
            x = replace(base, rng=rng if rng is not None else stream_for(gen, name))
        res = _run_one(name, test, x)
        if not isinstance(res, TestResult):
            raise TypeError(
                f"test {name!r} returned {type(res).__name__}, not an eventstudy TestResult"
            )
        bad = not 0.0 <= res.p_value <= 1.0 or (  # NaN fails too
            not isinstance(test, _Builtin) and not np.isfinite(res.statistic)
        )
        if res.applicable and bad:
            raise PluginError(
                f"test {name!r} ({_where(test)}) returned statistic {res.statistic!r} and "
                f"p-value {res.p_value!r} marked applicable: a p-value lies in [0, 1] and the "
                "statistic is finite; return TestResult.not_applicable(...) when the test "
                "cannot run (e.g. no complete event)"
            )
        out[name] = res
    return out


def _where(test: Any) -> str:
    return f"{type(test).__module__}.{type(test).__qualname__}"


def _run_one(name: str, test: Any, x: HorizonInputs) -> Any:
    """``test.run(x)``; an error inside a test of the user's or a plugin's (other than a
    :class:`~eventstudy.exceptions.DataError`, its refusal of the data) names the test."""
    if isinstance(test, _Builtin):
        return test.run(x)
    try:
        return test.run(x)
    except DataError:
        raise
    except Exception as exc:
        raise PluginError(
            f"test {name!r} ({_where(test)}) failed: {type(exc).__name__}: {exc}"
        ) from exc
