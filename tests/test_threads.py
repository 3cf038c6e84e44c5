"""eventstudy._threads: blocks shared among threads, with the serial loop's results."""

from __future__ import annotations

import threading
import time
import warnings

import numpy as np
import pytest

from eventstudy import _threads
from eventstudy._threads import beside, map_blocks, resolve_threads


@pytest.mark.parametrize("threads", [2, 3])
def test_results_come_back_in_the_items_order_from_several_threads(threads):
    barrier = threading.Barrier(threads, timeout=10)  # every thread holds one item at once
    seen: set[int] = set()

    def fn(i: int) -> int:
        if i < threads:
            barrier.wait()  # only passes when three threads run side by side
        seen.add(threading.get_ident())
        return i * i

    assert map_blocks(fn, range(10), threads) == [i * i for i in range(10)]
    assert len(seen) == threads


@pytest.mark.parametrize(("threads", "items"), [(1, 5), (4, 1), (4, 0)])
def test_one_thread_or_one_item_runs_here(threads, items):
    here = threading.get_ident()
    assert map_blocks(lambda i: threading.get_ident(), range(items), threads) == [here] * items


def test_the_first_failing_item_in_order_is_the_error():
    release = threading.Event()

    def fn(i: int) -> int:
        if i == 1:
            release.wait(10)  # fails after item 2 has failed
            raise KeyError("one")
        if i == 2:
            release.set()
            raise ValueError("two")
        return i

    before = threading.active_count()
    with pytest.raises(KeyError, match="one"):
        map_blocks(fn, range(20), 2)
    assert threading.active_count() == before  # every thread has stopped


def test_items_not_started_when_the_error_comes_are_not_run():
    ran: list[int] = []

    def fn(i: int) -> int:
        if i == 0:
            raise ValueError("first")
        time.sleep(0.01)
        ran.append(i)
        return i

    with pytest.raises(ValueError, match="first"):
        map_blocks(fn, range(200), 2)
    assert len(ran) < 20


def test_threads_default_to_the_cores_up_to_eight(monkeypatch):
    monkeypatch.setattr(_threads, "cores", lambda: 2)
    assert resolve_threads(None) == 2
    monkeypatch.setattr(_threads, "cores", lambda: 64)
    assert resolve_threads(None) == 8
    assert resolve_threads(3) == 3
    assert resolve_threads(1) == 1
    assert resolve_threads(np.int64(5)) == 5 and type(resolve_threads(np.int64(5))) is int


def test_one_item_starts_no_thread_whatever_the_count():
    here = threading.get_ident()
    assert map_blocks(lambda i: threading.get_ident(), range(1), resolve_threads(8)) == [here]


def test_cores_is_this_process_affinity():
    import os

    assert _threads.cores() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("bad", [0, -1])
def test_workers_below_one_are_refused(bad):
    with pytest.raises(ValueError, match=f"workers must be >= 1, got {bad}"):
        resolve_threads(bad)


@pytest.mark.parametrize("bad", [1.5, True, "2"])
def test_workers_must_be_an_integer(bad):
    with pytest.raises(TypeError, match="workers must be an integer"):
        resolve_threads(bad)


