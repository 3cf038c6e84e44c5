"""Named registries of swappable parts (signals, normal-return models), open to plugins.

A :class:`Registry` maps config names to objects.  The package registers its built-ins; users
add their own with :meth:`Registry.register` in Python, or ship them in a package that declares
a Python entry point in the registry's group, so that a TOML study run by the command line can
name them::

    # pyproject.toml of a plugin package
    [project.entry-points."eventstudy.signals"]
    my_signal = "my_package.signals:MySignal"

Entry points are read once, the first time a name is looked up that is not registered (or when
the names are listed), and never at import.  See ``docs/extending.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from importlib import metadata
from typing import Any, TypeVar

__all__ = ["Registry"]

T = TypeVar("T")


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
    """

    def __init__(
        self, kind: str, group: str, *, check: Callable[[Any], None] | None = None
    ) -> None:
        self.kind = kind
        self.group = group
        self._check = check
        self._items: dict[str, T] = {}
        self._plugins_loaded = False

    def register(self, name: str, obj: T, *, replace: bool = False) -> T:
        """Register ``obj`` under ``name`` and return it.

        Raises
        ------
        ValueError
            ``name`` is already taken by another object (pass ``replace=True`` to override)
            or is not a non-empty string.
        TypeError
            ``obj`` does not implement the interface.
        """
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{self.kind} name must be a non-empty string, got {name!r}")
        if self._check is not None:
            self._check(obj)
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

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for ep in metadata.entry_points(group=self.group):
            if ep.name in self._items:
                continue  # a built-in or an explicit registration wins
            try:
                obj = ep.load()
            except Exception as exc:  # a broken plugin must say which one
                raise ImportError(
                    f"cannot load {self.kind} plugin {ep.name!r} ({ep.value}) from entry-point "
                    f"group {self.group!r}: {exc}"
                ) from exc
            self.register(ep.name, obj)

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
        try:
            return self._items[name]
        except (KeyError, TypeError):
            raise KeyError(f"unknown {self.kind} {name!r}; valid names: {self.names()}") from None

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
