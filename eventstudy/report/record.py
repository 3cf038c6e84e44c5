"""Pieces of the machine-readable outputs shared by both kinds: the environment, the study
header, JSON that is byte-identical on rerun, and ``run.json``."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import platform
import sys
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._version import __version__
from eventstudy.config import StudyConfig

__all__ = [
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


def _clean(x: Any) -> Any:
    """JSON-ready: NaN/inf -> None, numpy scalars -> Python, timestamps -> ISO dates."""
    kind = type(x)
    if kind is float:  # most values of a sweep's record: checked first
        return x if math.isfinite(x) else None
    if kind is str:
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
    """Stable JSON text (fixed key order as built, 2-space indent, trailing newline)."""
    return json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


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
