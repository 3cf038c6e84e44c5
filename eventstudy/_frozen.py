"""Read-only containers for result objects, and the small formatters their notebook views share.

Every result class of eventstudy is a frozen dataclass; this module makes what the fields hold
read-only too, so a result cannot change after it is returned:

* numpy arrays: :func:`readonly_array` returns a *view* with ``flags.writeable = False`` (no
  copy, O(1); the caller's own array keeps its flags). Writing into it raises ``ValueError``.
* mappings: :func:`readonly_mapping` returns a :class:`types.MappingProxyType` over a shallow
  copy, nested dicts becoming proxies, lists and tuples tuples, arrays read-only views.
  Item assignment raises ``TypeError``. The proxies pickle and deep-copy (registered with
  :mod:`copyreg` on import), so results stay picklable.
* pandas objects (``DataFrame``, ``Series``, ``DatetimeIndex``): pandas has no read-only flag,
  so the policy is *store what the result owns, hand out copies*: each result builds its own
  frames (never a caller's object), and every ``to_frame()`` / ``*_frame()`` method returns a new
  frame that may be edited freely. A frame or series *field* (``CrossSectionResult.caar``,
  ``SignalResult.value``...) is the result's own object: read it, do not assign into it (copy
  it first). Under pandas Copy-on-Write (the default from pandas 3) its ``.to_numpy()`` is a
  read-only view already. An index (``EventTable.dates``) is immutable in pandas.

Freezing costs a view or a small dict copy per field, never a copy of a large array.

The formatters (:func:`pct`, :func:`pvalue`) are the ones the result classes' ``_repr_html_``
use; results may not import :mod:`eventstudy.report`.
"""

from __future__ import annotations

import copyreg
import math
import types
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["hashable", "pct", "pvalue", "readonly_array", "readonly_mapping", "refreeze"]


def _proxy(d: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    """Rebuild a pickled proxy (the type itself cannot be looked up by name)."""
    return types.MappingProxyType(d)


def _pickle_proxy(m: types.MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _proxy, (dict(m),)


copyreg.pickle(types.MappingProxyType, _pickle_proxy)


def readonly_array(a: Any) -> np.ndarray:
    """A read-only view of ``a`` (``np.asarray`` first): writing into it raises ``ValueError``.

    Examples
    --------
    >>> v = readonly_array(np.arange(3))
    >>> v.flags.writeable
    False
    """
    view = np.asarray(a).view()
    view.flags.writeable = False
    return view


def _freeze(x: Any) -> Any:
    if isinstance(x, Mapping):
        return readonly_mapping(x)
    if isinstance(x, list | tuple) and not hasattr(x, "_fields"):  # not a NamedTuple
        return tuple(_freeze(v) for v in x)
    if isinstance(x, np.ndarray):
        return readonly_array(x)
    return x


def readonly_mapping(m: Mapping[Any, Any] | None) -> types.MappingProxyType[Any, Any]:
    """A :class:`types.MappingProxyType` over a copy of ``m``, nested containers frozen.

    Nested mappings become proxies, lists and tuples tuples, arrays read-only views; other
    values (numbers, strings, result objects) are kept as they are.  ``None`` gives an empty
    mapping.

    Examples
    --------
    >>> d = readonly_mapping({"a": {"b": [1, 2]}})
    >>> d["a"]["b"]
    (1, 2)
    >>> d["x"] = 1
    Traceback (most recent call last):
    ...
    TypeError: 'mappingproxy' object does not support item assignment
    """
    return types.MappingProxyType({k: _freeze(v) for k, v in (m or {}).items()})


def refreeze(x: Any) -> Any:
    """Make every array inside ``x`` read-only again; returns ``x``.

    A result that comes back through a pipe (pickled, as from a forked copy of the process)
    holds writeable arrays: numpy does not pickle the flag.  Walks dataclass fields, mappings,
    lists and tuples; pandas objects are left as they are (see the module docstring).

    Examples
    --------
    >>> import pickle
    >>> back = pickle.loads(pickle.dumps(readonly_mapping({"a": np.arange(2)})))
    >>> back["a"].flags.writeable, refreeze(back)["a"].flags.writeable
    (True, False)
    """
    import dataclasses

    seen: set[int] = set()
    stack = [x]
    while stack:  # loop over the objects inside x, depth first
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if isinstance(v, np.ndarray):
            v.flags.writeable = False
        elif isinstance(v, Mapping):
            stack.extend(v.values())
        elif isinstance(v, list | tuple):
            stack.extend(v)
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            stack.extend(getattr(v, f.name) for f in dataclasses.fields(v))
    return x


def hashable(x: Any) -> Any:
    """A hashable stand-in for ``x``: NaN -> ``None`` (every NaN alike), mappings -> sorted item
    tuples, sequences -> tuples, arrays -> (dtype, shape, bytes), numpy scalars -> Python
    scalars; other unhashable objects -> their ``repr``."""
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, Mapping):
        return tuple(sorted(((repr(k), hashable(v)) for k, v in x.items()), key=lambda t: t[0]))
    if isinstance(x, list | tuple):
        return tuple(hashable(v) for v in x)
    if isinstance(x, np.ndarray):
        return (str(x.dtype), x.shape, x.tobytes())
    try:
        hash(x)
    except TypeError:
        return repr(x)
    return x


def pct(x: float, digits: int = 2) -> str:
    """Signed percentage, ``"n/a"`` for NaN: ``pct(0.0497) == "+4.97%"``."""
    return f"{x:+.{digits}%}" if math.isfinite(x) else "n/a"


def pvalue(p: float) -> str:
    """p-value with three significant digits, ``"n/a"`` for NaN: ``pvalue(0.12345) == "0.123"``."""
    return f"{p:.3g}" if math.isfinite(p) else "n/a"
