"""The entry points: parse a study of either kind, run it, write its outputs."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventstudy._validation import check_int
from eventstudy.config import StudyConfig, parse_header, read_toml
from eventstudy.config._reader import Section
from eventstudy.crosssection import spec as cs_spec
from eventstudy.data import DataStore
from eventstudy.exceptions import ConfigError
from eventstudy.report.output import write_outputs
from eventstudy.timeseries import spec as ts_spec

if TYPE_CHECKING:
    from eventstudy.crosssection.results import CrossSectionStudyResult
    from eventstudy.timeseries.results import StudyResult
    from eventstudy.timeseries.sweep_results import SweepResult

__all__ = ["load_study", "parse_study", "run_study", "sweep", "write_outputs"]

_PARSERS: dict[
    str, Callable[..., ts_spec.TimeSeriesStudyConfig | cs_spec.CrossSectionStudyConfig]
] = {"time_series": ts_spec.parse_time_series, "cross_section": cs_spec.parse_cross_section}


def parse_study(
    raw: bytes | str, *, source: str = "<string>"
) -> ts_spec.TimeSeriesStudyConfig | cs_spec.CrossSectionStudyConfig:
    """Parse and validate study TOML text of either kind.

    Parameters
    ----------
    raw
        The TOML bytes or text.
    source
        Names the study in every message (the file path when read from a file).

    Returns
    -------
    TimeSeriesStudyConfig or CrossSectionStudyConfig
        Frozen; chosen by ``[study] kind`` (default ``"time_series"``).

    Raises
    ------
    ConfigError
        Invalid TOML, unknown or missing keys, wrong types or values; the message names the
        file and the key.
    """
    if not isinstance(raw, bytes | str):
        hint = (
            " (a file: use load_study(path) or run_study(path))"
            if isinstance(raw, os.PathLike)
            else ""
        )
        raise TypeError(f"parse_study takes TOML text or bytes, got {type(raw).__name__}{hint}")
    doc, sha = read_toml(raw, source)
    sections = dict.fromkeys(("study", "data", *ts_spec.SECTIONS, *cs_spec.SECTIONS))
    Section(doc, f"{source}: top level", tuple(sections))
    common = parse_header(doc, source, sha)
    return _PARSERS[common["kind"]](doc, source, common)


def load_study(
    path: str | os.PathLike[str],
) -> ts_spec.TimeSeriesStudyConfig | cs_spec.CrossSectionStudyConfig:
    """Read and validate a study TOML file (see :func:`parse_study`)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read study file {p}: {exc.strerror}") from exc
    return parse_study(raw, source=str(p))


Progress = Callable[[str, int, int], object]


def check_series_names(config: StudyConfig, store: DataStore) -> None:
    """Refuse a series name the data directory does not hold before any work, naming the
    study file, the ``[data.series]`` alias and key (or ``[backtest] cash``) and the names
    closest to it.

    A splice's earlier source that ``--fetch`` could not get (``store.unavailable``) is
    left out: the splice runs without it, and the cash then earns zero, as the report says.

    Raises
    ------
    ConfigError
        The first name not found.
    """
    import difflib

    from eventstudy.exceptions import DataFileNotFoundError

    folder = config.data.series[0].folder  # the study file's folder
    wanted: list[tuple[str, str]] = []
    for sp in config.data.series:
        if sp.splice is not None:
            early = sp.splice[0].split("[")[0]
            parts = sp.splice[1:] if early in store.unavailable else sp.splice
            wanted += [(f"[data.series.{sp.alias}] key 'splice'", name) for name in parts]
        elif sp.name is not None:
            wanted.append((f"[data.series] key {sp.alias!r}", sp.name))
    backtest = getattr(config, "backtest", None)
    if (
        backtest is not None
        and backtest.cash != "zero"
        and backtest.cash.split("[")[0] not in store.unavailable
    ):
        wanted.append(("[backtest] key 'cash'", backtest.cash))
    for where, name in wanted:
        try:
            store.resolve(name, cwd=False, folder=folder)
        except DataFileNotFoundError:
            pass
        else:
            continue
        names = store.available()
        lower = {n.lower().replace("^", ""): n for n in names}
        close = difflib.get_close_matches(name.lower().replace("^", ""), list(lower), n=3)
        if not names:
            raise ConfigError(
                f"{config.path}: {where}: no data named {name!r}: the data directory "
                f"{store.root} holds no data files; point --data-dir or $EVENTSTUDY_DATA at a "
                "data snapshot (see data/README.md)"
            )
        hint = (
            f"did you mean {' or '.join(repr(lower[c]) for c in close)}?"
            if close
            else "names look like 'yahoo:RUT' or 'fred:DGS10', or give a file path"
        )
        raise ConfigError(
            f"{config.path}: {where}: no data named {name!r} in {store.root} ({len(names)} "
            f"series; 'eventstudy data list' shows them); {hint}"
        )


