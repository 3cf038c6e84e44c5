"""Work shared by the tests of many specifications: a keyed memo scoped to one run.

A sweep evaluates hundreds of specifications on the same forward returns with the same
random streams (every specification of a target draws from the study seed's stream for that
target, so that a one-specification sweep equals the plain study).  Much of the tests' work
therefore repeats exactly: the bootstrap's block length (a function of the forward returns
only) and its resampling blocks (of the random stream, the block length and the sample
size), and the placebo draws of specifications with the same number of events and gap.
:class:`SharedWork` computes each of these once.

A memo entry is keyed by *everything* its value depends on, including the full state of the
random generator, and a hit restores the generator to the state the computation would have
left it in.  A hit therefore returns exactly the numbers a miss computes: results never
depend on what was computed before, in which order or in which process.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np

__all__ = ["SharedWork", "digest"]

V = TypeVar("V")


def digest(*arrays: np.ndarray) -> bytes:
    """A 16-byte fingerprint of arrays (shape, dtype and bytes)."""
    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        arr = np.ascontiguousarray(a)
        h.update(repr((arr.shape, arr.dtype.str)).encode())
        h.update(arr.tobytes())
    return h.digest()


def _state(rng: np.random.Generator) -> str:
    return repr(rng.bit_generator.state)


class SharedWork:
    """A bounded memo of values shared across specifications (least recently used first out).

    Parameters
    ----------
    max_bytes
        Evict the least recently used entries beyond this many bytes of numpy arrays.

    Examples
    --------
    >>> import numpy as np
    >>> shared = SharedWork()
    >>> rng = np.random.default_rng(0)
    >>> a = shared.draw(("normal", 3), rng, lambda r: r.normal(size=3))
    >>> rng2 = np.random.default_rng(0)
    >>> b = shared.draw(("normal", 3), rng2, lambda r: r.normal(size=3))  # a hit
    >>> bool((a == b).all()), rng.random() == rng2.random(), shared.hits
    (True, True, 1)
    """

    def __init__(self, max_bytes: int = 512 * 2**20) -> None:
        self.max_bytes = int(max_bytes)
        self.hits = 0
        self.misses = 0
        self._store: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._objects: dict[int, tuple[Any, bytes]] = {}

    def fingerprint(self, frame: Any) -> bytes:
        """:func:`digest` of a DataFrame (values, index, columns), computed once per object.

        The object is kept alive by the memo, so its ``id`` cannot be reused; it must not be
        changed in place while the memo is in use (a sweep never does).
        """
        entry = self._objects.get(id(frame))
        if entry is None or entry[0] is not frame:
            values = np.asarray(frame.to_numpy(dtype=np.float64, na_value=np.nan))
            index = np.asarray(frame.index.asi8 if hasattr(frame.index, "asi8") else frame.index)
            names = np.frombuffer(repr(list(frame.columns)).encode(), dtype=np.uint8)
            entry = (frame, digest(values, index, names))
            self._objects[id(frame)] = entry
        return entry[1]

    def scoped(self, key: Hashable) -> _Scope:
        """A view of this memo for work on one horizon's forward returns that ``key``
        identifies (for example a :meth:`fingerprint` of the forward-return frame, the
        sample and the horizon): its :meth:`data_key` is ``key``, known without hashing
        the data again for every test."""
        return _Scope(self, digest(np.frombuffer(repr(key).encode(), dtype=np.uint8)))

    def data_key(self, derived: np.ndarray) -> bytes:
        """Key of the data a test works on: ``digest(derived)`` (see :meth:`scoped`)."""
        return digest(derived)

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The memoized ``compute()`` for ``key`` (a deterministic function of the key)."""
        if key in self._store:
            self.hits += 1
            self._store.move_to_end(key)
            value: V = self._store[key][0]
            return value
        self.misses += 1
        value = compute()
        size = _nbytes(value)
        self._store[key] = (value, size)
        self._bytes += size
        while self._bytes > self.max_bytes and len(self._store) > 1:
            _, (_, freed) = self._store.popitem(last=False)
            self._bytes -= freed
        return value

    def draw(
        self, key: Hashable, rng: np.random.Generator, compute: Callable[[np.random.Generator], V]
    ) -> V:
        """The memoized ``compute(rng)``, keyed by ``key`` and the generator's state.

        On a hit the generator is moved to the state ``compute`` left it in, so the caller
        cannot tell a hit from a miss.
        """
        full = (key, _state(rng))

        def run() -> tuple[V, Any]:
            value = compute(rng)
            return value, rng.bit_generator.state

        value, after = self.get(full, run)
        rng.bit_generator.state = after
        return value


class _Scope(SharedWork):
    """:class:`SharedWork` seen from one horizon's data: the parent's memo, a fixed data key."""

    def __init__(self, parent: SharedWork, key: bytes) -> None:
        self._parent = parent
        self._key = key

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        return self._parent.get(key, compute)

    def scoped(self, key: Hashable) -> _Scope:
        return self._parent.scoped(key)

    def fingerprint(self, frame: Any) -> bytes:
        return self._parent.fingerprint(frame)

    def data_key(self, derived: np.ndarray) -> bytes:
        """The scope's key: ``derived`` must be a deterministic function of the data the
        scope's key identifies (for example its dates with a complete horizon)."""
        return self._key


def _nbytes(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, tuple | list):
        return sum(_nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    return 64
