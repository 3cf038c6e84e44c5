"""A strategist's note as a file of facts: ``[note]``, ``[data.series]`` and ``[[facts]]``.

.. code-block:: toml

    [note]
    title = "Small caps: best August since 2000"
    source = "Strategist note, 2025-08-31"
    as_of = 2025-08-29

    [data.series]
    rut = { splice = ["fred:RU2000PR", "yahoo:RUT"] }

    [[facts]]
    kind = "calendar_rank"
    text = "The Russell 2000 rose 7% in August, its best August since 2000"
    series = "rut"
    month = "2025-08"
    since = 2000
    claimed = 0.07
    tolerance = 0.005

:func:`check_note` loads every series on its own (a series the data directory lacks makes its
facts "not checkable", named), checks each fact and returns a :class:`FactTable`.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.config._reader import Section
from eventstudy.config.study import DataConfig, SeriesSpec, _parse_data, read_toml
from eventstudy.data import DataStore
from eventstudy.data.records import LoadedSeries
from eventstudy.data.study_data import load_series, series_kind
from eventstudy.exceptions import ConfigError, DataError, DataFileNotFoundError
from eventstudy.facts.check import Inputs, check_fact
from eventstudy.facts.results import FactResult, FactTable
from eventstudy.facts.spec import FactSpec, parse_facts

__all__ = [
    "NoteConfig",
    "check_facts",
    "check_note",
    "check_study_facts",
    "load_note",
    "parse_note",
]


@dataclass(frozen=True, slots=True)
class NoteConfig:
    """A parsed note file.

    Attributes
    ----------
    path, sha256
        Where it was read from and the fingerprint of its bytes.
    name, title, source
        ``[note]``: a short name (default: the file name), the title and where it was published.
    as_of
        ``[note] as_of``: the date the note speaks of (each fact may override it).
    data
        ``[data]``.
    facts
        The ``[[facts]]``.
    """

    path: str
    sha256: str
    name: str
    title: str
    source: str
    as_of: pd.Timestamp | None
    data: DataConfig
    facts: tuple[FactSpec, ...]


def parse_note(text: str | bytes, source: str = "<note>") -> NoteConfig:
    """Parse the TOML text of a note.

    Raises
    ------
    ConfigError
        Naming the file, table and key.
    """
    doc, sha = read_toml(text, source)
    unknown = [k for k in doc if k not in ("note", "data", "facts")]
    if unknown:
        raise ConfigError(
            f"{source}: unknown table {unknown[0]!r}; a note has [note], [data] and [[facts]]"
        )
    sec = Section(doc.get("note", {}), f"{source}: [note]", ("name", "title", "source", "as_of"))
    stem = Path(source).stem if source != "<note>" else "note"
    name = sec.get_str("name", stem)
    as_of = sec.get_date("as_of", None)
    data = _parse_data(doc, source)
    if "facts" not in doc:
        raise ConfigError(f"{source}: a note needs at least one [[facts]] entry")
    facts = parse_facts(doc["facts"], source, aliases=[s.alias for s in data.series], as_of=as_of)
    return NoteConfig(
        path=source,
        sha256=sha,
        name=name,
        title=sec.get_str("title", name),
        source=sec.get_str("source", ""),
        as_of=as_of,
        data=data,
        facts=facts,
    )


def load_note(path: str | os.PathLike[str]) -> NoteConfig:
    """Read and parse a note file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the note: {exc.strerror or exc}") from exc
    return parse_note(raw, str(p))


_RETURN_UNITS = re.compile(r"percent per (day|week|month|quarter)")
"""Manifest units of a series of returns (Fama-French factors: "percent per day"), not of
closes ("percent per annum" is a yield, a level)."""


def _kind(spec: SeriesSpec, store: DataStore) -> str:
    """``"price"``, ``"level"`` or ``"return"`` (returns in percent per period, from the
    manifest's units): the declared kind wins."""
    kind = series_kind(spec, store)
    name = spec.splice[1] if spec.splice is not None else spec.name
    if spec.kind is not None or name is None:
        return kind
    path = store.resolve(str(name), cwd=False, folder=spec.folder)[0]
    units = store.manifest_entry(path).get("units", "").lower()
    return "return" if _RETURN_UNITS.search(units) else kind


_FETCHABLE = ("yahoo", "fred", "french", "stooq")
"""Providers a series may come from besides those the data directory holds."""


def _typo(alias: str, name: str, store: DataStore) -> str:
    """Raise :class:`ConfigError` when a name the data directory lacks has an unknown
    provider; return a hint (``" (did you mean 'yahoo:RUT'?)"``) when it is close to one it
    holds (``yahoo:^RUTX``), else "".  A name close to another may be a real series the data
    directory does not hold yet (``fred:DGS30`` beside ``fred:DGS10``): its facts are "not
    checkable" with the hint, not an error that would stop the whole note."""
    available = store.available()
    if ":" not in name or Path(name).suffix:
        return ""  # a file path: not a typo of a name
    provider = name.split(":", 1)[0]
    providers = sorted({n.split(":", 1)[0] for n in available} | set(_FETCHABLE))
    if provider not in providers:
        raise ConfigError(
            f"[data.series] {alias!r}: no provider {provider!r} in {name!r}; providers are "
            f"{providers}"
        )
    plain = {n.replace("^", "").lower(): n for n in available}
    close = difflib.get_close_matches(name.replace("^", "").lower(), list(plain), n=3, cutoff=0.85)
    return f" (did you mean {' or '.join(repr(plain[c]) for c in close)}?)" if close else ""


