"""The normal-return model registry: built-ins, factor needs, registration and its checks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from eventstudy.crosssection.models import (
    MODELS,
    FactorModel,
    get_model,
    needs_factors,
    register_model,
)


@dataclass(frozen=True, slots=True)
class RawReturn:
    name: str = "raw_return_test"
    regressors: tuple[str, ...] = ()

    def design(self, market, factors):  # type: ignore[no-untyped-def]
        return np.zeros(len(market)), np.empty((len(market), 0))


def test_built_ins_and_their_factor_needs() -> None:
    assert MODELS.names() == [
        "carhart4",
        "ff3",
        "ff5",
        "market_adjusted",
        "market_model",
        "mean_adjusted",
    ]
    assert {n for n in MODELS if needs_factors(MODELS[n])} == {"ff3", "carhart4", "ff5"}
    assert needs_factors(FactorModel("one", ("mkt_rf",)))
    assert not needs_factors(FactorModel("none", ()))
    assert not needs_factors(RawReturn())


def test_register_model_checks_and_names() -> None:
    model = RawReturn()
    try:
        assert register_model(model) is model
        assert MODELS["raw_return_test"] is model is get_model("raw_return_test")
        assert register_model(model, name="raw_alias") is model
        assert MODELS["raw_alias"] is model
        with pytest.raises(ValueError, match="'raw_return_test' is already registered"):
            register_model(RawReturn())
    finally:
        MODELS.unregister("raw_return_test")
        MODELS.unregister("raw_alias")
    with pytest.raises(
        TypeError,
        match=r"^a normal-return model is registered as an instance, e.g. RawReturn\(\), not the class",
    ):
        register_model(RawReturn)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"^a normal-return model needs a 'name', 'regressors' and design"
    ):
        register_model(object())  # type: ignore[arg-type]
    assert "raw_return_test" not in MODELS
    with pytest.raises(
        ValueError,
        match=r"model must be one of \['carhart4', 'ff3', 'ff5', 'market_adjusted', 'market_model', 'mean_adjusted'\], got 'raw'",
    ):
        get_model("raw")


def test_a_model_that_is_not_a_frozen_dataclass_or_off_the_naming_scheme_is_refused() -> None:
    import dataclasses

    from eventstudy.registry import NAME_PATTERN

    @dataclass
    class Mutable:
        name: str = "mutable"
        regressors: tuple[str, ...] = ()

        def design(self, market, factors):  # type: ignore[no-untyped-def]
            return np.zeros(len(market)), np.empty((len(market), 0))

    with pytest.raises(
        TypeError,
        match=r"^normal-return model 'mutable' \(.*Mutable\) must be a frozen dataclass, and is "
        r"a dataclass that is not frozen: declare it with @dataclass\(frozen=True\)",
    ):
        register_model(Mutable())
    for name in ("Raw", "raw-return", "raw_"):
        with pytest.raises(
            ValueError, match=rf"^normal-return model name '{name}' is not of the naming scheme"
        ):
            register_model(RawReturn(), name=name)
    assert "mutable" not in MODELS and "Raw" not in MODELS
    for name in MODELS.names():
        model = MODELS[name]
        assert NAME_PATTERN.fullmatch(name) and model.name == name
        assert dataclasses.is_dataclass(model) and type(model).__dataclass_params__.frozen  # type: ignore[attr-defined]
