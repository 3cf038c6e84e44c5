"""Pieces of the machine-readable outputs shared by both kinds: the environment, the study
header, JSON that is byte-identical on rerun, and ``run.json``."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._version import __version__
from eventstudy.config import StudyConfig

__all__ = [
    "Rows",
    "environment",
    "run_record",
    "study_header",
    "to_json",
]

_LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "arch", "matplotlib", "pyarrow")


def environment() -> dict[str, str]:
    """Package, Python and key library versions (the reproducibility record)."""
    return dict(_environment())


@functools.cache
def _environment() -> tuple[tuple[str, str], ...]:
    # installed versions cannot change within a process; metadata lookups cost ~15 ms each call
    env = {"eventstudy": __version__, "python": platform.python_version()}
    for lib in _LIBRARIES:
        try:
            env[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            env[lib] = "not installed"
    return tuple(env.items())


class Rows(Sequence[dict[str, Any]]):
    """A table's rows in a record: the list ``_clean(frame.to_dict("records"))`` stands
    for, which :func:`to_json` writes column by column instead of through a dict per row.

    A sweep's ``result.json`` holds one row per specification x target x horizon: for
    10,000 specifications, json's pure-Python indenting encoder (used whenever ``indent``
    is set) took most of the 2.7 s of writing the outputs (2026-12-07).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._rows: list[dict[str, Any]] | None = None

    def _records(self) -> list[dict[str, Any]]:
        if self._rows is None:
            self._rows = _clean(self.frame.to_dict("records"))
        return self._rows

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, i: Any) -> Any:
        return self._records()[i]

    def __eq__(self, other: object) -> bool:
        return list(self) == (list(other) if isinstance(other, Rows) else other)

    __hash__ = None  # type: ignore[assignment]

    def render(self, indent: int) -> str | None:
        """The JSON text ``json.dumps(rows, indent=2)`` writes for the rows at ``indent``
        spaces (the list's own line); ``None`` when a value is not a flat scalar."""
        if not len(self.frame):
            return "[]"
        if not self.frame.columns.is_unique:
            return None
        # the Python values to_dict("records") boxes (floats, ints, bools, strings)
        columns = {str(c): self.frame[c].tolist() for c in self.frame.columns}
        texts = []
        for values in columns.values():  # loop over columns
            text = _column(values)
            if text is None:
                return None
            texts.append(text)
        pad, inner = " " * (indent + 2), " " * (indent + 4)
        if not texts:
            return "[\n" + ",\n".join([pad + "{}"] * len(self.frame)) + "\n" + " " * indent + "]"
        keys = [inner + json.encoder.encode_basestring(k) + ": " for k in columns]
        rows = (",\n".join(map(str.__add__, keys, row)) for row in zip(*texts, strict=True))
        body = ("\n" + pad + "},\n" + pad + "{\n").join(rows)
        return "[\n" + pad + "{\n" + body + "\n" + pad + "}\n" + " " * indent + "]"


def _column(values: list[Any]) -> list[str] | None:
    """JSON texts of a column's cleaned values (:func:`_scalar`), a type at a time."""
    kinds = set(map(type, values))
    if kinds == {float}:
        if all(map(math.isfinite, values)):
            return list(map(float.__repr__, values))
    elif kinds == {str}:
        return list(map(json.encoder.encode_basestring, values))
    elif kinds == {int}:
        return list(map(int.__repr__, values))
    text = [_scalar(v) for v in values]
    return None if None in text else text  # type: ignore[return-value]


def _scalar(v: Any) -> str | None:
    """JSON text of a cleaned scalar (``None`` for anything else)."""
    kind = type(v)
    if kind is float:
        return float.__repr__(v) if math.isfinite(v) else "null"
    if kind is str:
        return json.encoder.encode_basestring(v)
    if v is None:
        return "null"
    if kind is bool:
        return "true" if v else "false"
    if kind is int:
        return int.__repr__(v)
    clean = _clean(v)
    if type(clean) in (float, str, bool, int) or clean is None:
        return _scalar(clean)
    return None


def _clean(x: Any) -> Any:
    """JSON-ready: NaN/inf -> None, numpy scalars -> Python, timestamps -> ISO dates."""
    kind = type(x)
    if kind is float:  # most values of a sweep's record: checked first
        return x if math.isfinite(x) else None
    if kind is str:
        return x
    if isinstance(x, Rows):
        return x
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        return float(x) if math.isfinite(float(x)) else None
    if isinstance(x, pd.Timestamp):
        return f"{x:%Y-%m-%d}"
    if isinstance(x, dt.date):
        return x.isoformat()
    return x


def study_header(cfg: StudyConfig, seed: int) -> dict[str, Any]:
    """The ``study`` block of ``result.json``."""
    return {
        "name": cfg.name,
        "title": cfg.title,
        "question": cfg.question,
        "kind": cfg.kind,
        "config_sha256": cfg.sha256,
        "seed": seed,
    }


def to_json(record: dict[str, Any]) -> str:
    """Stable JSON text (fixed key order as built, 2-space indent, trailing newline).

    :class:`Rows` in the record are written column by column, to the same text."""
    tables: list[Rows] = []

    def mark(x: Any) -> Any:
        if isinstance(x, Rows):
            tables.append(x)
            return f"@@eventstudy-rows-{len(tables) - 1}@@"
        if isinstance(x, dict):
            return {k: mark(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [mark(v) for v in x]
        return x

    def expand(x: Any) -> Any:
        if isinstance(x, Rows):
            return list(x)
        if isinstance(x, dict):
            return {k: expand(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [expand(v) for v in x]
        return x

    marked = mark(record)
    text = json.dumps(marked, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    tokens = [f'"@@eventstudy-rows-{i}@@"' for i in range(len(tables))]
    if any(text.count(token) != 1 for token in tokens):  # the data holds a placeholder
        return json.dumps(expand(record), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    for table, token in zip(tables, tokens, strict=True):  # a table or two
        at = text.find(token)
        line = text.rfind("\n", 0, at) + 1
        indent = len(text[line:at]) - len(text[line:at].lstrip(" "))
        rendered = table.render(indent)
        if rendered is None:
            rendered = json.dumps(list(table), indent=2, ensure_ascii=False, allow_nan=False)
            rendered = rendered.replace("\n", "\n" + " " * indent)
        text = text[:at] + rendered + text[at + len(token) :]
    return text


def run_record(
    *, argv: list[str], out_dir: str, started: dt.datetime, seconds: float
) -> dict[str, Any]:
    """The content of ``run.json``: what differs between runs (command, paths, times)."""
    return {
        "command": argv,
        "out_dir": out_dir,
        "started_utc": started.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "duration_seconds": round(seconds, 3),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "environment": environment(),
    }