def run_study(
    study: StudyConfig | str | os.PathLike[str],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    seed: int | None = None,
    store: DataStore | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    executor: str = "process",
    scheduler: str | None = None,
    path_bands: bool = True,
) -> StudyResult | SweepResult | CrossSectionStudyResult:
    """Run a study of either kind from its TOML file or parsed config.

    Parameters
    ----------
    study
        The path of a study TOML file or a :class:`~eventstudy.config.StudyConfig`
        (``kind = "time_series"``, the default, or ``"cross_section"``).
    data_dir
        The data directory (default: ``$EVENTSTUDY_DATA``, else the project's ``data/``).
    seed
        Overrides the study's seed (placebo draws and bootstrap; time series only).
    store
        A :class:`~eventstudy.data.DataStore` to read from instead of ``data_dir``.
    progress
        Called as ``progress(label, done, total)`` during long steps (time series).
    workers, executor, scheduler
        Where a ``[sweep]`` runs (see :func:`eventstudy.timeseries.sweep.run_sweep`;
        ``executor="dask"`` and a ``scheduler`` are for a sweep only, an error otherwise); for a
        time-series study without one, ``workers`` (1 or 2) is how many processes compute its
        variants (see :func:`eventstudy.timeseries.study.run_timeseries_study`); for a
        cross-section study, how many threads fit and rank its events (see
        :func:`eventstudy.crosssection.run_cross_section`).  The numbers never depend on them.
    path_bands
        Time series: compute the random-date placebo band of each average path, which only
        the path figure draws (``False`` when no figures are written; no other number moves).

    Returns
    -------
    StudyResult, SweepResult or CrossSectionStudyResult
        Frozen; the same config, data and seed give the same numbers.  A time-series study
        with a ``[sweep]`` table gives a :class:`~eventstudy.timeseries.SweepResult`.
        :func:`write_outputs` writes either kind.

    Raises
    ------
    ConfigError
        An invalid study (the message names the file and key).
    DataError
        Invalid or insufficient data.

    Examples
    --------
    A study is a TOML file (``studies/*.toml``; reference in ``docs/study-config.md``).  Here
    ``example_study`` asks whether a five-day gain above 4 % in a synthetic series ``A`` (which
    jumps +5 % on three known days) predicts its next month, and ``example_data_dir`` holds the data
    (see ``eventstudy/conftest.py``); with the real snapshot it would be
    ``es.run_study("studies/russell_sp_divergence.toml")``.

    >>> import eventstudy as es
    >>> result = es.run_study(example_study, data_dir=example_data_dir)
    >>> print(result.summary().splitlines()[1])
    Variant base: 5-day simple return of a above 0.04; 3 events (15 trigger days, min_gap 21)
    >>> result.events_frame()["date"].dt.strftime("%Y-%m-%d").tolist()
    ['2010-05-24', '2010-12-20', '2011-07-18']
    >>> row = result.to_frame().iloc[0]
    >>> print(row["variant"], row["target"], row["horizon"], row["horizon_days"], row["n"], row["n_episodes"])
    base a 1m 21 3 3

    Each jump keeps the five-day return above 4 % for five days (15 trigger days); ``min_gap =
    21`` keeps the first day of each burst.
    """
    if not isinstance(study, StudyConfig | str | os.PathLike):
        raise TypeError(
            "run_study takes the path of a study TOML file or a parsed config "
            f"(es.parse_study(text)), got {type(study).__name__}"
        )
    if executor not in ("process", "dask"):
        raise ValueError(f"executor must be 'process' or 'dask', got {executor!r}")
    if scheduler is not None and executor != "dask":
        raise ValueError(f"scheduler={scheduler!r} needs executor='dask' (got {executor!r})")
    if seed is not None:  # a study's seed is a recorded integer (result.json), not a generator
        seed = check_int("seed", seed, minimum=0)
    config = study if isinstance(study, StudyConfig) else load_study(study)
    if executor == "dask" and getattr(config, "sweep", None) is None:
        raise ConfigError(
            f"{config.path}: executor='dask' runs the specifications of a [sweep] on a "
            "cluster, and this study has no [sweep]: run it without --executor/--scheduler "
            "(it runs here, on --workers processes or threads)"
        )
    store = store or DataStore.from_settings(data_dir)
    check_series_names(config, store)
    if isinstance(config, cs_spec.CrossSectionStudyConfig):
        from eventstudy.crosssection.study import run_cross_section_study

        if seed is not None:
            raise ConfigError(
                f"{config.path}: a cross-section study draws nothing at random (no seed)"
            )
        return run_cross_section_study(config, store=store, workers=workers)
    if isinstance(config, ts_spec.TimeSeriesStudyConfig):
        if config.sweep is not None:
            from eventstudy.timeseries.sweep import run_sweep

            return run_sweep(
                config,
                store=store,
                seed=seed,
                progress=progress,
                workers=workers,
                executor=executor,
                scheduler=scheduler,
            )
        from eventstudy.timeseries.study import run_timeseries_study

        return run_timeseries_study(
            config,
            store=store,
            seed=seed,
            progress=progress,
            path_bands=path_bands,
            workers=workers,
        )
    raise TypeError(
        f"study must be a path or a config from eventstudy.parse_study, got {type(config).__name__}"
    )


