"""Named registries of swappable parts (signals, normal-return models), open to plugins.

A :class:`Registry` maps config names to objects.  The package registers its built-ins; users
add their own with :meth:`Registry.register` in Python, or ship them in a package that declares
a Python entry point in the registry's group, so that a TOML study run by the command line can
name them::

    # pyproject.toml of a plugin package
    [project.entry-points."eventstudy.signals"]
    my_signal = "my_package.signals:MySignal"

Entry points are read once, the first time a name is looked up that is not registered (or when
the names are listed), and never at import.  The environment variable ``EVENTSTUDY_PLUGINS``
(:data:`PLUGINS_ENV_VAR`), read at that moment, limits which installed distributions' entry
points are read: unset, all of them; ``none`` (or empty), none; otherwise a comma-separated list
of distribution names (``EVENTSTUDY_PLUGINS=my-signals``).  The built-ins and what is registered
in Python are never left out.  The package's own test suite runs with ``none``, so that plugins
installed beside it cannot change what it sees.  See ``docs/extending.md``.

The registry of hypothesis tests, :data:`TESTS`, lives here too, because both study designs,
the config parsers and the reports read it.  A test is a small object behind the
:class:`EventTest` protocol (an instance of a frozen dataclass): a name, the design it belongs
to, the inputs it needs, its null hypothesis and literature reference, and a ``run`` method.

Every registered name (a signal type's, a model's, a test's) is lower-case words of letters and
digits joined by single underscores, starting with a letter (:data:`NAME_PATTERN`,
``^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$``: ``move``, ``car_t``, ``carhart4``); :meth:`Registry.register`
refuses any other.  Test names follow one scheme more, no ``_test`` suffix:

* time-series tests (``design = "timeseries"``) are named after the statistic: ``hac``,
  ``naive_t``, ``bootstrap``, ``placebo``, ``sign``, ``wilcoxon``;
* cross-section tests (``design = "cross_section"``) on each event day's abnormal returns are
  prefixed ``ar_`` (``ar_t``, ``ar_patell``, ``ar_wilcoxon``), those on cumulative abnormal
  returns over a window ``car_`` (``car_t``, ``car_patell``, ``car_wilcoxon``).

Plugins declare tests in the entry-point group ``eventstudy.tests``; in Python,
:func:`register_test`.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import re
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

import numpy as np
import pandas as pd

from eventstudy._warnings import find_stack_level
from eventstudy.exceptions import EventStudyWarning, PluginError

__all__ = [
    "DESIGNS",
    "HORIZON_INPUTS",
    "NAME_PATTERN",
    "PLUGINS_ENV_VAR",
    "TESTS",
    "EventTest",
    "HorizonInputs",
    "Registry",
    "check_frozen_dataclass",
    "register_test",
    "stream_for",
    "tests_for",
    "tests_markdown",
]

T = TypeVar("T")

NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
"""What a registered name is (matched whole): lower-case words of letters and digits joined by
single underscores, starting with a letter (``move``, ``car_t``, ``carhart4``)."""


def check_frozen_dataclass(cls: type, what: str) -> None:
    """Raise ``TypeError`` unless ``cls`` is a frozen dataclass.

    Parameters
    ----------
    cls
        The class of a part to register (a signal class; the class of a test or a model).
    what
        The part, for the message (``"signal type 'spike'"``).

    Raises
    ------
    TypeError
        ``cls`` is not a dataclass, or one that is not frozen; the message says how to
        declare it.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if dataclasses.is_dataclass(cls) and params is not None and params.frozen:
        return
    state = "a dataclass that is not frozen" if dataclasses.is_dataclass(cls) else "not a dataclass"
    raise TypeError(
        f"{what} ({cls.__module__}.{cls.__qualname__}) must be a frozen dataclass, and is "
        f"{state}: declare it with @dataclass(frozen=True) (slots=True welcome). Its fields "
        "are its settings, which must not change once registered, so that a result can be "
        "reproduced from them"
    )


