"""Normal-return models behind one tiny interface, and a registry by name.

A model maps calendar-level series (market return and optional factors, decimals) to

* an *offset* o_t subtracted from the stock return (0, the market return, or the risk-free
  rate), and
* a *design matrix* X_t (T x K, K may be 0) whose coefficients are estimated by OLS over each
  event's estimation window.

Abnormal return: AR_it = R_it - o_t - X_t' b_i.  With K = 0 (market-adjusted) nothing is
estimated.  This covers the constant-mean, market-adjusted, market (single-index) and
Fama–French / Carhart factor models (Campbell, Lo & MacKinlay 1997, ch. 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from eventstudy.exceptions import DataError
from eventstudy.registry import Registry, check_frozen_dataclass

__all__ = [
    "MODELS",
    "FactorModel",
    "MarketAdjusted",
    "MarketModel",
    "MeanAdjusted",
    "NormalReturnModel",
    "get_model",
    "needs_factors",
    "register_model",
]


@runtime_checkable
class NormalReturnModel(Protocol):
    """Interface of a normal-return model.

    Attributes
    ----------
    name
        Registry name.
    regressors
        Names of the K design columns (``"const"`` for an intercept).
    """

    @property
    def name(self) -> str:
        """Registry name."""
        ...

    @property
    def regressors(self) -> tuple[str, ...]:
        """Names of the K design columns."""
        ...

    def design(
        self, market: pd.Series, factors: pd.DataFrame | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(offset (T,), X (T, K))`` on the calendar of ``market``; NaN = unavailable."""
        ...


@dataclass(frozen=True, slots=True)
class MeanAdjusted:
    """Constant-mean-return model: AR = R - mean(R over the estimation window)."""

    name: str = "mean_adjusted"
    regressors: tuple[str, ...] = ("const",)

    def design(
        self, market: pd.Series, factors: pd.DataFrame | None
    ) -> tuple[np.ndarray, np.ndarray]:
        n = len(market)
        return np.zeros(n), np.ones((n, 1))


@dataclass(frozen=True, slots=True)
class MarketAdjusted:
    """Market-adjusted model: AR = R - Rm (no parameters estimated)."""

    name: str = "market_adjusted"
    regressors: tuple[str, ...] = ()

    def design(
        self, market: pd.Series, factors: pd.DataFrame | None
    ) -> tuple[np.ndarray, np.ndarray]:
        m = market.to_numpy(dtype=float)
        return m, np.empty((len(m), 0))


@dataclass(frozen=True, slots=True)
class MarketModel:
    """Single-index market model by OLS: AR = R - (alpha + beta Rm)."""

    name: str = "market_model"
    regressors: tuple[str, ...] = ("const", "market")

    def design(
        self, market: pd.Series, factors: pd.DataFrame | None
    ) -> tuple[np.ndarray, np.ndarray]:
        m = market.to_numpy(dtype=float)
        return np.zeros(len(m)), np.column_stack([np.ones(len(m)), m])


@dataclass(frozen=True, slots=True)
class FactorModel:
    """Factor model on excess returns: R - rf = a + sum_k b_k F_k + e (factors in decimals).

    ``ff3``: mkt_rf, smb, hml (Fama & French 1993); ``carhart4``: + mom (Carhart 1997);
    ``ff5``: + rmw, cma (Fama & French 2015).
    """

    name: str
    factor_names: tuple[str, ...]

    @property
    def regressors(self) -> tuple[str, ...]:
        """``const`` followed by the factor names."""
        return ("const", *self.factor_names)

    def design(
        self, market: pd.Series, factors: pd.DataFrame | None
    ) -> tuple[np.ndarray, np.ndarray]:
        if factors is None:
            raise DataError(
                f"model {self.name!r} needs factors with columns {['rf', *self.factor_names]} "
                "(decimals: see factors_from_percent)"
            )
        need = ["rf", *self.factor_names]
        missing = [c for c in need if c not in factors.columns]
        if missing:
            raise DataError(
                f"model {self.name!r}: factors lacks columns {missing}; has {list(factors.columns)}"
            )
        f = factors.reindex(market.index)
        x = np.column_stack([np.ones(len(f)), f[list(self.factor_names)].to_numpy(dtype=float)])
        return f["rf"].to_numpy(dtype=float), x


def _check_model(obj: object) -> None:
    if isinstance(obj, type):
        raise TypeError(
            f"a normal-return model is registered as an instance, e.g. {obj.__name__}(), "
            f"not the class {obj!r}"
        )
    if not isinstance(obj, NormalReturnModel):
        raise TypeError(
            "a normal-return model needs a 'name', 'regressors' and "
            f"design(market, factors) -> (offset, X) (NormalReturnModel), got {obj!r}"
        )
    check_frozen_dataclass(type(obj), f"normal-return model {obj.name!r}")


MODELS: Registry[NormalReturnModel] = Registry(
    "normal-return model", "eventstudy.models", check=_check_model, name_attr="name"
)
"""Registry of normal-return models by name; plugins from the ``eventstudy.models`` group."""
for _model in (
    MeanAdjusted(),
    MarketAdjusted(),
    MarketModel(),
    FactorModel("ff3", ("mkt_rf", "smb", "hml")),
    FactorModel("carhart4", ("mkt_rf", "smb", "hml", "mom")),
    FactorModel("ff5", ("mkt_rf", "smb", "hml", "rmw", "cma")),
):
    MODELS.register(_model.name, _model)


def register_model(model: NormalReturnModel, *, name: str | None = None) -> NormalReturnModel:
    """Register a normal-return model under ``name`` (default ``model.name``) so that studies
    and :func:`~eventstudy.crosssection.run_cross_section` can name it.

    Raises
    ------
    TypeError
        ``model`` does not implement :class:`NormalReturnModel`, or is not an instance of a
        frozen dataclass.
    ValueError
        The name is taken by another model, or is not of the naming scheme (lower-case words
        joined by ``_``: :data:`eventstudy.registry.NAME_PATTERN`).
    """
    _check_model(model)
    return MODELS.register(name or model.name, model)


def needs_factors(model: NormalReturnModel) -> bool:
    """True when the model's design uses factor columns (``factor_names`` not empty)."""
    return bool(getattr(model, "factor_names", ()))


def get_model(model: str | NormalReturnModel) -> NormalReturnModel:
    """Return a model from its registry name, or ``model`` itself if it implements the interface.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid names).
    TypeError
        For an object that is neither a name nor a model.
    """
    if isinstance(model, str):
        if model not in MODELS:
            raise ValueError(
                f"model must be one of {MODELS.names()}, got {model!r}{MODELS.why_missing(model)}"
            )
        return MODELS[model]
    if isinstance(model, NormalReturnModel):
        return model
    raise TypeError(f"model must be a name {MODELS.names()} or a NormalReturnModel, got {model!r}")
