"""Registry mapping config names (``type``) to signal classes, and :func:`make_signal`.

Plugins: a package that declares an entry point in the group ``eventstudy.signals`` (name ->
``module:SignalClass``) adds a signal type that studies can name (see ``docs/extending.md``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from eventstudy.exceptions import ConfigError
from eventstudy.registry import Registry, check_frozen_dataclass
from eventstudy.signals._base import Signal

__all__ = ["SIGNALS", "make_signal", "register", "signal_types"]

S = TypeVar("S", bound=type[Signal])


def _check_signal_class(obj: object) -> None:
    if not (
        isinstance(obj, type)
        and issubclass(obj, Signal)
        and dataclasses.is_dataclass(obj)
        and isinstance(getattr(obj, "kind", None), str)
    ):
        raise TypeError(
            f"a signal type must be a dataclass subclass of eventstudy.signals.Signal with a "
            f"string 'kind', got {obj!r}"
        )
    check_frozen_dataclass(obj, f"signal type {obj.kind!r}")


SIGNALS: Registry[type[Signal]] = Registry(
    "signal type", "eventstudy.signals", check=_check_signal_class, name_attr="kind"
)
"""Config name (``type``) -> signal class; plugins from the ``eventstudy.signals`` group."""


def register(cls: S) -> S:
    """Class decorator: register ``cls`` under ``cls.kind`` (apply outside ``@dataclass``).

    Raises
    ------
    ValueError
        Another class is registered under that name, or ``kind`` is not of the naming
        scheme (lower-case words joined by ``_``: :data:`eventstudy.registry.NAME_PATTERN`).
    TypeError
        ``cls`` is not a frozen dataclass subclass of :class:`Signal` with a string ``kind``.
    """
    _check_signal_class(cls)
    SIGNALS.register(cls.kind, cls)
    return cls


def signal_types() -> dict[str, type[Signal]]:
    """Copy of the registry (plugins included): config name -> signal class."""
    return {name: SIGNALS[name] for name in SIGNALS.names()}


def make_signal(config: Mapping[str, Any] | Signal) -> Signal:
    """Build a signal from a config mapping ``{"type": name, **params}``.

    Combinators take nested configs (``{"type": "all_of", "signals": [{...}, {...}]}``).
    A :class:`Signal` instance is returned unchanged.  The types and their keys are those of
    the classes in :mod:`eventstudy.signals` (``SIGNALS.names()``; every key with its default:
    docs/study-config.md, the `[signal]` table).

    Examples
    --------
    A five-day gain of 4% or more, on a series named ``"a"``; the value is the five-day return
    and the trigger the days it is above the level:

    >>> import numpy as np, pandas as pd
    >>> from eventstudy.signals import SIGNALS, make_signal
    >>> "move" in SIGNALS.names() and "divergence" in SIGNALS.names()
    True
    >>> signal = make_signal({"type": "move", "series": "a", "n": 5, "mode": "above", "level": 0.04})
    >>> prices = pd.DataFrame({"a": [100.0, 100, 100, 100, 100, 101, 106]},
    ...                       index=pd.bdate_range("2024-01-01", periods=7))
    >>> result = signal.compute(prices)
    >>> result.trigger.tolist()
    [False, False, False, False, False, False, True]
    >>> make_signal({"type": "move", "series": "a", "lvel": 0.04})
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: unknown parameter 'lvel' for signal type 'move'; valid parameters: ['series', 'n', 'mode', 'level', 'lookback', 'since', 'return_kind']

    Raises
    ------
    ConfigError
        Missing or unknown ``type`` (the message lists the valid names), unknown parameter
        (the message names the key and lists the valid ones), missing required parameter.
    TypeError, ValueError
        From the signal's own parameter validation.
    """
    if isinstance(config, Signal):
        return config
    if not isinstance(config, Mapping):
        raise TypeError(f"signal config must be a mapping, got {type(config).__name__}")
    if "type" not in config:
        raise ConfigError(f"signal config is missing key 'type'; valid types: {SIGNALS.names()}")
    kind = config["type"]
    if not isinstance(kind, str) or kind not in SIGNALS:
        raise ConfigError(
            f"unknown signal type {kind!r} (key 'type'){SIGNALS.why_missing(kind)}; valid "
            f"types: {SIGNALS.names()}"
        )
    cls = SIGNALS[kind]
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names = [f.name for f in fields]
    params = {k: v for k, v in config.items() if k != "type"}
    unknown = [k for k in params if k not in names]
    if unknown:
        raise ConfigError(
            f"unknown parameter {unknown[0]!r} for signal type {kind!r}; valid parameters: {names}"
        )
    required = [
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    missing = [k for k in required if k not in params]
    if missing:
        raise ConfigError(
            f"signal type {kind!r} is missing required parameter {missing[0]!r}; "
            f"required: {required}"
        )
    return cls(**params)