def _inputs(data: DataConfig, store: DataStore) -> Inputs:
    series: dict[str, LoadedSeries] = {}
    kinds: dict[str, str] = {}
    missing: dict[str, str] = {}
    # parts first: a ratio declared before its parts reads them all the same
    for spec in sorted(data.series, key=lambda sp: sp.ratio is not None):
        if spec.ratio is not None:
            num, den = spec.ratio
            if num in series and den in series:
                a, b = series[num].data, series[den].data
                joined = pd.concat([a, b], axis=1, join="inner").dropna()
                ratio = (joined.iloc[:, 0] / joined.iloc[:, 1]).rename(spec.alias)
                name = f"{series[num].info.name} / {series[den].info.name}"
                info = dataclasses.replace(
                    series[num].info,
                    name=name,
                    first=f"{ratio.index[0]:%Y-%m-%d}",
                    last=f"{ratio.index[-1]:%Y-%m-%d}",
                    rows=len(ratio),
                )
                series[spec.alias] = LoadedSeries(data=ratio, info=info)
                kinds[spec.alias] = "price"
            else:
                lacking = [a for a in (num, den) if a not in series]
                missing[spec.alias] = (
                    f"{spec.label}: {', '.join(repr(a) for a in lacking)} could not be loaded"
                )
            continue
        try:
            series[spec.alias] = load_series(spec, store)[0]
            kinds[spec.alias] = _kind(spec, store)
        except DataFileNotFoundError:
            names = spec.splice or (spec.name,)
            absent = []
            for n in names:
                try:
                    store.resolve(str(n))
                except DataFileNotFoundError:
                    absent.append(str(n))
            hints = "".join(_typo(spec.alias, n, store) for n in absent)
            missing[spec.alias] = (
                f"{', '.join(absent) or spec.label} not in the data directory {store.root}" + hints
            )
    return Inputs(series, kinds, missing, store)


def _checked(fact: FactSpec, inputs: Any) -> FactResult:
    """:func:`check_fact`, with a data error naming the fact it stopped at."""
    try:
        return check_fact(fact, inputs)
    except DataError as exc:
        raise DataError(f"fact {fact.id!r}: {exc}") from exc


def check_facts(
    facts: tuple[FactSpec, ...],
    data: DataConfig,
    store: DataStore,
    *,
    title: str = "",
    source: str = "",
    as_of: pd.Timestamp | None = None,
) -> FactTable:
    """Check facts against the series of ``data`` (each loaded on its own)."""
    inputs = _inputs(data, store)
    results = tuple(_checked(f, inputs) for f in facts)
    last: dict[str, Any] = {
        spec.alias: (
            f"{inputs.series[spec.alias].data.index[-1]:%Y-%m-%d}"
            if spec.alias in inputs.series
            else None
        )
        for spec in data.series
    }
    about = {spec.alias: text for spec in data.series if (text := _about(spec, inputs, store))}
    return FactTable(
        title=title,
        source=source,
        as_of=as_of,
        facts=results,
        data_last=last,
        data_about=about,
    )


def _about(spec: SeriesSpec, inputs: Inputs, store: DataStore) -> str:
    """What a series is, from the manifest's descriptions of its files ("" when unknown)."""
    if spec.alias not in inputs.series or spec.ratio is not None or spec.breadth is not None:
        return ""
    names = spec.splice or (spec.name,)
    said = []
    for n in names:
        try:
            path, _ = store.resolve(str(n), cwd=False, folder=spec.folder)
        except (DataError, OSError, ValueError):
            return ""
        said.append(store.manifest_entry(path).get("description", "") or str(n))
    return ", then ".join(said) + (", spliced" if spec.splice else "")


def check_study_facts(config: Any, store: DataStore) -> FactTable | None:
    """The ``[[facts]]`` of a study of any kind checked against its ``[data]`` (``None``
    when it has none)."""
    facts = getattr(config, "facts", ())
    if not facts:
        return None
    return check_facts(facts, config.data, store, title=config.title)


def check_note(
    note: NoteConfig | str | os.PathLike[str],
    *,
    store: DataStore | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> FactTable:
    """Check every fact of a note.

    Parameters
    ----------
    note
        A parsed note or the path of a note file.
    store, data_dir
        Where the data comes from (default :meth:`DataStore.from_settings`).

    Returns
    -------
    FactTable
        One verdict per fact, in the note's order.

    A series that ends before the last date a fact reads, with a trading day missing in
    between, makes that fact "not checkable" (the series and its last date named).
    """
    cfg = note if isinstance(note, NoteConfig) else load_note(note)
    store = store or DataStore.from_settings(data_dir)
    return check_facts(
        cfg.facts, cfg.data, store, title=cfg.title, source=cfg.source, as_of=cfg.as_of
    )