def sweep(
    study: StudyConfig | str | os.PathLike[str],
    *,
    grid: Mapping[str, Sequence[Any]] | None = None,
    choices: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    specifications: Sequence[Mapping[str, Any]] | None = None,
    tests: Sequence[str] | None = None,
    on_invalid: str = "error",
    data_dir: str | os.PathLike[str] | None = None,
    seed: int | None = None,
    store: DataStore | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    executor: str = "process",
    scheduler: str | None = None,
) -> SweepResult:
    """Run a time-series study over a sweep of its conventions.

    With no ``grid``, ``choices`` or ``specifications`` the study's own ``[sweep]`` table is
    run; otherwise they replace it, with the meaning of the TOML keys of the same names
    (see :mod:`eventstudy.timeseries.sweep_spec` and ``docs/sweeps.md``).

    Parameters
    ----------
    study
        A time-series study (path or parsed config).
    grid
        Parameter path -> values, e.g. ``{"signal.k": [2.5, 3.0], "events.min_gap": [1, 21]}``.
    choices
        Dimension name -> choice name -> {parameter path: value}.
    specifications
        Explicit specifications, each ``{"name": ..., "set": {path: value}}``.
    tests
        Tests run per specification; the first gives each specification's verdict (default:
        the study's ``default_test`` and ``hac``, whose standard error gives the intervals).
    on_invalid
        ``"error"`` or ``"skip"`` (drop and count invalid combinations).
    data_dir, seed, store, progress, workers, executor, scheduler
        As in :func:`run_study`.

    Returns
    -------
    SweepResult

    Raises
    ------
    ConfigError
        Not a time-series study, no sweep given, or an invalid specification (named).

    Examples
    --------
    >>> import eventstudy as es
    >>> res = es.sweep(example_study, grid={"signal.level": [0.03, 0.04]},
    ...                data_dir=example_data_dir)
    >>> res.to_frame()[["specification", "n_events", "n"]].values.tolist()
    [['level=0.03', 3, 3], ['level=0.04', 3, 3]]
    """
    from dataclasses import replace

    from eventstudy.timeseries.sweep_results import SweepResult
    from eventstudy.timeseries.sweep_spec import parse_sweep

    config = study if isinstance(study, StudyConfig) else load_study(study)
    if not isinstance(config, ts_spec.TimeSeriesStudyConfig):
        raise ConfigError(f"{config.path}: only a time-series study can be swept")
    if grid is not None or choices is not None or specifications is not None:
        if len(config.variants) > 1:
            raise ConfigError(f"{config.path}: a study with [[variants]] cannot be swept")
        table: dict[str, Any] = {"on_invalid": on_invalid}
        if grid is not None:
            table["grid"] = dict(grid)
        if choices is not None:
            table["choices"] = {k: dict(v) for k, v in choices.items()}
        if specifications is not None:
            table["specifications"] = list(specifications)
        if tests is not None:
            table["tests"] = list(tests)
        spec = parse_sweep(
            {"sweep": table},
            f"{config.path} (es.sweep)",
            config.variants[0].signal,
            config.events,
            config.evaluation.return_kind,
            config.inference.default_test,
        )
        config = replace(config, sweep=spec)
        bt = config.backtest
        if bt is not None and bt.select is not None and spec is not None:
            names = [sp.name for sp in spec.specifications]
            if bt.select not in names:
                raise ConfigError(
                    f"{config.path}: [backtest] select {bt.select!r} is not a specification of "
                    f"this sweep, e.g. {names[0]!r}"
                )
    elif config.sweep is None:
        raise ConfigError(
            f"{config.path}: no [sweep] table; pass grid=, choices= or specifications="
        )
    result = run_study(
        config,
        data_dir=data_dir,
        seed=seed,
        store=store,
        progress=progress,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
    )
    assert isinstance(result, SweepResult)  # config.sweep is set: run_study ran the sweep
    return result
