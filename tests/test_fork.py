"""A loop shared with a forked copy of the process (eventstudy._fork.map_forked): the plain
loop's values and errors, whatever the copy does."""

from __future__ import annotations

import os
import pickle

import pytest

from eventstudy._fork import map_forked


@pytest.fixture(autouse=True)
def may_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """An earlier test's Dask client leaves a thread behind ("Dask-Offload_0", idle for the
    rest of the process), which makes forking unsafe and map_forked run the plain loop; here
    the copy is wanted, so forking is allowed (the idle thread holds no lock)."""
    import eventstudy._fork

    monkeypatch.setattr(eventstudy._fork, "fork_is_safe", lambda: True)


def test_the_plain_loops_values_and_who_computed_them() -> None:
    here = os.getpid()
    for n in range(6):
        got = map_forked(lambda i: (i * i, os.getpid()), n, processes=2)
        assert [v for v, _ in got] == [i * i for i in range(n)]
        if n >= 2:  # every second item by the copy
            assert {p for i, (_, p) in enumerate(got) if i % 2} != {here}
            assert {p for i, (_, p) in enumerate(got) if i % 2 == 0} == {here}
    got = map_forked(lambda i: os.getpid(), 4, processes=1)
    assert got == [here] * 4  # one process: no copy


def test_the_first_error_in_order_is_raised_here() -> None:
    """The copy fails at 1, this process at 2: the plain loop would raise at 1, and so does
    this one -- computed here, with this process's traceback."""
    here = os.getpid()

    def fn(i: int) -> int:
        if i in (1, 2):
            raise ValueError(f"item {i} in {'this process' if os.getpid() == here else 'the copy'}")
        return i

    with pytest.raises(ValueError, match="item 1 in this process"):
        map_forked(fn, 4, processes=2)

    def late(i: int) -> int:
        if i == 2:
            raise KeyError("two")
        return i

    with pytest.raises(KeyError, match="two"):
        map_forked(late, 5, processes=2)


def test_what_the_copy_cannot_send_is_computed_here() -> None:
    """A value that does not pickle, and a copy that dies: both computed here."""
    here = os.getpid()

    def unpicklable(i: int) -> object:
        return (lambda: i) if os.getpid() != here else i

    assert map_forked(unpicklable, 4, processes=2) == [0, 1, 2, 3]

    def dies(i: int) -> int:
        if os.getpid() != here and i == 3:
            os._exit(3)  # the copy dies after sending item 1
        return 10 * i

    assert map_forked(dies, 6, processes=2) == [0, 10, 20, 30, 40, 50]
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(lambda: 0)  # what the first case relies on


def test_an_early_error_does_not_wait_for_the_copys_whole_share() -> None:
    """Item 0 fails here at once: the copy's later items cannot come first, so it is stopped
    after the one item below... none is below 0, so after its first (0.4 s), not its four."""
    import time

    def fn(i: int) -> int:
        if i == 0:
            raise ValueError("item 0")
        if i % 2:
            time.sleep(0.4)
        return i

    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="item 0"):
        map_forked(fn, 8, processes=2)
    assert time.perf_counter() - t0 < 1.2  # the copy's share would take 1.6 s


def test_no_standard_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process started without stdout and stderr (``>&-``, pythonw) shares its loop too."""
    import sys

    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert map_forked(lambda i: i + 1, 4, processes=2) == [1, 2, 3, 4]


def test_the_copy_dies_with_its_killed_parent(tmp_path) -> None:
    """A run killed mid-study (SIGKILL: no cleanup) takes its copy with it at once, instead
    of leaving it computing its current item (here 60 s)."""
    import signal
    import subprocess
    import sys

    mark = tmp_path / "copy.pid"
    script = f"""
import os, signal, time
from pathlib import Path
import eventstudy._fork as f
f.fork_is_safe = lambda: True
mark = Path({str(mark)!r})
def fn(i):
    if i == 1:  # the copy: says who it is, then computes for a minute
        mark.write_text(str(os.getpid()))
        time.sleep(60)
    else:  # this process: killed once the copy is at work
        while not mark.exists():
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGKILL)
    return i
f.map_forked(fn, 2, processes=2)
"""
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, timeout=50, check=False
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    pid = int(mark.read_text())

    from tests._support import ends_within

    assert ends_within(pid, 10), "the copy outlived its killed parent"
