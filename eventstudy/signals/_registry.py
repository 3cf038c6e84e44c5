"""Registry mapping config names (``type``) to signal classes, and :func:`make_signal`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from eventstudy.exceptions import ConfigError
from eventstudy.signals._base import Signal

__all__ = ["make_signal", "register", "signal_types"]

_REGISTRY: dict[str, type[Signal]] = {}

S = TypeVar("S", bound=type[Signal])


def register(cls: S) -> S:
    """Class decorator: register ``cls`` under ``cls.kind`` (apply outside ``@dataclass``)."""
    kind = cls.kind
    if kind in _REGISTRY and _REGISTRY[kind] is not cls:
        raise ValueError(f"signal type {kind!r} is already registered")
    _REGISTRY[kind] = cls
    return cls


def signal_types() -> dict[str, type[Signal]]:
    """Copy of the registry: config name -> signal class."""
    return dict(sorted(_REGISTRY.items()))


def make_signal(config: Mapping[str, Any] | Signal) -> Signal:
    """Build a signal from a config mapping ``{"type": name, **params}``.

    Combinators take nested configs (``{"type": "all_of", "signals": [{...}, {...}]}``).
    A :class:`Signal` instance is returned unchanged.

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
    valid = sorted(_REGISTRY)
    if "type" not in config:
        raise ConfigError(f"signal config is missing key 'type'; valid types: {valid}")
    kind = config["type"]
    if not isinstance(kind, str) or kind not in _REGISTRY:
        raise ConfigError(f"unknown signal type {kind!r} (key 'type'); valid types: {valid}")
    cls = _REGISTRY[kind]
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
