"""eventstudy._threads: blocks shared among threads, with the serial loop's results."""

from __future__ import annotations

import threading
import time

import pytest

from eventstudy import _threads
from eventstudy._threads import map_blocks, resolve_threads


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


def test_threads_default_to_the_cores_up_to_eight_and_at_most_one_per_block(monkeypatch):
    monkeypatch.setattr(_threads, "cores", lambda: 2)
    assert resolve_threads(None, 100) == 2
    assert resolve_threads(None, 1) == 1
    monkeypatch.setattr(_threads, "cores", lambda: 64)
    assert resolve_threads(None, 100) == 8
    assert resolve_threads(3, 100) == 3
    assert resolve_threads(3, 2) == 2
    assert resolve_threads(1, 100) == 1


def test_cores_is_this_process_affinity():
    import os

    assert _threads.cores() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_workers_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        resolve_threads(bad, 10)
