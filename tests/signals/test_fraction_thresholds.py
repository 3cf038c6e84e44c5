"""Return thresholds are decimal fractions: move's level=5 or rebound's pct=25 (read as 500 %
and 2500 %) are refused with a message suggesting the fraction; 100 % itself is allowed."""

from __future__ import annotations

import pytest

from eventstudy.signals import make_signal
from eventstudy.signals.move import Move
from eventstudy.signals.rebound import Rebound


@pytest.mark.parametrize("level", [5, -5, 1.5, -1.01])
def test_move_level_above_one_is_refused(level: float) -> None:
    with pytest.raises(ValueError, match=r"level must be a decimal fraction .*0\.05 for 5 %"):
        make_signal({"type": "move", "series": "x", "n": 5, "mode": "above", "level": level})


@pytest.mark.parametrize("level", [1, -1, 0.05, -0.10, 0.0])
def test_move_fractions_up_to_one_are_accepted(level: float) -> None:
    assert Move(series="x", mode="below", level=level).level == float(level)


@pytest.mark.parametrize("pct", [25, 1.2])
def test_rebound_pct_above_one_is_refused(pct: float) -> None:
    with pytest.raises(ValueError, match=r"pct must be a decimal fraction .*0\.25 for 25 %"):
        make_signal({"type": "rebound", "series": "x", "pct": pct})


def test_rebound_pct_up_to_one_is_accepted() -> None:
    assert Rebound(series="x", pct=1).pct == 1.0
    assert Rebound(series="x", pct=0.25).pct == 0.25