PLUGINS_ENV_VAR = "EVENTSTUDY_PLUGINS"
"""Environment variable naming the distributions whose entry points the registries read:
unset, every installed one; ``none`` or empty, none; else a comma-separated list of
distribution names, compared as pip does (case, ``-``, ``_`` and ``.`` alike)."""


def _distribution_key(name: str) -> str:
    """A distribution name normalized as in PEP 503 (``My_Plugin`` -> ``my-plugin``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _allowed_distributions() -> frozenset[str] | None:
    """The normalized distribution names that ``EVENTSTUDY_PLUGINS`` allows, ``None``
    when it is unset (every distribution)."""
    value = os.environ.get(PLUGINS_ENV_VAR)
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if [n.lower() for n in names] == ["none"]:
        return frozenset()
    return frozenset(_distribution_key(n) for n in names)


class Registry(Mapping[str, T]):
    """Config name -> object (a read-only mapping), with plugins from the entry-point group
    ``group``.

    Parameters
    ----------
    kind
        What is registered, for messages (``"signal type"``, ``"model"``).
    group
        Entry-point group of plugins (``"eventstudy.signals"``).
    check
        Called on every object before it is registered; raises ``TypeError`` for an object
        that does not implement the interface.
    builtins
        Modules of the package that register built-ins when imported; imported (like the
        plugins, and before them) the first time a name is missing or the names are listed.
    name_attr
        The attribute that holds an object's own name (``"name"``; ``"kind"`` for signal
        classes), which results and reports print.  A plugin whose entry point has another
        name is refused: a study would name it one way and its results print the other.

    Notes
    -----
    A plugin that cannot be imported, fails ``check`` or is refused is left out with an
    :class:`~eventstudy.exceptions.EventStudyWarning` naming it; the other plugins and the
    built-ins still load, and looking its name up raises the reason (``ImportError`` when it
    cannot be imported, :class:`~eventstudy.exceptions.PluginError` when it is refused).
    """

    def __init__(
        self,
        kind: str,
        group: str,
        *,
        check: Callable[[Any], None] | None = None,
        builtins: tuple[str, ...] = (),
        name_attr: str | None = None,
    ) -> None:
        self.kind = kind
        self.group = group
        self._check = check
        self._builtins = builtins
        self._name_attr = name_attr
        self._items: dict[str, T] = {}
        self._plugins_loaded = False
        self._builtins_loaded = False
        # plugin name -> the error to raise when it is looked up (why it was left out)
        self._failed: dict[str, tuple[type[Exception], str]] = {}
        # plugin name -> (its distribution, $EVENTSTUDY_PLUGINS) when that setting left it out,
        # for the message of an unknown name
        self._left_out: dict[str, tuple[str, str]] = {}

    def register(self, name: str, obj: T, *, replace: bool = False) -> T:
        """Register ``obj`` under ``name`` and return it.

        Raises
        ------
        ValueError
            ``name`` is already taken by another object (pass ``replace=True`` to override),
            is not a non-empty string or is not of the naming scheme (:data:`NAME_PATTERN`).
        TypeError
            ``obj`` does not implement the interface.
        """
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{self.kind} name must be a non-empty string, got {name!r}")
        if not NAME_PATTERN.fullmatch(name):
            near = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
            raise ValueError(
                f"{self.kind} name {name!r} is not of the naming scheme: lower-case words of "
                "letters and digits joined by single underscores, starting with a letter, like "
                "'car_t' (docs/extending.md)"
                + (f"; {near!r} would do" if NAME_PATTERN.fullmatch(near) else "")
            )
        if self._check is not None:
            self._check(obj)
        module = obj.__module__ if isinstance(obj, type) else type(obj).__module__
        if not module.startswith("eventstudy."):  # the user's: meet the built-ins first, so a
            self._load_builtins()  # clash is this call's error, not a broken import later
        current = self._items.get(name)
        if current is not None and current is not obj and not replace:
            raise ValueError(
                f"{self.kind} {name!r} is already registered ({current!r}); "
                "pass replace=True to override it"
            )
        self._items[name] = obj
        return obj

    def unregister(self, name: str) -> None:
        """Remove ``name`` (a no-op when absent); for tests and interactive sessions."""
        self._items.pop(name, None)

    def _load_builtins(self) -> None:
        if self._builtins_loaded:
            return
        self._builtins_loaded = True
        for module in self._builtins:
            importlib.import_module(module)

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        self._load_builtins()
        allowed = _allowed_distributions()
        for ep in metadata.entry_points(group=self.group):
            if allowed is not None:
                dist = getattr(ep, "dist", None)
                dist_name = dist.name if dist is not None else ""
                if _distribution_key(dist_name) not in allowed:
                    setting = os.environ.get(PLUGINS_ENV_VAR, "")
                    self._left_out[ep.name] = (dist_name or "?", setting)
                    continue
            if ep.name in self._items:  # a built-in or an explicit registration wins ...
                held = self._items[ep.name]
                cls = held if isinstance(held, type) else type(held)
                if cls.__module__ != ep.value.split(":")[0]:  # ... and says so, unless it is
                    warnings.warn(  # this very plugin, registered in code as well
                        f"{self.kind} plugin {ep.name!r} ({ep.value}) from entry-point group "
                        f"{self.group!r} is left out: the name is taken (by "
                        f"{cls.__module__}.{cls.__qualname__})",
                        EventStudyWarning,
                        stacklevel=find_stack_level(),
                    )
                continue
            # a broken plugin must say which one, and only break the studies that name it:
            # the others' plugins and the built-ins still load
            where = (
                f"{self.kind} plugin {ep.name!r} ({ep.value}) from entry-point group {self.group!r}"
            )
            try:
                obj = ep.load()
            except Exception as exc:
                self._leave_out(
                    ep.name, ImportError, f"cannot load {where}: {type(exc).__name__}: {exc}"
                )
                continue
            try:
                self._check_plugin(ep, obj)
                self.register(ep.name, obj)
            except Exception as exc:  # the interface's check, the names (or a check that
                # broke on a strange object): its own error, named
                if not isinstance(exc, TypeError | ValueError | PluginError):
                    exc = PluginError(f"{type(exc).__name__}: {exc}")
                self._leave_out(ep.name, PluginError, f"{where} is refused: {exc}")

    def _leave_out(self, name: str, error: type[Exception], why: str) -> None:
        """Leave the plugin ``name`` out: warn now, raise ``error(why)`` when it is named."""
        self._failed[name] = (error, why)
        warnings.warn(f"{why}; left out", EventStudyWarning, stacklevel=find_stack_level())

    def _check_plugin(self, ep: metadata.EntryPoint, obj: object) -> None:
        """Check the interface of a plugin's object, and that its entry point is named as the
        object names itself.

        Raises
        ------
        TypeError
            From ``check``: ``obj`` does not implement the interface.
        PluginError
            The entry point's name differs from the object's own (``name_attr``).
        """
        if self._check is not None:
            self._check(obj)
        if self._name_attr is None:
            return
        own = getattr(obj, self._name_attr, None)
        if own != ep.name:
            raise PluginError(
                f"the entry point is named {ep.name!r} but the {self.kind} names itself "
                f"{own!r} (its {self._name_attr!r}): a study would name it {ep.name!r} while "
                f"its results print {own!r}. Name the entry point {own!r} in the plugin's "
                f'pyproject.toml ([project.entry-points."{self.group}"] {own} = "{ep.value}") '
                "and reinstall the plugin"
            )

    def __getitem__(self, name: str) -> T:
        """The object registered as ``name`` (``registry[name]``; ``registry.get(name)`` gives
        ``None`` instead of raising).

        Raises
        ------
        KeyError
            Unknown name; the message lists the valid names.
        """
        if name not in self._items:
            self._load_plugins()
        if isinstance(name, str) and name in self._failed:
            error, why = self._failed[name]
            raise error(why)
        try:
            return self._items[name]
        except (KeyError, TypeError):
            failed = (
                f" (plugins that failed to load: {sorted(self._failed)})" if self._failed else ""
            )
            if isinstance(name, str) and name in self._left_out:
                dist, setting = self._left_out[name]
                failed += (
                    f" (an installed plugin of distribution {dist!r} declares it, but "
                    f"{PLUGINS_ENV_VAR}={setting!r} leaves that distribution out)"
                )
            raise KeyError(
                f"unknown {self.kind} {name!r}; valid names: {self.names()}{failed}"
            ) from None

    def why_missing(self, name: object) -> str:
        """Why ``name`` is not registered when an installed plugin declares it (the plugin
        failed to load or was refused, or ``EVENTSTUDY_PLUGINS`` leaves its distribution
        out), as a parenthesis to append to an "unknown name" message; ``""`` otherwise.

        A study's error then says why its plugin is missing, not only that the name is
        unknown (the reason was in a warning printed before it)."""
        if not isinstance(name, str) or name in self._items:
            return ""
        self._load_plugins()
        if name in self._failed:
            return f" (an installed plugin declares it but was left out: {self._failed[name][1]})"
        if name in self._left_out:
            dist, setting = self._left_out[name]
            return (
                f" (an installed plugin of distribution {dist!r} declares it, but "
                f"{PLUGINS_ENV_VAR}={setting!r} leaves that distribution out)"
            )
        return ""

    def names(self) -> list[str]:
        """Every registered name (plugins included), sorted."""
        self._load_plugins()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str) and name not in self._items:
            self._load_plugins()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, group={self.group!r}, names={sorted(self._items)})"


Design = Literal["timeseries", "cross_section"]
DESIGNS: tuple[str, ...] = ("timeseries", "cross_section")
SCOPES: Mapping[str, tuple[str, ...]] = {
    "timeseries": ("horizon",),
    "cross_section": ("day", "window"),
}


@runtime_checkable
class EventTest(Protocol):
    """What a registered test provides.

    Attributes
    ----------
    name
        Registry name (see the module docstring for the naming scheme).
    design
        ``"timeseries"`` or ``"cross_section"``.
    scope
        What one run covers: ``"horizon"`` (one target x horizon of a time-series study),
        ``"day"`` (every event-window day of a cross-section) or ``"window"`` (one CAR window).
    needs
        Names of the inputs the test reads.  Time-series tests: fields of
        :class:`HorizonInputs` (:data:`HORIZON_INPUTS`); a test that needs ``"rng"`` gets its own
        random stream (:func:`stream_for`).  Cross-section tests: ``"panel"`` and, for ranks
        and signs, ``"full_sample"`` (estimation and event windows together).
    null_hypothesis
        The null in words.
    reference
        Literature reference.
    summary
        One sentence for reports and docs: what the test does and when to trust it.

    ``run(inputs)`` returns a :class:`~eventstudy.results.TestResult` for ``"horizon"`` and
    ``"window"`` scopes, and one per event-window day (a tuple, in day order) for ``"day"``.
    """

    @property
    def name(self) -> str: ...
    @property
    def design(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def needs(self) -> frozenset[str]: ...
    @property
    def null_hypothesis(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def summary(self) -> str: ...

    def run(self, inputs: Any, /) -> Any: ...


@dataclass(frozen=True, slots=True)
class HorizonInputs:
    """Everything a time-series test may read for one target x horizon.

    Attributes
    ----------
    forward_returns
        Forward returns of the horizon on every date, shape ``(T,)``; NaN = incomplete.
    events
        Sorted unique integer positions of the events into ``forward_returns``.
    horizon
        Horizon h in trading days.
    min_gap
        Declustering gap of the events.
    dates
        The dates of ``forward_returns`` (``None`` when not known).
    draws, bootstrap_reps, stratify, hac_lags
        Options of the built-in placebo, bootstrap and HAC tests.
    progress
        ``callable(done, total)`` for long-running tests.
    rng
        The test's own random stream (set by the runner for tests that need ``"rng"``).
    shared
        A :class:`~eventstudy.inference.shared.SharedWork` memo of work that repeats across
        the specifications of a sweep (``None`` outside one).  A test may use it for values
        that are a deterministic function of their key.
    daily_returns
        One-day moves of the target, shape ``(T + h,)``: entry ``s`` from the close of date
        ``s - 1`` to the close of date ``s``, the last h past the forward returns' dates
        (``None`` when the caller has none; the Hodrick test then does not apply).
    sample
        ``forward_returns`` and ``events`` split into complete dates and complete events
        (an :class:`~eventstudy.inference.EventSample`, set by the runner), which the
        built-in tests read instead of splitting them again each.
    """

    forward_returns: Any
    events: Any
    horizon: int
    min_gap: int = 1
    dates: pd.DatetimeIndex | None = None
    draws: int = 10_000
    bootstrap_reps: int = 2000
    stratify: str | None = None
    hac_lags: int | None = None
    progress: Any = None
    rng: np.random.Generator | None = field(default=None, compare=False)
    shared: Any = field(default=None, compare=False)
    daily_returns: Any = field(default=None, compare=False)
    sample: Any = field(default=None, compare=False)


HORIZON_INPUTS: frozenset[str] = frozenset(f.name for f in dataclasses.fields(HorizonInputs))
CROSS_SECTION_INPUTS: frozenset[str] = frozenset({"panel", "full_sample"})
_INPUTS = {"timeseries": HORIZON_INPUTS, "cross_section": CROSS_SECTION_INPUTS}


def _check_test(obj: object) -> None:
    missing = [
        a
        for a in ("name", "design", "scope", "needs", "null_hypothesis", "reference", "summary")
        if not hasattr(obj, a)
    ]
    if missing or not callable(getattr(obj, "run", None)):
        raise TypeError(
            f"a test must implement eventstudy.inference.EventTest (name, design, scope, needs, "
            f"null_hypothesis, reference, summary, run); {obj!r} lacks "
            f"{missing or ['run()']}"
        )
    test: Any = obj
    if isinstance(obj, type):
        raise TypeError(
            f"a test is registered as an instance, e.g. {obj.__name__}(), not the class {obj!r}"
        )
    check_frozen_dataclass(type(obj), f"test {test.name!r}")
    try:
        hash(obj)
    except TypeError as exc:
        raise TypeError(
            f"test {test.name!r} ({type(obj).__module__}.{type(obj).__qualname__}) must be "
            f"hashable, and hash() raised TypeError: {exc}: give it fields of hashable types "
            "(a frozenset, not a set; a tuple, not a list)"
        ) from None
    if test.design not in DESIGNS:
        raise TypeError(f"test {test.name!r}: design must be one of {DESIGNS}, got {test.design!r}")
    if test.scope not in SCOPES[test.design]:
        raise TypeError(
            f"test {test.name!r}: scope of a {test.design} test must be one of "
            f"{SCOPES[test.design]}, got {test.scope!r}"
        )
    unknown = sorted(set(test.needs) - _INPUTS[test.design])
    if unknown:
        raise TypeError(
            f"test {test.name!r} needs unknown inputs {unknown}; a {test.design} test can read "
            f"{sorted(_INPUTS[test.design])}"
        )


TESTS: Registry[EventTest] = Registry(
    "test",
    "eventstudy.tests",
    check=_check_test,
    builtins=("eventstudy.inference.run", "eventstudy.crosssection.battery"),
    name_attr="name",
)
"""Test name -> :class:`EventTest`, both designs; plugins from the ``eventstudy.tests`` group.

