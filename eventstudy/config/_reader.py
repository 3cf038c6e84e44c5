"""A strict reader over one TOML table: every access names the file and key on error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from eventstudy.exceptions import ConfigError

_MISSING = object()


class Section:
    """One TOML table with its location; rejects unknown keys.

    Parameters
    ----------
    data
        The table.
    where
        ``"<file>: [section]"`` used in messages.
    allowed
        Every valid key.
    """

    def __init__(self, data: Any, where: str, allowed: Sequence[str]) -> None:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{where} must be a table, got {type(data).__name__} {data!r}")
        unknown = [k for k in data if k not in allowed]
        if unknown:
            raise ConfigError(
                f"{where}: unknown key {unknown[0]!r}; valid keys are {', '.join(sorted(allowed))}"
            )
        self.data: Mapping[str, Any] = data
        self.where = where

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, default: Any) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise ConfigError(f"{self.where}: missing required key {key!r}")
        return default

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.where}: key {key!r}: {message}")

    def get_str(
        self, key: str, default: Any = _MISSING, *, choices: Sequence[str] | None = None
    ) -> Any:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, got {value!r}")
        if choices is not None and value not in choices:
            raise self.error(key, f"must be one of {list(choices)}, got {value!r}")
        return value

    def get_int(self, key: str, default: Any = _MISSING, *, minimum: int | None = None) -> Any:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be an integer, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(key, f"must be >= {minimum}, got {value}")
        return value

    def get_float(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"must be a number, got {value!r}")
        return float(value)

    def get_bool(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, got {value!r}")
        return value

    def get_date(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, dt.date):
            return pd.Timestamp(value)
        if isinstance(value, str):
            try:
                return pd.Timestamp(dt.date.fromisoformat(value))
            except ValueError:
                pass
        raise self.error(key, f"must be a date YYYY-MM-DD, got {value!r}")

    def get_table(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, Mapping):
            raise self.error(key, f"must be a table, got {value!r}")
        return value

    def get_list(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, list | tuple):
            raise self.error(key, f"must be a list, got {value!r}")
        return [list(v) if isinstance(v, tuple) else v for v in value]

    def get_raw(self, key: str, default: Any = _MISSING) -> Any:
        return self._get(key, default)