def test_helpers_run_in_the_callers_errstate():
    """numpy keeps np.errstate in a context variable, which a new thread does not inherit."""

    def fn(i: int) -> float:
        time.sleep(0.01)  # every thread takes items
        return float(np.float64(1.0) / np.float64(0.0))

    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        map_blocks(fn, range(6), 3)
    with np.errstate(divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        assert map_blocks(fn, range(6), 3) == [np.inf] * 6


def test_an_interrupt_in_this_thread_wins_and_the_helpers_stop():
    """A Ctrl-C in the calling thread's item is raised as it is, not a helper item's error
    (whichever item each took), after the helpers have finished their current item; no later
    item starts."""
    started: list[int] = []
    here_started, helper_failed = threading.Event(), threading.Event()

    def fn(i: int) -> int:
        started.append(i)
        if threading.current_thread() is threading.main_thread():
            here_started.set()
            helper_failed.wait(10)
            raise KeyboardInterrupt
        here_started.wait(10)
        helper_failed.set()
        raise ValueError("a helper's item")

    before = threading.active_count()
    with pytest.raises(KeyboardInterrupt):
        map_blocks(fn, range(100), 2)
    assert threading.active_count() == before
    assert len(started) == 2


def test_what_a_helper_raises_is_raised_even_if_not_an_exception():
    def fn(i: int) -> int:
        if threading.current_thread() is not threading.main_thread():
            raise SystemExit(3)
        time.sleep(0.01)
        return i

    with pytest.raises(SystemExit):
        map_blocks(fn, range(10), 2)


def test_an_interrupt_in_this_thread_stops_helpers_that_are_not_failing():
    """The hand-out stops at the interrupt itself, not at a helper's error."""
    started: list[int] = []

    def fn(i: int) -> int:
        started.append(i)
        if threading.current_thread() is threading.main_thread():
            time.sleep(0.05)  # the helper takes a few items meanwhile
            raise KeyboardInterrupt
        time.sleep(0.01)
        return i

    with pytest.raises(KeyboardInterrupt):
        map_blocks(fn, range(200), 2)
    assert len(started) < 20


def test_a_ctrl_c_while_waiting_for_a_helper_is_raised_once_it_has_finished_its_item():
    """On Python 3.11 and 3.12 an interrupted Thread.join marks the thread as stopped while it
    still runs: the wait must not end there."""
    import os
    import signal

    finished: list[float] = []

    def fn(i: int) -> int:
        if threading.current_thread() is not threading.main_thread():
            time.sleep(0.6)  # the calling thread is waiting for it when the Ctrl-C comes
            finished.append(time.perf_counter())
        return i

    timer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))
    before = threading.active_count()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            map_blocks(fn, range(2), 2)
        raised = time.perf_counter()
    finally:
        timer.cancel()
        timer.join()
    assert len(finished) == 1 and finished[0] <= raised
    assert threading.active_count() == before


def test_a_helper_that_cannot_start_is_an_error_after_the_others_finish(monkeypatch):
    real = threading.Thread.start
    calls: list[str] = []

    def start(self):
        calls.append(self.name)
        if len(calls) == 2:
            raise RuntimeError("can't start new thread")
        real(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    before = threading.active_count()
    with pytest.raises(RuntimeError, match="can't start new thread"):
        map_blocks(lambda i: time.sleep(0.01) or i, range(10), 3)
    assert threading.active_count() == before


# ------------------------------------------------------------------ beside


def test_beside_runs_main_here_and_side_in_a_helper_at_once():
    barrier = threading.Barrier(2, timeout=10)  # passes only when both run side by side

    def main() -> int:
        barrier.wait()
        return threading.get_ident()

    def side() -> int:
        barrier.wait()
        return threading.get_ident()

    before = threading.active_count()
    here, there = beside(main, side, 2)
    assert here == threading.get_ident() and there != here
    assert threading.active_count() == before


def test_beside_on_one_thread_runs_main_then_side_here():
    order: list[tuple[str, int]] = []
    out = beside(
        lambda: order.append(("main", threading.get_ident())) or 1,
        lambda: order.append(("side", threading.get_ident())) or 2,
        1,
    )
    assert out == (1, 2)
    assert order == [("main", threading.get_ident()), ("side", threading.get_ident())]


def test_beside_raises_mains_error_before_sides_once_side_has_finished():
    finished = threading.Event()

    def side() -> None:
        time.sleep(0.2)
        finished.set()
        raise ValueError("side")

    with pytest.raises(KeyError, match="main"):
        beside(lambda: (_ for _ in ()).throw(KeyError("main")), side, 2)
    assert finished.is_set()


def test_beside_raises_sides_error_when_main_succeeds():
    def side() -> None:
        raise SystemExit(4)  # not an Exception: still raised here

    with pytest.raises(SystemExit):
        beside(lambda: 1, side, 2)


def test_beside_side_runs_in_the_callers_errstate():
    def side() -> float:
        return float(np.float64(1.0) / np.float64(0.0))

    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        beside(lambda: 0, side, 2)


def test_beside_an_interrupt_in_main_waits_for_side():
    finished = threading.Event()

    def main() -> None:
        time.sleep(0.05)
        raise KeyboardInterrupt

    def side() -> None:
        time.sleep(0.3)
        finished.set()

    before = threading.active_count()
    with pytest.raises(KeyboardInterrupt):
        beside(main, side, 2)
    assert finished.is_set()
    assert threading.active_count() == before
