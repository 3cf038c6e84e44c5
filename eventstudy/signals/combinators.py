"""Combinators ``all_of``, ``any_of`` and ``not`` over other signals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from eventstudy.signals._base import Signal, SignalResult, make_result
from eventstudy.signals._registry import make_signal, register

__all__ = ["AllOf", "AnyOf", "Not", "all_of", "any_of", "not_"]


def _as_signals(name: str, value: Any) -> tuple[Signal, ...]:
    if isinstance(value, Signal | Mapping | str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of signals or signal configs, got {value!r}")
    out = tuple(make_signal(v) for v in value)
    if not out:
        raise ValueError(f"{name} must hold at least one signal")
    return out


def _children(signals: tuple[Signal, ...], data: pd.DataFrame) -> list[SignalResult]:
    return [s.compute(data) for s in signals]


@register
@dataclass(frozen=True, slots=True)
class AllOf(Signal):
    """Trigger when every child triggers on the same day.

    Value: the first child's value; ``look_ahead``: any child's; ``threshold``: the first
    child's.  Config: ``{"type": "all_of", "signals": [{...}, {...}]}``.
    """

    kind: ClassVar[str] = "all_of"

    signals: tuple[Signal, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "signals", _as_signals("signals", self.signals))

    def compute(self, data: pd.DataFrame) -> SignalResult:
        """Compute every child and AND their triggers."""
        res = _children(self.signals, data)
        trig = np.logical_and.reduce([r.trigger.to_numpy(dtype=bool) for r in res])
        return make_result(
            res[0].value,
            trig,
            threshold=res[0].threshold,
            look_ahead=any(r.look_ahead for r in res),
            description="all of: " + "; ".join(r.description for r in res),
        )


@register
@dataclass(frozen=True, slots=True)
class AnyOf(Signal):
    """Trigger when at least one child triggers.

    Value: when every child has the same value series (thresholds on one statistic, e.g. a
    20-day yield change above +0.5 or below -0.5), that value, with the children's thresholds
    as ``levels`` (``threshold`` the common one, if they share it); otherwise the number of
    children triggering that day (float), NaN where every child's value is NaN (mixing the
    children's values would mix units), and ``threshold`` ``None``.  ``look_ahead``: any
    child's.  Config: ``{"type": "any_of", "signals": [...]}``.
    """

    kind: ClassVar[str] = "any_of"

    signals: tuple[Signal, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "signals", _as_signals("signals", self.signals))

    def compute(self, data: pd.DataFrame) -> SignalResult:
        """Compute every child and OR their triggers."""
        res = _children(self.signals, data)
        trigs = np.vstack([r.trigger.to_numpy(dtype=bool) for r in res])
        values = [r.value.to_numpy(dtype=float) for r in res]
        look_ahead = any(r.look_ahead for r in res)
        description = "any of: " + "; ".join(r.description for r in res)
        if all(np.array_equal(values[0], v, equal_nan=True) for v in values[1:]):
            levels = tuple(dict.fromkeys(r.threshold for r in res if r.threshold is not None))
            return make_result(
                res[0].value,
                np.asarray(trigs.any(axis=0), dtype=bool),
                threshold=levels[0] if len(levels) == 1 else None,
                levels=levels if len(levels) > 1 else (),
                look_ahead=look_ahead,
                description=description,
            )
        defined = np.vstack([~np.isnan(v) for v in values]).any(axis=0)
        count = np.where(defined, trigs.sum(axis=0).astype(float), np.nan)
        return make_result(
            pd.Series(count, index=res[0].value.index),
            np.asarray(trigs.any(axis=0), dtype=bool),
            threshold=None,
            look_ahead=look_ahead,
            description=description,
        )


@register
@dataclass(frozen=True, slots=True)
class Not(Signal):
    """Trigger where the child is defined (value not NaN) and does not trigger.

    Value: the child's value; ``threshold``: the child's.  Config:
    ``{"type": "not", "signal": {...}}``.
    """

    kind: ClassVar[str] = "not"

    signal: Signal

    def __post_init__(self) -> None:
        if not isinstance(self.signal, Signal | Mapping):
            raise TypeError(f"signal must be a signal or a signal config, got {self.signal!r}")
        object.__setattr__(self, "signal", make_signal(self.signal))

    def compute(self, data: pd.DataFrame) -> SignalResult:
        """Compute the child and negate its trigger where it is defined."""
        r = self.signal.compute(data)
        return make_result(
            r.value,
            ~r.trigger.to_numpy(dtype=bool),
            threshold=r.threshold,
            look_ahead=r.look_ahead,
            description=f"not ({r.description})",
        )


def all_of(*signals: Signal | Mapping[str, Any]) -> AllOf:
    """``AllOf(signals)``: every child triggers the same day."""
    return AllOf(signals=tuple(make_signal(s) for s in signals))


def any_of(*signals: Signal | Mapping[str, Any]) -> AnyOf:
    """``AnyOf(signals)``: at least one child triggers."""
    return AnyOf(signals=tuple(make_signal(s) for s in signals))


def not_(signal: Signal | Mapping[str, Any]) -> Not:
    """``Not(signal)``: the child is defined and does not trigger."""
    return Not(signal=make_signal(signal))
