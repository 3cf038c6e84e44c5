"""The registry of tests: the protocol check, selection by design, random streams, plugins."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pytest

from eventstudy.inference import ALL_TESTS, run_tests, timeseries_tests
from eventstudy.registry import (
    HORIZON_INPUTS,
    TESTS,
    EventTest,
    HorizonInputs,
    register_test,
    stream_for,
    tests_for,
)
from eventstudy.results import TestResult


@dataclass(frozen=True)
class _Draw:
    """A plugin that reports one uniform draw from its own stream."""

    name: str = "draw"
    design: str = "timeseries"
    scope: str = "horizon"
    needs: frozenset[str] = frozenset({"rng"})
    null_hypothesis: str = "none"
    reference: str = "none"
    summary: str = "one draw"

    def run(self, x: HorizonInputs) -> TestResult:
        assert x.rng is not None
        return TestResult(self.name, float(x.rng.random()), 0.5, "", "", "")


@pytest.fixture
def draw_test():
    test = register_test(_Draw())
    yield test
    TESTS.unregister("draw")


def _series(seed: int = 0) -> tuple[np.ndarray, list[int]]:
    y = np.random.default_rng(seed).normal(0.0, 0.05, 600)
    return y, [50, 120, 260, 400, 520]


def test_builtins_are_registered_in_report_order() -> None:
    assert timeseries_tests()[: len(ALL_TESTS)] == ALL_TESTS
    cs = tests_for("cross_section")
    assert next(iter(tests_for("cross_section", "day"))) == "ar_t"
    assert next(iter(tests_for("cross_section", "window"))) == "car_t"
    assert all(t.design == "cross_section" for t in cs.values())
    for name, test in {**tests_for("timeseries"), **cs}.items():
        assert isinstance(test, EventTest) and test.name == name
        assert test.summary and test.reference and test.null_hypothesis
        assert not name.endswith("_test"), name  # one naming scheme
    assert set(tests_for("timeseries")).isdisjoint(cs)
    with pytest.raises(ValueError, match="design must be one of"):
        tests_for("panel")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"design": "both"}, "design must be one of"),
        ({"scope": "window"}, "scope of a timeseries test must be one of"),
        ({"needs": frozenset({"prices"})}, r"needs unknown inputs \['prices'\]"),
    ],
)
def test_protocol_is_checked_at_registration(change: dict, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        register_test(replace(_Draw(), **change))
    assert "draw" not in TESTS


def test_an_object_without_the_interface_is_refused() -> None:
    with pytest.raises(TypeError, match=r"lacks \['design', 'scope'"):

        @dataclass(frozen=True)
        class Half:
            name: str = "half"

        register_test(Half())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="already registered"):
        register_test(replace(TESTS["hac"], summary="another hac"))  # type: ignore[type-var]
    assert {"forward_returns", "events", "horizon", "rng"} <= HORIZON_INPUTS


def test_streams_are_keyed_by_name_not_by_order() -> None:
    a = stream_for(np.random.default_rng(7), "draw").random(3)
    b = stream_for(np.random.default_rng(7), "draw").random(3)
    c = stream_for(np.random.default_rng(7), "other").random(3)
    gen = np.random.default_rng(7)
    gen.spawn(5)  # the generator's own spawns do not move a named stream
    d = stream_for(gen, "draw").random(3)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, d)
    assert not np.allclose(a, c)
    assert not np.allclose(a, np.random.default_rng(7).random(3))


def test_a_plugin_runs_beside_the_builtins_without_moving_their_numbers(draw_test) -> None:
    y, ev = _series()
    kw = {"min_gap": 21, "draws": 200, "bootstrap_reps": 100, "seed": 3}
    alone = run_tests(y, ev, 21, tests=("bootstrap", "placebo"), **kw)
    both = run_tests(y, ev, 21, tests=("draw", "bootstrap", "placebo"), **kw)
    assert list(both) == ["draw", "bootstrap", "placebo"]
    assert both["bootstrap"] == alone["bootstrap"] and both["placebo"] == alone["placebo"]
    first = run_tests(y, ev, 21, tests=("draw",), seed=3)["draw"].statistic
    assert first == both["draw"].statistic
    assert first == stream_for(np.random.default_rng(3), "draw").random()
    assert "draw" in timeseries_tests()


def test_runner_checks_names_and_plugin_results() -> None:
    y, ev = _series()
    with pytest.raises(ValueError, match=r"unknown tests \['ar_t'\]"):
        run_tests(y, ev, 21, tests=("hac", "ar_t"))

    @dataclass(frozen=True)
    class Bad(_Draw):
        name: str = "bad"

        def run(self, x: HorizonInputs) -> TestResult:
            return 0.5  # type: ignore[return-value]

    register_test(Bad())
    try:
        with pytest.raises(TypeError, match="test 'bad' returned float, not an eventstudy"):
            run_tests(y, ev, 21, tests=("bad",))
    finally:
        TESTS.unregister("bad")


@dataclass(frozen=True)
class _Seen:
    """A plugin that reports the mean of the forward returns at the events it is given."""

    name: str = "seen"
    design: str = "timeseries"
    scope: str = "horizon"
    needs: frozenset[str] = frozenset({"forward_returns", "events"})
    null_hypothesis: str = "none"
    reference: str = "none"
    summary: str = "the events' mean"

    def run(self, x: HorizonInputs) -> TestResult:
        y = np.asarray(x.forward_returns, dtype=float)
        return TestResult(self.name, float(np.nanmean(y[np.asarray(x.events)])), 0.5, "", "", "")


def test_evaluate_hands_plugins_the_forward_returns_and_events() -> None:
    """Built-in tests read the evaluation's split of the horizon; a plugin still gets the
    forward returns and event positions themselves (of the sample), and a built-in test run
    on inputs without a split splits them itself."""
    import pandas as pd

    from eventstudy.evaluation import evaluate
    from eventstudy.inference import hac_test

    y, ev = _series(4)
    fwd = pd.DataFrame({"1m": y}, index=pd.bdate_range("2001-01-01", periods=y.size))
    register_test(_Seen())
    try:
        res = evaluate(fwd, ev, horizons={"1m": 21}, tests=("hac", "seen"), seed=1)
    finally:
        TESTS.unregister("seen")
    assert res.horizons["1m"].tests["seen"].statistic == pytest.approx(float(np.mean(y[ev])))
    x = HorizonInputs(forward_returns=y, events=ev, horizon=21)
    assert TESTS["hac"].run(x) == hac_test(y, ev, 21)


def test_a_test_that_is_not_a_hashable_frozen_dataclass_instance_is_refused() -> None:
    """A test's fields are its settings, part of every result it gives: a test whose instance
    can change after registration (a plain dataclass, a plain class) or cannot be hashed is
    refused, naming it and the fix; so is the class instead of an instance."""

    @dataclass
    class Mutable:
        name: str = "mutable"
        design: str = "timeseries"
        scope: str = "horizon"
        needs: frozenset[str] = frozenset({"events"})
        null_hypothesis: str = "x"
        reference: str = "x"
        summary: str = "x"

        def run(self, x: HorizonInputs) -> TestResult:
            raise NotImplementedError

    class Plain:
        name = "plain"
        design = "timeseries"
        scope = "horizon"
        needs = frozenset({"events"})
        null_hypothesis = reference = summary = "x"

        def run(self, x: HorizonInputs) -> TestResult:
            raise NotImplementedError

    with pytest.raises(TypeError) as info:
        register_test(Mutable())
    assert str(info.value) == (
        f"test 'mutable' ({__name__}.{Mutable.__qualname__}) must be a frozen dataclass, and "
        "is a dataclass that is not frozen: declare it with @dataclass(frozen=True) "
        "(slots=True welcome). Its fields are its settings, which must not change once "
        "registered, so that a result can be reproduced from them"
    )
    with pytest.raises(
        TypeError,
        match=r"^test 'plain' \(.*Plain\) must be a frozen dataclass, and is not a dataclass",
    ):
        register_test(Plain())  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"^a test is registered as an instance, e.g. _Draw\(\), not the class"
    ):
        register_test(_Draw)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError,
        match=r"^test 'draw' \(.*_Draw\) must be hashable, and hash\(\) raised TypeError: "
        r"unhashable type: 'set': give it fields of hashable types \(a frozenset, not a set",
    ):
        register_test(_Draw(needs={"rng"}))  # type: ignore[arg-type]
    assert not {"mutable", "plain", "draw"} & set(TESTS.names())


@pytest.mark.parametrize("name", ["Draw", "sign-flip", "car t", "t2_", "sign__flip", "1st"])
def test_a_test_name_off_the_naming_scheme_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match=rf"^test name '{name}' is not of the naming scheme"):
        register_test(replace(_Draw(), name=name))
    assert name not in TESTS


def test_every_built_in_test_is_a_hashable_frozen_dataclass_of_the_naming_scheme() -> None:
    import dataclasses

    from eventstudy.registry import NAME_PATTERN

    for name in TESTS.names():
        test = TESTS[name]
        assert NAME_PATTERN.fullmatch(name) and test.name == name
        assert type(test).__dataclass_params__.frozen  # type: ignore[attr-defined]
        assert dataclasses.is_dataclass(test) and hash(test) == hash(test)
