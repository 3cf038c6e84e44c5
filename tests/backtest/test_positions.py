"""Positions from events: the overlap rules and entry timing against a day-by-day simulation."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from eventstudy.backtest.positions import positions_from_events


def _simulate(t: int, events: list[int], hold: int, rule: str, slices: int, lag: int) -> list:
    """A literal day-by-day account of the rules (independent of the vectorized code): walk
    the closes; at each close sell slices whose time is up, then act on an event whose entry
    close this is; the weight held over day d is what is open at the close of d - 1."""
    entries = {e + lag for e in events if e + lag < t - 1}
    open_slices: list[list[int]] = []  # [exit close]
    weight_after_close = []
    for close in range(t):
        open_slices = [s for s in open_slices if s[0] > close]
        if close in entries:
            if rule == "extend":
                if open_slices:
                    open_slices[0][0] = close + hold
                else:
                    open_slices.append([close + hold])
            elif rule == "ignore":
                if not open_slices:
                    open_slices.append([close + hold])
            elif len(open_slices) < slices:
                open_slices.append([close + hold])
        w = len(open_slices) * (1.0 if rule != "stack" else 1.0 / slices)
        weight_after_close.append(w)
    return [0.0, *weight_after_close[:-1]]


@pytest.mark.parametrize("rule,slices", [("extend", 1), ("ignore", 1), ("stack", 3), ("stack", 1)])
@pytest.mark.parametrize("entry,lag", [("next_close", 1), ("same_close", 0)])
def test_exposure_matches_day_by_day_simulation(
    rule: str, slices: int, entry: str, lag: int
) -> None:
    rng = np.random.default_rng(zlib.crc32(f"{rule}{slices}{entry}".encode()))
    for _ in range(25):
        t = int(rng.integers(30, 120))
        hold = int(rng.integers(1, 15))
        events = sorted(rng.choice(t, size=int(rng.integers(0, 12)), replace=False).tolist())
        p = positions_from_events(
            t,
            events,
            hold,
            overlap=rule,
            max_slices=slices,
            entry=entry,  # type: ignore[arg-type]
        )
        expected = _simulate(t, events, hold, rule, slices, lag)
        np.testing.assert_allclose(p.exposure, expected, atol=1e-12)
        assert p.too_late == sum(e + lag >= t - 1 for e in events)
        # every event is used, skipped or too late: nothing dropped without being counted
        assert p.used.size + p.skipped + p.too_late == len(events)


def test_hand_built_rules() -> None:
    # events at 1 and 3, hold 3: entry at the close of 2 (next close)
    ext = positions_from_events(12, [1, 3], 3)
    assert ext.exposure.tolist() == [0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0]
    assert ext.entries.tolist() == [2] and ext.exits.tolist() == [7]
    assert ext.used.tolist() == [1] and ext.skipped == 1
    ign = positions_from_events(12, [1, 3], 3, overlap="ignore")
    assert ign.exposure.tolist() == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    stk = positions_from_events(12, [1, 3], 3, overlap="stack", max_slices=2)
    assert stk.exposure.tolist() == [0, 0, 0, 0.5, 0.5, 1, 0.5, 0.5, 0, 0, 0, 0]
    assert stk.entries.tolist() == [2, 4] and stk.weights.tolist() == [0.5, 0.5]
    same = positions_from_events(12, [1], 3, entry="same_close")
    assert same.exposure.tolist() == [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]


def test_end_of_data() -> None:
    p = positions_from_events(10, [7, 8, 9], 5)
    assert p.too_late == 2  # entries at the closes of 9 and 10 have nothing to hold
    assert p.entries.tolist() == [8] and p.exits.tolist() == [9]
    assert p.open_at_end
    assert not positions_from_events(10, [1], 3).open_at_end
    # held after the last close (9): the slice bought at 8 would be sold at 13
    assert p.is_open.tolist() == [True] and p.exposure_after == 1.0
    exact = positions_from_events(10, [3], 5)  # bought at 4, sold at the last close, 9
    assert exact.exits.tolist() == [9] and exact.is_open.tolist() == [False]
    assert exact.exposure_after == 0.0 and exact.exposure[-1] == 1.0
    # stacked halves (12 dates, last close 11, hold 3): bought at 6 and 9, sold at 9 and 12
    stk = positions_from_events(12, [5, 8], 3, overlap="stack", max_slices=2)
    assert stk.is_open.tolist() == [False, True] and stk.exposure_after == 0.5
    both = positions_from_events(12, [5, 7], 3, overlap="stack", max_slices=2)  # sold 9, 11
    assert both.is_open.tolist() == [False, False] and both.exposure_after == 0.0
    # an extended run is open by its last slice: bought at 6, slices to 9 and 12
    run = positions_from_events(12, [5, 8], 3, overlap="extend")
    assert run.entries.tolist() == [6] and run.is_open.tolist() == [True]
    assert run.exposure_after == 1.0
    ends = positions_from_events(12, [5, 7], 3, overlap="extend")  # slices to 9 and 11
    assert ends.exits.tolist() == [11] and ends.is_open.tolist() == [False]
    assert ends.exposure_after == 0.0
    over = positions_from_events(12, [6, 7], 4, overlap="extend")  # to 11 and 12: held on
    assert over.is_open.tolist() == [True] and over.exposure_after == 1.0
    both_on = positions_from_events(12, [6, 7], 5, overlap="extend")  # to 12 and 13: weight 1
    assert both_on.exposure[-1] == 1.0 and both_on.exposure_after == 1.0
    assert [q.open_at_end for q in (exact, stk, both, run, ends)] == [
        False,
        True,
        False,
        True,
        False,
    ]
    edge = positions_from_events(10, [4], 5)  # bought at 5, to 10: one day past the last close
    assert edge.open_at_end and edge.is_open.tolist() == [True]


def test_no_look_ahead_in_positions() -> None:
    """The weight over day d depends only on events known by the close of d - 1 (d - 2 with
    next-close entry): events added later never change earlier weights."""
    rng = np.random.default_rng(4)
    for rule in ("extend", "ignore", "stack"):
        for _ in range(20):
            t, hold = 80, int(rng.integers(2, 10))
            events = sorted(rng.choice(t, 10, replace=False).tolist())
            cut = int(rng.integers(5, 75))
            early = [e for e in events if e <= cut]
            full = positions_from_events(t, events, hold, overlap=rule, max_slices=2)  # type: ignore[arg-type]
            part = positions_from_events(t, early, hold, overlap=rule, max_slices=2)  # type: ignore[arg-type]
            # weight over day d is set at the close of d - 1; events after cut trade at cut + 2
            np.testing.assert_array_equal(full.exposure[: cut + 2], part.exposure[: cut + 2])


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="ascending"):
        positions_from_events(10, [3, 2], 2)
    with pytest.raises(ValueError, match="ascending"):
        positions_from_events(10, [3, 10], 2)
    with pytest.raises(ValueError, match="overlap"):
        positions_from_events(10, [3], 2, overlap="merge")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="entry"):
        positions_from_events(10, [3], 2, entry="open")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="hold"):
        positions_from_events(10, [3], 0)
