"""Study configuration, the part every kind shares: the TOML reader, ``[study]`` and ``[data]``.

Each kind's own sections are parsed into a frozen subclass of :class:`StudyConfig` by its package
(:mod:`eventstudy.timeseries.spec`, :mod:`eventstudy.crosssection.spec`); :func:`eventstudy.parse_study`
dispatches on ``[study] kind``.  The full key reference with a complete example is
``docs/study-config.md``.
"""

from __future__ import annotations

import copy
import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from eventstudy.config._reader import Section
from eventstudy.exceptions import ConfigError

__all__ = [
    "BREADTH_MEASURES",
    "DataConfig",
    "SeriesSpec",
    "StudyConfig",
    "freeze",
    "parse_header",
    "read_toml",
    "thaw",
]

KINDS = ("time_series", "cross_section")


def freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Deep copy of a frozen config value as plain dicts and lists."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return copy.copy(value)


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    """One aliased input series: a name/path, or a splice of two sources.

    ``folder`` is the folder of the study file it came from: a relative file path is looked
    for there first, then in the data directory, never in the current directory."""

    alias: str
    name: str | None = None
    splice: tuple[str, str] | None = None
    column: str | None = None
    kind: Literal["price", "level"] | None = None
    breadth: Mapping[str, Any] | None = None
    ratio: tuple[str, str] | None = None
    title: str | None = None
    folder: str | None = None

    @property
    def display(self) -> str:
        """The readable name (``label`` in the config), else the alias."""
        return self.title or self.alias

    @property
    def label(self) -> str:
        """``splice(a,b)``, ``breadth(...)`` or the name."""
        if self.splice:
            return f"splice({self.splice[0]},{self.splice[1]})"
        if self.breadth:
            return f"breadth({self.breadth['measure']},{self.breadth['panel']})"
        if self.ratio:
            return f"ratio({self.ratio[0]},{self.ratio[1]})"
        return str(self.name)


@dataclass(frozen=True, slots=True)
class DataConfig:
    """``[data]``: the input series and the date range to load."""

    series: tuple[SeriesSpec, ...]
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None


@dataclass(frozen=True, slots=True)
class StudyConfig:
    """What every validated study has: where it came from, ``[study]`` and ``[data]``.

    The kinds extend it: :class:`~eventstudy.timeseries.spec.TimeSeriesStudyConfig` and
    :class:`~eventstudy.crosssection.spec.CrossSectionStudyConfig`.

    Attributes
    ----------
    path
        File it was read from.
    sha256
        Fingerprint of the file bytes (goes to ``result.json``).
    name, kind, title, question, seed
        The ``[study]`` table.
    data
        The ``[data]`` table.
    """

    path: str
    sha256: str
    name: str
    kind: Literal["time_series", "cross_section"]
    title: str
    question: str
    seed: int
    data: DataConfig


def read_toml(raw: bytes | str, source: str) -> tuple[dict[str, Any], str]:
    """Parse TOML bytes/text into a document and the sha256 of the bytes."""
    data = raw.encode() if isinstance(raw, str) else raw
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    return doc, hashlib.sha256(data).hexdigest()


def parse_header(doc: Mapping[str, Any], source: str, sha256: str) -> dict[str, Any]:
    """The :class:`StudyConfig` fields from ``[study]`` and ``[data]``, as keyword arguments."""
    st = Section(
        doc.get("study", {}), f"{source}: [study]", ("name", "kind", "title", "question", "seed")
    )
    name = st.get_str("name")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) or ".." in name:
        raise st.error(
            "name",
            f"must be letters, digits, '.', '_' or '-' (it names the output folder out/<name>), "
            f"got {name!r}",
        )
    return {
        "path": source,
        "sha256": sha256,
        "name": name,
        "kind": st.get_str("kind", "time_series", choices=KINDS),
        "title": st.get_str("title", name),
        "question": st.get_str("question", ""),
        "seed": st.get_int("seed", 0, minimum=0),
        "data": _parse_data(doc, source),
    }


BREADTH_MEASURES = ("share_above_ma", "share_at_high", "share_at_low", "advance_decline")


def _parse_data(doc: Mapping[str, Any], source: str) -> DataConfig:
    """``[data]``. Relative file paths are resolved next to the study file first, then in the
    data directory (by the store), never in the current directory."""
    folder = str(Path(source).resolve().parent) if source and Path(source).is_file() else None
    sec = Section(doc.get("data", {}), f"{source}: [data]", ("series", "start", "end"))
    series_tab = sec.get_table("series")
    if not series_tab:
        raise ConfigError(f"{source}: [data.series] must name at least one series")
    specs = []
    for alias, value in series_tab.items():
        where = f"{source}: [data.series.{alias}]"
        if isinstance(value, str):
            specs.append(SeriesSpec(alias=alias, name=value, folder=folder))
            continue
        s = Section(value, where, ("name", "splice", "column", "kind", "breadth", "ratio", "label"))
        if sum(s.has(k) for k in ("name", "splice", "breadth", "ratio")) != 1:
            raise ConfigError(
                f"{where}: give exactly one of 'name', 'splice', 'breadth' or 'ratio'"
            )
        ratio = None
        if s.has("ratio"):
            r = s.get_list("ratio")
            if len(r) != 2 or not all(isinstance(x, str) for x in r):
                raise s.error(
                    "ratio", f"must be two series aliases [numerator, denominator], got {r!r}"
                )
            ratio = (r[0], r[1])
        splice = None
        if s.has("splice"):
            sp = s.get_list("splice")
            if len(sp) != 2 or not all(isinstance(x, str) for x in sp):
                raise s.error("splice", f"must be two names [earlier, later], got {sp!r}")
            splice = (sp[0], sp[1])
        breadth = None
        if s.has("breadth"):
            b = Section(s.get_table("breadth"), f"{where} breadth", ("panel", "measure", "window"))
            breadth = freeze(
                {
                    "panel": b.get_str("panel"),
                    "measure": b.get_str("measure", "share_above_ma", choices=BREADTH_MEASURES),
                    "window": b.get_int("window", 200, minimum=2),
                }
            )
        specs.append(
            SeriesSpec(
                alias=alias,
                name=s.get_str("name", None),
                folder=folder,
                splice=splice,
                column=s.get_str("column", None),
                kind=s.get_str("kind", None, choices=("price", "level")),
                breadth=breadth,
                ratio=ratio,
                title=s.get_str("label", None),
            )
        )
    loaded = {sp.alias for sp in specs if sp.ratio is None}
    for sp in specs:
        if sp.ratio is not None:
            for part in sp.ratio:
                if part not in loaded:
                    raise ConfigError(
                        f"{source}: [data.series.{sp.alias}] key 'ratio': {part!r} is not a loaded "
                        f"series alias; aliases are {sorted(loaded)}"
                    )
    start, end = sec.get_date("start", None), sec.get_date("end", None)
    if start is not None and end is not None and start >= end:
        raise sec.error("end", f"must be after start {start:%Y-%m-%d}")
    return DataConfig(series=tuple(specs), start=start, end=end)