The time-series tests are registered by :mod:`eventstudy.inference.run`, the cross-section
battery by :mod:`eventstudy.crosssection.battery`; both are imported the first time a missing
name is looked up or the names are listed.
"""


def overlap_robust(name: str) -> bool:
    """Whether the registered test ``name`` accounts for overlapping horizons and clustered
    events: its ``overlap_robust`` attribute, ``False`` for a test of one's own that does not
    say (the report then does not claim it)."""
    return bool(getattr(TESTS[name], "overlap_robust", False))


def register_test(test: EventTest, *, replace: bool = False) -> EventTest:
    """Register ``test`` under ``test.name`` and return it.

    Raises
    ------
    TypeError
        ``test`` does not implement :class:`EventTest` (attribute missing, unknown design or
        scope, an input it needs that its design does not provide), or is not a hashable
        instance of a frozen dataclass.
    ValueError
        Another test is registered under that name (pass ``replace=True`` to override), or
        the name is not of the naming scheme (:data:`NAME_PATTERN`).

    Examples
    --------
    >>> import numpy as np
    >>> from dataclasses import dataclass
    >>> from eventstudy.results import TestResult
    >>> @dataclass(frozen=True)
    ... class MedianTest:
    ...     name: str = "median_excess"
    ...     design: str = "timeseries"
    ...     scope: str = "horizon"
    ...     needs: frozenset = frozenset({"forward_returns", "events"})
    ...     null_hypothesis: str = "median event return equals the median of all dates"
    ...     reference: str = "illustration only"
    ...     summary: str = "Difference of medians; no p-value."
    ...
    ...     def run(self, x):
    ...         fwd = np.asarray(x.forward_returns, dtype=float)
    ...         ev = fwd[np.asarray(x.events)]
    ...         d = float(np.nanmedian(ev) - np.nanmedian(fwd))
    ...         return TestResult(self.name, d, float("nan"), self.null_hypothesis, "", "")
    >>> test = register_test(MedianTest())
    >>> TESTS["median_excess"].design
    'timeseries'
    >>> TESTS.unregister("median_excess")
    """
    return TESTS.register(test.name, test, replace=replace)


def tests_for(design: str, scope: str | None = None) -> dict[str, EventTest]:
    """Registered tests of one design (and scope), plugins included, in registration order
    (built-ins first, in the order the package defines them)."""
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, got {design!r}")
    TESTS.names()  # loads plugins
    return {
        name: t
        for name, t in TESTS._items.items()
        if t.design == design and (scope is None or t.scope == scope)
    }


tests_for.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def stream_for(rng: np.random.Generator, name: str) -> np.random.Generator:
    """The random stream of a plugin test ``name`` under the run's generator ``rng``.

    The child of ``rng``'s seed sequence keyed by ``2**32 +`` the CRC-32 of the name, so that
    adding, removing or reordering tests never changes another test's numbers (the built-in
    bootstrap and placebo tests keep the first two children from ``Generator.spawn``).
    """
    seq = rng.bit_generator.seed_seq
    if not isinstance(seq, np.random.SeedSequence):  # pragma: no cover - numpy always sets one
        raise TypeError("the generator has no SeedSequence to spawn from")
    child = np.random.SeedSequence(
        entropy=seq.entropy,
        spawn_key=(*seq.spawn_key, 2**32 + zlib.crc32(name.encode())),
        pool_size=seq.pool_size,
    )
    return np.random.Generator(type(rng.bit_generator)(child))


def tests_markdown() -> str:
    """A Markdown table of every registered test (plugins included), by design and scope.

    ``docs/tests.md`` is this table (``tests/test_docs_tests.py`` keeps it so); print it in a
    session with plugins installed to see what a study can name.
    """
    lines = []
    for design in DESIGNS:
        for scope in SCOPES[design]:
            tests = tests_for(design, scope)
            if not tests:
                continue
            lines += [
                f"### {design.replace('_', '-')} tests, one per {scope}",
                "",
                "| name | null hypothesis | what it does | reference |",
                "|---|---|---|---|",
            ]
            lines += [
                f"| `{name}` | {t.null_hypothesis} | {t.summary} | {t.reference} |"
                for name, t in tests.items()
            ]
            lines.append("")
    return "\n".join(lines)


tests_markdown.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
